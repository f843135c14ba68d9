/* cades.c - CAdES-BES signing and full verification over OpenSSL CMS.
 *
 * cades_sign() is what the signing application (eimza) runs with the key
 * on the holder's card; cades_verify() is what the server runs on every
 * submitted signature before it records anything.  Verification does not
 * use CMS_verify(): each check is made on its own so that a refusal names
 * exactly what was wrong (see enum cades_subindication), in a fixed order.
 *
 * The costly and stable part, building and checking the certificate path,
 * is cached by the signer certificate's SHA-256 (cades-cache.c; only
 * successful paths are kept, their time validity is checked again on every
 * call against opts->now, and the trust anchor must still be in
 * opts->trust).  The certificates inside a signature are matched by their
 * bytes against the cached ones and decoded only when new (cms-split.h).
 * The revocation status is never cached. */
#include "pki/cades.h"

#include <limits.h>
#include <stdarg.h>
#include <stdio.h>

#include <openssl/cms.h>
#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/ess.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "pki/cades-cache.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "pki/profile.h"

/* Allowed clock skew for a signing-time in the future. */
#define SIGNING_TIME_SKEW 300

/* Signing. */

int cades_sign(EVP_PKEY *key, X509 *signer, STACK_OF(X509) *chain, const void *content,
	       size_t n, unsigned char **ret_der, size_t *ret_n)
{
	const unsigned flags = CMS_BINARY | CMS_PARTIAL | CMS_NOSMIMECAP | CMS_CADES;
	_cleanup_(CMS_ContentInfo_freep) CMS_ContentInfo *cms = NULL;
	_cleanup_(BIO_free_allp) BIO *in = NULL;
	unsigned char *der = NULL;
	int len;

	if (!key || !signer || (!content && n > 0) || !ret_der || !ret_n || n > INT_MAX)
		return -EINVAL;
	if (X509_check_private_key(signer, key) != 1) {
		/* Token keys cannot always be compared; the public halves can. */
		if (EVP_PKEY_eq(X509_get0_pubkey(signer), key) != 1) {
			ERR_clear_error();
			return -EINVAL;
		}
	}
	ERR_clear_error();
	in = BIO_new_mem_buf(n > 0 ? content : "", (int)n);
	cms = CMS_sign(NULL, NULL, NULL, NULL, flags);
	if (!in || !cms)
		goto fail;
	/* CMS_CADES: ESS signing-certificate-v2 with the signer's SHA-256.
	 * CMS_final() adds content-type, signing-time and message-digest. */
	if (!CMS_add1_signer(cms, signer, key, EVP_sha256(), flags))
		goto fail;
	for (int i = 0; chain && i < sk_X509_num(chain); i++)
		if (!CMS_add1_cert(cms, sk_X509_value(chain, i)))
			goto fail;
	if (!CMS_final(cms, in, NULL, flags))
		goto fail;
	len = i2d_CMS_ContentInfo(cms, &der);
	if (len <= 0)
		goto fail;
	*ret_der = malloc((size_t)len);
	if (!*ret_der) {
		OPENSSL_free(der);
		return -ENOMEM;
	}
	memcpy(*ret_der, der, (size_t)len);
	OPENSSL_free(der);
	*ret_n = (size_t)len;
	return 0;
fail:
	ERR_clear_error();
	return -EIO;
}

/* Names. */

