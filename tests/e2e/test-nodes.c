/* test-nodes.c - two eonayd nodes on one PostgreSQL store (the tests skip on
 * SQLite, where one process is all there is): a page waiting on node A
 * learns within 100 ms of a change made through node B (LISTEN/NOTIFY,
 * src/server/wake.c), also after A's listening connection was cut; the
 * wait's own timeout is far longer, so only the wake can answer in time.
 * Then nginx in front of both, as deployed: a login started through nginx,
 * node A killed while the page waits on it, eimza signs through nginx, the
 * page's wait reaches node B, the browser is logged in, and the audit
 * chain still verifies. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <libpq-fe.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "store-target.h"

#define AHMET "10000000146"
#define ROUNDS 5
#define WAKE_LIMIT_MS 100

static struct srv A, B;
static const char *data, *softhsm;

static int group_setup(void **state)
{
	static const char *const extra[] = { "--set", "codes.poll_timeout=10", "--set",
					     "codes.claims_per_client=1000", "--set",
					     "server.trusted_proxies=127.0.0.1/32", NULL };

	if (!test_store_is_pg())
		return 0;
	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	softhsm = demo_world(data);
	if (!softhsm)
		return -1;
	/* Same data directory: the same server keys, as nodes of one
	 * deployment share them; the store is the PostgreSQL database the
	 * harness named in DATA/eonay.conf. */
	if (srv_start(&A, data, extra) < 0 || srv_start(&B, data, extra) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	if (!test_store_is_pg())
		return 0;
	srv_stop(&A, false);
	srv_stop(&B, false);
	tmpdir_remove(data);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

/* How many waits node s has now (parked in libmicrohttpd). */
static long waits_on(const struct srv *s)
{
	char url[128], v[32];
	const char *w;
	struct resp r;
	long n = -1;

	snprintf(url, sizeof(url), "%s/healthz", s->url);
	if (http_do("GET", url, NULL, 0, NULL, NULL, &r) == 0 && r.status == 200 &&
	    (w = strstr(r.body, "\"waiting\""))) {
		const char *p = json_field(w, "parked", v, sizeof(v));
		n = p ? atol(p) : -1;
	}
	resp_done(&r);
	return n;
}

struct waiter {
	struct browser *b;
	char path[200];
	uint64_t answered_ms;
	long status;
	char body[1024];
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;
	struct resp r;

	if (browser_call(w->b, "GET", w->path, NULL, &r) == 0) {
		w->status = r.status;
		snprintf(w->body, sizeof(w->body), "%s", r.body);
	}
	w->answered_ms = now_ms();
	resp_done(&r);
	return NULL;
}

/* One round: a login started on A, its page waiting on A, the code
 * claimed through B.  Returns the milliseconds from the claim being sent
 * to B until A answered the wait. */
static unsigned wake_round(void)
{
	struct waiter w = { 0 };
	char id[80], code[80], body[128], url[128];
	struct browser b;
	struct resp r;
	pthread_t t;
	uint64_t t0;

	assert_int_equal(browser_open(&b, &A), 0);
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing",
				      "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", &r), 0);
	assert_int_equal(r.status, 201);
	json_field(r.body, "id", id, sizeof(id));
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);

	w.b = &b;
	snprintf(w.path, sizeof(w.path), "/api/v1/signing/wait?id=%s&state=waiting", id);
	assert_int_equal(pthread_create(&t, NULL, wait_thread, &w), 0);
	for (int i = 0; i < 300 && waits_on(&A) != 1; i++)
		usleep(10000);
	assert_int_equal(waits_on(&A), 1);
	assert_int_equal(waits_on(&B), 0);

	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	snprintf(url, sizeof(url), "%s/api/v1/app/claim", B.url);
	t0 = now_ms();
	assert_int_equal(http_do("POST", url, body, strlen(body),
				 (const char *const[]){ "Content-Type: application/json", NULL },
				 NULL, &r), 0);
	assert_int_equal(r.status, 200);
	resp_done(&r);
	pthread_join(t, NULL);
	assert_int_equal(w.status, 200);
	assert_non_null(strstr(w.body, "\"state\":\"code_used\""));
	return (unsigned)(w.answered_ms - t0);
}

static int cmp_unsigned(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;

	return x < y ? -1 : x > y;
}

static void wake_rounds(const char *what)
{
	unsigned ms[ROUNDS];

	for (int i = 0; i < ROUNDS; i++)
		ms[i] = wake_round();
	qsort(ms, ROUNDS, sizeof(ms[0]), cmp_unsigned);
	fprintf(stderr, "wake %s: median %u ms, max %u ms over %d rounds\n", what,
		ms[ROUNDS / 2], ms[ROUNDS - 1], ROUNDS);
	if (ms[ROUNDS - 1] >= WAKE_LIMIT_MS)
		fail_msg("a wait on node A took %u ms to learn of a change through node B",
			 ms[ROUNDS - 1]);
}

