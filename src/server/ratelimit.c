/* ratelimit.c - token buckets (see ratelimit.h).  Used to slow down
 * guessing of verification codes: every code look-up takes a token. */
#include "server/ratelimit.h"

#include <pthread.h>

#include "common/util.h"

#define SLOTS 8192

struct bucket {
	double tokens;
	uint64_t at_us;
};

struct ratelimit {
	pthread_mutex_t lock;
	double client_rate, client_burst;	/* tokens per µs, max */
	double global_rate, global_burst;
	struct bucket global;
	struct bucket slots[SLOTS];
};

int ratelimit_new(unsigned per_client_per_min, unsigned global_per_sec, struct ratelimit **ret)
{
	struct ratelimit *rl;

	if (per_client_per_min == 0 || global_per_sec == 0)
		return -EINVAL;
	rl = calloc(1, sizeof(*rl));
	if (!rl)
		return -ENOMEM;
	pthread_mutex_init(&rl->lock, NULL);
	rl->client_rate = per_client_per_min / 60e6;
	rl->client_burst = per_client_per_min;
	rl->global_rate = global_per_sec / 1e6;
	rl->global_burst = global_per_sec;
	rl->global.tokens = rl->global_burst;
	for (size_t i = 0; i < SLOTS; i++)
		rl->slots[i].tokens = -1;	/* untouched: full on first use */
	*ret = rl;
	return 0;
}

void ratelimit_free(struct ratelimit *rl)
{
	if (!rl)
		return;
	pthread_mutex_destroy(&rl->lock);
	free(rl);
}

static void refill(struct bucket *b, double rate, double burst, uint64_t now)
{
	if (b->tokens < 0) {
		b->tokens = burst;
		b->at_us = now;
		return;
	}
	b->tokens += (double)(now - b->at_us) * rate;
	if (b->tokens > burst)
		b->tokens = burst;
	b->at_us = now;
}

bool ratelimit_take(struct ratelimit *rl, const char *addr)
{
	uint64_t now = now_usec_mono(), h = 1469598103934665603ull;
	struct bucket *c;
	bool ok;

	for (const char *p = addr ? addr : ""; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ull;
	pthread_mutex_lock(&rl->lock);
	c = &rl->slots[h % SLOTS];
	refill(c, rl->client_rate, rl->client_burst, now);
	refill(&rl->global, rl->global_rate, rl->global_burst, now);
	ok = c->tokens >= 1 && rl->global.tokens >= 1;
	if (ok) {
		c->tokens -= 1;
		rl->global.tokens -= 1;
	}
	pthread_mutex_unlock(&rl->lock);
	return ok;
}
