#!/usr/bin/env python3
"""test_fetch.py: `postie fetch` and `postie verify` end to end.

Against the real `postie serve` (p3lab.Lab, free loopback ports, a
self-signed certificate for localhost/127.0.0.1) holding every message of
../shared/corpus:
  - pop3s:// and pop3:// (STLS) fetch everything; each stored message equals
    its source byte for byte once line endings are normalised; a second run
    fetches nothing; --delete empties the server; verify spots a changed or
    missing message; password file permissions, wrong password, bad
    certificate, pin, plaintext mode; delete-after N days with a fake clock
    (POSTIE_FAKE_NOW); the mass-new pause and --rebuild-state; size limits
    (skip, headers only); --dry-run; a config file with several accounts
    fetched in parallel and the password sources; mbox and a delivery
    command; --json.
  - crash safety: 500 messages, postie fetch killed with SIGKILL at random
    moments (20 runs keeping mail, 20 deleting it), after each kill and each
    completing re-run: nothing lost on the server before it is stored, no
    partial or duplicate message locally, and in the end each message
    exactly once.
Against a hostile scripted server (Python, in this file): bad certificate,
wrong host name, over-long lines, a size that lies, dot-stuffing tricks, a
never-ending response, garbage after STLS, STLS refused, duplicate or
invalid unique-ids, a huge STAT count, no UIDL, SCRAM-SHA-256: each must end
with the documented exit code and leave no partial message in new/.

$POSTIE is the binary (default ./postie). Prints PASS/FAIL lines and
"N passed, N failed". Only the Python standard library is used; every
server is started here and stopped by PID.
"""

import base64
import collections
import hashlib
import hmac
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import p3lab  # noqa: E402
from p3lab import normalise_eol  # noqa: E402

PW = "fetch-test-pass-9Q"
T = p3lab.Tally()
RUN_TIMEOUT = 120


class Fail(Exception):
    pass


def check(cond, why):
    if not cond:
        raise Fail(why)


def run_test(name, fn, *args):
    try:
        detail = fn(*args)
        T.ok(name, detail or "")
    except Fail as e:
        T.fail(name, e)
    except Exception as e:  # a crash of the test itself is a failure too
        import traceback
        T.fail(name, "%s: %s\n%s" % (type(e).__name__, e,
                                     traceback.format_exc()))


# --- running postie fetch -------------------------------------------------

class World:
    """A private directory with a state dir, password file and Maildirs."""

    def __init__(self, lab=None, prefix="fetch-"):
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        self.state = self.dir / "state"
        self.pwfile = self.dir / "pw"
        self.pwfile.write_text(PW + "\n")
        os.chmod(self.pwfile, 0o600)
        self.lab = lab

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
                              env=self.env(extra_env), stdin=subprocess.DEVNULL)

    def verify(self, args=()):
        return subprocess.run([p3lab.postie_bin(), "verify"] + list(args),
                              capture_output=True, timeout=RUN_TIMEOUT,
                              env=self.env())

    def db(self):
        return sqlite3.connect(str(self.state / "postie" / "state.db"))

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


def url(lab, user="alice", tls=True, host=p3lab.HOST):
    if tls:
        return "pop3s://%s@%s:%d" % (user, host, lab.tls_port)
    return "pop3://%s@%s:%d" % (user, host, lab.port)


def summary(r):
    """The --json summary of a run (the first account)."""
    try:
        doc = json.loads(r.stdout.decode())
    except ValueError:
        raise Fail("no JSON on stdout (exit %d)\nstdout: %s\nstderr: %s" %
                   (r.returncode, r.stdout[-2000:], r.stderr[-2000:]))
    return doc["accounts"][0]


def outcome(r):
    return "exit %d\nstdout: %s\nstderr: %s" % (
        r.returncode, r.stdout.decode(errors="replace")[-1500:],
        r.stderr.decode(errors="replace")[-3000:])


def files(d):
    d = Path(d)
    return sorted(p for p in d.iterdir() if p.is_file()) if d.is_dir() else []


def local_msgs(md):
    md = Path(md)
    return files(md / "new") + files(md / "cur")


def server_names(lab, user="alice"):
    md = lab.maildir(user)
    return {p.name.split(":", 1)[0] for p in files(md / "new") +
            files(md / "cur")}


def corpus_lab(extra=()):
    lab = p3lab.Lab(prefix="fetch-srv-")
    lab.add_user("alice", PW)
    r = subprocess.run(["sh", str(p3lab.CORPUS / "make-maildir.sh"),
                        str(p3lab.CORPUS), str(lab.maildir("alice"))],
                       capture_output=True, timeout=120)
    check(r.returncode == 0, "make-maildir.sh: %s" % r.stderr)
    src = {p.name: p.read_bytes() for p in files(lab.maildir("alice") / "new")}
    lab.start(extra)
    return lab, src


def compare_by_state(w, md, src, port):
    """Each source message (UIDL = its file name on the server) must be in
    md with the same bytes, line endings normalised, and the SHA-256 in
    the state must be that of the stored file."""
    rows = w.db().execute(
        "SELECT m.uidl, m.location, m.sha256 FROM msg m JOIN account a "
        "ON a.id = m.account WHERE a.port = ?", (port,)).fetchall()
    byname = {r[0]: (r[1], r[2]) for r in rows}
    check(set(byname) == set(src), "state has %d uidls, server had %d; "
          "missing %s" % (len(byname), len(src),
                          sorted(set(src) - set(byname))[:5]))
    bad = []
    for name, data in src.items():
        loc, sha = byname[name]
        p = Path(md) / "new" / loc
        got = p.read_bytes()
        if normalise_eol(got) != normalise_eol(data):
            bad.append(name)
        if hashlib.sha256(got).hexdigest() != sha:
            bad.append(name + " (sha)")
        if b"\r\n" in got:
            bad.append(name + " (CRLF stored)")
    check(not bad, "%d messages differ: %s" % (len(bad), bad[:5]))
    return len(src)


# --- tests against postie serve -------------------------------------------

def t_fetch_all(lab, src, w):
    md = w.dir / "Mail"
    r = w.fetch([url(lab), "--maildir", md, "--password-file", w.pwfile,
                 "--ca", lab.cert, "--json"])
    check(r.returncode == 0, outcome(r))
    s = summary(r)
    check(s["fetched"] == len(src), "fetched %s of %d" % (s["fetched"],
                                                          len(src)))
    check(s["tls"].startswith("TLSv1."), "tls %s" % s["tls"])
    n = compare_by_state(w, md, src, lab.tls_port)
    check(not files(md / "tmp"), "tmp/ not empty")
    return "%d messages identical, %s" % (n, s["mechanism"])


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


def t_stls(lab, src, w):
    md = w.dir / "Mail-stls"
    r = w.fetch([url(lab, tls=False), "--maildir", md, "--password-file",
                 w.pwfile, "--ca", lab.cert, "--json"])
    check(r.returncode == 0, outcome(r))
    s = summary(r)
    check(s["fetched"] == len(src), "fetched %s" % s["fetched"])
    compare_by_state(w, md, src, lab.port)
    return "state is per (host, port, user): %d fetched" % s["fetched"]


def t_verify(lab, src, w):
    r = w.verify()
    check(r.returncode == 0, "clean verify: " + outcome(r))
    check(b"0 changed, 0 missing" in r.stdout, r.stdout)
    md = w.dir / "Mail"
    victims = files(md / "new")[:2]
    data = victims[0].read_bytes()
    victims[0].write_bytes(data + b"tampered\n")
    gone = victims[1].read_bytes()
    victims[1].unlink()
    r = w.verify()
    check(r.returncode == 1, "tampered verify: " + outcome(r))
    out = r.stdout.decode()
    check("CHANGED" in out and victims[0].name in out, out)
    check("MISSING" in out and victims[1].name in out, out)
    victims[0].write_bytes(data)
    # A reader moved it to cur/ and added a flag: still verified.
    (md / "cur" / (victims[1].name + ":2,S")).write_bytes(gone)
    r = w.verify()
    check(r.returncode == 0, "restored verify: " + outcome(r))
    return "changed and missing detected"


