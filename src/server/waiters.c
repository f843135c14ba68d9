/* waiters.c - the long-poll registry (see waiters.h).
 *
 * A hash table of parked requests by key (the signing session id) under
 * one mutex, and a timer thread that wakes those whose deadline passed,
 * scanning four times a second.  Waking = MHD_resume_connection(), which
 * is safe from any thread; MHD then calls the access handler again in the
 * connection's own thread. */
#include "server/waiters.h"

#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "common/log.h"

#define BUCKETS 4096

struct waiter {
	struct waiter *next;
	char key[40];
	struct http_request *req;
	uint64_t deadline_us;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static struct waiter *buckets[BUCKETS];
static unsigned parked;
static bool running;
static pthread_t timer;

static size_t bucket_of(const char *key)
{
	size_t h = 5381;

	for (; *key; key++)
		h = h * 33 + (unsigned char)*key;
	return h % BUCKETS;
}

/* Called with the lock held. */
static void resume(struct waiter *w)
{
	w->req->parked = false;
	w->req->resumed = true;
	MHD_resume_connection(w->req->conn);
	free(w);
	parked--;
}

int waiter_park(const char *key, struct http_request *req, unsigned timeout_ms)
{
	struct waiter *w = calloc(1, sizeof(*w));
	size_t b = bucket_of(key);

	if (!w)
		return -ENOMEM;
	snprintf(w->key, sizeof(w->key), "%s", key);
	w->req = req;
	w->deadline_us = now_usec_mono() + (uint64_t)timeout_ms * 1000u;
	pthread_mutex_lock(&lock);
	if (!running) {
		pthread_mutex_unlock(&lock);
		free(w);
		return -ESHUTDOWN;
	}
	MHD_suspend_connection(req->conn);
	req->parked = true;
	req->parks++;
	w->next = buckets[b];
	buckets[b] = w;
	parked++;
	pthread_mutex_unlock(&lock);
	return 0;
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
			resume(w);
			n++;
		} else
			pp = &w->next;
	}
	pthread_mutex_unlock(&lock);
	return n;
}

void waiter_wake_req(struct http_request *req)
{
	pthread_mutex_lock(&lock);
	for (size_t b = 0; b < BUCKETS && req->parked; b++)
		for (struct waiter **pp = &buckets[b]; *pp; pp = &(*pp)->next)
			if ((*pp)->req == req) {
				struct waiter *w = *pp;
				*pp = w->next;
				resume(w);
				break;
			}
	pthread_mutex_unlock(&lock);
}

static void wake_due(uint64_t now, bool all)
{
	for (size_t b = 0; b < BUCKETS; b++)
		for (struct waiter **pp = &buckets[b]; *pp;) {
			struct waiter *w = *pp;
			if (all || w->deadline_us <= now) {
				*pp = w->next;
				resume(w);
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
		if (parked)
			wake_due(now_usec_mono(), false);
	}
	pthread_mutex_unlock(&lock);
	return NULL;
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
