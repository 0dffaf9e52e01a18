#!/usr/bin/env python3
"""test_server.py: server-wide behaviour that transcripts cannot show.

  stream-100mb        RETR of a 100 MB message from a slow reader: the
                      server's memory stays bounded (back-pressure) and
                      the bytes equal the stored message.
  ipv6-listener       --listen [::1]:PORT serves over IPv6.
  check-config        --check-config explains a good file; a bad one names
                      FILE:LINE and the key, exit status 2.
  sighup-reload       a new certificate is served after SIGHUP.
  privsep-ps          started as root: only the master is root (ps); the
                      credential, pre-login and mail processes run as four
                      different users; the pre-login process is chrooted
                      to an empty directory; the TLS key's prime is in the
                      pre-login process's memory but not in the mail
                      process's; a plain session's socket moves to the
                      mail process, a TLS one stays with the relay.
  bruteforce          200 wrong passwords over 20 parallel connections
                      from 127.0.0.1 take at least the configured penalty;
                      meanwhile 127.0.0.2, which logged in before, logs in
                      within one second; guesses per minute are printed.
  enumeration         an unknown and a known user get identical replies in
                      comparable time.
  same-password-once  a repeated wrong password is counted once.
  valgrind            poplib and curl sessions against the server under
                      valgrind: no memory errors, no definite leaks.

The binary is $POSTIE (default ./postie). Prints PASS/FAIL per test and
"N passed, N failed".
"""

import hashlib
import os
import pwd
import re
import shutil
import signal
import ssl
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import p3lab  # noqa: E402
from p3lab import Conn, Lab, Tally, log  # noqa: E402

PW = "correct-Horse-9"


def lab_with_alice(**kw):
    lab = Lab(prefix="p3srv-", **kw)
    lab.add_user("alice", PW)
    return lab


def login(conn, user="alice", pw=PW):
    conn.readline()
    conn.send(b"USER %s\r\n" % user.encode())
    conn.readline()
    conn.send(b"PASS %s\r\n" % pw.encode())
    return conn.readline()