def t_delete(lab, src, w):
    md = w.dir / "Mail-del"
    w2 = World(prefix="fetch-del-")
    try:
        r = w2.fetch([url(lab), "--maildir", md, "--password-file",
                      w.pwfile, "--ca", lab.cert, "--delete", "--json"])
        check(r.returncode == 0, outcome(r))
        s = summary(r)
        check(s["fetched"] == len(src) and s["deleted"] == len(src),
              "summary %s" % s)
        check(not server_names(lab), "server still has %d" %
              len(server_names(lab)))
        got = sorted(normalise_eol(p.read_bytes()) for p in local_msgs(md))
        want = sorted(normalise_eol(b) for b in src.values())
        check(got == want, "stored set differs from the source set")
    finally:
        w2.cleanup()
    return "server emptied, %d stored" % len(src)


def t_password_perms(lab, w):
    bad = w.dir / "pw-open"
    bad.write_text(PW + "\n")
    os.chmod(bad, 0o644)
    r = w.fetch([url(lab), "--maildir", w.dir / "M-perm", "--password-file",
                 bad, "--ca", lab.cert])
    check(r.returncode == 2, outcome(r))
    check(b"chmod 600" in r.stderr, outcome(r))
    check(not (w.dir / "M-perm" / "new").exists() or
          not files(w.dir / "M-perm" / "new"), "stored something")
    return "mode 0644 refused, exit 2"


def t_wrong_password(lab, w):
    pw = w.dir / "pw-wrong"
    pw.write_text("not-the-password\n")
    os.chmod(pw, 0o600)
    r = w.fetch([url(lab), "--maildir", w.dir / "M-wrong",
                 "--password-file", pw, "--ca", lab.cert])
    check(r.returncode == 3, outcome(r))
    return "exit 3"


def t_bad_cert(lab, w):
    md = w.dir / "M-badcert"
    r = w.fetch([url(lab), "--maildir", md, "--password-file", w.pwfile])
    check(r.returncode == 4, outcome(r))
    check(b"certificate" in r.stderr, outcome(r))
    r = w.fetch([url(lab, tls=False), "--maildir", md, "--password-file",
                 w.pwfile])
    check(r.returncode == 4, "STLS: " + outcome(r))
    check(not local_msgs(md), "stored something")
    return "untrusted certificate: exit 4 (pop3s and STLS)"


def cert_sha256(pem_path):
    r = subprocess.run(["openssl", "x509", "-in", str(pem_path), "-noout",
                        "-fingerprint", "-sha256"], capture_output=True,
                       check=True, timeout=30)
    return r.stdout.decode().strip().split("=", 1)[1]


def t_pin(lab, src, w):
    pin = cert_sha256(lab.cert)
    w2 = World(prefix="fetch-pin-")
    try:
        md = w2.dir / "M"
        r = w2.fetch([url(lab), "--maildir", md, "--password-file",
                      w.pwfile, "--pin", pin, "--json"])
        check(r.returncode == 0, "right pin: " + outcome(r))
        check(summary(r)["fetched"] == len(src), "fetched")
        wrong = "00" + pin.replace(":", "")[2:]
        r = w2.fetch([url(lab), "--maildir", md, "--password-file",
                      w.pwfile, "--pin", wrong, "--all"])
        check(r.returncode == 4, "wrong pin: " + outcome(r))
        check(b"pin mismatch" in r.stderr, outcome(r))
    finally:
        w2.cleanup()
    return "pin replaces the CA check; a wrong pin is exit 4"


def t_plaintext():
    lab = p3lab.Lab(prefix="fetch-plain-", cert=False)
    w = World(prefix="fetch-plain-")
    try:
        lab.add_user("alice", PW)
        lab.add_mail("alice", b"Subject: clear\r\n\r\nhello\r\n")
        lab.start(["--allow-plaintext-auth"])
        md = w.dir / "M"
        r = w.fetch([url(lab, tls=False), "--maildir", md,
                     "--password-file", w.pwfile])
        check(r.returncode == 4, "STLS required by default: " + outcome(r))
        check(not local_msgs(md), "stored without TLS")
        r = w.fetch([url(lab, tls=False), "--maildir", md,
                     "--password-file", w.pwfile, "--insecure-plaintext",
                     "--json"])
        check(r.returncode == 0, outcome(r))
        check(b"INSECURE" in r.stderr, "no loud warning: " + outcome(r))
        check(summary(r)["fetched"] == 1, "fetched")
        r = w.fetch([url(lab), "--maildir", md, "--password-file",
                     w.pwfile, "--insecure-plaintext"])
        check(r.returncode == 2, "--insecure-plaintext with pop3s: " +
              outcome(r))
    finally:
        lab.stop()
        lab.cleanup()
        w.cleanup()
    return "refused without the flag; loud warning with it"


def small_lab(n, user="alice", extra=(), body=None):
    lab = p3lab.Lab(prefix="fetch-small-")
    lab.add_user(user, PW)
    src = {}
    for i in range(n):
        data = body(i) if body else (
            b"From: a@example.org\r\nSubject: message %d\r\n"
            b"Message-ID: <%d@t>\r\n\r\nbody %d\r\n.dot line\r\n" % (i, i, i))
        src[lab.add_mail(user, data)] = data
    lab.start(extra)
    return lab, src


def t_delete_after():
    lab, src = small_lab(6)
    w = World(prefix="fetch-age-")
    try:
        md = w.dir / "M"
        base = 1800000000
        args = [url(lab), "--maildir", md, "--password-file", w.pwfile,
                "--ca", lab.cert, "--delete-after", "10", "--json"]
        r = w.fetch(args, {"POSTIE_FAKE_NOW": str(base)})
        check(r.returncode == 0, outcome(r))
        check(summary(r)["fetched"] == 6 and summary(r)["deleted"] == 0,
              "day 0: %s" % summary(r))
        r = w.fetch(args, {"POSTIE_FAKE_NOW": str(base + 9 * 86400)})
        check(r.returncode == 0 and summary(r)["deleted"] == 0,
              "day 9: " + outcome(r))
        check(len(server_names(lab)) == 6, "deleted too early")
        r = w.fetch(args, {"POSTIE_FAKE_NOW": str(base + 10 * 86400 + 1)})
        check(r.returncode == 0 and summary(r)["deleted"] == 6,
              "day 10: " + outcome(r))
        check(not server_names(lab), "server not emptied")
        check(len(local_msgs(md)) == 6, "local copies")
    finally:
        lab.stop()
        lab.cleanup()
        w.cleanup()
    return "kept on day 9, deleted after day 10"


def t_mass_new():
    lab, src = small_lab(30)
    w = World(prefix="fetch-mass-")
    try:
        md = w.dir / "M"
        args = [url(lab), "--maildir", md, "--password-file", w.pwfile,
                "--ca", lab.cert, "--json"]
        r = w.fetch(args)
        check(r.returncode == 0 and summary(r)["fetched"] == 30, outcome(r))
        # A "migration": every message gets a new name, hence a new UIDL.
        for sub in ("new", "cur"):
            for p in files(lab.maildir("alice") / sub):
                p.rename(p.with_name("mig" + p.name))
        r = w.fetch(args)
        check(r.returncode == 1, "no pause: " + outcome(r))
        s = summary(r)
        check(s["status"] == "paused" and s["fetched"] == 0, "%s" % s)
        check(b"rebuild-state" in r.stdout, outcome(r))
        check(len(local_msgs(md)) == 30, "downloaded during the pause")
        r = w.fetch(args + ["--rebuild-state"])
        check(r.returncode == 0 and summary(r)["marked_seen"] == 30,
              "rebuild: " + outcome(r))
        r = w.fetch(args)
        check(r.returncode == 0 and summary(r)["fetched"] == 0,
              "after rebuild: " + outcome(r))
        lab.add_mail("alice", b"Subject: really new\r\n\r\nx\r\n")
        lab.fix_owner()
        r = w.fetch(args)
        check(r.returncode == 0 and summary(r)["fetched"] == 1,
              "new mail after rebuild: " + outcome(r))
    finally:
        lab.stop()
        lab.cleanup()
        w.cleanup()
    return "paused at 30/30 new, rebuilt, then only new mail"


