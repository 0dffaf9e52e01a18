/* audit.c: `postie audit`, the command-line front end of src/audit. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit/audit.h"
#include "cli/cli.h"
#include "lib/limits.h"
#include "lib/num.h"
#include "lib/util.h"

enum {
	O_LIST = 256,
	O_PLAN,
	O_FORMAT,
	O_FAILON,
	O_BASELINE,
	O_USER,
	O_PWFILE,
	O_PWENV,
	O_VALID,
	O_CLEAR,
	O_CA,
	O_SRC,
	O_ALTSRC,
	O_INTR,
	O_AUTHBY,
	O_CANARY,
	O_FAST,
	O_ONLY,
	O_IDLE,
	O_TIMEOUT,
	O_JOBS,
	O_LAB,
	O_NOLAB,
	O_SECRETS,
	O_COLOR,
	O_NOCOLOR
};

static const struct option longopts[] = {
    {"list", no_argument, NULL, O_LIST},
    {"plan", no_argument, NULL, O_PLAN},
    {"format", required_argument, NULL, O_FORMAT},
    {"output", required_argument, NULL, 'o'},
    {"fail-on", required_argument, NULL, O_FAILON},
    {"baseline", required_argument, NULL, O_BASELINE},
    {"user", required_argument, NULL, O_USER},
    {"password-file", required_argument, NULL, O_PWFILE},
    {"password-env", required_argument, NULL, O_PWENV},
    {"valid-user", required_argument, NULL, O_VALID},
    {"allow-cleartext-creds", no_argument, NULL, O_CLEAR},
    {"ca", required_argument, NULL, O_CA},
    {"source-ip", required_argument, NULL, O_SRC},
    {"alt-source-ip", required_argument, NULL, O_ALTSRC},
    {"intrusive", no_argument, NULL, O_INTR},
    {"authorized-by", required_argument, NULL, O_AUTHBY},
    {"lockout-canary", no_argument, NULL, O_CANARY},
    {"fast", no_argument, NULL, O_FAST},
    {"only", required_argument, NULL, O_ONLY},
    {"idle-max", required_argument, NULL, O_IDLE},
    {"timeout", required_argument, NULL, O_TIMEOUT},
    {"jobs", required_argument, NULL, O_JOBS},
    {"lab", no_argument, NULL, O_LAB},
    {"no-lab", no_argument, NULL, O_NOLAB},
    {"show-secrets", no_argument, NULL, O_SECRETS},
    {"color", no_argument, NULL, O_COLOR},
    {"no-color", no_argument, NULL, O_NOCOLOR},
    {"verbose", no_argument, NULL, 'v'},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

static void
usage(FILE *f)
{
	fputs(
	    "usage: postie audit [OPTIONS] TARGET...\n"
	    "  TARGET: pop3://HOST[:PORT] (cleartext/STLS), pop3s://HOST[:PORT]"
	    " (implicit TLS),\n"
	    "          or HOST (ports 110 and 995)\n"
	    "  --list               print the check catalogue (--format "
	    "text|json|markdown)\n"
	    "  --plan               print every probe and its budget; send "
	    "nothing\n"
	    "  --format FMT         text (default), json, sarif, junit\n"
	    "  -o, --output FILE    write the report to FILE\n"
	    "  --fail-on SEV        exit 1 at findings >= SEV (critical, high,"
	    " medium, low,\n"
	    "                       info, none); default high\n"
	    "  --baseline FILE      compare with a previous JSON report; gate "
	    "on new findings\n"
	    "  --user NAME          CRED checks with this account, password "
	    "from\n"
	    "  --password-file F | --password-env VAR\n"
	    "  --valid-user NAME    a known-valid user name (enumeration, "
	    "repeatable)\n"
	    "  --allow-cleartext-creds  allow sending --user's password "
	    "without TLS\n"
	    "  --ca FILE            trust anchor for the certificate check\n"
	    "  --source-ip ADDR     bind probes to ADDR (--alt-source-ip for "
	    "AUTH-07)\n"
	    "  --intrusive --authorized-by TEXT   enable INTRUSIVE checks "
	    "(recorded)\n"
	    "  --lockout-canary     the --user account may be locked "
	    "(P3-AUTH-07)\n"
	    "  --fast               skip the idle-timeout check\n"
	    "  --only ID[,ID..]     run only these checks\n"
	    "  --idle-max SECS      cap of the idle-timeout wait (<= 900)\n"
	    "  --timeout SECS       per-reply timeout (default 10)\n"
	    "  --jobs N             concurrent probes (default 8)\n"
	    "  --lab | --no-lab     lower severities one step (auto for "
	    "loopback)\n"
	    "  --show-secrets       report found passwords in clear\n"
	    "  -v, --verbose        evidence for every check\n"
	    "exit: 0 ok, 1 findings, 2 usage, 3 unreachable/incomplete, "
	    "4 refused by the safety policy\n",
	    f);
}

/* Read the first line of path as the password (heap, caller wipes). */
static char *
read_password(const char *path)
{
	char line[P3_PASS_MAX + 2];
	FILE *f = fopen(path, "r");
	char *p = NULL;
	size_t n;

	if (f == NULL)
		return NULL;
	if (fgets(line, sizeof(line), f) != NULL) {
		n = strcspn(line, "\r\n");
		line[n] = '\0';
		if (n > 0 && n <= P3_PASS_MAX)
			p = strdup(line);
	}
	mem_wipe(line, sizeof(line));
	fclose(f);
	return p;
}

