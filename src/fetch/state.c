/* state.c: the SQLite state database of postie fetch. One connection per
 * account worker; WAL lets workers of parallel accounts share the file and
 * synchronous=FULL makes every committed step durable before the next. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "fetch/state.h"
#include "lib/num.h"
#include "lib/util.h"

enum { Q_INTENT_ADD, Q_INTENT_DEL, Q_RECORD, Q_PRESENT, Q_COUNT };

static const char *const queries[Q_COUNT] = {
    "INSERT OR REPLACE INTO intent(account, uidl, kind, dest, location,"
    " sha256, state, created)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, strftime('%s'))",
    "DELETE FROM intent WHERE account = ?1 AND uidl = ?2",
    "INSERT OR REPLACE INTO msg(account, uidl, state, stored_at, size,"
    " sha256, kind, dest, location, on_server)"
    " VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, 1)",
    "UPDATE msg SET on_server = ?3 WHERE account = ?1 AND uidl = ?2",
};

struct fs_db {
	sqlite3 *db;
	sqlite3_stmt *q[Q_COUNT];
};

static const char schema[] =
    "PRAGMA journal_mode = WAL;"
    "PRAGMA synchronous = FULL;"
    "CREATE TABLE IF NOT EXISTS account("
    " id INTEGER PRIMARY KEY, host TEXT NOT NULL, port INTEGER NOT NULL,"
    " user TEXT NOT NULL, last_login INTEGER NOT NULL DEFAULT 0,"
    " UNIQUE(host, port, user));"
    "CREATE TABLE IF NOT EXISTS msg("
    " account INTEGER NOT NULL, uidl TEXT NOT NULL, state INTEGER NOT NULL,"
    " stored_at INTEGER NOT NULL, size INTEGER NOT NULL DEFAULT 0,"
    " sha256 TEXT, kind INTEGER NOT NULL DEFAULT 0, dest TEXT,"
    " location TEXT, on_server INTEGER NOT NULL DEFAULT 1,"
    " PRIMARY KEY(account, uidl)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS intent("
    " account INTEGER NOT NULL, uidl TEXT NOT NULL, kind INTEGER NOT NULL,"
    " dest TEXT NOT NULL, location TEXT NOT NULL, sha256 TEXT,"
    " state INTEGER NOT NULL DEFAULT 1,"
    " created INTEGER NOT NULL, PRIMARY KEY(account, uidl));";

int64_t
fs_now(void)
{
	const char *f = getenv("POSTIE_FAKE_NOW");
	uint64_t v;

	if (f != NULL && num_parse_str(f, 0, INT64_MAX, &v) == 0)
		return (int64_t)v;
	return (int64_t)time(NULL);
}

/* mkdir -p with mode 0700 for the components we create. */
static int
mkdirs(char *path)
{
	char *p;

	for (p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return -1;
	return 0;
}

int
fs_state_dir(char *out, size_t cap)
{
	const char *x = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (x != NULL && x[0] == '/')
		n = str_fmt(out, cap, "%s/postie", x);
	else if (home != NULL && home[0] == '/')
		n = str_fmt(out, cap, "%s/.local/state/postie", home);
	else
		return -1;
	if (n < 0 || mkdirs(out) < 0)
		return -1;
	return 0;
}

const char *
fs_errmsg(struct fs_db *db)
{
	return db != NULL && db->db != NULL ? sqlite3_errmsg(db->db)
					    : "no database";
}

int
fs_open(const char *path, struct fs_db **db_r, char *why, size_t whycap)
{
	struct fs_db *db = calloc(1, sizeof(*db));
	int i;

	*db_r = NULL;
	if (db == NULL)
		return -1;
	if (sqlite3_open_v2(path, &db->db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
		    SQLITE_OPEN_NOMUTEX,
		NULL) != SQLITE_OK)
		goto fail;
	(void)chmod(path, 0600);
	sqlite3_busy_timeout(db->db, 60000);
	if (sqlite3_exec(db->db, schema, NULL, NULL, NULL) != SQLITE_OK)
		goto fail;
	for (i = 0; i < Q_COUNT; i++)
		if (sqlite3_prepare_v3(db->db, queries[i], -1,
			SQLITE_PREPARE_PERSISTENT, &db->q[i],
			NULL) != SQLITE_OK)
			goto fail;
	*db_r = db;
	return 0;
fail:
	if (str_fmt(why, whycap, "state database %s: %s", path,
		db->db != NULL ? sqlite3_errmsg(db->db) : "cannot open") < 0 &&
	    whycap > 0)
		why[whycap - 1] = '\0';
	fs_close(db);
	return -1;
}

void
fs_close(struct fs_db *db)
{
	int i;

	if (db == NULL)
		return;
	for (i = 0; i < Q_COUNT; i++)
		sqlite3_finalize(db->q[i]);
	sqlite3_close(db->db);
	free(db);
}

int
fs_account(struct fs_db *db, const char *host, unsigned port, const char *user,
    int64_t *id_r)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db->db,
		"INSERT INTO account(host, port, user) VALUES(?1, ?2, ?3)"
		" ON CONFLICT(host, port, user) DO UPDATE SET port = port"
		" RETURNING id",
		-1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_text(st, 1, host, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 2, (int)port);
	sqlite3_bind_text(st, 3, user, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*id_r = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
fs_begin(struct fs_db *db)
{
	return sqlite3_exec(db->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) ==
		       SQLITE_OK
		   ? 0
		   : -1;
}

int
fs_commit(struct fs_db *db)
{
	return sqlite3_exec(db->db, "COMMIT", NULL, NULL, NULL) == SQLITE_OK
		   ? 0
		   : -1;
}

void
fs_rollback(struct fs_db *db)
{
	(void)sqlite3_exec(db->db, "ROLLBACK", NULL, NULL, NULL);
}

/* Run a cached statement that returns no rows. */
static int
run(sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	sqlite3_clear_bindings(st);
	return rc == SQLITE_DONE ? 0 : -1;
}

static void
bind_opt_text(sqlite3_stmt *st, int i, const char *s)
{
	if (s != NULL && s[0] != '\0')
		sqlite3_bind_text(st, i, s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

int
fs_intent_add(struct fs_db *db, int64_t acct, const char *uidl, int kind,
    int state, const char *dest, const char *location, const char *sha256)
{
	sqlite3_stmt *st = db->q[Q_INTENT_ADD];

	sqlite3_bind_int64(st, 1, acct);
	sqlite3_bind_text(st, 2, uidl, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, kind);
	sqlite3_bind_text(st, 4, dest, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, location, -1, SQLITE_STATIC);
	bind_opt_text(st, 6, sha256);
	sqlite3_bind_int(st, 7, state);
	return run(st);
}

int
fs_intent_del(struct fs_db *db, int64_t acct, const char *uidl)
{
	sqlite3_stmt *st = db->q[Q_INTENT_DEL];

	sqlite3_bind_int64(st, 1, acct);
	sqlite3_bind_text(st, 2, uidl, -1, SQLITE_STATIC);
	return run(st);
}

int
fs_record(struct fs_db *db, int64_t acct, const char *uidl, int state,
    int64_t now, uint64_t size, const char *sha256, int kind, const char *dest,
    const char *location)
{
	sqlite3_stmt *st = db->q[Q_RECORD];

	sqlite3_bind_int64(st, 1, acct);
	sqlite3_bind_text(st, 2, uidl, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, state);
	sqlite3_bind_int64(st, 4, now);
	sqlite3_bind_int64(st, 5, size > INT64_MAX ? INT64_MAX : (int64_t)size);
	bind_opt_text(st, 6, sha256);
	sqlite3_bind_int(st, 7, kind);
	bind_opt_text(st, 8, dest);
	bind_opt_text(st, 9, location);
	return run(st);
}

int
fs_set_present(struct fs_db *db, int64_t acct, const char *uidl, bool present)
{
	sqlite3_stmt *st = db->q[Q_PRESENT];

	sqlite3_bind_int64(st, 1, acct);
	sqlite3_bind_text(st, 2, uidl, -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 3, present ? 1 : 0);
	return run(st);
}

int
fs_clear_present(struct fs_db *db, int64_t acct)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db->db,
		"UPDATE msg SET on_server = 0 WHERE account = ?1", -1, &st,
		NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, acct);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

/* Copy a text column into dst[0..cap) ("" for NULL); -1 if too long. */
static int
col_text(sqlite3_stmt *st, int i, char *dst, size_t cap)
{
	const unsigned char *t = sqlite3_column_text(st, i);

	if (t == NULL) {
		dst[0] = '\0';
		return 0;
	}
	return str_copy(dst, (const char *)t, cap);
}

int
fs_known_load(struct fs_db *db, int64_t acct, struct fs_known *k)
{
	sqlite3_stmt *st = NULL;
	size_t cap = 0;
	int rc;

	k->v = NULL;
	k->n = 0;
	if (sqlite3_prepare_v2(db->db,
		"SELECT uidl, state, stored_at, on_server FROM msg"
		" WHERE account = ?1 ORDER BY uidl",
		-1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, acct);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct fs_seen *s;

		if (k->n == cap) {
			size_t ncap = cap == 0 ? 1024 : cap * 2;
			void *nv;

			if (ncap > 4 * (size_t)FETCH_MSGS_MAX ||
			    (nv = reallocarray(k->v, ncap, sizeof(*k->v))) ==
				NULL)
				goto fail;
			k->v = nv;
			cap = ncap;
		}
		s = &k->v[k->n];
		if (col_text(st, 0, s->uidl, sizeof(s->uidl)) < 0)
			continue; /* cannot be one of ours */
		s->state = sqlite3_column_int(st, 1);
		s->stored_at = sqlite3_column_int64(st, 2);
		s->on_server = sqlite3_column_int(st, 3) != 0;
		k->n++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return 0;
fail:
	sqlite3_finalize(st);
	fs_known_free(k);
	return -1;
}

static int
cmp_seen(const void *key, const void *elt)
{
	return strcmp(key, ((const struct fs_seen *)elt)->uidl);
}

const struct fs_seen *
fs_known_find(const struct fs_known *k, const char *uidl)
{
	if (k->n == 0)
		return NULL;
	return bsearch(uidl, k->v, k->n, sizeof(*k->v), cmp_seen);
}

void
fs_known_free(struct fs_known *k)
{
	free(k->v);
	k->v = NULL;
	k->n = 0;
}

int
fs_intents(struct fs_db *db, int64_t acct, struct fs_intent **v_r, size_t *n_r)
{
	sqlite3_stmt *st = NULL;
	struct fs_intent *v = NULL;
	size_t n = 0, cap = 0;
	int rc;

	if (sqlite3_prepare_v2(db->db,
		"SELECT uidl, kind, dest, location, sha256, state FROM intent"
		" WHERE account = ?1",
		-1, &st, NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, acct);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (n == cap) {
			size_t ncap = cap == 0 ? 16 : cap * 2;
			void *nv;

			if (ncap > FETCH_MSGS_MAX ||
			    (nv = reallocarray(v, ncap, sizeof(*v))) == NULL)
				goto fail;
			v = nv;
			cap = ncap;
		}
		if (col_text(st, 0, v[n].uidl, sizeof(v[n].uidl)) < 0 ||
		    col_text(st, 2, v[n].dest, sizeof(v[n].dest)) < 0 ||
		    col_text(st, 3, v[n].location, sizeof(v[n].location)) < 0 ||
		    col_text(st, 4, v[n].sha256, sizeof(v[n].sha256)) < 0)
			goto fail;
		v[n].kind = sqlite3_column_int(st, 1);
		v[n].state = sqlite3_column_int(st, 5);
		n++;
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	*v_r = v;
	*n_r = n;
	return 0;
fail:
	sqlite3_finalize(st);
	free(v);
	return -1;
}

int
fs_set_last_login(struct fs_db *db, int64_t acct, int64_t t)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (sqlite3_prepare_v2(db->db,
		"UPDATE account SET last_login = ?2 WHERE id = ?1", -1, &st,
		NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, acct);
	sqlite3_bind_int64(st, 2, t);
	rc = sqlite3_step(st) == SQLITE_DONE ? 0 : -1;
	sqlite3_finalize(st);
	return rc;
}

int
fs_last_login(struct fs_db *db, int64_t acct, int64_t *t_r)
{
	sqlite3_stmt *st = NULL;
	int rc = -1;

	if (sqlite3_prepare_v2(db->db,
		"SELECT last_login FROM account WHERE id = ?1", -1, &st,
		NULL) != SQLITE_OK)
		return -1;
	sqlite3_bind_int64(st, 1, acct);
	if (sqlite3_step(st) == SQLITE_ROW) {
		*t_r = sqlite3_column_int64(st, 0);
		rc = 0;
	}
	sqlite3_finalize(st);
	return rc;
}

int
fs_each_stored(struct fs_db *db, int64_t acct,
    int (*fn)(void *arg, const struct fs_row *r), void *arg)
{
	sqlite3_stmt *st = NULL;
	struct fs_row *r;
	int rc;

	r = malloc(sizeof(*r));
	if (r == NULL)
		return -1;
	if (sqlite3_prepare_v2(db->db,
		"SELECT a.host, a.port, a.user, m.uidl, m.kind, m.state,"
		" m.dest, m.location, m.sha256, m.size FROM msg m"
		" JOIN account a ON a.id = m.account"
		" WHERE m.sha256 IS NOT NULL AND (?1 < 0 OR m.account = ?1)"
		" ORDER BY m.account, m.dest, m.location",
		-1, &st, NULL) != SQLITE_OK) {
		free(r);
		return -1;
	}
	sqlite3_bind_int64(st, 1, acct);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		memset(r, 0, sizeof(*r));
		if (col_text(st, 0, r->host, sizeof(r->host)) < 0 ||
		    col_text(st, 2, r->user, sizeof(r->user)) < 0 ||
		    col_text(st, 3, r->uidl, sizeof(r->uidl)) < 0 ||
		    col_text(st, 6, r->dest, sizeof(r->dest)) < 0 ||
		    col_text(st, 7, r->location, sizeof(r->location)) < 0 ||
		    col_text(st, 8, r->sha256, sizeof(r->sha256)) < 0)
			continue;
		r->port = (unsigned)sqlite3_column_int(st, 1);
		r->kind = sqlite3_column_int(st, 4);
		r->state = sqlite3_column_int(st, 5);
		r->size = (uint64_t)sqlite3_column_int64(st, 9);
		if (fn(arg, r) != 0) {
			rc = SQLITE_DONE;
			break;
		}
	}
	sqlite3_finalize(st);
	free(r);
	return rc == SQLITE_DONE ? 0 : -1;
}

int
fs_lock_account(
    const char *state_dir, const char *host, unsigned port, const char *user)
{
	static const char hex[] = "0123456789abcdef";
	char key[FETCH_HOST_MAX + P3_USER_MAX + 16], path[FETCH_PATH_MAX + 64];
	char name[17];
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	size_t i, len;
	int fd, n;

	n = str_fmt(key, sizeof(key), "%s\n%u\n%s", host, port, user);
	if (n < 0)
		return -1;
	len = (size_t)n;
	for (i = 0; i < len; i++) {
		h ^= (unsigned char)key[i];
		h *= 1099511628211ULL;
	}
	for (i = 0; i < 16; i++)
		name[i] = hex[(h >> (60 - 4 * i)) & 15];
	name[16] = '\0';
	if (str_fmt(path, sizeof(path), "%s/locks", state_dir) < 0 ||
	    (mkdir(path, 0700) < 0 && errno != EEXIST) ||
	    str_fmt(path, sizeof(path), "%s/locks/%s.lock", state_dir, name) <
		0)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		close(fd);
		return errno == EWOULDBLOCK ? -2 : -1;
	}
	return fd;
}
