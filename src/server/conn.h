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
	char hostname[64];             /* for APOP timestamps */
	uint8_t fp_key[32];            /* keys password fingerprints; random */
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
	char peer[64];          /* "addr:port" */
	char host[48];          /* "addr" */
	char src[64];           /* brute-force key: address, or IPv6 /64 */
	uint8_t fp[PEN_FP_LEN]; /* keyed hash of the attempted credentials */
	const char *mech;       /* mechanism of the pending attempt */
	bool auth_waiting;      /* brute-force delay before the check */
	struct event *timer;
	uint64_t start_ms, active_ms, partial_ms;
	uint32_t auth_id;
	int auth_result; /* delayed failure reply */
	bool auth_pending;
	int sasl_op;       /* enum sess_sasl_op of the pending check, or -1 */
	uint32_t sasl_xid; /* SCRAM exchange held by authd, or 0 */
	struct sasl_done *sasl_ok; /* verified, waiting for the client's ack */
	bool cb_done;  /* channel binding looked up after the handshake */
	char cb64[48]; /* base64 tls-exporter binding, or "" */
	bool closing, starttls, streaming;
	int stream_fd;
	struct p3_dotenc enc;
};

/* Accept a connection on fd; tls: implicit TLS. */
void conn_accept(
    struct server *srv, int fd, const struct sockaddr *sa, bool tls);
/* Tear a connection down: log the session, release everything. */
void conn_free(struct conn *c);
struct authd_reply;
/* Deliver a reply from the credential process. */
void conn_auth_reply(struct conn *c, const struct authd_reply *r);

/* Between conn.c and conn_auth.c. */

/* Run complete input lines until one needs waiting. */
void conn_input(struct conn *c);
/* (Re)arm the connection's timer to fire in ms. */
void conn_arm_timer(struct conn *c, uint64_t ms);
/* Seconds of inactivity allowed in the current state. */
uint64_t conn_idle_limit(const struct conn *c);
/* SA_AUTH, or an SA_SASL START/STEP: limit, schedule (brute-force delay),
 * then conn_auth_send. */
void conn_auth_start(struct conn *c, struct sess_act *act);
/* Send the pending check to the credential process now. */
void conn_auth_send(struct conn *c);
/* Give a check's result to the session and read on. */
void conn_auth_finish(
    struct conn *c, int result, const char *user, const char *path);
/* SA_SASL: START/STEP as conn_auth_start; ACK logs in; ABORT drops. */
void conn_sasl_action(struct conn *c, struct sess_act *act);
/* Tell the credential process to forget c's SCRAM exchange, if any, and
 * drop a verified login not yet acknowledged. */
void conn_sasl_drop(struct conn *c);
/* Say goodbye to a connection during shutdown. */
void conn_shutdown(struct conn *c);

#endif
