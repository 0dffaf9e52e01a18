/* md-uidl.h: the UIDL of a message as a C string, for the store tests. */
#ifndef POSTIE_TEST_MD_UIDL_H
#define POSTIE_TEST_MD_UIDL_H

#include <stdint.h>

#include "store/maildir.h"

/* The UIDL of message i, NUL-terminated, in one of two static buffers
 * (two calls may be compared with each other). */
const char *uidl_at(const struct maildir *md, uint32_t i);

#endif
