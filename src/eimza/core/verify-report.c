/* verify-report.c - eimza verify's validation report: cades_verify()'s
 * internal result mapped to ETSI EN 319 102-1's indication and
 * sub-indication through one table (vr_rules), our specific reason kept
 * as the detail, and what the report shows (signer, chain, digests) as
 * JSON and text.  The XML form is in verify-xml.c. */
#include "eimza/core/verify-report.h"

#include <limits.h>
#include <stdio.h>

#include <openssl/cms.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/sha.h>
#include <openssl/x509v3.h>

#include "common/util.h"
#include "pki/ossl.h"

/* cades_verify()'s allowance for a signing-time in the future. */
#define SIGNING_TIME_SKEW 300

/* Names. */

static const char *const sub_names[_VR_SUB_MAX] = {
	[VR_SUB_FORMAT_FAILURE] = "FORMAT_FAILURE",
	[VR_SUB_HASH_FAILURE] = "HASH_FAILURE",
	[VR_SUB_SIG_CRYPTO_FAILURE] = "SIG_CRYPTO_FAILURE",
	[VR_SUB_REVOKED] = "REVOKED",
	[VR_SUB_EXPIRED] = "EXPIRED",
	[VR_SUB_NOT_YET_VALID] = "NOT_YET_VALID",
	[VR_SUB_SIG_CONSTRAINTS_FAILURE] = "SIG_CONSTRAINTS_FAILURE",
	[VR_SUB_CHAIN_CONSTRAINTS_FAILURE] = "CHAIN_CONSTRAINTS_FAILURE",
	[VR_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE] = "CERTIFICATE_CHAIN_GENERAL_FAILURE",
	[VR_SUB_CRYPTO_CONSTRAINTS_FAILURE] = "CRYPTO_CONSTRAINTS_FAILURE",
	[VR_SUB_POLICY_PROCESSING_ERROR] = "POLICY_PROCESSING_ERROR",
	[VR_SUB_SIGNATURE_POLICY_NOT_AVAILABLE] = "SIGNATURE_POLICY_NOT_AVAILABLE",
	[VR_SUB_TIMESTAMP_ORDER_FAILURE] = "TIMESTAMP_ORDER_FAILURE",
	[VR_SUB_NO_SIGNING_CERTIFICATE_FOUND] = "NO_SIGNING_CERTIFICATE_FOUND",
	[VR_SUB_NO_CERTIFICATE_CHAIN_FOUND] = "NO_CERTIFICATE_CHAIN_FOUND",
	[VR_SUB_REVOKED_NO_POE] = "REVOKED_NO_POE",
	[VR_SUB_REVOKED_CA_NO_POE] = "REVOKED_CA_NO_POE",
	[VR_SUB_OUT_OF_BOUNDS_NO_POE] = "OUT_OF_BOUNDS_NO_POE",
	[VR_SUB_OUT_OF_BOUNDS_NOT_REVOKED] = "OUT_OF_BOUNDS_NOT_REVOKED",
	[VR_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE] = "CRYPTO_CONSTRAINTS_FAILURE_NO_POE",
	[VR_SUB_NO_POE] = "NO_POE",
	[VR_SUB_TRY_LATER] = "TRY_LATER",
	[VR_SUB_SIGNED_DATA_NOT_FOUND] = "SIGNED_DATA_NOT_FOUND",
};

const char *vr_main_name(enum vr_main m)
{
	switch (m) {
	case VR_TOTAL_PASSED:
		return "TOTAL-PASSED";
	case VR_TOTAL_FAILED:
		return "TOTAL-FAILED";
	case VR_INDETERMINATE:
		return "INDETERMINATE";
	}
	return "?";
}

const char *vr_main_uri(enum vr_main m)
{
	switch (m) {
	case VR_TOTAL_PASSED:
		return "urn:etsi:019102:mainindication:total-passed";
	case VR_TOTAL_FAILED:
		return "urn:etsi:019102:mainindication:total-failed";
	case VR_INDETERMINATE:
		return "urn:etsi:019102:mainindication:indeterminate";
	}
	return "?";
}

const char *vr_sub_name(enum vr_sub s)
{
	if ((unsigned)s >= _VR_SUB_MAX)
		return NULL;
	return sub_names[s];
}

