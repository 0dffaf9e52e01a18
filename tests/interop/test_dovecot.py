#!/usr/bin/env python3
"""test_dovecot.py: `postie fetch` against a real Dovecot POP3 server.

Dovecot (Debian's dovecot-pop3d, 2.3) runs from a private configuration
(dovelab.py) on 127.0.0.1: plain+STLS and implicit-TLS ports, a
self-signed certificate for localhost/127.0.0.1, ssl_min_protocol TLSv1.2,
a passwd-file with {SHA512-CRYPT} (or, for SCRAM, {SCRAM-SHA-256} and
{PLAIN}) entries, maildir:~/Maildir owned by the mail user (vmail, else
nobody). Every message of ../shared/corpus is delivered to alice's Maildir
with the corpus's make-maildir.sh.

What Dovecot changes (checked here, byte for byte, on a raw POP3 session):
RETR sends each file with every bare LF turned into CRLF (CRLF stays CRLF,
NUL bytes and everything else are sent unchanged), dot-stuffed, and adds a
CRLF before the terminating "." when the file does not end with a line
end. That is exactly p3lab.wire_form(). LIST reports the size of the file
with LF counted as CRLF but WITHOUT the CRLF it appends to a file lacking a
final line end (so 2 octets less than it sends for those messages).
postie fetch stores the wire form with CRLF turned back into LF, so each
stored message is its source with CRLF -> LF and a final LF added when the
source had none (lf_form below); that is asserted exactly.

Tests:
  - RETR of every corpus message equals its wire form; LIST sizes as above;
  - postie fetch pop3s:// and pop3:// (STLS): everything, each stored file
    equal to its source (mapped through the state's UIDL and Dovecot's
    UIDL of each source file), SHA-256 in the state right, tmp/ empty; a
    second run fetches nothing; a wrong password is exit 3; --delete
    empties Dovecot's Maildir (new/ and cur/ on disk);
  - --delete-after 10 with POSTIE_FAKE_NOW: nothing deleted on day 9, all
    gone from Dovecot's Maildir after day 10;
  - SCRAM-SHA-256 (auth_mechanisms = plain login scram-sha-256): users
    with {SCRAM-SHA-256} (doveadm pw) and {PLAIN} hashes log in with
    SCRAM-SHA-256, as Dovecot's log says (method=SCRAM-SHA-256); a wrong
    password is exit 3 with no message stored and no fallback to PLAIN;
    a {SHA512-CRYPT} user, for whom Dovecot cannot do SCRAM although it
    offers it, is refused (exit 3, documented: the first offered mechanism
    in the account's list is used) and `--auth plain` logs in.
  - timing (about 20 seconds; P3_DOVECOT_TIMING=0 leaves it out): 1,000
    small and 64 x 1 MiB messages fetched from one Dovecot by postie fetch,
    mpop and fetchmail (bsmtp to a file), median of 3 runs each, printed as
    a table, not judged; every run must fetch every message (a client that
    is not installed is shown as such).

Each Dovecot instance ends with its failed-login test: after a failed
login Dovecot delays every later login from the same address (its auth
penalty, 2 to 15 seconds), which would slow the rest down.

$POSTIE is the binary (default ./postie). Prints PASS/FAIL lines and
"N passed, N failed". Python standard library only; every Dovecot is
started here and stopped by its PID.
"""

import hashlib
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import p3lab  # noqa: E402
import dovelab  # noqa: E402

PW = "dove-test-pass-7Z"
T = p3lab.Tally()
RUN_TIMEOUT = 120


class Fail(Exception):
    pass


def check(cond, why):
    if not cond:
        raise Fail(why)


def run_test(name, fn, *args):
    t0 = time.monotonic()
    try:
        detail = fn(*args)
        T.ok(name, "%s%s%.1fs" % (detail or "", "; " if detail else "",
                                  time.monotonic() - t0))
        return True
    except Fail as e:
        T.fail(name, e)
    except Exception as e:  # a crash of the test itself is a failure too
        import traceback
        T.fail(name, "%s: %s\n%s" % (type(e).__name__, e,
                                     traceback.format_exc()))
    return False


def lf_form(msg):
    """What postie fetch must store for a source message served by
    Dovecot: the wire form with CRLF turned into LF (bare LF kept, CRLF ->
    LF, a final LF added if missing)."""
    return p3lab.wire_form(msg).replace(b"\r\n", b"\n")


