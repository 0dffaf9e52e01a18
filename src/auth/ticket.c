/* ticket.c: HMAC-SHA-256 login tickets (see ticket.h). */
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "auth/ticket.h"
#include "lib/limits.h"
#include "lib/num.h"
#include "lib/util.h"

static uint8_t key[32];
static int have_key;
static uint64_t ttl_ms = 60000;

int
ticket_init(unsigned ttl_s)
{
	ttl_ms = (uint64_t)ttl_s * 1000;
	have_key = RAND_bytes(key, sizeof(key)) == 1;
	return have_key ? 0 : -1;
}

void
ticket_wipe(void)
{
	mem_wipe(key, sizeof(key));
	have_key = 0;
}

/* The MAC of (user, path, expiry) in hex into hex[65]. 0 or -1. */
static int
mac_hex(const char *user, const char *path, const char *expiry, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t msg[P3_USER_MAX + STORE_PATH_MAX + 64], md[EVP_MAX_MD_SIZE];
	size_t ul = strlen(user), pl = strlen(path), el = strlen(expiry), i;
	unsigned mdlen = 0;

	if (!have_key || ul > P3_USER_MAX || pl >= STORE_PATH_MAX || el > 20)
		return -1;
	/* Each part NUL-terminated: no two tuples give the same bytes. */
	memcpy(msg, user, ul + 1);
	memcpy(msg + ul + 1, path, pl + 1);
	memcpy(msg + ul + pl + 2, expiry, el + 1);
	if (HMAC(EVP_sha256(), key, sizeof(key), msg, ul + pl + el + 3, md,
		&mdlen) == NULL ||
	    mdlen != 32)
		return -1;
	for (i = 0; i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[64] = '\0';
	mem_wipe(md, sizeof(md));
	return 0;
}

int
ticket_make(const char *user, const char *path, uint64_t now_ms, char *out,
    size_t outlen)
{
	char expiry[24], hex[65];

	if (str_fmt(expiry, sizeof(expiry), "%llu",
		(unsigned long long)(now_ms + ttl_ms)) < 0 ||
	    mac_hex(user, path, expiry, hex) < 0 ||
	    str_fmt(out, outlen, "%s.%s", expiry, hex) < 0)
		return -1;
	return 0;
}

int
ticket_check(
    const char *ticket, const char *user, const char *path, uint64_t now_ms)
{
	const char *dot = strchr(ticket, '.');
	char expiry[24], hex[65];
	uint64_t exp;
	size_t el;

	if (dot == NULL || (el = (size_t)(dot - ticket)) == 0 || el > 20 ||
	    strlen(dot + 1) != 64)
		return -1;
	memcpy(expiry, ticket, el);
	expiry[el] = '\0';
	if (num_parse_u64(expiry, el, 0, UINT64_MAX, &exp) < 0 ||
	    now_ms > exp || mac_hex(user, path, expiry, hex) < 0)
		return -1;
	return mem_equal_ct(hex, dot + 1, 64) ? 0 : -1;
}
