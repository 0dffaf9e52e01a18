/* tlshello.c: raw ClientHello construction and ServerHello/alert parsing
 * (RFC 5246 §7.4.1, RFC 6101, the SSLv2 draft), and the table of TLS
 * 1.0-1.2 cipher suites the raw hellos offer with their categories (IANA
 * code points; OpenSSL names where OpenSSL has one). Bounds are checked on
 * every field; nothing here does I/O. */
#include <string.h>
#include <openssl/rand.h>

#include "audit/tlsraw.h"

struct w {
	uint8_t *p;
	size_t len, cap;
	bool bad;
};

static void
put(struct w *w, const void *p, size_t n)
{
	if (w->bad || n > w->cap - w->len) {
		w->bad = true;
		return;
	}
	memcpy(w->p + w->len, p, n);
	w->len += n;
}

static void
u8(struct w *w, unsigned v)
{
	uint8_t b = (uint8_t)v;

	put(w, &b, 1);
}

static void
u16(struct w *w, unsigned v)
{
	u8(w, v >> 8);
	u8(w, v & 0xff);
}

/* Patch a 16- or 24-bit length at off covering everything after it. */
static void
patch(struct w *w, size_t off, int bytes)
{
	size_t n;

	if (w->bad)
		return;
	n = w->len - off - (size_t)bytes;
	if (bytes == 3) {
		w->p[off] = (uint8_t)(n >> 16);
		off++;
	}
	w->p[off] = (uint8_t)(n >> 8);
	w->p[off + 1] = (uint8_t)n;
}

static void
extensions(struct w *w, uint16_t v, const char *sni)
{
	static const uint16_t groups[] = {
	    0x001d, 0x0017, 0x0018, 0x0019, 0x001e, 0x0100, 0x0101};
	static const uint16_t sigalgs[] = {0x0403, 0x0503, 0x0603, 0x0804,
	    0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0203, 0x0201, 0x0402,
	    0x0202};
	size_t ext, o;
	size_t i;

	ext = w->len;
	u16(w, 0);
	if (sni != NULL && strlen(sni) < 256) {
		u16(w, 0x0000);
		o = w->len;
		u16(w, 0);
		u16(w, (unsigned)strlen(sni) + 3);
		u8(w, 0);
		u16(w, (unsigned)strlen(sni));
		put(w, sni, strlen(sni));
		patch(w, o, 2);
	}
	u16(w, 0x000a); /* supported_groups */
	u16(w, 2 + 2 * (unsigned)(sizeof(groups) / sizeof(groups[0])));
	u16(w, 2 * (unsigned)(sizeof(groups) / sizeof(groups[0])));
	for (i = 0; i < sizeof(groups) / sizeof(groups[0]); i++)
		u16(w, groups[i]);
	u16(w, 0x000b); /* ec_point_formats: uncompressed */
	u16(w, 2);
	u8(w, 1);
	u8(w, 0);
	if (v >= AU_V_TLS12) {
		u16(w, 0x000d); /* signature_algorithms */
		u16(w,
		    2 + 2 * (unsigned)(sizeof(sigalgs) / sizeof(sigalgs[0])));
		u16(w, 2 * (unsigned)(sizeof(sigalgs) / sizeof(sigalgs[0])));
		for (i = 0; i < sizeof(sigalgs) / sizeof(sigalgs[0]); i++)
			u16(w, sigalgs[i]);
	}
	u16(w, 0x000f); /* heartbeat: peer_allowed_to_send */
	u16(w, 1);
	u8(w, 1);
	u16(w, 0xff01); /* renegotiation_info, initial handshake */
	u16(w, 1);
	u8(w, 0);
	patch(w, ext, 2);
}

int
au_hello_build(uint8_t *out, size_t cap, uint16_t v, const uint16_t *suites,
    size_t n, const char *sni)
{
	struct w w = {out, 0, cap, false};
	uint8_t rnd[32];
	size_t rec, hs, i;

	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		memset(rnd, 0x33, sizeof(rnd));
	u8(&w, 22);
	u16(&w, v == AU_V_SSL3 ? AU_V_SSL3 : AU_V_TLS10);
	rec = w.len;
	u16(&w, 0);
	u8(&w, 1); /* client_hello */
	hs = w.len;
	u8(&w, 0);
	u16(&w, 0);
	u16(&w, v);
	put(&w, rnd, sizeof(rnd));
	u8(&w, 0); /* no session id */
	u16(&w, 2 * (unsigned)(n + 1));
	for (i = 0; i < n; i++)
		u16(&w, suites[i]);
	u16(&w, 0x00ff); /* TLS_EMPTY_RENEGOTIATION_INFO_SCSV */
	u8(&w, 1);
	u8(&w, 0); /* null compression */
	if (v > AU_V_SSL3)
		extensions(&w, v, sni);
	patch(&w, hs, 3);
	patch(&w, rec, 2);
	return w.bad || w.len > 16384 ? -1 : (int)w.len;
}

