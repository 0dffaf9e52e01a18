/* state.h: the retriever's state in one SQLite file (WAL, synchronous FULL)
 * under $XDG_STATE_HOME/postie (else ~/.local/state/postie). Per account,
 * keyed by (host, port, user): which unique-ids were stored (with the
 * SHA-256 of the stored bytes and where), and intent records written before
 * a message is delivered so that a crash in between is recognised. */
#ifndef POSTIE_FETCH_STATE_H
#define POSTIE_FETCH_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/limits.h"

struct fs_db;

enum fs_state {
	FS_STORED = 1, /* delivered whole; sha256 is of the stored bytes */
	FS_SEEN = 2,   /* marked seen by --rebuild-state, never downloaded */
	FS_HEADERS = 3 /* oversize: only the headers were stored */
};

enum fs_kind {
	FS_KIND_MAILDIR = 0,
	FS_KIND_MBOX = 1,
	FS_KIND_MDA = 2,
	FS_KIND_LMTP = 3 /* handed to an LMTP or SMTP server */
};

struct fs_seen {
	char uidl[P3_UIDL_MAX + 1];
	int state;         /* enum fs_state */
	int64_t stored_at; /* unix time of delivery */
	bool on_server;    /* present in the last listing we saw */
};

/* All known unique-ids of an account, sorted for fs_known_find. */
struct fs_known {
	struct fs_seen *v;
	size_t n;
};

struct fs_intent {
	char uidl[P3_UIDL_MAX + 1];
	int kind;                          /* enum fs_kind */
	int state;                         /* enum fs_state once delivered */
	char dest[FETCH_PATH_MAX];         /* Maildir, mbox or command */
	char location[STORE_NAME_MAX + 1]; /* file name or mbox offset */
	char sha256[65];                   /* "" until known (mbox) */
};

/* A stored message, for postie verify. */
struct fs_row {
	char host[FETCH_HOST_MAX + 1];
	char user[P3_USER_MAX + 1];
	unsigned port;
	char uidl[P3_UIDL_MAX + 1];
	int kind;
	int state;
	char dest[FETCH_PATH_MAX];
	char location[STORE_NAME_MAX + 1];
	char sha256[65];
	uint64_t size;
};

/* The state directory (created 0700 if missing) into out. 0 or -1. */
int fs_state_dir(char *out, size_t cap) __attribute__((warn_unused_result));
/* Open (creating) the database at path. 0, or -1 with why set. */
int fs_open(const char *path, struct fs_db **db_r, char *why, size_t whycap)
    __attribute__((warn_unused_result));
/* Close the database (NULL is fine). */
void fs_close(struct fs_db *db);
/* The last SQLite error message. */
const char *fs_errmsg(struct fs_db *db);
/* Find or create the account row for (host, port, user). 0 or -1. */
int fs_account(struct fs_db *db, const char *host, unsigned port,
    const char *user, int64_t *id_r) __attribute__((warn_unused_result));
/* Transactions (BEGIN IMMEDIATE / COMMIT / ROLLBACK). 0 or -1. */
int fs_begin(struct fs_db *db) __attribute__((warn_unused_result));
int fs_commit(struct fs_db *db) __attribute__((warn_unused_result));
void fs_rollback(struct fs_db *db);
/* Load every known unique-id of an account. 0 or -1. */
int fs_known_load(struct fs_db *db, int64_t acct, struct fs_known *k)
    __attribute__((warn_unused_result));
/* Binary search; NULL if uidl is unknown. */
const struct fs_seen *fs_known_find(const struct fs_known *k, const char *uidl);
void fs_known_free(struct fs_known *k);
/* Record an intent to deliver uidl to dest/location as state (replacing
 * any older intent for it). sha256 may be NULL. 0 or -1. */
int fs_intent_add(struct fs_db *db, int64_t acct, const char *uidl, int kind,
    int state, const char *dest, const char *location, const char *sha256)
    __attribute__((warn_unused_result));
/* Remove the intent for uidl. 0 or -1. */
int fs_intent_del(struct fs_db *db, int64_t acct, const char *uidl)
    __attribute__((warn_unused_result));
/* All intents of an account (malloc'd array). 0 or -1. */
int fs_intents(struct fs_db *db, int64_t acct, struct fs_intent **v_r,
    size_t *n_r) __attribute__((warn_unused_result));
/* Insert or replace the record of uidl. sha256 may be NULL. 0 or -1. */
int fs_record(struct fs_db *db, int64_t acct, const char *uidl, int state,
    int64_t now, uint64_t size, const char *sha256, int kind, const char *dest,
    const char *location) __attribute__((warn_unused_result));
/* Set on_server for every record of acct to false (then fs_set_present for
 * those listed). 0 or -1. */
int fs_clear_present(struct fs_db *db, int64_t acct)
    __attribute__((warn_unused_result));
/* Set on_server of uidl to present. 0 or -1. */
int fs_set_present(struct fs_db *db, int64_t acct, const char *uidl,
    bool present) __attribute__((warn_unused_result));
/* Remember / read the time of the last successful login (LOGIN-DELAY). */
int fs_set_last_login(struct fs_db *db, int64_t acct, int64_t t)
    __attribute__((warn_unused_result));
int fs_last_login(struct fs_db *db, int64_t acct, int64_t *t_r)
    __attribute__((warn_unused_result));
/* Call fn for every record with a SHA-256 (stored or headers), of all
 * accounts (acct < 0) or one. Stops if fn returns non-zero. 0 or -1. */
int fs_each_stored(struct fs_db *db, int64_t acct,
    int (*fn)(void *arg, const struct fs_row *r), void *arg)
    __attribute__((warn_unused_result));
/* Take the per-account lock (flock on a file in the state directory) so two
 * runs never fetch one account at once. fd >= 0, -2 if held, -1 error. */
int fs_lock_account(const char *state_dir, const char *host, unsigned port,
    const char *user) __attribute__((warn_unused_result));
/* The current time: POSTIE_FAKE_NOW (unix seconds) if set, for tests. */
int64_t fs_now(void);

#endif
