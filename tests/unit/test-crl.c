/* test-crl.c - the issuing CA's CRL, read back and used by openssl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pki-ca-fixture.h"
#include "pki/crl.h"

static struct pki_fixture *fx;
static X509 *revoked, *held, *plain, *good;
static char s_revoked[PKI_SERIAL_HEX_MAX], s_held[PKI_SERIAL_HEX_MAX];
static char s_plain[PKI_SERIAL_HEX_MAX], s_good[PKI_SERIAL_HEX_MAX];

static void write_crl(X509_CRL *crl, const char *name)
{
	_cleanup_free_ char *pem = NULL;

	assert_int_equal(pki_crl_to_pem(crl, &pem), 0);
	fx_write(fx, name, pem, strlen(pem));
}

/* "7f0a..." as openssl prints serials in CRLs: upper case. */
static void upper(const char *s, char *ret)
{
	for (; *s; s++)
		*ret++ = (char)(*s >= 'a' && *s <= 'f' ? *s - 32 : *s);
	*ret = '\0';
}

static void test_build_openssl(void **state)
{
	int64_t now = now_sec();
	char up[PKI_SERIAL_HEX_MAX];
	/* out of order on purpose, one serial in upper case */
	char s_revoked_up[PKI_SERIAL_HEX_MAX];
	upper(s_revoked, s_revoked_up);
	const struct pki_revoked_entry e[] = {
		{ s_held, now - 100, PKI_REASON_CERTIFICATE_HOLD },
		{ s_revoked_up, now - 200, PKI_REASON_KEY_COMPROMISE },
		{ s_plain, now - 300, PKI_REASON_UNSPECIFIED },
		{ "0a", now - 400, PKI_REASON_SUPERSEDED },
	};
	_cleanup_(X509_CRL_freep) X509_CRL *crl = NULL, *back = NULL;
	_cleanup_free_ char *out = NULL;
	_cleanup_free_ unsigned char *der = NULL;
	const unsigned char *p;
	size_t n = 0;
	char *pos[4];

	assert_int_equal(pki_crl_build(fx->ca, e, ELEMENTSOF(e), 42, now, now + 86400, &crl), 0);
	write_crl(crl, "crl.pem");

	out = fx_ok(fx, "openssl crl -in crl.pem -noout -text");
	assert_contains(out, "Version 2 (0x1)");
	assert_contains(out, "Issuer: C = TR, O = eonay Demo, CN = eonay Demo NES Issuing CA");
	assert_contains(out, "Signature Algorithm: ecdsa-with-SHA384");
	assert_contains(out, "X509v3 CRL Number: \n                42\n");
	assert_contains(out, "X509v3 Authority Key Identifier");
	/* Each entry with its reason; the unspecified one without. */
	upper(s_held, up);
	assert_contains(out, up);
	pos[0] = strstr(out, up);
	assert_contains(pos[0], "X509v3 CRL Reason Code: \n                Certificate Hold");
	assert_contains(pos[0], "Hold Instruction Code: \n                Hold Instruction Reject");
	pos[1] = strstr(out, s_revoked_up);
	assert_non_null(pos[1]);
	upper(s_plain, up);
	pos[2] = strstr(out, up);
	assert_non_null(pos[2]);
	pos[3] = strstr(out, "Serial Number: 0A\n");
	assert_non_null(pos[3]);
	{
		/* Entries appear sorted by serial: 0A first, then the 16-byte
		 * ones in increasing order. */
		const char *ser[3] = { s_held, s_revoked, s_plain };
		char *at[3] = { pos[0], pos[1], pos[2] };
		for (int i = 0; i < 3; i++)
			assert_true(pos[3] < at[i]);
		for (int i = 0; i < 3; i++)
			for (int j = 0; j < 3; j++)
				if (strcmp(ser[i], ser[j]) < 0)
					assert_true(at[i] < at[j]);
	}
	/* what follows each serial, up to the next entry */
	{
		char *next = strstr(pos[1] + 1, "Serial Number:");
		char *reason = strstr(pos[1], "Key Compromise");
		assert_non_null(reason);
		assert_true(!next || reason < next);
		next = strstr(pos[2] + 1, "Serial Number:");
		reason = strstr(pos[2], "CRL Reason Code");
		assert_true(!reason || (next && reason > next));
		reason = strstr(pos[3], "Superseded");
		assert_non_null(reason);
	}

	/* The signature verifies with the issuing CA's certificate. */
	free(out);
	out = fx_ok(fx, "openssl crl -in crl.pem -noout -CAfile ca/issuing.crt");
	assert_contains(out, "verify OK");

	/* And the CRL does what it is for. */
	fx_write_cert(fx, "revoked.crt", revoked);
	fx_write_cert(fx, "held.crt", held);
	fx_write_cert(fx, "good.crt", good);
	free(out);
	out = fx_ok(fx, "openssl verify -crl_check -CAfile chain.pem -CRLfile crl.pem good.crt");
	assert_contains(out, "good.crt: OK");
	free(out);
	out = NULL;
	assert_int_not_equal(fx_run(fx, &out, "openssl verify -crl_check -CAfile chain.pem "
				    "-CRLfile crl.pem revoked.crt"), 0);
	assert_contains(out, "certificate revoked");
	free(out);
	out = NULL;
	assert_int_not_equal(fx_run(fx, &out, "openssl verify -crl_check -CAfile chain.pem "
				    "-CRLfile crl.pem held.crt"), 0);
	assert_contains(out, "certificate revoked");

	/* DER round trip */
	assert_int_equal(pki_crl_to_der(crl, &der, &n), 0);
	p = der;
	back = d2i_X509_CRL(NULL, &p, (long)n);
	assert_non_null(back);
	assert_int_equal(X509_CRL_verify(back, X509_get0_pubkey(pki_ca_issuing_cert(fx->ca))), 1);
	assert_int_equal(sk_X509_REVOKED_num(X509_CRL_get_REVOKED(back)), 4);
	{
		int64_t t = 0;
		assert_int_equal(pki_asn1_time_to_unix(X509_CRL_get0_lastUpdate(back), &t), 0);
		assert_int_equal(t, now);
		assert_int_equal(pki_asn1_time_to_unix(X509_CRL_get0_nextUpdate(back), &t), 0);
		assert_int_equal(t, now + 86400);
	}
}

