/* fuzz-appform.c - the Başvuru Formu as the portal receives it (POST
 * /api/v1/basvuru/form): the body's "form" object through the field
 * table's checks (appform_validate), then what is made of a form that
 * passed: the summary the applicant signs (appdoc_summary).  Invariants:
 * a passing form has every required field and no error; every error
 * names a field of the table. */
#include "common/json.h"
#include "domain/appdoc.h"
#include "domain/appform.h"

#include "fuzz.h"

static const struct appform_fixed FX = {
	.tckn = "10000000214", .given_name = "MEHMET", .surname = "KAYA",
	.birth_place = "ANKARA", .birth_date = "17.05.1980",
	.institution_name = "T.C. Millî Eğitim Bakanlığı",
};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *err = NULL, *sum = NULL;
	json_t *o = NULL, *clean = NULL, *errors = NULL, *v;
	const char *k;

	if (json_parse_object((const char *)data, size, &o, &err) < 0)
		return 0;
	if (appform_validate(json_object_get(o, "form") ?: o, &FX, &clean, &errors) < 0)
		abort();
	json_object_foreach(errors, k, v)
		if (!appform_label(k) || !json_is_string(v))
			abort();
	if (json_object_size(errors) == 0) {
		if (!json_object_get(clean, "mobile") || !json_object_get(clean, "postal_code") ||
		    strlen(json_string_value(json_object_get(clean, "postal_code"))) != 5)
			abort();
		json_object_del(clean, "word");
		if (appdoc_summary(clean, "0123456789abcdef", &sum) < 0)
			abort();
	}
	json_decref(clean);
	json_decref(errors);
	json_decref(o);
	return 0;
}
