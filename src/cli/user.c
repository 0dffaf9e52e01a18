/* user.c: "postie user add|passwd|del|list": manage the users file.
 * Exit status: 0 ok, 1 usage or password-policy failure, 2 file error.
 * Passwords come from /dev/tty (no echo, asked twice) or one line of stdin
 * (--password-stdin); they are wiped as soon as they are hashed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "auth/lockout.h"
#include "auth/passwd.h"
#include "cli/cli.h"
#include "lib/limits.h"
#include "lib/num.h"
#include "lib/util.h"

#define USERS_DEFAULT "/etc/postie/users"
#define HASH_MAX      512 /* > CRYPT_OUTPUT_SIZE */
#define ERR_MAX       (STORE_PATH_MAX + 256)

enum { EX_OK = 0, EX_USAGE = 1, EX_FILE = 2 };

struct opts {
	const char *cmd, *users, *prefix, *user, *lockout;
	bool pw_stdin, force, no_scram;
	unsigned long scram_iter;
};

static volatile sig_atomic_t tty_signal;

static void
usage(FILE *fp)
{
	fputs("usage: postie user add|passwd|del USER [options]\n"
	      "       postie user list [--users FILE]\n"
	      "       postie user unlock USER [--users FILE] [--lockout-file "
	      "FILE]\n"
	      "options:\n"
	      "  --users FILE       users file (default " USERS_DEFAULT ")\n"
	      "  --password-stdin   read the password from one line of stdin\n"
	      "  --scheme S         yescrypt (default), bcrypt or "
	      "sha512-crypt\n"
	      "  --force            accept a password the policy refuses\n"
	      "  --scram-iter N     SCRAM-SHA-256 iterations (default 4096)\n"
	      "  --no-scram         store no SCRAM-SHA-256 keys\n",
	    fp);
}

static const char *
scheme_prefix(const char *name)
{
	if (strcmp(name, "yescrypt") == 0)
		return "$y$";
	if (strcmp(name, "bcrypt") == 0)
		return "$2b$";
	if (strcmp(name, "sha512-crypt") == 0)
		return "$6$";
	return NULL;
}

/* Returns 0, or EX_USAGE after printing why; -1 for --help. */
static int
parse_args(int argc, char **argv, struct opts *o)
{
	const char *a, *val;
	int i, npos = 0;
	bool optend = false;
	uint64_t iter;

	if (argc < 2) {
		usage(stderr);
		return EX_USAGE;
	}
	o->cmd = argv[1];
	if (strcmp(o->cmd, "-h") == 0 || strcmp(o->cmd, "--help") == 0) {
		usage(stdout);
		return -1;
	}
	for (i = 2; i < argc; i++) {
		a = argv[i];
		val = NULL;
		if (optend || a[0] != '-' || a[1] == '\0') {
			o->user = a;
			npos++;
		} else if (strcmp(a, "--") == 0) {
			optend = true;
		} else if (strcmp(a, "--password-stdin") == 0) {
			o->pw_stdin = true;
		} else if (strcmp(a, "--force") == 0) {
			o->force = true;
		} else if (strcmp(a, "--no-scram") == 0) {
			o->no_scram = true;
		} else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			return -1;
		} else if (strncmp(a, "--lockout-file", 14) == 0 &&
			   (a[14] == '\0' || a[14] == '=')) {
			if (a[14] == '=')
				o->lockout = a + 15;
			else if (i + 1 < argc)
				o->lockout = argv[++i];
			if (o->lockout == NULL || o->lockout[0] == '\0') {
				fprintf(stderr, "postie user: --lockout-file "
						"needs a value\n");
				return EX_USAGE;
			}
		} else if (strncmp(a, "--users", 7) == 0 ||
			   strncmp(a, "--scheme", 8) == 0 ||
			   strncmp(a, "--scram-iter", 12) == 0) {
			val = strchr(a, '=');
			if (val != NULL)
				val++;
			else if (i + 1 < argc)
				val = argv[++i];
			if (val == NULL || val[0] == '\0') {
				fprintf(stderr,
				    "postie user: %s needs a "
				    "value\n",
				    a);
				return EX_USAGE;
			}
			if (a[2] == 'u' && (a[7] == '\0' || a[7] == '=')) {
				o->users = val;
			} else if (strncmp(a, "--scram-iter", 12) == 0 &&
				   (a[12] == '\0' || a[12] == '=')) {
				if (num_parse_str(val, AUTH_SCRAM_ITER_MIN,
					AUTH_SCRAM_ITER_MAX, &iter) != 0) {
					fprintf(stderr,
					    "postie user: --scram-iter must be "
					    "%d to %d\n",
					    AUTH_SCRAM_ITER_MIN,
					    AUTH_SCRAM_ITER_MAX);
					return EX_USAGE;
				}
				o->scram_iter = (unsigned long)iter;
			} else if (a[2] == 's' &&
				   (a[8] == '\0' || a[8] == '=')) {
				if ((o->prefix = scheme_prefix(val)) == NULL) {
					fprintf(stderr,
					    "postie user: unknown "
					    "scheme %s (yescrypt, bcrypt, "
					    "sha512-crypt)\n",
					    val);
					return EX_USAGE;
				}
			} else {
				goto unknown;
			}
		} else {
			goto unknown;
		}
	}
	if (strcmp(o->cmd, "list") == 0
		? npos != 0
		: npos != 1 || (strcmp(o->cmd, "add") != 0 &&
				   strcmp(o->cmd, "passwd") != 0 &&
				   strcmp(o->cmd, "unlock") != 0 &&
				   strcmp(o->cmd, "del") != 0)) {
		usage(stderr);
		return EX_USAGE;
	}
	return 0;
