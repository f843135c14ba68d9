/* db-pg-server.c - the PostgreSQL backend's use of the server's own
 * services for db.h (see db-pg-private.h): the integrity check (the server
 * answers, no index left invalid), db_lock as a transaction-scoped
 * advisory lock, db_sequence_next as nextval, db_notify / db_listen /
 * db_wait_notify as NOTIFY / LISTEN over the connection's socket, and the
 * status epoch (db_epoch_local: the status changes this process
 * committed; other processes and nodes hear them as notifications). */
#include "store/db-pg-private.h"

#include <stdatomic.h>

#include <poll.h>

/* Status-changing transactions this process committed (db_epoch_local). */
static _Atomic uint64_t local_epoch;

int pg_integrity_check(struct db *db, char **ret_report)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int64_t one = 0;
	const char *bad = NULL;
	int r;

	r = db_query_int64(db, "SELECT 1", NULL, &one);
	if (r < 0)
		return r;
	if (one != 1)
		bad = "the server did not answer SELECT 1";
	if (!bad) {
		r = db_select(db, &st, "SELECT c.relname FROM pg_index i JOIN pg_class c"
				       " ON c.oid = i.indexrelid JOIN pg_namespace s"
				       " ON s.oid = c.relnamespace WHERE s.nspname = current_schema()"
				       " AND NOT (i.indisvalid AND i.indisready)", NULL);
		if (r < 0)
			return r;
		r = db_step(st);
		if (r < 0)
			return r;
		if (r == 1) {
			if (ret_report)
				*ret_report = strdup_printf("index %s is not valid",
							    db_col_text(st, 0));
			return -EUCLEAN;
		}
	}
	if (!bad)
		return 0;
	if (ret_report)
		*ret_report = strdup(bad);
	return -EUCLEAN;
}

int pg_lock(struct db *db, const char *key)
{
	int r;

	if (DB(db)->tx_depth <= 0)
		return -EINVAL;	/* a transaction-scoped lock needs a transaction */
	r = db_run(db, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "t", key);

	return r < 0 ? r : 0;
}

int pg_sequence_next(struct db *db, const char *name, int64_t *ret)
{
	int r = db_query_int64(db, "SELECT nextval(c.oid) FROM pg_class c"
				   " WHERE c.relname = $1 AND c.relkind = 'S'"
				   " AND pg_table_is_visible(c.oid)", "t", ret, name);

	return r;
}

int pg_notify(struct db *db, const char *channel, const char *payload)
{
	int r = db_run(db, "SELECT pg_notify($1, $2)", "tt", channel, payload);

	return r < 0 ? r : 0;
}

int pg_listen(struct db *d, const char *channel)
{
	struct pg_db *db = DB(d);
	_cleanup_free_ char *sql = NULL;
	char *id;
	int r;

	r = pg_ensure_conn(db);
	if (r < 0)
		return r;
	id = PQescapeIdentifier(db->conn, channel, strlen(channel));
	if (!id)
		return -ENOMEM;
	sql = strdup_printf("LISTEN %s", id);
	PQfreemem(id);
	if (!sql)
		return -ENOMEM;
	return pg_run_simple(db, sql, NULL);
}

static int deliver(struct pg_db *db, db_notify_cb cb, void *userdata)
{
	PGnotify *n;
	int k = 0;

	while ((n = PQnotifies(db->conn))) {
		if (cb)
			cb(n->relname, n->extra, userdata);
		PQfreemem(n);
		k++;
	}
	return k;
}

int pg_wait_notify(struct db *d, int timeout_ms, db_notify_cb cb, void *userdata)
{
	struct pg_db *db = DB(d);
	struct pollfd p = { .events = POLLIN };
	int k;

	if (PQstatus(db->conn) != CONNECTION_OK)
		return -EIO;
	k = deliver(db, cb, userdata);
	if (k > 0)
		return k;
	p.fd = PQsocket(db->conn);
	if (p.fd < 0)
		return -EIO;
	k = poll(&p, 1, timeout_ms);
	if (k < 0)
		return errno == EINTR ? 0 : -errno;
	if (k == 0)
		return 0;
	if (!PQconsumeInput(db->conn) || PQstatus(db->conn) != CONNECTION_OK) {
		pg_set_err(db, PQerrorMessage(db->conn));
		return -EIO;
	}
	return deliver(db, cb, userdata);
}

/* Other processes and nodes learn of the change by crl_mark_changed's
 * NOTIFY; this process's own answers at once after the commit. */
int pg_epoch_mark(struct db *d)
{
	struct pg_db *db = DB(d);

	if (db->tx_depth > 0)
		db->epoch_marked = true;
	else
		atomic_fetch_add(&local_epoch, 1);	/* committed already */
	return 0;
}

void pg_epoch_committed(void)
{
	atomic_fetch_add(&local_epoch, 1);
}

uint64_t db_pg_epoch_local(void)
{
	return atomic_load(&local_epoch);
}

int pg_epoch(struct db *db, uint64_t *ret)
{
	*ret = 0;
	return -EOPNOTSUPP;
}
