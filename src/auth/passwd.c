/* passwd.c: parsing one users-file line (postie's own format and Dovecot's
 * passwd-file) and recognising the accepted crypt(3) hash families. */
#include <crypt.h>
#include <stdlib.h>
#include <string.h>

#include "auth/passwd.h"
#include "lib/limits.h"
#include "lib/num.h"
#include "lib/util.h"

/* user:pass:uid:gid:gecos:home:shell:extra (extra may contain ':'). */
#define PW_FIELDS 8
#define UID_MAX_  4294967294UL

enum fam { FAM_NONE, FAM_YESCRYPT, FAM_BCRYPT, FAM_SHA512 };

struct span {
	const char *p;
	size_t len;
};

static bool
is_b64(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '.' || c == '/';
}

/* Count the crypt-base64 characters at p[0..len). */
static size_t
b64_run(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len && is_b64(p[i]))
		i++;
	return i;
}

static enum fam
hash_family(const char *p, size_t len)
{
	if (len >= 3 && memcmp(p, "$y$", 3) == 0)
		return FAM_YESCRYPT;
	if (len >= 3 && memcmp(p, "$6$", 3) == 0)
		return FAM_SHA512;
	if (len >= 4 && p[0] == '$' && p[1] == '2' && p[3] == '$' &&
	    (p[2] == 'a' || p[2] == 'b' || p[2] == 'y'))
		return FAM_BCRYPT;
	return FAM_NONE;
}

/* "$y$" params "$" salt "$" 43 characters of hash. */
static bool
yescrypt_ok(const char *p, size_t len)
{
	size_t i = 3, n;

	n = b64_run(p + i, len - i);
	if (n == 0 || i + n >= len || p[i + n] != '$')
		return false;
	i += n + 1;
	n = b64_run(p + i, len - i);
	if (n == 0 || i + n >= len || p[i + n] != '$')
		return false;
	i += n + 1;
	return len - i == 43 && b64_run(p + i, len - i) == 43;
}

/* "$2b$" two-digit cost 04..31 "$" 22 salt + 31 hash characters. */
static bool
bcrypt_ok(const char *p, size_t len)
{
	uint64_t cost;

	if (len != 60 || p[6] != '$' ||
	    num_parse_u64(p + 4, 2, 4, 31, &cost) != 0)
		return false;
	return b64_run(p + 7, 53) == 53;
}

/* "$6$" ["rounds=N$"] salt (0..16) "$" 86 characters of hash. */
static bool
sha512_ok(const char *p, size_t len)
{
	size_t i = 3, n;
	uint64_t rounds;

	if (len - i > 7 && memcmp(p + i, "rounds=", 7) == 0) {
		i += 7;
		for (n = 0; i + n < len && p[i + n] >= '0' && p[i + n] <= '9';)
			n++;
		if (i + n >= len || p[i + n] != '$' ||
		    num_parse_u64(p + i, n, 1000, 999999999, &rounds) != 0)
			return false;
		i += n + 1;
	}
	n = b64_run(p + i, len - i);
	if (n > 16 || i + n >= len || p[i + n] != '$')
		return false;
	i += n + 1;
	return len - i == 86 && b64_run(p + i, len - i) == 86;
}

/* Family of a complete, well-formed hash p[0..len), else FAM_NONE. */
static enum fam
hash_check(const char *p, size_t len)
{
	enum fam f = hash_family(p, len);
	char tmp[CRYPT_OUTPUT_SIZE];
	bool ok;

	if (len >= sizeof(tmp))
		return FAM_NONE;
	switch (f) {
	case FAM_YESCRYPT:
		ok = yescrypt_ok(p, len);
		break;
	case FAM_BCRYPT:
		ok = bcrypt_ok(p, len);
		break;
	case FAM_SHA512:
		ok = sha512_ok(p, len);
		break;
	default:
		ok = false;
	}
	if (!ok)
		return FAM_NONE;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	return crypt_checksalt(tmp) == CRYPT_SALT_OK ? f : FAM_NONE;
}

const char *
pw_scheme_name(const char *hash)
{
	switch (hash_check(hash, strlen(hash))) {
	case FAM_YESCRYPT:
		return "yescrypt";
	case FAM_BCRYPT:
		return "bcrypt";
	case FAM_SHA512:
		return "sha512-crypt";
	default:
		return NULL;
	}
}

