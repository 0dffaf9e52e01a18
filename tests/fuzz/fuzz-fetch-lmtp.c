/* fuzz-fetch-lmtp.c: the LMTP/SMTP reply parser and the Return-Path
 * extraction on arbitrary bytes. Input: reply lines separated by LF. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "fetch/deliver.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	struct fd_reply r;
	char rp[300];
	int rc = 0;

	fd_reply_init(&r);
	while (p < end && rc == 0) {
		nl = memchr(p, '\n', (size_t)(end - p));
		if (nl == NULL)
			nl = end;
		rc = fd_reply_feed(&r, p, (size_t)(nl - p));
		p = nl + 1;
	}
	if (rc == 1 && (r.code < 200 || r.code > 599))
		__builtin_trap(); /* a complete reply has a valid code */
	fd_return_path((const char *)data, size, rp, sizeof(rp));
	if (rp[0] != '\0' && !fd_addr_ok(rp))
		__builtin_trap(); /* only plain addresses come out */
	return 0;
}
