/* wake.c - the cross-node wake thread (see wake.h).
 *
 * One connection per node, opened by this thread and used by no one else,
 * LISTENs on WAKE_CHANNEL; db_wait_notify waits on its socket with a short
 * timeout so that wake_stop() is seen quickly.  A lost connection is
 * reopened with a backoff from 100 ms to 5 s; its application_name is
 * "eonay-wake" so that operators see it in pg_stat_activity. */
#include "server/wake.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "common/log.h"
#include "domain/publish.h"
#include "server/waiters.h"

#define WAIT_MS 250
#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 5000

static pthread_t thread;
static atomic_bool running, stopping;
static char node_id[17];
static char *target;		/* the store URL with application_name */
static int64_t busy_timeout_ms;

const char *wake_node_id(void)
{
	return node_id;
}

bool wake_enabled(void)
{
	return atomic_load(&running);
}

/* 0 while not listening; else 1 + the status changes heard of. */
static _Atomic uint64_t status_epoch;
static uint64_t epoch_base;	/* the thread's: a new high half per listening */

uint64_t wake_status_epoch(void)
{
	return atomic_load(&status_epoch);
}

static void on_notify(const char *channel, const char *payload, void *userdata)
{
	const char *sp = strchr(payload, ' ');

	if (streq(channel, CRL_CHANNEL)) {
		atomic_fetch_add(&status_epoch, 1);
		return;
	}

	if (!sp || !sp[1])
		return;
	/* Our own node's waiters were woken where the change was made. */
	if ((size_t)(sp - payload) == strlen(node_id) &&
	    strncmp(payload, node_id, (size_t)(sp - payload)) == 0)
		return;
	waiters_wake(sp + 1);
}

/* Sleeps ms, or less when stopping. */
static void nap(unsigned ms)
{
	for (unsigned t = 0; t < ms && !atomic_load(&stopping); t += 50) {
		struct timespec ts = { .tv_nsec = 50 * 1000000L };
		nanosleep(&ts, NULL);
	}
}

static void *wake_thread(void *arg)
{
	unsigned backoff = BACKOFF_MIN_MS;
	bool lost = false, first = true;
	struct db *db = NULL;

	while (!atomic_load(&stopping)) {
		int r;

		if (!db) {
			r = db_open(target, busy_timeout_ms, &db);
			if (r == 0)
				r = db_listen(db, WAKE_CHANNEL);
			if (r == 0)
				r = db_listen(db, CRL_CHANNEL);
			if (r < 0) {
				if (!lost)
					log_warn("cross-node wake: cannot listen on the store: %s",
						 db ? db_errmsg(db) : strerror(-r));
				lost = true;
				db_close(db);
				db = NULL;
				nap(backoff);
				backoff = MIN(backoff * 2, BACKOFF_MAX_MS);
				continue;
			}
			/* Listening from now on: what was read before may be
			 * older than a change missed meanwhile; a new epoch. */
			epoch_base += (uint64_t)1 << 32;
			atomic_store(&status_epoch, epoch_base | 1);
			if (lost)
				log_info("cross-node wake: listening again");
			else if (first)
				log_info("cross-node wake: node %s listening on %s", node_id,
					 WAKE_CHANNEL);
			first = lost = false;
			backoff = BACKOFF_MIN_MS;
		}
		r = db_wait_notify(db, WAIT_MS, on_notify, NULL);
		if (r < 0) {
			atomic_store(&status_epoch, 0);
			log_warn("cross-node wake: lost the store connection: %s", db_errmsg(db));
			lost = true;
			db_close(db);
			db = NULL;
		}
	}
	atomic_store(&status_epoch, 0);
	db_close(db);
	return NULL;
}

int wake_start(struct server *srv)
{
	const char *t = config_store_target(srv->cfg);
	unsigned char rnd[8];
	int r;

	if (!db_target_is_pg(t))
		return 0;
	r = random_bytes(rnd, sizeof(rnd));
	if (r < 0)
		return r;
	hex_encode(rnd, sizeof(rnd), node_id);
	target = strdup_printf("%s%capplication_name=eonay-wake", t, strchr(t, '?') ? '&' : '?');
	if (!target)
		return -ENOMEM;
	busy_timeout_ms = srv->cfg->busy_timeout_ms;
	atomic_store(&stopping, false);
	r = -pthread_create(&thread, NULL, wake_thread, NULL);
	if (r < 0) {
		secret_free(target);
		target = NULL;
		return r;
	}
	atomic_store(&running, true);
	return 0;
}

void wake_stop(void)
{
	if (!atomic_load(&running))
		return;
	atomic_store(&stopping, true);
	pthread_join(thread, NULL);
	atomic_store(&running, false);
	secret_free(target);	/* may carry a password */
	target = NULL;
}
