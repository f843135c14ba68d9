/* acceptor.h - eonayd's listening socket, in front of libmicrohttpd.
 *
 * One thread accepts every connection (TCP_DEFER_ACCEPT: once its first
 * bytes are there) and peeks at its first request without reading it.  A
 * page's long-poll that would only wait (reqhead.h: a plain
 * GET /api/v1/signing/wait of a live browser session whose signing session
 * has not changed) is *held*: the request stays unread in the kernel's
 * socket buffer, and eonayd keeps a waiter of about 100 bytes instead of a
 * libmicrohttpd connection with its memory pool.  When the signing session
 * changes or the wait times out, the connection goes to MHD
 * (MHD_add_connection), which reads the request and answers it through the
 * normal handler.  Every other connection goes to MHD at once.  Held
 * connections and MHD's share one budget, server.max_connections: at it,
 * the acceptor stops accepting (the kernel's backlog waits), so a released
 * connection always finds room in MHD.
 *
 * The acceptor never writes to a socket and never answers: all of HTTP is
 * libmicrohttpd's.  A long-poll arriving on a connection MHD already has
 * (keep-alive) is parked by MHD itself (waiters.h), as before. */
#pragma once
#include <stdbool.h>
#include <sys/socket.h>

#include "server/server.h"

/* Listens on cfg->listen and starts the thread; srv->daemon must run. */
int acceptor_start(struct server *srv);
/* Stops accepting and closes the listening socket; held connections stay
 * with waiters.c until waiters_stop(). */
void acceptor_stop(void);

/* Descriptors at or above this are never held. */
#define ACCEPTOR_MAX_FD 131072

/* For waiters.c: hands a held connection to MHD, whose handler then
 * answers its long-poll at once (acceptor_take_released). */
void acceptor_release(int fd, const struct sockaddr *sa, socklen_t sa_len);
/* For waiters.c at shutdown: closes a held connection. */
void acceptor_drop(int fd);

/* True, once, when the connection on fd was held and released: its
 * long-poll is answered at once with the state as it is, like a parked
 * request that was resumed (its session changed, its wait timed out, or
 * its client half-closed). */
bool acceptor_take_released(int fd);
