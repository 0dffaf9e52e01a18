/* penalty.c: per-source, per-account and per-pair failure tables. */
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>

#include "lib/util.h"
#include "server/penalty.h"

#define KEY_MAX    192
#define REPEAT_FPS 8 /* remembered wrong passwords per source */
#define NBUCKETS   4096

struct ent {
	struct ent *next;
	uint64_t last;      /* last failure or success */
	uint64_t next_slot; /* reservation: no attempt before this */
	unsigned failures;  /* counted failures in the window */
	bool good;          /* pair table: logged in successfully */
	uint8_t fps[REPEAT_FPS][PEN_FP_LEN];
	unsigned nfp;
	char key[KEY_MAX];
};

struct table {
	struct ent *b[NBUCKETS];
	unsigned n;
};

struct pen_tab {
	struct pen_conf conf;
	struct table src, acct, pair;
};

struct pen_tab *
pen_new(const struct pen_conf *conf)
{
	struct pen_tab *t = calloc(1, sizeof(*t));

	if (t != NULL)
		t->conf = *conf;
	return t;
}

static void
table_free(struct table *tb)
{
	int i;

	for (i = 0; i < NBUCKETS; i++)
		while (tb->b[i] != NULL) {
			struct ent *n = tb->b[i]->next;

			free(tb->b[i]);
			tb->b[i] = n;
		}
}

void
pen_free(struct pen_tab **t)
{
	if (*t == NULL)
		return;
	table_free(&(*t)->src);
	table_free(&(*t)->acct);
	table_free(&(*t)->pair);
	free(*t);
	*t = NULL;
}

void
pen_source_key(const char *host, char *out, size_t outlen)
{
	struct in6_addr a;
	char buf[INET6_ADDRSTRLEN];

	if (strchr(host, ':') == NULL || inet_pton(AF_INET6, host, &a) != 1) {
		(void)str_copy(out, host, outlen);
		return;
	}
	memset(a.s6_addr + 8, 0, 8); /* one /64 is one source */
	if (inet_ntop(AF_INET6, &a, buf, sizeof(buf)) == NULL)
		(void)str_copy(out, host, outlen);
	else
		(void)str_fmt(out, outlen, "%s/64", buf);
}

static unsigned
hash(const char *s)
{
	return str_hash(s) % NBUCKETS;
}

/* Entry is stale: no activity within the window (and not a known pair). */
static bool
stale(const struct pen_tab *t, const struct ent *e, uint64_t now)
{
	uint64_t keep = e->good ? t->conf.good_ms : t->conf.window_ms;

	return now > e->last + keep && now >= e->next_slot;
}

/* Find key; create it when create is set (evicting stale entries of its
 * bucket, and refusing when the table is full). */
static struct ent *
lookup(struct pen_tab *t, struct table *tb, const char *key, bool create,
    uint64_t now)
{
	struct ent **pp = &tb->b[hash(key)], *e;

	while ((e = *pp) != NULL) {
		if (strcmp(e->key, key) == 0) {
			if (stale(t, e, now) && !e->good) {
				e->failures = 0;
				e->nfp = 0;
			}
			return e;
		}
		if (stale(t, e, now)) {
			*pp = e->next;
			free(e);
			tb->n--;
			continue;
		}
		pp = &e->next;
	}
	if (!create || tb->n >= t->conf.max_entries)
		return NULL;
	if ((e = calloc(1, sizeof(*e))) == NULL)
		return NULL;
	(void)str_copy(e->key, key, sizeof(e->key));
	e->last = now;
	e->next = tb->b[hash(key)];
	tb->b[hash(key)] = e;
	tb->n++;
	return e;
}

static uint64_t
delay_for(const struct pen_tab *t, unsigned failures)
{
	uint64_t d = t->conf.base_ms;
	unsigned i;

	if (failures == 0)
		return 0;
	for (i = 1; i < failures && d < t->conf.max_ms; i++)
		d *= 2;
	return d < t->conf.max_ms ? d : t->conf.max_ms;
}

static void
pair_key(const char *src, const char *user, char *out, size_t len)
{
	(void)str_fmt(out, len, "%s\x1f%s", src, user);
}

/* Wait until e's next free slot, and reserve the one after it for this
 * attempt, so parallel attempts queue one delay apart. */
static uint64_t
reserve(const struct pen_tab *t, struct ent *e, uint64_t now)
{
	uint64_t w;

	if (e == NULL || e->failures == 0)
		return 0;
	w = e->next_slot > now ? e->next_slot - now : 0;
	e->next_slot = now + w + delay_for(t, e->failures);
	return w;
}

/* After a counted failure, no attempt before now + the new delay. */
static void
fail(const struct pen_tab *t, struct ent *e, uint64_t now)
{
	uint64_t until;

	if (e == NULL)
		return;
	e->failures++;
	e->last = now;
	until = now + delay_for(t, e->failures);
	if (until > e->next_slot)
		e->next_slot = until;
}

uint64_t
pen_schedule(struct pen_tab *t, const char *src, const char *user, uint64_t now)
{
	char pk[KEY_MAX];
	struct ent *s, *a, *p;
	uint64_t w = 0, x;

	pair_key(src, user, pk, sizeof(pk));
	p = lookup(t, &t->pair, pk, false, now);
	if (p != NULL && p->good)
		/* A known-good pair is judged by its own failures only. */
		return reserve(t, p, now);
	s = lookup(t, &t->src, src, false, now);
	a = lookup(t, &t->acct, user, false, now);
	w = reserve(t, s, now);
	if ((x = reserve(t, a, now)) > w)
		w = x;
	return w;
}

static bool
seen_fp(struct ent *e, const uint8_t fp[PEN_FP_LEN])
{
	unsigned i;

	for (i = 0; i < e->nfp && i < REPEAT_FPS; i++)
		if (memcmp(e->fps[i], fp, PEN_FP_LEN) == 0)
			return true;
	memcpy(e->fps[e->nfp % REPEAT_FPS], fp, PEN_FP_LEN);
	e->nfp++;
	return false;
}

bool
pen_result(struct pen_tab *t, const char *src, const char *user,
    const uint8_t fp[PEN_FP_LEN], bool ok, uint64_t now)
{
	char pk[KEY_MAX];
	struct ent *s, *a, *p;

	pair_key(src, user, pk, sizeof(pk));
	p = lookup(t, &t->pair, pk, true, now);
	if (ok) {
		if (p != NULL) {
			p->good = true;
			p->failures = 0;
			p->nfp = 0;
			p->last = now;
		}
		return false;
	}
	s = lookup(t, &t->src, src, true, now);
	a = lookup(t, &t->acct, user, true, now);
	/* The pair remembers which wrong passwords were already counted. */
	if (p != NULL && seen_fp(p, fp))
		return false;
	fail(t, p, now);
	fail(t, s, now);
	fail(t, a, now);
	return true;
}

unsigned
pen_failures(struct pen_tab *t, const char *src, uint64_t now)
{
	struct ent *s = lookup(t, &t->src, src, false, now);

	return s != NULL ? s->failures : 0;
}
