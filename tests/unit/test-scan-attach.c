/* test-scan-attach.c: attachment indicators (programs by content and name,
 * double extensions, direction overrides, encrypted archives, macros),
 * crafted positive and negative messages with the exact IDs expected, and
 * a real message of the shared corpus (src/scan/attach.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "scan-ids.h"
#include "lib/util.h"
#include "scan/scan.h"

static const char *
ids_of(const char *msg, size_t len)
{
	return t_scan_ids(NULL, msg, len);
}

/* A message with one base64 attachment named name (raw header text, may
 * hold RFC 2047/2231) holding data[0..len). */
static const char *
att(const char *name, const void *data, size_t len)
{
	static char b64[65536], msg[70000];
	int n;

	if (4 * ((len + 2) / 3) + 1 > sizeof(b64))
		return "(too big)";
	b64_encode(data, len, b64);
	n = snprintf(msg, sizeof(msg),
	    "From: a@b.example\nSubject: files\n"
	    "Content-Type: multipart/mixed; boundary=zz\n\n"
	    "--zz\nContent-Type: text/plain\n\nsee attached\n"
	    "--zz\nContent-Type: application/octet-stream\n"
	    "Content-Disposition: attachment; filename%s\n"
	    "Content-Transfer-Encoding: base64\n\n%s\n--zz--\n",
	    name, b64);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return "(too big)";
	return ids_of(msg, (size_t)n);
}

#define ATT(name, lit) att(name, lit, sizeof(lit) - 1)

/* A minimal PE: MZ header whose e_lfanew (0x3c) points at "PE\0\0". */
static const char *
pe(const char *name)
{
	unsigned char b[128] = {'M', 'Z'};

	b[0x3c] = 0x40;
	memcpy(b + 0x40, "PE\0\0", 4);
	return att(name, b, sizeof(b));
}

TEST(scan_att_exec_by_content)
{
	CHECK_STR(pe("=\"photo.jpg\""), "PH-ATT-EXEC");
	CHECK_STR(ATT("=\"a.dat\"", "\x7f"
				    "ELF\x02\x01\x01"),
	    "PH-ATT-EXEC");
	CHECK_STR(ATT("=\"run.txt\"", "#!/bin/sh\nrm -rf ~\n"), "PH-ATT-EXEC");
	CHECK_STR(
	    ATT("=\"app\"", "\xcf\xfa\xed\xfe\x07\0\0\x01"), "PH-ATT-EXEC");
	/* "MZ" text that is no program, a real picture, a PDF */
	CHECK_STR(ATT("=\"notes.txt\"", "MZ is how my initials read"), "");
	CHECK_STR(ATT("=\"a.gif\"", "GIF89a\x01\0\x01\0"), "");
	CHECK_STR(ATT("=\"a.pdf\"", "%PDF-1.4\n"), "");
}

TEST(scan_att_exec_by_name)
{
	CHECK_STR(ATT("=\"update.js\"", "var x = 1;"), "PH-ATT-EXEC");
	CHECK_STR(ATT("=\"INVOICE.VBS\"", "MsgBox 1"), "PH-ATT-EXEC");
	CHECK_STR(ATT("=\"run.exe. . \"", "x"), "PH-ATT-EXEC");
	CHECK_STR(ATT("=\"report.json\"", "{}"), "");
}

TEST(scan_att_double_ext)
{
	CHECK_STR(pe("=\"invoice.pdf.exe\""), "PH-ATT-DOUBLE-EXT,PH-ATT-EXEC");
	CHECK_STR(
	    ATT("=\"scan.jpg.scr\"", "x"), "PH-ATT-DOUBLE-EXT,PH-ATT-EXEC");
	CHECK_STR(ATT("=\"invoice.pdf          .bat\"", "x"),
	    "PH-ATT-DOUBLE-EXT,PH-ATT-EXEC");
	/* two extensions that are harmless, or a version number */
	CHECK_STR(ATT("=\"backup.tar.gz\"", "\x1f\x8b\x08"), "");
	CHECK_STR(ATT("=\"report.2024.pdf\"", "%PDF-1.4"), "");
	CHECK_STR(ATT("=\"setup.v2.exe\"", "x"), "PH-ATT-EXEC");
}

