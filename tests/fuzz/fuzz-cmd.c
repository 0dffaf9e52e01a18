/* fuzz-cmd.c: the server's command path. The input is a client byte stream:
 * it is cut into lines by p3_reader (fed whole, byte by byte and in chunks
 * chosen by the first byte; all three must see the same events) and each
 * line goes through p3_cmd_parse and the number parsers. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pop3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define BUFCAP 1024 /* the simulated session input buffer (>= max) */

static void
check_span(struct p3_span s, const char *lo, size_t len)
{
	if (s.len > 0 && (s.p < lo || s.p + s.len > lo + len))
		abort();
}

static void
check_cmd(const char *line, size_t len)
{
	struct p3_cmd c;
	uint32_t v;
	int i, lim;

	if (p3_cmd_parse(line, len, &c) != 0)
		return;
	if (c.keyword.len < 3 || c.keyword.len > 4 || c.keyword.p != line)
		abort();
	check_span(c.rest, line, len);
	if (c.argc < 0 || (c.rest.len == 0 && c.argc != 0))
		abort();
	lim = c.argc < P3_ARGS_MAX ? c.argc : P3_ARGS_MAX;
	for (i = 0; i < lim; i++) {
		check_span(c.argv[i], line, len);
		if (memchr(c.argv[i].p, ' ', c.argv[i].len) != NULL)
			abort();
		if (p3_parse_msgnum(c.argv[i], 100, &v) == 0 &&
		    (v < 1 || v > 100))
			abort();
		(void)p3_parse_count(c.argv[i], &v);
	}
	if (c.verb != P3_V_UNKNOWN) {
		const char *name = p3_verb_name(c.verb);

		if (strlen(name) != c.keyword.len)
			abort();
	}
}

/* Feed data in chunks of `chunk` bytes (0: sizes from the data itself) and
 * return a hash of the event sequence. Lines are also parsed. */
static uint64_t
run(const uint8_t *data, size_t size, size_t chunk, size_t max)
{
	struct p3_reader r;
	uint8_t *buf = malloc(BUFCAP);
	size_t blen = 0, off = 0, k = 0;
	uint64_t h = 1469598103934665603ULL;

	if (buf == NULL)
		abort();
	p3_reader_init(&r, max);
	while (off < size) {
		size_t take =
		    chunk != 0 ? chunk : (size_t)(1 + data[k++ % size] % 37);

		if (take > size - off)
			take = size - off;
		if (take > BUFCAP - blen)
			take = BUFCAP - blen;
		if (take == 0)
			abort(); /* a full buffer that the reader never drains
				  */
		memcpy(buf + blen, data + off, take);
		blen += take;
		off += take;
		for (;;) {
			struct p3_span l;
			size_t c;
			enum p3_rd rd = p3_reader_next(&r, buf, blen, &l, &c);

			if (c > blen)
				abort();
			if (rd == P3_RD_LINE || rd == P3_RD_NUL) {
				check_span(l, (const char *)buf, blen);
				if (l.len + 1 > max || l.len >= c)
					abort();
				if (rd == P3_RD_LINE) {
					if (memchr(l.p, '\0', l.len) != NULL)
						abort();
					check_cmd(l.p, l.len);
				}
				h = (h ^ (uint64_t)rd) * 1099511628211ULL;
				h = (h ^ l.len) * 1099511628211ULL;
				if (l.len > 0)
					h = (h ^ (uint8_t)l.p[0]) *
					    1099511628211ULL;
			} else if (rd == P3_RD_TOOLONG) {
				h = (h ^ 77) * 1099511628211ULL;
			}
			memmove(buf, buf + c, blen - c);
			blen -= c;
			if (rd == P3_RD_MORE && c == 0)
				break;
		}
	}
	free(buf);
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t max;
	uint64_t whole, bytewise, chunked;

	if (size == 0)
		return 0;
	max = data[0] % 4 == 0 ? P3_CMD_MAX : 3 + data[0] % 61;
	whole = run(data, size, BUFCAP, max);
	bytewise = run(data, size, 1, max);
	chunked = run(data, size, 0, max);
	if (whole != bytewise || whole != chunked)
		abort();
	check_cmd((const char *)data, size);
	return 0;
}
