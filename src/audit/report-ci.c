/* report-ci.c: the CI formats. SARIF 2.1.0 (GitHub code scanning): one
 * rule per check with properties.security-severity, one result per check
 * whose kind is fail, pass, review (INCONCLUSIVE) or notApplicable
 * (SKIPPED), located at the scanned endpoint as a pseudo-artifact URI.
 * JUnit XML (GitLab, Jenkins, Azure DevOps): one testcase per check,
 * <failure> for a finding at or above --fail-on, <skipped> for SKIPPED and
 * INCONCLUSIVE (with the reason); lower findings pass with the finding in
 * <system-out>. */
#include <string.h>
#include <openssl/evp.h>

#include "audit/report.h"

static const char *
level(const struct au_result *res)
{
	if (res->status != AU_ST_FAIL)
		return "none";
	if (res->sev >= AU_SEV_HIGH)
		return "error";
	if (res->sev == AU_SEV_MEDIUM)
		return "warning";
	return "note";
}

static const char *
kind(const struct au_result *res)
{
	switch (res->status) {
	case AU_ST_FAIL:
		return "fail";
	case AU_ST_PASS:
		return "pass";
	case AU_ST_INCONCLUSIVE:
		return "review";
	case AU_ST_SKIPPED:
	case AU_ST_NOTRUN:
		break;
	}
	return "notApplicable";
}

static void
rule(FILE *f, const struct au_check *c)
{
	char help[4096];
	int k;
	size_t used;

	fputs("          {\n            \"id\": ", f);
	au_jstr(f, c->id);
	fputs(",\n            \"name\": ", f);
	au_jstr(f, c->id);
	fputs(",\n            \"shortDescription\": {\"text\": ", f);
	au_jstr(f, c->title);
	fputs("},\n            \"fullDescription\": {\"text\": ", f);
	au_jstr(f, c->probe);
	used = (size_t)snprintf(help, sizeof(help), "%s\n", c->rule);
	for (k = 0; k < AU_NFAMILIES && used < sizeof(help); k++)
		used += (size_t)snprintf(help + used, sizeof(help) - used,
		    "%s: %s\n", au_family_name((enum au_family)k), c->fix[k]);
	fputs("},\n            \"help\": {\"text\": ", f);
	au_jstr(f, help);
	fprintf(f,
	    "},\n            \"defaultConfiguration\": {\"level\": "
	    "\"%s\"},\n",
	    c->max_sev >= AU_SEV_HIGH     ? "error"
	    : c->max_sev == AU_SEV_MEDIUM ? "warning"
					  : "note");
	fprintf(f,
	    "            \"properties\": {\"security-severity\": \"%s\", "
	    "\"precision\": \"high\", \"tags\": [\"security\", \"pop3\"",
	    au_sev_score(c->max_sev));
	if (c->cwe[0] != '\0') {
		fputs(", ", f);
		/* the list without brackets */
		for (const char *p = c->cwe; *p != '\0';) {
			size_t n = strcspn(p, " ");

			au_jstrn(f, p, n);
			p += n;
			while (*p == ' ')
				p++;
			if (*p != '\0')
				fputs(", ", f);
		}
	}
	fprintf(f, "], \"mode\": \"%s\"}\n          }", au_mode_name(c->mode));
}

