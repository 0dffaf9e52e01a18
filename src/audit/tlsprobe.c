/* tlsprobe.c: measures one TLS path (implicit TLS or STLS): an OpenSSL
 * handshake (certificate, TLS 1.3), raw ClientHellos per protocol version
 * and cipher-suite category, server cipher order, renegotiation and the
 * heartbeat extension. tlsjudge.c turns the measurements into P3-TLS-08..12
 * results. */
#include <stdio.h>
#include <string.h>

#include "audit/probe.h"
#include "audit/tlsraw.h"
#include "lib/util.h"

#define HELLO_MAX   4096
#define RAW_TIMEOUT 4000

static const char *const vnames[6] = {
    "SSLv2", "SSLv3", "TLSv1.0", "TLSv1.1", "TLSv1.2", "TLSv1.3"};

/* Connect and stop right before the handshake of path p. */
static int
path_open(struct au_ctx *x, enum au_path p, struct au_conn *c, struct buf *log)
{
	char line[512];

	if (p == AU_PATH_IMPLICIT)
		return au_connect(x, c, x->o->tls_port, NULL, log);
	if (au_open(x, c, false, log, NULL, 0) != 0)
		return -1;
	if (au_cmd(c, "STLS") != 0 ||
	    au_reply(x, c, line, sizeof(line), 0) < 0 || !au_ok(line)) {
		au_close(c);
		return -1;
	}
	return 0;
}

/* One raw ClientHello; 0 with r filled (r->kind 0 if nothing usable). */
static int
raw_hello(struct au_ctx *x, enum au_path p, uint16_t v, const uint16_t *suites,
    size_t n, struct au_hello_res *r, const char *what)
{
	struct buf *log = &x->pathlog[p];
	uint8_t hello[HELLO_MAX], in[8192];
	struct au_conn c;
	size_t got = 0;
	int len, k, pr = 0;

	memset(r, 0, sizeof(*r));
	len = v == 0x0002 ? au_hello_v2(hello, sizeof(hello))
			  : au_hello_build(hello, sizeof(hello), v, suites, n,
				au_tls_default(x)->sni);
	if (len < 0 || path_open(x, p, &c, NULL) != 0) {
		au_logf(log, "# %s: could not connect\n", what);
		return -1;
	}
	if (au_send(&c, hello, (size_t)len, -1) == 0) {
		while (got < sizeof(in)) {
			k = au_read(
			    &c, in + got, sizeof(in) - got, RAW_TIMEOUT);
			if (k <= 0)
				break;
			got += (size_t)k;
			pr = au_hello_parse(in, got, r);
			if (pr != 0)
				break;
		}
	}
	au_close(&c);
	if (r->kind == 1) {
		const struct au_suite *s = au_suite_find(r->suite);

		au_logf(log, "# %s: ServerHello %04x %s\n", what, r->version,
		    s != NULL ? s->name : "?");
	} else if (r->kind == 2) {
		au_logf(log, "# %s: alert %u\n", what, r->alert);
	} else if (r->kind == 3) {
		au_logf(log, "# %s: SSLv2 SERVER-HELLO\n", what);
	} else {
		au_logf(log, "# %s: %s\n", what,
		    pr < 0    ? "not TLS"
		    : got > 0 ? "incomplete reply"
			      : "closed or no reply");
	}
	return 0;
}

/* Suites matching all of want and none of deny, usable at version v. */
static size_t
pick(uint16_t v, unsigned want, unsigned deny, uint16_t *out, bool reverse)
{
	size_t i, n = 0;

	for (i = 0; i < au_nsuites; i++) {
		const struct au_suite *s =
		    &au_suites[reverse ? au_nsuites - 1 - i : i];

		if ((s->cat & want) != want || (s->cat & deny) != 0)
			continue;
		if (v < AU_V_TLS12 && (s->cat & AU_CS_TLS12))
			continue;
		out[n++] = s->id;
	}
	return n;
}

static void
cat_add(char *out, size_t cap, const char *what)
{
	size_t used = strlen(out);

	if (strstr(out, what) == NULL &&
	    str_fmt(out + used, cap - used, "%s%s", used ? ", " : "", what) < 0)
		out[used] = '\0';
}

/* Offer only weak suites, repeatedly dropping what the server picked. */
static void
weak_suites(
    struct au_ctx *x, enum au_path p, uint16_t v, char *found, size_t cap)
{
	static const struct {
		unsigned cat;
		const char *name;
	} cats[] = {{AU_CS_NULL, "NULL"}, {AU_CS_ANON, "anonymous"},
	    {AU_CS_EXPORT, "EXPORT"}, {AU_CS_RC4, "RC4"},
	    {AU_CS_DES, "DES/3DES"}};
	uint16_t list[128];
	unsigned deny = 0;
	struct au_hello_res r;
	size_t n, i;
	int round;

	for (round = 0; round < 5; round++) {
		n = 0;
		for (i = 0; i < au_nsuites; i++) {
			const struct au_suite *s = &au_suites[i];

			if ((s->cat & AU_CS_WEAK) == 0 || (s->cat & deny) ||
			    (v < AU_V_TLS12 && (s->cat & AU_CS_TLS12)))
				continue;
			list[n++] = s->id;
		}
		if (n == 0 || raw_hello(x, p, v, list, n, &r, "weak suites") ||
		    r.kind != 1 || r.version != v)
			return;
		for (i = 0; i < sizeof(cats) / sizeof(cats[0]); i++) {
			const struct au_suite *s = au_suite_find(r.suite);

			if (s != NULL && (s->cat & cats[i].cat)) {
				cat_add(found, cap, cats[i].name);
				deny |= cats[i].cat;
			}
		}
		if (au_suite_find(r.suite) == NULL)
			return;
	}
}

