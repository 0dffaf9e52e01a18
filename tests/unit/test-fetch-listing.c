/* test-fetch-listing.c: UIDL/LIST listing validation (src/fetch/listing.c). */
#include <stdio.h>
#include <string.h>

#include "fetch/listing.h"
#include "harness.h"

static int
uidl(struct fl_listing *l, const char *s)
{
	return fl_uidl_line(l, s, strlen(s));
}

static int
list(struct fl_listing *l, const char *s)
{
	return fl_list_line(l, s, strlen(s));
}

TEST(fetch_listing_good)
{
	struct fl_listing l;

	CHECK(fl_init(&l, 3) == 0);
	CHECK(uidl(&l, "1 abc") == 0);
	CHECK(uidl(&l, "3 x~!") == 0);
	CHECK(uidl(&l, "2 Z") == 0);
	CHECK(fl_uidl_finish(&l) == 0);
	CHECK(list(&l, "1 100") == 0);
	CHECK(list(&l, "2 0") == 0);
	CHECK(list(&l, "3 5 extra info") == 0);
	CHECK_STR(l.e[0].uidl, "abc");
	CHECK_STR(l.e[2].uidl, "x~!");
	CHECK(l.e[0].size == 100 && l.e[2].size == 5 && l.e[1].listed);
	CHECK(l.nuidl == 3 && l.nlist == 3);
	fl_free(&l);
}

TEST(fetch_listing_rejects_bad_uidl)
{
	struct fl_listing l;
	char longid[100];

	CHECK(fl_init(&l, 5) == 0);
	CHECK(uidl(&l, "1 has space") < 0);
	CHECK(uidl(&l, "1 ") < 0);
	CHECK(uidl(&l, "1") < 0);
	CHECK(fl_uidl_line(&l, "1 a\x01", 4) < 0);
	CHECK(fl_uidl_line(&l, "1 a\x7f", 4) < 0);
	CHECK(fl_uidl_line(&l, "1 \xc3\xa9", 4) < 0);
	memset(longid, 'a', sizeof(longid));
	memcpy(longid, "1 ", 2);
	CHECK(fl_uidl_line(&l, longid, 2 + 70) == 0);
	CHECK(fl_uidl_line(&l, longid, 2 + 71) < 0); /* 71 octets */
	CHECK(strlen(l.err) > 0);
	fl_free(&l);
}

TEST(fetch_listing_rejects_numbers)
{
	struct fl_listing l;

	CHECK(fl_init(&l, 2) == 0);
	CHECK(uidl(&l, "0 a") < 0);
	CHECK(uidl(&l, "3 a") < 0);
	CHECK(uidl(&l, "-1 a") < 0);
	CHECK(uidl(&l, "+1 a") < 0);
	CHECK(uidl(&l, "4294967297 a") < 0);
	CHECK(uidl(&l, "1 a") == 0);
	CHECK(uidl(&l, "1 b") < 0); /* number twice */
	CHECK(list(&l, "1 12x") < 0);
	CHECK(list(&l, "1 -5") < 0);
	CHECK(list(&l, "1 99999999999999999999999") < 0);
	CHECK(list(&l, "2 7") == 0);
	CHECK(list(&l, "2 7") < 0);
	fl_free(&l);
}

TEST(fetch_listing_duplicate_uidl)
{
	struct fl_listing l;

	CHECK(fl_init(&l, 4) == 0);
	CHECK(uidl(&l, "1 same") == 0);
	CHECK(uidl(&l, "2 other") == 0);
	CHECK(uidl(&l, "4 same") == 0);
	CHECK(fl_uidl_finish(&l) < 0);
	CHECK(strstr(l.err, "same") != NULL);
	fl_free(&l);
}

TEST(fetch_listing_count_cap)
{
	struct fl_listing l;

	CHECK(fl_init(&l, FETCH_MSGS_MAX + 1) < 0);
	CHECK(fl_init(&l, 0) == 0);
	CHECK(uidl(&l, "1 a") < 0); /* nothing is in range */
	fl_free(&l);
}

TEST(fetch_listing_unstuff)
{
	const char *p;
	size_t n;

	p = ".";
	n = 1;
	CHECK(fl_unstuff(&p, &n) == 0);
	p = "..x";
	n = 3;
	CHECK(fl_unstuff(&p, &n) == 1 && n == 2 && p[0] == '.');
	p = "abc";
	n = 3;
	CHECK(fl_unstuff(&p, &n) == 1 && n == 3);
}
