/* authd.h: the credential-check process.
 * It alone reads the users file. The server talks to it over a SOCK_SEQPACKET
 * socket pair with ipc.h frames: one request, one reply, matched by id.
 * Hashing runs on AUTH_WORKERS threads there, so it never blocks the
 * server's event loop. The users file is reloaded when it changes. */
#ifndef POSTIE_AUTH_AUTHD_H
#define POSTIE_AUTH_AUTHD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/limits.h"

struct authd_reply {
	uint32_t id;
	int result;			/* enum ipc_result */
	char user[P3_USER_MAX + 1];	/* canonical user name */
	char path[STORE_PATH_MAX];	/* expanded mailbox path */
	long uid, gid;			/* from the users file, -1 if none */
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
/* Send an APOP check (RFC 1939 §7): digest is MD5(timestamp secret) in hex. */
int authd_send_apop(int fd, uint32_t id, const char *user, size_t ulen,
    const char *digest, size_t dlen, const char *ts, const char *peer);
/* Send a password check. 0, or -1 (channel full or broken). */
int authd_send(int fd, uint32_t id, const char *user, size_t ulen,
    const char *pass, size_t plen, const char *peer);
/* Read one reply without blocking: 1 if *r was filled, 0 if none is ready,
 * -1 if the channel is broken or the reply malformed. */
int authd_recv(int fd, struct authd_reply *r);

#endif
