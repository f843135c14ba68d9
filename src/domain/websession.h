/* websession.h - browser sessions (domain logic, no HTTP).
 *
 * The cookie value is 32 random bytes (base64url); the store keeps only its
 * SHA-256.  The CSRF token is HMAC-SHA256(server key, session id), so it
 * needs no storage and every node computes the same. */
#pragma once
#include "common/config.h"
#include "store/db.h"

#define WEBSESSION_COOKIE "eonay_sid"
#define WEBSESSION_CSRF_HEADER "X-CSRF-Token"

struct websession {
	char id_hash[65];
	char tckn[12];		/* "" while anonymous */
	int64_t created_at, last_seen, authenticated_at;
};

/* Creates an anonymous session; *ret_id is the cookie value (secret). */
int websession_create(struct db *db, const char *client_addr, char **ret_id);

/* Finds the live session for a cookie value and refreshes last_seen (at most
 * once a minute).  -ENOENT when unknown or past the idle/absolute timeout
 * (an expired one is deleted). */
int websession_find(struct db *db, const struct config *cfg, const char *id,
		    struct websession *ret);

/* websession_find() without writing (no refresh, no delete): for the
 * acceptor thread, which must never wait for the store's write lock. */
int websession_peek(struct db *db, const struct config *cfg, const char *id,
		    struct websession *ret);

/* Ends a session (logout). -ENOENT when there was none. */
int websession_delete(struct db *db, const char *id);

/* Deletes sessions past their timeouts; returns how many. */
int websession_purge(struct db *db, const struct config *cfg, int64_t *ret_n);

/* The CSRF token for a session id (43 characters + NUL). */
int websession_csrf(const unsigned char key[32], const char *id, char ret[44]);
/* Constant-time check of a presented CSRF token. */
bool websession_csrf_ok(const unsigned char key[32], const char *id, const char *token);

/* Logs a browser in: the old session is replaced by a new one (new id,
 * so a fixated id is worthless) bound to tckn.  *ret_id is the new cookie
 * value.  -ENOENT when the old one is gone. */
int websession_login(struct db *db, const char *old_id_hash, const char *tckn,
		     const char *client_addr, char **ret_id);

/* SHA-256 of a cookie value, as stored. */
int websession_hash(const char *id, char ret[65]);
