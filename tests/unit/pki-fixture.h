/* pki-fixture.h - throwaway CAs, holder certificates and SoftHSM tokens
 * for the p11 and cades unit tests and the verification benchmark.
 *
 * Everything is built with the OpenSSL API directly, not with the CA code
 * under test, so that a test can make certificates the real CA would
 * refuse to issue: RSA-1024 keys, SHA-1 signatures, no nonRepudiation, no
 * QC statements, expired or not yet valid ones.  Functions return 0 or
 * -errno like the rest of eonay; the tests assert on that. */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/util.h"

/* Holder T.C. Kimlik No the fixture puts in certificates by default. */
#define FX_TCKN "10000000146"

struct fx_ca {
	X509 *cert;
	EVP_PKEY *key;
};

void fx_ca_done(struct fx_ca *ca);

/* A key: "rsa:1024", "rsa:2048", "rsa:3072", "ec:P-256", "ec:P-384",
 * "ec:secp256k1", ... (any curve OpenSSL knows). */
int fx_key_new(const char *spec, EVP_PKEY **ret);

/* A CA certificate with a new key of key_spec (NULL: ec:P-256), signed
 * by issuer (NULL: self-signed root) with SHA-256, valid from
 * not_before to not_after (0, 0: a day ago to ten years on). */
int fx_ca_new(const char *cn, const struct fx_ca *issuer, const char *key_spec,
	      int64_t not_before, int64_t not_after, struct fx_ca *ret);

struct fx_holder_opts {
	const char *key_spec;	/* NULL: ec:P-256 (ignored when pubkey given) */
	EVP_PKEY *pubkey;	/* certify this key instead of a new one */
	const EVP_MD *md;	/* the issuer's signature digest; NULL: SHA-256 */
	int64_t not_before;	/* 0: an hour ago */
	int64_t not_after;	/* 0: a year on */
	const char *cn;		/* NULL: "AYŞE YILMAZ" */
	const char *tckn;	/* NULL: FX_TCKN */
	bool no_nonrepudiation;	/* keyUsage digitalSignature instead */
	bool no_qc;		/* no qcStatements extension */
	const char *policy_oid;	/* certificatePolicies; NULL: none */
};

/* A holder certificate issued by issuer; the new key (when one was made)
 * through ret_key (may be NULL). */
int fx_holder_new(const struct fx_ca *issuer, const struct fx_holder_opts *o, X509 **ret_cert,
		  EVP_PKEY **ret_key);

/* A fresh directory /tmp/eonay-h2-XXXXXX (ret: 64 bytes), and rm -rf. */
int fx_dir_new(char *ret);
void fx_dir_remove(const char *dir);

/* Writes DIR/softhsm2.conf (tokens in DIR/tokens) and points
 * SOFTHSM2_CONF at it. */
int fx_softhsm_setup(const char *dir);

/* Writes a certificate as PEM / data as a file in dir. */
int fx_write_cert(const char *dir, const char *name, X509 *x);
int fx_write_data(const char *dir, const char *name, const void *buf, size_t n);

/* Runs a shell command in dir, stdout+stderr into *ret_out (may be NULL).
 * The exit status, or -1. */
int fx_run(const char *dir, char **ret_out, const char *fmt, ...) _printf_(3, 4);
