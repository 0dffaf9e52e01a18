/* brute.c: password-guessing measurements: timing enumeration
 * (P3-AUTH-05), brute-force resistance (P3-AUTH-06), lockout abuse with a
 * canary account (P3-AUTH-07) and a small weak-password list (P3-AUTH-08).
 * Every attempt passes au_gate_login (<= 50 per run); guesses go over TLS
 * only, and found passwords are reported as a hash unless --show-secrets. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <time.h>

#include <openssl/evp.h>

#include "audit/probe.h"
#include "lib/util.h"

#define REPLY_MS   30000
#define AUTH06_SEQ 5
#define AUTH06_PAR 4
#define AUTH06_PER 3
#define AUTH07_N   5

/* Monotonic clock in microseconds (timing samples need more than ms). */
static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

/* One USER/PASS attempt on an open session. 0 logged in, 1 refused, -1
 * error or closed. *ms_r: time from PASS to its reply in microseconds. */
static int
attempt(struct au_ctx *x, struct au_conn *c, const char *user, const char *pass,
    char *r, size_t cap, uint64_t *ms_r)
{
	char line[P3_USER_MAX + P3_PASS_MAX + 8];
	uint64_t t;
	int n;

	*ms_r = 0;
	if (au_gate_login(x, 1) != 0) {
		(void)str_copy(r, "login-attempt cap reached", cap);
		return -2;
	}
	if (str_fmt(line, sizeof(line), "USER %s", user) < 0 ||
	    au_cmd(c, line) != 0 || au_reply(x, c, r, cap, 0) < 0)
		return -1;
	if (!au_ok(r))
		return 1;
	if (str_fmt(line, sizeof(line), "PASS %s", pass) < 0)
		return -1;
	t = now_us();
	n = au_cmd_secret(c, line);
	mem_wipe(line, sizeof(line));
	if (n != 0 || au_reply(x, c, r, cap, REPLY_MS) < 0)
		return -1;
	*ms_r = now_us() - t;
	return au_ok(r) ? 0 : 1;
}

static int
open_sess(struct au_ctx *x, struct au_conn *c, enum au_id id)
{
	const char *how;

	if (c->fd >= 0 && !c->eof)
		return 0;
	au_close(c);
	if (au_open_secure(x, c, au_evbuf(x, id), &how) != 0)
		return -1;
	if (c->ssl == NULL && !x->o->allow_cleartext_creds) {
		au_close(c);
		return -2;
	}
	return 0;
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t p = *(const uint64_t *)a, q = *(const uint64_t *)b;

	return p < q ? -1 : p > q;
}

static uint64_t
median(uint64_t *v, size_t n)
{
	qsort(v, n, sizeof(v[0]), cmp_u64);
	return n == 0 ? 0 : v[n / 2];
}

static uint64_t
mad(const uint64_t *v, size_t n, uint64_t med)
{
	uint64_t d[16];
	size_t i;

	for (i = 0; i < n && i < 16; i++)
		d[i] = v[i] > med ? v[i] - med : med - v[i];
	return median(d, i);
}

/* Per-IP auth penalties would confound the timing groups: on a loopback
 * target each attempt comes from its own 127.0.0.x address. */
static bool
rotate(struct au_ctx *x)
{
	return x->loopback && x->addr.ss_family == AF_INET &&
	       (x->o->source_ip == NULL ||
		   strncmp(x->o->source_ip, "127.", 4) == 0);
}

