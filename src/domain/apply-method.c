/* apply-method.c - İmzalama Yönteminin Belirlenmesi (see apply.h): E-Onaylı
 * Başvuru, Elektronik İmzalı Başvuru (the application-sign act's hooks)
 * and Islak İmzalı (the PDF). */
#include <stdio.h>

#include "common/json.h"
#include "domain/appdoc.h"
#include "domain/contact.h"
#include "domain/apply-private.h"
#include "domain/eonay.h"
#include "domain/texts.h"
#include "store/audit.h"

static int refuse(enum refusal *ret_refusal, enum refusal why)
{
	*ret_refusal = why;
	return -EACCES;
}

/* E-Onaylı Başvuru may be used: the E-Onay is active, and the SMS Onay
 * Kodu that confirmed this form went to the cep number the holder has on
 * record.  The form's number is typed by whoever knows the registry data:
 * without the second check anyone could have a card made (and the
 * güvenlik sözcüğü set) in the name of an E-Onay holder. */
static int eonay_check(struct db *db, const struct apply_draft *d, enum refusal *ret_refusal)
{
	struct application a = { 0 };
	struct contact c = { 0 };
	struct eonay_status es;
	bool same;
	int r;

	r = eonay_status_get(db, d->tckn, &es);
	if (r < 0)
		return r;
	if (!es.active)
		return refuse(ret_refusal, REFUSAL_EONAY_NOT_ACTIVE);
	if (!d->application_id[0])
		return refuse(ret_refusal, REFUSAL_APPLY_STEP);
	r = application_get(db, d->application_id, &a);
	if (r < 0)
		return r;
	r = contact_get(db, d->tckn, &c);
	same = r == 0 && a.mobile && c.v[CONTACT_MOBILE] && streq(a.mobile, c.v[CONTACT_MOBILE]);
	application_done(&a);
	contact_done(&c);
	if (r < 0 && r != -ENOENT)
		return r;
	return same ? 0 : refuse(ret_refusal, REFUSAL_EONAY_MOBILE);
}

int apply_eonay_active(struct db *db, const struct apply_draft *d, bool *ret,
		       bool *ret_mobile_ok)
{
	enum refusal why = REFUSAL_NONE;
	int r = eonay_check(db, d, &why);

	if (r < 0 && r != -EACCES)
		return r;
	*ret = r == 0 || why == REFUSAL_EONAY_MOBILE;
	if (ret_mobile_ok)
		*ret_mobile_ok = r == 0;
	return 0;
}

/* E-Onaylı: checked again and fired in one transaction under the holder's
 * lock, the one an E-Onay cancellation takes: a cancellation in between
 * is seen.  A refusal is audited. */
static int choose_eonay(struct db *db, const struct apply_draft *d, enum refusal *ret_refusal)
{
	struct application_step st = { .operator = NULL, .method = APP_METHOD_EONAY,
				       .evidence = "eonay" };
	_cleanup_free_ char *key = strdup_printf("holder:%s", d->tckn);
	_cleanup_free_ char *actor = strdup_printf("applicant:%s", d->tckn);
	_cleanup_free_ char *details = NULL;
	int r;

	if (!key || !actor)
		return -ENOMEM;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = db_lock(db, key);
	if (r >= 0)
		r = eonay_check(db, d, ret_refusal);
	if (r >= 0)
		r = application_fire_in_tx(db, d->application_id, APP_EV_SIGNED, APP_BY_PORTAL, &st,
					   NULL, ret_refusal);
	if (r >= 0)
		r = db_run(db, "UPDATE apply_drafts SET method = 'eonay', step = 'done',"
			       " finished_at = $1, updated_at = $1 WHERE id = $2"
			       " AND step = 'sms_verified'", "it", now_sec(), d->id);
	if (r == 0)
		r = refuse(ret_refusal, REFUSAL_APPLY_STEP);
	r = db_end(db, r < 0 ? r : 0);
	if (r != -EACCES)
		return r;
	details = strdup_printf("{\"draft\":\"%s\",\"reason\":\"%s\"}", d->id,
				refusal_code(*ret_refusal));
	if (!details)
		return -ENOMEM;
	r = audit_append(db, false, actor, "apply.eonay", d->application_id, "refused", details);
	return r < 0 ? r : -EACCES;
}

