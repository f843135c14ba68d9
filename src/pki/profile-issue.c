/* profile-issue.c - issuing holder certificates of the qualified profile
 * (profile.h) and reading their holder fields back.
 *
 * The server's issuance path and the back office call
 * pki_cert_issue_holder(): the request is checked (T.C. Kimlik No, names
 * upper-cased the Turkish way by tr-upper.c, validity), the certificate
 * built with the CA's URLs and policy and signed, then linted by
 * profile-lint.c; one that fails is never handed out. */
#include "pki/profile-private.h"

#include <openssl/err.h>
#include <openssl/objects.h>

#include "common/tckn.h"
#include "pki/ca-private.h"
#include "pki/ossl.h"
#include "pki/profile.h"
#include "pki/tr-upper.h"

static int holder_subject(const char *tckn, const char *given, const char *surname,
			  const char *cn, X509_NAME **ret)
{
	_cleanup_(X509_NAME_freep) X509_NAME *n = X509_NAME_new();
	int r;

	if (!n)
		return -ENOMEM;
	if ((r = pki_name_add(n, NID_countryName, V_ASN1_PRINTABLESTRING, "TR")) < 0 ||
	    (r = pki_name_add(n, NID_givenName, V_ASN1_UTF8STRING, given)) < 0 ||
	    (r = pki_name_add(n, NID_surname, V_ASN1_UTF8STRING, surname)) < 0 ||
	    (r = pki_name_add(n, NID_serialNumber, V_ASN1_PRINTABLESTRING, tckn)) < 0 ||
	    (r = pki_name_add(n, NID_commonName, V_ASN1_UTF8STRING, cn)) < 0)
		return r;
	*ret = TAKE_PTR(n);
	return 0;
}

/* One part of the holder's name, normalised (upper-cased the Turkish
 * way); a refusal names the part as what. */
static int name_part(const char *in, const char *what, char **ret, char **ret_reason)
{
	int r = pki_name_normalize(in ? in : "", ret);

	if (r == -EINVAL)
		return pki_refuse(ret_reason, "%s is empty, longer than %d characters or has "
				  "characters other than letters, space, - ' .", what,
				  PKI_NAME_MAX_CHARS);
	return r;
}

