/* applications-store.c - the rows of applications and application_history
 * (see applications.h): creating an application, reading and listing
 * them, the access parola, the history.  State changes are in
 * applications-fire.c; this file never changes a state except by
 * creating a row. */
#include "domain/applications.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <strings.h>

#include "common/tckn.h"
#include "domain/applications-private.h"
#include "domain/institutions.h"
#include "domain/password.h"
#include "domain/registry.h"
#include "store/audit.h"

#define APP_COLUMNS                                                                        \
	"id, tckn, institution, kind, state, method, form, email, mobile, info_channel,"   \
	" CASE WHEN word_hash IS NULL THEN 0 ELSE 1 END,"                                  \
	" CASE WHEN access_hash IS NULL THEN 0 ELSE 1 END, card_serial, cert_issuer,"      \
	" cert_serial, courier, tracking, reject_reason, created_at, updated_at, release_at"

#define OPEN_STATES "('delivered', 'rejected', 'cancelled')"

void application_done(struct application *a)
{
	if (!a)
		return;
	free(a->form_json);
	free(a->email);
	free(a->mobile);
	free(a->courier);
	free(a->tracking);
	free(a->reject_reason);
	a->form_json = a->email = a->mobile = a->courier = a->tracking = a->reject_reason = NULL;
}

void application_free_array(struct application *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		application_done(&a[i]);
	free(a);
}

static int dup_col(struct db_stmt *st, int col, char **ret)
{
	const char *s = db_col_text(st, col);

	*ret = NULL;
	if (!s)
		return 0;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

static int from_row(struct db_stmt *st, struct application *ret)
{
	struct application a = { 0 };
	int r = 0;

#define COPY(field, col) snprintf(a.field, sizeof(a.field), "%s", db_col_text(st, col) ?: "")
	COPY(id, 0);
	COPY(tckn, 1);
	COPY(institution, 2);
	COPY(info_channel, 9);
	COPY(card_serial, 12);
	COPY(cert_issuer, 13);
	COPY(cert_serial, 14);
#undef COPY
	if (application_kind_parse(db_col_text(st, 3), &a.kind) < 0 ||
	    application_state_parse(db_col_text(st, 4), &a.state) < 0 ||
	    application_method_parse(db_col_text(st, 5), &a.method) < 0)
		return -EUCLEAN;
	a.has_word = db_col_int64(st, 10) != 0;
	a.has_access = db_col_int64(st, 11) != 0;
	r = dup_col(st, 6, &a.form_json);
	if (r == 0)
		r = dup_col(st, 7, &a.email);
	if (r == 0)
		r = dup_col(st, 8, &a.mobile);
	if (r == 0)
		r = dup_col(st, 15, &a.courier);
	if (r == 0)
		r = dup_col(st, 16, &a.tracking);
	if (r == 0)
		r = dup_col(st, 17, &a.reject_reason);
	a.created_at = db_col_int64(st, 18);
	a.updated_at = db_col_int64(st, 19);
	a.release_at = db_col_int64(st, 20);
	if (r < 0) {
		application_done(&a);
		return r;
	}
	*ret = a;
	return 0;
}

/* An id as stored: 32 lower-case hex digits.  -ENOENT for anything else. */
static int id_norm(const char *id, char out[33])
{
	size_t n = id ? strlen(id) : 0;

	if (n != 32)
		return -ENOENT;
	for (size_t i = 0; i < n; i++) {
		char c = (char)tolower((unsigned char)id[i]);

		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return -ENOENT;
		out[i] = c;
	}
	out[n] = '\0';
	return 0;
}

int application_get(struct db *db, const char *id, struct application *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char norm[33];
	int r;

	r = id_norm(id, norm);
	if (r < 0)
		return r;
	r = db_query_one(db, &st, "SELECT " APP_COLUMNS " FROM applications WHERE id = $1", "t",
			 norm);
	return r < 0 ? r : from_row(st, ret);
}

int application_list(struct db *db, const struct application_filter *f,
		     struct application **ret, size_t *ret_n)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct application *a = NULL;
	const char *state = f && f->state >= 0 ? application_state_str(f->state) : NULL;
	size_t n = 0;
	int r;

	/* One statement for every filter: a NULL parameter does not filter. */
	r = db_select(db, &st, "SELECT " APP_COLUMNS " FROM applications"
			       " WHERE (CAST($1 AS TEXT) IS NULL OR tckn = $1)"
			       " AND (CAST($2 AS TEXT) IS NULL OR institution = $2)"
			       " AND (CAST($3 AS TEXT) IS NULL OR state = $3)"
			       " ORDER BY created_at DESC, id",
		      "ttt", f ? f->tckn : NULL, f ? f->institution : NULL, state);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		struct application *na = realloc(a, (n + 1) * sizeof(*a));

		if (!na) {
			r = -ENOMEM;
			break;
		}
		a = na;
		r = from_row(st, &a[n]);
		if (r < 0)
			break;
		n++;
	}
	if (r < 0) {
		application_free_array(a, n);
		return r;
	}
	*ret = a;
	*ret_n = n;
	return 0;
}

