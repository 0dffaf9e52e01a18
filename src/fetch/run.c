/* run.c: one account from lock to QUIT. The order of steps is what makes
 * delivery exactly-once: recover intents, list, decide, download (intent,
 * store, fsync, record), then DELE only what is recorded, mark it gone in
 * the state, and QUIT (the server deletes only on a clean QUIT). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch/run.h"
#include "lib/log.h"
#include "lib/util.h"

/* Does policy want stored message k deleted now? */
static bool
due(const struct fr_ctx *c, const struct fs_seen *k)
{
	if (k == NULL || k->state != FS_STORED)
		return false;
	if (c->a->policy == FA_DELETE)
		return true;
	if (c->a->policy == FA_DELETE_AFTER)
		return c->now - k->stored_at >= (int64_t)c->a->delete_after_s;
	return false;
}

/* Mark which known messages are on the server now. */
static int
update_presence(struct fr_ctx *c)
{
	uint32_t i;

	if (fs_begin(c->db) < 0)
		goto fail;
	if (fs_clear_present(c->db, c->acct) < 0)
		goto fail_rb;
	for (i = 0; i < c->l.count; i++)
		if (c->l.e[i].has_uidl &&
		    fs_known_find(&c->known, c->l.e[i].uidl) != NULL &&
		    fs_set_present(c->db, c->acct, c->l.e[i].uidl, true) < 0)
			goto fail_rb;
	if (fs_commit(c->db) < 0)
		goto fail_rb;
	return 0;
fail_rb:
	fs_rollback(c->db);
fail:
	return fr_fail(c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
}

/* --rebuild-state: every listed unique-id not yet known becomes seen. */
static int
rebuild(struct fr_ctx *c)
{
	uint32_t i;

	if (fs_begin(c->db) < 0)
		goto fail;
	for (i = 0; i < c->l.count; i++) {
		const struct fl_entry *e = &c->l.e[i];

		if (!e->has_uidl || fs_known_find(&c->known, e->uidl) != NULL)
			continue;
		if (fs_record(c->db, c->acct, e->uidl, FS_SEEN, c->now, e->size,
			NULL, c->kind, NULL, NULL) < 0)
			goto fail_rb;
		c->r->marked_seen++;
	}
	if (fs_commit(c->db) < 0)
		goto fail_rb;
	return 0;
fail_rb:
	fs_rollback(c->db);
fail:
	return fr_fail(c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
}

/* Decide what to download; fills jobs (count in *n_r). Returns 1 to pause
 * on a suspected unique-id change, 0 to go on. */
static int
plan(struct fr_ctx *c, struct fr_job *jobs, size_t *n_r)
{
	const struct fa_account *a = c->a;
	uint32_t i, present = 0, prev = 0, unseen = 0, vanished;
	size_t n = 0;

	for (i = 0; i < c->known.n; i++)
		if (c->known.v[i].on_server)
			prev++;
	for (i = 0; i < c->l.count; i++) {
		const struct fl_entry *e = &c->l.e[i];
		const struct fs_seen *k;

		if (!e->has_uidl) {
			log_warn("%s: message %u has no unique-id; skipped",
			    a->name, (unsigned)(i + 1));
			c->r->warnings++;
			continue;
		}
		c->r->on_server++;
		k = fs_known_find(&c->known, e->uidl);
		if (k != NULL && k->on_server)
			present++;
		if (k == NULL)
			unseen++;
		if (k != NULL && !c->o->all)
			continue;
		c->r->new_msgs++;
		if (e->listed && a->max_msg > 0 && e->size > a->max_msg) {
			log_warn("%s: message %u is %llu octets, over "
				 "max-message-size; skipped",
			    a->name, (unsigned)(i + 1),
			    (unsigned long long)e->size);
			c->r->skipped++;
			continue;
		}
		if (e->listed && a->size_limit > 0 && e->size > a->size_limit &&
		    a->oversize == FA_OVER_SKIP) {
			c->r->skipped++;
			continue;
		}
		jobs[n].num = i + 1;
		jobs[n].headers =
		    e->listed && a->size_limit > 0 && e->size > a->size_limit;
		n++;
	}
	*n_r = n;
	vanished = prev - (present < prev ? present : prev);
	if (c->o->all || c->o->rebuild_state || c->o->accept_new ||
	    prev < a->mass_new_min || unseen < a->mass_new_min)
		return 0;
	if ((uint64_t)vanished * 100 >= (uint64_t)a->mass_new_pct * prev &&
	    (uint64_t)unseen * 100 >=
		(uint64_t)a->mass_new_pct * c->r->on_server) {
		c->r->paused = true;
		fr_fail(c, FX_FAIL,
		    "%u of the %u messages seen on the "
		    "server last time are gone and %u of %u are new: the "
		    "server probably changed its unique-ids. Paused; run with "
		    "--rebuild-state to mark them all as seen, or "
		    "--accept-new to download them again",
		    vanished, prev, unseen, c->r->on_server);
		return 1;
	}
	return 0;
}

/* Messages to DELE now, from the state after downloading. */
static int
deletions(struct fr_ctx *c, uint32_t **v_r, size_t *n_r)
{
	uint32_t *v;
	size_t n = 0;
	uint32_t i;

	fs_known_free(&c->known);
	if (fs_known_load(c->db, c->acct, &c->known) < 0)
		return fr_fail(
		    c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
	v = calloc(c->l.count + 1, sizeof(*v));
	if (v == NULL)
		return fr_fail(c, FX_FAIL, "out of memory");
	for (i = 0; i < c->l.count; i++)
		if (c->l.e[i].has_uidl &&
		    due(c, fs_known_find(&c->known, c->l.e[i].uidl)))
			v[n++] = i + 1;
	*v_r = v;
	*n_r = n;
	return 0;
}

/* DELE, mark the deleted as gone in the state, then QUIT. */
static int
delete_and_quit(struct fr_ctx *c, const uint32_t *dele, size_t n)
{
	uint32_t i;

	if (c->p != NULL && n > 0)
		atomic_store(&c->p->phase, FR_DELETE);
	if (n > 0 && fr_delete(c, dele, n) < 0)
		return -1;
	if (c->ndeleted > 0) {
		if (fs_begin(c->db) < 0)
			return fr_fail(
			    c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
		for (i = 0; i < c->ndeleted; i++)
			if (fs_set_present(c->db, c->acct,
				c->l.e[c->deleted[i] - 1].uidl, false) < 0)
				break;
		if (i < c->ndeleted || fs_commit(c->db) < 0) {
			fs_rollback(c->db);
			return fr_fail(
			    c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
		}
	}
	if (fx_quit(c->s) < 0) {
		if (c->ndeleted > 0) {
			log_warn(
			    "%s: the server did not confirm QUIT; some "
			    "deletions may not have happened (retried next "
			    "time)",
			    c->a->name);
			c->r->warnings++;
		}
		return 0;
	}
	c->r->deleted = c->ndeleted;
	return 0;
}

/* Everything after a successful login. */
static void
session_body(struct fr_ctx *c)
{
	struct fr_job *jobs = NULL;
	uint32_t *dele = NULL;
	size_t njobs = 0, ndele = 0;
	uint64_t total = 0;
	size_t i;

	if (c->p != NULL)
		atomic_store(&c->p->phase, FR_LIST);
	if (fr_list(c) < 0)
		goto out;
	if (fs_known_load(c->db, c->acct, &c->known) < 0) {
		fr_fail(c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
		goto out;
	}
	jobs = calloc(c->l.count + 1, sizeof(*jobs));
	c->deleted = calloc(c->l.count + 1, sizeof(*c->deleted));
	if (jobs == NULL || c->deleted == NULL) {
		fr_fail(c, FX_FAIL, "out of memory");
		goto out;
	}
	if (plan(c, jobs, &njobs) != 0)
		goto out;
	if (c->o->dry_run) {
		if (deletions(c, &dele, &ndele) == 0 &&
		    fr_dry_run(c, jobs, njobs, dele, ndele) == 0)
			(void)fx_quit(c->s);
		goto out;
	}
	if (update_presence(c) < 0)
		goto out;
	if (c->o->rebuild_state) {
		if (rebuild(c) == 0)
			(void)fx_quit(c->s);
		goto out;
	}
	for (i = 0; i < njobs; i++)
		total += c->l.e[jobs[i].num - 1].size;
	if (c->p != NULL) {
		atomic_store(&c->p->total, (unsigned)njobs);
		atomic_store(&c->p->total_bytes, total);
		atomic_store(&c->p->phase, FR_FETCH);
	}
	if (fr_download(c, jobs, njobs) < 0)
		goto out;
	if (deletions(c, &dele, &ndele) < 0)
		goto out;
	(void)delete_and_quit(c, dele, ndele);
out:
	free(jobs);
	free(dele);
	free(c->deleted);
	c->deleted = NULL;
}

static int
open_dest(struct fr_ctx *c)
{
	char why[300];

	switch (c->a->dest) {
	case FA_DEST_MAILDIR:
		c->kind = FS_KIND_MAILDIR;
		if (fd_md_open(&c->md, c->a->dest_path, why, sizeof(why)) < 0)
			return fr_fail(c, FX_FAIL, "%s", why);
		return 0;
	case FA_DEST_MBOX:
		c->kind = FS_KIND_MBOX;
		return 0;
	case FA_DEST_LMTP:
	case FA_DEST_SMTP:
		c->kind = FS_KIND_LMTP; /* connected on the first message */
		return 0;
	default:
		c->kind = FS_KIND_MDA;
		return 0;
	}
}

int
fr_run(const struct fa_account *a, const char *pass, const struct fr_opts *o,
    struct fr_progress *p, struct fr_result *r)
{
	struct fr_ctx c;
	uint64_t t0 = time_mono_ms();
	char why[300];
	int lock;

	memset(r, 0, sizeof(*r));
	r->login_delay = r->expire = -1;
	memset(&c, 0, sizeof(c));
	c.a = a;
	c.o = o;
	c.r = r;
	c.p = p;
	c.now = fs_now();
	c.md.dir_fd = c.md.tmp_fd = c.md.new_fd = c.md.cur_fd = -1;
	c.window = 1;
	lock = fs_lock_account(o->state_dir, a->host, a->port, a->user);
	if (lock < 0) {
		fr_fail(&c, FX_FAIL,
		    lock == -2 ? "another postie fetch is "
				 "working on this account"
			       : "cannot take the account lock");
		goto out;
	}
	if (fs_open(o->db_path, &c.db, why, sizeof(why)) < 0) {
		fr_fail(&c, FX_FAIL, "%s", why);
		goto out;
	}
	if (fs_account(c.db, a->host, a->port, a->user, &c.acct) < 0) {
		fr_fail(&c, FX_FAIL, "state database: %s", fs_errmsg(c.db));
		goto out;
	}
	if (!o->dry_run && (open_dest(&c) < 0 || fr_recover(&c) < 0))
		goto out;
	c.s = malloc(sizeof(*c.s));
	if (c.s == NULL) {
		fr_fail(&c, FX_FAIL, "out of memory");
		goto out;
	}
	if (p != NULL)
		atomic_store(&p->phase, FR_CONNECT);
	if (fx_open(c.s, a, pass) < 0) {
		fr_fail(&c, c.s->code, "%s", c.s->err);
		goto out;
	}
	r->mech = c.s->mech_used;
	r->login_delay = c.s->capa.login_delay;
	r->expire = c.s->capa.expire;
	if (str_copy(r->tls, pc_tls_version(&c.s->conn), sizeof(r->tls)) < 0)
		r->tls[0] = '\0';
	if (fs_set_last_login(c.db, c.acct, c.now) < 0)
		log_warn("%s: cannot record the login time", a->name);
	c.window = c.s->capa.pipelining ? a->window : 1;
	session_body(&c);
	if (c.s->code != FX_OK)
		fr_fail(&c, c.s->code, "%s", c.s->err);
	fr_lmtp_close(&c);
	if (r->undelivered > 0 && c.kind == FS_KIND_LMTP)
		fr_fail(&c, FX_FAIL,
		    "%u messages were not accepted by the %s server %s (last "
		    "reply: \"%s\"); they stay on the server",
		    r->undelivered, a->dest == FA_DEST_LMTP ? "LMTP" : "SMTP",
		    a->dest_path, r->refusal);
	else if (r->undelivered > 0)
		fr_fail(&c, FX_FAIL,
		    "%u messages were not accepted by the "
		    "delivery command; they stay on the server",
		    r->undelivered);
	fx_close(c.s);
out:
	if (c.s != NULL)
		mem_wipe(c.s, sizeof(*c.s));
	free(c.s);
	fl_free(&c.l);
	fs_known_free(&c.known);
	fr_lmtp_close(&c);
	fd_md_close(&c.md);
	fs_close(c.db);
	if (lock >= 0)
		close(lock);
	if (p != NULL)
		atomic_store(&p->phase, FR_DONE);
	r->ms = time_mono_ms() - t0;
	return r->code;
}
