/* conn_handoff.c: a verified login moves from the pre-login process to the
 * mail process. The pre-login process stops reading, flushes what it has
 * queued, and sends the connection (a plain socket as it is; TLS through a
 * socket pair it relays) with the bytes it read ahead. The mail process
 * opens the mailbox: on success it answers the client itself and serves
 * the session; otherwise the pre-login process gives the client the -ERR
 * line (IN-USE, LOGIN-DELAY, ...) and goes on in the AUTHORIZATION state. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <event2/buffer.h>

#include "auth/ipc.h"
#include "auth/ticket.h"
#include "lib/log.h"
#include "lib/util.h"
#include "server/conn.h"
#include "tls/tls.h"

/* Pre-login: the handoff failed here or was refused; reply and read on. */
static void
handoff_fail(struct conn *c, const char *line)
{
	struct sess_act act;

	c->handoff = false;
	free(c->ho);
	c->ho = NULL;
	if (c->relay_fd >= 0)
		close(c->relay_fd);
	c->relay_fd = -1;
	memset(&act, 0, sizeof(act));
	sess_auth_refuse(&c->sess, line, &act);
	conn_set_callbacks(c);
	conn_arm_timer(c, conn_idle_limit(c) * 1000);
	conn_input(c);
}

void
conn_handoff(struct conn *c, const char *user, const char *path)
{
	if ((c->ho = calloc(1, sizeof(*c->ho))) == NULL ||
	    str_copy(c->ho->user, user, sizeof(c->ho->user)) < 0 ||
	    str_copy(c->ho->path, path, sizeof(c->ho->path)) < 0 ||
	    str_copy(c->ho->ticket, c->ticket, sizeof(c->ho->ticket)) < 0) {
		handoff_fail(c, SESS_R_TEMP);
		return;
	}
	mem_wipe(c->ticket, sizeof(c->ticket));
	c->handoff = true;
	/* A plain socket goes to the mail process: nothing more is read
	 * here. (With TLS, what arrives meanwhile queues for the relay.) Our
	 * replies must be written before the mail process's first one. */
	if (c->ssl == NULL)
		bufferevent_disable(c->bev, EV_READ);
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_handoff_flushed(c);
}

void
conn_handoff_flushed(struct conn *c)
{
	struct server *srv = c->srv;
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct handoff *h = c->ho;
	uint32_t id = ++srv->next_auth_id;
	int sv[2], fd = c->fd;

	if (h == NULL || h->id != 0)
		return; /* sent already, waiting for the verdict */
	if (id == 0)    /* 0 means "not handed over" on both sides */
		id = ++srv->next_auth_id;
	/* With TLS the relay forwards the input queued here. */
	h->plen = c->ssl == NULL ? evbuffer_get_length(in) : 0;
	h->pending = (const uint8_t *)"";
	if (h->plen > SRV_PENDING_MAX ||
	    (h->plen > 0 && (h->pending = evbuffer_pullup(in, -1)) == NULL)) {
		log_err("peer=%s: %zu bytes read ahead of the login", c->peer,
		    h->plen);
		handoff_fail(c, SESS_R_TEMP);
		return;
	}
	(void)str_copy(h->peer, c->peer, sizeof(h->peer));
	(void)str_copy(h->host, c->host, sizeof(h->host));
	if (c->ssl != NULL) {
		(void)str_copy(
		    h->tlsver, tls_version_name(c->ssl), sizeof(h->tlsver));
		if (socketpair(AF_UNIX,
			SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0,
			sv) < 0) {
			log_err("peer=%s: socketpair: %s", c->peer,
			    strerror(errno));
			handoff_fail(c, SESS_R_TEMP);
			return;
		}
		c->relay_fd = sv[0];
		fd = sv[1];
	}
	h->id = id;
	if (srv->auth_slot[id % AUTH_SLOTS] != NULL ||
	    handoff_send(srv->mail_fd, h, fd) < 0) {
		log_err("peer=%s: cannot hand the login to the mail process: "
			"%s",
		    c->peer, strerror(errno));
		if (fd != c->fd)
			close(fd);
		handoff_fail(c, SESS_R_TEMP);
		return;
	}
	if (fd != c->fd)
		close(fd); /* the mail process has its own copy */
	srv->auth_slot[id % AUTH_SLOTS] = c;
	c->auth_id = id;
}

