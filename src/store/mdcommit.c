/* mdcommit.c: message access during a session and the UPDATE state.
 * Other agents (an MDA, an IMAP server) may move a message from new/ to cur/
 * or change its flags at any time; such a message keeps its base name, so
 * it is found again by base. Message content is never rewritten. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "store/maildir.h"

int
md_relocate(struct maildir *md, struct md_msg *m)
{
	struct md_name nm;
	char *name;
	int rc, pass;
	bool in_new;

	if (md_name_parse(m->name, strlen(m->name), &nm) != 0) {
		errno = ENOENT;
		return -1;
	}
	for (pass = 0; pass < 2; pass++) {
		in_new = pass == 0 ? !m->in_new : m->in_new;
		rc = md_find_base(in_new ? md->new_fd : md->cur_fd, m->name,
		    nm.base_len, &name);
		if (rc < 0)
			return -1;
		if (rc == 0) {
			char *kept = md_keep(md, name, strlen(name));

			free(name);
			if (kept == NULL)
				return -1;
			m->name = kept;
			m->in_new = in_new;
			return 0;
		}
	}
	errno = ENOENT;
	return -1;
}

/* Open m by its path: an idle session keeps no directory open. */
static int
open_file(struct maildir *md, const struct md_msg *m)
{
	char path[STORE_PATH_MAX + STORE_NAME_MAX + 8];
	size_t plen = strlen(md->path), nlen = strlen(m->name);
	struct stat st;
	int fd;

	if (plen >= STORE_PATH_MAX || nlen > STORE_NAME_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(path, md->path, plen);
	memcpy(path + plen, m->in_new ? "/new/" : "/cur/", 5);
	memcpy(path + plen + 5, m->name, nlen + 1);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		errno = EINVAL;
		return -1;
	}
	return fd;
}

int
md_msg_open(struct maildir *md, uint32_t i)
{
	int fd;

	if (md == NULL || i >= md->count) {
		errno = EINVAL;
		return -1;
	}
	fd = open_file(md, &md->msgs[i]);
	if (fd >= 0 || errno != ENOENT)
		return fd;
	if (md_dirs(md) != 0 || md_relocate(md, &md->msgs[i]) != 0)
		fd = -1;
	else
		fd = open_file(md, &md->msgs[i]);
	md_dirs_close(md);
	return fd;
}

/* Remove a deleted message; one that vanished is looked for by base. */
static int
delete_one(
    struct maildir *md, struct md_msg *m, bool *dirty_new, bool *dirty_cur)
{
	int tries;

	for (tries = 0; tries < 2; tries++) {
		int dfd = m->in_new ? md->new_fd : md->cur_fd;

		if (unlinkat(dfd, m->name, 0) == 0) {
			*(m->in_new ? dirty_new : dirty_cur) = true;
			return 0;
		}
		if (errno != ENOENT)
			return -1;
		if (md_relocate(md, m) != 0)
			return errno == ENOENT ? 0 : -1; /* already gone */
	}
	return -1;
}

/* rename without replacing an existing target (two agents, one name). */
static int
rename_noreplace(int from_fd, const char *from, int to_fd, const char *to)
{
	struct stat st;

	if (renameat2(from_fd, from, to_fd, to, RENAME_NOREPLACE) == 0)
		return 0;
	if (errno != EINVAL && errno != ENOSYS)
		return -1;
	/* The file system has no RENAME_NOREPLACE: check, then rename. */
	if (fstatat(to_fd, to, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		return -1;
	}
	return renameat(from_fd, from, to_fd, to);
}

/* Give a retrieved message the seen flag, moving it to cur/. */
static int
mark_one(struct maildir *md, struct md_msg *m, bool *dirty_new, bool *dirty_cur)
{
	char to[STORE_NAME_MAX + 1], *copy;
	int len, tries;
	size_t tlen;

	for (tries = 0; tries < 2; tries++) {
		len = md_name_with_flag(m->name, strlen(m->name),
		    md->opts.seen_flag, to, sizeof(to));
		if (len < 0) {
			errno = ENAMETOOLONG;
			return -1;
		}
		if (len == 0 && !m->in_new)
			return 0; /* already seen in cur/ */
		if (len == 0 && str_copy(to, m->name, sizeof(to)) < 0) {
			errno = ENAMETOOLONG;
			return -1;
		}
		tlen = strlen(to);
		if ((copy = md_keep(md, to, tlen)) == NULL)
			return -1;
		if (rename_noreplace(m->in_new ? md->new_fd : md->cur_fd,
			m->name, md->cur_fd, to) == 0) {
			*(m->in_new ? dirty_new : dirty_cur) = true;
			*dirty_cur = true;
			m->name = copy;
			m->in_new = false;
			return 0;
		}
		if (errno != ENOENT || md_relocate(md, m) != 0)
			return -1;
	}
	return -1;
}

int
md_commit(struct maildir *md, uint32_t *deleted_r)
{
	bool dirty_new = false, dirty_cur = false;
	struct md_msg *m;
	uint32_t i;
	int failures = 0;

	*deleted_r = 0;
	for (i = 0; i < md->count; i++) /* to do: removals and renames */
		if (md->msgs[i].deleted ||
		    (md->opts.mark_seen && md->msgs[i].retrieved))
			failures++;
	if (failures == 0)
		return 0; /* nothing to change: the directories stay closed */
	if (md_dirs(md) != 0) {
		log_warn("store: cannot open the Maildir %s: %s", md->path,
		    strerror(errno));
		md_dirs_close(md);
		return failures;
	}
	failures = 0;
	for (i = 0; i < md->count; i++) {
		m = &md->msgs[i];
		if (!m->deleted)
			continue;
		if (delete_one(md, m, &dirty_new, &dirty_cur) == 0) {
			(*deleted_r)++;
			continue;
		}
		log_warn("store: cannot delete message %u: %s", i + 1,
		    strerror(errno));
		failures++;
	}
	for (i = 0; md->opts.mark_seen && i < md->count; i++) {
		m = &md->msgs[i];
		if (m->deleted || !m->retrieved)
			continue;
		if (mark_one(md, m, &dirty_new, &dirty_cur) != 0) {
			log_warn("store: cannot mark message %u seen: %s",
			    i + 1, strerror(errno));
			failures++;
		}
	}
	if ((dirty_new && fsync(md->new_fd) != 0) ||
	    (dirty_cur && fsync(md->cur_fd) != 0)) {
		log_warn("store: cannot sync Maildir: %s", strerror(errno));
		failures++;
	}
	md_dirs_close(md);
	return failures;
}
