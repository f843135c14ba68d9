/* pinreset.c - the SO PIN steps of PIN Oluşturma / Kilit Çözme (see
 * pinreset.h); the pin_resets table is this module's.
 *
 * Every step runs in one transaction under db_lock("card:" SERIAL) with
 * its audit event; a refusal is committed with its audit event too.  SO
 * PINs are sealed under the master key for the card serial (pki/seal.h),
 * unsealed only to be handed to the application in the release answer,
 * and wiped after use.  Nothing here logs. */
#include "domain/pinreset.h"

#include <openssl/crypto.h>
#include <stdio.h>

#include "common/json.h"
#include "domain/cards.h"
#include "domain/certs.h"
#include "domain/signing.h"
#include "pki/seal.h"
#include "store/audit.h"

void pinreset_release_done(struct pinreset_release *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n; i++)
		secret_free(r->cand[i].pin);
	secret_free(r->new_so_pin);
	memset(r, 0, sizeof(*r));
}

/* Inside the step's transaction: the claimed pin-reset session of token. */
static int session_for(struct db *db, const struct act_ctx *ctx, const char *token,
		       struct signing_session *s, enum refusal *ret_refusal)
{
	int r = signing_find_by_token(db, ctx->code_key, token, s);

	if (r == -ENOENT) {
		*ret_refusal = REFUSAL_TOKEN_INVALID;
		return -EACCES;
	}
	if (r < 0)
		return r;
	if (s->state == SS_EXPIRED)
		*ret_refusal = REFUSAL_SESSION_EXPIRED;
	else if (s->state != SS_CODE_USED)
		*ret_refusal = REFUSAL_SESSION_CLOSED;
	else if (!streq(s->act->name, "pin-reset"))
		*ret_refusal = REFUSAL_WRONG_PURPOSE;
	else
		return 0;
	return -EACCES;
}

/* Ends a step: its audit event (ok, or refused with the refusal's code),
 * then commit; a refusal is committed too.  Returns r, or the failure. */
static int step_end(struct db *db, int r, const struct signing_session *s, const char *app_addr,
		    const char *action, enum refusal why, const char *card, const char *extra)
{
	_cleanup_free_ char *actor = NULL, *details = NULL;
	json_t *d;
	int q;

	if (r != 0 && r != -EACCES)
		return db_end(db, r);
	actor = s->id[0] ? strdup_printf("holder:%s", s->tckn)
			 : strdup_printf("client:%s", app_addr ? app_addr : "");
	d = json_pack("{s:s*,s:s*,s:s*}", "card", card, "error", r ? refusal_code(why) : NULL,
		      "so_pin", extra);
	details = d ? json_dumps(d, JSON_COMPACT) : NULL;
	json_decref(d);
	if (!actor || !details)
		return db_end(db, -ENOMEM);
	q = audit_append(db, true, actor, action, s->id[0] ? s->id : NULL, r ? "refused" : "ok",
			 details);
	q = db_end(db, q);
	return q < 0 ? q : r;
}

static int random_digits(char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t d;
		int r = random_uniform(10, &d);
		if (r < 0)
			return r;
		buf[i] = (char)('0' + d);
	}
	buf[n] = '\0';
	return 0;
}

/* The card's holder and confirmed sealed SO PIN. */
static int card_get(struct db *db, const char *card, char ret_tckn[12], char **ret_sealed)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_query_one(db, &st, "SELECT tckn, so_pin_sealed FROM cards WHERE serial = $1", "t",
			 card);
	if (r < 0)
		return r;
	snprintf(ret_tckn, 12, "%s", db_col_text(st, 0) ? db_col_text(st, 0) : "");
	*ret_sealed = db_col_text(st, 1) ? strdup(db_col_text(st, 1)) : NULL;
	return *ret_sealed ? 0 : -ENOMEM;
}