def tree_pids(root_pid):
    """root_pid and all its descendants."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True,
                         text=True).stdout.split("\n")
    kids = {}
    for line in out:
        f = line.split()
        if len(f) == 2:
            kids.setdefault(int(f[1]), []).append(int(f[0]))
    pids, todo = [], [root_pid]
    while todo:
        p = todo.pop()
        pids.append(p)
        todo += kids.get(p, [])
    return pids


def rss_kb(pid):
    try:
        for line in open("/proc/%d/status" % pid):
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def test_stream(t):
    name = "stream-100mb"
    with lab_with_alice() as lab:
        line = b"0123456789 the quick brown fox jumps over the lazy dog\n"
        body = bytearray(b"Subject: big\n\n")
        n = 0
        while len(body) < 100 * 1024 * 1024:
            body += (b"." if n % 97 == 0 else b"") + line
            n += 1
        lab.add_mail("alice", bytes(body))
        # Under ASan, freed buffers sit in a 256 MB quarantine and would
        # count as RSS; a small quarantine shows the server's own bound.
        old = os.environ.get("ASAN_OPTIONS")
        os.environ["ASAN_OPTIONS"] = (old + ":" if old else "") + \
            "quarantine_size_mb=1:thread_local_quarantine_size_kb=64"
        try:
            lab.start(["--allow-plaintext-auth"])
        finally:
            if old is None:
                del os.environ["ASAN_OPTIONS"]
            else:
                os.environ["ASAN_OPTIONS"] = old
        c = Conn("127.0.0.1", lab.port, timeout=60)
        try:
            r = login(c)
            c.send(b"LIST 1\r\n")
            size = int(c.readline().split()[2])
            c.send(b"RETR 1\r\n")
            c.readline()
            # Read slowly at first so the server must hold back.
            peak = 0
            got = bytearray(c.buf)  # what readline() already buffered
            c.buf = b""
            deadline = time.monotonic() + 120
            c.sock.settimeout(30)
            for i in range(20):
                got += c.sock.recv(65536)
                time.sleep(0.05)
                for p in tree_pids(lab.proc.pid):
                    peak = max(peak, rss_kb(p))
            while not got.endswith(b"\r\n.\r\n"):
                if time.monotonic() > deadline:
                    raise AssertionError("RETR did not finish in 120 s")
                chunk = c.sock.recv(1 << 20)
                if not chunk:
                    raise AssertionError("connection closed mid-message")
                got += chunk
            for p in tree_pids(lab.proc.pid):
                peak = max(peak, rss_kb(p))
            wire = bytes(got[:-3])
            text = p3lab.unstuff(wire[:-2].split(b"\r\n"))
            want = bytes(body).replace(b"\n", b"\r\n")
            if len(text) != size or text != want:
                raise AssertionError("received %d octets, LIST said %d, "
                                     "source %d" % (len(text), size,
                                                    len(want)))
            if peak > 48 * 1024:
                raise AssertionError("server RSS reached %d kB streaming "
                                     "100 MB" % peak)
            t.ok(name, "%d octets, peak RSS of one server process %d kB" %
                 (size, peak))
        except Exception as e:  # noqa: BLE001
            t.fail(name, "%s: %s" % (type(e).__name__, e))
        finally:
            c.close()


def test_ipv6(t):
    name = "ipv6-listener"
    with lab_with_alice() as lab:
        port = p3lab.free_port("::1")
        try:
            lab.start(["--listen", "[::1]:%d" % port])
            c = Conn("::1", port, tls_ctx=None)
            greet = c.readline()
            c.send(b"CAPA\r\n")
            c.readline()
            capa, _err = p3lab.read_multiline(c)
            c.close()
            if not greet.startswith(b"+OK") or b"STLS" not in capa:
                raise AssertionError("greeting %r capa %r" % (greet, capa))
            t.ok(name)
        except Exception as e:  # noqa: BLE001
            t.fail(name, e)


def test_check_config(t):
    name = "check-config"
    with lab_with_alice() as lab:
        good = lab.dir / "good.conf"
        good.write_text("# ok\nlisten = 127.0.0.1:1110\nusers = %s\n"
                        "maildir = %s/mail/%%u/Maildir\n" %
                        (lab.users_file, lab.dir))
        bad = lab.dir / "bad.conf"
        bad.write_text("listen = 127.0.0.1:1110\n\nidle-timeout = 5\n")
        bin_ = p3lab.postie_bin()
        r1 = subprocess.run([bin_, "serve", "--config", str(good),
                             "--check-config"], capture_output=True,
                            text=True, timeout=10)
        r2 = subprocess.run([bin_, "serve", "--config", str(bad),
                             "--check-config"], capture_output=True,
                            text=True, timeout=10)
        r3 = subprocess.run([bin_, "serve", "--config", str(good),
                             "--bogus", "x"], capture_output=True, text=True,
                            timeout=10)
        want2 = "%s:3: idle-timeout:" % bad
        if r1.returncode != 0 or "configuration OK" not in r1.stdout:
            t.fail(name, "good config: %d %r %r" % (r1.returncode, r1.stdout,
                                                    r1.stderr))
        elif r2.returncode != 2 or want2 not in r2.stderr:
            t.fail(name, "bad config: %d %r (want %r)" % (
                r2.returncode, r2.stderr, want2))
        elif r3.returncode != 2 or "--bogus" not in r3.stderr:
            t.fail(name, "unknown flag: %d %r" % (r3.returncode, r3.stderr))
        else:
            t.ok(name, r2.stderr.strip())


def cert_fingerprint(port):
    pem = ssl.get_server_certificate(("127.0.0.1", port))
    return hashlib.sha256(ssl.PEM_cert_to_DER_cert(pem)).hexdigest()


def test_sighup(t):
    name = "sighup-reload"
    with lab_with_alice() as lab:
        try:
            lab.start()
            before = cert_fingerprint(lab.tls_port)
            subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048",
                            "-nodes", "-subj", "/CN=localhost", "-days", "2",
                            "-keyout", str(lab.key), "-out", str(lab.cert)],
                           check=True, capture_output=True, timeout=60)
            lab.signal(signal.SIGHUP)
            if not lab.wait_log(r"certificate and key reloaded", 5):
                raise AssertionError("no reload in the log:\n" + lab.log())
            after = cert_fingerprint(lab.tls_port)
            if before == after:
                raise AssertionError("same certificate after SIGHUP")
            t.ok(name)
        except Exception as e:  # noqa: BLE001
            t.fail(name, e)


def socket_owner_uids(pids, port):
    """uids of the processes (among pids) holding a TCP socket on port."""
    inodes = set()
    for f in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(f).read().split("\n")[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if len(parts) > 9:
                lport = int(parts[1].split(":")[1], 16)
                rport = int(parts[2].split(":")[1], 16)
                if port in (lport, rport):
                    inodes.add(parts[9])
    uids = set()
    for p in pids:
        try:
            fds = os.listdir("/proc/%d/fd" % p)
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink("/proc/%d/fd/%s" % (p, fd))
            except OSError:
                continue
            m = re.match(r"socket:\[(\d+)\]", target)
            if m and m.group(1) in inodes:
                uids.add(os.stat("/proc/%d" % p).st_uid)
    return uids


def private_prime_forms(key_path):
    """The low 32 bytes of the RSA key's first prime, big-endian and in the
    little-endian limb order OpenSSL's BIGNUMs keep in memory."""
    txt = subprocess.run(["openssl", "pkey", "-in", key_path, "-text",
                          "-noout"], capture_output=True, text=True,
                         check=True).stdout
    m = re.search(r"prime1:\s*\n((?:\s+[0-9a-f:]+\n)+)", txt)
    if m is None:
        raise AssertionError("no prime1 in the test key")
    prime = bytes.fromhex(re.sub(r"[\s:]", "", m.group(1)))
    low = prime[-32:]
    return low, low[::-1]


