/* p11.c - PKCS#11 tokens through the C API, keys for OpenSSL through libp11.
 *
 * The holder's card (a SoftHSM token in tests and demos) is managed here:
 * token and PIN set-up, key generation on the token, certificates, PIN
 * changes.  All of that calls the module's function list directly, because
 * libp11 0.4.12 cannot initialise a token in a fresh slot, generate EC
 * keys, or cope with slots renumbered under it.  Only p11_key_open() and
 * p11_uri_load_key() use libp11, for the one thing it does well: an
 * EVP_PKEY whose private operations run on the token.
 *
 * PKCS#11 state (initialisation, login) belongs to the process, not to a
 * caller, so modules live in a process-wide registry: every p11_ctx on the
 * same module path shares one loaded module (our dlopen() handle, which is
 * never closed, plus one libp11 context) and the last p11_close()
 * finalises it.  A p11_ctx owns only its sessions; libp11's slot lists
 * belong to the module, so a key stays usable while any p11_ctx on its
 * module is open. */
#include "pki/p11.h"

#include <dlfcn.h>
#include <pthread.h>
#include <stdio.h>
#include <strings.h>

#if __has_include(<p11-kit/pkcs11.h>)
#include <p11-kit/pkcs11.h>
#else
#include <p11-kit-1/p11-kit/pkcs11.h>
#endif

#include <libp11.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include "pki/ossl.h"

#define LABEL_LEN 32
#define MAX_SLOTS 64
#define MAX_OBJECTS 256

struct slot_list {
	PKCS11_SLOT *slots;
	unsigned n;
};

struct module {
	struct module *next;
	char *path;
	void *dl;
	CK_FUNCTION_LIST *f;
	bool initialized_by_us;
	PKCS11_CTX *lib;	/* libp11, loaded on first use */
	struct slot_list *lists;	/* libp11 slot enumerations */
	size_t n_lists;
	unsigned refs;
};

struct p11_ctx {
	struct module *mod;
	CK_FUNCTION_LIST *f;
	/* Sessions kept open while libp11 keys may be in use: PKCS#11 logs a
	 * token out when its last session closes. */
	CK_SESSION_HANDLE *keep;
	size_t n_keep;
};

static pthread_mutex_t modules_lock = PTHREAD_MUTEX_INITIALIZER;
static struct module *modules;

static int rv_to_errno(CK_RV rv)
{
	switch (rv) {
	case CKR_OK:
		return 0;
	case CKR_PIN_INCORRECT:
	case CKR_PIN_LEN_RANGE:
	case CKR_PIN_EXPIRED:
		return -EACCES;
	case CKR_PIN_LOCKED:
		return -EPERM;
	case CKR_PIN_INVALID:
	case CKR_ARGUMENTS_BAD:
	case CKR_ATTRIBUTE_VALUE_INVALID:
	case CKR_TEMPLATE_INCONSISTENT:
	case CKR_TEMPLATE_INCOMPLETE:
		return -EINVAL;
	case CKR_HOST_MEMORY:
	case CKR_DEVICE_MEMORY:
		return -ENOMEM;
	case CKR_SLOT_ID_INVALID:
	case CKR_TOKEN_NOT_PRESENT:
	case CKR_TOKEN_NOT_RECOGNIZED:
	case CKR_DEVICE_REMOVED:
		return -ENODEV;
	case CKR_USER_PIN_NOT_INITIALIZED:
		return -ENOKEY;
	case CKR_MECHANISM_INVALID:
	case CKR_FUNCTION_NOT_SUPPORTED:
		return -EOPNOTSUPP;
	case CKR_SESSION_EXISTS:
	case CKR_SESSION_READ_ONLY_EXISTS:
		return -EBUSY;
	default:
		return -EIO;
	}
}

/* Module registry. */

static int module_load(const char *path, struct module **ret)
{
	CK_RV (*get_list)(CK_FUNCTION_LIST **);
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	struct module *m;
	CK_RV rv;

	for (m = modules; m; m = m->next)
		if (streq(m->path, path)) {
			if (m->refs == 0) {
				rv = m->f->C_Initialize(&args);
				if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
					return -EIO;
				m->initialized_by_us = rv == CKR_OK;
			}
			m->refs++;
			*ret = m;
			return 0;
		}

	if (access(path, R_OK) < 0)
		return -errno;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->path = strdup(path);
	if (!m->path) {
		free(m);
		return -ENOMEM;
	}
	/* Never dlclose()d: modules (SoftHSM among them) do not all survive
	 * being unloaded and loaded again, and libp11 holds its own handle. */
	m->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!m->dl)
		goto fail;
	*(void **)&get_list = dlsym(m->dl, "C_GetFunctionList");
	if (!get_list || get_list(&m->f) != CKR_OK || !m->f)
		goto fail;
	rv = m->f->C_Initialize(&args);
	if (rv != CKR_OK && rv != CKR_CRYPTOKI_ALREADY_INITIALIZED)
		goto fail;
	m->initialized_by_us = rv == CKR_OK;
	m->refs = 1;
	m->next = modules;
	modules = m;
	*ret = m;
	return 0;
