/* runner.c: runs an audit in phases: discovery, concurrent SAFE probes,
 * risky probes one at a time with liveness checks, CRED and INTRUSIVE
 * probes, the judges, and finally the idle-timeout probe in the background.
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netdb.h>
#include <netinet/in.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "audit/probe.h"
#include "lib/util.h"

typedef void (*probe_fn)(struct au_ctx *);

struct job {
	probe_fn fn;
	enum au_id id;
};

struct pool {
	struct au_ctx *x;
	const struct job *jobs;
	size_t n;
	atomic_size_t next;
};

static void tlspath_implicit(struct au_ctx *x);
static void finalize(struct au_run *r, bool idle);
static void tlspath_stls(struct au_ctx *x);

/* Concurrent SAFE probes (they do not disturb each other). */
static const struct job phase2[] = {
    {au_probe_tls03, AU_TLS03},
    {au_probe_tls04, AU_TLS04},
    {au_probe_tls05, AU_TLS05},
    {tlspath_implicit, AU_TLS08},
    {tlspath_stls, AU_TLS08},
    {au_probe_auth03, AU_AUTH03},
    {au_probe_auth04, AU_AUTH04},
    {au_probe_auth09, AU_AUTH09},
    {au_probe_info04, AU_INFO04},
    {au_probe_info06, AU_INFO06},
    {au_probe_proto01, AU_PROTO01},
    {au_probe_proto04, AU_PROTO04},
};
/* Risky or timing-sensitive probes, one at a time, in this order. */
static const struct job phase3[] = {
    {au_probe_proto03, AU_PROTO03},
    {au_probe_proto02, AU_PROTO02},
    {au_probe_auth05, AU_AUTH05},
    {au_probe_tls07, AU_TLS07},
    {au_probe_auth10, AU_AUTH10},
    {au_probe_proto05, AU_PROTO05},
    {au_probe_proto06, AU_PROTO06},
    {au_probe_auth06, AU_AUTH06},
    {au_probe_auth07, AU_AUTH07},
    {au_probe_auth08, AU_AUTH08},
    {au_probe_dos03, AU_DOS03},
    {au_probe_dos04, AU_DOS04},
    {au_probe_dos05, AU_DOS05},
};

static void
tlspath_implicit(struct au_ctx *x)
{
	au_probe_tlspath(x, AU_PATH_IMPLICIT);
}

static void
tlspath_stls(struct au_ctx *x)
{
	au_probe_tlspath(x, AU_PATH_STLS);
}

bool
au_want(struct au_ctx *x, enum au_id i)
{
	const char *why;

	return au_policy_wants(x->o, au_check_get(i), &why);
}

static bool
job_wanted(struct au_ctx *x, const struct job *j)
{
	if (j->fn == tlspath_implicit || j->fn == tlspath_stls)
		return au_want(x, AU_TLS08) || au_want(x, AU_TLS09) ||
		       au_want(x, AU_TLS10) || au_want(x, AU_TLS11) ||
		       au_want(x, AU_TLS12);
	return au_want(x, j->id);
}

static void
run_job(struct au_ctx *x, const struct job *j)
{
	uint64_t t0 = time_mono_ms();

	if (!job_wanted(x, j))
		return;
	if (atomic_load(&x->abort) && j->fn != tlspath_implicit &&
	    j->fn != tlspath_stls) {
		(void)au_aborted(x, j->id);
		return;
	}
	j->fn(x);
	x->run->res[j->id].ms += time_mono_ms() - t0;
}

/* Sequential probes; every INTRUSIVE one is followed by a liveness check
 * and the run stops if the service no longer answers. */
static void
run_phase3(struct au_ctx *x, const struct job *j)
{
	const struct au_check *c = au_check_get(j->id);

	run_job(x, j);
	if (c->mode != AU_INTRUSIVE || !job_wanted(x, j) ||
	    atomic_load(&x->abort))
		return;
	if (!au_alive(x, au_evbuf(x, j->id))) {
		au_ev(x, j->id, "# liveness check failed after this probe");
		au_abort(x, "the service stopped answering after %s", c->id);
	}
}

static void *
worker(void *arg)
{
	struct pool *p = arg;
	size_t i;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n)
		run_job(p->x, &p->jobs[i]);
	return NULL;
}

