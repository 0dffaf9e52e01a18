/* fuzz-ipc.c: the privilege-separation frame decoder on arbitrary bytes.
 * A frame that decodes must re-encode to the same bytes. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "auth/ipc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[IPC_FRAME_MAX];
	struct ipc_msg m;
	int n;

	if (ipc_decode(data, size, &m) < 0)
		return 0;
	if (m.nfields < 0 || m.nfields > IPC_FIELDS_MAX)
		__builtin_trap();
	n = ipc_encode(m.type, m.id, m.f, m.nfields, out, sizeof(out));
	if (n < 0 || (size_t)n != size || memcmp(out, data, size) != 0)
		__builtin_trap();
	return 0;
}
