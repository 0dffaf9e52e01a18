/* line.c: the POP3 line reader, command splitting and strict argument
 * numbers (RFC 1939 §3, RFC 2449 §4). Pure functions over caller bytes. */
#include <limits.h>
#include <string.h>

#include "proto/pop3.h"

static const struct {
	enum p3_verb verb;
	const char *name;
} verbs[] = {
    {P3_V_USER, "USER"},
    {P3_V_PASS, "PASS"},
    {P3_V_APOP, "APOP"},
    {P3_V_AUTH, "AUTH"},
    {P3_V_STLS, "STLS"},
    {P3_V_CAPA, "CAPA"},
    {P3_V_QUIT, "QUIT"},
    {P3_V_STAT, "STAT"},
    {P3_V_LIST, "LIST"},
    {P3_V_RETR, "RETR"},
    {P3_V_DELE, "DELE"},
    {P3_V_NOOP, "NOOP"},
    {P3_V_RSET, "RSET"},
    {P3_V_TOP, "TOP"},
    {P3_V_UIDL, "UIDL"},
    {P3_V_LAST, "LAST"},
};

void
p3_reader_init(struct p3_reader *r, size_t max)
{
	r->max = max;
	r->discarding = false;
}

/* Read one line from buf[0..len), which is known not to be inside an
 * over-long line. Same contract as p3_reader_next. */
static enum p3_rd
read_line(struct p3_reader *r, const uint8_t *buf, size_t len,
    struct p3_span *line_r, size_t *consumed_r)
{
	const uint8_t *lf;
	size_t n, linelen;

	*consumed_r = 0;
	lf = len > 0 ? memchr(buf, '\n', len) : NULL;
	if (lf == NULL) {
		if (len >= r->max) {
			/* Cannot end within max octets: skip to the LF. */
			r->discarding = true;
			*consumed_r = len;
			return P3_RD_TOOLONG;
		}
		return P3_RD_MORE;
	}
	n = (size_t)(lf - buf) + 1; /* octets of the line, LF included */
	*consumed_r = n;
	if (n > r->max)
		return P3_RD_TOOLONG;
	linelen = n - 1;
	if (linelen > 0 && buf[linelen - 1] == '\r')
		linelen--;
	line_r->p = (const char *)buf;
	line_r->len = linelen;
	if (linelen > 0 && memchr(buf, '\0', linelen) != NULL)
		return P3_RD_NUL;
	return P3_RD_LINE;
}

enum p3_rd
p3_reader_next(struct p3_reader *r, const uint8_t *buf, size_t len,
    struct p3_span *line_r, size_t *consumed_r)
{
	const uint8_t *lf;
	size_t skip;
	enum p3_rd rd;

	line_r->p = NULL;
	line_r->len = 0;
	if (!r->discarding)
		return read_line(r, buf, len, line_r, consumed_r);

	lf = len > 0 ? memchr(buf, '\n', len) : NULL;
	if (lf == NULL) {
		*consumed_r = len;
		return P3_RD_MORE;
	}
	skip = (size_t)(lf - buf) + 1;
	r->discarding = false;
	/* Go on with the next line so pipelined commands are not stalled. */
	rd = read_line(r, buf + skip, len - skip, line_r, consumed_r);
	*consumed_r += skip;
	return rd;
}

static bool
is_alpha(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static char
to_upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static enum p3_verb
lookup_verb(const char *kw, size_t len)
{
	size_t i, j;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++) {
		const char *name = verbs[i].name;

		if (strlen(name) != len)
			continue;
		for (j = 0; j < len; j++)
			if (to_upper(kw[j]) != name[j])
				break;
		if (j == len)
			return verbs[i].verb;
	}
	return P3_V_UNKNOWN;
}

int
p3_cmd_parse(const char *line, size_t len, struct p3_cmd *cmd_r)
{
	const char *sp, *rest, *tok, *end;
	size_t kwlen, i;
	int argc;

	memset(cmd_r, 0, sizeof(*cmd_r));
	if (line == NULL || len == 0)
		return -1;
	sp = memchr(line, ' ', len);
	kwlen = sp != NULL ? (size_t)(sp - line) : len;
	if (kwlen < 3 || kwlen > 4)
		return -1;
	for (i = 0; i < kwlen; i++)
		if (!is_alpha(line[i]))
			return -1;
	cmd_r->keyword.p = line;
	cmd_r->keyword.len = kwlen;
	cmd_r->verb = lookup_verb(line, kwlen);
	rest = sp != NULL ? sp + 1 : line + len;
	end = line + len;
	cmd_r->rest.p = rest;
	cmd_r->rest.len = (size_t)(end - rest);
	if (rest == end)
		return 0;

	/* Split on every single space; empty tokens count (see pop3.h). */
	argc = 0;
	tok = rest;
	for (;;) {
		const char *next = memchr(tok, ' ', (size_t)(end - tok));
		const char *tend = next != NULL ? next : end;

		if (argc < P3_ARGS_MAX) {
			cmd_r->argv[argc].p = tok;
			cmd_r->argv[argc].len = (size_t)(tend - tok);
		}
		if (argc < INT_MAX)
			argc++;
		if (next == NULL)
			break;
		tok = next + 1;
	}
	cmd_r->argc = argc;
	return 0;
}

const char *
p3_verb_name(enum p3_verb v)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (verbs[i].verb == v)
			return verbs[i].name;
	return "?";
}

int
p3_parse_u32(struct p3_span s, uint32_t min, uint32_t max, uint32_t *val_r)
{
	uint64_t v = 0;
	size_t i;

	if (s.p == NULL || s.len == 0)
		return -1;
	for (i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c < '0' || c > '9')
			return -1;
		v = v * 10 + (uint64_t)(c - '0');
		if (v > max) /* max <= UINT32_MAX, so v never overflows */
			return -1;
	}
	if (v < min)
		return -1;
	*val_r = (uint32_t)v;
	return 0;
}

int
p3_parse_msgnum(struct p3_span s, uint32_t max, uint32_t *num_r)
{
	if (max == 0)
		return -1;
	return p3_parse_u32(s, 1, max, num_r);
}

int
p3_parse_count(struct p3_span s, uint32_t *n_r)
{
	return p3_parse_u32(s, 0, UINT32_MAX, n_r);
}