static const struct {
	const char *name;
	enum cades_indication ind;
} subs[_CADES_SUB_MAX] = {
	[CADES_SUB_NONE] = { "OK", CADES_TOTAL_PASSED },
	[CADES_SUB_FORMAT_FAILURE] = { "FORMAT_FAILURE", CADES_TOTAL_FAILED },
	[CADES_SUB_SIGNED_DATA_NOT_FOUND] = { "SIGNED_DATA_NOT_FOUND", CADES_TOTAL_FAILED },
	[CADES_SUB_SIGNER_COUNT] = { "NOT_ONE_SIGNER", CADES_TOTAL_FAILED },
	[CADES_SUB_CONTENT_TYPE_MISSING] = { "CONTENT_TYPE_MISSING", CADES_TOTAL_FAILED },
	[CADES_SUB_MESSAGE_DIGEST_MISSING] = { "MESSAGE_DIGEST_MISSING", CADES_TOTAL_FAILED },
	[CADES_SUB_SIGNING_TIME_MISSING] = { "SIGNING_TIME_MISSING", CADES_TOTAL_FAILED },
	[CADES_SUB_SIGNING_CERTIFICATE_NOT_FOUND] = { "NO_SIGNING_CERTIFICATE_FOUND", CADES_TOTAL_FAILED },
	[CADES_SUB_SIGNING_CERTIFICATE_V2_MISSING] = { "SIGNING_CERTIFICATE_V2_MISSING", CADES_TOTAL_FAILED },
	[CADES_SUB_SIGNING_CERTIFICATE_V2_MISMATCH] = { "SIGNING_CERTIFICATE_V2_MISMATCH", CADES_TOTAL_FAILED },
	[CADES_SUB_DIGEST_NOT_ALLOWED] = { "CRYPTO_CONSTRAINTS_FAILURE_DIGEST", CADES_TOTAL_FAILED },
	[CADES_SUB_KEY_NOT_ALLOWED] = { "CRYPTO_CONSTRAINTS_FAILURE_KEY", CADES_TOTAL_FAILED },
	[CADES_SUB_HASH_FAILURE] = { "HASH_FAILURE", CADES_TOTAL_FAILED },
	[CADES_SUB_SIG_CRYPTO_FAILURE] = { "SIG_CRYPTO_FAILURE", CADES_TOTAL_FAILED },
	[CADES_SUB_NO_CERTIFICATE_CHAIN_FOUND] = { "NO_CERTIFICATE_CHAIN_FOUND", CADES_INDETERMINATE },
	[CADES_SUB_CHAIN_CONSTRAINTS_FAILURE] = { "CHAIN_CONSTRAINTS_FAILURE", CADES_TOTAL_FAILED },
	[CADES_SUB_EXPIRED] = { "OUT_OF_BOUNDS_NO_POE", CADES_TOTAL_FAILED },
	[CADES_SUB_NOT_YET_VALID] = { "NOT_YET_VALID", CADES_TOTAL_FAILED },
	[CADES_SUB_SIGNING_TIME_OUT_OF_BOUNDS] = { "SIGNING_TIME_OUT_OF_BOUNDS", CADES_TOTAL_FAILED },
	[CADES_SUB_NO_NON_REPUDIATION] = { "NO_NON_REPUDIATION", CADES_TOTAL_FAILED },
	[CADES_SUB_NOT_QUALIFIED] = { "QC_STATEMENTS_MISSING", CADES_TOTAL_FAILED },
	[CADES_SUB_POLICY_NOT_ACCEPTED] = { "POLICY_NOT_ACCEPTED", CADES_TOTAL_FAILED },
	[CADES_SUB_REVOKED] = { "REVOKED", CADES_TOTAL_FAILED },
	[CADES_SUB_ON_HOLD] = { "REVOKED_ON_HOLD", CADES_INDETERMINATE },
	[CADES_SUB_REVOCATION_UNKNOWN] = { "TRY_LATER", CADES_INDETERMINATE },
};

const char *cades_sub_name(enum cades_subindication sub)
{
	if ((unsigned)sub >= _CADES_SUB_MAX || !subs[sub].name)
		return "?";
	return subs[sub].name;
}

const char *cades_indication_name(enum cades_indication ind)
{
	switch (ind) {
	case CADES_TOTAL_PASSED:
		return "TOTAL-PASSED";
	case CADES_TOTAL_FAILED:
		return "TOTAL-FAILED";
	case CADES_INDETERMINATE:
		return "INDETERMINATE";
	}
	return "?";
}

void cades_report_free(struct cades_report *rep)
{
	if (!rep)
		return;
	free(rep->detail);
	free(rep->signer_tckn);
	free(rep->signer_cn);
	free(rep->signer_serial_hex);
	free(rep->content);
	X509_free(rep->signer);
	free(rep);
}

