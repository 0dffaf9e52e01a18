/* test-scan-idn.c: punycode, mixed scripts and confusable skeletons
 * (src/scan/idn.c). */
#include <stdint.h>
#include <string.h>

#include "harness.h"
#include "scan/idn.h"

static const char *
uni(const char *host)
{
	static char out[1024];

	if (idn_to_unicode(host, out, sizeof(out)) < 0)
		return "(error)";
	return out;
}

TEST(scan_idn_punycode_rfc3492)
{
	uint32_t cp[64];
	size_t n = 0;

	/* RFC 3492 §7.1 (A) Arabic (Egyptian) */
	CHECK(
	    idn_punycode_decode("egbpdaj6bu4bxfgehfvwxn", 22, cp, 64, &n) == 0);
	CHECK(n == 17 && cp[0] == 0x0644 && cp[16] == 0x061f);
	/* (L) 3<nen>B<gumi><kinpachi><sensei> mixes basic and non-basic */
	CHECK(idn_punycode_decode("3B-ww4c5e180e575a65lsy2b", 24, cp, 64, &n) ==
	      0);
	CHECK(n == 8 && cp[0] == '3' && cp[1] == 0x5e74 && cp[2] == 'B');
	CHECK_STR(uni("xn--mnchen-3ya.de"), "münchen.de");
	CHECK_STR(uni("www.xn--pypal-4ve.com"), "www.pаypal.com");
	CHECK_STR(uni("plain.example"), "plain.example");
	/* bad input is kept as it is */
	CHECK_STR(uni("xn--!!!.com"), "xn--!!!.com");
	CHECK(idn_punycode_decode("99999999999", 11, cp, 64, &n) < 0); /* cut */
	CHECK(idn_punycode_decode("999999999a", 10, cp, 64, &n) < 0); /* 2^32 */
	CHECK(idn_punycode_decode("a-", 2, cp, 64, &n) == 0 && n == 1);
	CHECK(idn_punycode_decode("abc-9", 5, cp, 2, &n) < 0); /* cap */
	CHECK(idn_punycode_decode("\xff-a", 3, cp, 64, &n) < 0);
}

TEST(scan_idn_mixed_scripts)
{
	char label[256];

	/* Latin with a Cyrillic 'а' (U+0430) */
	CHECK(idn_mixed_script("www.p\xd0\xb0ypal.com", label, sizeof(label)));
	CHECK_STR(label, "p\xd0\xb0ypal");
	/* Latin with Greek omicron */
	CHECK(idn_mixed_script("g\xce\xbf"
			       "ogle.com",
	    label, sizeof(label)));
	/* whole-script Cyrillic, German umlauts, Japanese with Latin: fine */
	CHECK(!idn_mixed_script("пример.рф", label, sizeof(label)));
	CHECK(!idn_mixed_script("münchen.de", label, sizeof(label)));
	CHECK(!idn_mixed_script("ドメイン名例abc.jp", label, sizeof(label)));
	CHECK(!idn_mixed_script("example.com", label, sizeof(label)));
	CHECK(!idn_mixed_script("\xff\xfe.com", label, sizeof(label)));
}

static const char *
sk(const char *s)
{
	static char out[512];

	if (idn_skeleton(s, out, sizeof(out)) < 0)
		return "(error)";
	return out;
}

TEST(scan_idn_skeletons)
{
	CHECK_STR(sk("paypal.com"), "paypal.com");
	CHECK_STR(
	    sk("p\xd0\xb0yp\xd0\xb0l.com"), "paypal.com"); /* Cyrillic а */
	CHECK_STR(sk("paypa1.com"), "paypal.com");
	CHECK_STR(sk("g00gle.com"), "google.com");
	CHECK_STR(sk("rnicrosoft.com"), "microsoft.com");
	CHECK_STR(sk("PayPal.COM"), "paypal.com");
	CHECK_STR(sk("ｐａｙｐａｌ.com"), "paypal.com"); /* full width: NFKC */
	CHECK_STR(
	    sk("\xd0\xb0\xd1\x80\xd1\x80\xd3\x8f\xd0\xb5.com"), "apple.com");
	CHECK_STR(sk("vvikipedia.org"), "wikipedia.org");
	CHECK_STR(sk("examp1e.com"), "example.com");
	CHECK_STR(sk("exampel.com"), "exampel.com");
	CHECK_STR(sk("\xff"), "(error)");
}

TEST(scan_idn_whole_script)
{
	/* "аррӏе.com" wholly Cyrillic, every letter a Latin look-alike */
	CHECK(idn_whole_script_confusable(
	    "\xd0\xb0\xd1\x80\xd1\x80\xd3\x8f\xd0\xb5.com"));
	CHECK(!idn_whole_script_confusable("пример.com")); /* п, и, м: no */
	CHECK(!idn_whole_script_confusable("\xd0\xb0\xd1\x80\xd1\x80.рф"));
	CHECK(!idn_whole_script_confusable("apple.com"));
	CHECK(!idn_whole_script_confusable("nodot"));
}