int
au_hello_v2(uint8_t *out, size_t cap)
{
	static const uint8_t kinds[] = {0x01, 0x00, 0x80, 0x02, 0x00, 0x80,
	    0x03, 0x00, 0x80, 0x04, 0x00, 0x80, 0x05, 0x00, 0x80, 0x06, 0x00,
	    0x40, 0x07, 0x00, 0xc0};
	struct w w = {out, 0, cap, false};
	uint8_t chal[16];
	size_t body = 1 + 2 + 2 + 2 + 2 + sizeof(kinds) + sizeof(chal);

	if (RAND_bytes(chal, sizeof(chal)) != 1)
		memset(chal, 0x44, sizeof(chal));
	u8(&w, 0x80 | (unsigned)(body >> 8));
	u8(&w, body & 0xff);
	u8(&w, 1); /* CLIENT-HELLO */
	u16(&w, 0x0002);
	u16(&w, sizeof(kinds));
	u16(&w, 0);
	u16(&w, sizeof(chal));
	put(&w, kinds, sizeof(kinds));
	put(&w, chal, sizeof(chal));
	return w.bad ? -1 : (int)w.len;
}

static void
server_exts(const uint8_t *p, size_t len, struct au_hello_res *r)
{
	while (len >= 4) {
		unsigned type = (unsigned)p[0] << 8 | p[1];
		size_t n = (size_t)p[2] << 8 | p[3];

		if (n > len - 4)
			return;
		if (type == 0xff01)
			r->reneg_ext = true;
		if (type == 0x000f)
			r->heartbeat_ext = true;
		p += 4 + n;
		len -= 4 + n;
	}
}

/* Parse a ServerHello body (after the 4-byte handshake header). */
static int
server_hello(const uint8_t *p, size_t len, struct au_hello_res *r)
{
	size_t sid, off;

	if (len < 2 + 32 + 1)
		return -1;
	r->version = (uint16_t)(p[0] << 8 | p[1]);
	sid = p[34];
	off = 35 + sid;
	if (sid > 32 || len < off + 3)
		return -1;
	r->suite = (uint16_t)(p[off] << 8 | p[off + 1]);
	off += 3;
	if (len >= off + 2) {
		size_t n = (size_t)p[off] << 8 | p[off + 1];

		if (n <= len - off - 2)
			server_exts(p + off + 2, n, r);
	}
	r->kind = 1;
	return 1;
}

int
au_hello_parse(const uint8_t *p, size_t len, struct au_hello_res *r)
{
	uint8_t hs[4096];
	size_t hlen = 0, off = 0;

	memset(r, 0, sizeof(*r));
	if (len >= 3 && (p[0] & 0x80) && p[2] == 4) {
		r->kind = 3; /* SSLv2 SERVER-HELLO */
		r->version = 0x0002;
		return 1;
	}
	if (len >= 1 && p[0] != 21 && p[0] != 22)
		return -1;
	while (off + 5 <= len) {
		unsigned type = p[off];
		size_t n = (size_t)p[off + 3] << 8 | p[off + 4];

		if (p[off + 1] != 3 || n > 16384 + 2048)
			return -1;
		if (off + 5 + n > len)
			return 0;
		if (type == 21) {
			if (n < 2)
				return -1;
			r->kind = 2;
			r->alert = p[off + 6];
			return 1;
		}
		if (type != 22)
			return -1;
		if (n > sizeof(hs) - hlen)
			n = sizeof(hs) - hlen;
		memcpy(hs + hlen, p + off + 5, n);
		hlen += n;
		off += 5 + ((size_t)p[off + 3] << 8 | p[off + 4]);
		if (hlen >= 4) {
			size_t mlen =
			    (size_t)hs[1] << 16 | (size_t)hs[2] << 8 | hs[3];

			if (hs[0] != 2)
				return -1;
			if (mlen > sizeof(hs) - 4)
				return -1;
			if (hlen >= 4 + mlen)
				return server_hello(hs + 4, mlen, r);
		}
	}
	return 0;
}

