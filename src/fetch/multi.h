/* multi.h: running several accounts at once (bounded worker threads), the
 * progress display on a terminal, and the end-of-run summary (text or
 * JSON) with the exit status. */
#ifndef POSTIE_FETCH_MULTI_H
#define POSTIE_FETCH_MULTI_H

#include <stdbool.h>
#include <stdio.h>

#include "fetch/run.h"

struct fm_job {
	const struct fa_account *a;
	char pass[P3_PASS_MAX + 1];
	bool ready;     /* pass is set; else r holds why not */
	bool keep_pass; /* daemon: keep pass between runs */
	bool skip;      /* daemon: not due in this round */
	struct fr_result r;
	struct fr_progress p;
};

/* Get every job's password from its source (prompting one at a time);
 * failures are stored in the job's result. */
void fm_passwords(struct fm_job *jobs, size_t n);
/* Fetch all ready jobs, at most parallel at a time; with progress, redraw
 * per-account progress lines on stderr while they run. Passwords are
 * wiped afterwards. */
void fm_run_all(struct fm_job *jobs, size_t n, const struct fr_opts *o,
    unsigned parallel, bool progress);
/* Print the summary (human lines, or one JSON object) to f. */
void fm_report(
    FILE *f, const struct fm_job *jobs, size_t n, bool json, bool dry_run);
/* The exit status: the single account's code, or 0 if all succeeded and 1
 * otherwise when there were several. */
int fm_exit_code(const struct fm_job *jobs, size_t n);
/* Run forever: each account every interval (with jitter), exponential
 * back-off after failures, never sooner than the server's LOGIN-DELAY.
 * Returns only on SIGTERM/SIGINT (0) or setup failure. */
int fm_daemon(
    struct fm_job *jobs, size_t n, const struct fr_opts *o, unsigned parallel);

#endif
