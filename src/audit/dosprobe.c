/* dosprobe.c: availability checks. P3-DOS-01 (idle timeout, SAFE, runs in
 * the background after everything else) and P3-DOS-02 (slow drip,
 * INTRUSIVE, alongside it); P3-DOS-03..05 (connection floods, INTRUSIVE)
 * run in the sequential phase within the run's hard caps. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/probe.h"
#include "lib/util.h"

/* Wait silently on c until the server closes it or cap_ms passes. */
static void
wait_close(struct au_conn *c, uint64_t cap_ms, struct au_idle *r)
{
	uint64_t t0 = time_mono_ms();
	char line[256];

	r->state = 2;
	for (;;) {
		uint64_t now = time_mono_ms();
		int n;

		if (now - t0 >= cap_ms)
			break;
		n = au_line(c, line, sizeof(line), (int)(cap_ms - (now - t0)));
		if (n >= 0) {
			(void)str_copy(r->last, line, sizeof(r->last));
			continue;
		}
		if (!c->timed_out) {
			r->state = 1;
			break;
		}
	}
	r->ms = time_mono_ms() - t0;
}

static void
idle_pre(struct au_ctx *x, struct au_idle *r, struct buf *log)
{
	struct au_conn c;

	memset(r, 0, sizeof(*r));
	r->state = -1;
	if (au_open(x, &c, !x->f.plain_up, log, NULL, 0)) {
		atomic_store(&x->f.idle_pre_state, -1);
		return;
	}
	au_note(&c, "silent after the greeting (cap %u s)", x->o->idle_max_s);
	wait_close(&c, (uint64_t)x->o->idle_max_s * 1000, r);
	au_note(&c, "%s after %.1f s", r->state == 1 ? "closed" : "still open",
	    (double)r->ms / 1000.0);
	au_close(&c);
	atomic_store(&x->f.idle_pre_ms, r->ms);
	atomic_store(&x->f.idle_pre_state, r->state);
}

static void
idle_post(struct au_ctx *x, struct au_idle *r)
{
	struct au_conn c;
	char rep[512];

	memset(r, 0, sizeof(*r));
	r->state = -1;
	if (au_login_session(x, &c, au_evbuf(x, AU_DOS01), rep, sizeof(rep)) !=
	    0)
		return;
	au_note(&c, "silent after login (cap %u s)", x->o->idle_max_s);
	wait_close(&c, (uint64_t)x->o->idle_max_s * 1000, r);
	au_note(&c, "%s after %.1f s (no QUIT sent)",
	    r->state == 1 ? "closed" : "still open", (double)r->ms / 1000.0);
	au_close(&c);
}

static void *
post_thread(void *arg)
{
	struct au_ctx *x = arg;

	pthread_mutex_lock(&x->mu);
	x->login_reserve = 0;
	pthread_mutex_unlock(&x->mu);
	idle_post(x, &x->idle_post_res);
	return NULL;
}

