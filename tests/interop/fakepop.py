#!/usr/bin/env python3
"""fakepop.py: a small scripted POP3 server for postie audit's tests.

It plays well-behaved by default and turns on one weakness per --flags item,
for weaknesses no available real server has (STLS injection, NTLM
disclosure, anonymous login, a crash on a long line, ...). Test use only:
it listens on loopback, keeps no mail on disk, and stops on SIGTERM.

    fakepop.py --port 21100 [--tls-port 21101] [--cert C --key K]
               [--flags inject,ntlm,...] [--users alice:secret,...]

Prints "READY <port> <tls-port>" on stdout once it accepts connections.
"""
import argparse
import base64
import os
import signal
import socket
import socketserver
import ssl
import struct
import sys
import threading
import time

FLAGS_HELP = {
    "plainauth": "USER/PASS and AUTH PLAIN/LOGIN allowed before TLS",
    "inject": "STLS keeps the plaintext buffered before the handshake",
    "carry": "USER given before STLS survives the handshake",
    "stlsstill": "STLS still advertised and accepted inside TLS",
    "stlsauth": "STLS accepted after login",
    "ntlm": "SASL NTLM offered, CHALLENGE discloses names and OS version",
    "anon": "AUTH ANONYMOUS and USER anonymous log in",
    "crash": "the whole server exits on a line longer than 1024 bytes",
    "hang": "lines longer than 1024 bytes get no reply",
    "oracle": "USER answers -ERR for unknown users (RFC 1939 example)",
    "verbose": "failures reveal SQL, paths and back-end names",
    "preauth": "STAT/LIST/UIDL answered before login",
    "helpcmds": "HELP, XTND and DEBUG are accepted",
    "desync": "a line with NUL gets two replies",
    "badpipe": "only the first of pipelined commands is answered",
    "badnum": "RETR 0 returns a message",
    "nolock": "concurrent logins for one user are allowed",
    "lockout": "three failures lock the account for everyone",
    "impl": "CAPA has IMPLEMENTATION FakePOP 1.2.3",
    "apop": "the greeting has an APOP timestamp",
    "apopfixed": "the APOP timestamp is the same on every connection",
    "cram": "SASL CRAM-MD5 offered",
    "nodelay": "no delay after failed logins (default: none either)",
    "faildelay": "failed logins from one source are serialised and "
                 "delayed 0.25, 0.5, 1, 2 s",
    "reneg": "client-initiated TLS renegotiation is allowed",
    "timing": "PASS for an existing user takes 300 ms longer",
    "degrade": "the greeting slows down with every connection",
    "linetimeout": "a partial line must be finished within --idle seconds",
    "clientorder": "the client's cipher-suite order wins (TLS <= 1.2)",
    "ratelimit": "more than 10 connections per second from one source "
                 "are refused",
}

MSGS = [b"From: a@example.test\r\nSubject: one\r\n\r\nbody one\r\n",
        b"From: b@example.test\r\nSubject: two\r\n\r\nbody two\r\n"]


class State:
    def __init__(self, args):
        self.args = args
        self.flags = set(f for f in args.flags.split(",") if f)
        for f in self.flags:
            if f not in FLAGS_HELP:
                sys.exit("unknown flag " + f)
        self.users = {}
        for pair in args.users.split(","):
            if pair:
                u, p = pair.split(":", 1)
                self.users[u] = p
        self.lock = threading.Lock()
        self.locked = set()
        self.failures = {}
        self.src_failures = {}
        self.conns = {}
        self.src_locks = {}
        self.recent = {}
        self.accepted = 0
        self.ctx = None
        if args.cert:
            ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            if args.tls_min == "TLSv1":
                ctx.minimum_version = ssl.TLSVersion.TLSv1
            if args.tls_max == "TLSv1_2":
                ctx.maximum_version = ssl.TLSVersion.TLSv1_2
            if "clientorder" in self.flags:
                ctx.options &= ~ssl.OP_CIPHER_SERVER_PREFERENCE
            if args.ciphers:
                ctx.set_ciphers(args.ciphers)
            elif args.tls_min == "TLSv1":
                ctx.set_ciphers("ALL:@SECLEVEL=0")
            ctx.load_cert_chain(args.cert, args.key)
            if "reneg" in self.flags:
                # OpenSSL 3 servers refuse client renegotiation unless
                # SSL_OP_ALLOW_CLIENT_RENEGOTIATION (1 << 8) is set
                ctx.options = (ctx.options & ~ssl.OP_NO_RENEGOTIATION) | 0x100
            self.ctx = ctx


class Closed(Exception):
    pass


