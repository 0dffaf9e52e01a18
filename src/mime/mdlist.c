/* mdlist.c: list a Maildir's messages for reading (new/ and cur/, flags
 * from the ":2," info) and set flags by renaming. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/util.h"
#include "mime/mime.h"

size_t
mdl_parse_name(const char *name, char out[27])
{
	const char *colon = strchr(name, ':');
	bool seen[26] = {false};
	size_t base = colon != NULL ? (size_t)(colon - name) : strlen(name);
	size_t i, o = 0;

	if (colon != NULL && colon[1] == '2' && colon[2] == ',')
		for (i = 3; colon[i] != '\0'; i++)
			if (colon[i] >= 'A' && colon[i] <= 'Z')
				seen[colon[i] - 'A'] = true;
	for (i = 0; i < 26; i++)
		if (seen[i])
			out[o++] = (char)('A' + i);
	out[o] = '\0';
	return base;
}

/* Compare two entries by base name (the part before ':'). */
static int
cmp_entry(const void *a, const void *b)
{
	const struct mdl_entry *x = a, *y = b;
	size_t lx = strcspn(x->name, ":"), ly = strcspn(y->name, ":");
	int c = memcmp(x->name, y->name, lx < ly ? lx : ly);

	if (c != 0)
		return c;
	if (lx != ly)
		return lx < ly ? -1 : 1;
	return (int)x->in_new - (int)y->in_new; /* cur/ first */
}

static bool
same_base(const char *a, const char *b)
{
	size_t la = strcspn(a, ":");

	return la == strcspn(b, ":") && memcmp(a, b, la) == 0;
}

/* Add the messages of path/sub to l. 0, 1 if the directory is missing, -1
 * on error or the cap. */
static int
scan_dir(struct mdl *l, const char *sub, bool in_new)
{
	char dir[STORE_PATH_MAX];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int dfd;

	if (str_fmt(dir, sizeof(dir), "%s/%s", l->path, sub) < 0)
		return -1;
	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 1 : -1;
	dfd = dirfd(d);
	while ((de = readdir(d)) != NULL) {
		struct mdl_entry *e;

		if (de->d_name[0] == '.' || strlen(de->d_name) > STORE_NAME_MAX)
			continue;
		if (fstatat(dfd, de->d_name, &st, 0) != 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		if (l->n >= STORE_MSGS_MAX) {
			closedir(d);
			errno = EFBIG;
			return -1;
		}
		if ((l->n & (l->n - 1)) == 0) /* grow at powers of two */
			l->v = g_realloc_n(
			    l->v, l->n ? 2 * l->n : 16, sizeof(*l->v));
		e = &l->v[l->n++];
		e->name = g_strdup(de->d_name);
		e->in_new = in_new;
		mdl_parse_name(e->name, e->flags);
		e->size = (uint64_t)st.st_size;
		e->mtime = (int64_t)st.st_mtime;
	}
	closedir(d);
	return 0;
}

int
mdl_open(const char *path, struct mdl **l_r, const char **why_r)
{
	struct mdl *l = g_malloc0(sizeof(*l));
	int a, b;
	size_t i, o;

	l->path = g_strdup(path);
	a = scan_dir(l, "new", true);
	b = a < 0 ? -1 : scan_dir(l, "cur", false);
	if (a < 0 || b < 0 || (a == 1 && b == 1)) {
		*why_r = a == 1 && b == 1 ? "not a Maildir (no new/ or cur/)"
					  : "cannot read the Maildir";
		mdl_free(&l);
		return -1;
	}
	if (l->n > 0)
		qsort(l->v, l->n, sizeof(*l->v), cmp_entry);
	/* The same base in cur/ and new/ (a move in progress): keep cur/. */
	for (i = o = 0; i < l->n; i++) {
		if (o > 0 && same_base(l->v[o - 1].name, l->v[i].name)) {
			g_free(l->v[i].name);
			continue;
		}
		l->v[o++] = l->v[i];
	}
	l->n = o;
	*l_r = l;
	return 0;
}

void
mdl_free(struct mdl **l)
{
	size_t i;

	if (*l == NULL)
		return;
	for (i = 0; i < (*l)->n; i++)
		g_free((*l)->v[i].name);
	g_free((*l)->v);
	g_free((*l)->path);
	g_free(*l);
	*l = NULL;
}

int
mdl_path(const struct mdl *l, size_t i, char *out, size_t cap)
{
	if (i >= l->n)
		return -1;
	return str_fmt(out, cap, "%s/%s/%s", l->path,
		   l->v[i].in_new ? "new" : "cur", l->v[i].name) < 0
		   ? -1
		   : 0;
}

bool
mdl_has_flag(const struct mdl *l, size_t i, char f)
{
	return i < l->n && f != '\0' && strchr(l->v[i].flags, f) != NULL;
}

/* "base:2,FLAGS" with f inserted in ASCII order (other info replaced). */
static int
flagged_name(const char *name, char f, char *out, size_t cap)
{
	const char *colon = strchr(name, ':');
	size_t base = colon != NULL ? (size_t)(colon - name) : strlen(name);
	const char *fl = "";
	size_t n, i, o;

	if (colon != NULL && colon[1] == '2' && colon[2] == ',')
		fl = colon + 3;
	n = strlen(fl);
	if (base + 3 + n + 2 > cap || base + 3 + n + 1 > STORE_NAME_MAX + 1)
		return -1;
	memcpy(out, name, base);
	memcpy(out + base, ":2,", 3);
	o = base + 3;
	for (i = 0; i < n && fl[i] < f; i++)
		out[o++] = fl[i];
	if (i == n || fl[i] != f)
		out[o++] = f;
	memcpy(out + o, fl + i, n - i);
	out[o + n - i] = '\0';
	return 0;
}

/* Rename without replacing an existing target. */
static int
rename_noreplace(int sfd, const char *from, int dfd, const char *to)
{
	if (renameat2(sfd, from, dfd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	if (linkat(sfd, from, dfd, to, 0) != 0)
		return -1;
	return unlinkat(sfd, from, 0);
}

int
mdl_add_flag(struct mdl *l, size_t i, char f)
{
	char to[STORE_NAME_MAX + 1], dir[STORE_PATH_MAX];
	struct mdl_entry *e;
	int sfd = -1, dfd = -1, rc = -1, saved;

	if (i >= l->n || !((f >= 'A' && f <= 'Z'))) {
		errno = EINVAL;
		return -1;
	}
	e = &l->v[i];
	if (!e->in_new && strchr(e->flags, f) != NULL)
		return 0;
	if (flagged_name(e->name, f, to, sizeof(to)) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if (str_fmt(dir, sizeof(dir), "%s/%s", l->path,
		e->in_new ? "new" : "cur") < 0 ||
	    (sfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto out;
	if (str_fmt(dir, sizeof(dir), "%s/cur", l->path) < 0 ||
	    (dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto out;
	if (rename_noreplace(sfd, e->name, dfd, to) < 0)
		goto out;
	g_free(e->name);
	e->name = g_strdup(to);
	e->in_new = false;
	mdl_parse_name(e->name, e->flags);
	rc = 0;
out:
	saved = errno;
	if (sfd >= 0)
		close(sfd);
	if (dfd >= 0)
		close(dfd);
	errno = saved;
	return rc;
}
