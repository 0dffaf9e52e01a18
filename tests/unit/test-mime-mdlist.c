/* test-mime-mdlist.c: listing a Maildir for reading and setting flags by
 * renaming (src/mime/mdlist.c). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "mime/mime.h"

static void
put(const char *dir, const char *sub, const char *name, const char *body)
{
	char path[1024];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	f = fopen(path, "w");
	if (f != NULL) {
		fputs(body, f);
		fclose(f);
	}
}

static const char *
mkmaildir(void)
{
	const char *dir = t_tmpdir();
	char p[1024];

	snprintf(p, sizeof(p), "%s/new", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/cur", dir);
	mkdir(p, 0700);
	snprintf(p, sizeof(p), "%s/tmp", dir);
	mkdir(p, 0700);
	return dir;
}

static bool
exists(const char *dir, const char *sub, const char *name)
{
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, sub, name);
	return stat(path, &st) == 0;
}

TEST(mime_mdl_parse_name)
{
	char fl[27];

	CHECK(mdl_parse_name("123.abc:2,SRF", fl) == 7);
	CHECK_STR(fl, "FRS");
	CHECK(mdl_parse_name("123.abc", fl) == 7);
	CHECK_STR(fl, "");
	CHECK(mdl_parse_name("x:1,S", fl) == 1); /* experimental info */
	CHECK_STR(fl, "");
	CHECK(mdl_parse_name("x:2,abS", fl) == 1); /* keywords ignored */
	CHECK_STR(fl, "S");
	CHECK(mdl_parse_name("x:2,SS", fl) == 1);
	CHECK_STR(fl, "S");
}

TEST(mime_mdl_lists_sorted_with_flags)
{
	const char *dir = mkmaildir();
	struct mdl *l;
	const char *why;
	char path[1024];

	put(dir, "new", "300.c.host", "Subject: 3\n\nx\n");
	put(dir, "cur", "100.a.host:2,S", "Subject: 1\n\nx\n");
	put(dir, "new", "200.b.host", "Subject: 2\n\nxy\n");
	put(dir, "new", ".hidden", "x");
	put(dir, "tmp", "050.t.host", "x"); /* never listed */
	/* the same base in new/ and cur/ (a move in flight): cur/ wins */
	put(dir, "new", "400.d.host", "x");
	put(dir, "cur", "400.d.host:2,RS", "x");
	snprintf(path, sizeof(path), "%s/cur/sub", dir);
	mkdir(path, 0700);
	if (!CHECK(mdl_open(dir, &l, &why) == 0))
		return;
	if (CHECK(l->n == 4)) {
		CHECK_STR(l->v[0].name, "100.a.host:2,S");
		CHECK(!l->v[0].in_new && mdl_has_flag(l, 0, 'S'));
		CHECK_STR(l->v[1].name, "200.b.host");
		CHECK(l->v[1].in_new && !mdl_has_flag(l, 1, 'S'));
		CHECK(l->v[1].size == 15);
		CHECK_STR(l->v[2].name, "300.c.host");
		CHECK_STR(l->v[3].name, "400.d.host:2,RS");
		CHECK_STR(l->v[3].flags, "RS");
		CHECK(mdl_path(l, 1, path, sizeof(path)) == 0);
		CHECK(strstr(path, "/new/200.b.host") != NULL);
		CHECK(mdl_path(l, 9, path, sizeof(path)) < 0);
	}
	mdl_free(&l);
	CHECK(l == NULL);
}

TEST(mime_mdl_add_flag_moves_to_cur)
{
	const char *dir = mkmaildir();
	struct mdl *l;
	const char *why;

	put(dir, "new", "1.x.host", "a");
	put(dir, "cur", "2.y.host:2,Fa", "b");
	put(dir, "cur", "3.z.host:2,S", "c");
	if (!CHECK(mdl_open(dir, &l, &why) == 0))
		return;
	CHECK(mdl_add_flag(l, 0, 'S') == 0);
	CHECK(exists(dir, "cur", "1.x.host:2,S"));
	CHECK(!exists(dir, "new", "1.x.host"));
	CHECK(!l->v[0].in_new && mdl_has_flag(l, 0, 'S'));
	/* existing flags and keywords are kept, in ASCII order */
	CHECK(mdl_add_flag(l, 1, 'S') == 0);
	CHECK(exists(dir, "cur", "2.y.host:2,FSa"));
	/* already set: nothing to do */
	CHECK(mdl_add_flag(l, 2, 'S') == 0);
	CHECK(exists(dir, "cur", "3.z.host:2,S"));
	CHECK(mdl_add_flag(l, 0, 's') < 0);
	CHECK(mdl_add_flag(l, 7, 'S') < 0);
	mdl_free(&l);
	/* the numbering (by base name) is the same after marking */
	if (!CHECK(mdl_open(dir, &l, &why) == 0))
		return;
	CHECK(l->n == 3);
	CHECK_STR(l->v[0].name, "1.x.host:2,S");
	mdl_free(&l);
}

TEST(mime_mdl_add_flag_never_replaces)
{
	const char *dir = mkmaildir();
	struct mdl *l;
	const char *why;
	char path[1024];
	FILE *f;
	char got[8] = "";

	put(dir, "new", "1.x.host", "new one");
	if (!CHECK(mdl_open(dir, &l, &why) == 0))
		return;
	put(dir, "cur", "1.x.host:2,S", "other");
	CHECK(mdl_add_flag(l, 0, 'S') < 0);
	CHECK(errno == EEXIST);
	snprintf(path, sizeof(path), "%s/cur/1.x.host:2,S", dir);
	f = fopen(path, "r");
	if (CHECK(f != NULL)) {
		CHECK(fgets(got, sizeof(got), f) != NULL);
		fclose(f);
	}
	CHECK_STR(got, "other");
	CHECK(exists(dir, "new", "1.x.host"));
	mdl_free(&l);
}

TEST(mime_mdl_not_a_maildir)
{
	const char *dir = t_tmpdir();
	struct mdl *l = NULL;
	const char *why = NULL;
	char p[1024];

	CHECK(mdl_open(dir, &l, &why) < 0);
	CHECK(why != NULL && l == NULL);
	snprintf(p, sizeof(p), "%s/nope", dir);
	CHECK(mdl_open(p, &l, &why) < 0);
	/* only cur/ is enough */
	snprintf(p, sizeof(p), "%s/cur", dir);
	mkdir(p, 0700);
	CHECK(mdl_open(dir, &l, &why) == 0);
	CHECK(l != NULL && l->n == 0);
	mdl_free(&l);
}
