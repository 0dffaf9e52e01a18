/* infoprobe.c: information disclosure: NTLM challenge target info
 * (P3-INFO-04, MS-NLMP §2.2.1.2), verbose error texts (P3-INFO-05) and
 * non-standard commands (P3-INFO-06). */
#include <stdio.h>
#include <string.h>

#include "audit/probe.h"
#include "lib/util.h"

#define NTLM_MAX 2048

static uint16_t
le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t
le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* UTF-16LE to printable ASCII ('?' for the rest). */
static void
utf16(const uint8_t *p, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i + 1 < n && o + 1 < cap; i += 2) {
		uint16_t ch = le16(p + i);

		out[o++] = ch >= 0x20 && ch < 0x7f ? (char)ch : '?';
	}
	out[o] = '\0';
}

/* Decode a CHALLENGE message: target names and OS version into out.
 * Returns the number of names found, -1 if malformed. */
static int
ntlm_challenge(
    const uint8_t *m, size_t n, char *out, size_t cap, bool *version_r)
{
	static const char *const av[] = {NULL, "NetBIOS computer",
	    "NetBIOS domain", "DNS computer", "DNS domain", "DNS tree"};
	size_t off, len, used = 0;
	int names = 0;
	char v[256];

	*version_r = false;
	out[0] = '\0';
	if (n < 48 || memcmp(m, "NTLMSSP\0", 8) != 0 || le32(m + 8) != 2)
		return -1;
	len = le16(m + 40);
	off = le32(m + 44);
	if (off > n || len > n - off)
		return -1;
	while (len >= 4) {
		uint16_t id = le16(m + off), l = le16(m + off + 2);

		if (id == 0 || (size_t)l + 4 > len)
			break;
		if (id < sizeof(av) / sizeof(av[0]) && av[id] != NULL) {
			utf16(m + off + 4, l, v, sizeof(v));
			if (str_fmt(out + used, cap - used, "%s%s=%s",
				used ? ", " : "", av[id], v) > 0)
				used = strlen(out);
			names++;
		}
		off += 4 + (size_t)l;
		len -= 4 + (size_t)l;
	}
	if ((le32(m + 20) & 0x02000000) && n >= 56 && m[48] != 0) {
		*version_r = true;
		(void)str_fmt(out + used, cap - used,
		    "%sOS version %u.%u "
		    "build %u",
		    used ? ", " : "", m[48], m[49], le16(m + 50));
	}
	return names;
}

void
au_probe_info04(struct au_ctx *x)
{
	/* NEGOTIATE: unicode, OEM, request target, NTLM, always sign,
	 * extended session security, version, 128, 56 */
	static const uint8_t neg[32] = {'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1,
	    0, 0, 0, 0x07, 0x82, 0x08, 0xa2};
	char r[NTLM_MAX], b64[64], info[AU_TEXT_MAX];
	uint8_t msg[NTLM_MAX];
	struct au_conn c;
	const char *how;
	size_t mlen;
	bool ver;
	int names;

	if (au_open_secure(x, &c, au_evbuf(x, AU_INFO04), &how) != 0) {
		au_set(x, AU_INFO04, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "could not open a session");
		return;
	}
	b64_encode(neg, sizeof(neg), b64);
	if (au_cmd(&c, "AUTH NTLM") != 0 ||
	    au_reply(x, &c, r, sizeof(r), 0) < 0 || !au_cont(r)) {
		au_close(&c);
		au_set(x, AU_INFO04, AU_ST_PASS, AU_SEV_NONE,
		    "NTLM is not "
		    "offered (%s)",
		    r[0] ? r : "no reply");
		return;
	}
	if (au_cmd(&c, b64) != 0 || au_reply(x, &c, r, sizeof(r), 0) < 0 ||
	    !au_cont(r) ||
	    b64_decode(r + 2, strlen(r + 2), msg, sizeof(msg), &mlen) != 0) {
		au_close(&c);
		au_set(x, AU_INFO04, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "AUTH "
		    "NTLM continued but no CHALLENGE could be decoded");
		return;
	}
	if (au_cmd(&c, "*") == 0)
		(void)au_reply(x, &c, r, sizeof(r), 0);
	au_close(&c);
	names = ntlm_challenge(msg, mlen, info, sizeof(info), &ver);
	au_ev(x, AU_INFO04, "# decoded CHALLENGE: %s", info);
	if (names < 0)
		au_set(x, AU_INFO04, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "the "
		    "NTLM CHALLENGE is malformed");
	else if (names > 0 || ver)
		au_set(x, AU_INFO04, AU_ST_FAIL,
		    names > 0 && ver ? AU_SEV_MEDIUM : AU_SEV_LOW,
		    "NTLM discloses %s", info);
	else
		au_set(x, AU_INFO04, AU_ST_PASS, AU_SEV_NONE,
		    "NTLM offered "
		    "but the CHALLENGE discloses no names");
}