unknown:
	fprintf(stderr, "postie user: unknown option %s\n", a);
	usage(stderr);
	return EX_USAGE;
}

/* Read one line from fd into buf (NUL-terminated, without "\n" or
 * "\r\n"), one byte at a time so that nothing stays in a stdio buffer.
 * 0, or -1 with *why_r. */
static int
read_pass_line(int fd, char *buf, size_t cap, const char **why_r)
{
	size_t len = 0;
	ssize_t n;
	char c;

	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR && !tty_signal)
			continue;
		if (n < 0) {
			*why_r = tty_signal ? "interrupted" : strerror(errno);
			goto fail;
		}
		if (n == 0 || c == '\n')
			break;
		if (len + 1 >= cap) {
			*why_r = "password too long";
			goto fail;
		}
		buf[len++] = c;
	}
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	if (len == 0) {
		*why_r = "empty password";
		return -1;
	}
	if (strlen(buf) != len) {
		*why_r = "password contains a NUL byte";
		goto fail;
	}
	return 0;
fail:
	mem_wipe(buf, cap);
	return -1;
}

static void
on_tty_signal(int sig)
{
	tty_signal = sig;
}

static int
tty_puts(int fd, const char *s)
{
	size_t len = strlen(s);

	return write(fd, s, len) == (ssize_t)len ? 0 : -1;
}

/* Prompt on fd with echo off; restores the terminal even on a signal. */
static int
tty_ask(int fd, const char *prompt, char *buf, size_t cap, const char **why_r)
{
	struct termios old, quiet;
	struct sigaction sa, saved[3];
	static const int sigs[3] = {SIGINT, SIGTERM, SIGQUIT};
	int i, r;

	if (tcgetattr(fd, &old) != 0) {
		*why_r = strerror(errno);
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_tty_signal; /* no SA_RESTART: read gets EINTR */
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &sa, &saved[i]);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	/* Echo off before the prompt shows, so nothing typed is echoed. */
	if (tcsetattr(fd, TCSAFLUSH, &quiet) != 0 ||
	    tty_puts(fd, prompt) != 0) {
		*why_r = strerror(errno);
		r = -1;
	} else {
		r = read_pass_line(fd, buf, cap, why_r);
	}
	tcsetattr(fd, TCSAFLUSH, &old);
	if (tty_puts(fd, "\n") != 0 && r == 0) {
		*why_r = "cannot write to the terminal";
		r = -1;
	}
	for (i = 0; i < 3; i++)
		sigaction(sigs[i], &saved[i], NULL);
	if (tty_signal) {
		mem_wipe(buf, cap);
		raise(tty_signal);
		*why_r = "interrupted";
		r = -1;
	}
	return r;
}

