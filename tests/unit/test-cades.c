/* test-cades.c - CAdES-BES signing (soft keys and SoftHSM keys) and the
 * full verification: what passes, the openssl command line's opinion,
 * and one refusal per sub-indication, plus garbage, every truncation and
 * random bit flips of a valid signature. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <pthread.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/rand.h>

#include "common/util.h"
#include "pki-fixture.h"
#include "pki/ca.h"
#include "pki/cades.h"
#include "pki/cms-split.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "pki/p11.h"
#include "pki/profile.h"

#define TEXT "Bu metni okudum ve onaylıyorum: eonay test 1"
#define POLICY "2.16.792.1.2.1.1.5.7.1.9"

static char dir[64];
static struct fx_ca root, issuing, other_root;
static X509_STORE *trust;
static STACK_OF(X509) *chain;	/* issuing */

/* Revocation states by serial: the test's store. */
static struct {
	char serial[PKI_SERIAL_HEX_MAX];
	int state;
} states[16];
static size_t n_states;
static unsigned status_calls;

static void state_set(X509 *cert, int state)
{
	assert_true(n_states < ELEMENTSOF(states));
	assert_int_equal(pki_cert_serial_hex(cert, states[n_states].serial), 0);
	states[n_states++].state = state;
}

static int status_cb(void *userdata, X509 *cert, X509 *issuer, int *ret_state)
{
	char serial[PKI_SERIAL_HEX_MAX];

	assert_ptr_equal(userdata, &states);
	assert_int_equal(X509_check_issued(issuer, cert), X509_V_OK);
	assert_int_equal(pki_cert_serial_hex(cert, serial), 0);
	status_calls++;
	*ret_state = CADES_STATUS_GOOD;
	for (size_t i = 0; i < n_states; i++)
		if (streq(states[i].serial, serial))
			*ret_state = states[i].state;
	return 0;
}

static struct cades_verify_opts opts(void)
{
	return (struct cades_verify_opts){
		.trust = trust,
		.intermediates = chain,
		.status = status_cb,
		.userdata = &states,
	};
}

static int group_setup(void **state)
{
	assert_int_equal(fx_dir_new(dir), 0);
	assert_int_equal(fx_ca_new("Test Kök", NULL, "ec:P-384", 0, 0, &root), 0);
	assert_int_equal(fx_ca_new("Test Issuing", &root, "ec:P-384", 0, 0, &issuing), 0);
	assert_int_equal(fx_ca_new("Other Root", NULL, "ec:P-256", 0, 0, &other_root), 0);
	trust = X509_STORE_new();
	assert_non_null(trust);
	assert_int_equal(X509_STORE_add_cert(trust, root.cert), 1);
	chain = sk_X509_new_null();
	assert_non_null(chain);
	assert_int_equal(sk_X509_push(chain, issuing.cert), 1);
	assert_int_equal(fx_write_cert(dir, "root.pem", root.cert), 0);
	return 0;
}

static int group_teardown(void **state)
{
	X509_STORE_free(trust);
	sk_X509_free(chain);
	fx_ca_done(&root);
	fx_ca_done(&issuing);
	fx_ca_done(&other_root);
	cades_cache_flush();
	fx_dir_remove(dir);
	return 0;
}

static void sign_ok(EVP_PKEY *key, X509 *cert, const char *text, unsigned char **der, size_t *n)
{
	assert_int_equal(cades_sign(key, cert, chain, text, strlen(text), der, n), 0);
	assert_non_null(*der);
}

/* Verifies and checks the sub-indication; returns the report. */
static struct cades_report *check(const unsigned char *der, size_t n,
				  const struct cades_verify_opts *o, enum cades_subindication want)
{
	struct cades_report *rep = NULL;

	assert_int_equal(cades_verify(der, n, o, &rep), 0);
	assert_non_null(rep);
	if (rep->sub != want)
		print_error("want %s, got %s (%s)\n", cades_sub_name(want), rep->sub_name,
			    rep->detail ? rep->detail : "");
	assert_int_equal(rep->sub, want);
	assert_string_equal(rep->sub_name, cades_sub_name(want));
	if (want == CADES_SUB_NONE)
		assert_int_equal(rep->indication, CADES_TOTAL_PASSED);
	else
		assert_int_not_equal(rep->indication, CADES_TOTAL_PASSED);
	return rep;
}

