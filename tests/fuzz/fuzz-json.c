/* fuzz-json.c - JSON request bodies as the HTTP layer reads them
 * (http_body_json): json_parse_object(), then the allowed-members check
 * of every route with a body list in the real route table, then the typed
 * getters the handlers use on each allowed member. */
#include "common/json.h"
#include "server/http.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *err = NULL;
	json_t *o = NULL;

	if (json_parse_object((const char *)data, size, &o, &err) < 0)
		return 0;
	for (size_t i = 0; i < routes_count; i++) {
		const char *bad = NULL;

		if (!routes[i].body)
			continue;
		if (json_check_keys(o, routes[i].body, &bad) < 0 && !bad)
			abort();	/* a refusal must name the member */
		for (const char *const *k = routes[i].body; *k; k++) {
			const char *s;
			int64_t n;
			bool b;

			if (json_get_str(o, *k, &s) == 0 && strlen(s) != json_string_length(json_object_get(o, *k)))
				abort();	/* an embedded NUL must be refused */
			(void)json_get_int(o, *k, &n);
			(void)json_get_bool(o, *k, &b);
		}
	}
	free(json_to_string(o));
	json_decref(o);
	return 0;
}
