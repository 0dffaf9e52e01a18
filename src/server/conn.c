/* conn.c: the I/O side of one connection: line reading, replies, STLS and
 * its channel binding, timers, message streaming with back-pressure. Logins
 * are in conn_auth.c. */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>

#include "auth/authd.h"
#include "auth/ipc.h"
#include "lib/log.h"
#include "lib/util.h"
#include "net/listen.h"
#include "server/conn.h"
#include "tls/tls.h"

static void do_action(struct conn *c, struct sess_act *act);
static void on_read(struct bufferevent *bev, void *arg);
static void on_write(struct bufferevent *bev, void *arg);
static void on_event(struct bufferevent *bev, short what, void *arg);

int
conn_sink(void *ctx, const void *p, size_t len)
{
	struct conn *c = ctx;

	if (c->capture) {
		/* Mail process, before the verdict: keep the reply. */
		if (len > sizeof(c->cap) - c->caplen)
			len = sizeof(c->cap) - c->caplen;
		memcpy(c->cap + c->caplen, p, len);
		c->caplen += len;
		return 0;
	}
	return evbuffer_add(bufferevent_get_output(c->bev), p, len);
}

uint64_t
conn_idle_limit(const struct conn *c)
{
	return c->sess.state == SS_AUTH ? c->srv->conf->prelogin_timeout
					: c->srv->conf->idle_timeout;
}

void
conn_arm_timer(struct conn *c, uint64_t ms)
{
	struct timeval tv = {
	    (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000};

	evtimer_add(c->timer, &tv);
}

void
conn_close_soon(struct conn *c)
{
	c->closing = true;
	bufferevent_disable(c->bev, EV_READ);
	bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) == 0)
		conn_free(c);
}

void
conn_on_timer(evutil_socket_t fd, short what, void *arg)
{
	struct conn *c = arg;
	uint64_t now = time_mono_ms(), idle = conn_idle_limit(c) * 1000;
	uint64_t drip = c->srv->conf->slowdrip_timeout * 1000, due;

	if (c->closing)
		return;
	if (c->auth_waiting) {
		/* The brute-force delay is over: check the password now. */
		c->auth_waiting = false;
		conn_auth_send(c);
		return;
	}
	if (c->auth_pending && c->auth_result >= 0) {
		/* The failure delay is over: answer now. */
		int res = c->auth_result;

		c->auth_result = -1;
		conn_auth_finish(c, res, "", "");
		return;
	}
	if (c->auth_pending || c->streaming || c->handoff) {
		conn_arm_timer(c, idle);
		return;
	}
	if (now - c->active_ms >= idle ||
	    (c->partial_ms != 0 && now - c->partial_ms >= drip)) {
		sess_reply(&c->sess, "-ERR Idle timeout, closing connection");
		conn_close_soon(c);
		return;
	}
	due = c->active_ms + idle - now;
	if (c->partial_ms != 0 && c->partial_ms + drip - now < due)
		due = c->partial_ms + drip - now;
	conn_arm_timer(c, due);
}

void
conn_set_callbacks(struct conn *c)
{
	bufferevent_setcb(c->bev, on_read, on_write, on_event, c);
	/* libevent writes at most 16 KiB per call by default: one syscall and
	 * often one context switch per 16 KiB of a RETR. */
	(void)bufferevent_set_max_single_write(c->bev, SRV_MAX_SINGLE_WRITE);
	bufferevent_setwatermark(c->bev, EV_WRITE, SRV_OUTBUF_HIGH / 2, 0);
	/* Before login, read ahead only what a handoff can carry. Not with
	 * TLS: libevent would not resume reading what OpenSSL holds already
	 * decrypted; on_read bounds that input instead. */
	if (!c->srv->mail_role && c->ssl == NULL)
		bufferevent_setwatermark(c->bev, EV_READ, 0, SRV_PENDING_MAX);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
}

void
conn_link(struct server *srv, struct conn *c)
{
	c->next = srv->conns;
	if (srv->conns != NULL)
		srv->conns->prev = c;
	srv->conns = c;
	srv->nconns++;
}

