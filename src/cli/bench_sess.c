/* bench_sess.c: the session script of postie bench and the parsing of the
 * server's replies with the shared codec. Scripts (command index k):
 *   full:  USER PASS STAT LIST UIDL RETR 1..r QUIT
 *   login: USER PASS STAT QUIT
 *   idle:  USER PASS STAT, hold, QUIT
 *   steps: USER PASS STAT UIDL LIST QUIT (each step timed)
 * With a window above 1 commands are pipelined (RFC 2449); commands after
 * STAT are sent once its reply tells the message count. */
#include <stdlib.h>
#include <string.h>

#include "cli/bench_int.h"
#include "lib/num.h"
#include "lib/util.h"

enum cmd_kind { K_USER, K_PASS, K_STAT, K_LIST, K_UIDL, K_RETR, K_QUIT };

/* What script command k is; *msg_r is the RETR message number. */
static enum cmd_kind
cmd_at(const struct bench_opts *o, const struct bconn *c, uint32_t k,
    uint32_t *msg_r)
{
	*msg_r = 0;
	if (k <= 2)
		return k == 0 ? K_USER : k == 1 ? K_PASS : K_STAT;
	switch (o->mode) {
	case BM_FULL:
		if (k == 3)
			return K_LIST;
		if (k == 4)
			return K_UIDL;
		if (k - 5 < c->nretr) {
			*msg_r = k - 4;
			return K_RETR;
		}
		return K_QUIT;
	case BM_STEPS:
		return k == 3 ? K_UIDL : k == 4 ? K_LIST : K_QUIT;
	default:
		return K_QUIT;
	}
}

/* How many script commands may be sent now. */
static uint32_t
sendable(const struct bench_ctx *x, const struct bconn *c)
{
	if (!c->stat_known)
		return 3;
	if (x->o->mode == BM_IDLE && !x->released)
		return 3;
	return c->ncmds;
}

void
sess_fill(struct bench_ctx *x, struct bconn *c)
{
	const struct bench_opts *o = x->o;
	const struct bench_user *u = &o->users[c->user];
	uint32_t limit = sendable(x, c), msg;
	char *p;
	size_t room;
	int n = 0;

	if (c->st != CS_SCRIPT && c->st != CS_IDLE)
		return;
	if (c->out_off == c->out_len)
		c->out_off = c->out_len = 0;
	while (c->sent < limit && c->sent - c->recvd < o->window) {
		p = c->out + c->out_len;
		room = sizeof(c->out) - c->out_len;
		if (room < 2 * BENCH_NAME_MAX + 16)
			break;
		switch (cmd_at(o, c, c->sent, &msg)) {
		case K_USER:
			n = str_fmt(p, room, "USER %s\r\n", u->name);
			break;
		case K_PASS:
			n = str_fmt(p, room, "PASS %s\r\n", u->pass);
			break;
		case K_STAT:
			n = str_fmt(p, room, "STAT\r\n");
			break;
		case K_LIST:
			n = str_fmt(p, room, "LIST\r\n");
			break;
		case K_UIDL:
			n = str_fmt(p, room, "UIDL\r\n");
			break;
		case K_RETR:
			n = str_fmt(p, room, "RETR %u\r\n", (unsigned)msg);
			if (c->t_retr0 == 0)
				c->t_retr0 = bench_now_us();
			break;
		case K_QUIT:
			n = str_fmt(p, room, "QUIT\r\n");
			break;
		}
		if (n < 0)
			break;
		c->out_len += (uint16_t)n;
		c->sent++;
	}
}

void
sess_start_script(struct bench_ctx *x, struct bconn *c)
{
	uint64_t now = bench_now_us();

	c->st = CS_SCRIPT;
	c->rkind = R_STATUS;
	if (x->o->mode == BM_STEPS)
		x->st->steps_us[BS_GREETING] += now - c->t0;
	c->t_step = now;
	sess_fill(x, c);
}

