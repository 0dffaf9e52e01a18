/* test-server-cram.c: AUTH CRAM-MD5 in the POP3 session (session.c,
 * session_sasl.c): where it is offered, the server-first start, the user
 * named in the response; and end to end with GNU SASL's client, the real
 * credential process (authd_start with a secrets file, IPC frames) and
 * glue that stands in for conn_auth.c (tests/interop/test_cram_md5.py
 * covers the live server). */
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

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

#define SECRET "tanstaaftanstaaf"
/* base64("alice b913a602c7eda7a495b4e6e7334d3890") */
#define RESP_ALICE "YWxpY2UgYjkxM2E2MDJjN2VkYTdhNDk1YjRlNmU3MzM0ZDM4OTA="
#define R_NEEDTLS                                                              \
	"-ERR [AUTH] Authentication disallowed without TLS; use STLS or port " \
	"995\r\n"

/* A session with TLS on or off, CRAM-MD5 and plaintext logins as given. */
static void
fx_init(struct sfx *f, bool tls, bool cram, bool plaintext)
{
	sfx_init(f, tls);
	f->conf.cram_md5 = cram;
	f->conf.allow_plaintext_auth = plaintext;
	f->conf.max_bad_commands = 10;
}

TEST(session_cram_off)
{
	struct sfx f;

	fx_init(&f, true, false, false);
	CHECK(strstr(sfx_say(&f, "CAPA"),
		  "SASL SCRAM-SHA-256 PLAIN LOGIN\r\n") != NULL);
	CHECK(strstr(sfx_say(&f, "AUTH"), "CRAM-MD5") == NULL);
	CHECK_STR(sfx_say(&f, "AUTH CRAM-MD5"),
	    "-ERR Unsupported authentication mechanism\r\n");
	CHECK(f.act.kind == SA_NONE && f.s.sasl == 0);
	sfx_free(&f);
}

/* On: offered where PLAIN is (TLS, or allow-plaintext-auth), last. */
TEST(session_cram_offer)
{
	struct sfx f;

	fx_init(&f, true, true, false);
	CHECK(strstr(sfx_say(&f, "CAPA"),
		  "SASL SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5\r\n") != NULL);
	CHECK_STR(sfx_say(&f, "AUTH"),
	    "+OK\r\nSCRAM-SHA-256\r\nPLAIN\r\nLOGIN\r\nCRAM-MD5\r\n.\r\n");
	sfx_free(&f);
	fx_init(&f, false, true, false);
	CHECK(strstr(sfx_say(&f, "CAPA"), "CRAM-MD5") == NULL);
	CHECK_STR(sfx_say(&f, "AUTH CRAM-MD5"), R_NEEDTLS);
	CHECK(f.act.kind == SA_NONE && f.s.sasl == 0);
	sfx_free(&f);
	fx_init(&f, false, true, true);
	CHECK(strstr(sfx_say(&f, "CAPA"),
		  "SASL SCRAM-SHA-256 PLAIN LOGIN CRAM-MD5\r\n") != NULL);
	CHECK_STR(sfx_say(&f, "auth cram-md5"), "");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_START);
	sfx_free(&f);
}

