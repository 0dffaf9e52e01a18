/* test-store-commit.c: md_msg_open (with concurrent renames), md_commit and
 * md_close in the Maildir store. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "md-uidl.h"
#include "store/maildir.h"

static const char *
pth(char *out, size_t cap, const char *a, const char *b, const char *c)
{
	int n = snprintf(out, cap, "%s%s%s%s%s", a, b ? "/" : "", b ? b : "",
	    c ? "/" : "", c ? c : "");

	if (n < 0 || (size_t)n >= cap)
		abort();
	return out;
}

static const char *
mkmd(char *out, size_t cap)
{
	char p[600];

	pth(out, cap, t_tmpdir(), "Maildir", NULL);
	if (mkdir(out, 0700) != 0 ||
	    mkdir(pth(p, sizeof(p), out, "tmp", NULL), 0700) != 0 ||
	    mkdir(pth(p, sizeof(p), out, "new", NULL), 0700) != 0 ||
	    mkdir(pth(p, sizeof(p), out, "cur", NULL), 0700) != 0)
		abort();
	return out;
}

static void
put(const char *md, const char *sub, const char *name, const char *s)
{
	char p[600];
	size_t len = strlen(s);
	int fd;

	fd = open(pth(p, sizeof(p), md, sub, name),
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, s, len) != (ssize_t)len || close(fd) != 0)
		abort();
}

static bool
present(const char *md, const char *sub, const char *name)
{
	char p[600];
	struct stat st;

	return lstat(pth(p, sizeof(p), md, sub, name), &st) == 0;
}

static void
move(const char *md, const char *sub1, const char *n1, const char *sub2,
    const char *n2)
{
	char a[600], b[600];

	if (rename(pth(a, sizeof(a), md, sub1, n1),
		pth(b, sizeof(b), md, sub2, n2)) != 0)
		abort();
}

static struct maildir *
open_ok(const char *path, bool mark_seen)
{
	struct md_opts o = {false, mark_seen, 'S'};
	struct maildir *md = NULL;
	enum md_err err = MD_OK;
	const char *why = NULL;

	if (!CHECK(md_open(path, &o, &md, &err, &why) == 0))
		printf("  md_open: %d %s\n", (int)err, why ? why : "?");
	return md;
}

/* Read message i through md_msg_open and compare with want. */
static void
check_content(struct maildir *md, uint32_t i, const char *want)
{
	char buf[256];
	ssize_t n;
	int fd;

	fd = md_msg_open(md, i);
	if (!CHECK(fd >= 0))
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (CHECK(n >= 0))
		CHECK_MEM(buf, (size_t)n, want, strlen(want));
}

TEST(store_commit_deletes_only_marked)
{
	char dir[600];
	struct maildir *md;
	uint32_t deleted = 99;

	mkmd(dir, sizeof(dir));
	put(dir, "new", "1.a", "A\n");
	put(dir, "cur", "2.b:2,S", "B\n");
	put(dir, "new", "3.c", "C\n");
	put(dir, "cur", "4.d:2,", "D\n");
	md = open_ok(dir, false);
	if (md == NULL || !CHECK(md->count == 4))
		return;
	md->msgs[1].deleted = true;
	md->msgs[2].deleted = true;
	CHECK(md_commit(md, &deleted) == 0);
	CHECK(deleted == 2);
	md_close(&md);
	CHECK(present(dir, "new", "1.a"));
	CHECK(!present(dir, "cur", "2.b:2,S"));
	CHECK(!present(dir, "new", "3.c"));
	CHECK(present(dir, "cur", "4.d:2,"));
	md = open_ok(dir, false);
	CHECK(md != NULL && md->count == 2);
	md_close(&md);
}

TEST(store_commit_marks_seen)
{
	char dir[600];
	struct maildir *md;
	uint32_t deleted = 99;

	mkmd(dir, sizeof(dir));
	put(dir, "new", "1.a,S=2,W=3", "A\n"); /* retrieved: moves to cur/ */
	put(dir, "new", "2.b", "B\n");         /* not retrieved: stays */
	put(dir, "cur", "3.c:2,RT", "C\n");    /* retrieved: gains S */
	put(dir, "cur", "4.d:2,FS", "D\n");    /* retrieved, already seen */
	put(dir, "new", "5.e", "E\n");         /* retrieved and deleted */
	put(dir, "new", "6.f:2,F", "F\n");     /* odd: info while in new/ */
	md = open_ok(dir, true);
	if (md == NULL || !CHECK(md->count == 6))
		return;
	md->msgs[0].retrieved = true;
	md->msgs[2].retrieved = true;
	md->msgs[3].retrieved = true;
	md->msgs[4].retrieved = md->msgs[4].deleted = true;
	md->msgs[5].retrieved = true;
	CHECK(md_commit(md, &deleted) == 0);
	CHECK(deleted == 1);
	CHECK_STR(md->msgs[0].name, "1.a,S=2,W=3:2,S");
	CHECK(!md->msgs[0].in_new);
	md_close(&md);
	CHECK(!present(dir, "new", "1.a,S=2,W=3"));
	CHECK(present(dir, "cur", "1.a,S=2,W=3:2,S"));
	CHECK(present(dir, "new", "2.b"));
	CHECK(!present(dir, "cur", "3.c:2,RT"));
	CHECK(present(dir, "cur", "3.c:2,RST"));
	CHECK(present(dir, "cur", "4.d:2,FS"));
	CHECK(!present(dir, "new", "5.e") && !present(dir, "cur", "5.e:2,S"));
	CHECK(present(dir, "cur", "6.f:2,FS"));
	/* Same UIDLs after the moves. */
	md = open_ok(dir, true);
	if (md == NULL || !CHECK(md->count == 5))
		return;
	CHECK_STR(uidl_at(md, 0), "1.a,S=2,W=3");
	CHECK_STR(uidl_at(md, 2), "3.c");
	check_content(md, 0, "A\n");
	md_close(&md);
}