/* Ask twice on /dev/tty; the answers must match. */
static int
prompt_pass(const char *user, char *buf, size_t cap, const char **why_r)
{
	char again[P3_PASS_MAX + 2], prompt[P3_USER_MAX + 32];
	int fd, r = -1;

	if ((fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC)) < 0) {
		*why_r = "no terminal to ask for the password on (use "
			 "--password-stdin)";
		return -1;
	}
	tty_signal = 0;
	if (str_fmt(prompt, sizeof(prompt), "New password for %s: ", user) <
	    0) {
		*why_r = "user name too long";
	} else if (tty_ask(fd, prompt, buf, cap, why_r) == 0 &&
		   tty_ask(fd, "Retype the password: ", again, sizeof(again),
		       why_r) == 0) {
		if (strlen(buf) == strlen(again) &&
		    mem_equal_ct(buf, again, strlen(buf)))
			r = 0;
		else
			*why_r = "the passwords do not match";
	}
	mem_wipe(again, sizeof(again));
	if (r != 0)
		mem_wipe(buf, cap);
	close(fd);
	return r;
}

static void
perms_warning(const char *path)
{
	char warn[ERR_MAX];

	if (pw_file_check_perms(path, warn, sizeof(warn)) > 0)
		fprintf(stderr, "postie user: %s\n", warn);
}

static int
cmd_list(const struct opts *o)
{
	struct pw_db *db;
	const struct pw_entry *e;
	const char *s;
	char err[ERR_MAX];
	size_t i;

	if (pw_load(o->users, &db, err, sizeof(err)) != 0) {
		fprintf(stderr, "postie user: %s\n", err);
		return EX_FILE;
	}
	perms_warning(o->users);
	for (i = 0; (e = pw_entry_at(db, i)) != NULL; i++) {
		s = pw_scheme_name(e->hash);
		printf("%s\t%s%s\n", e->user, s != NULL ? s : "unknown",
		    e->scram != NULL ? "+scram" : "");
	}
	pw_free(&db);
	return fflush(stdout) == 0 ? EX_OK : EX_FILE;
}

/* Fail early, before asking for a password, when add/passwd cannot work. */
static int
precheck(const struct opts *o, bool adding)
{
	struct pw_db *db;
	char err[ERR_MAX];
	bool exists;

	if (pw_load(o->users, &db, err, sizeof(err)) != 0)
		return 0; /* missing or damaged: the edit will tell */
	exists = pw_find(db, o->user, strlen(o->user)) != NULL;
	pw_free(&db);
	if (exists == adding) {
		fprintf(stderr, "postie user: %s: %s\n", o->users,
		    adding ? "user already exists (use passwd to change it)"
			   : "no such user (use add)");
		return EX_USAGE;
	}
	return 0;
}

/* Get, check and hash the password into hash[0..HASH_MAX), and derive
 * its SCRAM keys into scram[0..AUTH_SCRAM_FIELD_MAX) unless --no-scram. */
