/* lockout.c: the hard-lockout state file. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "auth/lockout.h"
#include "lib/limits.h"
#include "lib/num.h"
#include "lib/util.h"

int
lockout_default_path(const char *users, char *out, size_t outlen)
{
	return str_fmt(out, outlen, "%s.lockout", users) < 0 ? -1 : 0;
}

/* Parse "user count" into *count if the line names user. */
static bool
line_is(const char *line, size_t len, const char *user, unsigned *count)
{
	size_t ulen = strlen(user);
	uint64_t v;

	if (len <= ulen + 1 || memcmp(line, user, ulen) != 0 ||
	    line[ulen] != ' ' ||
	    num_parse_u64(line + ulen + 1, len - ulen - 1, 0, 1000000, &v) < 0)
		return false;
	*count = (unsigned)v;
	return true;
}

/* Read the whole file (bounded) from fd into a new buffer. */
static char *
slurp(int fd, size_t *len_r)
{
	size_t cap = 4096, len = 0;
	char *buf = malloc(cap + 1), *nb;
	ssize_t n;

	while (buf != NULL) {
		if (len == cap) {
			if (cap >= LOCKOUT_FILE_MAX ||
			    (nb = realloc(buf, 2 * cap + 1)) == NULL) {
				free(buf);
				errno = EFBIG;
				return NULL;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			free(buf);
			return NULL;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (buf != NULL)
		buf[len] = '\0';
	*len_r = len;
	return buf;
}

unsigned
lockout_get(const char *path, const char *user)
{
	char *buf, *p, *nl;
	size_t len;
	unsigned count = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return 0;
	(void)flock(fd, LOCK_SH);
	buf = slurp(fd, &len);
	close(fd);
	for (p = buf; p != NULL && p < buf + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			nl = buf + len;
		if (line_is(p, (size_t)(nl - p), user, &count))
			break;
	}
	free(buf);
	return count;
}

int
lockout_set(const char *path, const char *user, unsigned n)
{
	char *buf, *p, *nl, line[P3_USER_MAX + 32];
	size_t len;
	unsigned old;
	int fd, rc = -1, saved;
	FILE *out;

	if ((fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600)) < 0)
		return -1;
	if (flock(fd, LOCK_EX) < 0 || (buf = slurp(fd, &len)) == NULL) {
		saved = errno;
		close(fd);
		errno = saved;
		return -1;
	}
	/* Rewrite in place: every other line as it was, then ours. */
	if ((out = fdopen(dup(fd), "w")) == NULL || lseek(fd, 0, SEEK_SET) < 0)
		goto done;
	for (p = buf; p < buf + len; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(buf + len - p))) == NULL)
			nl = buf + len;
		if (nl > p && !line_is(p, (size_t)(nl - p), user, &old))
			fprintf(out, "%.*s\n", (int)(nl - p), p);
	}
	if (n > 0 && str_fmt(line, sizeof(line), "%s %u\n", user, n) > 0)
		fputs(line, out);
	if (fflush(out) == 0 && ftruncate(fd, ftell(out)) == 0 &&
	    fsync(fd) == 0)
		rc = 0;
done:
	saved = errno;
	if (out != NULL)
		fclose(out);
	free(buf);
	close(fd);
	errno = saved;
	return rc;
}
