/* report-json.c: the JSON report: one object per check in "checks". */
#include <string.h>

#include "audit/report.h"

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
check(FILE *f, const struct au_run *r, enum au_id i,
    const struct au_baseline *b)
{
	const struct au_check *c = au_check_get(i);
	const struct au_result *res = &r->res[i];
	bool fail = res->status == AU_ST_FAIL;
	int k;

	fputs("    {\n      \"id\": ", f);
	au_jstr(f, c->id);
	fputs(",\n      \"title\": ", f);
	au_jstr(f, c->title);
	fprintf(f, ",\n      \"mode\": \"%s\",\n      \"status\": \"%s\","
	    "\n      \"severity\": \"%s\",\n      \"rule_severity\": \"%s\"",
	    au_mode_name(c->mode), au_status_name(res->status),
	    au_sev_name(fail ? res->sev : AU_SEV_NONE),
	    au_sev_name(fail ? res->raw_sev : AU_SEV_NONE));
	fputs(",\n      \"finding\": ", f);
	au_jstr(f, fail ? res->summary : NULL);
	fputs(",\n      \"reason\": ", f);
	au_jstr(f, res->status == AU_ST_INCONCLUSIVE ||
	    res->status == AU_ST_SKIPPED ? res->summary : NULL);
	fputs(",\n      \"summary\": ", f);
	au_jstr(f, res->summary);
	fprintf(f, ",\n      \"duration_ms\": %llu", (unsigned long long)res->ms);
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
	fprintf(f, "},\n  \"started\": \"%s\",\n  \"duration_ms\": %llu,\n"
	    "  \"safe_duration_ms\": %llu,\n", t,
	    (unsigned long long)r->total_ms, (unsigned long long)r->safe_ms);
	fputs("  \"authorized_by\": ", f);
	au_jstr(f, r->o->authorized_by);
	fprintf(f, ",\n  \"intrusive\": %s,\n  \"lab_adjusted\": %s,\n"
	    "  \"unreachable\": %s,\n  \"aborted\": %s,\n  \"abort_reason\": ",
	    r->o->intrusive ? "true" : "false", r->lab ? "true" : "false",
	    r->unreachable ? "true" : "false", r->aborted ? "true" : "false");
	au_jstr(f, r->aborted ? r->abort_reason : NULL);
	fputs(",\n  \"warnings\": [", f);
	for (i = 0; i < r->nwarn; i++) {
		fputs(i ? ", " : "", f);
		au_jstr(f, r->warn[i]);
	}
	fprintf(f, "],\n  \"budget\": {\"connections\": %u, \"login_attempts\": "
	    "%u, \"max_connections\": %d, \"max_login_attempts\": %d, "
	    "\"max_connections_per_second\": %d},\n", r->conns_used,
	    r->logins_used, AU_MAX_CONNS, AU_MAX_LOGINS, AU_MAX_CONN_RATE);
	fprintf(f, "  \"summary\": {\"pass\": %d, \"fail\": %d, "
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
