/* flood.c: INTRUSIVE availability probes, always inside the run's hard
 * caps (au_gate_connect: <= 200 connections, <= 20/s): slow drip
 * (P3-DOS-02), concurrent connections (P3-DOS-03), connection rate
 * (P3-DOS-04) and concurrent logins (P3-DOS-05). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/probe.h"
#include "lib/util.h"

#define DOS03_MAX   80 /* concurrent connections tried */
#define DOS04_SECS  3  /* seconds of connection churn */
#define DOS05_MAX   11 /* concurrent logins tried */
#define DOS_RESERVE 10 /* connections kept back for liveness checks */

static unsigned
conns_left(struct au_ctx *x)
{
	unsigned used;

	pthread_mutex_lock(&x->mu);
	used = x->conns;
	pthread_mutex_unlock(&x->mu);
	return used + DOS_RESERVE >= AU_MAX_CONNS
		   ? 0
		   : AU_MAX_CONNS - used - DOS_RESERVE;
}

void
au_probe_dos02(struct au_ctx *x)
{
	static const char drip[] = "NOOP";
	uint64_t t0, sent_at, idle, every,
	    cap = (uint64_t)x->o->idle_max_s * 1000;
	struct au_conn c;
	unsigned k = 0;
	int st;

	/* the drip must outlast the idle timeout P3-DOS-01 measures */
	while ((st = atomic_load(&x->f.idle_pre_state)) == 0 &&
	       !atomic_load(&x->abort))
		au_sleep_ms(200);
	idle = atomic_load(&x->f.idle_pre_ms);
	if (st != 1) {
		au_set(x, AU_DOS02, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    st == 2
			? "no idle timeout was measured within the cap (see "
			  "P3-DOS-01), so a drip cannot outlast it"
			: "needs the idle timeout measured by P3-DOS-01");
		return;
	}
	if (idle + 30000 > cap) {
		au_set(x, AU_DOS02, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "the idle "
		    "timeout (%.0f s) plus 30 s exceeds the --idle-max cap",
		    (double)idle / 1000.0);
		return;
	}
	every = idle / 3 < 30000 ? idle / 3 : 30000;
	if (every < 500)
		every = 500;
	if (au_open(x, &c, !x->f.plain_up, au_evbuf(x, AU_DOS02), NULL, 0)) {
		au_set(x, AU_DOS02, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "could not connect");
		return;
	}
	au_note(&c, "one byte without CRLF every %.1f s (idle timeout %.1f s)",
	    (double)every / 1000.0, (double)idle / 1000.0);
	t0 = time_mono_ms();
	sent_at = 0;
	for (;;) {
		uint64_t now = time_mono_ms();

		if (now - t0 > idle + 30000) {
			au_close(&c);
			au_set(x, AU_DOS02, AU_ST_FAIL, AU_SEV_MEDIUM,
			    "still "
			    "open after %.0f s of slow drip; an idle connection "
			    "is closed after %.1f s",
			    (double)(now - t0) / 1000.0, (double)idle / 1000.0);
			return;
		}
		if (sent_at == 0 || now - sent_at >= every) {
			if (au_send(&c, &drip[k++ % 4], 1, -1) != 0)
				break;
			sent_at = now;
		}
		if (au_wait_readable(&c, 200)) {
			char line[256];

			if (au_line(&c, line, sizeof(line), 200) == -2 || c.eof)
				break;
		}
	}
	au_close(&c);
	au_set(x, AU_DOS02, AU_ST_PASS, AU_SEV_NONE,
	    "the server closed the "
	    "dripping connection after %.1f s (idle timeout %.1f s)",
	    (double)(time_mono_ms() - t0) / 1000.0, (double)idle / 1000.0);
}

