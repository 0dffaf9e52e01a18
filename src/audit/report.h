/* report.h: helpers shared by the report writers (internal to src/audit). */
#ifndef POSTIE_AUDIT_REPORT_H
#define POSTIE_AUDIT_REPORT_H

#include <stdio.h>

#include "audit/audit.h"

#define AU_TOOL_NAME    "postie audit"
#define AU_TOOL_VERSION "0.1"

/* Write s as a JSON string literal (quotes included); bytes that are not
 * printable ASCII become \u00XX escapes. */
void au_jstr(FILE *f, const char *s);
/* Write n bytes of p as a JSON string literal. */
void au_jstrn(FILE *f, const char *p, size_t n);
/* Write a space-separated list ("CWE-319 CWE-523") as a JSON array. */
void au_jlist(FILE *f, const char *list, const char *sep);
/* Write s with XML escaping (&<>"'); control bytes become '?'. */
void au_xstr(FILE *f, const char *s);
/* The server family guessed from the greetings (generic if unknown). */
enum au_family au_family_guess(const struct au_run *r);
/* UTC time as "2026-11-27T12:00:00Z". */
void au_iso_time(int64_t t, char *out, size_t cap);
/* "pop3://host:port" of the cleartext (tls false) or TLS endpoint. */
void au_target_url(const struct au_run *r, bool tls, char *out, size_t cap);
/* Counts of statuses, and of FAILs per severity. */
void au_counts(const struct au_run *r, int st[5], int sev[6]);

#endif
