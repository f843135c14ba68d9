/* test-key.c - key generation, encrypted key files, certificate encodings,
 * serials; cross-checked with the openssl command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pki-ca-fixture.h"

static struct pki_fixture *fx;

static void test_generate(void **state)
{
	static const struct {
		const char *spec;
		int type, bits;
	} ok[] = {
		{ "rsa:2048", EVP_PKEY_RSA, 2048 },
		{ "rsa:3072", EVP_PKEY_RSA, 3072 },
		{ "ec:P-256", EVP_PKEY_EC, 256 },
		{ "ec:P-384", EVP_PKEY_EC, 384 },
	};
	static const char *const bad[] = {
		"", "rsa:1024", "rsa:2047", "rsa:", "rsa:2048x", "ec:P-521", "ec:p-256",
		"ec:secp256k1", "dsa:2048", "ed25519", "RSA:2048",
	};
	EVP_PKEY *k = NULL;

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		assert_int_equal(pki_key_generate(ok[i].spec, &k), 0);
		assert_int_equal(EVP_PKEY_get_base_id(k), ok[i].type);
		assert_int_equal(EVP_PKEY_get_bits(k), ok[i].bits);
		assert_ptr_equal(pki_key_digest(k), ok[i].bits == 384 ? EVP_sha384() : EVP_sha256());
		EVP_PKEY_free(k);
		k = NULL;
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++)
		assert_int_equal(pki_key_generate(bad[i], &k), -EINVAL);
	assert_int_equal(pki_key_generate(NULL, &k), -EINVAL);
	assert_null(k);
	assert_null(pki_key_digest(NULL));
}

static void test_save_load(void **state)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL, *back = NULL;
	_cleanup_free_ char *path = fx_path(fx, "k.pem"), *pem = NULL, *out = NULL;
	struct stat st;
	size_t n = 0;

	assert_int_equal(pki_key_generate("ec:P-384", &k), 0);
	assert_int_equal(pki_key_save(k, path, ""), -EINVAL);
	assert_int_equal(pki_key_save(k, path, NULL), -EINVAL);
	assert_int_equal(pki_key_save(k, path, "correct horse"), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(read_file(path, 1 << 20, &pem, &n), 0);
	assert_contains(pem, "-----BEGIN ENCRYPTED PRIVATE KEY-----");
	assert_not_contains(pem, "BEGIN PRIVATE KEY");
	assert_not_contains(pem, "BEGIN EC PRIVATE KEY");

	/* openssl sees PBES2 with PBKDF2-HMAC-SHA256 and AES-256-CBC, and
	 * opens it with the same passphrase. */
	out = fx_ok(fx, "openssl asn1parse -in k.pem");
	assert_contains(out, "PBES2");
	assert_contains(out, "PBKDF2");
	assert_contains(out, "hmacWithSHA256");
	assert_contains(out, "aes-256-cbc");
	free(out);
	out = fx_ok(fx, "openssl pkey -in k.pem -passin 'pass:correct horse' -noout -text");
	assert_contains(out, "NIST CURVE: P-384");
	free(out);
	out = NULL;
	assert_int_not_equal(fx_run(fx, &out, "openssl pkey -in k.pem -passin pass:wrong -noout"), 0);

	assert_int_equal(pki_key_load(path, "correct horse", &back), 0);
	assert_int_equal(EVP_PKEY_eq(k, back), 1);
}

