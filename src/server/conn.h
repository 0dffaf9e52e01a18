/* conn.h: one client connection of postie serve (internal to src/server). */
#ifndef POSTIE_SERVER_CONN_H
#define POSTIE_SERVER_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "proto/pop3.h"
#include "server/penalty.h"
#include "server/session.h"

#define AUTH_SLOTS 4096 /* password checks in flight, server-wide */

struct server {
	struct event_base *base;
	const struct srv_conf *conf;
	SSL_CTX *ctx;
	int authd_fd;
	pid_t authd_pid;
	struct event *authd_ev;
	struct event *reload_ev; /* cert/key from the root master */
	struct event *sig_term, *sig_int, *sig_hup, *exit_timer;
	struct evconnlistener *ls[2 * CONF_LISTEN_MAX];
	int nls;
	uint32_t next_auth_id;
	struct conn *auth_slot[AUTH_SLOTS];
	struct conn *conns; /* all connections, a doubly linked list */
	unsigned nconns;
	bool stopping;
	struct sess_hooks hooks;
	struct login_tab *logins;
	struct pen_tab *pen;
	char hostname[64];	/* for APOP timestamps */
	uint8_t fp_key[32];	/* keys password fingerprints; random */
	uint8_t rdbuf[SRV_RETR_CHUNK]; /* message read buffer (one thread) */
};

struct conn {
	struct server *srv;
	struct conn *prev, *next;
	int fd;
	struct bufferevent *bev;
	SSL *ssl;
	struct sess sess;
	struct p3_reader rd;
	char peer[64];	    /* "addr:port" */
	char host[48];	    /* "addr" */
	char src[64];	    /* brute-force key: address, or IPv6 /64 */
	uint8_t fp[PEN_FP_LEN]; /* keyed hash of the attempted credentials */
	const char *mech;   /* mechanism of the pending attempt */
	bool auth_waiting;  /* brute-force delay before the check */
	struct event *timer;
	uint64_t start_ms, active_ms, partial_ms;
	uint32_t auth_id;
	int auth_result;    /* delayed failure reply */
	bool auth_pending;
	bool closing, starttls, streaming;
	int stream_fd;
	struct p3_dotenc enc;
};

/* Accept a connection on fd; tls: implicit TLS. */
void conn_accept(struct server *srv, int fd, const struct sockaddr *sa,
    bool tls);
/* Tear a connection down: log the session, release everything. */
void conn_free(struct conn *c);
/* Deliver a reply from the credential process. */
void conn_auth_reply(struct conn *c, int result, const char *user,
    const char *path);
/* Say goodbye to a connection during shutdown. */
void conn_shutdown(struct conn *c);

#endif
