/* waiters.h - browsers parked on a long-poll, woken when their signing
 * session changes state or their wait times out.
 *
 * A parked request is a suspended MHD connection: no thread, a few KiB.
 * Correct order for a handler: waiter_park() first, then re-read the state;
 * if it already changed, waiter_wake_req() - so no change is ever missed
 * between the read and the park. */
#pragma once
#include "server/http.h"

int waiters_start(void);
/* Wakes every parked request (for shutdown) and stops the timer thread. */
void waiters_stop(void);

/* Suspends req and parks it under key until woken or timeout_ms passes.
 * When it resumes, the route's handler runs again with req->resumed set. */
int waiter_park(const char *key, struct http_request *req, unsigned timeout_ms);
/* Wakes all requests parked under key; returns how many. */
unsigned waiters_wake(const char *key);
/* Wakes one parked request (no-op when it is no longer parked). */
void waiter_wake_req(struct http_request *req);
