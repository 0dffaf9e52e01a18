/* pwhash.c: hashing new passwords (crypt_gensalt_rn + crypt_rn), checking a
 * password against a crypt string, and the password-quality policy.
 * Every crypt call gets its own heap struct crypt_data (about 32 KB), wiped
 * after use, so all of this is thread-safe. */
#include <crypt.h>
#include <pwquality.h>
#include <stdlib.h>
#include <string.h>

#include "auth/passwd.h"
#include "lib/limits.h"
#include "lib/util.h"

/* Default costs: yescrypt's own default (about 15 ms here); bcrypt and
 * SHA-512 raised from libxcrypt's 5 and 5000 to a comparable effort. */
#define YESCRYPT_COST_DEF 5
#define BCRYPT_COST_DEF   10
#define SHA512_ROUNDS_DEF 100000

struct scheme {
	const char *prefix;
	unsigned long def, min, max;
};

static const struct scheme schemes[] = {
    {"$y$", YESCRYPT_COST_DEF, 1, 11},
    {"$2b$", BCRYPT_COST_DEF, 4, 31},
    {"$6$", SHA512_ROUNDS_DEF, 1000, 999999999},
};

static struct crypt_data *
cd_new(void)
{
	return calloc(1, sizeof(struct crypt_data));
}

static void
cd_free(struct crypt_data *cd)
{
	if (cd == NULL)
		return;
	mem_wipe(cd, sizeof(*cd));
	free(cd);
}

int
pw_hash_cost(const char *pass, const char *prefix, unsigned long cost,
    char *out, size_t outlen)
{
	const struct scheme *s = NULL;
	struct crypt_data *cd;
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	const char *h;
	size_t i;
	int r = -1;

	if (prefix == NULL)
		prefix = "$y$";
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strcmp(prefix, schemes[i].prefix) == 0)
			s = &schemes[i];
	if (s == NULL || strnlen(pass, P3_PASS_MAX + 1) > P3_PASS_MAX)
		return -1;
	if (cost == 0)
		cost = s->def;
	if (cost < s->min || cost > s->max)
		return -1;
	/* NULL random bytes: libxcrypt draws the salt from the OS. */
	if (crypt_gensalt_rn(
		s->prefix, cost, NULL, 0, setting, sizeof(setting)) == NULL)
		return -1;
	if ((cd = cd_new()) == NULL)
		return -1;
	h = crypt_rn(pass, setting, cd, sizeof(*cd));
	if (h != NULL && h[0] != '*' && pw_scheme_name(h) != NULL &&
	    str_copy(out, h, outlen) == 0)
		r = 0;
	cd_free(cd);
	return r;
}

int
pw_hash(const char *pass, const char *prefix, char *out, size_t outlen)
{
	return pw_hash_cost(pass, prefix, 0, out, outlen);
}

int
pw_crypt_match(const char *pass, size_t plen, const char *hash)
{
	struct crypt_data *cd;
	char phrase[P3_PASS_MAX + 1];
	const char *out;
	size_t hlen = strlen(hash);
	int r = -1;

	/* Such a password cannot be stored, so it cannot match; refusing it
	 * early tells nothing about the user. */
	if (plen > P3_PASS_MAX || memchr(pass, '\0', plen) != NULL)
		return 0;
	if ((cd = cd_new()) == NULL)
		return -1;
	memcpy(phrase, pass, plen);
	phrase[plen] = '\0';
	out = crypt_rn(phrase, hash, cd, sizeof(*cd));
	if (out != NULL && out[0] != '*')
		r = strlen(out) == hlen && mem_equal_ct(out, hash, hlen);
	mem_wipe(phrase, sizeof(phrase));
	cd_free(cd);
	return r;
}

/* Copy a message; a truncated copy is still terminated and good enough. */
static void
set_why(char *why, size_t whylen, const char *msg)
{
	if (whylen > 0 && str_copy(why, msg, whylen) != 0)
		why[whylen - 1] = '\0';
}

int
pw_policy_check(const char *user, const char *pass, char *why, size_t whylen)
{
	pwquality_settings_t *pwq;
	char buf[PWQ_MAX_ERROR_MESSAGE_LEN];
	const char *msg;
	void *aux = NULL;
	size_t len = strnlen(pass, P3_PASS_MAX + 1);
	int rc;

	if (len < PW_PASS_MIN) {
		if (str_fmt(why, whylen,
			"The password is shorter than %d "
			"characters",
			PW_PASS_MIN) < 0)
			why[0] = '\0';
		return -1;
	}
	if (len > P3_PASS_MAX) {
		if (str_fmt(why, whylen,
			"The password is longer than %d "
			"bytes",
			P3_PASS_MAX) < 0)
			why[0] = '\0';
		return -1;
	}
	if ((pwq = pwquality_default_settings()) == NULL) {
		set_why(why, whylen, "libpwquality: out of memory");
		return -1;
	}
	/* No or unreadable /etc/security/pwquality.conf: built-in defaults
	 * (strerror also frees aux). */
	rc = pwquality_read_config(pwq, NULL, &aux);
	if (rc != 0)
		(void)pwquality_strerror(buf, sizeof(buf), rc, aux);
	aux = NULL;
	rc = pwquality_check(pwq, pass, NULL, user, &aux);
	pwquality_free_settings(pwq);
	if (rc >= 0)
		return 0;
	msg = pwquality_strerror(buf, sizeof(buf), rc, aux);
	set_why(why, whylen, msg != NULL ? msg : "rejected by libpwquality");
	mem_wipe(buf, sizeof(buf));
	return -1;
}
