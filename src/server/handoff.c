/* handoff.c: frames and descriptor passing between the pre-login and the
 * mail process. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lib/num.h"
#include "lib/util.h"
#include "server/handoff.h"

static struct p3_span
span(const char *s)
{
	struct p3_span sp = {s, strlen(s)};

	return sp;
}

/* Copy a field into a C string: it must fit, hold no NUL, and be non-empty
 * when required. 0 or -1. */
static int
field_str(struct p3_span f, char *out, size_t outlen, bool required)
{
	if (f.len >= outlen || (required && f.len == 0) ||
	    memchr(f.p, '\0', f.len) != NULL)
		return -1;
	memcpy(out, f.p, f.len);
	out[f.len] = '\0';
	return 0;
}

/* The mailbox path must be absolute, without "." or ".." components (the
 * credential process built it; the pre-login process only carried it). */
static bool
path_ok(const char *p)
{
	const char *s = p;

	if (p[0] != '/')
		return false;
	while ((s = strstr(s, "/.")) != NULL) {
		if (s[2] == '/' || s[2] == '\0' ||
		    (s[2] == '.' && (s[3] == '/' || s[3] == '\0')))
			return false;
		s += 2;
	}
	return true;
}

static int
send_frame(int chan, const uint8_t *buf, size_t len, int fd)
{
	struct iovec iov = {(void *)(uintptr_t)buf, len};
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr msg;
	ssize_t n;

	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	if (fd >= 0) {
		memset(&cm, 0, sizeof(cm));
		msg.msg_control = cm.b;
		msg.msg_controllen = sizeof(cm.b);
		cm.h.cmsg_level = SOL_SOCKET;
		cm.h.cmsg_type = SCM_RIGHTS;
		cm.h.cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(&cm.h), &fd, sizeof(int));
	}
	do
		n = sendmsg(chan, &msg, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)len ? 0 : -1;
}

int
handoff_send(int chan, const struct handoff *h, int fd)
{
	uint8_t buf[IPC_FRAME_MAX];
	struct p3_span f[7] = {span(h->user), span(h->path), span(h->peer),
	    span(h->host), span(h->tlsver), {(const char *)h->pending, h->plen},
	    span(h->ticket)};
	int n;

	if (h->plen > SRV_PENDING_MAX ||
	    (n = ipc_encode(IPC_HANDOFF, h->id, f, 7, buf, sizeof(buf))) < 0) {
		errno = EMSGSIZE;
		return -1;
	}
	return send_frame(chan, buf, (size_t)n, fd);
}

int
handoff_decode(const struct ipc_msg *m, struct handoff *h)
{
	memset(h, 0, sizeof(*h));
	if (ipc_expect(m, IPC_HANDOFF, 7) < 0 ||
	    field_str(m->f[0], h->user, sizeof(h->user), true) < 0 ||
	    field_str(m->f[1], h->path, sizeof(h->path), true) < 0 ||
	    !path_ok(h->path) ||
	    field_str(m->f[2], h->peer, sizeof(h->peer), true) < 0 ||
	    field_str(m->f[3], h->host, sizeof(h->host), true) < 0 ||
	    field_str(m->f[4], h->tlsver, sizeof(h->tlsver), false) < 0 ||
	    m->f[5].len > SRV_PENDING_MAX ||
	    field_str(m->f[6], h->ticket, sizeof(h->ticket), true) < 0)
		return -1;
	h->id = m->id;
	h->pending = (const uint8_t *)m->f[5].p;
	h->plen = m->f[5].len;
	return 0;
}

int
handoff_send_reply(int chan, uint32_t id, int result, const char *line)
{
	uint8_t buf[IPC_FRAME_MAX];
	char res[4];
	struct p3_span f[2];
	int n;

	(void)str_fmt(res, sizeof(res), "%d", result);
	f[0] = span(res);
	f[1] = span(result == IPC_RES_OK ? "" : line);
	if ((n = ipc_encode(IPC_HANDOFF_REPLY, id, f, 2, buf, sizeof(buf))) < 0)
		return -1;
	return send_frame(chan, buf, (size_t)n, -1);
}

int
handoff_decode_reply(
    const struct ipc_msg *m, int *result_r, char *line, size_t linelen)
{
	uint64_t res;
	size_t i;

	if (ipc_expect(m, IPC_HANDOFF_REPLY, 2) < 0 ||
	    num_parse_u64(
		m->f[0].p, m->f[0].len, IPC_RES_OK, IPC_RES_TEMP, &res) < 0 ||
	    field_str(m->f[1], line, linelen, res != IPC_RES_OK) < 0)
		return -1;
	if (res != IPC_RES_OK) {
		if (strncmp(line, "-ERR ", 5) != 0)
			return -1;
		for (i = 0; line[i] != '\0'; i++)
			if (line[i] < 0x20 || line[i] > 0x7e)
				return -1;
	}
	*result_r = (int)res;
	return 0;
}

int
handoff_send_end(int chan, uint32_t id)
{
	uint8_t buf[16];
	int n = ipc_encode(IPC_SESSION_END, id, NULL, 0, buf, sizeof(buf));

	return n < 0 ? -1 : send_frame(chan, buf, (size_t)n, -1);
}

int
handoff_recv(int chan, uint8_t *buf, size_t cap, struct ipc_msg *m, int *fd_r)
{
	struct iovec iov = {buf, cap};
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(2 * sizeof(int))];
	} cm;
	struct msghdr msg;
	struct cmsghdr *h;
	ssize_t n;
	int bad = 0;

	*fd_r = -1;
	memset(&msg, 0, sizeof(msg));
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cm.b;
	msg.msg_controllen = sizeof(cm.b);
	do
		n = recvmsg(chan, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EAGAIN || errno == EWOULDBLOCK ? 0 : -1;
	for (h = CMSG_FIRSTHDR(&msg); h != NULL; h = CMSG_NXTHDR(&msg, h)) {
		size_t nfd, i;
		int fd;

		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS)
			continue;
		nfd = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < nfd; i++) {
			memcpy(
			    &fd, CMSG_DATA(h) + i * sizeof(int), sizeof(int));
			if (*fd_r < 0)
				*fd_r = fd;
			else {
				close(fd);
				bad = 1;
			}
		}
	}
	if (n == 0 || bad || (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) != 0 ||
	    ipc_decode(buf, (size_t)n, m) < 0) {
		if (*fd_r >= 0)
			close(*fd_r);
		*fd_r = -1;
		return -1;
	}
	return 1;
}
