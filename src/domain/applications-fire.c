/* applications-fire.c - the transitions of the application state machine
 * (see applications.h): application_fire (one transaction per move, as the
 * table in applications.c allows it), the card production of
 * application_produce, the renewal window and its scheduler. */
#include "domain/applications.h"

#include <ctype.h>
#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <time.h>

#include "domain/applications-private.h"
#include "domain/certs.h"
#include "domain/notify.h"
#include "domain/registry.h"
#include "domain/websession.h"
#include "store/audit.h"

#define KEY_COMPROMISE 1	/* RFC 5280 CRLReason keyCompromise */

/* The latest notAfter of tckn's certificates that are active or on hold;
 * -ENOENT when none. */
static int current_end(struct db *db, const char *tckn, int64_t *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_query_one(db, &st, "SELECT MAX(not_after) FROM certificates WHERE tckn = $1"
				  " AND status IN ('active', 'hold')", "t", tckn);
	if (r < 0)
		return r;
	if (db_col_is_null(st, 0))
		return -ENOENT;
	*ret = db_col_int64(st, 0);
	return 0;
}

int application_window_opens(struct db *db, const char *tckn, int64_t *ret_at)
{
	int64_t end;
	struct tm tm;
	time_t t;
	int r;

	r = current_end(db, tckn, &end);
	if (r < 0)
		return r;
	t = (time_t)end;
	if (!gmtime_r(&t, &tm))
		return -EINVAL;
	tm.tm_mon -= 2;		/* timegm normalises the year */
	*ret_at = (int64_t)timegm(&tm);
	return 0;
}

static const char *actor_name(enum application_actor by)
{
	return by == APP_BY_OPERATOR ? "operator" : by == APP_BY_SCHEDULER ? "scheduler" : "portal";
}

/* "BAŞVURU NO": the first 8 hex digits, upper case, as the pages show it. */
static void short_no(const char *id, char out[9])
{
	for (int i = 0; i < 8; i++)
		out[i] = (char)toupper((unsigned char)id[i]);
	out[8] = '\0';
}

static void date_tr(int64_t t, char out[11])
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm))
		strftime(out, 11, "%d.%m.%Y", &tm);
	else
		snprintf(out, 11, "?");
}

/* Tells the applicant, on the Bilgi Kanalı of his form (or, for a row
 * from before the portal, the holder's). */
int app_tell(struct db *db, const struct application *a, enum application_state to,
	     const struct application_step *step, int64_t release_at)
{
	_cleanup_free_ char *subject = NULL, *body = NULL;
	char no[9], when[11];
	const char *extra = "";
	_cleanup_free_ char *extra_buf = NULL;
	int r;

	short_no(a->id, no);
	if (to == APP_AWAITING_PAPER)
		extra = " Lütfen başvuru formunuzu yazdırıp imzalayarak gönderiniz.";
	else if (to == APP_WAITING_WINDOW) {
		date_tr(release_at, when);
		extra = extra_buf = strdup_printf(" Yenileme başvurunuz %s tarihinde işleme alınacaktır.",
						  when);
	} else if (to == APP_REJECTED)
		extra = extra_buf = strdup_printf(" Red nedeni: %s", step->reason);
	else if (to == APP_SHIPPED)
		extra = extra_buf = strdup_printf(" Kargo firması: %s, gönderi takip no: %s.",
						  step->courier, step->tracking);
	else if (to == APP_PRODUCED)
		extra = " Kartınız gönderilmek üzere hazırlanıyor.";
	else if (to == APP_DELIVERED)
		extra = " Sertifikanızı kullanıma açmak için lütfen Şifreli Giriş seçeneğini"
			" kullanınız.";
	if (extra && step && step->notice) {
		char *n = strdup_printf("%s %s", extra, step->notice);

		free(extra_buf);
		extra = extra_buf = n;
	}
	if (!extra)
		return -ENOMEM;
	subject = strdup_printf("NES başvurunuz: %s", application_state_label(to));
	body = strdup_printf("Başvuru No %s (%s) olan NES başvurunuzun durumu: %s.%s", no,
			     application_kind_label(a->kind), application_state_label(to), extra);
	if (!subject || !body)
		return -ENOMEM;
	if (!a->info_channel[0]) {
		r = notify_holder(db, a->tckn, subject, body, NULL);
		return r == -ENOENT ? 0 : r;
	}
	if ((streq(a->info_channel, "email") || streq(a->info_channel, "both")) && a->email) {
		r = notify_queue(db, a->tckn, "email", a->email, subject, body);
		if (r < 0)
			return r;
	}
	if ((streq(a->info_channel, "sms") || streq(a->info_channel, "both")) && a->mobile) {
		r = notify_queue(db, a->tckn, "sms", a->mobile, subject, body);
		if (r < 0)
			return r;
	}
	return 0;
}

