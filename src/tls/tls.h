/* tls.h: OpenSSL server contexts for postie serve.
 * TLS 1.2 minimum (RFC 8997), modern AEAD ciphers, no compression, no
 * renegotiation, no session tickets across restarts. */
#ifndef POSTIE_TLS_TLS_H
#define POSTIE_TLS_TLS_H

#include <stddef.h>
#include <openssl/ssl.h>

/* Build a server context from PEM certificate chain and key files. On error
 * returns NULL and writes a reason (with the OpenSSL error) into err. */
SSL_CTX *tls_server_ctx(const char *cert, const char *key, char *err,
    size_t errlen);
/* Describe the negotiated protocol of ssl ("TLSv1.3"), or "none". */
const char *tls_version_name(const SSL *ssl);
/* Append the queued OpenSSL errors to buf as text and clear the queue. */
void tls_errors(char *buf, size_t len);

#endif
