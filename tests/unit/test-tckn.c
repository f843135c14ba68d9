/* test-tckn.c - T.C. Kimlik No validation. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "common/tckn.h"

static void test_valid(void **state)
{
	assert_true(tckn_valid("10000000146"));	/* demo holder */
	assert_true(tckn_valid("10000000078"));	/* on-hold holder */
	assert_int_equal(tckn_check("10000000146"), TCKN_OK);
}

static void test_invalid(void **state)
{
	assert_int_equal(tckn_check(NULL), TCKN_EMPTY);
	assert_int_equal(tckn_check(""), TCKN_EMPTY);
	assert_int_equal(tckn_check("1000000014"), TCKN_LENGTH);
	assert_int_equal(tckn_check("100000001460"), TCKN_LENGTH);
	assert_int_equal(tckn_check("1000000014a"), TCKN_NOT_DIGITS);
	assert_int_equal(tckn_check(" 10000000146"), TCKN_NOT_DIGITS);
	assert_int_equal(tckn_check("00000000146"), TCKN_LEADING_ZERO);
	assert_int_equal(tckn_check("10000000156"), TCKN_CHECK10);
	assert_int_equal(tckn_check("10000000147"), TCKN_CHECK11);
	assert_false(tckn_valid("11111111111"));
	assert_false(tckn_valid("12345678901"));
}

static void test_every_single_digit_error(void **state)
{
	/* Any one changed digit of a valid number is refused. */
	const char *good = "10000000146";
	char s[12];

	for (int i = 0; i < 11; i++)
		for (char d = '0'; d <= '9'; d++) {
			if (good[i] == d)
				continue;
			memcpy(s, good, 12);
			s[i] = d;
			assert_false(tckn_valid(s));
		}
}

static void test_messages(void **state)
{
	assert_string_equal(tckn_error_tr(TCKN_LENGTH), "T.C. Kimlik No 11 haneli olmalıdır.");
	assert_non_null(strstr(tckn_error_str(TCKN_CHECK10), "check digits"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_invalid),
		cmocka_unit_test(test_every_single_digit_error),
		cmocka_unit_test(test_messages),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
