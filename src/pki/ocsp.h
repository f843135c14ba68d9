/* ocsp.h - the OCSP responder core (RFC 6960), without HTTP.
 *
 * The server hands the DER body of a POST (or the decoded GET path) to
 * pki_ocsp_respond() and sends back what it returns as
 * application/ocsp-response.  Status comes from the caller through a
 * lookup callback (the store); answers are signed by the delegated OCSP
 * responder certificate, which is included, with the responder ID by key
 * hash and SHA-256.  Safe to call from several threads at once on the
 * same CA (the callback must be too). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <openssl/ocsp.h>

#include "pki/ca.h"
#include "pki/key.h"

/* Largest request accepted, and most single requests in one. */
#define PKI_OCSP_MAX_REQUEST (64 * 1024)
#define PKI_OCSP_MAX_SINGLE 64

enum pki_ocsp_cert_status {
	PKI_OCSP_GOOD = V_OCSP_CERTSTATUS_GOOD,
	PKI_OCSP_REVOKED = V_OCSP_CERTSTATUS_REVOKED,
	PKI_OCSP_UNKNOWN = V_OCSP_CERTSTATUS_UNKNOWN,
};

struct pki_ocsp_status {
	enum pki_ocsp_cert_status status;
	int64_t revoked_at;	/* REVOKED: seconds since the epoch */
	int reason;		/* REVOKED: CRLReason (crl.h); 0 is sent without a reason,
				 * 6 = certificateHold */
};

/* Looks up one serial (canonical hex, see key.h) issued by the issuer
 * whose key identifier (pki_cert_key_id_hex) is issuer_hex: the issuing CA
 * that the request's issuerNameHash and issuerKeyHash named.  Returns 0
 * with *ret filled in (UNKNOWN for a serial that issuer never issued), or
 * -errno, which makes pki_ocsp_respond() fail with it. */
typedef int (*pki_ocsp_lookup_fn)(void *userdata, const char *issuer_hex, const char *serial_hex,
				  struct pki_ocsp_status *ret);

/* Answers one DER OCSP request.  The answer (DER, malloc'ed, free() it)
 * is one of:
 *   - malformedRequest, for anything that does not parse, is larger than
 *     PKI_OCSP_MAX_REQUEST, has no or more than PKI_OCSP_MAX_SINGLE
 *     single requests, or a nonce of more than 32 bytes (RFC 8954);
 *   - successful: one SingleResponse per request, in order.  A CertID
 *     whose issuerNameHash/issuerKeyHash (SHA-1 or SHA-256) are not our
 *     issuing CA's is "unknown" without asking lookup; otherwise lookup
 *     decides good, revoked (time, reason) or unknown.  thisUpdate is
 *     now, nextUpdate now + the configured validity (default 1 hour); a
 *     request nonce is echoed.  producedAt is the wall clock (OpenSSL
 *     sets it when signing).
 * Returns 0 with an answer, or -errno (lookup failed, -ENOMEM, -EIO when
 * signing failed): then answer pki_ocsp_error_response(internalError). */
int pki_ocsp_respond(struct pki_ca *ca, const unsigned char *req_der, size_t n,
		     pki_ocsp_lookup_fn lookup, void *userdata, int64_t now,
		     unsigned char **ret_der, size_t *ret_n);

/* What pki_ocsp_respond_ex() tells about the answer it made. */
struct pki_ocsp_info {
	bool successful;	/* a signed answer (not malformedRequest) */
	bool nonce;		/* the request had a nonce (echoed) */
	unsigned singles;	/* single requests answered */
	int64_t this_update, next_update;	/* successful: of every SingleResponse */
	/* With exactly one single request about our issuing CA (lookup asked): */
	bool looked_up;
	char issuer[PKI_KEY_ID_HEX_MAX];	/* pki_cert_key_id_hex of the issuing CA */
	char serial[PKI_SERIAL_HEX_MAX];
	struct pki_ocsp_status status;	/* what lookup said, as in the answer */
};

/* pki_ocsp_respond() that also fills *ret_info (may be NULL). */
int pki_ocsp_respond_ex(struct pki_ca *ca, const unsigned char *req_der, size_t n,
			pki_ocsp_lookup_fn lookup, void *userdata, int64_t now,
			unsigned char **ret_der, size_t *ret_n, struct pki_ocsp_info *ret_info);

/* pki_ocsp_respond_ex() always the OpenSSL way (OCSP_BASICRESP,
 * OCSP_basic_sign), without the hand-written DER of ocsp-der.h that
 * pki_ocsp_respond_ex() tries first: the reference the tests and the fuzz
 * target compare the fast answers with. */
int pki_ocsp_respond_openssl(struct pki_ca *ca, const unsigned char *req_der, size_t n,
			     pki_ocsp_lookup_fn lookup, void *userdata, int64_t now,
			     unsigned char **ret_der, size_t *ret_n, struct pki_ocsp_info *ret_info);

/* An unsigned answer with only a status: OCSP_RESPONSE_STATUS_
 * MALFORMEDREQUEST, INTERNALERROR, TRYLATER, SIGREQUIRED or UNAUTHORIZED.
 * DER, malloc'ed. */
int pki_ocsp_error_response(int status, unsigned char **ret_der, size_t *ret_n);
