/* p11-module.c - PKCS#11 modules, slots, tokens, sessions and objects
 * through the C API.
 *
 * The process-wide module registry (see p11-private.h): p11_open() loads
 * and initialises a module once per path, p11_close() finalises it with
 * the last context.  Below that, the primitives the other p11-*.c files
 * build on: finding a token by its label (slot numbers are never kept:
 * modules renumber them), sessions with a PIN that is really checked,
 * attribute reads and object searches. */
#include "pki/p11-private.h"

#include <dlfcn.h>
#include <stdio.h>

#include <openssl/err.h>

pthread_mutex_t p11_modules_lock = PTHREAD_MUTEX_INITIALIZER;
static struct p11_module *modules;

int p11_rv_to_errno(CK_RV rv)
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

static const char *rv_name(CK_RV rv)
{
	switch (rv) {
#define N(x) case x: return #x
		N(CKR_CANCEL); N(CKR_HOST_MEMORY); N(CKR_SLOT_ID_INVALID);
		N(CKR_GENERAL_ERROR); N(CKR_FUNCTION_FAILED); N(CKR_ARGUMENTS_BAD);
		N(CKR_ATTRIBUTE_VALUE_INVALID); N(CKR_DATA_INVALID); N(CKR_DEVICE_ERROR);
		N(CKR_DEVICE_MEMORY); N(CKR_DEVICE_REMOVED); N(CKR_FUNCTION_NOT_SUPPORTED);
		N(CKR_KEY_HANDLE_INVALID); N(CKR_MECHANISM_INVALID); N(CKR_OBJECT_HANDLE_INVALID);
		N(CKR_OPERATION_ACTIVE); N(CKR_OPERATION_NOT_INITIALIZED); N(CKR_PIN_INCORRECT);
		N(CKR_PIN_INVALID); N(CKR_PIN_LEN_RANGE); N(CKR_PIN_EXPIRED); N(CKR_PIN_LOCKED);
		N(CKR_SESSION_HANDLE_INVALID); N(CKR_SESSION_EXISTS); N(CKR_SESSION_READ_ONLY);
		N(CKR_SESSION_READ_ONLY_EXISTS); N(CKR_TEMPLATE_INCOMPLETE);
		N(CKR_TEMPLATE_INCONSISTENT); N(CKR_TOKEN_NOT_PRESENT); N(CKR_TOKEN_NOT_RECOGNIZED);
		N(CKR_TOKEN_WRITE_PROTECTED); N(CKR_USER_ALREADY_LOGGED_IN);
		N(CKR_USER_NOT_LOGGED_IN); N(CKR_USER_PIN_NOT_INITIALIZED);
		N(CKR_USER_TYPE_INVALID); N(CKR_USER_ANOTHER_ALREADY_LOGGED_IN);
		N(CKR_BUFFER_TOO_SMALL); N(CKR_CRYPTOKI_NOT_INITIALIZED);
#undef N
	default:
		return NULL;
	}
}

int p11_fail(struct p11_ctx *ctx, const char *call, CK_RV rv)
{
	const char *name = rv_name(rv);

	if (rv != CKR_OK && ctx) {
		if (name)
			snprintf(ctx->last_error, sizeof(ctx->last_error), "%s: %s", call, name);
		else
			snprintf(ctx->last_error, sizeof(ctx->last_error), "%s: CKR 0x%08lx", call,
				 (unsigned long)rv);
	}
	return p11_rv_to_errno(rv);
}

const char *p11_last_error(const struct p11_ctx *ctx)
{
	return ctx && ctx->last_error[0] ? ctx->last_error : NULL;
}

/* Module registry. */

