/* log.h - one line per event, with level and request id.
 *
 * Lines look like
 *   2026-11-23T08:30:00Z info  rid=3f2a9c01 GET /healthz 200 12us
 * Never pass a secret (PIN, code, password, key, session id) to these. */
#pragma once
#include "common/util.h"

enum log_level { LOG_ERR = 0, LOG_WARN, LOG_INFO, LOG_DEBUG };

/* Parses "error", "warn", "info", "debug". */
int log_level_parse(const char *s, enum log_level *ret);
const char *log_level_str(enum log_level l);
void log_set_level(enum log_level l);
enum log_level log_get_level(void);

/* The request id printed on every line this thread logs until cleared
 * (NULL clears).  The string is copied. */
void log_set_request_id(const char *rid);

void log_msg(enum log_level l, const char *fmt, ...) _printf_(2, 3);

#define log_error(...) log_msg(LOG_ERR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_INFO, __VA_ARGS__)
#define log_debug(...)                                                         \
	do {                                                                   \
		if (log_get_level() >= LOG_DEBUG)                              \
			log_msg(LOG_DEBUG, __VA_ARGS__);                       \
	} while (0)
