/* ocsp.c - answering OCSP requests for the issuing CA (see ocsp.h).
 *
 * The hot path of the server: everything that does not depend on the
 * request (the issuing CA's name and key hashes, the signer, the digest)
 * was prepared by pki_ca_load(), so an answer costs one parse, one lookup
 * per certificate, one signature and one encoding; no file I/O.  The
 * common request (one certificate, no extension but a nonce) is answered
 * by ocsp-der.c without OpenSSL's OCSP objects; the rest here. */
#include "pki/ocsp.h"

#include <openssl/err.h>

#include "common/util.h"
#include "pki/ca-private.h"
#include "pki/crl.h"
#include "pki/key.h"
#include "pki/ocsp-der.h"
#include "pki/ossl.h"

static int encode_response(OCSP_RESPONSE *resp, unsigned char **ret_der, size_t *ret_n)
{
	return pki_der_encode(CHECKED_I2D_OF(OCSP_RESPONSE, i2d_OCSP_RESPONSE), resp, ret_der, ret_n);
}

int pki_ocsp_error_response(int status, unsigned char **ret_der, size_t *ret_n)
{
	_cleanup_(OCSP_RESPONSE_freep) OCSP_RESPONSE *resp = NULL;

	switch (status) {
	case OCSP_RESPONSE_STATUS_MALFORMEDREQUEST:
	case OCSP_RESPONSE_STATUS_INTERNALERROR:
	case OCSP_RESPONSE_STATUS_TRYLATER:
	case OCSP_RESPONSE_STATUS_SIGREQUIRED:
	case OCSP_RESPONSE_STATUS_UNAUTHORIZED:
		break;
	default:
		return -EINVAL;
	}
	if (!ret_der || !ret_n)
		return -EINVAL;
	resp = OCSP_response_create(status, NULL);
	if (!resp)
		return -ENOMEM;
	return encode_response(resp, ret_der, ret_n);
}

static bool hash_eq(const ASN1_OCTET_STRING *h, const unsigned char *want, size_t n)
{
	return h && (size_t)ASN1_STRING_length(h) == n &&
	       memcmp(ASN1_STRING_get0_data(h), want, n) == 0;
}

/* Is this CertID about a certificate of our issuing CA? */
static bool certid_is_ours(const struct pki_ca *ca, OCSP_CERTID *cid, ASN1_INTEGER **ret_serial)
{
	ASN1_OCTET_STRING *name_hash = NULL, *key_hash = NULL;
	ASN1_OBJECT *alg = NULL;

	if (!OCSP_id_get0_info(&name_hash, &alg, &key_hash, ret_serial, cid))
		return false;
	switch (OBJ_obj2nid(alg)) {
	case NID_sha1:
		return hash_eq(name_hash, ca->name_sha1, sizeof(ca->name_sha1)) &&
		       hash_eq(key_hash, ca->key_sha1, sizeof(ca->key_sha1));
	case NID_sha256:
		return hash_eq(name_hash, ca->name_sha256, sizeof(ca->name_sha256)) &&
		       hash_eq(key_hash, ca->key_sha256, sizeof(ca->key_sha256));
	default:
		return false;
	}
}

/* RFC 8954: a nonce is 1 to 32 octets; the extension value wraps it in
 * an OCTET STRING (2 bytes of header).  One nonce at most. */
static bool nonce_ok(OCSP_REQUEST *req)
{
	int idx = OCSP_REQUEST_get_ext_by_NID(req, NID_id_pkix_OCSP_Nonce, -1);
	const ASN1_OCTET_STRING *v;

	if (idx < 0)
		return true;
	if (OCSP_REQUEST_get_ext_by_NID(req, NID_id_pkix_OCSP_Nonce, idx) >= 0)
		return false;
	v = X509_EXTENSION_get_data(OCSP_REQUEST_get_ext(req, idx));
	return v && ASN1_STRING_length(v) >= 1 && ASN1_STRING_length(v) <= 32 + 2;
}

