/* test-auth-user.c: "postie user" (src/cli/user.c), run in-process with
 * stdin, stdout and stderr redirected to files, and once on a pseudo-tty
 * for the no-echo prompt. */
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "auth/passwd.h"
#include "cli/cli.h"
#include "harness.h"

#define PASS "vu7#Kq2!Lp9zRw"

static char users[600], outbuf[8192], errbuf[8192];

static void
fresh(void)
{
	if (snprintf(users, sizeof(users), "%s/users", t_tmpdir()) < 0)
		abort();
}

static void
slurp(const char *file, char *buf, size_t cap)
{
	FILE *fp = fopen(file, "r");
	size_t n = 0;

	if (fp != NULL) {
		n = fread(buf, 1, cap - 1, fp);
		fclose(fp);
	}
	buf[n] = '\0';
}

/* Run cli_user with argv (NULL-terminated) and stdin; capture output. */
static int
run(const char *in, const char *const *args)
{
	char *argv[16], fin[700], fout[700], ferr[700];
	int argc = 0, save[3], fd, i, rc;
	FILE *fp;

	if (snprintf(fin, sizeof(fin), "%s.in", users) < 0 ||
	    snprintf(fout, sizeof(fout), "%s.out", users) < 0 ||
	    snprintf(ferr, sizeof(ferr), "%s.err", users) < 0)
		abort();
	if ((fp = fopen(fin, "w")) == NULL)
		abort();
	fputs(in, fp);
	fclose(fp);
	while (args[argc] != NULL && argc < 15) {
		argv[argc] = (char *)(uintptr_t)args[argc];
		argc++;
	}
	argv[argc] = NULL;
	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < 3; i++)
		save[i] = dup(i);
	fd = open(fin, O_RDONLY);
	dup2(fd, 0);
	close(fd);
	fd = open(fout, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	fd = open(ferr, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 2);
	close(fd);
	rc = cli_user(argc, argv);
	fflush(stdout);
	fflush(stderr);
	for (i = 0; i < 3; i++) {
		dup2(save[i], i);
		close(save[i]);
	}
	slurp(fout, outbuf, sizeof(outbuf));
	slurp(ferr, errbuf, sizeof(errbuf));
	return rc;
}

#define RUN(in, ...) run((in), (const char *const[]){"user", __VA_ARGS__, NULL})

/* 1 if user's password in the users file is pass, 0 if not, -1 no user. */
static int
check_pass(const char *user, const char *pass)
{
	struct pw_db *db;
	char err[1024];
	int r;

	if (pw_load(users, &db, err, sizeof(err)) != 0)
		return -2;
	r = pw_find(db, user, strlen(user)) == NULL
		? -1
		: pw_verify(db, user, strlen(user), pass, strlen(pass), NULL);
	pw_free(&db);
	return r;
}

TEST(auth_cli_add_list)
{
	struct stat st;

	fresh();
	CHECK(RUN(PASS "\n", "add", "--users", users, "--password-stdin",
		  "alice") == 0);
	CHECK(stat(users, &st) == 0 && (st.st_mode & 0777) == 0600);
	CHECK(RUN(PASS "\r\n", "add", "--password-stdin", "--scheme", "bcrypt",
		  "--users", users, "bob") == 0);
	CHECK(RUN("Tr7$wq!Zmd3#pX", "add", "--users=", "x", "carol") == 1);
	CHECK(RUN("Tr7$wq!Zmd3#pX", "add", "--password-stdin", "--users", users,
		  "--scheme=sha512-crypt", "--", "carol") == 0);
	CHECK(check_pass("alice", PASS) == 1);
	CHECK(check_pass("bob", PASS) == 1);
	CHECK(check_pass("bob", PASS "\r") == 0);
	CHECK(check_pass("carol", "Tr7$wq!Zmd3#pX") == 1);
	CHECK(RUN("", "list", "--users", users) == 0);
	CHECK_STR(outbuf, "alice\tyescrypt+scram\nbob\tbcrypt+scram\n"
			  "carol\tsha512-crypt+scram\n");
	CHECK(strchr(outbuf, '$') == NULL);
}

/* SCRAM-SHA-256 keys are written with the hash; --no-scram drops them,
 * --scram-iter sets the count. */
