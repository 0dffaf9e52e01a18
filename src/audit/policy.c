/* policy.c: the run's hard safety caps (connections, rate, login attempts),
 * liveness checks, aborting, and the --plan listing. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit/probe.h"
#include "lib/util.h"

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
		if (r == -2)	/* the gate refused: cannot tell */
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
	unsigned conns = 2, logins = 0; /* discovery */
	int i;

	fprintf(f, "postie audit plan (nothing is sent)\n");
	fprintf(f, "target: %s  cleartext port %u%s  implicit-TLS port %u%s\n",
	    o->host, o->plain_port, o->plain_given ? "" : " (default)",
	    o->tls_port, o->tls_given ? "" : " (default)");
	fprintf(f, "hard caps: %d login attempts, %d connections, %d "
	    "connections/s, %d-byte line probes, no DELE, no writes\n",
	    AU_MAX_LOGINS, AU_MAX_CONNS, AU_MAX_CONN_RATE, AU_MAX_LINE_PROBE);
	if (o->intrusive)
		fprintf(f, "authorized by: %s\n", o->authorized_by);
	fprintf(f, "discovery    SAFE      run  conns<=2   logins<=0   "
	    "greeting, CAPA, STLS on each endpoint\n");
	for (i = 0; i < AU_NCHECKS; i++)
		plan_line(f, o, au_check_get((enum au_id)i), &conns, &logins);
	fprintf(f, "budget of the selected probes: <= %u connections (cap "
	    "%d), <= %u login attempts (cap %d)\n", conns, AU_MAX_CONNS,
	    logins, AU_MAX_LOGINS);
	if (conns > AU_MAX_CONNS || logins > AU_MAX_LOGINS)
		fprintf(f, "note: the selection exceeds a hard cap; probes that "
		    "reach it end INCONCLUSIVE. Split the run with --only.\n");
}
