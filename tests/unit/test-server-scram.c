/* test-server-scram.c: AUTH SCRAM-SHA-256[-PLUS] in the POP3 session
 * (src/server/session_sasl.c), and end to end: a GNU SASL client, the
 * real session, the real credential process (authd_start, IPC frames) and
 * the tls-exporter channel binding of a real TLS 1.3 handshake over a
 * socketpair (tls_channel_binding on the server side, OpenSSL directly on
 * the client side). The glue in run_login() stands in for conn.c, which
 * tests/interop/test_scram.py covers live. */
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "auth/authd.h"
#include "auth/ticket.h"
#include "auth/ipc.h"
#include "auth/passwd.h"
#include "harness.h"
#include "lib/buf.h"
#include "lib/util.h"
#include "scram-client.h"
#include "server/session.h"
#include "sess-fixture.h"
#include "tls/tls.h"

#define PW "Alice-Pass-123"
/* "n,,n=alice,r=fyko+d2lbbFgONRv9qkxdawL" */
#define CFIRST "biwsbj1hbGljZSxyPWZ5a28rZDJsYmJGZ09OUnY5cWt4ZGF3TA=="

TEST(session_scram_offer)
{
	struct sfx f;

	sfx_init(&f, false);
	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256"),
	    "-ERR [AUTH] Authentication "
	    "disallowed without TLS; use STLS or port 995\r\n");
	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256-PLUS"),
	    "-ERR SCRAM-SHA-256-PLUS "
	    "needs TLS 1.3 (tls-exporter channel binding)\r\n");
	CHECK(f.act.kind == SA_NONE);
	sfx_free(&f);
	/* --allow-plaintext-auth: offered before TLS, as PLAIN is. */
	sfx_init(&f, false);
	f.conf.allow_plaintext_auth = true;
	CHECK_STR(sfx_say(&f, "AUTH scram-sha-256"), "+ \r\n");
	CHECK_STR(sfx_say(&f, "*"), "-ERR Authentication cancelled\r\n");
	CHECK(f.act.kind == SA_NONE);
	sfx_free(&f);
	/* TLS 1.2: no -PLUS. */
	sfx_init(&f, true);
	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256-PLUS " CFIRST),
	    "-ERR "
	    "SCRAM-SHA-256-PLUS needs TLS 1.3 (tls-exporter channel "
	    "binding)\r\n");
	sess_set_binding(&f.s);
	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256-PLUS " CFIRST), "");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_START);
	CHECK_STR(f.act.mech, "SCRAM-SHA-256-PLUS");
	sfx_free(&f);
}

TEST(session_scram_steps)
{
	struct sfx f;

	sfx_init(&f, true);
	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256"), "+ \r\n");
	CHECK(sess_line_max(&f.s) > P3_CMD_MAX);
	CHECK_STR(sfx_say(&f, CFIRST), "");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_START);
	CHECK_STR(f.act.mech, "SCRAM-SHA-256");
	CHECK_MEM(f.act.data, f.act.dlen, CFIRST, strlen(CFIRST));
	buf_reset(&f.out);
	sess_sasl_challenge(&f.s, "alice", "c2VydmVy", 8);
	CHECK_STR((char *)f.out.data, "+ c2VydmVy\r\n");
	CHECK_MEM(f.s.user, f.s.user_len, "alice", 5);
	CHECK_STR(sfx_say(&f, "ZmluYWw="), "");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_STEP);
	CHECK_MEM(f.act.data, f.act.dlen, "ZmluYWw=", 8);
	CHECK_MEM(f.act.user, f.act.ulen, "alice", 5);
	buf_reset(&f.out);
	sess_sasl_final(&f.s, "dj14", 4);
	CHECK_STR((char *)f.out.data, "+ dj14\r\n");
	CHECK_STR(sfx_say(&f, ""), "");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_ACK);
	buf_reset(&f.out);
	sess_auth_done(&f.s, IPC_RES_TEMP, "", "", &f.act);
	CHECK_STR((char *)f.out.data,
	    "-ERR [SYS/TEMP] Temporary server error, try again later\r\n");
	CHECK(f.s.sasl_data == NULL && f.s.sasl == 0);

	/* A failure after the proof. */
	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256 " CFIRST), "");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_START);
	sess_sasl_challenge(&f.s, "alice", "c2VydmVy", 8);
	CHECK_STR(sfx_say(&f, "ZmluYWw="), "");
	buf_reset(&f.out);
	sess_auth_done(&f.s, IPC_RES_FAIL, "", "", &f.act);
	CHECK_STR((char *)f.out.data, "-ERR [AUTH] Authentication failed\r\n");
	CHECK_STR(
	    sfx_say(&f, "STAT"), "-ERR Command not valid in this state\r\n");

	/* "=" is an empty message (RFC 5034 §4). */
	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256 ="), "");
	CHECK(f.act.kind == SA_SASL && f.act.dlen == 0);
	sess_auth_done(&f.s, IPC_RES_FAIL, "", "", &f.act);
	sfx_free(&f);
}

