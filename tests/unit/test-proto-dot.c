/* test-proto-dot.c: dot-stuffing encoder, sizer and decoder, including
 * chunking at every boundary and encode/decode round trips. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "proto/pop3.h"

#define BIG 8192

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

static uint32_t
rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return n == 0 ? 0 : (uint32_t)(rng_state % n);
}

/* Encode in[0..len) in chunks of `chunk` bytes (0: random chunks) into out;
 * returns the output length, finish included. */
static size_t
encode(const void *in, size_t len, bool drop, int64_t top, size_t chunk,
    uint8_t *out, bool *stopped_r)
{
	struct p3_dotenc e;
	const uint8_t *p = in;
	size_t off = 0, o = 0;

	p3_dotenc_init(&e, drop, top);
	while (off < len) {
		size_t n = chunk != 0 ? chunk : 1 + rnd(17);

		if (n > len - off)
			n = len - off;
		o += p3_dotenc_feed(&e, p + off, n, out + o);
		off += n;
	}
	if (stopped_r != NULL)
		*stopped_r = e.stopped;
	o += p3_dotenc_finish(&e, out + o);
	return o;
}

#define ENC(in, drop, top, want)                                               \
	do {                                                                   \
		uint8_t out_[BIG];                                             \
		size_t ch_, n_;                                                \
		for (ch_ = 0; ch_ < 4; ch_++) {                                \
			n_ = encode(in, sizeof(in) - 1, drop, top,             \
			    ch_ == 3 ? sizeof(in) : ch_, out_, NULL);          \
			CHECK_MEM(out_, n_, want, sizeof(want) - 1);           \
		}                                                              \
	} while (0)

TEST(proto_dotenc_basic)
{
	ENC("", false, -1, ".\r\n");
	ENC("a\n", false, -1, "a\r\n.\r\n");
	ENC("a\r\n", false, -1, "a\r\n.\r\n");
	ENC("a\r\nb\nc", false, -1, "a\r\nb\r\nc\r\n.\r\n");
	ENC("\n\n", false, -1, "\r\n\r\n.\r\n");
}

TEST(proto_dotenc_no_final_newline)
{
	ENC("a", false, -1, "a\r\n.\r\n");
	ENC("hello\nworld", false, -1, "hello\r\nworld\r\n.\r\n");
	/* A trailing bare CR is data; finish still adds CRLF. */
	ENC("a\r", false, -1, "a\r\r\n.\r\n");
}

TEST(proto_dotenc_stuffing)
{
	ENC(".", false, -1, "..\r\n.\r\n");
	ENC(".a\n", false, -1, "..a\r\n.\r\n");
	ENC("..\n", false, -1, "...\r\n.\r\n");
	ENC("a\n.\n", false, -1, "a\r\n..\r\n.\r\n");
	ENC("x\r\n.\r\ny\r\n", false, -1, "x\r\n..\r\ny\r\n.\r\n");
	ENC("a.b\n.c.\n", false, -1, "a.b\r\n..c.\r\n.\r\n");
	ENC("\n.\n", false, -1, "\r\n..\r\n.\r\n");
}

TEST(proto_dotenc_bare_cr)
{
	ENC("a\rb\n", false, -1, "a\rb\r\n.\r\n");
	/* After a bare CR the dot is not at a line start. */
	ENC("\r.x\n", false, -1, "\r.x\r\n.\r\n");
	ENC("a\r\r\n", false, -1, "a\r\r\n.\r\n");
	ENC("\r\r\r", false, -1, "\r\r\r\r\n.\r\n");
}

TEST(proto_dotenc_nul)
{
	ENC("a\0b\n", false, -1, "a\0b\r\n.\r\n");
	ENC("a\0b\n", true, -1, "ab\r\n.\r\n");
	/* Dropping the NUL brings the dot to the line start. */
	ENC("\0.x\n", true, -1, "..x\r\n.\r\n");
	ENC("\0.x\n", false, -1, "\0.x\r\n.\r\n");
	/* A NUL between CR and LF does not split the pair when dropped. */
	ENC("a\r\0\n", true, -1, "a\r\n.\r\n");
	ENC("a\r\0\n", false, -1, "a\r\0\r\n.\r\n");
	ENC("\0\0\0", true, -1, ".\r\n");
}

