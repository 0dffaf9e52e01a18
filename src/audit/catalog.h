/* catalog.h: the fixed catalogue of postie audit checks.
 * Every check of reference/security.md §2 has a stable ID, a mode, the rule
 * that sets its severity, CWE/CVE/RFC references and remediation text per
 * server family. The CLI listing, docs/audit-checks.md, SARIF rules and the
 * runner all read this one table. */
#ifndef POSTIE_AUDIT_CATALOG_H
#define POSTIE_AUDIT_CATALOG_H

#include <stdbool.h>
#include <stddef.h>

/* Stable check IDs in catalogue order; AU_TLS01 is "P3-TLS-01". */
enum au_id {
	AU_TLS01,
	AU_TLS02,
	AU_TLS03,
	AU_TLS04,
	AU_TLS05,
	AU_TLS06,
	AU_TLS07,
	AU_TLS08,
	AU_TLS09,
	AU_TLS10,
	AU_TLS11,
	AU_TLS12,
	AU_AUTH01,
	AU_AUTH02,
	AU_AUTH03,
	AU_AUTH04,
	AU_AUTH05,
	AU_AUTH06,
	AU_AUTH07,
	AU_AUTH08,
	AU_AUTH09,
	AU_AUTH10,
	AU_INFO01,
	AU_INFO02,
	AU_INFO03,
	AU_INFO04,
	AU_INFO05,
	AU_INFO06,
	AU_PROTO01,
	AU_PROTO02,
	AU_PROTO03,
	AU_PROTO04,
	AU_PROTO05,
	AU_PROTO06,
	AU_DOS01,
	AU_DOS02,
	AU_DOS03,
	AU_DOS04,
	AU_DOS05,
	AU_NCHECKS
};

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
#define AU_CF_SLOW       0x2 /* takes minutes (skipped by --fast) */

struct au_check {
	enum au_id idx;
	const char *id; /* "P3-TLS-01" */
	const char *title;
	enum au_mode mode;
	unsigned flags;      /* AU_CF_* */
	enum au_sev max_sev; /* highest severity the rule can assign */
	const char *probe;   /* what is sent, one paragraph */
	const char *rule;    /* how status and severity are decided */
	const char *cwe;     /* "CWE-319 CWE-523" or "" */
	const char *cve;     /* "CVE-2011-0411" or "" */
	const char *refs;    /* RFCs, WSTG, tool IDs; "; "-separated */
	const char *fix[AU_NFAMILIES];
	unsigned conns;  /* connection budget of the probe */
	unsigned logins; /* login-attempt budget (bogus or real) */
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
