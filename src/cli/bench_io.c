/* bench_io.c: the small pieces under postie bench's event loop: clock,
 * address resolution, non-blocking connect, the client TLS context, the
 * multi-line body scanner and quantiles. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/bench.h"
#include "lib/util.h"

enum {
	SC_BOL,    /* at the start of a line */
	SC_MID,    /* inside a line */
	SC_DOT,    /* the line so far is "." */
	SC_DOT_CR, /* the line so far is ".\r" */
	SC_DONE
};

uint64_t
bench_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int
bench_resolve(const char *host, uint16_t port, struct sockaddr_storage *sa,
    socklen_t *len, char *err, size_t cap)
{
	struct addrinfo hints, *res = NULL;
	char service[8];
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	(void)str_fmt(service, sizeof(service), "%u", (unsigned)port);
	rc = getaddrinfo(host, service, &hints, &res);
	if (rc != 0 || res == NULL) {
		(void)str_fmt(err, cap, "resolve %s: %s", host,
		    rc != 0 ? gai_strerror(rc) : "no address");
		return -1;
	}
	if (res->ai_addrlen > sizeof(*sa)) {
		freeaddrinfo(res);
		(void)str_fmt(err, cap, "resolve %s: address too long", host);
		return -1;
	}
	memcpy(sa, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return 0;
}

int
bench_connect(
    const struct sockaddr_storage *sa, socklen_t len, char *err, size_t cap)
{
	int fd, one = 1;

	fd = socket(
	    sa->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		(void)str_fmt(err, cap, "socket: %s", strerror(errno));
		return -1;
	}
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (const struct sockaddr *)sa, len) < 0 &&
	    errno != EINPROGRESS) {
		(void)str_fmt(err, cap, "connect: %s", strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

SSL_CTX *
bench_tls_ctx(void)
{
	SSL_CTX *ctx;

	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL)
		return NULL;
	/* Benchmark peers use self-signed certificates; nothing is secret. */
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	(void)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);
	SSL_CTX_set_mode(ctx, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
	return ctx;
}

void
bench_scan_init(struct bench_scan *s)
{
	s->size = 0;
	s->state = SC_BOL;
}

/* One byte after a '.' at a line start (states SC_DOT, SC_DOT_CR). Returns
 * true when the terminator is complete. */
static bool
scan_after_dot(struct bench_scan *s, uint8_t c)
{
	if (s->state == SC_DOT) {
		if (c == '\r') {
			s->state = SC_DOT_CR;
			return false;
		}
		if (c == '\n') /* ".\n": lenient end */
			return true;
		s->size++; /* stuffing dot dropped, c is data */
		s->state = SC_MID;
		return false;
	}
	if (c == '\n')
		return true;
	s->size += 2; /* ".\r" then c: a bare CR and data */
	s->state = SC_MID;
	return false;
}

size_t
bench_scan_feed(
    struct bench_scan *s, const uint8_t *p, size_t len, bool *done_r)
{
	size_t i = 0, j;
	const uint8_t *q;
	bool bol;

	*done_r = false;
	while (i < len) {
		if (s->state == SC_DONE) {
			*done_r = true;
			return i;
		}
		if (s->state == SC_DOT || s->state == SC_DOT_CR) {
			if (scan_after_dot(s, p[i])) {
				s->state = SC_DONE;
				*done_r = true;
				return i + 1;
			}
			i++;
			continue;
		}
		q = memchr(p + i, '.', len - i);
		if (q == NULL) {
			s->size += len - i;
			s->state = p[len - 1] == '\n' ? SC_BOL : SC_MID;
			return len;
		}
		j = (size_t)(q - p);
		bol = j == i ? s->state == SC_BOL : p[j - 1] == '\n';
		s->size += j - i;
		i = j + 1;
		if (bol) {
			s->state = SC_DOT;
		} else {
			s->size++;
			s->state = SC_MID;
		}
	}
	*done_r = s->state == SC_DONE;
	return i;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

uint64_t
bench_quantile(uint64_t *v, size_t n, double q)
{
	size_t k;

	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), cmp_u64);
	k = (size_t)(q * (double)(n - 1) + 0.5);
	if (k >= n)
		k = n - 1;
	return v[k];
}
