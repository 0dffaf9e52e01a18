/* fuzz-mdname.c: Maildir file names (md_name_parse), the UIDL mapping
 * (md_uidl_from_base) and the seen-flag rename (md_name_with_flag). The input
 * is one file name. Checked: parse results lie inside the name, every UIDL is
 * 1..70 octets of 0x21..0x7E, and a flag change keeps base and UIDL. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store/maildir.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check_uidl(const char *u)
{
	size_t i, n = strnlen(u, P3_UIDL_MAX + 1);

	if (n < 1 || n > P3_UIDL_MAX)
		abort();
	for (i = 0; i < n; i++)
		if ((unsigned char)u[i] < 0x21 || (unsigned char)u[i] > 0x7e)
			abort();
}

static void
check_parsed(const char *name, size_t len, const struct md_name *r)
{
	if (len < 1 || len > STORE_NAME_MAX || name[0] == '.' ||
	    memchr(name, '/', len) != NULL || memchr(name, '\0', len) != NULL)
		abort();
	if (r->base_len < 1 || r->base_len > len ||
	    (r->base_len < len && name[r->base_len] != ':') ||
	    memchr(name, ':', r->base_len) != NULL)
		abort();
	if (r->s_size < -1 || r->w_size < -1 || (r->seen && !r->has_info))
		abort();
	if (r->has_info && (len - r->base_len < 3 ||
			       memcmp(name + r->base_len, ":2,", 3) != 0))
		abort();
}

/* Give name the flag: the result keeps the base (so the UIDL) and has it. */
static void
check_flag(const char *name, size_t len, const struct md_name *r,
    const char *uidl, char flag)
{
	char out[STORE_NAME_MAX + 1], again[STORE_NAME_MAX + 1];
	char u2[P3_UIDL_MAX + 1];
	struct md_name r2;
	int n;

	n = md_name_with_flag(name, len, flag, out, sizeof(out));
	if (n < 0)
		return;
	if (n == 0) {
		if (!r->has_info ||
		    memchr(name + r->base_len, flag, len - r->base_len) == NULL)
			abort();
		return;
	}
	if ((size_t)n != strlen(out) || md_name_parse(out, (size_t)n, &r2) != 0)
		abort();
	check_parsed(out, (size_t)n, &r2);
	if (r2.base_len != r->base_len || !r2.has_info ||
	    (flag == 'S' && !r2.seen) || r2.s_size != r->s_size ||
	    r2.w_size != r->w_size || !md_name_has_base(out, name, r->base_len))
		abort();
	md_uidl_from_base(out, r2.base_len, u2);
	if (strcmp(uidl, u2) != 0)
		abort();
	if (md_name_with_flag(out, (size_t)n, flag, again, sizeof(again)) != 0)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char uidl[P3_UIDL_MAX + 1], raw[P3_UIDL_MAX + 1];
	struct md_name r;
	char *name;

	/* Any byte string maps to a valid UIDL, the empty one included. */
	md_uidl_from_base((const char *)data, size, raw);
	check_uidl(raw);
	if (md_name_parse((const char *)data, size, &r) != 0)
		return 0;
	if ((name = malloc(size + 1)) == NULL)
		return 0;
	memcpy(name, data, size);
	name[size] = '\0';
	check_parsed(name, size, &r);
	md_uidl_from_base(name, r.base_len, uidl);
	check_uidl(uidl);
	if (r.base_len == size && strcmp(uidl, raw) != 0)
		abort();
	if (!md_name_has_base(name, name, r.base_len))
		abort();
	check_flag(name, size, &r, uidl, 'S');
	check_flag(name, size, &r, uidl, 'a');
	free(name);
	return 0;
}
