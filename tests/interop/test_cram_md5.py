#!/usr/bin/env python3
"""test_cram_md5.py: AUTH CRAM-MD5 (RFC 2195, RFC 5034), an explicit,
logged opt-in (`--cram-md5` with the `--apop-secrets` file), tested with
clients postie did not write.

  enabled   start-up warning in the log; offered in CAPA and AUTH only
            where PLAIN is (TLS); curl (`--login-options AUTH=CRAM-MD5`)
            logs in and lists/retrieves over implicit TLS and STLS; mpop
            (`auth cram-md5`, GNU SASL) downloads the mailbox; a wrong
            secret gives -ERR [AUTH] and exactly one "auth failed ...
            mech=CRAM-MD5" log line; unknown users, users without a secret
            and wrong secrets get the same replies (a raw client with
            Python's hmac); the brute-force delay applies to CRAM-MD5
            responses; no secret or response reaches the log.
  disabled  (the default) no warning, not in CAPA or AUTH, AUTH CRAM-MD5
            refused, curl cannot log in with it.
  config    --cram-md5 without --apop-secrets: a start-up error naming the
            key (exit 2).

The binary is $POSTIE (default ./postie). Prints PASS/FAIL per test and
"N passed, N failed".
"""

import base64
import hmac
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import p3lab  # noqa: E402
from p3lab import check  # noqa: E402

SECRET = "Cram-Secret-4711"
T = p3lab.Tally()
WARNING = "CRAM-MD5 is on: it uses MD5 and plaintext-equivalent secrets"
FAILED = "-ERR [AUTH] Authentication failed"
LOGIN_LINE = (r'login: user="alice" source=127\.0\.0\.1 mech=CRAM-MD5 '
              r'tls=yes')


def make_lab(prefix, enabled, extra=()):
    """alice (secret, 3 messages), bob (a secret, no mail), carol (in the
    users file, no secret); ghost has a secret but no account."""
    lab = p3lab.Lab(prefix=prefix)
    for u in ("alice", "bob", "carol"):
        lab.add_user(u, "Pass-" + u + "-12345")
    for i in range(3):
        lab.add_mail("alice", b"From: a@example.org\r\nSubject: m%d\r\n\r\n"
                     b"body %d\r\n" % (i, i))
    secrets = lab.private_file(
        "secrets", "# user:secret\nghost:%s\nalice:%s\nbob:%s\n" %
        (SECRET, SECRET, SECRET + "-bob"))
    flags = ["--apop-secrets", str(secrets), "--log-level", "info"]
    if enabled:
        flags.append("--cram-md5")
    try:
        lab.start(flags + list(extra))
    except BaseException:
        lab.cleanup()
        raise
    return lab


# --- a raw client (Python's hmac) -------------------------------------------

def capa(conn):
    conn.send(b"CAPA\r\n")
    lines = [conn.readline()]
    while lines[-1] != b".\r\n":
        lines.append(conn.readline())
    return b"".join(lines).decode()


def connect(lab, tls=True):
    conn = p3lab.Conn(p3lab.HOST, lab.tls_port if tls else lab.port,
                      lab.context() if tls else None)
    check(conn.readline().startswith(b"+OK"), "no greeting")
    return conn


def cram_login(lab, user, secret):
    """AUTH CRAM-MD5 over TLS; returns the reply to the response."""
    conn = connect(lab)
    try:
        conn.send(b"AUTH CRAM-MD5\r\n")
        line = conn.readline().decode().rstrip("\r\n")
        check(line.startswith("+ "), "AUTH CRAM-MD5: %r" % line)
        challenge = base64.b64decode(line[2:], validate=True)
        check(re.fullmatch(rb"<[\x21-\x7e]+>", challenge),
              "challenge %r" % challenge)
        digest = hmac.new(secret.encode(), challenge, "md5").hexdigest()
        conn.send(base64.b64encode(("%s %s" % (user, digest)).encode()) +
                  b"\r\n")
        return conn.readline().decode().rstrip("\r\n")
    finally:
        conn.close()


# --- real clients -----------------------------------------------------------

def curl(lab, user, secret, url, *args):
    r = subprocess.run(
        ["curl", "-v", "-sS", "--max-time", "30", "--cacert", lab.cert,
         "-u", "%s:%s" % (user, secret), "--login-options", "AUTH=CRAM-MD5",
         url] + list(args), capture_output=True, timeout=60)
    return r.returncode, r.stdout, r.stderr.decode(errors="replace")


def t_warning(lab):
    line = lab.wait_log(re.escape(WARNING) + r" \(.*/secrets\)")
    check(line is not None and "warning" in line,
          "no start-up warning:\n%s" % lab.log()[-1500:])
    return line.split("postie: ", 1)[-1]


