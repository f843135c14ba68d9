/* test-connbook.c - the acceptor's books: the per-address cap (IPv4, IPv6
 * by /64, IPv4-mapped IPv6 as IPv4), the budget and the choice of the
 * connection to shed, shed connections counting until reported closed,
 * descriptors reused without a report, the request count and the tag of
 * each booking. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

#include "server/connbook.h"

static struct sockaddr_storage ss;

static const struct sockaddr *addr(const char *text)
{
	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, text, &a->sin6_addr), 1);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, text, &a->sin_addr), 1);
	}
	return (const struct sockaddr *)&ss;
}

static enum connbook_verdict admit(struct connbook *b, int fd, const char *text, int *shed)
{
	int s;
	enum connbook_verdict v = connbook_admit(b, fd, addr(text), true, &s);

	if (shed)
		*shed = s;
	else
		assert_int_equal(s, -1);
	return v;
}

static struct connbook_stats stats(struct connbook *b)
{
	struct connbook_stats st;

	connbook_stats(b, &st);
	return st;
}

static void test_per_client_cap(void **state)
{
	struct connbook *b;

	assert_int_equal(connbook_new(100, 3, 1000, 42, &b), 0);
	for (int fd = 10; fd < 13; fd++)
		assert_int_equal(admit(b, fd, "192.0.2.1", NULL), CONNBOOK_ADMIT);
	assert_int_equal(admit(b, 13, "192.0.2.1", NULL), CONNBOOK_REFUSE_CLIENT);
	assert_int_equal(admit(b, 13, "192.0.2.2", NULL), CONNBOOK_ADMIT);
	/* IPv4-mapped IPv6 is the same client as the IPv4 address. */
	assert_int_equal(admit(b, 14, "::ffff:192.0.2.1", NULL), CONNBOOK_REFUSE_CLIENT);
	/* One closes: room again. */
	connbook_closed(b, 11);
	assert_int_equal(admit(b, 14, "::ffff:192.0.2.1", NULL), CONNBOOK_ADMIT);
	assert_int_equal(stats(b).open, 4);
	assert_int_equal(stats(b).refused_per_client, 2);
	connbook_free(b);
}

/* A trusted proxy (capped false) carries many clients: no per-client cap,
 * but still the budget. */
static void test_uncapped_proxy(void **state)
{
	struct connbook *b;
	int s;

	assert_int_equal(connbook_new(5, 2, 1000, 42, &b), 0);
	for (int fd = 10; fd < 15; fd++)
		assert_int_equal(connbook_admit(b, fd, addr("127.0.0.1"), false, &s),
				 CONNBOOK_ADMIT);
	assert_int_equal(connbook_admit(b, 15, addr("127.0.0.1"), false, &s),
			 CONNBOOK_REFUSE_FULL);
	assert_int_equal(s, -1);
	assert_int_equal(stats(b).open, 5);
	assert_int_equal(stats(b).refused_per_client, 0);
	connbook_free(b);
}

static void test_ipv6_by_64(void **state)
{
	struct connbook *b;

	assert_int_equal(connbook_new(100, 2, 1000, 42, &b), 0);
	assert_int_equal(admit(b, 10, "2001:db8:1:2::1", NULL), CONNBOOK_ADMIT);
	assert_int_equal(admit(b, 11, "2001:db8:1:2:ffff::9", NULL), CONNBOOK_ADMIT);
	assert_int_equal(admit(b, 12, "2001:db8:1:2:aaaa:bbbb:cccc:dddd", NULL),
			 CONNBOOK_REFUSE_CLIENT);
	assert_int_equal(admit(b, 12, "2001:db8:1:3::1", NULL), CONNBOOK_ADMIT);
	connbook_free(b);
}

/* Budget 4 without a cap: a newcomer sheds the oldest connection of the
 * address with the most, as long as that one keeps more than it. */
static void test_shed_fattest_oldest(void **state)
{
	struct connbook *b;
	int shed;

	assert_int_equal(connbook_new(4, 0, 1000, 42, &b), 0);
	for (int fd = 10; fd < 13; fd++)
		assert_int_equal(admit(b, fd, "198.51.100.1", NULL), CONNBOOK_ADMIT);
	assert_int_equal(admit(b, 13, "198.51.100.2", NULL), CONNBOOK_ADMIT);
	/* Full.  The flooder gets nothing more. */
	assert_int_equal(admit(b, 14, "198.51.100.1", &shed), CONNBOOK_REFUSE_FULL);
	assert_int_equal(shed, -1);
	/* A new address: the flooder's oldest (10) goes. */
	assert_int_equal(admit(b, 14, "198.51.100.3", &shed), CONNBOOK_ADMIT);
	assert_int_equal(shed, 10);
	/* Now 1 has 2, 2 and 3 have 1 each: 2 again would even it out, no. */
	assert_int_equal(admit(b, 15, "198.51.100.2", &shed), CONNBOOK_REFUSE_FULL);
	assert_int_equal(admit(b, 15, "198.51.100.4", &shed), CONNBOOK_ADMIT);
	assert_int_equal(shed, 11);
	/* The shed ones count as open until reported closed. */
	assert_int_equal(stats(b).open, 6);
	assert_int_equal(stats(b).shed, 2);
	assert_int_equal(stats(b).refused_full, 2);
	connbook_closed(b, 10);
	connbook_closed(b, 11);
	assert_int_equal(stats(b).open, 4);
	/* 12 was never reported closed, but its number comes back from
	 * accept: it was closed; forgotten, the newcomer takes its place. */
	assert_int_equal(admit(b, 12, "198.51.100.5", &shed), CONNBOOK_ADMIT);
	assert_int_equal(shed, -1);
	assert_int_equal(stats(b).open, 4);
	connbook_free(b);
}

