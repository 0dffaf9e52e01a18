/* sasl.c: the table of SCRAM and CRAM-MD5 exchanges and the GNU SASL
 * property callback that feeds them the stored keys or secrets (or dummy
 * ones). */
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <gsasl.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth/ipc.h"
#include "auth/sasl.h"
#include "lib/log.h"
#include "lib/util.h"

#define SLOT_BITS 10
_Static_assert(AUTH_SASL_MAX <= (1 << SLOT_BITS), "xid slot bits");

struct xchg {
	bool used, busy;
	uint32_t xid;
	uint64_t last_ms;
	Gsasl_session *gs;
	const struct pw_db *db; /* valid during one call (caller's lock) */
	bool resolved;          /* keys chosen (at the first message) */
	bool known;             /* they are the user's own */
	struct pw_scram k;
	char authid[P3_USER_MAX + 1]; /* "" unless a valid user name */
	/* CRAM-MD5: the secrets lookup, and whether the challenge is out. */
	bool (*cram)(const char *user, char *out, size_t cap);
	bool challenged;
};

struct sasl_tab {
	pthread_mutex_t mu;
	Gsasl *ctx;
	uint64_t ttl_ms;
	uint32_t gen;
	unsigned n;
	uint8_t rand_key[32];              /* dummy salts, empty db */
	char stored[PW_SCRAM_KEY_B64 + 1]; /* dummy StoredKey */
	char server[PW_SCRAM_KEY_B64 + 1]; /* dummy ServerKey */
	bool (*cram)(const char *user, char *out, size_t cap); /* or NULL */
	struct xchg x[AUTH_SASL_MAX];
};

/* Stable per-name dummy salt: HMAC-SHA256 keyed with the first user's
 * hash (secret, and unchanged across restarts), or a random key. */
static void
dummy_keys(struct sasl_tab *t, struct xchg *x, const char *name)
{
	const struct pw_entry *e0 = pw_entry_at(x->db, 0);
	const void *key = t->rand_key;
	size_t klen = sizeof(t->rand_key), mdlen = 0;
	uint8_t md[EVP_MAX_MD_SIZE];
	struct pw_scram k0;
	const char *why;

	memset(&x->k, 0, sizeof(x->k));
	x->k.iter = AUTH_SCRAM_ITER_DEFAULT;
	if (e0 != NULL) {
		key = e0->hash;
		klen = strlen(e0->hash);
		/* The first user's count, so a changed default hides too. */
		if (e0->scram != NULL && pw_scram_parse(e0->scram,
					     strlen(e0->scram), &k0, &why) == 0)
			x->k.iter = k0.iter;
		mem_wipe(&k0, sizeof(k0));
	}
	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, klen,
		(const uint8_t *)name, strlen(name), md, sizeof(md),
		&mdlen) == NULL ||
	    mdlen < AUTH_SCRAM_SALT_LEN)
		memset(md, 0, sizeof(md));
	(void)b64_encode(md, AUTH_SCRAM_SALT_LEN, x->k.salt);
	memcpy(x->k.stored, t->stored, sizeof(x->k.stored));
	memcpy(x->k.server, t->server, sizeof(x->k.server));
	mem_wipe(md, sizeof(md));
}

/* Choose the keys once the client-first message names the user. */
static void
resolve(struct sasl_tab *t, struct xchg *x, Gsasl_session *gs)
{
	const char *id = gsasl_property_fast(gs, GSASL_AUTHID);
	const char *az = gsasl_property_fast(gs, GSASL_AUTHZID), *why;
	const struct pw_entry *e = NULL;
	size_t len;

	if (x->resolved)
		return;
	x->resolved = true;
	if (id == NULL)
		id = "";
	len = strlen(id);
	if (pw_user_valid(id, len)) {
		memcpy(x->authid, id, len + 1);
		e = pw_find(x->db, id, len);
	}
	/* Logging in as someone else (authzid) is not offered. */
	if (az != NULL && az[0] != '\0' && strcmp(az, id) != 0)
		e = NULL;
	if (e != NULL && e->scram != NULL &&
	    pw_scram_parse(e->scram, strlen(e->scram), &x->k, &why) == 0) {
		x->known = true;
		return;
	}
	dummy_keys(t, x, id);
}

/* CRAM-MD5: the secret of the user named in the client's response, or a
 * dummy (the same work: GNU SASL computes the digest either way). Only a
 * user with a secret and an entry in the users file can succeed. */
