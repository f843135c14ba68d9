/* test-server.c - eonayd end to end: a real server process on a free port
 * with a fresh data directory, spoken to over HTTP with libcurl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "store/db.h"

static struct srv S;
static const char *data;

static int group_setup(void **state)
{
	data = tmpdir_new();
	return srv_start(&S, data, NULL);
}

static int group_teardown(void **state)
{
	srv_stop(&S, false);
	tmpdir_remove(data);
	return 0;
}

static void get(const char *path, struct resp *r)
{
	char url[512];

	snprintf(url, sizeof(url), "%s%s", S.url, path);
	assert_int_equal(http_do("GET", url, NULL, 0, NULL, NULL, r), 0);
}

static void assert_error_shape(const struct resp *r, const char *code)
{
	char want[128];

	snprintf(want, sizeof(want), "{\"error\":{\"code\":\"%s\",\"message\":\"", code);
	if (strncmp(r->body, want, strlen(want)) != 0)
		fail_msg("expected error %s, got %ld %s", code, r->status, r->body);
}

static void test_help_of_every_binary(void **state)
{
	static const char *const bins[] = { "eonayd", "eimza", "eonayctl" };
	char *out;

	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(run_cmd(&out, "%s --help", bin_path(bins[i])), 0);
		assert_true(strstr(out, "Usage:") || strstr(out, "Kullanım:"));	/* eimza: Turkish */
		free(out);
		assert_int_equal(run_cmd(&out, "%s --version", bin_path(bins[i])), 0);
		assert_non_null(strstr(out, bins[i]));
		free(out);
		assert_int_not_equal(run_cmd(&out, "%s --no-such-option", bin_path(bins[i])), 0);
		free(out);
	}
}

static void test_healthz(void **state)
{
	struct resp r;

	get("/healthz", &r);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"status\":\"ok\""));
	resp_done(&r);
}

/* /healthz asks the store at most once a second (api-health.c) and still
 * follows it: a schema newer than this eonayd turns it 503 within about a
 * second, and back to 200 when it goes. */
static void test_healthz_follows_the_store(void **state)
{
	struct db *db;
	struct resp r;
	uint64_t t0, t1, waited;
	int status;

	assert_int_equal(db_open(store_target(data), 1000, &db), 0);
	get("/healthz", &r);
	assert_int_equal(r.status, 200);
	resp_done(&r);
	t0 = now_usec_mono();
	assert_int_equal(db_run(db, "INSERT INTO schema_migrations VALUES (999, 'future', 0)",
				NULL), 1);
	get("/healthz", &r);
	t1 = now_usec_mono();
	status = r.status;
	resp_done(&r);
	/* Checked before the row came in, less than a second ago: not asked. */
	if (t1 - t0 < 500000)
		assert_int_equal(status, 200);
	while (status != 503 && now_usec_mono() - t0 < 3000000) {
		usleep(50000);
		get("/healthz", &r);
		status = r.status;
		resp_done(&r);
	}
	waited = now_usec_mono() - t0;
	print_message("503 after %llu ms\n", (unsigned long long)(waited / 1000));
	assert_int_equal(status, 503);
	assert_int_equal(db_run(db, "DELETE FROM schema_migrations WHERE version = 999", NULL), 1);
	db_close(db);
	t0 = now_usec_mono();
	while (status != 200 && now_usec_mono() - t0 < 3000000) {
		usleep(50000);
		get("/healthz", &r);
		status = r.status;
		resp_done(&r);
	}
	assert_int_equal(status, 200);
}

