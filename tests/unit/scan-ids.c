/* scan-ids.c: scan a crafted message and list its indicator IDs. */
#include <stdio.h>
#include <string.h>

#include "scan-ids.h"

const char *
t_scan_ids(const struct scan_conf *c, const char *msg, size_t len)
{
	static char out[1024];
	static struct scan_conf none;
	struct scan_report r;
	struct mime_msg *m;
	const char *why, *v[SCAN_INDS_MAX];
	size_t i, j, o = 0;

	out[0] = '\0';
	if (mime_msg_open_mem(msg, len, &m, &why) < 0)
		return "(unparsable)";
	scan_message(c != NULL ? c : &none, m, &r);
	mime_msg_free(&m);
	for (i = 0; i < r.n; i++)
		v[i] = scan_id_name(r.ind[i].id);
	for (i = 1; i < r.n; i++)
		for (j = i; j > 0 && strcmp(v[j - 1], v[j]) > 0; j--) {
			const char *t = v[j];

			v[j] = v[j - 1];
			v[j - 1] = t;
		}
	for (i = 0; i < r.n && o + 40 < sizeof(out); i++)
		o += (size_t)snprintf(
		    out + o, sizeof(out) - o, "%s%s", i ? "," : "", v[i]);
	return out;
}
