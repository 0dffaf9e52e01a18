#!/usr/bin/env python3
"""transcripts.py: run the declarative POP3 transcripts in tests/transcripts.

usage: tests/interop/transcripts.py [-j JOBS] [FILE.t|NAME-SUBSTRING ...]
       (JOBS defaults to $P3_JOBS or 3 transcripts in parallel)

Each .t file starts its own `postie serve` ($POSTIE, default ./postie) in a
fresh lab (tests/interop/p3lab.py) and plays the client side. Format, one
directive per line ('#' lines and blank lines are ignored):

Setup (before the first step)
  @title TEXT                  one-line description
  @server FLAGS...             extra `postie serve` flags (repeatable)
  @nocert                      no --cert/--key/--listen-tls (no TLS at all)
  @user NAME PASSWORD [nomaildir]
  @mail USER [name=N] [dir=new|cur] corpus:FILE | inline:TEXT
                               messages are numbered 1.. per user in order;
                               inline TEXT takes \\r \\n \\t \\0 \\xNN \\\\
  @timeout SECS                bound for each read (default 10)

Steps
  CONNECT plain|tls [NAME]     open a connection (it becomes current)
  USE NAME                     switch the current connection
  C: TEXT                      send TEXT + CRLF (TEXT is literal)
  C> TEXT                      send TEXT with escapes, nothing added
  S: TEXT                      next line must be TEXT + CRLF (escapes ok)
  S~ REGEX                     next line (without CRLF) must match;
                               (?P<name>..) groups are saved as ${name}
  S* REGEX                     skip lines until one matches; ${skipped}
                               is the number of lines skipped
  S. USER N [top=K] [nonuls] [as=VAR]
                               multi-line body (after its +OK) must equal
                               message N of USER as the server must send it
                               (bare LF -> CRLF, final CRLF added, dot-
                               stuffed); sets ${octets} (and ${VAR}) to the
                               unstuffed length
  S. inline:TEXT               multi-line body must unstuff to TEXT
  STARTTLS                     TLS handshake now (after "+OK Begin TLS..."),
                               trusting only the lab certificate; fails if
                               the server sent anything after the +OK line
  LOGIN USER PASS              USER/PASS, expecting +OK and "+OK Logged in"
  NOMORE [SECS]                nothing arrives within SECS (default 0.3)
  CLOSED [SECS]                the server closes within SECS (default 5)
                               without sending anything more
  TLSCLOSED [SECS]             as CLOSED, and the TLS connection must end
                               with a close_notify alert (RFC 8446 6.1)
  DROP                         close the current connection without QUIT
  SLEEP SECS
  FS: USER exists|missing GLOB the user's Maildir has (no) matching file;
  FS: USER count GLOB N        GLOB is relative to the Maildir; {N} is the
                               base name of message N of USER
  ASSERT EXPR                  Python expression over the saved variables
  WAITLOG REGEX [SECS]         a server log line matches within SECS
  CHMOD USER PATH MODE         chmod (octal) a path in the user's Maildir
  SIGTERM                      send SIGTERM to the server
  EXIT CODE [SECS]             the server exits with CODE within SECS
  REPEAT N                     the next step is repeated N times
${name} in C:, C>, S:, S~ and ASSERT is replaced by a saved variable; port
and tls_port are predefined.

After the last step every open connection must be silent, and the server
must stop with exit code 0 on SIGTERM with no sanitizer report in its log.
Prints one PASS/FAIL line per transcript and "N passed, N failed".
"""

import concurrent.futures
import os
import re
import shlex
import signal
import socket
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import p3lab  # noqa: E402
from p3lab import Conn, Closed, show, unescape  # noqa: E402

TDIR = p3lab.REPO / "tests" / "transcripts"


class StepFail(Exception):
    pass


