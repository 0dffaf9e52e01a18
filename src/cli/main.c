/* main.c: postie's entry point; dispatches to a subcommand. */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} cmds[] = {
    {"serve", cli_serve, "run the POP3 server"},
    {"user", cli_user, "manage the users file (add, passwd, del, list)"},
    {"fetch", cli_fetch, "download mail from POP3 servers"},
    {"verify", cli_verify, "check downloaded mail against its checksums"},
    {"ls", cli_ls, "list downloaded messages"},
    {"show", cli_show, "show a downloaded message"},
    {"attachments", cli_attachments, "list or extract attachments"},
    {"scan", cli_scan, "warn about phishing and dangerous attachments"},
    {"audit", cli_audit, "audit a POP3 server's security"},
    {"bench", cli_bench, "POP3 load generator"},
};

static void
usage(FILE *f)
{
	size_t i;

	fputs("usage: postie COMMAND [ARGS]\n\ncommands:\n", f);
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		fprintf(f, "  %-12s %s\n", cmds[i].name, cmds[i].help);
	fputs("\n'postie COMMAND --help' describes each command.\n", f);
}

int
main(int argc, char **argv)
{
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (i = 0; i < sizeof(cmds) / sizeof(cmds[0]); i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "postie: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