def t_size_limit():
    big = b"Subject: big\r\nFrom: x@y\r\n\r\n" + b"y" * 70 + b"\r\n"
    lab, src = small_lab(4, body=lambda i: big * 60 if i % 2 else
                         b"Subject: small %d\r\n\r\nhi\r\n" % i)
    w = World(prefix="fetch-size-")
    try:
        md = w.dir / "M"
        r = w.fetch([url(lab), "--maildir", md, "--password-file",
                     w.pwfile, "--ca", lab.cert, "--size-limit", "1000",
                     "--json"])
        check(r.returncode == 0, outcome(r))
        s = summary(r)
        check(s["fetched"] == 2 and s["skipped"] == 2, "skip: %s" % s)
        md2 = w.dir / "M2"
        r = w.fetch([url(lab), "--maildir", md2, "--password-file",
                     w.pwfile, "--ca", lab.cert, "--size-limit", "1000",
                     "--oversize", "headers", "--all", "--json"])
        check(r.returncode == 0, outcome(r))
        s = summary(r)
        check(s["fetched"] == 2 and s["headers_only"] == 2, "hdrs: %s" % s)
        heads = [p.read_bytes() for p in local_msgs(md2)
                 if b"X-Postie-Truncated" in p.read_bytes()]
        check(len(heads) == 2, "headers-only files: %d" % len(heads))
        check(all(b"Subject: big\n" in h and b"yyyy" not in h
                  for h in heads), "headers-only content")
    finally:
        lab.stop()
        lab.cleanup()
        w.cleanup()
    return "2 skipped; then 2 headers-only via TOP n 0"


def t_dry_run():
    lab, src = small_lab(3)
    w = World(prefix="fetch-dry-")
    try:
        md = w.dir / "M"
        r = w.fetch([url(lab), "--maildir", md, "--password-file",
                     w.pwfile, "--ca", lab.cert, "--dry-run"])
        check(r.returncode == 0, outcome(r))
        out = r.stdout.decode()
        check(out.count("would fetch") == 3, out)
        check('subject="message 1"' in out, out)
        check(not local_msgs(md), "dry run stored mail")
        r = w.fetch([url(lab), "--maildir", md, "--password-file",
                     w.pwfile, "--ca", lab.cert, "--json"])
        check(summary(r)["fetched"] == 3, "real run after dry run")
        r = w.fetch([url(lab), "--maildir", md, "--password-file",
                     w.pwfile, "--ca", lab.cert, "--dry-run", "--delete"])
        check(r.stdout.decode().count("would delete") == 3, outcome(r))
        check(len(server_names(lab)) == 3, "dry run deleted")
    finally:
        lab.stop()
        lab.cleanup()
        w.cleanup()
    return "subjects listed, nothing written"


def t_config_parallel():
    lab = p3lab.Lab(prefix="fetch-multi-")
    w = World(prefix="fetch-multi-")
    try:
        users = ["u%d" % i for i in range(5)]
        for u in users:
            lab.add_user(u, PW)
            for i in range(20):
                lab.add_mail(u, b"Subject: %s %d\r\n\r\nbody\r\n" %
                             (u.encode(), i))
        lab.start()
        cmd = w.dir / "getpw.sh"
        cmd.write_text("#!/bin/sh\nprintf '%s\\n'\n" % PW)
        os.chmod(cmd, 0o700)
        conf = ["# test config", "[defaults]", "ca = %s" % lab.cert,
                "password-file = %s" % w.pwfile, ""]
        for i, u in enumerate(users):
            conf += ["[account %s]" % u, "url = %s" % url(lab, u),
                     "maildir = %s" % (w.dir / u)]
            if i == 1:
                conf.append("password-command = %s" % cmd)
            if i == 2:
                conf.append("policy = delete")
            conf.append("")
        conf += ["[account off]", "url = %s" % url(lab, "nobody"),
                 "maildir = %s" % (w.dir / "off"), "enabled = no"]
        cf = w.dir / "fetch.conf"
        cf.write_text("\n".join(conf) + "\n")
        r = w.fetch(["--config", cf, "--parallel", "3", "--json"])
        check(r.returncode == 0, outcome(r))
        doc = json.loads(r.stdout)
        check(len(doc["accounts"]) == 5, "accounts %d" % len(doc["accounts"]))
        for a in doc["accounts"]:
            check(a["fetched"] == 20, "account %s: %s" % (a["account"], a))
        check(not server_names(lab, "u2"), "u2 delete policy")
        check(len(server_names(lab, "u3")) == 20, "u3 kept")
        r = w.fetch(["--config", cf, "--account", "u4", "--json"])
        doc = json.loads(r.stdout)
        check(len(doc["accounts"]) == 1 and doc["accounts"][0]["fetched"] ==
              0, "single account rerun")
        bad = w.dir / "bad.conf"
        bad.write_text("[account x]\nurl = pop3s://a@b\nmaildir = /m\n"
                       "frobnicate = yes\n")
        r = w.fetch(["--config", bad])
        check(r.returncode == 2 and b"bad.conf:4: frobnicate" in r.stderr,
              "bad config: " + outcome(r))
        # One account failing makes the run exit 1; the others still work.
        (w.dir / "pw").write_text("wrong\n")
        lab.add_mail("u1", b"Subject: later\r\n\r\nx\r\n")
        lab.fix_owner()
        r = w.fetch(["--config", cf, "--json"])
        doc = json.loads(r.stdout)
        codes = sorted(a["exit"] for a in doc["accounts"])
        check(r.returncode == 1 and codes == [0, 3, 3, 3, 3],
              "mixed: %s %s" % (codes, outcome(r)))
        u1 = [a for a in doc["accounts"] if a["account"] == "u1"][0]
        check(u1["fetched"] == 1, "password-command account: %s" % u1)
    finally:
        lab.stop()
        lab.cleanup()
        w.cleanup()
    return "5 accounts, 3 at a time; bad config exit 2; mixed exit 1"


def t_mbox_and_mda():
    lab, src = small_lab(5, body=lambda i: (
        b"Subject: m%d\r\n\r\nFrom the start\r\n>From quoted\r\n" % i))
    w = World(prefix="fetch-mbox-")
    try:
        mbox = w.dir / "mbox"
        r = w.fetch([url(lab), "--mbox", mbox, "--password-file", w.pwfile,
                     "--ca", lab.cert, "--json"])
        check(r.returncode == 0 and summary(r)["fetched"] == 5, outcome(r))
        data = mbox.read_bytes()
        check(len(re.findall(rb"(?m)^From ", data)) == 5, "From_ lines")
        check(data.count(b"\n>From the start") == 5, "From quoted")
        check(data.count(b"\n>>From quoted") == 5, ">From quoted (mboxrd)")
        r = w.verify()
        check(r.returncode == 0, "verify mbox: " + outcome(r))
        out = w.dir / "mda-out"
        out.mkdir()
        script = w.dir / "mda.sh"
        script.write_text("#!/bin/sh\ncat > \"%s/$$.msg\"\n" % out)
        os.chmod(script, 0o700)
        w2 = World(prefix="fetch-mda-")
        r = w2.fetch([url(lab), "--mda", script, "--password-file",
                      w.pwfile, "--ca", lab.cert, "--json"])
        check(r.returncode == 0 and summary(r)["fetched"] == 5, outcome(r))
        check(len(files(out)) == 5, "MDA got %d" % len(files(out)))
        failing = w.dir / "fail.sh"
        failing.write_text("#!/bin/sh\ncat >/dev/null\nexit 75\n")
        os.chmod(failing, 0o700)
        w3 = World(prefix="fetch-mda2-")
        r = w3.fetch([url(lab), "--mda", failing, "--password-file",
                      w.pwfile, "--ca", lab.cert, "--delete", "--json"])
        check(r.returncode == 1, "tempfail: " + outcome(r))
        check(summary(r)["fetched"] == 0 and summary(r)["deleted"] == 0,
              "%s" % summary(r))
        check(len(server_names(lab)) == 5, "deleted after a failed MDA")
        w2.cleanup()
        w3.cleanup()
    finally:
        lab.stop()
        lab.cleanup()
        w.cleanup()
    return "mboxrd quoting, verify; MDA exit status checked"


