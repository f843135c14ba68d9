/* test-profile.c - holder certificates: what issuance puts in them (seen by
 * openssl), what it refuses, and what the linter catches in certificates
 * made wrong on purpose. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <openssl/x509v3.h>

#include "pki-ca-fixture.h"
#include "pki/ca-private.h"
#include "pki/profile-private.h"

static struct pki_fixture *fx;
static EVP_PKEY *issuing_key;	/* to sign doctored certificates */
static X509 *good;		/* AYŞE DEMİR, 10000000146 */

static void test_issue_openssl(void **state)
{
	_cleanup_free_ char *out = NULL, *qc = NULL;
	struct pki_holder_info info;
	char hex[PKI_SERIAL_HEX_MAX];

	fx_write_cert(fx, "holder.crt", good);
	out = fx_ok(fx, "openssl verify -CAfile ca/root.crt -untrusted ca/issuing.crt holder.crt");
	assert_string_equal(out, "holder.crt: OK\n");
	free(out);
	/* with policy checking: the NES policy is accepted down the path */
	out = fx_ok(fx, "openssl verify -CAfile ca/root.crt -untrusted ca/issuing.crt "
		    "-policy_check -explicit_policy -policy 2.16.792.1.2.1.1.5.7.1.9 holder.crt");
	assert_contains(out, "OK");
	free(out);

	out = fx_ok(fx, "openssl x509 -in holder.crt -noout -text -nameopt utf8,sep_comma_plus_space");
	assert_contains(out, "Version: 3 (0x2)");
	assert_contains(out, "Issuer: C=TR, O=eonay Demo, CN=eonay Demo NES Issuing CA");
	assert_contains(out, "Subject: C=TR, GN=AYŞE, SN=DEMİR, serialNumber=10000000146, CN=AYŞE DEMİR");
	assert_contains(out, "X509v3 Key Usage: critical\n                Non Repudiation\n");
	assert_contains(out, "Policy: 2.16.792.1.2.1.1.5.7.1.9");
	assert_contains(out, "CPS: http://127.0.0.1:8080/cps");
	assert_contains(out, "qcStatements:");
	assert_contains(out, "URI:http://127.0.0.1:8080/crl/issuing.crl");
	assert_contains(out, "OCSP - URI:http://127.0.0.1:8080/ocsp");
	assert_contains(out, "CA Issuers - URI:http://127.0.0.1:8080/ca/issuing.crt");
	assert_contains(out, "X509v3 Subject Key Identifier");
	assert_contains(out, "X509v3 Authority Key Identifier");
	assert_contains(out, "Signature Algorithm: ecdsa-with-SHA384");
	assert_not_contains(out, "Extended Key Usage");
	assert_not_contains(out, "Digital Signature");
	free(out);
	/* the extension's OID itself */
	{
		char oid[64] = "";
		int idx = X509_get_ext_by_NID(good, NID_qcStatements, -1);

		assert_true(idx >= 0);
		OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(X509_get_ext(good, idx)), 1);
		assert_string_equal(oid, PKI_OID_QC_STATEMENTS);
		assert_false(X509_EXTENSION_get_critical(X509_get_ext(good, idx)));
	}

	/* The QCStatements content, parsed by openssl's ASN.1 parser. */
	out = fx_ok(fx, "openssl asn1parse -in holder.crt | grep -A1 ':qcStatements' | tail -1 | cut -d: -f1");
	qc = fx_ok(fx, "openssl asn1parse -in holder.crt -strparse %ld", strtol(out, NULL, 10));
	assert_contains(qc, "OBJECT            :0.4.0.1862.1.1\n");
	assert_contains(qc, "OBJECT            :0.4.0.1862.1.4\n");
	assert_contains(qc, "OBJECT            :0.4.0.1862.1.6\n");
	assert_contains(qc, "OBJECT            :0.4.0.1862.1.6.1\n");
	assert_contains(qc, "OBJECT            :0.4.0.1862.1.5\n");
	assert_contains(qc, "IA5STRING         :http://127.0.0.1:8080/pds/en\n");
	assert_contains(qc, "PRINTABLESTRING   :en\n");
	/* QcCClegislation (TR): qualified under Turkish law, not eIDAS
	 * (EN 319 412-5 4.2.1, 4.2.4) */
	assert_contains(qc, "OBJECT            :0.4.0.1862.1.7\n");
	assert_contains(qc, "PRINTABLESTRING   :TR\n");

	/* The holder fields as the others read them. */
	assert_int_equal(pki_cert_holder_info(good, &info), 0);
	assert_string_equal(info.tckn, "10000000146");
	assert_string_equal(info.common_name, "AY\xc5\x9e" "E DEM\xc4\xb0R");
	assert_string_equal(info.given_name, "AY\xc5\x9e" "E");
	assert_string_equal(info.surname, "DEM\xc4\xb0R");
	assert_int_equal(pki_cert_serial_hex(good, hex), 0);
	assert_string_equal(info.serial_hex, hex);
	assert_int_equal(strlen(hex), 32);
	assert_true(info.not_after - info.not_before == 365 * 86400 + 60);
	assert_int_equal(pki_cert_holder_info(pki_ca_issuing_cert(fx->ca), &info), -EBADMSG);

	assert_true(pki_cert_has_qc_statements(good));
	assert_true(pki_cert_has_nonrepudiation(good));
	assert_false(pki_cert_has_qc_statements(pki_ca_issuing_cert(fx->ca)));
	assert_false(pki_cert_has_nonrepudiation(pki_ca_issuing_cert(fx->ca)));
	assert_false(pki_cert_has_qc_statements(NULL));
	assert_false(pki_cert_has_nonrepudiation(NULL));

	char *reason = NULL;
	assert_int_equal(pki_profile_lint_holder(fx->ca, good, &reason), 0);
	assert_null(reason);
	/* a CA certificate is not a holder certificate */
	assert_int_equal(pki_profile_lint_holder(fx->ca, pki_ca_ocsp_cert(fx->ca), &reason), -EACCES);
	assert_non_null(reason);
	free(reason);
}

