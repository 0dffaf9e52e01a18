/* report-junit.c: JUnit XML (GitLab, Jenkins, Azure DevOps): one testcase
 * per check; <failure> for a finding at or above --fail-on, <skipped> for
 * SKIPPED and INCONCLUSIVE (with the reason); lower findings pass with the
 * finding in <system-out>. */
#include <string.h>

#include "audit/report.h"

static void
testcase(FILE *f, const struct au_run *r, enum au_id i, enum au_sev fail_on)
{
	const struct au_check *c = au_check_get(i);
	const struct au_result *res = &r->res[i];
	char name[300], cls[64];
	const char *group = strchr(c->id + 3, '-');

	(void)snprintf(cls, sizeof(cls), "postie.audit.%.*s",
	    group != NULL ? (int)(group - c->id - 3) : 3, c->id + 3);
	(void)snprintf(name, sizeof(name), "%s %s", c->id, c->title);
	fputs("    <testcase classname=\"", f);
	au_xstr(f, cls);
	fputs("\" name=\"", f);
	au_xstr(f, name);
	fprintf(f, "\" time=\"%.3f\">\n", (double)res->ms / 1000.0);
	if (res->status == AU_ST_FAIL && res->sev >= fail_on &&
	    fail_on != AU_SEV_NONE) {
		fprintf(f, "      <failure type=\"%s\" message=\"",
		    au_sev_name(res->sev));
		au_xstr(f, res->summary);
		fputs("\">", f);
		au_xstr(f, c->fix[AU_FAM_GENERIC]);
		fputs("\n", f);
		au_xstr(f, (const char *)(res->evidence.data != NULL ?
		    (const char *)res->evidence.data : ""));
		fputs("</failure>\n", f);
	} else if (res->status == AU_ST_SKIPPED ||
	    res->status == AU_ST_INCONCLUSIVE) {
		fprintf(f, "      <skipped message=\"%s: ",
		    au_status_name(res->status));
		au_xstr(f, res->summary);
		fputs("\"/>\n", f);
	}
	if (res->status == AU_ST_FAIL || res->status == AU_ST_PASS) {
		fprintf(f, "      <system-out>%s%s%s: ",
		    au_status_name(res->status),
		    res->status == AU_ST_FAIL ? " " : "",
		    res->status == AU_ST_FAIL ? au_sev_name(res->sev) : "");
		au_xstr(f, res->summary);
		fputs("</system-out>\n", f);
	}
	fputs("    </testcase>\n", f);
}

int
au_report_junit(FILE *f, const struct au_run *r, enum au_sev fail_on)
{
	char t[32];
	int i, failures = 0, skipped = 0;

	for (i = 0; i < AU_NCHECKS; i++) {
		const struct au_result *res = &r->res[i];

		if (res->status == AU_ST_FAIL && res->sev >= fail_on &&
		    fail_on != AU_SEV_NONE)
			failures++;
		else if (res->status == AU_ST_SKIPPED ||
		    res->status == AU_ST_INCONCLUSIVE)
			skipped++;
	}
	au_iso_time(r->started, t, sizeof(t));
	fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", f);
	fprintf(f, "<testsuites name=\"%s\" tests=\"%d\" failures=\"%d\" "
	    "skipped=\"%d\" errors=\"0\" time=\"%.3f\">\n", AU_TOOL_NAME,
	    AU_NCHECKS, failures, skipped, (double)r->total_ms / 1000.0);
	fputs("  <testsuite name=\"", f);
	au_xstr(f, r->o->host);
	fprintf(f, "\" tests=\"%d\" failures=\"%d\" skipped=\"%d\" "
	    "errors=\"0\" time=\"%.3f\" timestamp=\"%s\">\n", AU_NCHECKS,
	    failures, skipped, (double)r->total_ms / 1000.0, t);
	fputs("    <properties>\n", f);
	fprintf(f, "      <property name=\"fail-on\" value=\"%s\"/>\n",
	    au_sev_name(fail_on));
	if (r->o->authorized_by != NULL) {
		fputs("      <property name=\"authorized-by\" value=\"", f);
		au_xstr(f, r->o->authorized_by);
		fputs("\"/>\n", f);
	}
	fputs("    </properties>\n", f);
	for (i = 0; i < AU_NCHECKS; i++)
		testcase(f, r, (enum au_id)i, fail_on);
	fputs("  </testsuite>\n</testsuites>\n", f);
	return ferror(f) ? -1 : 0;
}