def dovecot_list_size(msg):
    """The size Dovecot's LIST reports: the file with LF counted as CRLF,
    not counting the CRLF it appends on the wire to a message without a
    final line end."""
    w = p3lab.wire_form(msg)
    return len(w) - (0 if msg.endswith(b"\n") or not msg else 2)


# --- running postie fetch -------------------------------------------------

class World:
    """A private directory with a state dir, password file and Maildirs."""

    def __init__(self, prefix="dove-fetch-", password=PW):
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        self.state = self.dir / "state"
        self.pwfile = self.dir / "pw"
        self.pwfile.write_text(password + "\n")
        os.chmod(self.pwfile, 0o600)

    def env(self, extra=None):
        env = dict(os.environ)
        env["XDG_STATE_HOME"] = str(self.state)
        env["HOME"] = str(self.dir)
        env.pop("POSTIE_FAKE_NOW", None)
        env.update(extra or {})
        return env

    def fetch(self, args, extra_env=None, timeout=RUN_TIMEOUT):
        argv = [p3lab.postie_bin(), "fetch"] + [str(a) for a in args]
        return subprocess.run(argv, capture_output=True, timeout=timeout,
                              env=self.env(extra_env),
                              stdin=subprocess.DEVNULL)

    def db(self):
        return sqlite3.connect(str(self.state / "postie" / "state.db"))

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def url(lab, user="alice", tls=True):
    if tls:
        return "pop3s://%s@%s:%d" % (user, p3lab.HOST, lab.tls_port)
    return "pop3://%s@%s:%d" % (user, p3lab.HOST, lab.port)


def outcome(r):
    return "exit %d\nstdout: %s\nstderr: %s" % (
        r.returncode, r.stdout.decode(errors="replace")[-1500:],
        r.stderr.decode(errors="replace")[-3000:])


def summary(r):
    """The --json summary of a run (its only account)."""
    try:
        doc = json.loads(r.stdout.decode())
        return doc["accounts"][0]
    except (ValueError, KeyError, IndexError):
        raise Fail("no JSON summary on stdout\n" + outcome(r))


def files(d):
    d = Path(d)
    return sorted(p for p in d.iterdir() if p.is_file()) if d.is_dir() else []


def local_msgs(md):
    return files(Path(md) / "new") + files(Path(md) / "cur")


# --- Dovecot's own view, on a raw POP3 session ---------------------------

def raw_session(lab, user, password):
    c = p3lab.Conn(p3lab.HOST, lab.tls_port, tls_ctx=lab.context(),
                   timeout=30)
    greet = c.readline()
    check(greet.startswith(b"+OK"), "greeting %r" % greet)
    for cmd in (b"USER " + user.encode(), b"PASS " + password.encode()):
        c.send(cmd + b"\r\n")
        line = c.readline()
        check(line.startswith(b"+OK"), "%s: %r" % (cmd.split()[0], line))
    return c


def multiline(c, cmd):
    c.send(cmd + b"\r\n")
    line = c.readline()
    check(line.startswith(b"+OK"), "%r: %r" % (cmd, line))
    lines, err = p3lab.read_multiline(c, timeout=30)
    check(err is None, "%r: %s" % (cmd, err))
    return lines


def t_wire(lab, src, uidl_map):
    """RETR of each message is the wire form of exactly one source file;
    fills uidl_map (Dovecot UIDL -> source file name)."""
    c = raw_session(lab, "alice", PW)
    try:
        sizes = {int(l.split()[0]): int(l.split()[1])
                 for l in multiline(c, b"LIST")}
        uidls = {int(l.split()[0]): l.split()[1].decode()
                 for l in multiline(c, b"UIDL")}
        check(len(sizes) == len(src), "LIST has %d messages, the Maildir "
              "%d" % (len(sizes), len(src)))
        by_wire = {}
        for name, data in src.items():
            by_wire.setdefault(p3lab.wire_form(data), []).append(name)
        bad = []
        for n in sorted(sizes):
            got = p3lab.unstuff(multiline(c, b"RETR %d" % n))
            names = by_wire.get(got)
            if not names:
                bad.append("message %d (%d octets): matches no source "
                           "file's wire form; starts %s" % (
                               n, len(got), p3lab.show(got, 120)))
                continue
            name = names.pop()
            uidl_map[uidls[n]] = name
            want = dovecot_list_size(src[name])
            if sizes[n] != want:
                bad.append("%s: LIST size %d, expected %d (wire %d)" % (
                    name, sizes[n], want, len(got)))
        c.send(b"RSET\r\n")
        c.readline()
        c.send(b"QUIT\r\n")
        c.readline()
        check(not bad, "%d differences:\n%s" % (len(bad),
                                                  "\n".join(bad[:8])))
    finally:
        c.close()
    short = sum(1 for d in src.values() if d and not d.endswith(b"\n"))
    lf = sum(1 for d in src.values() if re.search(rb"(?<!\r)\n", d))
    nul = sum(1 for d in src.values() if b"\0" in d)
    return ("%d messages: %d with bare LF sent as CRLF, %d without a final "
            "line end sent with CRLF added (LIST 2 octets short), %d with "
            "NUL sent unchanged" % (len(src), lf, short, nul))


