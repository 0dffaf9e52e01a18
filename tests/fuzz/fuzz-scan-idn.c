/* fuzz-scan-idn.c: punycode labels and host names (src/scan/idn.c). The
 * input is a host name. Checked: decoded code points are Unicode scalar
 * values, UTF-8 output is valid and bounded, skeletons are idempotent for
 * ASCII results. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "scan/idn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t cp[64];
	char *host, out[1024], sk[1024], sk2[1024], label[256] = "";
	size_t n, i;

	if (idn_punycode_decode((const char *)data, size, cp, 64, &n) == 0) {
		if (n > 64)
			abort();
		for (i = 0; i < n; i++)
			if (cp[i] > 0x10ffff ||
			    (cp[i] >= 0xd800 && cp[i] <= 0xdfff))
				abort();
	}
	if (size > 300 || (host = malloc(size + 1)) == NULL)
		return 0;
	memcpy(host, data, size);
	host[size] = '\0';
	if (strlen(host) == size &&
	    idn_to_unicode(host, out, sizeof(out)) == 0) {
		if (strlen(out) >= sizeof(out))
			abort();
		if (g_utf8_validate(host, -1, NULL) &&
		    !g_utf8_validate(out, -1, NULL))
			abort();
		(void)idn_mixed_script(out, label, sizeof(label));
		if (strnlen(label, sizeof(label)) >= sizeof(label))
			abort();
		(void)idn_whole_script_confusable(out);
		if (idn_skeleton(out, sk, sizeof(sk)) == 0) {
			bool ascii = true;

			for (i = 0; sk[i] != '\0'; i++)
				if ((unsigned char)sk[i] >= 0x80)
					ascii = false;
			if (ascii && idn_skeleton(sk, sk2, sizeof(sk2)) == 0 &&
			    strlen(sk2) > strlen(sk))
				abort();
		}
	}
	free(host);
	return 0;
}