static void test_names(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "ayşe", "AY\xc5\x9e" "E" },
		{ "  ışık   çağrı  ", "I\xc5\x9eIK \xc3\x87" "A\xc4\x9eRI" },
		{ "iİıI", "\xc4\xb0\xc4\xb0II" },
		{ "öykü güneş", "\xc3\x96YK\xc3\x9c G\xc3\x9cNE\xc5\x9e" },
		{ "o'neil-smith jr.", "O'NE\xc4\xb0L-SM\xc4\xb0TH JR." },
		{ "Zoë", "ZO\xc3\x8b" },
		{ "MEHMET", "MEHMET" },
	};
	static const char *const bad[] = {
		"", "   ", "ali2", "ali\tveli", "ali\nveli", "-ali", "'ali", ".",
		"ali\xc3", "ali\xc3\x28", "\xc0\xaf", "\xed\xa0\x80", "ali\x7f",
		"\xe2\x80\x8b" "ali",	/* zero-width space */
		"ali<script>", "ali@veli", "ğ\xc2\x85",
		"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",	/* 65 */
	};
	char *n = NULL;

	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		assert_int_equal(pki_name_normalize(ok[i].in, &n), 0);
		assert_string_equal(n, ok[i].out);
		free(n);
		n = NULL;
	}
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		if (pki_name_normalize(bad[i], &n) != -EINVAL)
			print_error("accepted bad name #%zu\n", i);
		assert_null(n);
	}
	/* 64 characters, some of two bytes, are fine */
	{
		char buf[256] = "";
		for (int i = 0; i < 32; i++)
			strcat(buf, "şa");
		assert_int_equal(pki_name_normalize(buf, &n), 0);
		free(n);
	}
}

