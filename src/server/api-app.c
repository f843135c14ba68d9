/* api-app.c - the signing application's (eimza) side of the ceremony.
 *
 *   POST /api/v1/app/claim   {"code"} -> the texts, the context, a token
 *   POST /api/v1/app/submit  {"token", "signatures": [base64 CMS...]}
 *
 * No cookies: the typed code (rate-limited, single use) and then the
 * token are the only credentials.  Every refusal has its own code and
 * Turkish message, and goes to the audit log. */
#include <stdio.h>

#include "common/json.h"
#include "common/log.h"
#include "server/handlers.h"
#include "server/ratelimit.h"
#include "server/sigcheck.h"
#include "server/signing.h"
#include "server/waiters.h"
#include "store/audit.h"

static int refuse(struct http_request *req, struct db *db, const char *action, const char *code,
		  const char *subject, const char *detail)
{
	const struct signing_error *e = signing_error(code);
	_cleanup_free_ char *actor = strdup_printf("client:%s", req->client_addr);
	json_t *d = json_pack("{s:s,s:s?}", "error", code, "detail", detail);
	_cleanup_free_ char *details = d ? json_to_string(d) : NULL;

	json_decref(d);
	if (db)
		audit_append(db, false, actor ? actor : "client", action, subject, "refused", details);
	log_info("%s refused: %s%s%s", action, code, detail ? ": " : "", detail ? detail : "");
	return http_reply_error(req, e->status, e->code, e->message);
}

/* 12345678901 -> "123******01": enough for a holder to recognise. */
static void tckn_mask(const char *t, char ret[12])
{
	snprintf(ret, 12, "%.3s******%.2s", t, t + 9);
}

int handle_app_claim(struct http_request *req)
{
	static const char *const allowed[] = { "code", NULL };
	_cleanup_json_ json_t *body = NULL;
	_cleanup_secret_ char *token = NULL;
	struct signing_session s;
	const char *code = NULL, *err = NULL;
	char masked[12], started[21];
	struct db *db;
	json_t *o;
	int r;

	r = http_body_json(req, allowed, &body);
	if (r < 0)
		return r;
	if (json_get_str(body, "code", &code) < 0)
		return http_reply_error(req, 400, "bad_request", "Doğrulama kodu eksik.");
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	if (!ratelimit_take(req->srv->claims, req->client_addr))
		return refuse(req, db, "signing.claim", "rate_limited", NULL, NULL);
	r = signing_claim(db, req->srv->code_key, code, req->client_addr, &s, &token, &err);
	if (r == -EACCES)
		return refuse(req, db, "signing.claim", err, NULL, NULL);
	if (r < 0)
		return r;
	server_wake(req->srv, db, s.id);	/* the page shows that the code was entered */
	tckn_mask(s.tckn, masked);
	iso8601_utc(s.created_at, started);
	o = json_pack("{s:s,s:s,s:s,s:O,s:I,s:I,s:I,s:I,s:{s:s,s:s,s:s,s:I},s:s}",
		      "token", token, "purpose", signing_purpose_str(s.purpose), "purpose_text",
		      signing_purpose_tr(s.purpose), "texts", s.texts, "text_version",
		      (json_int_t)s.text_version, "created_at", (json_int_t)s.created_at,
		      "expires_at", (json_int_t)s.expires_at, "remaining",
		      (json_int_t)MAX(s.expires_at - now_sec(), 0), "context", "purpose",
		      signing_purpose_tr(s.purpose), "client_addr", s.client_addr, "started_at",
		      started, "started_at_unix", (json_int_t)s.created_at, "tckn_masked", masked);
	{
		_cleanup_free_ char *actor = strdup_printf("client:%s", req->client_addr);
		audit_append(db, false, actor ? actor : "client", "signing.claim", s.id, "ok", NULL);
	}
	signing_session_done(&s);
	if (!o)
		return -ENOMEM;
	return http_reply_json(req, 200, o);
}

int handle_app_submit(struct http_request *req)
{
	static const char *const allowed[] = { "token", "signatures", NULL };
	_cleanup_json_ json_t *body = NULL;
	struct sigcheck_result res = { 0 };
	struct signing_session s;
	const char *token = NULL;
	json_t *sigs;
	struct db *db;
	int r;

	r = http_body_json(req, allowed, &body);
	if (r < 0)
		return r;
	sigs = json_object_get(body, "signatures");
	if (json_get_str(body, "token", &token) < 0 ||
	    !json_is_array(sigs))
		return http_reply_error(req, 400, "bad_request", "İmza veya oturum bilgisi eksik.");
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = signing_find_by_token(db, req->srv->code_key, token, &s);
	if (r == -ENOENT)
		return refuse(req, db, "signing.submit", "token_invalid", NULL, NULL);
	if (r < 0)
		return r;
	if (s.state == SS_EXPIRED) {
		server_wake(req->srv, db, s.id);
		r = refuse(req, db, "signing.submit", "session_expired", s.id, NULL);
		signing_session_done(&s);
		return r;
	}
	if (s.state != SS_CODE_USED) {
		r = refuse(req, db, "signing.submit", "session_closed", s.id,
			   signing_state_str(s.state));
		signing_session_done(&s);
		return r;
	}
	r = sigcheck_submit(req->srv, db, &s, sigs, &res);
	server_wake(req->srv, db, s.id);
	if (r < 0) {
		signing_session_done(&s);
		sigcheck_result_done(&res);
		return r;
	}
	if (res.error) {
		const struct signing_error *e = signing_error(res.error);
		log_info("signing.submit %s refused: %s (%s)", s.id, res.error,
			 res.detail ? res.detail : "");
		r = http_reply_error(req, e->status, e->code, e->message);
	} else {
		static const char *const done[] = {
			[PURPOSE_LOGIN] = "Giriş işleminiz tamamlanmıştır.",
			[PURPOSE_EONAY_GIVE] = "E-Onay verme işleminiz tamamlanmıştır.",
			[PURPOSE_EONAY_CANCEL] = "E-Onay iptal işleminiz tamamlanmıştır.",
		};
		_cleanup_free_ char *msg = strdup_printf(
			"İşleminiz Başarılıdır. %s İşleminize tarayıcı üzerinden devam edebilirsiniz.",
			done[s.purpose]);
		log_info("signing.submit %s accepted (%s)", s.id, signing_purpose_str(s.purpose));
		r = http_reply_json(req, 200, json_pack("{s:s,s:s,s:s}", "result", "signed",
							"message", msg ? msg : "", "signer_serial",
							res.signer_serial));
	}
	signing_session_done(&s);
	sigcheck_result_done(&res);
	return r;
}
