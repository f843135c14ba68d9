/* eonay.h - E-Onay consents of holders (domain logic, no HTTP).
 *
 * The state of a holder is the newest event: given when it is a "give".
 * Events are only written by an accepted signature (the effects of the
 * eonay-give / eonay-cancel acts, domain/acts.c). */
#pragma once
#include <jansson.h>

#include "store/db.h"

struct eonay_status {
	bool active;
	int64_t since;		/* time of the newest event, 0 if none */
	int64_t text_version;
};

int eonay_status_get(struct db *db, const char *tckn, struct eonay_status *ret);

/* Appends an event in the caller's transaction, which holds
 * db_lock(db, "holder:" TCKN) (the accepting transaction does, so that the
 * act's precondition is checked again under it).  seq comes from the
 * sequence eonay_events_seq: increasing across nodes, never MAX + 1. */
int eonay_record(struct db *db, const char *tckn, bool give, int64_t text_version,
		 int64_t explanation_version, const char *signature_sha256);

/* The holder's history, newest first, each with its signed content:
 * [{"action","at","text_version","explanation_version","signer_serial",
 *   "signature_sha256","signed_content"}]. */
int eonay_history(struct db *db, const char *tckn, json_t **ret);

/* The current explanation text (paragraphs) and its version, %CA% filled. */
int eonay_explanation(struct db *db, const char *ca_short_name, int64_t *ret_version,
		      json_t **ret_paragraphs);
