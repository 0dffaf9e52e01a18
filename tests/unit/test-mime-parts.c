/* test-mime-parts.c: attachment listing and extraction, safe file names
 * (src/mime/parts.c, safename.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "mime/mime.h"

static const char nested[] =
    "From: a@example.com\nSubject: nested\nMIME-Version: 1.0\n"
    "Content-Type: multipart/mixed; boundary=\"o\"\n\n"
    "--o\nContent-Type: text/plain\n\nsee attached\n"
    "--o\nContent-Type: application/pdf;"
    " name=\"=?UTF-8?B?w6TDtsO8LnBkZg==?=\"\n"
    "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n"
    "--o\nContent-Type: application/octet-stream\n"
    "Content-Disposition: attachment;\n"
    " filename*0*=UTF-8''%E2%82%AC%20rapport;\n filename*1=\".txt\"\n\n"
    "plain bytes\n"
    "--o\nContent-Type: message/rfc822\nContent-Disposition: attachment\n\n"
    "From: b@example.com\nSubject: inner\n"
    "Content-Type: multipart/mixed; boundary=\"i\"\n\n"
    "--i\nContent-Type: text/plain\n\ninner body\n"
    "--i\nContent-Type: image/gif\n"
    "Content-Disposition: inline; filename=\"../../etc/passwd\"\n"
    "Content-Transfer-Encoding: base64\n\nR0lGODlh\n--i--\n"
    "--o\nContent-Type: image/png\nContent-Disposition: inline\n\n"
    "inline image without a name\n--o--\n";

static struct mime_msg *
parse(const char *s)
{
	struct mime_msg *m = NULL;
	const char *why;

	if (mime_msg_open_mem(s, strlen(s), &m, &why) != 0)
		return NULL;
	return m;
}

TEST(mime_atts_listed_with_decoded_names)
{
	struct mime_msg *m = parse(nested);
	struct mime_att *v;
	size_t n = 0;

	if (!CHECK(m != NULL))
		return;
	CHECK(mime_attachments(m, &v, &n) == 0);
	if (!CHECK(n == 4)) {
		mime_atts_free(v, n);
		mime_msg_free(&m);
		return;
	}
	CHECK_STR(v[0].filename, "äöü.pdf");
	CHECK_STR(v[0].type, "application/pdf");
	CHECK(!v[0].is_message && v[0].depth == 1);
	CHECK_STR(v[1].filename, "€ rapport.txt");
	CHECK(v[2].is_message && v[2].filename == NULL);
	CHECK_STR(v[2].type, "message/rfc822");
	CHECK_STR(v[3].filename, "../../etc/passwd"); /* raw: made safe later */
	CHECK(v[3].depth == 3);
	CHECK(mime_att_size(&v[0]) == 9);
	CHECK(mime_att_size(&v[1]) == 11);
	mime_atts_free(v, n);
	mime_msg_free(&m);
}

