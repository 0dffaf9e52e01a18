/* conf_file.c: the fetch config file ([defaults], [account NAME] sections
 * of "key = value" lines) and the one-off pop3(s):// URL. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fetch/conf.h"
#include "fetch/deliver.h"
#include "lib/num.h"
#include "lib/util.h"

#define CONF_FILE_MAX (1024 * 1024)

#define WHY(...)                                                               \
	do {                                                                   \
		if (str_fmt(why, whycap, __VA_ARGS__) < 0 && whycap > 0)       \
			why[whycap - 1] = '\0';                                \
	} while (0)

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Percent-decode p[0..len) into out[0..cap) (NUL-terminated); rejects
 * control bytes and NUL. */
static int
pct_decode(const char *p, size_t len, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		int c = (unsigned char)p[i];

		if (c == '%') {
			int h, l;

			if (len - i < 3)
				return -1;
			h = hexval(p[i + 1]);
			l = hexval(p[i + 2]);
			if (h < 0 || l < 0)
				return -1;
			c = h * 16 + l;
			i += 2;
		}
		if (c < 0x20 || c == 0x7f || o + 1 >= cap)
			return -1;
		out[o++] = (char)c;
	}
	if (o == 0)
		return -1;
	out[o] = '\0';
	return 0;
}

int
fa_parse_url(struct fa_account *a, const char *url, char *why, size_t whycap)
{
	const char *p, *at, *end, *hs, *he, *colon = NULL;
	uint64_t port;
	size_t hlen;

	if (strncmp(url, "pop3s://", 8) == 0) {
		a->tls = FA_TLS_IMPLICIT;
		p = url + 8;
	} else if (strncmp(url, "pop3://", 7) == 0) {
		a->tls = FA_TLS_STLS;
		p = url + 7;
	} else {
		WHY("URL must start with pop3s:// or pop3://");
		return -1;
	}
	end = p + strcspn(p, "/?#");
	if (*end != '\0' && strcmp(end, "/") != 0) {
		WHY("URL must not have a path or query");
		return -1;
	}
	at = memrchr(p, '@', (size_t)(end - p));
	if (at == NULL) {
		WHY("URL needs a user: pop3s://user@host");
		return -1;
	}
	if (memchr(p, ':', (size_t)(at - p)) != NULL) {
		WHY("no password in the URL; use --password-file");
		return -1;
	}
	if (pct_decode(p, (size_t)(at - p), a->user, sizeof(a->user)) < 0) {
		WHY("bad user name in URL");
		return -1;
	}
	hs = at + 1;
	if (*hs == '[') {
		he = memchr(hs, ']', (size_t)(end - hs));
		if (he == NULL) {
			WHY("unterminated [IPv6] host");
			return -1;
		}
		hs++;
		if (he + 1 < end) {
			if (he[1] != ':') {
				WHY("junk after ]");
				return -1;
			}
			colon = he + 1;
		}
	} else {
		colon = memchr(hs, ':', (size_t)(end - hs));
		he = colon != NULL ? colon : end;
	}
	hlen = (size_t)(he - hs);
	if (hlen == 0 || hlen >= sizeof(a->host)) {
		WHY("bad host in URL");
		return -1;
	}
	memcpy(a->host, hs, hlen);
	a->host[hlen] = '\0';
	if (strcspn(a->host, " \t@/") != hlen) {
		WHY("bad host in URL");
		return -1;
	}
	a->port = 0;
	if (colon != NULL) {
		if (num_parse_u64(colon + 1, (size_t)(end - colon - 1), 1,
			65535, &port) < 0) {
			WHY("bad port in URL");
			return -1;
		}
		a->port = (uint16_t)port;
	}
	return 0;
}

