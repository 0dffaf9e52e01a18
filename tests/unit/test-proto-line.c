/* test-proto-line.c: line reader, command parsing, strict numbers. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "proto/pop3.h"

#define S(lit) (const uint8_t *)(lit), sizeof(lit) - 1

static struct p3_span
sp(const char *s)
{
	struct p3_span x = {s, strlen(s)};

	return x;
}

/* ---- reader ---------------------------------------------------------- */

TEST(proto_reader_crlf_line)
{
	struct p3_reader r;
	struct p3_span l;
	size_t c;

	p3_reader_init(&r, P3_CMD_MAX);
	CHECK(p3_reader_next(&r, S("USER bob\r\n"), &l, &c) == P3_RD_LINE);
	CHECK_MEM(l.p, l.len, "USER bob", 8);
	CHECK(c == 10);
}

TEST(proto_reader_bare_lf_and_partial)
{
	struct p3_reader r;
	struct p3_span l;
	size_t c;

	p3_reader_init(&r, P3_CMD_MAX);
	CHECK(p3_reader_next(&r, S("NOOP\n"), &l, &c) == P3_RD_LINE);
	CHECK_MEM(l.p, l.len, "NOOP", 4);
	CHECK(c == 5);
	CHECK(p3_reader_next(&r, S("NOO"), &l, &c) == P3_RD_MORE);
	CHECK(c == 0);
	CHECK(p3_reader_next(&r, S("NOOP\r"), &l, &c) == P3_RD_MORE);
	CHECK(c == 0);
	CHECK(p3_reader_next(&r, NULL, 0, &l, &c) == P3_RD_MORE);
	CHECK(c == 0);
}

TEST(proto_reader_empty_and_cr_lines)
{
	struct p3_reader r;
	struct p3_span l;
	size_t c;

	p3_reader_init(&r, P3_CMD_MAX);
	CHECK(p3_reader_next(&r, S("\r\n"), &l, &c) == P3_RD_LINE);
	CHECK(l.len == 0 && c == 2);
	CHECK(p3_reader_next(&r, S("\n"), &l, &c) == P3_RD_LINE);
	CHECK(l.len == 0 && c == 1);
	/* Only one CR is stripped. */
	CHECK(p3_reader_next(&r, S("A\r\r\n"), &l, &c) == P3_RD_LINE);
	CHECK_MEM(l.p, l.len, "A\r", 2);
	CHECK(c == 4);
}

TEST(proto_reader_two_lines_in_buffer)
{
	struct p3_reader r;
	struct p3_span l;
	size_t c;
	const uint8_t *b = (const uint8_t *)"STAT\r\nLIST 1\r\nQU";

	p3_reader_init(&r, P3_CMD_MAX);
	CHECK(p3_reader_next(&r, b, 16, &l, &c) == P3_RD_LINE);
	CHECK_MEM(l.p, l.len, "STAT", 4);
	CHECK(c == 6);
	CHECK(p3_reader_next(&r, b + 6, 10, &l, &c) == P3_RD_LINE);
	CHECK_MEM(l.p, l.len, "LIST 1", 6);
	CHECK(c == 8);
	CHECK(p3_reader_next(&r, b + 14, 2, &l, &c) == P3_RD_MORE);
	CHECK(c == 0);
}

TEST(proto_reader_max_boundary)
{
	struct p3_reader r;
	struct p3_span l;
	size_t c;
	uint8_t b[300];

	p3_reader_init(&r, 255);
	/* 253 + CRLF = 255: accepted. */
	memset(b, 'a', sizeof(b));
	b[253] = '\r';
	b[254] = '\n';
	CHECK(p3_reader_next(&r, b, 255, &l, &c) == P3_RD_LINE);
	CHECK(l.len == 253 && c == 255);
	/* 254 + LF = 255: accepted. */
	memset(b, 'a', sizeof(b));
	b[254] = '\n';
	CHECK(p3_reader_next(&r, b, 255, &l, &c) == P3_RD_LINE);
	CHECK(l.len == 254 && c == 255);
	/* 254 + CRLF = 256: too long, consumed through the LF. */
	memset(b, 'a', sizeof(b));
	b[254] = '\r';
	b[255] = '\n';
	memcpy(b + 256, "QUIT\r\n", 6);
	CHECK(p3_reader_next(&r, b, 262, &l, &c) == P3_RD_TOOLONG);
	CHECK(c == 256);
	CHECK(!r.discarding);
	CHECK(p3_reader_next(&r, b + 256, 6, &l, &c) == P3_RD_LINE);
	CHECK_MEM(l.p, l.len, "QUIT", 4);
	/* 254 without LF is still MORE; 255 is TOOLONG. */
	memset(b, 'a', sizeof(b));
	CHECK(p3_reader_next(&r, b, 254, &l, &c) == P3_RD_MORE);
	CHECK(c == 0);
}