/* Issuance that must be refused: -EACCES, a reason, no certificate. */
static void refused(const char *tckn, const char *given, const char *surname,
		    int64_t nb, int64_t na, EVP_PKEY *key, const char *why)
{
	struct pki_holder_req req = {
		.tckn = tckn, .given_name = given, .surname = surname,
		.not_before = nb, .not_after = na,
	};
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *own = NULL;
	_cleanup_free_ char *reason = NULL;
	X509 *x = NULL;

	if (!key) {
		assert_int_equal(pki_key_generate("ec:P-256", &own), 0);
		key = own;
	}
	assert_int_equal(pki_cert_issue_holder(fx->ca, key, &req, &x, &reason), -EACCES);
	assert_null(x);
	assert_non_null(reason);
	assert_contains(reason, why);
}

static void test_issue_refusals(void **state)
{
	int64_t now = now_sec(), year = now + 365 * 86400;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *rsa1024 = NULL, *p521 = NULL, *ed = NULL;
	EVP_PKEY *k = NULL;
	X509 *x = NULL;

	refused("10000000147", "Ali", "Veli", now, year, NULL, "check digits");
	refused("10000000156", "Ali", "Veli", now, year, NULL, "check digits");
	refused("00000000146", "Ali", "Veli", now, year, NULL, "cannot start with 0");
	refused("1000000014", "Ali", "Veli", now, year, NULL, "11 digits");
	refused("1000000014a", "Ali", "Veli", now, year, NULL, "digits only");
	refused("", "Ali", "Veli", now, year, NULL, "empty");
	refused(NULL, "Ali", "Veli", now, year, NULL, "empty");
	refused("10000000146", "", "Veli", now, year, NULL, "given name");
	refused("10000000146", NULL, "Veli", now, year, NULL, "given name");
	refused("10000000146", "Ali", "   ", now, year, NULL, "surname");
	refused("10000000146", "Ali", "Ve1i", now, year, NULL, "surname");
	refused("10000000146", "Ali\xc3", "Veli", now, year, NULL, "given name");
	refused("10000000146", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
		"BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB", now, year, NULL, "together");
	refused("10000000146", "Ali", "Veli", year, now, NULL, "validity");
	refused("10000000146", "Ali", "Veli", now, now, NULL, "validity");
	/* caught by the linter on the signed certificate */
	refused("10000000146", "Ali", "Veli", now, now + 4 * 365 * 86400LL, NULL, "more than 1096 days");
	refused("10000000146", "Ali", "Veli", now, now + 30LL * 365 * 86400, NULL,
		"within the issuing CA's validity");
	refused("10000000146", "Ali", "Veli", now - 10 * 86400, year, NULL,
		"within the issuing CA's validity");
	rsa1024 = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	assert_non_null(rsa1024);
	refused("10000000146", "Ali", "Veli", now, year, rsa1024, "RSA key of 1024 bits");
	p521 = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-521");
	assert_non_null(p521);
	refused("10000000146", "Ali", "Veli", now, year, p521, "P-256 or P-384");
	ed = EVP_PKEY_Q_keygen(NULL, NULL, "ED25519");
	assert_non_null(ed);
	refused("10000000146", "Ali", "Veli", now, year, ed, "not RSA or EC");

	/* NULL arguments */
	struct pki_holder_req req = { "10000000146", "Ali", "Veli", now, year };
	assert_int_equal(pki_key_generate("rsa:2048", &k), 0);
	assert_int_equal(pki_cert_issue_holder(NULL, k, &req, &x, NULL), -EINVAL);
	assert_int_equal(pki_cert_issue_holder(fx->ca, NULL, &req, &x, NULL), -EINVAL);
	assert_int_equal(pki_cert_issue_holder(fx->ca, k, NULL, &x, NULL), -EINVAL);
	/* an RSA holder key is fine, and the reason pointer is optional */
	assert_int_equal(pki_cert_issue_holder(fx->ca, k, &req, &x, NULL), 0);
	assert_true(pki_cert_has_qc_statements(x));
	X509_free(x);
	EVP_PKEY_free(k);
}

