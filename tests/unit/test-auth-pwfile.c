/* test-auth-pwfile.c: atomic edits of the users file (pwfile.c), the
 * permission check and mailbox-path templates. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/passwd.h"
#include "harness.h"
#include "lib/limits.h"

#define H_Y                                                                    \
	"$y$j75$3rLNL8ag1ssQXN6Bu66wY.$"                                       \
	"zqrmMUZtTQht3oZCtNhZnpuNXGgcGM56YNnDGC.B8W2"
#define H_2B "$2b$04$R1MSMCaX8GuHHrNhzwCEBOOj.jxKz4QAK7/zJZyHWNlbvsx9.QWki"
#define H_6                                                                    \
	"$6$IKAg6lLc2zuH.FmL$"                                                 \
	"BjWuVh1zn3TNJfPLwsbng7jkqsih5NZ8s.wDLhAyYN3lnT"                       \
	"AXpW8z0D/alfVGt0Zov.laG9gwpUFlQc1ofaIDc0"

#define ORIG                                                                   \
	"# postie users\n"                                                     \
	"alice:{SHA512-CRYPT}" H_6 ":1000:1000::/home/alice::"                 \
	"userdb_mail=maildir:~/Maildir\n"                                      \
	"\n"                                                                   \
	"#carol:" H_Y "\n"                                                     \
	"bob:" H_2B "\n"

static char path[600];

static void
put(const char *text, mode_t mode)
{
	FILE *fp;

	if (snprintf(path, sizeof(path), "%s/users", t_tmpdir()) < 0)
		abort();
	fp = fopen(path, "w");
	if (!CHECK(fp != NULL))
		return;
	fputs(text, fp);
	fclose(fp);
	CHECK(chmod(path, mode) == 0);
}

/* The whole file into a static buffer. */
static const char *
get(void)
{
	static char buf[8192];
	FILE *fp = fopen(path, "r");
	size_t n = 0;

	buf[0] = '\0';
	if (!CHECK(fp != NULL))
		return buf;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	buf[n] = '\0';
	fclose(fp);
	return buf;
}

static mode_t
mode_of(void)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_mode & 07777 : 0;
}

static bool
loads(size_t want)
{
	struct pw_db *db = NULL;
	char err[1024];
	size_t n;

	if (pw_load(path, &db, err, sizeof(err)) != 0) {
		printf("  %s\n", err);
		return false;
	}
	n = pw_count(db);
	pw_free(&db);
	return n == want;
}

TEST(auth_file_set_add)
{
	char err[1024];

	put(ORIG, 0600);
	CHECK(pw_file_set(path, "carol", H_Y, err, sizeof(err)) == 0);
	CHECK_STR(get(), ORIG "carol:" H_Y "\n");
	CHECK(mode_of() == 0600);
	CHECK(loads(3));

	put("alice:" H_Y, 0640); /* no final newline; group-readable */
	CHECK(pw_file_set(path, "bob", H_2B, err, sizeof(err)) == 0);
	CHECK_STR(get(), "alice:" H_Y "\nbob:" H_2B "\n");
	CHECK(mode_of() == 0640);
}

TEST(auth_file_set_replace)
{
	char err[1024];

	put(ORIG, 0600);
	/* New scheme: the {SHA512-CRYPT} tag no longer fits, uid/gid/home/
	 * extra fields stay. */
	CHECK(pw_file_set(path, "alice", H_Y, err, sizeof(err)) == 0);
	CHECK_STR(get(), "# postie users\n"
			 "alice:{CRYPT}" H_Y ":1000:1000::/home/alice::"
			 "userdb_mail=maildir:~/Maildir\n"
			 "\n"
			 "#carol:" H_Y "\n"
			 "bob:" H_2B "\n");
	put(ORIG, 0600);
	CHECK(pw_file_set(path, "alice", H_6, err, sizeof(err)) == 0);
	CHECK_STR(get(), ORIG);
	CHECK(pw_file_set(path, "bob", H_6, err, sizeof(err)) == 0);
	CHECK(strstr(get(), "\nbob:" H_6 "\n") != NULL);
	CHECK(strstr(get(), H_2B) == NULL);
	CHECK(loads(2));

	put("x:{BLF-CRYPT}" H_2B ":1:2\r\n", 0600);
	CHECK(pw_file_edit(
		  path, "x", H_2B, PW_EDIT_REPLACE, err, sizeof(err)) == 0);
	CHECK_STR(get(), "x:{BLF-CRYPT}" H_2B ":1:2\r\n");
}

