"""Start and stop the servers under test, all on loopback, all serving the
same Maildirs (bench/data/maildir/<user>) and the same users file
(bench/data/users, "user:$6$..." SHA-512-crypt).

  Postie   ./postie serve in the foreground; we hold its PID.
  Dovecot  `dovecot -c <private config>` rendered from bench/dovecot/;
           the master daemonizes and writes base/master.pid. variant
           "default" = Dovecot's defaults (a process per connection and per
           session), "tuned" = its documented high-performance settings
           (long-lived pop3-login, pop3 processes reused 100 times).
Every server is stopped by the PID we recorded, never by name.
"""
import os
import shutil
import signal
import socket
import subprocess
import time

TUNED = """service pop3-login {
  service_count = 0
  process_min_avail = 2
}
service pop3 {
  service_count = 100
  process_min_avail = 2
}
"""


def port_open(port):
    s = socket.socket()
    s.settimeout(0.2)
    try:
        s.connect(("127.0.0.1", port))
        return True
    except OSError:
        return False
    finally:
        s.close()


def wait_port(port, secs=10.0):
    end = time.time() + secs
    while time.time() < end:
        if port_open(port):
            return True
        time.sleep(0.05)
    return False


def tls_cert(data):
    d = os.path.join(data, "tls")
    cert, key = os.path.join(d, "cert.pem"), os.path.join(d, "key.pem")
    if os.path.exists(cert) and os.path.exists(key):
        return cert, key
    os.makedirs(d, exist_ok=True)
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                    "-days", "3650", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", key, "-out", cert],
                   check=True, capture_output=True)
    os.chmod(key, 0o600)
    return cert, key


def drop_caches():
    """Write back and drop the page cache (best effort)."""
    try:
        os.sync()
        with open("/proc/sys/vm/drop_caches", "w") as f:
            f.write("3\n")
        return True
    except OSError:
        return False


class Server:
    name = "?"
    port = tls_port = 0

    def pid(self):
        raise NotImplementedError

    def alive(self):
        try:
            os.kill(self.pid(), 0)
            return True
        except (OSError, TypeError):
            return False


class Postie(Server):
    def __init__(self, exe, data, run, port=12110, tls_port=12995):
        self.name, self.exe, self.data = "postie", exe, data
        self.run = os.path.join(run, "postie")
        self.port, self.tls_port = port, tls_port
        self.proc = None

    def start(self):
        os.makedirs(self.run, exist_ok=True)
        if port_open(self.port) or port_open(self.tls_port):
            raise RuntimeError("postie: port %d or %d busy" %
                               (self.port, self.tls_port))
        cert, key = tls_cert(self.data)
        args = [self.exe, "serve",
                "--listen", "127.0.0.1:%d" % self.port,
                "--listen-tls", "127.0.0.1:%d" % self.tls_port,
                "--cert", cert, "--key", key,
                "--users", os.path.join(self.data, "users"),
                "--maildir", os.path.join(self.data, "maildir", "%u"),
                "--allow-plaintext-auth", "--auth-fail-delay", "0",
                "--no-mark-seen", "--max-connections", "30000",
                "--max-connections-per-source", "30000",
                "--max-auth-per-source", "10000"]
        self.log = open(os.path.join(self.run, "postie.log"), "ab")
        self.proc = subprocess.Popen(args, stdin=subprocess.DEVNULL,
                                     stdout=self.log, stderr=self.log)
        if not wait_port(self.port):
            self.stop()
            raise RuntimeError("postie serve did not start; see %s" %
                               os.path.join(self.run, "postie.log"))
        return self

    def pid(self):
        return self.proc.pid if self.proc else None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None
        self.log.close()

    def cold(self, user):
        """Forget what postie keeps about a mailbox (its sizes cache)."""
        md = os.path.join(self.data, "maildir", user)
        for f in ("postie.sizes",):
            try:
                os.unlink(os.path.join(md, f))
            except OSError:
                pass


class Dovecot(Server):
    def __init__(self, data, run, variant, port, tls_port, uid=5000):
        self.name = "dovecot-" + variant
        self.variant, self.data, self.uid = variant, data, uid
        self.run = os.path.join(run, self.name)
        self.port, self.tls_port = port, tls_port
        self.conf = os.path.join(self.run, "dovecot.conf")
        self.master = None

    def start(self):
        here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        tmpl = os.path.join(here, "dovecot", "dovecot.conf.in")
        if port_open(self.port) or port_open(self.tls_port):
            raise RuntimeError("%s: port %d or %d busy" %
                               (self.name, self.port, self.tls_port))
        tls_cert(self.data)
        for d in ("base", "state", "home"):
            os.makedirs(os.path.join(self.run, d), exist_ok=True)
        os.chown(os.path.join(self.run, "home"), self.uid, self.uid)
        with open(tmpl) as f:
            text = f.read()
        extra = TUNED if self.variant == "tuned" else ""
        for k, v in (("@NAME@", self.name), ("@RUN@", self.run),
                     ("@DATA@", self.data), ("@PORT@", str(self.port)),
                     ("@TLSPORT@", str(self.tls_port)),
                     ("@UID@", str(self.uid)), ("@EXTRA@", extra)):
            text = text.replace(k, v)
        with open(self.conf, "w") as f:
            f.write(text)
        subprocess.run(["dovecot", "-c", self.conf], check=True,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        pidfile = os.path.join(self.run, "base", "master.pid")
        end = time.time() + 10
        while time.time() < end:
            try:
                with open(pidfile) as f:
                    self.master = int(f.read().split()[0])
                if port_open(self.port):
                    return self
            except (OSError, ValueError, IndexError):
                pass
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("%s did not start; see %s" %
                           (self.name, os.path.join(self.run, "dovecot.log")))

    def pid(self):
        return self.master

    def stop(self):
        if self.master is None:
            return
        try:
            os.kill(self.master, signal.SIGTERM)
        except OSError:
            self.master = None
            return
        end = time.time() + 15
        while time.time() < end and self.alive():
            time.sleep(0.05)
        if self.alive():
            os.kill(self.master, signal.SIGKILL)
        self.master = None

    def cold(self, user):
        """Delete Dovecot's index and uidlist of a mailbox (both Dovecot
        instances share it)."""
        md = os.path.join(self.data, "maildir", user)
        for f in os.listdir(md):
            if f.startswith("dovecot"):
                p = os.path.join(md, f)
                if os.path.isdir(p):
                    shutil.rmtree(p, ignore_errors=True)
                else:
                    os.unlink(p)
