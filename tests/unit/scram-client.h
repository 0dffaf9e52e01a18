/* scram-client.h: the client side of SCRAM for the unit tests, done by GNU
 * SASL (an implementation postie did not write), so the server side is
 * checked against it rather than against itself. */
#ifndef POSTIE_TEST_SCRAM_CLIENT_H
#define POSTIE_TEST_SCRAM_CLIENT_H

#include <gsasl.h>

struct scli {
	Gsasl *ctx;
	Gsasl_session *s;
};

/* Start a client for mech with user and pass; cb64 (base64 tls-exporter
 * data) and authzid may be NULL. 0 or -1. */
int scli_start(struct scli *c, const char *mech, const char *user,
    const char *pass, const char *cb64, const char *authzid);
/* One client step: in64 is the server's base64 message (NULL or "" for
 * the first step); *out64 gets the reply (free with gsasl_free). Returns
 * the GNU SASL code (GSASL_OK, GSASL_NEEDS_MORE, or an error). */
int scli_step(struct scli *c, const char *in64, char **out64);
/* Free the client. */
void scli_end(struct scli *c);

#endif
