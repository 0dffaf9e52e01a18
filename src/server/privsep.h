/* privsep.h: who runs what when postie serve starts as root.
 *   master (root)      binds the listeners, reads cert and key, and on
 *                      SIGHUP re-reads them for the server; parses nothing
 *                      from the network.
 *   credentials        the users file only; as --auth-user (default
 *                      "postie", else "nobody") when it can read the file.
 *   server             the event loop: every client byte, TLS, Maildir
 *                      access; as --mail-user, else the owner of the mail
 *                      store (refused when that is root).
 * Started as another user, postie runs as that user and forks only the
 * credential process. See docs/SECURITY.md. */
#ifndef POSTIE_SERVER_PRIVSEP_H
#define POSTIE_SERVER_PRIVSEP_H

#include <stdbool.h>
#include <stddef.h>
#include <signal.h>
#include <sys/types.h>

#include <openssl/ssl.h>

#include "server/config.h"

struct privsep_plan {
	bool root; /* started as root: separate */
	uid_t mail_uid;
	gid_t mail_gid;
	bool auth_drop; /* credential process drops to auth_uid */
	uid_t auth_uid;
	gid_t auth_gid;
	char mail_user[64], auth_user[64];
};

/* Decide the users to run as. -1 with a reason naming the key when the plan
 * is impossible (unknown user, mail store owned by root). */
int privsep_plan(
    const struct srv_conf *c, struct privsep_plan *p, char *err, size_t errlen);
/* The signals the master waits for (TERM, INT, HUP, CHLD); the caller
 * blocks them before forking so that none is lost. */
void privsep_master_signals(sigset_t *set);
/* Run the root master until the server child exits: forwards SIGTERM/SIGINT,
 * sends re-read cert and key over reload_fd on SIGHUP, reaps the credential
 * process. Returns the server's exit status. */
int privsep_master(
    const struct srv_conf *c, pid_t server, pid_t authd, int reload_fd);
/* Server side: read one reload message from fd and build a new context.
 * Returns it, or NULL with err. */
SSL_CTX *privsep_reload_recv(int fd, char *err, size_t errlen);

#endif
