/* baseline.c: --baseline FILE.json (a previous JSON report): a small strict
 * JSON reader that extracts checks[].id/status/severity, the new / fixed /
 * unchanged classification, and the exit code. */
#include <stdio.h>
#include <string.h>

#include "audit/audit.h"
#include "lib/util.h"

#define BL_FILE_MAX  (8 * 1024 * 1024)
#define BL_DEPTH_MAX 32
#define BL_STR_MAX   64

struct js {
	const char *p, *end;
	int depth;
};

static void
ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\n' ||
				    *j->p == '\r' || *j->p == '\t'))
		j->p++;
}

/* A string into out (escapes kept verbatim except \" and \\; cut at cap). */
static int
str(struct js *j, char *out, size_t cap)
{
	size_t n = 0;

	ws(j);
	if (j->p >= j->end || *j->p != '"')
		return -1;
	for (j->p++; j->p < j->end && *j->p != '"'; j->p++) {
		char ch = *j->p;

		if ((unsigned char)ch < 0x20)
			return -1;
		if (ch == '\\') {
			if (++j->p >= j->end)
				return -1;
			ch = *j->p;
		}
		if (out != NULL && n + 1 < cap)
			out[n++] = ch;
	}
	if (j->p >= j->end)
		return -1;
	j->p++;
	if (out != NULL && cap > 0)
		out[n] = '\0';
	return 0;
}

static int value(struct js *j);

static int
lit(struct js *j, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(j->end - j->p) < n || memcmp(j->p, w, n) != 0)
		return -1;
	j->p += n;
	return 0;
}

static int
number(struct js *j)
{
	const char *s = j->p;

	while (j->p < j->end && strchr("+-0123456789.eE", *j->p) != NULL)
		j->p++;
	return j->p > s ? 0 : -1;
}

/* Walk a container; cb sees each key (objects) or NULL (arrays). */
static int
container(struct js *j, char open, int (*cb)(struct js *, const char *, void *),
    void *arg)
{
	char close = open == '{' ? '}' : ']', key[BL_STR_MAX];

	if (++j->depth > BL_DEPTH_MAX)
		return -1;
	j->p++;
	ws(j);
	if (j->p < j->end && *j->p == close) {
		j->p++;
		j->depth--;
		return 0;
	}
	for (;;) {
		if (open == '{') {
			if (str(j, key, sizeof(key)) != 0)
				return -1;
			ws(j);
			if (j->p >= j->end || *j->p != ':')
				return -1;
			j->p++;
		}
		if ((cb != NULL ? cb(j, open == '{' ? key : NULL, arg)
				: value(j)) != 0)
			return -1;
		ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == close) {
			j->p++;
			j->depth--;
			return 0;
		}
		return -1;
	}
}

static int
value(struct js *j)
{
	ws(j);
	if (j->p >= j->end)
		return -1;
	switch (*j->p) {
	case '{':
	case '[':
		return container(j, *j->p, NULL, NULL);
	case '"':
		return str(j, NULL, 0);
	case 't':
		return lit(j, "true");
	case 'f':
		return lit(j, "false");
	case 'n':
		return lit(j, "null");
	default:
		return number(j);
	}
}

struct item {
	char id[BL_STR_MAX], status[BL_STR_MAX], sev[BL_STR_MAX];
};

static int
item_key(struct js *j, const char *key, void *arg)
{
	struct item *it = arg;
	char *dst = strcmp(key, "id") == 0         ? it->id
		    : strcmp(key, "status") == 0   ? it->status
		    : strcmp(key, "severity") == 0 ? it->sev
						   : NULL;

	ws(j);
	if (dst != NULL && j->p < j->end && *j->p == '"')
		return str(j, dst, BL_STR_MAX);
	return value(j);
}

static int
check_item(struct js *j, const char *key, void *arg)
{
	struct au_baseline *b = arg;
	struct item it;
	const struct au_check *c;
	int s;

	(void)key;
	memset(&it, 0, sizeof(it));
	ws(j);
	if (j->p >= j->end || *j->p != '{' ||
	    container(j, '{', item_key, &it) != 0)
		return -1;
	c = au_check_find(it.id);
	if (c == NULL)
		return 0; /* a check this version does not know */
	for (s = AU_ST_PASS; s <= AU_ST_SKIPPED; s++)
		if (strcmp(it.status, au_status_name((enum au_status)s)) == 0)
			b->status[c->idx] = (enum au_status)s;
	if (au_sev_parse(it.sev, &b->sev[c->idx]) != 0)
		b->sev[c->idx] = AU_SEV_NONE;
	return 0;
}

static int
top_key(struct js *j, const char *key, void *arg)
{
	ws(j);
	if (strcmp(key, "checks") == 0 && j->p < j->end && *j->p == '[') {
		((struct au_baseline *)arg)->loaded = true;
		return container(j, '[', check_item, arg);
	}
	return value(j);
}

int
au_baseline_load(
    const char *path, struct au_baseline *b, char *err, size_t errcap)
{
	struct buf data;
	char chunk[8192];
	struct js j;
	FILE *f;
	size_t n;
	int r = -1;

	memset(b, 0, sizeof(*b));
	f = fopen(path, "r");
	if (f == NULL) {
		(void)str_fmt(err, errcap, "%s: cannot open", path);
		return -1;
	}
	buf_init(&data, BL_FILE_MAX);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		if (buf_append(&data, chunk, n) != 0)
			break;
	if (ferror(f) || !feof(f)) {
		(void)str_fmt(err, errcap,
		    "%s: read error or larger than %d "
		    "bytes",
		    path, BL_FILE_MAX);
		goto out;
	}
	j.p = (const char *)data.data;
	j.end = j.p + data.len;
	j.depth = 0;
	ws(&j);
	if (j.p >= j.end || *j.p != '{' ||
	    container(&j, '{', top_key, b) != 0 || (ws(&j), j.p != j.end) ||
	    !b->loaded) {
		(void)str_fmt(
		    err, errcap, "%s: not a postie audit JSON report", path);
		b->loaded = false;
		goto out;
	}
	r = 0;
out:
	fclose(f);
	buf_free(&data);
	return r;
}

const char *
au_baseline_diff(
    const struct au_baseline *b, const struct au_run *r, enum au_id i)
{
	bool was = b->status[i] == AU_ST_FAIL;
	bool is = r->res[i].status == AU_ST_FAIL;

	if (!b->loaded || (!was && !is))
		return NULL;
	if (was && is)
		return "unchanged";
	return is ? "new" : "fixed";
}

int
au_exit_code(
    const struct au_run *r, enum au_sev fail_on, const struct au_baseline *b)
{
	int i;

	for (i = 0; i < AU_NCHECKS && fail_on != AU_SEV_NONE; i++) {
		const struct au_result *res = &r->res[i];

		if (res->status != AU_ST_FAIL || res->sev < fail_on)
			continue;
		if (b != NULL && b->loaded && b->status[i] == AU_ST_FAIL &&
		    b->sev[i] >= res->sev)
			continue; /* known before: gate only on new ones */
		return AU_EXIT_FINDINGS;
	}
	if (r->unreachable || r->aborted)
		return AU_EXIT_INCOMPLETE;
	return AU_EXIT_OK;
}