static void check_free(const unsigned char *der, size_t n, enum cades_subindication want)
{
	struct cades_verify_opts o = opts();

	cades_report_free(check(der, n, &o, want));
}

/* A holder certificate and key from issuing with options. */
static X509 *holder(const struct fx_holder_opts *o, EVP_PKEY **key)
{
	X509 *x = NULL;

	assert_int_equal(fx_holder_new(&issuing, o, &x, key), 0);
	return x;
}

/* What OpenSSL's command line makes of a signature. */
static void openssl_accepts(const unsigned char *der, size_t n, const char *text)
{
	_cleanup_free_ char *out = NULL, *print = NULL;

	assert_int_equal(fx_write_data(dir, "sig.der", der, n), 0);
	if (fx_run(dir, &out, "openssl cms -verify -CAfile root.pem -in sig.der -inform DER "
			      "-binary -out content.txt && cat content.txt") != 0)
		print_error("%s\n", out);
	assert_non_null(strstr(out, "Verification successful"));
	assert_non_null(strstr(out, text));
	assert_int_equal(fx_run(dir, &print, "openssl cms -cmsout -print -in sig.der -inform DER"), 0);
	assert_non_null(strstr(print, "signingTime"));
	assert_non_null(strstr(print, "id-smime-aa-signingCertificateV2"));
	assert_non_null(strstr(print, "messageDigest"));
	assert_non_null(strstr(print, "contentType"));
}

static void test_sign_verify_soft(void **state)
{
	static const char *const specs[] = { "ec:P-256", "ec:P-384", "rsa:2048", "rsa:3072" };

	for (size_t i = 0; i < ELEMENTSOF(specs); i++) {
		_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
		_cleanup_(X509_freep) X509 *cert = NULL;
		_cleanup_free_ unsigned char *der = NULL;
		struct cades_verify_opts o = opts();
		struct cades_report *rep;
		char serial[PKI_SERIAL_HEX_MAX];
		json_t *j;
		char *text = NULL;
		size_t n = 0;
		unsigned calls = status_calls;

		cert = holder(&(struct fx_holder_opts){ .key_spec = specs[i] }, &key);
		sign_ok(key, cert, TEXT, &der, &n);
		rep = check(der, n, &o, CADES_SUB_NONE);
		assert_int_equal(status_calls, calls + 1);
		assert_string_equal(rep->signer_tckn, FX_TCKN);
		assert_string_equal(rep->signer_cn, "AYŞE YILMAZ");
		assert_int_equal(pki_cert_serial_hex(cert, serial), 0);
		assert_string_equal(rep->signer_serial_hex, serial);
		assert_int_equal(rep->content_len, strlen(TEXT));
		assert_memory_equal(rep->content, TEXT, strlen(TEXT));
		assert_true(rep->signing_time >= now_sec() - 60 && rep->signing_time <= now_sec());
		assert_int_equal(X509_cmp(rep->signer, cert), 0);
		assert_null(rep->detail);

		j = cades_report_to_json(rep);
		assert_non_null(j);
		assert_string_equal(json_string_value(json_object_get(j, "indication")), "TOTAL-PASSED");
		assert_string_equal(json_string_value(json_object_get(j, "sub_indication")), "OK");
		assert_string_equal(json_string_value(json_object_get(json_object_get(j, "signer"), "tckn")),
				    FX_TCKN);
		json_decref(j);
		assert_int_equal(cades_report_to_text(rep, &text), 0);
		assert_non_null(strstr(text, "TOTAL-PASSED"));
		free(text);
		cades_report_free(rep);
		openssl_accepts(der, n, TEXT);

		/* The key must belong to the certificate. */
		_cleanup_(EVP_PKEY_freep) EVP_PKEY *wrong = NULL;
		_cleanup_free_ unsigned char *der2 = NULL;
		assert_int_equal(fx_key_new(specs[i], &wrong), 0);
		assert_int_equal(cades_sign(wrong, cert, NULL, "x", 1, &der2, &n), -EINVAL);
	}
}