int apply_choose(struct db *db, const char *web_hash, const char *method,
		 struct apply_draft *ret, enum refusal *ret_refusal)
{
	struct application_step st = { .operator = NULL };
	struct apply_draft d;
	bool paper;
	int r;

	paper = streq_ptr(method, "paper");
	if (!paper && !streq_ptr(method, "eonay"))
		return -EINVAL;
	r = apply_current(db, web_hash, &d, ret_refusal);
	if (r < 0)
		return r;
	if (d.step != APPLY_SMS_VERIFIED || !d.application_id[0])
		return refuse(ret_refusal, REFUSAL_APPLY_STEP);
	r = apply_app_usable(db, &d, ret_refusal);
	if (r < 0)
		return r;
	/* Islak İmzalı twice (a double click, a reload): the same answer. */
	if (paper && streq(d.method, "paper")) {
		*ret = d;
		return 0;
	}
	if (!paper) {
		r = choose_eonay(db, &d, ret_refusal);
		return r < 0 ? r : apply_draft_get(db, d.id, ret);
	}
	r = application_fire(db, d.application_id, APP_EV_PAPER_CHOSEN, APP_BY_PORTAL, &st, NULL,
			     ret_refusal);
	if (r < 0)
		return r;
	r = db_run(db, "UPDATE apply_drafts SET method = $1, step = $2, finished_at = $3,"
		       " updated_at = $3 WHERE id = $4",
		   "ttit", method, "sms_verified", now_sec(), d.id);
	if (r < 0)
		return r;
	return apply_draft_get(db, d.id, ret);
}

int apply_esign_bind(struct db *db, const char *draft_id, const char *session_id)
{
	int r = db_run(db, "UPDATE apply_drafts SET sign_session = $1, updated_at = $2"
			   " WHERE id = $3", "tit", session_id, now_sec(), draft_id);

	return r < 0 ? r : r == 0 ? -ENOENT : 0;
}

int apply_esign_texts(struct db *db, const char *tckn, const char *subject, json_t *texts,
		      enum refusal *ret_refusal)
{
	_cleanup_json_ json_t *form = NULL;
	_cleanup_free_ char *summary = NULL;
	struct apply_draft d;
	int r;

	if (isempty(subject))
		return refuse(ret_refusal, REFUSAL_BAD_PURPOSE);
	r = apply_draft_get(db, subject, &d);
	if (r == -ENOENT)
		return refuse(ret_refusal, REFUSAL_APPLY_NO_DRAFT);
	if (r < 0)
		return r;
	if (!streq(d.tckn, tckn) || d.step != APPLY_SMS_VERIFIED || !d.application_id[0])
		return refuse(ret_refusal, REFUSAL_APPLY_STEP);
	r = apply_app_usable(db, &d, ret_refusal);
	if (r < 0)
		return r;
	r = apply_form(db, &d, &form);
	if (r < 0)
		return r;
	r = appdoc_summary(form, d.application_id, &summary);
	if (r < 0)
		return r;
	/* Text 1: the form; then the undertaking(s) of sign_texts. */
	return json_array_insert_new(texts, 0, json_string(summary)) < 0 ? -ENOMEM : 0;
}

int apply_esign_accepted(struct db *db, const char *draft_id, const char *tckn,
			 const char *signature_sha256, enum refusal *ret_refusal)
{
	_cleanup_free_ char *actor = strdup_printf("holder:%s", tckn);
	_cleanup_free_ char *details = NULL;
	struct apply_draft d;
	int r;

	if (!actor)
		return -ENOMEM;
	r = isempty(draft_id) ? -ENOENT : apply_draft_get(db, draft_id, &d);
	if (r == -ENOENT)
		return refuse(ret_refusal, REFUSAL_APPLY_NO_DRAFT);
	if (r < 0)
		return r;
	if (!streq(d.tckn, tckn) || d.step != APPLY_SMS_VERIFIED)
		return refuse(ret_refusal, REFUSAL_APPLY_STEP);
	/* The application moves on in the same transaction: the signature
	 * and the signed event stand or fall together. */
	{
		struct application_step st = {
			.operator = NULL, .method = APP_METHOD_ESIGN, .evidence = signature_sha256,
		};

		r = application_fire_in_tx(db, d.application_id, APP_EV_SIGNED, APP_BY_PORTAL, &st,
					   NULL, ret_refusal);
		if (r < 0)
			return r;
	}
	r = db_run(db, "UPDATE apply_drafts SET method = 'esign', step = 'done', esign_sha256 = $1,"
		       " finished_at = $2, updated_at = $2 WHERE id = $3 AND step = 'sms_verified'",
		   "tit", signature_sha256, now_sec(), d.id);
	if (r < 0)
		return r;
	if (r == 0)
		return refuse(ret_refusal, REFUSAL_APPLY_STEP);
	details = strdup_printf("{\"application\":\"%s\",\"signature_sha256\":\"%s\"}",
				d.application_id, signature_sha256);
	if (!details)
		return -ENOMEM;
	return audit_append(db, true, actor, "application.esign", d.application_id, "ok",
			    details);
}

