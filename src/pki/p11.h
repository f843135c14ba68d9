/* p11.h - PKCS#11 tokens: holder cards and CA keys in an HSM.
 *
 * A struct p11_ctx is one loaded PKCS#11 module (a card reader driver, an
 * HSM, SoftHSM in the tests).  Tokens are named by their label; slot
 * numbers are never kept because modules renumber them (SoftHSM does after
 * C_InitToken).  Management (init, PINs, key generation, certificates) goes
 * through the PKCS#11 C API directly; a private key handed out as an
 * EVP_PKEY comes from libp11, so OpenSSL (CMS signing) uses it like any
 * other key while the operation runs on the token.  (The implementation
 * is split by concern over src/pki/p11-*.c; see p11-private.h.)
 *
 * Errors: -EACCES wrong PIN, -EPERM PIN locked, -ENOENT no such token,
 * key or certificate, -EEXIST token label taken, -ENOSPC no free slot,
 * -EINVAL bad arguments, -EIO anything the module refused.
 *
 * PINs passed in are never copied into error strings or kept; the copies
 * this module makes are wiped after use.  A p11_ctx is not thread-safe:
 * use one per thread (or lock around it). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/util.h"

/* The module used when none is given (a p11_uri_load_key() URI without
 * module-path, p11_open(NULL)). */
#define P11_DEFAULT_MODULE "/usr/lib/softhsm/libsofthsm2.so"

/* Longest CKA_ID kept in struct p11_cert_info. */
#define P11_ID_MAX 64

/* Token PIN flags, as the token reports them (SoftHSM reports none). */
enum {
	P11_PIN_COUNT_LOW = 1u << 0,	/* CKF_USER_PIN_COUNT_LOW: a wrong PIN was entered */
	P11_PIN_FINAL_TRY = 1u << 1,	/* CKF_USER_PIN_FINAL_TRY: one more wrong PIN locks */
	P11_PIN_LOCKED = 1u << 2,	/* CKF_USER_PIN_LOCKED */
	P11_PIN_TO_BE_CHANGED = 1u << 3,	/* CKF_USER_PIN_TO_BE_CHANGED */
	P11_SO_PIN_COUNT_LOW = 1u << 4,
	P11_SO_PIN_FINAL_TRY = 1u << 5,
	P11_SO_PIN_LOCKED = 1u << 6,
	P11_USER_PIN_NOT_SET = 1u << 7,	/* !CKF_USER_PIN_INITIALIZED */
};

struct p11_ctx;

/* Loads a PKCS#11 module (NULL: P11_DEFAULT_MODULE) and initialises it.
 * -ENOENT when the file is missing, -EIO when it does not load. */
int p11_open(const char *module_path, struct p11_ctx **ret);
/* Closes the context's sessions; the last context on a module finalises
 * and releases it.  Free every EVP_PKEY from p11_key_open() before (a key
 * works as long as some p11_ctx on its module is open).  NULL is fine. */
void p11_close(struct p11_ctx *ctx);
/* The last PKCS#11 call the module refused on ctx and its answer, such as
 * "C_InitToken: CKR_DEVICE_ERROR": what an operator needs beyond -EIO.
 * NULL when none was refused (or ctx is NULL).  Never holds a PIN. */
const char *p11_last_error(const struct p11_ctx *ctx);

/* Initialises a fresh token in the first slot whose token is not
 * initialised yet (C_InitToken with so_pin), then sets the user PIN
 * (SO login in a read-write session, C_InitPIN).  label: at most 32
 * bytes.  -EEXIST when a token with that label exists, -ENOSPC when no
 * slot is free. */
int p11_token_init(struct p11_ctx *ctx, const char *label, const char *so_pin,
		   const char *user_pin);

/* The token labelled label wiped and initialised again (C_InitToken with
 * its SO PIN so_pin: every object on it goes), then its user PIN set;
 * p11_token_init() when there is no such token.  For a card whose
 * production stopped half-way.  -EACCES when so_pin is not its SO PIN. */
int p11_token_reinit(struct p11_ctx *ctx, const char *label, const char *so_pin,
		     const char *user_pin);

/* Labels of the initialised tokens present, in slot order.  *ret is a
 * NULL-terminated malloc'ed array (p11_strv_free() it). */
int p11_tokens_list(struct p11_ctx *ctx, char ***ret, size_t *ret_n);
void p11_strv_free(char **v);
DEFINE_TRIVIAL_CLEANUP_FUNC(char **, p11_strv_free)

