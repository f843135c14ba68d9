/* profile-lint.c - pki_profile_lint_holder(): every rule of the holder
 * profile (profile.h) re-checked on a finished certificate, without
 * trusting the code that built it (profile-issue.c lints what it signed,
 * tests lint what other tools made).  The first rule broken is named in
 * the reason, in English, for logs and the back office. */
#include "pki/profile-private.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "common/tckn.h"
#include "pki/ca-private.h"
#include "pki/ossl.h"
#include "pki/profile.h"
#include "pki/tr-upper.h"

#define DAY 86400

static bool name_is_normal(const char *s)
{
	_cleanup_free_ char *n = NULL;

	return pki_name_normalize(s, &n) == 0 && streq(n, s);
}

/* Refusals. */

int pki_refuse(char **ret_reason, const char *fmt, ...)
{
	va_list ap;

	if (ret_reason) {
		va_start(ap, fmt);
		if (vasprintf(ret_reason, fmt, ap) < 0)
			*ret_reason = NULL;
		va_end(ap);
	}
	ERR_clear_error();
	return -EACCES;
}

/* The linter. */

static bool gn_is_uri(const GENERAL_NAME *gn, const char *url)
{
	return gn && gn->type == GEN_URI && pki_asn1_string_eq(gn->d.uniformResourceIdentifier, url);
}

static int lint_time(const ASN1_TIME *t, const char *what, int64_t *ret, char **ret_reason)
{
	struct tm tm = {};
	int want;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1 || pki_asn1_time_to_unix(t, ret) < 0)
		return pki_refuse(ret_reason, "%s is not a valid time", what);
	/* RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime after. */
	want = tm.tm_year + 1900 < 2050 ? V_ASN1_UTCTIME : V_ASN1_GENERALIZEDTIME;
	if (ASN1_STRING_type(t) != want)
		return pki_refuse(ret_reason, "%s is not encoded as RFC 5280 requires", what);
	return 0;
}

static int lint_key(X509 *cert, char **ret_reason)
{
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	char group[64] = "";

	if (!pk)
		return pki_refuse(ret_reason, "the public key does not parse");
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(pk) < 2048 || EVP_PKEY_get_bits(pk) > 8192)
			return pki_refuse(ret_reason, "RSA key of %d bits: 2048 to 8192 required",
					  EVP_PKEY_get_bits(pk));
		return 0;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(pk, group, sizeof(group), NULL) != 1 ||
		    (!streq(group, "prime256v1") && !streq(group, "secp384r1")))
			return pki_refuse(ret_reason, "EC key on curve \"%s\": P-256 or P-384 required", group);
		return 0;
	default:
		return pki_refuse(ret_reason, "public key type is not RSA or EC");
	}
}