def memory_has(pid, needles):
    """Whether any readable mapping of pid (below 1 GiB each) contains one
    of needles (at most 64 bytes long)."""
    with open("/proc/%d/maps" % pid) as maps, \
            open("/proc/%d/mem" % pid, "rb", 0) as mem:
        for line in maps:
            f = line.split()
            if "r" not in f[1] or (len(f) > 5 and f[5] in ("[vvar]",
                                                          "[vsyscall]")):
                continue
            lo, hi = (int(x, 16) for x in f[0].split("-"))
            if hi - lo > 1 << 30:
                continue  # ASan's shadow: terabytes of zeros
            tail = b""
            for at in range(lo, hi, 1 << 20):
                try:
                    mem.seek(at)
                    data = tail + mem.read(min(1 << 20, hi - at))
                except (OSError, ValueError, OverflowError):
                    break
                if any(n in data for n in needles):
                    return True
                tail = data[-64:]
    return False


def test_privsep(t):
    """Started as root: the master stays root; the credential, pre-login
    and mail processes each run as their own user; the pre-login process
    is chrooted to an empty directory; the mail process never held the TLS
    key; after login a plain connection's socket belongs to the mail
    process, a TLS one stays with the pre-login process (the relay)."""
    name = "privsep-ps"
    if os.geteuid() != 0:
        t.fail(name, "must run as root to test privilege separation "
               "(CI runs as root)")
        return
    with lab_with_alice() as lab:
        try:
            lab.add_user("bob", PW)
            lab.start(extra=["--allow-plaintext-auth"])
            c = Conn("127.0.0.1", lab.tls_port, tls_ctx=lab.context())
            r = login(c)
            if not r.startswith(b"+OK"):
                raise AssertionError("TLS login: %r" % r)
            plain = Conn("127.0.0.1", lab.port)
            r = login(plain, "bob")
            if not r.startswith(b"+OK"):
                raise AssertionError("plain login: %r" % r)
            pids = tree_pids(lab.proc.pid)
            ps = subprocess.run(["ps", "-o", "user=,pid=,ppid=,args=", "-p",
                                 ",".join(map(str, pids))],
                                capture_output=True, text=True).stdout
            users = {}
            for line in ps.strip().split("\n"):
                f = line.split(None, 3)
                users[int(f[1])] = f[0]
            roots = [p for p, u in users.items() if u == "root"]
            if roots != [lab.proc.pid]:
                raise AssertionError("root processes %r (only the master "
                                     "may be root):\n%s" % (roots, ps))
            if len(users) != 4:
                raise AssertionError("want master, credential, pre-login "
                                     "and mail process:\n%s" % ps)
            mail_uid = lab.owner[0]
            uid = {p: os.stat("/proc/%d" % p).st_uid for p in users}
            mail = [p for p in users if uid[p] == mail_uid]
            login_p = [p for p in users
                       if os.readlink("/proc/%d/root" % p) != "/"]
            if len(mail) != 1 or len(login_p) != 1 or mail == login_p:
                raise AssertionError("want one mail process (uid %d) and "
                                     "one chrooted pre-login process:\n%s"
                                     % (mail_uid, ps))
            mail, login_p = mail[0], login_p[0]
            jail = os.readlink("/proc/%d/root" % login_p)
            if os.listdir(jail):
                raise AssertionError("chroot %s is not empty" % jail)
            if len(set(uid.values())) != 4:
                raise AssertionError("the four processes must have four "
                                     "different users:\n%s" % ps)
            # The TLS socket is the relay's, the plain one the mail
            # process's (handed over with SCM_RIGHTS).
            tls_holders = socket_owner_uids([mail], lab.tls_port)
            plain_holders = socket_owner_uids([mail], lab.port)
            if tls_holders or not plain_holders:
                raise AssertionError(
                    "mail process sockets: TLS port %r, plain port %r"
                    % (tls_holders, plain_holders))
            forms = private_prime_forms(lab.key)
            if not memory_has(login_p, forms):
                raise AssertionError("control failed: the key's prime is "
                                     "not found in the pre-login process")
            if memory_has(mail, forms):
                raise AssertionError("the TLS private key is in the mail "
                                     "process's memory")
            c.send(b"STAT\r\n")
            plain.send(b"STAT\r\n")
            if not (c.readline().startswith(b"+OK 0 0") and
                    plain.readline().startswith(b"+OK 0 0")):
                raise AssertionError("sessions broken after the checks")
            c.close()
            plain.close()
            t.ok(name, "; ".join(l.split(" --")[0].strip()
                                 for l in ps.strip().split("\n")) +
                 "; pre-login chroot %s; key not in mail process" % jail)
        except Exception as e:  # noqa: BLE001
            t.fail(name, e)


