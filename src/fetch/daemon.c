/* daemon.c: postie fetch --daemon. Each account is fetched every interval
 * (with +-10% jitter so accounts and clients spread out), after a failure
 * with an exponential back-off (interval x 2^failures, at most a day), and
 * never sooner than the server's LOGIN-DELAY. SIGTERM or SIGINT end the
 * loop after the sessions under way have finished. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "fetch/multi.h"
#include "lib/log.h"
#include "lib/util.h"

#define BACKOFF_MAX_S     (24 * 3600)
#define BACKOFF_SHIFT_MAX 6

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

/* Seconds until the next run of job j, from its last result. */
static uint64_t
next_delay(const struct fm_job *j, unsigned fails)
{
	uint64_t d = j->a->interval_s, jit;
	unsigned shift = fails < BACKOFF_SHIFT_MAX ? fails : BACKOFF_SHIFT_MAX;

	if (fails > 0) {
		d <<= shift;
		if (d > BACKOFF_MAX_S)
			d = BACKOFF_MAX_S;
	}
	if (j->r.login_delay > 0 && (uint64_t)j->r.login_delay > d)
		d = (uint64_t)j->r.login_delay;
	jit = d / 10;
	if (jit > 0)
		d = d - jit + arc4random_uniform((uint32_t)(2 * jit + 1));
	return d > 0 ? d : 1;
}

static void
log_result(const struct fm_job *j, unsigned fails, uint64_t delay)
{
	const struct fr_result *r = &j->r;

	if (r->code == FX_OK)
		log_info("%s: %u fetched, %u deleted, %u on server; next in "
			 "%llus",
		    j->a->name, r->fetched, r->deleted, r->on_server,
		    (unsigned long long)delay);
	else
		log_warn("%s: %s (failure %u in a row; retry in %llus)",
		    j->a->name, r->err, fails, (unsigned long long)delay);
}

/* Sleep until deadline (monotonic ms) or a signal. */
static void
sleep_until(uint64_t deadline)
{
	struct timespec ts;
	uint64_t now;

	while (!stop_flag && (now = time_mono_ms()) < deadline) {
		uint64_t step = deadline - now > 200 ? 200 : deadline - now;

		ts.tv_sec = 0;
		ts.tv_nsec = (long)step * 1000000L;
		nanosleep(&ts, NULL);
	}
}

int
fm_daemon(
    struct fm_job *jobs, size_t n, const struct fr_opts *o, unsigned parallel)
{
	struct sigaction sa;
	uint64_t *due, next, now;
	unsigned *fails;
	bool *expire_told, any;
	size_t i;

	due = calloc(n, sizeof(*due));
	fails = calloc(n, sizeof(*fails));
	expire_told = calloc(n, sizeof(*expire_told));
	if (due == NULL || fails == NULL || expire_told == NULL) {
		free(due);
		free(fails);
		free(expire_told);
		return FX_FAIL;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	stop_flag = 0;
	for (i = 0; i < n; i++) {
		jobs[i].keep_pass = true;
		if (!jobs[i].ready)
			log_err("%s: %s; not fetched", jobs[i].a->name,
			    jobs[i].r.err);
	}
	log_info("daemon: %zu accounts", n);
	while (!stop_flag) {
		now = time_mono_ms();
		any = false;
		for (i = 0; i < n; i++) {
			jobs[i].skip = !jobs[i].ready || due[i] > now;
			any = any || !jobs[i].skip;
		}
		if (any)
			fm_run_all(jobs, n, o, parallel, false);
		now = time_mono_ms();
		next = now + 3600 * 1000;
		for (i = 0; i < n; i++) {
			struct fm_job *j = &jobs[i];
			uint64_t d;

			if (!j->ready)
				continue;
			if (!j->skip) {
				fails[i] =
				    j->r.code == FX_OK ? 0 : fails[i] + 1;
				d = next_delay(j, fails[i]);
				due[i] = now + d * 1000;
				log_result(j, fails[i], d);
				if (j->r.expire >= 0 && !expire_told[i] &&
				    j->a->policy == FA_KEEP) {
					log_warn(
					    "%s: the server deletes mail "
					    "after %lld days (EXPIRE) even though "
					    "this account keeps it",
					    j->a->name, (long long)j->r.expire);
					expire_told[i] = true;
				}
			}
			if (due[i] < next)
				next = due[i];
		}
		sleep_until(next);
	}
	log_info("daemon: stopping");
	for (i = 0; i < n; i++)
		mem_wipe(jobs[i].pass, sizeof(jobs[i].pass));
	free(due);
	free(fails);
	free(expire_told);
	return FX_OK;
}