fail:
	if (m->dl)
		dlclose(m->dl);
	free(m->path);
	free(m);
	return -EIO;
}

static void module_unref(struct module *m)
{
	if (--m->refs > 0)
		return;
	/* libp11 finalises the module when it unloads; otherwise we do. */
	for (size_t i = 0; i < m->n_lists; i++)
		PKCS11_release_all_slots(m->lib, m->lists[i].slots, m->lists[i].n);
	free(m->lists);
	m->lists = NULL;
	m->n_lists = 0;
	if (m->lib) {
		PKCS11_CTX_unload(m->lib);
		PKCS11_CTX_free(m->lib);
		m->lib = NULL;
	} else
		m->f->C_Finalize(NULL);
}

/* libp11's context on the module, loaded on first use (under
 * modules_lock).  It finds the module initialised and leaves it so. */
static int module_lib(struct module *m, PKCS11_CTX **ret)
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

int p11_open(const char *module_path, struct p11_ctx **ret)
{
	struct p11_ctx *ctx;
	int r;

	if (!ret)
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	pthread_mutex_lock(&modules_lock);
	r = module_load(module_path ? module_path : P11_DEFAULT_MODULE, &ctx->mod);
	pthread_mutex_unlock(&modules_lock);
	if (r < 0) {
		free(ctx);
		return r;
	}
	ctx->f = ctx->mod->f;
	*ret = ctx;
	return 0;
}

void p11_close(struct p11_ctx *ctx)
{
	if (!ctx)
		return;
	pthread_mutex_lock(&modules_lock);
	for (size_t i = 0; i < ctx->n_keep; i++)
		ctx->f->C_CloseSession(ctx->keep[i]);
	module_unref(ctx->mod);
	pthread_mutex_unlock(&modules_lock);
	free(ctx->keep);
	free(ctx);
}

/* Tokens. */

static void label_from_ck(const CK_UTF8CHAR *in, char out[LABEL_LEN + 1])
{
	size_t n = LABEL_LEN;

	memcpy(out, in, LABEL_LEN);
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\0'))
		n--;
	out[n] = '\0';
}

static int label_to_ck(const char *label, CK_UTF8CHAR out[LABEL_LEN])
{
	size_t n;

	if (isempty(label))
		return -EINVAL;
	n = strlen(label);
	if (n > LABEL_LEN)
		return -EINVAL;
	memset(out, ' ', LABEL_LEN);
	memcpy(out, label, n);
	return 0;
}

static int slots_get(struct p11_ctx *ctx, CK_SLOT_ID *slots, CK_ULONG *n)
{
	CK_RV rv;

	/* Asking for the count first makes SoftHSM rescan its tokens (and add
	 * a fresh free slot after C_InitToken). */
	rv = ctx->f->C_GetSlotList(CK_TRUE, NULL, n);
	if (rv != CKR_OK)
		return rv_to_errno(rv);
	*n = MAX_SLOTS;
	rv = ctx->f->C_GetSlotList(CK_TRUE, slots, n);
	if (rv == CKR_BUFFER_TOO_SMALL)
		*n = MAX_SLOTS;
	else if (rv != CKR_OK)
		return rv_to_errno(rv);
	return 0;
}

/* The slot holding the initialised token labelled label. */
static int token_find(struct p11_ctx *ctx, const char *label, CK_SLOT_ID *ret,
		      CK_TOKEN_INFO *ret_info)
{
	CK_SLOT_ID slots[MAX_SLOTS];
	CK_ULONG n;
	int r;

	if (!ctx || isempty(label))
		return -EINVAL;
	r = slots_get(ctx, slots, &n);
	if (r < 0)
		return r;
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		char l[LABEL_LEN + 1];

		if (ctx->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if (!(ti.flags & CKF_TOKEN_INITIALIZED))
			continue;
		label_from_ck(ti.label, l);
		if (streq(l, label)) {
			*ret = slots[i];
			if (ret_info)
				*ret_info = ti;
			return 0;
		}
	}
	return -ENOENT;
}

static CK_ULONG pin_len(const char *pin)
{
	return pin ? (CK_ULONG)strlen(pin) : 0;
}

/* Opens a session on the token labelled label and logs in as user (or SO)
 * when pin is given.  A login already in place is dropped first so that
 * the PIN is really checked. */
static int session_open(struct p11_ctx *ctx, const char *label, bool rw, CK_USER_TYPE user,
			const char *pin, CK_SESSION_HANDLE *ret)
{
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	CK_RV rv;
	int r;

	r = token_find(ctx, label, &slot, NULL);
	if (r < 0)
		return r;
	rv = ctx->f->C_OpenSession(slot, CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0), NULL,
				   NULL, &s);
	if (rv != CKR_OK)
		return rv_to_errno(rv);
	if (pin) {
		rv = ctx->f->C_Login(s, user, (CK_UTF8CHAR_PTR)pin, pin_len(pin));
		if (rv == CKR_USER_ALREADY_LOGGED_IN ||
		    rv == CKR_USER_ANOTHER_ALREADY_LOGGED_IN) {
			ctx->f->C_Logout(s);
			rv = ctx->f->C_Login(s, user, (CK_UTF8CHAR_PTR)pin, pin_len(pin));
		}
		if (rv != CKR_OK) {
			ctx->f->C_CloseSession(s);
			return rv_to_errno(rv);
		}
	}
	*ret = s;
	return 0;
}

