/* test-auth-passwd.c: users-file line parsing, loading, hashing and
 * verification (src/auth/passwd.c, pwdb.c, pwhash.c). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "auth/passwd.h"
#include "harness.h"
#include "lib/limits.h"
#include "lib/util.h"

/* Known answers: each is a hash of "hello" (libxcrypt, low cost). */
#define H_Y                                                                    \
	"$y$j75$3rLNL8ag1ssQXN6Bu66wY.$"                                       \
	"zqrmMUZtTQht3oZCtNhZnpuNXGgcGM56YNnDGC.B8W2"
#define H_2B "$2b$04$R1MSMCaX8GuHHrNhzwCEBOOj.jxKz4QAK7/zJZyHWNlbvsx9.QWki"
#define H_2Y "$2y$04$R1MSMCaX8GuHHrNhzwCEBOOj.jxKz4QAK7/zJZyHWNlbvsx9.QWki"
#define H_6R                                                                   \
	"$6$rounds=1000$RhNPFCgwxf0Oj3nQ$"                                     \
	"Aq58dc/PTzOKRD8gyD3PC4ckaJMny8RESnME2KurQFyTp"                        \
	"kN2jvnZrX8blKjyy59z2owonbhP0gAtSdbDV.p2r1"
#define H_6                                                                    \
	"$6$IKAg6lLc2zuH.FmL$"                                                 \
	"BjWuVh1zn3TNJfPLwsbng7jkqsih5NZ8s.wDLhAyYN3lnT"                       \
	"AXpW8z0D/alfVGt0Zov.laG9gwpUFlQc1ofaIDc0"

static const char *
write_file(const char *name, const char *text)
{
	static char path[600];
	FILE *fp;

	if (snprintf(path, sizeof(path), "%s/%s", t_tmpdir(), name) >=
	    (int)sizeof(path))
		abort();
	fp = fopen(path, "w");
	CHECK(fp != NULL);
	if (fp == NULL)
		return path;
	fputs(text, fp);
	fclose(fp);
	return path;
}

static int
parse(const char *line, struct pw_entry *e, const char **why)
{
	return pw_parse_line(line, strlen(line), e, why);
}

TEST(auth_parse_good)
{
	static const struct {
		const char *line, *user, *hash, *home, *mail;
		long uid, gid;
	} t[] = {
	    {"alice:" H_Y, "alice", H_Y, "", "", -1, -1},
	    {"bob:{BLF-CRYPT}" H_2B, "bob", H_2B, "", "", -1, -1},
	    {"bob2:" H_2Y, "bob2", H_2Y, "", "", -1, -1},
	    {"erin:{yescrypt}" H_Y, "erin", H_Y, "", "", -1, -1},
	    {"sha:{CRYPT}" H_6, "sha", H_6, "", "", -1, -1},
	    {"carol:{SHA512-CRYPT}" H_6R ":1000:1001::/home/carol::"
	     "userdb_mail=maildir:~/Maildir:LAYOUT=fs",
		"carol", H_6R, "/home/carol", "~/Maildir", 1000, 1001},
	    {"dave@example.com:" H_Y ":::Dave D:/srv/d::"
	     "mail=maildir:/srv/mail/%d/%n quota_rule=*:storage=1G",
		"dave@example.com", H_Y, "/srv/d", "/srv/mail/%d/%n", -1, -1},
	    {"x:" H_Y ":5:6:g:/h:/bin/sh:mail=/m/x userdb_mail=/u/x", "x", H_Y,
		"/h", "/u/x", 5, 6},
	    {"y:" H_Y "::::::userdb_home=/var/y  nopassword", "y", H_Y,
		"/var/y", "", -1, -1},
	    {"z:" H_Y "::", "z", H_Y, "", "", -1, -1},
	    {"\xc3\xa9t\xc3\xa9:" H_Y, "\xc3\xa9t\xc3\xa9", H_Y, "", "", -1,
		-1},
	};
	struct pw_entry e;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		why = NULL;
		if (!CHECK(parse(t[i].line, &e, &why) == 0)) {
			printf("  line %zu: %s\n", i, why ? why : "?");
			continue;
		}
		CHECK_STR(e.user, t[i].user);
		CHECK_STR(e.hash, t[i].hash);
		CHECK_STR(e.home, t[i].home);
		CHECK_STR(e.mail, t[i].mail);
		CHECK(e.uid == t[i].uid);
		CHECK(e.gid == t[i].gid);
		CHECK(e.lock_failures == 0);
		pw_entry_clear(&e);
		CHECK(e.user == NULL && e.hash == NULL);
	}
}

