/* serve.c: `postie serve` front-end: configuration, then the server. */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/log.h"
#include "server/config.h"
#include "server/server.h"

int
cli_serve(int argc, char **argv)
{
	struct srv_conf conf;
	char err[1024];
	int i, rc;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			conf_usage(stdout);
			return 0;
		}
	conf_defaults(&conf);
	if (conf_parse_args(&conf, argc, argv, err, sizeof(err)) < 0 ||
	    conf_validate(&conf, err, sizeof(err)) < 0 ||
	    conf_absolute(&conf, err, sizeof(err)) < 0) {
		fprintf(stderr, "postie: config: %s\n", err);
		conf_free(&conf);
		return 2;
	}
	if (conf.check_config) {
		conf_explain(&conf, stdout);
		printf("configuration OK\n");
		conf_free(&conf);
		return 0;
	}
	log_open(conf.syslog, conf.log_level);
	if (!conf.allow_plaintext_auth && conf.cert == NULL)
		log_warn(
		    "no TLS certificate and plaintext auth refused: nobody "
		    "can log in (give --cert/--key)");
	if (conf.allow_plaintext_auth)
		log_warn(
		    "allow-plaintext-auth: passwords may cross the network "
		    "in clear text");
	rc = server_run(&conf);
	conf_free(&conf);
	return rc;
}
