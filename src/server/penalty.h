/* penalty.h: brute-force defence that cannot be turned against users.
 * Pure bookkeeping (time is passed in), so it is unit-tested directly.
 *  - Per source (IPv4 address, IPv6 /64): failures slow further attempts
 *    exponentially up to a cap; the delay is a reservation shared by all
 *    parallel connections of that source, so parallelism buys nothing.
 *  - Per account: failures from many sources slow attempts on that account
 *    from sources that have not logged in to it recently; a source that did
 *    (a known-good pair) is judged only by its own failures on that account.
 *  - The same wrong password for the same user from the same source counts
 *    once (a client retrying a stale saved password).
 * Accounts are tracked by the name given, known or not, so delays reveal
 * nothing about which users exist. Tables are bounded; old entries expire. */
#ifndef POSTIE_SERVER_PENALTY_H
#define POSTIE_SERVER_PENALTY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PEN_FP_LEN 16 /* fingerprint of (user, password) */

struct pen_conf {
	uint64_t base_ms;     /* delay after the first counted failure */
	uint64_t max_ms;      /* cap of the exponential delay */
	uint64_t window_ms;   /* failures older than this are forgotten */
	uint64_t good_ms;     /* how long a successful source stays known */
	unsigned max_entries; /* per table */
};

struct pen_tab;

/* Create the tables; NULL on OOM. */
struct pen_tab *pen_new(const struct pen_conf *conf);
/* Free the tables; sets *t to NULL. */
void pen_free(struct pen_tab **t);
/* Key for a client address text ("1.2.3.4" -> itself; IPv6 -> its /64). */
void pen_source_key(const char *host, char *out, size_t outlen);
/* An attempt for user from src at now: returns how long (ms) to wait before
 * checking the password, and reserves that slot for this attempt. */
uint64_t pen_schedule(
    struct pen_tab *t, const char *src, const char *user, uint64_t now);
/* Record the outcome of a checked attempt. fp identifies the password tried
 * (a keyed hash; never the password). Returns true if the failure counted
 * (false for a repeat of the same wrong password, or for a success). */
bool pen_result(struct pen_tab *t, const char *src, const char *user,
    const uint8_t fp[PEN_FP_LEN], bool ok, uint64_t now);
/* Counted failures of src in the window (for the log line). */
unsigned pen_failures(struct pen_tab *t, const char *src, uint64_t now);

#endif
