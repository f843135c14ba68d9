/* test-slow.c - slow clients keep nobody else waiting (issue 14).
 *
 * 300 connections to a real eonayd, each sending one byte a second: 150
 * of them a request head that never ends (slowloris), 150 a whole head of
 * a POST and then its body one byte a second.  They come from 30
 * addresses (10 each, under server.max_connections_per_client) so that
 * eonayd holds all of them.  Meanwhile /healthz, asked on a new connection
 * every 20 ms, must answer within 100 ms each time, and a whole signing
 * ceremony (browser, the real eimza on the demo's SoftHSM card) must
 * complete.  Then the per-address cap: 300 slow connections from ONE
 * address get at most the cap, the rest are closed at once, and the
 * health check and the ceremony still go through.  Last, the bound on the
 * signing sessions one address may have open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
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
#define N_SLOW 300
#define LIMIT_MS 100
#define ADDR(b, c) (INADDR_LOOPBACK - 1 + ((uint32_t)(b) << 8) + (c))	/* 127.0.b.c */

static const char *data, *conf;
static struct srv S;
static pid_t slow_pid;
static int slow_done = -1;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static int connect_from(int port, uint32_t src, bool block)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	struct sockaddr_in s = { .sin_family = AF_INET };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (block ? 0 : SOCK_NONBLOCK), 0);

	if (fd < 0)
		return -1;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	s.sin_addr.s_addr = htonl(src);
	if (bind(fd, (struct sockaddr *)&s, sizeof(s)) < 0 ||
	    (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS)) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The slow clients: n connections from addrs addresses starting at first;
 * even ones trickle a head, odd ones a body.  One byte each a second until
 * the pipe done closes; how many are still open is written to ready after
 * each second's round. */
static void __attribute__((noreturn)) slow_child(int port, unsigned n, unsigned addrs,
						 uint32_t first, int ready, int done)
{
	static const char head[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ";
	static const char post[] = "POST /api/v1/app/claim HTTP/1.1\r\nHost: 127.0.0.1\r\n"
				   "Content-Type: application/json\r\nContent-Length: 60000\r\n\r\n"
				   "{\"code\":\"";
	int fds[N_SLOW];
	size_t pos[N_SLOW] = { 0 };

	for (unsigned i = 0; i < n; i++)
		fds[i] = connect_from(port, first + i % addrs, false);
	for (;;) {
		struct pollfd p = { .fd = done, .events = POLLIN };
		unsigned open = 0;

		for (unsigned i = 0; i < n; i++) {
			const char *text = i % 2 ? post : head;
			size_t len = strlen(text);
			char c = pos[i] < len ? text[pos[i]] : 'a';

			if (fds[i] >= 0 && write(fds[i], &c, 1) < 0 && errno != EAGAIN) {
				close(fds[i]);
				fds[i] = -1;
			}
			if (fds[i] >= 0) {
				char buf[512];
				ssize_t k = recv(fds[i], buf, sizeof(buf), MSG_DONTWAIT);

				if (k == 0) {	/* closed by the server */
					close(fds[i]);
					fds[i] = -1;
				}
			}
			pos[i]++;
			open += fds[i] >= 0;
		}
		if (ready >= 0)
			(void)!write(ready, &open, sizeof(open));
		if (poll(&p, 1, 1000) != 0)
			break;
	}
	_exit(0);
}

static void slow_start(unsigned addrs, uint32_t first)
{
	int dp[2];

	assert_int_equal(pipe2(dp, O_CLOEXEC), 0);
	slow_pid = fork();
	assert_true(slow_pid >= 0);
	if (slow_pid == 0) {
		close(dp[1]);
		/* no reports: the server's own counts are read */
		slow_child(S.port, N_SLOW, addrs, first, -1, dp[0]);
	}
	close(dp[0]);
	slow_done = dp[1];
}

static void slow_stop(void)
{
	if (slow_done >= 0)
		close(slow_done);
	slow_done = -1;
	if (slow_pid > 0)
		waitpid(slow_pid, NULL, 0);
	slow_pid = 0;
}

/* This thread's time runnable without a CPU, in µs (0 where not kept). */
static uint64_t own_cpu_wait_us(void)
{
	unsigned long long run, wait;
	FILE *f = fopen("/proc/thread-self/schedstat", "r");
	uint64_t w = 0;

	if (f && fscanf(f, "%llu %llu", &run, &wait) == 2)
		w = wait / 1000;
	if (f)
		fclose(f);
	return w;
}

/* CPU waits (µs) of eonayd's threads, by thread id (up to 64 threads). */
struct waits {
	int tid[64];
	uint64_t us[64];
	unsigned n;
};

static void server_waits(struct waits *w)
{
	char path[64];
	glob_t g;

	w->n = 0;
	snprintf(path, sizeof(path), "/proc/%d/task/*/schedstat", (int)S.pid);
	if (glob(path, 0, NULL, &g) != 0)
		return;
	for (size_t i = 0; i < g.gl_pathc && w->n < 64; i++) {
		unsigned long long run, wait;
		FILE *f = fopen(g.gl_pathv[i], "r");

		if (f && fscanf(f, "%llu %llu", &run, &wait) == 2) {
			w->tid[w->n] = atoi(g.gl_pathv[i] + strlen("/proc/") + 1 +
					    strcspn(g.gl_pathv[i] + strlen("/proc/"), "/") +
					    strlen("task/"));
			w->us[w->n++] = wait / 1000;
		}
		if (f)
			fclose(f);
	}
	globfree(&g);
}

/* The longest any one eonayd thread waited for a CPU between a and b. */
static uint64_t server_wait_max(const struct waits *a, const struct waits *b)
{
	uint64_t m = 0;

	for (unsigned i = 0; i < b->n; i++)
		for (unsigned j = 0; j < a->n; j++)
			if (a->tid[j] == b->tid[i] && b->us[i] - a->us[j] > m)
				m = b->us[i] - a->us[j];
	return m;
}

/* One /healthz on a new connection: its status; *ret_us the time to the
 * whole answer, less what this client waited for a CPU itself and the
 * longest wait for a CPU of any one eonayd thread meanwhile (the machine
 * is shared: a thread that had no CPU is not eonayd keeping the probe
 * waiting; both are printed with a late probe). */
static int probe(uint64_t *ret_us, uint64_t *ret_wall)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
	struct waits sw0, sw1;
	uint64_t t0, w0, own;
	char buf[4096];
	size_t len = 0;
	int fd, status = 0;

	server_waits(&sw0);
	t0 = now_us();
	w0 = own_cpu_wait_us();
	fd = connect_from(S.port, INADDR_LOOPBACK, true);
	if (fd >= 0 && write(fd, req, sizeof(req) - 1) == (ssize_t)(sizeof(req) - 1))
		for (;;) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t k;

			if (poll(&p, 1, 2000) <= 0)
				break;
			k = read(fd, buf + len, sizeof(buf) - 1 - len);
			if (k <= 0)
				break;
			len += (size_t)k;
			buf[len] = '\0';
			if (strstr(buf, "\r\n\r\n") && strstr(buf, "}")) {
				status = atoi(buf + 9);
				break;
			}
		}
	if (fd >= 0)
		close(fd);
	*ret_wall = now_us() - t0;
	own = own_cpu_wait_us() - w0;
	server_waits(&sw1);
	own += server_wait_max(&sw0, &sw1);
	*ret_us = *ret_wall - (own < *ret_wall ? own : *ret_wall);
	return status;
}

