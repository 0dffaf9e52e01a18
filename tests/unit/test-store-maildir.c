/* test-store-maildir.c: md_open: listing, sizes, the size cache, locking. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
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

/* A fresh Maildir (with tmp/, new/, cur/) in its own test directory. */
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
put(const char *md, const char *sub, const char *name, const void *data,
    size_t len)
{
	char p[600];
	int fd;

	fd = open(pth(p, sizeof(p), md, sub, name),
	    O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0 || write(fd, data, len) != (ssize_t)len || close(fd) != 0)
		abort();
}

static void
puts_md(const char *md, const char *sub, const char *name, const char *s)
{
	put(md, sub, name, s, strlen(s));
}

/* Read a whole small file into out (NUL-terminated); -1 if absent. */
static ssize_t
slurp(const char *md, const char *sub, const char *name, char *out, size_t cap)
{
	char p[600];
	ssize_t n;
	int fd;

	fd = open(pth(p, sizeof(p), md, sub, name), O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, out, cap - 1);
	close(fd);
	if (n >= 0)
		out[n] = '\0';
	return n;
}

static bool
present(const char *md, const char *sub, const char *name)
{
	char p[600];
	struct stat st;

	return lstat(pth(p, sizeof(p), md, sub, name), &st) == 0;
}

/* Octets as sent for LF-only text whose lines all end in LF. */
static uint64_t
crlf_size(const char *s)
{
	uint64_t n = strlen(s);

	for (; *s != '\0'; s++)
		n += *s == '\n';
	return n;
}

static struct maildir *
open_ok(const char *path, const struct md_opts *o)
{
	struct maildir *md = NULL;
	enum md_err err = MD_OK;
	const char *why = NULL;

	if (!CHECK(md_open(path, o, &md, &err, &why) == 0))
		printf("  md_open: %d %s\n", (int)err, why ? why : "?");
	return md;
}

static const char M1[] = "From: a@example.org\nSubject: one\n\nbody 1\n";
static const char M2[] = "Subject: two\n\n.dot line\nmore\n";
static const char M3[] = "Subject: three\n\nx\n";

TEST(store_open_lists_sorted)
{
	char dir[600], p[700];
	struct maildir *md;

	mkmd(dir, sizeof(dir));
	puts_md(dir, "cur", "1001.M1P1.h:2,S", M1);
	puts_md(dir, "new", "1002.M1P1.h", M2);
	puts_md(dir, "cur", "1003.M1P1.h,W=42:2,", M3);
	puts_md(dir, "tmp", "1000.M1P1.h", M1);     /* tmp/ is not mail */
	puts_md(dir, "new", ".1004.hidden", M1);    /* dot file */
	puts_md(dir, "cur", "1005.M1P1.h:2,S", ""); /* empty message */
	if (mkdir(pth(p, sizeof(p), dir, "cur", "1006.dir"), 0700) != 0 ||
	    symlink(
		"1002.M1P1.h", pth(p, sizeof(p), dir, "new", "1007.link")) != 0)
		abort();
	md = open_ok(dir, NULL);
	if (md == NULL)
		return;
	CHECK(md->count == 4);
	if (md->count == 4) {
		CHECK_STR(md->msgs[0].name, "1001.M1P1.h:2,S");
		CHECK(!md->msgs[0].in_new);
		CHECK_STR(uidl_at(md, 0), "1001.M1P1.h");
		CHECK(md->msgs[0].size == crlf_size(M1));
		CHECK_STR(md->msgs[1].name, "1002.M1P1.h");
		CHECK(md->msgs[1].in_new);
		CHECK(md->msgs[1].size == crlf_size(M2));
		CHECK_STR(uidl_at(md, 2), "1003.M1P1.h,W=42");
		CHECK(md->msgs[2].size == 42); /* W= wins over the content */
		CHECK(md->msgs[3].size == 0);
		CHECK(!md->msgs[0].deleted && !md->msgs[0].retrieved);
	}
	CHECK(md->total_size == crlf_size(M1) + crlf_size(M2) + 42);
	CHECK(md->sizes_computed == 3);
	md_close(&md);
	CHECK(md == NULL);
	md_close(&md); /* NULL is fine */
}

