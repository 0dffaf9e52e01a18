/* test-fetch-state.c: the SQLite state, Maildir delivery and recovery
 * building blocks of postie fetch (src/fetch/state.c, deliver_md.c, out.c). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch/deliver.h"
#include "fetch/state.h"
#include "harness.h"
#include "lib/util.h"

static struct fs_db *
open_db(const char *dir)
{
	char path[600], why[300];
	struct fs_db *db = NULL;

	if (str_fmt(path, sizeof(path), "%s/state.db", dir) < 0)
		return NULL;
	if (fs_open(path, &db, why, sizeof(why)) < 0)
		printf("  fs_open: %s\n", why);
	return db;
}

TEST(fetch_state_accounts_and_records)
{
	const char *dir = t_tmpdir();
	struct fs_db *db = open_db(dir);
	struct fs_known k;
	int64_t a1, a2, a3, t = 0;

	CHECK(db != NULL);
	if (db == NULL)
		return;
	CHECK(fs_account(db, "h", 995, "u", &a1) == 0);
	CHECK(fs_account(db, "h", 110, "u", &a2) == 0);
	CHECK(fs_account(db, "h", 995, "u", &a3) == 0);
	CHECK(a1 != a2 && a1 == a3);
	CHECK(fs_begin(db) == 0);
	CHECK(fs_record(db, a1, "b-uid", FS_STORED, 1000, 10, "ab", 0, "/m",
		  "n1") == 0);
	CHECK(fs_record(
		  db, a1, "a-uid", FS_SEEN, 1001, 0, NULL, 0, NULL, NULL) == 0);
	CHECK(fs_record(db, a2, "c-uid", FS_STORED, 1002, 0, "cd", 0, "/m",
		  "n2") == 0);
	CHECK(fs_commit(db) == 0);
	CHECK(fs_known_load(db, a1, &k) == 0);
	CHECK(k.n == 2);
	CHECK(fs_known_find(&k, "a-uid") != NULL &&
	      fs_known_find(&k, "a-uid")->state == FS_SEEN);
	CHECK(fs_known_find(&k, "b-uid") != NULL &&
	      fs_known_find(&k, "b-uid")->stored_at == 1000);
	CHECK(fs_known_find(&k, "c-uid") == NULL); /* other account */
	fs_known_free(&k);
	CHECK(fs_clear_present(db, a1) == 0);
	CHECK(fs_set_present(db, a1, "b-uid", true) == 0);
	CHECK(fs_known_load(db, a1, &k) == 0);
	CHECK(fs_known_find(&k, "b-uid")->on_server);
	CHECK(!fs_known_find(&k, "a-uid")->on_server);
	fs_known_free(&k);
	CHECK(fs_set_last_login(db, a1, 4242) == 0);
	CHECK(fs_last_login(db, a1, &t) == 0 && t == 4242);
	fs_close(db);
}

TEST(fetch_state_intents_survive_reopen)
{
	const char *dir = t_tmpdir();
	struct fs_db *db = open_db(dir);
	struct fs_intent *v = NULL;
	size_t n = 0;
	int64_t a;

	if (!CHECK(db != NULL))
		return;
	CHECK(fs_account(db, "h", 1, "u", &a) == 0);
	CHECK(fs_begin(db) == 0);
	CHECK(fs_intent_add(db, a, "u1", FS_KIND_MAILDIR, FS_HEADERS, "/md",
		  "name1", NULL) == 0);
	CHECK(fs_intent_add(db, a, "u2", FS_KIND_MBOX, FS_STORED, "/mbox",
		  "123", "ff") == 0);
	CHECK(fs_commit(db) == 0);
	fs_close(db); /* as if killed here */
	db = open_db(dir);
	if (!CHECK(db != NULL))
		return;
	CHECK(fs_intents(db, a, &v, &n) == 0);
	CHECK(n == 2);
	if (n == 2) {
		int i1 = strcmp(v[0].uidl, "u1") == 0 ? 0 : 1;

		CHECK_STR(v[i1].location, "name1");
		CHECK(v[i1].state == FS_HEADERS);
		CHECK_STR(v[1 - i1].sha256, "ff");
		CHECK(v[1 - i1].kind == FS_KIND_MBOX);
	}
	free(v);
	CHECK(fs_begin(db) == 0);
	CHECK(fs_intent_del(db, a, "u1") == 0);
	CHECK(fs_commit(db) == 0);
	CHECK(fs_intents(db, a, &v, &n) == 0 && n == 1);
	free(v);
	/* A rolled-back transaction leaves nothing behind. */
	CHECK(fs_begin(db) == 0);
	CHECK(fs_intent_add(db, a, "u3", 0, FS_STORED, "/m", "x", NULL) == 0);
	fs_rollback(db);
	CHECK(fs_intents(db, a, &v, &n) == 0 && n == 1);
	free(v);
	fs_close(db);
}

