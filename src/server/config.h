/* config.h: postie serve settings, from a config file and/or flags.
 * Every setting is a key; "--key value" on the command line and
 * "key = value" in the file name the same thing. */
#ifndef POSTIE_SERVER_CONFIG_H
#define POSTIE_SERVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/limits.h"
#include "lib/log.h"

struct srv_conf {
	char *listen[CONF_LISTEN_MAX]; /* plain (STLS) listeners */
	int nlisten;
	char *listen_tls[CONF_LISTEN_MAX]; /* implicit-TLS listeners */
	int nlisten_tls;
	char *cert, *key;          /* PEM files; NULL: no TLS */
	char *users;               /* users file */
	char *maildir;             /* mailbox path template */
	char *mail_user;           /* run the server as (root start) */
	char *auth_user;           /* run the credential process as */
	char *login_user;          /* run the pre-login process as */
	char *login_chroot;        /* its empty root directory */
	bool allow_plaintext_auth; /* USER/PASS, PLAIN, LOGIN w/o TLS */
	bool apop;                 /* APOP (off: MD5, plain secrets) */
	bool cram_md5;             /* AUTH CRAM-MD5 (off, same reasons) */
	char *apop_secrets;        /* "user:secret" file: APOP, CRAM-MD5 */
	bool enable_last;          /* obsolete LAST command */
	bool outlook_no_nuls;      /* drop NUL bytes from messages */
	bool mark_seen;            /* retrieved new/ mail -> cur/ :2,S */
	int64_t login_delay;       /* seconds; -1: not configured */
	int64_t expire;            /* days; -1: none, -2: NEVER */
	uint64_t prelogin_timeout; /* seconds */
	uint64_t idle_timeout;     /* seconds after login (>= 600) */
	uint64_t slowdrip_timeout; /* seconds to finish a line */
	uint64_t max_bad_commands;
	uint64_t max_connections;
	uint64_t max_conns_per_source;
	uint64_t auth_fail_delay_ms; /* fixed delay before -ERR [AUTH] */
	uint64_t penalty_base_ms;    /* first brute-force delay */
	uint64_t penalty_max_ms;     /* cap of the exponential delay */
	uint64_t penalty_window;     /* seconds failures are remembered */
	uint64_t known_source_days;  /* a successful source stays known */
	uint64_t max_auth_per_source;
	uint64_t lockout_after; /* hard lockout; 0 = off */
	char *lockout_file;
	/* its state file */ /* parallel logins per source */
	enum log_level log_level;
	bool syslog;
	bool check_config; /* --check-config: validate, exit */
};

/* Fill c with the defaults. */
void conf_defaults(struct srv_conf *c);
/* Apply argv (after "serve"): flags, and --config FILE (read first, so flags
 * override it). On error writes "where: key: reason" into err and returns -1.
 */
int conf_parse_args(
    struct srv_conf *c, int argc, char **argv, char *err, size_t errlen);
/* Apply one config file; errors name FILE:LINE and the key. 0 or -1. */
int conf_load_file(
    struct srv_conf *c, const char *path, char *err, size_t errlen);
/* As conf_load_file for an open stdio stream (FILE *); path names it in
 * errors. Used by the fuzz target with fmemopen. */
int conf_load_stream(struct srv_conf *c, void *stream, const char *path,
    char *err, size_t errlen);
/* Cross-field checks (cert without key, no listener, timeouts); 0 or -1. */
int conf_validate(const struct srv_conf *c, char *err, size_t errlen);
/* Make a relative mailbox template absolute (from the working directory):
 * the pre-login process that carries the path is chrooted. 0 or -1. */
int conf_absolute(struct srv_conf *c, char *err, size_t errlen);
/* Write a human explanation of the effective settings to f (for
 * --check-config). */
void conf_explain(const struct srv_conf *c, void *file);
/* Print the option list for --help. */
void conf_usage(void *file);
/* Free the strings. */
void conf_free(struct srv_conf *c);

#endif
