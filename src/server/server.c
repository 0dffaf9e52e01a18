/* server.c: start-up of postie serve (credential, mail and pre-login
 * processes; see privsep.h) and the pre-login process's event loop:
 * listeners, the channels to the credential and the mail process,
 * signals. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <event2/listener.h>
#include <openssl/rand.h>

#include "auth/authd.h"
#include "auth/lockout.h"
#include "auth/ipc.h"
#include "auth/ticket.h"
#include "lib/log.h"
#include "lib/priv.h"
#include "lib/util.h"
#include "net/listen.h"
#include "server/conn.h"
#include "server/mailproc.h"
#include "server/privsep.h"
#include "server/server.h"
#include "tls/tls.h"

/* Connections from host that have not logged in (logged-in users behind
 * one NAT do not count against newcomers). */
static unsigned
count_prelogin(const struct server *srv, const char *host)
{
	const struct conn *c;
	unsigned n = 0;

	for (c = srv->conns; c != NULL; c = c->next)
		if (c->sess.state == SS_AUTH && strcmp(c->host, host) == 0)
			n++;
	return n;
}

/* Refuse a connection with a reason the client can show. */
static void
refuse(int fd, const char *line)
{
	ssize_t r = write(fd, line, strlen(line));

	(void)r;
	close(fd);
}

static void
on_accept(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
    int salen, void *arg)
{
	struct server *srv = arg;
	bool tls = false;
	char host[48];
	int i;

	for (i = 0; i < srv->nls; i++)
		if (srv->ls[i] == l)
			tls = i >= srv->conf->nlisten;
	if (srv->stopping) {
		close(fd);
		return;
	}
	if (srv->nconns + srv->nhanded >= srv->conf->max_connections) {
		refuse(fd, "-ERR [SYS/TEMP] Too many connections, try again "
			   "later\r\n");
		return;
	}
	net_host_str(sa, host, sizeof(host));
	if (count_prelogin(srv, host) >= srv->conf->max_conns_per_source) {
		log_warn(
		    "peer=%s: too many connections from this source", host);
		refuse(fd, "-ERR [SYS/TEMP] Too many connections from your "
			   "address, try again later\r\n");
		return;
	}
	conn_accept(srv, fd, sa, tls);
}

static void
on_authd(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	struct authd_reply r;
	struct conn *c;
	int n;

	while ((n = authd_recv(fd, &r)) == 1) {
		c = srv->auth_slot[r.id % AUTH_SLOTS];
		if (c == NULL || c->auth_id != r.id) {
			/* The client left meanwhile; so can its exchange. */
			if (r.sasl && r.result == IPC_RES_CONT)
				(void)authd_send_sasl_abort(fd, r.xid);
			continue;
		}
		conn_auth_reply(c, &r);
		mem_wipe(&r, sizeof(r));
	}
	if (n < 0) {
		log_err("credential process channel broken; stopping");
		srv->stopping = true;
		event_base_loopexit(srv->base, NULL);
	}
}

/* The mail process's verdicts on handoffs, and ended sessions. */
static void
on_mail(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	static uint8_t buf[IPC_FRAME_MAX];
	char line[256];
	struct ipc_msg m;
	struct conn *c;
	int n, cfd, res;

	while ((n = handoff_recv(fd, buf, sizeof(buf), &m, &cfd)) == 1) {
		if (cfd >= 0) {
			close(cfd);
			n = -1;
			break;
		}
		if (m.type == IPC_SESSION_END && m.nfields == 0) {
			if (srv->nhanded > 0)
				srv->nhanded--;
			continue;
		}
		if (handoff_decode_reply(&m, &res, line, sizeof(line)) < 0) {
			n = -1;
			break;
		}
		c = srv->auth_slot[m.id % AUTH_SLOTS];
		if (c != NULL && c->auth_id == m.id && c->handoff)
			conn_handoff_reply(c, res, line);
	}
	if (n < 0) {
		/* A closed channel stays readable: stop watching it. */
		event_del(srv->mail_ev);
		if (!srv->stopping)
			log_info("mail process gone; stopping");
		server_stop(srv, 0);
	}
}

