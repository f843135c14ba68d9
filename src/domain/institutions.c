/* institutions.c - institutions and their staff lists (see
 * institutions.h).  The institutions table is 002's (id = the code), with
 * the address 014 added; institution_put() in certs.c stays for callers
 * that only know a name. */
#include "domain/institutions.h"

#include <stdio.h>

#include "common/tckn.h"
#include "domain/csv.h"

#define STAFF_MAX_ERRORS 20

void institution_done(struct institution *i)
{
	if (!i)
		return;
	free(i->name);
	free(i->address);
	i->name = i->address = NULL;
}

void institution_free_array(struct institution *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++)
		institution_done(&a[i]);
	free(a);
}

bool institution_code_ok(const char *code)
{
	size_t n = code ? strlen(code) : 0;

	if (n < 1 || n > 32)
		return false;
	for (const char *p = code; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	return true;
}

int institution_set(struct db *db, const char *code, const char *name, const char *address)
{
	int r;

	if (!institution_code_ok(code) || !name || !*name)
		return -EINVAL;
	r = db_run(db, "INSERT INTO institutions (id, name, address, created_at)"
		       " VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET name = excluded.name,"
		       " address = COALESCE(excluded.address, institutions.address)",
		   "ttti", code, name, address, now_sec());
	return r < 0 ? r : 0;
}

static int institution_from_row(struct db_stmt *st, struct institution *ret)
{
	struct institution i = { 0 };

	snprintf(i.code, sizeof(i.code), "%s", db_col_text(st, 0));
	i.name = strdup(db_col_text(st, 1));
	i.address = db_col_text(st, 2) ? strdup(db_col_text(st, 2)) : NULL;
	i.created_at = db_col_int64(st, 3);
	if (!i.name || (!i.address && db_col_text(st, 2))) {
		institution_done(&i);
		return -ENOMEM;
	}
	*ret = i;
	return 0;
}

int institution_get(struct db *db, const char *code, struct institution *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_query_one(db, &st, "SELECT id, name, address, created_at FROM institutions"
				  " WHERE id = $1", "t", code);
	return r < 0 ? r : institution_from_row(st, ret);
}

int institution_list(struct db *db, struct institution **ret, size_t *ret_n)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct institution *a = NULL;
	size_t n = 0;
	int r;

	r = db_select(db, &st, "SELECT id, name, address, created_at FROM institutions"
			       " ORDER BY id", "");
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		struct institution *na = realloc(a, (n + 1) * sizeof(*a));

		if (!na) {
			r = -ENOMEM;
			break;
		}
		a = na;
		r = institution_from_row(st, &a[n]);
		if (r < 0)
			break;
		n++;
	}
	if (r < 0) {
		institution_free_array(a, n);
		return r;
	}
	*ret = a;
	*ret_n = n;
	return 0;
}

void staff_record_done(struct staff_record *s)
{
	if (!s)
		return;
	free(s->sicil);
	free(s->birim);
	free(s->unvan);
	s->sicil = s->birim = s->unvan = NULL;
}

static const char *nonempty(const char *s)
{
	return s && *s ? s : NULL;
}

int staff_put(struct db *db, const struct staff_record *s)
{
	_cleanup_free_ char *sicil = NULL;
	int r;

	if (!tckn_valid(s->tckn) || !s->sicil || !csv_text_ok(s->sicil) ||
	    !csv_text_ok(s->birim) || !csv_text_ok(s->unvan) ||
	    registry_fold(s->sicil, &sicil) < 0 || !*sicil || strlen(sicil) > 64)
		return -EINVAL;
	r = db_run(db, "INSERT INTO staff (institution, tckn, sicil, birim, unvan, updated_at)"
		       " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (institution, tckn) DO UPDATE"
		       " SET sicil = excluded.sicil, birim = excluded.birim, unvan = excluded.unvan,"
		       " updated_at = excluded.updated_at",
		   "ttttti", s->institution, s->tckn, sicil, nonempty(s->birim),
		   nonempty(s->unvan), now_sec());
	if (r == -EINVAL)
		return -ENOENT;	/* the foreign key: no such institution */
	return r < 0 ? r : 0;
}

