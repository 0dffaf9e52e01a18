/* policy.c: audit options and target URLs, the safety policy that decides
 * which checks may run, the run's hard caps (connections, rate, login
 * attempts), liveness checks, aborting, and the --plan listing. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include "audit/audit.h"
#include "lib/num.h"
#include "lib/util.h"
#include "audit/probe.h"

void
au_opts_init(struct au_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->lab = -1;
	o->timeout_ms = 10000;
	o->idle_max_s = AU_IDLE_MAX_S;
	o->jobs = 8;
	o->plain_port = 110;
	o->tls_port = 995;
}

void
au_opts_free(struct au_opts *o)
{
	if (o->password != NULL) {
		mem_wipe(o->password, strlen(o->password));
		free(o->password);
		o->password = NULL;
	}
}

/* Split "host[:port]" (host may be "[v6]" or a bare v6 literal). */
static int
split_hostport(const char *s, char *host, size_t hcap, int *port_r)
{
	const char *colon, *end;
	uint64_t v;
	size_t hl;

	*port_r = -1;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (end == NULL)
			return -1;
		hl = (size_t)(end - s - 1);
		if (hl == 0 || hl >= hcap)
			return -1;
		memcpy(host, s + 1, hl);
		host[hl] = '\0';
		if (end[1] == '\0')
			return 0;
		if (end[1] != ':')
			return -1;
		colon = end + 1;
	} else {
		colon = strchr(s, ':');
		if (colon != NULL && strchr(colon + 1, ':') != NULL)
			colon = NULL; /* bare IPv6 literal */
		hl = colon != NULL ? (size_t)(colon - s) : strlen(s);
		if (hl == 0 || hl >= hcap)
			return -1;
		memcpy(host, s, hl);
		host[hl] = '\0';
		if (colon == NULL)
			return 0;
	}
	if (num_parse_str(colon + 1, 1, 65535, &v) != 0)
		return -1;
	*port_r = (int)v;
	return 0;
}

int
au_opts_target(struct au_opts *o, const char *arg, char *err, size_t errcap)
{
	char host[256];
	const char *rest = arg;
	int kind = 0, port; /* 0 bare host, 1 pop3, 2 pop3s */

	if (strncasecmp(arg, "pop3://", 7) == 0) {
		kind = 1;
		rest = arg + 7;
	} else if (strncasecmp(arg, "pop3s://", 8) == 0) {
		kind = 2;
		rest = arg + 8;
	}
	if (rest[0] != '\0' && rest[strlen(rest) - 1] == '/')
		goto bad;
	if (split_hostport(rest, host, sizeof(host), &port) != 0)
		goto bad;
	if (kind == 0 && port >= 0) {
		(void)str_fmt(err, errcap,
		    "'%s': give pop3://HOST:PORT or "
		    "pop3s://HOST:PORT; the protocol is never guessed from a "
		    "port",
		    arg);
		return -1;
	}
	if (o->host[0] != '\0' && strcasecmp(o->host, host) != 0) {
		(void)str_fmt(err, errcap, "one host per run ('%s' and '%s')",
		    o->host, host);
		return -1;
	}
	if (str_copy(o->host, host, sizeof(o->host)) != 0)
		goto bad;
	if (kind == 1 || kind == 0) {
		o->plain_port = port >= 0 ? (uint16_t)port : 110;
		o->plain_given = true;
	}
	if (kind == 2 || kind == 0) {
		o->tls_port = port >= 0 ? (uint16_t)port : 995;
		o->tls_given = true;
	}
	return 0;
bad:
	(void)str_fmt(err, errcap,
	    "bad target '%s' (want pop3://HOST[:PORT], "
	    "pop3s://HOST[:PORT] or HOST)",
	    arg);
	return -1;
}

int
au_policy_check(const struct au_opts *o, char *err, size_t errcap)
{
	int i;

	if (o->host[0] == '\0') {
		(void)str_fmt(err, errcap, "no target given");
		return AU_EXIT_USAGE;
	}
	if ((o->user != NULL) != (o->password != NULL)) {
		(void)str_fmt(err, errcap,
		    "--user needs a password source "
		    "(--password-file or --password-env) and vice versa");
		return AU_EXIT_USAGE;
	}
	if (o->idle_max_s > AU_IDLE_MAX_S || o->jobs < 1 || o->jobs > 16 ||
	    o->timeout_ms < 100 || o->timeout_ms > 120000) {
		(void)str_fmt(err, errcap,
		    "--idle-max <= %u s, --jobs 1..16, "
		    "--timeout 0.1..120 s",
		    AU_IDLE_MAX_S);
		return AU_EXIT_USAGE;
	}
	if (o->intrusive &&
	    (o->authorized_by == NULL || o->authorized_by[0] == '\0')) {
		(void)str_fmt(err, errcap,
		    "refused: --intrusive needs "
		    "--authorized-by TEXT (who authorized this test)");
		return AU_EXIT_REFUSED;
	}
	if (o->lockout_canary && !o->intrusive) {
		(void)str_fmt(err, errcap,
		    "refused: --lockout-canary is an "
		    "INTRUSIVE test; add --intrusive and --authorized-by");
		return AU_EXIT_REFUSED;
	}
	for (i = 0; o->only_set && i < AU_NCHECKS; i++) {
		const struct au_check *c = au_check_get((enum au_id)i);

		if (o->only[i] && c->mode == AU_INTRUSIVE && !o->intrusive) {
			(void)str_fmt(err, errcap,
			    "refused: %s is INTRUSIVE; "
			    "add --intrusive and --authorized-by",
			    c->id);
			return AU_EXIT_REFUSED;
		}
	}
	return 0;
}