/* Shed connections not yet closed are bounded: then nothing more is
 * shed and newcomers are refused. */
static void test_shed_bounded(void **state)
{
	struct connbook *b;
	unsigned admitted = 0, refused = 0;
	int shed, fd = 10;

	assert_int_equal(connbook_new(100, 0, 10000, 42, &b), 0);
	assert_int_equal(connbook_max_open(b), 100 + 6 + 64);
	for (int i = 0; i < 100; i++)
		assert_int_equal(admit(b, fd++, "203.0.113.1", NULL), CONNBOOK_ADMIT);
	for (int i = 0; i < 200; i++) {
		char a[32];

		snprintf(a, sizeof(a), "10.0.%d.%d", i / 250, i % 250 + 1);
		if (admit(b, fd++, a, &shed) == CONNBOOK_ADMIT)
			admitted++;
		else
			refused++;
	}
	/* 70 shed (the flooder still has 30), then the rest refused. */
	assert_int_equal(stats(b).open, connbook_max_open(b));
	assert_int_equal(stats(b).shed, 70);
	assert_int_equal(admitted, 70);
	assert_int_equal(refused, 130);
	connbook_free(b);
}

static void test_count_request(void **state)
{
	struct connbook *b;

	assert_int_equal(connbook_new(10, 0, 100, 42, &b), 0);
	assert_int_equal(connbook_count_request(b, 20), 0);
	assert_int_equal(admit(b, 20, "192.0.2.9", NULL), CONNBOOK_ADMIT);
	assert_int_equal(connbook_count_request(b, 20), 1);
	assert_int_equal(connbook_count_request(b, 20), 2);
	connbook_closed(b, 20);
	assert_int_equal(admit(b, 20, "192.0.2.9", NULL), CONNBOOK_ADMIT);
	assert_int_equal(connbook_count_request(b, 20), 1);
	/* Out of range and unknown families are refused, not booked. */
	assert_int_equal(admit(b, 100, "192.0.2.9", NULL), CONNBOOK_REFUSE_FULL);
	connbook_free(b);
}

/* Every booking of a descriptor has its own tag, shed ones keep theirs
 * until reported closed, and an unbooked descriptor has none. */
static void test_tag(void **state)
{
	struct connbook *b;
	uint32_t t1, t2;
	int shed;

	assert_int_equal(connbook_new(2, 0, 100, 42, &b), 0);
	assert_int_equal(connbook_tag(b, 20), 0);
	assert_int_equal(connbook_tag(b, -1), 0);
	assert_int_equal(connbook_tag(b, 100), 0);
	assert_int_equal(admit(b, 20, "192.0.2.9", NULL), CONNBOOK_ADMIT);
	t1 = connbook_tag(b, 20);
	assert_int_not_equal(t1, 0);
	connbook_closed(b, 20);
	assert_int_equal(connbook_tag(b, 20), 0);
	assert_int_equal(admit(b, 20, "192.0.2.9", NULL), CONNBOOK_ADMIT);
	t2 = connbook_tag(b, 20);
	assert_int_not_equal(t2, 0);
	assert_int_not_equal(t2, t1);
	/* Reused without a report: a new booking, a new tag. */
	assert_int_equal(admit(b, 20, "192.0.2.9", NULL), CONNBOOK_ADMIT);
	assert_int_not_equal(connbook_tag(b, 20), t2);
	t2 = connbook_tag(b, 20);
	assert_int_equal(admit(b, 21, "192.0.2.9", NULL), CONNBOOK_ADMIT);
	assert_int_equal(admit(b, 22, "192.0.2.10", &shed), CONNBOOK_ADMIT);
	assert_int_equal(shed, 20);
	assert_int_equal(connbook_tag(b, 20), t2);
	connbook_closed(b, 20);
	assert_int_equal(connbook_tag(b, 20), 0);
	connbook_free(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_per_client_cap),
		cmocka_unit_test(test_uncapped_proxy),
		cmocka_unit_test(test_ipv6_by_64),
		cmocka_unit_test(test_shed_fattest_oldest),
		cmocka_unit_test(test_shed_bounded),
		cmocka_unit_test(test_count_request),
		cmocka_unit_test(test_tag),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
