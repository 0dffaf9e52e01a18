/* deliver_spool.c: destinations fed from a spooled message. mboxrd: an
 * intent with the offset and SHA-256 is committed, the mbox locked (fcntl
 * and a dotlock holding our pid), the message appended with a From_ line
 * and ">From" quoting, fsynced and unlocked; after a crash the intent tells
 * whether the bytes at that offset are the whole message (keep), a torn
 * tail (truncate) or absent. A delivery command (MDA) gets the message on
 * its stdin, its stdout goes to our stderr, and its exit status decides:
 * 0 delivered, 75 (EX_TEMPFAIL) or anything else keeps the message on the
 * server. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fetch/run.h"
#include "fetch/verify.h"
#include "lib/log.h"
#include "lib/num.h"
#include "lib/util.h"

#define LOCK_WAIT_MS    30000
#define DOTLOCK_STALE_S 600

/* True if the dotlock at lock names a process that no longer exists on
 * this host (a crashed delivery), so the lock may be broken. */
static bool
holder_dead(const char *lock)
{
	char buf[32];
	uint64_t pid;
	ssize_t n;
	int fd = open(lock, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return false;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 1 || buf[n - 1] != '\n')
		return false;
	if (num_parse_u64(buf, (size_t)n - 1, 1, INT32_MAX, &pid) < 0)
		return false;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

/* Take the dotlock path.lock (link trick, NFS-safe; it holds our pid).
 * Locks of dead processes or older than DOTLOCK_STALE_S are broken. */
static int
dotlock(const char *path, char *lock, size_t cap)
{
	char tmp[FETCH_PATH_MAX + 64], pid[24];
	uint64_t t0 = time_mono_ms();
	struct stat st;
	int fd, n;

	if (str_fmt(lock, cap, "%s.lock", path) < 0 ||
	    str_fmt(tmp, sizeof(tmp), "%s.lock.%ld", path, (long)getpid()) <
		0 ||
	    (n = str_fmt(pid, sizeof(pid), "%ld\n", (long)getpid())) < 0)
		return -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (write(fd, pid, (size_t)n) != n) {
		close(fd);
		(void)unlink(tmp);
		return -1;
	}
	close(fd);
	for (;;) {
		if (link(tmp, lock) == 0 ||
		    (stat(tmp, &st) == 0 && st.st_nlink == 2))
			break;
		if (holder_dead(lock) ||
		    (stat(lock, &st) == 0 &&
			time(NULL) - st.st_mtime > DOTLOCK_STALE_S)) {
			(void)unlink(lock);
			continue;
		}
		if (time_mono_ms() - t0 > LOCK_WAIT_MS) {
			(void)unlink(tmp);
			errno = EWOULDBLOCK;
			return -1;
		}
		usleep(50000);
	}
	(void)unlink(tmp);
	return 0;
}

/* fcntl write lock on the whole file, waiting at most LOCK_WAIT_MS. */
static int
fcntl_lock(int fd, short type)
{
	struct flock fl;
	uint64_t t0 = time_mono_ms();

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLK, &fl) < 0) {
		if ((errno != EACCES && errno != EAGAIN) ||
		    time_mono_ms() - t0 > LOCK_WAIT_MS)
			return -1;
		usleep(20000);
	}
	return 0;
}

struct mbox {
	int fd;
	char lock[FETCH_PATH_MAX + 8];
	bool dot;
};

static int
mbox_lock(const char *path, struct mbox *m)
{
	m->dot = false;
	m->fd = open(
	    path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (m->fd < 0)
		return -1;
	if (dotlock(path, m->lock, sizeof(m->lock)) < 0) {
		close(m->fd);
		return -1;
	}
	m->dot = true;
	if (fcntl_lock(m->fd, F_WRLCK) < 0) {
		(void)unlink(m->lock);
		close(m->fd);
		return -1;
	}
	return 0;
}

static void
mbox_unlock(struct mbox *m)
{
	(void)fcntl_lock(m->fd, F_UNLCK);
	if (m->dot)
		(void)unlink(m->lock);
	close(m->fd);
	m->fd = -1;
}

/* True if line is ">*From " (needs one more '>' in mboxrd). */
static bool
needs_quote(const char *line, size_t len)
{
	size_t i = 0;

	while (i < len && line[i] == '>')
		i++;
	return len - i >= 5 && memcmp(line + i, "From ", 5) == 0;
}

/* Copy the spooled message (lines capped by the decoder) to out with
 * mboxrd quoting; ensure a final LF and add the blank separator line. */
static int
append_quoted(int spool, FILE *out)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool last_lf = true;
	FILE *in;
	int fd = dup(spool), rc = 0;

	if (fd < 0 || lseek(fd, 0, SEEK_SET) < 0 ||
	    (in = fdopen(fd, "r")) == NULL) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	while ((n = getline(&line, &cap, in)) > 0) {
		if (needs_quote(line, (size_t)n) && fputc('>', out) == EOF)
			rc = -1;
		if (fwrite(line, 1, (size_t)n, out) != (size_t)n)
			rc = -1;
		last_lf = line[n - 1] == '\n';
	}
	if (ferror(in))
		rc = -1;
	if ((!last_lf && fputc('\n', out) == EOF) || fputc('\n', out) == EOF)
		rc = -1;
	free(line);
	fclose(in);
	return rc;
}

