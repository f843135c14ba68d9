/* apply.c - the portal's drafts: entry, current draft, Form Onayla (see
 * apply.h).  The SMS Onay Kodu and the recovery are in apply-sms.c, the
 * signing methods in apply-method.c. */
#include "domain/apply.h"

#include <openssl/crypto.h>
#include <stdio.h>

#include "common/json.h"
#include "common/tckn.h"
#include "domain/applications.h"
#include "domain/apply-private.h"
#include "domain/institutions.h"
#include "domain/password.h"
#include "domain/registry.h"
#include "store/audit.h"

static const char *const steps[] = {
	[APPLY_ENTERED] = "entered",	       [APPLY_CONFIRMED] = "confirmed",
	[APPLY_RECOVERING] = "recovering",     [APPLY_SMS_VERIFIED] = "sms_verified",
	[APPLY_DONE] = "done",
};

const char *apply_step_str(enum apply_step s)
{
	return (unsigned)s < _APPLY_STEP_MAX ? steps[s] : "?";
}

static int step_parse(const char *s, enum apply_step *ret)
{
	for (int i = 0; i < _APPLY_STEP_MAX; i++)
		if (s && streq(s, steps[i])) {
			*ret = (enum apply_step)i;
			return 0;
		}
	return -EUCLEAN;
}

#define DRAFT_COLUMNS "id, institution, tckn, entry, sicil, application_id, step, method," \
		      " sign_session, sms_purpose, sms_expires_at, sms_tries, sms_sends," \
		      " sms_sent_at, created_at"

static void copy(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

static int draft_from_row(struct db_stmt *st, struct apply_draft *d)
{
	memset(d, 0, sizeof(*d));
	copy(d->id, sizeof(d->id), db_col_text(st, 0));
	copy(d->institution, sizeof(d->institution), db_col_text(st, 1));
	copy(d->tckn, sizeof(d->tckn), db_col_text(st, 2));
	copy(d->entry, sizeof(d->entry), db_col_text(st, 3));
	copy(d->sicil, sizeof(d->sicil), db_col_text(st, 4));
	copy(d->application_id, sizeof(d->application_id), db_col_text(st, 5));
	copy(d->method, sizeof(d->method), db_col_text(st, 7));
	copy(d->sign_session, sizeof(d->sign_session), db_col_text(st, 8));
	copy(d->sms_purpose, sizeof(d->sms_purpose), db_col_text(st, 9));
	d->sms_expires_at = db_col_int64(st, 10);
	d->sms_tries = db_col_int64(st, 11);
	d->sms_sends = db_col_int64(st, 12);
	d->sms_sent_at = db_col_int64(st, 13);
	d->created_at = db_col_int64(st, 14);
	return step_parse(db_col_text(st, 6), &d->step);
}

int apply_draft_get(struct db *db, const char *id, struct apply_draft *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_query_one(db, &st, "SELECT " DRAFT_COLUMNS " FROM apply_drafts WHERE id = $1", "t",
			 id);
	if (r < 0)
		return r;
	return draft_from_row(st, ret);
}

int apply_current(struct db *db, const char *web_hash, struct apply_draft *ret,
		  enum refusal *ret_refusal)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	if (isempty(web_hash)) {
		*ret_refusal = REFUSAL_APPLY_NO_DRAFT;
		return -EACCES;
	}
	r = db_query_one(db, &st, "SELECT " DRAFT_COLUMNS " FROM apply_drafts WHERE web_hash = $1"
				  " ORDER BY created_at DESC, id LIMIT 1", "t", web_hash);
	if (r == -ENOENT) {
		*ret_refusal = REFUSAL_APPLY_NO_DRAFT;
		return -EACCES;
	}
	if (r < 0)
		return r;
	return draft_from_row(st, ret);
}

/* The draft step for an application in state s, when a browser takes it
 * over (parola, recovery). */