/* Generates a key pair ON the token labelled label: key_spec "rsa:2048",
 * "rsa:3072", "rsa:4096", "ec:P-256" or "ec:P-384".  The private key is
 * private, sensitive and not extractable, and may only sign; both halves
 * get CKA_ID id (1..P11_ID_MAX bytes) and CKA_LABEL = hex of the id.  The
 * public key comes back as a plain OpenSSL key (for a certificate
 * request).  -EEXIST when a key with that id exists on the token. */
int p11_keygen(struct p11_ctx *ctx, const char *label, const char *user_pin,
	       const char *key_spec, const unsigned char *id, size_t id_len,
	       EVP_PKEY **ret_pubkey);

/* Stores cert on the token (a public certificate object, CKA_ID id, so
 * that it pairs with the key made by p11_keygen() with the same id). */
int p11_cert_store(struct p11_ctx *ctx, const char *label, const char *user_pin,
		   X509 *cert, const unsigned char *id, size_t id_len);

struct p11_cert_info {
	char *token_label;
	char *token_serial;
	X509 *cert;
	unsigned char id[P11_ID_MAX];
	size_t id_len;
};

/* All certificates on all initialised tokens (no login needed), token by
 * token in slot order.  *ret is NULL when there is none. */
int p11_certs_list(struct p11_ctx *ctx, struct p11_cert_info **ret, size_t *ret_n);
void p11_cert_info_free_array(struct p11_cert_info *a, size_t n);

/* Logs into the token with user_pin and returns the private key matching
 * cert (same public key), usable with EVP_DigestSign* and CMS signing
 * (cades_sign()).  The key refers to ctx: free it before p11_close().
 * -EACCES wrong PIN, -EPERM PIN locked, -ENOENT no such token or no key
 * matching cert.  The PIN is always checked, even when the token is
 * logged in already; a wrong one leaves it logged out (keys opened
 * before from it stop working until the next good p11_key_open()). */
int p11_key_open(struct p11_ctx *ctx, const char *label, const char *user_pin, X509 *cert,
		 EVP_PKEY **ret_key);

/* The serial number the token reports (CK_TOKEN_INFO, blanks dropped). */
int p11_token_serial(struct p11_ctx *ctx, const char *label, char ret[17]);

/* The token's P11_PIN_* flags. */
int p11_pin_status(struct p11_ctx *ctx, const char *label, unsigned *ret_flags);

/* The PIN lengths the token takes (CK_TOKEN_INFO ulMinPinLen and
 * ulMaxPinLen). */
int p11_pin_limits(struct p11_ctx *ctx, const char *label, unsigned *ret_min,
		   unsigned *ret_max);

/* Changes the user PIN (C_SetPIN after a user login). */
int p11_pin_change(struct p11_ctx *ctx, const char *label, const char *old_pin,
		   const char *new_pin);
/* Sets a new user PIN with the SO PIN (C_InitPIN): unblocks a locked PIN. */
int p11_pin_unblock(struct p11_ctx *ctx, const char *label, const char *so_pin,
		    const char *new_user_pin);
/* Changes the SO PIN (C_SetPIN after an SO login). */
int p11_so_pin_change(struct p11_ctx *ctx, const char *label, const char *old_so_pin,
		      const char *new_so_pin);

/* Opens a private key named by an RFC 7512 URI, for CA keys kept in an
 * HSM:
 *
 *   pkcs11:token=LABEL;object=NAME;id=%01%02?module-path=/path&pin-value=1234
 *
 * token is required; object (CKA_LABEL) and/or id select the key (the
 * first private key when neither is given); module-path defaults to
 * P11_DEFAULT_MODULE; the PIN is pin, else pin-value, else none.
 * Percent-encoding is decoded in every value.
 *
 * The module stays loaded and logged in for the life of the process: a
 * process-wide cache keeps one p11_ctx per module path (and per token one
 * login), so the key may be used from any thread for as long as the
 * process runs, and freed with EVP_PKEY_free() at any time.
 * p11_uri_cache_flush() closes them all (call it only when no such key is
 * in use any more, e.g. at exit).  Once a token is logged in this way, a
 * later call must give the same PIN (compared with a salted hash kept in
 * memory, without logging the token out): -EACCES otherwise, also for no
 * PIN on a token that needs a login.  -EINVAL for a malformed URI (read
 * by p11-kit; the exact rules are in pki/p11-uri.h). */
int p11_uri_load_key(const char *uri, const char *pin, EVP_PKEY **ret);
void p11_uri_cache_flush(void);

DEFINE_TRIVIAL_CLEANUP_FUNC(struct p11_ctx *, p11_close)