void
conn_accept(struct server *srv, int fd, const struct sockaddr *sa, bool tls)
{
	struct conn *c;
	int one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		close(fd);
		return;
	}
	c->srv = srv;
	c->fd = fd;
	c->stream_fd = -1;
	c->relay_fd = -1;
	c->auth_result = -1;
	c->sasl_op = -1;
	c->start_ms = c->active_ms = time_mono_ms();
	net_addr_str(sa, c->peer, sizeof(c->peer));
	net_host_str(sa, c->host, sizeof(c->host));
	pen_source_key(c->host, c->src, sizeof(c->src));
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (tls) {
		if ((c->ssl = SSL_new(srv->ctx)) == NULL) {
			close(fd);
			free(c);
			return;
		}
		c->bev = bufferevent_openssl_socket_new(srv->base, fd, c->ssl,
		    BUFFEREVENT_SSL_ACCEPTING, BEV_OPT_CLOSE_ON_FREE);
	} else {
		c->bev = bufferevent_socket_new(srv->base, fd, 0);
	}
	c->timer = evtimer_new(srv->base, conn_on_timer, c);
	if (c->bev == NULL || c->timer == NULL) {
		log_err("out of memory for a connection");
		if (c->bev != NULL)
			bufferevent_free(c->bev);
		else if (c->ssl != NULL)
			SSL_free(c->ssl);
		if (c->timer != NULL)
			event_free(c->timer);
		if (c->bev == NULL || c->ssl == NULL)
			close(fd); /* else the TLS bufferevent closed it */
		free(c);
		return;
	}
	conn_link(srv, c);
	p3_reader_init(&c->rd, P3_CMD_MAX);
	sess_init(&c->sess, srv->conf,
	    srv->hooks.login_wait != NULL ? &srv->hooks : NULL, tls,
	    srv->ctx != NULL, conn_sink, c);
	conn_set_callbacks(c);
	conn_arm_timer(c, conn_idle_limit(c) * 1000);
	if (srv->conf->apop) {
		static unsigned seq;
		char ts[128];

		(void)str_fmt(ts, sizeof(ts), "<%ld.%u.%lld@%s>",
		    (long)getpid(), ++seq, (long long)time(NULL),
		    srv->hostname);
		sess_greet(&c->sess, ts);
	} else {
		sess_greet(&c->sess, NULL);
	}
}