def t_prompt_and_progress():
    """The password prompt on the terminal (a pty) and the progress
    display that a terminal gets."""
    import pty
    lab, src = small_lab(40)
    w = World(prefix="fetch-tty-")
    try:
        md = w.dir / "M"
        argv = [p3lab.postie_bin(), "fetch", url(lab), "--maildir", str(md),
                "--ca", lab.cert]
        pid, fd = pty.fork()
        if pid == 0:  # child: the pty is its terminal
            try:
                os.execve(argv[0], argv, w.env())
            finally:
                os._exit(127)
        out = b""
        deadline = time.monotonic() + 60
        sent = False
        status = None
        import select
        while time.monotonic() < deadline:
            # Never block: a hung child must fail the test, not hang it.
            ready, _, _ = select.select([fd], [], [], 1.0)
            if not ready:
                continue
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if chunk:
                out += chunk
            if not sent and b"Password for alice@" in out:
                os.write(fd, (PW + "\n").encode())
                sent = True
            if not chunk:
                break
        else:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        os.close(fd)
        check(sent, "no prompt: %r" % out[-500:])
        check(os.WEXITSTATUS(status) == 0, "exit %d: %r" % (
            os.WEXITSTATUS(status), out[-1500:]))
        check(PW.encode() not in out, "password echoed")
        check(len(local_msgs(md)) == 40, "fetched %d" % len(local_msgs(md)))
        check(re.search(rb"done +40/40 msgs", out) is not None,
              "no progress display: %r" % out[-800:])
        check(b"40 fetched" in out, "summary: %r" % out[-800:])
    finally:
        lab.stop()
        lab.cleanup()
        w.cleanup()
    return "prompted without echo; progress lines drawn"


def t_daemon():
    lab, src = small_lab(2)
    w = World(prefix="fetch-daemon-")
    proc = None
    try:
        dead = p3lab.free_port()
        cf = w.dir / "fetch.conf"
        cf.write_text("[defaults]\ninterval = 1s\nca = %s\n"
                      "password-file = %s\n\n[account a]\nurl = %s\n"
                      "maildir = %s\n\n[account dead]\nurl = "
                      "pop3s://x@127.0.0.1:%d\nmaildir = %s\n" % (
                          lab.cert, w.pwfile, url(lab), w.dir / "M",
                          dead, w.dir / "D"))
        errlog = open(w.dir / "daemon.log", "wb")
        proc = subprocess.Popen(
            [p3lab.postie_bin(), "fetch", "--config", str(cf), "--daemon"],
            stdout=errlog, stderr=errlog, stdin=subprocess.DEVNULL,
            env=w.env())

        def wait_files(k, secs=15):
            t0 = time.monotonic()
            while time.monotonic() - t0 < secs:
                if len(local_msgs(w.dir / "M")) >= k:
                    return True
                time.sleep(0.1)
            return False
        check(wait_files(2), "first round did not fetch")
        lab.add_mail("alice", b"Subject: later\r\n\r\nx\r\n")
        lab.fix_owner()
        check(wait_files(3), "a later round did not fetch the new mail")
        time.sleep(6.5)  # the dead account backs off: 1s, 2s, 4s
        proc.send_signal(signal.SIGTERM)
        code = proc.wait(timeout=30)
        proc = None
        log = (w.dir / "daemon.log").read_text()
        check(code == 0, "exit %s\n%s" % (code, log[-2000:]))
        check(len(local_msgs(w.dir / "M")) == 3, "duplicates")
        check("failure 1 in a row; retry in 2s" in log and
              "failure 2 in a row; retry in 4s" in log,
              "no exponential back-off:\n" + log[-2000:])
        check("daemon: stopping" in log, log[-500:])
    finally:
        if proc is not None:
            proc.kill()
            proc.wait(timeout=10)
        lab.stop()
        lab.cleanup()
        w.cleanup()
    return "new mail picked up; back-off 1s/2s/4s; SIGTERM exits 0"


def t_account_lock(hw):
    msg = b"Subject: hi\r\n\r\nhello\r\n"
    started = threading.Event()

    def drip(p):
        line = login_and_list(p, [msg], [b"lock1"])
        if line is not None and line.startswith(b"RETR"):
            started.set()
            p.send(b"+OK\r\n")
            try:
                for _ in range(60):
                    p.send(b"a")
                    time.sleep(0.25)
            except OSError:
                pass

    srv = Hostile(drip)
    first = None
    try:
        args = [p3lab.postie_bin(), "fetch",
                "pop3://alice@127.0.0.1:%d" % srv.port, "--maildir",
                str(hw.w.dir / "M-lock"), "--password-file",
                str(hw.w.pwfile), "--insecure-plaintext"]
        first = subprocess.Popen(args, stdout=subprocess.DEVNULL,
                                 stderr=subprocess.DEVNULL,
                                 stdin=subprocess.DEVNULL, env=hw.w.env())
        check(started.wait(20), "first fetch never reached RETR")
        r = subprocess.run(args, capture_output=True, timeout=30,
                           env=hw.w.env())
        check(r.returncode == 1 and b"another postie fetch" in r.stderr,
              outcome(r))
    finally:
        if first is not None:
            first.kill()
            first.wait(timeout=10)
        srv.close()
    return "a second run on the same account refused while one works"


# --- crash safety ----------------------------------------------------------

SEQ_RE = re.compile(rb"^X-Crash-Seq: (\d+)\r?$", re.M)


def crash_sources(n):
    corpus = sorted(p3lab.CORPUS.glob("*.eml"))
    out = {}
    for i in range(n):
        data = corpus[i % len(corpus)].read_bytes()
        out[i] = b"X-Crash-Seq: %d\r\n" % i + data
    return out


def crash_reset(lab, srcs):
    md = lab.maildir("alice")
    for sub in ("new", "cur", "tmp"):
        shutil.rmtree(md / sub, ignore_errors=True)
        (md / sub).mkdir()
    for i, data in srcs.items():
        (md / "new" / ("crash%04d.eml" % i)).write_bytes(data)
    lab.fix_owner()  # the server runs as the mail store's owner


def mbox_messages(path):
    """Messages of an mboxrd file: From_ lines split them, one '>' of
    quoted From lines is removed, the blank separator line dropped."""
    if not Path(path).exists():
        return []
    msgs, cur = [], None
    for line in Path(path).read_bytes().splitlines(keepends=True):
        if line.startswith(b"From "):
            if cur is not None:
                msgs.append(cur)
            cur = []
            continue
        if cur is None:
            continue
        if re.match(rb">+From ", line):
            line = line[1:]
        cur.append(line)
    if cur is not None:
        msgs.append(cur)
    out = []
    for m in msgs:
        if m and m[-1] == b"\n":
            m = m[:-1]
        out.append(b"".join(m))
    return out


