/* test-scan-links.c: link, IDN, form and credential-request indicators,
 * each with a crafted positive and negative message and the exact IDs
 * expected (src/scan/links.c). */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "scan-ids.h"
#include "scan/scan.h"

static const char *
ids_conf(const struct scan_conf *c, const char *msg)
{
	return t_scan_ids(c, msg, strlen(msg));
}

/* An HTML message from a neutral sender with body b. */
static const char *
html(const char *b)
{
	static struct scan_conf none;
	static char msg[8192];

	snprintf(msg, sizeof(msg),
	    "From: Shop <news@shop.example>\n"
	    "Content-Type: text/html; charset=utf-8\n\n%s\n",
	    b);
	return ids_conf(&none, msg);
}

static const char *
text(const char *b)
{
	static struct scan_conf none;
	static char msg[8192];

	snprintf(msg, sizeof(msg),
	    "From: Shop <news@shop.example>\n"
	    "Content-Type: text/plain; charset=utf-8\n\n%s\n",
	    b);
	return ids_conf(&none, msg);
}

TEST(scan_link_mismatch)
{
	CHECK_STR(html("<a href=\"http://login.evil.example/pp\">"
		       "www.paypal.com</a>"),
	    "PH-LINK-MISMATCH");
	CHECK_STR(html("<a href=\"https://evil.example/\">Go to "
		       "https://bank.example/login</a>"),
	    "PH-LINK-MISMATCH");
	/* entity-obfuscated text is decoded first */
	CHECK_STR(html("<a href=\"https://evil.example/\">&#112;aypal&#46;com"
		       "</a>"),
	    "PH-LINK-MISMATCH");
	/* same organisation, other host */
	CHECK_STR(html("<a href=\"https://signin.shop.example/\">"
		       "www.shop.example</a>"),
	    "");
	/* a tracker that names the shown site in its URL */
	CHECK_STR(html("<a href=\"https://click.esp.example/?u=https%3A%2F%2F"
		       "www.news.example%2Fa\">www.news.example</a>"),
	    "");
	/* a bulk-mail service's click tracker */
	CHECK_STR(html("<a href=\"https://shop.us1.list-manage.com/track/click"
		       "?u=1&id=2\">www.shop.example</a>"),
	    "");
	CHECK_STR(html("<a href=\"https://evil.example/\">Click here</a>"), "");
}

TEST(scan_link_ip)
{
	CHECK_STR(html("<a href=\"http://192.0.2.7/login\">Log in</a>"),
	    "PH-LINK-IP");
	CHECK_STR(text("Visit http://3221225991/secure now"), "PH-LINK-IP");
	CHECK_STR(text("Visit http://[2001:db8::7]/secure now"), "PH-LINK-IP");
	CHECK_STR(text("Visit http://v4.example/192.0.2.7 now"), "");
}

TEST(scan_link_userinfo)
{
	CHECK_STR(html("<a href=\"https://www.paypal.com@evil.example/\">"
		       "Account</a>"),
	    "PH-LINK-USERINFO");
	CHECK_STR(text("see https://evil.example/@paypal.com"), "");
}

TEST(scan_idn_links)
{
	/* Latin with a Cyrillic "а": mixed, and a look-alike of a brand */
	CHECK_STR(html("<a href=\"https://www.xn--pypal-4ve.com/\">Log in</a>"),
	    "PH-IDN-CONFUSABLE,PH-IDN-MIXED");
	/* wholly Cyrillic, every letter a Latin look-alike ("аррӏе") */
	CHECK_STR(text("https://xn--80ak6aa92e.com/"), "PH-IDN-CONFUSABLE");
	/* digits for letters */
	CHECK_STR(text("https://paypa1.com/login"), "PH-IDN-CONFUSABLE");
	/* ordinary IDN */
	CHECK_STR(text("https://xn--mnchen-3ya.de/"), "");
	CHECK_STR(text("https://www.paypal.com/"), "");
}

