/* authd.c: the credential-check process and its client side. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/authd.h"
#include "auth/ipc.h"
#include "auth/ticket.h"
#include "auth/lockout.h"
#include "auth/passwd.h"
#include "auth/sasl.h"
#include "lib/log.h"
#include "lib/num.h"
#include "lib/priv.h"
#include "lib/util.h"

#include <openssl/evp.h>

static const char *apop_path;  /* APOP secrets file, or NULL */
static bool cram_md5;          /* offer CRAM-MD5 (with apop_path) */
static unsigned lockout_after; /* 0: no hard lockout */
static const char *lockout_file;
static pthread_mutex_t lockout_mu = PTHREAD_MUTEX_INITIALIZER;
static unsigned sasl_ttl_s = AUTH_SASL_TTL_S;

struct authd_state {
	int fd;
	const char *users;
	const char *tmpl;
	pthread_rwlock_t lock;
	struct pw_db *db;
	struct stat st;        /* users file identity at the last load */
	struct sasl_tab *sasl; /* SCRAM exchanges, or NULL */
};

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	       a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Reload the users file if it changed since the last load. */
static void
maybe_reload(struct authd_state *s)
{
	struct pw_db *db;
	struct stat st;
	char err[512];

	if (stat(s->users, &st) < 0)
		return;
	pthread_rwlock_rdlock(&s->lock);
	if (same_file(&st, &s->st)) {
		pthread_rwlock_unlock(&s->lock);
		return;
	}
	pthread_rwlock_unlock(&s->lock);
	if (pw_load(s->users, &db, err, sizeof(err)) < 0) {
		log_err("users file not reloaded: %s", err);
		pthread_rwlock_wrlock(&s->lock);
		s->st = st; /* don't retry until it changes again */
		pthread_rwlock_unlock(&s->lock);
		return;
	}
	pthread_rwlock_wrlock(&s->lock);
	pw_free(&s->db);
	s->db = db;
	s->st = st;
	pthread_rwlock_unlock(&s->lock);
	log_info("users file %s loaded: %zu users", s->users, pw_count(db));
}

void
authd_set_apop(const char *path)
{
	apop_path = path;
}

void
authd_set_cram_md5(const char *path)
{
	cram_md5 = true;
	apop_path = path;
}

void
authd_set_lockout(unsigned after, const char *path)
{
	lockout_after = after;
	lockout_file = path;
}

/* Hard lockout bookkeeping around one checked attempt of an existing user
 * (e != NULL when the name exists). Returns true if the user is locked. */
static bool
lockout_check(const char *user)
{
	return lockout_after > 0 &&
	       lockout_get(lockout_file, user) >= lockout_after;
}

static void
lockout_record(const char *user, bool exists, bool ok)
{
	unsigned n;
	char esc[P3_USER_MAX * 4 + 8];

	if (lockout_after == 0 || !exists)
		return;
	pthread_mutex_lock(&lockout_mu);
	n = lockout_get(lockout_file, user);
	if ((ok && n > 0 && lockout_set(lockout_file, user, 0) < 0) ||
	    (!ok && lockout_set(lockout_file, user, n + 1) < 0))
		log_err("lockout file %s: %s", lockout_file, strerror(errno));
	else if (!ok && n + 1 == lockout_after)
		log_warn("user=\"%s\" locked after %u failed logins "
			 "(postie user unlock)",
		    log_escape(user, strlen(user), esc, sizeof(esc)),
		    lockout_after);
	pthread_mutex_unlock(&lockout_mu);
}

void
authd_set_sasl_ttl(unsigned secs)
{
	sasl_ttl_s = secs;
}

/* Look up user's secret (APOP, CRAM-MD5) in the secrets file; dummy when
 * absent. The whole file is read either way, so the work is the same for
 * every name. Returns true if the user has a secret. */
static bool
apop_secret(const char *user, char *out, size_t outlen)
{
	char *line = NULL;
	size_t cap = 0, ulen = strlen(user);
	ssize_t n;
	bool found = false;
	FILE *f;

	(void)str_copy(out, "postie-apop-dummy-secret", outlen);
	if (apop_path == NULL || (f = fopen(apop_path, "re")) == NULL)
		return false;
	while ((n = getline(&line, &cap, f)) > 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (!found && ulen > 0 && (size_t)n > ulen &&
		    memcmp(line, user, ulen) == 0 && line[ulen] == ':' &&
		    str_copy(out, line + ulen + 1, outlen) == 0)
			found = true;
		mem_wipe(line, (size_t)n);
	}
	if (line != NULL)
		mem_wipe(line, cap);
	free(line);
	fclose(f);
	return found;
}