/* Every way out of an exchange the credential process holds asks the I/O
 * layer to drop it (SASL_OP_ABORT); before that, nothing is held. */
TEST(session_scram_cancel)
{
	struct sfx f;

	sfx_init(&f, true);
	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256"), "+ \r\n");
	CHECK_STR(sfx_say(&f, "*"), "-ERR Authentication cancelled\r\n");
	CHECK(f.act.kind == SA_NONE);
	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256"), "+ \r\n");
	CHECK_STR(sfx_say(&f, "not base64!"), "-ERR Invalid base64 data\r\n");
	CHECK(f.act.kind == SA_NONE);
	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256 !!!!"),
	    "-ERR Invalid base64 data\r\n");
	CHECK(f.act.kind == SA_NONE);

	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256 " CFIRST), "");
	sess_sasl_challenge(&f.s, "alice", "c2VydmVy", 8);
	CHECK_STR(sfx_say(&f, "*"), "-ERR Authentication cancelled\r\n");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_ABORT);

	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256 " CFIRST), "");
	sess_sasl_challenge(&f.s, "alice", "c2VydmVy", 8);
	CHECK_STR(sfx_say(&f, "%%%%"), "-ERR Invalid base64 data\r\n");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_ABORT);

	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256 " CFIRST), "");
	sess_sasl_challenge(&f.s, "alice", "c2VydmVy", 8);
	buf_reset(&f.out);
	sess_bad_line(&f.s, false, &f.act);
	CHECK_STR((char *)f.out.data, "-ERR Authentication cancelled\r\n");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_ABORT);

	/* After the server's final message only an empty line will do. */
	CHECK_STR(sfx_say(&f, "AUTH SCRAM-SHA-256 " CFIRST), "");
	sess_sasl_challenge(&f.s, "alice", "c2VydmVy", 8);
	CHECK_STR(sfx_say(&f, "ZmluYWw="), "");
	sess_sasl_final(&f.s, "dj14", 4);
	CHECK_STR(sfx_say(&f, "STAT"), "-ERR Authentication cancelled\r\n");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_ABORT);
	CHECK(f.s.state == SS_AUTH && f.s.sasl_data == NULL);
	CHECK_STR(
	    sfx_say(&f, "NOOP"), "-ERR Command not valid in this state\r\n");
	sfx_free(&f);
}

/* ---- end to end ------------------------------------------------------ */

/* A self-signed P-256 certificate and key as PEM, for both ends. */
static int
make_cert(char **cert, size_t *cl, char **key, size_t *kl)
{
	EVP_PKEY *pk = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *x = X509_new();
	BIO *bc = BIO_new(BIO_s_mem()), *bk = BIO_new(BIO_s_mem());
	char *p;
	long n;
	int rc = -1;

	if (pk == NULL || x == NULL || bc == NULL || bk == NULL)
		goto out;
	X509_set_version(x, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
	X509_gmtime_adj(X509_getm_notBefore(x), -60);
	X509_gmtime_adj(X509_getm_notAfter(x), 3600);
	X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN", MBSTRING_ASC,
	    (const unsigned char *)"localhost", -1, -1, 0);
	X509_set_issuer_name(x, X509_get_subject_name(x));
	if (X509_set_pubkey(x, pk) != 1 ||
	    X509_sign(x, pk, EVP_sha256()) == 0 ||
	    PEM_write_bio_X509(bc, x) != 1 ||
	    PEM_write_bio_PrivateKey(bk, pk, NULL, NULL, 0, NULL, NULL) != 1)
		goto out;
	n = BIO_get_mem_data(bc, &p);
	*cert = strndup(p, (size_t)n);
	*cl = (size_t)n;
	n = BIO_get_mem_data(bk, &p);
	*key = strndup(p, (size_t)n);
	*kl = (size_t)n;
	rc = *cert != NULL && *key != NULL ? 0 : -1;
out:
	BIO_free(bc);
	BIO_free(bk);
	X509_free(x);
	EVP_PKEY_free(pk);
	return rc;
}