TEST(proto_dotenc_top)
{
	ENC("H: v\n\nl1\nl2\nl3\n", false, 0, "H: v\r\n\r\n.\r\n");
	ENC("H: v\n\nl1\nl2\nl3\n", false, 2, "H: v\r\n\r\nl1\r\nl2\r\n.\r\n");
	ENC("H: v\n\nl1\nl2\nl3\n", false, 3,
	    "H: v\r\n\r\nl1\r\nl2\r\nl3\r\n.\r\n");
	ENC("H: v\r\n\r\nl1\r\n", false, 0, "H: v\r\n\r\n.\r\n");
	/* Beyond the end: everything. */
	ENC("H: v\n\nl1\n", false, 100, "H: v\r\n\r\nl1\r\n.\r\n");
	ENC("H: v\n\nl1", false, 5, "H: v\r\n\r\nl1\r\n.\r\n");
	/* Stuffing in the body part. */
	ENC("H\n\n.x\n.y\n", false, 1, "H\r\n\r\n..x\r\n.\r\n");
	/* Message starting with the blank line. */
	ENC("\nbody\n", false, 0, "\r\n.\r\n");
	/* "\r\r\n" is not a blank line. */
	ENC("H\n\r\r\nb\n\nc\n", false, 0, "H\r\n\r\r\nb\r\n\r\n.\r\n");
	ENC("H\n\r\nb\n", false, 0, "H\r\n\r\n.\r\n");
}

TEST(proto_dotenc_top_no_separator)
{
	ENC("H: v\nX: y\n", false, 0, "H: v\r\nX: y\r\n.\r\n");
	ENC("H: v\nX: y", false, 0, "H: v\r\nX: y\r\n.\r\n");
	ENC("", false, 0, ".\r\n");
}

TEST(proto_dotenc_top_nul_blank_line)
{
	/* With drop_nul, "\0\n" is a blank line and ends the header. */
	ENC("\0\nb\n", true, 0, "\r\n.\r\n");
	ENC("\0\nb\n\nc\n", false, 0, "\0\r\nb\r\n\r\n.\r\n");
	ENC("\0\r\nb\n", true, 0, "\r\n.\r\n");
}

TEST(proto_dotenc_stopped_ignores_rest)
{
	struct p3_dotenc e;
	uint8_t out[64];
	size_t n;

	p3_dotenc_init(&e, false, 1);
	CHECK(!e.stopped && e.limit);
	n = p3_dotenc_feed(&e, (const uint8_t *)"A\n\nb1\nb2", 8, out);
	CHECK_MEM(out, n, "A\r\n\r\nb1\r\n", 9);
	CHECK(e.stopped);
	CHECK(p3_dotenc_feed(&e, (const uint8_t *)"\nmore\n", 6, out) == 0);
	n = p3_dotenc_finish(&e, out);
	CHECK_MEM(out, n, ".\r\n", 3);

	/* RETR never stops; a huge TOP count saturates. */
	p3_dotenc_init(&e, false, -1);
	CHECK(!e.limit);
	p3_dotenc_init(&e, false, 5000000000LL);
	CHECK(e.limit && e.lines == UINT32_MAX);
}

TEST(proto_dotenc_crlf_split_every_boundary)
{
	static const char msg[] = "H: a\r\n\r\n.b\r\nc\r\n..\r\n.\r\nlast";
	static const char want[] =
	    "H: a\r\n\r\n..b\r\nc\r\n...\r\n..\r\nlast\r\n.\r\n";
	struct p3_dotenc e;
	uint8_t out[256];
	size_t cut, o;

	for (cut = 0; cut <= sizeof(msg) - 1; cut++) {
		p3_dotenc_init(&e, false, -1);
		o = p3_dotenc_feed(&e, (const uint8_t *)msg, cut, out);
		o += p3_dotenc_feed(&e, (const uint8_t *)msg + cut,
		    sizeof(msg) - 1 - cut, out + o);
		o += p3_dotenc_finish(&e, out + o);
		CHECK_MEM(out, o, want, sizeof(want) - 1);
	}
}

