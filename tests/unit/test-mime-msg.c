/* test-mime-msg.c: parsing messages with GMime under caps, decoded headers,
 * text bodies and terminal sanitising (src/mime/msg.c, text.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "mime/mime.h"

static struct mime_msg *
parse(const char *s)
{
	struct mime_msg *m = NULL;
	const char *why;

	if (mime_msg_open_mem(s, strlen(s), &m, &why) != 0)
		return NULL;
	return m;
}

/* The header value, or "(null)". g_free'd by the next call. */
static const char *
hdr(const struct mime_msg *m, const char *name)
{
	static char *last;

	g_free(last);
	last = mime_header(m, name);
	return last != NULL ? last : "(null)";
}

static const char *
body(const struct mime_msg *m, int *rc_r)
{
	static struct buf b;
	bool cut;

	buf_free(&b);
	buf_init(&b, MIME_TEXT_MAX);
	*rc_r = mime_body_text(m, &b, &cut);
	if (buf_append(&b, "", 0) < 0)
		return "";
	return b.data != NULL ? (const char *)b.data : "";
}

TEST(mime_msg_rfc2047_headers)
{
	struct mime_msg *m = parse(
	    "From: =?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>\n"
	    "To: =?UTF-8?B?44G/44GR44KL?= <raasdnil@gmail.com>\n"
	    "Cc: =?iso-8859-1?q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>\n"
	    "Subject: =?UTF-8?B?0JHRi9GB0YLRgNC10LUg0LLQutC70LDQtNGL0LLQsNC5"
	    "0YLQtSDQsiDQt9C+?=\n"
	    " =?UTF-8?B?0LvQvtGC0L4h?=\n"
	    "Date: Sat, 15 Jul 2017 12:18:41 +0300\n\nbody\n");

	if (!CHECK(m != NULL))
		return;
	CHECK_STR(hdr(m, "From"), "Keld Jørn Simonsen <keld@dkuug.dk>");
	CHECK_STR(hdr(m, "To"), "みける <raasdnil@gmail.com>");
	CHECK_STR(hdr(m, "Cc"), "André Pirard <PIRARD@vm1.ulg.ac.be>");
	CHECK_STR(hdr(m, "Subject"), "Быстрее вкладывайте в золото!");
	CHECK_STR(hdr(m, "Reply-To"), "(null)");
	mime_msg_free(&m);
	CHECK(m == NULL);
}

TEST(mime_msg_raw_8bit_headers)
{
	/* RFC 6532 UTF-8, and legacy Latin-1 taken as windows-1252 */
	struct mime_msg *m = parse("From: J\xc3\xb6hn Doe <j@example.com>\n"
				   "Subject: Forma\xe7\xe3o Ver\xe3o\n\nx\n");

	if (!CHECK(m != NULL))
		return;
	CHECK_STR(hdr(m, "From"), "Jöhn Doe <j@example.com>");
	CHECK_STR(hdr(m, "Subject"), "Formação Verão");
	mime_msg_free(&m);
}

TEST(mime_msg_header_controls_removed)
{
	/* an escape sequence and a bidi override must not reach a terminal */
	struct mime_msg *m =
	    parse("Subject: a\x1b[31mred =?UTF-8?B?4oCuZXhl?=\n"
		  "From: x@y.z\n\nx\n");

	if (!CHECK(m != NULL))
		return;
	CHECK_STR(hdr(m, "Subject"), "a\xef\xbf\xbd[31mred \xef\xbf\xbd"
				     "exe");
	mime_msg_free(&m);
}

TEST(mime_msg_date_and_from)
{
	struct mime_msg *m =
	    parse("From: \"Big Boss\" <Boss@Example.COM>\n"
		  "Date: Tue, 14 Jul 2015 12:19:08 +0800\n\nx\n");
	int64_t t = 0;
	char *a;

	if (!CHECK(m != NULL))
		return;
	CHECK(mime_date(m, &t) == 0);
	CHECK(t == 1436847548);
	a = mime_from_addr(m);
	CHECK(a != NULL && strcmp(a, "boss@example.com") == 0);
	g_free(a);
	mime_msg_free(&m);
	m = parse("Subject: no date\n\nx\n");
	if (!CHECK(m != NULL))
		return;
	CHECK(mime_date(m, &t) < 0);
	CHECK(mime_from_addr(m) == NULL);
	mime_msg_free(&m);
}

