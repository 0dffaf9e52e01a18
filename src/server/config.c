/* config.c: one table of settings shared by the config file and the flags. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lib/num.h"
#include "lib/util.h"
#include "net/listen.h"
#include "server/config.h"

enum kind { K_BOOL, K_STR, K_LIST, K_SECS, K_UINT, K_DELAY, K_EXPIRE, K_LEVEL };

struct key {
	const char *name;
	enum kind kind;
	size_t off;     /* offset in struct srv_conf */
	size_t cnt_off; /* K_LIST: offset of the count */
	uint64_t min, max;
	const char *help;
};

#define OFF(f) offsetof(struct srv_conf, f)

static const struct key keys[] = {
    {"listen", K_LIST, OFF(listen), OFF(nlisten), 0, 0,
	"ADDR:PORT plain listener with STLS (repeatable)"},
    {"listen-tls", K_LIST, OFF(listen_tls), OFF(nlisten_tls), 0, 0,
	"ADDR:PORT implicit-TLS listener (repeatable)"},
    {"cert", K_STR, OFF(cert), 0, 0, 0, "FILE TLS certificate chain (PEM)"},
    {"key", K_STR, OFF(key), 0, 0, 0, "FILE TLS private key (PEM)"},
    {"users", K_STR, OFF(users), 0, 0, 0, "FILE users file"},
    {"maildir", K_STR, OFF(maildir), 0, 0, 0,
	"TEMPLATE mailbox path (%u user, %n local part, %d domain, %h home)"},
    {"mail-user", K_STR, OFF(mail_user), 0, 0, 0,
	"NAME user that reads mail, when started as root (default: the "
	"owner of the mail store)"},
    {"auth-user", K_STR, OFF(auth_user), 0, 0, 0,
	"NAME user of the credential process (postie, else nobody)"},
    {"login-user", K_STR, OFF(login_user), 0, 0, 0,
	"NAME user of the pre-login process (postie-login, else nobody)"},
    {"login-chroot", K_STR, OFF(login_chroot), 0, 0, 0,
	"DIR empty directory the pre-login process is chrooted to "
	"(/run/postie/empty, created)"},
    {"allow-plaintext-auth", K_BOOL, OFF(allow_plaintext_auth), 0, 0, 0,
	"allow passwords without TLS (off)"},
    {"apop", K_BOOL, OFF(apop), 0, 0, 0, "enable APOP (off; insecure)"},
    {"cram-md5", K_BOOL, OFF(cram_md5), 0, 0, 0,
	"enable AUTH CRAM-MD5 (off; insecure; needs apop-secrets)"},
    {"apop-secrets", K_STR, OFF(apop_secrets), 0, 0, 0,
	"FILE user:secret lines for APOP and CRAM-MD5 (mode 0600)"},
    {"enable-last", K_BOOL, OFF(enable_last), 0, 0, 0,
	"enable the obsolete LAST command (off)"},
    {"outlook-no-nuls", K_BOOL, OFF(outlook_no_nuls), 0, 0, 0,
	"drop NUL bytes from messages (off)"},
    {"mark-seen", K_BOOL, OFF(mark_seen), 0, 0, 0,
	"move retrieved mail to cur/ with the S flag (on)"},
    {"login-delay", K_DELAY, OFF(login_delay), 0, 0, 86400,
	"SECS minimum time between logins, advertised (unset)"},
    {"expire", K_EXPIRE, OFF(expire), 0, 0, 36500,
	"DAYS|never advertised EXPIRE (unset)"},
    {"prelogin-timeout", K_SECS, OFF(prelogin_timeout), 0, 1, 3600,
	"SECS idle time allowed before login (60)"},
    {"idle-timeout", K_SECS, OFF(idle_timeout), 0, 600, 86400,
	"SECS idle time allowed after login (600, RFC 1939 minimum)"},
    {"slowdrip-timeout", K_SECS, OFF(slowdrip_timeout), 0, 1, 3600,
	"SECS time allowed to finish one command line (30)"},
    {"max-bad-commands", K_UINT, OFF(max_bad_commands), 0, 1, 1000,
	"N bad commands before disconnect (10)"},
    {"max-connections", K_UINT, OFF(max_connections), 0, 1, 1000000,
	"N total connections (10000)"},
    {"max-connections-per-source", K_UINT, OFF(max_conns_per_source), 0, 1,
	1000000, "N connections per client address not yet logged in (50)"},
    {"auth-fail-delay", K_UINT, OFF(auth_fail_delay_ms), 0, 0, 60000,
	"MS delay before a failed-login reply (1000)"},
    {"penalty-base", K_UINT, OFF(penalty_base_ms), 0, 0, 600000,
	"MS first delay after failed logins from a source (1000)"},
    {"penalty-max", K_UINT, OFF(penalty_max_ms), 0, 0, 3600000,
	"MS cap of the doubling brute-force delay (30000)"},
    {"penalty-window", K_SECS, OFF(penalty_window), 0, 1, 86400 * 7,
	"SECS how long failed logins are remembered (15m)"},
    {"known-source-days", K_UINT, OFF(known_source_days), 0, 0, 3650,
	"DAYS a source that logged in stays exempt from account delays "
	"(30)"},
    {"max-auth-per-source", K_UINT, OFF(max_auth_per_source), 0, 1, 10000,
	"N parallel logins per source (4)"},
    {"lockout-after", K_UINT, OFF(lockout_after), 0, 0, 1000,
	"N lock an account after N failed logins until `postie user "
	"unlock` (0: off; anyone could then lock users out)"},
    {"lockout-file", K_STR, OFF(lockout_file), 0, 0, 0,
	"FILE hard-lockout state (default: USERS.lockout)"},
    {"log-level", K_LEVEL, OFF(log_level), 0, 0, 0,
	"error|warn|info|debug (info)"},
    {"syslog", K_BOOL, OFF(syslog), 0, 0, 0, "log to syslog (off: stderr)"},
    {"check-config", K_BOOL, OFF(check_config), 0, 0, 0,
	"validate the configuration, explain it, and exit"},
};

