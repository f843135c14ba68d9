/* apply-sms.c - SMS Onay Kodu and "Başvuru Formu Erişim Parolamı
 * Bilmiyorum" (see apply.h).
 *
 * A code is APPLY_SMS_DIGITS random digits; only HMAC(key, "sms:" draft
 * id ":" code) is kept, with its purpose (confirm: the form's cep number;
 * recover: the application's), its end and its wrong tries.  The message
 * is queued in the outbox in the transaction that stores the hash, so a
 * code is never valid without its message nor sent without being valid.
 * Each check is one guarded UPDATE: two racing wrong codes both count. */
#include <openssl/crypto.h>
#include <stdio.h>

#include "domain/apply-private.h"
#include "domain/notify.h"
#include "domain/registry.h"
#include "store/audit.h"

static int refuse(enum refusal *ret_refusal, enum refusal why)
{
	*ret_refusal = why;
	return -EACCES;
}

static int sms_hash(const unsigned char key[32], const char *draft_id, const char *code,
		    char ret[65])
{
	_cleanup_secret_ char *s = strdup_printf("sms:%s:%s", draft_id, code);
	unsigned char mac[32];
	int r;

	if (!s)
		return -ENOMEM;
	r = hmac_sha256(key, s, mac);
	if (r == 0)
		hex_encode(mac, 32, ret);
	OPENSSL_cleanse(mac, sizeof(mac));
	return r;
}

/* The mobile of the draft's application (10 digits). */
static int app_mobile(struct db *db, const struct apply_draft *d, char ret[11])
{
	struct application a = { 0 };
	int r;

	if (!d->application_id[0])
		return -ENOENT;
	r = application_get(db, d->application_id, &a);
	if (r < 0)
		return r;
	snprintf(ret, 11, "%s", a.mobile ? a.mobile : "");
	application_done(&a);
	return ret[0] ? 0 : -ENOENT;
}

/* Sends a new code of purpose for draft d to mobile: limits, hash, outbox. */
static int send_code(struct db *db, const unsigned char key[32], const struct apply_draft *d,
		     const char *purpose, const char *mobile, enum refusal *ret_refusal)
{
	char code[APPLY_SMS_DIGITS + 1], hash[65];
	_cleanup_secret_ char *body = NULL;
	int64_t now = now_sec(), sends;
	int r;

	/* Sends per purpose: a recovery starts its own count. */
	sends = streq(d->sms_purpose, purpose) ? d->sms_sends : 0;
	if (sends >= APPLY_SMS_MAX_SENDS ||
	    (streq(d->sms_purpose, purpose) && d->sms_sent_at > now - APPLY_SMS_RESEND_GAP))
		return refuse(ret_refusal, REFUSAL_SMS_LIMIT);
	for (int i = 0; i < APPLY_SMS_DIGITS; i++) {
		uint32_t k;

		r = random_uniform(10, &k);
		if (r < 0)
			return r;
		code[i] = (char)('0' + k);
	}
	code[APPLY_SMS_DIGITS] = '\0';
	r = sms_hash(key, d->id, code, hash);
	body = strdup_printf("%s başvurunuz için SMS Onay Kodunuz: %s. Kod %d dakika geçerlidir;"
			     " kimseyle paylaşmayınız.",
			     streq(purpose, "recover") ? "Başvuru formu erişimi" :
							 "Nitelikli elektronik sertifika",
			     code, APPLY_SMS_LIFETIME / 60);
	OPENSSL_cleanse(code, sizeof(code));
	if (r < 0)
		return r;
	if (!body)
		return -ENOMEM;
	r = db_begin(db);
	if (r < 0)
		return r;
	/* Codes per application, purpose and hour, whichever draft asked: an
	 * entry with the parola starts a new draft, not a new allowance (else
	 * codes, and guesses at them, without end by entering again). */
	if (d->application_id[0]) {
		_cleanup_free_ char *lock = strdup_printf("apply-sms:%s", d->application_id);
		int64_t n = 0;

		r = lock ? db_lock(db, lock) : -ENOMEM;
		if (r >= 0)
			r = db_query_int64(db, "SELECT COALESCE(SUM(sms_sends), 0) FROM apply_drafts"
					       " WHERE application_id = $1 AND sms_purpose = $2"
					       " AND sms_sent_at > $3", "tti", &n, d->application_id,
					   purpose, now - APPLY_SMS_WINDOW);
		if (r >= 0 && n >= APPLY_SMS_MAX_SENDS)
			r = -EACCES;
		if (r < 0) {
			r = db_end(db, r);
			return r == -EACCES ? refuse(ret_refusal, REFUSAL_SMS_LIMIT) : r;
		}
	}
	/* Codes to this number, whichever application asked: drafts are not
	 * counted, so anyone could otherwise make drafts with her number
	 * typed on them and guess at their codes without end (a right guess
	 * would prove her number on his claim). */
	{
		_cleanup_free_ char *lock = strdup_printf("apply-sms-to:%s", mobile);
		int64_t hour = 0, day = 0;

		r = lock ? db_lock(db, lock) : -ENOMEM;
		if (r >= 0)
			r = db_query_int64(db, "SELECT COALESCE(SUM(d.sms_sends), 0) FROM apply_drafts d"
					       " JOIN applications a ON a.id = d.application_id"
					       " WHERE a.mobile = $1 AND d.sms_sent_at > $2", "ti", &hour,
					   mobile, now - APPLY_SMS_WINDOW);
		if (r >= 0)
			r = db_query_int64(db, "SELECT COALESCE(SUM(d.sms_sends), 0) FROM apply_drafts d"
					       " JOIN applications a ON a.id = d.application_id"
					       " WHERE a.mobile = $1 AND d.sms_sent_at > $2", "ti", &day,
					   mobile, now - 86400);
		if (r >= 0 && (hour >= APPLY_SMS_PER_NUMBER || day >= APPLY_SMS_PER_NUMBER_DAY))
			r = -EACCES;
		if (r < 0) {
			r = db_end(db, r);
			return r == -EACCES ? refuse(ret_refusal, REFUSAL_SMS_LIMIT) : r;
		}
	}
	/* Guarded by the count seen: two sends at once cannot both pass. */
	r = db_run(db, "UPDATE apply_drafts SET sms_hash = $1, sms_purpose = $2,"
		       " sms_expires_at = $3, sms_tries = 0, sms_sends = $4, sms_sent_at = $5,"
		       " updated_at = $5 WHERE id = $6 AND sms_sends = $7"
		       " AND COALESCE(sms_purpose, '') = $8",
		   "ttiiitit", hash, purpose, now + APPLY_SMS_LIFETIME, sends + 1, now, d->id,
		   d->sms_sends, d->sms_purpose);
	if (r == 0)
		r = -EACCES;
	if (r > 0)
		r = notify_queue(db, d->tckn, "sms", mobile, "SMS Onay Kodu", body);
	r = db_end(db, r);
	if (r == -EACCES)
		return refuse(ret_refusal, REFUSAL_SMS_LIMIT);
	return r < 0 ? r : 0;
}

