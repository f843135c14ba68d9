/* test-reqhead.c - the recognizer of held long-poll heads: real browser
 * heads are recognized, and every unusual form is left to libmicrohttpd. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "server/reqhead.h"
#include "tests/chromium-wait.h"

#define SID "q3J0aGVyZS1pcy1uby1zcG9vbi1oZXJlLWF0LWFsbC0x"
#define ID "0123456789abcdef0123456789abcdef"

/* What Chromium sends for the page's fetch (ceremony.js). */
static const char chromium[] =
	"GET /api/v1/signing/wait?id=" ID "&state=waiting HTTP/1.1\r\n"
	CHROMIUM_WAIT_HEADERS
	"Cookie: theme=dark; eonay_sid=" SID "; other=x=y\r\n"
	"\r\n";

static int parse(const char *s, struct wait_head *h)
{
	return reqhead_parse_wait(s, strlen(s), "eonay_sid", h);
}

static void test_browser(void **state)
{
	struct wait_head h;

	assert_int_equal(parse(chromium, &h), 0);
	assert_string_equal(h.id, ID);
	assert_string_equal(h.state, "waiting");
	assert_string_equal(h.sid, SID);
}

static void test_minimal_and_order(void **state)
{
	struct wait_head h;

	assert_int_equal(parse("GET /api/v1/signing/wait?state=code_used&id=ab HTTP/1.1\r\n"
			       "host: x\r\ncookie:eonay_sid=" SID "\r\n\r\n", &h), 0);
	assert_string_equal(h.id, "ab");
	assert_string_equal(h.state, "code_used");
	assert_string_equal(h.sid, SID);
}

/* What nginx sends upstream by default (proxy_pass, HTTP/1.0). */
static void test_nginx(void **state)
{
	struct wait_head h;

	assert_int_equal(parse("GET /api/v1/signing/wait?id=" ID "&state=waiting HTTP/1.0\r\n"
			       "Host: nes.example.gov.tr\r\nConnection: close\r\n"
			       "X-Forwarded-For: 203.0.113.7\r\n"
			       "User-Agent: Mozilla/5.0\r\nCookie: eonay_sid=" SID "\r\n\r\n", &h), 0);
	assert_string_equal(h.id, ID);
	assert_string_equal(h.sid, SID);
}

static void test_incomplete(void **state)
{
	struct wait_head h;
	size_t n = strlen(chromium);

	/* Every prefix of a good head is "not yet", never "yes". */
	for (size_t i = 0; i < n; i++)
		assert_int_equal(reqhead_parse_wait(chromium, i, "eonay_sid", &h), -EAGAIN);
	/* A body or a second request after the head does not matter here. */
	char two[2 * sizeof(chromium)];
	snprintf(two, sizeof(two), "%s%s", chromium, chromium);
	assert_int_equal(parse(two, &h), 0);
}

static void test_not_ours(void **state)
{
	static const char *const bad[] = {
		/* other requests */
		"GET /api/v1/session HTTP/1.1\r\nHost: x\r\n\r\n",
		"POST /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /api/v1/signing/waiting?id=a&state=waiting HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /api/v1/signing/wait HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.2\r\nHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/2.0\r\nHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\rHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1 \r\nHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
		/* query */
		"GET /api/v1/signing/wait?id=a HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting&x=1 HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&id=b&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=%61&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting& HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=0123456789abcdef0123456789abcdef0123456789&state=waiting "
		"HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
		/* headers */
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nCookie: eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nHost: y\r\nCookie: eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: other=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\nCookie: b=c\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a; eonay_sid=b\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a+b\r\n\r\n",
		/* cookies another parser (MHD's) could read differently */
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: EONAY_SID=b; eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: x=1,eonay_sid=b; eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid =b; eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: x=\"a;eonay_sid=b\"; eonay_sid=a\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a, x=1\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\nContent-Length: 0\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\nTransfer-Encoding: chunked\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\nExpect: 100-continue\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\nupgrade: websocket\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\n folded\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\nBad Name: 1\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\nNoColon\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\nX: a\nb\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\nX: a\rb\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\nX: \x7f\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\nHost: x\r\nCookie: eonay_sid=a\r\nX: \xc3\xa7\r\n\r\n",
		"GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\nHost: x\r\nCookie: eonay_sid=a\r\n\r\n",
	};
	struct wait_head h;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = parse(bad[i], &h);
		if (r != -EINVAL)
			fail_msg("case %zu: got %d: %s", i, r, bad[i]);
	}
}

static void test_too_long(void **state)
{
	static char big[REQHEAD_MAX + 64];
	struct wait_head h;
	int n;

	n = snprintf(big, sizeof(big), "GET /api/v1/signing/wait?id=a&state=waiting HTTP/1.1\r\n"
		     "Host: x\r\nCookie: eonay_sid=a\r\nX-Pad: ");
	memset(big + n, 'a', sizeof(big) - (size_t)n - 1);
	/* No end of head within REQHEAD_MAX: not held, even while incomplete. */
	assert_int_equal(reqhead_parse_wait(big, REQHEAD_MAX, "eonay_sid", &h), -EINVAL);
	assert_int_equal(reqhead_parse_wait(big, sizeof(big) - 1, "eonay_sid", &h), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_browser),
		cmocka_unit_test(test_minimal_and_order),
		cmocka_unit_test(test_nginx),
		cmocka_unit_test(test_incomplete),
		cmocka_unit_test(test_not_ours),
		cmocka_unit_test(test_too_long),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