static int finish_one(struct db *db, const char *draft_id, const char *app_id,
		      const char *sha256)
{
	struct application_step st = {
		.operator = NULL, .method = APP_METHOD_ESIGN, .evidence = sha256,
	};
	enum refusal why = REFUSAL_NONE;
	int r;

	r = application_fire(db, app_id, APP_EV_SIGNED, APP_BY_PORTAL, &st, NULL, &why);
	/* Moved already (by the page or the sweep), or closed meanwhile:
	 * nothing more to do for this draft. */
	if (r == -EACCES && (why == REFUSAL_APPLICATION_STATE || why == REFUSAL_NOT_FOUND))
		r = 0;
	if (r < 0)
		return r;
	r = db_run(db, "UPDATE apply_drafts SET finished_at = $1 WHERE id = $2", "it", now_sec(),
		   draft_id);
	return r < 0 ? r : 0;
}

int apply_esign_finish(struct db *db, const char *draft_id, size_t *ret_n)
{
	struct {
		char id[33], app[33], sha[65];
	} todo[32];
	size_t n = 0;
	int r;

	{
		_cleanup_stmt_ struct db_stmt *st = NULL;

		r = draft_id ?
			db_select(db, &st, "SELECT id, application_id, esign_sha256 FROM apply_drafts"
					   " WHERE id = $1 AND esign_sha256 IS NOT NULL"
					   " AND finished_at IS NULL", "t", draft_id) :
			db_select(db, &st, "SELECT id, application_id, esign_sha256 FROM apply_drafts"
					   " WHERE esign_sha256 IS NOT NULL AND finished_at IS NULL"
					   " ORDER BY updated_at LIMIT 32", "");
		if (r < 0)
			return r;
		while (n < ELEMENTSOF(todo) && (r = db_step(st)) == 1) {
			snprintf(todo[n].id, 33, "%s", db_col_text(st, 0));
			snprintf(todo[n].app, 33, "%s", db_col_text(st, 1) ?: "");
			snprintf(todo[n].sha, 65, "%s", db_col_text(st, 2));
			n++;
		}
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < n; i++) {
		r = finish_one(db, todo[i].id, todo[i].app, todo[i].sha);
		if (r < 0)
			return r;
	}
	if (ret_n)
		*ret_n = n;
	return 0;
}

int apply_pdf(struct db *db, const struct config *cfg, const struct apply_draft *d,
	      unsigned char **ret_pdf, size_t *ret_len, enum refusal *ret_refusal)
{
	_cleanup_json_ json_t *form = NULL, *texts = NULL;
	_cleanup_free_ char *undertaking = NULL;
	int64_t version;
	size_t i;
	json_t *t;
	int r;

	if (!d->application_id[0] || d->step == APPLY_RECOVERING)
		return refuse(ret_refusal, REFUSAL_APPLY_STEP);
	r = apply_app_usable(db, d, ret_refusal);
	if (r < 0)
		return r;
	r = apply_form(db, d, &form);
	if (r < 0)
		return r;
	r = sign_texts_load(db, "application-sign", cfg->ca_short_name, &version, &texts);
	if (r < 0)
		return r;
	json_array_foreach(texts, i, t) {
		char *u = strdup_printf("%s%s%s", undertaking ? undertaking : "",
					undertaking ? "\n\n" : "", json_string_value(t));

		if (!u)
			return -ENOMEM;
		free(undertaking);
		undertaking = u;
	}
	return appdoc_pdf(form, d->application_id, cfg->ca_name, undertaking, ret_pdf, ret_len);
}