static int
cram_password(struct xchg *x, Gsasl_session *gs)
{
	const char *id = gsasl_property_fast(gs, GSASL_AUTHID);
	char secret[P3_PASS_MAX + 1];
	size_t len;
	bool have;
	int rc;

	if (id == NULL)
		id = "";
	len = strlen(id);
	have = x->cram(id, secret, sizeof(secret));
	x->resolved = true;
	if (pw_user_valid(id, len)) {
		memcpy(x->authid, id, len + 1);
		x->known = have && pw_find(x->db, id, len) != NULL;
	}
	rc = gsasl_property_set(gs, GSASL_PASSWORD, secret);
	mem_wipe(secret, sizeof(secret));
	return rc;
}

/* Wipe GNU SASL's copy of a CRAM-MD5 secret (it frees without wiping). */
static void
wipe_password(Gsasl_session *gs)
{
	const char *pw = gsasl_property_fast(gs, GSASL_PASSWORD);

	if (pw == NULL)
		return;
	/* Our own copy, set above; only its const-ness is borrowed. */
	mem_wipe((void *)(uintptr_t)pw, strlen(pw));
	(void)gsasl_property_set(gs, GSASL_PASSWORD, NULL);
}

static int
callback(Gsasl *ctx, Gsasl_session *gs, Gsasl_property prop)
{
	struct sasl_tab *t = gsasl_callback_hook_get(ctx);
	struct xchg *x = gsasl_session_hook_get(gs);
	char iter[24];

	if (t == NULL || x == NULL)
		return GSASL_NO_CALLBACK;
	switch (prop) {
	case GSASL_SCRAM_ITER:
		resolve(t, x, gs);
		(void)str_fmt(iter, sizeof(iter), "%lu", x->k.iter);
		return gsasl_property_set(gs, prop, iter);
	case GSASL_SCRAM_SALT:
		resolve(t, x, gs);
		return gsasl_property_set(gs, prop, x->k.salt);
	case GSASL_SCRAM_STOREDKEY:
		/* GNU SASL 2.x reads both keys as base64 (lib/scram/server.c
		 * extract_serverkey), whatever gsasl.h says. */
		resolve(t, x, gs);
		return gsasl_property_set(gs, prop, x->k.stored);
	case GSASL_SCRAM_SERVERKEY:
		resolve(t, x, gs);
		return gsasl_property_set(gs, prop, x->k.server);
	case GSASL_PASSWORD:
		return x->cram != NULL ? cram_password(x, gs)
				       : GSASL_NO_CALLBACK;
	default:
		return GSASL_NO_CALLBACK;
	}
}

struct sasl_tab *
sasl_new(void)
{
	struct sasl_tab *t = calloc(1, sizeof(*t));
	uint8_t k[2][PW_SCRAM_KEY_LEN];

	if (t == NULL)
		return NULL;
	if (gsasl_init(&t->ctx) != GSASL_OK ||
	    RAND_bytes(t->rand_key, sizeof(t->rand_key)) != 1 ||
	    RAND_bytes(&k[0][0], sizeof(k)) != 1) {
		if (t->ctx != NULL)
			gsasl_done(t->ctx);
		free(t);
		return NULL;
	}
	(void)b64_encode(k[0], PW_SCRAM_KEY_LEN, t->stored);
	(void)b64_encode(k[1], PW_SCRAM_KEY_LEN, t->server);
	mem_wipe(k, sizeof(k));
	pthread_mutex_init(&t->mu, NULL);
	gsasl_callback_set(t->ctx, callback);
	gsasl_callback_hook_set(t->ctx, t);
	t->ttl_ms = (uint64_t)AUTH_SASL_TTL_S * 1000;
	t->gen = 1;
	return t;
}

/* Release slot x; the table lock is held. */
static void
drop(struct sasl_tab *t, struct xchg *x)
{
	if (x->gs != NULL)
		gsasl_finish(x->gs);
	mem_wipe(x, sizeof(*x));
	t->n--;
}

void
sasl_free(struct sasl_tab **tp)
{
	struct sasl_tab *t = *tp;
	unsigned i;

	if (t == NULL)
		return;
	for (i = 0; i < AUTH_SASL_MAX; i++)
		if (t->x[i].used)
			drop(t, &t->x[i]);
	gsasl_done(t->ctx);
	pthread_mutex_destroy(&t->mu);
	mem_wipe(t, sizeof(*t));
	free(t);
	*tp = NULL;
}