#define NKEYS (sizeof(keys) / sizeof(keys[0]))

void
conf_defaults(struct srv_conf *c)
{
	memset(c, 0, sizeof(*c));
	c->mark_seen = true;
	c->login_delay = -1;
	c->expire = -1;
	c->prelogin_timeout = SRV_PRELOGIN_IDLE_S;
	c->idle_timeout = SRV_POSTLOGIN_IDLE_S;
	c->slowdrip_timeout = SRV_SLOWDRIP_S;
	c->max_bad_commands = SRV_BAD_CMDS_MAX;
	c->max_connections = SRV_MAX_CONNS;
	c->max_conns_per_source = SRV_MAX_CONNS_PER_SRC;
	c->auth_fail_delay_ms = 1000;
	c->penalty_base_ms = 1000;
	c->penalty_max_ms = 30000;
	c->penalty_window = 900;
	c->known_source_days = 30;
	c->max_auth_per_source = SRV_MAX_AUTH_PER_SRC;
	c->log_level = LOG_LVL_INFO;
}

static const struct key *
key_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if (strlen(keys[i].name) == len &&
		    memcmp(keys[i].name, name, len) == 0)
			return &keys[i];
	return NULL;
}

static int
parse_bool(const char *v, bool *b)
{
	if (v == NULL || strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 ||
	    strcmp(v, "on") == 0 || strcmp(v, "1") == 0)
		*b = true;
	else if (strcmp(v, "no") == 0 || strcmp(v, "false") == 0 ||
		 strcmp(v, "off") == 0 || strcmp(v, "0") == 0)
		*b = false;
	else
		return -1;
	return 0;
}

/* Set key k from text v. Returns NULL or a static reason. */
static const char *
key_set(struct srv_conf *c, const struct key *k, const char *v)
{
	char *base = (char *)c;
	uint64_t n;
	char *dup;

	switch (k->kind) {
	case K_BOOL:
		return parse_bool(v, (bool *)(base + k->off)) < 0
			   ? "expected yes or no"
			   : NULL;
	case K_STR:
		if (v == NULL || *v == '\0')
			return "expected a value";
		if ((dup = strdup(v)) == NULL)
			return "out of memory";
		free(*(char **)(base + k->off));
		*(char **)(base + k->off) = dup;
		return NULL;
	case K_LIST: {
		int *cnt = (int *)(base + k->cnt_off);
		char **arr = (char **)(base + k->off);

		struct sockaddr_storage ss;
		socklen_t sl;

		if (v == NULL || *v == '\0' || net_parse_addr(v, &ss, &sl) < 0)
			return "expected ADDR:PORT (IPv4, [IPv6] or *; port "
			       "1-65535)";
		if (*cnt >= CONF_LISTEN_MAX)
			return "too many listeners";
		if ((arr[*cnt] = strdup(v)) == NULL)
			return "out of memory";
		(*cnt)++;
		return NULL;
	}
	case K_SECS:
		if (v == NULL || num_parse_duration(v, &n) < 0 || n < k->min ||
		    n > k->max)
			return "expected a duration in range (e.g. 30, 10m)";
		*(uint64_t *)(base + k->off) = n;
		return NULL;
	case K_UINT:
		if (v == NULL || num_parse_str(v, k->min, k->max, &n) < 0)
			return "expected a whole number in range";
		*(uint64_t *)(base + k->off) = n;
		return NULL;
	case K_DELAY:
		if (v == NULL || num_parse_duration(v, &n) < 0 || n > k->max)
			return "expected seconds (0-86400)";
		*(int64_t *)(base + k->off) = (int64_t)n;
		return NULL;
	case K_EXPIRE:
		if (v != NULL && strcmp(v, "never") == 0) {
			*(int64_t *)(base + k->off) = -2;
			return NULL;
		}
		if (v == NULL || num_parse_str(v, 0, k->max, &n) < 0)
			return "expected days (0-36500) or never";
		*(int64_t *)(base + k->off) = (int64_t)n;
		return NULL;
	case K_LEVEL: {
		static const char *lv[] = {"error", "warn", "info", "debug"};
		int i;

		for (i = 0; i < 4 && v != NULL; i++)
			if (strcmp(v, lv[i]) == 0) {
				c->log_level = (enum log_level)i;
				return NULL;
			}
		return "expected error, warn, info or debug";
	}
	}
	return "unknown kind";
}

