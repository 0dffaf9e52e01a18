/* fuzz-dotenc.c: the server's RETR/TOP encoder and the sizer. Byte 0 holds
 * options, byte 1 the TOP line count, the rest is a stored message. Checks:
 * output fits 2*len (exact heap buffers), the wire has only CRLF line ends
 * and every line starting with '.' is stuffed, the sizer equals the output
 * without stuffing, decoding gives back the LF-normalised message, and TOP
 * output is a prefix of RETR output. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "proto/pop3.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Encode msg in chunks sized from sizes[] (whole if nsizes is 0), each
 * into an exactly 2*n heap buffer; returns the wire form in *wire_r, its
 * length, and the length before finish() in *body_r. */
static size_t
encode(const uint8_t *m, size_t len, bool drop, int64_t top,
    const uint8_t *sizes, size_t nsizes, uint8_t **wire_r, size_t *body_r,
    bool *stopped_r)
{
	struct p3_dotenc e;
	uint8_t *wire = malloc(2 * len + 5), *tmp;
	size_t off = 0, o = 0, k = 0, w;

	if (wire == NULL)
		abort();
	p3_dotenc_init(&e, drop, top);
	while (off < len) {
		size_t n = len - off;

		if (nsizes > 0)
			n = (size_t)(1 + sizes[k++ % nsizes] % 23);
		if (n > len - off)
			n = len - off;
		tmp = malloc(2 * n);
		if (tmp == NULL)
			abort();
		w = p3_dotenc_feed(&e, m + off, n, tmp);
		if (w > 2 * n)
			abort();
		memcpy(wire + o, tmp, w);
		free(tmp);
		o += w;
		off += n;
	}
	*body_r = o;
	*stopped_r = e.stopped;
	tmp = malloc(5);
	if (tmp == NULL)
		abort();
	w = p3_dotenc_finish(&e, tmp);
	memcpy(wire + o, tmp, w);
	free(tmp);
	*wire_r = wire;
	return o + w;
}

static size_t
decode(const uint8_t *w, size_t len, uint8_t *out)
{
	struct p3_dotdec d;
	size_t ol, used;

	p3_dotdec_init(&d, true, 0);
	if (p3_dotdec_feed(&d, w, len, out, &ol, &used) != 1 || used != len)
		abort();
	if (d.saw_bare_lf)
		abort();
	return ol;
}

static size_t
normalise(const uint8_t *in, size_t len, bool drop, uint8_t *out)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		if (drop && in[i] == '\0')
			continue;
		if (in[i] == '\n' && o > 0 && out[o - 1] == '\r')
			o--;
		out[o++] = in[i];
	}
	if (o > 0 && out[o - 1] != '\n')
		out[o++] = '\n';
	return o;
}

static void
check_wire(const uint8_t *w, size_t len)
{
	size_t i;
	bool bol = true;

	if (len < 3 || memcmp(w + len - 3, ".\r\n", 3) != 0)
		abort();
	for (i = 0; i + 3 < len; i++) {
		if (w[i] == '\n' && (i == 0 || w[i - 1] != '\r'))
			abort();
		if (bol && w[i] == '.' && w[i + 1] != '.')
			abort();
		bol = w[i] == '\n';
	}
	if (!bol)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool drop, stopped;
	int64_t top;
	const uint8_t *m;
	uint8_t *wire, *twire, *dec, *tdec, *norm;
	size_t len, wl, body, twl, tbody, dl, tdl, nl, i, o;
	struct p3_sizer s;

	if (size < 2)
		return 0;
	drop = data[0] & 1;
	top = data[1] % 8;
	m = data + 2;
	len = size - 2;

	wl = encode(m, len, drop, -1, data, (data[0] & 2) ? size : 0, &wire,
	    &body, &stopped);
	if (stopped)
		abort();
	check_wire(wire, wl);

	/* Sizer, fed byte by byte, equals the unstuffed body. */
	p3_sizer_init(&s, drop);
	for (i = 0; i < len; i++)
		p3_sizer_feed(&s, m + i, 1);
	for (i = 0, o = 0; i < body; i++)
		if (!(wire[i] == '.' && (i == 0 || wire[i - 1] == '\n')))
			o++;
	if (s.size != o)
		abort();

	dec = malloc(wl + 1);
	norm = malloc(len + 2);
	if (dec == NULL || norm == NULL)
		abort();
	dl = decode(wire, wl, dec);
	nl = normalise(m, len, drop, norm);
	if (dl != nl || memcmp(dec, norm, dl) != 0)
		abort();

	twl = encode(m, len, drop, top, data, size, &twire, &tbody, &stopped);
	check_wire(twire, twl);
	tdec = malloc(twl + 1);
	if (tdec == NULL)
		abort();
	tdl = decode(twire, twl, tdec);
	if (tdl > dl || memcmp(tdec, dec, tdl) != 0)
		abort();
	if (!stopped && tdl != dl)
		abort();
	free(wire);
	free(twire);
	free(dec);
	free(tdec);
	free(norm);
	return 0;
}