static void test_security_headers_on_every_answer(void **state)
{
	static const char *const paths[] = { "/healthz", "/", "/nope", "/api/v1/nope",
					     "/api/v1/session" };
	for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
		struct resp r;
		char *csp, *nosniff, *ref, *rid;

		get(paths[i], &r);
		csp = resp_header(&r, "Content-Security-Policy");
		nosniff = resp_header(&r, "X-Content-Type-Options");
		ref = resp_header(&r, "Referrer-Policy");
		rid = resp_header(&r, "X-Request-Id");
		assert_non_null(csp);
		assert_non_null(strstr(csp, "frame-ancestors 'none'"));
		assert_non_null(strstr(csp, "script-src 'self'"));
		assert_null(strstr(csp, "unsafe-inline"));
		assert_string_equal(nosniff, "nosniff");
		assert_string_equal(ref, "no-referrer");
		assert_int_equal(strlen(rid), 16);
		free(csp);
		free(nosniff);
		free(ref);
		free(rid);
		resp_done(&r);
	}
}

static void test_malformed_json_is_400(void **state)
{
	static const char *const bodies[] = { "{bad", "[1,2,3]", "\"x\"", "{\"a\":1,\"a\":2}",
					      "\x01\x02\x03", "{\"unknown\":1}" };
	static const char *const h[] = { "Content-Type: application/json", NULL };
	char url[128];

	snprintf(url, sizeof(url), "%s/api/v1/session", S.url);
	for (size_t i = 0; i < ELEMENTSOF(bodies); i++) {
		struct resp r;

		assert_int_equal(http_do("POST", url, bodies[i], strlen(bodies[i]), h, NULL, &r), 0);
		assert_int_equal(r.status, 400);
		assert_error_shape(&r, i == 5 ? "unknown_field" : "malformed_json");
		resp_done(&r);
	}
	/* A body that is not JSON at all. */
	static const char *const ht[] = { "Content-Type: text/plain", NULL };
	struct resp r;
	assert_int_equal(http_do("POST", url, "hello", 5, ht, NULL, &r), 0);
	assert_int_equal(r.status, 415);
	assert_error_shape(&r, "unsupported_media_type");
	resp_done(&r);
}

static void test_oversized_body_is_413(void **state)
{
	static const char *const h[] = { "Content-Type: application/json", NULL };
	static const char *const chunked[] = { "Content-Type: application/json",
					       "Transfer-Encoding: chunked", NULL };
	size_t n = 200000;
	char *big = malloc(n), url[128];
	struct resp r;

	memset(big, ' ', n);
	big[0] = '{';
	big[n - 1] = '}';
	snprintf(url, sizeof(url), "%s/api/v1/session", S.url);
	assert_int_equal(http_do("POST", url, big, n, h, NULL, &r), 0);
	assert_int_equal(r.status, 413);
	assert_error_shape(&r, "body_too_large");
	resp_done(&r);
	/* Without Content-Length the limit still holds. */
	assert_int_equal(http_do("POST", url, big, n, chunked, NULL, &r), 0);
	assert_int_equal(r.status, 413);
	assert_error_shape(&r, "body_too_large");
	resp_done(&r);
	free(big);
	/* A huge announced body is refused before it is sent. */
	static const char *const huge[] = { "Content-Type: application/json",
					    "Content-Length: 900000000", NULL };
	assert_int_equal(http_do("POST", url, "{}", 2, huge, NULL, &r), 0);
	assert_int_equal(r.status, 413);
	resp_done(&r);
	/* The server is still fine afterwards. */
	get("/healthz", &r);
	assert_int_equal(r.status, 200);
	resp_done(&r);
}

static void test_path_traversal_is_404(void **state)
{
	static const char *const paths[] = {
		"/../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd", "/..%2f..%2fetc%2fpasswd",
		"/css/../../meson.build", "/.git/config", "/%2e/index.html", "//etc/passwd",
		"/index.html%00.css", "/..\\..\\etc\\passwd", "/.hidden.html",
	};
	for (size_t i = 0; i < ELEMENTSOF(paths); i++) {
		struct resp r;

		get(paths[i], &r);
		if (r.status != 404)
			fail_msg("%s: expected 404, got %ld", paths[i], r.status);
		assert_null(strstr(r.body, "root:"));
		resp_done(&r);
	}
}