TEST(proto_dotenc_worst_case_fits_2x)
{
	static uint8_t in[1000], out[2000 + 5];
	struct p3_dotenc e;
	size_t i, n;

	/* ".\n" repeated doubles every byte. */
	for (i = 0; i < sizeof(in); i++)
		in[i] = i % 2 == 0 ? '.' : '\n';
	p3_dotenc_init(&e, false, -1);
	n = p3_dotenc_feed(&e, in, sizeof(in), out);
	CHECK(n == 2 * sizeof(in));
	memset(in, '\n', sizeof(in));
	p3_dotenc_init(&e, false, -1);
	n = p3_dotenc_feed(&e, in, sizeof(in), out);
	CHECK(n == 2 * sizeof(in));
}

/* ---- sizer ----------------------------------------------------------- */

static uint64_t
size_of(const void *in, size_t len, bool drop, size_t chunk)
{
	struct p3_sizer s;
	size_t off = 0;

	p3_sizer_init(&s, drop);
	while (off < len) {
		size_t n = chunk != 0 ? chunk : 1 + rnd(23);

		if (n > len - off)
			n = len - off;
		p3_sizer_feed(&s, (const uint8_t *)in + off, n);
		off += n;
	}
	return s.size;
}

TEST(proto_sizer_examples)
{
	CHECK(size_of("", 0, false, 1) == 0);
	CHECK(size_of("a\n", 2, false, 1) == 3);
	CHECK(size_of("a\r\n", 3, false, 1) == 3);
	CHECK(size_of("a\r\n", 3, false, 2) == 3);
	CHECK(size_of("a", 1, false, 1) == 1);
	CHECK(size_of(".\n", 2, false, 5) == 3);
	CHECK(size_of("a\0\n", 3, false, 5) == 4);
	CHECK(size_of("a\0\n", 3, true, 5) == 3);
	CHECK(size_of("a\r\0\n", 4, true, 1) == 3);
	CHECK(size_of("\n\n\n", 3, false, 3) == 6);
}

/* Remove the stuffing dots from encoder output (every line starting with
 * '.' had one added). */
static size_t
unstuff(const uint8_t *in, size_t len, uint8_t *out)
{
	size_t i, o = 0;
	bool bol = true;

	for (i = 0; i < len; i++) {
		if (bol && in[i] == '.') {
			bol = false;
			continue;
		}
		out[o++] = in[i];
		bol = in[i] == '\n';
	}
	return o;
}

static size_t
random_msg(uint8_t *m, size_t cap)
{
	static const char alpha[] = "ab.\r\n\0.\n";
	size_t i, n = rnd((uint32_t)cap);

	if (rnd(10) == 0) /* sometimes long plain runs */
		for (i = 0; i < n; i++)
			m[i] = rnd(8) == 0 ? '\n' : 'x';
	else
		for (i = 0; i < n; i++)
			m[i] = (uint8_t)alpha[rnd(sizeof(alpha) - 1)];
	return n;
}

TEST(proto_sizer_matches_encoder)
{
	static uint8_t msg[600], enc[1300], raw[1300];
	int iter, bad = 0;

	for (iter = 0; iter < 3000; iter++) {
		bool drop = rnd(2) == 1;
		size_t len = random_msg(msg, sizeof(msg));
		size_t chunk = iter % 3 == 0 ? 1 : (iter % 3 == 1 ? 0 : len);
		struct p3_dotenc e;
		size_t off = 0, o = 0, f, u, kept = 0, i;
		uint8_t last = '\n';
		uint8_t fin[5];

		p3_dotenc_init(&e, drop, -1);
		while (off < len) {
			size_t n = chunk != 0 ? chunk : 1 + rnd(9);

			if (n > len - off)
				n = len - off;
			o += p3_dotenc_feed(&e, msg + off, n, enc + o);
			off += n;
		}
		f = p3_dotenc_finish(&e, fin);
		u = unstuff(enc, o, raw);
		for (i = 0; i < len; i++)
			if (!(drop && msg[i] == '\0')) {
				kept++;
				last = msg[i];
			}
		if (size_of(msg, len, drop, chunk == 0 ? 0 : 1 + rnd(50)) != u)
			bad++;
		if (kept == 0 || last == '\n')
			bad += !(f == 3 && memcmp(fin, ".\r\n", 3) == 0);
		else
			bad += !(f == 5 && memcmp(fin, "\r\n.\r\n", 5) == 0);
	}
	CHECK(bad == 0);
}