/* Kayıp Çalıntı: every current certificate of the applicant revoked
 * (keyCompromise), with the sessions logged in with it, in the caller's
 * transaction. */
static int revoke_current(struct db *db, const char *tckn, const char *actor, int64_t now,
			  size_t *ret_n, enum refusal *ret_why)
{
	struct cert_record *c = NULL;
	size_t n = 0, done = 0;
	int r;

	r = cert_list_by_tckn(db, tckn, &c, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n && r >= 0; i++) {
		if (c[i].status == CERT_REVOKED || c[i].not_after < now)
			continue;
		r = cert_revoke_in_tx(db, c[i].issuer, c[i].serial, KEY_COMPROMISE, actor, ret_why);
		if (r >= 0)
			r = websession_end_by_signer(db, c[i].issuer, c[i].serial, NULL);
		if (r >= 0)
			done++;
	}
	cert_record_free_array(c, n);
	*ret_n = done;
	return r < 0 ? r : 0;
}

/* Fields a produce sets (the card made before the transaction). */
struct produced {
	const char *card, *issuer, *serial;
};

/* Free text of an operator (reason, courier, tracking): it reaches the
 * applicant's notification and the operators' terminals.  NULL is fine. */
static bool step_text_ok(const char *s, size_t max)
{
	if (s && strlen(s) > max)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if (*p < 0x20 || *p == 0x7f || (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f))
			return false;
	return true;
}

static int step_check(enum application_event event, const struct application_step *step)
{
	if (!step_text_ok(step->reason, 500) || !step_text_ok(step->courier, 100) ||
	    !step_text_ok(step->tracking, 100))
		return -EINVAL;
	switch (event) {
	case APP_EV_REJECT:
		return step->reason && *step->reason ? 0 : -EINVAL;
	case APP_EV_SIGNED:
		return step->method == APP_METHOD_EONAY || step->method == APP_METHOD_ESIGN ? 0
											 : -EINVAL;
	case APP_EV_SHIP:
		return step->courier && *step->courier && step->tracking && *step->tracking ? 0
											    : -EINVAL;
	default:
		return (unsigned)event < _APP_EV_MAX ? 0 : -EINVAL;
	}
}

/* The transition itself, inside the caller's transaction. */
static int fire_tx(struct db *db, const char *id, enum application_event event,
		   enum application_actor by, const struct application_step *step,
		   const char *operator, const struct produced *prod,
		   struct application_outcome *out, enum refusal *ret_why)
{
	_cleanup_free_ char *audit_actor = NULL, *details = NULL;
	const struct application_transition *t;
	struct application a = { 0 };
	enum application_method method = APP_METHOD_NONE;
	int64_t now = step->now ? step->now : now_sec(), release_at = 0;
	bool actor_ok = false;
	size_t nt;
	int r;

