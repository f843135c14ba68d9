/* test-checkdigit.c - Damm check digits and code formatting. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/checkdigit.h"
#include "common/util.h"

static void test_known_vector(void **state)
{
	/* Damm's own example: 572 -> check digit 4. */
	assert_int_equal(checkdigit_compute("572", 3), '4');
	assert_true(checkdigit_valid("5724", 4));
	assert_false(checkdigit_valid("5723", 4));
	assert_int_equal(checkdigit_compute("57a", 3), -EINVAL);
}

static void test_detects_single_errors_and_transpositions(void **state)
{
	for (int round = 0; round < 200; round++) {
		char code[17], bad[17];
		uint32_t v;

		for (int i = 0; i < 15; i++) {
			assert_int_equal(random_uniform(10, &v), 0);
			code[i] = (char)('0' + v);
		}
		code[15] = (char)checkdigit_compute(code, 15);
		code[16] = 0;
		assert_true(checkdigit_valid(code, 16));
		for (int i = 0; i < 16; i++)
			for (char d = '0'; d <= '9'; d++) {
				if (d == code[i])
					continue;
				memcpy(bad, code, 17);
				bad[i] = d;
				assert_false(checkdigit_valid(bad, 16));
			}
		for (int i = 0; i + 1 < 16; i++) {
			if (code[i] == code[i + 1])
				continue;
			memcpy(bad, code, 17);
			bad[i] = code[i + 1];
			bad[i + 1] = code[i];
			assert_false(checkdigit_valid(bad, 16));
		}
	}
}

static void test_normalize_and_format(void **state)
{
	char buf[32], out[32];

	assert_int_equal(code_normalize("1234 5678-9012 3456", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "1234567890123456");
	assert_int_equal(code_normalize("1234x", buf, sizeof(buf)), -EINVAL);
	assert_int_equal(code_normalize("12345678", buf, 4), -E2BIG);
	code_format_groups("1234567890123456", out, sizeof(out));
	assert_string_equal(out, "1234 5678 9012 3456");
	code_format_groups("12345", out, sizeof(out));
	assert_string_equal(out, "1234 5");
	code_format_groups("1234567890", out, 7);
	assert_string_equal(out, "1234 5");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_known_vector),
		cmocka_unit_test(test_detects_single_errors_and_transpositions),
		cmocka_unit_test(test_normalize_and_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
