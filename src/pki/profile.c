/* profile.c - issuing holder certificates and linting them (see profile.h).
 *
 * The server's issuance path and the back office call
 * pki_cert_issue_holder(); the verifier in cades.c asks
 * pki_cert_has_qc_statements() and pki_cert_has_nonrepudiation() about a
 * signer.  The QCStatements extension (ETSI EN 319 412-5) has no OpenSSL
 * type, so it is described here with OpenSSL's ASN.1 templates and both
 * encoded and parsed through them. */
#include "pki/profile.h"

#include <stdarg.h>
#include <stdio.h>
#include <time.h>

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "common/tckn.h"
#include "common/util.h"
#include "pki/ca-private.h"
#include "pki/ossl.h"

#define DAY 86400

/* QCStatements ::= SEQUENCE OF QCStatement
 * QCStatement ::= SEQUENCE { statementId OBJECT IDENTIFIER,
 *                            statementInfo ANY DEFINED BY statementId OPTIONAL }
 * QcType ::= SEQUENCE OF OBJECT IDENTIFIER
 * PdsLocations ::= SEQUENCE SIZE (1..MAX) OF PdsLocation
 * PdsLocation ::= SEQUENCE { url IA5String, language PrintableString (SIZE(2)) } */
typedef struct {
	ASN1_OBJECT *id;
	ASN1_TYPE *info;
} QC_STATEMENT;
DEFINE_STACK_OF(QC_STATEMENT)

typedef struct {
	ASN1_IA5STRING *url;
	ASN1_PRINTABLESTRING *language;
} PDS_LOCATION;
DEFINE_STACK_OF(PDS_LOCATION)

ASN1_SEQUENCE(QC_STATEMENT) = {
	ASN1_SIMPLE(QC_STATEMENT, id, ASN1_OBJECT),
	ASN1_OPT(QC_STATEMENT, info, ASN1_ANY),
} static_ASN1_SEQUENCE_END(QC_STATEMENT)

ASN1_ITEM_TEMPLATE(QC_STATEMENTS) =
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, QcStatements, QC_STATEMENT)
static_ASN1_ITEM_TEMPLATE_END(QC_STATEMENTS)

ASN1_ITEM_TEMPLATE(QC_TYPES) =
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, QcTypes, ASN1_OBJECT)
static_ASN1_ITEM_TEMPLATE_END(QC_TYPES)

ASN1_SEQUENCE(PDS_LOCATION) = {
	ASN1_SIMPLE(PDS_LOCATION, url, ASN1_IA5STRING),
	ASN1_SIMPLE(PDS_LOCATION, language, ASN1_PRINTABLESTRING),
} static_ASN1_SEQUENCE_END(PDS_LOCATION)

ASN1_ITEM_TEMPLATE(PDS_LOCATIONS) =
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, PdsLocations, PDS_LOCATION)
static_ASN1_ITEM_TEMPLATE_END(PDS_LOCATIONS)

static void qc_statements_free(STACK_OF(QC_STATEMENT) *sk)
{
	ASN1_item_free((ASN1_VALUE *)sk, ASN1_ITEM_rptr(QC_STATEMENTS));
}
DEFINE_TRIVIAL_CLEANUP_FUNC(STACK_OF(QC_STATEMENT) *, qc_statements_free)

static void pds_locations_free(STACK_OF(PDS_LOCATION) *sk)
{
	ASN1_item_free((ASN1_VALUE *)sk, ASN1_ITEM_rptr(PDS_LOCATIONS));
}
DEFINE_TRIVIAL_CLEANUP_FUNC(STACK_OF(PDS_LOCATION) *, pds_locations_free)

static bool asn1_string_eq(const ASN1_STRING *s, const char *text)
{
	size_t n = strlen(text);

	return s && (size_t)ASN1_STRING_length(s) == n &&
	       memcmp(ASN1_STRING_get0_data(s), text, n) == 0;
}