/* Logs out and closes. */
static void session_end(struct p11_ctx *ctx, CK_SESSION_HANDLE s, bool logout)
{
	if (logout)
		ctx->f->C_Logout(s);
	ctx->f->C_CloseSession(s);
}

int p11_token_init(struct p11_ctx *ctx, const char *label, const char *so_pin,
		   const char *user_pin)
{
	CK_UTF8CHAR cklabel[LABEL_LEN];
	CK_SLOT_ID slots[MAX_SLOTS], slot, found;
	CK_SESSION_HANDLE s;
	bool have_free = false;
	CK_ULONG n;
	CK_RV rv;
	int r;

	if (!ctx || isempty(so_pin) || isempty(user_pin))
		return -EINVAL;
	r = label_to_ck(label, cklabel);
	if (r < 0)
		return r;
	if (token_find(ctx, label, &found, NULL) == 0)
		return -EEXIST;
	r = slots_get(ctx, slots, &n);
	if (r < 0)
		return r;
	for (CK_ULONG i = 0; i < n && !have_free; i++) {
		CK_TOKEN_INFO ti;
		if (ctx->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if (!(ti.flags & CKF_TOKEN_INITIALIZED)) {
			slot = slots[i];
			have_free = true;
		}
	}
	if (!have_free)
		return -ENOSPC;
	rv = ctx->f->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, pin_len(so_pin), cklabel);
	if (rv != CKR_OK)
		return rv_to_errno(rv);

	/* SoftHSM renumbers its slots now: find the token by its label. */
	r = session_open(ctx, label, true, CKU_SO, so_pin, &s);
	if (r < 0)
		return r;
	rv = ctx->f->C_InitPIN(s, (CK_UTF8CHAR_PTR)user_pin, pin_len(user_pin));
	session_end(ctx, s, true);
	return rv_to_errno(rv);
}

void p11_strv_free(char **v)
{
	if (!v)
		return;
	for (char **p = v; *p; p++)
		free(*p);
	free(v);
}

int p11_tokens_list(struct p11_ctx *ctx, char ***ret, size_t *ret_n)
{
	CK_SLOT_ID slots[MAX_SLOTS];
	_cleanup_(p11_strv_freep) char **v = NULL;
	size_t k = 0;
	CK_ULONG n;
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	r = slots_get(ctx, slots, &n);
	if (r < 0)
		return r;
	v = calloc(n + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		char l[LABEL_LEN + 1];

		if (ctx->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
		    !(ti.flags & CKF_TOKEN_INITIALIZED))
			continue;
		label_from_ck(ti.label, l);
		v[k] = strdup(l);
		if (!v[k])
			return -ENOMEM;
		k++;
	}
	if (ret_n)
		*ret_n = k;
	*ret = TAKE_PTR(v);
	return 0;
}

/* Objects. */

/* Reads one attribute into a malloc'ed buffer. */
static int attr_get(struct p11_ctx *ctx, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
		    CK_ATTRIBUTE_TYPE type, unsigned char **ret, size_t *ret_n)
{
	CK_ATTRIBUTE a = { .type = type };
	unsigned char *buf;
	CK_RV rv;

	rv = ctx->f->C_GetAttributeValue(s, o, &a, 1);
	if (rv != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return rv == CKR_OK ? -ENOENT : rv_to_errno(rv);
	buf = malloc(a.ulValueLen + 1);
	if (!buf)
		return -ENOMEM;
	a.pValue = buf;
	rv = ctx->f->C_GetAttributeValue(s, o, &a, 1);
	if (rv != CKR_OK) {
		free(buf);
		return rv_to_errno(rv);
	}
	*ret = buf;
	*ret_n = a.ulValueLen;
	return 0;
}

static int objects_find(struct p11_ctx *ctx, CK_SESSION_HANDLE s, CK_ATTRIBUTE *tmpl,
			CK_ULONG n_tmpl, CK_OBJECT_HANDLE *ret, CK_ULONG max, CK_ULONG *ret_n)
{
	CK_RV rv;

	rv = ctx->f->C_FindObjectsInit(s, tmpl, n_tmpl);
	if (rv != CKR_OK)
		return rv_to_errno(rv);
	rv = ctx->f->C_FindObjects(s, ret, max, ret_n);
	ctx->f->C_FindObjectsFinal(s);
	return rv_to_errno(rv);
}

static bool id_valid(const unsigned char *id, size_t id_len)
{
	return id && id_len > 0 && id_len <= P11_ID_MAX;
}

static int key_spec_parse(const char *spec, CK_MECHANISM_TYPE *ret_mech, CK_ULONG *ret_bits,
			  int *ret_nid)
{
	static const struct {
		const char *spec;
		CK_MECHANISM_TYPE mech;
		CK_ULONG bits;
		int nid;
	} table[] = {
		{ "rsa:2048", CKM_RSA_PKCS_KEY_PAIR_GEN, 2048, NID_undef },
		{ "rsa:3072", CKM_RSA_PKCS_KEY_PAIR_GEN, 3072, NID_undef },
		{ "rsa:4096", CKM_RSA_PKCS_KEY_PAIR_GEN, 4096, NID_undef },
		{ "ec:P-256", CKM_EC_KEY_PAIR_GEN, 0, NID_X9_62_prime256v1 },
		{ "ec:P-384", CKM_EC_KEY_PAIR_GEN, 0, NID_secp384r1 },
	};

	for (size_t i = 0; spec && i < ELEMENTSOF(table); i++)
		if (streq(spec, table[i].spec)) {
			*ret_mech = table[i].mech;
			*ret_bits = table[i].bits;
			*ret_nid = table[i].nid;
			return 0;
		}
	return -EINVAL;
}

static int pubkey_from_rsa(const unsigned char *n, size_t n_len, const unsigned char *e,
			   size_t e_len, EVP_PKEY **ret)
{
	_cleanup_(BN_freep) BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL);
	_cleanup_(BN_freep) BIGNUM *be = BN_bin2bn(e, (int)e_len, NULL);
	_cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	_cleanup_(OSSL_PARAM_freep) OSSL_PARAM *params = NULL;
	_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pk = NULL;

	if (!bn || !be || !bld)
		return -ENOMEM;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		return -ENOMEM;
	params = OSSL_PARAM_BLD_to_param(bld);
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !pctx)
		return -ENOMEM;
	if (EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		ERR_clear_error();
		return -EIO;
	}
	*ret = pk;
	return 0;
}

