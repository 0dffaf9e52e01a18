/* test-proto-capa.c: CAPA formatting and parsing, SASL PLAIN messages. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "proto/pop3.h"

static int
line(struct p3_capa *c, const char *s)
{
	return p3_capa_line(c, s, strlen(s));
}

static void
full_capa(struct p3_capa *c)
{
	p3_capa_reset(c);
	c->top = c->user = c->uidl = c->resp_codes = true;
	c->auth_resp_code = c->pipelining = c->stls = c->utf8 = true;
	c->nsasl = 2;
	memcpy(c->sasl[0], "PLAIN", 6);
	memcpy(c->sasl[1], "SCRAM-SHA-256", 14);
	c->expire = -2;
	c->login_delay = 900;
	memcpy(c->implementation, "postie 0.1", 11);
}

TEST(proto_capa_format_full)
{
	static const char want[] = "+OK Capability list follows\r\n"
				   "TOP\r\n"
				   "USER\r\n"
				   "UIDL\r\n"
				   "RESP-CODES\r\n"
				   "AUTH-RESP-CODE\r\n"
				   "PIPELINING\r\n"
				   "SASL PLAIN SCRAM-SHA-256\r\n"
				   "STLS\r\n"
				   "EXPIRE NEVER\r\n"
				   "LOGIN-DELAY 900\r\n"
				   "UTF8\r\n"
				   "IMPLEMENTATION postie 0.1\r\n"
				   ".\r\n";
	struct p3_capa c;
	char out[512];
	int n;

	full_capa(&c);
	n = p3_capa_format(&c, out, sizeof(out));
	CHECK(n == (int)sizeof(want) - 1);
	CHECK_STR(out, want);
	/* Exact fit needs room for the NUL too. */
	CHECK(p3_capa_format(&c, out, sizeof(want)) == n);
	CHECK(p3_capa_format(&c, out, sizeof(want) - 1) == -1);
	CHECK(p3_capa_format(&c, out, 10) == -1);
	CHECK(p3_capa_format(&c, out, 0) == -1);
}

TEST(proto_capa_format_minimal_and_numbers)
{
	struct p3_capa c;
	char out[256];

	p3_capa_reset(&c);
	CHECK(p3_capa_format(&c, out, sizeof(out)) > 0);
	CHECK_STR(out, "+OK Capability list follows\r\n.\r\n");
	c.uidl = true;
	c.expire = 0;
	c.login_delay = 0;
	CHECK(p3_capa_format(&c, out, sizeof(out)) > 0);
	CHECK_STR(out, "+OK Capability list follows\r\nUIDL\r\nEXPIRE 0\r\n"
		       "LOGIN-DELAY 0\r\n.\r\n");
	c.expire = 31;
	c.login_delay = -1;
	c.uidl = false;
	CHECK(p3_capa_format(&c, out, sizeof(out)) > 0);
	CHECK_STR(out, "+OK Capability list follows\r\nEXPIRE 31\r\n.\r\n");
}

TEST(proto_capa_format_rejects_bad_text)
{
	struct p3_capa c;
	char out[512];

	full_capa(&c);
	memcpy(c.implementation, "x\r\nSTLS", 8);
	CHECK(p3_capa_format(&c, out, sizeof(out)) == -1);
	full_capa(&c);
	memcpy(c.sasl[1], "A B", 4);
	CHECK(p3_capa_format(&c, out, sizeof(out)) == -1);
	full_capa(&c);
	c.sasl[0][0] = '\0';
	CHECK(p3_capa_format(&c, out, sizeof(out)) == -1);
	full_capa(&c);
	c.nsasl = P3_SASL_MAX + 1;
	CHECK(p3_capa_format(&c, out, sizeof(out)) == -1);
	full_capa(&c);
	memset(c.implementation, 'x', sizeof(c.implementation));
	CHECK(p3_capa_format(&c, out, sizeof(out)) == -1);
}

