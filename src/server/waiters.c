/* waiters.c - the long-poll registry (see waiters.h).
 *
 * A hash table of waiters by key (the signing session id) under one mutex,
 * a table by socket descriptor, and one thread that wakes those whose
 * deadline passed (scanning four times a second) and those whose client
 * went away: the sockets of parked requests are in its epoll set with
 * EPOLLRDHUP only (a pipelined request must not wake them; a hang-up or
 * half-close must).  The epoll data carries the descriptor and a tag, so
 * that a stale event never wakes a later request on the same descriptor
 * number.  Waking = MHD_resume_connection(), safe from any thread;
 * libmicrohttpd then calls the access handler again in the connection's
 * own thread. */
#include "server/waiters.h"

#include <pthread.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>

#include "common/log.h"

#define BUCKETS 4096
#define TICK_MS 250
#define TAG_STOP UINT64_MAX

struct waiter {
	struct waiter *next;
	uint64_t deadline_us;
	struct http_request *req;
	int fd;				/* its socket, watched; -1: not watched */
	uint32_t tag;
	char key[36];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct waiter *buckets[BUCKETS];
static struct waiter **by_fd;		/* [fd_max]; untouched pages cost nothing */
static int fd_max;
static unsigned n_parked;
static uint32_t last_tag;
static bool running;
static int epoll_fd = -1, stop_fd = -1;
static pthread_t timer;

static size_t bucket_of(const char *key)
{
	size_t h = 5381;

	for (; *key; key++)
		h = h * 33 + (unsigned char)*key;
	return h % BUCKETS;
}

/* Called with the lock held; w is already unlinked from its bucket. */
static void wake(struct waiter *w)
{
	if (w->fd >= 0) {
		epoll_ctl(epoll_fd, EPOLL_CTL_DEL, w->fd, NULL);
		by_fd[w->fd] = NULL;
	}
	w->req->parked = false;
	w->req->resumed = true;
	/* The pool is zeroed after this answer: the next wait comes on a
	 * fresh connection (http_may_park). */
	w->req->close = true;
	MHD_resume_connection(w->req->conn);
	n_parked--;
	free(w);
}

/* The link to w in its bucket (called with the lock held). */
static struct waiter **link_of(const struct waiter *w)
{
	for (struct waiter **pp = &buckets[bucket_of(w->key)]; *pp; pp = &(*pp)->next)
		if (*pp == w)
			return pp;
	return NULL;
}

int waiter_park(const char *key, struct http_request *req, unsigned timeout_ms)
{
	struct waiter *w = calloc(1, sizeof(*w));
	struct epoll_event ev = { .events = EPOLLRDHUP };
	size_t b = bucket_of(key);
	int fd = http_socket(req);

	if (!w)
		return -ENOMEM;
	w->req = req;
	w->fd = -1;
	snprintf(w->key, sizeof(w->key), "%s", key);
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
	n_parked++;
	w->next = buckets[b];
	buckets[b] = w;
	if (fd >= 0 && fd < fd_max && !by_fd[fd]) {
		w->tag = ++last_tag;
		ev.data.u64 = (uint64_t)w->tag << 32 | (uint32_t)fd;
		/* Already hung up: the event comes at once. */
		if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) == 0) {
			w->fd = fd;
			by_fd[fd] = w;
		} else
			log_debug("waiters: cannot watch socket %d: %s", fd, strerror(errno));
	}
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
			wake(w);
			n++;
		} else
			pp = &w->next;
	}
	pthread_mutex_unlock(&lock);
	return n;
}

void waiter_wake_req(struct http_request *req)
{
	int fd = http_socket(req);
	struct waiter **pp = NULL;

	pthread_mutex_lock(&lock);
	if (fd >= 0 && fd < fd_max && by_fd[fd] && by_fd[fd]->req == req)
		pp = link_of(by_fd[fd]);
	else
		for (size_t b = 0; b < BUCKETS && !pp; b++)
			for (struct waiter **p = &buckets[b]; *p; p = &(*p)->next)
				if ((*p)->req == req) {
					pp = p;
					break;
				}
	if (pp) {
		struct waiter *w = *pp;
		*pp = w->next;
		wake(w);
	}
	pthread_mutex_unlock(&lock);
}

/* A watched socket hung up or half-closed: wakes its waiter, if it is
 * still the one the event was for. */
static void wake_gone(uint64_t data)
{
	int fd = (int)(uint32_t)data;
	struct waiter **pp;

	if (fd < 0 || fd >= fd_max || !by_fd[fd] || by_fd[fd]->tag != (uint32_t)(data >> 32))
		return;
	pp = link_of(by_fd[fd]);
	if (pp) {
		struct waiter *w = *pp;
		*pp = w->next;
		wake(w);
	}
}

static void wake_due(uint64_t now, bool all)
{
	for (size_t b = 0; b < BUCKETS; b++)
		for (struct waiter **pp = &buckets[b]; *pp;) {
			struct waiter *w = *pp;
			if (all || w->deadline_us <= now) {
				*pp = w->next;
				wake(w);
			} else
				pp = &w->next;
		}
}

static void *timer_main(void *arg)
{
	uint64_t next_scan = now_usec_mono() + TICK_MS * 1000;

	for (;;) {
		struct epoll_event ev[64];
		uint64_t now = now_usec_mono();
		int n, timeout = now >= next_scan ? 0 : (int)((next_scan - now) / 1000) + 1;

		n = epoll_wait(epoll_fd, ev, (int)ELEMENTSOF(ev), timeout);
		if (n < 0 && errno != EINTR) {
			log_error("waiters: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		pthread_mutex_lock(&lock);
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u64 == TAG_STOP) {
				pthread_mutex_unlock(&lock);
				return NULL;
			}
			wake_gone(ev[i].data.u64);
		}
		now = now_usec_mono();
		if (now >= next_scan) {
			if (n_parked)
				wake_due(now, false);
			next_scan = now + TICK_MS * 1000;
		}
		pthread_mutex_unlock(&lock);
	}
}

void waiters_stats(struct waiters_stats *ret)
{
	pthread_mutex_lock(&lock);
	ret->parked = n_parked;
	pthread_mutex_unlock(&lock);
}

int waiters_start(void)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_STOP };
	struct rlimit rl;
	int r;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	fd_max = (int)MIN(rl.rlim_cur, (rlim_t)(1 << 24));
	by_fd = calloc((size_t)fd_max, sizeof(*by_fd));
	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (!by_fd)
		return -ENOMEM;
	if (epoll_fd < 0 || stop_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, stop_fd, &ev) < 0)
		return -errno;
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
	uint64_t one = 1;

	pthread_mutex_lock(&lock);
	if (!running) {
		pthread_mutex_unlock(&lock);
		return;
	}
	running = false;
	wake_due(0, true);
	pthread_mutex_unlock(&lock);
	if (write(stop_fd, &one, sizeof(one)) != sizeof(one))
		log_warn("waiters: cannot signal stop: %s", strerror(errno));
	pthread_join(timer, NULL);
}