static void test_empty_and_big_number(void **state)
{
	_cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
	_cleanup_free_ char *out = NULL;
	int64_t now = now_sec();

	assert_int_equal(pki_crl_build(fx->ca, NULL, 0, UINT64_MAX, now, now + 3600, &crl), 0);
	write_crl(crl, "empty.pem");
	out = fx_ok(fx, "openssl crl -in empty.pem -noout -text -CAfile ca/issuing.crt");
	assert_contains(out, "verify OK");
	assert_contains(out, "No Revoked Certificates.");
	assert_contains(out, "18446744073709551615");
}

static void test_refusals(void **state)
{
	int64_t now = now_sec();
	X509_CRL *crl = NULL;
	static const int bad_reasons[] = { -1, 7, 8, 11, 100 };

	for (size_t i = 0; i < ELEMENTSOF(bad_reasons); i++) {
		struct pki_revoked_entry e = { "0102", now, bad_reasons[i] };
		assert_int_equal(pki_crl_build(fx->ca, &e, 1, 1, now, now + 60, &crl), -EINVAL);
	}
	{
		struct pki_revoked_entry e[] = { { "zz", now, 1 } };
		assert_int_equal(pki_crl_build(fx->ca, e, 1, 1, now, now + 60, &crl), -EINVAL);
	}
	{
		struct pki_revoked_entry e[] = { { NULL, now, 1 } };
		assert_int_equal(pki_crl_build(fx->ca, e, 1, 1, now, now + 60, &crl), -EINVAL);
	}
	{
		struct pki_revoked_entry e[] = { { "0102", 0, 1 } };
		assert_int_equal(pki_crl_build(fx->ca, e, 1, 1, now, now + 60, &crl), -EINVAL);
	}
	{
		/* the same serial twice, spelled differently */
		struct pki_revoked_entry e[] = { { "00ab", now, 1 }, { "0102", now, 1 }, { "AB", now, 6 } };
		assert_int_equal(pki_crl_build(fx->ca, e, 3, 1, now, now + 60, &crl), -EINVAL);
	}
	assert_int_equal(pki_crl_build(fx->ca, NULL, 0, 1, now, now, &crl), -EINVAL);
	assert_int_equal(pki_crl_build(fx->ca, NULL, 0, 1, now, now - 1, &crl), -EINVAL);
	assert_int_equal(pki_crl_build(fx->ca, NULL, 1, 1, now, now + 1, &crl), -EINVAL);
	assert_int_equal(pki_crl_build(NULL, NULL, 0, 1, now, now + 1, &crl), -EINVAL);
	assert_null(crl);
}

