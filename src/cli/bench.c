/* bench.c: `postie bench`, the command line of the POP3 load generator:
 * options, the users file, and the report (a human summary on stderr, one
 * JSON object on stdout). The work is in bench_run.c and bench_sess.c. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/bench.h"
#include "cli/cli.h"
#include "lib/num.h"
#include "lib/util.h"

static const char usage_text[] =
    "usage: postie bench [--host ADDR] [--port N] [--tls none|stls|implicit]\n"
    "                    [-c CONNS] [-n SESSIONS | -t SECONDS]\n"
    "                    [--mode full|login|idle|steps] [--pipeline [N]]\n"
    "                    (--users-file FILE | --user NAME --password PASS)\n"
    "                    [--user NAME] [--user-prefix PREFIX] [--retr N]\n"
    "                    [--ramp N] [--hold SECONDS] [--timeout SECONDS]\n"
    "                    [--verify] [--wait-start]\n"
    "modes: full  = USER PASS STAT LIST UIDL RETR 1..n QUIT (never DELE)\n"
    "       login = USER PASS STAT QUIT\n"
    "       idle  = open -c connections (--ramp at a time), log in, STAT,\n"
    "               print a ready line, hold until SIGUSR1/SIGTERM or --hold,\n"
    "               then QUIT\n"
    "       steps = one session at a time, each step timed\n"
    "users file: \"user password\" lines; slot k of -c uses the users whose\n"
    "index is k modulo -c, so concurrent sessions never share a mailbox.\n"
    "--verify decodes bodies with the codec's dot-decoder (slower client).\n"
    "--wait-start prints {\"waiting\": true} and connects on SIGUSR1 (so a\n"
    "caller can measure the server with this process already running).\n"
    "Output: summary on stderr, one JSON object on stdout.\n";

struct users_sel {
	const char *file;
	const char *only[16];
	int nonly;
	const char *prefix;
	const char *password;
};

static bool
user_wanted(const struct users_sel *s, const char *name)
{
	int i;

	if (s->prefix != NULL &&
	    strncmp(name, s->prefix, strlen(s->prefix)) != 0)
		return false;
	if (s->nonly == 0)
		return true;
	for (i = 0; i < s->nonly; i++)
		if (strcmp(s->only[i], name) == 0)
			return true;
	return false;
}

/* Load the selected users into *users_r. Returns the count, or -1. */
static long
load_users(const struct users_sel *s, struct bench_user **users_r)
{
	struct bench_user *v = NULL, *nv;
	size_t n = 0, cap = 0, len;
	char line[2 * BENCH_NAME_MAX + 8], *sp;
	FILE *f;
	int i;

	if (s->file == NULL) {
		if (s->nonly == 0 || s->password == NULL)
			return -1;
		v = calloc((size_t)s->nonly, sizeof(*v));
		if (v == NULL)
			return -1;
		for (i = 0; i < s->nonly; i++)
			if (str_copy(v[i].name, s->only[i], BENCH_NAME_MAX) <
				0 ||
			    str_copy(v[i].pass, s->password, BENCH_NAME_MAX) <
				0) {
				free(v);
				return -1;
			}
		*users_r = v;
		return s->nonly;
	}
	if ((f = fopen(s->file, "r")) == NULL) {
		fprintf(stderr, "postie bench: %s: cannot open\n", s->file);
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL && n < BENCH_USERS_MAX) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (len == 0 || line[0] == '#' ||
		    (sp = strchr(line, ' ')) == NULL)
			continue;
		*sp++ = '\0';
		if (!user_wanted(s, line))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 256;
			nv = realloc(v, cap * sizeof(*v));
			if (nv == NULL)
				break;
			v = nv;
		}
		if (str_copy(v[n].name, line, BENCH_NAME_MAX) < 0 ||
		    str_copy(v[n].pass, s->password ? s->password : sp,
			BENCH_NAME_MAX) < 0)
			continue;
		n++;
	}
	fclose(f);
	*users_r = v;
	return (long)n;
}

/* Print s as a JSON string. */
static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch < 0x20 || ch >= 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static const char *
mode_name(enum bench_mode m)
{
	static const char *names[] = {"full", "login", "idle", "steps"};

	return names[m];
}

static const char *
tls_name(enum bench_tls t)
{
	static const char *names[] = {"none", "stls", "implicit"};

	return names[t];
}

