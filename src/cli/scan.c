/* scan.c: postie scan: score downloaded messages for phishing and
 * dangerous attachments, and list the flagged ones (or all, as JSON). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "lib/util.h"
#include "mime/mime.h"
#include "scan/scan.h"

struct scan_opts {
	bool json;
	bool all;
	const char *config;
	struct scan_conf sc;
	unsigned counts[4];
	unsigned errors;
	unsigned total;
	bool first; /* no JSON object written yet */
};

static void
scan_usage(FILE *f)
{
	fputs("usage: postie scan [MAILDIR|FILE...] [--json] [--all] "
	      "[--trusted-authserv ID]... [--config FILE]\n"
	      "  scores messages for phishing and dangerous attachments "
	      "(none/low/medium/high)\n"
	      "  and lists the flagged ones; --json: every message as a JSON "
	      "array\n"
	      "  the Maildir defaults to $POSTIE_MAILDIR, else ~/Maildir; see "
	      "docs/phishing.md\n",
	    f);
}

/* Print one message's result; num is its number in the Maildir or 0. */
static void
report(struct scan_opts *o, const char *path, size_t num,
    const struct mime_msg *m, const struct scan_report *r)
{
	struct buf b;
	char *subj;

	o->counts[r->level]++;
	buf_init(&b, 1024 * 1024);
	if (o->json) {
		if (scan_report_json(r, path, &b) == 0)
			printf("%s\n  %.*s", o->first ? "" : ",", (int)b.len,
			    (const char *)b.data);
		o->first = false;
	} else if (r->level != SCAN_NONE || o->all) {
		subj = mime_header(m, "Subject");
		if (num > 0)
			printf("#%zu ", num);
		printf("%s (%d points): %s\n  subject: %s\n",
		    scan_level_name(r->level), r->points, path,
		    subj != NULL ? subj : "(none)");
		g_free(subj);
		if (r->n > 0 && scan_report_text(r, 0, &b) == 0) {
			const char *nl = memchr(b.data, '\n', b.len);

			/* skip the level line, already printed */
			if (nl != NULL)
				fwrite(nl + 1, 1,
				    b.len -
					(size_t)(nl + 1 - (const char *)b.data),
				    stdout);
		}
	}
	buf_free(&b);
}

static void
scan_path(struct scan_opts *o, const char *path, size_t num)
{
	struct scan_report *r;
	struct mime_msg *m;
	const char *why;

	o->total++;
	if (mime_msg_open(path, &m, &why) < 0) {
		fprintf(stderr, "postie scan: %s: %s\n", path, why);
		o->errors++;
		return;
	}
	r = g_malloc(sizeof(*r));
	scan_message(&o->sc, m, r);
	report(o, path, num, m, r);
	g_free(r);
	mime_msg_free(&m);
}

static void
learn_file(struct scan_opts *o, const char *path)
{
	struct mime_msg *m;
	const char *why, *at;
	char *from;

	if (mime_msg_open_headers(path, &m, &why) < 0)
		return;
	from = mime_from_addr(m);
	at = from != NULL ? strrchr(from, '@') : NULL;
	if (at != NULL && at[1] != '\0')
		scan_conf_add_known(&o->sc, at + 1);
	g_free(from);
	mime_msg_free(&m);
}

/* Options into o and paths: 0 to go on, 1 for --help, -1 on a usage
 * error. */
static int
parse(int argc, char **argv, struct scan_opts *o, const char ***paths, int *np)
{
	int i;

	*paths = g_new0(const char *, argc > 0 ? argc : 1);
	*np = 0;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0)
			return 1;
		if (strcmp(a, "--json") == 0)
			o->json = true;
		else if (strcmp(a, "--all") == 0)
			o->all = true;
		else if (strcmp(a, "--trusted-authserv") == 0 && i + 1 < argc) {
			if (scan_conf_add_trusted(&o->sc, argv[++i]) < 0)
				return -1;
		} else if (strncmp(a, "--trusted-authserv=", 19) == 0) {
			if (scan_conf_add_trusted(&o->sc, a + 19) < 0)
				return -1;
		} else if (strcmp(a, "--config") == 0 && i + 1 < argc)
			o->config = argv[++i];
		else if (strncmp(a, "--config=", 9) == 0)
			o->config = a + 9;
		else if (a[0] == '-' && a[1] != '\0')
			return -1;
		else
			(*paths)[(*np)++] = argv[i];
	}
	return 0;
}

/* True if path is a directory with new/ or cur/. */
static bool
is_maildir(const char *path)
{
	char sub[STORE_PATH_MAX];
	struct stat st;

	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return false;
	return (str_fmt(sub, sizeof(sub), "%s/new", path) >= 0 &&
		   stat(sub, &st) == 0) ||
	       (str_fmt(sub, sizeof(sub), "%s/cur", path) >= 0 &&
		   stat(sub, &st) == 0);
}

int
cli_scan(int argc, char **argv)
{
	struct scan_opts o = {.first = true};
	struct mdl **lists;
	const char **paths;
	char def[STORE_PATH_MAX], path[STORE_PATH_MAX];
	const char *why, *env = getenv("POSTIE_MAILDIR");
	int np, i, rc = 0;
	size_t k;

	if ((rc = parse(argc, argv, &o, &paths, &np)) != 0) {
		scan_usage(rc < 0 ? stderr : stdout);
		g_free(paths);
		scan_conf_free(&o.sc);
		return rc < 0 ? 2 : 0;
	}
	if (scan_conf_load_default(&o.sc, o.config) < 0) {
		fprintf(stderr,
		    "postie scan: cannot read the scan config: %s\n",
		    strerror(errno));
		g_free(paths);
		scan_conf_free(&o.sc);
		return 2;
	}
	if (np == 0) {
		if (env != NULL && *env != '\0')
			paths[np++] = env;
		else if (getenv("HOME") != NULL &&
			 str_fmt(def, sizeof(def), "%s/Maildir",
			     getenv("HOME")) >= 0)
			paths[np++] = def;
	}
	mime_init();
	lists = g_new0(struct mdl *, np > 0 ? np : 1);
	/* First the senders of everything given: their look-alikes count. */
	for (i = 0; i < np; i++) {
		if (!is_maildir(paths[i])) {
			learn_file(&o, paths[i]);
		} else if (mdl_open(paths[i], &lists[i], &why) == 0) {
			scan_conf_learn_maildir(&o.sc, lists[i]);
		} else {
			fprintf(stderr, "postie scan: %s: %s\n", paths[i], why);
			rc = 1;
		}
	}
	if (o.json)
		fputs("[", stdout);
	for (i = 0; i < np; i++) {
		if (lists[i] == NULL) {
			if (!is_maildir(paths[i]))
				scan_path(&o, paths[i], 0);
			continue;
		}
		for (k = 0; k < lists[i]->n; k++)
			if (mdl_path(lists[i], k, path, sizeof(path)) == 0)
				scan_path(&o, path, k + 1);
		mdl_free(&lists[i]);
	}
	if (o.json)
		fputs(o.first ? "]\n" : "\n]\n", stdout);
	else
		printf("%u messages: %u high, %u medium, %u low, %u none%s\n",
		    o.total, o.counts[SCAN_HIGH], o.counts[SCAN_MEDIUM],
		    o.counts[SCAN_LOW], o.counts[SCAN_NONE],
		    o.errors > 0 ? " (some unreadable)" : "");
	if (o.errors > 0)
		rc = 1;
	g_free(lists);
	g_free(paths);
	scan_conf_free(&o.sc);
	return fflush(stdout) == 0 ? rc : 1;
}
