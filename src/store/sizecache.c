/* sizecache.c: the sidecar size cache <maildir>/postie.sizes.
 * Text, one "base size\n" per line, so a warm open reads no message body.
 * Reading is strict but forgiving: a malformed or over-long line is skipped.
 * Writing is atomic (temporary file, fsync, rename). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/num.h"
#include "lib/util.h"
#include "store/maildir.h"

#define CACHE_IO_BUF (64 * 1024)

/* Open-addressing table from base name to request index (+1; 0 = empty). */
struct table {
	uint32_t *slot;
	size_t mask;
};

static uint64_t
hash_base(const char *p, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

static int
table_build(struct table *t, const struct md_sizereq *req, uint32_t n)
{
	size_t cap = 16, i, h;

	while (cap < (size_t)n * 2)
		cap *= 2; /* n <= STORE_MSGS_MAX: no overflow */
	t->slot = calloc(cap, sizeof(*t->slot));
	if (t->slot == NULL)
		return -1;
	t->mask = cap - 1;
	for (i = 0; i < n; i++) {
		h = hash_base(req[i].base, req[i].base_len) & t->mask;
		while (t->slot[h] != 0)
			h = (h + 1) & t->mask;
		t->slot[h] = (uint32_t)i + 1;
	}
	return 0;
}

static struct md_sizereq *
table_find(
    const struct table *t, struct md_sizereq *req, const char *base, size_t len)
{
	size_t h = hash_base(base, len) & t->mask;
	struct md_sizereq *r;

	for (; t->slot[h] != 0; h = (h + 1) & t->mask) {
		r = &req[t->slot[h] - 1];
		if (r->base_len == len && memcmp(r->base, base, len) == 0)
			return r;
	}
	return NULL;
}

/* One line without its LF: "base SP digits". The base must be a plausible
 * message base (no ':'); the size must fit int64_t. */
static void
cache_line(const struct table *t, struct md_sizereq *req, const char *line,
    size_t len, uint32_t *stale_r)
{
	const char *sp;
	struct md_name nm;
	struct md_sizereq *r;
	uint64_t v;

	sp = memrchr(line, ' ', len);
	if (sp == NULL || sp == line)
		return;
	if (num_parse_u64(
		sp + 1, len - (size_t)(sp - line) - 1, 0, INT64_MAX, &v) != 0)
		return;
	len = (size_t)(sp - line);
	if (md_name_parse(line, len, &nm) != 0 || nm.base_len != len)
		return;
	r = table_find(t, req, line, len);
	if (r == NULL || r->known) {
		(*stale_r)++;
		return;
	}
	r->size = v;
	r->known = true;
}

/* Split buf[0..*len) into lines, keep the unfinished tail at the front.
 * Returns the lines seen. An over-long line is dropped up to its LF. */
static size_t
cache_chunk(const struct table *t, struct md_sizereq *req, char *buf,
    size_t *len, bool *skipping, uint32_t *stale_r)
{
	char *p = buf, *end = buf + *len, *lf;
	size_t lines = 0;

	while ((lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		if (!*skipping && (size_t)(lf - p) < STORE_SIZES_LINE_MAX)
			cache_line(t, req, p, (size_t)(lf - p), stale_r);
		*skipping = false;
		lines++;
		p = lf + 1;
	}
	if ((size_t)(end - p) >= STORE_SIZES_LINE_MAX) {
		*skipping = true;
		p = end;
	}
	memmove(buf, p, (size_t)(end - p));
	*len = (size_t)(end - p);
	return lines;
}

int
md_cache_load(int dir_fd, const char *file, struct md_sizereq *req, uint32_t n,
    uint32_t *stale_r)
{
	struct table t = {NULL, 0};
	struct stat st;
	char *buf = NULL;
	size_t len = 0, lines = 0;
	bool skipping = false;
	ssize_t got;
	int fd, rc = -1, saved;

	*stale_r = 0;
	fd = openat(
	    dir_fd, file, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) != 0)
		goto out;
	if (!S_ISREG(st.st_mode)) {
		rc = 0; /* not ours: ignore it, a save replaces it */
		goto out;
	}
	if (table_build(&t, req, n) != 0 ||
	    (buf = malloc(CACHE_IO_BUF)) == NULL)
		goto out;
	while (lines < STORE_SIZES_LINES_MAX) {
		got = read(fd, buf + len, CACHE_IO_BUF - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto out;
		if (got == 0)
			break; /* an unterminated last line is ignored */
		len += (size_t)got;
		lines += cache_chunk(&t, req, buf, &len, &skipping, stale_r);
	}
	rc = 0;
out:
	saved = errno;
	free(buf);
	free(t.slot);
	close(fd);
	errno = saved;
	return rc;
}

/* Append "base size\n" to buf at *len (room checked by the caller). */
static void
put_entry(char *buf, size_t *len, const struct md_sizereq *r)
{
	char digits[20];
	uint64_t v = r->size;
	size_t nd = 0;

	memcpy(buf + *len, r->base, r->base_len);
	*len += r->base_len;
	buf[(*len)++] = ' ';
	do {
		digits[nd++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (nd > 0)
		buf[(*len)++] = digits[--nd];
	buf[(*len)++] = '\n';
}

int
md_cache_save(
    int dir_fd, const char *file, const struct md_sizereq *req, uint32_t n)
{
	char tmp[STORE_NAME_MAX + 1], *buf;
	size_t len = 0;
	uint32_t i;
	int fd, saved;

	if (str_fmt(tmp, sizeof(tmp), "%s.tmp.%ld", file, (long)getpid()) < 0) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((buf = malloc(CACHE_IO_BUF)) == NULL)
		return -1;
	fd = openat(dir_fd, tmp,
	    O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0) {
		saved = errno;
		free(buf);
		errno = saved;
		return -1;
	}
	for (i = 0; i < n; i++) {
		/* A base with LF cannot be a line; it is recomputed instead. */
		if (!req[i].known || req[i].base_len > STORE_NAME_MAX ||
		    memchr(req[i].base, '\n', req[i].base_len) != NULL)
			continue;
		if (CACHE_IO_BUF - len < STORE_SIZES_LINE_MAX) {
			if (fd_write_all(fd, buf, len) != 0)
				goto fail;
			len = 0;
		}
		put_entry(buf, &len, &req[i]);
	}
	if (fd_write_all(fd, buf, len) != 0 || fsync(fd) != 0)
		goto fail;
	free(buf);
	buf = NULL;
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	if (renameat(dir_fd, tmp, dir_fd, file) != 0)
		goto fail;
	return 0;
fail:
	saved = errno;
	free(buf);
	if (fd >= 0)
		close(fd);
	unlinkat(dir_fd, tmp, 0);
	errno = saved;
	return -1;
}
