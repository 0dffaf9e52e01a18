/* test-server-session.c: every command in every state, without sockets. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/ipc.h"
#include "harness.h"
#include "lib/buf.h"
#include "lib/util.h"
#include "server/session.h"

struct fx {
	struct srv_conf conf;
	struct sess s;
	struct buf out;
	struct sess_act act;
	char md[512];
	int64_t wait; /* login_wait hook answer */
	int logins;   /* login_done calls */
};

static int
tsink(void *ctx, const void *p, size_t len)
{
	return buf_append(ctx, p, len);
}

static int64_t
hook_wait(void *ctx, const char *user)
{
	return ((struct fx *)ctx)->wait;
}

static void
hook_done(void *ctx, const char *user)
{
	((struct fx *)ctx)->logins++;
}

static struct sess_hooks hooks = {hook_wait, hook_done, NULL};

static void
put(const char *dir, const char *name, const char *text)
{
	char path[700];
	FILE *f;

	if (str_fmt(path, sizeof(path), "%s/%s", dir, name) < 0 ||
	    (f = fopen(path, "w")) == NULL)
		abort();
	fputs(text, f);
	fclose(f);
}

#define MSG1 "Subject: one\n\nline1\n.dot\n..two\n.\nend\n"
#define MSG2 "Subject: two\r\n\r\nbody\r\n"
#define MSG3 "Subject: three\n\nno final newline"

static void
fx_init(struct fx *f, bool tls)
{
	char sub[600];

	memset(f, 0, sizeof(*f));
	conf_defaults(&f->conf);
	f->conf.max_bad_commands = 5;
	(void)str_copy(f->md, t_tmpdir(), sizeof(f->md));
	(void)str_fmt(sub, sizeof(sub), "%s/cur", f->md);
	mkdir(sub, 0700);
	(void)str_fmt(sub, sizeof(sub), "%s/tmp", f->md);
	mkdir(sub, 0700);
	(void)str_fmt(sub, sizeof(sub), "%s/new", f->md);
	mkdir(sub, 0700);
	put(sub, "1000.a", MSG1);
	put(sub, "1001.b", MSG2);
	put(sub, "1002.c", MSG3);
	buf_init(&f->out, 1 << 20);
	hooks.ctx = f;
	sess_init(&f->s, &f->conf, &hooks, tls, true, tsink, &f->out);
}

static void
fx_free(struct fx *f)
{
	if (f->act.kind == SA_SEND_MSG && f->act.fd >= 0)
		close(f->act.fd);
	sess_abort(&f->s);
	buf_free(&f->out);
}

/* Send one line; return everything the session wrote for it. */
static const char *
say(struct fx *f, const char *line)
{
	if (f->act.kind == SA_SEND_MSG && f->act.fd >= 0)
		close(f->act.fd);
	buf_reset(&f->out);
	sess_line(&f->s, line, strlen(line), &f->act);
	return f->out.len ? (const char *)f->out.data : "";
}

static void
login(struct fx *f)
{
	say(f, "USER alice");
	say(f, "PASS secret");
	buf_reset(&f->out);
	sess_auth_done(&f->s, IPC_RES_OK, "alice", f->md, &f->act);
}

TEST(session_greeting)
{
	struct fx f;

	fx_init(&f, false);
	sess_greet(&f.s, NULL);
	CHECK_STR((char *)f.out.data, "+OK POP3 server ready\r\n");
	fx_free(&f);
}

