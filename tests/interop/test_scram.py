#!/usr/bin/env python3
"""test_scram.py: SCRAM-SHA-256 and SCRAM-SHA-256-PLUS logins to
`postie serve` from clients postie did not write.

  mpop      (GNU SASL) `auth scram-sha-256` over implicit TLS and STLS:
            logs in and downloads every message; a wrong password and a
            user without SCRAM keys fail; PLAIN still works for the latter.
  -PLUS     tests/interop/scram_client.c, built here with cc: GNU SASL's
            SCRAM client with OpenSSL's RFC 9266 tls-exporter binding
            (mpop cannot do -PLUS). Logs in over TLS 1.3 (implicit and
            STLS); a wrong binding (a man in the middle) and a wrong
            password fail; over TLS 1.2 -PLUS is not offered and refused,
            plain SCRAM works.
  server    unknown users get the same replies as wrong passwords; the
            failure log line and brute-force delay apply to SCRAM; no
            password or SASL message reaches the log.

Users are made with `postie user add` (which writes the keys). The binary
is $POSTIE (default ./postie). Prints PASS/FAIL per test and
"N passed, N failed".
"""

import json
import os
import poplib
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import p3lab  # noqa: E402

PW = "Scram-Pass-4711"
T = p3lab.Tally()
HERE = Path(__file__).resolve().parent


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def run(name, fn, *args):
    t0 = time.monotonic()
    try:
        detail = fn(*args)
        T.ok(name, ("%.1fs" % (time.monotonic() - t0)) +
             ("; " + detail if detail else ""))
    except Fail as e:
        T.fail(name, e)
    except Exception as e:  # noqa: BLE001 - report, do not stop the run
        T.fail(name, "%s: %s" % (type(e).__name__, e))


def add_user(lab, name, password, *flags):
    """`postie user add` (with SCRAM keys unless --no-scram)."""
    r = subprocess.run(
        [p3lab.postie_bin(), "user", "add", "--users", str(lab.users_file),
         "--password-stdin", "--force"] + list(flags) + [name],
        input=(password + "\n").encode(), capture_output=True, timeout=60)
    check(r.returncode == 0, "postie user add %s: %s" % (name, r.stderr))
    lab.users[name] = password
    p3lab.make_maildir(lab.maildir(name))


def line_of(lab, name):
    for line in lab.users_file.read_text().splitlines():
        if line.startswith(name + ":"):
            return line
    return ""


# --- mpop -------------------------------------------------------------------

def mpop(lab, user, password, mode, auth="scram-sha-256"):
    home = lab.dir / ("mpop-%s-%s-%s" % (user, mode, auth))
    shutil.rmtree(home, ignore_errors=True)
    out = p3lab.make_maildir(home / "Maildir")
    rc = home / "mpoprc"
    port = lab.tls_port if mode == "tls" else lab.port
    rc.write_text(
        "defaults\naccount lab\nhost localhost\nport %d\ntimeout 30\n"
        "user %s\npassword %s\nauth %s\n"
        "tls on\ntls_starttls %s\ntls_trust_file %s\n"
        "delivery maildir %s\nuidls_file %s\nkeep on\n"
        "received_header off\n" %
        (port, user, password, auth, "on" if mode == "stls" else "off",
         lab.cert, out, home / "uidls"))
    os.chmod(rc, 0o600)
    r = subprocess.run(["mpop", "-C", str(rc), "-q", "lab"],
                       capture_output=True, env=dict(os.environ,
                                                     HOME=str(home)),
                       timeout=120)
    files = sorted(f for d in ("new", "cur") for f in (out / d).iterdir())
    return r.returncode, (r.stdout + r.stderr).decode(errors="replace"), \
        [f.read_bytes() for f in files]


def t_mpop_login(lab, user, mode):
    code, log, got = mpop(lab, user, PW, mode)
    check(code == 0, "mpop exited %d:\n%s" % (code, log[-2000:]))
    want = sorted(p3lab.normalise_eol(m) for _, m in lab.msgs[user])
    have = sorted(p3lab.normalise_eol(m) for m in got)
    check(have == want, "downloaded %d messages, want %d (or they differ)"
          % (len(have), len(want)))
    line = lab.wait_log(r'login: user="%s" source=127\.0\.0\.1 '
                        r'mech=SCRAM-SHA-256 tls=yes' % user)
    check(line is not None, "no SCRAM login line in the server log")
    return "%d messages" % len(got)


