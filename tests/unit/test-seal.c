/* test-seal.c - AES-256-GCM sealing of SO PINs under the master key. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/util.h"
#include "pki/seal.h"

static unsigned char key[32], other[32];

static void test_roundtrip(void **state)
{
	_cleanup_free_ char *s1 = NULL, *s2 = NULL;
	_cleanup_secret_ char *p = NULL;

	assert_int_equal(seal_text(key, "DEMO-0001", "87654321", &s1), 0);
	assert_int_equal(seal_text(key, "DEMO-0001", "87654321", &s2), 0);
	assert_true(strncmp(s1, "v1:", 3) == 0);
	assert_null(strstr(s1, "87654321"));
	assert_string_not_equal(s1, s2);	/* fresh nonce each time */
	assert_int_equal(seal_open(key, "DEMO-0001", s1, &p), 0);
	assert_string_equal(p, "87654321");
}

static void test_refusals(void **state)
{
	_cleanup_free_ char *s = NULL;
	char *p = NULL;

	assert_int_equal(seal_text(key, "DEMO-0001", "87654321", &s), 0);
	/* another card's row */
	assert_int_equal(seal_open(key, "DEMO-0002", s, &p), -EBADMSG);
	/* another key */
	assert_int_equal(seal_open(other, "DEMO-0001", s, &p), -EBADMSG);
	/* any altered byte */
	for (size_t i = 3; i < strlen(s); i++) {
		char saved = s[i];
		s[i] = s[i] == 'A' ? 'B' : 'A';
		int r = seal_open(key, "DEMO-0001", s, &p);
		assert_true(r == -EBADMSG || r == -EINVAL);
		s[i] = saved;
	}
	assert_int_equal(seal_open(key, "x", "v2:AAAA", &p), -EINVAL);
	assert_int_equal(seal_open(key, "x", "v1:AAAA", &p), -EINVAL);
	assert_int_equal(seal_open(key, "x", NULL, &p), -EINVAL);
	assert_null(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_refusals),
	};
	random_bytes(key, sizeof(key));
	random_bytes(other, sizeof(other));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
