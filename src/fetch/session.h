/* session.h: one POP3 client session for postie fetch: connect, TLS
 * (implicit or mandatory STLS, re-reading CAPA inside TLS), login with the
 * strongest mechanism offered, and bounded reading of every reply. */
#ifndef POSTIE_FETCH_SESSION_H
#define POSTIE_FETCH_SESSION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch/conf.h"
#include "net/client.h"
#include "proto/pop3.h"

/* Failure classes; the values are postie fetch's exit codes. */
enum fx_code {
	FX_OK = 0,
	FX_FAIL = 1,  /* local trouble (disk, state), or paused */
	FX_USAGE = 2, /* usage or configuration */
	FX_AUTH = 3,  /* authentication refused */
	FX_TLS = 4,   /* TLS or certificate problem */
	FX_PROTO = 5  /* server or protocol error, timeout */
};

struct fx_sess {
	struct pc_conn conn;
	const struct fa_account *a;
	struct p3_capa capa;   /* as of the last CAPA */
	bool capa_ok;          /* the server answered CAPA */
	char apop_ts[128];     /* "<...>" from the greeting, or "" */
	const char *mech_used; /* for the log */
	int code;              /* enum fx_code of the first failure */
	char err[512];         /* human-readable reason */
	char line[P3_RESP_LINE_MAX + 1];
	struct p3_resp resp; /* of the last status line read */
};

/* Connect, secure and log in. 0, or -1 with s->code and s->err set (the
 * connection is closed then). pass is not kept. */
int fx_open(struct fx_sess *s, const struct fa_account *a, const char *pass)
    __attribute__((warn_unused_result));
/* Send QUIT and read the reply; 0 if +OK. Always closes. */
int fx_quit(struct fx_sess *s);
/* Close without QUIT (the server then commits no deletion). */
void fx_close(struct fx_sess *s);
/* Record a failure (the first one wins); returns -1. */
int fx_fail(struct fx_sess *s, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Send one command line. 0, or -1 (s->code = FX_PROTO). */
int fx_send(struct fx_sess *s, const char *cmd)
    __attribute__((warn_unused_result));
/* Read one status line into s->line / s->resp. 1 for +OK, 0 for -ERR,
 * -1 on a malformed line, timeout or EOF (s->err set). */
int fx_status(struct fx_sess *s) __attribute__((warn_unused_result));
/* As fx_status, but a SASL continuation "+ data" gives 2. */
int fx_status_cont(struct fx_sess *s) __attribute__((warn_unused_result));
/* Read one line of a multi-line reply, dot-unstuffed, into s->line. 1 for a
 * data line (*len_r set), 0 at the terminating ".", -1 on error. */
int fx_data_line(struct fx_sess *s, size_t *len_r)
    __attribute__((warn_unused_result));
/* Read and discard the rest of a multi-line reply (at most max_lines). */
int fx_skip_multi(struct fx_sess *s, uint32_t max_lines)
    __attribute__((warn_unused_result));
/* Run CAPA into s->capa (an -ERR leaves capa_ok false). 0 or -1. */
int fx_capa(struct fx_sess *s) __attribute__((warn_unused_result));

/* ---- Internal: session_auth.c ------------------------------------------ */

/* Log in with the account's mechanisms that the server offers. 0 or -1. */
int fx_login(struct fx_sess *s, const char *pass)
    __attribute__((warn_unused_result));

#endif
