/* publish.h - revocation status as the world sees it: the CRL of the
 * issuing CA and the OCSP responder's view of the store. */
#pragma once
#include "pki/ca.h"
#include "pki/ocsp.h"
#include "store/db.h"

/* Builds, signs and stores a new CRL (next CRL number) from the store's
 * held and revoked certificates, valid for validity seconds. */
int crl_publish(struct db *db, struct pki_ca *ca, int64_t validity, int64_t *ret_number);

/* Publishes when there is no CRL yet or less than half of its validity is
 * left (the schedule); *ret_published says whether it did. */
int crl_refresh_if_due(struct db *db, struct pki_ca *ca, int64_t validity, bool *ret_published);

/* The current CRL as DER (malloc'ed), its number and nextUpdate.
 * -ENOENT when none was published yet.  ret_der NULL: only whether there
 * is one. */
int crl_current(struct db *db, unsigned char **ret_der, size_t *ret_n, int64_t *ret_number,
		int64_t *ret_next_update);

/* pki_ocsp_lookup_fn over the store; userdata is the struct db *. */
int ocsp_lookup_store(void *userdata, const char *serial_hex, struct pki_ocsp_status *ret);
