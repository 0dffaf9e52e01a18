/* tlsjudge.c: P3-TLS-08 (versions), P3-TLS-09 (cipher suites), P3-TLS-10
 * (certificate), P3-TLS-11 (consistency between paths) and P3-TLS-12
 * (renegotiation, heartbeat) from the per-path measurements. */
#include <stdio.h>
#include <string.h>

#include "audit/probe.h"
#include "lib/util.h"

static const char *const pname[AU_NPATHS] = {"implicit TLS", "STLS"};

struct verdict {
	enum au_sev sev;
	char text[AU_TEXT_MAX];
};

static void
v_add(struct verdict *v, enum au_sev sev, const char *a, const char *b)
{
	size_t used = strlen(v->text);

	if (sev > v->sev)
		v->sev = sev;
	if (str_fmt(v->text + used, sizeof(v->text) - used, "%s%s", a, b) < 0)
		v->text[used] = '\0';
}

/* Drop a leading "; " left by the first v_add. */
static void
v_trim(struct verdict *v)
{
	if (strncmp(v->text, "; ", 2) == 0)
		memmove(v->text, v->text + 2, strlen(v->text + 2) + 1);
}

static void
judge08(const struct au_tlspath *tp, struct verdict *v)
{
	static const char *const n[6] = {
	    "SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"};
	int i;

	memset(v, 0, sizeof(*v));
	v_add(v, AU_SEV_NONE, "offered:", "");
	for (i = 0; i < 6; i++)
		if (tp->ver[i])
			v_add(v,
			    i < 2   ? AU_SEV_HIGH
			    : i < 4 ? AU_SEV_MEDIUM
				    : AU_SEV_NONE,
			    " ", n[i]);
	if (!tp->ver[4] && !tp->ver[5])
		v_add(v, AU_SEV_HIGH, " (no TLS 1.2 or 1.3)", "");
}

static void
judge09(const struct au_tlspath *tp, struct verdict *v)
{
	bool legacy = tp->ver[1] || tp->ver[2] || tp->ver[3] || tp->ver[4];

	memset(v, 0, sizeof(*v));
	if (tp->weak[0] != '\0')
		v_add(v, AU_SEV_HIGH, "weak suites accepted: ", tp->weak);
	if (legacy && !tp->pfs)
		v_add(v, AU_SEV_MEDIUM,
		    "; no forward-secret suite below "
		    "TLS 1.3",
		    "");
	if (tp->ver[4] && !tp->aead && !tp->ver[5])
		v_add(v, AU_SEV_LOW, "; CBC suites only", "");
	if (tp->order_known && !tp->server_order)
		v_add(v, AU_SEV_INFO, "; the client's suite order wins", "");
	if (v->text[0] == '\0')
		v_add(v, AU_SEV_NONE,
		    legacy ? "forward-secret AEAD "
			     "suites, server order, nothing weak"
			   : "TLS 1.3 only",
		    "");
}

static void
judge12(const struct au_tlspath *tp, struct verdict *v)
{
	bool legacy = tp->ver[1] || tp->ver[2] || tp->ver[3] || tp->ver[4];

	memset(v, 0, sizeof(*v));
	if (legacy && tp->reneg_secure_known && !tp->reneg_secure)
		v_add(v, AU_SEV_MEDIUM,
		    "; no secure renegotiation "
		    "(RFC 5746)",
		    "");
	if (tp->client_reneg)
		v_add(v, AU_SEV_LOW,
		    "; client-initiated renegotiation "
		    "accepted",
		    "");
	if (tp->heartbeat)
		v_add(v, AU_SEV_INFO,
		    "; heartbeat extension enabled "
		    "(check Heartbleed with testssl.sh)",
		    "");
	if (v->text[0] == '\0')
		v_add(v, AU_SEV_NONE,
		    legacy ? "secure renegotiation, "
			     "no client renegotiation, no heartbeat"
			   : "TLS 1.3 only: no renegotiation",
		    "");
}

/* Set check id from the verdicts of the present paths. */
static void
combine(struct au_ctx *x, enum au_id id, const struct verdict v[AU_NPATHS],
    const bool present[AU_NPATHS])
{
	char text[AU_TEXT_MAX] = "";
	enum au_sev sev = AU_SEV_NONE;
	int p;

	for (p = 0; p < AU_NPATHS; p++) {
		size_t used = strlen(text);

		if (!present[p])
			continue;
		if (v[p].sev > sev)
			sev = v[p].sev;
		if (str_fmt(text + used, sizeof(text) - used, "%s%s: %s",
			used ? " | " : "", pname[p], v[p].text) < 0)
			text[used] = '\0';
	}
	au_set(x, id, sev > AU_SEV_NONE ? AU_ST_FAIL : AU_ST_PASS, sev, "%s",
	    text);
}

