/* test-flood.c - no flood of connections wedges or starves eonayd
 * (acceptor.c), against a real eonayd:
 *   - the wedge libmicrohttpd 0.9.75 had (issue 10): at
 *     server.max_connections=200, 400 connections that each send half a
 *     request head, from several addresses and from one;
 *   - 20 000 connections opened at once from 400 addresses (more than the
 *     budget, so connections are shed and refused), half of them with half
 *     a head, and 500 that send one byte a second.
 * Meanwhile a probe from 127.0.0.1 asks /healthz on a new connection every
 * 20 ms and every answer must come within 100 ms.  Once the flood goes the
 * server serves a page and an API call, and SIGTERM stops it with exit 0
 * within a few seconds.  The flood comes from forked children (each holds
 * a share of the sockets, under its own open-files limit) bound to
 * 127.0.x.y source addresses, so the per-address cap is exercised and the
 * probe is another client. */
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
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define PROBE_EVERY_MS 20
#define PROBE_LIMIT_MS 100
#define HALF_HEAD "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: flood\r\n"

static const char *data;
static struct srv the_srv;		/* the test's eonayd */

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t now_ms(void)
{
	return now_us() / 1000u;
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

static rlim_t nofile(void)
{
	struct rlimit rl;

	return getrlimit(RLIMIT_NOFILE, &rl) == 0 ? rl.rlim_cur : 1024;
}

/* 127.0.0.1 + i: the i-th source address. */
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

/* A share of the flood: n connections from addrs addresses starting at
 * first (round robin), half of them sending half a head (all when
 * half_heads), or (slow) each sending one byte a second of a head that
 * never ends.  Runs until its pipe closes. */
struct share {
	unsigned n, addrs, offset;	/* offset: of this child's first in the round robin */
	uint32_t first;
	bool half_heads, slow;
};

static void __attribute__((noreturn)) flood_child(int port, const struct share *sh, int ready,
						  int done)
{
	int *fds = calloc(sh->n, sizeof(int));
	unsigned opened = 0;
	char c = 'r';

	raise_nofile();
	for (unsigned i = 0; i < sh->n; i++) {
		fds[i] = connect_from(port, sh->first + (sh->offset + i) % sh->addrs, false);
		opened += fds[i] >= 0;
	}
	if (!sh->slow) {
		usleep(100000);
		for (unsigned i = 0; i < sh->n; i++)
			if (fds[i] >= 0 && (sh->half_heads || i % 2))
				(void)!write(fds[i], HALF_HEAD, strlen(HALF_HEAD));
	}
	(void)!write(ready, &opened, sizeof(opened));
	for (unsigned t = 0;; t++) {
		struct pollfd p = { .fd = done, .events = POLLIN };

		if (poll(&p, 1, sh->slow ? 1000 : -1) != 0)
			break;
		for (unsigned i = 0; i < sh->n; i++) {
			const char *line = t == 0 ? "G" : "a";

			if (fds[i] >= 0 && write(fds[i], line, 1) < 0) {
				close(fds[i]);
				fds[i] = -1;
			}
		}
	}
	(void)c;
	_exit(0);
}

struct flood {
	pid_t pids[64];
	int done[64];
	unsigned n_children, opened;
};
static struct flood the_flood;		/* the test's flood */

static void flood_start(struct flood *f, int port, const struct share *shares, size_t n_shares)
{
	unsigned per = (unsigned)(nofile() > 5100 ? 5000 : nofile() - 100);

	memset(f, 0, sizeof(*f));
	for (size_t k = 0; k < n_shares; k++) {
		struct share sh = shares[k];

		for (unsigned off = 0; off < shares[k].n; off += per) {
			int rp[2], dp[2];
			unsigned got;

			assert_true(f->n_children < 64);
			sh.n = shares[k].n - off < per ? shares[k].n - off : per;
			/* Keep the round robin over the addresses across children. */
			sh.offset = off;
			/* Close-on-exec: an eonayd started later must not hold
			 * a child's pipe open. */
			assert_int_equal(pipe2(rp, O_CLOEXEC), 0);
			assert_int_equal(pipe2(dp, O_CLOEXEC), 0);
			f->pids[f->n_children] = fork();
			assert_true(f->pids[f->n_children] >= 0);
			if (f->pids[f->n_children] == 0) {
				/* Only the parent holds the others' pipes: each
				 * child sees its own close at once. */
				for (unsigned i = 0; i < f->n_children; i++)
					close(f->done[i]);
				close(rp[0]);
				close(dp[1]);
				flood_child(port, &sh, rp[1], dp[0]);
			}
			close(rp[1]);
			close(dp[0]);
			f->done[f->n_children++] = dp[1];
			/* Children start one after the other but do not wait for
			 * each other's sockets: "at once" as far as a loop goes. */
			(void)!read(rp[0], &got, sizeof(got));
			close(rp[0]);
			f->opened += got;
		}
	}
}

static void flood_stop(struct flood *f)
{
	for (unsigned i = 0; i < f->n_children; i++)
		close(f->done[i]);
	for (unsigned i = 0; i < f->n_children; i++)
		waitpid(f->pids[i], NULL, 0);
	f->n_children = 0;
}

/* Microseconds that the threads matching a /proc/.../schedstat pattern
 * spent runnable but waiting for a CPU, summed (0 where the kernel does
 * not keep it). */
static uint64_t cpu_wait_us(const char *pattern)
{
	uint64_t sum = 0;
	glob_t g;

	if (glob(pattern, 0, NULL, &g) != 0)
		return 0;
	for (size_t i = 0; i < g.gl_pathc; i++) {
		unsigned long long run, wait;
		FILE *f = fopen(g.gl_pathv[i], "r");

		if (f && fscanf(f, "%llu %llu", &run, &wait) == 2)
			sum += wait / 1000;
		if (f)
			fclose(f);
	}
	globfree(&g);
	return sum;
}

/* One probe's times, in microseconds: wall is the client's clock from
 * before connect() to the end of the answer; own is the part of it this
 * thread was ready to run but had no CPU (the client's delay, not the
 * server's); served = wall - own is what the limit applies to. */
struct probe_times {
	uint64_t wall, own, served, connect, first_byte, server_cpu_wait;
};

/* One /healthz on a new connection from 127.0.0.1 to the eonayd with
 * pid: its status (0: no answer within 2 s) and its times. */
static int probe(const struct srv *s, struct probe_times *t)
{
	static const char req[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
	char buf[4096], tasks[64];
	uint64_t t0, own0, srv0;
	size_t len = 0;
	int fd, status = 0;

	memset(t, 0, sizeof(*t));
	snprintf(tasks, sizeof(tasks), "/proc/%d/task/*/schedstat", (int)s->pid);
	srv0 = cpu_wait_us(tasks);
	/* The window of the CPU wait lies within the clock's: never more is
	 * taken off than was waited inside the measured time. */
	t0 = now_us();
	own0 = cpu_wait_us("/proc/thread-self/schedstat");
	fd = connect_from(s->port, INADDR_LOOPBACK, true);
	t->connect = now_us() - t0;
	if (fd < 0 || write(fd, req, sizeof(req) - 1) != (ssize_t)(sizeof(req) - 1))
		goto out;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, 2000) <= 0)
			break;
		if (!t->first_byte)
			t->first_byte = now_us() - t0;
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
out:
	t->own = cpu_wait_us("/proc/thread-self/schedstat") - own0;
	t->wall = now_us() - t0;
	t->served = t->wall - (t->own < t->wall ? t->own : t->wall);
	t->server_cpu_wait = cpu_wait_us(tasks) - srv0;
	if (fd >= 0)
		close(fd);
	return status;
}

