/* api-apply.c - the application portal (Başvuru Portalı, SPEC F6).
 *
 *   GET  /basvuru/{kurum}                 the page (web/basvuru.html); 404 page
 *                                         for an unknown institution
 *   GET  /api/v1/basvuru/kurum/{kurum}    {"code","name"}
 *   POST /api/v1/basvuru/captcha          a new captcha {"id","image" (PNG data URL),"lifetime"}
 *   POST /api/v1/basvuru/giris            entry: captcha + registry fields | sicil | parola
 *   POST /api/v1/basvuru/parola-unuttum   "Parolamı Bilmiyorum": captcha + registry fields + cep
 *   GET  /api/v1/basvuru                  the browser's draft (step, who, SMS state, ...);
 *                                         {"step": null} before the entry
 *   GET  /api/v1/basvuru/form             the field table with the read-only values
 *   POST /api/v1/basvuru/form             Form Onayla {"form": {...}}; 422 with "fields"
 *   POST /api/v1/basvuru/sms              send an SMS Onay Kodu
 *   POST /api/v1/basvuru/sms/dogrula      {"code"}
 *   POST /api/v1/basvuru/yontem           {"method": eonay|paper|esign}; esign answers
 *                                         the signing session (code) like /api/v1/signing
 *   POST /api/v1/basvuru/yontem/tamam     after the e-signature: the application moves on
 *   GET  /api/v1/basvuru/pdf              the filled form + undertaking, to print
 *
 * Bodies only call domain/apply.h (and captcha.h, appform.h); refusals
 * go through refusals.c.  Entry attempts are limited per address
 * (LIMIT_APPLY) and every identity failure is one answer. */
#include <openssl/crypto.h>
#include <stdio.h>

#include "common/checkdigit.h"
#include "common/json.h"
#include "common/log.h"
#include "domain/applications.h"
#include "domain/apply.h"
#include "domain/captcha.h"
#include "domain/institutions.h"
#include "domain/signing.h"
#include "server/handlers.h"
#include "server/refusals.h"

int handle_apply_page(struct http_request *req)
{
	struct institution inst;
	struct db *db;
	int r;

	if (!institution_code_ok(http_param(req, "kurum")))
		return static_not_found(req);
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = institution_get(db, http_param(req, "kurum"), &inst);
	if (r == -ENOENT)
		return static_not_found(req);
	if (r < 0)
		return r;
	institution_done(&inst);
	return static_serve_page(req, "basvuru.html");
}

int handle_apply_institution(struct http_request *req)
{
	struct institution inst;
	struct db *db;
	json_t *o;
	int r;

	if (!institution_code_ok(http_param(req, "kurum")))
		return http_reply_refusal(req, REFUSAL_INSTITUTION_UNKNOWN);
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = institution_get(db, http_param(req, "kurum"), &inst);
	if (r == -ENOENT)
		return http_reply_refusal(req, REFUSAL_INSTITUTION_UNKNOWN);
	if (r < 0)
		return r;
	o = json_pack("{s:s,s:s}", "code", inst.code, "name", inst.name);
	institution_done(&inst);
	return http_reply_json(req, 200, o);
}

int handle_apply_captcha(struct http_request *req)
{
	_cleanup_free_ unsigned char *png = NULL;
	_cleanup_free_ char *b64 = NULL, *url = NULL;
	enum refusal why;
	size_t len;
	char id[33];
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = captcha_new(db, req->srv->code_key, req->ws.id_hash, id, &png, &len, &why);
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r < 0)
		return r;
	r = base64_encode(png, len, &b64);
	if (r < 0)
		return r;
	url = strdup_printf("data:image/png;base64,%s", b64);
	if (!url)
		return -ENOMEM;
	return http_reply_json(req, 201, json_pack("{s:s,s:s,s:i}", "id", id, "image", url,
						   "lifetime", CAPTCHA_LIFETIME));
}

/* "532 *** ** 67" */
static void mobile_masked(const char *m, char ret[20])
{
	if (m && strlen(m) == 10)
		snprintf(ret, 20, "%.3s *** ** %.2s", m, m + 8);
	else
		snprintf(ret, 20, "%s", "");
}

