/* dispatch.h - the notification dispatcher of eonayd: a thread that
 * drains the outbox (domain/notify.h) every notify.interval seconds. */
#pragma once
#include "server/server.h"

/* Checks the delivery settings (notify.smtp_url smtp:// or smtps://,
 * notify.sms_url http:// or https://: -EINVAL, logged), creates the spool
 * directory and starts the thread. */
int dispatch_start(struct server *srv);
/* Stops the thread (a round in progress finishes first). */
void dispatch_stop(void);
/* One round, on the caller's thread and connection: claims the due
 * messages, delivers them, marks them.  *ret_sent (may be NULL). */
int dispatch_round(struct db *db, const struct config *cfg, int64_t *ret_sent);
