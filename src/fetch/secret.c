/* secret.c: password sources. A password file must be private (mode 0600 or
 * stricter, owned by us); a command runs under /bin/sh with its stdout read
 * (bounded) and its exit status checked; a prompt reads /dev/tty without
 * echo. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "fetch/secret.h"
#include "lib/util.h"

extern char **environ;

#define WHY(...)                                                               \
	do {                                                                   \
		if (str_fmt(why, whycap, __VA_ARGS__) < 0 && whycap > 0)       \
			why[whycap - 1] = '\0';                                \
	} while (0)

/* Read from fd into out[0..cap) until EOF or a line end; keeps the first
 * line only. Returns its length, or -1 (empty, too long, read error). */
static int
read_first_line(int fd, char *out, size_t cap, bool stop_at_nl)
{
	size_t len = 0;
	ssize_t n;
	char *nl;

	for (;;) {
		if (len + 1 >= cap)
			return -1;
		n = read(fd, out + len, cap - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		len += (size_t)n;
		if (stop_at_nl && memchr(out, '\n', len) != NULL)
			break;
	}
	out[len] = '\0';
	nl = memchr(out, '\n', len);
	if (nl != NULL)
		len = (size_t)(nl - out);
	if (len > 0 && out[len - 1] == '\r')
		len--;
	mem_wipe(out + len, cap - len);
	if (len == 0)
		return -1;
	return (int)len;
}

int
fp_read_file(const char *path, char *out, size_t cap, char *why, size_t whycap)
{
	struct stat st;
	int fd, n;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		WHY("password file %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		WHY("password file %s: not a regular file", path);
		return -1;
	}
	if (st.st_uid != geteuid() || (st.st_mode & 077) != 0) {
		close(fd);
		WHY("password file %s is accessible by group or others "
		    "(mode %04o) or not owned by you; run: chmod 600 %s",
		    path, (unsigned)(st.st_mode & 07777), path);
		return -1;
	}
	n = read_first_line(fd, out, cap, false);
	close(fd);
	if (n < 0) {
		WHY("password file %s: empty or longer than %zu bytes", path,
		    cap - 1);
		return -1;
	}
	return 0;
}

static int
from_command(const char *cmd, char *out, size_t cap, char *why, size_t whycap)
{
	posix_spawn_file_actions_t fa;
	char *argv[] = {"sh", "-c", (char *)(uintptr_t)cmd, NULL};
	int pfd[2], status, n;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		WHY("password command: pipe: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pfd[1], STDOUT_FILENO);
	if (posix_spawn(&pid, "/bin/sh", &fa, NULL, argv, environ) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		close(pfd[0]);
		close(pfd[1]);
		WHY("password command: cannot run /bin/sh");
		return -1;
	}
	posix_spawn_file_actions_destroy(&fa);
	close(pfd[1]);
	n = read_first_line(pfd[0], out, cap, false);
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR) {
			status = -1;
			break;
		}
	if (status == -1 || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		mem_wipe(out, cap);
		WHY("password command failed (exit status %d)",
		    status != -1 && WIFEXITED(status) ? WEXITSTATUS(status)
						      : -1);
		return -1;
	}
	if (n < 0) {
		WHY("password command printed nothing or more than %zu bytes",
		    cap - 1);
		return -1;
	}
	return 0;
}

static int
from_prompt(
    const struct fa_account *a, char *out, size_t cap, char *why, size_t whycap)
{
	struct termios old, noecho;
	char prompt[512];
	int fd, n, plen;

	fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		WHY("no terminal to ask for the password of %s@%s; set "
		    "password-file or password-command",
		    a->user, a->host);
		return -1;
	}
	plen = str_fmt(
	    prompt, sizeof(prompt), "Password for %s@%s: ", a->user, a->host);
	if (plen < 0 || tcgetattr(fd, &old) < 0) {
		close(fd);
		WHY("cannot prompt on the terminal");
		return -1;
	}
	noecho = old;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	/* Echo off (TCSAFLUSH drops what was typed ahead) before the prompt
	 * shows: an answer typed right after the prompt is neither echoed
	 * nor thrown away. */
	if (tcsetattr(fd, TCSAFLUSH, &noecho) < 0 ||
	    write(fd, prompt, (size_t)plen) < 0) {
		(void)tcsetattr(fd, TCSAFLUSH, &old);
		close(fd);
		WHY("cannot prompt on the terminal");
		return -1;
	}
	n = read_first_line(fd, out, cap, true);
	(void)tcsetattr(fd, TCSAFLUSH, &old);
	close(fd);
	if (n < 0) {
		WHY("no password entered");
		return -1;
	}
	return 0;
}

int
fp_password(
    const struct fa_account *a, char *out, size_t cap, char *why, size_t whycap)
{
	switch (a->pwsrc) {
	case FA_PW_FILE:
		return fp_read_file(a->pwarg, out, cap, why, whycap);
	case FA_PW_COMMAND:
		return from_command(a->pwarg, out, cap, why, whycap);
	case FA_PW_PROMPT:
		return from_prompt(a, out, cap, why, whycap);
	default:
		WHY("no password source configured");
		return -1;
	}
}