static void test_sign_verify_softhsm(void **state)
{
	static const char *const specs[] = { "ec:P-256", "rsa:2048" };
	static const unsigned char id[] = { 0x42 };
	struct p11_ctx *ctx = NULL;

	assert_int_equal(fx_softhsm_setup(dir), 0);
	assert_int_equal(p11_open(NULL, &ctx), 0);
	for (size_t i = 0; i < ELEMENTSOF(specs); i++) {
		_cleanup_(EVP_PKEY_freep) EVP_PKEY *pub = NULL, *key = NULL;
		_cleanup_(X509_freep) X509 *cert = NULL;
		_cleanup_free_ unsigned char *der = NULL;
		char label[16];
		size_t n = 0;

		snprintf(label, sizeof(label), "KART-%zu", i);
		assert_int_equal(p11_token_init(ctx, label, "12345678", "123456"), 0);
		assert_int_equal(p11_keygen(ctx, label, "123456", specs[i], id, 1, &pub), 0);
		cert = holder(&(struct fx_holder_opts){ .pubkey = pub }, NULL);
		assert_int_equal(p11_cert_store(ctx, label, "123456", cert, id, 1), 0);
		assert_int_equal(p11_key_open(ctx, label, "123456", cert, &key), 0);
		sign_ok(key, cert, TEXT, &der, &n);
		check_free(der, n, CADES_SUB_NONE);
		openssl_accepts(der, n, TEXT);
	}
	p11_close(ctx);
}

/* Replaces the first occurrence of what (n bytes) in der. */
static void patch(unsigned char *der, size_t len, const void *what, size_t n, const void *with)
{
	unsigned char *p = memmem(der, len, what, n);

	assert_non_null(p);
	memcpy(p, with, n);
}

static void test_altered(void **state)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(X509_freep) X509 *cert = holder(NULL, &key);
	_cleanup_free_ unsigned char *der = NULL;
	static const unsigned char ct_oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x03 };
	static const unsigned char md_oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x04 };
	static const unsigned char st_oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05 };
	unsigned char *copy, *p;
	size_t n = 0;

	sign_ok(key, cert, TEXT, &der, &n);
	check_free(der, n, CADES_SUB_NONE);

	/* Content changed after signing. */
	copy = malloc(n);
	memcpy(copy, der, n);
	patch(copy, n, "onaylıyorum", 11, "onaylamıyom");
	check_free(copy, n, CADES_SUB_HASH_FAILURE);

	/* A signed attribute changed: the signing time's seconds. */
	memcpy(copy, der, n);
	p = memmem(copy, n, st_oid, sizeof(st_oid));
	assert_non_null(p);
	p += sizeof(st_oid);	/* SET { UTCTime } */
	assert_int_equal(p[0], 0x31);
	assert_int_equal(p[2], 0x17);
	p[2 + 2 + 11] = p[2 + 2 + 11] == '0' ? '1' : '0';
	check_free(copy, n, CADES_SUB_SIG_CRYPTO_FAILURE);

	/* The signature itself. */
	memcpy(copy, der, n);
	copy[n - 5] ^= 0x01;
	{
		struct cades_report *rep = NULL;
		struct cades_verify_opts o = opts();
		assert_int_equal(cades_verify(copy, n, &o, &rep), 0);
		assert_int_not_equal(rep->indication, CADES_TOTAL_PASSED);
		cades_report_free(rep);
	}

	/* Each mandatory signed attribute renamed (so: missing). */
	memcpy(copy, der, n);
	patch(copy, n, ct_oid, sizeof(ct_oid), (unsigned char[]){ 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x07 });
	check_free(copy, n, CADES_SUB_CONTENT_TYPE_MISSING);
	memcpy(copy, der, n);
	patch(copy, n, md_oid, sizeof(md_oid), (unsigned char[]){ 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x07 });
	check_free(copy, n, CADES_SUB_MESSAGE_DIGEST_MISSING);
	memcpy(copy, der, n);
	patch(copy, n, st_oid, sizeof(st_oid), (unsigned char[]){ 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x07 });
	check_free(copy, n, CADES_SUB_SIGNING_TIME_MISSING);
	free(copy);
}

/* Signs the way cades_sign() would not: any digest, the signing
 * certificate reference left out or naming ref, detached. */
