"""p3lab: shared helpers for the black-box tests of `postie serve`.

A Lab is a private temporary directory holding a self-signed certificate,
a users file and one Maildir per user. Lab.start() runs the server on free
loopback ports, waits until it answers and keeps its stderr in a log file;
Lab.stop() ends it by PID (SIGTERM, then SIGKILL after a bounded wait).

The binary is $POSTIE (default ./postie, relative to the repository root),
so the sanitizer build can be tested with POSTIE=build-san/postie.
Run as root, the mail store is given to $P3LAB_MAIL_USER (else vmail, else
nobody), since postie will not read root-owned mail. Users are added with
`postie user add --force` (P3LAB_HASH=openssl: `openssl passwd -6`).
P3LAB_KEEP=1 keeps the lab directories for inspection.
Only the Python standard library is used.
"""

import os
import pwd
import re
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
CORPUS = (REPO.parent / "shared" / "corpus").resolve()
HOST = "127.0.0.1"
TIMEOUT = 10.0  # default bound for any single network read


def postie_bin():
    p = Path(os.environ.get("POSTIE", "./postie"))
    if not p.is_absolute():
        p = REPO / p
    return str(p)


def log(msg):
    print(msg, flush=True)


# --- small utilities ------------------------------------------------------

def free_port(host=HOST):
    """A port that was free a moment ago (bind to 0, read it, close)."""
    fam = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(fam, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def unescape(text):
    """Turn \\r \\n \\t \\0 \\xNN \\\\ escapes into bytes (input is str)."""
    out = bytearray()
    i = 0
    raw = text.encode("utf-8", "surrogateescape")
    while i < len(raw):
        c = raw[i]
        if c != 0x5C or i + 1 >= len(raw):
            out.append(c)
            i += 1
            continue
        n = raw[i + 1]
        if n == ord("r"):
            out += b"\r"
        elif n == ord("n"):
            out += b"\n"
        elif n == ord("t"):
            out += b"\t"
        elif n == ord("0"):
            out += b"\0"
        elif n == ord("\\"):
            out += b"\\"
        elif n == ord("x") and \
                re.fullmatch(rb"[0-9a-fA-F]{2}", raw[i + 2:i + 4]):
            out.append(int(raw[i + 2:i + 4], 16))
            i += 4
            continue
        else:
            out += raw[i:i + 2]
        i += 2
    return bytes(out)


def show(data, limit=300):
    """Printable form of wire bytes for failure reports."""
    s = repr(bytes(data[:limit]))[2:-1]
    if len(data) > limit:
        s += "...(%d bytes)" % len(data)
    return s


def wire_form(msg):
    """The bytes a POP3 server must deliver for a stored message (before
    dot-stuffing): every line ends in CRLF (a bare LF becomes CRLF) and a
    missing final line end is added."""
    out = re.sub(rb"(?<!\r)\n", b"\r\n", msg)
    if out and not out.endswith(b"\r\n"):
        out += b"\r\n"
    return out


def normalise_eol(msg):
    """Line endings normalised for comparing with what a client saved:
    CRLF -> LF and a single final LF ensured."""
    out = msg.replace(b"\r\n", b"\n")
    if out and not out.endswith(b"\n"):
        out += b"\n"
    return out


def top_form(wire, lines):
    """Expected TOP n <lines> body for a message in wire form: the header
    block through the empty line, then the first <lines> body lines."""
    end = wire.find(b"\r\n\r\n")
    if wire.startswith(b"\r\n"):
        head, body = b"\r\n", wire[2:]
    elif end < 0:
        return wire  # no body: everything is header
    else:
        head, body = wire[:end + 4], wire[end + 4:]
    parts = body.split(b"\r\n")[:-1]
    keep = parts[:lines]
    return head + b"".join(p + b"\r\n" for p in keep)


# --- certificate, users, Maildirs -----------------------------------------

_CERT_CACHE = {}


def make_cert(directory):
    """Self-signed certificate for localhost/127.0.0.1; returns (cert, key).
    Generated once per process and copied into each lab."""
    directory = Path(directory)
    if "pair" not in _CERT_CACHE:
        cache = Path(tempfile.mkdtemp(prefix="p3lab-cert-"))
        cert, key = cache / "cert.pem", cache / "key.pem"
        subprocess.run(
            ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
             "-days", "2", "-subj", "/CN=localhost",
             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1",
             "-keyout", str(key), "-out", str(cert)],
            check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            timeout=60)
        _CERT_CACHE["pair"] = (cert.read_bytes(), key.read_bytes())
        shutil.rmtree(cache, ignore_errors=True)
    cert_b, key_b = _CERT_CACHE["pair"]
    cert, key = directory / "cert.pem", directory / "key.pem"
    cert.write_bytes(cert_b)
    key.write_bytes(key_b)
    os.chmod(key, 0o600)
    return str(cert), str(key)


