/* websession.c - browser sessions in the store.
 *
 * Used by the session API (api-session.c), every handler that needs to
 * know who is logged in, and the login act (acts.c), which logs a browser
 * in inside the transaction that accepts its signature.  Timeouts come
 * from [session] in the configuration. */
#include "domain/websession.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>

#include "store/audit.h"

int websession_insert(struct db *db, const char *id, const char *tckn,
		      const char *client_addr, const char *login_method, const char *rotated_from)
{
	char hash[65];
	int64_t now = now_sec();
	int r;

	r = websession_hash(id, hash);
	if (r < 0)
		return r;
	r = db_run(db, "INSERT INTO web_sessions (id_hash, tckn, created_at, last_seen,"
		       " authenticated_at, client_addr, login_method, rotated_from)"
		       " VALUES ($1, $2, $3, $3, CASE WHEN $2 IS NULL THEN NULL ELSE $3 END,"
		       " $4, $5, $6)",
		   "ttittt", hash, tckn, now, client_addr, login_method, rotated_from);
	return r < 0 ? r : 0;
}

/* Inserts a session with a fresh random id (*ret_id, the cookie value). */
static int session_insert(struct db *db, const char *tckn, const char *client_addr,
			  const char *login_method, char **ret_id)
{
	_cleanup_secret_ char *id = NULL;
	int r;

	r = token_new(32, &id);
	if (r < 0)
		return r;
	r = websession_insert(db, id, tckn, client_addr, login_method, NULL);
	if (r < 0)
		return r;
	*ret_id = TAKE_PTR(id);
	return 0;
}

int websession_create(struct db *db, const char *client_addr, char **ret_id)
{
	return session_insert(db, NULL, client_addr, NULL, ret_id);
}

static bool expired(const struct config *cfg, int64_t now, int64_t created, int64_t seen)
{
	return now - seen > cfg->session_idle || now - created > cfg->session_absolute;
}

/* The stored session for cookie value id, whatever its age;
 * *ret_rotated tells whether it still has to retire the session it
 * replaced at login. */
static int lookup(struct db *db, const char *id, struct websession *ret, bool *ret_rotated)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct websession s = { 0 };
	const char *tckn;
	int r;

	if (isempty(id) || strlen(id) > 64)
		return -ENOENT;
	r = sha256_hex(id, strlen(id), s.id_hash);
	if (r < 0)
		return r;
	r = db_query_one(db, &st, "SELECT tckn, created_at, last_seen, authenticated_at,"
			   " rotated_from, login_method FROM web_sessions WHERE id_hash = $1", "t",
			   s.id_hash);
	if (r < 0)
		return r;
	tckn = db_col_text(st, 0);
	snprintf(s.tckn, sizeof(s.tckn), "%s", tckn ? tckn : "");
	s.created_at = db_col_int64(st, 1);
	s.last_seen = db_col_int64(st, 2);
	s.authenticated_at = db_col_is_null(st, 3) ? 0 : db_col_int64(st, 3);
	if (ret_rotated)
		*ret_rotated = !db_col_is_null(st, 4);
	snprintf(s.login_method, sizeof(s.login_method), "%s",
		 db_col_is_null(st, 5) ? "" : db_col_text(st, 5));
	*ret = s;
	return 0;
}

/* The new id is first presented: the session it replaced at login (the
 * anonymous one, whose cookie a fixation attack may know) ends now. */
static int retire_replaced(struct db *db, const char *id_hash)
{
	int r;

	r = db_begin(db);
	if (r < 0)
		return r;
	r = db_run(db, "DELETE FROM web_sessions WHERE id_hash = (SELECT rotated_from FROM"
		       " web_sessions WHERE id_hash = $1)", "t", id_hash);
	if (r >= 0)
		r = db_run(db, "UPDATE web_sessions SET rotated_from = NULL WHERE id_hash = $1", "t",
			   id_hash);
	return db_end(db, r);
}

