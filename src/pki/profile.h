/* profile.h - the qualified (NES) certificate profile for holders.
 *
 * A holder certificate, issued by the issuing CA to a natural person:
 *
 *   subject      C=TR, givenName, surname, serialNumber=<T.C. Kimlik No>,
 *                CN="GIVEN SURNAME"; names upper-cased the Turkish way
 *                (i -> İ, ı -> I), UTF8String; C and serialNumber
 *                PrintableString
 *   serial       16 random bytes, positive
 *   keyUsage     critical, nonRepudiation (contentCommitment) only
 *   policies     the NES policy OID with a CPS URI qualifier
 *   qcStatements QcCompliance, QcSSCD, QcType esign, QcPDS (URL, "en"),
 *                QcCClegislation (C of the CA; left out for an EU country):
 *                qualified under that country's law, not under eIDAS
 *                (ETSI EN 319 412-5 4.2.1, 4.2.4)
 *   CRL DP, AIA (OCSP, caIssuers), SKI, AKI (keyid)
 *   signature    SHA-256, or SHA-384 under a P-384 issuing CA
 *
 * pki_profile_lint_holder() re-checks all of this on a finished
 * certificate without trusting the code that built it; issuance lints
 * what it signed and never hands out a certificate that fails. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "pki/ca.h"
#include "pki/key.h"

/* Dotted OIDs of ETSI EN 319 412-5. */
#define PKI_OID_QC_STATEMENTS "1.3.6.1.5.5.7.1.3"
#define PKI_OID_QC_COMPLIANCE "0.4.0.1862.1.1"
#define PKI_OID_QC_SSCD "0.4.0.1862.1.4"
#define PKI_OID_QC_PDS "0.4.0.1862.1.5"
#define PKI_OID_QC_LEGISLATION "0.4.0.1862.1.7"	/* QcCClegislation (EN 319 412-5 4.2.4) */
#define PKI_OID_QC_TYPE "0.4.0.1862.1.6"
#define PKI_OID_QC_TYPE_ESIGN "0.4.0.1862.1.6.1"

/* Longest name part, in characters (ub-common-name is 64 for the CN). */
#define PKI_NAME_MAX_CHARS 64

struct pki_holder_req {
	const char *tckn;
	const char *given_name;	/* UTF-8, any case; several names allowed */
	const char *surname;
	int64_t not_before;	/* seconds since the epoch */
	int64_t not_after;
};

/* Issues a holder certificate for holder_pubkey (RSA >= 2048 bits, EC
 * P-256 or P-384), signed by the issuing CA.  -EINVAL for NULL arguments;
 * -EACCES when the request or the finished certificate breaks the profile
 * (bad T.C. Kimlik No, empty or over-long name, bad validity, weak key,
 * ...), with the reason in *ret_reason (malloc'ed, may be NULL). */
int pki_cert_issue_holder(struct pki_ca *ca, EVP_PKEY *holder_pubkey,
			  const struct pki_holder_req *req, X509 **ret, char **ret_reason);

/* Checks every rule of the profile on cert, including that ca's issuing
 * CA signed it.  0 or -EACCES with *ret_reason (malloc'ed) saying the
 * first rule broken. */
int pki_profile_lint_holder(const struct pki_ca *ca, X509 *cert, char **ret_reason);

/* Upper-cases a UTF-8 name the Turkish way and normalises its spaces
 * (trimmed, single).  Letters: A-Z, Turkish and Latin-1 letters; also
 * space, hyphen, apostrophe and dot.  -EINVAL for anything else, an empty
 * result or more than PKI_NAME_MAX_CHARS characters.  *ret is malloc'ed. */
int pki_name_normalize(const char *name, char **ret);

struct pki_holder_info {
	char tckn[12];
	char common_name[4 * PKI_NAME_MAX_CHARS + 1];
	char given_name[4 * PKI_NAME_MAX_CHARS + 1];
	char surname[4 * PKI_NAME_MAX_CHARS + 1];
	char serial_hex[PKI_SERIAL_HEX_MAX];
	int64_t not_before;
	int64_t not_after;
};

/* Reads the holder fields from a certificate of this profile.  Missing
 * givenName/surname come back empty; -EBADMSG when there is no
 * serialNumber or CN, or a field does not fit. */
int pki_cert_holder_info(X509 *cert, struct pki_holder_info *ret);

/* True when cert has a QCStatements extension that parses and declares
 * QcCompliance, QcSSCD and QcType esign: a qualified electronic signature
 * certificate with the key in a qualified device. */
bool pki_cert_has_qc_statements(X509 *cert);
/* True when cert's keyUsage is present and includes nonRepudiation
 * (contentCommitment). */
bool pki_cert_has_nonrepudiation(X509 *cert);
