/* api-pin.c - what the application reports and asks for while it holds a
 * claimed session, beyond claim and submit (api-app.c):
 *
 *   POST /api/v1/app/event  {"token","event"}  pin_wrong, pin_locked,
 *        declined, no_cert: shown on the page (the code stays usable)
 *   POST /api/v1/app/pin    {"token","step","card"?,"so_pin_id"?}  the SO
 *        PIN steps of PIN Oluşturma / Kilit Çözme (domain/pinreset.h):
 *        release (card) -> verified (so_pin_id) -> so_changing; the
 *        confirmation is the card's signature (submit)
 *
 * The token is the only credential.  The release answer carries SO PINs:
 * it is never logged (the access log has the path only), is no-store like
 * every answer, and jansson's copies are wiped once it is serialised. */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/log.h"
#include "domain/pinreset.h"
#include "domain/signing.h"
#include "server/handlers.h"
#include "server/refusals.h"
#include "server/waiters.h"

static struct act_ctx ctx_of(struct server *srv)
{
	return (struct act_ctx){ .cfg = srv->cfg, .code_key = srv->code_key,
				 .session_key = srv->session_key };
}

static int refused(struct http_request *req, const char *action, enum refusal refusal)
{
	log_info("%s refused: %s", action, refusal_code(refusal));
	return http_reply_refusal(req, refusal);
}

int handle_app_event(struct http_request *req)
{
	const char *token = NULL, *event = NULL;
	enum refusal refusal;
	struct act_ctx ctx;
	char id[33] = "";
	struct db *db;
	int r;

	if (json_get_str(req->json, "token", &token) < 0 ||
	    json_get_str(req->json, "event", &event) < 0 || !signing_app_event_known(event))
		return http_reply_error(req, 400, "bad_request", "Oturum veya olay bilgisi eksik.");
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	ctx = ctx_of(req->srv);
	r = signing_app_event(db, &ctx, token, event, req->client_addr, id, &refusal);
	if (r == -EACCES)
		return refused(req, "signing.app_event", refusal);
	if (r < 0)
		return r;
	waiters_wake(id);	/* the page shows it */
	return http_reply_json(req, 200, json_pack("{s:s}", "result", "ok"));
}

static void wipe_str(json_t *v)
{
	const char *s = json_string_value(v);

	if (s)
		OPENSSL_cleanse((char *)s, strlen(s));
}

static void wipe_pins(json_t *o)
{
	json_t *x;
	size_t i;

	json_array_foreach(json_object_get(o, "so_pins"), i, x)
		wipe_str(json_object_get(x, "pin"));
	wipe_str(json_object_get(o, "new_so_pin"));
}

static int pin_release(struct http_request *req, struct db *db, const struct act_ctx *ctx,
		       const char *token)
{
	struct pinreset_release rel = { 0 };
	const char *card = NULL;
	enum refusal refusal;
	json_t *o, *a;
	int r;

	if (json_get_str(req->json, "card", &card) < 0)
		return http_reply_error(req, 400, "bad_request", "Kart bilgisi eksik.");
	r = pinreset_release(db, ctx, token, card, req->client_addr, &rel, &refusal);
	if (r == -EACCES)
		return refused(req, "pin.release", refusal);
	if (r < 0)
		return r;
	log_info("pin.release %s: SO PIN given for card %s", rel.session_id, rel.card);
	a = json_array();
	for (size_t i = 0; a && i < rel.n; i++)
		json_array_append_new(a, json_pack("{s:s,s:s}", "id", rel.cand[i].id, "pin",
						   rel.cand[i].pin));
	o = a ? json_pack("{s:s,s:o,s:s}", "card", rel.card, "so_pins", a, "new_so_pin",
			  rel.new_so_pin) : NULL;
	pinreset_release_done(&rel);
	if (!o)
		return -ENOMEM;
	/* jansson's copies of the PINs are wiped once the answer is
	 * serialised; the answer's own buffer is libmicrohttpd's (freed, not
	 * wiped, after sending).  Neither is logged. */
	json_incref(o);
	r = http_reply_json(req, 200, o);
	wipe_pins(o);
	json_decref(o);
	return r;
}

int handle_app_pin(struct http_request *req)
{
	const char *token = NULL, *step = NULL, *so_pin_id = NULL;
	enum refusal refusal;
	struct act_ctx ctx;
	char id[33] = "";
	struct db *db;
	int r;

	if (json_get_str(req->json, "token", &token) < 0 ||
	    json_get_str(req->json, "step", &step) < 0)
		return http_reply_error(req, 400, "bad_request", "Oturum veya adım bilgisi eksik.");
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	ctx = ctx_of(req->srv);
	if (streq(step, "release"))
		return pin_release(req, db, &ctx, token);
	if (streq(step, "verified")) {
		if (json_get_str(req->json, "so_pin_id", &so_pin_id) < 0)
			return http_reply_error(req, 400, "bad_request", "SO PIN bilgisi eksik.");
		r = pinreset_verified(db, &ctx, token, so_pin_id, req->client_addr, id, &refusal);
	} else if (streq(step, "so_changing"))
		r = pinreset_so_changing(db, &ctx, token, req->client_addr, id, &refusal);
	else
		return http_reply_error(req, 400, "bad_request", "Bilinmeyen adım.");
	if (r == -EACCES)
		return refused(req, "pin.step", refusal);
	if (r < 0)
		return r;
	return http_reply_json(req, 200, json_pack("{s:s}", "result", "ok"));
}