void
sasl_set_ttl(struct sasl_tab *t, uint64_t ms)
{
	pthread_mutex_lock(&t->mu);
	t->ttl_ms = ms;
	pthread_mutex_unlock(&t->mu);
}

void
sasl_set_cram(
    struct sasl_tab *t, bool (*secret)(const char *user, char *out, size_t cap))
{
	pthread_mutex_lock(&t->mu);
	t->cram = secret;
	pthread_mutex_unlock(&t->mu);
}

unsigned
sasl_count(struct sasl_tab *t)
{
	unsigned n;

	pthread_mutex_lock(&t->mu);
	n = t->n;
	pthread_mutex_unlock(&t->mu);
	return n;
}

/* Drop idle exchanges past the TTL; the lock is held. */
static void
expire(struct sasl_tab *t, uint64_t now)
{
	unsigned i;

	for (i = 0; t->n > 0 && i < AUTH_SASL_MAX; i++)
		if (t->x[i].used && !t->x[i].busy &&
		    now - t->x[i].last_ms > t->ttl_ms)
			drop(t, &t->x[i]);
}

/* The open exchange named xid, or NULL; the lock is held. */
static struct xchg *
find(struct sasl_tab *t, uint32_t xid)
{
	uint32_t i = xid & ((1u << SLOT_BITS) - 1);

	if (i >= AUTH_SASL_MAX || !t->x[i].used || t->x[i].xid != xid)
		return NULL;
	return &t->x[i];
}

/* The exchange named xid, marked busy; NULL if unknown or in use. */
static struct xchg *
claim(struct sasl_tab *t, uint32_t xid, uint64_t now)
{
	struct xchg *x = find(t, xid);

	if (x == NULL || x->busy)
		return NULL;
	x->busy = true;
	x->last_ms = now;
	return x;
}

static void
out_init(struct sasl_out *o, int result)
{
	memset(o, 0, sizeof(*o));
	o->result = result;
}

/* Is the entry still the one whose keys the proof was checked with? */
static const struct pw_entry *
still_valid(const struct xchg *x)
{
	const struct pw_entry *e = pw_find(x->db, x->authid, strlen(x->authid));
	struct pw_scram k;
	const char *why;
	bool same;

	if (e == NULL || e->scram == NULL ||
	    pw_scram_parse(e->scram, strlen(e->scram), &k, &why) != 0)
		return NULL;
	same = k.iter == x->k.iter && strcmp(k.salt, x->k.salt) == 0 &&
	       strcmp(k.stored, x->k.stored) == 0 &&
	       strcmp(k.server, x->k.server) == 0;
	mem_wipe(&k, sizeof(k));
	return same ? e : NULL;
}

/* The verified user's entry: for SCRAM only while its keys are those the
 * proof was checked with; for CRAM-MD5 while the user exists. */
static const struct pw_entry *
verified_entry(const struct xchg *x)
{
	if (x->cram != NULL)
		return pw_find(x->db, x->authid, strlen(x->authid));
	return still_valid(x);
}

/* Feed in64 to the exchange (claimed by this thread) and fill *o. Returns
 * true if the exchange goes on. */
static bool
run(struct xchg *x, const struct pw_db *db, struct p3_span in64,
    struct sasl_out *o)
{
	char in[AUTH_SASL_B64_MAX + 1], *out = NULL;
	int rc;
	bool more = false;

	out_init(o, IPC_RES_FAIL);
	if (in64.len > AUTH_SASL_B64_MAX)
		return false;
	/* CRAM-MD5 is server first: nothing comes with the start, and an
	 * empty response would only make GNU SASL repeat the challenge. */
	if (x->cram != NULL && (in64.len == 0) == x->challenged)
		return false;
	x->challenged = true;
	x->db = db;
	memcpy(in, in64.p, in64.len);
	in[in64.len] = '\0';
	rc = gsasl_step64(x->gs, in, &out);
	mem_wipe(in, in64.len);
	wipe_password(x->gs);
	if (x->resolved)
		(void)str_copy(o->user, x->authid, sizeof(o->user));
	if (rc == GSASL_NEEDS_MORE && out != NULL && out[0] != '\0' &&
	    str_copy(o->data, out, sizeof(o->data)) == 0) {
		o->result = IPC_RES_CONT;
		o->xid = x->xid;
		more = true;
	} else if (rc == GSASL_OK && (out != NULL || x->cram != NULL) &&
		   x->known && (o->e = verified_entry(x)) != NULL &&
		   /* CRAM-MD5 has no additional data with success. */
		   str_copy(o->data, x->cram != NULL ? "" : out,
		       sizeof(o->data)) == 0) {
		o->result = IPC_RES_OK;
	} else if (rc == GSASL_MALLOC_ERROR) {
		o->result = IPC_RES_TEMP;
	}
	if (o->result != IPC_RES_OK)
		o->e = NULL;
	gsasl_free(out);
	x->db = NULL;
	return more;
}

