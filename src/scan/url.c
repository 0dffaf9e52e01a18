/* url.c: link parsing, IP hosts, organisational domains (with the
 * public-suffix subset of lists.c) and shorteners. */
#include <string.h>
#include <strings.h>

#include "scan/lists.h"
#include "scan/url.h"

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void
url_scheme(const char *p, size_t len, char *out, size_t cap)
{
	size_t i = 0, o = 0;

	out[0] = '\0';
	while (i < len && (unsigned char)p[i] <= 0x20)
		i++;
	for (; i < len && o + 1 < cap; i++) {
		char c = p[i];

		if (c == '\t' || c == '\n' || c == '\r')
			continue;
		if (c == ':') {
			out[o] = '\0';
			return;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(o > 0 && ((c >= '0' && c <= '9') || c == '+' ||
				      c == '-' || c == '.'))))
			break;
		out[o++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : c;
	}
	out[0] = '\0';
}

/* Normalise a raw host into u->host: percent escapes and full-width dots
 * decoded, ASCII lower case, trailing dots removed. -1 if unusable. */
static int
set_host(const char *p, size_t len, struct url *u)
{
	size_t i, o = 0;
	int hi, lo;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c == '%' && i + 2 < len && (hi = hexval(p[i + 1])) >= 0 &&
		    (lo = hexval(p[i + 2])) >= 0) {
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
		}
		if (i + 2 < len && c == 0xe3 &&
		    (unsigned char)p[i + 1] == 0x80 &&
		    (unsigned char)p[i + 2] == 0x82) { /* U+3002 */
			c = '.';
			i += 2;
		} else if (i + 2 < len && c == 0xef &&
			   (((unsigned char)p[i + 1] == 0xbc &&
				(unsigned char)p[i + 2] == 0x8e) ||
			       ((unsigned char)p[i + 1] == 0xbd &&
				   (unsigned char)p[i + 2] ==
				       0xa1))) { /* U+FF0E, U+FF61 */
			c = '.';
			i += 2;
		}
		if (c < 0x80 &&
		    !((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '.' || c == '-' ||
			c == '_'))
			return -1;
		if (o >= SCAN_HOST_MAX)
			return -1;
		u->host[o++] = c >= 'A' && c <= 'Z' ? (char)(c + 32) : (char)c;
	}
	while (o > 0 && u->host[o - 1] == '.')
		o--;
	u->host[o] = '\0';
	return o == 0 || u->host[0] == '.' ? -1 : 0;
}

int
url_parse(const char *p, size_t len, struct url *u)
{
	char t[SCAN_URL_MAX];
	size_t i, n = 0, a, e, at;
	const char *s;

	memset(u, 0, sizeof(*u));
	t[0] = '\0';
	while (len > 0 && (unsigned char)p[0] <= 0x20) {
		p++;
		len--;
	}
	while (len > 0 && (unsigned char)p[len - 1] <= 0x20)
		len--;
	for (i = 0; i < len && n < sizeof(t); i++)
		if (p[i] != '\t' && p[i] != '\n' && p[i] != '\r')
			t[n++] = p[i] == '\\' ? '/' : p[i];
	url_scheme(t, n, u->scheme, sizeof(u->scheme));
	if (strncmp(u->scheme, "www.", 4) == 0) /* "www.x.com:8080" */
		u->scheme[0] = '\0';
	a = strlen(u->scheme);
	if (a > 0) {
		if (strcmp(u->scheme, "http") != 0 &&
		    strcmp(u->scheme, "https") != 0 &&
		    strcmp(u->scheme, "ftp") != 0)
			return -1;
		for (a++; a < n && t[a] == '/'; a++)
			;
	} else if (n >= 2 && t[0] == '/' && t[1] == '/') {
		a = 2;
	} else if (n >= 4 && strncasecmp(t, "www.", 4) == 0) {
		a = 0;
	} else {
		return -1;
	}
	for (e = a; e < n && t[e] != '/' && t[e] != '?' && t[e] != '#'; e++)
		;
	s = a < e ? memrchr(t + a, '@', e - a) : NULL;
	if (s != NULL) {
		at = (size_t)(s - t);
		i = at - a < sizeof(u->userinfo) - 1 ? at - a
						     : sizeof(u->userinfo) - 1;
		memcpy(u->userinfo, t + a, i);
		u->userinfo[i] = '\0';
		a = at + 1;
	}
	if (a < e && t[a] == '[') {
		s = memchr(t + a, ']', e - a);
		if (s == NULL || (size_t)(s - t) - a + 1 > SCAN_HOST_MAX)
			return -1;
		memcpy(u->host, t + a, (size_t)(s - t) - a + 1);
		u->host[(size_t)(s - t) - a + 1] = '\0';
		u->is_ip = true;
		return 0;
	}
	s = memchr(t + a, ':', e - a);
	if (s != NULL)
		e = (size_t)(s - t);
	if (set_host(t + a, e - a, u) < 0)
		return -1;
	u->is_ip = url_host_is_ip(u->host);
	return 0;
}

