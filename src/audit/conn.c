/* conn.c: the auditor's connection: sockets, TLS with any parameters, and a
 * redacted, timed transcript. All I/O is non-blocking with poll deadlines. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "audit/probe.h"
#include "lib/log.h"
#include "lib/util.h"

#define SHOW_MAX 240 /* bytes of one line shown in a transcript */

void
au_conn_err(struct au_conn *c, const char *what, const char *detail)
{
	if (str_fmt(c->err, sizeof(c->err), "%s%s%s", what,
		detail != NULL ? ": " : "", detail != NULL ? detail : "") < 0)
		c->err[sizeof(c->err) - 1] = '\0';
}

static void
tlog(struct au_conn *c, const char *dir, const void *p, size_t len,
    const char *tail)
{
	char esc[SHOW_MAX * 4 + 8];
	uint64_t ms;

	if (c->log == NULL)
		return;
	ms = time_mono_ms() - c->t0;
	log_escape(p, len > SHOW_MAX ? SHOW_MAX : len, esc, sizeof(esc));
	if (buf_printf(c->log, "%4llu.%03llus %s %s%s%s\n",
		(unsigned long long)(ms / 1000),
		(unsigned long long)(ms % 1000), dir, esc,
		len > SHOW_MAX ? "..." : "", tail) < 0)
		return;
}

void
au_note(struct au_conn *c, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	if (c->log == NULL)
		return;
	va_start(ap, fmt);
	if (vsnprintf(msg, sizeof(msg), fmt, ap) < 0)
		msg[0] = '\0';
	va_end(ap);
	tlog(c, "#", msg, strlen(msg), "");
}

static void
addr_str(const struct sockaddr_storage *ss, char *out, size_t cap)
{
	char ip[INET6_ADDRSTRLEN];
	const void *a;
	unsigned port;

	if (ss->ss_family == AF_INET6) {
		a = &((const struct sockaddr_in6 *)ss)->sin6_addr;
		port = ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
	} else {
		a = &((const struct sockaddr_in *)ss)->sin_addr;
		port = ntohs(((const struct sockaddr_in *)ss)->sin_port);
	}
	if (inet_ntop(ss->ss_family, a, ip, sizeof(ip)) == NULL ||
	    str_fmt(out, cap, ss->ss_family == AF_INET6 ? "[%s]:%u" : "%s:%u",
		ip, port) < 0)
		out[0] = '\0';
}

static int
bind_src(int fd, int family, const char *src)
{
	struct sockaddr_in6 s6;
	struct sockaddr_in s4;

	if (family == AF_INET6) {
		memset(&s6, 0, sizeof(s6));
		s6.sin6_family = AF_INET6;
		if (inet_pton(AF_INET6, src, &s6.sin6_addr) != 1)
			return -1;
		return bind(fd, (struct sockaddr *)&s6, sizeof(s6));
	}
	memset(&s4, 0, sizeof(s4));
	s4.sin_family = AF_INET;
	if (inet_pton(AF_INET, src, &s4.sin_addr) != 1)
		return -1;
	return bind(fd, (struct sockaddr *)&s4, sizeof(s4));
}

int
au_conn_wait(struct au_conn *c, short ev, int ms)
{
	struct pollfd pfd;
	uint64_t end = time_mono_ms() + (uint64_t)(ms > 0 ? ms : 0);
	int n;

	for (;;) {
		uint64_t now = time_mono_ms();
		int left = now >= end ? 0 : (int)(end - now);

		pfd.fd = c->fd;
		pfd.events = ev;
		pfd.revents = 0;
		n = poll(&pfd, 1, left);
		if (n > 0)
			return 0;
		if (n == 0)
			return -1;
		if (errno != EINTR)
			return -1;
	}
}

int
au_connect(struct au_ctx *x, struct au_conn *c, uint16_t port, const char *src,
    struct buf *log)
{
	struct sockaddr_storage ss, me;
	socklen_t len = sizeof(me);
	int err = 0;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->log = log;
	c->timeout_ms = x->o->timeout_ms;
	c->t0 = time_mono_ms();
	if (au_gate_connect(x) != 0) {
		au_conn_err(c, "refused by the safety policy", NULL);
		au_note(c, "connection refused by the safety policy (cap)");
		return -2;
	}
	ss = x->addr;
	if (ss.ss_family == AF_INET6)
		((struct sockaddr_in6 *)&ss)->sin6_port = htons(port);
	else
		((struct sockaddr_in *)&ss)->sin_port = htons(port);
	addr_str(&ss, c->peer, sizeof(c->peer));
	if (src == NULL)
		src =
		    x->src_override != NULL ? x->src_override : x->o->source_ip;
	c->fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->fd < 0) {
		au_conn_err(c, "socket", strerror(errno));
		return -1;
	}
	if (src != NULL && bind_src(c->fd, ss.ss_family, src) != 0) {
		au_conn_err(c, "bind source address", strerror(errno));
		au_note(c, "cannot bind source %s", src);
		au_close(c);
		return -1;
	}
	if (fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK) < 0)
		goto fail;
	if (connect(c->fd, (struct sockaddr *)&ss, x->addrlen) != 0) {
		if (errno != EINPROGRESS)
			goto fail;
		if (au_conn_wait(c, POLLOUT, c->timeout_ms) != 0) {
			errno = ETIMEDOUT;
			goto fail;
		}
		len = sizeof(err);
		if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 ||
		    err != 0) {
			errno = err != 0 ? err : errno;
			goto fail;
		}
	}
	len = sizeof(me);
	if (getsockname(c->fd, (struct sockaddr *)&me, &len) == 0)
		addr_str(&me, c->local, sizeof(c->local));
	au_note(c, "connect %s -> %s", c->local, c->peer);
	return 0;