def crash_check(lab, md, srcs, complete, deleting, mbox=None):
    """Invariants: every local message is a whole source message, no
    message twice, nothing gone from the server unless stored. With
    complete, all messages are stored (and, deleting, gone from the
    server). An mbox may end in a torn message until the next run."""
    seen = collections.Counter()
    if mbox is not None:
        got = [("mbox#%d" % k, m) for k, m in enumerate(mbox_messages(mbox))]
    else:
        got = [(p.name, p.read_bytes()) for p in local_msgs(md)]
    for k, (name, data) in enumerate(got):
        m = SEQ_RE.search(data)
        check(m is not None, "foreign or partial message %s" % name)
        i = int(m.group(1))
        whole = normalise_eol(data) == normalise_eol(srcs[i])
        # A torn tail may stop mid-line: compare it as it is (CRLF to LF
        # only), without the final LF that normalise_eol adds.
        if not whole and mbox is not None and not complete and \
                k == len(got) - 1 and normalise_eol(srcs[i]).startswith(
                    data.replace(b"\r\n", b"\n")):
            continue  # torn tail of an interrupted append
        check(whole, "partial or changed message %d in %s" % (i, name))
        seen[i] += 1
    dups = [i for i, c in seen.items() if c > 1]
    check(not dups, "duplicates: %s" % dups[:10])
    on_server = {int(n[5:9]) for n in server_names(lab)}
    lost = [i for i in srcs if i not in seen and i not in on_server]
    check(not lost, "deleted on the server before stored: %s" % lost[:10])
    if complete:
        check(len(seen) == len(srcs), "stored %d of %d" % (len(seen),
                                                          len(srcs)))
        if deleting:
            check(not on_server, "%d left on the server" % len(on_server))
        else:
            check(len(on_server) == len(srcs), "server lost mail")
    return len(seen), len(on_server)


def crash_run(lab, srcs, deleting, runs, rng, use_mbox=False):
    args = ["--password-file", None, "--ca", lab.cert, "--json"]
    if deleting:
        args.append("--delete")
    durations = []
    kills = []
    recovered = 0
    total = sum(len(normalise_eol(b)) for b in srcs.values())
    for k in range(runs):
        crash_reset(lab, srcs)
        w = World(prefix="fetch-crash-")
        try:
            md = w.dir / "M"
            mbox = w.dir / "mbox" if use_mbox else None
            a = [url(lab)] + (["--mbox", mbox] if use_mbox else
                              ["--maildir", md]) + args
            a[a.index(None)] = w.pwfile
            if not durations:  # calibrate the length of a whole run
                t0 = time.monotonic()
                r = w.fetch(a)
                durations.append(time.monotonic() - t0)
                check(r.returncode == 0, "calibration: " + outcome(r))
                crash_check(lab, md, srcs, True, deleting, mbox)
                crash_reset(lab, srcs)
                shutil.rmtree(w.state)
                shutil.rmtree(md, ignore_errors=True)
                if mbox is not None:
                    mbox.unlink()
            # Kill when a random number of messages has been stored (plus a
            # random few ms); deleting, half of the kills come after the
            # last message, while the DELEs and the QUIT are under way.
            target = rng.randint(0, len(srcs))
            extra = rng.uniform(0.0, 0.01)
            if deleting and k % 2:
                target, extra = len(srcs), rng.uniform(0.0, 0.003)
            proc = subprocess.Popen(
                [p3lab.postie_bin(), "fetch"] + [str(x) for x in a],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL, env=w.env())
            try:
                t0 = time.monotonic()
                while proc.poll() is None and \
                        time.monotonic() - t0 < 60:
                    if mbox is not None:
                        n = (mbox.stat().st_size * len(srcs) // total
                             if mbox.exists() else 0)
                    else:
                        d = md / "new"
                        n = len(os.listdir(d)) if d.is_dir() else 0
                    if n >= target:
                        break
                    time.sleep(0.0005)
                time.sleep(extra)
                delay = time.monotonic() - t0
                proc.send_signal(signal.SIGKILL)
            finally:
                proc.wait(timeout=30)
            # The server notices the dropped connection; give it a moment
            # to release the mailbox lock before the re-run.
            stored, left = crash_check(lab, md, srcs, False, deleting, mbox)
            for _attempt in range(20):
                r = w.fetch(a)
                if r.returncode == 0:
                    break
                check(b"IN-USE" in r.stderr or b"locked" in r.stderr,
                      "re-run %d: %s" % (k, outcome(r)))
                time.sleep(0.2)
            check(r.returncode == 0, "re-run never completed: " + outcome(r))
            crash_check(lab, md, srcs, True, deleting, mbox)
            rec = summary(r)["recovered"]
            recovered += rec
            kills.append("%.2fs:%d/%d%s" % (delay, stored, left,
                                            "+%dr" % rec if rec else ""))
            r = w.verify()
            check(r.returncode == 0, "verify after crash: " + outcome(r))
        finally:
            w.cleanup()
    return ("run %.2fs; %d intents recovered; kill@time:stored/on-server"
            "[+recovered] %s" % (durations[0], recovered, " ".join(kills)))


def t_crash(deleting, use_mbox=False, n=500, runs=20):
    lab = p3lab.Lab(prefix="fetch-crash-")
    try:
        lab.add_user("alice", PW)
        lab.start()
        srcs = crash_sources(n)
        rng = random.Random(int(os.environ.get("CRASH_SEED", "4242")) +
                            (1 if deleting else 0) + (2 if use_mbox else 0))
        return crash_run(lab, srcs, deleting, runs, rng, use_mbox)
    finally:
        lab.stop()
        lab.cleanup()


# --- hostile scripted server ------------------------------------------------

class Hostile:
    """A one-scenario POP3 server on a free loopback port. script(conn)
    runs per connection with a Peer offering send/recv_line/starttls."""

    def __init__(self, script, tls_ctx=None, implicit=False):
        self.script = script
        self.tls_ctx = tls_ctx
        self.implicit = implicit
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind((p3lab.HOST, 0))
        self.sock.listen(8)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.stop_ev = threading.Event()
        self.received = []
        self.errors = []
        self.th = threading.Thread(target=self.loop, daemon=True)
        self.th.start()

    def loop(self):
        while not self.stop_ev.is_set():
            try:
                c, _ = self.sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            threading.Thread(target=self.serve, args=(c,),
                             daemon=True).start()

    def serve(self, c):
        c.settimeout(15)
        peer = Peer(self, c)
        try:
            if self.implicit:
                peer.starttls()
            self.script(peer)
        except (OSError, ssl.SSLError, BrokenPipeError) as e:
            self.errors.append(repr(e))
        finally:
            try:
                peer.sock.close()
            except OSError:
                pass

    def close(self):
        self.stop_ev.set()
        self.sock.close()
        self.th.join(timeout=5)


class Peer:
    def __init__(self, server, sock):
        self.server = server
        self.sock = sock
        self.buf = b""

    def send(self, data):
        self.sock.sendall(data)

    def recv_line(self):
        while b"\n" not in self.buf:
            d = self.sock.recv(4096)
            if not d:
                raise OSError("client closed")
            self.buf += d
        line, self.buf = self.buf.split(b"\n", 1)
        line = line.rstrip(b"\r")
        self.server.received.append(line)
        return line

    def starttls(self):
        self.sock = self.server.tls_ctx.wrap_socket(self.sock,
                                                    server_side=True)
        self.buf = b""


def stuff(msg):
    out = []
    for line in msg.split(b"\r\n")[:-1]:
        out.append(b"." + line if line.startswith(b".") else line)
    return b"\r\n".join(out) + b"\r\n.\r\n"


