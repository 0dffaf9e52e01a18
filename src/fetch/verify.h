/* verify.h: postie verify: recompute the SHA-256 of every message postie
 * fetch stored and report those changed or missing since (tampering or
 * loss check). */
#ifndef POSTIE_FETCH_VERIFY_H
#define POSTIE_FETCH_VERIFY_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

/* Check every stored message recorded in db_path; problems and (unless
 * quiet) a summary go to out, or one JSON object. Exit status: 0 all match,
 * 1 changed or missing, 2 no usable database. */
int fv_verify(const char *db_path, FILE *out, bool quiet, bool json);
/* Hash the message stored at byte offset `location` of mbox file path, as
 * it was delivered (mboxrd quoting undone). 0, or -1 if there is no
 * message there. (deliver_spool.c) */
int fv_mbox_hash(const char *path, const char *location, char hex[65],
    uint64_t *size_r) __attribute__((warn_unused_result));

#endif
