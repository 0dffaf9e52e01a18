/* test-auth-verify.c: pw_hash, pw_verify (all three schemes, unknown users,
 * constant work, threads) and the password policy. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/passwd.h"
#include "harness.h"
#include "lib/limits.h"

#define PASS "vu7#Kq2!Lp9zRw"

/* Write users "u0".."u{n-1}" with the given hashes and load them. */
static struct pw_db *
load_users(char hashes[][512], int n)
{
	char path[600], err[1024] = "";
	struct pw_db *db = NULL;
	FILE *fp;
	int i;

	if (snprintf(path, sizeof(path), "%s/users", t_tmpdir()) < 0 ||
	    (fp = fopen(path, "w")) == NULL)
		return NULL;
	for (i = 0; i < n; i++)
		fprintf(fp, "u%d:%s\n", i, hashes[i]);
	fclose(fp);
	if (!CHECK(pw_load(path, &db, err, sizeof(err)) == 0))
		printf("  %s\n", err);
	return db;
}

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

TEST(auth_hash_schemes_verify)
{
	static const struct {
		const char *prefix, *name, *start;
		unsigned long cost;
	} t[] = {
	    {"$y$", "yescrypt", "$y$j75$", 1},
	    {"$2b$", "bcrypt", "$2b$04$", 4},
	    {"$6$", "sha512-crypt", "$6$rounds=1000$", 1000},
	};
	char h[3][512];
	struct pw_db *db;
	const struct pw_entry *e;
	char name[4];
	int i;

	for (i = 0; i < 3; i++) {
		CHECK(pw_hash_cost(PASS, t[i].prefix, t[i].cost, h[i],
			  sizeof(h[i])) == 0);
		CHECK(strncmp(h[i], t[i].start, strlen(t[i].start)) == 0);
		CHECK(pw_scheme_name(h[i]) != NULL &&
		      strcmp(pw_scheme_name(h[i]), t[i].name) == 0);
	}
	/* Fresh salts: the same password never hashes the same twice. */
	CHECK(pw_hash_cost(PASS, "$2b$", 4, h[2], sizeof(h[2])) == 0);
	CHECK(strcmp(h[1], h[2]) != 0);
	CHECK(pw_hash_cost(PASS, "$6$", 1000, h[2], sizeof(h[2])) == 0);
	if ((db = load_users(h, 3)) == NULL)
		return;
	for (i = 0; i < 3; i++) {
		name[0] = 'u';
		name[1] = (char)('0' + i);
		name[2] = '\0';
		e = NULL;
		CHECK(pw_verify(db, name, 2, PASS, strlen(PASS), &e) == 1);
		CHECK(e == pw_find(db, name, 2) && e != NULL);
		CHECK(pw_verify(db, name, 2, "vu7#Kq2!Lp9zRW", 14, &e) == 0);
		CHECK(e == NULL);
		CHECK(pw_verify(db, name, 2, PASS, strlen(PASS) - 1, &e) == 0);
		CHECK(pw_verify(db, name, 2, "", 0, &e) == 0);
	}
	CHECK(pw_verify(db, "u3", 2, PASS, strlen(PASS), &e) == 0);
	CHECK(e == NULL);
	CHECK(pw_verify(db, "u0x", 3, PASS, strlen(PASS), NULL) == 0);
	CHECK(pw_verify(db, "u0", 2, PASS "\0", strlen(PASS) + 1, NULL) == 0);
	pw_free(&db);
}

TEST(auth_hash_default_yescrypt)
{
	char h[512];

	CHECK(pw_hash(PASS, NULL, h, sizeof(h)) == 0);
	CHECK(strncmp(h, "$y$j9T$", 7) == 0); /* cost 5 */
	CHECK(pw_crypt_match(PASS, strlen(PASS), h) == 1);
	CHECK(pw_crypt_match("x" PASS, strlen(PASS) + 1, h) == 0);
	CHECK(pw_hash(PASS, "$2b$", h, sizeof(h)) == 0);
	CHECK(strncmp(h, "$2b$10$", 7) == 0);
	CHECK(pw_hash(PASS, "$6$", h, sizeof(h)) == 0);
	CHECK(strncmp(h, "$6$rounds=100000$", 17) == 0);
	CHECK(pw_crypt_match(PASS, strlen(PASS), h) == 1);
}

