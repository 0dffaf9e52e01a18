/* deliver_lmtp.c: fetched mail handed to a local MTA by LMTP (RFC 2033) or
 * SMTP (RFC 5321) over one connection per run (TCP, or a unix socket for
 * LMTP). Per message: an intent is committed, MAIL FROM (the Return-Path,
 * else <>), RCPT TO (the account's rcpt), DATA with the message dot-stuffed
 * and CRLF line ends; the delivery is recorded as soon as the server
 * accepted it (LMTP: the recipient's reply after DATA; SMTP: 250). A 4xx or
 * 5xx leaves the message unrecorded and on the POP3 server. Every reply
 * line is bounded and every read has a timeout. */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fetch/run.h"
#include "lib/log.h"
#include "lib/util.h"
#include "net/client.h"
#include "proto/pop3.h"

#define UNIX_RETRY_MS 10

struct fr_lmtp {
	struct pc_conn conn;
	bool lmtp;
};

void
fd_reply_init(struct fd_reply *r)
{
	memset(r, 0, sizeof(*r));
}

int
fd_reply_feed(struct fd_reply *r, const char *line, size_t len)
{
	int code;
	size_t i;

	if (len < 3 || len >= sizeof(r->text) ||
	    r->lines >= FETCH_SMTP_LINES_MAX)
		return -1;
	if (line[0] < '2' || line[0] > '5' || line[1] < '0' || line[1] > '9' ||
	    line[2] < '0' || line[2] > '9')
		return -1;
	if (len > 3 && line[3] != ' ' && line[3] != '-')
		return -1;
	for (i = 3; i < len; i++) {
		unsigned char ch = (unsigned char)line[i];

		if ((ch < 0x20 && ch != '\t') || ch == 0x7f)
			return -1;
	}
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (r->lines > 0 && code != r->code)
		return -1;
	if (r->lines == 0) {
		memcpy(r->text, line, len);
		r->text[len] = '\0';
	}
	r->code = code;
	r->lines++;
	return len > 3 && line[3] == '-' ? 0 : 1;
}

bool
fd_addr_ok(const char *addr)
{
	size_t i, len = strlen(addr);

	if (len == 0 || len >= FETCH_SMTP_ADDR_MAX)
		return false;
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)addr[i];

		if (ch < 0x21 || ch > 0x7e || ch == '<' || ch == '>')
			return false;
	}
	return true;
}

void
fd_return_path(const char *hdr, size_t len, char *out, size_t cap)
{
	static const char key[] = "return-path:";
	const size_t klen = sizeof(key) - 1;
	const char *p = hdr, *end = hdr + len, *eol, *lt, *gt;
	size_t n;

	if (cap > 0)
		out[0] = '\0';
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		n = eol != NULL ? (size_t)(eol - p) : (size_t)(end - p);
		if (n > 0 && p[n - 1] == '\r')
			n--;
		if (n == 0)
			return; /* end of the header */
		if (n >= klen && strncasecmp(p, key, klen) == 0) {
			lt = memchr(p + klen, '<', n - klen);
			gt = lt != NULL ? memchr(lt, '>', (size_t)(p + n - lt))
					: NULL;
			if (gt == NULL || (size_t)(gt - lt - 1) >= cap ||
			    (size_t)(gt - lt - 1) >= FETCH_SMTP_ADDR_MAX)
				return;
			memcpy(out, lt + 1, (size_t)(gt - lt - 1));
			out[gt - lt - 1] = '\0';
			if (!fd_addr_ok(out))
				out[0] = '\0';
			return;
		}
		if (eol == NULL)
			return;
		p = eol + 1;
	}
}

/* Connect pc to the unix socket path, retrying a full backlog for at most
 * timeout_ms. 0 or -1 with pc->err set. */
