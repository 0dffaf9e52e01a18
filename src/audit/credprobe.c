/* credprobe.c: CRED checks with the operator's account: message-number
 * edge cases (P3-PROTO-05) and the exclusive maildrop lock (P3-PROTO-06).
 * Sessions are only ever opened over TLS (unless --allow-cleartext-creds),
 * nothing is deleted, and authenticated sessions are dropped without QUIT
 * so that no UPDATE state (RFC 1939 §6) ever runs. */
#include <stdio.h>
#include <string.h>

#include "audit/probe.h"
#include "lib/util.h"

static int
login_session(struct au_ctx *x, struct au_conn *c, enum au_id id, char *r,
    size_t cap)
{
	return au_login_session(x, c, au_evbuf(x, id), r, cap);
}

void
au_probe_proto05(struct au_ctx *x)
{
	static const char *const cmds[] = { "RETR 0", "RETR -1",
		"RETR 4294967296", "TOP 1 -1", "LIST 99999999" };
	char r[512], bad[AU_TEXT_MAX] = "";
	struct p3_capa pc;
	struct au_conn c;
	size_t i;
	int lr;

	lr = login_session(x, &c, AU_PROTO05, r, sizeof(r));
	if (lr != 0) {
		au_set(x, AU_PROTO05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "login failed: %s", r);
		return;
	}
	if (au_capa(x, &c, x->f.login_capa, sizeof(x->f.login_capa),
	    &pc) != 0)
		x->f.login_capa[0] = '\0';
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (au_cmd(&c, cmds[i]) != 0 ||
		    au_reply(x, &c, r, sizeof(r), 0) < 0)
			break;
		if (!au_ok(r))
			continue;
		if (strncmp(cmds[i], "LIST", 4) != 0)
			(void)au_body(&c, NULL, 0, 2000);
		if (str_fmt(bad + strlen(bad), sizeof(bad) - strlen(bad),
			"%s%s -> %s", bad[0] ? "; " : "", cmds[i], r) < 0)
			bad[strlen(bad)] = '\0';
	}
	au_note(&c, "closed without QUIT (no UPDATE state)");
	au_close(&c);
	if (i < sizeof(cmds) / sizeof(cmds[0]) &&
	    !au_alive(x, au_evbuf(x, AU_PROTO05))) {
		au_set(x, AU_PROTO05, AU_ST_FAIL, AU_SEV_HIGH, "the service "
		    "stopped answering after '%s'", cmds[i]);
		au_abort(x, "the service stopped answering after P3-PROTO-05");
	} else if (bad[0] != '\0') {
		au_set(x, AU_PROTO05, AU_ST_FAIL, AU_SEV_CRITICAL, "invalid "
		    "message numbers were accepted: %s", bad);
	} else if (i < sizeof(cmds) / sizeof(cmds[0])) {
		au_set(x, AU_PROTO05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "the session ended after %zu of 5 commands", i);
	} else {
		au_set(x, AU_PROTO05, AU_ST_PASS, AU_SEV_NONE, "RETR 0, RETR "
		    "-1, RETR 4294967296, TOP 1 -1 and LIST 99999999 were "
		    "refused");
	}
}

void
au_probe_proto06(struct au_ctx *x)
{
	struct au_conn a, b;
	char r[512], r2[512];
	int la, lb;

	la = login_session(x, &a, AU_PROTO06, r, sizeof(r));
	if (la != 0) {
		au_set(x, AU_PROTO06, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "first login failed: %s", r);
		return;
	}
	lb = login_session(x, &b, AU_PROTO06, r2, sizeof(r2));
	if (lb == 0)
		au_close(&b);
	au_note(&a, "both sessions closed without QUIT");
	au_close(&a);
	if (lb == 0)
		au_set(x, AU_PROTO06, AU_ST_FAIL, AU_SEV_LOW, "a second "
		    "concurrent login for the same user succeeded (%s): no "
		    "exclusive maildrop lock", r2);
	else if (lb == 1)
		au_set(x, AU_PROTO06, AU_ST_PASS, AU_SEV_NONE, "the second "
		    "concurrent login was refused (%s)", r2);
	else
		au_set(x, AU_PROTO06, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "second login attempt failed: %s", r2);
}
