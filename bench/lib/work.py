"""The workloads. Each function measures one thing once and returns a
result dict {"metric", "server", "value", ...extra}; main.py repeats them,
alternating servers, and table.py summarizes.

The load generator is `postie bench` (one process, epoll, many connections);
curl, mpop and fetchmail are independent clients for cross-checks.
"""
import json
import os
import resource
import shutil
import signal
import socket
import subprocess
import threading
import time

import procs
from servers import drop_caches


class Ctx:
    def __init__(self, exe, data, tmp):
        self.exe, self.data, self.tmp = exe, data, tmp
        self.pw = os.path.join(data, "passwords")
        self.log = None

    def note(self, msg):
        print("  " + msg, flush=True)
        if self.log:
            self.log.write(msg + "\n")


def maildir_bytes(data, user):
    """Sum of the W= (CRLF) sizes in a mailbox's names, and the count."""
    tot = n = 0
    for nm in os.listdir(os.path.join(data, "maildir", user, "cur")):
        for part in nm.split(":")[0].split(","):
            if part.startswith("W="):
                tot += int(part[2:])
        n += 1
    return tot, n


def pbench(cx, args, timeout):
    cmd = [cx.exe, "bench", "--users-file", cx.pw] + [str(a) for a in args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("{")]
    if not lines:
        raise RuntimeError("postie bench failed: %s" % r.stderr.strip()[-300:])
    out = json.loads(lines[-1])
    if out.get("first_error"):
        cx.note("postie bench %s: %d errors, first: %s" % (
            " ".join(map(str, args)), out["errors"], out["first_error"]))
    return out


def warm_cache(cx, users):
    """Read every message of these mailboxes once, so that a run does not
    depend on what an earlier one (or drop_caches) left in the page cache."""
    for u in users:
        d = os.path.join(cx.data, "maildir", u, "cur")
        for nm in os.listdir(d):
            with open(os.path.join(d, nm), "rb") as f:
                while f.read(1 << 20):
                    pass


def readdir_cold(cx, user):
    """Machine floor for a cold open: list a mailbox's cur/ with an empty
    page cache (no server involved)."""
    d = os.path.join(cx.data, "maildir", user, "cur")
    drop_caches()
    t0 = time.monotonic()
    n = len(os.listdir(d))
    dt = time.monotonic() - t0
    return [{"metric": "readdir_cold", "server": "machine",
             "value": round(dt * 1000.0, 1), "entries": n}]


def sessions(cx, srv, mode, conc, secs):
    """Whole sessions (full) or login-only sessions back to back."""
    c0, f0 = procs.cpu(srv.pid())
    k0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    r = pbench(cx, ["--port", srv.port, "--mode", mode, "-c", conc,
                    "-t", secs, "--user-prefix", "u", "--timeout", 120],
               timeout=secs + 300)
    c1, f1 = procs.cpu(srv.pid())
    k1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    n = max(1, r["sessions"])
    metric = "%s_c%d" % (mode, conc)
    client = (k1.ru_utime + k1.ru_stime) - (k0.ru_utime + k0.ru_stime)
    return [
        {"metric": metric, "server": srv.name, "value": r["sessions_per_s"],
         "errors": r["errors"], "mismatches": r["mismatches"],
         "MB_per_s": r["MB_per_s"], "lat_ms": r["lat_ms"]},
        {"metric": metric + "_cpu", "server": srv.name,
         "value": round((c1 - c0) * 1000.0 / n, 3),
         "minflt_per_session": round((f1 - f0) / n, 1)},
        {"metric": metric + "_p50", "server": srv.name,
         "value": r["lat_ms"]["p50"]},
        {"metric": metric + "_client", "server": srv.name,
         "value": round(client * 1000.0 / n, 3)},
    ]


def retr(cx, srv, tls):
    """RETR of big (64 x 1 MiB) in one session with postie bench."""
    port = srv.tls_port if tls == "implicit" else srv.port
    c0, _ = procs.cpu(srv.pid())
    r = pbench(cx, ["--port", port, "--tls", tls, "--mode", "full",
                    "-n", 1, "--user", "big"], timeout=300)
    c1, _ = procs.cpu(srv.pid())
    mb = r["retr_bytes"] / 1e6
    name = {"none": "plain", "stls": "stls", "implicit": "tls"}[tls]
    return [{"metric": "retr_" + name, "server": srv.name,
             "value": r["retr_MB_per_s"], "mismatches": r["mismatches"],
             "cpu_ms_per_MB": round((c1 - c0) * 1000.0 / mb, 2) if mb else 0}]


