/* ocsp-der.h - the OCSP fast path: answers written by hand in DER.
 *
 * For the common request - one certificate of our issuing CA, no
 * signature, no requestor name, no extension but an optional nonce - the
 * answer is assembled from parts encoded once, at the CA's first answer
 * (the responder ID, the signature algorithm, the responder certificate,
 * sliced out of one answer OpenSSL signs then) plus the request's CertID and nonce
 * echoed byte for byte, the status, and the times; then one signature over
 * the ResponseData (an EC key: EVP_PKEY_sign of its SHA-256 on a context
 * kept between answers, checked once against the responder certificate;
 * other keys: EVP_DigestSign).  The result is the same DER as pki_ocsp_respond()
 * builds with OpenSSL's OCSP objects except producedAt and the signature
 * (tests/unit/test-ocsp-der.c and tests/fuzz/fuzz-ocsp.c compare both).
 * Anything else is left to the OpenSSL path.  Internal to src/pki (and its
 * tests): the server calls pki_ocsp_respond(), which tries this first. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pki/ocsp.h"

struct pki_ocsp_fast;

/* Frees the parts kept in a CA (pki_ca_free). */
void pki_ocsp_fast_free(struct pki_ocsp_fast *f);

/* Answers req_der as pki_ocsp_respond_ex() would, when the request is of
 * the common form above and its certificate's status can be written.
 * The first call on a CA makes its parts (one signature); should that
 * fail (but for lack of memory), every later call returns -ENOTSUP.
 * Returns 0 with the answer (malloc'ed) and *ret_info filled in (may be
 * NULL); -ENOTSUP when the request is not for the fast path (nothing made:
 * the OpenSSL path answers; lookup may have been called); other -errno as
 * pki_ocsp_respond() (lookup failed, -ENOMEM, -EIO). */
int pki_ocsp_fast_respond(struct pki_ca *ca, const unsigned char *req_der, size_t n,
			  pki_ocsp_lookup_fn lookup, void *userdata, int64_t now,
			  unsigned char **ret_der, size_t *ret_n, struct pki_ocsp_info *ret_info);

/* True when ca's answers are signed over a digest on kept contexts (the
 * EC path above), once its parts are made; for tests. */
bool pki_ocsp_fast_signs_digest(struct pki_ca *ca);
