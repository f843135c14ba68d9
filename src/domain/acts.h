/* acts.h - the signed acts: one registry entry per purpose.
 *
 * A signed act is what a signing session is for ("login", "eonay-give",
 * "eonay-cancel"): the texts the holder signs, who may start it, the rule
 * that must hold (precondition) and what accepting the signature changes
 * (effect).  The ceremony (signing.c) and the decision (signature.c) know
 * acts only through this table; adding a purpose is one entry in acts.c
 * plus its texts (a migration inserting sign_texts rows).
 *
 * The precondition runs when the session starts (with the browser's
 * input) and again inside the transaction that accepts the signature
 * (input NULL), under db_lock(db, "holder:" TCKN): of two sessions in
 * flight for the same holder, the second accepted sees the first's effect.
 * The effect runs in that same transaction; a refusal or failure of either
 * rolls the whole acceptance back. */
#pragma once
#include <jansson.h>

#include "common/config.h"
#include "domain/refusal.h"
#include "store/db.h"

struct signing_session;

/* What the domain functions of the ceremony need beyond the store. */
struct act_ctx {
	const struct config *cfg;
	const unsigned char *code_key;		/* 32 bytes: codes and app tokens */
	const unsigned char *session_key;	/* 32 bytes: web sessions (login) */
};

/* The browser's input when starting a session. */
struct act_input {
	bool accepted;			/* "KABUL EDİYORUM" ticked */
	int64_t explanation_version;	/* the explanation version the page showed */
	const char *subject;		/* what the act is about (application-sign: the
					 * portal draft), or NULL */
	/* out: the version of the accepted explanation, stored with the
	 * session in the same INSERT (0: none) */
	int64_t bound_version;
};

/* The accepted signature an effect records (the first, when several). */
struct act_signature {
	const char *sha256;		/* key of the signatures row */
	const char *signer_serial;
	const char *signer_issuer;	/* its issuer's key identifier; NULL when unknown */
};

struct signed_act {
	const char *name;		/* signing_sessions.purpose, API "purpose" */
	const char *purpose_tr;		/* what it is, in Turkish, for eimza's screen */
	const char *done_tr;		/* the sentence eimza shows when accepted */
	const char *texts;		/* sign_texts purpose of the signed texts */
	bool needs_holder;		/* only a logged-in holder may start it */
	bool on_hold_ok;		/* a certificate on hold may sign it (pin-reset) */
	/* NULL: no rule.  in is NULL on the check inside the accepting
	 * transaction.  0, -EACCES with *ret_refusal, or -errno. */
	int (*precondition)(struct db *db, const struct act_ctx *ctx, const char *tckn,
			    struct act_input *in, enum refusal *ret_refusal);
	/* NULL: the texts are the purpose's sign_texts.  Otherwise called at
	 * the start with them (texts, an array of strings it may change: a
	 * text made for in->subject put in front).  0, -EACCES with
	 * *ret_refusal, or -errno. */
	int (*compose)(struct db *db, const struct act_ctx *ctx, const char *tckn,
		       const struct act_input *in, json_t *texts, enum refusal *ret_refusal);
	/* Applied in the accepting transaction.  0, -EACCES with *ret_refusal
	 * (the acceptance is rolled back and the session rejected), or -errno. */
	int (*effect)(struct db *db, const struct act_ctx *ctx, const struct signing_session *s,
		      const struct act_signature *sig, enum refusal *ret_refusal);
};

/* The entry named name; NULL when there is none. */
const struct signed_act *act_find(const char *name);
/* The entries, for listings and tests. */
extern const struct signed_act *const acts[];
extern const size_t acts_count;
