/* db.c - the dispatch of db.h to its backends, and the helpers that are the
 * same for both.
 *
 * db_open() picks the backend from the target (a postgresql:// URL or a
 * SQLite path); every other function follows the connection's ops table
 * (db-backend.h).  db_run, db_bindv, db_select, db_query_* and db_end are
 * built here on the backends' primitives, so they behave alike. */
#include "store/db-backend.h"

#include <stdarg.h>

bool db_target_is_pg(const char *target)
{
	return target && (strncmp(target, "postgresql://", 13) == 0 ||
			  strncmp(target, "postgres://", 11) == 0);
}

int db_open(const char *target, int64_t busy_timeout_ms, struct db **ret)
{
	if (isempty(target))
		return -EINVAL;
	if (db_target_is_pg(target))
		return db_pg_open(target, busy_timeout_ms, ret);
	return db_sqlite_open(target, busy_timeout_ms, ret);
}

void db_close(struct db *db)
{
	if (db)
		db->ops->close(db);
}

const char *db_backend_name(struct db *db)
{
	return db->ops->name;
}

int db_exec(struct db *db, const char *sql)
{
	return db->ops->exec(db, sql);
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **ret)
{
	return db->ops->prepare(db, sql, ret);
}

void db_stmt_done(struct db_stmt *st)
{
	if (st)
		st->db->ops->stmt_done(st);
}

int db_bind_text(struct db_stmt *st, int n, const char *v)
{
	return st->db->ops->bind_text(st, n, v);
}

int db_bind_int64(struct db_stmt *st, int n, int64_t v)
{
	return st->db->ops->bind_int64(st, n, v);
}

int db_bind_null(struct db_stmt *st, int n)
{
	return st->db->ops->bind_null(st, n);
}

int db_bind_blob(struct db_stmt *st, int n, const void *p, size_t len)
{
	if (!p && len > 0)
		return -EINVAL;
	return st->db->ops->bind_blob(st, n, p, len);
}

int db_step(struct db_stmt *st)
{
	return st->db->ops->step(st);
}

const char *db_col_text(struct db_stmt *st, int col)
{
	return st->db->ops->col_text(st, col);
}

int64_t db_col_int64(struct db_stmt *st, int col)
{
	return st->db->ops->col_int64(st, col);
}

bool db_col_is_null(struct db_stmt *st, int col)
{
	return st->db->ops->col_is_null(st, col);
}

const void *db_col_blob(struct db_stmt *st, int col, size_t *ret_len)
{
	size_t len = 0;
	const void *p = st->db->ops->col_blob(st, col, &len);

	if (ret_len)
		*ret_len = p ? len : 0;
	return p;
}

static int bind_va(struct db_stmt *st, const char *types, va_list ap)
{
	int r = 0;

	for (int k = 0; types && types[k] && r >= 0; k++) {
		switch (types[k]) {
		case 't':
			r = db_bind_text(st, k + 1, va_arg(ap, const char *));
			break;
		case 'i':
			r = db_bind_int64(st, k + 1, va_arg(ap, int64_t));
			break;
		case 'n':
			r = db_bind_null(st, k + 1);
			break;
		default:
			r = -EINVAL;
		}
	}
	return r;
}

int db_bindv(struct db_stmt *st, const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = bind_va(st, types, ap);
	va_end(ap);
	return r;
}

static int prepare_bind(struct db *db, const char *sql, const char *types, va_list ap,
			struct db_stmt **ret)
{
	struct db_stmt *st;
	int r;

	r = db_prepare(db, sql, &st);
	if (r < 0)
		return r;
	r = bind_va(st, types, ap);
	if (r < 0) {
		db_stmt_done(st);
		return r;
	}
	*ret = st;
	return 0;
}

int db_run(struct db *db, const char *sql, const char *types, ...)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	va_list ap;
	int r;

	va_start(ap, types);
	r = prepare_bind(db, sql, types, ap, &st);
	va_end(ap);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1)
		;
	return r < 0 ? r : db->ops->changes(st);
}

int db_select(struct db *db, struct db_stmt **ret, const char *sql, const char *types, ...)
{
	va_list ap;
	int r;

	va_start(ap, types);
	r = prepare_bind(db, sql, types, ap, ret);
	va_end(ap);
	return r;
}

int db_query_one(struct db *db, struct db_stmt **ret, const char *sql, const char *types, ...)
{
	struct db_stmt *st = NULL;
	va_list ap;
	int r;

	va_start(ap, types);
	r = prepare_bind(db, sql, types, ap, &st);
	va_end(ap);
	if (r < 0)
		return r;
	r = db_step(st);
	if (r <= 0) {
		db_stmt_done(st);
		return r < 0 ? r : -ENOENT;
	}
	*ret = st;
	return 0;
}

int db_query_int64(struct db *db, const char *sql, const char *types, int64_t *ret, ...)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	va_list ap;
	int r;

	va_start(ap, ret);
	r = prepare_bind(db, sql, types, ap, &st);
	va_end(ap);
	if (r < 0)
		return r;
	r = db_step(st);
	if (r <= 0)
		return r < 0 ? r : -ENOENT;
	*ret = db_col_int64(st, 0);
	return 0;
}

int db_begin(struct db *db)
{
	return db->ops->begin(db);
}

int db_begin_read(struct db *db)
{
	return db->ops->begin_read(db);
}

int db_commit(struct db *db)
{
	return db->ops->commit(db);
}

int db_rollback(struct db *db)
{
	return db->ops->rollback(db);
}

int db_end(struct db *db, int r)
{
	if (r < 0) {
		db_rollback(db);
		return r;
	}
	return db_commit(db);
}

int db_epoch_mark(struct db *db)
{
	return db->ops->epoch_mark(db);
}

int db_epoch(struct db *db, uint64_t *ret)
{
	if (!ret)
		return -EINVAL;
	return db->ops->epoch(db, ret);
}

uint64_t db_epoch_local(void)
{
	return db_pg_epoch_local();
}

int db_lock(struct db *db, const char *key)
{
	if (isempty(key))
		return -EINVAL;
	return db->ops->lock(db, key);
}

int db_sequence_next(struct db *db, const char *name, int64_t *ret)
{
	if (isempty(name) || strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_") != strlen(name))
		return -EINVAL;
	return db->ops->sequence_next(db, name, ret);
}

int db_notify(struct db *db, const char *channel, const char *payload)
{
	if (isempty(channel) || !payload)
		return -EINVAL;
	return db->ops->notify(db, channel, payload);
}

int db_listen(struct db *db, const char *channel)
{
	if (isempty(channel))
		return -EINVAL;
	return db->ops->listen(db, channel);
}

int db_wait_notify(struct db *db, int timeout_ms, db_notify_cb cb, void *userdata)
{
	return db->ops->wait_notify(db, timeout_ms, cb, userdata);
}

const char *db_errmsg(struct db *db)
{
	return db->ops->errmsg(db);
}

int db_integrity_check(struct db *db, char **ret_report)
{
	return db->ops->integrity_check(db, ret_report);
}
