/* authres.h: Authentication-Results header fields (RFC 8601) and
 * ARC-Authentication-Results (RFC 8617 §4.1.1), parsed without
 * allocation into bounded structures. A fuzz target. */
#ifndef POSTIE_SCAN_AUTHRES_H
#define POSTIE_SCAN_AUTHRES_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/limits.h"

struct ar_result {
	char method[32];              /* lower case: "spf", "dkim", ... */
	char result[32];              /* lower case: "pass", "fail", ... */
	char prop[SCAN_AR_TOKEN_MAX]; /* first "ptype.property=value" */
};

struct ar_header {
	char authserv[SCAN_AR_TOKEN_MAX]; /* authserv-id, lower case */
	unsigned instance;                /* ARC "i=" value, 0 if none */
	bool none;                        /* "; none": nothing was checked */
	size_t n;
	struct ar_result res[SCAN_AR_RESULTS_MAX];
};

/* Parse a header value p[0..len) (folding and comments allowed); with arc,
 * an ARC-Authentication-Results value ("i=N; ..."). 0 on success; -1 if it
 * breaks the grammar (h then holds a partial parse not to be trusted). */
int ar_parse(const char *p, size_t len, bool arc, struct ar_header *h)
    __attribute__((warn_unused_result));
/* The result of method in h ("pass", ...) or NULL; with several results
 * for the method a "pass" wins, then "fail", then the first. */
const char *ar_method_result(const struct ar_header *h, const char *method);

#endif