static void
fingerprint(const struct au_run *r, const char *id, char *out)
{
	unsigned char md[32];
	unsigned int mdlen = 0;
	char in[600];
	int n;
	unsigned i;

	n = snprintf(in, sizeof(in), "%s|%s|%u|%u", id, r->o->host,
	    r->o->plain_port, r->o->tls_port);
	if (n < 0 || !EVP_Digest(in, (size_t)n, md, &mdlen, EVP_sha256(), NULL))
		mdlen = 0;
	for (i = 0; i < 16 && i < mdlen; i++) {
		out[2 * i] = "0123456789abcdef"[md[i] >> 4];
		out[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
	}
	out[2 * i] = '\0';
}

static void
result(FILE *f, const struct au_run *r, enum au_id i, const char *uri)
{
	const struct au_check *c = au_check_get(i);
	const struct au_result *res = &r->res[i];
	char fp[40], msg[AU_TEXT_MAX + 64];

	fingerprint(r, c->id, fp);
	(void)snprintf(msg, sizeof(msg), "%s: %s", au_status_name(res->status),
	    res->summary[0] ? res->summary : c->title);
	fprintf(f,
	    "        {\n          \"ruleId\": \"%s\",\n          "
	    "\"ruleIndex\": %d,\n          \"kind\": \"%s\",\n          "
	    "\"level\": \"%s\",\n          \"message\": {\"text\": ",
	    c->id, (int)i, kind(res), level(res));
	au_jstr(f, msg);
	fputs("},\n          \"locations\": [{\"physicalLocation\": "
	      "{\"artifactLocation\": {\"uri\": ",
	    f);
	au_jstr(f, uri);
	fprintf(f,
	    "}}}],\n          \"partialFingerprints\": "
	    "{\"postieAuditCheck/v1\": \"%s\"},\n",
	    fp);
	fprintf(f,
	    "          \"properties\": {\"status\": \"%s\", "
	    "\"severity\": \"%s\", \"security-severity\": \"%s\", "
	    "\"evidence\": ",
	    au_status_name(res->status),
	    au_sev_name(res->status == AU_ST_FAIL ? res->sev : AU_SEV_NONE),
	    au_sev_score(res->status == AU_ST_FAIL ? res->sev : AU_SEV_NONE));
	au_jstrn(f, (const char *)res->evidence.data, res->evidence.len);
	fputs("}\n        }", f);
}

int
au_report_sarif(FILE *f, const struct au_run *r)
{
	char uri[300], t[32];
	int i;

	au_target_url(
	    r, !r->o->plain_given && r->o->tls_given, uri, sizeof(uri));
	au_iso_time(r->started, t, sizeof(t));
	fputs("{\n  \"$schema\": \"https://json.schemastore.org/"
	      "sarif-2.1.0.json\",\n  \"version\": \"2.1.0\",\n  \"runs\": [\n"
	      "    {\n      \"tool\": {\n        \"driver\": {\n",
	    f);
	fprintf(f,
	    "          \"name\": \"%s\",\n          \"version\": \"%s\","
	    "\n          \"informationUri\": \"https://example.invalid/postie/"
	    "docs/audit-checks.md\",\n          \"rules\": [\n",
	    "postie-audit", AU_TOOL_VERSION);
	fputs("", f);
	for (i = 0; i < AU_NCHECKS; i++) {
		rule(f, au_check_get((enum au_id)i));
		fputs(i + 1 < AU_NCHECKS ? ",\n" : "\n", f);
	}
	fputs("          ]\n        }\n      },\n", f);
	fprintf(f,
	    "      \"invocations\": [{\"executionSuccessful\": %s, "
	    "\"startTimeUtc\": \"%s\"",
	    r->aborted || r->unreachable ? "false" : "true", t);
	if (r->o->authorized_by != NULL) {
		fputs(", \"properties\": {\"authorizedBy\": ", f);
		au_jstr(f, r->o->authorized_by);
		fputc('}', f);
	}
	fputs("}],\n      \"results\": [\n", f);
	for (i = 0; i < AU_NCHECKS; i++) {
		result(f, r, (enum au_id)i, uri);
		fputs(i + 1 < AU_NCHECKS ? ",\n" : "\n", f);
	}
	fputs("      ]\n    }\n  ]\n}\n", f);
	return ferror(f) ? -1 : 0;
}

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
		au_xstr(f, (const char *)(res->evidence.data != NULL
					      ? (const char *)res->evidence.data
					      : ""));
		fputs("</failure>\n", f);
	} else if (res->status == AU_ST_SKIPPED ||
		   res->status == AU_ST_INCONCLUSIVE) {
		fprintf(f, "      <skipped message=\"%s: ",
		    au_status_name(res->status));
		au_xstr(f, res->summary);
		fputs("\"/>\n", f);
	}
	if (res->status == AU_ST_FAIL || res->status == AU_ST_PASS) {
		fprintf(f,
		    "      <system-out>%s%s%s: ", au_status_name(res->status),
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
	fprintf(f,
	    "<testsuites name=\"%s\" tests=\"%d\" failures=\"%d\" "
	    "skipped=\"%d\" errors=\"0\" time=\"%.3f\">\n",
	    AU_TOOL_NAME, AU_NCHECKS, failures, skipped,
	    (double)r->total_ms / 1000.0);
	fputs("  <testsuite name=\"", f);
	au_xstr(f, r->o->host);
	fprintf(f,
	    "\" tests=\"%d\" failures=\"%d\" skipped=\"%d\" "
	    "errors=\"0\" time=\"%.3f\" timestamp=\"%s\">\n",
	    AU_NCHECKS, failures, skipped, (double)r->total_ms / 1000.0, t);
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