/* Finish a call on x: keep it for the next message, or drop it. */
static void
release(struct sasl_tab *t, struct xchg *x, bool more, uint64_t now)
{
	pthread_mutex_lock(&t->mu);
	x->busy = false;
	x->last_ms = now;
	if (!more)
		drop(t, x);
	pthread_mutex_unlock(&t->mu);
}

void
sasl_start(struct sasl_tab *t, const struct pw_db *db, struct p3_span mech,
    struct p3_span cb64, struct p3_span in64, uint64_t now, struct sasl_out *o)
{
	uint8_t cb[AUTH_CB_LEN + 3];
	char cbs[4 * ((AUTH_CB_LEN + 2) / 3) + 1], name[24];
	struct xchg *x = NULL;
	bool cram = str_case_eq(mech.p, mech.len, "CRAM-MD5");
	size_t cblen;
	unsigned i;

	out_init(o, IPC_RES_FAIL);
	if (!(str_case_eq(mech.p, mech.len, "SCRAM-SHA-256") ||
		str_case_eq(mech.p, mech.len, "SCRAM-SHA-256-PLUS") || cram) ||
	    (cb64.len > 0 &&
		(cb64.len >= sizeof(cbs) ||
		    b64_decode(cb64.p, cb64.len, cb, sizeof(cb), &cblen) < 0 ||
		    cblen != AUTH_CB_LEN)))
		return;
	for (i = 0; i < mech.len; i++)
		name[i] = mech.p[i] >= 'a' && mech.p[i] <= 'z'
			      ? (char)(mech.p[i] - 'a' + 'A')
			      : mech.p[i];
	name[mech.len] = '\0';
	memcpy(cbs, cb64.p, cb64.len);
	cbs[cb64.len] = '\0';
	pthread_mutex_lock(&t->mu);
	if (cram && t->cram == NULL) {
		pthread_mutex_unlock(&t->mu);
		return; /* not offered: FAIL */
	}
	expire(t, now);
	for (i = 0; i < AUTH_SASL_MAX && x == NULL; i++)
		if (!t->x[i].used)
			x = &t->x[i];
	if (x != NULL && gsasl_server_start(t->ctx, name, &x->gs) == GSASL_OK) {
		t->gen = (t->gen + 1) & ((1u << (32 - SLOT_BITS)) - 1);
		if (t->gen == 0)
			t->gen = 1;
		x->xid = t->gen << SLOT_BITS | (uint32_t)(x - t->x);
		x->used = x->busy = true;
		x->last_ms = now;
		t->n++;
		x->cram = cram ? t->cram : NULL;
		gsasl_session_hook_set(x->gs, x);
	} else {
		if (x == NULL)
			log_warn("authd: %d SASL exchanges open; refusing "
				 "another",
			    AUTH_SASL_MAX);
		else
			x->gs = NULL;
		x = NULL;
	}
	pthread_mutex_unlock(&t->mu);
	if (x == NULL) {
		o->result = IPC_RES_TEMP;
		return;
	}
	if (cb64.len > 0 && !cram &&
	    gsasl_property_set(x->gs, GSASL_CB_TLS_EXPORTER, cbs) != GSASL_OK) {
		release(t, x, false, now);
		o->result = IPC_RES_TEMP;
		return;
	}
	release(t, x, run(x, db, in64, o), now);
}

void
sasl_step(struct sasl_tab *t, const struct pw_db *db, uint32_t xid,
    struct p3_span in64, uint64_t now, struct sasl_out *o)
{
	struct xchg *x;

	out_init(o, IPC_RES_TEMP);
	pthread_mutex_lock(&t->mu);
	expire(t, now);
	x = claim(t, xid, now);
	pthread_mutex_unlock(&t->mu);
	if (x == NULL)
		return;
	release(t, x, run(x, db, in64, o), now);
}

void
sasl_abort(struct sasl_tab *t, uint32_t xid)
{
	struct xchg *x;

	pthread_mutex_lock(&t->mu);
	if ((x = find(t, xid)) != NULL && !x->busy)
		drop(t, x);
	pthread_mutex_unlock(&t->mu);
}