int apply_sms_send(struct db *db, const unsigned char key[32], const char *web_hash,
		   char ret_mobile[11], enum refusal *ret_refusal)
{
	struct apply_draft d;
	char mobile[11];
	int r;

	r = apply_current(db, web_hash, &d, ret_refusal);
	if (r < 0)
		return r;
	if (d.step != APPLY_CONFIRMED && d.step != APPLY_RECOVERING)
		return refuse(ret_refusal, REFUSAL_APPLY_STEP);
	r = apply_app_usable(db, &d, ret_refusal);
	if (r < 0)
		return r;
	r = app_mobile(db, &d, mobile);
	if (r < 0)
		return r;
	r = send_code(db, key, &d, d.step == APPLY_RECOVERING ? "recover" : "confirm", mobile,
		      ret_refusal);
	/* Every code sent or refused is in the audit log (never the code). */
	if (r == 0 || r == -EACCES) {
		_cleanup_free_ char *actor = strdup_printf("applicant:%s", d.tckn);
		_cleanup_free_ char *details = strdup_printf(
			"{\"draft\":\"%s\",\"purpose\":\"%s\",\"reason\":\"%s\"}", d.id,
			d.step == APPLY_RECOVERING ? "recover" : "confirm",
			r == 0 ? "none" : refusal_code(*ret_refusal));
		int q = !actor || !details ? -ENOMEM :
			audit_append(db, false, actor, "apply.sms_send", d.application_id,
				     r == 0 ? "ok" : "refused", details);

		if (q < 0)
			return q;
	}
	if (r == 0 && ret_mobile)
		memcpy(ret_mobile, mobile, 11);
	return r;
}

/* The code is right for a recovery: the browser takes the application
 * over with a new parola, at the step the application is at. */
static int recovered(struct db *db, struct apply_draft *d, char **ret_parola,
		     enum refusal *ret_refusal)
{
	_cleanup_secret_ char *parola = NULL;
	struct application a = { 0 };
	enum apply_step step;
	int r;