/* Record a timed step (steps mode). */
static void
step(struct bench_ctx *x, struct bconn *c, enum bench_step s)
{
	uint64_t now = bench_now_us();

	if (x->o->mode == BM_STEPS)
		x->st->steps_us[s] += now - c->t_step;
	c->t_step = now;
}

/* The message count from a STAT reply's text "n size". */
static int
parse_stat(struct p3_span text, uint32_t *n_r)
{
	const char *sp = memchr(text.p, ' ', text.len);
	uint64_t v;

	if (sp == NULL || num_parse_u64(text.p, (size_t)(sp - text.p), 0,
			      BENCH_MSGS_MAX, &v) < 0)
		return -1;
	*n_r = (uint32_t)v;
	return 0;
}

/* After STAT: the script length and the LIST size table. */
static int
stat_done(struct bench_ctx *x, struct bconn *c, struct p3_span text)
{
	const struct bench_opts *o = x->o;
	uint64_t *p;

	if (parse_stat(text, &c->nmsg) < 0)
		return -1;
	c->nretr = c->nmsg;
	if (o->retr_max != 0 && c->nretr > o->retr_max)
		c->nretr = o->retr_max;
	switch (o->mode) {
	case BM_FULL:
		c->ncmds = 6 + c->nretr;
		break;
	case BM_STEPS:
		c->ncmds = 6;
		break;
	default:
		c->ncmds = 4;
		break;
	}
	c->stat_known = true;
	c->nsizes = 0;
	if (o->mode == BM_FULL && c->nmsg > c->capsizes) {
		p = realloc(c->sizes, (size_t)c->nmsg * sizeof(*p));
		if (p == NULL)
			return -1;
		c->sizes = p;
		c->capsizes = c->nmsg;
	}
	return 0;
}

/* A LIST data line "n size". */
static void
list_line(struct bconn *c, const char *line, size_t len)
{
	struct p3_span rest;
	uint32_t n;
	uint64_t v;

	if (p3_parse_listing(line, len, &n, &rest) < 0 || n == 0 ||
	    n > c->capsizes)
		return;
	if (num_parse_u64(rest.p, rest.len, 0, UINT64_MAX, &v) < 0)
		return;
	c->sizes[n - 1] = v;
	if (n > c->nsizes)
		c->nsizes = n;
}

/* The reply to script command c->recvd is complete. */
static void
reply_done(struct bench_ctx *x, struct bconn *c, enum cmd_kind k, uint32_t msg)
{
	struct bench_stats *st = x->st;
	uint64_t size, now;

	c->recvd++;
	c->rkind = R_STATUS;
	switch (k) {
	case K_UIDL:
		step(x, c, BS_UIDL);
		if (x->o->mode == BM_FULL && c->nretr == 0)
			c->t_retr0 = 0;
		break;
	case K_LIST:
		step(x, c, BS_LIST);
		break;
	case K_RETR:
		size = c->scan.size;
		st->retr_msgs++;
		st->retr_bytes += size;
		if (msg >= 1 && msg <= c->nsizes && c->sizes[msg - 1] != size)
			st->mismatches++;
		if (msg == c->nretr && c->t_retr0 != 0) {
			now = bench_now_us();
			st->retr_us += now - c->t_retr0;
		}
		break;
	default:
		break;
	}
	if (x->o->mode == BM_IDLE && k == K_STAT)
		conn_idle(x, c);
}

