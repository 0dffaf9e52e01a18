/* fuzz-mime-html.c: the HTML tokenizer, character references and the
 * HTML-to-text conversion (src/mime/html.c), as used on untrusted mail.
 * Checked: text runs and attribute values lie inside the input, tag names
 * are lower case and bounded, output respects its cap. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "mime/mime.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct ctx {
	const char *p;
	size_t len;
};

static void
inside(const struct ctx *c, const char *s, size_t n)
{
	if (n > 0 && (s < c->p || n > c->len || s > c->p + c->len - n))
		abort();
}

static void
on_text(void *arg, const char *p, size_t len)
{
	inside(arg, p, len);
}

static void
on_tag(void *arg, const struct mime_html_tag *t)
{
	struct buf b;
	size_t i, n = strnlen(t->name, sizeof(t->name));

	if (n >= sizeof(t->name) || t->nattrs > MIME_HTML_ATTRS_MAX)
		abort();
	for (i = 0; i < n; i++)
		if (t->name[i] >= 'A' && t->name[i] <= 'Z')
			abort();
	for (i = 0; i < t->nattrs; i++) {
		inside(arg, t->attrs[i].name, t->attrs[i].name_len);
		if (t->attrs[i].val != NULL)
			inside(arg, t->attrs[i].val, t->attrs[i].val_len);
	}
	buf_init(&b, 256);
	if (mime_html_attr(t, "href", &b) >= 0 && b.len > 256)
		abort();
	buf_free(&b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ctx c = {(const char *)data, size};
	struct mime_html_cb cb = {on_text, on_tag};
	struct buf out;

	mime_html_tokenize(c.p, size, &cb, &c);
	buf_init(&out, 4096);
	if (mime_html_to_text(c.p, size, &out) == 0 && out.len > 4096)
		abort();
	buf_free(&out);
	buf_init(&out, 1024);
	if (mime_html_unescape(c.p, size, &out) == 0 && out.len > 1024)
		abort();
	buf_free(&out);
	return 0;
}
