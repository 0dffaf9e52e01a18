/* buf.h: growable byte buffer with a hard cap.
 * Every buffer is created with a maximum size; appends past it fail with -1
 * and leave the buffer unchanged. Data is binary (pointer plus length); a NUL
 * is kept after the data so text users may read buf->data as a string. */
#ifndef POSTIE_BUF_H
#define POSTIE_BUF_H

#include <stddef.h>
#include <stdint.h>

struct buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t max;
};

/* Initialise an empty buffer that may grow up to max bytes. No allocation. */
void buf_init(struct buf *b, size_t max);
/* Append len bytes. Returns 0, or -1 if the cap would be exceeded or on OOM. */
int buf_append(struct buf *b, const void *p, size_t len)
    __attribute__((warn_unused_result));
/* Append a NUL-terminated string; as buf_append. */
int buf_puts(struct buf *b, const char *s) __attribute__((warn_unused_result));
/* Append printf-formatted text; -1 on cap, OOM or formatting error. */
int buf_printf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3), warn_unused_result));
/* Drop the first n bytes (n <= len). */
void buf_consume(struct buf *b, size_t n);
/* Empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* Wipe (explicit_bzero) and release the memory; the buffer is empty after. */
void buf_free(struct buf *b);

#endif