def openssl_hash(password):
    """SHA-512-crypt hash via `openssl passwd -6` (always accepted)."""
    r = subprocess.run(["openssl", "passwd", "-6", "-stdin"],
                       input=password.encode(), capture_output=True,
                       check=True, timeout=30)
    return r.stdout.decode().strip()


def add_user(users_file, name, password):
    """Append a users-file entry; prefers `postie user add --force` and
    falls back to an `openssl passwd -6` line when that is unavailable."""
    users_file = Path(users_file)
    before = users_file.read_bytes() if users_file.exists() else b""
    if os.environ.get("P3LAB_HASH", "postie") == "postie":
        try:
            r = subprocess.run(
                [postie_bin(), "user", "add", "--users", str(users_file),
                 "--password-stdin", "--force", name],
                input=(password + "\n").encode(), capture_output=True,
                timeout=60)
            after = users_file.read_bytes() if users_file.exists() else b""
            if r.returncode == 0 and re.search(
                    rb"(?m)^" + re.escape(name.encode()) + rb":\$", after):
                return
            # Undo anything partial before falling back.
            users_file.write_bytes(before)
        except (OSError, subprocess.TimeoutExpired):
            users_file.write_bytes(before)
    with open(users_file, "ab") as f:
        f.write(("%s:%s\n" % (name, openssl_hash(password))).encode())


def mail_owner():
    """(uid, gid) that owns the test mail stores when we run as root:
    postie refuses to read root-owned mail and runs as the store's owner.
    $P3LAB_MAIL_USER, else vmail, else nobody. None when not root."""
    if os.geteuid() != 0:
        return None
    for name in (os.environ.get("P3LAB_MAIL_USER"), "vmail", "nobody"):
        if not name:
            continue
        try:
            pw = pwd.getpwnam(name)
        except KeyError:
            continue
        return pw.pw_uid, pw.pw_gid
    raise RuntimeError("running as root but no vmail/nobody user for mail")


def auth_group():
    """The group of postie's credential process when started as root
    (user postie, else nobody), or None."""
    if os.geteuid() != 0:
        return None
    for name in ("postie", "nobody"):
        try:
            return pwd.getpwnam(name).pw_gid
        except KeyError:
            continue
    return None


def chown_tree(path, uid, gid):
    os.chown(path, uid, gid)
    for top, dirs, files in os.walk(path):
        for n in dirs + files:
            os.chown(os.path.join(top, n), uid, gid, follow_symlinks=False)


def make_maildir(path):
    path = Path(path)
    for sub in ("cur", "new", "tmp"):
        (path / sub).mkdir(parents=True, exist_ok=True)
    return path


# --- the lab ----------------------------------------------------------------

def wait_pop3_ready(proc, ports, tls_port, ctx, wait, error, name,
                    greet_timeout=3.0):
    """Return once every port answers a POP3 greeting (tls_port through
    TLS with ctx); raise error if proc exits first or after wait seconds."""
    deadline = time.monotonic() + wait
    pending = list(ports)
    while pending:
        if proc.poll() is not None:
            raise error("%s exited with %d before it was ready" %
                        (name, proc.returncode))
        if time.monotonic() > deadline:
            raise error("%s not ready after %.1fs" % (name, wait))
        p = pending[0]
        try:
            with socket.create_connection((HOST, p), timeout=1.0) as s:
                if p == tls_port:
                    s = ctx.wrap_socket(s, server_hostname="localhost")
                s.settimeout(greet_timeout)
                if not s.recv(512).startswith(b"+OK"):
                    raise OSError("no greeting")
                s.sendall(b"QUIT\r\n")
                s.recv(512)
            pending.pop(0)
        except OSError:
            time.sleep(0.05)


