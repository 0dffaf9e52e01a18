/* sess.c: opening POP3 sessions for probes (greeting, STLS, CAPA, login).
 * The operator's password is only ever sent inside TLS unless
 * --allow-cleartext-creds was given, and never appears in a transcript. */
#include <stdio.h>
#include <string.h>

#include "audit/probe.h"
#include "lib/util.h"

bool
au_has_plain(struct au_ctx *x)
{
	return x->f.plain_up;
}

bool
au_has_tls(struct au_ctx *x)
{
	return x->f.tls_ok || x->f.stls == 1;
}

int
au_open(struct au_ctx *x, struct au_conn *c, bool tls, struct buf *log,
    char *greet, size_t gcap)
{
	const struct au_tlscfg *cfg = au_tls_default(x);
	char line[AU_GREET_MAX];
	int r;

	r = au_connect(
	    x, c, tls ? x->o->tls_port : x->o->plain_port, NULL, log);
	if (r != 0)
		return r;
	if (tls && au_tls(c, cfg) != 0) {
		au_close(c);
		return -1;
	}
	if (au_reply(x, c, line, sizeof(line), 0) < 0 || !au_ok(line)) {
		au_close(c);
		return -1;
	}
	if (greet != NULL)
		(void)str_copy(greet, line, gcap);
	return 0;
}

static int
stls(struct au_ctx *x, struct au_conn *c)
{
	const struct au_tlscfg *cfg = au_tls_default(x);
	char line[AU_GREET_MAX];

	if (au_cmd(c, "STLS") != 0 ||
	    au_reply(x, c, line, sizeof(line), 0) < 0 || !au_ok(line))
		return -1;
	return au_tls(c, cfg);
}

int
au_open_secure(
    struct au_ctx *x, struct au_conn *c, struct buf *log, const char **how_r)
{
	if (x->f.tls_ok) {
		*how_r = "implicit TLS";
		return au_open(x, c, true, log, NULL, 0);
	}
	if (!x->f.plain_up) {
		*how_r = "none";
		return -1;
	}
	if (au_open(x, c, false, log, NULL, 0) != 0) {
		*how_r = "cleartext";
		return -1;
	}
	if (x->f.stls == 1) {
		*how_r = "STLS";
		if (stls(x, c) != 0) {
			au_close(c);
			return -1;
		}
		return 0;
	}
	*how_r = "cleartext";
	return 0;
}

int
au_capa(struct au_ctx *x, struct au_conn *c, char *raw, size_t rawcap,
    struct p3_capa *caps)
{
	char line[512];
	size_t used = 0, n;
	int r;

	if (rawcap > 0)
		raw[0] = '\0';
	p3_capa_reset(caps);
	if (au_cmd(c, "CAPA") != 0 || au_reply(x, c, line, sizeof(line), 0) < 0)
		return -1;
	if (!au_ok(line))
		return -1;
	for (;;) {
		r = au_line(c, line, sizeof(line), 0);
		if (r < 0)
			return -1;
		if (strcmp(line, ".") == 0)
			return 0;
		(void)p3_capa_line(caps, line, (size_t)r);
		n = (size_t)r;
		if (used + n + 2 < rawcap) {
			if (used > 0)
				raw[used++] = ' ';
			memcpy(raw + used, line, n);
			used += n;
			raw[used] = '\0';
		}
	}
}

int
au_login(struct au_ctx *x, struct au_conn *c, char *out, size_t cap)
{
	char line[P3_USER_MAX + P3_PASS_MAX + 16];
	int r;

	if (c->ssl == NULL && !x->o->allow_cleartext_creds) {
		(void)str_copy(out,
		    "refused by the auditor: the password "
		    "would travel in cleartext (--allow-cleartext-creds)",
		    cap);
		return -1;
	}
	if (au_gate_login(x, 1) != 0) {
		(void)str_copy(out, "login-attempt cap reached", cap);
		return -1;
	}
	if (str_fmt(line, sizeof(line), "USER %s", x->o->user) < 0 ||
	    au_cmd(c, line) != 0 || au_reply(x, c, out, cap, 0) < 0)
		return -1;
	if (!au_ok(out))
		return 1;
	r = str_fmt(line, sizeof(line), "PASS %s", x->o->password);
	if (r < 0 || au_cmd_secret(c, line) != 0) {
		mem_wipe(line, sizeof(line));
		return -1;
	}
	mem_wipe(line, sizeof(line));
	if (au_reply(x, c, out, cap, 30000) < 0)
		return -1;
	return au_ok(out) ? 0 : 1;
}

int
au_login_session(
    struct au_ctx *x, struct au_conn *c, struct buf *log, char *r, size_t cap)
{
	const char *how;
	int attempt, lr = -1;

	for (attempt = 0; attempt < 2; attempt++) {
		r[0] = '\0';
		if (au_open_secure(x, c, log, &how) != 0) {
			(void)str_copy(r, "could not open a session", cap);
			return -1;
		}
		lr = au_login(x, c, r, cap);
		if (lr == 0)
			return 0;
		au_close(c);
		/* a session we just dropped may still hold the lock */
		if (lr != 1 || !au_has(r, "IN-USE"))
			break;
		au_sleep_ms(1500);
	}
	return lr;
}