/* Whether OpenSSL reads back what it writes of req.  d2i takes some
 * encodings it cannot copy (found by tests/fuzz/fuzz-ocsp-get: a CertID
 * hashAlgorithm with a constructed end-of-contents as its parameters);
 * answering one would fail in OCSP_basic_add1_status() and be reported as
 * a failure of the machine (internalError, logged) instead of
 * malformedRequest. */
static bool round_trips(OCSP_REQUEST *req)
{
	_cleanup_(OCSP_REQUEST_freep) OCSP_REQUEST *again = NULL;
	_cleanup_openssl_free_ unsigned char *der = NULL;
	const unsigned char *p;
	int n = i2d_OCSP_REQUEST(req, &der);

	if (n <= 0)
		return false;
	p = der;
	again = d2i_OCSP_REQUEST(NULL, &p, n);
	return again && p == der + n;
}

static int add_single(struct pki_ca *ca, OCSP_BASICRESP *bs, OCSP_CERTID *cid,
		      pki_ocsp_lookup_fn lookup, void *userdata,
		      ASN1_TIME *thisupd, ASN1_TIME *nextupd, struct pki_ocsp_info *info)
{
	_cleanup_(ASN1_TIME_freep) ASN1_TIME *revtime = NULL;
	struct pki_ocsp_status st = { .status = PKI_OCSP_UNKNOWN };
	ASN1_INTEGER *serial = NULL;
	char hex[PKI_SERIAL_HEX_MAX], issuer[PKI_KEY_ID_HEX_MAX];
	int reason = OCSP_REVOKED_STATUS_NOSTATUS;
	int r;

	if (certid_is_ours(ca, cid, &serial) && pki_serial_to_hex(serial, hex) == 0) {
		r = pki_cert_key_id_hex(ca->issuing, issuer);
		if (r == 0)
			r = lookup(userdata, issuer, hex, &st);
		if (r < 0)
			return r;
		info->looked_up = true;
		memcpy(info->issuer, issuer, sizeof(issuer));
		memcpy(info->serial, hex, sizeof(hex));
		info->status = st;
	}
	switch (st.status) {
	case PKI_OCSP_GOOD:
	case PKI_OCSP_UNKNOWN:
		break;
	case PKI_OCSP_REVOKED:
		revtime = ASN1_TIME_set(NULL, (time_t)st.revoked_at);
		if (!revtime)
			return -ENOMEM;
		if (st.reason != PKI_REASON_UNSPECIFIED) {
			if (!pki_reason_to_string(st.reason) || st.reason == PKI_REASON_REMOVE_FROM_CRL)
				return -EINVAL;
			reason = st.reason;
		}
		break;
	default:
		return -EINVAL;
	}
	if (!OCSP_basic_add1_status(bs, cid, (int)st.status, reason, revtime, thisupd, nextupd))
		return -ENOMEM;
	return 0;
}

/* Signs with the delegated responder key, responder ID by key hash, the
 * responder certificate included.  The DigestSign context set up at load
 * is copied rather than set up again: that saves the algorithm fetches,
 * about a tenth of the time of an answer. */
