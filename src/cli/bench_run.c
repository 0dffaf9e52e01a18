/* bench_run.c: postie bench's event loop. One epoll set drives every
 * connection: non-blocking connect, optional TLS (implicit or after STLS),
 * reads into one shared buffer (a connection keeps only an incomplete line
 * between reads), writes of queued commands. Slots run sessions back to
 * back; in idle mode connections are opened a few at a time, held, and
 * released together. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "cli/bench_int.h"
#include "lib/util.h"

#define EVENTS_MAX     256
#define TICK_MS        100
#define ERRORS_GIVE_UP 1000 /* consecutive failed sessions */

static volatile sig_atomic_t stop_flag;
static uint8_t rbuf[BENCH_LINE_MAX + BENCH_RBUF];

static void slot_start(struct bench_ctx *x, uint32_t slot);

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static uint64_t
ev_key(const struct bconn *c)
{
	return (uint64_t)c->slot | (uint64_t)c->gen << 32;
}

static void
want_out(struct bench_ctx *x, struct bconn *c, bool on)
{
	struct epoll_event ev;

	if (c->want_out == on)
		return;
	c->want_out = on;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | (on ? EPOLLOUT : 0);
	ev.data.u64 = ev_key(c);
	(void)epoll_ctl(x->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

static void
conn_close(struct bench_ctx *x, struct bconn *c)
{
	if (c->ssl != NULL) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
		x->active--;
	}
	c->gen++;
	c->st = CS_FREE;
	c->ncarry = 0;
	c->out_off = c->out_len = 0;
	c->sent = c->recvd = 0;
	c->stat_known = false;
	c->want_out = false;
	c->t_retr0 = 0;
	c->rkind = R_STATUS;
}

/* After a slot's session ended: start the next one. */
static void
slot_next(struct bench_ctx *x, struct bconn *c)
{
	if (x->o->mode != BM_IDLE) {
		slot_start(x, c->slot);
		return;
	}
	/* Give up opening more after a ramp's worth of failures in a row
	 * (e.g. the server is out of file descriptors). */
	if (x->consec_err >= x->o->ramp)
		x->next_slot = x->o->conc;
	if (!x->released && !stop_flag && x->next_slot < x->o->conc)
		slot_start(x, x->next_slot++);
}

void
conn_fail(
    struct bench_ctx *x, struct bconn *c, const char *what, const char *detail)
{
	struct bench_stats *st = x->st;

	st->errors++;
	x->consec_err++;
	if (st->first_err[0] == '\0')
		(void)str_fmt(st->first_err, sizeof(st->first_err), "%s%s%s",
		    what, detail != NULL ? ": " : "",
		    detail != NULL ? detail : "");
	if (x->o->mode == BM_IDLE && c->st != CS_IDLE && !x->released &&
	    x->in_setup > 0)
		x->in_setup--;
	conn_close(x, c);
	slot_next(x, c);
}

void
conn_done(struct bench_ctx *x, struct bconn *c)
{
	struct bench_stats *st = x->st;
	uint64_t now = bench_now_us(), *p;

	st->sessions++;
	st->end_us = now;
	x->consec_err = 0;
	if (x->o->mode != BM_IDLE) {
		if (st->nlat == x->latcap && x->latcap < BENCH_LAT_MAX) {
			x->latcap = x->latcap ? x->latcap * 2 : 1024;
			p = realloc(st->lat_us, x->latcap * sizeof(*p));
			if (p != NULL)
				st->lat_us = p;
			else
				x->latcap = st->nlat;
		}
		if (st->nlat < x->latcap)
			st->lat_us[st->nlat++] = now - c->t0;
	}
	conn_close(x, c);
	slot_next(x, c);
}

void
conn_idle(struct bench_ctx *x, struct bconn *c)
{
	c->st = CS_IDLE;
	x->st->idle_conns++;
	x->consec_err = 0;
	if (x->in_setup > 0)
		x->in_setup--;
	if (!x->released && !stop_flag && x->next_slot < x->o->conc)
		slot_start(x, x->next_slot++);
}

/* Write queued bytes. 0, or -1 after conn_fail. */
static int
conn_flush(struct bench_ctx *x, struct bconn *c)
{
	ssize_t n;
	int e;

	while (c->out_off < c->out_len) {
		if (c->ssl != NULL) {
			n = SSL_write(c->ssl, c->out + c->out_off,
			    (int)(c->out_len - c->out_off));
			if (n <= 0) {
				e = SSL_get_error(c->ssl, (int)n);
				if (e == SSL_ERROR_WANT_WRITE ||
				    e == SSL_ERROR_WANT_READ) {
					want_out(
					    x, c, e == SSL_ERROR_WANT_WRITE);
					return 0;
				}
				conn_fail(x, c, "TLS write failed", NULL);
				return -1;
			}
		} else {
			n = send(c->fd, c->out + c->out_off,
			    c->out_len - c->out_off, MSG_NOSIGNAL);
			if (n < 0) {
				if (errno == EAGAIN || errno == EINTR) {
					want_out(x, c, true);
					return 0;
				}
				conn_fail(x, c, "write", strerror(errno));
				return -1;
			}
		}
		c->out_off += (uint16_t)n;
	}
	c->out_off = c->out_len = 0;
	want_out(x, c, false);
	return 0;
}

/* Read what is there and feed it to the session. */
static void
conn_read(struct bench_ctx *x, struct bconn *c)
{
	uint32_t gen = c->gen;
	size_t have, total, used, rest;
	ssize_t n;
	int e;

	for (;;) {
		have = c->ncarry;
		memcpy(rbuf, c->carry, have);
		if (c->ssl != NULL) {
			n = SSL_read(c->ssl, rbuf + have, BENCH_RBUF);
			if (n <= 0) {
				e = SSL_get_error(c->ssl, (int)n);
				if (e == SSL_ERROR_WANT_READ)
					return;
				if (e == SSL_ERROR_WANT_WRITE) {
					want_out(x, c, true);
					return;
				}
				conn_fail(x, c,
				    e == SSL_ERROR_ZERO_RETURN
					? "connection closed"
					: "TLS read failed",
				    NULL);
				return;
			}
		} else {
			n = read(c->fd, rbuf + have, BENCH_RBUF);
			if (n < 0 && (errno == EAGAIN || errno == EINTR))
				return;
			if (n <= 0) {
				conn_fail(x, c, "connection closed",
				    n < 0 ? strerror(errno) : NULL);
				return;
			}
		}
		x->st->rx_bytes += (uint64_t)n;
		total = have + (size_t)n;
		used = sess_feed(x, c, rbuf, total);
		if (c->gen != gen || c->st == CS_TLS)
			return;
		rest = total - used;
		if (rest > sizeof(c->carry)) {
			conn_fail(x, c, "reply line too long", NULL);
			return;
		}
		memmove(c->carry, rbuf + used, rest);
		c->ncarry = (uint16_t)rest;
		if (c->ssl == NULL && (size_t)n < BENCH_RBUF)
			return;
	}
}

/* Drive the TLS handshake. */
static void
tls_step(struct bench_ctx *x, struct bconn *c)
{
	int rc, e;

	rc = SSL_do_handshake(c->ssl);
	if (rc == 1) {
		if (x->o->tls == BT_IMPLICIT) {
			c->st = CS_GREETING;
			want_out(x, c, false);
			conn_read(x, c);
			return;
		}
		sess_start_script(x, c);
		(void)conn_flush(x, c);
		return;
	}
	e = SSL_get_error(c->ssl, rc);
	if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
		want_out(x, c, e == SSL_ERROR_WANT_WRITE);
		return;
	}
	conn_fail(x, c, "TLS handshake failed", NULL);
}

