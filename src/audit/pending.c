/* pending.c: TEMPORARY placeholders for probes not written yet; each
 * reports INCONCLUSIVE "not implemented yet" (never PASS). */
#include "audit/probe.h"



void
au_probe_auth05(struct au_ctx *x)
{
	au_set(x, AU_AUTH05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
	    "not implemented yet");
}










void
au_probe_proto05(struct au_ctx *x)
{
	au_set(x, AU_PROTO05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
	    "not implemented yet");
}

void
au_probe_proto06(struct au_ctx *x)
{
	au_set(x, AU_PROTO06, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
	    "not implemented yet");
}

void
au_probe_dos03(struct au_ctx *x)
{
	au_set(x, AU_DOS03, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
	    "not implemented yet");
}

void
au_probe_dos04(struct au_ctx *x)
{
	au_set(x, AU_DOS04, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
	    "not implemented yet");
}

void
au_probe_dos05(struct au_ctx *x)
{
	au_set(x, AU_DOS05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
	    "not implemented yet");
}

void
au_probe_auth06(struct au_ctx *x)
{
	au_set(x, AU_AUTH06, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
	    "not implemented yet");
}

void
au_probe_auth07(struct au_ctx *x)
{
	au_set(x, AU_AUTH07, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
	    "not implemented yet");
}

void
au_probe_auth08(struct au_ctx *x)
{
	au_set(x, AU_AUTH08, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
	    "not implemented yet");
}

void
au_idle_start(struct au_ctx *x)
{
	if (au_want(x, AU_DOS01))
		au_set(x, AU_DOS01, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "not implemented yet");
	if (au_want(x, AU_DOS02))
		au_set(x, AU_DOS02, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "not implemented yet");
}

void
au_idle_join(struct au_ctx *x)
{
	(void)x;
}
