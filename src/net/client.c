/* client.c: a blocking POP3 client connection over a non-blocking socket.
 * Every read and write waits with poll() for at most timeout_ms (and never
 * past the session deadline); TLS is OpenSSL with verification by default. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "lib/limits.h"
#include "lib/util.h"
#include "net/client.h"

#define PC_DEFAULT_TIMEOUT_MS 30000

void
pc_set_err(struct pc_conn *c, const char *what, const char *detail)
{
	if (str_fmt(c->err, sizeof(c->err), "%s%s%s", what,
		detail != NULL ? ": " : "", detail != NULL ? detail : "") < 0)
		c->err[sizeof(c->err) - 1] = '\0';
}

/* Milliseconds to wait now: the per-operation timeout, shortened by the
 * session deadline. 0 means the deadline has passed. */
static int
wait_ms(const struct pc_conn *c)
{
	int t = c->timeout_ms > 0 ? c->timeout_ms : PC_DEFAULT_TIMEOUT_MS;
	uint64_t now;

	if (c->deadline_ms == 0)
		return t;
	now = time_mono_ms();
	if (now >= c->deadline_ms)
		return 0;
	if (c->deadline_ms - now < (uint64_t)t)
		t = (int)(c->deadline_ms - now);
	return t;
}

/* Wait until fd is ready for events. 0 ready, -1 timeout or error. */
int
pc_wait_fd(struct pc_conn *c, short events)
{
	struct pollfd pfd;
	int t, n;

	for (;;) {
		t = wait_ms(c);
		if (t == 0) {
			pc_set_err(c, "session timeout", NULL);
			return -1;
		}
		pfd.fd = c->fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, t);
		if (n > 0)
			return 0;
		if (n == 0) {
			pc_set_err(c, "timeout", NULL);
			return -1;
		}
		if (errno != EINTR) {
			pc_set_err(c, "poll", strerror(errno));
			return -1;
		}
	}
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -1;
	return 0;
}

/* One connect attempt to ai; 0 connected, -1 with c->err set. */
static int
try_connect(struct pc_conn *c, const struct addrinfo *ai, const char *source_ip)
{
	struct addrinfo hints, *src = NULL;
	socklen_t sl = sizeof(int);
	int one = 1, soerr = 0;

	c->fd = socket(
	    ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
	if (c->fd < 0) {
		pc_set_err(c, "socket", strerror(errno));
		return -1;
	}
	if (set_nonblock(c->fd) < 0)
		goto fail_errno;
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (source_ip != NULL) {
		memset(&hints, 0, sizeof(hints));
		hints.ai_family = ai->ai_family;
		hints.ai_socktype = SOCK_STREAM;
		hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE;
		if (getaddrinfo(source_ip, NULL, &hints, &src) != 0) {
			pc_set_err(c, "bad source address", source_ip);
			goto fail;
		}
		if (bind(c->fd, src->ai_addr, src->ai_addrlen) < 0) {
			freeaddrinfo(src);
			goto fail_errno;
		}
		freeaddrinfo(src);
	}
	if (connect(c->fd, ai->ai_addr, ai->ai_addrlen) == 0)
		return 0;
	if (errno != EINPROGRESS)
		goto fail_errno;
	if (pc_wait_fd(c, POLLOUT) < 0)
		goto fail;
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0)
		goto fail_errno;
	if (soerr == 0)
		return 0;
	errno = soerr;
fail_errno:
	pc_set_err(c, "connect", strerror(errno));
fail:
	close(c->fd);
	c->fd = -1;
	return -1;
}

int
pc_connect(struct pc_conn *c, const char *host, uint16_t port,
    const char *source_ip, int timeout_ms)
{
	struct addrinfo hints, *res = NULL, *ai;
	char portstr[8];
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->timeout_ms = timeout_ms > 0 ? timeout_ms : PC_DEFAULT_TIMEOUT_MS;
	if (str_fmt(portstr, sizeof(portstr), "%u", (unsigned)port) < 0)
		return -1;
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_ADDRCONFIG;
	rc = getaddrinfo(host, portstr, &hints, &res);
	if (rc != 0) {
		pc_set_err(c, "cannot resolve host", gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai != NULL; ai = ai->ai_next)
		if (try_connect(c, ai, source_ip) == 0)
			break;
	freeaddrinfo(res);
	return c->fd >= 0 ? 0 : -1;
}

/* Read up to cap bytes from the transport (TLS or plain). n > 0, 0 EOF,
 * -1 error. */
static int
raw_read(struct pc_conn *c, void *p, size_t cap)
{
	ssize_t n;
	int rc, e;

	if (cap > INT32_MAX)
		cap = INT32_MAX;
	for (;;) {
		if (c->ssl != NULL) {
			ERR_clear_error();
			rc = SSL_read(c->ssl, p, (int)cap);
			if (rc > 0)
				return rc;
			e = SSL_get_error(c->ssl, rc);
			if (e == SSL_ERROR_ZERO_RETURN) {
				c->eof = true;
				return 0;
			}
			if (e == SSL_ERROR_WANT_READ ||
			    e == SSL_ERROR_WANT_WRITE) {
				if (pc_wait_fd(c, e == SSL_ERROR_WANT_READ
						      ? POLLIN
						      : POLLOUT) < 0)
					return -1;
				continue;
			}
			if (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0) {
				c->eof = true; /* closed without close_notify */
				return 0;
			}
			pc_ssl_err(c, "TLS read");
			return -1;
		}
		n = read(c->fd, p, cap);
		if (n > 0)
			return (int)n;
		if (n == 0) {
			c->eof = true;
			return 0;
		}
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN && errno != EWOULDBLOCK) {
			pc_set_err(c, "read", strerror(errno));
			return -1;
		}
		if (pc_wait_fd(c, POLLIN) < 0)
			return -1;
	}
}