TEST(store_open_empty_and_errors)
{
	char dir[600], p[700];
	struct maildir *md = NULL;
	enum md_err err = MD_OK;
	const char *why = NULL;
	struct md_opts o = {false, true, '1'};

	mkmd(dir, sizeof(dir));
	md = open_ok(dir, NULL);
	CHECK(md != NULL && md->count == 0 && md->total_size == 0);
	md_close(&md);

	CHECK(md_open(pth(p, sizeof(p), dir, "nope", NULL), NULL, &md, &err,
		  &why) == -1);
	CHECK(md == NULL && err == MD_ERR_PERM && why != NULL &&
	      strstr(why, "does not exist") != NULL);
	CHECK(md_open("", NULL, &md, &err, &why) == -1 && err == MD_ERR_PERM);
	CHECK(md_open(dir, &o, &md, &err, &why) == -1 && err == MD_ERR_PERM);
	CHECK(rmdir(pth(p, sizeof(p), dir, "cur", NULL)) == 0);
	err = MD_OK;
	CHECK(md_open(dir, NULL, &md, &err, &why) == -1);
	CHECK(err == MD_ERR_PERM && strstr(why, "cur/") != NULL);
	CHECK(md == NULL);
	/* A plain file instead of a Maildir. */
	puts_md(dir, NULL, "file", "x");
	CHECK(md_open(pth(p, sizeof(p), dir, "file", NULL), NULL, &md, &err,
		  &why) == -1 &&
	      err == MD_ERR_PERM);
}

TEST(store_lock_in_use_same_process)
{
	char dir[600], p[700];
	struct maildir *a, *b = NULL;
	enum md_err err = MD_OK;
	const char *why = NULL;
	struct stat st;

	mkmd(dir, sizeof(dir));
	puts_md(dir, "new", "1.a", M1);
	a = open_ok(dir, NULL);
	CHECK(md_open(dir, NULL, &b, &err, &why) == -1);
	CHECK(err == MD_ERR_INUSE && b == NULL);
	CHECK(stat(pth(p, sizeof(p), dir, MD_LOCK_FILE, NULL), &st) == 0 &&
	      (st.st_mode & 0777) == 0600);
	md_close(&a);
	b = open_ok(dir, NULL);
	CHECK(b != NULL && b->count == 1);
	md_close(&b);
}

