/* test-store-mdname.c: Maildir name parsing, UIDL mapping, flag changes. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "store/maildir.h"

static const struct {
	const char *name;
	int rc;
	size_t base_len;
	int64_t s, w;
	bool has_info, seen;
} names[] = {
    {"1234.M1P2.host", 0, 14, -1, -1, false, false},
    {"1234.M1P2.host,S=100,W=103:2,S", 0, 26, 100, 103, true, true},
    {"1234.M1P2.host,S=100,W=103:2,", 0, 26, 100, 103, true, false},
    {"1234.host,W=5,S=7", 0, 17, 7, 5, false, false},
    {"1234.host,S=12x,W=5:2,", 0, 19, -1, 5, true, false},
    {"1234.host,W=,S=+5", 0, 17, -1, -1, false, false},
    {"1234.host,W= 5,S=-5", 0, 19, -1, -1, false, false},
    {"x,S=99999999999999999999", 0, 24, -1, -1, false, false},
    {"x,W=9223372036854775807", 0, 23, -1, INT64_MAX, false, false},
    {"x,W=9223372036854775808", 0, 23, -1, -1, false, false},
    {"x,S=1,S=2,W=3,W=4", 0, 17, 1, 3, false, false},
    {"x,s=5,w=6", 0, 9, -1, -1, false, false},
    {"x,SW=5", 0, 6, -1, -1, false, false},
    {"x:2,W=5", 0, 1, -1, -1, true, false}, /* fields only in the base */
    {"x:2,FRS", 0, 1, -1, -1, true, true},
    {"x:2,RT", 0, 1, -1, -1, true, false},
    {"x:1,S", 0, 1, -1, -1, false, false},
    {"x:2", 0, 1, -1, -1, false, false},
    {"x:", 0, 1, -1, -1, false, false},
    {"x::2,S", 0, 1, -1, -1, false, false},
    {"", -1, 0, -1, -1, false, false},
    {".hidden", -1, 0, -1, -1, false, false},
    {"..", -1, 0, -1, -1, false, false},
    {"a/b", -1, 0, -1, -1, false, false},
    {":2,S", -1, 0, -1, -1, false, false},
};

TEST(store_name_parse_table)
{
	struct md_name r;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		int rc =
		    md_name_parse(names[i].name, strlen(names[i].name), &r);

		if (!CHECK(rc == names[i].rc))
			printf("  name: %s\n", names[i].name);
		if (rc != 0)
			continue;
		if (!CHECK(r.base_len == names[i].base_len) ||
		    !CHECK(r.s_size == names[i].s) ||
		    !CHECK(r.w_size == names[i].w) ||
		    !CHECK(r.has_info == names[i].has_info) ||
		    !CHECK(r.seen == names[i].seen))
			printf("  name: %s\n", names[i].name);
	}
}

TEST(store_name_parse_limits)
{
	char long_name[STORE_NAME_MAX + 2];
	struct md_name r;

	CHECK(md_name_parse("a\0b", 3, &r) == -1);
	memset(long_name, 'n', sizeof(long_name));
	CHECK(md_name_parse(long_name, STORE_NAME_MAX, &r) == 0);
	CHECK(r.base_len == STORE_NAME_MAX);
	CHECK(md_name_parse(long_name, STORE_NAME_MAX + 1, &r) == -1);
	/* Not NUL-terminated input is read only up to len. */
	CHECK(md_name_parse("abc,W=12", 7, &r) == 0);
	CHECK(r.w_size == 1);
}

static void
uidl_of(const char *name, char out[P3_UIDL_MAX + 1])
{
	struct md_name r;

	if (!CHECK(md_name_parse(name, strlen(name), &r) == 0))
		r.base_len = strlen(name);
	md_uidl_from_base(name, r.base_len, out);
}

TEST(store_uidl_valid_base_is_itself)
{
	char u[P3_UIDL_MAX + 1], b70[71];

	uidl_of("1234.M1P2.host,S=10,W=12", u);
	CHECK_STR(u, "1234.M1P2.host,S=10,W=12");
	uidl_of("1234.M1P2.host,S=10,W=12:2,S", u);
	CHECK_STR(u, "1234.M1P2.host,S=10,W=12");
	memset(b70, 'y', 70);
	b70[70] = '\0';
	md_uidl_from_base(b70, 70, u);
	CHECK_STR(u, b70);
	md_uidl_from_base("!~", 2, u);
	CHECK_STR(u, "!~");
}

