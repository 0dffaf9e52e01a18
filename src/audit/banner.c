/* banner.c: checks judged from greetings and capabilities: P3-INFO-01
 * (product/version), P3-INFO-02 (IMPLEMENTATION), P3-INFO-03 and
 * P3-AUTH-01 (APOP timestamp). */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "audit/probe.h"
#include "lib/util.h"

static const char *const products[] = {"Dovecot", "Courier", "Cyrus", "Qpopper",
    "QPOP", "UW POP3", "popa3d", "Microsoft Exchange", "Exchange",
    "hMailServer", "MDaemon", "Zimbra", "SmarterMail", "Kerio", "Gordano",
    "Citadel", "Mercury", "IMail", "SLmail", "qmail", "teapop", "Solid POP3",
    "Axigen", "Zarafa", "Kopano", "Apache James", "Openwave", "Lotus", "Domino",
    "GroupWise", "Merak", "IceWarp", "ArGoSoft", "WinGate", "Postfix", "Debian",
    "Ubuntu", "Red Hat", "CentOS", "FreeBSD", NULL};

/* Version-based advisories (unconfirmed: the greeting may lie). */
static const struct {
	const char *product;
	int below[3]; /* affected if version < below (0s: any listed) */
	int exact[2]; /* or major.minor == exact when exact[0] > 0 */
	enum au_sev sev;
	const char *cve;
} advisories[] = {
    {"Qpopper", {0}, {4, 0}, AU_SEV_HIGH, "CVE-2003-0143"},
    {"Cyrus", {0}, {2, 3}, AU_SEV_HIGH, "CVE-2006-2502"},
    {"SLmail", {5, 5, 1}, {0}, AU_SEV_CRITICAL, "CVE-2003-0264"},
    {"Dovecot", {2, 3, 6}, {0}, AU_SEV_MEDIUM, "CVE-2019-7524"},
};

/* Find the first "N.N[.N]" after position p; fills v[3]. */
static bool
find_version(const char *p, int v[3], char *txt, size_t cap)
{
	const char *start = p;

	for (; *p != '\0'; p++) {
		const char *s = p;
		int k = 0;

		if (!isdigit((unsigned char)*p) ||
		    (p > start && isalnum((unsigned char)p[-1])))
			continue;
		v[0] = v[1] = v[2] = 0;
		while (k < 3 && isdigit((unsigned char)*p)) {
			int n = 0;

			while (isdigit((unsigned char)*p)) {
				if (n < 100000)
					n = n * 10 + (*p - '0');
				p++;
			}
			v[k++] = n;
			if (*p != '.' || !isdigit((unsigned char)p[1]))
				break;
			p++;
		}
		if (k >= 2) {
			size_t n = (size_t)(p - s);

			if (n >= cap)
				n = cap - 1;
			memcpy(txt, s, n);
			txt[n] = '\0';
			return true;
		}
		if (*p == '\0')
			break;
	}
	return false;
}

