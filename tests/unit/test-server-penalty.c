/* test-server-penalty.c: brute-force bookkeeping with a fake clock. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "server/penalty.h"

static const struct pen_conf conf = {100, 1600, 60000, 3600000, 1000};

static void
fp_of(uint8_t fp[PEN_FP_LEN], int n)
{
	memset(fp, 0, PEN_FP_LEN);
	fp[0] = (uint8_t)n;
	fp[1] = (uint8_t)(n >> 8);
}

TEST(penalty_source_exponential_and_capped)
{
	struct pen_tab *t = pen_new(&conf);
	uint8_t fp[PEN_FP_LEN];
	uint64_t now = 1000000, w;
	int i;

	CHECK(pen_schedule(t, "10.0.0.1", "alice", now) == 0);
	for (i = 1; i <= 8; i++) {
		fp_of(fp, i);
		CHECK(pen_result(t, "10.0.0.1", "alice", fp, false, now));
		w = pen_schedule(t, "10.0.0.1", "alice", now);
		/* 100, 200, 400, 800, 1600, then the cap */
		CHECK(w == (i <= 5 ? 100u << (i - 1) : 1600u));
		now += w;
	}
	CHECK(pen_failures(t, "10.0.0.1", now) == 8);
	pen_free(&t);
	CHECK(t == NULL);
}

TEST(penalty_parallel_attempts_queue)
{
	struct pen_tab *t = pen_new(&conf);
	uint8_t fp[PEN_FP_LEN];
	uint64_t now = 5000;

	fp_of(fp, 1);
	pen_result(t, "10.0.0.1", "alice", fp, false, now);
	/* Twenty connections at once: each waits one more delay. */
	CHECK(pen_schedule(t, "10.0.0.1", "alice", now) == 100);
	CHECK(pen_schedule(t, "10.0.0.1", "alice", now) == 200);
	CHECK(pen_schedule(t, "10.0.0.1", "bob", now) == 300);
	CHECK(pen_schedule(t, "10.0.0.1", "carol", now) == 400);
	pen_free(&t);
}

TEST(penalty_same_wrong_password_counts_once)
{
	struct pen_tab *t = pen_new(&conf);
	uint8_t fp[PEN_FP_LEN];
	int i;

	fp_of(fp, 7);
	CHECK(pen_result(t, "10.0.0.1", "alice", fp, false, 1000));
	for (i = 0; i < 10; i++)
		CHECK(!pen_result(t, "10.0.0.1", "alice", fp, false, 1000));
	CHECK(pen_failures(t, "10.0.0.1", 1000) == 1);
	fp_of(fp, 8);
	CHECK(pen_result(t, "10.0.0.1", "alice", fp, false, 1000));
	CHECK(pen_failures(t, "10.0.0.1", 1000) == 2);
	pen_free(&t);
}

TEST(penalty_known_source_not_locked_out)
{
	struct pen_tab *t = pen_new(&conf);
	uint8_t fp[PEN_FP_LEN];
	char src[32];
	int i;

	fp_of(fp, 1);
	/* The owner logs in from home once. */
	CHECK(!pen_result(t, "192.0.2.7", "alice", fp, true, 1000));
	/* An attack on alice from fifty other addresses. */
	for (i = 0; i < 50; i++) {
		(void)snprintf(src, sizeof(src), "198.51.100.%d", i);
		fp_of(fp, 100 + i);
		pen_result(t, src, "alice", fp, false, 2000);
	}
	/* A new address trying alice is slowed by the account delay... */
	CHECK(pen_schedule(t, "203.0.113.9", "alice", 2000) == 1600);
	/* ...but the owner's known address is not. */
	CHECK(pen_schedule(t, "192.0.2.7", "alice", 2000) == 0);
	/* Other accounts are not affected for a new address. */
	CHECK(pen_schedule(t, "203.0.113.10", "bob", 2000) == 0);
	pen_free(&t);
}

TEST(penalty_window_expires)
{
	struct pen_tab *t = pen_new(&conf);
	uint8_t fp[PEN_FP_LEN];

	fp_of(fp, 1);
	pen_result(t, "10.0.0.1", "alice", fp, false, 1000);
	CHECK(pen_schedule(t, "10.0.0.1", "alice", 1000) == 100);
	CHECK(pen_schedule(t, "10.0.0.1", "alice", 1000 + 60000 + 500) == 0);
	CHECK(pen_failures(t, "10.0.0.1", 1000 + 60000 + 500) == 0);
	pen_free(&t);
}

TEST(penalty_unknown_and_known_users_alike)
{
	struct pen_tab *t = pen_new(&conf);
	uint8_t fp[PEN_FP_LEN];

	/* The table never learns whether a user exists: the same calls give
	 * the same delays for any name. */
	fp_of(fp, 1);
	pen_result(t, "10.0.0.1", "alice", fp, false, 1000);
	pen_result(t, "10.0.0.2", "p3audit-nobody", fp, false, 1000);
	CHECK(pen_schedule(t, "10.0.0.3", "alice", 1000) ==
	      pen_schedule(t, "10.0.0.4", "p3audit-nobody", 1000));
	pen_free(&t);
}

TEST(penalty_ipv6_slash64)
{
	char a[64], b[64], c[64];

	pen_source_key("2001:db8:1:2:aaaa::1", a, sizeof(a));
	pen_source_key("2001:db8:1:2:bbbb::9", b, sizeof(b));
	pen_source_key("2001:db8:1:3::1", c, sizeof(c));
	CHECK_STR(a, b);
	CHECK(strcmp(a, c) != 0);
	pen_source_key("127.0.0.2", a, sizeof(a));
	CHECK_STR(a, "127.0.0.2");
}