static int lint_subject(X509 *cert, char **ret_reason)
{
	static const struct {
		int nid, type;
		const char *name;
	} rules[] = {
		{ NID_countryName, V_ASN1_PRINTABLESTRING, "countryName" },
		{ NID_givenName, V_ASN1_UTF8STRING, "givenName" },
		{ NID_surname, V_ASN1_UTF8STRING, "surname" },
		{ NID_serialNumber, V_ASN1_PRINTABLESTRING, "serialNumber" },
		{ NID_commonName, V_ASN1_UTF8STRING, "commonName" },
	};
	const char *val[ELEMENTSOF(rules)] = {};
	_cleanup_free_ char *expect_cn = NULL;
	X509_NAME *subj = X509_get_subject_name(cert);
	enum tckn_error te;
	size_t chars = 0;
	int n;

	n = X509_NAME_entry_count(subj);
	if (n != (int)ELEMENTSOF(rules))
		return pki_refuse(ret_reason, "subject has %d attributes, %zu expected (C, givenName, "
				  "surname, serialNumber, CN)", n, ELEMENTSOF(rules));
	for (int i = 0; i < n; i++) {
		const X509_NAME_ENTRY *ne = X509_NAME_get_entry(subj, i);
		const ASN1_STRING *s = X509_NAME_ENTRY_get_data(ne);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne));
		size_t k;

		if (X509_NAME_ENTRY_set(ne) != i)
			return pki_refuse(ret_reason, "subject has a multi-valued RDN");
		for (k = 0; k < ELEMENTSOF(rules); k++)
			if (rules[k].nid == nid)
				break;
		if (k == ELEMENTSOF(rules))
			return pki_refuse(ret_reason, "subject has an unexpected attribute %s",
					  OBJ_nid2sn(nid));
		if (val[k])
			return pki_refuse(ret_reason, "subject has %s twice", rules[k].name);
		if (ASN1_STRING_type(s) != rules[k].type)
			return pki_refuse(ret_reason, "subject %s is not a %s", rules[k].name,
					  rules[k].type == V_ASN1_UTF8STRING ? "UTF8String" : "PrintableString");
		val[k] = (const char *)ASN1_STRING_get0_data(s);
		if (memchr(val[k], 0, (size_t)ASN1_STRING_length(s)) || val[k][ASN1_STRING_length(s)])
			return pki_refuse(ret_reason, "subject %s contains a NUL", rules[k].name);
	}
	if (!streq(val[0], "TR"))
		return pki_refuse(ret_reason, "subject countryName is not TR");
	if (!name_is_normal(val[1]))
		return pki_refuse(ret_reason, "subject givenName is empty, not upper case, badly spaced "
				  "or has characters other than letters");
	if (!name_is_normal(val[2]))
		return pki_refuse(ret_reason, "subject surname is empty, not upper case, badly spaced "
				  "or has characters other than letters");
	te = tckn_check(val[3]);
	if (te != TCKN_OK)
		return pki_refuse(ret_reason, "subject serialNumber is not a valid T.C. Kimlik No: %s",
				  tckn_error_str(te));
	expect_cn = strdup_printf("%s %s", val[1], val[2]);
	if (!expect_cn)
		return -ENOMEM;
	if (!streq(val[4], expect_cn))
		return pki_refuse(ret_reason, "subject CN is not \"givenName surname\"");
	if (tr_upper_utf8_count(val[4], &chars) < 0 || chars > PKI_NAME_MAX_CHARS)
		return pki_refuse(ret_reason, "subject CN is longer than %d characters", PKI_NAME_MAX_CHARS);
	return 0;
}

/* The extensions a holder certificate has, each exactly once. */
static const struct {
	int nid;
	bool critical;
} holder_exts[] = {
	{ NID_key_usage, true },
	{ NID_certificate_policies, false },
	{ NID_qcStatements, false },
	{ NID_crl_distribution_points, false },
	{ NID_info_access, false },
	{ NID_subject_key_identifier, false },
	{ NID_authority_key_identifier, false },
};

static int lint_ext_set(X509 *cert, char **ret_reason)
{
	bool seen[ELEMENTSOF(holder_exts)] = {};

	if (X509_get_extension_flags(cert) & EXFLAG_INVALID)
		return pki_refuse(ret_reason, "an extension is malformed or present twice");
	for (int i = 0; i < X509_get_ext_count(cert); i++) {
		X509_EXTENSION *ext = X509_get_ext(cert, i);
		int nid = OBJ_obj2nid(X509_EXTENSION_get_object(ext));
		bool crit = X509_EXTENSION_get_critical(ext) > 0;
		size_t k;

		for (k = 0; k < ELEMENTSOF(holder_exts); k++)
			if (holder_exts[k].nid == nid)
				break;
		if (k == ELEMENTSOF(holder_exts)) {
			char oid[80] = "?";

			OBJ_obj2txt(oid, sizeof(oid), X509_EXTENSION_get_object(ext), 1);
			return pki_refuse(ret_reason, "unexpected extension %s%s", oid,
					  crit ? " (critical)" : "");
		}
		if (seen[k])
			return pki_refuse(ret_reason, "extension %s present twice", OBJ_nid2ln(nid));
		seen[k] = true;
		if (crit != holder_exts[k].critical)
			return pki_refuse(ret_reason, "extension %s must %sbe critical", OBJ_nid2ln(nid),
					  holder_exts[k].critical ? "" : "not ");
	}
	for (size_t k = 0; k < ELEMENTSOF(holder_exts); k++)
		if (!seen[k])
			return pki_refuse(ret_reason, "extension %s is missing", OBJ_nid2ln(holder_exts[k].nid));
	return 0;
}