enum apply_step apply_step_of_state(enum application_state s)
{
	switch (s) {
	case APP_DRAFT:
		return APPLY_CONFIRMED;
	case APP_SMS_VERIFIED:
	case APP_AWAITING_PAPER:
		return APPLY_SMS_VERIFIED;
	default:
		return APPLY_DONE;
	}
}

int apply_app_usable(struct db *db, const struct apply_draft *d, enum refusal *ret_refusal)
{
	struct application a = { 0 };
	bool ok;
	int r;

	if (!d->application_id[0])
		return 0;
	r = application_get(db, d->application_id, &a);
	if (r < 0)
		return r;
	ok = application_state_unsigned(a.state);
	application_done(&a);
	if (ok)
		return 0;
	*ret_refusal = REFUSAL_APPLICATION_STATE;
	return -EACCES;
}

int apply_draft_new(struct db *db, const char *web_hash, const char *institution,
		    const char *tckn, const char *entry, const char *sicil,
		    const char *application_id, enum apply_step step, struct apply_draft *ret)
{
	unsigned char rnd[16];
	char id[33];
	int64_t now = now_sec();
	int r;

	r = random_bytes(rnd, sizeof(rnd));
	if (r < 0)
		return r;
	hex_encode(rnd, sizeof(rnd), id);
	/* The browser's earlier drafts that never became an application go. */
	r = db_run(db, "DELETE FROM apply_drafts WHERE web_hash = $1 AND application_id IS NULL",
		   "t", web_hash);
	if (r >= 0)
		r = db_run(db, "INSERT INTO apply_drafts (id, web_hash, institution, tckn, entry, sicil,"
			       " application_id, step, created_at, updated_at)"
			       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)",
			   "tttttttti", id, web_hash, institution, tckn, entry,
			   isempty(sicil) ? NULL : sicil,
			   isempty(application_id) ? NULL : application_id, apply_step_str(step),
			   now);
	if (r < 0)
		return r;
	return apply_draft_get(db, id, ret);
}

int apply_take_over(struct db *db, const char *draft_id, const char *application_id)
{
	/* Only one browser works on an application: the others are detached. */
	int r = db_run(db, "UPDATE apply_drafts SET web_hash = NULL, updated_at = $1"
			   " WHERE application_id = $2 AND id <> $3",
		       "itt", now_sec(), application_id, draft_id);

	return r < 0 ? r : 0;
}

static int refuse(enum refusal *ret_refusal, enum refusal why)
{
	*ret_refusal = why;
	return -EACCES;
}

static int enter_parola(struct db *db, const char *web_hash, const struct apply_entry *in,
			struct apply_draft *ret, enum refusal *ret_refusal)
{
	struct application a = { 0 };
	char app_id[33];
	int r;

	if (!tckn_valid(in->tckn))
		return refuse(ret_refusal, REFUSAL_APPLY_IDENTITY);
	/* The person may have several claims here (and signed ones): the
	 * parola says which (each is checked: one answer for no application,
	 * an unset parola and a wrong one). */
	r = application_find_by_parola(db, in->tckn, in->institution, in->parola, app_id);
	if (r == -ENOENT)
		return refuse(ret_refusal, REFUSAL_APPLY_IDENTITY);
	if (r < 0)
		return r;
	r = application_get(db, app_id, &a);
	if (r < 0)
		return r;
	r = db_begin(db);
	if (r == 0) {
		r = apply_draft_new(db, web_hash, in->institution, in->tckn, "parola", NULL, app_id,
				    apply_step_of_state(a.state), ret);
		if (r >= 0)
			r = apply_take_over(db, ret->id, app_id);
		r = db_end(db, r);
	}
	application_done(&a);
	return r;
}

static int enter_decide(struct db *db, const char *web_hash, const struct apply_entry *in,
			struct apply_draft *ret, enum refusal *ret_refusal)
{
	struct registry_person p = { 0 };
	struct staff_record sr = { 0 };
	struct institution inst = { 0 };
	int r;

