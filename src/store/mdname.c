/* mdname.c: Maildir file names: parsing, the UIDL mapping, flag changes, and
 * finding a file again by its base name. A name is "base[:2,FLAGS]"; Dovecot
 * puts ",S=<file size>" and ",W=<size with CRLF>" into the base. Only
 * md_find_base touches the file system. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "store/maildir.h"

/* Digits only, at most 20, value <= INT64_MAX (as num_parse_u64 would
 * accept with that range); -1 otherwise. */
static int64_t
field_value(const char *p, size_t len)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned)(unsigned char)p[i] - '0';

		if (d > 9 || __builtin_mul_overflow(v, 10, &v) ||
		    __builtin_add_overflow(v, d, &v))
			return -1;
	}
	return v > INT64_MAX ? -1 : (int64_t)v;
}

/* Record the ",S=" / ",W=" fields of base[0..len). A field runs from its
 * comma to the next comma or the end of the base; its value must be all
 * digits and fit int64_t. The first well-formed field of each kind wins. */
static void
parse_fields(const char *base, size_t len, struct md_name *r)
{
	const char *p = base, *end = base + len, *f, *next;
	int64_t v;

	while ((f = memchr(p, ',', (size_t)(end - p))) != NULL) {
		f++;
		next = memchr(f, ',', (size_t)(end - f));
		p = next != NULL ? next : end;
		if (p - f < 3 || f[1] != '=')
			continue;
		if (f[0] == 'S' && r->s_size < 0) {
			if ((v = field_value(f + 2, (size_t)(p - f - 2))) >= 0)
				r->s_size = v;
		} else if (f[0] == 'W' && r->w_size < 0) {
			if ((v = field_value(f + 2, (size_t)(p - f - 2))) >= 0)
				r->w_size = v;
		}
		if (r->s_size >= 0 && r->w_size >= 0)
			break;
	}
}

/* md_name_parse after its '/' and NUL checks. */
static int
parse_checked(const char *name, size_t len, struct md_name *r)
{
	const char *colon;

	r->s_size = -1;
	r->w_size = -1;
	r->has_info = false;
	r->seen = false;
	r->base_len = 0;
	if (len == 0 || len > STORE_NAME_MAX || name[0] == '.')
		return -1;
	colon = memchr(name, ':', len);
	r->base_len = colon != NULL ? (size_t)(colon - name) : len;
	if (r->base_len == 0)
		return -1;
	parse_fields(name, r->base_len, r);
	if (colon != NULL && len - r->base_len >= 3 && colon[1] == '2' &&
	    colon[2] == ',') {
		r->has_info = true;
		r->seen = memchr(colon + 3, 'S', len - r->base_len - 3) != NULL;
	}
	return 0;
}

int
md_name_parse(const char *name, size_t len, struct md_name *r)
{
	if (memchr(name, '/', len) != NULL || memchr(name, '\0', len) != NULL) {
		r->s_size = r->w_size = -1;
		r->has_info = r->seen = false;
		r->base_len = 0;
		return -1;
	}
	return parse_checked(name, len, r);
}

int
md_name_parse_entry(const char *name, size_t len, struct md_name *r)
{
	return parse_checked(name, len, r);
}

/* Eight octets at a time: a byte below 0x21 or above 0x7E sets its high bit
 * in the result (no false positives: the input bytes' high bits are
 * checked too). */
static uint64_t
bad_octets(uint64_t x)
{
	const uint64_t ones = 0x0101010101010101ULL, high = ones * 0x80;

	/* x - 0x21 borrows into bit 7 of bytes < 0x21 (for bytes < 0x80);
	 * x + 0x01 carries into bit 7 of bytes >= 0x7F. */
	return ((x - ones * 0x21) & ~x & high) |
	       (((x & ~high) + ones * 0x01) & high) | (x & high);
}

