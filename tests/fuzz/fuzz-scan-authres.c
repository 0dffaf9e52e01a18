/* fuzz-scan-authres.c: Authentication-Results and ARC-Authentication-Results
 * values (src/scan/authres.c). Checked: every kept string is terminated
 * inside its buffer and lower case, the result count is capped, and a
 * method's summary result is one of its results. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/authres.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_str(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap), i;

	if (n >= cap)
		abort();
	for (i = 0; i < n; i++)
		if (s[i] >= 'A' && s[i] <= 'Z')
			abort();
}

static void
check(const struct ar_header *h)
{
	size_t i, k;

	check_str(h->authserv, sizeof(h->authserv));
	if (h->n > SCAN_AR_RESULTS_MAX)
		abort();
	for (i = 0; i < h->n; i++) {
		const char *r;
		bool found = false;

		check_str(h->res[i].method, sizeof(h->res[i].method));
		check_str(h->res[i].result, sizeof(h->res[i].result));
		if (strnlen(h->res[i].prop, sizeof(h->res[i].prop)) >=
		    sizeof(h->res[i].prop))
			abort();
		r = ar_method_result(h, h->res[i].method);
		for (k = 0; r != NULL && k < h->n; k++)
			if (r == h->res[k].result)
				found = true;
		if (!found)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ar_header h;

	if (ar_parse((const char *)data, size, false, &h) == 0)
		check(&h);
	if (ar_parse((const char *)data, size, true, &h) == 0) {
		check(&h);
		if (h.instance == 0)
			abort();
	}
	return 0;
}
