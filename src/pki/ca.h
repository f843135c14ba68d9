/* ca.h - the certification authority: root, issuing CA and OCSP responder.
 *
 * A CA directory holds three certificates and (unless the configuration
 * points the keys elsewhere, e.g. at an HSM) their encrypted keys:
 *
 *   root.crt     self-signed root, CA:TRUE pathlen:1
 *   root.key     (only pki_ca_init() uses it; keep it offline afterwards)
 *   issuing.crt  issuing CA, signed by the root, CA:TRUE pathlen:0; signs
 *   issuing.key  holder certificates and CRLs
 *   ocsp.crt     delegated OCSP responder, signed by the issuing CA
 *   ocsp.key     (EKU OCSPSigning, id-pkix-ocsp-nocheck)
 *
 * A loaded struct pki_ca is read-only: once pki_ca_load() returns, any
 * number of threads may issue, build CRLs and answer OCSP with it. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "common/util.h"

struct pki_ca_config {
	/* Names.  country is the two-letter ISO code. */
	const char *root_cn;
	const char *organization;
	const char *country;
	const char *issuing_cn;
	const char *ocsp_cn;

	/* Key specs for pki_ca_init() (see pki_key_generate()). */
	const char *root_key_spec;
	const char *issuing_key_spec;
	const char *ocsp_key_spec;

	/* Key references (a PEM path or a "pkcs11:" URI).  NULL means
	 * DIR/root.key, DIR/issuing.key, DIR/ocsp.key.  When set at
	 * pki_ca_init(), that existing key is certified instead of a new one
	 * being made. */
	const char *root_key_ref;
	const char *issuing_key_ref;
	const char *ocsp_key_ref;

	/* Validity in days of the certificates pki_ca_init() makes, and the
	 * longest a holder certificate may be valid. */
	int root_days;
	int issuing_days;
	int ocsp_days;
	int holder_max_days;

	/* The NES certificate policy OID (dotted) put in holder certificates
	 * and the issuing CA certificate. */
	const char *policy_oid;

	/* Public base URL, no trailing slash.  The certificates point at
	 *   BASE/crl/issuing.crl   CRL distribution point
	 *   BASE/ocsp              OCSP responder
	 *   BASE/ca/issuing.crt    caIssuers
	 *   BASE/pds/en            QcPDS (PKI disclosure statement, English)
	 *   BASE/cps               CPS pointer qualifier of the policy
	 * cps_url, when set, replaces the last one. */
	const char *base_url;
	const char *cps_url;

	/* OCSP: nextUpdate - thisUpdate, in seconds. */
	int ocsp_validity_secs;
};

struct pki_ca;

/* Fills cfg with the defaults: demo names, ec:P-384 for the root and the
 * issuing CA, ec:P-256 for the OCSP responder (it signs every answer),
 * 20 years / 10 years / 1 year, holder certificates up to 3 years, policy
 * 2.16.792.1.2.1.1.5.7.1.9 (the NES policy arc under 2.16.792, Turkey; set
 * the one of your CPS), base URL http://127.0.0.1:8080, OCSP answers valid 1 hour. */
void pki_ca_config_init_defaults(struct pki_ca_config *cfg);

/* Creates a new CA in dir (made 0700 if missing): keys, encrypted with
 * passphrase, and the three certificates (valid from an hour before
 * now, for clock skew).  -EEXIST when any of the files
 * is already there (nothing is changed then); -EINVAL for a bad
 * configuration.  On failure the files it created are removed. */
int pki_ca_init(const struct pki_ca_config *cfg, const char *dir, const char *passphrase);

/* Adopts a CA made elsewhere (`openssl ca`) into dir, for eonayctl ca
 * import.  cert_path: PEM, the CA's certificate first, then its
 * self-signed issuer if it has one (a self-signed CA is its own root);
 * longer chains are -EOPNOTSUPP.  key_ref: the CA's key, a PEM file
 * (unencrypted, or encrypted under key_pass), re-saved encrypted under
 * passphrase as DIR/issuing.key; or a "pkcs11:" URI, which must equal
 * cfg->issuing_key_ref (-EINVAL otherwise) and stays on its token.  A new
 * delegated OCSP responder (cfg's ocsp key spec or reference) is
 * certified by the CA's key.  When dir already holds this same CA,
 * nothing is written and *ret_same is true; another CA there is -EEXIST.
 * -EBADMSG: not a CA certificate (or no subjectKeyIdentifier), or the
 * chain does not hold; -EKEYREJECTED: the key is not the certificate's;
 * -EACCES: the key does not decrypt. */
int pki_ca_adopt(const struct pki_ca_config *cfg, const char *dir, const char *passphrase,
		 const char *cert_path, const char *key_ref, const char *key_pass, bool *ret_same);
