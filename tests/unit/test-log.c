/* test-log.c - common/log.c: one line per event, control bytes from
 * requests escaped (issue 14), levels. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"

/* Runs log_msg(l, "%s", msg) with stderr in a temporary file; the output. */
static char *logged(enum log_level l, const char *msg)
{
	static char out[4096];
	FILE *f = tmpfile();
	int saved = dup(STDERR_FILENO);
	size_t n;

	assert_non_null(f);
	assert_true(saved >= 0);
	assert_true(dup2(fileno(f), STDERR_FILENO) >= 0);
	log_msg(l, "%s", msg);
	assert_true(dup2(saved, STDERR_FILENO) >= 0);
	close(saved);
	rewind(f);
	n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = '\0';
	fclose(f);
	return out;
}

static void test_control_bytes_escaped(void **state)
{
	char *s;

	log_set_level(LOG_INFO);
	s = logged(LOG_INFO, "path /x\x1b[2J\x7f\x01y\ttab");
	assert_non_null(strstr(s, "path /x\\x1b[2J\\x7f\\x01y\\x09tab\n"));
	for (const char *p = s; *p; p++)
		if (*p != '\n')
			assert_true((unsigned char)*p >= 0x20 && *p != 0x7f);
	/* A forged second line stays on the first. */
	s = logged(LOG_WARN, "a\r\n2026-01-01T00:00:00Z error forged");
	assert_non_null(strstr(s, "a  2026-01-01T00:00:00Z error forged\n"));
	assert_ptr_equal(strchr(s, '\n'), s + strlen(s) - 1);
	/* UTF-8 is kept as it is. */
	s = logged(LOG_INFO, "İmza çalışıyor");
	assert_non_null(strstr(s, "İmza çalışıyor\n"));
}

static void test_long_line_and_level(void **state)
{
	char big[5000], *s;

	memset(big, '\x1b', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_set_level(LOG_INFO);
	s = logged(LOG_ERR, big);
	assert_true(strlen(s) < 2048);
	assert_int_equal(s[strlen(s) - 1], '\n');
	assert_non_null(strstr(s, "\\x1b\\x1b"));
	assert_string_equal(logged(LOG_DEBUG, "quiet"), "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control_bytes_escaped),
		cmocka_unit_test(test_long_line_and_level),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
