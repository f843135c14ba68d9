/* test-routes.c - what the HTTP layer checks before any handler: cross-site
 * requests refused (a login cookie cannot be replaced from another site),
 * 405 with Allow, HEAD on GET routes, body and media type rules, and the
 * rate limits: per address (a second address is not hit), never per holder
 * for logins others start, shared by two nodes on one store, and a refused
 * flood adds no audit rows.  127.0.0.N are distinct clients (the requests are bound to them). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/checkdigit.h"
#include "harness.h"

#define AHMET "10000000146"
#define AYSE "10000000078"

static struct srv S;
static const char *data, *conf;

static int group_setup(void **state)
{
	data = tmpdir_new();
	conf = demo_world(data);
	if (!conf)
		return -1;
	if (srv_start(&S, data, NULL) < 0) {
		fprintf(stderr, "eonayd did not start; see %s/eonayd.log\n", data);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	http_set_source(NULL);
	srv_stop(&S, false);
	tmpdir_remove(data);
	return 0;
}

/* Rate limits count in fixed minutes (ratelimit.h): a burst that must land
 * in one window waits when less than 10 s of this one are left. */
static void avoid_window_edge(void)
{
	time_t t = time(NULL);

	if (t % 60 >= 50)
		sleep((unsigned)(61 - t % 60));
}

static int reset_source(void **state)
{
	http_set_source(NULL);
	return 0;
}

/* A request to s with the given headers (NULL-terminated). */
static long req(const struct srv *s, const char *method, const char *path, const char *body,
		const char *const *headers, struct resp *r)
{
	char url[512];

	snprintf(url, sizeof(url), "%s%s", s->url, path);
	assert_int_equal(http_do(method, url, body, body ? strlen(body) : 0, headers, NULL, r), 0);
	return r->status;
}

static void assert_error(const struct resp *r, const char *code)
{
	char want[96];

	snprintf(want, sizeof(want), "\"code\":\"%s\"", code);
	if (!strstr(r->body, want))
		fail_msg("expected %s, got %ld %s", code, r->status, r->body);
}

/* Logs b in as Ahmet with eimza and the demo card. */
static void login(struct browser *b)
{
	char id[64], code[64], path[128], st[32];
	struct resp r;
	char *out;

	assert_int_equal(browser_open(b, &S), 0);
	assert_int_equal(browser_call(b, "POST", "/api/v1/signing",
				      "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", &r), 0);
	assert_int_equal(r.status, 201);
	json_field(r.body, "id", id, sizeof(id));
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);
	if (run_cmd(&out, "printf '123456\\n' | SOFTHSM2_CONF=%s %s sign --server %s --code '%s'"
			  " --pin-stdin --yes", conf, bin_path("eimza"), S.url, code) != 0)
		fail_msg("eimza: %s", out);
	free(out);
	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s&state=code_used", id);
	assert_int_equal(browser_call(b, "GET", path, NULL, &r), 0);
	assert_string_equal(json_field(r.body, "state", st, sizeof(st)), "signed");
	resp_done(&r);
	assert_int_equal(browser_refresh(b), 0);
}

static void assert_logged_in_as_ahmet(struct browser *b)
{
	char tckn[16];
	struct resp r;

	assert_int_equal(browser_call(b, "GET", "/api/v1/session", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"authenticated\":true"));
	assert_string_equal(json_field(r.body, "tckn", tckn, sizeof(tckn)), AHMET);
	resp_done(&r);
}

