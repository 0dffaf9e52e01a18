/* ipc.h: typed, length-checked frames between privilege domains.
 * A frame is: type (u8), field count (u8), id (u32 LE), then per field a
 * u16 LE length and that many bytes. The decoder fails closed: the field
 * lengths must add up to the frame exactly; nothing is trusted. */
#ifndef POSTIE_AUTH_IPC_H
#define POSTIE_AUTH_IPC_H

#include <stddef.h>
#include <stdint.h>

#include "lib/limits.h"
#include "proto/pop3.h"

#define IPC_FIELDS_MAX 8

enum ipc_type {
	IPC_AUTH_PASS = 1,     /* id; user, password, peer host */
	IPC_AUTH_REPLY = 2,    /* id; result, user, mailbox path, uid, gid,
				* login ticket ("" unless OK; ticket.h) */
	IPC_AUTH_APOP = 3,     /* id; user, digest (32 hex), timestamp, peer */
	IPC_SASL_START = 4,    /* id; mech, channel binding (base64 or ""),
				* client-first (base64), peer */
	IPC_SASL_STEP = 5,     /* id; xid (decimal), client message (base64) */
	IPC_SASL_ABORT = 6,    /* 0; xid (decimal). No reply. */
	IPC_SASL_REPLY = 7,    /* id; result, xid, user, mailbox path, uid, gid,
				* server message (base64; "" with OK: no final
				* message), login ticket */
	IPC_HANDOFF = 8,       /* id; user, mailbox path, peer, host, TLS
				* version ("" for none), unread client bytes,
				* login ticket; with the connection's
				* descriptor */
	IPC_HANDOFF_REPLY = 9, /* id; result, the -ERR line if not OK */
	IPC_SESSION_END = 10   /* id; a handed-off session ended */
};

enum ipc_result {
	IPC_RES_OK = 0,
	IPC_RES_FAIL = 1,
	IPC_RES_TEMP = 2,
	IPC_RES_CONT = 3 /* SASL: send the challenge, wait for more */
};

struct ipc_msg {
	uint8_t type;
	uint32_t id;
	int nfields;
	struct p3_span f[IPC_FIELDS_MAX]; /* borrowed from the input buffer */
};

/* Encode a frame into out[0..cap). Returns its length, or -1 if it does not
 * fit or a field is longer than 65535 bytes. */
int ipc_encode(uint8_t type, uint32_t id, const struct p3_span *f, int nf,
    uint8_t *out, size_t cap);
/* Decode a frame; m's fields point into buf. 0, or -1 if malformed. */
int ipc_decode(const uint8_t *buf, size_t len, struct ipc_msg *m);
/* Check that a message has the type and exact field count expected. */
int ipc_expect(const struct ipc_msg *m, uint8_t type, int nfields);

#endif
