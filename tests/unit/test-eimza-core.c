/* test-eimza-core.c - libeimza-core without a server or a card: the
 * Doğrulama Kodu as typed, the eimza:// link (hostile ones refused),
 * the configuration file, and the relay rule (another network). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "common/checkdigit.h"
#include "common/util.h"
#include "eimza/core/client.h"
#include "eimza/core/code.h"
#include "eimza/core/config.h"
#include "eimza/core/session.h"

static char good[17], bad[17];

static int setup(void **state)
{
	memcpy(good, "424242424242424", 15);
	good[15] = (char)checkdigit_compute(good, 15);
	good[16] = 0;
	memcpy(bad, good, 17);
	bad[15] = (char)('0' + (good[15] - '0' + 1) % 10);
	return 0;
}

static void test_code_as_typed(void **state)
{
	char d[17], spaced[40];
	size_t n;

	assert_int_equal(eimza_code_check("", d, &n), EIMZA_CODE_EMPTY);
	assert_int_equal(eimza_code_check("4242 42", d, &n), EIMZA_CODE_PARTIAL);
	assert_int_equal(n, 6);
	assert_int_equal(eimza_code_check("4242 4x", d, &n), EIMZA_CODE_BAD_CHAR);
	assert_int_equal(eimza_code_check(bad, d, &n), EIMZA_CODE_TYPO);
	snprintf(spaced, sizeof(spaced), "%s1", good);
	assert_int_equal(eimza_code_check(spaced, d, &n), EIMZA_CODE_TOO_LONG);
	snprintf(spaced, sizeof(spaced), " %.4s %.4s-%.4s\t%.4s\n", good, good + 4, good + 8,
		 good + 12);
	assert_int_equal(eimza_code_check(spaced, d, &n), EIMZA_CODE_OK);
	assert_string_equal(d, good);
	assert_non_null(strstr(eimza_code_state_tr(EIMZA_CODE_TYPO), "hatalı"));
}

static void test_link_good(void **state)
{
	char link[128], d[17];
	const char *why = NULL;

	snprintf(link, sizeof(link), "eimza://sign?code=%s", good);
	assert_int_equal(eimza_link_parse(link, d, &why), 0);
	assert_string_equal(d, good);
	snprintf(link, sizeof(link), "EIMZA://sign/?code=%s", good);
	assert_int_equal(eimza_link_parse(link, d, &why), 0);
	assert_string_equal(d, good);
}

static void test_link_hostile(void **state)
{
	static const struct {
		const char *pre, *post;
	} forms[] = {
		{ "eimza://evil.example/sign?code=", "" },
		{ "eimza://127.0.0.1:8080/sign?code=", "" },
		{ "eimza://sign@evil.example?code=", "" },
		{ "eimza://sign.evil.example?code=", "" },
		{ "eimza://sign:443?code=", "" },
		{ "eimza://sign?code=", "&server=https://evil.example" },
		{ "eimza://sign?server=https://evil.example&code=", "" },
		{ "eimza://sign?code=", "#https://evil.example" },
		{ "eimza://sign?code=", "/../x" },
		{ "eimza://sign?code=", "%00" },
		{ "eimza:sign?code=", "" },
		{ "https://evil.example/?code=", "" },
		{ "eimza://sign?code= ", "" },
	};
	char link[256], d[17];
	const char *why;

	for (size_t i = 0; i < ELEMENTSOF(forms); i++) {
		snprintf(link, sizeof(link), "%s%s%s", forms[i].pre, good, forms[i].post);
		why = NULL;
		d[0] = 'x';
		assert_int_equal(eimza_link_parse(link, d, &why), -EINVAL);
		assert_non_null(why);
		assert_string_equal(d, "");	/* no code handed out */
	}
	snprintf(link, sizeof(link), "eimza://sign?code=%.15s", good);
	assert_int_equal(eimza_link_parse(link, d, &why), -EINVAL);
	assert_string_equal(d, "");
	snprintf(link, sizeof(link), "eimza://evil.example/sign?code=%s", good);
	assert_int_equal(eimza_link_parse(link, d, &why), -EINVAL);
	assert_non_null(strstr(why, "başka bir sunucu"));
	snprintf(link, sizeof(link), "eimza://sign@evil.example:8080?code=%s", good);
	assert_int_equal(eimza_link_parse(link, d, &why), -EINVAL);
	assert_non_null(strstr(why, "başka bir sunucu"));
	snprintf(link, sizeof(link), "eimza://sign?code=%s&server=x", good);
	assert_int_equal(eimza_link_parse(link, d, &why), -EINVAL);
	assert_non_null(strstr(why, "sunucu"));
	snprintf(link, sizeof(link), "eimza://sign?code=%s", bad);
	assert_int_equal(eimza_link_parse(link, d, &why), -EINVAL);
	assert_non_null(strstr(why, "hatalı"));
	/* over-long: refused without reading it all */
	{
		char *big = malloc(100000);
		assert_non_null(big);
		memset(big, '1', 99999);
		big[99999] = 0;
		memcpy(big, "eimza://sign?code=", 18);
		assert_int_equal(eimza_link_parse(big, d, &why), -EINVAL);
		assert_non_null(strstr(why, "uzun"));
		free(big);
	}
	assert_int_equal(eimza_link_parse(NULL, d, &why), -EINVAL);
}

