/* proxy.c: after a TLS login the pre-login process keeps the TLS side
 * (the mail process never holds the key or the TLS state) and relays
 * plaintext to the mail process over a socket pair. Each direction stops
 * reading while the other side has SRV_OUTBUF_HIGH queued. When one side
 * ends, what is queued for the other is delivered first: a QUIT followed
 * at once by the client's close still reaches the mail process.
 * The mail side is read with our own read() into the TLS output buffer:
 * libevent 2.1 reads sockets 4 KiB at a time, and its TLS bufferevent
 * writes one record per buffer chain, so a RETR would otherwise cost a
 * read, a small record and a TCP write per 4 KiB. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>

#include "lib/log.h"
#include "lib/util.h"
#include "server/conn.h"
#include "tls/tls.h"

struct proxy {
	struct server *srv;
	struct proxy *prev, *next;
	struct bufferevent *cli;  /* TLS, owns ssl and the client socket */
	struct bufferevent *mail; /* writes to the mail process */
	struct event *rd;         /* reads from it */
	struct event *drain;      /* bounds the last flush, or NULL */
	int fd;
	SSL *ssl;
	bool cli_eof, mail_eof;
	char peer[64];
};

static void
proxy_free(struct proxy *p)
{
	struct server *srv = p->srv;

	if (p->ssl != NULL && SSL_is_init_finished(p->ssl) && !p->cli_eof)
		(void)SSL_shutdown(p->ssl); /* close_notify */
	bufferevent_free(p->cli);
	event_free(p->rd);
	if (p->drain != NULL)
		event_free(p->drain);
	bufferevent_free(p->mail); /* closes fd */
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		srv->proxies = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	srv->nproxies--;
	free(p);
	server_maybe_exit(srv);
}

static size_t
queued(struct bufferevent *b)
{
	return evbuffer_get_length(bufferevent_get_output(b));
}

/* Client to mail process. -1 if p was dropped. */
static int
forward_cli(struct proxy *p)
{
	/* The TLS side is never paused (libevent would not resume reading
	 * what OpenSSL holds decrypted); a client that floods the mail
	 * process with commands it does not read the answers to is cut. */
	(void)evbuffer_add_buffer(
	    bufferevent_get_output(p->mail), bufferevent_get_input(p->cli));
	if (queued(p->mail) > SRV_TLS_READAHEAD_MAX + SRV_OUTBUF_HIGH &&
	    !p->cli_eof) {
		log_warn(
		    "peer=%s: client sends without reading; dropped", p->peer);
		p->cli_eof = true;
		proxy_free(p);
		return -1;
	}
	return 0;
}

static void
on_cli_read(struct bufferevent *b, void *arg)
{
	(void)forward_cli(arg);
}

static void side_ended(struct proxy *p, bool cli);

/* The mail process wrote: read it straight into the TLS output. */
static void
on_mail_readable(evutil_socket_t fd, short what, void *arg)
{
	struct proxy *p = arg;
	struct evbuffer *out = bufferevent_get_output(p->cli);
	struct evbuffer_iovec v;
	ssize_t n;

	if (evbuffer_reserve_space(out, SRV_RETR_CHUNK, &v, 1) < 1) {
		side_ended(p, false);
		return;
	}
	do
		n = read(fd, v.iov_base, v.iov_len);
	while (n < 0 && errno == EINTR);
	v.iov_len = n > 0 ? (size_t)n : 0;
	(void)evbuffer_commit_space(out, &v, 1);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)) {
		side_ended(p, false);
		return;
	}
	if (queued(p->cli) >= SRV_OUTBUF_HIGH)
		(void)event_del(p->rd);
}

/* One side has ended: finish once the other side's queue is written. */
static void
drain_or_free(struct proxy *p)
{
	if ((p->cli_eof && queued(p->mail) == 0) ||
	    (p->mail_eof && queued(p->cli) == 0) || (p->cli_eof && p->mail_eof))
		proxy_free(p);
}

static void
on_cli_write(struct bufferevent *b, void *arg)
{
	struct proxy *p = arg;

	if (p->mail_eof || p->cli_eof) {
		drain_or_free(p);
		return;
	}
	(void)event_add(p->rd, NULL);
}