void
conn_free(struct conn *c)
{
	struct server *srv = c->srv;
	uint64_t ms = time_mono_ms() - c->start_ms;
	char user[P3_USER_MAX * 4 + 8];

	if (c->sess.state != SS_AUTH && c->sess.user_len > 0)
		log_escape(c->sess.user, c->sess.user_len, user, sizeof(user));
	else
		(void)str_copy(user, "-", sizeof(user));
	if (!c->handed) /* else the mail process logs the session */
		log_info("session end: user=%s peer=%s tls=%s retr=%u/%llu "
			 "top=%u dele=%u duration=%llu.%03llus",
		    user, c->peer,
		    !c->sess.tls     ? "none"
		    : c->ssl != NULL ? tls_version_name(c->ssl)
				     : c->tlsver,
		    c->sess.n_retr, (unsigned long long)c->sess.retr_bytes,
		    c->sess.n_top, c->sess.n_dele,
		    (unsigned long long)(ms / 1000),
		    (unsigned long long)(ms % 1000));
	sess_abort(&c->sess);
	conn_adopted_end(c);
	free(c->ho);
	if (c->pre != NULL)
		evbuffer_free(c->pre);
	if (c->relay_fd >= 0)
		close(c->relay_fd);
	conn_sasl_drop(c);
	if (c->auth_pending && srv->auth_slot[c->auth_id % AUTH_SLOTS] == c)
		srv->auth_slot[c->auth_id % AUTH_SLOTS] = NULL;
	if (c->stream_fd >= 0)
		close(c->stream_fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	srv->nconns--;
	event_free(c->timer);
	if (c->bev != NULL) { /* else a TLS relay took it */
		if (c->ssl != NULL && SSL_is_init_finished(c->ssl) &&
		    !c->handed)
			(void)SSL_shutdown(c->ssl); /* send close_notify */
		/* A TLS bufferevent owns its SSL and the socket. */
		bufferevent_free(c->bev);
		if (c->ssl == NULL)
			close(c->fd);
	}
	free(c);
	server_maybe_exit(srv);
}

void
conn_shutdown(struct conn *c)
{
	if (c->closing || c->handoff)
		return; /* a handoff ends either way */
	if (c->streaming) {
		/* Mid-body we cannot add a reply; just stop. */
		conn_free(c);
		return;
	}
	sess_reply(&c->sess, "-ERR [SYS/TEMP] Server shutting down");
	conn_close_soon(c);
}

/* Switch the connection to TLS once "+OK" has been flushed. */
static void
do_starttls(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);

	c->starttls = false;
	/* Anything the client sent after STLS is discarded, never executed
	 * inside TLS (CVE-2021-38084 class). */
	evbuffer_drain(in, evbuffer_get_length(in));
	bufferevent_free(c->bev);
	c->ssl = SSL_new(c->srv->ctx);
	c->bev = c->ssl == NULL ? NULL
				: bufferevent_openssl_socket_new(c->srv->base,
				      c->fd, c->ssl, BUFFEREVENT_SSL_ACCEPTING,
				      BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL) {
		log_err("peer=%s: cannot start TLS", c->peer);
		if (c->ssl != NULL)
			SSL_free(c->ssl);
		c->ssl = NULL;
		/* conn_free needs a bev; make a plain one to free. */
		c->bev = bufferevent_socket_new(c->srv->base, c->fd, 0);
		if (c->bev != NULL)
			conn_free(c);
		return;
	}
	p3_reader_init(&c->rd, P3_CMD_MAX);
	c->partial_ms = 0;
	sess_tls_started(&c->sess);
	conn_set_callbacks(c);
}

static void
stream_done(struct conn *c)
{
	uint8_t tail[8];
	size_t n = p3_dotenc_finish(&c->enc, tail);

	(void)evbuffer_add(bufferevent_get_output(c->bev), tail, n);
	close(c->stream_fd);
	c->stream_fd = -1;
	c->streaming = false;
}

