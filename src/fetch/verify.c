/* verify.c: stored messages against the state. postie verify recomputes
 * every stored message's SHA-256 (a Maildir message may have moved to cur/
 * and gained flags; it is found by its base name; messages given to a
 * delivery command cannot be checked). Recovery after a crash: an intent
 * names the file a message was about to become; if it reached new/ (or
 * cur/), the delivery happened and is recorded now with the hash of what
 * is on disk; otherwise the leftover in tmp/ is removed and the message
 * is fetched again (it cannot have been deleted on the server: DELE only
 * follows the record). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch/deliver.h"
#include "fetch/run.h"
#include "fetch/state.h"
#include "fetch/verify.h"
#include "lib/log.h"
#include "lib/util.h"

struct vstate {
	FILE *out;
	bool quiet, json;
	struct fd_md md;
	bool md_open;
	uint64_t ok, changed, missing, unverifiable;
};

static void
problem(struct vstate *v, const char *what, const struct fs_row *r)
{
	if (v->json)
		return;
	fprintf(v->out, "%s %s %s uidl=%s account=%s@%s:%u\n", what, r->dest,
	    r->location, r->uidl, r->user, r->host, r->port);
}

/* Hash the Maildir message of r. 1 found, 0 missing. */
static int
hash_maildir(
    struct vstate *v, const struct fs_row *r, char hex[65], uint64_t *size)
{
	struct stat st;
	char why[256];
	int fd, rc;

	if (!v->md_open || strcmp(v->md.path, r->dest) != 0) {
		if (v->md_open)
			fd_md_close(&v->md);
		v->md_open = false;
		if (stat(r->dest, &st) < 0 || !S_ISDIR(st.st_mode) ||
		    fd_md_open(&v->md, r->dest, why, sizeof(why)) < 0)
			return 0;
		v->md_open = true;
	}
	fd = fd_md_find(&v->md, r->location);
	if (fd < 0)
		return 0;
	rc = fd_hash_file(fd, hex, size);
	close(fd);
	return rc == 0 ? 1 : 0;
}

static int
check_one(void *arg, const struct fs_row *r)
{
	struct vstate *v = arg;
	char hex[65];
	uint64_t size = 0;
	int found;

	if (r->kind == FS_KIND_MDA || r->kind == FS_KIND_LMTP) {
		v->unverifiable++;
		return 0;
	}
	if (r->kind == FS_KIND_MBOX)
		found = fv_mbox_hash(r->dest, r->location, hex, &size) == 0;
	else
		found = hash_maildir(v, r, hex, &size);
	if (!found) {
		v->missing++;
		problem(v, "MISSING", r);
	} else if (strcmp(hex, r->sha256) != 0) {
		v->changed++;
		problem(v, "CHANGED", r);
	} else {
		v->ok++;
	}
	return 0;
}

int
fv_verify(const char *db_path, FILE *out, bool quiet, bool json)
{
	struct vstate v;
	struct fs_db *db;
	char why[512];
	int rc;

	memset(&v, 0, sizeof(v));
	v.out = out;
	v.quiet = quiet;
	v.json = json;
	if (fs_open(db_path, &db, why, sizeof(why)) < 0) {
		fprintf(stderr, "postie verify: %s\n", why);
		return 2;
	}
	rc = fs_each_stored(db, -1, check_one, &v);
	fs_close(db);
	if (v.md_open)
		fd_md_close(&v.md);
	if (rc < 0) {
		fprintf(stderr, "postie verify: cannot read the state\n");
		return 2;
	}
	if (json)
		fprintf(out,
		    "{\"ok\":%llu,\"changed\":%llu,\"missing\":%llu,"
		    "\"unverifiable\":%llu}\n",
		    (unsigned long long)v.ok, (unsigned long long)v.changed,
		    (unsigned long long)v.missing,
		    (unsigned long long)v.unverifiable);
	else if (!quiet)
		fprintf(out,
		    "verify: %llu ok, %llu changed, %llu missing, "
		    "%llu not verifiable (given to a delivery command)\n",
		    (unsigned long long)v.ok, (unsigned long long)v.changed,
		    (unsigned long long)v.missing,
		    (unsigned long long)v.unverifiable);
	return v.changed > 0 || v.missing > 0 ? 1 : 0;
}

/* Settle one Maildir intent: *found_r tells whether it was delivered. */
static int
settle_maildir(struct fr_ctx *c, const struct fs_intent *in, bool *found_r,
    char sha[65], uint64_t *size_r)
{
	struct fd_md md;
	char why[256];
	int fd, rc = 0;

	*found_r = false;
	if (fd_md_open(&md, in->dest, why, sizeof(why)) < 0)
		return fr_fail(c, FX_FAIL, "recovering: %s", why);
	fd = fd_md_find(&md, in->location);
	if (fd >= 0) {
		rc = fd_hash_file(fd, sha, size_r);
		close(fd);
		if (rc < 0)
			rc = fr_fail(c, FX_FAIL,
			    "recovering: cannot read %s/"
			    "new/%s",
			    in->dest, in->location);
		else
			*found_r = true;
	} else {
		fd_md_remove_tmp(&md, in->location);
	}
	fd_md_close(&md);
	return rc;
}

int
fr_recover(struct fr_ctx *c)
{
	struct fs_intent *v = NULL;
	size_t n = 0, i;
	char sha[65];
	uint64_t size;
	bool found;
	int rc = 0;

	if (fs_intents(c->db, c->acct, &v, &n) < 0)
		return fr_fail(
		    c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
	for (i = 0; i < n && rc == 0; i++) {
		const struct fs_intent *in = &v[i];

		found = false;
		sha[0] = '\0';
		size = 0;
		if (in->kind == FS_KIND_MAILDIR)
			rc = settle_maildir(c, in, &found, sha, &size);
		else if (in->kind == FS_KIND_MBOX)
			rc = fr_settle_mbox(c, in, &found, sha, &size);
		else if (in->kind == FS_KIND_LMTP)
			log_warn("%s: the %s server %s may have accepted "
				 "message %s before an interruption; it will "
				 "be delivered again",
			    c->a->name, in->location, in->dest, in->uidl);
		else
			log_warn(
			    "%s: a delivery command may have received "
			    "message %s before a crash; it will be delivered "
			    "again",
			    c->a->name, in->uidl);
		if (rc < 0)
			break;
		if (fs_begin(c->db) < 0)
			goto dbfail;
		if (found &&
		    fs_record(c->db, c->acct, in->uidl, in->state, c->now, size,
			sha, in->kind, in->dest, in->location) < 0)
			goto dbfail_rb;
		if (fs_intent_del(c->db, c->acct, in->uidl) < 0)
			goto dbfail_rb;
		if (fs_commit(c->db) < 0)
			goto dbfail_rb;
		if (found) {
			c->r->recovered++;
			log_info("%s: message %s was stored before an "
				 "interruption; recorded it",
			    c->a->name, in->uidl);
		}
	}
	free(v);
	return rc;
dbfail_rb:
	fs_rollback(c->db);
dbfail:
	free(v);
	return fr_fail(c, FX_FAIL, "state database: %s", fs_errmsg(c->db));
}
