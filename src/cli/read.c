/* read.c: postie ls, show and attachments: reading downloaded mail. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/num.h"
#include "lib/util.h"
#include "mime/mime.h"
#include "scan/scan.h"

struct read_opts {
	const char *maildir;
	const char *extract;
	const char *num;
	const char *config;
	bool sort_date;
	bool no_mark;
	struct scan_conf sc;
};

static void
read_usage(const char *cmd, FILE *f)
{
	if (strcmp(cmd, "ls") == 0)
		fputs("usage: postie ls [MAILDIR] [--sort name|date] "
		      "[--trusted-authserv ID] [--config FILE]\n"
		      "  lists messages: number, N(ew)/R(ead), ! if the "
		      "scanner rates it medium or high,\n"
		      "  date, size, attachments, sender, subject\n",
		    f);
	else if (strcmp(cmd, "show") == 0)
		fputs(
		    "usage: postie show N [--maildir DIR] [--no-mark] "
		    "[--trusted-authserv ID] [--config FILE]\n"
		    "  prints message N decoded, with the scanner's warnings, "
		    "and marks it read\n",
		    f);
	else
		fputs("usage: postie attachments N [--maildir DIR] "
		      "[--extract DIR]\n"
		      "  lists message N's attachments, or saves them with "
		      "safe names into DIR\n",
		    f);
	fputs("  the Maildir defaults to $POSTIE_MAILDIR, else ~/Maildir\n", f);
}

/* Value of "--name VALUE" or "--name=VALUE" at argv[*i]; NULL if argv[*i]
 * is not that option. *bad set if the value is missing. */
static const char *
opt_val(int argc, char **argv, int *i, const char *name, bool *bad)
{
	size_t n = strlen(name);
	const char *a = argv[*i];

	if (strncmp(a, name, n) != 0)
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n] != '\0')
		return NULL;
	if (*i + 1 >= argc) {
		*bad = true;
		return NULL;
	}
	return argv[++*i];
}

/* Parse the options shared by ls, show and attachments: 0 to go on, 2 on a
 * usage error, -1 after printing --help. */
static int
read_args(int argc, char **argv, struct read_opts *o)
{
	const char *v;
	bool bad = false, numbered = strcmp(argv[0], "ls") != 0;
	int i;

	for (i = 1; i < argc && !bad; i++) {
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			read_usage(argv[0], stdout);
			return -1;
		}
		if ((v = opt_val(argc, argv, &i, "--maildir", &bad)) != NULL)
			o->maildir = v;
		else if ((v = opt_val(argc, argv, &i, "--extract", &bad)))
			o->extract = v;
		else if ((v = opt_val(argc, argv, &i, "--config", &bad)))
			o->config = v;
		else if ((v = opt_val(
			      argc, argv, &i, "--trusted-authserv", &bad))) {
			if (scan_conf_add_trusted(&o->sc, v) < 0)
				bad = true;
		} else if ((v = opt_val(argc, argv, &i, "--sort", &bad))) {
			o->sort_date = strcmp(v, "date") == 0;
			bad = !o->sort_date && strcmp(v, "name") != 0;
		} else if (strcmp(argv[i], "--no-mark") == 0)
			o->no_mark = true;
		else if (bad || argv[i][0] == '-')
			bad = true;
		else if (numbered && o->num == NULL)
			o->num = argv[i];
		else if (o->maildir == NULL)
			o->maildir = argv[i];
		else
			bad = true;
	}
	if (bad || (numbered && o->num == NULL) ||
	    (o->extract != NULL && strcmp(argv[0], "attachments") != 0)) {
		read_usage(argv[0], stderr);
		return 2;
	}
	if (scan_conf_load_default(&o->sc, o->config) < 0) {
		fprintf(stderr, "postie %s: cannot read the scan config\n",
		    argv[0]);
		return 2;
	}
	return 0;
}

/* The Maildir to read: the argument, $POSTIE_MAILDIR, else ~/Maildir. */
static int
open_maildir(const char *cmd, const char *arg, struct mdl **l_r)
{
	static char def[STORE_PATH_MAX];
	const char *path = arg, *why, *home;

	if (path == NULL)
		path = getenv("POSTIE_MAILDIR");
	if (path == NULL || *path == '\0') {
		home = getenv("HOME");
		if (home == NULL ||
		    str_fmt(def, sizeof(def), "%s/Maildir", home) < 0) {
			fprintf(stderr, "postie %s: no Maildir given\n", cmd);
			return -1;
		}
		path = def;
	}
	if (mdl_open(path, l_r, &why) < 0) {
		fprintf(stderr, "postie %s: %s: %s\n", cmd, path, why);
		return -1;
	}
	return 0;
}

