/* scram_client.c: a test-only POP3 SCRAM client for tests/interop/
 * test_scram.py, built by that test (not part of postie). The mechanism
 * is GNU SASL's client; TLS and the RFC 9266 tls-exporter channel binding
 * are OpenSSL's; only the POP3 framing is here.
 *   scram_client HOST PORT CAFILE tls|stls 1.2|1.3 MECH USER [CMD...]
 * reads the password from one line of stdin, logs in with MECH (for
 * -PLUS the binding of this connection is used; with "badcb" as MECH's
 * suffix, a wrong one), then sends each CMD. Every line from the server
 * is printed with "S: "; the exit status is 0 after "+OK" to the login,
 * 1 after "-ERR", 2 on any other error. */
#include <netdb.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gsasl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#define LINE_MAX_ 8192

static SSL *ssl;
static int sock = -1;
static char inbuf[LINE_MAX_];
static size_t inlen;

static int
rd(void *p, size_t n)
{
	return ssl != NULL ? SSL_read(ssl, p, (int)n) : (int)read(sock, p, n);
}

static int
wr(const char *p, size_t n)
{
	return ssl != NULL ? SSL_write(ssl, p, (int)n) : (int)write(sock, p, n);
}

/* One line without CRLF into line[LINE_MAX_]; -1 on EOF or error. */
static int
get_line(char *line)
{
	char *nl;
	int n;

	while ((nl = memchr(inbuf, '\n', inlen)) == NULL) {
		if (inlen == sizeof(inbuf) ||
		    (n = rd(inbuf + inlen, sizeof(inbuf) - inlen)) <= 0)
			return -1;
		inlen += (size_t)n;
	}
	*nl = '\0';
	if (nl > inbuf && nl[-1] == '\r')
		nl[-1] = '\0';
	memcpy(line, inbuf, (size_t)(nl - inbuf) + 1);
	inlen -= (size_t)(nl + 1 - inbuf);
	memmove(inbuf, nl + 1, inlen);
	printf("S: %s\n", line);
	fflush(stdout);
	return 0;
}

static int
put_line(const char *s)
{
	char buf[LINE_MAX_];
	int n = snprintf(buf, sizeof(buf), "%s\r\n", s);

	if (n < 0 || (size_t)n >= sizeof(buf))
		return -1;
	printf("C: %s\n", s);
	return wr(buf, (size_t)n) == n ? 0 : -1;
}

static int
start_tls(SSL_CTX *ctx)
{
	if ((ssl = SSL_new(ctx)) == NULL || SSL_set_fd(ssl, sock) != 1 ||
	    SSL_set_tlsext_host_name(ssl, "localhost") != 1 ||
	    SSL_set1_host(ssl, "localhost") != 1 || SSL_connect(ssl) != 1) {
		ERR_print_errors_fp(stderr);
		return -1;
	}
	printf("-- %s\n", SSL_get_version(ssl));
	return 0;
}

static int
connect_to(const char *host, const char *port)
{
	struct addrinfo hints, *ai, *a;

	memset(&hints, 0, sizeof(hints));
	hints.ai_socktype = SOCK_STREAM;
	if (getaddrinfo(host, port, &hints, &ai) != 0)
		return -1;
	for (a = ai; a != NULL; a = a->ai_next) {
		sock = socket(a->ai_family, a->ai_socktype, a->ai_protocol);
		if (sock >= 0 && connect(sock, a->ai_addr, a->ai_addrlen) == 0)
			break;
		if (sock >= 0)
			close(sock);
		sock = -1;
	}
	freeaddrinfo(ai);
	return sock >= 0 ? 0 : -1;
}

