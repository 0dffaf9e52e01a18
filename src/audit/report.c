/* report.c: helpers shared by the report writers (escaping, endpoint
 * URLs, counts) and the JSON report: one object per check in "checks". */
#include <string.h>
#include <time.h>

#include "audit/probe.h"
#include "audit/report.h"
#include "lib/util.h"

/* Length of the valid UTF-8 sequence (2 to 4 bytes) starting at p, or 0
 * (ASCII, or a byte that does not start a valid sequence). */
static size_t
utf8_len(const char *p, size_t n)
{
	const unsigned char *u = (const unsigned char *)p;
	size_t len, k;
	unsigned cp;

	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		len = 2, cp = u[0] & 0x1f;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		len = 3, cp = u[0] & 0x0f;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		len = 4, cp = u[0] & 0x07;
	else
		return 0;
	if (len > n)
		return 0;
	for (k = 1; k < len; k++) {
		if ((u[k] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (u[k] & 0x3f);
	}
	/* No overlong forms, no surrogates, nothing past U+10FFFF. */
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void
au_jstrn(FILE *f, const char *p, size_t n)
{
	size_t i;

	fputc('"', f);
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];
		size_t u = utf8_len(p + i, n - i);

		if (u > 1) { /* a whole, valid UTF-8 sequence: as it is */
			fwrite(p + i, 1, u, f);
			i += u - 1;
		} else if (ch == '"' || ch == '\\')
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
		size_t n;

		while (*p == ' ')
			p++;
		n = strcspn(p, sep);
		while (n > 0 && p[n - 1] == ' ')
			n--;
		if (n > 0) {
			if (!first)
				fputs(", ", f);
			au_jstrn(f, p, n);
			first = false;
		}
		p += strcspn(p, sep);
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

static void
evidence(FILE *f, const struct buf *b)
{
	const char *p = (const char *)b->data;
	size_t n = b->len;
	bool first = true;

	fputc('[', f);
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl != NULL ? (size_t)(nl - p) : n;

		fputs(first ? "\n        " : ",\n        ", f);
		au_jstrn(f, p, k);
		first = false;
		if (nl == NULL)
			break;
		n -= k + 1;
		p = nl + 1;
	}
	fputs(first ? "]" : "\n      ]", f);
}

static void
check(
    FILE *f, const struct au_run *r, enum au_id i, const struct au_baseline *b)
{
	const struct au_check *c = au_check_get(i);
	const struct au_result *res = &r->res[i];
	bool fail = res->status == AU_ST_FAIL;
	int k;

	fputs("    {\n      \"id\": ", f);
	au_jstr(f, c->id);
	fputs(",\n      \"title\": ", f);
	au_jstr(f, c->title);
	fprintf(f,
	    ",\n      \"mode\": \"%s\",\n      \"status\": \"%s\","
	    "\n      \"severity\": \"%s\",\n      \"rule_severity\": \"%s\"",
	    au_mode_name(c->mode), au_status_name(res->status),
	    au_sev_name(fail ? res->sev : AU_SEV_NONE),
	    au_sev_name(fail ? res->raw_sev : AU_SEV_NONE));
	fputs(",\n      \"finding\": ", f);
	au_jstr(f, fail ? res->summary : NULL);
	fputs(",\n      \"reason\": ", f);
	au_jstr(
	    f, res->status == AU_ST_INCONCLUSIVE || res->status == AU_ST_SKIPPED
		   ? res->summary
		   : NULL);
	fputs(",\n      \"summary\": ", f);
	au_jstr(f, res->summary);
	fprintf(
	    f, ",\n      \"duration_ms\": %llu", (unsigned long long)res->ms);
	fputs(",\n      \"evidence\": ", f);
	evidence(f, &res->evidence);
	fputs(",\n      \"cwe\": ", f);
	au_jlist(f, c->cwe, " ");
	fputs(",\n      \"cve\": ", f);
	au_jlist(f, c->cve, " ");
	fputs(",\n      \"refs\": ", f);
	au_jlist(f, c->refs, ";");
	fputs(",\n      \"severity_rule\": ", f);
	au_jstr(f, c->rule);
	fputs(",\n      \"probe\": ", f);
	au_jstr(f, c->probe);
	fputs(",\n      \"remediation\": {", f);
	for (k = 0; k < AU_NFAMILIES; k++) {
		fprintf(f, "%s\n        \"%s\": ", k ? "," : "",
		    au_family_name((enum au_family)k));
		au_jstr(f, c->fix[k]);
	}
	fputs("\n      }", f);
	if (b != NULL && b->loaded) {
		fputs(",\n      \"baseline\": ", f);
		au_jstr(f, au_baseline_diff(b, r, i));
	}
	fputs("\n    }", f);
}

int
au_report_json(FILE *f, const struct au_run *r, const struct au_baseline *b)
{
	char t[32], u[300];
	int st[5], sev[6], i;

	au_iso_time(r->started, t, sizeof(t));
	au_counts(r, st, sev);
	fprintf(f, "{\n  \"tool\": {\"name\": \"%s\", \"version\": \"%s\"},\n",
	    AU_TOOL_NAME, AU_TOOL_VERSION);
	fputs("  \"target\": {\"host\": ", f);
	au_jstr(f, r->o->host);
	fputs(", \"address\": ", f);
	au_jstr(f, r->addr);
	au_target_url(r, false, u, sizeof(u));
	fputs(", \"cleartext\": ", f);
	au_jstr(f, u);
	au_target_url(r, true, u, sizeof(u));
	fputs(", \"implicit_tls\": ", f);
	au_jstr(f, u);
	fprintf(f,
	    "},\n  \"started\": \"%s\",\n  \"duration_ms\": %llu,\n"
	    "  \"safe_duration_ms\": %llu,\n",
	    t, (unsigned long long)r->total_ms, (unsigned long long)r->safe_ms);
	fputs("  \"authorized_by\": ", f);
	au_jstr(f, r->o->authorized_by);
	fprintf(f,
	    ",\n  \"intrusive\": %s,\n  \"lab_adjusted\": %s,\n"
	    "  \"unreachable\": %s,\n  \"aborted\": %s,\n  \"abort_reason\": ",
	    r->o->intrusive ? "true" : "false", r->lab ? "true" : "false",
	    r->unreachable ? "true" : "false", r->aborted ? "true" : "false");
	au_jstr(f, r->aborted ? r->abort_reason : NULL);
	fputs(",\n  \"warnings\": [", f);
	for (i = 0; i < r->nwarn; i++) {
		fputs(i ? ", " : "", f);
		au_jstr(f, r->warn[i]);
	}
	fprintf(f,
	    "],\n  \"budget\": {\"connections\": %u, \"login_attempts\": "
	    "%u, \"max_connections\": %d, \"max_login_attempts\": %d, "
	    "\"max_connections_per_second\": %d},\n",
	    r->conns_used, r->logins_used, AU_MAX_CONNS, AU_MAX_LOGINS,
	    AU_MAX_CONN_RATE);
	fprintf(f,
	    "  \"summary\": {\"pass\": %d, \"fail\": %d, "
	    "\"inconclusive\": %d, \"skipped\": %d, \"critical\": %d, "
	    "\"high\": %d, \"medium\": %d, \"low\": %d, \"info\": %d},\n",
	    st[AU_ST_PASS], st[AU_ST_FAIL], st[AU_ST_INCONCLUSIVE],
	    st[AU_ST_SKIPPED], sev[AU_SEV_CRITICAL], sev[AU_SEV_HIGH],
	    sev[AU_SEV_MEDIUM], sev[AU_SEV_LOW], sev[AU_SEV_INFO]);
	fputs("  \"checks\": [\n", f);
	for (i = 0; i < AU_NCHECKS; i++) {
		check(f, r, (enum au_id)i, b);
		fputs(i + 1 < AU_NCHECKS ? ",\n" : "\n", f);
	}
	fputs("  ]\n}\n", f);
	return ferror(f) ? -1 : 0;
}
