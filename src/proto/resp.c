/* resp.c: single-line replies and what travels in them: status lines with
 * RFC 2449 response codes, SASL continuations (RFC 5034) and the RFC 4616
 * PLAIN message sent through them, "n rest" listing lines and unique-ids
 * (RFC 1939 §7). */
#include <limits.h>
#include <string.h>

#include "proto/pop3.h"

static bool
prefix_case(const char *p, size_t len, const char *pfx)
{
	size_t i, n = strlen(pfx);

	if (len < n)
		return false;
	for (i = 0; i < n; i++) {
		char c = p[i];

		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c != pfx[i])
			return false;
	}
	return true;
}

/* Split the text after "+OK " or "-ERR " into an optional "[CODE]" and the
 * rest. The code must be non-empty printable ASCII without '[' or ']', and be
 * followed by the end of the line or a space (which is skipped). Anything
 * else (nested or unterminated brackets) leaves the whole text as text. */
static void
split_code(const char *p, size_t len, struct p3_resp *r)
{
	size_t i;

	r->text.p = p;
	r->text.len = len;
	if (len < 3 || p[0] != '[')
		return;
	for (i = 1; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == ']')
			break;
		if (c < 0x20 || c > 0x7e || c == '[')
			return;
	}
	if (i == len || i == 1)
		return;
	if (i + 1 < len && p[i + 1] != ' ')
		return;
	r->code.p = p + 1;
	r->code.len = i - 1;
	i++; /* past ']' */
	if (i < len)
		i++; /* past the space */
	r->text.p = p + i;
	r->text.len = len - i;
}

int
p3_resp_parse(const char *line, size_t len, struct p3_resp *r)
{
	memset(r, 0, sizeof(*r));
	if (line == NULL || len == 0)
		return -1;
	r->text.p = line + len;
	if (prefix_case(line, len, "+OK")) {
		r->status = P3_ST_OK;
		if (len == 3)
			return 0;
		if (line[3] != ' ')
			return -1;
		split_code(line + 4, len - 4, r);
		return 0;
	}
	if (prefix_case(line, len, "-ERR")) {
		r->status = P3_ST_ERR;
		if (len == 4)
			return 0;
		if (line[4] != ' ')
			return -1;
		split_code(line + 5, len - 5, r);
		return 0;
	}
	if (line[0] == '+') {
		r->status = P3_ST_CONT;
		if (len == 1)
			return 0;
		if (line[1] != ' ')
			return -1;
		r->text.p = line + 2;
		r->text.len = len - 2;
		return 0;
	}
	return -1;
}

int
p3_parse_listing(
    const char *line, size_t len, uint32_t *num_r, struct p3_span *rest_r)
{
	const char *sp;
	struct p3_span num;

	if (line == NULL || len == 0)
		return -1;
	sp = memchr(line, ' ', len);
	if (sp == NULL)
		return -1;
	num.p = line;
	num.len = (size_t)(sp - line);
	if (p3_parse_u32(num, 1, UINT32_MAX, num_r) != 0)
		return -1;
	rest_r->p = sp + 1;
	rest_r->len = len - num.len - 1;
	if (rest_r->len == 0)
		return -1;
	return 0;
}

bool
p3_uidl_valid(struct p3_span s)
{
	size_t i;

	if (s.p == NULL || s.len == 0 || s.len > P3_UIDL_MAX)
		return false;
	for (i = 0; i < s.len; i++) {
		unsigned char c = (unsigned char)s.p[i];

		if (c < 0x21 || c > 0x7e)
			return false;
	}
	return true;
}

/* ---- SASL PLAIN (RFC 4616) --------------------------------------------- */

int
p3_sasl_plain_split(const uint8_t *msg, size_t len, struct p3_span *authzid_r,
    struct p3_span *authcid_r, struct p3_span *pass_r)
{
	const uint8_t *nul1, *nul2, *end = msg + len;

	if (msg == NULL || len == 0)
		return -1;
	nul1 = memchr(msg, '\0', len);
	if (nul1 == NULL)
		return -1;
	nul2 = memchr(nul1 + 1, '\0', (size_t)(end - nul1 - 1));
	if (nul2 == NULL)
		return -1;
	if (memchr(nul2 + 1, '\0', (size_t)(end - nul2 - 1)) != NULL)
		return -1;
	authzid_r->p = (const char *)msg;
	authzid_r->len = (size_t)(nul1 - msg);
	authcid_r->p = (const char *)nul1 + 1;
	authcid_r->len = (size_t)(nul2 - nul1 - 1);
	pass_r->p = (const char *)nul2 + 1;
	pass_r->len = (size_t)(end - nul2 - 1);
	if (authcid_r->len == 0 || pass_r->len == 0)
		return -1;
	return 0;
}

int
p3_sasl_plain_build(
    const char *user, const char *pass, uint8_t *out, size_t cap)
{
	size_t ulen = strlen(user), plen = strlen(pass);

	if (ulen == 0 || plen == 0 || ulen > INT_MAX / 4 || plen > INT_MAX / 4)
		return -1;
	if (cap < ulen + plen + 2)
		return -1;
	out[0] = '\0';
	memcpy(out + 1, user, ulen);
	out[1 + ulen] = '\0';
	memcpy(out + 2 + ulen, pass, plen);
	return (int)(ulen + plen + 2);
}