TEST(mime_msg_no_header_block)
{
	/* no header at all, and a leading line of spaces */
	struct mime_msg *m = parse("This is a simple message: no headers.\r\n");
	int rc;

	if (!CHECK(m != NULL))
		return;
	CHECK_STR(body(m, &rc), "This is a simple message: no headers.\n");
	CHECK(rc == 0);
	mime_msg_free(&m);
	m = parse("      \nSubject: after blanks\n\nhi\n");
	if (!CHECK(m != NULL))
		return;
	CHECK_STR(hdr(m, "Subject"), "after blanks");
	mime_msg_free(&m);
	m = parse("From MAILER-DAEMON Fri Jul  8 12:08:34 2011\n"
		  "Subject: mbox\n\nhi\n");
	if (!CHECK(m != NULL))
		return;
	CHECK_STR(hdr(m, "Subject"), "mbox");
	mime_msg_free(&m);
}

TEST(mime_body_prefers_plain)
{
	struct mime_msg *m =
	    parse("Content-Type: multipart/alternative; boundary=b\n\n"
		  "--b\nContent-Type: text/html\n\n<p>html <b>version</b></p>\n"
		  "--b\nContent-Type: text/plain; charset=iso-8859-1\n"
		  "Content-Transfer-Encoding: quoted-printable\n\n"
		  "Gr=FC=DFe, plain\n--b--\n");
	int rc;

	if (!CHECK(m != NULL))
		return;
	CHECK_STR(body(m, &rc), "Grüße, plain");
	mime_msg_free(&m);
}

TEST(mime_body_html_fallback)
{
	struct mime_msg *m = parse(
	    "Content-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nContent-Type: text/html; charset=utf-8\n\n"
	    "<html><head><title>T</title><style>p{}</style></head><body>"
	    "<p>Hello&nbsp;&amp; <a href=\"https://x.example/\">click</a>"
	    "</p><script>alert(1)</script><ul><li>one<li>two</ul></body>\n"
	    "--b\nContent-Type: application/pdf\n"
	    "Content-Disposition: attachment; filename=a.pdf\n\n%PDF\n--b--\n");
	int rc;

	if (!CHECK(m != NULL))
		return;
	CHECK_STR(body(m, &rc), "Hello\xc2\xa0& click <https://x.example/>\n\n"
				"* one\n* two\n");
	mime_msg_free(&m);
}

TEST(mime_body_charsets)
{
	struct mime_msg *m;
	int rc;

	/* declared charset converted */
	m = parse("Content-Type: text/plain; charset=koi8-r\n\n\xf7\xcf\xd0\xd2"
		  "\xcf\xd3\n");
	if (CHECK(m != NULL))
		CHECK_STR(body(m, &rc), "Вопрос\n");
	mime_msg_free(&m);
	/* declared wrongly, but valid UTF-8: kept */
	m = parse("Content-Type: text/plain; charset=gb2312\n\n\xe4\xbd\xa0\xe5"
		  "\xa5\xbd\n");
	if (CHECK(m != NULL))
		CHECK_STR(body(m, &rc), "你好\n");
	mime_msg_free(&m);
	/* no charset, 8-bit: windows-1252 */
	m = parse("Subject: x\n\nna\xefve \x80\n");
	if (CHECK(m != NULL))
		CHECK_STR(body(m, &rc), "naïve €\n");
	mime_msg_free(&m);
	/* declared UTF-8 with a bad byte: U+FFFD, the rest kept */
	m = parse("Content-Type: text/plain; charset=utf-8\n\nok \xff ok\n");
	if (CHECK(m != NULL))
		CHECK_STR(body(m, &rc), "ok \xef\xbf\xbd ok\n");
	mime_msg_free(&m);
	/* base64 UTF-16 */
	m = parse("Content-Type: text/plain; charset=utf-16le\n"
		  "Content-Transfer-Encoding: base64\n\naABpAA==\n");
	if (CHECK(m != NULL))
		CHECK_STR(body(m, &rc), "hi");
	mime_msg_free(&m);
}

