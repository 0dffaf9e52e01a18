/* test-audit-report.c: report writers, the baseline reader and the exit
 * code of postie audit, on a synthetic run (no network). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "harness.h"

static struct au_opts opts;

/* A run where every check passes except the given failures. */
static void
fake_run(struct au_run *r)
{
	char err[200];
	int i;

	au_opts_init(&opts);
	if (au_opts_target(&opts, "pop3://127.0.0.1:1110", err, sizeof(err)) !=
		0 ||
	    au_opts_target(&opts, "pop3s://127.0.0.1:1995", err, sizeof(err)) !=
		0)
		return;
	memset(r, 0, sizeof(*r));
	r->o = &opts;
	r->started = 1800000000;
	(void)snprintf(r->addr, sizeof(r->addr), "127.0.0.1");
	for (i = 0; i < AU_NCHECKS; i++) {
		buf_init(&r->res[i].evidence, AU_EVIDENCE_MAX);
		r->res[i].status = AU_ST_PASS;
		(void)snprintf(
		    r->res[i].summary, sizeof(r->res[i].summary), "fine");
	}
}

static void
fail(struct au_run *r, enum au_id i, enum au_sev sev, const char *why)
{
	r->res[i].status = AU_ST_FAIL;
	r->res[i].sev = r->res[i].raw_sev = sev;
	(void)snprintf(r->res[i].summary, sizeof(r->res[i].summary), "%s", why);
}

static void
free_run(struct au_run *r)
{
	int i;

	for (i = 0; i < AU_NCHECKS; i++)
		buf_free(&r->res[i].evidence);
}

/* Write the JSON report to a file; returns its path (static). */
static const char *
json_file(const struct au_run *r, const struct au_baseline *b)
{
	static char path[600];
	FILE *f;

	(void)snprintf(path, sizeof(path), "%s/report.json", t_tmpdir());
	f = fopen(path, "w");
	if (f == NULL)
		return NULL;
	CHECK(au_report_json(f, r, b) == 0);
	fclose(f);
	return path;
}

TEST(audit_json_roundtrip)
{
	struct au_run r;
	struct au_baseline b;
	char err[300];
	const char *p;

	fake_run(&r);
	fail(&r, AU_TLS03, AU_SEV_HIGH, "cleartext \"USER\" accepted\n\x01");
	r.res[AU_TLS07].status = AU_ST_SKIPPED;
	r.res[AU_AUTH04].status = AU_ST_INCONCLUSIVE;
	if (buf_puts(&r.res[AU_TLS03].evidence, "C: PASS <redacted>\n") != 0)
		CHECK(0);
	p = json_file(&r, NULL);
	CHECK(p != NULL);
	if (p == NULL)
		return;
	CHECK(au_baseline_load(p, &b, err, sizeof(err)) == 0);
	CHECK(b.loaded);
	CHECK(
	    b.status[AU_TLS03] == AU_ST_FAIL && b.sev[AU_TLS03] == AU_SEV_HIGH);
	CHECK(b.status[AU_TLS07] == AU_ST_SKIPPED);
	CHECK(b.status[AU_AUTH04] == AU_ST_INCONCLUSIVE);
	CHECK(b.status[AU_DOS05] == AU_ST_PASS);
	free_run(&r);
}

TEST(audit_baseline_rejects)
{
	static const char *const bad[] = {"", "{", "[]", "{\"checks\": 1}",
	    "{\"checks\": [ {\"id\": \"P3-TLS-01\" ] }",
	    "{\"checks\": []} trailing", "{\"a\": tru}",
	    "{\"checks\": [{\"id\": \"P3\\"};
	struct au_baseline b;
	char path[600], err[300], deep[200];
	size_t i;
	FILE *f;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		(void)snprintf(path, sizeof(path), "%s/b.json", t_tmpdir());
		f = fopen(path, "w");
		if (f == NULL)
			continue;
		fputs(bad[i], f);
		fclose(f);
		CHECK(au_baseline_load(path, &b, err, sizeof(err)) == -1);
		CHECK(!b.loaded);
	}
	memset(deep, '[', sizeof(deep) - 1);
	deep[sizeof(deep) - 1] = '\0';
	(void)snprintf(path, sizeof(path), "%s/deep.json", t_tmpdir());
	f = fopen(path, "w");
	if (f != NULL) {
		fprintf(f, "{\"x\": %s", deep);
		fclose(f);
		CHECK(au_baseline_load(path, &b, err, sizeof(err)) == -1);
	}
	CHECK(au_baseline_load("/nonexistent/x.json", &b, err, sizeof(err)) ==
	      -1);
}

