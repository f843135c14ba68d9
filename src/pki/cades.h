/* cades.h - CAdES-BES signatures: making them and checking them fully.
 *
 * A signature is a CMS SignedData (RFC 5652) with the content inside
 * (encapsulated), one signer, SHA-256, and the signed attributes
 * content-type, message-digest, signing-time and ESS
 * signing-certificate-v2 (RFC 5035) naming the signer's certificate; the
 * signer's certificate (and chain) travel in the SignedData.
 *
 * cades_verify() checks everything a qualified signature needs, in a fixed
 * order, and stops at the first failure with a sub-indication of its own
 * (after ETSI EN 319 102-1): format, structure, signed attributes, the
 * signing certificate reference, algorithms and key size, the content
 * digest, the signature, the certificate chain, validity times, key usage
 * nonRepudiation, the QC statements, the policy and the revocation status.
 *
 * Chain building is cached by the signer certificate's SHA-256 (a small
 * thread-safe LRU); the revocation status is asked for on every call. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "common/util.h"

/* Makes a CAdES-BES signature of content (n bytes, may be 0) with key
 * (a software key or one from p11_key_open()) and its certificate signer;
 * chain (may be NULL) is added to the certificates.  SHA-256; signing-time
 * is now.  *ret_der is malloc'ed DER.  -EINVAL when key does not match
 * signer, -EIO when signing fails. */
int cades_sign(EVP_PKEY *key, X509 *signer, STACK_OF(X509) *chain, const void *content,
	       size_t n, unsigned char **ret_der, size_t *ret_n);

enum cades_indication {
	CADES_TOTAL_PASSED,
	CADES_TOTAL_FAILED,
	CADES_INDETERMINATE,
};

/* In the order cades_verify() checks.  The names (cades_sub_name()) are
 * stable: they go into API answers and the audit log. */
enum cades_subindication {
	CADES_SUB_NONE,				/* "OK" (passed) */
	CADES_SUB_FORMAT_FAILURE,		/* not DER CMS, garbage, truncated */
	CADES_SUB_SIGNED_DATA_NOT_FOUND,	/* not SignedData, or detached (no eContent) */
	CADES_SUB_SIGNER_COUNT,			/* "NOT_ONE_SIGNER" */
	CADES_SUB_CONTENT_TYPE_MISSING,		/* signed attribute missing/wrong */
	CADES_SUB_MESSAGE_DIGEST_MISSING,
	CADES_SUB_SIGNING_TIME_MISSING,
	CADES_SUB_SIGNING_CERTIFICATE_NOT_FOUND, /* "NO_SIGNING_CERTIFICATE_FOUND": signer's cert not in the CMS */
	CADES_SUB_SIGNING_CERTIFICATE_V2_MISSING,
	CADES_SUB_SIGNING_CERTIFICATE_V2_MISMATCH,
	CADES_SUB_DIGEST_NOT_ALLOWED,		/* "CRYPTO_CONSTRAINTS_FAILURE_DIGEST": SHA-1, MD5, ... */
	CADES_SUB_KEY_NOT_ALLOWED,		/* "CRYPTO_CONSTRAINTS_FAILURE_KEY": RSA < min bits, curve */
	CADES_SUB_HASH_FAILURE,			/* content altered */
	CADES_SUB_SIG_CRYPTO_FAILURE,		/* signature (over the signed attributes) wrong */
	CADES_SUB_NO_CERTIFICATE_CHAIN_FOUND,	/* no path to a trust anchor */
	CADES_SUB_CHAIN_CONSTRAINTS_FAILURE,	/* a path, but a CA certificate broke a rule */
	CADES_SUB_EXPIRED,			/* "OUT_OF_BOUNDS_NO_POE": a chain cert expired at now */
	CADES_SUB_NOT_YET_VALID,
	CADES_SUB_SIGNING_TIME_OUT_OF_BOUNDS,	/* signing-time outside the signer cert validity (or in the future) */
	CADES_SUB_NO_NON_REPUDIATION,		/* keyUsage lacks nonRepudiation */
	CADES_SUB_NOT_QUALIFIED,		/* "QC_STATEMENTS_MISSING" */
	CADES_SUB_POLICY_NOT_ACCEPTED,		/* required certificate policy absent */
	CADES_SUB_REVOKED,
	CADES_SUB_ON_HOLD,			/* "REVOKED_ON_HOLD": certificateHold */
	CADES_SUB_REVOCATION_UNKNOWN,		/* "TRY_LATER": status unknown */
	_CADES_SUB_MAX,
};

