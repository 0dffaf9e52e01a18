/* sess_int.h: internals shared by session.c and session_trans.c. */
#ifndef POSTIE_SERVER_SESS_INT_H
#define POSTIE_SERVER_SESS_INT_H

#include "proto/pop3.h"
#include "server/session.h"

#define R_PLAINTEXT                                                            \
	"-ERR [AUTH] Plaintext authentication disallowed "                     \
	"without TLS; use STLS or port 995"
#define R_AUTHFAIL "-ERR [AUTH] Authentication failed"
#define R_BADSTATE "-ERR Command not valid in this state"
#define R_BADARGS  "-ERR Invalid arguments"
#define R_BADNUM   "-ERR Invalid message number"
#define R_NOMSG    "-ERR No such message"
#define R_DELETED  "-ERR Message is deleted"
#define R_UNKNOWN  "-ERR Unknown command"
#define R_TEMP     SESS_R_TEMP
#define R_NEEDTLS                                                              \
	"-ERR [AUTH] Authentication disallowed without TLS; "                  \
	"use STLS or port 995"
#define R_CANCEL "-ERR Authentication cancelled"

/* s->sasl: where a SASL exchange stands (SASL_SCRAM_*: the exchanges the
 * credential process runs, SCRAM and CRAM-MD5). */
enum {
	SASL_NONE,
	SASL_PLAIN,       /* waiting for the PLAIN response */
	SASL_LOGIN_USER,  /* LOGIN: waiting for the user name */
	SASL_LOGIN_PASS,  /* LOGIN: waiting for the password */
	SASL_SCRAM_FIRST, /* waiting for the client-first message */
	SASL_SCRAM_WAIT,  /* the credential process is working */
	SASL_SCRAM_NEXT,  /* waiting for the client's next message */
	SASL_SCRAM_ACK    /* waiting for the empty response to the final */
};

/* Forget credentials and any SASL state (not the user name). */
void sess_forget(struct sess *s);
/* AUTH SCRAM-SHA-256[-PLUS] [initial-response], or CRAM-MD5 with ir
 * empty (server first: an empty START asks for the challenge): mech is the
 * canonical name; ir NULL without an initial response. Fills *act. */
void sess_scram_begin(struct sess *s, const char *mech,
    const struct p3_span *ir, struct sess_act *act);
/* A line while a SCRAM or CRAM-MD5 exchange waits for the client; for
 * CRAM-MD5 the user named in the response becomes the session's user.
 * Fills *act. */
void sess_scram_line(
    struct sess *s, const char *line, size_t len, struct sess_act *act);
/* Cancel a SASL exchange with reply; asks the I/O layer to drop a SCRAM
 * exchange the credential process holds. Fills *act. */
void sess_sasl_cancel(struct sess *s, const char *reply, struct sess_act *act);
/* Write raw reply bytes through the sink. */
void sess_out(struct sess *s, const void *p, size_t len);
/* Write a formatted reply line; CRLF is appended. */
void sess_replyf(struct sess *s, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Reply with reply and count a bad command; closes past the limit. */
void sess_bad(struct sess *s, const char *reply, struct sess_act *act);
/* TRANSACTION-state commands. */
void sess_trans(struct sess *s, const struct p3_cmd *c, struct sess_act *act);
/* QUIT in TRANSACTION: the UPDATE state. Replies. */
void sess_update(struct sess *s);

#endif