/* Adds one candidate, unsealed. */
static int cand_add(struct pinreset_release *ret, const unsigned char master[32],
		    const char *card, const char *id, const char *sealed)
{
	struct pinreset_so_pin *c;
	int r;

	if (ret->n >= PINRESET_CANDIDATES_MAX)
		return 0;
	c = &ret->cand[ret->n];
	r = seal_open(master, card, sealed, &c->pin);
	if (r < 0)
		return r;
	snprintf(c->id, sizeof(c->id), "%s", id);
	ret->n++;
	return 0;
}

/* Candidates: the new SO PINs of resets that reached so_changing (the
 * card may have one of them), newest first, then the confirmed one. */
static int candidates(struct db *db, const unsigned char master[32], const char *card,
		      const char *current_sealed, struct pinreset_release *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_select(db, &st, "SELECT session_id, next_so_pin_sealed FROM pin_resets"
			       " WHERE card_serial = $1 AND stage = 'so_changing'"
			       " ORDER BY stage_at DESC, created_at DESC", "t", card);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1 && ret->n < PINRESET_CANDIDATES_MAX - 1) {
		r = cand_add(ret, master, card, db_col_text(st, 0), db_col_text(st, 1));
		if (r < 0)
			return r;
	}
	if (r < 0)
		return r;
	return cand_add(ret, master, card, "current", current_sealed);
}

static int release_in_tx(struct db *db, const struct act_ctx *ctx, const struct signing_session *s,
			 const char *card, struct pinreset_release *ret, enum refusal *ret_refusal)
{
	_cleanup_free_ char *lock = strdup_printf("card:%s", card);
	_cleanup_free_ char *current = NULL, *sealed = NULL;
	unsigned char master[32];
	char owner[12], next[PINRESET_SO_PIN_DIGITS + 1];
	int64_t seen, now = now_sec();
	int r;

	if (!lock)
		return -ENOMEM;
	r = db_lock(db, lock);
	if (r < 0)
		return r;
	r = card_get(db, card, owner, &current);
	if (r == -ENOENT || (r == 0 && !streq(owner, s->tckn))) {
		*ret_refusal = REFUSAL_CARD_MISMATCH;
		return -EACCES;
	}
	if (r < 0)
		return r;
	r = db_query_int64(db, "SELECT COUNT(*) FROM pin_resets WHERE session_id = $1", "t", &seen,
			   s->id);
	if (r < 0)
		return r;
	if (seen > 0) {
		*ret_refusal = REFUSAL_PIN_RESET_USED;
		return -EACCES;
	}
	r = master_key_load(ctx->cfg, master);
	if (r == 0)
		r = candidates(db, master, card, current, ret);
	if (r == 0)
		r = random_digits(next, PINRESET_SO_PIN_DIGITS);
	if (r == 0)
		r = seal_text(master, card, next, &sealed);
	OPENSSL_cleanse(master, sizeof(master));
	if (r == 0) {
		ret->new_so_pin = strdup(next);
		r = ret->new_so_pin ? 0 : -ENOMEM;
	}
	OPENSSL_cleanse(next, sizeof(next));
	if (r < 0)
		return r;
	r = db_run(db, "INSERT INTO pin_resets (session_id, card_serial, tckn, next_so_pin_sealed,"
		       " stage, created_at, stage_at) VALUES ($1, $2, $3, $4, 'released', $5, $5)",
		   "tttti", s->id, card, s->tckn, sealed, now);
	return r < 0 ? r : 0;
}

int pinreset_release(struct db *db, const struct act_ctx *ctx, const char *token,
		     const char *card, const char *app_addr, struct pinreset_release *ret,
		     enum refusal *ret_refusal)
{
	struct signing_session s = { 0 };
	struct pinreset_release res = { 0 };
	enum refusal why = REFUSAL_NONE;
	int r;