TEST(scan_att_rlo)
{
	/* "invoice<RLO>fdp.exe" shows as "invoiceexe.pdf" */
	CHECK_STR(ATT("*=UTF-8''invoice%E2%80%AEfdp.exe", "x"),
	    "PH-ATT-EXEC,PH-ATT-RLO");
	CHECK_STR(ATT("=\"=?UTF-8?B?cmVwb3J04oCuY29kLnR4dA==?=\"", "x"),
	    "PH-ATT-RLO");
	CHECK_STR(ATT("*=UTF-8''r%C3%A9sum%C3%A9.pdf", "%PDF"), "");
}

static void
p16(unsigned char *p, size_t *o, unsigned v)
{
	p[(*o)++] = (unsigned char)v;
	p[(*o)++] = (unsigned char)(v >> 8);
}

static void
p32(unsigned char *p, size_t *o, size_t v)
{
	p16(p, o, (unsigned)(v & 0xffff));
	p16(p, o, (unsigned)((v >> 16) & 0xffff));
}

/* A stored-entries ZIP (no CRCs: readers here do not check them). */
static size_t
mkzip(unsigned char *b, const char *const *names, const char *const *data,
    const unsigned *flags, int n)
{
	unsigned char cd[4096];
	size_t len = 0, cl = 0, off[8], cdoff;
	int i;

	for (i = 0; i < n; i++) {
		size_t nl = strlen(names[i]), dl = strlen(data[i]);

		off[i] = len;
		p32(b, &len, 0x04034b50u);
		p16(b, &len, 20);
		p16(b, &len, flags[i]);
		p16(b, &len, 0);
		p32(b, &len, 0);
		p32(b, &len, 0);
		p32(b, &len, dl);
		p32(b, &len, dl);
		p16(b, &len, (unsigned)nl);
		p16(b, &len, 0);
		memcpy(b + len, names[i], nl);
		len += nl;
		memcpy(b + len, data[i], dl);
		len += dl;
	}
	for (i = 0; i < n; i++) {
		size_t nl = strlen(names[i]), dl = strlen(data[i]);

		p32(cd, &cl, 0x02014b50u);
		p16(cd, &cl, 20);
		p16(cd, &cl, 20);
		p16(cd, &cl, flags[i]);
		p16(cd, &cl, 0);
		p32(cd, &cl, 0);
		p32(cd, &cl, 0);
		p32(cd, &cl, dl);
		p32(cd, &cl, dl);
		p16(cd, &cl, (unsigned)nl);
		p32(cd, &cl, 0); /* extra and comment lengths */
		p32(cd, &cl, 0); /* disk, internal attributes */
		p32(cd, &cl, 0); /* external attributes */
		p32(cd, &cl, off[i]);
		memcpy(cd + cl, names[i], nl);
		cl += nl;
	}
	cdoff = len;
	memcpy(b + len, cd, cl);
	len += cl;
	p32(b, &len, 0x06054b50u);
	p32(b, &len, 0);
	p16(b, &len, (unsigned)n);
	p16(b, &len, (unsigned)n);
	p32(b, &len, cl);
	p32(b, &len, cdoff);
	p16(b, &len, 0);
	return len;
}

TEST(scan_att_zip_contents)
{
	static const char *const n1[] = {"readme.txt", "payload.exe"};
	static const char *const d1[] = {"hi", "x"};
	static const char *const n2[] = {"docs/a.txt", "tool.bin"};
	static const char *const d2[] = {"hi", "\x7f"
					       "ELF\x02"};
	static const char *const n3[] = {"a.txt", "b.pdf"};
	static const char *const d3[] = {"hi", "%PDF"};
	static const unsigned f0[] = {0, 0}, fenc[] = {1, 1};
	unsigned char z[4096];
	size_t len;

	len = mkzip(z, n1, d1, f0, 2);
	CHECK_STR(att("=\"files.zip\"", z, len), "PH-ATT-EXEC");
	len = mkzip(z, n2, d2, f0, 2); /* by the content of a stored entry */
	CHECK_STR(att("=\"files.zip\"", z, len), "PH-ATT-EXEC");
	len = mkzip(z, n3, d3, fenc, 2);
	CHECK_STR(att("=\"secret.zip\"", z, len), "PH-ATT-ENCRYPTED-ARCHIVE");
	len = mkzip(z, n3, d3, f0, 2);
	CHECK_STR(att("=\"plain.zip\"", z, len), "");
}

