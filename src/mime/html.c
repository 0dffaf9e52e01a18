/* html.c: a bounded, linear HTML tokenizer, character references and a
 * crude HTML-to-text conversion. No DOM, no recursion. */
#include <string.h>

#include "mime/mime.h"

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static bool
is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static char
lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* Elements whose content is not markup and is never shown. */
static bool
is_rawtext(const char *name)
{
	return strcmp(name, "script") == 0 || strcmp(name, "style") == 0 ||
	       strcmp(name, "title") == 0 || strcmp(name, "xmp") == 0;
}

/* Index just past the closing tag "</name" ... ">" from i, or len. */
static size_t
skip_rawtext(const char *p, size_t len, size_t i, const char *name)
{
	size_t nl = strlen(name), k;
	const char *lt;

	while (i < len && (lt = memchr(p + i, '<', len - i)) != NULL) {
		i = (size_t)(lt - p);
		if (len - i >= nl + 2 && p[i + 1] == '/') {
			for (k = 0; k < nl; k++)
				if (lower(p[i + 2 + k]) != name[k])
					break;
			if (k == nl) {
				const char *gt = memchr(p + i, '>', len - i);

				return gt == NULL ? len : (size_t)(gt - p) + 1;
			}
		}
		i++;
	}
	return len;
}

/* Parse the attributes of a tag from i (after its name); returns the index
 * just past '>' (or len). */
static size_t
parse_attrs(const char *p, size_t len, size_t i, struct mime_html_tag *t)
{
	while (i < len) {
		struct mime_html_attr a = {0};
		size_t s;

		while (i < len && (is_space(p[i]) || p[i] == '/'))
			i++;
		if (i >= len)
			return len;
		if (p[i] == '>')
			return i + 1;
		s = i;
		while (i < len && !is_space(p[i]) && p[i] != '=' &&
		       p[i] != '>' && !(p[i] == '/' && i > s))
			i++;
		if (i == s)
			i++; /* a stray '=' */
		a.name = p + s;
		a.name_len = i - s;
		while (i < len && is_space(p[i]))
			i++;
		if (i < len && p[i] == '=') {
			i++;
			while (i < len && is_space(p[i]))
				i++;
			if (i < len && (p[i] == '"' || p[i] == '\'')) {
				const char *q =
				    memchr(p + i + 1, p[i], len - i - 1);

				a.val = p + i + 1;
				a.val_len = q == NULL ? len - i - 1
						      : (size_t)(q - p) - i - 1;
				i = q == NULL ? len : (size_t)(q - p) + 1;
			} else {
				s = i;
				while (
				    i < len && !is_space(p[i]) && p[i] != '>')
					i++;
				a.val = p + s;
				a.val_len = i - s;
			}
		}
		if (a.val_len > MIME_HTML_ATTR_MAX)
			a.val_len = MIME_HTML_ATTR_MAX;
		if (t->nattrs < MIME_HTML_ATTRS_MAX)
			t->attrs[t->nattrs++] = a;
	}
	return len;
}

void
mime_html_tokenize(
    const char *p, size_t len, const struct mime_html_cb *cb, void *arg)
{
	size_t i = 0, text = 0, k, j;
	struct mime_html_tag t;
	const char *lt, *e;

	while (i < len && (lt = memchr(p + i, '<', len - i)) != NULL) {
		i = (size_t)(lt - p);
		j = i + 1;
		if (len - i >= 4 && memcmp(p + i, "<!--", 4) == 0) {
			e = memmem(p + i + 4, len - i - 4, "-->", 3);
			j = e == NULL ? len : (size_t)(e - p) + 3;
		} else if (j < len && (p[j] == '!' || p[j] == '?')) {
			e = memchr(p + j, '>', len - j);
			j = e == NULL ? len : (size_t)(e - p) + 1;
		} else if (j < len &&
			   (is_alpha(p[j]) || (p[j] == '/' && j + 1 < len &&
						  is_alpha(p[j + 1])))) {
			t.closing = p[j] == '/';
			j += t.closing;
			t.nattrs = 0;
			for (k = 0; j < len && !is_space(p[j]) && p[j] != '>' &&
				    p[j] != '/';
			     j++)
				if (k < MIME_HTML_TAGNAME_MAX)
					t.name[k++] = lower(p[j]);
			t.name[k] = '\0';
			j = parse_attrs(p, len, j, &t);
			if (cb->text != NULL && i > text)
				cb->text(arg, p + text, i - text);
			if (cb->tag != NULL)
				cb->tag(arg, &t);
			if (!t.closing && is_rawtext(t.name))
				j = skip_rawtext(p, len, j, t.name);
			i = text = j;
			continue;
		} else {
			i++; /* a literal '<' */
			continue;
		}
		if (cb->text != NULL && i > text)
			cb->text(arg, p + text, i - text);
		i = text = j;
	}
	if (cb->text != NULL && len > text)
		cb->text(arg, p + text, len - text);
}