TEST(session_auth_state_table)
{
	static const struct {
		const char *in, *want;
	} t[] = {
	    {"USER alice", "-ERR [AUTH] Plaintext authentication "
			   "disallowed without TLS; use STLS or port 995\r\n"},
	    {"PASS x", "-ERR [AUTH] Plaintext authentication disallowed "
		       "without TLS; use STLS or port 995\r\n"},
	    {"AUTH PLAIN", "-ERR [AUTH] Plaintext authentication "
			   "disallowed without TLS; use STLS or port 995\r\n"},
	    {"AUTH", "+OK\r\n.\r\n"},
	    {"AUTH CRAM-MD5", "-ERR Unsupported authentication "
			      "mechanism\r\n"},
	    {"STAT", "-ERR Command not valid in this state\r\n"},
	    {"LIST", "-ERR Command not valid in this state\r\n"},
	    {"RETR 1", "-ERR Command not valid in this state\r\n"},
	    {"DELE 1", "-ERR Command not valid in this state\r\n"},
	    {"NOOP", "-ERR Command not valid in this state\r\n"},
	    {"RSET", "-ERR Command not valid in this state\r\n"},
	    {"TOP 1 1", "-ERR Command not valid in this state\r\n"},
	    {"UIDL", "-ERR Command not valid in this state\r\n"},
	};
	struct fx f;
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		fx_init(&f, false);
		CHECK_STR(say(&f, t[i].in), t[i].want);
		CHECK(f.act.kind == SA_NONE);
		fx_free(&f);
	}
	fx_init(&f, false);
	CHECK_STR(say(&f, "APOP a b"), "-ERR Unknown command\r\n");
	CHECK_STR(say(&f, "LAST"), "-ERR Unknown command\r\n");
	CHECK_STR(say(&f, "XYZZY"), "-ERR Unknown command\r\n");
	CHECK_STR(say(&f, "QUIT"), "+OK Bye\r\n");
	CHECK(f.act.kind == SA_CLOSE);
	fx_free(&f);
}

TEST(session_capa_three_states)
{
	struct fx f;

	fx_init(&f, false);
	CHECK_STR(say(&f, "capa"),
	    "+OK Capability list follows\r\nTOP\r\n"
	    "UIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nSTLS\r\n"
	    ".\r\n");
	CHECK_STR(say(&f, "STLS"), "+OK Begin TLS negotiation\r\n");
	CHECK(f.act.kind == SA_STARTTLS);
	sess_tls_started(&f.s);
	CHECK_STR(say(&f, "CAPA"),
	    "+OK Capability list follows\r\nTOP\r\n"
	    "USER\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
	    "SASL SCRAM-SHA-256 PLAIN LOGIN\r\n.\r\n");
	/* TLS 1.3 with its exporter: -PLUS first. */
	sess_set_binding(&f.s);
	CHECK_STR(say(&f, "CAPA"),
	    "+OK Capability list follows\r\nTOP\r\n"
	    "USER\r\nUIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
	    "SASL SCRAM-SHA-256-PLUS SCRAM-SHA-256 PLAIN LOGIN\r\n.\r\n");
	CHECK_STR(say(&f, "STLS"), "-ERR TLS already active\r\n");
	login(&f);
	CHECK_STR(say(&f, "CAPA"),
	    "+OK Capability list follows\r\nTOP\r\n"
	    "UIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\n"
	    "IMPLEMENTATION postie\r\n.\r\n");
	CHECK_STR(say(&f, "STLS"), "-ERR Command not valid in this state\r\n");
	fx_free(&f);

	fx_init(&f, false);
	f.conf.login_delay = 60;
	f.conf.expire = -2;
	CHECK_STR(say(&f, "CAPA"),
	    "+OK Capability list follows\r\nTOP\r\n"
	    "UIDL\r\nRESP-CODES\r\nAUTH-RESP-CODE\r\nPIPELINING\r\nSTLS\r\n"
	    "EXPIRE NEVER\r\nLOGIN-DELAY 60\r\n.\r\n");
	fx_free(&f);
}

TEST(session_stls_forgets_user)
{
	struct fx f;

	fx_init(&f, false);
	f.conf.allow_plaintext_auth = true;
	CHECK_STR(say(&f, "USER alice"), "+OK\r\n");
	CHECK_STR(say(&f, "STLS"), "+OK Begin TLS negotiation\r\n");
	sess_tls_started(&f.s);
	CHECK_STR(say(&f, "PASS secret"), "-ERR No USER given\r\n");
	CHECK(f.act.kind == SA_NONE);
	fx_free(&f);
}

TEST(session_user_pass_and_failure)
{
	struct fx f;

	fx_init(&f, true);
	CHECK_STR(say(&f, "PASS x"), "-ERR No USER given\r\n");
	CHECK_STR(say(&f, "USER alice"), "+OK\r\n");
	CHECK_STR(say(&f, "PASS pass with spaces"), "");
	CHECK(f.act.kind == SA_AUTH);
	CHECK_MEM(f.act.user, f.act.ulen, "alice", 5);
	CHECK_MEM(f.act.pass, f.act.plen, "pass with spaces", 16);
	buf_reset(&f.out);
	sess_auth_done(&f.s, IPC_RES_FAIL, "", "", &f.act);
	CHECK_STR((char *)f.out.data, "-ERR [AUTH] Authentication failed\r\n");
	CHECK(f.s.pass[0] == '\0');
	buf_reset(&f.out);
	sess_auth_done(&f.s, IPC_RES_TEMP, "", "", &f.act);
	CHECK_STR((char *)f.out.data,
	    "-ERR [SYS/TEMP] Temporary server error, try again later\r\n");
	login(&f);
	CHECK_STR(
	    (char *)f.out.data, "+OK Logged in, 3 messages (102 octets)\r\n");
	CHECK(f.logins == 1);
	fx_free(&f);
}

