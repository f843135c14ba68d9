/* test-verify-report.c - eimza verify's report in the terms of ETSI EN
 * 319 102-1: a corpus of signatures made here (valid, wrong content,
 * expired signer, untrusted root, SHA-1, detached without content, two
 * signers, a tampered signed attribute, and more), each with the
 * indication, sub-indication and detail the table below expects, checked
 * on the real program: `eimza verify --json` must match the table, and
 * `--xml` must be well-formed (xmllint) with the same main and sub
 * indication URIs.  Then the mapping table itself against the standard's
 * (which main indication each sub-indication belongs to), the report's
 * contents for a valid signature, a file of two signatures and the text
 * for people. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include <jansson.h>
#include <openssl/cms.h>
#include <openssl/ess.h>
#include <openssl/sha.h>

#include "common/util.h"
#include "eimza/core/verify-report.h"
#include "pki-fixture.h"
#include "pki/cades.h"
#include "pki/key.h"
#include "pki/ossl.h"

#define TEXT "Bu metni okudum ve onaylıyorum: eonay doğrulama raporu"
#define DAY 86400

static char dir[64], eimza[512];
static struct fx_ca root, issuing, other_root;
static STACK_OF(X509) *chain;	/* issuing */

static int group_setup(void **state)
{
	const char *b = getenv("EONAY_BUILDDIR");

	if (!b || fx_dir_new(dir) < 0)
		return -1;
	snprintf(eimza, sizeof(eimza), "%s/src/eimza/eimza", b);
	if (fx_ca_new("Test Kök", NULL, "ec:P-384", 0, 0, &root) < 0 ||
	    fx_ca_new("Test Issuing", &root, "ec:P-384", 0, 0, &issuing) < 0 ||
	    fx_ca_new("Other Root", NULL, "ec:P-256", 0, 0, &other_root) < 0)
		return -1;
	chain = sk_X509_new_null();
	if (!chain || !sk_X509_push(chain, issuing.cert))
		return -1;
	return fx_write_cert(dir, "root.pem", root.cert);
}

static int group_teardown(void **state)
{
	sk_X509_free(chain);
	fx_ca_done(&root);
	fx_ca_done(&issuing);
	fx_ca_done(&other_root);
	fx_dir_remove(dir);
	return 0;
}

/* The signatures. */

struct der {
	unsigned char *p;
	size_t n;
};

static struct der from_openssl(unsigned char *der, int len)
{
	struct der d = { malloc(len > 0 ? (size_t)len : 1), len > 0 ? (size_t)len : 0 };

	assert_true(len > 0);
	assert_non_null(d.p);
	memcpy(d.p, der, d.n);
	OPENSSL_free(der);
	return d;
}

/* cades_sign() with a holder certificate from issuing made with o. */
static struct der sign_holder(const struct fx_ca *ca, const struct fx_holder_opts *o, bool with_chain)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(X509_freep) X509 *cert = NULL;
	struct der d = { 0 };

	assert_int_equal(fx_holder_new(ca, o, &cert, &key), 0);
	assert_int_equal(cades_sign(key, cert, with_chain ? chain : NULL, TEXT, strlen(TEXT), &d.p, &d.n), 0);
	return d;
}

static struct der valid(void)
{
	return sign_holder(&issuing, NULL, true);
}

/* Signs the way cades_sign() would not: digest md, the signing
 * certificate reference naming ref (NULL: none), detached, without the
 * certificates, or with a second signer. */
struct custom {
	const EVP_MD *md;
	const char *key_spec;
	bool ref_other, no_ref, detached, no_certs, two_signers;
};

static struct der sign_custom(const struct custom *c)
{
	unsigned flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP |
			 (c->detached ? CMS_DETACHED : 0) | (c->no_certs ? CMS_NOCERTS : 0);
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL, *key2 = NULL;
	_cleanup_(X509_freep) X509 *cert = NULL, *cert2 = NULL;
	CMS_ContentInfo *cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	BIO *in = BIO_new_mem_buf(TEXT, (int)strlen(TEXT));
	CMS_SignerInfo *si;
	unsigned char *der = NULL;
	struct der d;
	int len;

