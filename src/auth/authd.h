/* authd.h: the credential-check process.
 * It alone reads the users file. The server talks to it over a SOCK_SEQPACKET
 * socket pair with ipc.h frames: one request, one reply, matched by id
 * (SASL_ABORT has none). SCRAM and CRAM-MD5 exchanges (sasl.h) live here
 * too, so the server never sees a key or secret.
 * Hashing runs on AUTH_WORKERS threads there, so it never blocks the
 * server's event loop. The users file is reloaded when it changes. */
#ifndef POSTIE_AUTH_AUTHD_H
#define POSTIE_AUTH_AUTHD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "auth/ticket.h"
#include "lib/limits.h"

struct authd_reply {
	uint32_t id;
	int result;                       /* enum ipc_result */
	char user[P3_USER_MAX + 1];       /* canonical user name */
	char path[STORE_PATH_MAX];        /* expanded mailbox path */
	long uid, gid;                    /* from the users file, -1 if none */
	bool sasl;                        /* an IPC_SASL_REPLY: */
	uint32_t xid;                     /* the exchange (CONT) */
	char data[AUTH_SASL_B64_MAX + 1]; /* base64 challenge or final */
	char ticket[TICKET_LEN + 1];      /* login ticket when OK (ticket.h) */
};

/* Fork the credential process for users file and mailbox template tmpl.
 * It drops to uid/gid first unless uid is (uid_t)-1. Returns the server's
 * (non-blocking) end of the channel, or -1 with err. Call before opening
 * listeners or creating the event loop. */
int authd_start(const char *users, const char *tmpl, uid_t uid, gid_t gid,
    pid_t *pid_r, char *err, size_t errlen);
/* Name the APOP secrets file ("user:secret" lines, mode 0600); call before
 * authd_start. Without it every APOP attempt fails. */
void authd_set_apop(const char *path);
/* Offer CRAM-MD5 (RFC 2195) with the secrets of the same file (path, as
 * for authd_set_apop). Off unless called, before authd_start. */
void authd_set_cram_md5(const char *path);
/* Turn on the hard lockout: refuse an existing user after `after` failed
 * password checks until `postie user unlock` (lockout.h). Before
 * authd_start. */
void authd_set_lockout(unsigned after, const char *path);
/* Send an APOP check (RFC 1939 §7): digest is MD5(timestamp secret) in hex. */
int authd_send_apop(int fd, uint32_t id, const char *user, size_t ulen,
    const char *digest, size_t dlen, const char *ts, const char *peer);
/* Send a password check. 0, or -1 (channel full or broken). */
int authd_send(int fd, uint32_t id, const char *user, size_t ulen,
    const char *pass, size_t plen, const char *peer);
/* Idle SASL exchanges expire after secs (default AUTH_SASL_TTL_S); the
 * server sets it above its pre-login timeout plus its longest brute-force
 * delay. Call before authd_start. */
void authd_set_sasl_ttl(unsigned secs);
/* Start a SCRAM exchange (sasl.h): mech, the tls-exporter channel binding
 * in base64 (cblen 0: none), the client-first message in base64. */
int authd_send_sasl_start(int fd, uint32_t id, const char *mech, const char *cb,
    size_t cblen, const char *data, size_t dlen, const char *peer);
/* Continue exchange xid with the client's next message (base64). */
int authd_send_sasl_step(
    int fd, uint32_t id, uint32_t xid, const char *data, size_t dlen);
/* Drop exchange xid (no reply). */
int authd_send_sasl_abort(int fd, uint32_t xid);
/* Read one reply (IPC_AUTH_REPLY, or IPC_SASL_REPLY with r->sasl set)
 * without blocking: 1 if *r was filled, 0 if none is ready, -1 if the
 * channel is broken or the reply malformed. */
int authd_recv(int fd, struct authd_reply *r);

#endif
