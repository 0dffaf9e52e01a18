/* links.c: links, forms and credential requests in the text and HTML parts
 * of a message; IDN checks on host names. */
#include <string.h>
#include <strings.h>

#include "scan/idn.h"
#include "scan/lists.h"
#include "scan/scan.h"
#include "scan/url.h"

static bool
is_tracker(const char *host)
{
	return scan_list_has(SL_TRACKER, url_org_domain(host));
}

struct lscan {
	const struct scan_conf *c;
	struct scan_report *r;
	unsigned links;
	unsigned web_links;
	bool password;
	bool form;
	bool in_a;
	struct buf href;
	struct buf atext;
	struct buf words; /* visible text, for credential phrases */
};

void
scan_host(const struct scan_conf *c, const char *host, const char *where,
    struct scan_report *r)
{
	char u[4 * SCAN_HOST_MAX + 1], label[4 * SCAN_LABEL_MAX + 1];
	const char *k;

	if (idn_to_unicode(host, u, sizeof(u)) < 0)
		return;
	if (idn_mixed_script(u, label, sizeof(label)))
		scan_add(r, PH_IDN_MIXED,
		    "%s %s (shown as %s): \"%s\" mixes "
		    "alphabets",
		    where, host, u, label);
	if ((k = scan_conf_lookalike(c, u)) != NULL)
		scan_add(r, PH_IDN_CONFUSABLE,
		    "%s %s (shown as %s) looks "
		    "like %s",
		    where, host, u, k);
	else if (idn_whole_script_confusable(u))
		scan_add(r, PH_IDN_CONFUSABLE,
		    "%s %s (shown as %s) is written "
		    "in non-Latin letters that look Latin",
		    where, host, u);
}

/* Judge one link target, with the text shown for it (may be empty). */
static void
check_link(struct lscan *ls, const char *t, size_t tlen, const char *text,
    size_t textlen)
{
	char scheme[16], th[SCAN_HOST_MAX + 1];
	struct url u;
	int shown = tlen > 120 ? 120 : (int)tlen;

	if (tlen == 0 || ls->links >= SCAN_LINKS_MAX)
		return;
	ls->links++;
	url_scheme(t, tlen, scheme, sizeof(scheme));
	if (strcmp(scheme, "javascript") == 0 ||
	    strcmp(scheme, "vbscript") == 0 || strcmp(scheme, "data") == 0) {
		scan_add(ls->r, PH_LINK_SCRIPT, "link %.*s", shown, t);
		return;
	}
	if (url_parse(t, tlen, &u) < 0)
		return;
	ls->web_links++;
	if (u.is_ip)
		scan_add(ls->r, PH_LINK_IP, "link %.*s", shown, t);
	if (u.userinfo[0] != '\0')
		scan_add(ls->r, PH_LINK_USERINFO, "link %.*s really opens %s",
		    shown, t, u.host);
	if (url_is_shortener(u.host))
		scan_add(ls->r, PH_SHORTENER, "link %.*s", shown, t);
	if (!u.is_ip)
		scan_host(ls->c, u.host, "link to", ls->r);
	if (textlen == 0 ||
	    url_text_domain(text, textlen, th, sizeof(th)) < 0 ||
	    url_host_is_ip(th) || url_same_org(th, u.host))
		return;
	/* A redirector that names the shown site in its URL, or a bulk-mail
	 * service's click tracker. */
	if (memmem(t, tlen, th, strlen(th)) != NULL ||
	    memmem(t, tlen, url_org_domain(th), strlen(url_org_domain(th))) ||
	    is_tracker(u.host))
		return;
	scan_add(ls->r, PH_LINK_MISMATCH,
	    "text shows %s but the link goes to "
	    "%s",
	    th, u.host);
}

static void
add_words(struct lscan *ls, const char *p, size_t len)
{
	size_t room = ls->words.max - ls->words.len;

	if (room < 2 || len == 0)
		return;
	if (len > room - 1)
		len = room - 1;
	if (buf_append(&ls->words, p, len) < 0 ||
	    buf_append(&ls->words, " ", 1) < 0)
		return;
}

static void
end_anchor(struct lscan *ls)
{
	if (ls->in_a)
		check_link(ls, (const char *)ls->href.data, ls->href.len,
		    (const char *)ls->atext.data, ls->atext.len);
	ls->in_a = false;
}

static void
html_text(void *arg, const char *p, size_t len)
{
	struct lscan *ls = arg;
	size_t from = ls->atext.len;

	if (!ls->in_a) {
		struct buf t;

		buf_init(&t, 65536);
		if (mime_html_unescape(p, len < 65536 ? len : 65536, &t) == 0 &&
		    t.len > 0)
			add_words(ls, (const char *)t.data, t.len);
		buf_free(&t);
		return;
	}
	if (mime_html_unescape(p, len, &ls->atext) < 0 && ls->atext.len == from)
		return; /* the shown text is already at its cap */
	if (ls->atext.len > from)
		add_words(ls, (const char *)ls->atext.data + from,
		    ls->atext.len - from);
}

