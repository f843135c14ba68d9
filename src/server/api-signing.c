/* api-signing.c - the browser's side of the signing ceremony.
 *
 *   POST /api/v1/signing        start: {"purpose", "tckn"?, "accepted"?}
 *   POST /api/v1/signing/renew  Tekrar Kod Al: {"id"}
 *   GET  /api/v1/signing/wait   long-poll: ?id=ID&state=LAST_SEEN_STATE
 *                               [&event=LAST_SEEN_APP_EVENT]
 *
 * The bodies only call the domain (domain/signing.h, the act registry in
 * domain/acts.h) and map its refusals (refusals.c).  The long-poll parks
 * the connection (waiters.c) until the state differs from what the page
 * last saw.  A login was applied when its signature was accepted; the
 * wait answer only hands out the new session cookie (read-only, so a lost
 * answer is given again). */
#include <openssl/crypto.h>
#include <stdio.h>

#include "common/checkdigit.h"
#include "common/json.h"
#include "common/log.h"
#include "common/tckn.h"
#include "domain/signing.h"
#include "domain/websession.h"
#include "server/handlers.h"
#include "server/refusals.h"
#include "server/waiters.h"

static struct act_ctx ctx_of(struct server *srv)
{
	return (struct act_ctx){ .cfg = srv->cfg, .code_key = srv->code_key,
				 .session_key = srv->session_key };
}

static json_t *session_view(const struct signing_session *s, const char *code)
{
	char grouped[SIGNING_CODE_DIGITS + 8];
	int64_t remaining = s->expires_at - now_sec();
	json_t *o;

	o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I}", "id", s->id, "purpose",
		      s->act->name, "state", signing_state_str(s->state),
		      "created_at", (json_int_t)s->created_at, "expires_at",
		      (json_int_t)s->expires_at, "remaining",
		      (json_int_t)(signing_state_final(s->state) ? 0 : MAX(remaining, 0)));
	if (o && code) {
		code_format_groups(code, grouped, sizeof(grouped));
		json_object_set_new(o, "code", json_string(code));
		json_object_set_new(o, "code_display", json_string(grouped));
	}
	if (o && s->state == SS_CODE_USED && s->app_event[0])
		json_object_set_new(o, "app_event", json_string(s->app_event));
	if (o && s->state == SS_REJECTED && s->result)
		json_object_set_new(o, "result", json_pack("{s:s,s:s}", "code",
							   refusal_code(s->result), "message",
							   refusal_reply(s->result)->message));
	return o;
}

static int reply_created(struct http_request *req, struct signing_session *s, char *code)
{
	json_t *o = session_view(s, code);

	OPENSSL_cleanse(code, SIGNING_CODE_DIGITS + 1);
	signing_session_done(s);
	if (!o)
		return -ENOMEM;
	return http_reply_json(req, 201, o);
}

int handle_signing_start(struct http_request *req)
{
	json_t *body = req->json;
	char code[SIGNING_CODE_DIGITS + 1];
	const struct signed_act *act;
	struct act_input in = { 0 };
	enum refusal refusal;
	struct signing_session s;
	struct act_ctx ctx;
	struct websession ws = req->ws;
	const char *p = NULL, *tckn = NULL;
	struct db *db;
	int r;

	if (json_get_str(body, "purpose", &p) < 0 || !(act = act_find(p)))
		return http_reply_refusal(req, REFUSAL_BAD_PURPOSE);
	if (!act->needs_holder) {
		enum tckn_error te;

		r = json_get_str(body, "tckn", &tckn);
		te = r < 0 ? TCKN_EMPTY : tckn_check(tckn);
		if (te != TCKN_OK)
			return http_reply_refusal_msg(req, REFUSAL_BAD_TCKN, tckn_error_tr(te));
	}
	json_get_bool(body, "accepted", &in.accepted);
	json_get_int(body, "explanation_version", &in.explanation_version);
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	ctx = ctx_of(req->srv);
	r = signing_start(db, &ctx, act, ws.tckn, tckn, &in, ws.id_hash, req->client_addr, &s,
			  code, &refusal);
	if (r == -EACCES)
		return http_reply_refusal(req, refusal);
	if (r < 0)
		return r;
	log_info("signing session %s started for %s", s.id, act->name);
	return reply_created(req, &s, code);
}