TEST(proto_capa_parse_dovecot)
{
	static const char *lines[] = {"CAPA", "TOP", "UIDL", "RESP-CODES",
	    "PIPELINING", "AUTH-RESP-CODE", "STLS", "USER", "SASL PLAIN LOGIN",
	    NULL};
	struct p3_capa c;
	int i;

	p3_capa_reset(&c);
	CHECK(c.expire == -1 && c.login_delay == -1 && c.nsasl == 0);
	for (i = 0; lines[i] != NULL; i++)
		CHECK(line(&c, lines[i]) == 0);
	CHECK(c.top && c.uidl && c.resp_codes && c.pipelining);
	CHECK(c.auth_resp_code && c.stls && c.user && !c.utf8);
	CHECK(c.nsasl == 2);
	CHECK_STR(c.sasl[0], "PLAIN");
	CHECK_STR(c.sasl[1], "LOGIN");
	CHECK(c.expire == -1 && c.login_delay == -1);
	CHECK(c.implementation[0] == '\0');
}

TEST(proto_capa_parse_case_and_args)
{
	struct p3_capa c;

	p3_capa_reset(&c);
	CHECK(line(&c, "top") == 0 && c.top);
	CHECK(line(&c, "Pipelining") == 0 && c.pipelining);
	CHECK(line(&c, "UTF8 USER") == 0 && c.utf8);
	CHECK(line(&c, "sasl plain  cram-md5 ") == 0);
	CHECK(c.nsasl == 2);
	CHECK_STR(c.sasl[1], "CRAM-MD5");
	CHECK(p3_capa_has_sasl(&c, "PLAIN"));
	CHECK(p3_capa_has_sasl(&c, "Cram-Md5"));
	CHECK(!p3_capa_has_sasl(&c, "LOGIN"));
	CHECK(!p3_capa_has_sasl(&c, "PLAI"));
	CHECK(line(&c, "expire never") == 0 && c.expire == -2);
	CHECK(line(&c, "EXPIRE 30 USER") == 0 && c.expire == 30);
	CHECK(line(&c, "LOGIN-DELAY 900") == 0 && c.login_delay == 900);
	CHECK(line(&c, "LOGIN-DELAY 0 user") == 0 && c.login_delay == 0);
	CHECK(line(&c, "") == 0);
	CHECK(line(&c, "   ") == 0);
}

TEST(proto_capa_parse_malformed)
{
	struct p3_capa c;

	p3_capa_reset(&c);
	CHECK(line(&c, "EXPIRE x7") == -1);
	CHECK(line(&c, "EXPIRE") == -1);
	CHECK(line(&c, "EXPIRE -1") == -1);
	CHECK(line(&c, "EXPIRE 1 FOO") == -1);
	CHECK(line(&c, "EXPIRE 1 USER X") == -1);
	CHECK(line(&c, "EXPIRE 4294967296") == -1);
	CHECK(line(&c, "LOGIN-DELAY NEVER") == -1);
	CHECK(line(&c, "LOGIN-DELAY") == -1);
	CHECK(line(&c, "LOGIN-DELAY 1x") == -1);
	CHECK(c.expire == -1 && c.login_delay == -1);
	/* Mailutils' glued form is simply an unknown tag. */
	CHECK(line(&c, "EXPIRENEVER") == 0);
	CHECK(line(&c, "X-FOO bar") == 0);
	CHECK(c.expire == -1);
}

TEST(proto_capa_parse_sasl_limits)
{
	struct p3_capa c;

	p3_capa_reset(&c);
	CHECK(line(&c, "SASL A B C D E F") == 0);
	CHECK(line(&c, "SASL b G H I J") == 0); /* b is a duplicate */
	CHECK(c.nsasl == P3_SASL_MAX);
	CHECK_STR(c.sasl[6], "G");
	CHECK_STR(c.sasl[7], "H");
	CHECK(!p3_capa_has_sasl(&c, "I"));
	p3_capa_reset(&c);
	CHECK(line(&c, "SASL ABCDEFGHIJKLMNOPQRSTUVWXYZ PLAIN B@D X_Y") == 0);
	CHECK(c.nsasl == 2);
	CHECK_STR(c.sasl[0], "PLAIN");
	CHECK_STR(c.sasl[1], "X_Y");
	CHECK(line(&c, "SASL 12345678901234567890123") == 0);
	CHECK(c.nsasl == 3);
	CHECK(line(&c, "SASL 123456789012345678901234") == 0);
	CHECK(c.nsasl == 3);
}

