/* tls.h: OpenSSL server contexts for postie serve.
 * TLS 1.2 minimum (RFC 8997), modern AEAD ciphers, no compression, no
 * renegotiation, no session tickets across restarts. */
#ifndef POSTIE_TLS_TLS_H
#define POSTIE_TLS_TLS_H

#include <stddef.h>
#include <stdint.h>
#include <openssl/ssl.h>

#define TLS_PEM_MAX (256 * 1024) /* one certificate chain or key file */

/* Build a server context from PEM certificate chain and key files. On error
 * returns NULL and writes a reason (with the OpenSSL error) into err. */
SSL_CTX *tls_server_ctx(
    const char *cert, const char *key, char *err, size_t errlen);
/* As tls_server_ctx from PEM text in memory (a certificate chain and a
 * key), so an unprivileged process can reload what root read for it. */
SSL_CTX *tls_server_ctx_mem(const char *cert, size_t certlen, const char *key,
    size_t keylen, char *err, size_t errlen);
/* Read a PEM file of at most TLS_PEM_MAX bytes into a new buffer (caller
 * frees, wiping it). Returns its length or -1 with err. */
long tls_read_pem(const char *path, char **buf_r, char *err, size_t errlen);
/* Log (info) the OpenSSL error e of a server connection to peer, unless
 * it is only a client closing without close_notify (common and harmless
 * for a server: no command is taken from a line without its CRLF). */
void tls_log_conn_error(unsigned long e, const char *peer);
/* Describe the negotiated protocol of ssl ("TLSv1.3"), or "none". */
const char *tls_version_name(const SSL *ssl);
/* RFC 9266 tls-exporter channel binding of a finished TLS 1.3 connection:
 * len (32) bytes of keying material for "EXPORTER-Channel-Binding" with an
 * empty context. -1 before the handshake ends or for TLS 1.2 and older,
 * where the exporter does not bind the channel safely (no -PLUS then). */
int tls_channel_binding(SSL *ssl, uint8_t *out, size_t len);
/* Append the queued OpenSSL errors to buf as text and clear the queue. */
void tls_errors(char *buf, size_t len);

#endif
