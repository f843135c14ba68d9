/* test-p11-uri.c - RFC 7512 URIs read through p11-kit (pki/p11-uri.h).
 *
 * What p11_uri_load_key() takes from a URI: token, object, id,
 * module-path and pin-value, percent-decoded; what it refuses with
 * -EINVAL, including the two shapes p11-kit itself lets through (an
 * attribute twice, an empty path attribute). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/util.h"
#include "pki/p11-uri.h"

static void assert_zeroed(const struct p11_uri *u)
{
	assert_null(u->token);
	assert_null(u->object);
	assert_null(u->id);
	assert_int_equal(u->id_len, 0);
	assert_null(u->module);
	assert_null(u->pin);
}

static void test_full(void **state)
{
	static const unsigned char id[] = { 0x01, 0x02, 0xab };
	struct p11_uri u;

	(void)state;
	assert_int_equal(p11_uri_parse("pkcs11:token=CA%20KEYS;object=issuing%20key;id=%01%02%Ab"
				       "?module-path=/usr/lib/softhsm/libsofthsm2.so&pin-value=12%2634",
				       &u), 0);
	assert_string_equal(u.token, "CA KEYS");
	assert_string_equal(u.object, "issuing key");
	assert_int_equal(u.id_len, sizeof(id));
	assert_memory_equal(u.id, id, sizeof(id));
	assert_string_equal(u.module, "/usr/lib/softhsm/libsofthsm2.so");
	assert_string_equal(u.pin, "12&34");
	p11_uri_done(&u);
	assert_zeroed(&u);
	p11_uri_done(&u);	/* twice is fine */
}

static void test_token_only(void **state)
{
	struct p11_uri u;

	(void)state;
	assert_int_equal(p11_uri_parse("pkcs11:token=ALI", &u), 0);
	assert_string_equal(u.token, "ALI");
	assert_null(u.object);
	assert_null(u.id);
	assert_int_equal(u.id_len, 0);
	assert_null(u.module);
	assert_null(u.pin);
	p11_uri_done(&u);

	/* UTF-8 percent-encoded; 32 bytes is the longest label */
	assert_int_equal(p11_uri_parse("pkcs11:token=AL%C4%B0", &u), 0);
	assert_string_equal(u.token, "AL\xc4\xb0");
	p11_uri_done(&u);
	assert_int_equal(p11_uri_parse("pkcs11:token=0123456789abcdef0123456789abcdef", &u), 0);
	assert_string_equal(u.token, "0123456789abcdef0123456789abcdef");
	p11_uri_done(&u);
	/* the scheme in any case, a trailing ';' */
	assert_int_equal(p11_uri_parse("PKCS11:token=x;", &u), 0);
	assert_string_equal(u.token, "x");
	p11_uri_done(&u);
}

static void test_id(void **state)
{
	static const unsigned char id[] = { 0x00, 0xff, 0x10, 'a' };
	struct p11_uri u;

	(void)state;
	/* binary, NUL bytes included; unencoded characters taken as bytes */
	assert_int_equal(p11_uri_parse("pkcs11:id=%00%FF%10a;token=t", &u), 0);
	assert_int_equal(u.id_len, sizeof(id));
	assert_memory_equal(u.id, id, sizeof(id));
	assert_string_equal(u.token, "t");
	p11_uri_done(&u);
	/* empty: any key */
	assert_int_equal(p11_uri_parse("pkcs11:token=t;id=", &u), 0);
	assert_null(u.id);
	assert_int_equal(u.id_len, 0);
	p11_uri_done(&u);
}

static void test_module_path(void **state)
{
	struct p11_uri u;

	(void)state;
	assert_int_equal(p11_uri_parse("pkcs11:token=t?module-path=%2Fopt%2Fhsm%20x%2Flib.so", &u), 0);
	assert_string_equal(u.module, "/opt/hsm x/lib.so");
	assert_null(u.pin);
	p11_uri_done(&u);
}

static void test_ignored(void **state)
{
	struct p11_uri u;

	(void)state;
	/* attributes eonay does not use are accepted and ignored */
	assert_int_equal(p11_uri_parse("pkcs11:manufacturer=SoftHSM%20project;model=SoftHSM%20v2;"
				       "serial=1234;token=t;type=private;x-vendor=1"
				       "?pin-source=file:/run/pin&module-name=softhsm2", &u), 0);
	assert_string_equal(u.token, "t");
	assert_null(u.object);
	assert_null(u.id);
	assert_null(u.module);
	assert_null(u.pin);
	p11_uri_done(&u);
}

static void test_invalid(void **state)
{
	static const char *const bad[] = {
		"",
		"file:/etc/passwd",
		"pkcs11",
		"pkcs11:",
		"pkcs11:object=01",			/* no token */
		"pkcs11:token=",
		"pkcs11:token=%20%20",			/* blanks only */
		"pkcs11:token=0123456789abcdef0123456789abcdef0",	/* 33 bytes */
		"pkcs11:token=CA%2",			/* truncated escape */
		"pkcs11:token=%zz",
		"pkcs11:token",				/* no '=' */
		"pkcs11:token=t?pin-value=12%3",
		"pkcs11:token=a%00b",			/* NUL in a label */
		"pkcs11:token=t;object=a%00b",
		"pkcs11:token=a;token=b",		/* twice */
		"pkcs11:token=t;id=%01;id=%02",
		"pkcs11:token=t?pin-value=1&pin-value=2",
		"pkcs11:token=t?module-path=/a&module-path=/b",
		"pkcs11:token=t;;object=o",		/* empty path attribute */
		"pkcs11:;token=t",
		"pkcs11:token=t?module-path=/a&&pin-value=1",
		"pkcs11:token=t?&pin-value=1",
	};
	struct p11_uri u;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		int r = p11_uri_parse(bad[i], &u);

		if (r != -EINVAL)
			print_error("\"%s\": %d, not -EINVAL\n", bad[i], r);
		assert_int_equal(r, -EINVAL);
		assert_zeroed(&u);
	}
	assert_int_equal(p11_uri_parse(NULL, &u), -EINVAL);
	assert_zeroed(&u);
	assert_int_equal(p11_uri_parse("pkcs11:token=t", NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_token_only),
		cmocka_unit_test(test_id),
		cmocka_unit_test(test_module_path),
		cmocka_unit_test(test_ignored),
		cmocka_unit_test(test_invalid),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
