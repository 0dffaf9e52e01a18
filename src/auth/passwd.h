/* passwd.h: the users file and password hashing (libxcrypt crypt_r).
 * Format, one user per line ('#' comments and blank lines ignored):
 *     user:HASH[:uid:gid:gecos:home:shell:extra]
 * HASH is a crypt(3) string ($y$ yescrypt, $2b$ bcrypt, $6$ SHA-512-crypt),
 * optionally prefixed by a Dovecot scheme tag: {SHA512-CRYPT}, {BLF-CRYPT},
 * {CRYPT}, {YESCRYPT}. So Dovecot's passwd-file is read as it is. Extra
 * fields (Dovecot "userdb_mail=maildir:..." style key=value) are kept. */
#ifndef POSTIE_AUTH_PASSWD_H
#define POSTIE_AUTH_PASSWD_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "lib/limits.h"

struct pw_entry {
	char *user;
	char *hash;    /* crypt string, scheme tag removed */
	char *home;    /* "" when absent */
	char *mail;    /* from extra field "userdb_mail=" or "mail=", else "" */
	long uid, gid; /* -1 when absent */
	unsigned lock_failures; /* reserved for hard lockout (issue 3) */
	char *scram; /* extra field "scram-sha-256=" (validated), or NULL */
};

struct pw_db;

/* Parse one users-file line (no newline) into e, allocating its strings.
 * Returns 0, 1 for a comment/blank line (e untouched), or -1 with a static
 * reason in *why_r. Fuzz target. */
int pw_parse_line(
    const char *line, size_t len, struct pw_entry *e, const char **why_r);
/* Free the strings of an entry parsed by pw_parse_line. */
void pw_entry_clear(struct pw_entry *e);
/* Load a users file. On error returns -1 and writes "FILE:LINE: reason" into
 * err[0..errlen). Duplicate users are an error. */
int pw_load(const char *path, struct pw_db **db_r, char *err, size_t errlen);
/* Find an entry by exact user name, or NULL. */
const struct pw_entry *pw_find(
    const struct pw_db *db, const char *user, size_t len);
/* Number of users. */
size_t pw_count(const struct pw_db *db);
/* Verify a password with the same work for unknown users as for known ones
 * (an unknown user is checked against a dummy hash of the same scheme and
 * cost). Returns 1 and sets *e_r on success, 0 on mismatch or unknown user,
 * -1 on an internal error. Thread-safe (crypt_r). */
int pw_verify(const struct pw_db *db, const char *user, size_t ulen,
    const char *pass, size_t plen, const struct pw_entry **e_r);
/* Hash pass with a fresh salt. prefix: "$y$" (default when NULL), "$2b$" or
 * "$6$". Writes the crypt string into out. 0 or -1. */
int pw_hash(const char *pass, const char *prefix, char *out, size_t outlen);
/* Free the database; sets *db to NULL. */
void pw_free(struct pw_db **db);

/* Rewrite the users file atomically (temp file, fsync, rename) with user's
 * hash set (added if absent). Other lines, comments included, are kept. */
int pw_file_set(const char *path, const char *user, const char *hash, char *err,
    size_t errlen);
/* Remove user from the file atomically; -1 if absent or on error. */
int pw_file_del(const char *path, const char *user, char *err, size_t errlen);

/* Expand a mailbox template: %u user, %n local part, %d domain (empty when
 * the user has no '@'), %h home, %% a percent. Rejects user names that would
 * escape the template ("/", "..", leading "."). 0 or -1.
 * A leading "~/" (Dovecot's home shorthand, as in userdb_mail) means "%h/". */
int pw_mail_path(
    const char *tmpl, const struct pw_entry *e, char *out, size_t outlen);

/* Additions (see docs/users-file.md). */

/* Minimum password length enforced by pw_policy_check (bytes). */
#define PW_PASS_MIN 10

/* True if user[0..len) is a valid user name: 1..P3_USER_MAX bytes, none of
 * them ':', whitespace, a control character or NUL. */
