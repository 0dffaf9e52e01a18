#!/usr/bin/env python3
"""test_audit_courier.py: postie audit against a real STLS-injection server.

Courier POP3 1.0.16 in Debian 12 answers commands sent in cleartext together
with STLS inside the TLS session (CVE-2021-38084, reference/servers.md §3).
This test runs that server and asserts two things independently:
  * a raw socket+ssl probe sees the injected CAPA answered inside TLS (the
    server is really vulnerable; if a Debian update fixes it, this fails and
    the test needs a new vulnerable target),
  * `postie audit --only P3-TLS-04` reports FAIL high with the evidence.
It also checks that a real login works (so the server is a complete POP3
service) and the two other STLS findings Courier shows (P3-TLS-03, -05).

How Courier runs without being installed (its packages conflict with
dovecot-pop3d, and nothing may touch the system's configuration):
  * `apt-get download` of courier-pop, courier-base, courier-authlib,
    courier-authlib-userdb, courier-authdaemon and the libraries Debian 12
    does not have by default, cached in $COURIER_CACHE
    (default /var/cache/postie-test/courier), then `dpkg-deb -x` into a
    private tree under a temporary directory;
  * the binaries have compiled-in paths (/etc/courier/authdaemonrc,
    /usr/lib/courier-authlib/*.so, /run/courier/authdaemon/socket), so the
    server runs in a private mount and PID namespace (`unshare`), where
    read-only overlays put the private tree over /usr and /etc and a tmpfs
    covers /run. The overlay /etc also adds the `courier` user that
    couriertls switches to, so no account is created on the host;
  * authdaemond with authuserdb (a userdb with one user, alice, uid nobody,
    a Maildir with one message); couriertcpd -address=127.0.0.1 on a free
    port runs courierpop3login ... courierpop3d Maildir with STLS enabled
    and a certificate issued by a test CA (TLS_CERTFILE).
Stopping the namespace's first process (couriertcpd, by PID) makes the
kernel end every process in it; nothing is left behind.

Prints PASS/FAIL lines and ends with "N passed, N failed".
"""
import glob
import json
import os
import poplib
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
POSTIE = os.path.abspath(os.environ.get("POSTIE", os.path.join(ROOT,
                                                              "postie")))
CACHE = os.environ.get("COURIER_CACHE", "/var/cache/postie-test/courier")
# the server and its authentication, plus the libraries that a Debian 12
# system with postie's build dependencies does not have (checked with ldd
# below, so that a missing one is reported by name)
PACKAGES = ["courier-pop", "courier-base", "courier-authlib",
            "courier-authlib-userdb", "courier-authdaemon",
            "libcourier-unicode4", "libgamin0", "libltdl7"]
COURIER_UID = 64010     # the "courier" user, only inside the namespace
USER, PASSWORD = "alice", "Summer2024"
SOURCES = iter("127.0.0.%d" % n for n in range(71, 90))

_count = {"pass": 0, "fail": 0}


def result(ok, name, detail=""):
    _count["pass" if ok else "fail"] += 1
    print("%s %s%s" % ("PASS" if ok else "FAIL", name,
                       (": " + detail) if detail and not ok else ""),
          flush=True)


def run(cmd, **kw):
    return subprocess.run(cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True, **kw)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


# ---- packages ----------------------------------------------------------

def ensure_policy_rc_d():
    """apt must never start a service here (DEVELOPERS.md, test_audit.py)."""
    prc = "/usr/sbin/policy-rc.d"
    try:
        with open(prc) as f:
            ok = "exit 101" in f.read()
    except OSError:
        ok = False
    if ok:
        return
    if os.path.exists(prc):
        raise RuntimeError("%s does not exit 101; refusing to run apt-get"
                           % prc)
    with open(prc, "w") as f:
        f.write("#!/bin/sh\nexit 101\n")
    os.chmod(prc, 0o755)


def debs():
    """The cached .deb of every package, downloading the missing ones."""
    os.makedirs(CACHE, exist_ok=True)

    def have(p):
        return sorted(glob.glob(os.path.join(CACHE, p + "_*.deb")))

    missing = [p for p in PACKAGES if not have(p)]
    if missing:
        ensure_policy_rc_d()
        r = run(["apt-get", "download"] + missing, cwd=CACHE)
        still = [p for p in missing if not have(p)]
        if still:
            raise RuntimeError("apt-get download %s failed: %s" %
                               (" ".join(still), r.stderr[-400:]))
    return [have(p)[-1] for p in PACKAGES]