static void test_unknown_api_and_methods(void **state)
{
	struct resp r;
	char url[128];

	get("/api/v1/nothing-here", &r);
	assert_int_equal(r.status, 404);
	assert_error_shape(&r, "not_found");
	resp_done(&r);
	snprintf(url, sizeof(url), "%s/healthz", S.url);
	assert_int_equal(http_do("PUT", url, "x", 1, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 405);
	assert_error_shape(&r, "method_not_allowed");
	resp_done(&r);
	snprintf(url, sizeof(url), "%s/index.html", S.url);
	assert_int_equal(http_do("POST", url, "x", 1, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 405);
	resp_done(&r);
}

static void test_static_types_and_caching(void **state)
{
	struct resp r, r2;
	char *ct, *etag, *cc, inm[200], url[128];
	const char *h[2] = { inm, NULL };

	get("/", &r);
	assert_int_equal(r.status, 200);
	ct = resp_header(&r, "Content-Type");
	cc = resp_header(&r, "Cache-Control");
	etag = resp_header(&r, "ETag");
	assert_string_equal(ct, "text/html; charset=utf-8");
	assert_string_equal(cc, "no-cache");
	assert_non_null(etag);
	snprintf(inm, sizeof(inm), "If-None-Match: %s", etag);
	snprintf(url, sizeof(url), "%s/", S.url);
	assert_int_equal(http_do("GET", url, NULL, 0, h, NULL, &r2), 0);
	assert_int_equal(r2.status, 304);
	assert_int_equal(r2.len, 0);
	free(ct);
	free(cc);
	free(etag);
	resp_done(&r);
	resp_done(&r2);
}

/* Pages are whole when served: their shared parts included, the menu
 * entry of the page marked, the parts themselves not served. */
static void test_pages_include_their_parts(void **state)
{
	static const struct {
		const char *path, *current;
	} pages[] = {
		{ "/", "href=\"/\" aria-current=\"page\"" },
		{ "/giris", "href=\"/giris.html\" aria-current=\"page\"" },
		{ "/eimzali-giris.html", "href=\"/giris.html\" aria-current=\"page\"" },
		{ "/islemler.html", "href=\"/islemler.html\" aria-current=\"page\"" },
		{ "/eimza.html", "href=\"/eimza.html\" aria-current=\"page\"" },
	};
	struct resp r;

	for (size_t i = 0; i < sizeof(pages) / sizeof(pages[0]); i++) {
		get(pages[i].path, &r);
		assert_int_equal(r.status, 200);
		if (!strstr(r.body, "<meta charset=\"utf-8\">") ||
		    !strstr(r.body, "class=\"site-header\"") ||
		    !strstr(r.body, "class=\"site-footer\"") || !strstr(r.body, pages[i].current) ||
		    strstr(r.body, "<!--#") || strstr(r.body, "data-nav>") ||
		    strstr(strstr(r.body, "aria-current") + 1, "aria-current"))
			fail_msg("%s is not composed right:\n%s", pages[i].path, r.body);
		resp_done(&r);
	}
	get("/nope", &r);	/* the 404 page too */
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.body, "class=\"site-header\""));
	resp_done(&r);
	get("/partials/header.html", &r);
	assert_int_equal(r.status, 404);
	resp_done(&r);
	get("/partials/", &r);
	assert_int_equal(r.status, 404);
	resp_done(&r);
}

