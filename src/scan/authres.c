/* authres.c: an RFC 8601 Authentication-Results parser. Bounded: tokens are
 * cut at their buffers, comments nest at most SCAN_AR_COMMENT_DEPTH deep,
 * at most SCAN_AR_RESULTS_MAX results are kept. */
#include <string.h>
#include <strings.h>

#include "scan/authres.h"

struct lex {
	const char *p;
	size_t len;
	size_t i;
};

static bool
at_end(const struct lex *x)
{
	return x->i >= x->len;
}

static char
peek(const struct lex *x)
{
	return x->i < x->len ? x->p[x->i] : '\0';
}

/* Skip white space, folding and comments. -1 on an unclosed or too deeply
 * nested comment. */
static int
skip_cfws(struct lex *x)
{
	int depth = 0;

	while (x->i < x->len) {
		char c = x->p[x->i];

		if (depth > 0 && c == '\\' && x->i + 1 < x->len) {
			x->i += 2;
			continue;
		}
		if (c == '(') {
			if (++depth > SCAN_AR_COMMENT_DEPTH)
				return -1;
		} else if (c == ')' && depth > 0) {
			depth--;
		} else if (depth == 0 && c != ' ' && c != '\t' && c != '\r' &&
			   c != '\n') {
			return 0;
		}
		x->i++;
	}
	return depth == 0 ? 0 : -1;
}