	r = application_get(db, id, &a);
	if (r == -ENOENT) {
		*ret_why = REFUSAL_NOT_FOUND;
		return -EACCES;
	}
	if (r < 0)
		return r;
	out->from = a.state;
	/* Who may fire the event at all, before where it may be fired from. */
	for (const struct application_transition *all = application_transitions(&nt);
	     nt > 0; all++, nt--)
		if (all->event == event && (all->who & by))
			actor_ok = true;
	if (!actor_ok) {
		*ret_why = REFUSAL_APPLICATION_ACTOR;
		r = -EACCES;
		goto out;
	}
	if (event == APP_EV_APPROVE && a.kind == APP_KIND_RENEWAL && a.state == APP_RECEIVED) {
		r = application_window_opens(db, a.tckn, &release_at);
		if (r == 0 && release_at > now)
			event = APP_EV_DEFER;
		else if (r == -ENOENT)
			r = 0;
		if (r < 0)
			goto out;
	}
	t = application_transition_find(a.state, event);
	if (!t || !(t->who & by)) {
		*ret_why = t ? REFUSAL_APPLICATION_ACTOR : REFUSAL_APPLICATION_STATE;
		r = -EACCES;
		goto out;
	}
	/* A claim moves under the person's lock, taken before its row; signed,
	 * the first one of its kind wins. */
	if (application_state_unsigned(a.state)) {
		r = app_lock_person(db, a.tckn);
		if (r == 0 && t->to == APP_RECEIVED)
			r = app_claims_may_sign(db, &a, ret_why);
		else if (r == 0 && event == APP_EV_SMS_VERIFIED)
			r = app_claims_room(db, a.tckn, a.institution, a.mobile, ret_why);
		if (r < 0)
			goto out;
	}
	if (event == APP_EV_SIGNED)
		method = step->method;
	else if (event == APP_EV_PAPER_CHOSEN)
		method = APP_METHOD_PAPER;
	/* Guarded by the state read above: of two operators at once, the
	 * second updates nothing and is refused. */
	r = db_run(db, "UPDATE applications SET state = $1, updated_at = $2,"
		       " method = COALESCE($3, method), courier = COALESCE($4, courier),"
		       " tracking = COALESCE($5, tracking),"
		       " reject_reason = COALESCE($6, reject_reason),"
		       " release_at = CASE WHEN $7 > 0 THEN $7 ELSE release_at END,"
		       " card_serial = COALESCE($8, card_serial),"
		       " cert_issuer = COALESCE($9, cert_issuer),"
		       " cert_serial = COALESCE($10, cert_serial)"
		       " WHERE id = $11 AND state = $12",
		   "tittttittttt", application_state_str(t->to), now,
		   method ? application_method_str(method) : NULL,
		   event == APP_EV_SHIP ? step->courier : NULL,
		   event == APP_EV_SHIP ? step->tracking : NULL,
		   event == APP_EV_REJECT ? step->reason : NULL,
		   t->to == APP_WAITING_WINDOW ? release_at : (int64_t)0, prod ? prod->card : NULL,
		   prod ? prod->issuer : NULL, prod ? prod->serial : NULL, a.id,
		   application_state_str(a.state));
	if (r == 0) {
		*ret_why = REFUSAL_APPLICATION_STATE;
		r = -EACCES;
	}
	if (r < 0)
		goto out;
	audit_actor = by == APP_BY_OPERATOR ? strdup_printf("operator:%s", operator)
		    : by == APP_BY_SCHEDULER ? strdup("system")
					     : strdup_printf("applicant:%s", a.tckn);
	if (!audit_actor) {
		r = -ENOMEM;
		goto out;
	}
	if (event == APP_EV_APPROVE && a.kind == APP_KIND_LOST) {
		r = revoke_current(db, a.tckn, audit_actor, now, &out->revoked, ret_why);
		if (r < 0)
			goto out;
	}
	if (event == APP_EV_PRODUCE) {
		/* The güvenlik sözcüğü of the form becomes the Şifreli Giriş
		 * word; the Bilgi Kanalı the holder's. */
		r = db_run(db, "INSERT INTO holder_secrets (tckn, word_hash, set_at)"
			       " SELECT tckn, word_hash, $2 FROM applications"
			       "  WHERE id = $1 AND word_hash IS NOT NULL"
			       " ON CONFLICT (tckn) DO UPDATE SET word_hash = excluded.word_hash,"
			       " set_at = excluded.set_at", "ti", a.id, now);
		if (r >= 0 && a.info_channel[0])
			r = db_run(db, "UPDATE holders SET info_channel = $1 WHERE tckn = $2", "tt",
				   a.info_channel, a.tckn);
		if (r < 0)
			goto out;
	}
	r = app_history_add(db, a.id, application_state_str(a.state), application_state_str(t->to),
			    application_event_str(event), operator,
			    event == APP_EV_SIGNED ? step->evidence : step->reason, now);
	if (r < 0)
		goto out;
	details = strdup_printf("{\"tckn\":\"%s\",\"from\":\"%s\",\"to\":\"%s\",\"operator\":\"%s\","
				"\"revoked\":%zu}", a.tckn, application_state_str(a.state),
				application_state_str(t->to), operator, out->revoked);
	if (!details) {
		r = -ENOMEM;
		goto out;
	}
	{
		_cleanup_free_ char *action = strdup_printf("application.%s",
							    application_event_str(event));
		r = action ? audit_append(db, true, audit_actor, action, a.id, "ok", details) : -ENOMEM;
	}
	if (r >= 0 && t->notify)
		r = app_tell(db, &a, t->to, step, release_at);
	if (r >= 0)
		r = app_claims_settle(db, &a, event, t->to);
	if (r >= 0) {
		out->to = t->to;
		out->release_at = t->to == APP_WAITING_WINDOW ? release_at : 0;
	}
out:
	application_done(&a);
	return r;
}