def compare_by_state(w, md, src, uidl_map, port):
    """Every source message is in md exactly as lf_form(source), under the
    location the state records for its Dovecot UIDL, with that SHA-256."""
    rows = w.db().execute(
        "SELECT m.uidl, m.location, m.sha256 FROM msg m JOIN account a "
        "ON a.id = m.account WHERE a.port = ?", (port,)).fetchall()
    byname = {}
    for uidl, loc, sha in rows:
        check(uidl in uidl_map, "state has a UIDL %r Dovecot did not "
              "list" % uidl)
        byname[uidl_map[uidl]] = (loc, sha)
    check(set(byname) == set(src), "state has %d messages, Dovecot %d; "
          "missing %s" % (len(byname), len(src),
                          sorted(set(src) - set(byname))[:5]))
    bad = []
    for name, data in sorted(src.items()):
        loc, sha = byname[name]
        p = Path(md) / "new" / loc
        got = p.read_bytes()
        want = lf_form(data)
        if got != want:
            i = next((k for k in range(min(len(got), len(want)))
                      if got[k] != want[k]), min(len(got), len(want)))
            bad.append("%s: stored %d octets, expected %d; first "
                       "difference at %d: %s vs %s" % (
                           name, len(got), len(want), i,
                           p3lab.show(got[max(0, i - 20):i + 20]),
                           p3lab.show(want[max(0, i - 20):i + 20])))
        if hashlib.sha256(got).hexdigest() != sha:
            bad.append(name + ": SHA-256 in the state differs")
    check(not bad, "%d messages differ:\n%s" % (len(bad),
                                                  "\n".join(bad[:6])))
    return len(src)


# --- the corpus instance --------------------------------------------------

def t_fetch_pop3s(lab, src, uidl_map, w):
    check(uidl_map, "no UIDL map (the wire test failed)")
    md = w.dir / "Mail"
    r = w.fetch([url(lab), "--maildir", md, "--password-file", w.pwfile,
                 "--ca", lab.cert, "--json"])
    check(r.returncode == 0, outcome(r))
    s = summary(r)
    check(s["fetched"] == len(src), "fetched %s of %d" % (s["fetched"],
                                                          len(src)))
    check(s["tls"] in ("TLSv1.2", "TLSv1.3"), "tls %r" % s["tls"])
    n = compare_by_state(w, md, src, uidl_map, lab.tls_port)
    check(not files(md / "tmp"), "tmp/ not empty")
    check(len(local_msgs(md)) == n, "%d files in the Maildir, want %d" %
          (len(local_msgs(md)), n))
    check(len(lab.messages("alice")) == n, "keep: Dovecot's Maildir has "
          "%d messages" % len(lab.messages("alice")))
    line = lab.wait_log(r"pop3-login: .*Login: user=<alice>, method=(\S+),"
                        r".*TLS", start=0)
    check(line is not None, "no TLS login in Dovecot's log")
    # Dovecot's LIST is 2 octets short for a file without a final line end
    # (see the top); that is normal and must not be a warning.
    check(s["warnings"] == 0, "%d warnings\n%s" % (s["warnings"],
                                                   outcome(r)))
    return "%d messages identical, %s, %s, no warnings" % (
        n, s["mechanism"], s["tls"])


