/* util.h: small string and memory helpers missing from glibc 2.36. */
#ifndef POSTIE_UTIL_H
#define POSTIE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/* Copy src into dst[0..size) with NUL; returns -1 if it did not fit
 * (dst then holds a truncated, terminated copy). */
int str_copy(char *dst, const char *src, size_t size);
/* snprintf that returns -1 on truncation or error, else the length.
 * Callers that need the whole text must check the result; error messages
 * may be truncated silently (cast to void). */
int str_fmt(char *dst, size_t size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Case-insensitive ASCII compare of p[0..len) with the string s. */
bool str_case_eq(const char *p, size_t len, const char *s);
/* FNV-1a hash of a string, for in-memory hash tables. */
uint32_t str_hash(const char *s);
/* Wipe memory that held a secret; never optimised away. */
void mem_wipe(void *p, size_t len);
/* Constant-time compare of two equal-length byte strings; true if equal. */
bool mem_equal_ct(const void *a, const void *b, size_t len);
/* Base64 (RFC 4648, with padding). Encode: out must hold 4*((len+2)/3)+1.
 * Returns the encoded length. */
size_t b64_encode(const uint8_t *in, size_t len, char *out);
/* Strict decode: rejects bad characters, bad padding, and output larger than
 * outcap. Returns 0 and sets *outlen_r, or -1. */
int b64_decode(const char *in, size_t len, uint8_t *out, size_t outcap,
    size_t *outlen_r) __attribute__((warn_unused_result));
/* Write all of p[0..len) to a blocking fd, retrying on EINTR. 0, or -1
 * with errno set (EIO when write returned 0). */
int fd_write_all(int fd, const void *p, size_t len)
    __attribute__((warn_unused_result));
/* Monotonic clock in milliseconds. */
uint64_t time_mono_ms(void);

#endif
