/* test-mime-html.c: the HTML tokenizer, character references and the
 * HTML-to-text conversion (src/mime/html.c). */
#include <string.h>

#include "harness.h"
#include "mime/mime.h"

struct rec {
	struct buf log;
};

static void
rec_text(void *arg, const char *p, size_t len)
{
	struct rec *r = arg;

	if (buf_printf(&r->log, "T[%.*s]", (int)len, p) < 0)
		return;
}

static void
rec_tag(void *arg, const struct mime_html_tag *t)
{
	struct rec *r = arg;
	size_t i;

	if (buf_printf(&r->log, "<%s%s", t->closing ? "/" : "", t->name) < 0)
		return;
	for (i = 0; i < t->nattrs; i++)
		if (buf_printf(&r->log, " %.*s=%.*s", (int)t->attrs[i].name_len,
			t->attrs[i].name, (int)t->attrs[i].val_len,
			t->attrs[i].val != NULL ? t->attrs[i].val : "") < 0)
			return;
	if (buf_puts(&r->log, ">") < 0)
		return;
}

static const char *
tokens(const char *html)
{
	static struct rec r;
	struct mime_html_cb cb = {rec_text, rec_tag};

	buf_free(&r.log);
	buf_init(&r.log, 65536);
	mime_html_tokenize(html, strlen(html), &cb, &r);
	if (buf_append(&r.log, "", 0) < 0 || r.log.data == NULL)
		return "";
	return (const char *)r.log.data;
}

TEST(mime_html_tokens)
{
	CHECK_STR(tokens("a<B Href=\"x y\" data-q='1>2' bare checked>b</b>c"),
	    "T[a]<b Href=x y data-q=1>2 bare= checked=>T[b]</b>T[c]");
	CHECK_STR(tokens("x<!-- <a href=no> -->y<!doctype html><?xml?>z"),
	    "T[x]T[y]T[z]");
	CHECK_STR(tokens("1 < 2 <3 <>"), "T[1 < 2 <3 <>]");
	CHECK_STR(
	    tokens("<script>var a='<a href=x>';</script>ok"), "<script>T[ok]");
	CHECK_STR(tokens("<STYLE>a{}</sTyLe >t"), "<style>T[t]");
	/* unterminated constructs end at the input's end */
	CHECK_STR(tokens("a<!-- never closed"), "T[a]");
	CHECK_STR(
	    tokens("<a href=\"never closed>x"), "<a href=never closed>x>");
	CHECK_STR(tokens("<script>no end"), "<script>");
	CHECK_STR(tokens("<a/href=x>"), "<a href=x>");
}

TEST(mime_html_many_attrs_capped)
{
	GString *s = g_string_new("<a");
	const char *t;
	int i;

	for (i = 0; i < 100; i++)
		g_string_append_printf(s, " a%d=%d", i, i);
	g_string_append(s, " href=late>x</a>");
	t = tokens(s->str);
	CHECK(strstr(t, " a31=31>") != NULL); /* the first 32 are kept */
	CHECK(strstr(t, "a32") == NULL);
	g_string_free(s, TRUE);
}

static const char *
unescape(const char *s)
{
	static struct buf b;

	buf_free(&b);
	buf_init(&b, 256);
	if (mime_html_unescape(s, strlen(s), &b) < 0 ||
	    buf_append(&b, "", 0) < 0 || b.data == NULL)
		return "(error)";
	return (const char *)b.data;
}

TEST(mime_html_entities)
{
	CHECK_STR(unescape("a&amp;b&lt;&gt;&quot;&apos;"), "a&b<>\"'");
	CHECK_STR(unescape("&#112;aypal&#x2E;com"), "paypal.com");
	CHECK_STR(unescape("&#X41;&#65&amp"), "AA&");
	CHECK_STR(unescape("&nbsp;&euro;&hellip;"), "\xc2\xa0€…");
	CHECK_STR(unescape("&unknown; & &#; &#xZZ;"), "&unknown; & &#; &#xZZ;");
	CHECK_STR(unescape("&#0;&#xD800;&#x110000;"),
	    "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");
	CHECK_STR(unescape("so&shy;ft"), "soft");
	CHECK_STR(unescape("&#99999999999999;"), "\xef\xbf\xbd"
						 "999999;");
}

TEST(mime_html_attr_values)
{
	struct mime_html_tag t;
	struct buf b;

	memset(&t, 0, sizeof(t));
	t.nattrs = 2;
	t.attrs[0].name = "HREF";
	t.attrs[0].name_len = 4;
	t.attrs[0].val = "http://a&amp;b";
	t.attrs[0].val_len = 14;
	t.attrs[1].name = "checked";
	t.attrs[1].name_len = 7;
	buf_init(&b, 64);
	CHECK(mime_html_attr(&t, "href", &b) == 0);
	CHECK_MEM(b.data, b.len, "http://a&b", 10);
	buf_reset(&b);
	CHECK(mime_html_attr(&t, "checked", &b) == 0);
	CHECK(b.len == 0);
	CHECK(mime_html_attr(&t, "src", &b) == -1);
	buf_free(&b);
	buf_init(&b, 4);
	CHECK(mime_html_attr(&t, "href", &b) == 1); /* cut at the cap */
	buf_free(&b);
}

static const char *
text(const char *html)
{
	static struct buf b;

	buf_free(&b);
	buf_init(&b, 4096);
	if (mime_html_to_text(html, strlen(html), &b) < 0 ||
	    buf_append(&b, "", 0) < 0 || b.data == NULL)
		return "(error)";
	return (const char *)b.data;
}

TEST(mime_html_to_text_layout)
{
	CHECK_STR(text("<p>One\n   two</p><p>three<br>four</p>"),
	    "One two\n\nthree\nfour\n");
	CHECK_STR(
	    text("<table><tr><td>a</td><td>b</td></tr></table>"), "a b\n");
	CHECK_STR(text("<a href=\"https://evil.example/\">www.bank.com</a>"),
	    "www.bank.com <https://evil.example/>\n");
	CHECK_STR(text("<a href=\"https://x.org/\">https://x.org/</a>"),
	    "https://x.org/\n");
	CHECK_STR(text("<a href=\"#top\">top</a>"), "top\n");
	CHECK_STR(text("<title>hidden</title>shown"), "shown\n");
	CHECK_STR(text(""), "");
	CHECK(strcmp(text("<div>x</div>"), "x\n") == 0);
}

TEST(mime_html_to_text_cap)
{
	struct buf b;
	GString *s = g_string_new("");
	int i;

	for (i = 0; i < 1000; i++)
		g_string_append(s, "<p>paragraph</p>");
	buf_init(&b, 100);
	CHECK(mime_html_to_text(s->str, s->len, &b) < 0);
	CHECK(b.len <= 100);
	buf_free(&b);
	g_string_free(s, TRUE);
}
