/* probe.h: shared state of one audit run and the probe entry points
 * (internal to src/audit). The runner (runner.c) calls the probe functions
 * in phases; each probe owns the results of its checks, the discovery facts
 * are written once before the probes that read them start. */
#ifndef POSTIE_AUDIT_PROBE_H
#define POSTIE_AUDIT_PROBE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "audit/audit.h"
#include "audit/conn.h"
#include "proto/pop3.h"

#define AU_CAPA_MAX  1024 /* raw CAPA tags, space-joined */
#define AU_GREET_MAX 512
#define AU_ERRS_MAX  48 /* -ERR texts kept for P3-INFO-05 */

/* One TLS path (implicit TLS or STLS) as measured by tlsprobe.c. */
enum au_path { AU_PATH_IMPLICIT, AU_PATH_STLS, AU_NPATHS };

struct au_tlspath {
	bool present; /* a handshake worked on this path */
	bool versions_known;
	bool ver[6]; /* SSLv2, SSLv3, TLS1.0, 1.1, 1.2, 1.3 */
	enum au_sev sev10;
	char find10[AU_TEXT_MAX];
	bool cert_seen;
	char certfp[65]; /* SHA-256 of the leaf certificate */
	char neg[96];    /* negotiated by OpenSSL: version cipher */
	bool reneg_secure_known, reneg_secure, heartbeat, client_reneg;
	int client_reneg_known; /* 1 accepted, 0 refused, -1 not tested */
	char weak[128];         /* weak categories accepted ("RC4, ...") */
	bool pfs, aead;         /* a forward-secret / AEAD suite accepted */
	bool order_known, server_order;
};

/* Facts from discovery (disc.c), read by later probes. */
struct au_facts {
	/* cleartext endpoint */
	bool plain_up;
	char plain_greet[AU_GREET_MAX];
	bool pcapa_ok;
	char pcapa_raw[AU_CAPA_MAX];
	struct p3_capa pcapa;
	int stls; /* -1 unknown, 0 refused, 1 ok, 2 +OK but TLS failed */
	char stls_reply[AU_GREET_MAX];
	bool scapa_ok; /* CAPA after STLS */
	char scapa_raw[AU_CAPA_MAX];
	struct p3_capa scapa;
	char stls2_reply[AU_GREET_MAX]; /* second STLS inside TLS */
	char pauth[256]; /* AUTH listing before TLS ("" if -ERR) */
	char sauth[256]; /* AUTH listing after STLS */
	char tauth[256]; /* AUTH listing on the implicit-TLS port */
	/* implicit TLS endpoint */
	bool tls_up; /* TCP connect worked */
	bool tls_ok; /* handshake and +OK greeting */
	char tls_err[AU_TEXT_MAX];
	char tls_greet[AU_GREET_MAX];
	char tls_ver[32], tls_cipher[64];
	bool tcapa_ok;
	char tcapa_raw[AU_CAPA_MAX];
	struct p3_capa tcapa;
	/* more */
	char greet2[AU_GREET_MAX];    /* a second greeting (APOP replay) */
	bool same_addr;               /* local address == server address */
	int cleartext_auth;           /* from P3-TLS-03: -1 unknown, 0 refused,
				       * 1 plaintext accepted, 2 challenge only */
	char login_capa[AU_CAPA_MAX]; /* CAPA after login (CRED) */
	_Atomic uint64_t idle_pre_ms; /* P3-DOS-01 before login */
	atomic_int idle_pre_state;    /* 0 running, 1 closed, 2 not closed
				       * within the cap, -1 not measured */
	struct au_tlspath path[AU_NPATHS];
};

/* One idle-timeout measurement (dosprobe.c). */
struct au_idle {
	uint64_t ms;    /* time until closed, or waited */
	int state;      /* 1 closed, 2 not closed within the cap, -1 error */
	char last[256]; /* last line before the close */
};