static json_t *draft_view(struct db *db, const struct apply_draft *d)
{
	struct application a = { 0 };
	struct institution inst = { 0 };
	char masked[20] = "";
	int64_t now = now_sec();
	bool active = false, mobile_ok = false;
	json_t *o;

	o = json_pack("{s:s,s:s,s:s}", "step", apply_step_str(d->step), "tckn", d->tckn,
		      "entry", d->entry);
	if (!o)
		return NULL;
	if (institution_get(db, d->institution, &inst) == 0) {
		json_object_set_new(o, "institution", json_pack("{s:s,s:s}", "code", inst.code,
								"name", inst.name));
		institution_done(&inst);
	}
	if (d->application_id[0] && application_get(db, d->application_id, &a) == 0) {
		mobile_masked(a.mobile, masked);
		json_object_set_new(o, "application", json_pack(
			"{s:s,s:s,s:s,s:s}", "id", a.id, "state", application_state_str(a.state),
			"state_label", application_state_label(a.state), "kind",
			application_kind_str(a.kind)));
		json_object_set_new(o, "mobile", json_string(masked));
		application_done(&a);
	}
	if (d->method[0])
		json_object_set_new(o, "method", json_string(d->method));
	if (d->step == APPLY_SMS_VERIFIED && apply_eonay_active(db, d, &active, &mobile_ok) == 0) {
		json_object_set_new(o, "eonay_active", json_boolean(active));
		/* E-Onaylı only when the SMS code went to the holder's number */
		json_object_set_new(o, "eonay_usable", json_boolean(mobile_ok));
	}
	if (d->sms_purpose[0] && (d->step == APPLY_CONFIRMED || d->step == APPLY_RECOVERING))
		json_object_set_new(o, "sms", json_pack(
			"{s:s,s:I,s:I,s:I,s:I}", "purpose", d->sms_purpose, "expires_in",
			(json_int_t)MAX(d->sms_expires_at - now, 0), "tries_left",
			(json_int_t)MAX(APPLY_SMS_TRIES - d->sms_tries, 0), "sends_left",
			(json_int_t)MAX(APPLY_SMS_MAX_SENDS - d->sms_sends, 0), "resend_in",
			(json_int_t)MAX(d->sms_sent_at + APPLY_SMS_RESEND_GAP - now, 0)));
	return o;
}

static int reply_draft(struct http_request *req, struct db *db, unsigned status,
		       const struct apply_draft *d, const char *parola)
{
	json_t *o = draft_view(db, d);

	if (!o)
		return -ENOMEM;
	/* The Başvuru Formu Erişim Parolası is shown once. */
	if (parola)
		json_object_set_new(o, "parola", json_string(parola));
	return http_reply_json(req, status, o);
}

static const char *member(const json_t *body, const char *key)
{
	const char *v = NULL;

	return json_get_str(body, key, &v) == 0 ? v : NULL;
}

/* The captcha of an entry; a refusal is answered here (-EACCES). */
static int check_captcha(struct http_request *req, struct db *db)
{
	enum refusal why;
	int r;

	r = captcha_check(db, req->srv->code_key, req->ws.id_hash, member(req->json, "captcha_id"),
			  member(req->json, "captcha"), req->srv->cfg->apply_captcha_test_answer,
			  &why);
	if (r == -EACCES)
		http_reply_refusal(req, why);
	return r;
}

static void entry_of(const json_t *body, struct apply_entry *e)
{
	*e = (struct apply_entry){
		.institution = member(body, "kurum"),
		.tckn = member(body, "tckn"),
		.ad = member(body, "ad"),
		.soyad = member(body, "soyad"),
		.dogum_yeri = member(body, "dogum_yeri"),
		.dogum_tarihi = member(body, "dogum_tarihi"),
		.sicil = member(body, "sicil"),
		.parola = member(body, "parola"),
		.cep = member(body, "cep"),
	};
}

int handle_apply_enter(struct http_request *req)
{
	struct apply_entry e;
	struct apply_draft d;
	enum refusal why;
	struct db *db;
	int r;

	entry_of(req->json, &e);
	e.client_addr = req->client_addr;
	if (isempty(e.institution) || !institution_code_ok(e.institution))
		return http_reply_refusal(req, REFUSAL_INSTITUTION_UNKNOWN);
	if (isempty(e.tckn) || (!e.sicil && !e.parola && (!e.ad || !e.soyad || !e.dogum_yeri ||
							   !e.dogum_tarihi)))
		return http_reply_error(req, 400, "bad_request",
					"Lütfen giriş ekranındaki bütün alanları doldurunuz.");
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = check_captcha(req, db);
	if (r < 0)
		return r == -EACCES ? 0 : r;
	r = apply_enter(db, req->ws.id_hash, &e, &d, &why);
	if (r == -EACCES) {
		log_info("apply entry refused (%s) at %s", refusal_code(why), e.institution);
		return http_reply_refusal(req, why);
	}
	if (r < 0)
		return r;
	log_info("apply entry %s at %s (%s)", d.id, d.institution, d.entry);
	return reply_draft(req, db, 201, &d, NULL);
}