void
server_exit_timer(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;

	event_base_loopexit(srv->base, NULL);
}

void
server_maybe_exit(struct server *srv)
{
	if (srv->stopping && srv->nconns == 0 && srv->nproxies == 0)
		event_base_loopexit(srv->base, NULL);
}

void
server_stop(struct server *srv, int sig)
{
	struct conn *c, *next;
	struct timeval tv = {5, 0};
	int i;

	if (srv->stopping)
		return;
	if (sig != 0)
		log_info("signal %d: shutting down (%u connections; nothing is "
			 "deleted for unfinished sessions)",
		    sig, srv->nconns);
	srv->stopping = true;
	if (srv->mail_pid > 0)
		kill(srv->mail_pid, SIGTERM);
	/* Close the listeners now: a restart can bind while sessions end. */
	for (i = 0; i < srv->nls; i++)
		evconnlistener_free(srv->ls[i]);
	srv->nls = 0;
	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		conn_shutdown(c);
	}
	server_maybe_exit(srv);
	evtimer_add(srv->exit_timer, &tv);
}

static void
on_stop(evutil_socket_t sig, short what, void *arg)
{
	server_stop(arg, (int)sig);
}

/* Serve new connections with ctx (a SIGHUP reload); NULL keeps the old
 * one and logs why (err). */
static void
install_ctx(struct server *srv, SSL_CTX *ctx, const char *err)
{
	if (ctx == NULL) {
		log_err("SIGHUP: keeping the old certificate: %s", err);
		return;
	}
	SSL_CTX_free(srv->ctx); /* live connections keep their reference */
	srv->ctx = ctx;
	log_info("SIGHUP: certificate and key reloaded");
}

static void
on_hup(evutil_socket_t sig, short what, void *arg)
{
	struct server *srv = arg;
	char err[512];
	SSL_CTX *ctx;

	if (srv->conf->cert == NULL)
		return;
	ctx = tls_server_ctx(srv->conf->cert, srv->conf->key, err, sizeof(err));
	install_ctx(srv, ctx, err);
}

/* Bind every listener (as root if need be, before any privilege drop). */
static int
bind_listeners(const struct srv_conf *conf, int *fds)
{
	char err[256];
	int i;

	for (i = 0; i < conf->nlisten + conf->nlisten_tls; i++) {
		bool tls = i >= conf->nlisten;
		const char *spec =
		    tls ? conf->listen_tls[i - conf->nlisten] : conf->listen[i];

		if ((fds[i] = net_listen(spec, err, sizeof(err))) < 0) {
			log_err("listen: %s", err);
			while (i-- > 0)
				close(fds[i]);
			return -1;
		}
	}
	return i;
}

static int
open_listeners(struct server *srv, int *fds, int n)
{
	const struct srv_conf *conf = srv->conf;
	int i;

	for (i = 0; i < n; i++) {
		bool tls = i >= conf->nlisten;

		srv->ls[srv->nls] = evconnlistener_new(srv->base, on_accept,
		    srv, LEV_OPT_CLOSE_ON_FREE, -1, fds[i]);
		if (srv->ls[srv->nls] == NULL) {
			while (i < n)
				close(fds[i++]);
			return -1;
		}
		srv->nls++;
		log_info("listening on %s (%s)",
		    tls ? conf->listen_tls[i - conf->nlisten] : conf->listen[i],
		    tls        ? "implicit TLS"
		    : srv->ctx ? "STLS"
			       : "plain, no TLS");
	}
	return 0;
}

static void
on_reload(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	char err[512];

	install_ctx(srv, privsep_reload_recv(fd, err, sizeof(err)), err);
}

/* Fork the mail process: it gets only its end of the handoff channel, and
 * runs as the mail user when started as root. It is forked before the TLS
 * key is read, so no copy of the key is ever in its memory. 0 or -1. */