TEST(session_cram_steps)
{
	struct sfx f;

	fx_init(&f, true, true, false);
	/* Server first: an empty START asks the credential process for the
	 * challenge; nothing is written meanwhile. */
	CHECK_STR(sfx_say(&f, "AUTH CRAM-MD5"), "");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_START);
	CHECK_STR(f.act.mech, "CRAM-MD5");
	CHECK(f.act.dlen == 0 && f.act.data != NULL);
	buf_reset(&f.out);
	sess_sasl_challenge(&f.s, "", "PDEuMEBsb2NhbGhvc3Q+", 20);
	CHECK_STR((char *)f.out.data, "+ PDEuMEBsb2NhbGhvc3Q+\r\n");
	/* The response names the user: delays and log lines are about it. */
	CHECK_STR(sfx_say(&f, RESP_ALICE), "");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_STEP);
	CHECK_MEM(f.act.data, f.act.dlen, RESP_ALICE, strlen(RESP_ALICE));
	CHECK_MEM(f.act.user, f.act.ulen, "alice", 5);
	CHECK_STR(f.act.mech, "CRAM-MD5");
	buf_reset(&f.out);
	sess_auth_done(&f.s, IPC_RES_FAIL, "", "", &f.act);
	CHECK_STR((char *)f.out.data, "-ERR [AUTH] Authentication failed\r\n");
	CHECK(f.s.sasl == 0 && f.s.sasl_data == NULL);

	/* A malformed response still goes to the check (it counts as a
	 * failure there) but names nobody. */
	CHECK_STR(sfx_say(&f, "AUTH CRAM-MD5"), "");
	sess_sasl_challenge(&f.s, "", "PDEuMEBsb2NhbGhvc3Q+", 20);
	CHECK_STR(sfx_say(&f, "YWxpY2U="), "");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_STEP);
	CHECK(f.act.ulen == 0 && f.s.user_len == 0);
	sess_auth_done(&f.s, IPC_RES_FAIL, "", "", &f.act);

	/* "*" cancels; the credential process drops its exchange. */
	CHECK_STR(sfx_say(&f, "AUTH CRAM-MD5"), "");
	sess_sasl_challenge(&f.s, "", "PDEuMEBsb2NhbGhvc3Q+", 20);
	CHECK_STR(sfx_say(&f, "*"), "-ERR Authentication cancelled\r\n");
	CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_ABORT);
	sfx_free(&f);
}

/* RFC 2195 has no initial response ("=" is an empty one): a bad
 * command, no exchange. */
TEST(session_cram_no_initial_response)
{
	struct sfx f;

	fx_init(&f, true, true, false);
	CHECK_STR(sfx_say(&f, "AUTH CRAM-MD5 " RESP_ALICE),
	    "-ERR CRAM-MD5 takes no initial response\r\n");
	CHECK(f.act.kind == SA_NONE && f.s.sasl == 0 && f.s.bad == 1);
	CHECK_STR(sfx_say(&f, "AUTH CRAM-MD5 ="),
	    "-ERR CRAM-MD5 takes no initial response\r\n");
	CHECK(f.act.kind == SA_NONE && f.s.bad == 2);
	sfx_free(&f);
}

/* ---- end to end ------------------------------------------------------ */

struct world {
	char dir[600];
	int fd;
	pid_t pid;
	uint32_t id;
};

static int
world_up(struct world *w)
{
	char users[700], secrets[700], tmpl[700], path[700], hash[256];
	char err[512];
	const char *sub[] = {"", "/cur", "/new", "/tmp"};
	FILE *fp;
	int i;

	memset(w, 0, sizeof(*w));
	(void)str_copy(w->dir, t_tmpdir(), sizeof(w->dir));
	if (pw_hash("Alice-Pass-123", "$y$", hash, sizeof(hash)) != 0 ||
	    str_fmt(users, sizeof(users), "%s/users", w->dir) < 0 ||
	    str_fmt(secrets, sizeof(secrets), "%s/secrets", w->dir) < 0 ||
	    str_fmt(tmpl, sizeof(tmpl), "%s/%%u", w->dir) < 0)
		return -1;
	if ((fp = fopen(users, "w")) == NULL)
		return -1;
	fprintf(fp, "alice:%s\nbob:%s\n", hash, hash);
	fclose(fp);
	if ((fp = fopen(secrets, "w")) == NULL)
		return -1;
	fputs("ghost:ghost-secret\nalice:" SECRET "\n", fp);
	fclose(fp);
	for (i = 0; i < 4; i++) {
		(void)str_fmt(path, sizeof(path), "%s/alice%s", w->dir, sub[i]);
		mkdir(path, 0700);
	}
	/* Login tickets need a key, as the server's start-up makes. */
	if (ticket_init(60) < 0)
		return -1;
	/* Process-wide, like the server's start-up; other tests' credential
	 * processes only gain a mechanism they never use. */
	authd_set_cram_md5(strdup(secrets));
	w->fd =
	    authd_start(users, tmpl, (uid_t)-1, 0, &w->pid, err, sizeof(err));
	return w->fd >= 0 ? 0 : -1;
}