/* Re-encodes, so that cached extension data is recomputed. */
static X509 *reparse(X509 *x)
{
	unsigned char *der = NULL;
	const unsigned char *p;
	X509 *y;
	int n = i2d_X509(x, &der);

	assert_true(n > 0);
	p = der;
	y = d2i_X509(NULL, &p, n);
	OPENSSL_free(der);
	assert_non_null(y);
	X509_free(x);
	return y;
}

static X509 *resign(X509 *x, EVP_PKEY *key, const EVP_MD *md)
{
	assert_true(X509_sign(x, key, md) > 0);
	return reparse(x);
}

static void lint_refuses(X509 *x, const char *why)
{
	_cleanup_free_ char *reason = NULL;
	int r = pki_profile_lint_holder(fx->ca, x, &reason);

	if (r != -EACCES)
		print_error("linter accepted a certificate that should fail with \"%s\"\n", why);
	assert_int_equal(r, -EACCES);
	assert_non_null(reason);
	assert_contains(reason, why);
	X509_free(x);
}

static void replace_ext(X509 *x, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ext;
	int idx = X509_get_ext_by_NID(x, nid, -1);

	if (idx >= 0)
		X509_EXTENSION_free(X509_delete_ext(x, idx));
	if (!value)
		return;
	X509V3_set_ctx(&ctx, pki_ca_issuing_cert(fx->ca), x, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	if (!ext)
		print_error("cannot make extension %s = %s\n", OBJ_nid2sn(nid), value);
	assert_non_null(ext);
	assert_true(X509_add_ext(x, ext, -1));
	X509_EXTENSION_free(ext);
}

/* QCStatements as the issuer writes them for a CA of another country. */
static void replace_qc(X509 *x, const char *country)
{
	replace_ext(x, NID_qcStatements, NULL);
	assert_int_equal(pki_qc_statements_add(x, pki_ca_pds_url(fx->ca), country), 0);
}

static void replace_policy(X509 *x, const char *oid, const char *cps)
{
	_cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *o = OBJ_txt2obj(oid, 1);

	replace_ext(x, NID_certificate_policies, NULL);
	assert_int_equal(pki_cert_add_policy(x, o, cps), 0);
}

static void replace_name(X509 *x, int nid, int type, const char *value)
{
	X509_NAME *n = X509_NAME_dup(X509_get_subject_name(x));
	int idx = X509_NAME_get_index_by_NID(n, nid, -1);

	assert_true(idx >= 0);
	X509_NAME_ENTRY_free(X509_NAME_delete_entry(n, idx));
	assert_true(X509_NAME_add_entry_by_NID(n, nid, type, (const unsigned char *)value, -1, idx, 0));
	assert_true(X509_set_subject_name(x, n));
	X509_NAME_free(n);
}

/* Doctors a copy of the good certificate with stmt (on x), signs it again
 * with the issuing CA's key unless stmt did, and expects the linter to
 * refuse it with why in the reason. */
#define DOCTOR_SIGNED(stmt, why)                                               \
	do {                                                                   \
		x = X509_dup(good);                                            \
		assert_non_null(x);                                            \
		stmt;                                                          \
		lint_refuses(x, why);                                          \
	} while (0)
#define DOCTOR(stmt, why) DOCTOR_SIGNED(stmt; x = resign(x, issuing_key, EVP_sha384()), why)

static void test_lint(void **state)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *other = NULL, *weak = NULL;
	_cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *small = ASN1_INTEGER_new();
	X509 *x;

	/* The unmodified certificate passes; re-signing alone changes nothing. */
	x = resign(X509_dup(good), issuing_key, EVP_sha384());
	assert_int_equal(pki_profile_lint_holder(fx->ca, x, NULL), 0);
	X509_free(x);

	/* Signature */
	{
		/* one byte of the CN changed after signing */
		unsigned char *der = NULL, *hit;
		const unsigned char *p;
		int n = i2d_X509(good, &der);
		static const char cn[] = "AY\xc5\x9e" "E DEM\xc4\xb0R";

		assert_true(n > 0);
		hit = memmem(der, (size_t)n, cn, strlen(cn));
		assert_non_null(hit);
		hit[strlen(cn) - 1] = 'S';
		p = der;
		x = d2i_X509(NULL, &p, n);
		OPENSSL_free(der);
		assert_non_null(x);
		lint_refuses(x, "signature does not verify");
	}
	assert_int_equal(pki_key_generate("ec:P-384", &other), 0);
	DOCTOR_SIGNED(x = resign(x, other, EVP_sha384()), "signature does not verify");
	DOCTOR_SIGNED(x = resign(x, issuing_key, EVP_sha256()), "signature algorithm");

	/* Subject */
	DOCTOR(replace_name(x, NID_serialNumber, V_ASN1_PRINTABLESTRING, "10000000147"),
	       "serialNumber is not a valid T.C. Kimlik No");
	DOCTOR(replace_name(x, NID_serialNumber, V_ASN1_PRINTABLESTRING, "TCKTR-10000000146"),
	       "serialNumber is not a valid T.C. Kimlik No");
	DOCTOR(replace_name(x, NID_serialNumber, V_ASN1_UTF8STRING, "10000000146"),
	       "serialNumber is not a PrintableString");
	DOCTOR(replace_name(x, NID_commonName, V_ASN1_UTF8STRING, "AYŞE DEMIR"), "CN");
	DOCTOR(replace_name(x, NID_commonName, V_ASN1_PRINTABLESTRING, "AYSE DEMIR"),
	       "commonName is not a UTF8String");
	DOCTOR(replace_name(x, NID_givenName, V_ASN1_UTF8STRING, "Ayşe"), "givenName");
	DOCTOR(replace_name(x, NID_surname, V_ASN1_UTF8STRING, ""), "surname");
	DOCTOR(replace_name(x, NID_countryName, V_ASN1_PRINTABLESTRING, "DE"), "countryName is not TR");
	DOCTOR(X509_NAME_add_entry_by_NID(X509_get_subject_name(x), NID_organizationName,
					  MBSTRING_UTF8, (const unsigned char *)"ACME", -1, -1, 0),
	       "subject has 6 attributes");
	DOCTOR(X509_NAME_ENTRY_free(X509_NAME_delete_entry(X509_get_subject_name(x), 1));
	       X509_NAME_add_entry_by_NID(X509_get_subject_name(x), NID_organizationName,
					  MBSTRING_UTF8, (const unsigned char *)"ACME", -1, -1, 0),
	       "unexpected attribute");

	/* Extensions */
	DOCTOR(replace_ext(x, NID_key_usage, "critical,digitalSignature,nonRepudiation"),
	       "keyUsage is not exactly nonRepudiation");
	DOCTOR(replace_ext(x, NID_key_usage, "nonRepudiation"), "must be critical");
	DOCTOR(replace_ext(x, NID_key_usage, NULL), "Key Usage is missing");
	DOCTOR(replace_ext(x, NID_ext_key_usage, "emailProtection"), "unexpected extension 2.5.29.37");
	DOCTOR(replace_ext(x, NID_basic_constraints, "critical,CA:TRUE"), "unexpected extension 2.5.29.19");
	DOCTOR(replace_ext(x, NID_qcStatements, NULL), "qcStatements is missing");
	DOCTOR(replace_ext(x, NID_crl_distribution_points, "URI:http://evil.example/x.crl"),
	       "CRL distribution point is not");
	DOCTOR(replace_ext(x, NID_info_access, "OCSP;URI:http://127.0.0.1:8080/ocsp"),
	       "authorityInfoAccess");
	DOCTOR(replace_ext(x, NID_info_access, "OCSP;URI:http://evil/ocsp,caIssuers;URI:http://127.0.0.1:8080/ca/issuing.crt"),
	       "authorityInfoAccess");
	DOCTOR(replace_policy(x, "1.2.3.4", "http://127.0.0.1:8080/cps"), "certificate policy is not");
	DOCTOR(replace_policy(x, "2.16.792.1.2.1.1.5.7.1.9", NULL), "exactly one qualifier");
	DOCTOR(replace_policy(x, "2.16.792.1.2.1.1.5.7.1.9", "http://evil/cps"), "CPS URI");
	DOCTOR(replace_ext(x, NID_subject_key_identifier, "0102030405"), "subjectKeyIdentifier");
	DOCTOR(replace_ext(x, NID_authority_key_identifier, "keyid,issuer:always"),
	       "authorityKeyIdentifier");
	DOCTOR(X509_add_ext(x, X509_get_ext(x, X509_get_ext_by_NID(x, NID_crl_distribution_points, -1)), -1),
	       "twice");
	/* QCStatements with statements missing, in openssl's generic DER
	 * syntax. */
	DOCTOR(replace_ext(x, NID_qcStatements,
			   "DER:30:0a:30:08:06:06:04:00:8e:46:01:01"),	/* QcCompliance only */
	       "QcSSCD");
	DOCTOR(replace_ext(x, NID_qcStatements, "DER:30:00"), "QcCompliance");
	/* qualified under Turkish law: QcCClegislation (TR), not another
	 * country's, and not left out (an EU country's would be) */
	DOCTOR(replace_qc(x, "DE"), "QcCClegislation is not exactly (TR)");
	DOCTOR(replace_qc(x, "AZ"), "QcCClegislation is not exactly (TR)");
	DOCTOR(replace_ext(x, NID_qcStatements, "DER:05:00"), "does not parse");

	/* Validity, serial, version */
	DOCTOR(ASN1_TIME_set(X509_getm_notAfter(x), now_sec() + 5L * 365 * 86400),
	       "more than 1096 days");
	DOCTOR(ASN1_GENERALIZEDTIME_set(X509_getm_notAfter(x), now_sec() + 86400),
	       "notAfter is not encoded as RFC 5280 requires");
	DOCTOR(ASN1_TIME_set(X509_getm_notAfter(x), now_sec() - 86400), "notAfter is not after notBefore");
	assert_true(ASN1_INTEGER_set_int64(small, 12345));
	DOCTOR(X509_set_serialNumber(x, small), "fewer than 64 bits");
	DOCTOR(X509_set_version(x, X509_VERSION_1), "version 3");

	/* Key */
	weak = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)1024);
	DOCTOR(X509_set_pubkey(x, weak); replace_ext(x, NID_subject_key_identifier, "hash"),
	       "RSA key of 1024 bits");

	/* Issuer */
	DOCTOR(X509_set_issuer_name(x, X509_get_subject_name(pki_ca_root_cert(fx->ca))),
	       "issuer is not the issuing CA");

	assert_int_equal(pki_profile_lint_holder(NULL, good, NULL), -EINVAL);
	assert_int_equal(pki_profile_lint_holder(fx->ca, NULL, NULL), -EINVAL);
}

/* Another CA's certificate of the very same profile fails here. */
static void test_other_ca(void **state)
{
	struct pki_fixture *f2 = fx_new_ca(NULL);
	_cleanup_(X509_freep) X509 *x = fx_issue(f2, "10000000146", "ayşe", "demir", NULL);
	_cleanup_free_ char *reason = NULL;

	assert_int_equal(pki_profile_lint_holder(f2->ca, x, NULL), 0);
	assert_int_equal(pki_profile_lint_holder(fx->ca, x, &reason), -EACCES);
	assert_contains(reason, "signature does not verify");
	fx_free(f2);
}

static int setup(void **state)
{
	_cleanup_free_ char *p = NULL;

	fx = fx_new_ca(NULL);
	p = strdup_printf("%s/issuing.key", fx->ca_dir);
	assert_int_equal(pki_key_load(p, FX_PASS, &issuing_key), 0);
	good = fx_issue(fx, "10000000146", "ayşe", "demir", NULL);
	return 0;
}

static int teardown(void **state)
{
	X509_free(good);
	EVP_PKEY_free(issuing_key);
	fx_free(fx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_issue_openssl),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_issue_refusals),
		cmocka_unit_test(test_lint),
		cmocka_unit_test(test_other_ca),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