static void sign_custom(EVP_PKEY *key, X509 *cert, const EVP_MD *md, X509 *ref, bool detached,
			unsigned char **ret, size_t *ret_n)
{
	unsigned flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP | (detached ? CMS_DETACHED : 0);
	CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	BIO *in = BIO_new_mem_buf(TEXT, (int)strlen(TEXT));
	CMS_SignerInfo *si;
	unsigned char *der = NULL;
	int len;

	assert_non_null(cms);
	si = CMS_add1_signer(cms, cert, key, md, flags);
	assert_non_null(si);
	if (ref) {
		ESS_SIGNING_CERT_V2 *sc = OSSL_ESS_signing_cert_v2_new_init(EVP_sha256(), ref, NULL, 0);
		unsigned char *sder = NULL;
		int slen = i2d_ESS_SIGNING_CERT_V2(sc, &sder);
		assert_true(slen > 0);
		assert_int_equal(CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2,
							     V_ASN1_SEQUENCE, sder, slen), 1);
		OPENSSL_free(sder);
		ESS_SIGNING_CERT_V2_free(sc);
	}
	assert_int_equal(CMS_add1_cert(cms, issuing.cert), 1);
	assert_int_equal(CMS_final(cms, in, NULL, flags), 1);
	len = i2d_CMS_ContentInfo(cms, &der);
	assert_true(len > 0);
	*ret = malloc((size_t)len);
	memcpy(*ret, der, (size_t)len);
	*ret_n = (size_t)len;
	OPENSSL_free(der);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
}

static void test_structure(void **state)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL, *key2 = NULL, *key3 = NULL;
	_cleanup_(X509_freep) X509 *cert = holder(NULL, &key), *cert2 = holder(NULL, &key2);
	_cleanup_(X509_freep) X509 *rsa = holder(&(struct fx_holder_opts){ .key_spec = "rsa:2048" }, &key3);
	_cleanup_free_ unsigned char *ok = NULL, *noref = NULL, *badref = NULL, *sha1 = NULL,
				       *md5 = NULL, *detached = NULL;
	size_t n = 0;

	/* The custom signer itself makes good signatures. */
	sign_custom(key, cert, EVP_sha256(), cert, false, &ok, &n);
	check_free(ok, n, CADES_SUB_NONE);

	sign_custom(key, cert, EVP_sha256(), NULL, false, &noref, &n);
	check_free(noref, n, CADES_SUB_SIGNING_CERTIFICATE_V2_MISSING);
	sign_custom(key, cert, EVP_sha256(), cert2, false, &badref, &n);
	check_free(badref, n, CADES_SUB_SIGNING_CERTIFICATE_V2_MISMATCH);
	sign_custom(key3, rsa, EVP_sha1(), rsa, false, &sha1, &n);
	check_free(sha1, n, CADES_SUB_DIGEST_NOT_ALLOWED);
	sign_custom(key3, rsa, EVP_md5(), rsa, false, &md5, &n);
	check_free(md5, n, CADES_SUB_DIGEST_NOT_ALLOWED);
	sign_custom(key, cert, EVP_sha256(), cert, true, &detached, &n);
	check_free(detached, n, CADES_SUB_SIGNED_DATA_NOT_FOUND);

	/* Two signers. */
	{
		unsigned flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP | CMS_CADES;
		CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
		BIO *in = BIO_new_mem_buf(TEXT, (int)strlen(TEXT));
		unsigned char *der = NULL;
		int len;

		assert_non_null(CMS_add1_signer(cms, cert, key, EVP_sha256(), flags));
		assert_non_null(CMS_add1_signer(cms, cert2, key2, EVP_sha256(), flags));
		assert_int_equal(CMS_final(cms, in, NULL, flags), 1);
		len = i2d_CMS_ContentInfo(cms, &der);
		assert_true(len > 0);
		check_free(der, (size_t)len, CADES_SUB_SIGNER_COUNT);
		OPENSSL_free(der);
		BIO_free(in);
		CMS_ContentInfo_free(cms);
	}

	/* Not SignedData at all: a Data ContentInfo. */
	{
		CMS_ContentInfo *cms = CMS_ContentInfo_new();
		unsigned char *der = NULL;
		int len;

		assert_non_null(cms);
		len = i2d_CMS_ContentInfo(cms, &der);
		if (len > 0)
			check_free(der, (size_t)len, CADES_SUB_FORMAT_FAILURE);
		OPENSSL_free(der);
		CMS_ContentInfo_free(cms);
		BIO *b = BIO_new_mem_buf("x", 1);
		cms = CMS_data_create(b, CMS_BINARY);
		if (cms) {
			der = NULL;
			len = i2d_CMS_ContentInfo(cms, &der);
			assert_true(len > 0);
			check_free(der, (size_t)len, CADES_SUB_SIGNED_DATA_NOT_FOUND);
			OPENSSL_free(der);
			CMS_ContentInfo_free(cms);
		}
		BIO_free(b);
	}
}