static void
world_down(struct world *w)
{
	afx_stop(w->fd, w->pid);
}

/* Wait for the credential process's SASL reply (5 s at most). */
static int
reply(struct world *w, struct authd_reply *r)
{
	return afx_reply(w->fd, w->id, r) == 0 && r->sasl ? 0 : -1;
}

/* One CRAM-MD5 login, as conn_auth.c does it: the session's SA_SASL
 * steps go to the credential process, its replies back into the session;
 * an OK without a final message logs in at once. Returns the session's
 * last reply (static); *user_r gets the user the STEP named. */
static const char *
run_login(struct world *w, const char *user, const char *key, char *user_r)
{
	static char last[512];
	struct authd_reply r;
	struct scli c;
	struct sfx f;
	char ch[AUTH_SASL_B64_MAX + 1], *out = NULL;

	last[0] = user_r[0] = '\0';
	fx_init(&f, true, true, false);
	if (scli_start(&c, "CRAM-MD5", user, key, NULL, NULL) != 0)
		goto done;
	if (!CHECK_STR(sfx_say(&f, "AUTH CRAM-MD5"), "") ||
	    !CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_START))
		goto done;
	w->id++;
	CHECK(authd_send_sasl_start(w->fd, w->id, f.act.mech, "", 0, f.act.data,
		  f.act.dlen, "127.0.0.1") == 0);
	if (!CHECK(reply(w, &r) == 0 && r.result == IPC_RES_CONT))
		goto done;
	buf_reset(&f.out);
	sess_sasl_challenge(&f.s, r.user, r.data, strlen(r.data));
	if (f.out.len < 4 || f.out.len - 4 >= sizeof(ch))
		goto done;
	memcpy(ch, f.out.data + 2, f.out.len - 4); /* "+ " ... CRLF */
	ch[f.out.len - 4] = '\0';
	if (!CHECK(scli_step(&c, ch, &out) == GSASL_OK) ||
	    !CHECK_STR(sfx_say(&f, out), "") ||
	    !CHECK(f.act.kind == SA_SASL && f.act.sasl_op == SASL_OP_STEP))
		goto done;
	(void)str_copy(user_r, f.act.user, P3_USER_MAX + 1);
	w->id++;
	CHECK(authd_send_sasl_step(
		  w->fd, w->id, r.xid, f.act.data, f.act.dlen) == 0);
	if (!CHECK(reply(w, &r) == 0))
		goto done;
	/* CRAM-MD5 has no server-final message. */
	CHECK(r.result != IPC_RES_CONT && r.data[0] == '\0');
	buf_reset(&f.out);
	sess_auth_done(&f.s, r.result, r.user, r.path, &f.act);
	(void)str_copy(last, (const char *)f.out.data, sizeof(last));
done:
	gsasl_free(out);
	scli_end(&c);
	sfx_free(&f);
	return last;
}

TEST(server_cram_end_to_end)
{
	static const char *fail[][2] = {{"alice", SECRET "x"},
	    {"nobody", SECRET}, {"bob", "postie-apop-dummy-secret"},
	    {"ghost", "ghost-secret"}};
	char user[P3_USER_MAX + 1];
	struct world w;
	size_t i;

	if (!CHECK(world_up(&w) == 0))
		return;
	CHECK_STR(run_login(&w, "alice", SECRET, user),
	    "+OK Logged in, 0 messages (0 octets)\r\n");
	CHECK_STR(user, "alice");
	/* Wrong secret, unknown user, user without a secret (answered with
	 * the dummy), secret without a user: one reply for all. */
	for (i = 0; i < sizeof(fail) / sizeof(fail[0]); i++) {
		CHECK_STR(run_login(&w, fail[i][0], fail[i][1], user),
		    "-ERR [AUTH] Authentication failed\r\n");
		CHECK_STR(user, fail[i][0]);
	}
	world_down(&w);
}