/* ---- decoder --------------------------------------------------------- */

/* Decode wire[0..len) in chunks of `chunk` (0: random). Returns the last rc;
 * output and total consumed through the out-parameters. */
static int
decode(const void *wire, size_t len, bool to_lf, size_t max, size_t chunk,
    uint8_t *out, size_t *olen_r, size_t *used_r, bool *bare_r)
{
	struct p3_dotdec d;
	const uint8_t *p = wire;
	size_t off = 0, o = 0;
	int rc = 0;

	p3_dotdec_init(&d, to_lf, max);
	while (off < len) {
		size_t n = chunk != 0 ? chunk : 1 + rnd(11), ol, c;

		if (n > len - off)
			n = len - off;
		rc = p3_dotdec_feed(&d, p + off, n, out + o, &ol, &c);
		o += ol;
		off += c;
		if (rc != 0)
			break;
		if (c != n) {
			rc = -99; /* consumed less without finishing */
			break;
		}
	}
	*olen_r = o;
	*used_r = off;
	if (bare_r != NULL)
		*bare_r = d.saw_bare_lf;
	return rc;
}

#define DEC(wire, to_lf, want_rc, want, want_used, want_bare)                  \
	do {                                                                   \
		uint8_t out_[BIG];                                             \
		size_t ch_, ol_, used_;                                        \
		bool bare_;                                                    \
		for (ch_ = 0; ch_ < 4; ch_++) {                                \
			int rc_ = decode(wire, sizeof(wire) - 1, to_lf, 0,     \
			    ch_ == 3 ? sizeof(wire) : ch_, out_, &ol_, &used_, \
			    &bare_);                                           \
			CHECK(rc_ == (want_rc));                               \
			CHECK_MEM(out_, ol_, want, sizeof(want) - 1);          \
			CHECK(used_ == (want_used));                           \
			CHECK(bare_ == (want_bare));                           \
		}                                                              \
	} while (0)

TEST(proto_dotdec_basic)
{
	DEC("abc\r\n.\r\n", false, 1, "abc\r\n", 8, false);
	DEC("abc\r\n.\r\n", true, 1, "abc\n", 8, false);
	DEC(".\r\n", false, 1, "", 3, false);
	DEC("\r\n\r\n.\r\n", true, 1, "\n\n", 7, false);
}

TEST(proto_dotdec_unstuff)
{
	DEC("..x\r\n.\r\n", false, 1, ".x\r\n", 8, false);
	DEC("..\r\n.\r\n", false, 1, ".\r\n", 7, false);
	DEC("...\r\n.\r\n", true, 1, "..\n", 8, false);
	/* RFC 1939: any leading dot of a non-terminator line goes. */
	DEC(".x\r\n.\r\n", false, 1, "x\r\n", 7, false);
	DEC("a.\r\n.\r\n", false, 1, "a.\r\n", 7, false);
	DEC("x\r\n. \r\n.\r\n", false, 1, "x\r\n \r\n", 10, false);
}

TEST(proto_dotdec_trailing_bytes_stay)
{
	DEC(".\r\nEXTRA", false, 1, "", 3, false);
	DEC("a\r\n.\r\n+OK next\r\n", true, 1, "a\n", 6, false);
}

TEST(proto_dotdec_bare_lf)
{
	DEC(".\n", false, 1, "", 2, true);
	DEC("a\nb\n.\n", false, 1, "a\nb\n", 6, true);
	DEC("a\nb\n.\n", true, 1, "a\nb\n", 6, true);
	DEC("a\r\n.\n", true, 1, "a\n", 5, true);
}

