#!/usr/bin/env python3
"""test_serve_cli.py: `postie serve` configuration and process behaviour.

  config-file        a "key = value" file alone configures a working server
  flags-override     a flag beats the same key in the file
  check-config-ok    --check-config exits 0 on a valid configuration
  check-config-bad   errors print "postie: config: FILE:LINE: key: reason"
                     and exit 2 (unknown key, bad value, bad listen address)
  ipv6-listener      --listen [::1]:PORT serves POP3 over IPv6 loopback
  many-sessions      30 concurrent TLS sessions of different users from
                     30 loopback addresses, all answered correctly
  maildir-template   --maildir mail/%d/%n/Maildir (relative) for user bob@example.org
  sigterm-exit       SIGTERM after a session: exit status 0, no sanitizer
                     report and no "error:" line in the log

The binary is $POSTIE (default ./postie). Prints PASS/FAIL per test and
"N passed, N failed".
"""

import concurrent.futures
import poplib
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import p3lab  # noqa: E402

T = p3lab.Tally()
PW = "cli-pass-8M"


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def run(name, fn, *args):
    try:
        detail = fn(*args)
        T.ok(name, detail or "")
    except Fail as e:
        T.fail(name, e)
    except Exception as e:  # noqa: BLE001
        T.fail(name, "%s: %s" % (type(e).__name__, e))


def login_stat(lab, port=None, tls=True):
    ctx = lab.context()
    if tls:
        p = poplib.POP3_SSL("localhost", port or lab.tls_port, context=ctx,
                            timeout=20)
    else:
        p = poplib.POP3("localhost", port, timeout=20)
        p.stls(ctx)
    try:
        p.user("alice")
        p.pass_(PW)
        return p.stat()
    finally:
        try:
            p.quit()
        except (poplib.error_proto, OSError):
            pass
        p.close()


def write_config(lab, extra=""):
    lab.port = p3lab.free_port()
    lab.tls_port = p3lab.free_port()
    conf = lab.dir / "postie.conf"
    conf.write_text(
        "# postie test configuration\n"
        "listen = 127.0.0.1:%d\n"
        "listen-tls = 127.0.0.1:%d\n"
        "cert = %s\nkey = %s\n"
        "users = %s\n"
        "maildir = %s\n"
        "allow-plaintext-auth = no\n"
        "%s" % (lab.port, lab.tls_port, lab.cert, lab.key, lab.users_file,
                lab.dir / "mail" / "%u" / "Maildir", extra))
    return conf


def start_raw(lab, argv):
    """Start postie with exactly argv; wait until the TLS port answers."""
    lab.fix_owner()
    logf = open(lab.log_path, "ab")
    lab._logf = logf
    lab.proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=logf,
                                stderr=subprocess.STDOUT, cwd=str(lab.dir))
    lab._wait_ready(10.0)


def t_config_file(lab):
    conf = write_config(lab)
    start_raw(lab, [p3lab.postie_bin(), "serve", "--config", str(conf)])
    try:
        n, size = login_stat(lab)
        want = (1, len(lab.msgs["alice"][0][1]))
        check((n, size) == want, "STAT %r, want %r" % ((n, size), want))
        n, _ = login_stat(lab, lab.port, tls=False)
        check(n == 1, "STLS login on the plain listener")
    finally:
        check(lab.stop() == 0, "exit status after SIGTERM")


def t_flags_override(lab):
    conf = write_config(lab, "expire = 30\n")
    start_raw(lab, [p3lab.postie_bin(), "serve", "--config", str(conf),
                    "--expire", "never"])
    try:
        p = poplib.POP3_SSL("localhost", lab.tls_port, context=lab.context(),
                            timeout=20)
        caps = p.capa()
        p.quit()
        check(caps.get("EXPIRE") == ["NEVER"], "CAPA EXPIRE %r, want NEVER "
              "(flag beats file)" % caps.get("EXPIRE"))
    finally:
        check(lab.stop() == 0, "exit status after SIGTERM")