fail:
	au_conn_err(c, "connect", strerror(errno));
	au_note(c, "connect to %s failed: %s", c->peer, strerror(errno));
	au_close(c);
	return -1;
}

void
au_conn_ssl_err(struct au_conn *c, const char *what)
{
	unsigned long e = ERR_get_error();
	char msg[160];

	if (e == 0) {
		au_conn_err(c, what, errno != 0 ? strerror(errno) : "closed");
	} else {
		ERR_error_string_n(e, msg, sizeof(msg));
		au_conn_err(c, what, msg);
	}
	ERR_clear_error();
}

static void
log_sent(struct au_conn *c, const uint8_t *p, size_t len, int redact_from)
{
	size_t i = 0, j;

	if (redact_from >= 0) {
		tlog(c, "C:", p, (size_t)redact_from, " <redacted>");
		return;
	}
	while (i < len) {
		for (j = i; j < len && p[j] != '\n'; j++)
			;
		if (j < len && j > i && p[j - 1] == '\r')
			tlog(c, "C:", p + i, j - 1 - i, "");
		else
			tlog(c, "C:", p + i, (j < len ? j + 1 : j) - i,
			    j < len ? "" : " (no line end)");
		i = j + 1;
	}
}

int
au_send(struct au_conn *c, const void *p, size_t len, int redact_from)
{
	const uint8_t *b = p;
	size_t off = 0;
	ssize_t n;

	if (c->fd < 0)
		return -1;
	log_sent(c, p, len, redact_from);
	while (off < len) {
		if (c->ssl != NULL) {
			int k = SSL_write(c->ssl, b + off,
			    (int)(len - off > 65536 ? 65536 : len - off));
			int e;

			if (k > 0) {
				off += (size_t)k;
				continue;
			}
			e = SSL_get_error(c->ssl, k);
			if ((e != SSL_ERROR_WANT_READ &&
				e != SSL_ERROR_WANT_WRITE) ||
			    au_conn_wait(c,
				e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
				c->timeout_ms) != 0) {
				au_conn_ssl_err(c, "write");
				return -1;
			}
			continue;
		}
		n = send(c->fd, b + off, len - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (au_conn_wait(c, POLLOUT, c->timeout_ms) != 0) {
				au_conn_err(c, "write", "timeout");
				return -1;
			}
		} else {
			au_conn_err(c, "write", strerror(errno));
			return -1;
		}
	}
	return 0;
}

static int
cmd(struct au_conn *c, const char *line, bool secret)
{
	char buf[1024];
	size_t n = strlen(line);
	const char *sp = strchr(line, ' ');

	if (n + 2 > sizeof(buf))
		return -1;
	memcpy(buf, line, n);
	buf[n] = '\r';
	buf[n + 1] = '\n';
	return au_send(
	    c, buf, n + 2, secret ? (sp != NULL ? (int)(sp - line) : 0) : -1);
}

int
au_cmd(struct au_conn *c, const char *line)
{
	return cmd(c, line, false);
}

int
au_cmd_secret(struct au_conn *c, const char *line)
{
	return cmd(c, line, true);
}

/* Read more bytes into c->in within ms. 1 got data, 0 EOF, -1 error or
 * timeout. */