struct tls_pair {
	SSL_CTX *sctx, *cctx;
	SSL *srv, *cli;
	int fd[2];
	int cli_ok;
	char scb[48], ccb[48]; /* base64 exporters, "" if none */
};

static void *
client_hs(void *arg)
{
	struct tls_pair *t = arg;

	t->cli_ok = SSL_connect(t->cli) == 1;
	return NULL;
}

/* Handshake over a socketpair with the client capped at max_version;
 * fill in both sides' tls-exporter binding. 0 or -1. */
static int
tls_up(struct tls_pair *t, int max_version)
{
	char *cert = NULL, *key = NULL, err[256];
	size_t cl = 0, kl = 0;
	uint8_t cb[32];
	pthread_t th;
	int ok;

	memset(t, 0, sizeof(*t));
	if (make_cert(&cert, &cl, &key, &kl) != 0)
		return -1;
	t->sctx = tls_server_ctx_mem(cert, cl, key, kl, err, sizeof(err));
	free(cert);
	free(key);
	t->cctx = SSL_CTX_new(TLS_client_method());
	if (t->sctx == NULL || t->cctx == NULL ||
	    socketpair(AF_UNIX, SOCK_STREAM, 0, t->fd) != 0)
		return -1;
	SSL_CTX_set_max_proto_version(t->cctx, max_version);
	t->srv = SSL_new(t->sctx);
	t->cli = SSL_new(t->cctx);
	SSL_set_fd(t->srv, t->fd[0]);
	SSL_set_fd(t->cli, t->fd[1]);
	if (pthread_create(&th, NULL, client_hs, t) != 0)
		return -1;
	ok = SSL_accept(t->srv) == 1;
	pthread_join(th, NULL);
	if (!ok || !t->cli_ok)
		return -1;
	if (tls_channel_binding(t->srv, cb, sizeof(cb)) == 0)
		(void)b64_encode(cb, sizeof(cb), t->scb);
	if (SSL_export_keying_material(t->cli, cb, sizeof(cb),
		"EXPORTER-Channel-Binding", 24, NULL, 0, 0) == 1)
		(void)b64_encode(cb, sizeof(cb), t->ccb);
	return 0;
}

static void
tls_down(struct tls_pair *t)
{
	SSL_free(t->srv);
	SSL_free(t->cli);
	SSL_CTX_free(t->sctx);
	SSL_CTX_free(t->cctx);
	close(t->fd[0]);
	close(t->fd[1]);
}

TEST(tls_channel_binding_versions)
{
	struct tls_pair t;

	CHECK(tls_up(&t, TLS1_3_VERSION) == 0);
	CHECK(strlen(t.scb) == 44);
	CHECK_STR(t.scb, t.ccb);
	tls_down(&t);
	/* TLS 1.2: no binding from the server (RFC 9266 needs 1.3 here). */
	CHECK(tls_up(&t, TLS1_2_VERSION) == 0);
	CHECK_STR(t.scb, "");
	tls_down(&t);
}

struct world {
	char users[600], tmpl[600];
	int fd;
	pid_t pid;
	uint32_t id;
};

