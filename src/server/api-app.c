/* api-app.c - the signing application's (eimza) side of the ceremony.
 *
 *   POST /api/v1/app/claim   {"code"} -> the texts, the context, a token
 *   POST /api/v1/app/submit  {"token", "signatures": [base64 CMS...]}
 *
 * No cookies: the typed code (rate-limited, single use) and then the
 * token are the only credentials.  The domain (signing.c, signature.c)
 * decides and writes the audit log; these bodies map its refusals
 * (refusals.c). */
#include <stdio.h>

#include "common/json.h"
#include "common/log.h"
#include "domain/signature.h"
#include "domain/signing.h"
#include "pki/ca.h"
#include "server/handlers.h"
#include "server/refusals.h"
#include "server/metrics.h"
#include "server/waiters.h"

static struct act_ctx ctx_of(struct server *srv)
{
	return (struct act_ctx){ .cfg = srv->cfg, .code_key = srv->code_key,
				 .session_key = srv->session_key };
}

static int refused(struct http_request *req, const char *action, const char *id,
		   enum refusal refusal, const char *detail)
{
	log_info("%s %s refused: %s%s%s", action, id ? id : "-", refusal_code(refusal),
		 detail ? ": " : "", detail ? detail : "");
	return http_reply_refusal(req, refusal);
}

/* 12345678901 -> "123******01": enough for a holder to recognise. */
static void tckn_mask(const char *t, char ret[12])
{
	snprintf(ret, 12, "%.3s******%.2s", t, t + 9);
}

int handle_app_claim(struct http_request *req)
{
	json_t *body = req->json;
	_cleanup_secret_ char *token = NULL;
	struct signing_session s;
	const char *code = NULL;
	char masked[12], started[21];
	enum refusal refusal;
	struct act_ctx ctx;
	struct db *db;
	json_t *o;
	int r;

	if (json_get_str(body, "code", &code) < 0)
		return http_reply_error(req, 400, "bad_request", "Doğrulama kodu eksik.");
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	ctx = ctx_of(req->srv);
	r = signing_claim(db, &ctx, code, req->client_addr, &s, &token, &refusal);
	if (r == -EACCES)
		return refused(req, "signing.claim", NULL, refusal, NULL);
	if (r < 0)
		return r;
	server_wake(req->srv, db, s.id);	/* the page shows that the code was entered */
	tckn_mask(s.tckn, masked);
	iso8601_utc(s.created_at, started);
	o = json_pack("{s:s,s:s,s:s,s:O,s:I,s:I,s:I,s:I,s:{s:s,s:s,s:s,s:I},s:s,s:s}",
		      "token", token, "purpose", s.act->name, "purpose_text",
		      s.act->purpose_tr, "texts", s.texts, "text_version",
		      (json_int_t)s.text_version, "created_at", (json_int_t)s.created_at,
		      "expires_at", (json_int_t)s.expires_at, "remaining",
		      (json_int_t)MAX(s.expires_at - now_sec(), 0), "context", "purpose",
		      s.act->purpose_tr, "client_addr", s.client_addr, "started_at",
		      started, "started_at_unix", (json_int_t)s.created_at, "tckn_masked", masked,
		      "app_addr", req->client_addr);	/* eimza's relay warning */
	signing_session_done(&s);
	if (!o)
		return -ENOMEM;
	return http_reply_json(req, 200, o);
}

int handle_app_submit(struct http_request *req)
{
	json_t *body = req->json;
	struct signature_result res = { 0 };
	struct signature_trust trust;
	const char *token = NULL;
	enum refusal refusal;
	struct act_ctx ctx;
	json_t *sigs;
	struct db *db;
	int r;

	sigs = json_object_get(body, "signatures");
	if (json_get_str(body, "token", &token) < 0 ||
	    !json_is_array(sigs))
		return http_reply_error(req, 400, "bad_request", "İmza veya oturum bilgisi eksik.");
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	ctx = ctx_of(req->srv);
	if (req->srv->ca)
		trust = (struct signature_trust){ pki_ca_trust_store(req->srv->ca),
						  pki_ca_chain(req->srv->ca) };
	r = signature_submit(db, &ctx, req->srv->ca ? &trust : NULL, token, sigs,
			     req->client_addr, &res, &refusal);
	metrics_ceremony(r == 0 ? METRIC_CEREMONY_ACCEPTED
				: r == -EACCES ? METRIC_CEREMONY_REFUSED : METRIC_CEREMONY_FAILED);
	if (res.session.id[0])
		server_wake(req->srv, db, res.session.id);	/* the page shows the outcome */
	if (r == -EACCES)
		r = refused(req, "signing.submit", res.session.id[0] ? res.session.id : NULL,
			    refusal, res.detail);
	else if (r == 0) {
		_cleanup_free_ char *msg = strdup_printf(
			"İşleminiz Başarılıdır. %s İşleminize tarayıcı üzerinden devam edebilirsiniz.",
			res.session.act->done_tr);
		log_info("signing.submit %s accepted (%s)", res.session.id, res.session.act->name);
		r = http_reply_json(req, 200, json_pack("{s:s,s:s,s:s}", "result", "signed",
							"message", msg ? msg : "", "signer_serial",
							res.signer_serial));
	}
	signature_result_done(&res);
	return r;
}
