/* publish.h - revocation status as the world sees it: the CRL of the
 * issuing CA and the OCSP responder's view of the store. */
#pragma once
#include "pki/ca.h"
#include "pki/ocsp.h"
#include "domain/certs.h"
#include "store/db.h"

/* CRLs are kept per issuer (crl_state, one row per issuing CA's key
 * identifier, see certs.h): a CA rollover keeps the old CA's CRL and its
 * numbering apart from the new one's. */

/* Builds, signs and stores a new CRL of ca's issuing CA (its next CRL
 * number) from the store's held and revoked certificates of that issuer,
 * valid for validity seconds. */
int crl_publish(struct db *db, struct pki_ca *ca, int64_t validity, int64_t *ret_number);

/* Publishes ca's issuing CA's CRL when it has none yet or less than half
 * of its validity is left (the schedule); *ret_published says whether it
 * did. */
int crl_refresh_if_due(struct db *db, struct pki_ca *ca, int64_t validity, bool *ret_published);

/* The current CRL of issuer (a key identifier; NULL: the one published
 * last, whichever issuer's) as DER (malloc'ed), its number and nextUpdate.
 * -ENOENT when none was published yet.  ret_der NULL: only whether there
 * is one. */
int crl_current(struct db *db, const char *issuer, unsigned char **ret_der, size_t *ret_n,
		int64_t *ret_number, int64_t *ret_next_update);

/* The key identifier the store keys ca's issuing CA's certificates and
 * CRL by (pki_cert_key_id_hex of its certificate). */
int crl_issuer_of(struct pki_ca *ca, char ret[CERT_ISSUER_MAX]);

/* pki_ocsp_lookup_fn over the store (issuer + serial); userdata is the
 * struct db *. */
int ocsp_lookup_store(void *userdata, const char *issuer_hex, const char *serial_hex,
		      struct pki_ocsp_status *ret);

/* The number, thisUpdate and nextUpdate of issuer's current CRL, without
 * its DER (for /metrics).  -ENOENT when none was published yet. */
int crl_times(struct db *db, const char *issuer, int64_t *ret_number, int64_t *ret_this_update,
	      int64_t *ret_next_update);
