/* url.h: link targets and domain names as a browser would read them, for
 * judging (never fetching) them. Host names come back lower case, with
 * percent escapes and full-width dots decoded; IDN labels stay as found
 * (xn-- or UTF-8). A fuzz target. */
#ifndef POSTIE_SCAN_URL_H
#define POSTIE_SCAN_URL_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/limits.h"

struct url {
	char scheme[16];              /* lower case; "" for "www.x" */
	char host[SCAN_HOST_MAX + 1]; /* lower case, no trailing dot */
	char userinfo[128];           /* before '@' (cut), "" if none */
	bool is_ip;                   /* IPv4 in any notation or [IPv6] */
};

/* Parse a link "scheme://[userinfo@]host...", "//host" or "www.host" from
 * p[0..len), dropping tabs/newlines and reading '\\' as '/' like browsers.
 * 0, or -1 with no host to judge (mailto:, relative, over-long host). */
int url_parse(const char *p, size_t len, struct url *u)
    __attribute__((warn_unused_result));
/* The scheme of p[0..len) lower-cased into out[0..cap) ("" if none); leading
 * spaces and controls skipped as browsers do. */
void url_scheme(const char *p, size_t len, char *out, size_t cap);
/* True if host is an IP address: [IPv6], or a name whose last label is a
 * number (decimal, octal or 0x hex), which browsers read as IPv4. */
bool url_host_is_ip(const char *host);
/* The organisational domain of host (a pointer into it): one label more
 * than the longest public suffix of the built-in subset (url.c), else the
 * last two labels; IP addresses and single labels are returned whole. */
const char *url_org_domain(const char *host);
/* True if the organisational domains of a and b are equal. */
bool url_same_org(const char *a, const char *b);
/* True if host (or a parent) is a known URL-shortening service. */
bool url_is_shortener(const char *host);
/* Find a domain name that visible text p[0..len) shows: a URL, "www.x", or
 * the whole text being a host name with a common TLD. 0 with host (lower
 * case) in out[0..cap), or -1. */
int url_text_domain(const char *p, size_t len, char *out, size_t cap)
    __attribute__((warn_unused_result));
/* True if host has at least two labels and a TLD of the built-in list of
 * common TLDs (used for names in display names and link text). */
bool url_has_common_tld(const char *host);

#endif
