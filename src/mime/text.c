/* text.c: decoding part contents under caps, sanitising text for a
 * terminal, and choosing the text body of a message. */
#include <string.h>

#include "mime/mime.h"

static bool
is_hidden_control(gunichar c)
{
	return c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0) ||
	       c == 0x061c || c == 0x200e || c == 0x200f ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

int
mime_sanitize(
    const char *p, size_t len, bool multiline, bool drop, struct buf *out)
{
	static const char repl[] = "\xef\xbf\xbd"; /* U+FFFD */
	size_t i = 0, clen;
	gunichar c;
	int rc = 0;

	while (i < len && rc == 0) {
		unsigned char b = (unsigned char)p[i];

		if (b < 0x80) {
			clen = 1;
			c = b;
		} else {
			c = g_utf8_get_char_validated(p + i, (gssize)(len - i));
			if (c == (gunichar)-1 || c == (gunichar)-2) {
				rc = buf_append(out, repl, 3);
				i++;
				continue;
			}
			clen = (size_t)g_utf8_skip[b];
		}
		if (c == '\n' || c == '\t')
			rc = multiline ? buf_append(out, p + i, 1)
				       : buf_append(out, " ", 1);
		else if (c == '\r')
			rc = multiline ? 0 : buf_append(out, " ", 1);
		else if (is_hidden_control(c))
			rc = drop ? 0 : buf_append(out, repl, 3);
		else
			rc = buf_append(out, p + i, clen);
		i += clen;
	}
	return rc;
}

/* Convert legacy 8-bit text (no or unknown charset) to UTF-8. */
static void
legacy_to_utf8(struct buf *out, size_t from)
{
	const char *p;
	size_t len = out->len - from;
	gchar *u;
	gsize ul = 0;

	if (len == 0)
		return;
	p = (const char *)out->data + from;
	if (g_utf8_validate(p, (gssize)len, NULL))
		return;
	u = g_convert_with_fallback(
	    p, (gssize)len, "UTF-8", "windows-1252", "?", NULL, &ul, NULL);
	if (u == NULL)
		u = g_convert(
		    p, (gssize)len, "UTF-8", "ISO-8859-1", NULL, &ul, NULL);
	if (u == NULL)
		return;
	out->len = from;
	if (buf_append(out, u, ul) < 0) {
		/* the cap: keep the original bytes cut to fit */
		size_t room = out->max - from;

		if (buf_append(out, u, ul < room ? ul : room) < 0)
			out->len = from;
	}
	g_free(u);
}

GMimeStream *
mime_part_stream(GMimePart *part, bool to_utf8, bool *converted_r)
{
	GMimeDataWrapper *w = g_mime_part_get_content(part);
	GMimeStream *raw, *fs;
	GMimeFilter *f;
	GMimeContentEncoding enc;
	const char *cs = NULL;

	*converted_r = false;
	if (w == NULL || (raw = g_mime_data_wrapper_get_stream(w)) == NULL ||
	    g_mime_stream_reset(raw) < 0)
		return NULL;
	fs = g_mime_stream_filter_new(raw);
	enc = g_mime_data_wrapper_get_encoding(w);
	if (enc != GMIME_CONTENT_ENCODING_DEFAULT) {
		f = g_mime_filter_basic_new(enc, FALSE);
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(fs), f);
		g_object_unref(f);
	}
	if (to_utf8)
		cs = g_mime_object_get_content_type_parameter(
		    GMIME_OBJECT(part), "charset");
	if (cs != NULL && g_ascii_strcasecmp(cs, "utf-8") != 0 &&
	    g_ascii_strcasecmp(cs, "us-ascii") != 0 &&
	    (f = g_mime_filter_charset_new(cs, "UTF-8")) != NULL) {
		g_mime_stream_filter_add(GMIME_STREAM_FILTER(fs), f);
		g_object_unref(f);
		*converted_r = true;
	}
	return fs;
}

/* Read the stream of part (with or without charset conversion) into out
 * from out->len, up to out's cap. */
