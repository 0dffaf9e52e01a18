/* sess-fixture.c: see sess-fixture.h. */
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sess-fixture.h"

static int
sink(void *ctx, const void *p, size_t len)
{
	return buf_append(ctx, p, len);
}

void
sfx_init(struct sfx *f, bool tls)
{
	memset(f, 0, sizeof(*f));
	conf_defaults(&f->conf);
	buf_init(&f->out, 1 << 16);
	sess_init(&f->s, &f->conf, NULL, tls, true, sink, &f->out);
}

void
sfx_free(struct sfx *f)
{
	sess_abort(&f->s);
	buf_free(&f->out);
}

const char *
sfx_say(struct sfx *f, const char *line)
{
	buf_reset(&f->out);
	sess_line(&f->s, line, strlen(line), &f->act);
	return f->out.len ? (const char *)f->out.data : "";
}

int
afx_reply(int fd, uint32_t id, struct authd_reply *r)
{
	struct pollfd p = {fd, POLLIN, 0};
	int n;

	while ((n = authd_recv(fd, r)) == 0)
		if (poll(&p, 1, 5000) != 1)
			return -1;
	return n == 1 && r->id == id ? 0 : -1;
}

void
afx_stop(int fd, pid_t pid)
{
	close(fd);
	kill(pid, SIGTERM);
	waitpid(pid, NULL, 0);
}