static const struct {
	const char *name;
	unsigned cp;
} entities[] = {
    {"amp", '&'},
    {"lt", '<'},
    {"gt", '>'},
    {"quot", '"'},
    {"apos", '\''},
    {"nbsp", 0xa0},
    {"copy", 0xa9},
    {"reg", 0xae},
    {"trade", 0x2122},
    {"hellip", 0x2026},
    {"mdash", 0x2014},
    {"ndash", 0x2013},
    {"lsquo", 0x2018},
    {"rsquo", 0x2019},
    {"ldquo", 0x201c},
    {"rdquo", 0x201d},
    {"bull", 0x2022},
    {"middot", 0xb7},
    {"euro", 0x20ac},
    {"pound", 0xa3},
    {"laquo", 0xab},
    {"raquo", 0xbb},
    {"shy", 0xad},
    {"zwnj", 0x200c},
    {"zwj", 0x200d},
    {"sol", '/'},
    {"period", '.'},
    {"colon", ':'},
    {"commat", '@'},
};

/* Decode one reference at p[0..len) (p[0] == '&'): the code point into
 * *cp, returns bytes used, or 0 if it is not a reference. */
static size_t
entity(const char *p, size_t len, unsigned *cp)
{
	size_t i = 1, k;
	unsigned v = 0, digits = 0;

	if (len > 2 && p[1] == '#') {
		bool hex = p[2] == 'x' || p[2] == 'X';

		for (i = hex ? 3 : 2; i < len && digits < 8; i++, digits++) {
			char c = lower(p[i]);

			if (c >= '0' && c <= '9')
				v = v * (hex ? 16 : 10) + (unsigned)(c - '0');
			else if (hex && c >= 'a' && c <= 'f')
				v = v * 16 + (unsigned)(c - 'a' + 10);
			else
				break;
		}
		if (digits == 0)
			return 0;
		if (i < len && p[i] == ';')
			i++;
		if (v == 0 || v > 0x10ffff || (v >= 0xd800 && v <= 0xdfff))
			v = 0xfffd;
		*cp = v;
		return i;
	}
	for (k = 0; k < sizeof(entities) / sizeof(entities[0]); k++) {
		size_t nl = strlen(entities[k].name);

		if (len > nl && memcmp(p + 1, entities[k].name, nl) == 0) {
			*cp = entities[k].cp;
			if (len > nl + 1 && p[nl + 1] == ';')
				return nl + 2;
			return k < 6 ? nl + 1 : 0; /* legacy: no ';' */
		}
	}
	return 0;
}

int
mime_html_unescape(const char *p, size_t len, struct buf *out)
{
	size_t i = 0, n;
	const char *amp;
	unsigned cp;
	char u[8];

	while (i < len) {
		amp = memchr(p + i, '&', len - i);
		n = amp == NULL ? len - i : (size_t)(amp - p) - i;
		if (buf_append(out, p + i, n) < 0)
			return -1;
		i += n;
		if (i >= len)
			break;
		n = entity(p + i, len - i, &cp);
		if (n == 0) {
			if (buf_append(out, "&", 1) < 0)
				return -1;
			i++;
			continue;
		}
		if (cp != 0xad &&
		    buf_append(out, u, (size_t)g_unichar_to_utf8(cp, u)) < 0)
			return -1;
		i += n;
	}
	return 0;
}

int
mime_html_attr(const struct mime_html_tag *t, const char *name, struct buf *out)
{
	size_t i;

	for (i = 0; i < t->nattrs; i++) {
		const struct mime_html_attr *a = &t->attrs[i];

		if (a->name_len == strlen(name) &&
		    g_ascii_strncasecmp(a->name, name, a->name_len) == 0) {
			if (a->val != NULL &&
			    mime_html_unescape(a->val, a->val_len, out) < 0)
				return 1;
			return 0;
		}
	}
	return -1;
}

