/* lists.h: the scanner's built-in word lists (lists.c): a public-suffix
 * subset, URL shorteners, common TLDs, click trackers, imitated brand
 * domains, executable and document extensions, credential phrases. */
#ifndef POSTIE_SCAN_LISTS_H
#define POSTIE_SCAN_LISTS_H

#include <stdbool.h>
#include <stddef.h>

enum scan_list {
	SL_PSL,          /* public suffixes of two or more labels */
	SL_SHORTENER,    /* URL-shortening services */
	SL_TLD,          /* common TLDs, for names in free text */
	SL_TRACKER,      /* bulk-mail click-tracking domains */
	SL_BRAND_DOMAIN, /* domains commonly imitated */
	SL_EXEC_EXT,     /* extensions of programs and scripts */
	SL_DOC_EXT,      /* extensions of documents and pictures */
	SL_CRED_PHRASE,  /* lower-case phrases asking for credentials */
	SL_COUNT
};

/* True if s is (exactly) an entry of list l. */
bool scan_list_has(enum scan_list l, const char *s);
/* Entry i of list l, or NULL past its end (to iterate). */
const char *scan_list_get(enum scan_list l, size_t i);

#endif