/* RFC 1939 §7: digest == hex(MD5(timestamp secret)), constant time. */
static bool
apop_check(const char *user, struct p3_span digest, struct p3_span ts)
{
	char secret[P3_PASS_MAX + 1], hex[33];
	uint8_t md[EVP_MAX_MD_SIZE], in[512 + P3_PASS_MAX];
	unsigned mdlen = 0, i;
	bool have = apop_secret(user, secret, sizeof(secret)), ok = false;
	size_t sl = strlen(secret);

	if (ts.len <= 512 && digest.len == 32) {
		memcpy(in, ts.p, ts.len);
		memcpy(in + ts.len, secret, sl);
		if (EVP_Digest(in, ts.len + sl, md, &mdlen, EVP_md5(), NULL) ==
			1 &&
		    mdlen == 16) {
			for (i = 0; i < 16; i++) {
				hex[2 * i] = "0123456789abcdef"[md[i] >> 4];
				hex[2 * i + 1] = "0123456789abcdef"[md[i] & 15];
			}
			ok = mem_equal_ct(hex, digest.p, 32) && have;
		}
		mem_wipe(in, sizeof(in));
	}
	mem_wipe(secret, sizeof(secret));
	return ok;
}

/* Send a reply: type IPC_AUTH_REPLY (6 fields) or IPC_SASL_REPLY (with the
 * exchange id first and the server message before the ticket). A
 * successful login carries a ticket for the mail process (ticket.h). */
static void
reply(struct authd_state *s, uint8_t type, uint32_t id, uint8_t res,
    uint32_t xid, const char *user, const char *path, const char *uidb,
    const char *gidb, const char *data)
{
	uint8_t out[IPC_FRAME_MAX];
	char xidb[16], tick[TICKET_LEN + 1] = "";
	struct p3_span f[8];
	int n, nf = 0;

	if (res == IPC_RES_OK &&
	    ticket_make(user, path, time_mono_ms(), tick, sizeof(tick)) < 0) {
		log_err("authd: cannot make a login ticket");
		res = IPC_RES_TEMP;
	}

	f[nf].p = (const char *)&res;
	f[nf++].len = 1;
	if (type == IPC_SASL_REPLY) {
		(void)str_fmt(xidb, sizeof(xidb), "%lu", (unsigned long)xid);
		f[nf].p = xidb;
		f[nf++].len = strlen(xidb);
	}
	f[nf].p = user;
	f[nf++].len = strlen(user);
	f[nf].p = path;
	f[nf++].len = res == IPC_RES_OK ? strlen(path) : 0;
	f[nf].p = uidb;
	f[nf++].len = strlen(uidb);
	f[nf].p = gidb;
	f[nf++].len = strlen(gidb);
	if (type == IPC_SASL_REPLY) {
		f[nf].p = data;
		f[nf++].len = strlen(data);
	}
	f[nf].p = tick;
	f[nf++].len = strlen(tick);
	n = ipc_encode(type, id, f, nf, out, sizeof(out));
	if (n < 0) {
		/* Cannot happen with the caps; say "try again" rather than
		 * leave the client waiting. */
		res = IPC_RES_TEMP;
		f[0].p = (const char *)&res;
		f[type == IPC_SASL_REPLY ? 3 : 2].len = 0;
		f[nf - 1].len = 0;
		if (type == IPC_SASL_REPLY)
			f[nf - 2].len = 0;
		n = ipc_encode(type, id, f, nf, out, sizeof(out));
	}
	if (n > 0 && send(s->fd, out, (size_t)n, MSG_NOSIGNAL) < 0)
		log_err("authd: send: %s", strerror(errno));
	mem_wipe(out, sizeof(out));
}

/* The mailbox path and ids of e; IPC_RES_OK or IPC_RES_TEMP. */
static uint8_t
entry_result(struct authd_state *s, const struct pw_entry *e, char *path,
    char *uidb, char *gidb)
{
	const char *t = e->mail[0] != '\0' ? e->mail : s->tmpl;

	(void)str_fmt(uidb, 24, "%ld", e->uid);
	(void)str_fmt(gidb, 24, "%ld", e->gid);
	if (pw_mail_path(t, e, path, STORE_PATH_MAX) < 0) {
		log_err("authd: mailbox path for user rejected by template");
		return IPC_RES_TEMP;
	}
	return IPC_RES_OK;
}