/* Probes for secs seconds; fails on any probe that is not a 200 served
 * within PROBE_LIMIT_MS.  A slow probe is shown with where its time went. */
static void probe_for(const struct srv *s, unsigned secs, const char *what)
{
	uint64_t end = now_ms() + secs * 1000u, worst = 0, worst_wall = 0, sum = 0;
	unsigned n = 0, bad = 0;

	while (now_ms() < end) {
		struct probe_times t;
		int st = probe(s, &t);

		n++;
		sum += t.served;
		worst = t.served > worst ? t.served : worst;
		worst_wall = t.wall > worst_wall ? t.wall : worst_wall;
		if (st != 200 || t.served > PROBE_LIMIT_MS * 1000u)
			bad++;
		if (st != 200 || t.wall > PROBE_LIMIT_MS * 1000u / 2)
			print_message("%s: probe %u: status %d, %.1f ms (connect %.1f, first byte "
				      "%.1f; this client waited %.1f ms for a CPU, eonayd's "
				      "threads %.1f ms in all)%s\n",
				      what, n, st, t.wall / 1e3, t.connect / 1e3,
				      t.first_byte / 1e3, t.own / 1e3, t.server_cpu_wait / 1e3,
				      st != 200 || t.served > PROBE_LIMIT_MS * 1000u ? ": LATE" : "");
		usleep(PROBE_EVERY_MS * 1000);
	}
	print_message("%s: %u probes, served in %.1f ms on average, worst %.1f ms (%.1f ms on "
		      "the client's clock), %u late or failed\n",
		      what, n, n ? sum / 1e3 / n : 0.0, worst / 1e3, worst_wall / 1e3, bad);
	assert_int_equal(bad, 0);
	assert_true(n >= secs * 10);
}