def t_offer(lab):
    conn = connect(lab, tls=False)
    try:
        text = capa(conn)
        check("CRAM-MD5" not in text, "offered without TLS:\n%s" % text)
        conn.send(b"AUTH CRAM-MD5\r\n")
        line = conn.readline().decode()
        check(line.startswith("-ERR [AUTH] Authentication disallowed "
                              "without TLS"), "without TLS: %r" % line)
    finally:
        conn.close()
    conn = connect(lab)
    try:
        text = capa(conn)
        check("SASL SCRAM-SHA-256-PLUS SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5\r\n"
              in text, "CAPA over TLS:\n%s" % text)
        conn.send(b"AUTH CRAM-MD5 YWxpY2U=\r\n")
        line = conn.readline().decode()
        check(line == "-ERR CRAM-MD5 takes no initial response\r\n",
              "initial response: %r" % line)
    finally:
        conn.close()
    return "TLS only; no initial response"


def t_curl_login(lab, url, tls_args, label):
    n = len(lab.msgs["alice"])
    code, out, err = curl(lab, "alice", SECRET, url + "/", *tls_args)
    check(code == 0, "curl exited %d:\n%s" % (code, err[-1500:]))
    check("> AUTH CRAM-MD5" in err, "curl did not use CRAM-MD5:\n%s" % err)
    listing = out.decode().split()
    check(len(listing) == 2 * n and listing[0::2] ==
          [str(i) for i in range(1, n + 1)], "LIST: %r" % out)
    code, out, err = curl(lab, "alice", SECRET, url + "/2", *tls_args)
    check(code == 0, "curl RETR exited %d:\n%s" % (code, err[-1500:]))
    check(out == p3lab.wire_form(lab.msgs["alice"][1][1]),
          "RETR 2 gave %s" % p3lab.show(out))
    check(lab.wait_log(LOGIN_LINE), "no CRAM-MD5 login line in the log")
    return "%s: LIST %d, RETR 2" % (label, n)


def t_mpop(lab):
    before = len(re.findall(LOGIN_LINE, lab.log()))
    home = lab.dir / "mpop"
    out = p3lab.make_maildir(home / "Maildir")
    rc = home / "mpoprc"
    rc.write_text(
        "defaults\naccount lab\nhost localhost\nport %d\ntimeout 30\n"
        "user alice\npassword %s\nauth cram-md5\ntls on\n"
        "tls_starttls off\ntls_trust_file %s\ndelivery maildir %s\n"
        "uidls_file %s\nkeep on\nreceived_header off\n" %
        (lab.tls_port, SECRET, lab.cert, out, home / "uidls"))
    rc.chmod(0o600)
    r = subprocess.run(["mpop", "-C", str(rc), "-q", "lab"],
                       capture_output=True, timeout=120,
                       env=dict(os.environ, HOME=str(home)))
    check(r.returncode == 0, "mpop exited %d: %s" %
          (r.returncode, (r.stdout + r.stderr).decode(errors="replace")))
    got = sorted(p3lab.normalise_eol(f.read_bytes())
                 for d in ("new", "cur") for f in (out / d).iterdir())
    want = sorted(p3lab.normalise_eol(m) for _, m in lab.msgs["alice"])
    check(got == want, "mpop downloaded %d messages, want %d" %
          (len(got), len(want)))
    time.sleep(0.3)
    check(len(re.findall(LOGIN_LINE, lab.log())) == before + 1,
          "no new CRAM-MD5 login line for mpop")
    return "%d messages" % len(got)


FAIL_LINE = (r'auth failed: user="%s" source=127\.0\.0\.1 mech=CRAM-MD5 '
             r'tls=yes counted=yes failures=\d+')


def t_curl_wrong(lab):
    before = len(re.findall(FAIL_LINE % "alice", lab.log()))
    code, out, err = curl(lab, "alice", SECRET + "x",
                          "pop3s://localhost:%d/" % lab.tls_port)
    check(code == 67, "curl exit %d (want 67, login denied):\n%s" %
          (code, err[-1500:]))
    check("< " + FAILED in err, "server reply:\n%s" % err[-1500:])
    time.sleep(0.3)
    lines = re.findall(FAIL_LINE % "alice", lab.log())
    check(len(lines) == before + 1, "%d new failure lines (want 1):\n%s" %
          (len(lines) - before, lab.log()[-1500:]))
    return "curl 67; one log line"


def t_same_replies(lab):
    """Wrong secret, unknown user, user without a secret, secret without a
    user, another user's secret: one reply, and each logs its failure."""
    cases = [("alice", SECRET + "x"), ("nobody", SECRET),
             ("carol", "postie-apop-dummy-secret"), ("ghost", SECRET),
             ("bob", SECRET)]
    seen = {c: cram_login(lab, *c) for c in cases}
    check(all(v == FAILED for v in seen.values()), "replies: %r" % seen)
    for user, _ in cases:
        check(lab.wait_log(FAIL_LINE % user), "no failure line for %s" % user)
    check(cram_login(lab, "bob", SECRET + "-bob").startswith(
        "+OK Logged in, 0 messages"), "bob with his own secret")
    return "identical: %s" % FAILED