enum vr_main vr_sub_main(enum vr_sub s)
{
	switch (s) {
	case VR_SUB_NONE:
		return VR_TOTAL_PASSED;
	case VR_SUB_FORMAT_FAILURE:
	case VR_SUB_HASH_FAILURE:
	case VR_SUB_SIG_CRYPTO_FAILURE:
	case VR_SUB_REVOKED:
	case VR_SUB_EXPIRED:
	case VR_SUB_NOT_YET_VALID:
		return VR_TOTAL_FAILED;
	default:
		return VR_INDETERMINATE;
	}
}

/* The mapping table. */

enum vr_when {
	WHEN_ANY,
	WHEN_NOT_SIGNED_DATA,
	WHEN_DETACHED,
	WHEN_NO_SIGNER,
	WHEN_SIGNER_EXPIRED,
	WHEN_SIGNER_NOT_YET_VALID,
	WHEN_SIGNING_TIME_FUTURE,
};

/* First matching row wins; each internal result ends with a WHEN_ANY
 * row.  Why each row is what it is: docs/EIMZA.md, "eimza verify". */
static const struct vr_rule {
	enum cades_subindication internal;
	enum vr_when when;
	enum vr_main main;
	enum vr_sub sub;
	const char *detail;
} vr_rules[] = {
	{ CADES_SUB_NONE, WHEN_ANY, VR_TOTAL_PASSED, VR_SUB_NONE, NULL },
	{ CADES_SUB_FORMAT_FAILURE, WHEN_ANY, VR_TOTAL_FAILED, VR_SUB_FORMAT_FAILURE, "NOT_DER_CMS" },
	{ CADES_SUB_SIGNED_DATA_NOT_FOUND, WHEN_NOT_SIGNED_DATA, VR_TOTAL_FAILED, VR_SUB_FORMAT_FAILURE, "NOT_SIGNED_DATA" },
	{ CADES_SUB_SIGNED_DATA_NOT_FOUND, WHEN_DETACHED, VR_INDETERMINATE, VR_SUB_SIGNED_DATA_NOT_FOUND, "DETACHED_CONTENT_MISSING" },
	{ CADES_SUB_SIGNED_DATA_NOT_FOUND, WHEN_ANY, VR_INDETERMINATE, VR_SUB_SIG_CONSTRAINTS_FAILURE, "CONTENT_NOT_DATA" },
	{ CADES_SUB_SIGNER_COUNT, WHEN_NO_SIGNER, VR_TOTAL_FAILED, VR_SUB_FORMAT_FAILURE, "NO_SIGNER" },
	{ CADES_SUB_SIGNER_COUNT, WHEN_ANY, VR_INDETERMINATE, VR_SUB_SIG_CONSTRAINTS_FAILURE, "NOT_ONE_SIGNER" },
	{ CADES_SUB_CONTENT_TYPE_MISSING, WHEN_ANY, VR_TOTAL_FAILED, VR_SUB_FORMAT_FAILURE, "CONTENT_TYPE_MISSING" },
	{ CADES_SUB_MESSAGE_DIGEST_MISSING, WHEN_ANY, VR_TOTAL_FAILED, VR_SUB_FORMAT_FAILURE, "MESSAGE_DIGEST_MISSING" },
	{ CADES_SUB_SIGNING_TIME_MISSING, WHEN_ANY, VR_INDETERMINATE, VR_SUB_SIG_CONSTRAINTS_FAILURE, "SIGNING_TIME_MISSING" },
	{ CADES_SUB_SIGNING_CERTIFICATE_NOT_FOUND, WHEN_ANY, VR_INDETERMINATE, VR_SUB_NO_SIGNING_CERTIFICATE_FOUND, "SIGNER_CERTIFICATE_NOT_IN_SIGNATURE" },
	{ CADES_SUB_SIGNING_CERTIFICATE_V2_MISSING, WHEN_ANY, VR_INDETERMINATE, VR_SUB_NO_SIGNING_CERTIFICATE_FOUND, "SIGNING_CERTIFICATE_V2_MISSING" },
	{ CADES_SUB_SIGNING_CERTIFICATE_V2_MISMATCH, WHEN_ANY, VR_INDETERMINATE, VR_SUB_NO_SIGNING_CERTIFICATE_FOUND, "SIGNING_CERTIFICATE_V2_MISMATCH" },
	{ CADES_SUB_DIGEST_NOT_ALLOWED, WHEN_ANY, VR_INDETERMINATE, VR_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE, "DIGEST_NOT_ALLOWED" },
	{ CADES_SUB_KEY_NOT_ALLOWED, WHEN_ANY, VR_INDETERMINATE, VR_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE, "KEY_NOT_ALLOWED" },
	{ CADES_SUB_HASH_FAILURE, WHEN_ANY, VR_TOTAL_FAILED, VR_SUB_HASH_FAILURE, "CONTENT_ALTERED" },
	{ CADES_SUB_SIG_CRYPTO_FAILURE, WHEN_ANY, VR_TOTAL_FAILED, VR_SUB_SIG_CRYPTO_FAILURE, "SIGNATURE_VALUE_WRONG" },
	{ CADES_SUB_NO_CERTIFICATE_CHAIN_FOUND, WHEN_ANY, VR_INDETERMINATE, VR_SUB_NO_CERTIFICATE_CHAIN_FOUND, "NO_PATH_TO_TRUST_ANCHOR" },
	{ CADES_SUB_CHAIN_CONSTRAINTS_FAILURE, WHEN_ANY, VR_INDETERMINATE, VR_SUB_CHAIN_CONSTRAINTS_FAILURE, "CHAIN_RULE_BROKEN" },
	{ CADES_SUB_EXPIRED, WHEN_SIGNER_EXPIRED, VR_INDETERMINATE, VR_SUB_OUT_OF_BOUNDS_NO_POE, "SIGNER_CERTIFICATE_EXPIRED" },
	{ CADES_SUB_EXPIRED, WHEN_ANY, VR_INDETERMINATE, VR_SUB_OUT_OF_BOUNDS_NO_POE, "CA_CERTIFICATE_EXPIRED" },
	{ CADES_SUB_NOT_YET_VALID, WHEN_SIGNER_NOT_YET_VALID, VR_TOTAL_FAILED, VR_SUB_NOT_YET_VALID, "SIGNER_CERTIFICATE_NOT_YET_VALID" },
	{ CADES_SUB_NOT_YET_VALID, WHEN_ANY, VR_INDETERMINATE, VR_SUB_OUT_OF_BOUNDS_NO_POE, "CA_CERTIFICATE_NOT_YET_VALID" },
	{ CADES_SUB_SIGNING_TIME_OUT_OF_BOUNDS, WHEN_SIGNING_TIME_FUTURE, VR_INDETERMINATE, VR_SUB_SIG_CONSTRAINTS_FAILURE, "SIGNING_TIME_IN_FUTURE" },
	{ CADES_SUB_SIGNING_TIME_OUT_OF_BOUNDS, WHEN_ANY, VR_INDETERMINATE, VR_SUB_SIG_CONSTRAINTS_FAILURE, "SIGNING_TIME_OUTSIDE_CERTIFICATE" },
	{ CADES_SUB_NO_NON_REPUDIATION, WHEN_ANY, VR_INDETERMINATE, VR_SUB_CHAIN_CONSTRAINTS_FAILURE, "NO_NON_REPUDIATION" },
	{ CADES_SUB_NOT_QUALIFIED, WHEN_ANY, VR_INDETERMINATE, VR_SUB_CHAIN_CONSTRAINTS_FAILURE, "QC_STATEMENTS_MISSING" },
	{ CADES_SUB_POLICY_NOT_ACCEPTED, WHEN_ANY, VR_INDETERMINATE, VR_SUB_CHAIN_CONSTRAINTS_FAILURE, "CERTIFICATE_POLICY_MISSING" },
	{ CADES_SUB_REVOKED, WHEN_ANY, VR_INDETERMINATE, VR_SUB_REVOKED_NO_POE, "SIGNER_CERTIFICATE_REVOKED" },
	{ CADES_SUB_ON_HOLD, WHEN_ANY, VR_INDETERMINATE, VR_SUB_TRY_LATER, "SIGNER_CERTIFICATE_ON_HOLD" },
	{ CADES_SUB_REVOCATION_UNKNOWN, WHEN_ANY, VR_INDETERMINATE, VR_SUB_TRY_LATER, "REVOCATION_STATUS_UNKNOWN" },
};

