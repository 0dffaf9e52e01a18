/* msg.c: open a message with GMime under caps; decoded header values. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mime/mime.h"

static GMimeParserOptions *popts;

void
mime_init(void)
{
	static const char *fallback[] = {"UTF-8", "windows-1252", NULL};

	if (popts != NULL)
		return;
	g_mime_init();
	popts = g_mime_parser_options_new();
	g_mime_parser_options_set_rfc2047_compliance_mode(
	    popts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_address_compliance_mode(
	    popts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_parameter_compliance_mode(
	    popts, GMIME_RFC_COMPLIANCE_LOOSE);
	g_mime_parser_options_set_allow_addresses_without_domain(popts, TRUE);
	g_mime_parser_options_set_fallback_charsets(popts, fallback);
}

/* Length of the prefix of p to hand to GMime: cut before the line that
 * would be the (MIME_BOUNDARY_LINES_MAX+1)th starting with "--", since GMime
 * spends memory per part. Sets *cut_r when it cuts. */
static size_t
part_cap_prefix(const uint8_t *p, size_t len, bool *cut_r)
{
	size_t i = 0, lines = 0;
	const uint8_t *nl;

	while (i < len) {
		if (len - i >= 2 && p[i] == '-' && p[i + 1] == '-') {
			if (++lines > MIME_BOUNDARY_LINES_MAX) {
				*cut_r = true;
				return i;
			}
		}
		nl = memchr(p + i, '\n', len - i);
		if (nl == NULL)
			break;
		i = (size_t)(nl - p) + 1;
	}
	return len;
}

/* Skip an mbox envelope line ("From " at the very start), if any. */
static size_t
envelope_skip(const uint8_t *p, size_t len)
{
	const uint8_t *nl;

	if (len < 5 || memcmp(p, "From ", 5) != 0)
		return 0;
	nl = memchr(p, '\n', len);
	return nl == NULL ? 0 : (size_t)(nl - p) + 1;
}

/* Bytes of leading lines that hold only white space (some stores write
 * one before the header). */
static size_t
blank_lines(const uint8_t *p, size_t len)
{
	size_t i = 0, line = 0;

	while (i < len &&
	       (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n')) {
		if (p[i] == '\n')
			line = i + 1;
		i++;
	}
	return line;
}

/* True if p starts with a header field ("Name:"), so it has a header
 * block; else the whole text is taken as a body. */
static bool
starts_with_field(const uint8_t *p, size_t len)
{
	size_t i = 0;

	while (i < len && p[i] > 0x20 && p[i] < 0x7f && p[i] != ':')
		i++;
	if (i == 0)
		return false;
	while (i < len && (p[i] == ' ' || p[i] == '\t'))
		i++;
	return i < len && p[i] == ':';
}

/* Parse arr (ownership taken) into a message. */
static int
parse_array(GByteArray *arr, bool truncated, uint64_t size,
    struct mime_msg **m_r, const char **why_r)
{
	GMimeStream *st;
	GMimeParser *parser;
	GMimeMessage *gm;
	struct mime_msg *m;
	bool cut = false;
	size_t keep, skip;

	mime_init();
	if (arr->len > 0) {
		skip = blank_lines(arr->data, arr->len);
		if (skip < arr->len)
			skip +=
			    envelope_skip(arr->data + skip, arr->len - skip);
		if (skip > 0)
			g_byte_array_remove_range(arr, 0, (guint)skip);
	}
	if (arr->len == 0 || !starts_with_field(arr->data, arr->len))
		g_byte_array_prepend(arr, (const guint8 *)"\n", 1);
	keep = part_cap_prefix(arr->data, arr->len, &cut);
	if (cut)
		g_byte_array_set_size(arr, (guint)keep);
	st = g_mime_stream_mem_new_with_byte_array(arr);
	parser = g_mime_parser_new_with_stream(st);
	g_object_unref(st);
	g_mime_parser_set_format(parser, GMIME_FORMAT_MESSAGE);
	gm = g_mime_parser_construct_message(parser, popts);
	g_object_unref(parser);
	if (gm == NULL) {
		*why_r = "not a parsable message";
		return -1;
	}
	m = g_malloc0(sizeof(*m));
	m->gm = gm;
	m->truncated = truncated || cut;
	m->size = size;
	*m_r = m;
	return 0;
}

/* Read up to cap bytes of path into a new array; with stop_at_body, stop
 * after the blank line that ends the header block. */
static int
read_file(const char *path, size_t cap, bool stop_at_body, GByteArray **arr_r,
    bool *trunc_r, uint64_t *size_r, const char **why_r)
{
	struct stat st;
	GByteArray *arr;
	uint8_t chunk[65536];
	ssize_t n;
	int fd, saved;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		*why_r = "cannot open the message";
		return -1;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		*why_r = "not a regular file";
		errno = EINVAL;
		return -1;
	}
	*size_r = (uint64_t)st.st_size;
	*trunc_r = (uint64_t)st.st_size > cap;
	arr = g_byte_array_new();
	while (arr->len < cap) {
		size_t want = cap - arr->len;

		if (want > sizeof(chunk))
			want = sizeof(chunk);
		n = read(fd, chunk, want);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			saved = errno;
			g_byte_array_free(arr, TRUE);
			close(fd);
			errno = saved;
			*why_r = "cannot read the message";
			return -1;
		}
		if (n == 0)
			break;
		g_byte_array_append(arr, chunk, (guint)n);
		if (stop_at_body &&
		    (memmem(arr->data, arr->len, "\n\n", 2) ||
			memmem(arr->data, arr->len, "\n\r\n", 3)))
			break;
	}
	close(fd);
	*arr_r = arr;
	return 0;
}