TEST(proto_capa_parse_implementation)
{
	struct p3_capa c;
	char l[200];

	p3_capa_reset(&c);
	CHECK(line(&c, "IMPLEMENTATION Dovecot 2.3") == 0);
	CHECK_STR(c.implementation, "Dovecot 2.3");
	CHECK(line(&c, "IMPLEMENTATION a\x01\xff b") == 0);
	CHECK_STR(c.implementation, "a?? b");
	memset(l, 'z', sizeof(l));
	memcpy(l, "IMPLEMENTATION ", 15);
	CHECK(p3_capa_line(&c, l, sizeof(l)) == 0);
	CHECK(strlen(c.implementation) == sizeof(c.implementation) - 1);
	/* A shorter second line leaves no stale tail (found by fuzz-capa). */
	CHECK(line(&c, "IMPLEMENTATION ab") == 0);
	CHECK_STR(c.implementation, "ab");
	CHECK(c.implementation[3] == '\0' &&
	      c.implementation[sizeof(c.implementation) - 2] == '\0');
	CHECK(line(&c, "IMPLEMENTATION   ") == 0);
	CHECK(c.implementation[0] == '\0');
}

TEST(proto_capa_roundtrip)
{
	struct p3_capa c, d;
	char out[512];
	const char *p, *end;
	int n;

	full_capa(&c);
	n = p3_capa_format(&c, out, sizeof(out));
	CHECK(n > 0);
	p3_capa_reset(&d);
	p = strstr(out, "\r\n") + 2;
	end = out + n;
	while (p < end) {
		const char *e = strstr(p, "\r\n");

		if (e - p == 1 && *p == '.')
			break;
		CHECK(p3_capa_line(&d, p, (size_t)(e - p)) == 0);
		p = e + 2;
	}
	CHECK(memcmp(&c, &d, sizeof(c)) == 0);
}

/* ---- SASL PLAIN ------------------------------------------------------ */

TEST(proto_sasl_plain_split)
{
	struct p3_span z, u, pw;

	CHECK(p3_sasl_plain_split(
		  (const uint8_t *)"\0bob\0pw", 7, &z, &u, &pw) == 0);
	CHECK(z.len == 0);
	CHECK_MEM(u.p, u.len, "bob", 3);
	CHECK_MEM(pw.p, pw.len, "pw", 2);
	CHECK(p3_sasl_plain_split(
		  (const uint8_t *)"admin\0bob\0a b c", 15, &z, &u, &pw) == 0);
	CHECK_MEM(z.p, z.len, "admin", 5);
	CHECK_MEM(u.p, u.len, "bob", 3);
	CHECK_MEM(pw.p, pw.len, "a b c", 5);
	CHECK(p3_sasl_plain_split((const uint8_t *)"bob\0pw", 6, &z, &u, &pw) ==
	      -1);
	CHECK(p3_sasl_plain_split((const uint8_t *)"\0\0pw", 4, &z, &u, &pw) ==
	      -1);
	CHECK(p3_sasl_plain_split((const uint8_t *)"\0bob\0", 5, &z, &u, &pw) ==
	      -1);
	CHECK(p3_sasl_plain_split(
		  (const uint8_t *)"\0bob\0p\0w", 8, &z, &u, &pw) == -1);
	CHECK(p3_sasl_plain_split((const uint8_t *)"", 0, &z, &u, &pw) == -1);
	CHECK(
	    p3_sasl_plain_split((const uint8_t *)"\0\0", 2, &z, &u, &pw) == -1);
}

TEST(proto_sasl_plain_build)
{
	uint8_t out[32];
	struct p3_span z, u, pw;
	int n;

	n = p3_sasl_plain_build("bob", "pw", out, sizeof(out));
	CHECK_MEM(out, n < 0 ? 0 : (size_t)n, "\0bob\0pw", 7);
	CHECK(p3_sasl_plain_build("bob", "pw", out, 7) == 7);
	CHECK(p3_sasl_plain_build("bob", "pw", out, 6) == -1);
	CHECK(p3_sasl_plain_build("", "pw", out, sizeof(out)) == -1);
	CHECK(p3_sasl_plain_build("bob", "", out, sizeof(out)) == -1);
	n = p3_sasl_plain_build(
	    "alice@example.org", "s3cr et", out, sizeof(out));
	CHECK(n == 26);
	CHECK(p3_sasl_plain_split(out, (size_t)n, &z, &u, &pw) == 0);
	CHECK(z.len == 0);
	CHECK_MEM(u.p, u.len, "alice@example.org", 17);
	CHECK_MEM(pw.p, pw.len, "s3cr et", 7);
}