int app_history_add(struct db *db, const char *id, const char *from, const char *to,
		    const char *event, const char *operator, const char *reason, int64_t at)
{
	int r = db_run(db, "INSERT INTO application_history (application_id, seq, from_state,"
			   " to_state, event, operator, reason, at) VALUES ($1,"
			   " (SELECT COALESCE(MAX(seq), 0) + 1 FROM application_history"
			   "  WHERE application_id = $1), $2, $3, $4, $5, $6, $7)",
		       "tttttti", id, from, to, event, operator, reason, at);

	return r < 0 ? r : 0;
}

static bool email_ok(const char *s)
{
	const char *at = s ? strchr(s, '@') : NULL;

	return at && at != s && at[1] && strlen(s) <= 254 && !strpbrk(s, " \t\r\n<>\"\\,;") &&
	       strchr(at + 1, '.') && !strchr(at + 1, '@');
}

static bool mobile_ok(const char *s)
{
	if (!s || strlen(s) != 10 || s[0] != '5')
		return false;
	for (const char *p = s; *p; p++)
		if (*p < '0' || *p > '9')
			return false;
	return true;
}

static bool secret_len_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	return n >= 8 && n <= 128;
}

/* The checks of application_new the store relies on (see applications.h). */
static int new_check(const struct application_new *in)
{
	json_t *form;
	bool wants_mail, wants_sms, is_object;

	if (!in->tckn || !tckn_valid(in->tckn) || !institution_code_ok(in->institution) ||
	    (unsigned)in->kind >= _APP_KIND_MAX || !secret_len_ok(in->security_word) ||
	    (in->access_password && !secret_len_ok(in->access_password)) || !in->info_channel)
		return -EINVAL;
	wants_mail = streq(in->info_channel, "email") || streq(in->info_channel, "both");
	wants_sms = streq(in->info_channel, "sms") || streq(in->info_channel, "both");
	if ((!wants_mail && !wants_sms) || (in->email && *in->email && !email_ok(in->email)) ||
	    (in->mobile && *in->mobile && !mobile_ok(in->mobile)) ||
	    (wants_mail && !(in->email && *in->email)) || (wants_sms && !(in->mobile && *in->mobile)))
		return -EINVAL;
	form = in->form_json ? json_loads(in->form_json, 0, NULL) : NULL;
	is_object = json_is_object(form);
	json_decref(form);
	return is_object ? 0 : -EINVAL;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

int application_create(struct db *db, const struct application_new *in, char ret_id[33],
		       enum refusal *ret_refusal)
{
	_cleanup_free_ char *word = NULL, *access = NULL, *actor = NULL, *details = NULL;
	struct registry_person p = { 0 };
	struct institution inst;
	unsigned char b[16];
	char id[33];
	int64_t now = now_sec();
	int r;

	r = new_check(in);
	if (r < 0)
		return r;
	r = institution_get(db, in->institution, &inst);
	if (r == -ENOENT) {
		*ret_refusal = REFUSAL_INSTITUTION_UNKNOWN;
		return -EACCES;
	}
	if (r < 0)
		return r;
	institution_done(&inst);
	r = registry_get(db, in->tckn, &p);
	if (r < 0 && r != -ENOENT)
		return r;
	if (r == -ENOENT || !p.alive) {
		registry_person_done(&p);
		*ret_refusal = REFUSAL_APPLY_IDENTITY;
		return -EACCES;
	}
	registry_person_done(&p);
	r = password_hash(in->security_word, &word);
	if (r == 0 && in->access_password)
		r = password_hash(in->access_password, &access);
	if (r == 0)
		r = random_bytes(b, sizeof(b));
	if (r < 0)
		return r;
	hex_encode(b, sizeof(b), id);
	actor = strdup_printf("applicant:%s", in->tckn);
	details = strdup_printf("{\"tckn\":\"%s\",\"institution\":\"%s\",\"kind\":\"%s\"}",
				in->tckn, in->institution, application_kind_str(in->kind));
	if (!actor || !details)
		return -ENOMEM;

	for (int attempt = 0; attempt < 2; attempt++) {
		r = db_begin(db);
		if (r < 0)
			return r;
		/* One creator at a time per person (PostgreSQL runs writers at
		 * once): the look-up below is the one the insert relies on; for
		 * a signed application the unique index applications_signed
		 * guards it too. */
		r = app_lock_person(db, in->tckn);
		if (r == 0) {
			char open_id[33];

			r = application_find_same(db, in, in->claim, open_id);
			if (r == 0)
				r = -EEXIST;
			else if (r == -ENOENT && in->claim)
				r = app_claims_room(db, in->tckn, in->institution, in->mobile,
						    ret_refusal) ?: -ENOENT;
		}
		if (r == -ENOENT)
			r = db_run(db, "INSERT INTO applications (id, tckn, institution, kind, state,"
				       " form, email, mobile, info_channel, word_hash, access_hash,"
				       " created_at, updated_at)"
				       " VALUES ($1, $2, $3, $4, 'draft', $5, $6, $7, $8, $9, $10, $11, $11)",
				   "tttttttttti", id, in->tckn, in->institution,
				   application_kind_str(in->kind), in->form_json, nonempty(in->email),
				   nonempty(in->mobile), in->info_channel, word, access, now);
		if (r >= 0)
			r = app_history_add(db, id, NULL, "draft", "create", "portal", NULL, now);
		if (r >= 0)
			r = audit_append(db, true, actor, "application.create", id, "ok", details);
		r = db_end(db, r);
		if (r != -EEXIST)
			break;
		/* The open one (a double submission): tell its id. */
		r = application_find_same(db, in, in->claim, ret_id);
		if (r == 0) {
			*ret_refusal = REFUSAL_APPLICATION_OPEN;
			return -EACCES;
		}
		if (r != -ENOENT)
			return r;
		/* closed meanwhile: try once more */
	}
	if (r < 0)
		return r == -ENOENT ? -EEXIST : r;
	snprintf(ret_id, 33, "%s", id);
	return 0;
}

int application_find_same(struct db *db, const struct application_new *in, bool signed_only,
			  char ret_id[33])
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_query_one(db, &st, signed_only ?
			 "SELECT id FROM applications WHERE tckn = $1 AND institution = $2"
			 " AND kind = $3 AND state IN " APP_SIGNED_STATES :
			 "SELECT id FROM applications WHERE tckn = $1 AND institution = $2"
			 " AND kind = $3 AND state NOT IN " OPEN_STATES
			 " ORDER BY created_at DESC, id LIMIT 1", "ttt",
			 in->tckn, in->institution, application_kind_str(in->kind));
	if (r < 0)
		return r;
	snprintf(ret_id, 33, "%s", db_col_text(st, 0));
	return 0;
}