int handle_signing_renew(struct http_request *req)
{
	json_t *body = req->json;
	char code[SIGNING_CODE_DIGITS + 1];
	struct signing_session s;
	enum refusal refusal;
	struct act_ctx ctx;
	struct websession ws = req->ws;
	const char *id = NULL;
	struct db *db;
	int r;

	if (json_get_str(body, "id", &id) < 0)
		return http_reply_error(req, 400, "bad_request", "Oturum kimliği eksik.");
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	ctx = ctx_of(req->srv);
	r = signing_renew(db, &ctx, id, ws.id_hash, req->client_addr, &s, code, &refusal);
	if (r == -EACCES)
		return http_reply_refusal(req, refusal);
	if (r < 0)
		return r;
	server_wake(req->srv, db, id);	/* the old page learns it was replaced */
	return reply_created(req, &s, code);
}

/* A signed login: hand out the session the acceptance created (a read;
 * every wait after the acceptance gives the same cookie until it is used). */
static int take_login(struct http_request *req, struct db *db, const struct signing_session *s,
		      bool *ret_logged_in)
{
	_cleanup_secret_ char *new_id = NULL;
	int r;

	*ret_logged_in = false;
	r = websession_login_take(db, req->srv->cfg, req->srv->session_key, s->web_hash, s->id,
				  s->tckn, &new_id);
	if (r == -ENOENT)	/* logged out since, or the session ended */
		return 0;
	if (r < 0)
		return r;
	r = http_set_cookie(req, WEBSESSION_COOKIE, new_id, req->srv->cfg->session_absolute);
	if (r < 0)
		return r;
	*ret_logged_in = true;
	return 0;
}

int handle_signing_wait(struct http_request *req)
{
	const char *id = http_query(req, "id"), *seen = http_query(req, "state");
	const char *seen_event = http_query(req, "event");
	struct signing_session s;
	enum refusal refusal;
	struct websession ws = req->ws;
	bool logged_in = false;
	struct db *db;
	unsigned ms;
	json_t *o;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = signing_get_own(db, id, ws.id_hash, &s, &refusal);
	if (r == -EACCES)
		return http_reply_refusal(req, refusal);
	if (r < 0)
		return r;
	ms = signing_wait_ms(req->srv->cfg, &s, seen, seen_event);
	if (!req->resumed && ms > 0 && http_may_park(req)) {
		signing_session_done(&s);
		r = waiter_park(id, req, ms);
		if (r < 0)
			return r;
		/* Re-read after parking: a change in between must not be lost. */
		r = signing_get(db, id, &s);
		if (r < 0 || !streq(seen, signing_state_str(s.state)) ||
		    !streq(seen_event ? seen_event : "", s.app_event))
			waiter_wake_req(req);
		if (r == 0)
			signing_session_done(&s);
		return 0;
	}
	if (s.state == SS_SIGNED && !streq(ws.tckn, s.tckn)) {
		r = take_login(req, db, &s, &logged_in);
		if (r < 0) {
			signing_session_done(&s);
			return r;
		}
	}
	o = session_view(&s, NULL);
	if (o && s.state == SS_SIGNED)
		json_object_set_new(o, "authenticated",
				    json_boolean(logged_in || (ws.tckn[0] && streq(ws.tckn, s.tckn))));
	if (o && s.state == SS_REPLACED)
		json_object_set_new(o, "replaced_by", json_string(s.replaced_by));
	signing_session_done(&s);
	if (!o)
		return -ENOMEM;
	return http_reply_json(req, 200, o);
}