static int
start_mail(struct server *srv, const struct privsep_plan *plan)
{
	char err[256];
	int sv[2], rc;
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    (pid = fork()) < 0) {
		log_err("start-up: %s", strerror(errno));
		return -1;
	}
	if (pid > 0) {
		close(sv[1]);
		srv->mail_fd = sv[0];
		srv->mail_pid = pid;
		return 0;
	}
	close(sv[0]);
	close(srv->authd_fd);
	if (plan->root &&
	    priv_drop(plan->mail_uid, plan->mail_gid, err, sizeof(err)) < 0) {
		log_err("mail process: %s", err);
		_exit(1);
	}
	rc = mail_run(srv->conf, sv[1]);
	_exit(rc);
}

/* Started as root: split into the master and the pre-login process, which
 * is chrooted and runs as the login user. Returns 1 in the child, or the
 * final status in the master (<= 0 means "return -status"). */
static int
split(struct server *srv, const struct privsep_plan *plan, int *fds, int nfds,
    int *reload_fd)
{
	struct privsep_kids kids;
	char err[256];
	int sv[2], i, status;
	sigset_t set, old;
	pid_t pid;

	/* Block the master's signals before the fork so none is lost. */
	privsep_master_signals(&set);
	sigprocmask(SIG_BLOCK, &set, &old);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0 ||
	    (pid = fork()) < 0) {
		log_err("start-up: %s", strerror(errno));
		return -1;
	}
	if (pid == 0)
		sigprocmask(SIG_SETMASK, &old, NULL);
	if (pid > 0) {
		close(sv[1]);
		close(srv->authd_fd);
		close(srv->mail_fd);
		for (i = 0; i < nfds; i++)
			close(fds[i]);
		SSL_CTX_free(srv->ctx); /* the master re-reads on SIGHUP */
		srv->ctx = NULL;
		kids.login = pid;
		kids.mail = srv->mail_pid;
		kids.authd = srv->authd_pid;
		status = privsep_master(srv->conf, &kids, sv[0]);
		close(sv[0]);
		srv->authd_fd = srv->mail_fd = -1;
		return -status;
	}
	close(sv[0]);
	ticket_wipe();
	srv->mail_pid = 0; /* the master signals it */
	if (privsep_login_jail(plan, err, sizeof(err)) < 0 ||
	    priv_drop(plan->login_uid, plan->login_gid, err, sizeof(err)) < 0) {
		log_err("pre-login process: %s", err);
		_exit(1);
	}
	log_info("pre-login process as %s in %s; mail process as %s; "
		 "credential process as %s",
	    plan->login_user, plan->login_chroot, plan->mail_user,
	    plan->auth_drop ? plan->auth_user : "root");
	*reload_fd = sv[1];
	return 1;
}

/* Make room for max-connections: a TLS session takes two descriptors in
 * the pre-login process (socket, relay) and two in the mail process
 * (relay or socket, mailbox lock). Root may go past the hard limit (up to
 * fs.nr_open); others up to it. Inherited by every child. */
static void
raise_nofile(const struct srv_conf *conf)
{
	rlim_t want = (rlim_t)conf->max_connections * 2 + 256;
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= want)
		return;
	if (geteuid() == 0 && rl.rlim_max < want) {
		struct rlimit up = {want, want};

		if (setrlimit(RLIMIT_NOFILE, &up) == 0) {
			log_info("open-files limit raised to %llu for "
				 "max-connections %llu",
			    (unsigned long long)want,
			    (unsigned long long)conf->max_connections);
			return;
		}
	}
	rl.rlim_cur = rl.rlim_max < want ? rl.rlim_max : want;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
	if (rl.rlim_cur < want)
		log_warn("open-files limit %llu is below the %llu that "
			 "max-connections %llu needs",
		    (unsigned long long)rl.rlim_cur, (unsigned long long)want,
		    (unsigned long long)conf->max_connections);
}

