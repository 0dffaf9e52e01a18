/* util.c: string, memory, base64 and clock helpers. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "lib/util.h"

int
str_copy(char *dst, const char *src, size_t size)
{
	size_t n = strlen(src);

	if (size == 0)
		return -1;
	if (n >= size) {
		memcpy(dst, src, size - 1);
		dst[size - 1] = '\0';
		return -1;
	}
	memcpy(dst, src, n + 1);
	return 0;
}

int
str_fmt(char *dst, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(dst, size, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size)
		return -1;
	return n;
}

bool
str_case_eq(const char *p, size_t len, const char *s)
{
	return strlen(s) == len && strncasecmp(p, s, len) == 0;
}

uint32_t
str_hash(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s != '\0')
		h = (h ^ (unsigned char)*s++) * 16777619u;
	return h;
}

void
mem_wipe(void *p, size_t len)
{
	if (p != NULL && len > 0)
		explicit_bzero(p, len);
}

bool
mem_equal_ct(const void *a, const void *b, size_t len)
{
	const volatile unsigned char *x = a, *y = b;
	unsigned char d = 0;
	size_t i;

	for (i = 0; i < len; i++)
		d |= x[i] ^ y[i];
	return d == 0;
}

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
b64_encode(const uint8_t *in, size_t len, char *out)
{
	size_t i, o = 0;

	for (i = 0; i + 2 < len; i += 3) {
		out[o++] = b64chars[in[i] >> 2];
		out[o++] = b64chars[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
		out[o++] = b64chars[((in[i + 1] & 15) << 2) | (in[i + 2] >> 6)];
		out[o++] = b64chars[in[i + 2] & 63];
	}
	if (i < len) {
		out[o++] = b64chars[in[i] >> 2];
		if (i + 1 < len) {
			out[o++] =
			    b64chars[((in[i] & 3) << 4) | (in[i + 1] >> 4)];
			out[o++] = b64chars[(in[i + 1] & 15) << 2];
		} else {
			out[o++] = b64chars[(in[i] & 3) << 4];
			out[o++] = '=';
		}
		out[o++] = '=';
	}
	out[o] = '\0';
	return o;
}

static int
b64_val(char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
b64_decode(
    const char *in, size_t len, uint8_t *out, size_t outcap, size_t *outlen_r)
{
	size_t i, o = 0, pad = 0;
	int v[4];

	if (len % 4 != 0)
		return -1;
	if (len > 0 && in[len - 1] == '=')
		pad++;
	if (len > 1 && in[len - 2] == '=')
		pad++;
	for (i = 0; i < len; i += 4) {
		int k, n = 4;

		if (i + 4 == len)
			n = 4 - (int)pad;
		for (k = 0; k < 4; k++) {
			v[k] = k < n ? b64_val(in[i + k]) : 0;
			if (v[k] < 0)
				return -1;
		}
		/* The padding bits must be zero (canonical encoding). */
		if (n == 2 && (v[1] & 15) != 0)
			return -1;
		if (n == 3 && (v[2] & 3) != 0)
			return -1;
		if (o + (size_t)(n - 1) > outcap)
			return -1;
		out[o++] = (uint8_t)((v[0] << 2) | (v[1] >> 4));
		if (n > 2)
			out[o++] = (uint8_t)(((v[1] & 15) << 4) | (v[2] >> 2));
		if (n > 3)
			out[o++] = (uint8_t)(((v[2] & 3) << 6) | v[3]);
	}
	*outlen_r = o;
	return 0;
}

int
fd_write_all(int fd, const void *p, size_t len)
{
	const uint8_t *b = p;
	ssize_t w;

	while (len > 0) {
		w = write(fd, b, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			if (w == 0)
				errno = EIO;
			return -1;
		}
		b += w;
		len -= (size_t)w;
	}
	return 0;
}

uint64_t
time_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}