def unpack(tmp):
    tree = os.path.join(tmp, "root")
    os.makedirs(tree)
    for deb in debs():
        r = run(["dpkg-deb", "-x", deb, tree])
        if r.returncode != 0:
            raise RuntimeError("dpkg-deb -x %s: %s" % (deb, r.stderr))
    # every binary must find its libraries in the tree or on the system
    libdirs = [os.path.join(tree, "usr/lib"),
               os.path.join(tree, "usr/lib/x86_64-linux-gnu")]
    env = dict(os.environ, LD_LIBRARY_PATH=":".join(libdirs))
    for b in ("usr/sbin/couriertcpd", "usr/bin/couriertls",
              "usr/lib/courier/courier/courierpop3login",
              "usr/lib/courier/courier/courierpop3d",
              "usr/lib/courier/courier-authlib/authdaemond",
              "usr/lib/courier-authlib/libauthuserdb.so.0"):
        r = run(["ldd", os.path.join(tree, b)], env=env)
        lost = [ln.split()[0] for ln in r.stdout.splitlines()
                if "not found" in ln]
        if lost:
            raise RuntimeError("%s needs %s (add its package to PACKAGES)"
                               % (b, ", ".join(lost)))
    return tree


def version(deb):
    r = run(["dpkg-deb", "-f", deb, "Version"])
    return r.stdout.strip()


# ---- configuration -----------------------------------------------------

def make_certs(tmp):
    d = os.path.join(tmp, "certs")
    os.makedirs(d)

    def ossl(*args):
        r = run(["openssl"] + list(args), cwd=d)
        if r.returncode != 0:
            raise RuntimeError("openssl %s: %s" % (args[0], r.stderr))

    ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout",
         "ca.key", "-out", "ca.crt", "-days", "30", "-subj",
         "/CN=postie courier test CA")
    ossl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "srv.key",
         "-out", "srv.csr", "-subj", "/CN=localhost")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=DNS:localhost,IP:127.0.0.1\n"
                "basicConstraints=CA:FALSE\n")
    ossl("x509", "-req", "-in", "srv.csr", "-CA", "ca.crt", "-CAkey",
         "ca.key", "-CAcreateserial", "-out", "srv.crt", "-days", "30",
         "-extfile", "ext.cnf")
    # Courier's TLS_CERTFILE: key and certificate in one file, readable by
    # the user couriertls runs as
    pem = os.path.join(d, "pop3d.pem")
    with open(pem, "w") as out:
        for part in ("srv.key", "srv.crt"):
            with open(os.path.join(d, part)) as f:
                out.write(f.read())
    os.chmod(pem, 0o600)
    os.chown(pem, COURIER_UID, COURIER_UID)
    return os.path.join(d, "ca.crt"), pem


def configure(tmp, tree):
    etc = os.path.join(tree, "etc", "courier")
    # mailbox: uid/gid nobody, one message
    home = os.path.join(tmp, "home", USER)
    for sub in ("cur", "new", "tmp"):
        os.makedirs(os.path.join(home, "Maildir", sub))
    with open(os.path.join(home, "Maildir", "new", "1000.1.test"),
              "w") as f:
        f.write("From: bob@example.test\r\nSubject: courier test\r\n\r\n"
                "hello from courier\r\n")
    for dirpath, dirs, files in os.walk(os.path.join(tmp, "home")):
        for n in dirs + files:
            os.chown(os.path.join(dirpath, n), 65534, 65534)
    r = run(["openssl", "passwd", "-6", PASSWORD])
    if r.returncode != 0:
        raise RuntimeError("openssl passwd: %s" % r.stderr)
    userdb = os.path.join(etc, "userdb")
    with open(userdb, "w") as f:
        f.write("%s\tuid=65534|gid=65534|home=%s|mail=%s|systempw=%s\n" %
                (USER, home, os.path.join(home, "Maildir"),
                 r.stdout.strip()))
    os.chmod(userdb, 0o600)  # makeuserdb insists
    # authdaemond: userdb only (Debian's default is authpam)
    rc = os.path.join(etc, "authdaemonrc")
    with open(rc) as f:
        lines = f.read().splitlines()
    with open(rc, "w") as f:
        for ln in lines:
            if ln.startswith("authmodulelist="):
                ln = 'authmodulelist="authuserdb"'
            elif ln.startswith("daemons="):
                ln = "daemons=2"
            f.write(ln + "\n")
    # the namespace's /etc/passwd and /etc/group: the host's plus courier
    for name, extra in (("passwd", "courier:x:%d:%d:Courier test:"
                         "/nonexistent:/usr/sbin/nologin\n"),
                        ("group", "courier:x:%d:\n")):
        with open("/etc/" + name) as f:
            text = f.read()
        if not text.endswith("\n"):
            text += "\n"
        with open(os.path.join(tree, "etc", name), "w") as f:
            f.write(text + (extra % ((COURIER_UID, COURIER_UID)
                                     if name == "passwd"
                                     else (COURIER_UID,))))


