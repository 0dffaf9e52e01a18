/* tlsraw.h: hand-built ClientHellos and ServerHello parsing (internal to
 * src/audit). They let the auditor ask for protocol versions and cipher
 * suites the local OpenSSL no longer implements (SSLv2, SSLv3, EXPORT,
 * RC4, DES): only the server's first answer is read, no handshake is
 * completed. */
#ifndef POSTIE_AUDIT_TLSRAW_H
#define POSTIE_AUDIT_TLSRAW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Cipher-suite categories. */
#define AU_CS_NULL   0x001 /* no encryption */
#define AU_CS_ANON   0x002 /* no authentication (ADH, AECDH) */
#define AU_CS_EXPORT 0x004
#define AU_CS_RC4    0x008
#define AU_CS_DES    0x010 /* single DES or 3DES */
#define AU_CS_PFS    0x020 /* ECDHE or DHE key exchange */
#define AU_CS_AEAD   0x040 /* GCM, CCM, ChaCha20-Poly1305 */
#define AU_CS_CBC    0x080
#define AU_CS_TLS12  0x100 /* needs TLS 1.2 (SHA-256/384 or AEAD) */
#define AU_CS_WEAK                                                             \
	(AU_CS_NULL | AU_CS_ANON | AU_CS_EXPORT | AU_CS_RC4 | AU_CS_DES)

struct au_suite {
	uint16_t id;
	unsigned cat;
	const char *name;
};

/* The suite table, and a look-up by ID (NULL if unknown). */
extern const struct au_suite au_suites[];
extern const size_t au_nsuites;
const struct au_suite *au_suite_find(uint16_t id);

/* Protocol version codes. */
#define AU_V_SSL3  0x0300
#define AU_V_TLS10 0x0301
#define AU_V_TLS11 0x0302
#define AU_V_TLS12 0x0303

/* Build a ClientHello record for version v offering suites[0..n) (plus the
 * renegotiation SCSV), with SNI when sni is non-NULL, and the heartbeat,
 * renegotiation_info, supported_groups, ec_point_formats and (TLS 1.2)
 * signature_algorithms extensions. Returns its length or -1. */
int au_hello_build(uint8_t *out, size_t cap, uint16_t v, const uint16_t *suites,
    size_t n, const char *sni);
/* An SSLv2 CLIENT-HELLO with the seven SSLv2 cipher kinds. Length. */
int au_hello_v2(uint8_t *out, size_t cap);

struct au_hello_res {
	int kind; /* 1 ServerHello, 2 alert, 3 SSLv2 SERVER-HELLO,
		   * 0 anything else */
	uint16_t version, suite;
	uint8_t alert; /* alert description */
	bool reneg_ext, heartbeat_ext;
};

/* Parse the server's first bytes p[0..len). Returns 1 when r is complete,
 * 0 if more bytes are needed, -1 if the bytes are not TLS at all. */
int au_hello_parse(const uint8_t *p, size_t len, struct au_hello_res *r);

#endif