	assert_int_equal(fx_holder_new(&issuing, &(struct fx_holder_opts){ .key_spec = c->key_spec },
				       &cert, &key), 0);
	assert_int_equal(fx_holder_new(&issuing, NULL, &cert2, &key2), 0);
	assert_non_null(cms);
	si = CMS_add1_signer(cms, cert, key, c->md, flags);
	assert_non_null(si);
	if (!c->no_ref) {
		ESS_SIGNING_CERT_V2 *sc = OSSL_ESS_signing_cert_v2_new_init(
			EVP_sha256(), c->ref_other ? cert2 : cert, NULL, 0);
		unsigned char *sder = NULL;
		int slen = i2d_ESS_SIGNING_CERT_V2(sc, &sder);

		assert_true(slen > 0);
		assert_int_equal(CMS_signed_add1_attr_by_NID(si, NID_id_smime_aa_signingCertificateV2,
							     V_ASN1_SEQUENCE, sder, slen), 1);
		OPENSSL_free(sder);
		ESS_SIGNING_CERT_V2_free(sc);
	}
	if (c->two_signers)
		assert_non_null(CMS_add1_signer(cms, cert2, key2, EVP_sha256(), flags | CMS_CADES));
	if (!c->no_certs)
		assert_int_equal(CMS_add1_cert(cms, issuing.cert), 1);
	assert_int_equal(CMS_final(cms, in, NULL, flags), 1);
	len = i2d_CMS_ContentInfo(cms, &der);
	d = from_openssl(der, len);
	BIO_free(in);
	CMS_ContentInfo_free(cms);
	return d;
}

/* Replaces the first occurrence of what (n bytes) in d. */
static void patch(struct der d, const void *what, size_t n, const void *with)
{
	unsigned char *p = memmem(d.p, d.n, what, n);

	assert_non_null(p);
	memcpy(p, with, n);
}

static const unsigned char st_oid[] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x05 };

static struct der c_valid(void) { return valid(); }

static struct der c_wrong_content(void)
{
	struct der d = valid();

	patch(d, "onaylıyorum", 11, "onaylamıyom");
	return d;
}

static struct der c_expired(void)
{
	int64_t now = now_sec();

	return sign_holder(&issuing, &(struct fx_holder_opts){ .not_before = now - 400 * DAY,
							       .not_after = now - DAY }, true);
}

static struct der c_not_yet_valid(void)
{
	int64_t now = now_sec();

	return sign_holder(&issuing, &(struct fx_holder_opts){ .not_before = now + DAY,
							       .not_after = now + 400 * DAY }, true);
}

static struct der c_untrusted(void) { return sign_holder(&other_root, NULL, false); }

static struct der c_sha1(void)
{
	return sign_custom(&(struct custom){ .md = EVP_sha1(), .key_spec = "rsa:2048" });
}

static struct der c_detached(void)
{
	return sign_custom(&(struct custom){ .md = EVP_sha256(), .detached = true });
}

static struct der c_two_signers(void)
{
	return sign_custom(&(struct custom){ .md = EVP_sha256(), .two_signers = true });
}

/* The signing-time's seconds changed after signing. */
static struct der c_tampered_attribute(void)
{
	struct der d = valid();
	unsigned char *p = memmem(d.p, d.n, st_oid, sizeof(st_oid));

	assert_non_null(p);
	p += sizeof(st_oid);	/* SET { UTCTime } */
	assert_int_equal(p[0], 0x31);
	assert_int_equal(p[2], 0x17);
	p[2 + 2 + 11] = p[2 + 2 + 11] == '0' ? '1' : '0';
	return d;
}

static struct der c_garbage(void)
{
	struct der d = { (unsigned char *)strdup("bu bir imza değil\n"), 0 };

	assert_non_null(d.p);
	d.n = strlen((char *)d.p);
	return d;
}

static struct der c_not_signed_data(void)
{
	BIO *b = BIO_new_mem_buf("x", 1);
	CMS_ContentInfo *cms = CMS_data_create(b, CMS_BINARY);
	unsigned char *der = NULL;
	struct der d;

	assert_non_null(cms);
	d = from_openssl(der, i2d_CMS_ContentInfo(cms, &der));
	CMS_ContentInfo_free(cms);
	BIO_free(b);
	return d;
}

static struct der c_ref_mismatch(void)
{
	return sign_custom(&(struct custom){ .md = EVP_sha256(), .ref_other = true });
}

