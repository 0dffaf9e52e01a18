/* lists.c: the scanner's built-in lists. Each is small and documented in
 * docs/phishing.md with its limitations.
 *
 * The public-suffix list is a subset of the Mozilla Public Suffix List
 * (publicsuffix.org): common second-level registries (co.uk, com.au, co.jp,
 * ...) and hosting platforms whose customers get sub-domains (github.io,
 * blogspot.com, ...). A suffix missing here makes two unrelated sites under
 * it look like one organisation (a miss), never the reverse. */
#include <string.h>

#include "scan/lists.h"

/* clang-format off */
static const char *const psl[] = {
	/* ICANN second-level registries */
	"co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk",
	"net.uk", "sch.uk", "nhs.uk", "police.uk", "com.au", "net.au",
	"org.au", "edu.au", "gov.au", "id.au", "asn.au", "co.nz", "org.nz",
	"net.nz", "govt.nz", "ac.nz", "co.jp", "ne.jp", "or.jp", "ac.jp",
	"go.jp", "ad.jp", "ed.jp", "gr.jp", "lg.jp", "com.br", "net.br",
	"org.br", "gov.br", "com.cn", "net.cn", "org.cn", "gov.cn", "edu.cn",
	"ac.cn", "com.mx", "org.mx", "gob.mx", "co.in", "net.in", "org.in",
	"gov.in", "ac.in", "firm.in", "co.za", "org.za", "gov.za", "ac.za",
	"com.tr", "org.tr", "gov.tr", "edu.tr", "com.ar", "gob.ar", "co.kr",
	"or.kr", "ne.kr", "go.kr", "ac.kr", "com.tw", "org.tw", "gov.tw",
	"edu.tw", "com.hk", "org.hk", "gov.hk", "edu.hk", "com.sg", "org.sg",
	"gov.sg", "edu.sg", "co.il", "org.il", "gov.il", "ac.il", "com.pl",
	"net.pl", "org.pl", "co.id", "or.id", "ac.id", "go.id", "com.my",
	"com.ph", "com.vn", "com.pk", "com.eg", "com.sa", "com.ng", "co.ke",
	"com.co", "co.th", "in.th", "ac.th", "go.th", "com.es", "org.es",
	"gob.es", "co.at", "or.at", "ac.at", "gv.at", "com.pt", "com.ua",
	"com.ru", "co.ua", "com.gr", "edu.pl", "gov.pl",
	/* hosting platforms (PSL private section) */
	"github.io", "gitlab.io", "blogspot.com", "appspot.com",
	"herokuapp.com", "azurewebsites.net", "cloudfront.net",
	"firebaseapp.com", "web.app", "netlify.app", "vercel.app",
	"pages.dev", "workers.dev", "glitch.me", "wixsite.com", "weebly.com",
	"000webhostapp.com", "ngrok.io", "ngrok-free.app", "duckdns.org",
	"s3.amazonaws.com", "r2.dev", "myshopify.com", "azureedge.net",
	"onrender.com", "fly.dev", "repl.co", "eu.com", "uk.com", "us.com",
	NULL
};

static const char *const shorteners[] = {
	"bit.ly", "bitly.com", "tinyurl.com", "t.co", "goo.gl", "ow.ly",
	"is.gd", "buff.ly", "rebrand.ly", "cutt.ly", "shorturl.at", "tiny.cc",
	"rb.gy", "bl.ink", "t.ly", "s.id", "v.gd", "lnkd.in", "qrco.de",
	"shorte.st", "adf.ly", "soo.gd", "clck.ru", "tiny.one", "u.to",
	"x.co", "urlz.fr", "2no.co", "short.gy", "shorturl.com", "t2m.io",
	"tr.im", "cli.gs", "snip.ly", "bit.do", "surl.li", "rotf.lol",
	NULL
};

