/* scan.c: the indicator table, scoring and reports (JSON, text). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "scan/scan.h"

static const struct {
	const char *name;
	int weight;
	const char *explain;
} ids[SCAN_ID_COUNT] = {
    [PH_AUTH_DMARC_FAIL] = {"PH-AUTH-DMARC-FAIL", 40,
	"Your mail server checked the sender's domain and the check "
	"failed: the domain's owner did not authorise this message."},
    [PH_AUTH_FAIL] = {"PH-AUTH-FAIL", 25,
	"Your mail server could not confirm that this message comes from "
	"where it claims (an SPF or DKIM check failed)."},
    [PH_AUTH_NONE] = {"PH-AUTH-NONE", 15,
	"Your mail server could not verify the sender at all: nothing "
	"proves the message comes from the domain it names."},
    [PH_AR_FORGED] = {"PH-AR-FORGED", 20,
	"The message carries a 'verified' stamp that your mail server did "
	"not add; the sender may have written it to look trustworthy."},
    [PH_DISPLAY_ADDR] = {"PH-DISPLAY-ADDR", 30,
	"The sender's name shows an e-mail address that is not the "
	"address the message really comes from."},
    [PH_DISPLAY_DOMAIN] = {"PH-DISPLAY-DOMAIN", 25,
	"The sender's name shows a web domain other than the one the "
	"message really comes from."},
    [PH_DISPLAY_BRAND] = {"PH-DISPLAY-BRAND", 20,
	"The sender's name uses a well-known company's name, but the "
	"message does not come from that company's domain."},
    [PH_REPLYTO_DOMAIN] = {"PH-REPLYTO-DOMAIN", 10,
	"Replies would go to a different organisation than the one the "
	"message seems to come from."},
    [PH_RETURNPATH_DOMAIN] = {"PH-RETURNPATH-DOMAIN", 5,
	"The message was sent through another organisation's mail system. "
	"Common for newsletters; suspicious together with other signs."},
    [PH_LINK_MISMATCH] = {"PH-LINK-MISMATCH", 35,
	"A link shows one web address but leads to a different site."},
    [PH_LINK_IP] = {"PH-LINK-IP", 25,
	"A link leads to a bare numeric internet address instead of a "
	"named site, which hides who runs it."},
    [PH_LINK_USERINFO] = {"PH-LINK-USERINFO", 30,
	"A link has text before an '@' that browsers ignore; the site "
	"really opened is the one after the '@'."},
    [PH_IDN_MIXED] = {"PH-IDN-MIXED", 35,
	"A domain mixes letters of different alphabets (such as Latin and "
	"Cyrillic), a trick to imitate a real name."},
    [PH_IDN_CONFUSABLE] = {"PH-IDN-CONFUSABLE", 45,
	"A domain is spelled with look-alike characters so that it "
	"resembles another domain."},
    [PH_SHORTENER] = {"PH-SHORTENER", 10,
	"A link goes through a URL-shortening service, which hides where "
	"it really leads."},
    [PH_LINK_SCRIPT] = {"PH-LINK-SCRIPT", 35,
	"A link runs code or carries a whole page (javascript: or data:) "
	"instead of opening a web site."},
    [PH_HTML_FORM] = {"PH-HTML-FORM", 25,
	"The message contains a form to fill in; genuine companies do not "
	"ask you to type details into an e-mail."},
    [PH_ATT_EXEC] = {"PH-ATT-EXEC", 60,
	"An attachment is a program or script: opening it can run code on "
	"your computer."},
    [PH_ATT_DOUBLE_EXT] = {"PH-ATT-DOUBLE-EXT", 40,
	"An attachment's name has two extensions (like invoice.pdf.exe) so "
	"that it looks like a document while it is not."},
    [PH_ATT_RLO] = {"PH-ATT-RLO", 60,
	"An attachment's name hides invisible characters that reverse the "
	"text direction, disguising its real type."},
    [PH_ATT_ENCRYPTED_ARCHIVE] = {"PH-ATT-ENCRYPTED-ARCHIVE", 30,
	"An attachment is password-protected, so virus scanners cannot "
	"look inside it."},
    [PH_ATT_MACRO] = {"PH-ATT-MACRO", 40,
	"An Office document contains macros: small programs that run if "
	"you enable them."},
    [PH_CRED_REQUEST] = {"PH-CRED-REQUEST", 20,
	"The message asks for your password or account details together "
	"with a link or form (a weaker sign on its own)."},
};

const char *
scan_id_name(enum scan_id id)
{
	return ids[id].name;
}

int
scan_id_weight(enum scan_id id)
{
	return ids[id].weight;
}

const char *
scan_id_explain(enum scan_id id)
{
	return ids[id].explain;
}

const char *
scan_level_name(enum scan_level l)
{
	static const char *const names[] = {"none", "low", "medium", "high"};

	return names[l];
}

bool
scan_has(const struct scan_report *r, enum scan_id id)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (r->ind[i].id == id)
			return true;
	return false;
}

void
scan_add(struct scan_report *r, enum scan_id id, const char *fmt, ...)
{
	char raw[SCAN_EVIDENCE_MAX];
	struct scan_ind *d;
	struct buf b;
	va_list ap;
	size_t i;

	for (i = 0; i < r->n; i++) {
		if (r->ind[i].id == id) {
			r->ind[i].count++;
			return;
		}
	}
	if (r->n >= SCAN_INDS_MAX)
		return;
	d = &r->ind[r->n++];
	d->id = id;
	d->count = 1;
	va_start(ap, fmt);
	if (vsnprintf(raw, sizeof(raw), fmt, ap) < 0)
		raw[0] = '\0';
	va_end(ap);
	buf_init(&b, sizeof(d->evidence) - 1);
	mime_sanitize(raw, strlen(raw), false, false, &b);
	memcpy(d->evidence, b.len ? (const char *)b.data : "", b.len);
	d->evidence[b.len] = '\0';
	buf_free(&b);
	r->points += ids[id].weight;
}

void
scan_message(
    const struct scan_conf *c, const struct mime_msg *m, struct scan_report *r)
{
	memset(r, 0, sizeof(*r));
	scan_headers(c, m, r);
	scan_links(c, m, r);
	scan_attachments(m, r);
	r->level = r->points >= SCAN_HIGH_MIN     ? SCAN_HIGH
		   : r->points >= SCAN_MEDIUM_MIN ? SCAN_MEDIUM
		   : r->points >= SCAN_LOW_MIN    ? SCAN_LOW
						  : SCAN_NONE;
}

/* Append s as a JSON string; invalid UTF-8 becomes U+FFFD. */
static int
json_str(struct buf *b, const char *s)
{
	const char *p = s;
	int rc = buf_append(b, "\"", 1);

	while (rc == 0 && *p != '\0') {
		unsigned char c = (unsigned char)*p;

		if (c == '"' || c == '\\') {
			char e[2] = {'\\', (char)c};

			rc = buf_append(b, e, 2);
			p++;
		} else if (c < 0x20 || c == 0x7f) {
			rc = buf_printf(b, "\\u%04x", c);
			p++;
		} else if (c < 0x80) {
			rc = buf_append(b, p, 1);
			p++;
		} else {
			gunichar u = g_utf8_get_char_validated(p, -1);

			if (u == (gunichar)-1 || u == (gunichar)-2) {
				rc = buf_puts(b, "\\ufffd");
				p++;
			} else {
				size_t n = (size_t)g_utf8_skip[c];

				rc = buf_append(b, p, n);
				p += n;
			}
		}
	}
	return rc < 0 ? -1 : buf_append(b, "\"", 1);
}