/* Strip blanks at both ends in place; returns the start. */
static char *
trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r' ||
			    e[-1] == '\n'))
		*--e = '\0';
	return s;
}

int
conf_load_file(struct srv_conf *c, const char *path, char *err, size_t errlen)
{
	FILE *f;
	int rc;

	if ((f = fopen(path, "re")) == NULL) {
		(void)str_fmt(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	rc = conf_load_stream(c, f, path, err, errlen);
	fclose(f);
	return rc;
}

int
conf_load_stream(struct srv_conf *c, void *stream, const char *path, char *err,
    size_t errlen)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	unsigned lineno = 0;
	FILE *f = stream;
	int rc = 0;

	while ((n = getline(&line, &cap, f)) >= 0) {
		char *s, *eq, *name, *val;
		const struct key *k;
		const char *why;

		lineno++;
		if ((size_t)n > CONF_LINE_MAX) {
			(void)str_fmt(
			    err, errlen, "%s:%u: line too long", path, lineno);
			rc = -1;
			break;
		}
		if (memchr(line, '\0', (size_t)n) != NULL) {
			(void)str_fmt(
			    err, errlen, "%s:%u: NUL byte", path, lineno);
			rc = -1;
			break;
		}
		s = trim(line);
		if (*s == '\0' || *s == '#')
			continue;
		if ((eq = strchr(s, '=')) == NULL) {
			(void)str_fmt(err, errlen,
			    "%s:%u: expected 'key = value'", path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		name = trim(s);
		val = trim(eq + 1);
		if ((k = key_find(name, strlen(name))) == NULL ||
		    strcmp(name, "check-config") == 0) {
			(void)str_fmt(err, errlen, "%s:%u: %.64s: unknown key",
			    path, lineno, name);
			rc = -1;
			break;
		}
		if ((why = key_set(c, k, val)) != NULL) {
			(void)str_fmt(err, errlen, "%s:%u: %s: %s", path,
			    lineno, name, why);
			rc = -1;
			break;
		}
	}
	free(line);
	return rc;
}

int
conf_parse_args(
    struct srv_conf *c, int argc, char **argv, char *err, size_t errlen)
{
	int i;

	/* The config file comes first so that flags override it. */
	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--config") == 0) {
			if (i + 1 >= argc) {
				(void)str_fmt(
				    err, errlen, "--config: expected FILE");
				return -1;
			}
			if (conf_load_file(c, argv[i + 1], err, errlen) < 0)
				return -1;
			i++;
		}
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL, *why;
		const struct key *k;
		bool neg = false;

		if (strcmp(a, "--config") == 0) {
			i++;
			continue;
		}
		if (strncmp(a, "--", 2) != 0) {
			(void)str_fmt(
			    err, errlen, "%.64s: unexpected argument", a);
			return -1;
		}
		a += 2;
		if ((k = key_find(a, strlen(a))) == NULL &&
		    strncmp(a, "no-", 3) == 0 &&
		    (k = key_find(a + 3, strlen(a + 3))) != NULL &&
		    k->kind == K_BOOL)
			neg = true;
		else if (k == NULL) {
			(void)str_fmt(
			    err, errlen, "--%.64s: unknown option", a);
			return -1;
		}
		if (k->kind == K_BOOL)
			v = neg ? "no" : "yes";
		else if (i + 1 < argc)
			v = argv[++i];
		if ((why = key_set(c, k, v)) != NULL) {
			(void)str_fmt(err, errlen, "--%s: %s", k->name, why);
			return -1;
		}
	}
	return 0;
}

int
conf_validate(const struct srv_conf *c, char *err, size_t errlen)
{
	const char *why = NULL;

	if (c->nlisten + c->nlisten_tls == 0)
		why = "listen: no listener configured (listen or listen-tls)";
	else if ((c->cert == NULL) != (c->key == NULL))
		why = "cert: cert and key must be given together";
	else if (c->nlisten_tls > 0 && c->cert == NULL)
		why = "listen-tls: needs cert and key";
	else if (c->users == NULL)
		why = "users: no users file configured";
	else if (c->maildir == NULL)
		why = "maildir: no mailbox template configured";
	else if (strstr(c->maildir, "%u") == NULL &&
		 strstr(c->maildir, "%n") == NULL &&
		 strstr(c->maildir, "%h") == NULL)
		why = "maildir: template must contain %u, %n or %h";
	else if (c->cram_md5 && c->apop_secrets == NULL)
		why = "cram-md5: needs apop-secrets (a file of user:secret "
		      "lines)";
	if (why == NULL)
		return 0;
	(void)str_copy(err, why, errlen);
	return -1;
}

int
conf_absolute(struct srv_conf *c, char *err, size_t errlen)
{
	char cwd[STORE_PATH_MAX], *abs;
	size_t len;

	if (c->maildir == NULL || c->maildir[0] == '/' || c->maildir[0] == '%')
		return 0;
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		(void)str_fmt(err, errlen, "maildir: %s: %s", c->maildir,
		    strerror(errno));
		return -1;
	}
	len = strlen(cwd) + strlen(c->maildir) + 2;
	if ((abs = malloc(len)) == NULL ||
	    str_fmt(abs, len, "%s/%s", cwd, c->maildir) < 0) {
		free(abs);
		(void)str_copy(err, "maildir: out of memory", errlen);
		return -1;
	}
	free(c->maildir);
	c->maildir = abs;
	return 0;
}