static void
handle_pass(struct authd_state *s, const struct ipc_msg *m)
{
	const struct pw_entry *e = NULL;
	char path[STORE_PATH_MAX], user[P3_USER_MAX + 1], pass[P3_PASS_MAX + 1];
	char uidb[24] = "", gidb[24] = "";
	uint8_t res = IPC_RES_FAIL;
	bool locked = false;
	int ok;

	if ((ipc_expect(m, IPC_AUTH_PASS, 3) < 0 &&
		ipc_expect(m, IPC_AUTH_APOP, 4) < 0) ||
	    m->f[0].len > P3_USER_MAX || m->f[1].len > P3_PASS_MAX) {
		log_err("authd: malformed request dropped");
		return;
	}
	memcpy(user, m->f[0].p, m->f[0].len);
	user[m->f[0].len] = '\0';
	memcpy(pass, m->f[1].p, m->f[1].len);
	pass[m->f[1].len] = '\0';
	path[0] = '\0';
	maybe_reload(s);
	pthread_rwlock_rdlock(&s->lock);
	if (s->db == NULL) {
		res = IPC_RES_TEMP;
	} else {
		if (m->type == IPC_AUTH_APOP) {
			e = pw_find(s->db, user, m->f[0].len);
			ok = apop_check(user, m->f[1], m->f[2]) && e != NULL;
		} else {
			ok = pw_verify(
			    s->db, user, m->f[0].len, pass, m->f[1].len, &e);
		}
		locked = lockout_check(user);
		if (ok < 0)
			res = IPC_RES_TEMP;
		else if (ok == 1 && !locked)
			res = entry_result(s, e, path, uidb, gidb);
		if (ok >= 0 && !locked)
			lockout_record(user,
			    pw_find(s->db, user, m->f[0].len) != NULL, ok == 1);
	}
	pthread_rwlock_unlock(&s->lock);
	if (locked) {
		char esc[P3_USER_MAX * 4 + 8];

		/* Same reply as a wrong password: no lockout oracle. */
		log_warn("user=\"%s\" is locked; refused (postie user unlock)",
		    log_escape(user, strlen(user), esc, sizeof(esc)));
	}
	mem_wipe(pass, sizeof(pass));
	reply(s, IPC_AUTH_REPLY, m->id, res, 0, user, path, uidb, gidb, "");
}

/* SASL_START, SASL_STEP and SASL_ABORT (sasl.h does the work). */
static void
handle_sasl(struct authd_state *s, const struct ipc_msg *m)
{
	static const struct p3_span none = {"", 0};
	struct sasl_out o;
	char path[STORE_PATH_MAX] = "", uidb[24] = "", gidb[24] = "";
	uint64_t xid = 0;
	uint8_t res;

	if ((m->type == IPC_SASL_ABORT ? ipc_expect(m, m->type, 1)
		: m->type == IPC_SASL_STEP
		    ? ipc_expect(m, m->type, 2)
		    : ipc_expect(m, IPC_SASL_START, 4)) < 0 ||
	    (m->type != IPC_SASL_START && num_parse_u64(m->f[0].p, m->f[0].len,
					      1, UINT32_MAX, &xid) != 0)) {
		log_err("authd: malformed request dropped");
		return;
	}
	if (m->type == IPC_SASL_ABORT) {
		if (s->sasl != NULL)
			sasl_abort(s->sasl, (uint32_t)xid);
		return;
	}
	maybe_reload(s);
	pthread_rwlock_rdlock(&s->lock);
	if (s->db == NULL || s->sasl == NULL) {
		memset(&o, 0, sizeof(o));
		o.result = IPC_RES_TEMP;
		if (s->sasl != NULL && xid != 0)
			sasl_abort(s->sasl, (uint32_t)xid);
	} else if (m->type == IPC_SASL_START) {
		sasl_start(s->sasl, s->db, m->f[0], m->f[1], m->f[2],
		    time_mono_ms(), &o);
	} else {
		sasl_step(s->sasl, s->db, (uint32_t)xid,
		    m->nfields > 1 ? m->f[1] : none, time_mono_ms(), &o);
	}
	res = (uint8_t)o.result;
	if (o.result == IPC_RES_OK)
		res = entry_result(s, o.e, path, uidb, gidb);
	pthread_rwlock_unlock(&s->lock);
	reply(s, IPC_SASL_REPLY, m->id, res, o.xid, o.user, path, uidb, gidb,
	    res == IPC_RES_OK || res == IPC_RES_CONT ? o.data : "");
	mem_wipe(&o, sizeof(o));
}

