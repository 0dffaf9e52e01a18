/* privsep.c: the root master and the privilege plan. */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/priv.h"
#include "lib/util.h"
#include "server/privsep.h"
#include "tls/tls.h"

#define RELOAD_MAX (2 * TLS_PEM_MAX + 8)

/* The directory above the first expanded part of a mailbox template. */
static int
template_root(const char *tmpl, char *out, size_t outlen)
{
	const char *pct = strchr(tmpl, '%');
	size_t n = pct != NULL ? (size_t)(pct - tmpl) : strlen(tmpl);

	while (n > 0 && tmpl[n - 1] != '/')
		n--;
	if (n > 1)
		n--; /* drop the trailing slash, keep "/" itself */
	if (n == 0 || n >= outlen)
		return -1;
	memcpy(out, tmpl, n);
	out[n] = '\0';
	return 0;
}

/* Can uid/gid read the file described by st? */
static bool
can_read(const struct stat *st, uid_t uid, gid_t gid)
{
	if (st->st_uid == uid)
		return (st->st_mode & 0400) != 0;
	if (st->st_gid == gid)
		return (st->st_mode & 0040) != 0;
	return (st->st_mode & 0004) != 0;
}

/* The pre-login process's user (never root) and chroot directory. */
static int
login_user(
    const struct srv_conf *c, struct privsep_plan *p, char *err, size_t errlen)
{
	const char *name = c->login_user ? c->login_user : "postie-login";

	(void)str_copy(p->login_chroot,
	    c->login_chroot ? c->login_chroot : "/run/postie/empty",
	    sizeof(p->login_chroot));
	if (priv_lookup(name, &p->login_uid, &p->login_gid) < 0) {
		if (c->login_user != NULL) {
			(void)str_fmt(err, errlen, "login-user: no user %s",
			    c->login_user);
			return -1;
		}
		name = "nobody";
		if (priv_lookup(name, &p->login_uid, &p->login_gid) < 0) {
			(void)str_copy(err,
			    "login-user: neither postie-login nor nobody "
			    "exists; give --login-user NAME",
			    errlen);
			return -1;
		}
	}
	if (p->login_uid == 0) {
		(void)str_copy(err,
		    "login-user: the pre-login process must not run as root",
		    errlen);
		return -1;
	}
	(void)str_copy(p->login_user, name, sizeof(p->login_user));
	return 0;
}

static int jailed;

#ifdef __SANITIZE_ADDRESS__
/* LeakSanitizer reads /proc at exit, which the empty chroot lacks, and
 * then fails the process: the chrooted pre-login process skips the leak
 * check (ASan's other checks stay on). */
int __lsan_is_turned_off(void);
int
__lsan_is_turned_off(void)
{
	return jailed;
}
#endif

int
privsep_login_jail(const struct privsep_plan *p, char *err, size_t errlen)
{
	char dir[sizeof(p->login_chroot)];
	struct stat st;
	size_t i;

	if (p->login_chroot[0] != '/') {
		(void)str_copy(
		    err, "login-chroot must be an absolute path", errlen);
		return -1;
	}
	/* mkdir -p, each new level root-owned 0755. */
	(void)str_copy(dir, p->login_chroot, sizeof(dir));
	for (i = 1; dir[i - 1] != '\0'; i++) {
		if (dir[i] != '/' && dir[i] != '\0')
			continue;
		char c = dir[i];

		dir[i] = '\0';
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			(void)str_fmt(err, errlen, "login-chroot %s: %s", dir,
			    strerror(errno));
			return -1;
		}
		dir[i] = c;
		if (c == '\0')
			break;
	}
	if (stat(p->login_chroot, &st) < 0 || !S_ISDIR(st.st_mode) ||
	    st.st_uid != 0 || (st.st_mode & 022) != 0) {
		(void)str_fmt(err, errlen,
		    "login-chroot %s must be a directory owned by root and "
		    "writable only by root",
		    p->login_chroot);
		return -1;
	}
	tzset(); /* syslog's time stamps need the zone from outside */
	if (chroot(p->login_chroot) < 0 || chdir("/") < 0) {
		(void)str_fmt(err, errlen, "chroot %s: %s", p->login_chroot,
		    strerror(errno));
		return -1;
	}
	jailed = 1;
	return 0;
}

