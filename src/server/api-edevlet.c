/* api-edevlet.c - E-Devlet ile Giriş: the way to the provider and back.
 *
 * GET /api/v1/edevlet/start: a state bound to this browser (its session,
 * created when it has none, and the binding cookie eonay_edevlet,
 * SameSite=Lax so that it comes back on the provider's redirect), then
 * 303 to the provider's authorization endpoint (code flow, PKCE S256,
 * state, nonce).
 * GET /OAuth2/edevletsonuc: the provider's answer.  State (single use,
 * this browser's), code exchanged once, ID token checked (domain/oidc.c),
 * the T.C. Kimlik No logs the holder in (domain/edevlet.c); 303 to the
 * İşlemler Menüsü with the new session cookie.  Any refusal is audited
 * and answered 303 to /edevlet-giris.html?hata=CODE, where the page shows
 * its Turkish message (GET /api/v1/refusals/{code}).
 * The network part is edevlet-client.c. */
#include <curl/curl.h>
#include <stdio.h>

#include "common/json.h"
#include "common/log.h"
#include "domain/edevlet.h"
#include "domain/oidc.h"
#include "server/edevlet-client.h"
#include "server/handlers.h"
#include "server/refusals.h"

#define CALLBACK_PATH "/OAuth2/edevletsonuc"
#define ERROR_PAGE "/edevlet-giris.html"
#define DONE_PAGE "/islemler.html"
#define TOKEN_SKEW 60

/* Audits the refusal and sends the browser to our page with its code. */
static int refuse(struct http_request *req, struct db *db, const char *tckn, enum refusal why)
{
	_cleanup_free_ char *loc = NULL;
	int r;

	log_info("[%s] E-Devlet login refused: %s", req->rid, refusal_code(why));
	if (db) {
		r = edevlet_refused(db, tckn, req->client_addr, why);
		if (r < 0) {
			log_error("cannot audit a refused E-Devlet login: %s (%s)", strerror(-r),
				  db_errmsg(db));
			return r;
		}
	}
	loc = strdup_printf(ERROR_PAGE "?hata=%s", refusal_code(why));
	if (!loc)
		return -ENOMEM;
	return http_reply_redirect(req, loc);
}

/* The refusal for a failure of the provider or of the way to it. */
static enum refusal net_refusal(int r)
{
	return r == -EHOSTUNREACH ? REFUSAL_EDEVLET_UNREACHABLE
	     : r == -EACCES	  ? REFUSAL_EDEVLET_CODE_REJECTED
				  : REFUSAL_EDEVLET_PROVIDER_ERROR;
}

static bool is_net_failure(int r)
{
	return r == -EHOSTUNREACH || r == -EPROTO || r == -EPERM || r == -EACCES;
}

static int add_param(char **url, const char *name, const char *value)
{
	char *e = curl_easy_escape(NULL, value, 0), *n;

	if (!e)
		return -ENOMEM;
	n = strdup_printf("%s%c%s=%s", *url, strchr(*url, '?') ? '&' : '?', name, e);
	curl_free(e);
	if (!n)
		return -ENOMEM;
	free(*url);
	*url = n;
	return 0;
}

/* The browser's session (cookie hash into ret_hash), created when absent. */
static int browser_session(struct http_request *req, struct db *db, char ret_hash[65])
{
	_cleanup_secret_ char *id = NULL;
	const char *cookie = http_cookie(req, WEBSESSION_COOKIE);
	struct websession s;
	int r;

	r = websession_find(db, req->srv->cfg, cookie, &s);
	if (r == 0) {
		memcpy(ret_hash, s.id_hash, 65);
		return 0;
	}
	if (r != -ENOENT)
		return r;
	r = websession_create(db, req->client_addr, &id);
	if (r < 0)
		return r;
	r = http_set_cookie(req, WEBSESSION_COOKIE, id, req->srv->cfg->session_absolute);
	if (r < 0)
		return r;
	return websession_hash(id, ret_hash);
}