static int pubkey_from_ec(int nid, const unsigned char *point, size_t point_len, EVP_PKEY **ret)
{
	_cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *os = NULL;
	_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *pctx = NULL;
	const unsigned char *p = point;
	OSSL_PARAM params[3];
	EVP_PKEY *pk = NULL;

	/* CKA_EC_POINT is a DER OCTET STRING; some modules give it bare. */
	os = d2i_ASN1_OCTET_STRING(NULL, &p, (long)point_len);
	if (os && p == point + point_len) {
		point = ASN1_STRING_get0_data(os);
		point_len = (size_t)ASN1_STRING_length(os);
	}
	ERR_clear_error();
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						     (char *)OBJ_nid2sn(nid), 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point,
						      point_len);
	params[2] = OSSL_PARAM_construct_end();
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!pctx)
		return -ENOMEM;
	if (EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		ERR_clear_error();
		return -EIO;
	}
	*ret = pk;
	return 0;
}

/* The public half of a key pair as an OpenSSL key. */
static int pubkey_read(struct p11_ctx *ctx, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, int nid,
		       EVP_PKEY **ret)
{
	_cleanup_free_ unsigned char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int r;

	if (nid == NID_undef) {
		r = attr_get(ctx, s, o, CKA_MODULUS, &a, &na);
		if (r >= 0)
			r = attr_get(ctx, s, o, CKA_PUBLIC_EXPONENT, &b, &nb);
		if (r < 0)
			return r;
		return pubkey_from_rsa(a, na, b, nb, ret);
	}
	r = attr_get(ctx, s, o, CKA_EC_POINT, &a, &na);
	if (r < 0)
		return r;
	return pubkey_from_ec(nid, a, na, ret);
}

