/* p11-token.c - a card's life through the PKCS#11 C API: a fresh token
 * initialised with its SO and user PINs, the tokens present, and the
 * PINs' status, changes and unblocking.
 *
 * This goes to the module directly (p11-module.c) because libp11 0.4.12
 * cannot initialise a token in a fresh slot nor cope with slots
 * renumbered under it. */
#include "pki/p11-private.h"

static int label_to_ck(const char *label, CK_UTF8CHAR out[P11_LABEL_LEN])
{
	size_t n;

	if (isempty(label))
		return -EINVAL;
	n = strlen(label);
	if (n > P11_LABEL_LEN)
		return -EINVAL;
	memset(out, ' ', P11_LABEL_LEN);
	memcpy(out, label, n);
	return 0;
}

int p11_token_init(struct p11_ctx *ctx, const char *label, const char *so_pin,
		   const char *user_pin)
{
	CK_UTF8CHAR cklabel[P11_LABEL_LEN];
	_cleanup_free_ CK_SLOT_ID *slots = NULL;
	CK_SLOT_ID slot, found;
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
	if (p11_token_find(ctx, label, &found, NULL) == 0)
		return -EEXIST;
	r = p11_slots_get(ctx, &slots, &n);
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
	rv = ctx->f->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, p11_pin_len(so_pin), cklabel);
	if (rv != CKR_OK)
		return p11_fail(ctx, "C_InitToken", rv);

	/* SoftHSM renumbers its slots now: find the token by its label. */
	r = p11_session_open(ctx, label, true, CKU_SO, so_pin, &s);
	if (r < 0)
		return r;
	rv = ctx->f->C_InitPIN(s, (CK_UTF8CHAR_PTR)user_pin, p11_pin_len(user_pin));
	p11_session_end(ctx, s, true);
	return p11_fail(ctx, "C_InitPIN", rv);
}

int p11_token_reinit(struct p11_ctx *ctx, const char *label, const char *so_pin,
		     const char *user_pin)
{
	CK_UTF8CHAR cklabel[P11_LABEL_LEN];
	CK_SESSION_HANDLE s;
	CK_SLOT_ID slot;
	CK_RV rv;
	int r;

	if (!ctx || isempty(so_pin) || isempty(user_pin))
		return -EINVAL;
	r = label_to_ck(label, cklabel);
	if (r < 0)
		return r;
	r = p11_token_find(ctx, label, &slot, NULL);
	if (r == -ENOENT)
		return p11_token_init(ctx, label, so_pin, user_pin);
	if (r < 0)
		return r;
	/* C_InitToken on an initialised token with its SO PIN wipes it. */
	rv = ctx->f->C_InitToken(slot, (CK_UTF8CHAR_PTR)so_pin, p11_pin_len(so_pin), cklabel);
	if (rv != CKR_OK)
		return p11_fail(ctx, "C_InitToken", rv);
	r = p11_session_open(ctx, label, true, CKU_SO, so_pin, &s);
	if (r < 0)
		return r;
	rv = ctx->f->C_InitPIN(s, (CK_UTF8CHAR_PTR)user_pin, p11_pin_len(user_pin));
	p11_session_end(ctx, s, true);
	return p11_fail(ctx, "C_InitPIN", rv);
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
	_cleanup_free_ CK_SLOT_ID *slots = NULL;
	_cleanup_(p11_strv_freep) char **v = NULL;
	size_t k = 0;
	CK_ULONG n;
	int r;

	if (!ctx || !ret)
		return -EINVAL;
	r = p11_slots_get(ctx, &slots, &n);
	if (r < 0)
		return r;
	v = calloc(n + 1, sizeof(char *));
	if (!v)
		return -ENOMEM;
	for (CK_ULONG i = 0; i < n; i++) {
		CK_TOKEN_INFO ti;
		char l[P11_LABEL_LEN + 1];

		if (!p11_slot_token(ctx, slots[i], &ti))
			continue;
		p11_label_from_ck(ti.label, l);
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

/* PINs. */

int p11_token_serial(struct p11_ctx *ctx, const char *label, char ret[17])
{
	CK_TOKEN_INFO ti;
	CK_SLOT_ID slot;
	size_t n;
	int r;

	r = p11_token_find(ctx, label, &slot, &ti);
	if (r < 0)
		return r;
	memcpy(ret, ti.serialNumber, 16);
	ret[16] = '\0';
	for (n = 16; n > 0 && (ret[n - 1] == ' ' || ret[n - 1] == '\0'); n--)
		ret[n - 1] = '\0';
	return 0;
}

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
	r = p11_token_find(ctx, label, &slot, &ti);
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

int p11_pin_limits(struct p11_ctx *ctx, const char *label, unsigned *ret_min,
		   unsigned *ret_max)
{
	CK_TOKEN_INFO ti;
	CK_SLOT_ID slot;
	int r;

	if (!ret_min || !ret_max)
		return -EINVAL;
	r = p11_token_find(ctx, label, &slot, &ti);
	if (r < 0)
		return r;
	*ret_min = ti.ulMinPinLen > 255 ? 255 : (unsigned)ti.ulMinPinLen;
	*ret_max = ti.ulMaxPinLen > 255 ? 255 : (unsigned)ti.ulMaxPinLen;
	return 0;
}

/* A bad new PIN (length, characters) is the caller's argument. */
static int new_pin_rv(CK_RV rv)
{
	if (rv == CKR_PIN_LEN_RANGE || rv == CKR_PIN_INVALID)
		return -EINVAL;
	return p11_rv_to_errno(rv);
}

/* Logs in as who with pin, then sets new_pin: who's own PIN (C_SetPIN),
 * or with init the user PIN, by the SO (C_InitPIN). */
static int pin_set(struct p11_ctx *ctx, const char *label, CK_USER_TYPE who, bool init,
		   const char *pin, const char *new_pin)
{
	CK_SESSION_HANDLE s;
	CK_RV rv;
	int r;

	if (!ctx || isempty(pin) || isempty(new_pin))
		return -EINVAL;
	r = p11_session_open(ctx, label, true, who, pin, &s);
	if (r < 0)
		return r;
	if (init)
		rv = ctx->f->C_InitPIN(s, (CK_UTF8CHAR_PTR)new_pin, p11_pin_len(new_pin));
	else
		rv = ctx->f->C_SetPIN(s, (CK_UTF8CHAR_PTR)pin, p11_pin_len(pin),
				      (CK_UTF8CHAR_PTR)new_pin, p11_pin_len(new_pin));
	p11_session_end(ctx, s, true);
	return new_pin_rv(rv);
}

int p11_pin_change(struct p11_ctx *ctx, const char *label, const char *old_pin,
		   const char *new_pin)
{
	return pin_set(ctx, label, CKU_USER, false, old_pin, new_pin);
}

int p11_so_pin_change(struct p11_ctx *ctx, const char *label, const char *old_so_pin,
		      const char *new_so_pin)
{
	return pin_set(ctx, label, CKU_SO, false, old_so_pin, new_so_pin);
}

int p11_pin_unblock(struct p11_ctx *ctx, const char *label, const char *so_pin,
		    const char *new_user_pin)
{
	return pin_set(ctx, label, CKU_SO, true, so_pin, new_user_pin);
}