class ServerError(Exception):
    pass


class Lab:
    """A temporary world for one server instance."""

    def __init__(self, prefix="p3lab-", cert=True):
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        self.owner = mail_owner()
        if self.owner:
            # The server's mail process (not root) must reach dir/mail.
            os.chmod(self.dir, 0o711)
        self.users_file = self.dir / "users"
        self.users_file.write_bytes(b"")
        os.chmod(self.users_file, 0o600)
        self.cert = self.key = None
        if cert:
            self.cert, self.key = make_cert(self.dir)
        self.users = {}
        self.msgs = {}  # user -> [(basename, bytes)]
        self.proc = None
        self.log_path = self.dir / "server.log"
        self.port = self.tls_port = None
        self.exit_code = None
        self._mail_seq = 0

    # users and mail
    def maildir(self, user):
        return self.dir / "mail" / user / "Maildir"

    def add_user(self, name, password, maildir=True):
        add_user(self.users_file, name, password)
        self.users[name] = password
        self.msgs.setdefault(name, [])
        if maildir:
            make_maildir(self.maildir(name))

    def add_mail(self, user, data, name=None, sub="new"):
        """Store one message; names sort (and mtimes grow) in the order of
        the calls, so any sane server lists them in this order."""
        self._mail_seq += 1
        seq = self._mail_seq
        if name is None:
            name = "%d.M%dP100.p3lab" % (1700000000 + seq, seq)
        path = self.maildir(user) / sub / name
        path.write_bytes(data)
        t = 1700000000 + seq
        os.utime(path, (t, t))
        base = name.split(":", 1)[0]
        self.msgs.setdefault(user, []).append((base, data))
        return base

    def fix_owner(self, path=None):
        """As root, give the mail store (or one new file/dir in it) to the
        mail user and let the credential process read the users file, as
        an administrator would. No-op when not root."""
        if not self.owner:
            return
        uid, gid = self.owner
        if path is not None:
            os.chown(path, uid, gid)
            return
        mail = self.dir / "mail"
        mail.mkdir(exist_ok=True)
        chown_tree(mail, uid, gid)
        ag = auth_group()
        if ag is not None:
            os.chown(self.users_file, 0, ag)
            os.chmod(self.users_file, 0o640)

    def private_file(self, name, text):
        """A file in the lab only the server's credential process may read
        (mode 0600; as root root:<its group> 0640, as fix_owner does for
        the users file), e.g. --apop-secrets. Returns its path."""
        path = self.dir / name
        path.write_text(text)
        os.chmod(path, 0o600)
        ag = auth_group() if self.owner else None
        if ag is not None:
            os.chown(path, 0, ag)
            os.chmod(path, 0o640)
        return path

    def context(self):
        """Client TLS context trusting only the lab certificate."""
        ctx = ssl.create_default_context(cafile=self.cert)
        return ctx

    # the server
    def command(self, extra=(), listen=True, tls=True):
        argv = [postie_bin(), "serve"]
        if listen:
            argv += ["--listen", "%s:%d" % (HOST, self.port)]
        if tls and self.cert:
            argv += ["--listen-tls", "%s:%d" % (HOST, self.tls_port),
                     "--cert", self.cert, "--key", self.key]
        argv += ["--users", str(self.users_file),
                 "--maildir", str(self.dir / "mail" / "%u" / "Maildir")]
        argv += list(extra)
        return argv

    def start(self, extra=(), wait=10.0):
        """Start postie serve; returns once both ports answer."""
        last = None
        self.fix_owner()
        for _attempt in range(3):
            self.port = free_port()
            self.tls_port = free_port()
            argv = self.command(extra)
            self._logf = open(self.log_path, "ab")
            self.proc = subprocess.Popen(
                argv, stdin=subprocess.DEVNULL, stdout=self._logf,
                stderr=subprocess.STDOUT, cwd=str(self.dir))
            try:
                self._wait_ready(wait)
                return self
            except ServerError as e:
                last = e
                self.stop()
                if "Address already in use" not in self.log():
                    break
        raise ServerError("%s\n--- server log ---\n%s" % (last, self.log()))

    def _wait_ready(self, wait):
        ports = [self.port] + ([self.tls_port] if self.cert else [])
        wait_pop3_ready(self.proc, ports, self.tls_port, self.context(),
                        wait, ServerError, "server", greet_timeout=2.0)

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def signal(self, sig):
        if self.running():
            os.kill(self.proc.pid, sig)

    def wait_exit(self, timeout=10.0):
        """Wait for the server to exit; returns its code (None if alive)."""
        if self.proc is None:
            return self.exit_code
        try:
            self.exit_code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None
        return self.exit_code

    def stop(self, timeout=5.0):
        """SIGTERM, bounded wait, then SIGKILL. Returns the exit code."""
        if self.proc is None:
            return self.exit_code
        if self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=timeout)
                self.exit_code = "killed (no exit %.0fs after SIGTERM)" % \
                    timeout
                self.proc = None
                self._logf.close()
                return self.exit_code
        self.exit_code = self.proc.returncode
        self.proc = None
        self._logf.close()
        return self.exit_code

    def log(self):
        try:
            return self.log_path.read_bytes().decode("utf-8", "replace")
        except OSError:
            return ""

    def sanitizer_report(self):
        """Sanitizer/valgrind complaints in the server log, or ''."""
        text = self.log()
        m = re.search(r"(==\d+==ERROR: \w+Sanitizer|runtime error:|"
                      r"ERROR: LeakSanitizer|==\d+== Invalid )", text)
        return text[m.start():m.start() + 2000] if m else ""

    def wait_log(self, pattern, timeout=5.0):
        """Wait until a server log line matches the regex; returns it."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            for line in self.log().splitlines():
                if rx.search(line):
                    return line
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)

    def cleanup(self):
        self.stop()
        if os.environ.get("P3LAB_KEEP"):
            log("kept lab directory %s" % self.dir)
            return
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


# --- a line-oriented POP3 connection ----------------------------------------

class Closed(Exception):
    pass


class Conn:
    """A raw POP3 connection with its own read buffer (so STLS can check
    that nothing follows the +OK before the handshake)."""

    def __init__(self, host, port, tls_ctx=None, timeout=TIMEOUT):
        self.timeout = timeout
        raw = socket.create_connection((host, port), timeout=timeout)
        self.sock = raw
        self.buf = b""
        self.tls = False
        if tls_ctx is not None:
            self.sock = tls_ctx.wrap_socket(raw, server_hostname="localhost",
                                            suppress_ragged_eofs=False)
            self.tls = True

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, timeout):
        self.sock.settimeout(timeout)
        try:
            chunk = self.sock.recv(65536)
        except (socket.timeout, TimeoutError):
            raise
        except ssl.SSLEOFError:
            raise Closed("connection closed (TLS: without close_notify)")
        except ssl.SSLError as e:
            raise Closed("TLS error: %s" % e)
        except (ConnectionResetError, BrokenPipeError) as e:
            raise Closed("connection reset: %s" % e)
        if not chunk:
            raise Closed("connection closed by server")
        self.buf += chunk

    def readline(self, timeout=None):
        """One line including its terminator (CRLF or bare LF)."""
        timeout = self.timeout if timeout is None else timeout
        deadline = time.monotonic() + timeout
        while b"\n" not in self.buf:
            left = deadline - time.monotonic()
            if left <= 0:
                raise socket.timeout("no complete line within %.1fs (have %s)"
                                     % (timeout, show(self.buf)))
            try:
                self._fill(left)
            except Closed as e:
                if self.buf:
                    raise Closed("%s after partial line %s" %
                                 (e, show(self.buf)))
                raise
            if len(self.buf) > 1 << 20 and b"\n" not in self.buf:
                raise Closed("line longer than 1 MiB")
        i = self.buf.index(b"\n") + 1
        line, self.buf = self.buf[:i], self.buf[i:]
        return line

    def pending(self, wait=0.2):
        """Bytes that arrive within `wait` seconds (buffer included);
        b'' means silence. Connection close counts as silence here."""
        if self.buf:
            return self.buf
        try:
            self._fill(wait)
        except (socket.timeout, TimeoutError):
            return b""
        except Closed:
            return b""
        return self.buf

    def wait_closed(self, timeout=5.0):
        """Wait for the server to close. Returns (closed, extra, how):
        extra is data received before the close, how is "close_notify"
        (TLS closed properly), "eof" (plain TCP), "eof without
        close_notify" (TLS) or "reset"."""
        extra = self.buf
        self.buf = b""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return False, extra, None
            try:
                self.sock.settimeout(left)
                chunk = self.sock.recv(65536)
            except (socket.timeout, TimeoutError):
                return False, extra, None
            except ssl.SSLEOFError:
                return True, extra, "eof without close_notify"
            except (ssl.SSLError, OSError) as e:
                return True, extra, "reset (%s)" % e
            if not chunk:
                return True, extra, "close_notify" if self.tls else "eof"
            extra += chunk

    def starttls(self, ctx):
        if self.buf:
            raise Closed("server sent %s after the STLS reply, before the "
                         "handshake" % show(self.buf))
        self.sock.settimeout(self.timeout)
        try:
            self.sock = ctx.wrap_socket(self.sock,
                                        server_hostname="localhost",
                                        suppress_ragged_eofs=False)
        except (ssl.SSLError, OSError) as e:
            raise Closed("TLS handshake failed: %s" % e)
        self.tls = True

    def tls_version(self):
        return self.sock.version() if self.tls else None

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def abort(self):
        """Drop the connection without QUIT (RST if possible)."""
        try:
            raw = self.sock
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                           b"\x01\x00\x00\x00\x00\x00\x00\x00")
        except OSError:
            pass
        self.close()


