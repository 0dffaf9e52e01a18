/* stls.c: the STARTTLS boundary: cleartext authentication (P3-TLS-03),
 * command injection (P3-TLS-04), state carried across STLS (P3-TLS-05) and
 * STLS after login (P3-TLS-07). Only bogus names and random passwords are
 * sent before TLS. */
#include <openssl/rand.h>
#include <stdio.h>
#include <string.h>

#include "audit/probe.h"
#include "lib/util.h"

#define AUTH_REPLY_MS 30000 /* auth penalties (Dovecot: up to 15 s) */

/* A random password "p3audit-<hex>" (never a real credential). */
static void
random_pass(char *out, size_t cap)
{
	unsigned char r[8];
	size_t i;

	if (RAND_bytes(r, sizeof(r)) != 1)
		memset(r, 0x5a, sizeof(r));
	if (cap < 8 + 2 * sizeof(r) + 1) {
		out[0] = '\0';
		return;
	}
	memcpy(out, "p3audit-", 8);
	for (i = 0; i < sizeof(r); i++) {
		out[8 + 2 * i] = "0123456789abcdef"[r[i] >> 4];
		out[9 + 2 * i] = "0123456789abcdef"[r[i] & 15];
	}
	out[8 + 2 * sizeof(r)] = '\0';
}

/* True if a refusal names the missing TLS (not a credential check). */
static bool
tls_refusal(const char *line)
{
	return au_err(line) &&
	       (au_has(line, "TLS") || au_has(line, "SSL") ||
		   au_has(line, "plaintext") || au_has(line, "cleartext") ||
		   au_has(line, "secure") || au_has(line, "encrypt") ||
		   au_has(line, "STLS") || au_has(line, "not allowed"));
}

/* Try one SASL mechanism; true if the server continued ("+ "). */
static bool
sasl_continues(struct au_ctx *x, struct au_conn *c, const char *mech,
    char *reply, size_t cap)
{
	char line[64];

	if (str_fmt(line, sizeof(line), "AUTH %s", mech) < 0 ||
	    au_cmd(c, line) != 0 || au_reply(x, c, reply, cap, 0) < 0)
		return false;
	if (!au_cont(reply))
		return false;
	if (au_cmd(c, "*") == 0)
		(void)au_reply(x, c, line, sizeof(line), AUTH_REPLY_MS);
	return true;
}

void
au_probe_tls03(struct au_ctx *x)
{
	struct au_facts *f = &x->f;
	struct au_conn c;
	char user[64], line[512], pass[64], r1[512] = "", r2[512] = "";
	char rp[512] = "", rl[512] = "";
	bool up = false, plain = false, login = false, chal;

	f->cleartext_auth = -1;
	if (!f->plain_up) {
		au_set(x, AU_TLS03, AU_ST_SKIPPED, AU_SEV_NONE,
		    "not applicable: no cleartext endpoint answered");
		f->cleartext_auth = 0;
		return;
	}
	au_ev(x, AU_TLS03, "CAPA before TLS: %s", f->pcapa_raw);
	if (au_open(x, &c, false, au_evbuf(x, AU_TLS03), NULL, 0) != 0) {
		au_set(x, AU_TLS03, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "cleartext endpoint stopped answering");
		return;
	}
	au_bogus(x, "u", user, sizeof(user));
	if (str_fmt(line, sizeof(line), "USER %s", user) >= 0 &&
	    au_cmd(&c, line) == 0 && au_reply(x, &c, r1, sizeof(r1), 0) >= 0 &&
	    au_ok(r1) && au_gate_login(x, 1) == 0) {
		random_pass(pass, sizeof(pass));
		if (str_fmt(line, sizeof(line), "PASS %s", pass) >= 0 &&
		    au_cmd_secret(&c, line) == 0 &&
		    au_reply(x, &c, r2, sizeof(r2), AUTH_REPLY_MS) >= 0)
			up = !tls_refusal(r2);
	}
	if (c.eof || c.timed_out) {
		au_close(&c);
		if (au_open(x, &c, false, au_evbuf(x, AU_TLS03), NULL, 0) != 0)
			goto judge;
	}
	plain = sasl_continues(x, &c, "PLAIN", rp, sizeof(rp));
	if (f->pcapa_ok && p3_capa_has_sasl(&f->pcapa, "LOGIN"))
		login = sasl_continues(x, &c, "LOGIN", rl, sizeof(rl));
	au_close(&c);
judge:
	chal = strchr(f->plain_greet, '<') != NULL ||
	       p3_capa_has_sasl(&f->pcapa, "CRAM-MD5") ||
	       p3_capa_has_sasl(&f->pcapa, "DIGEST-MD5") ||
	       au_has(f->pauth, "CRAM-MD5") || au_has(f->pauth, "DIGEST-MD5");
	if ((up || plain || login) && f->same_addr) {
		au_set(x, AU_TLS03, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "cleartext authentication proceeded, but client and "
		    "server share the address %s; servers such as Dovecot "
		    "treat that as secure. Re-run with --source-ip (e.g. "
		    "127.0.0.2)",
		    c.local);
		return;
	}
	if (up || plain || login) {
		f->cleartext_auth = 1;
		au_set(x, AU_TLS03, AU_ST_FAIL, AU_SEV_HIGH,
		    "cleartext "
		    "authentication accepted before TLS:%s%s%s",
		    up ? " USER/PASS was checked;" : "",
		    plain ? " AUTH PLAIN continued;" : "",
		    login ? " AUTH LOGIN continued;" : "");
	} else if (chal) {
		f->cleartext_auth = 2;
		au_set(x, AU_TLS03, AU_ST_FAIL, AU_SEV_MEDIUM,
		    "only "
		    "challenge-response authentication (APOP, CRAM-MD5, "
		    "DIGEST-MD5) is offered before TLS");
	} else {
		f->cleartext_auth = 0;
		au_set(x, AU_TLS03, AU_ST_PASS, AU_SEV_NONE,
		    "cleartext "
		    "authentication refused (USER: %s%s%s)",
		    r1, rp[0] ? "; AUTH PLAIN: " : "", rp);
	}
}