class Raw:
    """A TLS POP3 connection from a chosen source address."""

    def __init__(self, lab, src):
        import socket
        raw = socket.create_connection(("127.0.0.1", lab.tls_port),
                                       timeout=60, source_address=(src, 0))
        self.s = lab.context().wrap_socket(raw, server_hostname="localhost")
        self.f = self.s.makefile("rb")
        self.line()

    def line(self):
        return self.f.readline().rstrip(b"\r\n")

    def cmd(self, text):
        self.s.sendall(text.encode() + b"\r\n")
        return self.line()

    def close(self):
        try:
            self.s.close()
        except OSError:
            pass


def penalty_lower_bound(n, base, cap, overlap=8):
    """Sum of the delays n counted failures impose on one source. The first
    attempts of a parallel burst are scheduled before any failure is known
    (up to twice max-auth-per-source of them), so they are not counted."""
    total, d = 0.0, base
    for _ in range(max(n - 1 - overlap, 0)):
        total += min(d, cap)
        d *= 2
    return total / 1000.0


def test_bruteforce(t):
    name = "bruteforce"
    base, cap = 50, 400
    with lab_with_alice() as lab:
        try:
            lab.start(["--auth-fail-delay", "0", "--penalty-base", str(base),
                       "--penalty-max", str(cap)])
            c = Raw(lab, "127.0.0.2")
            c.cmd("USER alice")
            if not c.cmd("PASS " + PW).startswith(b"+OK"):
                raise AssertionError("first login from 127.0.0.2 failed")
            c.cmd("QUIT")
            c.close()
            replies = []
            lock = threading.Lock()

            def attacker(k):
                a = Raw(lab, "127.0.0.1")
                try:
                    for i in range(10):
                        a.cmd("USER alice")
                        r = a.cmd("PASS wrong-%d-%d" % (k, i))
                        with lock:
                            replies.append(r)
                finally:
                    a.close()

            t0 = time.monotonic()
            threads = [threading.Thread(target=attacker, args=(k,))
                       for k in range(20)]
            for th in threads:
                th.start()
            time.sleep(1.0)
            t1 = time.monotonic()
            c = Raw(lab, "127.0.0.2")
            c.cmd("USER alice")
            good = c.cmd("PASS " + PW)
            owner_secs = time.monotonic() - t1
            c.cmd("QUIT")
            c.close()
            for th in threads:
                th.join(120)
            total = time.monotonic() - t0
            failed = sum(1 for r in replies if r.startswith(b"-ERR [AUTH]"))
            busy = sum(1 for r in replies if r.startswith(b"-ERR [SYS/TEMP]"))
            other = [r for r in replies if not r.startswith(b"-ERR [")]
            bound = penalty_lower_bound(failed, base, cap)
            per_min = failed / total * 60
            if len(replies) != 200 or other:
                raise AssertionError("%d replies; unexpected: %r" %
                                     (len(replies), other[:3]))
            if not good.startswith(b"+OK"):
                raise AssertionError("owner from 127.0.0.2 refused: %r" %
                                     good)
            if owner_secs > 1.0:
                raise AssertionError("owner's login took %.2fs" % owner_secs)
            if total < bound * 0.95:
                raise AssertionError("200 attempts took %.2fs, penalty "
                                     "lower bound %.2fs" % (total, bound))
            logged = len(re.findall(r"auth failed: user=\"alice\" "
                                    r"source=127\.0\.0\.1 ", lab.log()))
            if logged != failed:
                raise AssertionError("%d failures but %d log lines" %
                                     (failed, logged))
            t.ok(name, "%d checked (%d refused as parallel), %.1fs >= "
                 "penalty %.1fs: %.0f guesses/min from one source over 20 "
                 "connections (base %dms cap %dms); owner logged in in "
                 "%.3fs" % (failed, busy, total, bound, per_min, base, cap,
                            owner_secs))
        except Exception as e:  # noqa: BLE001
            t.fail(name, "%s: %s" % (type(e).__name__, e))


