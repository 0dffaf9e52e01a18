/* conn-tls.c: TLS on an auditor connection: a handshake with any protocol
 * version and cipher list and no verification (the auditor inspects bad
 * certificates itself), client-initiated renegotiation, and the negotiated
 * parameters. */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "audit/probe.h"
#include "lib/util.h"

int
au_tls(struct au_conn *c, const struct au_tlscfg *cfg)
{
	const char *ciphers = cfg->ciphers != NULL
				  ? cfg->ciphers
				  : "ALL:COMPLEMENTOFALL:@SECLEVEL=0";
	uint64_t end = time_mono_ms() + (uint64_t)c->timeout_ms;
	int n, e;

	if (au_buffered(c) > 0) {
		au_note(c,
		    "%zu cleartext bytes received before the handshake "
		    "were discarded",
		    au_buffered(c));
		c->in_start = c->in_len = 0;
	}
	ERR_clear_error();
	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL)
		goto fail;
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_security_level(c->ctx, 0);
	if (!SSL_CTX_set_min_proto_version(c->ctx, cfg->min_version) ||
	    !SSL_CTX_set_max_proto_version(c->ctx, cfg->max_version))
		goto fail;
	if (!SSL_CTX_set_cipher_list(c->ctx, ciphers))
		goto fail;
	if (cfg->suites != NULL &&
	    !SSL_CTX_set_ciphersuites(c->ctx, cfg->suites))
		goto fail;
	/* the renegotiation probe needs it; a system config may forbid it */
	SSL_CTX_clear_options(c->ctx, SSL_OP_NO_RENEGOTIATION);
	if (cfg->allow_reneg)
		SSL_CTX_set_options(c->ctx, SSL_OP_LEGACY_SERVER_CONNECT);
	c->ssl = SSL_new(c->ctx);
	if (c->ssl == NULL || !SSL_set_fd(c->ssl, c->fd))
		goto fail;
	if (cfg->sni != NULL && !SSL_set_tlsext_host_name(c->ssl, cfg->sni))
		goto fail;
	for (;;) {
		uint64_t now = time_mono_ms();

		errno = 0;
		n = SSL_connect(c->ssl);
		if (n == 1)
			break;
		e = SSL_get_error(c->ssl, n);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    now >= end)
			goto fail;
		if (au_conn_wait(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
			(int)(end - now)) != 0) {
			au_conn_err(c, "TLS handshake", "timeout");
			au_note(c, "TLS handshake timed out");
			return -1;
		}
	}
	au_note(c, "TLS handshake: %s %s", SSL_get_version(c->ssl),
	    SSL_get_cipher_name(c->ssl));
	return 0;
fail:
	au_conn_ssl_err(c, "TLS handshake");
	au_note(c, "%s", c->err);
	if (c->ssl != NULL) {
		SSL_free(c->ssl);
		c->ssl = NULL;
	}
	return -1;
}

int
au_tls_reneg(struct au_conn *c)
{
	uint64_t end = time_mono_ms() + (uint64_t)c->timeout_ms;
	int n, e;

	if (c->ssl == NULL || SSL_version(c->ssl) >= TLS1_3_VERSION)
		return -1;
	ERR_clear_error();
	if (SSL_renegotiate(c->ssl) != 1) {
		au_conn_ssl_err(c, "renegotiation");
		au_note(c, "renegotiation not started: %s", c->err);
		return 0;
	}
	for (;;) {
		uint64_t now = time_mono_ms();

		n = SSL_do_handshake(c->ssl);
		if (n == 1 && !SSL_renegotiate_pending(c->ssl))
			break;
		e = n == 1 ? SSL_ERROR_WANT_READ : SSL_get_error(c->ssl, n);
		if ((e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) ||
		    now >= end) {
			au_conn_ssl_err(c, "renegotiation");
			au_note(c, "client-initiated renegotiation refused: %s",
			    now >= end ? "timeout" : c->err);
			return 0;
		}
		if (n == 1) {
			uint8_t tmp[256];
			int k = SSL_read(c->ssl, tmp, sizeof(tmp));

			if (k <= 0 &&
			    SSL_get_error(c->ssl, k) != SSL_ERROR_WANT_READ) {
				au_conn_ssl_err(c, "renegotiation");
				au_note(c, "renegotiation failed: %s", c->err);
				return 0;
			}
			if (k <= 0 &&
			    au_conn_wait(c, POLLIN, (int)(end - now)) != 0)
				continue;
			continue;
		}
		if (au_conn_wait(c, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT,
			(int)(end - now)) != 0)
			continue;
	}
	au_note(c, "client-initiated renegotiation completed");
	return 1;
}

void
au_tls_info(
    const struct au_conn *c, char *ver, size_t vcap, char *cipher, size_t ccap)
{
	if (c->ssl == NULL) {
		(void)str_copy(ver, "none", vcap);
		(void)str_copy(cipher, "none", ccap);
		return;
	}
	(void)str_copy(ver, SSL_get_version(c->ssl), vcap);
	(void)str_copy(cipher, SSL_get_cipher_name(c->ssl), ccap);
}

bool
au_is_ip_literal(const char *h)
{
	unsigned char tmp[16];

	return inet_pton(AF_INET, h, tmp) == 1 ||
	       inet_pton(AF_INET6, h, tmp) == 1;
}

const struct au_tlscfg *
au_tls_default(struct au_ctx *x)
{
	/* SNI carries names only, never address literals (RFC 6066 §3). */
	x->tlsdef.sni = au_is_ip_literal(x->o->host) ? NULL : x->o->host;
	return &x->tlsdef;
}
