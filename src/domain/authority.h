/* authority.h - the CA as the services run it: settings to PKI config,
 * the CA key passphrase, opening and creating the CA, publishing CRLs.
 *
 * Part of src/domain/, the domain layer shared by eonayd and eonayctl: operations
 * that combine the store (src/store) with the PKI library (src/pki). */
#pragma once
#include "common/config.h"
#include "pki/ca.h"
#include "store/db.h"

/* Fills a pki_ca_config from the settings (names, policy, base URL). */
void authority_config(const struct config *cfg, struct pki_ca_config *ret);

/* The CA key passphrase: pki.passphrase, else the file pki.passphrase_file;
 * with create, a missing file gets a fresh random passphrase (0600).
 * Free with secret_free(). */
int authority_passphrase(const struct config *cfg, bool create, char **ret);

/* Creates the CA hierarchy in pki.dir (-EEXIST when there is one). */
int authority_init(const struct config *cfg);

/* Opens the CA in pki.dir. -ENOENT when none was created yet. */
int authority_open(const struct config *cfg, struct pki_ca **ret);

/* Signs the root's CRL (pki_arl_sign) with the root key in pki.dir and
 * audits it (pki.arl, or pki.arl_revoke_issuing with revoke_issuing: the
 * number, nextUpdate and reason, as signed).  It continues from the
 * newest ARL the audit log knows of: a missing or older pki.dir/root.crl
 * is -ESTALE (*ret_number is then the audited number), nothing signed.
 * -EOPNOTSUPP for a CA adopted with `ca import` (its root's CRLs are
 * numbered where that root is kept).  Other errors as pki_arl_sign; when
 * the audit append fails after signing, its error with *ret_number set. */
int authority_arl_sign(const struct config *cfg, struct db *db, int days, bool revoke_issuing,
		       int reason, int64_t *ret_number, int64_t *ret_next_update);
