/* zip.c: ZIP central directory and local header walking with bounds. */
#include <string.h>

#include "lib/limits.h"
#include "scan/zip.h"

#define SIG_LOCAL   0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD    0x06054b50u
#define SIG_EOCD64  0x06064b50u
#define SIG_LOC64   0x07064b50u
#define EOCD_LEN    22
#define CENTRAL_LEN 46
#define LOCAL_LEN   30

static uint16_t
rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] | (p[1] << 8));
}

static uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

static uint64_t
rd64(const uint8_t *p)
{
	return (uint64_t)rd32(p) | ((uint64_t)rd32(p + 4) << 32);
}

/* True if [off, off+n) lies inside a buffer of len bytes. */
static bool
inside(size_t len, uint64_t off, uint64_t n)
{
	return off <= len && n <= len - off;
}

bool
zip_is_zip(const uint8_t *p, size_t len)
{
	return len >= 4 && (rd32(p) == SIG_LOCAL || rd32(p) == SIG_EOCD);
}

/* Find the stored data of an entry from its local header at off. */
static void
local_data(const uint8_t *p, size_t len, uint64_t off, struct zip_entry *e)
{
	uint64_t start;

	e->data = NULL;
	e->data_len = 0;
	if (e->method != 0 || !inside(len, off, LOCAL_LEN) ||
	    rd32(p + off) != SIG_LOCAL)
		return;
	start = off + LOCAL_LEN + rd16(p + off + 26) + rd16(p + off + 28);
	if (start > len)
		return;
	e->data = p + start;
	e->data_len =
	    e->csize <= len - start ? (size_t)e->csize : len - (size_t)start;
}

/* Zip64 end of central directory: entries, size and offset. */
static int
eocd64(const uint8_t *p, size_t len, size_t eocd, uint64_t *count,
    uint64_t *size, uint64_t *off)
{
	uint64_t rec;

	if (eocd < 20 || rd32(p + eocd - 20) != SIG_LOC64)
		return -1;
	rec = rd64(p + eocd - 20 + 8);
	if (!inside(len, rec, 56) || rd32(p + rec) != SIG_EOCD64)
		return -1;
	*count = rd64(p + rec + 32);
	*size = rd64(p + rec + 40);
	*off = rd64(p + rec + 48);
	return 0;
}

/* Zip64 extra field: replace the 0xFFFFFFFF sizes and offset. */
static void
zip64_extra(const uint8_t *x, size_t xlen, struct zip_entry *e, uint64_t *loff)
{
	size_t i = 0, n, k;

	while (i + 4 <= xlen) {
		n = rd16(x + i + 2);
		if (n > xlen - i - 4)
			return;
		if (rd16(x + i) == 0x0001) {
			k = i + 4;
			if (e->usize == 0xffffffffu && k + 8 <= i + 4 + n) {
				e->usize = rd64(x + k);
				k += 8;
			}
			if (e->csize == 0xffffffffu && k + 8 <= i + 4 + n) {
				e->csize = rd64(x + k);
				k += 8;
			}
			if (*loff == 0xffffffffu && k + 8 <= i + 4 + n)
				*loff = rd64(x + k);
			return;
		}
		i += 4 + n;
	}
}

static int
walk_central(const uint8_t *p, size_t len, size_t eocd, zip_fn fn, void *arg)
{
	uint64_t count = rd16(p + eocd + 10), size = rd32(p + eocd + 12);
	uint64_t off = rd32(p + eocd + 16), base = 0, loff, pos;
	struct zip_entry e;
	int n = 0;

	if ((count == 0xffff || size == 0xffffffffu || off == 0xffffffffu) &&
	    eocd64(p, len, eocd, &count, &size, &off) < 0)
		return -1;
	if (size > eocd || off > eocd - size)
		return -1;
	/* Data prepended to the archive (self-extractors) shifts offsets. */
	if (off + size < eocd &&
	    !(inside(len, off, 4) && rd32(p + off) == SIG_CENTRAL))
		base = eocd - size - off;
	pos = base + off;
	while (n < SCAN_ZIP_ENTRIES_MAX && (uint64_t)n < count) {
		size_t nl, xl, cl;

		if (!inside(len, pos, CENTRAL_LEN) ||
		    rd32(p + pos) != SIG_CENTRAL)
			break;
		memset(&e, 0, sizeof(e));
		e.flags = rd16(p + pos + 8);
		e.method = rd16(p + pos + 10);
		e.csize = rd32(p + pos + 20);
		e.usize = rd32(p + pos + 24);
		nl = rd16(p + pos + 28);
		xl = rd16(p + pos + 30);
		cl = rd16(p + pos + 32);
		loff = rd32(p + pos + 42);
		if (!inside(len, pos + CENTRAL_LEN, (uint64_t)nl + xl + cl))
			break;
		e.name = p + pos + CENTRAL_LEN;
		e.name_len = nl;
		zip64_extra(p + pos + CENTRAL_LEN + nl, xl, &e, &loff);
		if (loff <= UINT64_MAX - base)
			local_data(p, len, base + loff, &e);
		n++;
		if (fn(&e, arg) != 0)
			break;
		pos += CENTRAL_LEN + nl + xl + cl;
	}
	return n;
}

/* No central directory: follow the local headers from the start. */
static int
walk_local(const uint8_t *p, size_t len, zip_fn fn, void *arg)
{
	struct zip_entry e;
	uint64_t pos = 0, loff;
	int n = 0;

	while (n < SCAN_ZIP_ENTRIES_MAX && inside(len, pos, LOCAL_LEN) &&
	       rd32(p + pos) == SIG_LOCAL) {
		size_t nl = rd16(p + pos + 26), xl = rd16(p + pos + 28);

		memset(&e, 0, sizeof(e));
		e.flags = rd16(p + pos + 6);
		e.method = rd16(p + pos + 8);
		e.csize = rd32(p + pos + 18);
		e.usize = rd32(p + pos + 22);
		if (!inside(len, pos + LOCAL_LEN, (uint64_t)nl + xl))
			break;
		e.name = p + pos + LOCAL_LEN;
		e.name_len = nl;
		loff = 0;
		zip64_extra(p + pos + LOCAL_LEN + nl, xl, &e, &loff);
		local_data(p, len, pos, &e);
		n++;
		if (fn(&e, arg) != 0)
			break;
		/* Sizes in a data descriptor (bit 3) are unknown here. */
		if ((e.flags & 8) != 0 || e.csize > len)
			break;
		pos += LOCAL_LEN + nl + xl + e.csize;
	}
	return n > 0 ? n : -1;
}

int
zip_walk(const uint8_t *p, size_t len, zip_fn fn, void *arg)
{
	size_t i, stop;
	int n;

	if (len >= EOCD_LEN) {
		/* The EOCD record ends the file, after a comment < 64 KiB. */
		stop = len - EOCD_LEN > 65535 ? len - EOCD_LEN - 65535 : 0;
		for (i = len - EOCD_LEN + 1; i-- > stop;) {
			if (rd32(p + i) == SIG_EOCD &&
			    i + EOCD_LEN + rd16(p + i + 20) <= len) {
				n = walk_central(p, len, i, fn, arg);
				if (n > 0 || (n == 0 && rd16(p + i + 10) == 0))
					return n;
				break;
			}
		}
	}
	if (len < 4 || rd32(p) != SIG_LOCAL)
		return -1;
	return walk_local(p, len, fn, arg);
}