static bool obj_is(const ASN1_OBJECT *o, const char *oid)
{
	char buf[64];
	int n = OBJ_obj2txt(buf, sizeof(buf), o, 1);

	return n > 0 && (size_t)n < sizeof(buf) && streq(buf, oid);
}

/* Appends statement oid with info (an item of type it, encoded as a
 * SEQUENCE) or none. */
static int qc_add(STACK_OF(QC_STATEMENT) *sk, const char *oid, const ASN1_ITEM *it, void *info)
{
	QC_STATEMENT *st;

	st = (QC_STATEMENT *)ASN1_item_new(ASN1_ITEM_rptr(QC_STATEMENT));
	if (!st)
		return -ENOMEM;
	if (!sk_QC_STATEMENT_push(sk, st)) {
		ASN1_item_free((ASN1_VALUE *)st, ASN1_ITEM_rptr(QC_STATEMENT));
		return -ENOMEM;
	}
	st->id = OBJ_txt2obj(oid, 1);
	if (!st->id)
		return -ENOMEM;
	if (it) {
		ASN1_STRING *seq = ASN1_item_pack(info, it, NULL);

		if (!seq)
			return -ENOMEM;
		st->info = ASN1_TYPE_new();
		if (!st->info) {
			ASN1_STRING_free(seq);
			return -ENOMEM;
		}
		ASN1_TYPE_set(st->info, V_ASN1_SEQUENCE, seq);
	}
	return 0;
}

static int qc_statements_add(X509 *cert, const char *pds_url)
{
	_cleanup_(qc_statements_freep) STACK_OF(QC_STATEMENT) *sk = NULL;
	_cleanup_(sk_ASN1_OBJECT_pop_free_allp) STACK_OF(ASN1_OBJECT) *types = NULL;
	_cleanup_(pds_locations_freep) STACK_OF(PDS_LOCATION) *pds = NULL;
	_cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *os = NULL;
	_cleanup_(X509_EXTENSION_freep) X509_EXTENSION *ext = NULL;
	_cleanup_openssl_free_ unsigned char *der = NULL;
	PDS_LOCATION *loc;
	ASN1_OBJECT *esign;
	int len, r;

	sk = sk_QC_STATEMENT_new_null();
	types = sk_ASN1_OBJECT_new_null();
	pds = sk_PDS_LOCATION_new_null();
	if (!sk || !types || !pds)
		return -ENOMEM;

	esign = OBJ_txt2obj(PKI_OID_QC_TYPE_ESIGN, 1);
	if (!esign || !sk_ASN1_OBJECT_push(types, esign)) {
		ASN1_OBJECT_free(esign);
		return -ENOMEM;
	}
	loc = (PDS_LOCATION *)ASN1_item_new(ASN1_ITEM_rptr(PDS_LOCATION));
	if (!loc || !sk_PDS_LOCATION_push(pds, loc)) {
		ASN1_item_free((ASN1_VALUE *)loc, ASN1_ITEM_rptr(PDS_LOCATION));
		return -ENOMEM;
	}
	if (!ASN1_STRING_set(loc->url, pds_url, (int)strlen(pds_url)) ||
	    !ASN1_STRING_set(loc->language, "en", 2))
		return -ENOMEM;

	if ((r = qc_add(sk, PKI_OID_QC_COMPLIANCE, NULL, NULL)) < 0 ||
	    (r = qc_add(sk, PKI_OID_QC_SSCD, NULL, NULL)) < 0 ||
	    (r = qc_add(sk, PKI_OID_QC_TYPE, ASN1_ITEM_rptr(QC_TYPES), types)) < 0 ||
	    (r = qc_add(sk, PKI_OID_QC_PDS, ASN1_ITEM_rptr(PDS_LOCATIONS), pds)) < 0)
		return r;

	len = ASN1_item_i2d((ASN1_VALUE *)sk, &der, ASN1_ITEM_rptr(QC_STATEMENTS));
	if (len <= 0)
		return -EIO;
	os = ASN1_OCTET_STRING_new();
	if (!os || !ASN1_OCTET_STRING_set(os, der, len))
		return -ENOMEM;
	ext = X509_EXTENSION_create_by_NID(NULL, NID_qcStatements, 0, os);
	if (!ext)
		return -ENOMEM;
	if (!X509_add_ext(cert, ext, -1))
		return -ENOMEM;
	return 0;
}

