/* idn.c: punycode decoding (RFC 3492), script mixing and confusable
 * skeletons.
 *
 * The confusables table is a small subset of the Unicode TR 39 data
 * (confusables.txt, prototypes in Latin): the Cyrillic and Greek lower-case
 * letters that look like Latin ones, a few Latin look-alikes (dotless i,
 * script g, ell symbols) and the ASCII digit tricks 0 -> o and 1 -> l, plus
 * the sequences "rn" -> "m" and "vv" -> "w". Real TR 39 skeletons cover
 * thousands of characters; this subset targets the ones used against
 * Latin-script domains (docs/phishing.md). */
#include <string.h>

#include <glib.h>

#include "scan/idn.h"

static const struct {
	uint32_t cp;
	char ascii;
} conf[] = {
    /* Cyrillic */
    {0x0430, 'a'},
    {0x0435, 'e'},
    {0x043e, 'o'},
    {0x0440, 'p'},
    {0x0441, 'c'},
    {0x0443, 'y'},
    {0x0445, 'x'},
    {0x0455, 's'},
    {0x0456, 'i'},
    {0x0458, 'j'},
    {0x051b, 'q'},
    {0x051d, 'w'},
    {0x04cf, 'l'},
    {0x04bb, 'h'},
    {0x0501, 'd'},
    {0x044c, 'b'},
    {0x0457, 'i'},
    {0x04bd, 'e'},
    {0x0475, 'v'},
    {0x050d, 'g'},
    /* Greek */
    {0x03b1, 'a'},
    {0x03bf, 'o'},
    {0x03c1, 'p'},
    {0x03bd, 'v'},
    {0x03b9, 'i'},
    {0x03c7, 'x'},
    {0x03c5, 'u'},
    {0x03b3, 'y'},
    {0x03f2, 'c'},
    {0x03f3, 'j'},
    /* Latin look-alikes and symbols */
    {0x0131, 'i'},
    {0x0251, 'a'},
    {0x0261, 'g'},
    {0x2113, 'l'},
    {0x217c, 'l'},
    {0x0269, 'i'},
    {0x01c0, 'l'},
    {0x0578, 'n'},
    {0x0585, 'o'},
    {0x057d, 'u'},
    {0x0566, 'q'},
    {0x13a0, 'd'},
    /* ASCII digits */
    {'0', 'o'},
    {'1', 'l'},
};

static char
conf_map(gunichar c)
{
	size_t i;

	for (i = 0; i < sizeof(conf) / sizeof(conf[0]); i++)
		if (conf[i].cp == c)
			return conf[i].ascii;
	return '\0';
}

enum { BASE = 36, TMIN = 1, TMAX = 26, SKEW = 38, DAMP = 700 };

static uint32_t
adapt(uint32_t delta, uint32_t npoints, bool first)
{
	uint32_t k = 0;

	delta = first ? delta / DAMP : delta / 2;
	delta += delta / npoints;
	while (delta > ((BASE - TMIN) * TMAX) / 2) {
		delta /= BASE - TMIN;
		k += BASE;
	}
	return k + (BASE - TMIN + 1) * delta / (delta + SKEW);
}

static int
digit_val(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0' + 26;
	if (c >= 'a' && c <= 'z')
		return c - 'a';
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	return -1;
}

int
idn_punycode_decode(
    const char *p, size_t len, uint32_t *out, size_t cap, size_t *n_r)
{
	uint32_t n = 128, i = 0, bias = 72, oldi, w, k, t, digit;
	size_t b = 0, in, o = 0, j;
	const char *dash = memrchr(p, '-', len);

	if (dash != NULL) {
		b = (size_t)(dash - p);
		if (b > cap)
			return -1;
		for (j = 0; j < b; j++) {
			if ((unsigned char)p[j] >= 0x80)
				return -1;
			out[o++] = (unsigned char)p[j];
		}
	}
	for (in = b > 0 ? b + 1 : 0; in < len;) {
		oldi = i;
		w = 1;
		for (k = BASE;; k += BASE) {
			int d;

			if (in >= len || (d = digit_val(p[in++])) < 0)
				return -1;
			digit = (uint32_t)d;
			if (digit > (UINT32_MAX - i) / w)
				return -1;
			i += digit * w;
			t = k <= bias          ? TMIN
			    : k >= bias + TMAX ? TMAX
					       : k - bias;
			if (digit < t)
				break;
			if (w > UINT32_MAX / (BASE - t))
				return -1;
			w *= BASE - t;
		}
		bias = adapt(i - oldi, (uint32_t)o + 1, oldi == 0);
		if (i / ((uint32_t)o + 1) > UINT32_MAX - n)
			return -1;
		n += i / ((uint32_t)o + 1);
		i %= (uint32_t)o + 1;
		if (o >= cap || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff))
			return -1;
		memmove(out + i + 1, out + i, (o - i) * sizeof(*out));
		out[i++] = n;
		o++;
	}
	*n_r = o;
	return 0;
}

