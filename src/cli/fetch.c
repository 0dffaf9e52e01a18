/* fetch.c: the `postie fetch` and `postie verify` command lines. One-off
 * form: postie fetch pop3s://user@host[:port] --maildir DIR
 * --password-file FILE [...]; otherwise accounts come from the config file
 * (docs/fetch.md). Passwords are never taken from the command line. */
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "fetch/multi.h"
#include "fetch/verify.h"
#include "lib/log.h"
#include "lib/num.h"
#include "lib/util.h"

#define ACCT_OPTS_MAX 32

static const char usage_text[] =
    "usage: postie fetch pop3s://USER@HOST[:PORT] --maildir DIR\n"
    "                    [--password-file FILE | --password-command CMD]\n"
    "                    [--ca FILE] [--pin SHA256] [--delete] [options]\n"
    "       postie fetch pop3://USER@HOST[:PORT] ...   (STLS required)\n"
    "       postie fetch [--config FILE] [--account NAME]... [options]\n"
    "\n"
    "account options (one-off form only):\n"
    "  --maildir DIR | --mbox FILE | --mda CMD   destination\n"
    "  --lmtp HOST:PORT|SOCKET | --smtp HOST:PORT [--rcpt ADDR]\n"
    "  --password-file FILE | --password-command CMD (else a prompt)\n"
    "  --ca FILE  --pin SHA256  --insecure-plaintext (pop3:// without TLS)\n"
    "  --auth MECHS  --keep | --delete | --delete-after DAYS\n"
    "  --size-limit SIZE  --oversize skip|headers  --max-message-size SIZE\n"
    "  --window N  --timeout SECS  --session-timeout SECS\n"
    "  --source-address IP  --mass-new-percent N  --mass-new-min N\n"
    "run options:\n"
    "  --all  --dry-run  --rebuild-state  --accept-new  --parallel N\n"
    "  --daemon  --json  --quiet  --verbose  --progress  --no-progress\n"
    "exit: 0 ok, 1 some accounts failed, 2 usage/config, 3 authentication,\n"
    "      4 TLS/certificate, 5 server/protocol error (see docs/fetch.md)\n";

enum {
	O_CONFIG = 256,
	O_ACCOUNT,
	O_ALL,
	O_DRY,
	O_REBUILD,
	O_ACCEPT,
	O_JSON,
	O_PARALLEL,
	O_DAEMON,
	O_PROGRESS,
	O_NOPROGRESS,
	O_INSECURE,
	O_DELETE,
	O_KEEP,
	O_ACCT /* val >= O_ACCT: an account key, see acct_keys */
};

static const char *const acct_keys[] = {"maildir", "mbox", "mda",
    "password-file", "password-command", "ca", "pin", "auth", "delete-after",
    "size-limit", "oversize", "max-message-size", "pipeline-window", "timeout",
    "session-timeout", "source-address", "mass-new-percent", "mass-new-min",
    "lmtp", "smtp", "rcpt", NULL};

