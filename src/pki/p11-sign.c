/* p11-sign.c - private keys on a token as OpenSSL keys, through libp11.
 *
 * libp11 is used for the one thing it does well: an EVP_PKEY whose
 * private operations run on the token, so that OpenSSL (CMS signing in
 * cades.c, certificate and CRL signing in ca.c) uses it like any other
 * key.  Everything else goes to the C API (p11-module.c), because libp11
 * 0.4.12 cannot initialise a token in a fresh slot, generate EC keys or
 * cope with slots renumbered under it.  p11_key_open() serves the holder's
 * card; p11-cache.c builds p11_uri_load_key() on the same helpers. */
#include "pki/p11-private.h"

#include <openssl/err.h>

/* libp11's context on the module, loaded on first use (under
 * p11_modules_lock).  It finds the module initialised and leaves it so. */
static int module_lib(struct p11_module *m, PKCS11_CTX **ret)
{
	if (!m->lib) {
		PKCS11_CTX *lib = PKCS11_CTX_new();
		if (!lib)
			return -ENOMEM;
		if (PKCS11_CTX_load(lib, m->path) < 0) {
			PKCS11_CTX_free(lib);
			ERR_clear_error();
			return -EIO;
		}
		m->lib = lib;
	}
	*ret = m->lib;
	return 0;
}

static PKCS11_SLOT *lists_find(struct p11_module *m, const char *label)
{
	for (size_t k = m->n_lists; k > 0; k--)
		for (unsigned i = 0; i < m->lists[k - 1].n; i++) {
			PKCS11_SLOT *sl = &m->lists[k - 1].slots[i];
			PKCS11_TOKEN *t = sl->token;
			if (t && t->initialized && t->label && streq(t->label, label))
				return sl;
		}
	return NULL;
}

/* libp11's slot for the token labelled label.  A slot libp11 already has
 * is reused: libp11 closes all of a slot's sessions (and so logs the
 * token out) when a second slot object opens one.  Only a token it has
 * not seen yet makes it enumerate afresh (PKCS11_update_slots() is not
 * safe with several slots).  The lists live as long as the module, so
 * keys stay valid while any p11_ctx on it is open.  *ret_new tells
 * whether the slot is new to libp11. */
static int lib_slot(struct p11_ctx *ctx, const char *label, PKCS11_SLOT **ret, bool *ret_new)
{
	struct p11_module *m = ctx->mod;
	struct p11_slot_list *nl;
	PKCS11_SLOT *slots = NULL, *sl;
	PKCS11_CTX *lib;
	unsigned n = 0;
	int r;

	pthread_mutex_lock(&p11_modules_lock);
	sl = lists_find(m, label);
	if (sl) {
		*ret = sl;
		*ret_new = false;
		pthread_mutex_unlock(&p11_modules_lock);
		return 0;
	}
	r = module_lib(m, &lib);
	if (r >= 0 && PKCS11_enumerate_slots(lib, &slots, &n) < 0)
		r = -EIO;
	if (r >= 0) {
		nl = realloc(m->lists, (m->n_lists + 1) * sizeof(*nl));
		if (!nl) {
			PKCS11_release_all_slots(lib, slots, n);
			r = -ENOMEM;
		} else {
			m->lists = nl;
			m->lists[m->n_lists++] = (struct p11_slot_list){ slots, n };
			sl = lists_find(m, label);
			r = sl ? 0 : -ENOENT;
		}
	}
	pthread_mutex_unlock(&p11_modules_lock);
	ERR_clear_error();
	if (r < 0)
		return r;
	*ret = sl;
	*ret_new = true;
	return 0;
}

int p11_lib_key_find(PKCS11_TOKEN *tok, const unsigned char *id, size_t id_len,
		     const char *object, EVP_PKEY *pub, EVP_PKEY **ret)
{
	PKCS11_KEY *keys = NULL;
	unsigned n = 0;

	if (PKCS11_enumerate_keys(tok, &keys, &n) < 0) {
		ERR_clear_error();
		return -EIO;
	}
	for (unsigned i = 0; i < n; i++) {
		EVP_PKEY *pk;

		if (!keys[i].isPrivate)
			continue;
		if (id_len > 0 && (keys[i].id_len != id_len || memcmp(keys[i].id, id, id_len) != 0))
			continue;
		if (object && (!keys[i].label || !streq(keys[i].label, object)))
			continue;
		pk = PKCS11_get_private_key(&keys[i]);
		if (!pk)
			continue;
		if (pub && EVP_PKEY_eq(pk, pub) != 1) {
			EVP_PKEY_free(pk);
			continue;
		}
		ERR_clear_error();
		*ret = pk;
		return 0;
	}
	ERR_clear_error();
	return -ENOENT;
}

int p11_lib_slot_login(struct p11_ctx *ctx, const char *label, const char *pin,
		       PKCS11_SLOT **ret)
{
	PKCS11_SLOT *slot;
	bool fresh;
	int r;

	r = lib_slot(ctx, label, &slot, &fresh);
	if (r < 0)
		return r;
	/* Read-write sessions, so that an SO login stays possible later (it
	 * is refused while read-only sessions exist).  Already logged in
	 * through our session: libp11 notices. */
	if (fresh)
		PKCS11_open_session(slot, 1);
	if (pin && PKCS11_login(slot, 0, pin) < 0) {
		ERR_clear_error();
		return -EACCES;
	}
	*ret = slot;
	return 0;
}

int p11_key_open(struct p11_ctx *ctx, const char *label, const char *user_pin, X509 *cert,
		 EVP_PKEY **ret_key)
{
	PKCS11_SLOT *slot;
	PKCS11_CERT *certs = NULL;
	unsigned n_certs = 0;
	EVP_PKEY *pub;
	int r;

	if (!ctx || isempty(label) || isempty(user_pin) || !cert || !ret_key)
		return -EINVAL;
	pub = X509_get0_pubkey(cert);
	if (!pub)
		return -EINVAL;
	r = p11_login_keep(ctx, label, user_pin);
	if (r < 0)
		return r;
	r = p11_lib_slot_login(ctx, label, user_pin, &slot);
	if (r < 0)
		return r;
	/* The key stored with the certificate's id, else any that fits. */
	if (PKCS11_enumerate_certs(slot->token, &certs, &n_certs) == 0)
		for (unsigned i = 0; i < n_certs; i++)
			if (certs[i].x509 && X509_cmp(certs[i].x509, cert) == 0 &&
			    certs[i].id_len > 0 &&
			    p11_lib_key_find(slot->token, certs[i].id, certs[i].id_len, NULL, pub,
					     ret_key) == 0)
				return 0;
	ERR_clear_error();
	return p11_lib_key_find(slot->token, NULL, 0, NULL, pub, ret_key);
}
