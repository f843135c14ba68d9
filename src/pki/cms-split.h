/* cms-split.h - the certificates of a DER CMS SignedData taken apart from
 * the rest without decoding them (private to src/pki, used by cades.c).
 *
 * OpenSSL 3.0 decodes every certificate's public key when it decodes a CMS
 * (its key decoder is slow), although a signature check needs none of the
 * keys it already has in its chain cache.  cades_verify() therefore
 * decodes the CMS without its certificates field and matches each
 * certificate by its bytes (SHA-256) against the certificates it decoded
 * before; only a certificate it has never seen is decoded. */
#pragma once

#include <stddef.h>

/* At most this many certificates are split out; more: -E2BIG. */
#define PKI_CMS_MAX_CERTS 16

struct pki_der_span {
	const unsigned char *p;	/* points into the input */
	size_t n;
};

/* der (n bytes) must be exactly one definite-length DER ContentInfo
 * SEQUENCE { OID, [0] EXPLICIT SEQUENCE { version, digestAlgorithms,
 * encapContentInfo, [0] certificates OPTIONAL, ... } }, each certificate a
 * SEQUENCE.  Gives the same ContentInfo without the certificates field
 * (*ret_rest, malloc'ed) and the certificates' encodings (into der).
 * -EINVAL for anything else (indefinite lengths, other certificate
 * choices, trailing bytes): the caller then decodes der as it is. */
int pki_cms_split_certs(const unsigned char *der, size_t n, unsigned char **ret_rest,
			size_t *ret_rest_n, struct pki_der_span certs[PKI_CMS_MAX_CERTS],
			size_t *ret_count);
