/* audit.h: postie audit, the POP3 security auditor (public interface).
 * The CLI fills struct au_opts, runs the checks of the catalogue against one
 * host (cleartext and implicit-TLS endpoints), and hands struct au_run to
 * the report writers. Safety caps (policy.c) cannot be lifted by options:
 * <= 50 login attempts, <= 200 connections, <= 20 connections/s per run. */
#ifndef POSTIE_AUDIT_AUDIT_H
#define POSTIE_AUDIT_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "audit/catalog.h"
#include "lib/buf.h"

/* Hard caps (no option lifts them). */
#define AU_MAX_LOGINS      50          /* login attempts per target per run */
#define AU_MAX_CONNS       200         /* connections per run */
#define AU_MAX_CONN_RATE   20          /* new connections per second */
#define AU_MAX_LINE_PROBE  (64 * 1024) /* longest line a probe sends */
#define AU_IDLE_MAX_S      900         /* longest idle-timeout wait (15 min) */
#define AU_MAX_VALID_USERS 8           /* --valid-user names */
#define AU_EVIDENCE_MAX    (24 * 1024)
#define AU_TEXT_MAX        480

/* Exit codes of postie audit. */
#define AU_EXIT_OK         0 /* no finding at or above --fail-on */
#define AU_EXIT_FINDINGS   1
#define AU_EXIT_USAGE      2
#define AU_EXIT_INCOMPLETE 3 /* unreachable, or the run was aborted */
#define AU_EXIT_REFUSED    4 /* refused by the safety policy */

enum au_status {
	AU_ST_NOTRUN, /* internal: never reported */
	AU_ST_PASS,
	AU_ST_FAIL,
	AU_ST_INCONCLUSIVE,
	AU_ST_SKIPPED
};

struct au_result {
	enum au_status status;
	enum au_sev sev;           /* FAIL only: after the lab adjustment */
	enum au_sev raw_sev;       /* FAIL only: as the rule assigns it */
	char summary[AU_TEXT_MAX]; /* finding, or why (INCONCLUSIVE, SKIPPED) */
	struct buf evidence;       /* redacted transcript and measurements */
	uint64_t ms;               /* time the probe took */
};

struct au_opts {
	char host[256]; /* host as typed: SNI and name checks */
	uint16_t plain_port, tls_port;
	bool plain_given, tls_given; /* else the default port is tried */
	const char *source_ip;       /* bind client sockets to this address */
	const char *alt_source_ip;   /* second address for P3-AUTH-07 */
	const char *user;            /* CRED: account name */
	char *password; /* CRED: heap copy, wiped by au_opts_free */
	const char *valid_users[AU_MAX_VALID_USERS];
	int nvalid;                /* known-valid names without password */
	const char *ca_file;       /* trust anchor for P3-TLS-10 */
	const char *authorized_by; /* recorded in every report */
	bool intrusive, allow_cleartext_creds, fast, show_secrets;
	bool lockout_canary; /* --user may be locked by P3-AUTH-07 */
	int lab;             /* -1 auto (loopback/same host), 0 off, 1 on */
	int timeout_ms;      /* per read; default 10000 */
	unsigned idle_max_s; /* cap of P3-DOS-01 (<= AU_IDLE_MAX_S) */
	unsigned jobs;       /* concurrent probes (1..16) */
	bool only_set;       /* --only given: run only the marked checks */
	bool only[AU_NCHECKS];
};

struct au_ctx;

struct au_run {
	const struct au_opts *o;
	struct au_result res[AU_NCHECKS];
	char addr[64]; /* resolved address of the host */
	char warn[8][AU_TEXT_MAX];
	int nwarn;
	bool lab;     /* severities lowered one step */
	bool aborted; /* stopped early (liveness, cap) */
	char abort_reason[AU_TEXT_MAX];
	bool unreachable; /* no endpoint answered */
	int64_t started;  /* wall clock, seconds since the epoch */
	uint64_t safe_ms; /* duration without P3-DOS-01 */
	uint64_t total_ms;
	unsigned conns_used, logins_used;
	struct au_ctx *ctx; /* internal */
};

/* Defaults: timeout 10 s, 8 jobs, idle cap 15 min, lab auto. */
void au_opts_init(struct au_opts *o);
/* Wipe and free the password. */
void au_opts_free(struct au_opts *o);
/* Parse "pop3://host[:port]", "pop3s://host[:port]" or "host" into o.
 * 0, or -1 with a message in err[0..errcap). */
int au_opts_target(struct au_opts *o, const char *arg, char *err, size_t errcap)
    __attribute__((warn_unused_result));
/* The safety policy for the options: 0 if allowed, else AU_EXIT_REFUSED or
 * AU_EXIT_USAGE with the reason in err. */
int au_policy_check(const struct au_opts *o, char *err, size_t errcap);
/* True if check c would run with these options; else *why_r says why not. */
bool au_policy_wants(
    const struct au_opts *o, const struct au_check *c, const char **why_r);
/* Print every probe with its mode, budget and whether it would run. Sends
 * nothing and resolves nothing. */
void au_plan_print(FILE *f, const struct au_opts *o);

/* Run all selected checks except P3-DOS-01, which is left running in the
 * background; 0, or -1 if the run could not start (resolver error). */
int au_run_start(struct au_run *r, const struct au_opts *o);
/* Wait for P3-DOS-01 and finish every result (no NOTRUN remains). */
void au_run_finish(struct au_run *r);
/* True while P3-DOS-01 is still running. */
bool au_run_pending(const struct au_run *r, enum au_id i);
void au_run_free(struct au_run *r);

/* Previous JSON report for --baseline. */
struct au_baseline {
	bool loaded;
	enum au_status status[AU_NCHECKS];
	enum au_sev sev[AU_NCHECKS];
};
/* Load a postie audit JSON report; 0 or -1 with err set. */
int au_baseline_load(const char *path, struct au_baseline *b, char *err,
    size_t errcap) __attribute__((warn_unused_result));
/* Classify check i against the baseline: "new", "fixed", "unchanged" or
 * NULL when neither run has a finding. */
const char *au_baseline_diff(
    const struct au_baseline *b, const struct au_run *r, enum au_id i);

/* Exit status: findings at or above fail_on (only new ones with a baseline)
 * give 1; else 3 if unreachable or aborted; else 0. */
int au_exit_code(
    const struct au_run *r, enum au_sev fail_on, const struct au_baseline *b);

/* Status names: "PASS", "FAIL", "INCONCLUSIVE", "SKIPPED". */
const char *au_status_name(enum au_status s);

/* Report writers; 0 or -1 on a write error. */
int au_report_text(FILE *f, const struct au_run *r, const struct au_baseline *b,
    bool color, bool verbose);
/* Text lines of one result (used for the late P3-DOS-01 line). */
void au_report_text_one(FILE *f, const struct au_run *r, enum au_id i,
    const struct au_baseline *b, bool color, bool verbose);
int au_report_text_summary(FILE *f, const struct au_run *r, bool color);
int au_report_json(
    FILE *f, const struct au_run *r, const struct au_baseline *b);
int au_report_sarif(FILE *f, const struct au_run *r);
int au_report_junit(FILE *f, const struct au_run *r, enum au_sev fail_on);
/* The catalogue as text, JSON or Markdown (docs/audit-checks.md). */
int au_list(FILE *f, const char *format);

#endif