/* Sets the outcome; always returns 0 (the verification itself worked). */
_printf_(3, 4) static int refuse(struct cades_report *rep, enum cades_subindication sub,
				 const char *fmt, ...)
{
	va_list ap;

	rep->sub = sub;
	rep->sub_name = cades_sub_name(sub);
	rep->indication = subs[sub].ind;
	free(rep->detail);
	rep->detail = NULL;
	va_start(ap, fmt);
	if (vasprintf(&rep->detail, fmt, ap) < 0)
		rep->detail = NULL;
	va_end(ap);
	ERR_clear_error();
	return 0;
}

/* Is anchor (still) one of the certificates in trust? */
static bool store_has(X509_STORE *trust, X509 *anchor)
{
	STACK_OF(X509_OBJECT) *objs;
	bool found = false;

	if (!X509_STORE_lock(trust))
		return false;
	objs = X509_STORE_get0_objects(trust);
	for (int i = 0; i < sk_X509_OBJECT_num(objs) && !found; i++) {
		X509 *x = X509_OBJECT_get0_X509(sk_X509_OBJECT_value(objs, i));
		found = x && X509_cmp(x, anchor) == 0;
	}
	X509_STORE_unlock(trust);
	return found;
}

/* Builds and checks the path from signer to a trust anchor, times aside
 * (they are checked against opts->now by the caller, cached or not). */
static int chain_build(struct cades_report *rep, const struct cades_verify_opts *opts,
		       X509 *signer, const unsigned char *signer_hash, STACK_OF(X509) *certs,
		       STACK_OF(X509) **ret)
{
	_cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = NULL;
	_cleanup_(sk_X509_pop_free_allp) STACK_OF(X509) *untrusted = NULL;
	unsigned char key[32];
	unsigned int klen = 0;
	STACK_OF(X509) *chain;
	int err;

	if (signer_hash)
		memcpy(key, signer_hash, 32);
	else if (!X509_digest(signer, EVP_sha256(), key, &klen) || klen != 32)
		return -ENOMEM;
	chain = cades_cache_get(key);
	if (chain) {
		if (store_has(opts->trust, sk_X509_value(chain, sk_X509_num(chain) - 1))) {
			*ret = chain;
			return 1;
		}
		sk_X509_pop_free(chain, X509_free);
	}

	ctx = X509_STORE_CTX_new();
	untrusted = sk_X509_new_null();
	if (!ctx || !untrusted)
		return -ENOMEM;
	for (int i = 0; certs && i < sk_X509_num(certs); i++)
		if (!X509_add_cert(untrusted, sk_X509_value(certs, i), X509_ADD_FLAG_UP_REF))
			return -ENOMEM;
	for (int i = 0; opts->intermediates && i < sk_X509_num(opts->intermediates); i++)
		if (!X509_add_cert(untrusted, sk_X509_value(opts->intermediates, i),
				   X509_ADD_FLAG_UP_REF))
			return -ENOMEM;
	if (!X509_STORE_CTX_init(ctx, opts->trust, signer, untrusted))
		return -ENOMEM;
	X509_STORE_CTX_set_flags(ctx, X509_V_FLAG_NO_CHECK_TIME | X509_V_FLAG_X509_STRICT);
	if (X509_verify_cert(ctx) != 1) {
		err = X509_STORE_CTX_get_error(ctx);
		switch (err) {
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
		case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
		case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
		case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
		case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
			refuse(rep, CADES_SUB_NO_CERTIFICATE_CHAIN_FOUND, "%s",
			       X509_verify_cert_error_string(err));
			return 0;
		default:
			refuse(rep, CADES_SUB_CHAIN_CONSTRAINTS_FAILURE, "depth %d: %s",
			       X509_STORE_CTX_get_error_depth(ctx),
			       X509_verify_cert_error_string(err));
			return 0;
		}
	}
	chain = X509_STORE_CTX_get1_chain(ctx);
	if (!chain)
		return -ENOMEM;
	cades_cache_put(key, chain);
	*ret = chain;
	return 1;
}

/* Verification. */