TEST(proto_reader_toolong_discard)
{
	struct p3_reader r;
	struct p3_span l;
	size_t c;
	uint8_t b[300];

	p3_reader_init(&r, 255);
	memset(b, 'x', sizeof(b));
	CHECK(p3_reader_next(&r, b, 255, &l, &c) == P3_RD_TOOLONG);
	CHECK(c == 255 && r.discarding);
	/* More of the long line: swallowed, not reported again. */
	CHECK(p3_reader_next(&r, b, 100, &l, &c) == P3_RD_MORE);
	CHECK(c == 100 && r.discarding);
	/* The LF ends the discard; nothing complete after it. */
	CHECK(p3_reader_next(&r, S("yy\r\nNO"), &l, &c) == P3_RD_MORE);
	CHECK(c == 4 && !r.discarding);
	CHECK(p3_reader_next(&r, S("NOOP\r\n"), &l, &c) == P3_RD_LINE);
	CHECK_MEM(l.p, l.len, "NOOP", 4);
}

TEST(proto_reader_discard_then_line_same_call)
{
	struct p3_reader r;
	struct p3_span l;
	size_t c;

	p3_reader_init(&r, 10);
	CHECK(p3_reader_next(&r, S("0123456789"), &l, &c) == P3_RD_TOOLONG);
	CHECK(c == 10);
	CHECK(p3_reader_next(&r, S("abc\r\nSTAT\r\nX"), &l, &c) == P3_RD_LINE);
	CHECK_MEM(l.p, l.len, "STAT", 4);
	CHECK(c == 11);
	CHECK(!r.discarding);
}

TEST(proto_reader_nul)
{
	struct p3_reader r;
	struct p3_span l;
	size_t c;

	p3_reader_init(&r, P3_CMD_MAX);
	CHECK(p3_reader_next(&r, S("US\0ER\r\nQUIT\r\n"), &l, &c) == P3_RD_NUL);
	CHECK(c == 7);
	CHECK(l.len == 5);
	CHECK(p3_reader_next(&r, S("QUIT\r\n"), &l, &c) == P3_RD_LINE);
	/* A NUL before the line is complete: wait for it. */
	CHECK(p3_reader_next(&r, S("A\0B"), &l, &c) == P3_RD_MORE);
	CHECK(c == 0);
	/* Over-long wins over NUL. */
	p3_reader_init(&r, 4);
	CHECK(p3_reader_next(&r, S("A\0BCD\n"), &l, &c) == P3_RD_TOOLONG);
	CHECK(c == 6);
}

/* Simulate a server feeding chunks of stream into a capped buffer and
 * record the events as text, e.g. "L:NOOP|T|N|". */
