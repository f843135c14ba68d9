/* crl.c - building and signing the issuing CA's CRL (see crl.h).
 *
 * The server regenerates the CRL from the store's revocation table on a
 * timer and serves the DER at BASE/crl/issuing.crl; the back office can
 * build one by hand.  ocsp.c shares the reason names. */
#include "pki/crl.h"

#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "common/util.h"
#include "pki/ca-private.h"
#include "pki/key.h"
#include "pki/ossl.h"

static const char *const reason_names[] = {
	[PKI_REASON_UNSPECIFIED] = "unspecified",
	[PKI_REASON_KEY_COMPROMISE] = "keyCompromise",
	[PKI_REASON_CA_COMPROMISE] = "cACompromise",
	[PKI_REASON_AFFILIATION_CHANGED] = "affiliationChanged",
	[PKI_REASON_SUPERSEDED] = "superseded",
	[PKI_REASON_CESSATION_OF_OPERATION] = "cessationOfOperation",
	[PKI_REASON_CERTIFICATE_HOLD] = "certificateHold",
	[PKI_REASON_REMOVE_FROM_CRL] = "removeFromCRL",
	[PKI_REASON_PRIVILEGE_WITHDRAWN] = "privilegeWithdrawn",
	[PKI_REASON_AA_COMPROMISE] = "aACompromise",
};

const char *pki_reason_to_string(int reason)
{
	if (reason < 0 || (size_t)reason >= ELEMENTSOF(reason_names))
		return NULL;
	return reason_names[reason];
}

int pki_reason_from_string(const char *s, int *ret)
{
	if (!s || !ret)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(reason_names); i++)
		if (reason_names[i] && strcasecmp(s, reason_names[i]) == 0) {
			*ret = (int)i;
			return 0;
		}
	return -EINVAL;
}

static int crl_add_entry(X509_CRL *crl, const struct pki_revoked_entry *e)
{
	_cleanup_(X509_REVOKED_freep) X509_REVOKED *rev = NULL;
	_cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *serial = NULL;
	_cleanup_(ASN1_TIME_freep) ASN1_TIME *t = NULL;
	int r;

	if (!pki_reason_to_string(e->reason) || e->reason == PKI_REASON_REMOVE_FROM_CRL ||
	    e->revoked_at <= 0)
		return -EINVAL;
	r = pki_serial_from_hex(e->serial_hex, &serial);
	if (r < 0)
		return r;
	rev = X509_REVOKED_new();
	t = ASN1_TIME_set(NULL, (time_t)e->revoked_at);
	if (!rev || !t)
		return -ENOMEM;
	if (!X509_REVOKED_set_serialNumber(rev, serial) || !X509_REVOKED_set_revocationDate(rev, t))
		return -ENOMEM;
	/* RFC 5280 5.3.1: leave the reason out rather than say unspecified. */
	if (e->reason != PKI_REASON_UNSPECIFIED) {
		_cleanup_(ASN1_ENUMERATED_freep) ASN1_ENUMERATED *code = ASN1_ENUMERATED_new();

		if (!code || !ASN1_ENUMERATED_set(code, e->reason))
			return -ENOMEM;
		if (X509_REVOKED_add1_ext_i2d(rev, NID_crl_reason, code, 0, X509V3_ADD_APPEND) != 1)
			return -EIO;
	}
	if (e->reason == PKI_REASON_CERTIFICATE_HOLD &&
	    X509_REVOKED_add1_ext_i2d(rev, NID_hold_instruction_code,
				      OBJ_nid2obj(NID_hold_instruction_reject), 0, X509V3_ADD_APPEND) != 1)
		return -EIO;
	if (!X509_CRL_add0_revoked(crl, rev))
		return -ENOMEM;
	rev = NULL;
	return 0;
}

int pki_crl_build(struct pki_ca *ca, const struct pki_revoked_entry *entries, size_t n,
		  uint64_t crl_number, int64_t this_update, int64_t next_update, X509_CRL **ret)
{
	_cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
	_cleanup_(ASN1_TIME_freep) ASN1_TIME *tu = NULL, *nu = NULL;
	_cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *num = NULL;
	_cleanup_(AUTHORITY_KEYID_freep) AUTHORITY_KEYID *akid = NULL;
	STACK_OF(X509_REVOKED) *revs;
	int r;

	if (!ca || (!entries && n > 0) || !ret || this_update <= 0 || next_update <= this_update)
		return -EINVAL;
	crl = X509_CRL_new();
	tu = ASN1_TIME_set(NULL, (time_t)this_update);
	nu = ASN1_TIME_set(NULL, (time_t)next_update);
	num = ASN1_INTEGER_new();
	akid = AUTHORITY_KEYID_new();
	if (!crl || !tu || !nu || !num || !akid)
		return -ENOMEM;
	if (!X509_CRL_set_version(crl, X509_CRL_VERSION_2) ||
	    !X509_CRL_set_issuer_name(crl, X509_get_subject_name(ca->issuing)) ||
	    !X509_CRL_set1_lastUpdate(crl, tu) || !X509_CRL_set1_nextUpdate(crl, nu))
		return -ENOMEM;

	for (size_t i = 0; i < n; i++) {
		r = crl_add_entry(crl, &entries[i]);
		if (r < 0)
			return r;
	}
	if (!X509_CRL_sort(crl))
		return -ENOMEM;
	revs = X509_CRL_get_REVOKED(crl);
	for (int i = 1; i < sk_X509_REVOKED_num(revs); i++)
		if (ASN1_INTEGER_cmp(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revs, i - 1)),
				     X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revs, i))) == 0)
			return -EINVAL;

	/* CRL extensions: authority key identifier, CRL number. */
	akid->keyid = ASN1_OCTET_STRING_dup(X509_get0_subject_key_id(ca->issuing));
	if (!akid->keyid || !ASN1_INTEGER_set_uint64(num, crl_number))
		return -ENOMEM;
	if (X509_CRL_add1_ext_i2d(crl, NID_authority_key_identifier, akid, 0, X509V3_ADD_APPEND) != 1 ||
	    X509_CRL_add1_ext_i2d(crl, NID_crl_number, num, 0, X509V3_ADD_APPEND) != 1)
		return -EIO;
	if (X509_CRL_sign(crl, ca->issuing_key, ca->issuing_md) <= 0) {
		ERR_clear_error();
		return -EIO;
	}
	*ret = TAKE_PTR(crl);
	return 0;
}

int pki_crl_to_der(X509_CRL *crl, unsigned char **ret, size_t *ret_n)
{
	return pki_der_encode(CHECKED_I2D_OF(X509_CRL, i2d_X509_CRL), crl, ret, ret_n);
}

int pki_crl_to_pem(X509_CRL *crl, char **ret)
{
	_cleanup_(BIO_free_allp) BIO *bio = NULL;

	if (!crl || !ret)
		return -EINVAL;
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		return -ENOMEM;
	if (PEM_write_bio_X509_CRL(bio, crl) != 1)
		return -EIO;
	return pki_bio_to_string(bio, ret);
}