	if (isempty(web_hash) || !in || isempty(in->institution))
		return -EINVAL;
	r = institution_get(db, in->institution, &inst);
	if (r == -ENOENT)
		return refuse(ret_refusal, REFUSAL_INSTITUTION_UNKNOWN);
	if (r < 0)
		return r;
	institution_done(&inst);
	if (in->parola)
		return enter_parola(db, web_hash, in, ret, ret_refusal);
	if (in->sicil)
		r = staff_match(db, in->institution, in->tckn, in->sicil, &p, &sr, ret_refusal);
	else
		r = registry_match(db, in->tckn, in->ad, in->soyad, in->dogum_yeri,
				   in->dogum_tarihi, &p, ret_refusal);
	if (r == -EACCES && *ret_refusal != REFUSAL_INSTITUTION_UNKNOWN)
		*ret_refusal = REFUSAL_APPLY_IDENTITY;
	if (r < 0)
		goto out;
	/* An open application of the person here does not stop a new entry:
	 * registry data is no secret, and whoever entered it first must not
	 * lock the person out.  Form Onayla decides (application_create): a
	 * claim beside the others, refused for a signed one.  Nor does the
	 * entry tell whether there is one. */
	r = apply_draft_new(db, web_hash, in->institution, p.tckn, in->sicil ? "staff" : "registry",
			    in->sicil ? sr.sicil : NULL, NULL, APPLY_ENTERED, ret);
out:
	registry_person_done(&p);
	staff_record_done(&sr);
	return r;
}

int apply_audit(struct db *db, const char *client_addr, const char *action,
		const struct apply_entry *in, const char *subject, enum refusal why)
{
	_cleanup_free_ char *actor = strdup_printf("client:%s", client_addr ? client_addr : "");
	_cleanup_free_ char *details = NULL;
	json_t *d;

	/* The typed T.C. Kimlik No only when it is one (never other input). */
	d = json_pack("{s:s?,s:s?,s:s?}", "institution", in ? in->institution : NULL, "tckn",
		      in && in->tckn && tckn_valid(in->tckn) ? in->tckn : NULL, "reason",
		      why != REFUSAL_NONE ? refusal_code(why) : NULL);
	if (d && in)
		json_object_set_new(d, "entry", json_string(in->parola ? "parola" :
							    in->sicil  ? "staff" :
									 "registry"));
	details = d ? json_dumps(d, JSON_COMPACT | JSON_SORT_KEYS) : NULL;
	json_decref(d);
	if (!actor || !details)
		return -ENOMEM;
	return audit_append(db, false, actor, action, subject, why == REFUSAL_NONE ? "ok" : "refused",
			    details);
}

int apply_enter(struct db *db, const char *web_hash, const struct apply_entry *in,
		struct apply_draft *ret, enum refusal *ret_refusal)
{
	int r = enter_decide(db, web_hash, in, ret, ret_refusal), q;

	/* Every entry, right or wrong, is in the audit log (evidence: its
	 * failure fails the entry). */
	if (r == 0 || r == -EACCES) {
		q = apply_audit(db, in->client_addr, "apply.enter", in,
				r == 0 ? ret->application_id[0] ? ret->application_id : ret->id : NULL,
				r == 0 ? REFUSAL_NONE : *ret_refusal);
		if (q < 0)
			return q;
	}
	return r;
}

/* "1980-05-17" as "17.05.1980". */
static void date_tr(const char *iso, char ret[11])
{
	if (iso && strlen(iso) == 10)
		snprintf(ret, 11, "%.2s.%.2s.%.4s", iso + 8, iso + 5, iso);
	else
		copy(ret, 11, iso);
}