static bool when_holds(enum vr_when w, const struct vr_facts *f)
{
	switch (w) {
	case WHEN_ANY:
		return true;
	case WHEN_NOT_SIGNED_DATA:
		return f->not_signed_data;
	case WHEN_DETACHED:
		return f->detached;
	case WHEN_NO_SIGNER:
		return f->n_signers == 0;
	case WHEN_SIGNER_EXPIRED:
		return f->signer_expired;
	case WHEN_SIGNER_NOT_YET_VALID:
		return f->signer_not_yet_valid;
	case WHEN_SIGNING_TIME_FUTURE:
		return f->signing_time_future;
	}
	return false;
}

void vr_map(enum cades_subindication internal, const struct vr_facts *f, enum vr_main *ret_main,
	    enum vr_sub *ret_sub, const char **ret_detail)
{
	static const struct vr_facts none = { .n_signers = 1 };

	for (size_t i = 0; i < ELEMENTSOF(vr_rules); i++)
		if (vr_rules[i].internal == internal && when_holds(vr_rules[i].when, f ? f : &none)) {
			*ret_main = vr_rules[i].main;
			*ret_sub = vr_rules[i].sub;
			*ret_detail = vr_rules[i].detail;
			return;
		}
	/* A result the table does not know (a newer verifier): never passed. */
	*ret_main = VR_INDETERMINATE;
	*ret_sub = VR_SUB_SIG_CONSTRAINTS_FAILURE;
	*ret_detail = cades_sub_name(internal);
}