int
mime_msg_open(const char *path, struct mime_msg **m_r, const char **why_r)
{
	GByteArray *arr;
	bool trunc;
	uint64_t size;

	if (read_file(path, MIME_MSG_MAX, false, &arr, &trunc, &size, why_r) <
	    0)
		return -1;
	return parse_array(arr, trunc, size, m_r, why_r);
}

int
mime_msg_open_headers(
    const char *path, struct mime_msg **m_r, const char **why_r)
{
	GByteArray *arr;
	bool trunc;
	uint64_t size;
	uint8_t *end;
	size_t hl;

	if (read_file(
		path, MIME_HDRBLOCK_MAX, true, &arr, &trunc, &size, why_r) < 0)
		return -1;
	if (arr->len > 0) {
		end = memmem(arr->data, arr->len, "\n\n", 2);
		hl = end != NULL ? (size_t)(end - arr->data) + 2 : arr->len;
		end = memmem(arr->data, arr->len, "\n\r\n", 3);
		if (end != NULL && (size_t)(end - arr->data) + 3 < hl)
			hl = (size_t)(end - arr->data) + 3;
		g_byte_array_set_size(arr, (guint)hl);
	}
	return parse_array(arr, true, size, m_r, why_r);
}

int
mime_msg_open_mem(
    const void *p, size_t len, struct mime_msg **m_r, const char **why_r)
{
	GByteArray *arr;
	bool trunc = len > MIME_MSG_MAX;

	arr = g_byte_array_sized_new(trunc ? MIME_MSG_MAX : (guint)len);
	g_byte_array_append(arr, p, trunc ? MIME_MSG_MAX : (guint)len);
	return parse_array(arr, trunc, len, m_r, why_r);
}

void
mime_msg_free(struct mime_msg **m)
{
	if (*m == NULL)
		return;
	if ((*m)->gm != NULL)
		g_object_unref((*m)->gm);
	g_free(*m);
	*m = NULL;
}

/* Address header types GMime formats for us. */
static int
addr_type(const char *name)
{
	static const struct {
		const char *name;
		GMimeAddressType type;
	} tab[] = {
	    {"From", GMIME_ADDRESS_TYPE_FROM},
	    {"Sender", GMIME_ADDRESS_TYPE_SENDER},
	    {"Reply-To", GMIME_ADDRESS_TYPE_REPLY_TO},
	    {"To", GMIME_ADDRESS_TYPE_TO},
	    {"Cc", GMIME_ADDRESS_TYPE_CC},
	    {"Bcc", GMIME_ADDRESS_TYPE_BCC},
	};
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (g_ascii_strcasecmp(name, tab[i].name) == 0)
			return (int)tab[i].type;
	return -1;
}

/* Sanitise a decoded value onto one line, capped. */
static char *
one_line(const char *v)
{
	struct buf b;
	char *s;
	size_t len = strlen(v);

	while (len > 0 && (v[0] == ' ' || v[0] == '\t')) {
		v++;
		len--;
	}
	buf_init(&b, MIME_HEADER_MAX);
	if (mime_sanitize(v, len, false, false, &b) < 0) {
		/* cut: keep what fit (valid UTF-8 up to the cap) */
	}
	s = g_strndup(b.len ? (const char *)b.data : "", b.len);
	buf_free(&b);
	return s;
}

char *
mime_header(const struct mime_msg *m, const char *name)
{
	GMimeObject *o = GMIME_OBJECT(m->gm);
	const char *v;
	char *s = NULL, *r;
	int at = addr_type(name);

	v = g_mime_object_get_header(o, name);
	if (v == NULL)
		return NULL;
	if (at >= 0) {
		InternetAddressList *l;

		l = g_mime_message_get_addresses(m->gm, (GMimeAddressType)at);
		if (l != NULL && internet_address_list_length(l) > 0)
			s = internet_address_list_to_string(l, NULL, FALSE);
	} else if (g_ascii_strcasecmp(name, "Subject") == 0) {
		const char *subj = g_mime_message_get_subject(m->gm);

		if (subj != NULL)
			s = g_strdup(subj);
	}
	r = one_line(s != NULL ? s : v);
	g_free(s);
	return r;
}

int
mime_date(const struct mime_msg *m, int64_t *t_r)
{
	GDateTime *dt = g_mime_message_get_date(m->gm);

	if (dt == NULL)
		return -1;
	*t_r = g_date_time_to_unix(dt);
	return 0;
}

char *
mime_from_addr(const struct mime_msg *m)
{
	InternetAddressList *l;
	InternetAddress *a;
	const char *addr;
	int i, n;

	l = g_mime_message_get_from(m->gm);
	if (l == NULL)
		return NULL;
	n = internet_address_list_length(l);
	for (i = 0; i < n; i++) {
		a = internet_address_list_get_address(l, i);
		if (!INTERNET_ADDRESS_IS_MAILBOX(a))
			continue;
		addr = internet_address_mailbox_get_addr(
		    INTERNET_ADDRESS_MAILBOX(a));
		if (addr != NULL && *addr != '\0' &&
		    g_utf8_validate(addr, -1, NULL))
			return g_utf8_strdown(addr, -1);
	}
	return NULL;
}
