/* registry.h - the population registry (the MERNIS stand-in): who a
 * person is, by T.C. Kimlik No.  Loaded by `eonayctl registry import`;
 * the application portal matches what a person types against it.
 *
 * Matching ignores Turkish case (i/İ, ı/I, and the other letters a name
 * may hold) and surrounding spaces, nothing else: "  mehmet " matches
 * "MEHMET", "MEHMED" does not.  A mismatch in any field, an unknown T.C.
 * Kimlik No and a dead person are the same refusal (apply_identity): the
 * answer never tells which field was wrong. */
#pragma once
#include <stdio.h>

#include "domain/refusal.h"
#include "store/db.h"

struct registry_person {
	char tckn[12];
	char *ad, *soyad, *dogum_yeri;	/* as imported (trimmed), UTF-8 */
	char dogum_tarihi[11];		/* YYYY-MM-DD */
	bool alive;
};
void registry_person_done(struct registry_person *p);

/* A date of birth "DD.MM.YYYY" (or "YYYY-MM-DD"), surrounding spaces
 * ignored, into "YYYY-MM-DD" (a real calendar day, year 1900..2100).
 * -EINVAL otherwise. */
int registry_date_parse(const char *s, char ret[11]);

/* s without surrounding spaces, in Turkish upper case (malloc'ed): the
 * form names are compared in.  -EINVAL for invalid UTF-8. */
int registry_fold(const char *s, char **ret);

/* Inserts or updates one person (fields trimmed; tckn must pass its check
 * digits; dogum_tarihi in either form of registry_date_parse).  -EINVAL
 * for a bad field.  Use inside a transaction or alone. */
int registry_put(struct db *db, const struct registry_person *p);

/* -ENOENT when unknown. */
int registry_get(struct db *db, const char *tckn, struct registry_person *ret);

/* Imports a CSV (UTF-8, a header line naming the columns, comma
 * separated, optional double quotes): tckn, ad, soyad, dogum_yeri,
 * dogum_tarihi (DD.MM.YYYY) and, optionally, alive (1/0, true/false,
 * evet/hayır; default alive).  Column order is taken from the header.
 * Idempotent upsert, in ONE transaction: either every line is imported or
 * none.  *ret_n: persons imported.  A bad line is -EINVAL, with
 * *ret_errors (malloc'ed, English, one "line N: reason" per line, the
 * first 20 bad lines) and nothing imported. */
int registry_import(struct db *db, FILE *f, size_t *ret_n, char **ret_errors);

/* Whether the person typed matches the registry: every field must match
 * (see the top; dogum_tarihi in either form of registry_date_parse).  0
 * with *ret (may be NULL) filled; -EACCES with apply_identity for an
 * unknown T.C. Kimlik No, a mismatch in any field, a malformed field or a
 * dead person. */
int registry_match(struct db *db, const char *tckn, const char *ad, const char *soyad,
		   const char *dogum_yeri, const char *dogum_tarihi, struct registry_person *ret,
		   enum refusal *ret_refusal);

/* Number of persons (for status and tests). */
int registry_count(struct db *db, int64_t *ret);
