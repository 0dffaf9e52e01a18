/* mime.h: a small GMime (gmime-3.0) wrapper for reading downloaded mail.
 * Messages are untrusted: every read is capped (limits.h MIME_*), walks
 * are bounded in depth and count, and text handed back is valid UTF-8 with
 * terminal control characters removed. */
#ifndef POSTIE_MIME_H
#define POSTIE_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <gmime/gmime.h>

#include "lib/buf.h"
#include "lib/limits.h"

/* A parsed message. */
struct mime_msg {
	GMimeMessage *gm;
	bool truncated; /* input cut at MIME_MSG_MAX or the part cap */
	uint64_t size;  /* bytes of the source file */
};

/* Initialise GMime once per process (idempotent). */
void mime_init(void);
/* Parse the message in file path. 0 with *m_r, or -1 with a static reason in
 * *why_r (errno kept for I/O errors). */
int mime_msg_open(const char *path, struct mime_msg **m_r, const char **why_r)
    __attribute__((warn_unused_result));
/* As mime_msg_open for p[0..len) (copied). */
int mime_msg_open_mem(const void *p, size_t len, struct mime_msg **m_r,
    const char **why_r) __attribute__((warn_unused_result));
/* Parse only the header block of file path (up to MIME_HDRBLOCK_MAX). */
int mime_msg_open_headers(const char *path, struct mime_msg **m_r,
    const char **why_r) __attribute__((warn_unused_result));
/* Free a message; sets *m to NULL. */
void mime_msg_free(struct mime_msg **m);

/* Header name decoded (RFC 2047; raw 8-bit as UTF-8, else windows-1252),
 * sanitised onto one line, capped at MIME_HEADER_MAX, address lists
 * formatted by GMime: g_malloc'd, or NULL when the header is absent. */
char *mime_header(const struct mime_msg *m, const char *name);
/* Date header as seconds since the epoch; 0 or -1 if missing/unparsable. */
int mime_date(const struct mime_msg *m, int64_t *t_r)
    __attribute__((warn_unused_result));
/* The From address (addr-spec) lower-cased, g_malloc'd, or NULL. */
char *mime_from_addr(const struct mime_msg *m);

/* Append the text body to out: inline text parts (plain preferred in an
 * alternative, else HTML as text) in UTF-8, sanitised. 0 if text was found,
 * 1 if none, -1 if out's cap stopped it at once; *trunc_r set if cut. */
int mime_body_text(const struct mime_msg *m, struct buf *out, bool *trunc_r)
    __attribute__((warn_unused_result));
/* Decode a leaf part's content (transfer encoding, and for text parts the
 * charset to UTF-8 when to_utf8) into out up to its cap. 0, or -1 on error;
 * *trunc_r set when the cap cut it. */
int mime_part_read(GMimePart *part, bool to_utf8, struct buf *out,
    bool *trunc_r) __attribute__((warn_unused_result));

/* A stream of a leaf part's decoded content: transfer encoding undone, and
 * with to_utf8 the declared charset converted (*converted_r set). The caller
 * unrefs it; NULL if the part has no content. */
GMimeStream *mime_part_stream(GMimePart *part, bool to_utf8, bool *converted_r);

/* Callback of mime_walk: obj is a part, multipart or message/rfc822 part;
 * parent the enclosing object (NULL for the root). Return 0 to go on, 1 to
 * skip this object's children, -1 to stop. */
typedef int (*mime_walk_fn)(
    GMimeObject *obj, GMimeObject *parent, unsigned depth, void *arg);
/* Visit every object of m depth first in document order, entering
 * message/rfc822 parts, at most MIME_DEPTH_MAX deep and MIME_PARTS_MAX in
 * all. Returns 0, -1 if fn stopped, 1 if a cap cut the walk. */
int mime_walk(const struct mime_msg *m, mime_walk_fn fn, void *arg);

/* One attachment: a leaf part GMime sees as an attachment or that has a
 * file name, or a message/rfc822 part marked as attachment or named. */
struct mime_att {
	GMimeObject *obj; /* a GMimePart or GMimeMessagePart (not owned) */
	char *filename;   /* decoded (RFC 2047/2231), unsafe, or NULL */
	char *type;       /* "type/subtype", lower case */
	unsigned depth;   /* nesting level (0 = top) */
	bool is_message;  /* message/rfc822 */
};
/* The file name of a part or message/rfc822 part: Content-Disposition
 * filename, else Content-Type name (RFC 2231/2047 decoded, raw 8-bit taken
 * as windows-1252), as g_malloc'd UTF-8, or NULL. */
char *mime_object_filename(GMimeObject *o);
/* List m's attachments (at most MIME_ATTS_MAX) into a g_malloc'd array.
 * 0 or 1 if a cap cut the list. */
int mime_attachments(
    const struct mime_msg *m, struct mime_att **v_r, size_t *n_r);