class Transcript:
    def __init__(self, path):
        self.path = Path(path)
        self.name = self.path.stem
        self.title = ""
        self.flags = []
        self.cert = True
        self.users = []  # (name, pw, maildir)
        self.mail = []  # (user, opts, bytes)
        self.timeout = p3lab.TIMEOUT
        self.steps = []  # (lineno, op, arg)
        self.parse()

    def parse(self):
        text = self.path.read_bytes().decode("utf-8", "surrogateescape")
        repeat = 1
        for no, line in enumerate(text.split("\n"), 1):
            if line.endswith("\r"):
                line = line[:-1]
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            if line.startswith("@connect "):
                line = "CONNECT " + line[len("@connect "):]
            if line.startswith("@"):
                if self.steps:
                    raise ValueError("%s:%d: setup after the first step"
                                     % (self.path.name, no))
                self.setup(no, line)
                continue
            m = re.match(r"(C:|C>|S:|S~|S\*|S\.|FS:) ?(.*)$", line, re.S)
            if m:
                for _ in range(repeat):
                    self.steps.append((no, m.group(1), m.group(2)))
                repeat = 1
                continue
            word, _, rest = line.partition(" ")
            if word == "REPEAT":
                repeat = int(rest)
                continue
            if word not in ("CONNECT", "USE", "STARTTLS", "LOGIN", "NOMORE",
                            "CLOSED", "TLSCLOSED", "DROP", "SLEEP", "ASSERT",
                            "WAITLOG", "SIGTERM", "EXIT", "CHMOD"):
                raise ValueError("%s:%d: unknown directive %r" %
                                 (self.path.name, no, line))
            for _ in range(repeat):
                self.steps.append((no, word, rest))
            repeat = 1

    def setup(self, no, line):
        word, _, rest = line.partition(" ")
        if word == "@title":
            self.title = rest
        elif word == "@server":
            self.flags += shlex.split(rest)
        elif word == "@nocert":
            self.cert = False
        elif word == "@timeout":
            self.timeout = float(rest)
        elif word == "@user":
            a = rest.split()
            self.users.append((a[0], a[1], "nomaildir" not in a[2:]))
        elif word == "@mail":
            user, _, rest = rest.partition(" ")
            opts = {}
            while True:
                m = re.match(r"(name|dir)=(\S+) ", rest)
                if not m:
                    break
                opts[m.group(1)] = m.group(2)
                rest = rest[m.end():]
            if rest.startswith("corpus:"):
                data = (p3lab.CORPUS / rest[7:]).read_bytes()
            elif rest.startswith("inline:"):
                data = unescape(rest[7:])
            else:
                raise ValueError("%s:%d: bad @mail source" %
                                 (self.path.name, no))
            self.mail.append((user, opts, data))
        else:
            raise ValueError("%s:%d: unknown setup %r" %
                             (self.path.name, no, word))


