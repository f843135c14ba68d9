/* json.c - jansson helpers: strict parsing of request bodies, typed getters.
 *
 * Every JSON body the server accepts goes through json_parse_object():
 * objects only, no duplicate keys, no NUL bytes inside strings. */
#include "common/json.h"

int json_parse_object(const char *buf, size_t n, json_t **ret, char **ret_err)
{
	json_error_t err;
	json_t *o;

	o = json_loadb(buf, n, JSON_REJECT_DUPLICATES, &err);
	if (!o) {
		/* jansson's text quotes the input "near '...'": a body may carry a
		 * code or a PIN, so only the reason before that goes out. */
		char *near = strstr(err.text, " near ");
		if (near)
			*near = '\0';
		if (ret_err)
			*ret_err = strdup_printf("malformed JSON at line %d column %d: %s",
						 err.line, err.column, err.text);
		return -EINVAL;
	}
	if (!json_is_object(o)) {
		json_decref(o);
		if (ret_err)
			*ret_err = strdup("the body must be a JSON object");
		return -EINVAL;
	}
	*ret = o;
	return 0;
}

int json_get_str(const json_t *o, const char *key, const char **ret)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return -ENOENT;
	if (!json_is_string(v))
		return -EINVAL;
	/* A string with an embedded NUL would be cut short by C code. */
	if (strlen(json_string_value(v)) != json_string_length(v))
		return -EINVAL;
	*ret = json_string_value(v);
	return 0;
}

int json_get_int(const json_t *o, const char *key, int64_t *ret)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return -ENOENT;
	if (!json_is_integer(v))
		return -EINVAL;
	*ret = json_integer_value(v);
	return 0;
}

int json_get_bool(const json_t *o, const char *key, bool *ret)
{
	json_t *v = json_object_get(o, key);

	if (!v || json_is_null(v))
		return -ENOENT;
	if (!json_is_boolean(v))
		return -EINVAL;
	*ret = json_is_true(v);
	return 0;
}

int json_check_keys(const json_t *o, const char *const *allowed, const char **ret_key)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		bool ok = false;
		for (const char *const *a = allowed; *a; a++)
			if (streq(*a, key)) {
				ok = true;
				break;
			}
		if (!ok) {
			if (ret_key)
				*ret_key = key;
			return -EINVAL;
		}
	}
	return 0;
}

char *json_to_string(const json_t *o)
{
	return json_dumps(o, JSON_COMPACT);
}
