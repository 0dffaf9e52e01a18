/* session_auth.c: logging in. The account lists mechanisms in order of
 * preference; the first one the server offers is used: SCRAM-SHA-256
 * (-PLUS with channel binding under TLS), PLAIN, LOGIN, USER/PASS, and APOP
 * only when the account names it. No password before TLS unless the
 * account is explicitly plaintext. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsasl.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>

#include "fetch/session.h"
#include "lib/log.h"
#include "lib/util.h"

/* The reply to a login step was -ERR: classify it by its response code. */
static int
refused(struct fx_sess *s, const char *mech)
{
	char esc[160];
	struct p3_span c = s->resp.code;
	int code = FX_AUTH;

	if (str_case_eq(c.p, c.len, "IN-USE") ||
	    str_case_eq(c.p, c.len, "LOGIN-DELAY") ||
	    str_case_eq(c.p, c.len, "SYS/TEMP") ||
	    str_case_eq(c.p, c.len, "SYS/PERM"))
		code = FX_PROTO;
	return fx_fail(s, code, "%s refused %s login for %s: \"%s\"",
	    s->a->host, mech, s->a->user,
	    log_escape(s->line, strlen(s->line), esc, sizeof(esc)));
}

/* Send cmd (which may hold a secret: it is wiped) and read the status. */
static int
step(struct fx_sess *s, char *cmd, size_t cap)
{
	int rc = fx_send(s, cmd);

	mem_wipe(cmd, cap);
	if (rc < 0)
		return -1;
	return fx_status_cont(s);
}

static int
b64_line(const char *prefix, const void *p, size_t len, char *out, size_t cap)
{
	size_t plen = strlen(prefix);

	if (len > (cap - plen - 1) / 4 * 3 - 2)
		return -1;
	memcpy(out, prefix, plen);
	b64_encode(p, len, out + plen);
	return 0;
}

static int
auth_plain(struct fx_sess *s, const char *pass)
{
	uint8_t msg[P3_USER_MAX + P3_PASS_MAX + 4];
	char cmd[P3_SASL_LINE_MAX];
	int n, r;

	n = p3_sasl_plain_build(s->a->user, pass, msg, sizeof(msg));
	if (n < 0)
		return fx_fail(s, FX_AUTH, "user name or password too long");
	/* RFC 5034 §4: no initial response if the command would pass 255. */
	if (4 * ((size_t)n + 2) / 3 + 13 <= P3_CMD_MAX) {
		r = b64_line("AUTH PLAIN ", msg, (size_t)n, cmd, sizeof(cmd));
	} else {
		char start[] = "AUTH PLAIN";

		r = step(s, start, sizeof(start));
		if (r != 2) {
			mem_wipe(msg, sizeof(msg));
			return r < 0 ? -1 : refused(s, "PLAIN");
		}
		r = b64_line("", msg, (size_t)n, cmd, sizeof(cmd));
	}
	mem_wipe(msg, sizeof(msg));
	if (r < 0)
		return fx_fail(s, FX_AUTH, "credentials too long");
	r = step(s, cmd, sizeof(cmd));
	if (r < 0)
		return -1;
	return r == 1 ? 0 : refused(s, "PLAIN");
}

static int
auth_login(struct fx_sess *s, const char *pass)
{
	char cmd[P3_SASL_LINE_MAX];
	char start[] = "AUTH LOGIN";
	int r;

	r = step(s, start, sizeof(start));
	if (r != 2)
		return r < 0 ? -1 : refused(s, "LOGIN");
	if (b64_line("", s->a->user, strlen(s->a->user), cmd, sizeof(cmd)) < 0)
		return fx_fail(s, FX_AUTH, "user name too long");
	r = step(s, cmd, sizeof(cmd));
	if (r != 2)
		return r < 0 ? -1 : refused(s, "LOGIN");
	if (b64_line("", pass, strlen(pass), cmd, sizeof(cmd)) < 0)
		return fx_fail(s, FX_AUTH, "password too long");
	r = step(s, cmd, sizeof(cmd));
	if (r < 0)
		return -1;
	return r == 1 ? 0 : refused(s, "LOGIN");
}