void
au_judge_info05(struct au_ctx *x)
{
	static const char *const pats[] = {"/var/", "/usr/", "/etc/", "/home/",
	    "/tmp/", "/opt/", "/srv/", "C:\\", ".c:", ".py", ".java",
	    "Traceback", "Exception", "stack trace", "segfault", "core dumped",
	    "panic", "SQL", "SELECT ", "mysql", "postgres", "sqlite", "ORA-",
	    "syntax error", "LDAP", "PAM ", "auth process", "passdb", "userdb",
	    "auth-worker", "Kerberos", "errno", "Permission denied",
	    "No such file", NULL};
	char hits[AU_TEXT_MAX] = "";
	int i, k, n = 0;

	pthread_mutex_lock(&x->mu);
	for (i = 0; i < x->nerrs; i++) {
		au_ev(x, AU_INFO05, "seen: %s", x->errs[i]);
		for (k = 0; pats[k] != NULL; k++) {
			if (!au_has(x->errs[i], pats[k]))
				continue;
			if (strstr(hits, pats[k]) == NULL &&
			    str_fmt(hits + strlen(hits),
				sizeof(hits) - strlen(hits), "%s'%s'",
				hits[0] ? ", " : "", pats[k]) < 0)
				hits[strlen(hits)] = '\0';
		}
	}
	n = x->nerrs;
	pthread_mutex_unlock(&x->mu);
	if (hits[0] != '\0')
		au_set(x, AU_INFO05, AU_ST_FAIL, AU_SEV_LOW,
		    "error texts "
		    "reveal internals (%s)",
		    hits);
	else if (n == 0)
		au_set(x, AU_INFO05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "no "
		    "error replies were collected");
	else
		au_set(x, AU_INFO05, AU_ST_PASS, AU_SEV_NONE,
		    "%d distinct "
		    "error texts, none reveals paths, SQL or back ends",
		    n);
}

void
au_probe_info06(struct au_ctx *x)
{
	static const char *const cmds[] = {
	    "HELP", "XTND", "SITE", "DEBUG", "XYZZY p3audit"};
	char r[512], hit[AU_TEXT_MAX] = "";
	enum au_sev sev = AU_SEV_NONE;
	struct au_conn c;
	size_t i;

	if (au_open(x, &c, !x->f.plain_up, au_evbuf(x, AU_INFO06), NULL, 0) !=
	    0) {
		au_set(x, AU_INFO06, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "could not connect");
		return;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++) {
		if (au_cmd(&c, cmds[i]) != 0 ||
		    au_reply(x, &c, r, sizeof(r), 0) < 0)
			break;
		if (!au_ok(r) || i == 4)
			continue;
		if (au_wait_readable(&c, 300) && !c.eof)
			(void)au_body(&c, NULL, 0, 1000);
		sev = strcmp(cmds[i], "DEBUG") == 0 ? AU_SEV_LOW
		      : sev > AU_SEV_INFO           ? sev
						    : AU_SEV_INFO;
		if (str_fmt(hit + strlen(hit), sizeof(hit) - strlen(hit),
			"%s%s -> %s", hit[0] ? "; " : "", cmds[i], r) < 0)
			hit[strlen(hit)] = '\0';
	}
	au_close(&c);
	if (sev > AU_SEV_NONE)
		au_set(x, AU_INFO06, AU_ST_FAIL, sev,
		    "non-standard commands "
		    "accepted: %s",
		    hit);
	else if (i == 0)
		au_set(x, AU_INFO06, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "no reply to HELP");
	else
		au_set(x, AU_INFO06, AU_ST_PASS, AU_SEV_NONE,
		    "HELP, XTND, "
		    "SITE and DEBUG were refused");
}