void
au_probe_tls04(struct au_ctx *x)
{
	static const char inj[] = "STLS\r\nCAPA\r\n";
	struct au_conn c;
	char line[512];
	size_t extra;

	if (x->f.stls < 1) {
		au_set(x, AU_TLS04, AU_ST_SKIPPED, AU_SEV_NONE,
		    "not applicable: no STLS on the cleartext port");
		return;
	}
	if (au_open(x, &c, false, au_evbuf(x, AU_TLS04), NULL, 0) != 0) {
		au_set(x, AU_TLS04, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "cleartext endpoint stopped answering");
		return;
	}
	au_note(&c, "STLS and CAPA in one write (injection probe)");
	if (au_send(&c, inj, sizeof(inj) - 1, -1) != 0 ||
	    au_reply(x, &c, line, sizeof(line), 0) < 0 || !au_ok(line)) {
		au_close(&c);
		au_set(x, AU_TLS04, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "STLS was not accepted in the injection probe (%s)", line);
		return;
	}
	extra = au_buffered(&c);
	if (extra == 0 && au_wait_readable(&c, 300))
		extra = c.eof ? 0 : 1;
	if (extra > 0)
		au_note(&c, "the server sent cleartext after +OK (it answered "
			    "CAPA before TLS; not the injection bug)");
	if (au_tls(&c, au_tls_default(x)) != 0) {
		au_set(x, AU_TLS04, AU_ST_PASS, AU_SEV_NONE,
		    "not vulnerable: "
		    "the handshake failed (%s), the buffered CAPA went to the "
		    "TLS layer",
		    c.err);
		au_close(&c);
		return;
	}
	if (au_reply(x, &c, line, sizeof(line), 2000) >= 0)
		au_set(x, AU_TLS04, AU_ST_FAIL, AU_SEV_HIGH,
		    "VULNERABLE: the "
		    "CAPA sent in cleartext before the handshake was answered "
		    "inside TLS ('%s')",
		    line);
	else if (c.timed_out)
		au_set(x, AU_TLS04, AU_ST_PASS, AU_SEV_NONE,
		    "not vulnerable: "
		    "silence inside TLS for 2 s (the buffered CAPA was "
		    "discarded)");
	else
		au_set(x, AU_TLS04, AU_ST_PASS, AU_SEV_NONE,
		    "not vulnerable: "
		    "the server closed the TLS session without answering");
	au_close(&c);
}

/* PASS <random> on c; the reply into out. */
static int
bare_pass(struct au_ctx *x, struct au_conn *c, char *out, size_t cap)
{
	char pass[64], line[96];

	random_pass(pass, sizeof(pass));
	if (str_fmt(line, sizeof(line), "PASS %s", pass) < 0 ||
	    au_cmd_secret(c, line) != 0)
		return -1;
	return au_reply(x, c, out, cap, AUTH_REPLY_MS);
}

static int
plain_stls(struct au_ctx *x, struct au_conn *c)
{
	char line[512];

	if (au_cmd(c, "STLS") != 0 ||
	    au_reply(x, c, line, sizeof(line), 0) < 0 || !au_ok(line))
		return -1;
	return au_tls(c, au_tls_default(x));
}

