/* report-text.c: the human-readable report (colour on a terminal). */
#include <string.h>

#include "audit/report.h"

#define C_RESET "\033[0m"
#define C_RED   "\033[1;31m"
#define C_YEL   "\033[33m"
#define C_GRN   "\033[32m"
#define C_CYN   "\033[36m"
#define C_MAG   "\033[35m"
#define C_DIM   "\033[2m"

static const char *
colour(const struct au_result *res)
{
	switch (res->status) {
	case AU_ST_PASS:
		return C_GRN;
	case AU_ST_FAIL:
		return res->sev >= AU_SEV_HIGH     ? C_RED
		       : res->sev == AU_SEV_MEDIUM ? C_YEL
						   : C_CYN;
	case AU_ST_INCONCLUSIVE:
		return C_MAG;
	case AU_ST_SKIPPED:
	case AU_ST_NOTRUN:
		break;
	}
	return C_DIM;
}

/* Print text indented, one output line per '\n'. */
static void
indent(FILE *f, const char *pfx, const char *p, size_t n)
{
	while (n > 0) {
		const char *nl = memchr(p, '\n', n);
		size_t k = nl != NULL ? (size_t)(nl - p) : n;

		fprintf(f, "%s%.*s\n", pfx, (int)k, p);
		if (nl == NULL)
			break;
		n -= k + 1;
		p = nl + 1;
	}
}

void
au_report_text_one(FILE *f, const struct au_run *r, enum au_id i,
    const struct au_baseline *b, bool color, bool verbose)
{
	const struct au_check *c = au_check_get(i);
	const struct au_result *res = &r->res[i];
	const char *diff = b != NULL ? au_baseline_diff(b, r, i) : NULL;
	char st[32];
	enum au_family fam = au_family_guess(r);

	if (res->status == AU_ST_FAIL)
		(void)snprintf(
		    st, sizeof(st), "FAIL %s", au_sev_name(res->sev));
	else
		(void)snprintf(
		    st, sizeof(st), "%s", au_status_name(res->status));
	fprintf(f, "%-12s %s%-14s%s %s%s%s%s\n", c->id,
	    color ? colour(res) : "", st, color ? C_RESET : "", c->title,
	    diff != NULL ? " [" : "", diff != NULL ? diff : "",
	    diff != NULL ? "]" : "");
	if (res->summary[0] != '\0')
		fprintf(f, "             %s\n", res->summary);
	if (res->status == AU_ST_FAIL && res->raw_sev != res->sev)
		fprintf(f,
		    "             (rule severity %s, lowered for a lab "
		    "target)\n",
		    au_sev_name(res->raw_sev));
	if (res->status == AU_ST_FAIL) {
		fprintf(f, "             fix (%s): %s\n", au_family_name(fam),
		    c->fix[fam]);
		if (fam != AU_FAM_GENERIC)
			fprintf(f, "             fix (generic): %s\n",
			    c->fix[AU_FAM_GENERIC]);
	}
	if ((verbose || res->status == AU_ST_FAIL ||
		res->status == AU_ST_INCONCLUSIVE) &&
	    res->evidence.len > 0) {
		fprintf(f, "             evidence:\n");
		indent(f, "               ", (const char *)res->evidence.data,
		    res->evidence.len);
	}
}

int
au_report_text_summary(FILE *f, const struct au_run *r, bool color)
{
	int st[5], sev[6];

	au_counts(r, st, sev);
	fprintf(f,
	    "\nsummary: %d checks: %s%d pass%s, %s%d fail%s "
	    "(%d critical, %d high, %d medium, %d low, %d info), "
	    "%d inconclusive, %d skipped\n",
	    AU_NCHECKS, color ? C_GRN : "", st[AU_ST_PASS],
	    color ? C_RESET : "", color && st[AU_ST_FAIL] ? C_RED : "",
	    st[AU_ST_FAIL], color && st[AU_ST_FAIL] ? C_RESET : "",
	    sev[AU_SEV_CRITICAL], sev[AU_SEV_HIGH], sev[AU_SEV_MEDIUM],
	    sev[AU_SEV_LOW], sev[AU_SEV_INFO], st[AU_ST_INCONCLUSIVE],
	    st[AU_ST_SKIPPED]);
	fprintf(f,
	    "time: %.1f s without the idle-timeout check, %.1f s in "
	    "total; %u connections, %u login attempts\n",
	    (double)r->safe_ms / 1000.0, (double)r->total_ms / 1000.0,
	    r->conns_used, r->logins_used);
	if (r->aborted)
		fprintf(f, "%sINCOMPLETE%s: %s\n", color ? C_RED : "",
		    color ? C_RESET : "", r->abort_reason);
	return ferror(f) ? -1 : 0;
}

static void
baseline_summary(FILE *f, const struct au_run *r, const struct au_baseline *b)
{
	int i, n[3] = {0, 0, 0};

	for (i = 0; i < AU_NCHECKS; i++) {
		const char *d = au_baseline_diff(b, r, (enum au_id)i);

		if (d == NULL)
			continue;
		n[strcmp(d, "new") == 0       ? 0
		    : strcmp(d, "fixed") == 0 ? 1
					      : 2]++;
	}
	fprintf(f, "baseline: %d new, %d fixed, %d unchanged findings\n", n[0],
	    n[1], n[2]);
}

int
au_report_text(FILE *f, const struct au_run *r, const struct au_baseline *b,
    bool color, bool verbose)
{
	char t[32], u1[300], u2[300];
	int i;

	au_iso_time(r->started, t, sizeof(t));
	au_target_url(r, false, u1, sizeof(u1));
	au_target_url(r, true, u2, sizeof(u2));
	fprintf(f, "%s %s: %s %s (%s), started %s\n", AU_TOOL_NAME,
	    AU_TOOL_VERSION, u1, u2, r->addr[0] ? r->addr : "unresolved", t);
	if (r->o->authorized_by != NULL)
		fprintf(f, "authorized by: %s\n", r->o->authorized_by);
	for (i = 0; i < r->nwarn; i++)
		fprintf(f, "%swarning%s: %s\n", color ? C_YEL : "",
		    color ? C_RESET : "", r->warn[i]);
	fputc('\n', f);
	for (i = 0; i < AU_NCHECKS; i++) {
		if (au_run_pending(r, (enum au_id)i))
			continue;
		au_report_text_one(f, r, (enum au_id)i,
		    b != NULL && b->loaded ? b : NULL, color, verbose);
	}
	if (b != NULL && b->loaded)
		baseline_summary(f, r, b);
	return ferror(f) ? -1 : 0;
}
