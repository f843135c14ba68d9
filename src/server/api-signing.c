/* api-signing.c - the browser's side of the signing ceremony.
 *
 *   POST /api/v1/signing        start: {"purpose", "tckn"?, "accepted"?}
 *   POST /api/v1/signing/renew  Tekrar Kod Al: {"id"}
 *   GET  /api/v1/signing/wait   long-poll: ?id=ID&state=LAST_SEEN_STATE
 *
 * A login signing session needs a browser session (anonymous is fine); the
 * E-Onay ones need a logged-in holder.  The long-poll parks the connection
 * (waiters.c) until the state differs from what the page last saw.  When
 * a login is signed, the wait answer rotates the browser session: the new
 * cookie is bound to the holder. */
#include <openssl/crypto.h>
#include <stdio.h>

#include "common/checkdigit.h"

#include "common/json.h"
#include "common/log.h"
#include "common/tckn.h"
#include "ca/eonay.h"
#include "server/acceptor.h"
#include "server/handlers.h"
#include "server/signing.h"
#include "server/waiters.h"
#include "server/websession.h"
#include "store/audit.h"

static json_t *session_view(const struct signing_session *s, const char *code)
{
	char grouped[SIGNING_CODE_DIGITS + 8];
	int64_t remaining = s->expires_at - now_sec();
	json_t *o;

	o = json_pack("{s:s,s:s,s:s,s:I,s:I,s:I}", "id", s->id, "purpose",
		      signing_purpose_str(s->purpose), "state", signing_state_str(s->state),
		      "created_at", (json_int_t)s->created_at, "expires_at",
		      (json_int_t)s->expires_at, "remaining",
		      (json_int_t)(signing_state_final(s->state) ? 0 : MAX(remaining, 0)));
	if (o && code) {
		code_format_groups(code, grouped, sizeof(grouped));
		json_object_set_new(o, "code", json_string(code));
		json_object_set_new(o, "code_display", json_string(grouped));
	}
	if (o && s->state == SS_REJECTED && s->result_code[0]) {
		const struct signing_error *e = signing_error(s->result_code);
		json_object_set_new(o, "result", json_pack("{s:s,s:s}", "code", s->result_code,
							   "message", e->message));
	}
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
	static const char *const allowed[] = { "purpose", "tckn", "accepted",
					       "explanation_version", NULL };
	_cleanup_json_ json_t *body = NULL;
	char code[SIGNING_CODE_DIGITS + 1];
	struct signing_session s;
	enum signing_purpose purpose;
	struct websession ws;
	const char *p = NULL, *tckn = NULL;
	struct db *db;
	int r;

	r = session_require(req, SESSION_NEED_CSRF, &ws);
	if (r < 0)
		return r;
	r = http_body_json(req, allowed, &body);
	if (r < 0)
		return r;
	if (json_get_str(body, "purpose", &p) < 0 || signing_purpose_parse(p, &purpose) < 0)
		return http_reply_error(req, 400, "bad_purpose", "Geçersiz işlem türü.");
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;

	if (purpose == PURPOSE_LOGIN) {
		enum tckn_error te;

		r = json_get_str(body, "tckn", &tckn);
		te = r < 0 ? TCKN_EMPTY : tckn_check(tckn);
		if (te != TCKN_OK)
			return http_reply_error(req, 400, "bad_tckn", tckn_error_tr(te));
	} else {
		struct eonay_status es;
		bool accepted = false;
		int64_t ev = 0, cur_ev;
		_cleanup_json_ json_t *para = NULL;

		if (!ws.tckn[0])
			return http_reply_errno(req, -EPERM, NULL);
		tckn = ws.tckn;
		r = eonay_status_get(db, tckn, &es);
		if (r < 0)
			return r;
		if (purpose == PURPOSE_EONAY_GIVE && es.active)
			return http_reply_error(req, 409, "eonay_already_active",
						signing_error("eonay_already_active")->message);
		if (purpose == PURPOSE_EONAY_CANCEL && !es.active)
			return http_reply_error(req, 409, "eonay_not_active",
						signing_error("eonay_not_active")->message);
		if (purpose == PURPOSE_EONAY_GIVE) {
			r = eonay_explanation(db, req->srv->cfg->ca_short_name, &cur_ev, &para);
			if (r < 0)
				return r;
			if (json_get_bool(body, "accepted", &accepted) < 0 || !accepted ||
			    json_get_int(body, "explanation_version", &ev) < 0 || ev != cur_ev)
				return http_reply_error(req, 400, "not_accepted",
							"Devam etmek için açıklamayı okuyup KABUL EDİYORUM kutusunu işaretleyiniz.");
		}
	}

	r = signing_create(db, req->srv->cfg, req->srv->code_key, purpose, tckn, ws.id_hash,
			   req->client_addr, &s, code);
	if (r < 0)
		return r;
	if (purpose == PURPOSE_EONAY_GIVE) {
		int64_t ev = 0;
		json_get_int(body, "explanation_version", &ev);
		db_run(db, "UPDATE signing_sessions SET explanation_version = $1 WHERE id = $2", "it",
		       ev, s.id);
	}
	log_info("signing session %s started for %s", s.id, signing_purpose_str(purpose));
	return reply_created(req, &s, code);
}