int apply_fixed(struct db *db, const struct apply_draft *d, struct appform_fixed *ret,
		json_t **ret_store)
{
	_cleanup_json_ json_t *o = json_object();
	struct registry_person p = { 0 };
	struct institution inst = { 0 };
	struct staff_record sr = { 0 };
	char date[11];
	int r;

	if (!o)
		return -ENOMEM;
	r = registry_get(db, d->tckn, &p);
	if (r < 0)
		return r;
	r = institution_get(db, d->institution, &inst);
	if (r < 0) {
		registry_person_done(&p);
		return r;
	}
	date_tr(p.dogum_tarihi, date);
	json_object_set_new(o, "tckn", json_string(p.tckn));
	json_object_set_new(o, "given_name", json_string(p.ad));
	json_object_set_new(o, "surname", json_string(p.soyad));
	json_object_set_new(o, "birth_place", json_string(p.dogum_yeri));
	json_object_set_new(o, "birth_date", json_string(date));
	json_object_set_new(o, "institution_name", json_string(inst.name));
	r = staff_get(db, d->institution, d->tckn, &sr);
	if (r == 0) {
		if (streq(d->entry, "staff") && sr.sicil)
			json_object_set_new(o, "sicil", json_string(sr.sicil));
		if (sr.birim)
			json_object_set_new(o, "unit", json_string(sr.birim));
		if (sr.unvan)
			json_object_set_new(o, "title", json_string(sr.unvan));
		staff_record_done(&sr);
	}
	registry_person_done(&p);
	institution_done(&inst);
	if (r < 0 && r != -ENOENT)
		return r;
	*ret = (struct appform_fixed){
		.tckn = json_string_value(json_object_get(o, "tckn")),
		.given_name = json_string_value(json_object_get(o, "given_name")),
		.surname = json_string_value(json_object_get(o, "surname")),
		.birth_place = json_string_value(json_object_get(o, "birth_place")),
		.birth_date = json_string_value(json_object_get(o, "birth_date")),
		.institution_name = json_string_value(json_object_get(o, "institution_name")),
		.sicil = json_string_value(json_object_get(o, "sicil")),
		.unit = json_string_value(json_object_get(o, "unit")),
		.title = json_string_value(json_object_get(o, "title")),
	};
	*ret_store = TAKE_PTR(o);
	return 0;
}

int apply_form(struct db *db, const struct apply_draft *d, json_t **ret)
{
	struct application a = { 0 };
	json_t *f;
	int r;

	/* A recovery shows nothing of the application before its code is
	 * verified: registry data and a number are no proof. */
	if (!d->application_id[0] || d->step == APPLY_RECOVERING)
		return -ENOENT;
	r = application_get(db, d->application_id, &a);
	if (r < 0)
		return r;
	f = a.form_json ? json_loads(a.form_json, 0, NULL) : NULL;
	application_done(&a);
	if (!json_is_object(f)) {
		json_decref(f);
		return -EUCLEAN;
	}
	*ret = f;
	return 0;
}

/* A Başvuru Formu Erişim Parolası: 10 characters of an alphabet without
 * look-alikes (about 50 bits). */
int apply_parola_new(char **ret)
{
	static const char alpha[] = "abcdefghjkmnpqrstuvwxyz23456789";
	char *p = malloc(11);

	if (!p)
		return -ENOMEM;
	for (int i = 0; i < 10; i++) {
		uint32_t k;
		int r = random_uniform(sizeof(alpha) - 1, &k);

		if (r < 0) {
			secret_free(p);
			return r;
		}
		p[i] = alpha[k];
	}
	p[10] = '\0';
	*ret = p;
	return 0;
}

static enum application_kind kind_of(const char *reason)
{
	enum application_kind k;

	return application_kind_parse(reason, &k) == 0 ? k : APP_KIND_NEW;
}

int apply_confirm(struct db *db, const char *web_hash, const json_t *form,
		  struct apply_draft *ret, char **ret_parola, json_t **ret_errors,
		  enum refusal *ret_refusal)
{
	_cleanup_json_ json_t *store = NULL, *clean = NULL, *errors = NULL;
	_cleanup_secret_ char *parola = NULL, *word = NULL;
	_cleanup_free_ char *form_text = NULL;
	struct appform_fixed fx;
	struct apply_draft d;
	char app_id[33] = "";
	int r;