int
fa_parse_hostport(const char *s, char *host, size_t cap, uint16_t *port_r)
{
	const char *hs = s, *he, *colon;
	uint64_t port;
	size_t hlen;

	if (*hs == '[') {
		hs++;
		he = strchr(hs, ']');
		if (he == NULL || he[1] != ':')
			return -1;
		colon = he + 1;
	} else {
		colon = strrchr(hs, ':');
		if (colon == NULL || memchr(hs, ':', (size_t)(colon - hs)))
			return -1; /* IPv6 needs brackets */
		he = colon;
	}
	hlen = (size_t)(he - hs);
	if (hlen == 0 || hlen >= cap || hlen > FETCH_HOST_MAX ||
	    strcspn(hs, " \t@/[]") < hlen ||
	    num_parse_u64(colon + 1, strlen(colon + 1), 1, 65535, &port) < 0)
		return -1;
	memcpy(host, hs, hlen);
	host[hlen] = '\0';
	*port_r = (uint16_t)port;
	return 0;
}

/* LMTP/SMTP destinations need an envelope recipient: rcpt, else the user
 * when it looks like an address. */
static int
check_rcpt(struct fa_account *a, char *why, size_t whycap)
{
	if (a->dest != FA_DEST_LMTP && a->dest != FA_DEST_SMTP)
		return 0;
	if (a->rcpt[0] == '\0' && strchr(a->user, '@') != NULL &&
	    str_copy(a->rcpt, a->user, sizeof(a->rcpt)) < 0)
		a->rcpt[0] = '\0';
	if (a->rcpt[0] == '\0') {
		WHY("lmtp/smtp need rcpt (the user has no '@')");
		return -1;
	}
	if (!fd_addr_ok(a->rcpt)) {
		WHY("bad rcpt address");
		return -1;
	}
	return 0;
}

int
fa_check(struct fa_account *a, char *why, size_t whycap)
{
	if (a->host[0] == '\0') {
		WHY("no host (set url or host)");
		return -1;
	}
	if (a->user[0] == '\0') {
		WHY("no user");
		return -1;
	}
	if (a->dest_path[0] == '\0') {
		WHY("no destination (maildir, mbox, mda, lmtp or smtp)");
		return -1;
	}
	if (check_rcpt(a, why, whycap) < 0)
		return -1;
	if (a->pwsrc == FA_PW_NONE ||
	    ((a->pwsrc == FA_PW_FILE || a->pwsrc == FA_PW_COMMAND) &&
		a->pwarg[0] == '\0')) {
		WHY("no password source");
		return -1;
	}
	if (a->port == 0)
		a->port = a->tls == FA_TLS_IMPLICIT ? 995 : 110;
	if (a->policy == FA_DELETE_AFTER && a->delete_after_s == 0)
		a->policy = FA_DELETE;
	return 0;
}

static bool
valid_name(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len >= FETCH_NAME_MAX)
		return false;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			(c >= '0' && c <= '9') || c == '-' || c == '_' ||
			c == '.' || c == '@'))
			return false;
	}
	return true;
}

static void
trim(const char **p, size_t *len)
{
	while (*len > 0 && (**p == ' ' || **p == '\t')) {
		(*p)++;
		(*len)--;
	}
	while (*len > 0 && ((*p)[*len - 1] == ' ' || (*p)[*len - 1] == '\t' ||
			       (*p)[*len - 1] == '\r'))
		(*len)--;
}

/* Parse one "[defaults]" or "[account NAME]" header into cur. */
static int
section(const char *s, size_t len, struct fa_account *defs,
    struct fa_account *acc, size_t *n, char *why, size_t whycap)
{
	size_t i;

	if (len < 2 || s[len - 1] != ']') {
		WHY("malformed section header");
		return -1;
	}
	s++;
	len -= 2;
	trim(&s, &len);
	if (str_case_eq(s, len, "defaults")) {
		if (*n > 0) {
			WHY("[defaults] must come before the first account");
			return -1;
		}
		return 0;
	}
	if (len < 8 || strncmp(s, "account", 7) != 0 ||
	    (s[7] != ' ' && s[7] != '\t')) {
		WHY("expected [defaults] or [account NAME]");
		return -1;
	}
	s += 8;
	len -= 8;
	trim(&s, &len);
	if (!valid_name(s, len)) {
		WHY("account names use A-Z a-z 0-9 . _ - @ (1-63 bytes)");
		return -1;
	}
	if (*n == FETCH_ACCOUNTS_MAX) {
		WHY("too many accounts (limit %d)", FETCH_ACCOUNTS_MAX);
		return -1;
	}
	for (i = 0; i < *n; i++)
		if (str_case_eq(s, len, acc[i].name)) {
			WHY("duplicate account name");
			return -1;
		}
	acc[*n] = *defs;
	memcpy(acc[*n].name, s, len);
	acc[*n].name[len] = '\0';
	(*n)++;
	return 0;
}