def read_multiline(conn, timeout=None, limit=None):
    """Read a multi-line body after its +OK line. Returns (lines, error):
    lines are raw (still stuffed, CRLF stripped); error is a string if
    a line is not CRLF-terminated or an unstuffed dot line appears."""
    lines = []
    err = None
    while True:
        line = conn.readline(timeout)
        if not line.endswith(b"\r\n"):
            err = err or "line %d not CRLF-terminated: %s" % (
                len(lines) + 1, show(line))
            body = line[:-1]
        else:
            body = line[:-2]
        if body == b".":
            return lines, err
        if body.startswith(b".") and not body.startswith(b".."):
            err = err or "line %d starts with a single '.': %s" % (
                len(lines) + 1, show(body))
        lines.append(body)
        if limit is not None and len(lines) > limit:
            return lines, "more than %d lines" % limit


def unstuff(lines):
    return b"".join((l[1:] if l.startswith(b"..") else l) + b"\r\n"
                    for l in lines)


# --- test bookkeeping -------------------------------------------------------

class Fail(Exception):
    """A failed check inside a test (see check and Tally.run)."""


def check(cond, msg):
    if not cond:
        raise Fail(msg)


class Tally:
    """Counts PASS/FAIL lines and prints the closing summary."""

    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.names = []

    def ok(self, name, detail=""):
        self.passed += 1
        log("PASS %s%s" % (name, (" (" + detail + ")") if detail else ""))

    def fail(self, name, why):
        self.failed += 1
        self.names.append(name)
        log("FAIL %s\n%s" % (name, "\n".join("    " + l for l in
                                             str(why).splitlines())))

    def run(self, name, fn, *args):
        """Run fn(*args) as one test: PASS with its time and the detail it
        returns; FAIL on Fail or any other exception (the run goes on)."""
        t0 = time.monotonic()
        try:
            detail = fn(*args)
            self.ok(name, ("%.1fs" % (time.monotonic() - t0)) +
                    ("; " + detail if detail else ""))
        except Fail as e:
            self.fail(name, e)
        except Exception as e:  # noqa: BLE001 - report, do not stop
            self.fail(name, "%s: %s" % (type(e).__name__, e))

    def summary(self):
        if self.names:
            log("failed: " + " ".join(self.names))
        log("%d passed, %d failed" % (self.passed, self.failed))
        return 1 if self.failed else 0


def _terminate(signum, frame):
    raise SystemExit(128 + signum)


def require_binary():
    """Check $POSTIE and turn SIGTERM/SIGHUP into SystemExit, so that the
    finally blocks stop every server this process started."""
    signal.signal(signal.SIGTERM, _terminate)
    signal.signal(signal.SIGHUP, _terminate)
    b = postie_bin()
    if not os.access(b, os.X_OK):
        log("FAIL setup: %s is not an executable (build with make, or set "
            "POSTIE)" % b)
        log("0 passed, 1 failed")
        sys.exit(1)
    return b