bool
pw_user_valid(const char *user, size_t len)
{
	size_t i;
	unsigned char c;

	if (len == 0 || len > P3_USER_MAX)
		return false;
	for (i = 0; i < len; i++) {
		c = (unsigned char)user[i];
		if (c <= 0x20 || c == 0x7f || c == ':')
			return false;
	}
	return true;
}

/* Why an untagged string is not a supported hash. */
static const char *
unsupported_why(const char *p, size_t len)
{
	if (len >= 3 && memcmp(p, "$1$", 3) == 0)
		return "unsupported hash scheme (MD5-crypt is weak; set a new "
		       "password with postie user passwd)";
	if (len == 13 || (len > 0 && p[0] == '_'))
		return "unsupported hash scheme (DES crypt is weak; set a new "
		       "password with postie user passwd)";
	if (hash_family(p, len) != FAM_NONE)
		return "malformed hash";
	return "unsupported hash scheme (use yescrypt $y$, bcrypt $2b$ or "
	       "SHA-512-crypt $6$)";
}

/* Split the password field into the hash, checking a Dovecot {TAG}. */
static int
parse_pass(struct span f, struct span *hash_r, const char **why_r)
{
	const char *close, *tag;
	size_t tlen;
	enum fam want = FAM_NONE, got;

	if (f.len == 0) {
		*why_r = "empty password field";
		return -1;
	}
	if (f.p[0] == '{') {
		close = memchr(f.p, '}', f.len);
		if (close == NULL) {
			*why_r = "unterminated {SCHEME} tag";
			return -1;
		}
		tag = f.p + 1;
		tlen = (size_t)(close - tag);
		if (str_case_eq(tag, tlen, "SHA512-CRYPT"))
			want = FAM_SHA512;
		else if (str_case_eq(tag, tlen, "BLF-CRYPT"))
			want = FAM_BCRYPT;
		else if (str_case_eq(tag, tlen, "YESCRYPT"))
			want = FAM_YESCRYPT;
		else if (!str_case_eq(tag, tlen, "CRYPT")) {
			if ((tlen >= 5 && strncasecmp(tag, "PLAIN", 5) == 0) ||
			    str_case_eq(tag, tlen, "CLEARTEXT"))
				*why_r =
				    "plaintext password scheme refused "
				    "({PLAIN}, {CLEARTEXT}, {PLAIN-MD5}...);"
				    " store a crypt hash";
			else
				*why_r = "unsupported password scheme tag (use "
					 "{CRYPT}, {YESCRYPT}, {BLF-CRYPT} or "
					 "{SHA512-CRYPT})";
			return -1;
		}
		f.len -= tlen + 2;
		f.p = close + 1;
	}
	got = hash_check(f.p, f.len);
	if (got == FAM_NONE) {
		*why_r = unsupported_why(f.p, f.len);
		return -1;
	}
	if (want != FAM_NONE && want != got) {
		*why_r = "hash does not match its {SCHEME} tag";
		return -1;
	}
	*hash_r = f;
	return 0;
}

static bool
key_is(struct span tok, size_t klen, const char *key)
{
	return str_case_eq(tok.p, klen, key);
}

/* A Dovecot mail location: "maildir:PATH[:OPTIONS]" or a bare path. */
static int
parse_mail(struct span v, struct span *path_r, const char **why_r)
{
	const char *colon;
	size_t i;

	if (v.len >= 8 && strncasecmp(v.p, "maildir:", 8) == 0) {
		v.p += 8;
		v.len -= 8;
	} else if (v.len > 0 && v.p[0] != '/' && v.p[0] != '~' &&
		   v.p[0] != '%') {
		for (i = 0; i < v.len && v.p[i] >= 'a' && v.p[i] <= 'z'; i++)
			;
		*why_r = i < v.len && v.p[i] == ':'
			     ? "unsupported mail format (only maildir:)"
			     : "mail location must be an absolute path";
		return -1;
	}
	colon = memchr(v.p, ':', v.len);
	if (colon != NULL)
		v.len = (size_t)(colon - v.p);
	if (v.len == 0 || v.len >= STORE_PATH_MAX) {
		*why_r = "empty or overlong mail location";
		return -1;
	}
	*path_r = v;
	return 0;
}

