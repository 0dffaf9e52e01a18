/* download.c: the pipelined download loop of postie fetch. Messages go in
 * batches of up to `window` commands sent in one write. For each batch:
 * intents are committed before any byte is stored; each message is written
 * to tmp/, fsynced and renamed into new/; then new/ is fsynced and, in one
 * transaction with the next batch's intents, the deliveries are recorded
 * with the SHA-256 of the stored bytes. DELE comes only after that. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch/run.h"
#include "lib/log.h"
#include "lib/util.h"

struct slot {
	const struct fr_job *job;
	char name[STORE_NAME_MAX + 1];
	char sha[65];
	uint64_t size;
	bool delivered;
};

struct batch {
	struct slot *v;
	size_t n;
};

static const char *
uidl_of(const struct fr_ctx *c, uint32_t num)
{
	return c->l.e[num - 1].uidl;
}

/* Record the deliveries of prev (if any) and add intents for next (if any),
 * in one transaction. new/ must have been fsynced for prev. */
static int
commit_step(
    struct fr_ctx *c, const struct batch *prev, const struct batch *next)
{
	size_t i;

	if (fs_begin(c->db) < 0)
		goto fail;
	for (i = 0; prev != NULL && i < prev->n; i++) {
		const struct slot *s = &prev->v[i];
		const char *u = uidl_of(c, s->job->num);

		if (s->delivered &&
		    fs_record(c->db, c->acct, u,
			s->job->headers ? FS_HEADERS : FS_STORED, c->now,
			s->size, s->sha, c->kind, c->a->dest_path, s->name) < 0)
			goto fail_rb;
		if (fs_intent_del(c->db, c->acct, u) < 0)
			goto fail_rb;
	}
	for (i = 0; next != NULL && c->kind == FS_KIND_MAILDIR && i < next->n;
	     i++)
		if (fs_intent_add(c->db, c->acct,
			uidl_of(c, next->v[i].job->num), c->kind,
			next->v[i].job->headers ? FS_HEADERS : FS_STORED,
			c->a->dest_path, next->v[i].name, NULL) < 0)
			goto fail_rb;
	if (fs_commit(c->db) < 0)
		goto fail_rb;
	return 0;
fail_rb:
	fs_rollback(c->db);
fail:
	return fr_fail(c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
}

/* Start writing one message: tmp/ of the Maildir, else a spool file. */
static int
out_begin(struct fr_ctx *c, struct slot *s, struct fd_out *o)
{
	int fd;

	if (c->kind == FS_KIND_MAILDIR) {
		if (fd_md_begin(&c->md, s->name, o) < 0)
			return fr_fail(c, FX_FAIL, "%s/tmp/%s: %s", c->md.path,
			    s->name, strerror(errno));
		return 0;
	}
	fd = fd_spool_open(c->o->state_dir);
	if (fd < 0 || fd_out_init(o, fd) < 0) {
		if (fd >= 0)
			close(fd);
		return fr_fail(c, FX_FAIL, "cannot create a spool file in %s",
		    c->o->state_dir);
	}
	return 0;
}

static void
out_abort(struct fr_ctx *c, struct slot *s, struct fd_out *o)
{
	if (c->kind == FS_KIND_MAILDIR)
		fd_md_abort(&c->md, s->name, o);
	else
		fd_out_free(o);
}

/* The message is complete in o: deliver it. 0 (s->delivered tells), -1. */
static int
out_commit(struct fr_ctx *c, struct slot *s, struct fd_out *o)
{
	const char *uidl = uidl_of(c, s->job->num);
	int r;

	s->size = o->size;
	if (c->kind == FS_KIND_MAILDIR) {
		if (fd_md_commit(&c->md, s->name, o, s->sha) < 0)
			return fr_fail(c, FX_FAIL, "storing into %s: %s",
			    c->md.path, strerror(errno));
		s->delivered = true;
		return 0;
	}
	if (fd_out_flush(o, false) < 0) {
		fd_out_free(o);
		return fr_fail(c, FX_FAIL, "spool: %s", strerror(o->err));
	}
	fd_out_digest(o, s->sha);
	if (c->kind == FS_KIND_MBOX) {
		r = fr_mbox_deliver(c, uidl,
		    s->job->headers ? FS_HEADERS : FS_STORED, o->fd, s->sha,
		    s->name, sizeof(s->name));
	} else if (c->kind == FS_KIND_LMTP) {
		r = fr_lmtp_deliver(c, uidl,
		    s->job->headers ? FS_HEADERS : FS_STORED, o->fd, s->sha,
		    s->size);
		if (str_copy(s->name,
			c->a->dest == FA_DEST_LMTP ? "lmtp" : "smtp",
			sizeof(s->name)) < 0)
			r = -1;
		if (r == 1)
			c->r->undelivered++;
	} else {
		r = fr_mda_deliver(c, uidl, o->fd);
		if (str_copy(s->name, "mda", sizeof(s->name)) < 0)
			r = -1;
		if (r == 1)
			c->r->undelivered++;
	}
	fd_out_free(o);
	if (r < 0)
		return -1;
	s->delivered = r == 0;
	return 0;
}

/* One "+OK" reply and its body, delivered. 0 delivered or skipped (-ERR,
 * a refusing delivery command), -1 session or local failure. */
static int
fetch_one(struct fr_ctx *c, struct slot *s)
{
	const struct fl_entry *e = &c->l.e[s->job->num - 1];
	struct fd_out o;
	char hdr[160], esc[128];
	uint64_t wire = 0;
	int r;

	r = fx_status(c->s);
	if (r < 0)
		return -1;
	if (r == 0) {
		log_warn("%s: message %u (%s) not retrieved: \"%s\"",
		    c->a->name, (unsigned)s->job->num, e->uidl,
		    log_escape(
			c->s->line, strlen(c->s->line), esc, sizeof(esc)));
		c->r->msg_errors++;
		return 0;
	}
	if (out_begin(c, s, &o) < 0)
		return -1;
	if (s->job->headers) {
		int n = str_fmt(hdr, sizeof(hdr),
		    "X-Postie-Truncated: body "
		    "of a %llu-octet message not downloaded (size limit)\n",
		    (unsigned long long)e->size);

		if (n < 0 || fd_out_write(&o, hdr, (size_t)n) < 0)
			goto abort;
	}
	if (fr_read_body(c, &o, NULL, e->size, &wire) < 0)
		goto abort;
	/* An unterminated last line gains a CRLF on the wire: not a lie. */
	if (!s->job->headers && e->listed && wire != e->size &&
	    wire != e->size + 2) {
		log_warn("%s: message %u (%s): server announced %llu octets "
			 "but sent %llu",
		    c->a->name, (unsigned)s->job->num, e->uidl,
		    (unsigned long long)e->size, (unsigned long long)wire);
		c->r->warnings++;
	}
	if (out_commit(c, s, &o) < 0)
		return -1;
	if (!s->delivered)
		return 0;
	c->r->bytes += s->size;
	if (s->job->headers)
		c->r->headers_only++;
	else
		c->r->fetched++;
	if (c->p != NULL) {
		atomic_fetch_add(&c->p->done, 1);
		atomic_fetch_add(&c->p->bytes, e->size);
	}
	return 0;
abort:
	out_abort(c, s, &o);
	return -1;
}

/* Send the commands of a batch in one write. */
static int
send_batch(struct fr_ctx *c, const struct batch *b)
{
	char *buf, one[48];
	size_t i, len = 0;
	int n, rc;

	buf = malloc(b->n * sizeof(one));
	if (buf == NULL)
		return fr_fail(c, FX_FAIL, "out of memory");
	for (i = 0; i < b->n; i++) {
		n = str_fmt(one, sizeof(one),
		    b->v[i].job->headers ? "TOP %u 0\r\n" : "RETR %u\r\n",
		    (unsigned)b->v[i].job->num);
		if (n < 0) {
			free(buf);
			return -1;
		}
		memcpy(buf + len, one, (size_t)n);
		len += (size_t)n;
	}
	rc = pc_write(&c->s->conn, buf, len);
	free(buf);
	if (rc < 0)
		return fx_fail(c->s, FX_PROTO, "sending to %s: %s", c->a->host,
		    c->s->conn.err);
	return 0;
}

static int
prepare(struct fr_ctx *c, struct batch *b, const struct fr_job *jobs, size_t n)
{
	size_t i;

	b->n = n;
	for (i = 0; i < n; i++) {
		memset(&b->v[i], 0, sizeof(b->v[i]));
		b->v[i].job = &jobs[i];
		if (c->kind == FS_KIND_MAILDIR &&
		    fd_md_newname(&c->md, b->v[i].name, sizeof(b->v[i].name)) <
			0)
			return fr_fail(c, FX_FAIL, "cannot make a file name");
	}
	return 0;
}

int
fr_download(struct fr_ctx *c, const struct fr_job *jobs, size_t n)
{
	struct batch b[2], *cur, *prev = NULL;
	size_t off = 0, i, k;
	uint32_t w = c->window > 0 ? c->window : 1;
	int rc = 0;

	if (n == 0)
		return 0;
	b[0].v = calloc(w, sizeof(struct slot));
	b[1].v = calloc(w, sizeof(struct slot));
	if (b[0].v == NULL || b[1].v == NULL) {
		rc = fr_fail(c, FX_FAIL, "out of memory");
		goto out;
	}
	cur = &b[0];
	while (off < n) {
		k = n - off < w ? n - off : w;
		if (prepare(c, cur, jobs + off, k) < 0) {
			rc = -1;
			break;
		}
		if (prev != NULL && c->kind == FS_KIND_MAILDIR &&
		    fd_md_sync(&c->md) < 0) {
			rc = fr_fail(c, FX_FAIL, "fsync %s/new: %s", c->md.path,
			    strerror(errno));
			break;
		}
		if (commit_step(c, prev, cur) < 0) {
			rc = -1;
			prev = NULL; /* recovery finishes them next run */
			break;
		}
		prev = NULL;
		if (send_batch(c, cur) < 0) {
			rc = -1;
			prev = cur;
			break;
		}
		for (i = 0; i < k; i++)
			if (fetch_one(c, &cur->v[i]) < 0) {
				rc = -1;
				break;
			}
		prev = cur;
		cur = cur == &b[0] ? &b[1] : &b[0];
		off += k;
		if (rc < 0)
			break;
	}
	if (prev != NULL) {
		if (c->kind == FS_KIND_MAILDIR && fd_md_sync(&c->md) < 0)
			rc = fr_fail(c, FX_FAIL, "fsync %s/new: %s", c->md.path,
			    strerror(errno));
		else if (commit_step(c, prev, NULL) < 0)
			rc = -1;
	}
out:
	free(b[0].v);
	free(b[1].v);
	return rc;
}

int
fr_delete(struct fr_ctx *c, const uint32_t *nums, size_t n)
{
	char *buf, one[32];
	size_t off = 0, i, k, len;
	uint32_t w = c->window > 0 ? c->window : 1;
	int r, m;

	buf = malloc((size_t)w * sizeof(one));
	if (buf == NULL)
		return fr_fail(c, FX_FAIL, "out of memory");
	while (off < n) {
		k = n - off < w ? n - off : w;
		for (i = 0, len = 0; i < k; i++) {
			m = str_fmt(one, sizeof(one), "DELE %u\r\n",
			    (unsigned)nums[off + i]);
			if (m < 0)
				goto fail;
			memcpy(buf + len, one, (size_t)m);
			len += (size_t)m;
		}
		if (pc_write(&c->s->conn, buf, len) < 0) {
			fx_fail(c->s, FX_PROTO, "sending to %s: %s", c->a->host,
			    c->s->conn.err);
			goto fail;
		}
		for (i = 0; i < k; i++) {
			r = fx_status(c->s);
			if (r < 0)
				goto fail;
			if (r == 1)
				c->deleted[c->ndeleted++] = nums[off + i];
			else
				c->r->msg_errors++;
		}
		off += k;
	}
	free(buf);
	return 0;
fail:
	free(buf);
	return -1;
}
