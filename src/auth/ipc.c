/* ipc.c: frame encoding and distrustful decoding. */
#include <string.h>

#include "auth/ipc.h"

#define HDR_LEN 6

int
ipc_encode(uint8_t type, uint32_t id, const struct p3_span *f, int nf,
    uint8_t *out, size_t cap)
{
	size_t o = HDR_LEN;
	int i;

	if (nf < 0 || nf > IPC_FIELDS_MAX || cap < HDR_LEN)
		return -1;
	out[0] = type;
	out[1] = (uint8_t)nf;
	out[2] = (uint8_t)(id & 0xff);
	out[3] = (uint8_t)((id >> 8) & 0xff);
	out[4] = (uint8_t)((id >> 16) & 0xff);
	out[5] = (uint8_t)(id >> 24);
	for (i = 0; i < nf; i++) {
		if (f[i].len > 0xffff || cap - o < 2 || cap - o - 2 < f[i].len)
			return -1;
		out[o++] = (uint8_t)(f[i].len & 0xff);
		out[o++] = (uint8_t)(f[i].len >> 8);
		if (f[i].len > 0)
			memcpy(out + o, f[i].p, f[i].len);
		o += f[i].len;
	}
	if (o > (size_t)IPC_FRAME_MAX)
		return -1;
	return (int)o;
}

int
ipc_decode(const uint8_t *buf, size_t len, struct ipc_msg *m)
{
	size_t o = HDR_LEN;
	int i;

	if (len < HDR_LEN || len > IPC_FRAME_MAX || buf[1] > IPC_FIELDS_MAX)
		return -1;
	m->type = buf[0];
	m->nfields = buf[1];
	m->id = (uint32_t)buf[2] | (uint32_t)buf[3] << 8 |
		(uint32_t)buf[4] << 16 | (uint32_t)buf[5] << 24;
	for (i = 0; i < m->nfields; i++) {
		size_t fl;

		if (len - o < 2)
			return -1;
		fl = (size_t)buf[o] | (size_t)buf[o + 1] << 8;
		o += 2;
		if (len - o < fl)
			return -1;
		m->f[i].p = (const char *)buf + o;
		m->f[i].len = fl;
		o += fl;
	}
	return o == len ? 0 : -1;
}

int
ipc_expect(const struct ipc_msg *m, uint8_t type, int nfields)
{
	return m->type == type && m->nfields == nfields ? 0 : -1;
}