static void test_certificates(void **state)
{
	const int64_t now = now_sec(), day = 86400;
	static const struct {
		const char *name;
		struct fx_holder_opts o;
		enum cades_subindication want;
	} cases[] = {
		{ "rsa-1024", { .key_spec = "rsa:1024" }, CADES_SUB_KEY_NOT_ALLOWED },
		{ "secp256k1", { .key_spec = "ec:secp256k1" }, CADES_SUB_KEY_NOT_ALLOWED },
		{ "sha1-cert", { .md = NULL /* set below */ }, CADES_SUB_DIGEST_NOT_ALLOWED },
		{ "no-nonrep", { .no_nonrepudiation = true }, CADES_SUB_NO_NON_REPUDIATION },
		{ "no-qc", { .no_qc = true }, CADES_SUB_NOT_QUALIFIED },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
		_cleanup_(X509_freep) X509 *cert = NULL;
		_cleanup_free_ unsigned char *der = NULL;
		struct fx_holder_opts o = cases[i].o;
		size_t n = 0;

		if (streq(cases[i].name, "sha1-cert")) {
			o.md = EVP_sha1();
			o.key_spec = "rsa:2048";
		}
		if (fx_holder_new(&issuing, &o, &cert, &key) < 0)
			fail_msg("case %s: no certificate", cases[i].name);
		sign_ok(key, cert, TEXT, &der, &n);
		check_free(der, n, cases[i].want);
	}

	/* Expired, not yet valid, signed outside the validity. */
	{
		_cleanup_(EVP_PKEY_freep) EVP_PKEY *k1 = NULL, *k2 = NULL, *k3 = NULL;
		_cleanup_(X509_freep) X509 *expired = holder(
			&(struct fx_holder_opts){ .not_before = now - 400 * day, .not_after = now - day }, &k1);
		_cleanup_(X509_freep) X509 *future = holder(
			&(struct fx_holder_opts){ .not_before = now + day, .not_after = now + 400 * day }, &k2);
		_cleanup_(X509_freep) X509 *later = holder(
			&(struct fx_holder_opts){ .not_before = now + 600, .not_after = now + 400 * day }, &k3);
		_cleanup_free_ unsigned char *d1 = NULL, *d2 = NULL, *d3 = NULL;
		struct cades_verify_opts o = opts();
		size_t n1 = 0, n2 = 0, n3 = 0;

		sign_ok(k1, expired, TEXT, &d1, &n1);
		check_free(d1, n1, CADES_SUB_EXPIRED);
		sign_ok(k2, future, TEXT, &d2, &n2);
		check_free(d2, n2, CADES_SUB_NOT_YET_VALID);
		/* Signed now with a certificate valid from in 10 minutes,
		 * checked in an hour: the certificate is valid then, the
		 * signing time is not within it. */
		sign_ok(k3, later, TEXT, &d3, &n3);
		o.now = now + 3600;
		cades_report_free(check(d3, n3, &o, CADES_SUB_SIGNING_TIME_OUT_OF_BOUNDS));
		/* The same valid signature checked after the CA expired. */
		o.now = now + 20 * 365 * day;
		cades_report_free(check(d3, n3, &o, CADES_SUB_EXPIRED));
	}

	/* Chain to a root nobody trusts. */
	{
		_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
		_cleanup_(X509_freep) X509 *cert = NULL;
		_cleanup_free_ unsigned char *der = NULL;
		size_t n = 0;

		assert_int_equal(fx_holder_new(&other_root, NULL, &cert, &key), 0);
		assert_int_equal(cades_sign(key, cert, NULL, TEXT, strlen(TEXT), &der, &n), 0);
		check_free(der, n, CADES_SUB_NO_CERTIFICATE_CHAIN_FOUND);
	}

	/* Policy. */
	{
		_cleanup_(EVP_PKEY_freep) EVP_PKEY *k1 = NULL, *k2 = NULL;
		_cleanup_(X509_freep) X509 *with = holder(&(struct fx_holder_opts){ .policy_oid = POLICY }, &k1);
		_cleanup_(X509_freep) X509 *without = holder(NULL, &k2);
		_cleanup_free_ unsigned char *d1 = NULL, *d2 = NULL;
		struct cades_verify_opts o = opts();
		size_t n1 = 0, n2 = 0;

		o.required_policy = POLICY;
		sign_ok(k1, with, TEXT, &d1, &n1);
		sign_ok(k2, without, TEXT, &d2, &n2);
		cades_report_free(check(d1, n1, &o, CADES_SUB_NONE));
		cades_report_free(check(d2, n2, &o, CADES_SUB_POLICY_NOT_ACCEPTED));
	}
}

