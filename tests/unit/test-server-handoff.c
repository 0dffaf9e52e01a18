/* test-server-handoff.c: the pre-login -> mail process channel: frames and
 * descriptors over a real SOCK_SEQPACKET pair, and distrustful decoding. */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "lib/util.h"
#include "auth/ticket.h"
#include "server/handoff.h"

static void
fill(struct handoff *h)
{
	memset(h, 0, sizeof(*h));
	h->id = 77;
	(void)str_copy(h->user, "alice", sizeof(h->user));
	(void)str_copy(h->path, "/var/mail/alice/Maildir", sizeof(h->path));
	(void)str_copy(h->peer, "127.0.0.1:4242", sizeof(h->peer));
	(void)str_copy(h->host, "127.0.0.1", sizeof(h->host));
	(void)str_copy(h->tlsver, "TLSv1.3", sizeof(h->tlsver));
	h->pending = (const uint8_t *)"STAT\r\nLIST\r\n";
	h->plen = 12;
	(void)str_copy(h->ticket, "123.abc", sizeof(h->ticket));
}

TEST(handoff_roundtrip_with_descriptor)
{
	static uint8_t buf[IPC_FRAME_MAX];
	struct handoff h, got;
	struct ipc_msg m;
	struct stat a, b;
	int sv[2], fd, rfd = -1;

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	fd = open("/dev/null", O_RDONLY);
	CHECK(fd >= 0);
	fill(&h);
	CHECK(handoff_send(sv[0], &h, fd) == 0);
	CHECK(handoff_recv(sv[1], buf, sizeof(buf), &m, &rfd) == 1);
	CHECK(rfd >= 0 && rfd != fd);
	CHECK(fstat(fd, &a) == 0 && fstat(rfd, &b) == 0);
	CHECK(a.st_ino == b.st_ino && a.st_dev == b.st_dev);
	CHECK(handoff_decode(&m, &got) == 0);
	CHECK(got.id == 77);
	CHECK_STR(got.user, "alice");
	CHECK_STR(got.path, "/var/mail/alice/Maildir");
	CHECK_STR(got.peer, "127.0.0.1:4242");
	CHECK_STR(got.tlsver, "TLSv1.3");
	CHECK_MEM(got.pending, got.plen, "STAT\r\nLIST\r\n", (size_t)12);
	CHECK_STR(got.ticket, "123.abc");
	/* Nothing more waiting. */
	CHECK(handoff_recv(sv[1], buf, sizeof(buf), &m, &rfd) == 0);
	close(fd);
	close(rfd);
	close(sv[0]);
	close(sv[1]);
}

TEST(handoff_reply_and_end)
{
	static uint8_t buf[IPC_FRAME_MAX];
	struct ipc_msg m;
	char line[256];
	int sv[2], rfd, res = -1;

	CHECK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv) == 0);
	CHECK(handoff_send_reply(sv[0], 5, 1,
		  "-ERR [IN-USE] Mailbox is locked by another session") == 0);
	CHECK(handoff_send_reply(sv[0], 6, 0, "ignored") == 0);
	CHECK(handoff_send_end(sv[0], 6) == 0);
	CHECK(handoff_recv(sv[1], buf, sizeof(buf), &m, &rfd) == 1);
	CHECK(rfd == -1 && m.id == 5);
	CHECK(handoff_decode_reply(&m, &res, line, sizeof(line)) == 0);
	CHECK(res == 1);
	CHECK_STR(line, "-ERR [IN-USE] Mailbox is locked by another session");
	CHECK(handoff_recv(sv[1], buf, sizeof(buf), &m, &rfd) == 1);
	CHECK(handoff_decode_reply(&m, &res, line, sizeof(line)) == 0);
	CHECK(res == 0 && line[0] == '\0');
	CHECK(handoff_recv(sv[1], buf, sizeof(buf), &m, &rfd) == 1);
	CHECK(m.type == IPC_SESSION_END && m.nfields == 0 && m.id == 6);
	close(sv[1]); /* the peer is gone: an error, not "nothing yet" */
	CHECK(handoff_recv(sv[0], buf, sizeof(buf), &m, &rfd) == -1);
	close(sv[0]);
}

/* Encode fields as a raw IPC_HANDOFF frame and decode it. */
static int
decode_fields(const struct p3_span *f, int nf, int type)
{
	uint8_t buf[IPC_FRAME_MAX];
	struct ipc_msg m;
	struct handoff h;
	int n = ipc_encode((uint8_t)type, 1, f, nf, buf, sizeof(buf));

	if (n < 0 || ipc_decode(buf, (size_t)n, &m) < 0)
		return -2;
	return handoff_decode(&m, &h);
}

