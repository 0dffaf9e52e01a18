/* test-fetch-lmtp.c: LMTP/SMTP reply parser, Return-Path extraction and
 * the lmtp/smtp/rcpt settings (src/fetch/deliver_lmtp.c, conf*.c). */
#include <stdio.h>
#include <string.h>

#include "fetch/conf.h"
#include "fetch/deliver.h"
#include "harness.h"

static int
feed(struct fd_reply *r, const char *line)
{
	return fd_reply_feed(r, line, strlen(line));
}

TEST(fetch_lmtp_reply_single)
{
	struct fd_reply r;

	fd_reply_init(&r);
	CHECK(feed(&r, "250 2.1.5 Ok") == 1);
	CHECK(r.code == 250 && r.lines == 1);
	CHECK_STR(r.text, "250 2.1.5 Ok");
	fd_reply_init(&r);
	CHECK(feed(&r, "354") == 1);
	CHECK(r.code == 354);
	fd_reply_init(&r);
	CHECK(feed(&r, "452 4.2.2 Mailbox full") == 1);
	CHECK(r.code == 452);
	fd_reply_init(&r);
	CHECK(feed(&r, "550 5.1.1 <x@y>: no such user") == 1);
	CHECK(r.code == 550);
}

TEST(fetch_lmtp_reply_multi)
{
	struct fd_reply r;

	fd_reply_init(&r);
	CHECK(feed(&r, "250-mx.example") == 0);
	CHECK(feed(&r, "250-PIPELINING") == 0);
	CHECK(feed(&r, "250 8BITMIME") == 1);
	CHECK(r.code == 250 && r.lines == 3);
	CHECK_STR(r.text, "250-mx.example"); /* the first line is kept */
	/* The code must not change within a reply. */
	fd_reply_init(&r);
	CHECK(feed(&r, "250-one") == 0);
	CHECK(feed(&r, "251 two") < 0);
}

TEST(fetch_lmtp_reply_malformed)
{
	struct fd_reply r;
	char big[FETCH_SMTP_LINE_MAX + 10];
	unsigned i;
	int rc = 0;

	static const char *const bad[] = {"", "25", "2500 x", "250x", "150 x",
	    "650 x", "2a0 x", "25 0", "+OK", "250 a\001b", "250 a\177b", NULL};

	for (i = 0; bad[i] != NULL; i++) {
		fd_reply_init(&r);
		if (feed(&r, bad[i]) >= 0)
			fprintf(stderr, "accepted bad reply \"%s\"\n", bad[i]);
		CHECK(feed(&r, bad[i]) < 0);
	}
	/* A NUL inside the line (length-delimited input). */
	fd_reply_init(&r);
	CHECK(fd_reply_feed(&r, "250 a\0b", 7) < 0);
	/* Over-long lines. */
	memset(big, 'x', sizeof(big));
	memcpy(big, "250 ", 4);
	fd_reply_init(&r);
	CHECK(fd_reply_feed(&r, big, FETCH_SMTP_LINE_MAX) < 0);
	CHECK(fd_reply_feed(&r, big, FETCH_SMTP_LINE_MAX - 1) == 1);
	/* An endless continuation is cut off. */
	fd_reply_init(&r);
	for (i = 0; i < FETCH_SMTP_LINES_MAX + 5 && rc == 0; i++)
		rc = feed(&r, "250-more");
	CHECK(rc < 0);
	CHECK(i == FETCH_SMTP_LINES_MAX + 1);
}