/* Gathering. */

static char *name_line(const X509_NAME *name)
{
	_cleanup_(BIO_free_allp) BIO *b = BIO_new(BIO_s_mem());
	char *data = NULL;
	long n;

	if (!b || X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0)
		return NULL;
	n = BIO_get_mem_data(b, &data);
	return n >= 0 ? strndup(data ? data : "", (size_t)n) : NULL;
}

static void id_of(const char *prefix, const unsigned char *buf, size_t n, char ret[68])
{
	unsigned char md[32];
	char hex[65];

	SHA256(buf, n, md);
	hex_encode(md, sizeof(md), hex);
	for (char *p = hex; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	snprintf(ret, 68, "%s%s", prefix, hex);
}

static int cert_fill(struct vr_cert *c, X509 *x)
{
	unsigned char *der = NULL;
	int len;

	if (!X509_up_ref(x))
		return -ENOMEM;
	c->x509 = x;
	c->subject = name_line(X509_get_subject_name(x));
	c->issuer = name_line(X509_get_issuer_name(x));
	if (!c->subject || !c->issuer)
		return -ENOMEM;
	if (pki_serial_to_hex(X509_get0_serialNumber(x), c->serial_hex) < 0)
		snprintf(c->serial_hex, sizeof(c->serial_hex), "?");
	if (pki_asn1_time_to_unix(X509_get0_notBefore(x), &c->not_before) < 0)
		c->not_before = 0;
	if (pki_asn1_time_to_unix(X509_get0_notAfter(x), &c->not_after) < 0)
		c->not_after = 0;
	len = i2d_X509(x, &der);
	if (len <= 0)
		return -ENOMEM;
	id_of("C-", der, (size_t)len, c->id);
	OPENSSL_free(der);
	return 0;
}

/* The path from signer to an anchor in trust, through the certificates
 * of the signature; as far as it goes when there is none. */
static int chain_fill(struct vr_report *r, X509 *signer, STACK_OF(X509) *certs, X509_STORE *trust)
{
	_cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = X509_STORE_CTX_new();
	STACK_OF(X509) *chain = NULL;
	int n, res = 0;

	if (!ctx || !X509_STORE_CTX_init(ctx, trust, signer, certs))
		return -ENOMEM;
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_X509_STRICT);
	r->chain_trusted = X509_verify_cert(ctx) == 1;
	chain = X509_STORE_CTX_get1_chain(ctx);
	ERR_clear_error();
	n = chain ? sk_X509_num(chain) : 0;
	r->chain = calloc(n > 0 ? (size_t)n : 1, sizeof(*r->chain));
	if (!r->chain) {
		sk_X509_pop_free(chain, X509_free);
		return -ENOMEM;
	}
	if (n == 0) {
		r->n_chain = 1;
		res = cert_fill(&r->chain[0], signer);
	}
	for (int i = 0; i < n && res == 0; i++) {
		res = cert_fill(&r->chain[i], sk_X509_value(chain, i));
		r->n_chain = (size_t)i + 1;
	}
	sk_X509_pop_free(chain, X509_free);
	return res;
}