def curl(cx, srv, tls):
    """The same 64 RETRs with curl over one connection (URL glob)."""
    big, n = maildir_bytes(cx.data, "big")
    port = srv.tls_port if tls == "implicit" else srv.port
    scheme = "pop3s" if tls == "implicit" else "pop3"
    cmd = ["curl", "-s", "-k", "--fail"]
    if tls == "stls":
        cmd.append("--ssl-reqd")
    cmd.append("%s://big:pw-big@127.0.0.1:%d/[1-%d]" % (scheme, port, n))
    t0 = time.monotonic()
    r = subprocess.run(cmd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE, timeout=300)
    dt = time.monotonic() - t0
    name = {"none": "plain", "stls": "stls", "implicit": "tls"}[tls]
    if r.returncode != 0:
        cx.note("curl %s failed: rc %d %s" % (name, r.returncode,
                                              r.stderr[-200:]))
        return []
    return [{"metric": "curl_" + name, "server": srv.name,
             "value": round(big / 1e6 / dt, 2)}]


def steps(cx, srv, user, metric_prefix, state):
    """One session with each step timed; first STAT = connect + greeting +
    USER/PASS + STAT."""
    r = pbench(cx, ["--port", srv.port, "--mode", "steps", "-n", 1,
                    "--user", user, "--timeout", 300], timeout=400)
    if r["sessions"] != 1:
        return []
    s = r["steps_ms"]
    first = s["greeting"] + s["login"] + s["stat"]
    out = [{"metric": "%s_%s" % (metric_prefix, state), "server": srv.name,
            "value": round(first, 3), "steps_ms": s}]
    if state == "warm":
        out.append({"metric": metric_prefix + "_uidl", "server": srv.name,
                    "value": s["uidl"]})
    return out


def scale(cx, srv, others, user, prefix):
    """Cold (the server's own index/cache deleted, page cache dropped), then
    warm, on one big mailbox."""
    for s in [srv] + others:
        s.cold(user)
    drop_caches()
    out = steps(cx, srv, user, prefix, "cold")
    out += steps(cx, srv, user, prefix, "warm")
    return out


