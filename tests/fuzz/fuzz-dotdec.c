/* fuzz-dotdec.c: the client's multi-line body decoder. The first byte picks
 * the options; the rest is wire data after a "+OK" line. Decoding it whole,
 * byte by byte and in data-chosen chunks must agree, each call's output must
 * fit the documented len + 2 bytes (exactly sized heap buffers, so ASan
 * notices), and a terminator must really be one. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pop3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct result {
	int rc;
	size_t used;
	size_t olen;
	uint8_t *out;
};

static void
decode(const uint8_t *w, size_t len, bool to_lf, size_t max, size_t chunk,
    const uint8_t *sizes, size_t nsizes, struct result *res)
{
	struct p3_dotdec d;
	size_t off = 0, k = 0;

	res->rc = 0;
	res->olen = 0;
	res->out = malloc(len + 1);
	if (res->out == NULL)
		abort();
	p3_dotdec_init(&d, to_lf, max);
	while (off < len) {
		size_t n = chunk, ol, c;
		uint8_t *tmp;

		if (n == 0)
			n = nsizes > 0 ? 1 + sizes[k++ % nsizes] % 19 : 7;
		if (n > len - off)
			n = len - off;
		tmp = malloc(n + 2);
		if (tmp == NULL)
			abort();
		res->rc = p3_dotdec_feed(&d, w + off, n, tmp, &ol, &c);
		if (c > n || ol > n + 2)
			abort();
		memcpy(res->out + res->olen, tmp, ol);
		free(tmp);
		res->olen += ol;
		off += c;
		if (res->olen > off)
			abort(); /* output never exceeds the input */
		if (res->rc != 0)
			break;
		if (c != n)
			abort(); /* "need more" must take everything */
	}
	res->used = off;
}

static void
check_terminator(const uint8_t *w, size_t used)
{
	if (used < 2 || w[used - 1] != '\n')
		abort();
	if (w[used - 2] == '.') {
		if (used > 2 && w[used - 3] != '\n')
			abort();
	} else if (w[used - 2] != '\r' || used < 3 || w[used - 3] != '.' ||
		   (used > 3 && w[used - 4] != '\n')) {
		abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result a, b, c;
	bool to_lf;
	size_t max;

	if (size == 0)
		return 0;
	to_lf = data[0] & 1;
	max = data[0] & 2 ? 1 + (data[0] >> 2) : 0;
	data++;
	size--;
	decode(data, size, to_lf, max, size + 1, NULL, 0, &a);
	decode(data, size, to_lf, max, 1, NULL, 0, &b);
	decode(data, size, to_lf, max, 0, data, size, &c);
	if (a.rc != b.rc || a.rc != c.rc)
		abort();
	if (a.rc != -1) {
		if (a.used != b.used || a.used != c.used)
			abort();
		if (a.olen != b.olen || a.olen != c.olen ||
		    memcmp(a.out, b.out, a.olen) != 0 ||
		    memcmp(a.out, c.out, a.olen) != 0)
			abort();
	}
	if (a.rc == 1)
		check_terminator(data, a.used);
	if (a.rc == 0 && a.used != size)
		abort();
	free(a.out);
	free(b.out);
	free(c.out);
	return 0;
}