static void
versions(struct au_ctx *x, enum au_path p, struct au_tlspath *tp)
{
	static const uint16_t codes[5] = {
	    0x0002, AU_V_SSL3, AU_V_TLS10, AU_V_TLS11, AU_V_TLS12};
	uint16_t list[128];
	struct au_hello_res r;
	size_t n;
	int i;

	for (i = 0; i < 5; i++) {
		n = pick(codes[i], 0, 0, list, false);
		if (raw_hello(x, p, codes[i], list, n, &r, vnames[i]) != 0)
			continue;
		if ((i == 0 && r.kind == 3) ||
		    (i > 0 && r.kind == 1 && r.version == codes[i])) {
			tp->ver[i] = true;
			tp->reneg_secure_known = true;
			tp->reneg_secure = r.reneg_ext;
			tp->heartbeat = tp->heartbeat || r.heartbeat_ext;
		}
	}
	tp->versions_known = true;
}

/* Forward secrecy, AEAD and server order at the best version <= 1.2. */
static void
suites(struct au_ctx *x, enum au_path p, struct au_tlspath *tp)
{
	uint16_t list[128], v = 0;
	struct au_hello_res a, b;
	size_t n;
	int i;

	for (i = 1; i <= 4; i++) {
		if (!tp->ver[i])
			continue;
		v = (uint16_t)(AU_V_SSL3 + (i - 1));
		weak_suites(x, p, v, tp->weak, sizeof(tp->weak));
	}
	if (v == 0)
		return;
	n = pick(v, AU_CS_PFS, AU_CS_WEAK, list, false);
	if (raw_hello(x, p, v, list, n, &a, "forward-secret only") == 0)
		tp->pfs = a.kind == 1 && a.version == v;
	if (v == AU_V_TLS12) {
		n = pick(v, AU_CS_AEAD, AU_CS_WEAK, list, false);
		if (raw_hello(x, p, v, list, n, &a, "AEAD only") == 0)
			tp->aead = a.kind == 1 && a.version == v;
	}
	n = pick(v, 0, AU_CS_WEAK, list, false);
	if (raw_hello(x, p, v, list, n, &a, "client order") != 0)
		return;
	n = pick(v, 0, AU_CS_WEAK, list, true);
	if (raw_hello(x, p, v, list, n, &b, "reversed order") != 0)
		return;
	if (a.kind == 1 && b.kind == 1) {
		tp->order_known = true;
		tp->server_order = a.suite == b.suite;
	}
}

static void
openssl_handshake(struct au_ctx *x, enum au_path p, struct au_tlspath *tp)
{
	struct au_conn c;
	struct au_tlscfg cfg = *au_tls_default(x);
	char ver[32], cipher[64], line[512];

	if (path_open(x, p, &c, &x->pathlog[p]) != 0)
		return;
	if (au_tls(&c, &cfg) != 0) {
		au_close(&c);
		return;
	}
	tp->present = true;
	au_tls_info(&c, ver, sizeof(ver), cipher, sizeof(cipher));
	(void)str_fmt(tp->neg, sizeof(tp->neg), "%s %s", ver, cipher);
	tp->ver[5] = strcmp(ver, "TLSv1.3") == 0;
	au_cert_judge(x, tp, c.ssl, &x->pathlog[p]);
	au_close(&c);
	/* client-initiated renegotiation, TLS 1.2 */
	cfg.max_version = TLS1_2_VERSION;
	if (path_open(x, p, &c, &x->pathlog[p]) != 0)
		return;
	if (au_tls(&c, &cfg) == 0) {
		if (p == AU_PATH_IMPLICIT)
			(void)au_reply(x, &c, line, sizeof(line), 0);
		tp->client_reneg_known = au_tls_reneg(&c);
		tp->client_reneg = tp->client_reneg_known == 1;
	}
	au_close(&c);
}

void
au_probe_tlspath(struct au_ctx *x, enum au_path p)
{
	struct au_tlspath *tp = &x->f.path[p];

	memset(tp, 0, sizeof(*tp));
	tp->client_reneg_known = -1;
	if (p == AU_PATH_IMPLICIT && !x->f.tls_ok)
		return;
	if (p == AU_PATH_STLS && x->f.stls != 1)
		return;
	au_logf(&x->pathlog[p], "# == %s on port %u ==\n",
	    p == AU_PATH_IMPLICIT ? "implicit TLS" : "STLS",
	    p == AU_PATH_IMPLICIT ? x->o->tls_port : x->o->plain_port);
	openssl_handshake(x, p, tp);
	if (!tp->present)
		return;
	versions(x, p, tp);
	if (!tp->ver[4] && strncmp(tp->neg, "TLSv1.2 ", 8) == 0) {
		au_logf(&x->pathlog[p],
		    "# raw TLS 1.2 hello failed but "
		    "OpenSSL negotiated TLS 1.2: counted as supported\n");
		tp->ver[4] = true;
	}
	suites(x, p, tp);
}
