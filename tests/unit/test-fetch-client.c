/* test-fetch-client.c: the blocking client connection (src/net/client.c)
 * against a scripted loopback peer: line reading, caps, timeouts, the
 * session deadline and zero-copy body reading. TLS is covered by
 * tests/interop/test_fetch.py. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"
#include "lib/util.h"
#include "net/client.h"

struct peer {
	int lfd;
	uint16_t port;
	const char *script; /* sent after accept */
	size_t len;
	int hold_ms; /* then wait this long before closing */
	pthread_t tid;
};

static void *
peer_main(void *arg)
{
	struct peer *p = arg;
	int fd = accept(p->lfd, NULL, NULL);

	if (fd >= 0) {
		if (p->len > 0 && write(fd, p->script, p->len) < 0)
			perror("peer write");
		usleep((useconds_t)p->hold_ms * 1000);
		close(fd);
	}
	return NULL;
}

static int
peer_start(struct peer *p, const char *script, size_t len, int hold_ms)
{
	struct sockaddr_in sa;
	socklen_t sl = sizeof(sa);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	p->lfd = socket(AF_INET, SOCK_STREAM, 0);
	if (p->lfd < 0 ||
	    bind(p->lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(p->lfd, 1) < 0 ||
	    getsockname(p->lfd, (struct sockaddr *)&sa, &sl) < 0)
		return -1;
	p->port = ntohs(sa.sin_port);
	p->script = script;
	p->len = len;
	p->hold_ms = hold_ms;
	return pthread_create(&p->tid, NULL, peer_main, p) == 0 ? 0 : -1;
}

static void
peer_stop(struct peer *p)
{
	pthread_join(p->tid, NULL);
	close(p->lfd);
}

TEST(fetch_client_readline)
{
	static const char s[] = "+OK hi\r\nbare lf\n\r\nlast";
	struct peer p;
	struct pc_conn c;
	char line[64];

	if (!CHECK(peer_start(&p, s, sizeof(s) - 1, 0) == 0))
		return;
	CHECK(pc_connect(&c, "127.0.0.1", p.port, NULL, 2000) == 0);
	CHECK(pc_readline(&c, line, sizeof(line)) == 6);
	CHECK_STR(line, "+OK hi");
	CHECK(pc_readline(&c, line, sizeof(line)) == 7);
	CHECK_STR(line, "bare lf");
	CHECK(pc_readline(&c, line, sizeof(line)) == 0);
	CHECK(pc_readline(&c, line, sizeof(line)) < 0); /* EOF, no LF */
	CHECK(c.eof);
	CHECK(!pc_tls_active(&c));
	CHECK_STR(pc_tls_version(&c), "none");
	pc_close(&c);
	pc_close(&c); /* idempotent */
	peer_stop(&p);
}

TEST(fetch_client_line_too_long)
{
	static char s[40000];
	struct peer p;
	struct pc_conn c;
	char line[512];

	memset(s, 'a', sizeof(s));
	s[sizeof(s) - 1] = '\n';
	if (!CHECK(peer_start(&p, s, sizeof(s), 0) == 0))
		return;
	CHECK(pc_connect(&c, "127.0.0.1", p.port, NULL, 2000) == 0);
	CHECK(pc_readline(&c, line, sizeof(line)) < 0);
	CHECK(strstr(c.err, "too long") != NULL);
	pc_close(&c);
	peer_stop(&p);
}

TEST(fetch_client_exact_cap)
{
	static const char s[] = "abcdefg\r\nabcdefgh\r\n";
	struct peer p;
	struct pc_conn c;
	char line[8];

	if (!CHECK(peer_start(&p, s, sizeof(s) - 1, 0) == 0))
		return;
	CHECK(pc_connect(&c, "127.0.0.1", p.port, NULL, 2000) == 0);
	CHECK(pc_readline(&c, line, sizeof(line)) == 7); /* cap - 1 fits */
	CHECK(pc_readline(&c, line, sizeof(line)) < 0);  /* cap does not */
	pc_close(&c);
	peer_stop(&p);
}

TEST(fetch_client_timeout_and_deadline)
{
	struct peer p;
	struct pc_conn c;
	char line[64];
	uint64_t t0;

	if (!CHECK(peer_start(&p, "", 0, 1500) == 0))
		return;
	CHECK(pc_connect(&c, "127.0.0.1", p.port, NULL, 200) == 0);
	t0 = time_mono_ms();
	CHECK(pc_readline(&c, line, sizeof(line)) < 0);
	CHECK(strstr(c.err, "timeout") != NULL);
	CHECK(time_mono_ms() - t0 >= 150 && time_mono_ms() - t0 < 1200);
	/* A deadline shorter than the per-read timeout wins. */
	c.timeout_ms = 10000;
	pc_set_deadline(&c, time_mono_ms() + 100);
	t0 = time_mono_ms();
	CHECK(pc_readline(&c, line, sizeof(line)) < 0);
	CHECK(time_mono_ms() - t0 < 1000);
	pc_close(&c);
	peer_stop(&p);
}

TEST(fetch_client_fill_peek_consume)
{
	static const char s[] = "+OK\r\nbody bytes";
	struct peer p;
	struct pc_conn c;
	char line[64], raw[64];
	int n;

	if (!CHECK(peer_start(&p, s, sizeof(s) - 1, 100) == 0))
		return;
	CHECK(pc_connect(&c, "127.0.0.1", p.port, NULL, 2000) == 0);
	CHECK(pc_readline(&c, line, sizeof(line)) == 3);
	n = pc_fill(&c);
	CHECK(n > 0);
	if (n >= 4) {
		CHECK(memcmp(pc_peek(&c), "body", 4) == 0);
		pc_consume(&c, 5);
	}
	n = pc_read(&c, raw, sizeof(raw));
	CHECK(n > 0 && memcmp(raw, "bytes", 5) == 0);
	CHECK(pc_fill(&c) == 0); /* EOF */
	pc_close(&c);
	peer_stop(&p);
}

TEST(fetch_client_connect_refused)
{
	struct pc_conn c;
	struct peer p;

	/* Grab a free port, then close it: nothing listens there. */
	if (!CHECK(peer_start(&p, "", 0, 0) == 0))
		return;
	{
		struct pc_conn d;

		CHECK(pc_connect(&d, "127.0.0.1", p.port, NULL, 2000) == 0);
		pc_close(&d);
	}
	peer_stop(&p);
	CHECK(pc_connect(&c, "127.0.0.1", p.port, NULL, 2000) < 0);
	CHECK(c.err[0] != '\0');
	CHECK(pc_connect(&c, "no-such-host.invalid", 1, NULL, 2000) < 0);
	CHECK(pc_cmd(&c, "X") < 0); /* no connection */
}