int
privsep_plan(
    const struct srv_conf *c, struct privsep_plan *p, char *err, size_t errlen)
{
	char root[STORE_PATH_MAX];
	struct stat st;

	memset(p, 0, sizeof(*p));
	p->root = geteuid() == 0;
	if (!p->root)
		return 0;
	if (c->mail_user != NULL) {
		if (priv_lookup(c->mail_user, &p->mail_uid, &p->mail_gid) < 0) {
			(void)str_fmt(
			    err, errlen, "mail-user: no user %s", c->mail_user);
			return -1;
		}
		(void)str_copy(
		    p->mail_user, c->mail_user, sizeof(p->mail_user));
	} else {
		if (template_root(c->maildir, root, sizeof(root)) < 0 ||
		    stat(root, &st) < 0) {
			(void)str_fmt(err, errlen,
			    "maildir: cannot find the "
			    "mail store above %s; give --mail-user NAME",
			    c->maildir);
			return -1;
		}
		struct passwd *pw = getpwuid(st.st_uid);

		p->mail_uid = st.st_uid;
		p->mail_gid = pw != NULL ? pw->pw_gid : st.st_gid;
		if (pw != NULL)
			(void)str_copy(
			    p->mail_user, pw->pw_name, sizeof(p->mail_user));
		else
			(void)str_fmt(p->mail_user, sizeof(p->mail_user),
			    "uid %ld", (long)st.st_uid);
	}
	if (p->mail_uid == 0) {
		(void)str_fmt(err, errlen,
		    "maildir: the mail store is owned by "
		    "root; postie will not read mail as root. Give the Maildirs "
		    "to a mail user (chown -R vmail: DIR) or give --mail-user "
		    "NAME");
		return -1;
	}
	(void)str_copy(p->auth_user, c->auth_user ? c->auth_user : "postie",
	    sizeof(p->auth_user));
	if (priv_lookup(p->auth_user, &p->auth_uid, &p->auth_gid) < 0) {
		if (c->auth_user != NULL) {
			(void)str_fmt(
			    err, errlen, "auth-user: no user %s", c->auth_user);
			return -1;
		}
		(void)str_copy(p->auth_user, "nobody", sizeof(p->auth_user));
		if (priv_lookup("nobody", &p->auth_uid, &p->auth_gid) < 0)
			return 0;
	}
	if (login_user(c, p, err, errlen) < 0)
		return -1;
	if (stat(c->users, &st) == 0 && p->auth_uid != 0 &&
	    can_read(&st, p->auth_uid, p->auth_gid))
		p->auth_drop = true;
	else
		log_warn("users file %s is not readable by %s: the credential "
			 "process stays root (chown root:%s FILE; chmod 640 "
			 "FILE)",
		    c->users, p->auth_user, p->auth_user);
	return 0;
}

static void
send_reload(const struct srv_conf *c, int fd)
{
	char *cert = NULL, *key = NULL, *msg = NULL, err[512];
	long cl = 0, kl = 0;
	uint32_t n;

	if ((cl = tls_read_pem(c->cert, &cert, err, sizeof(err))) < 0 ||
	    (kl = tls_read_pem(c->key, &key, err, sizeof(err))) < 0 ||
	    (msg = malloc((size_t)cl + (size_t)kl + 4)) == NULL) {
		log_err("SIGHUP: keeping the old certificate: %s", err);
		goto out;
	}
	n = (uint32_t)cl;
	memcpy(msg, &n, 4);
	memcpy(msg + 4, cert, (size_t)cl);
	memcpy(msg + 4 + cl, key, (size_t)kl);
	if (send(fd, msg, (size_t)(cl + kl + 4), MSG_NOSIGNAL) < 0)
		log_err(
		    "SIGHUP: cannot pass the certificate: %s", strerror(errno));
	mem_wipe(msg, (size_t)(cl + kl + 4));
out:
	if (key != NULL)
		mem_wipe(key, (size_t)kl);
	free(cert);
	free(key);
	free(msg);
}

SSL_CTX *
privsep_reload_recv(int fd, char *err, size_t errlen)
{
	char *buf = malloc(RELOAD_MAX);
	SSL_CTX *ctx = NULL;
	ssize_t n;
	uint32_t cl;

	if (buf == NULL)
		return NULL;
	n = recv(fd, buf, RELOAD_MAX, MSG_DONTWAIT);
	if (n < 4) {
		(void)str_copy(err, "short reload message", errlen);
	} else {
		memcpy(&cl, buf, 4);
		if (cl > (size_t)n - 4)
			(void)str_copy(err, "malformed reload message", errlen);
		else
			ctx = tls_server_ctx_mem(buf + 4, cl, buf + 4 + cl,
			    (size_t)n - 4 - cl, err, errlen);
		mem_wipe(buf, (size_t)n);
	}
	free(buf);
	return ctx;
}

void
privsep_master_signals(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGCHLD);
}

int
privsep_master(
    const struct srv_conf *c, const struct privsep_kids *k, int reload_fd)
{
	sigset_t set;
	siginfo_t si;
	int status = 0, st, sig;
	bool mail_gone = false, stopping = false;
	pid_t pid;

	privsep_master_signals(&set);
	sigprocmask(SIG_BLOCK, &set, NULL);
	for (;;) {
		if ((sig = sigwaitinfo(&set, &si)) < 0)
			continue;
		if (sig == SIGHUP && c->cert != NULL) {
			send_reload(c, reload_fd);
		} else if (sig == SIGTERM || sig == SIGINT) {
			stopping = true; /* children dying now are expected */
			kill(k->login, SIGTERM);
			kill(k->mail, SIGTERM);
		} else if (sig == SIGCHLD) {
			while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
				if (pid == k->login) {
					status = st;
					goto done;
				}
				if (pid == k->mail)
					mail_gone = true;
				if ((pid == k->authd || pid == k->mail) &&
				    !stopping &&
				    !(WIFEXITED(st) && WEXITSTATUS(st) == 0))
					log_err("%s process died (status %d)",
					    pid == k->mail ? "mail"
							   : "credential",
					    st);
			}
		}
	}
done:
	if (!mail_gone) { /* it finishes its sessions, 5 s at most */
		kill(k->mail, SIGTERM);
		waitpid(k->mail, NULL, 0);
	}
	kill(k->authd, SIGTERM);
	waitpid(k->authd, NULL, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
