/* tls.c: server-side OpenSSL setup. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/pem.h>

#include "lib/log.h"
#include "lib/util.h"
#include "tls/tls.h"

/* TLS 1.2 suites: forward secrecy and AEAD only. TLS 1.3 uses its defaults. */
static const char tls12_ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

void
tls_errors(char *buf, size_t len)
{
	unsigned long e;
	size_t used = strlen(buf);

	while ((e = ERR_get_error()) != 0) {
		char one[256];

		ERR_error_string_n(e, one, sizeof(one));
		if (used + strlen(one) + 3 < len) {
			buf[used++] = ';';
			buf[used++] = ' ';
			memcpy(buf + used, one, strlen(one) + 1);
			used += strlen(one);
		}
	}
}

long
tls_read_pem(const char *path, char **buf_r, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *buf;
	size_t n;

	if (f == NULL) {
		(void)str_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((buf = malloc(TLS_PEM_MAX + 1)) == NULL) {
		fclose(f);
		(void)str_copy(err, "out of memory", errlen);
		return -1;
	}
	n = fread(buf, 1, TLS_PEM_MAX + 1, f);
	fclose(f);
	if (n > TLS_PEM_MAX) {
		free(buf);
		(void)str_fmt(
		    err, errlen, "%s: larger than %d bytes", path, TLS_PEM_MAX);
		return -1;
	}
	buf[n] = '\0';
	*buf_r = buf;
	return (long)n;
}

/* Load a certificate chain from PEM text: the leaf, then its chain. */
static int
use_chain(SSL_CTX *ctx, const char *pem, size_t len)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)len);
	X509 *x;
	int rc = -1;

	if (bio == NULL)
		return -1;
	if ((x = PEM_read_bio_X509_AUX(bio, NULL, NULL, NULL)) == NULL)
		goto out;
	if (SSL_CTX_use_certificate(ctx, x) != 1) {
		X509_free(x);
		goto out;
	}
	X509_free(x);
	SSL_CTX_clear_chain_certs(ctx);
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL)
		if (SSL_CTX_add0_chain_cert(ctx, x) != 1) {
			X509_free(x);
			goto out;
		}
	ERR_clear_error(); /* the loop ends on "no start line" */
	rc = 0;
out:
	BIO_free(bio);
	return rc;
}

SSL_CTX *
tls_server_ctx_mem(const char *cert, size_t certlen, const char *key,
    size_t keylen, char *err, size_t errlen)
{
	SSL_CTX *ctx;
	EVP_PKEY *pk = NULL;
	BIO *bio;

	err[0] = '\0';
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		(void)str_copy(err, "cannot create TLS context", errlen);
		goto fail;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(
	    ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION |
		     SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
	/* Idle connections give their TLS buffers back (memory per conn). */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_set_cipher_list(ctx, tls12_ciphers) != 1) {
		(void)str_copy(err, "cipher list rejected", errlen);
		goto fail;
	}
	if (use_chain(ctx, cert, certlen) < 0) {
		(void)str_copy(err, "certificate: cannot load", errlen);
		goto fail;
	}
	if ((bio = BIO_new_mem_buf(key, (int)keylen)) != NULL) {
		pk = PEM_read_bio_PrivateKey(bio, NULL, NULL, NULL);
		BIO_free(bio);
	}
	if (pk == NULL || SSL_CTX_use_PrivateKey(ctx, pk) != 1) {
		(void)str_copy(err, "key: cannot load", errlen);
		EVP_PKEY_free(pk);
		goto fail;
	}
	EVP_PKEY_free(pk);
	if (SSL_CTX_check_private_key(ctx) != 1) {
		(void)str_copy(
		    err, "key does not match the certificate", errlen);
		goto fail;
	}
	return ctx;
fail:
	tls_errors(err, errlen);
	SSL_CTX_free(ctx);
	return NULL;
}

SSL_CTX *
tls_server_ctx(const char *cert, const char *key, char *err, size_t errlen)
{
	char *c = NULL, *k = NULL;
	long cl, kl;
	SSL_CTX *ctx = NULL;

	if ((cl = tls_read_pem(cert, &c, err, errlen)) >= 0 &&
	    (kl = tls_read_pem(key, &k, err, errlen)) >= 0) {
		ctx = tls_server_ctx_mem(
		    c, (size_t)cl, k, (size_t)kl, err, errlen);
		mem_wipe(k, (size_t)kl);
	}
	free(c);
	free(k);
	return ctx;
}

void
tls_log_conn_error(unsigned long e, const char *peer)
{
	char buf[256];

	if (e == 0 || ERR_GET_REASON(e) == SSL_R_UNEXPECTED_EOF_WHILE_READING)
		return;
	ERR_error_string_n(e, buf, sizeof(buf));
	log_info("peer=%s: TLS error: %s", peer, buf);
}

const char *
tls_version_name(const SSL *ssl)
{
	return ssl != NULL ? SSL_get_version(ssl) : "none";
}

int
tls_channel_binding(SSL *ssl, uint8_t *out, size_t len)
{
	static const char label[] = "EXPORTER-Channel-Binding";

	if (ssl == NULL || !SSL_is_init_finished(ssl) ||
	    SSL_version(ssl) != TLS1_3_VERSION)
		return -1;
	return SSL_export_keying_material(
		   ssl, out, len, label, sizeof(label) - 1, NULL, 0, 0) == 1
		   ? 0
		   : -1;
}
