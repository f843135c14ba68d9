/* test-strict.c - request heads libmicrohttpd would read leniently are
 * refused with 400 (src/server/httpstrict.c), against a real eonayd: each
 * raw request goes over its own socket and must get "HTTP/1.1 400" and
 * then the end of the connection; a correctly formed request before and
 * after each on the same server (and pipelined after a correct one on the
 * same connection) still gets its 200. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "harness.h"

static struct srv S;
static const char *data;

/* Sends raw, reads until the server closes (or 5 s); returns the answer. */
static char *exchange(const char *raw, size_t len)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons((uint16_t)S.port) };
	static char buf[65536];
	size_t got = 0;
	int fd;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(send(fd, raw, len, MSG_NOSIGNAL), (ssize_t)len);
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t k;

		if (poll(&p, 1, 5000) <= 0)
			break;		/* not closed: the caller checks */
		k = recv(fd, buf + got, sizeof(buf) - 1 - got, 0);
		if (k <= 0)
			break;
		got += (size_t)k;
		if (got == sizeof(buf) - 1)
			break;
	}
	buf[got] = '\0';
	close(fd);
	return buf;
}

static int count(const char *s, const char *what)
{
	int n = 0;

	for (const char *p = s; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

static void healthz_ok(void)
{
	static const char ok[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n";
	char *r = exchange(ok, sizeof(ok) - 1);

	assert_true(strncmp(r, "HTTP/1.1 200", 12) == 0);
}

#define JSON_POST(extra) \
	"POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n" \
	extra "\r\n{}"

#define RAW(s) s, sizeof(s) - 1	/* with NULs in it */

static const struct bad {
	const char *name, *raw;
	size_t len;	/* 0: strlen(raw) */
} bads[] = {
	{ "conflicting Content-Length",
	  JSON_POST("Content-Length: 2\r\nContent-Length: 12\r\n") },
	{ "Content-Length with Transfer-Encoding",
	  "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
	  "Content-Length: 7\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" },
	{ "Transfer-Encoding twice",
	  "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
	  "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" },
	{ "Transfer-Encoding not chunked",
	  "POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
	  "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n" },
	{ "LF-only line ends",
	  "GET /healthz HTTP/1.1\nHost: 127.0.0.1\nAccept: */*\n\n" },
	{ "LF-only after the request line",
	  "GET /healthz HTTP/1.1\nHost: 127.0.0.1\r\n\r\n" },
	{ "LF-only between headers",
	  "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\nAccept: */*\r\n\r\n" },
	{ "LF-only ending the head",
	  "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\n" },
	{ "obs-fold with a space",
	  "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Long: a\r\n b\r\n\r\n" },
	{ "obs-fold with a tab",
	  "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n\tx\r\n\r\n" },
	{ "obs-fold of the last header, folded Content-Length",
	  JSON_POST("Content-Length:\r\n 2\r\n") },
	{ "whitespace before the colon",
	  "GET /healthz HTTP/1.1\r\nHost : 127.0.0.1\r\n\r\n" },
	{ "bare CR in a value",
	  "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-A: a\rb\r\n\r\n" },
	{ "two Host headers",
	  "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: example.invalid\r\n\r\n" },
	{ "space in the request target",
	  "GET /healthz x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" },
	{ "control byte in the request target",
	  "GET /healthz\x01 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" },
	/* Found by fuzz-httphead: a NUL cut the method short ("G"). */
	{ "NUL in the method",
	  RAW("G\0ET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") },
	{ "NUL in the request target",
	  RAW("GET /healthz\0x HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n") },
	{ "NUL after the version",
	  RAW("GET /healthz HTTP/1.1\0x\r\nHost: 127.0.0.1\r\n\r\n") },
	/* Found by fuzz-httphead: libmicrohttpd takes any bytes as a method. */
	{ "control byte in the method",
	  "\rET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" },
	{ "two spaces after the method",
	  "GET  /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n" },
	{ "HTTP/1.1 without Host",
	  "GET /healthz HTTP/1.1\r\nAccept: */*\r\n\r\n" },
};

static void test_refused(void **state)
{
	int failed = 0;

	(void)state;
	healthz_ok();
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++) {
		char *r = exchange(bads[i].raw, bads[i].len ? bads[i].len : strlen(bads[i].raw));

		if (strncmp(r, "HTTP/1.1 400", 12) != 0) {
			print_error("%s: answered \"%.40s\"\n", bads[i].name, r);
			failed++;
		} else if (count(r, "HTTP/1.1 ") != 1) {
			/* One answer, then the connection ends (exchange saw it). */
			print_error("%s: %d answers\n", bads[i].name, count(r, "HTTP/1.1 "));
			failed++;
		}
		healthz_ok();
	}
	assert_int_equal(failed, 0);
}

/* The strict forms of the same requests are answered as usual: the check
 * refuses the form, not the content. */
static void test_accepted(void **state)
{
	static const char *const goods[] = {
		JSON_POST("Connection: close\r\nContent-Length: 2\r\n"),
		JSON_POST("Connection: close\r\nContent-Length: 2\r\nContent-Length: 2\r\n"),
		"POST /api/v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
		"Connection: close\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n",
		"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nX-Empty:\r\n"
		"X-Tab:\tv\t\r\nX-Sp:   v  \r\n\r\n",
		"GET /healthz HTTP/1.0\r\n\r\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		char *r = exchange(goods[i], strlen(goods[i]));

		if (strncmp(r, "HTTP/1.1 2", 10) != 0 && strncmp(r, "HTTP/1.0 2", 10) != 0)
			fail_msg("good request %zu answered \"%.60s\"", i, r);
	}
}

/* A good request, then a bad one pipelined on the same connection: the
 * first is answered 200, the second 400, and the connection ends. */
static void test_pipelined(void **state)
{
	static const char two[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"
				  "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\nX: y\r\n\r\n";
	char *r = exchange(two, sizeof(two) - 1);

	(void)state;
	assert_true(strncmp(r, "HTTP/1.1 200", 12) == 0);
	assert_int_equal(count(r, "HTTP/1.1 "), 2);
	assert_non_null(strstr(r, "HTTP/1.1 400"));
}

static int group_setup(void **state)
{
	(void)state;
	data = tmpdir_new();
	if (srv_start(&S, data, NULL) < 0) {
		fprintf(stderr, "eonayd did not start; see %s/eonayd.log\n", data);
		return -1;
	}
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	srv_stop(&S, false);
	tmpdir_remove(data);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_accepted),
		cmocka_unit_test(test_pipelined),
	};
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