static const struct option longopts[] = {
    {"config", required_argument, NULL, O_CONFIG},
    {"account", required_argument, NULL, O_ACCOUNT},
    {"all", no_argument, NULL, O_ALL}, {"dry-run", no_argument, NULL, O_DRY},
    {"rebuild-state", no_argument, NULL, O_REBUILD},
    {"accept-new", no_argument, NULL, O_ACCEPT},
    {"json", no_argument, NULL, O_JSON},
    {"parallel", required_argument, NULL, O_PARALLEL},
    {"daemon", no_argument, NULL, O_DAEMON},
    {"progress", no_argument, NULL, O_PROGRESS},
    {"no-progress", no_argument, NULL, O_NOPROGRESS},
    {"insecure-plaintext", no_argument, NULL, O_INSECURE},
    {"delete", no_argument, NULL, O_DELETE},
    {"keep", no_argument, NULL, O_KEEP}, {"quiet", no_argument, NULL, 'q'},
    {"verbose", no_argument, NULL, 'v'}, {"help", no_argument, NULL, 'h'},
    {"maildir", required_argument, NULL, O_ACCT + 0},
    {"mbox", required_argument, NULL, O_ACCT + 1},
    {"mda", required_argument, NULL, O_ACCT + 2},
    {"password-file", required_argument, NULL, O_ACCT + 3},
    {"password-command", required_argument, NULL, O_ACCT + 4},
    {"ca", required_argument, NULL, O_ACCT + 5},
    {"pin", required_argument, NULL, O_ACCT + 6},
    {"auth", required_argument, NULL, O_ACCT + 7},
    {"delete-after", required_argument, NULL, O_ACCT + 8},
    {"size-limit", required_argument, NULL, O_ACCT + 9},
    {"oversize", required_argument, NULL, O_ACCT + 10},
    {"max-message-size", required_argument, NULL, O_ACCT + 11},
    {"window", required_argument, NULL, O_ACCT + 12},
    {"timeout", required_argument, NULL, O_ACCT + 13},
    {"session-timeout", required_argument, NULL, O_ACCT + 14},
    {"source-address", required_argument, NULL, O_ACCT + 15},
    {"mass-new-percent", required_argument, NULL, O_ACCT + 16},
    {"mass-new-min", required_argument, NULL, O_ACCT + 17},
    {"lmtp", required_argument, NULL, O_ACCT + 18},
    {"smtp", required_argument, NULL, O_ACCT + 19},
    {"rcpt", required_argument, NULL, O_ACCT + 20}, {NULL, 0, NULL, 0}};

struct args {
	const char *config;
	const char *accounts[FETCH_ACCOUNTS_MAX];
	size_t naccounts;
	struct {
		const char *key, *value;
	} set[ACCT_OPTS_MAX];
	size_t nset;
	bool insecure, json, daemon, quiet, verbose;
	int progress; /* -1 auto */
	unsigned parallel;
	struct fr_opts fo;
};

static pthread_mutex_t say_lock = PTHREAD_MUTEX_INITIALIZER;

static void
say(const char *line)
{
	pthread_mutex_lock(&say_lock);
	fprintf(stdout, "%s\n", line);
	fflush(stdout);
	pthread_mutex_unlock(&say_lock);
}

static int
usage_err(const char *msg, const char *arg)
{
	fprintf(stderr, "postie fetch: %s%s%s\n", msg, arg != NULL ? ": " : "",
	    arg != NULL ? arg : "");
	fputs("'postie fetch --help' for usage\n", stderr);
	return FX_USAGE;
}

static int
add_set(struct args *g, const char *key, const char *value)
{
	if (g->nset == ACCT_OPTS_MAX)
		return -1;
	g->set[g->nset].key = key;
	g->set[g->nset].value = value;
	g->nset++;
	return 0;
}

/* Parse argv into g; returns -1 to exit with *rc. */
static int
parse_args(int argc, char **argv, struct args *g, int *rc)
{
	uint64_t v;
	int ch;

	memset(g, 0, sizeof(*g));
	g->progress = -1;
	g->parallel = FETCH_PARALLEL_DEFAULT;
	g->fo.say = say;
	optind = 1;
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "qvh", longopts, NULL)) != -1) {
		switch (ch) {
		case O_CONFIG:
			g->config = optarg;
			break;
		case O_ACCOUNT:
			if (g->naccounts == FETCH_ACCOUNTS_MAX)
				goto toomany;
			g->accounts[g->naccounts++] = optarg;
			break;
		case O_ALL:
			g->fo.all = true;
			break;
		case O_DRY:
			g->fo.dry_run = true;
			break;
		case O_REBUILD:
			g->fo.rebuild_state = true;
			break;
		case O_ACCEPT:
			g->fo.accept_new = true;
			break;
		case O_JSON:
			g->json = true;
			break;
		case O_DAEMON:
			g->daemon = true;
			break;
		case O_PROGRESS:
			g->progress = 1;
			break;
		case O_NOPROGRESS:
			g->progress = 0;
			break;
		case O_INSECURE:
			g->insecure = true;
			break;
		case O_PARALLEL:
			if (num_parse_str(optarg, 1, FETCH_PARALLEL_MAX, &v) <
			    0) {
				*rc =
				    usage_err("--parallel wants 1..32", optarg);
				return -1;
			}
			g->parallel = (unsigned)v;
			break;
		case O_DELETE:
			if (add_set(g, "policy", "delete") < 0)
				goto toomany;
			break;
		case O_KEEP:
			if (add_set(g, "policy", "keep") < 0)
				goto toomany;
			break;
		case 'q':
			g->quiet = true;
			break;
		case 'v':
			g->verbose = true;
			break;
		case 'h':
			fputs(usage_text, stdout);
			*rc = 0;
			return -1;
		case '?':
			*rc = usage_err("unknown option or missing argument",
			    argv[optind - 1]);
			return -1;
		default:
			if (add_set(g, acct_keys[ch - O_ACCT], optarg) < 0)
				goto toomany;
			break;
		}
	}
	return 0;
