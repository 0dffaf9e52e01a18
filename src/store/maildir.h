/* maildir.h: a Maildir opened for one POP3 session.
 * Opening reads only directory entries (new/ and cur/) and the size cache;
 * it never reads message bodies unless a size is unknown (no ,W= in the name
 * and not cached), in which case the size is computed once and the cache is
 * rewritten atomically. One session per Maildir: an flock on
 * <maildir>/postie.lock, which works between and within processes. */
#ifndef POSTIE_STORE_MAILDIR_H
#define POSTIE_STORE_MAILDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/limits.h"

#define MD_LOCK_FILE  "postie.lock"
#define MD_SIZE_CACHE "postie.sizes"
/* Sizes without NULs (opts.drop_nul) are cached apart, never mixed. */
#define MD_SIZE_CACHE_NONUL "postie.sizes-nonul"

/* What went wrong, so the server can choose the RFC 2449/3206 code. */
enum md_err {
	MD_OK = 0,
	MD_ERR_INUSE, /* another session holds the lock: [IN-USE] */
	MD_ERR_TEMP,  /* transient I/O trouble: [SYS/TEMP] */
	MD_ERR_PERM /* missing/invalid Maildir, too many messages: [SYS/PERM] */
};

/* Parsed Maildir file name "base[:2,FLAGS]" with Dovecot ",S=n" / ",W=n". */
struct md_name {
	size_t base_len; /* bytes before ':' (the whole name if none) */
	int64_t s_size;  /* ,S= value or -1 */
	int64_t w_size;  /* ,W= value or -1 */
	bool has_info;   /* ":2," present */
	bool seen;       /* 'S' among the flags */
};

struct md_msg {
	char *name;         /* file name inside its directory (in md's arena) */
	const char *hashed; /* "~" + SHA-256 hex UIDL (NUL-terminated), or NULL
			     * when the base itself is the UIDL (md_uidl) */
	uint64_t size;      /* octets as sent (CRLF, before dot-stuffing) */
	uint16_t base_len;  /* octets before ':' in name */
	bool in_new;        /* lives in new/ (else cur/) */
	bool deleted;       /* marked by DELE (cleared by RSET) */
	bool retrieved;     /* sent by RETR (or TOP with whole body) */
};

struct md_block; /* a block of the name arena (maildir.c) */

struct md_opts {
	bool drop_nul;  /* sizes exclude NULs (Outlook workaround) */
	bool mark_seen; /* commit moves retrieved new/ mail to cur/ with S */
	char seen_flag; /* flag letter to add, default 'S' */
};

struct maildir {
	char *path;
	int lock_fd;
	struct md_opts opts;
	struct md_msg *msgs; /* sorted by base name (delivery order) */
	uint32_t count;
	uint64_t total_size;
	uint32_t sizes_computed; /* how many sizes were not known at open */
	struct md_block *arena;  /* names and UIDLs, freed by md_close */
	/* Directory fds of the Maildir, its new/ and cur/: open only inside
	 * md_open, md_msg_open and md_commit (md_dirs), else -1, so an idle
	 * session holds just lock_fd. */
	int dir_fd;
	int new_fd;
	int cur_fd;
};

/* Parse a Maildir file name (fuzz target). Returns 0, or -1 if it is not a
 * plausible message name (empty, starts with '.', contains '/' or NUL, longer
 * than STORE_NAME_MAX, empty base). Malformed ,S=/,W= fields are ignored. */
int md_name_parse(const char *name, size_t len, struct md_name *r);
/* Derive the UIDL from a base name: the base itself when it is 1..70 octets of
 * 0x21..0x7E; otherwise "~" followed by 64 hex digits of its SHA-256 (no
 * valid base starts with "~" followed by 64 hex digits by convention). */
void md_uidl_from_base(const char *base, size_t len, char out[P3_UIDL_MAX + 1]);
/* Open and lock path, list its messages (blocks on disk I/O). 0 on success;
 * -1 with *err_r set and a static message in *why_r. o == NULL means all
 * options off; seen_flag 0 means 'S', one outside A-Za-z is PERM. Entries of
 * new/ and cur/ with the same base (a concurrent move) are listed once, the
 * cur/ one. A size cache that cannot be written only logs a warning. */