static int
fill(struct au_conn *c, int ms)
{
	uint64_t end = time_mono_ms() + (uint64_t)(ms > 0 ? ms : 0);
	size_t room;
	ssize_t n;

	if (c->in_start > 0) {
		memmove(c->in, c->in + c->in_start, c->in_len);
		c->in_start = 0;
	}
	room = sizeof(c->in) - c->in_len;
	if (room == 0)
		return -1;
	for (;;) {
		uint64_t now = time_mono_ms();
		int left = now >= end ? 0 : (int)(end - now);

		if (c->ssl != NULL) {
			int k = SSL_read(c->ssl, c->in + c->in_len, (int)room);
			int e;

			if (k > 0) {
				c->in_len += (size_t)k;
				return 1;
			}
			e = SSL_get_error(c->ssl, k);
			if (e == SSL_ERROR_ZERO_RETURN ||
			    (e == SSL_ERROR_SYSCALL && ERR_peek_error() == 0)) {
				ERR_clear_error();
				c->eof = true;
				return 0;
			}
			if (e != SSL_ERROR_WANT_READ &&
			    e != SSL_ERROR_WANT_WRITE) {
				au_conn_ssl_err(c, "read");
				c->eof = true;
				return 0;
			}
			if (left == 0 ||
			    au_conn_wait(c,
				e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
				left) != 0)
				goto timeout;
			continue;
		}
		n = recv(c->fd, c->in + c->in_len, room, 0);
		if (n > 0) {
			c->in_len += (size_t)n;
			return 1;
		}
		if (n == 0 || (errno != EAGAIN && errno != EINTR)) {
			if (n < 0)
				au_conn_err(c, "read", strerror(errno));
			c->eof = true;
			return 0;
		}
		if (left == 0 || au_conn_wait(c, POLLIN, left) != 0)
			goto timeout;
	}
timeout:
	c->timed_out = true;
	au_conn_err(c, "read", "timeout");
	return -1;
}

int
au_line(struct au_conn *c, char *out, size_t cap, int timeout_ms)
{
	int ms = timeout_ms > 0 ? timeout_ms : c->timeout_ms;
	uint64_t end = time_mono_ms() + (uint64_t)ms;
	uint8_t *p, *nl;
	size_t len, n;
	int r;

	c->timed_out = false;
	if (c->fd < 0 || cap == 0)
		return -1;
	for (;;) {
		uint64_t now;

		p = c->in + c->in_start;
		nl = memchr(p, '\n', c->in_len);
		if (nl != NULL || c->in_len == sizeof(c->in) ||
		    (c->eof && c->in_len > 0))
			break;
		if (c->eof) {
			au_note(c, "connection closed by the server");
			return -2;
		}
		now = time_mono_ms();
		r = fill(c, now >= end ? 0 : (int)(end - now));
		if (r < 0) {
			au_note(c, "no reply within %d ms", ms);
			return -1;
		}
	}
	len = nl != NULL ? (size_t)(nl - p) : c->in_len;
	c->in_start += nl != NULL ? len + 1 : len;
	c->in_len -= nl != NULL ? len + 1 : len;
	if (len > 0 && p[len - 1] == '\r')
		len--;
	tlog(c, "S:", p, len, "");
	n = len < cap - 1 ? len : cap - 1;
	memcpy(out, p, n);
	out[n] = '\0';
	return (int)n;
}

int
au_body(struct au_conn *c, char *out, size_t outcap, int timeout_ms)
{
	char line[1024];
	const char *s;
	size_t used = 0, sl;
	int n, lines = 0;

	if (outcap > 0)
		out[0] = '\0';
	for (;;) {
		n = au_line(c, line, sizeof(line), timeout_ms);
		if (n < 0)
			return -1;
		if (strcmp(line, ".") == 0)
			return lines;
		lines++;
		s = line[0] == '.' ? line + 1 : line;
		sl = strlen(s);
		if (outcap > 0 && used + sl + 2 < outcap) {
			if (used > 0)
				out[used++] = '\n';
			memcpy(out + used, s, sl);
			used += sl;
			out[used] = '\0';
		}
		if (lines > 10000)
			return -1;
	}
}

int
au_read(struct au_conn *c, void *p, size_t cap, int timeout_ms)
{
	size_t n;
	int r;

	c->timed_out = false;
	if (c->fd < 0)
		return -1;
	if (c->in_len == 0) {
		if (c->eof)
			return 0;
		r = fill(c, timeout_ms);
		if (r <= 0)
			return r;
	}
	n = c->in_len < cap ? c->in_len : cap;
	memcpy(p, c->in + c->in_start, n);
	c->in_start += n;
	c->in_len -= n;
	return (int)n;
}

bool
au_wait_readable(struct au_conn *c, int ms)
{
	if (c->fd < 0 || c->in_len > 0 || c->eof)
		return true;
	if (c->ssl != NULL && SSL_pending(c->ssl) > 0)
		return true;
	return au_conn_wait(c, POLLIN, ms) == 0;
}

size_t
au_buffered(const struct au_conn *c)
{
	return c->in_len;
}

void
au_close(struct au_conn *c)
{
	if (c->ssl != NULL) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	if (c->ctx != NULL) {
		SSL_CTX_free(c->ctx);
		c->ctx = NULL;
	}
	if (c->fd >= 0) {
		close(c->fd);
		c->fd = -1;
	}
}
