/* test-scan-headers.c: sender and authentication indicators, each with a
 * crafted positive and negative message and the exact IDs expected
 * (src/scan/headers.c). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "scan-ids.h"
#include "scan/scan.h"

/* Scan msg; the indicator IDs found, sorted, joined by ','. */
static const char *
ids(const struct scan_conf *c, const char *msg)
{
	return t_scan_ids(c, msg, strlen(msg));
}

static struct scan_conf *
conf(void)
{
	static struct scan_conf c;

	scan_conf_free(&c);
	if (scan_conf_add_trusted(&c, "MX.Example.NET") < 0)
		return NULL;
	return &c;
}

#define BODY "\n\nHello.\n"

TEST(scan_auth_dmarc_fail)
{
	CHECK_STR(
	    ids(conf(), "Authentication-Results: mx.example.net;\n"
			" spf=pass smtp.mailfrom=bank.example;\n"
			" dkim=none; dmarc=fail header.from=bank.example\n"
			"From: bank@bank.example" BODY),
	    "PH-AUTH-DMARC-FAIL");
	CHECK_STR(ids(conf(), "Authentication-Results: mx.example.net;\n"
			      " spf=pass smtp.mailfrom=bank.example;\n"
			      " dkim=pass header.d=bank.example; dmarc=pass\n"
			      "From: bank@bank.example" BODY),
	    "");
}

TEST(scan_auth_fail)
{
	CHECK_STR(ids(conf(), "Authentication-Results: mx.example.net;"
			      " spf=fail smtp.mailfrom=x.example\n"
			      "From: a@x.example" BODY),
	    "PH-AUTH-FAIL");
	/* one good signature outweighs a broken one */
	CHECK_STR(ids(conf(), "Authentication-Results: mx.example.net;"
			      " dkim=fail header.d=x.example;"
			      " dkim=pass header.d=x.example\n"
			      "From: a@x.example" BODY),
	    "");
	/* the same verdict from a server that is not trusted is ignored */
	CHECK_STR(ids(conf(), "Authentication-Results: other.example;"
			      " spf=fail smtp.mailfrom=x.example\n"
			      "From: a@x.example" BODY),
	    "");
}

TEST(scan_auth_none)
{
	CHECK_STR(ids(conf(), "Authentication-Results: mx.example.net;"
			      " spf=none smtp.mailfrom=x.example; dkim=none\n"
			      "From: a@x.example" BODY),
	    "PH-AUTH-NONE");
	CHECK_STR(ids(conf(), "Authentication-Results: mx.example.net; none\n"
			      "From: a@x.example" BODY),
	    "PH-AUTH-NONE");
	CHECK_STR(ids(conf(), "Authentication-Results: mx.example.net;"
			      " spf=softfail smtp.mailfrom=x.example;"
			      " dkim=pass header.d=x.example\n"
			      "From: a@x.example" BODY),
	    "");
}

TEST(scan_auth_not_configured)
{
	static struct scan_conf none;

	/* with no trusted server, the headers prove nothing either way */
	CHECK_STR(ids(&none, "Authentication-Results: mx.example.net;"
			     " dmarc=fail header.from=x.example\n"
			     "From: a@x.example" BODY),
	    "");
}

TEST(scan_auth_arc)
{
	CHECK_STR(ids(conf(), "ARC-Authentication-Results: i=1; mx.example.net;"
			      " dmarc=fail header.from=x.example\n"
			      "From: a@x.example" BODY),
	    "PH-AUTH-DMARC-FAIL");
	CHECK_STR(ids(conf(), "ARC-Authentication-Results: mx.example.net;"
			      " dmarc=fail header.from=x.example\n"
			      "From: a@x.example" BODY),
	    ""); /* no i= tag: not an ARC header, ignored */
}

TEST(scan_ar_forged)
{
	/* a "pass" written further down by the sender, that the trusted
	 * server contradicts */
	CHECK_STR(ids(conf(), "Authentication-Results: mx.example.net;"
			      " spf=fail smtp.mailfrom=bank.example\n"
			      "Received: from evil by mx.example.net\n"
			      "Authentication-Results: mx.bank.example;"
			      " spf=pass smtp.mailfrom=bank.example\n"
			      "From: a@bank.example" BODY),
	    "PH-AR-FORGED,PH-AUTH-FAIL");
	/* no trusted verdict at all, but a claim of a pass */
	CHECK_STR(ids(conf(), "Authentication-Results: mx.google.com;"
			      " dkim=pass header.d=bank.example\n"
			      "From: a@bank.example" BODY),
	    "PH-AR-FORGED");
	/* an untrusted header that agrees with the trusted one */
	CHECK_STR(ids(conf(), "Authentication-Results: mx.example.net;"
			      " dkim=pass header.d=bank.example\n"
			      "Authentication-Results: relay.example;"
			      " dkim=pass header.d=bank.example\n"
			      "From: a@bank.example" BODY),
	    "");
	/* a header forging the trusted id itself counts as trusted (RFC 8601
	 * §5 makes the border server delete those), so its verdict is used */
	CHECK_STR(ids(conf(), "Authentication-Results: mx.example.net;"
			      " dkim=pass header.d=bank.example;"
			      " spf=pass smtp.mailfrom=bank.example\n"
			      "From: a@bank.example" BODY),
	    "");
}