TEST(auth_file_del)
{
	char err[1024];

	put(ORIG, 0600);
	CHECK(pw_file_del(path, "bob", err, sizeof(err)) == 0);
	CHECK_STR(get(), "# postie users\n"
			 "alice:{SHA512-CRYPT}" H_6 ":1000:1000::/home/alice::"
			 "userdb_mail=maildir:~/Maildir\n"
			 "\n"
			 "#carol:" H_Y "\n");
	CHECK(pw_file_del(path, "bob", err, sizeof(err)) == -1);
	CHECK(strstr(err, "no user bob") != NULL);
	CHECK(pw_file_del(path, "carol", err, sizeof(err)) == -1);
	CHECK(pw_file_del(path, "alice", err, sizeof(err)) == 0);
	CHECK_STR(get(), "# postie users\n\n#carol:" H_Y "\n");
	CHECK(loads(0));
}

TEST(auth_file_edit_modes)
{
	char err[1024], lock[700];
	DIR *d;
	struct dirent *de;
	int others = 0;

	if (snprintf(path, sizeof(path), "%s/new-users", t_tmpdir()) < 0)
		return;
	CHECK(pw_file_edit(path, "a", H_Y, PW_EDIT_REPLACE, err, sizeof(err)) ==
	      -2);
	CHECK(
	    pw_file_edit(path, "a", NULL, PW_EDIT_DEL, err, sizeof(err)) == -2);
	CHECK(access(path, F_OK) != 0);
	CHECK(pw_file_edit(path, "a", H_Y, PW_EDIT_ADD, err, sizeof(err)) == 0);
	CHECK(mode_of() == 0600);
	CHECK_STR(get(), "a:" H_Y "\n");
	CHECK(
	    pw_file_edit(path, "a", H_2B, PW_EDIT_ADD, err, sizeof(err)) == -2);
	CHECK(strstr(err, "already exists") != NULL);
	CHECK(pw_file_edit(
		  path, "a", H_2B, PW_EDIT_REPLACE, err, sizeof(err)) == 0);
	CHECK_STR(get(), "a:" H_2B "\n");
	/* Only the file and its lock remain: no temporary files. */
	CHECK(snprintf(lock, sizeof(lock), "%s.lock", path) > 0);
	CHECK(access(lock, F_OK) == 0);
	if (strrchr(path, '/') != NULL) {
		*strrchr(path, '/') = '\0';
		if ((d = opendir(path)) != NULL) {
			while ((de = readdir(d)) != NULL)
				others +=
				    strcmp(de->d_name, ".") != 0 &&
				    strcmp(de->d_name, "..") != 0 &&
				    strcmp(de->d_name, "new-users") != 0 &&
				    strcmp(de->d_name, "new-users.lock") != 0;
			closedir(d);
		}
	}
	CHECK(others == 0);
}