/* What a certificate's QCStatements say. */
struct qc_parsed {
	bool present;		/* the extension is there and parses */
	int compliance, sscd, type, pds, other;
	bool info_bad;		/* compliance/SSCD with an info */
	bool type_esign;	/* QcType is exactly { esign } */
	bool pds_ok;		/* QcPDS is exactly { (expected url, "en") } */
};

static void qc_parse_type(const ASN1_TYPE *info, struct qc_parsed *q)
{
	STACK_OF(ASN1_OBJECT) *types;

	if (!info || info->type != V_ASN1_SEQUENCE)
		return;
	types = ASN1_item_unpack(info->value.sequence, ASN1_ITEM_rptr(QC_TYPES));
	if (!types)
		return;
	q->type_esign = sk_ASN1_OBJECT_num(types) == 1 &&
			obj_is(sk_ASN1_OBJECT_value(types, 0), PKI_OID_QC_TYPE_ESIGN);
	sk_ASN1_OBJECT_pop_free(types, ASN1_OBJECT_free);
}

static void qc_parse_pds(const ASN1_TYPE *info, const char *pds_url, struct qc_parsed *q)
{
	_cleanup_(pds_locations_freep) STACK_OF(PDS_LOCATION) *pds = NULL;
	PDS_LOCATION *loc;

	if (!info || info->type != V_ASN1_SEQUENCE)
		return;
	pds = ASN1_item_unpack(info->value.sequence, ASN1_ITEM_rptr(PDS_LOCATIONS));
	if (!pds || sk_PDS_LOCATION_num(pds) != 1)
		return;
	loc = sk_PDS_LOCATION_value(pds, 0);
	q->pds_ok = (!pds_url || asn1_string_eq(loc->url, pds_url)) &&
		    asn1_string_eq(loc->language, "en");
}

static void qc_parse(X509 *cert, const char *pds_url, struct qc_parsed *q)
{
	_cleanup_(qc_statements_freep) STACK_OF(QC_STATEMENT) *sk = NULL;
	const ASN1_OCTET_STRING *data;
	const unsigned char *p;
	X509_EXTENSION *ext;
	int idx;

	*q = (struct qc_parsed){};
	idx = X509_get_ext_by_NID(cert, NID_qcStatements, -1);
	if (idx < 0)
		return;
	ext = X509_get_ext(cert, idx);
	data = X509_EXTENSION_get_data(ext);
	p = ASN1_STRING_get0_data(data);
	sk = (STACK_OF(QC_STATEMENT) *)ASN1_item_d2i(NULL, &p, ASN1_STRING_length(data),
						     ASN1_ITEM_rptr(QC_STATEMENTS));
	if (!sk) {
		ERR_clear_error();
		return;
	}
	if (p != ASN1_STRING_get0_data(data) + ASN1_STRING_length(data))
		return;
	q->present = true;
	for (int i = 0; i < sk_QC_STATEMENT_num(sk); i++) {
		QC_STATEMENT *st = sk_QC_STATEMENT_value(sk, i);

		if (obj_is(st->id, PKI_OID_QC_COMPLIANCE)) {
			q->compliance++;
			q->info_bad |= st->info != NULL;
		} else if (obj_is(st->id, PKI_OID_QC_SSCD)) {
			q->sscd++;
			q->info_bad |= st->info != NULL;
		} else if (obj_is(st->id, PKI_OID_QC_TYPE)) {
			q->type++;
			qc_parse_type(st->info, q);
		} else if (obj_is(st->id, PKI_OID_QC_PDS)) {
			q->pds++;
			qc_parse_pds(st->info, pds_url, q);
		} else
			q->other++;
	}
	ERR_clear_error();
}

