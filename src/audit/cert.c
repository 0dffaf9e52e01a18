/* cert.c: P3-TLS-10 certificate analysis of one TLS path: validity dates,
 * chain of trust (system store plus --ca), host name as typed (SAN only,
 * RFC 6125), key size, signature hash, SAN presence. */
#include <stdio.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "audit/probe.h"
#include "lib/util.h"

static void
add(struct au_tlspath *tp, enum au_sev sev, const char *what)
{
	size_t used = strlen(tp->find10);

	if (sev > tp->sev10)
		tp->sev10 = sev;
	if (str_fmt(tp->find10 + used, sizeof(tp->find10) - used, "%s%s (%s)",
		used > 0 ? "; " : "", what, au_sev_name(sev)) < 0)
		tp->find10[sizeof(tp->find10) - 1] = '\0';
}

static void
name_line(struct buf *log, const char *label, X509_NAME *n)
{
	char s[256];

	if (X509_NAME_oneline(n, s, sizeof(s)) == NULL)
		(void)str_copy(s, "?", sizeof(s));
	au_logf(log, "#   %s: %s\n", label, s);
}

static void
time_line(struct buf *log, const char *label, const ASN1_TIME *t)
{
	struct tm tm;
	char s[64];

	if (ASN1_TIME_to_tm(t, &tm) != 1 ||
	    strftime(s, sizeof(s), "%Y-%m-%d %H:%M:%S UTC", &tm) == 0)
		(void)str_copy(s, "?", sizeof(s));
	au_logf(log, "#   %s: %s\n", label, s);
}

/* Verify the chain against the system store and --ca (times ignored:
 * judged separately). Returns the X509_V_* result. */
static int
verify(struct au_ctx *x, X509 *leaf, STACK_OF(X509) * chain)
{
	X509_STORE *st = X509_STORE_new();
	X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	int err = X509_V_ERR_UNSPECIFIED;

	if (st == NULL || ctx == NULL)
		goto out;
	if (X509_STORE_set_default_paths(st) != 1)
		goto out;
	if (x->o->ca_file != NULL &&
	    X509_STORE_load_file(st, x->o->ca_file) != 1)
		goto out;
	if (X509_STORE_CTX_init(ctx, st, leaf, chain) != 1)
		goto out;
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME);
	err = X509_verify_cert(ctx) == 1 ? X509_V_OK
					 : X509_STORE_CTX_get_error(ctx);
out:
	X509_STORE_CTX_free(ctx);
	X509_STORE_free(st);
	return err;
}

static void
key_check(struct au_tlspath *tp, X509 *leaf, struct buf *log)
{
	EVP_PKEY *k = X509_get0_pubkey(leaf);
	int bits, id, md = NID_undef, pk = NID_undef;
	char what[96];

	if (k == NULL)
		return;
	bits = EVP_PKEY_get_bits(k);
	id = EVP_PKEY_get_base_id(k);
	au_logf(log, "#   key: %s %d bits\n", OBJ_nid2sn(id), bits);
	if (((id == EVP_PKEY_RSA || id == EVP_PKEY_DSA || id == EVP_PKEY_DH) &&
		bits < 2048) ||
	    (id == EVP_PKEY_EC && bits < 256)) {
		(void)str_fmt(
		    what, sizeof(what), "weak key %s-%d", OBJ_nid2sn(id), bits);
		add(tp, AU_SEV_MEDIUM, what);
	}
	if (OBJ_find_sigid_algs(X509_get_signature_nid(leaf), &md, &pk) == 1) {
		au_logf(log, "#   signature: %s\n",
		    OBJ_nid2sn(X509_get_signature_nid(leaf)));
		if (md == NID_sha1 || md == NID_md5 || md == NID_md4 ||
		    md == NID_md2) {
			(void)str_fmt(
			    what, sizeof(what), "%s signature", OBJ_nid2sn(md));
			add(tp, AU_SEV_MEDIUM, what);
		}
	}
}

static void
fingerprint(struct au_tlspath *tp, X509 *leaf)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0, i;

	tp->certfp[0] = '\0';
	if (X509_digest(leaf, EVP_sha256(), md, &n) != 1)
		return;
	for (i = 0; i < n && 2 * i + 2 < sizeof(tp->certfp); i++) {
		tp->certfp[2 * i] = "0123456789abcdef"[md[i] >> 4];
		tp->certfp[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
		tp->certfp[2 * i + 2] = '\0';
	}
}

void
au_cert_judge(
    struct au_ctx *x, struct au_tlspath *tp, SSL *ssl, struct buf *log)
{
	X509 *leaf = SSL_get0_peer_certificate(ssl);
	STACK_OF(X509) *chain = SSL_get_peer_cert_chain(ssl);
	const char *host = x->o->host;
	GENERAL_NAMES *san;
	int days = 0, secs = 0, err, hm;
	char what[200];

	tp->sev10 = AU_SEV_NONE;
	tp->find10[0] = '\0';
	if (leaf == NULL) {
		add(tp, AU_SEV_HIGH, "no certificate (anonymous key exchange)");
		return;
	}
	tp->cert_seen = true;
	fingerprint(tp, leaf);
	au_logf(log, "# certificate (sha256 %s):\n", tp->certfp);
	name_line(log, "subject", X509_get_subject_name(leaf));
	name_line(log, "issuer", X509_get_issuer_name(leaf));
	time_line(log, "not before", X509_get0_notBefore(leaf));
	time_line(log, "not after", X509_get0_notAfter(leaf));
	if (X509_cmp_current_time(X509_get0_notAfter(leaf)) < 0)
		add(tp, AU_SEV_HIGH, "expired");
	else if (X509_cmp_current_time(X509_get0_notBefore(leaf)) > 0)
		add(tp, AU_SEV_HIGH, "not yet valid");
	else if (ASN1_TIME_diff(&days, &secs, NULL, X509_get0_notAfter(leaf)) ==
		     1 &&
		 days < 30) {
		(void)str_fmt(what, sizeof(what), "expires in %d days", days);
		add(tp, AU_SEV_LOW, what);
	}
	err = verify(x, leaf, chain);
	if (err != X509_V_OK) {
		(void)str_fmt(what, sizeof(what), "untrusted: %s%s",
		    X509_verify_cert_error_string(err),
		    x->o->ca_file == NULL ? " (give the CA with --ca)" : "");
		add(tp, AU_SEV_HIGH, what);
	}
	au_logf(log, "#   chain: %s\n",
	    err == X509_V_OK ? "trusted" : X509_verify_cert_error_string(err));
	san = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
	if (san == NULL)
		add(tp, AU_SEV_LOW, "no subjectAltName");
	GENERAL_NAMES_free(san);
	if (au_is_ip_literal(host))
		hm = X509_check_ip_asc(leaf, host, 0);
	else
		hm = X509_check_host(
		    leaf, host, 0, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT, NULL);
	au_logf(log, "#   name '%s': %s\n", host,
	    hm == 1 ? "matches" : "does not match");
	if (hm != 1) {
		(void)str_fmt(
		    what, sizeof(what), "name mismatch for '%s'", host);
		add(tp, AU_SEV_HIGH, what);
	}
	key_check(tp, leaf, log);
}
