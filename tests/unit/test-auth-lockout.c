/* test-auth-lockout.c: the hard-lockout state file. */
#include <stdio.h>
#include <string.h>

#include "auth/lockout.h"
#include "harness.h"
#include "lib/util.h"

TEST(lockout_file_roundtrip)
{
	char path[600], def[600];
	FILE *f;
	char buf[256];
	size_t n;

	(void)str_fmt(path, sizeof(path), "%s/users.lockout", t_tmpdir());
	CHECK(lockout_default_path("/etc/postie/users", def, sizeof(def)) == 0);
	CHECK_STR(def, "/etc/postie/users.lockout");
	CHECK(lockout_get(path, "alice") == 0); /* no file yet */
	CHECK(lockout_set(path, "alice", 1) == 0);
	CHECK(lockout_set(path, "bob", 7) == 0);
	CHECK(lockout_set(path, "alice", 2) == 0);
	CHECK(lockout_get(path, "alice") == 2);
	CHECK(lockout_get(path, "bob") == 7);
	CHECK(lockout_get(path, "ali") == 0); /* no prefix match */
	CHECK(lockout_get(path, "alice2") == 0);
	CHECK(lockout_set(path, "alice", 0) == 0);
	CHECK(lockout_get(path, "alice") == 0);
	f = fopen(path, "r");
	CHECK(f != NULL);
	if (f != NULL) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = '\0';
		fclose(f);
		CHECK_STR(buf, "bob 7\n"); /* alice's line is gone */
	}
}

TEST(lockout_file_ignores_junk)
{
	char path[600];
	FILE *f;

	(void)str_fmt(path, sizeof(path), "%s/l", t_tmpdir());
	f = fopen(path, "w");
	if (f != NULL) {
		fputs("garbage\nalice x\nalice 3\n\ncarol 99999999999\n", f);
		fclose(f);
	}
	CHECK(lockout_get(path, "alice") == 3);
	CHECK(lockout_get(path, "carol") == 0);
	CHECK(lockout_set(path, "dave", 1) == 0);
	CHECK(lockout_get(path, "alice") == 3);
	CHECK(lockout_get(path, "dave") == 1);
}