void
au_probe_dos03(struct au_ctx *x)
{
	unsigned n = conns_left(x), i, greeted = 0, knee = 0;
	struct au_conn *cs;
	char line[512], first[256] = "";

	if (n > DOS03_MAX)
		n = DOS03_MAX;
	cs = calloc(n > 0 ? n : 1, sizeof(*cs));
	if (cs == NULL || n < 10) {
		free(cs);
		au_set(x, AU_DOS03, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "not "
		    "enough connections left under the %d-connection cap",
		    AU_MAX_CONNS);
		return;
	}
	for (i = 0; i < n; i++)
		cs[i].fd = -1;
	for (i = 0; i < n; i++) {
		if (au_connect(x, &cs[i],
			x->f.plain_up ? x->o->plain_port : x->o->tls_port, NULL,
			NULL) != 0)
			break;
		if (!x->f.plain_up && au_tls(&cs[i], au_tls_default(x)) != 0)
			break;
		if (au_line(&cs[i], line, sizeof(line), 5000) < 0 ||
		    !au_ok(line)) {
			(void)str_copy(first, line, sizeof(first));
			break;
		}
		greeted++;
	}
	knee = i;
	for (i = 0; i < n; i++)
		au_close(&cs[i]);
	free(cs);
	au_ev(x, AU_DOS03, "%u connections opened at <= %d/s, %u greeted%s%s",
	    knee + (knee < n ? 1 : 0), AU_MAX_CONN_RATE, greeted,
	    first[0] ? "; refusal: " : "", first);
	if (!au_alive(x, au_evbuf(x, AU_DOS03))) {
		au_set(x, AU_DOS03, AU_ST_FAIL, AU_SEV_LOW,
		    "the service "
		    "stopped answering after %u concurrent connections",
		    knee);
		au_abort(x, "the service stopped answering after P3-DOS-03");
	} else if (greeted == n) {
		au_set(x, AU_DOS03, AU_ST_FAIL, AU_SEV_LOW,
		    "no per-address "
		    "limit: all %u concurrent connections were greeted",
		    n);
	} else {
		au_set(x, AU_DOS03, AU_ST_PASS, AU_SEV_NONE,
		    "limited: "
		    "connection %u was refused (%s) after %u concurrent ones",
		    knee + 1, first[0] ? first : "closed", greeted);
	}
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct churn {
	struct au_ctx *x;
	pthread_mutex_t mu;
	uint64_t t0, lat[DOS04_SECS * AU_MAX_CONN_RATE];
	unsigned n, refused, timeouts, max;
	bool stop;
};

static void *
churn_worker(void *arg)
{
	struct churn *ch = arg;
	struct au_ctx *x = ch->x;
	struct au_conn c;
	char line[512];

	for (;;) {
		uint64_t s = time_mono_ms();
		int k = 0;
		bool stop;

		pthread_mutex_lock(&ch->mu);
		if (ch->n + ch->refused + ch->timeouts >= ch->max ||
		    s - ch->t0 >= DOS04_SECS * 1000)
			ch->stop = true;
		stop = ch->stop;
		pthread_mutex_unlock(&ch->mu);
		if (stop)
			break;
		if (au_connect(x, &c,
			x->f.plain_up ? x->o->plain_port : x->o->tls_port, NULL,
			NULL) == -2)
			break;
		s = time_mono_ms(); /* latency without the gate's wait */
		if (c.fd >= 0 &&
		    (x->f.plain_up || au_tls(&c, au_tls_default(x)) == 0) &&
		    au_line(&c, line, sizeof(line), 3000) >= 0 && au_ok(line))
			k = 1;
		else if (c.timed_out)
			k = 2;
		au_close(&c);
		pthread_mutex_lock(&ch->mu);
		if (k == 1 && ch->n < sizeof(ch->lat) / sizeof(ch->lat[0]))
			ch->lat[ch->n++] = time_mono_ms() - s;
		else if (k == 2)
			ch->timeouts++;
		else if (k == 0)
			ch->refused++;
		pthread_mutex_unlock(&ch->mu);
	}
	return NULL;
}

void
au_probe_dos04(struct au_ctx *x)
{
	static struct churn ch;
	pthread_t th[4];
	uint64_t q1[8], q4[8], el;
	unsigned k, i, started = 0;

	memset(&ch, 0, sizeof(ch));
	ch.x = x;
	pthread_mutex_init(&ch.mu, NULL);
	ch.t0 = time_mono_ms();
	ch.max = conns_left(x);
	if (ch.max > sizeof(ch.lat) / sizeof(ch.lat[0]))
		ch.max = sizeof(ch.lat) / sizeof(ch.lat[0]);
	for (i = 0; i < 4; i++)
		if (pthread_create(&th[i], NULL, churn_worker, &ch) == 0)
			started++;
	if (started == 0)
		(void)churn_worker(&ch);
	for (i = 0; i < started; i++)
		pthread_join(th[i], NULL);
	pthread_mutex_destroy(&ch.mu);
	el = time_mono_ms() - ch.t0;
	k = ch.n + ch.refused + ch.timeouts;
	au_ev(x, AU_DOS04,
	    "%u greeted, %u refused, %u timed out in %.1f s "
	    "(%.1f connections/s)",
	    ch.n, ch.refused, ch.timeouts, (double)el / 1000.0,
	    k * 1000.0 / (double)(el > 0 ? el : 1));
	if (ch.n >= 8) {
		memcpy(q1, ch.lat, sizeof(q1));
		memcpy(q4, ch.lat + ch.n - 8, sizeof(q4));
		qsort(q1, 8, sizeof(q1[0]), cmp_u64);
		qsort(q4, 8, sizeof(q4[0]), cmp_u64);
		au_ev(x, AU_DOS04,
		    "median greeting latency: first 8 %llu ms, "
		    "last 8 %llu ms",
		    (unsigned long long)q1[4], (unsigned long long)q4[4]);
	}
	if (ch.timeouts > 0 || (ch.n >= 8 && q4[4] > 5 * q1[4] && q4[4] > 200))
		au_set(x, AU_DOS04, AU_ST_FAIL, AU_SEV_MEDIUM,
		    "the service "
		    "degraded under %u connections in %.1f s (%u timeouts)",
		    k, (double)el / 1000.0, ch.timeouts);
	else if (ch.refused > 0)
		au_set(x, AU_DOS04, AU_ST_PASS, AU_SEV_NONE,
		    "rate limited: %u "
		    "of %u connections refused (knee near %u connections in "
		    "%.1f s)",
		    ch.refused, k, ch.n, (double)el / 1000.0);
	else if (ch.n == 0)
		au_set(x, AU_DOS04, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "no connection was possible");
	else
		au_set(x, AU_DOS04, AU_ST_FAIL, AU_SEV_INFO,
		    "no connection-"
		    "rate limit: %u connections in %.1f s (%.1f/s, the "
		    "auditor's cap is %d/s) were all greeted",
		    ch.n, (double)el / 1000.0,
		    ch.n * 1000.0 / (double)(el > 0 ? el : 1),
		    AU_MAX_CONN_RATE);
}

void
au_probe_dos05(struct au_ctx *x)
{
	struct au_conn cs[DOS05_MAX];
	char r[512], refusal[256] = "";
	unsigned i, ok = 0;
	int lr = 0;

	memset(cs, 0, sizeof(cs));
	for (i = 0; i < DOS05_MAX; i++)
		cs[i].fd = -1;
	for (i = 0; i < DOS05_MAX; i++) {
		lr = au_login_session(
		    x, &cs[i], au_evbuf(x, AU_DOS05), r, sizeof(r));
		if (lr != 0) {
			(void)str_copy(refusal, r, sizeof(refusal));
			break;
		}
		ok++;
	}
	for (i = 0; i < DOS05_MAX; i++)
		au_close(&cs[i]);
	au_ev(x, AU_DOS05, "# all sessions closed without QUIT");
	if (ok == DOS05_MAX)
		au_set(x, AU_DOS05, AU_ST_FAIL, AU_SEV_LOW,
		    "%u concurrent "
		    "logins for one user all succeeded",
		    ok);
	else if (lr == 1)
		au_set(x, AU_DOS05, AU_ST_PASS, AU_SEV_NONE,
		    "login %u was "
		    "refused (%s) after %u concurrent sessions",
		    ok + 1, refusal, ok);
	else
		au_set(x, AU_DOS05, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "login "
		    "%u failed: %s",
		    ok + 1, refusal);
}
