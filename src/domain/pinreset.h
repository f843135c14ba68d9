/* pinreset.h - PIN Oluşturma / Kilit Çözme: a card's SO PIN handed to the
 * holder's application once, for one pin-reset signing session, and the
 * card's new SO PIN kept until the card itself confirms it.
 *
 * The application, holding the token of a claimed "pin-reset" session
 * (signing.h), walks these steps; each is one transaction with its audit
 * event, and each refuses when the session is not this one's next step:
 *
 *   release      the card (token label) must be the session holder's card:
 *                its confirmed SO PIN (cards.so_pin_sealed) and any new SO
 *                PIN an interrupted reset may already have set on the card
 *                (candidates), and a fresh new SO PIN chosen here; given
 *                once per session (never again, and the code can no longer
 *                be claimed again)
 *   verified     which candidate opened the card (the application set the
 *                new user PIN with it): that one becomes the confirmed SO
 *                PIN, the others are dropped
 *   so_changing  the application is about to set the new SO PIN
 *   confirm      the card signed the session's text with its new PIN
 *                (the act's effect, acts.c): the new SO PIN is confirmed
 *
 * Until confirm, the store keeps both the confirmed SO PIN and the new
 * one, so an interruption at any step leaves the card reachable: the next
 * reset offers the application both (the new one first when the previous
 * reset got as far as so_changing).  Stages: see sql/011. */
#pragma once
#include "domain/acts.h"
#include "domain/refusal.h"
#include "store/db.h"

#define PINRESET_CANDIDATES_MAX 4
#define PINRESET_SO_PIN_DIGITS 16

struct pinreset_so_pin {
	char id[33];		/* "current", or the session id of a pending reset */
	char *pin;		/* secret: secret_free() */
};

struct pinreset_release {
	char session_id[33];
	char card[33];
	struct pinreset_so_pin cand[PINRESET_CANDIDATES_MAX];	/* to try, in order */
	size_t n;
	char *new_so_pin;	/* secret */
};
/* Wipes and frees the secrets. */
void pinreset_release_done(struct pinreset_release *r);

/* The release step (above).  token is the application's token of a
 * claimed pin-reset session, card the token label of the inserted card.
 * Refusals: token_invalid, session_expired, session_closed, wrong_purpose
 * (not a pin-reset session), card_mismatch (no such card, or another
 * holder's: the same answer), pin_reset_used (released before).  Audited
 * (actor "holder:" TCKN, or "client:" app_addr when no session). */
int pinreset_release(struct db *db, const struct act_ctx *ctx, const char *token,
		     const char *card, const char *app_addr, struct pinreset_release *ret,
		     enum refusal *ret_refusal);

/* The verified step: so_pin_id is the id of the candidate that opened the
 * card.  Refusals as release, and pin_reset_state (not released, or
 * already past this step; or an id that was not offered).  ret_session_id
 * (may be NULL) gets the session id, for waking the page. */
int pinreset_verified(struct db *db, const struct act_ctx *ctx, const char *token,
		      const char *so_pin_id, const char *app_addr, char ret_session_id[33],
		      enum refusal *ret_refusal);

/* The so_changing step.  Refusals as pinreset_verified. */
int pinreset_so_changing(struct db *db, const struct act_ctx *ctx, const char *token,
			 const char *app_addr, char ret_session_id[33],
			 enum refusal *ret_refusal);

/* The confirm step, run as the pin-reset act's effect inside the accepting
 * transaction: the signer's certificate must be on the session's card.
 * Refusals: pin_reset_state (not at so_changing), card_mismatch. */
int pinreset_confirm(struct db *db, const char *session_id, const char *signer_issuer,
		     const char *signer_serial, enum refusal *ret_refusal);

/* Whether session_id was given an SO PIN (then its code cannot be claimed
 * again). */
int pinreset_released(struct db *db, const char *session_id, bool *ret);

/* The number of cards recorded for a holder. */
int pinreset_cards_of(struct db *db, const char *tckn, int64_t *ret);