/* One line; cur is the account being filled (defaults before any). */
static int
one_line(const char *s, size_t len, struct fa_account *defs,
    struct fa_account *acc, size_t *n, char *why, size_t whycap)
{
	char key[64], val[CONF_LINE_MAX];
	const char *eq, *k, *v;
	size_t klen, vlen;
	struct fa_account *cur = *n > 0 ? &acc[*n - 1] : defs;

	trim(&s, &len);
	if (len == 0 || s[0] == '#')
		return 0;
	if (memchr(s, '\0', len) != NULL) {
		WHY("NUL byte");
		return -1;
	}
	if (s[0] == '[')
		return section(s, len, defs, acc, n, why, whycap);
	eq = memchr(s, '=', len);
	if (eq == NULL) {
		WHY("expected key = value");
		return -1;
	}
	k = s;
	klen = (size_t)(eq - s);
	v = eq + 1;
	vlen = len - klen - 1;
	trim(&k, &klen);
	trim(&v, &vlen);
	if (klen == 0 || klen >= sizeof(key) || vlen >= sizeof(val)) {
		WHY("bad key or value too long");
		return -1;
	}
	memcpy(key, k, klen);
	key[klen] = '\0';
	memcpy(val, v, vlen);
	val[vlen] = '\0';
	if (fa_set(cur, key, val, why, whycap) < 0) {
		char r[200];

		if (str_copy(r, why, sizeof(r)) < 0)
			r[sizeof(r) - 1] = '\0';
		WHY("%s: %s", key, r);
		return -1;
	}
	return 0;
}

int
fa_parse(const char *file, const char *text, size_t len,
    struct fa_account **acc_r, size_t *n_r, char *why, size_t whycap)
{
	struct fa_account defs, *acc;
	size_t off = 0, n = 0, lineno = 0, i, ll;
	char r[300];

	acc = calloc(FETCH_ACCOUNTS_MAX, sizeof(*acc));
	if (acc == NULL) {
		WHY("%s: out of memory", file);
		return -1;
	}
	fa_defaults(&defs);
	while (off < len) {
		const char *nl = memchr(text + off, '\n', len - off);

		ll = nl != NULL ? (size_t)(nl - text - off) : len - off;
		lineno++;
		if (ll >= CONF_LINE_MAX) {
			WHY("%s:%zu: line too long", file, lineno);
			goto fail;
		}
		if (one_line(text + off, ll, &defs, acc, &n, r, sizeof(r)) <
		    0) {
			WHY("%s:%zu: %s", file, lineno, r);
			goto fail;
		}
		off += ll + (nl != NULL ? 1 : 0);
	}
	if (n == 0) {
		WHY("%s: no [account NAME] section", file);
		goto fail;
	}
	for (i = 0; i < n; i++)
		if (fa_check(&acc[i], r, sizeof(r)) < 0) {
			WHY("%s: account %s: %s", file, acc[i].name, r);
			goto fail;
		}
	*acc_r = acc;
	*n_r = n;
	return 0;
fail:
	free(acc);
	return -1;
}

int
fa_load(const char *path, struct fa_account **acc_r, size_t *n_r, char *why,
    size_t whycap)
{
	struct stat st;
	char *text;
	ssize_t got;
	size_t len = 0;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		WHY("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > CONF_FILE_MAX) {
		WHY("%s: not a regular file of at most 1 MiB", path);
		close(fd);
		return -1;
	}
	text = malloc((size_t)st.st_size + 1);
	if (text == NULL) {
		close(fd);
		WHY("%s: out of memory", path);
		return -1;
	}
	while (len < (size_t)st.st_size) {
		got = read(fd, text + len, (size_t)st.st_size - len);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		len += (size_t)got;
	}
	close(fd);
	rc = fa_parse(path, text, len, acc_r, n_r, why, whycap);
	free(text);
	return rc;
}