/* One entry as OpenSSL encodes it (X509_REVOKED with the extensions
 * in the order pki_crl_entry_der writes them). */
static size_t openssl_entry(const char *hex, int64_t t, int reason, unsigned char *out)
{
	X509_REVOKED *rev = X509_REVOKED_new();
	ASN1_INTEGER *serial = NULL;
	ASN1_TIME *at = ASN1_TIME_set(NULL, (time_t)t);
	unsigned char *p = out;
	int n;

	assert_int_equal(pki_serial_from_hex(hex, &serial), 0);
	assert_true(X509_REVOKED_set_serialNumber(rev, serial));
	assert_true(X509_REVOKED_set_revocationDate(rev, at));
	if (reason != PKI_REASON_UNSPECIFIED) {
		ASN1_ENUMERATED *code = ASN1_ENUMERATED_new();
		ASN1_ENUMERATED_set(code, reason);
		assert_int_equal(X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, code, 0, 0), 1);
		ASN1_ENUMERATED_free(code);
	}
	if (reason == PKI_REASON_CERTIFICATE_HOLD)
		assert_int_equal(X509_REVOKED_add1_ext_i2d(rev, NID_hold_instruction_code,
							   OBJ_nid2obj(NID_hold_instruction_reject),
							   0, 0), 1);
	n = i2d_X509_REVOKED(rev, &p);
	assert_true(n > 0);
	X509_REVOKED_free(rev);
	ASN1_INTEGER_free(serial);
	ASN1_TIME_free(at);
	return (size_t)n;
}

/* The hand-made entry DER is OpenSSL's, byte for byte: serials with and
 * without the high bit, zero, leading zeros; dates around the UTCTime /
 * GeneralizedTime switch (2050), leap days, the epoch; every reason. */
static void test_entry_der_is_openssls(void **state)
{
	static const char *const serials[] = { "01", "7f", "80", "00", "000abc", "ff00ff",
					       "0123456789abcdef0123456789abcdef01234567" };
	static const int64_t times[] = { 86400, 951782400 /* 2000-02-29 */, 1709164800,
					 2524607999 /* 2049-12-31 23:59:59 */,
					 2524608000 /* 2050-01-01 */, 4107542399, 1796140800 };
	static const int reasons[] = { 0, 1, 2, 3, 4, 5, 6, 9, 10 };
	unsigned char ours[PKI_CRL_ENTRY_MAX], theirs[256];
	size_t n = 0, m;

	for (size_t i = 0; i < ELEMENTSOF(serials); i++)
		for (size_t j = 0; j < ELEMENTSOF(times); j++)
			for (size_t k = 0; k < ELEMENTSOF(reasons); k++) {
				assert_int_equal(pki_crl_entry_der(serials[i], times[j], reasons[k],
								   ours, &n), 0);
				m = openssl_entry(serials[i], times[j], reasons[k], theirs);
				if (n != m || memcmp(ours, theirs, n) != 0)
					fail_msg("entry %s %lld %d differs", serials[i],
						 (long long)times[j], reasons[k]);
			}
	assert_int_equal(pki_crl_entry_der("0g", 1, 1, ours, &n), -EINVAL);
	assert_int_equal(pki_crl_entry_der("01", 0, 1, ours, &n), -EINVAL);
	assert_int_equal(pki_crl_entry_der("01", 1, 8, ours, &n), -EINVAL);
	assert_int_equal(pki_crl_entry_der("0123456789abcdef0123456789abcdef0123456789", 1, 1, ours,
					   &n), -EINVAL);
}