static int lint_policies(const struct pki_ca *ca, X509 *cert, char **ret_reason)
{
	_cleanup_(CERTIFICATEPOLICIES_freep) CERTIFICATEPOLICIES *pols = NULL;
	POLICYINFO *pi;
	POLICYQUALINFO *q;

	pols = X509_get_ext_d2i(cert, NID_certificate_policies, NULL, NULL);
	if (!pols || sk_POLICYINFO_num(pols) != 1)
		return pki_refuse(ret_reason, "certificatePolicies must hold exactly one policy");
	pi = sk_POLICYINFO_value(pols, 0);
	if (OBJ_cmp(pi->policyid, ca->policy) != 0)
		return pki_refuse(ret_reason, "certificate policy is not %s", ca->cfg.policy_oid);
	if (sk_POLICYQUALINFO_num(pi->qualifiers) != 1)
		return pki_refuse(ret_reason, "the policy must have exactly one qualifier (the CPS URI)");
	q = sk_POLICYQUALINFO_value(pi->qualifiers, 0);
	if (OBJ_obj2nid(q->pqualid) != NID_id_qt_cps || !pki_asn1_string_eq(q->d.cpsuri, ca->cps_url))
		return pki_refuse(ret_reason, "the policy qualifier is not the CPS URI %s", ca->cps_url);
	return 0;
}

static int lint_crldp(const struct pki_ca *ca, X509 *cert, char **ret_reason)
{
	_cleanup_(CRL_DIST_POINTS_freep) CRL_DIST_POINTS *dps = NULL;
	DIST_POINT *dp;

	dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
	if (!dps || sk_DIST_POINT_num(dps) != 1)
		return pki_refuse(ret_reason, "CRL distribution points must hold exactly one point");
	dp = sk_DIST_POINT_value(dps, 0);
	if (!dp->distpoint || dp->distpoint->type != 0 || dp->reasons || dp->CRLissuer ||
	    sk_GENERAL_NAME_num(dp->distpoint->name.fullname) != 1 ||
	    !gn_is_uri(sk_GENERAL_NAME_value(dp->distpoint->name.fullname, 0), ca->crl_url))
		return pki_refuse(ret_reason, "CRL distribution point is not %s", ca->crl_url);
	return 0;
}

static int lint_aia(const struct pki_ca *ca, X509 *cert, char **ret_reason)
{
	_cleanup_(AUTHORITY_INFO_ACCESS_freep) AUTHORITY_INFO_ACCESS *aia = NULL;
	bool ocsp = false, issuers = false;

	aia = X509_get_ext_d2i(cert, NID_info_access, NULL, NULL);
	if (!aia || sk_ACCESS_DESCRIPTION_num(aia) != 2)
		return pki_refuse(ret_reason, "authorityInfoAccess must hold OCSP and caIssuers");
	for (int i = 0; i < 2; i++) {
		ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		int nid = OBJ_obj2nid(ad->method);

		if (nid == NID_ad_OCSP && !ocsp && gn_is_uri(ad->location, ca->ocsp_url))
			ocsp = true;
		else if (nid == NID_ad_ca_issuers && !issuers && gn_is_uri(ad->location, ca->issuers_url))
			issuers = true;
	}
	if (!ocsp || !issuers)
		return pki_refuse(ret_reason, "authorityInfoAccess is not OCSP %s and caIssuers %s",
				  ca->ocsp_url, ca->issuers_url);
	return 0;
}

static int lint_key_ids(const struct pki_ca *ca, X509 *cert, char **ret_reason)
{
	const ASN1_OCTET_STRING *ski = X509_get0_subject_key_id(cert);
	const ASN1_OCTET_STRING *aki = X509_get0_authority_key_id(cert);
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!X509_pubkey_digest(cert, EVP_sha1(), md, &len) || !ski ||
	    ASN1_STRING_length(ski) != (int)len || memcmp(ASN1_STRING_get0_data(ski), md, len) != 0)
		return pki_refuse(ret_reason, "subjectKeyIdentifier is not the SHA-1 of the public key");
	if (!aki || ASN1_OCTET_STRING_cmp(aki, X509_get0_subject_key_id(ca->issuing)) != 0 ||
	    X509_get0_authority_issuer(cert) || X509_get0_authority_serial(cert))
		return pki_refuse(ret_reason, "authorityKeyIdentifier is not the issuing CA's key identifier");
	return 0;
}

