/* disc.c: discovery of both endpoints (greeting, CAPA, AUTH listing, STLS,
 * implicit TLS) and the checks judged from those facts alone:
 * P3-TLS-01, P3-TLS-02, P3-TLS-06, P3-AUTH-01, P3-AUTH-02 (P3-INFO-01..03
 * are in banner.c). */
#include <stdio.h>
#include <string.h>

#include "audit/probe.h"
#include "lib/util.h"

/* "+OK" listing of AUTH without arguments into out (space-joined). */
static void
auth_listing(struct au_ctx *x, struct au_conn *c, char *out, size_t cap)
{
	char line[512], body[256];

	out[0] = '\0';
	if (au_cmd(c, "AUTH") != 0 ||
	    au_reply(x, c, line, sizeof(line), 0) < 0 || !au_ok(line))
		return;
	if (au_body(c, body, sizeof(body), 0) < 0)
		return;
	for (char *p = body; *p != '\0'; p++)
		if (*p == '\n')
			*p = ' ';
	(void)str_copy(out, body, cap);
}

static bool
host_eq(const char *a, const char *b)
{
	const char *ca = strrchr(a, ':'), *cb = strrchr(b, ':');

	return ca != NULL && cb != NULL && ca - a == cb - b &&
	       strncmp(a, b, (size_t)(ca - a)) == 0;
}

void
au_disc_plain(struct au_ctx *x)
{
	struct au_facts *f = &x->f;
	struct au_conn c;
	char line[AU_GREET_MAX];

	f->stls = -1;
	if (!x->o->plain_given)
		au_logf(&x->plog,
		    "# cleartext port %u is the default "
		    "(no pop3:// target given)\n",
		    x->o->plain_port);
	if (au_connect(x, &c, x->o->plain_port, NULL, &x->plog) != 0)
		return;
	f->same_addr = host_eq(c.local, c.peer);
	if (au_reply(x, &c, line, sizeof(line), 0) < 0) {
		au_close(&c);
		return;
	}
	(void)str_copy(f->plain_greet, line, sizeof(f->plain_greet));
	if (!au_ok(line)) {
		au_err_seen(x, line);
		au_close(&c);
		return;
	}
	f->plain_up = true;
	f->pcapa_ok =
	    au_capa(x, &c, f->pcapa_raw, sizeof(f->pcapa_raw), &f->pcapa) == 0;
	auth_listing(x, &c, f->pauth, sizeof(f->pauth));
	if (au_cmd(&c, "STLS") != 0 ||
	    au_reply(x, &c, line, sizeof(line), 0) < 0) {
		au_close(&c);
		return;
	}
	(void)str_copy(f->stls_reply, line, sizeof(f->stls_reply));
	if (!au_ok(line)) {
		f->stls = 0;
		au_close(&c);
		return;
	}
	if (au_tls(&c, au_tls_default(x)) != 0) {
		f->stls = 2;
		au_close(&c);
		return;
	}
	f->stls = 1;
	f->scapa_ok =
	    au_capa(x, &c, f->scapa_raw, sizeof(f->scapa_raw), &f->scapa) == 0;
	auth_listing(x, &c, f->sauth, sizeof(f->sauth));
	if (au_cmd(&c, "STLS") == 0 &&
	    au_reply(x, &c, line, sizeof(line), 0) >= 0)
		(void)str_copy(f->stls2_reply, line, sizeof(f->stls2_reply));
	au_close(&c);
}

void
au_disc_tls(struct au_ctx *x)
{
	struct au_facts *f = &x->f;
	struct au_conn c;
	char line[AU_GREET_MAX];

	if (!x->o->tls_given)
		au_logf(&x->tlog,
		    "# implicit-TLS port %u is the "
		    "default (no pop3s:// target given)\n",
		    x->o->tls_port);
	if (au_connect(x, &c, x->o->tls_port, NULL, &x->tlog) != 0) {
		(void)str_copy(f->tls_err, c.err, sizeof(f->tls_err));
		return;
	}
	f->tls_up = true;
	if (au_tls(&c, au_tls_default(x)) != 0) {
		(void)str_copy(f->tls_err, c.err, sizeof(f->tls_err));
		au_close(&c);
		return;
	}
	au_tls_info(&c, f->tls_ver, sizeof(f->tls_ver), f->tls_cipher,
	    sizeof(f->tls_cipher));
	if (au_reply(x, &c, line, sizeof(line), 0) < 0 || !au_ok(line)) {
		(void)str_fmt(f->tls_err, sizeof(f->tls_err),
		    "no +OK greeting "
		    "inside TLS (%s)",
		    line[0] != '\0' ? line : c.err);
		au_close(&c);
		return;
	}
	(void)str_copy(f->tls_greet, line, sizeof(f->tls_greet));
	f->tls_ok = true;
	f->tcapa_ok =
	    au_capa(x, &c, f->tcapa_raw, sizeof(f->tcapa_raw), &f->tcapa) == 0;
	auth_listing(x, &c, f->tauth, sizeof(f->tauth));
	au_close(&c);
}