/* Parse the 1-based message number against the listing. */
static int
pick(const char *cmd, const char *num, const struct mdl *l, size_t *i_r)
{
	uint64_t n;

	if (num_parse_str(num, 1, UINT32_MAX, &n) < 0 || n > l->n) {
		fprintf(stderr,
		    "postie %s: no message %s (the Maildir has "
		    "%zu)\n",
		    cmd, num, l->n);
		return -1;
	}
	*i_r = (size_t)n - 1;
	return 0;
}

/* Append s to out fitted to width terminal columns (cut with "…"),
 * padded with spaces when pad. */
static void
fit(const char *s, size_t width, bool pad, struct buf *out)
{
	size_t cols = 0, w;
	const char *p = s, *next;
	gunichar c;

	while (*p != '\0') {
		c = g_utf8_get_char(p);
		w = g_unichar_iswide(c) ? 2 : g_unichar_iszerowidth(c) ? 0 : 1;
		next = p + g_utf8_skip[(unsigned char)*p];
		if (cols + w > width || (cols + w == width && *next != '\0')) {
			if (cols < width && buf_puts(out, "\xe2\x80\xa6") == 0)
				cols++;
			break;
		}
		if (buf_append(out, p, (size_t)(next - p)) < 0)
			return;
		cols += w;
		p = next;
	}
	while (pad && cols++ < width)
		if (buf_append(out, " ", 1) < 0)
			return;
}

/* A short sender: the display name, else the address. g_free it. */
static char *
from_short(const struct mime_msg *m)
{
	InternetAddressList *l = g_mime_message_get_from(m->gm);
	InternetAddress *a;
	const char *s = NULL;
	struct buf b;
	char *r;

	if (l != NULL && internet_address_list_length(l) > 0) {
		a = internet_address_list_get_address(l, 0);
		s = internet_address_get_name(a);
		if ((s == NULL || *s == '\0') && INTERNET_ADDRESS_IS_MAILBOX(a))
			s = internet_address_mailbox_get_addr(
			    INTERNET_ADDRESS_MAILBOX(a));
	}
	if (s == NULL)
		return g_strdup("");
	buf_init(&b, 1024);
	mime_sanitize(s, strlen(s), false, false, &b);
	r = g_strndup(b.len ? (const char *)b.data : "", b.len);
	buf_free(&b);
	return r;
}

static void
human_size(uint64_t n, char *out, size_t cap)
{
	int rc;

	if (n < 1024)
		rc = str_fmt(out, cap, "%lluB", (unsigned long long)n);
	else if (n < 1024 * 1024)
		rc = str_fmt(out, cap, "%.1fK", (double)n / 1024);
	else
		rc = str_fmt(out, cap, "%.1fM", (double)n / (1024 * 1024));
	if (rc < 0)
		out[0] = '\0';
}

static void
fmt_date(int64_t t, char *out, size_t cap)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(out, cap, "%Y-%m-%d %H:%M", &tm) == 0)
		memcpy(out, "-", 2);
}

/* One message of a listing, parsed and scanned. */
struct row {
	char *from;
	char *subject;
	int64_t date;
	bool has_date;
	size_t natt;
	enum scan_level level;
	const char *err;
};

static void
load_row(
    const struct mdl *l, size_t i, const struct scan_conf *sc, struct row *w)
{
	char path[STORE_PATH_MAX];
	struct mime_msg *m;
	struct mime_att *av;
	struct scan_report *rep;

	memset(w, 0, sizeof(*w));
	if (mdl_path(l, i, path, sizeof(path)) < 0) {
		w->err = "path too long";
		return;
	}
	if (mime_msg_open(path, &m, &w->err) < 0)
		return;
	w->from = from_short(m);
	w->subject = mime_header(m, "Subject");
	w->has_date = mime_date(m, &w->date) == 0;
	if (mime_attachments(m, &av, &w->natt) >= 0)
		mime_atts_free(av, w->natt);
	rep = g_malloc(sizeof(*rep));
	scan_message(sc, m, rep);
	w->level = rep->level;
	g_free(rep);
	mime_msg_free(&m);
}

struct sorted {
	size_t idx;
	const struct row *w;
	const struct mdl_entry *e;
};

