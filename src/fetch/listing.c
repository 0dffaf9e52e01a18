/* listing.c: strict checks of UIDL and LIST listings from a POP3 server.
 * A hostile server controls every byte here, so each line is validated in
 * full and the listing is bounded by the STAT count given to fl_init. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/listing.h"
#include "lib/log.h"
#include "lib/num.h"
#include "lib/util.h"
#include "proto/pop3.h"

/* Set l->err to msg plus the escaped offending line. */
static int
fail(struct fl_listing *l, const char *msg, const char *line, size_t len)
{
	char esc[64];

	log_escape(line, len, esc, sizeof(esc));
	if (str_fmt(l->err, sizeof(l->err), "%s: \"%s\"", msg, esc) < 0)
		l->err[sizeof(l->err) - 1] = '\0';
	return -1;
}

int
fl_init(struct fl_listing *l, uint32_t count)
{
	memset(l, 0, sizeof(*l));
	if (count > FETCH_MSGS_MAX) {
		if (str_fmt(l->err, sizeof(l->err),
			"server reports %u messages; the limit is %u",
			(unsigned)count, (unsigned)FETCH_MSGS_MAX) < 0)
			l->err[0] = '\0';
		return -1;
	}
	l->count = count;
	if (count == 0)
		return 0;
	l->e = calloc(count, sizeof(*l->e));
	if (l->e == NULL) {
		if (str_copy(l->err, "out of memory", sizeof(l->err)) < 0)
			l->err[0] = '\0';
		return -1;
	}
	return 0;
}

void
fl_free(struct fl_listing *l)
{
	free(l->e);
	l->e = NULL;
	l->count = 0;
}

/* Split "n rest" and check n against the count. Returns the entry or NULL
 * (l->err set). */
static struct fl_entry *
entry_for(
    struct fl_listing *l, const char *line, size_t len, struct p3_span *rest_r)
{
	uint32_t n;

	if (p3_parse_listing(line, len, &n, rest_r) < 0) {
		fail(l, "malformed listing line", line, len);
		return NULL;
	}
	if (n == 0 || n > l->count) {
		fail(l, "message number out of range", line, len);
		return NULL;
	}
	return &l->e[n - 1];
}

int
fl_uidl_line(struct fl_listing *l, const char *line, size_t len)
{
	struct p3_span rest;
	struct fl_entry *e = entry_for(l, line, len, &rest);

	if (e == NULL)
		return -1;
	if (!p3_uidl_valid(rest))
		return fail(l, "invalid unique-id", line, len);
	if (e->has_uidl)
		return fail(l, "message listed twice in UIDL", line, len);
	memcpy(e->uidl, rest.p, rest.len);
	e->uidl[rest.len] = '\0';
	e->has_uidl = true;
	l->nuidl++;
	return 0;
}

int
fl_list_line(struct fl_listing *l, const char *line, size_t len)
{
	struct p3_span rest;
	struct fl_entry *e = entry_for(l, line, len, &rest);
	const char *sp;
	size_t dlen;
	uint64_t size;

	if (e == NULL)
		return -1;
	sp = memchr(rest.p, ' ', rest.len);
	dlen = sp != NULL ? (size_t)(sp - rest.p) : rest.len;
	if (num_parse_u64(rest.p, dlen, 0, FETCH_MSG_MAX, &size) < 0)
		return fail(l, "invalid message size", line, len);
	if (e->listed)
		return fail(l, "message listed twice in LIST", line, len);
	e->size = size;
	e->listed = true;
	l->nlist++;
	return 0;
}

static int
cmp_uidl(const void *a, const void *b)
{
	const struct fl_entry *x = *(const struct fl_entry *const *)a;
	const struct fl_entry *y = *(const struct fl_entry *const *)b;

	return strcmp(x->uidl, y->uidl);
}

int
fl_uidl_finish(struct fl_listing *l)
{
	const struct fl_entry **v;
	uint32_t i, n = 0;
	int rc = 0;

	if (l->nuidl < 2)
		return 0;
	v = calloc(l->nuidl, sizeof(*v));
	if (v == NULL) {
		if (str_copy(l->err, "out of memory", sizeof(l->err)) < 0)
			l->err[0] = '\0';
		return -1;
	}
	for (i = 0; i < l->count; i++)
		if (l->e[i].has_uidl)
			v[n++] = &l->e[i];
	qsort(v, n, sizeof(*v), cmp_uidl);
	for (i = 1; i < n; i++) {
		if (strcmp(v[i - 1]->uidl, v[i]->uidl) == 0) {
			rc = fail(l, "two messages share the unique-id",
			    v[i]->uidl, strlen(v[i]->uidl));
			break;
		}
	}
	free(v);
	return rc;
}

int
fl_unstuff(const char **line, size_t *len)
{
	if (*len > 0 && (*line)[0] == '.') {
		if (*len == 1)
			return 0;
		(*line)++;
		(*len)--;
	}
	return 1;
}