def idle(cx, srv, n, tls, ramp, timeout=120):
    """n logged-in idle connections: server PSS per connection."""
    port = srv.tls_port if tls == "implicit" else srv.port
    cmd = [cx.exe, "bench", "--users-file", cx.pw, "--port", str(port),
           "--tls", tls, "--mode", "idle", "-c", str(n), "--ramp", str(ramp),
           "--user-prefix", "idle", "--hold", "300",
           "--timeout", str(timeout),
           "--wait-start"]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True)
    killer = threading.Timer(600, p.kill)
    killer.start()
    try:
        p.stdout.readline()  # {"waiting": true}
        time.sleep(0.3)
        m0 = procs.mem(srv.pid())
        p.send_signal(signal.SIGUSR1)
        ready = json.loads(p.stdout.readline() or "{}")
        time.sleep(1.0)
        m1 = procs.mem(srv.pid())
        p.send_signal(signal.SIGUSR1)
        out, err = p.communicate(timeout=300)
    finally:
        killer.cancel()
        if p.poll() is None:
            p.kill()
            p.wait()
    conns = ready.get("conns", 0)
    if conns < n:
        cx.note("idle %s %s: %d of %d connections (%s)" % (
            srv.name, tls, conns, n, err.strip()[-200:]))
    if conns == 0:
        cx.note("idle %s %s: no connections (%s)" % (srv.name, tls,
                                                    err.strip()[-200:]))
        return []
    label = "%s_%s" % ("tls" if tls != "none" else "plain",
                       "%dk" % (n // 1000) if n >= 1000 else str(n))
    per = lambda k: round((m1[k] - m0[k]) / conns, 2)  # noqa: E731
    return [{"metric": "idle_" + label, "server": srv.name,
             "value": per("pss_kb"), "conns": conns, "wanted": n,
             "rss_kb_per_conn": per("rss_kb"),
             "anon_kb_per_conn": per("anon_kb"),
             "procs_before": m0["procs"], "procs_with": m1["procs"],
             "setup_s": ready.get("setup_s")}]


def loopback(cx, total=512 << 20):
    """Plain TCP over loopback, one stream, 1 MiB writes (machine limit)."""
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    port = ls.getsockname()[1]
    buf = bytearray(1 << 20)

    def sink():
        c, _ = ls.accept()
        mv, got = memoryview(bytearray(1 << 20)), 0
        while got < total:
            n = c.recv_into(mv)
            if n == 0:
                break
            got += n
        c.close()

    t = threading.Thread(target=sink)
    t.start()
    s = socket.create_connection(("127.0.0.1", port))
    t0 = time.monotonic()
    sent = 0
    while sent < total:
        s.sendall(buf)
        sent += len(buf)
    s.shutdown(socket.SHUT_WR)
    t.join()
    dt = time.monotonic() - t0
    s.close()
    ls.close()
    return [{"metric": "loopback", "server": "machine",
             "value": round(total / 1e6 / dt, 1)}]


def _fresh(cx, name):
    d = os.path.join(cx.tmp, name)
    shutil.rmtree(d, ignore_errors=True)
    for sub in ("md/cur", "md/new", "md/tmp", "state", "home"):
        os.makedirs(os.path.join(d, sub))
    return d


def _count(md):
    return sum(len(os.listdir(os.path.join(md, s))) for s in ("cur", "new"))


def fetch(cx, client, port, user, metric, nbytes, nmsgs):
    """Download a whole mailbox (keeping it on the server) into a fresh
    directory with one client; wall time of the client process."""
    d = _fresh(cx, "fetch-" + client)
    md, pw = os.path.join(d, "md"), "pw-" + user
    env = dict(os.environ, HOME=os.path.join(d, "home"),
               XDG_STATE_HOME=os.path.join(d, "state"))
    pwfile = os.path.join(d, "pw")
    with open(pwfile, "w") as f:
        f.write(pw + "\n")
    os.chmod(pwfile, 0o600)
    if client == "postie":
        cmd = [cx.exe, "fetch", "pop3://%s@127.0.0.1:%d" % (user, port),
               "--maildir", md, "--password-file", pwfile,
               "--insecure-plaintext", "--quiet"]
    elif client == "mpop":
        rc = os.path.join(d, "mpoprc")
        with open(rc, "w") as f:
            f.write("account bench\nhost 127.0.0.1\nport %d\ntls off\n"
                    "auth user\nuser %s\npassword %s\ndelivery maildir %s\n"
                    "keep on\nuidls_file %s\n" % (
                        port, user, pw, md, os.path.join(d, "uidls")))
        os.chmod(rc, 0o600)
        cmd = ["mpop", "--file=" + rc, "--quiet", "bench"]
    else:
        rc = os.path.join(d, "fetchmailrc")
        out = os.path.join(d, "out.bsmtp")
        with open(rc, "w") as f:
            f.write("poll 127.0.0.1 service %d protocol pop3 auth password\n"
                    "  user \"%s\" there with password \"%s\" is root here\n"
                    "  options keep fetchall sslproto '' bsmtp \"%s\"\n" % (
                        port, user, pw, out))
        os.chmod(rc, 0o600)
        cmd = ["fetchmail", "-f", rc, "-i", os.path.join(d, "ids"),
               "--nosyslog", "-s"]
    t0 = time.monotonic()
    r = subprocess.run(cmd, env=env, capture_output=True, text=True,
                       timeout=600)
    dt = time.monotonic() - t0
    got = nmsgs
    if client == "fetchmail":
        try:
            with open(os.path.join(d, "out.bsmtp"), "rb") as f:
                got = f.read().count(b"MAIL FROM:")
        except OSError:
            got = 0
    else:
        got = _count(md)
    shutil.rmtree(d, ignore_errors=True)
    if r.returncode != 0 or got != nmsgs:
        cx.note("fetch %s %s: rc %d, %d of %d messages: %s" % (
            client, user, r.returncode, got, nmsgs,
            (r.stderr or r.stdout).strip()[-300:]))
        return [{"metric": metric, "server": client, "value": None}]
    val = nmsgs / dt if metric == "fetch_small" else nbytes / 1e6 / dt
    return [{"metric": metric, "server": client, "value": round(val, 2),
             "seconds": round(dt, 3)}]