static const char *digest_uri(int nid)
{
	switch (nid) {
	case NID_sha1:
		return "http://www.w3.org/2000/09/xmldsig#sha1";
	case NID_sha224:
		return "http://www.w3.org/2001/04/xmldsig-more#sha224";
	case NID_sha256:
		return "http://www.w3.org/2001/04/xmlenc#sha256";
	case NID_sha384:
		return "http://www.w3.org/2001/04/xmldsig-more#sha384";
	case NID_sha512:
		return "http://www.w3.org/2001/04/xmlenc#sha512";
	case NID_sha3_256:
		return "http://www.w3.org/2007/05/xmldsig-more#sha3-256";
	case NID_sha3_384:
		return "http://www.w3.org/2007/05/xmldsig-more#sha3-384";
	case NID_sha3_512:
		return "http://www.w3.org/2007/05/xmldsig-more#sha3-512";
	case NID_md5:
		return "http://www.w3.org/2001/04/xmldsig-more#md5";
	}
	return NULL;
}

/* The signer info's digest algorithm, message-digest and signature value. */
static int signer_info_fill(struct vr_report *r, CMS_SignerInfo *si)
{
	X509_ALGOR *digalg = NULL;
	const ASN1_OBJECT *obj;
	ASN1_OCTET_STRING *sig = CMS_SignerInfo_get0_signature(si);
	int nid, i;

	CMS_SignerInfo_get0_algs(si, NULL, NULL, &digalg, NULL);
	if (digalg) {
		X509_ALGOR_get0(&obj, NULL, NULL, digalg);
		nid = OBJ_obj2nid(obj);
		r->digest_alg = nid != NID_undef ? OBJ_nid2sn(nid) : NULL;
		r->digest_uri = digest_uri(nid);
	}
	i = CMS_signed_get_attr_by_NID(si, NID_pkcs9_messageDigest, -1);
	if (i >= 0) {
		X509_ATTRIBUTE *at = CMS_signed_get_attr(si, i);
		ASN1_TYPE *t = at && X509_ATTRIBUTE_count(at) == 1 ? X509_ATTRIBUTE_get0_type(at, 0) : NULL;

		if (t && t->type == V_ASN1_OCTET_STRING) {
			int len = ASN1_STRING_length(t->value.octet_string);

			r->message_digest = malloc(len > 0 ? (size_t)len : 1);
			if (!r->message_digest)
				return -ENOMEM;
			memcpy(r->message_digest, ASN1_STRING_get0_data(t->value.octet_string), (size_t)len);
			r->message_digest_len = (size_t)len;
		}
	}
	if (sig && ASN1_STRING_length(sig) > 0) {
		r->sig_value_len = (size_t)ASN1_STRING_length(sig);
		r->sig_value = malloc(r->sig_value_len);
		if (!r->sig_value)
			return -ENOMEM;
		memcpy(r->sig_value, ASN1_STRING_get0_data(sig), r->sig_value_len);
	}
	return 0;
}