/* The single-valued signed attribute nid, present exactly once. */
static ASN1_TYPE *signed_attr(CMS_SignerInfo *si, int nid)
{
	X509_ATTRIBUTE *at;
	int i = CMS_signed_get_attr_by_NID(si, nid, -1);

	if (i < 0 || CMS_signed_get_attr_by_NID(si, nid, i) >= 0)
		return NULL;
	at = CMS_signed_get_attr(si, i);
	if (!at || X509_ATTRIBUTE_count(at) != 1)
		return NULL;
	return X509_ATTRIBUTE_get0_type(at, 0);
}

static bool digest_allowed(int nid)
{
	return nid == NID_sha256 || nid == NID_sha384 || nid == NID_sha512 ||
	       nid == NID_sha3_256 || nid == NID_sha3_384 || nid == NID_sha3_512;
}

/* The digest behind a signature algorithm (sha1WithRSAEncryption ->
 * sha1); NID_undef for plain key algorithms (rsaEncryption). */
static int sigalg_digest(const X509_ALGOR *alg)
{
	const ASN1_OBJECT *obj;
	int md = NID_undef, pk = NID_undef;

	X509_ALGOR_get0(&obj, NULL, NULL, alg);
	if (!OBJ_find_sigid_algs(OBJ_obj2nid(obj), &md, &pk))
		return NID_undef;
	return md;
}

static int check_key(struct cades_report *rep, const struct cades_verify_opts *opts,
		     EVP_PKEY *pk)
{
	static const int def_curves[] = { NID_X9_62_prime256v1, NID_secp384r1, NID_secp521r1 };
	const int *curves = opts->ec_curves ? opts->ec_curves : def_curves;
	size_t n_curves = opts->ec_curves ? opts->n_ec_curves : ELEMENTSOF(def_curves);
	int min_bits = opts->min_rsa_bits > 0 ? opts->min_rsa_bits : 2048;
	char group[64];
	int nid;

	if (!pk)
		return refuse(rep, CADES_SUB_KEY_NOT_ALLOWED, "no public key"), 1;
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
	case EVP_PKEY_RSA_PSS:
		if (EVP_PKEY_get_bits(pk) < min_bits)
			return refuse(rep, CADES_SUB_KEY_NOT_ALLOWED, "RSA key of %d bits (minimum %d)",
				      EVP_PKEY_get_bits(pk), min_bits), 1;
		return 0;
	case EVP_PKEY_EC:
		if (!EVP_PKEY_get_utf8_string_param(pk, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof(group), NULL))
			return refuse(rep, CADES_SUB_KEY_NOT_ALLOWED, "EC key without a named curve"), 1;
		nid = OBJ_txt2nid(group);
		if (nid == NID_undef)
			nid = EC_curve_nist2nid(group);
		for (size_t i = 0; i < n_curves; i++)
			if (curves[i] == nid)
				return 0;
		return refuse(rep, CADES_SUB_KEY_NOT_ALLOWED, "EC curve %s not allowed", group), 1;
	default:
		return refuse(rep, CADES_SUB_KEY_NOT_ALLOWED, "key type %s not allowed",
			      OBJ_nid2sn(EVP_PKEY_get_base_id(pk))), 1;
	}
}

static bool has_policy(X509 *cert, const char *oid)
{
	_cleanup_(CERTIFICATEPOLICIES_freep) CERTIFICATEPOLICIES *pols = NULL;
	_cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *want = OBJ_txt2obj(oid, 1);

	if (!want)
		return false;
	pols = X509_get_ext_d2i(cert, NID_certificate_policies, NULL, NULL);
	for (int i = 0; pols && i < sk_POLICYINFO_num(pols); i++)
		if (OBJ_cmp(sk_POLICYINFO_value(pols, i)->policyid, want) == 0)
			return true;
	return false;
}

static char *name_entry(X509 *cert, int nid)
{
	X509_NAME *name = X509_get_subject_name(cert);
	int i = X509_NAME_get_index_by_NID(name, nid, -1);
	unsigned char *utf8 = NULL;
	char *s;
	int n;

	if (i < 0)
		return NULL;
	n = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
	if (n < 0)
		return NULL;
	s = strndup((char *)utf8, (size_t)n);
	OPENSSL_free(utf8);
	return s;
}

