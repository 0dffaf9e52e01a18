/* multi.c: bounded parallel fetching of several accounts in one process,
 * each on its own thread with its own connection and state handle; the
 * progress display (messages, bytes, rate, ETA) when stderr is a terminal;
 * the end-of-run summary as human lines or one JSON object; the exit
 * status. */
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
			if (str_copy(
				jobs[i].r.err, why, sizeof(jobs[i].r.err)) < 0)
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

		if (!j->ready || j->skip)
			continue;
		(void)fr_run(j->a, j->pass, pl->o, &j->p, &j->r);
		if (!j->keep_pass)
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
		(void)str_fmt(
		    out, cap, "%llu MiB", (unsigned long long)(b >> 20));
	else if (b >= 10 * 1024)
		(void)str_fmt(
		    out, cap, "%llu KiB", (unsigned long long)(b >> 10));
	else
		(void)str_fmt(out, cap, "%llu B", (unsigned long long)b);
}

/* One frame: a line per account, then move the cursor back up. */
static void
draw(struct pool *pl, bool last)
{
	static const char *phases[] = {
	    "connecting", "listing", "fetching", "deleting", "done"};
	double secs = (double)(time_mono_ms() - pl->t0) / 1000.0;
	char b[32], rate[32], eta[32];
	size_t i;

	for (i = 0; i < pl->n; i++) {
		struct fr_progress *p = &pl->jobs[i].p;
		unsigned done = atomic_load(&p->done),
			 tot = atomic_load(&p->total);
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
		    pl->jobs[i].a->name,
		    pl->jobs[i].ready
			? phases[ph >= 0 && ph <= FR_DONE ? ph : 0]
			: "skipped",
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
	struct timespec ts = {0, 200 * 1000 * 1000};

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

static const char *
code_name(int code)
{
	switch (code) {
	case FX_OK:
		return "ok";
	case FX_FAIL:
		return "failed";
	case FX_USAGE:
		return "config";
	case FX_AUTH:
		return "auth";
	case FX_TLS:
		return "tls";
	case FX_PROTO:
		return "protocol";
	default:
		return "failed";
	}
}

/* Print s as a JSON string (quotes included). */
static void
json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");

	fputc('"', f);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void
json_one(FILE *f, const struct fm_job *j)
{
	const struct fr_result *r = &j->r;

	fputs("{\"account\":", f);
	json_str(f, j->a->name);
	fputs(",\"host\":", f);
	json_str(f, j->a->host);
	fprintf(f, ",\"port\":%u,\"user\":", (unsigned)j->a->port);
	json_str(f, j->a->user);
	fputs(",\"status\":", f);
	json_str(f, r->paused ? "paused" : code_name(r->code));
	fprintf(f,
	    ",\"exit\":%d,\"on_server\":%u,\"new\":%u,\"fetched\":%u,"
	    "\"headers_only\":%u,\"skipped\":%u,\"deleted\":%u,"
	    "\"recovered\":%u,\"marked_seen\":%u,\"message_errors\":%u,"
	    "\"warnings\":%u,\"bytes\":%llu,\"seconds\":%.3f,\"tls\":",
	    r->code, r->on_server, r->new_msgs, r->fetched, r->headers_only,
	    r->skipped, r->deleted, r->recovered, r->marked_seen, r->msg_errors,
	    r->warnings, (unsigned long long)r->bytes, (double)r->ms / 1000.0);
	json_str(f, r->tls[0] != '\0' ? r->tls : NULL);
	fputs(",\"mechanism\":", f);
	json_str(f, r->mech);
	fputs(",\"error\":", f);
	json_str(f, r->err);
	fputc('}', f);
}

void
fm_report(FILE *f, const struct fm_job *jobs, size_t n, bool json, bool dry_run)
{
	size_t i;

	if (json) {
		fputs("{\"accounts\":[", f);
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputc(',', f);
			json_one(f, &jobs[i]);
		}
		fprintf(f, "],\"dry_run\":%s,\"exit\":%d}\n",
		    dry_run ? "true" : "false", fm_exit_code(jobs, n));
		fflush(f);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct fr_result *r = &jobs[i].r;

		if (dry_run && r->code == FX_OK)
			continue;
		if (r->code != FX_OK) {
			fprintf(f, "%s: %s: %s\n", jobs[i].a->name,
			    r->paused ? "PAUSED" : "FAILED", r->err);
			if (r->fetched == 0 && r->recovered == 0)
				continue;
		}
		fprintf(f, "%s: %u fetched (%llu bytes)", jobs[i].a->name,
		    r->fetched, (unsigned long long)r->bytes);
		if (r->headers_only > 0)
			fprintf(f, ", %u headers only", r->headers_only);
		if (r->skipped > 0)
			fprintf(f, ", %u skipped", r->skipped);
		if (r->recovered > 0)
			fprintf(f, ", %u recovered", r->recovered);
		if (r->marked_seen > 0)
			fprintf(f, ", %u marked seen", r->marked_seen);
		fprintf(f, ", %u deleted, %u on server, %.1fs\n", r->deleted,
		    r->on_server, (double)r->ms / 1000.0);
	}
	fflush(f);
}

int
fm_exit_code(const struct fm_job *jobs, size_t n)
{
	size_t i;

	if (n == 1)
		return jobs[0].r.code;
	for (i = 0; i < n; i++)
		if (jobs[i].r.code != FX_OK)
			return FX_FAIL;
	return FX_OK;
}
