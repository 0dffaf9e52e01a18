/* body.c: reading one multi-line message body (RETR or TOP) for postie
 * fetch: dot-unstuffing to LF line ends, a cap derived from the LIST size
 * against endless responses, and a check that nothing unexpected follows. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/run.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/util.h"
#include "proto/pop3.h"

int
fr_fail(struct fr_ctx *c, int code, const char *fmt, ...)
{
	va_list ap;

	if (c->r->code != FX_OK)
		return -1;
	c->r->code = code;
	va_start(ap, fmt);
	if (vsnprintf(c->r->err, sizeof(c->r->err), fmt, ap) < 0)
		c->r->err[0] = '\0';
	va_end(ap);
	return -1;
}

/* The most octets we accept for a message announced as listed. */
static uint64_t
body_cap(const struct fr_ctx *c, uint64_t listed)
{
	uint64_t cap = listed, slack = listed > FETCH_SIZE_SLACK ? listed :
	    FETCH_SIZE_SLACK;

	if (__builtin_add_overflow(cap, slack, &cap) || cap > FETCH_MSG_MAX)
		cap = FETCH_MSG_MAX;
	if (c->a->max_msg > 0 && cap > c->a->max_msg + slack)
		cap = c->a->max_msg + slack;
	return cap;
}

static uint64_t
count_lf(const uint8_t *p, size_t n)
{
	const uint8_t *end = p + n, *q;
	uint64_t k = 0;

	while (p < end && (q = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		k++;
		p = q + 1;
	}
	return k;
}

int
fr_read_body(struct fr_ctx *c, struct fd_out *o, struct buf *mem,
    uint64_t listed, uint64_t *wire_r)
{
	struct pc_conn *pc = &c->s->conn;
	struct p3_dotdec d;
	uint64_t wire = 0, cap = body_cap(c, listed);
	uint8_t *out;
	size_t olen, used;
	int n, rc;

	out = malloc(sizeof(pc->in) + 2);
	if (out == NULL)
		return fr_fail(c, FX_FAIL, "out of memory");
	p3_dotdec_init(&d, true, P3_DATA_LINE_MAX);
	for (;;) {
		n = pc_fill(pc);
		if (n <= 0) {
			fx_fail(c->s, FX_PROTO, "%s: message cut short: %s",
			    c->a->host, n == 0 ? "connection closed" : pc->err);
			goto fail;
		}
		rc = p3_dotdec_feed(&d, pc_peek(pc), (size_t)n, out, &olen,
		    &used);
		pc_consume(pc, used);
		/* Octets as sent: every stored LF stood for CR LF. */
		wire += olen + count_lf(out, olen);
		if (wire > cap) {
			fx_fail(c->s, FX_PROTO, "%s: message runs past %llu "
			    "octets (announced %llu); giving up",
			    c->a->host, (unsigned long long)cap,
			    (unsigned long long)listed);
			goto fail;
		}
		if (o != NULL && fd_out_write(o, out, olen) < 0) {
			fr_fail(c, FX_FAIL, "writing a message: %s",
			    strerror(o->err));
			goto fail;
		}
		if (mem != NULL && olen > 0 && mem->len < mem->max &&
		    buf_append(mem, out, olen <= mem->max - mem->len ? olen :
			mem->max - mem->len) < 0)
			mem->max = mem->len; /* out of memory: keep what fits */
		if (rc < 0) {
			fx_fail(c->s, FX_PROTO, "%s: line longer than %d "
			    "octets in a message", c->a->host,
			    P3_DATA_LINE_MAX);
			goto fail;
		}
		if (rc == 1)
			break;
	}
	free(out);
	/* Whatever follows must be the start of the next reply. */
	if (pc_buffered(pc) > 0 && pc_peek(pc)[0] != '+' &&
	    pc_peek(pc)[0] != '-') {
		char esc[64];

		return fx_fail(c->s, FX_PROTO, "%s: junk after the end of a "
		    "message: \"%s\"", c->a->host, log_escape(pc_peek(pc),
		    pc_buffered(pc) < 24 ? pc_buffered(pc) : 24, esc,
		    sizeof(esc)));
	}
	*wire_r = wire;
	return 0;
fail:
	free(out);
	return -1;
}
