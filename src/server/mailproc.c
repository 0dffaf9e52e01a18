/* mailproc.c: the mail process of postie serve. It runs as the mail user,
 * never sees a password, a TLS key or an unauthenticated client byte: the
 * pre-login process hands it logged-in connections (conn_handoff.c), and it
 * keeps the LOGIN-DELAY table, opens Maildirs and serves the TRANSACTION
 * and UPDATE states with the same connection code. */
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "server/conn.h"
#include "server/mailproc.h"

/* Last successful login per user, for LOGIN-DELAY (RFC 2449 §6.8). */
#define LOGIN_BUCKETS 4096
struct login_ent {
	struct login_ent *next;
	time_t when;
	char user[];
};
struct login_tab {
	struct login_ent *b[LOGIN_BUCKETS];
};

static unsigned
hash_str(const char *s)
{
	return str_hash(s) % LOGIN_BUCKETS;
}

static struct login_ent **
login_find(struct login_tab *t, const char *user)
{
	struct login_ent **e = &t->b[hash_str(user)];

	while (*e != NULL && strcmp((*e)->user, user) != 0)
		e = &(*e)->next;
	return e;
}

static int64_t
login_wait(void *ctx, const char *user)
{
	struct server *srv = ctx;
	struct login_ent **e = login_find(srv->logins, user);
	time_t now = time(NULL);

	if (*e == NULL || now - (*e)->when >= srv->conf->login_delay)
		return 0;
	return srv->conf->login_delay - (now - (*e)->when);
}

static void
login_done(void *ctx, const char *user)
{
	struct server *srv = ctx;
	struct login_ent **e = login_find(srv->logins, user);
	size_t len = strlen(user);

	if (srv->conf->login_delay <= 0)
		return;
	if (*e == NULL) {
		if ((*e = calloc(1, sizeof(**e) + len + 1)) == NULL)
			return;
		memcpy((*e)->user, user, len + 1);
	}
	(*e)->when = time(NULL);
}

static void
login_tab_free(struct login_tab *t)
{
	int i;

	for (i = 0; t != NULL && i < LOGIN_BUCKETS; i++)
		while (t->b[i] != NULL) {
			struct login_ent *n = t->b[i]->next;

			free(t->b[i]);
			t->b[i] = n;
		}
	free(t);
}

static void
on_chan(evutil_socket_t fd, short what, void *arg)
{
	struct server *srv = arg;
	static uint8_t buf[IPC_FRAME_MAX];
	struct ipc_msg m;
	struct handoff h;
	int n, cfd;

	while ((n = handoff_recv(fd, buf, sizeof(buf), &m, &cfd)) == 1) {
		if (cfd < 0 || m.type != IPC_HANDOFF) {
			log_err("pre-login process sent a malformed handoff");
			if (cfd >= 0)
				close(cfd);
			n = -1;
			break;
		}
		if (handoff_decode(&m, &h) < 0) {
			/* Well framed, bad fields: refuse this one login. */
			log_err("handoff %lu refused: malformed fields",
			    (unsigned long)m.id);
			(void)handoff_send_reply(
			    srv->mail_fd, m.id, IPC_RES_TEMP, SESS_R_TEMP);
			close(cfd);
			continue;
		}
		conn_adopt(srv, &h, cfd);
		mem_wipe(buf, sizeof(buf));
	}
	if (n < 0) {
		/* A closed channel stays readable: stop watching it. */
		event_del(srv->mail_ev);
		if (!srv->stopping)
			log_info("pre-login process gone; finishing the "
				 "sessions");
		server_stop(srv, 0);
	}
}

static void
on_signal(evutil_socket_t sig, short what, void *arg)
{
	server_stop(arg, (int)sig);
}

int
mail_run(const struct srv_conf *conf, int chan)
{
	static struct server srv;
	int rc = 1;

	memset(&srv, 0, sizeof(srv));
	srv.conf = conf;
	srv.mail_role = true;
	srv.mail_fd = chan;
	srv.authd_fd = -1;
	srv.hooks.login_wait = login_wait;
	srv.hooks.login_done = login_done;
	srv.hooks.ctx = &srv;
	/* Keep freed heap between sessions: opening a 100k-message Maildir
	 * otherwise faults in fresh pages every time (docs/PERFORMANCE.md). */
	(void)mallopt(M_MMAP_THRESHOLD, 8 * 1024 * 1024);
	(void)mallopt(M_TRIM_THRESHOLD, 64 * 1024 * 1024);
	signal(SIGHUP, SIG_IGN); /* certificates are not ours */
	signal(SIGPIPE, SIG_IGN);
	if ((srv.logins = calloc(1, sizeof(*srv.logins))) == NULL ||
	    (srv.base = event_base_new()) == NULL)
		goto out;
	srv.mail_ev =
	    event_new(srv.base, chan, EV_READ | EV_PERSIST, on_chan, &srv);
	srv.sig_term = evsignal_new(srv.base, SIGTERM, on_signal, &srv);
	srv.sig_int = evsignal_new(srv.base, SIGINT, on_signal, &srv);
	srv.exit_timer = evtimer_new(srv.base, server_exit_timer, &srv);
	if (srv.mail_ev == NULL || srv.sig_term == NULL ||
	    srv.sig_int == NULL || srv.exit_timer == NULL)
		goto out;
	event_add(srv.mail_ev, NULL);
	event_add(srv.sig_term, NULL);
	event_add(srv.sig_int, NULL);
	event_base_dispatch(srv.base);
	rc = 0;
out:
	while (srv.conns != NULL)
		conn_free(srv.conns);
	if (srv.mail_ev != NULL)
		event_free(srv.mail_ev);
	if (srv.sig_term != NULL)
		event_free(srv.sig_term);
	if (srv.sig_int != NULL)
		event_free(srv.sig_int);
	if (srv.exit_timer != NULL)
		event_free(srv.exit_timer);
	if (srv.base != NULL)
		event_base_free(srv.base);
	login_tab_free(srv.logins);
	close(chan);
	if (rc != 0)
		log_err("mail process: cannot start (out of memory)");
	return rc;
}