static void
run_stream(const uint8_t *s, size_t n, size_t chunk, size_t max, char *ev,
    size_t evcap)
{
	struct p3_reader r;
	uint8_t buf[1024];
	size_t blen = 0, off = 0, evlen = 0;

	ev[0] = '\0';
	p3_reader_init(&r, max);
	while (off < n) {
		size_t take = n - off < chunk ? n - off : chunk;

		if (take > sizeof(buf) - blen)
			take = sizeof(buf) - blen;
		memcpy(buf + blen, s + off, take);
		blen += take;
		off += take;
		for (;;) {
			struct p3_span l;
			size_t c;
			enum p3_rd rd = p3_reader_next(&r, buf, blen, &l, &c);
			int w = 0;

			if (rd == P3_RD_LINE)
				w = snprintf(ev + evlen, evcap - evlen,
				    "L:%.*s|", (int)l.len, l.p);
			else if (rd == P3_RD_TOOLONG)
				w = snprintf(ev + evlen, evcap - evlen, "T|");
			else if (rd == P3_RD_NUL)
				w = snprintf(
				    ev + evlen, evcap - evlen, "N%zu|", l.len);
			if (w > 0 && (size_t)w < evcap - evlen)
				evlen += (size_t)w;
			memmove(buf, buf + c, blen - c);
			blen -= c;
			if (rd == P3_RD_MORE && c == 0)
				break;
		}
	}
}

TEST(proto_reader_chunking_equivalence)
{
	static const char stream[] =
	    "USER bob\r\nPASS a b c\r\n"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	    "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n"
	    "STAT\nLI\0ST\r\n\r\n"
	    "01234567890123456789012345678901234567890123456789\r\n"
	    "0123456789012345678901234567890123456789012345678\r\n"
	    "012345678901234567890123456789012345678901234567890\n"
	    "QUIT\r\n";
	static const size_t chunks[] = {1, 2, 3, 5, 7, 13, 50, 51, 64, 4096};
	char want[1024], got[1024];
	size_t i;

	run_stream((const uint8_t *)stream, sizeof(stream) - 1, 4096, 51, want,
	    sizeof(want));
	CHECK_STR(want, "L:USER bob|L:PASS a b c|T|L:STAT|N5|L:|T|"
			"L:0123456789012345678901234567890123456789012345678|"
			"T|L:QUIT|");
	for (i = 0; i < sizeof(chunks) / sizeof(chunks[0]); i++) {
		run_stream((const uint8_t *)stream, sizeof(stream) - 1,
		    chunks[i], 51, got, sizeof(got));
		CHECK_STR(got, want);
	}
}

/* ---- commands -------------------------------------------------------- */

