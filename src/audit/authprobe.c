/* authprobe.c: AUTH robustness (P3-AUTH-03), user enumeration by reply
 * (P3-AUTH-04), anonymous login (P3-AUTH-09) and a real login in cleartext
 * (P3-AUTH-10). Probes prefer a TLS session so that servers which refuse
 * cleartext authentication still show their authentication behaviour. */
#include <stdio.h>
#include <string.h>

#include "audit/probe.h"
#include "lib/util.h"

#define AUTH_REPLY_MS 30000

/* base64 of "\0user\0pass" into out. */
static int
plain_b64(const char *user, const char *pass, char *out, size_t cap)
{
	uint8_t msg[P3_USER_MAX + P3_PASS_MAX + 2];
	int n = p3_sasl_plain_build(user, pass, msg, sizeof(msg));

	if (n < 0 || cap < 4 * (((size_t)n + 2) / 3) + 1)
		return -1;
	b64_encode(msg, (size_t)n, out);
	mem_wipe(msg, sizeof(msg));
	return 0;
}

/* Ensure an open session on c (reopening after a close). */
static int
session(struct au_ctx *x, struct au_conn *c, enum au_id id, const char **how)
{
	if (c->fd >= 0 && !c->eof)
		return 0;
	au_close(c);
	return au_open_secure(x, c, au_evbuf(x, id), how);
}

/* One AUTH-03 step: send line (and cont after "+ "), judge the reply.
 * Returns 0 fine, 1 finding (text in bad). */
static int
step(struct au_ctx *x, struct au_conn *c, const char *line, const char *cont,
    bool cont_ok, char *bad, size_t cap)
{
	char r[512], caps[AU_CAPA_MAX];
	struct p3_capa pc;

	if (au_cmd(c, line) != 0)
		return 0;
	if (au_reply(x, c, r, sizeof(r), AUTH_REPLY_MS) < 0) {
		if (c->timed_out) {
			(void)str_fmt(
			    bad, cap, "no reply to '%.40s' (hang)", line);
			return 1;
		}
		return 0; /* clean close */
	}
	if (au_cont(r) && cont != NULL) {
		if (au_cmd(c, cont) != 0 ||
		    au_reply(x, c, r, sizeof(r), AUTH_REPLY_MS) < 0)
			return c->timed_out
			       ? (void)str_fmt(bad, cap,
				     "no reply after the continuation of '%.40s'",
				     line),
			       1 : 0;
	} else if (au_cont(r) && cont_ok) {
		if (au_cmd(c, "*") != 0 ||
		    au_reply(x, c, r, sizeof(r), AUTH_REPLY_MS) < 0)
			return 0;
	}
	if (au_ok(r)) {
		(void)str_fmt(bad, cap, "+OK to '%.40s%s' (%s)", line,
		    cont != NULL ? " + continuation" : "", r);
		return 1;
	}
	if (au_capa(x, c, caps, sizeof(caps), &pc) != 0 && c->timed_out) {
		(void)str_fmt(bad, cap, "session unusable after '%.40s'", line);
		return 1;
	}
	return 0;
}

void
au_probe_auth03(struct au_ctx *x)
{
	struct au_conn c = {.fd = -1};
	char bad[AU_TEXT_MAX] = "", user[64], pass[240], big[512], line[600];
	const char *how = "?";
	int findings = 0;

	au_bogus(x, "r", user, sizeof(user));
	memset(pass, 'A', sizeof(pass) - 1);
	pass[sizeof(pass) - 1] = '\0';
	if (plain_b64(user, pass, big, sizeof(big)) != 0 ||
	    str_fmt(line, sizeof(line), "AUTH PLAIN %s", big) < 0)
		line[0] = '\0';
	if (session(x, &c, AU_AUTH03, &how) != 0)
		goto dead;
	au_note(&c, "session: %s", how);
	findings += step(x, &c, "AUTH FOO", NULL, true, bad, sizeof(bad));
	if (!findings && session(x, &c, AU_AUTH03, &how) == 0)
		findings += step(x, &c, "AUTH PLAIN", "!!!notbase64", false,
		    bad, sizeof(bad));
	if (!findings && session(x, &c, AU_AUTH03, &how) == 0)
		findings +=
		    step(x, &c, "AUTH PLAIN", "*", false, bad, sizeof(bad));
	if (!findings && line[0] != '\0' && au_gate_login(x, 1) == 0 &&
	    session(x, &c, AU_AUTH03, &how) == 0) {
		au_note(&c, "initial response of %zu octets", strlen(big));
		findings += step(x, &c, line, NULL, true, bad, sizeof(bad));
	}
	au_close(&c);
	if (!au_alive(x, au_evbuf(x, AU_AUTH03)))
		goto dead;
	if (findings)
		au_set(x, AU_AUTH03, AU_ST_FAIL, AU_SEV_HIGH, "%s", bad);
	else
		au_set(x, AU_AUTH03, AU_ST_PASS, AU_SEV_NONE,
		    "unknown "
		    "mechanism, bad base64, '*' and a 300-octet initial "
		    "response were refused cleanly (%s)",
		    how);
	return;
dead:
	au_close(&c);
	au_set(x, AU_AUTH03, AU_ST_FAIL, AU_SEV_HIGH,
	    "the service stopped "
	    "answering during the AUTH probes");
	au_abort(x, "the service stopped answering after P3-AUTH-03");
}