static int
world_up(struct world *w)
{
	char scram[AUTH_SCRAM_FIELD_MAX], line[1024], err[512];
	const char *dir = t_tmpdir();
	const char *sub[] = {"cur", "new", "tmp"};
	FILE *fp;
	int i;

	memset(w, 0, sizeof(*w));
	if (pw_scram_make(PW, 4096, scram, sizeof(scram)) != 0 ||
	    pw_hash(PW, "$y$", line, sizeof(line)) != 0 ||
	    str_fmt(w->users, sizeof(w->users), "%s/users", dir) < 0 ||
	    str_fmt(w->tmpl, sizeof(w->tmpl), "%s/%%u", dir) < 0 ||
	    (fp = fopen(w->users, "w")) == NULL)
		return -1;
	fprintf(
	    fp, "alice:%s::::::scram-sha-256=%s\nbob:%s\n", line, scram, line);
	fclose(fp);
	for (i = 0; i < 3; i++) {
		(void)str_fmt(line, sizeof(line), "%s/alice", dir);
		mkdir(line, 0700);
		(void)str_fmt(line, sizeof(line), "%s/alice/%s", dir, sub[i]);
		mkdir(line, 0700);
	}
	/* Login tickets need a key, as the server's start-up makes. */
	if (ticket_init(60) < 0)
		return -1;
	w->fd = authd_start(
	    w->users, w->tmpl, (uid_t)-1, 0, &w->pid, err, sizeof(err));
	return w->fd >= 0 ? 0 : -1;
}

static void
world_down(struct world *w)
{
	afx_stop(w->fd, w->pid);
}

/* Wait for the credential process's reply (5 s at most). */
static int
reply(struct world *w, struct authd_reply *r)
{
	return afx_reply(w->fd, w->id, r);
}

/* The server's "+ data" line without "+ " and CRLF, in a static buffer. */
static const char *
challenge(const struct sfx *f)
{
	static char b[4096];
	size_t n = f->out.len;

	if (n < 4 || memcmp(f->out.data, "+ ", 2) != 0 || n - 4 >= sizeof(b))
		return "";
	memcpy(b, f->out.data + 2, n - 4);
	b[n - 4] = '\0';
	return b;
}

/* One login as conn.c does it: session lines in, SA_SASL steps out to the
 * credential process, its replies back into the session. Returns the
 * session's last reply (static). scb: the server's binding or "". */
static const char *
run_login(struct world *w, const char *mech, const char *user, const char *pass,
    const char *ccb, const char *scb, int *client_rc)
{
	static char last[512];
	struct authd_reply r;
	struct scli c;
	struct sfx f;
	char *out = NULL;
	char cmd[64];

	*client_rc = -1;
	last[0] = '\0';
	sfx_init(&f, true);
	if (scb[0] != '\0')
		sess_set_binding(&f.s);
	if (scli_start(&c, mech, user, pass, ccb, NULL) != 0 ||
	    scli_step(&c, NULL, &out) != GSASL_NEEDS_MORE)
		goto done;
	(void)str_fmt(cmd, sizeof(cmd), "AUTH %s", mech);
	if (strcmp(sfx_say(&f, cmd), "+ \r\n") != 0)
		goto done;
	sfx_say(&f, out);
	gsasl_free(out);
	out = NULL;
	while (f.act.kind == SA_SASL) {
		w->id++;
		if (f.act.sasl_op == SASL_OP_START)
			CHECK(authd_send_sasl_start(w->fd, w->id, f.act.mech,
				  scb, strlen(scb), f.act.data, f.act.dlen,
				  "127.0.0.1") == 0);
		else if (f.act.sasl_op == SASL_OP_STEP)
			CHECK(authd_send_sasl_step(w->fd, w->id, r.xid,
				  f.act.data, f.act.dlen) == 0);
		else if (f.act.sasl_op == SASL_OP_ACK) {
			buf_reset(&f.out);
			sess_auth_done(
			    &f.s, IPC_RES_OK, r.user, r.path, &f.act);
			break;
		} else {
			break;
		}
		if (!CHECK(reply(w, &r) == 0 && r.sasl))
			break;
		buf_reset(&f.out);
		if (r.result == IPC_RES_CONT) {
			sess_sasl_challenge(
			    &f.s, r.user, r.data, strlen(r.data));
		} else if (r.result == IPC_RES_OK) {
			sess_sasl_final(&f.s, r.data, strlen(r.data));
			/* The client checks the server's signature, then
			 * answers with an empty line. */
			*client_rc = scli_step(&c, challenge(&f), &out);
			gsasl_free(out);
			out = NULL;
			if (*client_rc != GSASL_OK)
				break;
			sfx_say(&f, "");
			continue;
		} else {
			sess_auth_done(&f.s, r.result, "", "", &f.act);
			break;
		}
		if (scli_step(&c, challenge(&f), &out) != GSASL_NEEDS_MORE)
			break;
		sfx_say(&f, out);
		gsasl_free(out);
		out = NULL;
	}
	(void)str_copy(last, (const char *)f.out.data, sizeof(last));
done:
	gsasl_free(out);
	scli_end(&c);
	sfx_free(&f);
	return last;
}

