#!/usr/bin/env python3
"""make bench: postie serve and Dovecot (default and tuned) side by side on
the same Maildirs and users file, every workload repeated with the servers
in alternating order, one table at the end. Run through bench/run.

  bench/run [--reps N] [--quick] [--only GROUP,...] [--skip GROUP,...]
groups: sessions login retr scale growth idle fetch
"""
import argparse
import datetime
import json
import os
import platform
import signal
import subprocess
import sys
import time

import servers
import table
import work

GROUPS = ["sessions", "login", "retr", "scale", "growth", "idle", "fetch"]


def sh(cmd):
    try:
        r = subprocess.run(cmd, shell=True, capture_output=True, text=True,
                           timeout=20)
        return (r.stdout or r.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def machine():
    model = sh("grep -m1 'model name' /proc/cpuinfo | cut -d: -f2").strip()
    mem = sh("grep MemTotal /proc/meminfo | awk '{printf \"%.0f GiB\", "
             "$2/1048576}'")
    return ("Machine: %s, %d vCPU, %s RAM, kernel %s. Versions: postie (%s), "
            "Dovecot %s, %s, curl %s, mpop %s, fetchmail %s." % (
                model, os.cpu_count(), mem, platform.release(),
                sh("git -C %s describe --always --dirty 2>/dev/null || "
                   "echo tree" % os.path.dirname(os.path.dirname(
                       os.path.dirname(os.path.abspath(__file__))))),
                sh("dovecot --version"), sh("openssl version"),
                sh("curl --version | awk '{print $2}'"),
                sh("mpop --version | awk '{print $3}'"),
                sh("fetchmail --version 2>/dev/null | grep -m1 "
                   "'release' | awk '{print $5}'")))


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def rotate(lst, k):
    k %= len(lst)
    return lst[k:] + lst[:k]


def on_term(sig, frame):
    raise KeyboardInterrupt("signal %d" % sig)


def main():
    signal.signal(signal.SIGTERM, on_term)  # stop the servers on the way out
    ap = argparse.ArgumentParser()
    ap.add_argument("--exe", required=True)
    ap.add_argument("--data", required=True)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--quick", action="store_true",
                    help="one repetition, short runs")
    ap.add_argument("--only", default="")
    ap.add_argument("--skip", default="")
    a = ap.parse_args()
    groups = [g for g in (a.only.split(",") if a.only else GROUPS)
              if g and g not in a.skip.split(",")]
    reps = 1 if a.quick else a.reps
    secs = {1: 6, 10: 8, 100: 10} if not a.quick else {1: 2, 10: 2, 100: 3}
    data = os.path.abspath(a.data)
    run = os.path.join(data, "run")
    resdir = os.path.join(data, "results")
    os.makedirs(resdir, exist_ok=True)
    stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
    jpath = os.path.join(resdir, "run-%s.jsonl" % stamp)
    cx = work.Ctx(os.path.abspath(a.exe), data, os.path.join(run, "tmp"))
    os.makedirs(cx.tmp, exist_ok=True)
    cx.log = open(os.path.join(resdir, "run-%s.log" % stamp), "w")
    results = []
    t_start = time.time()
    load0 = loadavg()

    def add(rs):
        with open(jpath, "a") as f:
            for r in rs:
                r["t"] = round(time.time() - t_start, 1)
                f.write(json.dumps(r) + "\n")
        results.extend(rs)

    po = servers.Postie(cx.exe, data, run)
    dd = servers.Dovecot(data, run, "default", 11110, 11995)
    dt = servers.Dovecot(data, run, "tuned", 11210, 11295)
    srvs = [po, dd, dt]
    started = []
    try:
        for s in srvs:
            s.start()
            started.append(s)
        cx.note("servers: postie pid %d (:%d, :%d), dovecot default pid %d "
                "(:%d, :%d), dovecot tuned pid %d (:%d, :%d)" % (
                    po.pid(), po.port, po.tls_port, dd.pid(), dd.port,
                    dd.tls_port, dt.pid(), dt.port, dt.tls_port))
        # Warm-up: every mailbox of the session workloads opened once by
        # every server (Dovecot builds its index on first open).
        for s in srvs:
            work.pbench(cx, ["--port", s.port, "--mode", "login", "-c", 10,
                             "-n", 100, "--user-prefix", "u"], timeout=300)
            work.pbench(cx, ["--port", s.port, "--mode", "login", "-n", 1,
                             "--user", "big"], timeout=60)
        add(work.loopback(cx))
        cached = ["u%03d" % i for i in range(1, 101)] + ["big", "g1k"]
        work.warm_cache(cx, cached)
        for g in groups:
            t0 = time.time()
            cx.note("== %s (load average %s)" % (g, loadavg()))
            run_group(cx, g, srvs, reps, secs, add)
            if g == "scale":  # it dropped the page cache
                work.warm_cache(cx, cached)
            cx.note("   %s took %.0f s" % (g, time.time() - t0))
        add(work.loopback(cx))
    finally:
        for s in reversed(started):
            s.stop()
    meta = ("%s Load average (1/5/15 min) at start %s, at end %s. "
            "Run %s, %.0f s, %d repetitions." % (
                machine(), load0, loadavg(), stamp,
                time.time() - t_start, reps))
    with open(jpath, "a") as f:
        f.write(json.dumps({"meta": meta}) + "\n")
    text = table.render(results, meta)
    with open(os.path.join(resdir, "table-%s.md" % stamp), "w") as f:
        f.write(text + "\n")
    print()
    print(text)
    print()
    print("results: %s" % jpath)
    return 0


