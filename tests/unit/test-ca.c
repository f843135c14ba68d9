/* test-ca.c - creating and opening the CA; the certificates checked with
 * the openssl command line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>

#include "pki-ca-fixture.h"

static struct pki_fixture *fx;

static void test_files(void **state)
{
	static const char *const keys[] = { "root.key", "issuing.key", "ocsp.key" };
	static const char *const certs[] = { "root.crt", "issuing.crt", "ocsp.crt" };
	struct stat st;

	assert_int_equal(stat(fx->ca_dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	for (size_t i = 0; i < 3; i++) {
		_cleanup_free_ char *k = strdup_printf("%s/%s", fx->ca_dir, keys[i]);
		_cleanup_free_ char *c = strdup_printf("%s/%s", fx->ca_dir, certs[i]);
		_cleanup_free_ char *pem = NULL;

		assert_int_equal(stat(k, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
		assert_int_equal(read_file(k, 1 << 20, &pem, NULL), 0);
		assert_contains(pem, "BEGIN ENCRYPTED PRIVATE KEY");
		assert_int_equal(stat(c, &st), 0);
		/* public, but in the data directory: 0600 like everything there */
		assert_int_equal(st.st_mode & 0777, 0600);
	}
}

static void test_openssl_view(void **state)
{
	_cleanup_free_ char *out = NULL;

	/* The chain verifies. */
	free(fx_ok(fx, "openssl verify -CAfile ca/root.crt ca/root.crt ca/issuing.crt"));
	out = fx_ok(fx, "openssl verify -CAfile ca/root.crt -untrusted ca/issuing.crt ca/ocsp.crt");
	assert_contains(out, "ca/ocsp.crt: OK");
	free(out);

	out = fx_ok(fx, "openssl x509 -in ca/root.crt -noout -text");
	assert_contains(out, "Issuer: C = TR, O = eonay Demo, CN = eonay Demo Root CA");
	assert_contains(out, "Subject: C = TR, O = eonay Demo, CN = eonay Demo Root CA");
	assert_contains(out, "X509v3 Basic Constraints: critical\n                CA:TRUE, pathlen:1");
	assert_contains(out, "X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign");
	assert_contains(out, "X509v3 Subject Key Identifier");
	assert_contains(out, "NIST CURVE: P-384");
	assert_contains(out, "Signature Algorithm: ecdsa-with-SHA384");
	free(out);

	out = fx_ok(fx, "openssl x509 -in ca/issuing.crt -noout -text");
	assert_contains(out, "Issuer: C = TR, O = eonay Demo, CN = eonay Demo Root CA");
	assert_contains(out, "Subject: C = TR, O = eonay Demo, CN = eonay Demo NES Issuing CA");
	assert_contains(out, "X509v3 Basic Constraints: critical\n                CA:TRUE, pathlen:0");
	assert_contains(out, "X509v3 Key Usage: critical\n                Certificate Sign, CRL Sign");
	assert_contains(out, "X509v3 Authority Key Identifier");
	assert_contains(out, "Policy: 2.16.792.1.2.1.1.5.7.1.9");
	assert_contains(out, "CPS: http://127.0.0.1:8080/cps");
	free(out);

	out = fx_ok(fx, "openssl x509 -in ca/ocsp.crt -noout -text");
	assert_contains(out, "Issuer: C = TR, O = eonay Demo, CN = eonay Demo NES Issuing CA");
	assert_contains(out, "Subject: C = TR, O = eonay Demo, CN = eonay Demo OCSP Responder");
	assert_contains(out, "X509v3 Basic Constraints: critical\n                CA:FALSE");
	assert_contains(out, "X509v3 Key Usage: critical\n                Digital Signature");
	assert_contains(out, "X509v3 Extended Key Usage: \n                OCSP Signing");
	assert_contains(out, "OCSP No Check");
	assert_contains(out, "NIST CURVE: P-256");
	free(out);
	out = fx_ok(fx, "openssl x509 -in ca/ocsp.crt -noout -purpose");
	assert_contains(out, "OCSP helper : Yes");
	assert_contains(out, "SSL server : No");
}