int handle_edevlet_start(struct http_request *req)
{
	const struct config *cfg = req->srv->cfg;
	_cleanup_free_ char *url = NULL, *redirect = NULL;
	struct edc_endpoints ep = { 0 };
	struct edevlet_begin b = { 0 };
	char web_hash[65], challenge[44];
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	if (!cfg->edevlet_issuer)
		return refuse(req, NULL, NULL, REFUSAL_EDEVLET_DISABLED);
	r = edc_discover(cfg, &ep);
	if (r < 0) {
		if (is_net_failure(r))
			return refuse(req, db, NULL, net_refusal(r == -EACCES ? -EPROTO : r));
		return r;
	}
	url = strdup(ep.authorization);
	redirect = strdup_printf("%s" CALLBACK_PATH, cfg->base_url);
	edc_endpoints_done(&ep);
	if (!url || !redirect)
		return -ENOMEM;
	r = browser_session(req, db, web_hash);
	if (r >= 0)
		r = edevlet_begin(db, req->srv->session_key, web_hash, req->client_addr, &b);
	if (r >= 0)
		r = oidc_pkce_s256(b.verifier, challenge);
	if (r >= 0)
		r = add_param(&url, "response_type", "code");
	if (r >= 0)
		r = add_param(&url, "client_id", cfg->edevlet_client_id);
	if (r >= 0)
		r = add_param(&url, "redirect_uri", redirect);
	if (r >= 0)
		r = add_param(&url, "scope", cfg->edevlet_scope);
	if (r >= 0)
		r = add_param(&url, "state", b.state);
	if (r >= 0)
		r = add_param(&url, "nonce", b.nonce);
	if (r >= 0)
		r = add_param(&url, "code_challenge", challenge);
	if (r >= 0)
		r = add_param(&url, "code_challenge_method", "S256");
	if (r >= 0)
		r = http_set_cookie_attr(req, EDEVLET_BINDING_COOKIE, b.binding,
					 EDEVLET_STATE_LIFETIME, "/OAuth2/", "Lax");
	edevlet_begin_done(&b);
	if (r < 0) {
		log_error("cannot start an E-Devlet login: %s (%s)", strerror(-r), db_errmsg(db));
		return r;
	}
	return http_reply_redirect(req, url);
}

/* The T.C. Kimlik No claim: a string, or a number as the provider may send. */
static int tckn_of(json_t *claims, const char *name, char ret[12])
{
	json_t *v = json_object_get(claims, name);

	if (json_is_string(v) && strlen(json_string_value(v)) == 11)
		snprintf(ret, 12, "%s", json_string_value(v));
	else if (json_is_integer(v) && json_integer_value(v) >= 10000000000LL &&
		 json_integer_value(v) <= 99999999999LL)
		snprintf(ret, 12, "%lld", (long long)json_integer_value(v));
	else
		return -EINVAL;
	return 0;
}