static void
run_pool(struct au_ctx *x, const struct job *jobs, size_t n, unsigned nthr)
{
	pthread_t th[16];
	struct pool p = {x, jobs, n, 0};
	unsigned i, started = 0;

	if (nthr > 16)
		nthr = 16;
	for (i = 0; i < nthr; i++)
		if (pthread_create(&th[i], NULL, worker, &p) == 0)
			started++;
	if (started == 0)
		(void)worker(&p);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

static void *
disc_tls_thread(void *arg)
{
	au_disc_tls(arg);
	return NULL;
}

static void
discovery(struct au_ctx *x)
{
	pthread_t th;
	bool threaded = pthread_create(&th, NULL, disc_tls_thread, x) == 0;
	struct au_conn c;
	struct buf tmp;

	if (!threaded)
		au_disc_tls(x);
	au_disc_plain(x);
	if (threaded)
		pthread_join(th, NULL);
	if (strchr(x->f.plain_greet, '<') != NULL ||
	    strchr(x->f.tls_greet, '<') != NULL) {
		buf_init(&tmp, 4096);
		if (au_open(x, &c, !x->f.plain_up, &tmp, x->f.greet2,
			sizeof(x->f.greet2)) == 0)
			au_close(&c);
		buf_free(&tmp);
	}
}

static bool
is_loopback(const struct sockaddr_storage *ss)
{
	if (ss->ss_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)ss)
				  ->sin_addr.s_addr) >>
			   24) == 127;
	return IN6_IS_ADDR_LOOPBACK(
	    &((const struct sockaddr_in6 *)ss)->sin6_addr);
}

static bool
is_local_if(const struct sockaddr_storage *ss)
{
	struct ifaddrs *ifa, *i;
	bool hit = false;

	if (getifaddrs(&ifa) != 0)
		return false;
	for (i = ifa; i != NULL && !hit; i = i->ifa_next) {
		if (i->ifa_addr == NULL ||
		    i->ifa_addr->sa_family != ss->ss_family)
			continue;
		if (ss->ss_family == AF_INET)
			hit =
			    memcmp(
				&((struct sockaddr_in *)i->ifa_addr)->sin_addr,
				&((const struct sockaddr_in *)ss)->sin_addr,
				4) == 0;
		else
			hit = memcmp(&((struct sockaddr_in6 *)i->ifa_addr)
					  ->sin6_addr,
				  &((const struct sockaddr_in6 *)ss)->sin6_addr,
				  16) == 0;
	}
	freeifaddrs(ifa);
	return hit;
}

static void
warn(struct au_run *r, const char *msg)
{
	if (r->nwarn < (int)(sizeof(r->warn) / sizeof(r->warn[0]))) {
		(void)str_copy(r->warn[r->nwarn], msg, sizeof(r->warn[0]));
		r->nwarn++;
	}
}

static int
resolve(struct au_ctx *x)
{
	struct addrinfo hints, *ai;
	const void *a;
	bool loop, local;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(x->o->host, NULL, &hints, &ai) != 0 || ai == NULL)
		return -1;
	memcpy(&x->addr, ai->ai_addr, ai->ai_addrlen);
	x->addrlen = ai->ai_addrlen;
	freeaddrinfo(ai);
	a = x->addr.ss_family == AF_INET6
		? (const void *)&((struct sockaddr_in6 *)&x->addr)->sin6_addr
		: (const void *)&((struct sockaddr_in *)&x->addr)->sin_addr;
	if (inet_ntop(x->addr.ss_family, a, x->run->addr,
		sizeof(x->run->addr)) == NULL)
		x->run->addr[0] = '\0';
	loop = is_loopback(&x->addr);
	x->loopback = loop;
	local = loop || is_local_if(&x->addr);
	if (local && x->o->source_ip != NULL)
		warn(x->run, "the target is on this host; probes come from "
			     "--source-ip so the server sees that address");
	else if (local)
		warn(x->run,
		    loop
			? "the target is a loopback address: some "
			  "servers (Dovecot) treat same-host connections as secure "
			  "and allow cleartext login; use --source-ip (e.g. "
			  "127.0.0.2) to see what remote clients see"
			: "the target is an address of this host: some servers "
			  "(Dovecot) treat same-host connections as secure; audit "
			  "from another host or use --source-ip");
	x->run->lab = x->o->lab == 1 || (x->o->lab == -1 && local);
	if (x->run->lab)
		warn(x->run,
		    "lab mode: severities are lowered one step "
		    "(loopback/same-host or --lab target); --no-lab gives "
		    "production ratings");
	return 0;
}