TEST(auth_file_edit_refuses)
{
	char err[1024], *big;

	put(ORIG, 0600);
	CHECK(pw_file_set(path, "a:b", H_Y, err, sizeof(err)) == -1);
	CHECK(pw_file_set(path, "a b", H_Y, err, sizeof(err)) == -1);
	CHECK(pw_file_set(path, "", H_Y, err, sizeof(err)) == -1);
	CHECK(pw_file_set(path, "a", "$1$abcdefgh$0123456789012345678901", err,
		  sizeof(err)) == -1);
	CHECK(pw_file_set(path, "a", H_Y "\nroot:x", err, sizeof(err)) == -1);
	CHECK_STR(get(), ORIG);
	big = malloc(AUTH_LINE_MAX + 64);
	if (!CHECK(big != NULL))
		return;
	memset(big, '#', AUTH_LINE_MAX + 10);
	big[AUTH_LINE_MAX + 10] = '\0';
	put(big, 0600);
	CHECK(pw_file_set(path, "a", H_Y, err, sizeof(err)) == -1);
	CHECK(strstr(err, "line too long") != NULL);
	CHECK_STR(get(), big);
	free(big);
	CHECK(pw_file_set(
		  "/nonexistent-dir/users", "a", H_Y, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/nonexistent-dir/users") != NULL);
}

/* Writers from several processes serialise on the lock: none is lost. */
TEST(auth_file_concurrent)
{
	char err[256], name[16];
	pid_t pid[6];
	int i, j, st, okexit = 0;

	put("# start\n", 0600);
	for (i = 0; i < 6; i++) {
		if ((pid[i] = fork()) == 0) {
			for (j = 0; j < 5; j++) {
				if (snprintf(name, sizeof(name), "p%du%d", i,
					j) < 0 ||
				    pw_file_set(path, name, H_2B, err,
					sizeof(err)) != 0)
					_exit(1);
			}
			_exit(0);
		}
		CHECK(pid[i] > 0);
	}
	for (i = 0; i < 6; i++)
		if (pid[i] > 0 && waitpid(pid[i], &st, 0) == pid[i] &&
		    WIFEXITED(st) && WEXITSTATUS(st) == 0)
			okexit++;
	CHECK(okexit == 6);
	CHECK(loads(30));
}

TEST(auth_file_perms)
{
	char warn[1024];

	put(ORIG, 0600);
	CHECK(pw_file_check_perms(path, warn, sizeof(warn)) == 0);
	CHECK(chmod(path, 0640) == 0);
	CHECK(pw_file_check_perms(path, warn, sizeof(warn)) == 1);
	CHECK(strstr(warn, "0640") != NULL && strstr(warn, path) != NULL);
	CHECK(chmod(path, 0604) == 0);
	CHECK(pw_file_check_perms(path, warn, sizeof(warn)) == 1);
	CHECK(chmod(path, 0400) == 0);
	CHECK(pw_file_check_perms(path, warn, sizeof(warn)) == 0);
	CHECK(pw_file_check_perms("/nonexistent/users", warn, sizeof(warn)) ==
	      -1);
}

TEST(auth_mail_path)
{
	static const struct {
		const char *tmpl, *user, *home, *want; /* want NULL: error */
	} t[] = {
	    {"/var/mail/%u", "alice", "", "/var/mail/alice"},
	    {"/srv/%d/%n/Maildir", "bob@example.com", "",
		"/srv/example.com/bob/Maildir"},
	    {"/srv/%d/%n", "a@b@c.org", "", "/srv/c.org/a@b"},
	    {"%h/Maildir", "carol", "/home/carol", "/home/carol/Maildir"},
	    {"~/Maildir", "carol", "/home/carol", "/home/carol/Maildir"},
	    {"~", "carol", "/home/carol", "/home/carol"},
	    {"/m/~/x", "carol", "/home/carol", "/m/~/x"},
	    {"/m/%d/x", "dave", "", "/m//x"},
	    {"/m/100%%/%u", "dave", "", "/m/100%/dave"},
	    {"", "dave", "", ""},
	    {"/m/%x", "dave", "", NULL},
	    {"/m/%", "dave", "", NULL},
	    {"/m/%U", "dave", "", NULL},
	    {"%h/Maildir", "dave", "", NULL},
	    {"~/Maildir", "dave", "", NULL},
	    {"/m/%u", "../etc", "", NULL},
	    {"/m/%u", "a/b", "", NULL},
	    {"/m/%u", "a..b", "", NULL},
	    {"/m/%u", ".hidden", "", NULL},
	    {"/m/%d", "bob@.evil", "", NULL},
	    {"/m/%n", "@example.com", "", NULL},
	    {"/m/%u", "", "", NULL},
	};
	struct pw_entry e = {NULL, NULL, NULL, NULL, -1, -1, 0, NULL};
	char out[STORE_PATH_MAX];
	size_t i;
	int r;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		e.user = (char *)(uintptr_t)t[i].user;
		e.home = (char *)(uintptr_t)t[i].home;
		r = pw_mail_path(t[i].tmpl, &e, out, sizeof(out));
		if (t[i].want == NULL) {
			if (!CHECK(r == -1))
				printf("  case %zu gave \"%s\"\n", i, out);
		} else if (CHECK(r == 0)) {
			CHECK_STR(out, t[i].want);
		} else {
			printf("  case %zu failed\n", i);
		}
	}
	e.user = (char *)(uintptr_t) "alice";
	CHECK(pw_mail_path("/var/mail/%u", &e, out, 16) == 0);
	CHECK_STR(out, "/var/mail/alice");
	CHECK(pw_mail_path("/var/mail/%u", &e, out, 15) == -1);
	CHECK_STR(out, "");
}
