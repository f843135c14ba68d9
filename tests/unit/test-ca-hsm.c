/* test-ca-hsm.c - the CA with its issuing and OCSP keys in a PKCS#11 token
 * (SoftHSM standing in for the HSM): created, loaded, issuing holder
 * certificates, CRLs and OCSP answers that the openssl CLI accepts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <time.h>

#include "pki-fixture.h"
#include "pki/ca.h"
#include "pki/crl.h"
#include "pki/key.h"
#include "pki/ocsp.h"
#include "pki/ossl.h"
#include "pki/p11.h"
#include "pki/profile.h"

#define PIN "hsm-pin-4321"

static char dir[64];

static int status_good(void *u, const char *issuer, const char *serial, struct pki_ocsp_status *ret)
{
	*ret = (struct pki_ocsp_status){ .status = PKI_OCSP_GOOD };
	return 0;
}

static void test_ca_keys_in_token(void **state)
{
	static const unsigned char id_issuing[] = { 0x01 }, id_ocsp[] = { 0x02 };
	_cleanup_(pki_ca_freep) struct pki_ca *ca = NULL;
	struct pki_ca_config cfg;
	struct p11_ctx *p11 = NULL;
	EVP_PKEY *pub = NULL, *holder = NULL;
	X509 *cert = NULL;
	X509_CRL *crl = NULL;
	unsigned char *der = NULL;
	char cadir[128], *out = NULL;
	size_t n = 0;

	assert_int_equal(fx_softhsm_setup(dir), 0);
	assert_int_equal(p11_open(NULL, &p11), 0);
	assert_int_equal(p11_token_init(p11, "CA HSM", "so-pin-1234", PIN), 0);
	assert_int_equal(p11_keygen(p11, "CA HSM", PIN, "ec:P-384", id_issuing, 1, &pub), 0);
	EVP_PKEY_free(pub);
	assert_int_equal(p11_keygen(p11, "CA HSM", PIN, "ec:P-256", id_ocsp, 1, &pub), 0);
	EVP_PKEY_free(pub);
	p11_close(p11);

	pki_ca_config_init_defaults(&cfg);
	cfg.issuing_key_ref = "pkcs11:token=CA%20HSM;id=%01";
	cfg.ocsp_key_ref = "pkcs11:token=CA%20HSM;id=%02";
	snprintf(cadir, sizeof(cadir), "%s/ca", dir);
	assert_int_equal(pki_ca_init(&cfg, cadir, PIN), 0);
	/* No key files for the keys in the token. */
	assert_int_equal(fx_run(cadir, NULL, "test ! -e issuing.key && test ! -e ocsp.key"), 0);
	assert_int_equal(pki_ca_load_config(&cfg, cadir, PIN, &ca), 0);
	/* The wrong PIN does not open it. */
	{
		struct pki_ca *bad = NULL;
		assert_true(pki_ca_load_config(&cfg, cadir, "wrong-pin", &bad) < 0);
		assert_null(bad);
	}

	/* A holder certificate signed in the token. */
	assert_int_equal(pki_key_generate("ec:P-256", &holder), 0);
	struct pki_holder_req req = { .tckn = "10000000146", .given_name = "Ahmet",
				      .surname = "Yılmaz", .not_before = time(NULL) - 60,
				      .not_after = time(NULL) + 86400 };
	assert_int_equal(pki_cert_issue_holder(ca, holder, &req, &cert, NULL), 0);
	assert_int_equal(fx_write_cert(dir, "holder.pem", cert), 0);
	assert_int_equal(fx_write_cert(dir, "root.pem", pki_ca_root_cert(ca)), 0);
	assert_int_equal(fx_write_cert(dir, "issuing.pem", pki_ca_issuing_cert(ca)), 0);
	assert_int_equal(fx_run(dir, &out, "openssl verify -CAfile root.pem -untrusted issuing.pem holder.pem"), 0);
	assert_non_null(strstr(out, "holder.pem: OK"));
	free(out);

	/* A CRL signed in the token. */
	struct pki_revoked_entry e = { .serial_hex = "0102", .revoked_at = time(NULL), .reason = 1 };
	assert_int_equal(pki_crl_build(ca, &e, 1, 7, time(NULL), time(NULL) + 3600, &crl), 0);
	assert_int_equal(pki_crl_to_der(crl, &der, &n), 0);
	assert_int_equal(fx_write_data(dir, "crl.der", der, n), 0);
	free(der);
	assert_int_equal(fx_run(dir, &out, "openssl crl -inform DER -in crl.der -CAfile issuing.pem -noout 2>&1"), 0);
	assert_non_null(strstr(out, "verify OK"));
	free(out);

	/* An OCSP answer signed by the responder key in the token. */
	assert_int_equal(fx_run(dir, NULL, "openssl ocsp -issuer issuing.pem -cert holder.pem -reqout req.der -no_nonce"), 0);
	{
		_cleanup_free_ char *req_der = NULL;
		unsigned char *resp = NULL;
		size_t len = 0, rn = 0;
		char path[128];

		snprintf(path, sizeof(path), "%s/req.der", dir);
		assert_int_equal(read_file(path, 65536, &req_der, &len), 0);
		assert_int_equal(pki_ocsp_respond(ca, (unsigned char *)req_der, len, status_good, NULL,
						  time(NULL), &resp, &rn), 0);
		assert_int_equal(fx_write_data(dir, "resp.der", resp, rn), 0);
		free(resp);
	}
	assert_int_equal(fx_run(dir, &out, "cat root.pem issuing.pem > chain.pem && openssl ocsp -respin resp.der"
				" -issuer issuing.pem -cert holder.pem -CAfile chain.pem 2>&1"), 0);
	assert_non_null(strstr(out, "Response verify OK"));
	assert_non_null(strstr(out, "holder.pem: good"));
	free(out);

	X509_CRL_free(crl);
	X509_free(cert);
	EVP_PKEY_free(holder);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ca_keys_in_token),
	};
	int r;

	if (fx_dir_new(dir) < 0)
		return 1;
	r = cmocka_run_group_tests(tests, NULL, NULL);
	p11_uri_cache_flush();
	fx_dir_remove(dir);
	return r;
}