static struct der c_no_ref(void)
{
	return sign_custom(&(struct custom){ .md = EVP_sha256(), .no_ref = true });
}

static struct der c_no_certs(void)
{
	return sign_custom(&(struct custom){ .md = EVP_sha256(), .no_certs = true });
}

static struct der c_no_signing_time(void)
{
	struct der d = valid();

	patch(d, st_oid, sizeof(st_oid), (unsigned char[]){ 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x09, 0x07 });
	return d;
}

static struct der c_rsa1024(void)
{
	return sign_holder(&issuing, &(struct fx_holder_opts){ .key_spec = "rsa:1024" }, true);
}

static struct der c_no_nonrep(void)
{
	return sign_holder(&issuing, &(struct fx_holder_opts){ .no_nonrepudiation = true }, true);
}

static struct der c_no_qc(void)
{
	return sign_holder(&issuing, &(struct fx_holder_opts){ .no_qc = true }, true);
}

/* The corpus and what the standard says of each. */
static const struct {
	const char *name;
	struct der (*make)(void);
	const char *indication, *sub, *detail;	/* sub, detail: NULL for none */
} corpus[] = {
	{ "valid", c_valid, "TOTAL-PASSED", NULL, NULL },
	{ "wrong-content", c_wrong_content, "TOTAL-FAILED", "HASH_FAILURE", "CONTENT_ALTERED" },
	{ "expired", c_expired, "INDETERMINATE", "OUT_OF_BOUNDS_NO_POE", "SIGNER_CERTIFICATE_EXPIRED" },
	{ "untrusted", c_untrusted, "INDETERMINATE", "NO_CERTIFICATE_CHAIN_FOUND", "NO_PATH_TO_TRUST_ANCHOR" },
	{ "sha1", c_sha1, "INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE_NO_POE", "DIGEST_NOT_ALLOWED" },
	{ "detached", c_detached, "INDETERMINATE", "SIGNED_DATA_NOT_FOUND", "DETACHED_CONTENT_MISSING" },
	{ "two-signers", c_two_signers, "INDETERMINATE", "SIG_CONSTRAINTS_FAILURE", "NOT_ONE_SIGNER" },
	{ "tampered-attribute", c_tampered_attribute, "TOTAL-FAILED", "SIG_CRYPTO_FAILURE", "SIGNATURE_VALUE_WRONG" },
	{ "not-yet-valid", c_not_yet_valid, "TOTAL-FAILED", "NOT_YET_VALID", "SIGNER_CERTIFICATE_NOT_YET_VALID" },
	{ "garbage", c_garbage, "TOTAL-FAILED", "FORMAT_FAILURE", "NOT_DER_CMS" },
	{ "not-signed-data", c_not_signed_data, "TOTAL-FAILED", "FORMAT_FAILURE", "NOT_SIGNED_DATA" },
	{ "ref-mismatch", c_ref_mismatch, "INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND", "SIGNING_CERTIFICATE_V2_MISMATCH" },
	{ "no-ref", c_no_ref, "INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND", "SIGNING_CERTIFICATE_V2_MISSING" },
	{ "no-certs", c_no_certs, "INDETERMINATE", "NO_SIGNING_CERTIFICATE_FOUND", "SIGNER_CERTIFICATE_NOT_IN_SIGNATURE" },
	{ "no-signing-time", c_no_signing_time, "INDETERMINATE", "SIG_CONSTRAINTS_FAILURE", "SIGNING_TIME_MISSING" },
	{ "rsa-1024", c_rsa1024, "INDETERMINATE", "CRYPTO_CONSTRAINTS_FAILURE_NO_POE", "KEY_NOT_ALLOWED" },
	{ "no-nonrepudiation", c_no_nonrep, "INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE", "NO_NON_REPUDIATION" },
	{ "no-qc", c_no_qc, "INDETERMINATE", "CHAIN_CONSTRAINTS_FAILURE", "QC_STATEMENTS_MISSING" },
};

/* Runs eimza verify on file; the exit status, the output in *out. */
static int verify(const char *args, const char *file, char **out)
{
	return fx_run(dir, out, "'%s' verify --ca root.pem %s %s 2>/dev/null", eimza, args, file);
}

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void assert_str_or_null(const char *what, const char *name, const char *want, const char *got)
{
	if (!streq_ptr(want, got))
		fail_msg("%s: %s: want %s, got %s", name, what, want ? want : "(none)",
			 got ? got : "(none)");
}