struct au_ctx {
	struct au_run *run;
	const struct au_opts *o;
	pthread_mutex_t mu;
	struct sockaddr_storage addr;
	socklen_t addrlen;
	unsigned conns, logins;
	unsigned login_reserve; /* kept back for the DOS-01 post-login wait */
	uint64_t next_connect_ms;
	atomic_bool abort;
	struct au_facts f;
	char errs[AU_ERRS_MAX][160];
	int nerrs;
	char tok[16];          /* random token for p3audit-<tok> names */
	struct buf plog, tlog; /* discovery transcripts */
	struct buf pathlog[AU_NPATHS]; /* TLS path probes */
	struct au_tlscfg tlsdef;       /* ordinary sessions: no verification */
	uint64_t t_start;              /* monotonic start of the run */
	bool loopback;                 /* the target is 127/8 or ::1 */
	const char *src_override; /* sequential phase only: source address */
	pthread_t idle_thread, drip_thread;
	bool idle_running, drip_running;
	struct au_idle idle_post_res;
	atomic_bool idle_done;
};

/* ---- policy.c: safety gates ------------------------------------------- */

/* Reserve a connection (cap, rate; sleeps to honour 20/s). 0 or -1 if a cap
 * is reached or the run is aborted. */
int au_gate_connect(struct au_ctx *x);
/* Reserve n login attempts (bogus or real). 0 or -1 at the cap. */
int au_gate_login(struct au_ctx *x, unsigned n);
/* Abort the run with a reason (first reason wins). */
void au_abort(struct au_ctx *x, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* New connection + greeting; true if the service answers. Retries once. */
bool au_alive(struct au_ctx *x, struct buf *log);

/* ---- result.c: helpers ------------------------------------------------- */

/* Set the status of check i with a printf summary. */
void au_set(struct au_ctx *x, enum au_id i, enum au_status st, enum au_sev sev,
    const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Append a line of evidence to check i. */
void au_ev(struct au_ctx *x, enum au_id i, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* Append a buffer (a transcript) to the evidence of check i. */
void au_ev_buf(struct au_ctx *x, enum au_id i, const struct buf *b);
/* Best-effort printf into a transcript buffer (a full buffer drops it). */
void au_logf(struct buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* The evidence buffer of check i (as a transcript sink). */
struct buf *au_evbuf(struct au_ctx *x, enum au_id i);
/* True if check i is selected by the options (runner pre-sets the rest to
 * SKIPPED). */
bool au_want(struct au_ctx *x, enum au_id i);
/* Set i to INCONCLUSIVE if the run was aborted; true if so. */
bool au_aborted(struct au_ctx *x, enum au_id i);
/* Remember an -ERR text or greeting for P3-INFO-05 (thread-safe). */
void au_err_seen(struct au_ctx *x, const char *line);
/* Status line helpers: +OK, -ERR, "+ " continuation. */
bool au_ok(const char *line);
bool au_err(const char *line);
bool au_cont(const char *line);
/* Case-insensitive substring search. */
bool au_has(const char *hay, const char *needle);
/* Read a status line; -ERR texts go to the INFO-05 collector. As au_line. */
int au_reply(
    struct au_ctx *x, struct au_conn *c, char *out, size_t cap, int timeout_ms);
/* Connect and read the greeting into greet (NULL: discard). Implicit TLS
 * when tls. 0, -1 on failure (c is closed). */
int au_open(struct au_ctx *x, struct au_conn *c, bool tls, struct buf *log,
    char *greet, size_t gcap);
/* Open a session where plaintext authentication is likely allowed: implicit
 * TLS, else STLS, else cleartext. *how_r names it. 0 or -1. */
int au_open_secure(
    struct au_ctx *x, struct au_conn *c, struct buf *log, const char **how_r);
/* CAPA: fill raw (space-joined tags) and caps; 0 if +OK, -1 otherwise. */
int au_capa(struct au_ctx *x, struct au_conn *c, char *raw, size_t rawcap,
    struct p3_capa *caps);
/* Log in with the operator's credentials (USER/PASS) on c. 0 ok, 1 refused
 * (reply in out), -1 error. Counts one login attempt. */
int au_login(struct au_ctx *x, struct au_conn *c, char *out, size_t cap);
/* Open a secure session and log in (one retry after -ERR [IN-USE]). 0
 * logged in (c open), 1 refused, -1 error (c closed unless 0). */
int au_login_session(
    struct au_ctx *x, struct au_conn *c, struct buf *log, char *r, size_t cap);
/* Sleep for ms milliseconds. */
void au_sleep_ms(uint64_t ms);
/* A bogus name "p3audit-<tok><suffix>" into out. */
void au_bogus(struct au_ctx *x, const char *suffix, char *out, size_t cap);
/* True for an IPv4/IPv6 address literal. */
bool au_is_ip_literal(const char *h);
/* The TLS configuration for ordinary sessions (no verification, SNI for a
 * host name). */
const struct au_tlscfg *au_tls_default(struct au_ctx *x);
/* True if the endpoint of that kind is configured. */
bool au_has_plain(struct au_ctx *x);
bool au_has_tls(struct au_ctx *x);

/* ---- probes ------------------------------------------------------------ */

void au_disc_plain(struct au_ctx *x);   /* disc.c: cleartext + STLS */
void au_disc_tls(struct au_ctx *x);     /* disc.c: implicit TLS */
void au_judge_disc(struct au_ctx *x);   /* disc.c: TLS-01/02/06, INFO-01..03,
					 * AUTH-01/02 from the facts */
void au_judge_banner(struct au_ctx *x); /* banner.c: INFO-01..03, AUTH-01 */
void au_probe_tls03(struct au_ctx *x);  /* stls.c */
void au_probe_tls04(struct au_ctx *x);
void au_probe_tls05(struct au_ctx *x);
void au_probe_tls07(struct au_ctx *x);
void au_probe_tlspath(struct au_ctx *x, enum au_path p); /* tlsprobe.c */
void au_judge_tls(struct au_ctx *x); /* tlsjudge.c: TLS-08..12 */
/* cert.c: judge the peer certificate of ssl for path tp (P3-TLS-10). */
void au_cert_judge(
    struct au_ctx *x, struct au_tlspath *tp, SSL *ssl, struct buf *log);
void au_probe_auth03(struct au_ctx *x); /* authprobe.c */
void au_probe_auth04(struct au_ctx *x);
void au_probe_auth05(struct au_ctx *x);
void au_probe_auth09(struct au_ctx *x);
void au_probe_auth10(struct au_ctx *x);
void au_probe_info04(struct au_ctx *x); /* infoprobe.c */
void au_probe_info06(struct au_ctx *x);
void au_judge_info05(struct au_ctx *x);
void au_probe_proto01(struct au_ctx *x); /* protoprobe.c */
void au_probe_proto02(struct au_ctx *x);
void au_probe_proto03(struct au_ctx *x);
void au_probe_proto04(struct au_ctx *x);
void au_probe_proto05(struct au_ctx *x); /* protoprobe.c (CRED) */
void au_probe_proto06(struct au_ctx *x);
/* dosprobe.c: start P3-DOS-01 (and P3-DOS-02) in the background; join. */
void au_idle_start(struct au_ctx *x);
void au_idle_join(struct au_ctx *x);
void au_probe_dos02(struct au_ctx *x); /* flood.c */
void au_probe_dos03(struct au_ctx *x); /* flood.c */
void au_probe_dos04(struct au_ctx *x);
void au_probe_dos05(struct au_ctx *x);
void au_probe_auth06(struct au_ctx *x); /* brute.c */
void au_probe_auth07(struct au_ctx *x);
void au_probe_auth08(struct au_ctx *x);

#endif
