/* pop3.h: the pure POP3 codec shared by server, fetch and audit.
 * No I/O, no globals, no allocation: functions parse caller-owned bytes
 * (pointer plus length) and write into caller-owned buffers. RFC 1939,
 * RFC 2449 (CAPA, response codes), RFC 3206, RFC 5034 (AUTH). */
#ifndef POSTIE_PROTO_POP3_H
#define POSTIE_PROTO_POP3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/limits.h"

/* A borrowed slice of wire bytes; not NUL-terminated. */
struct p3_span {
	const char *p;
	size_t len;
};

/* ---- Line reader (server commands, client status lines) ---------------- */

enum p3_rd {
	P3_RD_MORE,    /* no complete line yet (consumed may be > 0 while
			  discarding) */
	P3_RD_LINE,    /* *line_r is one line without CRLF/LF */
	P3_RD_TOOLONG, /* line exceeded max; reported once, rest is discarded */
	P3_RD_NUL      /* a complete line that contains a NUL byte */
};

struct p3_reader {
	size_t max;      /* longest line, CRLF included */
	bool discarding; /* inside an over-long line, skipping to its LF */
};

/* Set up a reader for lines of at most max octets (CRLF included). */
void p3_reader_init(struct p3_reader *r, size_t max);
/* Look for the next line in buf[0..len). Sets *consumed_r to the bytes the
 * caller must drop from its input (possibly 0). Over-long lines are reported
 * once as P3_RD_TOOLONG and then skipped up to and including their LF, so the
 * next line is read from its true start. A line ends at LF; one CR before it
 * is stripped (bare LF accepted). When the skipped LF is followed by a whole
 * line, that line is returned in the same call (consumed covers both), so
 * callers should drop consumed bytes and call again until MORE with 0. */
enum p3_rd p3_reader_next(struct p3_reader *r, const uint8_t *buf, size_t len,
    struct p3_span *line_r, size_t *consumed_r);

/* ---- Commands (server side) --------------------------------------------- */

enum p3_verb {
	P3_V_UNKNOWN = 0,
	P3_V_USER,
	P3_V_PASS,
	P3_V_APOP,
	P3_V_AUTH,
	P3_V_STLS,
	P3_V_CAPA,
	P3_V_QUIT,
	P3_V_STAT,
	P3_V_LIST,
	P3_V_RETR,
	P3_V_DELE,
	P3_V_NOOP,
	P3_V_RSET,
	P3_V_TOP,
	P3_V_UIDL,
	P3_V_LAST
};

struct p3_cmd {
	enum p3_verb verb;
	struct p3_span keyword; /* as sent */
	struct p3_span rest;    /* all after "KEYWORD " (may be empty) */
	int argc;               /* space-separated arguments in rest */
	struct p3_span argv[P3_ARGS_MAX]; /* first P3_ARGS_MAX of them */
};

/* Split a command line (no CRLF) into keyword and arguments. The keyword
 * (bytes before the first space) must be 3-4 ASCII letters and is matched
 * case-insensitively; other keywords give -1, unknown ones P3_V_UNKNOWN and 0.
 * rest is everything after the first space, verbatim (PASS may hold spaces).
 * argv splits rest on every single space and empty tokens count: "LIST  1"
 * has argc 2 with argv[0] empty, "LIST 1 " too; "LIST " (rest empty) has
 * argc 0. argc counts all tokens, also beyond P3_ARGS_MAX. */
int p3_cmd_parse(const char *line, size_t len, struct p3_cmd *cmd_r);
/* The canonical upper-case name of a verb ("USER"...), "?" for unknown. */
const char *p3_verb_name(enum p3_verb v);
/* Parse a message number strictly: ASCII digits only, 1..max; leading zeros
 * are allowed if the value fits ("01" is 1). 0 or -1 (also if max is 0). */
int p3_parse_msgnum(struct p3_span s, uint32_t max, uint32_t *num_r);
/* Parse a non-negative line count for TOP (digits only, <= UINT32_MAX). */
int p3_parse_count(struct p3_span s, uint32_t *n_r);
/* Strict decimal in [min, max]: ASCII digits only, non-empty, no wrap-around.
 * 0 or -1. */
