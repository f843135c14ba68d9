/* acceptor.h - eonayd's listening socket, in front of libmicrohttpd.
 *
 * One thread accepts every connection and hands it to libmicrohttpd with
 * MHD_add_connection().  It reads nothing and answers nothing: all of
 * HTTP is libmicrohttpd's.  What it adds is accounting, so that a flood
 * can neither wedge nor starve the server:
 *   - every connection handed over counts until libmicrohttpd reports it
 *     closed (MHD_CONNECTION_NOTIFY_CLOSED, acceptor_on_connection());
 *   - at most server.max_connections_per_client of them per address (an
 *     IPv6 address counts by its /64); one more is closed at once;
 *   - at most server.max_connections (the budget) in all.  When it is
 *     spent, a new connection still gets in if its address has fewer
 *     connections than the address with the most, minus one: the oldest
 *     connection of that address is shut down (shed) to make room;
 *     otherwise the new one is closed at once.  So the few connections of
 *     a legitimate client (or a health check) get in while a flooder only
 *     loses its own.
 *   - a client that hangs up is closed at once, also when its last bytes
 *     and its FIN come together, which libmicrohttpd 0.9.75 alone misses
 *     until connection_timeout (acceptor.c);
 *   - libmicrohttpd's own MHD_OPTION_CONNECTION_LIMIT (acceptor_mhd_limit)
 *     is set well above what can be outstanding, so it never refuses a
 *     connection itself: libmicrohttpd 0.9.75 leaves a mutex locked when
 *     it does, which wedges the server for good.
 * Long-polls are suspended in libmicrohttpd (waiters.h). */
#pragma once
#include <microhttpd.h>
#include <stdint.h>

#include "server/connbook.h"
#include "server/server.h"

/* Raises the soft open-files limit to the hard one and works out the
 * budget (server.max_connections, lowered with a warning when the
 * open-files limit cannot hold it).  Call before http_start(). */
int acceptor_init(struct server *srv);
/* The MHD_OPTION_CONNECTION_LIMIT for http_start(): above anything the
 * acceptor can have outstanding, on any one worker thread. */
unsigned acceptor_mhd_limit(void);
/* MHD_OPTION_NOTIFY_CONNECTION callback: a closed connection stops
 * counting. */
void acceptor_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			    enum MHD_ConnectionNotificationCode code);

/* Counts a request on the connection with socket fd: 1 for its first
 * (0 when fd is not one of the acceptor's).  Only from the connection's
 * own libmicrohttpd thread. */
unsigned acceptor_count_request(int fd);
/* For http.c: the request on fd was answered or aborted (completion). */
void acceptor_request_done(int fd);

/* Listens on cfg->listen and starts the thread; srv->daemon must run. */
int acceptor_start(struct server *srv);
/* Stops accepting and closes the listening socket. */
void acceptor_stop(void);

/* The books' counts (connbook.h), for /healthz. */
void acceptor_stats(struct connbook_stats *ret);
