#!/usr/bin/env python3
"""test_fetch_lmtp.py: `postie fetch --lmtp/--smtp` end to end.

`postie serve` (p3lab.Lab) holds the messages; a scripted LMTP/SMTP server
in this file (socketserver, 127.0.0.1 or a unix socket, started and stopped
here) records every envelope and the data (dot-stuffing undone) and answers
the end of DATA with 250, 452 or 550 as told, or holds its reply so that
postie can be killed with SIGKILL while it waits:
  - LMTP over TCP and over a unix socket, SMTP over TCP: every message
    arrives once, byte-identical with line endings normalised, CRLF on the
    wire; the sender is the Return-Path or <>; a second run sends nothing;
  - 452 keeps the messages on the POP3 server (also with --delete), exit 1;
    a later run delivers each once;
  - 550 is reported with its reply, exit 1, nothing recorded or deleted;
  - no rcpt and a user without '@': exit 2;
  - SIGKILL while the server has the data of message 3 but has not
    answered: messages 1-2 are never sent again, and after the rerun each
    message is accepted exactly once.

$POSTIE is the binary (default ./postie). Prints PASS/FAIL lines and
"N passed, N failed". Python standard library only.
"""

import os
import re
import signal
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import p3lab  # noqa: E402
from p3lab import normalise_eol  # noqa: E402
import test_fetch as tf  # noqa: E402
from test_fetch import Fail, check, outcome, summary, url  # noqa: E402

T = tf.T
RCPT = "carol@example.org"
DATA_MAX = 64 * 1024 * 1024


class MTA:
    """A scripted LMTP (or SMTP) server recording what it is given."""

    def __init__(self, lmtp=True, unix_path=None):
        self.lmtp = lmtp
        self.lock = threading.Lock()
        self.answer = "250 2.0.0 Ok: queued"
        self.accepted = []   # (sender, rcpts, data)
        self.received = []   # data of every completed DATA
        self.errors = []
        self.hold_at = None  # hold the reply to this DATA (1-based count)
        self.held = threading.Event()
        self.release = threading.Event()
        mta = self

        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                mta.session(self.rfile, self.wfile)

        if unix_path:
            self.server = socketserver.ThreadingUnixStreamServer(
                str(unix_path), Handler)
            self.address = str(unix_path)
        else:
            self.server = socketserver.ThreadingTCPServer(
                (p3lab.HOST, 0), Handler)
            self.address = "%s:%d" % self.server.server_address[:2]
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever,
                                       kwargs={"poll_interval": 0.05},
                                       daemon=True)
        self.thread.start()

    def stop(self):
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(10)

    def session(self, rf, wf):
        def send(*lines):
            wf.write(b"".join(l.encode() + b"\r\n" for l in lines))
            wf.flush()

        send("220 test.example %s ready" % ("LMTP" if self.lmtp else "ESMTP"))
        sender, rcpts = None, []
        for _ in range(100000):
            line = rf.readline(2048)
            if not line:
                return
            if not line.endswith(b"\r\n"):
                self.errors.append("command without CRLF: %r" % line)
            cmd = line.rstrip(b"\r\n").decode("latin-1")
            verb = cmd[:4].upper()
            if verb == ("LHLO" if self.lmtp else "EHLO"):
                send("250-test.example", "250-PIPELINING", "250 8BITMIME")
            elif verb == "HELO" and not self.lmtp:
                send("250 test.example")
            elif verb == "MAIL":
                m = re.match(r"MAIL FROM:<([^<>]*)>$", cmd, re.I)
                if m is None:
                    self.errors.append("bad MAIL: %r" % cmd)
                    send("501 5.5.4 syntax")
                    continue
                sender, rcpts = m.group(1), []
                send("250 2.1.0 Ok")
            elif verb == "RCPT":
                m = re.match(r"RCPT TO:<([^<>]+)>$", cmd, re.I)
                if m is None or sender is None:
                    send("503 5.5.1 bad sequence")
                    continue
                rcpts.append(m.group(1))
                send("250 2.1.5 Ok")
            elif verb == "DATA":
                if not rcpts:
                    send("503 5.5.1 no recipients")
                    continue
                send("354 go ahead")
                data = self.read_data(rf)
                if data is None:
                    return
                with self.lock:
                    self.received.append(data)
                    n = len(self.received)
                    answer = self.answer
                if self.hold_at == n:
                    self.held.set()
                    self.release.wait(30)
                    answer = "451 4.3.0 interrupted"
                if answer.startswith("2"):
                    with self.lock:
                        self.accepted.append((sender, list(rcpts), data))
                try:
                    # LMTP: one reply per accepted recipient.
                    send(*([answer] * (len(rcpts) if self.lmtp else 1)))
                except OSError:
                    return
                sender, rcpts = None, []
            elif verb == "RSET":
                sender, rcpts = None, []
                send("250 2.0.0 Ok")
            elif verb == "QUIT":
                send("221 2.0.0 Bye")
                return
            else:
                send("500 5.5.2 unknown command")

    def read_data(self, rf):
        """Lines up to ".", dot-stuffing undone; every line must end in
        CRLF."""
        out, size = [], 0
        while size < DATA_MAX:
            line = rf.readline(1 << 20)
            if not line:
                return None
            if line == b".\r\n":
                return b"".join(out)
            if not line.endswith(b"\r\n"):
                self.errors.append("data line without CRLF: %r" % line[:80])
            if line.startswith(b"."):
                line = line[1:]
            out.append(line)
            size += len(line)
        return None