static void test_loaded(void **state)
{
	struct pki_ca *ca = fx->ca;
	_cleanup_(X509_freep) X509 *root = NULL;
	_cleanup_free_ char *p = strdup_printf("%s/root.crt", fx->ca_dir), *reason = NULL;

	assert_int_equal(pki_cert_load(p, &root), 0);
	assert_int_equal(X509_cmp(root, pki_ca_root_cert(ca)), 0);
	assert_non_null(pki_ca_issuing_cert(ca));
	assert_non_null(pki_ca_ocsp_cert(ca));
	assert_non_null(pki_ca_trust_store(ca));
	assert_int_equal(sk_X509_num(pki_ca_chain(ca)), 1);
	assert_int_equal(X509_cmp(sk_X509_value(pki_ca_chain(ca), 0), pki_ca_issuing_cert(ca)), 0);
	assert_string_equal(pki_ca_crl_url(ca), "http://127.0.0.1:8080/crl/issuing.crl");
	assert_string_equal(pki_ca_ocsp_url(ca), "http://127.0.0.1:8080/ocsp");
	assert_string_equal(pki_ca_issuers_url(ca), "http://127.0.0.1:8080/ca/issuing.crt");
	assert_string_equal(pki_ca_pds_url(ca), "http://127.0.0.1:8080/pds/en");
	assert_string_equal(pki_ca_cps_url(ca), "http://127.0.0.1:8080/cps");
	assert_string_equal(pki_ca_get_config(ca)->policy_oid, "2.16.792.1.2.1.1.5.7.1.9");
	assert_int_equal(pki_ca_get_config(ca)->ocsp_validity_secs, 3600);

	/* The trust store takes the issuing CA and the OCSP responder, and
	 * not the root of another CA. */
	assert_int_equal(pki_ca_verify_cert(ca, pki_ca_issuing_cert(ca), 0, NULL), 0);
	assert_int_equal(pki_ca_verify_cert(ca, pki_ca_ocsp_cert(ca), 0, NULL), 0);
	/* ... but not in 2200 */
	assert_int_equal(pki_ca_verify_cert(ca, pki_ca_ocsp_cert(ca), 7258118400, &reason), -EACCES);
	assert_contains(reason, "expired");

	assert_null(pki_ca_root_cert(NULL));
	assert_null(pki_ca_get_config(NULL));
	pki_ca_free(NULL);
}

static char *file_sha(const char *path)
{
	_cleanup_free_ char *buf = NULL;
	size_t n = 0;
	char *h = malloc(65);

	assert_int_equal(read_file(path, 1 << 20, &buf, &n), 0);
	assert_int_equal(sha256_hex(buf, n, h), 0);
	return h;
}

static void test_init_twice(void **state)
{
	_cleanup_free_ char *p = strdup_printf("%s/root.crt", fx->ca_dir);
	_cleanup_free_ char *before = file_sha(p), *after = NULL;
	struct pki_ca_config cfg;

	pki_ca_config_init_defaults(&cfg);
	assert_int_equal(pki_ca_init(&cfg, fx->ca_dir, FX_PASS), -EEXIST);
	assert_int_equal(pki_ca_init(&cfg, fx->ca_dir, "other"), -EEXIST);
	after = file_sha(p);
	assert_string_equal(before, after);

	/* Any one file left over is enough to refuse. */
	free(fx_ok(fx, "mkdir -p part && cp ca/ocsp.key part/"));
	_cleanup_free_ char *part = fx_path(fx, "part");
	assert_int_equal(pki_ca_init(&cfg, part, FX_PASS), -EEXIST);
	_cleanup_free_ char *ls = fx_ok(fx, "ls part");
	assert_string_equal(ls, "ocsp.key\n");
}

/* Changes one base64 digit of the last body line of a PEM file (for a
 * certificate: the signature). */
static void tamper_pem(struct pki_fixture *f, const char *name)
{
	_cleanup_free_ char *p = fx_path(f, name), *buf = NULL;
	char *end, *line;
	size_t n = 0;

	assert_int_equal(read_file(p, 1 << 20, &buf, &n), 0);
	end = strstr(buf, "-----END");
	assert_non_null(end);
	for (line = end - 2; line > buf && line[-1] != '\n'; line--)
		;
	line[10] = line[10] == 'A' ? 'B' : 'A';
	assert_int_equal(write_file_atomic(p, buf, n, 0644), 0);
}