	r = application_get(db, d->application_id, &a);
	if (r < 0)
		return r;
	/* The code went to the form's cep number: that is its SMS check. */
	if (a.state == APP_DRAFT) {
		struct application_step st = { .operator = NULL };

		r = application_fire(db, a.id, APP_EV_SMS_VERIFIED, APP_BY_PORTAL, &st, NULL,
				     ret_refusal);
		if (r == 0)
			a.state = APP_SMS_VERIFIED;
	}
	step = apply_step_of_state(a.state);
	application_done(&a);
	if (r < 0)
		return r;
	r = apply_parola_new(&parola);
	if (r == 0)
		r = application_access_set(db, d->application_id, parola, ret_refusal);
	if (r < 0)
		return r;
	r = db_begin(db);
	if (r == 0) {
		r = db_run(db, "UPDATE apply_drafts SET step = $1, updated_at = $2 WHERE id = $3",
			   "tit", apply_step_str(step), now_sec(), d->id);
		if (r >= 0)
			r = apply_take_over(db, d->id, d->application_id);
		r = db_end(db, r);
	}
	if (r < 0)
		return r;
	*ret_parola = TAKE_PTR(parola);
	return apply_draft_get(db, d->id, d);
}

static int verify_decide(struct db *db, const unsigned char key[32], const char *web_hash,
			 const char *code, struct apply_draft *ret, char **ret_parola,
			 int64_t *ret_tries_left, enum refusal *ret_refusal)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char given[65], stored[65];
	struct apply_draft d;
	int64_t now = now_sec(), tries;
	bool ok;
	int r;

	*ret_parola = NULL;
	*ret_tries_left = 0;
	r = apply_current(db, web_hash, &d, ret_refusal);
	if (r < 0)
		return r;
	if (d.step != APPLY_CONFIRMED && d.step != APPLY_RECOVERING)
		return refuse(ret_refusal, REFUSAL_APPLY_STEP);
	r = apply_app_usable(db, &d, ret_refusal);
	if (r < 0)
		return r;
	r = db_query_one(db, &st, "SELECT sms_hash, sms_tries, sms_expires_at, sms_purpose"
				  " FROM apply_drafts WHERE id = $1", "t", d.id);
	if (r < 0)
		return r;
	if (db_col_is_null(st, 0) || db_col_int64(st, 1) >= APPLY_SMS_TRIES ||
	    db_col_int64(st, 2) <= now ||
	    !streq(db_col_text(st, 3) ?: "", d.step == APPLY_RECOVERING ? "recover" : "confirm"))
		return refuse(ret_refusal, REFUSAL_SMS_EXPIRED);
	snprintf(stored, sizeof(stored), "%s", db_col_text(st, 0));
	tries = db_col_int64(st, 1);
	db_stmt_done(TAKE_PTR(st));
	if (!code || strlen(code) != APPLY_SMS_DIGITS ||
	    strspn(code, "0123456789") != APPLY_SMS_DIGITS)
		r = -EINVAL;
	else
		r = sms_hash(key, d.id, code, given);
	ok = r == 0 && streq_ct(given, stored);
	if (r < 0 && r != -EINVAL)
		return r;
	if (!ok) {
		/* Counted in the store, guarded: a wrong try is never lost. */
		r = db_run(db, "UPDATE apply_drafts SET sms_tries = sms_tries + 1, updated_at = $1"
			       " WHERE id = $2 AND sms_hash = $3 AND sms_tries < $4",
			   "itti", now, d.id, stored, (int64_t)APPLY_SMS_TRIES);
		if (r < 0)
			return r;
		*ret_tries_left = r == 0 ? 0 : APPLY_SMS_TRIES - (tries + 1);
		return refuse(ret_refusal, *ret_tries_left > 0 ? REFUSAL_SMS_WRONG :
								  REFUSAL_SMS_EXPIRED);
	}
	/* Used once: whoever clears the hash is the one who used it. */
	r = db_run(db, "UPDATE apply_drafts SET sms_hash = NULL, updated_at = $1"
		       " WHERE id = $2 AND sms_hash = $3 AND sms_tries < $4",
		   "itti", now, d.id, stored, (int64_t)APPLY_SMS_TRIES);
	if (r < 0)
		return r;
	if (r == 0)
		return refuse(ret_refusal, REFUSAL_SMS_EXPIRED);
	if (d.step == APPLY_RECOVERING) {
		r = recovered(db, &d, ret_parola, ret_refusal);
		if (r < 0)
			return r;
		*ret = d;
		return 0;
	}
	{
		struct application_step stp = { .operator = NULL };

		r = application_fire(db, d.application_id, APP_EV_SMS_VERIFIED, APP_BY_PORTAL, &stp,
				     NULL, ret_refusal);
		/* Already verified (a lost answer, tried again): fine; a
		 * cancelled one was refused above (apply_app_usable), and one
		 * cancelled since is refused here. */
		if (r == -EACCES && *ret_refusal == REFUSAL_APPLICATION_STATE &&
		    apply_app_usable(db, &d, ret_refusal) == 0)
			r = 0;
		if (r < 0)
			return r;
	}
	r = db_run(db, "UPDATE apply_drafts SET step = 'sms_verified', updated_at = $1"
		       " WHERE id = $2", "it", now, d.id);
	if (r < 0)
		return r;
	return apply_draft_get(db, d.id, ret);
}

