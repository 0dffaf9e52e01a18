/* deliver.h: local destinations for fetched mail. A message is streamed
 * through an fd_out (buffered writes plus a running SHA-256 of the stored
 * bytes) into a Maildir (tmp/, fsync, rename into new/), an mboxrd file
 * (fcntl + dotlock) or a delivery command's stdin. */
#ifndef POSTIE_FETCH_DELIVER_H
#define POSTIE_FETCH_DELIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/limits.h"

struct fd_out {
	int fd;
	void *sha;     /* EVP_MD_CTX */
	uint64_t size; /* bytes written */
	size_t blen;
	uint8_t *buf; /* FETCH_IO_BUF bytes */
	bool failed;
	int err; /* errno of the first failure */
};

/* Start writing to fd (which the fd_out then owns). 0 or -1 (no memory). */
int fd_out_init(struct fd_out *o, int fd) __attribute__((warn_unused_result));
/* Append bytes (buffered, hashed). 0, or -1 after any write error. */
int fd_out_write(struct fd_out *o, const void *p, size_t len)
    __attribute__((warn_unused_result));
/* Hash and count bytes without writing them anywhere. 0 or -1. */
int fd_out_hash_only(struct fd_out *o, const void *p, size_t len)
    __attribute__((warn_unused_result));
/* An unnamed temporary file in dir (O_TMPFILE, else mkstemp + unlink) for
 * spooling a message. fd or -1. */
int fd_spool_open(const char *dir) __attribute__((warn_unused_result));
/* Flush the buffer; with sync, fsync the file too. 0 or -1. */
int fd_out_flush(struct fd_out *o, bool sync)
    __attribute__((warn_unused_result));
/* Finish: lower-case hex SHA-256 of all bytes written into hex. Does not
 * close the fd. */
void fd_out_digest(struct fd_out *o, char hex[65]);
/* Free the buffer and hash state and close the fd (if >= 0). */
void fd_out_free(struct fd_out *o);
/* SHA-256 (hex) and size of a whole open file. 0 or -1. */
int fd_hash_file(int fd, char hex[65], uint64_t *size_r)
    __attribute__((warn_unused_result));

/* ---- Maildir ---------------------------------------------------------- */

struct fd_md {
	char path[FETCH_PATH_MAX];
	int dir_fd, tmp_fd, new_fd, cur_fd;
	unsigned seq;
	char host[64]; /* sanitized host name for file names */
	char (*pend)[STORE_NAME_MAX + 1]; /* complete in tmp/, not synced */
	size_t npend, pcap;
};

/* Open (creating tmp/ new/ cur/ with mode 0700 if missing) a Maildir.
 * 0, or -1 with why set. */
int fd_md_open(struct fd_md *md, const char *path, char *why, size_t whycap)
    __attribute__((warn_unused_result));
void fd_md_close(struct fd_md *md);
/* A new unique file name "time.MusecPpidQseqRrand.host". 0 or -1. */
int fd_md_newname(struct fd_md *md, char *name, size_t cap)
    __attribute__((warn_unused_result));
/* Create tmp/name exclusively and start o on it. 0 or -1 (errno). */
int fd_md_begin(struct fd_md *md, const char *name, struct fd_out *o)
    __attribute__((warn_unused_result));
/* Flush and close o: tmp/name is complete. It moves to new/ at the next
 * fd_md_sync, which the caller runs before recording the delivery. 0 or -1
 * (tmp/name is then removed). */
int fd_md_commit(struct fd_md *md, const char *name, struct fd_out *o,
    char hex[65]) __attribute__((warn_unused_result));
/* Give up on a message: close o and remove tmp/name. */
void fd_md_abort(struct fd_md *md, const char *name, struct fd_out *o);
/* Make the messages committed since the last call durable and visible:
 * one syncfs() for their data (instead of one fsync per message), then
 * each tmp/name moves to new/name without ever replacing a file, then new/
 * is fsynced. A file is in new/ only once its bytes are on disk, which is
 * what recovery relies on. 0 or -1. */
int fd_md_sync(struct fd_md *md) __attribute__((warn_unused_result));
/* Open the delivered file with base name in new/ or cur/ (a reader may have
 * moved it and added ":2,flags"). fd >= 0, -1 if not found. */
int fd_md_find(struct fd_md *md, const char *name)
    __attribute__((warn_unused_result));
/* Remove tmp/name if it exists (recovery of an interrupted delivery). */
void fd_md_remove_tmp(struct fd_md *md, const char *name);

/* ---- LMTP / SMTP replies (deliver_lmtp.c) ----------------------------- */

struct fd_reply {
	int code;                       /* 200..599 once a line was accepted */
	unsigned lines;                 /* lines seen so far */
	char text[FETCH_SMTP_LINE_MAX]; /* the first line, for messages */
};

/* Start reading a new reply into r. */
void fd_reply_init(struct fd_reply *r);
/* Feed one reply line line[0..len) (CRLF stripped): "NNN", "NNN text" or
 * "NNN-text" (RFC 5321 §4.2). 1 the reply is complete, 0 more lines are
 * due, -1 malformed (syntax, a code that changes, too many lines). */
int fd_reply_feed(struct fd_reply *r, const char *line, size_t len)
    __attribute__((warn_unused_result));
/* The envelope sender from the first Return-Path header of the message
 * head hdr[0..len) (LF or CRLF lines) into out[0..cap): the address inside
 * <...>, or "" when absent, empty, or not a plain address. */
void fd_return_path(const char *hdr, size_t len, char *out, size_t cap);
/* True if addr is usable as an envelope address in <...>: 1..255 octets of
 * 0x21..0x7E without '<', '>'. */
bool fd_addr_ok(const char *addr);

#endif