static void test_load_refusals(void **state)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
	_cleanup_free_ char *path = fx_path(fx, "r.pem"), *pem = NULL, *tpath = fx_path(fx, "t.pem");
	_cleanup_free_ char *plain = fx_path(fx, "plain.pem"), *out = NULL;
	EVP_PKEY *back = NULL;
	size_t n = 0;
	int r, refused = 0;

	assert_int_equal(pki_key_generate("ec:P-256", &k), 0);
	assert_int_equal(pki_key_save(k, path, "right"), 0);

	assert_int_equal(pki_key_load(path, "wrong", &back), -EACCES);
	assert_int_equal(pki_key_load(path, "righ", &back), -EACCES);
	assert_int_equal(pki_key_load(path, NULL, &back), -EACCES);
	assert_int_equal(pki_key_load(path, "", &back), -EACCES);
	assert_int_equal(pki_key_load("/nonexistent/k.pem", "right", &back), -ENOENT);
	assert_int_equal(pki_key_load(NULL, "right", &back), -EINVAL);
	assert_int_equal(pki_key_load("", "right", &back), -EINVAL);

	/* Tampering: each changed base64 character of the body, truncation,
	 * garbage.  Never a key. */
	assert_int_equal(read_file(path, 1 << 20, &pem, &n), 0);
	for (size_t i = 40; i < n - 40; i += 7) {
		char saved = pem[i];

		if (pem[i] == '\n')
			continue;
		pem[i] = pem[i] == 'A' ? 'B' : 'A';
		fx_write(fx, "t.pem", pem, n);
		r = pki_key_load(tpath, "right", &back);
		if (r == 0) {
			/* a byte the decoders do not look at: still the same key */
			assert_int_equal(EVP_PKEY_eq(k, back), 1);
			EVP_PKEY_free(back);
			back = NULL;
		} else {
			assert_true(r == -EACCES || r == -EBADMSG);
			assert_null(back);
			refused++;
		}
		pem[i] = saved;
	}
	assert_true(refused > 20);
	fx_write(fx, "t.pem", pem, n / 2);
	assert_int_equal(pki_key_load(tpath, "right", &back), -EBADMSG);
	fx_write(fx, "t.pem", "hello\n", 6);
	assert_int_equal(pki_key_load(tpath, "right", &back), -EBADMSG);
	fx_write(fx, "t.pem", "", 0);
	assert_int_equal(pki_key_load(tpath, "right", &back), -EBADMSG);
	/* A certificate is not a key. */
	out = fx_ok(fx, "cp ca/root.crt t.pem");
	assert_int_equal(pki_key_load(tpath, "right", &back), -EBADMSG);

	/* An unencrypted PKCS#8 key (openssl genpkey) opens without a
	 * passphrase only: with one, it is a swapped file. */
	free(out);
	out = fx_ok(fx, "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out plain.pem");
	assert_int_equal(pki_key_load(plain, "right", &back), -EACCES);
	assert_int_equal(pki_key_load(plain, NULL, &back), 0);
	assert_non_null(back);
	EVP_PKEY_free(back);
	back = NULL;

	/* A pkcs11: reference goes to the PKCS#11 module, which cannot find
	 * this token. */
	r = pki_key_load("pkcs11:token=eonay-no-such-token;object=none;type=private", "1234", &back);
	assert_true(r < 0);
	assert_null(back);
}

static void test_certs(void **state)
{
	_cleanup_(X509_freep) X509 *pem = NULL, *der = NULL, *back = NULL;
	_cleanup_free_ char *out = NULL, *p = NULL, *copy = fx_path(fx, "copy.crt");
	_cleanup_free_ unsigned char *buf = NULL;
	char hex[PKI_SERIAL_HEX_MAX], sha[PKI_SHA256_HEX_MAX], expect[128] = "";
	const unsigned char *q;
	size_t n = 0;

	out = fx_ok(fx, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes "
		    "-keyout self.key -subj /CN=self -days 2 -set_serial 0x00c0ffee0102 -out self.pem && "
		    "openssl x509 -in self.pem -outform DER -out self.der");
	p = fx_path(fx, "self.pem");
	assert_int_equal(pki_cert_load(p, &pem), 0);
	free(p);
	p = fx_path(fx, "self.der");
	assert_int_equal(pki_cert_load(p, &der), 0);
	assert_int_equal(X509_cmp(pem, der), 0);
	free(p);
	p = fx_path(fx, "self.key");
	assert_int_equal(pki_cert_load(p, &back), -EBADMSG);
	assert_int_equal(pki_cert_load("/nonexistent", &back), -ENOENT);
	assert_null(back);

	/* Serial and fingerprint agree with openssl. */
	assert_int_equal(pki_cert_serial_hex(pem, hex), 0);
	assert_string_equal(hex, "c0ffee0102");
	free(out);
	out = fx_ok(fx, "openssl x509 -in self.pem -noout -fingerprint -sha256");
	{
		size_t k = 0;

		for (const char *s = strchr(out, '=') + 1; *s && *s != '\n' && k < 64; s++)
			if (*s != ':')
				expect[k++] = (char)(*s >= 'A' && *s <= 'F' ? *s + 32 : *s);
		expect[k] = '\0';
	}
	assert_int_equal(pki_cert_sha256_hex(pem, sha), 0);
	assert_string_equal(sha, expect);

	/* DER round trip; PEM written is read back by openssl. */
	assert_int_equal(pki_cert_to_der(pem, &buf, &n), 0);
	q = buf;
	back = d2i_X509(NULL, &q, (long)n);
	assert_non_null(back);
	assert_int_equal(X509_cmp(pem, back), 0);
	/* DER with trailing bytes is refused */
	{
		_cleanup_free_ unsigned char *longer = malloc(n + 1);
		X509 *x = NULL;

		memcpy(longer, buf, n);
		longer[n] = 0;
		assert_int_equal(pki_cert_parse(longer, n + 1, &x), -EBADMSG);
		assert_int_equal(pki_cert_parse(longer, n, &x), 0);
		X509_free(x);
	}
	assert_int_equal(pki_cert_save(pem, copy), 0);
	free(out);
	out = fx_ok(fx, "openssl x509 -in copy.crt -noout -subject");
	assert_contains(out, "CN = self");
}