static void test_cross_site_session_post_refused(void **state)
{
	static const char *const types[] = { "text/plain", "application/x-www-form-urlencoded",
					     "multipart/form-data; boundary=x", "application/json" };
	static const char *const bodies[] = { "{}", "a=b", "--x\r\n\r\n--x--\r\n", "{}" };
	char cookie[160], csrf[96], ct[96], *sc;
	struct browser b;
	struct resp r;

	login(&b);
	snprintf(cookie, sizeof(cookie), "Cookie: %s", b.cookie);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s", b.csrf);
	/* A form on evil.example posting to /api/v1/session, as a browser sends it. */
	for (size_t i = 0; i < sizeof(types) / sizeof(*types); i++) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", types[i]);
		const char *const h[] = { cookie, ct, "Origin: http://evil.example", NULL };
		assert_int_equal(req(&S, "POST", "/api/v1/session", bodies[i], h, &r), 403);
		assert_error(&r, "cross_site");
		sc = resp_header(&r, "Set-Cookie");
		assert_null(sc);
		resp_done(&r);
	}
	/* Without Origin, Sec-Fetch-Site says it (cross-site and same-site). */
	const char *const h1[] = { cookie, "Content-Type: text/plain", "Sec-Fetch-Site: cross-site",
				   NULL };
	assert_int_equal(req(&S, "POST", "/api/v1/session", "", h1, &r), 403);
	assert_error(&r, "cross_site");
	resp_done(&r);
	const char *const h2[] = { cookie, "Sec-Fetch-Site: same-site", NULL };
	assert_int_equal(req(&S, "POST", "/api/v1/session", "", h2, &r), 403);
	resp_done(&r);
	/* An opaque origin (sandboxed frame, data: URL). */
	const char *const h3[] = { cookie, "Origin: null", NULL };
	assert_int_equal(req(&S, "POST", "/api/v1/session", "", h3, &r), 403);
	resp_done(&r);
	/* Another port or host of the same machine is another origin. */
	char other[96];
	snprintf(other, sizeof(other), "Origin: http://localhost:%d", S.port);
	const char *const h4[] = { cookie, other, NULL };
	assert_int_equal(req(&S, "POST", "/api/v1/session", "", h4, &r), 403);
	resp_done(&r);
	/* Every state-changing call, even with the right CSRF token. */
	const char *const h5[] = { cookie, csrf, "Content-Type: application/json",
				   "Origin: http://evil.example", NULL };
	assert_int_equal(req(&S, "DELETE", "/api/v1/session", NULL, h5, &r), 403);
	resp_done(&r);
	assert_int_equal(req(&S, "POST", "/api/v1/signing", "{\"purpose\":\"eonay-cancel\"}", h5, &r),
			 403);
	assert_error(&r, "cross_site");
	resp_done(&r);
	/* The holder is still logged in with the same cookie. */
	assert_logged_in_as_ahmet(&b);

	/* The page itself (same origin) and clients without the headers pass. */
	char own[96];
	snprintf(own, sizeof(own), "Origin: %s", S.url);
	const char *const h6[] = { "Content-Type: application/json", own,
				   "Sec-Fetch-Site: same-origin", NULL };
	assert_int_equal(req(&S, "POST", "/api/v1/session", "{}", h6, &r), 201);
	resp_done(&r);
	/* GET is never refused for its origin. */
	const char *const h7[] = { cookie, "Origin: http://evil.example",
				   "Sec-Fetch-Site: cross-site", NULL };
	assert_int_equal(req(&S, "GET", "/api/v1/session", NULL, h7, &r), 200);
	resp_done(&r);
}

static void test_origin_against_base_url(void **state)
{
	struct srv s2;
	struct resp r;
	char own[96];

	assert_int_equal(srv_start(&s2, data, (const char *const[]){
					  "--set", "server.base_url=http://nes.example.org", NULL }),
			 0);
	const char *const ok1[] = { "Origin: http://nes.example.org", NULL };
	const char *const ok2[] = { "Origin: HTTP://NES.example.org:80", NULL };
	const char *const bad1[] = { "Origin: https://nes.example.org", NULL };
	const char *const bad2[] = { "Origin: http://nes.example.org.evil.example", NULL };
	snprintf(own, sizeof(own), "Origin: %s", s2.url);	/* the Host no longer counts */
	const char *const bad3[] = { own, NULL };
	assert_int_equal(req(&s2, "POST", "/api/v1/session", NULL, ok1, &r), 201);
	resp_done(&r);
	assert_int_equal(req(&s2, "POST", "/api/v1/session", NULL, ok2, &r), 201);
	resp_done(&r);
	assert_int_equal(req(&s2, "POST", "/api/v1/session", NULL, bad1, &r), 403);
	resp_done(&r);
	assert_int_equal(req(&s2, "POST", "/api/v1/session", NULL, bad2, &r), 403);
	resp_done(&r);
	assert_int_equal(req(&s2, "POST", "/api/v1/session", NULL, bad3, &r), 403);
	resp_done(&r);
	srv_stop(&s2, false);
}

static void assert_allow(const char *method, const char *path, const char *allow)
{
	struct resp r;
	char *a;

	assert_int_equal(req(&S, method, path, NULL, NULL, &r), 405);
	if (strcmp(method, "HEAD") != 0)	/* HEAD answers have no body */
		assert_error(&r, "method_not_allowed");
	a = resp_header(&r, "Allow");
	assert_non_null(a);
	assert_string_equal(a, allow);
	free(a);
	resp_done(&r);
}