int websession_find(struct db *db, const struct config *cfg, const char *id,
		    struct websession *ret)
{
	struct websession s;
	int64_t now = now_sec();
	int r;

	bool rotated = false;

	r = lookup(db, id, &s, &rotated);
	if (r < 0)
		return r;
	if (expired(cfg, now, s.created_at, s.last_seen)) {
		r = db_run(db, "DELETE FROM web_sessions WHERE id_hash = $1", "t", s.id_hash);
		return r < 0 ? r : -ENOENT;
	}
	if (rotated) {
		r = retire_replaced(db, s.id_hash);
		if (r < 0)
			return r;
	}
	if (now - s.last_seen >= 60) {
		r = db_run(db, "UPDATE web_sessions SET last_seen = $1 WHERE id_hash = $2",
			   "it", now, s.id_hash);
		if (r < 0)
			return r;
		s.last_seen = now;
	}
	*ret = s;
	return 0;
}

/* websession_find() without writing (no refresh, no delete). */
static int live_lookup(struct db *db, const struct config *cfg, const char *id,
		       struct websession *ret)
{
	int r = lookup(db, id, ret, NULL);

	if (r == 0 && expired(cfg, now_sec(), ret->created_at, ret->last_seen))
		r = -ENOENT;
	return r;
}

int websession_delete(struct db *db, const char *id)
{
	char hash[65];
	int r;

	if (isempty(id))
		return -ENOENT;
	r = sha256_hex(id, strlen(id), hash);
	if (r < 0)
		return r;
	r = db_run(db, "DELETE FROM web_sessions WHERE id_hash = $1", "t", hash);
	if (r < 0)
		return r;
	return r == 0 ? -ENOENT : 0;
}

int websession_logout(struct db *db, const char *id, const char *tckn)
{
	_cleanup_free_ char *actor = NULL;
	int r;

	if (!isempty(tckn)) {
		actor = strdup_printf("holder:%s", tckn);
		if (!actor)
			return -ENOMEM;
	}
	r = db_begin(db);
	if (r < 0)
		return r;
	r = websession_delete(db, id);
	if (r == -ENOENT)
		r = 0;
	if (r >= 0 && actor)
		r = audit_append(db, true, actor, "session.logout", NULL, "ok", NULL);
	return db_end(db, r);
}

int websession_purge(struct db *db, const struct config *cfg, int64_t *ret_n)
{
	int64_t now = now_sec();
	int r;

	r = db_run(db, "DELETE FROM web_sessions WHERE last_seen < $1 OR created_at < $2",
		   "ii", now - cfg->session_idle, now - cfg->session_absolute);
	if (r < 0)
		return r;
	if (ret_n)
		*ret_n = r;
	return 0;
}

int websession_csrf(const unsigned char key[32], const char *id, char ret[44])
{
	unsigned char mac[32];
	_cleanup_free_ char *b = NULL;
	int r;

	r = hmac_sha256(key, id, mac);
	if (r < 0)
		return r;
	r = base64url_encode(mac, 32, &b);
	OPENSSL_cleanse(mac, sizeof(mac));
	if (r < 0)
		return r;
	snprintf(ret, 44, "%s", b);
	return 0;
}

bool websession_csrf_ok(const unsigned char key[32], const char *id, const char *token)
{
	char expect[44];
	bool ok;

	if (!token || !id || websession_csrf(key, id, expect) < 0)
		return false;
	ok = streq_ct(expect, token);
	OPENSSL_cleanse(expect, sizeof(expect));
	return ok;
}

int websession_hash(const char *id, char ret[65])
{
	return sha256_hex(id, strlen(id), ret);
}

/* The cookie value of the session a login in signing session signing_id
 * gives the browser whose old session hash is web_hash:
 * base64url(HMAC-SHA256(key, "login\n" web_hash "\n" signing_id)).  Only
 * the browser that started the signing session knows its id, so a fixated
 * old cookie alone does not lead to it. */