static void
judge_tls01_02(struct au_ctx *x)
{
	struct au_facts *f = &x->f;
	bool enforced = f->stls == 1 && f->cleartext_auth == 0;

	if (!au_want(x, AU_TLS01))
		goto tls02;
	au_ev_buf(x, AU_TLS01, &x->tlog);
	if (f->tls_ok)
		au_set(x, AU_TLS01, AU_ST_PASS, AU_SEV_NONE,
		    "greeting inside "
		    "TLS on port %u (%s, %s)",
		    x->o->tls_port, f->tls_ver, f->tls_cipher);
	else
		au_set(x, AU_TLS01, AU_ST_FAIL,
		    enforced ? AU_SEV_LOW : AU_SEV_MEDIUM,
		    "no implicit TLS on port %u (%s)%s", x->o->tls_port,
		    f->tls_err[0] != '\0' ? f->tls_err : "not reachable",
		    enforced ? "; STLS is enforced" : "");
tls02:
	if (!au_want(x, AU_TLS02))
		return;
	au_ev_buf(x, AU_TLS02, &x->plog);
	if (!f->plain_up && f->tls_ok)
		au_set(x, AU_TLS02, AU_ST_PASS, AU_SEV_NONE,
		    "no cleartext "
		    "endpoint answered; implicit TLS only");
	else if (!f->plain_up)
		au_set(x, AU_TLS02, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "neither endpoint answered");
	else if (f->stls >= 1)
		au_set(x, AU_TLS02, AU_ST_PASS, AU_SEV_NONE, "STLS %s%s",
		    f->pcapa.stls ? "advertised and accepted"
				  : "accepted although not advertised in CAPA",
		    f->tls_ok ? "; implicit TLS too" : "");
	else if (f->tls_ok)
		au_set(x, AU_TLS02, AU_ST_PASS, AU_SEV_NONE,
		    "no STLS on the "
		    "cleartext port, but implicit TLS on port %u",
		    x->o->tls_port);
	else
		au_set(x, AU_TLS02, AU_ST_FAIL, AU_SEV_HIGH,
		    "cleartext only: "
		    "STLS refused (%s) and no implicit TLS on port %u",
		    f->stls_reply, x->o->tls_port);
}

/* Tags in a but not in b (space-separated lists), into out. */
static void
tag_diff(const char *a, const char *b, char *out, size_t cap)
{
	char tag[96];
	size_t used = 0;

	out[0] = '\0';
	while (*a != '\0') {
		size_t n = strcspn(a, " ");
		const char *p = b;
		bool found = false;

		if (n > 0 && n < sizeof(tag)) {
			memcpy(tag, a, n);
			tag[n] = '\0';
			while (*p != '\0' && !found) {
				size_t m = strcspn(p, " ");

				found = m == n && strncmp(p, tag, n) == 0;
				p += m;
				while (*p == ' ')
					p++;
			}
			if (!found && used + n + 2 < cap) {
				if (used > 0)
					out[used++] = ' ';
				memcpy(out + used, tag, n);
				used += n;
				out[used] = '\0';
			}
		}
		a += n;
		while (*a == ' ')
			a++;
	}
}

static void
judge_tls06(struct au_ctx *x)
{
	struct au_facts *f = &x->f;
	char gone[AU_CAPA_MAX], added[AU_CAPA_MAX];

	au_ev_buf(x, AU_TLS06, &x->plog);
	if (f->stls != 1) {
		au_set(x, AU_TLS06,
		    f->stls == 2 ? AU_ST_INCONCLUSIVE : AU_ST_SKIPPED,
		    AU_SEV_NONE,
		    f->stls == 2
			? "STLS was accepted but the handshake failed"
			: "not applicable: no STLS on the cleartext port");
		return;
	}
	if (!f->scapa_ok) {
		au_set(x, AU_TLS06, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "CAPA failed after STLS");
		return;
	}
	tag_diff(f->pcapa_raw, f->scapa_raw, gone, sizeof(gone));
	tag_diff(f->scapa_raw, f->pcapa_raw, added, sizeof(added));
	au_ev(x, AU_TLS06, "capabilities only before TLS: %s", gone);
	au_ev(x, AU_TLS06, "capabilities only after TLS: %s", added);
	if (f->scapa.stls)
		au_set(x, AU_TLS06, AU_ST_FAIL, AU_SEV_LOW,
		    "STLS is still "
		    "advertised after TLS started");
	else if (au_ok(f->stls2_reply))
		au_set(x, AU_TLS06, AU_ST_FAIL, AU_SEV_LOW,
		    "a second STLS "
		    "inside TLS was accepted (%s)",
		    f->stls2_reply);
	else
		au_set(x, AU_TLS06, AU_ST_PASS, AU_SEV_NONE,
		    "STLS vanished "
		    "after TLS; second STLS refused (%s); removed: %s; "
		    "added: %s",
		    f->stls2_reply[0] != '\0' ? f->stls2_reply : "closed",
		    gone[0] != '\0' ? gone : "-",
		    added[0] != '\0' ? added : "-");
}

