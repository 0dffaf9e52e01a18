/* fuzz-scan-zip.c: ZIP directories (src/scan/zip.c). The input is an
 * archive. Checked: every name and stored-data span lies inside the input,
 * the entry count is capped, and the walk is repeatable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lib/limits.h"
#include "scan/zip.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct span {
	const uint8_t *p;
	size_t len;
	unsigned n;
	uint64_t sum;
};

static int
entry(const struct zip_entry *e, void *arg)
{
	struct span *s = arg;
	size_t i;

	if (e->name_len > 0 && (e->name < s->p || e->name_len > s->len ||
				   e->name > s->p + s->len - e->name_len))
		abort();
	if (e->data != NULL && (e->data < s->p || e->data_len > s->len ||
				   e->data > s->p + s->len - e->data_len))
		abort();
	if (e->data == NULL && e->data_len != 0)
		abort();
	for (i = 0; i < e->name_len; i++) /* touch every byte (ASan) */
		s->sum += e->name[i];
	for (i = 0; i < e->data_len; i++)
		s->sum += e->data[i];
	s->n++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct span a = {data, size, 0, 0}, b = {data, size, 0, 0};
	int n = zip_walk(data, size, entry, &a);

	if (n > SCAN_ZIP_ENTRIES_MAX || (n >= 0 && (unsigned)n != a.n) ||
	    (n < 0 && a.n != 0))
		abort();
	if (zip_walk(data, size, entry, &b) != n || b.sum != a.sum)
		abort();
	(void)zip_is_zip(data, size);
	return 0;
}