def t_fetch_again(lab, src, w):
    md = w.dir / "Mail"
    before = len(local_msgs(md))
    r = w.fetch([url(lab), "--maildir", md, "--password-file", w.pwfile,
                 "--ca", lab.cert, "--json"])
    check(r.returncode == 0, outcome(r))
    s = summary(r)
    check(s["fetched"] == 0 and s["on_server"] == len(src),
          "second run: %s" % s)
    check(len(local_msgs(md)) == before, "files appeared")
    return "0 fetched, %d on server" % s["on_server"]


def t_stls(lab, src, uidl_map, w):
    md = w.dir / "Mail-stls"
    r = w.fetch([url(lab, tls=False), "--maildir", md, "--password-file",
                 w.pwfile, "--ca", lab.cert, "--json"])
    check(r.returncode == 0, outcome(r))
    s = summary(r)
    check(s["fetched"] == len(src), "fetched %s" % s["fetched"])
    check(s["tls"] in ("TLSv1.2", "TLSv1.3"), "tls %r" % s["tls"])
    compare_by_state(w, md, src, uidl_map, lab.port)
    return "%d fetched after STLS, identical" % s["fetched"]


def t_wrong_password(lab, w):
    pw = w.dir / "pw-wrong"
    pw.write_text("not-the-password\n")
    os.chmod(pw, 0o600)
    md = w.dir / "M-wrong"
    r = w.fetch([url(lab), "--maildir", md, "--password-file", pw,
                 "--ca", lab.cert, "--json"])
    check(r.returncode == 3, outcome(r))
    check(summary(r)["status"] == "auth", outcome(r))
    check(not local_msgs(md), "stored something")
    return "exit 3"


def t_delete(lab, src, w):
    w2 = World(prefix="dove-del-")
    try:
        md = w2.dir / "Mail"
        r = w2.fetch([url(lab), "--maildir", md, "--password-file",
                      w2.pwfile, "--ca", lab.cert, "--delete", "--json"])
        check(r.returncode == 0, outcome(r))
        s = summary(r)
        check(s["fetched"] == len(src) and s["deleted"] == len(src),
              "summary %s" % s)
        left = lab.messages("alice")
        check(not left, "Dovecot's Maildir still has %d messages: %s" % (
            len(left), [str(p) for p in left[:3]]))
        line = lab.wait_log(r"pop3\(alice\).*del=%d/%d" % (len(src),
                                                           len(src)))
        check(line is not None, "Dovecot's log has no del=%d/%d line" %
              (len(src), len(src)))
        got = sorted(p.read_bytes() for p in local_msgs(md))
        want = sorted(lf_form(b) for b in src.values())
        check(got == want, "stored set differs from the source set")
        r = w2.fetch([url(lab), "--maildir", md, "--password-file",
                      w2.pwfile, "--ca", lab.cert, "--delete", "--json"])
        check(r.returncode == 0, "re-run: " + outcome(r))
        s = summary(r)
        check(s["on_server"] == 0 and s["fetched"] == 0, "re-run %s" % s)
    finally:
        w2.cleanup()
    return "Dovecot's Maildir empty on disk; %d stored; %s" % (
        len(src), line.split(": ", 2)[-1] if line else "")


def small_msg(i, tag="dove"):
    return (b"From: sender@example.org\nTo: rcpt@example.org\n"
            b"Subject: %s message %d\nMessage-ID: <%d.%s@dovelab>\n\n"
            b"body %d\n.dot line\n" % (tag.encode(), i, i, tag.encode(), i))


def t_delete_after(lab, w):
    user = "bob"
    src = {}
    for i in range(6):
        data = small_msg(i, "age")
        lab.add_mail(user, data, "1700000%03d.M%dP1.dovelab" % (i, i))
        src[i] = data
    md = w.dir / "M-age"
    base = 1800000000
    args = [url(lab, user), "--maildir", md, "--password-file", w.pwfile,
            "--ca", lab.cert, "--delete-after", "10", "--json"]
    r = w.fetch(args, {"POSTIE_FAKE_NOW": str(base)})
    check(r.returncode == 0, outcome(r))
    s = summary(r)
    check(s["fetched"] == 6 and s["deleted"] == 0, "day 0: %s" % s)
    r = w.fetch(args, {"POSTIE_FAKE_NOW": str(base + 9 * 86400)})
    check(r.returncode == 0 and summary(r)["deleted"] == 0,
          "day 9: " + outcome(r))
    check(len(lab.messages(user)) == 6, "day 9: Dovecot's Maildir has %d "
          "messages" % len(lab.messages(user)))
    r = w.fetch(args, {"POSTIE_FAKE_NOW": str(base + 10 * 86400 - 1)})
    check(r.returncode == 0 and summary(r)["deleted"] == 0,
          "1 second before day 10: " + outcome(r))
    check(len(lab.messages(user)) == 6, "deleted a second early")
    r = w.fetch(args, {"POSTIE_FAKE_NOW": str(base + 10 * 86400 + 1)})
    check(r.returncode == 0 and summary(r)["deleted"] == 6,
          "day 10: " + outcome(r))
    left = lab.messages(user)
    check(not left, "day 10: Dovecot's Maildir still has %d" % len(left))
    got = sorted(p.read_bytes() for p in local_msgs(md))
    check(got == sorted(src.values()), "local copies differ")
    return "kept on day 9 and 10d-1s, all 6 gone from Dovecot after 10 days"


