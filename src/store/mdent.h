/* mdent.h: directory entries of a Maildir listing and their sort
 * (internal to src/store). */
#ifndef POSTIE_STORE_MDENT_H
#define POSTIE_STORE_MDENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A directory entry while listing; sorted, then turned into a md_msg. */
struct ent {
	uint64_t key[2]; /* first 16 octets of the base, big-endian, 0-padded */
	char *name;      /* in the arena */
	int64_t w_size;
	uint16_t base_len; /* <= STORE_NAME_MAX */
	uint16_t len;
	bool in_new;
};

/* Sort v[0..n) by base name (delivery order, stable across flag changes);
 * for one base (a concurrent move) cur/ first. In place, O(n log n) worst
 * case (introsort), no allocation. */
void md_ent_sort(struct ent *v, size_t n);

#endif
