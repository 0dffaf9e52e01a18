/* headers.c: sender checks (display name, Reply-To, Return-Path) and the
 * receiving server's verdicts in Authentication-Results. */
#include <string.h>
#include <strings.h>

#include "scan/authres.h"
#include "scan/scan.h"
#include "scan/url.h"

/* The domain of a lower-case address, or NULL. */
static const char *
addr_domain(const char *addr)
{
	const char *at = addr != NULL ? strrchr(addr, '@') : NULL;

	return at != NULL && at[1] != '\0' ? at + 1 : NULL;
}

static bool
is_local_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || strchr("._%+-=!#$&'*/?^`{|}~", c);
}

static bool
is_dom_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '-' ||
	       (unsigned char)c >= 0x80;
}

/* An address written inside a display name, lower-cased into out. */
static bool
name_addr(const char *name, char *out, size_t cap)
{
	const char *at = strchr(name, '@'), *s, *e;
	size_t n;

	for (; at != NULL; at = strchr(at + 1, '@')) {
		for (s = at; s > name && is_local_char(s[-1]); s--)
			;
		for (e = at + 1; is_dom_char(*e); e++)
			;
		while (e > at + 1 && e[-1] == '.')
			e--;
		n = (size_t)(e - s);
		if (s == at || e == at + 1 ||
		    memchr(at, '.', (size_t)(e - at)) == NULL || n >= cap)
			continue;
		for (size_t i = 0; i < n; i++)
			out[i] = g_ascii_tolower(s[i]);
		out[n] = '\0';
		return true;
	}
	return false;
}

/* A brand, and the strings its own sending domains contain. */
static const struct {
	const char *word;
	const char *own[6];
} brands[] = {
    {"paypal", {"paypal"}},
    {"apple", {"apple", "icloud", "itunes"}},
    {"icloud", {"apple", "icloud"}},
    {"microsoft", {"microsoft", "office", "outlook", "live.com", "hotmail",
		      "sharepoint"}},
    {"office 365", {"microsoft", "office", "outlook"}},
    {"outlook", {"microsoft", "office", "outlook", "live.com", "hotmail"}},
    {"amazon", {"amazon", "aws"}},
    {"netflix", {"netflix"}},
    {"dhl", {"dhl"}},
    {"fedex", {"fedex"}},
    {"docusign", {"docusign"}},
    {"dropbox", {"dropbox"}},
    {"wells fargo", {"wellsfargo", "wf.com"}},
    {"bank of america", {"bankofamerica", "bofa"}},
    {"linkedin", {"linkedin"}},
    {"facebook", {"facebook", "fb.com", "meta"}},
    {"instagram", {"instagram", "facebook"}},
    {"wetransfer", {"wetransfer"}},
    {"ebay", {"ebay"}},
    {"adobe", {"adobe"}},
};

/* Case-insensitive whole-word search of word in s. */
static bool
has_word(const char *s, const char *word)
{
	size_t n = strlen(word), i, len = strlen(s);

	for (i = 0; i + n <= len; i++)
		if (strncasecmp(s + i, word, n) == 0 &&
		    (i == 0 || !g_ascii_isalnum(s[i - 1])) &&
		    !g_ascii_isalnum(s[i + n]))
			return true;
	return false;
}

static void
check_display(
    const char *name, const char *from, const char *fdom, struct scan_report *r)
{
	char a[512], host[SCAN_HOST_MAX + 1];
	gchar **tok;
	size_t i, k;

	if (name == NULL || *name == '\0' || fdom == NULL)
		return;
	if (name_addr(name, a, sizeof(a))) {
		if (strcmp(a, from) != 0)
			scan_add(r, PH_DISPLAY_ADDR,
			    "sender name \"%s\" but "
			    "the address is %s",
			    name, from);
		return;
	}
	tok = g_strsplit_set(name, " \t\"'()<>,;|", -1);
	for (i = 0; tok[i] != NULL; i++) {
		if (url_text_domain(
			tok[i], strlen(tok[i]), host, sizeof(host)) == 0 &&
		    !url_same_org(host, fdom)) {
			scan_add(r, PH_DISPLAY_DOMAIN,
			    "sender name \"%s\" "
			    "names %s but the address is %s",
			    name, host, from);
			break;
		}
	}
	g_strfreev(tok);
	for (i = 0; i < sizeof(brands) / sizeof(brands[0]); i++) {
		bool own = false;

		if (!has_word(name, brands[i].word))
			continue;
		for (k = 0; k < 6 && brands[i].own[k] != NULL; k++)
			if (strstr(fdom, brands[i].own[k]) != NULL)
				own = true;
		if (!own) {
			scan_add(r, PH_DISPLAY_BRAND,
			    "sender name \"%s\" but "
			    "the address is %s",
			    name, from);
			return;
		}
	}
}

