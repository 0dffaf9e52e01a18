/* capa.c: the RFC 2449 CAPA reply: formatting on the server, parsing on the
 * client (tags, SASL mechanisms, EXPIRE/LOGIN-DELAY policies). */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "proto/pop3.h"

/* ---- Formatting --------------------------------------------------------- */

struct out {
	char *p;
	size_t cap;
	size_t len;
	bool full;
};

static void
put(struct out *o, const char *s, size_t n)
{
	/* Keep room for the trailing NUL. */
	if (o->full || n >= o->cap - o->len) {
		o->full = true;
		return;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void
put_str(struct out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void
put_line(struct out *o, const char *s)
{
	put_str(o, s);
	put(o, "\r\n", 2);
}

static void
put_num(struct out *o, int64_t v)
{
	char tmp[24];
	int n = snprintf(tmp, sizeof(tmp), "%lld", (long long)v);

	if (n < 0 || (size_t)n >= sizeof(tmp))
		o->full = true;
	else
		put(o, tmp, (size_t)n);
}

/* A token for a CAPA line: non-empty printable ASCII; spaces only if
 * allow_space. Guards the wire against CR/LF smuggled in via config. */
static bool
valid_text(const char *s, size_t cap, bool allow_space)
{
	size_t i, n = strnlen(s, cap);

	if (n == 0 || n == cap)
		return false;
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c > 0x7e || (c == ' ' && !allow_space))
			return false;
	}
	return true;
}

int
p3_capa_format(const struct p3_capa *c, char *out, size_t cap)
{
	struct out o = {out, cap, 0, false};
	int i;

	if (cap == 0 || c->nsasl < 0 || c->nsasl > P3_SASL_MAX)
		return -1;
	out[0] = '\0';
	put_line(&o, "+OK Capability list follows");
	if (c->top)
		put_line(&o, "TOP");
	if (c->user)
		put_line(&o, "USER");
	if (c->uidl)
		put_line(&o, "UIDL");
	if (c->resp_codes)
		put_line(&o, "RESP-CODES");
	if (c->auth_resp_code)
		put_line(&o, "AUTH-RESP-CODE");
	if (c->pipelining)
		put_line(&o, "PIPELINING");
	if (c->nsasl > 0) {
		put_str(&o, "SASL");
		for (i = 0; i < c->nsasl; i++) {
			if (!valid_text(c->sasl[i], sizeof(c->sasl[i]), false))
				return -1;
			put(&o, " ", 1);
			put_str(&o, c->sasl[i]);
		}
		put(&o, "\r\n", 2);
	}
	if (c->stls)
		put_line(&o, "STLS");
	if (c->expire == -2) {
		put_line(&o, "EXPIRE NEVER");
	} else if (c->expire >= 0) {
		put_str(&o, "EXPIRE ");
		put_num(&o, c->expire);
		put(&o, "\r\n", 2);
	}
	if (c->login_delay >= 0) {
		put_str(&o, "LOGIN-DELAY ");
		put_num(&o, c->login_delay);
		put(&o, "\r\n", 2);
	}
	if (c->utf8)
		put_line(&o, "UTF8");
	if (c->implementation[0] != '\0') {
		if (!valid_text(
			c->implementation, sizeof(c->implementation), true))
			return -1;
		put_str(&o, "IMPLEMENTATION ");
		put_line(&o, c->implementation);
	}
	put_line(&o, ".");
	if (o.full || o.len > INT_MAX)
		return -1;
	return (int)o.len;
}

/* ---- Parsing ------------------------------------------------------------ */

void
p3_capa_reset(struct p3_capa *c)
{
	memset(c, 0, sizeof(*c));
	c->login_delay = -1;
	c->expire = -1;
}

/* Next space-separated token of *s (empty tokens skipped); false at end. */
static bool
next_token(struct p3_span *s, struct p3_span *tok_r)
{
	while (s->len > 0 && s->p[0] == ' ') {
		s->p++;
		s->len--;
	}
	if (s->len == 0)
		return false;
	tok_r->p = s->p;
	while (s->len > 0 && s->p[0] != ' ') {
		s->p++;
		s->len--;
	}
	tok_r->len = (size_t)(s->p - tok_r->p);
	return true;
}

static char
upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

/* Case-insensitive ASCII comparison of s with the string word. */
static bool
span_case_eq(struct p3_span s, const char *word)
{
	size_t i, n = strlen(word);

	if (s.len != n)
		return false;
	for (i = 0; i < n; i++)
		if (upper(s.p[i]) != upper(word[i]))
			return false;
	return true;
}

/* "n" or "NEVER" (if never_ok), then optionally "USER" (RFC 2449 §6.7, 6.8:
 * the value may vary per user). Stores n, or -2 for NEVER. */
static int
parse_policy(struct p3_span args, bool never_ok, int64_t *val_r)
{
	struct p3_span tok;
	uint32_t v;
	int64_t val;

	if (!next_token(&args, &tok))
		return -1;
	if (never_ok && span_case_eq(tok, "NEVER"))
		val = -2;
	else if (p3_parse_u32(tok, 0, UINT32_MAX, &v) == 0)
		val = v;
	else
		return -1;
	if (next_token(&args, &tok) && !span_case_eq(tok, "USER"))
		return -1;
	if (next_token(&args, &tok))
		return -1;
	*val_r = val;
	return 0;
}

/* Add SASL mechanism names; names too long or with bytes outside the RFC 4422
 * alphabet (A-Z 0-9 - _) are skipped, as are duplicates and extras. */
static void
add_sasl(struct p3_capa *c, struct p3_span args)
{
	struct p3_span tok;
	char name[sizeof(c->sasl[0])];
	size_t i;

	while (next_token(&args, &tok)) {
		bool ok = tok.len < sizeof(name);

		for (i = 0; ok && i < tok.len; i++) {
			char ch = upper(tok.p[i]);

			if (!((ch >= 'A' && ch <= 'Z') ||
				(ch >= '0' && ch <= '9') || ch == '-' ||
				ch == '_'))
				ok = false;
			name[i] = ch;
		}
		if (!ok || c->nsasl >= P3_SASL_MAX)
			continue;
		name[tok.len] = '\0';
		if (p3_capa_has_sasl(c, name))
			continue;
		memcpy(c->sasl[c->nsasl], name, tok.len + 1);
		c->nsasl++;
	}
}

static void
set_implementation(struct p3_capa *c, struct p3_span args)
{
	size_t i, n = args.len;

	memset(c->implementation, 0, sizeof(c->implementation));
	while (n > 0 && args.p[0] == ' ') {
		args.p++;
		n--;
	}
	if (n >= sizeof(c->implementation))
		n = sizeof(c->implementation) - 1;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)args.p[i];

		c->implementation[i] =
		    ch >= 0x20 && ch <= 0x7e ? (char)ch : '?';
	}
	c->implementation[n] = '\0';
}