static void
report(const struct bench_opts *o, struct bench_stats *st)
{
	static const char *steps[BS_COUNT] = {
	    "greeting", "login", "stat", "uidl", "list", "quit"};
	double el = (double)(st->end_us - st->start_us) / 1e6;
	double rate = el > 0 ? (double)st->sessions / el : 0;
	double mbs = el > 0 ? (double)st->rx_bytes / 1e6 / el : 0;
	double rmbs =
	    st->retr_us ? (double)st->retr_bytes / (double)st->retr_us : 0;
	uint64_t q[4];
	double div = st->sessions ? (double)st->sessions * 1000.0 : 1;
	int i;

	q[0] = bench_quantile(st->lat_us, st->nlat, 0.5);
	q[1] = bench_quantile(st->lat_us, st->nlat, 0.9);
	q[2] = bench_quantile(st->lat_us, st->nlat, 0.99);
	q[3] = bench_quantile(st->lat_us, st->nlat, 1.0);
	fprintf(stderr,
	    "postie bench: %s tls=%s c=%u window=%u: %llu sessions, %llu "
	    "errors in %.2f s = %.1f sessions/s, %.1f MB/s; RETR %llu msgs "
	    "%.1f MB/s, %llu size mismatches; latency ms p50 %.2f p90 %.2f "
	    "p99 %.2f max %.2f\n",
	    mode_name(o->mode), tls_name(o->tls), o->conc, o->window,
	    (unsigned long long)st->sessions, (unsigned long long)st->errors,
	    el, rate, mbs, (unsigned long long)st->retr_msgs, rmbs,
	    (unsigned long long)st->mismatches, q[0] / 1e3, q[1] / 1e3,
	    q[2] / 1e3, q[3] / 1e3);
	if (st->first_err[0] != '\0')
		fprintf(
		    stderr, "postie bench: first error: %s\n", st->first_err);
	printf("{\"mode\": \"%s\", \"tls\": \"%s\", \"conc\": %u, "
	       "\"window\": %u, \"sessions\": %llu, \"errors\": %llu, "
	       "\"elapsed_s\": %.4f, \"sessions_per_s\": %.2f, "
	       "\"rx_bytes\": %llu, \"MB_per_s\": %.2f, \"retr_msgs\": %llu, "
	       "\"retr_bytes\": %llu, \"retr_MB_per_s\": %.2f, "
	       "\"mismatches\": %llu, \"lat_ms\": {\"p50\": %.3f, \"p90\": "
	       "%.3f, \"p99\": %.3f, \"max\": %.3f}, \"idle_conns\": %u, "
	       "\"steps_ms\": {",
	    mode_name(o->mode), tls_name(o->tls), o->conc, o->window,
	    (unsigned long long)st->sessions, (unsigned long long)st->errors,
	    el, rate, (unsigned long long)st->rx_bytes, mbs,
	    (unsigned long long)st->retr_msgs,
	    (unsigned long long)st->retr_bytes, rmbs,
	    (unsigned long long)st->mismatches, q[0] / 1e3, q[1] / 1e3,
	    q[2] / 1e3, q[3] / 1e3, st->idle_conns);
	for (i = 0; i < BS_COUNT; i++)
		printf("%s\"%s\": %.3f", i ? ", " : "", steps[i],
		    (double)st->steps_us[i] / div);
	printf("}, \"first_error\": ");
	json_str(stdout, st->first_err);
	printf("}\n");
	fflush(stdout);
}

/* Parse a number option into *v (bounds inclusive). 0 or -1 with a message. */
static int
num_opt(
    const char *name, const char *arg, uint64_t min, uint64_t max, uint64_t *v)
{
	if (num_parse_str(arg, min, max, v) == 0)
		return 0;
	fprintf(stderr, "postie bench: %s: expected a number %llu..%llu\n",
	    name, (unsigned long long)min, (unsigned long long)max);
	return -1;
}

enum {
	O_HOST = 256,
	O_PORT,
	O_TLS,
	O_MODE,
	O_PIPE,
	O_UFILE,
	O_USER,
	O_PREFIX,
	O_PASS,
	O_RETR,
	O_RAMP,
	O_HOLD,
	O_TIMEOUT,
	O_VERIFY,
	O_WAIT
};