TEST(auth_parse_comments)
{
	static const char *const t[] = {
	    "", "   ", "\t", "# comment", "  # alice:" H_Y, "#"};
	struct pw_entry e;
	const char *why = NULL;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		memset(&e, 0x5a, sizeof(e));
		CHECK(parse(t[i], &e, &why) == 1);
		CHECK(e.uid == (long)0x5a5a5a5a5a5a5a5aULL); /* untouched */
	}
}

TEST(auth_parse_bad)
{
	static const struct {
		const char *line, *why;
	} t[] = {
	    {":" H_Y, "empty user name"},
	    {"al ice:" H_Y, "bad character in user name"},
	    {" alice:" H_Y, "bad character in user name"},
	    {"al\x01ice:" H_Y, "control character"},
	    {"alice:" H_Y "\r", "control character"},
	    {"alice", "missing password field"},
	    {"alice:", "empty password field"},
	    {"alice::1:1", "empty password field"},
	    {"alice:{PLAIN}secret", "plaintext password scheme"},
	    {"alice:{plain}secret", "plaintext password scheme"},
	    {"alice:{CLEARTEXT}secret", "plaintext password scheme"},
	    {"alice:{PLAIN-MD5}5ebe2294ecd0e0f08eab7690d2a6ee69",
		"plaintext password scheme"},
	    {"alice:{SSHA}aGVsbG8=", "unsupported password scheme tag"},
	    {"alice:{MD5-CRYPT}$1$abc$0123456789012345678901",
		"unsupported password scheme tag"},
	    {"alice:{BLF-CRYPT" H_2B, "unterminated"},
	    {"alice:$1$abcdefgh$0123456789012345678901",
		"unsupported hash scheme (MD5-crypt"},
	    {"alice:abJnggxhB/yWI", "unsupported hash scheme (DES"},
	    {"alice:{CRYPT}abJnggxhB/yWI", "unsupported hash scheme"},
	    {"alice:$5$salt$abc", "unsupported hash scheme"},
	    {"alice:$2x$04$R1MSMCaX8GuHHrNhzwCEBOOj.jxKz4QAK7/zJZyHWNl"
	     "bvsx9.QWki",
		"unsupported hash scheme"},
	    {"alice:{SHA512-CRYPT}" H_Y, "does not match"},
	    {"alice:{BLF-CRYPT}" H_6, "does not match"},
	    {"alice:$6$salt", "malformed hash"},
	    {"alice:$y$j75$3rLNL8ag1ssQXN6Bu66wY.$short", "malformed"},
	    {"alice:$2b$03$R1MSMCaX8GuHHrNhzwCEBOOj.jxKz4QAK7/zJZyHWNl"
	     "bvsx9.QWki",
		"malformed"},
	    {"alice:$6$rounds=10$RhNPFCgwxf0Oj3nQ$Aq58dc/PTzOKRD8gyD3PC4"
	     "ckaJMny8RESnME2KurQFyTpkN2jvnZrX8blKjyy59z2owonbhP0gAtSdbD"
	     "V.p2r1",
		"malformed"},
	    {"alice:" H_Y ":abc:1", "bad uid or gid"},
	    {"alice:" H_Y ":1:-1", "bad uid or gid"},
	    {"alice:" H_Y ":4294967296:1", "bad uid or gid"},
	    {"alice:" H_Y ":1:1::home/alice", "absolute path"},
	    {"alice:" H_Y "::::::userdb_mail=mbox:~/mail",
		"unsupported mail format"},
	    {"alice:" H_Y "::::::mail=Maildir", "absolute path"},
	    {"alice:" H_Y "::::::nologin", "not supported"},
	    {"alice:" H_Y "::::::allow_nets=10.0.0.0/8", "not supported"},
	};
	struct pw_entry e;
	const char *why;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		why = NULL;
		if (!CHECK(parse(t[i].line, &e, &why) == -1)) {
			printf("  line %zu accepted\n", i);
			pw_entry_clear(&e);
			continue;
		}
		if (!CHECK(why != NULL && strstr(why, t[i].why) != NULL))
			printf("  line %zu: got \"%s\", want \"%s\"\n", i,
			    why ? why : "(null)", t[i].why);
	}
}