static int lint_qc(const struct pki_ca *ca, X509 *cert, char **ret_reason)
{
	struct pki_qc_parsed q;

	pki_qc_parse(cert, ca->pds_url, &q);
	if (!q.present)
		return pki_refuse(ret_reason, "qcStatements does not parse");
	if (q.compliance != 1 || q.info_bad)
		return pki_refuse(ret_reason, "qcStatements: QcCompliance missing, repeated or with an info");
	if (q.sscd != 1)
		return pki_refuse(ret_reason, "qcStatements: QcSSCD missing or repeated");
	if (q.type != 1 || !q.type_esign)
		return pki_refuse(ret_reason, "qcStatements: QcType is not exactly esign");
	if (q.pds != 1 || !q.pds_ok)
		return pki_refuse(ret_reason, "qcStatements: QcPDS is not exactly (%s, en)", ca->pds_url);
	if (pki_country_is_eu(ca->cfg.country) ? q.legislation != 0 :
	    q.legislation != 1 || !streq(q.legislation_country, ca->cfg.country))
		return pki_refuse(ret_reason, "qcStatements: QcCClegislation is not exactly (%s)%s",
				  ca->cfg.country, pki_country_is_eu(ca->cfg.country) ?
				  ", which an EU country's certificate must not have" : "");
	if (q.other)
		return pki_refuse(ret_reason, "qcStatements: unexpected statement");
	return 0;
}

int pki_profile_lint_holder(const struct pki_ca *ca, X509 *cert, char **ret_reason)
{
	const ASN1_INTEGER *serial;
	char hex[PKI_SERIAL_HEX_MAX];
	int64_t nb = 0, na = 0;
	int sig_nid = 0, r;

	if (!ca || !cert)
		return -EINVAL;
	if (X509_get_version(cert) != X509_VERSION_3)
		return pki_refuse(ret_reason, "not a version 3 certificate");

	serial = X509_get0_serialNumber(cert);
	if (pki_serial_to_hex(serial, hex) < 0)
		return pki_refuse(ret_reason, "serial is negative or longer than 20 bytes");
	if (strlen(hex) < 2 * 8)
		return pki_refuse(ret_reason, "serial has fewer than 64 bits");

	/* Issued and signed by our issuing CA, with its digest. */
	if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(ca->issuing)) != 0)
		return pki_refuse(ret_reason, "issuer is not the issuing CA");
	if (!OBJ_find_sigid_by_algs(&sig_nid, EVP_MD_get_type(ca->issuing_md),
				    EVP_PKEY_get_base_id(ca->issuing_key)) ||
	    X509_get_signature_nid(cert) != sig_nid)
		return pki_refuse(ret_reason, "signature algorithm is not %s", OBJ_nid2ln(sig_nid));
	if (X509_verify(cert, X509_get0_pubkey(ca->issuing)) != 1)
		return pki_refuse(ret_reason, "signature does not verify with the issuing CA's key");

	/* Validity. */
	if ((r = lint_time(X509_get0_notBefore(cert), "notBefore", &nb, ret_reason)) < 0 ||
	    (r = lint_time(X509_get0_notAfter(cert), "notAfter", &na, ret_reason)) < 0)
		return r;
	if (na <= nb)
		return pki_refuse(ret_reason, "notAfter is not after notBefore");
	if (nb < ca->issuing_not_before || na > ca->issuing_not_after)
		return pki_refuse(ret_reason, "validity is not within the issuing CA's validity");
	if (na - nb > (int64_t)ca->cfg.holder_max_days * DAY)
		return pki_refuse(ret_reason, "valid for more than %d days", ca->cfg.holder_max_days);

	if ((r = lint_key(cert, ret_reason)) < 0 ||
	    (r = lint_subject(cert, ret_reason)) < 0 ||
	    (r = lint_ext_set(cert, ret_reason)) < 0)
		return r;
	if (X509_get_key_usage(cert) != KU_NON_REPUDIATION)
		return pki_refuse(ret_reason, "keyUsage is not exactly nonRepudiation");
	if ((r = lint_policies(ca, cert, ret_reason)) < 0 ||
	    (r = lint_qc(ca, cert, ret_reason)) < 0 ||
	    (r = lint_crldp(ca, cert, ret_reason)) < 0 ||
	    (r = lint_aia(ca, cert, ret_reason)) < 0 ||
	    (r = lint_key_ids(ca, cert, ret_reason)) < 0)
		return r;
	ERR_clear_error();
	return 0;
}

