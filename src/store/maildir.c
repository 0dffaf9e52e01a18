/* maildir.c: opening a Maildir for one POP3 session: lock, list new/ and
 * cur/, assign UIDLs and sizes. Sizes come from ",W=" in the name, the size
 * cache, or (once) from reading the file; md_close releases everything. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "proto/pop3.h"
#include "store/maildir.h"
#include "store/mdent.h"

struct scan {
	struct ent *v;
	size_t n, cap;
};

struct fail {
	enum md_err err;
	const char *why;
};

/* Names and UIDLs of one Maildir: blocks that grow, freed at md_close. */
struct md_block {
	struct md_block *next;
	size_t used, cap;
	char data[];
};

#define ARENA_FIRST (16 * 1024)
#define ARENA_MAX   (1024 * 1024)

static int
failed(struct fail *f, enum md_err err, const char *why)
{
	f->err = err;
	f->why = why;
	return -1;
}

/* Missing or forbidden things are permanent; the rest may pass. */
static enum md_err
err_of(int e)
{
	switch (e) {
	case ENOENT:
	case ENOTDIR:
	case EACCES:
	case EPERM:
	case ELOOP:
	case EROFS:
	case ENAMETOOLONG:
		return MD_ERR_PERM;
	default:
		return MD_ERR_TEMP;
	}
}

/* Room for len octets in the arena (a new block when the current is full). */
static char *
arena_take(struct maildir *md, size_t len)
{
	struct md_block *b = md->arena;
	size_t cap;
	char *p;

	if (b == NULL || b->cap - b->used < len) {
		cap = b == NULL            ? ARENA_FIRST
		      : b->cap < ARENA_MAX ? b->cap * 2
					   : b->cap;
		if (cap < len) /* len <= 2 * STORE_NAME_MAX + 2: no overflow */
			cap = len;
		if ((b = malloc(sizeof(*b) + cap)) == NULL)
			return NULL;
		b->next = md->arena;
		b->used = 0;
		b->cap = cap;
		md->arena = b;
	}
	p = b->data + b->used;
	b->used += len;
	return p;
}

char *
md_keep(struct maildir *md, const char *name, size_t len)
{
	char *p;

	if (len > STORE_PATH_MAX || (p = arena_take(md, len + 1)) == NULL)
		return NULL;
	memcpy(p, name, len);
	p[len] = '\0';
	return p;
}

/* Regular files only; d_type saves a stat except on DT_UNKNOWN. */
static bool
is_regular(DIR *d, const struct dirent *de)
{
	struct stat st;

	if (de->d_type == DT_REG)
		return true;
	if (de->d_type != DT_UNKNOWN)
		return false;
	return fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
}

/* Most comparisons are decided by the first 16 octets; as a base has no
 * NUL, zero padding sorts a prefix first, as memcmp-then-length does. */
static void
sort_key(struct ent *e)
{
	unsigned char b[16] = {0};
	size_t i;

	memcpy(b, e->name, e->base_len < 16 ? e->base_len : 16);
	e->key[0] = e->key[1] = 0;
	for (i = 0; i < 8; i++) {
		e->key[0] = e->key[0] << 8 | b[i];
		e->key[1] = e->key[1] << 8 | b[8 + i];
	}
}

static int
scan_add(struct maildir *md, struct scan *sc, const char *name, size_t len,
    const struct md_name *nm, bool in_new, struct fail *f)
{
	struct ent *v, *e;
	size_t cap;

	if (sc->n >= STORE_MSGS_MAX)
		return failed(f, MD_ERR_PERM, "too many messages in Maildir");
	if (sc->n == sc->cap) {
		cap = sc->cap == 0 ? 1024 : sc->cap * 2; /* <= 2 * MSGS_MAX */
		v = reallocarray(sc->v, cap, sizeof(*v));
		if (v == NULL)
			return failed(f, MD_ERR_TEMP, "out of memory");
		sc->v = v;
		sc->cap = cap;
	}
	e = &sc->v[sc->n];
	if ((e->name = md_keep(md, name, len)) == NULL)
		return failed(f, MD_ERR_TEMP, "out of memory");
	e->base_len = (uint16_t)nm->base_len; /* len <= STORE_NAME_MAX */
	e->len = (uint16_t)len;
	e->w_size = nm->w_size;
	sort_key(e);
	e->in_new = in_new;
	sc->n++;
	return 0;
}