int pki_cert_issue_holder(struct pki_ca *ca, EVP_PKEY *holder_pubkey,
			  const struct pki_holder_req *req, X509 **ret, char **ret_reason)
{
	_cleanup_free_ char *given = NULL, *surname = NULL, *cn = NULL, *crldp = NULL, *aia = NULL;
	_cleanup_(X509_NAME_freep) X509_NAME *subject = NULL;
	_cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *serial = NULL;
	_cleanup_(X509_freep) X509 *x = NULL;
	enum tckn_error te;
	size_t chars = 0;
	int r;

	if (!ca || !holder_pubkey || !req || !ret)
		return -EINVAL;
	te = tckn_check(req->tckn);
	if (te != TCKN_OK)
		return pki_refuse(ret_reason, "T.C. Kimlik No is not valid: %s", tckn_error_str(te));
	r = name_part(req->given_name, "given name", &given, ret_reason);
	if (r < 0)
		return r;
	r = name_part(req->surname, "surname", &surname, ret_reason);
	if (r < 0)
		return r;
	cn = strdup_printf("%s %s", given, surname);
	if (!cn)
		return -ENOMEM;
	if (tr_upper_utf8_count(cn, &chars) < 0 || chars > PKI_NAME_MAX_CHARS)
		return pki_refuse(ret_reason, "given name and surname together are longer than "
				  "%d characters", PKI_NAME_MAX_CHARS);
	if (req->not_before <= 0 || req->not_after <= req->not_before)
		return pki_refuse(ret_reason, "validity period is empty or negative");

	crldp = strdup_printf("URI:%s", ca->crl_url);
	aia = strdup_printf("OCSP;URI:%s,caIssuers;URI:%s", ca->ocsp_url, ca->issuers_url);
	if (!crldp || !aia)
		return -ENOMEM;
	r = holder_subject(req->tckn, given, surname, cn, &subject);
	if (r < 0)
		return r;
	r = pki_serial_random(&serial);
	if (r < 0)
		return r;
	x = X509_new();
	if (!x)
		return -ENOMEM;
	if (!X509_set_version(x, X509_VERSION_3) || !X509_set_serialNumber(x, serial) ||
	    !X509_set_subject_name(x, subject) ||
	    !X509_set_issuer_name(x, X509_get_subject_name(ca->issuing)) ||
	    !X509_set_pubkey(x, holder_pubkey))
		return pki_refuse(ret_reason, "the public key cannot be used");
	if ((r = pki_cert_set_validity(x, req->not_before, req->not_after)) < 0 ||
	    (r = pki_cert_add_conf_ext(x, ca->issuing, NID_key_usage, "critical,nonRepudiation")) < 0 ||
	    (r = pki_cert_add_policy(x, ca->policy, ca->cps_url)) < 0 ||
	    (r = pki_qc_statements_add(x, ca->pds_url, ca->cfg.country)) < 0 ||
	    (r = pki_cert_add_conf_ext(x, ca->issuing, NID_crl_distribution_points, crldp)) < 0 ||
	    (r = pki_cert_add_conf_ext(x, ca->issuing, NID_info_access, aia)) < 0 ||
	    (r = pki_cert_add_conf_ext(x, ca->issuing, NID_subject_key_identifier, "hash")) < 0 ||
	    (r = pki_cert_add_conf_ext(x, ca->issuing, NID_authority_key_identifier, "keyid:always")) < 0) {
		ERR_clear_error();
		return r;
	}
	if (X509_sign(x, ca->issuing_key, ca->issuing_md) <= 0) {
		ERR_clear_error();
		return -EIO;
	}
	/* Lint what was signed; a certificate that fails is dropped here. */
	r = pki_profile_lint_holder(ca, x, ret_reason);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(x);
	return 0;
}

/* Reading a holder certificate. */

static int name_field(X509_NAME *subj, int nid, char *buf, size_t size, bool required)
{
	_cleanup_openssl_free_ unsigned char *utf8 = NULL;
	const X509_NAME_ENTRY *ne;
	int idx, len;

	buf[0] = '\0';
	idx = X509_NAME_get_index_by_NID(subj, nid, -1);
	if (idx < 0)
		return required ? -EBADMSG : 0;
	ne = X509_NAME_get_entry(subj, idx);
	len = ASN1_STRING_to_UTF8(&utf8, X509_NAME_ENTRY_get_data(ne));
	if (len < 0) {
		ERR_clear_error();
		return -EBADMSG;
	}
	if ((size_t)len >= size || memchr(utf8, 0, (size_t)len))
		return -EBADMSG;
	memcpy(buf, utf8, (size_t)len);
	buf[len] = '\0';
	return 0;
}

int pki_cert_holder_info(X509 *cert, struct pki_holder_info *ret)
{
	struct pki_holder_info info = {};
	X509_NAME *subj;
	int r;

	if (!cert || !ret)
		return -EINVAL;
	subj = X509_get_subject_name(cert);
	if ((r = name_field(subj, NID_serialNumber, info.tckn, sizeof(info.tckn), true)) < 0 ||
	    (r = name_field(subj, NID_commonName, info.common_name, sizeof(info.common_name), true)) < 0 ||
	    (r = name_field(subj, NID_givenName, info.given_name, sizeof(info.given_name), false)) < 0 ||
	    (r = name_field(subj, NID_surname, info.surname, sizeof(info.surname), false)) < 0)
		return r;
	if (pki_cert_serial_hex(cert, info.serial_hex) < 0 ||
	    pki_asn1_time_to_unix(X509_get0_notBefore(cert), &info.not_before) < 0 ||
	    pki_asn1_time_to_unix(X509_get0_notAfter(cert), &info.not_after) < 0)
		return -EBADMSG;
	*ret = info;
	return 0;
}