static void probe_for(unsigned secs, const char *what)
{
	uint64_t end = now_us() + secs * 1000000u, worst = 0, sum = 0;
	unsigned n = 0, bad = 0;

	while (now_us() < end) {
		uint64_t us, wall;
		int st = probe(&us, &wall);

		n++;
		sum += us;
		worst = us > worst ? us : worst;
		if (st != 200 || us > LIMIT_MS * 1000u) {
			bad++;
			print_message("%s: probe %u: status %d in %.1f ms (%.1f ms on the clock): LATE\n",
				      what, n, st, us / 1e3, wall / 1e3);
		}
		usleep(20000);
	}
	print_message("%s: %u probes of /healthz, %.1f ms on average, worst %.1f ms, %u late\n",
		      what, n, n ? sum / 1e3 / n : 0.0, worst / 1e3, bad);
	assert_int_equal(bad, 0);
	assert_true(n >= secs * 10);
}

/* A number from /healthz's "connections" object. */
static long conn_stat(const char *key)
{
	char url[128], v[32];
	const char *w;
	struct resp r;
	long n = -1;

	snprintf(url, sizeof(url), "%s/healthz", S.url);
	if (http_do("GET", url, NULL, 0, NULL, NULL, &r) == 0 && r.status == 200 &&
	    (w = strstr(r.body, "\"connections\"")))
		n = atol(json_field(w, key, v, sizeof(v)));
	resp_done(&r);
	return n;
}