/* "From MAILER-DAEMON Thu Nov 27 02:00:00 2026" for now (UTC). */
static void
from_line(char *out, size_t cap)
{
	time_t t = (time_t)fs_now();
	struct tm tm;
	char date[64];

	gmtime_r(&t, &tm);
	if (strftime(date, sizeof(date), "%a %b %e %H:%M:%S %Y", &tm) == 0)
		date[0] = '\0';
	if (str_fmt(out, cap, "From MAILER-DAEMON %s\n", date) < 0)
		(void)str_copy(out, "From MAILER-DAEMON\n", cap);
}

/* Blank lines needed so that appended mail starts a new paragraph. */
static int
padding(int fd, off_t size)
{
	char tail[2];

	if (size == 0)
		return 0;
	if (size == 1)
		return pread(fd, tail + 1, 1, 0) == 1 && tail[1] == '\n' ? 1
									 : 2;
	if (pread(fd, tail, 2, size - 2) != 2)
		return 2;
	return tail[1] != '\n' ? 2 : tail[0] != '\n' ? 1 : 0;
}

int
fr_mbox_deliver(struct fr_ctx *c, const char *uidl, int state, int spool,
    const char sha[65], char *loc, size_t loccap)
{
	const char *path = c->a->dest_path;
	char from[96];
	struct mbox m;
	struct stat st;
	FILE *out = NULL;
	off_t off;
	int pad, fd;

	if (mbox_lock(path, &m) < 0)
		return fr_fail(c, FX_FAIL, "cannot lock mbox %s: %s", path,
		    strerror(errno));
	if (fstat(m.fd, &st) < 0) {
		mbox_unlock(&m);
		return fr_fail(
		    c, FX_FAIL, "mbox %s: %s", path, strerror(errno));
	}
	pad = padding(m.fd, st.st_size);
	off = st.st_size + pad;
	if (str_fmt(loc, loccap, "%lld", (long long)off) < 0 ||
	    fs_begin(c->db) < 0)
		goto dbfail;
	if (fs_intent_add(c->db, c->acct, uidl, FS_KIND_MBOX, state, path, loc,
		sha) < 0 ||
	    fs_commit(c->db) < 0) {
		fs_rollback(c->db);
		goto dbfail;
	}
	from_line(from, sizeof(from));
	fd = dup(m.fd);
	if (fd < 0 || (out = fdopen(fd, "a")) == NULL) {
		if (fd >= 0)
			close(fd);
		goto iofail;
	}
	if (fwrite("\n\n", 1, (size_t)pad, out) != (size_t)pad ||
	    fputs(from, out) == EOF || append_quoted(spool, out) < 0 ||
	    fflush(out) == EOF || fsync(m.fd) < 0)
		goto iofail;
	fclose(out);
	mbox_unlock(&m);
	return 0;
iofail:
	if (out != NULL)
		fclose(out);
	(void)ftruncate(m.fd, st.st_size); /* undo a partial append */
	mbox_unlock(&m);
	return fr_fail(
	    c, FX_FAIL, "appending to %s: %s", path, strerror(errno));
dbfail:
	mbox_unlock(&m);
	return fr_fail(c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
}

/* Read the message whose From_ line starts at off: hash its content with
 * the quoting undone and the separator dropped. *eof_r tells whether it
 * runs to the end of the file. 0, or -1 if no From_ line is there. */
static int
mbox_read(int fd, off_t off, char hex[65], uint64_t *size_r, bool *eof_r)
{
	struct fd_out h;
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool held = false;
	int dfd, rc = -1;
	FILE *in;

	*eof_r = true;
	dfd = dup(fd);
	if (dfd < 0 || lseek(dfd, off, SEEK_SET) < 0 ||
	    (in = fdopen(dfd, "r")) == NULL) {
		if (dfd >= 0)
			close(dfd);
		return -1;
	}
	if (fd_out_init(&h, -1) < 0 || getline(&line, &cap, in) < 5 ||
	    strncmp(line, "From ", 5) != 0)
		goto out;
	while ((n = getline(&line, &cap, in)) > 0) {
		size_t skip = 0;

		if (n >= 5 && strncmp(line, "From ", 5) == 0) {
			*eof_r = false;
			break;
		}
		if (held && fd_out_hash_only(&h, "\n", 1) < 0)
			goto out;
		held = false;
		if (n == 1 && line[0] == '\n') {
			held = true;
			continue;
		}
		if (line[0] == '>' && needs_quote(line, (size_t)n))
			skip = 1;
		if (fd_out_hash_only(&h, line + skip, (size_t)n - skip) < 0)
			goto out;
	}
	fd_out_digest(&h, hex);
	*size_r = h.size;
	rc = 0;
out:
	free(line);
	fd_out_free(&h);
	fclose(in);
	return rc;
}

int
fv_mbox_hash(
    const char *path, const char *location, char hex[65], uint64_t *size_r)
{
	uint64_t off;
	bool eof;
	int fd, rc;

	if (num_parse_str(location, 0, INT64_MAX, &off) < 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	rc = mbox_read(fd, (off_t)off, hex, size_r, &eof);
	close(fd);
	return rc;
}

int
fr_settle_mbox(struct fr_ctx *c, const struct fs_intent *in, bool *found_r,
    char sha[65], uint64_t *size_r)
{
	struct stat st;
	struct mbox m;
	uint64_t off;
	bool eof = true;
	int rc;

	*found_r = false;
	if (num_parse_str(in->location, 0, INT64_MAX, &off) < 0 ||
	    stat(in->dest, &st) < 0 || (uint64_t)st.st_size <= off)
		return 0; /* nothing was appended */
	if (mbox_lock(in->dest, &m) < 0)
		return fr_fail(c, FX_FAIL, "cannot lock mbox %s: %s", in->dest,
		    strerror(errno));
	rc = mbox_read(m.fd, (off_t)off, sha, size_r, &eof);
	if (rc == 0 && strcmp(sha, in->sha256) == 0) {
		*found_r = true;
	} else if (eof) {
		if (ftruncate(m.fd, (off_t)off) == 0 && fsync(m.fd) == 0)
			log_warn("%s: removed the torn end of an interrupted "
				 "delivery from %s",
			    c->a->name, in->dest);
	} else {
		log_warn("%s: an interrupted delivery left a partial message "
			 "at offset %s of %s (other mail follows it)",
		    c->a->name, in->location, in->dest);
		c->r->warnings++;
	}
	mbox_unlock(&m);
	return 0;
}

extern char **environ;

#define MDA_TIMEOUT_MS   (10 * 60 * 1000)
#define EX_TEMPFAIL_CODE 75

/* Wait for pid at most MDA_TIMEOUT_MS; kill it after. */
static int
wait_child(pid_t pid, int *status)
{
	struct timespec ts = {0, 5 * 1000 * 1000};
	uint64_t t0 = time_mono_ms();
	pid_t r;

	for (;;) {
		r = waitpid(pid, status, WNOHANG);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
		if (time_mono_ms() - t0 > MDA_TIMEOUT_MS) {
			(void)kill(pid, SIGKILL);
			(void)waitpid(pid, status, 0);
			return -1;
		}
		nanosleep(&ts, NULL);
	}
}

int
fr_mda_deliver(struct fr_ctx *c, const char *uidl, int spool)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = {"sh", "-c", NULL, NULL};
	pid_t pid;
	int status = 0, rc;

	argv[2] = (char *)(uintptr_t)c->a->dest_path;
	if (fs_begin(c->db) < 0 ||
	    fs_intent_add(c->db, c->acct, uidl, FS_KIND_MDA, FS_STORED,
		c->a->dest_path, "mda", NULL) < 0 ||
	    fs_commit(c->db) < 0) {
		fs_rollback(c->db);
		return fr_fail(
		    c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
	}
	if (lseek(spool, 0, SEEK_SET) < 0)
		return fr_fail(c, FX_FAIL, "spool: %s", strerror(errno));
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, spool, STDIN_FILENO);
	posix_spawn_file_actions_adddup2(&fa, STDERR_FILENO, STDOUT_FILENO);
	rc = posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc != 0)
		return fr_fail(c, FX_FAIL,
		    "cannot run the delivery command: %s", strerror(rc));
	if (wait_child(pid, &status) < 0) {
		log_err(
		    "%s: delivery command for %s timed out", c->a->name, uidl);
		return 1;
	}
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == EX_TEMPFAIL_CODE)
		log_warn("%s: delivery command deferred message %s (exit 75); "
			 "it stays on the server",
		    c->a->name, uidl);
	else
		log_err("%s: delivery command refused message %s (%s %d); it "
			"stays on the server",
		    c->a->name, uidl, WIFEXITED(status) ? "exit" : "signal",
		    WIFEXITED(status)     ? WEXITSTATUS(status)
		    : WIFSIGNALED(status) ? WTERMSIG(status)
					  : -1);
	return 1;
}