int
scan_report_json(const struct scan_report *r, const char *file, struct buf *out)
{
	size_t i;

	if (buf_puts(out, "{\"file\": ") < 0 || json_str(out, file) < 0 ||
	    buf_printf(out,
		", \"score\": \"%s\", \"points\": %d, "
		"\"indicators\": [",
		scan_level_name(r->level), r->points) < 0)
		return -1;
	for (i = 0; i < r->n; i++) {
		const struct scan_ind *d = &r->ind[i];

		if (buf_puts(out, i > 0 ? ", {\"id\": " : "{\"id\": ") < 0 ||
		    json_str(out, scan_id_name(d->id)) < 0 ||
		    buf_printf(out,
			", \"weight\": %d, \"count\": %u, "
			"\"explanation\": ",
			scan_id_weight(d->id), d->count) < 0 ||
		    json_str(out, scan_id_explain(d->id)) < 0 ||
		    buf_puts(out, ", \"evidence\": ") < 0 ||
		    json_str(out, d->evidence) < 0 || buf_puts(out, "}") < 0)
			return -1;
	}
	return buf_puts(out, "]}");
}

int
scan_report_text(const struct scan_report *r, int indent, struct buf *out)
{
	static const char *const up[] = {"NONE", "LOW", "MEDIUM", "HIGH"};
	size_t i;

	if (buf_printf(out, "%*s%s risk of phishing or malware (%d points)\n",
		indent, "", up[r->level], r->points) < 0)
		return -1;
	for (i = 0; i < r->n; i++) {
		const struct scan_ind *d = &r->ind[i];

		if (buf_printf(out, "%*s%s: %s\n%*s  evidence: %s", indent + 2,
			"", scan_id_name(d->id), scan_id_explain(d->id),
			indent + 2, "", d->evidence) < 0)
			return -1;
		if (d->count > 1 &&
		    buf_printf(out, " (and %u more)", d->count - 1) < 0)
			return -1;
		if (buf_puts(out, "\n") < 0)
			return -1;
	}
	return 0;
}
