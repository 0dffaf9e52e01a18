/* main.c: unit-test runner. Usage: unit-tests [SUBSTRING...] */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define MAX_TESTS 2048

static struct {
	const char *name;
	void (*fn)(void);
} tests[MAX_TESTS];
static int ntests;
static int cur_failed;
static const char *cur_name;
static char tmproot[256];

void
t_register(const char *name, void (*fn)(void))
{
	if (ntests == MAX_TESTS) {
		fputs("too many tests\n", stderr);
		exit(2);
	}
	tests[ntests].name = name;
	tests[ntests].fn = fn;
	ntests++;
}

int
t_check(int ok, const char *expr, const char *file, int line)
{
	if (!ok) {
		printf("FAIL %s: %s:%d: %s\n", cur_name, file, line, expr);
		cur_failed++;
	}
	return ok;
}

static void
print_esc(const void *p, size_t len)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < len && i < 200; i++) {
		if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\')
			putchar(s[i]);
		else
			printf("\\x%02x", s[i]);
	}
	if (len > 200)
		fputs("...", stdout);
}

int
t_check_mem(const void *a, size_t alen, const void *b, size_t blen,
    const char *expr, const char *file, int line)
{
	int ok = alen == blen && (alen == 0 || memcmp(a, b, alen) == 0);

	if (!ok) {
		printf("FAIL %s: %s:%d: %s\n  got:  \"", cur_name, file, line,
		    expr);
		print_esc(a, alen);
		fputs("\"\n  want: \"", stdout);
		print_esc(b, blen);
		fputs("\"\n", stdout);
		cur_failed++;
	}
	return ok;
}

int
t_check_str(
    const char *a, const char *b, const char *expr, const char *file, int line)
{
	if (a == NULL || b == NULL)
		return t_check(a == b, expr, file, line);
	return t_check_mem(a, strlen(a), b, strlen(b), expr, file, line);
}

const char *
t_tmpdir(void)
{
	static char dir[512];
	static int seq;
	int n;

	n = snprintf(dir, sizeof(dir), "%s/t%d", tmproot, seq++);
	if (n < 0 || (size_t)n >= sizeof(dir) ||
	    (mkdir(tmproot, 0700) != 0 && errno != EEXIST) ||
	    mkdir(dir, 0700) != 0) {
		perror("t_tmpdir");
		exit(2);
	}
	return dir;
}

int
main(int argc, char **argv)
{
	int i, j, passed = 0, failed = 0;
	char cmd[300];

	if (snprintf(tmproot, sizeof(tmproot), "/tmp/postie-unit.%d",
		(int)getpid()) >= (int)sizeof(tmproot))
		return 2;
	for (i = 0; i < ntests; i++) {
		int want = argc < 2;
		for (j = 1; j < argc; j++)
			if (strstr(tests[i].name, argv[j]) != NULL)
				want = 1;
		if (!want)
			continue;
		cur_name = tests[i].name;
		cur_failed = 0;
		tests[i].fn();
		if (cur_failed == 0)
			passed++;
		else
			failed++;
	}
	if (snprintf(cmd, sizeof(cmd), "rm -rf %s", tmproot) < (int)sizeof(cmd))
		if (system(cmd) != 0)
			fputs("warning: could not remove test dir\n", stderr);
	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
