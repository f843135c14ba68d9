/* crl.h - the issuing CA's certificate revocation list (RFC 5280 5).
 *
 * The store knows what is revoked; pki_crl_build() turns that list into a
 * signed v2 CRL: CRL number, authority key identifier, entries sorted by
 * serial with their reason codes, held entries (certificateHold) with the
 * hold instruction id-holdinstruction-reject. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/x509.h>

#include "pki/ca.h"

/* RFC 5280 CRLReason values. */
enum {
	PKI_REASON_UNSPECIFIED = 0,
	PKI_REASON_KEY_COMPROMISE = 1,
	PKI_REASON_CA_COMPROMISE = 2,
	PKI_REASON_AFFILIATION_CHANGED = 3,
	PKI_REASON_SUPERSEDED = 4,
	PKI_REASON_CESSATION_OF_OPERATION = 5,
	PKI_REASON_CERTIFICATE_HOLD = 6,
	PKI_REASON_REMOVE_FROM_CRL = 8,	/* delta CRLs only: refused here */
	PKI_REASON_PRIVILEGE_WITHDRAWN = 9,
	PKI_REASON_AA_COMPROMISE = 10,
};

/* English name of a reason ("keyCompromise"), NULL when not valid. */
const char *pki_reason_to_string(int reason);
/* The reason for a name as above.  -EINVAL when unknown. */
int pki_reason_from_string(const char *s, int *ret);

struct pki_revoked_entry {
	const char *serial_hex;	/* any case, leading zeros allowed */
	int64_t revoked_at;	/* seconds since the epoch */
	int reason;		/* CRLReason; 0 is written without a reason code */
};

/* Builds and signs (issuing CA key) a v2 CRL.  -EINVAL for a bad serial,
 * a reason that is not a CRLReason (or is removeFromCRL), the same serial
 * twice, or next_update <= this_update. */
int pki_crl_build(struct pki_ca *ca, const struct pki_revoked_entry *entries, size_t n,
		  uint64_t crl_number, int64_t this_update, int64_t next_update, X509_CRL **ret);

/* A CRL built straight into DER (crl-der.c): the way to build a big one.
 * Entries are added in serial order (numeric; out of order is sorted at
 * the end, at the cost of a copy); each is encoded at once, no OpenSSL
 * object per entry.  finish signs the TBS with the issuing CA's key
 * (EVP_DigestSign) and hands over the whole CRL as DER (malloc'ed, free()
 * it); the builder is then spent (free it).  -EINVAL from add for a bad
 * serial or reason (as pki_crl_build), from finish for a serial twice. */
struct pki_crl_builder;
int pki_crl_builder_new(struct pki_ca *ca, uint64_t number, int64_t this_update,
			int64_t next_update, struct pki_crl_builder **ret);
int pki_crl_builder_add(struct pki_crl_builder *b, const char *serial_hex, int64_t revoked_at,
			int reason);
size_t pki_crl_builder_count(const struct pki_crl_builder *b);
int pki_crl_builder_finish(struct pki_crl_builder *b, unsigned char **ret_der, size_t *ret_n);
void pki_crl_builder_free(struct pki_crl_builder *b);
static inline void pki_crl_builder_freep(struct pki_crl_builder **b)
{
	pki_crl_builder_free(*b);
}

/* The DER of one revokedCertificates entry (serial, revocationDate,
 * reasonCode unless unspecified, hold instruction reject when held). */
#define PKI_CRL_ENTRY_MAX 96
int pki_crl_entry_der(const char *serial_hex, int64_t revoked_at, int reason,
		      unsigned char ret[PKI_CRL_ENTRY_MAX], size_t *ret_n);

/* DER in a malloc'ed buffer (free() it), and PEM as a malloc'ed string. */
int pki_crl_to_der(X509_CRL *crl, unsigned char **ret, size_t *ret_n);
int pki_crl_to_pem(X509_CRL *crl, char **ret);
