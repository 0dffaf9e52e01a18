/* dotdec.c: client side of multi-line responses (RFC 1939 §3): strip the
 * byte-stuffing, find the terminating ".CRLF", optionally turn CRLF into LF.
 * A state machine over single bytes, so chunks may split anywhere. */
#include <string.h>

#include "proto/pop3.h"

enum {
	D_BOL,    /* at the start of a line */
	D_DOT,    /* the line so far is "." (held back) */
	D_DOT_CR, /* the line so far is ".\r" (held back) */
	D_MID,    /* inside a line, nothing held back */
	D_CR,     /* inside a line, a CR is held back */
	D_DONE,   /* terminator consumed */
	D_ERROR   /* a line exceeded max_line */
};

void
p3_dotdec_init(struct p3_dotdec *d, bool to_lf, size_t max_line)
{
	memset(d, 0, sizeof(*d));
	d->state = D_BOL;
	d->to_lf = to_lf;
	d->max_line = max_line;
}

/* Emit the end of a line; crlf tells whether it arrived as CR LF. */
static size_t
put_eol(struct p3_dotdec *d, bool crlf, uint8_t *out)
{
	size_t o = 0;

	if (!crlf)
		d->saw_bare_lf = true;
	else if (!d->to_lf)
		out[o++] = '\r';
	out[o++] = '\n';
	d->state = D_BOL;
	d->line_len = 0;
	return o;
}

/* Copy bytes of a line's middle up to the next CR or LF. Returns the count
 * (0 if in starts with CR or LF). */
static size_t
copy_mid(const uint8_t *in, size_t len, uint8_t *out)
{
	size_t n;

	for (n = 0; n < len; n++)
		if (in[n] == '\r' || in[n] == '\n')
			break;
	memcpy(out, in, n);
	return n;
}

/* Account for n more octets of the current line; false if over max_line
 * (which counts the line as sent, CR LF included). */
static bool
grow_line(struct p3_dotdec *d, size_t n)
{
	if (d->line_len > SIZE_MAX - n)
		d->line_len = SIZE_MAX;
	else
		d->line_len += n;
	return d->max_line == 0 || d->line_len <= d->max_line;
}

/* Process one byte c in state D_MID or D_CR (the only states in which plain
 * data flows). Returns bytes written to out. */
static size_t
mid_byte(struct p3_dotdec *d, uint8_t c, uint8_t *out)
{
	size_t o = 0;

	if (d->state == D_CR) {
		if (c == '\n')
			return put_eol(d, true, out);
		out[o++] = '\r'; /* a bare CR is data */
	}
	if (c == '\n')
		return o + put_eol(d, false, out + o);
	if (c == '\r') {
		d->state = D_CR;
		return o;
	}
	out[o++] = c;
	d->state = D_MID;
	return o;
}

int
p3_dotdec_feed(struct p3_dotdec *d, const uint8_t *in, size_t len, uint8_t *out,
    size_t *outlen_r, size_t *consumed_r)
{
	size_t i = 0, o = 0, n;
	int rc = 0;

	while (i < len) {
		uint8_t c = in[i];

		if (d->state == D_DONE) {
			rc = 1;
			break;
		}
		if (d->state == D_ERROR) {
			rc = -1;
			break;
		}
		if (d->state == D_MID && c != '\r' && c != '\n') {
			n = copy_mid(in + i, len - i, out + o);
			if (!grow_line(d, n)) {
				d->state = D_ERROR;
				continue;
			}
			i += n;
			o += n;
			continue;
		}
		if (!grow_line(d, 1)) {
			d->state = D_ERROR;
			continue;
		}
		i++;
		switch (d->state) {
		case D_BOL:
			if (c == '.')
				d->state = D_DOT;
			else
				o += mid_byte(d, c, out + o);
			break;
		case D_DOT:
			if (c == '\r') {
				d->state = D_DOT_CR;
			} else if (c == '\n') {
				d->saw_bare_lf = true;
				d->state = D_DONE;
			} else {
				/* A stuffed line: the first dot goes. */
				d->state = D_MID;
				o += mid_byte(d, c, out + o);
			}
			break;
		case D_DOT_CR:
			if (c == '\n') {
				d->state = D_DONE;
			} else {
				d->state = D_CR;
				o += mid_byte(d, c, out + o);
			}
			break;
		default: /* D_MID, D_CR */
			o += mid_byte(d, c, out + o);
			break;
		}
	}
	if (i == len && d->state == D_DONE)
		rc = 1;
	else if (d->state == D_ERROR)
		rc = -1;
	*outlen_r = o;
	*consumed_r = i;
	return rc;
}
