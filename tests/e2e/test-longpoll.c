/* test-longpoll.c - the page's long-poll on both of its paths, over raw
 * sockets so that the connection each request rides on is known:
 *   - held: a wait that is the first request on its connection stays
 *     unread in the kernel (acceptor.c) until its session changes, it
 *     times out, or the client goes away;
 *   - parked: a wait on a keep-alive connection libmicrohttpd already has
 *     is suspended there (waiters.c).
 * /healthz says how many of each wait, which is what the tests watch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define AHMET "10000000146"
#define POLL_TIMEOUT_S 3
#define MAX_CONNECTIONS 16	/* held and MHD's together */

static struct srv S;
static const char *data;

static int group_setup(void **state)
{
	static const char *const extra[] = { "--set", "codes.poll_timeout=3",
					     "--set", "server.max_connections=16", NULL };

	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	if (!demo_world(data))
		return -1;
	return srv_start(&S, data, extra);
}

static int group_teardown(void **state)
{
	srv_stop(&S, false);
	tmpdir_remove(data);
	return 0;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int raw_connect(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)S.port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	return fd;
}

/* Sends a GET as Chromium's fetch would (keep-alive, the cookie). */
static void raw_get(int fd, const struct browser *b, const char *path)
{
	char req[1024];
	int n;

	n = snprintf(req, sizeof(req),
		     "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nConnection: keep-alive\r\n"
		     "User-Agent: Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0.0.0\r\n"
		     "Accept: application/json\r\nSec-Fetch-Mode: cors\r\n"
		     "Accept-Language: tr-TR,tr;q=0.9\r\nCookie: %s\r\n\r\n",
		     path, S.port, b->cookie);
	assert_int_equal(write(fd, req, (size_t)n), n);
}

/* Reads one answer within timeout_ms; returns its status (0: none in
 * time, -1: connection closed) with the body in body. */
static int raw_answer(int fd, int timeout_ms, char *body, size_t n)
{
	static char buf[16384];
	size_t len = 0;
	uint64_t end = now_ms() + (uint64_t)timeout_ms;

	body[0] = '\0';
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		const char *hend, *cl;
		int64_t left = (int64_t)(end - now_ms());
		ssize_t k;

		if (left <= 0 || poll(&p, 1, (int)left) == 0)
			return 0;
		k = read(fd, buf + len, sizeof(buf) - 1 - len);
		if (k <= 0)
			return -1;
		len += (size_t)k;
		buf[len] = '\0';
		hend = strstr(buf, "\r\n\r\n");
		cl = strcasestr(buf, "\r\nContent-Length:");
		if (hend && cl && (size_t)(hend + 4 - buf) + (size_t)atol(cl + 17) <= len) {
			snprintf(body, n, "%.*s", (int)atol(cl + 17), hend + 4);
			return atoi(buf + 9);
		}
	}
}