/* Runs an xmllint XPath on file: the result without the newline. */
static char *xpath(const char *file, const char *expr)
{
	char *out = NULL;
	size_t n;

	assert_int_equal(fx_run(dir, &out, "xmllint --xpath \"%s\" %s", expr, file), 0);
	for (n = strlen(out); n > 0 && (out[n - 1] == '\n' || out[n - 1] == ' '); n--)
		out[n - 1] = '\0';
	return out;
}

/* The string value of the first element named local in file. */
static char *xml_value(const char *file, const char *local)
{
	_cleanup_free_ char *expr = strdup_printf("string(//*[local-name()='%s'])", local);

	assert_non_null(expr);
	return xpath(file, expr);
}

static void test_corpus(void **state)
{
	for (size_t i = 0; i < ELEMENTSOF(corpus); i++) {
		struct der d = corpus[i].make();
		_cleanup_free_ char *out = NULL, *xml = NULL, *lint = NULL, *main_uri = NULL,
				    *sub_uri = NULL, *want_main = NULL, *want_sub = NULL;
		char file[96], xfile[96];
		json_error_t jerr;
		json_t *o;
		int st;

		snprintf(file, sizeof(file), "%s.p7s", corpus[i].name);
		snprintf(xfile, sizeof(xfile), "%s.xml", corpus[i].name);
		assert_int_equal(fx_write_data(dir, file, d.p, d.n), 0);
		free(d.p);

		/* --json: the table. */
		st = verify("--json", file, &out);
		assert_int_equal(st, streq(corpus[i].indication, "TOTAL-PASSED") ? 0 : 9);
		o = json_loads(out, 0, &jerr);
		if (!o)
			fail_msg("%s: not JSON: %s", corpus[i].name, out);
		assert_str_or_null("indication", corpus[i].name, corpus[i].indication, jstr(o, "indication"));
		assert_str_or_null("subIndication", corpus[i].name, corpus[i].sub, jstr(o, "subIndication"));
		assert_str_or_null("detail", corpus[i].name, corpus[i].detail, jstr(o, "detail"));
		assert_string_equal(jstr(o, "validationProcess"), "Basic");
		assert_true(json_is_false(json_object_get(json_object_get(o, "revocation"), "checked")));
		json_decref(o);

		/* --xml: well-formed, the same indications as URIs. */
		assert_int_equal(verify("--xml", file, &xml), st);
		assert_int_equal(fx_write_data(dir, xfile, xml, strlen(xml)), 0);
		if (fx_run(dir, &lint, "xmllint --noout %s", xfile) != 0)
			fail_msg("%s: XML not well-formed: %s\n%s", corpus[i].name, lint, xml);
		assert_non_null(strstr(xml, "xmlns:vr=\"http://uri.etsi.org/19102/v1.2.1#\""));
		assert_non_null(strstr(xml, "<vr:ValidationReport"));
		main_uri = xml_value(xfile, "MainIndication");
		sub_uri = xml_value(xfile, "SubIndication");
		want_main = strdup_printf("urn:etsi:019102:mainindication:%s",
					  streq(corpus[i].indication, "TOTAL-PASSED") ? "total-passed" :
					  streq(corpus[i].indication, "TOTAL-FAILED") ? "total-failed" :
					  "indeterminate");
		want_sub = corpus[i].sub ? strdup_printf("urn:etsi:019102:subindication:%s", corpus[i].sub)
					 : strdup("");
		assert_str_or_null("XML MainIndication", corpus[i].name, want_main, main_uri);
		assert_str_or_null("XML SubIndication", corpus[i].name, want_sub, sub_uri);
		if (corpus[i].detail)
			assert_non_null(strstr(xml, corpus[i].detail));
	}
}

/* The mapping table against the standard's: every result of the
 * verifier maps, whatever the facts, to a sub-indication under the main
 * indication the standard puts it; only a pass is TOTAL-PASSED. */
