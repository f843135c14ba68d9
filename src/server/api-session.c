/* api-session.c - /api/v1/session: the browser's session and CSRF token.
 *
 * POST creates an anonymous session (cookie eonay_sid, HttpOnly,
 * SameSite=Strict, Secure on HTTPS) and returns its CSRF token; GET tells
 * whether the browser is logged in; DELETE logs out (CSRF token required).
 * The login itself is the signing ceremony (see docs/API.md). */
#include "common/json.h"
#include "common/log.h"
#include "server/handlers.h"
#include "domain/websession.h"
#include "domain/certs.h"

static json_t *session_json(struct http_request *req, const char *id,
			    const struct websession *s)
{
	_cleanup_free_ char *name = NULL;
	struct holder h;
	struct db *db;
	char csrf[44];

	if (websession_csrf(req->srv->session_key, id, csrf) < 0)
		return NULL;
	/* "Sayın AD SOYAD": the holder's name as the registry has it. */
	if (s->tckn[0] && server_db(req->srv, &db) == 0 && holder_get(db, s->tckn, &h) == 0) {
		name = strdup_printf("%s %s", h.given_name, h.surname);
		holder_done(&h);
	}
	return json_pack("{s:b,s:s?,s:s?,s:s?,s:s,s:I,s:I}", "authenticated", s->tckn[0] != 0,
			 "tckn", s->tckn[0] ? s->tckn : NULL, "name", name,
			 "login_method", s->tckn[0] && s->login_method[0] ? s->login_method : NULL,
			 "csrf_token", csrf,
			 "idle_timeout", (json_int_t)req->srv->cfg->session_idle,
			 "expires_at",
			 (json_int_t)(s->created_at + req->srv->cfg->session_absolute));
}

int handle_session_get(struct http_request *req)
{
	const char *id = http_cookie(req, WEBSESSION_COOKIE);

	return http_reply_json(req, 200, session_json(req, id, &req->ws));
}

int handle_session_create(struct http_request *req)
{
	_cleanup_secret_ char *id = NULL;
	struct websession s = { 0 };
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = websession_create(db, req->client_addr, &id);
	if (r < 0) {
		log_error("cannot create session: %s (%s)", strerror(-r), db_errmsg(db));
		return r;
	}
	s.created_at = s.last_seen = now_sec();
	r = http_set_cookie(req, WEBSESSION_COOKIE, id, req->srv->cfg->session_absolute);
	if (r < 0)
		return r;
	return http_reply_json(req, 201, session_json(req, id, &s));
}

int handle_session_delete(struct http_request *req)
{
	const char *id = http_cookie(req, WEBSESSION_COOKIE);
	struct websession s = req->ws;
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = websession_logout(db, id, s.tckn);
	if (r < 0)
		return r;
	r = http_set_cookie(req, WEBSESSION_COOKIE, "", 0);
	if (r < 0)
		return r;
	return http_reply_json(req, 200, json_pack("{s:b}", "authenticated", false));
}