int handle_signing_renew(struct http_request *req)
{
	static const char *const allowed[] = { "id", NULL };
	_cleanup_json_ json_t *body = NULL;
	char code[SIGNING_CODE_DIGITS + 1];
	struct signing_session s;
	struct websession ws;
	const char *id = NULL;
	struct db *db;
	int r;

	r = session_require(req, SESSION_NEED_CSRF, &ws);
	if (r < 0)
		return r;
	r = http_body_json(req, allowed, &body);
	if (r < 0)
		return r;
	if (json_get_str(body, "id", &id) < 0)
		return http_reply_error(req, 400, "bad_request", "Oturum kimliği eksik.");
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = signing_renew(db, req->srv->cfg, req->srv->code_key, id, ws.id_hash,
			  req->client_addr, &s, code);
	if (r == -EBUSY)
		return http_reply_error(req, 409, "session_closed",
					signing_error("session_closed")->message);
	if (r < 0)
		return r;
	server_wake(req->srv, db, id);	/* the old page learns it was replaced */
	return reply_created(req, &s, code);
}

/* A signed login: rotate the browser session once, bound to the holder. */
static int apply_login(struct http_request *req, struct db *db, const struct signing_session *s,
		       bool *ret_logged_in)
{
	_cleanup_secret_ char *new_id = NULL;
	_cleanup_free_ char *actor = NULL;
	int r;

	*ret_logged_in = false;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = db_run(db, "UPDATE signing_sessions SET applied_at = $1 WHERE id = $2"
		       " AND applied_at IS NULL", "it", now_sec(), s->id);
	if (r == 1)
		r = websession_login(db, s->web_hash, s->tckn, req->client_addr, &new_id);
	if (r >= 0 && new_id) {
		actor = strdup_printf("holder:%s", s->tckn);
		r = actor ? audit_append(db, true, actor, "session.login", s->id, "ok",
					 "{\"method\":\"e-signature\"}")
			  : -ENOMEM;
	}
	r = db_end(db, r);
	if (r < 0)
		return r;
	if (new_id) {
		r = http_set_cookie(req, WEBSESSION_COOKIE, new_id, req->srv->cfg->session_absolute);
		if (r < 0)
			return r;
		*ret_logged_in = true;
	}
	return 0;
}

int handle_signing_wait(struct http_request *req)
{
	const char *id = http_query(req, "id"), *seen = http_query(req, "state");
	/* Held by the acceptor and released: answer now, as when resumed. */
	bool released = !req->resumed && acceptor_take_released(http_socket(req));
	struct signing_session s;
	struct websession ws;
	bool logged_in = false;
	struct db *db;
	unsigned ms;
	json_t *o;
	int r;

	r = session_require(req, 0, &ws);
	if (r < 0)
		return r;
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = signing_get_own(db, id, ws.id_hash, &s);
	if (r < 0)
		return r;
	ms = signing_wait_ms(req->srv->cfg, &s, seen);
	if (!req->resumed && !released && ms > 0) {
		signing_session_done(&s);
		r = waiter_park(id, req, ms);
		if (r < 0)
			return r;
		/* Re-read after parking: a change in between must not be lost. */
		r = signing_get(db, id, &s);
		if (r < 0 || !streq(seen, signing_state_str(s.state)))
			waiter_wake_req(req);
		if (r == 0)
			signing_session_done(&s);
		return 0;
	}
	if (s.state == SS_SIGNED && s.purpose == PURPOSE_LOGIN) {
		r = apply_login(req, db, &s, &logged_in);
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