static int
unix_connect(struct pc_conn *pc, const char *path, int timeout_ms)
{
	struct timespec ts = {0, UNIX_RETRY_MS * 1000 * 1000};
	struct sockaddr_un sa;
	uint64_t t0 = time_mono_ms();
	size_t len = strlen(path);

	memset(pc, 0, sizeof(*pc));
	pc->timeout_ms = timeout_ms;
	pc->fd = -1;
	memset(&sa, 0, sizeof(sa));
	if (len >= sizeof(sa.sun_path)) {
		pc_set_err(pc, "socket path too long", NULL);
		return -1;
	}
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, len + 1);
	pc->fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (pc->fd < 0) {
		pc_set_err(pc, "socket", strerror(errno));
		return -1;
	}
	while (connect(pc->fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		if (errno == EINTR)
			continue;
		if (errno != EAGAIN ||
		    time_mono_ms() - t0 > (uint64_t)timeout_ms) {
			pc_set_err(pc, "connect", strerror(errno));
			close(pc->fd);
			pc->fd = -1;
			return -1;
		}
		nanosleep(&ts, NULL);
	}
	return 0;
}

/* Read one whole reply into r within timeout_ms per line. 0, or -1 with
 * conn.err set. */
static int
read_reply(struct fr_lmtp *m, struct fd_reply *r, int timeout_ms)
{
	char line[FETCH_SMTP_LINE_MAX];
	int n, rc, saved = m->conn.timeout_ms;

	fd_reply_init(r);
	m->conn.timeout_ms = timeout_ms;
	do {
		n = pc_readline(&m->conn, line, sizeof(line));
		rc = n < 0 ? -1 : fd_reply_feed(r, line, (size_t)n);
		if (n >= 0 && rc < 0)
			pc_set_err(&m->conn, "malformed reply", NULL);
	} while (rc == 0);
	m->conn.timeout_ms = saved;
	return rc < 0 ? -1 : 0;
}

/* Send a command line and read its reply. 0 or -1. */
static int
command(struct fr_lmtp *m, const char *line, struct fd_reply *r)
{
	if (pc_cmd(&m->conn, line) < 0)
		return -1;
	return read_reply(m, r, m->conn.timeout_ms);
}

/* Our name for LHLO/EHLO: the host name if it is a plain DNS name. */
static void
helo_name(char *out, size_t cap)
{
	char name[256];
	size_t i;

	if (gethostname(name, sizeof(name)) < 0)
		name[0] = '\0';
	name[sizeof(name) - 1] = '\0';
	for (i = 0; name[i] != '\0'; i++)
		if (!((name[i] >= 'a' && name[i] <= 'z') ||
			(name[i] >= 'A' && name[i] <= 'Z') ||
			(name[i] >= '0' && name[i] <= '9') || name[i] == '-' ||
			name[i] == '.'))
			break;
	if (i == 0 || name[i] != '\0' || str_copy(out, name, cap) < 0)
		(void)str_copy(out, "localhost", cap);
}