static const char *write_tmp(const char *text)
{
	static char path[64];
	int fd;

	snprintf(path, sizeof(path), "/tmp/eimza-conf-XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

static void test_config(void **state)
{
	struct eimza_config c;
	const char *p;
	int line;

	p = write_tmp("# eimza\n[server]\nurl = https://eonay.example\ncafile = /etc/ca.pem\n"
		      "[card]\nmodule = /a.so\nmodule = /b.so\nmodule = /a.so\n");
	assert_int_equal(eimza_config_load(p, &c, &line), 0);
	assert_string_equal(c.server, "https://eonay.example");
	assert_string_equal(c.cafile, "/etc/ca.pem");
	assert_int_equal(c.n_modules, 2);
	assert_string_equal(c.modules[1], "/b.so");
	assert_int_equal(eimza_config_default_modules(&c, "/softhsm.so"), 0);
	assert_int_equal(c.n_modules, 2);	/* configured ones win */
	assert_int_equal(eimza_config_set_module(&c, "/c.so"), 0);
	assert_int_equal(c.n_modules, 1);
	eimza_config_done(&c);
	unlink(p);

	/* plain http to another machine is refused in the file too */
	p = write_tmp("[server]\nurl = http://evil.example\n");
	assert_int_equal(eimza_config_load(p, &c, &line), -EINVAL);
	assert_int_equal(line, 2);
	unlink(p);
	/* a typo is an error, not ignored */
	p = write_tmp("[server]\nurl = https://a.example\nmodul = /x.so\n");
	assert_int_equal(eimza_config_load(p, &c, &line), -EINVAL);
	assert_int_equal(line, 3);
	unlink(p);

	/* EIMZA_CONFIG names the file; a missing named file is an error */
	setenv("EIMZA_CONFIG", "/nonexistent/eimza.conf", 1);
	assert_int_equal(eimza_config_load(NULL, &c, &line), -ENOENT);
	p = write_tmp("[server]\nurl = http://127.0.0.1:8080\n");
	setenv("EIMZA_CONFIG", p, 1);
	assert_int_equal(eimza_config_load(NULL, &c, &line), 0);
	assert_string_equal(c.server, "http://127.0.0.1:8080");
	assert_int_equal(c.n_modules, 0);
	assert_int_equal(eimza_config_default_modules(&c, "/softhsm.so"), 0);
	assert_true(c.n_modules >= 1);
	assert_string_equal(c.modules[c.n_modules - 1], "/softhsm.so");
	eimza_config_done(&c);
	unsetenv("EIMZA_CONFIG");
	unlink(p);
}

static bool relayed(const char *browser, const char *app)
{
	struct eimza_session s = { .client_addr = (char *)browser, .app_addr = (char *)app };

	return eimza_session_relayed(&s);
}

/* The server URL as curl reads it: http only to this machine. */
static void test_url_allowed(void **state)
{
	static const char *const ok_urls[] = {
		"https://eonay.example", "https://eonay.example:8443/base", "HTTPS://EONAY.EXAMPLE",
		"http://127.0.0.1:8080", "http://127.1.2.3", "http://localhost", "http://LOCALHOST:80/",
		"http://[::1]:8080",
	};
	static const char *const bad_urls[] = {
		"http://127.0.0.1@example.invalid", "http://127.0.0.1:8080@example.invalid/",
		"http://127.evil.invalid", "http://127.0.0.1.evil.invalid", "http://localhost.evil.invalid",
		"http://localhost@evil.invalid", "http://user:pw@127.0.0.1", "https://eonay.example@evil.invalid",
		"http://[::2]", "http://[::ffff:8.8.8.8]", "http://128.0.0.1", "http://evil.invalid/127.0.0.1",
		"http://evil.invalid#@127.0.0.1", "https://eonay.example/?x=1", "https://eonay.example/#f",
		"ftp://127.0.0.1", "file:///etc/passwd", "eonay.example", "127.0.0.1:8080", "", "http://",
		"http://127.0.0.1 .evil.invalid", "http://127.0.0.1\\@evil.invalid",
	};
	const char *why;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(ok_urls); i++)
		if (client_url_allowed(ok_urls[i], &why) != 0)
			fail_msg("refused %s: %s", ok_urls[i], why);
	for (size_t i = 0; i < ELEMENTSOF(bad_urls); i++) {
		why = NULL;
		if (client_url_allowed(bad_urls[i], &why) != -EINVAL)
			fail_msg("allowed %s", bad_urls[i]);
		assert_non_null(why);
	}
}

static void test_relay_rule(void **state)
{
	assert_false(relayed("203.0.113.7", "203.0.113.7"));
	assert_false(relayed("203.0.113.7", "203.0.113.200"));	/* same /24 */
	assert_true(relayed("203.0.113.7", "198.51.100.7"));
	assert_true(relayed("127.0.1.1", "127.0.0.1"));
	assert_false(relayed("2001:db8:1:2::1", "2001:db8:1:2:ffff::9"));	/* same /64 */
	assert_true(relayed("2001:db8:1:2::1", "2001:db8:1:3::1"));
	assert_false(relayed("::ffff:203.0.113.7", "203.0.113.9"));
	assert_true(relayed("2001:db8::1", "203.0.113.9"));
	assert_false(relayed("203.0.113.7", NULL));	/* the server did not say */
	assert_false(relayed(NULL, "203.0.113.7"));
	assert_true(relayed("203.0.113.7", "garbage"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_code_as_typed),
		cmocka_unit_test(test_link_good),
		cmocka_unit_test(test_link_hostile),
		cmocka_unit_test(test_config),
		cmocka_unit_test(test_relay_rule),
		cmocka_unit_test(test_url_allowed),
	};
	return cmocka_run_group_tests(tests, setup, NULL);
}
