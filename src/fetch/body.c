/* body.c: reading message text from the server for postie fetch: one
 * multi-line body (RETR or TOP) dot-unstuffed to LF line ends, with a cap
 * derived from the LIST size against endless responses and a check that
 * nothing unexpected follows; and --dry-run, which lists what a real run
 * would download (with TOP subjects) and delete, writing nothing. */
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
	uint64_t cap = listed,
		 slack = listed > FETCH_SIZE_SLACK ? listed : FETCH_SIZE_SLACK;

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
		rc = p3_dotdec_feed(
		    &d, pc_peek(pc), (size_t)n, out, &olen, &used);
		pc_consume(pc, used);
		/* Octets as sent: every stored LF stood for CR LF. */
		wire += olen + count_lf(out, olen);
		if (wire > cap) {
			fx_fail(c->s, FX_PROTO,
			    "%s: message runs past %llu "
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
		    buf_append(mem, out,
			olen <= mem->max - mem->len ? olen
						    : mem->max - mem->len) < 0)
			mem->max = mem->len; /* out of memory: keep what fits */
		if (rc < 0) {
			fx_fail(c->s, FX_PROTO,
			    "%s: line longer than %d "
			    "octets in a message",
			    c->a->host, P3_DATA_LINE_MAX);
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

		return fx_fail(c->s, FX_PROTO,
		    "%s: junk after the end of a "
		    "message: \"%s\"",
		    c->a->host,
		    log_escape(pc_peek(pc),
			pc_buffered(pc) < 24 ? pc_buffered(pc) : 24, esc,
			sizeof(esc)));
	}
	*wire_r = wire;
	return 0;
fail:
	free(out);
	return -1;
}

/* The raw Subject header (unfolded, escaped) of headers h, or "". */
static void
subject_of(const struct buf *h, char *out, size_t cap)
{
	const char *p = (const char *)h->data, *end = p + h->len, *nl;
	char raw[512];
	size_t rl = 0;
	bool in = false;

	out[0] = '\0';
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (ll == 0)
			break;
		if (in && (p[0] == ' ' || p[0] == '\t')) {
			/* a folded continuation */
		} else if (in) {
			break;
		} else if (ll >= 8 && strncasecmp(p, "Subject:", 8) == 0) {
			in = true;
			p += 8;
			ll -= 8;
		} else {
			p += ll + 1;
			continue;
		}
		while (ll > 0 && (p[0] == ' ' || p[0] == '\t')) {
			p++;
			ll--;
		}
		if (rl > 0 && rl < sizeof(raw))
			raw[rl++] = ' ';
		if (ll > sizeof(raw) - rl)
			ll = sizeof(raw) - rl;
		memcpy(raw + rl, p, ll);
		rl += ll;
		p += ll;
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl != NULL ? nl + 1 : end;
	}
	log_escape(raw, rl, out, cap);
}

int
fr_dry_run(struct fr_ctx *c, const struct fr_job *jobs, size_t n,
    const uint32_t *dele, size_t ndele)
{
	char line[1024], subj[300], cmd[32];
	struct buf h;
	uint64_t wire;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		const struct fl_entry *e = &c->l.e[jobs[i].num - 1];

		subj[0] = '\0';
		if (c->s->capa.top && str_fmt(cmd, sizeof(cmd), "TOP %u 0",
					  (unsigned)jobs[i].num) > 0) {
			if (fx_send(c->s, cmd) < 0 || (r = fx_status(c->s)) < 0)
				return -1;
			if (r == 1) {
				buf_init(&h, 64 * 1024);
				if (fr_read_body(c, NULL, &h, e->size, &wire) <
				    0) {
					buf_free(&h);
					return -1;
				}
				subject_of(&h, subj, sizeof(subj));
				buf_free(&h);
			}
		}
		if (str_fmt(line, sizeof(line),
			"%s: would fetch%s #%u %llu "
			"octets uidl=%s subject=\"%s\"",
			c->a->name, jobs[i].headers ? " (headers only)" : "",
			(unsigned)jobs[i].num, (unsigned long long)e->size,
			e->uidl, subj) < 0)
			continue;
		c->o->say(line);
	}
	for (i = 0; i < ndele; i++) {
		const struct fl_entry *e = &c->l.e[dele[i] - 1];

		if (str_fmt(line, sizeof(line),
			"%s: would delete #%u %llu "
			"octets uidl=%s",
			c->a->name, (unsigned)dele[i],
			(unsigned long long)e->size, e->uidl) >= 0)
			c->o->say(line);
	}
	if (str_fmt(line, sizeof(line),
		"%s: %zu to fetch, %zu to delete, %u "
		"skipped (size limit)",
		c->a->name, n, ndele, (unsigned)c->r->skipped) >= 0)
		c->o->say(line);
	return 0;
}