TEST(session_auth_plain_login)
{
	struct fx f;

	fx_init(&f, true);
	/* "\0alice\0secret" */
	CHECK_STR(say(&f, "AUTH PLAIN AGFsaWNlAHNlY3JldA=="), "");
	CHECK(f.act.kind == SA_AUTH);
	CHECK_MEM(f.act.user, f.act.ulen, "alice", 5);
	CHECK_MEM(f.act.pass, f.act.plen, "secret", 6);
	sess_auth_done(&f.s, IPC_RES_FAIL, "", "", &f.act);
	CHECK_STR(say(&f, "AUTH PLAIN"), "+ \r\n");
	CHECK(sess_line_max(&f.s) > P3_CMD_MAX);
	CHECK_STR(say(&f, "AGFsaWNlAHNlY3JldA=="), "");
	CHECK(f.act.kind == SA_AUTH);
	sess_auth_done(&f.s, IPC_RES_FAIL, "", "", &f.act);
	CHECK_STR(say(&f, "AUTH PLAIN"), "+ \r\n");
	CHECK_STR(say(&f, "*"), "-ERR Authentication cancelled\r\n");
	CHECK_STR(say(&f, "AUTH PLAIN"), "+ \r\n");
	CHECK_STR(say(&f, "!!!"), "-ERR Invalid base64 data\r\n");
	/* authzid "bob" for authcid "alice": refused as a failure. */
	CHECK_STR(say(&f, "AUTH PLAIN Ym9iAGFsaWNlAHNlY3JldA=="), "");
	CHECK(f.act.kind == SA_AUTH && f.act.ulen == 0);
	sess_auth_done(&f.s, IPC_RES_FAIL, "", "", &f.act);
	CHECK_STR(say(&f, "AUTH LOGIN"), "+ VXNlcm5hbWU6\r\n");
	CHECK_STR(say(&f, "YWxpY2U="), "+ UGFzc3dvcmQ6\r\n");
	CHECK_STR(say(&f, "c2VjcmV0"), "");
	CHECK(f.act.kind == SA_AUTH);
	CHECK_MEM(f.act.user, f.act.ulen, "alice", 5);
	CHECK_MEM(f.act.pass, f.act.plen, "secret", 6);
	sess_auth_done(&f.s, IPC_RES_FAIL, "", "", &f.act);
	CHECK_STR(say(&f, "AUTH LOGIN YWxpY2U="), "+ UGFzc3dvcmQ6\r\n");
	CHECK_STR(say(&f, "*"), "-ERR Authentication cancelled\r\n");
	CHECK_STR(say(&f, "AUTH"), "+OK\r\nSCRAM-SHA-256\r\nPLAIN\r\nLOGIN\r\n"
				   ".\r\n");
	sess_set_binding(&f.s);
	CHECK_STR(say(&f, "AUTH"), "+OK\r\nSCRAM-SHA-256-PLUS\r\n"
				   "SCRAM-SHA-256\r\nPLAIN\r\nLOGIN\r\n.\r\n");
	fx_free(&f);
}

