/* fuzz-fetch-listing.c: the retriever's UIDL/LIST validator. The first two
 * bytes give the STAT count (0..65535); the rest is split into lines; a
 * line starting with 'U' goes to the UIDL check, any other to the LIST
 * check (without that first byte). Accepted entries must satisfy the
 * validator's promises: numbers in range, unique-ids 1..70 printable
 * octets, no two messages with one unique-id after fl_uidl_finish. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/listing.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_entries(const struct fl_listing *l, bool unique)
{
	uint32_t i, j, nu = 0, nl = 0;

	for (i = 0; i < l->count; i++) {
		const struct fl_entry *e = &l->e[i];
		size_t k, n;

		if (e->listed) {
			nl++;
			if (e->size > FETCH_MSG_MAX)
				abort();
		}
		if (!e->has_uidl)
			continue;
		nu++;
		n = strlen(e->uidl);
		if (n < 1 || n > P3_UIDL_MAX)
			abort();
		for (k = 0; k < n; k++)
			if (e->uidl[k] < 0x21 || e->uidl[k] > 0x7e)
				abort();
		if (!unique || l->count > 300)
			continue;
		for (j = i + 1; j < l->count; j++)
			if (l->e[j].has_uidl &&
			    strcmp(l->e[j].uidl, e->uidl) == 0)
				abort();
	}
	if (nu != l->nuidl || nl != l->nlist)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fl_listing l;
	uint32_t count;
	size_t off = 2;
	int failed_dup;

	if (size < 2)
		return 0;
	count = (uint32_t)data[0] << 8 | data[1];
	if (fl_init(&l, count) != 0)
		abort(); /* within FETCH_MSGS_MAX: must succeed */
	while (off < size) {
		const uint8_t *nl = memchr(data + off, '\n', size - off);
		size_t len =
		    nl != NULL ? (size_t)(nl - data - off) : size - off;
		const char *line = (const char *)data + off;

		int rc = 0;

		if (len > 0 && line[0] == 'U')
			rc = fl_uidl_line(&l, line + 1, len - 1);
		else if (len > 0)
			rc = fl_list_line(&l, line + 1, len - 1);
		if (rc != 0 && (rc != -1 || l.err[0] == '\0'))
			abort(); /* failures always say why */
		off += len + 1;
	}
	check_entries(&l, false);
	failed_dup = fl_uidl_finish(&l);
	if (failed_dup == 0)
		check_entries(&l, true);
	fl_free(&l);
	return 0;
}