TEST(proto_dotdec_bare_cr)
{
	DEC("a\rb\r\n.\r\n", false, 1, "a\rb\r\n", 8, false);
	DEC("a\rb\r\n.\r\n", true, 1, "a\rb\n", 8, false);
	DEC(".\rx\r\n.\r\n", false, 1, "\rx\r\n", 8, false);
	DEC(".\r\rx\r\n.\r\n", true, 1, "\r\rx\n", 9, false);
	DEC("\r\r\n.\r\n", true, 1, "\r\n", 6, false);
	DEC("\r\r\n.\r\n", false, 1, "\r\r\n", 6, false);
	DEC("\r.\r\n.\r\n", false, 1, "\r.\r\n", 7, false);
}

TEST(proto_dotdec_incomplete)
{
	DEC("abc\r\n.", false, 0, "abc\r\n", 6, false);
	DEC("abc\r\n.\r", false, 0, "abc\r\n", 7, false);
	DEC("abc\r", true, 0, "abc", 4, false);
	DEC("", false, 0, "", 0, false);
}

TEST(proto_dotdec_resume_and_done)
{
	struct p3_dotdec d;
	uint8_t out[32];
	size_t ol, c;

	p3_dotdec_init(&d, false, 0);
	CHECK(p3_dotdec_feed(&d, (const uint8_t *)"ab\r\n.", 5, out, &ol, &c) ==
	      0);
	CHECK(c == 5 && ol == 4);
	CHECK(p3_dotdec_feed(&d, (const uint8_t *)"\r", 1, out, &ol, &c) == 0);
	CHECK(c == 1 && ol == 0);
	CHECK(
	    p3_dotdec_feed(&d, (const uint8_t *)"\nXY", 3, out, &ol, &c) == 1);
	CHECK(c == 1 && ol == 0);
	/* Once done, nothing more is consumed. */
	CHECK(p3_dotdec_feed(&d, (const uint8_t *)"XY", 2, out, &ol, &c) == 1);
	CHECK(c == 0 && ol == 0);
	CHECK(p3_dotdec_feed(&d, NULL, 0, out, &ol, &c) == 1);
}

TEST(proto_dotdec_max_line)
{
	uint8_t out[64];
	size_t ol, used;

	/* max_line counts the line as sent, CRLF included. */
	CHECK(
	    decode("abc\r\n.\r\n", 8, false, 5, 1, out, &ol, &used, NULL) == 1);
	CHECK(decode("abcd\r\n.\r\n", 9, false, 5, 1, out, &ol, &used, NULL) ==
	      -1);
	CHECK(decode("abcd\r\n.\r\n", 9, false, 5, 9, out, &ol, &used, NULL) ==
	      -1);
	CHECK(decode("..ab\r\n.\r\n", 9, false, 5, 9, out, &ol, &used, NULL) ==
	      -1);
	CHECK(decode("abcdefgh", 8, false, 5, 8, out, &ol, &used, NULL) == -1);
	CHECK(used <= 5);
	CHECK(decode("abcdefgh", 8, false, 0, 8, out, &ol, &used, NULL) == 0);
	CHECK(decode("abcd\r\nx\r\n.\r\n", 12, false, 6, 0, out, &ol, &used,
		  NULL) == 1);
}

TEST(proto_dotdec_error_is_sticky)
{
	struct p3_dotdec d;
	uint8_t out[32];
	size_t ol, c;

	p3_dotdec_init(&d, false, 3);
	CHECK(
	    p3_dotdec_feed(&d, (const uint8_t *)"abcd", 4, out, &ol, &c) == -1);
	CHECK(p3_dotdec_feed(
		  &d, (const uint8_t *)"\r\n.\r\n", 5, out, &ol, &c) == -1);
	CHECK(c == 0);
}

/* The LF-normalised form of a stored message: CRLF -> LF, NULs dropped if
 * drop, and a final LF if the last line is unterminated. */