TEST(audit_exit_codes)
{
	struct au_run r;
	struct au_baseline b;

	fake_run(&r);
	CHECK(au_exit_code(&r, AU_SEV_HIGH, NULL) == AU_EXIT_OK);
	fail(&r, AU_AUTH02, AU_SEV_LOW, "cram");
	CHECK(au_exit_code(&r, AU_SEV_HIGH, NULL) == AU_EXIT_OK);
	CHECK(au_exit_code(&r, AU_SEV_LOW, NULL) == AU_EXIT_FINDINGS);
	CHECK(au_exit_code(&r, AU_SEV_NONE, NULL) == AU_EXIT_OK);
	fail(&r, AU_TLS04, AU_SEV_HIGH, "injection");
	CHECK(au_exit_code(&r, AU_SEV_HIGH, NULL) == AU_EXIT_FINDINGS);
	CHECK(au_exit_code(&r, AU_SEV_CRITICAL, NULL) == AU_EXIT_OK);
	r.aborted = true;
	CHECK(au_exit_code(&r, AU_SEV_CRITICAL, NULL) == AU_EXIT_INCOMPLETE);
	CHECK(au_exit_code(&r, AU_SEV_HIGH, NULL) == AU_EXIT_FINDINGS);
	r.aborted = false;
	/* baseline: TLS-04 known, AUTH-02 known; only new ones gate */
	memset(&b, 0, sizeof(b));
	b.loaded = true;
	b.status[AU_TLS04] = AU_ST_FAIL;
	b.sev[AU_TLS04] = AU_SEV_HIGH;
	CHECK(au_exit_code(&r, AU_SEV_HIGH, &b) == AU_EXIT_OK);
	CHECK(au_exit_code(&r, AU_SEV_LOW, &b) == AU_EXIT_FINDINGS);
	CHECK_STR(au_baseline_diff(&b, &r, AU_TLS04), "unchanged");
	CHECK_STR(au_baseline_diff(&b, &r, AU_AUTH02), "new");
	CHECK(au_baseline_diff(&b, &r, AU_TLS01) == NULL);
	b.status[AU_TLS01] = AU_ST_FAIL;
	CHECK_STR(au_baseline_diff(&b, &r, AU_TLS01), "fixed");
	free_run(&r);
}

static char *
render(const struct au_run *r, int which)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);

	if (f == NULL)
		return NULL;
	if (which == 0)
		CHECK(au_report_sarif(f, r) == 0);
	else if (which == 1)
		CHECK(au_report_junit(f, r, AU_SEV_MEDIUM) == 0);
	else
		CHECK(au_report_text(f, r, NULL, false, false) == 0);
	fclose(f);
	return out;
}

static int
count(const char *s, const char *needle)
{
	int n = 0;

	while ((s = strstr(s, needle)) != NULL) {
		n++;
		s++;
	}
	return n;
}

TEST(audit_sarif_junit_text)
{
	struct au_run r;
	char *s;

	fake_run(&r);
	fail(&r, AU_TLS04, AU_SEV_HIGH, "injection <b>&</b>");
	fail(&r, AU_AUTH02, AU_SEV_LOW, "cram");
	r.res[AU_TLS07].status = AU_ST_SKIPPED;
	s = render(&r, 0);
	CHECK(s != NULL && strstr(s, "\"version\": \"2.1.0\"") != NULL);
	CHECK(s != NULL && count(s, "\"ruleId\": ") == AU_NCHECKS);
	CHECK(s != NULL && count(s, "\"security-severity\"") == 2 * AU_NCHECKS);
	CHECK(s != NULL && count(s, "\"kind\": \"fail\"") == 2);
	CHECK(s != NULL && count(s, "\"kind\": \"notApplicable\"") == 1);
	CHECK(s != NULL && strstr(s, "pop3://127.0.0.1:1110") != NULL);
	free(s);
	s = render(&r, 1);
	CHECK(s != NULL && count(s, "<testcase ") == AU_NCHECKS);
	CHECK(s != NULL && count(s, "<failure ") == 1); /* low < medium */
	CHECK(s != NULL && count(s, "<skipped ") == 1);
	CHECK(s != NULL && strstr(s, "&lt;b&gt;&amp;&lt;/b&gt;") != NULL);
	free(s);
	s = render(&r, 2);
	CHECK(s != NULL && strstr(s, "P3-TLS-04    FAIL high") != NULL);
	CHECK(s != NULL && count(s, "\nP3-") == AU_NCHECKS);
	free(s);
	free_run(&r);
}