static void
evidence(struct au_ctx *x, enum au_id id)
{
	int p;

	for (p = 0; p < AU_NPATHS; p++)
		au_ev_buf(x, id, &x->pathlog[p]);
}

static void
judge11(struct au_ctx *x, const struct verdict v[3][AU_NPATHS])
{
	const struct au_tlspath *a = &x->f.path[0], *b = &x->f.path[1];
	enum au_sev worst = AU_SEV_INFO;
	char diff[AU_TEXT_MAX] = "";
	int k, weaker;

	if (!a->present || !b->present) {
		au_set(x, AU_TLS11, AU_ST_SKIPPED, AU_SEV_NONE,
		    "not "
		    "applicable: only %s works",
		    a->present   ? pname[0]
		    : b->present ? pname[1]
				 : "no TLS path");
		return;
	}
	for (k = 0; k < 3; k++) {
		size_t used = strlen(diff);

		if (strcmp(v[k][0].text, v[k][1].text) == 0)
			continue;
		weaker = v[k][0].sev >= v[k][1].sev ? 0 : 1;
		if (v[k][weaker].sev > worst)
			worst = v[k][weaker].sev;
		if (str_fmt(diff + used, sizeof(diff) - used,
			"%s%s: %s is "
			"weaker (%s)",
			used ? "; " : "",
			k == 0   ? "versions"
			: k == 1 ? "suites"
				 : "certificate",
			pname[weaker], v[k][weaker].text) < 0)
			diff[used] = '\0';
	}
	if (strcmp(a->certfp, b->certfp) != 0 &&
	    strstr(diff, "certificate") == NULL) {
		size_t used = strlen(diff);

		if (str_fmt(diff + used, sizeof(diff) - used,
			"%sdifferent "
			"certificates on the two paths",
			used ? "; " : "") < 0)
			diff[used] = '\0';
	}
	if (diff[0] == '\0')
		au_set(x, AU_TLS11, AU_ST_PASS, AU_SEV_NONE,
		    "both paths "
		    "offer the same versions, suites and certificate");
	else
		au_set(x, AU_TLS11, AU_ST_FAIL, worst, "%s", diff);
}

void
au_judge_tls(struct au_ctx *x)
{
	struct verdict v[3][AU_NPATHS], v12[AU_NPATHS];
	bool present[AU_NPATHS];
	int p, i;

	memset(v, 0, sizeof(v));
	for (p = 0; p < AU_NPATHS; p++) {
		const struct au_tlspath *tp = &x->f.path[p];

		present[p] = tp->present;
		if (!tp->present)
			continue;
		judge08(tp, &v[0][p]);
		judge09(tp, &v[1][p]);
		v_trim(&v[1][p]);
		v[2][p].sev = tp->sev10;
		(void)str_copy(v[2][p].text,
		    tp->find10[0] ? tp->find10
				  : "trusted, valid, name matches, strong key",
		    sizeof(v[2][p].text));
		judge12(tp, &v12[p]);
		v_trim(&v12[p]);
	}
	for (i = AU_TLS08; i <= AU_TLS12; i++) {
		if (!au_want(x, (enum au_id)i))
			continue;
		if (atomic_load(&x->abort) && !present[0] && !present[1]) {
			(void)au_aborted(x, (enum au_id)i);
			continue;
		}
		if (i != AU_TLS11)
			evidence(x, (enum au_id)i);
		if (!present[0] && !present[1] && i != AU_TLS11) {
			bool tried = x->f.tls_up || x->f.stls >= 1;

			au_set(x, (enum au_id)i,
			    tried ? AU_ST_INCONCLUSIVE : AU_ST_SKIPPED,
			    AU_SEV_NONE,
			    tried
				? "no TLS handshake succeeded on any path"
				: "not applicable: no TLS path (see P3-TLS-02)");
			continue;
		}
		if (i == AU_TLS11)
			judge11(x, (const struct verdict(*)[AU_NPATHS])v);
		else if (i == AU_TLS12)
			combine(x, AU_TLS12, v12, present);
		else
			combine(x, (enum au_id)i, v[i - AU_TLS08], present);
	}
}