bool pki_cert_has_qc_statements(X509 *cert)
{
	struct qc_parsed q;

	if (!cert)
		return false;
	qc_parse(cert, NULL, &q);
	return q.present && q.compliance == 1 && q.sscd == 1 && q.type == 1 && q.type_esign;
}

bool pki_cert_has_nonrepudiation(X509 *cert)
{
	if (!cert || !(X509_get_extension_flags(cert) & EXFLAG_KUSAGE))
		return false;
	return (X509_get_key_usage(cert) & KU_NON_REPUDIATION) != 0;
}

/* Names. */

/* Decodes one UTF-8 character (shortest form, no surrogates). */
static int utf8_next(const unsigned char **s, uint32_t *ret)
{
	const unsigned char *p = *s;
	uint32_t c = p[0], min;
	int n;

	if (c < 0x80) {
		*ret = c;
		*s = p + 1;
		return 0;
	}
	if ((c & 0xe0) == 0xc0) {
		n = 1;
		c &= 0x1f;
		min = 0x80;
	} else if ((c & 0xf0) == 0xe0) {
		n = 2;
		c &= 0x0f;
		min = 0x800;
	} else if ((c & 0xf8) == 0xf0) {
		n = 3;
		c &= 0x07;
		min = 0x10000;
	} else
		return -EINVAL;
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return -EINVAL;
		c = c << 6 | (p[i] & 0x3f);
	}
	if (c < min || c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
		return -EINVAL;
	*ret = c;
	*s = p + n + 1;
	return 0;
}

static size_t utf8_put(uint32_t c, char *out)
{
	if (c < 0x80) {
		out[0] = (char)c;
		return 1;
	}
	/* Every letter we keep is below U+0800. */
	out[0] = (char)(0xc0 | (c >> 6));
	out[1] = (char)(0x80 | (c & 0x3f));
	return 2;
}

/* The Turkish upper case of c, or 0 when c is not a letter of a name. */
static uint32_t upper_tr(uint32_t c)
{
	if (c >= 'A' && c <= 'Z')
		return c;
	if (c == 'i')
		return 0x130;		/* i -> İ */
	if (c >= 'a' && c <= 'z')
		return c - 32;
	if ((c >= 0xc0 && c <= 0xde && c != 0xd7) || c == 0xdf)
		return c;		/* Latin-1 capitals, ß */
	if (c >= 0xe0 && c <= 0xfe && c != 0xf7)
		return c - 32;
	switch (c) {
	case 0x11e:			/* Ğ */
	case 0x130:			/* İ */
	case 0x15e:			/* Ş */
		return c;
	case 0x11f:			/* ğ */
	case 0x15f:			/* ş */
		return c - 1;
	case 0x131:			/* ı -> I */
		return 'I';
	default:
		return 0;
	}
}

/* Counts the characters of valid UTF-8, -EINVAL otherwise. */
static int utf8_chars(const char *s, size_t *ret)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = 0;
	uint32_t c;

	while (*p) {
		if (utf8_next(&p, &c) < 0)
			return -EINVAL;
		n++;
	}
	*ret = n;
	return 0;
}

