/* apply.h - the application portal's side of an application (SPEC F6;
 * domain, no HTTP): the browser's way from the entry to the signing
 * method, kept in apply_drafts (sql/015).
 *
 *   entry (captcha + registry match, or staff list, or T.C. + parola)
 *     -> entered --Form Onayla--> confirmed (application created: draft)
 *     -> SMS Onay Kodu --> sms_verified (application: sms_verified)
 *     -> method: E-Onaylı (E-Onay active) | Elektronik İmzalı (the
 *        application-sign act) | Islak İmzalı (PDF; awaiting_paper) -> done
 *   "Parolamı Bilmiyorum": registry match + the cep number of the form ->
 *   recovering -> SMS code to it -> a new parola, the browser takes the
 *   application.
 *
 * The application itself (its states, form, güvenlik sözcüğü, parola) is
 * domain/applications.c's; this module only moves it through its portal
 * events.  A draft belongs to the browser session whose hash is web_hash;
 * a browser's current draft is its newest.  Refusals follow refusal.h. */
#pragma once
#include <jansson.h>

#include "common/config.h"
#include "domain/appform.h"
#include "domain/refusal.h"
#include "store/db.h"

#define APPLY_SMS_DIGITS 6
#define APPLY_SMS_LIFETIME 180		/* seconds a code lives */
#define APPLY_SMS_TRIES 3		/* wrong codes before it dies */
#define APPLY_SMS_MAX_SENDS 3		/* codes per draft and purpose; also per
					 * application, purpose and APPLY_SMS_WINDOW */
#define APPLY_SMS_WINDOW 3600
#define APPLY_SMS_RESEND_GAP 30		/* seconds between two sends */
#define APPLY_SMS_PER_NUMBER 3		/* codes to one number in APPLY_SMS_WINDOW, */
#define APPLY_SMS_PER_NUMBER_DAY 6	/* and in a day, whichever application asked */

enum apply_step {
	APPLY_ENTERED,
	APPLY_CONFIRMED,
	APPLY_RECOVERING,
	APPLY_SMS_VERIFIED,
	APPLY_DONE,
	_APPLY_STEP_MAX,
};
const char *apply_step_str(enum apply_step s);

struct apply_draft {
	char id[33];
	char institution[33];
	char tckn[12];
	char entry[10];			/* registry, staff, parola */
	char sicil[33];			/* from the staff list, or "" */
	char application_id[33];	/* "" before Form Onayla */
	enum apply_step step;
	char method[8];			/* "", eonay, esign, paper */
	char sign_session[33];		/* esign: its signing session, or "" */
	char sms_purpose[10];		/* "", confirm, recover */
	int64_t sms_expires_at, sms_tries, sms_sends, sms_sent_at;
	int64_t created_at;
};

/* What the entry checks are given. */
struct apply_entry {
	const char *institution;	/* code, from the URL */
	const char *tckn;
	const char *ad, *soyad, *dogum_yeri, *dogum_tarihi;	/* registry match */
	const char *sicil;		/* staff match (instead of the four above) */
	const char *parola;		/* Başvuru Formu Erişim Parolası (instead) */
	const char *cep;		/* Parolamı Bilmiyorum: the form's cep number */
	const char *client_addr;	/* who asked, for the audit log */
};

/* Enters the portal for web_hash: registry match (ad..dogum_tarihi set),
 * staff match (sicil set) or an unfinished application's parola (parola
 * set).  A new draft is created (the browser's earlier drafts without an
 * application go).  With the parola the draft takes the application over
 * (at its step; other browsers' drafts of it are detached).  Refusals:
 * institution_unknown, apply_identity (any mismatch, unknown person, wrong
 * parola, no open application: one answer).  A registry or staff entry is
 * not refused for an open application of the person (nor told of it):
 * Form Onayla makes a claim beside hers (application_create's claim).
 * Every outcome is audited (apply.enter, actor client:ADDR). */
int apply_enter(struct db *db, const char *web_hash, const struct apply_entry *in,
		struct apply_draft *ret, enum refusal *ret_refusal);

/* The browser's current draft.  Refused apply_no_draft when it has none. */
int apply_current(struct db *db, const char *web_hash, struct apply_draft *ret,
		  enum refusal *ret_refusal);

/* The read-only values of the draft's form (registry person, institution,
 * staff row), strings owned by *ret_store (a JSON object: decref it). */
int apply_fixed(struct db *db, const struct apply_draft *d, struct appform_fixed *ret,
		json_t **ret_store);

/* The form of the draft's application (JSON object, new reference), or
 * -ENOENT before Form Onayla and while a recovery's code is not verified
 * (the PDF is refused apply_step then too). */
int apply_form(struct db *db, const struct apply_draft *d, json_t **ret);

/* Form Onayla: validates form (appform_validate); with errors refused
 * form_invalid and *ret_errors set ({"field": "message"}).  Otherwise
 * creates the application (state draft) with a new Başvuru Formu Erişim
 * Parolası (*ret_parola, secret, malloc'ed: shown once) and moves the
 * draft to confirmed.  A second Form Onayla of the same draft answers the
 * same application (*ret_parola NULL): one application only.  The new
 * application is a claim beside the person's others (applications.h).
 * Refusals: apply_step (not at the form), application_open (a signed
 * open application of the person, of the same kind), application_claims
 * (APPLICATION_CLAIMS_MAX proven claims), form_invalid. */
