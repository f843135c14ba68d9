/* log.c - leveled, line-oriented logging to stderr.
 *
 * Each line is written with a single write(2) so lines from several
 * threads never interleave.  The request id is thread-local: the HTTP layer
 * sets it when it starts handling a request and clears it afterwards. */
#include "common/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

static enum log_level level = LOG_INFO;
static _Thread_local char request_id[24];

static const char *const names[] = { "error", "warn", "info", "debug" };

int log_level_parse(const char *s, enum log_level *ret)
{
	for (size_t i = 0; i < ELEMENTSOF(names); i++)
		if (s && streq(s, names[i])) {
			*ret = (enum log_level)i;
			return 0;
		}
	if (s && streq(s, "err")) {
		*ret = LOG_ERR;
		return 0;
	}
	return -EINVAL;
}

const char *log_level_str(enum log_level l)
{
	return (unsigned)l < ELEMENTSOF(names) ? names[l] : "?";
}

void log_set_level(enum log_level l)
{
	level = l;
}

enum log_level log_get_level(void)
{
	return level;
}

void log_set_request_id(const char *rid)
{
	if (!rid) {
		request_id[0] = '\0';
		return;
	}
	snprintf(request_id, sizeof(request_id), "%s", rid);
}

void log_msg(enum log_level l, const char *fmt, ...)
{
	char msg[2048], line[2048], ts[21];
	va_list ap;
	int n, k;

	if (l > level)
		return;
	iso8601_utc(now_sec(), ts);
	if (request_id[0])
		n = snprintf(line, sizeof(line), "%s %-5s rid=%s ", ts,
			     log_level_str(l), request_id);
	else
		n = snprintf(line, sizeof(line), "%s %-5s ", ts,
			     log_level_str(l));
	va_start(ap, fmt);
	k = vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (k < 0)
		msg[0] = '\0';
	/* One event, one line: a newline a message carries is folded, any
	 * other control byte (from a request: ESC, DEL, ...) written \xNN, so
	 * that no request can forge a line or drive a terminal. */
	for (const unsigned char *p = (const unsigned char *)msg;
	     *p && (size_t)n < sizeof(line) - 5; p++) {
		if (*p == '\n' || *p == '\r')
			line[n++] = ' ';
		else if (*p < 0x20 || *p == 0x7f)
			n += snprintf(line + n, 5, "\\x%02x", *p);
		else
			line[n++] = (char)*p;
	}
	line[n++] = '\n';
	(void)!write(STDERR_FILENO, line, (size_t)n);
}
