/* fuzz-sasl-scram.c: the credential process's SCRAM exchange (src/auth/
 * sasl.c and GNU SASL's server) on arbitrary client messages. The input is
 * a mechanism selector byte, then the client-first and the client-final
 * message separated by the first "\n" (raw; the target base64-encodes
 * them as the server would forward them). A random server nonce makes a
 * correct proof impossible, so the exchange must never succeed; every
 * exchange must be gone afterwards; replies must be well formed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/ipc.h"
#include "auth/passwd.h"
#include "auth/sasl.h"
#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define KEYS                                                                   \
	"4096,W22ZaJ0SNY7soEsUEjb6gQ==,WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmt"  \
	"bsT4qY=,wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU="
#define HASH                                                                    \
	"$y$j75$3rLNL8ag1ssQXN6Bu66wY.$zqrmMUZtTQht3oZCtNhZnpuNXGgcGM56YNnDGC." \
	"B8W2"
#define CB "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static struct pw_db *db;
static struct sasl_tab *tab;
static uint64_t now;

static void
setup(void)
{
	char path[] = "/tmp/fuzz-sasl-scram.XXXXXX", err[256];
	int fd = mkstemp(path);
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (f == NULL)
		abort();
	fputs("user:" HASH "::::::scram-sha-256=" KEYS "\nbob:" HASH "\n", f);
	fclose(f);
	if (pw_load(path, &db, err, sizeof(err)) != 0 ||
	    (tab = sasl_new()) == NULL)
		abort();
	unlink(path);
}

static void
check(const struct sasl_out *o)
{
	if (o->result == IPC_RES_OK)
		abort(); /* no proof can match a random nonce */
	if (o->result != IPC_RES_CONT && o->result != IPC_RES_FAIL &&
	    o->result != IPC_RES_TEMP)
		abort();
	if (o->result == IPC_RES_CONT && (o->xid == 0 || o->data[0] == '\0'))
		abort();
	if (strlen(o->user) > P3_USER_MAX || o->e != NULL)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char b64[2][AUTH_SASL_B64_MAX + 1];
	static const char *mechs[] = {"SCRAM-SHA-256", "SCRAM-SHA-256-PLUS"};
	struct p3_span in[2], mech, cb = {"", 0};
	const uint8_t *nl;
	size_t len[2];
	struct sasl_out o;
	int i;

	if (tab == NULL)
		setup();
	if (size < 1)
		return 0;
	mech.p = mechs[data[0] & 1];
	mech.len = strlen(mech.p);
	if (data[0] & 2) {
		cb.p = CB;
		cb.len = strlen(CB);
	}
	data++;
	size--;
	nl = memchr(data, '\n', size);
	len[0] = nl != NULL ? (size_t)(nl - data) : size;
	len[1] = nl != NULL ? size - len[0] - 1 : 0;
	for (i = 0; i < 2; i++) {
		if (len[i] > AUTH_SCRAM_MSG_MAX)
			return 0;
		in[i].p = b64[i];
		in[i].len = b64_encode(
		    i == 0 || nl == NULL ? data : nl + 1, len[i], b64[i]);
	}
	now += 1000;
	sasl_start(tab, db, mech, cb, in[0], now, &o);
	check(&o);
	if (o.result == IPC_RES_CONT) {
		uint32_t xid = o.xid;

		sasl_step(tab, db, xid, in[1], now, &o);
		check(&o);
		if (o.result == IPC_RES_CONT)
			sasl_abort(tab, o.xid);
		/* A finished exchange is gone. */
		sasl_step(tab, db, xid, in[1], now, &o);
		if (o.result != IPC_RES_TEMP)
			abort();
	}
	if (sasl_count(tab) != 0)
		abort();
	return 0;
}
