/* test-auth-scram.c: SCRAM keys in the users file (src/auth/pwscram.c,
 * passwd.c, pwfile.c) and the SCRAM exchanges of the credential process
 * (src/auth/sasl.c), driven by a GNU SASL client. */
#include <pthread.h>
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
/* RFC 7677 §3's example: user "user", password "pencil". */
#define RFC_SALT   "W22ZaJ0SNY7soEsUEjb6gQ=="
#define RFC_STORED "WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY="
#define RFC_SERVER "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="
#define RFC_SCRAM  "4096," RFC_SALT "," RFC_STORED "," RFC_SERVER

#define PW_ALICE "Alice-Pass-123"

static const char *
write_file(const char *text)
{
	static char path[600];
	FILE *fp;

	if (str_fmt(path, sizeof(path), "%s/users", t_tmpdir()) < 0 ||
	    (fp = fopen(path, "w")) == NULL)
		abort();
	fputs(text, fp);
	fclose(fp);
	return path;
}

static struct p3_span
sp(const char *s)
{
	struct p3_span x = {s, strlen(s)};

	return x;
}

TEST(auth_scram_parse)
{
	static const char *bad[] = {
	    "",
	    "4096",
	    "4096," RFC_SALT "," RFC_STORED,
	    "4095," RFC_SALT "," RFC_STORED "," RFC_SERVER,
	    "10000001," RFC_SALT "," RFC_STORED "," RFC_SERVER,
	    "x4096," RFC_SALT "," RFC_STORED "," RFC_SERVER,
	    "4096,AAAA," RFC_STORED "," RFC_SERVER, /* 3-byte salt */
	    "4096,W22ZaJ0SNY7soEsUEjb6gQ=," RFC_STORED "," RFC_SERVER,
	    "4096," RFC_SALT ",AAAA," RFC_SERVER,
	    "4096," RFC_SALT "," RFC_STORED "," RFC_SERVER ",x",
	    "4096," RFC_SALT "," RFC_STORED ",",
	    "4096,," RFC_STORED "," RFC_SERVER,
	};
	struct pw_scram k;
	const char *why;
	size_t i;

	CHECK(pw_scram_parse(RFC_SCRAM, strlen(RFC_SCRAM), &k, &why) == 0);
	CHECK(k.iter == 4096);
	CHECK_STR(k.salt, RFC_SALT);
	CHECK_STR(k.stored, RFC_STORED);
	CHECK_STR(k.server, RFC_SERVER);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		if (!CHECK(pw_scram_parse(bad[i], strlen(bad[i]), &k, &why) ==
			       -1 &&
			   why != NULL))
			printf("  accepted: %s\n", bad[i]);
	}
}

/* pw_scram_make against RFC 5802 §3 computed with OpenSSL directly. */
TEST(auth_scram_make)
{
	char v[AUTH_SCRAM_FIELD_MAX], v2[AUTH_SCRAM_FIELD_MAX], b[64];
	uint8_t salt[64], salted[32], ck[32], sk[32], st[32];
	unsigned mdlen = 0;
	struct pw_scram k;
	const char *why;
	size_t saltlen = 0;

	CHECK(pw_scram_make("pencil", 4096, v, sizeof(v)) == 0);
	CHECK(pw_scram_parse(v, strlen(v), &k, &why) == 0);
	CHECK(k.iter == 4096);
	CHECK(b64_decode(
		  k.salt, strlen(k.salt), salt, sizeof(salt), &saltlen) == 0 &&
	      saltlen == AUTH_SCRAM_SALT_LEN);
	CHECK(PKCS5_PBKDF2_HMAC("pencil", 6, salt, (int)saltlen, 4096,
		  EVP_sha256(), 32, salted) == 1);
	CHECK(HMAC(EVP_sha256(), salted, 32, (const uint8_t *)"Client Key", 10,
		  ck, &mdlen) != NULL);
	CHECK(HMAC(EVP_sha256(), salted, 32, (const uint8_t *)"Server Key", 10,
		  sk, &mdlen) != NULL);
	CHECK(EVP_Digest(ck, 32, st, &mdlen, EVP_sha256(), NULL) == 1);
	(void)b64_encode(st, 32, b);
	CHECK_STR(k.stored, b);
	(void)b64_encode(sk, 32, b);
	CHECK_STR(k.server, b);
	/* A fresh salt each time. */
	CHECK(pw_scram_make("pencil", 5000, v2, sizeof(v2)) == 0);
	CHECK(strncmp(v2, "5000,", 5) == 0 && strcmp(v + 5, v2 + 5) != 0);
	CHECK(pw_scram_make("pencil", 100, v2, sizeof(v2)) == -1);
	CHECK(pw_scram_make("pencil", 4096, v2, 20) == -1);
}