TEST(mime_body_none)
{
	struct mime_msg *m =
	    parse("Content-Type: application/octet-stream\n"
		  "Content-Disposition: attachment; filename=x.bin\n\nAAAA\n");
	int rc;

	if (!CHECK(m != NULL))
		return;
	CHECK_STR(body(m, &rc), "");
	CHECK(rc == 1);
	mime_msg_free(&m);
}

TEST(mime_sanitize_rules)
{
	struct buf b;

	buf_init(&b, 64);
	CHECK(mime_sanitize("a\tb\r\nc\x07\x7f", 8, true, false, &b) == 0);
	CHECK_MEM(b.data, b.len, "a\tb\nc\xef\xbf\xbd\xef\xbf\xbd", 11);
	buf_reset(&b);
	CHECK(mime_sanitize("a\tb\nc", 5, false, true, &b) == 0);
	CHECK_MEM(b.data, b.len, "a b c", 5);
	buf_reset(&b);
	/* C1 control, RLO, invalid and truncated UTF-8 */
	CHECK(mime_sanitize("\xc2\x9b|\xe2\x80\xae|\xff|\xe2\x82", 11, false,
		  false, &b) == 0);
	CHECK_MEM(b.data, b.len,
	    "\xef\xbf\xbd|\xef\xbf\xbd|\xef\xbf\xbd|"
	    "\xef\xbf\xbd\xef\xbf\xbd",
	    18);
	buf_reset(&b);
	CHECK(mime_sanitize("\xe2\x80\xae"
			    "x",
		  4, false, true, &b) == 0);
	CHECK_MEM(b.data, b.len, "x", 1);
	buf_free(&b);
	/* the cap */
	buf_init(&b, 4);
	CHECK(mime_sanitize("abcdef", 6, false, false, &b) < 0);
	CHECK(b.len <= 4);
	buf_free(&b);
}

/* Time one parse-and-read of a hostile message; seconds. */
static double
timed_body(const char *s, size_t len, int *rc_r, bool *trunc_r)
{
	struct timespec a, z;
	struct mime_msg *m;
	struct mime_att *v;
	const char *why;
	struct buf b;
	size_t n;

	clock_gettime(CLOCK_MONOTONIC, &a);
	*rc_r = -2;
	if (mime_msg_open_mem(s, len, &m, &why) == 0) {
		buf_init(&b, MIME_TEXT_MAX);
		*rc_r = mime_body_text(m, &b, trunc_r);
		buf_free(&b);
		if (mime_attachments(m, &v, &n) >= 0)
			mime_atts_free(v, n);
		*trunc_r = *trunc_r || m->truncated;
		mime_msg_free(&m);
	}
	clock_gettime(CLOCK_MONOTONIC, &z);
	return (double)(z.tv_sec - a.tv_sec) + (z.tv_nsec - a.tv_nsec) / 1e9;
}

TEST(mime_hostile_deep_nesting)
{
	GString *s = g_string_new("From: a@b.c\nMIME-Version: 1.0\n");
	bool cut = false;
	int i, rc;
	double t;

	for (i = 0; i < 30000; i++)
		g_string_append_printf(s,
		    "Content-Type: multipart/mixed; "
		    "boundary=\"b%d\"\n\n--b%d\n",
		    i, i);
	g_string_append(s, "Content-Type: text/plain\n\ndeep\n");
	t = timed_body(s->str, s->len, &rc, &cut);
	CHECK(rc == 1 || rc == 0);
	CHECK(cut); /* past the part cap */
	CHECK(t < 10.0);
	g_string_free(s, TRUE);
	/* nested message/rfc822 without boundaries */
	s = g_string_new("");
	for (i = 0; i < 100000; i++)
		g_string_append(s, "Content-Type: message/rfc822\n\n");
	g_string_append(s, "Subject: x\n\nin\n");
	t = timed_body(s->str, s->len, &rc, &cut);
	CHECK(rc >= -1);
	CHECK(t < 10.0);
	g_string_free(s, TRUE);
}

