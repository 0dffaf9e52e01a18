/* pwscram.c: SCRAM-SHA-256 keys in the users file: checking a stored value
 * and deriving one from a password with GNU SASL. Only StoredKey and
 * ServerKey are kept (RFC 5802 §3), never the salted password. */
#include <string.h>

#include <gsasl.h>
#include <openssl/rand.h>

#include "auth/passwd.h"
#include "lib/limits.h"
#include "lib/num.h"
#include "lib/util.h"

/* Copy a canonical base64 field f[0..len) that decodes to min..max bytes
 * into out[0..cap). 0 or -1. */
static int
b64_field(
    const char *f, size_t len, size_t min, size_t max, char *out, size_t cap)
{
	uint8_t bin[AUTH_SCRAM_SALT_MAX];
	size_t n;

	if (len == 0 || len >= cap || max > sizeof(bin) ||
	    b64_decode(f, len, bin, max, &n) < 0 || n < min)
		return -1;
	memcpy(out, f, len);
	out[len] = '\0';
	return 0;
}

int
pw_scram_parse(
    const char *v, size_t len, struct pw_scram *k, const char **why_r)
{
	const char *f[4], *end = v + len, *c;
	size_t fl[4];
	uint64_t iter;
	int i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < 4; i++) {
		f[i] = v;
		c = i < 3 ? memchr(v, ',', (size_t)(end - v)) : NULL;
		if (i < 3 && c == NULL) {
			*why_r = "scram-sha-256 needs ITER,SALT,STOREDKEY,"
				 "SERVERKEY";
			return -1;
		}
		fl[i] = (size_t)((i < 3 ? c : end) - v);
		v = i < 3 ? c + 1 : end;
	}
	if (memchr(f[3], ',', fl[3]) != NULL) {
		*why_r = "scram-sha-256 has more than four fields";
		return -1;
	}
	if (num_parse_u64(f[0], fl[0], AUTH_SCRAM_ITER_MIN, AUTH_SCRAM_ITER_MAX,
		&iter) != 0) {
		*why_r = "scram-sha-256 iteration count must be 4096 to "
			 "10000000";
		return -1;
	}
	k->iter = (unsigned long)iter;
	if (b64_field(f[1], fl[1], AUTH_SCRAM_SALT_MIN, AUTH_SCRAM_SALT_MAX,
		k->salt, sizeof(k->salt)) != 0) {
		*why_r = "scram-sha-256 salt must be 8 to 64 bytes in base64";
		return -1;
	}
	if (b64_field(f[2], fl[2], PW_SCRAM_KEY_LEN, PW_SCRAM_KEY_LEN,
		k->stored, sizeof(k->stored)) != 0 ||
	    b64_field(f[3], fl[3], PW_SCRAM_KEY_LEN, PW_SCRAM_KEY_LEN,
		k->server, sizeof(k->server)) != 0) {
		*why_r = "scram-sha-256 keys must be 32 bytes in base64";
		return -1;
	}
	return 0;
}

int
pw_scram_make(const char *pass, unsigned long iter, char *out, size_t outlen)
{
	char salted[GSASL_HASH_MAX_SIZE], client[GSASL_HASH_MAX_SIZE];
	char server[GSASL_HASH_MAX_SIZE], stored[GSASL_HASH_MAX_SIZE];
	char salt64[PW_SCRAM_SALT_B64 + 1], stored64[PW_SCRAM_KEY_B64 + 1];
	char server64[PW_SCRAM_KEY_B64 + 1];
	uint8_t salt[AUTH_SCRAM_SALT_LEN];
	int rc = -1;

	if (iter < AUTH_SCRAM_ITER_MIN || iter > AUTH_SCRAM_ITER_MAX ||
	    RAND_bytes(salt, sizeof(salt)) != 1)
		return -1;
	if (gsasl_scram_secrets_from_password(GSASL_HASH_SHA256, pass,
		(unsigned)iter, (const char *)salt, sizeof(salt), salted,
		client, server, stored) == GSASL_OK) {
		(void)b64_encode(salt, sizeof(salt), salt64);
		(void)b64_encode(
		    (const uint8_t *)stored, PW_SCRAM_KEY_LEN, stored64);
		(void)b64_encode(
		    (const uint8_t *)server, PW_SCRAM_KEY_LEN, server64);
		if (str_fmt(out, outlen, "%lu,%s,%s,%s", iter, salt64, stored64,
			server64) > 0)
			rc = 0;
	}
	mem_wipe(salted, sizeof(salted));
	mem_wipe(client, sizeof(client));
	mem_wipe(server, sizeof(server));
	mem_wipe(stored, sizeof(stored));
	mem_wipe(server64, sizeof(server64));
	mem_wipe(stored64, sizeof(stored64));
	return rc;
}