static int
parse_only(struct au_opts *o, const char *arg)
{
	char id[32];

	o->only_set = true;
	while (*arg != '\0') {
		size_t n = strcspn(arg, ",");
		const struct au_check *c;

		if (n == 0 || n >= sizeof(id))
			return -1;
		memcpy(id, arg, n);
		id[n] = '\0';
		c = au_check_find(id);
		if (c == NULL)
			return -1;
		o->only[c->idx] = true;
		arg += n;
		if (*arg == ',')
			arg++;
	}
	return 0;
}

struct cli {
	struct au_opts o;
	const char *format, *output, *baseline;
	enum au_sev fail_on;
	bool list, plan, verbose;
	int color; /* -1 auto */
};

static int
parse(struct cli *a, int argc, char **argv)
{
	char err[300];
	uint64_t v;
	int ch, i;

	while ((ch = getopt_long(argc, argv, "vho:", longopts, NULL)) != -1) {
		switch (ch) {
		case O_LIST:
			a->list = true;
			break;
		case O_PLAN:
			a->plan = true;
			break;
		case O_FORMAT:
			a->format = optarg;
			break;
		case 'o':
			a->output = optarg;
			break;
		case O_BASELINE:
			a->baseline = optarg;
			break;
		case O_USER:
			a->o.user = optarg;
			break;
		case O_CLEAR:
			a->o.allow_cleartext_creds = true;
			break;
		case O_CA:
			a->o.ca_file = optarg;
			break;
		case O_SRC:
			a->o.source_ip = optarg;
			break;
		case O_ALTSRC:
			a->o.alt_source_ip = optarg;
			break;
		case O_INTR:
			a->o.intrusive = true;
			break;
		case O_AUTHBY:
			a->o.authorized_by = optarg;
			break;
		case O_CANARY:
			a->o.lockout_canary = true;
			break;
		case O_FAST:
			a->o.fast = true;
			break;
		case O_LAB:
			a->o.lab = 1;
			break;
		case O_NOLAB:
			a->o.lab = 0;
			break;
		case O_SECRETS:
			a->o.show_secrets = true;
			break;
		case O_COLOR:
			a->color = 1;
			break;
		case O_NOCOLOR:
			a->color = 0;
			break;
		case 'v':
			a->verbose = true;
			break;
		case 'h':
			usage(stdout);
			return -3;
		case O_FAILON:
			if (au_sev_parse(optarg, &a->fail_on) != 0)
				return -1;
			break;
		case O_PWFILE:
		case O_PWENV: {
			const char *env = ch == O_PWENV ? getenv(optarg) : NULL;

			au_opts_free(&a->o);
			a->o.password =
			    ch == O_PWFILE ? read_password(optarg)
			    : env != NULL && strlen(env) <= P3_PASS_MAX
				? strdup(env)
				: NULL;
			if (a->o.password == NULL) {
				fprintf(stderr,
				    "postie audit: cannot read a "
				    "password from %s\n",
				    optarg);
				return -1;
			}
			break;
		}
		case O_VALID:
			if (a->o.nvalid == AU_MAX_VALID_USERS)
				return -1;
			a->o.valid_users[a->o.nvalid++] = optarg;
			break;
		case O_ONLY:
			if (parse_only(&a->o, optarg) != 0)
				return -1;
			break;
		case O_IDLE:
			if (num_parse_str(optarg, 1, AU_IDLE_MAX_S, &v) != 0)
				return -1;
			a->o.idle_max_s = (unsigned)v;
			break;
		case O_TIMEOUT:
			if (num_parse_str(optarg, 1, 120, &v) != 0)
				return -1;
			a->o.timeout_ms = (int)v * 1000;
			break;
		case O_JOBS:
			if (num_parse_str(optarg, 1, 16, &v) != 0)
				return -1;
			a->o.jobs = (unsigned)v;
			break;
		default:
			return -1;
		}
	}
	for (i = optind; i < argc; i++) {
		if (au_opts_target(&a->o, argv[i], err, sizeof(err)) != 0) {
			fprintf(stderr, "postie audit: %s\n", err);
			return -1;
		}
	}
	return 0;
}

