/* mailproc.h: the mail process of postie serve (see mailproc.c). */
#ifndef POSTIE_SERVER_MAILPROC_H
#define POSTIE_SERVER_MAILPROC_H

#include "server/config.h"

/* Serve the logged-in connections the pre-login process hands over chan
 * until SIGTERM/SIGINT or until chan closes and the sessions are done.
 * Runs as the mail user. Returns the exit status. */
int mail_run(const struct srv_conf *conf, int chan);

#endif