void
conn_start_tls(struct bench_ctx *x, struct bconn *c)
{
	c->ssl = SSL_new(x->tls);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1) {
		conn_fail(x, c, "TLS setup failed", NULL);
		return;
	}
	SSL_set_connect_state(c->ssl);
	c->st = CS_TLS;
	c->ncarry = 0;
	c->out_off = c->out_len = 0;
	tls_step(x, c);
}

/* Open a connection for the next session of a slot, unless the run ends. */
static void
slot_start(struct bench_ctx *x, uint32_t slot)
{
	const struct bench_opts *o = x->o;
	struct bconn *c = &x->conns[slot];
	struct epoll_event ev;
	uint64_t now = bench_now_us(), cnt;
	char err[160];

	if (stop_flag || (o->sessions != 0 && x->started >= o->sessions) ||
	    (x->deadline_us != 0 && now >= x->deadline_us) ||
	    x->consec_err >= ERRORS_GIVE_UP)
		return;
	/* Slot k uses only users u with u % conc == k when there are enough,
	 * so no two concurrent sessions share a mailbox. */
	if (o->nusers >= o->conc) {
		cnt = (o->nusers - slot + o->conc - 1) / o->conc;
		c->user = slot + (size_t)o->conc * (size_t)(c->nsess % cnt);
	} else {
		c->user = (slot + c->nsess * o->conc) % o->nusers;
	}
	c->nsess++;
	x->started++;
	c->t0 = now;
	c->last_io = now;
	c->fd = bench_connect(&x->sa, x->salen, err, sizeof(err));
	if (c->fd < 0) {
		x->st->errors++;
		x->consec_err++;
		if (x->st->first_err[0] == '\0')
			(void)str_fmt(x->st->first_err,
			    sizeof(x->st->first_err), "%s", err);
		return;
	}
	x->active++;
	if (o->mode == BM_IDLE)
		x->in_setup++;
	c->st = CS_CONNECTING;
	c->want_out = true;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLOUT;
	ev.data.u64 = ev_key(c);
	if (epoll_ctl(x->ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		conn_fail(x, c, "epoll_ctl", strerror(errno));
}

/* After progress on c: queue what the script allows and send it. */
static void
kick(struct bench_ctx *x, struct bconn *c, uint32_t gen)
{
	if (c->gen != gen || c->st == CS_TLS || c->st == CS_FREE)
		return;
	sess_fill(x, c);
	if (c->out_off < c->out_len)
		(void)conn_flush(x, c);
}

static void
on_event(struct bench_ctx *x, struct bconn *c, uint32_t events)
{
	uint32_t gen = c->gen;
	socklen_t len = sizeof(int);
	int soerr = 0;

	c->last_io = bench_now_us();
	switch (c->st) {
	case CS_CONNECTING:
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0 ||
		    soerr != 0) {
			conn_fail(x, c, "connect", strerror(soerr));
			return;
		}
		if (x->o->tls != BT_IMPLICIT) {
			c->st = CS_GREETING;
			want_out(x, c, false);
			return;
		}
		/* On loopback a fast server may answer while OpenSSL is still
		 * in the first handshake call: the handshake completes, the
		 * greeting is read and commands are queued right here. */
		conn_start_tls(x, c);
		kick(x, c, gen);
		return;
	case CS_TLS:
		tls_step(x, c);
		kick(x, c, gen);
		return;
	case CS_FREE:
		return;
	default:
		break;
	}
	if ((events & EPOLLOUT) && conn_flush(x, c) < 0)
		return;
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR))
		conn_read(x, c);
	kick(x, c, gen);
}

