/* md-uidl.c: see md-uidl.h. */
#include "md-uidl.h"

const char *
uidl_at(const struct maildir *md, uint32_t i)
{
	static char u[2][P3_UIDL_MAX + 1];
	static int k;

	k ^= 1;
	md_uidl_copy(md, i, u[k]);
	return u[k];
}