void
au_probe_tls05(struct au_ctx *x)
{
	struct au_conn c;
	struct buf *ev = au_evbuf(x, AU_TLS05);
	char user[64], line[512], r[512] = "", ctrl[512] = "";

	if (x->f.stls != 1) {
		au_set(x, AU_TLS05, AU_ST_SKIPPED, AU_SEV_NONE,
		    "not applicable: no working STLS on the cleartext port");
		return;
	}
	au_logf(ev, "# control: PASS without USER on a fresh TLS session\n");
	if (au_open(x, &c, false, ev, NULL, 0) != 0 || plain_stls(x, &c) != 0 ||
	    bare_pass(x, &c, ctrl, sizeof(ctrl)) < 0)
		ctrl[0] = '\0';
	au_close(&c);
	au_logf(ev, "# probe: USER before STLS, PASS after it\n");
	if (au_open(x, &c, false, ev, NULL, 0) != 0) {
		au_set(x, AU_TLS05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "cleartext endpoint stopped answering");
		return;
	}
	/* a known name (no password needed) survives USER on servers that
	 * reject unknown names; else an invented one */
	if (x->o->nvalid > 0 || x->o->user != NULL)
		(void)str_copy(user,
		    x->o->nvalid > 0 ? x->o->valid_users[0] : x->o->user,
		    sizeof(user));
	else
		au_bogus(x, "f", user, sizeof(user));
	if (str_fmt(line, sizeof(line), "USER %s", user) < 0 ||
	    au_cmd(&c, line) != 0 || au_reply(x, &c, r, sizeof(r), 0) < 0) {
		au_close(&c);
		au_set(x, AU_TLS05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "no reply to USER");
		return;
	}
	if (!au_ok(r)) {
		au_close(&c);
		if (tls_refusal(r))
			au_set(x, AU_TLS05, AU_ST_PASS, AU_SEV_NONE,
			    "USER is "
			    "refused before TLS (%s): no state can be carried",
			    r);
		else
			au_set(x, AU_TLS05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
			    "USER %s was refused (%s), not for lack of TLS; "
			    "give a known name with --valid-user",
			    user, r);
		return;
	}
	if (plain_stls(x, &c) != 0 || au_gate_login(x, 1) != 0 ||
	    bare_pass(x, &c, r, sizeof(r)) < 0) {
		au_close(&c);
		au_set(x, AU_TLS05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "STLS or PASS failed after USER (%s)", c.err);
		return;
	}
	au_close(&c);
	au_logf(ev, "# half-finished AUTH before STLS is not tested\n");
	if (ctrl[0] != '\0' && strcmp(r, ctrl) == 0)
		au_set(x, AU_TLS05, AU_ST_PASS, AU_SEV_NONE,
		    "state reset by "
		    "STLS: PASS after it got the same reply as without USER "
		    "(%s)",
		    r);
	else if (ctrl[0] != '\0' || au_ok(r) || au_has(r, "[AUTH]") ||
		 au_has(r, "fail"))
		au_set(x, AU_TLS05, AU_ST_FAIL, AU_SEV_MEDIUM,
		    "the USER sent "
		    "before STLS survived the handshake: PASS inside TLS got "
		    "'%s' (without USER: '%s')",
		    r, ctrl);
	else
		au_set(x, AU_TLS05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "no "
		    "control reply to compare with (PASS after STLS got '%s')",
		    r);
}

void
au_probe_tls07(struct au_ctx *x)
{
	struct au_conn c;
	struct buf *ev = au_evbuf(x, AU_TLS07);
	char r[512] = "", s[512] = "";
	const char *how;

	if (!x->f.plain_up) {
		au_set(x, AU_TLS07, AU_ST_SKIPPED, AU_SEV_NONE,
		    "not applicable: no cleartext endpoint, so no STLS");
		return;
	}
	if (x->f.cleartext_auth == 0 ||
	    (x->f.plain_up && x->o->allow_cleartext_creds && x->f.stls == 1)) {
		bool clear = x->f.cleartext_auth != 0;
		int lr;

		if (clear ? au_open(x, &c, false, ev, NULL, 0)
			  : au_open_secure(x, &c, ev, &how)) {
			au_set(x, AU_TLS07, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
			    "could not open a session");
			return;
		}
		lr = au_login(x, &c, r, sizeof(r));
		if (lr == 0 && au_cmd(&c, "STLS") == 0)
			(void)au_reply(x, &c, s, sizeof(s), 0);
		au_close(&c);
		if (!clear)
			au_set(x, AU_TLS07, AU_ST_PASS, AU_SEV_NONE,
			    "cleartext login is refused (P3-TLS-03), so no "
			    "session is authenticated before STLS; after a "
			    "login inside TLS, STLS got '%s'",
			    s);
		else if (lr != 0)
			au_set(x, AU_TLS07, AU_ST_PASS, AU_SEV_NONE,
			    "login on "
			    "the cleartext port was refused (%s)",
			    r);
		else if (au_ok(s))
			au_set(x, AU_TLS07, AU_ST_FAIL, AU_SEV_MEDIUM,
			    "STLS "
			    "accepted after login (%s)",
			    s);
		else
			au_set(x, AU_TLS07, AU_ST_PASS, AU_SEV_NONE,
			    "STLS "
			    "after login refused (%s)",
			    s[0] ? s : "closed");
		return;
	}
	au_set(x, AU_TLS07, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
	    x->f.stls != 1
		? "no STLS on the cleartext port to test after login"
		: "cleartext login may be possible; testing STLS after a "
		  "cleartext login needs --allow-cleartext-creds");
}
