/* run_list.c: what is on the server: STAT, then UIDL and LIST (sent
 * together when the server pipelines), validated line by line. A server
 * without UIDL gets unique-ids made from a hash of each message's headers
 * (TOP n 0) and its size, and a warning that this is weaker. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch/run.h"
#include "lib/log.h"
#include "lib/num.h"
#include "lib/util.h"

static int
read_listing(struct fr_ctx *c, bool uidl)
{
	size_t len;
	uint32_t i;
	int r;

	for (i = 0; i <= c->l.count; i++) {
		r = fx_data_line(c->s, &len);
		if (r < 0)
			return -1;
		if (r == 0)
			return 0;
		if ((uidl ? fl_uidl_line(&c->l, c->s->line, len)
			  : fl_list_line(&c->l, c->s->line, len)) < 0)
			return fx_fail(c->s, FX_PROTO, "%s: %s listing: %s",
			    c->a->host, uidl ? "UIDL" : "LIST", c->l.err);
	}
	return fx_fail(c->s, FX_PROTO, "%s: %s listing longer than STAT",
	    c->a->host, uidl ? "UIDL" : "LIST");
}

static int
stat_count(struct fr_ctx *c, uint32_t *n_r)
{
	struct p3_span rest;
	const char *sp;
	uint64_t total;
	char esc[128];
	int r;

	if (fx_send(c->s, "STAT") < 0 || (r = fx_status(c->s)) < 0)
		return -1;
	if (r == 1 && c->s->resp.text.len >= 3 && c->s->resp.text.p[0] == '0' &&
	    c->s->resp.text.p[1] == ' ') {
		*n_r = 0;
		return 0;
	}
	if (r == 1 && p3_parse_listing(c->s->resp.text.p, c->s->resp.text.len,
			  n_r, &rest) == 0) {
		sp = memchr(rest.p, ' ', rest.len);
		if (num_parse_u64(rest.p,
			sp != NULL ? (size_t)(sp - rest.p) : rest.len, 0,
			UINT64_MAX, &total) == 0)
			return 0;
	}
	return fx_fail(c->s, FX_PROTO, "%s: bad STAT reply \"%s\"", c->a->host,
	    log_escape(c->s->line, strlen(c->s->line), esc, sizeof(esc)));
}

/* Stand-in unique-id of one message from its TOP n 0 reply: "~" and 56
 * hex digits of SHA-256(headers, size). */
static int
top_hash(struct fr_ctx *c, uint32_t num, int null_fd)
{
	struct fl_entry *e = &c->l.e[num - 1];
	char hex[65], sz[24];
	struct fd_out o;
	uint64_t wire;
	int r, n;

	if ((r = fx_status(c->s)) < 0)
		return -1;
	if (r == 0)
		return fx_fail(c->s, FX_PROTO,
		    "%s has neither UIDL nor TOP; "
		    "cannot fetch without risking duplicates",
		    c->a->host);
	if (fd_out_init(&o, null_fd) < 0)
		return fr_fail(c, FX_FAIL, "out of memory");
	o.fd = null_fd;
	r = fr_read_body(c, &o, NULL, e->size, &wire);
	n = str_fmt(sz, sizeof(sz), "\n%llu", (unsigned long long)e->size);
	if (r == 0 && n > 0 && fd_out_write(&o, sz, (size_t)n) == 0) {
		fd_out_digest(&o, hex);
		e->uidl[0] = '~';
		memcpy(e->uidl + 1, hex, 56);
		e->uidl[57] = '\0';
		e->has_uidl = true;
	}
	o.fd = -1; /* null_fd stays open */
	fd_out_free(&o);
	return r;
}

static int
cmp_entry(const void *a, const void *b)
{
	const struct fl_entry *x = *(const struct fl_entry *const *)a;
	const struct fl_entry *y = *(const struct fl_entry *const *)b;
	int d = strcmp(x->uidl, y->uidl);

	if (d != 0)
		return d;
	return x < y ? -1 : x > y;
}

/* Tell identical messages apart by position: "-2", "-3"... */
static int
number_duplicates(struct fr_ctx *c)
{
	struct fl_entry **v = calloc(c->l.count, sizeof(*v));
	uint32_t i, n = 0, k = 1;

	if (v == NULL)
		return fr_fail(c, FX_FAIL, "out of memory");
	for (i = 0; i < c->l.count; i++)
		if (c->l.e[i].has_uidl)
			v[n++] = &c->l.e[i];
	qsort(v, n, sizeof(*v), cmp_entry);
	for (i = 1; i < n; i++) {
		if (strncmp(v[i]->uidl, v[i - 1]->uidl, 57) != 0) {
			k = 1;
			continue;
		}
		k++;
		if (str_fmt(v[i]->uidl + 57, sizeof(v[i]->uidl) - 57, "-%u",
			(unsigned)k) < 0)
			v[i]->has_uidl = false;
	}
	free(v);
	return 0;
}

static int
fallback_ids(struct fr_ctx *c)
{
	uint32_t w = c->s->capa.pipelining && c->window > 0 ? c->window : 1;
	uint32_t i = 0, j, k;
	char cmd[32];
	int null_fd, rc = 0;

	log_warn("%s: %s has no UIDL; identifying messages by a hash of "
		 "their headers and size",
	    c->a->name, c->a->host);
	c->r->warnings++;
	null_fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null_fd < 0)
		return fr_fail(c, FX_FAIL, "/dev/null: %s", strerror(errno));
	while (i < c->l.count && rc == 0) {
		k = c->l.count - i < w ? c->l.count - i : w;
		for (j = 0; j < k && rc == 0; j++)
			if (str_fmt(cmd, sizeof(cmd), "TOP %u 0",
				(unsigned)(i + j + 1)) < 0 ||
			    fx_send(c->s, cmd) < 0)
				rc = -1;
		for (j = 0; j < k && rc == 0; j++)
			rc = top_hash(c, i + j + 1, null_fd);
		i += k;
	}
	close(null_fd);
	if (rc < 0)
		return -1;
	return number_duplicates(c);
}

int
fr_list(struct fr_ctx *c)
{
	uint32_t count;
	bool no_uidl = false;
	int r;

	if (stat_count(c, &count) < 0)
		return -1;
	if (fl_init(&c->l, count) < 0)
		return fx_fail(c->s, FX_PROTO, "%s: %s", c->a->host, c->l.err);
	if (count == 0)
		return 0;
	if (c->s->capa.pipelining) {
		if (pc_write(&c->s->conn, "UIDL\r\nLIST\r\n", 12) < 0)
			return fx_fail(c->s, FX_PROTO, "sending to %s: %s",
			    c->a->host, c->s->conn.err);
	} else if (fx_send(c->s, "UIDL") < 0) {
		return -1;
	}
	if ((r = fx_status(c->s)) < 0)
		return -1;
	if (r == 0)
		no_uidl = true;
	else if (read_listing(c, true) < 0)
		return -1;
	if (!c->s->capa.pipelining && fx_send(c->s, "LIST") < 0)
		return -1;
	if ((r = fx_status(c->s)) < 0)
		return -1;
	if (r == 0)
		return fx_fail(c->s, FX_PROTO, "%s refused LIST", c->a->host);
	if (read_listing(c, false) < 0)
		return -1;
	if (fl_uidl_finish(&c->l) < 0)
		return fx_fail(c->s, FX_PROTO, "%s: UIDL listing: %s",
		    c->a->host, c->l.err);
	if (no_uidl)
		return fallback_ids(c);
	return 0;
}
