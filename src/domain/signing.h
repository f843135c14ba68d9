/* signing.h - the signing ceremony's sessions and verification codes
 * (domain logic, no HTTP).
 *
 * A browser asks for a session (purpose, T.C. Kimlik No, its own browser
 * session); the holder types the code into eimza, which claims the session
 * with it (one use) and gets an application token; eimza then submits the
 * signatures (sigcheck.c).  States:
 *
 *   waiting --claim--> code_used --submit--> signed | rejected
 *   waiting|code_used --time--> expired
 *   waiting|code_used --Tekrar Kod Al--> replaced
 *
 * Codes are 15 random digits and a Damm check digit; only HMAC-SHA256(key,
 * code) is stored.  Application tokens are stored the same way. */
#pragma once
#include <jansson.h>

#include "common/config.h"
#include "store/db.h"

#define SIGNING_CODE_DIGITS 16

enum signing_purpose {
	PURPOSE_LOGIN,
	PURPOSE_EONAY_GIVE,
	PURPOSE_EONAY_CANCEL,
	_PURPOSE_MAX,
};

enum signing_state {
	SS_WAITING,
	SS_CODE_USED,
	SS_SIGNED,
	SS_REJECTED,
	SS_EXPIRED,
	SS_REPLACED,
	_SS_MAX,
};

const char *signing_purpose_str(enum signing_purpose p);
int signing_purpose_parse(const char *s, enum signing_purpose *ret);
/* What the session is for, in Turkish, for the application's screen. */
const char *signing_purpose_tr(enum signing_purpose p);
const char *signing_state_str(enum signing_state s);
bool signing_state_final(enum signing_state s);

struct signing_session {
	char id[33];
	enum signing_purpose purpose;
	char tckn[12];
	char web_hash[65];
	int64_t text_version;
	json_t *texts;		/* array of strings */
	char client_addr[64];
	int64_t created_at, expires_at, state_at;
	enum signing_state state;
	char result_code[48];	/* why rejected */
	char signer_serial[65];
	char replaced_by[33];
};
void signing_session_done(struct signing_session *s);

/* Refusals, each with its own machine code, HTTP status and Turkish text. */
struct signing_error {
	const char *code;
	unsigned status;
	const char *message;
};
/* The entry for code (never NULL: unknown codes map to "internal"). */
const struct signing_error *signing_error(const char *code);

/* Creates a session and its code (digits, NUL-terminated, in ret_code).
 * -EINVAL for a bad T.C. Kimlik No. */
int signing_create(struct db *db, const struct config *cfg, const unsigned char key[32],
		   enum signing_purpose purpose, const char *tckn, const char *web_hash,
		   const char *client_addr, struct signing_session *ret,
		   char ret_code[SIGNING_CODE_DIGITS + 1]);

/* Tekrar Kod Al: the old session (which must belong to web_hash and still be
 * waiting or code_used) becomes replaced and a new one with the same
 * purpose and holder is returned.  -ENOENT when not found for this
 * browser, -EBUSY when already final. */
int signing_renew(struct db *db, const struct config *cfg, const unsigned char key[32],
		  const char *id, const char *web_hash, const char *client_addr,
		  struct signing_session *ret, char ret_code[SIGNING_CODE_DIGITS + 1]);

/* Loads a session (expiring it on the way when its time is up). */
int signing_get(struct db *db, const char *id, struct signing_session *ret);

/* signing_get() for the browser whose session hash is web_hash: another
 * browser's session is -ENOENT, as if it did not exist. */
int signing_get_own(struct db *db, const char *id, const char *web_hash,
		    struct signing_session *ret);

/* signing_get_own() without writing: a session whose time is up is given
 * as stored, not marked expired.  For the acceptor thread, which must never
 * wait for the store's write lock. */
int signing_peek_own(struct db *db, const char *id, const char *web_hash,
		     struct signing_session *ret);

/* How long a page's wait on s is parked, in ms, when the page last saw the
 * state seen: up to codes.poll_timeout, never past the session's end.  0
 * when the wait is answered at once (a change the page has not seen yet,
 * a final state, or its time is up). */
unsigned signing_wait_ms(const struct config *cfg, const struct signing_session *s,
			 const char *seen);

/* The application claims a session with a typed code.  On success the
 * session is code_used and *ret_token (secret, malloc'ed) authorises the
 * submission.  Errors return -EACCES with *ret_error set to one of
 * code_typo, code_unknown, code_expired, code_replaced, code_used. */
int signing_claim(struct db *db, const unsigned char key[32], const char *code,
		  const char *app_addr, struct signing_session *ret, char **ret_token,
		  const char **ret_error);

/* Finds the session an application token belongs to. -ENOENT if none. */
int signing_find_by_token(struct db *db, const unsigned char key[32], const char *token,
			  struct signing_session *ret);

/* Moves a session to a final state (signed / rejected) if it is still
 * code_used; -EBUSY otherwise.  Runs inside the caller's transaction. */
int signing_finish(struct db *db, const char *id, enum signing_state to,
		   const char *result_code, const char *signer_serial);
