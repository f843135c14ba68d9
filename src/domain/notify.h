/* notify.h - notifications to holders: the outbox (domain; delivery
 * channels live in the dispatcher, src/server/dispatch.c).
 *
 * An act that tells the holder something writes the message into
 * `outbox` in its own transaction (notify_holder), so a message is never
 * lost nor sent for an act that was rolled back.  The dispatcher claims
 * due messages with a lease (two nodes never deliver the same message at
 * once; a crashed node's claim runs out), delivers them and marks them
 * sent, or reschedules them with a growing delay. */
#pragma once
#include "store/db.h"

/* Attempts before a message is given up ("failed"). */
#define NOTIFY_MAX_ATTEMPTS 10

/* In the caller's transaction: queues subject/body for the holder on his
 * Bilgi Kanalı (holders.info_channel: e-mail, SMS or both; unset: e-mail
 * when known, else SMS).  A holder with no address on the channel gets
 * nothing (*ret_n = 0).  *ret_n (may be NULL): messages queued. */
int notify_holder(struct db *db, const char *tckn, const char *subject, const char *body,
		  int64_t *ret_n);

/* Queues one message to recipient on channel ("email" or "sms"). */
int notify_queue(struct db *db, const char *tckn, const char *channel, const char *recipient,
		 const char *subject, const char *body);

struct notify_msg {
	char id[33];
	char channel[8];
	char *recipient, *subject, *body;
	int64_t attempts, created_at;
};
void notify_msg_free_array(struct notify_msg *a, size_t n);

/* Claims up to max due messages for lease seconds under a new random
 * token (*ret_token, 33 bytes) and returns them. */
int notify_claim(struct db *db, size_t max, int64_t lease, char ret_token[33],
		 struct notify_msg **ret, size_t *ret_n);
/* The message was delivered (only while the claim token still holds it). */
int notify_done(struct db *db, const char *id, const char *token);
/* Delivery failed: tried again after a growing delay, or given up after
 * NOTIFY_MAX_ATTEMPTS.  error: English, for the operator. */
int notify_failed(struct db *db, const char *id, const char *token, const char *error);

/* Delivers to the spool directory: one file DIR/ID.msg (written to a
 * temporary name and renamed, so a reader never sees half of one; the
 * same message delivered twice is the same file). */
int notify_spool_write(const char *dir, const struct notify_msg *m);

/* Deletes messages sent (or given up) before before; *ret_n how many. */
int notify_purge(struct db *db, int64_t before, int64_t *ret_n);

/* Counts by state, for tests and the health page. */
int notify_count(struct db *db, const char *state, int64_t *ret);