/* Fail connections without progress for longer than the timeout. */
static void
check_timeouts(struct bench_ctx *x)
{
	uint64_t now = bench_now_us();
	uint64_t lim = (uint64_t)x->o->timeout_ms * 1000u;
	char what[120];
	uint32_t i;

	for (i = 0; i < x->o->conc; i++) {
		struct bconn *c = &x->conns[i];

		if (c->st == CS_FREE || c->st == CS_IDLE)
			continue;
		if (now - c->last_io > lim) {
			(void)str_fmt(what, sizeof(what),
			    "state %d, %u of %u commands answered, %u bytes "
			    "queued",
			    (int)c->st, c->recvd, c->sent,
			    (unsigned)(c->out_len - c->out_off));
			conn_fail(x, c, "timeout", what);
		}
	}
}

/* Idle mode: all connections are up (or failed); tell the caller. */
static void
idle_ready(struct bench_ctx *x)
{
	struct bench_stats *st = x->st;

	st->idle_ready_us = bench_now_us();
	printf("{\"ready\": true, \"conns\": %u, \"errors\": %llu, "
	       "\"setup_s\": %.3f}\n",
	    st->idle_conns, (unsigned long long)st->errors,
	    (double)(st->idle_ready_us - st->start_us) / 1e6);
	fflush(stdout);
}