int application_update_form(struct db *db, const char *id, const struct application_new *in,
			    enum refusal *ret_refusal)
{
	_cleanup_free_ char *word = NULL;
	char norm[33];
	int r;

	if (id_norm(id, norm) < 0) {
		*ret_refusal = REFUSAL_NOT_FOUND;
		return -EACCES;
	}
	r = new_check(in);
	if (r < 0)
		return r;
	r = password_hash(in->security_word, &word);
	if (r < 0)
		return r;
	r = db_run(db, "UPDATE applications SET form = $1, email = $2, mobile = $3,"
		       " info_channel = $4, word_hash = $5, updated_at = $6"
		       " WHERE id = $7 AND state = 'draft'",
		   "tttttit", in->form_json, nonempty(in->email), nonempty(in->mobile),
		   in->info_channel, word, now_sec(), norm);
	if (r < 0)
		return r;
	if (r == 0) {
		struct application a;

		r = application_get(db, norm, &a);
		if (r < 0 && r != -ENOENT)
			return r;
		application_done(&a);
		*ret_refusal = r == -ENOENT ? REFUSAL_NOT_FOUND : REFUSAL_APPLICATION_STATE;
		return -EACCES;
	}
	return 0;
}

int application_access_check(struct db *db, const char *id, const char *password,
			     enum refusal *ret_refusal)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char norm[33];
	bool ok;
	int r;

	r = id_norm(id, norm);
	if (r == 0)
		r = db_query_one(db, &st, "SELECT access_hash FROM applications WHERE id = $1", "t",
				 norm);
	if (r == -ENOENT) {
		*ret_refusal = REFUSAL_NOT_FOUND;
		return -EACCES;
	}
	if (r < 0)
		return r;
	/* No parola set: the same work as a check (see apply-private.h). */
	ok = password &&
	     password_verify(password, db_col_text(st, 0) ? db_col_text(st, 0) : PASSWORD_DUMMY_HASH) &&
	     db_col_text(st, 0);
	if (!ok) {
		*ret_refusal = REFUSAL_APPLICATION_ACCESS;
		return -EACCES;
	}
	return 0;
}

