/* ticket.h: login tickets. The credential process vouches for each
 * successful login with a ticket, an HMAC over the user, the mailbox path
 * and an expiry, keyed by a random key that only the credential and the
 * mail process hold (both inherit it at fork; the pre-login process wipes
 * its copy). The pre-login process carries the ticket with the handoff; the
 * mail process opens no mailbox without a valid one, so a compromised
 * pre-login process cannot open the mail of a user who did not log in. */
#ifndef POSTIE_AUTH_TICKET_H
#define POSTIE_AUTH_TICKET_H

#include <stddef.h>
#include <stdint.h>

/* "EXPIRY.HEX": 20 digits at most, a dot, 64 hex digits. */
#define TICKET_LEN 86

/* Make a fresh random key and set how long tickets are valid (seconds).
 * 0, or -1 without randomness. Before forking the credential process. */
int ticket_init(unsigned ttl_s);
/* Forget the key (the pre-login process, right after its fork). */
void ticket_wipe(void);
/* Write the ticket for (user, path), valid from now_ms (CLOCK_MONOTONIC,
 * shared by all processes of the machine) for the configured time, into
 * out[TICKET_LEN + 1]. 0, or -1. */
int ticket_make(const char *user, const char *path, uint64_t now_ms, char *out,
    size_t outlen);
/* Check a ticket for (user, path) at now_ms: 0 when genuine and not
 * expired, else -1. Constant-time comparison. */
int ticket_check(
    const char *ticket, const char *user, const char *path, uint64_t now_ms);

#endif
