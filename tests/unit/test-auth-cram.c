/* test-auth-cram.c: CRAM-MD5 exchanges of the credential process
 * (src/auth/sasl.c with GNU SASL's server), answered by an HMAC-MD5
 * computed with OpenSSL and by GNU SASL's own client, so the server is
 * checked against code postie did not write. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "auth/ipc.h"
#include "auth/passwd.h"
#include "auth/sasl.h"
#include "harness.h"
#include "lib/util.h"
#include "scram-client.h"

/* yescrypt of "hello" (libxcrypt, low cost). */
#define H_Y                                                                    \
	"$y$j75$3rLNL8ag1ssQXN6Bu66wY.$"                                       \
	"zqrmMUZtTQht3oZCtNhZnpuNXGgcGM56YNnDGC.B8W2"
#define DUMMY "postie-apop-dummy-secret" /* what authd.c answers for none */

/* The secrets file as the credential process reads it (authd.c's
 * apop_secret): alice and ghost have secrets, bob and unknown users
 * get the dummy. ghost has no entry in the users file. */
static unsigned lookups;

static bool
secret(const char *user, char *out, size_t cap)
{
	lookups++;
	if (strcmp(user, "alice") == 0)
		return str_copy(out, "tanstaaftanstaaf", cap) == 0;
	if (strcmp(user, "ghost") == 0)
		return str_copy(out, "ghost-secret", cap) == 0;
	(void)str_copy(out, DUMMY, cap);
	return false;
}

struct lab {
	struct pw_db *db;
	struct sasl_tab *t;
};

static void
lab_init(struct lab *l, bool cram)
{
	char path[600], err[512];
	FILE *fp;

	if (str_fmt(path, sizeof(path), "%s/users", t_tmpdir()) < 0 ||
	    (fp = fopen(path, "w")) == NULL)
		abort();
	fputs("alice:" H_Y "\nbob:" H_Y "\n", fp);
	fclose(fp);
	CHECK(pw_load(path, &l->db, err, sizeof(err)) == 0);
	CHECK((l->t = sasl_new()) != NULL);
	if (cram)
		sasl_set_cram(l->t, secret);
}

static void
lab_free(struct lab *l)
{
	sasl_free(&l->t);
	pw_free(&l->db);
}

static struct p3_span
sp(const char *s)
{
	struct p3_span x = {s, strlen(s)};

	return x;
}

/* base64("user SP hex(HMAC-MD5(key, challenge)))" (RFC 2195) for the
 * base64 challenge ch64, into out (static); "" if ch64 is bad. */
static const char *
answer(const char *ch64, const char *user, const char *key)
{
	static char out[512];
	uint8_t ch[256], md[EVP_MAX_MD_SIZE];
	char resp[256];
	unsigned mdlen = 0, i;
	size_t n = 0, ulen = strlen(user);

	out[0] = '\0';
	if (b64_decode(ch64, strlen(ch64), ch, sizeof(ch), &n) < 0 ||
	    HMAC(EVP_md5(), key, (int)strlen(key), ch, n, md, &mdlen) == NULL ||
	    mdlen != 16 || ulen + 34 > sizeof(resp))
		return out;
	memcpy(resp, user, ulen);
	resp[ulen] = ' ';
	for (i = 0; i < 16; i++) {
		resp[ulen + 1 + 2 * i] = "0123456789abcdef"[md[i] >> 4];
		resp[ulen + 2 + 2 * i] = "0123456789abcdef"[md[i] & 15];
	}
	(void)b64_encode((const uint8_t *)resp, ulen + 33, out);
	return out;
}

/* The challenge of a started exchange, decoded (static). */
static const char *
challenge_text(const char *ch64)
{
	static char b[256];
	size_t n = 0;

	if (b64_decode(ch64, strlen(ch64), (uint8_t *)b, sizeof(b) - 1, &n) < 0)
		n = 0;
	b[n] = '\0';
	return b;
}

/* Start, answer as user with key, step. Returns the final result; *o
 * keeps the last reply. */
static int
login(struct lab *l, const char *user, const char *key, struct sasl_out *o)
{
	char ch64[AUTH_SASL_B64_MAX + 1];

	sasl_start(l->t, l->db, sp("CRAM-MD5"), sp(""), sp(""), 1000, o);
	if (o->result != IPC_RES_CONT)
		return -1;
	(void)str_copy(ch64, o->data, sizeof(ch64));
	sasl_step(l->t, l->db, o->xid, sp(answer(ch64, user, key)), 2000, o);
	return o->result;
}

/* The test's HMAC-MD5 against RFC 2195's worked example. */
TEST(auth_cram_rfc2195_example)
{
	/* base64("<1896.697170952@postoffice.reston.mci.net>") */
	const char *ch = "PDE4OTYuNjk3MTcwOTUyQHBvc3RvZmZpY2UucmVzdG9uLm1jaS5"
			 "uZXQ+";
	uint8_t got[64];
	size_t n = 0;

	CHECK(b64_decode(answer(ch, "tim", "tanstaaftanstaaf"),
		  strlen(answer(ch, "tim", "tanstaaftanstaaf")), got,
		  sizeof(got), &n) == 0);
	CHECK_MEM(got, n, "tim b913a602c7eda7a495b4e6e7334d3890", 36);
}