int p11_keygen(struct p11_ctx *ctx, const char *label, const char *user_pin,
	       const char *key_spec, const unsigned char *id, size_t id_len,
	       EVP_PKEY **ret_pubkey)
{
	static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static const CK_BYTE exponent[] = { 0x01, 0x00, 0x01 };
	CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY, priv_class = CKO_PRIVATE_KEY, cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE type;
	CK_MECHANISM mech = {};
	CK_ULONG bits = 0, n_found = 0;
	CK_OBJECT_HANDLE pub, priv, found[1];
	CK_SESSION_HANDLE s;
	_cleanup_openssl_free_ unsigned char *params = NULL;
	char hexid[2 * P11_ID_MAX + 1];
	EVP_PKEY *pk = NULL;
	int nid, plen = 0, r;
	CK_RV rv;

	if (!ctx || isempty(user_pin) || !id_valid(id, id_len) || !ret_pubkey)
		return -EINVAL;
	r = key_spec_parse(key_spec, &mech.mechanism, &bits, &nid);
	if (r < 0)
		return r;
	type = nid == NID_undef ? CKK_RSA : CKK_EC;
	if (nid != NID_undef) {
		plen = i2d_ASN1_OBJECT(OBJ_nid2obj(nid), &params);
		if (plen <= 0)
			return -ENOMEM;
	}
	hex_encode(id, id_len, hexid);

	CK_ATTRIBUTE pub_tmpl[] = {
		{ CKA_CLASS, &pub_class, sizeof(pub_class) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_TOKEN, (void *)&yes, sizeof(yes) },
		{ CKA_PRIVATE, (void *)&no, sizeof(no) },
		{ CKA_VERIFY, (void *)&yes, sizeof(yes) },
		{ CKA_ENCRYPT, (void *)&no, sizeof(no) },
		{ CKA_WRAP, (void *)&no, sizeof(no) },
		{ CKA_ID, (void *)id, id_len },
		{ CKA_LABEL, hexid, strlen(hexid) },
		/* type specific, last */
		{ CKA_MODULUS_BITS, &bits, sizeof(bits) },
		{ CKA_PUBLIC_EXPONENT, (void *)exponent, sizeof(exponent) },
	};
	CK_ATTRIBUTE priv_tmpl[] = {
		{ CKA_CLASS, &priv_class, sizeof(priv_class) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_TOKEN, (void *)&yes, sizeof(yes) },
		{ CKA_PRIVATE, (void *)&yes, sizeof(yes) },
		{ CKA_SENSITIVE, (void *)&yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, (void *)&no, sizeof(no) },
		{ CKA_SIGN, (void *)&yes, sizeof(yes) },
		{ CKA_DECRYPT, (void *)&no, sizeof(no) },
		{ CKA_UNWRAP, (void *)&no, sizeof(no) },
		{ CKA_DERIVE, (void *)&no, sizeof(no) },
		{ CKA_ID, (void *)id, id_len },
		{ CKA_LABEL, hexid, strlen(hexid) },
	};
	CK_ATTRIBUTE find_tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, (void *)id, id_len },
	};
	CK_ULONG n_pub = ELEMENTSOF(pub_tmpl);

	if (nid != NID_undef) {
		pub_tmpl[n_pub - 2] = (CK_ATTRIBUTE){ CKA_EC_PARAMS, params, (CK_ULONG)plen };
		n_pub--;
	}

	r = session_open(ctx, label, true, CKU_USER, user_pin, &s);
	if (r < 0)
		return r;
	r = objects_find(ctx, s, find_tmpl, ELEMENTSOF(find_tmpl), found, 1, &n_found);
	if (r >= 0 && n_found > 0)
		r = -EEXIST;
	if (r < 0)
		goto out;
	rv = ctx->f->C_GenerateKeyPair(s, &mech, pub_tmpl, n_pub, priv_tmpl,
				       ELEMENTSOF(priv_tmpl), &pub, &priv);
	if (rv != CKR_OK) {
		r = rv_to_errno(rv);
		goto out;
	}
	r = pubkey_read(ctx, s, pub, nid, &pk);
	if (r < 0) {
		ctx->f->C_DestroyObject(s, priv);
		ctx->f->C_DestroyObject(s, pub);
		goto out;
	}
	*ret_pubkey = pk;
out:
	session_end(ctx, s, true);
	return r;
}

int p11_cert_store(struct p11_ctx *ctx, const char *label, const char *user_pin,
		   X509 *cert, const unsigned char *id, size_t id_len)
{
	static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE ctype = CKC_X_509;
	_cleanup_openssl_free_ unsigned char *der = NULL, *subj = NULL, *iss = NULL, *ser = NULL;
	int nder, nsubj, niss, nser, r;
	char hexid[2 * P11_ID_MAX + 1];
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE o;
	CK_RV rv;

	if (!ctx || !cert || isempty(user_pin) || !id_valid(id, id_len))
		return -EINVAL;
	nder = i2d_X509(cert, &der);
	nsubj = i2d_X509_NAME(X509_get_subject_name(cert), &subj);
	niss = i2d_X509_NAME(X509_get_issuer_name(cert), &iss);
	nser = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert), &ser);
	if (nder <= 0 || nsubj <= 0 || niss <= 0 || nser <= 0)
		return -ENOMEM;
	hex_encode(id, id_len, hexid);

	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_CERTIFICATE_TYPE, &ctype, sizeof(ctype) },
		{ CKA_TOKEN, (void *)&yes, sizeof(yes) },
		{ CKA_PRIVATE, (void *)&no, sizeof(no) },
		{ CKA_MODIFIABLE, (void *)&yes, sizeof(yes) },
		{ CKA_ID, (void *)id, id_len },
		{ CKA_LABEL, hexid, strlen(hexid) },
		{ CKA_SUBJECT, subj, (CK_ULONG)nsubj },
		{ CKA_ISSUER, iss, (CK_ULONG)niss },
		{ CKA_SERIAL_NUMBER, ser, (CK_ULONG)nser },
		{ CKA_VALUE, der, (CK_ULONG)nder },
	};

	r = session_open(ctx, label, true, CKU_USER, user_pin, &s);
	if (r < 0)
		return r;
	rv = ctx->f->C_CreateObject(s, tmpl, ELEMENTSOF(tmpl), &o);
	session_end(ctx, s, true);
	return rv_to_errno(rv);
}

void p11_cert_info_free_array(struct p11_cert_info *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		free(a[i].token_label);
		free(a[i].token_serial);
		X509_free(a[i].cert);
	}
	free(a);
}

