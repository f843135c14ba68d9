/* connbook.c - the acceptor's books (see connbook.h).
 *
 *   - conns[fd]: every connection booked and not yet reported closed,
 *     indexed by descriptor (libmicrohttpd reports a close before it closes
 *     the descriptor, so the number is never ambiguous);
 *   - a client per address key (IPv4 mapped, or the /64 of an IPv6
 *     address) with its live connections oldest first, in a keyed hash;
 *   - by_count[n]: the clients with n live connections, so that the one
 *     with the most is found at once when one must be shed.
 * A shed connection leaves its client's list (it no longer counts for its
 * address or the budget) but stays open until reported closed. */
#include "server/connbook.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"

struct conn;

struct client {
	struct client *hnext;		/* hash chain */
	struct client *cprev, *cnext;	/* in by_count[n] */
	struct conn *oldest, *newest;	/* its live connections, in admission order */
	unsigned n;
	unsigned char key[16];
};

struct conn {
	struct conn *prev, *next;	/* in its client's list */
	struct client *client;		/* NULL once shed */
	bool used;
	unsigned requests;
	unsigned done;			/* requests answered or aborted */
	uint32_t tag;			/* of this booking (connbook_tag) */
};

struct connbook {
	struct conn *conns;		/* [fd_max]; untouched pages cost nothing */
	int fd_max;
	struct client **buckets;
	size_t n_buckets;		/* a power of two */
	uint64_t seed;
	struct client **by_count;	/* [max_per + 1] */
	unsigned max_per, max_n;	/* max_n: no client has more */
	unsigned budget, cap, max_open;
	unsigned live;			/* booked and not shed */
	uint32_t last_tag;
	struct connbook_stats stats;	/* .open: booked, shed ones too */
};

static size_t bucket_of(const struct connbook *b, const unsigned char key[16])
{
	uint64_t x, y, h;

	memcpy(&x, key, 8);
	memcpy(&y, key + 8, 8);
	h = (x ^ b->seed) * 0x9e3779b97f4a7c15ull;
	h ^= h >> 29;
	h = (h ^ y) * 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (size_t)h & (b->n_buckets - 1);
}

static int client_key(const struct sockaddr *sa, unsigned char key[16])
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

	memset(key, 0, 16);
	if (sa->sa_family == AF_INET) {
		memcpy(key, mapped, 12);
		memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const unsigned char *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;

		memcpy(key, a, memcmp(a, mapped, 12) == 0 ? 16 : 8);
		return 0;
	}
	return -EAFNOSUPPORT;
}

/* Moves c from list by_count[c->n] to by_count[n]. */
static void set_count(struct connbook *b, struct client *c, unsigned n)
{
	if (c->n) {
		if (c->cprev)
			c->cprev->cnext = c->cnext;
		else
			b->by_count[c->n] = c->cnext;
		if (c->cnext)
			c->cnext->cprev = c->cprev;
	}
	c->cprev = c->cnext = NULL;
	c->n = n;
	if (n) {
		c->cnext = b->by_count[n];
		if (c->cnext)
			c->cnext->cprev = c;
		b->by_count[n] = c;
		b->max_n = MAX(b->max_n, n);
	}
	while (b->max_n && !b->by_count[b->max_n])
		b->max_n--;
}

static struct client *client_get(struct connbook *b, const unsigned char key[16])
{
	size_t i = bucket_of(b, key);
	struct client *c;

	for (c = b->buckets[i]; c; c = c->hnext)
		if (memcmp(c->key, key, 16) == 0)
			return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	memcpy(c->key, key, 16);
	c->hnext = b->buckets[i];
	b->buckets[i] = c;
	return c;
}