bool
au_policy_wants(
    const struct au_opts *o, const struct au_check *c, const char **why_r)
{
	bool creds = o->user != NULL && o->password != NULL;

	*why_r = NULL;
	if (o->only_set && !o->only[c->idx])
		*why_r = "not selected (--only)";
	else if (c->mode == AU_CRED && !creds)
		*why_r = "CRED check: needs --user and a password source";
	else if (c->mode == AU_INTRUSIVE && !o->intrusive)
		*why_r = "INTRUSIVE check: needs --intrusive and "
			 "--authorized-by";
	else if ((c->flags & AU_CF_NEEDS_CRED) && !creds)
		*why_r = "needs --user and a password source";
	else if ((c->flags & AU_CF_SLOW) && o->fast)
		*why_r = "skipped by --fast";
	else if (c->idx == AU_AUTH07 && !o->lockout_canary)
		*why_r = "needs --lockout-canary (the --user account may be "
			 "locked)";
	else if ((c->idx == AU_AUTH05 || c->idx == AU_AUTH08) &&
		 o->nvalid == 0 && o->user == NULL)
		*why_r = "needs a known user name (--valid-user or --user)";
	return *why_r == NULL;
}

#define GATE_INTERVAL_MS (1000 / AU_MAX_CONN_RATE)

void
au_sleep_ms(uint64_t ms)
{
	struct timespec ts;

	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) != 0)
		;
}

int
au_gate_connect(struct au_ctx *x)
{
	uint64_t now, slot;

	if (atomic_load(&x->abort))
		return -1;
	pthread_mutex_lock(&x->mu);
	if (x->conns >= AU_MAX_CONNS) {
		pthread_mutex_unlock(&x->mu);
		return -1;
	}
	x->conns++;
	x->run->conns_used = x->conns;
	now = time_mono_ms();
	slot = x->next_connect_ms > now ? x->next_connect_ms : now;
	x->next_connect_ms = slot + GATE_INTERVAL_MS;
	pthread_mutex_unlock(&x->mu);
	if (slot > now)
		au_sleep_ms(slot - now);
	return 0;
}

int
au_gate_login(struct au_ctx *x, unsigned n)
{
	int r = -1;

	if (atomic_load(&x->abort))
		return -1;
	pthread_mutex_lock(&x->mu);
	if (x->logins + n + x->login_reserve <= AU_MAX_LOGINS) {
		x->logins += n;
		x->run->logins_used = x->logins;
		r = 0;
	}
	pthread_mutex_unlock(&x->mu);
	return r;
}

void
au_abort(struct au_ctx *x, const char *fmt, ...)
{
	va_list ap;

	pthread_mutex_lock(&x->mu);
	if (!x->run->aborted) {
		x->run->aborted = true;
		va_start(ap, fmt);
		if (vsnprintf(x->run->abort_reason,
			sizeof(x->run->abort_reason), fmt, ap) < 0)
			x->run->abort_reason[0] = '\0';
		va_end(ap);
	}
	pthread_mutex_unlock(&x->mu);
	atomic_store(&x->abort, true);
}

bool
au_alive(struct au_ctx *x, struct buf *log)
{
	struct au_conn c;
	int attempt, r;
	bool tls = !x->f.plain_up && x->f.tls_ok;

	for (attempt = 0; attempt < 2; attempt++) {
		if (attempt > 0)
			au_sleep_ms(1000);
		r = au_open(x, &c, tls, log, NULL, 0);
		if (r == 0) {
			au_close(&c);
			return true;
		}
		if (r == -2) /* the gate refused: cannot tell */
			return true;
	}
	return false;
}

static void
plan_line(FILE *f, const struct au_opts *o, const struct au_check *c,
    unsigned *conns, unsigned *logins)
{
	const char *why;
	bool run = au_policy_wants(o, c, &why);

	fprintf(f, "%-12s %-9s %-4s conns<=%-3u logins<=%-3u %s\n", c->id,
	    au_mode_name(c->mode), run ? "run" : "skip", c->conns, c->logins,
	    c->title);
	if (!run)
		fprintf(f, "             skipped: %s\n", why);
	else {
		*conns += c->conns;
		*logins += c->logins;
	}
	fprintf(f, "             probe: %s\n", c->probe);
}

void
au_plan_print(FILE *f, const struct au_opts *o)
{
	unsigned conns = 3, logins = 0; /* discovery */
	int i;

	fprintf(f, "postie audit plan (nothing is sent)\n");
	fprintf(f, "target: %s  cleartext port %u%s  implicit-TLS port %u%s\n",
	    o->host, o->plain_port, o->plain_given ? "" : " (default)",
	    o->tls_port, o->tls_given ? "" : " (default)");
	fprintf(f,
	    "hard caps: %d login attempts, %d connections, %d "
	    "connections/s, %d-byte line probes, no DELE, no writes\n",
	    AU_MAX_LOGINS, AU_MAX_CONNS, AU_MAX_CONN_RATE, AU_MAX_LINE_PROBE);
	if (o->intrusive)
		fprintf(f, "authorized by: %s\n", o->authorized_by);
	fprintf(f, "discovery    SAFE      run  conns<=3   logins<=0   "
		   "greeting, CAPA, STLS on each endpoint\n");
	for (i = 0; i < AU_NCHECKS; i++)
		plan_line(f, o, au_check_get((enum au_id)i), &conns, &logins);
	fprintf(f,
	    "budget of the selected probes: <= %u connections (cap "
	    "%d), <= %u login attempts (cap %d)\n",
	    conns, AU_MAX_CONNS, logins, AU_MAX_LOGINS);
	if (conns > AU_MAX_CONNS || logins > AU_MAX_LOGINS)
		fprintf(f,
		    "note: the selection exceeds a hard cap; probes that "
		    "reach it end INCONCLUSIVE. Split the run with --only.\n");
}
