/* pwfile.c: editing the users file in place, atomically. The file is copied
 * line by line into a temporary file in the same directory (same mode and
 * owner, 0600 for a new file), with only the target user's line changed;
 * then fsync, rename over the original and fsync the directory. Writers
 * serialise on flock of "<file>.lock". */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/passwd.h"
#include "lib/limits.h"
#include "lib/util.h"

struct edit {
	const char *path, *user, *hash;
	enum pw_edit mode;
	FILE *in, *out;
	char *line; /* AUTH_LINE_MAX + 1 bytes */
	size_t lineno, found;
	bool last_nl; /* the last line copied ended with "\n" */
	char *err;
	size_t errlen;
};

static void __attribute__((format(printf, 2, 3)))
ed_err(struct edit *ed, const char *fmt, ...)
{
	va_list ap;

	if (ed->errlen == 0)
		return;
	va_start(ap, fmt);
	if (vsnprintf(ed->err, ed->errlen, fmt, ap) < 0)
		ed->err[0] = '\0';
	va_end(ap);
}

/* The user field of a users-file line, or len 0 for comments/blank. */
static size_t
line_user(const char *p, size_t len)
{
	const char *colon;
	size_t i;

	for (i = 0; i < len && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	if (i == len || p[i] == '#')
		return 0;
	colon = memchr(p, ':', len);
	return colon != NULL ? (size_t)(colon - p) : len;
}

/* The tag to write before the new hash: the old one when it still fits,
 * "{CRYPT}" (any crypt(3) hash, for Dovecot) when not, none if none. */
static void
pick_tag(
    const char *field, size_t flen, const char *hash, char *tag, size_t tagcap)
{
	const char *close = memchr(field, '}', flen), *s;
	size_t tlen;

	tag[0] = '\0';
	if (flen == 0 || field[0] != '{' || close == NULL)
		return;
	tlen = (size_t)(close - field) + 1;
	s = pw_scheme_name(hash);
	if (tlen < tagcap && (str_case_eq(field, tlen, "{CRYPT}") ||
				 (str_case_eq(field, tlen, "{YESCRYPT}") &&
				     strcmp(s, "yescrypt") == 0) ||
				 (str_case_eq(field, tlen, "{BLF-CRYPT}") &&
				     strcmp(s, "bcrypt") == 0) ||
				 (str_case_eq(field, tlen, "{SHA512-CRYPT}") &&
				     strcmp(s, "sha512-crypt") == 0))) {
		memcpy(tag, field, tlen);
		tag[tlen] = '\0';
	} else {
		memcpy(tag, "{CRYPT}", 8);
	}
}

/* Write the user's line with only the password field replaced. */
static int
write_replaced(struct edit *ed, const char *p, size_t len, size_t ulen)
{
	const char *pass = p + ulen + 1, *rest;
	size_t plen;
	char tag[32];

	if (ulen >= len) { /* "user" alone: no password field yet */
		pass = p + len;
		plen = 0;
	} else {
		rest = memchr(pass, ':', len - ulen - 1);
		plen = rest != NULL ? (size_t)(rest - pass) : len - ulen - 1;
	}
	pick_tag(pass, plen, ed->hash, tag, sizeof(tag));
	if (fprintf(ed->out, "%s:%s%s", ed->user, tag, ed->hash) < 0 ||
	    fwrite(pass + plen, 1, (size_t)(p + len - (pass + plen)),
		ed->out) != (size_t)(p + len - (pass + plen)))
		return -1;
	return 0;
}

/* Copy the file, changing the user's line(s). 0, -1 or -2 (conflict). */
static int
copy_lines(struct edit *ed)
{
	size_t len, ulen;
	int c;
	bool nl;

	for (;;) {
		len = 0;
		while ((c = getc_unlocked(ed->in)) != EOF && c != '\n') {
			if (len == AUTH_LINE_MAX) {
				ed_err(ed,
				    "%s:%zu: line too long; file left "
				    "unchanged",
				    ed->path, ed->lineno + 1);
				return -1;
			}
			ed->line[len++] = (char)c;
		}
		if (c == EOF && len == 0)
			break;
		ed->lineno++;
		nl = c == '\n';
		ulen = line_user(ed->line, len);
		if (ulen == 0 || ulen != strlen(ed->user) ||
		    memcmp(ed->line, ed->user, ulen) != 0) {
			if (fwrite(ed->line, 1, len, ed->out) != len)
				return -1;
		} else if (ed->mode == PW_EDIT_ADD) {
			ed_err(ed, "%s:%zu: user %s already exists", ed->path,
			    ed->lineno, ed->user);
			return -2;
		} else {
			ed->found++;
			if (ed->mode == PW_EDIT_DEL)
				continue;
			if (write_replaced(ed, ed->line, len, ulen) != 0)
				return -1;
		}
		if (nl && putc_unlocked('\n', ed->out) == EOF)
			return -1;
		ed->last_nl = nl;
	}
	if (ferror(ed->in)) {
		ed_err(ed, "%s: read error: %s", ed->path, strerror(errno));
		return -1;
	}
	if (ed->found == 0 &&
	    (ed->mode == PW_EDIT_REPLACE || ed->mode == PW_EDIT_DEL)) {
		ed_err(ed, "%s: no user %s", ed->path, ed->user);
		return -2;
	}
	if (ed->found == 0 &&
	    fprintf(ed->out, "%s%s:%s\n", ed->last_nl ? "" : "\n", ed->user,
		ed->hash) < 0)
		return -1;
	return 0;
}

/* fsync the directory holding path, so that the rename is durable. */
static int
sync_dir(const char *path)
{
	char dir[STORE_PATH_MAX];
	int fd, r;

	if (str_copy(dir, path, sizeof(dir)) != 0)
		return -1;
	if ((fd = open(dirname(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

/* Create the temporary file with the original's mode and owner. */
static int
open_tmp(struct edit *ed, char *tmp, size_t tmpcap)
{
	struct stat st;
	mode_t mode = 0600;
	int fd;

	if (str_fmt(tmp, tmpcap, "%s.tmpXXXXXX", ed->path) < 0) {
		ed_err(ed, "%s: path too long", ed->path);
		return -1;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		ed_err(ed, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	if (ed->in != NULL && fstat(fileno(ed->in), &st) == 0) {
		mode = st.st_mode & 07777;
		if ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
		    fchown(fd, st.st_uid, st.st_gid) != 0) {
			ed_err(ed, "%s: cannot keep owner %ld:%ld: %s",
			    ed->path, (long)st.st_uid, (long)st.st_gid,
			    strerror(errno));
			goto fail;
		}
	}
	if (fchmod(fd, mode) != 0 || (ed->out = fdopen(fd, "w")) == NULL) {
		ed_err(ed, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	close(fd);
	unlink(tmp);
	return -1;
}

static int
rewrite(struct edit *ed)
{
	char tmp[STORE_PATH_MAX];
	int r, fd;

	if ((ed->in = fopen(ed->path, "re")) == NULL && errno != ENOENT) {
		ed_err(ed, "%s: %s", ed->path, strerror(errno));
		return -1;
	}
	ed->last_nl = true;
	if (open_tmp(ed, tmp, sizeof(tmp)) != 0)
		return -1;
	r = ed->in != NULL ? copy_lines(ed) : 0;
	if (ed->in == NULL &&
	    (ed->mode == PW_EDIT_REPLACE || ed->mode == PW_EDIT_DEL)) {
		ed_err(ed, "%s: no user %s", ed->path, ed->user);
		r = -2;
	} else if (ed->in == NULL &&
		   fprintf(ed->out, "%s:%s\n", ed->user, ed->hash) < 0) {
		r = -1;
	}
	fd = fileno(ed->out);
	if (r == 0 && (fflush(ed->out) != 0 || fsync(fd) != 0))
		r = -1;
	if (fclose(ed->out) != 0 && r == 0)
		r = -1;
	ed->out = NULL;
	if (r == 0 && rename(tmp, ed->path) != 0)
		r = -1;
	if (r == -1 && ed->errlen > 0 && ed->err[0] == '\0')
		ed_err(ed, "%s: write failed: %s", ed->path, strerror(errno));
	if (r != 0)
		unlink(tmp);
	else if (sync_dir(ed->path) != 0) {
		ed_err(ed, "%s: fsync of directory: %s", ed->path,
		    strerror(errno));
		r = -1;
	}
	return r;
}

int
pw_file_edit(const char *path, const char *user, const char *hash,
    enum pw_edit mode, char *err, size_t errlen)
{
	struct edit ed = {
	    path, user, hash, mode, NULL, NULL, NULL, 0, 0, true, err, errlen};
	char lockpath[STORE_PATH_MAX];
	int lockfd, r;

	if (errlen > 0)
		err[0] = '\0';
	if (!pw_user_valid(user, strlen(user))) {
		ed_err(&ed, "invalid user name");
		return -1;
	}
	if (mode != PW_EDIT_DEL && (hash == NULL || !pw_scheme_name(hash))) {
		ed_err(&ed, "unsupported or malformed hash");
		return -1;
	}
	if (str_fmt(lockpath, sizeof(lockpath), "%s.lock", path) < 0) {
		ed_err(&ed, "%s: path too long", path);
		return -1;
	}
	lockfd =
	    open(lockpath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (lockfd < 0 || flock(lockfd, LOCK_EX) != 0) {
		ed_err(&ed, "%s: %s", lockpath, strerror(errno));
		if (lockfd >= 0)
			close(lockfd);
		return -1;
	}
	if ((ed.line = malloc(AUTH_LINE_MAX)) == NULL) {
		ed_err(&ed, "out of memory");
		r = -1;
	} else {
		r = rewrite(&ed);
		mem_wipe(ed.line, AUTH_LINE_MAX);
		free(ed.line);
	}
	if (ed.in != NULL)
		fclose(ed.in);
	close(lockfd); /* releases the lock; the lock file stays */
	return r;
}

int
pw_file_set(const char *path, const char *user, const char *hash, char *err,
    size_t errlen)
{
	return pw_file_edit(path, user, hash, PW_EDIT_SET, err, errlen);
}

int
pw_file_del(const char *path, const char *user, char *err, size_t errlen)
{
	return pw_file_edit(path, user, NULL, PW_EDIT_DEL, err, errlen) == 0
		   ? 0
		   : -1;
}
