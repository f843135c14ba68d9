/* applications.h - certificate applications (SPEC F6, F7): from the
 * confirmed form to the delivered card, as ONE state machine.
 *
 * The states and who moves them (the transition table is in
 * applications.c, application_transitions() lists it):
 *
 *   draft --sms_verified--> sms_verified                      (portal)
 *   sms_verified --signed(eonay|esign)--> received            (portal)
 *   sms_verified --paper_chosen--> awaiting_paper             (portal)
 *   awaiting_paper --signed(eonay|esign)--> received          (portal)
 *   awaiting_paper --paper_received--> received               (operator)
 *   received --approve--> approved                            (operator)
 *   received --defer--> waiting_window                        (operator)
 *       (approve of a renewal whose current certificate ends more than
 *        2 months later fires defer instead: see application_fire)
 *   waiting_window --release--> approved                      (scheduler)
 *   awaiting_paper|received|waiting_window|approved --reject--> rejected
 *                                                             (operator)
 *   approved --produce--> produced                            (operator)
 *   produced --ship--> shipped                                (operator)
 *   shipped --deliver--> delivered                            (operator)
 *   draft|sms_verified|awaiting_paper --cancel--> cancelled   (portal, operator;
 *       the scheduler too for a claim left for APPLICATION_UNFINISHED_MAX
 *       seconds, a draft for APPLICATION_DRAFT_MAX)
 *
 * delivered, rejected and cancelled are closed; every other state is open.
 * An application is SIGNED from received on (E-Onay, e-imza, or the wet-
 * signed paper received); before that (draft, sms_verified,
 * awaiting_paper) it is a CLAIM.  At most one signed open application per
 * (T.C. Kimlik No, institution, kind) exists at a time (a unique index
 * guards it, so two signed at once cannot both get in).  Claims of one
 * person coexist: registry data is no secret, so whoever enters it first
 * must not hold the person's application.  The first claim signed wins:
 * its transaction cancels the person's other claims of that kind there; a
 * claim whose SMS code proves a number cancels her other claims there
 * carrying the same number, of any kind (a retry), so each proven claim
 * (sms_verified, awaiting_paper) has a number of its own, and at most
 * APPLICATION_CLAIMS_MAX of them exist at an institution.  Drafts (whose
 * number nobody proved) are not counted and nobody's entry cancels them;
 * they live APPLICATION_DRAFT_MAX untouched.  docs/SECURITY.md, "Who is
 * believed".
 *
 * Every transition runs in one transaction: the state update guarded by
 * the expected old state (two operators at once: one wins, the other is
 * refused application_state), a row of application_history (from, to,
 * event, operator, reason, at), an audit event ("application.EVENT") and,
 * for the states the applicant sees, a notification through the outbox on
 * the Bilgi Kanalı chosen in the form (e-mail, SMS or both).
 *
 * Kinds: new (Yeni), renewal (Yenileme: approval waits for the window, 2
 * months before the current certificate ends), lost (Kayıp Çalıntı: on
 * approve the applicant's current certificates are revoked with reason
 * keyCompromise in the same transaction), other (Diğer: an additional
 * card, nothing revoked).
 *
 * Secrets: the güvenlik sözcüğü and the Başvuru Formu Erişim Parolası are
 * given in plain text to application_create and stored only as
 * password_hash() hashes; on produce the güvenlik sözcüğü hash becomes the
 * holder's Şifreli Giriş word. */
#pragma once
#include "common/config.h"
#include "domain/cards.h"
#include "domain/refusal.h"
#include "store/db.h"

enum application_state {
	APP_DRAFT,		/* form confirmed, SMS code not yet verified */
	APP_SMS_VERIFIED,	/* SMS Onay Kodu verified, signing method not done */
	APP_AWAITING_PAPER,	/* Islak İmzalı chosen: waiting for the signed paper */
	APP_RECEIVED,		/* signed (E-Onay, e-imza) or paper received */
	APP_WAITING_WINDOW,	/* renewal approved before its window opens */
	APP_APPROVED,
	APP_REJECTED,		/* closed */
	APP_PRODUCED,		/* card produced, certificate on hold */
	APP_SHIPPED,
	APP_DELIVERED,		/* closed */
	APP_CANCELLED,		/* closed */
	_APP_STATE_MAX,
};

enum application_event {
	APP_EV_SMS_VERIFIED,
	APP_EV_PAPER_CHOSEN,
	APP_EV_SIGNED,
	APP_EV_PAPER_RECEIVED,
	APP_EV_APPROVE,
	APP_EV_DEFER,
	APP_EV_RELEASE,
	APP_EV_REJECT,
	APP_EV_PRODUCE,
	APP_EV_SHIP,
	APP_EV_DELIVER,
	APP_EV_CANCEL,
	_APP_EV_MAX,
};