/* flock is per open file description: another process is kept out too. */
TEST(store_lock_in_use_other_process)
{
	char dir[600];
	struct maildir *a;
	int status = -1;
	pid_t pid;

	mkmd(dir, sizeof(dir));
	a = open_ok(dir, NULL);
	if (a == NULL)
		return;
	pid = fork();
	if (pid == 0) {
		struct maildir *b = NULL;
		enum md_err err = MD_OK;
		const char *why = NULL;

		if (md_open(dir, NULL, &b, &err, &why) == 0)
			_exit(10);
		_exit(err == MD_ERR_INUSE ? 0 : 11);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	md_close(&a);
}

TEST(store_sizes_from_cache_not_bodies)
{
	char dir[600], buf[256], from[700], to[700];
	struct maildir *md;

	mkmd(dir, sizeof(dir));
	puts_md(dir, "new", "2001.a", M1);
	puts_md(dir, "cur", "2002.b:2,S", M2);
	puts_md(dir, "cur", "2003.c,W=7:2,S", M3);
	md = open_ok(dir, NULL);
	CHECK(md != NULL && md->sizes_computed == 2);
	md_close(&md);
	/* Only messages without W= are cached. */
	CHECK(slurp(dir, MD_SIZE_CACHE, NULL, buf, sizeof(buf)) > 0);
	CHECK(strstr(buf, "2001.a ") == buf);
	CHECK(strstr(buf, "2002.b ") != NULL && strstr(buf, "2003.c") == NULL);
	CHECK(!present(dir, MD_SIZE_CACHE_NONUL, NULL));

	/* New content, same names: a warm open must report the old sizes. */
	puts_md(dir, "new", "2001.a", "short\n");
	puts_md(dir, "cur", "2002.b:2,S", "");
	md = open_ok(dir, NULL);
	if (md == NULL)
		return;
	CHECK(md->sizes_computed == 0);
	CHECK(md->count == 3);
	CHECK(md->msgs[0].size == crlf_size(M1));
	CHECK(md->msgs[1].size == crlf_size(M2));
	CHECK(md->msgs[2].size == 7);
	md_close(&md);
	/* A flag change (new/ -> cur/) keeps the cached size: same base. */
	if (rename(pth(from, sizeof(from), dir, "new", "2001.a"),
		pth(to, sizeof(to), dir, "cur", "2001.a:2,S")) != 0)
		abort();
	md = open_ok(dir, NULL);
	CHECK(md != NULL && md->sizes_computed == 0 &&
	      md->msgs[0].size == crlf_size(M1));
	md_close(&md);
}

TEST(store_cache_corrupt_lines_pruned_atomic)
{
	char dir[600], buf[4096], line[600];
	struct maildir *md;
	struct stat st;
	ino_t ino;
	char *p;

	mkmd(dir, sizeof(dir));
	puts_md(dir, "new", "3001.a", M1);
	puts_md(dir, "new", "3002.b", M2);
	puts_md(dir, "new", "3003.c", M3);
	memset(line, 'z', 400);
	line[400] = '\0';
	p = buf;
	p += snprintf(p, 200, "3001.a 1000\n");     /* used: differs from M1 */
	p += snprintf(p, 200, "3002.b 12a\n");      /* bad number */
	p += snprintf(p, 200, "3003.c\n");          /* no size */
	p += snprintf(p, 200, "3009.gone 17\n");    /* no such message */
	p += snprintf(p, 200, ".x 5\n3002.b  9\n"); /* bad base, two spaces */
	p += snprintf(p, 600, "%s 1\n", line);      /* over-long line */
	p += snprintf(p, 200, "3003.c:2,S 5\n");    /* info in the base */
	p += snprintf(p, 200, "3002.b -1\n3002.b 18446744073709551615\n");
	p += snprintf(p, 200, "3002.b 1\n"); /* valid at last */
	put(dir, MD_SIZE_CACHE, NULL, buf, (size_t)(p - buf));
	puts_md(dir, NULL, MD_SIZE_CACHE ".tmp.1", "stale tmp of a dead pid");
	if (stat(pth(line, sizeof(line), dir, MD_SIZE_CACHE, NULL), &st) != 0)
		abort();
	ino = st.st_ino;
	md = open_ok(dir, NULL);
	if (md == NULL)
		return;
	CHECK(md->count == 3);
	CHECK(md->msgs[0].size == 1000);
	CHECK(md->msgs[1].size == 1);
	CHECK(md->msgs[2].size == crlf_size(M3));
	CHECK(md->sizes_computed == 1);
	CHECK(md->total_size == 1001 + crlf_size(M3));
	md_close(&md);
	/* Rewritten with exactly the live entries, no temporary left. */
	CHECK(slurp(dir, MD_SIZE_CACHE, NULL, buf, sizeof(buf)) > 0);
	snprintf(line, sizeof(line), "3001.a 1000\n3002.b 1\n3003.c %u\n",
	    (unsigned)crlf_size(M3));
	CHECK_STR(buf, line);
	snprintf(line, sizeof(line), "%s.tmp.%d", MD_SIZE_CACHE, (int)getpid());
	CHECK(!present(dir, line, NULL));
	/* Replaced by rename (a new inode), not rewritten in place. */
	CHECK(
	    stat(pth(line, sizeof(line), dir, MD_SIZE_CACHE, NULL), &st) == 0);
	CHECK(st.st_ino != ino && (st.st_mode & 0777) == 0600);
}

TEST(store_cache_pruned_after_delete)
{
	char dir[600], buf[512], p[700];
	struct maildir *md;

	mkmd(dir, sizeof(dir));
	puts_md(dir, "new", "4001.a", M1);
	puts_md(dir, "new", "4002.b", M2);
	md = open_ok(dir, NULL);
	md_close(&md);
	CHECK(unlink(pth(p, sizeof(p), dir, "new", "4001.a")) == 0);
	md = open_ok(dir, NULL);
	CHECK(md != NULL && md->count == 1 && md->sizes_computed == 0);
	md_close(&md);
	CHECK(slurp(dir, MD_SIZE_CACHE, NULL, buf, sizeof(buf)) > 0);
	snprintf(p, sizeof(p), "4002.b %u\n", (unsigned)crlf_size(M2));
	CHECK_STR(buf, p);
}

TEST(store_drop_nul_separate_cache)
{
	static const char nul[] = "Subject: n\n\na\0b\0\n";
	struct md_opts drop = {true, false, 'S'};
	char dir[600], buf[256];
	struct maildir *md;

	mkmd(dir, sizeof(dir));
	put(dir, "new", "5001.a", nul, sizeof(nul) - 1);
	put(dir, "new", "5002.b,W=99", nul, sizeof(nul) - 1);
	md = open_ok(dir, &drop);
	if (md == NULL)
		return;
	/* 17 stored octets, 3 LF -> +3 CR, minus 2 NUL; W= counts NULs. */
	CHECK(md->msgs[0].size == 18);
	CHECK(md->msgs[1].size == 18);
	CHECK(md->sizes_computed == 2);
	md_close(&md);
	CHECK(!present(dir, MD_SIZE_CACHE, NULL));
	CHECK(slurp(dir, MD_SIZE_CACHE_NONUL, NULL, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "5001.a 18\n5002.b,W=99 18\n");
	md = open_ok(dir, NULL);
	if (md == NULL)
		return;
	CHECK(md->msgs[0].size == 20);
	CHECK(md->msgs[1].size == 99);
	CHECK(md->sizes_computed == 1);
	md_close(&md);
	CHECK(slurp(dir, MD_SIZE_CACHE, NULL, buf, sizeof(buf)) > 0);
	CHECK_STR(buf, "5001.a 20\n");
	md = open_ok(dir, &drop);
	CHECK(md != NULL && md->sizes_computed == 0 && md->msgs[0].size == 18);
	md_close(&md);
}

TEST(store_duplicate_base_listed_once)
{
	char dir[600];
	struct maildir *md;

	mkmd(dir, sizeof(dir));
	/* As seen mid-move: the same message in new/ and cur/. */
	puts_md(dir, "new", "6001.a", M1);
	puts_md(dir, "cur", "6001.a:2,S", M1);
	puts_md(dir, "new", "6002.b", M2);
	md = open_ok(dir, NULL);
	if (md == NULL)
		return;
	CHECK(md->count == 2);
	CHECK_STR(md->msgs[0].name, "6001.a:2,S");
	CHECK(!md->msgs[0].in_new);
	CHECK(strcmp(uidl_at(md, 0), uidl_at(md, 1)) != 0);
	md_close(&md);
}

TEST(store_unusual_names_hashed_uidl)
{
	char dir[600];
	struct maildir *md;

	mkmd(dir, sizeof(dir));
	puts_md(dir, "new", "7001 with space", M1);
	puts_md(dir, "new", "7002.caf\xc3\xa9", M2);
	md = open_ok(dir, NULL);
	if (md == NULL)
		return;
	CHECK(md->count == 2);
	CHECK(uidl_at(md, 0)[0] == '~' && strlen(uidl_at(md, 0)) == 65);
	CHECK(uidl_at(md, 1)[0] == '~' && strlen(uidl_at(md, 1)) == 65);
	CHECK(strcmp(uidl_at(md, 0), uidl_at(md, 1)) != 0);
	CHECK(md->msgs[0].size == crlf_size(M1));
	md_close(&md);
}