TEST(scan_idn_known_domains)
{
	static struct scan_conf c;
	const char *msg = "From: a@b.example\n\nhttps://examp1e-bank.test/\n";

	scan_conf_free(&c);
	CHECK_STR(ids_conf(&c, msg), "");
	/* the user has mail from example-bank.test: its look-alike counts */
	CHECK(scan_conf_add_known(&c, "mail.EXAMPLE-bank.test") == 0);
	CHECK_STR(ids_conf(&c, msg), "PH-IDN-CONFUSABLE");
	/* and the real one does not */
	CHECK_STR(ids_conf(&c, "From: a@b.example\n\nhttps://example-bank.test/"
			       "\n"),
	    "");
	scan_conf_free(&c);
}

TEST(scan_shortener)
{
	CHECK_STR(text("Your parcel: https://bit.ly/3xYz"), "PH-SHORTENER");
	CHECK_STR(html("<a href=\"https://tinyurl.com/abc\">track</a>"),
	    "PH-SHORTENER");
	CHECK_STR(text("Your parcel: https://parcels.example/3xYz"), "");
}

TEST(scan_link_script)
{
	CHECK_STR(
	    html("<a href=\"javascript:steal()\">Open</a>"), "PH-LINK-SCRIPT");
	CHECK_STR(html("<a href=\" JaVaScRiPt:x\">Open</a>"), "PH-LINK-SCRIPT");
	CHECK_STR(html("<a href=\"data:text/html;base64,PGgxPg==\">Open</a>"),
	    "PH-LINK-SCRIPT");
	CHECK_STR(html("<a href=\"mailto:help@shop.example\">mail</a>"), "");
	CHECK_STR(html("<img src=\"data:image/png;base64,iVBOR\">"), "");
}

TEST(scan_html_form)
{
	CHECK_STR(html("<form action=\"https://collect.evil.example/\">"
		       "<input name=card></form>"),
	    "PH-HTML-FORM");
	/* a password field: a credential request too */
	CHECK_STR(html("<form action=\"https://collect.evil.example/\">"
		       "<input type=\"PASSWORD\" name=p></form>"),
	    "PH-CRED-REQUEST,PH-HTML-FORM");
	CHECK_STR(html("<p>No forms here</p>"), "");
}

TEST(scan_cred_request)
{
	CHECK_STR(text("Your account has been suspended. Verify your account"
		       " at https://secure.shop.example/verify"),
	    "PH-CRED-REQUEST");
	/* the same words without any link are no request */
	CHECK_STR(text("Your account has been suspended. Call us."), "");
	/* a link without such words */
	CHECK_STR(text("New arrivals: https://shop.example/new"), "");
}

TEST(scan_links_in_html_attachment)
{
	static struct scan_conf none;

	CHECK_STR(
	    ids_conf(&none,
		"From: a@b.example\n"
		"Content-Type: multipart/mixed; boundary=x\n\n"
		"--x\nContent-Type: text/plain\n\nsee attached\n"
		"--x\nContent-Type: text/html\n"
		"Content-Disposition: attachment; filename=invoice.html\n\n"
		"<form action=\"http://198.51.100.4/\"><input type=password>"
		"</form>\n--x--\n"),
	    "PH-CRED-REQUEST,PH-HTML-FORM,PH-LINK-IP");
}

TEST(scan_links_counted_once)
{
	struct scan_report r;
	struct mime_msg *m;
	static struct scan_conf none;
	const char *why;
	GString *s = g_string_new("From: a@b.example\n\n");
	int i;

	for (i = 0; i < 5000; i++)
		g_string_append(s, "https://bit.ly/x ");
	if (!CHECK(mime_msg_open_mem(s->str, s->len, &m, &why) == 0))
		return;
	scan_message(&none, m, &r);
	CHECK(r.n == 1 && r.ind[0].id == PH_SHORTENER);
	CHECK(r.ind[0].count == SCAN_LINKS_MAX); /* capped */
	CHECK(r.points == scan_id_weight(PH_SHORTENER));
	CHECK_STR(r.ind[0].evidence, "link https://bit.ly/x");
	mime_msg_free(&m);
	g_string_free(s, TRUE);
}