TEST(fetch_state_account_lock)
{
	const char *dir = t_tmpdir();
	int a, b, c;

	a = fs_lock_account(dir, "h", 995, "u");
	CHECK(a >= 0);
	b = fs_lock_account(dir, "h", 995, "u");
	CHECK(b == -2);
	c = fs_lock_account(dir, "h", 995, "v");
	CHECK(c >= 0);
	close(a);
	b = fs_lock_account(dir, "h", 995, "u");
	CHECK(b >= 0);
	if (b >= 0)
		close(b);
	if (c >= 0)
		close(c);
}

TEST(fetch_state_fake_now)
{
	setenv("POSTIE_FAKE_NOW", "1234567", 1);
	CHECK(fs_now() == 1234567);
	unsetenv("POSTIE_FAKE_NOW");
	CHECK(fs_now() > 1600000000);
}

static int
count_dir(const char *dir, const char *sub)
{
	char path[700];
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (str_fmt(path, sizeof(path), "%s/%s", dir, sub) < 0 ||
	    (d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

TEST(fetch_maildir_deliver_and_find)
{
	const char *dir = t_tmpdir();
	char md_path[600], name[256], hex[65], hex2[65], why[300];
	char oldp[900], newp[900];
	struct fd_md md;
	struct fd_out o;
	uint64_t size = 0;
	int fd;

	CHECK(str_fmt(md_path, sizeof(md_path), "%s/Mail", dir) > 0);
	CHECK(fd_md_open(&md, md_path, why, sizeof(why)) == 0);
	CHECK(count_dir(md_path, "new") == 0);
	CHECK(fd_md_newname(&md, name, sizeof(name)) == 0);
	CHECK(strchr(name, '/') == NULL && strchr(name, ':') == NULL);
	CHECK(fd_md_begin(&md, name, &o) == 0);
	CHECK(fd_md_begin(&md, name, &o) < 0 ||
	      (fd_out_free(&o), 0)); /* O_EXCL */
	CHECK(fd_out_write(&o, "Subject: x\n\nbody\n", 17) == 0);
	CHECK(count_dir(md_path, "tmp") == 1);
	CHECK(fd_md_commit(&md, name, &o, hex) == 0);
	CHECK(fd_md_sync(&md) == 0);
	CHECK(count_dir(md_path, "tmp") == 0);
	CHECK(count_dir(md_path, "new") == 1);
	/* echo -n 'Subject: x\n\nbody\n' | sha256sum */
	fd = fd_md_find(&md, name);
	CHECK(fd >= 0);
	CHECK(fd_hash_file(fd, hex2, &size) == 0);
	CHECK(size == 17);
	CHECK_STR(hex, hex2);
	close(fd);
	/* A reader moves it to cur/ with flags: still found. */
	CHECK(str_fmt(oldp, sizeof(oldp), "%s/new/%s", md_path, name) > 0);
	CHECK(str_fmt(newp, sizeof(newp), "%s/cur/%s:2,S", md_path, name) > 0);
	CHECK(rename(oldp, newp) == 0);
	fd = fd_md_find(&md, name);
	CHECK(fd >= 0);
	if (fd >= 0)
		close(fd);
	CHECK(fd_md_find(&md, "nonexistent") < 0);
	CHECK(fd_md_find(&md, "../x") < 0);
	fd_md_close(&md);
}

TEST(fetch_maildir_abort_and_noreplace)
{
	const char *dir = t_tmpdir();
	char md_path[600], why[300], hex[65], p[900];
	struct fd_md md;
	struct fd_out o;
	int fd;

	CHECK(str_fmt(md_path, sizeof(md_path), "%s/M", dir) > 0);
	CHECK(fd_md_open(&md, md_path, why, sizeof(why)) == 0);
	CHECK(fd_md_begin(&md, "m1", &o) == 0);
	CHECK(fd_out_write(&o, "partial", 7) == 0);
	fd_md_abort(&md, "m1", &o);
	CHECK(count_dir(md_path, "tmp") == 0);
	CHECK(count_dir(md_path, "new") == 0);
	/* An existing new/ file is never replaced. */
	CHECK(str_fmt(p, sizeof(p), "%s/new/m2", md_path) > 0);
	fd = open(p, O_WRONLY | O_CREAT, 0600);
	CHECK(fd >= 0 && write(fd, "old", 3) == 3);
	if (fd >= 0)
		close(fd);
	CHECK(fd_md_begin(&md, "m2", &o) == 0);
	CHECK(fd_out_write(&o, "new", 3) == 0);
	CHECK(fd_md_commit(&md, "m2", &o, hex) == 0);
	/* Complete but not synced: still in tmp/ only. */
	CHECK(count_dir(md_path, "tmp") == 1);
	CHECK(fd_md_sync(&md) < 0);
	/* new/m2 kept its bytes; tmp/m2 stays for recovery to remove. */
	fd = open(p, O_RDONLY);
	CHECK(fd >= 0 && read(fd, hex, sizeof(hex)) == 3 &&
	      memcmp(hex, "old", 3) == 0);
	if (fd >= 0)
		close(fd);
	CHECK(count_dir(md_path, "tmp") == 1);
	fd_md_close(&md);
}

TEST(fetch_maildir_batch_sync)
{
	const char *dir = t_tmpdir();
	char md_path[600], why[300], hex[65], name[16];
	struct fd_md md;
	struct fd_out o;
	int i;

	CHECK(str_fmt(md_path, sizeof(md_path), "%s/B", dir) > 0);
	CHECK(fd_md_open(&md, md_path, why, sizeof(why)) == 0);
	for (i = 0; i < 100; i++) { /* more than the first allocation */
		CHECK(str_fmt(name, sizeof(name), "b%d", i) > 0);
		CHECK(fd_md_begin(&md, name, &o) == 0);
		CHECK(fd_out_write(&o, "body\n", 5) == 0);
		CHECK(fd_md_commit(&md, name, &o, hex) == 0);
	}
	CHECK(count_dir(md_path, "tmp") == 100);
	CHECK(count_dir(md_path, "new") == 0);
	CHECK(fd_md_sync(&md) == 0);
	CHECK(count_dir(md_path, "tmp") == 0);
	CHECK(count_dir(md_path, "new") == 100);
	CHECK(fd_md_find(&md, "b99") >= 0);
	CHECK(fd_md_sync(&md) == 0); /* nothing pending: only new/ */
	fd_md_close(&md);
}

TEST(fetch_out_large_and_hash)
{
	const char *dir = t_tmpdir();
	char path[600], hex[65], hex2[65];
	struct fd_out o;
	uint64_t size = 0;
	static char chunk[50000];
	int fd, i;

	memset(chunk, 'x', sizeof(chunk));
	CHECK(str_fmt(path, sizeof(path), "%s/f", dir) > 0);
	fd = open(path, O_RDWR | O_CREAT, 0600);
	CHECK(fd >= 0 && fd_out_init(&o, fd) == 0);
	for (i = 0; i < 7; i++)
		CHECK(fd_out_write(
			  &o, chunk, (size_t)(i * 7001) % sizeof(chunk)) == 0);
	CHECK(fd_out_flush(&o, true) == 0);
	fd_out_digest(&o, hex);
	o.fd = -1;
	fd_out_free(&o);
	CHECK(lseek(fd, 0, SEEK_SET) == 0);
	CHECK(fd_hash_file(fd, hex2, &size) == 0);
	CHECK(size == 7001ULL * 21);
	CHECK_STR(hex, hex2);
	close(fd);
}