struct sample {
	char user[256], pass[256], auth[256];
	bool closed;
};

static bool
closed_after(struct au_conn *c)
{
	return c->eof || (au_wait_readable(c, 300) &&
			     au_read(c, (char[1]){0}, 1, 50) == 0);
}

/* USER/PASS and AUTH PLAIN with a wrong password for name. */
static void
enum_sample(struct au_ctx *x, const char *name, bool sasl, struct sample *s)
{
	struct au_conn c;
	char line[400], b64[600], pw[32];
	const char *how;

	memset(s, 0, sizeof(*s));
	au_bogus(x, "wrong", pw, sizeof(pw));
	if (au_open_secure(x, &c, au_evbuf(x, AU_AUTH04), &how) != 0)
		return;
	if (str_fmt(line, sizeof(line), "USER %s", name) >= 0 &&
	    au_cmd(&c, line) == 0 &&
	    au_reply(x, &c, s->user, sizeof(s->user), 0) >= 0 &&
	    au_ok(s->user) && au_gate_login(x, 1) == 0 &&
	    str_fmt(line, sizeof(line), "PASS %s", pw) >= 0 &&
	    au_cmd_secret(&c, line) == 0 &&
	    au_reply(x, &c, s->pass, sizeof(s->pass), AUTH_REPLY_MS) >= 0)
		s->closed = closed_after(&c);
	au_close(&c);
	if (!sasl || au_gate_login(x, 1) != 0 ||
	    plain_b64(name, pw, b64, sizeof(b64)) != 0 ||
	    au_open_secure(x, &c, au_evbuf(x, AU_AUTH04), &how) != 0)
		return;
	if (str_fmt(line, sizeof(line), "AUTH PLAIN %s", b64) >= 0 &&
	    au_cmd_secret(&c, line) == 0)
		(void)au_reply(x, &c, s->auth, sizeof(s->auth), AUTH_REPLY_MS);
	au_close(&c);
}

static int
cmp_field(struct au_ctx *x, const char *what, const char *a, const char *b)
{
	if (strcmp(a, b) == 0)
		return 0;
	au_ev(x, AU_AUTH04, "difference in %s: invented '%s' vs valid '%s'",
	    what, a, b);
	return 1;
}

void
au_probe_auth04(struct au_ctx *x)
{
	struct sample inv, val;
	const char *valid =
	    x->o->nvalid > 0 ? x->o->valid_users[0] : x->o->user;
	bool sasl =
	    p3_capa_has_sasl(x->f.tls_ok ? &x->f.tcapa : &x->f.scapa, "PLAIN");
	char name[64];
	int d = 0;

	au_bogus(x, "e", name, sizeof(name));
	enum_sample(x, name, sasl, &inv);
	if (inv.user[0] == '\0') {
		au_set(x, AU_AUTH04, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "no reply to USER");
		return;
	}
	if (valid == NULL) {
		if (au_err(inv.user) && !au_has(inv.user, "TLS") &&
		    !au_has(inv.user, "plaintext"))
			au_set(x, AU_AUTH04, AU_ST_FAIL, AU_SEV_MEDIUM,
			    "USER "
			    "rejects an unknown name ('%s'): valid names can "
			    "be told apart",
			    inv.user);
		else
			au_set(x, AU_AUTH04, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
			    "USER accepts any name ('%s'); comparing with a "
			    "valid user needs --valid-user or --user",
			    inv.user);
		return;
	}
	enum_sample(x, valid, sasl, &val);
	d += cmp_field(x, "USER reply", inv.user, val.user);
	d += cmp_field(x, "PASS reply", inv.pass, val.pass);
	d += cmp_field(x, "AUTH PLAIN reply", inv.auth, val.auth);
	d += cmp_field(x, "disconnect after PASS", inv.closed ? "yes" : "no",
	    val.closed ? "yes" : "no");
	if (d > 0)
		au_set(x, AU_AUTH04, AU_ST_FAIL, AU_SEV_MEDIUM,
		    "replies differ "
		    "between an unknown and a valid user (%d differences)",
		    d);
	else
		au_set(x, AU_AUTH04, AU_ST_PASS, AU_SEV_NONE,
		    "identical "
		    "replies for unknown and valid users (USER '%s', PASS "
		    "'%s'%s%s)",
		    inv.user, inv.pass, sasl ? ", AUTH PLAIN '" : "",
		    sasl ? inv.auth : "");
}

