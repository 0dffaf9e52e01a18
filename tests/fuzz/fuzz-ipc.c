/* fuzz-ipc.c: the privilege-separation frame decoder on arbitrary bytes,
 * and the handoff decoders of the mail and pre-login processes on every
 * frame that decodes. A frame that decodes must re-encode to the same
 * bytes; a decoded handoff must hold only what its checks promise. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "auth/ipc.h"
#include "server/handoff.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t out[IPC_FRAME_MAX];
	static struct handoff h;
	struct ipc_msg m;
	char line[256];
	int n, res;

	if (ipc_decode(data, size, &m) < 0)
		return 0;
	if (m.nfields < 0 || m.nfields > IPC_FIELDS_MAX)
		__builtin_trap();
	n = ipc_encode(m.type, m.id, m.f, m.nfields, out, sizeof(out));
	if (n < 0 || (size_t)n != size || memcmp(out, data, size) != 0)
		__builtin_trap();
	if (handoff_decode(&m, &h) == 0 &&
	    (h.path[0] != '/' || h.user[0] == '\0' ||
		h.plen > SRV_PENDING_MAX || strlen(h.user) >= sizeof(h.user)))
		__builtin_trap();
	if (handoff_decode_reply(&m, &res, line, sizeof(line)) == 0 &&
	    (res < IPC_RES_OK || res > IPC_RES_TEMP ||
		(res != IPC_RES_OK && strncmp(line, "-ERR ", 5) != 0)))
		__builtin_trap();
	return 0;
}