/* List the message files of one directory (new/ or cur/). */
static int
scan_dir(
    struct maildir *md, int dfd, bool in_new, struct scan *sc, struct fail *f)
{
	struct dirent *de;
	struct md_name nm;
	DIR *d;
	size_t len;
	int fd, rc = 0;

	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || (d = fdopendir(fd)) == NULL) {
		if (fd >= 0)
			close(fd);
		return failed(f, err_of(errno), "cannot list Maildir");
	}
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		len = strlen(de->d_name);
		if (md_name_parse_entry(de->d_name, len, &nm) != 0 ||
		    !is_regular(d, de))
			continue;
		rc = scan_add(md, sc, de->d_name, len, &nm, in_new, f);
		if (rc != 0)
			break;
	}
	if (rc == 0 && errno != 0)
		rc = failed(f, err_of(errno), "cannot list Maildir");
	closedir(d);
	return rc;
}

/* Sort and keep one entry per base, so UIDLs are unique. */
static int
scan_sort(struct scan *sc, struct fail *f)
{
	size_t i, out = 0, dups = 0;

	md_ent_sort(sc->v, sc->n);
	for (i = 0; i < sc->n; i++) {
		if (out > 0 && sc->v[out - 1].base_len == sc->v[i].base_len &&
		    memcmp(sc->v[out - 1].name, sc->v[i].name,
			sc->v[i].base_len) == 0) {
			dups++;
			continue;
		}
		sc->v[out++] = sc->v[i];
	}
	sc->n = out;
	if (dups > 0)
		log_warn(
		    "store: %zu duplicate Maildir base name(s) skipped", dups);
	return 0;
}

/* Size of one message as sent. 0 ok, 1 gone (vanished, not a regular
 * file), -1 error with errno. */
static int
file_size(
    int dfd, const char *name, bool drop_nul, uint8_t *buf, uint64_t *size_r)
{
	struct p3_sizer sz;
	struct stat st;
	ssize_t got;
	int fd, saved;

	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT || errno == ELOOP ? 1 : -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return 1;
	}
	p3_sizer_init(&sz, drop_nul);
	for (;;) {
		got = read(fd, buf, SRV_RETR_CHUNK);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (got == 0)
			break;
		p3_sizer_feed(&sz, buf, (size_t)got);
	}
	close(fd);
	*size_r = p3_sizer_total(&sz);
	return 0;
}

/* Compute the size of m, following a concurrent rename once. A message that
 * is gone gets a NULL name (dropped by the caller). */
static int
size_one(struct maildir *md, struct md_msg *m, uint8_t *buf)
{
	int rc, tries;

	for (tries = 0; tries < 2; tries++) {
		rc = file_size(m->in_new ? md->new_fd : md->cur_fd, m->name,
		    md->opts.drop_nul, buf, &m->size);
		if (rc <= 0)
			return rc;
		if (md_relocate(md, m) != 0) {
			if (errno != ENOENT)
				return -1;
			break;
		}
	}
	m->name = NULL; /* its copy stays in the arena */
	return 0;
}

/* Fill in sizes not given by ",W=": from the cache, else by reading the
 * file; rewrite the cache when it changed. Drops vanished messages. */
static int
fill_sizes(struct maildir *md, const int64_t *w, struct fail *f)
{
	const char *file =
	    md->opts.drop_nul ? MD_SIZE_CACHE_NONUL : MD_SIZE_CACHE;
	struct md_sizereq *req = NULL;
	uint32_t i, n = 0, stale = 0, out = 0;
	uint8_t *buf = NULL;
	int rc = 0;

	for (i = 0; i < md->count; i++) {
		if (!md->opts.drop_nul && w[i] >= 0)
			md->msgs[i].size = (uint64_t)w[i];
		else
			n++;
	}
	if (n == 0)
		return 0;
	if ((req = calloc(n, sizeof(*req))) == NULL)
		return failed(f, MD_ERR_TEMP, "out of memory");
	for (i = 0; i < md->count; i++) {
		if (!md->opts.drop_nul && w[i] >= 0)
			continue;
		req[out].base = md->msgs[i].name;
		req[out].base_len = md->msgs[i].base_len;
		out++;
	}
	if (md_cache_load(md->dir_fd, file, req, n, &stale) != 0)
		log_warn("store: cannot read %s: %s", file, strerror(errno));
	for (i = 0, out = 0; i < md->count && rc == 0; i++) {
		struct md_msg *m = &md->msgs[i];

		if (!md->opts.drop_nul && w[i] >= 0)
			continue;
		if (req[out].known) {
			m->size = req[out++].size;
			continue;
		}
		if (buf == NULL && (buf = malloc(SRV_RETR_CHUNK)) == NULL) {
			rc = failed(f, MD_ERR_TEMP, "out of memory");
			break;
		}
		if (size_one(md, m, buf) != 0) {
			rc = failed(f, err_of(errno), "cannot read a message");
			break;
		}
		if (m->name != NULL)
			md->sizes_computed++;
		/* The request now points at the (possibly renamed) name. */
		req[out].base = m->name;
		req[out].size = m->size;
		req[out].known = m->name != NULL;
		out++;
	}
	if (rc == 0 && (md->sizes_computed > 0 || stale > 0) &&
	    md_cache_save(md->dir_fd, file, req, n) != 0)
		log_warn("store: cannot write %s: %s", file, strerror(errno));
	free(buf);
	free(req);
	return rc;
}