def login_and_list(p, msgs, uidls=None, capa=b"UIDL\r\nUSER\r\n",
                   list_sizes=None):
    """A minimal well-behaved POP3 dialogue up to the transaction state;
    returns the first command after it for the caller to answer."""
    p.send(b"+OK hostile ready\r\n")
    while True:
        line = p.recv_line()
        verb = line.split(b" ")[0].upper()
        if verb == b"CAPA":
            p.send(b"+OK\r\n" + capa + b".\r\n")
        elif verb == b"USER":
            p.send(b"+OK\r\n")
        elif verb == b"PASS":
            p.send(b"+OK logged in\r\n")
        elif verb == b"STAT":
            p.send(b"+OK %d %d\r\n" % (len(msgs), sum(map(len, msgs))))
        elif verb == b"UIDL" and uidls is not None:
            p.send(b"+OK\r\n" + b"".join(b"%d %s\r\n" % (i + 1, u)
                                        for i, u in enumerate(uidls)) +
                   b".\r\n")
        elif verb == b"UIDL":
            p.send(b"-ERR no UIDL here\r\n")
        elif verb == b"LIST":
            sizes = list_sizes or [len(m) for m in msgs]
            p.send(b"+OK\r\n" + b"".join(b"%d %d\r\n" % (i + 1, s)
                                        for i, s in enumerate(sizes)) +
                   b".\r\n")
        elif verb == b"TOP":
            n = int(line.split(b" ")[1])
            head = msgs[n - 1].split(b"\r\n\r\n", 1)[0] + b"\r\n\r\n"
            p.send(b"+OK\r\n" + stuff(head))
        elif verb == b"QUIT":
            p.send(b"+OK bye\r\n")
            return None
        else:
            return line


def serve_retr(p, msgs, retr):
    """Answer commands after login; retr(n) gives the raw RETR reply."""
    line = login_and_list(p, msgs, [b"u%d" % i for i in range(len(msgs))])
    while line is not None:
        verb = line.split(b" ")[0].upper()
        if verb == b"RETR":
            p.send(retr(int(line.split(b" ")[1])))
        elif verb == b"DELE":
            p.send(b"+OK\r\n")
        else:
            p.send(b"-ERR what\r\n")
        line = login_and_list_continue(p, msgs)


def login_and_list_continue(p, msgs):
    line = p.recv_line()
    if line.split(b" ")[0].upper() == b"QUIT":
        p.send(b"+OK bye\r\n")
        return None
    return line


class HostileWorld:
    def __init__(self):
        self.w = World(prefix="fetch-hostile-")
        self.cert_dir = self.w.dir / "certs"
        self.cert_dir.mkdir()
        self.cert, self.key = p3lab.make_cert(self.cert_dir)
        self.wrong_cert = self.cert_dir / "wrong.pem"
        self.wrong_key = self.cert_dir / "wrong.key"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-days", "2", "-subj", "/CN=wrong.example", "-addext",
             "subjectAltName=DNS:wrong.example", "-keyout",
             str(self.wrong_key), "-out", str(self.wrong_cert)],
            check=True, capture_output=True, timeout=60)

    def ctx(self, wrong=False):
        c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if wrong:
            c.load_cert_chain(str(self.wrong_cert), str(self.wrong_key))
        else:
            c.load_cert_chain(self.cert, self.key)
        return c

    def run(self, srv, scheme="pop3", extra=(), ca=None, timeout=60,
            md_name="M"):
        md = self.w.dir / md_name
        plain = ["--insecure-plaintext"] if scheme == "pop3" and \
            srv.tls_ctx is None else []
        r = self.w.fetch(["%s://alice@127.0.0.1:%d" % (scheme, srv.port),
                          "--maildir", md, "--password-file", self.w.pwfile,
                          "--ca", ca or self.cert, "--timeout", "5"] +
                         plain + list(extra), timeout=timeout)
        return r, md


def hostile_case(hw, name, script, want_exit, tls=None, implicit=False,
                 scheme="pop3", extra=(), want_files=0, ca=None,
                 check_fn=None, max_secs=40):
    srv = Hostile(script, tls, implicit)
    try:
        t0 = time.monotonic()
        r, md = hw.run(srv, scheme, extra, ca, md_name="M-" + name)
        took = time.monotonic() - t0
        check(r.returncode == want_exit, "%s: want exit %d\n%s" % (
            name, want_exit, outcome(r)))
        check(took < max_secs, "%s took %.1fs" % (name, took))
        got = files(md / "new")
        check(len(got) == want_files, "%s: %d files in new/" % (name,
                                                               len(got)))
        check(not files(md / "tmp"), "%s: leftover in tmp/" % name)
        if check_fn:
            check_fn(r, md, srv)
        errs = [l for l in r.stderr.decode(errors="replace").splitlines()
                if "error:" in l or "warning:" in l]
        why = errs[-1].split(": ", 2)[-1][:110] if errs else ""
        return "%.1fs%s" % (took, ": " + why if why else "")
    finally:
        srv.close()


def t_hostile(hw):
    msg = b"Subject: hi\r\n\r\nhello\r\n"
    results = []

    def overlong_greeting(p):
        p.send(b"+OK " + b"x" * 100000 + b"\r\n")
        time.sleep(1)

    results.append(("overlong greeting", overlong_greeting, 5, {}))

    def overlong_uidl(p):
        login_and_list(p, [msg], [b"a" * 5000])

    results.append(("overlong UIDL line", overlong_uidl, 5, {}))

    def overlong_body_line(p):
        serve_retr(p, [msg], lambda n: b"+OK\r\n" + b"z" * 200000 +
                   b"\r\n.\r\n")

    results.append(("overlong body line", overlong_body_line, 5, {}))

    def lying_size(p):
        body = b"Subject: lie\r\n\r\n" + b"long line\r\n" * 400
        line = login_and_list(p, [body], [b"lie1"], list_sizes=[100])
        while line is not None:
            if line.startswith(b"RETR"):
                p.send(b"+OK\r\n" + stuff(body))
            line = login_and_list_continue(p, [body])

    def lying_check(r, md, srv):
        check(b"announced 100" in r.stderr, "no size warning: " +
              outcome(r))

    results.append(("size that lies", lying_size, 0,
                    {"want_files": 1, "check_fn": lying_check}))

    def dot_stuffing(p):
        body = (b"Subject: dots\r\n\r\n..leading dot\r\n...\r\n"
                b". dot space\r\nend\r\n")
        line = login_and_list(p, [body], [b"dot1"])
        while line is not None:
            if line.startswith(b"RETR"):
                p.send(b"+OK\r\n" + stuff(body))
            line = login_and_list_continue(p, [body])

    def dots_check(r, md, srv):
        got = files(md / "new")[0].read_bytes()
        check(got == b"Subject: dots\n\n..leading dot\n...\n. dot space\n"
              b"end\n", "unstuffed wrongly: %r" % got)

    results.append(("dot-stuffing decoded", dot_stuffing, 0,
                    {"want_files": 1, "check_fn": dots_check}))

    def dot_trick(p):
        # An unstuffed "." ends the message early; what follows is junk
        # posing as more message text.
        line = login_and_list(p, [msg * 3], [b"trick1"])
        while line is not None:
            if line.startswith(b"RETR"):
                p.send(b"+OK\r\nSubject: a\r\n\r\nfirst\r\n.\r\n"
                       b"Injected: header\r\nmore text\r\n.\r\n")
            line = login_and_list_continue(p, [msg])

    results.append(("dot-stuffing trick", dot_trick, 5, {}))

    def endless(p):
        line = login_and_list(p, [msg], [b"endless1"])
        if line is not None and line.startswith(b"RETR"):
            p.send(b"+OK\r\n")
            chunk = b"A" * 1000 + b"\r\n"
            try:
                for _ in range(200000):
                    p.send(chunk * 64)
            except OSError:
                pass

    results.append(("never-ending response", endless, 5, {}))

    def slow_drip(p):
        line = login_and_list(p, [msg], [b"drip1"])
        if line is not None and line.startswith(b"RETR"):
            p.send(b"+OK\r\n")
            try:
                for _ in range(100):
                    p.send(b"a")
                    time.sleep(0.5)
            except OSError:
                pass

    results.append(("slow drip (session timeout)", slow_drip, 5,
                    {"extra": ["--session-timeout", "3"], "max_secs": 20}))

    def dup_uidl(p):
        login_and_list(p, [msg, msg], [b"same", b"same"])

    results.append(("duplicate UIDL", dup_uidl, 5, {}))

    def bad_uidl(p):
        login_and_list(p, [msg], [b"bad\x01id"])

    results.append(("invalid UIDL", bad_uidl, 5, {}))

    def huge_stat(p):
        p.send(b"+OK hi\r\n")
        while True:
            line = p.recv_line()
            v = line.split(b" ")[0].upper()
            if v == b"STAT":
                p.send(b"+OK 4000000000 1\r\n")
            elif v == b"CAPA":
                p.send(b"+OK\r\nUSER\r\n.\r\n")
            elif v == b"QUIT":
                p.send(b"+OK\r\n")
                return
            else:
                p.send(b"+OK\r\n")

    results.append(("huge STAT count", huge_stat, 5, {}))

    def garbage_reply(p):
        line = login_and_list(p, [msg], [b"g1"])
        if line is not None:
            p.send(b"HELLO THERE\r\n")

    results.append(("garbage status line", garbage_reply, 5, {}))

    def eof_mid_message(p):
        line = login_and_list(p, [msg], [b"eof1"])
        if line is not None:
            p.send(b"+OK\r\nSubject: cut\r\n\r\nhalf a mess")

    results.append(("connection drops mid-message", eof_mid_message, 5, {}))

    # A server without UIDL: header hash + size; a re-run fetches nothing.
    def no_uidl(p):
        msgs = [b"Subject: n%d\r\n\r\nx\r\n" % (i % 2) for i in range(3)]
        line = login_and_list(p, msgs, None, capa=b"USER\r\nTOP\r\n")
        while line is not None:
            if line.startswith(b"RETR"):
                p.send(b"+OK\r\n" + stuff(msgs[int(line.split()[1]) - 1]))
            line = login_and_list_continue(p, msgs)

    for label, script, code, kw in results:
        try:
            took = hostile_case(hw, re.sub(r"\W+", "-", label), script, code,
                                **kw)
            T.ok("hostile: " + label, "exit %d in %s" % (code, took))
        except Fail as e:
            T.fail("hostile: " + label, e)

    def no_uidl_check(r, md, srv):
        check(b"no UIDL" in r.stderr, outcome(r))
        r2, _ = hw.run(srv, md_name="M-no-uidl")
        check(r2.returncode == 0, "re-run: " + outcome(r2))
        check(len(files(md / "new")) == 3, "re-run fetched again")
    try:
        hostile_case(hw, "no-uidl", no_uidl, 0, want_files=3,
                     check_fn=no_uidl_check)
        T.ok("hostile: no UIDL (header-hash fallback)", "3 stored once")
    except Fail as e:
        T.fail("hostile: no UIDL (header-hash fallback)", e)