int staff_import(struct db *db, const char *code, FILE *f, size_t *ret_n, char **ret_errors)
{
	struct csv_reader rd = { .f = f };
	_cleanup_free_ char *errors = NULL;
	struct institution inst;
	char **header = NULL;
	size_t nh = 0, bad = 0, n = 0;
	int it, is, ib, iu, r;

	r = institution_get(db, code, &inst);
	if (r < 0)
		return r;
	institution_done(&inst);
	r = csv_next(&rd);
	if (r <= 0) {
		r = csv_error(&errors, &bad, STAFF_MAX_ERRORS, rd.line ? rd.line : 1,
			      "%s", r == 0 ? "no header line" : rd.error ? rd.error : strerror(-r));
		goto out;
	}
	/* The header's fields live in rd's buffer: keep a copy of the names. */
	r = csv_fields_copy(&rd, &header, &nh);
	if (r < 0)
		goto out;
	it = csv_column(header, nh, "tckn");
	is = csv_column(header, nh, "sicil");
	ib = csv_column(header, nh, "birim");
	iu = csv_column(header, nh, "unvan");
	if (it < 0 || is < 0) {
		r = csv_error(&errors, &bad, STAFF_MAX_ERRORS, 1,
			      "the header needs the columns 'tckn' and 'sicil'");
		goto out;
	}
	r = db_begin(db);
	if (r < 0)
		goto out;
	while ((r = csv_next(&rd)) == 1) {
		struct staff_record s = { 0 };

		if (rd.n != nh) {
			r = csv_error(&errors, &bad, STAFF_MAX_ERRORS, rd.line,
				      "%zu fields, the header has %zu", rd.n, nh);
		} else if (tckn_check(rd.fields[it]) != TCKN_OK) {
			r = csv_error(&errors, &bad, STAFF_MAX_ERRORS, rd.line,
				      "T.C. Kimlik No '%s': %s", rd.fields[it],
				      tckn_error_str(tckn_check(rd.fields[it])));
		} else if (!*rd.fields[is]) {
			r = csv_error(&errors, &bad, STAFF_MAX_ERRORS, rd.line, "no sicil");
		} else if (!bad) {
			snprintf(s.tckn, sizeof(s.tckn), "%s", rd.fields[it]);
			snprintf(s.institution, sizeof(s.institution), "%s", code);
			s.sicil = rd.fields[is];
			s.birim = ib >= 0 ? rd.fields[ib] : NULL;
			s.unvan = iu >= 0 ? rd.fields[iu] : NULL;
			r = staff_put(db, &s);
			if (r == -EINVAL)
				r = csv_error(&errors, &bad, STAFF_MAX_ERRORS, rd.line,
					      "sicil must be UTF-8 text of at most 64 bytes, and"
					      " no field may hold control characters");
			else if (r == 0)
				n++;
		}
		if (r < 0)
			break;
	}
	if (r == -EINVAL && !bad)
		r = csv_error(&errors, &bad, STAFF_MAX_ERRORS, rd.line, "%s",
				  rd.error ? rd.error : "unterminated quote");
	if (r >= 0 && bad)
		r = -EINVAL;
	r = db_end(db, r);
out:
	csv_fields_free(header, nh);
	csv_done(&rd);
	if (r >= 0 && bad)
		r = -EINVAL;
	if (r == -EINVAL && ret_errors)
		*ret_errors = TAKE_PTR(errors);
	if (r == 0 && ret_n)
		*ret_n = n;
	return r;
}

int staff_get(struct db *db, const char *code, const char *tckn, struct staff_record *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct staff_record s = { 0 };
	int r;

	r = db_query_one(db, &st, "SELECT sicil, birim, unvan FROM staff"
				  " WHERE institution = $1 AND tckn = $2", "tt", code, tckn);
	if (r < 0)
		return r;
	snprintf(s.tckn, sizeof(s.tckn), "%s", tckn);
	snprintf(s.institution, sizeof(s.institution), "%s", code);
	s.sicil = strdup(db_col_text(st, 0));
	s.birim = db_col_text(st, 1) ? strdup(db_col_text(st, 1)) : NULL;
	s.unvan = db_col_text(st, 2) ? strdup(db_col_text(st, 2)) : NULL;
	if (!s.sicil || (!s.birim && db_col_text(st, 1)) || (!s.unvan && db_col_text(st, 2))) {
		staff_record_done(&s);
		return -ENOMEM;
	}
	*ret = s;
	return 0;
}

int staff_match(struct db *db, const char *code, const char *tckn, const char *sicil,
		struct registry_person *ret_person, struct staff_record *ret_staff,
		enum refusal *ret_refusal)
{
	_cleanup_free_ char *typed = NULL;
	struct registry_person p = { 0 };
	struct staff_record s = { 0 };
	struct institution inst;
	bool ok;
	int r;

	if (!institution_code_ok(code)) {
		*ret_refusal = REFUSAL_INSTITUTION_UNKNOWN;
		return -EACCES;
	}
	r = institution_get(db, code, &inst);
	if (r == -ENOENT) {
		*ret_refusal = REFUSAL_INSTITUTION_UNKNOWN;
		return -EACCES;
	}
	if (r < 0)
		return r;
	institution_done(&inst);
	ok = tckn && tckn_valid(tckn) && sicil && registry_fold(sicil, &typed) == 0;
	r = ok ? staff_get(db, code, tckn, &s) : -ENOENT;
	if (r < 0 && r != -ENOENT)
		return r;
	ok &= r == 0 && streq_ct(typed, s.sicil);
	r = ok ? registry_get(db, tckn, &p) : -ENOENT;
	if (r < 0 && r != -ENOENT) {
		staff_record_done(&s);
		return r;
	}
	ok &= r == 0 && p.alive;
	if (!ok) {
		staff_record_done(&s);
		registry_person_done(&p);
		*ret_refusal = REFUSAL_APPLY_IDENTITY;
		return -EACCES;
	}
	if (ret_person)
		*ret_person = p;
	else
		registry_person_done(&p);
	if (ret_staff)
		*ret_staff = s;
	else
		staff_record_done(&s);
	return 0;
}
