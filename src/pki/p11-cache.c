/* p11-cache.c - CA keys named by RFC 7512 URIs, kept open for the life of
 * the process (p11_uri_load_key(), p11_uri_cache_flush()).
 *
 * The URI comes apart in p11-uri.c; here a process-wide cache keeps one
 * p11_ctx per module path, logged in once per token, so that keys handed
 * out stay usable from any thread.  Logging a token out again to check a
 * later caller's PIN would break those keys, so the PIN that logged it in
 * is remembered as a salted SHA-256 and a later PIN is compared with it
 * in constant time. */
#include "pki/p11-private.h"

#include <openssl/evp.h>

#include "pki/ossl.h"
#include "pki/p11-uri.h"

struct uri_login {
	char *token;
	unsigned char pin_hash[32];
};

struct uri_ctx {
	struct uri_ctx *next;
	char *module;
	struct p11_ctx *ctx;
	struct uri_login *logins;
	size_t n_logins;
};

static pthread_mutex_t uri_lock = PTHREAD_MUTEX_INITIALIZER;
static struct uri_ctx *uri_ctxs;
static unsigned char uri_salt[16];
static bool uri_salted;

static int pin_hash(const char *token, const char *pin, unsigned char ret[32])
{
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *md = EVP_MD_CTX_new();

	if (!uri_salted) {
		if (random_bytes(uri_salt, sizeof(uri_salt)) < 0)
			return -EIO;
		uri_salted = true;
	}
	if (!md || !EVP_DigestInit_ex(md, EVP_sha256(), NULL) ||
	    !EVP_DigestUpdate(md, uri_salt, sizeof(uri_salt)) ||
	    !EVP_DigestUpdate(md, token, strlen(token) + 1) ||
	    !EVP_DigestUpdate(md, pin, strlen(pin)) || !EVP_DigestFinal_ex(md, ret, NULL))
		return -EIO;
	return 0;
}

static int uri_ctx_get(const char *module, struct uri_ctx **ret)
{
	struct uri_ctx *c;
	int r;

	for (c = uri_ctxs; c; c = c->next)
		if (streq(c->module, module)) {
			*ret = c;
			return 0;
		}
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->module = strdup(module);
	if (!c->module) {
		free(c);
		return -ENOMEM;
	}
	r = p11_open(module, &c->ctx);
	if (r < 0) {
		free(c->module);
		free(c);
		return r;
	}
	c->next = uri_ctxs;
	uri_ctxs = c;
	*ret = c;
	return 0;
}

/* Logs the token in once (keeping a session open), or checks pin
 * against the one that did. */
static int uri_login(struct uri_ctx *c, const char *token, const char *pin)
{
	struct uri_login *nl;
	unsigned char h[32];
	int r;

	r = pin_hash(token, pin, h);
	if (r < 0)
		return r;
	for (size_t i = 0; i < c->n_logins; i++)
		if (streq(c->logins[i].token, token))
			return memeq_ct(c->logins[i].pin_hash, h, sizeof(h)) ? 0 : -EACCES;
	r = p11_login_keep(c->ctx, token, pin);
	if (r < 0)
		return r;
	nl = realloc(c->logins, (c->n_logins + 1) * sizeof(*nl));
	if (!nl)
		return -ENOMEM;
	c->logins = nl;
	nl[c->n_logins].token = strdup(token);
	if (!nl[c->n_logins].token)
		return -ENOMEM;
	memcpy(nl[c->n_logins].pin_hash, h, sizeof(h));
	c->n_logins++;
	return 0;
}

int p11_uri_load_key(const char *uri, const char *pin, EVP_PKEY **ret)
{
	struct p11_uri u;
	struct uri_ctx *c;
	PKCS11_SLOT *slot;
	CK_TOKEN_INFO ti;
	CK_SLOT_ID sid;
	const char *use_pin;
	int r;

	if (!ret)
		return -EINVAL;
	r = p11_uri_parse(uri, &u);
	if (r < 0)
		return r;
	use_pin = !isempty(pin) ? pin : u.pin;
	pthread_mutex_lock(&uri_lock);
	r = uri_ctx_get(u.module ? u.module : P11_DEFAULT_MODULE, &c);
	if (r < 0)
		goto unlock;
	r = p11_token_find(c->ctx, u.token, &sid, &ti);
	if (r < 0)
		goto unlock;
	if (use_pin)
		r = uri_login(c, u.token, use_pin);
	else if (ti.flags & CKF_LOGIN_REQUIRED)
		r = -EACCES;
	if (r < 0)
		goto unlock;
	r = p11_lib_slot_login(c->ctx, u.token, use_pin, &slot);
	if (r < 0)
		goto unlock;
	r = p11_lib_key_find(slot->token, u.id, u.id_len, u.object, NULL, ret);
unlock:
	pthread_mutex_unlock(&uri_lock);
	p11_uri_done(&u);
	return r;
}

void p11_uri_cache_flush(void)
{
	pthread_mutex_lock(&uri_lock);
	while (uri_ctxs) {
		struct uri_ctx *c = uri_ctxs;
		uri_ctxs = c->next;
		p11_close(c->ctx);
		for (size_t i = 0; i < c->n_logins; i++)
			free(c->logins[i].token);
		free(c->logins);
		free(c->module);
		free(c);
	}
	pthread_mutex_unlock(&uri_lock);
}