def t_fetch_plus(lab, user):
    """postie's own retriever against postie serve over TLS 1.3: it must
    pick SCRAM-SHA-256-PLUS with tls-exporter channel binding."""
    pw = lab.dir / ("pw-" + user)
    pw.write_text(PW + "\n")
    os.chmod(pw, 0o600)
    out = lab.dir / ("got-" + user)
    env = dict(os.environ, XDG_STATE_HOME=str(lab.dir / "state-fetch"))
    r = subprocess.run([p3lab.postie_bin(), "fetch",
                        "pop3s://%s@localhost:%d" % (user, lab.tls_port),
                        "--maildir", str(out), "--password-file", str(pw),
                        "--ca", lab.cert, "--json"], capture_output=True,
                       timeout=60, env=env, stdin=subprocess.DEVNULL)
    check(r.returncode == 0, "postie fetch exited %d: %r" % (r.returncode,
                                                          r.stderr[-800:]))
    summ = json.loads(r.stdout)["accounts"][0]
    check(summ["mechanism"] == "SCRAM-SHA-256-PLUS" and
          summ["tls"] == "TLSv1.3" and summ["fetched"] == 3, "%r" % summ)
    line = lab.wait_log(r'login: user="%s" source=127\.0\.0\.1 '
                        r'mech=SCRAM-SHA-256-PLUS tls=yes' % user)
    check(line is not None, "no SCRAM-SHA-256-PLUS login in the server log")
    return "3 messages over TLS 1.3 with tls-exporter binding"


def t_mpop_wrong(lab, user):
    code, log, got = mpop(lab, user, PW + "x", "tls")
    check(code != 0 and not got, "mpop with a wrong password: exit %d, "
          "%d messages" % (code, len(got)))
    check("authentication failed" in log, "mpop said: %s" % log[-500:])
    line = lab.wait_log(r'auth failed: user="%s" source=127\.0\.0\.1 '
                        r'mech=SCRAM-SHA-256 tls=yes counted=yes' % user)
    check(line is not None, "no failure line for SCRAM in the log")
    return "refused; " + line.split("postie: ", 1)[-1]


def t_mpop_nokeys(lab, user):
    check("scram-sha-256=" not in line_of(lab, user), "keys were written")
    code, log, _ = mpop(lab, user, PW, "tls")
    check(code != 0, "a user without SCRAM keys logged in with SCRAM")
    code, log, got = mpop(lab, user, PW, "tls", auth="plain")
    check(code == 0 and len(got) == len(lab.msgs[user]),
          "PLAIN for the same user: exit %d\n%s" % (code, log[-1000:]))
    return "SCRAM refused, PLAIN works"


# --- the -PLUS client -------------------------------------------------------

def build_client(lab):
    out = lab.dir / "scram_client"
    flags = subprocess.run(["pkg-config", "--cflags", "--libs", "openssl",
                            "libgsasl"], capture_output=True, text=True)
    check(flags.returncode == 0, "pkg-config: %s" % flags.stderr)
    r = subprocess.run([os.environ.get("CC", "cc"), "-std=c11",
                        "-D_GNU_SOURCE", "-Wall", "-o", str(out),
                        str(HERE / "scram_client.c")] + flags.stdout.split(),
                       capture_output=True, text=True, timeout=120)
    check(r.returncode == 0, "building scram_client: %s" % r.stderr)
    return out


def client(lab, exe, mode, tls, mech, user, password, *cmds):
    port = lab.tls_port if mode == "tls" else lab.port
    r = subprocess.run([str(exe), p3lab.HOST, str(port), lab.cert, mode, tls,
                        mech, user] + list(cmds),
                       input=(password + "\n").encode(), capture_output=True,
                       timeout=60)
    return r.returncode, r.stdout.decode(errors="replace") + \
        r.stderr.decode(errors="replace")


def t_plus_login(lab, exe, user, mode):
    code, out = client(lab, exe, mode, "1.3", "SCRAM-SHA-256-PLUS", user,
                       PW, "STAT", "QUIT")
    check(code == 0, "exit %d:\n%s" % (code, out))
    check("-- TLSv1.3" in out, "not TLS 1.3:\n%s" % out)
    check("SASL SCRAM-SHA-256-PLUS SCRAM-SHA-256 PLAIN LOGIN" in out,
          "CAPA:\n%s" % out)
    n = len(lab.msgs[user])
    check(re.search(r"S: \+OK %d \d+" % n, out), "STAT:\n%s" % out)
    check(lab.wait_log(r'login: user="%s" .*mech=SCRAM-SHA-256-PLUS' % user),
          "no -PLUS login in the log")
    return "logged in, STAT %d" % n


def t_plus_refused(lab, exe, user, mech, password):
    code, out = client(lab, exe, "tls", "1.3", mech, user, password)
    check(code == 1, "exit %d (want 1):\n%s" % (code, out))
    check("S: -ERR [AUTH] Authentication failed" in out, out)
    return "refused"


def t_tls12(lab, exe, user):
    code, out = client(lab, exe, "tls", "1.2", "SCRAM-SHA-256-PLUS", user,
                       PW)
    check("-- TLSv1.2" in out, "not TLS 1.2:\n%s" % out)
    check("SASL SCRAM-SHA-256 PLAIN LOGIN" in out and
          "SCRAM-SHA-256-PLUS" not in out.split("C: AUTH")[0],
          "-PLUS offered on TLS 1.2:\n%s" % out)
    check(code == 1 and "S: -ERR SCRAM-SHA-256-PLUS needs TLS 1.3" in out,
          "-PLUS over TLS 1.2: exit %d\n%s" % (code, out))
    code, out = client(lab, exe, "tls", "1.2", "SCRAM-SHA-256", user, PW,
                       "QUIT")
    check(code == 0, "SCRAM-SHA-256 over TLS 1.2: exit %d\n%s" % (code, out))
    return "-PLUS not offered, SCRAM-SHA-256 works"