	if (isempty(card) || strlen(card) > 32) {
		*ret_refusal = REFUSAL_CARD_MISMATCH;
		return -EACCES;
	}
	r = db_begin(db);
	if (r < 0)
		return r;
	r = session_for(db, ctx, token, &s, &why);
	if (r == 0)
		r = release_in_tx(db, ctx, &s, card, &res, &why);
	r = step_end(db, r, &s, app_addr, "pin.release", why, card, NULL);
	if (r == 0) {
		snprintf(res.session_id, sizeof(res.session_id), "%s", s.id);
		snprintf(res.card, sizeof(res.card), "%s", card);
		*ret = res;
	} else {
		pinreset_release_done(&res);
		*ret_refusal = why;
	}
	signing_session_done(&s);
	return r;
}

/* This session's row: card and stage.  -ENOENT when none. */
static int row_get(struct db *db, const char *session_id, char ret_card[33], char ret_stage[16])
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_query_one(db, &st, "SELECT card_serial, stage FROM pin_resets WHERE session_id = $1",
			 "t", session_id);
	if (r < 0)
		return r;
	snprintf(ret_card, 33, "%s", db_col_text(st, 0));
	snprintf(ret_stage, 16, "%s", db_col_text(st, 1));
	return 0;
}

/* The other resets of the card that may have set their SO PIN are not on
 * the card after all: the card opened with another one. */
static int supersede_others(struct db *db, const char *card, const char *keep, int64_t now)
{
	int r = db_run(db, "UPDATE pin_resets SET stage = 'superseded', stage_at = $1"
			   " WHERE card_serial = $2 AND stage = 'so_changing' AND session_id <> $3",
		       "itt", now, card, keep);

	return r < 0 ? r : 0;
}

static int verified_in_tx(struct db *db, const struct signing_session *s, const char *so_pin_id,
			  char card[33], enum refusal *ret_refusal)
{
	_cleanup_free_ char *lock = NULL;
	char stage[16];
	int64_t now = now_sec();
	int r;

	r = row_get(db, s->id, card, stage);
	if (r == -ENOENT || (r == 0 && !streq(stage, "released"))) {
		*ret_refusal = REFUSAL_PIN_RESET_STATE;
		return -EACCES;
	}
	if (r < 0)
		return r;
	lock = strdup_printf("card:%s", card);
	if (!lock)
		return -ENOMEM;
	r = db_lock(db, lock);
	if (r < 0)
		return r;
	if (!streq(so_pin_id, "current")) {
		/* A pending reset's SO PIN is on the card: it becomes the
		 * confirmed one. */
		r = db_run(db, "UPDATE cards SET so_pin_sealed = (SELECT next_so_pin_sealed FROM"
			       " pin_resets WHERE session_id = $1 AND card_serial = $2 AND stage ="
			       " 'so_changing') WHERE serial = $2 AND EXISTS (SELECT 1 FROM pin_resets"
			       " WHERE session_id = $1 AND card_serial = $2 AND stage = 'so_changing')",
			   "tt", so_pin_id, card);
		if (r < 0)
			return r;
		if (r == 0) {
			*ret_refusal = REFUSAL_PIN_RESET_STATE;
			return -EACCES;
		}
		r = db_run(db, "UPDATE pin_resets SET stage = 'adopted', stage_at = $1"
			       " WHERE session_id = $2", "it", now, so_pin_id);
		if (r < 0)
			return r;
	}
	r = supersede_others(db, card, s->id, now);
	if (r < 0)
		return r;
	r = db_run(db, "UPDATE pin_resets SET stage = 'verified', stage_at = $1"
		       " WHERE session_id = $2 AND stage = 'released'", "it", now, s->id);
	return r < 0 ? r : 0;
}

int pinreset_verified(struct db *db, const struct act_ctx *ctx, const char *token,
		      const char *so_pin_id, const char *app_addr, char ret_session_id[33],
		      enum refusal *ret_refusal)
{
	struct signing_session s = { 0 };
	enum refusal why = REFUSAL_NONE;
	char card[33] = "";
	int r;