static const char *const tlds[] = {
	"com", "net", "org", "edu", "gov", "mil", "int", "info", "biz", "io",
	"co", "me", "us", "uk", "de", "fr", "nl", "be", "ch", "at", "it", "es",
	"ru", "ua", "cn", "jp", "kr", "in", "br", "au", "ca", "eu", "se", "no",
	"dk", "fi", "pt", "cz", "pl", "sk", "hu", "ro", "bg", "gr", "ie", "nz",
	"za", "mx", "ar", "cl", "tr", "il", "ir", "sg", "hk", "tw", "my", "id",
	"th", "vn", "ph", "pk", "app", "dev", "xyz", "online", "site", "top",
	"club", "shop", "store", "tech", "cloud", "ai", "tv", "cc", "ws",
	"live", "email", "link", "click", "support", "security", "bank",
	NULL
};

/* Click-tracking domains of bulk-mail services: their links never name
 * the destination, so a link text naming another site is expected. */
static const char *const trackers[] = {
	"list-manage.com", "mailchi.mp", "sendgrid.net", "mandrillapp.com",
	"rs6.net", "createsend.com", "createsend1.com", "hubspotlinks.com",
	"klaviyomail.com", "awstrack.me", "sparkpostmail.com", "mjt.lu",
	"exacttarget.com", "mailgun.org", "sendibt2.com", "sendibt3.com",
	"substack.com", "mcsv.net", "cmail19.com", "cmail20.com",
	NULL
};

static const char *const brand_domains[] = {
	"paypal.com", "apple.com", "icloud.com", "microsoft.com",
	"office.com", "outlook.com", "live.com", "google.com", "gmail.com",
	"amazon.com", "netflix.com", "facebook.com", "instagram.com",
	"linkedin.com", "dropbox.com", "docusign.com", "dhl.com", "fedex.com",
	"ups.com", "usps.com", "chase.com", "wellsfargo.com",
	"bankofamerica.com", "americanexpress.com", "ebay.com", "adobe.com",
	"github.com", "twitter.com", "yahoo.com", "wetransfer.com",
	NULL
};

static const char *const exec_ext[] = {
	"exe", "scr", "com", "pif", "bat", "cmd", "vbs", "vbe", "js", "jse",
	"wsf", "wsh", "wsc", "hta", "msi", "msp", "lnk", "ps1", "psm1", "jar",
	"cpl", "reg", "chm", "dll", "apk", "appx", "msix", "application",
	"gadget", "scf", "inf", "sct", "xll", "iqy", "slk",
	NULL
};

static const char *const doc_ext[] = {
	"pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "txt", "rtf", "odt",
	"jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "mp3", "mp4", "avi",
	"mov", "wav", "zip", "rar", "7z", "htm", "html", "csv", "xml", "eml",
	NULL
};

static const char *const cred_phrases[] = {
	"verify your account", "verify your identity",
	"confirm your account", "confirm your identity",
	"confirm your password",
	"update your account", "update your payment", "update your billing",
	"enter your password", "re-enter your password",
	"provide your password", "your password will expire",
	"password expires today", "account has been suspended",
	"account will be suspended", "account has been locked",
	"account will be closed", "account has been limited",
	"unusual sign-in activity", "unusual login activity",
	"validate your account", "mailbox is full", "mailbox quota",
	"login credentials", "sign in to restore",
	"bestätigen sie ihr konto", "vérifiez votre compte",
	NULL
};
/* clang-format on */

static const char *const *const lists[SL_COUNT] = {
    [SL_PSL] = psl,
    [SL_SHORTENER] = shorteners,
    [SL_TLD] = tlds,
    [SL_TRACKER] = trackers,
    [SL_BRAND_DOMAIN] = brand_domains,
    [SL_EXEC_EXT] = exec_ext,
    [SL_DOC_EXT] = doc_ext,
    [SL_CRED_PHRASE] = cred_phrases,
};

bool
scan_list_has(enum scan_list l, const char *s)
{
	const char *const *p;

	for (p = lists[l]; *p != NULL; p++)
		if (strcmp(*p, s) == 0)
			return true;
	return false;
}

const char *
scan_list_get(enum scan_list l, size_t i)
{
	size_t k;

	for (k = 0; k < i; k++)
		if (lists[l][k] == NULL)
			return NULL;
	return lists[l][i];
}
