/* fuzz-fetch-conf.c: the postie fetch config file parser (fa_parse) and the
 * one-off URL parser. The input is a whole config file; its first line is
 * also tried as a URL. Accepted accounts must be complete and within their
 * buffers' bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_account(const struct fa_account *a)
{
	if (a->host[0] == '\0' || a->user[0] == '\0' || a->dest_path[0] == '\0')
		abort();
	if (strnlen(a->host, sizeof(a->host)) == sizeof(a->host) ||
	    strnlen(a->name, sizeof(a->name)) == sizeof(a->name) ||
	    strnlen(a->pwarg, sizeof(a->pwarg)) == sizeof(a->pwarg))
		abort();
	if (a->port == 0 || a->nmech < 1 || a->nmech > FA_MECHS_MAX)
		abort();
	if (a->window < 1 || a->window > FETCH_WINDOW_MAX)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fa_account *acc = NULL, a;
	char why[256], url[512];
	const uint8_t *nl;
	size_t n = 0, i, ul;

	if (fa_parse("fuzz", (const char *)data, size, &acc, &n, why,
		sizeof(why)) == 0) {
		if (n == 0 || n > FETCH_ACCOUNTS_MAX)
			abort();
		for (i = 0; i < n; i++)
			check_account(&acc[i]);
		free(acc);
	} else if (strnlen(why, sizeof(why)) == sizeof(why)) {
		abort();
	}
	nl = memchr(data, '\n', size);
	ul = nl != NULL ? (size_t)(nl - data) : size;
	if (ul >= sizeof(url) || memchr(data, '\0', ul) != NULL)
		return 0;
	memcpy(url, data, ul);
	url[ul] = '\0';
	fa_defaults(&a);
	if (fa_parse_url(&a, url, why, sizeof(why)) == 0 &&
	    (a.user[0] == '\0' || a.host[0] == '\0'))
		abort();
	return 0;
}
