/* fuzz-scan-url.c: link targets and domain names (src/scan/url.c). The input
 * is one URL or link text. Checked: hosts are lower case, bounded, without
 * a trailing dot; the organisational domain is a suffix of the host at a
 * label boundary; a domain found in text is itself a valid host. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scan/url.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_host(const char *h)
{
	size_t n = strnlen(h, SCAN_HOST_MAX + 2), i;
	const char *org;

	if (n == 0 || n > SCAN_HOST_MAX || h[n - 1] == '.')
		abort();
	for (i = 0; i < n; i++)
		if (h[i] >= 'A' && h[i] <= 'Z')
			abort();
	org = url_org_domain(h);
	if (org < h || org > h + n || (org != h && org[-1] != '.'))
		abort();
	if (!url_same_org(h, h))
		abort();
	(void)url_is_shortener(h);
	(void)url_has_common_tld(h);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data;
	char scheme[16], host[SCAN_HOST_MAX + 1];
	struct url u;

	url_scheme(p, size, scheme, sizeof(scheme));
	if (strnlen(scheme, sizeof(scheme)) >= sizeof(scheme))
		abort();
	if (url_parse(p, size, &u) == 0) {
		if (u.host[0] != '[')
			check_host(u.host);
		if (u.is_ip != url_host_is_ip(u.host))
			abort();
		if (strnlen(u.userinfo, sizeof(u.userinfo)) >=
		    sizeof(u.userinfo))
			abort();
	}
	if (url_text_domain(p, size, host, sizeof(host)) == 0)
		check_host(host);
	/* a tiny output buffer must be refused, not overflowed */
	if (url_text_domain(p, size, host, 4) == 0 && strlen(host) >= 4)
		abort();
	return 0;
}
