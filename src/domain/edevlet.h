/* edevlet.h - E-Devlet ile Giriş: the login states and the login itself.
 *
 * Owns edevlet_states (sql/008_edevlet.sql) and logs a holder in with
 * login_method 'e-devlet'.  The network part (discovery, JWKS, token
 * endpoint) is server/edevlet-client.c; the ID token checks are
 * domain/oidc.c.  A login:
 *   1. edevlet_begin: a state bound to the browser (its session and a
 *      binding cookie), single use, EDEVLET_STATE_LIFETIME seconds;
 *      nonce and PKCE verifier derived from the state with the server key.
 *   2. the browser goes to the provider and comes back to the callback;
 *      edevlet_consume marks the state used and records the code.
 *   3. the code is exchanged, the ID token checked (oidc.h);
 *   4. edevlet_login: the T.C. Kimlik No selects the holder, a new session
 *      replaces the browser's anonymous one, audited.
 * Every refusal on the way is audited with edevlet_refused(). */
#pragma once
#include "domain/refusal.h"
#include "store/db.h"

#define EDEVLET_BINDING_COOKIE "eonay_edevlet"
#define EDEVLET_STATE_LIFETIME 600

struct edevlet_begin {
	char *state;		/* the state parameter (secret until used) */
	char *binding;		/* the binding cookie's value (secret) */
	char *nonce;		/* derived from state */
	char *verifier;		/* PKCE code_verifier, derived from state (secret) */
};
void edevlet_begin_done(struct edevlet_begin *b);

/* Starts a login for the browser session web_hash (SHA-256 of its
 * cookie); key is the server's session key. */
int edevlet_begin(struct db *db, const unsigned char key[32], const char *web_hash,
		  const char *client_addr, struct edevlet_begin *ret);

/* The nonce ("nonce") or PKCE verifier ("pkce") of a state:
 * base64url(HMAC-SHA256(key, "edevlet-WHAT\n" state)). */
int edevlet_derive(const unsigned char key[32], const char *what, const char *state,
		   char **ret);

struct edevlet_pending {
	char web_hash[65];	/* the browser session that started it */
};

/* The callback arrived with state, the binding cookie and code (NULL when
 * the provider answered an error).  Marks the state used (single use) and
 * records the code.  Refusals: EDEVLET_STATE_INVALID (unknown state, or
 * not this browser's), EDEVLET_STATE_USED, EDEVLET_STATE_EXPIRED,
 * EDEVLET_CODE_REUSED (this code came before, with any state). */
int edevlet_consume(struct db *db, const char *state, const char *binding, const char *code,
		    struct edevlet_pending *ret, enum refusal *ret_refusal);

/* Logs the holder tckn in: in one transaction the holder's new web session
 * (login_method 'e-devlet'; *ret_id its cookie value, secret) replaces the
 * session p->web_hash, and the audit event session.login.  Refused
 * EDEVLET_UNKNOWN_PERSON (audited) when tckn is no holder of ours. */
int edevlet_login(struct db *db, const struct edevlet_pending *p, const char *tckn,
		  const char *client_addr, char **ret_id, enum refusal *ret_refusal);

/* Audits a refused E-Devlet login (action edevlet.login, outcome
 * refused, details {"reason": refusal_code(why)}); tckn may be NULL. */
int edevlet_refused(struct db *db, const char *tckn, const char *client_addr, enum refusal why);

/* Deletes states past their life; returns how many. */
int edevlet_purge(struct db *db, int64_t *ret_n);
