/* waiters.h - browsers parked on a long-poll, woken when their signing
 * session changes state, their wait times out, or their client goes away.
 *
 * A parked request is a suspended libmicrohttpd connection: no thread, its
 * connection's memory pool.  Woken = resumed, and its handler runs again
 * with req->resumed set, answering with the state as it is.  A suspended
 * connection is not watched by libmicrohttpd, so waiters.c watches its
 * socket for the client going away (or half-closing, or being shed by the
 * acceptor) and wakes it then: the answer is written or fails, and
 * libmicrohttpd closes the connection.
 * Correct order: park first, then re-read the state; if it already
 * changed, wake that one waiter - so no change is ever missed between the
 * read and the park. */
#pragma once
#include <stdint.h>

#include "server/http.h"

/* Starts the timer thread; call after acceptor_init() (the open-files
 * limit sizes a table). */
int waiters_start(void);
/* Wakes every parked request (for shutdown) and stops the timer thread. */
void waiters_stop(void);

/* Suspends req and parks it under key until woken or timeout_ms passes.
 * When it resumes, the route's handler runs again with req->resumed set.
 * -ESHUTDOWN once waiters_stop() ran. */
int waiter_park(const char *key, struct http_request *req, unsigned timeout_ms);
struct waiters_stats {
	unsigned parked;	/* requests parked in libmicrohttpd now */
};
void waiters_stats(struct waiters_stats *ret);

/* Wakes all requests parked under key; returns how many. */
unsigned waiters_wake(const char *key);
/* Wakes one parked request (no-op when it is no longer parked). */
void waiter_wake_req(struct http_request *req);