def test_source_limit(t):
    """Pre-login connections per source are capped with a reply that says
    why; logged-in sessions from the same address do not count."""
    name = "prelogin-source-limit"
    import socket
    with lab_with_alice() as lab:
        conns = []
        try:
            lab.start(["--max-connections-per-source", "3"])
            first = Raw(lab, "127.0.0.7")
            first.cmd("USER alice")
            if not first.cmd("PASS " + PW).startswith(b"+OK"):
                raise AssertionError("login failed")
            for _ in range(3):
                conns.append(Raw(lab, "127.0.0.7"))
            raw = socket.create_connection(("127.0.0.1", lab.port),
                                           timeout=10,
                                           source_address=("127.0.0.7", 0))
            line = raw.makefile("rb").readline()
            rest = raw.recv(100)
            raw.close()
            other = Raw(lab, "127.0.0.8")  # another source is unaffected
            other.close()
            first.close()
            want = b"-ERR [SYS/TEMP] Too many connections from your address"
            if not line.startswith(want) or rest != b"":
                raise AssertionError("4th pre-login connection got %r then "
                                     "%r" % (line, rest))
            t.ok(name, line.decode().strip())
        except Exception as e:  # noqa: BLE001
            t.fail(name, "%s: %s" % (type(e).__name__, e))
        finally:
            for c in conns:
                c.close()


def test_lockout(t):
    """Hard lockout (off by default): after N failed logins the account is
    refused, with the ordinary failure reply, until `postie user unlock`."""
    name = "hard-lockout"
    with lab_with_alice() as lab:
        try:
            lab.start(["--auth-fail-delay", "0", "--penalty-base", "0",
                       "--lockout-after", "3"])
            c = Raw(lab, "127.0.0.9")
            for i in range(3):
                c.cmd("USER alice")
                c.cmd("PASS wrong-%d" % i)
            c.cmd("USER alice")
            locked = c.cmd("PASS " + PW)
            c.close()
            r = subprocess.run([p3lab.postie_bin(), "user", "unlock",
                                "--users", str(lab.users_file), "alice"],
                               capture_output=True, text=True, timeout=30)
            c = Raw(lab, "127.0.0.9")
            c.cmd("USER alice")
            after = c.cmd("PASS " + PW)
            c.close()
            if locked != b"-ERR [AUTH] Authentication failed":
                raise AssertionError("correct password while locked: %r" %
                                     locked)
            if not lab.wait_log(r"user=\"alice\" locked after 3", 5):
                raise AssertionError("no lock line in the log")
            if r.returncode != 0 or not after.startswith(b"+OK"):
                raise AssertionError("unlock: %d %r; login after: %r" %
                                     (r.returncode, r.stderr, after))
            t.ok(name, r.stderr.strip())
        except Exception as e:  # noqa: BLE001
            t.fail(name, "%s: %s" % (type(e).__name__, e))


