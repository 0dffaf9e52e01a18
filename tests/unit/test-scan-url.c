/* test-scan-url.c: link parsing, IP hosts, organisational domains,
 * shorteners and domains in visible text (src/scan/url.c). */
#include <string.h>

#include "harness.h"
#include "scan/url.h"

static const char *
host(const char *s)
{
	static struct url u;

	if (url_parse(s, strlen(s), &u) < 0)
		return "(none)";
	return u.host;
}

TEST(scan_url_hosts)
{
	struct url u;

	CHECK_STR(host("https://WWW.Example.COM./path?q#f"), "www.example.com");
	CHECK_STR(host("http://user:pw@host.example:8080/x"), "host.example");
	CHECK_STR(host("  http://a.example\t"), "a.example");
	CHECK_STR(host("http:\\\\evil.example\\x"), "evil.example");
	CHECK_STR(host("//proto-relative.example/x"), "proto-relative.example");
	CHECK_STR(host("www.bare.example/x"), "www.bare.example");
	CHECK_STR(host("ht\ntp://split.example/"), "split.example");
	CHECK_STR(host("http://%70aypal.com/"), "paypal.com");
	CHECK_STR(host("http://paypal\xe3\x80\x82"
		       "com/"),
	    "paypal.com");
	CHECK_STR(host("http://xn--pypal-4ve.com/"), "xn--pypal-4ve.com");
	CHECK_STR(host("http://[2001:db8::1]:80/"), "[2001:db8::1]");
	CHECK_STR(host("mailto:a@b.example"), "(none)");
	CHECK_STR(host("javascript:alert(1)"), "(none)");
	CHECK_STR(host("/relative/path"), "(none)");
	CHECK_STR(host("cid:part1@x"), "(none)");
	CHECK_STR(host("http://bad host/"), "(none)");
	CHECK_STR(host("http:///"), "(none)");
	CHECK(url_parse("https://paypal.com@evil.example/", 32, &u) == 0);
	CHECK_STR(u.userinfo, "paypal.com");
	CHECK_STR(u.host, "evil.example");
	CHECK_STR(u.scheme, "https");
}

TEST(scan_url_ip_hosts)
{
	CHECK(url_host_is_ip("192.168.1.1"));
	CHECK(url_host_is_ip("3232235777")); /* one 32-bit number */
	CHECK(url_host_is_ip("0xc0.0xa8.1.1"));
	CHECK(url_host_is_ip("0300.0250.1.1")); /* octal */
	CHECK(url_host_is_ip("[::1]"));
	CHECK(url_host_is_ip("example.0x"));
	CHECK(!url_host_is_ip("example.com"));
	CHECK(!url_host_is_ip("1.2.3.example"));
	CHECK(!url_host_is_ip("0xzz"));
	CHECK(!url_host_is_ip(""));
}

TEST(scan_url_org_domains)
{
	CHECK_STR(url_org_domain("www.paypal.com"), "paypal.com");
	CHECK_STR(url_org_domain("a.b.c.example.co.uk"), "example.co.uk");
	CHECK_STR(url_org_domain("co.uk"), "co.uk");
	CHECK_STR(url_org_domain("example.com"), "example.com");
	CHECK_STR(url_org_domain("localhost"), "localhost");
	CHECK_STR(url_org_domain("evil.github.io"), "evil.github.io");
	CHECK_STR(url_org_domain("x.y.blogspot.com"), "y.blogspot.com");
	CHECK_STR(url_org_domain("mail.yahoo.com.mx"), "yahoo.com.mx");
	CHECK_STR(url_org_domain("10.0.0.1"), "10.0.0.1");
	CHECK(url_same_org("news.bbc.co.uk", "www.bbc.co.uk"));
	CHECK(!url_same_org("bbc.co.uk", "cnn.co.uk"));
	CHECK(!url_same_org("alice.github.io", "bob.github.io"));
}

TEST(scan_url_shorteners)
{
	CHECK(url_is_shortener("bit.ly"));
	CHECK(url_is_shortener("tinyurl.com"));
	CHECK(url_is_shortener("www.tinyurl.com"));
	CHECK(url_is_shortener("t.co"));
	CHECK(!url_is_shortener("example.com"));
	CHECK(!url_is_shortener("notbit.ly.example.com"));
}

static const char *
tdom(const char *s)
{
	static char out[300];

	if (url_text_domain(s, strlen(s), out, sizeof(out)) < 0)
		return "(none)";
	return out;
}

TEST(scan_url_text_domains)
{
	CHECK_STR(tdom("www.PayPal.com"), "www.paypal.com");
	CHECK_STR(tdom("Log in at https://secure.bank.example/login now"),
	    "secure.bank.example");
	CHECK_STR(tdom(" paypal.com/signin "), "paypal.com");
	CHECK_STR(tdom("(amazon.co.uk)"), "amazon.co.uk");
	CHECK_STR(tdom("Click here"), "(none)");
	CHECK_STR(tdom("report.pdf"), "(none)"); /* not a common TLD */
	CHECK_STR(tdom("readme.md"), "(none)");
	CHECK_STR(tdom("info@paypal.com"), "(none)"); /* an address */
	CHECK_STR(tdom("version 1.2"), "(none)");
	CHECK_STR(tdom("go to PayPal.com, now"), "paypal.com");
	CHECK_STR(tdom("see <shop.example.de>"), "shop.example.de");
	CHECK(url_has_common_tld("a.example.com"));
	CHECK(!url_has_common_tld("com"));
	CHECK(!url_has_common_tld(".com"));
	CHECK(!url_has_common_tld("a..com"));
}

TEST(scan_url_long_input_bounded)
{
	static char big[SCAN_URL_MAX * 2];
	struct url u;

	memcpy(big, "http://", 7);
	memset(big + 7, 'a', sizeof(big) - 8);
	CHECK(url_parse(big, sizeof(big) - 1, &u) < 0); /* host too long */
	memset(big, 'a', sizeof(big) - 1);
	CHECK(url_parse(big, sizeof(big) - 1, &u) < 0);
}