static void test_method_not_allowed(void **state)
{
	struct resp r;

	assert_allow("PUT", "/api/v1/session", "GET, HEAD, POST, DELETE");
	assert_allow("POST", "/healthz", "GET, HEAD");
	assert_allow("DELETE", "/api/v1/app/claim", "POST");
	assert_allow("GET", "/ocsp", "POST");
	assert_allow("POST", "/index.html", "GET, HEAD");
	assert_allow("OPTIONS", "/api/v1/signing/wait", "GET, HEAD");
	assert_int_equal(req(&S, "DELETE", "/api/v1/nothing", NULL, NULL, &r), 404);
	resp_done(&r);
}

static void test_head_on_get_routes(void **state)
{
	struct resp r;
	char *ct;

	assert_int_equal(req(&S, "HEAD", "/api/v1/info", NULL, NULL, &r), 200);
	assert_int_equal(r.len, 0);
	ct = resp_header(&r, "Content-Type");
	assert_non_null(ct);
	assert_non_null(strstr(ct, "application/json"));
	free(ct);
	resp_done(&r);
	assert_int_equal(req(&S, "HEAD", "/healthz", NULL, NULL, &r), 200);
	resp_done(&r);
	assert_int_equal(req(&S, "HEAD", "/ca/root.crt", NULL, NULL, &r), 200);
	resp_done(&r);
	assert_int_equal(req(&S, "HEAD", "/", NULL, NULL, &r), 200);	/* static */
	resp_done(&r);
	assert_allow("HEAD", "/api/v1/app/submit", "POST");
}

static void test_body_and_media_type(void **state)
{
	static const char *const good[] = { "application/json", "application/json; charset=utf-8",
					    "Application/JSON;charset=\"UTF-8\"" };
	static const char *const bad[] = { "application/jsonx", "application/jsonfoo",
					   "application/json-seq", "application/json; charset=latin1",
					   "application/json; foo=bar", "text/plain", "text/json" };
	char ct[96];
	struct resp r;

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", good[i]);
		const char *const h[] = { ct, NULL };
		if (req(&S, "POST", "/api/v1/session", "{}", h, &r) != 201)
			fail_msg("%s: %ld %s", good[i], r.status, r.body);
		resp_done(&r);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", bad[i]);
		const char *const h[] = { ct, NULL };
		if (req(&S, "POST", "/api/v1/session", "{}", h, &r) != 415)
			fail_msg("%s: %ld %s", bad[i], r.status, r.body);
		assert_error(&r, "unsupported_media_type");
		resp_done(&r);
	}
	const char *const json[] = { "Content-Type: application/json", NULL };
	assert_int_equal(req(&S, "POST", "/api/v1/session", "{\"x\":1}", json, &r), 400);
	assert_error(&r, "unknown_field");
	resp_done(&r);
	/* A route that takes no body refuses one. */
	assert_int_equal(req(&S, "GET", "/api/v1/info", "{}", json, &r), 400);
	assert_error(&r, "body_not_allowed");
	resp_done(&r);
}

/* "audit log intact: N events" of eonayctl audit verify. */
static long long audit_rows(void)
{
	long long n = -1;
	char *out, *p;

	assert_int_equal(run_cmd(&out, "%s --data %s audit verify", bin_path("eonayctl"), data), 0);
	p = strstr(out, "intact:");
	if (!p || sscanf(p, "intact: %lld", &n) != 1)
		fail_msg("audit verify: %s", out);
	free(out);
	return n;
}

static long claim(const struct srv *s, int i)
{
	static const char *const h[] = { "Content-Type: application/json", NULL };
	char code[17], body[64];
	struct resp r;
	long st;

	snprintf(code, sizeof(code), "%015d", 4242420 + i);
	code[15] = (char)checkdigit_compute(code, 15);
	code[16] = 0;
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	st = req(s, "POST", "/api/v1/app/claim", body, h, &r);
	if (st != 429 && st != 404)
		fail_msg("claim: %ld %s", st, r.body);
	resp_done(&r);
	return st;
}

/* The "claim" count of /healthz's rate_limited of s. */
static long long refused_claims(const struct srv *s)
{
	char n[32];
	struct resp r;
	long long v;

	assert_int_equal(req(s, "GET", "/healthz", NULL, NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"rate_limited\""));
	json_field(strstr(r.body, "\"rate_limited\""), "claim", n, sizeof(n));
	v = atoll(n);
	resp_done(&r);
	return v;
}

