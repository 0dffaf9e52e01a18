/* conn.h: one client connection of postie serve (internal to src/server). */
#ifndef POSTIE_SERVER_CONN_H
#define POSTIE_SERVER_CONN_H

#include <stdbool.h>
#include <stdint.h>

#include <event2/bufferevent.h>
#include <event2/event.h>
#include <openssl/ssl.h>

#include "proto/pop3.h"
#include "server/handoff.h"
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
	int mail_fd; /* the channel between pre-login and mail process */
	pid_t mail_pid;
	struct event *mail_ev;
	bool mail_role;        /* this is the mail process */
	unsigned nhanded;      /* pre-login: sessions handed off, still alive */
	struct proxy *proxies; /* pre-login: TLS relays to the mail process */
	unsigned nproxies;
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
	char ticket[TICKET_LEN + 1]; /* the credential process's, for the
				      * mail process */
	const char *mech;            /* mechanism of the pending attempt */
	bool auth_waiting;           /* brute-force delay before the check */
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
	/* Handing a login over to the mail process (conn_handoff.c). */
	bool handoff;         /* waiting for the mail process's verdict */
	bool handed;          /* done: this process no longer serves it */
	struct handoff *ho;   /* pre-login: the login being handed over */
	int relay_fd;         /* pre-login, TLS: our end of the relay pair */
	uint32_t mail_id;     /* mail process: id to report the end with */
	struct evbuffer *pre; /* mail process: bytes read ahead, or NULL */
	char tlsver[16];      /* mail process: TLS version in front */
	bool capture;         /* mail process: replies go to cap, not out */
	char cap[256];
	size_t caplen;
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
/* The session's reply sink (c is ctx). */
int conn_sink(void *ctx, const void *p, size_t len);
/* The connection timer's callback (arg is c). */
void conn_on_timer(evutil_socket_t fd, short what, void *arg);
/* Add c to the server's list of connections. */
void conn_link(struct server *srv, struct conn *c);
/* Install c's bufferevent callbacks and enable it. */
void conn_set_callbacks(struct conn *c);
/* Close after flushing what is queued. */
void conn_close_soon(struct conn *c);

/* conn_handoff.c. */

/* Pre-login process: credentials are verified; hand c to the mail process
 * (once its queued output is flushed). */
void conn_handoff(struct conn *c, const char *user, const char *path);
/* Pre-login process: c's output is flushed; send the handoff if one is
 * waiting. */
void conn_handoff_flushed(struct conn *c);
/* Pre-login process: the mail process's verdict on c's handoff. */
void conn_handoff_reply(struct conn *c, int result, const char *line);
/* Mail process: take over a logged-in connection. */
void conn_adopt(struct server *srv, const struct handoff *h, int fd);
/* Mail process: a session ended; tell the pre-login process. */
void conn_adopted_end(struct conn *c);

/* Stop serving: close listeners, say goodbye, exit when all are gone. */
void server_stop(struct server *srv, int sig);
/* The exit timer server_stop arms (arg is the server): leave the loop. */
void server_exit_timer(evutil_socket_t fd, short what, void *arg);
/* Leave the loop if stopping and nothing is left. */
void server_maybe_exit(struct server *srv);

/* proxy.c: the pre-login process relays a logged-in TLS connection to the
 * mail process over a socket pair. */
/* Relay between bev (TLS, owning ssl and the socket) and fd; takes both. */
void proxy_start(struct server *srv, struct bufferevent *bev, SSL *ssl, int fd,
    const char *peer);
/* Drop every relay (process exit). */
void proxy_free_all(struct server *srv);

#endif
