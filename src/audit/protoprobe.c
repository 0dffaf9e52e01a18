/* protoprobe.c: protocol robustness: transaction commands before login
 * (P3-PROTO-01), over-long lines (P3-PROTO-02), NUL / bare CR / bare LF /
 * 8-bit input (P3-PROTO-03), pipelining (P3-PROTO-04), and with the
 * operator's account message-number edge cases (P3-PROTO-05) and the
 * exclusive maildrop lock (P3-PROTO-06). Each risky probe is followed by a
 * liveness check; a dead service aborts the run. Authenticated sessions are
 * dropped without QUIT so that no UPDATE state (RFC 1939 §6) ever runs, and
 * nothing is deleted. */
#include <stdio.h>
#include <string.h>

#include "audit/probe.h"
#include "lib/util.h"

/* Open a pre-login session on the cleartext port (or implicit TLS). */
static int
open_pre(struct au_ctx *x, struct au_conn *c, enum au_id id)
{
	return au_open(x, c, !x->f.plain_up, au_evbuf(x, id), NULL, 0);
}

/* A pre-login session where USER is processed: cleartext if the server
 * accepts USER there, else TLS. */
static int
open_user(struct au_ctx *x, struct au_conn *c, enum au_id id)
{
	const char *how;

	if (x->f.cleartext_auth == 1 || !au_has_tls(x))
		return open_pre(x, c, id);
	return au_open_secure(x, c, au_evbuf(x, id), &how);
}

void
au_probe_proto01(struct au_ctx *x)
{
	static const char *const groups[3][3] = {
	    {"STAT", "LIST", "RETR 1"},
	    {"TOP 1 0", "UIDL", "LAST"},
	    {"RSET", "NOOP", NULL},
	};
	char r[512], bad[AU_TEXT_MAX] = "", info[AU_TEXT_MAX] = "";
	struct au_conn c;
	int g, i, replies = 0;

	au_ev(x, AU_PROTO01, "# DELE is never sent (safety policy)");
	for (g = 0; g < 3; g++) {
		if (open_pre(x, &c, AU_PROTO01) != 0)
			continue;
		for (i = 0; i < 3 && groups[g][i] != NULL; i++) {
			const char *cmd = groups[g][i];
			bool data = strcmp(cmd, "RSET") != 0 &&
				    strcmp(cmd, "NOOP") != 0;
			char *dst = data ? bad : info;

			if (au_cmd(&c, cmd) != 0 ||
			    au_reply(x, &c, r, sizeof(r), 0) < 0)
				break;
			replies++;
			if (!au_ok(r))
				continue;
			if (str_fmt(dst + strlen(dst),
				AU_TEXT_MAX - strlen(dst), "%s%s -> %s",
				dst[0] ? "; " : "", cmd, r) < 0)
				dst[strlen(dst)] = '\0';
			if (data && (strncmp(cmd, "LIST", 4) == 0 ||
					strncmp(cmd, "UIDL", 4) == 0 ||
					strncmp(cmd, "RETR", 4) == 0 ||
					strncmp(cmd, "TOP", 3) == 0))
				(void)au_body(&c, NULL, 0, 2000);
		}
		au_close(&c);
	}
	if (bad[0] != '\0')
		au_set(x, AU_PROTO01, AU_ST_FAIL, AU_SEV_CRITICAL,
		    "data "
		    "commands answered before login: %s",
		    bad);
	else if (info[0] != '\0')
		au_set(x, AU_PROTO01, AU_ST_FAIL, AU_SEV_INFO,
		    "accepted before "
		    "login: %s",
		    info);
	else if (replies == 0)
		au_set(x, AU_PROTO01, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "no replies to the probe commands");
	else
		au_set(x, AU_PROTO01, AU_ST_PASS, AU_SEV_NONE,
		    "all %d "
		    "transaction commands were refused before login",
		    replies);
}

