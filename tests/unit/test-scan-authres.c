/* test-scan-authres.c: the RFC 8601 Authentication-Results parser
 * (src/scan/authres.c), with the RFC's own examples. */
#include <string.h>

#include <glib.h>

#include "harness.h"
#include "scan/authres.h"

static int
parse(const char *s, bool arc, struct ar_header *h)
{
	return ar_parse(s, strlen(s), arc, h);
}

TEST(scan_ar_rfc8601_examples)
{
	struct ar_header h;

	/* B.2: nothing done */
	CHECK(parse(" example.org 1; none", false, &h) == 0);
	CHECK_STR(h.authserv, "example.org");
	CHECK(h.none && h.n == 0);
	/* B.3: SPF */
	CHECK(parse(" example.com;\r\n\t  spf=pass smtp.mailfrom=example.net",
		  false, &h) == 0);
	CHECK_STR(h.authserv, "example.com");
	CHECK(h.n == 1);
	CHECK_STR(h.res[0].method, "spf");
	CHECK_STR(h.res[0].result, "pass");
	CHECK_STR(h.res[0].prop, "smtp.mailfrom=example.net");
	/* B.4: SMTP AUTH with a comment */
	CHECK(parse("example.com;\n auth=pass (cram-md5)"
		    " smtp.auth=sender@example.net;"
		    "\n spf=pass smtp.mailfrom=example.net",
		  false, &h) == 0);
	CHECK(h.n == 2);
	CHECK_STR(h.res[0].method, "auth");
	CHECK_STR(h.res[0].prop, "smtp.auth=sender@example.net");
	CHECK_STR(ar_method_result(&h, "spf"), "pass");
	/* B.6: several methods, reason, comments with quoted pairs */
	CHECK(
	    parse(" mail-router.example.net;\n"
		  "  dkim=pass (good signature) header.d=newyork.example.com\n"
		  "        header.b=oINEO8hg;\n"
		  "  dkim=fail (bad signature) header.d=newyork.example.com\n"
		  "        header.b=EToRSuvU;\n"
		  "  spf=softfail reason=\"no \\\"match\\\"\" (a \\( b)"
		  " smtp.mailfrom=x@y",
		false, &h) == 0);
	CHECK(h.n == 3);
	CHECK_STR(ar_method_result(&h, "dkim"), "pass");
	CHECK_STR(h.res[1].result, "fail");
	CHECK_STR(ar_method_result(&h, "spf"), "softfail");
	CHECK(ar_method_result(&h, "dmarc") == NULL);
}

TEST(scan_ar_forms)
{
	struct ar_header h;

	/* upper case is folded; method versions; quoted authserv-id */
	CHECK(parse("\"MX.Example.COM\"; DKIM/1=FAIL header.i=@x; dmarc=fail "
		    "(p=reject) header.from=bank.example",
		  false, &h) == 0);
	CHECK_STR(h.authserv, "mx.example.com");
	CHECK_STR(h.res[0].method, "dkim");
	CHECK_STR(h.res[0].result, "fail");
	CHECK_STR(h.res[1].prop, "header.from=bank.example");
	/* ARC instance */
	CHECK(parse(" i=2; mx.google.com; spf=pass smtp.mailfrom=a@b", true,
		  &h) == 0);
	CHECK(h.instance == 2);
	CHECK_STR(h.authserv, "mx.google.com");
	CHECK(parse("mx.google.com; spf=pass", true, &h) < 0);
	CHECK(parse("i=0; mx; spf=pass", true, &h) < 0);
	/* a trailing ';' and a bare authserv-id are accepted */
	CHECK(parse("mx.example.net;", false, &h) == 0);
	CHECK(parse("mx.example.net", false, &h) == 0 && h.n == 0);
	/* an empty pvalue */
	CHECK(parse("mx; spf=none smtp.mailfrom=", false, &h) == 0);
	CHECK(h.n == 1);
}

TEST(scan_ar_rejects)
{
	struct ar_header h;

	CHECK(parse("", false, &h) < 0);
	CHECK(parse("; spf=pass", false, &h) < 0);
	CHECK(parse("mx; spf", false, &h) < 0);
	CHECK(parse("mx; spf=", false, &h) < 0);
	CHECK(parse("mx; spf=pass smtp", false, &h) < 0);
	CHECK(parse("mx; spf=pass smtp.mailfrom", false, &h) < 0);
	CHECK(parse("mx (unclosed comment; spf=pass", false, &h) < 0);
	CHECK(parse("\"unclosed; spf=pass", false, &h) < 0);
	CHECK(parse("mx; spf=pass junk junk", false, &h) < 0);
}

TEST(scan_ar_bounds)
{
	struct ar_header h;
	GString *s = g_string_new("mx");
	int i;

	/* more results than kept: parsed, only the first are stored */
	for (i = 0; i < 100; i++)
		g_string_append(s, "; dkim=pass header.d=a.example");
	CHECK(ar_parse(s->str, s->len, false, &h) == 0);
	CHECK(h.n == SCAN_AR_RESULTS_MAX);
	g_string_free(s, TRUE);
	/* comments nested deeper than the cap */
	s = g_string_new("mx ");
	for (i = 0; i < 100; i++)
		g_string_append(s, "(");
	for (i = 0; i < 100; i++)
		g_string_append(s, ")");
	g_string_append(s, "; spf=pass");
	CHECK(ar_parse(s->str, s->len, false, &h) < 0);
	g_string_free(s, TRUE);
	/* an over-long authserv-id is cut, not overflowed */
	s = g_string_new("");
	for (i = 0; i < 1000; i++)
		g_string_append_c(s, 'a');
	g_string_append(s, "; spf=pass");
	CHECK(ar_parse(s->str, s->len, false, &h) == 0);
	CHECK(strlen(h.authserv) == SCAN_AR_TOKEN_MAX - 1);
	g_string_free(s, TRUE);
}
