/* run.h: fetching one account from start to end: lock, recover unfinished
 * deliveries, log in, list, decide (new, oversize, due for deletion, mass
 * change of unique-ids), download through a pipelined window with
 * exactly-once bookkeeping, delete, quit. */
#ifndef POSTIE_FETCH_RUN_H
#define POSTIE_FETCH_RUN_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fetch/conf.h"
#include "fetch/deliver.h"
#include "fetch/listing.h"
#include "fetch/session.h"
#include "fetch/state.h"
#include "lib/buf.h"

struct fr_opts {
	bool all;           /* download messages already stored, again */
	bool dry_run;       /* only say what would happen */
	bool rebuild_state; /* mark what is on the server as seen */
	bool accept_new;    /* go on despite a mass change of unique-ids */
	const char *state_dir;
	const char *db_path;
	void (*say)(const char *line); /* dry-run output (stdout, locked) */
};

/* Live counters for the progress display (written by the worker). */
struct fr_progress {
	atomic_uint done, total;
	atomic_ullong bytes, total_bytes;
	atomic_int phase; /* enum fr_phase */
};

enum fr_phase { FR_CONNECT, FR_LIST, FR_FETCH, FR_DELETE, FR_DONE };

struct fr_result {
	int code; /* enum fx_code */
	char err[512];
	bool paused; /* mass change of unique-ids */
	uint32_t on_server, new_msgs, fetched, headers_only, skipped;
	uint32_t deleted, recovered, msg_errors, warnings, marked_seen;
	uint32_t undelivered; /* refused by the delivery command */
	char refusal[160];    /* last LMTP/SMTP refusal (escaped reply) */
	uint64_t bytes;       /* stored */
	uint64_t ms;          /* wall time */
	const char *mech;     /* login mechanism used */
	char tls[16];
	int64_t login_delay; /* server's LOGIN-DELAY (s), -1 unknown */
	int64_t expire;      /* server's EXPIRE (days), -1 none, -2 never */
};

/* Fetch account a (password pass) with options o. Always fills r; returns
 * r->code. p may be NULL. */
int fr_run(const struct fa_account *a, const char *pass,
    const struct fr_opts *o, struct fr_progress *p, struct fr_result *r);

/* ---- Internal to src/fetch (run, download, body, verify, deliver_spool) */

struct fr_job {
	uint32_t num; /* message number */
	bool headers; /* TOP n 0 instead of RETR (oversize policy) */
};

struct fr_ctx {
	const struct fa_account *a;
	const struct fr_opts *o;
	struct fr_result *r;
	struct fr_progress *p;
	struct fx_sess *s;
	struct fs_db *db;
	int64_t acct;
	int kind;        /* enum fs_kind of the destination */
	struct fd_md md; /* kind == FS_KIND_MAILDIR */
	struct fl_listing l;
	struct fs_known known;
	int64_t now;
	uint32_t window;
	uint32_t *deleted; /* numbers DELE'd with +OK */
	uint32_t ndeleted;
	struct fr_lmtp *lmtp; /* LMTP/SMTP connection, opened on first use */
};

/* Finish or undo deliveries whose intent record survived a crash. 0 or -1
 * (r->code set). */
int fr_recover(struct fr_ctx *c) __attribute__((warn_unused_result));
/* Download the jobs through the pipelined window. 0, or -1 when the session
 * failed (what was delivered is recorded). */
int fr_download(struct fr_ctx *c, const struct fr_job *jobs, size_t n)
    __attribute__((warn_unused_result));
/* DELE the messages nums[0..n) through the window; those answered +OK go
 * to c->deleted. 0 or -1. */
int fr_delete(struct fr_ctx *c, const uint32_t *nums, size_t n)
    __attribute__((warn_unused_result));
/* STAT, UIDL (or the TOP-hash fallback) and LIST into c->l. 0 or -1. */
int fr_list(struct fr_ctx *c) __attribute__((warn_unused_result));
/* Read a multi-line body, LF line ends, into o and/or mem (NULL: not; mem
 * keeps what fits). listed (the LIST size) sets the cap; *wire_r gets the
 * octets as sent. 0, or -1 (session failed). */
int fr_read_body(struct fr_ctx *c, struct fd_out *o, struct buf *mem,
    uint64_t listed, uint64_t *wire_r) __attribute__((warn_unused_result));
/* Settle an mbox intent after a crash (deliver_spool.c). 0 or -1. */
int fr_settle_mbox(struct fr_ctx *c, const struct fs_intent *in, bool *found_r,
    char sha[65], uint64_t *size_r) __attribute__((warn_unused_result));
/* Append a spooled message (SHA-256 sha) to the account's mbox: commit an
 * intent with its offset, lock, append (mboxrd), fsync, unlock. The offset
 * goes to loc. 0 or -1. */
int fr_mbox_deliver(struct fr_ctx *c, const char *uidl, int state, int spool,
    const char sha[65], char *loc, size_t loccap)
    __attribute__((warn_unused_result));
/* Give a spooled message to the account's delivery command on its stdin.
 * 0 delivered, 1 refused (temporary or permanent; logged), -1 failure. */
int fr_mda_deliver(struct fr_ctx *c, const char *uidl, int spool)
    __attribute__((warn_unused_result));
/* Hand a spooled message (SHA-256 sha, size octets) to the account's LMTP
 * or SMTP server (connecting on first use): an intent is committed, and
 * the delivery recorded as soon as the server accepted it. 0 delivered and
 * recorded, 1 refused (4xx or 5xx; logged, kept on the POP3 server), -1
 * failure (r->code set). */
int fr_lmtp_deliver(struct fr_ctx *c, const char *uidl, int state, int spool,
    const char sha[65], uint64_t size) __attribute__((warn_unused_result));
/* QUIT and close the LMTP/SMTP connection, if any. */
void fr_lmtp_close(struct fr_ctx *c);
/* --dry-run: print what would be fetched (with TOP subjects) and deleted.
 * 0 or -1. */
int fr_dry_run(struct fr_ctx *c, const struct fr_job *jobs, size_t n,
    const uint32_t *dele, size_t ndele) __attribute__((warn_unused_result));
/* Local failure: set r->code (if unset) and r->err; returns -1. */
int fr_fail(struct fr_ctx *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
