/* handoff.h: the channel between the pre-login process and the mail
 * process (a SOCK_SEQPACKET socket pair). The pre-login process sends a
 * verified login: the connection's descriptor (SCM_RIGHTS; for TLS, one end
 * of a socket pair it relays through) and the client bytes it read ahead.
 * The mail process opens the mailbox and answers OK, or the -ERR line the
 * client must see; later it reports the end of each session. Frames are
 * src/auth/ipc.c frames and are decoded as distrustfully. */
#ifndef POSTIE_SERVER_HANDOFF_H
#define POSTIE_SERVER_HANDOFF_H

#include <stddef.h>
#include <stdint.h>

#include "auth/ipc.h"
#include "auth/ticket.h"
#include "lib/limits.h"

struct handoff {
	uint32_t id;
	char user[P3_USER_MAX + 1];
	char path[STORE_PATH_MAX];
	char peer[64];               /* "addr:port" */
	char host[48];               /* "addr" */
	char tlsver[16];             /* "TLSv1.3", or "" without TLS */
	const uint8_t *pending;      /* client bytes read ahead; borrowed */
	size_t plen;                 /* at most SRV_PENDING_MAX */
	char ticket[TICKET_LEN + 1]; /* from the credential process */
};

/* Send h with the descriptor fd. 0, or -1 (errno set). */
int handoff_send(int chan, const struct handoff *h, int fd);
/* Check an IPC_HANDOFF frame and copy its fields into h (pending points
 * into the frame). Strings must be non-empty where required, NUL-free and
 * fit; the path absolute without "." or ".." components. 0, or -1. */
int handoff_decode(const struct ipc_msg *m, struct handoff *h);
/* Send IPC_HANDOFF_REPLY: result is an ipc_result; line (no CRLF) is the
 * client's reply when the login could not be completed. 0 or -1. */
int handoff_send_reply(int chan, uint32_t id, int result, const char *line);
/* Check an IPC_HANDOFF_REPLY frame: its result and reply line (a "-ERR "
 * line of printable ASCII, copied into line). 0, or -1. */
int handoff_decode_reply(
    const struct ipc_msg *m, int *result_r, char *line, size_t linelen);
/* Send IPC_SESSION_END for id. 0 or -1. */
int handoff_send_end(int chan, uint32_t id);
/* Receive one frame into buf (cap >= IPC_FRAME_MAX) and decode it into m.
 * A descriptor that came with it is returned in *fd_r (else -1); more than
 * one, or a truncated one, is an error. 1: a frame; 0: none waiting;
 * -1: the channel is closed or sent garbage. */
int handoff_recv(
    int chan, uint8_t *buf, size_t cap, struct ipc_msg *m, int *fd_r);

#endif
