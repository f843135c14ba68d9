/* test-proxy.c - the real client behind a real nginx (server.trusted_proxies).
 *
 * nginx appends the address of whoever connects to it to X-Forwarded-For.
 * The test's clients connect from 127.0.0.N (bound) and send a forged
 * X-Forwarded-For of their own.  Unset, eonayd ignores the header: every
 * client has nginx's address (127.0.0.1).  Set to nginx's address, the
 * client is the right-most hop nginx did not vouch for: the claim answer's
 * context.client_addr, the audit row and the per-client claim limit all
 * see 127.0.0.N, and the forged entry is never believed. */
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
#define FORGED "X-Forwarded-For: 203.0.113.9"

static const char *data;
static struct srv plain, trusting, ngx_plain, ngx_trusting;

static int group_setup(void **state)
{
	int up;

	data = tmpdir_new();
	if (!demo_world(data))
		return -1;
	if (srv_start(&plain, data, NULL) < 0 ||
	    srv_start(&trusting, data, (const char *const[]){
			      "--set", "server.trusted_proxies=127.0.0.1/32, ::1",
			      "--set", "codes.claims_per_client=3", NULL }) < 0)
		return -1;
	up = plain.port;
	if (nginx_start(&ngx_plain, data, &up, 1) < 0)
		return -1;
	up = trusting.port;
	return nginx_start(&ngx_trusting, data, &up, 1);
}