/* A status line for script command k. 0, or -1 after conn_fail. */
static int
status_line(struct bench_ctx *x, struct bconn *c, const char *line, size_t len)
{
	struct p3_resp r;
	enum cmd_kind k;
	uint32_t msg;
	char shown[120];

	if (c->recvd >= c->sent) {
		conn_fail(x, c, "unexpected line", NULL);
		return -1;
	}
	k = cmd_at(x->o, c, c->recvd, &msg);
	if (p3_resp_parse(line, len, &r) < 0 || r.status != P3_ST_OK) {
		(void)str_fmt(shown, sizeof(shown), "%.*s",
		    (int)(len < 100 ? len : 100), line);
		conn_fail(x, c, x->o->users[c->user].name, shown);
		return -1;
	}
	switch (k) {
	case K_PASS:
		step(x, c, BS_LOGIN);
		break;
	case K_STAT:
		step(x, c, BS_STAT);
		if (stat_done(x, c, r.text) < 0) {
			conn_fail(x, c, "bad STAT reply", NULL);
			return -1;
		}
		break;
	case K_LIST:
	case K_UIDL:
		c->rkind = R_LINES;
		return 0;
	case K_RETR:
		c->rkind = R_BODY;
		bench_scan_init(&c->scan);
		if (x->o->verify)
			p3_dotdec_init(&c->dec, false, 0);
		return 0;
	case K_QUIT:
		step(x, c, BS_QUIT);
		c->recvd++;
		conn_done(x, c);
		return -1;
	default:
		break;
	}
	reply_done(x, c, k, msg);
	return 0;
}

/* One complete line (CRLF stripped) in state st. 0, or -1 if c closed. */
static int
one_line(struct bench_ctx *x, struct bconn *c, const char *line, size_t len)
{
	struct p3_resp r;
	uint32_t msg;
	enum cmd_kind k;

	if (c->st == CS_GREETING || c->st == CS_STLS) {
		if (p3_resp_parse(line, len, &r) < 0 || r.status != P3_ST_OK) {
			conn_fail(x, c,
			    c->st == CS_STLS ? "STLS refused" : "bad greeting",
			    NULL);
			return -1;
		}
		if (c->st == CS_GREETING && x->o->tls == BT_STLS &&
		    c->ssl == NULL) {
			c->st = CS_STLS;
			memcpy(c->out, "STLS\r\n", 6);
			c->out_off = 0;
			c->out_len = 6;
			return 0;
		}
		if (c->st == CS_STLS) {
			conn_start_tls(x, c);
			return -1; /* drop whatever else came in */
		}
		sess_start_script(x, c);
		return 0;
	}
	if (c->rkind == R_STATUS)
		return status_line(x, c, line, len);
	k = cmd_at(x->o, c, c->recvd, &msg);
	if (len == 1 && line[0] == '.') {
		reply_done(x, c, k, msg);
		return 0;
	}
	if (k == K_LIST && c->capsizes != 0)
		list_line(c, line, len);
	return 0;
}

/* Body bytes of a RETR reply. */
static size_t
body_bytes(struct bench_ctx *x, struct bconn *c, const uint8_t *p, size_t len,
    bool *done_r)
{
	static uint8_t scratch[BENCH_RBUF + 2];
	size_t used, outlen;
	int rc;

	if (!x->o->verify)
		return bench_scan_feed(&c->scan, p, len, done_r);
	if (len > BENCH_RBUF)
		len = BENCH_RBUF;
	rc = p3_dotdec_feed(&c->dec, p, len, scratch, &outlen, &used);
	c->scan.size += outlen;
	*done_r = rc == 1;
	return used;
}

size_t
sess_feed(struct bench_ctx *x, struct bconn *c, const uint8_t *buf, size_t len)
{
	size_t pos = 0, n, l;
	const uint8_t *nl;
	enum cmd_kind k;
	uint32_t msg;
	bool done;

	while (pos < len && c->st != CS_FREE && c->st != CS_TLS) {
		if (c->rkind == R_BODY) {
			n = body_bytes(x, c, buf + pos, len - pos, &done);
			pos += n;
			if (done) {
				k = cmd_at(x->o, c, c->recvd, &msg);
				reply_done(x, c, k, msg);
			}
			continue;
		}
		nl = memchr(buf + pos, '\n', len - pos);
		if (nl == NULL)
			break;
		l = (size_t)(nl - (buf + pos));
		n = l + 1;
		if (l > 0 && buf[pos + l - 1] == '\r')
			l--;
		if (one_line(x, c, (const char *)buf + pos, l) < 0)
			return len;
		pos += n;
	}
	if (c->st == CS_TLS)
		return len;
	return pos;
}
