/* websession.h - browser sessions (domain logic, no HTTP).
 *
 * The cookie value is 32 random bytes (base64url); the store keeps only its
 * SHA-256.  The CSRF token is HMAC-SHA256(server key, session id), so it
 * needs no storage and every node computes the same. */
#pragma once
#include "common/config.h"
#include "domain/refusal.h"
#include "store/db.h"

#define WEBSESSION_COOKIE "eonay_sid"
#define WEBSESSION_CSRF_HEADER "X-CSRF-Token"

struct websession {
	char id_hash[65];
	char tckn[12];		/* "" while anonymous */
	char login_method[16];	/* "e-imza", "şifre", "e-devlet"; "" while anonymous */
	int64_t created_at, last_seen, authenticated_at;
};

/* Inserts the session whose cookie value is id: anonymous when tckn is
 * NULL, else logged in now by login_method ("e-imza", "şifre",
 * "e-devlet"); rotated_from is the hash of the anonymous session it
 * replaces until the new id is first used, or NULL.  Runs in the caller's
 * transaction when there is one. */
int websession_insert(struct db *db, const char *id, const char *tckn,
		      const char *client_addr, const char *login_method, const char *rotated_from);

/* Creates an anonymous session; *ret_id is the cookie value (secret). */
int websession_create(struct db *db, const char *client_addr, char **ret_id);

/* Finds the live session for a cookie value and refreshes last_seen (at most
 * once a minute).  -ENOENT when unknown or past the idle/absolute timeout
 * (an expired one is deleted). */
int websession_find(struct db *db, const struct config *cfg, const char *id,
		    struct websession *ret);

/* Ends a session (logout). -ENOENT when there was none. */
int websession_delete(struct db *db, const char *id);

/* Logs out: ends the session of cookie value id (gone already is fine)
 * and, when it was logged in as tckn, records the logout in the audit log
 * in the same transaction. */
int websession_logout(struct db *db, const char *id, const char *tckn);

/* Deletes sessions past their timeouts; returns how many. */
int websession_purge(struct db *db, const struct config *cfg, int64_t *ret_n);

/* The CSRF token for a session id (43 characters + NUL). */
int websession_csrf(const unsigned char key[32], const char *id, char ret[44]);
/* Constant-time check of a presented CSRF token. */
bool websession_csrf_ok(const unsigned char key[32], const char *id, const char *token);

/* Login, step 1, inside the transaction that accepts a login signature
 * (the login act's effect): inserts the holder's session under a new id
 * derived with key from web_hash (the browser's anonymous session) and
 * signing_id.  The anonymous session stays as it is (not logged in) until
 * the new id is first presented; then websession_find() deletes it.
 * Refused session_closed when the browser session is gone. */
int websession_login_accept(struct db *db, const unsigned char key[32], const char *web_hash,
			    const char *signing_id, const char *tckn, const char *client_addr,
			    enum refusal *ret_refusal);

/* Login, step 2, for the browser's wait: the new cookie value (secret,
 * malloc'ed) when the login of signing_id was accepted and its session is
 * still live for tckn; -ENOENT otherwise.  Reads only, so a wait answer
 * that is lost is given again by the next wait. */
int websession_login_take(struct db *db, const struct config *cfg, const unsigned char key[32],
			  const char *web_hash, const char *signing_id, const char *tckn,
			  char **ret_id);

/* SHA-256 of a cookie value, as stored. */
int websession_hash(const char *id, char ret[65]);

/* Şifreli Giriş (password.c), inside the caller's transaction: inserts the
 * holder's session (login_method "şifre") under a new random id (*ret_id,
 * the cookie value, secret) and ends the browser's session web_hash at
 * once (no fixation: the new id is handed out in the same answer).
 * Refused session_closed when web_hash is gone. */
int websession_login_password(struct db *db, const char *web_hash, const char *tckn,
			      const char *client_addr, char **ret_id, enum refusal *ret_refusal);

/* The e-signature login of signing_id (the login act's effect, after
 * websession_login_accept, same transaction): records the signer
 * certificate (issuer key identifier, may be NULL, and serial) on the new
 * session, so that suspending or revoking that certificate ends it. */
int websession_bind_signer(struct db *db, const unsigned char key[32], const char *web_hash,
			   const char *signing_id, const char *signer_issuer,
			   const char *signer_serial);

/* Ends every session logged in with the certificate issuer + serial
 * (lower-case hex; a session whose issuer was not known matches by serial);
 * *ret_n (may be NULL) how many.  In the caller's transaction. */
int websession_end_by_signer(struct db *db, const char *issuer, const char *serial,
			     int64_t *ret_n);