TEST(handoff_decode_rejects_bad_frames)
{
	struct p3_span ok[7] = {{"alice", 5}, {"/m/alice", 8}, {"1.2.3.4:5", 9},
	    {"1.2.3.4", 7}, {"", 0}, {"", 0}, {"1.ab", 4}};
	struct p3_span f[7];
	static char big[SRV_PENDING_MAX + 1];

	CHECK(decode_fields(ok, 7, IPC_HANDOFF) == 0);
	CHECK(decode_fields(ok, 6, IPC_HANDOFF) == -1);       /* count */
	CHECK(decode_fields(ok, 7, IPC_HANDOFF_REPLY) == -1); /* type */
	memcpy(f, ok, sizeof(f));
	f[0].len = 0; /* no user */
	CHECK(decode_fields(f, 7, IPC_HANDOFF) == -1);
	memcpy(f, ok, sizeof(f));
	f[0].p = "ali\0e"; /* NUL inside */
	CHECK(decode_fields(f, 7, IPC_HANDOFF) == -1);
	memcpy(f, ok, sizeof(f));
	f[1].p = "m/alice"; /* relative path */
	f[1].len = 7;
	CHECK(decode_fields(f, 7, IPC_HANDOFF) == -1);
	f[1].p = "/m/../root"; /* a ".." component */
	f[1].len = 10;
	CHECK(decode_fields(f, 7, IPC_HANDOFF) == -1);
	f[1].p = "/m/./x"; /* a "." component */
	f[1].len = 6;
	CHECK(decode_fields(f, 7, IPC_HANDOFF) == -1);
	f[1].p = "/m/.x/..y"; /* dots inside names are fine */
	f[1].len = 9;
	CHECK(decode_fields(f, 7, IPC_HANDOFF) == 0);
	memcpy(f, ok, sizeof(f));
	f[4].p = "TLSv1.3-and-much-more"; /* does not fit */
	f[4].len = strlen(f[4].p);
	CHECK(decode_fields(f, 7, IPC_HANDOFF) == -1);
	memcpy(f, ok, sizeof(f));
	memset(big, 'A', sizeof(big));
	f[5].p = big; /* more read-ahead than allowed */
	f[5].len = sizeof(big);
	CHECK(decode_fields(f, 7, IPC_HANDOFF) == -1);
	memcpy(f, ok, sizeof(f));
	f[6].len = 0; /* no ticket */
	CHECK(decode_fields(f, 7, IPC_HANDOFF) == -1);
}

TEST(ticket_genuine_only)
{
	char t[TICKET_LEN + 1], bad[TICKET_LEN + 1];
	const char *p = "/var/mail/alice/Maildir";

	CHECK(ticket_init(60) == 0);
	CHECK(ticket_make("alice", p, 1000, t, sizeof(t)) == 0);
	CHECK(strlen(t) <= TICKET_LEN);
	CHECK(ticket_check(t, "alice", p, 1000) == 0);
	CHECK(ticket_check(t, "alice", p, 61000) == 0);  /* last moment */
	CHECK(ticket_check(t, "alice", p, 61001) == -1); /* expired */
	CHECK(ticket_check(t, "bob", p, 1000) == -1);    /* other user */
	CHECK(ticket_check(t, "alice", "/var/mail/bob/Maildir", 1000) == -1);
	/* A later expiry with the old MAC, or one flipped MAC digit. */
	memcpy(bad, t, sizeof(bad));
	bad[0] = bad[0] == '9' ? '8' : (char)(bad[0] + 1);
	CHECK(ticket_check(bad, "alice", p, 1000) == -1);
	memcpy(bad, t, sizeof(bad));
	bad[strlen(bad) - 1] = bad[strlen(bad) - 1] == '0' ? '1' : '0';
	CHECK(ticket_check(bad, "alice", p, 1000) == -1);
	CHECK(ticket_check("", "alice", p, 1000) == -1);
	CHECK(ticket_check("1.", "alice", p, 1000) == -1);
	/* "alice" + "x/..." must not collide with "alicex" + "/...". */
	CHECK(ticket_make("alice", "x/m", 1000, t, sizeof(t)) == 0);
	CHECK(ticket_check(t, "alicex", "/m", 1000) == -1);
	/* Without the key (the pre-login process) nothing is genuine. */
	CHECK(ticket_make("alice", p, 1000, t, sizeof(t)) == 0);
	ticket_wipe();
	CHECK(ticket_check(t, "alice", p, 1000) == -1);
	CHECK(ticket_make("alice", p, 1000, t, sizeof(t)) == -1);
	CHECK(ticket_init(60) == 0); /* a key for the tests that follow */
}

TEST(handoff_reply_must_be_an_err_line)
{
	uint8_t buf[256];
	struct ipc_msg m;
	char line[64];
	int res, n;
	struct p3_span bad[2] = {{"1", 1}, {"+OK sneaky", 10}};
	struct p3_span ctl[2] = {{"1", 1}, {"-ERR a\r\nb", 9}};
	struct p3_span num[2] = {{"7", 1}, {"-ERR x", 6}};

	n = ipc_encode(IPC_HANDOFF_REPLY, 1, bad, 2, buf, sizeof(buf));
	CHECK(n > 0 && ipc_decode(buf, (size_t)n, &m) == 0);
	CHECK(handoff_decode_reply(&m, &res, line, sizeof(line)) == -1);
	n = ipc_encode(IPC_HANDOFF_REPLY, 1, ctl, 2, buf, sizeof(buf));
	CHECK(n > 0 && ipc_decode(buf, (size_t)n, &m) == 0);
	CHECK(handoff_decode_reply(&m, &res, line, sizeof(line)) == -1);
	n = ipc_encode(IPC_HANDOFF_REPLY, 1, num, 2, buf, sizeof(buf));
	CHECK(n > 0 && ipc_decode(buf, (size_t)n, &m) == 0);
	CHECK(handoff_decode_reply(&m, &res, line, sizeof(line)) == -1);
}
