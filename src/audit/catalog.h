/* catalog.h: the fixed catalogue of postie audit checks.
 * Every check of reference/security.md §2 has a stable ID, a mode, the rule
 * that sets its severity, CWE/CVE/RFC references and remediation text per
 * server family. The CLI listing, docs/audit-checks.md, SARIF rules and the
 * runner all read this one table. */
#ifndef POSTIE_AUDIT_CATALOG_H
#define POSTIE_AUDIT_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

/* Stable check IDs, in catalogue order: X(enum suffix, "ID"). */
#define AU_CHECK_IDS(X)                                                       \
	X(TLS01, "P3-TLS-01") X(TLS02, "P3-TLS-02") X(TLS03, "P3-TLS-03")     \
	X(TLS04, "P3-TLS-04") X(TLS05, "P3-TLS-05") X(TLS06, "P3-TLS-06")     \
	X(TLS07, "P3-TLS-07") X(TLS08, "P3-TLS-08") X(TLS09, "P3-TLS-09")     \
	X(TLS10, "P3-TLS-10") X(TLS11, "P3-TLS-11") X(TLS12, "P3-TLS-12")     \
	X(AUTH01, "P3-AUTH-01") X(AUTH02, "P3-AUTH-02")                       \
	X(AUTH03, "P3-AUTH-03") X(AUTH04, "P3-AUTH-04")                       \
	X(AUTH05, "P3-AUTH-05") X(AUTH06, "P3-AUTH-06")                       \
	X(AUTH07, "P3-AUTH-07") X(AUTH08, "P3-AUTH-08")                       \
	X(AUTH09, "P3-AUTH-09") X(AUTH10, "P3-AUTH-10")                       \
	X(INFO01, "P3-INFO-01") X(INFO02, "P3-INFO-02")                       \
	X(INFO03, "P3-INFO-03") X(INFO04, "P3-INFO-04")                       \
	X(INFO05, "P3-INFO-05") X(INFO06, "P3-INFO-06")                       \
	X(PROTO01, "P3-PROTO-01") X(PROTO02, "P3-PROTO-02")                   \
	X(PROTO03, "P3-PROTO-03") X(PROTO04, "P3-PROTO-04")                   \
	X(PROTO05, "P3-PROTO-05") X(PROTO06, "P3-PROTO-06")                   \
	X(DOS01, "P3-DOS-01") X(DOS02, "P3-DOS-02") X(DOS03, "P3-DOS-03")     \
	X(DOS04, "P3-DOS-04") X(DOS05, "P3-DOS-05")

#define AU_ENUM_(e, s) AU_##e,
enum au_id { AU_CHECK_IDS(AU_ENUM_) AU_NCHECKS };
#undef AU_ENUM_

/* SAFE runs by default; CRED needs --user and a password source; INTRUSIVE
 * needs --intrusive and --authorized-by. */
enum au_mode { AU_SAFE, AU_CRED, AU_INTRUSIVE };

enum au_sev {
	AU_SEV_NONE,
	AU_SEV_INFO,
	AU_SEV_LOW,
	AU_SEV_MEDIUM,
	AU_SEV_HIGH,
	AU_SEV_CRITICAL
};

/* Remediation is written per server family. */
enum au_family {
	AU_FAM_POSTIE,
	AU_FAM_DOVECOT,
	AU_FAM_COURIER,
	AU_FAM_CYRUS,
	AU_FAM_GENERIC,
	AU_NFAMILIES
};

#define AU_CF_NEEDS_CRED 0x1 /* an INTRUSIVE check that also needs --user */
#define AU_CF_SLOW	 0x2 /* takes minutes (skipped by --fast) */

struct au_check {
	enum au_id idx;
	const char *id;	      /* "P3-TLS-01" */
	const char *title;
	enum au_mode mode;
	unsigned flags;	      /* AU_CF_* */
	enum au_sev max_sev;  /* highest severity the rule can assign */
	const char *probe;    /* what is sent, one paragraph */
	const char *rule;     /* how status and severity are decided */
	const char *cwe;      /* "CWE-319 CWE-523" or "" */
	const char *cve;      /* "CVE-2011-0411" or "" */
	const char *refs;     /* RFCs, WSTG, tool IDs; "; "-separated */
	const char *fix[AU_NFAMILIES];
	unsigned conns;	      /* connection budget of the probe */
	unsigned logins;      /* login-attempt budget (bogus or real) */
};

/* The catalogue entry of check i (never NULL for i < AU_NCHECKS). */
const struct au_check *au_check_get(enum au_id i);
/* Find a check by its ID string (case-insensitive); NULL if unknown. */
const struct au_check *au_check_find(const char *id);
/* Names: "SAFE"/"CRED"/"INTRUSIVE", "critical".."info"/"none", family
 * names ("postie", "Dovecot", ...). */
const char *au_mode_name(enum au_mode m);
const char *au_sev_name(enum au_sev s);
const char *au_family_name(enum au_family f);
/* Parse a severity name ("high", "none", ...); 0 or -1. */
int au_sev_parse(const char *s, enum au_sev *sev_r);
/* SARIF security-severity score for a severity ("8.0" for high). */
const char *au_sev_score(enum au_sev s);

/* The table parts, one per family of checks (catalog-*.c). */
extern const struct au_check au_cat_tls[];
extern const size_t au_cat_tls_n;
extern const struct au_check au_cat_auth[];
extern const size_t au_cat_auth_n;
extern const struct au_check au_cat_misc[];
extern const size_t au_cat_misc_n;

#endif