def check_config(lab, conf, *flags):
    r = subprocess.run([p3lab.postie_bin(), "serve", "--config", str(conf),
                        "--check-config"] + list(flags),
                       capture_output=True, timeout=30)
    return r.returncode, (r.stdout + r.stderr).decode(errors="replace")


def t_check_config_ok(lab):
    conf = write_config(lab)
    code, out = check_config(lab, conf)
    check(code == 0, "exit %d: %s" % (code, out))
    # Nothing may be left listening: --check-config does not serve.
    for port in (lab.port, lab.tls_port):
        s = socket.socket()
        s.settimeout(1)
        try:
            busy = s.connect_ex(("127.0.0.1", port)) == 0
        finally:
            s.close()
        check(not busy, "port %d is listening after --check-config" % port)


def t_check_config_bad(lab):
    cases = [
        ("no-such-key = 1\n", "no-such-key"),
        ("max-bad-commands = many\n", "max-bad-commands"),
        ("idle-timeout = 5\n", "idle-timeout"),
        ("listen-tls = 127.0.0.1:99999\n", "listen-tls"),
        ("allow-plaintext-auth = perhaps\n", "allow-plaintext-auth"),
    ]
    problems = []
    for line, key in cases:
        conf = write_config(lab, line)
        lineno = len(conf.read_text().splitlines())
        code, out = check_config(lab, conf)
        want = re.compile(r"^postie: config: %s:%d: %s: \S.*$" % (
            re.escape(str(conf)), lineno, re.escape(key)), re.M)
        if code != 2 or not want.search(out):
            problems.append("%r: exit %d, output %r" % (line.strip(), code,
                                                         out.strip()[:300]))
    check(not problems, "\n".join(problems))
    return "%d bad configurations rejected" % len(cases)


def t_ipv6(lab):
    try:
        s = socket.socket(socket.AF_INET6)
        s.bind(("::1", 0))
        s.close()
    except OSError as e:
        raise Fail("no IPv6 loopback on this host: %s" % e)
    p6 = p3lab.free_port("::1")
    lab.start(["--listen", "[::1]:%d" % p6])
    try:
        with socket.create_connection(("::1", p6), timeout=10) as s:
            f = s.makefile("rb")
            check(f.readline() == b"+OK POP3 server ready\r\n", "greeting")
            s.sendall(b"CAPA\r\n")
            lines = []
            for _ in range(20):
                line = f.readline()
                lines.append(line)
                if line == b".\r\n":
                    break
            check(b"STLS\r\n" in lines, "CAPA over IPv6: %r" % lines)
            s.sendall(b"QUIT\r\n")
            check(f.readline() == b"+OK Bye\r\n", "QUIT")
        line = lab.wait_log(r"session end: user=- peer=\[?::1\]?[:.]\d+", 5)
        check(line is not None, "no session-end log line with peer ::1")
    finally:
        check(lab.stop() == 0, "exit status after SIGTERM")


class SourcePOP3_SSL(poplib.POP3_SSL):
    """POP3_SSL from a chosen loopback source address (127.0.0.x), so that
    concurrent sessions are not all one client address (postie limits
    parallel authentications per source)."""

    def __init__(self, source, *args, **kw):
        self._source = source
        super().__init__(*args, **kw)

    def _create_socket(self, timeout):
        sock = socket.create_connection((self.host, self.port), timeout,
                                        source_address=(self._source, 0))
        return self.context.wrap_socket(sock, server_hostname=self.host)


