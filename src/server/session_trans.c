/* session_trans.c: TRANSACTION and UPDATE states (RFC 1939 §5, §6). */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "lib/log.h"
#include "lib/util.h"
#include "server/sess_int.h"

/* Resolve a message-number argument to an index; replies on error. */
static int
msg_arg(struct sess *s, struct p3_span a, uint32_t *idx_r)
{
	uint32_t n;

	if (p3_parse_msgnum(a, UINT32_MAX, &n) < 0) {
		sess_reply(s, R_BADNUM);
		return -1;
	}
	if (n > s->md->count) {
		sess_reply(s, R_NOMSG);
		return -1;
	}
	if (s->md->msgs[n - 1].deleted) {
		sess_reply(s, R_DELETED);
		return -1;
	}
	*idx_r = n - 1;
	return 0;
}

static void
visible_totals(const struct sess *s, uint32_t *n_r, uint64_t *size_r)
{
	uint32_t i, n = 0;
	uint64_t size = 0;

	for (i = 0; i < s->md->count; i++)
		if (!s->md->msgs[i].deleted) {
			n++;
			size += s->md->msgs[i].size;
		}
	*n_r = n;
	*size_r = size;
}

/* Append v in decimal at p; returns the end. */
static char *
put_u64(char *p, uint64_t v)
{
	char digits[20];
	size_t n = 0;

	do {
		digits[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	while (n > 0)
		*p++ = digits[--n];
	return p;
}

/* LIST or UIDL: one message, or a listing of all that are not deleted. The
 * listing is formatted by hand and handed to the sink in large pieces. */
static void
cmd_listing(
    struct sess *s, const struct p3_cmd *c, bool uidl, struct sess_act *act)
{
	/* One line (number, SP, UIDL or size, CRLF) plus the final ".\r\n". */
	enum {
		LINE_MAX_LEN =
		    10 + 1 + (P3_UIDL_MAX > 20 ? P3_UIDL_MAX : 20) + 2 + 3
	};
	char buf[SRV_LISTING_BUF], u[P3_UIDL_MAX + 1], *p = buf;
	const char *id;
	uint32_t i, n;
	uint64_t size;
	size_t len;

	if (c->argc > 1) {
		sess_bad(s, R_BADARGS, act);
		return;
	}
	if (c->argc == 1) {
		if (msg_arg(s, c->argv[0], &i) < 0)
			return;
		if (uidl) {
			md_uidl_copy(s->md, i, u);
			sess_replyf(s, "+OK %u %s", i + 1, u);
		} else
			sess_replyf(s, "+OK %u %llu", i + 1,
			    (unsigned long long)s->md->msgs[i].size);
		return;
	}
	visible_totals(s, &n, &size);
	if (uidl)
		sess_reply(s, "+OK");
	else
		sess_replyf(s, "+OK %u messages (%llu octets)", n,
		    (unsigned long long)size);
	for (i = 0; i < s->md->count; i++) {
		const struct md_msg *m = &s->md->msgs[i];

		if (m->deleted)
			continue;
		if ((size_t)(buf + sizeof(buf) - p) < LINE_MAX_LEN) {
			sess_out(s, buf, (size_t)(p - buf));
			p = buf;
		}
		p = put_u64(p, (uint64_t)i + 1);
		*p++ = ' ';
		if (uidl) {
			id = md_uidl(s->md, i, &len); /* len <= P3_UIDL_MAX */
			memcpy(p, id, len);
			p += len;
		} else
			p = put_u64(p, m->size);
		*p++ = '\r';
		*p++ = '\n';
	}
	*p++ = '.';
	*p++ = '\r';
	*p++ = '\n';
	sess_out(s, buf, (size_t)(p - buf));
}

/* RETR and TOP: open the file, reply, hand the stream to the I/O layer. */
static void
cmd_send(struct sess *s, const struct p3_cmd *c, bool top, struct sess_act *act)
{
	uint32_t i, lines = 0;
	int fd;

	if (c->argc != (top ? 2 : 1)) {
		sess_bad(s, R_BADARGS, act);
		return;
	}
	if (msg_arg(s, c->argv[0], &i) < 0)
		return;
	if (top && p3_parse_count(c->argv[1], &lines) < 0) {
		sess_reply(s, "-ERR Invalid line count");
		return;
	}
	if ((fd = md_msg_open(s->md, i)) < 0) {
		log_warn("cannot open message %u of %s: %s", i + 1, s->md->path,
		    strerror(errno));
		sess_reply(s, R_TEMP);
		return;
	}
	if (top) {
		sess_reply(s, "+OK");
		s->n_top++;
	} else {
		sess_replyf(s, "+OK %llu octets",
		    (unsigned long long)s->md->msgs[i].size);
		s->md->msgs[i].retrieved = true;
		s->n_retr++;
		s->retr_bytes += s->md->msgs[i].size;
	}
	if (i + 1 > s->last)
		s->last = i + 1;
	act->kind = SA_SEND_MSG;
	act->fd = fd;
	act->top_lines = top ? (int64_t)lines : -1;
}

void
sess_trans(struct sess *s, const struct p3_cmd *c, struct sess_act *act)
{
	uint32_t i, n;
	uint64_t size;

	switch (c->verb) {
	case P3_V_STAT:
		if (c->argc != 0) {
			sess_bad(s, R_BADARGS, act);
			return;
		}
		visible_totals(s, &n, &size);
		sess_replyf(s, "+OK %u %llu", n, (unsigned long long)size);
		return;
	case P3_V_LIST:
		cmd_listing(s, c, false, act);
		return;
	case P3_V_UIDL:
		cmd_listing(s, c, true, act);
		return;
	case P3_V_RETR:
		cmd_send(s, c, false, act);
		return;
	case P3_V_TOP:
		cmd_send(s, c, true, act);
		return;
	case P3_V_DELE:
		if (c->argc != 1) {
			sess_bad(s, R_BADARGS, act);
			return;
		}
		if (msg_arg(s, c->argv[0], &i) < 0)
			return;
		s->md->msgs[i].deleted = true;
		if (i + 1 > s->last)
			s->last = i + 1;
		sess_reply(s, "+OK Message deleted");
		return;
	case P3_V_NOOP:
	case P3_V_RSET:
	case P3_V_LAST:
		if (c->argc != 0) {
			sess_bad(s, R_BADARGS, act);
			return;
		}
		if (c->verb == P3_V_LAST) {
			sess_replyf(s, "+OK %u", s->last);
			return;
		}
		if (c->verb == P3_V_RSET) {
			for (i = 0; i < s->md->count; i++)
				s->md->msgs[i].deleted = false;
			s->last = 0;
		}
		sess_reply(s, "+OK");
		return;
	case P3_V_APOP:
		sess_bad(s, R_UNKNOWN, act);
		return;
	default:
		sess_bad(s, R_BADSTATE, act);
		return;
	}
}

void
sess_update(struct sess *s)
{
	uint32_t deleted = 0;
	int failures;

	s->state = SS_UPDATE;
	failures = md_commit(s->md, &deleted);
	s->n_dele = deleted;
	md_close(&s->md);
	s->state = SS_DONE;
	if (failures > 0) {
		log_err("%d deleted messages could not be removed", failures);
		sess_reply(s, "-ERR [SYS/TEMP] Some deleted messages were not "
			      "removed");
		return;
	}
	sess_replyf(s, "+OK Bye, %u messages deleted", deleted);
}