int pki_name_normalize(const char *name, char **ret)
{
	_cleanup_free_ char *out = NULL;
	const unsigned char *p;
	size_t o = 0, chars = 0;
	bool space = false, letters = false;

	if (!name || !ret)
		return -EINVAL;
	out = malloc(2 * strlen(name) + 1);
	if (!out)
		return -ENOMEM;
	p = (const unsigned char *)name;
	while (*p) {
		uint32_t c, u;

		if (utf8_next(&p, &c) < 0)
			return -EINVAL;
		if (c == ' ') {
			space = o > 0;
			continue;
		}
		u = upper_tr(c);
		if (!u) {
			if (c != '-' && c != '\'' && c != '.')
				return -EINVAL;
			if (o == 0)
				return -EINVAL;	/* start with a letter */
			u = c;
		} else
			letters = true;
		if (space) {
			out[o++] = ' ';
			chars++;
			space = false;
		}
		o += utf8_put(u, out + o);
		chars++;
	}
	out[o] = '\0';
	if (!letters || chars > PKI_NAME_MAX_CHARS)
		return -EINVAL;
	*ret = TAKE_PTR(out);
	return 0;
}

static bool name_is_normal(const char *s)
{
	_cleanup_free_ char *n = NULL;

	return pki_name_normalize(s, &n) == 0 && streq(n, s);
}

/* Refusals. */

_printf_(2, 3) static int refuse(char **ret_reason, const char *fmt, ...)
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

