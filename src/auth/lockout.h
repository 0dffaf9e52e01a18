/* lockout.h: the optional hard account lockout (off by default).
 * A small state file, "user failures" per line, next to the users file
 * ("<users>.lockout" unless configured). The credential process counts
 * failed logins of existing users and refuses a user at the limit with the
 * ordinary failure reply; `postie user unlock` clears the entry. A lockout
 * lets anyone who knows a user name lock that user out, which is why it is
 * off unless the administrator asks for it (docs/SECURITY.md). */
#ifndef POSTIE_AUTH_LOCKOUT_H
#define POSTIE_AUTH_LOCKOUT_H

#include <stddef.h>

/* Default state file for a users file: "<users>.lockout". 0 or -1. */
int lockout_default_path(const char *users, char *out, size_t outlen);
/* Failures recorded for user; 0 when none or the file is missing. */
unsigned lockout_get(const char *path, const char *user);
/* Record n failures for user (0 removes the entry), rewriting the file
 * under an exclusive flock. 0, or -1 with errno set. */
int lockout_set(const char *path, const char *user, unsigned n);

#endif