static int
auth_user(struct fx_sess *s, const char *pass)
{
	char cmd[P3_SASL_LINE_MAX];
	int r;

	if (str_fmt(cmd, sizeof(cmd), "USER %s", s->a->user) < 0)
		return fx_fail(s, FX_AUTH, "user name too long");
	r = step(s, cmd, sizeof(cmd));
	if (r != 1)
		return r < 0 ? -1 : refused(s, "USER");
	if (str_fmt(cmd, sizeof(cmd), "PASS %s", pass) < 0)
		return fx_fail(s, FX_AUTH, "password too long");
	r = step(s, cmd, sizeof(cmd));
	if (r < 0)
		return -1;
	return r == 1 ? 0 : refused(s, "USER/PASS");
}

static int
auth_apop(struct fx_sess *s, const char *pass)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	char cmd[P3_SASL_LINE_MAX], dig[33];
	unsigned int mdlen = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok, r;

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, EVP_md5(), NULL) == 1 &&
	     EVP_DigestUpdate(ctx, s->apop_ts, strlen(s->apop_ts)) == 1 &&
	     EVP_DigestUpdate(ctx, pass, strlen(pass)) == 1 &&
	     EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 16;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return fx_fail(s, FX_FAIL, "MD5 unavailable for APOP");
	for (i = 0; i < 16; i++) {
		dig[2 * i] = hex[md[i] >> 4];
		dig[2 * i + 1] = hex[md[i] & 15];
	}
	dig[32] = '\0';
	if (str_fmt(cmd, sizeof(cmd), "APOP %s %s", s->a->user, dig) < 0)
		return fx_fail(s, FX_AUTH, "user name too long");
	r = step(s, cmd, sizeof(cmd));
	if (r < 0)
		return -1;
	return r == 1 ? 0 : refused(s, "APOP");
}

/* Channel binding data for SCRAM-*-PLUS, base64: tls-exporter (TLS 1.3,
 * RFC 9266) or tls-unique (TLS 1.2, RFC 5929). 0, or -1 if unavailable. */
static int
channel_binding(struct fx_sess *s, char *b64, size_t cap, bool *exporter_r)
{
	unsigned char cb[64];
	size_t n;
	SSL *ssl = s->conn.ssl;

	if (ssl == NULL || cap < 4 * sizeof(cb) / 3 + 4)
		return -1;
	if (SSL_version(ssl) >= TLS1_3_VERSION) {
		if (SSL_export_keying_material(ssl, cb, 32,
			"EXPORTER-Channel-Binding", 24, NULL, 0, 0) != 1)
			return -1;
		n = 32;
		*exporter_r = true;
	} else {
		n = SSL_get_finished(ssl, cb, sizeof(cb));
		if (n == 0 || n > sizeof(cb))
			return -1;
		*exporter_r = false;
	}
	b64_encode(cb, n, b64);
	return 0;
}

