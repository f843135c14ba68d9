/* ratelimit.h - token buckets per client address and for the whole node.
 *
 * In memory, per node: a deployment of several nodes multiplies the
 * global budget by the node count (documented in docs/CONFIGURATION.md).
 * Client addresses hash into a fixed table; two clients sharing a slot
 * share a budget, which errs on the side of refusing. */
#pragma once
#include <stdbool.h>

struct ratelimit;

/* per_client: requests per minute for one address; global: per second for
 * all.  Bursts of up to the per-minute budget are allowed. */
int ratelimit_new(unsigned per_client_per_min, unsigned global_per_sec, struct ratelimit **ret);
void ratelimit_free(struct ratelimit *rl);

/* Takes one token for addr; false when either budget is exhausted. */
bool ratelimit_take(struct ratelimit *rl, const char *addr);
