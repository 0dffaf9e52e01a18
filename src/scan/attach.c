/* attach.c: dangerous attachments, judged by content and by name:
 * programs and scripts (MZ/PE, ELF, Mach-O, "#!"), double extensions,
 * direction-override characters in names, encrypted archives and Office
 * macros (OOXML vbaProject.bin, OLE2 _VBA_PROJECT), inside ZIPs too. */
#include <string.h>
#include <strings.h>

#include "scan/lists.h"
#include "scan/scan.h"
#include "scan/zip.h"

static bool
is_bidi(gunichar c)
{
	return c == 0x061c || c == 0x200e || c == 0x200f ||
	       (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
}

/* Lower-case name into out without bidi or zero-width characters and
 * trailing dots and spaces (which Windows ignores); with the bidi
 * characters shown as <U+XXXX> into shown. True if there were any. */
static bool
clean_name(const char *name, char *out, size_t cap, char *shown, size_t scap)
{
	const char *p = name;
	size_t o = 0, so = 0;
	bool bidi = false;
	char u[16];

	for (; *p != '\0'; p += g_utf8_skip[(unsigned char)*p]) {
		gunichar c = g_utf8_get_char(p);
		size_t n = (size_t)g_utf8_skip[(unsigned char)*p];

		if (is_bidi(c) || (c >= 0x200b && c <= 0x200d) || c == 0xfeff) {
			bidi = bidi || is_bidi(c);
			n = (size_t)g_snprintf(
			    u, sizeof(u), "<U+%04X>", (unsigned)c);
			if (so + n < scap) {
				memcpy(shown + so, u, n);
				so += n;
			}
			continue;
		}
		if (so + n < scap) {
			memcpy(shown + so, p, n);
			so += n;
		}
		if (o + n < cap) {
			memcpy(out + o, p, n);
			if (n == 1)
				out[o] = g_ascii_tolower(out[o]);
			o += n;
		}
	}
	while (o > 0 && (out[o - 1] == '.' || out[o - 1] == ' '))
		o--;
	out[o] = '\0';
	shown[so] = '\0';
	return bidi;
}

static void
check_name(const char *name, const char *in, struct scan_report *r)
{
	char clean[512], shown[1024], where[600], ext[8];
	const char *dot, *prev, *end;
	size_t sp = 0;

	if (!g_utf8_validate(name, -1, NULL))
		return;
	where[0] = '\0';
	if (in != NULL)
		g_snprintf(where, sizeof(where), " (in %s)", in);
	if (clean_name(name, clean, sizeof(clean), shown, sizeof(shown)))
		scan_add(r, PH_ATT_RLO, "%s%s", shown, where);
	if ((dot = strrchr(clean, '.')) == NULL ||
	    !scan_list_has(SL_EXEC_EXT, dot + 1))
		return;
	scan_add(r, PH_ATT_EXEC, "%s%s: a program or script by its name", shown,
	    where);
	/* The extension before the last one, after any run of spaces. */
	for (end = dot; end > clean && end[-1] == ' '; end--)
		sp++;
	for (prev = end; prev > clean && prev[-1] != '.'; prev--)
		;
	if (sp >= 3) {
		scan_add(r, PH_ATT_DOUBLE_EXT, "%s%s", shown, where);
		return;
	}
	if (prev == clean || end - prev == 0 || end - prev >= 8)
		return;
	memcpy(ext, prev, (size_t)(end - prev));
	ext[end - prev] = '\0';
	if (scan_list_has(SL_DOC_EXT, ext))
		scan_add(r, PH_ATT_DOUBLE_EXT, "%s%s", shown, where);
}

static uint32_t
rd32le(const uint8_t *p)
{
	return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) |
	       ((uint32_t)p[3] << 24);
}

/* What kind of program p[0..len) is, or NULL. */
static const char *
exec_kind(const uint8_t *p, size_t len)
{
	uint32_t pe, be;

	if (len >= 64 && p[0] == 'M' && p[1] == 'Z') {
		pe = rd32le(p + 0x3c);
		if (pe <= len - 4 && memcmp(p + pe, "PE\0\0", 4) == 0)
			return "a Windows program (PE)";
		if (pe > len - 4)
			return "a Windows program (MZ header)";
	}
	if (len >= 4 && memcmp(p,
			    "\x7f"
			    "ELF",
			    4) == 0)
		return "a Linux/Unix program (ELF)";
	if (len >= 8) {
		be = ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
		     ((uint32_t)p[2] << 8) | p[3];
		if (be == 0xfeedface || be == 0xfeedfacf || be == 0xcefaedfe ||
		    be == 0xcffaedfe)
			return "a macOS program (Mach-O)";
		if (be == 0xcafebabe)
			return "a macOS or Java program";
		if (memcmp(p, "L\0\0\0\x01\x14\x02\0", 8) == 0)
			return "a Windows shortcut that can run commands";
	}
	if (len >= 3 && p[0] == '#' && p[1] == '!' &&
	    (p[2] == '/' || p[2] == ' '))
		return "a script (#!)";
	return NULL;
}