int
pc_write(struct pc_conn *c, const void *p, size_t len)
{
	const uint8_t *b = p;
	ssize_t n;
	int rc, e, chunk;

	while (len > 0) {
		chunk = len > 1048576 ? 1048576 : (int)len;
		if (c->ssl != NULL) {
			ERR_clear_error();
			rc = SSL_write(c->ssl, b, chunk);
			if (rc > 0) {
				b += rc;
				len -= (size_t)rc;
				continue;
			}
			e = SSL_get_error(c->ssl, rc);
			if (e != SSL_ERROR_WANT_READ &&
			    e != SSL_ERROR_WANT_WRITE) {
				pc_ssl_err(c, "TLS write");
				return -1;
			}
			if (pc_wait_fd(c,
				e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT) <
			    0)
				return -1;
			continue;
		}
		n = write(c->fd, b, (size_t)chunk);
		if (n > 0) {
			b += n;
			len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
			pc_set_err(c, "write", strerror(errno));
			return -1;
		}
		if (pc_wait_fd(c, POLLOUT) < 0)
			return -1;
	}
	return 0;
}

int
pc_cmd(struct pc_conn *c, const char *line)
{
	char out[P3_SASL_LINE_MAX + 2];
	size_t n = strlen(line);
	int rc;

	if (n + 2 > sizeof(out) || memchr(line, '\n', n) != NULL ||
	    memchr(line, '\r', n) != NULL) {
		pc_set_err(
		    c, "command too long or contains a line break", NULL);
		return -1;
	}
	memcpy(out, line, n);
	out[n] = '\r';
	out[n + 1] = '\n';
	rc = pc_write(c, out, n + 2);
	mem_wipe(out, n + 2); /* it may have held a password */
	return rc;
}

int
pc_readline(struct pc_conn *c, char *line, size_t cap)
{
	uint8_t *lf;
	size_t n;
	int r;

	if (cap == 0)
		return -1;
	for (;;) {
		lf = memchr(c->in + c->in_start, '\n', c->in_len);
		if (lf != NULL) {
			const uint8_t *start = c->in + c->in_start;
			size_t used;

			n = (size_t)(lf - start);
			used = n + 1;
			if (n > 0 && start[n - 1] == '\r')
				n--;
			if (n >= cap || n > INT32_MAX) {
				pc_set_err(c, "line too long", NULL);
				return -1;
			}
			memcpy(line, start, n);
			line[n] = '\0';
			c->in_start += used;
			c->in_len -= used;
			if (c->in_len == 0)
				c->in_start = 0;
			return (int)n;
		}
		/* No LF yet: a line already longer than cap (plus CR) fails. */
		if (c->in_len > cap || c->in_len == sizeof(c->in)) {
			pc_set_err(c, "line too long", NULL);
			return -1;
		}
		if (c->in_start > 0) {
			memmove(c->in, c->in + c->in_start, c->in_len);
			c->in_start = 0;
		}
		r = raw_read(c, c->in + c->in_len, sizeof(c->in) - c->in_len);
		if (r < 0)
			return -1;
		if (r == 0) {
			pc_set_err(c, "connection closed by server", NULL);
			return -1;
		}
		c->in_len += (size_t)r;
	}
}

int
pc_read(struct pc_conn *c, void *p, size_t cap)
{
	size_t n;

	if (cap == 0)
		return -1;
	if (c->in_len > 0) {
		n = c->in_len < cap ? c->in_len : cap;
		if (n > INT32_MAX)
			n = INT32_MAX;
		memcpy(p, c->in + c->in_start, n);
		c->in_start += n;
		c->in_len -= n;
		if (c->in_len == 0)
			c->in_start = 0;
		return (int)n;
	}
	return raw_read(c, p, cap);
}

void
pc_close(struct pc_conn *c)
{
	if (c->ssl != NULL) {
		SSL_set_quiet_shutdown(c->ssl, 1);
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->ctx != NULL) {
		SSL_CTX_free(c->ctx);
		c->ctx = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	c->in_start = c->in_len = 0;
}

void
pc_set_deadline(struct pc_conn *c, uint64_t deadline_ms)
{
	c->deadline_ms = deadline_ms;
}

size_t
pc_buffered(const struct pc_conn *c)
{
	return c->in_len;
}

int
pc_fill(struct pc_conn *c)
{
	int r;

	if (c->in_len > 0)
		return (int)c->in_len;
	c->in_start = 0;
	r = raw_read(c, c->in, sizeof(c->in));
	if (r > 0)
		c->in_len = (size_t)r;
	return r;
}

const uint8_t *
pc_peek(const struct pc_conn *c)
{
	return c->in + c->in_start;
}

void
pc_consume(struct pc_conn *c, size_t n)
{
	if (n > c->in_len)
		n = c->in_len;
	c->in_start += n;
	c->in_len -= n;
	if (c->in_len == 0)
		c->in_start = 0;
}
