/* parts.c: bounded walks over a message's parts; listing, sizing and
 * writing attachments. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "lib/util.h"
#include "mime/mime.h"

struct walk {
	mime_walk_fn fn;
	void *arg;
	unsigned count;
	bool cut;
};

static int
walk(GMimeObject *o, GMimeObject *parent, unsigned depth, struct walk *w)
{
	int rc, i, n;

	if (depth > MIME_DEPTH_MAX || w->count >= MIME_PARTS_MAX) {
		w->cut = true;
		return 0;
	}
	w->count++;
	rc = w->fn(o, parent, depth, w->arg);
	if (rc != 0)
		return rc < 0 ? -1 : 0;
	if (GMIME_IS_MULTIPART(o)) {
		n = g_mime_multipart_get_count(GMIME_MULTIPART(o));
		for (i = 0; i < n; i++)
			if (walk(g_mime_multipart_get_part(
				     GMIME_MULTIPART(o), i),
				o, depth + 1, w) < 0)
				return -1;
	} else if (GMIME_IS_MESSAGE_PART(o)) {
		GMimeMessage *in =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(o));
		GMimeObject *root =
		    in != NULL ? g_mime_message_get_mime_part(in) : NULL;

		if (root != NULL && walk(root, o, depth + 1, w) < 0)
			return -1;
	}
	return 0;
}

int
mime_walk(const struct mime_msg *m, mime_walk_fn fn, void *arg)
{
	struct walk w = {fn, arg, 0, false};
	GMimeObject *root = g_mime_message_get_mime_part(m->gm);

	if (root == NULL)
		return 0;
	if (walk(root, NULL, 0, &w) < 0)
		return -1;
	return w.cut ? 1 : 0;
}

/* A g_malloc'd UTF-8 copy of a decoded name (raw 8-bit taken as
 * windows-1252), or NULL. */
static char *
utf8_name(const char *s)
{
	char *u;

	if (s == NULL || *s == '\0')
		return NULL;
	if (g_utf8_validate(s, -1, NULL))
		return g_strdup(s);
	u = g_convert_with_fallback(
	    s, -1, "UTF-8", "windows-1252", "?", NULL, NULL, NULL);
	return u != NULL ? u : g_utf8_make_valid(s, -1);
}

char *
mime_object_filename(GMimeObject *o)
{
	const char *name = NULL, *raw, *semi;
	GMimeParamList *pl;
	char *r;

	if (GMIME_IS_PART(o))
		name = g_mime_part_get_filename(GMIME_PART(o));
	else if ((name = g_mime_object_get_content_disposition_parameter(
		      o, "filename")) == NULL)
		name = g_mime_object_get_content_type_parameter(o, "name");
	if (name != NULL && *name != '\0')
		return utf8_name(name);
	/* GMime drops the parameters of an invalid type ("BINARY;name=x"):
	 * parse them from the raw header. */
	raw = g_mime_object_get_header(o, "Content-Type");
	if (raw == NULL || (semi = strchr(raw, ';')) == NULL)
		return NULL;
	pl = g_mime_param_list_parse(NULL, semi + 1);
	if (pl == NULL)
		return NULL;
	r = utf8_name(g_mime_param_list_get_parameter(pl, "name") != NULL
			  ? g_mime_param_get_value(
				g_mime_param_list_get_parameter(pl, "name"))
			  : NULL);
	g_object_unref(pl);
	return r;
}

struct attlist {
	struct mime_att *v;
	size_t n;
	bool cut;
};