/* Names are JSON-quoted in the audit details: keep them plain. */
static bool operator_ok(const char *s)
{
	if (!s || !*s || strlen(s) > 64)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '"' || *p == '\\')
			return false;
	return true;
}

/* A refusal is a decision too: recorded on its own, outside the rolled
 * back transaction. */
static int record_refusal(struct db *db, const char *id, enum application_event event,
			  enum application_actor by, enum application_state from,
			  const char *operator, enum refusal why)
{
	_cleanup_free_ char *details = strdup_printf(
		"{\"error\":\"%s\",\"state\":\"%s\",\"operator\":\"%s\"}", refusal_code(why),
		application_state_str(from), operator);
	_cleanup_free_ char *action = strdup_printf("application.%s", application_event_str(event));

	if (!details || !action)
		return -ENOMEM;
	return audit_append(db, false, actor_name(by), action,
			    id && strlen(id) <= 64 ? id : "?", "refused", details);
}

static int fire(struct db *db, const char *id, enum application_event event,
		enum application_actor by, const struct application_step *step,
		const struct produced *prod, struct application_outcome *ret,
		enum refusal *ret_refusal)
{
	static const struct application_step none = { 0 };
	struct application_outcome out = { 0 };
	enum refusal why = REFUSAL_NONE;
	const char *operator;
	int r;

	if (!step)
		step = &none;
	operator = step->operator ? step->operator : actor_name(by);
	if (!operator_ok(operator) || step_check(event, step) < 0 ||
	    (event == APP_EV_PRODUCE && !prod))
		return -EINVAL;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = fire_tx(db, id, event, by, step, operator, prod, &out, &why);
	if (r >= 0) {
		r = db_commit(db);
		if (r >= 0 && ret)
			*ret = out;
		return r;
	}
	db_rollback(db);
	if (r != -EACCES)
		return r;
	r = record_refusal(db, id, event, by, out.from, operator, why);
	if (r < 0)
		return r;
	if (ret)
		*ret = out;
	*ret_refusal = why;
	return -EACCES;
}

int application_fire(struct db *db, const char *id, enum application_event event,
		     enum application_actor by, const struct application_step *step,
		     struct application_outcome *ret, enum refusal *ret_refusal)
{
	if (event == APP_EV_PRODUCE)
		return -EINVAL;	/* application_produce */
	return fire(db, id, event, by, step, NULL, ret, ret_refusal);
}

int application_fire_in_tx(struct db *db, const char *id, enum application_event event,
			   enum application_actor by, const struct application_step *step,
			   struct application_outcome *ret, enum refusal *ret_refusal)
{
	static const struct application_step none = { 0 };
	struct application_outcome out = { 0 };
	enum refusal why = REFUSAL_NONE;
	const char *operator;
	int r;

