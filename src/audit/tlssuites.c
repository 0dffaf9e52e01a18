/* tlssuites.c: the TLS 1.0-1.2 cipher suites the raw ClientHellos offer,
 * with their categories (IANA code points; OpenSSL names where OpenSSL
 * has one). */
#include "audit/tlsraw.h"

#define N  AU_CS_NULL
#define AN AU_CS_ANON
#define EX AU_CS_EXPORT
#define RC AU_CS_RC4
#define DE AU_CS_DES
#define FS AU_CS_PFS
#define AE AU_CS_AEAD
#define CB AU_CS_CBC
#define T2 AU_CS_TLS12

const struct au_suite au_suites[] = {
	/* ECDHE, AEAD */
	{ 0xC02C, FS | AE | T2, "ECDHE-ECDSA-AES256-GCM-SHA384" },
	{ 0xC030, FS | AE | T2, "ECDHE-RSA-AES256-GCM-SHA384" },
	{ 0xC02B, FS | AE | T2, "ECDHE-ECDSA-AES128-GCM-SHA256" },
	{ 0xC02F, FS | AE | T2, "ECDHE-RSA-AES128-GCM-SHA256" },
	{ 0xCCA9, FS | AE | T2, "ECDHE-ECDSA-CHACHA20-POLY1305" },
	{ 0xCCA8, FS | AE | T2, "ECDHE-RSA-CHACHA20-POLY1305" },
	{ 0xC0AD, FS | AE | T2, "ECDHE-ECDSA-AES256-CCM" },
	{ 0xC0AC, FS | AE | T2, "ECDHE-ECDSA-AES128-CCM" },
	/* DHE, AEAD */
	{ 0x009F, FS | AE | T2, "DHE-RSA-AES256-GCM-SHA384" },
	{ 0x009E, FS | AE | T2, "DHE-RSA-AES128-GCM-SHA256" },
	{ 0xCCAA, FS | AE | T2, "DHE-RSA-CHACHA20-POLY1305" },
	{ 0x00A3, FS | AE | T2, "DHE-DSS-AES256-GCM-SHA384" },
	{ 0x00A2, FS | AE | T2, "DHE-DSS-AES128-GCM-SHA256" },
	{ 0xC09F, FS | AE | T2, "DHE-RSA-AES256-CCM" },
	{ 0xC09E, FS | AE | T2, "DHE-RSA-AES128-CCM" },
	/* ECDHE/DHE, CBC */
	{ 0xC024, FS | CB | T2, "ECDHE-ECDSA-AES256-SHA384" },
	{ 0xC028, FS | CB | T2, "ECDHE-RSA-AES256-SHA384" },
	{ 0xC023, FS | CB | T2, "ECDHE-ECDSA-AES128-SHA256" },
	{ 0xC027, FS | CB | T2, "ECDHE-RSA-AES128-SHA256" },
	{ 0xC00A, FS | CB, "ECDHE-ECDSA-AES256-SHA" },
	{ 0xC014, FS | CB, "ECDHE-RSA-AES256-SHA" },
	{ 0xC009, FS | CB, "ECDHE-ECDSA-AES128-SHA" },
	{ 0xC013, FS | CB, "ECDHE-RSA-AES128-SHA" },
	{ 0x006B, FS | CB | T2, "DHE-RSA-AES256-SHA256" },
	{ 0x0067, FS | CB | T2, "DHE-RSA-AES128-SHA256" },
	{ 0x006A, FS | CB | T2, "DHE-DSS-AES256-SHA256" },
	{ 0x0040, FS | CB | T2, "DHE-DSS-AES128-SHA256" },
	{ 0x0039, FS | CB, "DHE-RSA-AES256-SHA" },
	{ 0x0033, FS | CB, "DHE-RSA-AES128-SHA" },
	{ 0x0038, FS | CB, "DHE-DSS-AES256-SHA" },
	{ 0x0032, FS | CB, "DHE-DSS-AES128-SHA" },
	{ 0x0088, FS | CB, "DHE-RSA-CAMELLIA256-SHA" },
	{ 0x0045, FS | CB, "DHE-RSA-CAMELLIA128-SHA" },
	{ 0x009A, FS | CB, "DHE-RSA-SEED-SHA" },
	/* static RSA (no forward secrecy) */
	{ 0x009D, AE | T2, "AES256-GCM-SHA384" },
	{ 0x009C, AE | T2, "AES128-GCM-SHA256" },
	{ 0xC09D, AE | T2, "AES256-CCM" },
	{ 0xC09C, AE | T2, "AES128-CCM" },
	{ 0x003D, CB | T2, "AES256-SHA256" },
	{ 0x003C, CB | T2, "AES128-SHA256" },
	{ 0x0035, CB, "AES256-SHA" },
	{ 0x002F, CB, "AES128-SHA" },
	{ 0x0084, CB, "CAMELLIA256-SHA" },
	{ 0x0041, CB, "CAMELLIA128-SHA" },
	{ 0x0096, CB, "SEED-SHA" },
	/* static ECDH (no forward secrecy) */
	{ 0xC005, CB, "ECDH-ECDSA-AES256-SHA" },
	{ 0xC004, CB, "ECDH-ECDSA-AES128-SHA" },
	{ 0xC00F, CB, "ECDH-RSA-AES256-SHA" },
	{ 0xC00E, CB, "ECDH-RSA-AES128-SHA" },
	/* DES and 3DES */
	{ 0xC012, FS | DE | CB, "ECDHE-RSA-DES-CBC3-SHA" },
	{ 0xC008, FS | DE | CB, "ECDHE-ECDSA-DES-CBC3-SHA" },
	{ 0x0016, FS | DE | CB, "EDH-RSA-DES-CBC3-SHA" },
	{ 0x0013, FS | DE | CB, "EDH-DSS-DES-CBC3-SHA" },
	{ 0x000A, DE | CB, "DES-CBC3-SHA" },
	{ 0x0015, FS | DE | CB, "EDH-RSA-DES-CBC-SHA" },
	{ 0x0012, FS | DE | CB, "EDH-DSS-DES-CBC-SHA" },
	{ 0x0009, DE | CB, "DES-CBC-SHA" },
	/* RC4 */
	{ 0xC011, FS | RC, "ECDHE-RSA-RC4-SHA" },
	{ 0xC007, FS | RC, "ECDHE-ECDSA-RC4-SHA" },
	{ 0x0005, RC, "RC4-SHA" },
	{ 0x0004, RC, "RC4-MD5" },
	/* EXPORT */
	{ 0x0003, EX | RC, "EXP-RC4-MD5" },
	{ 0x0006, EX | CB, "EXP-RC2-CBC-MD5" },
	{ 0x0008, EX | DE | CB, "EXP-DES-CBC-SHA" },
	{ 0x0014, EX | FS | DE | CB, "EXP-EDH-RSA-DES-CBC-SHA" },
	{ 0x0011, EX | FS | DE | CB, "EXP-EDH-DSS-DES-CBC-SHA" },
	/* anonymous */
	{ 0x00A7, AN | AE | T2, "ADH-AES256-GCM-SHA384" },
	{ 0x00A6, AN | AE | T2, "ADH-AES128-GCM-SHA256" },
	{ 0x006D, AN | CB | T2, "ADH-AES256-SHA256" },
	{ 0x006C, AN | CB | T2, "ADH-AES128-SHA256" },
	{ 0x003A, AN | CB, "ADH-AES256-SHA" },
	{ 0x0034, AN | CB, "ADH-AES128-SHA" },
	{ 0x0089, AN | CB, "ADH-CAMELLIA256-SHA" },
	{ 0x0046, AN | CB, "ADH-CAMELLIA128-SHA" },
	{ 0xC019, AN | CB, "AECDH-AES256-SHA" },
	{ 0xC018, AN | CB, "AECDH-AES128-SHA" },
	{ 0x001B, AN | DE | CB, "ADH-DES-CBC3-SHA" },
	{ 0x001A, AN | DE | CB, "ADH-DES-CBC-SHA" },
	{ 0xC017, AN | DE | CB, "AECDH-DES-CBC3-SHA" },
	{ 0x0018, AN | RC, "ADH-RC4-MD5" },
	{ 0xC016, AN | RC, "AECDH-RC4-SHA" },
	{ 0x0017, AN | EX | RC, "EXP-ADH-RC4-MD5" },
	{ 0x0019, AN | EX | DE | CB, "EXP-ADH-DES-CBC-SHA" },
	/* NULL encryption */
	{ 0xC010, FS | N, "ECDHE-RSA-NULL-SHA" },
	{ 0xC006, FS | N, "ECDHE-ECDSA-NULL-SHA" },
	{ 0xC015, AN | N, "AECDH-NULL-SHA" },
	{ 0x003B, N | T2, "NULL-SHA256" },
	{ 0x0002, N, "NULL-SHA" },
	{ 0x0001, N, "NULL-MD5" },
};

const size_t au_nsuites = sizeof(au_suites) / sizeof(au_suites[0]);

const struct au_suite *
au_suite_find(uint16_t id)
{
	size_t i;

	for (i = 0; i < au_nsuites; i++)
		if (au_suites[i].id == id)
			return &au_suites[i];
	return NULL;
}
