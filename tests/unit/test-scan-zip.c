/* test-scan-zip.c: the ZIP directory reader (src/scan/zip.c) on archives
 * built here byte by byte. */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "scan/zip.h"

/* A tiny ZIP writer: stored entries, no CRCs (the reader ignores them). */
struct zb {
	uint8_t b[16384];
	size_t len;
	uint8_t cd[8192];
	size_t cdlen;
	uint16_t n;
	size_t prefix; /* bytes before the archive (offsets exclude them) */
};

static void
p16(uint8_t *p, size_t *o, uint16_t v)
{
	p[(*o)++] = (uint8_t)v;
	p[(*o)++] = (uint8_t)(v >> 8);
}

static void
p32(uint8_t *p, size_t *o, uint32_t v)
{
	p16(p, o, (uint16_t)v);
	p16(p, o, (uint16_t)(v >> 16));
}

static void
zb_add(struct zb *z, const char *name, const char *data, uint16_t flags,
    uint16_t method)
{
	size_t nl = strlen(name), dl = strlen(data), off = z->len;

	p32(z->b, &z->len, 0x04034b50);
	p16(z->b, &z->len, 20);
	p16(z->b, &z->len, flags);
	p16(z->b, &z->len, method);
	p32(z->b, &z->len, 0); /* time, date */
	p32(z->b, &z->len, 0); /* crc */
	p32(z->b, &z->len, (uint32_t)dl);
	p32(z->b, &z->len, (uint32_t)dl);
	p16(z->b, &z->len, (uint16_t)nl);
	p16(z->b, &z->len, 0);
	memcpy(z->b + z->len, name, nl);
	z->len += nl;
	memcpy(z->b + z->len, data, dl);
	z->len += dl;
	p32(z->cd, &z->cdlen, 0x02014b50);
	p16(z->cd, &z->cdlen, 20);
	p16(z->cd, &z->cdlen, 20);
	p16(z->cd, &z->cdlen, flags);
	p16(z->cd, &z->cdlen, method);
	p32(z->cd, &z->cdlen, 0);
	p32(z->cd, &z->cdlen, 0);
	p32(z->cd, &z->cdlen, (uint32_t)dl);
	p32(z->cd, &z->cdlen, (uint32_t)dl);
	p16(z->cd, &z->cdlen, (uint16_t)nl);
	p16(z->cd, &z->cdlen, 0); /* extra */
	p16(z->cd, &z->cdlen, 0); /* comment */
	p16(z->cd, &z->cdlen, 0); /* disk */
	p16(z->cd, &z->cdlen, 0);
	p32(z->cd, &z->cdlen, 0);
	p32(z->cd, &z->cdlen, (uint32_t)(off - z->prefix));
	memcpy(z->cd + z->cdlen, name, nl);
	z->cdlen += nl;
	z->n++;
}

/* Append the central directory and the end record; returns the length. */
static size_t
zb_finish(struct zb *z, size_t prefix)
{
	size_t cdoff = z->len;

	memcpy(z->b + z->len, z->cd, z->cdlen);
	z->len += z->cdlen;
	p32(z->b, &z->len, 0x06054b50);
	p32(z->b, &z->len, 0);
	p16(z->b, &z->len, z->n);
	p16(z->b, &z->len, z->n);
	p32(z->b, &z->len, (uint32_t)z->cdlen);
	p32(z->b, &z->len, (uint32_t)(cdoff - prefix));
	p16(z->b, &z->len, 0);
	return z->len;
}

struct seen {
	char names[512];
	char data[256];
	int encrypted;
};

static int
collect(const struct zip_entry *e, void *arg)
{
	struct seen *s = arg;
	size_t l = strlen(s->names);

	if (l + e->name_len + 2 < sizeof(s->names)) {
		memcpy(s->names + l, e->name, e->name_len);
		s->names[l + e->name_len] = ';';
		s->names[l + e->name_len + 1] = '\0';
	}
	if (e->flags & 1)
		s->encrypted++;
	l = strlen(s->data);
	if (e->data != NULL && l + e->data_len + 2 < sizeof(s->data)) {
		memcpy(s->data + l, e->data, e->data_len);
		s->data[l + e->data_len] = ';';
		s->data[l + e->data_len + 1] = '\0';
	}
	return 0;
}

