/* test-proto-resp.c: status lines, response codes, listings, unique-ids. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "proto/pop3.h"

static const struct {
	const char *line;
	int rc;
	enum p3_status st;
	const char *code; /* NULL: no code */
	const char *text;
} resp_cases[] = {
    {"+OK", 0, P3_ST_OK, NULL, ""},
    {"+OK ", 0, P3_ST_OK, NULL, ""},
    {"+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>", 0, P3_ST_OK,
	NULL, "POP3 server ready <1896.697170952@dbc.mtview.ca.us>"},
    {"+OK 2 320", 0, P3_ST_OK, NULL, "2 320"},
    {"-ERR", 0, P3_ST_ERR, NULL, ""},
    {"-ERR no such message", 0, P3_ST_ERR, NULL, "no such message"},
    {"-ERR [SYS/TEMP] try later", 0, P3_ST_ERR, "SYS/TEMP", "try later"},
    {"-ERR [IN-USE]", 0, P3_ST_ERR, "IN-USE", ""},
    {"-ERR [AUTH] ", 0, P3_ST_ERR, "AUTH", ""},
    {"-ERR [LOGIN-DELAY] wait", 0, P3_ST_ERR, "LOGIN-DELAY", "wait"},
    {"+OK [UTF8] ok", 0, P3_ST_OK, "UTF8", "ok"},
    {"-ERR [SYS/PERM] [x] y", 0, P3_ST_ERR, "SYS/PERM", "[x] y"},
    /* Not codes: nested, unterminated, empty, glued text, not first. */
    {"-ERR [SYS[TEMP]] x", 0, P3_ST_ERR, NULL, "[SYS[TEMP]] x"},
    {"-ERR [A[B] x", 0, P3_ST_ERR, NULL, "[A[B] x"},
    {"-ERR [SYS/TEMP x", 0, P3_ST_ERR, NULL, "[SYS/TEMP x"},
    {"-ERR [] x", 0, P3_ST_ERR, NULL, "[] x"},
    {"-ERR [AUTH]x", 0, P3_ST_ERR, NULL, "[AUTH]x"},
    {"-ERR x [AUTH]", 0, P3_ST_ERR, NULL, "x [AUTH]"},
    {"-ERR  [AUTH] x", 0, P3_ST_ERR, NULL, " [AUTH] x"},
    {"-ERR [A\tB] x", 0, P3_ST_ERR, NULL, "[A\tB] x"},
    /* Lenient on case. */
    {"+ok fine", 0, P3_ST_OK, NULL, "fine"},
    {"-err [auth] no", 0, P3_ST_ERR, "auth", "no"},
    /* SASL continuations. */
    {"+ ", 0, P3_ST_CONT, NULL, ""},
    {"+", 0, P3_ST_CONT, NULL, ""},
    {"+ PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+", 0,
	P3_ST_CONT, NULL,
	"PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5uZXQ+"},
    {"+ OK", 0, P3_ST_CONT, NULL, "OK"},
    /* Garbage. */
    {"", -1, P3_ST_OK, NULL, NULL},
    {"OK", -1, P3_ST_OK, NULL, NULL},
    {"+OKAY", -1, P3_ST_OK, NULL, NULL},
    {"-ERROR x", -1, P3_ST_OK, NULL, NULL},
    {"-", -1, P3_ST_OK, NULL, NULL},
    {"+x", -1, P3_ST_OK, NULL, NULL},
    {"* OK IMAP4rev1", -1, P3_ST_OK, NULL, NULL},
    {"220 smtp.example ESMTP", -1, P3_ST_OK, NULL, NULL},
};

TEST(proto_resp_table)
{
	size_t i;

	for (i = 0; i < sizeof(resp_cases) / sizeof(resp_cases[0]); i++) {
		struct p3_resp r;
		const char *l = resp_cases[i].line;
		int rc = p3_resp_parse(l, strlen(l), &r);

		if (!CHECK(rc == resp_cases[i].rc)) {
			printf("  case %zu: \"%s\"\n", i, l);
			continue;
		}
		if (rc != 0 || resp_cases[i].rc != 0)
			continue;
		if (!CHECK(r.status == resp_cases[i].st))
			printf("  case %zu: \"%s\"\n", i, l);
		if (resp_cases[i].code == NULL)
			CHECK(r.code.len == 0);
		else
			CHECK_MEM(r.code.p, r.code.len, resp_cases[i].code,
			    strlen(resp_cases[i].code));
		CHECK_MEM(r.text.p, r.text.len, resp_cases[i].text,
		    strlen(resp_cases[i].text));
	}
}

TEST(proto_resp_uses_len_only)
{
	struct p3_resp r;

	CHECK(p3_resp_parse("+OK hello world", 9, &r) == 0);
	CHECK_MEM(r.text.p, r.text.len, "hello", 5);
	CHECK(p3_resp_parse("-ERR [AUTH] x", 10, &r) == 0);
	CHECK(r.code.len == 0);
	CHECK_MEM(r.text.p, r.text.len, "[AUTH", 5);
	CHECK(p3_resp_parse(NULL, 0, &r) == -1);
}

TEST(proto_listing)
{
	uint32_t n = 0;
	struct p3_span rest;

	CHECK(p3_parse_listing("1 120", 5, &n, &rest) == 0);
	CHECK(n == 1);
	CHECK_MEM(rest.p, rest.len, "120", 3);
	CHECK(p3_parse_listing(
		  "4294967295 whqtswO00WBw418f9t5JxYwZ", 35, &n, &rest) == 0);
	CHECK(n == UINT32_MAX);
	CHECK_MEM(rest.p, rest.len, "whqtswO00WBw418f9t5JxYwZ", 24);
	CHECK(p3_parse_listing("2 200 octets", 12, &n, &rest) == 0);
	CHECK_MEM(rest.p, rest.len, "200 octets", 10);
	CHECK(p3_parse_listing("0 120", 5, &n, &rest) == -1);
	CHECK(p3_parse_listing("4294967296 1", 12, &n, &rest) == -1);
	CHECK(p3_parse_listing("1", 1, &n, &rest) == -1);
	CHECK(p3_parse_listing("1 ", 2, &n, &rest) == -1);
	CHECK(p3_parse_listing(" 1 2", 4, &n, &rest) == -1);
	CHECK(p3_parse_listing("-1 2", 4, &n, &rest) == -1);
	CHECK(p3_parse_listing("a 2", 3, &n, &rest) == -1);
	CHECK(p3_parse_listing("", 0, &n, &rest) == -1);
}

TEST(proto_uidl_valid)
{
	char id[80];
	struct p3_span s;

	s.p = "whqtswO00WBw418f9t5JxYwZ";
	s.len = strlen(s.p);
	CHECK(p3_uidl_valid(s));
	s.p = "!";
	s.len = 1;
	CHECK(p3_uidl_valid(s));
	s.p = "~";
	CHECK(p3_uidl_valid(s));
	memset(id, 'a', sizeof(id));
	s.p = id;
	s.len = 70;
	CHECK(p3_uidl_valid(s));
	s.len = 71;
	CHECK(!p3_uidl_valid(s));
	s.len = 0;
	CHECK(!p3_uidl_valid(s));
	s.p = "a b";
	s.len = 3;
	CHECK(!p3_uidl_valid(s));
	s.p = "a\x7f";
	s.len = 2;
	CHECK(!p3_uidl_valid(s));
	s.p = "a\0";
	CHECK(!p3_uidl_valid(s));
	s.p = "\xc3\xa9";
	CHECK(!p3_uidl_valid(s));
}
