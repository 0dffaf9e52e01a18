/* daemon.c: postie fetch --daemon (placeholder until implemented). */
#include <stdio.h>

#include "fetch/multi.h"

int
fm_daemon(struct fm_job *jobs, size_t n, const struct fr_opts *o,
    unsigned parallel)
{
	(void)jobs;
	(void)n;
	(void)o;
	(void)parallel;
	fputs("postie fetch: --daemon is not implemented yet\n", stderr);
	return FX_USAGE;
}
