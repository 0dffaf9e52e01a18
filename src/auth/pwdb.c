/* pwdb.c: the loaded users database (entries in file order plus an
 * open-addressing hash index), lookups and constant-work verification. */
#include <crypt.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "auth/passwd.h"
#include "lib/limits.h"
#include "lib/util.h"

struct pw_db {
	struct pw_entry *ents; /* file order */
	size_t *lines;         /* line number of each entry */
	size_t n, cap;
	size_t *slots; /* entry index + 1; 0 is an empty slot */
	size_t nslots; /* a power of two, at least 2 * n */
	char *dummy;   /* crypt setting checked for unknown users */
};

/* Format an error message; a truncated message is still terminated. */
static void __attribute__((format(printf, 3, 4)))
errf(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (len == 0)
		return;
	va_start(ap, fmt);
	if (vsnprintf(err, len, fmt, ap) < 0)
		err[0] = '\0';
	va_end(ap);
}

static uint64_t
hash_name(const char *p, size_t len)
{
	uint64_t h = 14695981039346656037ULL; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)p[i];
		h *= 1099511628211ULL;
	}
	return h;
}

/* Slot of user: where it is, or the empty slot where it would go. */
static size_t
slot_of(const struct pw_db *db, const char *user, size_t len)
{
	size_t mask = db->nslots - 1, i = hash_name(user, len) & mask, k;
	const char *u;

	while ((k = db->slots[i]) != 0) {
		u = db->ents[k - 1].user;
		if (strlen(u) == len && memcmp(u, user, len) == 0)
			break;
		i = (i + 1) & mask;
	}
	return i;
}

static int
rehash(struct pw_db *db, size_t nslots)
{
	size_t *old = db->slots, oldn = db->nslots, i;

	if ((db->slots = calloc(nslots, sizeof(*db->slots))) == NULL) {
		db->slots = old;
		return -1;
	}
	db->nslots = nslots;
	for (i = 0; i < oldn; i++) {
		if (old[i] != 0) {
			const char *u = db->ents[old[i] - 1].user;
			db->slots[slot_of(db, u, strlen(u))] = old[i];
		}
	}
	free(old);
	return 0;
}

/* Add e (taken over on success). 0, -1 on OOM, -2 if the user exists
 * (*dup_line_r: where it was first seen). */
static int
db_add(struct pw_db *db, struct pw_entry *e, size_t lineno, size_t *dup_line_r)
{
	size_t s, ncap;
	void *p;

	if (db->n + 1 > db->nslots / 2 && rehash(db, db->nslots * 2) != 0)
		return -1;
	s = slot_of(db, e->user, strlen(e->user));
	if (db->slots[s] != 0) {
		*dup_line_r = db->lines[db->slots[s] - 1];
		return -2;
	}
	if (db->n == db->cap) {
		ncap = db->cap < 64 ? 64 : db->cap * 2;
		if ((p = reallocarray(db->ents, ncap, sizeof(*db->ents))) ==
		    NULL)
			return -1;
		db->ents = p;
		if ((p = reallocarray(db->lines, ncap, sizeof(*db->lines))) ==
		    NULL)
			return -1;
		db->lines = p;
		db->cap = ncap;
	}
	db->ents[db->n] = *e;
	db->lines[db->n] = lineno;
	db->n++;
	db->slots[s] = db->n;
	return 0;
}

/* Read one line (without "\n" and a trailing "\r") into buf[0..cap).
 * Returns 1, 0 at EOF, -1 if longer than cap. *len_r: its length. */
static int
read_line(FILE *fp, char *buf, size_t cap, size_t *len_r)
{
	size_t len = 0;
	int c;

	while ((c = getc_unlocked(fp)) != EOF && c != '\n') {
		if (len == cap) {
			while ((c = getc_unlocked(fp)) != EOF && c != '\n')
				;
			return -1;
		}
		buf[len++] = (char)c;
	}
	if (c == EOF && len == 0)
		return 0;
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	*len_r = len;
	return 1;
}

/* The dummy setting: the first user's hash (same scheme and cost), or a
 * fresh default-cost yescrypt setting for an empty database. */
static int
make_dummy(struct pw_db *db)
{
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];

	if (db->n > 0) {
		db->dummy = strdup(db->ents[0].hash);
	} else {
		if (crypt_gensalt_rn(
			"$y$", 0, NULL, 0, setting, sizeof(setting)) == NULL)
			return -1;
		db->dummy = strdup(setting);
	}
	return db->dummy != NULL ? 0 : -1;
}

