"""dovelab: a private Dovecot POP3 server for the interop tests.

A DoveLab is a temporary directory holding a Dovecot configuration of its
own (the system's /etc/dovecot is never read and the system service is
never started), a self-signed certificate for localhost/127.0.0.1 (the
same one p3lab makes), a passwd-file and one Maildir per user:

    lab = dovelab.DoveLab(mechs="plain login scram-sha-256")
    lab.add_user("alice", "secret")                       # {SHA512-CRYPT}
    lab.add_user("carol", "secret", scheme="SCRAM-SHA-256")
    lab.deliver_corpus("alice")                           # ../shared/corpus
    lab.start()         # plain+STLS on lab.port, implicit TLS on lab.tls_port
    ...
    lab.stop(); lab.cleanup()                           # or: with DoveLab()

Dovecot runs in the foreground (`dovecot -F -c CONF`) as our child, so it
is stopped by its PID: SIGTERM, a bounded wait, then SIGKILL for the master
and any of its children still alive (found through /proc by parent PID).
Password hashes come from `doveadm pw -s SCHEME` ({PLAIN} is written as
is). As root, the mail store belongs to $P3LAB_MAIL_USER, else vmail, else
nobody (Dovecot's mail_uid/mail_gid); the login and internal users are
Debian's dovenull and dovecot. Not as root, everything runs as the current
user (Dovecot's "rootless" setup: no chroot for the login processes).
The log (log_path, with auth_verbose = yes) is lab.log().
P3LAB_KEEP=1 keeps the directory. Only the Python standard library is used.
"""

import os
import pwd
import grp
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path

import p3lab

HOST = p3lab.HOST


class DovecotError(Exception):
    pass


def available():
    """None if Dovecot's POP3 server can be run, else the reason."""
    if shutil.which("dovecot") is None:
        return "dovecot is not installed (apt-get install dovecot-pop3d)"
    if not os.path.exists("/usr/lib/dovecot/pop3"):
        return "Dovecot's POP3 server is missing (dovecot-pop3d)"
    if shutil.which("doveadm") is None:
        return "doveadm is not installed (dovecot-core)"
    return None


def dovecot_version():
    r = subprocess.run(["dovecot", "--version"], capture_output=True,
                       timeout=30)
    return r.stdout.decode(errors="replace").strip()


def password_hash(password, scheme):
    """'{SCHEME}...' for a passwd-file; doveadm computes every scheme but
    PLAIN."""
    if scheme.upper() == "PLAIN":
        return "{PLAIN}" + password
    r = subprocess.run(["doveadm", "pw", "-s", scheme, "-p", password],
                       capture_output=True, timeout=60)
    out = r.stdout.decode(errors="replace").strip()
    if r.returncode != 0 or not out.startswith("{"):
        raise DovecotError("doveadm pw -s %s failed (exit %d): %s" % (
            scheme, r.returncode, (r.stderr or r.stdout).decode(
                errors="replace")))
    return out


def _ids():
    """(mail uid, mail gid, internal user, login user, rootless)."""
    if os.geteuid() != 0:
        me = pwd.getpwuid(os.geteuid()).pw_name
        return os.geteuid(), os.getegid(), me, me, True
    owner = p3lab.mail_owner()
    internal = "dovecot"
    login = "dovenull"
    for name in (internal, login):
        try:
            pwd.getpwnam(name)
        except KeyError:
            raise DovecotError("user %s is missing (it comes with the "
                               "dovecot-core package)" % name)
    return owner[0], owner[1], internal, login, False


CONF = """# dovelab: private Dovecot configuration (tests/interop/dovelab.py)
instance_name = {name}
base_dir = {d}/run
state_dir = {d}/state
protocols = pop3
listen = {host}
log_path = {d}/dovecot.log
info_log_path = {d}/dovecot.log
debug_log_path = {d}/dovecot.log
auth_verbose = yes
auth_debug = {auth_debug}
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = {uid}
last_valid_uid = 0
first_valid_gid = {gid}

ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
{ssl_dh}
ssl_min_protocol = TLSv1.2
disable_plaintext_auth = yes
auth_mechanisms = {mechs}

passdb {{
  driver = passwd-file
  args = {d}/passwd
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={d}/mail/%u
}}
mail_uid = {uid}
mail_gid = {gid}
mail_location = maildir:~/Maildir

protocol pop3 {{
  mail_max_userip_connections = 64
  pop3_no_flag_updates = {no_flag_updates}
}}
service pop3-login {{
  inet_listener pop3 {{
    port = {port}
  }}
  inet_listener pop3s {{
    port = {tls_port}
    ssl = yes
  }}
{chroot}}}
{rootless}
{extra}
"""

