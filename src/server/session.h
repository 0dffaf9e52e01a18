/* session.h: one POP3 session as a state machine without I/O.
 * The I/O layer (server.c) feeds complete command lines; the session writes
 * replies through a sink and returns an action for what the I/O layer must
 * do next (close, start TLS, check a password, stream a message). This keeps
 * every rule of RFC 1939/2449/3206/5034 testable without sockets. */
#ifndef POSTIE_SERVER_SESSION_H
#define POSTIE_SERVER_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/limits.h"
#include "server/config.h"
#include "store/maildir.h"

/* The reply for a temporary failure, used by the I/O layer too. */
#define SESS_R_TEMP "-ERR [SYS/TEMP] Temporary server error, try again later"

enum sess_state { SS_AUTH, SS_TRANS, SS_UPDATE, SS_DONE };

enum sess_act_kind {
	SA_NONE,     /* reply written; go on with the next command */
	SA_CLOSE,    /* flush the reply, then close the connection */
	SA_STARTTLS, /* flush "+OK", discard unread input, then handshake */
	SA_AUTH,     /* check act.user/act.pass; then call sess_auth_done */
	SA_SEND_MSG, /* stream act.fd through a dot encoder (act.top_lines) */
	SA_SASL      /* a SCRAM or CRAM-MD5 step for the credential process:
		      * act.sasl_op */
};

/* SA_SASL operations. START and STEP forward act.data (base64, borrowed
 * until the session is called again) and are answered with
 * sess_sasl_challenge, sess_sasl_final or sess_auth_done (CRAM-MD5 has no
 * final message: a verified response logs in with sess_auth_done). */
enum sess_sasl_op {
	SASL_OP_START, /* mechanism act.mech, client-first message */
	SASL_OP_STEP,  /* the client's next message */
	SASL_OP_ACK,   /* the client accepted the server's final message:
			* log in (sess_auth_done with OK) */
	SASL_OP_ABORT  /* the client cancelled: drop the exchange (the reply
			* is written already) */
};

struct sess_act {
	enum sess_act_kind kind;
	int fd;            /* SA_SEND_MSG: message file, caller closes */
	int64_t top_lines; /* SA_SEND_MSG: -1 for RETR */
	const char *user;  /* SA_AUTH: borrowed until sess_auth_done */
	size_t ulen;
	const char *pass; /* SA_AUTH: wiped by sess_auth_done */
	size_t plen;
	const char *mech;          /* SA_AUTH: "USER", "PLAIN", "LOGIN", "APOP";
				    * SA_SASL: "SCRAM-SHA-256[-PLUS]",
				    * "CRAM-MD5" */
	enum sess_sasl_op sasl_op; /* SA_SASL */
	const char *data;          /* SA_SASL START/STEP: base64 message */
	size_t dlen;
};

/* Hooks into server-wide state (LOGIN-DELAY bookkeeping). */
struct sess_hooks {
	/* Seconds until user may log in again (0: now). */
	int64_t (*login_wait)(void *ctx, const char *user);
	/* Record a successful login of user now. */
	void (*login_done)(void *ctx, const char *user);
	void *ctx;
};

struct sess {
	const struct srv_conf *conf;
	const struct sess_hooks *hooks;
	enum sess_state state;
	bool tls;       /* TLS is active on this connection */
	bool tls_avail; /* the server can offer STLS */
	bool cb_avail;  /* tls-exporter channel binding known (TLS 1.3) */
	int sasl;       /* SASL exchange in progress (internal step) */
	const char *sasl_mech; /* SCRAM mechanism in progress */
	char *sasl_data; /* SCRAM: client message being forwarded (heap) */
	size_t sasl_dlen;
	bool have_user; /* USER accepted, waiting for PASS */
	char user[P3_USER_MAX + 1];
	size_t user_len;
	char pass[P3_PASS_MAX + 1];
	size_t pass_len;
	unsigned bad;      /* bad commands so far */
	char apop_ts[128]; /* RFC 1939 §7 greeting timestamp, or "" */
	struct maildir *md;
	uint32_t last; /* LAST: highest message number accessed */
	/* Statistics for the session-end log line. */
	uint32_t n_retr, n_top, n_dele;
	uint64_t retr_bytes;
	/* Reply sink: returns 0 or -1 (out of memory). */
	int (*sink)(void *ctx, const void *p, size_t len);
	void *sink_ctx;
};

/* Set up a session for a new connection; writes nothing. */
void sess_init(struct sess *s, const struct srv_conf *conf,
    const struct sess_hooks *hooks, bool tls, bool tls_avail,
    int (*sink)(void *, const void *, size_t), void *sink_ctx);
/* Write the greeting; with APOP on, ts ("<pid.n.time@host>", unique per
 * connection) is remembered and sent. */
void sess_greet(struct sess *s, const char *ts);
/* Longest input line accepted now (commands, or SASL responses). */
size_t sess_line_max(const struct sess *s);
/* Handle one complete line (no CRLF). Fills *act. */
void sess_line(
    struct sess *s, const char *line, size_t len, struct sess_act *act);
/* The line reader found an over-long line or a NUL byte: reply and count a
 * bad command. is_nul distinguishes the two. Fills *act. */
void sess_bad_line(struct sess *s, bool is_nul, struct sess_act *act);
/* Result of an SA_AUTH check: result is an ipc_result; path is the mailbox.
 * Opens the mailbox and replies. Wipes the password. Fills *act. */
void sess_auth_done(struct sess *s, int result, const char *user,
    const char *path, struct sess_act *act);
/* The I/O layer refused an SA_AUTH before checking it (too many parallel
 * logins from the source): wipe the password and say why. */
void sess_auth_refuse(struct sess *s, const char *reply, struct sess_act *act);
/* TLS 1.3 is up and its tls-exporter channel binding is known: offer
 * SCRAM-SHA-256-PLUS. */
void sess_set_binding(struct sess *s);
/* A SCRAM START or STEP was answered with a challenge (base64): send it
 * as "+ data" and wait for the client's next message. user is the
 * authentication id the credential process read ("" if none). */
void sess_sasl_challenge(
    struct sess *s, const char *user, const char *data, size_t dlen);
/* The proof was right: send the server's final message (base64) and wait
 * for the client's empty response (RFC 4422 §5, RFC 5034 §4), which yields
 * SASL_OP_ACK. */
void sess_sasl_final(struct sess *s, const char *data, size_t dlen);
/* TLS is now up after SA_STARTTLS: forget all pre-TLS state. */
void sess_tls_started(struct sess *s);
/* Write a reply line ("+OK ..." or "-ERR ...") with CRLF. */
void sess_reply(struct sess *s, const char *text);
/* End of the session without QUIT (drop, timeout, shutdown): nothing is
 * deleted; the mailbox lock is released. */
void sess_abort(struct sess *s);

#endif
