/* sess_int.h: internals shared by session.c and session_trans.c. */
#ifndef POSTIE_SERVER_SESS_INT_H
#define POSTIE_SERVER_SESS_INT_H

#include "proto/pop3.h"
#include "server/session.h"

#define R_PLAINTEXT "-ERR [AUTH] Plaintext authentication disallowed " \
		    "without TLS; use STLS or port 995"
#define R_AUTHFAIL  "-ERR [AUTH] Authentication failed"
#define R_BADSTATE  "-ERR Command not valid in this state"
#define R_BADARGS   "-ERR Invalid arguments"
#define R_BADNUM    "-ERR Invalid message number"
#define R_NOMSG	    "-ERR No such message"
#define R_DELETED   "-ERR Message is deleted"
#define R_UNKNOWN   "-ERR Unknown command"
#define R_TEMP	    "-ERR [SYS/TEMP] Temporary server error, try again later"
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