def messages(n):
    """n distinct messages with dots, From_ lines and (in the first) a
    Return-Path."""
    out = []
    for i in range(n):
        rp = b"Return-Path: <bounce-%d@lists.example>\r\n" % i if i == 0 \
            else b""
        out.append(rp + (
            b"From: a@example.org\r\nSubject: lmtp %d\r\n"
            b"Message-ID: <%d@lmtp.t>\r\n\r\nbody %d\r\n.dot line\r\n"
            b"..two dots\r\n.\r\nFrom the start\r\n" % (i, i, i)))
    return out


def lab_with(n):
    lab = p3lab.Lab(prefix="fetch-lmtp-srv-")
    lab.add_user("alice", tf.PW)
    src = {}
    for data in messages(n):
        src[lab.add_mail("alice", data)] = data
    lab.start()
    return lab, src


def dest_args(w, lab, mta, extra=()):
    opt = "--lmtp" if mta.lmtp else "--smtp"
    return [url(lab), opt, mta.address, "--rcpt", RCPT, "--password-file",
            w.pwfile, "--ca", lab.cert, "--json"] + list(extra)


def check_once(mta, src):
    """Every source message accepted exactly once, with its bytes."""
    check(not mta.errors, "server saw: %s" % mta.errors[:3])
    got = [normalise_eol(d) for (_, _, d) in mta.accepted]
    want = sorted(normalise_eol(d) for d in src.values())
    check(sorted(got) == want, "accepted %d messages, want %d distinct; "
          "duplicates: %d" % (len(got), len(want), len(got) - len(set(got))))
    for sender, rcpts, data in mta.accepted:
        check(rcpts == [RCPT], "rcpts %s" % rcpts)
        m = re.search(rb"Return-Path: <([^>]*)>", data)
        want_from = m.group(1).decode() if m else ""
        check(sender == want_from, "sender %r, want %r" % (sender,
                                                            want_from))


def with_world(fn, n, mta_kw):
    mta_kw = dict(mta_kw)
    lab, src = lab_with(n)
    w = tf.World(prefix="fetch-lmtp-")
    mta = None
    try:
        if mta_kw.pop("unix", False):
            mta_kw["unix_path"] = w.dir / "lmtp.sock"
        mta = MTA(**mta_kw)
        return fn(lab, src, w, mta)
    finally:
        if mta is not None:
            mta.stop()
        lab.stop()
        lab.cleanup()
        w.cleanup()


def t_deliver(lab, src, w, mta):
    r = w.fetch(dest_args(w, lab, mta))
    check(r.returncode == 0, outcome(r))
    check(summary(r)["fetched"] == len(src), "%s" % summary(r))
    check_once(mta, src)
    r = w.fetch(dest_args(w, lab, mta))
    check(r.returncode == 0 and summary(r)["fetched"] == 0, outcome(r))
    check(len(mta.received) == len(src), "second run sent %d more" %
          (len(mta.received) - len(src)))
    r = w.verify()
    check(r.returncode == 0, "verify: " + outcome(r))
    return "%d messages once, byte-identical; rerun sends nothing" % len(src)