void
au_probe_auth05(struct au_ctx *x)
{
	const char *valid =
	    x->o->nvalid > 0 ? x->o->valid_users[0] : x->o->user;
	size_t n = x->o->intrusive ? 10 : 5, i, got[2] = {0, 0};
	uint64_t t[2][10], mv, mi, madv, madi, diff, m;
	char name[64], r[512], pw[32];
	struct au_conn c = {.fd = -1};
	int g;

	au_bogus(x, "pw", pw, sizeof(pw));
	for (i = 0; i < n; i++) {
		for (g = 0; g < 2; g++) {
			char src[32];

			if (rotate(x) &&
			    str_fmt(src, sizeof(src), "127.0.0.%zu",
				20 + 2 * i + (size_t)g) > 0)
				x->src_override = src;
			au_bogus(x, "t", name, sizeof(name));
			if (open_sess(x, &c, AU_AUTH05) == 0 &&
			    attempt(x, &c, g ? name : valid, pw, r, sizeof(r),
				&m) == 1)
				t[g][got[g]++] = m;
			x->src_override = NULL;
			au_close(&c);
		}
	}
	if (got[0] < 3 || got[1] < 3) {
		au_set(x, AU_AUTH05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "too few "
		    "samples (%zu valid, %zu invented)",
		    got[0], got[1]);
		return;
	}
	mv = median(t[0], got[0]);
	mi = median(t[1], got[1]);
	madv = mad(t[0], got[0], mv);
	madi = mad(t[1], got[1], mi);
	m = madv > madi ? madv : madi;
	diff = mv > mi ? mv - mi : mi - mv;
	au_ev(x, AU_AUTH05,
	    "PASS reply median: valid user %.3f ms (MAD %.3f), "
	    "invented users %.3f ms (MAD %.3f); n=%zu each%s",
	    (double)mv / 1000.0, (double)madv / 1000.0, (double)mi / 1000.0,
	    (double)madi / 1000.0, n,
	    rotate(x) ? "; a different 127.0.0.x source per attempt" : "");
	if (diff > 3 * m && diff > 50000)
		au_set(x, AU_AUTH05, AU_ST_FAIL,
		    n >= 10 ? AU_SEV_MEDIUM : AU_SEV_LOW,
		    "%s: median reply time differs by %.1f ms "
		    "between a valid and invented users",
		    n >= 10 ? "timing oracle" : "indicative (small sample)",
		    (double)diff / 1000.0);
	else
		au_set(x, AU_AUTH05, AU_ST_PASS, AU_SEV_NONE,
		    "no timing "
		    "difference: medians %.3f vs %.3f ms (n=%zu each; rule: "
		    "> 3 x MAD and > 50 ms)",
		    (double)mv / 1000.0, (double)mi / 1000.0, n);
}

struct par {
	struct au_ctx *x;
	int id, fails;
};

/* A distinct bogus password for attempt n. */
static void
guess(struct au_ctx *x, int n, char *out, size_t cap)
{
	char sfx[16];

	if (str_fmt(sfx, sizeof(sfx), "g%d", n) < 0)
		sfx[0] = '\0';
	au_bogus(x, sfx, out, cap);
}

static void *
par_worker(void *arg)
{
	struct par *p = arg;
	struct au_conn c = {.fd = -1};
	char user[64], pw[32], r[512];
	uint64_t ms;
	int k;

	au_bogus(p->x, "b", user, sizeof(user));
	for (k = 0; k < AUTH06_PER; k++) {
		/* a new guess each time: repeats of one wrong password are
		 * rightly counted once by some servers (stale saved passwords)
		 */
		guess(p->x, p->id * 16 + k, pw, sizeof(pw));
		if (open_sess(p->x, &c, AU_AUTH06) != 0)
			break;
		if (attempt(p->x, &c, user, pw, r, sizeof(r), &ms) == 1)
			p->fails++;
	}
	au_close(&c);
	return NULL;
}