/* The hashed UIDL of a base that cannot be its own UIDL, in the arena;
 * NULL when the base is its own. -1 when out of memory. */
static int
hash_uidl(struct maildir *md, const struct ent *e, const char **hashed_r)
{
	char u[P3_UIDL_MAX + 1];

	*hashed_r = NULL;
	if (md_uidl_plain(e->name, e->base_len))
		return 0;
	md_uidl_from_base(e->name, e->base_len, u);
	*hashed_r = md_keep(md, u, strlen(u));
	return *hashed_r != NULL ? 0 : -1;
}

const char *
md_uidl(const struct maildir *md, uint32_t i, size_t *len_r)
{
	const struct md_msg *m = &md->msgs[i];

	if (m->hashed != NULL) {
		*len_r = strlen(m->hashed);
		return m->hashed;
	}
	*len_r = m->base_len;
	return m->name;
}

void
md_uidl_copy(const struct maildir *md, uint32_t i, char out[P3_UIDL_MAX + 1])
{
	size_t len;
	const char *u = md_uidl(md, i, &len);

	memcpy(out, u, len); /* len <= P3_UIDL_MAX (md_uidl_plain) */
	out[len] = '\0';
}

/* Turn the sorted listing into md->msgs (taking the names) and size them. */
static int
build_msgs(struct maildir *md, struct scan *sc, struct fail *f)
{
	int64_t *w;
	uint32_t i, out = 0;
	int rc;

	_Static_assert(sizeof(struct md_msg) <= sizeof(struct ent),
	    "messages are built in place of the entries");
	struct md_msg *msgs, *shrunk;
	struct ent e;

	w = malloc((sc->n > 0 ? sc->n : 1) * sizeof(*w));
	if (w == NULL ||
	    (sc->v == NULL && (sc->v = malloc(sizeof(e))) == NULL)) {
		free(w);
		return failed(f, MD_ERR_TEMP, "out of memory");
	}
	/* md_msg i never reaches past entry i, which is read first: no second
	 * array of 100,000s of messages next to the listing. */
	md->msgs = msgs = (struct md_msg *)(void *)sc->v;
	sc->v = NULL;
	for (i = 0; i < sc->n; i++) {
		struct md_msg *m = &msgs[i];

		e = ((struct ent *)(void *)msgs)[i];
		m->name = e.name;
		m->size = 0;
		m->base_len = e.base_len;
		m->in_new = e.in_new;
		m->deleted = m->retrieved = false;
		w[i] = e.w_size;
		if (hash_uidl(md, &e, &m->hashed) != 0) {
			free(w);
			return failed(f, MD_ERR_TEMP, "out of memory");
		}
	}
	if (sc->n > 0 &&
	    (shrunk = realloc(msgs, sc->n * sizeof(*msgs))) != NULL)
		md->msgs = shrunk;
	md->count = (uint32_t)sc->n;
	rc = fill_sizes(md, w, f);
	free(w);
	if (rc != 0)
		return rc;
	for (i = 0; i < md->count; i++)
		if (md->msgs[i].name != NULL) /* else vanished while sizing */
			md->msgs[out++] = md->msgs[i];
	md->count = out;
	md->total_size = 0;
	for (i = 0; i < md->count; i++)
		if (__builtin_add_overflow(
			md->total_size, md->msgs[i].size, &md->total_size))
			return failed(f, MD_ERR_PERM, "Maildir too large");
	return 0;
}