static const struct {
	const char *line;
	int rc;
	enum p3_verb verb;
	int argc;
	const char *rest, *a0, *a1;
} cmd_cases[] = {
    {"USER bob", 0, P3_V_USER, 1, "bob", "bob", NULL},
    {"user bob", 0, P3_V_USER, 1, "bob", "bob", NULL},
    {"UsEr bob", 0, P3_V_USER, 1, "bob", "bob", NULL},
    {"PASS my secret  pw", 0, P3_V_PASS, 4, "my secret  pw", "my", "secret"},
    {"PASS", 0, P3_V_PASS, 0, "", NULL, NULL},
    {"APOP mrose c4c9334bac560ecc979e58001b3e22fb", 0, P3_V_APOP, 2,
	"mrose c4c9334bac560ecc979e58001b3e22fb", "mrose",
	"c4c9334bac560ecc979e58001b3e22fb"},
    {"AUTH PLAIN", 0, P3_V_AUTH, 1, "PLAIN", "PLAIN", NULL},
    {"AUTH PLAIN AGJvYgBwdw==", 0, P3_V_AUTH, 2, "PLAIN AGJvYgBwdw==", "PLAIN",
	"AGJvYgBwdw=="},
    {"AUTH", 0, P3_V_AUTH, 0, "", NULL, NULL},
    {"STLS", 0, P3_V_STLS, 0, "", NULL, NULL},
    {"capa", 0, P3_V_CAPA, 0, "", NULL, NULL},
    {"QUIT", 0, P3_V_QUIT, 0, "", NULL, NULL},
    {"STAT", 0, P3_V_STAT, 0, "", NULL, NULL},
    {"LIST", 0, P3_V_LIST, 0, "", NULL, NULL},
    {"LIST 1", 0, P3_V_LIST, 1, "1", "1", NULL},
    {"RETR 17", 0, P3_V_RETR, 1, "17", "17", NULL},
    {"DELE 2", 0, P3_V_DELE, 1, "2", "2", NULL},
    {"NOOP", 0, P3_V_NOOP, 0, "", NULL, NULL},
    {"RSET", 0, P3_V_RSET, 0, "", NULL, NULL},
    {"TOP 1 10", 0, P3_V_TOP, 2, "1 10", "1", "10"},
    {"tOp 3 0", 0, P3_V_TOP, 2, "3 0", "3", "0"},
    {"UIDL", 0, P3_V_UIDL, 0, "", NULL, NULL},
    {"uidl 5", 0, P3_V_UIDL, 1, "5", "5", NULL},
    {"LAST", 0, P3_V_LAST, 0, "", NULL, NULL},
    {"XTND XMIT", 0, P3_V_UNKNOWN, 1, "XMIT", "XMIT", NULL},
    {"FOO", 0, P3_V_UNKNOWN, 0, "", NULL, NULL},
    {"LIST  1", 0, P3_V_LIST, 2, " 1", "", "1"},
    {"LIST 1 ", 0, P3_V_LIST, 2, "1 ", "1", ""},
    {"LIST ", 0, P3_V_LIST, 0, "", NULL, NULL},
    {"TOP 1 2 3", 0, P3_V_TOP, 3, "1 2 3", "1", "2"},
    {"LIST 1 2 3 4 5", 0, P3_V_LIST, 5, "1 2 3 4 5", "1", "2"},
    {"", -1, P3_V_UNKNOWN, 0, NULL, NULL, NULL},
    {"AB", -1, P3_V_UNKNOWN, 0, NULL, NULL, NULL},
    {"ABCDE", -1, P3_V_UNKNOWN, 0, NULL, NULL, NULL},
    {"USERS bob", -1, P3_V_UNKNOWN, 0, NULL, NULL, NULL},
    {"US3R bob", -1, P3_V_UNKNOWN, 0, NULL, NULL, NULL},
    {" USER bob", -1, P3_V_UNKNOWN, 0, NULL, NULL, NULL},
    {"USER\tbob", -1, P3_V_UNKNOWN, 0, NULL, NULL, NULL},
    {"\xdcSER bob", -1, P3_V_UNKNOWN, 0, NULL, NULL, NULL},
    {"QUIT\r", -1, P3_V_UNKNOWN, 0, NULL, NULL, NULL},
};

TEST(proto_cmd_table)
{
	size_t i;

	for (i = 0; i < sizeof(cmd_cases) / sizeof(cmd_cases[0]); i++) {
		struct p3_cmd c;
		const char *l = cmd_cases[i].line;
		int rc = p3_cmd_parse(l, strlen(l), &c);

		if (!CHECK(rc == cmd_cases[i].rc))
			printf("  case %zu: \"%s\"\n", i, l);
		if (rc != 0 || cmd_cases[i].rc != 0)
			continue;
		if (!CHECK(c.verb == cmd_cases[i].verb) ||
		    !CHECK(c.argc == cmd_cases[i].argc))
			printf("  case %zu: \"%s\"\n", i, l);
		CHECK_MEM(c.rest.p, c.rest.len, cmd_cases[i].rest,
		    strlen(cmd_cases[i].rest));
		CHECK(c.keyword.p == l);
		CHECK(c.keyword.len == (size_t)(strchr(l, ' ') != NULL
						    ? strchr(l, ' ') - l
						    : (long)strlen(l)));
		if (cmd_cases[i].a0 != NULL)
			CHECK_MEM(c.argv[0].p, c.argv[0].len, cmd_cases[i].a0,
			    strlen(cmd_cases[i].a0));
		if (cmd_cases[i].a1 != NULL)
			CHECK_MEM(c.argv[1].p, c.argv[1].len, cmd_cases[i].a1,
			    strlen(cmd_cases[i].a1));
	}
}