/* Search UTF-16LE text s (ASCII) in p[0..len). */
static bool
has_utf16(const uint8_t *p, size_t len, const char *s)
{
	uint8_t pat[64];
	size_t n = strlen(s), i;

	for (i = 0; i < n && 2 * i + 1 < sizeof(pat); i++) {
		pat[2 * i] = (uint8_t)s[i];
		pat[2 * i + 1] = 0;
	}
	if (len > SCAN_OLE_SEARCH_MAX)
		len = SCAN_OLE_SEARCH_MAX;
	return memmem(p, len, pat, 2 * i) != NULL;
}

struct zipctx {
	const char *archive;
	struct scan_report *r;
	bool enc;
};

static int
zip_entry_cb(const struct zip_entry *e, void *arg)
{
	struct zipctx *z = arg;
	char name[512];
	size_t i,
	    n = e->name_len < sizeof(name) - 1 ? e->name_len : sizeof(name) - 1;

	memcpy(name, e->name, n);
	name[n] = '\0';
	if (!g_utf8_validate(name, (gssize)n, NULL))
		for (i = 0; i < n; i++)
			if ((unsigned char)name[i] >= 0x80 || name[i] == '\0')
				name[i] = '?';
	for (i = 0; i < n; i++)
		if (name[i] == '\0')
			name[i] = '?';
	if ((e->flags & 1) != 0 && !z->enc) {
		z->enc = true;
		scan_add(z->r, PH_ATT_ENCRYPTED_ARCHIVE, "%s: %s is encrypted",
		    z->archive, name);
	}
	if (n >= 14 && strcasecmp(name + n - 14, "vbaProject.bin") == 0)
		scan_add(z->r, PH_ATT_MACRO, "%s contains VBA macros (%s)",
		    z->archive, name);
	if (n > 0 && name[n - 1] != '/')
		scan_file(e->data, e->data_len, name, z->archive, z->r);
	return 0;
}

void
scan_file(const uint8_t *p, size_t len, const char *name, const char *in,
    struct scan_report *r)
{
	const char *shown =
	    name != NULL && *name != '\0' ? name : "an unnamed attachment";
	const char *kind;

	if (name != NULL && *name != '\0')
		check_name(name, in, r);
	if (p == NULL || len == 0)
		return;
	if ((kind = exec_kind(p, len)) != NULL)
		scan_add(r, PH_ATT_EXEC, "%s%s%s is %s", shown,
		    in != NULL ? " in " : "", in != NULL ? in : "", kind);
	if (in == NULL && zip_is_zip(p, len)) {
		struct zipctx z = {shown, r, false};

		zip_walk(p, len, zip_entry_cb, &z);
	}
	if (len >= 8 && memcmp(p, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8) == 0) {
		if (has_utf16(p, len, "_VBA_PROJECT"))
			scan_add(
			    r, PH_ATT_MACRO, "%s contains VBA macros", shown);
		if (has_utf16(p, len, "EncryptedPackage"))
			scan_add(r, PH_ATT_ENCRYPTED_ARCHIVE,
			    "%s is a "
			    "password-protected Office document",
			    shown);
	}
}

static int
att_part_cb(GMimeObject *o, GMimeObject *parent, unsigned depth, void *arg)
{
	struct scan_report *r = arg;
	GMimeContentType *ct = g_mime_object_get_content_type(o);
	GMimeContentDisposition *d = g_mime_object_get_content_disposition(o);
	char *name;
	struct buf b;
	bool cut;

	if (!GMIME_IS_PART(o))
		return 0;
	name = mime_object_filename(o);
	if (name == NULL &&
	    (d == NULL || !g_mime_content_disposition_is_attachment(d)) &&
	    ct != NULL && g_mime_content_type_is_type(ct, "text", "*"))
		return 0; /* body text */
	buf_init(&b, MIME_ATT_READ_MAX);
	if (mime_part_read(GMIME_PART(o), false, &b, &cut) == 0)
		scan_file(b.data, b.len, name, NULL, r);
	buf_free(&b);
	g_free(name);
	return 0;
}

void
scan_attachments(const struct mime_msg *m, struct scan_report *r)
{
	mime_walk(m, att_part_cb, r);
}