static const struct option longopts[] = {
    {"host", required_argument, NULL, O_HOST},
    {"port", required_argument, NULL, O_PORT},
    {"tls", required_argument, NULL, O_TLS},
    {"mode", required_argument, NULL, O_MODE},
    {"pipeline", optional_argument, NULL, O_PIPE},
    {"users-file", required_argument, NULL, O_UFILE},
    {"user", required_argument, NULL, O_USER},
    {"user-prefix", required_argument, NULL, O_PREFIX},
    {"password", required_argument, NULL, O_PASS},
    {"retr", required_argument, NULL, O_RETR},
    {"ramp", required_argument, NULL, O_RAMP},
    {"hold", required_argument, NULL, O_HOLD},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {"verify", no_argument, NULL, O_VERIFY},
    {"wait-start", no_argument, NULL, O_WAIT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Apply one option. 0, 1 for --help, -1 on error. */
static int
one_opt(int ch, const char *arg, struct bench_opts *o, struct users_sel *s)
{
	uint64_t v = 0;

	switch (ch) {
	case O_HOST:
		return str_copy(o->host, arg, sizeof(o->host)) < 0 ? -1 : 0;
	case O_PORT:
		if (num_opt("--port", arg, 1, 65535, &v) < 0)
			return -1;
		o->port = (uint16_t)v;
		return 0;
	case O_TLS:
		if (strcmp(arg, "none") == 0)
			o->tls = BT_NONE;
		else if (strcmp(arg, "stls") == 0)
			o->tls = BT_STLS;
		else if (strcmp(arg, "implicit") == 0)
			o->tls = BT_IMPLICIT;
		else
			return -1;
		return 0;
	case O_MODE:
		if (strcmp(arg, "full") == 0)
			o->mode = BM_FULL;
		else if (strcmp(arg, "login") == 0)
			o->mode = BM_LOGIN;
		else if (strcmp(arg, "idle") == 0)
			o->mode = BM_IDLE;
		else if (strcmp(arg, "steps") == 0)
			o->mode = BM_STEPS;
		else
			return -1;
		return 0;
	case O_PIPE:
		o->window = 32;
		if (arg != NULL &&
		    num_opt("--pipeline", arg, 1, BENCH_WINDOW_MAX, &v) < 0)
			return -1;
		if (arg != NULL)
			o->window = (uint32_t)v;
		return 0;
	case O_UFILE:
		s->file = arg;
		return 0;
	case O_USER:
		if (s->nonly >= 16)
			return -1;
		s->only[s->nonly++] = arg;
		return 0;
	case O_PREFIX:
		s->prefix = arg;
		return 0;
	case O_PASS:
		s->password = arg;
		return 0;
	case O_RETR:
		if (num_opt("--retr", arg, 0, BENCH_MSGS_MAX, &v) < 0)
			return -1;
		o->retr_max = (uint32_t)v;
		return 0;
	case O_RAMP:
		if (num_opt("--ramp", arg, 1, BENCH_CONNS_MAX, &v) < 0)
			return -1;
		o->ramp = (uint32_t)v;
		return 0;
	case O_HOLD:
		if (num_opt("--hold", arg, 0, 86400, &v) < 0)
			return -1;
		o->hold_s = (uint32_t)v;
		return 0;
	case O_TIMEOUT:
		if (num_opt("--timeout", arg, 1, 3600, &v) < 0)
			return -1;
		o->timeout_ms = (int)v * 1000;
		return 0;
	case O_VERIFY:
		o->verify = true;
		return 0;
	case O_WAIT:
		o->wait_start = true;
		return 0;
	case 'c':
		if (num_opt("-c", arg, 1, BENCH_CONNS_MAX, &v) < 0)
			return -1;
		o->conc = (uint32_t)v;
		return 0;
	case 'n':
		return num_opt("-n", arg, 1, UINT32_MAX, &o->sessions);
	case 't':
		if (num_opt("-t", arg, 1, 86400, &v) < 0)
			return -1;
		o->duration_ms = v * 1000u;
		return 0;
	case 'h':
		return 1;
	default:
		return -1;
	}
}

int
cli_bench(int argc, char **argv)
{
	struct bench_opts o;
	struct bench_stats st;
	struct users_sel sel;
	struct bench_user *users = NULL;
	long nusers;
	int ch, rc;

	memset(&o, 0, sizeof(o));
	memset(&sel, 0, sizeof(sel));
	(void)str_copy(o.host, "127.0.0.1", sizeof(o.host));
	o.port = 110;
	o.conc = 1;
	o.window = 1;
	o.ramp = 50;
	o.hold_s = 600;
	o.timeout_ms = 60000;
	optind = 1;
	while (
	    (ch = getopt_long(argc, argv, "c:n:t:h", longopts, NULL)) != -1) {
		rc = one_opt(ch, optarg, &o, &sel);
		if (rc != 0) {
			fputs(usage_text, rc > 0 ? stdout : stderr);
			return rc > 0 ? 0 : 2;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "postie bench: unexpected argument %s\n%s",
		    argv[optind], usage_text);
		return 2;
	}
	/* Without -n or -t: one session (idle mode holds -c connections). */
	if (o.sessions == 0 && o.duration_ms == 0 && o.mode != BM_IDLE)
		o.sessions = 1;
	if (o.mode == BM_STEPS)
		o.window = 1; /* each step timed on its own */
	nusers = load_users(&sel, &users);
	if (nusers <= 0) {
		fprintf(stderr,
		    "postie bench: no users (--users-file, or --user "
		    "with --password)\n%s",
		    usage_text);
		free(users);
		return 2;
	}
	o.users = users;
	o.nusers = (size_t)nusers;
	if (bench_run(&o, &st) < 0) {
		fprintf(stderr, "postie bench: %s\n", st.first_err);
		free(users);
		return 1;
	}
	report(&o, &st);
	rc = st.sessions == 0 || st.mismatches != 0 ? 1 : 0;
	bench_stats_free(&st);
	free(users);
	return rc;
}