/* Who may fire an event (bits). */
enum application_actor {
	APP_BY_PORTAL = 1,	/* the applicant, through the web portal */
	APP_BY_OPERATOR = 2,	/* the back office (eonayctl) */
	APP_BY_SCHEDULER = 4,	/* eonayd's periodic loop, eonayctl application release-due */
};

enum application_kind { APP_KIND_NEW, APP_KIND_RENEWAL, APP_KIND_LOST, APP_KIND_OTHER, _APP_KIND_MAX };

enum application_method {
	APP_METHOD_NONE,	/* not chosen yet */
	APP_METHOD_EONAY,	/* E-Onaylı Başvuru */
	APP_METHOD_ESIGN,	/* Elektronik İmzalı Başvuru */
	APP_METHOD_PAPER,	/* Islak İmzalı */
	_APP_METHOD_MAX,
};

/* Machine strings (API, store, JSON): "draft", "sms_verified", ...;
 * "approve", "paper_received", ...; "new", "renewal", "lost", "other";
 * "", "eonay", "esign", "paper".  Parsers: 0, or -EINVAL when unknown. */
const char *application_state_str(enum application_state s);
int application_state_parse(const char *s, enum application_state *ret);
const char *application_event_str(enum application_event e);
int application_event_parse(const char *s, enum application_event *ret);
const char *application_kind_str(enum application_kind k);
int application_kind_parse(const char *s, enum application_kind *ret);
const char *application_method_str(enum application_method m);
int application_method_parse(const char *s, enum application_method *ret);

/* The Turkish labels (the ONE place pages and messages take them from):
 * state "Başvurunuz alındı", ...; kind "Yeni", "Yenileme", "Kayıp
 * Çalıntı", "Diğer"; method "E-Onaylı", "Elektronik İmzalı", "Islak
 * İmzalı". */
const char *application_state_label(enum application_state s);
/* Unsigned: draft, sms_verified, awaiting_paper (a claim nobody has signed
 * yet: the portal may replace it, its browser may go on with it). */
bool application_state_unsigned(enum application_state s);
const char *application_kind_label(enum application_kind k);
const char *application_method_label(enum application_method m);

/* Whether the state is open (not delivered, rejected, cancelled). */
bool application_state_open(enum application_state s);

/* One row of the transition table. */
struct application_transition {
	enum application_state from;
	enum application_event event;
	enum application_state to;
	unsigned who;		/* enum application_actor bits */
	bool notify;		/* the applicant is told */
};
/* The whole table (for tests, docs and `eonayctl application states`). */
const struct application_transition *application_transitions(size_t *ret_n);
/* The row for (from, event), or NULL when the table has none. */
const struct application_transition *application_transition_find(enum application_state from,
								  enum application_event event);
/* The states an event may be fired from (bits 1 << state). */
unsigned application_event_sources(enum application_event e);

/* What the portal gives when the form is confirmed (Form Onayla).  B (the
 * portal) validates the form; here only the fields the store relies on are
 * checked (-EINVAL): tckn check digits, institution code, kind, the
 * güvenlik sözcüğü 8..128 bytes, the access parola 8..128 bytes (or NULL:
 * none), info_channel "email", "sms" or "both" with the address it needs,
 * form_json a JSON object (stored as given). */
struct application_new {
	const char *tckn;
	const char *institution;	/* code */
	enum application_kind kind;
	const char *form_json;		/* the whole form, JSON object text */
	const char *security_word;	/* güvenlik sözcüğü, plain: hashed here */
	const char *access_password;	/* Başvuru Formu Erişim Parolası, plain; may be NULL */
	const char *email, *mobile;	/* contact for notifications (mobile: 10 digits) */
	const char *info_channel;	/* Bilgi Kanalı: "email", "sms", "both" */
	bool claim;			/* the portal's Form Onayla: see application_create */
};

/* Proven claims (sms_verified, awaiting_paper: each with its own number)
 * one person may have at one institution at a time, of any kind. */
#define APPLICATION_CLAIMS_MAX 8

/* Records a new application in state draft (with its history row and
 * audit event), as one transaction.  The person must be in the registry
 * and alive, the institution known.  Double submission: while the person
 * has an open application at this institution of this kind, a second
 * create is REFUSED (-EACCES, application_open) and *ret_id is set to the
 * open application's id (so the caller can take the applicant back to
 * it).  Other refusals: institution_unknown, apply_identity.
 *
 * With in->claim (the portal's Form Onayla) only a SIGNED open application
 * of the same kind refuses (application_open, *ret_id as above): the new
 * one is a claim beside the person's others.  Refused application_claims
 * when she has APPLICATION_CLAIMS_MAX proven claims at the institution
 * with other numbers than in->mobile (its SMS code could not be verified:
 * application_fire refuses the same then). */