/* RFC 2045 token characters. */
static bool
is_tchar(char c)
{
	return (unsigned char)c > 0x20 && (unsigned char)c < 0x7f &&
	       strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* Keyword (RFC 8601 §2.2: letters, digits, '-', '_' and '.' accepted). */
static bool
is_kchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

/* Copy a run of characters accepted by ok into out (lower case, cut at
 * cap). Returns the run's length (0 if none). */
static size_t
take(struct lex *x, bool (*ok)(char), char *out, size_t cap)
{
	size_t s = x->i, n;

	while (x->i < x->len && ok(x->p[x->i]))
		x->i++;
	n = x->i - s;
	if (out != NULL && cap > 0) {
		size_t k, m = n < cap - 1 ? n : cap - 1;

		for (k = 0; k < m; k++) {
			char c = x->p[s + k];

			out[k] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
		}
		out[m] = '\0';
	}
	return n;
}

/* value = token / quoted-string (RFC 2045), into out (lower case). */
static int
take_value(struct lex *x, char *out, size_t cap)
{
	size_t o = 0;

	if (peek(x) != '"')
		return take(x, is_tchar, out, cap) > 0 ? 0 : -1;
	for (x->i++; x->i < x->len; x->i++) {
		char c = x->p[x->i];

		if (c == '"') {
			x->i++;
			out[o] = '\0';
			return 0;
		}
		if (c == '\\' && x->i + 1 < x->len)
			c = x->p[++x->i];
		if (o + 1 < cap)
			out[o++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	return -1;
}

static bool
is_pvchar(char c)
{
	return (unsigned char)c > 0x20 && c != ';' && c != '(' && c != '"';
}

/* propspec = ptype "." property "=" pvalue; reasonspec = "reason=" value.
 * The first property is kept in r->prop. */
static int
parse_props(struct lex *x, struct ar_result *r)
{
	char ptype[32], prop[64], val[SCAN_AR_TOKEN_MAX];

	for (;;) {
		if (skip_cfws(x) < 0)
			return -1;
		if (at_end(x) || peek(x) == ';')
			return 0;
		if (take(x, is_kchar, ptype, sizeof(ptype)) == 0 ||
		    skip_cfws(x) < 0)
			return -1;
		if (strcmp(ptype, "reason") == 0 && peek(x) == '=') {
			x->i++;
			if (skip_cfws(x) < 0 ||
			    take_value(x, val, sizeof(val)) < 0)
				return -1;
			continue;
		}
		if (peek(x) != '.')
			return -1;
		x->i++;
		if (skip_cfws(x) < 0 ||
		    take(x, is_kchar, prop, sizeof(prop)) == 0 ||
		    skip_cfws(x) < 0 || peek(x) != '=')
			return -1;
		x->i++;
		if (skip_cfws(x) < 0)
			return -1;
		if (peek(x) == '"') {
			if (take_value(x, val, sizeof(val)) < 0)
				return -1;
		} else if (take(x, is_pvchar, val, sizeof(val)) == 0) {
			val[0] = '\0'; /* an empty pvalue */
		}
		if (r->prop[0] == '\0') {
			size_t a = strlen(ptype), b = strlen(prop),
			       c = strlen(val);

			if (a + 1 + b + 1 + c < sizeof(r->prop)) {
				memcpy(r->prop, ptype, a);
				r->prop[a] = '.';
				memcpy(r->prop + a + 1, prop, b);
				r->prop[a + 1 + b] = '=';
				memcpy(r->prop + a + b + 2, val, c + 1);
			}
		}
	}
}

/* resinfo after its ';': methodspec [reasonspec] *propspec. */
static int
parse_resinfo(struct lex *x, struct ar_header *h)
{
	struct ar_result tmp, *r;
	char ver[16];

	r = h->n < SCAN_AR_RESULTS_MAX ? &h->res[h->n] : &tmp;
	memset(r, 0, sizeof(*r));
	if (take(x, is_kchar, r->method, sizeof(r->method)) == 0 ||
	    skip_cfws(x) < 0)
		return -1;
	if (peek(x) == '/') { /* method-version */
		x->i++;
		if (skip_cfws(x) < 0 ||
		    take(x, is_kchar, ver, sizeof(ver)) == 0 ||
		    skip_cfws(x) < 0)
			return -1;
	}
	if (peek(x) != '=')
		return -1;
	x->i++;
	if (skip_cfws(x) < 0 ||
	    take(x, is_kchar, r->result, sizeof(r->result)) == 0)
		return -1;
	if (parse_props(x, r) < 0)
		return -1;
	if (r != &tmp)
		h->n++;
	return 0;
}

int
ar_parse(const char *p, size_t len, bool arc, struct ar_header *h)
{
	struct lex x = {p, len, 0};
	char ver[16], kw[16];

	memset(h, 0, sizeof(*h));
	if (skip_cfws(&x) < 0)
		return -1;
	if (arc) { /* "i=" 1*DIGIT ";" */
		if (take(&x, is_kchar, kw, sizeof(kw)) == 0 ||
		    strcmp(kw, "i") != 0 || skip_cfws(&x) < 0 ||
		    peek(&x) != '=')
			return -1;
		x.i++;
		if (skip_cfws(&x) < 0)
			return -1;
		while (
		    peek(&x) >= '0' && peek(&x) <= '9' && h->instance < 1000) {
			h->instance =
			    h->instance * 10 + (unsigned)(peek(&x) - '0');
			x.i++;
		}
		if (h->instance == 0 || skip_cfws(&x) < 0 || peek(&x) != ';')
			return -1;
		x.i++;
		if (skip_cfws(&x) < 0)
			return -1;
	}
	if (take_value(&x, h->authserv, sizeof(h->authserv)) < 0 ||
	    skip_cfws(&x) < 0)
		return -1;
	if (peek(&x) >= '0' && peek(&x) <= '9') { /* authres-version */
		take(&x, is_kchar, ver, sizeof(ver));
		if (skip_cfws(&x) < 0)
			return -1;
	}
	while (!at_end(&x)) {
		if (peek(&x) != ';')
			return -1;
		x.i++;
		if (skip_cfws(&x) < 0)
			return -1;
		if (at_end(&x))
			break;
		if (len - x.i >= 4 && strncasecmp(p + x.i, "none", 4) == 0 &&
		    (len - x.i == 4 || !is_kchar(p[x.i + 4])) &&
		    !(len - x.i > 4 && p[x.i + 4] == '=')) {
			x.i += 4;
			h->none = true;
		} else if (parse_resinfo(&x, h) < 0) {
			return -1;
		}
		if (skip_cfws(&x) < 0)
			return -1;
	}
	return 0;
}

const char *
ar_method_result(const struct ar_header *h, const char *method)
{
	const char *first = NULL, *fail = NULL;
	size_t i;

	for (i = 0; i < h->n; i++) {
		if (strcmp(h->res[i].method, method) != 0)
			continue;
		if (strcmp(h->res[i].result, "pass") == 0)
			return h->res[i].result;
		if (fail == NULL && strcmp(h->res[i].result, "fail") == 0)
			fail = h->res[i].result;
		if (first == NULL)
			first = h->res[i].result;
	}
	return fail != NULL ? fail : first;
}
