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

/* The incremental CRL.  A status change (certs.c, caimport.c) only calls
 * crl_mark_changed() in its own transaction: crl_work.changes + 1 for its
 * issuer, and a notification on CRL_CHANNEL to every node.  The CRL is
 * rebuilt later, outside any write transaction: crl_rebuild_if_due()
 * (eonayd's CRL thread, src/server/crlpub.c) or crl_publish() (eonayctl
 * crl publish).  A rebuild takes the issuer's lease (crl_work, one node at
 * a time, CRL_LEASE seconds at most), reads the held and revoked
 * certificates from one read snapshot in serial order (the index
 * certificates_crl) straight into the DER of the CRL (pki_crl_builder),
 * signs it, writes its bytes in chunks (crl_chunks, a short transaction
 * each) and makes them current in a short transaction under
 * db_lock("crl:ISSUER") only if the current CRL is still the one it
 * numbered from: CRL numbers strictly increase and no two CRLs share one.
 * OCSP reads the status row and shows a change at once. */
#define CRL_CHANNEL "eonay_crl"
#define CRL_LEASE 60

/* In the caller's transaction: a held or revoked certificate of issuer
 * came, changed or went; its CRL is out of date. */
int crl_mark_changed(struct db *db, const char *issuer);

/* Builds, signs and stores a new CRL of ca's issuing CA now (its next CRL
 * number) from the store's held and revoked certificates of that issuer,
 * valid for validity seconds.  Waits while another node builds it (up to
 * CRL_LEASE seconds: -EBUSY).  Not inside a transaction. */
int crl_publish(struct db *db, struct pki_ca *ca, int64_t validity, int64_t *ret_number);

/* The schedule: publishes (as crl_publish, but never waiting) when there
 * is no CRL yet, when a status changed since the current one was built
 * and min_interval seconds have passed since its thisUpdate, or when half
 * of its validity is gone.  *ret_number: the new CRL's number, 0 when
 * nothing was due or another node holds the lease. */
int crl_rebuild_if_due(struct db *db, struct pki_ca *ca, int64_t validity, int64_t min_interval,
		       int64_t *ret_number);

/* crl_rebuild_if_due in three steps, for a caller that runs the long one
 * elsewhere (eonayd: in a thread of lower priority, so that requests keep
 * the CPU, while the short transactions stay at normal priority):
 *   crl_job_start: the schedule and the lease (a short transaction);
 *     *ret NULL when nothing is due or another node holds the lease;
 *   crl_job_build: the snapshot read, the entries, the signature (seconds
 *     at 1 000 000 entries; no write, no write lock; on any one thread at
 *     a time, the job's db is the one given to start);
 *   crl_job_finish: stores the CRL when r (build's result) is 0 (-ESTALE
 *     when another node published meanwhile), gives the lease up, frees
 *     the job; returns r or the store's result, *ret_number. */
struct crl_job;
int crl_job_start(struct db *db, struct pki_ca *ca, int64_t validity, int64_t min_interval,
		  struct crl_job **ret);
int crl_job_build(struct crl_job *j);
int crl_job_finish(struct crl_job *j, int r, int64_t *ret_number);

/* Whether issuer's CRL is out of date (a change it does not list yet). */
int crl_pending(struct db *db, const char *issuer, bool *ret);

/* crl_rebuild_if_due without the change rule (min_interval infinite):
 * none yet, or half of its validity gone.  *ret_published. */
int crl_refresh_if_due(struct db *db, struct pki_ca *ca, int64_t validity, bool *ret_published);

/* The current CRL of issuer (a key identifier; NULL: the one published
 * last, whichever issuer's) as DER (malloc'ed), its number and nextUpdate
 * (with the DER: those of the CRL read, from one snapshot).  -ENOENT when
 * none was published yet.  ret_der NULL: the number and nextUpdate only,
 * the DER is not read (the cheap question /crl asks per request). */
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