int application_create(struct db *db, const struct application_new *in, char ret_id[33],
		       enum refusal *ret_refusal);

/* Why a claim was cancelled for another (application_supersede_in_tx). */
enum application_supersede {
	APP_SUPERSEDE_SIGNED,	/* another claim of the kind was signed first */
	APP_SUPERSEDE_RETRIED,	/* a newer claim proved the same number (any kind) */
};

/* In the caller's transaction: cancels claim id (event cancel, by the
 * portal, history reason "superseded by BY_ID (signed|retried)",
 * audit application.superseded naming by_id) and tells the number its SMS
 * code proved (sms_verified, awaiting_paper) by SMS, whatever the Bilgi
 * Kanalı.  -EEXIST (and nothing changed) when it is signed, or was signed
 * meanwhile. */
int application_supersede_in_tx(struct db *db, const char *id, const char *by_id,
				enum application_supersede why);

/* Replaces the form (and contact, channel, güvenlik sözcüğü when given)
 * of an application still in draft.  Refusals: not_found,
 * application_state (no longer a draft). */
int application_update_form(struct db *db, const char *id, const struct application_new *in,
			    enum refusal *ret_refusal);

struct application {
	char id[33];
	char tckn[12];
	char institution[33];		/* "" for a row from before the portal */
	enum application_kind kind;
	enum application_state state;
	enum application_method method;
	char *form_json;		/* may be NULL */
	char *email, *mobile;		/* may be NULL */
	char info_channel[8];		/* "email", "sms", "both" or "" */
	bool has_word, has_access;	/* a güvenlik sözcüğü / access parola is set */
	char card_serial[33];		/* once produced, else "" */
	char cert_issuer[65], cert_serial[65];
	char *courier, *tracking;	/* once shipped, else NULL */
	char *reject_reason;		/* once rejected, else NULL */
	int64_t created_at, updated_at;
	int64_t release_at;		/* waiting_window: when it opens; else 0 */
};
void application_done(struct application *a);
void application_free_array(struct application *a, size_t n);

/* By id (32 hex digits, any case).  -ENOENT when unknown. */
int application_get(struct db *db, const char *id, struct application *ret);

/* Filters of application_list; NULL / -1 fields do not filter. */
struct application_filter {
	const char *tckn;
	const char *institution;
	int state;			/* enum application_state, or -1 */
};
/* Newest first (*ret malloc'ed, may be NULL when none; free with
 * application_free_array).  f NULL: all. */
int application_list(struct db *db, const struct application_filter *f,
		     struct application **ret, size_t *ret_n);

/* The person's open application at institution (any kind, signed or a
 * claim) whose Başvuru Formu Erişim Parolası is parola, newest first.
 * Every candidate's hash is checked (at least one: a dummy when there is
 * none), so the time tells no more than how many claims there are.
 * -ENOENT when none matches. */
int application_find_by_parola(struct db *db, const char *tckn, const char *institution,
				const char *parola, char ret_id[33]);

/* The person's newest claim at institution (any kind) whose SMS code
 * proved mobile (10 digits): sms_verified or awaiting_paper, never a
 * draft (its number proves nothing).  -ENOENT when none. */
int application_find_claim(struct db *db, const char *tckn, const char *institution,
			   const char *mobile, char ret_id[33]);

/* Details of one transition. */
struct application_step {
	const char *operator;		/* who, recorded in the history: the operator's
					 * name; NULL: "portal" / "scheduler" by actor */
	const char *reason;		/* reject: required (-EINVAL without); else a note */
	enum application_method method;	/* signed: eonay or esign (-EINVAL else) */
	const char *evidence;		/* signed: the act or signature id, kept in the history */
	const char *courier, *tracking;	/* ship: both required (-EINVAL without) */
	const char *notice;		/* a sentence added to the applicant's notification */
	int64_t now;			/* the time of the act; 0: now_sec() (renewal window) */
};

/* What a transition did. */
struct application_outcome {
	enum application_state from, to;
	size_t revoked;			/* lost approve: certificates revoked (publish the CRL) */
	int64_t release_at;		/* defer: when the window opens */
};