class Runner:
    def __init__(self, t):
        self.t = t
        self.lab = None
        self.conns = {}
        self.cur = None
        self.vars = {}
        self.log = []  # the exchange so far
        self.closed = set()

    def note(self, direction, data):
        tag = ("[%s] " % self.cur) if len(self.conns) > 1 or \
            self.cur not in (None, "1") else ""
        if isinstance(data, bytes):
            data = show(data, 200)
        self.log.append("%s%s %s" % (tag, direction, data))

    def subst(self, s):
        def rep(m):
            k = m.group(1)
            if k not in self.vars:
                raise StepFail("undefined variable ${%s}" % k)
            return str(self.vars[k])
        return re.sub(r"\$\{(\w+)\}", rep, s)

    def conn(self):
        if self.cur is None or self.cur not in self.conns:
            raise StepFail("no current connection (CONNECT first)")
        return self.conns[self.cur]

    def readline(self):
        c = self.conn()
        try:
            line = c.readline(self.t.timeout)
        except Closed as e:
            self.closed.add(self.cur)
            raise StepFail("expected a line, but %s" % e)
        except (socket.timeout, TimeoutError) as e:
            raise StepFail("expected a line, got nothing: %s" % e)
        self.note("S:", line)
        return line

    def expand_glob(self, user, pattern):
        msgs = self.lab.msgs.get(user, [])

        def rep(m):
            n = int(m.group(1))
            if not 1 <= n <= len(msgs):
                raise StepFail("no message %d for %s" % (n, user))
            return msgs[n - 1][0]
        return re.sub(r"\{(\d+)\}", rep, pattern)

    def run(self):
        t = self.t
        self.lab = p3lab.Lab(prefix="p3t-%s-" % t.name, cert=t.cert)
        try:
            for name, pw, md in t.users:
                self.lab.add_user(name, pw, maildir=md)
            for user, opts, data in t.mail:
                self.lab.add_mail(user, data, name=opts.get("name"),
                                  sub=opts.get("dir", "new"))
            try:
                self.lab.start(t.flags)
            except p3lab.ServerError as e:
                return False, "line 0: server did not start: %s" % e
            self.vars.update(port=self.lab.port, tls_port=self.lab.tls_port)
            lineno = 0
            try:
                for lineno, op, arg in t.steps:
                    self.step(op, arg)
                lineno = "end"
                for name, c in self.conns.items():
                    if name in self.closed:
                        continue
                    self.cur = name
                    extra = c.pending(0.2)
                    if extra:
                        self.note("S:", extra)
                        raise StepFail("unexpected data from the server at "
                                       "the end: %s" % show(extra))
            except StepFail as e:
                return False, self.report(lineno, str(e))
            except Exception as e:  # noqa: BLE001 - a harness-level error
                return False, self.report(lineno, "%s: %s" % (
                    type(e).__name__, e))
            finally:
                for c in self.conns.values():
                    c.close()
            code = self.lab.stop()
            if self.lab.exit_code is not None and code != 0 and \
                    not getattr(self, "exit_checked", False):
                return False, self.report("end", "server exit status %r "
                                          "after SIGTERM (want 0)" % code)
            san = self.lab.sanitizer_report()
            if san:
                return False, self.report("end", "sanitizer report in the "
                                          "server log:\n" + san)
            return True, ""
        finally:
            self.lab.cleanup()

    def report(self, lineno, why):
        out = ["%s:%s: %s" % (self.t.path.name, lineno, why),
               "exchange so far:"]
        out += ["  " + l for l in self.log[-400:]]
        tail = self.lab.log().splitlines()[-15:] if self.lab else []
        if tail:
            out.append("server log (tail):")
            out += ["  " + l for l in tail]
        return "\n".join(out)

    def step(self, op, arg):
        if op == "CONNECT":
            a = arg.split()
            kind = a[0]
            name = a[1] if len(a) > 1 else "1"
            if name in self.conns:
                self.conns[name].close()
            ctx = self.lab.context() if kind == "tls" else None
            port = self.lab.tls_port if kind == "tls" else self.lab.port
            try:
                self.conns[name] = Conn(p3lab.HOST, port, ctx, self.t.timeout)
            except (OSError, Closed) as e:
                raise StepFail("connect %s failed: %s" % (kind, e))
            self.closed.discard(name)
            self.cur = name
            self.note("--", "connected (%s) to port %d" % (kind, port))
        elif op == "USE":
            if arg not in self.conns:
                raise StepFail("no connection named %s" % arg)
            self.cur = arg
        elif op in ("C:", "C>"):
            data = self.subst(arg).encode("utf-8", "surrogateescape")
            data = data + b"\r\n" if op == "C:" else unescape(data.decode(
                "utf-8", "surrogateescape"))
            self.note("C:" if op == "C:" else "C>", data)
            try:
                self.conn().send(data)
            except OSError as e:
                raise StepFail("send failed: %s" % e)
        elif op == "S:":
            want = unescape(self.subst(arg)) + b"\r\n"
            got = self.readline()
            if got != want:
                raise StepFail("expected %s\n     got %s" %
                               (show(want), show(got)))
        elif op == "S~":
            rx = self.subst(arg)
            got = self.readline()
            if not got.endswith(b"\r\n"):
                raise StepFail("line not CRLF-terminated: %s" % show(got))
            m = re.fullmatch(rx.encode("utf-8", "surrogateescape"), got[:-2])
            if not m:
                raise StepFail("expected /%s/\n     got %s" % (rx, show(got)))
            for k, v in m.groupdict().items():
                self.vars[k] = v.decode("utf-8", "replace") if v else v
        elif op == "S*":
            rx = re.compile(self.subst(arg).encode())
            for n in range(200000):
                got = self.readline()
                if rx.fullmatch(got.rstrip(b"\r\n")):
                    self.vars["skipped"] = n
                    return
            raise StepFail("no line matched /%s/" % arg)
        elif op == "S.":
            self.multiline(arg)
        elif op == "STARTTLS":
            try:
                self.conn().starttls(self.lab.context())
            except Closed as e:
                raise StepFail(str(e))
            self.note("--", "TLS handshake done (%s)" %
                      self.conn().tls_version())
        elif op == "LOGIN":
            user, pw = arg.split(None, 1)
            for cmd, rx in (("USER " + user, rb"\+OK"),
                            ("PASS " + pw,
                             rb"\+OK Logged in, \d+ messages \(\d+ octets\)")):
                self.note("C:", cmd)
                self.conn().send(cmd.encode() + b"\r\n")
                got = self.readline()
                if not re.fullmatch(rx + rb"\r\n", got):
                    raise StepFail("LOGIN: expected /%s/\n     got %s" %
                                   (rx.decode(), show(got)))
        elif op == "NOMORE":
            wait = float(arg) if arg else 0.3
            extra = self.conn().pending(wait)
            if extra:
                self.note("S:", extra)
                raise StepFail("expected silence, got %s" % show(extra))
        elif op in ("CLOSED", "TLSCLOSED"):
            wait = float(arg) if arg else 5.0
            ok, extra, how = self.conn().wait_closed(wait)
            if extra:
                self.note("S:", extra)
                raise StepFail("expected the connection to close, got %s" %
                               show(extra))
            if not ok:
                raise StepFail("connection still open after %.1fs" % wait)
            self.note("--", "closed by server: %s" % how)
            self.closed.add(self.cur)
            if op == "TLSCLOSED" and how != "close_notify":
                raise StepFail("TLS connection closed without a TLS "
                               "close_notify alert (%s)" % how)
        elif op == "DROP":
            self.conn().abort()
            self.note("--", "dropped by client")
            self.closed.add(self.cur)
        elif op == "SLEEP":
            time.sleep(float(arg))
        elif op == "FS:":
            self.fs(arg)
        elif op == "ASSERT":
            self.assertion(arg)
        elif op == "WAITLOG":
            a = arg.rsplit(" ", 1)
            wait = 5.0
            if len(a) == 2 and re.fullmatch(r"\d+(\.\d+)?", a[1]):
                arg, wait = a[0], float(a[1])
            line = self.lab.wait_log(self.subst(arg), wait)
            if line is None:
                raise StepFail("no server log line matched /%s/ within %.1fs"
                               % (arg, wait))
            self.note("--", "log: " + line)
        elif op == "CHMOD":
            user, relpath, mode = arg.split()
            path = self.lab.maildir(user) / self.expand_glob(user, relpath)
            os.chmod(path, int(mode, 8))
            self.note("--", "chmod %s %s" % (mode, path))
        elif op == "SIGTERM":
            self.lab.signal(signal.SIGTERM)
            self.note("--", "SIGTERM sent to the server")
        elif op == "EXIT":
            a = arg.split()
            want = int(a[0])
            code = self.lab.wait_exit(float(a[1]) if len(a) > 1 else 10.0)
            self.exit_checked = True
            if code is None:
                raise StepFail("server still running")
            if code != want:
                raise StepFail("server exit status %d, want %d" % (code, want))
            self.note("--", "server exited with %d" % code)
        else:
            raise StepFail("unknown step %s" % op)

    def multiline(self, arg):
        a = arg.split()
        if arg.startswith("inline:"):
            want = unescape(arg[7:])
            nonuls = False
        else:
            user, n = a[0], int(a[1])
            msgs = self.lab.msgs.get(user, [])
            if not 1 <= n <= len(msgs):
                raise StepFail("no message %d for %s" % (n, user))
            data = msgs[n - 1][1]
            nonuls = "nonuls" in a[2:]
            if nonuls:
                data = data.replace(b"\0", b"")
            want = p3lab.wire_form(data)
            for opt in a[2:]:
                if opt.startswith("top="):
                    want = p3lab.top_form(want, int(opt[4:]))
        try:
            lines, err = p3lab.read_multiline(self.conn(), self.t.timeout)
        except Closed as e:
            self.closed.add(self.cur)
            raise StepFail("multi-line body: %s" % e)
        except (socket.timeout, TimeoutError) as e:
            raise StepFail("multi-line body: %s" % e)
        for l in lines[:3]:
            self.note("S:", l + b"\r\n")
        if len(lines) > 3:
            self.note("S:", "... (%d more lines)" % (len(lines) - 3))
        self.note("S:", b".\r\n")
        if err:
            raise StepFail("multi-line body: %s" % err)
        got = p3lab.unstuff(lines)
        self.vars["octets"] = len(got)
        for opt in a[2:]:
            if opt.startswith("as="):
                self.vars[opt[3:]] = len(got)
        self.vars["lines"] = len(lines)
        if got != want:
            i = next((k for k in range(min(len(got), len(want)))
                      if got[k] != want[k]), min(len(got), len(want)))
            raise StepFail(
                "body differs at octet %d (got %d octets, want %d)\n"
                "     want ...%s\n      got ...%s" %
                (i, len(got), len(want), show(want[max(0, i - 40):i + 40]),
                 show(got[max(0, i - 40):i + 40])))

    def fs(self, arg):
        a = arg.split()
        user, what = a[0], a[1]
        md = self.lab.maildir(user)
        pattern = self.expand_glob(user, a[2])
        found = sorted(str(p.relative_to(md)) for p in md.glob(pattern))
        listing = sorted(str(p.relative_to(md)) for p in md.glob("*/*"))
        where = "\n     Maildir now: %s" % (" ".join(listing) or "(empty)")
        if what == "exists" and not found:
            raise StepFail("FS: no file matches %s%s" % (pattern, where))
        if what == "missing" and found:
            raise StepFail("FS: %s should not exist%s" % (found, where))
        if what == "count" and len(found) != int(a[3]):
            raise StepFail("FS: %d files match %s, want %s%s" %
                           (len(found), pattern, a[3], where))
        self.note("--", "FS %s ok" % arg)

    def assertion(self, arg):
        env = {}
        for k, v in self.vars.items():
            env[k] = int(v) if isinstance(v, str) and v.isdigit() else v
        expr = arg
        try:
            ok = eval(expr, {"__builtins__": {}}, env)  # our own test files
        except Exception as e:  # noqa: BLE001
            raise StepFail("ASSERT %s: %s" % (arg, e))
        self.note("--", "ASSERT %s with %s" % (arg, env))
        if not ok:
            raise StepFail("ASSERT %s is false (%s)" % (arg, env))