def t_hostile_tls(hw):
    msg = b"Subject: hi\r\n\r\nhello\r\n"
    ok_ctx = hw.ctx()

    def stls_then(p, after):
        p.send(b"+OK ready\r\n")
        while True:
            line = p.recv_line()
            v = line.split(b" ")[0].upper()
            if v == b"CAPA":
                p.send(b"+OK\r\nSTLS\r\nUSER\r\n.\r\n")
            elif v == b"STLS":
                after(p)
                return
            else:
                p.send(b"-ERR no\r\n")

    def garbage_after_stls(p):
        stls_then(p, lambda q: q.send(b"+OK Begin TLS\r\nthis is not TLS "
                                      b"at all\r\n" * 50))
        time.sleep(1)

    def no_password(r, md, srv):
        bad = [l for l in srv.received if l.upper().startswith(
            (b"USER", b"PASS", b"AUTH", b"APOP"))]
        check(not bad, "credentials sent: %r" % bad)

    def stls_refused(p):
        stls_then(p, lambda q: q.send(b"-ERR not today\r\n"))
        try:
            while True:
                p.recv_line()
                p.send(b"-ERR\r\n")
        except OSError:
            pass

    def injected_before_tls(p):
        # Response injection: a fake CAPA answer sent in clear right after
        # "+OK Begin TLS" must be discarded; then a real TLS session.
        def after(q):
            q.send(b"+OK Begin TLS\r\n+OK\r\nUSER\r\n.\r\n")
            q.starttls()
            serve_after_tls(q)
        stls_then(p, after)

    def serve_after_tls(q):
        line = login_and_list_tls(q, [msg])
        while line is not None:
            if line.startswith(b"RETR"):
                q.send(b"+OK\r\n" + stuff(msg))
            else:
                q.send(b"-ERR\r\n")
            line = login_and_list_continue(q, [msg])

    def login_and_list_tls(q, msgs):
        while True:
            line = q.recv_line()
            v = line.split(b" ")[0].upper()
            if v == b"CAPA":
                q.send(b"+OK\r\nUSER\r\nUIDL\r\n.\r\n")
            elif v in (b"USER", b"PASS"):
                q.send(b"+OK\r\n")
            elif v == b"STAT":
                q.send(b"+OK 1 %d\r\n" % len(msg))
            elif v == b"UIDL":
                q.send(b"+OK\r\n1 tls1\r\n.\r\n")
            elif v == b"LIST":
                q.send(b"+OK\r\n1 %d\r\n.\r\n" % len(msg))
            elif v == b"QUIT":
                q.send(b"+OK\r\n")
                return None
            else:
                return line

    def injected_check(r, md, srv):
        capas = [l for l in srv.received if l.upper() == b"CAPA"]
        check(len(capas) >= 2, "CAPA not re-read after TLS: %r" %
              srv.received)

    def implicit_ok(p):
        p.send(b"+OK hi\r\n")
        serve_after_tls(p)

    cases = [
        ("garbage after STLS", garbage_after_stls, 4,
         {"tls": ok_ctx, "check_fn": no_password}),
        ("STLS refused", stls_refused, 4,
         {"tls": ok_ctx, "check_fn": no_password}),
        ("plaintext injected before TLS", injected_before_tls, 0,
         {"tls": ok_ctx, "want_files": 1, "check_fn": injected_check}),
        ("wrong host name", implicit_ok, 4,
         {"tls": hw.ctx(wrong=True), "implicit": True, "scheme": "pop3s",
          "ca": str(hw.wrong_cert), "check_fn": no_password}),
        ("self-signed, not trusted", implicit_ok, 4,
         {"tls": hw.ctx(wrong=True), "implicit": True, "scheme": "pop3s",
          "check_fn": no_password}),
        ("TLS to a plaintext server", lambda p: p.send(b"+OK plain\r\n") or
         time.sleep(2), 4, {"tls": None, "scheme": "pop3s"}),
        ("implicit TLS works", implicit_ok, 0,
         {"tls": ok_ctx, "implicit": True, "scheme": "pop3s",
          "want_files": 1}),
    ]
    for label, script, code, kw in cases:
        try:
            took = hostile_case(hw, re.sub(r"\W+", "-", label), script, code,
                                **kw)
            T.ok("hostile: " + label, "exit %d in %s" % (code, took))
        except Fail as e:
            T.fail("hostile: " + label, e)


