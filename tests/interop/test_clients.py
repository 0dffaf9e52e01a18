#!/usr/bin/env python3
"""test_clients.py: real POP3 clients against `postie serve` over real TLS.

Every message of ../shared/corpus (relative to the repository root) is
delivered with the corpus's own make-maildir.sh into a fresh Maildir per
client, and each client downloads everything:

  curl      pop3:// with --ssl-reqd (STLS) and pop3s://, LIST and RETR of
            every message (one curl process, URL globbing [1-N]);
  poplib    POP3 + stls() and POP3_SSL, the whole command set;
  fetchmail STLS (sslproto tls1.2+) and implicit TLS (ssl), sslcertck
            against the lab certificate, delivery through an MDA into files,
            messages deleted on the server afterwards (the default);
  mpop      STLS and implicit TLS, tls_trust_file, maildir delivery, keep on,
            a second run must find nothing new (UIDL bookkeeping).

Downloaded messages are compared with their source byte for byte after
normalising line endings (CRLF -> LF, one final LF ensured). Headers the
clients add are stripped first, and only these:
  fetchmail  its own "Received: from localhost [127.0.0.1] by ... with
             POP3 (fetchmail-6.x) ..." header block: at the top, or after a
             leading Return-Path:/Delivered-To: header (fetchmail has no
             switch to turn it off). fetchmail also drops a leading mbox
             "From " line and appends an empty line to a message that has
             no header/body separator; the expected bytes account for it
             (fetchmail_expect);
  mpop       nothing: received_header is off in the generated config.
A 100,000-message mailbox ($P3_BIGBOX to change the count) is opened and
listed with poplib (times printed).

The binary is $POSTIE (default ./postie). Prints PASS/FAIL per test and
"N passed, N failed".
"""

import collections
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
from p3lab import normalise_eol, wire_form  # noqa: E402

# The corpus has header lines of 7,000+ octets; poplib's default line cap
# (2048) would reject them. Raise the client-side cap; the server is
# expected to send the lines unchanged.
poplib._MAXLINE = 1 << 20

PW = "corpus-pass-5K"
T = p3lab.Tally()