TEST(mime_hostile_giant_html_and_parts)
{
	GString *s = g_string_new("Content-Type: text/html\n\n");
	bool cut = false;
	int i, rc;
	double t;

	for (i = 0; i < 400000; i++)
		g_string_append(s, "<div><a href='x'>&#x41;&amp</a><!-- c ");
	t = timed_body(s->str, s->len, &rc, &cut);
	CHECK(rc == 0);
	CHECK(cut); /* MIME_TEXT_MAX reached */
	CHECK(t < 10.0);
	g_string_free(s, TRUE);
	/* very many small parts */
	s = g_string_new("Content-Type: multipart/mixed; boundary=x\n\n");
	for (i = 0; i < 50000; i++)
		g_string_append(s, "--x\nContent-Type: text/plain\n\nhi\n");
	t = timed_body(s->str, s->len, &rc, &cut);
	CHECK(rc == 0);
	CHECK(cut);
	CHECK(t < 10.0);
	g_string_free(s, TRUE);
}

TEST(mime_hostile_broken_encodings)
{
	static const char msg[] =
	    "Subject: =?utf-8?B?!!!?= =?x-unknown?Q?=FF=?= =?utf-8?Q?=E2=82?=\n"
	    "Content-Type: multipart/mixed; boundary=\"b\"\n\n"
	    "--b\nContent-Type: text/plain; charset=no-such-charset\n"
	    "Content-Transfer-Encoding: base64\n\n@@@@====!!!!\xff\xfe\n"
	    "--b\nContent-Type: text/plain; charset=\"utf-8\"\n"
	    "Content-Transfer-Encoding: quoted-printable\n\n=ZZ=\n=E2=82\n";
	struct mime_msg *m = parse(msg);
	int rc;

	if (!CHECK(m != NULL))
		return;
	CHECK(g_utf8_validate(hdr(m, "Subject"), -1, NULL));
	CHECK(g_utf8_validate(body(m, &rc), -1, NULL));
	CHECK(rc == 0);
	mime_msg_free(&m);
}

TEST(mime_msg_open_file_and_headers_only)
{
	const char *dir = t_tmpdir();
	char path[512];
	struct mime_msg *m;
	const char *why;
	FILE *f;

	snprintf(path, sizeof(path), "%s/m", dir);
	f = fopen(path, "w");
	if (!CHECK(f != NULL))
		return;
	fputs("From: A <a@example.org>\nSubject: file\n\nbody text\n", f);
	fclose(f);
	if (CHECK(mime_msg_open(path, &m, &why) == 0)) {
		CHECK_STR(hdr(m, "Subject"), "file");
		CHECK(m->size == 49);
		mime_msg_free(&m);
	}
	if (CHECK(mime_msg_open_headers(path, &m, &why) == 0)) {
		int rc;

		CHECK_STR(hdr(m, "From"), "A <a@example.org>");
		CHECK_STR(body(m, &rc), "");
		mime_msg_free(&m);
	}
	snprintf(path, sizeof(path), "%s/missing", dir);
	CHECK(mime_msg_open(path, &m, &why) < 0);
	CHECK(mime_msg_open(dir, &m, &why) < 0); /* a directory */
}

TEST(mime_body_inline_forward)
{
	struct mime_msg *m = parse(
	    "Subject: Fwd\nContent-Type: multipart/mixed; boundary=b\n\n"
	    "--b\nContent-Type: text/plain\n\nsee below\n"
	    "--b\nContent-Type: message/rfc822\n\n"
	    "From: Ann <ann@example.org>\nSubject: =?UTF-8?Q?r=C3=A9union?=\n\n"
	    "inner \x1b[2J text\n"
	    "--b\nContent-Type: message/rfc822\n"
	    "Content-Disposition: attachment\n\n"
	    "Subject: attached\n\nnot shown\n--b--\n");
	int rc;

	if (!CHECK(m != NULL))
		return;
	CHECK_STR(body(m, &rc), "see below\n---- enclosed message from Ann "
				"<ann@example.org>: réunion ----\n"
				"inner \xef\xbf\xbd[2J text");
	CHECK(rc == 0);
	mime_msg_free(&m);
}