int vr_build(const unsigned char *der, size_t n, const struct cades_report *rep,
	     X509_STORE *trust, int64_t now, struct vr_report **ret)
{
	_cleanup_(CMS_ContentInfo_freep) CMS_ContentInfo *cms = NULL;
	_cleanup_(sk_X509_pop_free_allp) STACK_OF(X509) *certs = NULL;
	struct vr_facts f = { .not_signed_data = true };
	struct vr_report *r;
	const unsigned char *p = der;
	int res = 0;

	if (!rep || !trust || !ret || (!der && n > 0))
		return -EINVAL;
	r = calloc(1, sizeof(*r));
	if (!r)
		return -ENOMEM;
	r->internal = rep->sub;
	r->validation_time = now;
	r->signing_time = rep->signing_time;
	r->content_len = rep->content_len;
	r->has_content = rep->content != NULL;
	if (rep->detail && !(r->reason = strdup(rep->detail)))
		goto oom;

	if (n > 0 && n <= LONG_MAX)
		cms = d2i_CMS_ContentInfo(NULL, &p, (long)n);
	if (cms && OBJ_obj2nid(CMS_get0_type(cms)) == NID_pkcs7_signed) {
		ASN1_OCTET_STRING **pos = CMS_get0_content(cms);
		STACK_OF(CMS_SignerInfo) *sinfos = CMS_get0_SignerInfos(cms);

		f.not_signed_data = false;
		f.detached = !pos || !*pos;
		f.n_signers = sk_CMS_SignerInfo_num(sinfos);
		if (f.n_signers == 1 && signer_info_fill(r, sk_CMS_SignerInfo_value(sinfos, 0)) < 0)
			goto oom;
		certs = CMS_get1_certs(cms);
	}
	ERR_clear_error();
	if (r->sig_value)
		id_of("S-", r->sig_value, r->sig_value_len, r->id);
	else
		id_of("S-", der ? der : (const unsigned char *)"", n, r->id);

	if (rep->signer) {
		int64_t nb = 0, na = 0;

		if (pki_asn1_time_to_unix(X509_get0_notBefore(rep->signer), &nb) == 0 &&
		    pki_asn1_time_to_unix(X509_get0_notAfter(rep->signer), &na) == 0) {
			f.signer_expired = now > na;
			f.signer_not_yet_valid = now < nb;
		}
		if ((rep->signer_cn && !(r->signer_cn = strdup(rep->signer_cn))) ||
		    (rep->signer_tckn && !(r->signer_tckn = strdup(rep->signer_tckn))))
			goto oom;
		res = chain_fill(r, rep->signer, certs, trust);
		if (res < 0)
			goto fail;
	}
	f.signing_time_future = rep->signing_time > now + SIGNING_TIME_SKEW;
	vr_map(rep->sub, &f, &r->main, &r->sub, &r->detail);
	r->revocation_checked = false;
	*ret = r;
	return 0;
oom:
	res = -ENOMEM;
fail:
	vr_free(r);
	return res;
}

void vr_free(struct vr_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_chain; i++) {
		X509_free(r->chain[i].x509);
		free(r->chain[i].subject);
		free(r->chain[i].issuer);
	}
	free(r->chain);
	free(r->reason);
	free(r->signer_cn);
	free(r->signer_tckn);
	free(r->message_digest);
	free(r->sig_value);
	free(r);
}

/* Output. */

static char *hex_dup(const unsigned char *buf, size_t n)
{
	char *s = malloc(2 * n + 1);

	if (s)
		hex_encode(buf, n, s);
	return s;
}

