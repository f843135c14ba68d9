/* ca-private.h - the inside of struct pki_ca, for the pki modules only.
 *
 * profile-*.c, crl.c and ocsp.c read these fields directly; code outside
 * src/pki uses the accessors in ca.h. */
#pragma once

#include <stdatomic.h>

#include <openssl/asn1.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "pki/ca.h"

struct pki_ca {
	struct pki_ca_config cfg;	/* strings below are owned copies */
	char *strings[16];		/* what cfg's strings point into */
	char *crl_url, *ocsp_url, *issuers_url, *pds_url, *cps_url;
	ASN1_OBJECT *policy;

	X509 *root, *issuing, *ocsp;
	EVP_PKEY *issuing_key, *ocsp_key;
	const EVP_MD *issuing_md, *ocsp_md;
	EVP_MD_CTX *ocsp_sign_tmpl;	/* DigestSign set up once, copied per answer */
	/* ocsp-der.c's parts, made at the first answer; failed: OpenSSL path */
	struct pki_ocsp_fast *_Atomic ocsp_fast;
	atomic_bool ocsp_fast_failed;
	int64_t issuing_not_before, issuing_not_after;
	X509_STORE *store;
	STACK_OF(X509) *chain;

	/* OCSP CertID matching: the issuing CA's name and key hashes. */
	unsigned char name_sha1[20], key_sha1[20];
	unsigned char name_sha256[32], key_sha256[32];
};

/* Certificate-building helpers shared by ca.c and profile-issue.c. */

/* Adds name entry nid=value with an explicit ASN.1 string type
 * (V_ASN1_UTF8STRING, V_ASN1_PRINTABLESTRING), independent of the
 * process-wide string mask. */
int pki_name_add(X509_NAME *name, int nid, int type, const char *value);
/* Adds an extension from its OpenSSL configuration string
 * ("critical,CA:TRUE", "keyid:always", ...), issuer for AKI. */
int pki_cert_add_conf_ext(X509 *cert, X509 *issuer, int nid, const char *value);
/* Adds certificatePolicies with one policy and an optional CPS URI. */
int pki_cert_add_policy(X509 *cert, const ASN1_OBJECT *policy, const char *cps_url);
int pki_cert_set_validity(X509 *cert, int64_t not_before, int64_t not_after);

/* Opens the key of cert (a PEM file DIR/file, or ref) with passphrase and
 * checks it is cert's: -EBADMSG when not. */
int pki_ca_key_open(const char *dir, const char *ref, const char *file, const char *passphrase,
		    X509 *cert, EVP_PKEY **ret);

/* Signs and writes (atomically, 0600) DIR/root.crl: number 1, or prev's
 * number + 1 with prev's entries; revoke, when set, is added (-EALREADY
 * when prev lists it) with reason
 * (0: no reasonCode) and the date now; valid days days from now. */
int pki_arl_write(const char *dir, X509 *root, EVP_PKEY *key, X509_CRL *prev, X509 *revoke,
		  int reason, int64_t now, int days, int64_t *ret_number);