void
au_probe_auth06(struct au_ctx *x)
{
	struct au_conn c = {.fd = -1};
	char user[64], pw[32], r[512];
	uint64_t d[AUTH06_SEQ], t0, tseq, tpar;
	struct par ps[AUTH06_PAR];
	pthread_t th[AUTH06_PAR];
	int k, n = 0, conns = 0, pf = 0, started = 0;
	double rs, rp;

	au_bogus(x, "b", user, sizeof(user));
	t0 = time_mono_ms();
	for (k = 0; k < AUTH06_SEQ; k++) {
		guess(x, 100 + k, pw, sizeof(pw));
		if (c.fd < 0 || c.eof)
			conns++;
		if (open_sess(x, &c, AU_AUTH06) != 0 ||
		    attempt(x, &c, user, pw, r, sizeof(r), &d[n]) != 1)
			break;
		d[n] /= 1000;
		n++;
	}
	au_close(&c);
	tseq = time_mono_ms() - t0;
	t0 = time_mono_ms();
	for (k = 0; k < AUTH06_PAR; k++) {
		ps[k].x = x;
		ps[k].id = k;
		ps[k].fails = 0;
		if (pthread_create(&th[k], NULL, par_worker, &ps[k]) == 0)
			started++;
		else
			break;
	}
	for (k = 0; k < started; k++) {
		pthread_join(th[k], NULL);
		pf += ps[k].fails;
	}
	tpar = time_mono_ms() - t0;
	if (n < 2 || pf == 0) {
		au_set(x, AU_AUTH06, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "too few failed attempts measured (%d sequential, %d "
		    "parallel): %s",
		    n, pf, r);
		return;
	}
	rs = n * 60000.0 / (double)(tseq > 0 ? tseq : 1);
	rp = pf * 60000.0 / (double)(tpar > 0 ? tpar : 1);
	for (k = 0; k < n; k++)
		au_ev(x, AU_AUTH06, "failure %d: reply after %llu ms", k + 1,
		    (unsigned long long)d[k]);
	au_ev(x, AU_AUTH06,
	    "sequential: %d failures on %d connection(s), "
	    "%.1f guesses/min; parallel (%d x %d): %d failures, %.1f "
	    "guesses/min",
	    n, conns, rs, AUTH06_PAR, AUTH06_PER, pf, rp);
	if (rs >= 60.0 || rp >= 60.0)
		au_set(x, AU_AUTH06, AU_ST_FAIL, AU_SEV_HIGH,
		    "%.0f guesses/min "
		    "possible from one address (>= 60)",
		    rs > rp ? rs : rp);
	else if (d[n - 1] <= d[0] + d[0] / 2)
		au_set(x, AU_AUTH06, AU_ST_FAIL, AU_SEV_MEDIUM,
		    "failure delays "
		    "do not grow (%llu ms then %llu ms)",
		    (unsigned long long)d[0], (unsigned long long)d[n - 1]);
	else if (rp > 2.0 * rs)
		au_set(x, AU_AUTH06, AU_ST_FAIL, AU_SEV_LOW,
		    "parallel "
		    "connections bypass the delay (%.1f vs %.1f guesses/min)",
		    rp, rs);
	else
		au_set(x, AU_AUTH06, AU_ST_PASS, AU_SEV_NONE,
		    "delays grow "
		    "(%llu ms to %llu ms); %.1f guesses/min sequential, %.1f "
		    "parallel",
		    (unsigned long long)d[0], (unsigned long long)d[n - 1], rs,
		    rp);
}