int application_access_set(struct db *db, const char *id, const char *password,
			   enum refusal *ret_refusal)
{
	_cleanup_free_ char *h = NULL, *details = NULL;
	char norm[33];
	int r;

	if (!secret_len_ok(password))
		return -EINVAL;
	if (id_norm(id, norm) < 0) {
		*ret_refusal = REFUSAL_NOT_FOUND;
		return -EACCES;
	}
	r = password_hash(password, &h);
	if (r < 0)
		return r;
	r = db_begin(db);
	if (r < 0)
		return r;
	/* A claim's row is touched under the person's lock (see
	 * app_lock_person): the tckn first, read before the lock. */
	{
		_cleanup_stmt_ struct db_stmt *st = NULL;

		r = db_query_one(db, &st, "SELECT tckn FROM applications WHERE id = $1", "t", norm);
		if (r == 0)
			r = app_lock_person(db, db_col_text(st, 0));
	}
	if (r == 0)
		r = db_run(db, "UPDATE applications SET access_hash = $1, updated_at = $2"
			       " WHERE id = $3", "tit", h, now_sec(), norm);
	if (r == 0)
		r = -ENOENT;
	if (r > 0)
		r = audit_append(db, true, "portal", "application.access_set", norm, "ok", NULL);
	r = db_end(db, r);
	if (r == -ENOENT) {
		*ret_refusal = REFUSAL_NOT_FOUND;
		return -EACCES;
	}
	return r < 0 ? r : 0;
}

void application_history_free_array(struct application_history_row *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		free(a[i].operator);
		free(a[i].reason);
	}
	free(a);
}

int application_history(struct db *db, const char *id, struct application_history_row **ret,
			size_t *ret_n)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct application_history_row *a = NULL;
	struct application app;
	char norm[33];
	size_t n = 0;
	int r;

	r = application_get(db, id, &app);
	if (r < 0)
		return r;
	application_done(&app);
	id_norm(id, norm);
	r = db_select(db, &st, "SELECT seq, at, from_state, to_state, event, operator, reason"
			       " FROM application_history WHERE application_id = $1 ORDER BY seq",
		      "t", norm);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		struct application_history_row *na = realloc(a, (n + 1) * sizeof(*a));

		if (!na) {
			r = -ENOMEM;
			break;
		}
		a = na;
		memset(&a[n], 0, sizeof(a[n]));
		a[n].seq = db_col_int64(st, 0);
		a[n].at = db_col_int64(st, 1);
		snprintf(a[n].from, sizeof(a[n].from), "%s", db_col_text(st, 2) ?: "");
		snprintf(a[n].to, sizeof(a[n].to), "%s", db_col_text(st, 3));
		snprintf(a[n].event, sizeof(a[n].event), "%s", db_col_text(st, 4));
		n++;
		r = dup_col(st, 5, &a[n - 1].operator);
		if (r == 0)
			r = dup_col(st, 6, &a[n - 1].reason);
		if (r < 0)
			break;
	}
	if (r < 0) {
		application_history_free_array(a, n);
		return r;
	}
	*ret = a;
	*ret_n = n;
	return 0;
}

int application_add(struct db *db, const char *tckn, const char *kind, const char *state,
		    char ret_id[33])
{
	_cleanup_free_ char *details = NULL;
	enum application_kind k;
	enum application_state s;
	unsigned char b[16];
	int64_t now = now_sec();
	int r;

	if (application_kind_parse(kind, &k) < 0)
		return -EINVAL;
	if (streq_ptr(state, "waiting"))	/* the name before 014 */
		s = APP_WAITING_WINDOW;
	else if (application_state_parse(state, &s) < 0)
		return -EINVAL;
	r = random_bytes(b, sizeof(b));
	if (r < 0)
		return r;
	hex_encode(b, sizeof(b), ret_id);
	details = strdup_printf("{\"tckn\":\"%s\",\"kind\":\"%s\",\"state\":\"%s\"}", tckn,
				application_kind_str(k), application_state_str(s));
	if (!details)
		return -ENOMEM;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = db_run(db, "INSERT INTO applications (id, tckn, kind, state, created_at, updated_at)"
		       " VALUES ($1, $2, $3, $4, $5, $5)", "tttti", ret_id, tckn,
		   application_kind_str(k), application_state_str(s), now);
	if (r >= 0)
		r = app_history_add(db, ret_id, NULL, application_state_str(s), "create", "operator",
				    NULL, now);
	if (r >= 0)
		r = audit_append(db, true, "operator", "application.add", ret_id, "ok", details);
	r = db_end(db, r);
	if (r == -EIO)
		return -EINVAL;
	return r < 0 ? r : 0;
}

int64_t application_now(const struct config *cfg)
{
	return now_sec() + (cfg ? cfg->app_clock_offset : 0);
}