def run_one(path):
    start = time.monotonic()
    try:
        t = Transcript(path)
    except (ValueError, OSError, IndexError) as e:
        return False, path.stem, "parse error: %s" % e, 0.0
    ok, why = Runner(t).run()
    return ok, t.name, why, time.monotonic() - start


def main(argv):
    jobs = int(os.environ.get("P3_JOBS", "3"))
    sel = []
    i = 0
    while i < len(argv):
        if argv[i] == "-j":
            jobs = int(argv[i + 1])
            i += 2
            continue
        sel.append(argv[i])
        i += 1
    p3lab.require_binary()
    files = sorted(TDIR.glob("*.t"))
    if sel:
        files = [f for f in files if any(s in f.name or Path(s).resolve() ==
                                         f.resolve() for s in sel)]
    if not files:
        print("no transcripts selected\n0 passed, 1 failed")
        return 1
    print("transcripts: %d files, server %s, %d jobs" %
          (len(files), p3lab.postie_bin(), jobs), flush=True)
    tally = p3lab.Tally()
    with concurrent.futures.ThreadPoolExecutor(max_workers=jobs) as ex:
        for ok, name, why, secs in ex.map(run_one, files):
            if ok:
                tally.ok(name, "%.1fs" % secs)
            else:
                tally.fail(name, why)
    return tally.summary()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