void
au_probe_auth07(struct au_ctx *x)
{
	struct au_conn c = {.fd = -1};
	char pw[32], r[512], rb[512] = "";
	const char *b = x->o->alt_source_ip;
	uint64_t ms;
	int k, fails = 0, lr;

	if (b == NULL && x->loopback)
		b = "127.0.0.3";
	au_ev(x, AU_AUTH07,
	    "# canary account %s: it may stay locked; check "
	    "and unlock it after the run",
	    x->o->user);
	for (k = 0; k < AUTH07_N; k++) {
		guess(x, 200 + k, pw, sizeof(pw));
		if (open_sess(x, &c, AU_AUTH07) != 0 ||
		    attempt(x, &c, x->o->user, pw, r, sizeof(r), &ms) != 1)
			break;
		fails++;
	}
	au_close(&c);
	x->src_override = b;
	lr = au_login_session(x, &c, au_evbuf(x, AU_AUTH07), rb, sizeof(rb));
	x->src_override = NULL;
	au_close(&c);
	if (fails < AUTH07_N)
		au_set(x, AU_AUTH07, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "only "
		    "%d of %d failures could be sent: %s",
		    fails, AUTH07_N, r);
	else if (lr == 0)
		au_set(x, AU_AUTH07, AU_ST_PASS, AU_SEV_NONE,
		    "after %d "
		    "failures the correct password still works from %s",
		    fails, b != NULL ? b : "the same address");
	else if (lr == 1)
		au_set(x, AU_AUTH07, AU_ST_FAIL, AU_SEV_MEDIUM,
		    "after %d "
		    "failures the correct password is refused from %s (%s): "
		    "attackers can lock users out",
		    fails, b != NULL ? b : "the same address", rb);
	else
		au_set(x, AU_AUTH07, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "the "
		    "valid login could not be attempted: %s",
		    rb);
}

static const char *const weak_pw[] = {"password", "123456", "12345678",
    "qwerty", "letmein", "welcome", "admin", "changeme", "Summer2024",
    "Winter2024", "Spring2025", "Password1", "P@ssw0rd", "test", "test123",
    "pop3", "mail", "secret", "iloveyou", NULL};

void
au_probe_auth08(struct au_ctx *x)
{
	const char *users[AU_MAX_VALID_USERS + 1];
	struct au_conn c = {.fd = -1};
	char r[512], hit[AU_TEXT_MAX] = "";
	int nu = 0, u, p, tried = 0, lr = 0, op;
	uint64_t ms;

	for (u = 0; u < x->o->nvalid; u++)
		users[nu++] = x->o->valid_users[u];
	if (x->o->user != NULL)
		users[nu++] = x->o->user;
	for (u = 1; u < nu; u++) { /* drop repeated names */
		for (p = 0; p < u; p++)
			if (strcmp(users[p], users[u]) == 0) {
				users[u--] = users[--nu];
				break;
			}
	}
	for (u = 0; u < nu && hit[0] == '\0' && lr != -2; u++) {
		for (p = 0; p <= 19 && hit[0] == '\0'; p++) {
			const char *pw = p < 19 ? weak_pw[p] : users[u];

			op = open_sess(x, &c, AU_AUTH08);
			if (op == -2) {
				au_set(x, AU_AUTH08, AU_ST_SKIPPED, AU_SEV_NONE,
				    "refused by the auditor: no TLS path for "
				    "guesses (--allow-cleartext-creds)");
				return;
			}
			if (op != 0)
				break;
			lr = attempt(x, &c, users[u], pw, r, sizeof(r), &ms);
			if (lr == -2)
				break;
			tried++;
			if (lr == 0) {
				unsigned char md[32];
				unsigned int mdl = 0;

				(void)EVP_Digest(pw, strlen(pw), md, &mdl,
				    EVP_sha256(), NULL);
				(void)str_fmt(hit, sizeof(hit),
				    "user %s has a "
				    "weak password (%s%s%02x%02x%02x%02x...)",
				    users[u], x->o->show_secrets ? pw : "",
				    x->o->show_secrets ? ", sha256 "
						       : "sha256 ",
				    md[0], md[1], md[2], md[3]);
			}
		}
	}
	au_close(&c);
	if (hit[0] != '\0')
		au_set(x, AU_AUTH08, AU_ST_FAIL, AU_SEV_CRITICAL,
		    "%s; "
		    "stopped at the first success after %d attempts",
		    hit, tried);
	else if (tried < 20 * nu)
		au_set(x, AU_AUTH08, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "only "
		    "%d of %d guesses were sent (%s)",
		    tried, 20 * nu, lr == -2 ? "login-attempt cap" : r);
	else
		au_set(x, AU_AUTH08, AU_ST_PASS, AU_SEV_NONE,
		    "none of %d weak "
		    "passwords worked for %d user(s)",
		    20, nu);
}