int p3_parse_u32(struct p3_span s, uint32_t min, uint32_t max, uint32_t *val_r);

/* ---- Dot-stuffing encoder (server RETR/TOP) ----------------------------- */

struct p3_dotenc {
	bool bol;       /* at beginning of an output line */
	bool prev_cr;   /* last emitted byte was CR */
	bool drop_nul;  /* Outlook workaround: drop NUL bytes */
	bool in_header; /* still in the header block */
	bool limit;     /* TOP: stop after `lines` body lines */
	bool stopped;   /* TOP limit reached; further input is ignored */
	uint32_t lines; /* TOP: body lines still to send */
	bool blank_cr;  /* the current line so far is a lone CR */
};

/* Start encoding one message. top_lines < 0 means the whole message (RETR),
 * otherwise the headers, the blank line, and top_lines body lines (TOP). */
void p3_dotenc_init(struct p3_dotenc *e, bool drop_nul, int64_t top_lines);
/* Encode stored bytes in[0..len) (LF or CRLF line ends) into out, which must
 * hold 2*len bytes. Bare LF becomes CRLF; a '.' at line start is doubled; a
 * bare CR passes unchanged. The header ends at the first empty line ("\n" or
 * "\r\n"); without one, all is header. Returns bytes written. After a TOP
 * limit, e->stopped is set and further input is ignored. */
size_t p3_dotenc_feed(
    struct p3_dotenc *e, const uint8_t *in, size_t len, uint8_t *out);
/* Finish: CRLF if the last line was unterminated, then ".\r\n". out must hold
 * 5 bytes. Returns bytes written. */
size_t p3_dotenc_finish(struct p3_dotenc *e, uint8_t *out);

/* Running octet count of a message as sent (CRLF line ends, before dot-
 * stuffing, NULs excluded if drop_nul). Feed chunks in order. Equals the
 * RETR encoder output minus stuffing dots, minus the CRLF finish() adds to
 * an unterminated last line, minus ".\r\n". */
struct p3_sizer {
	uint64_t size;
	bool prev_cr;
	bool drop_nul;
	bool eol; /* the last counted byte was LF */
};
/* Start counting a message; drop_nul as for the encoder. */
void p3_sizer_init(struct p3_sizer *s, bool drop_nul);
/* Add in[0..len) to s->size; a CR LF split across calls counts as a pair. */
void p3_sizer_feed(struct p3_sizer *s, const uint8_t *in, size_t len);
/* The size a server announces for the whole message: s->size plus the CRLF
 * the encoder adds to an unterminated last line, i.e. exactly the octets a
 * client receives before ".\r\n" once dot-stuffing is undone. */
uint64_t p3_sizer_total(const struct p3_sizer *s);

/* ---- Dot-stuffing decoder (client multi-line bodies) ------------------- */

struct p3_dotdec {
	int state;        /* internal */
	size_t line_len;  /* length of the current line so far */
	size_t max_line;  /* 0: unlimited; else longer lines are an error */
	bool to_lf;       /* output LF line ends instead of CRLF */
	bool saw_bare_lf; /* the server sent a bare LF (a protocol violation) */
};

/* Start decoding a multi-line body. to_lf: store LF line ends. max_line
 * counts a line as sent (stuffing dot and CRLF included). */
void p3_dotdec_init(struct p3_dotdec *d, bool to_lf, size_t max_line);
/* Decode in[0..len) into out (which must hold len + 2 bytes). Sets
 * *consumed_r and *outlen_r. Returns 1 when the terminating ".CRLF" has been
 * consumed (bytes after it are left unconsumed), 0 if more input is needed,
 * -1 if a line exceeded max_line. Chunk boundaries may fall anywhere. Any
 * line starting with '.' loses that dot (RFC 1939 §3). A bare LF ends a line
 * too (also ".\n") and sets saw_bare_lf; it is passed on as LF. A bare CR is
 * data. Without to_lf the CRLFs are kept. */
