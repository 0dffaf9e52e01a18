/* recover.c: finishing deliveries interrupted by a crash. An intent names
 * the file a message was about to become; if that file reached new/ (or a
 * reader already moved it to cur/), the delivery happened and is recorded
 * now with the hash of what is on disk, so the message is not fetched
 * twice. Otherwise the leftover in tmp/ is removed and the message will be
 * fetched again (it cannot have been deleted on the server: DELE follows
 * the record). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fetch/run.h"
#include "lib/log.h"
#include "lib/util.h"

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
			rc = fr_fail(c, FX_FAIL, "recovering: cannot read %s/"
			    "new/%s", in->dest, in->location);
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
		return fr_fail(c, FX_FAIL, "state database: %s",
		    fs_errmsg(c->db));
	for (i = 0; i < n && rc == 0; i++) {
		const struct fs_intent *in = &v[i];

		found = false;
		sha[0] = '\0';
		size = 0;
		if (in->kind == FS_KIND_MAILDIR)
			rc = settle_maildir(c, in, &found, sha, &size);
		else if (in->kind == FS_KIND_MBOX)
			rc = fr_settle_mbox(c, in, &found, sha, &size);
		else
			log_warn("%s: a delivery command may have received "
			    "message %s before a crash; it will be delivered "
			    "again", c->a->name, in->uidl);
		if (rc < 0)
			break;
		if (fs_begin(c->db) < 0)
			goto dbfail;
		if (found && fs_record(c->db, c->acct, in->uidl, in->state,
			c->now, size, sha, in->kind, in->dest, in->location) < 0)
			goto dbfail_rb;
		if (fs_intent_del(c->db, c->acct, in->uidl) < 0)
			goto dbfail_rb;
		if (fs_commit(c->db) < 0)
			goto dbfail_rb;
		if (found) {
			c->r->recovered++;
			log_info("%s: message %s was stored before an "
			    "interruption; recorded it", c->a->name, in->uidl);
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