static int
new_hash(const struct opts *o, char *hash, char *scram)
{
	char pass[P3_PASS_MAX + 2], why[256];
	const char *reason = NULL;
	int r;

	r = o->pw_stdin
		? read_pass_line(STDIN_FILENO, pass, sizeof(pass), &reason)
		: prompt_pass(o->user, pass, sizeof(pass), &reason);
	if (r != 0) {
		fprintf(stderr, "postie user: %s\n", reason);
		return EX_USAGE;
	}
	if (pw_policy_check(o->user, pass, why, sizeof(why)) != 0) {
		if (!o->force) {
			fprintf(stderr,
			    "postie user: password refused: %s\n"
			    "(use --force to set it anyway)\n",
			    why);
			mem_wipe(pass, sizeof(pass));
			return EX_USAGE;
		}
		fprintf(stderr,
		    "postie user: WARNING: WEAK PASSWORD "
		    "ACCEPTED BECAUSE OF --force: %s\n",
		    why);
	}
	r = pw_hash(pass, o->prefix, hash, HASH_MAX);
	if (r == 0 && !o->no_scram)
		r = pw_scram_make(
		    pass, o->scram_iter, scram, AUTH_SCRAM_FIELD_MAX);
	mem_wipe(pass, sizeof(pass));
	if (r != 0) {
		fputs("postie user: hashing failed\n", stderr);
		return EX_FILE;
	}
	return 0;
}

static int
cmd_edit(const struct opts *o)
{
	char hash[HASH_MAX], err[ERR_MAX], scram[AUTH_SCRAM_FIELD_MAX];
	enum pw_edit mode;
	int r;

	if (!pw_user_valid(o->user, strlen(o->user))) {
		fprintf(stderr,
		    "postie user: invalid user name (1 to %d "
		    "bytes, no ':', spaces or control characters)\n",
		    P3_USER_MAX);
		return EX_USAGE;
	}
	hash[0] = scram[0] = '\0';
	if (strcmp(o->cmd, "del") == 0) {
		mode = PW_EDIT_DEL;
	} else {
		mode =
		    strcmp(o->cmd, "add") == 0 ? PW_EDIT_ADD : PW_EDIT_REPLACE;
		if ((r = precheck(o, mode == PW_EDIT_ADD)) != 0 ||
		    (r = new_hash(o, hash, scram)) != 0)
			return r;
	}
	r = pw_file_edit_scram(o->users, o->user, hash,
	    scram[0] != '\0' ? scram : NULL, mode, err, sizeof(err));
	mem_wipe(hash, sizeof(hash));
	mem_wipe(scram, sizeof(scram));
	if (r != 0) {
		fprintf(stderr, "postie user: %s\n", err);
		return r == -2 ? EX_USAGE : EX_FILE;
	}
	perms_warning(o->users);
	fprintf(stderr, "postie user: %s: %s\n", o->user,
	    mode == PW_EDIT_ADD   ? "added"
	    : mode == PW_EDIT_DEL ? "deleted"
				  : "password changed");
	return EX_OK;
}

/* Clear a hard lockout (serve's lockout-after). */
static int
cmd_unlock(const struct opts *o)
{
	char path[STORE_PATH_MAX];
	unsigned n;

	if (o->lockout != NULL)
		(void)str_copy(path, o->lockout, sizeof(path));
	else if (lockout_default_path(o->users, path, sizeof(path)) < 0)
		return EX_USAGE;
	n = lockout_get(path, o->user);
	if (lockout_set(path, o->user, 0) < 0) {
		fprintf(stderr, "postie user: %s: %s\n", path, strerror(errno));
		return EX_FILE;
	}
	fprintf(stderr,
	    "postie user: %s: unlocked (%u failed logins "
	    "recorded)\n",
	    o->user, n);
	return EX_OK;
}

int
cli_user(int argc, char **argv)
{
	struct opts o = {NULL, USERS_DEFAULT, NULL, NULL, NULL, false, false,
	    false, AUTH_SCRAM_ITER_DEFAULT};
	int r;

	if ((r = parse_args(argc, argv, &o)) != 0)
		return r < 0 ? EX_OK : r;
	if (strcmp(o.cmd, "list") == 0)
		return cmd_list(&o);
	if (strcmp(o.cmd, "unlock") == 0)
		return cmd_unlock(&o);
	return cmd_edit(&o);
}
