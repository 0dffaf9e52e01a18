/* privsep.h: who runs what when postie serve starts as root.
 *   master (root)      binds the listeners, reads cert and key, and on
 *                      SIGHUP re-reads them for the pre-login process;
 *                      parses nothing from the network.
 *   credentials        the users file only; as --auth-user (default
 *                      "postie", else "nobody") when it can read the file.
 *   pre-login          every client byte before login, and TLS; as
 *                      --login-user (default "postie-login", else
 *                      "nobody"), chrooted to an empty directory.
 *   mail               logged-in sessions handed over by the pre-login
 *                      process; Maildir access; as --mail-user, else the
 *                      owner of the mail store (refused when that is root).
 * Started as another user, postie runs every process as that user,
 * without chroot. See docs/SECURITY.md. */
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
	uid_t login_uid;
	gid_t login_gid;
	char mail_user[64], auth_user[64], login_user[64];
	char login_chroot[256];
};

struct privsep_kids {
	pid_t login, mail, authd;
};

/* Decide the users to run as. -1 with a reason naming the key when the plan
 * is impossible (unknown user, mail store owned by root). */
int privsep_plan(
    const struct srv_conf *c, struct privsep_plan *p, char *err, size_t errlen);
/* The signals the master waits for (TERM, INT, HUP, CHLD); the caller
 * blocks them before forking so that none is lost. */
void privsep_master_signals(sigset_t *set);
/* Run the root master until the pre-login process exits: forwards
 * SIGTERM/SIGINT to it and the mail process, sends re-read cert and key
 * over reload_fd on SIGHUP, then waits for the mail and the credential
 * process. Returns the pre-login process's exit status. */
int privsep_master(
    const struct srv_conf *c, const struct privsep_kids *k, int reload_fd);
/* In the pre-login child, as root: make sure the chroot directory exists,
 * belongs to root and is not writable by others, then chroot into it.
 * 0, or -1 with a reason. */
int privsep_login_jail(const struct privsep_plan *p, char *err, size_t errlen);
/* Server side: read one reload message from fd and build a new context.
 * Returns it, or NULL with err. */
SSL_CTX *privsep_reload_recv(int fd, char *err, size_t errlen);

#endif
