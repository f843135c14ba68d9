/* verify-report.h - the validation report of "eimza verify" in the terms
 * of ETSI EN 319 102-1 (clause 5.1.3, the table of indications and
 * sub-indications): a main indication, the standard's sub-indication, and
 * our own specific reason (detail) kept apart from them.
 *
 * The checks are cades_verify()'s (src/pki/cades.c, the same as the
 * server's, whose refusal codes do not change); this module maps its
 * internal result to the standard's terms through one table
 * (vr_rules[] in verify-report.c) and gathers what the report shows: the
 * signer, the signing time, the certificate chain, the signed data's
 * digest.  eimza verify runs the basic signature validation process
 * (clause 5.3) offline: no time-stamps (so no proof of existence other
 * than the validation time) and no revocation check (reported as a
 * disabled check). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>
#include <openssl/x509.h>

#include "pki/cades.h"
#include "pki/key.h"

enum vr_main {
	VR_TOTAL_PASSED,
	VR_TOTAL_FAILED,
	VR_INDETERMINATE,
};

/* The sub-indications of EN 319 102-1 (names as in TS 119 102-2's URIs). */
enum vr_sub {
	VR_SUB_NONE,
	VR_SUB_FORMAT_FAILURE,
	VR_SUB_HASH_FAILURE,
	VR_SUB_SIG_CRYPTO_FAILURE,
	VR_SUB_REVOKED,
	VR_SUB_EXPIRED,
	VR_SUB_NOT_YET_VALID,
	VR_SUB_SIG_CONSTRAINTS_FAILURE,
	VR_SUB_CHAIN_CONSTRAINTS_FAILURE,
	VR_SUB_CERTIFICATE_CHAIN_GENERAL_FAILURE,
	VR_SUB_CRYPTO_CONSTRAINTS_FAILURE,
	VR_SUB_POLICY_PROCESSING_ERROR,
	VR_SUB_SIGNATURE_POLICY_NOT_AVAILABLE,
	VR_SUB_TIMESTAMP_ORDER_FAILURE,
	VR_SUB_NO_SIGNING_CERTIFICATE_FOUND,
	VR_SUB_NO_CERTIFICATE_CHAIN_FOUND,
	VR_SUB_REVOKED_NO_POE,
	VR_SUB_REVOKED_CA_NO_POE,
	VR_SUB_OUT_OF_BOUNDS_NO_POE,
	VR_SUB_OUT_OF_BOUNDS_NOT_REVOKED,
	VR_SUB_CRYPTO_CONSTRAINTS_FAILURE_NO_POE,
	VR_SUB_NO_POE,
	VR_SUB_TRY_LATER,
	VR_SUB_SIGNED_DATA_NOT_FOUND,
	_VR_SUB_MAX,
};

/* "TOTAL-PASSED", "TOTAL-FAILED", "INDETERMINATE". */
const char *vr_main_name(enum vr_main m);
/* "urn:etsi:019102:mainindication:total-passed", ... */
const char *vr_main_uri(enum vr_main m);
/* "HASH_FAILURE"; NULL for VR_SUB_NONE or out of range. */
const char *vr_sub_name(enum vr_sub s);
/* The main indication the standard's table puts sub under (TOTAL-FAILED
 * for FORMAT_FAILURE, HASH_FAILURE, SIG_CRYPTO_FAILURE, REVOKED, EXPIRED,
 * NOT_YET_VALID; INDETERMINATE for the others; TOTAL-PASSED for NONE). */
enum vr_main vr_sub_main(enum vr_sub s);

/* What the table may ask about besides the verifier's result. */
struct vr_facts {
	bool not_signed_data;	/* not a CMS SignedData at all */
	bool detached;		/* SignedData without encapsulated content */
	int n_signers;		/* SignerInfos in the SignedData */
	bool signer_expired;	/* the signer's certificate, at validation time */
	bool signer_not_yet_valid;
	bool signing_time_future; /* the signing-time attribute after validation time */
};

/* The mapping: the verifier's result (and the facts) to the main
 * indication, the sub-indication and our detail code (static, e.g.
 * "NOT_ONE_SIGNER"; NULL when passed).  Every internal result has a row. */
void vr_map(enum cades_subindication internal, const struct vr_facts *f, enum vr_main *ret_main,
	    enum vr_sub *ret_sub, const char **ret_detail);

struct vr_cert {
	X509 *x509;		/* owned */
	char *subject;		/* RFC 2253 */
	char *issuer;
	char serial_hex[PKI_SERIAL_HEX_MAX]; /* canonical hex (pki/key.h) */
	int64_t not_before, not_after;
	char id[68];		/* "C-" + SHA-256 of the DER, upper-case hex */
};

struct vr_report {
	enum vr_main main;
	enum vr_sub sub;
	const char *detail;	/* our code, static; NULL when passed */
	char *reason;		/* the verifier's English text; may be NULL */
	enum cades_subindication internal;
	int64_t validation_time;

	/* The signer (NULL members when the signature did not name one). */
	char *signer_cn, *signer_tckn;
	int64_t signing_time;	/* 0: none */

	/* Signer first, then its issuers as far as they were found; the
	 * last is the trust anchor when chain_trusted. */
	struct vr_cert *chain;
	size_t n_chain;
	bool chain_trusted;

	/* The signed data: digest algorithm (OpenSSL short name, e.g.
	 * "SHA256") and the message-digest attribute's value. */
	const char *digest_alg;
	const char *digest_uri;	/* XML Signature URI of digest_alg, or NULL */
	unsigned char *message_digest;
	size_t message_digest_len;
	size_t content_len;
	bool has_content;

	/* The signature: its SignerInfo signature value, and the SHA-256 of
	 * that value (the TS 119 102-2 signature identifier). */
	unsigned char *sig_value;
	size_t sig_value_len;
	char id[68];		/* "S-" + hex */

	bool revocation_checked; /* false: offline, a disabled check */
};

/* Builds the report of der (n bytes) from cades_verify()'s report rep
 * made at validation time now (the same value as opts.now), looking up
 * the chain in trust (the anchors) and the certificates der carries.
 * -ENOMEM; anything else in der is reported, never an error. */
int vr_build(const unsigned char *der, size_t n, const struct cades_report *rep,
	     X509_STORE *trust, int64_t now, struct vr_report **ret);
void vr_free(struct vr_report *r);

/* One JSON object (camelCase keys, docs/EIMZA.md); NULL on out-of-memory. */
json_t *vr_to_json(const struct vr_report *r);
/* Lines for people, Turkish labels (malloc'ed). */
int vr_to_text(const struct vr_report *r, char **ret);
/* verify-xml.c: the ETSI TS 119 102-2 ValidationReport (v1.2.1 namespace)
 * of n reports, as a malloc'ed UTF-8 document (libxml2). */
int vr_to_xml(struct vr_report *const *reps, size_t n, char **ret, size_t *ret_len);