bool
md_uidl_plain(const char *base, size_t len)
{
	uint64_t x, bad = 0;
	size_t i = 0;

	if (len < 1 || len > P3_UIDL_MAX)
		return false;
	for (; len - i >= 8; i += 8) {
		memcpy(&x, base + i, 8);
		bad |= bad_octets(x);
	}
	if (i < len) {
		x = 0x2121212121212121ULL; /* padding: valid octets */
		memcpy(&x, base + i, len - i);
		bad |= bad_octets(x);
	}
	return bad == 0;
}

void
md_uidl_from_base(const char *base, size_t len, char out[P3_UIDL_MAX + 1])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0, k;

	if (md_uidl_plain(base, len)) {
		memcpy(out, base, len);
		out[len] = '\0';
		return;
	}
	/* A UIDL must be stable; a made-up one would be worse than none. */
	if (EVP_Digest(base, len, md, &mdlen, EVP_sha256(), NULL) != 1 ||
	    mdlen != 32) {
		fputs("postie: SHA-256 unavailable for a UIDL\n", stderr);
		abort();
	}
	out[0] = '~';
	for (k = 0; k < mdlen; k++) {
		out[1 + 2 * k] = hex[md[k] >> 4];
		out[2 + 2 * k] = hex[md[k] & 0x0f];
	}
	out[1 + 2 * mdlen] = '\0';
}

bool
md_name_has_base(const char *name, const char *base, size_t base_len)
{
	return strncmp(name, base, base_len) == 0 &&
	       memchr(base, '\0', base_len) == NULL &&
	       (name[base_len] == '\0' || name[base_len] == ':');
}

int
md_name_with_flag(
    const char *name, size_t len, char flag, char *out, size_t cap)
{
	struct md_name n;
	const char *flags = "";
	size_t flen = 0, pos, need;

	if (md_name_parse(name, len, &n) != 0)
		return -1;
	if (n.has_info) {
		flags = name + n.base_len + 3;
		flen = len - n.base_len - 3;
		if (memchr(flags, flag, flen) != NULL)
			return 0;
	}
	/* Insert before the first flag that sorts after it. */
	for (pos = 0;
	     pos < flen && (unsigned char)flags[pos] < (unsigned char)flag;
	     pos++)
		continue;
	need = n.base_len + 3 + flen + 1; /* base ":2," flags flag */
	if (need > STORE_NAME_MAX || need >= cap)
		return -1;
	memcpy(out, name, n.base_len);
	memcpy(out + n.base_len, ":2,", 3);
	memcpy(out + n.base_len + 3, flags, pos);
	out[n.base_len + 3 + pos] = flag;
	memcpy(out + n.base_len + 4 + pos, flags + pos, flen - pos);
	out[need] = '\0';
	return (int)need;
}

/* d_type saves a stat except on file systems that report DT_UNKNOWN. */
static bool
regular_entry(int dfd, const struct dirent *de)
{
	struct stat st;

	if (de->d_type != DT_UNKNOWN)
		return de->d_type == DT_REG;
	return fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISREG(st.st_mode);
}

int
md_find_base(int dir_fd, const char *base, size_t base_len, char **name_r)
{
	struct dirent *de;
	struct md_name nm;
	DIR *d;
	size_t len;
	int fd, rc = 1, saved;

	*name_r = NULL;
	fd = openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return -1;
	}
	for (errno = 0; (de = readdir(d)) != NULL; errno = 0) {
		if (!md_name_has_base(de->d_name, base, base_len))
			continue;
		len = strlen(de->d_name);
		if (md_name_parse(de->d_name, len, &nm) != 0)
			continue;
		if (!regular_entry(fd, de))
			continue;
		if ((*name_r = strdup(de->d_name)) == NULL)
			rc = -1;
		else
			rc = 0;
		break;
	}
	if (de == NULL && errno != 0)
		rc = -1;
	saved = errno;
	closedir(d);
	errno = saved;
	return rc;
}