def t_tempfail(lab, src, w, mta):
    mta.answer = "452 4.2.2 Mailbox full"
    r = w.fetch(dest_args(w, lab, mta, ["--delete"]))
    check(r.returncode == 1, "452: " + outcome(r))
    s = summary(r)
    check(s["fetched"] == 0 and s["deleted"] == 0, "%s" % s)
    check(b"452 4.2.2 Mailbox full" in r.stderr, outcome(r))
    check(len(tf.server_names(lab)) == len(src), "deleted after 452")
    check(not mta.accepted, "accepted on 452")
    mta.answer = "250 2.0.0 Ok"
    r = w.fetch(dest_args(w, lab, mta, ["--delete"]))
    check(r.returncode == 0 and summary(r)["fetched"] == len(src),
          "after 452: " + outcome(r))
    check_once(mta, src)
    check(len(tf.server_names(lab)) == 0, "not deleted after delivery")
    return "452 keeps %d messages (exit 1); later run delivers once" % len(
        src)


def t_permfail(lab, src, w, mta):
    mta.answer = "550 5.1.1 <carol@example.org>: user unknown"
    r = w.fetch(dest_args(w, lab, mta, ["--delete"]))
    check(r.returncode == 1, "550: " + outcome(r))
    check(summary(r)["fetched"] == 0, "%s" % summary(r))
    check(b"550 5.1.1 <carol@example.org>: user unknown" in r.stderr,
          "reply not reported: " + outcome(r))
    check(len(tf.server_names(lab)) == len(src), "deleted after 550")
    n = w.db().execute("SELECT count(*) FROM msg").fetchone()[0]
    check(n == 0, "%d records after 550" % n)
    return "550 reported with its reply, exit 1, nothing recorded"


def t_no_rcpt(lab, src, w, mta):
    args = [a for a in dest_args(w, lab, mta) if a not in ("--rcpt", RCPT)]
    r = w.fetch(args)
    check(r.returncode == 2, "no rcpt: " + outcome(r))
    check(b"rcpt" in r.stderr, outcome(r))
    check(not mta.received, "sent without rcpt")
    return "exit 2"


def t_kill(lab, src, w, mta):
    mta.hold_at = 3
    argv = [p3lab.postie_bin(), "fetch"] + [str(a) for a in
                                            dest_args(w, lab, mta)]
    proc = subprocess.Popen(argv, env=w.env(), stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        held = mta.held.wait(60)
        check(held, "message 3 never reached the server")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(10)
        mta.release.set()
    check(len(mta.accepted) == 2, "accepted %d before the kill" %
          len(mta.accepted))
    deadline = time.monotonic() + 10
    while len(mta.received) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    mta.hold_at = None
    r = w.fetch(dest_args(w, lab, mta))
    check(r.returncode == 0, "rerun: " + outcome(r))
    check(summary(r)["fetched"] == len(src) - 2, "%s" % summary(r))
    check(b"may have accepted" in r.stderr, "no warning about the "
          "interrupted delivery: " + outcome(r))
    check_once(mta, src)
    resent = len(mta.received) - len(src)
    check(resent == 1, "%d messages sent twice (only the interrupted one "
          "may be)" % resent)
    return "killed waiting for the reply to message 3: 1-2 not resent, " \
        "each accepted once"


def main():
    p3lab.require_binary()
    for name, fn, n, kw in (
            ("LMTP over TCP", t_deliver, 5, {}),
            ("LMTP over a unix socket", t_deliver, 3, {"unix": True}),
            ("SMTP over TCP", t_deliver, 4, {"lmtp": False}),
            ("LMTP 452 keeps mail, rerun delivers", t_tempfail, 4, {}),
            ("SMTP 452 keeps mail, rerun delivers", t_tempfail, 3,
             {"lmtp": False}),
            ("LMTP 550 reported", t_permfail, 3, {}),
            ("no rcpt without '@' in the user", t_no_rcpt, 1, {}),
            ("LMTP SIGKILL before the reply", t_kill, 6, {})):
        tf.run_test(name, with_world, fn, n, kw)
    return T.summary()


if __name__ == "__main__":
    sys.exit(main())