#define N  AU_CS_NULL
#define AN AU_CS_ANON
#define EX AU_CS_EXPORT
#define RC AU_CS_RC4
#define DE AU_CS_DES
#define FS AU_CS_PFS
#define AE AU_CS_AEAD
#define CB AU_CS_CBC
#define T2 AU_CS_TLS12

const struct au_suite au_suites[] = {
    /* ECDHE, AEAD */
    {0xC02C, FS | AE | T2, "ECDHE-ECDSA-AES256-GCM-SHA384"},
    {0xC030, FS | AE | T2, "ECDHE-RSA-AES256-GCM-SHA384"},
    {0xC02B, FS | AE | T2, "ECDHE-ECDSA-AES128-GCM-SHA256"},
    {0xC02F, FS | AE | T2, "ECDHE-RSA-AES128-GCM-SHA256"},
    {0xCCA9, FS | AE | T2, "ECDHE-ECDSA-CHACHA20-POLY1305"},
    {0xCCA8, FS | AE | T2, "ECDHE-RSA-CHACHA20-POLY1305"},
    {0xC0AD, FS | AE | T2, "ECDHE-ECDSA-AES256-CCM"},
    {0xC0AC, FS | AE | T2, "ECDHE-ECDSA-AES128-CCM"},
    /* DHE, AEAD */
    {0x009F, FS | AE | T2, "DHE-RSA-AES256-GCM-SHA384"},
    {0x009E, FS | AE | T2, "DHE-RSA-AES128-GCM-SHA256"},
    {0xCCAA, FS | AE | T2, "DHE-RSA-CHACHA20-POLY1305"},
    {0x00A3, FS | AE | T2, "DHE-DSS-AES256-GCM-SHA384"},
    {0x00A2, FS | AE | T2, "DHE-DSS-AES128-GCM-SHA256"},
    {0xC09F, FS | AE | T2, "DHE-RSA-AES256-CCM"},
    {0xC09E, FS | AE | T2, "DHE-RSA-AES128-CCM"},
    /* ECDHE/DHE, CBC */
    {0xC024, FS | CB | T2, "ECDHE-ECDSA-AES256-SHA384"},
    {0xC028, FS | CB | T2, "ECDHE-RSA-AES256-SHA384"},
    {0xC023, FS | CB | T2, "ECDHE-ECDSA-AES128-SHA256"},
    {0xC027, FS | CB | T2, "ECDHE-RSA-AES128-SHA256"},
    {0xC00A, FS | CB, "ECDHE-ECDSA-AES256-SHA"},
    {0xC014, FS | CB, "ECDHE-RSA-AES256-SHA"},
    {0xC009, FS | CB, "ECDHE-ECDSA-AES128-SHA"},
    {0xC013, FS | CB, "ECDHE-RSA-AES128-SHA"},
    {0x006B, FS | CB | T2, "DHE-RSA-AES256-SHA256"},
    {0x0067, FS | CB | T2, "DHE-RSA-AES128-SHA256"},
    {0x006A, FS | CB | T2, "DHE-DSS-AES256-SHA256"},
    {0x0040, FS | CB | T2, "DHE-DSS-AES128-SHA256"},
    {0x0039, FS | CB, "DHE-RSA-AES256-SHA"},
    {0x0033, FS | CB, "DHE-RSA-AES128-SHA"},
    {0x0038, FS | CB, "DHE-DSS-AES256-SHA"},
    {0x0032, FS | CB, "DHE-DSS-AES128-SHA"},
    {0x0088, FS | CB, "DHE-RSA-CAMELLIA256-SHA"},
    {0x0045, FS | CB, "DHE-RSA-CAMELLIA128-SHA"},
    {0x009A, FS | CB, "DHE-RSA-SEED-SHA"},
    /* static RSA (no forward secrecy) */
    {0x009D, AE | T2, "AES256-GCM-SHA384"},
    {0x009C, AE | T2, "AES128-GCM-SHA256"},
    {0xC09D, AE | T2, "AES256-CCM"},
    {0xC09C, AE | T2, "AES128-CCM"},
    {0x003D, CB | T2, "AES256-SHA256"},
    {0x003C, CB | T2, "AES128-SHA256"},
    {0x0035, CB, "AES256-SHA"},
    {0x002F, CB, "AES128-SHA"},
    {0x0084, CB, "CAMELLIA256-SHA"},
    {0x0041, CB, "CAMELLIA128-SHA"},
    {0x0096, CB, "SEED-SHA"},
    /* static ECDH (no forward secrecy) */
    {0xC005, CB, "ECDH-ECDSA-AES256-SHA"},
    {0xC004, CB, "ECDH-ECDSA-AES128-SHA"},
    {0xC00F, CB, "ECDH-RSA-AES256-SHA"},
    {0xC00E, CB, "ECDH-RSA-AES128-SHA"},
    /* DES and 3DES */
    {0xC012, FS | DE | CB, "ECDHE-RSA-DES-CBC3-SHA"},
    {0xC008, FS | DE | CB, "ECDHE-ECDSA-DES-CBC3-SHA"},
    {0x0016, FS | DE | CB, "EDH-RSA-DES-CBC3-SHA"},
    {0x0013, FS | DE | CB, "EDH-DSS-DES-CBC3-SHA"},
    {0x000A, DE | CB, "DES-CBC3-SHA"},
    {0x0015, FS | DE | CB, "EDH-RSA-DES-CBC-SHA"},
    {0x0012, FS | DE | CB, "EDH-DSS-DES-CBC-SHA"},
    {0x0009, DE | CB, "DES-CBC-SHA"},
    /* RC4 */
    {0xC011, FS | RC, "ECDHE-RSA-RC4-SHA"},
    {0xC007, FS | RC, "ECDHE-ECDSA-RC4-SHA"},
    {0x0005, RC, "RC4-SHA"},
    {0x0004, RC, "RC4-MD5"},
    /* EXPORT */
    {0x0003, EX | RC, "EXP-RC4-MD5"},
    {0x0006, EX | CB, "EXP-RC2-CBC-MD5"},
    {0x0008, EX | DE | CB, "EXP-DES-CBC-SHA"},
    {0x0014, EX | FS | DE | CB, "EXP-EDH-RSA-DES-CBC-SHA"},
    {0x0011, EX | FS | DE | CB, "EXP-EDH-DSS-DES-CBC-SHA"},
    /* anonymous */
    {0x00A7, AN | AE | T2, "ADH-AES256-GCM-SHA384"},
    {0x00A6, AN | AE | T2, "ADH-AES128-GCM-SHA256"},
    {0x006D, AN | CB | T2, "ADH-AES256-SHA256"},
    {0x006C, AN | CB | T2, "ADH-AES128-SHA256"},
    {0x003A, AN | CB, "ADH-AES256-SHA"},
    {0x0034, AN | CB, "ADH-AES128-SHA"},
    {0x0089, AN | CB, "ADH-CAMELLIA256-SHA"},
    {0x0046, AN | CB, "ADH-CAMELLIA128-SHA"},
    {0xC019, AN | CB, "AECDH-AES256-SHA"},
    {0xC018, AN | CB, "AECDH-AES128-SHA"},
    {0x001B, AN | DE | CB, "ADH-DES-CBC3-SHA"},
    {0x001A, AN | DE | CB, "ADH-DES-CBC-SHA"},
    {0xC017, AN | DE | CB, "AECDH-DES-CBC3-SHA"},
    {0x0018, AN | RC, "ADH-RC4-MD5"},
    {0xC016, AN | RC, "AECDH-RC4-SHA"},
    {0x0017, AN | EX | RC, "EXP-ADH-RC4-MD5"},
    {0x0019, AN | EX | DE | CB, "EXP-ADH-DES-CBC-SHA"},
    /* NULL encryption */
    {0xC010, FS | N, "ECDHE-RSA-NULL-SHA"},
    {0xC006, FS | N, "ECDHE-ECDSA-NULL-SHA"},
    {0xC015, AN | N, "AECDH-NULL-SHA"},
    {0x003B, N | T2, "NULL-SHA256"},
    {0x0002, N, "NULL-SHA"},
    {0x0001, N, "NULL-MD5"},
};

const size_t au_nsuites = sizeof(au_suites) / sizeof(au_suites[0]);

const struct au_suite *
au_suite_find(uint16_t id)
{
	size_t i;

	for (i = 0; i < au_nsuites; i++)
		if (au_suites[i].id == id)
			return &au_suites[i];
	return NULL;
}