def t_enumeration(lab, exe, user):
    """Unknown users, users without keys and wrong passwords: the same
    replies. (Their timing is the same by construction: every exchange
    runs to the proof with keys of the same form.)"""
    seen = {}
    for who, pw in ((user, PW + "x"), ("nosuchuser", PW),
                    ("nokeys", PW)):
        code, out = client(lab, exe, "tls", "1.3", "SCRAM-SHA-256", who, pw)
        replies = [l for l in out.splitlines() if l.startswith("S: ")
                   and not l.startswith("S: + ")][-1:]
        seen[who] = (code, replies)
    vals = list(seen.values())
    check(all(v == vals[0] for v in vals), "replies differ: %r" % seen)
    check(vals[0][0] == 1, "not refused: %r" % seen)
    return "identical: %s" % vals[0][1]


def t_log_clean(lab):
    text = lab.log()
    for secret in (PW, PW + "x"):
        check(secret not in text, "a password is in the server log")
    check(not re.search(r"[A-Za-z0-9+/]{40,}={0,2}", text),
          "something base64-like (a SASL message?) is in the log")
    return "%d log lines" % len(text.splitlines())


def t_penalty(exe):
    """The brute-force delay applies to SCRAM proofs like to passwords."""
    with p3lab.Lab(prefix="p3scram-pen-") as lab:
        add_user(lab, "victim", PW)
        lab.start(["--penalty-base", "400", "--auth-fail-delay", "0"])
        times = []
        for _ in range(4):
            t0 = time.monotonic()
            code, out = client(lab, exe, "tls", "1.3", "SCRAM-SHA-256",
                               "victim", "wrong-" + PW)
            times.append(time.monotonic() - t0)
            check(code == 1, "exit %d:\n%s" % (code, out))
        check(times[0] < 0.35, "first failure took %.2fs" % times[0])
        check(times[3] >= 0.8, "fourth attempt after three failures took "
              "only %.2fs" % times[3])
        fails = re.findall(r"auth failed: .*mech=SCRAM-SHA-256 .*"
                           r"failures=(\d+)", lab.log())
        check(fails[-1:] == ["4"], "failure counts in the log: %s" % fails)
        check(lab.stop() == 0, "server exit")
        return "times %s" % " ".join("%.2f" % t for t in times)


def main():
    p3lab.require_binary()
    for tool in ("mpop", "cc", "pkg-config"):
        if not shutil.which(tool):
            T.fail("setup", "%s is not installed (scripts/install-deps "
                   "--test)" % tool)
            return T.summary()
    lab = p3lab.Lab(prefix="p3scram-")
    try:
        users = ["mt", "ms", "plus", "pstls", "wrong", "t12", "fetchplus"]
        for u in users:
            add_user(lab, u, PW)
            for i in range(3):
                lab.add_mail(u, b"From: a@example.org\r\nSubject: m%d\r\n"
                             b"\r\nbody %d of %s\n" % (i, i, u.encode()))
        add_user(lab, "nokeys", PW, "--no-scram")
        lab.add_mail("nokeys", b"Subject: x\r\n\r\ny\r\n")
        exe = None
        try:
            exe = build_client(lab)
        except Fail as e:
            T.fail("build-scram_client", e)
        lab.start(["--penalty-base", "0", "--log-level", "info"])
        run("mpop-scram-tls", t_mpop_login, lab, "mt", "tls")
        run("mpop-scram-stls", t_mpop_login, lab, "ms", "stls")
        run("postie-fetch-plus", t_fetch_plus, lab, "fetchplus")
        if exe:
            run("plus-tls13", t_plus_login, lab, exe, "plus", "tls")
            run("plus-stls-tls13", t_plus_login, lab, exe, "pstls", "stls")
            run("plus-wrong-binding", t_plus_refused, lab, exe, "plus",
                "SCRAM-SHA-256-PLUSbadcb", PW)
            run("plus-wrong-password", t_plus_refused, lab, exe, "plus",
                "SCRAM-SHA-256-PLUS", PW + "x")
            run("tls12-no-plus", t_tls12, lab, exe, "t12")
            run("same-replies", t_enumeration, lab, exe, "wrong")
        run("mpop-scram-wrong-password", t_mpop_wrong, lab, "wrong")
        run("mpop-user-without-keys", t_mpop_nokeys, lab, "nokeys")
        run("log-has-no-secrets", t_log_clean, lab)
        code = lab.stop()
        san = lab.sanitizer_report()
        if code != 0 or san:
            T.fail("server-exit", "exit %r %s" % (code, san))
        else:
            T.ok("server-exit", "exit 0, no sanitizer report")
        if exe:
            run("penalty-applies", t_penalty, exe)
    finally:
        lab.cleanup()
    return T.summary()


if __name__ == "__main__":
    sys.exit(main())