/* Issuance. */

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
		return refuse(ret_reason, "T.C. Kimlik No is not valid: %s", tckn_error_str(te));
	r = pki_name_normalize(req->given_name ? req->given_name : "", &given);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return refuse(ret_reason, "given name is empty, longer than %d characters or "
			      "has characters other than letters, space, - ' .", PKI_NAME_MAX_CHARS);
	r = pki_name_normalize(req->surname ? req->surname : "", &surname);
	if (r == -ENOMEM)
		return r;
	if (r < 0)
		return refuse(ret_reason, "surname is empty, longer than %d characters or "
			      "has characters other than letters, space, - ' .", PKI_NAME_MAX_CHARS);
	cn = strdup_printf("%s %s", given, surname);
	if (!cn)
		return -ENOMEM;
	if (utf8_chars(cn, &chars) < 0 || chars > PKI_NAME_MAX_CHARS)
		return refuse(ret_reason, "given name and surname together are longer than %d characters",
			      PKI_NAME_MAX_CHARS);
	if (req->not_before <= 0 || req->not_after <= req->not_before)
		return refuse(ret_reason, "validity period is empty or negative");

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
		return refuse(ret_reason, "the public key cannot be used");
	if ((r = pki_cert_set_validity(x, req->not_before, req->not_after)) < 0 ||
	    (r = pki_cert_add_conf_ext(x, ca->issuing, NID_key_usage, "critical,nonRepudiation")) < 0 ||
	    (r = pki_cert_add_policy(x, ca->policy, ca->cps_url)) < 0 ||
	    (r = qc_statements_add(x, ca->pds_url)) < 0 ||
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

/* The linter. */

static bool gn_is_uri(const GENERAL_NAME *gn, const char *url)
{
	return gn && gn->type == GEN_URI && asn1_string_eq(gn->d.uniformResourceIdentifier, url);
}

static int lint_time(const ASN1_TIME *t, const char *what, int64_t *ret, char **ret_reason)
{
	struct tm tm = {};
	int want;

	if (!t || ASN1_TIME_to_tm(t, &tm) != 1 || pki_asn1_time_to_unix(t, ret) < 0)
		return refuse(ret_reason, "%s is not a valid time", what);
	/* RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime after. */
	want = tm.tm_year + 1900 < 2050 ? V_ASN1_UTCTIME : V_ASN1_GENERALIZEDTIME;
	if (ASN1_STRING_type(t) != want)
		return refuse(ret_reason, "%s is not encoded as RFC 5280 requires", what);
	return 0;
}

static int lint_key(X509 *cert, char **ret_reason)
{
	EVP_PKEY *pk = X509_get0_pubkey(cert);
	char group[64] = "";

	if (!pk)
		return refuse(ret_reason, "the public key does not parse");
	switch (EVP_PKEY_get_base_id(pk)) {
	case EVP_PKEY_RSA:
		if (EVP_PKEY_get_bits(pk) < 2048 || EVP_PKEY_get_bits(pk) > 8192)
			return refuse(ret_reason, "RSA key of %d bits: 2048 to 8192 required",
				      EVP_PKEY_get_bits(pk));
		return 0;
	case EVP_PKEY_EC:
		if (EVP_PKEY_get_group_name(pk, group, sizeof(group), NULL) != 1 ||
		    (!streq(group, "prime256v1") && !streq(group, "secp384r1")))
			return refuse(ret_reason, "EC key on curve \"%s\": P-256 or P-384 required", group);
		return 0;
	default:
		return refuse(ret_reason, "public key type is not RSA or EC");
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
		return refuse(ret_reason, "subject has %d attributes, %zu expected (C, givenName, "
			      "surname, serialNumber, CN)", n, ELEMENTSOF(rules));
	for (int i = 0; i < n; i++) {
		const X509_NAME_ENTRY *ne = X509_NAME_get_entry(subj, i);
		const ASN1_STRING *s = X509_NAME_ENTRY_get_data(ne);
		int nid = OBJ_obj2nid(X509_NAME_ENTRY_get_object(ne));
		size_t k;

		if (X509_NAME_ENTRY_set(ne) != i)
			return refuse(ret_reason, "subject has a multi-valued RDN");
		for (k = 0; k < ELEMENTSOF(rules); k++)
			if (rules[k].nid == nid)
				break;
		if (k == ELEMENTSOF(rules))
			return refuse(ret_reason, "subject has an unexpected attribute %s",
				      OBJ_nid2sn(nid));
		if (val[k])
			return refuse(ret_reason, "subject has %s twice", rules[k].name);
		if (ASN1_STRING_type(s) != rules[k].type)
			return refuse(ret_reason, "subject %s is not a %s", rules[k].name,
				      rules[k].type == V_ASN1_UTF8STRING ? "UTF8String" : "PrintableString");
		val[k] = (const char *)ASN1_STRING_get0_data(s);
		if (memchr(val[k], 0, (size_t)ASN1_STRING_length(s)) || val[k][ASN1_STRING_length(s)])
			return refuse(ret_reason, "subject %s contains a NUL", rules[k].name);
	}
	if (!streq(val[0], "TR"))
		return refuse(ret_reason, "subject countryName is not TR");
	if (!name_is_normal(val[1]))
		return refuse(ret_reason, "subject givenName is empty, not upper case, badly spaced "
			      "or has characters other than letters");
	if (!name_is_normal(val[2]))
		return refuse(ret_reason, "subject surname is empty, not upper case, badly spaced "
			      "or has characters other than letters");
	te = tckn_check(val[3]);
	if (te != TCKN_OK)
		return refuse(ret_reason, "subject serialNumber is not a valid T.C. Kimlik No: %s",
			      tckn_error_str(te));
	expect_cn = strdup_printf("%s %s", val[1], val[2]);
	if (!expect_cn)
		return -ENOMEM;
	if (!streq(val[4], expect_cn))
		return refuse(ret_reason, "subject CN is not \"givenName surname\"");
	if (utf8_chars(val[4], &chars) < 0 || chars > PKI_NAME_MAX_CHARS)
		return refuse(ret_reason, "subject CN is longer than %d characters", PKI_NAME_MAX_CHARS);
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
		return refuse(ret_reason, "an extension is malformed or present twice");
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
			return refuse(ret_reason, "unexpected extension %s%s", oid,
				      crit ? " (critical)" : "");
		}
		if (seen[k])
			return refuse(ret_reason, "extension %s present twice", OBJ_nid2ln(nid));
		seen[k] = true;
		if (crit != holder_exts[k].critical)
			return refuse(ret_reason, "extension %s must %sbe critical", OBJ_nid2ln(nid),
				      holder_exts[k].critical ? "" : "not ");
	}
	for (size_t k = 0; k < ELEMENTSOF(holder_exts); k++)
		if (!seen[k])
			return refuse(ret_reason, "extension %s is missing", OBJ_nid2ln(holder_exts[k].nid));
	return 0;
}

