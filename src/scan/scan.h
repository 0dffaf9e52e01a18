/* scan.h: the phishing and dangerous-attachment scanner. It reads a parsed
 * message only: no link is opened, no name is resolved. Each indicator has
 * a stable ID, a weight and an explanation for a non-expert (scan.c; the
 * table is documented in docs/phishing.md); a message's score is the sum
 * of the weights of the distinct indicators found. */
#ifndef POSTIE_SCAN_H
#define POSTIE_SCAN_H

#include <stdbool.h>
#include <stddef.h>

#include "lib/buf.h"
#include "lib/limits.h"
#include "mime/mime.h"

enum scan_id {
	PH_AUTH_DMARC_FAIL,
	PH_AUTH_FAIL,
	PH_AUTH_NONE,
	PH_AR_FORGED,
	PH_DISPLAY_ADDR,
	PH_DISPLAY_DOMAIN,
	PH_DISPLAY_BRAND,
	PH_REPLYTO_DOMAIN,
	PH_RETURNPATH_DOMAIN,
	PH_LINK_MISMATCH,
	PH_LINK_IP,
	PH_LINK_USERINFO,
	PH_IDN_MIXED,
	PH_IDN_CONFUSABLE,
	PH_SHORTENER,
	PH_LINK_SCRIPT,
	PH_HTML_FORM,
	PH_ATT_EXEC,
	PH_ATT_DOUBLE_EXT,
	PH_ATT_RLO,
	PH_ATT_ENCRYPTED_ARCHIVE,
	PH_ATT_MACRO,
	PH_CRED_REQUEST,
	SCAN_ID_COUNT
};

enum scan_level { SCAN_NONE, SCAN_LOW, SCAN_MEDIUM, SCAN_HIGH };

/* Score thresholds (points = sum of the weights of distinct indicators). */
#define SCAN_LOW_MIN    10
#define SCAN_MEDIUM_MIN 30
#define SCAN_HIGH_MIN   60

struct scan_ind {
	enum scan_id id;
	unsigned count; /* occurrences; evidence is the first */
	char evidence[SCAN_EVIDENCE_MAX]; /* UTF-8, sanitised */
};

struct scan_report {
	size_t n;
	struct scan_ind ind[SCAN_INDS_MAX];
	int points;
	enum scan_level level;
};

/* Configuration: trusted authserv-ids and domains the user has mail from.
 * A zeroed struct is valid (nothing trusted, nothing known). */
struct scan_conf {
	char *trusted[SCAN_TRUSTED_MAX];
	size_t ntrusted;
	GHashTable *known;      /* skeleton -> organisational domain */
	GHashTable *known_orgs; /* the organisational domains themselves */
};

/* Trust Authentication-Results whose authserv-id is id (case-insensitive).
 * -1 when the list is full or id is empty. */
int scan_conf_add_trusted(struct scan_conf *c, const char *id)
    __attribute__((warn_unused_result));
/* Record that the user has mail from domain (its organisational domain is
 * kept); look-alikes of it are then reported. -1 when full. */
int scan_conf_add_known(struct scan_conf *c, const char *domain);
/* Learn the sender domains of every message of a Maildir listing (header
 * blocks only) as known domains, up to SCAN_KNOWN_MAX. */
void scan_conf_learn_maildir(struct scan_conf *c, const struct mdl *l);
/* Read a config file: lines "trusted-authserv ID" and "known-domain D",
 * '#' comments. 0, or -1 (errno set, or EINVAL for a bad line). */
int scan_conf_load(struct scan_conf *c, const char *path)
    __attribute__((warn_unused_result));
/* Load path, or when NULL $POSTIE_SCAN_CONFIG, else
 * $XDG_CONFIG_HOME/postie/scan.conf (~/.config/...) if it exists. */
int scan_conf_load_default(struct scan_conf *c, const char *path)
    __attribute__((warn_unused_result));
/* Release the configuration (it is zeroed). */
void scan_conf_free(struct scan_conf *c);
/* True if c trusts authserv-id id. */
bool scan_conf_trusts(const struct scan_conf *c, const char *id);
/* If host's organisational domain differs from a known domain with the
 * same skeleton, that known domain, else NULL. */
const char *scan_conf_lookalike(const struct scan_conf *c, const char *uhost);

/* Scan m into r (r is reset first). */
void scan_message(
    const struct scan_conf *c, const struct mime_msg *m, struct scan_report *r);
/* Record indicator id with evidence (printf format); repeated IDs count. */
void scan_add(struct scan_report *r, enum scan_id id, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* True if r holds indicator id. */
bool scan_has(const struct scan_report *r, enum scan_id id);
/* Stable ID ("PH-LINK-IP"), weight and explanation of an indicator. */
const char *scan_id_name(enum scan_id id);
int scan_id_weight(enum scan_id id);
const char *scan_id_explain(enum scan_id id);
/* "none", "low", "medium" or "high". */
const char *scan_level_name(enum scan_level l);

/* Append r as a JSON object {"file", "score", "indicators": [...]}. */
int scan_report_json(const struct scan_report *r, const char *file,
    struct buf *out) __attribute__((warn_unused_result));
/* Append r for a terminal: a level line, then per indicator its ID,
 * explanation and evidence, indented by indent spaces. */
int scan_report_text(const struct scan_report *r, int indent, struct buf *out)
    __attribute__((warn_unused_result));

/* ---- Internal to src/scan (shared between its .c files) ---------------- */

/* Sender and authentication checks (headers.c). */
void scan_headers(
    const struct scan_conf *c, const struct mime_msg *m, struct scan_report *r);
/* Link, form and credential-request checks over text and HTML parts
 * (links.c). */
void scan_links(
    const struct scan_conf *c, const struct mime_msg *m, struct scan_report *r);
/* Check one host (link target or sender domain) for IDN tricks: where
 * says where it was found. (links.c) */
void scan_host(const struct scan_conf *c, const char *host, const char *where,
    struct scan_report *r);
/* Attachment checks (attach.c). */
void scan_attachments(const struct mime_msg *m, struct scan_report *r);
/* Check raw content and a name (either may be empty) of one file found in
 * the message or in an archive inside it; in names the archive. */
void scan_file(const uint8_t *p, size_t len, const char *name, const char *in,
    struct scan_report *r);

#endif