TEST(mime_atts_read_and_write)
{
	struct mime_msg *m = parse(nested);
	const char *dir = t_tmpdir();
	struct mime_att *v;
	struct buf b;
	size_t n = 0;
	uint64_t len = 0;
	char path[600], got[64];
	bool cut;
	int fd;
	ssize_t r;

	if (!CHECK(m != NULL))
		return;
	CHECK(mime_attachments(m, &v, &n) == 0);
	if (!CHECK(n == 4))
		return;
	buf_init(&b, 1024);
	CHECK(mime_att_read(&v[0], &b, &cut) == 0);
	CHECK_MEM(b.data, b.len, "%PDF-1.4\n", 9);
	CHECK(!cut);
	buf_reset(&b);
	CHECK(mime_att_read(&v[2], &b, &cut) == 0);
	CHECK(b.len > 0 && memmem(b.data, b.len, "Subject: inner", 14) != NULL);
	buf_free(&b);
	snprintf(path, sizeof(path), "%s/out", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	CHECK(fd >= 0);
	CHECK(mime_att_write(&v[3], fd, &len) == 0);
	close(fd);
	CHECK(len == 6);
	fd = open(path, O_RDONLY);
	r = read(fd, got, sizeof(got));
	close(fd);
	CHECK_MEM(got, r > 0 ? (size_t)r : 0, "GIF89a", 6);
	buf_init(&b, 4); /* a cap smaller than the content */
	CHECK(mime_att_read(&v[1], &b, &cut) == 0);
	CHECK(cut && b.len == 4);
	buf_free(&b);
	mime_atts_free(v, n);
	mime_msg_free(&m);
}

TEST(mime_atts_none_and_walk_counts)
{
	struct mime_msg *m = parse("Subject: x\n\nplain\n");
	struct mime_att *v;
	size_t n = 7;

	if (!CHECK(m != NULL))
		return;
	CHECK(mime_attachments(m, &v, &n) == 0);
	CHECK(n == 0);
	mime_atts_free(v, n);
	mime_msg_free(&m);
}

static const char *
safe(const char *name, size_t idx)
{
	static char out[MIME_FILENAME_MAX + 1];

	mime_safe_name(name, idx, out, sizeof(out));
	return out;
}

TEST(mime_safe_names)
{
	char longname[600];

	CHECK_STR(safe("../../etc/passwd", 1), "passwd");
	CHECK_STR(safe("..\\..\\windows\\win.ini", 1), "win.ini");
	CHECK_STR(safe("/abs/path/x.txt", 1), "x.txt");
	CHECK_STR(safe("..", 3), "attachment-3");
	CHECK_STR(safe("...", 3), "attachment-3");
	CHECK_STR(safe(".bashrc", 1), "bashrc");
	CHECK_STR(safe("", 2), "attachment-2");
	CHECK_STR(safe(NULL, 5), "attachment-5");
	CHECK_STR(safe("a/", 5), "attachment-5");
	CHECK_STR(safe("name. . ", 1), "name");
	/* Windows device names */
	CHECK_STR(safe("CON", 1), "_CON");
	CHECK_STR(safe("nul.txt", 1), "_nul.txt");
	CHECK_STR(safe("../Com1 .log", 1), "_Com1 .log");
	CHECK_STR(safe("lpt9", 1), "_lpt9");
	CHECK_STR(safe("console.txt", 1), "console.txt");
	CHECK_STR(safe("com10", 1), "com10");
	/* controls, escape sequences, RLO: dropped */
	CHECK_STR(safe("evil\x1b[2Jname\r\n.txt", 1), "evil[2Jname.txt");
	CHECK_STR(safe("invoice\xe2\x80\xaegpj.exe", 1), "invoicegpj.exe");
	CHECK_STR(safe("a:b*c?d\"e<f>g|h", 1), "a_b_c_d_e_f_g_h");
	/* invalid UTF-8 bytes */
	CHECK_STR(safe("caf\xe9.txt", 1), "caf_.txt");
	CHECK_STR(safe("Список.doc", 1), "Список.doc");
	/* over-long: cut at a character boundary, extension kept */
	memset(longname, 'a', 300);
	memcpy(longname + 300, ".pdf", 5);
	CHECK(strlen(safe(longname, 1)) == MIME_FILENAME_MAX);
	CHECK(strcmp(safe(longname, 1) + MIME_FILENAME_MAX - 4, ".pdf") == 0);
	memset(longname, 0, sizeof(longname));
	for (int i = 0; i < 150; i++)
		memcpy(longname + 2 * i, "\xc3\xa9", 2);
	CHECK(g_utf8_validate(safe(longname, 1), -1, NULL));
	CHECK(strlen(safe(longname, 1)) <= MIME_FILENAME_MAX);
}

TEST(mime_create_unique_no_overwrite)
{
	const char *dir = t_tmpdir();
	char used[MIME_FILENAME_MAX + 16], path[600];
	int dfd = open(dir, O_RDONLY | O_DIRECTORY), fd, k;
	struct stat st;

	if (!CHECK(dfd >= 0))
		return;
	for (k = 0; k < 3; k++) {
		fd = mime_create_unique(dfd, "report.pdf", used, sizeof(used));
		CHECK(fd >= 0);
		if (fd >= 0)
			CHECK(write(fd, "x", 1) == 1);
		close(fd);
	}
	CHECK_STR(used, "report (2).pdf");
	snprintf(path, sizeof(path), "%s/report (1).pdf", dir);
	CHECK(stat(path, &st) == 0 && st.st_size == 1 &&
	      (st.st_mode & 0777) == 0600);
	fd = mime_create_unique(dfd, "noext", used, sizeof(used));
	close(fd);
	fd = mime_create_unique(dfd, "noext", used, sizeof(used));
	close(fd);
	CHECK_STR(used, "noext (1)");
	/* a planted symlink is never followed nor replaced */
	snprintf(path, sizeof(path), "%s/link", dir);
	CHECK(symlink("/etc/passwd", path) == 0);
	fd = mime_create_unique(dfd, "link", used, sizeof(used));
	CHECK(fd >= 0);
	close(fd);
	CHECK_STR(used, "link (1)");
	CHECK(lstat(path, &st) == 0 && S_ISLNK(st.st_mode));
	/* names that are not a single component are refused */
	CHECK(mime_create_unique(dfd, "../x", used, sizeof(used)) < 0);
	CHECK(mime_create_unique(dfd, "..", used, sizeof(used)) < 0);
	CHECK(mime_create_unique(dfd, "", used, sizeof(used)) < 0);
	close(dfd);
}