int
au_run_start(struct au_run *r, const struct au_opts *o)
{
	struct au_ctx *x;
	unsigned char rnd[3];
	uint64_t t0 = time_mono_ms();
	const char *why;
	int i;

	memset(r, 0, sizeof(*r));
	r->o = o;
	r->started = (int64_t)time(NULL);
	for (i = 0; i < AU_NCHECKS; i++)
		buf_init(&r->res[i].evidence, AU_EVIDENCE_MAX);
	x = calloc(1, sizeof(*x));
	if (x == NULL)
		return -1;
	r->ctx = x;
	x->run = r;
	x->o = o;
	x->t_start = t0;
	pthread_mutex_init(&x->mu, NULL);
	buf_init(&x->plog, 8192);
	buf_init(&x->tlog, 8192);
	buf_init(&x->pathlog[0], 8192);
	buf_init(&x->pathlog[1], 8192);
	if (RAND_bytes(rnd, sizeof(rnd)) != 1)
		memset(rnd, 0x42, sizeof(rnd));
	if (str_fmt(x->tok, sizeof(x->tok), "%02x%02x%02x", rnd[0], rnd[1],
		rnd[2]) < 0)
		x->tok[0] = '\0';
	for (i = 0; i < AU_NCHECKS; i++)
		if (!au_policy_wants(o, au_check_get((enum au_id)i), &why))
			au_set(x, (enum au_id)i, AU_ST_SKIPPED, AU_SEV_NONE,
			    "%s", why);
	if (au_want(x, AU_DOS01) && o->user != NULL)
		x->login_reserve = 1;
	if (resolve(x) != 0) {
		r->unreachable = true;
		return -1;
	}
	if (o->authorized_by != NULL)
		au_logf(&x->plog, "# authorized by: %s\n", o->authorized_by);
	discovery(x);
	if (!x->f.plain_up && !x->f.tls_ok) {
		r->unreachable = true;
		au_abort(x,
		    "target unreachable: no POP3 greeting on port %u "
		    "or %u",
		    o->plain_port, o->tls_port);
	} else {
		run_pool(
		    x, phase2, sizeof(phase2) / sizeof(phase2[0]), o->jobs);
		for (i = 0; i < (int)(sizeof(phase3) / sizeof(phase3[0])); i++)
			run_phase3(x, &phase3[i]);
		au_judge_disc(x);
		au_judge_banner(x);
		au_judge_tls(x);
		if (au_want(x, AU_INFO05))
			au_judge_info05(x);
	}
	r->safe_ms = time_mono_ms() - t0;
	au_idle_start(x);
	finalize(r, false);
	return 0;
}

bool
au_run_pending(const struct au_run *r, enum au_id i)
{
	return r->ctx != NULL && ((i == AU_DOS01 && r->ctx->idle_running) ||
				     (i == AU_DOS02 && r->ctx->drip_running));
}

/* Give every finished check its final status and severity; with idle
 * false, P3-DOS-01/02 are left alone while they still run. */
static void
finalize(struct au_run *r, bool idle)
{
	struct au_ctx *x = r->ctx;
	int i;

	for (i = 0; i < AU_NCHECKS; i++) {
		struct au_result *res = &r->res[i];

		if (!idle && (i == AU_DOS01 || i == AU_DOS02) &&
		    (x->idle_running || x->drip_running))
			continue;
		if (res->status == AU_ST_NOTRUN)
			au_set(x, (enum au_id)i, AU_ST_INCONCLUSIVE,
			    AU_SEV_NONE, "%s",
			    r->aborted ? r->abort_reason
				       : "the probe did not run");
		if (res->status == AU_ST_FAIL)
			res->sev = r->lab && res->raw_sev > AU_SEV_INFO
				       ? (enum au_sev)(res->raw_sev - 1)
				       : res->raw_sev;
	}
}

void
au_run_finish(struct au_run *r)
{
	struct au_ctx *x = r->ctx;

	if (x == NULL)
		return;
	au_idle_join(x);
	finalize(r, true);
	r->total_ms = time_mono_ms() - x->t_start;
}

void
au_run_free(struct au_run *r)
{
	int i;

	for (i = 0; i < AU_NCHECKS; i++)
		buf_free(&r->res[i].evidence);
	if (r->ctx != NULL) {
		buf_free(&r->ctx->plog);
		buf_free(&r->ctx->tlog);
		buf_free(&r->ctx->pathlog[0]);
		buf_free(&r->ctx->pathlog[1]);
		pthread_mutex_destroy(&r->ctx->mu);
		free(r->ctx);
		r->ctx = NULL;
	}
}
