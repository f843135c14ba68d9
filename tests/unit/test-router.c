/* test-router.c - route matching (router.c): exact paths, {name} and
 * {name*} parameters, HEAD on GET routes, the Allow list of a known path
 * asked with another method; and in the real table (routes.c), that the
 * routes whose every request costs real work (an image, a PDF, an entry's
 * scrypt, a signing session) carry a per-address limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "server/http.h"

static int h_a(struct http_request *req) { return 0; }
static int h_b(struct http_request *req) { return 0; }

static const struct route table[] = {
	{ "GET", "/api/v1/session", h_a },
	{ "POST", "/api/v1/session", h_b },
	{ "DELETE", "/api/v1/session", h_b },
	{ "POST", "/api/v1/certificates/{serial}/hold", h_a },
	{ "GET", "/api/v1/certificates/{serial}", h_b },
	{ "GET", "/api/v1/issuers/{ca}/certificates/{serial}", h_a },
	{ "GET", "/ocsp/{request*}", h_a },
	{ "POST", "/ocsp", h_b },
	{ "GET", "/bad/{unclosed", h_a },
};

static struct http_request req;
static char allow[48];

static const struct route *find(const char *method, const char *path)
{
	return route_find(table, sizeof(table) / sizeof(*table), method, path, &req, allow,
			  sizeof(allow));
}

static int teardown(void **state)
{
	route_params_free(&req);
	return 0;
}

static void test_exact(void **state)
{
	assert_ptr_equal(find("GET", "/api/v1/session"), &table[0]);
	assert_ptr_equal(find("POST", "/api/v1/session"), &table[1]);
	assert_ptr_equal(find("DELETE", "/api/v1/session"), &table[2]);
	assert_int_equal(req.n_params, 0);
	assert_null(find("GET", "/api/v1/session/"));
	assert_string_equal(allow, "");
	assert_null(find("GET", "/api/v1/sessio"));
	assert_null(find("GET", "/api/v1/sessionx"));
	assert_null(find("GET", ""));
}

static void test_head_on_get(void **state)
{
	assert_ptr_equal(find("HEAD", "/api/v1/session"), &table[0]);
	assert_ptr_equal(find("HEAD", "/ocsp/abc"), &table[6]);
	assert_null(find("HEAD", "/ocsp"));
	assert_string_equal(allow, "POST");
}

static void test_allow(void **state)
{
	assert_null(find("PUT", "/api/v1/session"));
	assert_string_equal(allow, "GET, HEAD, POST, DELETE");
	assert_null(find("OPTIONS", "/api/v1/certificates/12AB/hold"));
	assert_string_equal(allow, "POST");
	assert_null(find("POST", "/api/v1/certificates/12AB"));
	assert_string_equal(allow, "GET, HEAD");
}

static void test_params(void **state)
{
	assert_ptr_equal(find("POST", "/api/v1/certificates/12AB/hold"), &table[3]);
	assert_int_equal(req.n_params, 1);
	assert_string_equal(http_param(&req, "serial"), "12AB");
	assert_null(http_param(&req, "seria"));
	assert_null(http_param(&req, "serials"));
	assert_ptr_equal(find("GET", "/api/v1/issuers/root-2026/certificates/0F"), &table[5]);
	assert_int_equal(req.n_params, 2);
	assert_string_equal(http_param(&req, "ca"), "root-2026");
	assert_string_equal(http_param(&req, "serial"), "0F");
	/* A parameter is one non-empty segment. */
	assert_null(find("POST", "/api/v1/certificates//hold"));
	assert_null(find("POST", "/api/v1/certificates/1/2/hold"));
	assert_null(find("GET", "/api/v1/certificates/"));
	assert_ptr_equal(find("GET", "/api/v1/certificates/1"), &table[4]);
	assert_string_equal(http_param(&req, "serial"), "1");
}

static void test_rest_param(void **state)
{
	/* Base64 OCSP requests contain '/'. */
	assert_ptr_equal(find("GET", "/ocsp/MEQw/QjBA+MD4="), &table[6]);
	assert_string_equal(http_param(&req, "request"), "MEQw/QjBA+MD4=");
	assert_ptr_equal(find("GET", "/ocsp/"), &table[6]);
	assert_string_equal(http_param(&req, "request"), "");
	assert_null(find("GET", "/ocspx/a"));
}

static void test_bad_pattern(void **state)
{
	assert_null(find("GET", "/bad/{unclosed"));
	assert_null(find("GET", "/bad/x"));
}

static void test_costly_routes_limited(void **state)
{
	static const struct {
		const char *method, *path;
	} costly[] = {
		{ "POST", "/api/v1/basvuru/captcha" },	/* a cairo image */
		{ "GET", "/api/v1/basvuru/pdf" },	/* a pango PDF */
		{ "POST", "/api/v1/basvuru/giris" },	/* registry match, scrypt of a parola */
		{ "POST", "/api/v1/basvuru/parola-unuttum" },
		{ "POST", "/api/v1/basvuru/yontem" },	/* a signing session */
	};

	for (size_t i = 0; i < sizeof(costly) / sizeof(*costly); i++) {
		const struct route *r = route_find(routes, routes_count, costly[i].method, costly[i].path,
						   &req, allow, sizeof(allow));

		assert_non_null(r);
		if (r->limit == LIMIT_NONE)
			fail_msg("%s %s has no per-address limit", costly[i].method, costly[i].path);
		route_params_free(&req);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exact),
		cmocka_unit_test(test_head_on_get),
		cmocka_unit_test(test_allow),
		cmocka_unit_test(test_params),
		cmocka_unit_test(test_rest_param),
		cmocka_unit_test(test_bad_pattern),
		cmocka_unit_test(test_costly_routes_limited),
	};
	return cmocka_run_group_tests(tests, NULL, teardown);
}
