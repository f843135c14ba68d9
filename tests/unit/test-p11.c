/* test-p11.c - PKCS#11 tokens on SoftHSM: set-up, keys on the token,
 * certificates, PINs, private keys for OpenSSL, RFC 7512 URIs.
 *
 * Each test gets a scratch directory with its own softhsm2.conf, so the
 * tests start from an empty slot list and never touch a real token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <dlfcn.h>

#include <p11-kit-1/p11-kit/pkcs11.h>
#include <openssl/err.h>

#include "common/util.h"
#include "pki-fixture.h"
#include "pki/ossl.h"
#include "pki/p11.h"

#define MODULE P11_DEFAULT_MODULE
#define SO "12345678"
#define PIN "123456"

struct t {
	char dir[64];
	struct p11_ctx *ctx;
};

static int setup(void **state)
{
	struct t *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	assert_int_equal(fx_dir_new(t->dir), 0);
	assert_int_equal(fx_softhsm_setup(t->dir), 0);
	assert_int_equal(p11_open(MODULE, &t->ctx), 0);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	struct t *t = *state;

	p11_uri_cache_flush();
	p11_close(t->ctx);
	fx_dir_remove(t->dir);
	free(t);
	return 0;
}

/* Signs a message with key and checks it with pub. */
static void sign_check(EVP_PKEY *key, EVP_PKEY *pub)
{
	static const unsigned char msg[] = "eonay test message";
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *s = EVP_MD_CTX_new(), *v = EVP_MD_CTX_new();
	unsigned char sig[1024];
	size_t n = sizeof(sig);

	assert_int_equal(EVP_DigestSignInit(s, NULL, EVP_sha256(), NULL, key), 1);
	assert_int_equal(EVP_DigestSign(s, sig, &n, msg, sizeof(msg)), 1);
	assert_int_equal(EVP_DigestVerifyInit(v, NULL, EVP_sha256(), NULL, pub), 1);
	assert_int_equal(EVP_DigestVerify(v, sig, n, msg, sizeof(msg)), 1);
}

/* A card as the CA hands it out: token, key pair, certificate. */
static X509 *make_card(struct t *t, const char *label, const char *spec, struct fx_ca *ca)
{
	static const unsigned char id[] = { 0x01 };
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *pub = NULL;
	struct fx_holder_opts o = {};
	X509 *cert = NULL;

	assert_int_equal(p11_token_init(t->ctx, label, SO, PIN), 0);
	assert_int_equal(p11_keygen(t->ctx, label, PIN, spec, id, sizeof(id), &pub), 0);
	assert_non_null(pub);
	o.pubkey = pub;
	assert_int_equal(fx_holder_new(ca, &o, &cert, NULL), 0);
	assert_int_equal(p11_cert_store(t->ctx, label, PIN, cert, id, sizeof(id)), 0);
	return cert;
}