TEST(auth_cli_scram)
{
	struct pw_db *db;
	const struct pw_entry *e;
	char err[512];

	fresh();
	CHECK(RUN(PASS "\n", "add", "--users", users, "--password-stdin",
		  "--scram-iter", "8192", "alice") == 0);
	CHECK(RUN(PASS "\n", "add", "--users", users, "--password-stdin",
		  "--no-scram", "bob") == 0);
	CHECK(RUN("", "list", "--users", users) == 0);
	CHECK_STR(outbuf, "alice\tyescrypt+scram\nbob\tyescrypt\n");
	CHECK(pw_load(users, &db, err, sizeof(err)) == 0);
	e = pw_find(db, "alice", 5);
	CHECK(e != NULL && e->scram != NULL &&
	      strncmp(e->scram, "8192,", 5) == 0);
	pw_free(&db);
	CHECK(RUN(PASS "\n", "passwd", "--users", users, "--password-stdin",
		  "--no-scram", "alice") == 0);
	CHECK(RUN(PASS "\n", "passwd", "--users", users, "--password-stdin",
		  "--scram-iter=4096", "bob") == 0);
	CHECK(RUN("", "list", "--users", users) == 0);
	CHECK_STR(outbuf, "alice\tyescrypt\nbob\tyescrypt+scram\n");
	CHECK(check_pass("bob", PASS) == 1);
	CHECK(RUN(PASS "\n", "passwd", "--users", users, "--password-stdin",
		  "--scram-iter", "100", "bob") == 1);
	CHECK(strstr(errbuf, "--scram-iter") != NULL);
}

TEST(auth_cli_policy)
{
	fresh();
	CHECK(RUN("password123\n", "add", "--users", users, "--password-stdin",
		  "alice") == 1);
	CHECK(strstr(errbuf, "dictionary") != NULL);
	CHECK(access(users, F_OK) != 0);
	CHECK(RUN("alice#Kq2!Lp9zRw\n", "add", "--users", users,
		  "--password-stdin", "alice") == 1);
	CHECK(strstr(errbuf, "user name") != NULL);
	CHECK(RUN("Sh0rt!x\n", "add", "--users", users, "--password-stdin",
		  "alice") == 1);
	CHECK(strstr(errbuf, "shorter than 10") != NULL);
	CHECK(RUN("password123\n", "add", "--users", users, "--password-stdin",
		  "--force", "alice") == 0);
	CHECK(strstr(errbuf, "WARNING") != NULL);
	CHECK(check_pass("alice", "password123") == 1);
	CHECK(RUN("password123\n", "passwd", "--users", users,
		  "--password-stdin", "alice") == 1);
	CHECK(RUN(PASS "\n", "passwd", "--users", users, "--password-stdin",
		  "alice") == 0);
	CHECK(check_pass("alice", PASS) == 1);
}

TEST(auth_cli_passwd_del)
{
	fresh();
	CHECK(RUN(PASS, "add", "--users", users, "--password-stdin", "a") == 0);
	CHECK(RUN(PASS, "add", "--users", users, "--password-stdin", "b") == 0);
	CHECK(RUN("Tr7$wq!Zmd3#pX\n", "add", "--users", users,
		  "--password-stdin", "a") == 1);
	CHECK(strstr(errbuf, "already exists") != NULL);
	CHECK(check_pass("a", PASS) == 1);
	CHECK(RUN("Tr7$wq!Zmd3#pX\n", "passwd", "--users", users,
		  "--password-stdin", "a") == 0);
	CHECK(check_pass("a", PASS) == 0);
	CHECK(check_pass("a", "Tr7$wq!Zmd3#pX") == 1);
	CHECK(RUN(PASS, "passwd", "--users", users, "--password-stdin",
		  "zed") == 1);
	CHECK(RUN("", "del", "--users", users, "a") == 0);
	CHECK(check_pass("a", PASS) == -1);
	CHECK(check_pass("b", PASS) == 1);
	CHECK(RUN("", "del", "--users", users, "a") == 1);
	CHECK(strstr(errbuf, "no user a") != NULL);
}

