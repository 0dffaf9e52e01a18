/* log.c: stderr or syslog logging; escaping of untrusted bytes. */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>
#include <time.h>

#include "lib/log.h"

static bool log_syslog;
static enum log_level log_level = LOG_LVL_INFO;

void
log_open(bool use_syslog, enum log_level level)
{
	log_syslog = use_syslog;
	log_level = level;
	if (use_syslog)
		openlog("postie", LOG_PID | LOG_NDELAY, LOG_MAIL);
}

static void
log_v(enum log_level lvl, const char *fmt, va_list ap)
{
	static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
	static const char *names[] = {"error", "warning", "info", "debug"};
	char line[2048];
	struct timespec ts;
	struct tm tm;
	char stamp[32];

	if (lvl > log_level)
		return;
	if (vsnprintf(line, sizeof(line), fmt, ap) < 0)
		return;
	if (log_syslog) {
		syslog(prio[lvl], "%s", line);
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	if (strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		stamp[0] = '\0';
	fprintf(stderr, "%s postie: %s: %s\n", stamp, names[lvl], line);
}

#define LOG_FN(name, lvl)                                                      \
	void name(const char *fmt, ...)                                        \
	{                                                                      \
		va_list ap;                                                    \
		va_start(ap, fmt);                                             \
		log_v(lvl, fmt, ap);                                           \
		va_end(ap);                                                    \
	}

LOG_FN(log_err, LOG_LVL_ERR)
LOG_FN(log_warn, LOG_LVL_WARN)
LOG_FN(log_info, LOG_LVL_INFO)
LOG_FN(log_debug, LOG_LVL_DEBUG)

char *
log_escape(const void *p, size_t len, char *out, size_t outcap)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = p;
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = s[i];

		if (o + 8 > outcap) {
			out[o++] = '.';
			out[o++] = '.';
			out[o++] = '.';
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\' && c != '"') {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	out[o] = '\0';
	return out;
}