/* State of the HTML-to-text conversion. */
struct h2t {
	struct buf *out;
	struct buf tmp;  /* one decoded text run */
	struct buf href; /* target of the open <a> */
	size_t a_start;  /* out->len at the open <a> */
	int nl;          /* newlines ending out (0..2) */
	bool space;      /* a space is pending */
	bool in_a;
	bool fail;
};

static void
h2t_put(struct h2t *h, const char *p, size_t len)
{
	if (!h->fail && buf_append(h->out, p, len) < 0)
		h->fail = true;
}

/* End the current line; with blank, also leave an empty line. */
static void
h2t_break(struct h2t *h, bool blank)
{
	int want = blank ? 2 : 1;

	if (h->out->len == 0)
		return;
	while (h->nl < want) {
		h2t_put(h, "\n", 1);
		h->nl++;
	}
	h->space = false;
}

static void
h2t_text(void *arg, const char *p, size_t len)
{
	struct h2t *h = arg;
	size_t i;

	buf_reset(&h->tmp);
	if (mime_html_unescape(p, len, &h->tmp) < 0)
		h->fail = true;
	for (i = 0; i < h->tmp.len; i++) {
		char c = (char)h->tmp.data[i];

		if (is_space(c)) {
			h->space = true;
			continue;
		}
		if (h->space && h->nl == 0 && h->out->len > 0)
			h2t_put(h, " ", 1);
		h->space = false;
		h2t_put(h, &c, 1);
		h->nl = 0;
	}
}

static bool
name_in(const char *name, const char *const *list)
{
	for (; *list != NULL; list++)
		if (strcmp(name, *list) == 0)
			return true;
	return false;
}

/* Close an open link: show its target after the text when it differs. */
static void
h2t_link_end(struct h2t *h)
{
	size_t tlen = h->out->len - h->a_start;

	h->in_a = false;
	if (h->href.len == 0 || h->href.data[0] == '#' || h->fail)
		return;
	if (tlen > 0 && memmem(h->out->data + h->a_start, tlen, h->href.data,
			    h->href.len) != NULL)
		return;
	h2t_put(h, " <", 2);
	h2t_put(h, (const char *)h->href.data, h->href.len);
	h2t_put(h, ">", 1);
	h->nl = 0;
}

static void
h2t_tag(void *arg, const struct mime_html_tag *t)
{
	static const char *const para[] = {"p", "h1", "h2", "h3", "h4", "h5",
	    "h6", "table", "ul", "ol", "blockquote", "pre", "hr", NULL};
	static const char *const line[] = {"div", "tr", "li", "dd", "dt",
	    "section", "article", "header", "footer", "center", NULL};
	struct h2t *h = arg;

	if (strcmp(t->name, "br") == 0) {
		h2t_put(h, "\n", 1);
		h->nl = h->nl < 2 ? h->nl + 1 : 2;
		h->space = false;
	} else if (name_in(t->name, para)) {
		h2t_break(h, true);
	} else if (name_in(t->name, line)) {
		h2t_break(h, false);
		if (!t->closing && strcmp(t->name, "li") == 0) {
			h2t_put(h, "* ", 2);
			h->nl = 0;
		}
	} else if (strcmp(t->name, "td") == 0 || strcmp(t->name, "th") == 0) {
		h->space = true;
	} else if (strcmp(t->name, "a") == 0) {
		if (h->in_a)
			h2t_link_end(h);
		if (!t->closing) {
			buf_reset(&h->href);
			h->in_a = mime_html_attr(t, "href", &h->href) >= 0;
			h->a_start = h->out->len;
		}
	}
}

int
mime_html_to_text(const char *p, size_t len, struct buf *out)
{
	struct mime_html_cb cb = {h2t_text, h2t_tag};
	struct h2t h = {.out = out};
	size_t start = out->len;

	buf_init(&h.tmp, MIME_TEXT_MAX);
	buf_init(&h.href, MIME_HTML_ATTR_MAX);
	mime_html_tokenize(p, len, &cb, &h);
	if (h.in_a)
		h2t_link_end(&h);
	/* End with exactly one newline. */
	while (out->len > start && out->data[out->len - 1] == '\n')
		out->len--;
	if (out->len > start) {
		out->data[out->len] = '\0';
		h2t_put(&h, "\n", 1);
	}
	buf_free(&h.tmp);
	buf_free(&h.href);
	return h.fail ? -1 : 0;
}