def test_enumeration(t):
    name = "enumeration"
    with lab_with_alice() as lab:
        try:
            lab.start(["--auth-fail-delay", "0", "--penalty-base", "0"])
            known, unknown, rk, ru = [], [], set(), set()
            for i in range(6):
                for user, times, rs in (("alice", known, rk),
                                        ("p3test-nobody", unknown, ru)):
                    c = Raw(lab, "127.0.1.%d" % (10 + i))
                    c.cmd("USER " + user)
                    t0 = time.monotonic()
                    rs.add(c.cmd("PASS not-the-password"))
                    times.append(time.monotonic() - t0)
                    c.close()
            mk, mu = statistics.median(known), statistics.median(unknown)
            if rk != ru or len(rk) != 1:
                raise AssertionError("replies differ: %r vs %r" % (rk, ru))
            if not 0.5 < mu / mk < 2.0:
                raise AssertionError("median time known %.4fs unknown "
                                     "%.4fs" % (mk, mu))
            t.ok(name, "reply %r; median %.1f ms known, %.1f ms unknown" %
                 (rk.pop(), mk * 1000, mu * 1000))
        except Exception as e:  # noqa: BLE001
            t.fail(name, e)


def test_same_password(t):
    name = "same-password-once"
    with lab_with_alice() as lab:
        try:
            lab.start(["--auth-fail-delay", "0", "--penalty-base", "10"])
            c = Raw(lab, "127.0.0.5")
            for _ in range(5):
                c.cmd("USER alice")
                c.cmd("PASS stale-saved-password")
            c.close()
            lab.wait_log(r"counted=no failures=1", 5)
            lines = re.findall(r"auth failed: .* source=127\.0\.0\.5 .*",
                               lab.log())
            counted = [l for l in lines if "counted=yes" in l]
            if len(lines) != 5 or len(counted) != 1 or \
                    not lines[-1].endswith("failures=1"):
                raise AssertionError("\n".join(lines))
            t.ok(name)
        except Exception as e:  # noqa: BLE001
            t.fail(name, e)


WORDS = ["123456", "password", "12345678", "qwerty", "abc123", "monkey",
         "letmein", "dragon", "111111", "baseball", "iloveyou", "trustno1",
         "sunshine", "master", "welcome", "shadow", "ashley", "football",
         "jesus", "michael"]


def test_attack_tools(t):
    """hydra and nmap's pop3-brute find nothing and are slowed; nmap's
    pop3-capabilities sees no USER or PLAIN before TLS."""
    missing = [x for x in ("hydra", "nmap") if not shutil.which(x)]
    if missing:
        t.fail("attack-tools", "not installed: %s (scripts/install-deps "
               "--test)" % " ".join(missing))
        return
    base, cap = 200, 1000
    with lab_with_alice() as lab:
        words = lab.dir / "words.txt"
        words.write_text("\n".join(WORDS) + "\n")
        users = lab.dir / "userlist.txt"
        users.write_text("alice\n")
        lab.start(["--auth-fail-delay", "0", "--penalty-base", str(base),
                   "--penalty-max", str(cap)])
        bound = penalty_lower_bound(len(WORDS), base, cap, overlap=4)
        t0 = time.monotonic()
        r = subprocess.run(["hydra", "-l", "alice", "-P", str(words), "-S",
                            "-s", str(lab.tls_port), "-t", "4", "-I",
                            "127.0.0.1", "pop3"], capture_output=True,
                           text=True, timeout=300)
        secs = time.monotonic() - t0
        fails = len(re.findall(r"auth failed: user=\"alice\"", lab.log()))
        out = r.stdout + r.stderr
        if "0 valid password" not in out or "login: alice" in out:
            t.fail("hydra", "hydra output:\n" + out[-1500:])
        elif secs < bound * 0.95 or fails < len(WORDS) * 0.5:
            t.fail("hydra", "%d attempts in %.1fs (penalty bound %.1fs)" %
                   (fails, secs, bound))
        else:
            t.ok("hydra", "20 words over TLS: nothing found, %d checked in "
                 "%.1fs (%.0f/min; without penalty it takes well under a "
                 "second)" % (fails, secs, fails / secs * 60))
        r = subprocess.run(["nmap", "-Pn", "-n", "-sV", "--version-light",
                            "-p", str(lab.port),
                            "--script", "pop3-capabilities,pop3-brute",
                            "--script-args", "userdb=%s,passdb=%s,"
                            "unpwdb.timelimit=120s" % (users, words),
                            "127.0.0.1"], capture_output=True, text=True,
                           timeout=300)
        caps = re.search(r"pop3-capabilities:(.*)", r.stdout)
        if r.returncode != 0 or caps is None:
            t.fail("nmap", "nmap output:\n" + r.stdout[-1500:] + r.stderr)
        elif re.search(r"\bUSER\b|PLAIN", caps.group(1)) or \
                "STLS" not in caps.group(1):
            t.fail("nmap-capabilities", "before TLS: %s" % caps.group(1))
        elif "Valid credentials" in r.stdout or "alice:" in r.stdout:
            t.fail("nmap-pop3-brute", r.stdout[-1500:])
        else:
            brute = re.search(r"pop3-brute:\s*\n?(.*)", r.stdout)
            t.ok("nmap", "capabilities before TLS:%s; pop3-brute: %s" %
                 (caps.group(1), brute.group(1).strip() if brute else "?"))