	if (!step)
		step = &none;
	operator = step->operator ? step->operator : actor_name(by);
	if (event == APP_EV_PRODUCE || !operator_ok(operator) || step_check(event, step) < 0)
		return -EINVAL;
	r = fire_tx(db, id, event, by, step, operator, NULL, &out, &why);
	if (ret)
		*ret = out;
	if (r == -EACCES)
		*ret_refusal = why;
	return r < 0 ? r : 0;
}

/* The Sertifika Süresi the applicant chose on the form ("1".."3" years) in
 * days; 0 (the card's default) for a row without a form. */
static int64_t form_days(const char *form_json)
{
	json_t *f = form_json ? json_loads(form_json, 0, NULL) : NULL;
	const char *v = json_string_value(json_object_get(f, "validity"));
	int64_t days = v && v[0] >= '1' && v[0] <= '3' && !v[1] ? 365 * (v[0] - '0') : 0;

	json_decref(f);
	return days;
}

/* The card of an earlier produce that made it but did not record the
 * transition (crash, lost race): its certificate, found by card label. */
static int card_cert(struct db *db, const char *tckn, const char *label, char issuer[65],
		     char serial[65])
{
	struct cert_record *c = NULL;
	size_t n = 0;
	int r;

	r = cert_list_by_tckn(db, tckn, &c, &n);
	if (r < 0)
		return r;
	r = -ENOENT;
	for (size_t i = 0; i < n; i++)
		if (streq(c[i].card_serial, label)) {
			snprintf(issuer, 65, "%s", c[i].issuer);
			snprintf(serial, 65, "%s", c[i].serial);
			r = 0;
			break;
		}
	cert_record_free_array(c, n);
	return r;
}

int application_produce(struct db *db, struct pki_ca *ca, const struct config *cfg,
			const char *module, const char *id, const struct application_step *step,
			struct card_result *ret_card, char **ret_detail,
			enum refusal *ret_refusal)
{
	static const struct application_step none = { 0 };
	struct card_result res = { 0 };
	struct registry_person p = { 0 };
	struct application a = { 0 };
	struct holder h = { 0 };
	struct produced prod;
	char label[33], issuer[65], serial[65];
	bool exists = false;
	int r;

