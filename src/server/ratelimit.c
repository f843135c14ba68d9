/* ratelimit.c - shared request counters in the store (see ratelimit.h).
 * guard.c applies them to the routes that carry a limit. */
#include "server/ratelimit.h"

#include <stdatomic.h>
#include <stdio.h>

static _Atomic uint64_t refusals[_RATELIMIT_MAX];

const char *ratelimit_kind_str(enum ratelimit_kind k)
{
	static const char *const names[] = {
		[RATELIMIT_SESSION] = "session",
		[RATELIMIT_SIGNING] = "signing",
		[RATELIMIT_CLAIM] = "claim",
	};
	return (unsigned)k < _RATELIMIT_MAX ? names[k] : "?";
}

int ratelimit_take(struct db *db, enum ratelimit_kind k, const char *whom, int64_t limit,
		   bool *ret_allowed)
{
	int64_t now = now_sec(), win = now - now % RATELIMIT_WINDOW, n = 0;
	char name[160];
	int r;

	snprintf(name, sizeof(name), "%s:%s", ratelimit_kind_str(k), whom);
	r = db_query_int64(db,
			   "INSERT INTO rate_counters (name, win, n) VALUES ($1, $2, 1)"
			   " ON CONFLICT (name, win) DO UPDATE SET n = rate_counters.n + 1"
			   " RETURNING n",
			   "ti", &n, name, win);
	if (r < 0)
		return r;
	*ret_allowed = n <= limit;
	if (!*ret_allowed)
		atomic_fetch_add(&refusals[k], 1);
	return 0;
}

void ratelimit_refusals(uint64_t ret[_RATELIMIT_MAX])
{
	for (size_t i = 0; i < _RATELIMIT_MAX; i++)
		ret[i] = atomic_load(&refusals[i]);
}

int ratelimit_purge(struct db *db, int64_t *ret_n)
{
	int64_t now = now_sec();
	int r;

	r = db_run(db, "DELETE FROM rate_counters WHERE win < $1", "i",
		   now - now % RATELIMIT_WINDOW - RATELIMIT_WINDOW);
	if (r < 0)
		return r;
	*ret_n = r;
	return 0;
}