static int signer_info(struct cades_report *rep, X509 *signer)
{
	char serial[PKI_SERIAL_HEX_MAX];

	if (!X509_up_ref(signer))
		return -ENOMEM;
	rep->signer = signer;
	rep->signer_tckn = name_entry(signer, NID_serialNumber);
	rep->signer_cn = name_entry(signer, NID_commonName);
	if (pki_serial_to_hex(X509_get0_serialNumber(signer), serial) == 0)
		rep->signer_serial_hex = strdup(serial);
	return 0;
}

/* The signature checks proper; 0 with rep filled, or -errno. */
static int verify(const unsigned char *der, size_t n, const struct cades_verify_opts *opts,
		  struct cades_report *rep)
{
	_cleanup_(CMS_ContentInfo_freep) CMS_ContentInfo *cms = NULL;
	_cleanup_(sk_X509_pop_free_allp) STACK_OF(X509) *certs = NULL, *chain = NULL;
	_cleanup_free_ unsigned char *rest = NULL;
	struct pki_der_span spans[PKI_CMS_MAX_CERTS];
	unsigned char hashes[PKI_CMS_MAX_CERTS][32];
	const unsigned char *signer_hash = NULL;
	size_t n_spans = 0, rest_n = 0;
	bool split = false, bad = false;
	STACK_OF(CMS_SignerInfo) *sinfos;
	CMS_SignerInfo *si;
	ASN1_OCTET_STRING **pos, *content;
	ASN1_TYPE *ct, *md, *st;
	X509_ALGOR *digalg = NULL, *sigalg = NULL;
	X509 *signer = NULL, *issuer;
	const EVP_MD *evp_md;
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	const unsigned char *p = der;
	int64_t now = opts->now ? opts->now : now_sec(), nb, na;
	int mdnid, r, state;

	/* 1. Format and structure. */
	if (n == 0 || n > LONG_MAX)
		return refuse(rep, CADES_SUB_FORMAT_FAILURE, "empty or oversized input");
	/* Without its certificates when it has the usual shape: they are
	 * matched by their bytes below, and decoded only when new. */
	r = pki_cms_split_certs(der, n, &rest, &rest_n, spans, &n_spans);
	if (r == -ENOMEM)
		return r;
	if (r == 0) {
		p = rest;
		cms = d2i_CMS_ContentInfo(NULL, &p, (long)rest_n);
		split = cms && p == rest + rest_n;
		if (split) {
			r = cades_certs_of(spans, n_spans, &certs, hashes, &bad);
			if (r < 0)
				return r;
			if (bad)
				return refuse(rep, CADES_SUB_FORMAT_FAILURE,
					      "a certificate in the CMS does not decode");
		} else {
			CMS_ContentInfo_free(cms);
			cms = NULL;
			ERR_clear_error();
		}
	}
	if (!split) {
		p = der;
		cms = d2i_CMS_ContentInfo(NULL, &p, (long)n);
		if (!cms)
			return refuse(rep, CADES_SUB_FORMAT_FAILURE, "not a DER CMS ContentInfo");
		if (p != der + n)
			return refuse(rep, CADES_SUB_FORMAT_FAILURE, "%zu bytes after the CMS",
				      n - (size_t)(p - der));
	}
	if (OBJ_obj2nid(CMS_get0_type(cms)) != NID_pkcs7_signed)
		return refuse(rep, CADES_SUB_SIGNED_DATA_NOT_FOUND, "content type %s, not SignedData",
			      OBJ_nid2sn(OBJ_obj2nid(CMS_get0_type(cms))));
	pos = CMS_get0_content(cms);
	if (!pos || !*pos)
		return refuse(rep, CADES_SUB_SIGNED_DATA_NOT_FOUND, "detached signature: no content");
	content = *pos;
	if (OBJ_obj2nid(CMS_get0_eContentType(cms)) != NID_pkcs7_data)
		return refuse(rep, CADES_SUB_SIGNED_DATA_NOT_FOUND, "encapsulated content is not id-data");
	rep->content_len = (size_t)ASN1_STRING_length(content);
	rep->content = malloc(rep->content_len + 1);
	if (!rep->content)
		return -ENOMEM;
	memcpy(rep->content, ASN1_STRING_get0_data(content), rep->content_len);
	rep->content[rep->content_len] = '\0';

