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
#include "auth/passwd.h"
#include "lib/log.h"
#include "lib/num.h"
#include "lib/priv.h"
#include "lib/util.h"

#include <openssl/evp.h>

static const char *apop_path; /* APOP secrets file, or NULL */

struct authd_state {
	int fd;
	const char *users;
	const char *tmpl;
	pthread_rwlock_t lock;
	struct pw_db *db;
	struct stat st;	/* users file identity at the last load */
};

static bool
same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev &&
	    a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
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

/* Look up user's APOP secret in the secrets file; dummy when absent, so the
 * work is the same. Returns true if the user has a secret. */
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
	while (!found && (n = getline(&line, &cap, f)) > 0) {
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if ((size_t)n > ulen && memcmp(line, user, ulen) == 0 &&
		    line[ulen] == ':' && str_copy(out, line + ulen + 1,
			outlen) == 0)
			found = true;
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
		    1 && mdlen == 16) {
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

static void
handle(struct authd_state *s, const uint8_t *buf, size_t len)
{
	struct ipc_msg m;
	const struct pw_entry *e = NULL;
	char path[STORE_PATH_MAX], user[P3_USER_MAX + 1], pass[P3_PASS_MAX + 1];
	char uidb[24] = "", gidb[24] = "";
	uint8_t out[IPC_FRAME_MAX];
	struct p3_span f[5];
	uint8_t res = IPC_RES_FAIL;
	int n, ok;

	if (ipc_decode(buf, len, &m) < 0 ||
	    (ipc_expect(&m, IPC_AUTH_PASS, 3) < 0 &&
	    ipc_expect(&m, IPC_AUTH_APOP, 4) < 0) ||
	    m.f[0].len > P3_USER_MAX || m.f[1].len > P3_PASS_MAX) {
		log_err("authd: malformed request dropped");
		return;
	}
	memcpy(user, m.f[0].p, m.f[0].len);
	user[m.f[0].len] = '\0';
	memcpy(pass, m.f[1].p, m.f[1].len);
	pass[m.f[1].len] = '\0';
	path[0] = '\0';
	maybe_reload(s);
	pthread_rwlock_rdlock(&s->lock);
	if (s->db == NULL) {
		res = IPC_RES_TEMP;
	} else {
		if (m.type == IPC_AUTH_APOP) {
			e = pw_find(s->db, user, m.f[0].len);
			ok = apop_check(user, m.f[1], m.f[2]) && e != NULL;
		} else {
			ok = pw_verify(s->db, user, m.f[0].len, pass,
			    m.f[1].len, &e);
		}
		if (ok < 0) {
			res = IPC_RES_TEMP;
		} else if (ok == 1) {
			const char *t = e->mail[0] != '\0' ? e->mail : s->tmpl;

			if (pw_mail_path(t, e, path, sizeof(path)) < 0) {
				log_err("authd: mailbox path for user rejected "
					"by template");
				res = IPC_RES_TEMP;
			} else {
				res = IPC_RES_OK;
			}
			(void)str_fmt(uidb, sizeof(uidb), "%ld", e->uid);
			(void)str_fmt(gidb, sizeof(gidb), "%ld", e->gid);
		}
	}
	pthread_rwlock_unlock(&s->lock);
	mem_wipe(pass, sizeof(pass));
	f[0].p = (const char *)&res;
	f[0].len = 1;
	f[1].p = user;
	f[1].len = strlen(user);
	f[2].p = path;
	f[2].len = res == IPC_RES_OK ? strlen(path) : 0;
	f[3].p = uidb;
	f[3].len = strlen(uidb);
	f[4].p = gidb;
	f[4].len = strlen(gidb);
	n = ipc_encode(IPC_AUTH_REPLY, m.id, f, 5, out, sizeof(out));
	if (n > 0 && send(s->fd, out, (size_t)n, MSG_NOSIGNAL) < 0)
		log_err("authd: send: %s", strerror(errno));
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

	signal(SIGINT, SIG_IGN);  /* the server decides when we stop */
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	memset(&s, 0, sizeof(s));
	s.fd = fd;
	s.users = users;
	s.tmpl = tmpl;
	pthread_rwlock_init(&s.lock, NULL);
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
authd_send(int fd, uint32_t id, const char *user, size_t ulen,
    const char *pass, size_t plen, const char *peer)
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
	struct p3_span f[4] = { { user, ulen }, { digest, dlen },
		{ ts, strlen(ts) }, { peer, strlen(peer) } };
	int n;

	n = ipc_encode(IPC_AUTH_APOP, id, f, 4, out, sizeof(out));
	if (n < 0)
		return -1;
	return send(fd, out, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0 ? -1 :
	    0;
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
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return 0;
	if (n <= 0)
		return -1;
	if (ipc_decode(buf, (size_t)n, &m) < 0 ||
	    ipc_expect(&m, IPC_AUTH_REPLY, 5) < 0 || m.f[0].len != 1 ||
	    m.f[1].len > P3_USER_MAX || m.f[2].len >= STORE_PATH_MAX)
		return -1;
	r->id = m.id;
	r->result = (uint8_t)m.f[0].p[0];
	if (r->result > IPC_RES_TEMP)
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
