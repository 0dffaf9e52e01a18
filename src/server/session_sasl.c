/* session_sasl.c: the POP3 side of SCRAM-SHA-256[-PLUS] and CRAM-MD5
 * (RFC 5034 AUTH, RFC 4422 §5): continuation lines in and out. The
 * mechanism itself runs in the credential process (GNU SASL); the session
 * only checks that each client line is base64 and hands it on with
 * SA_SASL. */
#include <stdlib.h>
#include <string.h>

#include "lib/util.h"
#include "server/sess_int.h"

void
sess_set_binding(struct sess *s)
{
	s->cb_avail = true;
}

/* CRAM-MD5's response is "user SP 32 hex digits" (RFC 2195): the user it
 * names is the one whose attempt the brute-force delay, the penalty and
 * the log line are about (as the credential process reads it; "" when
 * the response is malformed). */
static void
cram_user(struct sess *s, const uint8_t *msg, size_t n)
{
	size_t ulen = n > 33 ? n - 33 : 0;

	if (n <= 33 || msg[ulen] != ' ' || ulen > P3_USER_MAX ||
	    memchr(msg, '\0', ulen) != NULL)
		ulen = 0;
	memcpy(s->user, msg, ulen);
	s->user[ulen] = '\0';
	s->user_len = ulen;
}

/* Keep a copy of the client's base64 message for the I/O layer. "=" is an
 * empty message (RFC 5034 §4). 0, or -1 after replying. */
static int
keep(struct sess *s, const char *p, size_t len, struct sess_act *act)
{
	uint8_t bin[AUTH_SCRAM_MSG_MAX];
	size_t n;

	if (len == 1 && p[0] == '=')
		len = 0;
	if (len > AUTH_SASL_B64_MAX ||
	    b64_decode(p, len, bin, sizeof(bin), &n) < 0) {
		mem_wipe(bin, sizeof(bin));
		sess_sasl_cancel(s, "-ERR Invalid base64 data", act);
		return -1;
	}
	if (s->sasl == SASL_SCRAM_NEXT && s->sasl_mech != NULL &&
	    strcmp(s->sasl_mech, "CRAM-MD5") == 0)
		cram_user(s, bin, n);
	mem_wipe(bin, sizeof(bin));
	if ((s->sasl_data = malloc(len + 1)) == NULL) {
		sess_sasl_cancel(s, R_TEMP, act);
		return -1;
	}
	memcpy(s->sasl_data, p, len);
	s->sasl_data[len] = '\0';
	s->sasl_dlen = len;
	return 0;
}

/* Hand the kept message to the I/O layer as op. */
static void
forward(struct sess *s, enum sess_sasl_op op, struct sess_act *act)
{
	s->sasl = SASL_SCRAM_WAIT;
	act->kind = SA_SASL;
	act->sasl_op = op;
	act->mech = s->sasl_mech;
	act->user = s->user;
	act->ulen = s->user_len;
	act->data = s->sasl_data;
	act->dlen = s->sasl_dlen;
}

void
sess_scram_begin(struct sess *s, const char *mech, const struct p3_span *ir,
    struct sess_act *act)
{
	sess_forget(s);
	s->user[0] = '\0';
	s->user_len = 0;
	s->sasl_mech = mech;
	s->sasl = SASL_SCRAM_FIRST;
	if (ir == NULL) {
		sess_reply(s, "+ ");
		return;
	}
	if (keep(s, ir->p, ir->len, act) == 0)
		forward(s, SASL_OP_START, act);
}

void
sess_scram_line(
    struct sess *s, const char *line, size_t len, struct sess_act *act)
{
	switch (s->sasl) {
	case SASL_SCRAM_FIRST:
	case SASL_SCRAM_NEXT:
		if (keep(s, line, len, act) == 0)
			forward(s,
			    s->sasl == SASL_SCRAM_FIRST ? SASL_OP_START
							: SASL_OP_STEP,
			    act);
		return;
	case SASL_SCRAM_ACK:
		/* Only an empty line accepts the server's final message. */
		if (len != 0) {
			sess_sasl_cancel(s, R_CANCEL, act);
			return;
		}
		s->sasl = SASL_SCRAM_WAIT;
		act->kind = SA_SASL;
		act->sasl_op = SASL_OP_ACK;
		act->mech = s->sasl_mech;
		return;
	default:
		/* SASL_SCRAM_WAIT: the I/O layer reads nothing meanwhile. */
		sess_sasl_cancel(s, R_CANCEL, act);
		return;
	}
}

void
sess_sasl_cancel(struct sess *s, const char *reply, struct sess_act *act)
{
	bool held = s->sasl == SASL_SCRAM_NEXT || s->sasl == SASL_SCRAM_ACK ||
		    s->sasl == SASL_SCRAM_WAIT;

	sess_forget(s);
	sess_reply(s, reply);
	if (held) {
		act->kind = SA_SASL;
		act->sasl_op = SASL_OP_ABORT;
	}
}

/* Drop the forwarded message and send "+ data". */
static void
challenge(struct sess *s, const char *data, size_t dlen)
{
	if (s->sasl_data != NULL) {
		mem_wipe(s->sasl_data, s->sasl_dlen);
		free(s->sasl_data);
		s->sasl_data = NULL;
		s->sasl_dlen = 0;
	}
	sess_out(s, "+ ", 2);
	sess_out(s, data, dlen);
	sess_out(s, "\r\n", 2);
}

void
sess_sasl_challenge(
    struct sess *s, const char *user, const char *data, size_t dlen)
{
	size_t ulen = strlen(user);

	if (ulen <= P3_USER_MAX) {
		memcpy(s->user, user, ulen + 1);
		s->user_len = ulen;
	}
	challenge(s, data, dlen);
	s->sasl = SASL_SCRAM_NEXT;
}

void
sess_sasl_final(struct sess *s, const char *data, size_t dlen)
{
	challenge(s, data, dlen);
	s->sasl = SASL_SCRAM_ACK;
}
