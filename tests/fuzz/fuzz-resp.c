/* fuzz-resp.c: the client's single-line reply parsers. The input is one
 * server line (no CRLF): p3_resp_parse, p3_parse_listing and p3_uidl_valid
 * run on it and their results are checked against the grammar. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pop3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
in_bounds(struct p3_span s, const char *lo, size_t len)
{
	if (s.len > 0 && (s.p < lo || s.p + s.len > lo + len))
		abort();
}

static void
check_resp(const char *line, size_t len)
{
	struct p3_resp r;
	size_t i;

	if (p3_resp_parse(line, len, &r) != 0)
		return;
	in_bounds(r.code, line, len);
	in_bounds(r.text, line, len);
	if (len == 0 || (line[0] != '+' && line[0] != '-'))
		abort();
	if ((r.status == P3_ST_ERR) != (line[0] == '-'))
		abort();
	if (r.status == P3_ST_CONT) {
		if (r.code.len != 0 || (len > 1 && line[1] != ' '))
			abort();
		return;
	}
	if (r.code.len == 0)
		return;
	/* A code sits right after "+OK [" or "-ERR [". */
	if (r.code.p != line + (r.status == P3_ST_OK ? 5 : 6) ||
	    r.code.p[-1] != '[' || r.code.p[r.code.len] != ']')
		abort();
	for (i = 0; i < r.code.len; i++)
		if (r.code.p[i] == '[' || r.code.p[i] == ']' ||
		    (unsigned char)r.code.p[i] < 0x20)
			abort();
	if (r.text.len > 0 && r.text.p != r.code.p + r.code.len + 2)
		abort();
}

static void
check_listing(const char *line, size_t len)
{
	uint32_t n;
	struct p3_span rest;
	size_t i;

	if (p3_parse_listing(line, len, &n, &rest) != 0)
		return;
	in_bounds(rest, line, len);
	if (n == 0 || rest.len == 0 || rest.p[-1] != ' ')
		abort();
	for (i = 0; line + i < rest.p - 1; i++)
		if (line[i] < '0' || line[i] > '9')
			abort();
}

static void
check_uidl(const char *p, size_t len)
{
	struct p3_span s = {p, len};
	bool want = len >= 1 && len <= P3_UIDL_MAX;
	size_t i;

	for (i = 0; i < len && want; i++)
		if ((unsigned char)p[i] < 0x21 || (unsigned char)p[i] > 0x7e)
			want = false;
	if (p3_uidl_valid(s) != want)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *line = (const char *)data;

	check_resp(line, size);
	check_listing(line, size);
	check_uidl(line, size);
	return 0;
}
