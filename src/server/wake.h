/* wake.h - cross-node wake: a browser waiting on this node learns of a
 * change made on another node sharing the PostgreSQL store.
 *
 * server_wake() (server.h) sends "NODE KEY" on channel WAKE_CHANNEL with
 * db_notify; on each node one thread with its own store connection LISTENs
 * there and calls waiters_wake(KEY) for every notification from another
 * node (its own node's waiters were woken directly).  On SQLite (one
 * process) nothing of this runs: the in-process wake is all there is.  A
 * notification missed while the listening connection was down is covered
 * by the wait's timeout (codes.poll_timeout). */
#pragma once
#include <stdbool.h>

#include "server/server.h"

#define WAKE_CHANNEL "eonay_wake"

/* Starts the listening thread when the store is PostgreSQL; a no-op
 * returning 0 on SQLite.  Call after waiters_start(). */
int wake_start(struct server *srv);
/* Stops and joins it (within about a quarter of a second). */
void wake_stop(void);
/* True while the thread runs: the store is shared with other nodes. */
bool wake_enabled(void);
/* This process's node id (16 hex digits, random per start), the sender
 * part of the payloads. */
const char *wake_node_id(void);
/* The status changes this node has heard of on CRL_CHANNEL, plus one; 0
 * while the thread is not listening (not started, SQLite, or its
 * connection lost: a change may go unheard, so answers read the store). */
uint64_t wake_status_epoch(void);