def test_valgrind(t):
    name = "valgrind"
    if not shutil.which("valgrind"):
        t.fail(name, "valgrind is not installed (scripts/install-deps "
               "--test)")
        return
    with lab_with_alice() as lab:
        for i in range(5):
            lab.add_mail("alice", b"Subject: v%d\n\n.line\nbody %d\n" % (i, i))
        vlog = lab.dir / "valgrind.%p.log"
        real = p3lab.postie_bin()
        target = real
        if b"__asan_init" in Path(real).read_bytes():
            # valgrind cannot run an ASan binary: check the plain build,
            # which `make check` runs before the sanitizer pass.
            target = str(p3lab.REPO / "build" / "postie")
            if not os.access(target, os.X_OK):
                t.fail(name, "%s is a sanitizer build and %s is missing "
                       "(run `make` first)" % (real, target))
                return
        wrapper = lab.dir / "postie-vg"
        wrapper.write_text(
            "#!/bin/sh\nexec valgrind --quiet --trace-children=yes "
            "--error-exitcode=99 --leak-check=full "
            "--errors-for-leak-kinds=definite --log-file=%s %s \"$@\"\n" %
            (vlog, target))
        wrapper.chmod(0o755)
        os.environ["POSTIE"] = str(wrapper)
        try:
            lab.start(wait=60)
            import poplib
            p = poplib.POP3("127.0.0.1", lab.port, timeout=60)
            p.stls(lab.context())
            p.user("alice")
            p.pass_(PW)
            p.capa()
            p.stat()
            p.list()
            p.uidl()
            for i in range(1, 6):
                p.retr(i)
                p.top(i, 1)
            p.dele(1)
            p.rset()
            p.quit()
            r = subprocess.run(["curl", "-s", "--cacert", lab.cert,
                                "pop3s://localhost:%d/2" % lab.tls_port,
                                "-u", "alice:" + PW, "--resolve",
                                "localhost:%d:127.0.0.1" % lab.tls_port],
                               capture_output=True, timeout=60)
            code = lab.stop(timeout=30)
            text = "".join(Path(f).read_text(errors="replace")
                           for f in lab.dir.glob("valgrind.*.log"))
            if r.returncode != 0 or b"Subject: v1" not in r.stdout:
                raise AssertionError("curl: %d %r" % (r.returncode,
                                                      r.stderr))
            if code != 0 or re.search(r"Invalid (read|write)|uninitialised|"
                                      r"definitely lost: [1-9]", text):
                raise AssertionError("exit %r, valgrind:\n%s" % (code,
                                                                 text[:3000]))
            t.ok(name, "STLS poplib session and curl pop3s clean")
        except Exception as e:  # noqa: BLE001
            t.fail(name, "%s: %s" % (type(e).__name__, e))
        finally:
            os.environ["POSTIE"] = real


def main():
    p3lab.require_binary()
    t = Tally()
    tests = [test_check_config, test_ipv6, test_sighup, test_privsep,
             test_same_password, test_source_limit, test_lockout,
             test_enumeration,
             test_bruteforce,
             test_attack_tools, test_stream, test_valgrind]
    want = sys.argv[1:]
    for fn in tests:
        if want and not any(w in fn.__name__ for w in want):
            continue
        try:
            fn(t)
        except Exception as e:  # noqa: BLE001
            t.fail(fn.__name__, "%s: %s" % (type(e).__name__, e))
    return t.summary()


if __name__ == "__main__":
    sys.exit(main())
