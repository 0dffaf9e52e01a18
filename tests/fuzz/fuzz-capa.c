/* fuzz-capa.c: the client's CAPA parser and the server's formatter. The input
 * is a CAPA listing (lines split on LF, a CR before it dropped). The parsed
 * result must be well-formed, format without error, and parse back from the
 * formatted reply into exactly the same structure. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pop3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
feed_lines(struct p3_capa *c, const char *p, size_t len)
{
	while (len > 0) {
		const char *lf = memchr(p, '\n', len);
		size_t n = lf != NULL ? (size_t)(lf - p) : len;
		size_t l = n > 0 && p[n - 1] == '\r' ? n - 1 : n;

		(void)p3_capa_line(c, p, l);
		if (lf == NULL)
			break;
		p += n + 1;
		len -= n + 1;
	}
}

static void
check_capa(const struct p3_capa *c)
{
	int i;
	size_t j, n;

	if (c->nsasl < 0 || c->nsasl > P3_SASL_MAX)
		abort();
	for (i = 0; i < c->nsasl; i++) {
		n = strnlen(c->sasl[i], sizeof(c->sasl[i]));
		if (n == 0 || n == sizeof(c->sasl[i]))
			abort();
		for (j = 0; j < n; j++)
			if (c->sasl[i][j] >= 'a' && c->sasl[i][j] <= 'z')
				abort();
		if (!p3_capa_has_sasl(c, c->sasl[i]))
			abort();
	}
	if (strnlen(c->implementation, sizeof(c->implementation)) ==
	    sizeof(c->implementation))
		abort();
	if (c->expire < -2 || c->login_delay < -1 ||
	    c->expire > (int64_t)UINT32_MAX ||
	    c->login_delay > (int64_t)UINT32_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct p3_capa a, b;
	char *out;
	const char *p, *end;
	int n;

	p3_capa_reset(&a);
	feed_lines(&a, (const char *)data, size);
	check_capa(&a);

	out = malloc(1024);
	if (out == NULL)
		abort();
	n = p3_capa_format(&a, out, 1024);
	if (n <= 0 || (size_t)n != strlen(out))
		abort();
	if (memcmp(out, "+OK Capability list follows\r\n", 29) != 0 ||
	    memcmp(out + n - 5, "\r\n.\r\n", 5) != 0)
		abort();
	p3_capa_reset(&b);
	p = out + 29;
	end = out + n - 3;
	while (p < end) {
		const char *e = memchr(p, '\r', (size_t)(end - p));

		if (e == NULL || e[1] != '\n' || *p == '.')
			abort();
		if (p3_capa_line(&b, p, (size_t)(e - p)) != 0)
			abort();
		p = e + 2;
	}
	if (memcmp(&a, &b, sizeof(a)) != 0)
		abort();
	free(out);
	return 0;
}
