/* test-ratelimit.c - the counters every node shares (ratelimit.c on the
 * store): limit per name, refused requests count too, two connections
 * (two nodes) count in the same row, refusals are tallied, old windows
 * purged. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "server/ratelimit.h"
#include "store/db.h"

static char dir[] = "/tmp/eonay-rl-XXXXXX";
static char path[256];
static struct db *a, *b;

static int setup(void **state)
{
	int applied;

	if (!mkdtemp(dir))
		return -1;
	snprintf(path, sizeof(path), "%s/t.db", dir);
	if (db_open(path, 1000, &a) < 0 || db_migrate(a, &applied) < 0 ||
	    db_open(path, 1000, &b) < 0)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[300];

	db_close(a);
	db_close(b);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
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

static bool take(struct db *db, enum ratelimit_kind k, const char *whom, int64_t limit)
{
	bool ok = false;

	assert_int_equal(ratelimit_take(db, k, whom, limit, &ok), 0);
	return ok;
}

static void test_limit_per_name(void **state)
{
	uint64_t before[_RATELIMIT_MAX], after[_RATELIMIT_MAX];

	avoid_window_edge();
	ratelimit_refusals(before);
	assert_true(take(a, RATELIMIT_CLAIM, "a:192.0.2.1", 3));
	assert_true(take(a, RATELIMIT_CLAIM, "a:192.0.2.1", 3));
	assert_true(take(a, RATELIMIT_CLAIM, "a:192.0.2.1", 3));
	assert_false(take(a, RATELIMIT_CLAIM, "a:192.0.2.1", 3));
	assert_false(take(a, RATELIMIT_CLAIM, "a:192.0.2.1", 3));
	/* Another address, another kind: their own budgets. */
	assert_true(take(a, RATELIMIT_CLAIM, "a:192.0.2.2", 3));
	assert_true(take(a, RATELIMIT_SIGNING, "a:192.0.2.1", 3));
	ratelimit_refusals(after);
	assert_int_equal(after[RATELIMIT_CLAIM] - before[RATELIMIT_CLAIM], 2);
	assert_int_equal(after[RATELIMIT_SIGNING] - before[RATELIMIT_SIGNING], 0);
}

static void test_two_nodes_share(void **state)
{
	avoid_window_edge();
	/* a and b are two connections, as two nodes have: b's refusal comes
	 * from the store, which counted a's request. */
	assert_true(take(a, RATELIMIT_SESSION, "a:198.51.100.1", 2));
	assert_true(take(b, RATELIMIT_SESSION, "a:198.51.100.1", 2));
	assert_false(take(b, RATELIMIT_SESSION, "a:198.51.100.1", 2));
	assert_false(take(a, RATELIMIT_SESSION, "a:198.51.100.1", 2));
}

static int64_t count_of(const char *name)
{
	int64_t n = -1;

	assert_int_equal(db_query_int64(a, "SELECT n FROM rate_counters WHERE name = $1", "t", &n,
					name), 0);
	return n;
}

static void test_refused_flood_stops_writing(void **state)
{
	avoid_window_edge();
	assert_true(take(a, RATELIMIT_SIGNING, "h:10000000146", 1));
	assert_false(take(a, RATELIMIT_SIGNING, "h:10000000146", 1));
	assert_int_equal(count_of("signing:h:10000000146"), 2);
	/* Once the store refused, the node answers itself: no more writes. */
	for (int i = 0; i < 100; i++)
		assert_false(take(a, RATELIMIT_SIGNING, "h:10000000146", 1));
	assert_int_equal(count_of("signing:h:10000000146"), 2);
	/* Only that exact counter: a name in the same or any slot is asked. */
	for (int i = 0; i < 50; i++) {
		char whom[32];

		snprintf(whom, sizeof(whom), "h:%d", i);
		assert_true(take(a, RATELIMIT_SIGNING, whom, 1));
	}
}

static void test_purge(void **state)
{
	int64_t n = -1, left = -1;

	assert_true(db_run(a, "INSERT INTO rate_counters (name, win, n) VALUES ('claim:a:x', 60, 5)",
			   "") == 1);
	assert_int_equal(ratelimit_purge(a, &n), 0);
	assert_int_equal(n, 1);
	/* The current window stays. */
	assert_int_equal(db_query_int64(a, "SELECT COUNT(*) FROM rate_counters WHERE name = $1",
					"t", &left, "claim:a:192.0.2.1"), 0);
	assert_int_equal(left, 1);
	assert_int_equal(ratelimit_purge(a, &n), 0);
	assert_int_equal(n, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_limit_per_name),
		cmocka_unit_test(test_two_nodes_share),
		cmocka_unit_test(test_refused_flood_stops_writing),
		cmocka_unit_test(test_purge),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