static int
att_cb(GMimeObject *o, GMimeObject *parent, unsigned depth, void *arg)
{
	struct attlist *l = arg;
	GMimeContentDisposition *d;
	GMimeContentType *ct;
	char *name, *type;
	bool is_att, is_msg = GMIME_IS_MESSAGE_PART(o);

	if (!GMIME_IS_PART(o) && !is_msg)
		return 0;
	d = g_mime_object_get_content_disposition(o);
	is_att = d != NULL && g_mime_content_disposition_is_attachment(d);
	name = mime_object_filename(o);
	if (!is_att && name == NULL)
		return 0;
	if (l->n >= MIME_ATTS_MAX) {
		g_free(name);
		l->cut = true;
		return -1;
	}
	l->v = g_realloc_n(l->v, l->n + 1, sizeof(*l->v));
	l->v[l->n].obj = o;
	l->v[l->n].filename = name;
	ct = g_mime_object_get_content_type(o);
	type = ct != NULL ? g_mime_content_type_get_mime_type(ct)
			  : g_strdup("application/octet-stream");
	l->v[l->n].type = g_ascii_strdown(type, -1);
	g_free(type);
	l->v[l->n].depth = depth;
	l->v[l->n].is_message = is_msg;
	l->n++;
	return 0;
}

int
mime_attachments(const struct mime_msg *m, struct mime_att **v_r, size_t *n_r)
{
	struct attlist l = {NULL, 0, false};
	int rc;

	rc = mime_walk(m, att_cb, &l);
	*v_r = l.v;
	*n_r = l.n;
	return rc != 0 || l.cut ? 1 : 0;
}

void
mime_atts_free(struct mime_att *v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		g_free(v[i].filename);
		g_free(v[i].type);
	}
	g_free(v);
}

/* Feed an attachment's decoded bytes to sink, at most MIME_ATT_READ_MAX.
 * Returns 0, -1 on error (sink or stream), 1 when cut at the cap. */
static int
att_pump(const struct mime_att *a, int (*sink)(void *, const char *, size_t),
    void *arg, uint64_t *len_r)
{
	GMimeStream *s;
	char chunk[16384];
	ssize_t n;
	bool conv;
	int rc = 0, k;

	*len_r = 0;
	if (a->is_message) {
		GMimeMessage *in =
		    g_mime_message_part_get_message(GMIME_MESSAGE_PART(a->obj));

		if (in == NULL)
			return 0;
		s = g_mime_stream_mem_new();
		if (g_mime_object_write_to_stream(GMIME_OBJECT(in), NULL, s) <
		    0) {
			g_object_unref(s);
			return -1;
		}
		g_mime_stream_reset(s);
	} else if ((s = mime_part_stream(GMIME_PART(a->obj), false, &conv)) ==
		   NULL) {
		return 0;
	}
	while (
	    rc == 0 && (n = g_mime_stream_read(s, chunk, sizeof(chunk))) != 0) {
		if (n < 0) {
			rc = -1;
			break;
		}
		if ((uint64_t)n > MIME_ATT_READ_MAX - *len_r) {
			n = (ssize_t)(MIME_ATT_READ_MAX - *len_r);
			rc = 1;
		}
		k = sink(arg, chunk, (size_t)n);
		if (k != 0)
			rc = k < 0 ? -1 : 1;
		*len_r += (uint64_t)n;
	}
	g_object_unref(s);
	return rc;
}

static int
sink_fd(void *arg, const char *p, size_t len)
{
	return fd_write_all(*(int *)arg, p, len);
}

static int
sink_count(void *arg, const char *p, size_t len)
{
	return 0;
}

static int
sink_buf(void *arg, const char *p, size_t len)
{
	struct buf *b = arg;
	size_t room = b->max - b->len;

	if (buf_append(b, p, len < room ? len : room) < 0)
		return -1;
	return len > room ? 1 : 0;
}

int
mime_att_write(const struct mime_att *a, int fd, uint64_t *len_r)
{
	return att_pump(a, sink_fd, &fd, len_r) < 0 ? -1 : 0;
}

uint64_t
mime_att_size(const struct mime_att *a)
{
	uint64_t len;

	if (att_pump(a, sink_count, NULL, &len) < 0)
		return 0;
	return len;
}

int
mime_att_read(const struct mime_att *a, struct buf *out, bool *trunc_r)
{
	uint64_t len;
	size_t before = out->len;
	int rc;

	rc = att_pump(a, sink_buf, out, &len);
	*trunc_r = rc == 1 || out->len - before < len;
	return rc < 0 ? -1 : 0;
}