static int
cmp_date(const void *a, const void *b)
{
	const struct sorted *x = a, *y = b;
	int64_t dx = x->w->has_date ? x->w->date : x->e->mtime;
	int64_t dy = y->w->has_date ? y->w->date : y->e->mtime;

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

static void
print_row(size_t idx, const struct mdl *l, const struct row *w)
{
	const struct mdl_entry *e = &l->v[idx];
	char date[32], size[16];
	struct buf b;

	buf_init(&b, 4096);
	if (w->has_date)
		fmt_date(w->date, date, sizeof(date));
	else
		memcpy(date, "-", 2);
	human_size(e->size, size, sizeof(size));
	if (buf_printf(&b, "%5zu %c%c %-16s %7s %3zu  ", idx + 1,
		strchr(e->flags, 'S') != NULL ? 'R' : 'N',
		w->level >= SCAN_MEDIUM ? '!' : ' ', date, size, w->natt) < 0)
		goto out;
	if (w->err != NULL) {
		if (buf_printf(&b, "(unreadable: %s)", w->err) < 0)
			goto out;
	} else {
		fit(w->from != NULL ? w->from : "", 24, true, &b);
		if (buf_puts(&b, "  ") < 0)
			goto out;
		fit(w->subject != NULL ? w->subject : "(no subject)", 60, false,
		    &b);
	}
	if (buf_puts(&b, "\n") == 0)
		fwrite(b.data, 1, b.len, stdout);
out:
	buf_free(&b);
}

int
cli_ls(int argc, char **argv)
{
	struct read_opts o = {0};
	struct sorted *ord;
	struct row *rows;
	struct mdl *l;
	size_t i;
	int rc;

	if ((rc = read_args(argc, argv, &o)) != 0) {
		rc = rc < 0 ? 0 : rc; /* --help */
		goto done;
	}
	rc = 1;
	if (open_maildir(argv[0], o.maildir, &l) < 0)
		goto done;
	mime_init();
	scan_conf_learn_maildir(&o.sc, l);
	rows = g_new0(struct row, l->n ? l->n : 1);
	ord = g_new0(struct sorted, l->n ? l->n : 1);
	for (i = 0; i < l->n; i++) {
		load_row(l, i, &o.sc, &rows[i]);
		ord[i].idx = i;
		ord[i].w = &rows[i];
		ord[i].e = &l->v[i];
	}
	if (o.sort_date && l->n > 1)
		qsort(ord, l->n, sizeof(*ord), cmp_date);
	printf("%5s %-2s %-16s %7s %3s  %-24s  %s\n", "#", "F!", "Date", "Size",
	    "Att", "From", "Subject");
	for (i = 0; i < l->n; i++)
		print_row(ord[i].idx, l, ord[i].w);
	for (i = 0; i < l->n; i++) {
		g_free(rows[i].from);
		g_free(rows[i].subject);
	}
	g_free(rows);
	g_free(ord);
	mdl_free(&l);
	rc = fflush(stdout) == 0 ? 0 : 1;
done:
	scan_conf_free(&o.sc);
	return rc;
}

/* Open message number o->num of the Maildir. */
static int
open_numbered(const char *cmd, struct read_opts *o, struct mdl **l_r,
    size_t *i_r, struct mime_msg **m_r)
{
	char path[STORE_PATH_MAX];
	const char *why;

	if (open_maildir(cmd, o->maildir, l_r) < 0)
		return -1;
	if (pick(cmd, o->num, *l_r, i_r) < 0 ||
	    mdl_path(*l_r, *i_r, path, sizeof(path)) < 0) {
		mdl_free(l_r);
		return -1;
	}
	if (mime_msg_open(path, m_r, &why) < 0) {
		fprintf(stderr, "postie %s: %s: %s\n", cmd, path, why);
		mdl_free(l_r);
		return -1;
	}
	return 0;
}

static void
print_header(const struct mime_msg *m, const char *name)
{
	char *v = mime_header(m, name);

	if (v != NULL)
		printf("%s: %s\n", name, v);
	g_free(v);
}

int
cli_show(int argc, char **argv)
{
	static const char *const hdrs[] = {
	    "From", "To", "Cc", "Date", "Subject"};
	struct read_opts o = {0};
	struct scan_report *rep = NULL;
	struct mime_msg *m;
	struct mime_att *av;
	struct mdl *l;
	struct buf b;
	size_t i, k, natt = 0;
	bool cut;
	int rc, t;

	if ((rc = read_args(argc, argv, &o)) != 0) {
		rc = rc < 0 ? 0 : rc; /* --help */
		goto done;
	}
	rc = 1;
	if (open_numbered(argv[0], &o, &l, &i, &m) < 0)
		goto done;
	scan_conf_learn_maildir(&o.sc, l);
	for (k = 0; k < sizeof(hdrs) / sizeof(hdrs[0]); k++)
		print_header(m, hdrs[k]);
	if (mime_attachments(m, &av, &natt) >= 0)
		mime_atts_free(av, natt);
	if (natt > 0)
		printf(
		    "Attachments: %zu (postie attachments %s)\n", natt, o.num);
	rep = g_malloc(sizeof(*rep));
	scan_message(&o.sc, m, rep);
	buf_init(&b, MIME_TEXT_MAX);
	if (rep->level != SCAN_NONE && scan_report_text(rep, 0, &b) == 0)
		printf("\n!! %.*s", (int)b.len, (const char *)b.data);
	buf_reset(&b);
	t = mime_body_text(m, &b, &cut);
	putchar('\n');
	if (b.len > 0) {
		fwrite(b.data, 1, b.len, stdout);
		if (b.data[b.len - 1] != '\n')
			putchar('\n');
	}
	if (t == 1)
		puts("[no text part; see 'postie attachments']");
	else if (cut)
		puts("[... cut: the text is too long]");
	buf_free(&b);
	rc = fflush(stdout) == 0 ? 0 : 1;
	if (rc == 0 && !o.no_mark && mdl_add_flag(l, i, 'S') < 0) {
		fprintf(stderr,
		    "postie show: cannot mark message %s read: %s\n", o.num,
		    strerror(errno));
		rc = 1;
	}
	g_free(rep);
	mime_msg_free(&m);
	mdl_free(&l);
done:
	scan_conf_free(&o.sc);
	return rc;
}

/* Save attachment a (number k, 1-based) into dirfd with a safe name. */
static int
extract_one(int dirfd, const struct mime_att *a, size_t k)
{
	char safe[MIME_FILENAME_MAX + 1], used[MIME_FILENAME_MAX + 16];
	char *name = a->filename;
	uint64_t len;
	int fd, rc;

	mime_safe_name(name, k, safe, sizeof(safe));
	if (name == NULL && a->is_message &&
	    str_fmt(safe, sizeof(safe), "attachment-%zu.eml", k) < 0)
		return -1;
	fd = mime_create_unique(dirfd, safe, used, sizeof(used));
	if (fd < 0) {
		fprintf(stderr, "postie attachments: cannot create %s: %s\n",
		    safe, strerror(errno));
		return -1;
	}
	rc = mime_att_write(a, fd, &len);
	if (close(fd) != 0)
		rc = -1;
	if (rc < 0) {
		fprintf(
		    stderr, "postie attachments: writing %s failed\n", used);
		return -1;
	}
	printf(
	    "%3zu  saved %s (%llu bytes)\n", k, used, (unsigned long long)len);
	return 0;
}

static void
list_one(const struct mime_att *a, size_t k)
{
	char size[16];
	struct buf b;

	human_size(mime_att_size(a), size, sizeof(size));
	buf_init(&b, 4096);
	if (buf_printf(&b, "%3zu  %-32s %8s  ", k, a->type, size) == 0) {
		if (a->filename != NULL)
			mime_sanitize(
			    a->filename, strlen(a->filename), false, false, &b);
		else if (buf_puts(&b, a->is_message ? "(attached message)"
						    : "(no name)") < 0)
			b.len = 0;
		if (b.len > 0 && buf_puts(&b, "\n") == 0)
			fwrite(b.data, 1, b.len, stdout);
	}
	buf_free(&b);
}

int
cli_attachments(int argc, char **argv)
{
	struct read_opts o = {0};
	struct mime_att *av = NULL;
	struct mime_msg *m;
	struct mdl *l;
	size_t i, k, n = 0;
	int rc, dirfd = -1;

	if ((rc = read_args(argc, argv, &o)) != 0) {
		rc = rc < 0 ? 0 : rc; /* --help */
		goto done;
	}
	rc = 1;
	if (open_numbered(argv[0], &o, &l, &i, &m) < 0)
		goto done;
	if (mime_attachments(m, &av, &n) == 1)
		fprintf(stderr, "postie attachments: too many parts; the list "
				"is cut\n");
	rc = 0;
	if (o.extract != NULL) {
		if (mkdir(o.extract, 0700) != 0 && errno != EEXIST)
			rc = 1;
		else if ((dirfd = open(o.extract,
			      O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
			rc = 1;
		if (rc != 0)
			fprintf(stderr, "postie attachments: %s: %s\n",
			    o.extract, strerror(errno));
	}
	for (k = 0; k < n && rc == 0; k++) {
		if (dirfd >= 0)
			rc = extract_one(dirfd, &av[k], k + 1) < 0 ? 1 : 0;
		else
			list_one(&av[k], k + 1);
	}
	if (n == 0 && o.extract == NULL)
		puts("(no attachments)");
	if (dirfd >= 0)
		close(dirfd);
	mime_atts_free(av, n);
	mime_msg_free(&m);
	mdl_free(&l);
	if (fflush(stdout) != 0)
		rc = 1;
done:
	scan_conf_free(&o.sc);
	return rc;
}
