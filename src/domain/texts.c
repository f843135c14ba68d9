/* texts.c - the versioned texts holders sign (table sign_texts).
 *
 * Used by the signing ceremony (the texts of a session) and by E-Onay (the
 * explanation the holder accepts).  A new wording is a new version; the
 * newest version whose valid_from has passed is the one in force. */
#include "domain/texts.h"

#include "common/json.h"

int sign_texts_load(struct db *db, const char *purpose, const char *ca_short_name,
		       int64_t *ret_version, json_t **ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	json_t *a;
	int64_t version;
	int r;

	r = db_query_int64(db, "SELECT MAX(version) FROM sign_texts WHERE purpose = $1"
			       " AND valid_from <= $2", "ti", &version,
			   purpose, now_sec());
	if (r < 0)
		return r;
	r = db_select(db, &st, "SELECT body FROM sign_texts WHERE purpose = $1 AND version = $2"
			   " ORDER BY idx", "ti", purpose, version);
	if (r < 0)
		return r;
	a = json_array();
	if (!a)
		return -ENOMEM;
	while ((r = db_step(st)) == 1) {
		const char *body = db_col_text(st, 0), *ca;
		_cleanup_free_ char *text = NULL;

		ca = strstr(body, "%CA%");
		text = ca ? strdup_printf("%.*s%s%s", (int)(ca - body), body, ca_short_name, ca + 4)
			  : strdup(body);
		if (!text || json_array_append_new(a, json_string(text)) < 0) {
			r = -ENOMEM;
			break;
		}
	}
	if (r < 0 || json_array_size(a) == 0) {
		json_decref(a);
		return r < 0 ? r : -ENOENT;
	}
	*ret_version = version;
	*ret = a;
	return 0;
}