/* Idle mode: send QUIT on every held connection. */
static void
idle_release(struct bench_ctx *x)
{
	uint32_t i;

	x->released = true;
	for (i = 0; i < x->o->conc; i++) {
		struct bconn *c = &x->conns[i];

		if (c->st != CS_IDLE)
			continue;
		c->st = CS_SCRIPT;
		c->last_io = bench_now_us();
		sess_fill(x, c);
		(void)conn_flush(x, c);
	}
}

/* The loop; returns when every slot is done. */
static void
run_loop(struct bench_ctx *x)
{
	const struct bench_opts *o = x->o;
	struct epoll_event evs[EVENTS_MAX];
	uint64_t now, last_check = 0, hold_until = 0;
	bool ready = false;
	int i, n;

	for (;;) {
		if (o->mode == BM_IDLE && stop_flag && !ready)
			x->next_slot = o->conc;
		if (x->active == 0 &&
		    (o->mode != BM_IDLE || x->next_slot >= o->conc))
			break;
		n = epoll_wait(x->ep, evs, EVENTS_MAX, TICK_MS);
		for (i = 0; i < n; i++) {
			uint32_t slot =
			    (uint32_t)(evs[i].data.u64 & 0xffffffffu);
			struct bconn *c = &x->conns[slot];

			if ((uint32_t)(evs[i].data.u64 >> 32) != c->gen)
				continue; /* the slot was reused */
			on_event(x, c, evs[i].events);
		}
		now = bench_now_us();
		if (o->mode == BM_IDLE && !ready && x->in_setup == 0 &&
		    x->next_slot >= o->conc) {
			ready = true;
			idle_ready(x);
			hold_until = now + (uint64_t)o->hold_s * 1000000u;
		}
		if (ready && !x->released && (stop_flag || now >= hold_until))
			idle_release(x);
		if (now - last_check >= 500000u) {
			last_check = now;
			check_timeouts(x);
		}
	}
}

int
bench_run(const struct bench_opts *o, struct bench_stats *st)
{
	struct bench_ctx x;
	struct sigaction sa;
	uint32_t i, first;

	memset(st, 0, sizeof(*st));
	memset(&x, 0, sizeof(x));
	x.o = o;
	x.st = st;
	if (o->conc == 0 || o->conc > BENCH_CONNS_MAX || o->nusers == 0 ||
	    o->window == 0) {
		(void)str_copy(
		    st->first_err, "bad options", sizeof(st->first_err));
		return -1;
	}
	if (bench_resolve(o->host, o->port, &x.sa, &x.salen, st->first_err,
		sizeof(st->first_err)) < 0)
		return -1;
	if (o->tls != BT_NONE && (x.tls = bench_tls_ctx()) == NULL) {
		(void)str_copy(
		    st->first_err, "TLS context", sizeof(st->first_err));
		return -1;
	}
	x.ep = epoll_create1(EPOLL_CLOEXEC);
	x.conns = calloc(o->conc, sizeof(*x.conns));
	if (x.ep < 0 || x.conns == NULL) {
		(void)str_copy(
		    st->first_err, "out of memory", sizeof(st->first_err));
		free(x.conns);
		SSL_CTX_free(x.tls);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGUSR1, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < o->conc; i++) {
		x.conns[i].fd = -1;
		x.conns[i].slot = i;
	}
	if (o->wait_start) {
		printf("{\"waiting\": true}\n");
		fflush(stdout);
		while (!stop_flag)
			(void)usleep(5000);
		stop_flag = 0;
	}
	st->start_us = bench_now_us();
	if (o->duration_ms != 0)
		x.deadline_us = st->start_us + o->duration_ms * 1000u;
	first = o->mode == BM_IDLE && o->ramp < o->conc ? o->ramp : o->conc;
	x.next_slot = first;
	for (i = 0; i < first; i++)
		slot_start(&x, i);
	run_loop(&x);
	if (st->end_us == 0)
		st->end_us = bench_now_us();
	for (i = 0; i < o->conc; i++) {
		conn_close(&x, &x.conns[i]);
		free(x.conns[i].sizes);
	}
	free(x.conns);
	close(x.ep);
	SSL_CTX_free(x.tls);
	return 0;
}

void
bench_stats_free(struct bench_stats *st)
{
	free(st->lat_us);
	st->lat_us = NULL;
	st->nlat = 0;
}