static void test_wake_across_nodes(void **state)
{
	if (!test_store_is_pg())
		skip();
	wake_rounds("across nodes");
}

/* Runs sql on the test's own database; returns the first value as a
 * number. */
static long admin_query(const char *sql)
{
	PGconn *c = PQconnectdb(store_target(data));
	PGresult *res;
	long v = -1;

	assert_int_equal(PQstatus(c), CONNECTION_OK);
	res = PQexec(c, sql);
	if (PQresultStatus(res) == PGRES_TUPLES_OK && PQntuples(res) == 1)
		v = atol(PQgetvalue(res, 0, 0));
	PQclear(res);
	PQfinish(c);
	return v;
}

static void test_wake_after_listener_cut(void **state)
{
	static const char count[] = "SELECT COUNT(*) FROM pg_stat_activity WHERE"
				    " application_name = 'eonay-wake' AND datname = current_database()";
	char *out = NULL;
	long n = -1;

	if (!test_store_is_pg())
		skip();
	assert_int_equal(admin_query(count), 2);	/* one listener per node */
	assert_int_equal(admin_query("SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
				     " WHERE application_name = 'eonay-wake'"
				     " AND datname = current_database()"), 2);
	for (int i = 0; i < 500 && n != 2; i++) {
		usleep(10000);
		n = admin_query(count);
	}
	assert_int_equal(n, 2);	/* both listen again */
	wake_rounds("after reconnecting");
	assert_int_equal(run_cmd(&out, "grep -c 'cross-node wake: listening again' %s", A.log), 0);
	free(out);
}

/* The last test: it kills node A. */
static void test_failover_through_nginx(void **state)
{
	struct waiter w[4] = { 0 };
	pthread_t t[4];
	char id[80], code[80], path[200], st[32], auth[16];
	struct browser b;
	struct srv N;
	struct resp r;
	char *out = NULL;
	int ups[2], n = 0, rc;

	if (!test_store_is_pg())
		skip();
	ups[0] = A.port;
	ups[1] = B.port;
	assert_int_equal(nginx_start(&N, data, ups, 2), 0);
	assert_int_equal(browser_open(&b, &N), 0);
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing",
				      "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", &r), 0);
	assert_int_equal(r.status, 201);
	json_field(r.body, "id", id, sizeof(id));
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);

	/* The page waits through nginx; round robin puts its wait on A or B,
	 * so wait again until one sits on A (at most a few). */
	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s&state=waiting", id);
	while (n < 4 && waits_on(&A) < 1) {
		w[n].b = &b;
		snprintf(w[n].path, sizeof(w[n].path), "%s", path);
		assert_int_equal(pthread_create(&t[n], NULL, wait_thread, &w[n]), 0);
		n++;
		for (int i = 0; i < 100 && waits_on(&A) + waits_on(&B) < n; i++)
			usleep(10000);
	}
	assert_true(waits_on(&A) >= 1);

	/* Node A dies with the page's wait on it: nginx takes the wait to B. */
	srv_stop(&A, true);
	for (int i = 0; i < 300 && waits_on(&B) < n; i++)
		usleep(10000);
	assert_int_equal(waits_on(&B), n);

	/* eimza signs through nginx (B answers; A refuses connections). */
	rc = run_cmd(&out, "echo 123456 | SOFTHSM2_CONF=%s %s sign --server %s --code %s"
			   " --pin-stdin --yes", softhsm, bin_path("eimza"), N.url, code);
	if (rc != 0)
		fail_msg("eimza through nginx: %s", out);
	free(out);
	out = NULL;
	for (int i = 0; i < n; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].status, 200);
		json_field(w[i].body, "state", st, sizeof(st));
		assert_true(streq_any(st, "code_used", "signed"));
	}
	/* The page's next wait sees it signed and logs the browser in. */
	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s&state=code_used", id);
	assert_int_equal(browser_call(&b, "GET", path, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_string_equal(json_field(r.body, "state", st, sizeof(st)), "signed");
	assert_string_equal(json_field(r.body, "authenticated", auth, sizeof(auth)), "true");
	resp_done(&r);
	assert_int_equal(browser_call(&b, "GET", "/api/v1/session", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"authenticated\":true"));
	resp_done(&r);
	srv_stop(&N, false);

	rc = run_cmd(&out, "%s --data %s audit verify", bin_path("eonayctl"), data);
	if (rc != 0)
		fail_msg("audit verify after failover: %s", out);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wake_across_nodes),
		cmocka_unit_test(test_wake_after_listener_cut),
		cmocka_unit_test(test_failover_through_nginx),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
