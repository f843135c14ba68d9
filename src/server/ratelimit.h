/* ratelimit.h - request limits that every node shares, counted in the store.
 *
 * Fixed windows of one minute in the table rate_counters (sql/006): a
 * counter is "kind:a:ADDRESS" (per client address; IPv6 by /64) or
 * "kind:h:TCKN" (per holder).  Every node counts in the same row, so a
 * limit holds across nodes.  There is no global budget: nobody can spend
 * a limit for anyone else (docs/SECURITY.md sizes the defaults).
 *
 * A node remembers which counters the store already found past their limit
 * in the current window and refuses those without a store write (it
 * cannot refuse anyone the store would not).
 *
 * Refusals are only counted here (shown in /healthz, logged once a
 * minute), never appended to the audit chain. */
#pragma once
#include <stdint.h>

#include "store/db.h"

enum ratelimit_kind {
	RATELIMIT_SESSION,	/* browser sessions created */
	RATELIMIT_SIGNING,	/* signing sessions started or renewed */
	RATELIMIT_CLAIM,	/* verification code look-ups */
	RATELIMIT_APPLY,	/* application portal entries (captcha + identity) */
	_RATELIMIT_MAX
};

#define RATELIMIT_WINDOW 60	/* seconds */

/* "session", "signing", "claim", "apply". */
const char *ratelimit_kind_str(enum ratelimit_kind k);

/* Counts one request of kind k for whom ("a:ADDR" or "h:TCKN") in the
 * current window; *ret_allowed is false when the count is past limit (a
 * refused request counts too, so a flood stays refused; once refused, the
 * node answers further requests of that counter and window itself).  A
 * refusal is added to the kind's refusal counter. */
int ratelimit_take(struct db *db, enum ratelimit_kind k, const char *whom, int64_t limit,
		   bool *ret_allowed);

/* Refusals per kind since the process started. */
void ratelimit_refusals(uint64_t ret[_RATELIMIT_MAX]);

/* Deletes the counters of windows that ended; *ret_n how many. */
int ratelimit_purge(struct db *db, int64_t *ret_n);