/* The "waiting" counts of /healthz: held and parked now, holds ever. */
static void waiting3(long *held, long *parked, long *holds)
{
	char url[128], v[32];
	const char *w;
	struct resp r;

	snprintf(url, sizeof(url), "%s/healthz", S.url);
	assert_int_equal(http_do("GET", url, NULL, 0, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	w = strstr(r.body, "\"waiting\"");
	assert_non_null(w);
	*held = atol(json_field(w, "held", v, sizeof(v)));
	*parked = atol(json_field(w, "parked", v, sizeof(v)));
	*holds = atol(json_field(w, "holds", v, sizeof(v)));
	resp_done(&r);
}

static void waiting(long *held, long *parked)
{
	long holds;

	waiting3(held, parked, &holds);
}

static long holds_so_far(void)
{
	long held, parked, holds;

	waiting3(&held, &parked, &holds);
	return holds;
}

/* Waits (up to 3 s) until /healthz shows held/parked. */
static void expect_waiting(long want_held, long want_parked)
{
	long held = -1, parked = -1;

	for (int i = 0; i < 300; i++) {
		waiting(&held, &parked);
		if (held == want_held && parked == want_parked)
			return;
		usleep(10000);
	}
	fail_msg("waiting: held %ld parked %ld, expected %ld and %ld", held, parked, want_held,
		 want_parked);
}

/* A browser with a login signing session: id and code. */
static void start(struct browser *b, char id[64], char code[64])
{
	struct resp r;

	assert_int_equal(browser_open(b, &S), 0);
	assert_int_equal(browser_call(b, "POST", "/api/v1/signing",
				      "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", &r), 0);
	assert_int_equal(r.status, 201);
	json_field(r.body, "id", id, 64);
	json_field(r.body, "code", code, 64);
	resp_done(&r);
}

/* The application types the code: the session moves to code_used. */
static void claim(const char *code)
{
	char body[128], url[128];
	struct resp r;

	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	snprintf(url, sizeof(url), "%s/api/v1/app/claim", S.url);
	assert_int_equal(http_do("POST", url, body, strlen(body),
				 (const char *const[]){ "Content-Type: application/json", NULL },
				 NULL, &r), 0);
	assert_int_equal(r.status, 200);
	resp_done(&r);
}

static void wait_path(char *path, size_t n, const char *id)
{
	snprintf(path, n, "/api/v1/signing/wait?id=%s&state=waiting", id);
}

/* A connection libmicrohttpd already has: one request answered on it. */
static int keep_alive_connection(const struct browser *b)
{
	char body[1024];
	int fd = raw_connect();

	raw_get(fd, b, "/api/v1/session");
	assert_int_equal(raw_answer(fd, 2000, body, sizeof(body)), 200);
	return fd;
}

/* A new browser and signing session whose page waits on a fresh
 * connection, which the acceptor holds; returns that connection. */
static int held_wait(struct browser *b, char id[64], char code[64], char path[160])
{
	long holds;
	int fd;

	start(b, id, code);
	holds = holds_so_far();
	fd = raw_connect();
	wait_path(path, 160, id);
	raw_get(fd, b, path);
	expect_waiting(1, 0);
	assert_int_equal(holds_so_far(), holds + 1);
	return fd;
}

static void test_held_until_claimed(void **state)
{
	char id[64], code[64], path[160], body[1024];
	struct browser b;
	int fd;

	fd = held_wait(&b, id, code, path);
	assert_int_equal(raw_answer(fd, 300, body, sizeof(body)), 0);	/* still waiting */
	claim(code);
	assert_int_equal(raw_answer(fd, 2000, body, sizeof(body)), 200);
	assert_non_null(strstr(body, "\"state\":\"code_used\""));
	expect_waiting(0, 0);

	/* The connection is libmicrohttpd's now and stays usable. */
	raw_get(fd, &b, "/api/v1/session");
	assert_int_equal(raw_answer(fd, 2000, body, sizeof(body)), 200);
	close(fd);
}

static void test_parked_on_keep_alive(void **state)
{
	char id[64], code[64], path[160], body[1024];
	struct browser b;
	int fd;

	start(&b, id, code);
	fd = keep_alive_connection(&b);
	wait_path(path, sizeof(path), id);
	raw_get(fd, &b, path);
	expect_waiting(0, 1);
	claim(code);
	assert_int_equal(raw_answer(fd, 2000, body, sizeof(body)), 200);
	assert_non_null(strstr(body, "\"state\":\"code_used\""));
	expect_waiting(0, 0);
	close(fd);
}

/* Both paths time out after codes.poll_timeout, once: the held one is not
 * parked again by MHD after it was handed over. */
static void test_timeout_once(void **state)
{
	char id[64], code[64], path[160], body[1024];
	struct browser b;
	uint64_t t0, dt;
	int held, kept;

	start(&b, id, code);
	wait_path(path, sizeof(path), id);
	held = raw_connect();
	kept = keep_alive_connection(&b);
	t0 = now_ms();
	raw_get(held, &b, path);
	raw_get(kept, &b, path);
	expect_waiting(1, 1);

	assert_int_equal(raw_answer(held, 5000, body, sizeof(body)), 200);
	dt = now_ms() - t0;
	assert_non_null(strstr(body, "\"state\":\"waiting\""));
	if (dt < POLL_TIMEOUT_S * 1000 - 100 || dt > POLL_TIMEOUT_S * 1000 + 1500)
		fail_msg("held wait answered after %llu ms", (unsigned long long)dt);
	assert_int_equal(raw_answer(kept, 2000, body, sizeof(body)), 200);
	assert_non_null(strstr(body, "\"state\":\"waiting\""));
	dt = now_ms() - t0;
	if (dt > POLL_TIMEOUT_S * 1000 + 1500)
		fail_msg("parked wait answered after %llu ms", (unsigned long long)dt);
	expect_waiting(0, 0);

	/* The next wait on the handed-over connection parks again, as any. */
	raw_get(held, &b, path);
	expect_waiting(0, 1);
	claim(code);
	assert_int_equal(raw_answer(held, 2000, body, sizeof(body)), 200);
	assert_non_null(strstr(body, "\"state\":\"code_used\""));
	close(held);
	close(kept);
}

static void test_client_goes_away(void **state)
{
	char id[64], code[64], path[160];
	struct browser b;
	int fd;

	fd = held_wait(&b, id, code, path);
	close(fd);
	expect_waiting(0, 0);
	claim(code);	/* nobody to wake; nothing breaks */
}

/* What is not a plain wait that has to wait is answered at once and never
 * held, not even for a moment. */
static void test_answered_at_once(void **state)
{
	char id[64], code[64], id2[64], code2[64], path[160], body[1024];
	struct browser b, other;
	long holds;
	int fd;

	start(&b, id, code);
	start(&other, id2, code2);
	wait_path(path, sizeof(path), id);
	holds = holds_so_far();

	/* Someone else's session: 404, not held. */
	fd = raw_connect();
	raw_get(fd, &other, path);
	assert_int_equal(raw_answer(fd, 1000, body, sizeof(body)), 404);
	close(fd);

	/* No session cookie: 401. */
	fd = raw_connect();
	dprintf(fd, "GET %s HTTP/1.1\r\nHost: x\r\n\r\n", path);
	assert_int_equal(raw_answer(fd, 1000, body, sizeof(body)), 401);
	close(fd);

	/* Changed before the wait came: the change at once. */
	claim(code);
	fd = raw_connect();
	raw_get(fd, &b, path);
	assert_int_equal(raw_answer(fd, 1000, body, sizeof(body)), 200);
	assert_non_null(strstr(body, "\"state\":\"code_used\""));
	close(fd);
	expect_waiting(0, 0);
	assert_int_equal(holds_so_far(), holds);
}

/* As nginx sends it upstream: HTTP/1.0, Connection: close.  Held too. */
static void test_held_http10(void **state)
{
	char id[64], code[64], path[160], body[1024];
	struct browser b;
	long holds;
	int fd;

	start(&b, id, code);
	wait_path(path, sizeof(path), id);
	holds = holds_so_far();
	fd = raw_connect();
	dprintf(fd, "GET %s HTTP/1.0\r\nHost: nes.example.gov.tr\r\nConnection: close\r\n"
		    "X-Forwarded-For: 203.0.113.7\r\nCookie: %s\r\n\r\n", path, b.cookie);
	expect_waiting(1, 0);
	assert_int_equal(holds_so_far(), holds + 1);
	claim(code);
	assert_int_equal(raw_answer(fd, 2000, body, sizeof(body)), 200);
	assert_non_null(strstr(body, "\"state\":\"code_used\""));
	assert_int_equal(raw_answer(fd, 2000, body, sizeof(body)), -1);	/* closed */
	close(fd);
}

/* A client that half-closes after its request still gets its answer, at
 * once (the state as it is). */
static void test_half_close(void **state)
{
	char id[64], code[64], path[160], body[1024];
	struct browser b;
	int fd;

	fd = held_wait(&b, id, code, path);
	assert_int_equal(shutdown(fd, SHUT_WR), 0);
	assert_int_equal(raw_answer(fd, 1500, body, sizeof(body)), 200);
	assert_non_null(strstr(body, "\"state\":\"waiting\""));
	close(fd);
	expect_waiting(0, 0);
}

/* POSTs a claim on a connection of its own (a full server takes no new
 * one). */
static void raw_claim(int fd, const char *code)
{
	char body[128], ans[1024];
	int n = snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);

	dprintf(fd, "POST /api/v1/app/claim HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
		    "\r\nContent-Length: %d\r\n\r\n%s", n, body);
	assert_int_equal(raw_answer(fd, 2000, ans, sizeof(ans)), 200);
}

/* Held connections and MHD's share server.max_connections: at it, new
 * connections wait in the backlog, and a released held wait still finds
 * room in MHD and gets its answer. */
static void test_one_budget(void **state)
{
	char id[64], code[64], path[160], body[1024];
	int kept[MAX_CONNECTIONS], n = 0, late = -1;
	struct browser b;
	int fd;

	fd = held_wait(&b, id, code, path);
	/* Fill the budget with keep-alive connections; the first that is not
	 * answered was not even accepted.  (Connections of the harness may
	 * still count for a moment, so not all MAX_CONNECTIONS - 1 may fit.) */
	while (n < MAX_CONNECTIONS) {
		int c = raw_connect();

		raw_get(c, &b, "/api/v1/session");
		if (raw_answer(c, 500, body, sizeof(body)) != 200) {
			late = c;
			break;
		}
		kept[n++] = c;
	}
	assert_true(late >= 0);
	assert_true(n >= MAX_CONNECTIONS - 4);

	raw_claim(kept[0], code);
	assert_int_equal(raw_answer(fd, 2000, body, sizeof(body)), 200);
	assert_non_null(strstr(body, "\"state\":\"code_used\""));

	close(fd);
	for (int i = 0; i < n; i++)
		close(kept[i]);
	assert_int_equal(raw_answer(late, 2000, body, sizeof(body)), 200);
	close(late);
}

/* SIGTERM with a held connection: a clean exit, the connection closed. */
static void test_shutdown_while_held(void **state)
{
	char id[64], code[64], path[160], body[1024];
	struct browser b;
	int fd, st;

	fd = held_wait(&b, id, code, path);
	st = srv_stop(&S, false);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
	assert_int_equal(raw_answer(fd, 2000, body, sizeof(body)), -1);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_held_until_claimed),
		cmocka_unit_test(test_parked_on_keep_alive),
		cmocka_unit_test(test_timeout_once),
		cmocka_unit_test(test_client_goes_away),
		cmocka_unit_test(test_answered_at_once),
		cmocka_unit_test(test_held_http10),
		cmocka_unit_test(test_half_close),
		cmocka_unit_test(test_one_budget),
		cmocka_unit_test(test_shutdown_while_held),	/* last: stops the server */
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