	sinfos = CMS_get0_SignerInfos(cms);
	if (sk_CMS_SignerInfo_num(sinfos) != 1)
		return refuse(rep, CADES_SUB_SIGNER_COUNT, "%d signers",
			      sk_CMS_SignerInfo_num(sinfos));
	si = sk_CMS_SignerInfo_value(sinfos, 0);

	/* 2. Signed attributes. */
	ct = signed_attr(si, NID_pkcs9_contentType);
	if (!ct || ct->type != V_ASN1_OBJECT ||
	    OBJ_cmp(ct->value.object, CMS_get0_eContentType(cms)) != 0)
		return refuse(rep, CADES_SUB_CONTENT_TYPE_MISSING,
			      "content-type signed attribute missing or wrong");
	md = signed_attr(si, NID_pkcs9_messageDigest);
	if (!md || md->type != V_ASN1_OCTET_STRING)
		return refuse(rep, CADES_SUB_MESSAGE_DIGEST_MISSING,
			      "message-digest signed attribute missing");
	st = signed_attr(si, NID_pkcs9_signingTime);
	if (!st || (st->type != V_ASN1_UTCTIME && st->type != V_ASN1_GENERALIZEDTIME) ||
	    pki_asn1_time_to_unix((ASN1_TIME *)st->value.asn1_string, &rep->signing_time) < 0)
		return refuse(rep, CADES_SUB_SIGNING_TIME_MISSING,
			      "signing-time signed attribute missing or malformed");

	/* 3. The signer's certificate and the reference to it. */
	if (!split)
		certs = CMS_get1_certs(cms);
	for (int i = 0; certs && i < sk_X509_num(certs) && !signer; i++)
		if (CMS_SignerInfo_cert_cmp(si, sk_X509_value(certs, i)) == 0) {
			signer = sk_X509_value(certs, i);
			signer_hash = split ? hashes[i] : NULL;
		}
	ERR_clear_error();
	if (!signer)
		return refuse(rep, CADES_SUB_SIGNING_CERTIFICATE_NOT_FOUND,
			      "the signer's certificate is not in the signature");
	r = signer_info(rep, signer);
	if (r < 0)
		return r;
	{
		ASN1_STRING *seq = CMS_signed_get0_data_by_OBJ(
			si, OBJ_nid2obj(NID_id_smime_aa_signingCertificateV2), -3, V_ASN1_SEQUENCE);
		_cleanup_(sk_X509_freep) STACK_OF(X509) *one = sk_X509_new_null();
		ESS_SIGNING_CERT_V2 *ss;
		const unsigned char *q;

		if (!seq)
			return refuse(rep, CADES_SUB_SIGNING_CERTIFICATE_V2_MISSING,
				      "no signing-certificate-v2 signed attribute");
		q = ASN1_STRING_get0_data(seq);
		ss = d2i_ESS_SIGNING_CERT_V2(NULL, &q, ASN1_STRING_length(seq));
		if (!ss)
			return refuse(rep, CADES_SUB_SIGNING_CERTIFICATE_V2_MISSING,
				      "malformed signing-certificate-v2");
		if (!one || !sk_X509_push(one, signer)) {
			ESS_SIGNING_CERT_V2_free(ss);
			return -ENOMEM;
		}
		r = OSSL_ESS_check_signing_certs(NULL, ss, one, 1);
		ESS_SIGNING_CERT_V2_free(ss);
		if (r != 1)
			return refuse(rep, CADES_SUB_SIGNING_CERTIFICATE_V2_MISMATCH,
				      "signing-certificate-v2 does not name the signer's certificate");
	}

