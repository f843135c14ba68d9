/* signing.h - the signing ceremony: sessions, codes, claim, wait state
 * (domain, no HTTP).
 *
 * A browser starts a session for a signed act (acts.h) and a holder; the
 * holder types the code into eimza, which claims the session with it (one
 * use) and gets an application token; eimza then submits the signatures
 * (signature.h).  States:
 *
 *   waiting --claim--> code_used --submit--> signed | rejected
 *   waiting|code_used --time--> expired
 *   waiting|code_used --Tekrar Kod Al--> replaced
 *
 * Codes are 15 random digits and a Damm check digit; only HMAC-SHA256(key,
 * code) is stored.  Application tokens are stored the same way.  Refusals
 * follow refusal.h: -EACCES with *ret_refusal. */
#pragma once
#include <jansson.h>

#include "common/config.h"
#include "domain/acts.h"
#include "domain/refusal.h"
#include "store/db.h"

#define SIGNING_CODE_DIGITS 16

enum signing_state {
	SS_WAITING,
	SS_CODE_USED,
	SS_SIGNED,
	SS_REJECTED,
	SS_EXPIRED,
	SS_REPLACED,
	_SS_MAX,
};

const char *signing_state_str(enum signing_state s);
bool signing_state_final(enum signing_state s);

struct signing_session {
	char id[33];
	const struct signed_act *act;	/* what it is for (never NULL) */
	char tckn[12];
	char web_hash[65];
	int64_t text_version;
	int64_t explanation_version;	/* accepted with the start, 0: none */
	json_t *texts;		/* array of strings */
	char client_addr[64];
	int64_t created_at, expires_at, state_at;
	enum signing_state state;
	enum refusal result;	/* why rejected */
	char signer_serial[65];
	char replaced_by[33];
	char app_event[16];	/* what the application reported ("" none) */
	char app_addr[64];	/* where the last claim came from ("" none) */
	int64_t claims;		/* how often the code was claimed */
	char subject[33];	/* what the act is about (act_input.subject), or "" */
};

/* How often one code may be claimed (a claim not followed by an accepted
 * signature may be repeated; see signing_claim). */
#define SIGNING_MAX_CLAIMS 5
void signing_session_done(struct signing_session *s);

/* Starts a session for act and its code (digits, NUL-terminated, in
 * ret_code).  holder is the browser's logged-in T.C. Kimlik No ("" or
 * NULL when anonymous); tckn the typed one (used when the act does not
 * need a logged-in holder).  The act's precondition is checked with in
 * (may be NULL) and its bound version stored with the session.  At most
 * cfg->open_per_client sessions started from one address (its limit key,
 * netaddr.h) and cfg->open_per_holder of the acts of a logged-in holder
 * (logins count per address only) are open (waiting or code_used, not
 * expired) at once.  Refusals: not_logged_in, bad_tckn, too_many_open,
 * and the precondition's. */
int signing_start(struct db *db, const struct act_ctx *ctx, const struct signed_act *act,
		  const char *holder, const char *tckn, struct act_input *in,
		  const char *web_hash, const char *client_addr, struct signing_session *ret,
		  char ret_code[SIGNING_CODE_DIGITS + 1], enum refusal *ret_refusal);

/* Tekrar Kod Al: the old session (which must belong to web_hash and still be
 * waiting, code_used or expired) becomes replaced and a new one with the
 * same act and holder is returned.  Refusals: not_found (not this
 * browser's), session_closed (already final). */
int signing_renew(struct db *db, const struct act_ctx *ctx, const char *id,
		  const char *web_hash, const char *client_addr, struct signing_session *ret,
		  char ret_code[SIGNING_CODE_DIGITS + 1], enum refusal *ret_refusal);

/* Loads a session (expiring it on the way when its time is up).
 * -ENOENT when there is none. */
int signing_get(struct db *db, const char *id, struct signing_session *ret);

/* signing_get() for the browser whose session hash is web_hash: another
 * browser's session is refused not_found, as if it did not exist. */
int signing_get_own(struct db *db, const char *id, const char *web_hash,
		    struct signing_session *ret, enum refusal *ret_refusal);

/* How long a page's wait on s is parked, in ms, when the page last saw the
 * state seen: up to codes.poll_timeout, never past the session's end.  0
 * when the wait is answered at once (a change the page has not seen yet,
 * a final state, or its time is up). */
unsigned signing_wait_ms(const struct config *cfg, const struct signing_session *s,
			 const char *seen, const char *seen_event);

/* The application claims a session with a typed code.  On success the
 * session is code_used and *ret_token (secret, malloc'ed) authorises the
 * submission.  A code already claimed may be claimed again (a wrong PIN,
 * a "no" at the confirmation, a crash of the application must not burn
 * it) while its session is still code_used (no signature accepted or
 * refused, not expired), from the same address as the claim before
 * (netaddr_limit_key), at most SIGNING_MAX_CLAIMS times in all, and (a
 * pin-reset) before the card's SO PIN was given out: the new token
 * replaces the old one, which stops working.  Refusals: code_typo,
 * code_unknown, code_expired, code_replaced, code_used.  Each outcome is
 * in the audit log (actor "client:" app_addr), written in the claim's
 * transaction. */
int signing_claim(struct db *db, const struct act_ctx *ctx, const char *code,
		  const char *app_addr, struct signing_session *ret, char **ret_token,
		  enum refusal *ret_refusal);

/* The application reports what happened on its side while the session is
 * claimed (event: "pin_wrong", "pin_locked", "declined", "no_cert"); the
 * page shows it.  Refusals: token_invalid, session_expired,
 * session_closed.  Audited.  ret_id (may be NULL) gets the session id,
 * for waking the page. */
int signing_app_event(struct db *db, const struct act_ctx *ctx, const char *token,
		      const char *event, const char *app_addr, char ret_id[33],
		      enum refusal *ret_refusal);
/* Whether event is one signing_app_event() takes. */
bool signing_app_event_known(const char *event);

/* Finds the session an application token belongs to (expiring it when
 * due).  -ENOENT if none. */
int signing_find_by_token(struct db *db, const unsigned char key[32], const char *token,
			  struct signing_session *ret);

/* Moves a session to a final state (signed / rejected, with the refusal)
 * if it is still code_used; -EBUSY otherwise.  Runs inside the caller's
 * transaction. */
int signing_finish(struct db *db, const char *id, enum signing_state to,
		   enum refusal result, const char *signer_serial);

/* Housekeeping: deletes the signing sessions that expired more than
 * cfg->code_retention seconds ago and never carried an accepted signature
 * (a session with a row in signatures is evidence and stays, with it).
 * *ret_n: how many went. */
int signing_purge(struct db *db, const struct config *cfg, int64_t *ret_n);