TEST(scan_zip_central_directory)
{
	static struct zb z;
	struct seen s = {"", "", 0};
	size_t len;

	memset(&z, 0, sizeof(z));
	zb_add(&z, "docs/readme.txt", "hello", 0, 0);
	zb_add(&z, "setup.exe", "MZxx", 1, 0);
	zb_add(&z, "deflated.bin", "zz", 0, 8);
	len = zb_finish(&z, 0);
	CHECK(zip_is_zip(z.b, len));
	CHECK(zip_walk(z.b, len, collect, &s) == 3);
	CHECK_STR(s.names, "docs/readme.txt;setup.exe;deflated.bin;");
	CHECK_STR(s.data, "hello;MZxx;"); /* stored entries only */
	CHECK(s.encrypted == 1);
}

TEST(scan_zip_truncated_uses_local_headers)
{
	static struct zb z;
	struct seen s = {"", "", 0};
	size_t len;

	memset(&z, 0, sizeof(z));
	zb_add(&z, "a.txt", "aaa", 0, 0);
	zb_add(&z, "b.js", "bbb", 1, 0);
	len = zb_finish(&z, 0);
	/* cut inside the central directory: no end record */
	CHECK(zip_walk(z.b, len - 30, collect, &s) == 2);
	CHECK_STR(s.names, "a.txt;b.js;");
	CHECK(s.encrypted == 1);
	/* cut inside the second entry's data: its data is clipped */
	memset(&s, 0, sizeof(s));
	CHECK(zip_walk(z.b, 35 + 30 + 4 + 1, collect, &s) >= 1);
}

TEST(scan_zip_prefixed_self_extractor)
{
	static struct zb z;
	struct seen s = {"", "", 0};
	size_t len;

	memset(&z, 0, sizeof(z));
	memcpy(z.b, "MZ-stub-before-archive", 22);
	z.len = 22;
	z.prefix = 22;
	zb_add(&z, "x.vbs", "v", 0, 0);
	len = zb_finish(&z, 22); /* offsets relative to the archive */
	CHECK(!zip_is_zip(z.b, len));
	CHECK(zip_walk(z.b, len, collect, &s) == 1);
	CHECK_STR(s.names, "x.vbs;");
	CHECK_STR(s.data, "v;");
}

TEST(scan_zip_hostile)
{
	static struct zb z;
	struct seen s = {"", "", 0};
	uint8_t junk[100];
	size_t len, o;

	memset(junk, 'A', sizeof(junk));
	CHECK(zip_walk(junk, sizeof(junk), collect, &s) < 0);
	CHECK(zip_walk(junk, 0, collect, &s) < 0);
	CHECK(zip_walk((const uint8_t *)"PK\x03\x04", 4, collect, &s) < 0);
	/* an end record that claims 65535 entries and a huge directory */
	memset(&z, 0, sizeof(z));
	zb_add(&z, "a", "1", 0, 0);
	len = zb_finish(&z, 0);
	o = len - 12;
	p16(z.b, &o, 0xffff);
	p16(z.b, &o, 0xfffe);
	CHECK(zip_walk(z.b, len, collect, &s) <= 1);
	/* a directory entry whose name runs past the end */
	memset(&z, 0, sizeof(z));
	zb_add(&z, "name", "1", 0, 0);
	len = zb_finish(&z, 0);
	o = 35 + 28;
	p16(z.b, &o, 60000);
	memset(&s, 0, sizeof(s));
	CHECK(zip_walk(z.b, len, collect, &s) <= 1);
	CHECK(strlen(s.names) < 10);
	/* Zip64 markers with no Zip64 record: rejected, no crash */
	memset(&z, 0, sizeof(z));
	zb_add(&z, "a", "1", 0, 0);
	len = zb_finish(&z, 0);
	o = len - 6;
	p32(z.b, &o, 0xffffffff);
	memset(&s, 0, sizeof(s));
	CHECK(zip_walk(z.b, len, collect, &s) >= -1);
}

static int
stop_first(const struct zip_entry *e, void *arg)
{
	(*(int *)arg)++;
	return 1;
}

TEST(scan_zip_callback_stops)
{
	static struct zb z;
	size_t len;
	int calls = 0;

	memset(&z, 0, sizeof(z));
	zb_add(&z, "a", "1", 0, 0);
	zb_add(&z, "b", "2", 0, 0);
	len = zb_finish(&z, 0);
	CHECK(zip_walk(z.b, len, stop_first, &calls) == 1);
	CHECK(calls == 1);
}
