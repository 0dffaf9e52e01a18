/* fuzz-config.c: the server's config-file parser on arbitrary bytes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "server/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct srv_conf c;
	char err[512];
	FILE *f;
	int rc;

	if (size == 0 ||
	    (f = fmemopen((void *)(uintptr_t)data, size, "r")) == NULL)
		return 0;
	conf_defaults(&c);
	err[0] = '\0';
	rc = conf_load_stream(&c, f, "fuzz", err, sizeof(err));
	fclose(f);
	if (rc < 0 && strncmp(err, "fuzz:", 5) != 0)
		__builtin_trap(); /* every error names the file and line */
	if (rc == 0)
		(void)conf_validate(&c, err, sizeof(err));
	conf_free(&c);
	return 0;
}