TEST(scan_display_addr)
{
	CHECK_STR(
	    ids(conf(), "From: \"service@paypal.com\" <x@evil.example>" BODY),
	    "PH-DISPLAY-ADDR");
	CHECK_STR(ids(conf(), "From: \"PayPal (service@paypal.com)\" "
			      "<x@evil.example>" BODY),
	    "PH-DISPLAY-ADDR");
	CHECK_STR(
	    ids(conf(), "From: \"Bob@Example.com\" <bob@example.com>" BODY),
	    "");
}

TEST(scan_display_domain)
{
	CHECK_STR(ids(conf(),
		      "From: \"Support Amazon.com\" <help@evil.example>" BODY),
	    "PH-DISPLAY-BRAND,PH-DISPLAY-DOMAIN");
	CHECK_STR(
	    ids(conf(), "From: \"example.org team\" <no-reply@evil.test>" BODY),
	    "PH-DISPLAY-DOMAIN");
	CHECK_STR(
	    ids(conf(),
		"From: \"Amazon.com\" <auto@marketplace.amazon.com>" BODY),
	    "");
	CHECK_STR(
	    ids(conf(), "From: \"Dr. J. Smith\" <js@uni.example>" BODY), "");
}

TEST(scan_display_brand)
{
	CHECK_STR(
	    ids(conf(), "From: PayPal Security <alert@secure-mail.test>" BODY),
	    "PH-DISPLAY-BRAND");
	CHECK_STR(
	    ids(conf(), "From: PayPal <service@intl.paypal.com>" BODY), "");
	CHECK_STR(ids(conf(), "From: Microsoft Teams <noreply@email.teams."
			      "microsoft.com>" BODY),
	    "");
	/* a word that merely contains a brand does not count */
	CHECK_STR(
	    ids(conf(), "From: Dhlamini Family <f@home.example>" BODY), "");
}

TEST(scan_replyto_domain)
{
	CHECK_STR(ids(conf(), "From: Bank <info@bank.example>\n"
			      "Reply-To: bank.help@freemail.test" BODY),
	    "PH-REPLYTO-DOMAIN");
	CHECK_STR(ids(conf(), "From: Bank <info@bank.example>\n"
			      "Reply-To: help@support.bank.example" BODY),
	    "");
	/* a mailing list directs replies to the list */
	CHECK_STR(
	    ids(conf(), "From: Ann <ann@home.example>\n"
			"Reply-To: dev@lists.project.example\n"
			"List-Id: Developers <dev.lists.project.example>" BODY),
	    "");
}

TEST(scan_returnpath_domain)
{
	CHECK_STR(ids(conf(), "Return-Path: <bounce-7@mailer.test>\n"
			      "From: Shop <news@shop.example>" BODY),
	    "PH-RETURNPATH-DOMAIN");
	CHECK_STR(ids(conf(), "Return-Path: www-data@vps.host.test\n"
			      "From: Shop <news@shop.example>" BODY),
	    "PH-RETURNPATH-DOMAIN");
	CHECK_STR(ids(conf(), "Return-Path: <bounces@shop.example>\n"
			      "From: Shop <news@shop.example>" BODY),
	    "");
	CHECK_STR(ids(conf(), "Return-Path: <>\n"
			      "From: Shop <news@shop.example>" BODY),
	    "");
}

TEST(scan_sender_idn)
{
	CHECK_STR(ids(conf(), "From: Pay <service@xn--pypal-4ve.com>" BODY),
	    "PH-IDN-CONFUSABLE,PH-IDN-MIXED");
	CHECK_STR(ids(conf(), "From: Ann <ann@xn--mnchen-3ya.de>" BODY), "");
}

TEST(scan_levels_from_weights)
{
	struct scan_report r;
	struct mime_msg *m;
	const char *why;
	const char *msg = "From: \"service@paypal.com\" <x@evil.example>\n"
			  "Reply-To: a@other.test\n\nx\n";

	if (!CHECK(mime_msg_open_mem(msg, strlen(msg), &m, &why) == 0))
		return;
	scan_message(conf(), m, &r);
	CHECK(r.points == scan_id_weight(PH_DISPLAY_ADDR) +
			      scan_id_weight(PH_REPLYTO_DOMAIN));
	CHECK(r.points == 40 && r.level == SCAN_MEDIUM);
	CHECK_STR(scan_level_name(r.level), "medium");
	CHECK(scan_has(&r, PH_DISPLAY_ADDR) && !scan_has(&r, PH_LINK_IP));
	mime_msg_free(&m);
	CHECK(
	    SCAN_LOW_MIN < SCAN_MEDIUM_MIN && SCAN_MEDIUM_MIN < SCAN_HIGH_MIN);
}