static void
judge01(struct au_ctx *x, const struct au_idle *pre, const struct au_idle *post,
    bool have_post)
{
	double sp = (double)pre->ms / 1000.0, sq = (double)post->ms / 1000.0;
	enum au_sev sev = AU_SEV_NONE;
	char txt[AU_TEXT_MAX];
	bool inconcl = false;
	size_t u;

	if (pre->state < 0) {
		au_set(x, AU_DOS01, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "could not open the idle connection");
		return;
	}
	if (pre->state == 1)
		u = (size_t)snprintf(txt, sizeof(txt),
		    "before login: closed "
		    "after %.1f s%s%s%s",
		    sp, pre->last[0] ? " ('" : "", pre->last,
		    pre->last[0] ? "')" : "");
	else
		u = (size_t)snprintf(txt, sizeof(txt),
		    "before login: still "
		    "open after %.0f s",
		    sp);
	if (pre->state == 1 && pre->ms > 300000)
		sev = AU_SEV_LOW;
	if (pre->state == 2 && pre->ms >= (uint64_t)AU_IDLE_MAX_S * 1000)
		sev = AU_SEV_MEDIUM;
	else if (pre->state == 2 && pre->ms > 300000)
		sev = AU_SEV_LOW;
	else if (pre->state == 2)
		inconcl = true;
	if (have_post && u < sizeof(txt)) {
		if (post->state < 0)
			inconcl = true;
		else if (post->state == 2 &&
			 post->ms >= (uint64_t)AU_IDLE_MAX_S * 1000)
			sev = sev > AU_SEV_MEDIUM ? sev : AU_SEV_MEDIUM;
		else if (post->state == 2)
			inconcl = true;
		else if (post->ms < 600000 && sev < AU_SEV_INFO)
			sev = AU_SEV_INFO;
		(void)snprintf(txt + u, sizeof(txt) - u,
		    "; after login: %s "
		    "%.1f s%s",
		    post->state == 1   ? "closed after"
		    : post->state == 2 ? "still open after"
				       : "login failed,",
		    sq,
		    post->state == 1 && post->ms < 600000
			? " (RFC 1939 asks for at least 10 min)"
			: "");
	}
	if (sev > AU_SEV_NONE)
		au_set(x, AU_DOS01, AU_ST_FAIL, sev, "%s", txt);
	else if (inconcl)
		au_set(x, AU_DOS01, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "%s; the "
		    "--idle-max cap ended the wait before a verdict (rule: "
		    "5 min / 15 min)",
		    txt);
	else
		au_set(x, AU_DOS01, AU_ST_PASS, AU_SEV_NONE, "%s", txt);
}

static void *
idle_thread(void *arg)
{
	struct au_ctx *x = arg;
	struct au_idle pre;
	struct buf prelog;
	pthread_t th;
	bool post = x->o->user != NULL && x->o->password != NULL &&
		    au_want(x, AU_DOS01);
	bool threaded = false;
	uint64_t t0 = time_mono_ms();

	memset(&x->idle_post_res, 0, sizeof(x->idle_post_res));
	if (post)
		threaded = pthread_create(&th, NULL, post_thread, x) == 0;
	buf_init(&prelog, 8192);
	idle_pre(x, &pre, &prelog);
	if (threaded)
		pthread_join(th, NULL);
	if (au_want(x, AU_DOS01))
		au_ev_buf(x, AU_DOS01, &prelog);
	buf_free(&prelog);
	if (post && !threaded) {
		pthread_mutex_lock(&x->mu);
		x->login_reserve = 0;
		pthread_mutex_unlock(&x->mu);
		idle_post(x, &x->idle_post_res);
	}
	if (au_want(x, AU_DOS01)) {
		judge01(x, &pre, &x->idle_post_res, post);
		x->run->res[AU_DOS01].ms = time_mono_ms() - t0;
	}
	return NULL;
}

static void *
drip_thread(void *arg)
{
	au_probe_dos02(arg);
	return NULL;
}

void
au_idle_start(struct au_ctx *x)
{
	bool d1 = au_want(x, AU_DOS01), d2 = au_want(x, AU_DOS02);

	if (atomic_load(&x->abort)) {
		if (d1)
			(void)au_aborted(x, AU_DOS01);
		if (d2)
			(void)au_aborted(x, AU_DOS02);
		return;
	}
	if (!d1 && !d2)
		return;
	/* P3-DOS-02 needs the idle timeout, so it is measured for it too */
	if (pthread_create(&x->idle_thread, NULL, idle_thread, x) == 0) {
		x->idle_running = true;
	} else {
		atomic_store(&x->f.idle_pre_state, -1);
		if (d1)
			au_set(x, AU_DOS01, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
			    "could not start the probe");
	}
	if (d2 && pthread_create(&x->drip_thread, NULL, drip_thread, x) == 0)
		x->drip_running = true;
	else if (d2)
		au_set(x, AU_DOS02, AU_ST_INCONCLUSIVE, AU_SEV_NONE,
		    "could not start the probe");
}

void
au_idle_join(struct au_ctx *x)
{
	if (x->idle_running)
		pthread_join(x->idle_thread, NULL);
	if (x->drip_running)
		pthread_join(x->drip_thread, NULL);
	x->idle_running = x->drip_running = false;
	atomic_store(&x->idle_done, true);
}
