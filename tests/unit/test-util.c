/* test-util.c - encodings, constant-time compare, random, files, parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/util.h"

static void test_hex(void **state)
{
	unsigned char buf[4] = { 0x00, 0xab, 0x10, 0xff }, back[4];
	char hex[9];

	hex_encode(buf, 4, hex);
	assert_string_equal(hex, "00ab10ff");
	assert_int_equal(hex_decode("00AB10ff", back, 4), 0);
	assert_memory_equal(buf, back, 4);
	assert_int_equal(hex_decode("00ab10f", back, 4), -EINVAL);
	assert_int_equal(hex_decode("00ab10fg", back, 4), -EINVAL);
}

static void test_base64(void **state)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" }, { "foobar", "Zm9vYmFy" },
	};
	for (size_t i = 0; i < ELEMENTSOF(v); i++) {
		_cleanup_free_ char *enc = NULL;
		_cleanup_free_ unsigned char *dec = NULL;
		size_t n;

		assert_int_equal(base64_encode(v[i].in, strlen(v[i].in), &enc), 0);
		assert_string_equal(enc, v[i].out);
		assert_int_equal(base64_decode(enc, strlen(enc), &dec, &n), 0);
		assert_int_equal(n, strlen(v[i].in));
		assert_memory_equal(dec, v[i].in, n);
	}
	unsigned char *d = NULL;
	size_t n;
	assert_int_equal(base64_decode("Zm9", 3, &d, &n), -EINVAL);
	assert_int_equal(base64_decode("Zm9v!A==", 8, &d, &n), -EINVAL);
	assert_int_equal(base64_decode("Z=9v", 4, &d, &n), -EINVAL);
	/* Non-canonical forms (issue 14): "=" inside, set bits in the padding. */
	assert_int_equal(base64_decode("AB=C", 4, &d, &n), -EINVAL);
	assert_int_equal(base64_decode("AB==", 4, &d, &n), -EINVAL);
	assert_int_equal(base64_decode("Zm9=", 4, &d, &n), -EINVAL);
	assert_int_equal(base64_decode("Zm8=", 4, &d, &n), 0);
	assert_int_equal(n, 2);
	free(d);
	assert_int_equal(base64_decode("AA==", 4, &d, &n), 0);
	assert_int_equal(n, 1);
	free(d);
}

static void test_base64url_and_token(void **state)
{
	_cleanup_free_ char *s = NULL, *t1 = NULL, *t2 = NULL;
	unsigned char buf[3] = { 0xfb, 0xff, 0xfe };

	assert_int_equal(base64url_encode(buf, 3, &s), 0);
	assert_string_equal(s, "-__-");
	assert_int_equal(token_new(32, &t1), 0);
	assert_int_equal(token_new(32, &t2), 0);
	assert_int_equal(strlen(t1), 43);
	assert_string_not_equal(t1, t2);
	assert_int_equal(token_new(0, &s), -EINVAL);
}

static void test_ct_compare(void **state)
{
	assert_true(memeq_ct("abc", "abc", 3));
	assert_false(memeq_ct("abc", "abd", 3));
	assert_true(streq_ct("secret", "secret"));
	assert_false(streq_ct("secret", "secreT"));
	assert_false(streq_ct("secret", "secret2"));
	assert_false(streq_ct(NULL, "x"));
}

static void test_random_uniform(void **state)
{
	int counts[6] = { 0 };
	uint32_t v;

	for (int i = 0; i < 6000; i++) {
		assert_int_equal(random_uniform(6, &v), 0);
		assert_true(v < 6);
		counts[v]++;
	}
	for (int i = 0; i < 6; i++)
		assert_true(counts[i] > 800 && counts[i] < 1200);
	assert_int_equal(random_uniform(0, &v), -EINVAL);
}

static void test_sha256(void **state)
{
	char h[65];

	assert_int_equal(sha256_hex("abc", 3, h), 0);
	assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_hmac(void **state)
{
	unsigned char key[32], mac[32];
	char hex[65];

	for (int i = 0; i < 32; i++)
		key[i] = (unsigned char)i;
	assert_int_equal(hmac_sha256(key, "what do ya want for nothing?", mac), 0);
	hex_encode(mac, 32, hex);
	assert_string_equal(hex, "099805f4ac310786968565c098db515cc50862b420ae31e20238312344bed36a");
}

static void test_parse(void **state)
{
	int64_t v;
	bool b;

	assert_int_equal(parse_int64("42", 0, 100, &v), 0);
	assert_int_equal(v, 42);
	assert_int_equal(parse_int64("-1", 0, 100, &v), -ERANGE);
	assert_int_equal(parse_int64("101", 0, 100, &v), -ERANGE);
	assert_int_equal(parse_int64("4x", 0, 100, &v), -EINVAL);
	assert_int_equal(parse_int64("", 0, 100, &v), -EINVAL);
	assert_int_equal(parse_int64(" 4", 0, 100, &v), -EINVAL);
	assert_int_equal(parse_int64("99999999999999999999", 0, INT64_MAX, &v), -ERANGE);
	assert_int_equal(parse_bool("Yes", &b), 0);
	assert_true(b);
	assert_int_equal(parse_bool("off", &b), 0);
	assert_false(b);
	assert_int_equal(parse_bool("maybe", &b), -EINVAL);
}

static void test_files(void **state)
{
	char dir[] = "/tmp/eonay-test-XXXXXX";
	_cleanup_free_ char *path = NULL, *sub = NULL, *buf = NULL;
	struct stat st;
	size_t n;

	assert_non_null(mkdtemp(dir));
	path = strdup_printf("%s/a/b/c", dir);
	assert_int_equal(mkdir_p(path, 0700), 0);
	assert_int_equal(mkdir_p(path, 0700), 0);
	sub = strdup_printf("%s/file", path);
	assert_int_equal(write_file_atomic(sub, "hello", 5, 0600), 0);
	assert_int_equal(stat(sub, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(read_file(sub, 100, &buf, &n), 0);
	assert_int_equal(n, 5);
	assert_string_equal(buf, "hello");
	free(TAKE_PTR(buf));
	assert_int_equal(read_file(sub, 3, &buf, &n), -EFBIG);
	assert_int_equal(read_file(path, 100, &buf, &n), -EISDIR);
	free(path);
	path = strdup_printf("rm -rf %s", dir);
	assert_int_equal(system(path), 0);
}

static void test_time(void **state)
{
	char ts[21];

	iso8601_utc(0, ts);
	assert_string_equal(ts, "1970-01-01T00:00:00Z");
	iso8601_utc(1795420800, ts);
	assert_string_equal(ts, "2026-11-23T08:00:00Z");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_base64),
		cmocka_unit_test(test_base64url_and_token),
		cmocka_unit_test(test_ct_compare),
		cmocka_unit_test(test_random_uniform),
		cmocka_unit_test(test_sha256),
		cmocka_unit_test(test_hmac),
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
