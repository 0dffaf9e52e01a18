/* out.c: buffered, hashed output for one delivered message. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "fetch/deliver.h"
#include "lib/util.h"

int
fd_out_init(struct fd_out *o, int fd)
{
	memset(o, 0, sizeof(*o));
	o->fd = fd;
	o->buf = malloc(FETCH_IO_BUF);
	o->sha = EVP_MD_CTX_new();
	if (o->buf == NULL || o->sha == NULL ||
	    EVP_DigestInit_ex(o->sha, EVP_sha256(), NULL) != 1) {
		o->fd = -1;
		fd_out_free(o);
		o->fd = fd;
		return -1;
	}
	return 0;
}

static int
write_all(struct fd_out *o, const uint8_t *p, size_t len)
{
	if (fd_write_all(o->fd, p, len) == 0)
		return 0;
	o->failed = true;
	o->err = errno;
	return -1;
}

int
fd_out_write(struct fd_out *o, const void *p, size_t len)
{
	if (o->failed)
		return -1;
	if (len == 0)
		return 0;
	if (EVP_DigestUpdate(o->sha, p, len) != 1 ||
	    __builtin_add_overflow(o->size, len, &o->size)) {
		o->failed = true;
		o->err = EOVERFLOW;
		return -1;
	}
	if (o->blen + len > FETCH_IO_BUF) {
		if (write_all(o, o->buf, o->blen) < 0)
			return -1;
		o->blen = 0;
		if (len >= FETCH_IO_BUF / 2)
			return write_all(o, p, len);
	}
	memcpy(o->buf + o->blen, p, len);
	o->blen += len;
	return 0;
}

int
fd_out_hash_only(struct fd_out *o, const void *p, size_t len)
{
	if (o->failed || EVP_DigestUpdate(o->sha, p, len) != 1 ||
	    __builtin_add_overflow(o->size, len, &o->size)) {
		o->failed = true;
		return -1;
	}
	return 0;
}

int
fd_spool_open(const char *dir)
{
	char path[FETCH_PATH_MAX + 32];
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0)
		return fd;
	if (str_fmt(path, sizeof(path), "%s/spool.XXXXXX", dir) < 0)
		return -1;
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		(void)unlink(path);
	return fd;
}

int
fd_out_flush(struct fd_out *o, bool sync)
{
	if (o->failed)
		return -1;
	if (o->blen > 0 && write_all(o, o->buf, o->blen) < 0)
		return -1;
	o->blen = 0;
	if (sync && fsync(o->fd) < 0) {
		o->failed = true;
		o->err = errno;
		return -1;
	}
	return 0;
}

static void
to_hex(const unsigned char *md, unsigned int n, char hex[65])
{
	static const char digits[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < n && i < 32; i++) {
		hex[2 * i] = digits[md[i] >> 4];
		hex[2 * i + 1] = digits[md[i] & 15];
	}
	hex[2 * i] = '\0';
}

void
fd_out_digest(struct fd_out *o, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (EVP_DigestFinal_ex(o->sha, md, &n) != 1)
		n = 0;
	to_hex(md, n, hex);
}

void
fd_out_free(struct fd_out *o)
{
	free(o->buf);
	o->buf = NULL;
	if (o->sha != NULL)
		EVP_MD_CTX_free(o->sha);
	o->sha = NULL;
	if (o->fd >= 0)
		close(o->fd);
	o->fd = -1;
}

int
fd_hash_file(int fd, char hex[65], uint64_t *size_r)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	uint8_t *buf = malloc(FETCH_IO_BUF);
	uint64_t size = 0;
	ssize_t got;
	int rc = -1;

	if (ctx == NULL || buf == NULL ||
	    EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	for (;;) {
		got = read(fd, buf, FETCH_IO_BUF);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			goto out;
		if (got == 0)
			break;
		if (EVP_DigestUpdate(ctx, buf, (size_t)got) != 1)
			goto out;
		size += (uint64_t)got;
	}
	if (EVP_DigestFinal_ex(ctx, md, &n) != 1)
		goto out;
	to_hex(md, n, hex);
	*size_r = size;
	rc = 0;
out:
	EVP_MD_CTX_free(ctx);
	free(buf);
	return rc;
}
