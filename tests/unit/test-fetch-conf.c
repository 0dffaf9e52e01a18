/* test-fetch-conf.c: config file, URL and settings (src/fetch/conf*.c). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fetch/conf.h"
#include "harness.h"

static int
parse(const char *text, struct fa_account **acc, size_t *n, char *why)
{
	return fa_parse("t.conf", text, strlen(text), acc, n, why, 300);
}

TEST(fetch_conf_url)
{
	struct fa_account a;
	char why[200];

	fa_defaults(&a);
	CHECK(fa_parse_url(&a, "pop3s://alice@mail.example:9995", why,
		  sizeof(why)) == 0);
	CHECK_STR(a.user, "alice");
	CHECK_STR(a.host, "mail.example");
	CHECK(a.port == 9995 && a.tls == FA_TLS_IMPLICIT);
	CHECK(
	    fa_parse_url(&a, "pop3://bob%40corp@[::1]", why, sizeof(why)) == 0);
	CHECK_STR(a.user, "bob@corp");
	CHECK_STR(a.host, "::1");
	CHECK(a.port == 0 && a.tls == FA_TLS_STLS);
	CHECK(fa_parse_url(&a, "pop3://u@[::1]:110/", why, sizeof(why)) == 0);
	CHECK(a.port == 110);
	/* Never a password in a URL; no other schemes; bad ports. */
	CHECK(fa_parse_url(&a, "pop3s://u:pw@h", why, sizeof(why)) < 0);
	CHECK(strstr(why, "password") != NULL);
	CHECK(fa_parse_url(&a, "imap://u@h", why, sizeof(why)) < 0);
	CHECK(fa_parse_url(&a, "pop3s://h", why, sizeof(why)) < 0);
	CHECK(fa_parse_url(&a, "pop3s://u@h:0", why, sizeof(why)) < 0);
	CHECK(fa_parse_url(&a, "pop3s://u@h:65536", why, sizeof(why)) < 0);
	CHECK(fa_parse_url(&a, "pop3s://u@h:12a", why, sizeof(why)) < 0);
	CHECK(fa_parse_url(&a, "pop3s://u@h/INBOX", why, sizeof(why)) < 0);
	CHECK(fa_parse_url(&a, "pop3s://%zz@h", why, sizeof(why)) < 0);
	CHECK(fa_parse_url(&a, "pop3s://%0a@h", why, sizeof(why)) < 0);
	CHECK(fa_parse_url(&a, "pop3s://u@[::1", why, sizeof(why)) < 0);
	CHECK(fa_parse_url(&a, "pop3s://u@", why, sizeof(why)) < 0);
}

TEST(fetch_conf_file)
{
	static const char text[] = "# comment\n"
				   "[defaults]\n"
				   "policy = delete\n"
				   "password-file = /home/x/pw\n"
				   "\n"
				   "[account work]\n"
				   "url = pop3s://alice@pop.example.com\n"
				   "maildir = /home/x/Mail/work\n"
				   "size-limit = 10M\n"
				   "oversize = headers\n"
				   "auth = plain, user\n"
				   "  [account home]  \n"
				   "host = pop.home\n"
				   "port = 110\n"
				   "tls = starttls\n"
				   "user = bob\n"
				   "mbox = /var/mail/bob\n"
				   "policy = keep\n"
				   "delete-after = 30\n"
				   "password-command = pass show mail\n";
	struct fa_account *acc = NULL;
	char why[300];
	size_t n = 0;

	CHECK(parse(text, &acc, &n, why) == 0);
	CHECK(n == 2);
	if (n != 2)
		return;
	CHECK_STR(acc[0].name, "work");
	CHECK(acc[0].port == 995 && acc[0].policy == FA_DELETE);
	CHECK(acc[0].size_limit == 10 * 1024 * 1024);
	CHECK(acc[0].oversize == FA_OVER_HEADERS);
	CHECK(acc[0].nmech == 2 && acc[0].mech[0] == FA_MECH_PLAIN &&
	      acc[0].mech[1] == FA_MECH_USER);
	CHECK(acc[0].pwsrc == FA_PW_FILE);
	CHECK_STR(acc[0].pwarg, "/home/x/pw");
	CHECK_STR(acc[1].name, "home");
	CHECK(acc[1].port == 110 && acc[1].tls == FA_TLS_STLS);
	CHECK(acc[1].dest == FA_DEST_MBOX);
	CHECK(acc[1].policy == FA_DELETE_AFTER &&
	      acc[1].delete_after_s == 30 * 86400);
	CHECK(acc[1].pwsrc == FA_PW_COMMAND);
	CHECK_STR(acc[1].pwarg, "pass show mail");
	free(acc);
}

TEST(fetch_conf_errors)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
	    {"[account a]\nurl = pop3s://u@h\nmaildir = /m\nfoo = 1\n",
		"t.conf:4: foo: unknown key"},
	    {"[account a]\nurl = pop3s://u@h\n", "no destination"},
	    {"[account a]\nmaildir = /m\nuser = u\n", "no host"},
	    {"[account a]\nurl = pop3s://u@h\nmaildir=/m\n[account a]\n",
		"duplicate account"},
	    {"[account a b]\n", "account names"},
	    {"[account a]\nurl = pop3s://u@h\nmaildir=/m\n[defaults]\n",
		"before the first account"},
	    {"[account a]\nport = 0\n", "port"},
	    {"[account a]\nsize-limit = 10Q\n", "size"},
	    {"[account a]\ntls = maybe\n", "unknown value"},
	    {"[account a]\nauth = CRAM-MD5\n", "unknown mechanism"},
	    {"[account a]\nnonsense\n", "key = value"},
	    {"[bogus]\n", "expected [defaults]"},
	    {"policy = keep\n", "no [account"},
	    {"[account a]\ntimeout = 5x\n", "duration"},
	    {"[account a]\npipeline-window = 1000\n", "from 1 to 128"},
	};
	struct fa_account *acc = NULL;
	char why[300];
	size_t n, i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why[0] = '\0';
		CHECK(parse(bad[i].text, &acc, &n, why) < 0);
		if (!CHECK(strstr(why, bad[i].want) != NULL))
			printf("  case %zu: got \"%s\"\n", i, why);
	}
}

TEST(fetch_conf_line_caps)
{
	struct fa_account *acc = NULL;
	char why[300], *big;
	size_t n;

	big = malloc(CONF_LINE_MAX + 64);
	if (big == NULL)
		return;
	memcpy(big, "[account a]\nhost = ", 19);
	memset(big + 19, 'h', CONF_LINE_MAX + 10);
	big[CONF_LINE_MAX + 29] = '\0';
	CHECK(parse(big, &acc, &n, why) < 0);
	CHECK(strstr(why, "too long") != NULL);
	free(big);
	CHECK(fa_parse("t", "[account a]\nhost = x\0y\n", 23, &acc, &n, why,
		  sizeof(why)) < 0);
}

TEST(fetch_conf_home_and_relative_paths)
{
	struct fa_account a;
	char why[200], *old = getenv("HOME");

	fa_defaults(&a);
	setenv("HOME", "/home/tester", 1);
	CHECK(fa_set(&a, "maildir", "~/Mail", why, sizeof(why)) == 0);
	CHECK_STR(a.dest_path, "/home/tester/Mail");
	CHECK(fa_set(&a, "mbox", "rel/box", why, sizeof(why)) == 0);
	CHECK(a.dest_path[0] == '/' && strstr(a.dest_path, "/rel/box"));
	CHECK(a.dest == FA_DEST_MBOX);
	if (old != NULL)
		setenv("HOME", old, 1);
}