static void test_token_init(void **state)
{
	struct t *t = *state;
	_cleanup_(p11_strv_freep) char **labels = NULL;
	size_t n = 0;
	unsigned flags = 99;

	assert_int_equal(p11_token_init(t->ctx, "CARD-1", SO, PIN), 0);
	assert_int_equal(p11_token_init(t->ctx, "CARD-1", SO, PIN), -EEXIST);
	assert_int_equal(p11_token_init(t->ctx, "", SO, PIN), -EINVAL);
	assert_int_equal(p11_token_init(t->ctx, "0123456789012345678901234567890123", SO, PIN),
			 -EINVAL);
	assert_int_equal(p11_tokens_list(t->ctx, &labels, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(labels[0], "CARD-1");
	assert_null(labels[1]);
	assert_int_equal(p11_pin_status(t->ctx, "CARD-1", &flags), 0);
	assert_int_equal(flags & (P11_PIN_LOCKED | P11_USER_PIN_NOT_SET), 0);
	assert_int_equal(p11_pin_status(t->ctx, "NO-SUCH", &flags), -ENOENT);
}

/* Looks at the private keys on a token with the C API: each is
 * sensitive, not extractable, and its value cannot be read. */
static void raw_check_private(struct t *t, const char *label, CK_ULONG want)
{
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	CK_RV (*get_list)(CK_FUNCTION_LIST **);
	CK_FUNCTION_LIST *f = NULL;
	CK_SLOT_ID slots[16];
	CK_ULONG ns = 16, n = 0;
	CK_SESSION_HANDLE s = 0;
	CK_OBJECT_CLASS cls = CKO_PRIVATE_KEY;
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_OBJECT_HANDLE objs[8];
	void *dl = dlopen(MODULE, RTLD_NOW);
	bool found = false;
	CK_RV rv;

	assert_non_null(dl);
	*(void **)&get_list = dlsym(dl, "C_GetFunctionList");
	assert_int_equal(get_list(&f), CKR_OK);
	rv = f->C_Initialize(&args);
	assert_true(rv == CKR_OK || rv == CKR_CRYPTOKI_ALREADY_INITIALIZED);
	assert_int_equal(f->C_GetSlotList(CK_TRUE, slots, &ns), CKR_OK);
	for (CK_ULONG i = 0; i < ns && !found; i++) {
		CK_TOKEN_INFO ti;
		assert_int_equal(f->C_GetTokenInfo(slots[i], &ti), CKR_OK);
		if (memcmp(ti.label, label, strlen(label)) == 0 && ti.label[strlen(label)] == ' ') {
			assert_int_equal(f->C_OpenSession(slots[i], CKF_SERIAL_SESSION | CKF_RW_SESSION,
							  NULL, NULL, &s), CKR_OK);
			found = true;
		}
	}
	assert_true(found);
	rv = f->C_Login(s, CKU_USER, (CK_UTF8CHAR_PTR)PIN, strlen(PIN));
	assert_true(rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN);
	assert_int_equal(f->C_FindObjectsInit(s, tmpl, 1), CKR_OK);
	assert_int_equal(f->C_FindObjects(s, objs, 8, &n), CKR_OK);
	f->C_FindObjectsFinal(s);
	assert_int_equal(n, want);
	for (CK_ULONG i = 0; i < n; i++) {
		CK_BBOOL extractable = CK_TRUE, sensitive = CK_FALSE;
		CK_ATTRIBUTE flags[] = {
			{ CKA_EXTRACTABLE, &extractable, sizeof(extractable) },
			{ CKA_SENSITIVE, &sensitive, sizeof(sensitive) },
		};
		unsigned char buf[4096];
		CK_ATTRIBUTE value[] = { { CKA_PRIVATE_EXPONENT, buf, sizeof(buf) } };
		CK_ATTRIBUTE ecvalue[] = { { CKA_VALUE, buf, sizeof(buf) } };

		assert_int_equal(f->C_GetAttributeValue(s, objs[i], flags, 2), CKR_OK);
		assert_int_equal(extractable, CK_FALSE);
		assert_int_equal(sensitive, CK_TRUE);
		assert_int_not_equal(f->C_GetAttributeValue(s, objs[i], value, 1), CKR_OK);
		assert_int_not_equal(f->C_GetAttributeValue(s, objs[i], ecvalue, 1), CKR_OK);
	}
	f->C_CloseSession(s);
	/* Not finalised: t->ctx still has the module. */
}

/* A token whose production stopped after C_InitToken (no user PIN yet) is
 * wiped and initialised again with its SO PIN, and not with another one;
 * past 64 tokens (once the limit of the slot list) every one is found. */
static void test_token_reinit(void **state)
{
	struct t *t = *state;
	_cleanup_(p11_strv_freep) char **labels = NULL;
	static const unsigned char id[] = { 0x07 };
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *pub = NULL;
	unsigned flags = 0;
	size_t n = 0;

	for (int i = 0; i < 70; i++) {
		char label[16];

		snprintf(label, sizeof(label), "MANY-%02d", i);
		assert_int_equal(p11_token_init(t->ctx, label, SO, PIN), 0);
	}
	assert_int_equal(p11_tokens_list(t->ctx, &labels, &n), 0);
	assert_int_equal(n, 70);
	assert_string_equal(labels[69], "MANY-69");
	/* a key on the last one; re-initialised, it is gone and the new PIN works */
	assert_int_equal(p11_keygen(t->ctx, "MANY-69", PIN, "ec:P-256", id, sizeof(id), &pub), 0);
	assert_int_equal(p11_token_reinit(t->ctx, "MANY-69", "87654321", "654321"), -EACCES);
	assert_int_equal(p11_token_reinit(t->ctx, "MANY-69", SO, "654321"), 0);
	EVP_PKEY_free(TAKE_PTR(pub));
	assert_int_equal(p11_keygen(t->ctx, "MANY-69", "654321", "ec:P-256", id, sizeof(id), &pub),
			 0);	/* the old key with this id was wiped */
	assert_int_equal(p11_pin_status(t->ctx, "MANY-69", &flags), 0);
	assert_false(flags & P11_USER_PIN_NOT_SET);
	/* no such token yet: made fresh */
	assert_int_equal(p11_token_reinit(t->ctx, "FRESH", SO, PIN), 0);
	assert_int_equal(p11_so_pin_change(t->ctx, "FRESH", SO, SO), 0);
}

static void test_keygen(void **state)
{
	static const unsigned char id1[] = { 0x01 }, id2[] = { 0x02 };
	struct t *t = *state;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *rsa = NULL, *ec = NULL, *dup = NULL;
	_cleanup_free_ char *out = NULL;

	assert_int_equal(p11_token_init(t->ctx, "KEYS", SO, PIN), 0);
	assert_int_equal(p11_keygen(t->ctx, "KEYS", PIN, "rsa:2048", id1, 1, &rsa), 0);
	assert_int_equal(EVP_PKEY_get_base_id(rsa), EVP_PKEY_RSA);
	assert_int_equal(EVP_PKEY_get_bits(rsa), 2048);
	assert_int_equal(p11_keygen(t->ctx, "KEYS", PIN, "ec:P-256", id2, 1, &ec), 0);
	assert_int_equal(EVP_PKEY_get_base_id(ec), EVP_PKEY_EC);
	assert_int_equal(EVP_PKEY_get_bits(ec), 256);
	assert_int_equal(p11_keygen(t->ctx, "KEYS", PIN, "ec:P-256", id2, 1, &dup), -EEXIST);
	assert_int_equal(p11_keygen(t->ctx, "KEYS", PIN, "dsa:1024", id2, 1, &dup), -EINVAL);
	assert_int_equal(p11_keygen(t->ctx, "KEYS", "000000", "ec:P-256", id2, 1, &dup), -EACCES);

	/* The private keys are sensitive and never extractable... */
	assert_int_equal(fx_run(t->dir, &out,
				"pkcs11-tool --module %s --token-label KEYS --login --pin %s "
				"--list-objects --type privkey", MODULE, PIN), 0);
	assert_non_null(strstr(out, "never extractable"));
	assert_null(strstr(out, "Access:       extractable"));
	assert_non_null(strstr(out, "RSA"));
	assert_non_null(strstr(out, "EC"));
	/* ...and the token says so itself: no CKA_VALUE, CKA_EXTRACTABLE false. */
	raw_check_private(t, "KEYS", 2);
}

static void test_cert_and_key(void **state)
{
	struct t *t = *state;
	struct fx_ca ca = {};
	_cleanup_(X509_freep) X509 *rsa_cert = NULL, *ec_cert = NULL;
	struct p11_cert_info *certs = NULL;
	size_t n = 0;

	assert_int_equal(fx_ca_new("Test Root", NULL, NULL, 0, 0, &ca), 0);
	rsa_cert = make_card(t, "CARD-RSA", "rsa:2048", &ca);
	ec_cert = make_card(t, "CARD-EC", "ec:P-256", &ca);

	assert_int_equal(p11_certs_list(t->ctx, &certs, &n), 0);
	assert_int_equal(n, 2);
	for (size_t i = 0; i < n; i++) {
		X509 *want = streq(certs[i].token_label, "CARD-RSA") ? rsa_cert : ec_cert;
		_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;

		assert_int_equal(X509_cmp(certs[i].cert, want), 0);
		assert_int_equal(certs[i].id_len, 1);
		assert_int_equal(certs[i].id[0], 0x01);
		assert_non_null(certs[i].token_serial);
		assert_int_equal(p11_key_open(t->ctx, certs[i].token_label, PIN, certs[i].cert, &key),
				 0);
		sign_check(key, X509_get0_pubkey(want));
	}
	p11_cert_info_free_array(certs, n);
	fx_ca_done(&ca);
}

static void test_wrong_pin(void **state)
{
	struct t *t = *state;
	struct fx_ca ca = {};
	_cleanup_(X509_freep) X509 *cert = NULL, *other = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	unsigned flags = 0;

	assert_int_equal(fx_ca_new("Test Root", NULL, NULL, 0, 0, &ca), 0);
	cert = make_card(t, "CARD", "ec:P-256", &ca);
	assert_int_equal(p11_key_open(t->ctx, "CARD", "654321", cert, &key), -EACCES);
	assert_null(key);
	assert_int_equal(p11_key_open(t->ctx, "NOPE", PIN, cert, &key), -ENOENT);
	/* A correct login first does not let a wrong PIN through later. */
	assert_int_equal(p11_key_open(t->ctx, "CARD", PIN, cert, &key), 0);
	EVP_PKEY_free(TAKE_PTR(key));
	assert_int_equal(p11_key_open(t->ctx, "CARD", "654321", cert, &key), -EACCES);
	assert_int_equal(p11_pin_status(t->ctx, "CARD", &flags), 0);
	/* SoftHSM never counts wrong PINs: no flags, not locked. */
	assert_int_equal(flags & P11_PIN_LOCKED, 0);
	/* A certificate whose key is not on the card. */
	assert_int_equal(fx_holder_new(&ca, NULL, &other, NULL), 0);
	assert_int_equal(p11_key_open(t->ctx, "CARD", PIN, other, &key), -ENOENT);
	fx_ca_done(&ca);
}

static void test_pin_change(void **state)
{
	struct t *t = *state;
	struct fx_ca ca = {};
	_cleanup_(X509_freep) X509 *cert = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;

	assert_int_equal(fx_ca_new("Test Root", NULL, NULL, 0, 0, &ca), 0);
	cert = make_card(t, "CARD", "ec:P-256", &ca);
	assert_int_equal(p11_pin_change(t->ctx, "CARD", "000000", "222222"), -EACCES);
	assert_int_equal(p11_pin_change(t->ctx, "CARD", PIN, "222222"), 0);
	assert_int_equal(p11_key_open(t->ctx, "CARD", PIN, cert, &key), -EACCES);
	assert_int_equal(p11_key_open(t->ctx, "CARD", "222222", cert, &key), 0);
	sign_check(key, X509_get0_pubkey(cert));
	EVP_PKEY_free(TAKE_PTR(key));

	/* Forgotten PIN: the SO PIN sets a new one. */
	assert_int_equal(p11_pin_unblock(t->ctx, "CARD", "87654321", "333333"), -EACCES);
	assert_int_equal(p11_pin_unblock(t->ctx, "CARD", SO, "333333"), 0);
	assert_int_equal(p11_key_open(t->ctx, "CARD", "222222", cert, &key), -EACCES);
	assert_int_equal(p11_key_open(t->ctx, "CARD", "333333", cert, &key), 0);
	EVP_PKEY_free(TAKE_PTR(key));

	/* SO PIN change. */
	assert_int_equal(p11_so_pin_change(t->ctx, "CARD", "00000000", "11111111"), -EACCES);
	assert_int_equal(p11_so_pin_change(t->ctx, "CARD", SO, "11111111"), 0);
	assert_int_equal(p11_pin_unblock(t->ctx, "CARD", SO, "444444"), -EACCES);
	assert_int_equal(p11_pin_unblock(t->ctx, "CARD", "11111111", "444444"), 0);
	fx_ca_done(&ca);
}

static void test_two_tokens(void **state)
{
	struct t *t = *state;
	struct fx_ca ca = {};
	_cleanup_(X509_freep) X509 *c1 = NULL, *c2 = NULL, *c3 = NULL;
	_cleanup_(p11_strv_freep) char **labels = NULL;
	struct p11_cert_info *certs = NULL;
	size_t n = 0, nl = 0;
	struct p11_ctx *fresh = NULL;

	assert_int_equal(fx_ca_new("Test Root", NULL, NULL, 0, 0, &ca), 0);
	c1 = make_card(t, "ALİ", "ec:P-256", &ca);	/* UTF-8 label */
	c2 = make_card(t, "VELİ", "rsa:2048", &ca);
	c3 = make_card(t, "THIRD", "ec:P-384", &ca);
	/* A second context on the same module sees the same tokens. */
	assert_int_equal(p11_open(MODULE, &fresh), 0);
	assert_int_equal(p11_tokens_list(fresh, &labels, &nl), 0);
	assert_int_equal(nl, 3);
	assert_int_equal(p11_certs_list(fresh, &certs, &n), 0);
	assert_int_equal(n, 3);
	for (size_t i = 0; i < n; i++) {
		_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
		assert_true(streq(certs[i].token_label, "ALİ") || streq(certs[i].token_label, "VELİ") ||
			    streq(certs[i].token_label, "THIRD"));
		assert_int_equal(p11_key_open(fresh, certs[i].token_label, PIN, certs[i].cert, &key), 0);
		sign_check(key, X509_get0_pubkey(certs[i].cert));
	}
	p11_cert_info_free_array(certs, n);
	p11_close(fresh);
	fx_ca_done(&ca);
}

static void test_uri(void **state)
{
	static const unsigned char id[] = { 0x01 };
	struct t *t = *state;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *pub = NULL, *k1 = NULL, *k2 = NULL, *k3 = NULL, *k4 = NULL;
	_cleanup_free_ char *uri = NULL;

	assert_int_equal(p11_token_init(t->ctx, "CA KEYS", SO, PIN), 0);
	assert_int_equal(p11_keygen(t->ctx, "CA KEYS", PIN, "ec:P-384", id, 1, &pub), 0);

	uri = strdup_printf("pkcs11:token=CA%%20KEYS;object=01;id=%%01?module-path=%s&pin-value=%s",
			    MODULE, PIN);
	assert_int_equal(p11_uri_load_key(uri, NULL, &k1), 0);
	sign_check(k1, pub);
	assert_int_equal(p11_uri_load_key("pkcs11:token=CA%20KEYS;id=%01", PIN, &k2), 0);
	sign_check(k2, pub);
	assert_int_equal(p11_uri_load_key("pkcs11:token=CA%20KEYS", PIN, &k3), 0);
	assert_int_equal(p11_uri_load_key("pkcs11:token=CA%20KEYS;id=%02", PIN, &k4), -ENOENT);
	/* object is read: the key's CKA_LABEL is the hex of its id */
	assert_int_equal(p11_uri_load_key("pkcs11:token=CA%20KEYS;object=02", PIN, &k4), -ENOENT);
	assert_int_equal(p11_uri_load_key("pkcs11:token=CA%20KEYS;id=%02;id=%01", PIN, &k4), -EINVAL);
	assert_int_equal(p11_uri_load_key("pkcs11:object=01", PIN, &k4), -EINVAL);
	assert_int_equal(p11_uri_load_key("pkcs11:token=CA%2", PIN, &k4), -EINVAL);
	assert_int_equal(p11_uri_load_key("file:/etc/passwd", PIN, &k4), -EINVAL);
	assert_int_equal(p11_uri_load_key("pkcs11:token=NOPE", PIN, &k4), -ENOENT);
	/* The token is logged in by now, but the PIN is still checked. */
	assert_int_equal(p11_uri_load_key("pkcs11:token=CA%20KEYS;id=%01", "999999", &k4), -EACCES);
	assert_int_equal(p11_uri_load_key("pkcs11:token=CA%20KEYS;id=%01", NULL, &k4), -EACCES);
	assert_null(k4);
	sign_check(k2, pub);	/* and the keys handed out still work */
	/* The key outlives the context it was loaded with. */
	p11_close(TAKE_PTR(t->ctx));
	sign_check(k1, pub);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_token_init, setup, teardown),
		cmocka_unit_test_setup_teardown(test_token_reinit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_keygen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cert_and_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_pin, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_two_tokens, setup, teardown),
		cmocka_unit_test_setup_teardown(test_uri, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