/* A number from /healthz's "connections" object. */
static long conn_stat(const struct srv *s, const char *key)
{
	char url[128], v[32];
	const char *w;
	struct resp r;
	long n = -1;

	snprintf(url, sizeof(url), "%s/healthz", s->url);
	if (http_do("GET", url, NULL, 0, NULL, NULL, &r) == 0 && r.status == 200 &&
	    (w = strstr(r.body, "\"connections\"")))
		n = atol(json_field(w, key, v, sizeof(v)));
	resp_done(&r);
	return n;
}

/* The flood's clients are gone: within secs seconds eonayd has closed
 * their connections (at most a few others open). */
static void drained(const struct srv *s, unsigned secs, const char *what)
{
	uint64_t t0 = now_ms();
	long open = -1;

	while ((open = conn_stat(s, "open")) > 4 && now_ms() - t0 < secs * 1000u)
		usleep(50000);
	print_message("%s: %ld connections open after %llu ms\n", what, open,
		      (unsigned long long)(now_ms() - t0));
	if (open < 0 || open > 4) {
		/* Open finding (a worker that stops closing its connections,
		 * seen rarely under load): where eonayd's threads are, for
		 * the log, when gdb is there. */
		char cmd[160];

		snprintf(cmd, sizeof(cmd), "command -v gdb >/dev/null && gdb -p %d -batch -ex"
			 " 'thread apply all bt 16' 2>&1 | grep -E '^(Thread|#)' >&2",
			 (int)s->pid);
		if (system(cmd) != 0)
			print_message("(no gdb: no thread dump)\n");
	}
	assert_true(open >= 0 && open <= 4);
}

/* After the flood: connections drain, a page and an API call are served,
 * SIGTERM stops the server with 0 within 5 s. */