/* Organisational domains of the mailing list (List-Id, List-Post), whose
 * Reply-To and Return-Path are expected to differ from From. */
static bool
is_list_domain(const struct mime_msg *m, const char *dom)
{
	static const char *const hdrs[] = {"List-Id", "List-Post"};
	const char *v, *s, *e;
	char host[SCAN_HOST_MAX + 1];
	size_t i, n;

	for (i = 0; i < 2; i++) {
		v = g_mime_object_get_header(GMIME_OBJECT(m->gm), hdrs[i]);
		if (v == NULL || (s = strchr(v, '<')) == NULL ||
		    (e = strchr(s, '>')) == NULL)
			continue;
		s++;
		if (strncasecmp(s, "mailto:", 7) == 0 &&
		    memchr(s, '@', (size_t)(e - s)) != NULL)
			s = (const char *)memchr(s, '@', (size_t)(e - s)) + 1;
		n = (size_t)(e - s);
		if (n == 0 || n >= sizeof(host))
			continue;
		for (size_t k = 0; k < n; k++)
			host[k] = g_ascii_tolower(s[k]);
		host[n] = '\0';
		if (url_same_org(host, dom))
			return true;
	}
	return false;
}

static void
check_reply(const struct mime_msg *m, const char *from, const char *fdom,
    struct scan_report *r)
{
	InternetAddressList *l = g_mime_message_get_reply_to(m->gm);
	const char *rp, *a, *s, *e;
	char addr[512];
	int i, n = l != NULL ? internet_address_list_length(l) : 0;

	for (i = 0; i < n; i++) {
		InternetAddress *ia = internet_address_list_get_address(l, i);
		gchar *lc;

		if (!INTERNET_ADDRESS_IS_MAILBOX(ia))
			continue;
		a = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(ia));
		if (a == NULL || addr_domain(a) == NULL)
			continue;
		lc = g_utf8_strdown(a, -1);
		if (!url_same_org(addr_domain(lc), fdom) &&
		    !is_list_domain(m, addr_domain(lc)))
			scan_add(r, PH_REPLYTO_DOMAIN, "Reply-To: %s, From: %s",
			    lc, from);
		g_free(lc);
	}
	rp = g_mime_object_get_header(GMIME_OBJECT(m->gm), "Return-Path");
	if (rp == NULL)
		return;
	rp += strspn(rp, " \t");
	if ((s = strchr(rp, '<')) != NULL) { /* "<addr>" */
		s++;
		e = strchr(s, '>');
	} else { /* a bare address */
		s = rp;
		e = s + strcspn(s, " \t\r\n");
	}
	if (e == NULL || e - s <= 0 || (size_t)(e - s) >= sizeof(addr))
		return;
	for (i = 0; i < e - s; i++)
		addr[i] = g_ascii_tolower(s[i]);
	addr[i] = '\0';
	if (addr_domain(addr) != NULL &&
	    !url_same_org(addr_domain(addr), fdom) &&
	    !is_list_domain(m, addr_domain(addr)))
		scan_add(r, PH_RETURNPATH_DOMAIN, "Return-Path: %s, From: %s",
		    addr, from);
}

/* Verdicts of the trusted servers, per method: "pass" beats "fail" beats
 * the first other result. */
struct verdicts {
	struct ar_result best[4];
	char by[SCAN_AR_TOKEN_MAX];
	bool none;
};

static const char *const methods[4] = {"spf", "dkim", "dmarc", "arc"};

static void
merge(struct verdicts *v, const struct ar_header *h)
{
	size_t i, k;

	if (v->by[0] == '\0')
		memcpy(v->by, h->authserv, sizeof(v->by));
	v->none = v->none || h->none;
	for (i = 0; i < h->n; i++)
		for (k = 0; k < 4; k++) {
			struct ar_result *b = &v->best[k];

			if (strcmp(h->res[i].method, methods[k]) != 0)
				continue;
			if (b->result[0] == '\0' ||
			    strcmp(h->res[i].result, "pass") == 0 ||
			    (strcmp(h->res[i].result, "fail") == 0 &&
				strcmp(b->result, "pass") != 0))
				*b = h->res[i];
		}
}

static bool
is_res(const struct verdicts *v, int k, const char *res)
{
	return strcmp(v->best[k].result, res) == 0;
}

