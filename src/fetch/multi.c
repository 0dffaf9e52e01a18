/* multi.c: bounded parallel fetching of several accounts in one process,
 * each on its own thread with its own connection and state handle, and a
 * progress display (messages, bytes, rate, ETA) when stderr is a terminal. */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "fetch/multi.h"
#include "fetch/secret.h"
#include "lib/log.h"
#include "lib/util.h"

struct pool {
	struct fm_job *jobs;
	size_t n;
	atomic_size_t next;
	const struct fr_opts *o;
	atomic_bool stop;
	uint64_t t0;
};

void
fm_passwords(struct fm_job *jobs, size_t n)
{
	char why[512];
	size_t i;

	for (i = 0; i < n; i++) {
		if (fp_password(jobs[i].a, jobs[i].pass, sizeof(jobs[i].pass),
			why, sizeof(why)) < 0) {
			jobs[i].ready = false;
			jobs[i].r.code = FX_USAGE;
			if (str_copy(jobs[i].r.err, why,
				sizeof(jobs[i].r.err)) < 0)
				jobs[i].r.err[sizeof(jobs[i].r.err) - 1] = '\0';
			continue;
		}
		jobs[i].ready = true;
	}
}

static void *
worker(void *arg)
{
	struct pool *pl = arg;
	size_t i;

	while ((i = atomic_fetch_add(&pl->next, 1)) < pl->n) {
		struct fm_job *j = &pl->jobs[i];

		if (!j->ready)
			continue;
		(void)fr_run(j->a, j->pass, pl->o, &j->p, &j->r);
		mem_wipe(j->pass, sizeof(j->pass));
		if (j->r.code != FX_OK)
			log_err("%s: %s", j->a->name, j->r.err);
	}
	return NULL;
}

static void
human_bytes(uint64_t b, char *out, size_t cap)
{
	if (b >= 10ULL * 1024 * 1024)
		(void)str_fmt(out, cap, "%llu MiB",
		    (unsigned long long)(b >> 20));
	else if (b >= 10 * 1024)
		(void)str_fmt(out, cap, "%llu KiB",
		    (unsigned long long)(b >> 10));
	else
		(void)str_fmt(out, cap, "%llu B", (unsigned long long)b);
}

/* One frame: a line per account, then move the cursor back up. */
static void
draw(struct pool *pl, bool last)
{
	static const char *phases[] = { "connecting", "listing", "fetching",
		"deleting", "done" };
	double secs = (double)(time_mono_ms() - pl->t0) / 1000.0;
	char b[32], rate[32], eta[32];
	size_t i;

	for (i = 0; i < pl->n; i++) {
		struct fr_progress *p = &pl->jobs[i].p;
		unsigned done = atomic_load(&p->done), tot = atomic_load(&p->total);
		uint64_t by = atomic_load(&p->bytes);
		uint64_t tb = atomic_load(&p->total_bytes);
		int ph = atomic_load(&p->phase);
		double bps = secs > 0.1 ? (double)by / secs : 0;

		human_bytes(by, b, sizeof(b));
		human_bytes((uint64_t)bps, rate, sizeof(rate));
		eta[0] = '\0';
		if (ph == FR_FETCH && bps > 0 && tb > by)
			(void)str_fmt(eta, sizeof(eta), " ETA %.0fs",
			    (double)(tb - by) / bps);
		fprintf(stderr, "\r\033[K%-24.24s %-10s %u/%u msgs %s %s/s%s\n",
		    pl->jobs[i].a->name, pl->jobs[i].ready ?
		    phases[ph >= 0 && ph <= FR_DONE ? ph : 0] : "skipped",
		    done, tot, b, rate, eta);
	}
	if (!last)
		fprintf(stderr, "\033[%zuA", pl->n);
	fflush(stderr);
}

void
fm_run_all(struct fm_job *jobs, size_t n, const struct fr_opts *o,
    unsigned parallel, bool progress)
{
	pthread_t tids[FETCH_PARALLEL_MAX];
	struct pool pl;
	unsigned i, nt;
	struct timespec ts = { 0, 200 * 1000 * 1000 };

	memset(&pl, 0, sizeof(pl));
	pl.jobs = jobs;
	pl.n = n;
	pl.o = o;
	pl.t0 = time_mono_ms();
	atomic_init(&pl.next, 0);
	nt = parallel == 0 ? 1 : parallel;
	if (nt > FETCH_PARALLEL_MAX)
		nt = FETCH_PARALLEL_MAX;
	if (nt > n)
		nt = (unsigned)n;
	if (nt <= 1 && !progress) {
		worker(&pl);
		return;
	}
	for (i = 0; i < nt; i++)
		if (pthread_create(&tids[i], NULL, worker, &pl) != 0)
			break;
	if (i == 0) {
		worker(&pl);
		return;
	}
	nt = i;
	if (progress) {
		while (atomic_load(&pl.next) < n + nt) {
			size_t k, busy = 0;

			for (k = 0; k < n; k++)
				if (jobs[k].ready &&
				    atomic_load(&jobs[k].p.phase) != FR_DONE)
					busy++;
			if (busy == 0 && atomic_load(&pl.next) >= n)
				break;
			draw(&pl, false);
			nanosleep(&ts, NULL);
		}
	}
	for (i = 0; i < nt; i++)
		pthread_join(tids[i], NULL);
	if (progress)
		draw(&pl, true);
}
