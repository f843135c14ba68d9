/* waiters.c - the long-poll registry (see waiters.h).
 *
 * A hash table of waiters by key (the signing session id) under one mutex,
 * and a timer thread that wakes those whose deadline passed, scanning four
 * times a second.  Waking a parked request = MHD_resume_connection(), safe
 * from any thread; MHD then calls the access handler again in the
 * connection's own thread.  Waking a held connection = acceptor_release(),
 * which gives it to MHD.  Held connections are also indexed by descriptor,
 * so that a client going away is found without a scan. */
#include "server/waiters.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "common/log.h"
#include "server/acceptor.h"

#define BUCKETS 4096
#define HOLDS_PER_KEY 4		/* more waits on one session are parked in MHD */

struct waiter {
	struct waiter *next;
	uint64_t deadline_us;
	struct http_request *req;	/* a parked request; NULL: a held connection */
	int fd;				/* the held connection ... */
	uint32_t tag;
	socklen_t sa_len;		/* ... and its client's address */
	union {
		struct sockaddr sa;
		struct sockaddr_in in;
		struct sockaddr_in6 in6;
	} addr;
	char key[36];
};

enum wake_why { WAKE_CHANGE, WAKE_SHUTDOWN };

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static struct waiter *buckets[BUCKETS];
static struct waiter *held_by_fd[ACCEPTOR_MAX_FD];	/* untouched pages cost nothing */
static unsigned n_parked, n_held;
static uint64_t n_holds;
static bool running;
static pthread_t timer;

static size_t bucket_of(const char *key)
{
	size_t h = 5381;

	for (; *key; key++)
		h = h * 33 + (unsigned char)*key;
	return h % BUCKETS;
}

/* Called with the lock held; w is already unlinked. */
static void forget(struct waiter *w)
{
	if (w->req)
		n_parked--;
	else {
		n_held--;
		held_by_fd[w->fd] = NULL;
	}
	free(w);
}

/* Called with the lock held; w is already unlinked.  A held connection
 * goes to MHD whether its session changed or its wait timed out: the
 * handler answers it at once either way, as a resumed parked request. */
static void wake(struct waiter *w, enum wake_why why)
{
	if (w->req) {
		w->req->parked = false;
		w->req->resumed = true;
		MHD_resume_connection(w->req->conn);
	} else if (why == WAKE_SHUTDOWN)
		acceptor_drop(w->fd);
	else
		acceptor_release(w->fd, &w->addr.sa, w->sa_len);
	forget(w);
}

/* The link to the waiter for req, or for the held fd/tag when req is NULL.
 * Called with the lock held. */
static struct waiter **find(const struct http_request *req, int fd, uint32_t tag)
{
	if (!req) {
		const struct waiter *w = fd >= 0 && fd < ACCEPTOR_MAX_FD ? held_by_fd[fd] : NULL;

		if (!w || w->tag != tag)
			return NULL;
		for (struct waiter **pp = &buckets[bucket_of(w->key)]; *pp; pp = &(*pp)->next)
			if (*pp == w)
				return pp;
		return NULL;
	}
	for (size_t b = 0; b < BUCKETS; b++)
		for (struct waiter **pp = &buckets[b]; *pp; pp = &(*pp)->next)
			if ((*pp)->req == req)
				return pp;
	return NULL;
}

/* Links w in under key with its deadline; -ESHUTDOWN (w freed) when stopped. */
static int add(struct waiter *w, const char *key, unsigned timeout_ms)
{
	size_t b = bucket_of(key);
	unsigned same = 0;

	snprintf(w->key, sizeof(w->key), "%s", key);
	w->deadline_us = now_usec_mono() + (uint64_t)timeout_ms * 1000u;
	if (!running) {
		free(w);
		return -ESHUTDOWN;
	}
	if (!w->req) {
		for (const struct waiter *o = buckets[b]; o; o = o->next)
			same += !o->req && streq(o->key, w->key);
		if (same >= HOLDS_PER_KEY || w->fd >= ACCEPTOR_MAX_FD) {
			free(w);
			return -EBUSY;
		}
		held_by_fd[w->fd] = w;
		n_held++;
		n_holds++;
	} else
		n_parked++;
	w->next = buckets[b];
	buckets[b] = w;
	return 0;
}

