/* cli.h: subcommand entry points. Each takes argv with argv[0] = the
 * subcommand name and returns the process exit status. */
#ifndef POSTIE_CLI_H
#define POSTIE_CLI_H

int cli_serve(int argc, char **argv);       /* src/cli/serve.c */
int cli_user(int argc, char **argv);        /* src/cli/user.c */
int cli_fetch(int argc, char **argv);       /* src/cli/fetch.c */
int cli_verify(int argc, char **argv);      /* src/cli/fetch.c */
int cli_audit(int argc, char **argv);       /* src/cli/audit.c */
int cli_ls(int argc, char **argv);          /* src/cli/read.c */
int cli_show(int argc, char **argv);        /* src/cli/read.c */
int cli_attachments(int argc, char **argv); /* src/cli/read.c */
int cli_scan(int argc, char **argv);        /* src/cli/scan.c */
int cli_bench(int argc, char **argv);       /* src/cli/bench.c */

#endif
