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
	const char *scram; /* new "scram-sha-256=" value, or NULL */
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

static bool
is_scram_token(const char *t, size_t len)
{
	static const char key[] = "scram-sha-256";
	size_t kl = sizeof(key) - 1;

	return len >= kl && str_case_eq(t, kl, key) &&
	       (len == kl || t[kl] == '=');
}

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t';
}

/* True if the extra field x[0..len) holds a scram-sha-256 token. */
static bool
has_scram(const char *x, size_t len)
{
	size_t i = 0, s;

	while (i < len) {
		while (i < len && is_blank(x[i]))
			i++;
		for (s = i; i < len && !is_blank(x[i]); i++)
			;
		if (i > s && is_scram_token(x + s, i - s))
			return true;
	}
	return false;
}

/* Write the extra field x[0..len) without scram-sha-256 tokens (the others
 * joined by one space), then the new one if any. */
static int
write_extra(struct edit *ed, const char *x, size_t len)
{
	size_t i = 0, s;
	bool first = true;

	while (i < len) {
		while (i < len && is_blank(x[i]))
			i++;
		for (s = i; i < len && !is_blank(x[i]); i++)
			;
		if (i == s || is_scram_token(x + s, i - s))
			continue;
		if ((!first && putc_unlocked(' ', ed->out) == EOF) ||
		    fwrite(x + s, 1, i - s, ed->out) != i - s)
			return -1;
		first = false;
	}
	if (ed->scram != NULL && fprintf(ed->out, "%sscram-sha-256=%s",
				     first ? "" : " ", ed->scram) < 0)
		return -1;
	return 0;
}

/* Write what follows the password field, rest[0..len) ("" or ":uid:gid:
 * gecos:home:shell:extra"): unchanged, unless the SCRAM field changes;
 * then missing fields are added empty so that the extra field exists. */
static int
write_rest(struct edit *ed, const char *rest, size_t len)
{
	const char *f[6], *p = rest, *end = rest + len, *c;
	size_t fl[6];
	int nf = 0, i;

	while (p < end && nf < 6) {
		p++; /* the ':' before the field */
		c = nf < 5 ? memchr(p, ':', (size_t)(end - p)) : NULL;
		f[nf] = p;
		fl[nf] = (size_t)((c != NULL ? c : end) - p);
		nf++;
		p = c != NULL ? c : end;
	}
	if (ed->scram == NULL && (nf < 6 || !has_scram(f[5], fl[5])))
		return fwrite(rest, 1, len, ed->out) == len ? 0 : -1;
	for (i = 0; i < 5; i++)
		if (putc_unlocked(':', ed->out) == EOF ||
		    (i < nf && fwrite(f[i], 1, fl[i], ed->out) != fl[i]))
			return -1;
	if (putc_unlocked(':', ed->out) == EOF)
		return -1;
	return write_extra(ed, nf == 6 ? f[5] : "", nf == 6 ? fl[5] : 0);
}

/* A new line: "user:hash", with the SCRAM field when there is one. */
static int
write_new(struct edit *ed, const char *lead)
{
	if (fprintf(ed->out, "%s%s:%s", lead, ed->user, ed->hash) < 0 ||
	    (ed->scram != NULL &&
		fprintf(ed->out, "::::::scram-sha-256=%s", ed->scram) < 0) ||
	    putc_unlocked('\n', ed->out) == EOF)
		return -1;
	return 0;
}

/* Write the user's line with only the password field (and the SCRAM
 * keys that belong to it) replaced. */
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
	if (fprintf(ed->out, "%s:%s%s", ed->user, tag, ed->hash) < 0)
		return -1;
	return write_rest(ed, pass + plen, (size_t)(p + len - (pass + plen)));
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
	if (ed->found == 0 && write_new(ed, ed->last_nl ? "" : "\n") != 0)
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
	} else if (ed->in == NULL && write_new(ed, "") != 0) {
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
	return pw_file_edit_scram(path, user, hash, NULL, mode, err, errlen);
}

int
pw_file_edit_scram(const char *path, const char *user, const char *hash,
    const char *scram, enum pw_edit mode, char *err, size_t errlen)
{
	struct edit ed = {path, user, hash, scram, mode, NULL, NULL, NULL, 0, 0,
	    true, err, errlen};
	struct pw_scram k;
	const char *why;
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
	if (scram != NULL) {
		r = mode == PW_EDIT_DEL
			? -1
			: pw_scram_parse(scram, strlen(scram), &k, &why);
		mem_wipe(&k, sizeof(k));
		if (r != 0) {
			ed_err(&ed, "malformed SCRAM keys");
			return -1;
		}
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