# --- SCRAM-SHA-256 --------------------------------------------------------

def scram_login(lab, w, user, tls, n_msgs):
    """postie fetch logs in as user with SCRAM-SHA-256 and fetches all."""
    md = w.dir / ("M-" + user)
    mark = lab.log_size()
    r = w.fetch([url(lab, user, tls=tls), "--maildir", md,
                 "--password-file", w.pwfile, "--ca", lab.cert, "--json"])
    check(r.returncode == 0, outcome(r))
    s = summary(r)
    check(s["mechanism"] == "SCRAM-SHA-256", "mechanism %r\n%s" % (
        s["mechanism"], outcome(r)))
    check(s["fetched"] == n_msgs, "fetched %s" % s["fetched"])
    line = lab.wait_log(r"pop3-login: .*Login: user=<%s>, "
                        r"method=SCRAM-SHA-256," % user, start=mark)
    check(line is not None, "Dovecot's log has no SCRAM-SHA-256 login for "
          "%s:\n%s" % (user, lab.main_log()[mark:][-2000:]))
    other = re.findall(r"method=(\S+),", lab.main_log()[mark:])
    check(other == ["SCRAM-SHA-256"], "logins since the run: %r" % other)
    return line


def t_scram_hash(lab, w):
    line = scram_login(lab, w, "carol", True, 3)
    return "{SCRAM-SHA-256} from doveadm pw, pop3s: " + \
        line.split("Login: ", 1)[1].split(", rip")[0]


def t_scram_plain_stls(lab, w):
    line = scram_login(lab, w, "dave", False, 3)
    return "{PLAIN} passdb, pop3:// + STLS: " + \
        line.split("Login: ", 1)[1].split(", rip")[0]


def t_scram_wrong(lab, w):
    pw = w.dir / "pw-wrong"
    pw.write_text(PW + "-wrong\n")
    os.chmod(pw, 0o600)
    md = w.dir / "M-scram-wrong"
    mark = lab.log_size()
    t0 = time.monotonic()
    # SCRAM only: the default list would fall back to PLAIN after the
    # refusal (t_scram_crypt_user) and try twice.
    r = w.fetch([url(lab, "carol"), "--maildir", md, "--password-file", pw,
                 "--ca", lab.cert, "--auth", "scram-sha-256", "--json"])
    took = time.monotonic() - t0
    check(r.returncode == 3, outcome(r))
    s = summary(r)
    check(s["status"] == "auth", "status %r" % s["status"])
    check("SCRAM-SHA-256" in s["error"], "error %r" % s["error"])
    check(not local_msgs(md), "stored something")
    line = lab.wait_log(r"pop3-login: .*auth failed.*user=<carol>, "
                        r"method=SCRAM-SHA-256,", start=mark)
    check(line is not None, "Dovecot's log has no failed SCRAM login:\n" +
          lab.main_log()[mark:][-2000:])
    methods = re.findall(r"method=(\S+),", lab.main_log()[mark:])
    check(methods == ["SCRAM-SHA-256"], "attempts: %r (no fallback "
          "expected)" % methods)
    check("1 attempts" in line, "more than one attempt: " + line)
    mism = lab.wait_log(r"auth: .*carol.*(mismatch|failed)", start=mark,
                        timeout=1)
    return "exit 3 in %.1fs; %s" % (took, (mism or line).split(": ", 2)[-1])