static void test_revocation(void **state)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *k1 = NULL, *k2 = NULL, *k3 = NULL;
	_cleanup_(X509_freep) X509 *c1 = holder(NULL, &k1), *c2 = holder(NULL, &k2), *c3 = holder(NULL, &k3);
	_cleanup_free_ unsigned char *d1 = NULL, *d2 = NULL, *d3 = NULL;
	struct cades_verify_opts o = opts();
	size_t n1 = 0, n2 = 0, n3 = 0;
	struct cades_report *rep;

	sign_ok(k1, c1, TEXT, &d1, &n1);
	sign_ok(k2, c2, TEXT, &d2, &n2);
	sign_ok(k3, c3, TEXT, &d3, &n3);
	/* Good first (the chain is cached now)... */
	check_free(d1, n1, CADES_SUB_NONE);
	check_free(d2, n2, CADES_SUB_NONE);
	check_free(d3, n3, CADES_SUB_NONE);
	/* ...then the status changes and is seen at once. */
	state_set(c1, CADES_STATUS_REVOKED);
	state_set(c2, CADES_STATUS_ON_HOLD);
	state_set(c3, CADES_STATUS_UNKNOWN);
	rep = check(d1, n1, &o, CADES_SUB_REVOKED);
	assert_int_equal(rep->indication, CADES_TOTAL_FAILED);
	cades_report_free(rep);
	check_free(d2, n2, CADES_SUB_ON_HOLD);
	rep = check(d3, n3, &o, CADES_SUB_REVOCATION_UNKNOWN);
	assert_int_equal(rep->indication, CADES_INDETERMINATE);
	cades_report_free(rep);
	/* No revocation source: unknown, unless explicitly offline. */
	o.status = NULL;
	cades_report_free(check(d1, n1, &o, CADES_SUB_REVOCATION_UNKNOWN));
	o.no_revocation_check = true;
	cades_report_free(check(d1, n1, &o, CADES_SUB_NONE));
	/* The trust anchor removed: the cached chain is not used. */
	{
		X509_STORE *empty = X509_STORE_new();
		o.trust = empty;
		cades_report_free(check(d1, n1, &o, CADES_SUB_NO_CERTIFICATE_CHAIN_FOUND));
		X509_STORE_free(empty);
	}
}

