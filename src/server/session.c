/* session.c: POP3 command handling per state (RFC 1939, 2449, 3206, 5034). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth/ipc.h"
#include "lib/log.h"
#include "lib/util.h"
#include "proto/pop3.h"
#include "server/session.h"
#include "server/sess_int.h"

void
sess_out(struct sess *s, const void *p, size_t len)
{
	if (s->sink(s->sink_ctx, p, len) < 0)
		log_err("reply dropped: out of memory");
}

void
sess_reply(struct sess *s, const char *text)
{
	sess_out(s, text, strlen(text));
	sess_out(s, "\r\n", 2);
}

void
sess_replyf(struct sess *s, const char *fmt, ...)
{
	char line[P3_RESP_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 2, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > sizeof(line) - 3)
		n = (int)sizeof(line) - 3;
	line[n++] = '\r';
	line[n++] = '\n';
	sess_out(s, line, (size_t)n);
}

void
sess_init(struct sess *s, const struct srv_conf *conf,
    const struct sess_hooks *hooks, bool tls, bool tls_avail,
    int (*sink)(void *, const void *, size_t), void *sink_ctx)
{
	memset(s, 0, sizeof(*s));
	s->conf = conf;
	s->hooks = hooks;
	s->state = SS_AUTH;
	s->tls = tls;
	s->tls_avail = tls_avail;
	s->sink = sink;
	s->sink_ctx = sink_ctx;
}

void
sess_greet(struct sess *s, const char *ts)
{
	if (s->conf->apop && ts != NULL) {
		(void)str_copy(s->apop_ts, ts, sizeof(s->apop_ts));
		sess_replyf(s, "+OK POP3 server ready %s", s->apop_ts);
		return;
	}
	sess_reply(s, "+OK POP3 server ready");
}

size_t
sess_line_max(const struct sess *s)
{
	return s->sasl != SASL_NONE ? P3_SASL_LINE_MAX : P3_CMD_MAX;
}

static bool
plaintext_ok(const struct sess *s)
{
	return s->tls || s->conf->allow_plaintext_auth;
}

void
sess_forget(struct sess *s)
{
	mem_wipe(s->pass, sizeof(s->pass));
	s->pass_len = 0;
	s->have_user = false;
	s->sasl = SASL_NONE;
	s->sasl_mech = NULL;
	if (s->sasl_data != NULL) {
		mem_wipe(s->sasl_data, s->sasl_dlen);
		free(s->sasl_data);
		s->sasl_data = NULL;
	}
	s->sasl_dlen = 0;
}

/* The SASL mechanisms offered now, best first; returns their number (at
 * most MECHS_MAX). SCRAM-SHA-256 goes with PLAIN and LOGIN: without TLS an
 * eavesdropper could run an offline dictionary attack on the exchange
 * (RFC 5802 §9) and would read the mail anyway; so does CRAM-MD5, only
 * when turned on (MD5, plaintext-equivalent secrets, no channel binding).
 * -PLUS needs the TLS 1.3 exporter. */
#define MECHS_MAX 5
_Static_assert(MECHS_MAX <= P3_SASL_MAX, "CAPA SASL list");
static int
mechs(const struct sess *s, const char **m)
{
	int n = 0;

	if (s->cb_avail)
		m[n++] = "SCRAM-SHA-256-PLUS";
	if (plaintext_ok(s)) {
		m[n++] = "SCRAM-SHA-256";
		m[n++] = "PLAIN";
		m[n++] = "LOGIN";
		if (s->conf->cram_md5)
			m[n++] = "CRAM-MD5";
	}
	return n;
}

/* Count a bad command; past the limit, say why and close. */
void
sess_bad(struct sess *s, const char *reply, struct sess_act *act)
{
	s->bad++;
	if (s->bad >= s->conf->max_bad_commands) {
		sess_reply(s, "-ERR Too many bad commands, closing connection");
		act->kind = SA_CLOSE;
		return;
	}
	sess_reply(s, reply);
}