/* Off unless the credential process turned it on. */
TEST(auth_cram_off_by_default)
{
	struct lab l;
	struct sasl_out o;

	lab_init(&l, false);
	sasl_start(l.t, l.db, sp("CRAM-MD5"), sp(""), sp(""), 1000, &o);
	CHECK(o.result == IPC_RES_FAIL && o.xid == 0);
	CHECK(sasl_count(l.t) == 0);
	lab_free(&l);
}

TEST(auth_cram_login)
{
	struct lab l;
	struct sasl_out o;
	const char *c;

	lab_init(&l, true);
	/* Server first: the challenge comes with an empty start. */
	sasl_start(l.t, l.db, sp("cram-md5"), sp(""), sp(""), 1000, &o);
	CHECK(o.result == IPC_RES_CONT && o.xid != 0 && o.user[0] == '\0');
	c = challenge_text(o.data);
	CHECK(c[0] == '<' && strstr(c, "@") != NULL && c[strlen(c) - 1] == '>');
	sasl_abort(l.t, o.xid);
	CHECK(sasl_count(l.t) == 0);

	lookups = 0;
	CHECK(login(&l, "alice", "tanstaaftanstaaf", &o) == IPC_RES_OK);
	CHECK_STR(o.user, "alice");
	CHECK(o.e != NULL && strcmp(o.e->user, "alice") == 0);
	/* No additional data with success: the login completes at once. */
	CHECK_STR(o.data, "");
	CHECK(lookups == 1);
	CHECK(sasl_count(l.t) == 0);
	lab_free(&l);
}

/* Wrong secret, unknown user, a user without a secret (even answering
 * with the dummy secret) and a secret without a user: the same FAIL, after
 * one lookup of the secrets file each. */
TEST(auth_cram_failures_alike)
{
	static const char *cases[][2] = {{"alice", "tanstaaftanstaafX"},
	    {"nobody", "tanstaaftanstaaf"}, {"nobody", DUMMY}, {"bob", DUMMY},
	    {"bob", "hello"}, {"ghost", "ghost-secret"}};
	struct lab l;
	struct sasl_out o;
	size_t i;

	lab_init(&l, true);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		lookups = 0;
		if (!CHECK(login(&l, cases[i][0], cases[i][1], &o) ==
			   IPC_RES_FAIL))
			printf(
			    "  accepted: %s / %s\n", cases[i][0], cases[i][1]);
		CHECK_STR(o.user, cases[i][0]);
		CHECK(o.e == NULL && o.data[0] == '\0' && lookups == 1);
	}
	CHECK(sasl_count(l.t) == 0);
	lab_free(&l);
}

/* Messages out of place end the exchange with FAIL, never a second
 * challenge (the server would not expect one after a step). */
TEST(auth_cram_malformed)
{
	struct lab l;
	struct sasl_out o;
	uint32_t xid;

	lab_init(&l, true);
	/* No initial response. */
	sasl_start(l.t, l.db, sp("CRAM-MD5"), sp(""), sp("YWxpY2U="), 0, &o);
	CHECK(o.result == IPC_RES_FAIL);
	/* An empty response would restart GNU SASL's exchange. */
	sasl_start(l.t, l.db, sp("CRAM-MD5"), sp(""), sp(""), 0, &o);
	CHECK(o.result == IPC_RES_CONT);
	xid = o.xid;
	sasl_step(l.t, l.db, xid, sp(""), 0, &o);
	CHECK(o.result == IPC_RES_FAIL);
	sasl_step(l.t, l.db, xid, sp(""), 0, &o);
	CHECK(o.result == IPC_RES_TEMP); /* gone */
	/* "alice" without a digest; a digest without a space; bad base64. */
	sasl_start(l.t, l.db, sp("CRAM-MD5"), sp(""), sp(""), 0, &o);
	sasl_step(l.t, l.db, o.xid, sp("YWxpY2U="), 0, &o);
	CHECK(o.result == IPC_RES_FAIL);
	sasl_start(l.t, l.db, sp("CRAM-MD5"), sp(""), sp(""), 0, &o);
	sasl_step(l.t, l.db, o.xid,
	    sp("YWxpY2VYYjkxM2E2MDJjN2VkYTdhNDk1YjRlNmU3MzM0ZDM4OTA="), 0, &o);
	CHECK(o.result == IPC_RES_FAIL);
	sasl_start(l.t, l.db, sp("CRAM-MD5"), sp(""), sp(""), 0, &o);
	sasl_step(l.t, l.db, o.xid, sp("!!!!"), 0, &o);
	CHECK(o.result == IPC_RES_FAIL);
	CHECK(sasl_count(l.t) == 0);
	lab_free(&l);
}

/* GNU SASL's CRAM-MD5 client logs in too. */
TEST(auth_cram_gsasl_client)
{
	struct lab l;
	struct scli c;
	struct sasl_out o;
	char *out = NULL;

	lab_init(&l, true);
	CHECK(scli_start(&c, "CRAM-MD5", "alice", "tanstaaftanstaaf", NULL,
		  NULL) == 0);
	sasl_start(l.t, l.db, sp("CRAM-MD5"), sp(""), sp(""), 0, &o);
	CHECK(o.result == IPC_RES_CONT);
	CHECK(scli_step(&c, o.data, &out) == GSASL_OK);
	sasl_step(l.t, l.db, o.xid, sp(out != NULL ? out : ""), 0, &o);
	gsasl_free(out);
	CHECK(o.result == IPC_RES_OK);
	scli_end(&c);
	lab_free(&l);
}
