/* safename.c: safe file names for extracted attachments; exclusive,
 * non-overwriting creation. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "mime/mime.h"

/* Characters dropped from names: controls, bidi and zero-width. */
static bool
is_dropped(gunichar c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
	       c == 0x061c || (c >= 0x200b && c <= 0x200f) ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2060 && c <= 0x2069) ||
	       c == 0xfeff;
}

/* Characters that file systems or shells treat specially. */
static bool
is_replaced(gunichar c)
{
	return c == ':' || c == '*' || c == '?' || c == '"' || c == '<' ||
	       c == '>' || c == '|';
}

/* True if s[0..len) names a Windows device (CON, NUL, COM1, LPT1, ...)
 * before its first dot: such a file cannot be opened on Windows or on some
 * shares, and writing "con.txt" there reaches the console. */
static bool
is_device_name(const char *s, size_t len)
{
	static const char *const dev[] = {"con", "prn", "aux", "nul"};
	const char *dot = memchr(s, '.', len);
	size_t n = dot != NULL ? (size_t)(dot - s) : len, i;

	while (n > 0 && s[n - 1] == ' ')
		n--;
	for (i = 0; i < sizeof(dev) / sizeof(dev[0]); i++)
		if (n == 3 && g_ascii_strncasecmp(s, dev[i], 3) == 0)
			return true;
	return n == 4 &&
	       (g_ascii_strncasecmp(s, "com", 3) == 0 ||
		   g_ascii_strncasecmp(s, "lpt", 3) == 0) &&
	       s[3] >= '1' && s[3] <= '9';
}

/* Longest prefix of s[0..len) that ends on a UTF-8 character boundary and
 * is at most max bytes. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	size_t n = len < max ? len : max;

	while (n > 0 && n < len && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n;
}

/* Start of the extension (a '.' not at 0, at most 16 bytes), or len. */
static size_t
ext_start(const char *s, size_t len)
{
	const char *dot = memrchr(s, '.', len);

	if (dot == NULL || dot == s || len - (size_t)(dot - s) > 16)
		return len;
	return (size_t)(dot - s);
}

void
mime_safe_name(const char *name, size_t idx, char *out, size_t cap)
{
	const char *p, *slash;
	size_t len, i, o = 0, max, e, keep;
	gunichar c;
	char tmp[4 * MIME_FILENAME_MAX + 8];

	max = cap - 1 < MIME_FILENAME_MAX ? cap - 1 : MIME_FILENAME_MAX;
	p = name != NULL ? name : "";
	if ((slash = strrchr(p, '/')) != NULL)
		p = slash + 1;
	if ((slash = strrchr(p, '\\')) != NULL)
		p = slash + 1;
	len = strlen(p);
	for (i = 0; i < len && o + 4 < sizeof(tmp);) {
		c = g_utf8_get_char_validated(p + i, (gssize)(len - i));
		if (c == (gunichar)-1 || c == (gunichar)-2) {
			tmp[o++] = '_';
			i++;
			continue;
		}
		e = (size_t)g_utf8_skip[(unsigned char)p[i]];
		if (is_replaced(c))
			tmp[o++] = '_';
		else if (!is_dropped(c)) {
			memcpy(tmp + o, p + i, e);
			o += e;
		}
		i += e;
	}
	/* No hidden files, no "." or "..", no trailing dots or spaces. */
	i = 0;
	while (i < o && (tmp[i] == '.' || tmp[i] == ' '))
		i++;
	while (o > i && (tmp[o - 1] == '.' || tmp[o - 1] == ' '))
		o--;
	if (o > i && is_device_name(tmp + i, o - i)) {
		memmove(tmp + i + 1, tmp + i, o - i); /* o < sizeof(tmp) */
		tmp[i] = '_';
		o++;
	}
	p = tmp + i;
	len = o - i;
	if (len == 0) {
		if (str_fmt(out, cap, "attachment-%zu", idx) < 0)
			out[0] = '\0';
		return;
	}
	if (len <= max) {
		memcpy(out, p, len);
		out[len] = '\0';
		return;
	}
	e = ext_start(p, len);
	if (len - e >= max / 2)
		e = len;
	keep = utf8_cut(p, e, max - (len - e));
	memcpy(out, p, keep);
	memcpy(out + keep, p + e, len - e);
	out[keep + len - e] = '\0';
}

int
mime_create_unique(int dirfd, const char *name, char *used, size_t cap)
{
	const int fl = O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC;
	size_t len = strlen(name), e = ext_start(name, len), stem;
	char sfx[16];
	int fd, k, n;

	if (len == 0 || strchr(name, '/') != NULL || strcmp(name, ".") == 0 ||
	    strcmp(name, "..") == 0) {
		errno = EINVAL;
		return -1;
	}
	for (k = 0; k < MIME_UNIQUE_TRIES; k++) {
		if (k == 0) {
			if (str_copy(used, name, cap) < 0) {
				errno = ENAMETOOLONG;
				return -1;
			}
		} else {
			n = str_fmt(sfx, sizeof(sfx), " (%d)", k);
			if (n < 0 || cap < (size_t)n + (len - e) + 2) {
				errno = ENAMETOOLONG;
				return -1;
			}
			stem =
			    utf8_cut(name, e, cap - 1 - (size_t)n - (len - e));
			memcpy(used, name, stem);
			memcpy(used + stem, sfx, (size_t)n);
			memcpy(used + stem + (size_t)n, name + e, len - e);
			used[stem + (size_t)n + len - e] = '\0';
		}
		fd = openat(dirfd, used, fl, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd;
	}
	errno = EEXIST;
	return -1;
}