static void
cmd_capa(struct sess *s)
{
	struct p3_capa c;
	char buf[1024];
	int n;

	memset(&c, 0, sizeof(c));
	c.top = c.uidl = c.resp_codes = c.auth_resp_code = c.pipelining = true;
	c.login_delay = s->conf->login_delay;
	c.expire = s->conf->expire;
	if (s->state == SS_AUTH) {
		const char *m[MECHS_MAX];
		int i;

		c.user = plaintext_ok(s);
		c.nsasl = mechs(s, m);
		for (i = 0; i < c.nsasl; i++)
			(void)str_copy(c.sasl[i], m[i], sizeof(c.sasl[i]));
		c.stls = s->tls_avail && !s->tls;
	} else {
		memcpy(c.implementation, "postie", 7);
	}
	n = p3_capa_format(&c, buf, sizeof(buf));
	if (n < 0) {
		sess_reply(s, R_TEMP);
		return;
	}
	sess_out(s, buf, (size_t)n);
}

/* Queue a password check for user/pass (copied into the session). */
static void
start_auth(struct sess *s, const char *mech, const char *user, size_t ulen,
    const char *pass, size_t plen, struct sess_act *act)
{
	if (ulen == 0 || ulen > P3_USER_MAX || plen > P3_PASS_MAX) {
		/* Still answered after the failure delay, like any failure. */
		ulen = 0;
		plen = 0;
	}
	memmove(s->user, user, ulen);
	s->user[ulen] = '\0';
	s->user_len = ulen;
	memmove(s->pass, pass, plen);
	s->pass[plen] = '\0';
	s->pass_len = plen;
	act->kind = SA_AUTH;
	act->user = s->user;
	act->ulen = s->user_len;
	act->pass = s->pass;
	act->plen = s->pass_len;
	act->mech = mech;
}

/* Decode base64 SASL data into buf; -1 on bad encoding. "=" is empty. */
static int
sasl_decode(struct sess *s, const char *p, size_t len, uint8_t *buf, size_t cap,
    size_t *outlen)
{
	if (len == 1 && p[0] == '=') {
		*outlen = 0;
		return 0;
	}
	if (b64_decode(p, len, buf, cap, outlen) < 0) {
		sess_reply(s, "-ERR Invalid base64 data");
		return -1;
	}
	return 0;
}

static void
sasl_plain(struct sess *s, const char *p, size_t len, struct sess_act *act)
{
	uint8_t msg[P3_SASL_LINE_MAX];
	struct p3_span authz, authc, pass;
	size_t n;

	s->sasl = SASL_NONE;
	if (sasl_decode(s, p, len, msg, sizeof(msg), &n) < 0)
		return;
	if (p3_sasl_plain_split(msg, n, &authz, &authc, &pass) < 0 ||
	    (authz.len > 0 && (authz.len != authc.len ||
				  memcmp(authz.p, authc.p, authc.len) != 0))) {
		/* Malformed or a proxy login we do not offer: a failure. */
		start_auth(s, "PLAIN", "", 0, "", 0, act);
	} else {
		start_auth(
		    s, "PLAIN", authc.p, authc.len, pass.p, pass.len, act);
	}
	mem_wipe(msg, sizeof(msg));
}

static void
sasl_step(struct sess *s, const char *line, size_t len, struct sess_act *act)
{
	uint8_t buf[P3_SASL_LINE_MAX];
	size_t n;

	if (len == 1 && line[0] == '*') {
		sess_sasl_cancel(s, R_CANCEL, act);
		return;
	}
	if (s->sasl >= SASL_SCRAM_FIRST) {
		sess_scram_line(s, line, len, act);
		return;
	}
	if (s->sasl == SASL_PLAIN) {
		sasl_plain(s, line, len, act);
		return;
	}
	if (sasl_decode(s, line, len, buf, sizeof(buf), &n) < 0) {
		sess_forget(s);
		return;
	}
	if (s->sasl == SASL_LOGIN_USER) {
		if (n == 0 || n > P3_USER_MAX || memchr(buf, 0, n) != NULL)
			n = 0;
		memcpy(s->user, buf, n);
		s->user[n] = '\0';
		s->user_len = n;
		s->sasl = SASL_LOGIN_PASS;
		sess_reply(s, "+ UGFzc3dvcmQ6");
	} else {
		s->sasl = SASL_NONE;
		if (n > P3_PASS_MAX || memchr(buf, 0, n) != NULL)
			n = 0;
		start_auth(s, "LOGIN", s->user, s->user_len, (const char *)buf,
		    n, act);
	}
	mem_wipe(buf, sizeof(buf));
}

