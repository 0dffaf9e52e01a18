/* scan-ids.h: a helper for the scanner's unit tests. */
#ifndef POSTIE_TEST_SCAN_IDS_H
#define POSTIE_TEST_SCAN_IDS_H

#include <stddef.h>

#include "scan/scan.h"

/* Scan msg[0..len) with c (NULL: no configuration); returns the indicator
 * IDs found, sorted and joined by ',' (static storage), or "(unparsable)". */
const char *t_scan_ids(const struct scan_conf *c, const char *msg, size_t len);

#endif
