/* zip.h: read a ZIP archive's directory (APPNOTE.TXT 6.3) from memory with
 * every offset bounds-checked; nothing is decompressed. A fuzz target. */
#ifndef POSTIE_SCAN_ZIP_H
#define POSTIE_SCAN_ZIP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct zip_entry {
	const uint8_t *name; /* not NUL-terminated, inside the archive */
	size_t name_len;
	uint16_t flags;  /* general purpose bits; bit 0 = encrypted */
	uint16_t method; /* 0 = stored, 8 = deflated, 99 = AES */
	uint64_t csize;
	uint64_t usize;
	const uint8_t *data; /* stored (method 0) data when it lies inside */
	size_t data_len;     /* the buffer, else NULL and 0 */
};

/* Called per entry; a non-zero return stops the walk. */
typedef int (*zip_fn)(const struct zip_entry *e, void *arg);

/* True if p starts like a ZIP archive ("PK\3\4", or "PK\5\6" if empty). */
bool zip_is_zip(const uint8_t *p, size_t len);
/* Visit up to SCAN_ZIP_ENTRIES_MAX entries of p[0..len) from the central
 * directory (Zip64 too), else (truncated) from the local headers. Returns
 * the number visited, or -1 if p has no readable directory at all. */
int zip_walk(const uint8_t *p, size_t len, zip_fn fn, void *arg);

#endif