TEST(auth_scram_users_line)
{
	struct pw_entry e;
	const char *why;
	const char *l1 =
	    "alice:" H_Y ":::::: scram-sha-256=" RFC_SCRAM " mail=/m/%u";
	const char *l2 = "alice:" H_Y "::::::SCRAM-SHA-256=" RFC_SCRAM;

	CHECK(pw_parse_line(l1, strlen(l1), &e, &why) == 0);
	CHECK(e.scram != NULL && strcmp(e.scram, RFC_SCRAM) == 0);
	CHECK_STR(e.mail, "/m/%u");
	pw_entry_clear(&e);
	CHECK(e.scram == NULL && e.user == NULL);
	CHECK(pw_parse_line(l2, strlen(l2), &e, &why) == 0);
	CHECK(e.scram != NULL);
	pw_entry_clear(&e);
	l1 = "bob:" H_Y;
	CHECK(pw_parse_line(l1, strlen(l1), &e, &why) == 0);
	CHECK(e.scram == NULL);
	pw_entry_clear(&e);
	l1 = "alice:" H_Y "::::::scram-sha-256=" RFC_SCRAM
	     " scram-sha-256=" RFC_SCRAM;
	CHECK(pw_parse_line(l1, strlen(l1), &e, &why) == -1);
	CHECK(strstr(why, "duplicate") != NULL);
	l1 = "alice:" H_Y "::::::scram-sha-256=1000," RFC_SALT "," RFC_STORED
	     "," RFC_SERVER;
	CHECK(pw_parse_line(l1, strlen(l1), &e, &why) == -1);
	CHECK(strstr(why, "iteration") != NULL);
	l1 = "alice:" H_Y "::::::scram-sha-256";
	CHECK(pw_parse_line(l1, strlen(l1), &e, &why) == -1);
}