static void
handle(struct authd_state *s, const uint8_t *buf, size_t len)
{
	struct ipc_msg m;

	if (ipc_decode(buf, len, &m) < 0) {
		log_err("authd: malformed request dropped");
		return;
	}
	if (m.type == IPC_AUTH_PASS || m.type == IPC_AUTH_APOP)
		handle_pass(s, &m);
	else
		handle_sasl(s, &m);
}

static void *
worker(void *arg)
{
	struct authd_state *s = arg;
	uint8_t buf[IPC_FRAME_MAX + 1];
	ssize_t n;

	for (;;) {
		n = recv(s->fd, buf, sizeof(buf), 0);
		if (n == 0)
			_exit(0); /* the server went away */
		if (n < 0) {
			if (errno == EINTR)
				continue;
			_exit(1);
		}
		handle(s, buf, (size_t)n);
		mem_wipe(buf, (size_t)n);
	}
	return NULL;
}

static void __attribute__((noreturn))
authd_main(int fd, const char *users, const char *tmpl)
{
	static struct authd_state s;
	pthread_t th[AUTH_WORKERS];
	int i;

	signal(SIGINT, SIG_IGN); /* the server decides when we stop */
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	memset(&s, 0, sizeof(s));
	s.fd = fd;
	s.users = users;
	s.tmpl = tmpl;
	pthread_rwlock_init(&s.lock, NULL);
	if ((s.sasl = sasl_new()) == NULL) {
		log_err("authd: GNU SASL did not start; SCRAM and CRAM-MD5 "
			"logins fail");
	} else {
		sasl_set_ttl(s.sasl, (uint64_t)sasl_ttl_s * 1000);
		if (cram_md5)
			sasl_set_cram(s.sasl, apop_secret);
	}
	maybe_reload(&s);
	for (i = 1; i < AUTH_WORKERS; i++)
		if (pthread_create(&th[i], NULL, worker, &s) != 0)
			log_err("authd: cannot start worker thread");
	worker(&s);
	_exit(0);
}

int
authd_start(const char *users, const char *tmpl, uid_t uid, gid_t gid,
    pid_t *pid_r, char *err, size_t errlen)
{
	struct pw_db *db;
	int sv[2];
	pid_t pid;

	/* Load once here so configuration errors stop the start-up. */
	if (pw_load(users, &db, err, errlen) < 0)
		return -1;
	pw_free(&db);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		(void)str_fmt(err, errlen, "socketpair: %s", strerror(errno));
		return -1;
	}
	if ((pid = fork()) < 0) {
		(void)str_fmt(err, errlen, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		char why[256];

		/* Ctrl-C reaches the whole process group: the server stops
		 * first and this process follows when its channel closes. */
		signal(SIGINT, SIG_IGN);
		close(sv[0]);
		if (uid != (uid_t)-1 && priv_drop(uid, gid, why, sizeof(why))) {
			log_err("credential process: %s", why);
			_exit(1);
		}
		authd_main(sv[1], users, tmpl);
	}
	close(sv[1]);
	if (fcntl(sv[0], F_SETFL, fcntl(sv[0], F_GETFL) | O_NONBLOCK) < 0) {
		close(sv[0]);
		return -1;
	}
	*pid_r = pid;
	return sv[0];
}