/* Send more of the current message while the output queue is short. */
static void
stream_more(struct conn *c)
{
	struct evbuffer *out = bufferevent_get_output(c->bev);
	struct evbuffer_iovec v;
	ssize_t n;

	while (c->streaming && evbuffer_get_length(out) < SRV_OUTBUF_HIGH) {
		n = read(c->stream_fd, c->srv->rdbuf, sizeof(c->srv->rdbuf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			log_err("peer=%s: read error while sending a message: "
				"%s",
			    c->peer, strerror(errno));
			conn_free(c); /* a truncated body must not look whole */
			return;
		}
		if (n == 0 || c->enc.stopped) {
			stream_done(c);
			break;
		}
		if (evbuffer_reserve_space(out, 2 * (size_t)n, &v, 1) < 1) {
			conn_free(c);
			return;
		}
		v.iov_len = p3_dotenc_feed(
		    &c->enc, c->srv->rdbuf, (size_t)n, v.iov_base);
		evbuffer_commit_space(out, &v, 1);
	}
	if (!c->streaming)
		conn_input(c);
}

static void
do_action(struct conn *c, struct sess_act *act)
{
	struct server *srv = c->srv;

	switch (act->kind) {
	case SA_NONE:
		return;
	case SA_CLOSE:
		conn_close_soon(c);
		return;
	case SA_STARTTLS:
		c->starttls = true;
		bufferevent_disable(c->bev, EV_READ);
		bufferevent_setwatermark(c->bev, EV_WRITE, 0, 0);
		return;
	case SA_AUTH:
		conn_auth_start(c, act);
		return;
	case SA_SASL:
		conn_sasl_action(c, act);
		return;
	case SA_SEND_MSG:
		c->streaming = true;
		c->stream_fd = act->fd;
		p3_dotenc_init(
		    &c->enc, srv->conf->outlook_no_nuls, act->top_lines);
		stream_more(c);
		return;
	}
}

/* After the TLS handshake: the tls-exporter channel binding (TLS 1.3
 * only, RFC 9266), which lets the session offer SCRAM-SHA-256-PLUS. */
static void
tls_binding(struct conn *c)
{
	uint8_t cb[AUTH_CB_LEN];

	if (c->cb_done || c->ssl == NULL || !SSL_is_init_finished(c->ssl))
		return;
	c->cb_done = true;
	if (tls_channel_binding(c->ssl, cb, sizeof(cb)) == 0) {
		(void)b64_encode(cb, sizeof(cb), c->cb64);
		sess_set_binding(&c->sess);
	}
	mem_wipe(cb, sizeof(cb));
}

void
conn_input(struct conn *c)
{
	struct evbuffer *in = bufferevent_get_input(c->bev);
	struct sess_act act;
	struct p3_span line;
	enum p3_rd r;
	size_t len, consumed, take;
	unsigned char *p;

	tls_binding(c);
	if (c->pre != NULL) {
		/* Mail process: bytes the pre-login process read ahead come
		 * first; what arrives meanwhile queues behind them. */
		if (evbuffer_get_length(c->pre) == 0) {
			evbuffer_free(c->pre);
			c->pre = NULL;
		} else {
			(void)evbuffer_add_buffer(c->pre, in);
			in = c->pre;
		}
	}
	while (!c->closing && !c->starttls && !c->auth_pending &&
	       !c->streaming && !c->handoff &&
	       (len = evbuffer_get_length(in)) > 0) {
		c->rd.max = sess_line_max(&c->sess);
		take = len < c->rd.max + 1 ? len : c->rd.max + 1;
		if ((p = evbuffer_pullup(in, (ssize_t)take)) == NULL) {
			conn_free(c);
			return;
		}
		r = p3_reader_next(&c->rd, p, take, &line, &consumed);
		memset(&act, 0, sizeof(act));
		act.kind = SA_NONE;
		if (r == P3_RD_LINE) {
			c->partial_ms = 0;
			c->active_ms = time_mono_ms();
			sess_line(&c->sess, line.p, line.len, &act);
		} else if (r == P3_RD_TOOLONG || r == P3_RD_NUL) {
			c->partial_ms = 0;
			sess_bad_line(&c->sess, r == P3_RD_NUL, &act);
		}
		evbuffer_drain(in, consumed);
		if (r == P3_RD_MORE && consumed == 0) {
			if (c->partial_ms == 0) {
				/* A line has started: it must end in time. */
				c->partial_ms = time_mono_ms();
				conn_arm_timer(
				    c, c->srv->conf->slowdrip_timeout * 1000);
			}
			break;
		}
		do_action(c, &act);
		if (act.kind == SA_CLOSE)
			return; /* c may be gone */
	}
}

static void
on_read(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;

	if ((c->auth_pending || c->handoff) && c->ssl != NULL &&
	    evbuffer_get_length(bufferevent_get_input(bev)) >
		SRV_TLS_READAHEAD_MAX) {
		log_warn("peer=%s: too much input while logging in; dropped",
		    c->peer);
		conn_free(c);
		return;
	}
	conn_input(c);
}

static void
on_write(struct bufferevent *bev, void *arg)
{
	struct conn *c = arg;
	size_t pending = evbuffer_get_length(bufferevent_get_output(bev));

	c->active_ms = time_mono_ms();
	if (c->closing) {
		if (pending == 0)
			conn_free(c);
		return;
	}
	if (c->starttls) {
		if (pending == 0)
			do_starttls(c);
		return;
	}
	if (c->handoff) {
		if (pending == 0)
			conn_handoff_flushed(c);
		return;
	}
	if (c->streaming)
		stream_more(c);
}

static void
on_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn *c = arg;

	if (what & BEV_EVENT_CONNECTED)
		return; /* TLS handshake done */
	if (what & BEV_EVENT_ERROR)
		tls_log_conn_error(bufferevent_get_openssl_error(bev), c->peer);
	conn_free(c);
}