static int
report(struct cli *a, FILE *out, struct au_run *r, const struct au_baseline *b)
{
	bool color = a->color == 1 ||
		     (a->color == -1 && out == stdout &&
			 isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL);
	int rc;

	if (strcmp(a->format, "text") == 0) {
		bool p1 = au_run_pending(r, AU_DOS01);
		bool p2 = au_run_pending(r, AU_DOS02);

		/* everything but the idle-timeout probes, while they run */
		rc = au_report_text(out, r, b, color, a->verbose);
		fflush(out);
		if (p1 && isatty(STDERR_FILENO))
			fprintf(stderr,
			    "(waiting up to %u s for the server to "
			    "close an idle connection: P3-DOS-01; --fast skips "
			    "it)\n",
			    a->o.idle_max_s);
		au_run_finish(r);
		if (p1)
			au_report_text_one(
			    out, r, AU_DOS01, b, color, a->verbose);
		if (p2)
			au_report_text_one(
			    out, r, AU_DOS02, b, color, a->verbose);
		return rc | au_report_text_summary(out, r, color);
	}
	au_run_finish(r);
	if (strcmp(a->format, "json") == 0)
		return au_report_json(out, r, b);
	if (strcmp(a->format, "sarif") == 0)
		return au_report_sarif(out, r);
	return au_report_junit(out, r, a->fail_on);
}

static int
run(struct cli *a)
{
	struct au_baseline bl;
	struct au_run r;
	char err[400];
	FILE *out = stdout;
	int rc;

	memset(&bl, 0, sizeof(bl));
	if (a->baseline != NULL &&
	    au_baseline_load(a->baseline, &bl, err, sizeof(err)) != 0) {
		fprintf(stderr, "postie audit: baseline: %s\n", err);
		return AU_EXIT_USAGE;
	}
	if (a->output != NULL && (out = fopen(a->output, "w")) == NULL) {
		fprintf(stderr, "postie audit: %s: %s\n", a->output,
		    strerror(errno));
		return AU_EXIT_USAGE;
	}
	if (a->o.intrusive)
		fprintf(stderr,
		    "postie audit: INTRUSIVE checks enabled, "
		    "authorized by: %s. Test only systems you are authorized "
		    "to test.\n",
		    a->o.authorized_by);
	if (au_run_start(&r, &a->o) != 0) {
		fprintf(
		    stderr, "postie audit: cannot resolve '%s'\n", a->o.host);
		au_run_free(&r);
		if (out != stdout)
			fclose(out);
		return AU_EXIT_INCOMPLETE;
	}
	rc = report(a, out, &r, a->baseline != NULL ? &bl : NULL);
	if (fflush(out) != 0 || rc != 0)
		fprintf(stderr, "postie audit: error writing the report\n");
	if (out != stdout)
		fclose(out);
	rc = au_exit_code(&r, a->fail_on, a->baseline != NULL ? &bl : NULL);
	au_run_free(&r);
	return rc;
}

int
cli_audit(int argc, char **argv)
{
	struct cli a;
	char err[400];
	int rc;

	memset(&a, 0, sizeof(a));
	au_opts_init(&a.o);
	a.format = "text";
	a.fail_on = AU_SEV_HIGH;
	a.color = -1;
	optind = 1;
	rc = parse(&a, argc, argv);
	if (rc != 0) {
		au_opts_free(&a.o);
		if (rc == -3)
			return 0;
		fputs("postie audit: bad usage; see 'postie audit --help'\n",
		    stderr);
		return AU_EXIT_USAGE;
	}
	if (a.list) {
		rc = au_list(stdout, a.format) == 0 ? 0 : AU_EXIT_USAGE;
		au_opts_free(&a.o);
		return rc;
	}
	if (strcmp(a.format, "text") != 0 && strcmp(a.format, "json") != 0 &&
	    strcmp(a.format, "sarif") != 0 && strcmp(a.format, "junit") != 0) {
		fprintf(
		    stderr, "postie audit: unknown --format '%s'\n", a.format);
		au_opts_free(&a.o);
		return AU_EXIT_USAGE;
	}
	rc = au_policy_check(&a.o, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "postie audit: %s\n", err);
		au_opts_free(&a.o);
		return rc;
	}
	if (a.plan) {
		au_plan_print(stdout, &a.o);
		au_opts_free(&a.o);
		return 0;
	}
	rc = run(&a);
	au_opts_free(&a.o);
	return rc;
}