TEST(store_uidl_hashed)
{
	char u[P3_UIDL_MAX + 1], b71[72];
	size_t i;

	md_uidl_from_base("abc def", 7, u);
	CHECK_STR(u, "~010971ea0013a09d91df437de2cd6f66"
		     "df4dbdf78974926175d8421055ad1f62");
	memset(b71, 'x', 71);
	b71[71] = '\0';
	md_uidl_from_base(b71, 71, u);
	CHECK_STR(u, "~87a1e4c1c92b7b7a7c46433d780de6cc"
		     "19f9ef34fdb872c875fd6363ab238a56");
	md_uidl_from_base("caf\xc3\xa9.host", 10, u);
	CHECK_STR(u, "~e93b36970fb6236ea6b7a3cca75ac083"
		     "4a3da67653d0c82506ec9bbacf2412d7");
	md_uidl_from_base("a\x7f"
			  "b",
	    3, u);
	CHECK_STR(u, "~4ef992561c6efb5dd9dc8e156a4bf8d7"
		     "02ebceb36dbb86d7223c4438ad6db9fa");
	CHECK(strlen(u) == 65);
	for (i = 0; u[i] != '\0'; i++)
		CHECK(u[i] >= 0x21 && u[i] <= 0x7e);
	md_uidl_from_base("", 0, u); /* never from a valid name, still valid */
	CHECK(strlen(u) == 65 && u[0] == '~');
}

TEST(store_uidl_stable_across_rename)
{
	char a[P3_UIDL_MAX + 1], b[P3_UIDL_MAX + 1], c[P3_UIDL_MAX + 1];

	uidl_of("1700000000.M5P6.host name", a); /* hashed (space) */
	uidl_of("1700000000.M5P6.host name:2,", b);
	uidl_of("1700000000.M5P6.host name:2,RS", c);
	CHECK_STR(a, b);
	CHECK_STR(a, c);
	CHECK(a[0] == '~');
	uidl_of("1700000000.M5P6.other", a);
	uidl_of("1700000000.M5P6.other:2,S", b);
	CHECK_STR(a, b);
}

static const struct {
	const char *in;
	char flag;
	int rc;
	const char *out;
} flags[] = {
    {"x", 'S', 5, "x:2,S"},
    {"x,W=5", 'S', 9, "x,W=5:2,S"},
    {"x:2,", 'S', 5, "x:2,S"},
    {"x:2,RT", 'S', 7, "x:2,RST"},
    {"x:2,FR", 'S', 7, "x:2,FRS"},
    {"x:2,T", 'S', 6, "x:2,ST"},
    {"x:2,a", 'S', 6, "x:2,Sa"},
    {"x:2,S", 'S', 0, NULL},
    {"x:2,RS", 'S', 0, NULL},
    {"x:2,S", 'R', 6, "x:2,RS"},
    {"x:1,foo", 'S', 5, "x:2,S"},
    {".x", 'S', -1, NULL},
};

TEST(store_name_with_flag)
{
	char out[STORE_NAME_MAX + 1], name[STORE_NAME_MAX + 1];
	size_t i;
	int rc;

	for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
		rc = md_name_with_flag(flags[i].in, strlen(flags[i].in),
		    flags[i].flag, out, sizeof(out));
		if (!CHECK(rc == flags[i].rc))
			printf("  name: %s\n", flags[i].in);
		if (rc > 0 && flags[i].out != NULL) {
			CHECK_STR(out, flags[i].out);
			CHECK((size_t)rc == strlen(out));
		}
	}
	/* A 252-octet base has no room for ":2,S". */
	memset(name, 'b', 252);
	name[252] = '\0';
	CHECK(md_name_with_flag(name, 252, 'S', out, sizeof(out)) == -1);
	CHECK(md_name_with_flag(name, 251, 'S', out, sizeof(out)) == 255);
	CHECK(md_name_with_flag("x", 1, 'S', out, 5) == -1);
}

TEST(store_name_has_base)
{
	CHECK(md_name_has_base("abc", "abc", 3));
	CHECK(md_name_has_base("abc:2,S", "abc", 3));
	CHECK(!md_name_has_base("abcd:2,S", "abc", 3));
	CHECK(!md_name_has_base("ab", "abc", 3));
	CHECK(!md_name_has_base("abc,W=3", "abc", 3));
	CHECK(md_name_has_base("abc,W=3:2,", "abc,W=3:2,S", 7));
}