TEST(auth_parse_limits)
{
	char user[P3_USER_MAX + 2 + sizeof(H_Y)], *line;
	const char *why = NULL;
	struct pw_entry e;

	memset(user, 'u', P3_USER_MAX);
	memcpy(user + P3_USER_MAX, ":" H_Y, sizeof(":" H_Y));
	CHECK(parse(user, &e, &why) == 0);
	CHECK(strlen(e.user) == P3_USER_MAX);
	pw_entry_clear(&e);
	memset(user, 'u', P3_USER_MAX + 1);
	memcpy(user + P3_USER_MAX + 1, ":" H_Y, sizeof(":" H_Y));
	CHECK(parse(user, &e, &why) == -1);
	CHECK_STR(why, "user name too long");

	CHECK(pw_parse_line("alice:\0" H_Y, 7 + strlen(H_Y), &e, &why) == -1);
	CHECK(strstr(why, "NUL") != NULL);

	line = malloc(AUTH_LINE_MAX + 2);
	CHECK(line != NULL);
	if (line == NULL)
		return;
	memset(line, ' ', AUTH_LINE_MAX + 1);
	memcpy(line, "alice:" H_Y "::::::", 6 + strlen(H_Y) + 6);
	CHECK(pw_parse_line(line, AUTH_LINE_MAX + 1, &e, &why) == -1);
	CHECK_STR(why, "line too long");
	CHECK(pw_parse_line(line, AUTH_LINE_MAX, &e, &why) == 0);
	pw_entry_clear(&e);
	free(line);
}

TEST(auth_scheme_name)
{
	CHECK_STR(pw_scheme_name(H_Y), "yescrypt");
	CHECK_STR(pw_scheme_name(H_2B), "bcrypt");
	CHECK_STR(pw_scheme_name(H_2Y), "bcrypt");
	CHECK_STR(pw_scheme_name(H_6), "sha512-crypt");
	CHECK_STR(pw_scheme_name(H_6R), "sha512-crypt");
	CHECK(pw_scheme_name("$1$abcdefgh$0123456789012345678901") == NULL);
	CHECK(pw_scheme_name("abJnggxhB/yWI") == NULL);
	CHECK(pw_scheme_name("$y$j9T$") == NULL);
	CHECK(pw_scheme_name("") == NULL);
	CHECK(pw_user_valid("a", 1));
	CHECK(!pw_user_valid("", 0));
	CHECK(!pw_user_valid("a b", 3));
	CHECK(!pw_user_valid("a\0b", 3));
	CHECK(!pw_user_valid("a:b", 3));
	CHECK(!pw_user_valid("a\x7f", 2));
}

TEST(auth_load_ok)
{
	const char *path =
	    write_file("users", "# postie users\n"
				"\n"
				"alice:" H_Y "\r\n"
				"bob:{BLF-CRYPT}" H_2B ":1000:1000::/home/bob\n"
				"   # indented comment\n"
				"carol@example.org:" H_6R);
	struct pw_db *db = NULL;
	const struct pw_entry *e;
	char err[1024] = "";

	if (!CHECK(pw_load(path, &db, err, sizeof(err)) == 0)) {
		printf("  %s\n", err);
		return;
	}
	CHECK(pw_count(db) == 3);
	e = pw_find(db, "bob", 3);
	CHECK(e != NULL && strcmp(e->home, "/home/bob") == 0);
	CHECK(pw_find(db, "alicex", 5) == pw_entry_at(db, 0));
	CHECK(pw_find(db, "alice", 4) == NULL);
	CHECK(pw_find(db, "carol@example.org", 17) != NULL);
	CHECK(pw_find(db, "dave", 4) == NULL);
	CHECK(pw_find(db, "", 0) == NULL);
	CHECK_STR(pw_entry_at(db, 2)->user, "carol@example.org");
	CHECK(pw_entry_at(db, 3) == NULL);
	pw_free(&db);
	CHECK(db == NULL);
}