toomany:
	*rc = usage_err("too many options", NULL);
	return -1;
}

static int
oneoff(struct args *g, const char *url, struct fa_account *a)
{
	char why[400];
	size_t i;

	fa_defaults(a);
	if (fa_parse_url(a, url, why, sizeof(why)) < 0)
		return usage_err(why, url);
	for (i = 0; i < g->nset; i++)
		if (fa_set(a, g->set[i].key, g->set[i].value, why,
			sizeof(why)) < 0) {
			fprintf(stderr, "postie fetch: --%s: %s\n",
			    g->set[i].key, why);
			return FX_USAGE;
		}
	if (g->insecure) {
		if (a->tls != FA_TLS_STLS)
			return usage_err("--insecure-plaintext goes with "
					 "pop3:// only",
			    NULL);
		a->tls = FA_TLS_PLAINTEXT;
	}
	if (str_fmt(a->name, sizeof(a->name), "%s@%s", a->user, a->host) < 0 &&
	    str_copy(a->name, a->host, sizeof(a->name)) < 0)
		a->name[sizeof(a->name) - 1] = '\0';
	if (fa_check(a, why, sizeof(why)) < 0)
		return usage_err(why, NULL);
	return 0;
}

static int
default_config(char *out, size_t cap)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x != NULL && x[0] == '/')
		return str_fmt(out, cap, "%s/postie/fetch.conf", x) < 0 ? -1
									: 0;
	if (home != NULL && home[0] == '/')
		return str_fmt(out, cap, "%s/.config/postie/fetch.conf", home) <
			       0
			   ? -1
			   : 0;
	return -1;
}

/* Load the config and keep the selected (or all enabled) accounts. */
static int
from_config(struct args *g, struct fa_account **acc_r, size_t *n_r)
{
	char path[FETCH_PATH_MAX], why[600];
	struct fa_account *acc;
	size_t n, i, j, keep = 0;

	if (g->nset > 0 || g->insecure)
		return usage_err("account options need the one-off form "
				 "(pop3s://...); put them in the config file",
		    NULL);
	if (g->config != NULL) {
		if (str_copy(path, g->config, sizeof(path)) < 0)
			return usage_err("config path too long", NULL);
	} else if (default_config(path, sizeof(path)) < 0) {
		return usage_err("no URL and no config file", NULL);
	}
	if (fa_load(path, &acc, &n, why, sizeof(why)) < 0) {
		fprintf(stderr, "postie: config: %s\n", why);
		return FX_USAGE;
	}
	for (j = 0; j < g->naccounts; j++) {
		for (i = 0; i < n; i++)
			if (strcmp(acc[i].name, g->accounts[j]) == 0)
				break;
		if (i == n) {
			free(acc);
			return usage_err("no such account", g->accounts[j]);
		}
	}
	for (i = 0; i < n; i++) {
		bool want = g->naccounts == 0 ? acc[i].enabled : false;

		for (j = 0; j < g->naccounts; j++)
			if (strcmp(acc[i].name, g->accounts[j]) == 0)
				want = true;
		if (want)
			acc[keep++] = acc[i];
	}
	if (keep == 0) {
		free(acc);
		return usage_err("no enabled account in", path);
	}
	*acc_r = acc;
	*n_r = keep;
	return 0;
}