static int certs_of_slot(struct p11_ctx *ctx, CK_SLOT_ID slot, const CK_TOKEN_INFO *ti,
			 struct p11_cert_info **a, size_t *n)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_OBJECT_HANDLE objs[MAX_OBJECTS];
	CK_ULONG n_objs = 0;
	CK_SESSION_HANDLE s;
	char label[LABEL_LEN + 1], serial[sizeof(ti->serialNumber) + 1];
	int r;

	label_from_ck(ti->label, label);
	memcpy(serial, ti->serialNumber, sizeof(ti->serialNumber));
	serial[sizeof(ti->serialNumber)] = '\0';
	for (size_t k = strlen(serial); k > 0 && serial[k - 1] == ' '; k--)
		serial[k - 1] = '\0';

	if (ctx->f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		return 0;	/* a token we cannot read is skipped */
	r = objects_find(ctx, s, tmpl, ELEMENTSOF(tmpl), objs, MAX_OBJECTS, &n_objs);
	for (CK_ULONG i = 0; r >= 0 && i < n_objs; i++) {
		_cleanup_free_ unsigned char *der = NULL, *id = NULL;
		size_t nder = 0, nid = 0;
		const unsigned char *p;
		struct p11_cert_info *na, *ci;
		X509 *x;

		if (attr_get(ctx, s, objs[i], CKA_VALUE, &der, &nder) < 0)
			continue;
		p = der;
		x = d2i_X509(NULL, &p, (long)nder);
		if (!x) {
			ERR_clear_error();
			continue;
		}
		na = realloc(*a, (*n + 1) * sizeof(**a));
		if (!na) {
			X509_free(x);
			r = -ENOMEM;
			break;
		}
		*a = na;
		ci = &na[*n];
		*ci = (struct p11_cert_info){ .cert = x };
		(*n)++;
		ci->token_label = strdup(label);
		ci->token_serial = strdup(serial);
		if (!ci->token_label || !ci->token_serial) {
			r = -ENOMEM;
			break;
		}
		if (attr_get(ctx, s, objs[i], CKA_ID, &id, &nid) == 0 && nid <= P11_ID_MAX) {
			memcpy(ci->id, id, nid);
			ci->id_len = nid;
		}
	}
	ctx->f->C_CloseSession(s);
	return r;
}

int p11_certs_list(struct p11_ctx *ctx, struct p11_cert_info **ret, size_t *ret_n)
{
	CK_SLOT_ID slots[MAX_SLOTS];
	struct p11_cert_info *a = NULL;
	size_t n = 0;
	CK_ULONG ns;
	int r;

	if (!ctx || !ret || !ret_n)
		return -EINVAL;
	r = slots_get(ctx, slots, &ns);
	if (r < 0)
		return r;
	for (CK_ULONG i = 0; i < ns; i++) {
		CK_TOKEN_INFO ti;

		if (ctx->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK ||
		    !(ti.flags & CKF_TOKEN_INITIALIZED))
			continue;
		r = certs_of_slot(ctx, slots[i], &ti, &a, &n);
		if (r < 0) {
			p11_cert_info_free_array(a, n);
			return r;
		}
	}
	*ret = a;
	*ret_n = n;
	return 0;
}

/* PINs. */

int p11_pin_status(struct p11_ctx *ctx, const char *label, unsigned *ret_flags)
{
	static const struct {
		CK_FLAGS ck;
		unsigned flag;
	} map[] = {
		{ CKF_USER_PIN_COUNT_LOW, P11_PIN_COUNT_LOW },
		{ CKF_USER_PIN_FINAL_TRY, P11_PIN_FINAL_TRY },
		{ CKF_USER_PIN_LOCKED, P11_PIN_LOCKED },
		{ CKF_USER_PIN_TO_BE_CHANGED, P11_PIN_TO_BE_CHANGED },
		{ CKF_SO_PIN_COUNT_LOW, P11_SO_PIN_COUNT_LOW },
		{ CKF_SO_PIN_FINAL_TRY, P11_SO_PIN_FINAL_TRY },
		{ CKF_SO_PIN_LOCKED, P11_SO_PIN_LOCKED },
	};
	CK_TOKEN_INFO ti;
	CK_SLOT_ID slot;
	unsigned flags = 0;
	int r;

	if (!ret_flags)
		return -EINVAL;
	r = token_find(ctx, label, &slot, &ti);
	if (r < 0)
		return r;
	for (size_t i = 0; i < ELEMENTSOF(map); i++)
		if (ti.flags & map[i].ck)
			flags |= map[i].flag;
	if (!(ti.flags & CKF_USER_PIN_INITIALIZED))
		flags |= P11_USER_PIN_NOT_SET;
	*ret_flags = flags;
	return 0;
}

static int pin_set(struct p11_ctx *ctx, const char *label, CK_USER_TYPE user,
		   const char *old_pin, const char *new_pin)
{
	CK_SESSION_HANDLE s;
	CK_RV rv;
	int r;

	if (!ctx || isempty(old_pin) || isempty(new_pin))
		return -EINVAL;
	r = session_open(ctx, label, true, user, old_pin, &s);
	if (r < 0)
		return r;
	rv = ctx->f->C_SetPIN(s, (CK_UTF8CHAR_PTR)old_pin, pin_len(old_pin),
			      (CK_UTF8CHAR_PTR)new_pin, pin_len(new_pin));
	session_end(ctx, s, true);
	/* A bad new PIN (length, characters) is the caller's argument. */
	if (rv == CKR_PIN_LEN_RANGE || rv == CKR_PIN_INVALID)
		return -EINVAL;
	return rv_to_errno(rv);
}