static void test_serials(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "1", "01" }, { "01", "01" }, { "0001", "01" }, { "ABC", "0abc" },
		{ "00ff", "ff" }, { "7fFFFFff", "7fffffff" }, { "0", "00" },
		{ "0102030405060708090a0b0c0d0e0f1011121314", "0102030405060708090a0b0c0d0e0f1011121314" },
	};
	static const char *const bad[] = {
		"", "xyz", "12 34", "-1", "0x12", "g0",
		"0102030405060708090a0b0c0d0e0f101112131415",	/* 21 bytes */
	};
	char hex[PKI_SERIAL_HEX_MAX];

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		_cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *ai = NULL;

		assert_int_equal(pki_serial_from_hex(ok[i].in, &ai), 0);
		assert_int_equal(pki_serial_to_hex(ai, hex), 0);
		assert_string_equal(hex, ok[i].out);
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		ASN1_INTEGER *ai = NULL;

		assert_int_equal(pki_serial_from_hex(bad[i], &ai), -EINVAL);
		assert_null(ai);
	}
	{
		_cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *neg = ASN1_INTEGER_new();

		assert_int_equal(ASN1_INTEGER_set_int64(neg, -5), 1);
		assert_int_equal(pki_serial_to_hex(neg, hex), -EINVAL);
	}
	/* Random serials: 16 bytes, positive, 32 digits, all different. */
	char prev[PKI_SERIAL_HEX_MAX] = "";
	for (int i = 0; i < 200; i++) {
		_cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *ai = NULL;

		assert_int_equal(pki_serial_random(&ai), 0);
		assert_int_equal(ASN1_STRING_type(ai), V_ASN1_INTEGER);
		assert_int_equal(pki_serial_to_hex(ai, hex), 0);
		assert_int_equal(strlen(hex), 32);
		assert_true(hex[0] >= '4' && hex[0] <= '7');
		assert_string_not_equal(hex, prev);
		strcpy(prev, hex);
	}
}

static void test_time(void **state)
{
	_cleanup_(ASN1_TIME_freep) ASN1_TIME *utc = ASN1_TIME_set(NULL, 1700000000);
	_cleanup_(ASN1_TIME_freep) ASN1_TIME *gen = ASN1_TIME_set(NULL, 4102444800);	/* 2100 */
	int64_t t = 0;

	assert_int_equal(ASN1_STRING_type(utc), V_ASN1_UTCTIME);
	assert_int_equal(ASN1_STRING_type(gen), V_ASN1_GENERALIZEDTIME);
	assert_int_equal(pki_asn1_time_to_unix(utc, &t), 0);
	assert_int_equal(t, 1700000000);
	assert_int_equal(pki_asn1_time_to_unix(gen, &t), 0);
	assert_int_equal(t, 4102444800);
	assert_int_equal(pki_asn1_time_to_unix(NULL, &t), -EINVAL);
}

static int setup(void **state)
{
	fx = fx_new_ca(NULL);
	return 0;
}

static int teardown(void **state)
{
	fx_free(fx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_save_load),
		cmocka_unit_test(test_load_refusals),
		cmocka_unit_test(test_certs),
		cmocka_unit_test(test_serials),
		cmocka_unit_test(test_time),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
