/* key.h - private keys and certificates on disk, serials and fingerprints.
 *
 * Key files are encrypted PKCS#8 PEM (PBES2: PBKDF2-HMAC-SHA256 and
 * AES-256-CBC), mode 0600, written atomically.  A key reference is
 * either such a file's path or a "pkcs11:" URI (RFC 7512) for a key on a
 * token or HSM, which p11_uri_load_key() (pki/p11.h) opens.
 *
 * Serial numbers cross module boundaries (store, CRL, OCSP) as text in one
 * canonical form: lower-case hex of the integer's magnitude, two digits per
 * byte, without leading zero bytes ("00" for zero).  At most 20 bytes
 * (RFC 5280), so PKI_SERIAL_HEX_MAX bytes always hold it. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#define PKI_SERIAL_HEX_MAX (2 * 20 + 1)
#define PKI_SHA256_HEX_MAX 65

/* Makes a new key.  spec is "rsa:2048", "rsa:3072", "rsa:4096", "ec:P-256"
 * or "ec:P-384"; anything else is -EINVAL.  -EIO when OpenSSL fails. */
int pki_key_generate(const char *spec, EVP_PKEY **ret);

/* Writes key as encrypted PKCS#8 PEM (AES-256-CBC) to path, mode 0600,
 * atomically.  passphrase must not be empty (-EINVAL). */
int pki_key_save(EVP_PKEY *key, const char *path, const char *passphrase);

/* Opens a key by reference: a "pkcs11:" URI (passphrase is then the token
 * PIN) or the path of a PEM file.  An encrypted PKCS#8 file needs the
 * passphrase it was saved with: -EACCES when it does not decrypt (wrong
 * passphrase or altered ciphertext).  An unencrypted PEM key is accepted
 * only when passphrase is NULL.  -EBADMSG for a damaged or foreign file,
 * -ENOENT when it does not exist. */
int pki_key_load(const char *ref, const char *passphrase, EVP_PKEY **ret);

/* The digest a CA key signs with: SHA-384 for P-384 keys, SHA-256 for the
 * others.  NULL for unsupported key types. */
const EVP_MD *pki_key_digest(EVP_PKEY *key);

/* Reads a certificate, PEM or DER.  -ENOENT, -EBADMSG. */
int pki_cert_load(const char *path, X509 **ret);
/* Parses a certificate from memory, PEM or DER.  -EBADMSG. */
int pki_cert_parse(const void *buf, size_t n, X509 **ret);
/* Writes a certificate as PEM, mode 0600 (it lives in the data directory), atomically. */
int pki_cert_save(X509 *cert, const char *path);
/* DER encoding of any OpenSSL object with its i2d function, in a malloc'ed
 * buffer (free() it): pki_der_encode(CHECKED_I2D_OF(X509, i2d_X509), x, ...). */
int pki_der_encode(i2d_of_void *i2d, const void *obj, unsigned char **ret, size_t *ret_n);
/* DER encoding in a malloc'ed buffer (free() it). */
int pki_cert_to_der(X509 *cert, unsigned char **ret, size_t *ret_n);
/* The contents of a memory BIO as a malloc'ed NUL-terminated string. */
int pki_bio_to_string(BIO *bio, char **ret);
/* PEM encoding as a malloc'ed NUL-terminated string. */
int pki_cert_to_pem(X509 *cert, char **ret);

/* A serial in canonical hex (see above).  -EINVAL when negative or longer
 * than 20 bytes. */
int pki_serial_to_hex(const ASN1_INTEGER *serial, char ret[PKI_SERIAL_HEX_MAX]);
/* Parses hex (either case, leading zeros allowed) into a positive
 * ASN1_INTEGER of at most 20 bytes.  -EINVAL otherwise. */
int pki_serial_from_hex(const char *hex, ASN1_INTEGER **ret);
/* A fresh random serial: 16 bytes, positive, top byte non-zero, so that
 * its hex is always 32 digits. */
int pki_serial_random(ASN1_INTEGER **ret);

/* The certificate's serial in canonical hex. */
int pki_cert_serial_hex(X509 *cert, char ret[PKI_SERIAL_HEX_MAX]);
/* Key identifiers in lower-case hex: at most 32 bytes. */
#define PKI_KEY_ID_HEX_MAX (2 * 32 + 1)
/* The key identifier of a CA certificate, as what it issues names it: its
 * subjectKeyIdentifier, or when it has none SHA-1 of its subjectPublicKey
 * (RFC 5280 4.2.1.2 method 1, which is what our CA puts there, and so the
 * issuerKeyHash of an OCSP CertID made with SHA-1).  The store keys
 * certificates and CRLs by it (issuer + serial).  -EBADMSG when longer
 * than 32 bytes. */
int pki_cert_key_id_hex(X509 *ca_cert, char ret[PKI_KEY_ID_HEX_MAX]);
/* The keyIdentifier of cert's authorityKeyIdentifier: its issuer's
 * pki_cert_key_id_hex().  -ENOENT when it has none. */
int pki_cert_issuer_key_id_hex(X509 *cert, char ret[PKI_KEY_ID_HEX_MAX]);
/* SHA-256 of the certificate's DER, lower-case hex. */
int pki_cert_sha256_hex(X509 *cert, char ret[PKI_SHA256_HEX_MAX]);

/* An ASN1_TIME (UTCTime or GeneralizedTime) as seconds since the epoch. */
int pki_asn1_time_to_unix(const ASN1_TIME *t, int64_t *ret);
