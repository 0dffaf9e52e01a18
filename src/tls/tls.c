/* tls.c: server-side OpenSSL setup. */
#include <string.h>

#include <openssl/err.h>

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

SSL_CTX *
tls_server_ctx(const char *cert, const char *key, char *err, size_t errlen)
{
	SSL_CTX *ctx;

	err[0] = '\0';
	if ((ctx = SSL_CTX_new(TLS_server_method())) == NULL) {
		(void)str_copy(err, "cannot create TLS context", errlen);
		goto fail;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION |
	    SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE |
	    SSL_OP_NO_TICKET);
	/* Idle connections give their TLS buffers back (memory per conn). */
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_set_cipher_list(ctx, tls12_ciphers) != 1) {
		(void)str_copy(err, "cipher list rejected", errlen);
		goto fail;
	}
	if (SSL_CTX_use_certificate_chain_file(ctx, cert) != 1) {
		(void)str_fmt(err, errlen, "cert %s: cannot load", cert);
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		(void)str_fmt(err, errlen, "key %s: cannot load", key);
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
		(void)str_fmt(err, errlen, "key %s does not match cert %s",
		    key, cert);
		goto fail;
	}
	return ctx;
fail:
	tls_errors(err, errlen);
	SSL_CTX_free(ctx);
	return NULL;
}

const char *
tls_version_name(const SSL *ssl)
{
	return ssl != NULL ? SSL_get_version(ssl) : "none";
}
