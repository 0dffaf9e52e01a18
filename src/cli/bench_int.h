/* bench_int.h: state shared by bench_run.c (event loop, sockets, TLS) and
 * bench_sess.c (the POP3 session script and reply parsing). Not a public
 * interface: only postie bench's own files include it. */
#ifndef POSTIE_CLI_BENCH_INT_H
#define POSTIE_CLI_BENCH_INT_H

#include "cli/bench.h"
#include "proto/pop3.h"

enum bconn_state {
	CS_FREE,       /* slot without a connection */
	CS_CONNECTING, /* non-blocking connect in progress */
	CS_TLS,        /* TLS handshake (implicit, or after STLS) */
	CS_GREETING,   /* waiting for the greeting */
	CS_STLS,       /* STLS sent */
	CS_SCRIPT,     /* running the command script */
	CS_IDLE        /* idle mode: logged in, holding */
};

enum bconn_reply { R_STATUS, R_LINES, R_BODY };

struct bconn {
	int fd;
	SSL *ssl;
	enum bconn_state st;
	enum bconn_reply rkind;
	uint32_t slot;
	uint32_t gen;         /* bumped at every close (stale events) */
	uint64_t nsess;       /* sessions started on this slot */
	size_t user;          /* index into opts->users */
	uint64_t t0;          /* session start */
	uint64_t t_step;      /* end of the previous timed step */
	uint64_t t_retr0;     /* start of the RETR phase */
	uint64_t last_io;     /* for the progress timeout */
	bool stat_known;      /* STAT answered: the script length is known */
	bool want_out;        /* EPOLLOUT registered */
	uint32_t nmsg;        /* from STAT */
	uint32_t nretr;       /* RETRs in this session's script */
	uint32_t ncmds;       /* script length once stat_known */
	uint32_t sent, recvd; /* script commands sent / answered */
	uint64_t *sizes;      /* LIST sizes, nsizes of capsizes */
	uint32_t nsizes, capsizes;
	struct bench_scan scan;
	struct p3_dotdec dec;
	uint16_t ncarry; /* partial line kept between reads */
	uint16_t out_off, out_len;
	char carry[BENCH_LINE_MAX];
	char out[BENCH_OUT_MAX];
};

struct bench_ctx {
	const struct bench_opts *o;
	struct bench_stats *st;
	int ep;
	SSL_CTX *tls;
	struct sockaddr_storage sa;
	socklen_t salen;
	struct bconn *conns;
	uint32_t next_slot;   /* idle: slots not yet started begin here */
	uint32_t active;      /* slots with a connection */
	uint32_t in_setup;    /* idle: connections not yet logged in */
	uint64_t started;     /* sessions started */
	uint64_t deadline_us; /* no new sessions after this (0: none) */
	uint64_t consec_err;  /* errors since the last good session */
	bool released;        /* idle: QUIT sent to the held connections */
	size_t latcap;
};

/* bench_sess.c: after the greeting (and STLS), start the command script. */
void sess_start_script(struct bench_ctx *x, struct bconn *c);
/* Process received bytes buf[0..len); returns how many were consumed (the
 * rest is an incomplete line). Ends or fails the session as replies say;
 * check c->st afterwards (CS_FREE: closed). */
size_t sess_feed(
    struct bench_ctx *x, struct bconn *c, const uint8_t *buf, size_t len);
/* Queue as many script commands as the window allows. */
void sess_fill(struct bench_ctx *x, struct bconn *c);

/* bench_run.c: close c and count a failed session with a reason. */
void conn_fail(
    struct bench_ctx *x, struct bconn *c, const char *what, const char *detail);
/* bench_run.c: close c after a completed session and count it. */
void conn_done(struct bench_ctx *x, struct bconn *c);
/* bench_run.c: idle mode: c is logged in; hold it, open the next one. */
void conn_idle(struct bench_ctx *x, struct bconn *c);
/* bench_run.c: begin the TLS handshake on c (after STLS +OK). */
void conn_start_tls(struct bench_ctx *x, struct bconn *c);

#endif