TEST(auth_load_many)
{
	char path[600], name[32];
	struct pw_db *db = NULL;
	char err[1024] = "";
	FILE *fp;
	int i, found = 0;

	CHECK(snprintf(path, sizeof(path), "%s/users", t_tmpdir()) > 0);
	fp = fopen(path, "w");
	if (!CHECK(fp != NULL))
		return;
	for (i = 0; i < 5000; i++)
		fprintf(fp, "user%d:" H_2B "\n", i);
	fclose(fp);
	CHECK(pw_load(path, &db, err, sizeof(err)) == 0);
	CHECK(pw_count(db) == 5000);
	for (i = 0; i < 5000; i++) {
		if (snprintf(name, sizeof(name), "user%d", i) > 0 &&
		    pw_find(db, name, strlen(name)) ==
			pw_entry_at(db, (size_t)i))
			found++;
	}
	CHECK(found == 5000);
	CHECK(pw_find(db, "user5000", 8) == NULL);
	pw_free(&db);
}

TEST(auth_load_errors)
{
	static const struct {
		const char *text, *line_why;
	} t[] = {
	    {"# x\nalice:" H_Y "\nbob:" H_2B "\nalice:" H_6 "\n",
		":4: duplicate user \"alice\" (first on line 2)"},
	    {"alice:" H_Y "\n\nbob:$1$abcdefgh$0123456789012345678901\n",
		":3: unsupported hash scheme"},
	    {"alice:{PLAIN}secret\n", ":1: plaintext password scheme"},
	    {"alice:" H_Y "\n:" H_Y "\n", ":2: empty user name"},
	};
	struct pw_db *db;
	const char *path;
	char err[1024], want[700];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		path = write_file("users", t[i].text);
		db = (struct pw_db *)1;
		err[0] = '\0';
		CHECK(pw_load(path, &db, err, sizeof(err)) == -1);
		CHECK(db == NULL);
		CHECK(snprintf(
			  want, sizeof(want), "%s%s", path, t[i].line_why) > 0);
		if (!CHECK(strncmp(err, want, strlen(want)) == 0))
			printf("  got \"%s\"\n  want \"%s\"\n", err, want);
	}
	CHECK(pw_load("/nonexistent/users", &db, err, sizeof(err)) == -1);
	CHECK(strstr(err, "/nonexistent/users") != NULL);
}

TEST(auth_load_long_line)
{
	static const char pre[] = "a:" H_Y "\nb:" H_Y "::::::";
	char *text = malloc(sizeof(pre) + AUTH_LINE_MAX + 2);
	const char *path;
	struct pw_db *db;
	char err[1024] = "";

	if (!CHECK(text != NULL))
		return;
	memcpy(text, pre, sizeof(pre) - 1);
	memset(text + sizeof(pre) - 1, 'x', AUTH_LINE_MAX);
	memcpy(text + sizeof(pre) - 1 + AUTH_LINE_MAX, "\n", 2);
	path = write_file("users", text);
	CHECK(pw_load(path, &db, err, sizeof(err)) == -1);
	CHECK(strstr(err, ":2: line too long") != NULL);
	free(text);
}

TEST(auth_crypt_known_answers)
{
	static const char *const h[] = {H_Y, H_2B, H_2Y, H_6R, H_6};
	size_t i;

	for (i = 0; i < sizeof(h) / sizeof(h[0]); i++) {
		CHECK(pw_crypt_match("hello", 5, h[i]) == 1);
		CHECK(pw_crypt_match("hellO", 5, h[i]) == 0);
		CHECK(pw_crypt_match("hello!", 5, h[i]) == 1); /* plen */
		CHECK(pw_crypt_match("hell", 4, h[i]) == 0);
		CHECK(pw_crypt_match("hello\0x", 7, h[i]) == 0);
	}
}