static void
cmd_auth(struct sess *s, const struct p3_cmd *c, struct sess_act *act)
{
	const struct p3_span *m = &c->argv[0];
	const char *list[MECHS_MAX];
	int i, n;

	if (c->argc == 0) {
		sess_reply(s, "+OK");
		n = mechs(s, list);
		for (i = 0; i < n; i++)
			sess_reply(s, list[i]);
		sess_out(s, ".\r\n", 3);
		return;
	}
	if (c->argc > 2) {
		sess_bad(s, R_BADARGS, act);
		return;
	}
	if (str_case_eq(m->p, m->len, "SCRAM-SHA-256-PLUS") ||
	    str_case_eq(m->p, m->len, "SCRAM-SHA-256")) {
		bool plus = m->len > 13;

		if (plus && !s->cb_avail)
			sess_reply(s, "-ERR SCRAM-SHA-256-PLUS needs TLS 1.3 "
				      "(tls-exporter channel binding)");
		else if (!plus && !plaintext_ok(s))
			sess_reply(s, R_NEEDTLS);
		else
			sess_scram_begin(s,
			    plus ? "SCRAM-SHA-256-PLUS" : "SCRAM-SHA-256",
			    c->argc == 2 ? &c->argv[1] : NULL, act);
		return;
	}
	if (str_case_eq(m->p, m->len, "CRAM-MD5") && s->conf->cram_md5) {
		static const struct p3_span none = {"", 0};

		/* RFC 2195: server first, so no initial response. The
		 * credential process makes the challenge (an empty START). */
		if (c->argc == 2)
			sess_bad(
			    s, "-ERR CRAM-MD5 takes no initial response", act);
		else if (!plaintext_ok(s))
			sess_reply(s, R_NEEDTLS);
		else
			sess_scram_begin(s, "CRAM-MD5", &none, act);
		return;
	}
	if (!str_case_eq(m->p, m->len, "PLAIN") &&
	    !str_case_eq(m->p, m->len, "LOGIN")) {
		sess_reply(s, "-ERR Unsupported authentication mechanism");
		return;
	}
	if (!plaintext_ok(s)) {
		sess_reply(s, R_PLAINTEXT);
		return;
	}
	s->have_user = false;
	if (str_case_eq(m->p, m->len, "PLAIN")) {
		s->sasl = SASL_PLAIN;
		if (c->argc == 2)
			sasl_plain(s, c->argv[1].p, c->argv[1].len, act);
		else
			sess_reply(s, "+ ");
		return;
	}
	s->sasl = SASL_LOGIN_USER;
	if (c->argc == 2)
		sasl_step(s, c->argv[1].p, c->argv[1].len, act);
	else
		sess_reply(s, "+ VXNlcm5hbWU6");
}

static void
state_auth(struct sess *s, const struct p3_cmd *c, struct sess_act *act)
{
	switch (c->verb) {
	case P3_V_USER:
		if (!plaintext_ok(s)) {
			sess_reply(s, R_PLAINTEXT);
		} else if (c->argc != 1 || c->argv[0].len > P3_USER_MAX) {
			sess_bad(s, R_BADARGS, act);
		} else {
			memcpy(s->user, c->argv[0].p, c->argv[0].len);
			s->user[c->argv[0].len] = '\0';
			s->user_len = c->argv[0].len;
			s->have_user = true;
			sess_reply(s, "+OK");
		}
		return;
	case P3_V_PASS:
		if (!plaintext_ok(s)) {
			sess_reply(s, R_PLAINTEXT);
		} else if (!s->have_user) {
			sess_reply(s, "-ERR No USER given");
		} else if (c->rest.len == 0) {
			sess_bad(s, R_BADARGS, act);
		} else {
			s->have_user = false;
			start_auth(s, "USER", s->user, s->user_len, c->rest.p,
			    c->rest.len, act);
		}
		return;
	case P3_V_AUTH:
		cmd_auth(s, c, act);
		return;
	case P3_V_STLS:
		if (c->argc != 0)
			sess_bad(s, R_BADARGS, act);
		else if (s->tls)
			sess_reply(s, "-ERR TLS already active");
		else if (!s->tls_avail)
			sess_reply(s, "-ERR TLS not available");
		else {
			sess_forget(s);
			sess_reply(s, "+OK Begin TLS negotiation");
			act->kind = SA_STARTTLS;
		}
		return;
	case P3_V_APOP:
		/* RFC 1939 §7; off by default (MD5, plaintext-equivalent
		 * secrets). The digest never reveals the secret, so it is
		 * allowed without TLS when the administrator turns it on. */
		if (!s->conf->apop || s->apop_ts[0] == '\0')
			sess_bad(s, R_UNKNOWN, act);
		else if (c->argc != 2 || c->argv[0].len > P3_USER_MAX ||
			 c->argv[1].len != 32)
			sess_bad(s, R_BADARGS, act);
		else
			start_auth(s, "APOP", c->argv[0].p, c->argv[0].len,
			    c->argv[1].p, c->argv[1].len, act);
		return;
	default:
		sess_bad(s, R_BADSTATE, act);
		return;
	}
}