bool
url_host_is_ip(const char *host)
{
	const char *last = strrchr(host, '.');
	size_t i;

	if (host[0] == '[')
		return true;
	last = last != NULL ? last + 1 : host;
	if (last[0] == '\0')
		return false;
	if (last[0] == '0' && (last[1] == 'x' || last[1] == 'X')) {
		for (i = 2; last[i] != '\0'; i++)
			if (hexval(last[i]) < 0)
				return false;
		return true;
	}
	for (i = 0; last[i] != '\0'; i++)
		if (last[i] < '0' || last[i] > '9')
			return false;
	return true;
}

const char *
url_org_domain(const char *host)
{
	const char *dots[128], *p;
	size_t n = 0, i;

	if (url_host_is_ip(host))
		return host;
	for (p = host; *p != '\0' && n < NELEM(dots); p++)
		if (*p == '.')
			dots[n++] = p;
	if (n == 0)
		return host;
	/* The leftmost suffix in the list is the longest public suffix. */
	for (i = 0; i < n; i++) {
		if (scan_list_has(SL_PSL, dots[i] + 1))
			return i == 0 ? host : dots[i - 1] + 1;
	}
	if (scan_list_has(SL_PSL, host))
		return host;
	return n >= 2 ? dots[n - 2] + 1 : host;
}

bool
url_same_org(const char *a, const char *b)
{
	return strcmp(url_org_domain(a), url_org_domain(b)) == 0;
}

bool
url_is_shortener(const char *host)
{
	return scan_list_has(SL_SHORTENER, host) ||
	       scan_list_has(SL_SHORTENER, url_org_domain(host));
}

bool
url_has_common_tld(const char *host)
{
	const char *dot = strrchr(host, '.');

	return dot != NULL && dot != host && dot[-1] != '.' &&
	       scan_list_has(SL_TLD, dot + 1);
}

static bool
is_hostchar(unsigned char c)
{
	return c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '-';
}

/* Case-insensitive search for needle in p[0..len); index or len. */
static size_t
find_ci(const char *p, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(p + i, needle, n) == 0)
			return i;
	return len;
}

/* One word of text as a host name with a common TLD. */
static int
word_host(const char *p, size_t len, char *out, size_t cap)
{
	struct url u;
	size_t e;

	while (len > 0 &&
	       (p[0] == '(' || p[0] == '[' || p[0] == '<' || p[0] == '"')) {
		p++;
		len--;
	}
	while (len > 0 && strchr(".,;:!?)]>\"/", p[len - 1]) != NULL)
		len--;
	for (e = 0; e < len && is_hostchar((unsigned char)p[e]); e++)
		;
	if (e == 0 || (e < len && p[e] != '/'))
		return -1;
	memset(&u, 0, sizeof(u));
	if (set_host(p, e, &u) < 0 || !url_has_common_tld(u.host) ||
	    strlen(u.host) >= cap)
		return -1;
	memcpy(out, u.host, strlen(u.host) + 1);
	return 0;
}

int
url_text_domain(const char *p, size_t len, char *out, size_t cap)
{
	struct url u;
	size_t i, e;

	if (len > SCAN_URL_MAX)
		len = SCAN_URL_MAX;
	i = find_ci(p, len, "http://");
	if (i == len)
		i = find_ci(p, len, "https://");
	if (i == len) {
		i = find_ci(p, len, "www.");
		if (i < len && i > 0 && is_hostchar((unsigned char)p[i - 1]))
			i = len;
	}
	if (i < len) {
		for (e = i; e < len && (unsigned char)p[e] > 0x20 &&
			    p[e] != '<' && p[e] != '>' && p[e] != '"';
		     e++)
			;
		if (url_parse(p + i, e - i, &u) < 0 || u.is_ip ||
		    strlen(u.host) >= cap)
			return -1;
		memcpy(out, u.host, strlen(u.host) + 1);
		return 0;
	}
	/* A word that is a host name ("paypal.com", "paypal.com/login"). */
	for (i = 0; i < len; i = e + 1) {
		while (i < len && (unsigned char)p[i] <= 0x20)
			i++;
		for (e = i; e < len && (unsigned char)p[e] > 0x20; e++)
			;
		if (word_host(p + i, e - i, out, cap) == 0)
			return 0;
	}
	return -1;
}
