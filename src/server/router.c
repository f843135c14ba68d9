/* router.c - matching a request's method and path against the route table
 * (see struct route in http.h).  No libmicrohttpd calls: tests/unit runs
 * it on its own tables. */
#include <stdio.h>

#include "server/http.h"

struct capture {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

/* Whether path matches the pattern; the captures go to cap (at most
 * HTTP_MAX_PARAMS, *n_cap their count). */
static bool match(const char *pattern, const char *path, struct capture *cap, size_t *n_cap)
{
	const char *p = pattern, *q = path;

	*n_cap = 0;
	while (*p) {
		const char *end;
		size_t len;
		bool rest;

		if (*p != '{') {
			if (*p != *q)
				return false;
			p++, q++;
			continue;
		}
		end = strchr(p, '}');
		if (!end || *n_cap >= HTTP_MAX_PARAMS)
			return false;	/* a bad pattern matches nothing */
		rest = end[-1] == '*';
		len = rest ? strlen(q) : strcspn(q, "/");
		if (!rest && len == 0)
			return false;
		cap[*n_cap] = (struct capture){ p + 1, (size_t)(end - p - 1 - rest), q, len };
		(*n_cap)++;
		q += len;
		p = end + 1;
	}
	return *q == '\0';
}

static bool method_matches(const char *route, const char *method)
{
	return streq(route, method) || (streq(route, "GET") && streq(method, "HEAD"));
}

static void allow_add(char *allow, size_t n, const char *method)
{
	size_t len = strlen(allow), m = strlen(method);

	for (const char *p = allow; (p = strstr(p, method)); p += m)
		if ((p == allow || p[-1] == ' ') && (p[m] == ',' || p[m] == '\0'))
			return;
	snprintf(allow + len, n - len, "%s%s", len ? ", " : "", method);
}

void route_params_free(struct http_request *req)
{
	for (size_t i = 0; i < req->n_params; i++)
		free(req->params[i].value);
	req->n_params = 0;
}

const struct route *route_find(const struct route *table, size_t n, const char *method,
			       const char *path, struct http_request *req, char *ret_allow,
			       size_t allow_len)
{
	struct capture cap[HTTP_MAX_PARAMS];
	size_t n_cap;

	ret_allow[0] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (!match(table[i].path, path, cap, &n_cap))
			continue;
		if (!method_matches(table[i].method, method)) {
			allow_add(ret_allow, allow_len, table[i].method);
			if (streq(table[i].method, "GET"))
				allow_add(ret_allow, allow_len, "HEAD");
			continue;
		}
		route_params_free(req);
		for (size_t k = 0; k < n_cap; k++) {
			char *v = strndup(cap[k].value, cap[k].value_len);

			if (!v) {
				route_params_free(req);
				return NULL;
			}
			req->params[k].name = cap[k].name;
			req->params[k].name_len = cap[k].name_len;
			req->params[k].value = v;
			req->n_params = k + 1;
		}
		return &table[i];
	}
	return NULL;
}

const char *http_param(struct http_request *req, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < req->n_params; i++)
		if (req->params[i].name_len == len && memcmp(req->params[i].name, name, len) == 0)
			return req->params[i].value;
	return NULL;
}