def t_many_sessions(lab, count=30):
    lab.start([])
    try:
        def one(i):
            user = "u%02d" % i
            p = SourcePOP3_SSL("127.0.0.%d" % (i + 2), "localhost",
                               lab.tls_port, context=lab.context(),
                               timeout=30)
            try:
                p.user(user)
                p.pass_(PW)
                n, _ = p.stat()
                _, lines, _ = p.retr(1)
                want = b"Subject: for %s" % user.encode()
                ok = n == 1 and want in lines
                time.sleep(0.2)  # overlap the sessions
                return ok, p.quit()
            finally:
                p.close()
        with concurrent.futures.ThreadPoolExecutor(max_workers=count) as ex:
            res = list(ex.map(one, range(count)))
        bad = [i for i, (ok, q) in enumerate(res)
               if not ok or q != b"+OK Bye, 0 messages deleted"]
        check(not bad, "sessions with wrong answers: %s" % bad)
    finally:
        check(lab.stop() == 0, "exit status after SIGTERM")
    return "%d concurrent sessions" % count


def t_maildir_template(lab):
    """--maildir with %d and %n, relative to the server's working
    directory (the pre-login process is chrooted, so the server makes it
    absolute at start-up): user bob@example.org reads
    mail/example.org/bob/Maildir; a user without a domain gets no
    mailbox through that template."""
    user = "bob@example.org"
    p3lab.add_user(lab.users_file, user, PW)
    md = p3lab.make_maildir(lab.dir / "mail" / "example.org" / "bob" /
                            "Maildir")
    data = b"From: x@example.org\r\nSubject: templated\r\n\r\nhi\r\n"
    (md / "new" / "1700000000.M1P1.lab").write_bytes(data)
    lab.port = p3lab.free_port()
    lab.tls_port = p3lab.free_port()
    argv = lab.command([])
    i = argv.index("--maildir")
    argv[i + 1] = "mail/%d/%n/Maildir"  # the lab starts us in lab.dir
    start_raw(lab, argv)
    try:
        p = poplib.POP3_SSL("localhost", lab.tls_port, context=lab.context(),
                            timeout=20)
        try:
            p.user(user)
            p.pass_(PW)
            check(p.stat() == (1, len(data)), "STAT %r" % (p.stat(),))
            _, lines, _ = p.retr(1)
            check(b"Subject: templated" in lines, "RETR %r" % lines[:3])
            p.quit()
        finally:
            p.close()
    finally:
        check(lab.stop() == 0, "exit status after SIGTERM")


def t_sigterm(lab):
    lab.start([])
    login_stat(lab)
    code = lab.stop()
    check(code == 0, "exit status %r after SIGTERM" % code)
    san = lab.sanitizer_report()
    check(not san, "sanitizer report:\n" + san)
    # A clean shutdown is not an error: operators alert on error lines.
    errors = [l for l in lab.log().splitlines() if " error: " in l]
    check(not errors, "error lines logged by a clean shutdown:\n  " +
          "\n  ".join(errors))


def fresh_lab(users=("alice",)):
    lab = p3lab.Lab(prefix="p3cli-")
    for u in users:
        lab.add_user(u, PW)
        lab.add_mail(u, b"From: x@example.org\r\nSubject: for %s\r\n\r\n"
                     b"hello\r\n" % u.encode())
    return lab


def main():
    p3lab.require_binary()
    print("test_serve_cli: server %s" % p3lab.postie_bin(), flush=True)
    tests = [
        ("config-file", t_config_file, ()),
        ("flags-override", t_flags_override, ()),
        ("check-config-ok", t_check_config_ok, ()),
        ("check-config-bad", t_check_config_bad, ()),
        ("ipv6-listener", t_ipv6, ()),
        ("many-sessions", t_many_sessions,
         tuple("u%02d" % i for i in range(30))),
        ("maildir-template", t_maildir_template, ()),
        ("sigterm-exit", t_sigterm, ()),
    ]
    for name, fn, users in tests:
        lab = fresh_lab(users or ("alice",))
        try:
            run(name, fn, lab)
            san = lab.sanitizer_report()
            if san:
                T.fail(name + "-sanitizer", san)
        finally:
            lab.cleanup()
    return T.summary()


if __name__ == "__main__":
    sys.exit(main())
