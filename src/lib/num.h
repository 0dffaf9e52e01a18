/* num.h: strict number parsing for protocol and config input.
 * The token must be all ASCII digits (no sign, no space, no leading '+'),
 * non-empty, and fit the range; "4294967297" does not wrap. */
#ifndef POSTIE_NUM_H
#define POSTIE_NUM_H

#include <stddef.h>
#include <stdint.h>

/* Parse p[0..len) as a decimal in [min, max]. 0 on success, -1 otherwise. */
int num_parse_u64(const char *p, size_t len, uint64_t min, uint64_t max,
    uint64_t *val_r) __attribute__((warn_unused_result));
/* As num_parse_u64 for a NUL-terminated string. */
int num_parse_str(const char *s, uint64_t min, uint64_t max, uint64_t *val_r)
    __attribute__((warn_unused_result));
/* Parse a duration like "30", "30s", "10m", "2h", "1d" into seconds. */
int num_parse_duration(const char *s, uint64_t *secs_r)
    __attribute__((warn_unused_result));

#endif