static void
on_mail_write(struct bufferevent *b, void *arg)
{
	struct proxy *p = arg;

	if (p->mail_eof || p->cli_eof)
		drain_or_free(p);
}

static void
on_drain_timeout(evutil_socket_t fd, short what, void *arg)
{
	proxy_free(arg); /* the peer does not read what is left */
}

/* A side ended: stop reading both (nobody is left to tell), and finish
 * once the other side's queue is written, SRV_DRAIN_S at most. */
static void
side_ended(struct proxy *p, bool cli)
{
	struct timeval tv = {SRV_DRAIN_S, 0};

	if (cli)
		p->cli_eof = true;
	else
		p->mail_eof = true;
	bufferevent_disable(p->cli, EV_READ);
	if (!cli)
		(void)event_del(p->rd);
	bufferevent_setwatermark(cli ? p->mail : p->cli, EV_WRITE, 0, 0);
	if (p->drain == NULL &&
	    (p->drain = evtimer_new(p->srv->base, on_drain_timeout, p)) != NULL)
		(void)evtimer_add(p->drain, &tv);
	drain_or_free(p);
}

static void
on_cli_event(struct bufferevent *b, short what, void *arg)
{
	struct proxy *p = arg;

	if (what & BEV_EVENT_ERROR)
		tls_log_conn_error(bufferevent_get_openssl_error(b), p->peer);
	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR)) {
		/* What the client sent last (QUIT) still goes through. */
		if (forward_cli(p) == 0)
			side_ended(p, true);
	}
}

static void
on_mail_event(struct bufferevent *b, short what, void *arg)
{
	struct proxy *p = arg;

	if (what & (BEV_EVENT_EOF | BEV_EVENT_ERROR))
		side_ended(p, false); /* a write failed: the reader is gone */
}

void
proxy_start(struct server *srv, struct bufferevent *bev, SSL *ssl, int fd,
    const char *peer)
{
	struct proxy *p = calloc(1, sizeof(*p));

	if (p == NULL ||
	    (p->rd = event_new(srv->base, fd, EV_READ | EV_PERSIST,
		 on_mail_readable, p)) == NULL ||
	    (p->mail = bufferevent_socket_new(
		 srv->base, fd, BEV_OPT_CLOSE_ON_FREE)) == NULL) {
		log_err("peer=%s: out of memory for a TLS relay", peer);
		if (p != NULL && p->rd != NULL)
			event_free(p->rd);
		free(p);
		close(fd);
		bufferevent_free(bev);
		return;
	}
	p->srv = srv;
	p->cli = bev;
	p->ssl = ssl;
	p->fd = fd;
	(void)str_copy(p->peer, peer, sizeof(p->peer));
	p->next = srv->proxies;
	if (srv->proxies != NULL)
		srv->proxies->prev = p;
	srv->proxies = p;
	srv->nproxies++;
	bufferevent_setcb(p->cli, on_cli_read, on_cli_write, on_cli_event, p);
	bufferevent_setcb(p->mail, NULL, on_mail_write, on_mail_event, p);
	bufferevent_setwatermark(p->cli, EV_READ, 0, 0);
	bufferevent_setwatermark(p->cli, EV_WRITE, SRV_OUTBUF_HIGH / 2, 0);
	bufferevent_setwatermark(p->mail, EV_WRITE, SRV_OUTBUF_HIGH / 2, 0);
	(void)bufferevent_set_max_single_write(p->cli, SRV_MAX_SINGLE_WRITE);
	(void)bufferevent_set_max_single_write(p->mail, SRV_MAX_SINGLE_WRITE);
	bufferevent_enable(p->cli, EV_READ | EV_WRITE);
	bufferevent_enable(p->mail, EV_WRITE);
	(void)event_add(p->rd, NULL);
	/* Bytes the TLS layer decrypted after the login line. */
	(void)forward_cli(p);
}

void
proxy_free_all(struct server *srv)
{
	while (srv->proxies != NULL) {
		srv->proxies->cli_eof = true; /* no close_notify at exit */
		proxy_free(srv->proxies);
	}
}