TEST(session_transaction_table)
{
	static const struct {
		const char *in, *want;
	} t[] = {
	    {"STAT", "+OK 3 102\r\n"},
	    {"LIST", "+OK 3 messages (102 octets)\r\n1 44\r\n2 22\r\n"
		     "3 36\r\n.\r\n"},
	    {"LIST 2", "+OK 2 22\r\n"},
	    {"UIDL", "+OK\r\n1 1000.a\r\n2 1001.b\r\n3 1002.c\r\n.\r\n"},
	    {"UIDL 3", "+OK 3 1002.c\r\n"},
	    {"NOOP", "+OK\r\n"},
	    {"RSET", "+OK\r\n"},
	    {"LIST 4294967297", "-ERR Invalid message number\r\n"},
	    {"LIST 0", "-ERR Invalid message number\r\n"},
	    {"RETR +1", "-ERR Invalid message number\r\n"},
	    {"RETR 4", "-ERR No such message\r\n"},
	    {"TOP 1 -1", "-ERR Invalid line count\r\n"},
	    {"RETR 1 2", "-ERR Invalid arguments\r\n"},
	    {"STAT 1", "-ERR Invalid arguments\r\n"},
	    {"USER bob", "-ERR Command not valid in this state\r\n"},
	    {"PASS x", "-ERR Command not valid in this state\r\n"},
	    {"AUTH PLAIN", "-ERR Command not valid in this state\r\n"},
	    {"LAST", "-ERR Unknown command\r\n"},
	};
	struct fx f;
	size_t i;

	fx_init(&f, true);
	f.conf.max_bad_commands = 100;
	login(&f);
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		CHECK_STR(say(&f, t[i].in), t[i].want);
	fx_free(&f);
}

/* Read the rest of an fd and encode it as the I/O layer would. */
static size_t
encode_fd(int fd, int64_t top, char *out, size_t cap)
{
	struct p3_dotenc e;
	uint8_t in[4096];
	ssize_t n;
	size_t o = 0;

	p3_dotenc_init(&e, false, top);
	while ((n = read(fd, in, sizeof(in))) > 0 && !e.stopped &&
	       o + 2 * (size_t)n + 5 < cap)
		o += p3_dotenc_feed(&e, in, (size_t)n, (uint8_t *)out + o);
	o += p3_dotenc_finish(&e, (uint8_t *)out + o);
	return o;
}

TEST(session_retr_top_and_sizes)
{
	struct fx f;
	char body[1024];
	size_t n;

	fx_init(&f, true);
	login(&f);
	CHECK_STR(say(&f, "RETR 1"), "+OK 44 octets\r\n");
	CHECK(f.act.kind == SA_SEND_MSG && f.act.fd >= 0);
	n = encode_fd(f.act.fd, f.act.top_lines, body, sizeof(body));
	body[n] = '\0';
	CHECK_STR(body, "Subject: one\r\n\r\nline1\r\n..dot\r\n...two\r\n"
			"..\r\nend\r\n.\r\n");
	CHECK_STR(say(&f, "RETR 3"), "+OK 36 octets\r\n");
	n = encode_fd(f.act.fd, -1, body, sizeof(body));
	CHECK_MEM(
	    body, n, "Subject: three\r\n\r\nno final newline\r\n.\r\n", 39);
	CHECK_STR(say(&f, "TOP 1 0"), "+OK\r\n");
	CHECK(f.act.top_lines == 0);
	n = encode_fd(f.act.fd, f.act.top_lines, body, sizeof(body));
	CHECK_MEM(body, n, "Subject: one\r\n\r\n.\r\n", 19);
	CHECK_STR(say(&f, "TOP 1 2"), "+OK\r\n");
	n = encode_fd(f.act.fd, f.act.top_lines, body, sizeof(body));
	CHECK_MEM(body, n, "Subject: one\r\n\r\nline1\r\n..dot\r\n.\r\n", 33);
	fx_free(&f);
}

TEST(session_dele_rset_quit)
{
	struct fx f;
	char path[700];

	fx_init(&f, true);
	login(&f);
	CHECK_STR(say(&f, "DELE 2"), "+OK Message deleted\r\n");
	CHECK_STR(say(&f, "DELE 2"), "-ERR Message is deleted\r\n");
	CHECK_STR(say(&f, "RETR 2"), "-ERR Message is deleted\r\n");
	CHECK_STR(say(&f, "LIST 2"), "-ERR Message is deleted\r\n");
	CHECK_STR(say(&f, "STAT"), "+OK 2 80\r\n");
	CHECK_STR(say(&f, "LIST"), "+OK 2 messages (80 octets)\r\n1 44\r\n"
				   "3 36\r\n.\r\n");
	CHECK_STR(say(&f, "UIDL"), "+OK\r\n1 1000.a\r\n3 1002.c\r\n.\r\n");
	CHECK_STR(say(&f, "RSET"), "+OK\r\n");
	CHECK_STR(say(&f, "STAT"), "+OK 3 102\r\n");
	CHECK_STR(say(&f, "DELE 1"), "+OK Message deleted\r\n");
	CHECK_STR(say(&f, "QUIT"), "+OK Bye, 1 messages deleted\r\n");
	CHECK(f.act.kind == SA_CLOSE);
	(void)str_fmt(path, sizeof(path), "%s/new/1000.a", f.md);
	CHECK(access(path, F_OK) != 0);
	(void)str_fmt(path, sizeof(path), "%s/new/1001.b", f.md);
	CHECK(access(path, F_OK) == 0);
	fx_free(&f);
}