static int
auth_scram(struct fx_sess *s, const char *pass, bool plus)
{
	const char *mech = plus ? "SCRAM-SHA-256-PLUS" : "SCRAM-SHA-256";
	Gsasl *ctx = NULL;
	Gsasl_session *ss = NULL;
	char cmd[P3_SASL_LINE_MAX], cb[128], *out = NULL, *in = NULL;
	bool exporter = false, done = false;
	int rc = -1, g, r, rounds;

	if (gsasl_init(&ctx) != GSASL_OK ||
	    gsasl_client_start(ctx, mech, &ss) != GSASL_OK) {
		fx_fail(s, FX_FAIL, "SASL library cannot start %s", mech);
		goto out;
	}
	gsasl_property_set(ss, GSASL_AUTHID, s->a->user);
	gsasl_property_set(ss, GSASL_PASSWORD, pass);
	if (plus) {
		if (channel_binding(s, cb, sizeof(cb), &exporter) < 0) {
			fx_fail(
			    s, FX_TLS, "no TLS channel binding for %s", mech);
			goto out;
		}
		gsasl_property_set(ss,
		    exporter ? GSASL_CB_TLS_EXPORTER : GSASL_CB_TLS_UNIQUE, cb);
	}
	if (gsasl_step64(ss, "", &out) != GSASL_NEEDS_MORE ||
	    str_fmt(cmd, sizeof(cmd), "AUTH %s %s", mech, out) < 0) {
		fx_fail(s, FX_AUTH, "%s: cannot build the first message", mech);
		goto out;
	}
	for (rounds = 0; rounds < 4; rounds++) {
		gsasl_free(out);
		out = NULL;
		r = step(s, cmd, sizeof(cmd));
		if (r < 0)
			goto out;
		if (r == 0) {
			refused(s, mech);
			goto out;
		}
		if (r == 1) {
			if (!done) {
				fx_fail(s, FX_AUTH,
				    "%s: server accepted without "
				    "proving it knows the password",
				    mech);
				goto out;
			}
			rc = 0;
			goto out;
		}
		if (done) {
			cmd[0] = '\0';
			continue;
		}
		in = strndup(s->resp.text.p, s->resp.text.len);
		if (in == NULL)
			goto out;
		g = gsasl_step64(ss, in, &out);
		free(in);
		if (g != GSASL_OK && g != GSASL_NEEDS_MORE) {
			char tmp[] = "*"; /* cancel (RFC 5034 §4) */

			fx_fail(s, FX_AUTH, "%s: %s", mech, gsasl_strerror(g));
			(void)step(s, tmp, sizeof(tmp));
			goto out;
		}
		done = g == GSASL_OK;
		if (str_copy(cmd, out != NULL ? out : "", sizeof(cmd)) < 0) {
			fx_fail(s, FX_AUTH, "%s: message too long", mech);
			goto out;
		}
	}
	fx_fail(s, FX_PROTO, "%s: too many round trips", mech);
out:
	mem_wipe(cmd, sizeof(cmd));
	gsasl_free(out);
	if (ss != NULL)
		gsasl_finish(ss);
	if (ctx != NULL)
		gsasl_done(ctx);
	return rc;
}

/* SCRAM was offered and refused with -ERR: servers (Dovecot, postie) offer
 * SCRAM to every user, also to those stored with only a crypt hash. Under
 * TLS, forget the refusal so the next listed mechanism gets one try. */
static bool
scram_fallback(struct fx_sess *s, bool tls, bool more)
{
	if (!tls || !more || s->code != FX_AUTH || s->resp.status != P3_ST_ERR)
		return false;
	log_warn("%s: %s refused for %s; trying the next mechanism (list only "
		 "scram-sha-256 in `auth` to forbid this)",
	    s->a->host, s->mech_used, s->a->user);
	s->code = FX_OK;
	s->err[0] = '\0';
	return true;
}

int
fx_login(struct fx_sess *s, const char *pass)
{
	const struct p3_capa *c = &s->capa;
	bool tls = pc_tls_active(&s->conn);
	int i, rc;

	if (!tls && s->a->tls != FA_TLS_PLAINTEXT)
		return fx_fail(s, FX_TLS, "refusing to log in without TLS");
	for (i = 0; i < s->a->nmech; i++) {
		switch (s->a->mech[i]) {
		case FA_MECH_SCRAM_SHA256:
			if (tls && p3_capa_has_sasl(c, "SCRAM-SHA-256-PLUS")) {
				s->mech_used = "SCRAM-SHA-256-PLUS";
				rc = auth_scram(s, pass, true);
			} else if (p3_capa_has_sasl(c, "SCRAM-SHA-256")) {
				s->mech_used = "SCRAM-SHA-256";
				rc = auth_scram(s, pass, false);
			} else {
				break;
			}
			if (rc == 0 ||
			    !scram_fallback(s, tls, i + 1 < s->a->nmech))
				return rc;
			break;
		case FA_MECH_PLAIN:
			if (p3_capa_has_sasl(c, "PLAIN")) {
				s->mech_used = "PLAIN";
				return auth_plain(s, pass);
			}
			break;
		case FA_MECH_LOGIN:
			if (p3_capa_has_sasl(c, "LOGIN")) {
				s->mech_used = "LOGIN";
				return auth_login(s, pass);
			}
			break;
		case FA_MECH_USER:
			if (c->user || !s->capa_ok) {
				s->mech_used = "USER/PASS";
				return auth_user(s, pass);
			}
			break;
		case FA_MECH_APOP:
			if (s->apop_ts[0] != '\0') {
				s->mech_used = "APOP";
				return auth_apop(s, pass);
			}
			break;
		}
	}
	return fx_fail(s, FX_AUTH,
	    "%s offers none of the login mechanisms "
	    "configured for %s",
	    s->a->host, s->a->name);
}
