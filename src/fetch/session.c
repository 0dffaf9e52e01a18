/* session.c: connecting and securing a POP3 session for postie fetch.
 * TLS is never optional unless the account says plaintext explicitly: STLS
 * that fails ends the session, and bytes sent before the handshake are
 * dropped (pc_starttls) before CAPA is read again inside TLS. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "fetch/session.h"
#include "lib/log.h"
#include "lib/util.h"

#define CAPA_LINES_MAX 256

int
fx_fail(struct fx_sess *s, int code, const char *fmt, ...)
{
	va_list ap;

	if (s->code != FX_OK)
		return -1;
	s->code = code;
	va_start(ap, fmt);
	if (vsnprintf(s->err, sizeof(s->err), fmt, ap) < 0)
		s->err[0] = '\0';
	va_end(ap);
	return -1;
}

int
fx_send(struct fx_sess *s, const char *cmd)
{
	if (pc_cmd(&s->conn, cmd) < 0)
		return fx_fail(
		    s, FX_PROTO, "sending to %s: %s", s->a->host, s->conn.err);
	return 0;
}

/* Read a line of at most cap-1 bytes into s->line. Length or -1. */
static int
read_line(struct fx_sess *s)
{
	int n = pc_readline(&s->conn, s->line, sizeof(s->line));

	if (n < 0)
		return fx_fail(s, FX_PROTO, "reading from %s: %s", s->a->host,
		    s->conn.err);
	return n;
}

int
fx_status_cont(struct fx_sess *s)
{
	char esc[128];
	int n = read_line(s);

	if (n < 0)
		return -1;
	if (p3_resp_parse(s->line, (size_t)n, &s->resp) < 0)
		return fx_fail(s, FX_PROTO, "malformed reply from %s: \"%s\"",
		    s->a->host,
		    log_escape(s->line, (size_t)n, esc, sizeof(esc)));
	return s->resp.status == P3_ST_OK    ? 1
	       : s->resp.status == P3_ST_ERR ? 0
					     : 2;
}

int
fx_status(struct fx_sess *s)
{
	char esc[128];
	int r = fx_status_cont(s);

	if (r == 2)
		return fx_fail(s, FX_PROTO,
		    "unexpected continuation from "
		    "%s: \"%s\"",
		    s->a->host,
		    log_escape(s->line, strlen(s->line), esc, sizeof(esc)));
	return r;
}

int
fx_data_line(struct fx_sess *s, size_t *len_r)
{
	const char *p = s->line;
	size_t len;
	int n = read_line(s);

	if (n < 0)
		return -1;
	len = (size_t)n;
	if (len > 0 && p[0] == '.') {
		if (len == 1)
			return 0;
		memmove(s->line, s->line + 1, len); /* with the NUL */
		len--;
	}
	*len_r = len;
	return 1;
}

int
fx_skip_multi(struct fx_sess *s, uint32_t max_lines)
{
	uint32_t i;
	size_t len;
	int r;

	for (i = 0; i <= max_lines; i++) {
		r = fx_data_line(s, &len);
		if (r <= 0)
			return r;
	}
	return fx_fail(s, FX_PROTO, "%s: reply longer than %u lines",
	    s->a->host, (unsigned)max_lines);
}

int
fx_capa(struct fx_sess *s)
{
	size_t len;
	uint32_t i;
	int r;

	p3_capa_reset(&s->capa);
	s->capa_ok = false;
	if (fx_send(s, "CAPA") < 0 || (r = fx_status(s)) < 0)
		return -1;
	if (r == 0)
		return 0; /* no CAPA: an RFC 1939-only server */
	for (i = 0; i < CAPA_LINES_MAX; i++) {
		r = fx_data_line(s, &len);
		if (r < 0)
			return -1;
		if (r == 0) {
			s->capa_ok = true;
			return 0;
		}
		/* Malformed known tags are ignored, never trusted. */
		(void)p3_capa_line(&s->capa, s->line, len);
	}
	return fx_fail(s, FX_PROTO, "%s: CAPA reply too long", s->a->host);
}