void
sess_auth_done(struct sess *s, int result, const char *user, const char *path,
    struct sess_act *act)
{
	enum md_err err;
	const char *why;
	struct md_opts o;

	act->kind = SA_NONE;
	sess_forget(s);
	if (result == IPC_RES_TEMP) {
		sess_reply(s, R_TEMP);
		return;
	}
	if (result != IPC_RES_OK) {
		sess_reply(s, R_AUTHFAIL);
		return;
	}
	(void)str_copy(s->user, user, sizeof(s->user));
	s->user_len = strlen(s->user);
	if (s->hooks != NULL && s->conf->login_delay > 0 &&
	    s->hooks->login_wait(s->hooks->ctx, s->user) > 0) {
		sess_replyf(s,
		    "-ERR [LOGIN-DELAY] Logins must be at least %lld "
		    "seconds apart",
		    (long long)s->conf->login_delay);
		return;
	}
	memset(&o, 0, sizeof(o));
	o.drop_nul = s->conf->outlook_no_nuls;
	o.mark_seen = s->conf->mark_seen;
	o.seen_flag = 'S';
	if (md_open(path, &o, &s->md, &err, &why) < 0) {
		char esc[256];

		log_warn("user=%s: mailbox %s: %s",
		    log_escape(s->user, s->user_len, esc, sizeof(esc)), path,
		    why);
		if (err == MD_ERR_INUSE)
			sess_reply(s, "-ERR [IN-USE] Mailbox is locked by "
				      "another session");
		else if (err == MD_ERR_TEMP)
			sess_reply(s, R_TEMP);
		else
			sess_reply(s, "-ERR [SYS/PERM] Mailbox unavailable");
		return;
	}
	if (s->hooks != NULL)
		s->hooks->login_done(s->hooks->ctx, s->user);
	s->state = SS_TRANS;
	sess_replyf(s, "+OK Logged in, %u messages (%llu octets)",
	    (unsigned)s->md->count, (unsigned long long)s->md->total_size);
}

void
sess_auth_refuse(struct sess *s, const char *reply, struct sess_act *act)
{
	act->kind = SA_NONE;
	sess_forget(s);
	sess_reply(s, reply);
}

void
sess_tls_started(struct sess *s)
{
	s->tls = true;
	sess_forget(s);
	s->user_len = 0;
	s->user[0] = '\0';
}

void
sess_abort(struct sess *s)
{
	sess_forget(s);
	if (s->md != NULL)
		md_close(&s->md);
	s->state = SS_DONE;
}

void
sess_bad_line(struct sess *s, bool is_nul, struct sess_act *act)
{
	act->kind = SA_NONE;
	if (s->sasl != SASL_NONE) {
		sess_sasl_cancel(s, R_CANCEL, act);
		return;
	}
	sess_bad(
	    s, is_nul ? "-ERR NUL byte in command" : "-ERR Line too long", act);
}

void
sess_line(struct sess *s, const char *line, size_t len, struct sess_act *act)
{
	struct p3_cmd c;

	memset(act, 0, sizeof(*act));
	act->kind = SA_NONE;
	act->fd = -1;
	if (s->sasl != SASL_NONE) {
		sasl_step(s, line, len, act);
		return;
	}
	if (p3_cmd_parse(line, len, &c) < 0 || c.verb == P3_V_UNKNOWN ||
	    (c.verb == P3_V_LAST && !s->conf->enable_last)) {
		sess_bad(s, R_UNKNOWN, act);
		return;
	}
	if (c.verb == P3_V_CAPA) {
		if (c.argc != 0)
			sess_bad(s, R_BADARGS, act);
		else
			cmd_capa(s);
		return;
	}
	if (c.verb == P3_V_QUIT) {
		if (c.argc != 0) {
			sess_bad(s, R_BADARGS, act);
			return;
		}
		act->kind = SA_CLOSE;
		if (s->state == SS_TRANS)
			sess_update(s);
		else
			sess_reply(s, "+OK Bye");
		return;
	}
	if (s->state == SS_AUTH)
		state_auth(s, &c, act);
	else
		sess_trans(s, &c, act);
}