void
au_probe_auth09(struct au_ctx *x)
{
	struct au_conn c;
	char r[512], b64[64], hit[AU_TEXT_MAX] = "";
	const char *how;

	b64_encode((const uint8_t *)"p3audit@invalid", 15, b64);
	if (au_gate_login(x, 2) != 0) {
		au_set(x, AU_AUTH09, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "login-attempt cap reached");
		return;
	}
	if (au_open_secure(x, &c, au_evbuf(x, AU_AUTH09), &how) == 0) {
		if (au_cmd(&c, "AUTH ANONYMOUS") == 0 &&
		    au_reply(x, &c, r, sizeof(r), AUTH_REPLY_MS) >= 0 &&
		    au_cont(r) && au_cmd(&c, b64) == 0)
			(void)au_reply(x, &c, r, sizeof(r), AUTH_REPLY_MS);
		if (au_ok(r))
			(void)str_fmt(hit, sizeof(hit),
			    "AUTH ANONYMOUS logged "
			    "in (%s)",
			    r);
		au_close(&c);
	}
	if (au_open_secure(x, &c, au_evbuf(x, AU_AUTH09), &how) == 0) {
		if (au_cmd(&c, "USER anonymous") == 0 &&
		    au_reply(x, &c, r, sizeof(r), 0) >= 0 && au_ok(r) &&
		    au_cmd_secret(&c, "PASS p3audit@invalid") == 0 &&
		    au_reply(x, &c, r, sizeof(r), AUTH_REPLY_MS) >= 0 &&
		    au_ok(r))
			(void)str_fmt(hit + strlen(hit),
			    sizeof(hit) - strlen(hit),
			    "%sUSER anonymous logged in (%s)",
			    hit[0] ? "; " : "", r);
		au_close(&c);
	}
	if (hit[0] != '\0')
		au_set(x, AU_AUTH09, AU_ST_FAIL, AU_SEV_HIGH, "%s", hit);
	else
		au_set(x, AU_AUTH09, AU_ST_PASS, AU_SEV_NONE,
		    "AUTH ANONYMOUS "
		    "and USER anonymous were refused (%s)",
		    how);
}

void
au_probe_auth10(struct au_ctx *x)
{
	struct au_conn c;
	char r[512];
	int lr;

	if (!x->f.plain_up) {
		au_set(x, AU_AUTH10, AU_ST_PASS, AU_SEV_NONE,
		    "no cleartext "
		    "endpoint: credentials can only travel inside TLS");
		return;
	}
	if (x->o->allow_cleartext_creds) {
		if (au_open(x, &c, false, au_evbuf(x, AU_AUTH10), NULL, 0)) {
			au_set(x, AU_AUTH10, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
			    "cleartext endpoint stopped answering");
			return;
		}
		lr = au_login(x, &c, r, sizeof(r));
		au_close(&c);
		if (lr == 0)
			au_set(x, AU_AUTH10, AU_ST_FAIL, AU_SEV_HIGH,
			    "the real "
			    "password was accepted in cleartext (%s)",
			    r);
		else if (lr == 1)
			au_set(x, AU_AUTH10, AU_ST_PASS, AU_SEV_NONE,
			    "a real "
			    "login in cleartext was refused (%s)",
			    r);
		else
			au_set(x, AU_AUTH10, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
			    "login attempt failed (%s)", r);
		return;
	}
	if (x->f.cleartext_auth == 0)
		au_set(x, AU_AUTH10, AU_ST_PASS, AU_SEV_NONE,
		    "cleartext "
		    "authentication is refused (P3-TLS-03); the auditor sent "
		    "the password only inside TLS");
	else if (!au_has_tls(x))
		au_set(x, AU_AUTH10, AU_ST_SKIPPED, AU_SEV_NONE,
		    "refused by "
		    "the auditor: the only path is cleartext "
		    "(--allow-cleartext-creds to test it)");
	else
		au_set(x, AU_AUTH10, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "cleartext authentication may be possible (P3-TLS-03); "
		    "confirming it with the real password needs "
		    "--allow-cleartext-creds");
}