/* Free a list from mime_attachments. */
void mime_atts_free(struct mime_att *v, size_t n);
/* Write an attachment's decoded content to fd (a message/rfc822 one as the
 * enclosed message), at most MIME_ATT_READ_MAX bytes. Returns 0 or -1;
 * *len_r gets the bytes written. */
int mime_att_write(const struct mime_att *a, int fd, uint64_t *len_r)
    __attribute__((warn_unused_result));
/* Decoded size of an attachment (counted, nothing stored); capped. */
uint64_t mime_att_size(const struct mime_att *a);
/* Read an attachment's decoded content into out (up to its cap). */
int mime_att_read(const struct mime_att *a, struct buf *out, bool *trunc_r)
    __attribute__((warn_unused_result));

/* Sanitise p[0..len) for a terminal into out: bad UTF-8, C0/C1, DEL and
 * bidi controls become U+FFFD (dropped with drop); newline and tab kept if
 * multiline, else spaces. -1 if out's cap was reached (out holds what fit). */
int mime_sanitize(
    const char *p, size_t len, bool multiline, bool drop, struct buf *out);

/* HTML tokenizer (no DOM): callbacks get text runs (entities not decoded)
 * and tags with their attributes. Linear in len; script/style contents and
 * comments are skipped. */
struct mime_html_attr {
	const char *name;
	size_t name_len;
	const char *val; /* raw value (entities not decoded), may be NULL */
	size_t val_len;
};
struct mime_html_tag {
	char name[MIME_HTML_TAGNAME_MAX + 1]; /* lower case */
	bool closing;
	size_t nattrs;
	struct mime_html_attr attrs[MIME_HTML_ATTRS_MAX];
};
struct mime_html_cb {
	void (*text)(void *arg, const char *p, size_t len);
	void (*tag)(void *arg, const struct mime_html_tag *t);
};
/* Tokenize p[0..len), calling cb's functions (either may be NULL). */
void mime_html_tokenize(
    const char *p, size_t len, const struct mime_html_cb *cb, void *arg);
/* Append attribute name's value in t (entity-decoded) to out: 0, 1 if the
 * cap cut it, -1 if absent. */
int mime_html_attr(
    const struct mime_html_tag *t, const char *name, struct buf *out);
/* Append p[0..len) to out with HTML character references decoded. -1 on
 * the cap. */
int mime_html_unescape(const char *p, size_t len, struct buf *out)
    __attribute__((warn_unused_result));
/* Crude HTML to text: drops tags, script and style, breaks lines at block
 * elements, collapses white space, decodes entities. -1 on out's cap. */
int mime_html_to_text(const char *p, size_t len, struct buf *out)
    __attribute__((warn_unused_result));

/* A safe single file name for an untrusted one, in out[0..cap): the part
 * after the last '/' or '\\', no controls, bidi or leading dots, valid UTF-8,
 * <= MIME_FILENAME_MAX bytes, extension kept; else "attachment-IDX". */
void mime_safe_name(const char *name, size_t idx, char *out, size_t cap);
/* Create name in directory dirfd with O_EXCL|O_NOFOLLOW, trying
 * "stem (1).ext" .. on EEXIST. Returns an fd (0600) and the name used in
 * used[0..cap), or -1 with errno. */
int mime_create_unique(int dirfd, const char *name, char *used, size_t cap)
    __attribute__((warn_unused_result));

/* A Maildir's messages (new/ and cur/), for reading. */
struct mdl_entry {
	char *name;     /* file name in its sub-directory */
	bool in_new;    /* in new/ (else cur/) */
	char flags[27]; /* letters after ":2," (sorted, unique) */
	uint64_t size;  /* st_size */
	int64_t mtime;  /* st_mtime */
};
struct mdl {
	char *path;          /* the Maildir */
	struct mdl_entry *v; /* sorted by base name (stable numbering) */
	size_t n;
};
/* List the Maildir at path. 0, or -1 with a static reason in *why_r. */
int mdl_open(const char *path, struct mdl **l_r, const char **why_r)
    __attribute__((warn_unused_result));
/* Free a listing; sets *l to NULL. */
void mdl_free(struct mdl **l);
/* Full path of entry i into out[0..cap); -1 if it does not fit. */
int mdl_path(const struct mdl *l, size_t i, char *out, size_t cap)
    __attribute__((warn_unused_result));
/* True if entry i carries flag letter f. */
bool mdl_has_flag(const struct mdl *l, size_t i, char f);
/* Add flag f to entry i: rename new/X to cur/X:2,F or cur/X:2,AB to
 * cur/X:2,ABF (never replacing an existing file). 0 (also if already
 * set), or -1 with errno. */
int mdl_add_flag(struct mdl *l, size_t i, char f)
    __attribute__((warn_unused_result));
/* Parse the flags of a Maildir file name ("base:2,FLAGS") into out (sorted
 * letters, NUL-terminated); returns the base length. */
size_t mdl_parse_name(const char *name, char out[27]);

#endif