static size_t
normalise(const uint8_t *in, size_t len, bool drop, bool crlf, uint8_t *out)
{
	size_t i, o = 0;
	uint8_t tmp[2048];
	size_t t = 0;

	for (i = 0; i < len; i++)
		if (!(drop && in[i] == '\0'))
			tmp[t++] = in[i];
	for (i = 0; i < t; i++) {
		if (tmp[i] == '\r' && i + 1 < t && tmp[i + 1] == '\n')
			continue;
		if (tmp[i] == '\n' && crlf)
			out[o++] = '\r';
		out[o++] = tmp[i];
	}
	if (t > 0 && tmp[t - 1] != '\n') {
		if (crlf)
			out[o++] = '\r';
		out[o++] = '\n';
	}
	return o;
}

TEST(proto_dot_roundtrip_random)
{
	static uint8_t msg[600], wire[1300 + 16], dec[1400], want[1400];
	int iter, bad = 0;

	for (iter = 0; iter < 3000; iter++) {
		bool drop = rnd(2) == 1, to_lf = rnd(2) == 1;
		size_t len = random_msg(msg, sizeof(msg));
		size_t w, ol, used, wl;
		size_t chunk = iter % 4 == 0 ? 1 : (iter % 4 == 1 ? 0 : 4096);
		int rc;

		w = encode(msg, len, drop, -1, chunk == 4096 ? len + 1 : chunk,
		    wire, NULL);
		memcpy(wire + w, "+OK x\r\n", 7);
		rc =
		    decode(wire, w + 7, to_lf, 0, chunk, dec, &ol, &used, NULL);
		wl = normalise(msg, len, drop, !to_lf, want);
		if (rc != 1 || used != w || ol != wl ||
		    memcmp(dec, want, wl) != 0) {
			if (bad++ == 0)
				CHECK_MEM(dec, ol, want, wl);
		}
	}
	CHECK(bad == 0);
}

TEST(proto_dot_roundtrip_top)
{
	static const char msg[] = "A: 1\nB: 2\n\n.l1\nl2\r\n..l3\nl4";
	static const char *want[] = {
	    "A: 1\nB: 2\n\n",
	    "A: 1\nB: 2\n\n.l1\n",
	    "A: 1\nB: 2\n\n.l1\nl2\n",
	    "A: 1\nB: 2\n\n.l1\nl2\n..l3\n",
	    "A: 1\nB: 2\n\n.l1\nl2\n..l3\nl4\n",
	    "A: 1\nB: 2\n\n.l1\nl2\n..l3\nl4\n",
	};
	uint8_t wire[256], dec[256];
	size_t i, w, ol, used;

	for (i = 0; i < 6; i++) {
		bool stopped;

		w = encode(
		    msg, sizeof(msg) - 1, false, (int64_t)i, 1, wire, &stopped);
		CHECK(decode(wire, w, true, 0, 1, dec, &ol, &used, NULL) == 1);
		CHECK_MEM(dec, ol, want[i], strlen(want[i]));
		CHECK(stopped == (i < 4));
	}
}

TEST(proto_dotdec_bytewise_equals_whole)
{
	static uint8_t wire[700], a[800], b[800];
	int iter, bad = 0;

	for (iter = 0; iter < 2000; iter++) {
		static const char alpha[] = ".\r\nab";
		size_t n = rnd(sizeof(wire)), i, ola, olb, ua, ub;
		bool lf = rnd(2) == 1;
		size_t max = rnd(3) == 0 ? 1 + rnd(20) : 0;
		int ra, rb;

		for (i = 0; i < n; i++)
			wire[i] = (uint8_t)alpha[rnd(sizeof(alpha) - 1)];
		ra = decode(wire, n, lf, max, n + 1, a, &ola, &ua, NULL);
		rb = decode(wire, n, lf, max, 1, b, &olb, &ub, NULL);
		if (ra != rb || (ra != -1 && (ola != olb || ua != ub ||
						 memcmp(a, b, ola) != 0)))
			bad++;
	}
	CHECK(bad == 0);
}
