/* institutions.h - institutions (kurumlar) whose staff apply for
 * certificates through their own portal (/basvuru/<code>), and each
 * institution's staff list (T.C. Kimlik No, sicil no, birim, ünvan),
 * imported from CSV and used to recognise and pre-fill an applicant.
 *
 * An institution code is 1..32 of [a-z0-9_-] ("meb"). */
#pragma once
#include <stdio.h>

#include "domain/refusal.h"
#include "domain/registry.h"
#include "store/db.h"

struct institution {
	char code[33];
	char *name, *address;	/* address may be NULL */
	int64_t created_at;
};
void institution_done(struct institution *i);
void institution_free_array(struct institution *a, size_t n);

/* Whether code is a valid institution code (see the top). */
bool institution_code_ok(const char *code);

/* Inserts the institution or updates its name and address (address NULL:
 * kept).  -EINVAL for a bad code or an empty name. */
int institution_set(struct db *db, const char *code, const char *name, const char *address);
/* -ENOENT when unknown. */
int institution_get(struct db *db, const char *code, struct institution *ret);
/* All institutions by code. */
int institution_list(struct db *db, struct institution **ret, size_t *ret_n);

struct staff_record {
	char tckn[12];
	char institution[33];
	char *sicil, *birim, *unvan;	/* birim, unvan may be NULL */
};
void staff_record_done(struct staff_record *s);

/* Imports the staff list of institution code from a CSV (header line;
 * columns tckn, sicil and optionally birim, unvan; any order), upserting
 * by (institution, tckn), in ONE transaction.  -ENOENT for an unknown
 * institution; -EINVAL for bad lines with *ret_errors as registry_import
 * (nothing imported).  *ret_n: rows imported. */
int staff_import(struct db *db, const char *code, FILE *f, size_t *ret_n, char **ret_errors);
/* Inserts or updates one staff row.  -EINVAL for a bad field, -ENOENT for
 * an unknown institution. */
int staff_put(struct db *db, const struct staff_record *s);

/* T.C. Kimlik No + sicil no against institution code's staff list (sicil
 * compared as registry_fold does: case and surrounding spaces ignored).
 * The person must also be in the registry and alive.  0 with the registry
 * person (*ret_person, may be NULL) and the staff row (*ret_staff, may be
 * NULL) for pre-filling the form.  Refusals (-EACCES): institution_unknown;
 * apply_identity (not on the list, wrong sicil, not in the registry, dead:
 * one answer). */
int staff_match(struct db *db, const char *code, const char *tckn, const char *sicil,
		struct registry_person *ret_person, struct staff_record *ret_staff,
		enum refusal *ret_refusal);

/* The staff row of tckn at institution code, if any (-ENOENT). */
int staff_get(struct db *db, const char *code, const char *tckn, struct staff_record *ret);
