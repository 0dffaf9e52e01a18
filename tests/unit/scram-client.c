/* scram-client.c: see scram-client.h. */
#include <string.h>

#include "scram-client.h"

int
scli_start(struct scli *c, const char *mech, const char *user, const char *pass,
    const char *cb64, const char *authzid)
{
	memset(c, 0, sizeof(*c));
	if (gsasl_init(&c->ctx) != GSASL_OK)
		return -1;
	if (gsasl_client_start(c->ctx, mech, &c->s) != GSASL_OK) {
		gsasl_done(c->ctx);
		c->ctx = NULL;
		return -1;
	}
	if (gsasl_property_set(c->s, GSASL_AUTHID, user) != GSASL_OK ||
	    gsasl_property_set(c->s, GSASL_PASSWORD, pass) != GSASL_OK ||
	    (cb64 != NULL && gsasl_property_set(c->s, GSASL_CB_TLS_EXPORTER,
				 cb64) != GSASL_OK) ||
	    (authzid != NULL &&
		gsasl_property_set(c->s, GSASL_AUTHZID, authzid) != GSASL_OK)) {
		scli_end(c);
		return -1;
	}
	return 0;
}

int
scli_step(struct scli *c, const char *in64, char **out64)
{
	*out64 = NULL;
	return gsasl_step64(c->s, in64 != NULL ? in64 : "", out64);
}

void
scli_end(struct scli *c)
{
	if (c->s != NULL)
		gsasl_finish(c->s);
	if (c->ctx != NULL)
		gsasl_done(c->ctx);
	memset(c, 0, sizeof(*c));
}
