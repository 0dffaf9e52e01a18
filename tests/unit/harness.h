/* harness.h: a tiny self-registering unit-test harness.
 *     TEST(proto_dotenc_basic) { CHECK(x == 1); CHECK_STR(a, "b"); }
 * Each TEST is one case; it passes when none of its checks fails. The runner
 * (main.c) prints failures and ends with "N passed, N failed". */
#ifndef POSTIE_TEST_HARNESS_H
#define POSTIE_TEST_HARNESS_H

#include <stddef.h>
#include <string.h>

void t_register(const char *name, void (*fn)(void));
int t_check(int ok, const char *expr, const char *file, int line);
int t_check_mem(const void *a, size_t alen, const void *b, size_t blen,
    const char *expr, const char *file, int line);
/* Compare two NUL-terminated strings; each argument is evaluated once. */
int t_check_str(
    const char *a, const char *b, const char *expr, const char *file, int line);
/* Make a fresh empty directory for a test; returns its path (static). */
const char *t_tmpdir(void);

#define TEST(name)                                                             \
	static void name(void);                                                \
	__attribute__((constructor)) static void reg_##name(void)              \
	{                                                                      \
		t_register(#name, name);                                       \
	}                                                                      \
	static void name(void)

#define CHECK(cond) t_check(!!(cond), #cond, __FILE__, __LINE__)
#define CHECK_MEM(a, alen, b, blen)                                            \
	t_check_mem((a), (alen), (b), (blen), #a " == " #b, __FILE__, __LINE__)
#define CHECK_STR(a, b) t_check_str((a), (b), #a " == " #b, __FILE__, __LINE__)

#endif
