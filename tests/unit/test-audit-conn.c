/* test-audit-conn.c: the auditor's connection layer over a socketpair:
 * line reading, multi-line bodies, timeouts, EOF and transcript redaction. */
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "audit/conn.h"
#include "harness.h"

static int peer;

static void
setup(struct au_conn *c, struct buf *log)
{
	int sv[2];

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	buf_init(log, 8192);
	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
		return;
	c->fd = sv[0];
	(void)fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
	c->timeout_ms = 200;
	c->log = log;
	peer = sv[1];
}

static void
say(const char *s)
{
	if (write(peer, s, strlen(s)) != (ssize_t)strlen(s))
		CHECK(0);
}

TEST(audit_conn_lines)
{
	struct au_conn c;
	struct buf log;
	char line[16], body[64];

	setup(&c, &log);
	say("+OK hi\r\n-ERR bare lf\n+OK list\r\n1 a\r\n..dot\r\n.\r\n");
	CHECK(au_line(&c, line, sizeof(line), 0) == 6);
	CHECK_STR(line, "+OK hi");
	CHECK(au_line(&c, line, sizeof(line), 0) == 12);
	CHECK_STR(line, "-ERR bare lf");
	CHECK(au_line(&c, line, sizeof(line), 0) == 8);
	CHECK(au_body(&c, body, sizeof(body), 0) == 2);
	CHECK_STR(body, "1 a\n.dot");
	/* a long line is cut at cap-1 but fully consumed */
	say("+OK 0123456789abcdefghij\r\n+OK next\r\n");
	CHECK(au_line(&c, line, sizeof(line), 0) == 15);
	CHECK(au_line(&c, line, sizeof(line), 0) == 8);
	CHECK_STR(line, "+OK next");
	CHECK(au_line(&c, line, sizeof(line), 50) == -1);
	CHECK(c.timed_out);
	say("partial");
	close(peer);
	CHECK(au_line(&c, line, sizeof(line), 0) == 7);
	CHECK(au_line(&c, line, sizeof(line), 0) == -2);
	CHECK(c.eof);
	au_close(&c);
	au_close(&c);
	buf_free(&log);
}

TEST(audit_conn_redaction)
{
	struct au_conn c;
	struct buf log;
	char got[64];
	ssize_t n;

	setup(&c, &log);
	CHECK(au_cmd_secret(&c, "PASS hunter2-secret") == 0);
	CHECK(au_cmd(&c, "USER p3audit-x") == 0);
	CHECK(au_send(&c, "STLS\r\nCAPA\r\n", 12, -1) == 0);
	CHECK(au_send(&c, "AUTH PLAIN AHNlY3JldA==\r\n", 25, 10) == 0);
	n = read(peer, got, sizeof(got) - 1);
	CHECK(n > 0);
	if (buf_append(&log, "", 1) != 0)
		CHECK(0);
	CHECK(strstr((char *)log.data, "hunter2") == NULL);
	CHECK(strstr((char *)log.data, "AHNlY3JldA") == NULL);
	CHECK(strstr((char *)log.data, "C: PASS <redacted>") != NULL);
	CHECK(strstr((char *)log.data, "C: USER p3audit-x\n") != NULL);
	CHECK(strstr((char *)log.data, "C: STLS\n") != NULL);
	CHECK(strstr((char *)log.data, "C: CAPA\n") != NULL);
	CHECK(strstr((char *)log.data, "C: AUTH PLAIN <redacted>") != NULL);
	close(peer);
	au_close(&c);
	buf_free(&log);
}

TEST(audit_conn_escapes)
{
	struct au_conn c;
	struct buf log;
	char line[64];

	setup(&c, &log);
	say("-ERR a\x01\xff\"z\r\n");
	CHECK(au_line(&c, line, sizeof(line), 0) == 10);
	if (buf_append(&log, "", 1) != 0)
		CHECK(0);
	CHECK(strstr((char *)log.data, "S: -ERR a\\x01\\xff\\x22z") != NULL);
	close(peer);
	au_close(&c);
	buf_free(&log);
}