int p11_pin_change(struct p11_ctx *ctx, const char *label, const char *old_pin,
		   const char *new_pin)
{
	return pin_set(ctx, label, CKU_USER, old_pin, new_pin);
}

int p11_so_pin_change(struct p11_ctx *ctx, const char *label, const char *old_so_pin,
		      const char *new_so_pin)
{
	return pin_set(ctx, label, CKU_SO, old_so_pin, new_so_pin);
}

int p11_pin_unblock(struct p11_ctx *ctx, const char *label, const char *so_pin,
		    const char *new_user_pin)
{
	CK_SESSION_HANDLE s;
	CK_RV rv;
	int r;

	if (!ctx || isempty(so_pin) || isempty(new_user_pin))
		return -EINVAL;
	r = session_open(ctx, label, true, CKU_SO, so_pin, &s);
	if (r < 0)
		return r;
	rv = ctx->f->C_InitPIN(s, (CK_UTF8CHAR_PTR)new_user_pin, pin_len(new_user_pin));
	session_end(ctx, s, true);
	if (rv == CKR_PIN_LEN_RANGE || rv == CKR_PIN_INVALID)
		return -EINVAL;
	return rv_to_errno(rv);
}

/* Private keys through libp11. */

static int keep_session(struct p11_ctx *ctx, CK_SESSION_HANDLE s)
{
	CK_SESSION_HANDLE *n = realloc(ctx->keep, (ctx->n_keep + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	ctx->keep = n;
	ctx->keep[ctx->n_keep++] = s;
	return 0;
}

static PKCS11_SLOT *lists_find(struct module *m, const char *label)
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
	struct module *m = ctx->mod;
	struct slot_list *nl;
	PKCS11_SLOT *slots = NULL, *sl;
	PKCS11_CTX *lib;
	unsigned n = 0;
	int r;

	pthread_mutex_lock(&modules_lock);
	sl = lists_find(m, label);
	if (sl) {
		*ret = sl;
		*ret_new = false;
		pthread_mutex_unlock(&modules_lock);
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
			m->lists[m->n_lists++] = (struct slot_list){ slots, n };
			sl = lists_find(m, label);
			r = sl ? 0 : -ENOENT;
		}
	}
	pthread_mutex_unlock(&modules_lock);
	ERR_clear_error();
	if (r < 0)
		return r;
	*ret = sl;
	*ret_new = true;
	return 0;
}

/* The private key with CKA_ID id (id_len 0: the first one) or whose public
 * half is pub (when pub is given). */
static int lib_key_find(PKCS11_TOKEN *tok, const unsigned char *id, size_t id_len,
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

/* Logs the token in with a session of our own kept open, so that libp11's
 * sessions share the login. */
static int login_keep(struct p11_ctx *ctx, const char *label, const char *pin)
{
	CK_SESSION_HANDLE s;
	int r;

	r = session_open(ctx, label, true, CKU_USER, pin, &s);
	if (r < 0)
		return r;
	r = keep_session(ctx, s);
	if (r < 0)
		session_end(ctx, s, true);
	return r;
}

int p11_key_open(struct p11_ctx *ctx, const char *label, const char *user_pin, X509 *cert,
		 EVP_PKEY **ret_key)
{
	PKCS11_SLOT *slot;
	bool fresh;
	PKCS11_CERT *certs = NULL;
	unsigned n_certs = 0;
	EVP_PKEY *pub;
	int r;

	if (!ctx || isempty(label) || isempty(user_pin) || !cert || !ret_key)
		return -EINVAL;
	pub = X509_get0_pubkey(cert);
	if (!pub)
		return -EINVAL;
	r = login_keep(ctx, label, user_pin);
	if (r < 0)
		return r;
	r = lib_slot(ctx, label, &slot, &fresh);
	if (r < 0)
		return r;
	/* Read-write sessions, so that an SO login stays possible later (it
	 * is refused while read-only sessions exist).  Already logged in
	 * through our session: libp11 notices. */
	if (fresh)
		PKCS11_open_session(slot, 1);
	if (PKCS11_login(slot, 0, user_pin) < 0) {
		ERR_clear_error();
		return -EACCES;
	}
	/* The key stored with the certificate's id, else any that fits. */
	if (PKCS11_enumerate_certs(slot->token, &certs, &n_certs) == 0)
		for (unsigned i = 0; i < n_certs; i++)
			if (certs[i].x509 && X509_cmp(certs[i].x509, cert) == 0 &&
			    certs[i].id_len > 0 &&
			    lib_key_find(slot->token, certs[i].id, certs[i].id_len, NULL, pub,
					 ret_key) == 0)
				return 0;
	ERR_clear_error();
	return lib_key_find(slot->token, NULL, 0, NULL, pub, ret_key);
}

/* RFC 7512 URIs. */

static int pct_decode(const char *s, size_t len, unsigned char **ret, size_t *ret_n)
{
	unsigned char *out = malloc(len + 1);
	size_t k = 0;

	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '%') {
			if (i + 2 >= len || hex_decode((char[]){ s[i + 1], s[i + 2], 0 }, &out[k], 1) < 0) {
				OPENSSL_cleanse(out, len + 1);	/* may be a PIN */
				free(out);
				return -EINVAL;
			}
			k++;
			i += 2;
		} else
			out[k++] = (unsigned char)s[i];
	}
	out[k] = '\0';
	*ret = out;
	if (ret_n)
		*ret_n = k;
	return 0;
}