static int lint_policies(const struct pki_ca *ca, X509 *cert, char **ret_reason)
{
	_cleanup_(CERTIFICATEPOLICIES_freep) CERTIFICATEPOLICIES *pols = NULL;
	POLICYINFO *pi;
	POLICYQUALINFO *q;

	pols = X509_get_ext_d2i(cert, NID_certificate_policies, NULL, NULL);
	if (!pols || sk_POLICYINFO_num(pols) != 1)
		return refuse(ret_reason, "certificatePolicies must hold exactly one policy");
	pi = sk_POLICYINFO_value(pols, 0);
	if (OBJ_cmp(pi->policyid, ca->policy) != 0)
		return refuse(ret_reason, "certificate policy is not %s", ca->cfg.policy_oid);
	if (sk_POLICYQUALINFO_num(pi->qualifiers) != 1)
		return refuse(ret_reason, "the policy must have exactly one qualifier (the CPS URI)");
	q = sk_POLICYQUALINFO_value(pi->qualifiers, 0);
	if (OBJ_obj2nid(q->pqualid) != NID_id_qt_cps || !asn1_string_eq(q->d.cpsuri, ca->cps_url))
		return refuse(ret_reason, "the policy qualifier is not the CPS URI %s", ca->cps_url);
	return 0;
}

static int lint_crldp(const struct pki_ca *ca, X509 *cert, char **ret_reason)
{
	_cleanup_(CRL_DIST_POINTS_freep) CRL_DIST_POINTS *dps = NULL;
	DIST_POINT *dp;

	dps = X509_get_ext_d2i(cert, NID_crl_distribution_points, NULL, NULL);
	if (!dps || sk_DIST_POINT_num(dps) != 1)
		return refuse(ret_reason, "CRL distribution points must hold exactly one point");
	dp = sk_DIST_POINT_value(dps, 0);
	if (!dp->distpoint || dp->distpoint->type != 0 || dp->reasons || dp->CRLissuer ||
	    sk_GENERAL_NAME_num(dp->distpoint->name.fullname) != 1 ||
	    !gn_is_uri(sk_GENERAL_NAME_value(dp->distpoint->name.fullname, 0), ca->crl_url))
		return refuse(ret_reason, "CRL distribution point is not %s", ca->crl_url);
	return 0;
}