	*ret_parola = NULL;
	*ret_errors = NULL;
	r = apply_current(db, web_hash, &d, ret_refusal);
	if (r < 0)
		return r;
	/* Form Onayla twice: the same application. */
	if (d.application_id[0]) {
		*ret = d;
		return 0;
	}
	if (d.step != APPLY_ENTERED)
		return refuse(ret_refusal, REFUSAL_APPLY_STEP);
	r = apply_fixed(db, &d, &fx, &store);
	if (r < 0)
		return r;
	r = appform_validate(form, &fx, &clean, &errors);
	if (r < 0)
		return r;
	if (json_object_size(errors) > 0) {
		*ret_errors = TAKE_PTR(errors);
		return refuse(ret_refusal, REFUSAL_FORM_INVALID);
	}
	/* The güvenlik sözcüğü goes to the application as a secret, never
	 * into the stored form. */
	{
		char *w = (char *)json_string_value(json_object_get(clean, "word"));

		word = strdup(w ? w : "");
		if (w)	/* the copy in the JSON value is wiped before it goes */
			OPENSSL_cleanse(w, strlen(w));
		json_object_del(clean, "word");
		if (!word)
			return -ENOMEM;
	}
	form_text = json_dumps(clean, JSON_COMPACT | JSON_SORT_KEYS);
	if (!form_text)
		return -ENOMEM;
	r = apply_parola_new(&parola);
	if (r < 0)
		return r;
	/* Claim the draft: of two Form Onayla at once only one creates. */
	r = db_run(db, "UPDATE apply_drafts SET step = 'confirmed', updated_at = $1"
		       " WHERE id = $2 AND step = 'entered' AND application_id IS NULL",
		   "it", now_sec(), d.id);
	if (r < 0)
		return r;
	if (r == 0)
		return refuse(ret_refusal, REFUSAL_APPLY_STEP);
	{
		const char *ch = json_string_value(json_object_get(clean, "info_channel"));
		struct application_new an = {
			.tckn = d.tckn,
			.institution = d.institution,
			.kind = kind_of(json_string_value(json_object_get(clean, "reason"))),
			.form_json = form_text,
			.security_word = word,
			.access_password = parola,
			.email = json_string_value(json_object_get(clean, "email")),
			.mobile = json_string_value(json_object_get(clean, "mobile")),
			.info_channel = ch,
			.claim = true,	/* beside the person's other claims */
		};

		r = application_create(db, &an, app_id, ret_refusal);
	}
	if (r >= 0)
		r = db_run(db, "UPDATE apply_drafts SET application_id = $1, updated_at = $2"
			       " WHERE id = $3", "tit", app_id, now_sec(), d.id);
	if (r < 0) {
		/* Back to the form: nothing was created (or the create was
		 * refused: another open application). */
		int q = db_run(db, "UPDATE apply_drafts SET step = 'entered' WHERE id = $1"
				   " AND application_id IS NULL", "t", d.id);

		return q < 0 ? q : r;
	}
	r = apply_draft_get(db, d.id, ret);
	if (r < 0)
		return r;
	*ret_parola = TAKE_PTR(parola);
	return 0;
}

int apply_purge(struct db *db, int64_t *ret_n)
{
	int64_t now = now_sec();
	int r, n;

	r = db_run(db, "DELETE FROM apply_drafts WHERE application_id IS NULL AND created_at < $1",
		   "i", now - 86400);
	if (r < 0)
		return r;
	n = r;
	r = db_run(db, "DELETE FROM apply_drafts WHERE created_at < $1", "i", now - 90 * 86400);
	if (r < 0)
		return r;
	*ret_n = n + r;
	return 0;
}