def t_log_clean(lab):
    text = lab.log()
    check(SECRET not in text, "a secret is in the server log")
    check(not re.search(r"[A-Za-z0-9+/]{40,}={0,2}", text),
          "something base64-like (a SASL message?) is in the log")
    check(not re.search(r"\b[0-9a-f]{32}\b", text),
          "something like a CRAM-MD5 digest is in the log")
    return "%d log lines" % len(text.splitlines())


def t_stop(lab):
    code = lab.stop()
    san = lab.sanitizer_report()
    check(code == 0 and not san, "exit %r %s" % (code, san))
    return "exit 0"


def t_penalty():
    """The brute-force delay applies to CRAM-MD5 responses as to
    passwords and SCRAM proofs (the response is checked after it)."""
    lab = make_lab("p3cram-pen-", True, ["--penalty-base", "400",
                                         "--auth-fail-delay", "0"])
    try:
        times = []
        for _ in range(4):
            t0 = time.monotonic()
            reply = cram_login(lab, "alice", "wrong-" + SECRET)
            times.append(time.monotonic() - t0)
            check(reply == FAILED, "reply %r" % reply)
        check(times[0] < 0.35, "first failure took %.2fs" % times[0])
        check(times[3] >= 0.8, "fourth attempt after three failures took "
              "only %.2fs" % times[3])
        fails = re.findall(r"auth failed: .*mech=CRAM-MD5 .*failures=(\d+)",
                           lab.log())
        check(fails == ["1", "2", "3", "4"], "failure counts: %s" % fails)
        t_stop(lab)
        return "times %s" % " ".join("%.2f" % t for t in times)
    finally:
        lab.cleanup()


def t_disabled():
    lab = make_lab("p3cram-off-", False)
    try:
        conn = connect(lab)
        try:
            text = capa(conn)
            check("SASL" in text and "CRAM-MD5" not in text,
                  "CAPA:\n%s" % text)
            conn.send(b"AUTH\r\n")
            listed = [conn.readline()]
            while listed[-1] != b".\r\n":
                listed.append(conn.readline())
            check(b"CRAM-MD5\r\n" not in listed, "AUTH lists %r" % listed)
            conn.send(b"AUTH CRAM-MD5\r\n")
            line = conn.readline().decode()
            check(line == "-ERR Unsupported authentication mechanism\r\n",
                  "AUTH CRAM-MD5: %r" % line)
        finally:
            conn.close()
        code, _, err = curl(lab, "alice", SECRET,
                            "pop3s://localhost:%d/" % lab.tls_port)
        check(code != 0 and "> AUTH CRAM-MD5" not in err,
              "curl exit %d:\n%s" % (code, err[-1000:]))
        check(WARNING not in lab.log(), "warning without --cram-md5")
        t_stop(lab)
        return "not offered, refused; curl exit %d" % code
    finally:
        lab.cleanup()


def t_config_error():
    lab = p3lab.Lab(prefix="p3cram-conf-")
    try:
        lab.port = lab.tls_port = p3lab.free_port()
        r = subprocess.run(lab.command(["--cram-md5", "--check-config"]),
                           capture_output=True, timeout=30)
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 2 and
              "postie: config: cram-md5: needs apop-secrets" in err,
              "exit %d: %s" % (r.returncode, err))
        return err.strip()
    finally:
        lab.cleanup()


def main():
    p3lab.require_binary()
    for tool in ("curl", "mpop"):
        if not shutil.which(tool):
            T.fail("setup", "%s is not installed (scripts/install-deps "
                   "--test)" % tool)
            return T.summary()
    lab = None
    try:
        lab = make_lab("p3cram-", True, ["--penalty-base", "0"])
        T.run("startup-warning", t_warning, lab)
        T.run("offered-with-tls-only", t_offer, lab)
        T.run("curl-pop3s", t_curl_login, lab,
              "pop3s://localhost:%d" % lab.tls_port, [], "implicit TLS")
        T.run("curl-stls", t_curl_login, lab,
              "pop3://localhost:%d" % lab.port, ["--ssl-reqd"], "STLS")
        T.run("mpop-cram-md5", t_mpop, lab)
        T.run("curl-wrong-secret", t_curl_wrong, lab)
        T.run("same-replies", t_same_replies, lab)
        T.run("log-has-no-secrets", t_log_clean, lab)
        T.run("server-exit", t_stop, lab)
    except p3lab.ServerError as e:
        T.fail("start", e)
    finally:
        if lab is not None:
            lab.cleanup()
    T.run("penalty-applies", t_penalty)
    T.run("disabled-by-default", t_disabled)
    T.run("config-needs-secrets", t_config_error)
    return T.summary()


if __name__ == "__main__":
    sys.exit(main())
