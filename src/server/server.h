/* server.h: postie serve's event loop (libevent), one process, many
 * connections. Plain listeners offer STLS; TLS listeners do implicit TLS. */
#ifndef POSTIE_SERVER_SERVER_H
#define POSTIE_SERVER_SERVER_H

#include "server/config.h"

/* Run the server until SIGTERM/SIGINT. Returns the exit status (0 on a clean
 * shutdown, 1 if start-up failed; the reason is logged). */
int server_run(const struct srv_conf *conf);

#endif