int
cli_fetch(int argc, char **argv)
{
	char state_dir[FETCH_PATH_MAX], db_path[FETCH_PATH_MAX + 16];
	struct fa_account *acc = NULL;
	struct fm_job *jobs = NULL;
	struct args g;
	size_t n = 1, i;
	int rc;

	if (parse_args(argc, argv, &g, &rc) < 0)
		return rc;
	log_open(false, g.verbose || (g.daemon && !g.quiet) ? LOG_LVL_INFO
			: g.quiet                           ? LOG_LVL_ERR
							    : LOG_LVL_WARN);
	if (optind < argc - 1)
		return usage_err("more than one URL", argv[optind + 1]);
	if (optind == argc - 1) {
		if (g.config != NULL || g.naccounts > 0)
			return usage_err("a URL and --config/--account do not "
					 "mix",
			    NULL);
		acc = calloc(1, sizeof(*acc));
		if (acc == NULL)
			return FX_FAIL;
		if ((rc = oneoff(&g, argv[optind], acc)) != 0) {
			free(acc);
			return rc;
		}
	} else if ((rc = from_config(&g, &acc, &n)) != 0) {
		return rc;
	}
	if (fs_state_dir(state_dir, sizeof(state_dir)) < 0 ||
	    str_fmt(db_path, sizeof(db_path), "%s/state.db", state_dir) < 0) {
		fprintf(stderr, "postie fetch: cannot create the state "
				"directory ($XDG_STATE_HOME/postie or "
				"~/.local/state/postie)\n");
		free(acc);
		return FX_FAIL;
	}
	g.fo.state_dir = state_dir;
	g.fo.db_path = db_path;
	jobs = calloc(n, sizeof(*jobs));
	if (jobs == NULL) {
		free(acc);
		return FX_FAIL;
	}
	for (i = 0; i < n; i++)
		jobs[i].a = &acc[i];
	fm_passwords(jobs, n);
	if (g.daemon) {
		rc = fm_daemon(jobs, n, &g.fo, g.parallel);
	} else {
		fm_run_all(jobs, n, &g.fo, g.parallel,
		    g.progress == 1 || (g.progress < 0 && !g.quiet && !g.json &&
					   isatty(STDERR_FILENO)));
		for (i = 0; i < n; i++)
			if (!jobs[i].ready)
				fprintf(stderr, "postie fetch: %s: %s\n",
				    jobs[i].a->name, jobs[i].r.err);
		if (g.json || !g.quiet)
			fm_report(stdout, jobs, n, g.json, g.fo.dry_run);
		rc = fm_exit_code(jobs, n);
	}
	for (i = 0; i < n; i++)
		mem_wipe(jobs[i].pass, sizeof(jobs[i].pass));
	free(jobs);
	free(acc);
	return rc;
}

int
cli_verify(int argc, char **argv)
{
	char state_dir[FETCH_PATH_MAX], db_path[FETCH_PATH_MAX + 16];
	bool quiet = false, json = false;
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--quiet") == 0 ||
		    strcmp(argv[i], "-q") == 0)
			quiet = true;
		else if (strcmp(argv[i], "--json") == 0)
			json = true;
		else if (strcmp(argv[i], "--help") == 0) {
			fputs("usage: postie verify [--quiet] [--json]\n"
			      "Recomputes the SHA-256 of every message postie "
			      "fetch stored and reports\nany that changed or "
			      "disappeared. Exit 0 if all match, 1 if not.\n",
			    stdout);
			return 0;
		} else {
			fprintf(stderr, "postie verify: unknown argument %s\n",
			    argv[i]);
			return FX_USAGE;
		}
	}
	if (fs_state_dir(state_dir, sizeof(state_dir)) < 0 ||
	    str_fmt(db_path, sizeof(db_path), "%s/state.db", state_dir) < 0) {
		fprintf(stderr, "postie verify: no state directory\n");
		return FX_FAIL;
	}
	return fv_verify(db_path, stdout, quiet, json);
}
