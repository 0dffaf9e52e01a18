/* bench.h: postie bench, a POP3 load generator. One process drives many
 * non-blocking connections (epoll) through whole sessions, login-only
 * sessions, idle logged-in connections or one timed step-by-step session,
 * over plain TCP, STLS or implicit TLS. Replies are parsed with the shared
 * codec (src/proto/pop3.h). Files: bench.c (CLI and report), bench_run.c
 * (event loop and session script), bench_io.c (sockets, TLS, body scan). */
#ifndef POSTIE_CLI_BENCH_H
#define POSTIE_CLI_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sys/socket.h>

#include <openssl/ssl.h>

#include "lib/limits.h"

enum bench_mode { BM_FULL, BM_LOGIN, BM_IDLE, BM_STEPS };
enum bench_tls { BT_NONE, BT_STLS, BT_IMPLICIT };

/* Timed steps of one session (mode steps), in the order they complete. */
enum bench_step {
	BS_GREETING, /* connect (and TLS) until the greeting */
	BS_LOGIN,    /* USER + PASS */
	BS_STAT,     /* first STAT */
	BS_UIDL,     /* UIDL of all messages */
	BS_LIST,     /* LIST of all messages */
	BS_QUIT,     /* QUIT until "+OK" */
	BS_COUNT
};

struct bench_user {
	char name[BENCH_NAME_MAX];
	char pass[BENCH_NAME_MAX];
};

struct bench_opts {
	char host[256];
	uint16_t port;
	enum bench_tls tls;
	enum bench_mode mode;
	uint32_t conc;        /* concurrent connections */
	uint64_t sessions;    /* stop after this many sessions (0: none) */
	uint64_t duration_ms; /* stop starting sessions after this (0: none) */
	uint32_t window;      /* commands in flight (1: lock-step) */
	uint32_t ramp;        /* idle: connections being set up at once */
	uint32_t retr_max;    /* RETR at most this many per session (0: all) */
	uint32_t hold_s;      /* idle: hold at most this long */
	int timeout_ms;       /* per connection without progress */
	bool verify;          /* decode bodies with p3_dotdec */
	bool wait_start;      /* print a waiting line, connect on SIGUSR1 */
	const struct bench_user *users;
	size_t nusers;
};

struct bench_stats {
	uint64_t sessions;      /* completed without error */
	uint64_t errors;        /* sessions that failed */
	uint64_t rx_bytes;      /* all bytes received (after TLS) */
	uint64_t retr_msgs;     /* messages retrieved */
	uint64_t retr_bytes;    /* their decoded sizes */
	uint64_t retr_us;       /* summed time of RETR phases */
	uint64_t mismatches;    /* RETR size != LIST size */
	uint64_t start_us;      /* first connect */
	uint64_t end_us;        /* last session end */
	uint64_t idle_ready_us; /* idle: all connections logged in */
	uint32_t idle_conns;    /* idle: connections held */
	uint64_t steps_us[BS_COUNT];
	uint64_t *lat_us; /* per-session wall times */
	size_t nlat;
	char first_err[256];
};

/* Run the load described by o; fills st (st->lat_us is allocated, free it
 * with bench_stats_free). 0, or -1 if the run could not start at all. */
int bench_run(const struct bench_opts *o, struct bench_stats *st);
/* Free what bench_run allocated in st. */
void bench_stats_free(struct bench_stats *st);

/* ---- Internal to bench_run.c and bench_io.c ----------------------------- */

/* Scanner of a dot-stuffed multi-line body: finds ".CRLF", counts the
 * decoded octets (stuffing dots and the terminator excluded). */
struct bench_scan {
	uint64_t size; /* decoded octets so far */
	int state;     /* internal */
};

/* Start scanning a body that begins at a line start. */
void bench_scan_init(struct bench_scan *s);
/* Scan p[0..len); returns the bytes consumed and sets *done_r when the
 * terminator was consumed (bytes after it are not consumed). */
size_t bench_scan_feed(
    struct bench_scan *s, const uint8_t *p, size_t len, bool *done_r);
/* Microseconds on the monotonic clock. */
uint64_t bench_now_us(void);
/* Resolve host:port (literal or name) once, into sa/len. 0 or -1 with err. */
int bench_resolve(const char *host, uint16_t port, struct sockaddr_storage *sa,
    socklen_t *len, char *err, size_t cap);
/* Start a non-blocking TCP connect (TCP_NODELAY set). Returns the fd, or -1
 * with err set. */
int bench_connect(
    const struct sockaddr_storage *sa, socklen_t len, char *err, size_t cap);
/* The client TLS context (no verification: benchmark peers). */
SSL_CTX *bench_tls_ctx(void);
/* Value at fraction q (0..1) of v[0..n) after sorting it in place. */
uint64_t bench_quantile(uint64_t *v, size_t n, double q);

#endif