static int recover_decide(struct db *db, const unsigned char key[32], const char *web_hash,
			  const struct apply_entry *in, char ret_mobile[11],
			  enum refusal *ret_refusal)
{
	struct registry_person p = { 0 };
	struct apply_draft d;
	char app_id[33], mobile[11], cep[11];
	int r;

	if (isempty(web_hash) || !in || isempty(in->institution))
		return -EINVAL;
	r = registry_match(db, in->tckn, in->ad, in->soyad, in->dogum_yeri, in->dogum_tarihi, &p,
			   ret_refusal);
	if (r == -EACCES)
		*ret_refusal = REFUSAL_APPLY_IDENTITY;
	if (r < 0)
		return r;
	/* Only a claim (an application still at the portal), and the one
	 * carrying the number she gives: the person may have several, and
	 * whoever entered her data may have made one with his number. */
	r = appform_mobile_norm(in->cep, cep);
	if (r == 0)
		r = application_find_claim(db, p.tckn, in->institution, cep, app_id);
	registry_person_done(&p);
	if (r == -ENOENT || r == -EINVAL)
		return refuse(ret_refusal, REFUSAL_APPLY_IDENTITY);
	if (r < 0)
		return r;
	/* Codes per application and hour, whichever browser asked. */
	{
		int64_t n = 0;

		r = db_query_int64(db, "SELECT COALESCE(SUM(sms_sends), 0) FROM apply_drafts"
				       " WHERE application_id = $1 AND sms_purpose = 'recover'"
				       " AND sms_sent_at > $2", "ti", &n, app_id, now_sec() - APPLY_SMS_WINDOW);
		if (r < 0)
			return r;
		if (n >= APPLY_SMS_MAX_SENDS)
			return refuse(ret_refusal, REFUSAL_SMS_LIMIT);
	}
	r = apply_draft_new(db, web_hash, in->institution, in->tckn, "registry", NULL, app_id,
			    APPLY_RECOVERING, &d);
	if (r < 0)
		return r;
	r = app_mobile(db, &d, mobile);
	if (r < 0)
		return r;
	r = send_code(db, key, &d, "recover", mobile, ret_refusal);
	if (r == 0 && ret_mobile)
		memcpy(ret_mobile, mobile, 11);
	return r;
}

int apply_recover(struct db *db, const unsigned char key[32], const char *web_hash,
		  const struct apply_entry *in, char ret_mobile[11], enum refusal *ret_refusal)
{
	int r = recover_decide(db, key, web_hash, in, ret_mobile, ret_refusal), q;

	if (r == 0 || r == -EACCES) {
		q = apply_audit(db, in->client_addr, "apply.recover", in, NULL,
				r == 0 ? REFUSAL_NONE : *ret_refusal);
		if (q < 0)
			return q;
	}
	return r;
}

int apply_sms_verify(struct db *db, const unsigned char key[32], const char *web_hash,
		     const char *code, struct apply_draft *ret, char **ret_parola,
		     int64_t *ret_tries_left, enum refusal *ret_refusal)
{
	_cleanup_free_ char *actor = NULL, *details = NULL;
	struct apply_draft d;
	enum refusal why;
	int r, q;

	r = verify_decide(db, key, web_hash, code, ret, ret_parola, ret_tries_left, ret_refusal);
	if (r != 0 && r != -EACCES)
		return r;
	/* The outcome of every SMS Onay Kodu is in the audit log (the code
	 * never is). */
	q = apply_current(db, web_hash, &d, &why);
	if (q == -EACCES)
		return r;	/* no draft: nothing to record against */
	if (q < 0)
		goto fail;
	actor = strdup_printf("applicant:%s", d.tckn);
	details = strdup_printf("{\"draft\":\"%s\",\"reason\":\"%s\"}", d.id,
				r == 0 ? "none" : refusal_code(*ret_refusal));
	q = !actor || !details ? -ENOMEM :
		audit_append(db, false, actor, "apply.sms_verify",
			     d.application_id[0] ? d.application_id : NULL, r == 0 ? "ok" : "refused",
			     details);
	if (q >= 0)
		return r;
fail:
	if (*ret_parola) {
		secret_free(*ret_parola);
		*ret_parola = NULL;
	}
	return q;
}