static void test_mapping_table(void **state)
{
	static const char *const total_failed[] = { "FORMAT_FAILURE", "HASH_FAILURE",
		"SIG_CRYPTO_FAILURE", "REVOKED", "EXPIRED", "NOT_YET_VALID" };
	struct vr_facts facts[] = {
		{ .n_signers = 1 },
		{ .not_signed_data = true },
		{ .detached = true, .n_signers = 1 },
		{ .n_signers = 0 },
		{ .n_signers = 2 },
		{ .n_signers = 1, .signer_expired = true },
		{ .n_signers = 1, .signer_not_yet_valid = true },
		{ .n_signers = 1, .signing_time_future = true },
	};

	for (enum vr_sub s = VR_SUB_NONE + 1; s < _VR_SUB_MAX; s++) {
		bool failed = false;

		assert_non_null(vr_sub_name(s));
		for (size_t i = 0; i < ELEMENTSOF(total_failed); i++)
			failed |= streq(total_failed[i], vr_sub_name(s));
		assert_int_equal(vr_sub_main(s), failed ? VR_TOTAL_FAILED : VR_INDETERMINATE);
	}
	assert_null(vr_sub_name(VR_SUB_NONE));
	for (int c = CADES_SUB_NONE; c < _CADES_SUB_MAX; c++)
		for (size_t f = 0; f < ELEMENTSOF(facts); f++) {
			enum vr_main m;
			enum vr_sub s;
			const char *detail;

			vr_map((enum cades_subindication)c, &facts[f], &m, &s, &detail);
			assert_int_equal(m, vr_sub_main(s));
			if (c == CADES_SUB_NONE) {
				assert_int_equal(m, VR_TOTAL_PASSED);
				assert_null(detail);
			} else {
				assert_int_not_equal(m, VR_TOTAL_PASSED);
				assert_non_null(detail);
				/* A detail is ours, never a sub-indication's name. */
				for (enum vr_sub k = VR_SUB_NONE + 1; k < _VR_SUB_MAX; k++)
					assert_false(streq(detail, vr_sub_name(k)));
			}
		}
	/* The cases issue 14 names. */
	{
		enum vr_main m;
		enum vr_sub s;
		const char *d;

		vr_map(CADES_SUB_SIGNING_CERTIFICATE_NOT_FOUND, NULL, &m, &s, &d);
		assert_int_equal(m, VR_INDETERMINATE);
		assert_int_equal(s, VR_SUB_NO_SIGNING_CERTIFICATE_FOUND);
		vr_map(CADES_SUB_DIGEST_NOT_ALLOWED, NULL, &m, &s, &d);
		assert_int_equal(m, VR_INDETERMINATE);
		assert_string_equal(d, "DIGEST_NOT_ALLOWED");
		vr_map(CADES_SUB_SIGNER_COUNT, NULL, &m, &s, &d);
		assert_string_equal(d, "NOT_ONE_SIGNER");
		vr_map(CADES_SUB_REVOKED, NULL, &m, &s, &d);
		assert_int_equal(s, VR_SUB_REVOKED_NO_POE);
	}
}