static int group_teardown(void **state)
{
	http_set_source(NULL);
	srv_stop(&ngx_plain, false);
	srv_stop(&ngx_trusting, false);
	srv_stop(&plain, false);
	srv_stop(&trusting, false);
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

/* Opens a browser session and starts Ahmet's login through via, from the
 * address src with a forged X-Forwarded-For; returns the code. */
static void start_login(const struct srv *via, const char *src, char code[64])
{
	static const char *const h[] = { "Content-Type: application/json", FORGED, NULL };
	char url[256], cookie[160], csrf[128], sid[128], tok[96];
	struct resp r;
	char *sc;

	http_set_source(src);
	snprintf(url, sizeof(url), "%s/api/v1/session", via->url);
	assert_int_equal(http_do("POST", url, "{}", 2, h, NULL, &r), 0);
	assert_int_equal(r.status, 201);
	sc = resp_header(&r, "Set-Cookie");
	assert_non_null(sc);
	snprintf(sid, sizeof(sid), "%.*s", (int)strcspn(sc, ";"), sc);
	free(sc);
	snprintf(csrf, sizeof(csrf), "X-CSRF-Token: %s",
		 json_field(r.body, "csrf_token", tok, sizeof(tok)));
	resp_done(&r);
	snprintf(cookie, sizeof(cookie), "Cookie: %s", sid);
	const char *const h2[] = { "Content-Type: application/json", FORGED, cookie, csrf, NULL };
	snprintf(url, sizeof(url), "%s/api/v1/signing", via->url);
	const char *body = "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}";
	assert_int_equal(http_do("POST", url, body, strlen(body), h2, NULL, &r), 0);
	if (r.status != 201)
		fail_msg("start: %ld %s", r.status, r.body);
	json_field(r.body, "code", code, 64);
	resp_done(&r);
	http_set_source(NULL);
}

/* Claims code through via from src (forged X-Forwarded-For); returns the
 * status, the answer's context.client_addr in addr. */
static const char *claim_extra;	/* one more header for claim(), or NULL */

static long claim(const struct srv *via, const char *src, const char *code, char addr[64])
{
	const char *const h[] = { "Content-Type: application/json", FORGED, claim_extra, NULL };
	char url[256], body[96];
	struct resp r;
	long st;

	http_set_source(src);
	snprintf(url, sizeof(url), "%s/api/v1/app/claim", via->url);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	assert_int_equal(http_do("POST", url, body, strlen(body), h, NULL, &r), 0);
	http_set_source(NULL);
	st = r.status;
	addr[0] = '\0';
	if (st == 200)
		json_field(strstr(r.body, "\"context\""), "client_addr", addr, 64);
	resp_done(&r);
	return st;
}

/* Whether the audit log's newest rows have actor client:addr for action
 * (the log is printed when that is not as expected). */
static bool audited(const char *addr, const char *action, bool expected)
{
	char *out, want[128];
	bool found;

	assert_int_equal(run_cmd(&out, "%s --data %s audit list 20", bin_path("eonayctl"), data), 0);
	snprintf(want, sizeof(want), "client:%s %s", addr, action);
	found = strstr(out, want) != NULL;
	if (found != expected)
		fprintf(stderr, "%s '%s' in:\n%s\n", found ? "unexpected" : "no", want, out);
	free(out);
	return found;
}

static void test_unset_ignores_forwarded_for(void **state)
{
	char code[64], addr[64];

	start_login(&ngx_plain, "127.0.0.2", code);
	assert_int_equal(claim(&ngx_plain, "127.0.0.3", code, addr), 200);
	/* Both the start and the claim came from nginx, as far as eonayd knows. */
	assert_string_equal(addr, "127.0.0.1");
	assert_true(audited("127.0.0.1", "signing.claim", true));
	assert_false(audited("203.0.113.9", "signing.claim", false));
}

static void test_set_believes_nginx_only(void **state)
{
	char code[64], addr[64];

	start_login(&ngx_trusting, "127.0.0.2", code);
	assert_int_equal(claim(&ngx_trusting, "127.0.0.3", code, addr), 200);
	/* Where the login was started: the browser's address, not nginx's,
	 * and not what the browser claimed. */
	assert_string_equal(addr, "127.0.0.2");
	assert_true(audited("127.0.0.3", "signing.claim", true));
	assert_false(audited("203.0.113.9", "signing.claim", false));

	/* A client reaching eonayd directly is not a trusted proxy: its
	 * X-Forwarded-For is ignored. */
	start_login(&trusting, "127.0.0.4", code);
	assert_int_equal(claim(&trusting, "127.0.0.4", code, addr), 200);
	assert_string_equal(addr, "127.0.0.4");
	assert_true(audited("127.0.0.4", "signing.claim", true));
}

/* A Forwarded header of the client's own (nginx passes it on untouched)
 * disagrees with X-Forwarded-For; eonayd then believes neither and would
 * see nginx's address: the client hidden behind the proxy, in the proxy's
 * bucket.  The documented nginx clears it (proxy_set_header Forwarded ""). */
static void test_own_forwarded_header_does_not_hide(void **state)
{
	char code[64], addr[64];

	start_login(&ngx_trusting, "127.0.0.7", code);
	claim_extra = "Forwarded: for=198.51.100.7";
	assert_int_equal(claim(&ngx_trusting, "127.0.0.8", code, addr), 200);
	claim_extra = NULL;
	assert_true(audited("127.0.0.8", "signing.claim", true));
}

static void test_limit_counts_forwarded_address(void **state)
{
	char code[17], addr[64];

	avoid_window_edge();
	/* codes.claims_per_client=3: the fourth look-up from .5 is refused ... */
	for (int i = 0; i < 4; i++) {
		snprintf(code, sizeof(code), "%015d", 777000 + i);
		code[15] = (char)checkdigit_compute(code, 15);
		code[16] = 0;
		assert_int_equal(claim(&ngx_trusting, "127.0.0.5", code, addr), i < 3 ? 404 : 429);
	}
	/* ... while .6, behind the same nginx, is not hit. */
	assert_int_equal(claim(&ngx_trusting, "127.0.0.6", code, addr), 404);
	assert_int_equal(claim(&ngx_trusting, "127.0.0.5", code, addr), 429);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_unset_ignores_forwarded_for, reset_source),
		cmocka_unit_test_teardown(test_set_believes_nginx_only, reset_source),
		cmocka_unit_test_teardown(test_own_forwarded_header_does_not_hide, reset_source),
		cmocka_unit_test_teardown(test_limit_counts_forwarded_address, reset_source),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
