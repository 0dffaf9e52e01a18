/* fuzz-sasl-plain.c: RFC 4616 PLAIN messages. The input is a decoded AUTH
 * PLAIN response. A successful split must describe the input exactly; a
 * message with an empty authzid must be rebuilt byte for byte by
 * p3_sasl_plain_build, and building from any two NUL-free halves of the
 * input must split back into them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pop3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static char *
cstr(struct p3_span s)
{
	char *p = malloc(s.len + 1);

	if (p == NULL)
		abort();
	memcpy(p, s.p, s.len);
	p[s.len] = '\0';
	return p;
}

static void
check_split(const uint8_t *d, size_t size)
{
	struct p3_span z, u, pw;
	uint8_t *out;
	char *user, *pass;
	int n;

	if (p3_sasl_plain_split(d, size, &z, &u, &pw) != 0)
		return;
	if (u.len == 0 || pw.len == 0 || z.len + u.len + pw.len + 2 != size)
		abort();
	if ((const uint8_t *)z.p != d || u.p != z.p + z.len + 1 ||
	    pw.p != u.p + u.len + 1)
		abort();
	if (memchr(z.p, '\0', z.len) != NULL ||
	    memchr(u.p, '\0', u.len) != NULL ||
	    memchr(pw.p, '\0', pw.len) != NULL)
		abort();
	if (z.len != 0)
		return;
	user = cstr(u);
	pass = cstr(pw);
	out = malloc(size);
	if (out == NULL)
		abort();
	n = p3_sasl_plain_build(user, pass, out, size);
	if (n < 0 || (size_t)n != size || memcmp(out, d, size) != 0)
		abort();
	if (p3_sasl_plain_build(user, pass, out, size - 1) != -1)
		abort();
	free(out);
	free(user);
	free(pass);
}

static void
check_build(const uint8_t *d, size_t size)
{
	struct p3_span a = {(const char *)d, size / 2};
	struct p3_span b = {(const char *)d + size / 2, size - size / 2};
	struct p3_span z, u, pw;
	char *user, *pass;
	uint8_t *out;
	int n;

	if (memchr(d, '\0', size) != NULL)
		return;
	user = cstr(a);
	pass = cstr(b);
	out = malloc(size + 2);
	if (out == NULL)
		abort();
	n = p3_sasl_plain_build(user, pass, out, size + 2);
	if (a.len == 0 || b.len == 0) {
		if (n != -1)
			abort();
	} else {
		if (n < 0 || (size_t)n != size + 2)
			abort();
		if (p3_sasl_plain_split(out, (size_t)n, &z, &u, &pw) != 0 ||
		    z.len != 0 || u.len != a.len || pw.len != b.len ||
		    memcmp(u.p, a.p, a.len) != 0 ||
		    memcmp(pw.p, b.p, b.len) != 0)
			abort();
	}
	free(out);
	free(user);
	free(pass);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_split(data, size);
	check_build(data, size);
	return 0;
}