/* What the report shows for a valid signature: signer, chain, digest. */
static void test_valid_contents(void **state)
{
	struct der d = valid();
	_cleanup_free_ char *out = NULL, *xml = NULL, *n_objects = NULL;
	unsigned char md[32];
	char hex[65];
	json_t *o, *signer, *ch, *data;
	json_error_t jerr;

	assert_int_equal(fx_write_data(dir, "contents.p7s", d.p, d.n), 0);
	free(d.p);
	assert_int_equal(verify("--json", "contents.p7s", &out), 0);
	o = json_loads(out, 0, &jerr);
	assert_non_null(o);
	signer = json_object_get(o, "signer");
	assert_string_equal(jstr(signer, "tckn"), FX_TCKN);
	assert_string_equal(jstr(signer, "cn"), "AYŞE YILMAZ");
	assert_non_null(strstr(jstr(signer, "subject"), "serialNumber=" FX_TCKN));
	assert_non_null(strstr(jstr(signer, "issuer"), "Test Issuing"));
	assert_non_null(jstr(signer, "serial"));
	assert_non_null(jstr(o, "signingTime"));
	assert_non_null(jstr(o, "validationTime"));
	assert_true(json_is_true(json_object_get(o, "chainTrusted")));
	ch = json_object_get(o, "chain");
	assert_int_equal(json_array_size(ch), 3);
	assert_string_equal(jstr(json_array_get(ch, 0), "serial"), jstr(signer, "serial"));
	assert_non_null(strstr(jstr(json_array_get(ch, 1), "subject"), "Test Issuing"));
	assert_non_null(strstr(jstr(json_array_get(ch, 2), "subject"), "Test Kök"));
	assert_non_null(jstr(json_array_get(ch, 2), "notBefore"));
	assert_non_null(jstr(json_array_get(ch, 2), "notAfter"));
	data = json_object_get(o, "signedData");
	SHA256((const unsigned char *)TEXT, strlen(TEXT), md);
	hex_encode(md, sizeof(md), hex);
	assert_string_equal(jstr(data, "digestAlgorithm"), "SHA256");
	assert_string_equal(jstr(data, "digest"), hex);
	assert_int_equal(json_integer_value(json_object_get(data, "length")), strlen(TEXT));
	json_decref(o);

	/* The XML: the signer, the time, three certificates and the signed data. */
	assert_int_equal(verify("--xml", "contents.p7s", &xml), 0);
	assert_int_equal(fx_write_data(dir, "contents.xml", xml, strlen(xml)), 0);
	assert_non_null(strstr(xml, "<vr:SignerInformation"));
	assert_non_null(strstr(xml, "<vr:SigningTime Signed=\"true\">"));
	assert_non_null(strstr(xml, "urn:etsi:019102:validationprocess:Basic"));
	assert_non_null(strstr(xml, "urn:etsi:019102:constraintStatus:disabled"));
	assert_null(strstr(xml, "<vr:SubIndication>"));
	n_objects = xpath("contents.xml", "count(//*[local-name()='ValidationObject'])");
	assert_string_equal(n_objects, "4");
}

/* A saved file of two signatures (eimza sign --save): two JSON lines,
 * one XML report of two, exit 9 when one is not valid; and the text. */
static void test_two_signatures_and_text(void **state)
{
	struct der a = valid(), b = c_untrusted();
	_cleanup_free_ char *b64a = NULL, *b64b = NULL, *file = NULL, *out = NULL, *xml = NULL,
			    *count = NULL, *text = NULL;
	char *nl;

	assert_int_equal(base64_encode(a.p, a.n, &b64a), 0);
	assert_int_equal(base64_encode(b.p, b.n, &b64b), 0);
	file = strdup_printf("-----BEGIN CMS-----\n%s\n-----END CMS-----\n"
			     "-----BEGIN CMS-----\n%s\n-----END CMS-----\n", b64a, b64b);
	assert_int_equal(fx_write_data(dir, "two.txt", file, strlen(file)), 0);
	free(a.p);
	free(b.p);

	assert_int_equal(verify("--json", "two.txt", &out), 9);
	nl = strchr(out, '\n');
	assert_non_null(nl);
	assert_non_null(strstr(out, "\"indication\":\"TOTAL-PASSED\""));
	assert_non_null(strstr(nl, "\"indication\":\"INDETERMINATE\""));
	assert_non_null(strstr(nl, "\"subIndication\":\"NO_CERTIFICATE_CHAIN_FOUND\""));

	assert_int_equal(verify("--xml", "two.txt", &xml), 9);
	assert_int_equal(fx_write_data(dir, "two.xml", xml, strlen(xml)), 0);
	count = xpath("two.xml", "count(//*[local-name()='SignatureValidationReport'])");
	assert_string_equal(count, "2");

	/* For people: Turkish labels, the indication and sub-indication. */
	assert_int_equal(verify("", "two.txt", &text), 9);
	assert_non_null(strstr(text, "== İmza 1 / 2 =="));
	assert_non_null(strstr(text, "Sonuç (result):   TOTAL-PASSED\n"));
	assert_non_null(strstr(text, "T.C. Kimlik No:   " FX_TCKN));
	assert_non_null(strstr(text, "Sonuç (result):   INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND\n"));
	assert_non_null(strstr(text, "Ayrıntı (detail): NO_PATH_TO_TRUST_ANCHOR"));
	assert_non_null(strstr(text, "İptal denetimi:   yapılmadı"));

	/* --json and --xml together: a usage error. */
	free(out);
	out = NULL;
	assert_int_equal(fx_run(dir, &out, "'%s' verify --json --xml two.txt", eimza), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mapping_table),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_valid_contents),
		cmocka_unit_test(test_two_signatures_and_text),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
