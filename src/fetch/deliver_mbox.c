/* deliver_mbox.c: mboxrd delivery with fcntl and dotlock locking. */
#include <string.h>

#include "fetch/run.h"
#include "fetch/verify.h"

int
fr_settle_mbox(struct fr_ctx *c, const struct fs_intent *in, bool *found_r,
    char sha[65], uint64_t *size_r)
{
	*found_r = false;
	sha[0] = '\0';
	*size_r = 0;
	return fr_fail(c, FX_FAIL, "mbox recovery not implemented yet (%s)",
	    in->dest);
}

int
fv_mbox_hash(const char *path, const char *location, char hex[65],
    uint64_t *size_r)
{
	(void)path;
	(void)location;
	hex[0] = '\0';
	*size_r = 0;
	return -1;
}
