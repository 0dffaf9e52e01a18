/* log.h: logging to stderr or syslog, with escaping of untrusted bytes.
 * Client bytes must pass through log_escape before they reach a format. */
#ifndef POSTIE_LOG_H
#define POSTIE_LOG_H

#include <stddef.h>
#include <stdbool.h>

enum log_level { LOG_LVL_ERR, LOG_LVL_WARN, LOG_LVL_INFO, LOG_LVL_DEBUG };

/* Choose the sink: syslog (ident "postie", facility mail) or stderr. */
void log_open(bool use_syslog, enum log_level level);
void log_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Escape p[0..len) into out (always NUL-terminated): printable ASCII except
 * '\\' and '"' is kept, the rest becomes \xHH; truncates with "...".
 * Returns out. outcap must be at least 8. */
char *log_escape(const void *p, size_t len, char *out, size_t outcap);

#endif