static char *
slurp(const char *path)
{
	static char buf[8192];
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (fp != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
	return buf;
}

TEST(auth_scram_file_edit)
{
	const char *path = write_file(
	    "# users\n"
	    "bob:{CRYPT}" H_Y ":1000:1000::/home/bob::userdb_mail=maildir:~/M"
	    "  quota_rule=*:storage=1G\n"
	    "carol:" H_Y "::::::scram-sha-256=" RFC_SCRAM " mail=/x/%u\n");
	char err[512];

	/* A new user gets the field after empty uid..shell fields. */
	CHECK(pw_file_edit_scram(path, "alice", H_Y, RFC_SCRAM, PW_EDIT_ADD,
		  err, sizeof(err)) == 0);
	/* Adding keys keeps every other field and token. */
	CHECK(pw_file_edit_scram(path, "bob", H_Y, RFC_SCRAM, PW_EDIT_REPLACE,
		  err, sizeof(err)) == 0);
	/* A password change without keys drops the old ones. */
	CHECK(pw_file_edit(
		  path, "carol", H_Y, PW_EDIT_REPLACE, err, sizeof(err)) == 0);
	CHECK_STR(slurp(path),
	    "# users\n"
	    "bob:{CRYPT}" H_Y ":1000:1000::/home/bob::userdb_mail=maildir:~/M"
	    " quota_rule=*:storage=1G scram-sha-256=" RFC_SCRAM "\n"
	    "carol:" H_Y "::::::mail=/x/%u\n"
	    "alice:" H_Y "::::::scram-sha-256=" RFC_SCRAM "\n");
	/* Replacing keys replaces, never duplicates. */
	CHECK(pw_file_edit_scram(path, "alice", H_Y, RFC_SCRAM, PW_EDIT_SET,
		  err, sizeof(err)) == 0);
	CHECK(strstr(slurp(path),
		  "alice:" H_Y "::::::scram-sha-256=" RFC_SCRAM "\n") != NULL);
	/* Garbage in the value is refused before anything is written. */
	CHECK(pw_file_edit_scram(path, "alice", H_Y, "4096,x\nroot:x",
		  PW_EDIT_SET, err, sizeof(err)) == -1);
	CHECK(pw_file_edit_scram(path, "alice", H_Y, "4096 mail=/etc",
		  PW_EDIT_SET, err, sizeof(err)) == -1);
}

/* ---- exchanges ------------------------------------------------------- */

struct lab {
	struct pw_db *db;
	struct sasl_tab *t;
};

static void
lab_init(struct lab *l, const char *extra)
{
	char users[4096], scram[AUTH_SCRAM_FIELD_MAX], err[512];

	if (pw_scram_make(PW_ALICE, 4096, scram, sizeof(scram)) != 0 ||
	    str_fmt(users, sizeof(users),
		"alice:" H_Y "::::::scram-sha-256=%s"
		"\nbob:" H_Y "\nuser:" H_Y "::::::scram-sha-256=" RFC_SCRAM
		"\n%s",
		scram, extra) < 0)
		abort();
	CHECK(pw_load(write_file(users), &l->db, err, sizeof(err)) == 0);
	CHECK((l->t = sasl_new()) != NULL);
}

static void
lab_free(struct lab *l)
{
	sasl_free(&l->t);
	pw_free(&l->db);
}

/* Run a whole exchange; returns the server's final result. *salt_r (if
 * not NULL) gets the salt of the server-first message. client_rc gets the
 * client's verdict on the server-final message. */
struct run {
	const char *mech, *user, *pass, *ccb, *scb, *authzid;
	int client_rc;
	char salt[128];
	char iter[16];
	char authid[P3_USER_MAX + 1];
	uint64_t now_step;
};

static void
first_fields(const char *sf64, struct run *r)
{
	uint8_t sf[1024];
	size_t n = 0;
	char *p, *q;

	r->salt[0] = r->iter[0] = '\0';
	if (b64_decode(sf64, strlen(sf64), sf, sizeof(sf) - 1, &n) < 0)
		return;
	sf[n] = '\0';
	if ((p = strstr((char *)sf, ",s=")) != NULL &&
	    (q = strchr(p + 3, ',')) != NULL &&
	    (size_t)(q - p - 3) < sizeof(r->salt)) {
		memcpy(r->salt, p + 3, (size_t)(q - p - 3));
		r->salt[q - p - 3] = '\0';
	}
	if ((p = strstr((char *)sf, ",i=")) != NULL)
		(void)str_copy(r->iter, p + 3, sizeof(r->iter));
}

static int
exchange(struct lab *l, struct run *r)
{
	struct scli c;
	struct sasl_out o;
	char *out = NULL;
	int rc, res;

	r->client_rc = -1;
	if (scli_start(&c, r->mech, r->user, r->pass, r->ccb, r->authzid) != 0)
		return -1;
	rc = scli_step(&c, NULL, &out);
	if (rc != GSASL_NEEDS_MORE) {
		gsasl_free(out);
		scli_end(&c);
		return -2;
	}
	sasl_start(l->t, l->db, sp(r->mech), sp(r->scb ? r->scb : ""), sp(out),
	    1000, &o);
	gsasl_free(out);
	out = NULL;
	(void)str_copy(r->authid, o.user, sizeof(r->authid));
	if (o.result != IPC_RES_CONT) {
		scli_end(&c);
		return o.result;
	}
	first_fields(o.data, r);
	rc = scli_step(&c, o.data, &out);
	if (rc != GSASL_NEEDS_MORE) {
		/* The client refused the server (cannot happen here). */
		gsasl_free(out);
		sasl_abort(l->t, o.xid);
		scli_end(&c);
		return -3;
	}
	sasl_step(
	    l->t, l->db, o.xid, sp(out), r->now_step ? r->now_step : 2000, &o);
	gsasl_free(out);
	out = NULL;
	res = o.result;
	if (res == IPC_RES_OK) {
		/* Mutual authentication: the client checks the server. */
		r->client_rc = scli_step(&c, o.data, &out);
		gsasl_free(out);
		CHECK(o.e != NULL && strcmp(o.e->user, r->user) == 0);
	}
	if (o.user[0] != '\0')
		(void)str_copy(r->authid, o.user, sizeof(r->authid));
	scli_end(&c);
	return res;
}

TEST(auth_sasl_scram_login)
{
	struct lab l;
	struct run r = {"SCRAM-SHA-256", "alice", PW_ALICE, NULL, NULL, NULL, 0,
	    "", "", "", 0};

	lab_init(&l, "");
	CHECK(exchange(&l, &r) == IPC_RES_OK);
	CHECK(r.client_rc == GSASL_OK);
	CHECK_STR(r.authid, "alice");
	CHECK_STR(r.iter, "4096");
	CHECK(sasl_count(l.t) == 0);
	/* RFC 7677's known user and password against its stored keys. */
	r.user = "user";
	r.pass = "pencil";
	CHECK(exchange(&l, &r) == IPC_RES_OK);
	CHECK(r.client_rc == GSASL_OK);
	CHECK_STR(r.salt, RFC_SALT);
	/* A wrong password fails at the proof, naming the user. */
	r.user = "alice";
	r.pass = "Alice-Pass-124";
	CHECK(exchange(&l, &r) == IPC_RES_FAIL);
	CHECK_STR(r.authid, "alice");
	CHECK(sasl_count(l.t) == 0);
	lab_free(&l);
}

/* Unknown users and users without keys: the same shape as a real user,
 * a stable salt per name, failure only at the proof. */
TEST(auth_sasl_scram_unknown_users)
{
	struct lab l;
	struct run r = {"SCRAM-SHA-256", "nobody", "whatever-pass", NULL, NULL,
	    NULL, 0, "", "", "", 0};
	char salt1[128], salt2[128];
	uint8_t bin[64];
	size_t n = 0;

	lab_init(&l, "");
	CHECK(exchange(&l, &r) == IPC_RES_FAIL);
	CHECK_STR(r.iter, "4096");
	CHECK(b64_decode(r.salt, strlen(r.salt), bin, sizeof(bin), &n) == 0 &&
	      n == AUTH_SCRAM_SALT_LEN);
	(void)str_copy(salt1, r.salt, sizeof(salt1));
	CHECK(exchange(&l, &r) == IPC_RES_FAIL);
	CHECK_STR(r.salt, salt1);
	r.user = "nobody2";
	CHECK(exchange(&l, &r) == IPC_RES_FAIL);
	CHECK(strcmp(r.salt, salt1) != 0);
	/* bob has a crypt hash but no SCRAM keys. */
	r.user = "bob";
	r.pass = "hello";
	CHECK(exchange(&l, &r) == IPC_RES_FAIL);
	CHECK_STR(r.authid, "bob");
	(void)str_copy(salt2, r.salt, sizeof(salt2));
	CHECK(exchange(&l, &r) == IPC_RES_FAIL);
	CHECK_STR(r.salt, salt2);
	/* Logging in for someone else (authzid) is not offered. */
	r.user = "alice";
	r.pass = PW_ALICE;
	r.authzid = "bob";
	CHECK(exchange(&l, &r) == IPC_RES_FAIL);
	r.authzid = "alice";
	CHECK(exchange(&l, &r) == IPC_RES_OK);
	CHECK(sasl_count(l.t) == 0);
	lab_free(&l);
}

#define CB_A "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="
#define CB_B "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh4="
/* "y,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL" */
#define Y_FIRST "eSwsbj1hbGljZSxyPWZ5a28rZDJsYmJGZ09OUnY5cWt4ZGF3TA=="

TEST(auth_sasl_scram_plus)
{
	struct lab l;
	struct run r = {"SCRAM-SHA-256-PLUS", "alice", PW_ALICE, CB_A, CB_A,
	    NULL, 0, "", "", "", 0};
	struct sasl_out o;

	lab_init(&l, "");
	CHECK(exchange(&l, &r) == IPC_RES_OK);
	CHECK(r.client_rc == GSASL_OK);
	/* Another channel (a man in the middle): refused. */
	r.scb = CB_B;
	CHECK(exchange(&l, &r) == IPC_RES_FAIL);
	/* -PLUS without channel binding data on the server. */
	r.scb = NULL;
	CHECK(exchange(&l, &r) == IPC_RES_FAIL);
	/* Malformed binding data from the server side: refused early. */
	r.scb = "AAAA";
	CHECK(exchange(&l, &r) == IPC_RES_FAIL);
	/* Plain SCRAM ("n") on a bound channel is fine. */
	r.mech = "SCRAM-SHA-256";
	r.ccb = NULL;
	r.scb = CB_A;
	CHECK(exchange(&l, &r) == IPC_RES_OK);
	CHECK(r.client_rc == GSASL_OK);
	/* A client that could bind ("y,,": GNU SASL's client does not send
	 * it, so by hand): fine when the server has no binding, a downgrade
	 * (-PLUS was stripped from the offer) when it has one. */
	sasl_start(l.t, l.db, sp("SCRAM-SHA-256"), sp(""), sp(Y_FIRST), 0, &o);
	CHECK(o.result == IPC_RES_CONT);
	sasl_abort(l.t, o.xid);
	sasl_start(
	    l.t, l.db, sp("SCRAM-SHA-256"), sp(CB_A), sp(Y_FIRST), 0, &o);
	CHECK(o.result == IPC_RES_FAIL);
	CHECK(sasl_count(l.t) == 0);
	lab_free(&l);
}

TEST(auth_sasl_scram_table)
{
	struct lab l;
	struct sasl_out o;
	static uint32_t xids[AUTH_SASL_MAX];
	const char *cf = "biwsbj1hbGljZSxyPWZ5a28rZDJsYmJGZ09OUnY5cWt4ZGF3TA==";
	unsigned i, ok = 0;

	lab_init(&l, "");
	/* Unknown mechanisms and garbage. */
	sasl_start(l.t, l.db, sp("SCRAM-SHA-1"), sp(""), sp(cf), 0, &o);
	CHECK(o.result == IPC_RES_FAIL);
	sasl_start(
	    l.t, l.db, sp("SCRAM-SHA-256"), sp(""), sp("bm9wZQ=="), 0, &o);
	CHECK(o.result == IPC_RES_FAIL);
	sasl_start(l.t, l.db, sp("SCRAM-SHA-256"), sp(""), sp(""), 0, &o);
	CHECK(o.result == IPC_RES_FAIL);
	CHECK(sasl_count(l.t) == 0);
	/* Bounded: the table fills up, then says "try again". */
	for (i = 0; i < AUTH_SASL_MAX; i++) {
		sasl_start(
		    l.t, l.db, sp("SCRAM-SHA-256"), sp(""), sp(cf), 1000, &o);
		ok += o.result == IPC_RES_CONT;
		xids[i] = o.xid;
	}
	CHECK(ok == AUTH_SASL_MAX);
	sasl_start(l.t, l.db, sp("SCRAM-SHA-256"), sp(""), sp(cf), 1000, &o);
	CHECK(o.result == IPC_RES_TEMP);
	/* Abort frees one; an unknown id is ignored. */
	sasl_abort(l.t, xids[7]);
	sasl_abort(l.t, xids[7]);
	sasl_abort(l.t, 12345);
	CHECK(sasl_count(l.t) == AUTH_SASL_MAX - 1);
	sasl_step(l.t, l.db, xids[7], sp("eA=="), 1000, &o);
	CHECK(o.result == IPC_RES_TEMP);
	sasl_start(l.t, l.db, sp("SCRAM-SHA-256"), sp(""), sp(cf), 1000, &o);
	CHECK(o.result == IPC_RES_CONT && o.xid != xids[7]);
	/* Idle ones expire (TTL 60 s by default). */
	sasl_start(l.t, l.db, sp("SCRAM-SHA-256"), sp(""), sp(cf), 62000, &o);
	CHECK(o.result == IPC_RES_CONT);
	CHECK(sasl_count(l.t) == 1);
	sasl_step(l.t, l.db, xids[3], sp("eA=="), 62000, &o);
	CHECK(o.result == IPC_RES_TEMP);
	sasl_set_ttl(l.t, 10);
	sasl_step(l.t, l.db, o.xid, sp("eA=="), 62100, &o);
	CHECK(o.result == IPC_RES_TEMP);
	CHECK(sasl_count(l.t) == 0);
	lab_free(&l);
}

/* The password changed between the challenge and the proof: the proof is
 * checked against the keys the salt belonged to, and then refused
 * because they are no longer the user's. */
TEST(auth_sasl_scram_reload)
{
	struct lab l, l2;
	struct scli c;
	struct sasl_out o;
	char *out = NULL;

	lab_init(&l, "");
	lab_init(&l2, "");
	CHECK(scli_start(&c, "SCRAM-SHA-256", "alice", PW_ALICE, NULL, NULL) ==
	      0);
	CHECK(scli_step(&c, NULL, &out) == GSASL_NEEDS_MORE);
	sasl_start(l.t, l.db, sp("SCRAM-SHA-256"), sp(""), sp(out), 0, &o);
	gsasl_free(out);
	CHECK(o.result == IPC_RES_CONT);
	CHECK(scli_step(&c, o.data, &out) == GSASL_NEEDS_MORE);
	sasl_step(l.t, l2.db, o.xid, sp(out), 0, &o);
	gsasl_free(out);
	CHECK(o.result == IPC_RES_FAIL);
	scli_end(&c);
	lab_free(&l2);
	lab_free(&l);
}

struct thr {
	struct lab *l;
	int ok;
};

static void *
logins(void *arg)
{
	struct thr *t = arg;
	struct run r = {"SCRAM-SHA-256", "alice", PW_ALICE, NULL, NULL, NULL, 0,
	    "", "", "", 0};
	int i;

	for (i = 0; i < 50; i++)
		t->ok +=
		    exchange(t->l, &r) == IPC_RES_OK && r.client_rc == GSASL_OK;
	return NULL;
}

/* Two threads share the table, as the credential process's workers do. */
TEST(auth_sasl_scram_threads)
{
	struct lab l;
	struct thr a = {&l, 0}, b = {&l, 0};
	pthread_t ta, tb;

	lab_init(&l, "");
	CHECK(pthread_create(&ta, NULL, logins, &a) == 0);
	CHECK(pthread_create(&tb, NULL, logins, &b) == 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	CHECK(a.ok == 50 && b.ok == 50);
	CHECK(sasl_count(l.t) == 0);
	lab_free(&l);
}