int
md_dirs(struct maildir *md)
{
	if (md->dir_fd < 0 && (md->dir_fd = open(md->path,
				   O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	if (md->new_fd < 0 && (md->new_fd = openat(md->dir_fd, "new",
				   O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	if (md->cur_fd < 0 && (md->cur_fd = openat(md->dir_fd, "cur",
				   O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	return 0;
}

void
md_dirs_close(struct maildir *md)
{
	int saved = errno;

	if (md->cur_fd >= 0)
		close(md->cur_fd);
	if (md->new_fd >= 0)
		close(md->new_fd);
	if (md->dir_fd >= 0)
		close(md->dir_fd);
	md->dir_fd = md->new_fd = md->cur_fd = -1;
	errno = saved;
}

/* Open the directories and take the session lock. */
static int
open_dirs(struct maildir *md, struct fail *f)
{
	if (md_dirs(md) != 0) {
		if (md->dir_fd < 0)
			return failed(f, err_of(errno),
			    errno == ENOENT ? "Maildir does not exist"
					    : "cannot open Maildir");
		if (md->new_fd < 0)
			return failed(f, err_of(errno),
			    errno == ENOENT ? "not a Maildir: new/ is missing"
					    : "cannot open new/");
		return failed(f, err_of(errno),
		    errno == ENOENT ? "not a Maildir: cur/ is missing"
				    : "cannot open cur/");
	}
	md->lock_fd = openat(md->dir_fd, MD_LOCK_FILE,
	    O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (md->lock_fd < 0)
		return failed(f, err_of(errno), "cannot open the lock file");
	if (flock(md->lock_fd, LOCK_EX | LOCK_NB) != 0)
		return failed(f,
		    errno == EWOULDBLOCK ? MD_ERR_INUSE : MD_ERR_TEMP,
		    errno == EWOULDBLOCK
			? "mailbox is in use by another session"
			: "cannot lock the mailbox");
	return 0;
}

int
md_open(const char *path, const struct md_opts *o, struct maildir **md_r,
    enum md_err *err_r, const char **why_r)
{
	struct fail f = {MD_ERR_PERM, "bad Maildir path"};
	struct scan sc = {NULL, 0, 0};
	struct maildir *md;
	char flag;

	*md_r = NULL;
	flag = o != NULL && o->seen_flag != 0 ? o->seen_flag : 'S';
	if (!((flag >= 'A' && flag <= 'Z') || (flag >= 'a' && flag <= 'z'))) {
		*err_r = MD_ERR_PERM;
		*why_r = "bad seen flag";
		return -1;
	}
	if (path == NULL || path[0] == '\0' ||
	    strnlen(path, STORE_PATH_MAX) >= STORE_PATH_MAX) {
		*err_r = f.err;
		*why_r = f.why;
		return -1;
	}
	if ((md = calloc(1, sizeof(*md))) == NULL ||
	    (md->path = strdup(path)) == NULL) {
		free(md);
		*err_r = MD_ERR_TEMP;
		*why_r = "out of memory";
		return -1;
	}
	md->dir_fd = md->new_fd = md->cur_fd = md->lock_fd = -1;
	if (o != NULL)
		md->opts = *o;
	md->opts.seen_flag = flag;
	if (open_dirs(md, &f) != 0 ||
	    scan_dir(md, md->new_fd, true, &sc, &f) != 0 ||
	    scan_dir(md, md->cur_fd, false, &sc, &f) != 0 ||
	    scan_sort(&sc, &f) != 0 || build_msgs(md, &sc, &f) != 0)
		goto fail;
	free(sc.v);
	md_dirs_close(md); /* an idle session keeps only the lock */
	*md_r = md;
	return 0;
fail:
	free(sc.v);
	md_close(&md);
	*err_r = f.err;
	*why_r = f.why;
	return -1;
}

void
md_close(struct maildir **mdp)
{
	struct maildir *md = *mdp;
	struct md_block *b;

	if (md == NULL)
		return;
	free(md->msgs);
	while ((b = md->arena) != NULL) {
		md->arena = b->next;
		free(b);
	}
	md_dirs_close(md);
	if (md->lock_fd >= 0)
		close(md->lock_fd); /* releases the flock */
	free(md->path);
	free(md);
	*mdp = NULL;
}