TEST(auth_hash_errors)
{
	char h[512], big[P3_PASS_MAX + 2];

	CHECK(pw_hash(PASS, "$1$", h, sizeof(h)) == -1);
	CHECK(pw_hash(PASS, "$5$", h, sizeof(h)) == -1);
	CHECK(pw_hash(PASS, "", h, sizeof(h)) == -1);
	CHECK(pw_hash_cost(PASS, "$2b$", 3, h, sizeof(h)) == -1);
	CHECK(pw_hash_cost(PASS, "$2b$", 32, h, sizeof(h)) == -1);
	CHECK(pw_hash_cost(PASS, "$y$", 12, h, sizeof(h)) == -1);
	CHECK(pw_hash_cost(PASS, "$6$", 999, h, sizeof(h)) == -1);
	CHECK(pw_hash_cost(PASS, "$2b$", 4, h, 20) == -1); /* too small */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(pw_hash_cost(big, "$2b$", 4, h, sizeof(h)) == -1);
	big[P3_PASS_MAX] = '\0';
	CHECK(pw_hash_cost(big, "$2b$", 4, h, sizeof(h)) == 0);
}

/* Unknown users cost as much as known ones: yescrypt at the default cost,
 * and an empty database falls back to a default-cost yescrypt dummy. */
TEST(auth_verify_constant_work)
{
	char h[1][512];
	struct pw_db *db, *empty;
	double t0, known = 0, unknown = 0, none = 0;
	int i, ok = 0, bad = 0;
	char path[600], err[256];
	FILE *fp;

	CHECK(pw_hash(PASS, NULL, h[0], sizeof(h[0])) == 0);
	if ((db = load_users(h, 1)) == NULL)
		return;
	CHECK(snprintf(path, sizeof(path), "%s/empty", t_tmpdir()) > 0);
	if ((fp = fopen(path, "w")) != NULL)
		fclose(fp);
	if (!CHECK(pw_load(path, &empty, err, sizeof(err)) == 0)) {
		pw_free(&db);
		return;
	}
	CHECK(pw_count(empty) == 0);
	for (i = 0; i < 6; i++) {
		t0 = now_ms();
		ok += pw_verify(db, "u0", 2, "wrong password", 14, NULL) == 0;
		known += now_ms() - t0;
		t0 = now_ms();
		bad +=
		    pw_verify(db, "nobody", 6, PASS, strlen(PASS), NULL) == 0;
		unknown += now_ms() - t0;
		t0 = now_ms();
		bad += pw_verify(empty, "u0", 2, PASS, strlen(PASS), NULL) == 0;
		none += now_ms() - t0;
	}
	printf("  verify x6: known user %.1f ms, unknown user %.1f ms, "
	       "empty db %.1f ms\n",
	    known, unknown, none);
	CHECK(ok == 6 && bad == 12);
	CHECK(unknown >= known * 0.5);
	CHECK(none >= known * 0.5);
	pw_free(&db);
	pw_free(&empty);
}

struct thr {
	const struct pw_db *db;
	int good;
};

static void *
verify_thread(void *arg)
{
	struct thr *t = arg;
	int i;

	for (i = 0; i < 8; i++) {
		t->good +=
		    pw_verify(t->db, "u0", 2, PASS, strlen(PASS), NULL) == 1;
		t->good +=
		    pw_verify(t->db, "u1", 2, PASS, strlen(PASS), NULL) == 0;
	}
	return NULL;
}

TEST(auth_verify_threads)
{
	char h[2][512];
	struct pw_db *db;
	struct thr t[4];
	pthread_t tid[4];
	int i;

	CHECK(pw_hash_cost(PASS, "$y$", 1, h[0], sizeof(h[0])) == 0);
	CHECK(pw_hash_cost("other password 1", "$2b$", 4, h[1], sizeof(h[1])) ==
	      0);
	if ((db = load_users(h, 2)) == NULL)
		return;
	for (i = 0; i < 4; i++) {
		t[i].db = db;
		t[i].good = 0;
		CHECK(pthread_create(&tid[i], NULL, verify_thread, &t[i]) == 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		CHECK(t[i].good == 16);
	}
	pw_free(&db);
}

TEST(auth_policy)
{
	static const char *const weak[][2] = {
	    {"alice", "password123"},
	    {"alice", "qwertyuiop"},
	    {"alice", "short7!Q"},
	    {"johnsmith", "johnsmith#Kq2!Lp9"},
	    {"alice", "aaaaaaaaaaaaaaaa"},
	};
	char why[256];
	size_t i;

	why[0] = '\0';
	CHECK(pw_policy_check("alice", PASS, why, sizeof(why)) == 0);
	CHECK(pw_policy_check(
		  "johnsmith", "Tr7$wq!Zmd3#pX", why, sizeof(why)) == 0);
	for (i = 0; i < sizeof(weak) / sizeof(weak[0]); i++) {
		why[0] = '\0';
		if (!CHECK(pw_policy_check(
			       weak[i][0], weak[i][1], why, sizeof(why)) == -1))
			printf("  accepted %s\n", weak[i][1]);
		CHECK(why[0] != '\0');
		printf("  %s: %s\n", weak[i][1], why);
	}
	CHECK(pw_policy_check("alice", "short7!Q", why, sizeof(why)) == -1);
	CHECK(strstr(why, "shorter than 10") != NULL);
}