static void test_garbage(void **state)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(X509_freep) X509 *cert = holder(&(struct fx_holder_opts){ .key_spec = "rsa:2048" }, &key);
	_cleanup_free_ unsigned char *der = NULL;
	struct cades_verify_opts o = opts();
	unsigned char junk[4096], *copy;
	struct cades_report *rep = NULL;
	size_t n = 0, passed = 0;

	assert_int_equal(cades_verify(NULL, 0, &o, &rep), 0);
	assert_int_equal(rep->sub, CADES_SUB_FORMAT_FAILURE);
	cades_report_free(rep);
	assert_int_equal(cades_verify((const unsigned char *)"x", 1, NULL, &rep), -EINVAL);
	for (int i = 0; i < 200; i++) {
		size_t len = 1 + (size_t)(i * 37) % sizeof(junk);
		assert_int_equal(RAND_bytes(junk, (int)len), 1);
		if (i % 2)
			junk[0] = 0x30;	/* looks like a SEQUENCE */
		check_free(junk, len, CADES_SUB_FORMAT_FAILURE);
	}

	/* Without the CA certificate inside: a flip there would go unnoticed
	 * (the CA certificate from opts->intermediates or the cache is used). */
	assert_int_equal(cades_sign(key, cert, NULL, TEXT, strlen(TEXT), &der, &n), 0);
	/* Every truncation. */
	for (size_t len = 0; len < n; len++)
		check_free(der, len, CADES_SUB_FORMAT_FAILURE);
	/* Trailing garbage. */
	copy = malloc(n + 1);
	memcpy(copy, der, n);
	copy[n] = 0;
	check_free(copy, n + 1, CADES_SUB_FORMAT_FAILURE);
	/* Random bit flips: never a crash; a pass only with the same content
	 * and signer (a flip in an unsigned, unchecked field). */
	for (int i = 0; i < 2000; i++) {
		uint32_t pos, bit;
		memcpy(copy, der, n);
		assert_int_equal(random_uniform((uint32_t)n, &pos), 0);
		assert_int_equal(random_uniform(8, &bit), 0);
		copy[pos] ^= (unsigned char)(1u << bit);
		assert_int_equal(cades_verify(copy, n, &o, &rep), 0);
		assert_non_null(rep->sub_name);
		if (rep->indication == CADES_TOTAL_PASSED) {
			passed++;
			assert_int_equal(rep->content_len, strlen(TEXT));
			assert_memory_equal(rep->content, TEXT, strlen(TEXT));
			assert_int_equal(X509_cmp(rep->signer, cert), 0);
		}
		cades_report_free(rep);
	}
	print_message("bit flips that still verified (unsigned fields): %zu of 2000\n", passed);
	free(copy);
}

/* The certificates taken out of a signature by their bytes (cms-split.h):
 * the same certificates, the rest still the same CMS without them; an
 * unexpected shape is left to OpenSSL (and still verifies). */
static void test_split_certs(void **state)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(X509_freep) X509 *cert = holder(NULL, &key);
	_cleanup_free_ unsigned char *der = NULL, *rest = NULL;
	_cleanup_(CMS_ContentInfo_freep) CMS_ContentInfo *cms = NULL;
	struct pki_der_span spans[PKI_CMS_MAX_CERTS];
	size_t n = 0, rest_n = 0, count = 0;
	const unsigned char *p;
	unsigned char *copy;

	sign_ok(key, cert, TEXT, &der, &n);
	assert_int_equal(pki_cms_split_certs(der, n, &rest, &rest_n, spans, &count), 0);
	assert_int_equal(count, 2);
	for (size_t i = 0; i < count; i++) {
		_cleanup_(X509_freep) X509 *x = NULL;

		p = spans[i].p;
		x = d2i_X509(NULL, &p, (long)spans[i].n);
		assert_non_null(x);
		assert_ptr_equal(p, spans[i].p + spans[i].n);
		assert_int_equal(X509_cmp(x, i == 0 ? cert : issuing.cert) == 0 ||
					 X509_cmp(x, i == 0 ? issuing.cert : cert) == 0, 1);
	}
	assert_true(rest_n < n);
	p = rest;
	cms = d2i_CMS_ContentInfo(NULL, &p, (long)rest_n);
	assert_non_null(cms);
	assert_ptr_equal(p, rest + rest_n);
	assert_null(CMS_get1_certs(cms));
	assert_int_equal(sk_CMS_SignerInfo_num(CMS_get0_SignerInfos(cms)), 1);
	/* Trailing bytes, a truncation, an indefinite length: not split. */
	copy = malloc(n + 1);
	assert_non_null(copy);
	memcpy(copy, der, n);
	copy[n] = 0;
	free(rest);
	rest = NULL;
	assert_int_equal(pki_cms_split_certs(copy, n + 1, &rest, &rest_n, spans, &count), -EINVAL);
	assert_int_equal(pki_cms_split_certs(copy, n - 1, &rest, &rest_n, spans, &count), -EINVAL);
	copy[1] = 0x80;
	assert_int_equal(pki_cms_split_certs(copy, n, &rest, &rest_n, spans, &count), -EINVAL);
	free(copy);
	/* Verified warm (signer and CA certificate matched by their bytes) and cold. */
	check_free(der, n, CADES_SUB_NONE);
	free(TAKE_PTR(der));
	cades_cache_flush();
	sign_ok(key, cert, TEXT, &der, &n);
	check_free(der, n, CADES_SUB_NONE);
	free(TAKE_PTR(der));
	sign_ok(key, cert, TEXT, &der, &n);
	check_free(der, n, CADES_SUB_NONE);
	free(TAKE_PTR(der));
}