	/* 4. Algorithms and key. */
	CMS_SignerInfo_get0_algs(si, NULL, NULL, &digalg, &sigalg);
	{
		const ASN1_OBJECT *obj;
		int signid;

		X509_ALGOR_get0(&obj, NULL, NULL, digalg);
		mdnid = OBJ_obj2nid(obj);
		if (!digest_allowed(mdnid))
			return refuse(rep, CADES_SUB_DIGEST_NOT_ALLOWED, "digest %s not allowed",
				      OBJ_nid2sn(mdnid));
		signid = sigalg_digest(sigalg);
		if (signid != NID_undef && signid != mdnid)
			return refuse(rep, CADES_SUB_DIGEST_NOT_ALLOWED,
				      "signature algorithm digest %s differs from %s",
				      OBJ_nid2sn(signid), OBJ_nid2sn(mdnid));
		signid = X509_get_signature_nid(signer);
		if (OBJ_find_sigid_algs(signid, &signid, NULL) && signid != NID_undef &&
		    !digest_allowed(signid))
			return refuse(rep, CADES_SUB_DIGEST_NOT_ALLOWED,
				      "certificate signed with %s", OBJ_nid2sn(signid));
	}
	if (check_key(rep, opts, X509_get0_pubkey(signer)))
		return 0;

	/* 5. The content against message-digest, then the signature. */
	evp_md = EVP_get_digestbynid(mdnid);
	if (!evp_md || !EVP_Digest(ASN1_STRING_get0_data(content), rep->content_len, digest, &dlen,
				   evp_md, NULL))
		return refuse(rep, CADES_SUB_DIGEST_NOT_ALLOWED, "digest %s unavailable",
			      OBJ_nid2sn(mdnid));
	if ((unsigned)ASN1_STRING_length(md->value.octet_string) != dlen ||
	    memcmp(ASN1_STRING_get0_data(md->value.octet_string), digest, dlen) != 0)
		return refuse(rep, CADES_SUB_HASH_FAILURE,
			      "the content does not match message-digest: altered");
	CMS_SignerInfo_set1_signer_cert(si, signer);
	if (CMS_SignerInfo_verify(si) != 1)
		return refuse(rep, CADES_SUB_SIG_CRYPTO_FAILURE,
			      "the signature over the signed attributes is wrong");

	/* 6. Certificate path (cached), then times. */
	r = chain_build(rep, opts, signer, signer_hash, certs, &chain);
	if (r <= 0)
		return r;
	for (int i = 0; i < sk_X509_num(chain); i++) {
		X509 *x = sk_X509_value(chain, i);
		const char *what = i == 0 ? "signer" : "CA";

		if (pki_asn1_time_to_unix(X509_get0_notBefore(x), &nb) < 0 ||
		    pki_asn1_time_to_unix(X509_get0_notAfter(x), &na) < 0)
			return refuse(rep, CADES_SUB_CHAIN_CONSTRAINTS_FAILURE,
				      "bad validity in chain certificate %d", i);
		if (now > na)
			return refuse(rep, CADES_SUB_EXPIRED, "%s certificate (depth %d) expired",
				      what, i);
		if (now < nb)
			return refuse(rep, CADES_SUB_NOT_YET_VALID,
				      "%s certificate (depth %d) not yet valid", what, i);
		if (i == 0 && (rep->signing_time < nb || rep->signing_time > na))
			return refuse(rep, CADES_SUB_SIGNING_TIME_OUT_OF_BOUNDS,
				      "signing-time outside the signer certificate's validity");
	}
	if (rep->signing_time > now + SIGNING_TIME_SKEW)
		return refuse(rep, CADES_SUB_SIGNING_TIME_OUT_OF_BOUNDS, "signing-time in the future");

	/* 7. Profile: nonRepudiation, qualified, policy. */
	if (!pki_cert_has_nonrepudiation(signer))
		return refuse(rep, CADES_SUB_NO_NON_REPUDIATION,
			      "keyUsage lacks nonRepudiation (contentCommitment)");
	if (!opts->allow_unqualified && !pki_cert_has_qc_statements(signer))
		return refuse(rep, CADES_SUB_NOT_QUALIFIED,
			      "no QC statements (QcCompliance, QcSSCD, QcType esign)");
	if (opts->required_policy && !has_policy(signer, opts->required_policy))
		return refuse(rep, CADES_SUB_POLICY_NOT_ACCEPTED, "policy %s absent",
			      opts->required_policy);

