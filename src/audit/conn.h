/* conn.h: the auditor's own POP3 connection (internal to src/audit).
 * Unlike src/net/client.h it gives the low-level control probes need: raw
 * writes ("STLS\r\nCAPA\r\n" in one send), a TLS handshake with any protocol
 * version and cipher list and no verification, access to bytes buffered
 * before the handshake, and a redacted, timed transcript of every exchange.
 * Every connect passes the safety gate of the run (au_gate_connect). */
#ifndef POSTIE_AUDIT_CONN_H
#define POSTIE_AUDIT_CONN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ssl.h>

#include "lib/buf.h"

struct au_ctx;

#define AU_CONN_IN_MAX 16384

struct au_conn {
	int fd;
	SSL_CTX *ctx;
	SSL *ssl;
	int timeout_ms; /* per read */
	uint8_t in[AU_CONN_IN_MAX];
	size_t in_start, in_len;
	bool eof;        /* peer closed (or reset) */
	bool timed_out;  /* last read hit its deadline */
	struct buf *log; /* transcript sink, or NULL */
	uint64_t t0;     /* when the connection was opened */
	char err[200];   /* last error */
	char local[64];  /* local address (for loopback warnings) */
	char peer[64];
};

/* TLS parameters of one handshake. */
struct au_tlscfg {
	int min_version, max_version; /* 0 = library limit */
	const char *ciphers;          /* TLS <= 1.2 list, NULL = permissive */
	const char *suites;           /* TLS 1.3 list, NULL = default */
	const char *sni;              /* server name, NULL = none */
	bool allow_reneg;             /* keep renegotiation possible */
};

/* Open a TCP connection to port of the run's host through the safety gate
 * (caps, rate). src overrides the --source-ip address when non-NULL. Logs
 * "connect" to log. 0, or -1 with c->err set (-2 if the gate refused). */
int au_connect(struct au_ctx *x, struct au_conn *c, uint16_t port,
    const char *src, struct buf *log);
/* Handshake over the connection. Cleartext still buffered is discarded
 * (and noted in the transcript; check au_buffered first). 0, or -1 with
 * c->err set to the OpenSSL reason. */
int au_tls(struct au_conn *c, const struct au_tlscfg *cfg);
/* Client-initiated renegotiation (TLS <= 1.2): 1 completed, 0 refused or
 * ignored, -1 not possible (no TLS, TLS 1.3). */
int au_tls_reneg(struct au_conn *c);
/* Negotiated protocol and cipher names ("TLSv1.3", "TLS_AES_..."). */
void au_tls_info(
    const struct au_conn *c, char *ver, size_t vcap, char *cipher, size_t ccap);
/* Write bytes; the transcript shows them escaped, or "<redacted>" after the
 * first redact_from bytes when redact_from >= 0. 0 or -1. */
int au_send(struct au_conn *c, const void *p, size_t len, int redact_from);
/* Send "line\r\n". au_cmd_secret shows only the verb in the transcript. */
int au_cmd(struct au_conn *c, const char *line);
int au_cmd_secret(struct au_conn *c, const char *line);
/* Read one line (CRLF/LF stripped) into out[0..cap) with the per-read
 * timeout (or timeout_ms if > 0). Returns its length, -1 on error or
 * timeout (c->timed_out), -2 at EOF. Over-long lines are cut at cap-1. */
int au_line(struct au_conn *c, char *out, size_t cap, int timeout_ms);
/* Read a multi-line body after +OK until ".", appending lines to out
 * (joined with '\n', cut at outcap). Returns lines read, or -1. */
int au_body(struct au_conn *c, char *out, size_t outcap, int timeout_ms);
/* Read raw bytes (buffered first) into p[0..cap) within timeout_ms, not
 * logged. Returns n > 0, 0 at EOF, -1 on timeout or error. */
int au_read(struct au_conn *c, void *p, size_t cap, int timeout_ms);
/* True if bytes arrive (or EOF) within ms; consumes nothing. */
bool au_wait_readable(struct au_conn *c, int ms);
/* Bytes still buffered after the last line. */
size_t au_buffered(const struct au_conn *c);
/* Add a free-form note to the transcript ("# ..."). */
void au_note(struct au_conn *c, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Internal to conn*.c: set c->err; set it from the OpenSSL error queue;
 * wait up to ms for ev on the socket (0 ready, -1 timeout or error). */
void au_conn_err(struct au_conn *c, const char *what, const char *detail);
void au_conn_ssl_err(struct au_conn *c, const char *what);
int au_conn_wait(struct au_conn *c, short ev, int ms);
/* Close (no QUIT is sent) and free TLS state. Safe to call twice. */
void au_close(struct au_conn *c);

#endif
