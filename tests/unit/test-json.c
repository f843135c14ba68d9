/* test-json.c - strict JSON body parsing and typed getters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/json.h"

static void test_parse(void **state)
{
	_cleanup_json_ json_t *o = NULL;
	_cleanup_free_ char *err = NULL;
	const char *s;
	int64_t i;
	bool b;

	assert_int_equal(json_parse_object("{\"a\":\"x\",\"n\":5,\"b\":true}", 24, &o, NULL), 0);
	assert_int_equal(json_get_str(o, "a", &s), 0);
	assert_string_equal(s, "x");
	assert_int_equal(json_get_int(o, "n", &i), 0);
	assert_int_equal(i, 5);
	assert_int_equal(json_get_bool(o, "b", &b), 0);
	assert_true(b);
	assert_int_equal(json_get_str(o, "n", &s), -EINVAL);
	assert_int_equal(json_get_str(o, "zz", &s), -ENOENT);
	assert_int_equal(json_get_int(o, "a", &i), -EINVAL);

	assert_int_equal(json_parse_object("{\"a\":", 5, &o, &err), -EINVAL);
	assert_non_null(strstr(err, "malformed JSON"));
	free(err);
	/* the error never quotes the input (it may hold a code or a PIN) */
	assert_int_equal(json_parse_object("{\"pin\": 123456x}", 16, &o, &err), -EINVAL);
	assert_null(strstr(err, "123456"));
}

static void test_refusals(void **state)
{
	json_t *o = NULL;
	const char *key;

	assert_int_equal(json_parse_object("[1,2]", 5, &o, NULL), -EINVAL);
	assert_int_equal(json_parse_object("\"x\"", 3, &o, NULL), -EINVAL);
	assert_int_equal(json_parse_object("{\"a\":1,\"a\":2}", 13, &o, NULL), -EINVAL);
	assert_int_equal(json_parse_object("", 0, &o, NULL), -EINVAL);
	/* A NUL inside a string would cut the value short in C: refused. */
	assert_int_equal(json_parse_object("{\"a\":\"x\\u0000y\"}", 16, &o, NULL), -EINVAL);
	assert_int_equal(json_parse_object("{\"a\":\"xy\"}", 10, &o, NULL), 0);
	static const char *const allowed[] = { "b", NULL };
	assert_int_equal(json_check_keys(o, allowed, &key), -EINVAL);
	assert_string_equal(key, "a");
	json_decref(o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