static int
vcmp(const int a[3], const int b[3])
{
	int i;

	for (i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

static void
judge_banner(struct au_ctx *x, const char *greet, enum au_sev *sev, char *what,
    size_t cap)
{
	char ver[32];
	int v[3];
	size_t i;
	const char *prod = NULL, *at = NULL;

	/* the APOP timestamp is judged by P3-INFO-03 */
	char g[AU_GREET_MAX];

	if (str_copy(g, greet, sizeof(g)) != 0 && g[0] == '\0')
		return;
	if (strchr(g, '<') != NULL)
		*strchr(g, '<') = '\0';
	for (i = 0; products[i] != NULL && prod == NULL; i++) {
		at = NULL;
		if (au_has(g, products[i])) {
			prod = products[i];
			for (at = g;
			     !(strncasecmp(at, prod, strlen(prod)) == 0); at++)
				;
		}
	}
	if (prod == NULL)
		return;
	if (*sev < AU_SEV_INFO)
		*sev = AU_SEV_INFO;
	if (strstr(what, prod) != NULL)
		return; /* the other greeting said the same */
	if (find_version(at, v, ver, sizeof(ver))) {
		if (*sev < AU_SEV_LOW)
			*sev = AU_SEV_LOW;
		(void)str_fmt(what + strlen(what), cap - strlen(what),
		    "%s %s; ", prod, ver);
		for (i = 0; i < sizeof(advisories) / sizeof(advisories[0]);
		     i++) {
			bool hit;

			if (strcasecmp(advisories[i].product, prod) != 0)
				continue;
			hit = advisories[i].exact[0] > 0
				  ? v[0] == advisories[i].exact[0] &&
					v[1] == advisories[i].exact[1]
				  : vcmp(v, advisories[i].below) < 0;
			if (!hit)
				continue;
			if (*sev < advisories[i].sev)
				*sev = advisories[i].sev;
			(void)str_fmt(what + strlen(what), cap - strlen(what),
			    "version-based, unconfirmed: %s; ",
			    advisories[i].cve);
		}
	} else {
		(void)str_fmt(what + strlen(what), cap - strlen(what),
		    "product %s; ", prod);
	}
	(void)x;
}

static void
judge_info01(struct au_ctx *x)
{
	struct au_facts *f = &x->f;
	enum au_sev sev = AU_SEV_NONE;
	char what[AU_TEXT_MAX] = "";

	au_ev(x, AU_INFO01, "cleartext greeting: %s", f->plain_greet);
	au_ev(x, AU_INFO01, "implicit-TLS greeting: %s", f->tls_greet);
	if (f->plain_greet[0] == '\0' && f->tls_greet[0] == '\0') {
		au_set(x, AU_INFO01, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "no greeting was received");
		return;
	}
	judge_banner(x, f->plain_greet, &sev, what, sizeof(what));
	if (strcmp(f->plain_greet, f->tls_greet) != 0)
		judge_banner(x, f->tls_greet, &sev, what, sizeof(what));
	while (strlen(what) >= 2 && strcmp(what + strlen(what) - 2, "; ") == 0)
		what[strlen(what) - 2] = '\0';
	if (sev == AU_SEV_NONE)
		au_set(x, AU_INFO01, AU_ST_PASS, AU_SEV_NONE,
		    "the greeting "
		    "names no product or version");
	else
		au_set(x, AU_INFO01, AU_ST_FAIL, sev, "greeting discloses %s",
		    what);
}

static void
judge_info02(struct au_ctx *x)
{
	struct au_facts *f = &x->f;
	const char *impl[3] = {f->pcapa.implementation, f->scapa.implementation,
	    f->tcapa.implementation};
	const char *found = NULL, *p;
	int i;

	for (i = 0; i < 3; i++)
		if (impl[i][0] != '\0' && found == NULL)
			found = impl[i];
	p = strstr(f->login_capa, "IMPLEMENTATION ");
	if (found == NULL && p != NULL)
		found = p + strlen("IMPLEMENTATION ");
	au_ev(x, AU_INFO02, "CAPA before TLS: %s", f->pcapa_raw);
	au_ev(x, AU_INFO02, "CAPA inside TLS: %s",
	    f->scapa_ok ? f->scapa_raw : f->tcapa_raw);
	if (f->login_capa[0] != '\0')
		au_ev(x, AU_INFO02, "CAPA after login: %s", f->login_capa);
	else
		au_ev(
		    x, AU_INFO02, "CAPA after login: not seen (needs --user)");
	if (!f->pcapa_ok && !f->scapa_ok && !f->tcapa_ok) {
		au_set(x, AU_INFO02, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "no CAPA reply was received");
		return;
	}
	if (found == NULL) {
		au_set(x, AU_INFO02, AU_ST_PASS, AU_SEV_NONE,
		    "no "
		    "IMPLEMENTATION capability");
		return;
	}
	for (p = found; *p != '\0' && !isdigit((unsigned char)*p); p++)
		;
	au_set(x, AU_INFO02, AU_ST_FAIL, *p != '\0' ? AU_SEV_LOW : AU_SEV_INFO,
	    "IMPLEMENTATION %.*s%s", (int)strcspn(found, "\n"), found,
	    *p != '\0' ? " names a version" : "");
}

/* The "<...@...>" timestamp of a greeting into out; false if none. */
static bool
timestamp(const char *greet, char *out, size_t cap)
{
	const char *a = strchr(greet, '<'), *b;

	if (a == NULL || (b = strchr(a, '>')) == NULL ||
	    memchr(a, '@', (size_t)(b - a)) == NULL ||
	    (size_t)(b - a + 2) > cap)
		return false;
	memcpy(out, a, (size_t)(b - a + 1));
	out[b - a + 1] = '\0';
	return true;
}

static void
judge_apop(struct au_ctx *x)
{
	struct au_facts *f = &x->f;
	char tp[AU_GREET_MAX], tt[AU_GREET_MAX], t2[AU_GREET_MAX];
	bool hp = timestamp(f->plain_greet, tp, sizeof(tp));
	bool ht = timestamp(f->tls_greet, tt, sizeof(tt));
	bool h2 = timestamp(f->greet2, t2, sizeof(t2));
	const char *ts = hp ? tp : tt;
	char host[128] = "";
	const char *at;

	if (au_want(x, AU_AUTH01)) {
		au_ev(x, AU_AUTH01, "cleartext greeting: %s", f->plain_greet);
		au_ev(x, AU_AUTH01, "implicit-TLS greeting: %s", f->tls_greet);
		au_ev(x, AU_AUTH01, "second greeting: %s", f->greet2);
		if (f->plain_greet[0] == '\0' && f->tls_greet[0] == '\0')
			au_set(x, AU_AUTH01, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
			    "no greeting was received");
		else if ((hp || ht) && h2 &&
			 (strcmp(t2, tp) == 0 || strcmp(t2, tt) == 0))
			au_set(x, AU_AUTH01, AU_ST_FAIL, AU_SEV_HIGH,
			    "APOP "
			    "offered and two greetings reuse the timestamp "
			    "%s (replayable)",
			    t2);
		else if (hp)
			au_set(x, AU_AUTH01, AU_ST_FAIL, AU_SEV_MEDIUM,
			    "APOP "
			    "offered on the cleartext port (timestamp %s)",
			    tp);
		else if (ht)
			au_set(x, AU_AUTH01, AU_ST_FAIL, AU_SEV_LOW,
			    "APOP "
			    "offered inside TLS only (timestamp %s)",
			    tt);
		else
			au_set(x, AU_AUTH01, AU_ST_PASS, AU_SEV_NONE,
			    "no APOP "
			    "timestamp in the greeting");
	}
	if (!au_want(x, AU_INFO03))
		return;
	if (!hp && !ht) {
		au_set(x, AU_INFO03,
		    f->plain_greet[0] || f->tls_greet[0] ? AU_ST_PASS
							 : AU_ST_INCONCLUSIVE,
		    AU_SEV_NONE,
		    f->plain_greet[0] || f->tls_greet[0]
			? "no APOP timestamp"
			: "no greeting was received");
		return;
	}
	at = strchr(ts, '@');
	if (str_fmt(host, sizeof(host), "%.*s", (int)strcspn(at + 1, ">"),
		at + 1) < 0)
		host[0] = '\0';
	au_ev(x, AU_INFO03, "timestamp: %s", ts);
	au_ev(x, AU_INFO03, "fields before '@': %.*s", (int)(at - ts - 1),
	    ts + 1);
	if (host[0] != '\0' || strchr(ts, '.') != NULL)
		au_set(x, AU_INFO03, AU_ST_FAIL, AU_SEV_LOW,
		    "APOP timestamp "
		    "%s reveals %s%s%s",
		    ts, host[0] ? "host name '" : "", host,
		    host[0] ? "' and process/clock fields"
			    : "process/clock fields");
	else
		au_set(x, AU_INFO03, AU_ST_PASS, AU_SEV_NONE,
		    "timestamp %s "
		    "is opaque",
		    ts);
}

void
au_judge_banner(struct au_ctx *x)
{
	if (au_want(x, AU_INFO01))
		judge_info01(x);
	if (au_want(x, AU_INFO02))
		judge_info02(x);
	judge_apop(x);
}
