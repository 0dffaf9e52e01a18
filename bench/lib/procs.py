"""CPU time and memory of a server's whole process tree, read from /proc.

cpu(root): user+system seconds of root and every descendant, with the
cutime/cstime of children already reaped (Dovecot forks and reaps a process
per connection), and minor page faults.
mem(root): process count and summed RSS/PSS/anonymous PSS (kB) from
smaps_rollup; PSS divides shared pages among the processes mapping them.
"""
import os

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid):
    with open("/proc/%s/stat" % pid) as f:
        raw = f.read()
    f = raw[raw.rindex(")") + 2:].split()
    # f[0] is field 3 (state); see proc(5)
    return {"ppid": int(f[1]), "minflt": int(f[7]) + int(f[8]),
            "ticks": int(f[11]) + int(f[12]) + int(f[13]) + int(f[14])}


def tree(root):
    children = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            children.setdefault(_stat(d)["ppid"], []).append(int(d))
        except (OSError, ValueError, IndexError):
            continue
    out, todo = [], [int(root)]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def cpu(root):
    ticks = faults = 0
    for p in tree(root):
        try:
            s = _stat(p)
        except (OSError, ValueError, IndexError):
            continue
        ticks += s["ticks"]
        faults += s["minflt"]
    return ticks / TICK, faults


def mem(root):
    tot = {"procs": 0, "rss_kb": 0, "pss_kb": 0, "anon_kb": 0}
    for p in tree(root):
        vals = {}
        try:
            with open("/proc/%d/smaps_rollup" % p) as f:
                for line in f:
                    k, _, rest = line.partition(":")
                    if k in ("Rss", "Pss", "Pss_Anon"):
                        vals[k] = int(rest.split()[0])
        except (OSError, ValueError):
            continue
        tot["procs"] += 1
        tot["rss_kb"] += vals.get("Rss", 0)
        tot["pss_kb"] += vals.get("Pss", 0)
        tot["anon_kb"] += vals.get("Pss_Anon", 0)
    return tot
