/* sasl.h: SCRAM-SHA-256 and SCRAM-SHA-256-PLUS (RFC 5802, 7677, 9266)
 * exchanges inside the credential process, done by GNU SASL (libgsasl),
 * and CRAM-MD5 (RFC 2195) when it is turned on (sasl_set_cram).
 * Only the credential process holds the keys; the server forwards the
 * client's messages (base64) and the tls-exporter channel binding.
 * An exchange is named by an exchange id (xid) that this table assigns;
 * the table is bounded (AUTH_SASL_MAX) and idle exchanges expire.
 * Unknown users, users without SCRAM keys and proxy logins (an authzid
 * other than the user) get stable dummy salt and keys, so the exchange
 * runs to the final proof and fails there, like a wrong password; for
 * CRAM-MD5 users without a secret get a dummy one the same way.
 * Thread-safe: one mutex guards the table; an exchange is stepped by one
 * thread at a time. The caller keeps db read-locked during each call. */
#ifndef POSTIE_AUTH_SASL_H
#define POSTIE_AUTH_SASL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth/passwd.h"
#include "lib/limits.h"
#include "proto/pop3.h"

struct sasl_tab;

struct sasl_out {
	int result;                       /* enum ipc_result, or IPC_RES_CONT */
	uint32_t xid;                     /* CONT: the exchange to continue */
	char user[P3_USER_MAX + 1];       /* authentication id, "" if none */
	char data[AUTH_SASL_B64_MAX + 1]; /* CONT: challenge; OK: final,
					   * "" if none (CRAM-MD5) */
	const struct pw_entry *e;         /* OK: the user's entry in db */
};

/* A new table (GNU SASL context, random dummy keys); NULL on failure. */
struct sasl_tab *sasl_new(void);
/* Finish every exchange and free the table; sets *t to NULL. */
void sasl_free(struct sasl_tab **t);
/* Idle exchanges older than ms are dropped (default AUTH_SASL_TTL_S). */
void sasl_set_ttl(struct sasl_tab *t, uint64_t ms);
/* Offer CRAM-MD5: secret(user, out, cap) writes user's plaintext secret,
 * or a dummy, into out and returns true only if the user has one. It is
 * called from worker threads. Without it CRAM-MD5 fails at the start. */
void sasl_set_cram(struct sasl_tab *t,
    bool (*secret)(const char *user, char *out, size_t cap));
/* Start mech ("SCRAM-SHA-256" or "-PLUS") with the client's first message
 * in64 (base64) and the channel binding cb64 (base64 tls-exporter data, or
 * empty when the connection has none) at time now (ms). Fills *o: CONT with
 * the server-first message, or FAIL/TEMP (the exchange is gone). For
 * "CRAM-MD5" in64 must be empty (server first): CONT with the challenge. */
void sasl_start(struct sasl_tab *t, const struct pw_db *db, struct p3_span mech,
    struct p3_span cb64, struct p3_span in64, uint64_t now, struct sasl_out *o);
/* Continue exchange xid with the client's next message. Fills *o: OK (with
 * the server-final message, "" for CRAM-MD5, and the entry), FAIL, TEMP
 * (unknown or expired xid), or CONT. After anything but CONT the exchange
 * is gone. */
void sasl_step(struct sasl_tab *t, const struct pw_db *db, uint32_t xid,
    struct p3_span in64, uint64_t now, struct sasl_out *o);
/* Drop exchange xid (the client cancelled or left); unknown ids are
 * ignored. */
void sasl_abort(struct sasl_tab *t, uint32_t xid);
/* Number of open exchanges (for tests and logs). */
unsigned sasl_count(struct sasl_tab *t);

#endif
