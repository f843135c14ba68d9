/* websession.c - browser sessions in the store.
 *
 * Used by the session API (api-session.c) and, later, by every page that
 * needs to know who is logged in.  Timeouts come from [session] in the
 * configuration. */
#include "server/websession.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>

/* Inserts a session with a fresh random id; tckn NULL for an anonymous one. */
static int session_insert(struct db *db, const char *tckn, const char *client_addr,
			  char **ret_id)
{
	_cleanup_secret_ char *id = NULL;
	char hash[65];
	int64_t now = now_sec();
	int r;

	r = token_new(32, &id);
	if (r < 0)
		return r;
	r = websession_hash(id, hash);
	if (r < 0)
		return r;
	r = db_run(db, "INSERT INTO web_sessions (id_hash, tckn, created_at, last_seen,"
		       " authenticated_at, client_addr) VALUES ($1, $2, $3, $3,"
		       " CASE WHEN $2 IS NULL THEN NULL ELSE $3 END, $4)",
		   "ttit", hash, tckn, now, client_addr);
	if (r < 0)
		return r;
	*ret_id = TAKE_PTR(id);
	return 0;
}

int websession_create(struct db *db, const char *client_addr, char **ret_id)
{
	return session_insert(db, NULL, client_addr, ret_id);
}

static bool expired(const struct config *cfg, int64_t now, int64_t created, int64_t seen)
{
	return now - seen > cfg->session_idle || now - created > cfg->session_absolute;
}

/* The stored session for cookie value id, whatever its age. */
static int lookup(struct db *db, const char *id, struct websession *ret)
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
	r = db_query_one(db, &st, "SELECT tckn, created_at, last_seen, authenticated_at"
			   " FROM web_sessions WHERE id_hash = $1", "t", s.id_hash);
	if (r < 0)
		return r;
	tckn = db_col_text(st, 0);
	snprintf(s.tckn, sizeof(s.tckn), "%s", tckn ? tckn : "");
	s.created_at = db_col_int64(st, 1);
	s.last_seen = db_col_int64(st, 2);
	s.authenticated_at = db_col_is_null(st, 3) ? 0 : db_col_int64(st, 3);
	*ret = s;
	return 0;
}

int websession_find(struct db *db, const struct config *cfg, const char *id,
		    struct websession *ret)
{
	struct websession s;
	int64_t now = now_sec();
	int r;

	r = lookup(db, id, &s);
	if (r < 0)
		return r;
	if (expired(cfg, now, s.created_at, s.last_seen)) {
		db_run(db, "DELETE FROM web_sessions WHERE id_hash = $1", "t", s.id_hash);
		return -ENOENT;
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

int websession_peek(struct db *db, const struct config *cfg, const char *id,
		    struct websession *ret)
{
	int r = lookup(db, id, ret);

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

int websession_login(struct db *db, const char *old_id_hash, const char *tckn,
		     const char *client_addr, char **ret_id)
{
	int r;

	r = db_run(db, "DELETE FROM web_sessions WHERE id_hash = $1", "t", old_id_hash);
	if (r == 0)
		return -ENOENT;
	if (r < 0)
		return r;
	return session_insert(db, tckn, client_addr, ret_id);
}
