/* test-store-scale.c: opening a 100,000-message Maildir reads no bodies.
 * Prints the open time (not asserted: machines differ). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "md-uidl.h"
#include "lib/util.h"
#include "store/maildir.h"

#define SCALE_MSGS 100000

static void
mkdirs(char *dir, size_t cap)
{
	char p[700];

	if (snprintf(dir, cap, "%s/Maildir", t_tmpdir()) >= (int)cap ||
	    mkdir(dir, 0700) != 0 ||
	    snprintf(p, sizeof(p), "%s/new", dir) >= (int)sizeof(p) ||
	    mkdir(p, 0700) != 0 ||
	    snprintf(p, sizeof(p), "%s/cur", dir) >= (int)sizeof(p) ||
	    mkdir(p, 0700) != 0)
		abort();
}

/* Message i: every third one in new/, the rest in cur/ (half seen). */
static void
msg_name(char *out, size_t cap, uint32_t i, bool with_w, uint64_t w)
{
	int n;

	if (with_w)
		n = snprintf(out, cap,
		    "%s/%u.M%uP42.scale.example,S=%llu,W=%llu%s",
		    i % 3 == 0 ? "new" : "cur", 1700000000u + i, i,
		    (unsigned long long)(w - 3), (unsigned long long)w,
		    i % 3 == 0 ? ""
		    : i % 2    ? ":2,S"
			       : ":2,");
	else
		n = snprintf(out, cap, "%s/%u.M%uP42.scale.example%s",
		    i % 3 == 0 ? "new" : "cur", 1700000000u + i, i,
		    i % 3 == 0 ? "" : ":2,S");
	if (n < 0 || (size_t)n >= cap)
		abort();
}

/* Create the messages; returns the total size they should report. */
static uint64_t
populate(const char *dir, bool with_w)
{
	char name[200], body[64];
	uint64_t total = 0, w;
	uint32_t i;
	size_t len;
	int dfd, fd;

	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	for (i = 0; i < SCALE_MSGS; i++) {
		w = 100 + (uint64_t)(i % 997) * 13;
		msg_name(name, sizeof(name), i, with_w, w);
		fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL, 0600);
		if (fd < 0)
			abort();
		if (!with_w) {
			/* "m<i>\n" repeated: the size is len + one CR per LF */
			len = (size_t)snprintf(body, sizeof(body), "m%u\n", i);
			if (write(fd, body, len) != (ssize_t)len)
				abort();
			w = len + 1;
		}
		close(fd);
		total += w;
	}
	close(dfd);
	return total;
}

static struct maildir *
timed_open(const char *dir, const char *what)
{
	struct maildir *md = NULL;
	enum md_err err;
	const char *why = NULL;
	uint64_t t0 = time_mono_ms();

	if (!CHECK(md_open(dir, NULL, &md, &err, &why) == 0)) {
		printf("  md_open: %s\n", why ? why : "?");
		return NULL;
	}
	printf("store: opened %u msgs in %llu ms (%s)\n", md->count,
	    (unsigned long long)(time_mono_ms() - t0), what);
	return md;
}

TEST(store_scale_100k_w_names)
{
	char dir[600], p[700];
	struct maildir *md;
	uint64_t total;
	struct stat st;

	mkdirs(dir, sizeof(dir));
	total = populate(dir, true);
	/* The bodies are empty: any body read would give sizes of 0. */
	md = timed_open(dir, "W= names");
	if (md == NULL)
		return;
	CHECK(md->count == SCALE_MSGS);
	CHECK(md->total_size == total);
	CHECK(md->sizes_computed == 0);
	CHECK(md->msgs[0].size == 100 && md->msgs[1].size == 113);
	CHECK(md->msgs[0].in_new && !md->msgs[1].in_new);
	CHECK_STR(uidl_at(md, SCALE_MSGS - 1),
	    "1700099999.M99999P42.scale.example,S=3984,W=3987");
	md_close(&md);
	/* No sizes were needed, so no cache was written. */
	CHECK(snprintf(p, sizeof(p), "%s/%s", dir, MD_SIZE_CACHE) > 0 &&
	      stat(p, &st) != 0);
}

TEST(store_scale_100k_warm_cache)
{
	char dir[600];
	struct maildir *md;
	uint64_t total;

	mkdirs(dir, sizeof(dir));
	total = populate(dir, false);
	md = timed_open(dir, "cold, sizes computed");
	if (md == NULL)
		return;
	CHECK(md->count == SCALE_MSGS && md->total_size == total);
	CHECK(md->sizes_computed == SCALE_MSGS);
	md_close(&md);
	md = timed_open(dir, "warm cache");
	if (md == NULL)
		return;
	CHECK(md->count == SCALE_MSGS && md->total_size == total);
	CHECK(md->sizes_computed == 0);
	md_close(&md);
}
