/* waiters.h - browsers parked on a long-poll, woken when their signing
 * session changes state or their wait times out.
 *
 * Two kinds wait here under the same key (the signing session id):
 *   - a parked request: a suspended MHD connection, no thread, a few KiB;
 *     woken = resumed, and its handler runs again;
 *   - a held connection (acceptor.c): the request still unread in the
 *     kernel, about 100 bytes here; woken = handed to MHD, which reads the
 *     request and runs the handler for the first time.
 * Correct order for both: park/hold first, then re-read the state; if it
 * already changed, wake that one waiter - so no change is ever missed
 * between the read and the park. */
#pragma once
#include <sys/socket.h>

#include "server/http.h"

int waiters_start(void);
/* Wakes every parked request (for shutdown) and stops the timer thread. */
void waiters_stop(void);

/* Suspends req and parks it under key until woken or timeout_ms passes.
 * When it resumes, the route's handler runs again with req->resumed set. */
int waiter_park(const char *key, struct http_request *req, unsigned timeout_ms);
struct waiters_stats {
	unsigned parked;	/* requests parked in MHD now */
	unsigned held;		/* connections held by the acceptor now */
	uint64_t holds;		/* connections ever held */
};
void waiters_stats(struct waiters_stats *ret);

/* Wakes all requests parked under key; returns how many. */
unsigned waiters_wake(const char *key);
/* Wakes one parked request (no-op when it is no longer parked). */
void waiter_wake_req(struct http_request *req);

/* Holds connection fd (client address sa) under key until woken or
 * timeout_ms passes, when it goes to acceptor_release(); tag tells this
 * hold from an earlier one on the same descriptor number.  -EBUSY when key
 * already has its share of held connections, -ESHUTDOWN once
 * waiters_stop() ran. */
int waiter_hold(const char *key, int fd, const struct sockaddr *sa, socklen_t sa_len,
		uint32_t tag, unsigned timeout_ms);
/* Releases one held connection to MHD now (no-op when no longer held). */
void waiter_wake_held(int fd, uint32_t tag);
/* Forgets a held connection whose client went away, so that the caller
 * may close it; false when it was already woken (then it is not ours). */
bool waiter_unhold(int fd, uint32_t tag);