/* The builder sorts entries given out of order (a store whose collation
 * does not sort hex as bytes) and refuses a serial twice. */
static void test_builder_order(void **state)
{
	_cleanup_(pki_crl_builder_freep) struct pki_crl_builder *b = NULL;
	_cleanup_free_ unsigned char *der = NULL;
	_cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
	const unsigned char *p;
	int64_t now = now_sec();
	size_t n = 0;
	STACK_OF(X509_REVOKED) *revs;
	static const char *const in[] = { "0200", "ff", "01", "0100", "7f" };

	assert_int_equal(pki_crl_builder_new(fx->ca, 7, now, now + 60, &b), 0);
	for (size_t i = 0; i < ELEMENTSOF(in); i++)
		assert_int_equal(pki_crl_builder_add(b, in[i], now - 10, 1), 0);
	assert_int_equal(pki_crl_builder_count(b), ELEMENTSOF(in));
	assert_int_equal(pki_crl_builder_finish(b, &der, &n), 0);
	p = der;
	crl = d2i_X509_CRL(NULL, &p, (long)n);
	assert_non_null(crl);
	assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(pki_ca_issuing_cert(fx->ca))), 1);
	revs = X509_CRL_get_REVOKED(crl);
	assert_int_equal(sk_X509_REVOKED_num(revs), 5);
	for (int i = 0; i < 5; i++) {
		char hex[PKI_SERIAL_HEX_MAX];
		static const char *const want[] = { "01", "7f", "ff", "0100", "0200" };

		assert_int_equal(pki_serial_to_hex(X509_REVOKED_get0_serialNumber(
							   sk_X509_REVOKED_value(revs, i)), hex), 0);
		assert_string_equal(hex, want[i]);
	}
	pki_crl_builder_free(TAKE_PTR(b));
	assert_int_equal(pki_crl_builder_new(fx->ca, 8, now, now + 60, &b), 0);
	assert_int_equal(pki_crl_builder_add(b, "0a", now, 1), 0);
	assert_int_equal(pki_crl_builder_add(b, "0b", now, 1), 0);
	assert_int_equal(pki_crl_builder_add(b, "0a", now, 1), 0);	/* out of order */
	free(TAKE_PTR(der));
	assert_int_equal(pki_crl_builder_finish(b, &der, &n), -EINVAL);
}

/* Lengths at every header-size boundary: CRLs of 0 to 1600 entries (the
 * TBS crosses 127/128, 255/256 and 65535/65536 bytes; serials of 1 to 20
 * bytes, high bit set or not) read back by OpenSSL, verified, and
 * re-encoded by it to the same bytes (DER, not merely BER). */
