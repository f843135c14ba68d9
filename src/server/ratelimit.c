/* ratelimit.c - shared request counters in the store (see ratelimit.h).
 * guard.c applies them to the routes that carry a limit.
 *
 * The pre-filter: once the store has answered that a counter is past its
 * limit in a window, every later request for that counter in that window
 * is refused too (a count only grows within its window), so the node
 * remembers the answer and refuses without writing.  It only repeats what
 * the store decided, for the exact counter name: it cannot refuse anyone
 * the store would let through.  A flood thus costs one store write per
 * counter and node, not one per request.  Names hash into a small table;
 * two names in one slot just evict each other (then the store is asked). */
#include "server/ratelimit.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>

#define NAME_MAX_LEN 160
#define REFUSED_SLOTS 2048

static _Atomic uint64_t refusals[_RATELIMIT_MAX];

static pthread_mutex_t refused_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	char name[NAME_MAX_LEN];
	int64_t win;
} refused[REFUSED_SLOTS];

static size_t slot_of(const char *name)
{
	uint64_t h = 1469598103934665603ull;

	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	return (size_t)(h % REFUSED_SLOTS);
}

static bool known_refused(const char *name, int64_t win)
{
	size_t i = slot_of(name);
	bool r;

	pthread_mutex_lock(&refused_lock);
	r = refused[i].win == win && streq(refused[i].name, name);
	pthread_mutex_unlock(&refused_lock);
	return r;
}

static void remember_refused(const char *name, int64_t win)
{
	size_t i = slot_of(name);

	pthread_mutex_lock(&refused_lock);
	snprintf(refused[i].name, sizeof(refused[i].name), "%s", name);
	refused[i].win = win;
	pthread_mutex_unlock(&refused_lock);
}

const char *ratelimit_kind_str(enum ratelimit_kind k)
{
	static const char *const names[] = {
		[RATELIMIT_SESSION] = "session",
		[RATELIMIT_SIGNING] = "signing",
		[RATELIMIT_CLAIM] = "claim",
		[RATELIMIT_APPLY] = "apply",
	};
	return (unsigned)k < _RATELIMIT_MAX ? names[k] : "?";
}

int ratelimit_take(struct db *db, enum ratelimit_kind k, const char *whom, int64_t limit,
		   bool *ret_allowed)
{
	int64_t now = now_sec(), win = now - now % RATELIMIT_WINDOW, n = 0;
	char name[NAME_MAX_LEN];
	int r;

	snprintf(name, sizeof(name), "%s:%s", ratelimit_kind_str(k), whom);
	if (known_refused(name, win)) {
		atomic_fetch_add(&refusals[k], 1);
		*ret_allowed = false;
		return 0;
	}
	r = db_query_int64(db,
			   "INSERT INTO rate_counters (name, win, n) VALUES ($1, $2, 1)"
			   " ON CONFLICT (name, win) DO UPDATE SET n = rate_counters.n + 1"
			   " RETURNING n",
			   "ti", &n, name, win);
	if (r < 0)
		return r;
	*ret_allowed = n <= limit;
	if (!*ret_allowed) {
		atomic_fetch_add(&refusals[k], 1);
		remember_refused(name, win);
	}
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
