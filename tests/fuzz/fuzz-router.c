/* fuzz-router.c - the route matcher (server/router.c) on the real route
 * table: method (first line) and decoded path (the rest), then the path
 * parameters read back. */
#include "server/http.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_str(data, size);
	char *p = s, *method = fuzz_part(&p), *path = p ? p : "";
	struct http_request req = { 0 };
	char allow[128];
	const struct route *rt;

	rt = route_find(routes, routes_count, method, path, &req, allow, sizeof(allow));
	if (rt) {
		const char *v = http_param(&req, "request");

		if (v && strlen(v) > strlen(path))
			abort();
		(void)http_param(&req, "code");
		(void)http_param(&req, "name");
	} else if (strlen(allow) >= sizeof(allow))
		abort();
	route_params_free(&req);
	return 0;
}