static void
html_tag(void *arg, const struct mime_html_tag *t)
{
	struct lscan *ls = arg;
	struct buf v;
	const char *e;

	buf_init(&v, MIME_HTML_ATTR_MAX);
	if (strcmp(t->name, "a") == 0 || strcmp(t->name, "area") == 0) {
		end_anchor(ls);
		if (!t->closing) {
			buf_reset(&ls->href);
			buf_reset(&ls->atext);
			ls->in_a = mime_html_attr(t, "href", &ls->href) >= 0;
			if (strcmp(t->name, "area") == 0)
				end_anchor(ls);
		}
	} else if (strcmp(t->name, "form") == 0 && !t->closing) {
		ls->form = true;
		if (mime_html_attr(t, "action", &v) >= 0 && v.len > 0)
			scan_add(ls->r, PH_HTML_FORM, "form sending to %.*s",
			    v.len > 120 ? 120 : (int)v.len,
			    (const char *)v.data);
		else
			scan_add(ls->r, PH_HTML_FORM, "a form in the message");
		if (v.len > 0)
			check_link(ls, (const char *)v.data, v.len, NULL, 0);
	} else if (strcmp(t->name, "input") == 0 && !t->closing) {
		if (mime_html_attr(t, "type", &v) >= 0 && v.len == 8 &&
		    strncasecmp((const char *)v.data, "password", 8) == 0)
			ls->password = true;
	} else if ((strcmp(t->name, "iframe") == 0 ||
		       strcmp(t->name, "frame") == 0) &&
		   !t->closing) {
		if (mime_html_attr(t, "src", &v) >= 0 && v.len > 0)
			check_link(ls, (const char *)v.data, v.len, NULL, 0);
	} else if (strcmp(t->name, "meta") == 0 &&
		   mime_html_attr(t, "http-equiv", &v) >= 0 && v.len == 7 &&
		   strncasecmp((const char *)v.data, "refresh", 7) == 0) {
		buf_reset(&v);
		if (mime_html_attr(t, "content", &v) >= 0 && v.len > 0 &&
		    (e = strcasestr((const char *)v.data, "url=")) != NULL)
			check_link(ls, e + 4, strlen(e + 4), NULL, 0);
	}
	buf_free(&v);
}

/* Links written out in plain text. */
static void
text_links(struct lscan *ls, const char *p, size_t len)
{
	size_t i = 0, e;

	while (i < len) {
		size_t s;

		/* find "http:", "https:" or "www." */
		for (s = i; s + 4 <= len; s++)
			if ((p[s] == 'h' || p[s] == 'H' || p[s] == 'w' ||
				p[s] == 'W') &&
			    ((len - s >= 7 &&
				 strncasecmp(p + s, "http://", 7) == 0) ||
				(len - s >= 8 &&
				    strncasecmp(p + s, "https://", 8) == 0) ||
				strncasecmp(p + s, "www.", 4) == 0) &&
			    (s == 0 || !g_ascii_isalnum(p[s - 1])))
				break;
		if (s + 4 > len)
			return;
		for (e = s; e < len && (unsigned char)p[e] > 0x20 &&
			    !strchr("<>\"'", p[e]);
		     e++)
			;
		while (e > s && strchr(".,;:!?)]}", p[e - 1]) != NULL)
			e--;
		check_link(ls, p + s, e - s, NULL, 0);
		i = e > s ? e : s + 1;
	}
}

static int
part_cb(GMimeObject *o, GMimeObject *parent, unsigned depth, void *arg)
{
	struct lscan *ls = arg;
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	GMimeContentDisposition *d;
	struct mime_html_cb cb = {html_text, html_tag};
	struct buf b;
	bool cut, html, att;

	if (!GMIME_IS_PART(o) || ct == NULL ||
	    !g_mime_content_type_is_type(ct, "text", "*"))
		return 0;
	html = g_mime_content_type_is_type(ct, "text", "html");
	d = g_mime_object_get_content_disposition(o);
	att = d != NULL && g_mime_content_disposition_is_attachment(d);
	if (!html && (att || !g_mime_content_type_is_type(ct, "text", "plain")))
		return 0;
	buf_init(&b, MIME_TEXT_MAX);
	if (mime_part_read(GMIME_PART(o), true, &b, &cut) == 0 && b.len > 0) {
		if (html) {
			mime_html_tokenize(
			    (const char *)b.data, b.len, &cb, ls);
			end_anchor(ls);
		} else {
			text_links(ls, (const char *)b.data, b.len);
			add_words(ls, (const char *)b.data, b.len);
		}
	}
	buf_free(&b);
	return 0;
}

void
scan_links(
    const struct scan_conf *c, const struct mime_msg *m, struct scan_report *r)
{
	struct lscan ls = {.c = c, .r = r};
	const char *ph;
	gchar *lc;
	size_t i;

	buf_init(&ls.href, MIME_HTML_ATTR_MAX);
	buf_init(&ls.atext, SCAN_ANCHOR_TEXT_MAX);
	buf_init(&ls.words, 1024 * 1024);
	mime_walk(m, part_cb, &ls);
	if (ls.password) {
		scan_add(r, PH_CRED_REQUEST, "a form asks for a password");
	} else if ((ls.web_links > 0 || ls.form) && ls.words.len > 0) {
		lc = g_ascii_strdown(
		    (const char *)ls.words.data, (gssize)ls.words.len);
		for (i = 0; (ph = scan_list_get(SL_CRED_PHRASE, i)) != NULL;
		     i++)
			if (strstr(lc, ph) != NULL) {
				scan_add(r, PH_CRED_REQUEST,
				    "the text says \"%s\" and has a link", ph);
				break;
			}
		g_free(lc);
	}
	buf_free(&ls.href);
	buf_free(&ls.atext);
	buf_free(&ls.words);
}
