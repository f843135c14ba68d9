/* applications-claims.c - claims: the applications nobody has signed yet
 * (draft, sms_verified, awaiting_paper; see applications.h).
 *
 * Registry data is no secret, so an entry proves nothing about who
 * entered it.  The claims of one person therefore coexist and the first
 * one signed wins: E-Onay, e-imza, or the wet-signed paper received by an operator.
 * What cancels a claim for another is here (application_supersede_in_tx,
 * called when a claim is signed or proves a number again), what bounds
 * them (proven claims: APPLICATION_CLAIMS_MAX, each with its own number;
 * drafts: their day), and how the portal finds a person's claim again: by
 * its Başvuru Formu Erişim Parolası, or by the cep number its SMS code
 * proved (Parolamı Bilmiyorum).  docs/SECURITY.md, "Who is believed". */
#include "domain/applications.h"

#include <stdio.h>

#include "domain/applications-private.h"
#include "domain/password.h"
#include "store/audit.h"

/* Claims to supersede are read first and cancelled after (a statement is
 * not kept open across the nested transitions), this many at a time. */
#define BATCH 16

static const char *const supersede_names[] = {
	[APP_SUPERSEDE_SIGNED] = "signed",
	[APP_SUPERSEDE_RETRIED] = "retried",
};

/* What the applicant of a cancelled claim is told, after its state. */
static const char *const supersede_notices[] = {
	[APP_SUPERSEDE_SIGNED] = "Kimlik bilgilerinizle bu kurumda yapılan başka bir başvuru"
				 " imzalandığı için bu başvuru iptal edilmiştir. O başvuruyu siz"
				 " yapmadıysanız lütfen bizimle iletişime geçiniz.",
	[APP_SUPERSEDE_RETRIED] = "Aynı cep telefonu numarasıyla yaptığınız yeni başvuru bu"
				  " başvurunun yerini aldığı için bu başvuru iptal edilmiştir.",
};

int application_supersede_in_tx(struct db *db, const char *id, const char *by_id,
				enum application_supersede why)
{
	_cleanup_free_ char *reason = NULL, *actor = NULL, *details = NULL;
	struct application_step step = { .operator = NULL };
	struct application a = { 0 };
	enum refusal refusal = REFUSAL_NONE;
	bool proven, table_sms;
	int r;

	if ((unsigned)why >= ELEMENTSOF(supersede_names) || !by_id)
		return -EINVAL;
	reason = strdup_printf("superseded by %s (%s)", by_id, supersede_names[why]);
	if (!reason)
		return -ENOMEM;
	step.reason = reason;
	step.notice = supersede_notices[why];
	r = application_get(db, id, &a);
	if (r < 0)
		return r;
	if (!application_state_unsigned(a.state)) {
		application_done(&a);
		return -EEXIST;	/* signed: it stays */
	}
	/* Signed meanwhile (the signing transaction holds another lock): the
	 * guarded update finds no row and is refused. */
	r = application_fire_in_tx(db, id, APP_EV_CANCEL, APP_BY_PORTAL, &step, NULL, &refusal);
	if (r == -EACCES)
		r = -EEXIST;
	/* The number the SMS code proved is told, by SMS whatever the Bilgi
	 * Kanalı (a draft's number is whatever the form said: nobody is
	 * told).  The table already tells an awaiting_paper applicant on her
	 * channel; no second SMS then. */
	proven = a.state != APP_DRAFT && a.mobile && *a.mobile;
	table_sms = a.state == APP_AWAITING_PAPER &&
		    (streq(a.info_channel, "sms") || streq(a.info_channel, "both"));
	if (r == 0 && proven && !table_sms) {
		struct application by_sms = a;

		snprintf(by_sms.info_channel, sizeof(by_sms.info_channel), "sms");
		r = app_tell(db, &by_sms, APP_CANCELLED, &step, 0);
	}
	/* Evidence: which application replaced it and why (the new one's
	 * entry, with the client's address, is in the apply.enter events). */
	if (r == 0) {
		actor = strdup_printf("applicant:%s", a.tckn);
		details = strdup_printf("{\"tckn\":\"%s\",\"from\":\"%s\",\"superseded_by\":\"%s\","
					"\"why\":\"%s\",\"told\":%s}", a.tckn,
					application_state_str(a.state), by_id, supersede_names[why],
					proven ? "true" : "false");
		r = actor && details ? audit_append(db, true, actor, "application.superseded", id, "ok",
						    details)
				     : -ENOMEM;
	}
	application_done(&a);
	return r;
}

/* Cancels for a, with why, the person's other proven claims at a's
 * institution: those of kind (any kind when "") carrying mobile (any
 * number when "").  Drafts are left to their day: there may be any number
 * of them, and one transaction cancelling thousands would hold the audit
 * lock for seconds (the second review's finding). */
static int supersede_others(struct db *db, const struct application *a, const char *kind,
			    const char *mobile, enum application_supersede why)
{
	for (;;) {
		_cleanup_stmt_ struct db_stmt *st = NULL;
		char ids[BATCH][33];
		size_t n = 0, done;
		int r;

		r = db_select(db, &st, "SELECT id FROM applications WHERE tckn = $1"
				       " AND institution = $2 AND ($3 = '' OR kind = $3) AND id <> $4"
				       " AND ($5 = '' OR mobile = $5) AND state IN " APP_PROVEN_STATES
				       " ORDER BY created_at, id", "ttttt", a->tckn, a->institution, kind,
			      a->id, mobile);
		if (r < 0)
			return r;
		while (n < BATCH && (r = db_step(st)) == 1)
			snprintf(ids[n++], 33, "%s", db_col_text(st, 0));
		if (r < 0)
			return r;
		db_stmt_done(TAKE_PTR(st));
		done = 0;
		for (size_t i = 0; i < n; i++) {
			/* -EEXIST: no longer a claim (every move of a claim
			 * holds the person's lock, as the caller does: only a
			 * row from before it, never in practice): it stays. */
			r = application_supersede_in_tx(db, ids[i], a->id, why);
			if (r < 0 && r != -EEXIST)
				return r;
			done += r == 0;
		}
		if (done == 0)
			return 0;
	}
}

