/* report.c: the end-of-run summary of postie fetch, as human lines or one
 * JSON object (--json), and the exit status. */
#include <stdio.h>
#include <string.h>

#include "fetch/multi.h"
#include "lib/util.h"

static const char *
code_name(int code)
{
	switch (code) {
	case FX_OK: return "ok";
	case FX_FAIL: return "failed";
	case FX_USAGE: return "config";
	case FX_AUTH: return "auth";
	case FX_TLS: return "tls";
	case FX_PROTO: return "protocol";
	default: return "failed";
	}
}

/* Print s as a JSON string (quotes included). */
static void
json_str(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s != NULL ? s : "");

	fputc('"', f);
	for (; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void
json_one(FILE *f, const struct fm_job *j)
{
	const struct fr_result *r = &j->r;

	fputs("{\"account\":", f);
	json_str(f, j->a->name);
	fputs(",\"host\":", f);
	json_str(f, j->a->host);
	fprintf(f, ",\"port\":%u,\"user\":", (unsigned)j->a->port);
	json_str(f, j->a->user);
	fputs(",\"status\":", f);
	json_str(f, r->paused ? "paused" : code_name(r->code));
	fprintf(f, ",\"exit\":%d,\"on_server\":%u,\"new\":%u,\"fetched\":%u,"
	    "\"headers_only\":%u,\"skipped\":%u,\"deleted\":%u,"
	    "\"recovered\":%u,\"marked_seen\":%u,\"message_errors\":%u,"
	    "\"warnings\":%u,\"bytes\":%llu,\"seconds\":%.3f,\"tls\":",
	    r->code, r->on_server, r->new_msgs, r->fetched, r->headers_only,
	    r->skipped, r->deleted, r->recovered, r->marked_seen, r->msg_errors,
	    r->warnings, (unsigned long long)r->bytes, (double)r->ms / 1000.0);
	json_str(f, r->tls[0] != '\0' ? r->tls : NULL);
	fputs(",\"mechanism\":", f);
	json_str(f, r->mech);
	fputs(",\"error\":", f);
	json_str(f, r->err);
	fputc('}', f);
}

void
fm_report(FILE *f, const struct fm_job *jobs, size_t n, bool json,
    bool dry_run)
{
	size_t i;

	if (json) {
		fputs("{\"accounts\":[", f);
		for (i = 0; i < n; i++) {
			if (i > 0)
				fputc(',', f);
			json_one(f, &jobs[i]);
		}
		fprintf(f, "],\"dry_run\":%s,\"exit\":%d}\n",
		    dry_run ? "true" : "false", fm_exit_code(jobs, n));
		fflush(f);
		return;
	}
	for (i = 0; i < n; i++) {
		const struct fr_result *r = &jobs[i].r;

		if (dry_run && r->code == FX_OK)
			continue;
		if (r->code != FX_OK) {
			fprintf(f, "%s: %s: %s\n", jobs[i].a->name,
			    r->paused ? "PAUSED" : "FAILED", r->err);
			if (r->fetched == 0 && r->recovered == 0)
				continue;
		}
		fprintf(f, "%s: %u fetched (%llu bytes)", jobs[i].a->name,
		    r->fetched, (unsigned long long)r->bytes);
		if (r->headers_only > 0)
			fprintf(f, ", %u headers only", r->headers_only);
		if (r->skipped > 0)
			fprintf(f, ", %u skipped", r->skipped);
		if (r->recovered > 0)
			fprintf(f, ", %u recovered", r->recovered);
		if (r->marked_seen > 0)
			fprintf(f, ", %u marked seen", r->marked_seen);
		fprintf(f, ", %u deleted, %u on server, %.1fs\n", r->deleted,
		    r->on_server, (double)r->ms / 1000.0);
	}
	fflush(f);
}

int
fm_exit_code(const struct fm_job *jobs, size_t n)
{
	size_t i;

	if (n == 1)
		return jobs[0].r.code;
	for (i = 0; i < n; i++)
		if (jobs[i].r.code != FX_OK)
			return FX_FAIL;
	return FX_OK;
}
