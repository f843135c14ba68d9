/* profile-private.h - what the holder-profile files share, for src/pki
 * only.
 *
 *   profile-qc.c     the QCStatements extension (ETSI EN 319 412-5):
 *                    encoded, parsed, asked about
 *   profile-issue.c  issuing a holder certificate, reading one back
 *   profile-lint.c   every rule of the profile re-checked on a certificate
 *   tr-upper.c       Turkish upper-casing, pki_name_normalize() */
#pragma once

#include <stdbool.h>

#include <openssl/asn1.h>
#include <openssl/x509.h>

#include "common/util.h"

/* Adds the QCStatements extension of the profile to cert: QcCompliance,
 * QcSSCD, QcType esign and QcPDS (pds_url, "en"). */
int pki_qc_statements_add(X509 *cert, const char *pds_url, const char *country);

/* What a certificate's QCStatements say. */
struct pki_qc_parsed {
	bool present;		/* the extension is there and parses */
	int compliance, sscd, type, pds, legislation, other;	/* how often each is there */
	bool info_bad;		/* compliance/SSCD with an info */
	bool type_esign;	/* QcType is exactly { esign } */
	bool pds_ok;		/* QcPDS is exactly { (pds_url, "en") } (any url when NULL) */
	char legislation_country[3];	/* QcCClegislation's one country, or "" */
};

/* Whether country (ISO 3166 alpha-2) is an EU member state: a certificate
 * qualified under another country's law says so with QcCClegislation
 * (ETSI EN 319 412-5 4.2.1, 4.2.4); QcCompliance alone claims EU
 * qualified status. */
bool pki_country_is_eu(const char *country);
void pki_qc_parse(X509 *cert, const char *pds_url, struct pki_qc_parsed *q);

/* True when s holds exactly the bytes of text. */
bool pki_asn1_string_eq(const ASN1_STRING *s, const char *text);

/* A refusal by the profile: sets *ret_reason (when given) from fmt,
 * clears OpenSSL's error queue and returns -EACCES. */
_printf_(2, 3) int pki_refuse(char **ret_reason, const char *fmt, ...);
