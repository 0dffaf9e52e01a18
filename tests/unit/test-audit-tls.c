/* test-audit-tls.c: raw ClientHello construction and ServerHello parsing
 * of the auditor (src/audit/tlshello.c). */
#include <string.h>

#include "audit/tlsraw.h"
#include "harness.h"

static size_t
find16(const uint8_t *p, size_t len, uint16_t v)
{
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (p[i] == (v >> 8) && p[i + 1] == (v & 0xff))
			return i;
	return (size_t)-1;
}

TEST(audit_hello_tls12)
{
	static const uint16_t suites[] = {0xc02f, 0x0005};
	uint8_t h[4096];
	int n = au_hello_build(
	    h, sizeof(h), AU_V_TLS12, suites, 2, "mail.example.test");
	size_t rec, hs;

	CHECK(n > 0);
	if (n <= 0)
		return;
	rec = (size_t)h[3] << 8 | h[4];
	CHECK(h[0] == 22 && h[1] == 3 && h[2] == 1);
	CHECK(rec + 5 == (size_t)n);
	CHECK(h[5] == 1); /* client_hello */
	hs = (size_t)h[6] << 16 | (size_t)h[7] << 8 | h[8];
	CHECK(hs + 4 == rec);
	CHECK(h[9] == 3 && h[10] == 3);  /* client_version TLS 1.2 */
	CHECK(h[43] == 0);               /* empty session id */
	CHECK(h[44] == 0 && h[45] == 6); /* 2 suites + SCSV */
	CHECK(h[46] == 0xc0 && h[47] == 0x2f && h[48] == 0 && h[49] == 5);
	CHECK(h[50] == 0 && h[51] == 0xff);
	CHECK(memmem(h, (size_t)n, "mail.example.test", 17) != NULL);
	CHECK(find16(h + 52, (size_t)n - 52, 0x000d) != (size_t)-1);
	CHECK(find16(h + 52, (size_t)n - 52, 0xff01) != (size_t)-1);
}

TEST(audit_hello_ssl3_and_v2)
{
	static const uint16_t suites[] = {0x000a};
	uint8_t h[512];
	int n = au_hello_build(h, sizeof(h), AU_V_SSL3, suites, 1, NULL);

	CHECK(n > 0 && h[1] == 3 && h[2] == 0 && h[9] == 3 && h[10] == 0);
	/* SSLv3: no extensions after the compression methods */
	CHECK(n == 5 + 4 + 2 + 32 + 1 + 2 + 4 + 2);
	n = au_hello_v2(h, sizeof(h));
	CHECK(n > 0 && (h[0] & 0x80) && h[2] == 1);
	CHECK(((size_t)(h[0] & 0x7f) << 8 | h[1]) + 2 == (size_t)n);
	CHECK(au_hello_build(h, 20, AU_V_TLS12, suites, 1, NULL) == -1);
}

/* A ServerHello record for version v and suite s (with RI if ri). */
static size_t
server_hello(uint8_t *p, uint16_t v, uint16_t s, bool ri)
{
	size_t n = 0, body;

	p[n++] = 22;
	p[n++] = 3;
	p[n++] = 3;
	n += 2;
	p[n++] = 2;
	n += 3;
	body = n;
	p[n++] = (uint8_t)(v >> 8);
	p[n++] = (uint8_t)v;
	memset(p + n, 0x11, 32);
	n += 32;
	p[n++] = 0;
	p[n++] = (uint8_t)(s >> 8);
	p[n++] = (uint8_t)s;
	p[n++] = 0;
	if (ri) {
		static const uint8_t ext[] = {0, 5, 0xff, 0x01, 0, 1, 0};

		memcpy(p + n, ext, sizeof(ext));
		n += sizeof(ext);
	}
	p[3] = (uint8_t)((n - 5) >> 8);
	p[4] = (uint8_t)(n - 5);
	p[6] = 0;
	p[7] = (uint8_t)((n - body) >> 8);
	p[8] = (uint8_t)(n - body);
	return n;
}

TEST(audit_hello_parse)
{
	struct au_hello_res r;
	uint8_t p[256], frag[300];
	size_t n = server_hello(p, AU_V_TLS12, 0xc030, true), h;
	static const uint8_t alert[] = {21, 3, 3, 0, 2, 2, 40};
	static const uint8_t v2[] = {0x80, 0x40, 4, 0, 1};

	CHECK(au_hello_parse(p, n, &r) == 1);
	CHECK(r.kind == 1 && r.version == AU_V_TLS12 && r.suite == 0xc030);
	CHECK(r.reneg_ext && !r.heartbeat_ext);
	CHECK(au_hello_parse(p, n - 1, &r) == 0);
	CHECK(au_hello_parse(p, 3, &r) == 0);
	n = server_hello(p, AU_V_TLS10, 0x0005, false);
	CHECK(au_hello_parse(p, n, &r) == 1 && r.version == AU_V_TLS10);
	CHECK(!r.reneg_ext);
	CHECK(au_hello_parse(alert, sizeof(alert), &r) == 1);
	CHECK(r.kind == 2 && r.alert == 40);
	CHECK(au_hello_parse(v2, sizeof(v2), &r) == 1 && r.kind == 3);
	CHECK(au_hello_parse((const uint8_t *)"+OK hi\r\n", 8, &r) == -1);
	/* the handshake split over two records */
	h = n - 5;
	memcpy(frag, p, 5 + 10);
	frag[3] = 0;
	frag[4] = 10;
	frag[15] = 22;
	frag[16] = 3;
	frag[17] = 3;
	frag[18] = (uint8_t)((h - 10) >> 8);
	frag[19] = (uint8_t)(h - 10);
	memcpy(frag + 20, p + 15, h - 10);
	CHECK(au_hello_parse(frag, 20 + h - 10, &r) == 1);
	CHECK(r.kind == 1 && r.suite == 0x0005);
	/* a session id longer than 32 is malformed */
	n = server_hello(p, AU_V_TLS12, 0xc030, false);
	p[5 + 4 + 34] = 33;
	CHECK(au_hello_parse(p, n, &r) == -1);
}

TEST(audit_suite_table)
{
	size_t i, j;

	CHECK(au_nsuites >= 60);
	for (i = 0; i < au_nsuites; i++) {
		const struct au_suite *s = &au_suites[i];

		CHECK(au_suite_find(s->id) == s);
		for (j = i + 1; j < au_nsuites; j++)
			CHECK(au_suites[j].id != s->id);
		if (strstr(s->name, "NULL") != NULL)
			CHECK(s->cat & AU_CS_NULL);
		if (strstr(s->name, "RC4") != NULL)
			CHECK(s->cat & AU_CS_RC4);
		if (strstr(s->name, "EXP") == s->name)
			CHECK(s->cat & AU_CS_EXPORT);
		if (strstr(s->name, "ADH") != NULL ||
		    strstr(s->name, "AECDH") != NULL)
			CHECK(s->cat & AU_CS_ANON);
		if (strstr(s->name, "DHE") != NULL)
			CHECK(s->cat & AU_CS_PFS);
		if (strstr(s->name, "GCM") != NULL ||
		    strstr(s->name, "POLY1305") != NULL)
			CHECK(s->cat & AU_CS_AEAD);
	}
	CHECK(au_suite_find(0x1301) == NULL);
	CHECK(au_suite_find(0x000a)->cat & AU_CS_DES);
}