int app_lock_person(struct db *db, const char *tckn)
{
	_cleanup_free_ char *key = strdup_printf("applicant:%s", tckn);

	return key ? db_lock(db, key) : -ENOMEM;
}

int app_claims_may_sign(struct db *db, const struct application *a, enum refusal *ret_refusal)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_query_one(db, &st, "SELECT id FROM applications WHERE tckn = $1 AND institution = $2"
				  " AND kind = $3 AND id <> $4 AND state IN " APP_SIGNED_STATES,
			 "tttt", a->tckn, a->institution, application_kind_str(a->kind), a->id);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	*ret_refusal = REFUSAL_APPLICATION_OPEN;
	return -EACCES;
}

int app_claims_settle(struct db *db, const struct application *a, enum application_event event,
		      enum application_state to)
{
	if (to == APP_RECEIVED && application_state_unsigned(a->state))
		return supersede_others(db, a, application_kind_str(a->kind), "",
					APP_SUPERSEDE_SIGNED);
	/* Same person, same number: her earlier try, of any kind (one claim
	 * a proven number: the cap then takes as many numbers). */
	if (event == APP_EV_SMS_VERIFIED && a->mobile && *a->mobile)
		return supersede_others(db, a, "", a->mobile, APP_SUPERSEDE_RETRIED);
	return 0;
}

int app_claims_room(struct db *db, const char *tckn, const char *institution,
		    const char *mobile, enum refusal *ret_refusal)
{
	int64_t n = 0;
	int r;

	/* A claim proving mobile replaces the one that number has: only the
	 * other numbers count. */
	r = db_query_int64(db, "SELECT COUNT(*) FROM applications WHERE tckn = $1"
			       " AND institution = $2 AND state IN " APP_PROVEN_STATES
			       " AND (mobile IS NULL OR mobile <> $3)", "ttt", &n, tckn, institution,
			   mobile ? mobile : "");
	if (r < 0)
		return r;
	if (n < APPLICATION_CLAIMS_MAX)
		return 0;
	*ret_refusal = REFUSAL_APPLICATION_CLAIMS;
	return -EACCES;
}

int application_find_by_parola(struct db *db, const char *tckn, const char *institution,
				const char *parola, char ret_id[33])
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct {
		char id[33];
		char *hash;
	} c[APPLICATION_CLAIMS_MAX + _APP_KIND_MAX];
	size_t n = 0;
	bool found = false;
	int r;

	if (!tckn || !institution || !parola)
		return -EINVAL;
	/* The signed ones (at most one a kind) and the proven claims (at most
	 * APPLICATION_CLAIMS_MAX) first, then the newest drafts: as many as
	 * the array holds, however many drafts were made in her name. */
	r = db_select(db, &st, "SELECT id, access_hash FROM applications WHERE tckn = $1"
			       " AND institution = $2 AND state NOT IN ('delivered', 'rejected',"
			       " 'cancelled') ORDER BY CASE WHEN state = 'draft' THEN 1 ELSE 0 END,"
			       " created_at DESC, id", "tt", tckn, institution);
	if (r < 0)
		return r;
	while (n < ELEMENTSOF(c) && (r = db_step(st)) == 1) {
		const char *h = db_col_text(st, 1);

		snprintf(c[n].id, sizeof(c[n].id), "%s", db_col_text(st, 0));
		c[n].hash = strdup(h ? h : PASSWORD_DUMMY_HASH);
		if (!c[n].hash) {
			r = -ENOMEM;
			break;
		}
		n++;
	}
	/* Every candidate is checked, so the time depends on how many there
	 * are, not on which one matches; none: the work of one check. */
	if (r >= 0 && n == 0)
		(void)password_verify(parola, PASSWORD_DUMMY_HASH);
	for (size_t i = 0; i < n; i++) {
		if (r >= 0 && password_verify(parola, c[i].hash) && !found &&
		    !streq(c[i].hash, PASSWORD_DUMMY_HASH)) {
			memcpy(ret_id, c[i].id, 33);
			found = true;
		}
		free(c[i].hash);
	}
	if (r < 0)
		return r;
	return found ? 0 : -ENOENT;
}

int application_find_claim(struct db *db, const char *tckn, const char *institution,
			   const char *mobile, char ret_id[33])
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	if (!tckn || !institution || !mobile)
		return -EINVAL;
	/* Proven: a draft's number is whatever its form said (phone numbers
	 * are no secret either), so a draft is nobody's to recover. */
	r = db_query_one(db, &st, "SELECT id FROM applications WHERE tckn = $1 AND institution = $2"
				  " AND mobile = $3 AND state IN " APP_PROVEN_STATES
				  " ORDER BY created_at DESC, id LIMIT 1", "ttt", tckn, institution, mobile);
	if (r < 0)
		return r;
	snprintf(ret_id, 33, "%s", db_col_text(st, 0));
	return 0;
}