/* Stable name of a sub-indication ("HASH_FAILURE"); "?" if out of range. */
const char *cades_sub_name(enum cades_subindication sub);
/* "TOTAL-PASSED", "TOTAL-FAILED", "INDETERMINATE". */
const char *cades_indication_name(enum cades_indication ind);

/* Revocation states the status callback reports. */
enum {
	CADES_STATUS_GOOD,
	CADES_STATUS_REVOKED,
	CADES_STATUS_ON_HOLD,
	CADES_STATUS_UNKNOWN,
};

struct cades_verify_opts {
	X509_STORE *trust;		/* trust anchors only (required) */
	STACK_OF(X509) *intermediates;	/* extra untrusted CA certs, may be NULL */
	int64_t now;			/* 0: the current time */
	/* Revocation status of the signer's certificate, asked on every
	 * call (never cached): 0 with *ret_state one of CADES_STATUS_*, or
	 * -errno, which cades_verify() returns.  NULL: the status is
	 * UNKNOWN (INDETERMINATE) unless no_revocation_check is set. */
	int (*status)(void *userdata, X509 *cert, X509 *issuer, int *ret_state);
	void *userdata;
	bool no_revocation_check;	/* offline checks (eimza verify): skip it */
	int min_rsa_bits;		/* 0: 2048 */
	const int *ec_curves;		/* NIDs; NULL: P-256, P-384, P-521 */
	size_t n_ec_curves;
	const char *required_policy;	/* dotted OID in the signer cert; NULL: none */
	bool allow_unqualified;		/* skip the QC statements check */
};

struct cades_report {
	enum cades_indication indication;
	enum cades_subindication sub;
	const char *sub_name;		/* cades_sub_name(sub), static */
	char *detail;			/* English, for logs; may be NULL */
	/* Filled as far as the checks got (NULL / 0 before that). */
	char *signer_tckn;		/* subject serialNumber (T.C. Kimlik No) */
	char *signer_cn;
	char *signer_serial_hex;	/* canonical hex (pki/key.h) */
	int64_t signing_time;		/* the signing-time attribute */
	unsigned char *content;		/* the signed content (NUL-terminated copy) */
	size_t content_len;
	X509 *signer;			/* the signer's certificate (owned) */
};

/* Checks der (n bytes) fully.  Never fails on the signature itself: any
 * input gives 0 and a report saying why it is not TOTAL_PASSED.
 * Returns -EINVAL for missing arguments, -ENOMEM, or the status
 * callback's error.
 *
 * Indications: TOTAL_PASSED; INDETERMINATE for
 * NO_CERTIFICATE_CHAIN_FOUND, ON_HOLD and REVOCATION_UNKNOWN (could pass
 * later or with more information); TOTAL_FAILED for everything else. */
int cades_verify(const unsigned char *der, size_t n, const struct cades_verify_opts *opts,
		 struct cades_report **ret);
void cades_report_free(struct cades_report *rep);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct cades_report *, cades_report_free)

/* {"indication":"TOTAL-PASSED","sub_indication":"OK","detail":...,
 *  "signer":{"tckn","cn","serial"},"signing_time":"ISO 8601",
 *  "content_length":N}: no content itself.  NULL on out-of-memory. */
json_t *cades_report_to_json(const struct cades_report *rep);
/* The same as lines of text for people ("Sonuç: ..."), malloc'ed. */
int cades_report_to_text(const struct cades_report *rep, char **ret);

/* Empties the chain cache (after the trust anchors changed, in tests). */
void cades_cache_flush(void);