/* Space-separated key=value extra fields; picks the mail location and a
 * home, refuses passdb restrictions postie cannot honour. */
static int
parse_extra(struct span x, struct span *mail_r, struct span *home_r,
    struct span *scram_r, const char **why_r)
{
	struct span tok, val, um = {NULL, 0}, pm = {NULL, 0};
	struct pw_scram k;
	const char *eq;
	size_t i = 0, klen;
	int r;

	while (i < x.len) {
		while (i < x.len && (x.p[i] == ' ' || x.p[i] == '\t'))
			i++;
		tok.p = x.p + i;
		while (i < x.len && x.p[i] != ' ' && x.p[i] != '\t')
			i++;
		tok.len = (size_t)(x.p + i - tok.p);
		if (tok.len == 0)
			break;
		eq = memchr(tok.p, '=', tok.len);
		klen = eq != NULL ? (size_t)(eq - tok.p) : tok.len;
		val.p = eq != NULL ? eq + 1 : tok.p + tok.len;
		val.len = (size_t)(tok.p + tok.len - val.p);
		if (key_is(tok, klen, "nologin") ||
		    key_is(tok, klen, "allow_nets") ||
		    key_is(tok, klen, "allow_real_nets")) {
			*why_r = "extra field nologin/allow_nets is not "
				 "supported; remove the user or the field";
			return -1;
		}
		if (key_is(tok, klen, "scram-sha-256")) {
			if (scram_r->p != NULL) {
				*why_r = "duplicate scram-sha-256 field";
				return -1;
			}
			if (eq == NULL) {
				*why_r = "scram-sha-256 needs a value";
				return -1;
			}
			r = pw_scram_parse(val.p, val.len, &k, why_r);
			mem_wipe(&k, sizeof(k));
			if (r != 0)
				return -1;
			*scram_r = val;
		} else if (key_is(tok, klen, "userdb_mail")) {
			if (parse_mail(val, &um, why_r) != 0)
				return -1;
		} else if (key_is(tok, klen, "mail")) {
			if (parse_mail(val, &pm, why_r) != 0)
				return -1;
		} else if ((key_is(tok, klen, "userdb_home") ||
			       key_is(tok, klen, "home")) &&
			   home_r->len == 0) {
			if (val.len == 0 || val.p[0] != '/') {
				*why_r = "home must be an absolute path";
				return -1;
			}
			*home_r = val;
		}
	}
	*mail_r = um.p != NULL ? um : pm;
	return 0;
}

static int
parse_id(struct span f, long *id_r)
{
	uint64_t v;

	if (f.len == 0) {
		*id_r = -1;
		return 0;
	}
	if (num_parse_u64(f.p, f.len, 0, UID_MAX_, &v) != 0)
		return -1;
	*id_r = (long)v;
	return 0;
}

/* Split line into fields; returns their number. */
static size_t
split_fields(const char *line, size_t len, struct span *f)
{
	size_t nf = 0, i, start = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && (line[i] != ':' || nf == PW_FIELDS - 1))
			continue;
		f[nf].p = line + start;
		f[nf].len = i - start;
		nf++;
		start = i + 1;
	}
	return nf;
}

static char *
span_dup(struct span s)
{
	return strndup(s.p != NULL ? s.p : "", s.len);
}