void
conf_explain(const struct srv_conf *c, void *file)
{
	FILE *f = file;
	int i;

	for (i = 0; i < c->nlisten; i++)
		fprintf(f, "listen %s: POP3 with STLS%s\n", c->listen[i],
		    c->cert ? "" : " (STLS unavailable: no cert)");
	for (i = 0; i < c->nlisten_tls; i++)
		fprintf(f, "listen-tls %s: POP3 over implicit TLS\n",
		    c->listen_tls[i]);
	fprintf(f, "users: %s\nmaildir: %s\n", c->users, c->maildir);
	fprintf(f, "plaintext auth without TLS: %s\n",
	    c->allow_plaintext_auth ? "ALLOWED (insecure)" : "refused");
	fprintf(f, "APOP: %s; CRAM-MD5: %s; LAST: %s\n", c->apop ? "on" : "off",
	    c->cram_md5 ? "on (insecure)" : "off",
	    c->enable_last ? "on" : "off");
	fprintf(f, "timeouts: pre-login %llus, after login %llus, line %llus\n",
	    (unsigned long long)c->prelogin_timeout,
	    (unsigned long long)c->idle_timeout,
	    (unsigned long long)c->slowdrip_timeout);
	fprintf(f,
	    "limits: %llu connections, %llu per source, %llu bad "
	    "commands\n",
	    (unsigned long long)c->max_connections,
	    (unsigned long long)c->max_conns_per_source,
	    (unsigned long long)c->max_bad_commands);
}

void
conf_usage(void *file)
{
	FILE *f = file;
	size_t i;

	fputs("usage: postie serve [--config FILE] [--KEY VALUE ...]\n"
	      "Every key may also be set as 'key = value' in the config "
	      "file;\nflags override the file. Boolean keys take no value "
	      "as flags\n(--no-KEY turns one off).\n\n",
	    f);
	for (i = 0; i < NKEYS; i++)
		fprintf(f, "  --%-28s %s\n", keys[i].name, keys[i].help);
}

void
conf_free(struct srv_conf *c)
{
	int i;

	for (i = 0; i < c->nlisten; i++)
		free(c->listen[i]);
	for (i = 0; i < c->nlisten_tls; i++)
		free(c->listen_tls[i]);
	free(c->cert);
	free(c->key);
	free(c->users);
	free(c->maildir);
	free(c->mail_user);
	free(c->apop_secrets);
	free(c->lockout_file);
	free(c->auth_user);
	free(c->login_user);
	free(c->login_chroot);
	memset(c, 0, sizeof(*c));
}
