/* test-lib.c: buffers, strict numbers, base64, escaping, IPC frames. */
#include <string.h>

#include "auth/ipc.h"
#include "harness.h"
#include "lib/buf.h"
#include "lib/log.h"
#include "lib/num.h"
#include "lib/util.h"

TEST(lib_buf_cap)
{
	struct buf b;

	buf_init(&b, 8);
	CHECK(buf_append(&b, "abcd", 4) == 0);
	CHECK(buf_puts(&b, "efgh") == 0);
	CHECK(buf_append(&b, "i", 1) == -1);
	CHECK(b.len == 8);
	CHECK_STR((char *)b.data, "abcdefgh");
	buf_consume(&b, 3);
	CHECK_STR((char *)b.data, "defgh");
	CHECK(buf_printf(&b, "%d", 123) == 0);
	CHECK(buf_printf(&b, "%d", 1) == -1);
	CHECK_STR((char *)b.data, "defgh123");
	buf_reset(&b);
	CHECK(b.len == 0);
	buf_free(&b);
	CHECK(b.data == NULL);
}

TEST(lib_num_strict)
{
	static const struct {
		const char *s;
		int ok;
		uint64_t v;
	} t[] = {
	    {"0", 0, 0},
	    {"1", 0, 1},
	    {"4294967295", 0, 4294967295u},
	    {"4294967296", -1, 0},
	    {"4294967297", -1, 0},
	    {"+1", -1, 0},
	    {"-1", -1, 0},
	    {" 1", -1, 0},
	    {"1 ", -1, 0},
	    {"", -1, 0},
	    {"1a", -1, 0},
	    {"99999999999999999999999", -1, 0},
	    {"007", 0, 7},
	};
	uint64_t v;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		v = 999;
		CHECK(num_parse_str(t[i].s, 0, UINT32_MAX, &v) == t[i].ok);
		if (t[i].ok == 0)
			CHECK(v == t[i].v);
	}
	CHECK(num_parse_str("18446744073709551615", 0, UINT64_MAX, &v) == 0);
	CHECK(num_parse_str("18446744073709551616", 0, UINT64_MAX, &v) < 0);
	CHECK(num_parse_duration("10m", &v) == 0 && v == 600);
	CHECK(num_parse_duration("2h", &v) == 0 && v == 7200);
	CHECK(num_parse_duration("30", &v) == 0 && v == 30);
	CHECK(num_parse_duration("x", &v) < 0);
	CHECK(num_parse_duration("m", &v) < 0);
}

TEST(lib_base64)
{
	static const char *plain[] = {
	    "", "f", "fo", "foo", "foob", "fooba", "foobar"};
	static const char *enc[] = {
	    "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
	char out[32];
	uint8_t dec[32];
	size_t i, n;

	for (i = 0; i < 7; i++) {
		b64_encode((const uint8_t *)plain[i], strlen(plain[i]), out);
		CHECK_STR(out, enc[i]);
		CHECK(b64_decode(
			  enc[i], strlen(enc[i]), dec, sizeof(dec), &n) == 0);
		CHECK_MEM(dec, n, plain[i], strlen(plain[i]));
	}
	CHECK(b64_decode("Zg=", 3, dec, sizeof(dec), &n) < 0);
	CHECK(b64_decode("Zh==", 4, dec, sizeof(dec), &n) < 0); /* bits */
	CHECK(b64_decode("Z!==", 4, dec, sizeof(dec), &n) < 0);
	CHECK(b64_decode("Zm9vYmFy", 8, dec, 5, &n) < 0); /* too long */
	CHECK(b64_decode("Zm=v", 4, dec, sizeof(dec), &n) < 0);
}

TEST(lib_log_escape)
{
	char out[64];

	CHECK_STR(log_escape("ab\r\n\x01\"\\", 7, out, sizeof(out)),
	    "ab\\x0d\\x0a\\x01\\x22\\x5c");
	log_escape("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		   "aaaaaaaaaaaa",
	    71, out, 16);
	CHECK(strlen(out) < 16);
	CHECK(strstr(out, "...") != NULL);
}

TEST(lib_util_strings)
{
	char small[4];

	CHECK(str_copy(small, "abc", sizeof(small)) == 0);
	CHECK(str_copy(small, "abcd", sizeof(small)) == -1);
	CHECK_STR(small, "abc");
	CHECK(str_fmt(small, sizeof(small), "%d", 12345) == -1);
	CHECK(str_case_eq("StLs", 4, "STLS"));
	CHECK(!str_case_eq("STL", 3, "STLS"));
	CHECK(mem_equal_ct("abc", "abc", 3));
	CHECK(!mem_equal_ct("abc", "abd", 3));
}

TEST(lib_ipc_frames)
{
	uint8_t buf[IPC_FRAME_MAX];
	struct p3_span f[3] = {{"alice", 5}, {"s\0cret", 6}, {"", 0}};
	struct ipc_msg m;
	int n;

	n = ipc_encode(IPC_AUTH_PASS, 77, f, 3, buf, sizeof(buf));
	CHECK(n == 6 + 2 + 5 + 2 + 6 + 2);
	CHECK(ipc_decode(buf, (size_t)n, &m) == 0);
	CHECK(ipc_expect(&m, IPC_AUTH_PASS, 3) == 0);
	CHECK(ipc_expect(&m, IPC_AUTH_PASS, 2) < 0);
	CHECK(m.id == 77);
	CHECK_MEM(m.f[1].p, m.f[1].len, "s\0cret", 6);
	/* Truncated, trailing junk, and lying lengths fail closed. */
	CHECK(ipc_decode(buf, (size_t)n - 1, &m) < 0);
	buf[n] = 'x';
	CHECK(ipc_decode(buf, (size_t)n + 1, &m) < 0);
	buf[6] = 0xff;
	CHECK(ipc_decode(buf, (size_t)n, &m) < 0);
	CHECK(ipc_encode(1, 1, f, 3, buf, 10) < 0);
	CHECK(ipc_decode(buf, 3, &m) < 0);
}