struct p11_uri {
	char *token, *object, *module, *pin;
	unsigned char *id;
	size_t id_len;
};

static void p11_uri_done(struct p11_uri *u)
{
	free(u->token);
	free(u->object);
	free(u->module);
	secret_free(u->pin);
	free(u->id);
}

/* Parses one "name=value" attribute (value percent-decoded). */
static int uri_attr(struct p11_uri *u, const char *a, size_t len, bool query)
{
	const char *eq = memchr(a, '=', len);
	unsigned char *v = NULL;
	size_t nlen, vlen = 0;
	int r;

	if (!eq)
		return -EINVAL;
	nlen = (size_t)(eq - a);
	r = pct_decode(eq + 1, len - nlen - 1, &v, &vlen);
	if (r < 0)
		return r;
#define IS(name) (nlen == strlen(name) && strncmp(a, name, nlen) == 0)
#define SET(field)                                                              \
	do {                                                                    \
		if (u->field) {                                                 \
			free(v);                                                \
			return -EINVAL;                                         \
		}                                                               \
		u->field = (void *)v;                                           \
	} while (0)
	if (!query && IS("token"))
		SET(token);
	else if (!query && IS("object"))
		SET(object);
	else if (!query && IS("id")) {
		SET(id);
		u->id_len = vlen;
	} else if (query && IS("module-path"))
		SET(module);
	else if (query && IS("pin-value"))
		SET(pin);
	else
		free(v);	/* type=, manufacturer=, serial=, ...: ignored */
#undef SET
#undef IS
	return 0;
}

static int uri_parse(const char *uri, struct p11_uri *u)
{
	const char *p, *q, *end;
	int r;

	if (!uri || strncasecmp(uri, "pkcs11:", 7) != 0)
		return -EINVAL;
	p = uri + 7;
	q = strchr(p, '?');
	end = q ? q : p + strlen(p);
	while (p < end) {
		const char *sep = memchr(p, ';', (size_t)(end - p));
		const char *e = sep ? sep : end;
		if (e > p) {
			r = uri_attr(u, p, (size_t)(e - p), false);
			if (r < 0)
				return r;
		}
		p = e + 1;
	}
	if (q) {
		p = q + 1;
		end = p + strlen(p);
		while (p < end) {
			const char *sep = memchr(p, '&', (size_t)(end - p));
			const char *e = sep ? sep : end;
			if (e > p) {
				r = uri_attr(u, p, (size_t)(e - p), true);
				if (r < 0)
					return r;
			}
			p = e + 1;
		}
	}
	if (isempty(u->token))
		return -EINVAL;
	return 0;
}

/* One context per module path, logged in per token, for the life of the
 * process (or until p11_uri_cache_flush()).  For each token logged in,
 * a salted SHA-256 of the PIN that worked: a later call must present the
 * same PIN, checked without logging the token out (which would break the
 * keys already handed out). */
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
	r = login_keep(c->ctx, token, pin);
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
	struct p11_uri u = {};
	struct uri_ctx *c;
	PKCS11_SLOT *slot;
	CK_TOKEN_INFO ti;
	CK_SLOT_ID sid;
	const char *use_pin;
	bool fresh;
	int r;

	if (!ret)
		return -EINVAL;
	r = uri_parse(uri, &u);
	if (r < 0)
		goto out;
	use_pin = !isempty(pin) ? pin : u.pin;
	pthread_mutex_lock(&uri_lock);
	r = uri_ctx_get(u.module ? u.module : P11_DEFAULT_MODULE, &c);
	if (r < 0)
		goto unlock;
	r = token_find(c->ctx, u.token, &sid, &ti);
	if (r < 0)
		goto unlock;
	if (use_pin)
		r = uri_login(c, u.token, use_pin);
	else if (ti.flags & CKF_LOGIN_REQUIRED)
		r = -EACCES;
	if (r < 0)
		goto unlock;
	r = lib_slot(c->ctx, u.token, &slot, &fresh);
	if (r < 0)
		goto unlock;
	if (fresh)
		PKCS11_open_session(slot, 1);
	if (use_pin && PKCS11_login(slot, 0, use_pin) < 0) {
		ERR_clear_error();
		r = -EACCES;
		goto unlock;
	}
	r = lib_key_find(slot->token, u.id, u.id_len, u.object, NULL, ret);
unlock:
	pthread_mutex_unlock(&uri_lock);
out:
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
