/* appform.h - the application form (Başvuru Formu, seeds 002 and 004),
 * described once.
 *
 * One table (appform.c) names every field: its API name, Turkish label,
 * section, type, whether it is required, the rule it must pass and the
 * Turkish message shown next to it when it does not.  The same table
 * validates on the server (appform_validate) and drives the page: the
 * page asks GET /api/v1/basvuru/form for appform_describe() and builds the
 * form from it, so no field is checked by hand twice.
 *
 * Identity and institution fields are "fixed": the server fills them from
 * the registry / the institution and never takes them from the browser. */
#pragma once
#include <jansson.h>

/* What the server fills in (read-only on the page). */
struct appform_fixed {
	const char *tckn, *given_name, *surname, *birth_place, *birth_date;
	const char *institution_name;
	const char *sicil;	/* from the staff list, or NULL: typed */
	const char *unit, *title;	/* staff list defaults, or NULL */
};

/* The field table as JSON for the page:
 * {"sections":[...], "fields":[{"name","label","section","type","required",
 *   "options":[{"value","label"}]?, "depends_on"?, "maxlength"?, "help"?,
 *   "message", "inputmode"?}], "places": {"IL": ["İLÇE", ...]}}.
 * fixed (may be NULL) gives the read-only values ("value"). */
int appform_describe(const struct appform_fixed *fixed, json_t **ret);

/* Checks every field of in (a JSON object of strings) against the table.
 * *ret_clean: the normalised values of every field (phones as 10 digits,
 * e-mail lower-case, names upper-case; fixed fields from fixed; the
 * güvenlik sözcüğü as typed, once — the caller hashes it).  *ret_errors:
 * {"field": "Turkish message"} for each field in error (empty when all
 * pass).  Members of in that are not fields are ignored.  0, or -ENOMEM. */
int appform_validate(const json_t *in, const struct appform_fixed *fixed, json_t **ret_clean,
		     json_t **ret_errors);

/* A field's Turkish label ("Posta Kodu"); NULL for an unknown name. */
const char *appform_label(const char *name);
/* The message shown under a field whose value is refused ("Cep telefonunu
 * 5 ile başlayan 10 rakam olarak yazınız ..." for mobile); NULL for an
 * unknown field. */
const char *appform_error(const char *name);
/* A cep number as the form keeps it: 10 digits starting with 5, from any
 * way of writing it (spaces, dashes, a leading 0 or +90).  -EINVAL when
 * it is none. */
int appform_mobile_norm(const char *s, char ret[11]);
/* The label of value for a field with options ("Kayıp Çalıntı" for
 * reason "lost"); value itself otherwise. */
const char *appform_value_label(const char *name, const char *value);

/* The fields in form order, for summaries (the signed text, the PDF):
 * calls fn(name, label, section) for each field that is shown. */
void appform_foreach(void (*fn)(const char *name, const char *label, const char *section,
				void *userdata),
		     void *userdata);

/* Places (appform-places.c): the 81 il with their plate numbers, and the
 * ilçe of the il that have a list (ANKARA, İSTANBUL, İZMİR, ...; every
 * other il offers MERKEZ only). */
struct appform_il {
	const char *name;	/* upper-case Turkish: "ANKARA" */
	int plate;		/* 6; postal codes start with it */
	const char *const *ilce;	/* NULL-terminated, Turkish order */
};
extern const struct appform_il appform_iller[];
extern const size_t appform_iller_count;
const struct appform_il *appform_il_find(const char *name);