static int
load_fp(FILE *fp, const char *path, struct pw_db *db, char *err, size_t errlen)
{
	char *line;
	const char *why = NULL;
	struct pw_entry e;
	size_t len, lineno = 0, dup;
	int r, rc = -1;

	if ((line = malloc(AUTH_LINE_MAX)) == NULL) {
		errf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	while ((r = read_line(fp, line, AUTH_LINE_MAX, &len)) != 0) {
		if (++lineno > AUTH_USERS_MAX) {
			why = "too many lines";
			goto bad;
		}
		if (r < 0) {
			why = "line too long";
			goto bad;
		}
		r = pw_parse_line(line, len, &e, &why);
		if (r > 0)
			continue;
		if (r < 0)
			goto bad;
		if ((r = db_add(db, &e, lineno, &dup)) == -2)
			errf(err, errlen,
			    "%s:%zu: duplicate user \"%s\" "
			    "(first on line %zu)",
			    path, lineno, e.user, dup);
		if (r != 0) {
			pw_entry_clear(&e);
			if (r == -2)
				goto out;
			why = "out of memory";
			goto bad;
		}
	}
	if (ferror(fp)) {
		errf(err, errlen, "%s: read error: %s", path, strerror(errno));
		goto out;
	}
	if (make_dummy(db) == 0)
		rc = 0;
	else
		errf(err, errlen, "%s: out of memory", path);
	goto out;
bad:
	errf(err, errlen, "%s:%zu: %s", path, lineno, why);
out:
	mem_wipe(line, AUTH_LINE_MAX);
	free(line);
	return rc;
}

int
pw_load(const char *path, struct pw_db **db_r, char *err, size_t errlen)
{
	struct pw_db *db;
	FILE *fp;
	int rc;

	*db_r = NULL;
	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->slots = calloc(16, sizeof(*db->slots))) == NULL) {
		free(db);
		errf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	db->nslots = 16;
	if ((fp = fopen(path, "re")) == NULL) {
		errf(err, errlen, "%s: %s", path, strerror(errno));
		pw_free(&db);
		return -1;
	}
	rc = load_fp(fp, path, db, err, errlen);
	fclose(fp);
	if (rc != 0) {
		pw_free(&db);
		return -1;
	}
	*db_r = db;
	return 0;
}

const struct pw_entry *
pw_find(const struct pw_db *db, const char *user, size_t len)
{
	size_t k;

	if (db == NULL || !pw_user_valid(user, len))
		return NULL;
	k = db->slots[slot_of(db, user, len)];
	return k != 0 ? &db->ents[k - 1] : NULL;
}

size_t
pw_count(const struct pw_db *db)
{
	return db != NULL ? db->n : 0;
}

const struct pw_entry *
pw_entry_at(const struct pw_db *db, size_t i)
{
	return db != NULL && i < db->n ? &db->ents[i] : NULL;
}

int
pw_verify(const struct pw_db *db, const char *user, size_t ulen,
    const char *pass, size_t plen, const struct pw_entry **e_r)
{
	const struct pw_entry *e = pw_find(db, user, ulen);
	int r;

	if (e_r != NULL)
		*e_r = NULL;
	if (e == NULL) {
		/* Same work as a real check; the result cannot matter. */
		if (db != NULL)
			(void)pw_crypt_match(pass, plen, db->dummy);
		return 0;
	}
	r = pw_crypt_match(pass, plen, e->hash);
	if (r == 1 && e_r != NULL)
		*e_r = e;
	return r;
}

void
pw_free(struct pw_db **dbp)
{
	struct pw_db *db = *dbp;
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->n; i++)
		pw_entry_clear(&db->ents[i]);
	free(db->ents);
	free(db->lines);
	free(db->slots);
	free(db->dummy);
	free(db);
	*dbp = NULL;
}

int
pw_file_check_perms(const char *path, char *warn, size_t len)
{
	struct stat st;

	if (stat(path, &st) != 0) {
		errf(warn, len, "%s: %s", path, strerror(errno));
		return -1;
	}
	if ((st.st_mode & 0066) == 0)
		return 0;
	errf(warn, len,
	    "warning: %s has mode %04o: group or others can read "
	    "or write password hashes; run chmod 600 %s",
	    path, (unsigned)(st.st_mode & 07777), path);
	return 1;
}