/* The SASL exchange; returns 0 (+OK), 1 (-ERR) or 2. */
static int
login(const char *mech, const char *user, const char *pass, bool badcb)
{
	Gsasl *ctx = NULL;
	Gsasl_session *s = NULL;
	unsigned char cb[32];
	char line[LINE_MAX_], cmd[128], *out = NULL, *cb64 = NULL;
	int rc, res = 2;

	if (gsasl_init(&ctx) != GSASL_OK ||
	    gsasl_client_start(ctx, mech, &s) != GSASL_OK)
		goto out;
	gsasl_property_set(s, GSASL_AUTHID, user);
	gsasl_property_set(s, GSASL_PASSWORD, pass);
	if (strstr(mech, "-PLUS") != NULL) {
		if (SSL_export_keying_material(ssl, cb, sizeof(cb),
			"EXPORTER-Channel-Binding", 24, NULL, 0, 0) != 1)
			goto out;
		if (badcb)
			cb[0] ^= 1;
		if (gsasl_base64_to((char *)cb, sizeof(cb), &cb64, NULL) !=
		    GSASL_OK)
			goto out;
		gsasl_property_set(s, GSASL_CB_TLS_EXPORTER, cb64);
	}
	snprintf(cmd, sizeof(cmd), "AUTH %s", mech);
	if (put_line(cmd) < 0 || get_line(line) < 0)
		goto out;
	rc = GSASL_NEEDS_MORE;
	while (line[0] == '+' && line[1] == ' ') {
		if (rc != GSASL_NEEDS_MORE) {
			/* The server wants more after we are done. */
			goto out;
		}
		rc = gsasl_step64(s, line + 2, &out);
		if (rc != GSASL_OK && rc != GSASL_NEEDS_MORE) {
			fprintf(stderr, "GNU SASL: %s\n", gsasl_strerror(rc));
			put_line("*");
			get_line(line);
			goto out;
		}
		if (put_line(out) < 0 || get_line(line) < 0)
			goto out;
		gsasl_free(out);
		out = NULL;
	}
	if (strncmp(line, "+OK", 3) == 0)
		res = rc == GSASL_OK ? 0 : 2; /* +OK without the server proof */
	else if (strncmp(line, "-ERR", 4) == 0)
		res = 1;
out:
	gsasl_free(out);
	gsasl_free(cb64);
	if (s != NULL)
		gsasl_finish(s);
	if (ctx != NULL)
		gsasl_done(ctx);
	return res;
}

int
main(int argc, char **argv)
{
	char pass[512], line[LINE_MAX_];
	SSL_CTX *ctx;
	const char *mech;
	bool badcb;
	int i, res;
	size_t n;

	if (argc < 8) {
		fprintf(stderr, "usage: scram_client HOST PORT CAFILE tls|stls "
				"1.2|1.3 MECH USER [CMD...]\n");
		return 2;
	}
	if (fgets(pass, sizeof(pass), stdin) == NULL)
		return 2;
	n = strcspn(pass, "\r\n");
	pass[n] = '\0';
	ctx = SSL_CTX_new(TLS_client_method());
	if (ctx == NULL ||
	    SSL_CTX_load_verify_locations(ctx, argv[3], NULL) != 1)
		return 2;
	SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, NULL);
	SSL_CTX_set_max_proto_version(
	    ctx, strcmp(argv[5], "1.2") == 0 ? TLS1_2_VERSION : TLS1_3_VERSION);
	if (connect_to(argv[1], argv[2]) < 0)
		return 2;
	if (strcmp(argv[4], "tls") == 0 && start_tls(ctx) < 0)
		return 2;
	if (get_line(line) < 0 || strncmp(line, "+OK", 3) != 0)
		return 2;
	if (strcmp(argv[4], "stls") == 0 &&
	    (put_line("STLS") < 0 || get_line(line) < 0 ||
		strncmp(line, "+OK", 3) != 0 || start_tls(ctx) < 0))
		return 2;
	if (put_line("CAPA") < 0)
		return 2;
	do {
		if (get_line(line) < 0)
			return 2;
	} while (strcmp(line, ".") != 0 && strncmp(line, "-ERR", 4) != 0);
	mech = argv[6];
	badcb =
	    strlen(mech) > 5 && strcmp(mech + strlen(mech) - 5, "badcb") == 0;
	if (badcb) {
		static char m[64];

		snprintf(m, sizeof(m), "%.*s", (int)(strlen(mech) - 5), mech);
		mech = m;
	}
	res = login(mech, argv[7], pass, badcb);
	for (i = 8; res == 0 && i < argc; i++) {
		if (put_line(argv[i]) < 0 || get_line(line) < 0)
			return 2;
		/* Multi-line replies of LIST/UIDL/CAPA without an argument. */
		if (strncmp(line, "+OK", 3) == 0 &&
		    strchr(argv[i], ' ') == NULL &&
		    (strcmp(argv[i], "LIST") == 0 ||
			strcmp(argv[i], "UIDL") == 0))
			do {
				if (get_line(line) < 0)
					return 2;
			} while (strcmp(line, ".") != 0);
	}
	if (ssl != NULL) {
		SSL_shutdown(ssl);
		SSL_free(ssl);
	}
	SSL_CTX_free(ctx);
	close(sock);
	return res;
}