def t_scram_crypt_user(lab, w):
    """Dovecot offers SCRAM-SHA-256 to everyone but cannot do it for a user
    whose passdb entry is a crypt hash. postie tries SCRAM, is refused, and
    under TLS moves on once to the next mechanism of its list (PLAIN), with
    a warning (docs/fetch.md); `--auth scram-sha-256` forbids the fallback
    (exit 3)."""
    md = w.dir / "M-erin"
    mark = lab.log_size()
    r = w.fetch([url(lab, "erin"), "--maildir", md, "--password-file",
                 w.pwfile, "--ca", lab.cert, "--auth", "scram-sha-256",
                 "--json"])
    check(r.returncode == 3, "--auth scram-sha-256: " + outcome(r))
    why = lab.wait_log(r"auth: .*erin.*SCRAM-SHA-256 scheme, but we have "
                       r"only", start=mark)
    check(why is not None, "Dovecot's log does not say why:\n" +
          lab.main_log()[mark:][-2000:])
    check(not local_msgs(md), "stored something")
    mark = lab.log_size()
    r = w.fetch([url(lab, "erin"), "--maildir", md, "--password-file",
                 w.pwfile, "--ca", lab.cert, "--json"])
    check(r.returncode == 0, "default --auth: " + outcome(r))
    s = summary(r)
    check(s["mechanism"] == "PLAIN" and s["fetched"] == 1, "%s" % s)
    check(b"trying the next mechanism" in r.stderr,
          "no fallback warning: %r" % r.stderr[-500:])
    check(lab.wait_log(r"Login: user=<erin>, method=PLAIN,", start=mark),
          "no PLAIN login in Dovecot's log")
    return "scram only: exit 3 (%s); default: SCRAM refused, PLAIN " \
        "fetched" % why.split(": ", 2)[-1]


# --- timing ---------------------------------------------------------------