int md_open(const char *path, const struct md_opts *o, struct maildir **md_r,
    enum md_err *err_r, const char **why_r);
/* The UIDL of message i (0-based, < count): *len_r octets at the returned
 * pointer, not NUL-terminated (the base of its name, or the hashed form). */
const char *md_uidl(const struct maildir *md, uint32_t i, size_t *len_r);
/* The same, NUL-terminated, into out. */
void md_uidl_copy(
    const struct maildir *md, uint32_t i, char out[P3_UIDL_MAX + 1]);
/* Open message i (0-based) read-only; follows a concurrent new/->cur/ rename
 * or flag change (updating msgs[i].name and in_new). Returns an fd the caller
 * closes, or -1 (errno set: ENOENT if the message is gone). */
int md_msg_open(struct maildir *md, uint32_t i);
/* UPDATE state: unlink deleted messages; when opts.mark_seen, give retrieved
 * ones the seen flag (new/ -> cur/, or a rename within cur/; an existing
 * target is never replaced). Returns the number of failures (0 = all done);
 * *deleted_r gets the count removed (one already gone counts). */
int md_commit(struct maildir *md, uint32_t *deleted_r);
/* Release the lock and memory without touching any message. Sets *md to NULL.
 */
void md_close(struct maildir **md);

/* ---- Internal to src/store (shared between its .c files) ---------------- */

/* A size looked up in or written to the sidecar cache. */
struct md_sizereq {
	const char *base; /* base name, not NUL-terminated */
	size_t base_len;
	uint64_t size;
	bool known; /* size is valid (found in the cache or computed) */
};

/* Build the name that carries flag: "base:2,FLAGS" with flag inserted in
 * ASCII order (info other than ":2," is replaced). Writes a NUL-terminated
 * name into out[0..cap); returns its length, 0 if name already has the flag,
 * -1 if the result does not fit or name is not a message name. */
int md_name_with_flag(const char *name, size_t len, char flag, char *out,
    size_t cap) __attribute__((warn_unused_result));
/* True if name (NUL-terminated) has exactly this base (before ':' or end). */
bool md_name_has_base(const char *name, const char *base, size_t base_len);
/* Fill req[i].size/known from the cache file `file` in dir_fd (a missing
 * file is not an error; corrupt or over-long lines are skipped). *stale_r gets
 * the lines that matched no request. 0, or -1 with errno on a read error. */
int md_cache_load(int dir_fd, const char *file, struct md_sizereq *req,
    uint32_t n, uint32_t *stale_r) __attribute__((warn_unused_result));
/* Atomically replace the cache with the known entries of req: write
 * file.tmp.<pid>, fsync, rename. 0, or -1 with errno (the old file stays). */
int md_cache_save(int dir_fd, const char *file, const struct md_sizereq *req,
    uint32_t n) __attribute__((warn_unused_result));
/* Find a regular file with this base in directory dir_fd (new/ or cur/),
 * e.g. after a concurrent rename. 0 with a malloc'd *name_r, 1 if there is
 * none, -1 with errno. */
int md_find_base(int dir_fd, const char *base, size_t base_len, char **name_r)
    __attribute__((warn_unused_result));
/* md_name_parse for a directory entry's name (len = strlen, so without NUL
 * or '/'): the same result without looking for them. */
int md_name_parse_entry(const char *name, size_t len, struct md_name *r);
/* Copy name[0..len) NUL-terminated into md's arena (freed by md_close).
 * NULL when out of memory. */
char *md_keep(struct maildir *md, const char *name, size_t len)
    __attribute__((warn_unused_result));
/* True if base[0..len) is usable as its own UIDL: 1..70 octets of 0x21..0x7E.
 */
bool md_uidl_plain(const char *base, size_t len);
/* Open new/ and cur/ (and the Maildir) by path unless open. 0, or -1 with
 * errno. md_dirs_close closes them again. */
int md_dirs(struct maildir *md) __attribute__((warn_unused_result));
void md_dirs_close(struct maildir *md);
/* Find m again after its file vanished: first in the other directory (a
 * new/ -> cur/ move), then in its own (a flag change); updates name and
 * in_new. 0, or -1 with errno (ENOENT when it is really gone). */
int md_relocate(struct maildir *md, struct md_msg *m)
    __attribute__((warn_unused_result));

#endif