static void test_load_refusals(void **state)
{
	struct pki_ca *ca = NULL;
	_cleanup_free_ char *out = NULL, *copy = fx_path(fx, "copy"), *other = fx_path(fx, "other");
	struct pki_ca_config cfg;

	assert_int_equal(pki_ca_load(fx->ca_dir, "wrong passphrase", &ca), -EACCES);
	assert_int_equal(pki_ca_load(fx->ca_dir, NULL, &ca), -EACCES);
	assert_int_equal(pki_ca_load("/nonexistent/ca", FX_PASS, &ca), -ENOENT);
	assert_int_equal(pki_ca_load(NULL, FX_PASS, &ca), -EINVAL);
	assert_null(ca);

	/* A second CA to swap files with. */
	pki_ca_config_init_defaults(&cfg);
	cfg.issuing_key_spec = "ec:P-256";
	assert_int_equal(pki_ca_init(&cfg, other, FX_PASS), 0);

	/* Missing file. */
	out = fx_ok(fx, "rm -rf copy && cp -a ca copy && rm copy/ocsp.crt");
	assert_int_equal(pki_ca_load(copy, FX_PASS, &ca), -ENOENT);
	free(out);
	/* Another CA's issuing certificate: the chain does not verify. */
	out = fx_ok(fx, "rm -rf copy && cp -a ca copy && cp other/issuing.crt copy/");
	assert_int_equal(pki_ca_load(copy, FX_PASS, &ca), -EBADMSG);
	free(out);
	/* Another CA's OCSP key: does not match the certificate. */
	out = fx_ok(fx, "rm -rf copy && cp -a ca copy && cp other/ocsp.key copy/");
	assert_int_equal(pki_ca_load(copy, FX_PASS, &ca), -EBADMSG);
	free(out);
	/* The OCSP certificate in place of the issuing CA's. */
	out = fx_ok(fx, "rm -rf copy && cp -a ca copy && cp ca/ocsp.crt copy/issuing.crt");
	assert_int_equal(pki_ca_load(copy, FX_PASS, &ca), -EBADMSG);
	free(out);
	/* Tampered PEM: a base64 digit of the issuing certificate's
	 * signature changed, and a garbled key file. */
	out = fx_ok(fx, "rm -rf copy && cp -a ca copy");
	tamper_pem(fx, "copy/issuing.crt");
	assert_true(pki_ca_load(copy, FX_PASS, &ca) < 0);
	free(out);
	out = fx_ok(fx, "rm -rf copy && cp -a ca copy && sed -i '3s/[A-Za-z]/x/g' copy/issuing.key");
	assert_true(pki_ca_load(copy, FX_PASS, &ca) < 0);
	assert_null(ca);
}

static void test_bad_config(void **state)
{
	_cleanup_free_ char *dir = fx_path(fx, "bad");
	struct pki_ca_config cfg;
	DIR *d;
	int entries = 0;

#define TRY(field, value)                                                      \
	do {                                                                   \
		pki_ca_config_init_defaults(&cfg);                             \
		cfg.field = value;                                             \
		assert_int_equal(pki_ca_init(&cfg, dir, FX_PASS), -EINVAL);   \
	} while (0)
	TRY(country, "TUR");
	TRY(country, "tr");
	TRY(root_cn, "");
	TRY(issuing_cn, NULL);
	TRY(organization, "a\nb");
	TRY(base_url, "ftp://x");
	TRY(base_url, "http://127.0.0.1:8080/");
	TRY(base_url, "http://a b");
	TRY(cps_url, "not a url");
	TRY(policy_oid, "not-an-oid");
	TRY(policy_oid, "");
	TRY(root_days, 0);
	TRY(ocsp_days, 20000);
	TRY(holder_max_days, -1);
	TRY(ocsp_validity_secs, 0);
	/* Bad key specs are found after the first key was made: what was
	 * made is removed again. */
	TRY(root_key_spec, "rsa:1024");
	TRY(ocsp_key_spec, "ec:P-521");
#undef TRY
	assert_int_equal(pki_ca_init(NULL, dir, FX_PASS), -EINVAL);
	pki_ca_config_init_defaults(&cfg);
	assert_int_equal(pki_ca_init(&cfg, dir, ""), -EINVAL);
	assert_int_equal(pki_ca_init(&cfg, NULL, FX_PASS), -EINVAL);

	d = opendir(dir);
	if (d) {
		for (struct dirent *de; (de = readdir(d));)
			if (de->d_name[0] != '.')
				entries++;
		closedir(d);
	}
	assert_int_equal(entries, 0);
}

/* RSA keys, another base URL and policy, and an issuing key made
 * beforehand (as for an HSM) given by reference. */