static int sign(struct pki_ca *ca, OCSP_BASICRESP *bs)
{
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = NULL;
	int ok;

	if (ca->ocsp_sign_tmpl) {
		ctx = EVP_MD_CTX_new();
		if (!ctx)
			return -ENOMEM;
		ok = EVP_MD_CTX_copy_ex(ctx, ca->ocsp_sign_tmpl) &&
		     OCSP_basic_sign_ctx(bs, ca->ocsp, ctx, NULL, OCSP_RESPID_KEY);
	} else
		ok = OCSP_basic_sign(bs, ca->ocsp, ca->ocsp_key, ca->ocsp_md, NULL, OCSP_RESPID_KEY);
	if (!ok) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

int pki_ocsp_respond(struct pki_ca *ca, const unsigned char *req_der, size_t n,
		     pki_ocsp_lookup_fn lookup, void *userdata, int64_t now,
		     unsigned char **ret_der, size_t *ret_n)
{
	return pki_ocsp_respond_ex(ca, req_der, n, lookup, userdata, now, ret_der, ret_n, NULL);
}

int pki_ocsp_respond_ex(struct pki_ca *ca, const unsigned char *req_der, size_t n,
			pki_ocsp_lookup_fn lookup, void *userdata, int64_t now,
			unsigned char **ret_der, size_t *ret_n, struct pki_ocsp_info *ret_info)
{
	int r = pki_ocsp_fast_respond(ca, req_der, n, lookup, userdata, now, ret_der, ret_n,
				      ret_info);

	if (r != -ENOTSUP)
		return r;
	return pki_ocsp_respond_openssl(ca, req_der, n, lookup, userdata, now, ret_der, ret_n,
					ret_info);
}

int pki_ocsp_respond_openssl(struct pki_ca *ca, const unsigned char *req_der, size_t n,
			     pki_ocsp_lookup_fn lookup, void *userdata, int64_t now,
			     unsigned char **ret_der, size_t *ret_n, struct pki_ocsp_info *ret_info)
{
	struct pki_ocsp_info info = { 0 };
	_cleanup_(OCSP_REQUEST_freep) OCSP_REQUEST *req = NULL;
	_cleanup_(OCSP_BASICRESP_freep) OCSP_BASICRESP *bs = NULL;
	_cleanup_(OCSP_RESPONSE_freep) OCSP_RESPONSE *resp = NULL;
	_cleanup_(ASN1_TIME_freep) ASN1_TIME *thisupd = NULL, *nextupd = NULL;
	const unsigned char *p = req_der;
	int count, r;

	if (!ca || (!req_der && n > 0) || !lookup || !ret_der || !ret_n)
		return -EINVAL;
	if (n == 0 || n > PKI_OCSP_MAX_REQUEST)
		goto malformed;
	req = d2i_OCSP_REQUEST(NULL, &p, (long)n);
	if (!req || p != req_der + n || !round_trips(req))
		goto malformed;
	count = OCSP_request_onereq_count(req);
	if (count <= 0 || count > PKI_OCSP_MAX_SINGLE || !nonce_ok(req))
		goto malformed;

	info.nonce = OCSP_REQUEST_get_ext_by_NID(req, NID_id_pkix_OCSP_Nonce, -1) >= 0;
	bs = OCSP_BASICRESP_new();
	thisupd = ASN1_TIME_set(NULL, (time_t)now);
	nextupd = ASN1_TIME_set(NULL, (time_t)(now + ca->cfg.ocsp_validity_secs));
	if (!bs || !thisupd || !nextupd)
		return -ENOMEM;
	for (int i = 0; i < count; i++) {
		OCSP_CERTID *cid = OCSP_onereq_get0_id(OCSP_request_onereq_get0(req, i));

		struct pki_ocsp_info one = { 0 };

		r = add_single(ca, bs, cid, lookup, userdata, thisupd, nextupd, &one);
		if (count == 1 && one.looked_up) {
			info.looked_up = true;
			memcpy(info.issuer, one.issuer, sizeof(info.issuer));
			memcpy(info.serial, one.serial, sizeof(info.serial));
			info.status = one.status;
		}
		if (r < 0) {
			ERR_clear_error();
			return r;
		}
	}
	if (OCSP_copy_nonce(bs, req) <= 0) {
		ERR_clear_error();
		return -ENOMEM;
	}
	r = sign(ca, bs);
	if (r < 0)
		return r;
	resp = OCSP_response_create(OCSP_RESPONSE_STATUS_SUCCESSFUL, bs);
	if (!resp)
		return -ENOMEM;
	r = encode_response(resp, ret_der, ret_n);
	if (r == 0 && ret_info) {
		info.successful = true;
		info.singles = (unsigned)count;
		info.this_update = now;
		info.next_update = now + ca->cfg.ocsp_validity_secs;
		*ret_info = info;
	}
	return r;

malformed:
	ERR_clear_error();
	if (ret_info)
		*ret_info = (struct pki_ocsp_info){ 0 };
	return pki_ocsp_error_response(OCSP_RESPONSE_STATUS_MALFORMEDREQUEST, ret_der, ret_n);
}