/* Frees c once it has no connection. */
static void client_put(struct connbook *b, struct client *c)
{
	if (c->n)
		return;
	for (struct client **pp = &b->buckets[bucket_of(b, c->key)]; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	free(c);
}

/* Takes e out of its client's list: no longer live (still open). */
static void conn_unlink(struct connbook *b, struct conn *e)
{
	struct client *c = e->client;

	if (!c)
		return;
	if (e->prev)
		e->prev->next = e->next;
	else
		c->oldest = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->newest = e->prev;
	e->prev = e->next = NULL;
	e->client = NULL;
	b->live--;
	set_count(b, c, c->n - 1);
	client_put(b, c);
}

void connbook_closed(struct connbook *b, int fd)
{
	struct conn *e;

	if (fd < 0 || fd >= b->fd_max || !b->conns[fd].used)
		return;
	e = &b->conns[fd];
	conn_unlink(b, e);
	e->used = false;
	b->stats.open--;
}

static void conn_add(struct connbook *b, struct client *c, int fd)
{
	struct conn *e = &b->conns[fd];

	e->used = true;
	e->requests = 0;
	e->done = 0;
	e->tag = ++b->last_tag ? b->last_tag : ++b->last_tag;
	e->client = c;
	e->next = NULL;
	e->prev = c->newest;
	if (c->newest)
		c->newest->next = e;
	else
		c->oldest = e;
	c->newest = e;
	b->live++;
	b->stats.open++;
	b->stats.accepted++;
	set_count(b, c, c->n + 1);
}

/* The budget is spent: the oldest connection of the client with the most,
 * if that one has more than c would have after taking its place; -1 if
 * none (or too many shed ones are still open). */
static int shed_for(struct connbook *b, const struct client *c)
{
	struct client *fat = b->by_count[b->max_n];
	struct conn *victim;

	if (!fat || b->max_n <= c->n + 1 || b->stats.open >= b->max_open)
		return -1;
	victim = fat->oldest;
	conn_unlink(b, victim);
	b->stats.shed++;
	return (int)(victim - b->conns);
}

enum connbook_verdict connbook_admit(struct connbook *b, int fd, const struct sockaddr *sa,
				     bool capped, int *ret_shed)
{
	unsigned char key[16];
	struct client *c;

	*ret_shed = -1;
	if (fd < 0 || fd >= b->fd_max || client_key(sa, key) < 0) {
		b->stats.refused_full++;
		return CONNBOOK_REFUSE_FULL;
	}
	connbook_closed(b, fd);	/* its number was reused: it was closed */
	c = client_get(b, key);
	if (!c) {
		b->stats.refused_full++;
		return CONNBOOK_REFUSE_FULL;
	}
	if (capped && b->cap && c->n >= b->cap) {
		b->stats.refused_per_client++;
		return CONNBOOK_REFUSE_CLIENT;
	}
	if (b->live >= b->budget) {
		*ret_shed = shed_for(b, c);
		if (*ret_shed < 0) {
			b->stats.refused_full++;
			client_put(b, c);
			return CONNBOOK_REFUSE_FULL;
		}
	}
	conn_add(b, c, fd);
	return CONNBOOK_ADMIT;
}

unsigned connbook_count_request(struct connbook *b, int fd)
{
	if (fd < 0 || fd >= b->fd_max || !b->conns[fd].used)
		return 0;
	return ++b->conns[fd].requests;
}

void connbook_request_done(struct connbook *b, int fd)
{
	if (fd >= 0 && fd < b->fd_max && b->conns[fd].used)
		b->conns[fd].done++;
}

bool connbook_busy(const struct connbook *b, int fd)
{
	return fd >= 0 && fd < b->fd_max && b->conns[fd].used &&
	       b->conns[fd].done < b->conns[fd].requests;
}

uint32_t connbook_tag(const struct connbook *b, int fd)
{
	if (fd < 0 || fd >= b->fd_max || !b->conns[fd].used)
		return 0;
	return b->conns[fd].tag;
}

unsigned connbook_max_open(const struct connbook *b)
{
	return b->max_open;
}

void connbook_stats(const struct connbook *b, struct connbook_stats *ret)
{
	*ret = b->stats;
}

int connbook_new(unsigned budget, unsigned per_client, int fd_max, uint64_t seed,
		 struct connbook **ret)
{
	struct connbook *b;
	size_t nb;

	if (budget == 0 || fd_max <= 0)
		return -EINVAL;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->budget = budget;
	b->max_open = budget + budget / 16 + 64;
	b->cap = per_client;
	/* Uncapped clients (trusted proxies) may hold up to everything open. */
	b->max_per = b->max_open;
	b->fd_max = fd_max;
	b->seed = seed;
	b->stats.budget = budget;
	for (nb = 1024; nb < budget; nb *= 2)
		;
	b->n_buckets = nb;
	b->conns = calloc((size_t)fd_max, sizeof(*b->conns));
	b->buckets = calloc(nb, sizeof(*b->buckets));
	b->by_count = calloc((size_t)b->max_per + 1, sizeof(*b->by_count));
	if (!b->conns || !b->buckets || !b->by_count) {
		connbook_free(b);
		return -ENOMEM;
	}
	*ret = b;
	return 0;
}

void connbook_free(struct connbook *b)
{
	if (!b)
		return;
	for (size_t i = 0; b->buckets && i < b->n_buckets; i++)
		while (b->buckets[i]) {
			struct client *c = b->buckets[i];
			b->buckets[i] = c->hnext;
			free(c);
		}
	free(b->conns);
	free(b->buckets);
	free(b->by_count);
	free(b);
}