bool pw_user_valid(const char *user, size_t len);
/* Scheme of a complete crypt string: "yescrypt", "bcrypt", "sha512-crypt",
 * or NULL when it is not one of these (or is malformed). */
const char *pw_scheme_name(const char *hash);
/* As pw_hash with an explicit cost; 0 picks postie's default (yescrypt 5,
 * bcrypt 10, SHA-512 100000 rounds). Ranges: yescrypt 1..11, bcrypt 4..31,
 * SHA-512 1000..999999999. 0 or -1. */
int pw_hash_cost(const char *pass, const char *prefix, unsigned long cost,
    char *out, size_t outlen) __attribute__((warn_unused_result));
/* Hash pass[0..plen) with the setting of hash (crypt_rn, heap work area that
 * is wiped) and compare with hash in constant time. 1 match, 0 no, -1 error. */
int pw_crypt_match(const char *pass, size_t plen, const char *hash);
/* The i-th entry in file order (i < pw_count(db)), for listing. */
const struct pw_entry *pw_entry_at(const struct pw_db *db, size_t i);
/* Check the mode of a users file: 0 if only the owner may read it, 1 with a
 * warning in warn[0..len) if group or other may, -1 if stat fails. */
int pw_file_check_perms(const char *path, char *warn, size_t len);

enum pw_edit {
	PW_EDIT_SET,     /* add or replace */
	PW_EDIT_ADD,     /* add; the user must be absent */
	PW_EDIT_REPLACE, /* replace; the user must exist */
	PW_EDIT_DEL,     /* remove; the user must exist (hash unused) */
};
/* The atomic rewrite behind pw_file_set and pw_file_del (flock on
 * "<path>.lock"). Returns 0, -1 on a file error, or -2 when the user exists
 * (ADD) or is absent (REPLACE, DEL); err says why. */
int pw_file_edit(const char *path, const char *user, const char *hash,
    enum pw_edit mode, char *err, size_t errlen);
/* Password policy: libpwquality (its config file, the user name so that a
 * password containing it fails) and at least PW_PASS_MIN bytes.
 * 0 ok, -1 with the reason in why[0..whylen). */
int pw_policy_check(
    const char *user, const char *pass, char *why, size_t whylen);

/* SCRAM-SHA-256 keys (RFC 5802, 7677), Dovecot's {SCRAM-SHA-256} value:
 * "ITER,SALT,STOREDKEY,SERVERKEY", salt and keys in base64. */
#define PW_SCRAM_KEY_LEN  32 /* SHA-256 */
#define PW_SCRAM_KEY_B64  44
#define PW_SCRAM_SALT_B64 (4 * ((AUTH_SCRAM_SALT_MAX + 2) / 3))

struct pw_scram {
	unsigned long iter;
	char salt[PW_SCRAM_SALT_B64 + 1];  /* base64, as in the file */
	char stored[PW_SCRAM_KEY_B64 + 1]; /* base64 StoredKey */
	char server[PW_SCRAM_KEY_B64 + 1]; /* base64 ServerKey */
};

/* Parse and check a SCRAM value v[0..len): iterations in
 * AUTH_SCRAM_ITER_MIN..MAX, a salt of AUTH_SCRAM_SALT_MIN..MAX bytes and two
 * 32-byte keys, all canonical base64. 0, or -1 with a static reason. */
int pw_scram_parse(const char *v, size_t len, struct pw_scram *k,
    const char **why_r) __attribute__((warn_unused_result));
/* Derive SCRAM-SHA-256 keys for pass (SASLprep'd by GNU SASL) with a fresh
 * AUTH_SCRAM_SALT_LEN-byte salt and iter rounds into out as
 * "ITER,SALT,STOREDKEY,SERVERKEY". 0 or -1. */
int pw_scram_make(const char *pass, unsigned long iter, char *out,
    size_t outlen) __attribute__((warn_unused_result));
/* As pw_file_edit, and also set the user's "scram-sha-256=" extra field to
 * scram (NULL: remove it, so no key of an old password survives). */
int pw_file_edit_scram(const char *path, const char *user, const char *hash,
    const char *scram, enum pw_edit mode, char *err, size_t errlen);

#endif
