/* cades-cache.h - private to src/pki: the chain cache of cades_verify()
 * (cades_cache_flush() is public, in cades.h). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <openssl/x509.h>

#include "pki/cades.h"
#include "pki/cms-split.h"

/* SHA-256 of n bytes (the digest fetched once). */
int cades_der_sha256(const unsigned char *p, size_t n, unsigned char ret[32]);

/* An up-ref'd copy of the chain cached for the signer certificate whose
 * DER has SHA-256 key, or NULL. */
STACK_OF(X509) *cades_cache_get(const unsigned char key[32]);
/* Keeps chain (signer first, anchor last) for key, replacing the least
 * recently used entry of its set. */
void cades_cache_put(const unsigned char key[32], STACK_OF(X509) *chain);

/* The certificates of a signature from their DER (n of them): those that
 * are certificates of a cached chain (same bytes: SHA-256) are its
 * decoded ones, up-ref'd; only the others are decoded.  *ret in the same
 * order, hashes[i] the SHA-256 of spans[i].  *ret_bad set (and 0
 * returned, *ret untouched) when one does not decode; -ENOMEM. */
int cades_certs_of(const struct pki_der_span *spans, size_t n, STACK_OF(X509) **ret,
		   unsigned char hashes[PKI_CMS_MAX_CERTS][32], bool *ret_bad);