int
pw_parse_line(
    const char *line, size_t len, struct pw_entry *e, const char **why_r)
{
	struct span f[PW_FIELDS] = {{NULL, 0}}, hash, mail = {NULL, 0};
	struct span home = {NULL, 0}, scram = {NULL, 0};
	struct pw_entry n = {NULL, NULL, NULL, NULL, -1, -1, 0, NULL};
	size_t nf, i;

	if (len > AUTH_LINE_MAX) {
		*why_r = "line too long";
		return -1;
	}
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i == len || line[i] == '#')
		return 1;
	for (i = 0; i < len; i++) {
		if (((unsigned char)line[i] < 0x20 && line[i] != '\t') ||
		    line[i] == 0x7f) {
			*why_r = "control character or NUL in line";
			return -1;
		}
	}
	nf = split_fields(line, len, f);
	if (f[0].len == 0) {
		*why_r = "empty user name";
		return -1;
	}
	if (f[0].len > P3_USER_MAX) {
		*why_r = "user name too long";
		return -1;
	}
	if (!pw_user_valid(f[0].p, f[0].len)) {
		*why_r = "bad character in user name";
		return -1;
	}
	if (nf < 2) {
		*why_r = "missing password field";
		return -1;
	}
	if (parse_pass(f[1], &hash, why_r) != 0)
		return -1;
	if (parse_id(f[2], &n.uid) != 0 || parse_id(f[3], &n.gid) != 0) {
		*why_r = "bad uid or gid";
		return -1;
	}
	home = f[5];
	if (home.len > 0 && (home.p[0] != '/' || home.len >= STORE_PATH_MAX)) {
		*why_r = "home must be an absolute path";
		return -1;
	}
	if (parse_extra(f[7], &mail, &home, &scram, why_r) != 0)
		return -1;
	n.user = span_dup(f[0]);
	n.hash = span_dup(hash);
	n.home = span_dup(home);
	n.mail = span_dup(mail);
	if (scram.p != NULL)
		n.scram = span_dup(scram);
	if (n.user == NULL || n.hash == NULL || n.home == NULL ||
	    n.mail == NULL || (scram.p != NULL && n.scram == NULL)) {
		pw_entry_clear(&n);
		*why_r = "out of memory";
		return -1;
	}
	*e = n;
	return 0;
}

void
pw_entry_clear(struct pw_entry *e)
{
	free(e->user);
	if (e->hash != NULL) {
		mem_wipe(e->hash, strlen(e->hash));
		free(e->hash);
	}
	free(e->home);
	free(e->mail);
	if (e->scram != NULL) {
		mem_wipe(e->scram, strlen(e->scram));
		free(e->scram);
	}
	e->user = e->hash = e->home = e->mail = e->scram = NULL;
	e->uid = e->gid = -1;
	e->lock_failures = 0;
}

/* Mailbox templates. */

struct out {
	char *p;
	size_t len, cap;
	bool overflow;
};

static void
out_put(struct out *o, const char *s, size_t len)
{
	if (o->overflow || len >= o->cap - o->len) {
		o->overflow = true;
		return;
	}
	memcpy(o->p + o->len, s, len);
	o->len += len;
	o->p[o->len] = '\0';
}

/* A user name that cannot leave the directory it is put in. */
static bool
user_path_safe(const char *u, size_t len, const char *at)
{
	if (!pw_user_valid(u, len) || u[0] == '.' ||
	    memchr(u, '/', len) != NULL || strstr(u, "..") != NULL)
		return false;
	/* %n must not be empty and %d must not start with a dot either. */
	return at == NULL || (at > u && at[1] != '.');
}

int
pw_mail_path(
    const char *tmpl, const struct pw_entry *e, char *out, size_t outlen)
{
	struct out o = {out, 0, outlen, false};
	const char *u = e->user, *home = e->home != NULL ? e->home : "";
	const char *at, *t = tmpl;
	size_t ulen;

	if (outlen == 0 || u == NULL)
		return -1;
	out[0] = '\0';
	ulen = strlen(u);
	at = strrchr(u, '@');
	if (!user_path_safe(u, ulen, at))
		return -1;
	if (t[0] == '~' && (t[1] == '/' || t[1] == '\0')) {
		if (home[0] == '\0')
			return -1;
		out_put(&o, home, strlen(home));
		t++;
	}
	for (; *t != '\0'; t++) {
		if (*t != '%') {
			out_put(&o, t, 1);
			continue;
		}
		switch (*++t) {
		case 'u':
			out_put(&o, u, ulen);
			break;
		case 'n':
			out_put(&o, u, at != NULL ? (size_t)(at - u) : ulen);
			break;
		case 'd':
			if (at != NULL)
				out_put(&o, at + 1, strlen(at + 1));
			break;
		case 'h':
			if (home[0] == '\0')
				return -1;
			out_put(&o, home, strlen(home));
			break;
		case '%':
			out_put(&o, "%", 1);
			break;
		default: /* unknown escape, or a lone '%' at the end */
			return -1;
		}
	}
	if (o.overflow) {
		out[0] = '\0';
		return -1;
	}
	return 0;
}