void
au_probe_proto02(struct au_ctx *x)
{
	static const size_t lens[] = {250, 512, 1024, 2048, 8192};
	static char line[AU_MAX_LINE_PROBE + 8];
	char r[512], what[AU_TEXT_MAX] = "";
	struct au_conn c;
	size_t i, hang = 0;

	for (i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		size_t n = 5 + lens[i];

		if (n + 2 > sizeof(line) || n > AU_MAX_LINE_PROBE)
			break;
		memcpy(line, "USER ", 5);
		memset(line + 5, 'A', lens[i]);
		line[n] = '\r';
		line[n + 1] = '\n';
		r[0] = '\0';
		if (open_user(x, &c, AU_PROTO02) != 0)
			break;
		if (au_send(&c, line, n + 2, -1) == 0) {
			int k = au_reply(x, &c, r, sizeof(r), 0);

			if (k < 0 && c.timed_out) {
				hang = lens[i];
				au_note(&c, "no reply and no close");
			}
		}
		au_close(&c);
		if (!au_alive(x, au_evbuf(x, AU_PROTO02))) {
			au_set(x, AU_PROTO02, AU_ST_FAIL, AU_SEV_CRITICAL,
			    "the service stopped answering after a USER line "
			    "of %zu octets (possible overflow)",
			    n + 2);
			au_abort(x,
			    "the service stopped answering after "
			    "P3-PROTO-02 (%zu-octet line)",
			    n + 2);
			return;
		}
		if (str_fmt(what + strlen(what), sizeof(what) - strlen(what),
			"%s%zu: %.40s", what[0] ? "; " : "", n + 2,
			r[0]          ? r
			: c.timed_out ? "no reply"
				      : "closed") < 0)
			what[strlen(what)] = '\0';
	}
	if (i == 0)
		au_set(x, AU_PROTO02, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "could not connect");
	else if (hang > 0)
		au_set(x, AU_PROTO02, AU_ST_FAIL, AU_SEV_LOW,
		    "a %zu-octet "
		    "line got neither a reply nor a close",
		    hang + 7);
	else
		au_set(x, AU_PROTO02, AU_ST_PASS, AU_SEV_NONE,
		    "handled "
		    "cleanly, service alive after each (%s)",
		    what);
}

/* Send raw, read one reply, then CAPA: exactly one status line must
 * precede CAPA's "+OK" and CAPA must end with ".". 0 ok, 1 desync. */
static int
odd_line(struct au_ctx *x, struct au_conn *c, const char *raw, size_t len,
    char *why, size_t cap)
{
	char r[512], caps[AU_CAPA_MAX];
	struct p3_capa pc;
	int k;

	if (au_send(c, raw, len, -1) != 0)
		return 0;
	k = au_reply(x, c, r, sizeof(r), 0);
	if (k < 0) {
		if (c->timed_out) {
			(void)str_fmt(why, cap, "no reply");
			return 1;
		}
		return 0; /* closed: acceptable */
	}
	if (au_capa(x, c, caps, sizeof(caps), &pc) == 0) {
		if (au_wait_readable(c, 300) && !c->eof &&
		    au_reply(x, c, r, sizeof(r), 200) >= 0) {
			(void)str_fmt(why, cap, "extra reply '%s'", r);
			return 1;
		}
		return 0;
	}
	if (c->eof)
		return 0;
	(void)str_fmt(why, cap, "the next command did not get its own reply");
	return 1;
}

void
au_probe_proto03(struct au_ctx *x)
{
	static const struct {
		const char *name, *raw;
		size_t len;
	} cases[] = {
	    {"NUL", "USER a\0b\r\n", 10},
	    {"bare CR", "USER a\rb\r\n", 10},
	    {"bare LF", "NOOP\n", 5},
	    {"8-bit", "USER \xff\xfe\r\n", 9},
	    {"UTF-8", "USER p3audit-\xc3\xbc\r\n", 17},
	};
	char why[200], bad[AU_TEXT_MAX] = "";
	struct au_conn c;
	size_t i;
	int n = 0;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		if (open_user(x, &c, AU_PROTO03) != 0)
			break;
		why[0] = '\0';
		if (odd_line(x, &c, cases[i].raw, cases[i].len, why,
			sizeof(why)) != 0 &&
		    str_fmt(bad + strlen(bad), sizeof(bad) - strlen(bad),
			"%s%s: %s", bad[0] ? "; " : "", cases[i].name, why) < 0)
			bad[strlen(bad)] = '\0';
		au_close(&c);
		n++;
	}
	if ((x->f.pcapa.utf8 || x->f.tcapa.utf8) &&
	    open_pre(x, &c, AU_PROTO03) == 0) {
		char r[512];

		if (au_cmd(&c, "UTF8") == 0 &&
		    au_reply(x, &c, r, sizeof(r), 0) >= 0 && !au_ok(r))
			au_ev(
			    x, AU_PROTO03, "# UTF8 is advertised but refused");
		au_close(&c);
	}
	if (!au_alive(x, au_evbuf(x, AU_PROTO03))) {
		au_set(x, AU_PROTO03, AU_ST_FAIL, AU_SEV_HIGH,
		    "the service "
		    "stopped answering after the NUL/CR/8-bit probes");
		au_abort(x, "the service stopped answering after P3-PROTO-03");
	} else if (n == 0) {
		au_set(x, AU_PROTO03, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "could not connect");
	} else if (bad[0] != '\0') {
		au_set(x, AU_PROTO03, AU_ST_FAIL, AU_SEV_MEDIUM,
		    "desynchronised: %s", bad);
	} else {
		au_set(x, AU_PROTO03, AU_ST_PASS, AU_SEV_NONE,
		    "NUL, bare CR, "
		    "bare LF, 8-bit and UTF-8 lines each got one reply (or a "
		    "clean close)");
	}
}

