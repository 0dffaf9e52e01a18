/* client.h: a blocking POP3 client connection, plain or TLS, with timeouts.
 * Shared by fetch, audit and bench. Every read is bounded by a deadline and
 * every line by a length cap. TLS uses OpenSSL with certificate and host name
 * verification unless the caller turns it off (audit inspects bad certs). */
#ifndef POSTIE_NET_CLIENT_H
#define POSTIE_NET_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

struct pc_tls_opts {
	const char *ca_file; /* extra trust anchor, or NULL: system store */
	const char
	    *pin_sha256;     /* hex SHA-256 of the leaf cert (DER), or NULL */
	bool verify;         /* verify chain and host name (default true) */
	int min_version;     /* TLS1_2_VERSION by default; 0 = library min */
	int max_version;     /* 0 = library max */
	const char *ciphers; /* TLS <= 1.2 cipher list, or NULL */
	const char *sni;     /* server name for SNI and checks, or NULL: host */
};

struct pc_conn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	int timeout_ms;    /* per read/write; default 30000 */
	uint8_t in[16384]; /* read buffer */
	size_t in_start, in_len;
	char err[256]; /* last error, human-readable */
	bool eof;
	uint64_t deadline_ms; /* time_mono_ms() bound on all I/O, or 0 */
};

/* Connect to host:port (IPv4/IPv6 literal or name), binding to source_ip if
 * non-NULL. Returns 0, or -1 with c->err set. */
int pc_connect(struct pc_conn *c, const char *host, uint16_t port,
    const char *source_ip, int timeout_ms);
/* Run a TLS handshake over the connection (implicit TLS, or after STLS).
 * Any bytes buffered before the handshake are discarded first. 0 or -1. */
int pc_starttls(
    struct pc_conn *c, const char *host, const struct pc_tls_opts *o);
/* Write all of p[0..len). 0 or -1. */
int pc_write(struct pc_conn *c, const void *p, size_t len);
/* Write a command line; CRLF is appended. 0 or -1. */
int pc_cmd(struct pc_conn *c, const char *line);
/* Read one line (CRLF or LF stripped) into line[0..cap); lines longer than
 * cap-1 are an error. Returns the length, or -1 (timeout, EOF, too long). */
int pc_readline(struct pc_conn *c, char *line, size_t cap);
/* Read up to cap raw bytes (buffered data first). Returns n > 0, 0 at EOF,
 * -1 on error or timeout. */
int pc_read(struct pc_conn *c, void *p, size_t cap);
/* Close the connection and free TLS state. */
void pc_close(struct pc_conn *c);
/* Bound all further I/O by an absolute time_mono_ms() deadline (0: none),
 * on top of the per-operation timeout: a whole-session timeout. */
void pc_set_deadline(struct pc_conn *c, uint64_t deadline_ms);
/* True if TLS is active on the connection. */
bool pc_tls_active(const struct pc_conn *c);
/* Negotiated protocol name ("TLSv1.3") or "none". */
const char *pc_tls_version(const struct pc_conn *c);
/* Hex SHA-256 (64 digits + NUL) of the peer's leaf certificate (DER), for
 * pinning. 0, or -1 if there is no TLS peer certificate. */
int pc_peer_sha256(const struct pc_conn *c, char out[65]);
/* Bytes already received and buffered but not yet consumed. */
size_t pc_buffered(const struct pc_conn *c);
/* Zero-copy body reading: make sure some bytes are buffered (reading only if
 * none are). Returns the count buffered (> 0), 0 at EOF, -1 on error. */
int pc_fill(struct pc_conn *c);
/* The pc_buffered() bytes not yet consumed. */
const uint8_t *pc_peek(const struct pc_conn *c);
/* Drop n <= pc_buffered() bytes from the front of the buffer. */
void pc_consume(struct pc_conn *c, size_t n);

/* ---- Internal to src/net/client*.c -------------------------------------- */

/* Set c->err to "what: detail" (detail may be NULL). */
void pc_set_err(struct pc_conn *c, const char *what, const char *detail);
/* Set c->err from the OpenSSL error queue (and clear it). */
void pc_ssl_err(struct pc_conn *c, const char *what);
/* Wait up to the timeout/deadline for fd events (POLLIN/POLLOUT); 0 or -1. */
int pc_wait_fd(struct pc_conn *c, short events);

#endif