/* Connect, read the greeting and introduce ourselves. 0 or -1 (c->r set). */
static int
lmtp_open(struct fr_ctx *c)
{
	const struct fa_account *a = c->a;
	int tmo = a->timeout_s > INT32_MAX / 1000 ? INT32_MAX
						  : (int)a->timeout_s * 1000;
	char host[FETCH_HOST_MAX + 1], name[256], line[300];
	struct fd_reply r;
	struct fr_lmtp *m;
	uint16_t port;
	int rc;

	m = calloc(1, sizeof(*m));
	if (m == NULL)
		return fr_fail(c, FX_FAIL, "out of memory");
	m->lmtp = a->dest == FA_DEST_LMTP;
	if (a->dest_path[0] == '/')
		rc = unix_connect(&m->conn, a->dest_path, tmo);
	else if (fa_parse_hostport(a->dest_path, host, sizeof(host), &port) < 0)
		rc = -1, pc_set_err(&m->conn, "bad HOST:PORT", NULL);
	else
		rc = pc_connect(&m->conn, host, port, NULL, tmo);
	if (rc < 0)
		goto fail;
	helo_name(name, sizeof(name));
	if (read_reply(m, &r, tmo) < 0)
		goto fail;
	if (r.code != 220) {
		pc_set_err(&m->conn, "greeting", r.text);
		goto fail;
	}
	if (str_fmt(line, sizeof(line), "%s %s", m->lmtp ? "LHLO" : "EHLO",
		name) < 0 ||
	    command(m, line, &r) < 0)
		goto fail;
	if (!m->lmtp && r.code / 100 == 5 &&
	    (str_fmt(line, sizeof(line), "HELO %s", name) < 0 ||
		command(m, line, &r) < 0))
		goto fail;
	if (r.code != 250) {
		pc_set_err(&m->conn, m->lmtp ? "LHLO" : "EHLO", r.text);
		goto fail;
	}
	c->lmtp = m;
	return 0;
fail:
	rc = fr_fail(c, FX_FAIL, "%s server %s: %s", m->lmtp ? "LMTP" : "SMTP",
	    a->dest_path, m->conn.err);
	pc_close(&m->conn);
	free(m);
	return rc;
}

void
fr_lmtp_close(struct fr_ctx *c)
{
	struct fd_reply r;

	if (c->lmtp == NULL)
		return;
	if (pc_cmd(&c->lmtp->conn, "QUIT") == 0)
		(void)read_reply(c->lmtp, &r, c->lmtp->conn.timeout_ms);
	pc_close(&c->lmtp->conn);
	free(c->lmtp);
	c->lmtp = NULL;
}

/* The connection failed (timeout, EOF, malformed reply): drop it. -1. */
static int
broken(struct fr_ctx *c)
{
	const char *proto = c->lmtp->lmtp ? "LMTP" : "SMTP";

	fr_fail(c, FX_FAIL, "%s server %s: %s", proto, c->a->dest_path,
	    c->lmtp->conn.err);
	pc_close(&c->lmtp->conn);
	free(c->lmtp);
	c->lmtp = NULL;
	return -1;
}

/* Stream the spooled message dot-stuffed with CRLF line ends and the
 * final ".". 0 or -1 (conn.err set). */
static int
send_body(struct fr_lmtp *m, int spool)
{
	struct p3_dotenc e;
	uint8_t *in, *out;
	ssize_t n;
	size_t k;
	int rc = -1;

	in = malloc(FETCH_IO_BUF);
	out = malloc(2 * FETCH_IO_BUF + 8);
	if (in == NULL || out == NULL || lseek(spool, 0, SEEK_SET) < 0) {
		pc_set_err(&m->conn, "spool", strerror(errno));
		goto out;
	}
	p3_dotenc_init(&e, false, -1);
	for (;;) {
		n = read(spool, in, FETCH_IO_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			pc_set_err(
			    &m->conn, "reading the spool", strerror(errno));
			goto out;
		}
		if (n == 0)
			break;
		k = p3_dotenc_feed(&e, in, (size_t)n, out);
		if (pc_write(&m->conn, out, k) < 0)
			goto out;
	}
	k = p3_dotenc_finish(&e, out);
	rc = pc_write(&m->conn, out, k);
out:
	free(in);
	free(out);
	return rc;
}