TEST(auth_cli_usage)
{
	char big[400];

	fresh();
	CHECK(run("", (const char *const[]){"user", NULL}) == 1);
	CHECK(RUN("", "frob", "x") == 1);
	CHECK(RUN("", "add", "--users", users) == 1);
	CHECK(RUN("", "add", "--users", users, "a", "b") == 1);
	CHECK(RUN("", "list", "--users", users, "a") == 1);
	CHECK(RUN(PASS, "add", "--users", users, "--password-stdin", "--scheme",
		  "md5", "a") == 1);
	CHECK(strstr(errbuf, "unknown scheme") != NULL);
	CHECK(RUN(PASS, "add", "--users", users, "--bogus", "a") == 1);
	CHECK(RUN(PASS, "add", "--users") == 1);
	CHECK(
	    RUN(PASS, "add", "--users", users, "--password-stdin", "a:b") == 1);
	CHECK(
	    RUN(PASS, "add", "--users", users, "--password-stdin", "a b") == 1);
	CHECK(RUN("\n", "add", "--users", users, "--password-stdin", "a") == 1);
	CHECK(strstr(errbuf, "empty password") != NULL);
	memset(big, 'k', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	CHECK(RUN(big, "add", "--users", users, "--password-stdin", "a") == 1);
	CHECK(strstr(errbuf, "too long") != NULL);
	CHECK(access(users, F_OK) != 0);
	CHECK(RUN("", "--help") == 0);
	CHECK(strstr(outbuf, "usage") != NULL);
	CHECK(RUN("", "list", "--help") == 0);
	CHECK(strstr(outbuf, "usage") != NULL);
}

TEST(auth_cli_file_errors)
{
	FILE *fp;

	fresh();
	CHECK(RUN(PASS, "add", "--users", "/nonexistent-dir/users",
		  "--password-stdin", "a") == 2);
	CHECK(RUN("", "list", "--users", users) == 2);
	CHECK(strstr(errbuf, users) != NULL);
	if ((fp = fopen(users, "w")) != NULL) {
		fputs("# x\nalice:{PLAIN}secret\n", fp);
		fclose(fp);
	}
	CHECK(chmod(users, 0644) == 0);
	CHECK(RUN("", "list", "--users", users) == 2);
	CHECK(strstr(errbuf, ":2: plaintext") != NULL);
	/* A broken line does not stop fixing the file: replace it. */
	CHECK(RUN(PASS, "passwd", "--users", users, "--password-stdin",
		  "alice") == 0);
	CHECK(strstr(errbuf, "warning") != NULL && strstr(errbuf, "0644"));
	CHECK(RUN("", "list", "--users", users) == 0);
	CHECK_STR(outbuf, "alice\tyescrypt+scram\n");
}

/* Drive the /dev/tty prompt through a pty: echo must be off. */
static int
tty_session(const char *first, const char *second, char *seen, size_t cap)
{
	int master, slave, st, step = 0;
	size_t len = 0;
	ssize_t n;
	pid_t pid;
	struct pollfd pfd;
	char *argv[] = {"user", "add", "--users", users, "ttyuser", NULL};

	if (openpty(&master, &slave, NULL, NULL, NULL) != 0)
		return -1;
	if ((pid = fork()) == 0) {
		close(master);
		setsid();
		ioctl(slave, TIOCSCTTY, 0);
		dup2(slave, 2);
		_exit(cli_user(5, argv));
	}
	close(slave);
	pfd.fd = master;
	pfd.events = POLLIN;
	while (len + 1 < cap && poll(&pfd, 1, 5000) > 0) {
		if ((n = read(master, seen + len, cap - 1 - len)) <= 0)
			break;
		len += (size_t)n;
		seen[len] = '\0';
		if (step == 0 && strstr(seen, "New password for ttyuser: ")) {
			step = write(master, first, strlen(first)) > 0;
		} else if (step == 1 && strstr(seen, "Retype")) {
			step = 1 + (write(master, second, strlen(second)) > 0);
		}
	}
	seen[len] = '\0';
	close(master);
	if (waitpid(pid, &st, 0) != pid || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

TEST(auth_cli_tty_prompt)
{
	char seen[4096];

	fresh();
	CHECK(tty_session(PASS "\n", "Tr7$wq!Zmd3#pX\n", seen, sizeof(seen)) ==
	      1);
	CHECK(strstr(seen, "the passwords do not match") != NULL);
	CHECK(access(users, F_OK) != 0);
	CHECK(tty_session(PASS "\n", PASS "\n", seen, sizeof(seen)) == 0);
	CHECK(strstr(seen, "Retype the password: ") != NULL);
	CHECK(strstr(seen, "ttyuser: added") != NULL);
	CHECK(strstr(seen, PASS) == NULL); /* never echoed */
	CHECK(check_pass("ttyuser", PASS) == 1);
}