static void test_custom(void **state)
{
	_cleanup_(pki_ca_freep) struct pki_ca *ca = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *k = NULL;
	_cleanup_free_ char *dir = fx_path(fx, "custom"), *kpath = fx_path(fx, "hsm-issuing.pem");
	_cleanup_free_ char *out = NULL;
	struct pki_ca_config cfg;
	struct stat st;

	assert_int_equal(pki_key_generate("rsa:2048", &k), 0);
	assert_int_equal(pki_key_save(k, kpath, FX_PASS), 0);
	pki_ca_config_init_defaults(&cfg);
	cfg.root_key_spec = "rsa:3072";
	cfg.ocsp_key_spec = "rsa:2048";
	cfg.issuing_key_ref = kpath;
	cfg.base_url = "https://nes.example.com.tr";
	cfg.cps_url = "https://example.com.tr/belgeler/sue.pdf";
	cfg.policy_oid = "1.3.6.1.4.1.99999.1.2";
	cfg.root_cn = "Örnek Kök ESHS";
	cfg.organization = "Örnek Güven A.Ş.";
	cfg.issuing_days = 1000;
	cfg.ocsp_days = 10;
	assert_int_equal(pki_ca_init(&cfg, dir, FX_PASS), 0);
	assert_int_equal(stat(kpath, &st), 0);
	out = fx_ok(fx, "ls custom | tr '\\n' ' '");
	assert_string_equal(out, "issuing.crt ocsp.crt ocsp.key root.crl root.crt root.key ");
	free(out);

	/* Without the reference the issuing key is not found. */
	assert_int_equal(pki_ca_load(dir, FX_PASS, &ca), -ENOENT);
	assert_int_equal(pki_ca_load_config(&cfg, dir, FX_PASS, &ca), 0);
	assert_int_equal(EVP_PKEY_eq(X509_get0_pubkey(pki_ca_issuing_cert(ca)), k), 1);
	assert_string_equal(pki_ca_ocsp_url(ca), "https://nes.example.com.tr/ocsp");
	assert_string_equal(pki_ca_cps_url(ca), "https://example.com.tr/belgeler/sue.pdf");
	assert_ptr_not_equal(pki_ca_get_config(ca)->base_url, cfg.base_url);	/* copied */

	out = fx_ok(fx, "openssl x509 -in custom/root.crt -noout -text -nameopt utf8,sep_comma_plus_space");
	assert_contains(out, "Public-Key: (3072 bit)");
	assert_contains(out, "sha256WithRSAEncryption");
	assert_contains(out, "Subject: C=TR, O=Örnek Güven A.Ş., CN=Örnek Kök ESHS");
	free(out);
	out = fx_ok(fx, "openssl x509 -in custom/issuing.crt -noout -text -enddate");
	assert_contains(out, "Policy: 1.3.6.1.4.1.99999.1.2");
	assert_contains(out, "CPS: https://example.com.tr/belgeler/sue.pdf");
	assert_contains(out, "URI:https://nes.example.com.tr/crl/root.crl");
	assert_contains(out, "CA Issuers - URI:https://nes.example.com.tr/ca/root.crt");
	free(out);
	/* the root's CRL, signed with the RSA root key */
	out = fx_ok(fx, "openssl crl -inform DER -in custom/root.crl -CAfile custom/root.crt -noout"
			" -text");
	assert_contains(out, "verify OK");
	assert_contains(out, "sha256WithRSAEncryption");
	free(out);
	out = fx_ok(fx, "openssl verify -CAfile custom/root.crt -untrusted custom/issuing.crt custom/ocsp.crt");
	assert_contains(out, "OK");
	/* The 1000 days of the issuing CA are what it says. */
	{
		int64_t nb = 0, na = 0;
		assert_int_equal(pki_asn1_time_to_unix(X509_get0_notBefore(pki_ca_issuing_cert(ca)), &nb), 0);
		assert_int_equal(pki_asn1_time_to_unix(X509_get0_notAfter(pki_ca_issuing_cert(ca)), &na), 0);
		assert_int_equal(na - nb, 1000 * 86400);
		assert_true(nb <= now_sec() - 3600 && nb > now_sec() - 3700);
	}
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

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* The root's CRL (ARL): the first one from pki_ca_init(), renewals
 * numbered up with their entries kept, the issuing CA listed once,
 * refusals that change nothing.  On a copy of the CA. */
static void test_arl(void **state)
{
	_cleanup_free_ char *dir = fx_path(fx, "arlca"), *crl = NULL, *before = NULL, *after = NULL;
	_cleanup_free_ unsigned char *der = NULL;
	int64_t number = 0, next = 0, next2 = 0;
	size_t n = 0;
	char *out;

	free(fx_ok(fx, "cp -a ca arlca"));
	crl = strdup_printf("%s/" PKI_ARL_FILE, dir);
	assert_int_equal(pki_arl_load(dir, pki_ca_root_cert(fx->ca), &der, &n, &next, NULL), 0);
	assert_true(next > now_sec() + (PKI_ARL_DAYS - 1) * 86400LL);
	out = fx_ok(fx, "openssl crl -inform DER -in arlca/root.crl -CAfile ca/root.crt -noout -text");
	assert_contains(out, "verify OK");
	assert_contains(out, "Issuer: C = TR, O = eonay Demo, CN = eonay Demo Root CA");
	assert_contains(out, "X509v3 CRL Number: \n                1\n");
	assert_contains(out, "No Revoked Certificates.");
	free(out);
	out = fx_ok(fx, "openssl x509 -in ca/issuing.crt -noout -ext crlDistributionPoints");
	assert_contains(out, "URI:http://127.0.0.1:8080/crl/root.crl");
	free(out);

	/* Refusals change nothing. */
	before = file_sha(crl);
	assert_int_equal(pki_arl_sign(NULL, dir, "wrong", 30, false, 0, 0, &number, &next), -EACCES);
	assert_int_equal(pki_arl_sign(NULL, dir, FX_PASS, 0, false, 0, 0, &number, &next), -EINVAL);
	assert_int_equal(pki_arl_sign(NULL, dir, FX_PASS, 30, true, 6, 0, &number, &next), -EINVAL);
	assert_int_equal(pki_arl_sign(NULL, dir, FX_PASS, 30, true, 8, 0, &number, &next), -EINVAL);
	assert_int_equal(pki_arl_sign(NULL, dir, FX_PASS, 30, true, 7, 0, &number, &next), -EINVAL);
	after = file_sha(crl);
	assert_string_equal(before, after);

	assert_int_equal(pki_arl_sign(NULL, dir, FX_PASS, 30, false, 0, 0, &number, &next), 0);
	assert_int_equal(number, 2);
	assert_true(next >= now_sec() + 30 * 86400LL - 5 && next <= now_sec() + 30 * 86400LL);
	/* revoked, then renewed: listed once, with its first date and reason */
	assert_int_equal(pki_arl_sign(NULL, dir, FX_PASS, 30, true, 2, 0, &number, &next), 0);
	assert_int_equal(number, 3);
	before = (free(before), file_sha(crl));
	assert_int_equal(pki_arl_sign(NULL, dir, FX_PASS, 60, true, 1, 0, &number, &next2), -EALREADY);
	after = (free(after), file_sha(crl));
	assert_string_equal(before, after);	/* nothing signed: no audit of a new reason */
	assert_int_equal(pki_arl_sign(NULL, dir, FX_PASS, 60, false, 0, 0, &number, &next2), 0);
	assert_int_equal(number, 4);
	out = fx_ok(fx, "openssl crl -inform DER -in arlca/root.crl -CAfile ca/root.crt -noout -text");
	assert_contains(out, "verify OK");
	assert_contains(out, "CA Compromise");
	assert_null(strstr(out, "Key Compromise"));
	assert_int_equal(count(out, "Serial Number:"), 1);
	free(out);
	out = fx_ok(fx, "openssl verify -crl_check -CAfile ca/root.crt -CRLfile arlca/root.crl"
			" ca/issuing.crt 2>&1 || true");
	assert_contains(out, "certificate revoked");
	free(out);

	/* An ARL that is not the root's (one byte of its signature changed)
	 * is neither served nor continued. */
	free(fx_ok(fx, "printf '\\001' | dd of=arlca/root.crl bs=1 seek=$(($(stat -c %%s"
		       " arlca/root.crl) - 3)) conv=notrunc 2>/dev/null"));
	free(der);
	der = NULL;
	assert_int_equal(pki_arl_load(dir, pki_ca_root_cert(fx->ca), &der, &n, &next, NULL), -EBADMSG);
	assert_int_equal(pki_arl_sign(NULL, dir, FX_PASS, 30, false, 0, 0, &number, &next), -EBADMSG);
	/* none yet (a CA made before ARLs): the next one is number 1 */
	assert_int_equal(unlink(crl), 0);
	/* lost where the audit log knows of number 4: nothing signed */
	assert_int_equal(pki_arl_sign(NULL, dir, FX_PASS, 30, false, 0, 4, &number, &next), -ESTALE);
	assert_int_equal(access(crl, F_OK), -1);
	assert_int_equal(pki_arl_load(dir, pki_ca_root_cert(fx->ca), &der, &n, &next, NULL), -ENOENT);
	assert_int_equal(pki_arl_sign(NULL, dir, FX_PASS, 30, false, 0, 0, &number, &next), 0);
	assert_int_equal(number, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_openssl_view),
		cmocka_unit_test(test_loaded),
		cmocka_unit_test(test_init_twice),
		cmocka_unit_test(test_load_refusals),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_custom),
		cmocka_unit_test(test_arl),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