int apply_confirm(struct db *db, const char *web_hash, const json_t *form,
		  struct apply_draft *ret, char **ret_parola, json_t **ret_errors,
		  enum refusal *ret_refusal);

/* Sends an SMS Onay Kodu (APPLY_SMS_DIGITS digits) to the mobile of the
 * draft's application through the outbox (channel sms); only its HMAC
 * under key is kept.  *ret_mobile (may be NULL; 11 bytes) the number it
 * went to.  Refusals: apply_step (not confirmed / recovering), sms_limit
 * (APPLY_SMS_MAX_SENDS reached for the draft, or for the application in
 * the last APPLY_SMS_WINDOW seconds whichever browser asked, or within
 * APPLY_SMS_RESEND_GAP of the last one, or APPLY_SMS_PER_NUMBER codes to
 * the number in APPLY_SMS_WINDOW / APPLY_SMS_PER_NUMBER_DAY in a day,
 * whichever application asked: the tries at guessing a code sent to one
 * number are bounded, however many drafts carry it). */
int apply_sms_send(struct db *db, const unsigned char key[32], const char *web_hash,
		   char ret_mobile[11], enum refusal *ret_refusal);

/* Checks an SMS Onay Kodu.  A confirm code moves the draft and its
 * application to sms_verified; a recover code gives the browser the
 * application with a new parola (*ret_parola, secret, malloc'ed; NULL
 * otherwise) and the step the application is at.  Refusals: apply_step,
 * sms_wrong (*ret_tries_left: tries left), sms_expired (none sent, too
 * old, or APPLY_SMS_TRIES wrong tries: a new code must be sent). */
int apply_sms_verify(struct db *db, const unsigned char key[32], const char *web_hash,
		     const char *code, struct apply_draft *ret, char **ret_parola,
		     int64_t *ret_tries_left, enum refusal *ret_refusal);

/* "Başvuru Formu Erişim Parolamı Bilmiyorum": registry match (in's four
 * fields) and in->cep (any way of writing a cep number) for the person's
 * newest claim at in->institution whose SMS code proved that number (she
 * may have several: applications.h; a draft's number proves nothing),
 * then a recovering draft for web_hash and an SMS code to that number
 * (*ret_mobile as apply_sms_send).  Refusals:
 * institution_unknown, apply_identity (mismatch, no such claim, a number
 * that is none: one answer), sms_limit. */
int apply_recover(struct db *db, const unsigned char key[32], const char *web_hash,
		  const struct apply_entry *in, char ret_mobile[11], enum refusal *ret_refusal);

/* Whether the applicant's E-Onay is active, and (*ret_mobile_ok, may be
 * NULL) whether E-Onaylı Başvuru can be used: the form's cep number, to
 * which the SMS Onay Kodu went, is the holder's number on record. */
int apply_eonay_active(struct db *db, const struct apply_draft *d, bool *ret,
		       bool *ret_mobile_ok);

/* Chooses E-Onaylı Başvuru ("eonay": the application is signed by the
 * E-Onay, received) or Islak İmzalı ("paper": awaiting_paper).  Refusals:
 * apply_step (not sms_verified), eonay_not_active, eonay_mobile (the form's
 * cep number is not the holder's on record), application_state.  The
 * E-Onay is checked again in the transaction that moves the application,
 * under the holder's lock. */
int apply_choose(struct db *db, const char *web_hash, const char *method,
		 struct apply_draft *ret, enum refusal *ret_refusal);

/* Elektronik İmzalı Başvuru: records the signing session started for the
 * draft (api-apply.c starts it with the application-sign act). */
int apply_esign_bind(struct db *db, const char *draft_id, const char *session_id);

/* The application-sign act's hooks (acts.c; the session's subject is the
 * draft's id): the texts to sign for the draft (the form summary, then the
 * undertaking of sign_texts), and the effect inside the accepting
 * transaction (the application's signed event, method esign, with the
 * signature as evidence, and the draft done).
 * Refusals: apply_no_draft, apply_step (not the applicant's, or not
 * sms_verified). */
int apply_esign_texts(struct db *db, const char *tckn, const char *subject, json_t *texts,
		      enum refusal *ret_refusal);
int apply_esign_accepted(struct db *db, const char *draft_id, const char *tckn,
			 const char *signature_sha256, enum refusal *ret_refusal);

/* After an accepted application-sign: makes sure the application's
 * signed event (method esign) was fired for draft_id (NULL: every draft
 * with an accepted signature and no finished_at, the housekeeping sweep;
 * the effect fires it in the accepting transaction, so this only catches
 * rows from before that).  Idempotent.  *ret_n (may be NULL) how many. */
int apply_esign_finish(struct db *db, const char *draft_id, size_t *ret_n);

/* The printable PDF of the draft's application (Islak İmzalı).  Refused
 * apply_step before Form Onayla. */
int apply_pdf(struct db *db, const struct config *cfg, const struct apply_draft *d,
	      unsigned char **ret_pdf, size_t *ret_len, enum refusal *ret_refusal);

/* Housekeeping: drafts without an application older than a day, and
 * every draft older than 90 days. *ret_n how many. */
int apply_purge(struct db *db, int64_t *ret_n);