static int login_id(const unsigned char key[32], const char *web_hash, const char *signing_id,
		    char **ret)
{
	_cleanup_free_ char *msg = strdup_printf("login\n%s\n%s", web_hash, signing_id);
	unsigned char mac[32];
	int r;

	if (!msg)
		return -ENOMEM;
	r = hmac_sha256(key, msg, mac);
	if (r == 0)
		r = base64url_encode(mac, 32, ret);
	OPENSSL_cleanse(mac, sizeof(mac));
	return r;
}

int websession_login_accept(struct db *db, const unsigned char key[32], const char *web_hash,
			    const char *signing_id, const char *tckn, const char *client_addr,
			    enum refusal *ret_refusal)
{
	_cleanup_secret_ char *id = NULL;
	int64_t n;
	int r;

	r = db_query_int64(db, "SELECT COUNT(*) FROM web_sessions WHERE id_hash = $1", "t", &n,
			   web_hash);
	if (r < 0)
		return r;
	if (n == 0) {	/* the browser logged out or its session ended meanwhile */
		*ret_refusal = REFUSAL_SESSION_CLOSED;
		return -EACCES;
	}
	r = login_id(key, web_hash, signing_id, &id);
	if (r < 0)
		return r;
	return websession_insert(db, id, tckn, client_addr, "e-imza", web_hash);
}

int websession_login_take(struct db *db, const struct config *cfg, const unsigned char key[32],
			  const char *web_hash, const char *signing_id, const char *tckn,
			  char **ret_id)
{
	_cleanup_secret_ char *id = NULL;
	struct websession s;
	int r;

	r = login_id(key, web_hash, signing_id, &id);
	if (r < 0)
		return r;
	r = live_lookup(db, cfg, id, &s);
	if (r < 0)
		return r;
	if (!streq(s.tckn, tckn))
		return -ENOENT;
	*ret_id = TAKE_PTR(id);
	return 0;
}

int websession_login_password(struct db *db, const char *web_hash, const char *tckn,
			      const char *client_addr, char **ret_id, enum refusal *ret_refusal)
{
	int r;

	r = db_run(db, "DELETE FROM web_sessions WHERE id_hash = $1", "t", web_hash);
	if (r < 0)
		return r;
	if (r == 0) {	/* the browser logged out or its session ended meanwhile */
		*ret_refusal = REFUSAL_SESSION_CLOSED;
		return -EACCES;
	}
	return session_insert(db, tckn, client_addr, "şifre", ret_id);
}

static void hex_lower(const char *in, char out[65])
{
	size_t n = 0;

	for (const char *p = in; p && *p && n < 64; p++)
		out[n++] = (char)(*p >= 'A' && *p <= 'F' ? *p - 'A' + 'a' : *p);
	out[n] = '\0';
}

int websession_bind_signer(struct db *db, const unsigned char key[32], const char *web_hash,
			   const char *signing_id, const char *signer_issuer,
			   const char *signer_serial)
{
	_cleanup_secret_ char *id = NULL;
	char hash[65], serial[65], issuer[65];
	int r;

	hex_lower(signer_serial, serial);
	hex_lower(signer_issuer, issuer);
	r = login_id(key, web_hash, signing_id, &id);
	if (r < 0)
		return r;
	r = websession_hash(id, hash);
	if (r < 0)
		return r;
	r = db_run(db, "UPDATE web_sessions SET signer_issuer = $1, signer_serial = $2"
		       " WHERE id_hash = $3", "ttt", issuer[0] ? issuer : NULL, serial, hash);
	return r < 0 ? r : 0;
}

int websession_end_by_signer(struct db *db, const char *issuer, const char *serial,
			     int64_t *ret_n)
{
	int r = db_run(db, "DELETE FROM web_sessions WHERE signer_serial = $1 AND"
			   " (signer_issuer = $2 OR signer_issuer IS NULL)", "tt", serial, issuer);

	if (r < 0)
		return r;
	if (ret_n)
		*ret_n = r;
	return 0;
}