int waiter_park(const char *key, struct http_request *req, unsigned timeout_ms)
{
	struct waiter *w = calloc(1, sizeof(*w));
	int r;

	if (!w)
		return -ENOMEM;
	w->req = req;
	pthread_mutex_lock(&lock);
	r = add(w, key, timeout_ms);
	if (r == 0) {
		MHD_suspend_connection(req->conn);
		req->parked = true;
		req->parks++;
	}
	pthread_mutex_unlock(&lock);
	return r;
}

int waiter_hold(const char *key, int fd, const struct sockaddr *sa, socklen_t sa_len,
		uint32_t tag, unsigned timeout_ms)
{
	struct waiter *w;
	int r;

	if (sa_len > sizeof(w->addr))
		return -EAFNOSUPPORT;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = fd;
	w->tag = tag;
	w->sa_len = sa_len;
	memcpy(&w->addr, sa, sa_len);
	pthread_mutex_lock(&lock);
	r = add(w, key, timeout_ms);
	pthread_mutex_unlock(&lock);
	return r;
}

unsigned waiters_wake(const char *key)
{
	size_t b = bucket_of(key);
	unsigned n = 0;

	pthread_mutex_lock(&lock);
	for (struct waiter **pp = &buckets[b]; *pp;) {
		struct waiter *w = *pp;
		if (streq(w->key, key)) {
			*pp = w->next;
			wake(w, WAKE_CHANGE);
			n++;
		} else
			pp = &w->next;
	}
	pthread_mutex_unlock(&lock);
	return n;
}

/* Wakes (or with why < 0, only forgets) the one waiter find() gives. */
static bool wake_one(const struct http_request *req, int fd, uint32_t tag, int why)
{
	struct waiter **pp, *w = NULL;

	pthread_mutex_lock(&lock);
	pp = find(req, fd, tag);
	if (pp) {
		w = *pp;
		*pp = w->next;
		if (why >= 0)
			wake(w, (enum wake_why)why);
		else
			forget(w);
	}
	pthread_mutex_unlock(&lock);
	return w != NULL;
}

void waiter_wake_req(struct http_request *req)
{
	wake_one(req, -1, 0, WAKE_CHANGE);
}

void waiter_wake_held(int fd, uint32_t tag)
{
	wake_one(NULL, fd, tag, WAKE_CHANGE);
}

bool waiter_unhold(int fd, uint32_t tag)
{
	return wake_one(NULL, fd, tag, -1);
}

static void wake_due(uint64_t now, bool all)
{
	for (size_t b = 0; b < BUCKETS; b++)
		for (struct waiter **pp = &buckets[b]; *pp;) {
			struct waiter *w = *pp;
			if (all || w->deadline_us <= now) {
				*pp = w->next;
				wake(w, all ? WAKE_SHUTDOWN : WAKE_CHANGE);
			} else
				pp = &w->next;
		}
}

static void *timer_main(void *arg)
{
	pthread_mutex_lock(&lock);
	while (running) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 250 * 1000 * 1000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		pthread_cond_timedwait(&cond, &lock, &ts);
		if (n_parked || n_held)
			wake_due(now_usec_mono(), false);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

void waiters_stats(struct waiters_stats *ret)
{
	pthread_mutex_lock(&lock);
	ret->parked = n_parked;
	ret->held = n_held;
	ret->holds = n_holds;
	pthread_mutex_unlock(&lock);
}

int waiters_start(void)
{
	int r;

	pthread_mutex_lock(&lock);
	running = true;
	pthread_mutex_unlock(&lock);
	r = pthread_create(&timer, NULL, timer_main, NULL);
	if (r != 0) {
		running = false;
		return -r;
	}
	return 0;
}

void waiters_stop(void)
{
	pthread_mutex_lock(&lock);
	if (!running) {
		pthread_mutex_unlock(&lock);
		return;
	}
	running = false;
	wake_due(0, true);
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(timer, NULL);
}