TEST(session_drop_deletes_nothing)
{
	struct fx f;
	char path[700];

	fx_init(&f, true);
	login(&f);
	CHECK_STR(say(&f, "DELE 1"), "+OK Message deleted\r\n");
	sess_abort(&f.s);
	(void)str_fmt(path, sizeof(path), "%s/new/1000.a", f.md);
	CHECK(access(path, F_OK) == 0);
	fx_free(&f);
}

TEST(session_retr_marks_seen_on_quit)
{
	struct fx f;
	char path[700];

	fx_init(&f, true);
	login(&f);
	say(&f, "RETR 2");
	say(&f, "TOP 3 0");
	CHECK_STR(say(&f, "QUIT"), "+OK Bye, 0 messages deleted\r\n");
	(void)str_fmt(path, sizeof(path), "%s/cur/1001.b:2,S", f.md);
	CHECK(access(path, F_OK) == 0);
	(void)str_fmt(path, sizeof(path), "%s/new/1002.c", f.md);
	CHECK(access(path, F_OK) == 0); /* TOP is not a retrieval */
	fx_free(&f);
}

TEST(session_in_use_and_login_delay)
{
	struct fx f, g;

	fx_init(&f, true);
	login(&f);
	memset(&g, 0, sizeof(g));
	g.conf = f.conf;
	buf_init(&g.out, 4096);
	hooks.ctx = &g;
	sess_init(&g.s, &g.conf, &hooks, true, true, tsink, &g.out);
	sess_auth_done(&g.s, IPC_RES_OK, "alice", f.md, &g.act);
	CHECK_STR((char *)g.out.data,
	    "-ERR [IN-USE] Mailbox is locked by another session\r\n");
	CHECK(g.s.state == SS_AUTH);
	buf_reset(&g.out);
	g.conf.login_delay = 60;
	g.wait = 30;
	sess_auth_done(&g.s, IPC_RES_OK, "alice", f.md, &g.act);
	CHECK_STR((char *)g.out.data, "-ERR [LOGIN-DELAY] Logins must be at "
				      "least 60 seconds apart\r\n");
	buf_reset(&g.out);
	sess_auth_done(&g.s, IPC_RES_OK, "alice", "/nonexistent/x", &g.act);
	g.wait = 0;
	buf_reset(&g.out);
	sess_auth_done(&g.s, IPC_RES_OK, "alice", "/nonexistent/x", &g.act);
	CHECK_STR(
	    (char *)g.out.data, "-ERR [SYS/PERM] Mailbox unavailable\r\n");
	sess_abort(&g.s);
	buf_free(&g.out);
	fx_free(&f);
}

TEST(session_bad_commands_close)
{
	struct fx f;
	int i;

	fx_init(&f, false);
	for (i = 0; i < 4; i++) {
		CHECK_STR(say(&f, "BOGUS"), "-ERR Unknown command\r\n");
		CHECK(f.act.kind == SA_NONE);
	}
	CHECK_STR(say(&f, "BOGUS"),
	    "-ERR Too many bad commands, closing connection\r\n");
	CHECK(f.act.kind == SA_CLOSE);
	fx_free(&f);

	fx_init(&f, false);
	buf_reset(&f.out);
	sess_bad_line(&f.s, false, &f.act);
	CHECK_STR((char *)f.out.data, "-ERR Line too long\r\n");
	buf_reset(&f.out);
	sess_bad_line(&f.s, true, &f.act);
	CHECK_STR((char *)f.out.data, "-ERR NUL byte in command\r\n");
	fx_free(&f);
}

TEST(session_last_enabled)
{
	struct fx f;

	fx_init(&f, true);
	f.conf.enable_last = true;
	login(&f);
	CHECK_STR(say(&f, "LAST"), "+OK 0\r\n");
	say(&f, "RETR 2");
	CHECK_STR(say(&f, "LAST"), "+OK 2\r\n");
	CHECK_STR(say(&f, "RSET"), "+OK\r\n");
	CHECK_STR(say(&f, "LAST"), "+OK 0\r\n");
	fx_free(&f);
}