/* A whole login ceremony by AHMET with his card; returns its time in ms. */
static double ceremony(void)
{
	char id[64], code[64], path[160], st[32];
	uint64_t t0 = now_us();
	struct browser b;
	struct resp r;
	char *out;

	assert_int_equal(browser_open(&b, &S), 0);
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing",
				      "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", &r), 0);
	assert_int_equal(r.status, 201);
	json_field(r.body, "id", id, sizeof(id));
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);
	if (run_cmd(&out, "printf '123456\\n' | SOFTHSM2_CONF=%s %s sign --server %s --code '%s'"
			  " --token DEMO-0001 --pin-stdin --yes", conf, bin_path("eimza"), S.url,
		    code) != 0)
		fail_msg("eimza: %s", out);
	free(out);
	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s", id);
	assert_int_equal(browser_call(&b, "GET", path, NULL, &r), 0);
	assert_string_equal(json_field(r.body, "state", st, sizeof(st)), "signed");
	resp_done(&r);
	assert_int_equal(browser_refresh(&b), 0);
	assert_int_equal(browser_call(&b, "GET", "/api/v1/session", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"authenticated\":true"));
	resp_done(&r);
	return (now_us() - t0) / 1e3;
}

/* Waits until eonayd holds at least want connections (or secs pass). */
static long held(long want, unsigned secs)
{
	long open = -1;

	for (unsigned i = 0; i < secs * 10 && (open = conn_stat("open")) < want; i++)
		usleep(100000);
	return open;
}

static void test_slow_clients(void **state)
{
	long open;
	double ms;

	(void)state;
	assert_int_equal(srv_start(&S, data, NULL), 0);
	slow_start(30, ADDR(7, 1));
	open = held(N_SLOW, 5);
	print_message("300 slow clients (150 heads, 150 bodies) from 30 addresses: eonayd holds %ld"
		      " connections\n", open);
	assert_true(open >= N_SLOW);
	probe_for(3, "300 slow clients");
	ms = ceremony();
	print_message("a whole login ceremony meanwhile: %.0f ms\n", ms);
	probe_for(3, "300 slow clients, after the ceremony");
	/* still all there: they were not simply dropped */
	assert_true(conn_stat("open") >= N_SLOW);
	assert_int_equal(conn_stat("refused_per_client"), 0);
	slow_stop();
	assert_int_equal(srv_stop(&S, false), 0);
}

static void test_per_address_cap(void **state)
{
	static const char *const extra[] = { "--set", "server.max_connections_per_client=20", NULL };
	long open, refused;

	(void)state;
	assert_int_equal(srv_start(&S, data, extra), 0);
	slow_start(1, ADDR(8, 1));
	open = held(20, 5);
	usleep(500000);
	open = conn_stat("open");
	refused = conn_stat("refused_per_client");
	(void)open;
	print_message("300 slow clients from one address, cap 20: %ld held, %ld refused\n", open,
		      refused);
	assert_true(open >= 20 && open <= 20 + 3);	/* + the probes' own */
	assert_true(refused >= N_SLOW - 20);
	probe_for(2, "one address over its cap");
	ceremony();
	slow_stop();
	assert_int_equal(srv_stop(&S, false), 0);
}

/* Open signing sessions of one address are bounded (codes.open_per_client):
 * the next start is refused 429 too_many_open, in Turkish, and another
 * address is not touched. */
static void test_open_sessions_bounded(void **state)
{
	static const char *const extra[] = { "--set", "codes.open_per_client=3", NULL };
	char code[64], msg[300];
	struct browser b;
	struct resp r;

	(void)state;
	assert_int_equal(srv_start(&S, data, extra), 0);
	assert_int_equal(browser_open(&b, &S), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(browser_call(&b, "POST", "/api/v1/signing",
					      "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", &r), 0);
		assert_int_equal(r.status, 201);
		resp_done(&r);
	}
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing",
				      "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", &r), 0);
	assert_int_equal(r.status, 429);
	assert_string_equal(json_field(r.body, "code", code, sizeof(code)), "too_many_open");
	assert_non_null(strstr(json_field(r.body, "message", msg, sizeof(msg)), "imza"));
	resp_done(&r);
	/* another address still starts one, and signs it */
	http_set_source("127.0.0.9");
	ceremony();
	http_set_source(NULL);
	assert_int_equal(srv_stop(&S, false), 0);
}

static int test_teardown(void **state)
{
	(void)state;
	slow_stop();
	if (S.pid > 0)
		srv_stop(&S, true);
	return 0;
}

static int group_setup(void **state)
{
	(void)state;
	signal(SIGPIPE, SIG_IGN);
	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	conf = demo_world(data);
	return conf ? 0 : -1;
}

static int group_teardown(void **state)
{
	(void)state;
	tmpdir_remove(data);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_slow_clients, test_teardown),
		cmocka_unit_test_teardown(test_per_address_cap, test_teardown),
		cmocka_unit_test_teardown(test_open_sessions_bounded, test_teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