TEST(server_scram_end_to_end)
{
	struct world w;
	struct tls_pair t;
	int crc;

	if (!CHECK(world_up(&w) == 0))
		return;
	CHECK(tls_up(&t, TLS1_3_VERSION) == 0);
	CHECK_STR(run_login(&w, "SCRAM-SHA-256", "alice", PW, NULL, "", &crc),
	    "+OK Logged in, 0 messages (0 octets)\r\n");
	CHECK(crc == GSASL_OK);
	CHECK_STR(run_login(&w, "SCRAM-SHA-256", "alice", "Alice-Pass-124",
		      NULL, "", &crc),
	    "-ERR [AUTH] Authentication failed\r\n");
	CHECK_STR(run_login(&w, "SCRAM-SHA-256", "nobody", PW, NULL, "", &crc),
	    "-ERR [AUTH] Authentication failed\r\n");
	CHECK_STR(run_login(&w, "SCRAM-SHA-256", "bob", PW, NULL, "", &crc),
	    "-ERR [AUTH] Authentication failed\r\n");
	/* -PLUS with the binding of this TLS 1.3 connection on both ends. */
	CHECK_STR(run_login(&w, "SCRAM-SHA-256-PLUS", "alice", PW, t.ccb, t.scb,
		      &crc),
	    "+OK Logged in, 0 messages (0 octets)\r\n");
	CHECK(crc == GSASL_OK);
	CHECK_STR(run_login(&w, "SCRAM-SHA-256-PLUS", "alice", "wrong-pass-1",
		      t.ccb, t.scb, &crc),
	    "-ERR [AUTH] Authentication failed\r\n");
	/* A man in the middle has two TLS connections, so two bindings. */
	{
		struct tls_pair t2;

		CHECK(tls_up(&t2, TLS1_3_VERSION) == 0);
		CHECK(strcmp(t2.ccb, t.ccb) != 0);
		CHECK_STR(run_login(&w, "SCRAM-SHA-256-PLUS", "alice", PW,
			      t2.ccb, t.scb, &crc),
		    "-ERR [AUTH] Authentication failed\r\n");
		tls_down(&t2);
	}
	/* SASL_ABORT over the channel: the exchange is gone (TEMP). */
	{
		struct authd_reply r;

		w.id++;
		CHECK(authd_send_sasl_start(w.fd, w.id, "SCRAM-SHA-256", "", 0,
			  CFIRST, strlen(CFIRST), "127.0.0.1") == 0);
		CHECK(reply(&w, &r) == 0 && r.result == IPC_RES_CONT);
		CHECK_STR(r.user, "alice");
		CHECK(authd_send_sasl_abort(w.fd, r.xid) == 0);
		/* Two workers read the channel: let the abort land first. */
		usleep(200 * 1000);
		w.id++;
		CHECK(authd_send_sasl_step(w.fd, w.id, r.xid, "eA==", 4) == 0);
		CHECK(reply(&w, &r) == 0 && r.result == IPC_RES_TEMP);
	}
	/* Plain SCRAM inside a bound TLS 1.3 channel still works. */
	CHECK_STR(
	    run_login(&w, "SCRAM-SHA-256", "alice", PW, NULL, t.scb, &crc),
	    "+OK Logged in, 0 messages (0 octets)\r\n");
	tls_down(&t);
	world_down(&w);
}
