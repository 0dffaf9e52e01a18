/* test-scan-conf.c: the scanner's configuration file, known domains, and
 * its JSON and text reports (src/scan/conf.c, scan.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "scan/lists.h"
#include "scan/scan.h"

static const char *
write_conf(const char *text)
{
	static char path[600];
	FILE *f;

	snprintf(path, sizeof(path), "%s/scan.conf", t_tmpdir());
	f = fopen(path, "w");
	if (f == NULL)
		return "/nonexistent";
	fputs(text, f);
	fclose(f);
	return path;
}

TEST(scan_conf_file)
{
	struct scan_conf c = {0};

	CHECK(scan_conf_load(&c,
		  write_conf(
		      "# who adds trusted Authentication-Results\n"
		      "trusted-authserv mx.example.net\n"
		      "  trusted-authserv\tMX2.Example.Net   # the backup MX\n"
		      "\n"
		      "known-domain www.bank.example\n")) == 0);
	CHECK(c.ntrusted == 2);
	CHECK(scan_conf_trusts(&c, "mx.example.net"));
	CHECK(scan_conf_trusts(&c, "mx2.example.net"));
	CHECK(!scan_conf_trusts(&c, "example.net"));
	/* a look-alike of the known domain, and the domain itself */
	CHECK_STR(scan_conf_lookalike(&c, "www.bank.examp1e"), "bank.example");
	CHECK(scan_conf_lookalike(&c, "www.bank-example.test") == NULL);
	CHECK(scan_conf_lookalike(&c, "login.b\xd0\xb0nk.example") != NULL);
	CHECK(scan_conf_lookalike(&c, "login.bank.example") == NULL);
	/* built-in brands are always known */
	CHECK(scan_conf_lookalike(&c, "paypa1.com") != NULL);
	CHECK(scan_conf_lookalike(&c, "paypal.com") == NULL);
	scan_conf_free(&c);
	CHECK(c.ntrusted == 0 && c.known == NULL);
}

TEST(scan_conf_bad_files)
{
	struct scan_conf c = {0};
	GString *s;
	int i;

	CHECK(scan_conf_load(&c, write_conf("trusted mx.example.net\n")) < 0);
	scan_conf_free(&c);
	CHECK(scan_conf_load(&c, write_conf("trusted-authserv\n")) < 0);
	scan_conf_free(&c);
	CHECK(scan_conf_load(&c, "/nonexistent/scan.conf") < 0);
	/* too many trusted ids */
	s = g_string_new("");
	for (i = 0; i <= SCAN_TRUSTED_MAX; i++)
		g_string_append_printf(s, "trusted-authserv mx%d.example\n", i);
	CHECK(scan_conf_load(&c, write_conf(s->str)) < 0);
	scan_conf_free(&c);
	g_string_free(s, TRUE);
	/* an over-long line */
	s = g_string_new("known-domain ");
	for (i = 0; i < CONF_LINE_MAX; i++)
		g_string_append_c(s, 'a');
	CHECK(scan_conf_load(&c, write_conf(s->str)) < 0);
	scan_conf_free(&c);
	g_string_free(s, TRUE);
}

TEST(scan_conf_default_from_env)
{
	struct scan_conf c = {0};
	const char *p = write_conf("trusted-authserv env.example\n");

	setenv("POSTIE_SCAN_CONFIG", p, 1);
	CHECK(scan_conf_load_default(&c, NULL) == 0);
	CHECK(scan_conf_trusts(&c, "env.example"));
	scan_conf_free(&c);
	/* an explicit path wins */
	CHECK(scan_conf_load_default(&c, write_conf("")) == 0);
	CHECK(c.ntrusted == 0);
	unsetenv("POSTIE_SCAN_CONFIG");
	/* no file at the XDG place: an empty configuration */
	setenv("XDG_CONFIG_HOME", t_tmpdir(), 1);
	CHECK(scan_conf_load_default(&c, NULL) == 0);
	unsetenv("XDG_CONFIG_HOME");
	scan_conf_free(&c);
}

TEST(scan_report_json_escapes)
{
	struct scan_report r;
	struct buf b;

	memset(&r, 0, sizeof(r));
	scan_add(&r, PH_LINK_IP, "link http://1.2.3.4/\"x\"\\\x01");
	scan_add(&r, PH_LINK_IP, "second");
	scan_add(&r, PH_ATT_RLO,
	    "a\xe2\x80\xae"
	    "b");
	r.level = SCAN_HIGH;
	buf_init(&b, 65536);
	CHECK(scan_report_json(&r, "dir/f\"\n\xff.eml", &b) == 0);
	CHECK(buf_append(&b, "", 0) == 0);
	CHECK(strstr((char *)b.data,
		  "\"file\": \"dir/f\\\"\\u000a\\ufffd.eml\"") != NULL);
	CHECK(strstr((char *)b.data, "\"score\": \"high\"") != NULL);
	CHECK(strstr((char *)b.data, "\"id\": \"PH-LINK-IP\", \"weight\": 25, "
				     "\"count\": 2") != NULL);
	/* evidence is sanitised when recorded: the control is U+FFFD */
	CHECK(strstr((char *)b.data, "\"evidence\": \"link http://1.2.3.4/"
				     "\\\"x\\\"\\\\\xef\xbf\xbd\"") != NULL);
	CHECK(strstr((char *)b.data, "a\xef\xbf\xbd"
				     "b") != NULL);
	CHECK(r.points == 25 + 60);
	buf_reset(&b);
	CHECK(scan_report_text(&r, 2, &b) == 0);
	CHECK(buf_append(&b, "", 0) == 0);
	CHECK(strncmp((char *)b.data, "  HIGH risk", 11) == 0);
	CHECK(strstr((char *)b.data, "(and 1 more)") != NULL);
	buf_free(&b);
}

TEST(scan_ids_table_complete)
{
	int i, sum = 0;

	for (i = 0; i < SCAN_ID_COUNT; i++) {
		CHECK(scan_id_name(i) != NULL &&
		      strncmp(scan_id_name(i), "PH-", 3) == 0);
		CHECK(scan_id_weight(i) > 0 && scan_id_weight(i) <= 60);
		CHECK(scan_id_explain(i) != NULL &&
		      strlen(scan_id_explain(i)) > 20);
		sum += scan_id_weight(i);
	}
	CHECK(sum > SCAN_HIGH_MIN);
	CHECK_STR(
	    scan_id_name(PH_ATT_ENCRYPTED_ARCHIVE), "PH-ATT-ENCRYPTED-ARCHIVE");
}

TEST(scan_lists_sane)
{
	const char *a, *b;
	size_t i, j;
	int l;

	for (l = 0; l < SL_COUNT; l++) {
		CHECK(scan_list_get(l, 0) != NULL);
		for (i = 0; (a = scan_list_get(l, i)) != NULL; i++) {
			CHECK(scan_list_has(l, a));
			for (j = 0; a[j] != '\0'; j++)
				CHECK(!(a[j] >= 'A' && a[j] <= 'Z'));
			for (j = i + 1; (b = scan_list_get(l, j)) != NULL; j++)
				CHECK(strcmp(a, b) != 0); /* no duplicates */
		}
	}
	CHECK(scan_list_has(SL_PSL, "co.uk") && !scan_list_has(SL_PSL, "uk"));
	CHECK(scan_list_has(SL_EXEC_EXT, "exe") &&
	      !scan_list_has(SL_EXEC_EXT, "pdf"));
	CHECK(scan_list_get(SL_TLD, 100000) == NULL);
}
