/* fuzz-pwline.c: pw_parse_line on arbitrary bytes; a parsed entry is also
 * run through pw_scheme_name and pw_mail_path with its own mail template. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "auth/passwd.h"
#include "lib/limits.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pw_entry e;
	const char *why = NULL;
	char out[STORE_PATH_MAX];
	int r;

	r = pw_parse_line((const char *)data, size, &e, &why);
	if (r < 0 && (why == NULL || why[0] == '\0'))
		__builtin_trap();
	if (r != 0)
		return 0;
	if (pw_scheme_name(e.hash) == NULL || e.user[0] == '\0' ||
	    strchr(e.user, ':') != NULL)
		__builtin_trap(); /* the parser let a bad entry through */
	(void)pw_mail_path(e.mail[0] != '\0' ? e.mail : "/var/mail/%d/%n", &e,
	    out, sizeof(out));
	pw_entry_clear(&e);
	return 0;
}