TEST(fetch_lmtp_return_path)
{
	char out[FETCH_SMTP_ADDR_MAX];
	static const char h1[] =
	    "Received: x\nReturn-Path: <bounce@example.org>"
	    "\nReturn-Path: <second@x>\n\nReturn-Path: <b>";
	static const char h2[] = "return-path:<a@b>\r\nSubject: x\r\n\r\n";
	static const char h3[] = "Subject: x\n\nReturn-Path: <body@x>\n";
	static const char h4[] = "Return-Path: <>\n\n";
	static const char h5[] = "Return-Path: <a b@c>\n\n";
	static const char h6[] = "Return-Path: bare@x\n\n";

	fd_return_path(h1, sizeof(h1) - 1, out, sizeof(out));
	CHECK_STR(out, "bounce@example.org");
	fd_return_path(h2, sizeof(h2) - 1, out, sizeof(out));
	CHECK_STR(out, "a@b");
	fd_return_path(h3, sizeof(h3) - 1, out, sizeof(out));
	CHECK_STR(out, ""); /* only the header counts */
	fd_return_path(h4, sizeof(h4) - 1, out, sizeof(out));
	CHECK_STR(out, "");
	fd_return_path(h5, sizeof(h5) - 1, out, sizeof(out));
	CHECK_STR(out, "");
	fd_return_path(h6, sizeof(h6) - 1, out, sizeof(out));
	CHECK_STR(out, "");
	fd_return_path("", 0, out, sizeof(out));
	CHECK_STR(out, "");
	/* Cut off in the middle of the header: still bounded. */
	fd_return_path(h1, 30, out, sizeof(out));
	CHECK_STR(out, "");
	CHECK(fd_addr_ok("user@example.org"));
	CHECK(!fd_addr_ok(""));
	CHECK(!fd_addr_ok("a b@c"));
	CHECK(!fd_addr_ok("a>@c"));
	CHECK(!fd_addr_ok("a\r\n@c"));
}

TEST(fetch_lmtp_conf)
{
	struct fa_account a;
	char why[200], host[FETCH_HOST_MAX + 1];
	uint16_t port;

	CHECK(
	    fa_parse_hostport("127.0.0.1:24", host, sizeof(host), &port) == 0);
	CHECK_STR(host, "127.0.0.1");
	CHECK(port == 24);
	CHECK(fa_parse_hostport("[::1]:2525", host, sizeof(host), &port) == 0);
	CHECK_STR(host, "::1");
	CHECK(port == 2525);
	CHECK(fa_parse_hostport("::1:25", host, sizeof(host), &port) < 0);
	CHECK(fa_parse_hostport("host", host, sizeof(host), &port) < 0);
	CHECK(fa_parse_hostport("host:0", host, sizeof(host), &port) < 0);
	CHECK(fa_parse_hostport(":25", host, sizeof(host), &port) < 0);
	CHECK(fa_parse_hostport("h:65536", host, sizeof(host), &port) < 0);

	fa_defaults(&a);
	CHECK(fa_parse_url(&a, "pop3s://alice@h", why, sizeof(why)) == 0);
	CHECK(fa_set(&a, "password-file", "/p", why, sizeof(why)) == 0);
	CHECK(fa_set(&a, "lmtp", "localhost:24", why, sizeof(why)) == 0);
	CHECK(a.dest == FA_DEST_LMTP);
	/* No '@' in the user: rcpt is required. */
	CHECK(fa_check(&a, why, sizeof(why)) < 0);
	CHECK(strstr(why, "rcpt") != NULL);
	CHECK(fa_set(&a, "rcpt", "a b", why, sizeof(why)) < 0);
	CHECK(fa_set(&a, "rcpt", "alice@example.org", why, sizeof(why)) == 0);
	CHECK(fa_check(&a, why, sizeof(why)) == 0);
	CHECK_STR(a.rcpt, "alice@example.org");
	CHECK(fa_set(&a, "lmtp", "/run/dovecot/lmtp", why, sizeof(why)) == 0);
	CHECK_STR(a.dest_path, "/run/dovecot/lmtp");
	CHECK(fa_set(&a, "smtp", "/run/sock", why, sizeof(why)) < 0);
	CHECK(fa_set(&a, "smtp", "[::1]:25", why, sizeof(why)) == 0);
	CHECK(a.dest == FA_DEST_SMTP);
	/* The user as recipient when it is an address. */
	fa_defaults(&a);
	CHECK(fa_parse_url(
		  &a, "pop3s://bob%40example.org@h", why, sizeof(why)) == 0);
	CHECK(fa_set(&a, "password-file", "/p", why, sizeof(why)) == 0);
	CHECK(fa_set(&a, "smtp", "127.0.0.1:25", why, sizeof(why)) == 0);
	CHECK(fa_check(&a, why, sizeof(why)) == 0);
	CHECK_STR(a.rcpt, "bob@example.org");
}