static int lint_aia(const struct pki_ca *ca, X509 *cert, char **ret_reason)
{
	_cleanup_(AUTHORITY_INFO_ACCESS_freep) AUTHORITY_INFO_ACCESS *aia = NULL;
	bool ocsp = false, issuers = false;

	aia = X509_get_ext_d2i(cert, NID_info_access, NULL, NULL);
	if (!aia || sk_ACCESS_DESCRIPTION_num(aia) != 2)
		return refuse(ret_reason, "authorityInfoAccess must hold OCSP and caIssuers");
	for (int i = 0; i < 2; i++) {
		ACCESS_DESCRIPTION *ad = sk_ACCESS_DESCRIPTION_value(aia, i);
		int nid = OBJ_obj2nid(ad->method);

		if (nid == NID_ad_OCSP && !ocsp && gn_is_uri(ad->location, ca->ocsp_url))
			ocsp = true;
		else if (nid == NID_ad_ca_issuers && !issuers && gn_is_uri(ad->location, ca->issuers_url))
			issuers = true;
	}
	if (!ocsp || !issuers)
		return refuse(ret_reason, "authorityInfoAccess is not OCSP %s and caIssuers %s",
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
		return refuse(ret_reason, "subjectKeyIdentifier is not the SHA-1 of the public key");
	if (!aki || ASN1_OCTET_STRING_cmp(aki, X509_get0_subject_key_id(ca->issuing)) != 0 ||
	    X509_get0_authority_issuer(cert) || X509_get0_authority_serial(cert))
		return refuse(ret_reason, "authorityKeyIdentifier is not the issuing CA's key identifier");
	return 0;
}

static int lint_qc(const struct pki_ca *ca, X509 *cert, char **ret_reason)
{
	struct qc_parsed q;

	qc_parse(cert, ca->pds_url, &q);
	if (!q.present)
		return refuse(ret_reason, "qcStatements does not parse");
	if (q.compliance != 1 || q.info_bad)
		return refuse(ret_reason, "qcStatements: QcCompliance missing, repeated or with an info");
	if (q.sscd != 1)
		return refuse(ret_reason, "qcStatements: QcSSCD missing or repeated");
	if (q.type != 1 || !q.type_esign)
		return refuse(ret_reason, "qcStatements: QcType is not exactly esign");
	if (q.pds != 1 || !q.pds_ok)
		return refuse(ret_reason, "qcStatements: QcPDS is not exactly (%s, en)", ca->pds_url);
	if (q.other)
		return refuse(ret_reason, "qcStatements: unexpected statement");
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
		return refuse(ret_reason, "not a version 3 certificate");

	serial = X509_get0_serialNumber(cert);
	if (pki_serial_to_hex(serial, hex) < 0)
		return refuse(ret_reason, "serial is negative or longer than 20 bytes");
	if (strlen(hex) < 2 * 8)
		return refuse(ret_reason, "serial has fewer than 64 bits");

	/* Issued and signed by our issuing CA, with its digest. */
	if (X509_NAME_cmp(X509_get_issuer_name(cert), X509_get_subject_name(ca->issuing)) != 0)
		return refuse(ret_reason, "issuer is not the issuing CA");
	if (!OBJ_find_sigid_by_algs(&sig_nid, EVP_MD_get_type(ca->issuing_md),
				    EVP_PKEY_get_base_id(ca->issuing_key)) ||
	    X509_get_signature_nid(cert) != sig_nid)
		return refuse(ret_reason, "signature algorithm is not %s", OBJ_nid2ln(sig_nid));
	if (X509_verify(cert, X509_get0_pubkey(ca->issuing)) != 1)
		return refuse(ret_reason, "signature does not verify with the issuing CA's key");

	/* Validity. */
	if ((r = lint_time(X509_get0_notBefore(cert), "notBefore", &nb, ret_reason)) < 0 ||
	    (r = lint_time(X509_get0_notAfter(cert), "notAfter", &na, ret_reason)) < 0)
		return r;
	if (na <= nb)
		return refuse(ret_reason, "notAfter is not after notBefore");
	if (nb < ca->issuing_not_before || na > ca->issuing_not_after)
		return refuse(ret_reason, "validity is not within the issuing CA's validity");
	if (na - nb > (int64_t)ca->cfg.holder_max_days * DAY)
		return refuse(ret_reason, "valid for more than %d days", ca->cfg.holder_max_days);

	if ((r = lint_key(cert, ret_reason)) < 0 ||
	    (r = lint_subject(cert, ret_reason)) < 0 ||
	    (r = lint_ext_set(cert, ret_reason)) < 0)
		return r;
	if (X509_get_key_usage(cert) != KU_NON_REPUDIATION)
		return refuse(ret_reason, "keyUsage is not exactly nonRepudiation");
	if ((r = lint_policies(ca, cert, ret_reason)) < 0 ||
	    (r = lint_qc(ca, cert, ret_reason)) < 0 ||
	    (r = lint_crldp(ca, cert, ret_reason)) < 0 ||
	    (r = lint_aia(ca, cert, ret_reason)) < 0 ||
	    (r = lint_key_ids(ca, cert, ret_reason)) < 0)
		return r;
	ERR_clear_error();
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