	if (isempty(so_pin_id) || strlen(so_pin_id) > 32) {
		*ret_refusal = REFUSAL_PIN_RESET_STATE;
		return -EACCES;
	}
	r = db_begin(db);
	if (r < 0)
		return r;
	r = session_for(db, ctx, token, &s, &why);
	if (r == 0)
		r = verified_in_tx(db, &s, so_pin_id, card, &why);
	r = step_end(db, r, &s, app_addr, "pin.verified", why, card[0] ? card : NULL,
		     streq(so_pin_id, "current") ? "current" : "pending");
	if (r == -EACCES)
		*ret_refusal = why;
	if (ret_session_id)
		snprintf(ret_session_id, 33, "%s", s.id);
	signing_session_done(&s);
	return r;
}

int pinreset_so_changing(struct db *db, const struct act_ctx *ctx, const char *token,
			 const char *app_addr, char ret_session_id[33],
			 enum refusal *ret_refusal)
{
	struct signing_session s = { 0 };
	enum refusal why = REFUSAL_NONE;
	char card[33] = "", stage[16];
	int r;

	r = db_begin(db);
	if (r < 0)
		return r;
	r = session_for(db, ctx, token, &s, &why);
	if (r == 0) {
		r = row_get(db, s.id, card, stage);
		if (r == -ENOENT || (r == 0 && !streq(stage, "verified"))) {
			why = REFUSAL_PIN_RESET_STATE;
			r = -EACCES;
		}
	}
	if (r == 0)
		r = db_run(db, "UPDATE pin_resets SET stage = 'so_changing', stage_at = $1"
			       " WHERE session_id = $2 AND stage = 'verified'", "it", now_sec(), s.id);
	if (r > 0)
		r = 0;
	r = step_end(db, r, &s, app_addr, "pin.so_changing", why, card[0] ? card : NULL, NULL);
	if (r == -EACCES)
		*ret_refusal = why;
	if (ret_session_id)
		snprintf(ret_session_id, 33, "%s", s.id);
	signing_session_done(&s);
	return r;
}

int pinreset_confirm(struct db *db, const char *session_id, const char *signer_issuer,
		     const char *signer_serial, enum refusal *ret_refusal)
{
	struct cert_record c = { 0 };
	char card[33], stage[16];
	int64_t now = now_sec();
	int r;

	r = row_get(db, session_id, card, stage);
	if (r == -ENOENT || (r == 0 && !streq(stage, "so_changing"))) {
		*ret_refusal = REFUSAL_PIN_RESET_STATE;
		return -EACCES;
	}
	if (r < 0)
		return r;
	r = cert_get(db, signer_issuer, signer_serial, &c);
	if (r == 0 && !streq(c.card_serial, card))
		r = -ENOENT;
	cert_record_done(&c);
	if (r == -ENOENT) {
		*ret_refusal = REFUSAL_CARD_MISMATCH;
		return -EACCES;
	}
	if (r < 0)
		return r;
	r = db_run(db, "UPDATE cards SET so_pin_sealed = (SELECT next_so_pin_sealed FROM pin_resets"
		       " WHERE session_id = $1) WHERE serial = $2", "tt", session_id, card);
	if (r == 0)
		r = -EUCLEAN;
	if (r > 0)
		r = supersede_others(db, card, session_id, now);
	if (r == 0)
		r = db_run(db, "UPDATE pin_resets SET stage = 'done', stage_at = $1"
			       " WHERE session_id = $2", "it", now, session_id);
	return r < 0 ? r : 0;
}

int pinreset_released(struct db *db, const char *session_id, bool *ret)
{
	int64_t n;
	int r = db_query_int64(db, "SELECT COUNT(*) FROM pin_resets WHERE session_id = $1", "t",
			       &n, session_id);

	if (r < 0)
		return r;
	*ret = n > 0;
	return 0;
}

int pinreset_cards_of(struct db *db, const char *tckn, int64_t *ret)
{
	return db_query_int64(db, "SELECT COUNT(*) FROM cards WHERE tckn = $1", "t", ret, tckn);
}