struct job {
	const unsigned char *der[3];
	size_t n[3];
	int passed;
};

static void *verify_many(void *arg)
{
	struct job *j = arg;
	struct cades_verify_opts o = opts();

	for (int i = 0; i < 300; i++) {
		struct cades_report *rep = NULL;
		if (i % 50 == 0)
			cades_cache_flush();
		if (cades_verify(j->der[i % 3], j->n[i % 3], &o, &rep) == 0 &&
		    rep->indication == CADES_TOTAL_PASSED)
			j->passed++;
		cades_report_free(rep);
	}
	return NULL;
}

/* The server verifies on several threads at once, sharing the cache. */
static void test_threads(void **state)
{
	EVP_PKEY *k[3] = {};
	X509 *c[3];
	unsigned char *der[3];
	size_t n[3];
	struct job jobs[4];
	pthread_t th[4];

	for (int i = 0; i < 3; i++) {
		c[i] = holder(&(struct fx_holder_opts){ .key_spec = i == 1 ? "rsa:2048" : "ec:P-256" }, &k[i]);
		sign_ok(k[i], c[i], TEXT, &der[i], &n[i]);
	}
	for (int t = 0; t < 4; t++) {
		jobs[t] = (struct job){ .der = { der[0], der[1], der[2] }, .n = { n[0], n[1], n[2] } };
		assert_int_equal(pthread_create(&th[t], NULL, verify_many, &jobs[t]), 0);
	}
	for (int t = 0; t < 4; t++) {
		assert_int_equal(pthread_join(th[t], NULL), 0);
		assert_int_equal(jobs[t].passed, 300);
	}
	for (int i = 0; i < 3; i++) {
		X509_free(c[i]);
		free(der[i]);
		EVP_PKEY_free(TAKE_PTR(k[i]));
	}
}

/* Certificates from the real CA code (pki/ca.h, pki/profile.h) pass
 * every check, the policy included. */
static void test_real_ca(void **state)
{
	_cleanup_free_ char *ca_dir = strdup_printf("%s/realca", dir), *reason = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(X509_freep) X509 *cert = NULL;
	_cleanup_free_ unsigned char *der = NULL;
	struct pki_ca_config cfg;
	struct pki_ca *ca = NULL;
	struct cades_verify_opts o = opts();
	struct cades_report *rep;
	struct pki_holder_req req = {
		.tckn = FX_TCKN, .given_name = "ayşe", .surname = "yılmaz",
		.not_before = now_sec() - 60, .not_after = now_sec() + 365 * 86400,
	};
	size_t n = 0;
	int r;

	pki_ca_config_init_defaults(&cfg);
	assert_int_equal(pki_ca_init(&cfg, ca_dir, "test passphrase 1234"), 0);
	assert_int_equal(pki_ca_load_config(&cfg, ca_dir, "test passphrase 1234", &ca), 0);
	assert_int_equal(fx_key_new("ec:P-256", &key), 0);
	r = pki_cert_issue_holder(ca, key, &req, &cert, &reason);
	if (r < 0)
		print_error("issuance: %s\n", reason ? reason : "?");
	assert_int_equal(r, 0);
	assert_int_equal(cades_sign(key, cert, NULL, TEXT, strlen(TEXT), &der, &n), 0);
	o.trust = pki_ca_trust_store(ca);
	o.intermediates = pki_ca_chain(ca);
	o.required_policy = cfg.policy_oid;
	rep = check(der, n, &o, CADES_SUB_NONE);
	assert_string_equal(rep->signer_tckn, FX_TCKN);
	assert_string_equal(rep->signer_cn, "AYŞE YILMAZ");
	cades_report_free(rep);
	/* Our fixture's root is not its root. */
	check_free(der, n, CADES_SUB_NO_CERTIFICATE_CHAIN_FOUND);
	pki_ca_free(ca);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_verify_soft),
		cmocka_unit_test(test_sign_verify_softhsm),
		cmocka_unit_test(test_altered),
		cmocka_unit_test(test_structure),
		cmocka_unit_test(test_certificates),
		cmocka_unit_test(test_revocation),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_split_certs),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_real_ca),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