static void test_session_lifecycle_and_csrf(void **state)
{
	static const char *const json[] = { "Content-Type: application/json", NULL };
	char jar[300], url[128], hdr[128], *cookie;
	const char *csrf_h[2] = { hdr, NULL };
	struct resp r;
	char *p;

	snprintf(jar, sizeof(jar), "%s/cookies.txt", data);
	snprintf(url, sizeof(url), "%s/api/v1/session", S.url);
	assert_int_equal(http_do("GET", url, NULL, 0, NULL, jar, &r), 0);
	assert_int_equal(r.status, 401);
	resp_done(&r);

	assert_int_equal(http_do("POST", url, "{}", 2, json, jar, &r), 0);
	assert_int_equal(r.status, 201);
	cookie = resp_header(&r, "Set-Cookie");
	assert_non_null(strstr(cookie, "eonay_sid="));
	assert_non_null(strstr(cookie, "HttpOnly"));
	assert_non_null(strstr(cookie, "SameSite=Strict"));
	free(cookie);
	p = strstr(r.body, "\"csrf_token\":\"");
	assert_non_null(p);
	snprintf(hdr, sizeof(hdr), "X-CSRF-Token: %.43s", p + 14);
	resp_done(&r);

	assert_int_equal(http_do("GET", url, NULL, 0, NULL, jar, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"authenticated\":false"));
	resp_done(&r);

	/* Logout without the CSRF token, or with a wrong one, is refused. */
	assert_int_equal(http_do("DELETE", url, NULL, 0, NULL, jar, &r), 0);
	assert_int_equal(r.status, 403);
	assert_error_shape(&r, "csrf");
	resp_done(&r);
	static const char *const wrong[] = { "X-CSRF-Token: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL };
	assert_int_equal(http_do("DELETE", url, NULL, 0, wrong, jar, &r), 0);
	assert_int_equal(r.status, 403);
	resp_done(&r);

	assert_int_equal(http_do("DELETE", url, NULL, 0, csrf_h, jar, &r), 0);
	assert_int_equal(r.status, 200);
	resp_done(&r);
	assert_int_equal(http_do("GET", url, NULL, 0, NULL, jar, &r), 0);
	assert_int_equal(r.status, 401);
	resp_done(&r);
}

static void test_second_start_on_same_data(void **state)
{
	struct srv s2;
	const char *d = tmpdir_new();
	struct resp r;
	char url[128];

	assert_int_equal(srv_start(&s2, d, NULL), 0);
	assert_int_equal(srv_stop(&s2, false), 0);
	assert_int_equal(srv_start(&s2, d, NULL), 0);
	snprintf(url, sizeof(url), "%s/healthz", s2.url);
	assert_int_equal(http_do("GET", url, NULL, 0, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	resp_done(&r);
	assert_int_equal(srv_stop(&s2, false), 0);
	tmpdir_remove(d);
}

struct hammer {
	const char *url;
	volatile int *stop;
	int ok;
};

static void *hammer_thread(void *p)
{
	static const char *const json[] = { "Content-Type: application/json", NULL };
	struct hammer *h = p;

	while (!*h->stop) {
		struct resp r;
		if (http_do("POST", h->url, "{}", 2, json, NULL, &r) == 0 && r.status == 201)
			h->ok++;
		resp_done(&r);
	}
	return NULL;
}

static void test_sigkill_during_writes_keeps_store_intact(void **state)
{
	const char *d = tmpdir_new();
	struct hammer h[4];
	pthread_t t[4];
	volatile int stop = 0;
	struct db *db;
	char url[128];
	int total = 0;

	for (int round = 0; round < 3; round++) {
		struct srv s2;

		assert_int_equal(srv_start(&s2, d, NULL), 0);
		snprintf(url, sizeof(url), "%s/api/v1/session", s2.url);
		stop = 0;
		for (int i = 0; i < 4; i++) {
			h[i] = (struct hammer){ .url = url, .stop = &stop };
			pthread_create(&t[i], NULL, hammer_thread, &h[i]);
		}
		usleep(400000 + 100000 * round);
		srv_stop(&s2, true);	/* SIGKILL in the middle of writes */
		stop = 1;
		for (int i = 0; i < 4; i++) {
			pthread_join(t[i], NULL);
			total += h[i].ok;
		}
	}
	assert_true(total > 20);	/* it really was writing */

	assert_int_equal(db_open(store_target(d), 1000, &db), 0);
	assert_int_equal(db_integrity_check(db, NULL), 0);
	int64_t n = 0;
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM web_sessions", NULL, &n), 0);
	/* Every acknowledged write survived (synchronous=NORMAL in WAL is
	 * durable against a process crash). */
	assert_true(n >= total);
	db_close(db);

	struct srv s3;
	assert_int_equal(srv_start(&s3, d, NULL), 0);
	assert_int_equal(srv_stop(&s3, false), 0);
	tmpdir_remove(d);
}

static void test_invalid_settings_refused_at_start(void **state)
{
	const char *d = tmpdir_new();
	char path[300], *out;
	FILE *f;

	snprintf(path, sizeof(path), "%s/eonay.conf", d);
	f = fopen(path, "w");
	fputs("[server]\nthreads = 2\nmax_body = tiny\n", f);
	fclose(f);
	assert_int_equal(run_cmd(&out, "%s --data %s --listen 127.0.0.1:1", bin_path("eonayd"), d), 1);
	assert_non_null(strstr(out, "eonay.conf:3:"));
	assert_non_null(strstr(out, "server.max_body"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s --print-config --set codes.lifetime=2",
				 bin_path("eonayd"), d), 1);
	free(out);
	unlink(path);
	assert_int_equal(run_cmd(&out, "%s --data %s --print-config --set security.master_key=abcdef",
				 bin_path("eonayd"), d), 0);
	assert_null(strstr(out, "abcdef"));
	assert_non_null(strstr(out, "********"));
	free(out);
	tmpdir_remove(d);
}

static void test_newer_schema_refused_at_start(void **state)
{
	const char *d = tmpdir_new();
	struct db *db;
	char *out;
	struct srv s2;

	assert_int_equal(run_cmd(&out, "%s --data %s migrate", bin_path("eonayctl"), d), 0);
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s migrate", bin_path("eonayctl"), d), 0);
	assert_non_null(strstr(out, "applied 0 migration"));
	free(out);
	assert_int_equal(db_open(store_target(d), 1000, &db), 0);
	assert_int_equal(db_run(db, "INSERT INTO schema_migrations VALUES (999, 'future', 0)", NULL), 1);
	db_close(db);
	assert_int_equal(srv_start(&s2, d, NULL), -1);
	assert_int_equal(run_cmd(&out, "cat %s", s2.log), 0);
	assert_non_null(strstr(out, "newer than this eonayd knows"));
	free(out);
	tmpdir_remove(d);
}

static void test_audit_chain_via_ctl(void **state)
{
	char *out;

	/* The server start above wrote audit events into S's store. */
	assert_int_equal(run_cmd(&out, "%s --data %s audit verify", bin_path("eonayctl"), data), 0);
	assert_non_null(strstr(out, "audit log intact"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_help_of_every_binary),
		cmocka_unit_test(test_healthz),
		cmocka_unit_test(test_healthz_follows_the_store),
		cmocka_unit_test(test_security_headers_on_every_answer),
		cmocka_unit_test(test_malformed_json_is_400),
		cmocka_unit_test(test_oversized_body_is_413),
		cmocka_unit_test(test_path_traversal_is_404),
		cmocka_unit_test(test_unknown_api_and_methods),
		cmocka_unit_test(test_static_types_and_caching),
		cmocka_unit_test(test_pages_include_their_parts),
		cmocka_unit_test(test_session_lifecycle_and_csrf),
		cmocka_unit_test(test_second_start_on_same_data),
		cmocka_unit_test(test_sigkill_during_writes_keeps_store_intact),
		cmocka_unit_test(test_invalid_settings_refused_at_start),
		cmocka_unit_test(test_newer_schema_refused_at_start),
		cmocka_unit_test(test_audit_chain_via_ctl),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