int p3_dotdec_feed(struct p3_dotdec *d, const uint8_t *in, size_t len,
    uint8_t *out, size_t *outlen_r, size_t *consumed_r);

/* ---- Responses (client side) ------------------------------------------- */

enum p3_status { P3_ST_OK, P3_ST_ERR, P3_ST_CONT };

struct p3_resp {
	enum p3_status status;
	struct p3_span
	    code; /* RFC 2449 response code without brackets, or len 0 */
	struct p3_span text; /* the human-readable rest (after the code) */
};

/* Parse a status line ("+OK ...", "-ERR [CODE] ...", "+ base64"). Returns 0,
 * or -1 if the line is none of these. "+OK"/"-ERR" are matched case-
 * insensitively (lenient client) and must be followed by the end or a space.
 * The code is "[...]" right after "+OK "/"-ERR ", printable without '[' ']',
 * followed by the end or a space; otherwise (nested, unterminated) there is no
 * code and all is text. "+" and "+ text" are P3_ST_CONT with text after "+ ".
 */
int p3_resp_parse(const char *line, size_t len, struct p3_resp *r);
/* Parse a "n rest" line of a LIST/UIDL listing or a single-line reply's text:
 * n strictly numeric (1..UINT32_MAX), one space, rest non-empty. 0 or -1. */
int p3_parse_listing(
    const char *line, size_t len, uint32_t *num_r, struct p3_span *rest_r);
/* True if s is a valid unique-id: 1..70 octets in 0x21..0x7E. */
bool p3_uidl_valid(struct p3_span s);

/* ---- CAPA -------------------------------------------------------------- */

#define P3_SASL_MAX 8 /* mechanisms listed */

struct p3_capa {
	bool top, user, uidl, resp_codes, auth_resp_code, pipelining, stls;
	bool utf8;
	int64_t login_delay; /* -1: not advertised */
	int64_t expire;      /* -1: not advertised, -2: NEVER */
	int nsasl;
	char sasl[P3_SASL_MAX][24]; /* mechanism names, upper case */
	char implementation[64];    /* empty: not advertised */
};

/* Format the CAPA reply ("+OK ...\r\n", tags, ".\r\n") into out[0..cap),
 * NUL-terminated. Returns the length, or -1 if it (with the NUL) does not fit
 * or a SASL name/implementation is empty or not printable ASCII (no CR/LF). */
int p3_capa_format(const struct p3_capa *c, char *out, size_t cap);
/* Client side: reset c, then feed each CAPA data line (dot-unstuffed, no
 * CRLF). Tags are case-insensitive; unknown tags are ignored; malformed known
 * tags return -1 ("EXPIRE x7"; EXPIRE/LOGIN-DELAY take n <= UINT32_MAX or
 * NEVER, then optionally USER). SASL names are upper-cased; duplicates, extras
 * beyond P3_SASL_MAX and names not [A-Z0-9-_]{1,23} are skipped. On -1 c is
 * unchanged. IMPLEMENTATION text is truncated, non-printables become '?'. */
void p3_capa_reset(struct p3_capa *c);
int p3_capa_line(struct p3_capa *c, const char *line, size_t len);
/* True if the capability lists SASL mechanism mech (case-insensitive). */
bool p3_capa_has_sasl(const struct p3_capa *c, const char *mech);

/* ---- SASL helpers (RFC 4616 PLAIN, LOGIN) ------------------------------- */

/* Split a decoded PLAIN message "authzid\0authcid\0passwd". Each part must be
 * non-empty except authzid, and contain no NUL. 0 or -1. */
int p3_sasl_plain_split(const uint8_t *msg, size_t len,
    struct p3_span *authzid_r, struct p3_span *authcid_r,
    struct p3_span *pass_r);
/* Build a PLAIN message into out; returns length or -1 if it does not fit. */
int p3_sasl_plain_build(
    const char *user, const char *pass, uint8_t *out, size_t cap);

#endif