json_t *vr_to_json(const struct vr_report *r)
{
	json_t *o = NULL, *chain = NULL, *signer = json_null(), *data = json_null();
	char vt[21], st[21], nb[21], na[21];
	_cleanup_free_ char *md = NULL;

	if (!r)
		return NULL;
	chain = json_array();
	if (!chain)
		goto fail;
	for (size_t i = 0; i < r->n_chain; i++) {
		const struct vr_cert *c = &r->chain[i];

		iso8601_utc(c->not_before, nb);
		iso8601_utc(c->not_after, na);
		if (json_array_append_new(chain, json_pack("{s:s,s:s,s:s,s:s,s:s,s:s}", "subject",
				c->subject, "issuer", c->issuer, "serial", c->serial_hex,
				"notBefore", nb, "notAfter", na, "id", c->id)) < 0)
			goto fail;
	}
	if (r->n_chain > 0) {
		json_decref(signer);
		signer = json_pack("{s:s,s:s?,s:s?,s:s,s:s}", "subject", r->chain[0].subject, "cn",
				   r->signer_cn, "tckn", r->signer_tckn, "issuer", r->chain[0].issuer,
				   "serial", r->chain[0].serial_hex);
		if (!signer)
			goto fail;
	}
	if (r->message_digest) {
		md = hex_dup(r->message_digest, r->message_digest_len);
		if (!md)
			goto fail;
		json_decref(data);
		data = json_pack("{s:s?,s:s,s:b,s:I}", "digestAlgorithm", r->digest_alg, "digest", md,
				 "contentPresent", r->has_content, "length",
				 (json_int_t)r->content_len);
		if (!data)
			goto fail;
	}
	iso8601_utc(r->validation_time, vt);
	if (r->signing_time)
		iso8601_utc(r->signing_time, st);
	o = json_pack("{s:s,s:s?,s:s?,s:s?,s:s,s:s,s:s,s:O,s:s?,s:O,s:b,s:O,s:{s:b,s:s}}",
		      "indication", vr_main_name(r->main),
		      "subIndication", vr_sub_name(r->sub),
		      "detail", r->detail,
		      "reason", r->reason,
		      "validationTime", vt,
		      "validationProcess", "Basic",
		      "signatureId", r->id,
		      "signer", signer,
		      "signingTime", r->signing_time ? st : NULL,
		      "chain", chain,
		      "chainTrusted", r->chain_trusted,
		      "signedData", data,
		      "revocation", "checked", r->revocation_checked, "note",
		      "not checked: offline validation (a disabled check)");
fail:
	json_decref(chain);
	json_decref(signer);
	json_decref(data);
	return o;
}

int vr_to_text(const struct vr_report *r, char **ret)
{
	_cleanup_free_ char *chain = strdup(""), *md = NULL;
	char t[21] = "-", vt[21];
	const char *sub = vr_sub_name(r ? r->sub : VR_SUB_NONE);
	char *s;

	if (!r || !ret)
		return -EINVAL;
	if (!chain)
		return -ENOMEM;
	for (size_t i = 0; i < r->n_chain; i++) {
		char nb[21], na[21], *next;

		iso8601_utc(r->chain[i].not_before, nb);
		iso8601_utc(r->chain[i].not_after, na);
		next = strdup_printf("%s  %zu. %s\n     seri %s, %s - %s%s\n", chain, i + 1,
				     r->chain[i].subject, r->chain[i].serial_hex, nb, na,
				     r->chain_trusted && i + 1 == r->n_chain ? " (güven çapası)" : "");
		if (!next)
			return -ENOMEM;
		free(chain);
		chain = next;
	}
	if (r->message_digest && !(md = hex_dup(r->message_digest, r->message_digest_len)))
		return -ENOMEM;
	if (r->signing_time)
		iso8601_utc(r->signing_time, t);
	iso8601_utc(r->validation_time, vt);
	s = strdup_printf("Sonuç (result):   %s%s%s\n"
			  "Ayrıntı (detail): %s%s%s\n"
			  "İmzalayan:        %s\n"
			  "T.C. Kimlik No:   %s\n"
			  "Sertifika seri:   %s\n"
			  "Yayımlayan:       %s\n"
			  "İmza zamanı:      %s\n"
			  "İçerik:           %zu bayt%s%s%s%s\n"
			  "Doğrulama zamanı: %s\n"
			  "İptal denetimi:   yapılmadı (çevrim dışı doğrulama)\n"
			  "Sertifika zinciri%s:\n%s",
			  vr_main_name(r->main), sub ? " / " : "", sub ? sub : "",
			  r->detail ? r->detail : "-", r->reason ? " - " : "",
			  r->reason ? r->reason : "",
			  r->signer_cn ? r->signer_cn : "-",
			  r->signer_tckn ? r->signer_tckn : "-",
			  r->n_chain ? r->chain[0].serial_hex : "-",
			  r->n_chain ? r->chain[0].issuer : "-", t, r->content_len,
			  md ? ", " : "", md && r->digest_alg ? r->digest_alg : "",
			  md ? " " : "", md ? md : "", vt,
			  r->n_chain == 0 ? "" : r->chain_trusted ? " (güvenilir köke kadar)"
								  : " (güvenilir köke ulaşmıyor)",
			  r->n_chain ? chain : "  -\n");
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}