def big_msg(i, size=1 << 20):
    head = (b"From: big@example.org\nTo: big@example.org\n"
            b"Subject: big message %d\nMessage-ID: <%d.big@dovelab>\n"
            b"Content-Type: text/plain\n\n" % (i, i))
    line = (b"%06d " % i) + b"abcdefghijklmnopqrstuvwxyz0123456789" * 2 + \
        b"\n"
    body = line * ((size - len(head)) // len(line))
    pad = size - len(head) - len(body)
    return head + body + (b"x" * (pad - 1) + b"\n" if pad else b"")


def timed(argv, env, timeout=600):
    t0 = time.monotonic()
    r = subprocess.run(argv, capture_output=True, env=env, timeout=timeout,
                       stdin=subprocess.DEVNULL)
    return time.monotonic() - t0, r


def time_postie(lab, user, n, work):
    w = World(prefix="dove-time-")
    try:
        md = w.dir / "M"
        argv = [p3lab.postie_bin(), "fetch", url(lab, user), "--maildir",
                str(md), "--password-file", str(w.pwfile), "--ca",
                lab.cert, "--json", "--quiet"]
        secs, r = timed(argv, w.env())
        check(r.returncode == 0, "postie: " + outcome(r))
        got = len(local_msgs(md))
        check(got == n, "postie stored %d of %d" % (got, n))
        return secs
    finally:
        w.cleanup()


def time_mpop(lab, user, n, work):
    home = Path(tempfile.mkdtemp(prefix="dove-mpop-", dir=work))
    try:
        out = p3lab.make_maildir(home / "Maildir")
        rc = home / "mpoprc"
        rc.write_text(
            "defaults\naccount lab\nhost localhost\nport %d\ntimeout 60\n"
            "user %s\npassword %s\nauth plain\n"
            "tls on\ntls_starttls off\ntls_trust_file %s\n"
            "delivery maildir %s\nuidls_file %s\n"
            "keep on\nreceived_header off\n" %
            (lab.tls_port, user, PW, lab.cert, out, home / "uidls"))
        os.chmod(rc, 0o600)
        secs, r = timed(["mpop", "-C", str(rc), "-q", "lab"],
                        dict(os.environ, HOME=str(home)))
        check(r.returncode == 0, "mpop: " + outcome(r))
        got = len(local_msgs(out))
        check(got == n, "mpop stored %d of %d" % (got, n))
        return secs
    finally:
        shutil.rmtree(home, ignore_errors=True)


def time_fetchmail(lab, user, n, work):
    home = Path(tempfile.mkdtemp(prefix="dove-fm-", dir=work))
    try:
        out = home / "out.bsmtp"
        rc = home / "fetchmailrc"
        rc.write_text(
            "set no syslog\nset no bouncemail\n"
            "poll localhost protocol pop3 port %d timeout 60 "
            "auth password\n"
            "  user \"%s\" there with password \"%s\" is \"%s\" here\n"
            "  ssl sslproto tls1.2+ sslcertck sslcertfile \"%s\" "
            "sslcommonname localhost\n"
            "  keep fetchall no rewrite\n  bsmtp \"%s\"\n" %
            (lab.tls_port, user, PW, user, lab.cert, out))
        os.chmod(rc, 0o600)
        env = dict(os.environ, HOME=str(home), FETCHMAILHOME=str(home))
        secs, r = timed(["fetchmail", "-f", str(rc), "--nosyslog",
                         "--pidfile", str(home / "pid"),
                         "--idfile", str(home / "ids")], env)
        check(r.returncode == 0, "fetchmail: " + outcome(r))
        with open(out, "rb") as f:
            got = sum(1 for line in f if line.startswith(b"MAIL FROM:"))
        check(got == n, "fetchmail wrote %d of %d messages" % (got, n))
        return secs
    finally:
        shutil.rmtree(home, ignore_errors=True)


def t_timing(reps=3):
    lab = dovelab.DoveLab(prefix="dove-timing-", no_flag_updates=True)
    work = Path(tempfile.mkdtemp(prefix="dove-timing-work-"))
    loads = [("1000 small", "small", 1000, small_msg),
             ("64 x 1 MiB", "big", 64, big_msg)]
    clients = [("postie fetch", time_postie, None),
               ("mpop", time_mpop, "mpop"),
               ("fetchmail", time_fetchmail, "fetchmail")]
    try:
        octets = {}
        for _label, user, n, gen in loads:
            lab.add_user(user, PW)
            total = 0
            for i in range(n):
                data = gen(i)
                total += len(data)
                lab.add_mail(user, data, "1700000000.M%06dP1.%s" % (i, user))
            octets[user] = total
        lab.start()
        # Warm Dovecot's index so that no client pays for building it.
        for _label, user, n, _gen in loads:
            c = raw_session(lab, user, PW)
            check(len(multiline(c, b"UIDL")) == n, "warm-up UIDL")
            c.send(b"QUIT\r\n")
            c.readline()
            c.close()
        results = {}
        for _label, user, n, _gen in loads:
            for rep in range(reps):
                for cname, fn, exe in clients:
                    if exe and shutil.which(exe) is None:
                        results[(cname, user)] = None
                        continue
                    results.setdefault((cname, user), []).append(
                        fn(lab, user, n, work))
        head = "%-12s %9s" % ("workload", "octets")
        for cname, _fn, _exe in clients:
            head += " | %-20s" % cname
        lines = [head, "-" * len(head)]
        for label, user, n, _gen in loads:
            row = "%-12s %9d" % (label, octets[user])
            for cname, _fn, _exe in clients:
                v = results.get((cname, user))
                if not v:
                    row += " | %-20s" % "not installed"
                    continue
                med = statistics.median(v)
                rate = ("%.0f msg/s" % (n / med)) if n > 100 else \
                    ("%.0f MB/s" % (octets[user] / med / 1e6))
                row += " | %-20s" % ("%6.2fs %s" % (med, rate))
            lines.append(row)
        p3lab.log("    Dovecot %s on 127.0.0.1, implicit TLS, PLAIN, keep "
                  "(pop3_no_flag_updates), warm index; median of %d runs, "
                  "each from empty local state:" % (
                      dovelab.dovecot_version(), reps))
        for l in lines:
            p3lab.log("    " + l)
        for (cname, user), v in sorted(results.items()):
            if v:
                p3lab.log("    runs %-13s %-6s %s" % (
                    cname, user, " ".join("%.2fs" % x for x in v)))
        p3lab.log("    (postie: Maildir, fsync per message and SQLite state;"
                  " mpop: Maildir; fetchmail: bsmtp to one file)")
    finally:
        lab.stop()
        lab.cleanup()
        shutil.rmtree(work, ignore_errors=True)
    return "table above"


# --- main -------------------------------------------------------------------

def scram_instance(users, tests):
    """A Dovecot offering SCRAM-SHA-256 with the given (user, scheme,
    number of messages); runs the tests against it."""
    lab = w = None
    ok = False
    try:
        lab = dovelab.DoveLab(prefix="dove-scram-",
                              mechs="plain login scram-sha-256")
        for user, scheme, n in users:
            lab.add_user(user, PW, scheme=scheme)
            for i in range(n):
                lab.add_mail(user, small_msg(i, user),
                             "1700000%03d.M%dP1.dovelab" % (i, i))
        if any(u[1] == "SCRAM-SHA-256" for u in users):
            check("{SCRAM-SHA-256}4096," in lab.passwd.read_text(),
                  "doveadm wrote no SCRAM-SHA-256 hash")
        lab.start()
        w = World(prefix="dove-scram-")
        ok = True
    except Exception as e:
        T.fail("setup: Dovecot with SCRAM-SHA-256", "%s: %s" % (
            type(e).__name__, e))
    try:
        if ok:
            for name, fn in tests:
                run_test(name, fn, lab, w)
    finally:
        if lab is not None:
            lab.stop()
            lab.cleanup()
        if w is not None:
            w.cleanup()


def main():
    p3lab.require_binary()
    why = dovelab.available()
    if why:
        T.fail("setup", why)
        return T.summary()
    only = sys.argv[1:]

    def want(name):
        return not only or any(o in name for o in only)

    t_start = time.monotonic()
    p3lab.log("test_dovecot: Dovecot %s, postie %s, corpus %s" % (
        dovelab.dovecot_version(), p3lab.postie_bin(), p3lab.CORPUS))

    if want("corpus") or want("delete-after"):
        lab = w = None
        try:
            lab = dovelab.DoveLab(prefix="dove-corpus-")
            lab.add_user("alice", PW)
            lab.add_user("bob", PW)
            src = lab.deliver_corpus("alice")
            lab.start()
            w = World()
        except Exception as e:
            T.fail("setup: Dovecot with the corpus", "%s: %s" % (
                type(e).__name__, e))
            src = None
        try:
            if src is not None and want("corpus"):
                uidl_map = {}
                run_test("corpus: Dovecot's RETR is the wire form of each "
                         "file", t_wire, lab, src, uidl_map)
                run_test("corpus: fetch all over pop3s", t_fetch_pop3s,
                         lab, src, uidl_map, w)
                run_test("corpus: fetch again fetches nothing",
                         t_fetch_again, lab, src, w)
                run_test("corpus: pop3:// with STLS", t_stls, lab, src,
                         uidl_map, w)
                run_test("corpus: --delete empties Dovecot's Maildir",
                         t_delete, lab, src, w)
            if src is not None and want("delete-after"):
                run_test("delete-after 10 days (POSTIE_FAKE_NOW)",
                         t_delete_after, lab, w)
            # Last: after a failed login Dovecot delays the next logins
            # from the same address (its auth penalty, 2^n seconds).
            if src is not None and want("corpus"):
                run_test("corpus: wrong password", t_wrong_password, lab, w)
        finally:
            if lab is not None:
                lab.stop()
                lab.cleanup()
            if w is not None:
                w.cleanup()

    if want("scram"):
        # Two instances, each ending with its failed login (Dovecot's auth
        # penalty would slow down every later login from 127.0.0.1).
        for users, tests in (
                ([("carol", "SCRAM-SHA-256", 3), ("dave", "PLAIN", 3)],
                 [("scram: {SCRAM-SHA-256} user logs in with "
                   "SCRAM-SHA-256", t_scram_hash),
                  ("scram: {PLAIN} user, STLS, SCRAM-SHA-256",
                   t_scram_plain_stls),
                  ("scram: wrong password is exit 3", t_scram_wrong)]),
                ([("erin", "SHA512-CRYPT", 1)],
                 [("scram: offered but impossible for a crypt user",
                   t_scram_crypt_user)])):
            scram_instance(users, tests)

    timing = os.environ.get("P3_DOVECOT_TIMING", "1") not in ("", "0")
    if want("timing") and timing:
        run_test("timing: postie fetch, mpop, fetchmail from Dovecot",
                 t_timing)
    elif want("timing"):
        p3lab.log("note: timing comparison not run (P3_DOVECOT_TIMING=0)")
    p3lab.log("test_dovecot: %.1fs" % (time.monotonic() - t_start))
    return T.summary()


if __name__ == "__main__":
    sys.exit(main())
