/* client_tls.c: TLS for the POP3 client connection: context setup with
 * system or given trust anchors, host name (or IP) check, SNI, TLS 1.2
 * minimum, SHA-256 pinning of the leaf certificate. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "lib/util.h"
#include "net/client.h"

/* Lower-case hex of a SHA-256 digest over the DER of cert. */
static int
cert_sha256(X509 *cert, char out[65])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, i;

	if (X509_digest(cert, EVP_sha256(), md, &mdlen) != 1 || mdlen != 32)
		return -1;
	for (i = 0; i < mdlen; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

/* Compare a user-supplied pin (hex, any case, ':' separators allowed) with
 * the 64 lower-case hex digits of have. */
static bool
pin_matches(const char *pin, const char *have)
{
	size_t i = 0;
	const char *p;

	for (p = pin; *p != '\0'; p++) {
		char ch = *p;

		if (ch == ':')
			continue;
		if (ch >= 'A' && ch <= 'F')
			ch = (char)(ch - 'A' + 'a');
		if (i >= 64 || ch != have[i])
			return false;
		i++;
	}
	return i == 64;
}

static bool
is_ip_literal(const char *host)
{
	unsigned char tmp[sizeof(struct in6_addr)];

	return inet_pton(AF_INET, host, tmp) == 1 ||
	       inet_pton(AF_INET6, host, tmp) == 1;
}

/* The OpenSSL error queue as one line (or fallback). */
void
pc_ssl_err(struct pc_conn *c, const char *what)
{
	char buf[160];
	unsigned long e = ERR_get_error();

	if (e == 0) {
		pc_set_err(c, what, c->eof ? "connection closed" : NULL);
		return;
	}
	ERR_error_string_n(e, buf, sizeof(buf));
	ERR_clear_error();
	pc_set_err(c, what, buf);
}

static int
setup_ctx(struct pc_conn *c, const struct pc_tls_opts *o, bool verify)
{
	int minv = o != NULL ? o->min_version : TLS1_2_VERSION;

	c->ctx = SSL_CTX_new(TLS_client_method());
	if (c->ctx == NULL) {
		pc_ssl_err(c, "TLS context");
		return -1;
	}
	if ((minv != 0 && !SSL_CTX_set_min_proto_version(c->ctx, minv)) ||
	    (o != NULL && o->max_version != 0 &&
		!SSL_CTX_set_max_proto_version(c->ctx, o->max_version))) {
		pc_ssl_err(c, "TLS version");
		return -1;
	}
	if (o != NULL && o->ciphers != NULL &&
	    !SSL_CTX_set_cipher_list(c->ctx, o->ciphers)) {
		pc_ssl_err(c, "TLS cipher list");
		return -1;
	}
	if (!verify) {
		SSL_CTX_set_verify(c->ctx, SSL_VERIFY_NONE, NULL);
		return 0;
	}
	if (o != NULL && o->ca_file != NULL) {
		if (!SSL_CTX_load_verify_locations(c->ctx, o->ca_file, NULL)) {
			pc_ssl_err(c, "cannot load CA file");
			return -1;
		}
	} else if (!SSL_CTX_set_default_verify_paths(c->ctx)) {
		pc_ssl_err(c, "cannot load system trust store");
		return -1;
	}
	SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER, NULL);
	return 0;
}

/* Run SSL_connect to completion within the timeouts. */
static int
handshake(struct pc_conn *c)
{
	int rc, e;

	for (;;) {
		ERR_clear_error();
		rc = SSL_connect(c->ssl);
		if (rc == 1)
			return 0;
		e = SSL_get_error(c->ssl, rc);
		if (e == SSL_ERROR_WANT_READ) {
			if (pc_wait_fd(c, POLLIN) < 0)
				return -1;
		} else if (e == SSL_ERROR_WANT_WRITE) {
			if (pc_wait_fd(c, POLLOUT) < 0)
				return -1;
		} else {
			long vr = SSL_get_verify_result(c->ssl);

			if (vr != X509_V_OK)
				pc_set_err(c, "certificate verification failed",
				    X509_verify_cert_error_string(vr));
			else
				pc_ssl_err(c, "TLS handshake failed");
			return -1;
		}
	}
}

/* After the handshake: the pin, if any, must match the leaf certificate. */
static int
check_pin(struct pc_conn *c, const char *pin)
{
	char have[65];
	X509 *cert = SSL_get1_peer_certificate(c->ssl);

	if (cert == NULL) {
		pc_set_err(c, "server sent no certificate", NULL);
		return -1;
	}
	if (cert_sha256(cert, have) < 0) {
		X509_free(cert);
		pc_set_err(c, "cannot hash the server certificate", NULL);
		return -1;
	}
	X509_free(cert);
	if (!pin_matches(pin, have)) {
		pc_set_err(
		    c, "certificate pin mismatch; server has sha256", have);
		return -1;
	}
	return 0;
}

int
pc_starttls(struct pc_conn *c, const char *host, const struct pc_tls_opts *o)
{
	const char *name = (o != NULL && o->sni != NULL) ? o->sni : host;
	const char *pin = o != NULL ? o->pin_sha256 : NULL;
	/* A pin replaces chain and name checks (it is stronger than both). */
	bool verify = (o == NULL || o->verify) && pin == NULL;

	/* Plaintext that arrived before the handshake is never trusted. */
	c->in_start = c->in_len = 0;
	if (c->ssl != NULL) {
		pc_set_err(c, "TLS already active", NULL);
		return -1;
	}
	if (setup_ctx(c, o, verify) < 0)
		goto fail;
	c->ssl = SSL_new(c->ctx);
	if (c->ssl == NULL || !SSL_set_fd(c->ssl, c->fd)) {
		pc_ssl_err(c, "TLS setup");
		goto fail;
	}
	if (name != NULL && !is_ip_literal(name) &&
	    !SSL_set_tlsext_host_name(c->ssl, name)) {
		pc_ssl_err(c, "TLS server name");
		goto fail;
	}
	if (verify && name != NULL) {
		int ok = is_ip_literal(name) ? X509_VERIFY_PARAM_set1_ip_asc(
						   SSL_get0_param(c->ssl), name)
					     : SSL_set1_host(c->ssl, name);

		if (ok != 1) {
			pc_set_err(c, "TLS host name check setup", name);
			goto fail;
		}
	}
	if (handshake(c) < 0)
		goto fail;
	if (pin != NULL && check_pin(c, pin) < 0)
		goto fail;
	return 0;
fail:
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	c->ssl = NULL;
	if (c->ctx != NULL)
		SSL_CTX_free(c->ctx);
	c->ctx = NULL;
	return -1;
}

bool
pc_tls_active(const struct pc_conn *c)
{
	return c->ssl != NULL;
}

const char *
pc_tls_version(const struct pc_conn *c)
{
	return c->ssl != NULL ? SSL_get_version(c->ssl) : "none";
}

int
pc_peer_sha256(const struct pc_conn *c, char out[65])
{
	X509 *cert;
	int rc;

	if (c->ssl == NULL)
		return -1;
	cert = SSL_get1_peer_certificate(c->ssl);
	if (cert == NULL)
		return -1;
	rc = cert_sha256(cert, out);
	X509_free(cert);
	return rc;
}