int handle_apply_recover(struct http_request *req)
{
	struct apply_entry e;
	struct apply_draft d;
	enum refusal why;
	struct db *db;
	int r;

	char cep[11];

	entry_of(req->json, &e);
	e.sicil = e.parola = NULL;
	e.client_addr = req->client_addr;
	if (isempty(e.institution) || !institution_code_ok(e.institution))
		return http_reply_refusal(req, REFUSAL_INSTITUTION_UNKNOWN);
	if (isempty(e.tckn) || !e.ad || !e.soyad || !e.dogum_yeri || !e.dogum_tarihi ||
	    isempty(e.cep))
		return http_reply_error(req, 400, "bad_request",
					"Lütfen bütün alanları doldurunuz.");
	if (appform_mobile_norm(e.cep, cep) < 0)
		return http_reply_error(req, 400, "bad_request", appform_error("mobile"));
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = check_captcha(req, db);
	if (r < 0)
		return r == -EACCES ? 0 : r;
	r = apply_recover(db, req->srv->code_key, req->ws.id_hash, &e, NULL, &why);
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r < 0)
		return r;
	r = apply_current(db, req->ws.id_hash, &d, &why);
	if (r < 0)
		return r == -EACCES ? http_reply_refusal(req, why) : r;
	return reply_draft(req, db, 201, &d, NULL);
}

int handle_apply_get(struct http_request *req)
{
	struct apply_draft d;
	enum refusal why;
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = apply_current(db, req->ws.id_hash, &d, &why);
	/* Not entered yet: the page shows the entry (no error to log). */
	if (r == -EACCES && why == REFUSAL_APPLY_NO_DRAFT)
		return http_reply_json(req, 200, json_pack("{s:n}", "step"));
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r < 0)
		return r;
	return reply_draft(req, db, 200, &d, NULL);
}

int handle_apply_form_get(struct http_request *req)
{
	_cleanup_json_ json_t *store = NULL, *form = NULL;
	struct appform_fixed fx;
	struct apply_draft d;
	enum refusal why;
	struct db *db;
	json_t *o;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = apply_current(db, req->ws.id_hash, &d, &why);
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r < 0)
		return r;
	r = apply_fixed(db, &d, &fx, &store);
	if (r < 0)
		return r;
	r = appform_describe(&fx, &o);
	if (r < 0)
		return r;
	/* After Form Onayla: the form as confirmed (read-only summary). */
	if (apply_form(db, &d, &form) == 0)
		json_object_set(o, "confirmed", form);
	return http_reply_json(req, 200, o);
}

int handle_apply_form_post(struct http_request *req)
{
	_cleanup_json_ json_t *errors = NULL;
	_cleanup_secret_ char *parola = NULL;
	json_t *form = json_object_get(req->json, "form");
	struct apply_draft d;
	enum refusal why;
	struct db *db;
	int r;

	if (!json_is_object(form))
		return http_reply_error(req, 400, "bad_request", "Form bilgileri eksik.");
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = apply_confirm(db, req->ws.id_hash, form, &d, &parola, &errors, &why);
	if (r == -EACCES && why == REFUSAL_FORM_INVALID) {
		const struct refusal_reply *e = refusal_reply(why);

		return http_reply_json(req, e->status,
				       json_pack("{s:{s:s,s:s,s:O}}", "error", "code",
						 refusal_code(why), "message", e->message, "fields",
						 errors));
	}
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r < 0)
		return r;
	if (parola)
		log_info("application %s confirmed (draft %s)", d.application_id, d.id);
	return reply_draft(req, db, parola ? 201 : 200, &d, parola);
}

int handle_apply_sms_send(struct http_request *req)
{
	struct apply_draft d;
	enum refusal why;
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = apply_sms_send(db, req->srv->code_key, req->ws.id_hash, NULL, &why);
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r < 0)
		return r;
	r = apply_current(db, req->ws.id_hash, &d, &why);
	if (r < 0)
		return r == -EACCES ? http_reply_refusal(req, why) : r;
	return reply_draft(req, db, 200, &d, NULL);
}