/* Fires event on application id as actor `by`, per the table.  approve of
 * a renewal whose current certificate (active or on hold, latest
 * notAfter) ends more than 2 months after step->now becomes defer
 * (waiting_window until then); approve of a lost application revokes the
 * applicant's current certificates with keyCompromise in the same
 * transaction.  produce is not fired here (application_produce).
 * Refusals (-EACCES, also audited): not_found, application_actor (that
 * actor may not fire this event), application_state (not from the
 * current state: *ret (may be NULL) still tells ->from, so the caller
 * can say "application X is rejected; approve needs received").
 * -EINVAL for missing step fields. */
int application_fire(struct db *db, const char *id, enum application_event event,
		     enum application_actor by, const struct application_step *step,
		     struct application_outcome *ret, enum refusal *ret_refusal);

/* application_fire inside the caller's open transaction, for an act
 * whose effect moves an application (e.g. the application-sign signature
 * accepted, in its accepting transaction): the same checks, update,
 * history row, audit event and notification, no commit.  A refusal is
 * returned (-EACCES with *ret_refusal) but not audited here: the caller
 * rolls back and records its own.  Not for produce. */
int application_fire_in_tx(struct db *db, const char *id, enum application_event event,
			   enum application_actor by, const struct application_step *step,
			   struct application_outcome *ret, enum refusal *ret_refusal);

/* Produces the card of an approved application: the applicant becomes a
 * holder (registry name, the form's contact and Bilgi Kanalı) if he is
 * not one, card_issue() makes the SoftHSM token (label "EONAY-" and the
 * first 16 hex digits of the id, so two operators at once cannot make two
 * recorded cards), key on card, certificate ON HOLD (a renewal's starting
 * when the current certificate ends), SO PIN sealed; then
 * one transaction: produced with card and certificate, history, audit,
 * the güvenlik sözcüğü hash set as the holder's Şifreli Giriş word,
 * notification.  *ret_card (may be NULL) as card_issue gives it (the
 * initial user PIN for the PIN envelope; cleanse it).  Refusals: those of
 * application_fire, and card_issue's (cert_profile with *ret_detail; a
 * token module's failure also leaves its PKCS#11 call there). */
int application_produce(struct db *db, struct pki_ca *ca, const struct config *cfg,
			const char *module, const char *id, const struct application_step *step,
			struct card_result *ret_card, char **ret_detail,
			enum refusal *ret_refusal);

/* The scheduler: every application in waiting_window whose window opened
 * (release_at <= now) fires release.  *ret_n (may be NULL): how many. */
int application_release_due(struct db *db, int64_t now, size_t *ret_n);

/* A claim untouched this long is cancelled by the scheduler; a draft
 * (whose number nobody proved: the SMS Onay Kodu lives minutes) sooner. */
#define APPLICATION_UNFINISHED_MAX (30 * 86400)
#define APPLICATION_DRAFT_MAX 86400

/* The scheduler at time now: cancels the claims last updated before now -
 * APPLICATION_UNFINISHED_MAX and the drafts last updated before now -
 * APPLICATION_DRAFT_MAX.  *ret_n (may be NULL): how many. */
int application_expire_unfinished(struct db *db, int64_t now, size_t *ret_n);

/* When a renewal of tckn may be produced: 2 calendar months before the
 * latest notAfter of the holder's certificates that are active or on hold.
 * -ENOENT when he has none (the window is open). */
int application_window_opens(struct db *db, const char *tckn, int64_t *ret_at);

/* The access parola (Başvuru Formu Erişim Parolası) of an application:
 * check (constant time; refused application_access when wrong or unset,
 * not_found for an unknown id) and set (after the registry match and an
 * SMS code: "Parolamı Bilmiyorum"; 8..128 bytes, else -EINVAL). */
int application_access_check(struct db *db, const char *id, const char *password,
			     enum refusal *ret_refusal);
int application_access_set(struct db *db, const char *id, const char *password,
			   enum refusal *ret_refusal);

/* One row of an application's history. */
struct application_history_row {
	int64_t seq, at;
	char from[16], to[16], event[16];
	char *operator, *reason;	/* reason may be NULL */
};
void application_history_free_array(struct application_history_row *a, size_t n);
/* Oldest first.  -ENOENT for an unknown id. */
int application_history(struct db *db, const char *id, struct application_history_row **ret,
			size_t *ret_n);

/* Back office and tests: records an application directly in a state
 * (kind and state by their machine strings; the old "waiting" is read as
 * waiting_window), without institution or form.  -EINVAL for a kind or
 * state the store refuses. */
int application_add(struct db *db, const char *tckn, const char *kind, const char *state,
		    char ret_id[33]);

/* The clock of the application scheduler: now_sec() + applications.clock_offset
 * (a setting for tests that move time without sleeping). */
int64_t application_now(const struct config *cfg);
