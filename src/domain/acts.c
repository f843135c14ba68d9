/* acts.c - the registry of signed acts (see acts.h).
 *
 * One entry per purpose.  To add a signed act: write its precondition and
 * effect here, add the entry to acts[], and add its texts in a migration
 * (sign_texts rows with purpose = the entry's texts).  Nothing else in the
 * ceremony, the decision or the HTTP layer dispatches on the purpose. */
#include "domain/acts.h"

#include <stdio.h>

#include "common/json.h"
#include "domain/apply.h"
#include "domain/eonay.h"
#include "domain/pinreset.h"
#include "domain/signing.h"
#include "domain/websession.h"
#include "store/audit.h"

/* login: the browser that started the session is logged in as the holder.
 * The new browser session is written here, in the accepting transaction;
 * the browser's wait only hands its cookie out (websession_login_take). */
static int login_effect(struct db *db, const struct act_ctx *ctx, const struct signing_session *s,
			const struct act_signature *sig, enum refusal *ret_refusal)
{
	_cleanup_free_ char *actor = strdup_printf("holder:%s", s->tckn);
	int r;

	if (!actor)
		return -ENOMEM;
	r = websession_login_accept(db, ctx->session_key, s->web_hash, s->id, s->tckn,
				    s->client_addr, ret_refusal);
	if (r >= 0 && sig->signer_serial && sig->signer_serial[0])
		r = websession_bind_signer(db, ctx->session_key, s->web_hash, s->id,
					   sig->signer_issuer, sig->signer_serial);
	if (r < 0)
		return r;
	return audit_append(db, true, actor, "session.login", s->id, "ok",
			    "{\"method\":\"e-signature\"}");
}

/* eonay-give: only when no E-Onay is active, and (at the start) only with
 * the current explanation read and accepted; its version is bound to the
 * session. */
static int give_precondition(struct db *db, const struct act_ctx *ctx, const char *tckn,
			     struct act_input *in, enum refusal *ret_refusal)
{
	_cleanup_json_ json_t *para = NULL;
	struct eonay_status es;
	int64_t version;
	int r;

	r = eonay_status_get(db, tckn, &es);
	if (r < 0)
		return r;
	if (es.active) {
		*ret_refusal = REFUSAL_EONAY_ALREADY_ACTIVE;
		return -EACCES;
	}
	if (!in)
		return 0;
	r = eonay_explanation(db, ctx->cfg->ca_short_name, &version, &para);
	if (r < 0)
		return r;
	if (!in->accepted || in->explanation_version != version) {
		*ret_refusal = REFUSAL_NOT_ACCEPTED;
		return -EACCES;
	}
	in->bound_version = version;
	return 0;
}

static int cancel_precondition(struct db *db, const struct act_ctx *ctx, const char *tckn,
			       struct act_input *in, enum refusal *ret_refusal)
{
	struct eonay_status es;
	int r;

	r = eonay_status_get(db, tckn, &es);
	if (r < 0)
		return r;
	if (!es.active) {
		*ret_refusal = REFUSAL_EONAY_NOT_ACTIVE;
		return -EACCES;
	}
	return 0;
}

static int give_effect(struct db *db, const struct act_ctx *ctx, const struct signing_session *s,
		       const struct act_signature *sig, enum refusal *ret_refusal)
{
	return eonay_record(db, s->tckn, true, s->text_version, s->explanation_version,
			    sig->sha256);
}

static int cancel_effect(struct db *db, const struct act_ctx *ctx, const struct signing_session *s,
			 const struct act_signature *sig, enum refusal *ret_refusal)
{
	return eonay_record(db, s->tckn, false, s->text_version, 0, sig->sha256);
}

/* pin-reset: the holder has a card; the card's signature (made with its
 * new PIN) confirms the new SO PIN (pinreset.h). */
static int pin_precondition(struct db *db, const struct act_ctx *ctx, const char *tckn,
			    struct act_input *in, enum refusal *ret_refusal)
{
	int64_t n;
	int r = pinreset_cards_of(db, tckn, &n);

	if (r < 0)
		return r;
	if (n == 0) {
		*ret_refusal = REFUSAL_NO_CARD;
		return -EACCES;
	}
	return 0;
}

