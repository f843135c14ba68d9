/* server.c - per-thread store connections and server key files.
 *
 * MHD's worker threads each get their own SQLite connection on first use
 * (a connection is single-threaded; WAL lets them read concurrently).  The
 * list of all of them lets main() close them after the daemon stopped. */
#include "server/server.h"

#include <pthread.h>
#include <stdio.h>

#include "common/log.h"
#include "server/waiters.h"
#include "server/wake.h"

static pthread_mutex_t dbs_lock = PTHREAD_MUTEX_INITIALIZER;
static struct db **dbs;
static size_t n_dbs;
static _Thread_local struct db *thread_db;

int server_db(struct server *srv, struct db **ret)
{
	struct db **nd;
	struct db *db;
	int r;

	if (thread_db) {
		*ret = thread_db;
		return 0;
	}
	r = db_open(config_store_target(srv->cfg), srv->cfg->busy_timeout_ms, &db);
	if (r < 0)
		return r;
	pthread_mutex_lock(&dbs_lock);
	nd = realloc(dbs, (n_dbs + 1) * sizeof(*dbs));
	if (nd) {
		dbs = nd;
		dbs[n_dbs++] = db;
	}
	pthread_mutex_unlock(&dbs_lock);
	if (!nd) {
		db_close(db);
		return -ENOMEM;
	}
	*ret = thread_db = db;
	return 0;
}

void server_db_close_all(void)
{
	pthread_mutex_lock(&dbs_lock);
	for (size_t i = 0; i < n_dbs; i++)
		db_close(dbs[i]);
	free(dbs);
	dbs = NULL;
	n_dbs = 0;
	pthread_mutex_unlock(&dbs_lock);
	thread_db = NULL;
}

void server_wake(struct server *srv, struct db *db, const char *key)
{
	char payload[256];
	int r;

	waiters_wake(key);
	if (!db || !wake_enabled())
		return;
	if ((size_t)snprintf(payload, sizeof(payload), "%s %s", wake_node_id(), key) >=
	    sizeof(payload))
		return;
	r = db_notify(db, WAKE_CHANNEL, payload);
	if (r < 0)
		log_warn("cross-node wake of %s not sent: %s", key, db_errmsg(db));
}

int server_key_load(const char *data_dir, const char *name, unsigned char *ret, size_t n)
{
	_cleanup_free_ char *path = strdup_printf("%s/keys/%s", data_dir, name);

	if (!path)
		return -ENOMEM;
	return key_file_load(path, ret, n, true);
}
