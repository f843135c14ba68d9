/* apply-private.h - what apply.c, apply-sms.c and apply-method.c share. */
#pragma once
#include "domain/applications.h"
#include "domain/apply.h"

/* The draft by id; -ENOENT when none. */
int apply_draft_get(struct db *db, const char *id, struct apply_draft *ret);
/* A new draft for web_hash (the browser's drafts without an application
 * go), returned in *ret. */
int apply_draft_new(struct db *db, const char *web_hash, const char *institution,
		    const char *tckn, const char *entry, const char *sicil,
		    const char *application_id, enum apply_step step, struct apply_draft *ret);
/* Detaches every other draft of application_id from its browser. */
int apply_take_over(struct db *db, const char *draft_id, const char *application_id);
/* The draft step of an application in state s. */
enum apply_step apply_step_of_state(enum application_state s);
/* Refuses application_state unless d's application is open and unsigned
 * (draft, sms_verified, awaiting_paper): a browser whose application was
 * cancelled (superseded, expired, by an operator) sends no more codes,
 * starts no signing and prints no form for it.  0 for a draft without an
 * application yet. */
int apply_app_usable(struct db *db, const struct apply_draft *d, enum refusal *ret_refusal);
/* A new Başvuru Formu Erişim Parolası (secret, malloc'ed). */
int apply_parola_new(char **ret);
/* Appends an audit event of the portal: actor "client:ADDR", outcome ok
 * (why REFUSAL_NONE) or refused with the reason; details: institution,
 * entry kind, the typed T.C. Kimlik No when valid (never other input). */
int apply_audit(struct db *db, const char *client_addr, const char *action,
		const struct apply_entry *in, const char *subject, enum refusal why);
