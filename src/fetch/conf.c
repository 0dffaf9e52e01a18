/* conf.c: account settings, the config file parser and the one-off URL.
 * Every value is checked here so that a bad file fails with a line number
 * before anything connects; no option silently overrides another. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "fetch/conf.h"
#include "fetch/deliver.h"
#include "lib/num.h"
#include "lib/util.h"

#define WHY(...)                                                               \
	do {                                                                   \
		if (str_fmt(why, whycap, __VA_ARGS__) < 0 && whycap > 0)       \
			why[whycap - 1] = '\0';                                \
	} while (0)

static const struct {
	const char *name;
	enum fa_mech mech;
} mechs[] = {
    {"SCRAM-SHA-256", FA_MECH_SCRAM_SHA256},
    {"PLAIN", FA_MECH_PLAIN},
    {"LOGIN", FA_MECH_LOGIN},
    {"USER", FA_MECH_USER},
    {"APOP", FA_MECH_APOP},
};

const char *
fa_mech_name(enum fa_mech m)
{
	size_t i;

	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
		if (mechs[i].mech == m)
			return mechs[i].name;
	return "?";
}

void
fa_defaults(struct fa_account *a)
{
	memset(a, 0, sizeof(*a));
	a->tls = FA_TLS_IMPLICIT;
	a->pwsrc = FA_PW_PROMPT;
	a->nmech = 4;
	a->mech[0] = FA_MECH_SCRAM_SHA256;
	a->mech[1] = FA_MECH_PLAIN;
	a->mech[2] = FA_MECH_LOGIN;
	a->mech[3] = FA_MECH_USER;
	a->dest = FA_DEST_MAILDIR;
	a->policy = FA_KEEP;
	a->oversize = FA_OVER_SKIP;
	a->window = FETCH_WINDOW_DEFAULT;
	a->timeout_s = 60;
	a->session_timeout_s = 3600;
	a->interval_s = 300;
	a->mass_new_pct = 50;
	a->mass_new_min = 10;
	a->max_msg = 1ULL << 30;
	a->enabled = true;
}

/* Copy a path, expanding "~/" with $HOME and making relative paths
 * absolute against the current directory. */
static int
set_path(char *dst, size_t cap, const char *v, char *why, size_t whycap)
{
	const char *home = getenv("HOME");
	char cwd[FETCH_PATH_MAX];

	if (v[0] == '\0') {
		WHY("empty path");
		return -1;
	}
	if (strncmp(v, "~/", 2) == 0) {
		if (home == NULL || home[0] != '/' ||
		    str_fmt(dst, cap, "%s/%s", home, v + 2) < 0) {
			WHY("cannot expand ~ (HOME unset or path too long)");
			return -1;
		}
		return 0;
	}
	if (v[0] == '/') {
		if (str_copy(dst, v, cap) < 0) {
			WHY("path too long");
			return -1;
		}
		return 0;
	}
	if (getcwd(cwd, sizeof(cwd)) == NULL ||
	    str_fmt(dst, cap, "%s/%s", cwd, v) < 0) {
		WHY("cannot make the path absolute");
		return -1;
	}
	return 0;
}

static int
set_str(char *dst, size_t cap, const char *v, char *why, size_t whycap)
{
	if (v[0] == '\0' || str_copy(dst, v, cap) < 0) {
		WHY(v[0] == '\0' ? "empty value" : "value too long");
		return -1;
	}
	return 0;
}

/* lmtp = HOST:PORT or a unix socket path (LMTP only); smtp = HOST:PORT. */
static int
set_mta(
    struct fa_account *a, bool lmtp, const char *v, char *why, size_t whycap)
{
	char host[FETCH_HOST_MAX + 1];
	uint16_t port;

	a->dest = lmtp ? FA_DEST_LMTP : FA_DEST_SMTP;
	if (lmtp && (v[0] == '/' || strncmp(v, "~/", 2) == 0))
		return set_path(
		    a->dest_path, sizeof(a->dest_path), v, why, whycap);
	if (fa_parse_hostport(v, host, sizeof(host), &port) < 0) {
		WHY(lmtp ? "expected HOST:PORT or /path/to/socket"
			 : "expected HOST:PORT");
		return -1;
	}
	return set_str(a->dest_path, sizeof(a->dest_path), v, why, whycap);
}