/* The hard-lockout file must exist and be writable by the credential
 * process. */
static int
setup_lockout(const struct srv_conf *conf, const struct privsep_plan *plan,
    char *path, size_t len)
{
	int fd;

	if (conf->lockout_file != NULL)
		(void)str_copy(path, conf->lockout_file, len);
	else if (lockout_default_path(conf->users, path, len) < 0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || (plan->root && plan->auth_drop &&
			  fchown(fd, plan->auth_uid, plan->auth_gid) < 0)) {
		log_err("lockout-file %s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	authd_set_lockout((unsigned)conf->lockout_after, path);
	log_warn("hard lockout on: an account is locked after %u failed "
		 "logins until `postie user unlock` (%s)",
	    (unsigned)conf->lockout_after, path);
	return 0;
}

int
server_run(const struct srv_conf *conf)
{
	static struct server srv;
	static char lockout[STORE_PATH_MAX];
	struct privsep_plan plan;
	int fds[2 * CONF_LISTEN_MAX], nfds = 0, reload_fd = -1;
	char err[512];
	int rc = 1, i;

	memset(&srv, 0, sizeof(srv));
	srv.conf = conf;
	srv.authd_fd = srv.mail_fd = -1;
	struct pen_conf pc = {conf->penalty_base_ms, conf->penalty_max_ms,
	    conf->penalty_window * 1000, conf->known_source_days * 86400 * 1000,
	    100000};

	if ((srv.pen = pen_new(&pc)) == NULL ||
	    RAND_bytes(srv.fp_key, sizeof(srv.fp_key)) != 1) {
		log_err("start-up: out of memory or no randomness");
		return 1;
	}
	if (gethostname(srv.hostname, sizeof(srv.hostname) - 1) < 0 ||
	    srv.hostname[0] == '\0')
		(void)str_copy(srv.hostname, "localhost", sizeof(srv.hostname));
	if (conf->apop) {
		log_warn("APOP is on: it uses MD5 and plaintext-equivalent "
			 "secrets (%s)",
		    conf->apop_secrets
			? conf->apop_secrets
			: "no apop-secrets file: every APOP login fails");
		authd_set_apop(conf->apop_secrets);
	}
	if (conf->cram_md5) {
		/* conf_validate made sure there is a secrets file. */
		log_warn("CRAM-MD5 is on: it uses MD5 and plaintext-equivalent "
			 "secrets (%s)",
		    conf->apop_secrets);
		authd_set_cram_md5(conf->apop_secrets);
	}
	raise_nofile(conf);
	if (privsep_plan(conf, &plan, err, sizeof(err)) < 0) {
		log_err("%s", err);
		goto out;
	}
	if (conf->lockout_after > 0 &&
	    setup_lockout(conf, &plan, lockout, sizeof(lockout)) < 0)
		goto out;
	/* A SCRAM exchange may wait for the client (pre-login timeout) and
	 * then for the brute-force delay before its proof is checked. */
	authd_set_sasl_ttl((unsigned)(conf->prelogin_timeout +
				      conf->penalty_max_ms / 1000 + 10));
	/* The key of the login tickets: the credential and the mail process
	 * keep it, the pre-login process wipes its copy. A SCRAM login is
	 * handed over when the client acknowledges (pre-login timeout). */
	if (ticket_init((unsigned)conf->prelogin_timeout + 10) < 0) {
		log_err("start-up: no randomness for login tickets");
		goto out;
	}
	/* Fork the credential process before anything else is open. */
	srv.authd_fd = authd_start(conf->users, conf->maildir,
	    plan.auth_drop ? plan.auth_uid : (uid_t)-1, plan.auth_gid,
	    &srv.authd_pid, err, sizeof(err));
	if (srv.authd_fd < 0) {
		log_err("users: %s", err);
		goto out;
	}
	if (start_mail(&srv, &plan) < 0)
		goto out;
	if (!plan.root)
		ticket_wipe(); /* this process goes on as the pre-login one */
	if (conf->cert != NULL && (srv.ctx = tls_server_ctx(conf->cert,
				       conf->key, err, sizeof(err))) == NULL) {
		log_err("tls: %s", err);
		goto out;
	}
	if ((nfds = bind_listeners(conf, fds)) < 0)
		goto out;
	if (plan.root) {
		int r = split(&srv, &plan, fds, nfds, &reload_fd);

		if (r <= 0) {
			rc = -r;
			nfds = 0;
			goto out;
		}
	}
	if ((srv.base = event_base_new()) == NULL)
		goto out;
	if (reload_fd >= 0 &&
	    (srv.reload_ev = event_new(srv.base, reload_fd,
		 EV_READ | EV_PERSIST, on_reload, &srv)) != NULL)
		event_add(srv.reload_ev, NULL);
	srv.authd_ev = event_new(
	    srv.base, srv.authd_fd, EV_READ | EV_PERSIST, on_authd, &srv);
	srv.mail_ev = event_new(
	    srv.base, srv.mail_fd, EV_READ | EV_PERSIST, on_mail, &srv);
	srv.sig_term = evsignal_new(srv.base, SIGTERM, on_stop, &srv);
	srv.sig_int = evsignal_new(srv.base, SIGINT, on_stop, &srv);
	srv.sig_hup = evsignal_new(srv.base, SIGHUP, on_hup, &srv);
	srv.exit_timer = evtimer_new(srv.base, server_exit_timer, &srv);
	if (srv.authd_ev == NULL || srv.mail_ev == NULL ||
	    srv.sig_term == NULL || srv.sig_int == NULL ||
	    srv.sig_hup == NULL || srv.exit_timer == NULL)
		goto out;
	event_add(srv.authd_ev, NULL);
	event_add(srv.mail_ev, NULL);
	event_add(srv.sig_term, NULL);
	event_add(srv.sig_int, NULL);
	if (reload_fd < 0)
		event_add(srv.sig_hup, NULL);
	else
		signal(SIGHUP, SIG_IGN); /* the master reloads for us */
	if (open_listeners(&srv, fds, nfds) < 0)
		goto out;
	nfds = 0;
	log_info("postie serve ready");
	event_base_dispatch(srv.base);
	rc = 0;
out:
	while (srv.conns != NULL)
		conn_free(srv.conns);
	proxy_free_all(&srv);
	for (i = 0; i < srv.nls; i++)
		evconnlistener_free(srv.ls[i]);
	for (i = 0; i < nfds; i++)
		close(fds[i]);
	if (srv.reload_ev != NULL)
		event_free(srv.reload_ev);
	if (reload_fd >= 0)
		close(reload_fd);
	if (srv.authd_fd >= 0) {
		close(srv.authd_fd);
		kill(srv.authd_pid, SIGTERM);
		waitpid(srv.authd_pid, NULL, 0);
	}
	if (srv.authd_ev != NULL)
		event_free(srv.authd_ev);
	if (srv.mail_ev != NULL)
		event_free(srv.mail_ev);
	if (srv.mail_fd >= 0) {
		close(srv.mail_fd);
		if (srv.mail_pid > 0) { /* not started as root: our child */
			kill(srv.mail_pid, SIGTERM);
			waitpid(srv.mail_pid, NULL, 0);
		}
	}
	if (srv.sig_term != NULL)
		event_free(srv.sig_term);
	if (srv.sig_int != NULL)
		event_free(srv.sig_int);
	if (srv.sig_hup != NULL)
		event_free(srv.sig_hup);
	if (srv.exit_timer != NULL)
		event_free(srv.exit_timer);
	if (srv.base != NULL)
		event_base_free(srv.base);
	SSL_CTX_free(srv.ctx);
	pen_free(&srv.pen);
	if (rc == 0 && !plan.root)
		log_info("stopped");
	return rc;
}
