/* test-edevlet-client.c - which provider URLs eonayd fetches
 * (server/edevlet-client.c): https anywhere, plain http only to loopback,
 * and nothing that only looks like loopback. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "server/edevlet-client.h"

static void test_url_allowed(void **state)
{
	const char *yes[] = {
		"https://giris.turkiye.gov.tr/OAuth2/token",
		"http://127.0.0.1:8091/api/edevlet/token",
		"http://127.3.4.5/x",
		"http://localhost:8091/",
		"http://LOCALHOST/",
		"http://[::1]:8091/jwks",
	};
	const char *no[] = {
		"http://giris.turkiye.gov.tr/OAuth2/token",
		"http://127.0.0.1.evil.example/",
		"http://localhost.evil.example/",
		"http://127.0.0.1@evil.example/",
		"http://evil.example/?127.0.0.1",
		"http://[::1]evil/",
		"http://[::2]:80/",
		"http://10.0.0.1/",
		"ftp://127.0.0.1/",
		"file:///etc/passwd",
		"https://",
		"",
		NULL,
	};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(edc_url_allowed(yes[i]));
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		if (edc_url_allowed(no[i]))
			fail_msg("allowed: %s", no[i] ? no[i] : "(null)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_allowed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