	/* 8. Revocation, asked every time. */
	issuer = sk_X509_num(chain) > 1 ? sk_X509_value(chain, 1) : signer;
	if (opts->status) {
		state = CADES_STATUS_UNKNOWN;
		r = opts->status(opts->userdata, signer, issuer, &state);
		if (r < 0)
			return r;
		switch (state) {
		case CADES_STATUS_GOOD:
			break;
		case CADES_STATUS_REVOKED:
			return refuse(rep, CADES_SUB_REVOKED, "the signer's certificate is revoked");
		case CADES_STATUS_ON_HOLD:
			return refuse(rep, CADES_SUB_ON_HOLD, "the signer's certificate is on hold");
		default:
			return refuse(rep, CADES_SUB_REVOCATION_UNKNOWN,
				      "the signer's certificate status is unknown");
		}
	} else if (!opts->no_revocation_check)
		return refuse(rep, CADES_SUB_REVOCATION_UNKNOWN, "no revocation source");

	rep->indication = CADES_TOTAL_PASSED;
	rep->sub = CADES_SUB_NONE;
	rep->sub_name = cades_sub_name(CADES_SUB_NONE);
	return 0;
}

int cades_verify(const unsigned char *der, size_t n, const struct cades_verify_opts *opts,
		 struct cades_report **ret)
{
	struct cades_report *rep;
	int r;

	if ((!der && n > 0) || !opts || !opts->trust || !ret)
		return -EINVAL;
	rep = calloc(1, sizeof(*rep));
	if (!rep)
		return -ENOMEM;
	rep->indication = CADES_TOTAL_FAILED;
	rep->sub = CADES_SUB_FORMAT_FAILURE;
	rep->sub_name = cades_sub_name(rep->sub);
	r = verify(der, n, opts, rep);
	ERR_clear_error();
	if (r < 0) {
		cades_report_free(rep);
		return r;
	}
	*ret = rep;
	return 0;
}

/* Reports. */

json_t *cades_report_to_json(const struct cades_report *rep)
{
	json_t *o, *signer = NULL;
	char t[21];

	if (!rep)
		return NULL;
	if (rep->signer) {
		signer = json_pack("{s:s?,s:s?,s:s?}", "tckn", rep->signer_tckn, "cn", rep->signer_cn,
				   "serial", rep->signer_serial_hex);
		if (!signer)
			return NULL;
	}
	if (rep->signing_time)
		iso8601_utc(rep->signing_time, t);
	o = json_pack("{s:s,s:s,s:s?,s:o?,s:s?,s:I}", "indication",
		      cades_indication_name(rep->indication), "sub_indication", rep->sub_name,
		      "detail", rep->detail, "signer", signer, "signing_time",
		      rep->signing_time ? t : NULL, "content_length", (json_int_t)rep->content_len);
	return o;
}

int cades_report_to_text(const struct cades_report *rep, char **ret)
{
	char t[21] = "-";
	char *s;

	if (!rep || !ret)
		return -EINVAL;
	if (rep->signing_time)
		iso8601_utc(rep->signing_time, t);
	s = strdup_printf("Sonuç (result):   %s\n"
			  "Ayrıntı (reason): %s%s%s\n"
			  "İmzalayan:        %s\n"
			  "T.C. Kimlik No:   %s\n"
			  "Sertifika seri:   %s\n"
			  "İmza zamanı:      %s\n"
			  "İçerik:           %zu bayt\n",
			  cades_indication_name(rep->indication), rep->sub_name,
			  rep->detail ? " - " : "", rep->detail ? rep->detail : "",
			  rep->signer_cn ? rep->signer_cn : "-",
			  rep->signer_tckn ? rep->signer_tckn : "-",
			  rep->signer_serial_hex ? rep->signer_serial_hex : "-", t,
			  rep->content_len);
	if (!s)
		return -ENOMEM;
	*ret = s;
	return 0;
}
