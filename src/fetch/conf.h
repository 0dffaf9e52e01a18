/* conf.h: accounts for postie fetch: the config file and the one-off URL.
 * The file holds "key = value" lines, '#' comments, an optional [defaults]
 * section and any number of [account NAME] sections (docs/fetch.md). */
#ifndef POSTIE_FETCH_CONF_H
#define POSTIE_FETCH_CONF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/limits.h"

enum fa_tls {
	FA_TLS_IMPLICIT, /* pop3s: TLS from the first byte (port 995) */
	FA_TLS_STLS,     /* pop3: STLS required before any password */
	FA_TLS_PLAINTEXT /* explicit, loudly warned cleartext */
};

enum fa_pwsrc { FA_PW_NONE, FA_PW_FILE, FA_PW_COMMAND, FA_PW_PROMPT };
enum fa_dest {
	FA_DEST_MAILDIR,
	FA_DEST_MBOX,
	FA_DEST_MDA,
	FA_DEST_LMTP, /* dest_path: HOST:PORT or a unix socket path */
	FA_DEST_SMTP  /* dest_path: HOST:PORT */
};
enum fa_policy { FA_KEEP, FA_DELETE, FA_DELETE_AFTER };
enum fa_oversize { FA_OVER_SKIP, FA_OVER_HEADERS };

/* SASL/login mechanisms, in the order tried unless `auth` says otherwise. */
enum fa_mech {
	FA_MECH_SCRAM_SHA256 = 1,
	FA_MECH_PLAIN,
	FA_MECH_LOGIN,
	FA_MECH_USER,
	FA_MECH_APOP
};
#define FA_MECHS_MAX 5

struct fa_account {
	char name[FETCH_NAME_MAX];
	char host[FETCH_HOST_MAX + 1];
	uint16_t port; /* 0: 995 or 110 by TLS mode */
	char user[P3_USER_MAX + 1];
	enum fa_tls tls;
	enum fa_pwsrc pwsrc;
	char pwarg[FETCH_PATH_MAX]; /* password file or command */
	int nmech;
	enum fa_mech mech[FA_MECHS_MAX]; /* preference; APOP only if listed */
	enum fa_dest dest;
	char dest_path[FETCH_PATH_MAX]; /* Maildir, mbox file or command */
	char rcpt[FETCH_SMTP_ADDR_MAX]; /* LMTP/SMTP envelope recipient */
	enum fa_policy policy;
	uint64_t delete_after_s; /* FA_DELETE_AFTER age */
	uint64_t size_limit;     /* 0: none */
	enum fa_oversize oversize;
	char ca_file[FETCH_PATH_MAX]; /* "" : system store */
	char pin[FETCH_NAME_MAX * 2]; /* hex SHA-256 of the leaf cert */
	char source_ip[64];
	uint32_t window;            /* PIPELINING window */
	uint64_t timeout_s;         /* connect and each read/write */
	uint64_t session_timeout_s; /* whole session */
	uint64_t interval_s;        /* daemon mode */
	uint32_t mass_new_pct;      /* pause when more unseen than this */
	uint32_t mass_new_min;      /* ... and at least this many */
	uint64_t max_msg;           /* refuse larger messages */
	bool enabled;
};

/* Fill a with the built-in defaults (keep, Maildir, STLS, window 32...). */
void fa_defaults(struct fa_account *a);
/* Apply one "key = value" setting to a. 0, or -1 with a reason in
 * why[0..whycap). Paths starting with "~/" are expanded with $HOME. */
int fa_set(struct fa_account *a, const char *key, const char *value, char *why,
    size_t whycap) __attribute__((warn_unused_result));
/* Parse a one-off URL pop3s://user@host[:port] or pop3://... into a (user
 * may be %-encoded, IPv6 hosts in brackets). 0, or -1 with why set. */
int fa_parse_url(struct fa_account *a, const char *url, char *why,
    size_t whycap) __attribute__((warn_unused_result));
/* Split "HOST:PORT" or "[IPV6]:PORT" into host[0..cap) and a port 1..65535.
 * 0 or -1. */
int fa_parse_hostport(const char *s, char *host, size_t cap, uint16_t *port_r)
    __attribute__((warn_unused_result));
/* Check a finished account (host, user, destination set...); fills in the
 * default port. 0, or -1 with why set. */
int fa_check(struct fa_account *a, char *why, size_t whycap)
    __attribute__((warn_unused_result));
/* Parse config text text[0..len) (fuzz target). On success *acc_r is a
 * malloc'd array of *n_r checked accounts; on failure -1 and why holds
 * "LINE: reason". file names the source in messages. */
int fa_parse(const char *file, const char *text, size_t len,
    struct fa_account **acc_r, size_t *n_r, char *why, size_t whycap)
    __attribute__((warn_unused_result));
/* Read and parse a config file (at most 1 MiB). As fa_parse. */
int fa_load(const char *path, struct fa_account **acc_r, size_t *n_r, char *why,
    size_t whycap) __attribute__((warn_unused_result));
/* Name of a mechanism ("SCRAM-SHA-256", "PLAIN", ..., "USER", "APOP"). */
const char *fa_mech_name(enum fa_mech m);

#endif