int
authd_send(int fd, uint32_t id, const char *user, size_t ulen, const char *pass,
    size_t plen, const char *peer)
{
	uint8_t out[IPC_FRAME_MAX];
	struct p3_span f[3];
	int n, rc;

	f[0].p = user;
	f[0].len = ulen;
	f[1].p = pass;
	f[1].len = plen;
	f[2].p = peer;
	f[2].len = strlen(peer);
	n = ipc_encode(IPC_AUTH_PASS, id, f, 3, out, sizeof(out));
	if (n < 0)
		return -1;
	rc = send(fd, out, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -1 : 0;
	mem_wipe(out, (size_t)n);
	return rc;
}

int
authd_send_apop(int fd, uint32_t id, const char *user, size_t ulen,
    const char *digest, size_t dlen, const char *ts, const char *peer)
{
	uint8_t out[IPC_FRAME_MAX];
	struct p3_span f[4] = {{user, ulen}, {digest, dlen}, {ts, strlen(ts)},
	    {peer, strlen(peer)}};
	int n;

	n = ipc_encode(IPC_AUTH_APOP, id, f, 4, out, sizeof(out));
	if (n < 0)
		return -1;
	return send(fd, out, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -1
									 : 0;
}

/* Send a frame without blocking; wipes it. 0 or -1. */
static int
send_frame(int fd, uint8_t type, uint32_t id, const struct p3_span *f, int nf)
{
	uint8_t out[IPC_FRAME_MAX];
	int n, rc;

	n = ipc_encode(type, id, f, nf, out, sizeof(out));
	if (n < 0)
		return -1;
	rc = send(fd, out, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -1 : 0;
	mem_wipe(out, (size_t)n);
	return rc;
}

int
authd_send_sasl_start(int fd, uint32_t id, const char *mech, const char *cb,
    size_t cblen, const char *data, size_t dlen, const char *peer)
{
	struct p3_span f[4] = {{mech, strlen(mech)}, {cb, cblen}, {data, dlen},
	    {peer, strlen(peer)}};

	return send_frame(fd, IPC_SASL_START, id, f, 4);
}

int
authd_send_sasl_step(
    int fd, uint32_t id, uint32_t xid, const char *data, size_t dlen)
{
	char xidb[16];
	struct p3_span f[2] = {{xidb, 0}, {data, dlen}};

	(void)str_fmt(xidb, sizeof(xidb), "%lu", (unsigned long)xid);
	f[0].len = strlen(xidb);
	return send_frame(fd, IPC_SASL_STEP, id, f, 2);
}

int
authd_send_sasl_abort(int fd, uint32_t xid)
{
	char xidb[16];
	struct p3_span f[1] = {{xidb, 0}};

	(void)str_fmt(xidb, sizeof(xidb), "%lu", (unsigned long)xid);
	f[0].len = strlen(xidb);
	return send_frame(fd, IPC_SASL_ABORT, 0, f, 1);
}

static void
span_str(struct p3_span s, char *out, size_t cap)
{
	size_t n = s.len < cap - 1 ? s.len : cap - 1;

	memcpy(out, s.p, n);
	out[n] = '\0';
}

int
authd_recv(int fd, struct authd_reply *r)
{
	uint8_t buf[IPC_FRAME_MAX + 1];
	struct ipc_msg m;
	uint64_t v;
	ssize_t n;

	n = recv(fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0 &&
	    (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	if (ipc_decode(buf, (size_t)n, &m) < 0 ||
	    (ipc_expect(&m, IPC_AUTH_REPLY, 6) < 0 &&
		ipc_expect(&m, IPC_SASL_REPLY, 8) < 0) ||
	    m.f[0].len != 1)
		return -1;
	r->sasl = m.type == IPC_SASL_REPLY;
	if (m.f[m.nfields - 1].len > TICKET_LEN)
		return -1;
	span_str(m.f[m.nfields - 1], r->ticket, sizeof(r->ticket));
	r->id = m.id;
	r->xid = 0;
	r->data[0] = '\0';
	r->result = (uint8_t)m.f[0].p[0];
	if (r->result > (r->sasl ? IPC_RES_CONT : IPC_RES_TEMP))
		return -1;
	if (r->sasl) {
		if (num_parse_u64(m.f[1].p, m.f[1].len, 0, UINT32_MAX, &v) !=
			0 ||
		    m.f[6].len > AUTH_SASL_B64_MAX)
			return -1;
		r->xid = (uint32_t)v;
		span_str(m.f[6], r->data, sizeof(r->data));
		memmove(&m.f[1], &m.f[2], 4 * sizeof(m.f[0]));
	}
	if (m.f[1].len > P3_USER_MAX || m.f[2].len >= STORE_PATH_MAX)
		return -1;
	span_str(m.f[1], r->user, sizeof(r->user));
	span_str(m.f[2], r->path, sizeof(r->path));
	r->uid = r->gid = -1;
	if (num_parse_u64(m.f[3].p, m.f[3].len, 0, 0x7fffffff, &v) == 0)
		r->uid = (long)v;
	if (num_parse_u64(m.f[4].p, m.f[4].len, 0, 0x7fffffff, &v) == 0)
		r->gid = (long)v;
	return 1;
}
