/* test-netaddr.c - addresses, CIDR lists and the real client behind
 * trusted proxies (server.trusted_proxies): forged, malformed, multiple and
 * IPv6 forwarding headers, all-trusted chains. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "common/netaddr.h"

static struct cidr_list trusted;

static int setup(void **state)
{
	char *err = NULL;

	return cidr_list_parse("10.0.0.0/8, 192.168.1.7 fd00::/8,::1", &trusted, &err);
}

static int teardown(void **state)
{
	cidr_list_done(&trusted);
	return 0;
}

/* The client for peer and headers, as text. */
static const char *client(const char *peer, const char *xff, const char *fwd)
{
	static char buf[64];

	assert_int_equal(netaddr_client(&trusted, peer, xff, fwd, buf, sizeof(buf)), 0);
	return buf;
}

static void test_parse_addresses(void **state)
{
	static const char *const good[] = { "1.2.3.4", " 1.2.3.4 ", "1.2.3.4:8080", "2001:db8::1",
					    "[2001:db8::1]", "[2001:db8::1]:443", "::ffff:1.2.3.4" };
	static const char *const bad[] = { "", "unknown", "_hidden", "1.2.3", "1.2.3.4:", "1.2.3.4:x",
					   "1.2.3.4:123456", "[1.2.3.4]", "[::1", "[::1]x",
					   "fe80::1%eth0", "example.org", "1.2.3.4 5.6.7.8",
					   "2001:db8::1:80:" };
	struct netaddr a;
	char s[NETADDR_STRLEN];

	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		assert_int_equal(netaddr_parse(good[i], strlen(good[i]), &a), 0);
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		if (netaddr_parse(bad[i], strlen(bad[i]), &a) == 0)
			fail_msg("'%s' was accepted", bad[i]);
	}
	assert_int_equal(netaddr_parse("::ffff:1.2.3.4", 14, &a), 0);
	assert_int_equal(a.family, 4);
	netaddr_format(&a, s);
	assert_string_equal(s, "1.2.3.4");
	assert_int_equal(netaddr_parse("[2001:DB8:0::1]:1", 17, &a), 0);
	netaddr_format(&a, s);
	assert_string_equal(s, "2001:db8::1");
}