	if (!step)
		step = &none;
	r = application_get(db, id, &a);
	if (r == -ENOENT) {
		*ret_refusal = REFUSAL_NOT_FOUND;
		return -EACCES;
	}
	if (r < 0)
		return r;
	/* Refused before a card is made; fire() checks again in its
	 * transaction. */
	if (a.state != APP_APPROVED || !operator_ok(step->operator ? step->operator : "operator")) {
		const char *op = step->operator ? step->operator : "operator";

		r = operator_ok(op) ? record_refusal(db, a.id, APP_EV_PRODUCE, APP_BY_OPERATOR,
						     a.state, op, REFUSAL_APPLICATION_STATE)
				    : -EINVAL;
		application_done(&a);
		if (r < 0)
			return r;
		*ret_refusal = REFUSAL_APPLICATION_STATE;
		return -EACCES;
	}
	snprintf(label, sizeof(label), "EONAY-%.16s", a.id);
	for (char *c = label; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	r = holder_get(db, a.tckn, &h);
	if (r == -ENOENT) {
		r = registry_get(db, a.tckn, &p);
		if (r == -ENOENT) {
			*ret_refusal = REFUSAL_APPLY_IDENTITY;
			r = -EACCES;
		}
		if (r == 0)
			r = holder_put(db, a.tckn, p.ad, p.soyad, a.email, a.mobile);
		registry_person_done(&p);
	}
	holder_done(&h);
	if (r == 0)
		r = card_exists(db, label, &exists);
	if (r < 0)
		goto out;
	if (exists) {
		/* made by an earlier attempt: record that one */
		r = card_cert(db, a.tckn, label, issuer, serial);
		if (r == -ENOENT) {
			*ret_refusal = REFUSAL_CARD_EXISTS;
			r = -EACCES;
		}
		snprintf(res.label, sizeof(res.label), "%s", label);
		snprintf(res.status, sizeof(res.status), "hold");
	} else {
		struct card_request req = { .tckn = a.tckn, .label = label,
					    .days = form_days(a.form_json) };

		/* Yenileme: the new certificate starts when the current one ends. */
		if (a.kind == APP_KIND_RENEWAL) {
			r = current_end(db, a.tckn, &req.not_before);
			if (r == -ENOENT)
				r = 0;
			if (r < 0)
				goto out;
		}

		r = card_issue(db, ca, cfg, module, &req, &res, ret_detail, ret_refusal);
		snprintf(issuer, sizeof(issuer), "%s", res.cert_issuer);
		snprintf(serial, sizeof(serial), "%s", res.cert_serial);
	}
	if (r < 0)
		goto out;
	snprintf(res.cert_issuer, sizeof(res.cert_issuer), "%s", issuer);
	snprintf(res.cert_serial, sizeof(res.cert_serial), "%s", serial);
	prod = (struct produced){ label, issuer, serial };
	r = fire(db, a.id, APP_EV_PRODUCE, APP_BY_OPERATOR, step, &prod, NULL, ret_refusal);
	if (r == 0 && ret_card)
		*ret_card = res;
out:
	OPENSSL_cleanse(&res, sizeof(res));
	application_done(&a);
	return r;
}

/* Fires event as the scheduler on every application the query (one
 * parameter, t) selects; refusals (another node or an operator moved it
 * meanwhile) are skipped. */
static int sweep(struct db *db, const char *sql, int64_t t, enum application_event event,
		 int64_t now, size_t *ret_n)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char (*ids)[33] = NULL;
	size_t n = 0, done = 0;
	int r;

	r = db_select(db, &st, sql, "i", t);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		char (*na)[33] = realloc(ids, (n + 1) * sizeof(*ids));

		if (!na) {
			r = -ENOMEM;
			break;
		}
		ids = na;
		snprintf(ids[n++], 33, "%s", db_col_text(st, 0));
	}
	db_stmt_done(TAKE_PTR(st));
	for (size_t i = 0; r >= 0 && i < n; i++) {
		struct application_step step = { .now = now, .reason = "zaman aşımı" };
		enum refusal why;

		r = fire(db, ids[i], event, APP_BY_SCHEDULER, &step, NULL, NULL, &why);
		if (r == 0)
			done++;
		else if (r == -EACCES)
			r = 0;
	}
	free(ids);
	if (ret_n)
		*ret_n = done;
	return r < 0 ? r : 0;
}

int application_release_due(struct db *db, int64_t now, size_t *ret_n)
{
	return sweep(db, "SELECT id FROM applications WHERE state = 'waiting_window'"
			 " AND release_at <= $1 ORDER BY release_at, id LIMIT 1000",
		     now, APP_EV_RELEASE, now, ret_n);
}

int application_expire_unfinished(struct db *db, int64_t now, size_t *ret_n)
{
	size_t drafts = 0, claims = 0;
	int r;

	/* A draft whose number was never proven lives a day. */
	r = sweep(db, "SELECT id FROM applications WHERE state = 'draft' AND updated_at < $1"
		      " ORDER BY updated_at, id LIMIT 1000",
		  now - APPLICATION_DRAFT_MAX, APP_EV_CANCEL, 0, &drafts);
	/* awaiting_paper too: a wet-signed form that never came does not
	 * stay a claim for ever. */
	if (r == 0)
		r = sweep(db, "SELECT id FROM applications WHERE state IN ('draft', 'sms_verified',"
			      " 'awaiting_paper') AND updated_at < $1 ORDER BY updated_at, id LIMIT 1000",
			  now - APPLICATION_UNFINISHED_MAX, APP_EV_CANCEL, 0, &claims);
	if (ret_n)
		*ret_n = drafts + claims;
	return r;
}