void
conn_handoff_reply(struct conn *c, int result, const char *line)
{
	struct server *srv = c->srv;
	struct evbuffer *in = bufferevent_get_input(c->bev);

	if (srv->auth_slot[c->auth_id % AUTH_SLOTS] == c)
		srv->auth_slot[c->auth_id % AUTH_SLOTS] = NULL;
	if (result != IPC_RES_OK) {
		handoff_fail(c, line);
		return;
	}
	srv->nhanded++;
	c->handed = true;
	c->handoff = false;
	(void)evbuffer_drain(in, c->ho->plen); /* the mail process has them */
	if (c->ssl != NULL) {
		proxy_start(srv, c->bev, c->ssl, c->relay_fd, c->peer);
		c->bev = NULL;
		c->ssl = NULL;
		c->relay_fd = -1;
	}
	conn_free(c);
}

/* Mail process: strip the CRLF of a captured reply. */
static void
captured_line(struct conn *c, char *out, size_t outlen)
{
	size_t n = c->caplen;

	while (n > 0 && (c->cap[n - 1] == '\n' || c->cap[n - 1] == '\r'))
		n--;
	if (n >= outlen)
		n = outlen - 1;
	memcpy(out, c->cap, n);
	out[n] = '\0';
}

void
conn_adopt(struct server *srv, const struct handoff *h, int fd)
{
	char line[sizeof(((struct conn *)0)->cap)];
	struct sess_act act;
	struct conn *c;

	if (ticket_check(h->ticket, h->user, h->path, time_mono_ms()) < 0) {
		/* Only a compromised pre-login process gets here. */
		log_err("peer=%s: handoff without a valid login ticket; "
			"refused",
		    h->peer);
		(void)handoff_send_reply(
		    srv->mail_fd, h->id, IPC_RES_TEMP, SESS_R_TEMP);
		close(fd);
		return;
	}
	if (srv->stopping || (c = calloc(1, sizeof(*c))) == NULL) {
		(void)handoff_send_reply(
		    srv->mail_fd, h->id, IPC_RES_TEMP, SESS_R_TEMP);
		close(fd);
		return;
	}
	c->srv = srv;
	c->fd = fd;
	c->stream_fd = c->relay_fd = -1;
	c->auth_result = c->sasl_op = -1;
	c->start_ms = c->active_ms = time_mono_ms();
	(void)str_copy(c->peer, h->peer, sizeof(c->peer));
	(void)str_copy(c->host, h->host, sizeof(c->host));
	(void)str_copy(c->tlsver, h->tlsver, sizeof(c->tlsver));
	c->bev = bufferevent_socket_new(srv->base, fd, 0);
	c->timer = evtimer_new(srv->base, conn_on_timer, c);
	p3_reader_init(&c->rd, P3_CMD_MAX);
	c->capture = true;
	sess_init(&c->sess, srv->conf, &srv->hooks, h->tlsver[0] != '\0', false,
	    conn_sink, c);
	memset(&act, 0, sizeof(act));
	if (c->bev != NULL && c->timer != NULL &&
	    (h->plen == 0 || (c->pre = evbuffer_new()) != NULL))
		sess_auth_done(&c->sess, IPC_RES_OK, h->user, h->path, &act);
	else
		sess_reply(&c->sess, SESS_R_TEMP);
	c->capture = false;
	if (c->sess.state != SS_TRANS) {
		captured_line(c, line, sizeof(line));
		(void)handoff_send_reply(
		    srv->mail_fd, h->id, IPC_RES_FAIL, line);
		sess_abort(&c->sess);
		if (c->pre != NULL)
			evbuffer_free(c->pre);
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		if (c->timer != NULL)
			event_free(c->timer);
		close(fd);
		free(c);
		return;
	}
	c->mail_id = h->id;
	(void)handoff_send_reply(srv->mail_fd, h->id, IPC_RES_OK, "");
	conn_link(srv, c);
	(void)evbuffer_add(bufferevent_get_output(c->bev), c->cap, c->caplen);
	if (c->pre != NULL)
		(void)evbuffer_add(c->pre, h->pending, h->plen);
	conn_set_callbacks(c);
	conn_arm_timer(c, conn_idle_limit(c) * 1000);
	conn_input(c);
}

void
conn_adopted_end(struct conn *c)
{
	if (c->mail_id == 0)
		return;
	if (handoff_send_end(c->srv->mail_fd, c->mail_id) < 0 &&
	    !c->srv->stopping)
		log_warn("peer=%s: cannot report the session end: %s", c->peer,
		    strerror(errno));
	c->mail_id = 0;
}
