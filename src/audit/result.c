/* result.c: setting results and evidence, the -ERR collector and small
 * reply classifiers shared by the probes. */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit/probe.h"
#include "lib/util.h"

const char *
au_status_name(enum au_status s)
{
	switch (s) {
	case AU_ST_PASS:
		return "PASS";
	case AU_ST_FAIL:
		return "FAIL";
	case AU_ST_INCONCLUSIVE:
		return "INCONCLUSIVE";
	case AU_ST_SKIPPED:
		return "SKIPPED";
	case AU_ST_NOTRUN:
		break;
	}
	return "NOTRUN";
}

void
au_set(struct au_ctx *x, enum au_id i, enum au_status st, enum au_sev sev,
    const char *fmt, ...)
{
	struct au_result *r = &x->run->res[i];
	va_list ap;

	r->status = st;
	r->raw_sev = st == AU_ST_FAIL ? sev : AU_SEV_NONE;
	r->sev = r->raw_sev;
	va_start(ap, fmt);
	if (vsnprintf(r->summary, sizeof(r->summary), fmt, ap) < 0)
		r->summary[0] = '\0';
	va_end(ap);
}

void
au_ev(struct au_ctx *x, enum au_id i, const char *fmt, ...)
{
	struct buf *b = &x->run->res[i].evidence;
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if (buf_puts(b, line) != 0 || buf_puts(b, "\n") != 0)
		return;
}

void
au_ev_buf(struct au_ctx *x, enum au_id i, const struct buf *src)
{
	struct buf *b = &x->run->res[i].evidence;

	if (src->len > 0 && buf_append(b, src->data, src->len) != 0)
		return;
}

void
au_logf(struct buf *b, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || buf_puts(b, line) != 0)
		return;
}

struct buf *
au_evbuf(struct au_ctx *x, enum au_id i)
{
	return &x->run->res[i].evidence;
}

bool
au_aborted(struct au_ctx *x, enum au_id i)
{
	if (!atomic_load(&x->abort))
		return false;
	au_set(x, i, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
	    "not completed: the run was aborted (%s)", x->run->abort_reason);
	return true;
}

void
au_err_seen(struct au_ctx *x, const char *line)
{
	int i;

	pthread_mutex_lock(&x->mu);
	for (i = 0; i < x->nerrs; i++)
		if (strcmp(x->errs[i], line) == 0)
			break;
	if (i == x->nerrs && x->nerrs < AU_ERRS_MAX) {
		/* a cut copy is still worth scanning */
		(void)str_copy(x->errs[x->nerrs], line, sizeof(x->errs[0]));
		x->nerrs++;
	}
	pthread_mutex_unlock(&x->mu);
}

bool
au_ok(const char *line)
{
	return strncmp(line, "+OK", 3) == 0 &&
	       (line[3] == '\0' || line[3] == ' ');
}

bool
au_err(const char *line)
{
	return strncmp(line, "-ERR", 4) == 0 &&
	       (line[4] == '\0' || line[4] == ' ');
}

bool
au_cont(const char *line)
{
	return line[0] == '+' && (line[1] == ' ' || line[1] == '\0');
}

bool
au_has(const char *hay, const char *needle)
{
	size_t n = strlen(needle), i, j;

	for (i = 0; hay[i] != '\0'; i++) {
		for (j = 0; j < n && hay[i + j] != '\0'; j++)
			if (tolower((unsigned char)hay[i + j]) !=
			    tolower((unsigned char)needle[j]))
				break;
		if (j == n)
			return true;
	}
	return n == 0;
}

int
au_reply(
    struct au_ctx *x, struct au_conn *c, char *out, size_t cap, int timeout_ms)
{
	int n = au_line(c, out, cap, timeout_ms);

	if (n >= 0 && au_err(out))
		au_err_seen(x, out);
	if (n < 0 && cap > 0)
		out[0] = '\0';
	return n;
}

void
au_bogus(struct au_ctx *x, const char *suffix, char *out, size_t cap)
{
	if (str_fmt(out, cap, "p3audit-%s%s", x->tok, suffix) < 0)
		(void)str_copy(out, "p3audit-x", cap);
}