static int
pump(GMimePart *part, bool convert, struct buf *out, bool *trunc_r,
    bool *converted_r)
{
	GMimeStream *fs;
	char chunk[16384];
	ssize_t n;
	size_t room;

	*trunc_r = false;
	fs = mime_part_stream(part, convert, converted_r);
	if (fs == NULL)
		return 0;
	while ((n = g_mime_stream_read(fs, chunk, sizeof(chunk))) > 0) {
		room = out->max - out->len;
		if ((size_t)n > room) {
			*trunc_r = true;
			n = (ssize_t)room;
		}
		if (buf_append(out, chunk, (size_t)n) < 0)
			*trunc_r = true;
		if (*trunc_r)
			break;
	}
	g_object_unref(fs);
	return n < 0 && !*trunc_r ? -1 : 0;
}

int
mime_part_read(GMimePart *part, bool to_utf8, struct buf *out, bool *trunc_r)
{
	size_t from = out->len;
	const char *cs;
	bool conv;

	if (pump(part, false, out, trunc_r, &conv) < 0)
		return -1;
	if (out->len == from)
		return 0;
	if (!to_utf8 || g_utf8_validate((const char *)out->data + from,
			    (gssize)(out->len - from), NULL))
		return 0; /* binary wanted, or already UTF-8 (or ASCII) */
	cs = g_mime_object_get_content_type_parameter(
	    GMIME_OBJECT(part), "charset");
	if (cs != NULL && (g_ascii_strcasecmp(cs, "utf-8") == 0 ||
			      g_ascii_strcasecmp(cs, "utf8") == 0))
		return 0; /* declared UTF-8: bad bytes are shown as U+FFFD */
	if (cs != NULL && g_ascii_strcasecmp(cs, "us-ascii") != 0) {
		out->len = from;
		if (pump(part, true, out, trunc_r, &conv) < 0)
			return -1;
		if (conv)
			return 0;
	}
	legacy_to_utf8(out, from);
	return 0;
}

struct render {
	struct buf *out;
	bool found;
	bool trunc;
	unsigned visited;
};

static bool
is_type(GMimeObject *o, const char *type, const char *sub)
{
	GMimeContentType *ct = g_mime_object_get_content_type(o);

	return ct != NULL && g_mime_content_type_is_type(ct, type, sub);
}

static bool
is_attachment_disp(GMimeObject *o)
{
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(o);

	return d != NULL && g_mime_content_disposition_is_attachment(d);
}

/* True if text already written does not end a line. */
static bool
needs_newline(const struct render *r)
{
	return r->found && r->out->len > 0 &&
	       r->out->data[r->out->len - 1] != '\n';
}

/* Append a leaf text part (plain or HTML) to r->out. */
static void
render_leaf(struct render *r, GMimePart *part, bool html)
{
	struct buf tmp;
	bool cut = false;

	buf_init(&tmp, MIME_TEXT_MAX);
	if (mime_part_read(part, true, &tmp, &cut) < 0 || tmp.len == 0) {
		buf_free(&tmp);
		return;
	}
	if (needs_newline(r) && buf_append(r->out, "\n", 1) < 0)
		r->trunc = true;
	if (html) {
		struct buf txt;

		buf_init(&txt, MIME_TEXT_MAX);
		if (mime_html_to_text((const char *)tmp.data, tmp.len, &txt) <
		    0)
			cut = true;
		buf_free(&tmp);
		tmp = txt;
	}
	if (mime_sanitize(
		(const char *)tmp.data, tmp.len, true, false, r->out) < 0)
		cut = true;
	r->found = true;
	r->trunc = r->trunc || cut;
	buf_free(&tmp);
}

static void render(struct render *r, GMimeObject *o, unsigned depth);
static void render_message(
    struct render *r, GMimeMessagePart *mp, unsigned depth);

