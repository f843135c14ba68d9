/* profile-qc.c - the QCStatements extension of ETSI EN 319 412-5: added at
 * issuance (profile-issue.c), parsed by the linter (profile-lint.c), and
 * asked about a signer by the verifier in cades.c through
 * pki_cert_has_qc_statements() and pki_cert_has_nonrepudiation().
 *
 * QCStatements has no OpenSSL type, so it is described here with
 * OpenSSL's ASN.1 templates and both encoded and parsed through them. */
#include "pki/profile-private.h"

#include <openssl/asn1t.h>
#include <openssl/err.h>
#include <openssl/objects.h>
#include <openssl/x509v3.h>

#include "pki/ossl.h"
#include "pki/profile.h"

/* QCStatements ::= SEQUENCE OF QCStatement
 * QCStatement ::= SEQUENCE { statementId OBJECT IDENTIFIER,
 *                            statementInfo ANY DEFINED BY statementId OPTIONAL }
 * QcType ::= SEQUENCE OF OBJECT IDENTIFIER
 * PdsLocations ::= SEQUENCE SIZE (1..MAX) OF PdsLocation
 * PdsLocation ::= SEQUENCE { url IA5String, language PrintableString (SIZE(2)) }
 * QcCClegislation ::= CountryName  -- CountryName ::= SEQUENCE OF PrintableString (SIZE (2)) */
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

DEFINE_STACK_OF(ASN1_PRINTABLESTRING)

ASN1_ITEM_TEMPLATE(QC_COUNTRIES) =
	ASN1_EX_TEMPLATE_TYPE(ASN1_TFLG_SEQUENCE_OF, 0, QcCountries, ASN1_PRINTABLESTRING)
static_ASN1_ITEM_TEMPLATE_END(QC_COUNTRIES)

static void qc_countries_free(STACK_OF(ASN1_PRINTABLESTRING) *sk)
{
	ASN1_item_free((ASN1_VALUE *)sk, ASN1_ITEM_rptr(QC_COUNTRIES));
}
DEFINE_TRIVIAL_CLEANUP_FUNC(STACK_OF(ASN1_PRINTABLESTRING) *, qc_countries_free)

bool pki_country_is_eu(const char *country)
{
	static const char eu[][3] = {
		"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU",
		"IE", "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
	};

	for (size_t i = 0; country && i < ELEMENTSOF(eu); i++)
		if (streq(eu[i], country))
			return true;
	return false;
}

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

bool pki_asn1_string_eq(const ASN1_STRING *s, const char *text)
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

int pki_qc_statements_add(X509 *cert, const char *pds_url, const char *country)
{
	_cleanup_(qc_countries_freep) STACK_OF(ASN1_PRINTABLESTRING) *cc = NULL;
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
	/* Qualified under the law of the CA's country (Turkey: 5070 sayılı
	 * Elektronik İmza Kanunu), not under eIDAS. */
	if (!pki_country_is_eu(country)) {
		ASN1_PRINTABLESTRING *c = ASN1_PRINTABLESTRING_new();

		cc = sk_ASN1_PRINTABLESTRING_new_null();
		if (!cc || !c || !sk_ASN1_PRINTABLESTRING_push(cc, c)) {
			ASN1_PRINTABLESTRING_free(c);
			return -ENOMEM;
		}
		if (!country || strlen(country) != 2 || !ASN1_STRING_set(c, country, 2))
			return -EINVAL;
		r = qc_add(sk, PKI_OID_QC_LEGISLATION, ASN1_ITEM_rptr(QC_COUNTRIES), cc);
		if (r < 0)
			return r;
	}

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

static void qc_parse_type(const ASN1_TYPE *info, struct pki_qc_parsed *q)
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

static void qc_parse_pds(const ASN1_TYPE *info, const char *pds_url, struct pki_qc_parsed *q)
{
	_cleanup_(pds_locations_freep) STACK_OF(PDS_LOCATION) *pds = NULL;
	PDS_LOCATION *loc;

	if (!info || info->type != V_ASN1_SEQUENCE)
		return;
	pds = ASN1_item_unpack(info->value.sequence, ASN1_ITEM_rptr(PDS_LOCATIONS));
	if (!pds || sk_PDS_LOCATION_num(pds) != 1)
		return;
	loc = sk_PDS_LOCATION_value(pds, 0);
	q->pds_ok = (!pds_url || pki_asn1_string_eq(loc->url, pds_url)) &&
		    pki_asn1_string_eq(loc->language, "en");
}

static void qc_parse_legislation(const ASN1_TYPE *info, struct pki_qc_parsed *q)
{
	_cleanup_(qc_countries_freep) STACK_OF(ASN1_PRINTABLESTRING) *cc = NULL;
	const ASN1_STRING *c;

	if (!info || info->type != V_ASN1_SEQUENCE)
		return;
	cc = ASN1_item_unpack(info->value.sequence, ASN1_ITEM_rptr(QC_COUNTRIES));
	if (!cc || sk_ASN1_PRINTABLESTRING_num(cc) != 1)
		return;
	c = sk_ASN1_PRINTABLESTRING_value(cc, 0);
	if (ASN1_STRING_length(c) == 2) {
		memcpy(q->legislation_country, ASN1_STRING_get0_data(c), 2);
		q->legislation_country[2] = '\0';
	}
}

void pki_qc_parse(X509 *cert, const char *pds_url, struct pki_qc_parsed *q)
{
	_cleanup_(qc_statements_freep) STACK_OF(QC_STATEMENT) *sk = NULL;
	const ASN1_OCTET_STRING *data;
	const unsigned char *p;
	X509_EXTENSION *ext;
	int idx;

	*q = (struct pki_qc_parsed){};
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
		} else if (obj_is(st->id, PKI_OID_QC_LEGISLATION)) {
			q->legislation++;
			qc_parse_legislation(st->info, q);
		} else
			q->other++;
	}
	ERR_clear_error();
}

bool pki_cert_has_qc_statements(X509 *cert)
{
	struct pki_qc_parsed q;

	if (!cert)
		return false;
	pki_qc_parse(cert, NULL, &q);
	return q.present && q.compliance == 1 && q.sscd == 1 && q.type == 1 && q.type_esign;
}

bool pki_cert_has_nonrepudiation(X509 *cert)
{
	if (!cert || !(X509_get_extension_flags(cert) & EXFLAG_KUSAGE))
		return false;
	return (X509_get_key_usage(cert) & KU_NON_REPUDIATION) != 0;
}
