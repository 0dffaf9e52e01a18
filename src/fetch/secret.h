/* secret.h: an account's password from its source: a file that only its
 * owner can read, a command's output, or a prompt on the terminal. Never
 * from the command line; callers wipe the result with mem_wipe. */
#ifndef POSTIE_FETCH_SECRET_H
#define POSTIE_FETCH_SECRET_H

#include <stddef.h>

#include "fetch/conf.h"

/* Get a's password (first line, without its line end) into out[0..cap).
 * 0, or -1 with a reason in why (file readable by group/other, command
 * failed, no terminal...). */
int fp_password(const struct fa_account *a, char *out, size_t cap, char *why,
    size_t whycap) __attribute__((warn_unused_result));
/* Read the first line of a password file, refusing files that are not
 * regular, not owned by the user, or accessible by group or others. */
int fp_read_file(const char *path, char *out, size_t cap, char *why,
    size_t whycap) __attribute__((warn_unused_result));

#endif