/* multipart/alternative: plain text, else a nested multipart, else HTML. */
static void
render_alt(struct render *r, GMimeMultipart *mp, unsigned depth)
{
	int i, n = g_mime_multipart_get_count(mp);
	GMimeObject *c, *html = NULL, *multi = NULL;

	for (i = 0; i < n; i++) {
		c = g_mime_multipart_get_part(mp, i);
		if (is_attachment_disp(c))
			continue;
		if (GMIME_IS_PART(c) && is_type(c, "text", "plain")) {
			render(r, c, depth + 1);
			return;
		}
		if (multi == NULL && GMIME_IS_MULTIPART(c))
			multi = c;
		if (html == NULL && GMIME_IS_PART(c) &&
		    is_type(c, "text", "html"))
			html = c;
	}
	if (multi != NULL)
		render(r, multi, depth + 1);
	else if (html != NULL)
		render(r, html, depth + 1);
}

/* An inline message/rfc822 part (a forward): its sender and subject, then
 * its text. */
static void
render_message(struct render *r, GMimeMessagePart *mp, unsigned depth)
{
	GMimeMessage *in = g_mime_message_part_get_message(mp);
	InternetAddressList *from;
	const char *subj;
	char *f = NULL;
	struct buf line;

	if (in == NULL || g_mime_message_get_mime_part(in) == NULL)
		return;
	from = g_mime_message_get_from(in);
	if (from != NULL && internet_address_list_length(from) > 0)
		f = internet_address_list_to_string(from, NULL, FALSE);
	subj = g_mime_message_get_subject(in);
	buf_init(&line, MIME_HEADER_MAX);
	if (buf_printf(&line, "%s---- enclosed message from %s: %s ----\n",
		needs_newline(r) ? "\n" : "", f != NULL ? f : "(unknown)",
		subj != NULL ? subj : "(no subject)") < 0 ||
	    mime_sanitize(
		(const char *)line.data, line.len, true, false, r->out) < 0)
		r->trunc = true;
	buf_free(&line);
	g_free(f);
	r->found = true;
	render(r, g_mime_message_get_mime_part(in), depth + 1);
}

static void
render(struct render *r, GMimeObject *o, unsigned depth)
{
	if (depth > MIME_DEPTH_MAX || ++r->visited > MIME_PARTS_MAX || r->trunc)
		return;
	if (GMIME_IS_MULTIPART(o)) {
		GMimeMultipart *mp = GMIME_MULTIPART(o);
		int i, n = g_mime_multipart_get_count(mp);

		if (is_type(o, "multipart", "alternative")) {
			render_alt(r, mp, depth);
			return;
		}
		if (GMIME_IS_MULTIPART_ENCRYPTED(o))
			return;
		if (GMIME_IS_MULTIPART_SIGNED(o) ||
		    is_type(o, "multipart", "related"))
			n = n > 0 ? 1 : 0;
		for (i = 0; i < n; i++)
			render(r, g_mime_multipart_get_part(mp, i), depth + 1);
		return;
	}
	if (GMIME_IS_MESSAGE_PART(o) && !is_attachment_disp(o)) {
		render_message(r, GMIME_MESSAGE_PART(o), depth);
		return;
	}
	if (!GMIME_IS_PART(o) || is_attachment_disp(o))
		return;
	if (is_type(o, "text", "plain"))
		render_leaf(r, GMIME_PART(o), false);
	else if (is_type(o, "text", "html"))
		render_leaf(r, GMIME_PART(o), true);
}

int
mime_body_text(const struct mime_msg *m, struct buf *out, bool *trunc_r)
{
	struct render r = {.out = out};
	GMimeObject *root = g_mime_message_get_mime_part(m->gm);

	*trunc_r = false;
	if (root == NULL)
		return 1;
	render(&r, root, 0);
	if (!r.found && GMIME_IS_MESSAGE_PART(root)) {
		GMimeMessage *in =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(root));

		if (in != NULL && g_mime_message_get_mime_part(in) != NULL)
			render(&r, g_mime_message_get_mime_part(in), 1);
	}
	*trunc_r = r.trunc;
	if (r.trunc && !r.found)
		return -1;
	return r.found ? 0 : 1;
}