TEST(scan_att_macros)
{
	static const char *const n1[] = {
	    "[Content_Types].xml", "word/vbaProject.bin"};
	static const char *const n2[] = {
	    "[Content_Types].xml", "word/document.xml"};
	static const char *const d[] = {"<Types/>", "x"};
	static const unsigned f0[] = {0, 0};
	unsigned char z[4096], ole[1024];
	const char *s = "_VBA_PROJECT";
	size_t len, i;

	len = mkzip(z, n1, d, f0, 2);
	CHECK_STR(att("=\"order.docm\"", z, len), "PH-ATT-MACRO");
	len = mkzip(z, n2, d, f0, 2);
	CHECK_STR(att("=\"order.docx\"", z, len), "");
	/* OLE2 (.doc/.xls) with a VBA project stream name in UTF-16 */
	memset(ole, 0, sizeof(ole));
	memcpy(ole, "\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", 8);
	for (i = 0; s[i] != '\0'; i++)
		ole[600 + 2 * i] = (unsigned char)s[i];
	CHECK_STR(att("=\"order.xls\"", ole, sizeof(ole)), "PH-ATT-MACRO");
	/* the same with "EncryptedPackage": a password-protected document */
	memset(ole + 600, 0, 100);
	s = "EncryptedPackage";
	for (i = 0; s[i] != '\0'; i++)
		ole[600 + 2 * i] = (unsigned char)s[i];
	CHECK_STR(att("=\"order.xlsx\"", ole, sizeof(ole)),
	    "PH-ATT-ENCRYPTED-ARCHIVE");
	memset(ole + 600, 0, 100);
	CHECK_STR(att("=\"order.xls\"", ole, sizeof(ole)), "");
}

TEST(scan_att_inline_part_without_name)
{
	static const char msg[] =
	    "From: a@b.example\nContent-Type: multipart/mixed; boundary=q\n\n"
	    "--q\nContent-Type: application/octet-stream\n"
	    "Content-Transfer-Encoding: base64\n\n"
	    "f0VMRgIBAQAAAAAAAAAAAA==\n--q--\n";

	CHECK_STR(ids_of(msg, sizeof(msg) - 1), "PH-ATT-EXEC");
}

TEST(scan_att_corpus_real_malware)
{
	/* ../shared/corpus/138: a real spam with a ZIP holding a .jpg.exe */
	const char *dir = getenv("POSTIE_CORPUS");
	char path[1024];
	struct scan_report r;
	static struct scan_conf none;
	struct mime_msg *m;
	const char *why;

	snprintf(path, sizeof(path), "%s/138-malformed-real-spam.eml",
	    dir != NULL ? dir : "../shared/corpus");
	if (!CHECK(mime_msg_open(path, &m, &why) == 0))
		return;
	scan_message(&none, m, &r);
	CHECK(r.level == SCAN_HIGH);
	CHECK(r.n == 2 && scan_has(&r, PH_ATT_EXEC) &&
	      scan_has(&r, PH_ATT_DOUBLE_EXT));
	CHECK(
	    strstr(r.ind[0].evidence, "20160523_211439.jpg_.jpg.exe") != NULL);
	mime_msg_free(&m);
	/* and a plain corpus message with a PDF: nothing */
	snprintf(path, sizeof(path), "%s/051-b64-pdf-crlf.eml",
	    dir != NULL ? dir : "../shared/corpus");
	if (!CHECK(mime_msg_open(path, &m, &why) == 0))
		return;
	scan_message(&none, m, &r);
	CHECK(r.level == SCAN_NONE);
	mime_msg_free(&m);
}