TEST(proto_cmd_verb_names_roundtrip)
{
	int v;
	char lower[8];

	for (v = P3_V_USER; v <= P3_V_LAST; v++) {
		const char *name = p3_verb_name((enum p3_verb)v);
		struct p3_cmd c;
		size_t i, n = strlen(name);

		CHECK(n == 3 || n == 4);
		CHECK(p3_cmd_parse(name, n, &c) == 0);
		CHECK(c.verb == (enum p3_verb)v);
		for (i = 0; i <= n; i++)
			lower[i] = (char)(name[i] >= 'A' && name[i] <= 'Z'
					      ? name[i] + 32
					      : name[i]);
		CHECK(p3_cmd_parse(lower, n, &c) == 0);
		CHECK(c.verb == (enum p3_verb)v);
	}
	CHECK_STR(p3_verb_name(P3_V_UNKNOWN), "?");
	CHECK_STR(p3_verb_name((enum p3_verb)999), "?");
	CHECK_STR(p3_verb_name(P3_V_TOP), "TOP");
}

TEST(proto_cmd_len_not_nul)
{
	struct p3_cmd c;

	/* Only len bytes count: "RETR 1" out of a longer buffer. */
	CHECK(p3_cmd_parse("RETR 123", 6, &c) == 0);
	CHECK(c.verb == P3_V_RETR && c.argc == 1);
	CHECK_MEM(c.argv[0].p, c.argv[0].len, "1", 1);
	CHECK(p3_cmd_parse(NULL, 0, &c) == -1);
}

/* ---- numbers --------------------------------------------------------- */

TEST(proto_msgnum)
{
	uint32_t v = 77;

	CHECK(p3_parse_msgnum(sp("1"), 10, &v) == 0 && v == 1);
	CHECK(p3_parse_msgnum(sp("10"), 10, &v) == 0 && v == 10);
	CHECK(p3_parse_msgnum(sp("01"), 10, &v) == 0 && v == 1);
	CHECK(p3_parse_msgnum(sp("000000000000000000000007"), 10, &v) == 0 &&
	      v == 7);
	CHECK(p3_parse_msgnum(sp("4294967295"), UINT32_MAX, &v) == 0 &&
	      v == UINT32_MAX);
	v = 77;
	CHECK(p3_parse_msgnum(sp("11"), 10, &v) == -1);
	CHECK(p3_parse_msgnum(sp("0"), 10, &v) == -1);
	CHECK(p3_parse_msgnum(sp("00"), 10, &v) == -1);
	CHECK(p3_parse_msgnum(sp(""), 10, &v) == -1);
	CHECK(p3_parse_msgnum(sp("-1"), 10, &v) == -1);
	CHECK(p3_parse_msgnum(sp("+1"), 10, &v) == -1);
	CHECK(p3_parse_msgnum(sp(" 1"), 10, &v) == -1);
	CHECK(p3_parse_msgnum(sp("1 "), 10, &v) == -1);
	CHECK(p3_parse_msgnum(sp("1a"), 10, &v) == -1);
	CHECK(p3_parse_msgnum(sp("0x1"), 10, &v) == -1);
	CHECK(p3_parse_msgnum(sp("4294967296"), UINT32_MAX, &v) == -1);
	CHECK(p3_parse_msgnum(sp("4294967297"), UINT32_MAX, &v) == -1);
	CHECK(
	    p3_parse_msgnum(sp("18446744073709551617"), UINT32_MAX, &v) == -1);
	CHECK(p3_parse_msgnum(sp("1"), 0, &v) == -1);
	CHECK(v == 77);
}

TEST(proto_count)
{
	uint32_t v = 5;
	struct p3_span nul = {"1\0", 2};

	CHECK(p3_parse_count(sp("0"), &v) == 0 && v == 0);
	CHECK(p3_parse_count(sp("10"), &v) == 0 && v == 10);
	CHECK(p3_parse_count(sp("4294967295"), &v) == 0 && v == UINT32_MAX);
	CHECK(p3_parse_count(sp("4294967296"), &v) == -1);
	CHECK(p3_parse_count(sp("-1"), &v) == -1);
	CHECK(p3_parse_count(sp(""), &v) == -1);
	CHECK(p3_parse_count(nul, &v) == -1);
	CHECK(p3_parse_u32(sp("5"), 6, 9, &v) == -1);
	CHECK(p3_parse_u32(sp("9"), 6, 9, &v) == 0 && v == 9);
}
