/* listen.h: listening sockets and socket-address helpers for the server. */
#ifndef POSTIE_NET_LISTEN_H
#define POSTIE_NET_LISTEN_H

#include <stddef.h>
#include <sys/socket.h>

/* Parse "ADDR:PORT", "[V6]:PORT" or "*:PORT" into ss. 0 or -1. */
int net_parse_addr(
    const char *spec, struct sockaddr_storage *ss, socklen_t *len_r);
/* Create a non-blocking, close-on-exec listening socket bound to spec
 * (SO_REUSEADDR; IPV6_V6ONLY for v6). Returns the fd, or -1 with err set. */
int net_listen(const char *spec, char *err, size_t errlen);
/* Format an address as "1.2.3.4:port" or "[::1]:port" into out. */
void net_addr_str(const struct sockaddr *sa, char *out, size_t outlen);
/* Format only the host part ("1.2.3.4", "::1"). */
void net_host_str(const struct sockaddr *sa, char *out, size_t outlen);

#endif