void
au_probe_proto04(struct au_ctx *x)
{
	static const char seg[] = "CAPA\r\nNOOP\r\nQUIT\r\n";
	char r[512], got[AU_TEXT_MAX] = "";
	struct au_conn c;
	int k, status = 0, problems = 0;

	if (open_pre(x, &c, AU_PROTO04) != 0) {
		au_set(x, AU_PROTO04, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "could not connect");
		return;
	}
	au_note(&c, "three commands in one segment");
	if (au_send(&c, seg, sizeof(seg) - 1, -1) != 0)
		problems++;
	k = au_reply(x, &c, r, sizeof(r), 0);
	if (k < 0 || !au_ok(r) || au_body(&c, NULL, 0, 0) < 0)
		problems++;
	else
		status++;
	for (; !problems && status < 3; status++) {
		k = au_reply(x, &c, r, sizeof(r), 3000);
		if (k < 0 || (!au_ok(r) && !au_err(r)) ||
		    (status == 2 && !au_ok(r))) {
			problems++;
			break;
		}
	}
	if (!problems && au_reply(x, &c, r, sizeof(r), 1000) >= 0) {
		(void)str_fmt(got, sizeof(got), "an extra line '%s'", r);
		problems++;
	}
	au_close(&c);
	if (problems)
		au_set(x, AU_PROTO04, AU_ST_FAIL, AU_SEV_LOW,
		    "pipelined "
		    "commands did not get three ordered replies (%d received%s%s)",
		    status, got[0] ? "; " : "", got);
	else
		au_set(x, AU_PROTO04, AU_ST_PASS, AU_SEV_NONE,
		    "three "
		    "pipelined commands got three ordered replies");
}

static int
login_session(
    struct au_ctx *x, struct au_conn *c, enum au_id id, char *r, size_t cap)
{
	return au_login_session(x, c, au_evbuf(x, id), r, cap);
}

void
au_probe_proto05(struct au_ctx *x)
{
	static const char *const cmds[] = {"RETR 0", "RETR -1",
	    "RETR 4294967296", "TOP 1 -1", "LIST 99999999"};
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
	if (au_capa(x, &c, x->f.login_capa, sizeof(x->f.login_capa), &pc) != 0)
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
		au_set(x, AU_PROTO05, AU_ST_FAIL, AU_SEV_HIGH,
		    "the service "
		    "stopped answering after '%s'",
		    cmds[i]);
		au_abort(x, "the service stopped answering after P3-PROTO-05");
	} else if (bad[0] != '\0') {
		au_set(x, AU_PROTO05, AU_ST_FAIL, AU_SEV_CRITICAL,
		    "invalid "
		    "message numbers were accepted: %s",
		    bad);
	} else if (i < sizeof(cmds) / sizeof(cmds[0])) {
		au_set(x, AU_PROTO05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "the session ended after %zu of 5 commands", i);
	} else {
		au_set(x, AU_PROTO05, AU_ST_PASS, AU_SEV_NONE,
		    "RETR 0, RETR "
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
		au_set(x, AU_PROTO06, AU_ST_FAIL, AU_SEV_LOW,
		    "a second "
		    "concurrent login for the same user succeeded (%s): no "
		    "exclusive maildrop lock",
		    r2);
	else if (lb == 1)
		au_set(x, AU_PROTO06, AU_ST_PASS, AU_SEV_NONE,
		    "the second "
		    "concurrent login was refused (%s)",
		    r2);
	else
		au_set(x, AU_PROTO06, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "second login attempt failed: %s", r2);
}
