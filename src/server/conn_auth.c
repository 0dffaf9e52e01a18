/* conn_auth.c: the login side of a connection: password checks and SCRAM
 * steps sent to the credential process (authd), brute-force scheduling and
 * accounting around each one (penalty.c), and the replies back into the
 * session. */
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "auth/authd.h"
#include "auth/ipc.h"
#include "lib/log.h"
#include "lib/util.h"
#include "server/conn.h"

/* A SCRAM login whose proof the credential process accepted: kept until
 * the client acknowledges the server's final message. */
struct sasl_done {
	char user[P3_USER_MAX + 1];
	char path[STORE_PATH_MAX];
};

static void auth_complete(
    struct conn *c, int result, const char *user, const char *path);

/* Parallel password checks (queued or in flight) from c's source. */
static unsigned
auths_from(const struct conn *c)
{
	const struct conn *o;
	unsigned n = 0;

	for (o = c->srv->conns; o != NULL; o = o->next)
		if (o->auth_pending && strcmp(o->src, c->src) == 0)
			n++;
	return n;
}

/* A keyed fingerprint of (user, password), or for SCRAM of (user, client
 * message: unique per exchange by its nonces), to recognise a repeated
 * wrong password without keeping it. */
static void
fingerprint(struct conn *c, const char *user, size_t ulen, const char *pass,
    size_t plen)
{
	OSSL_PARAM p[2] = {OSSL_PARAM_construct_utf8_string(
			       OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
	    OSSL_PARAM_END};
	uint8_t md[EVP_MAX_MD_SIZE];
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	EVP_MAC_CTX *ctx = mac != NULL ? EVP_MAC_CTX_new(mac) : NULL;
	size_t mdlen = 0;

	/* On failure the fingerprint is random: the attempt counts. */
	if (RAND_bytes(c->fp, sizeof(c->fp)) != 1)
		memset(c->fp, 0xa5, sizeof(c->fp));
	if (ctx != NULL &&
	    EVP_MAC_init(ctx, c->srv->fp_key, sizeof(c->srv->fp_key), p) &&
	    EVP_MAC_update(ctx, (const uint8_t *)user, ulen) &&
	    EVP_MAC_update(ctx, (const uint8_t *)"", 1) &&
	    EVP_MAC_update(ctx, (const uint8_t *)pass, plen) &&
	    EVP_MAC_final(ctx, md, &mdlen, sizeof(md)) && mdlen >= PEN_FP_LEN)
		memcpy(c->fp, md, PEN_FP_LEN);
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	mem_wipe(md, sizeof(md));
}

void
conn_auth_start(struct conn *c, struct sess_act *act)
{
	bool sasl = act->kind == SA_SASL;
	uint64_t wait;

	if (auths_from(c) >= c->srv->conf->max_auth_per_source) {
		log_warn("peer=%s: too many parallel logins from this source",
		    c->peer);
		conn_sasl_drop(c);
		sess_auth_refuse(&c->sess,
		    "-ERR [SYS/TEMP] Too many parallel "
		    "logins from your address, try again later",
		    act);
		return;
	}
	c->mech = act->mech;
	c->sasl_op = sasl ? (int)act->sasl_op : -1;
	c->auth_pending = true;
	if (sasl && act->sasl_op == SASL_OP_START) {
		/* Nothing is verified yet (salt and iteration count come
		 * back, dummy ones for unknown users); the brute-force delay
		 * applies to the step that carries the proof. */
		memset(c->fp, 0, sizeof(c->fp));
		conn_auth_send(c);
		return;
	}
	if (sasl)
		fingerprint(c, act->user, act->ulen, act->data, act->dlen);
	else
		fingerprint(c, act->user, act->ulen, act->pass, act->plen);
	wait = pen_schedule(c->srv->pen, c->src, c->sess.user, time_mono_ms());
	if (wait > 0) {
		c->auth_waiting = true;
		conn_arm_timer(c, wait);
		return;
	}
	conn_auth_send(c);
}

static int
send_check(struct conn *c, uint32_t id)
{
	struct server *srv = c->srv;
	struct sess *s = &c->sess;

	if (c->sasl_op == SASL_OP_START)
		return authd_send_sasl_start(srv->authd_fd, id, c->mech,
		    c->cb64, strlen(c->cb64), s->sasl_data, s->sasl_dlen,
		    c->host);
	if (c->sasl_op == SASL_OP_STEP)
		return authd_send_sasl_step(
		    srv->authd_fd, id, c->sasl_xid, s->sasl_data, s->sasl_dlen);
	if (strcmp(c->mech, "APOP") == 0)
		return authd_send_apop(srv->authd_fd, id, s->user, s->user_len,
		    s->pass, s->pass_len, s->apop_ts, c->host);
	return authd_send(srv->authd_fd, id, s->user, s->user_len, s->pass,
	    s->pass_len, c->host);
}

void
conn_auth_send(struct conn *c)
{
	struct server *srv = c->srv;
	uint32_t id = ++srv->next_auth_id;

	if (srv->auth_slot[id % AUTH_SLOTS] != NULL || send_check(c, id) < 0) {
		log_err("credential process busy or gone");
		conn_auth_finish(c, IPC_RES_TEMP, "", "");
		return;
	}
	mem_wipe(c->sess.pass, sizeof(c->sess.pass));
	srv->auth_slot[id % AUTH_SLOTS] = c;
	c->auth_id = id;
}

void
conn_sasl_drop(struct conn *c)
{
	if (c->sasl_xid != 0 &&
	    authd_send_sasl_abort(c->srv->authd_fd, c->sasl_xid) < 0)
		log_warn("peer=%s: could not drop a SASL exchange", c->peer);
	c->sasl_xid = 0;
	if (c->sasl_ok != NULL) {
		mem_wipe(c->sasl_ok, sizeof(*c->sasl_ok));
		free(c->sasl_ok);
		c->sasl_ok = NULL;
	}
}

/* A SCRAM challenge: show it to the client and read on. */
static void
sasl_continue(struct conn *c, const struct authd_reply *r)
{
	c->auth_pending = false;
	c->sasl_xid = r->xid;
	c->active_ms = time_mono_ms();
	sess_sasl_challenge(&c->sess, r->user, r->data, strlen(r->data));
	conn_arm_timer(c, conn_idle_limit(c) * 1000);
	conn_input(c);
}

/* A verified SCRAM proof: send the server's final message, keep the
 * mailbox until the client's empty response (SASL_OP_ACK). Without a final
 * message (CRAM-MD5) the login completes now. */
static void
sasl_verified(struct conn *c, const struct authd_reply *r)
{
	if (r->data[0] == '\0') {
		conn_auth_finish(c, IPC_RES_OK, r->user, r->path);
		return;
	}
	if ((c->sasl_ok = calloc(1, sizeof(*c->sasl_ok))) == NULL) {
		conn_auth_finish(c, IPC_RES_TEMP, "", "");
		return;
	}
	(void)str_copy(c->sasl_ok->user, r->user, sizeof(c->sasl_ok->user));
	(void)str_copy(c->sasl_ok->path, r->path, sizeof(c->sasl_ok->path));
	c->auth_pending = false;
	c->active_ms = time_mono_ms();
	sess_sasl_final(&c->sess, r->data, strlen(r->data));
	conn_arm_timer(c, conn_idle_limit(c) * 1000);
	conn_input(c);
}

void
conn_auth_reply(struct conn *c, const struct authd_reply *r)
{
	struct server *srv = c->srv;
	char esc[P3_USER_MAX * 4 + 8];
	int result = r->result;
	bool counted;

	if (srv->auth_slot[c->auth_id % AUTH_SLOTS] == c)
		srv->auth_slot[c->auth_id % AUTH_SLOTS] = NULL;
	if (r->sasl != (c->sasl_op >= 0) ||
	    (result == IPC_RES_CONT && c->sasl_op != SASL_OP_START)) {
		log_err("credential process: unexpected reply");
		result = IPC_RES_TEMP;
	} else if (result == IPC_RES_CONT) {
		sasl_continue(c, r);
		return;
	}
	if (r->sasl)
		c->sasl_xid = 0; /* authd ended the exchange */
	if (r->sasl && c->sasl_op == SASL_OP_START && result == IPC_RES_TEMP) {
		/* No exchange (table full, authd trouble): no verdict. */
		conn_auth_finish(c, result, "", "");
		return;
	}
	counted = pen_result(srv->pen, c->src, c->sess.user, c->fp,
	    result == IPC_RES_OK, time_mono_ms());
	mem_wipe(c->fp, sizeof(c->fp));
	log_escape(c->sess.user, c->sess.user_len, esc, sizeof(esc));
	if (result == IPC_RES_OK) {
		(void)str_copy(c->ticket, r->ticket, sizeof(c->ticket));
		log_info("login: user=\"%s\" source=%s mech=%s tls=%s", esc,
		    c->host, c->mech, c->sess.tls ? "yes" : "no");
		if (r->sasl) {
			sasl_verified(c, r);
			return;
		}
	} else if (result == IPC_RES_FAIL) {
		/* One stable line per failure; see docs/fail2ban.md. */
		log_warn("auth failed: user=\"%s\" source=%s mech=%s tls=%s "
			 "counted=%s failures=%u",
		    esc, c->host, c->mech, c->sess.tls ? "yes" : "no",
		    counted ? "yes" : "no",
		    pen_failures(srv->pen, c->src, time_mono_ms()));
		if (srv->conf->auth_fail_delay_ms > 0) {
			c->auth_result = result;
			conn_arm_timer(c, srv->conf->auth_fail_delay_ms);
			return;
		}
	}
	conn_auth_finish(c, result, r->user, r->path);
}

/* Hand a result to the session (it replies); nothing is read here. */
static void
auth_complete(struct conn *c, int result, const char *user, const char *path)
{
	struct sess_act act;

	if (result != IPC_RES_OK)
		conn_sasl_drop(c);
	c->sasl_op = -1;
	c->active_ms = time_mono_ms();
	if (result == IPC_RES_OK && !c->srv->mail_role &&
	    c->srv->mail_fd >= 0) {
		/* The mail process opens the mailbox and answers. */
		conn_handoff(c, user, path);
		return;
	}
	memset(&act, 0, sizeof(act));
	sess_auth_done(&c->sess, result, user, path, &act);
	conn_arm_timer(c, conn_idle_limit(c) * 1000);
}

void
conn_auth_finish(struct conn *c, int result, const char *user, const char *path)
{
	c->auth_pending = false;
	auth_complete(c, result, user, path);
	conn_input(c);
}

void
conn_sasl_action(struct conn *c, struct sess_act *act)
{
	struct sasl_done *d;

	switch (act->sasl_op) {
	case SASL_OP_ABORT:
		conn_sasl_drop(c);
		return;
	case SASL_OP_ACK:
		d = c->sasl_ok;
		c->sasl_ok = NULL;
		if (d == NULL) {
			auth_complete(c, IPC_RES_TEMP, "", "");
			return;
		}
		auth_complete(c, IPC_RES_OK, d->user, d->path);
		mem_wipe(d, sizeof(*d));
		free(d);
		return;
	default:
		conn_auth_start(c, act);
		return;
	}
}
