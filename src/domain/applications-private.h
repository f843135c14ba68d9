/* applications-private.h - what the files of the application module
 * (applications*.c) share and nothing else uses. */
#pragma once
#include "domain/applications.h"

/* The signed open states, as SQL (the partial unique index of sql/018). */
#define APP_SIGNED_STATES "('received', 'waiting_window', 'approved', 'produced', 'shipped')"
/* The claims' states, as SQL; those whose number an SMS code proved. */
#define APP_CLAIM_STATES "('draft', 'sms_verified', 'awaiting_paper')"
#define APP_PROVEN_STATES "('sms_verified', 'awaiting_paper')"

/* A row of application_history, in the caller's transaction (seq: the
 * next of this application; from NULL when the application is created). */
int app_history_add(struct db *db, const char *id, const char *from, const char *to,
		    const char *event, const char *operator, const char *reason, int64_t at);

/* The open application of the same person, institution and kind as in
 * (signed_only: a signed one).  -ENOENT when none. */
int application_find_same(struct db *db, const struct application_new *in, bool signed_only,
			  char ret_id[33]);

/* Tells the applicant that a moved to `to` on her Bilgi Kanalı (the
 * holder's when the row has none), through the outbox; step->notice is
 * added; release_at for waiting_window. */
int app_tell(struct db *db, const struct application *a, enum application_state to,
	     const struct application_step *step, int64_t release_at);

/* Under the person's lock: refused (-EACCES, application_claims) when
 * she has APPLICATION_CLAIMS_MAX proven claims at the institution with
 * numbers other than mobile, the number of a claim being made
 * (application_create's early answer) or proven (fire_tx, SMS code). */
int app_claims_room(struct db *db, const char *tckn, const char *institution,
		    const char *mobile, enum refusal *ret_refusal);

/* The person's lock ("applicant:TCKN", db_lock), in the caller's
 * transaction.  Every creation and every move of a claim takes it before
 * touching a row, so the first claim signed can cancel the others without
 * a lock-order inversion (a deadlock on PostgreSQL). */
int app_lock_person(struct db *db, const char *tckn);

/* Before a claim is signed (fire_tx, under the person's lock): refuses
 * (-EACCES, application_open) when she has a signed open application of
 * a's kind at a's institution already. */
int app_claims_may_sign(struct db *db, const struct application *a, enum refusal *ret_refusal);

/* After fire_tx moved a (as it was read) by event to `to`, in the same
 * transaction: a claim signed cancels the person's other claims of its
 * kind at its institution (APP_SUPERSEDE_SIGNED); an SMS code that proved
 * a's number cancels her other claims there carrying that number, of any
 * kind (APP_SUPERSEDE_RETRIED). */
int app_claims_settle(struct db *db, const struct application *a, enum application_event event,
		      enum application_state to);