static void test_cidr_lists(void **state)
{
	struct cidr_list l;
	struct netaddr a;
	char *err = NULL;

	assert_int_equal(cidr_list_parse("", &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(cidr_list_parse(NULL, &l, &err), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(cidr_list_parse(" 172.16.0.0/12 ,,2001:db8::/32 127.0.0.1 ::ffff:10.0.0.0/104",
					 &l, &err), 0);
	assert_int_equal(l.n, 4);
	netaddr_parse("172.31.255.255", 14, &a);
	assert_true(cidr_list_contains(&l, &a));
	netaddr_parse("172.32.0.0", 10, &a);
	assert_false(cidr_list_contains(&l, &a));
	netaddr_parse("2001:db8:ffff::1", 16, &a);
	assert_true(cidr_list_contains(&l, &a));
	netaddr_parse("2001:db9::1", 11, &a);
	assert_false(cidr_list_contains(&l, &a));
	netaddr_parse("127.0.0.2", 9, &a);
	assert_false(cidr_list_contains(&l, &a));
	netaddr_parse("10.1.2.3", 8, &a);	/* from the mapped /104 = 10.0.0.0/8 */
	assert_true(cidr_list_contains(&l, &a));
	netaddr_parse("::ffff:127.0.0.1", 16, &a);	/* mapped peer = IPv4 entry */
	assert_true(cidr_list_contains(&l, &a));
	cidr_list_done(&l);

	static const char *const bad[] = { "10.0.0.0/33", "::/129", "10.0.0.0/", "10.0.0.0/-1",
					   "nginx", "10.0.0.0/8x", "::ffff:10.0.0.0/95", "1.2.3.4:80" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		err = NULL;
		if (cidr_list_parse(bad[i], &l, &err) == 0)
			fail_msg("'%s' was accepted", bad[i]);
		assert_non_null(err);
		assert_non_null(strstr(err, "not an address"));
		free(err);
	}
	/* Host bits in a block are ignored: 10.9.9.9/8 is 10.0.0.0/8. */
	assert_int_equal(cidr_list_parse("10.9.9.9/8", &l, &err), 0);
	netaddr_parse("10.200.0.1", 10, &a);
	assert_true(cidr_list_contains(&l, &a));
	cidr_list_done(&l);
}

static void test_untrusted_peer_ignores_headers(void **state)
{
	struct cidr_list none = { 0 };
	char buf[64];

	assert_string_equal(client("203.0.113.9", "1.1.1.1", "for=2.2.2.2"), "203.0.113.9");
	assert_int_equal(netaddr_client(&none, "10.0.0.1", "1.1.1.1", NULL, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "10.0.0.1");
	assert_string_equal(client("10.0.0.1", NULL, NULL), "10.0.0.1");
}

static void test_right_most_untrusted(void **state)
{
	/* The client forged the first entry; the proxy appended the real one. */
	assert_string_equal(client("10.0.0.1", "6.6.6.6, 198.51.100.4", NULL), "198.51.100.4");
	/* Through two trusted proxies. */
	assert_string_equal(client("10.0.0.1", "6.6.6.6,198.51.100.4, 10.2.3.4,192.168.1.7", NULL),
			    "198.51.100.4");
	/* Ports and brackets as some proxies write them. */
	assert_string_equal(client("10.0.0.1", "198.51.100.4:5555", NULL), "198.51.100.4");
	assert_string_equal(client("10.0.0.1", "[2001:db8::7]:5555", NULL), "2001:db8::7");
}

static void test_multiple_headers(void **state)
{
	/* Two X-Forwarded-For headers arrive joined in order (http.c). */
	assert_string_equal(client("10.0.0.1", "6.6.6.6,198.51.100.4,10.0.0.2", NULL),
			    "198.51.100.4");
}

static void test_all_trusted(void **state)
{
	/* Every hop is a proxy: the left-most is the client. */
	assert_string_equal(client("10.0.0.1", "10.9.8.7, 192.168.1.7", NULL), "10.9.8.7");
	assert_string_equal(client("::1", "fd00::5", NULL), "fd00::5");
}

static void test_malformed(void **state)
{
	/* A malformed hop stops the walk at the (trusted) hop to its right. */
	assert_string_equal(client("10.0.0.1", "198.51.100.4, garbage, 10.0.0.9", NULL), "10.0.0.9");
	assert_string_equal(client("10.0.0.1", "garbage", NULL), "10.0.0.1");
	assert_string_equal(client("10.0.0.1", "", NULL), "10.0.0.1");
	assert_string_equal(client("10.0.0.1", ",,,", NULL), "10.0.0.1");
	/* Behind it a forged chain cannot help: the proxy's own hop comes first. */
	assert_string_equal(client("10.0.0.1", "garbage, 198.51.100.4", NULL), "198.51.100.4");
	/* A long chain of garbage is harmless. */
	char big[4000];
	memset(big, ',', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	assert_string_equal(client("10.0.0.1", big, NULL), "10.0.0.1");
}

static void test_forwarded(void **state)
{
	assert_string_equal(client("10.0.0.1", NULL, "for=198.51.100.4;proto=https;by=10.0.0.1"),
			    "198.51.100.4");
	assert_string_equal(client("10.0.0.1", NULL,
				   "for=6.6.6.6, For=\"[2001:db8:cafe::17]:4711\""),
			    "2001:db8:cafe::17");
	assert_string_equal(client("10.0.0.1", NULL, "proto=https;for=198.51.100.4 , for=10.0.0.3"),
			    "198.51.100.4");
	/* unknown, obfuscated or missing for=: the walk stops there. */
	assert_string_equal(client("10.0.0.1", NULL, "for=198.51.100.4, for=unknown"), "10.0.0.1");
	assert_string_equal(client("10.0.0.1", NULL, "for=_hidden"), "10.0.0.1");
	assert_string_equal(client("10.0.0.1", NULL, "proto=http"), "10.0.0.1");
	assert_string_equal(client("10.0.0.1", NULL, "for=\"198.51.100.4;x\""), "10.0.0.1");
}

static void test_both_headers(void **state)
{
	/* Agreeing: believed. */
	assert_string_equal(client("10.0.0.1", "198.51.100.4", "for=198.51.100.4"), "198.51.100.4");
	/* Disagreeing: one of them was forged and passed on; believe neither. */
	assert_string_equal(client("10.0.0.1", "198.51.100.4", "for=6.6.6.6"), "10.0.0.1");
}

static void test_limit_key(void **state)
{
	char k[80];

	netaddr_limit_key("192.0.2.1", k, sizeof(k));
	assert_string_equal(k, "192.0.2.1");
	netaddr_limit_key("2001:db8:1:2:3:4:5:6", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:2::/64");
	netaddr_limit_key("2001:db8:1:2:ffff::1", k, sizeof(k));
	assert_string_equal(k, "2001:db8:1:2::/64");
	netaddr_limit_key("::ffff:192.0.2.1", k, sizeof(k));
	assert_string_equal(k, "192.0.2.1");
	netaddr_limit_key("?", k, sizeof(k));
	assert_string_equal(k, "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_addresses),
		cmocka_unit_test(test_cidr_lists),
		cmocka_unit_test(test_untrusted_peer_ignores_headers),
		cmocka_unit_test(test_right_most_untrusted),
		cmocka_unit_test(test_multiple_headers),
		cmocka_unit_test(test_all_trusted),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_forwarded),
		cmocka_unit_test(test_both_headers),
		cmocka_unit_test(test_limit_key),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
