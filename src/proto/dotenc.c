/* dotenc.c: server side of multi-line responses (RFC 1939 §3): turn a stored
 * message into CRLF lines with byte-stuffed dots, optionally cut after the
 * header and n body lines (TOP), and count the octets of a message as RETR
 * would send it (LIST, STAT). */
#include <string.h>

#include "proto/pop3.h"

void
p3_dotenc_init(struct p3_dotenc *e, bool drop_nul, int64_t top_lines)
{
	memset(e, 0, sizeof(*e));
	e->bol = true;
	e->drop_nul = drop_nul;
	e->in_header = true;
	if (top_lines >= 0) {
		e->limit = true;
		e->lines = top_lines > (int64_t)UINT32_MAX
			       ? UINT32_MAX
			       : (uint32_t)top_lines;
	}
}

/* A line of the stored message has ended (its LF was emitted). blank tells
 * whether it was empty. Advance the TOP bookkeeping. */
static void
end_line(struct p3_dotenc *e, bool blank)
{
	if (e->in_header) {
		if (blank) {
			e->in_header = false;
			if (e->limit && e->lines == 0)
				e->stopped = true;
		}
		return;
	}
	if (!e->limit)
		return;
	if (e->lines > 0)
		e->lines--;
	if (e->lines == 0)
		e->stopped = true;
}

/* Copy a run of bytes in the middle of a line up to (not including) the next
 * LF. Only used when NULs are kept, so every byte is copied verbatim. Returns
 * the number of bytes copied (may be 0). */
static size_t
copy_run(struct p3_dotenc *e, const uint8_t *in, size_t len, uint8_t *out)
{
	const uint8_t *lf = memchr(in, '\n', len);
	size_t n = lf != NULL ? (size_t)(lf - in) : len;

	if (n == 0)
		return 0;
	memcpy(out, in, n);
	e->prev_cr = in[n - 1] == '\r';
	e->blank_cr = false;
	return n;
}

size_t
p3_dotenc_feed(struct p3_dotenc *e, const uint8_t *in, size_t len, uint8_t *out)
{
	size_t i = 0, o = 0, n;

	while (i < len && !e->stopped) {
		uint8_t c = in[i];

		if (!e->bol && !e->drop_nul && c != '\n') {
			n = copy_run(e, in + i, len - i, out + o);
			i += n;
			o += n;
			continue;
		}
		i++;
		if (c == '\0' && e->drop_nul)
			continue;
		if (c == '\n') {
			bool blank = e->bol || e->blank_cr;

			if (!e->prev_cr)
				out[o++] = '\r';
			out[o++] = '\n';
			e->bol = true;
			e->prev_cr = false;
			e->blank_cr = false;
			end_line(e, blank);
			continue;
		}
		if (e->bol && c == '.')
			out[o++] = '.';
		e->blank_cr = e->bol && c == '\r';
		e->bol = false;
		e->prev_cr = c == '\r';
		out[o++] = c;
	}
	return o;
}

size_t
p3_dotenc_finish(struct p3_dotenc *e, uint8_t *out)
{
	size_t o = 0;

	if (!e->bol) {
		out[o++] = '\r';
		out[o++] = '\n';
		e->bol = true;
		e->prev_cr = false;
		e->blank_cr = false;
	}
	out[o++] = '.';
	out[o++] = '\r';
	out[o++] = '\n';
	return o;
}

void
p3_sizer_init(struct p3_sizer *s, bool drop_nul)
{
	s->size = 0;
	s->prev_cr = false;
	s->drop_nul = drop_nul;
	s->eol = false;
}

uint64_t
p3_sizer_total(const struct p3_sizer *s)
{
	return s->size > 0 && !s->eol ? s->size + 2 : s->size;
}

/* The drop_nul case: NULs neither count nor break a CR LF pair. */
static void
sizer_feed_dropping(struct p3_sizer *s, const uint8_t *in, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (in[i] == '\0')
			continue;
		s->size++;
		if (in[i] == '\n' && !s->prev_cr)
			s->size++;
		s->prev_cr = in[i] == '\r';
		s->eol = in[i] == '\n';
	}
}

void
p3_sizer_feed(struct p3_sizer *s, const uint8_t *in, size_t len)
{
	const uint8_t *p, *end, *lf;

	if (len == 0)
		return;
	if (s->drop_nul) {
		sizer_feed_dropping(s, in, len);
		return;
	}
	s->size += len;
	p = in;
	end = in + len;
	while (p < end && (lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		bool cr = lf == in ? s->prev_cr : lf[-1] == '\r';

		if (!cr)
			s->size++;
		p = lf + 1;
	}
	s->prev_cr = in[len - 1] == '\r';
	s->eol = in[len - 1] == '\n';
}
