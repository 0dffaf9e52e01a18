/* sess-fixture.h: for the unit tests of the server's logins: a POP3
 * session without I/O (default settings, replies collected in a buffer),
 * and waiting for a real credential process. Shared by the SASL tests. */
#ifndef POSTIE_TEST_SESS_FIXTURE_H
#define POSTIE_TEST_SESS_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "auth/authd.h"

#include "lib/buf.h"
#include "server/config.h"
#include "server/session.h"

struct sfx {
	struct srv_conf conf;
	struct sess s;
	struct buf out;
	struct sess_act act; /* of the last line */
};

/* Default settings (change f->conf afterwards as needed: the session reads
 * it at each command), no hooks, STLS available, TLS on or off. */
void sfx_init(struct sfx *f, bool tls);
/* End the session and free the buffer. */
void sfx_free(struct sfx *f);
/* Feed one command line (no CRLF); returns everything the session replied
 * to it ("" for nothing), valid until the next call. */
const char *sfx_say(struct sfx *f, const char *line);
/* Wait (5 s at most) for the credential process's reply to request id on
 * fd. 0, or -1 (timeout, broken channel, another id). */
int afx_reply(int fd, uint32_t id, struct authd_reply *r);
/* Stop a credential process a test started: close fd, SIGTERM, reap. */
void afx_stop(int fd, pid_t pid);

#endif