class Handler(socketserver.BaseRequestHandler):
    def setup(self):
        self.st = self.server.st
        self.f = self.st.flags
        self.sock = self.request
        self.buf = b""
        self.tls = False
        self.user = None
        self.authed = False
        self.src = self.client_address[0]

    def send(self, line):
        if isinstance(line, str):
            line = line.encode()
        self.sock.sendall(line + b"\r\n")

    def readline(self):
        idle = self.st.args.idle
        partial = time.monotonic() if self.buf else None
        while b"\n" not in self.buf:
            if len(self.buf) > 1024:
                if "crash" in self.f:
                    os._exit(3)
                if "hang" in self.f:
                    time.sleep(3600)
            to = idle if idle > 0 else None
            if "linetimeout" in self.f and partial is not None and idle > 0:
                to = idle - (time.monotonic() - partial)
                if to <= 0:
                    self.send("-ERR Line not finished in time")
                    raise Closed()
            self.sock.settimeout(to)
            try:
                data = self.sock.recv(4096)
            except socket.timeout:
                self.send("-ERR Idle timeout")
                raise Closed()
            except (ConnectionError, ssl.SSLError, OSError):
                raise Closed()
            if not data:
                raise Closed()
            if partial is None:
                partial = time.monotonic()
            self.buf += data
        line, self.buf = self.buf.split(b"\n", 1)
        if len(line) > 1024:
            if "crash" in self.f:
                os._exit(3)
            if "hang" in self.f:
                time.sleep(3600)
        return line[:-1] if line.endswith(b"\r") else line

    def handle(self):
        st = self.st
        with st.lock:
            now = time.monotonic()
            recent = [t for t in st.recent.get(self.src, []) if now - t < 1]
            recent.append(now)
            st.recent[self.src] = recent
            limited = "ratelimit" in self.f and len(recent) > 10
            n = st.conns.get(self.src, 0)
            if limited or (st.args.max_conns and n >= st.args.max_conns):
                try:
                    self.send("-ERR [SYS/TEMP] Too many connections")
                except OSError:
                    pass
                return
            st.conns[self.src] = n + 1
        try:
            if self.server.implicit:
                self.sock = st.ctx.wrap_socket(self.sock, server_side=True)
                self.tls = True
            self.session()
        except (Closed, ssl.SSLError, ConnectionError, OSError):
            pass
        finally:
            with st.lock:
                st.conns[self.src] -= 1
                if self.authed and self.user in st.locked:
                    st.locked.discard(self.user)

    def greeting(self):
        g = self.st.args.greeting
        if "apop" in self.f or "apopfixed" in self.f:
            stamp = "<1234.1@fakehost>" if "apopfixed" in self.f else \
                "<%d.%d@fakehost>" % (os.getpid(), time.monotonic_ns())
            g += " " + stamp
        return g

    def capa(self):
        caps = ["TOP", "UIDL", "RESP-CODES", "PIPELINING"]
        plain_ok = self.tls or "plainauth" in self.f
        if plain_ok and not self.authed:
            caps.append("USER")
        mechs = []
        if plain_ok:
            mechs += ["PLAIN", "LOGIN"]
        if "cram" in self.f:
            mechs.append("CRAM-MD5")
        if "ntlm" in self.f:
            mechs.append("NTLM")
        if "anon" in self.f:
            mechs.append("ANONYMOUS")
        if mechs and not self.authed:
            caps.append("SASL " + " ".join(mechs))
        if self.st.ctx and (not self.tls or "stlsstill" in self.f) \
                and not self.authed:
            caps.append("STLS")
        if "impl" in self.f:
            caps.append("IMPLEMENTATION FakePOP 1.2.3")
        self.send("+OK Capability list follows")
        for c in caps:
            self.send(c)
        self.send(".")

    def fail(self, user):
        st = self.st
        with st.lock:
            k = st.src_failures.get(self.src, 0)
            st.src_failures[self.src] = k + 1
            if user is not None:
                st.failures[user] = st.failures.get(user, 0) + 1
                if "lockout" in self.f and st.failures[user] >= 3:
                    st.locked.add("lockout:" + user)
            slock = st.src_locks.setdefault(self.src, threading.Lock())
        if "faildelay" in self.f:
            with slock:
                time.sleep(min(0.25 * (2 ** k), 2.0))
        if "verbose" in self.f:
            self.send("-ERR [AUTH] SQL error in /var/lib/fakepop/auth.c:"
                      "123: SELECT pw FROM users (mysql)")
        else:
            self.send("-ERR [AUTH] Authentication failed")

    def login(self, user, pw):
        st = self.st
        if "timing" in self.f and user in st.users:
            time.sleep(0.3)
        if "anon" in self.f and user == "anonymous":
            ok = True
        else:
            ok = st.users.get(user) == pw
        with st.lock:
            if "lockout:" + user in st.locked:
                ok = False
        if not ok:
            self.fail(user)
            return False
        with st.lock:
            if user in st.locked and "nolock" not in self.f:
                self.send("-ERR [IN-USE] Mailbox is locked")
                return False
            st.locked.add(user)
        self.user = user
        self.authed = True
        self.send("+OK Logged in")
        return True

    def plain_refused(self):
        if self.tls or "plainauth" in self.f:
            return False
        self.send("-ERR [AUTH] Plaintext authentication disallowed")
        return True

    def starttls(self):
        if not self.st.ctx:
            self.send("-ERR TLS not available")
            return
        if self.authed and "stlsauth" not in self.f:
            self.send("-ERR Command not valid in this state")
            return
        if self.tls and "stlsstill" not in self.f:
            self.send("-ERR TLS already active")
            return
        self.send("+OK Begin TLS negotiation")
        if "inject" not in self.f:
            self.buf = b""
        if "carry" not in self.f:
            self.user = None
        self.sock = self.st.ctx.wrap_socket(self.sock, server_side=True)
        self.tls = True

    def ntlm(self):
        self.send("+ ")
        self.readline()  # NEGOTIATE
        tinfo = b""
        for typ, val in ((2, "FAKEDOM"), (1, "FAKEHOST"),
                         (4, "fake.example.test"),
                         (3, "fakehost.fake.example.test")):
            v = val.encode("utf-16-le")
            tinfo += struct.pack("<HH", typ, len(v)) + v
        tinfo += struct.pack("<HH", 0, 0)
        name = "FAKEDOM".encode("utf-16-le")
        hdr_len = 56
        flags = 0x00028205 | 0x02000000  # unicode, ntlm, target info, ver
        msg = b"NTLMSSP\0" + struct.pack("<I", 2)
        msg += struct.pack("<HHI", len(name), len(name), hdr_len)
        msg += struct.pack("<I", flags) + b"\x01" * 8 + b"\0" * 8
        msg += struct.pack("<HHI", len(tinfo), len(tinfo),
                           hdr_len + len(name))
        msg += bytes([10, 0]) + struct.pack("<H", 17763) + b"\0\0\0\x0f"
        msg += name + tinfo
        self.send(b"+ " + base64.b64encode(msg))
        line = self.readline()
        self.send("-ERR Authentication cancelled" if line == b"*"
                  else "-ERR [AUTH] Authentication failed")

    def auth(self, args):
        if not args:
            self.send("+OK")
            for m in ["PLAIN", "LOGIN"] + (["NTLM"] if "ntlm" in self.f
                                            else []):
                self.send(m)
            self.send(".")
            return
        mech = args[0].upper()
        if mech == "NTLM" and "ntlm" in self.f:
            return self.ntlm()
        if mech == "ANONYMOUS" and "anon" in self.f:
            if len(args) < 2:
                self.send("+ ")
                self.readline()
            self.user = "anonymous"
            self.authed = True
            self.send("+OK Logged in")
            return
        if mech not in ("PLAIN", "LOGIN"):
            self.send("-ERR Unsupported authentication mechanism")
            return
        if self.plain_refused():
            return
        if mech == "LOGIN":
            self.send("+ VXNlcm5hbWU6")
            u = self.readline()
            if u == b"*":
                return self.send("-ERR Authentication cancelled")
            self.send("+ UGFzc3dvcmQ6")
            p = self.readline()
            if p == b"*":
                return self.send("-ERR Authentication cancelled")
            try:
                self.login(base64.b64decode(u, validate=True).decode(),
                           base64.b64decode(p, validate=True).decode())
            except ValueError:
                self.send("-ERR Invalid base64 data")
            return
        if len(args) > 1:
            data = args[1]
        else:
            self.send("+ ")
            data = self.readline()
        if data == b"*":
            return self.send("-ERR Authentication cancelled")
        try:
            parts = base64.b64decode(data, validate=True).split(b"\0")
            if len(parts) != 3:
                raise ValueError()
            self.login(parts[1].decode(), parts[2].decode())
        except (ValueError, UnicodeDecodeError):
            self.send("-ERR Invalid base64 data")

    def trans(self, cmd, args):
        if cmd == b"STAT":
            return self.send("+OK %d %d" % (len(MSGS),
                                           sum(len(m) for m in MSGS)))
        if cmd in (b"LIST", b"UIDL") and not args:
            self.send("+OK")
            for i, m in enumerate(MSGS):
                self.send("%d %s" % (i + 1, len(m) if cmd == b"LIST"
                                     else "uid%d" % i))
            return self.send(".")
        if cmd in (b"NOOP", b"RSET"):
            return self.send("+OK")
        if cmd in (b"RETR", b"TOP", b"LIST", b"UIDL", b"DELE"):
            try:
                n = int(args[0]) if args[0].isdigit() else -1
            except IndexError:
                return self.send("-ERR Invalid arguments")
            if n == 0 and "badnum" in self.f and cmd == b"RETR":
                self.send("+OK message follows")
                self.sock.sendall(MSGS[0] + b".\r\n")
                return
            if n < 1 or n > len(MSGS) or (cmd == b"TOP" and (
                    len(args) < 2 or not args[1].isdigit())):
                return self.send("-ERR No such message")
            if cmd in (b"RETR", b"TOP"):
                self.send("+OK")
                self.sock.sendall(MSGS[n - 1] + b".\r\n")
                return
            if cmd == b"DELE":
                return self.send("+OK Message deleted")
            return self.send("+OK %d %s" % (n, len(MSGS[n - 1])))
        self.send("-ERR Unknown command")

    def session(self):
        if "degrade" in self.f:
            with self.st.lock:
                self.st.accepted += 1
                n = self.st.accepted
            time.sleep(min(0.01 * n, 2.0))
        self.send(self.greeting())
        while True:
            # pipelining defect: answer the first command of a segment only
            if "badpipe" in self.f and self.buf.count(b"\n") > 1:
                first, _ = self.buf.split(b"\n", 1)
                self.buf = first + b"\n"
            line = self.readline()
            if b"\0" in line:
                self.send("-ERR NUL byte in command")
                if "desync" in self.f:
                    self.send("-ERR NUL byte in command")
                continue
            parts = line.split(b" ")
            cmd = parts[0].upper()
            args = parts[1:]
            if cmd == b"QUIT":
                self.send("+OK Bye")
                return
            if cmd == b"CAPA":
                self.capa()
            elif cmd == b"STLS":
                self.starttls()
            elif self.authed:
                self.trans(cmd, args)
            elif cmd == b"USER":
                if self.plain_refused():
                    continue
                if len(args) != 1:
                    self.send("-ERR Invalid arguments")
                    continue
                name = args[0].decode("latin-1")
                if "oracle" in self.f and name not in self.st.users:
                    self.send("-ERR never heard of mailbox " + name)
                    continue
                self.user = name
                self.send("+OK")
            elif cmd == b"PASS":
                if self.plain_refused():
                    continue
                if self.user is None:
                    self.send("-ERR No USER given")
                    continue
                self.login(self.user, line[5:].decode("latin-1"))
                self.user = self.user if self.authed else None
            elif cmd == b"AUTH":
                self.auth([a.decode("latin-1") for a in args])
            elif cmd in (b"HELP", b"XTND", b"DEBUG") and \
                    "helpcmds" in self.f:
                self.send("+OK commands: USER PASS STAT LIST RETR DEBUG")
            elif cmd in (b"STAT", b"LIST", b"UIDL") and "preauth" in self.f:
                self.trans(cmd, args)
            elif cmd in (b"STAT", b"LIST", b"RETR", b"DELE", b"TOP",
                         b"UIDL", b"RSET", b"NOOP", b"LAST"):
                self.send("-ERR Command not valid in this state")
            else:
                self.send("-ERR Unknown command")


class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--tls-port", type=int, default=0)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--tls-min", default="TLSv1_2")
    ap.add_argument("--tls-max", default="")
    ap.add_argument("--ciphers")
    ap.add_argument("--flags", default="")
    ap.add_argument("--users", default="alice:Secret-Pass-1")
    ap.add_argument("--greeting", default="+OK POP3 ready")
    ap.add_argument("--idle", type=float, default=30.0,
                    help="idle timeout in seconds, 0 = never")
    ap.add_argument("--max-conns", type=int, default=0)
    args = ap.parse_args()
    st = State(args)
    servers = []
    for port, implicit in ((args.port, False), (args.tls_port, True)):
        if port == 0 or (implicit and st.ctx is None):
            continue
        srv = Server((args.host, port), Handler)
        srv.st = st
        srv.implicit = implicit
        servers.append(srv)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    print("READY %d %d" % (args.port, args.tls_port), flush=True)
    while True:
        time.sleep(3600)


if __name__ == "__main__":
    main()