def scram_server(password, msgs, plus=False):
    """SCRAM-SHA-256 (RFC 7677) server side, for the login tests; with plus
    it offers SCRAM-SHA-256-PLUS and checks tls-unique channel binding."""
    salt = b"postie-salt-1234"
    iters = 4096
    salted = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iters)
    ckey = hmac.new(salted, b"Client Key", hashlib.sha256).digest()
    stored = hashlib.sha256(ckey).digest()
    skey = hmac.new(salted, b"Server Key", hashlib.sha256).digest()
    offer = b"SASL SCRAM-SHA-256-PLUS SCRAM-SHA-256 PLAIN" if plus else \
        b"SASL SCRAM-SHA-256 PLAIN"

    def script(p):
        p.send(b"+OK scram\r\n")
        while True:
            line = p.recv_line()
            v = line.split(b" ")[0].upper()
            if v == b"CAPA":
                p.send(b"+OK\r\n" + offer + b"\r\nUIDL\r\n.\r\n")
            elif v == b"AUTH":
                mech = line.split(b" ")[1].decode()
                first = base64.b64decode(line.split(b" ")[2]).decode()
                cbflag, authz, bare = first.split(",", 2)
                gs2 = cbflag + "," + authz + ","
                cb = b""
                if mech.endswith("-PLUS"):
                    if cbflag != "p=tls-unique":
                        p.send(b"-ERR [AUTH] unsupported binding\r\n")
                        continue
                    cb = p.sock.get_channel_binding("tls-unique")
                elif cbflag not in ("n", "y"):
                    p.send(b"-ERR [AUTH] bad gs2 header\r\n")
                    continue
                p.server.received.append(b"MECH " + mech.encode())
                cnonce = dict(kv.split("=", 1) for kv in
                              bare.split(","))["r"]
                snonce = cnonce + "SRVNONCE"
                sfirst = "r=%s,s=%s,i=%d" % (
                    snonce, base64.b64encode(salt).decode(), iters)
                p.send(b"+ " + base64.b64encode(sfirst.encode()) + b"\r\n")
                final = base64.b64decode(p.recv_line()).decode()
                attrs = dict(kv.split("=", 1) for kv in final.split(","))
                without = final[:final.rindex(",p=")]
                proof = base64.b64decode(final[final.rindex(",p=") + 3:])
                auth = ",".join([bare, sfirst, without]).encode()
                csig = hmac.new(stored, auth, hashlib.sha256).digest()
                got_key = bytes(a ^ b for a, b in zip(proof, csig))
                want_c = base64.b64encode(gs2.encode() + cb).decode()
                if hashlib.sha256(got_key).digest() != stored or \
                        attrs.get("c") != want_c:
                    p.send(b"-ERR [AUTH] bad proof\r\n")
                    continue
                ssig = hmac.new(skey, auth, hashlib.sha256).digest()
                p.send(b"+ " + base64.b64encode(
                    b"v=" + base64.b64encode(ssig)) + b"\r\n")
                p.recv_line()  # the empty response
                p.send(b"+OK welcome\r\n")
            elif v == b"STAT":
                p.send(b"+OK %d 10\r\n" % len(msgs))
            elif v == b"UIDL":
                p.send(b"+OK\r\n" + b"".join(b"%d s%d\r\n" % (i + 1, i)
                                            for i in range(len(msgs))) +
                       b".\r\n")
            elif v == b"LIST":
                p.send(b"+OK\r\n" + b"".join(b"%d %d\r\n" % (i + 1, len(m))
                                            for i, m in enumerate(msgs)) +
                       b".\r\n")
            elif v == b"RETR":
                p.send(b"+OK\r\n" + stuff(msgs[int(line.split()[1]) - 1]))
            elif v == b"QUIT":
                p.send(b"+OK\r\n")
                return
            else:
                p.send(b"-ERR ?\r\n")
    return script


def t_scram(hw):
    msgs = [b"Subject: scram\r\n\r\nsecret\r\n"]

    def mech_check(r, md, srv):
        check(summary(r)["mechanism"] == "SCRAM-SHA-256", outcome(r))
        check(not any(l.upper().startswith(b"AUTH PLAIN")
                      for l in srv.received), "fell back to PLAIN")

    hostile_case(hw, "scram", scram_server(PW, msgs), 0,
                 tls=hw.ctx(), implicit=True, scheme="pop3s",
                 extra=["--json"], want_files=1, check_fn=mech_check)
    ctx12 = hw.ctx()
    ctx12.maximum_version = ssl.TLSVersion.TLSv1_2

    def plus_check(r, md, srv):
        check(summary(r)["mechanism"] == "SCRAM-SHA-256-PLUS", outcome(r))
        check(b"MECH SCRAM-SHA-256-PLUS" in srv.received, "%r" %
              srv.received)

    hostile_case(hw, "scram-plus", scram_server(PW, msgs, plus=True), 0,
                 tls=ctx12, implicit=True, scheme="pop3s",
                 extra=["--json"], want_files=1, check_fn=plus_check)
    pw = hw.w.dir / "pw-bad"
    pw.write_text("wrong\n")
    os.chmod(pw, 0o600)
    srv = Hostile(scram_server(PW, msgs), hw.ctx(), True)
    try:
        # SCRAM only: by default a refused SCRAM falls back to the next
        # mechanism (tested against Dovecot in test_dovecot.py).
        r = hw.w.fetch(["pop3s://alice@127.0.0.1:%d" % srv.port, "--maildir",
                        hw.w.dir / "M-scram2", "--password-file", pw,
                        "--ca", hw.cert, "--auth", "scram-sha-256"])
        check(r.returncode == 3, "wrong password: " + outcome(r))
    finally:
        srv.close()
    return ("SCRAM-SHA-256 preferred over PLAIN; -PLUS with tls-unique "
            "on TLS 1.2; wrong password exit 3")


# --- main -------------------------------------------------------------------

def main():
    p3lab.require_binary()
    r = subprocess.run([p3lab.postie_bin(), "fetch", "--help"],
                       capture_output=True, timeout=30)
    if r.returncode != 0:
        T.fail("setup", "postie fetch --help: " + outcome(r))
        return T.summary()
    only = sys.argv[1:]

    def want(name):
        return not only or any(o in name for o in only)

    if any(want(n) for n in ("corpus", "fetch_all", "verify", "delete",
                             "pin", "perms", "password", "cert")):
        lab, src = corpus_lab()
        w = World()
        try:
            run_test("corpus: fetch all over pop3s", t_fetch_all, lab, src, w)
            run_test("corpus: fetch again fetches nothing", t_fetch_again,
                     lab, src, w)
            run_test("corpus: pop3:// with STLS", t_stls, lab, src, w)
            run_test("corpus: verify", t_verify, lab, src, w)
            run_test("corpus: password file mode", t_password_perms, lab, w)
            run_test("corpus: wrong password", t_wrong_password, lab, w)
            run_test("corpus: untrusted certificate", t_bad_cert, lab, w)
            run_test("corpus: certificate pin", t_pin, lab, src, w)
            run_test("corpus: --delete empties the server", t_delete, lab,
                     src, w)
        finally:
            lab.stop()
            lab.cleanup()
            w.cleanup()
    for name, fn in (("plaintext mode", t_plaintext),
                     ("delete after N days", t_delete_after),
                     ("mass-new pause and rebuild", t_mass_new),
                     ("size limit", t_size_limit),
                     ("dry run", t_dry_run),
                     ("config, parallel accounts", t_config_parallel),
                     ("mbox and MDA", t_mbox_and_mda),
                     ("daemon", t_daemon),
                     ("password prompt and progress on a terminal",
                      t_prompt_and_progress)):
        if want(name):
            run_test(name, fn)
    if want("hostile") or want("scram") or want("lock"):
        hw = HostileWorld()
        try:
            if want("hostile"):
                t_hostile(hw)
                t_hostile_tls(hw)
            run_test("SCRAM-SHA-256 login", t_scram, hw)
            run_test("per-account lock", t_account_lock, hw)
        finally:
            hw.w.cleanup()
    if want("crash"):
        run_test("crash: 20 kills while keeping 500 messages", t_crash,
                 False)
        run_test("crash: 20 kills while deleting 500 messages", t_crash,
                 True)
        run_test("crash: 10 kills delivering 300 messages to an mbox",
                 t_crash, True, True, 300, 10)
    return T.summary()


if __name__ == "__main__":
    sys.exit(main())