int handle_apply_sms_verify(struct http_request *req)
{
	_cleanup_secret_ char *parola = NULL;
	struct apply_draft d;
	enum refusal why;
	int64_t left = 0;
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = apply_sms_verify(db, req->srv->code_key, req->ws.id_hash, member(req->json, "code"),
			     &d, &parola, &left, &why);
	if (r == -EACCES && why == REFUSAL_SMS_WRONG) {
		_cleanup_free_ char *msg = strdup_printf(
			"SMS Onay Kodu hatalı. Kalan deneme hakkınız: %lld.", (long long)left);

		return http_reply_refusal_msg(req, why, msg);
	}
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r < 0)
		return r;
	return reply_draft(req, db, 200, &d, parola);
}

static int start_esign(struct http_request *req, struct db *db, const struct apply_draft *d)
{
	struct act_ctx ctx = { .cfg = req->srv->cfg, .code_key = req->srv->code_key,
			       .session_key = req->srv->session_key };
	struct act_input in = { .subject = d->id };
	char code[SIGNING_CODE_DIGITS + 1], grouped[SIGNING_CODE_DIGITS + 8];
	struct signing_session s;
	enum refusal why;
	json_t *o;
	int r;

	if (d->step != APPLY_SMS_VERIFIED)
		return http_reply_refusal(req, REFUSAL_APPLY_STEP);
	r = signing_start(db, &ctx, act_find("application-sign"), NULL, d->tckn, &in,
			  req->ws.id_hash, req->client_addr, &s, code, &why);
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r < 0)
		return r;
	r = apply_esign_bind(db, d->id, s.id);
	code_format_groups(code, grouped, sizeof(grouped));
	o = r < 0 ? NULL :
		json_pack("{s:s,s:s,s:s,s:I,s:I,s:I,s:s,s:s}", "id", s.id, "purpose",
			  s.act->name, "state", signing_state_str(s.state), "created_at",
			  (json_int_t)s.created_at, "expires_at", (json_int_t)s.expires_at,
			  "remaining", (json_int_t)(s.expires_at - now_sec()), "code", code,
			  "code_display", grouped);
	OPENSSL_cleanse(code, sizeof(code));
	OPENSSL_cleanse(grouped, sizeof(grouped));
	signing_session_done(&s);
	if (r < 0)
		return r;
	if (!o)
		return -ENOMEM;
	log_info("application-sign session started for draft %s", d->id);
	return http_reply_json(req, 201, o);
}

int handle_apply_method(struct http_request *req)
{
	const char *method = member(req->json, "method");
	struct apply_draft d;
	enum refusal why;
	struct db *db;
	int r;

	if (!streq_ptr(method, "eonay") && !streq_ptr(method, "paper") &&
	    !streq_ptr(method, "esign"))
		return http_reply_error(req, 400, "bad_request", "Geçersiz imzalama yöntemi.");
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	if (streq(method, "esign")) {
		r = apply_current(db, req->ws.id_hash, &d, &why);
		if (r == -EACCES)
			return http_reply_refusal(req, why);
		if (r < 0)
			return r;
		return start_esign(req, db, &d);
	}
	r = apply_choose(db, req->ws.id_hash, method, &d, &why);
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r < 0)
		return r;
	log_info("application %s: method %s", d.application_id, method);
	return reply_draft(req, db, 200, &d, NULL);
}

int handle_apply_method_done(struct http_request *req)
{
	struct apply_draft d;
	enum refusal why;
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = apply_current(db, req->ws.id_hash, &d, &why);
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r < 0)
		return r;
	if (!streq(d.method, "esign") || d.step != APPLY_DONE)
		return http_reply_refusal(req, REFUSAL_APPLY_STEP);
	r = apply_esign_finish(db, d.id, NULL);
	if (r < 0)
		return r;
	return reply_draft(req, db, 200, &d, NULL);
}

int handle_apply_pdf(struct http_request *req)
{
	unsigned char *pdf = NULL;
	struct apply_draft d;
	enum refusal why;
	struct db *db;
	size_t len;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = apply_current(db, req->ws.id_hash, &d, &why);
	if (r == 0)
		r = apply_pdf(db, req->srv->cfg, &d, &pdf, &len, &why);
	if (r == -EACCES)
		return http_reply_refusal(req, why);
	if (r < 0)
		return r;
	return http_reply_data(req, 200, (char *)pdf, len, "application/pdf", "no-store");
}
