/* report-util.c: escaping and small helpers for the report writers. */
#include <string.h>
#include <time.h>

#include "audit/probe.h"
#include "audit/report.h"
#include "lib/util.h"

void
au_jstrn(FILE *f, const char *p, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch == '\t')
			fputs("\\t", f);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

void
au_jstr(FILE *f, const char *s)
{
	if (s == NULL)
		fputs("null", f);
	else
		au_jstrn(f, s, strlen(s));
}

void
au_jlist(FILE *f, const char *list, const char *sep)
{
	const char *p = list;
	bool first = true;

	fputc('[', f);
	while (p != NULL && *p != '\0') {
		size_t n = strcspn(p, sep);

		if (n > 0) {
			if (!first)
				fputs(", ", f);
			au_jstrn(f, p, n);
			first = false;
		}
		p += n;
		while (*p != '\0' && strchr(sep, *p) != NULL)
			p++;
	}
	fputc(']', f);
}

void
au_xstr(FILE *f, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		switch (ch) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&apos;", f);
			break;
		default:
			if ((ch < 0x20 && ch != '\n' && ch != '\t') ||
			    ch == 0x7f)
				fputc('?', f);
			else
				fputc(ch, f);
		}
	}
}

enum au_family
au_family_guess(const struct au_run *r)
{
	const struct au_facts *f;
	char g[2 * AU_GREET_MAX + 2];

	if (r->ctx == NULL)
		return AU_FAM_GENERIC;
	f = &r->ctx->f;
	if (str_fmt(g, sizeof(g), "%s %s", f->plain_greet, f->tls_greet) < 0)
		g[0] = '\0';
	if (au_has(g, "Dovecot"))
		return AU_FAM_DOVECOT;
	if (au_has(g, "Courier"))
		return AU_FAM_COURIER;
	if (au_has(g, "Cyrus"))
		return AU_FAM_CYRUS;
	if (strncmp(f->plain_greet, "+OK POP3 server ready", 21) == 0 ||
	    strncmp(f->tls_greet, "+OK POP3 server ready", 21) == 0)
		return AU_FAM_POSTIE;
	return AU_FAM_GENERIC;
}

void
au_iso_time(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		(void)str_copy(out, "1970-01-01T00:00:00Z", cap);
}

void
au_target_url(const struct au_run *r, bool tls, char *out, size_t cap)
{
	const char *h = r->o->host;
	bool v6 = strchr(h, ':') != NULL;

	if (str_fmt(out, cap, "%s://%s%s%s:%u", tls ? "pop3s" : "pop3",
		v6 ? "[" : "", h, v6 ? "]" : "",
		tls ? r->o->tls_port : r->o->plain_port) < 0)
		out[0] = '\0';
}

void
au_counts(const struct au_run *r, int st[5], int sev[6])
{
	int i;

	memset(st, 0, 5 * sizeof(int));
	memset(sev, 0, 6 * sizeof(int));
	for (i = 0; i < AU_NCHECKS; i++) {
		if ((unsigned)r->res[i].status < 5)
			st[r->res[i].status]++;
		if (r->res[i].status == AU_ST_FAIL)
			sev[r->res[i].sev]++;
	}
}