static int
set_bool(bool *dst, const char *v, char *why, size_t whycap)
{
	if (strcmp(v, "yes") == 0 || strcmp(v, "on") == 0 ||
	    strcmp(v, "true") == 0)
		*dst = true;
	else if (strcmp(v, "no") == 0 || strcmp(v, "off") == 0 ||
		 strcmp(v, "false") == 0)
		*dst = false;
	else {
		WHY("expected yes or no");
		return -1;
	}
	return 0;
}

/* "123", "64k", "10M", "2G" (powers of 1024). */
static int
parse_size(const char *v, uint64_t *r)
{
	size_t len = strlen(v);
	uint64_t mult = 1;

	if (len > 0) {
		switch (v[len - 1]) {
		case 'k':
		case 'K':
			mult = 1024;
			len--;
			break;
		case 'm':
		case 'M':
			mult = 1024 * 1024;
			len--;
			break;
		case 'g':
		case 'G':
			mult = 1024ULL * 1024 * 1024;
			len--;
			break;
		default:
			break;
		}
	}
	if (num_parse_u64(v, len, 0, UINT64_MAX, r) < 0 ||
	    __builtin_mul_overflow(*r, mult, r))
		return -1;
	return 0;
}

/* Days by default ("30"), or a duration with s/m/h/d. */
static int
parse_age(const char *v, uint64_t *r)
{
	size_t len = strlen(v);

	if (len > 0 && v[len - 1] >= '0' && v[len - 1] <= '9')
		return num_parse_u64(v, len, 0, UINT64_MAX / 86400, r) < 0 ||
			       __builtin_mul_overflow(*r, 86400, r)
			   ? -1
			   : 0;
	return num_parse_duration(v, r);
}

static int
set_mechs(struct fa_account *a, const char *v, char *why, size_t whycap)
{
	const char *p = v;
	size_t i, len;
	int n = 0;

	while (*p != '\0') {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		len = strcspn(p, " ,\t");
		if (len == 0)
			break;
		for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++)
			if (str_case_eq(p, len, mechs[i].name))
				break;
		if (i == sizeof(mechs) / sizeof(mechs[0])) {
			WHY("unknown mechanism (SCRAM-SHA-256 PLAIN LOGIN "
			    "USER APOP)");
			return -1;
		}
		if (n == FA_MECHS_MAX) {
			WHY("too many mechanisms");
			return -1;
		}
		a->mech[n++] = mechs[i].mech;
		p += len;
	}
	if (n == 0) {
		WHY("no mechanism given");
		return -1;
	}
	a->nmech = n;
	return 0;
}

static int
set_u64(uint64_t *dst, const char *v, uint64_t min, uint64_t max, char *why,
    size_t whycap)
{
	if (num_parse_str(v, min, max, dst) < 0) {
		WHY("expected a number from %llu to %llu",
		    (unsigned long long)min, (unsigned long long)max);
		return -1;
	}
	return 0;
}

static int
set_u32(uint32_t *dst, const char *v, uint32_t min, uint32_t max, char *why,
    size_t whycap)
{
	uint64_t x;

	if (set_u64(&x, v, min, max, why, whycap) < 0)
		return -1;
	*dst = (uint32_t)x;
	return 0;
}

static int
set_secs(uint64_t *dst, const char *v, uint64_t min, char *why, size_t whycap)
{
	if (num_parse_duration(v, dst) < 0 || *dst < min ||
	    *dst > 365ULL * 86400) {
		WHY("expected a duration like 30s, 10m, 2h, 1d");
		return -1;
	}
	return 0;
}

static int
set_enum(
    const char *v, const char *const *names, int *r, char *why, size_t whycap)
{
	int i;

	for (i = 0; names[i] != NULL; i++)
		if (strcmp(v, names[i]) == 0) {
			*r = i;
			return 0;
		}
	WHY("unknown value");
	return -1;
}