START = r"""set -e
T=$1; PEM=$2; PORT=$3
mount -t overlay overlay -o lowerdir=$T/usr:/usr /usr
/usr/sbin/makeuserdb -f $T/etc/courier/userdb
mount -t overlay overlay -o lowerdir=$T/etc:/etc /etc
mount -t tmpfs tmpfs /run
mkdir -p /run/courier/authdaemon
/usr/lib/courier/courier-authlib/authdaemond &
exec env -i PATH=/usr/bin:/bin \
  POP3_STARTTLS=YES POP3_TLS_REQUIRED=0 COURIERTLS=/usr/bin/couriertls \
  TLS_CERTFILE=$PEM TLS_VERIFYPEER=NONE POP3AUTH= POP3AUTH_TLS= \
  /usr/sbin/couriertcpd -address=127.0.0.1 -nodnslookup -noidentlookup \
    -maxprocs=20 -maxperip=20 $PORT \
    /usr/lib/courier/courier/courierpop3login \
    /usr/lib/courier/courier/courierpop3d Maildir
"""


class Courier:
    """couriertcpd + authdaemond in a private mount and PID namespace."""

    def __init__(self, tmp, tree, pem):
        self.port = free_port()
        self.log = os.path.join(tmp, "courier.log")
        script = os.path.join(tmp, "start.sh")
        with open(script, "w") as f:
            f.write(START)
        self.logf = open(self.log, "w")
        # unshare forks the namespace's first process and waits for it;
        # --kill-child ends the namespace should unshare itself be killed
        self.proc = subprocess.Popen(
            ["unshare", "--mount", "--propagation", "private", "--pid",
             "--fork", "--kill-child=SIGKILL", "sh", script, tree, pem,
             str(self.port)],
            stdin=subprocess.DEVNULL, stdout=self.logf,
            stderr=subprocess.STDOUT,
            # couriertcpd signals its whole process group when it stops:
            # give it its own, or it would take this test down with it.
            start_new_session=True)

    def wait_ready(self, secs=10):
        end = time.monotonic() + secs
        while time.monotonic() < end:
            if self.proc.poll() is not None:
                break
            try:
                s = socket.create_connection(("127.0.0.1", self.port), 0.5)
                s.settimeout(2)
                greet = s.recv(200)
                s.close()
                # authdaemond must be up too: its INFO line is in the log
                if greet.startswith(b"+OK") and \
                        "Installation complete" in self.logtext():
                    return True
            except OSError:
                pass
            time.sleep(0.1)
        return False

    def logtext(self):
        try:
            with open(self.log, errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    def children(self):
        pids = []
        for t in glob.glob("/proc/%d/task/*/children" % self.proc.pid):
            try:
                with open(t) as f:
                    pids += [int(x) for x in f.read().split()]
            except OSError:
                pass
        return pids

    def stop(self):
        """SIGTERM to the namespace's first process (couriertcpd, by PID);
        when it exits the kernel ends the rest of the namespace. unshare
        itself ignores SIGTERM while it waits, so it is killed last."""
        if self.proc.poll() is None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                for pid in self.children():
                    try:
                        os.kill(pid, sig)
                    except ProcessLookupError:
                        pass
                try:
                    self.proc.wait(5)
                    break
                except subprocess.TimeoutExpired:
                    pass
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait(5)
        self.logf.close()


# ---- probes ------------------------------------------------------------

def read_line(sock, limit=512):
    """One line, byte by byte, so that nothing after it is consumed."""
    line = b""
    while not line.endswith(b"\n") and len(line) < limit:
        c = sock.recv(1)
        if not c:
            break
        line += c
    return line


def raw_injection_probe(port, cafile):
    """'STLS\\r\\nCAPA\\r\\n' in one segment, handshake, then listen 2 s
    without sending. Returns (STLS reply, TLS version, bytes inside TLS)."""
    s = socket.socket()
    s.settimeout(10)
    s.bind((next(SOURCES), 0))
    s.connect(("127.0.0.1", port))
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    try:
        greet = read_line(s)
        if not greet.startswith(b"+OK"):
            raise RuntimeError("greeting %r" % greet)
        s.sendall(b"STLS\r\nCAPA\r\n")
        reply = read_line(s)
        if not reply.startswith(b"+OK"):
            return reply, None, b""
        ctx = ssl.create_default_context(cafile=cafile)
        t = ctx.wrap_socket(s, server_hostname="localhost")
        t.settimeout(0.5)
        got = b""
        end = time.monotonic() + 2
        while time.monotonic() < end:
            try:
                d = t.recv(4096)
            except (socket.timeout, ssl.SSLWantReadError):
                continue
            if not d:
                break
            got += d
        ver = t.version()
        t.close()
        return reply, ver, got
    finally:
        s.close()


def audit(port, cafile, only, src, extra=()):
    out = os.path.join(TMP, "report-%s.json" % only.replace(",", "_"))
    cmd = [POSTIE, "audit", "pop3://127.0.0.1:%d" % port, "--only", only,
           "--format", "json", "-o", out, "--ca", cafile, "--no-lab",
           "--source-ip", src, "--timeout", "10"] + list(extra)
    r = run(cmd, timeout=120)
    data = None
    if os.path.exists(out):
        with open(out) as f:
            try:
                data = json.load(f)
            except ValueError as e:
                data = {"parse_error": str(e)}
    return r.returncode, data, r.stderr


def check(data, cid):
    for c in (data or {}).get("checks", []):
        if c.get("id") == cid:
            return c
    return None


def state(c):
    if c is None:
        return "MISSING"
    if c["status"] == "FAIL":
        return "FAIL " + c["severity"]
    return c["status"]


# ---- cases -------------------------------------------------------------

def case_login(srv, cafile):
    """The setup is a complete server: STLS, USER/PASS, the message."""
    try:
        p = poplib.POP3("127.0.0.1", srv.port, timeout=10)
        try:
            p.stls(ssl.create_default_context(cafile=cafile))
            p.user(USER)
            p.pass_(PASSWORD)
            count, _ = p.stat()
            body = b"\n".join(p.retr(1)[1])
        finally:
            try:
                p.quit()
            except (OSError, poplib.error_proto):
                pass
        ok = count == 1 and b"hello from courier" in body
        result(ok, "Courier: login over STLS as %s, STAT and RETR 1" % USER,
               "stat %r" % count)
    except (OSError, poplib.error_proto, ssl.SSLError) as e:
        result(False, "Courier: login over STLS as %s" % USER,
               "%s: %s" % (type(e).__name__, e))


def case_raw_probe(srv, cafile):
    """Independent of postie: is this Courier really vulnerable?"""
    name = ("Courier: raw probe sees the injected CAPA answered inside TLS "
            "(CVE-2021-38084 present)")
    try:
        reply, ver, got = raw_injection_probe(srv.port, cafile)
    except (OSError, ssl.SSLError, RuntimeError) as e:
        result(False, name, "%s: %s" % (type(e).__name__, e))
        return False
    lines = got.split(b"\r\n")
    ok = (ver is not None and lines[0].startswith(b"+OK")
          and b"\r\n.\r\n" in got)
    result(ok, name, "STLS reply %r, TLS %s, inside TLS %r" %
           (reply, ver, got[:200]))
    return ok


def case_audit_tls04(srv, cafile):
    t0 = time.monotonic()
    rc, data, err = audit(srv.port, cafile, "P3-TLS-04", next(SOURCES))
    took = time.monotonic() - t0
    c = check(data, "P3-TLS-04")
    ev = (c or {}).get("evidence") or []
    problems = []
    if state(c) != "FAIL high":
        problems.append("status %s (%s)" % (state(c),
                                            (c or {}).get("summary")))
    if c and "CVE-2021-38084" not in c.get("cve", []):
        problems.append("CVE-2021-38084 not listed")
    # evidence: STLS and CAPA sent together, +OK, handshake, then a reply
    # read inside TLS
    try:
        i_capa = next(i for i, e in enumerate(ev) if "C: CAPA" in e)
        i_tls = next(i for i, e in enumerate(ev)
                     if i > i_capa and "TLS handshake" in e)
        next(e for e in ev[i_tls + 1:] if "S: +OK" in e)
        if not any("C: STLS" in e for e in ev[:i_capa]):
            problems.append("no C: STLS before C: CAPA in the evidence")
        if any(" C: " in e for e in ev[i_tls + 1:]):
            problems.append("the auditor sent something after the "
                            "handshake")
    except StopIteration:
        problems.append("evidence lacks CAPA / handshake / reply inside "
                        "TLS: %r" % ev)
    if rc != 1:
        problems.append("exit %d, want 1 (finding >= high): %s" %
                        (rc, err.strip()[-200:]))
    result(not problems, "postie audit --only P3-TLS-04 against Courier: "
           "FAIL high with evidence", "; ".join(problems))
    print("# P3-TLS-04 against Courier: %.1f s; finding: %s" %
          (took, (c or {}).get("finding")), flush=True)


def case_audit_stls_family(srv, cafile):
    """The other STLS findings of Debian's default Courier (servers.md §3:
    cleartext USER/PASS allowed; USER survives STLS)."""
    rc, data, err = audit(srv.port, cafile, "P3-TLS-03,P3-TLS-05,P3-TLS-06",
                          next(SOURCES))
    want = {"P3-TLS-03": "FAIL high", "P3-TLS-05": "FAIL medium",
            "P3-TLS-06": "PASS"}
    bad = ["%s: want %s, got %s (%s)" % (k, v, state(check(data, k)),
                                         (check(data, k) or {})
                                         .get("summary"))
           for k, v in want.items() if state(check(data, k)) != v]
    result(not bad, "postie audit P3-TLS-03/05/06 against Courier "
           "(cleartext login allowed, USER survives STLS)", "; ".join(bad))


# ---- main --------------------------------------------------------------

TMP = None


def main():
    global TMP
    t0 = time.monotonic()
    if not os.access(POSTIE, os.X_OK):
        result(False, "postie binary", "%s not executable" % POSTIE)
        print("%d passed, %d failed" % (_count["pass"], _count["fail"]))
        return 1
    TMP = tempfile.mkdtemp(prefix="postie-courier-test.")
    os.chmod(TMP, 0o755)  # alice (nobody) and courier walk into it
    srv = None
    try:
        tree = unpack(TMP)
        print("# courier-pop %s, courier-authlib %s (cache %s)" %
              (version(glob.glob(os.path.join(CACHE,
                                              "courier-pop_*.deb"))[-1]),
               version(glob.glob(os.path.join(CACHE,
                                              "courier-authlib_*.deb"))[-1]),
               CACHE), flush=True)
        cafile, pem = make_certs(TMP)
        configure(TMP, tree)
        srv = Courier(TMP, tree, pem)
        if not srv.wait_ready():
            result(False, "Courier starts on 127.0.0.1",
                   "not ready; log: %s" % srv.logtext()[-600:])
        else:
            result(True, "Courier starts on 127.0.0.1")
            case_login(srv, cafile)
            case_raw_probe(srv, cafile)
            case_audit_tls04(srv, cafile)
            case_audit_stls_family(srv, cafile)
    except Exception as e:  # a broken setup is a failure, never a skip
        result(False, "Courier setup", "%s: %s" % (type(e).__name__, e))
    finally:
        if srv is not None:
            srv.stop()
            if srv.children():
                result(False, "Courier stopped", "namespace still running")
        shutil.rmtree(TMP, ignore_errors=True)
    print("# test_audit_courier.py took %.0f s" % (time.monotonic() - t0))
    print("%d passed, %d failed" % (_count["pass"], _count["fail"]))
    return 1 if _count["fail"] else 0


if __name__ == "__main__":
    sys.exit(main())