class Fail(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise Fail(msg)


def corpus():
    """{name: bytes} of every corpus message."""
    return {p.name: p.read_bytes() for p in sorted(p3lab.CORPUS.glob("*.eml"))}


def deliver_corpus(lab, user):
    md = lab.maildir(user)
    r = subprocess.run(["sh", str(p3lab.CORPUS / "make-maildir.sh"),
                        str(p3lab.CORPUS), str(md)],
                       capture_output=True, timeout=120)
    check(r.returncode == 0, "make-maildir.sh failed: %s" % r.stderr)


def first_diff(a, b):
    n = min(len(a), len(b))
    for i in range(n):
        if a[i] != b[i]:
            return i
    return n


def compare_sets(sources, got, label, expect=None):
    """sources: {name: bytes}; got: [(label, bytes)]. Every source, line
    endings normalised and then passed through expect() (what the client
    is documented to do to it), must appear exactly once."""
    expect = expect or (lambda b: b)
    want = collections.defaultdict(list)
    for name, data in sources.items():
        want[expect(normalise_eol(data))].append(name)
    missing_pool = {k: list(v) for k, v in want.items()}
    extra = []
    for lab, data in got:
        key = normalise_eol(data)
        if missing_pool.get(key):
            missing_pool[key].pop()
        else:
            extra.append((lab, key))
    missing = sorted(n for v in missing_pool.values() for n in v)
    if not missing and not extra:
        return
    lines = ["%s: %d of %d messages differ from their sources" %
             (label, len(missing), len(sources))]
    srcs = {n: expect(normalise_eol(sources[n])) for n in missing}
    for lab, data in extra[:12]:
        best = max(srcs or {"-": b""}, key=lambda n: first_diff(
            srcs.get(n, b""), data))
        s = srcs.get(best, b"")
        i = first_diff(s, data)
        lines.append("  %s (%d octets) vs %s (%d octets): first difference "
                     "at %d: want %s got %s" %
                     (lab, len(data), best, len(s), i,
                      p3lab.show(s[max(0, i - 20):i + 40], 80),
                      p3lab.show(data[max(0, i - 20):i + 40], 80)))
    if len(extra) > 12:
        lines.append("  ... %d more" % (len(extra) - 12))
    if len(got) != len(sources):
        lines.append("  downloaded %d messages, corpus has %d" %
                     (len(got), len(sources)))
    lines.append("  unmatched sources: %s" % " ".join(missing[:30]))
    raise Fail("\n".join(lines))


def check_tls_sessions(lab, user, want=1):
    """Every session of user (server log) ran over TLS; returns the count.
    The log line follows the QUIT reply, so wait (bounded) for want lines."""
    rx = re.compile(r"session end: user=%s " % re.escape(user))
    deadline = time.monotonic() + 5
    while True:
        lines = [l for l in lab.log().splitlines() if rx.search(l)]
        if len(lines) >= want or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    check(lines, "no session-end log line for %s" % user)
    plain = [l for l in lines if " tls=none " in l or " tls=" not in l]
    check(not plain, "session without TLS: %s" % plain[:2])
    return len(lines)


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


# --- curl -------------------------------------------------------------------

def curl(lab, args, timeout=300):
    argv = ["curl", "-sS", "--max-time", str(timeout), "--cacert", lab.cert,
            "-u", "%s:%s" % (args[0], PW)] + args[1:]
    r = subprocess.run(argv, capture_output=True, timeout=timeout + 30)
    check(r.returncode == 0, "curl %s exited %d: %s" %
          (" ".join(args[1:]), r.returncode,
           r.stderr.decode(errors="replace")))
    return r.stdout


def t_curl(lab, user, sources, url, tls_args):
    """tls_args: ["--ssl-reqd"] makes curl use STLS on pop3://."""
    out = curl(lab, [user, url + "/"] + tls_args)
    listing = [l.split() for l in out.decode().splitlines()]
    check(len(listing) == len(sources), "LIST gave %d lines, want %d" %
          (len(listing), len(sources)))
    check([int(a) for a, _ in listing] == list(range(1, len(sources) + 1)),
          "LIST numbers are not 1..N")
    sizes = {int(a): int(b) for a, b in listing}
    outdir = lab.dir / ("curl-" + user)
    outdir.mkdir()
    curl(lab, [user, url + "/[1-%d]" % len(sources), "-o",
               str(outdir / "#1.eml")] + tls_args, timeout=600)
    got = []
    bad_size = []
    for i in range(1, len(sources) + 1):
        data = (outdir / ("%d.eml" % i)).read_bytes()
        got.append(("message %d" % i, data))
        if len(data) != sizes[i]:
            bad_size.append("%d: LIST %d, RETR delivered %d" %
                            (i, sizes[i], len(data)))
    compare_sets(sources, got, "curl RETR")
    check(not bad_size, "LIST size != octets delivered by RETR for %d "
          "messages:\n  %s" % (len(bad_size), "\n  ".join(bad_size[:20])))
    check_tls_sessions(lab, user)
    # curl marks nothing deleted: the mailbox is unchanged.
    n = sum(1 for _ in lab.maildir(user).glob("*/*"))
    check(n == len(sources), "%d files left in the Maildir" % n)
    return "%d messages" % len(sources)


# --- poplib -----------------------------------------------------------------

def t_poplib_full(lab, user, sources, mode):
    ctx = lab.context()
    if mode == "stls":
        p = poplib.POP3("localhost", lab.port, timeout=30)
        check(p.getwelcome() == b"+OK POP3 server ready",
              "greeting %r" % p.getwelcome())
        caps = p.capa()
        check("STLS" in caps and "USER" not in caps,
              "CAPA before TLS: %r" % caps)
        p.stls(ctx)
    else:
        p = poplib.POP3_SSL("localhost", lab.tls_port, context=ctx,
                            timeout=30)
    try:
        caps = p.capa()
        for tag in ("TOP", "USER", "UIDL", "RESP-CODES", "PIPELINING",
                    "SASL"):
            check(tag in caps, "CAPA lacks %s: %r" % (tag, caps))
        check(caps["SASL"] == ["SCRAM-SHA-256-PLUS", "SCRAM-SHA-256", "PLAIN",
                              "LOGIN"], "SASL %r" % caps["SASL"])
        check(p.user(user) == b"+OK", "USER")
        resp = p.pass_(PW)
        n = len(sources)
        total = sum(len(wire_form(d)) for d in sources.values())
        check(re.fullmatch(rb"\+OK Logged in, %d messages \(\d+ octets\)" %
                           n, resp), "PASS reply %r" % resp)
        count, size = p.stat()
        check(count == n, "STAT count %d, want %d" % (count, n))
        resp, lines, _ = p.list()
        check(len(lines) == n, "LIST %d lines" % len(lines))
        sizes = [int(l.split()[1]) for l in lines]
        check(sum(sizes) == size, "LIST sizes add up to %d, STAT says %d" %
              (sum(sizes), size))
        resp, uids, _ = p.uidl()
        uidset = [u.split()[1] for u in uids]
        check(len(set(uidset)) == n, "UIDLs not unique")
        check(all(re.fullmatch(rb"[\x21-\x7e]{1,70}", u) for u in uidset),
              "UIDL syntax")
        check(p.uidl(5) == b"+OK 5 " + uidset[4], "UIDL 5")
        check(p.list(7) == b"+OK 7 %d" % sizes[6], "LIST 7")
        got, bad_size = [], []
        for i in range(1, n + 1):
            resp, body, octets = p.retr(i)
            data = b"".join(l + b"\r\n" for l in body)
            got.append(("message %d" % i, data))
            if not (resp == b"+OK %d octets" % sizes[i - 1] and
                    len(data) == sizes[i - 1]):
                bad_size.append("%d: LIST %d, %s, delivered %d" % (
                    i, sizes[i - 1], resp.decode(), len(data)))
        compare_sets(sources, got, "poplib RETR")
        check(not bad_size, "size mismatch for %d messages:\n  %s" % (
            len(bad_size), "\n  ".join(bad_size[:20])))
        # TOP n 0 is the header block of RETR n.
        for i in (1, 2, n):
            full = got[i - 1][1]
            resp, body, _ = p.top(i, 0)
            top = b"".join(l + b"\r\n" for l in body)
            want = p3lab.top_form(full, 0)
            check(top == want, "TOP %d 0: %d octets, want %d" %
                  (i, len(top), len(want)))
        check(p.dele(1) == b"+OK Message deleted", "DELE 1")
        check(p.stat()[0] == n - 1, "STAT after DELE")
        try:
            p.retr(1)
            raise Fail("RETR of a deleted message succeeded")
        except poplib.error_proto as e:
            check(e.args[0] == b"-ERR Message is deleted", "RETR deleted: %r"
                  % e.args[0])
        check(p.rset() == b"+OK", "RSET")
        check(p.stat()[0] == n, "STAT after RSET")
        check(p.noop() == b"+OK", "NOOP")
        check(p.quit() == b"+OK Bye, 0 messages deleted", "QUIT")
    finally:
        try:
            p.close()
        except OSError:
            pass
    check_tls_sessions(lab, user)
    # Everything was RETRieved: all files are now in cur/ with the S flag.
    md = lab.maildir(user)
    new = list((md / "new").iterdir())
    seen = [f for f in (md / "cur").iterdir() if f.name.endswith(":2,S")]
    check(not new and len(seen) == n, "after QUIT: %d in new/, %d seen in "
          "cur/" % (len(new), len(seen)))
    return "%d messages" % n


def t_poplib_dele(lab, user, sources):
    """DELE + QUIT over POP3_SSL removes exactly the deleted messages."""
    ctx = lab.context()
    p = poplib.POP3_SSL("localhost", lab.tls_port, context=ctx, timeout=30)
    n = len(sources)
    try:
        p.user(user)
        p.pass_(PW)
        _, uids, _ = p.uidl()
        doomed = [1, 2, n]
        gone = {uids[i - 1].split()[1] for i in doomed}
        for i in doomed:
            p.dele(i)
        check(p.quit() == b"+OK Bye, 3 messages deleted", "QUIT")
    finally:
        try:
            p.close()
        except OSError:
            pass
    p = poplib.POP3_SSL("localhost", lab.tls_port, context=ctx, timeout=30)
    try:
        p.user(user)
        p.pass_(PW)
        check(p.stat()[0] == n - 3, "STAT after deleting 3")
        _, uids, _ = p.uidl()
        left = {u.split()[1] for u in uids}
        check(not (left & gone), "a deleted UIDL is still listed")
        check(len(left) == n - 3, "UIDLs after delete")
        p.quit()
    finally:
        try:
            p.close()
        except OSError:
            pass
    files = sum(1 for _ in lab.maildir(user).glob("*/*"))
    check(files == n - 3, "%d files in the Maildir, want %d" % (files, n - 3))


# --- fetchmail --------------------------------------------------------------

FETCHMAIL_RCVD = re.compile(
    rb"(?m)^Received: from localhost \[127\.0\.0\.1\]\n"
    rb"(?:[ \t][^\n]*\n)*")


def strip_fetchmail(data):
    """Remove the one Received header block fetchmail adds. fetchmail puts
    it after a leading Return-Path:/Delivered-To: header when the message
    has one, otherwise at the top; it is always in the header section."""
    m = FETCHMAIL_RCVD.search(data)
    if m and b"(fetchmail-" in m.group(0):
        head_end = data.find(b"\n\n")
        if head_end < 0 or m.start() <= head_end:
            return data[:m.start()] + data[m.end():]
    raise Fail("no fetchmail Received header in the header section: %s" %
               p3lab.show(data[:160]))


def fetchmail_expect(msg):
    """What fetchmail does to a message besides its Received header:
    a leading mbox "From " envelope line is dropped, and a message without
    an empty line (no header/body separator) gets one appended."""
    if msg.startswith(b"From "):
        msg = msg.split(b"\n", 1)[1] if b"\n" in msg else b""
    if b"\n\n" not in msg and not msg.startswith(b"\n"):
        msg += b"\n"
    return msg


def t_fetchmail(lab, user, sources, mode):
    home = lab.dir / ("fm-" + user)
    out = home / "out"
    out.mkdir(parents=True)
    rc = home / "fetchmailrc"
    port = lab.tls_port if mode == "tls" else lab.port
    tls = "ssl sslproto tls1.2+" if mode == "tls" else "sslproto tls1.2+"
    rc.write_text(
        "set no syslog\nset no bouncemail\n"
        "poll localhost protocol pop3 port %d timeout 60 bad-header accept\n"
        "  user \"%s\" there with password \"%s\" is \"%s\" here\n"
        "  %s sslcertck sslcertfile \"%s\" sslcommonname localhost\n"
        "  no rewrite fetchall\n"
        "  mda \"cat > $(mktemp %s/m.XXXXXX)\"\n" %
        (port, user, PW, user, tls, lab.cert, out))
    os.chmod(rc, 0o600)
    env = dict(os.environ, HOME=str(home), FETCHMAILHOME=str(home))
    r = subprocess.run(["fetchmail", "-f", str(rc), "--nosyslog",
                        "--pidfile", str(home / "fetchmail.pid"),
                        "--idfile", str(home / "fetchids")],
                       capture_output=True, env=env, timeout=600)
    log = (r.stdout + r.stderr).decode(errors="replace")
    check(r.returncode == 0, "fetchmail exited %d:\n%s" %
          (r.returncode, log[-3000:]))
    got = [(f.name, strip_fetchmail(f.read_bytes()))
           for f in sorted(out.iterdir())]
    compare_sets(sources, got, "fetchmail (%s)" % mode, fetchmail_expect)
    # Default fetchmail deletes what it fetched: the mailbox is now empty.
    left = sorted(str(p.relative_to(lab.maildir(user)))
                  for p in lab.maildir(user).glob("*/*"))
    check(not left, "%d messages left on the server after fetchmail: %s" %
          (len(left), left[:5]))
    check_tls_sessions(lab, user)
    warn = [l for l in log.splitlines() if "arning" in l and
            "as root" not in l]
    return "%d messages%s" % (len(got), ("; fetchmail said: " + " | ".join(
        warn[:3])) if warn else "")


# --- mpop -------------------------------------------------------------------

def t_mpop(lab, user, sources, mode):
    home = lab.dir / ("mpop-" + user)
    out = p3lab.make_maildir(home / "Maildir")
    rc = home / "mpoprc"
    port = lab.tls_port if mode == "tls" else lab.port
    rc.write_text(
        "defaults\n"
        "account lab\n"
        "host localhost\nport %d\ntimeout 60\n"
        "user %s\npassword %s\n"
        "tls on\ntls_starttls %s\ntls_trust_file %s\n"
        "delivery maildir %s\nuidls_file %s\n"
        "keep on\nreceived_header off\n" %
        (port, user, PW, "on" if mode == "stls" else "off", lab.cert, out,
         home / "uidls"))
    os.chmod(rc, 0o600)
    env = dict(os.environ, HOME=str(home))

    def mpop():
        r = subprocess.run(["mpop", "-C", str(rc), "-q", "lab"],
                           capture_output=True, env=env, timeout=600)
        log = (r.stdout + r.stderr).decode(errors="replace")
        check(r.returncode == 0, "mpop exited %d:\n%s" %
              (r.returncode, log[-3000:]))
        return log
    mpop()
    files = [f for d in ("new", "cur") for f in sorted((out / d).iterdir())]
    got = [(f.name, f.read_bytes()) for f in files]
    compare_sets(sources, got, "mpop (%s)" % mode)
    # keep on: everything stays on the server, marked seen.
    md = lab.maildir(user)
    n_srv = sum(1 for _ in md.glob("*/*"))
    check(n_srv == len(sources), "%d messages on the server after a keep-on "
          "download" % n_srv)
    # Second run: the UIDLs are known, nothing new is downloaded.
    mpop()
    files2 = [f for d in ("new", "cur") for f in (out / d).iterdir()]
    check(len(files2) == len(files), "second mpop run downloaded %d more" %
          (len(files2) - len(files)))
    check(check_tls_sessions(lab, user, 2) == 2, "want 2 mpop sessions")
    return "%d messages, second run: nothing new" % len(got)


# --- a big mailbox ----------------------------------------------------------

def t_bigbox(lab, user, count):
    md = lab.maildir(user)
    t0 = time.monotonic()
    body = (b"From: gen@example.org\r\nSubject: message %d\r\n\r\n"
            b"small body %d\r\n")
    total = 0
    new = md / "new"
    for i in range(count):
        data = body % (i, i)
        total += len(data)
        name = "1700000000.M%06dP1.big,S=%d,W=%d" % (i, len(data), len(data))
        with open(new / name, "wb") as f:
            f.write(data)
        lab.fix_owner(new / name)
    gen = time.monotonic() - t0
    ctx = lab.context()
    t0 = time.monotonic()
    p = poplib.POP3_SSL("localhost", lab.tls_port, context=ctx, timeout=300)
    try:
        p.user(user)
        p.pass_(PW)
        n, size = p.stat()
        t_stat = time.monotonic() - t0
        check(n == count, "STAT count %d, want %d" % (n, count))
        check(size == total, "STAT size %d, want %d" % (size, total))
        t0 = time.monotonic()
        _, lines, _ = p.list()
        t_list = time.monotonic() - t0
        check(len(lines) == count, "LIST %d lines" % len(lines))
        check(sum(int(l.split()[1]) for l in lines) == total, "LIST sum")
        t0 = time.monotonic()
        _, uids, _ = p.uidl()
        t_uidl = time.monotonic() - t0
        check(len(uids) == count, "UIDL %d lines" % len(uids))
        _, body_lines, _ = p.retr(count)
        check(body_lines[1] == b"Subject: message %d" % (count - 1),
              "RETR %d gave %r" % (count, body_lines[:2]))
        p.quit()
    finally:
        try:
            p.close()
        except OSError:
            pass
    msg = ("%d messages: generated in %.1fs, login+STAT %.2fs, LIST %.2fs, "
           "UIDL %.2fs" % (count, gen, t_stat, t_list, t_uidl))
    print("    " + msg, flush=True)
    return msg


def main():
    p3lab.require_binary()
    sources = corpus()
    print("test_clients: %d corpus messages from %s, server %s" %
          (len(sources), p3lab.CORPUS, p3lab.postie_bin()), flush=True)
    lab = p3lab.Lab(prefix="p3clients-")
    try:
        users = ["curls", "curlt", "pops", "popt", "popd", "fms", "fmt",
                 "mps", "mpt"]
        for u in users:
            lab.add_user(u, PW)
            deliver_corpus(lab, u)
        lab.add_user("big", PW)
        lab.start(["--log-level", "info"])
        url = "pop3://localhost:%d" % lab.port
        urls = "pop3s://localhost:%d" % lab.tls_port
        have = {c: shutil.which(c) for c in ("curl", "fetchmail", "mpop")}
        for c, path in have.items():
            if not path:
                T.fail(c, "%s is not installed (scripts/install-deps --test)"
                       % c)
        if have["curl"]:
            run("curl-stls", t_curl, lab, "curls", sources, url,
                ["--ssl-reqd"])
            run("curl-pop3s", t_curl, lab, "curlt", sources, urls, [])
        run("poplib-stls-full", t_poplib_full, lab, "pops", sources, "stls")
        run("poplib-ssl-full", t_poplib_full, lab, "popt", sources, "tls")
        run("poplib-ssl-dele", t_poplib_dele, lab, "popd", sources)
        if have["fetchmail"]:
            run("fetchmail-stls", t_fetchmail, lab, "fms", sources, "stls")
            run("fetchmail-ssl", t_fetchmail, lab, "fmt", sources, "tls")
        if have["mpop"]:
            run("mpop-stls", t_mpop, lab, "mps", sources, "stls")
            run("mpop-tls", t_mpop, lab, "mpt", sources, "tls")
        big = int(os.environ.get("P3_BIGBOX", "100000"))
        run("bigbox-%d" % big, t_bigbox, lab, "big", big)
        code = lab.stop()
        if code != 0:
            T.fail("server-exit", "exit status %r after SIGTERM" % code)
        san = lab.sanitizer_report()
        if san:
            T.fail("server-sanitizer", san)
        else:
            T.ok("server-clean-exit", "no sanitizer report, exit 0"
                 if code == 0 else "no sanitizer report")
    finally:
        lab.cleanup()
    return T.summary()


if __name__ == "__main__":
    sys.exit(main())