static void test_claim_flood_adds_no_audit_rows(void **state)
{
	const char *const five[] = { "--set", "codes.claims_per_client=5", NULL };
	struct srv s2, s3;
	long long before, after;
	int limited = 0, answered = 0;

	/* Two nodes on one store, the same limits. */
	assert_int_equal(srv_start(&s2, data, five), 0);
	assert_int_equal(srv_start(&s3, data, five), 0);
	avoid_window_edge();
	before = audit_rows();
	http_set_source("127.0.0.3");
	for (int i = 0; i < 200; i++) {
		if (claim(i % 2 ? &s3 : &s2, i) == 429)
			limited++;
		else
			answered++;
	}
	http_set_source(NULL);
	/* The limit held for both nodes together: 5, not 5 each. */
	assert_int_equal(answered, 5);
	assert_int_equal(limited, 195);
	after = audit_rows();
	/* At most the answered look-ups left a row; the refused flood none. */
	assert_true(after - before <= answered);
	/* They are counted instead. */
	assert_int_equal(refused_claims(&s2) + refused_claims(&s3), 195);

	/* Another address is not hit, on either node. */
	http_set_source("127.0.0.4");
	assert_int_equal(claim(&s2, 1000), 404);
	assert_int_equal(claim(&s3, 1001), 404);
	http_set_source(NULL);
	srv_stop(&s2, false);
	srv_stop(&s3, false);
}

static long start_login(struct browser *b, const char *tckn)
{
	char body[96];
	struct resp r;
	long st;

	snprintf(body, sizeof(body), "{\"purpose\":\"login\",\"tckn\":\"%s\"}", tckn);
	assert_int_equal(browser_call(b, "POST", "/api/v1/signing", body, &r), 0);
	st = r.status;
	if (st != 201 && st != 429)
		fail_msg("start: %ld %s", st, r.body);
	if (st == 429) {
		char *ra = resp_header(&r, "Retry-After");

		assert_error(&r, "rate_limited");
		assert_non_null(ra);	/* the rest of the minute */
		assert_true(atoi(ra) >= 1 && atoi(ra) <= 60);
		free(ra);
	}
	resp_done(&r);
	return st;
}

static void test_session_and_signing_limits(void **state)
{
	static const char *const json[] = { "Content-Type: application/json", NULL };
	struct browser b6, b7;
	struct srv s3;
	struct resp r;

	assert_int_equal(srv_start(&s3, data, (const char *const[]){
					  "--set", "session.creates_per_client=3",
					  "--set", "codes.starts_per_client=4",
					  "--set", "codes.starts_per_holder=5", NULL }), 0);
	avoid_window_edge();
	/* Browser sessions: per address. */
	http_set_source("127.0.0.5");
	for (int i = 0; i < 3; i++) {
		assert_int_equal(req(&s3, "POST", "/api/v1/session", "{}", json, &r), 201);
		resp_done(&r);
	}
	assert_int_equal(req(&s3, "POST", "/api/v1/session", "{}", json, &r), 429);
	assert_error(&r, "rate_limited");
	resp_done(&r);
	/* Signing sessions: per address.  Logins started for a holder's
	 * number never spend that holder's budget (no lockout by others). */
	http_set_source("127.0.0.6");
	assert_int_equal(browser_open(&b6, &s3), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(start_login(&b6, AYSE), 201);
	assert_int_equal(start_login(&b6, AYSE), 429);		/* the address's 5th */
	http_set_source("127.0.0.7");
	assert_int_equal(browser_open(&b7, &s3), 0);
	for (int i = 0; i < 4; i++)	/* Ayşe's 5th to 8th: past starts_per_holder */
		assert_int_equal(start_login(&b7, AYSE), 201);
	assert_int_equal(start_login(&b7, AHMET), 429);		/* this address's 5th */
	http_set_source(NULL);
	srv_stop(&s3, false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_cross_site_session_post_refused, reset_source),
		cmocka_unit_test_teardown(test_origin_against_base_url, reset_source),
		cmocka_unit_test_teardown(test_method_not_allowed, reset_source),
		cmocka_unit_test_teardown(test_head_on_get_routes, reset_source),
		cmocka_unit_test_teardown(test_body_and_media_type, reset_source),
		cmocka_unit_test_teardown(test_claim_flood_adds_no_audit_rows, reset_source),
		cmocka_unit_test_teardown(test_session_and_signing_limits, reset_source),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