static int
tls_opts_handshake(struct fx_sess *s)
{
	struct pc_tls_opts o;

	memset(&o, 0, sizeof(o));
	o.verify = true;
	o.min_version = TLS1_2_VERSION;
	o.ca_file = s->a->ca_file[0] != '\0' ? s->a->ca_file : NULL;
	o.pin_sha256 = s->a->pin[0] != '\0' ? s->a->pin : NULL;
	if (pc_starttls(&s->conn, s->a->host, &o) < 0)
		return fx_fail(s, FX_TLS, "TLS with %s:%u failed: %s",
		    s->a->host, (unsigned)s->a->port, s->conn.err);
	return 0;
}

/* Keep the greeting's APOP timestamp "<...>" if there is one. */
static void
greeting_timestamp(struct fx_sess *s)
{
	const char *lt, *gt;
	size_t len;

	s->apop_ts[0] = '\0';
	lt = memchr(s->resp.text.p, '<', s->resp.text.len);
	if (lt == NULL)
		return;
	gt = memchr(lt, '>', s->resp.text.len - (size_t)(lt - s->resp.text.p));
	if (gt == NULL)
		return;
	len = (size_t)(gt - lt) + 1;
	if (len < sizeof(s->apop_ts) && memchr(lt, '@', len) != NULL) {
		memcpy(s->apop_ts, lt, len);
		s->apop_ts[len] = '\0';
	}
}

static int
stls(struct fx_sess *s)
{
	char esc[128];
	int r;

	if (fx_send(s, "STLS") < 0 || (r = fx_status(s)) < 0) {
		s->code = FX_TLS;
		return -1;
	}
	if (r == 0)
		return fx_fail(s, FX_TLS,
		    "%s refused STLS (\"%s\"); not "
		    "sending the password in clear",
		    s->a->host,
		    log_escape(s->line, strlen(s->line), esc, sizeof(esc)));
	if (tls_opts_handshake(s) < 0)
		return -1;
	return fx_capa(s); /* never trust what was said before TLS */
}

int
fx_open(struct fx_sess *s, const struct fa_account *a, const char *pass)
{
	char esc[128];
	uint64_t deadline;
	int r;

	memset(s, 0, sizeof(*s));
	s->a = a;
	if (pc_connect(&s->conn, a->host, a->port,
		a->source_ip[0] != '\0' ? a->source_ip : NULL,
		(int)(a->timeout_s * 1000)) < 0) {
		fx_fail(s, FX_PROTO, "cannot connect to %s:%u: %s", a->host,
		    (unsigned)a->port, s->conn.err);
		return -1;
	}
	deadline = time_mono_ms() + a->session_timeout_s * 1000;
	pc_set_deadline(&s->conn, deadline);
	if (a->tls == FA_TLS_IMPLICIT && tls_opts_handshake(s) < 0)
		goto fail;
	if ((r = fx_status(s)) < 0)
		goto fail;
	if (r == 0) {
		fx_fail(s, FX_PROTO, "%s greeted with an error: \"%s\"",
		    a->host,
		    log_escape(s->line, strlen(s->line), esc, sizeof(esc)));
		goto fail;
	}
	greeting_timestamp(s);
	if (fx_capa(s) < 0)
		goto fail;
	if (a->tls == FA_TLS_STLS && stls(s) < 0)
		goto fail;
	if (a->tls == FA_TLS_PLAINTEXT)
		log_warn("%s: INSECURE: logging in to %s:%u WITHOUT TLS; the "
			 "password and all mail cross the network in clear",
		    a->name, a->host, (unsigned)a->port);
	if (fx_login(s, pass) < 0)
		goto fail;
	if (fx_capa(s) < 0) /* LOGIN-DELAY and EXPIRE may change */
		goto fail;
	return 0;
fail:
	fx_close(s);
	return -1;
}

int
fx_quit(struct fx_sess *s)
{
	int r = -1;

	if (s->conn.fd >= 0 && fx_send(s, "QUIT") == 0)
		r = fx_status(s);
	fx_close(s);
	return r == 1 ? 0 : -1;
}

void
fx_close(struct fx_sess *s)
{
	pc_close(&s->conn);
}
