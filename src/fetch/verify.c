/* verify.c: recomputing stored messages' SHA-256 for postie verify. A
 * Maildir message may have moved from new/ to cur/ and gained flags; it is
 * found by its base name. Messages given to a delivery command cannot be
 * checked and are counted apart. */
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch/deliver.h"
#include "fetch/state.h"
#include "fetch/verify.h"
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
hash_maildir(struct vstate *v, const struct fs_row *r, char hex[65],
    uint64_t *size)
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

	if (r->kind == FS_KIND_MDA) {
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
		fprintf(out, "{\"ok\":%llu,\"changed\":%llu,\"missing\":%llu,"
		    "\"unverifiable\":%llu}\n", (unsigned long long)v.ok,
		    (unsigned long long)v.changed,
		    (unsigned long long)v.missing,
		    (unsigned long long)v.unverifiable);
	else if (!quiet)
		fprintf(out, "verify: %llu ok, %llu changed, %llu missing, "
		    "%llu not verifiable (given to a delivery command)\n",
		    (unsigned long long)v.ok, (unsigned long long)v.changed,
		    (unsigned long long)v.missing,
		    (unsigned long long)v.unverifiable);
	return v.changed > 0 || v.missing > 0 ? 1 : 0;
}
