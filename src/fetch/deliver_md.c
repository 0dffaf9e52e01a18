/* deliver_md.c: Maildir delivery for postie fetch. The messages of one
 * batch are written to tmp/; then one syncfs() makes their bytes durable,
 * each moves into new/ with a rename that never replaces a file, and new/
 * is fsynced before the deliveries are recorded. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "fetch/deliver.h"
#include "lib/util.h"

static int
open_sub(int dir_fd, const char *sub)
{
	if (mkdirat(dir_fd, sub, 0700) < 0 && errno != EEXIST)
		return -1;
	return openat(dir_fd, sub, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Keep host names safe for file names: '/' and ':' become '_'. */
static void
sanitize_host(char *out, size_t cap)
{
	char h[256];
	size_t i, o = 0;

	if (gethostname(h, sizeof(h)) < 0)
		h[0] = '\0';
	h[sizeof(h) - 1] = '\0';
	for (i = 0; h[i] != '\0' && o + 1 < cap; i++) {
		char c = h[i];

		out[o++] =
		    (c == '/' || c == ':' || c < 0x21 || c > 0x7e) ? '_' : c;
	}
	if (o == 0 && cap > 9) {
		memcpy(out, "localhost", 9);
		o = 9;
	}
	out[o] = '\0';
}

int
fd_md_open(struct fd_md *md, const char *path, char *why, size_t whycap)
{
	memset(md, 0, sizeof(*md));
	md->dir_fd = md->tmp_fd = md->new_fd = md->cur_fd = -1;
	if (str_copy(md->path, path, sizeof(md->path)) < 0) {
		(void)str_fmt(why, whycap, "Maildir path too long");
		return -1;
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		goto fail;
	md->dir_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (md->dir_fd < 0)
		goto fail;
	md->tmp_fd = open_sub(md->dir_fd, "tmp");
	md->new_fd = open_sub(md->dir_fd, "new");
	md->cur_fd = open_sub(md->dir_fd, "cur");
	if (md->tmp_fd < 0 || md->new_fd < 0 || md->cur_fd < 0)
		goto fail;
	sanitize_host(md->host, sizeof(md->host));
	return 0;
fail:
	if (str_fmt(why, whycap, "Maildir %s: %s", path, strerror(errno)) < 0 &&
	    whycap > 0)
		why[whycap - 1] = '\0';
	fd_md_close(md);
	return -1;
}

void
fd_md_close(struct fd_md *md)
{
	int *fds[] = {&md->dir_fd, &md->tmp_fd, &md->new_fd, &md->cur_fd};
	size_t i;

	/* Unsynced files stay in tmp/: their intents make the next run's
	 * recovery remove them and fetch the messages again. */
	free(md->pend);
	md->pend = NULL;
	md->npend = md->pcap = 0;

	for (i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

int
fd_md_newname(struct fd_md *md, char *name, size_t cap)
{
	struct timeval tv;
	unsigned char rnd[4];

	gettimeofday(&tv, NULL);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		memset(rnd, 0, sizeof(rnd));
	md->seq++;
	return str_fmt(name, cap, "%lld.M%06ldP%ldQ%uR%02x%02x%02x%02x.%s",
		   (long long)tv.tv_sec, (long)tv.tv_usec, (long)getpid(),
		   md->seq, rnd[0], rnd[1], rnd[2], rnd[3], md->host) < 0
		   ? -1
		   : 0;
}

int
fd_md_begin(struct fd_md *md, const char *name, struct fd_out *o)
{
	int fd = openat(md->tmp_fd, name,
	    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);

	if (fd < 0)
		return -1;
	if (fd_out_init(o, fd) < 0) {
		close(fd);
		(void)unlinkat(md->tmp_fd, name, 0);
		errno = ENOMEM;
		return -1;
	}
	return 0;
}

/* Move tmp/name to new/name, refusing to replace an existing file. */
static int
move_new(struct fd_md *md, const char *name)
{
	if (renameat2(md->tmp_fd, name, md->new_fd, name, RENAME_NOREPLACE) ==
	    0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* No RENAME_NOREPLACE on this file system: link, then unlink. */
	if (linkat(md->tmp_fd, name, md->new_fd, name, 0) < 0)
		return -1;
	(void)unlinkat(md->tmp_fd, name, 0);
	return 0;
}

int
fd_md_commit(struct fd_md *md, const char *name, struct fd_out *o, char hex[65])
{
	int saved;

	if (md->npend == md->pcap) {
		size_t cap = md->pcap == 0 ? 64 : 2 * md->pcap;
		void *p = cap > md->pcap
			      ? realloc(md->pend, cap * sizeof(*md->pend))
			      : NULL;

		if (p == NULL) {
			fd_md_abort(md, name, o);
			errno = ENOMEM;
			return -1;
		}
		md->pend = p;
		md->pcap = cap;
	}
	if (fd_out_flush(o, false) < 0) {
		saved = o->err;
		fd_md_abort(md, name, o);
		errno = saved;
		return -1;
	}
	fd_out_digest(o, hex);
	if (close(o->fd) < 0) {
		saved = errno;
		o->fd = -1;
		fd_md_abort(md, name, o);
		errno = saved;
		return -1;
	}
	o->fd = -1;
	fd_out_free(o);
	if (str_copy(md->pend[md->npend], name, sizeof(md->pend[0])) < 0) {
		(void)unlinkat(md->tmp_fd, name, 0);
		errno = ENAMETOOLONG;
		return -1;
	}
	md->npend++;
	return 0;
}

void
fd_md_abort(struct fd_md *md, const char *name, struct fd_out *o)
{
	fd_out_free(o);
	(void)unlinkat(md->tmp_fd, name, 0);
}

int
fd_md_sync(struct fd_md *md)
{
	size_t i;

	if (md->npend > 0 && syncfs(md->tmp_fd) < 0)
		return -1;
	for (i = 0; i < md->npend; i++)
		if (move_new(md, md->pend[i]) < 0)
			return -1; /* the rest stays in tmp/ for recovery */
	md->npend = 0;
	return fsync(md->new_fd);
}

void
fd_md_remove_tmp(struct fd_md *md, const char *name)
{
	(void)unlinkat(md->tmp_fd, name, 0);
}

/* Look in cur/ for "name:..." (a reader added flags). fd or -1. */
static int
find_in_cur(struct fd_md *md, const char *name)
{
	size_t len = strlen(name);
	struct dirent *de;
	DIR *d;
	int dfd, fd = -1;

	dfd = dup(md->cur_fd);
	if (dfd < 0)
		return -1;
	d = fdopendir(dfd);
	if (d == NULL) {
		close(dfd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, name, len) == 0 &&
		    (de->d_name[len] == ':' || de->d_name[len] == '\0')) {
			fd = openat(md->cur_fd, de->d_name,
			    O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
			if (fd >= 0)
				break;
		}
	}
	closedir(d);
	return fd;
}

int
fd_md_find(struct fd_md *md, const char *name)
{
	int fd;

	if (name[0] == '\0' || name[0] == '.' || strchr(name, '/') != NULL)
		return -1;
	fd = openat(md->new_fd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd >= 0)
		return fd;
	return find_in_cur(md, name);
}
