/* run_dry.c: --dry-run. Lists what a real run would download (number,
 * size, unique-id and Subject from TOP n 0) and delete; writes nothing. */
#include <stdio.h>
#include <string.h>

#include "fetch/run.h"
#include "lib/log.h"
#include "lib/util.h"

/* The raw Subject header (unfolded, escaped) of headers h, or "". */
static void
subject_of(const struct buf *h, char *out, size_t cap)
{
	const char *p = (const char *)h->data, *end = p + h->len, *nl;
	char raw[512];
	size_t rl = 0;
	bool in = false;

	out[0] = '\0';
	while (p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		size_t ll = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);

		if (ll == 0)
			break;
		if (in && (p[0] == ' ' || p[0] == '\t')) {
			/* a folded continuation */
		} else if (in) {
			break;
		} else if (ll >= 8 && strncasecmp(p, "Subject:", 8) == 0) {
			in = true;
			p += 8;
			ll -= 8;
		} else {
			p += ll + 1;
			continue;
		}
		while (ll > 0 && (p[0] == ' ' || p[0] == '\t')) {
			p++;
			ll--;
		}
		if (rl > 0 && rl < sizeof(raw))
			raw[rl++] = ' ';
		if (ll > sizeof(raw) - rl)
			ll = sizeof(raw) - rl;
		memcpy(raw + rl, p, ll);
		rl += ll;
		p += ll;
		nl = memchr(p, '\n', (size_t)(end - p));
		p = nl != NULL ? nl + 1 : end;
	}
	log_escape(raw, rl, out, cap);
}

int
fr_dry_run(struct fr_ctx *c, const struct fr_job *jobs, size_t n,
    const uint32_t *dele, size_t ndele)
{
	char line[1024], subj[300], cmd[32];
	struct buf h;
	uint64_t wire;
	size_t i;
	int r;

	for (i = 0; i < n; i++) {
		const struct fl_entry *e = &c->l.e[jobs[i].num - 1];

		subj[0] = '\0';
		if (c->s->capa.top &&
		    str_fmt(cmd, sizeof(cmd), "TOP %u 0",
			(unsigned)jobs[i].num) > 0) {
			if (fx_send(c->s, cmd) < 0 || (r = fx_status(c->s)) < 0)
				return -1;
			if (r == 1) {
				buf_init(&h, 64 * 1024);
				if (fr_read_body(c, NULL, &h, e->size, &wire) <
				    0) {
					buf_free(&h);
					return -1;
				}
				subject_of(&h, subj, sizeof(subj));
				buf_free(&h);
			}
		}
		if (str_fmt(line, sizeof(line), "%s: would fetch%s #%u %llu "
		    "octets uidl=%s subject=\"%s\"", c->a->name,
		    jobs[i].headers ? " (headers only)" : "",
		    (unsigned)jobs[i].num, (unsigned long long)e->size,
		    e->uidl, subj) < 0)
			continue;
		c->o->say(line);
	}
	for (i = 0; i < ndele; i++) {
		const struct fl_entry *e = &c->l.e[dele[i] - 1];

		if (str_fmt(line, sizeof(line), "%s: would delete #%u %llu "
		    "octets uidl=%s", c->a->name, (unsigned)dele[i],
		    (unsigned long long)e->size, e->uidl) >= 0)
			c->o->say(line);
	}
	if (str_fmt(line, sizeof(line), "%s: %zu to fetch, %zu to delete, %u "
	    "skipped (size limit)", c->a->name, n, ndele,
	    (unsigned)c->r->skipped) >= 0)
		c->o->say(line);
	return 0;
}