ROOTLESS = """default_internal_group = {group}
service anvil {{
  chroot =
}}
"""


class DoveLab:
    """A temporary world for one Dovecot instance."""

    def __init__(self, prefix="dovelab-", mechs="plain login",
                 no_flag_updates=False, auth_debug=False, extra=""):
        why = available()
        if why:
            raise DovecotError(why)
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        os.chmod(self.dir, 0o711)  # Dovecot's processes traverse it
        self.uid, self.gid, self.internal, self.login, self.rootless = _ids()
        self.cert, self.key = p3lab.make_cert(self.dir)
        self.passwd = self.dir / "passwd"
        self.passwd.write_bytes(b"")
        self.mechs = mechs
        self.no_flag_updates = no_flag_updates
        self.auth_debug = auth_debug
        self.extra = extra
        self.users = {}
        self.conf = self.dir / "dovecot.conf"
        self.log_path = self.dir / "dovecot.log"
        self.proc = None
        self.port = self.tls_port = None
        self._logf = None

    # users and mail
    def home(self, user):
        return self.dir / "mail" / user

    def maildir(self, user):
        return self.home(user) / "Maildir"

    def add_user(self, name, password, scheme="SHA512-CRYPT"):
        """A passwd-file line `name:{SCHEME}hash` and an empty Maildir."""
        line = "%s:%s\n" % (name, password_hash(password, scheme))
        with open(self.passwd, "a") as f:
            f.write(line)
        self.users[name] = password
        p3lab.make_maildir(self.maildir(name))
        self._fix_owner()

    def set_password(self, name, password, scheme="SHA512-CRYPT"):
        """Replace a user's passwd-file line (Dovecot rereads the file when
        it changes)."""
        lines = [l for l in self.passwd.read_text().splitlines(True)
                 if not l.startswith(name + ":")]
        lines.append("%s:%s\n" % (name, password_hash(password, scheme)))
        self.passwd.write_text("".join(lines))
        self.users[name] = password

    def deliver_corpus(self, user, corpus=None):
        """Every *.eml of the corpus into the user's Maildir/new with the
        corpus's own make-maildir.sh; returns {file name: bytes}."""
        corpus = Path(corpus or p3lab.CORPUS)
        md = self.maildir(user)
        r = subprocess.run(["sh", str(corpus / "make-maildir.sh"),
                            str(corpus), str(md)], capture_output=True,
                           timeout=120)
        if r.returncode != 0:
            raise DovecotError("make-maildir.sh: %s" % r.stderr.decode(
                errors="replace"))
        self._fix_owner()
        return {p.name: p.read_bytes() for p in sorted((md / "new").iterdir())
                if p.is_file()}

    def add_mail(self, user, data, name):
        """One message into new/ under the given (unique) file name."""
        path = self.maildir(user) / "new" / name
        tmp = self.maildir(user) / "tmp" / name
        tmp.write_bytes(data)
        if not self.rootless:
            os.chown(tmp, self.uid, self.gid)
        os.rename(tmp, path)
        return path

    def messages(self, user):
        """Message files in the user's Maildir (new/ and cur/), by path."""
        md = self.maildir(user)
        return sorted(p for sub in ("new", "cur") if (md / sub).is_dir()
                      for p in (md / sub).iterdir() if p.is_file())

    def _fix_owner(self):
        """The mail store belongs to the mail user; the passwd-file is
        readable by Dovecot's auth process (the internal user)."""
        if self.rootless:
            os.chmod(self.passwd, 0o600)
            return
        mail = self.dir / "mail"
        mail.mkdir(exist_ok=True)
        p3lab.chown_tree(mail, self.uid, self.gid)
        gid = grp.getgrnam(self.internal).gr_gid \
            if _has_group(self.internal) else \
            pwd.getpwnam(self.internal).pw_gid
        os.chown(self.passwd, 0, gid)
        os.chmod(self.passwd, 0o640)

    # the server
    def write_conf(self):
        dh = "/usr/share/dovecot/dh.pem"
        text = CONF.format(
            name="dovelab-%d-%d" % (os.getpid(), self.port),
            d=self.dir, host=HOST, internal=self.internal, login=self.login,
            uid=self.uid, gid=self.gid, cert=self.cert, key=self.key,
            ssl_dh=("ssl_dh = <%s" % dh) if os.path.exists(dh) else "",
            mechs=self.mechs, port=self.port, tls_port=self.tls_port,
            auth_debug="yes" if self.auth_debug else "no",
            no_flag_updates="yes" if self.no_flag_updates else "no",
            chroot="  chroot =\n" if self.rootless else "",
            rootless=ROOTLESS.format(group=grp.getgrgid(self.gid).gr_name)
            if self.rootless else "", extra=self.extra)
        self.conf.write_text(text)

    def start(self, wait=15.0):
        """Start Dovecot; returns once both ports greet with +OK."""
        self._fix_owner()
        for sub in ("run", "state"):
            (self.dir / sub).mkdir(exist_ok=True)
        last = None
        for _attempt in range(3):
            self.port = p3lab.free_port()
            self.tls_port = p3lab.free_port()
            self.write_conf()
            r = subprocess.run(["dovecot", "-n", "-c", str(self.conf)],
                               capture_output=True, timeout=30)
            if r.returncode != 0:
                raise DovecotError("dovecot -n rejects the configuration:\n"
                                   + r.stderr.decode(errors="replace"))
            self._logf = open(self.dir / "dovecot.stderr", "ab")
            self.proc = subprocess.Popen(
                ["dovecot", "-F", "-c", str(self.conf)],
                stdin=subprocess.DEVNULL, stdout=self._logf,
                stderr=subprocess.STDOUT, cwd=str(self.dir))
            try:
                self._wait_ready(wait)
                return self
            except DovecotError as e:
                last = e
                self.stop()
                if "in use" not in self.log():
                    break
        raise DovecotError("%s\n--- dovecot log ---\n%s" % (
            last, self.log()[-4000:]))

    def context(self):
        return ssl.create_default_context(cafile=self.cert)

    def _wait_ready(self, wait):
        p3lab.wait_pop3_ready(self.proc, [self.port, self.tls_port],
                              self.tls_port, self.context(), wait,
                              DovecotError, "dovecot")

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def _children(self, pid):
        """PIDs whose parent is pid (Dovecot's service processes)."""
        out = []
        for ent in os.listdir("/proc"):
            if not ent.isdigit():
                continue
            try:
                with open("/proc/%s/stat" % ent) as f:
                    st = f.read()
            except OSError:
                continue
            # pid (comm) state ppid ...; comm may hold spaces or parens
            fields = st[st.rfind(")") + 2:].split()
            if len(fields) > 1 and fields[1] == str(pid):
                out.append(int(ent))
        return out

    def stop(self, timeout=10.0):
        """SIGTERM to the master (which ends its children), bounded wait,
        then SIGKILL for the master and whatever children remain."""
        if self.proc is None:
            return None
        pid = self.proc.pid
        kids = self._children(pid)
        code = self.proc.poll()
        if code is None:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                code = self.proc.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                kids = self._children(pid) or kids
                os.kill(pid, signal.SIGKILL)
                code = self.proc.wait(timeout=timeout)
        deadline = time.monotonic() + timeout
        for k in kids:
            while time.monotonic() < deadline and _alive(k):
                time.sleep(0.05)
            if _alive(k):
                try:
                    os.kill(k, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        self.proc = None
        if self._logf:
            self._logf.close()
            self._logf = None
        return code

    def log(self):
        text = ""
        for p in (self.log_path, self.dir / "dovecot.stderr"):
            try:
                text += p.read_bytes().decode("utf-8", "replace")
            except OSError:
                pass
        return text

    def main_log(self):
        """Dovecot's log_path alone (what log_size() offsets refer to)."""
        try:
            return self.log_path.read_bytes().decode("utf-8", "replace")
        except OSError:
            return ""

    def wait_log(self, pattern, timeout=5.0, start=0):
        """Wait until a line of log_path (from character offset start on)
        matches the regex; returns the line or None."""
        rx = re.compile(pattern)
        deadline = time.monotonic() + timeout
        while True:
            for line in self.main_log()[start:].splitlines():
                if rx.search(line):
                    return line
            if time.monotonic() > deadline:
                return None
            time.sleep(0.05)

    def log_size(self):
        return len(self.main_log())

    def cleanup(self):
        self.stop()
        if os.environ.get("P3LAB_KEEP"):
            p3lab.log("kept dovelab directory %s" % self.dir)
            return
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.cleanup()


def _has_group(name):
    try:
        grp.getgrnam(name)
        return True
    except KeyError:
        return False


def _alive(pid):
    """True while pid exists and is not a zombie."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            st = f.read()
    except OSError:
        return False
    return st[st.rfind(")") + 2:].split()[0] != "Z"