static void test_length_boundaries(void **state)
{
	int64_t now = now_sec();
	bool seen128 = false, seen256 = false, seen64k = false;

	for (size_t n = 0; n <= 1600; n += (n < 40 ? 1 : n < 1300 ? 37 : 1)) {
		_cleanup_(pki_crl_builder_freep) struct pki_crl_builder *b = NULL;
		_cleanup_free_ unsigned char *der = NULL;
		_cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
		unsigned char *again = NULL;
		const unsigned char *p;
		size_t len = 0;
		int m;

		assert_int_equal(pki_crl_builder_new(fx->ca, n, now, now + 60, &b), 0);
		for (size_t i = 0; i < n; i++) {
			char hex[48];
			size_t bytes = 1 + i % 20;

			/* distinct: the entry number in the last 2 bytes, its
			 * length by position; the first byte 0x80-ish half the time */
			for (size_t k = 0; k < bytes; k++) {
				size_t shift = 8 * (bytes - 1 - k);	/* up to 152 bits */

				snprintf(hex + 2 * k, 3, "%02x",
					 k == 0 ? (unsigned)(i & 1 ? 0x80 | (i % 97) : 1 + i % 97)
					 : shift < 64 ? (unsigned)((i >> shift) & 0xff) : 0u);
			}
			if (bytes < 3)
				snprintf(hex, sizeof(hex), "%02x%04zx", 0x80 | (unsigned)(i % 2), i);
			assert_int_equal(pki_crl_builder_add(b, hex, now - (int64_t)i,
							     (int)(i % 3 == 0 ? 1 : i % 3 == 1 ? 6 : 0)), 0);
		}
		assert_int_equal(pki_crl_builder_finish(b, &der, &len), 0);
		p = der;
		crl = d2i_X509_CRL(NULL, &p, (long)len);
		assert_non_null(crl);
		assert_ptr_equal(p, der + len);
		assert_int_equal(X509_CRL_verify(crl, X509_get0_pubkey(pki_ca_issuing_cert(fx->ca))), 1);
		assert_int_equal(n ? sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl)) : 0, (int)n);
		/* OpenSSL keeps the TBS it read; have it encode it afresh. */
		m = i2d_re_X509_CRL_tbs(crl, &again);
		assert_true(m > 0);
		{
			size_t h = der[1] & 0x80 ? 2 + (der[1] & 0x7f) : 2;

			if (h + (size_t)m > len || memcmp(again, der + h, (size_t)m) != 0)
				fail_msg("CRL of %zu entries (%zu bytes): TBS is not OpenSSL's DER",
					 n, len);
		}
		OPENSSL_free(again);
		seen128 |= m >= 128 && m < 256;
		seen256 |= m >= 256 && m < 65536;
		seen64k |= m >= 65536;
	}
	assert_true(seen128 && seen256 && seen64k);
}

static void test_reason_names(void **state)
{
	int r = -1;

	assert_string_equal(pki_reason_to_string(6), "certificateHold");
	assert_string_equal(pki_reason_to_string(1), "keyCompromise");
	assert_null(pki_reason_to_string(7));
	assert_null(pki_reason_to_string(11));
	assert_null(pki_reason_to_string(-1));
	assert_int_equal(pki_reason_from_string("certificateHold", &r), 0);
	assert_int_equal(r, 6);
	assert_int_equal(pki_reason_from_string("KEYCOMPROMISE", &r), 0);
	assert_int_equal(r, 1);
	assert_int_equal(pki_reason_from_string("nope", &r), -EINVAL);
	for (int i = 0; i <= 10; i++) {
		const char *s = pki_reason_to_string(i);
		if (!s)
			continue;
		assert_int_equal(pki_reason_from_string(s, &r), 0);
		assert_int_equal(r, i);
	}
}

static int setup(void **state)
{
	fx = fx_new_ca(NULL);
	revoked = fx_issue(fx, "10000000146", "Ali", "Revoked", NULL);
	held = fx_issue(fx, "10000000078", "Ayşe", "Held", NULL);
	plain = fx_issue(fx, "10000000146", "Veli", "Plain", NULL);
	good = fx_issue(fx, "10000000146", "Can", "Good", NULL);
	assert_int_equal(pki_cert_serial_hex(revoked, s_revoked), 0);
	assert_int_equal(pki_cert_serial_hex(held, s_held), 0);
	assert_int_equal(pki_cert_serial_hex(plain, s_plain), 0);
	assert_int_equal(pki_cert_serial_hex(good, s_good), 0);
	return 0;
}

static int teardown(void **state)
{
	X509_free(revoked);
	X509_free(held);
	X509_free(plain);
	X509_free(good);
	fx_free(fx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_openssl),
		cmocka_unit_test(test_empty_and_big_number),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_reason_names),
		cmocka_unit_test(test_entry_der_is_openssls),
		cmocka_unit_test(test_builder_order),
		cmocka_unit_test(test_length_boundaries),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
