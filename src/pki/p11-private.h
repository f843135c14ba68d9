/* p11-private.h - what the PKCS#11 files (src/pki/p11-*.c) share.
 *
 * PKCS#11 state (initialisation, login) belongs to the process, not to a
 * caller, so modules live in a process-wide registry (p11-module.c): every
 * p11_ctx on the same module path shares one loaded module (our dlopen()
 * handle, never closed, plus one libp11 context) and the last p11_close()
 * finalises it.  A p11_ctx owns only its sessions; libp11's slot lists
 * belong to the module, so a key stays usable while any p11_ctx on its
 * module is open.
 *
 *   p11-module.c   module registry, slots, token look-up, sessions, login,
 *                  attribute reads and object search (the C API)
 *   p11-token.c    token set-up, token list, PIN status and changes
 *   p11-objects.c  key generation, certificates stored and listed
 *   p11-sign.c     libp11: private keys as EVP_PKEYs for signing
 *   p11-uri.c      RFC 7512 URIs, parsed by p11-kit (p11-uri.h)
 *   p11-cache.c    the process-wide URI key cache and its PIN check
 *
 * Nothing outside src/pki includes this header. */
#pragma once

#include <pthread.h>

#include <libp11.h>
#include <p11-kit/pkcs11.h>

#include "pki/p11.h"

#define P11_LABEL_LEN 32
#define P11_MAX_OBJECTS 256

/* One libp11 slot enumeration (kept for the module's life: keys point
 * into it). */
struct p11_slot_list {
	PKCS11_SLOT *slots;
	unsigned n;
};

struct p11_module {
	struct p11_module *next;
	char *path;
	void *dl;
	CK_FUNCTION_LIST *f;
	bool initialized_by_us;
	PKCS11_CTX *lib;	/* libp11, loaded on first use */
	struct p11_slot_list *lists;	/* libp11 slot enumerations */
	size_t n_lists;
	unsigned refs;
};

struct p11_ctx {
	struct p11_module *mod;
	CK_FUNCTION_LIST *f;
	/* Sessions kept open while libp11 keys may be in use: PKCS#11 logs a
	 * token out when its last session closes. */
	CK_SESSION_HANDLE *keep;
	size_t n_keep;
	/* The last call the module refused, for p11_last_error(). */
	char last_error[64];
};

/* Guards the module registry and each module's libp11 state. */
extern pthread_mutex_t p11_modules_lock;

/* A CK_RV as -errno (see the error list in p11.h). */
int p11_rv_to_errno(CK_RV rv);
/* p11_rv_to_errno(rv), and "call: CKR_..." kept in ctx for
 * p11_last_error() when rv is not CKR_OK. */
int p11_fail(struct p11_ctx *ctx, const char *call, CK_RV rv);

static inline CK_ULONG p11_pin_len(const char *pin)
{
	return pin ? (CK_ULONG)strlen(pin) : 0;
}

/* A blank-padded CK_UTF8CHAR[32] label as a C string, trailing blanks
 * (and NULs) dropped. */
void p11_label_from_ck(const CK_UTF8CHAR *in, char out[P11_LABEL_LEN + 1]);

/* The slots with a token present, however many (SoftHSM has one per
 * token, and one free): *ret malloc'ed. */
int p11_slots_get(struct p11_ctx *ctx, CK_SLOT_ID **ret, CK_ULONG *n);
/* True when slot holds an initialised token; its info in *ret_info. */
bool p11_slot_token(struct p11_ctx *ctx, CK_SLOT_ID slot, CK_TOKEN_INFO *ret_info);
/* The slot holding the initialised token labelled label (and its info
 * when ret_info is given).  -ENOENT when there is none. */
int p11_token_find(struct p11_ctx *ctx, const char *label, CK_SLOT_ID *ret,
		   CK_TOKEN_INFO *ret_info);

/* Opens a session on the token labelled label and logs in as user (or
 * SO) when pin is given.  A login already in place is dropped first so
 * that the PIN is really checked. */
int p11_session_open(struct p11_ctx *ctx, const char *label, bool rw, CK_USER_TYPE user,
		     const char *pin, CK_SESSION_HANDLE *ret);
/* Logs out (when logout) and closes. */
void p11_session_end(struct p11_ctx *ctx, CK_SESSION_HANDLE s, bool logout);
/* Logs the token in as user with a session of ctx's own kept open until
 * p11_close(), so that libp11's sessions share the login. */
int p11_login_keep(struct p11_ctx *ctx, const char *label, const char *pin);

/* Reads one attribute into a malloc'ed buffer (one byte more than
 * *ret_n, unset).  -ENOENT when the object has no such attribute. */
int p11_attr_get(struct p11_ctx *ctx, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
		 CK_ATTRIBUTE_TYPE type, unsigned char **ret, size_t *ret_n);
/* The objects matching tmpl, at most max. */
int p11_objects_find(struct p11_ctx *ctx, CK_SESSION_HANDLE s, CK_ATTRIBUTE *tmpl,
		     CK_ULONG n_tmpl, CK_OBJECT_HANDLE *ret, CK_ULONG max, CK_ULONG *ret_n);

/* libp11 (p11-sign.c). */

/* libp11's slot for the token labelled label, with a libp11 session open
 * on it and, when pin is given, logged in (the token must be logged in
 * already through p11_login_keep(): libp11 only notices).  -EACCES when
 * libp11 refuses the PIN. */
int p11_lib_slot_login(struct p11_ctx *ctx, const char *label, const char *pin,
		       PKCS11_SLOT **ret);
/* The private key on tok with CKA_ID id (id_len 0: any), CKA_LABEL
 * object (NULL: any) and public half pub (NULL: any); the first that
 * matches.  -ENOENT when none does. */
int p11_lib_key_find(PKCS11_TOKEN *tok, const unsigned char *id, size_t id_len,
		     const char *object, EVP_PKEY *pub, EVP_PKEY **ret);