static void
judge(const struct verdicts *v, struct scan_report *r)
{
	int k;
	bool any_pass = false;

	if (is_res(v, 2, "fail"))
		scan_add(r, PH_AUTH_DMARC_FAIL, "dmarc=fail %s (by %s)",
		    v->best[2].prop, v->by);
	for (k = 0; k < 4; k++)
		if (k != 2 && is_res(v, k, "fail"))
			scan_add(r, PH_AUTH_FAIL, "%s=fail %s (by %s)",
			    methods[k], v->best[k].prop, v->by);
	for (k = 0; k < 3; k++)
		any_pass = any_pass || is_res(v, k, "pass");
	if (any_pass || scan_has(r, PH_AUTH_FAIL) ||
	    scan_has(r, PH_AUTH_DMARC_FAIL))
		return;
	for (k = 0; k < 3; k++)
		if (is_res(v, k, "none") || is_res(v, k, "softfail") ||
		    is_res(v, k, "neutral")) {
			scan_add(r, PH_AUTH_NONE, "%s=%s (by %s)", methods[k],
			    v->best[k].result, v->by);
			return;
		}
	if (v->none)
		scan_add(r, PH_AUTH_NONE, "none (by %s)", v->by);
}

/* A "pass" vouched for by an untrusted header. */
struct claim {
	char by[SCAN_AR_TOKEN_MAX];
	int method;
	bool below; /* found below a trusted header */
};

static void
check_auth(
    const struct scan_conf *c, const struct mime_msg *m, struct scan_report *r)
{
	GMimeHeaderList *hl =
	    g_mime_object_get_header_list(GMIME_OBJECT(m->gm));
	int i, j, cnt = g_mime_header_list_get_count(hl), seen = 0;
	struct claim cl[8];
	struct verdicts v;
	struct ar_header h;
	size_t k, ncl = 0;
	bool trusted_seen = false;

	if (c->ntrusted == 0)
		return; /* anyone can write these headers: trust none */
	memset(&v, 0, sizeof(v));
	for (i = 0; i < cnt && seen < SCAN_AR_HEADERS_MAX; i++) {
		GMimeHeader *hd = g_mime_header_list_get_header_at(hl, i);
		const char *name = g_mime_header_get_name(hd);
		const char *raw = g_mime_header_get_raw_value(hd);
		bool arc = strcasecmp(name, "ARC-Authentication-Results") == 0;

		if (raw == NULL ||
		    (!arc && strcasecmp(name, "Authentication-Results") != 0))
			continue;
		seen++;
		if (ar_parse(raw, strlen(raw), arc, &h) < 0)
			continue;
		if (scan_conf_trusts(c, h.authserv)) {
			merge(&v, &h);
			trusted_seen = true;
			continue;
		}
		/* Untrusted: ignored, but remembered if it claims a pass. */
		for (k = 0; k < h.n && !arc && ncl < 8; k++)
			for (j = 0; j < 3; j++)
				if (strcmp(h.res[k].method, methods[j]) == 0 &&
				    strcmp(h.res[k].result, "pass") == 0) {
					memcpy(cl[ncl].by, h.authserv,
					    sizeof(cl[ncl].by));
					cl[ncl].method = j;
					cl[ncl++].below = trusted_seen;
					break;
				}
	}
	if (trusted_seen)
		judge(&v, r);
	/* Claims further down than the trusted verdict (or with no trusted
	 * verdict at all) that the trusted servers did not confirm. */
	for (k = 0; k < ncl; k++)
		if ((cl[k].below || !trusted_seen) &&
		    !is_res(&v, cl[k].method, "pass")) {
			scan_add(r, PH_AR_FORGED,
			    "Authentication-Results from "
			    "untrusted \"%s\" claims %s=pass",
			    cl[k].by, methods[cl[k].method]);
			break;
		}
}

void
scan_headers(
    const struct scan_conf *c, const struct mime_msg *m, struct scan_report *r)
{
	InternetAddressList *l = g_mime_message_get_from(m->gm);
	char *from = mime_from_addr(m);
	const char *fdom = addr_domain(from), *name = NULL;

	if (l != NULL && internet_address_list_length(l) > 0)
		name = internet_address_get_name(
		    internet_address_list_get_address(l, 0));
	if (fdom != NULL) {
		check_display(name, from, fdom, r);
		check_reply(m, from, fdom, r);
		scan_host(c, fdom, "sender address", r);
	}
	check_auth(c, m, r);
	g_free(from);
}