int
p3_capa_line(struct p3_capa *c, const char *line, size_t len)
{
	struct p3_span s = {line, len}, tag;

	if (line == NULL || !next_token(&s, &tag))
		return 0;
	if (span_case_eq(tag, "TOP"))
		c->top = true;
	else if (span_case_eq(tag, "USER"))
		c->user = true;
	else if (span_case_eq(tag, "UIDL"))
		c->uidl = true;
	else if (span_case_eq(tag, "RESP-CODES"))
		c->resp_codes = true;
	else if (span_case_eq(tag, "AUTH-RESP-CODE"))
		c->auth_resp_code = true;
	else if (span_case_eq(tag, "PIPELINING"))
		c->pipelining = true;
	else if (span_case_eq(tag, "STLS"))
		c->stls = true;
	else if (span_case_eq(tag, "UTF8"))
		c->utf8 = true;
	else if (span_case_eq(tag, "SASL"))
		add_sasl(c, s);
	else if (span_case_eq(tag, "EXPIRE"))
		return parse_policy(s, true, &c->expire);
	else if (span_case_eq(tag, "LOGIN-DELAY"))
		return parse_policy(s, false, &c->login_delay);
	else if (span_case_eq(tag, "IMPLEMENTATION"))
		set_implementation(c, s);
	return 0;
}

bool
p3_capa_has_sasl(const struct p3_capa *c, const char *mech)
{
	int i;

	for (i = 0; i < c->nsasl && i < P3_SASL_MAX; i++) {
		struct p3_span s = {c->sasl[i], strlen(c->sasl[i])};

		if (span_case_eq(s, mech))
			return true;
	}
	return false;
}