static int pin_effect(struct db *db, const struct act_ctx *ctx, const struct signing_session *s,
		      const struct act_signature *sig, enum refusal *ret_refusal)
{
	_cleanup_free_ char *actor = strdup_printf("holder:%s", s->tckn);
	_cleanup_free_ char *details = strdup_printf("{\"signer_serial\":\"%s\"}",
						     sig->signer_serial);
	int r;

	if (!actor || !details)
		return -ENOMEM;
	r = pinreset_confirm(db, s->id, sig->signer_issuer, sig->signer_serial, ret_refusal);
	if (r < 0)
		return r;
	return audit_append(db, true, actor, "pin.reset", s->id, "ok", details);
}

/* application-sign (Elektronik İmzalı Başvuru, domain/apply.h): started
 * by the portal for its draft (in->subject) once the SMS code was
 * verified; the texts are the form summary and the Sertifika Sahibi
 * Taahhütnamesi; the signer must be the applicant (signature.c checks the
 * certificate's T.C. Kimlik No against the session's). */
static int appsign_precondition(struct db *db, const struct act_ctx *ctx, const char *tckn,
				struct act_input *in, enum refusal *ret_refusal)
{
	/* Only the portal starts it, for a draft; the draft's own checks run
	 * in compose (start) and in the effect (acceptance). */
	if (in && isempty(in->subject)) {
		*ret_refusal = REFUSAL_BAD_PURPOSE;
		return -EACCES;
	}
	return 0;
}

static int appsign_compose(struct db *db, const struct act_ctx *ctx, const char *tckn,
			   const struct act_input *in, json_t *texts, enum refusal *ret_refusal)
{
	return apply_esign_texts(db, tckn, in ? in->subject : NULL, texts, ret_refusal);
}

static int appsign_effect(struct db *db, const struct act_ctx *ctx,
			  const struct signing_session *s, const struct act_signature *sig,
			  enum refusal *ret_refusal)
{
	return apply_esign_accepted(db, s->subject, s->tckn, sig->sha256, ret_refusal);
}

static const struct signed_act act_login = {
	.name = "login",
	.purpose_tr = "E-imzalı Giriş",
	.done_tr = "Giriş işleminiz tamamlanmıştır.",
	.texts = "login",
	.needs_holder = false,
	.effect = login_effect,
};

static const struct signed_act act_eonay_give = {
	.name = "eonay-give",
	.purpose_tr = "E-Onay verme",
	.done_tr = "E-Onay verme işleminiz tamamlanmıştır.",
	.texts = "eonay-give",
	.needs_holder = true,
	.precondition = give_precondition,
	.effect = give_effect,
};

static const struct signed_act act_eonay_cancel = {
	.name = "eonay-cancel",
	.purpose_tr = "E-Onay iptali",
	.done_tr = "E-Onay iptal işleminiz tamamlanmıştır.",
	.texts = "eonay-cancel",
	.needs_holder = true,
	.precondition = cancel_precondition,
	.effect = cancel_effect,
};

static const struct signed_act act_pin_reset = {
	.name = "pin-reset",
	.purpose_tr = "PIN Oluşturma/Kilit Çözme",
	.done_tr = "PIN işleminiz tamamlanmıştır. Kartınızı yeni PIN kodunuzla kullanabilirsiniz.",
	.texts = "pin-reset",
	.needs_holder = true,
	.on_hold_ok = true,
	.precondition = pin_precondition,
	.effect = pin_effect,
};

static const struct signed_act act_application_sign = {
	.name = "application-sign",
	.purpose_tr = "Elektronik İmzalı Başvuru",
	.done_tr = "Başvuru formunuz elektronik imza ile imzalandı ve sistemimize ulaştı.",
	.texts = "application-sign",
	.needs_holder = false,
	.precondition = appsign_precondition,
	.compose = appsign_compose,
	.effect = appsign_effect,
};

const struct signed_act *const acts[] = {
	&act_login,
	&act_eonay_give,
	&act_eonay_cancel,
	&act_pin_reset,
	&act_application_sign,
};
const size_t acts_count = ELEMENTSOF(acts);

const struct signed_act *act_find(const char *name)
{
	for (size_t i = 0; name && i < acts_count; i++)
		if (streq(acts[i]->name, name))
			return acts[i];
	return NULL;
}
