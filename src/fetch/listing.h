/* listing.h: validation of a server's UIDL and LIST listings (fetch side).
 * Pure code over caller-supplied lines, so it is fuzzed directly. Message
 * numbers must lie in 1..count (the STAT count) and appear once; unique-ids
 * must be 1..70 octets of 0x21..0x7E and distinct within the listing. */
#ifndef POSTIE_FETCH_LISTING_H
#define POSTIE_FETCH_LISTING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/limits.h"

struct fl_entry {
	uint64_t size;              /* octets from LIST (if listed) */
	bool listed;                /* seen in LIST */
	bool has_uidl;              /* seen in UIDL */
	char uidl[P3_UIDL_MAX + 1]; /* NUL-terminated unique-id */
};

struct fl_listing {
	uint32_t count;     /* messages 1..count, from STAT */
	struct fl_entry *e; /* e[n - 1] describes message n */
	uint32_t nuidl;     /* UIDL lines accepted */
	uint32_t nlist;     /* LIST lines accepted */
	char err[160];      /* why the last call failed */
};

/* Prepare for count messages (at most FETCH_MSGS_MAX). 0, or -1 with l->err
 * set (count too large, out of memory). */
int fl_init(struct fl_listing *l, uint32_t count)
    __attribute__((warn_unused_result));
/* Release the entries. */
void fl_free(struct fl_listing *l);
/* Feed one data line (no CRLF, already dot-unstuffed) of a UIDL listing
 * ("n uid"). 0, or -1 with l->err set. */
int fl_uidl_line(struct fl_listing *l, const char *line, size_t len)
    __attribute__((warn_unused_result));
/* Feed one data line of a LIST listing ("n size", extra words ignored as
 * RFC 1939 allows). 0, or -1 with l->err set. */
int fl_list_line(struct fl_listing *l, const char *line, size_t len)
    __attribute__((warn_unused_result));
/* After the whole UIDL listing: -1 (l->err set) if two messages share a
 * unique-id, else 0. */
int fl_uidl_finish(struct fl_listing *l) __attribute__((warn_unused_result));
/* Un-stuff a multi-line data line in place: returns 1 and adjusts *len for
 * a data line, 0 for the terminating ".", never fails. */
int fl_unstuff(const char **line, size_t *len);

#endif