static void after_flood(struct srv *s)
{
	char url[128];
	struct resp r;
	uint64_t t0;
	int st = 0;

	drained(s, 10, "after the flood");

	snprintf(url, sizeof(url), "%s/", s->url);
	assert_int_equal(http_do("GET", url, NULL, 0, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "</html>"));
	resp_done(&r);
	snprintf(url, sizeof(url), "%s/api/v1/session", s->url);
	assert_int_equal(http_do("POST", url, NULL, 0, NULL, NULL, &r), 0);
	assert_true(r.status == 200 || r.status == 201);
	assert_non_null(strstr(r.body, "csrf"));
	resp_done(&r);

	t0 = now_ms();
	kill(s->pid, SIGTERM);
	while (waitpid(s->pid, &st, WNOHANG) == 0 && now_ms() - t0 < 5000)
		usleep(20000);
	if (now_ms() - t0 >= 5000) {
		kill(s->pid, SIGKILL);
		waitpid(s->pid, &st, 0);
		s->pid = 0;
		fail_msg("SIGTERM did not stop eonayd within 5 s");
	}
	s->pid = 0;
	print_message("SIGTERM: stopped in %llu ms\n", (unsigned long long)(now_ms() - t0));
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

#define ADDR(b, c) (INADDR_LOOPBACK - 1 + ((uint32_t)(b) << 8) + (c))	/* 127.0.b.c */

/* The wedge: max_connections=200 and 400 connections with half a
 * head each, first from 8 addresses (the budget is spent: shedding), then
 * from one (its cap). */
static void test_half_heads_at_small_budget(void **state)
{
	struct srv *s = &the_srv;
	struct flood *f = &the_flood;
	static const char *const extra[] = { "--set", "server.max_connections=200", NULL };
	static const struct share many = { .n = 400, .addrs = 8, .first = ADDR(1, 1),
					   .half_heads = true };
	static const struct share one = { .n = 400, .addrs = 1, .first = ADDR(1, 100),
					  .half_heads = true };

	assert_int_equal(srv_start(s, data, extra), 0);
	flood_start(f, s->port, &many, 1);
	assert_int_equal(f->opened, 400);
	probe_for(s, 2, "400 half heads from 8 addresses");
	assert_true(conn_stat(s, "shed") + conn_stat(s, "refused_full") > 0);
	flood_stop(f);
	/* Else the next 400 meet this flood's connections still open. */
	drained(s, 10, "after 400 half heads from 8 addresses");

	flood_start(f, s->port, &one, 1);
	probe_for(s, 2, "400 half heads from 1 address");
	assert_true(conn_stat(s, "refused_per_client") >= 400 - 64);
	flood_stop(f);
	after_flood(s);
}

/* 20 000 at once from 400 addresses (50 each: under the per-address cap,
 * over the budget together) and 500 slow ones from 10 more. */
static void test_flood(void **state)
{
	struct srv *s = &the_srv;
	struct flood *f = &the_flood;
	static const struct share shares[] = {
		{ .n = 500, .addrs = 10, .first = ADDR(4, 1), .slow = true },
		{ .n = 20000, .addrs = 400, .first = ADDR(2, 1) },
	};
	long shed, refused;

	assert_int_equal(srv_start(s, data, NULL), 0);
	flood_start(f, s->port, shares, 2);
	print_message("flood: %u connections opened, budget %ld, open %ld\n", f->opened,
		      conn_stat(s, "budget"), conn_stat(s, "open"));
	assert_true(f->opened >= 20000);
	probe_for(s, 8, "20 000 + 500 slow");
	shed = conn_stat(s, "shed");
	refused = conn_stat(s, "refused_full");
	print_message("shed %ld, refused (budget) %ld, refused (per client) %ld\n", shed, refused,
		      conn_stat(s, "refused_per_client"));
	assert_true(shed + refused > 0);	/* the budget was reached */
	flood_stop(f);
	after_flood(s);
}

/* Clients whose last bytes and end of stream come together: half a head
 * and gone, or a whole request and shutdown(SHUT_WR).  The latter get
 * their answer; then eonayd closes every one of them at once, not after
 * server.connection_timeout (libmicrohttpd 0.9.75 alone missed those ends,
 * acceptor.c). */
static void test_gone_at_once(void **state)
{
	struct srv *s = &the_srv;
	static const char whole[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
	unsigned answered = 0;

	assert_int_equal(srv_start(s, data, NULL), 0);
	for (unsigned i = 0; i < 200; i++) {
		int fd = connect_from(s->port, ADDR(6, 1 + i % 4), true);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, HALF_HEAD, strlen(HALF_HEAD)), (ssize_t)strlen(HALF_HEAD));
		close(fd);
	}
	for (unsigned i = 0; i < 100; i++) {
		int fd = connect_from(s->port, ADDR(6, 5 + i % 4), true);
		char buf[4096];
		size_t len = 0;
		ssize_t k;

		assert_true(fd >= 0);
		assert_int_equal(write(fd, whole, strlen(whole)), (ssize_t)strlen(whole));
		shutdown(fd, SHUT_WR);
		/* The answer keeps the connection: read it, not to the end. */
		buf[0] = '\0';
		while (!strstr(buf, "}") && len < sizeof(buf) - 1 &&
		       poll(&(struct pollfd){ .fd = fd, .events = POLLIN }, 1, 2000) > 0 &&
		       (k = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0) {
			len += (size_t)k;
			buf[len] = '\0';
		}
		answered += strncmp(buf, "HTTP/1.1 200", 12) == 0 && strstr(buf, "\"status\":\"ok\"");
		close(fd);
	}
	assert_int_equal(answered, 100);
	drained(s, 3, "300 clients gone with their last bytes");
	assert_int_equal(srv_stop(s, false), 0);
}

/* What a test leaves running when one of its checks fails. */
static int test_teardown(void **state)
{
	flood_stop(&the_flood);
	if (the_srv.pid > 0)
		srv_stop(&the_srv, true);
	return 0;
}

static int group_setup(void **state)
{
	struct rlimit rl;

	/* The children hold the flood's sockets; this process only probes.
	 * Raise the hard limit when allowed (root), for eonayd to inherit. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_max < 65536) {
		struct rlimit want = { 65536, 65536 };
		setrlimit(RLIMIT_NOFILE, &want);
	}
	raise_nofile();
	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	return demo_world(data) ? 0 : -1;
}

static int group_teardown(void **state)
{
	tmpdir_remove(data);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_half_heads_at_small_budget, test_teardown),
		cmocka_unit_test_teardown(test_flood, test_teardown),
		cmocka_unit_test_teardown(test_gone_at_once, test_teardown),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
