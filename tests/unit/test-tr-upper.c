/* test-tr-upper.c - Turkish upper-casing of names (pki/tr-upper.h and
 * pki_name_normalize()): the letter pairs where Turkish differs from
 * the C locale and the ones it shares, letter by letter and in names
 * mixed with ASCII. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "common/util.h"
#include "pki/profile.h"
#include "pki/tr-upper.h"

static void test_letters(void **state)
{
	static const struct {
		uint32_t lower, upper;
	} pairs[] = {
		{ 'i', 0x130 },		/* i -> İ, not I */
		{ 0x131, 'I' },		/* ı -> I */
		{ 0x15f, 0x15e },	/* ş -> Ş */
		{ 0x11f, 0x11e },	/* ğ -> Ğ */
		{ 0xfc, 0xdc },		/* ü -> Ü */
		{ 0xf6, 0xd6 },		/* ö -> Ö */
		{ 0xe7, 0xc7 },		/* ç -> Ç */
		{ 'a', 'A' },
		{ 'z', 'Z' },
		{ 0xeb, 0xcb },		/* ë -> Ë */
	};
	static const uint32_t not_letters[] = {
		'0', '9', '-', '\'', '.', ' ', '@', '<', 0x7f, 0x85, 0xd7, 0xf7, 0x200b, 0x3b1,
	};

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(pairs); i++) {
		assert_int_equal(tr_upper_char(pairs[i].lower), pairs[i].upper);
		/* a capital stays itself */
		assert_int_equal(tr_upper_char(pairs[i].upper), pairs[i].upper);
	}
	assert_int_equal(tr_upper_char('I'), 'I');	/* I is not dotted */
	assert_int_equal(tr_upper_char(0xdf), 0xdf);	/* ß */
	for (size_t i = 0; i < ELEMENTSOF(not_letters); i++)
		assert_int_equal(tr_upper_char(not_letters[i]), 0);
}

static void test_names(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "i", "İ" },
		{ "ı", "I" },
		{ "ş", "Ş" },
		{ "ğ", "Ğ" },
		{ "ü", "Ü" },
		{ "ö", "Ö" },
		{ "ç", "Ç" },
		/* mixed with ASCII */
		{ "ismail", "İSMAİL" },
		{ "Irmak ışık", "IRMAK IŞIK" },
		{ "çiğdem özünlü", "ÇİĞDEM ÖZÜNLÜ" },
		{ "Mary-Jane o'brien", "MARY-JANE O'BRİEN" },
		{ "  AHMET   veli  ", "AHMET VELİ" },
		{ "İŞĞÜÖÇ", "İŞĞÜÖÇ" },
	};
	char *n = NULL;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		assert_int_equal(pki_name_normalize(cases[i].in, &n), 0);
		assert_string_equal(n, cases[i].out);
		free(n);
		n = NULL;
	}
}

static void test_utf8(void **state)
{
	static const char *const bad[] = {
		"\xc3",			/* truncated */
		"\xc0\xaf",		/* overlong '/' */
		"\xe0\x80\xaf",		/* overlong */
		"\xed\xa0\x80",		/* surrogate */
		"\xf4\x90\x80\x80",	/* above U+10FFFF */
		"\x80",			/* lone continuation */
		"\xff",
	};
	const unsigned char *p = (const unsigned char *)"\xc4\xb0z";
	uint32_t c = 0;
	size_t n = 0;

	(void)state;
	assert_int_equal(tr_upper_utf8_next(&p, &c), 0);
	assert_int_equal(c, 0x130);
	assert_int_equal(tr_upper_utf8_next(&p, &c), 0);
	assert_int_equal(c, 'z');
	assert_int_equal(*p, 0);
	assert_int_equal(tr_upper_utf8_count("\xc4\xb0stanbul \xf0\x9f\x98\x80", &n), 0);
	assert_int_equal(n, 10);
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(tr_upper_utf8_count(bad[i], &n), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_letters),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_utf8),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