/* Removes what a pki_ca_adopt() that returned 0 with *ret_same false
 * wrote (the certificates and the keys that are not references). */
void pki_ca_adopt_undo(const struct pki_ca_config *cfg, const char *dir);

/* The root's CRL (an ARL): the revocation status of the issuing CA, in
 * DIR/root.crl (DER), served at BASE/crl/root.crl, which the issuing CA's
 * cRLDistributionPoints names.  pki_ca_init() signs the first, valid
 * PKI_ARL_DAYS days; it must be signed again before then, with the root
 * key (pki_arl_sign), and copied to every node's pki.dir. */
#define PKI_ARL_FILE "root.crl"
#define PKI_ARL_DAYS 365

/* Signs a new ARL in dir with the root key (cfg's root_key_ref or
 * DIR/root.key, opened with passphrase), valid days days from now,
 * numbered one above the current ARL, whose entries it keeps; with
 * revoke_issuing, DIR/issuing.crt is added with reason (a CRLReason; 0:
 * none written; certificateHold, 7 and removeFromCRL are -EINVAL: a CA is
 * not held).  known: the number of the newest ARL signed as far as the
 * caller knows (0: none); when DIR/root.crl is missing or older, -ESTALE
 * and nothing is signed (numbers only increase, RFC 5280 5.2.3, and a
 * revoked issuing CA stays listed).  -EALREADY, nothing signed, when the
 * issuing CA is listed already (its first date and reason stand).
 * -EBADMSG when the issuing CA is not the root's or the current ARL is not
 * the root's; -EACCES for a wrong passphrase; -ENOENT without a root key.
 * *ret_number, *ret_next_update: the new ARL's. */
int pki_arl_sign(const struct pki_ca_config *cfg, const char *dir, const char *passphrase,
		 int days, bool revoke_issuing, int reason, int64_t known, int64_t *ret_number,
		 int64_t *ret_next_update);

/* Reads DIR/root.crl and checks it is root's (signature and issuer): its
 * DER (malloc'ed), nextUpdate and CRL number (each may be NULL).  -ENOENT
 * when there is none (a CA made before ARLs, or adopted), -EBADMSG when it
 * is not root's or has no CRL number. */
int pki_arl_load(const char *dir, X509 *root, unsigned char **ret, size_t *ret_n,
		 int64_t *ret_next_update, int64_t *ret_number);

/* Opens the CA in dir with the default configuration. */
int pki_ca_load(const char *dir, const char *passphrase, struct pki_ca **ret);
/* Opens the CA in dir: reads the certificates, opens the issuing and OCSP
 * keys (files in dir, or cfg's key references, with passphrase as
 * passphrase or PIN), checks that the keys match the certificates and the
 * chain root -> issuing -> OCSP verifies.  cfg is copied; NULL means the
 * defaults.  -ENOENT when a file is missing, -EACCES for a wrong
 * passphrase, -EBADMSG when the files do not form a valid CA. */
int pki_ca_load_config(const struct pki_ca_config *cfg, const char *dir,
		       const char *passphrase, struct pki_ca **ret);
void pki_ca_free(struct pki_ca *ca);

/* The (copied) configuration the CA was loaded with. */
const struct pki_ca_config *pki_ca_get_config(const struct pki_ca *ca);

/* Borrowed pointers, valid while ca lives (up_ref to keep them longer). */
X509 *pki_ca_root_cert(const struct pki_ca *ca);
X509 *pki_ca_issuing_cert(const struct pki_ca *ca);
X509 *pki_ca_ocsp_cert(const struct pki_ca *ca);
/* A store that trusts the root only. */
X509_STORE *pki_ca_trust_store(const struct pki_ca *ca);
/* The untrusted intermediates for path building: the issuing CA. */
STACK_OF(X509) *pki_ca_chain(const struct pki_ca *ca);

/* The URLs derived from the base URL (see struct pki_ca_config). */
const char *pki_ca_crl_url(const struct pki_ca *ca);
const char *pki_ca_ocsp_url(const struct pki_ca *ca);
const char *pki_ca_issuers_url(const struct pki_ca *ca);
const char *pki_ca_pds_url(const struct pki_ca *ca);
const char *pki_ca_cps_url(const struct pki_ca *ca);

/* Verifies cert against the CA's trust store at time t (0: now, -1: do
 * not check times), with X509_PURPOSE_ANY.  0 or -EACCES with the OpenSSL
 * reason as *ret_reason (malloc'ed, may be NULL). */
int pki_ca_verify_cert(const struct pki_ca *ca, X509 *cert, int64_t t, char **ret_reason);

DEFINE_TRIVIAL_CLEANUP_FUNC(struct pki_ca *, pki_ca_free)