def run_group(cx, g, srvs, reps, secs, add):
    po, dd, dt = srvs
    if g == "sessions":
        for rep in range(reps):
            for c in (1, 10, 100):
                for s in rotate(srvs, rep + c):
                    add(work.sessions(cx, s, "full", c, secs[c]))
    elif g == "login":
        for rep in range(reps):
            for s in rotate(srvs, rep):
                add(work.sessions(cx, s, "login", 10, secs[10]))
    elif g == "retr":
        for rep in range(reps):
            for s in rotate(srvs, rep):
                for tls in ("none", "stls", "implicit"):
                    add(work.retr(cx, s, tls))
                    add(work.curl(cx, s, tls))
    elif g == "scale":
        add(work.readdir_cold(cx, "huge"))
        for rep in range(reps):
            for s in rotate(srvs, rep):
                others = [o for o in srvs if o is not s]
                add(work.scale(cx, s, others, "huge", "stat100k"))
                if rep == 0:  # reading 100k files cold: 10-20 s each
                    add(work.scale(cx, s, others, "huge-ns", "ns100k"))
    elif g == "growth":
        sizes = [("g1k", "growth_1k"), ("g10k", "growth_10k"),
                 ("huge", "growth_100k")]
        if os.path.isdir(os.path.join(cx.data, "maildir", "g1m")):
            sizes.append(("g1m", "growth_1m"))
        for user, metric in sizes:
            for s in (po, dt):
                work.steps(cx, s, user, metric, "warm")  # warm-up
            for rep in range(reps):
                for s in rotate([po, dt], rep):
                    rs = [r for r in work.steps(cx, s, user, metric, "warm")
                          if r["metric"] == metric + "_warm"]
                    for r in rs:
                        r["metric"] = metric
                    add(rs)
    elif g == "idle":
        for n in (1000, 10000):
            for tls in ("none", "implicit"):
                for rep in range(reps if n == 1000 else 1):
                    # a fresh server: memory freed by an earlier run would
                    # hide the cost of the next one
                    po.stop()
                    po.start()
                    add(work.idle(cx, po, n, tls, 50, 20 if n > 1000 else 120))
        add(work.idle(cx, dd, 1000, "none", 20))
        add(work.idle(cx, dd, 200, "implicit", 20))
    elif g == "fetch":
        big, nbig = work.maildir_bytes(cx.data, "big")
        small, nsmall = work.maildir_bytes(cx.data, "g1k")
        for rep in range(reps):
            for client in rotate(["postie", "mpop", "fetchmail"], rep):
                add(work.fetch(cx, client, dt.port, "g1k", "fetch_small",
                               small, nsmall))
                add(work.fetch(cx, client, dt.port, "big", "fetch_big",
                               big, nbig))


if __name__ == "__main__":
    sys.exit(main())