int
idn_to_unicode(const char *host, char *out, size_t cap)
{
	const char *p = host, *dot;
	uint32_t cps[64];
	size_t o = 0, len, n, k;
	char u[8];
	int ul;

	for (;;) {
		dot = strchr(p, '.');
		len = dot != NULL ? (size_t)(dot - p) : strlen(p);
		if (len > 4 && g_ascii_strncasecmp(p, "xn--", 4) == 0 &&
		    idn_punycode_decode(p + 4, len - 4, cps, 64, &n) == 0) {
			for (k = 0; k < n; k++) {
				ul = g_unichar_to_utf8(cps[k], u);
				if (o + (size_t)ul >= cap)
					return -1;
				memcpy(out + o, u, (size_t)ul);
				o += (size_t)ul;
			}
		} else {
			if (o + len >= cap)
				return -1;
			memcpy(out + o, p, len);
			o += len;
		}
		if (dot == NULL)
			break;
		if (o + 1 >= cap)
			return -1;
		out[o++] = '.';
		p = dot + 1;
	}
	out[o] = '\0';
	return 0;
}

/* Bit for the scripts that have Latin look-alikes; 0 for others. */
static unsigned
script_bit(gunichar c)
{
	switch (g_unichar_get_script(c)) {
	case G_UNICODE_SCRIPT_LATIN:
		return 1;
	case G_UNICODE_SCRIPT_CYRILLIC:
		return 2;
	case G_UNICODE_SCRIPT_GREEK:
		return 4;
	case G_UNICODE_SCRIPT_ARMENIAN:
		return 8;
	case G_UNICODE_SCRIPT_CHEROKEE:
		return 16;
	default:
		return 0;
	}
}

bool
idn_mixed_script(const char *uhost, char *label, size_t cap)
{
	const char *p = uhost, *start = uhost;
	unsigned bits = 0;

	if (!g_utf8_validate(uhost, -1, NULL))
		return false;
	for (;; p += g_utf8_skip[(unsigned char)*p]) {
		gunichar c = g_utf8_get_char(p);

		if (c == '.' || c == '\0') {
			if ((bits & (bits - 1)) != 0) {
				size_t n = (size_t)(p - start);

				if (n >= cap)
					n = cap - 1;
				memcpy(label, start, n);
				label[n] = '\0';
				return true;
			}
			if (c == '\0')
				return false;
			bits = 0;
			start = p + 1;
			continue;
		}
		if (g_unichar_isalpha(c))
			bits |= script_bit(c);
	}
}

int
idn_skeleton(const char *s, char *out, size_t cap)
{
	gchar *nf, *lc, *p;
	size_t o = 0;
	char m;
	int ul, rc = 0;

	if (!g_utf8_validate(s, -1, NULL))
		return -1;
	nf = g_utf8_normalize(s, -1, G_NORMALIZE_NFKC);
	if (nf == NULL)
		return -1;
	lc = g_utf8_strdown(nf, -1);
	g_free(nf);
	for (p = lc; *p != '\0' && rc == 0; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);
		char u[8];

		if ((m = conf_map(c)) != '\0') {
			u[0] = m;
			ul = 1;
		} else {
			ul = g_unichar_to_utf8(c, u);
		}
		/* "rn" -> "m", "vv" -> "w" */
		if (o > 0 && ul == 1 &&
		    ((out[o - 1] == 'r' && u[0] == 'n') ||
			(out[o - 1] == 'v' && u[0] == 'v'))) {
			out[o - 1] = u[0] == 'n' ? 'm' : 'w';
			continue;
		}
		if (o + (size_t)ul >= cap)
			rc = -1;
		else {
			memcpy(out + o, u, (size_t)ul);
			o += (size_t)ul;
		}
	}
	g_free(lc);
	if (rc == 0)
		out[o] = '\0';
	return rc;
}

bool
idn_whole_script_confusable(const char *uhost)
{
	const char *p = uhost, *tld = strrchr(uhost, '.');
	unsigned bits = 0;
	bool all = true, letters = false;

	if (tld == NULL || !g_utf8_validate(uhost, -1, NULL))
		return false;
	for (p = tld + 1; *p != '\0'; p++)
		if ((unsigned char)*p >= 0x80)
			return false;
	for (p = uhost; p <= tld; p += g_utf8_skip[(unsigned char)*p]) {
		gunichar c = g_utf8_get_char(p);

		if (c == '.') {
			if (letters && all && (bits == 2 || bits == 4))
				return true;
			bits = 0;
			all = true;
			letters = false;
			continue;
		}
		if (!g_unichar_isalpha(c))
			continue;
		letters = true;
		bits |= script_bit(c);
		if (conf_map(c) == '\0')
			all = false;
	}
	return false;
}