TEST(store_commit_no_mark_seen_leaves_new)
{
	char dir[600];
	struct maildir *md;
	uint32_t deleted = 99;

	mkmd(dir, sizeof(dir));
	put(dir, "new", "1.a", "A\n");
	put(dir, "cur", "2.b:2,", "B\n");
	md = open_ok(dir, false);
	if (md == NULL)
		return;
	md->msgs[0].retrieved = true;
	md->msgs[1].retrieved = true;
	CHECK(md_commit(md, &deleted) == 0 && deleted == 0);
	md_close(&md);
	CHECK(present(dir, "new", "1.a"));
	CHECK(present(dir, "cur", "2.b:2,"));
}

TEST(store_close_without_commit_deletes_nothing)
{
	char dir[600];
	struct maildir *md;

	mkmd(dir, sizeof(dir));
	put(dir, "new", "1.a", "A\n");
	put(dir, "cur", "2.b:2,S", "B\n");
	md = open_ok(dir, true);
	if (md == NULL)
		return;
	md->msgs[0].deleted = md->msgs[1].deleted = true;
	md->msgs[0].retrieved = true;
	md_close(&md); /* a dropped connection */
	CHECK(present(dir, "new", "1.a"));
	CHECK(present(dir, "cur", "2.b:2,S"));
	md = open_ok(dir, true);
	CHECK(md != NULL && md->count == 2);
	md_close(&md);
}

TEST(store_msg_open_follows_rename)
{
	char dir[600], p[700];
	struct maildir *md;

	mkmd(dir, sizeof(dir));
	put(dir, "new", "1.a", "first\n");
	put(dir, "cur", "2.b:2,", "second\n");
	put(dir, "new", "3.c", "third\n");
	md = open_ok(dir, true);
	if (md == NULL)
		return;
	check_content(md, 0, "first\n");
	/* Another agent moves new/ -> cur/ and changes flags in cur/. */
	move(dir, "new", "1.a", "cur", "1.a:2,S");
	move(dir, "cur", "2.b:2,", "cur", "2.b:2,RS");
	check_content(md, 0, "first\n");
	CHECK_STR(md->msgs[0].name, "1.a:2,S");
	CHECK(!md->msgs[0].in_new);
	check_content(md, 1, "second\n");
	CHECK_STR(md->msgs[1].name, "2.b:2,RS");
	/* Gone for good. */
	CHECK(unlink(pth(p, sizeof(p), dir, "new", "3.c")) == 0);
	errno = 0;
	CHECK(md_msg_open(md, 2) == -1 && errno == ENOENT);
	errno = 0;
	CHECK(md_msg_open(md, 3) == -1 && errno == EINVAL);
	md_close(&md);
}

TEST(store_commit_after_concurrent_moves)
{
	char dir[600], p[700];
	struct maildir *md;
	uint32_t deleted = 99;

	mkmd(dir, sizeof(dir));
	put(dir, "new", "1.a", "A\n");
	put(dir, "new", "2.b", "B\n");
	put(dir, "new", "3.c", "C\n");
	md = open_ok(dir, true);
	if (md == NULL)
		return;
	md->msgs[0].deleted = true;
	md->msgs[1].retrieved = true;
	md->msgs[2].deleted = true;
	move(dir, "new", "1.a", "cur", "1.a:2,S");
	move(dir, "new", "2.b", "cur", "2.b:2,F");
	CHECK(unlink(pth(p, sizeof(p), dir, "new", "3.c")) == 0);
	CHECK(md_commit(md, &deleted) == 0);
	CHECK(deleted == 2); /* 3.c was already gone: counts as done */
	md_close(&md);
	CHECK(!present(dir, "cur", "1.a:2,S"));
	CHECK(!present(dir, "cur", "2.b:2,F"));
	CHECK(present(dir, "cur", "2.b:2,FS"));
}

TEST(store_commit_rename_does_not_clobber)
{
	char dir[600];
	struct maildir *md;
	uint32_t deleted = 99;
	char buf[64], p[700];
	ssize_t n;
	int fd;

	mkmd(dir, sizeof(dir));
	put(dir, "new", "1.a", "mine\n");
	md = open_ok(dir, true);
	if (md == NULL)
		return;
	md->msgs[0].retrieved = true;
	/* A different file already holds the target name. */
	put(dir, "cur", "1.a:2,S", "other\n");
	CHECK(md_commit(md, &deleted) == 1);
	md_close(&md);
	CHECK(present(dir, "new", "1.a"));
	fd = open(pth(p, sizeof(p), dir, "cur", "1.a:2,S"), O_RDONLY);
	if (!CHECK(fd >= 0))
		return;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	CHECK(n == 6 && memcmp(buf, "other\n", 6) == 0);
}