/* Remove the intent of uidl (the server did not get the message). */
static int
drop_intent(struct fr_ctx *c, const char *uidl)
{
	if (fs_begin(c->db) < 0 || fs_intent_del(c->db, c->acct, uidl) < 0 ||
	    fs_commit(c->db) < 0) {
		fs_rollback(c->db);
		return fr_fail(
		    c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
	}
	return 0;
}

/* A 4xx or 5xx reply r to step: log it and keep the message. 1 or -1. */
static int
refused(struct fr_ctx *c, const char *uidl, const char *step,
    const struct fd_reply *r)
{
	const char *proto = c->lmtp->lmtp ? "LMTP" : "SMTP";
	struct fd_reply ignored;

	(void)log_escape(
	    r->text, strlen(r->text), c->r->refusal, sizeof(c->r->refusal));
	if (r->code / 100 == 4)
		log_warn("%s: %s server deferred message %s at %s: \"%s\"; it "
			 "stays on the POP3 server",
		    c->a->name, proto, uidl, step, c->r->refusal);
	else
		log_err("%s: %s server refused message %s at %s: \"%s\"; it "
			"stays on the POP3 server",
		    c->a->name, proto, uidl, step, c->r->refusal);
	if (r->code == 421) {
		pc_close(&c->lmtp->conn);
		free(c->lmtp);
		c->lmtp = NULL; /* reconnect for the next message */
	} else if (strcmp(step, "end of data") != 0 &&
		   command(c->lmtp, "RSET", &ignored) < 0) {
		return broken(c);
	}
	if (drop_intent(c, uidl) < 0)
		return -1;
	return 1;
}

int
fr_lmtp_deliver(struct fr_ctx *c, const char *uidl, int state, int spool,
    const char sha[65], uint64_t size)
{
	char from[FETCH_SMTP_ADDR_MAX], line[FETCH_SMTP_ADDR_MAX + 32];
	const char *loc = c->a->dest == FA_DEST_LMTP ? "lmtp" : "smtp";
	struct fd_reply r;
	char *hdr;
	ssize_t n;

	if (c->lmtp == NULL && lmtp_open(c) < 0)
		return -1;
	hdr = malloc(FETCH_SMTP_HDR_MAX);
	if (hdr == NULL)
		return fr_fail(c, FX_FAIL, "out of memory");
	n = pread(spool, hdr, FETCH_SMTP_HDR_MAX, 0);
	fd_return_path(hdr, n > 0 ? (size_t)n : 0, from, sizeof(from));
	free(hdr);
	if (fs_begin(c->db) < 0 ||
	    fs_intent_add(c->db, c->acct, uidl, FS_KIND_LMTP, state,
		c->a->dest_path, loc, sha) < 0 ||
	    fs_commit(c->db) < 0) {
		fs_rollback(c->db);
		return fr_fail(
		    c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
	}
	if (str_fmt(line, sizeof(line), "MAIL FROM:<%s>", from) < 0 ||
	    command(c->lmtp, line, &r) < 0)
		goto unsent;
	if (r.code / 100 != 2)
		return refused(c, uidl, "MAIL FROM", &r);
	if (str_fmt(line, sizeof(line), "RCPT TO:<%s>", c->a->rcpt) < 0 ||
	    command(c->lmtp, line, &r) < 0)
		goto unsent;
	if (r.code / 100 != 2)
		return refused(c, uidl, "RCPT TO", &r);
	if (command(c->lmtp, "DATA", &r) < 0)
		goto unsent;
	if (r.code != 354)
		return refused(c, uidl, "DATA", &r);
	if (send_body(c->lmtp, spool) < 0)
		return broken(c); /* the intent stays: it may have arrived */
	if (read_reply(c->lmtp, &r,
		c->lmtp->conn.timeout_ms > FETCH_SMTP_DATA_MS
		    ? c->lmtp->conn.timeout_ms
		    : FETCH_SMTP_DATA_MS) < 0)
		return broken(c);
	if (r.code / 100 != 2)
		return refused(c, uidl, "end of data", &r);
	if (fs_begin(c->db) < 0 ||
	    fs_record(c->db, c->acct, uidl, state, c->now, size, sha,
		FS_KIND_LMTP, c->a->dest_path, loc) < 0 ||
	    fs_intent_del(c->db, c->acct, uidl) < 0 || fs_commit(c->db) < 0) {
		fs_rollback(c->db);
		return fr_fail(
		    c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
	}
	return 0;
unsent:
	(void)drop_intent(c, uidl);
	return broken(c);
}
