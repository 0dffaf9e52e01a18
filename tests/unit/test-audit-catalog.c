/* test-audit-catalog.c: the audit check catalogue, options and policy. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/audit.h"
#include "harness.h"

TEST(audit_catalog_complete)
{
	static const char *const ids[] = {"P3-TLS-01", "P3-TLS-02", "P3-TLS-03",
	    "P3-TLS-04", "P3-TLS-05", "P3-TLS-06", "P3-TLS-07", "P3-TLS-08",
	    "P3-TLS-09", "P3-TLS-10", "P3-TLS-11", "P3-TLS-12", "P3-AUTH-01",
	    "P3-AUTH-02", "P3-AUTH-03", "P3-AUTH-04", "P3-AUTH-05",
	    "P3-AUTH-06", "P3-AUTH-07", "P3-AUTH-08", "P3-AUTH-09",
	    "P3-AUTH-10", "P3-INFO-01", "P3-INFO-02", "P3-INFO-03",
	    "P3-INFO-04", "P3-INFO-05", "P3-INFO-06", "P3-PROTO-01",
	    "P3-PROTO-02", "P3-PROTO-03", "P3-PROTO-04", "P3-PROTO-05",
	    "P3-PROTO-06", "P3-DOS-01", "P3-DOS-02", "P3-DOS-03", "P3-DOS-04",
	    "P3-DOS-05"};
	int i, k;

	CHECK(AU_NCHECKS == 39);
	CHECK(sizeof(ids) / sizeof(ids[0]) == AU_NCHECKS);
	CHECK(au_cat_tls_n + au_cat_auth_n + au_cat_misc_n == AU_NCHECKS);
	for (i = 0; i < AU_NCHECKS; i++) {
		const struct au_check *c = au_check_get((enum au_id)i);

		CHECK(c != NULL);
		if (c == NULL)
			continue;
		CHECK_STR(c->id, ids[i]);
		CHECK(c->idx == (enum au_id)i);
		CHECK(c->title[0] != '\0' && c->probe[0] != '\0');
		CHECK(c->rule[0] != '\0' && c->refs[0] != '\0');
		CHECK(c->max_sev >= AU_SEV_LOW);
		for (k = 0; k < AU_NFAMILIES; k++)
			CHECK(c->fix[k] != NULL && c->fix[k][0] != '\0');
		CHECK(au_check_find(ids[i]) == c);
	}
	CHECK(au_check_find("p3-tls-04") == au_check_get(AU_TLS04));
	CHECK(au_check_find("P3-TLS-13") == NULL);
}

TEST(audit_catalog_modes)
{
	CHECK(au_check_get(AU_TLS03)->mode == AU_SAFE);
	CHECK(au_check_get(AU_TLS07)->mode == AU_CRED);
	CHECK(au_check_get(AU_AUTH06)->mode == AU_INTRUSIVE);
	CHECK(au_check_get(AU_AUTH07)->mode == AU_INTRUSIVE);
	CHECK(au_check_get(AU_AUTH07)->flags & AU_CF_NEEDS_CRED);
	CHECK(au_check_get(AU_AUTH08)->mode == AU_INTRUSIVE);
	CHECK(au_check_get(AU_AUTH10)->mode == AU_CRED);
	CHECK(au_check_get(AU_PROTO05)->mode == AU_CRED);
	CHECK(au_check_get(AU_PROTO06)->mode == AU_CRED);
	CHECK(au_check_get(AU_DOS01)->mode == AU_SAFE);
	CHECK(au_check_get(AU_DOS01)->flags & AU_CF_SLOW);
	CHECK(au_check_get(AU_DOS02)->mode == AU_INTRUSIVE);
	CHECK(au_check_get(AU_DOS05)->flags & AU_CF_NEEDS_CRED);
	CHECK(au_check_get(AU_AUTH08)->max_sev == AU_SEV_CRITICAL);
	CHECK(strstr(au_check_get(AU_TLS04)->cve, "CVE-2011-0411") != NULL);
	CHECK(strstr(au_check_get(AU_TLS03)->cwe, "CWE-319") != NULL);
}

TEST(audit_severity_names)
{
	enum au_sev s;
	int i;

	for (i = AU_SEV_NONE; i <= AU_SEV_CRITICAL; i++) {
		CHECK(au_sev_parse(au_sev_name((enum au_sev)i), &s) == 0);
		CHECK(s == (enum au_sev)i);
	}
	CHECK(au_sev_parse("HIGH", &s) == 0 && s == AU_SEV_HIGH);
	CHECK(au_sev_parse("severe", &s) == -1);
	CHECK_STR(au_sev_score(AU_SEV_HIGH), "8.0");
	CHECK_STR(au_sev_score(AU_SEV_CRITICAL), "9.5");
	CHECK_STR(au_sev_score(AU_SEV_INFO), "0.0");
}

TEST(audit_targets)
{
	struct au_opts o;
	char err[300];

	au_opts_init(&o);
	CHECK(
	    au_opts_target(&o, "pop3://127.0.0.1:1110", err, sizeof(err)) == 0);
	CHECK(o.plain_given && !o.tls_given && o.plain_port == 1110);
	CHECK(o.tls_port == 995);
	CHECK(au_opts_target(&o, "pop3s://127.0.0.1:1995", err, sizeof(err)) ==
	      0);
	CHECK(o.tls_given && o.tls_port == 1995);
	CHECK(au_opts_target(
		  &o, "pop3://other.example:110", err, sizeof(err)) == -1);
	CHECK(strstr(err, "one host") != NULL);
	au_opts_init(&o);
	CHECK(au_opts_target(&o, "mail.example.test", err, sizeof(err)) == 0);
	CHECK(o.plain_port == 110 && o.tls_port == 995);
	CHECK(o.plain_given && o.tls_given);
	au_opts_init(&o);
	CHECK(au_opts_target(&o, "mail.example.test:995", err, sizeof(err)) ==
	      -1);
	CHECK(strstr(err, "never guessed") != NULL);
	au_opts_init(&o);
	CHECK(au_opts_target(&o, "pop3s://[::1]:1995", err, sizeof(err)) == 0);
	CHECK_STR(o.host, "::1");
	CHECK(o.tls_port == 1995);
	au_opts_init(&o);
	CHECK(au_opts_target(&o, "::1", err, sizeof(err)) == 0);
	CHECK_STR(o.host, "::1");
	CHECK(au_opts_target(&o, "pop3://h:0", err, sizeof(err)) == -1);
	CHECK(au_opts_target(&o, "pop3://h:65536", err, sizeof(err)) == -1);
	CHECK(au_opts_target(&o, "pop3://h:+1", err, sizeof(err)) == -1);
	CHECK(au_opts_target(&o, "pop3://", err, sizeof(err)) == -1);
	CHECK(au_opts_target(&o, "pop3://[::1", err, sizeof(err)) == -1);
}

TEST(audit_policy_refusals)
{
	struct au_opts o;
	char err[300];

	au_opts_init(&o);
	CHECK(au_policy_check(&o, err, sizeof(err)) == AU_EXIT_USAGE);
	CHECK(
	    au_opts_target(&o, "pop3://127.0.0.1:1110", err, sizeof(err)) == 0);
	CHECK(au_policy_check(&o, err, sizeof(err)) == 0);
	o.intrusive = true;
	CHECK(au_policy_check(&o, err, sizeof(err)) == AU_EXIT_REFUSED);
	o.authorized_by = "";
	CHECK(au_policy_check(&o, err, sizeof(err)) == AU_EXIT_REFUSED);
	o.authorized_by = "ticket SEC-42";
	CHECK(au_policy_check(&o, err, sizeof(err)) == 0);
	o.intrusive = false;
	o.only_set = true;
	o.only[AU_AUTH08] = true;
	CHECK(au_policy_check(&o, err, sizeof(err)) == AU_EXIT_REFUSED);
	CHECK(strstr(err, "P3-AUTH-08") != NULL);
	o.only[AU_AUTH08] = false;
	o.user = "alice";
	CHECK(au_policy_check(&o, err, sizeof(err)) == AU_EXIT_USAGE);
	o.user = NULL;
	o.lockout_canary = true;
	CHECK(au_policy_check(&o, err, sizeof(err)) == AU_EXIT_REFUSED);
	o.lockout_canary = false;
	o.idle_max_s = AU_IDLE_MAX_S + 1;
	CHECK(au_policy_check(&o, err, sizeof(err)) == AU_EXIT_USAGE);
}

TEST(audit_policy_wants)
{
	struct au_opts o;
	const char *why;
	char pw[] = "x";

	au_opts_init(&o);
	CHECK(au_policy_wants(&o, au_check_get(AU_TLS04), &why));
	CHECK(!au_policy_wants(&o, au_check_get(AU_TLS07), &why));
	CHECK(strstr(why, "CRED") != NULL);
	CHECK(!au_policy_wants(&o, au_check_get(AU_AUTH06), &why));
	CHECK(strstr(why, "--intrusive") != NULL);
	CHECK(!au_policy_wants(&o, au_check_get(AU_AUTH05), &why));
	CHECK(au_policy_wants(&o, au_check_get(AU_DOS01), &why));
	o.fast = true;
	CHECK(!au_policy_wants(&o, au_check_get(AU_DOS01), &why));
	CHECK(strstr(why, "--fast") != NULL);
	o.user = "alice";
	o.password = pw;
	o.intrusive = true;
	CHECK(au_policy_wants(&o, au_check_get(AU_TLS07), &why));
	CHECK(!au_policy_wants(&o, au_check_get(AU_AUTH07), &why));
	CHECK(strstr(why, "--lockout-canary") != NULL);
	o.lockout_canary = true;
	CHECK(au_policy_wants(&o, au_check_get(AU_AUTH07), &why));
	CHECK(au_policy_wants(&o, au_check_get(AU_AUTH08), &why));
	o.only_set = true;
	o.only[AU_TLS03] = true;
	CHECK(au_policy_wants(&o, au_check_get(AU_TLS03), &why));
	CHECK(!au_policy_wants(&o, au_check_get(AU_TLS04), &why));
}

TEST(audit_plan_sends_nothing)
{
	struct au_opts o;
	char err[300], *out = NULL;
	size_t len = 0;
	FILE *f;
	int i;

	au_opts_init(&o);
	CHECK(
	    au_opts_target(&o, "pop3://192.0.2.1:1110", err, sizeof(err)) == 0);
	f = open_memstream(&out, &len);
	CHECK(f != NULL);
	if (f == NULL)
		return;
	au_plan_print(f, &o);
	fclose(f);
	CHECK(strstr(out, "nothing is sent") != NULL);
	CHECK(strstr(out, "50 login attempts, 200 connections, 20 "
			  "connections/s") != NULL);
	for (i = 0; i < AU_NCHECKS; i++)
		CHECK(strstr(out, au_check_get((enum au_id)i)->id) != NULL);
	free(out);
}

TEST(audit_list_formats)
{
	char *out = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&out, &len);
	int i;

	CHECK(f != NULL);
	if (f == NULL)
		return;
	CHECK(au_list(f, "markdown") == 0);
	fclose(f);
	CHECK(strncmp(out, "# postie audit: check catalogue", 31) == 0);
	for (i = 0; i < AU_NCHECKS; i++) {
		char h[40];

		(void)snprintf(
		    h, sizeof(h), "\n## %s\n", au_check_get((enum au_id)i)->id);
		CHECK(strstr(out, h) != NULL);
	}
	CHECK(strstr(out, "| Dovecot | ") != NULL);
	free(out);
	f = open_memstream(&out, &len);
	if (f == NULL)
		return;
	CHECK(au_list(f, "yaml") == -1);
	fclose(f);
	free(out);
}