static int module_load(const char *path, struct p11_module **ret)
{
	CK_RV (*get_list)(CK_FUNCTION_LIST **);
	CK_C_INITIALIZE_ARGS args = { .flags = CKF_OS_LOCKING_OK };
	struct p11_module *m;
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

static void module_unref(struct p11_module *m)
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

int p11_open(const char *module_path, struct p11_ctx **ret)
{
	struct p11_ctx *ctx;
	int r;

	if (!ret)
		return -EINVAL;
	ctx = calloc(1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	pthread_mutex_lock(&p11_modules_lock);
	r = module_load(module_path ? module_path : P11_DEFAULT_MODULE, &ctx->mod);
	pthread_mutex_unlock(&p11_modules_lock);
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
	pthread_mutex_lock(&p11_modules_lock);
	for (size_t i = 0; i < ctx->n_keep; i++)
		ctx->f->C_CloseSession(ctx->keep[i]);
	module_unref(ctx->mod);
	pthread_mutex_unlock(&p11_modules_lock);
	free(ctx->keep);
	free(ctx);
}

/* Tokens and sessions. */

void p11_label_from_ck(const CK_UTF8CHAR *in, char out[P11_LABEL_LEN + 1])
{
	size_t n = P11_LABEL_LEN;

	memcpy(out, in, P11_LABEL_LEN);
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\0'))
		n--;
	out[n] = '\0';
}

int p11_slots_get(struct p11_ctx *ctx, CK_SLOT_ID **ret, CK_ULONG *n)
{
	CK_SLOT_ID *slots = NULL;
	CK_RV rv;

	/* Asking for the count first makes SoftHSM rescan its tokens (and add
	 * a fresh free slot after C_InitToken).  (Before, at most 64 were
	 * read: with more tokens, the others could not be found.) */
	for (int attempt = 0; attempt < 5; attempt++) {
		CK_ULONG k = 0;

		rv = ctx->f->C_GetSlotList(CK_TRUE, NULL, &k);
		if (rv != CKR_OK)
			return p11_fail(ctx, "C_GetSlotList", rv);
		free(slots);
		slots = calloc(k + 1, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		*n = k + 1;
		rv = ctx->f->C_GetSlotList(CK_TRUE, slots, n);
		if (rv == CKR_OK) {
			*ret = slots;
			return 0;
		}
		if (rv != CKR_BUFFER_TOO_SMALL)
			break;	/* a token came meanwhile: ask again */
	}
	free(slots);
	return p11_fail(ctx, "C_GetSlotList", rv);
}

bool p11_slot_token(struct p11_ctx *ctx, CK_SLOT_ID slot, CK_TOKEN_INFO *ret_info)
{
	return ctx->f->C_GetTokenInfo(slot, ret_info) == CKR_OK &&
	       (ret_info->flags & CKF_TOKEN_INITIALIZED);
}

int p11_token_find(struct p11_ctx *ctx, const char *label, CK_SLOT_ID *ret,
		   CK_TOKEN_INFO *ret_info)
{
	_cleanup_free_ CK_SLOT_ID *slots = NULL;
	CK_ULONG n;
	int r;

	if (!ctx || isempty(label))
		return -EINVAL;
	r = p11_slots_get(ctx, &slots, &n);
	if (r < 0)
		return r;
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		char l[P11_LABEL_LEN + 1];

		if (!p11_slot_token(ctx, slots[i], &ti))
			continue;
		p11_label_from_ck(ti.label, l);
		if (streq(l, label)) {
			*ret = slots[i];
			if (ret_info)
				*ret_info = ti;
			return 0;
		}
	}
	return -ENOENT;
}

int p11_session_open(struct p11_ctx *ctx, const char *label, bool rw, CK_USER_TYPE user,
		     const char *pin, CK_SESSION_HANDLE *ret)
{
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	CK_RV rv;
	int r;

	r = p11_token_find(ctx, label, &slot, NULL);
	if (r < 0)
		return r;
	rv = ctx->f->C_OpenSession(slot, CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0), NULL,
				   NULL, &s);
	if (rv != CKR_OK)
		return p11_fail(ctx, "C_OpenSession", rv);
	if (pin) {
		rv = ctx->f->C_Login(s, user, (CK_UTF8CHAR_PTR)pin, p11_pin_len(pin));
		if (rv == CKR_USER_ALREADY_LOGGED_IN ||
		    rv == CKR_USER_ANOTHER_ALREADY_LOGGED_IN) {
			ctx->f->C_Logout(s);
			rv = ctx->f->C_Login(s, user, (CK_UTF8CHAR_PTR)pin, p11_pin_len(pin));
		}
		if (rv != CKR_OK) {
			ctx->f->C_CloseSession(s);
			return p11_fail(ctx, "C_Login", rv);
		}
	}
	*ret = s;
	return 0;
}

void p11_session_end(struct p11_ctx *ctx, CK_SESSION_HANDLE s, bool logout)
{
	if (logout)
		ctx->f->C_Logout(s);
	ctx->f->C_CloseSession(s);
}

static int keep_session(struct p11_ctx *ctx, CK_SESSION_HANDLE s)
{
	CK_SESSION_HANDLE *n = realloc(ctx->keep, (ctx->n_keep + 1) * sizeof(*n));

	if (!n)
		return -ENOMEM;
	ctx->keep = n;
	ctx->keep[ctx->n_keep++] = s;
	return 0;
}

int p11_login_keep(struct p11_ctx *ctx, const char *label, const char *pin)
{
	CK_SESSION_HANDLE s;
	int r;

	r = p11_session_open(ctx, label, true, CKU_USER, pin, &s);
	if (r < 0)
		return r;
	r = keep_session(ctx, s);
	if (r < 0)
		p11_session_end(ctx, s, true);
	return r;
}

/* Objects. */

int p11_attr_get(struct p11_ctx *ctx, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o,
		 CK_ATTRIBUTE_TYPE type, unsigned char **ret, size_t *ret_n)
{
	CK_ATTRIBUTE a = { .type = type };
	unsigned char *buf;
	CK_RV rv;

	rv = ctx->f->C_GetAttributeValue(s, o, &a, 1);
	if (rv != CKR_OK || a.ulValueLen == CK_UNAVAILABLE_INFORMATION)
		return rv == CKR_OK ? -ENOENT : p11_fail(ctx, "C_GetAttributeValue", rv);
	buf = malloc(a.ulValueLen + 1);
	if (!buf)
		return -ENOMEM;
	a.pValue = buf;
	rv = ctx->f->C_GetAttributeValue(s, o, &a, 1);
	if (rv != CKR_OK) {
		free(buf);
		return p11_fail(ctx, "C_GetAttributeValue", rv);
	}
	*ret = buf;
	*ret_n = a.ulValueLen;
	return 0;
}

int p11_objects_find(struct p11_ctx *ctx, CK_SESSION_HANDLE s, CK_ATTRIBUTE *tmpl,
		     CK_ULONG n_tmpl, CK_OBJECT_HANDLE *ret, CK_ULONG max, CK_ULONG *ret_n)
{
	CK_RV rv;

	rv = ctx->f->C_FindObjectsInit(s, tmpl, n_tmpl);
	if (rv != CKR_OK)
		return p11_fail(ctx, "C_FindObjectsInit", rv);
	rv = ctx->f->C_FindObjects(s, ret, max, ret_n);
	ctx->f->C_FindObjectsFinal(s);
	return p11_fail(ctx, "C_FindObjects", rv);
}