static bool
has_mech(const char *list, const char *m)
{
	size_t n = strlen(m);
	const char *p = list;

	while ((p = strstr(p, m)) != NULL) {
		if ((p == list || p[-1] == ' ') &&
		    (p[n] == ' ' || p[n] == '\0'))
			return true;
		p++;
	}
	return false;
}

/* Append the tokens of list that out does not hold yet. */
static void
add_tokens(char *out, size_t cap, const char *list)
{
	char tok[64];

	while (*list != '\0') {
		size_t n = strcspn(list, " ");

		if (n > 0 && n < sizeof(tok)) {
			memcpy(tok, list, n);
			tok[n] = '\0';
			if (!has_mech(out, tok) &&
			    str_fmt(out + strlen(out), cap - strlen(out),
				"%s%s", out[0] != '\0' ? " " : "", tok) < 0)
				return;
		}
		list += n;
		while (*list == ' ')
			list++;
	}
}

/* SASL mechanism names of a CAPA into out (appending, no duplicates). */
static void
add_capa_mechs(char *out, size_t cap, const struct p3_capa *c)
{
	int i;

	for (i = 0; i < c->nsasl; i++)
		add_tokens(out, cap, c->sasl[i]);
}

static void
judge_auth02(struct au_ctx *x)
{
	struct au_facts *f = &x->f;
	char pre[512], post[512], both[1100];
	enum au_sev sev = AU_SEV_NONE;
	char what[256] = "";

	pre[0] = post[0] = '\0';
	add_capa_mechs(pre, sizeof(pre), &f->pcapa);
	add_tokens(pre, sizeof(pre), f->pauth);
	add_capa_mechs(post, sizeof(post), &f->scapa);
	add_tokens(post, sizeof(post), f->sauth);
	add_capa_mechs(post, sizeof(post), &f->tcapa);
	add_tokens(post, sizeof(post), f->tauth);
	au_ev(x, AU_AUTH02, "SASL before TLS: %s", pre[0] ? pre : "(none)");
	au_ev(x, AU_AUTH02, "SASL inside TLS: %s", post[0] ? post : "(none)");
	if (!f->plain_up && !f->tls_ok) {
		au_set(x, AU_AUTH02, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "no endpoint answered");
		return;
	}
	if (str_fmt(both, sizeof(both), "%s %s", pre, post) < 0)
		both[0] = '\0';
	if (has_mech(both, "NTLM")) {
		sev = AU_SEV_MEDIUM;
		(void)str_copy(what, "NTLM ", sizeof(what));
	}
	if (has_mech(both, "CRAM-MD5")) {
		sev = sev > AU_SEV_LOW ? sev : AU_SEV_LOW;
		(void)str_fmt(what + strlen(what), sizeof(what) - strlen(what),
		    "CRAM-MD5 ");
	}
	if (has_mech(both, "DIGEST-MD5")) {
		sev = sev > AU_SEV_LOW ? sev : AU_SEV_LOW;
		(void)str_fmt(what + strlen(what), sizeof(what) - strlen(what),
		    "DIGEST-MD5 ");
	}
	if (has_mech(pre, "PLAIN") || has_mech(pre, "LOGIN"))
		au_ev(x, AU_AUTH02,
		    "PLAIN/LOGIN before TLS: rated by "
		    "P3-TLS-03");
	if (has_mech(both, "ANONYMOUS"))
		au_ev(x, AU_AUTH02, "ANONYMOUS offered: rated by P3-AUTH-09");
	if (what[0] != '\0' && what[strlen(what) - 1] == ' ')
		what[strlen(what) - 1] = '\0';
	if (sev != AU_SEV_NONE)
		au_set(x, AU_AUTH02, AU_ST_FAIL, sev,
		    "weak SASL mechanisms "
		    "offered: %s",
		    what);
	else
		au_set(x, AU_AUTH02, AU_ST_PASS, AU_SEV_NONE,
		    "no weak SASL "
		    "mechanism (before TLS: %s; inside TLS: %s)",
		    pre[0] ? pre : "none", post[0] ? post : "none");
}

void
au_judge_disc(struct au_ctx *x)
{
	judge_tls01_02(x);
	if (au_want(x, AU_TLS06))
		judge_tls06(x);
	if (au_want(x, AU_AUTH02))
		judge_auth02(x);
}