int
fa_set(struct fa_account *a, const char *k, const char *v, char *why,
    size_t whycap)
{
	static const char *const tls_names[] = {
	    "implicit", "starttls", "plaintext", NULL};
	static const char *const pol_names[] = {
	    "keep", "delete", "delete-after", NULL};
	static const char *const over_names[] = {"skip", "headers", NULL};
	uint64_t x;
	int e;

	if (strcmp(k, "url") == 0)
		return fa_parse_url(a, v, why, whycap);
	if (strcmp(k, "host") == 0)
		return set_str(a->host, sizeof(a->host), v, why, whycap);
	if (strcmp(k, "port") == 0) {
		if (set_u64(&x, v, 1, 65535, why, whycap) < 0)
			return -1;
		a->port = (uint16_t)x;
		return 0;
	}
	if (strcmp(k, "user") == 0)
		return set_str(a->user, sizeof(a->user), v, why, whycap);
	if (strcmp(k, "tls") == 0) {
		if (set_enum(v, tls_names, &e, why, whycap) < 0)
			return -1;
		a->tls = (enum fa_tls)e;
		return 0;
	}
	if (strcmp(k, "password-file") == 0) {
		a->pwsrc = FA_PW_FILE;
		return set_path(a->pwarg, sizeof(a->pwarg), v, why, whycap);
	}
	if (strcmp(k, "password-command") == 0) {
		a->pwsrc = FA_PW_COMMAND;
		return set_str(a->pwarg, sizeof(a->pwarg), v, why, whycap);
	}
	if (strcmp(k, "password-prompt") == 0) {
		bool b;

		if (set_bool(&b, v, why, whycap) < 0)
			return -1;
		if (b)
			a->pwsrc = FA_PW_PROMPT;
		return 0;
	}
	if (strcmp(k, "auth") == 0)
		return set_mechs(a, v, why, whycap);
	if (strcmp(k, "maildir") == 0 || strcmp(k, "mbox") == 0) {
		a->dest =
		    k[0] == 'm' && k[1] == 'a' ? FA_DEST_MAILDIR : FA_DEST_MBOX;
		return set_path(
		    a->dest_path, sizeof(a->dest_path), v, why, whycap);
	}
	if (strcmp(k, "mda") == 0) {
		a->dest = FA_DEST_MDA;
		return set_str(
		    a->dest_path, sizeof(a->dest_path), v, why, whycap);
	}
	if (strcmp(k, "lmtp") == 0 || strcmp(k, "smtp") == 0)
		return set_mta(a, k[0] == 'l', v, why, whycap);
	if (strcmp(k, "rcpt") == 0) {
		if (!fd_addr_ok(v)) {
			WHY("expected an address like user@example.org");
			return -1;
		}
		return set_str(a->rcpt, sizeof(a->rcpt), v, why, whycap);
	}
	if (strcmp(k, "policy") == 0) {
		if (set_enum(v, pol_names, &e, why, whycap) < 0)
			return -1;
		a->policy = (enum fa_policy)e;
		return 0;
	}
	if (strcmp(k, "delete-after") == 0) {
		if (parse_age(v, &a->delete_after_s) < 0) {
			WHY("expected days (30) or a duration (12h, 30d)");
			return -1;
		}
		a->policy = FA_DELETE_AFTER;
		return 0;
	}
	if (strcmp(k, "size-limit") == 0 ||
	    strcmp(k, "max-message-size") == 0) {
		if (parse_size(v, &x) < 0 || x > FETCH_MSG_MAX) {
			WHY("expected a size like 500000, 512k, 10M");
			return -1;
		}
		if (k[0] == 's')
			a->size_limit = x;
		else
			a->max_msg = x;
		return 0;
	}
	if (strcmp(k, "oversize") == 0) {
		if (set_enum(v, over_names, &e, why, whycap) < 0)
			return -1;
		a->oversize = (enum fa_oversize)e;
		return 0;
	}
	if (strcmp(k, "ca") == 0)
		return set_path(a->ca_file, sizeof(a->ca_file), v, why, whycap);
	if (strcmp(k, "pin") == 0)
		return set_str(a->pin, sizeof(a->pin), v, why, whycap);
	if (strcmp(k, "source-address") == 0)
		return set_str(
		    a->source_ip, sizeof(a->source_ip), v, why, whycap);
	if (strcmp(k, "pipeline-window") == 0)
		return set_u32(&a->window, v, 1, FETCH_WINDOW_MAX, why, whycap);
	if (strcmp(k, "timeout") == 0)
		return set_secs(&a->timeout_s, v, 1, why, whycap);
	if (strcmp(k, "session-timeout") == 0)
		return set_secs(&a->session_timeout_s, v, 1, why, whycap);
	if (strcmp(k, "interval") == 0)
		return set_secs(&a->interval_s, v, 1, why, whycap);
	if (strcmp(k, "mass-new-percent") == 0)
		return set_u32(&a->mass_new_pct, v, 1, 100, why, whycap);
	if (strcmp(k, "mass-new-min") == 0)
		return set_u32(
		    &a->mass_new_min, v, 0, FETCH_MSGS_MAX, why, whycap);
	if (strcmp(k, "enabled") == 0)
		return set_bool(&a->enabled, v, why, whycap);
	WHY("unknown key");
	return -1;
}