/* The code and the ID token: exchange once, check, login. */
static int finish(struct http_request *req, struct db *db, const struct edevlet_pending *p,
		  const char *state, const char *code)
{
	const struct config *cfg = req->srv->cfg;
	_cleanup_free_ char *redirect = NULL, *jwks = NULL, *nonce = NULL;
	_cleanup_secret_ char *verifier = NULL, *id_token = NULL, *id = NULL;
	_cleanup_json_ json_t *claims = NULL;
	enum refusal why = REFUSAL_NONE;
	struct oidc_expect e;
	char tckn[12];
	int r;

	redirect = strdup_printf("%s" CALLBACK_PATH, cfg->base_url);
	if (!redirect)
		return -ENOMEM;
	r = edevlet_derive(req->srv->session_key, "pkce", state, &verifier);
	if (r >= 0)
		r = edevlet_derive(req->srv->session_key, "nonce", state, &nonce);
	if (r < 0)
		return r;
	r = edc_exchange(cfg, code, verifier, redirect, &id_token);
	if (r < 0)
		return is_net_failure(r) ? refuse(req, db, NULL, net_refusal(r)) : r;
	e = (struct oidc_expect){ .issuer = cfg->edevlet_issuer, .client_id = cfg->edevlet_client_id,
				  .nonce = nonce, .now = now_sec(), .skew = TOKEN_SKEW,
				  .max_age = EDEVLET_STATE_LIFETIME };
	for (int attempt = 0; attempt < 2; attempt++) {
		free(jwks);
		jwks = NULL;
		r = edc_jwks(cfg, attempt > 0, &jwks);
		if (r < 0)
			return is_net_failure(r) ? refuse(req, db, NULL, net_refusal(r)) : r;
		r = oidc_check_id_token(id_token, jwks, &e, &claims, &why);
		/* A key we do not have: the provider may have rotated; ask once more. */
		if (!(r == -EACCES && why == REFUSAL_EDEVLET_TOKEN_KEY))
			break;
	}
	if (r == -EACCES)
		return refuse(req, db, NULL, why);
	if (r < 0)
		return r;
	if (tckn_of(claims, cfg->edevlet_tckn_claim, tckn) < 0)
		return refuse(req, db, NULL, REFUSAL_EDEVLET_TOKEN_MALFORMED);
	r = edevlet_login(db, p, tckn, req->client_addr, &id, &why);
	if (r == -EACCES)	/* audited by edevlet_login */
		return refuse(req, NULL, NULL, why);
	if (r < 0) {
		log_error("cannot log in by E-Devlet: %s (%s)", strerror(-r), db_errmsg(db));
		return r;
	}
	log_info("[%s] E-Devlet login of holder %.3s********", req->rid, tckn);
	r = http_set_cookie(req, WEBSESSION_COOKIE, id, cfg->session_absolute);
	if (r >= 0)
		r = http_set_cookie_attr(req, EDEVLET_BINDING_COOKIE, "", 0, "/OAuth2/", "Lax");
	if (r < 0)
		return r;
	return http_reply_redirect(req, DONE_PAGE);
}

int handle_edevlet_callback(struct http_request *req)
{
	const char *state = http_query(req, "state"), *code = http_query(req, "code");
	const char *error = http_query(req, "error");
	const char *binding = http_cookie(req, EDEVLET_BINDING_COOKIE);
	struct edevlet_pending p = { 0 };
	enum refusal why = REFUSAL_NONE;
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	if (!req->srv->cfg->edevlet_issuer)
		return refuse(req, NULL, NULL, REFUSAL_EDEVLET_DISABLED);
	if (!error && isempty(code))
		return refuse(req, db, NULL, REFUSAL_EDEVLET_PROVIDER_ERROR);
	r = edevlet_consume(db, state, binding, error ? NULL : code, &p, &why);
	if (r == -EACCES)
		return refuse(req, db, NULL, why);
	if (r < 0) {
		log_error("cannot read an E-Devlet login state: %s (%s)", strerror(-r),
			  db_errmsg(db));
		return r;
	}
	if (error) {
		log_info("[%s] E-Devlet provider answered error %.40s", req->rid,
			 strspn(error, "abcdefghijklmnopqrstuvwxyz_") == strlen(error) ? error : "?");
		return refuse(req, db, NULL, streq(error, "access_denied")
						     ? REFUSAL_EDEVLET_CANCELLED
						     : REFUSAL_EDEVLET_PROVIDER_ERROR);
	}
	return finish(req, db, &p, state, code);
}

int handle_refusal_get(struct http_request *req)
{
	enum refusal r = refusal_parse(http_param(req, "code"));
	const struct refusal_reply *e;

	if (r == REFUSAL_NONE)
		return -ENOENT;
	e = refusal_reply(r);
	return http_reply_json(req, 200, json_pack("{s:s,s:s}", "code", refusal_code(r),
						   "message", e->message));
}
