/* db-sqlite.c - the SQLite backend of db.h.
 *
 * WAL journal, foreign keys, busy timeout, prepared statements cached per
 * connection by SQL text (a small open-addressing table), "$n" parameters
 * resolved by name so that SQL written for PostgreSQL binds the same way. */
#include "store/db.h"

#include <stdarg.h>
#include <sqlite3.h>
#include <stdio.h>

#define STMT_CACHE_SIZE 128	/* power of two */

struct db_stmt {
	sqlite3_stmt *stmt;
	const char *sql;	/* sqlite3_sql(stmt) */
	struct db *db;
};

struct db {
	sqlite3 *conn;
	struct db_stmt cache[STMT_CACHE_SIZE];
	int tx_depth;
};

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
		return 0;
	case SQLITE_ROW:
		return 1;
	case SQLITE_CONSTRAINT:
		return -EEXIST;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_READONLY:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_CORRUPT:
	case SQLITE_NOTADB:
		return -EUCLEAN;
	case SQLITE_RANGE:
	case SQLITE_MISMATCH:
		return -EINVAL;
	default:
		return -EIO;
	}
}

int db_open(const char *path, int64_t busy_timeout_ms, struct db **ret)
{
	struct db *db;
	int r;

	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	r = sqlite3_open_v2(path, &db->conn,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL);
	if (r != SQLITE_OK) {
		r = map_rc(r);
		db_close(db);
		return r;
	}
	sqlite3_extended_result_codes(db->conn, 1);
	sqlite3_busy_timeout(db->conn, (int)busy_timeout_ms);
	r = db_exec(db, "PRAGMA journal_mode=WAL;"
			"PRAGMA synchronous=NORMAL;"
			"PRAGMA foreign_keys=ON;"
			"PRAGMA trusted_schema=OFF;");
	if (r < 0) {
		db_close(db);
		return r;
	}
	*ret = db;
	return 0;
}

void db_close(struct db *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++)
		sqlite3_finalize(db->cache[i].stmt);
	sqlite3_close_v2(db->conn);
	free(db);
}

int db_exec(struct db *db, const char *sql)
{
	return map_rc(sqlite3_exec(db->conn, sql, NULL, NULL, NULL));
}

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

int db_prepare(struct db *db, const char *sql, struct db_stmt **ret)
{
	size_t h = hash_str(sql) & (STMT_CACHE_SIZE - 1);
	struct db_stmt *slot = NULL;
	sqlite3_stmt *stmt;
	int r;

	for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
		struct db_stmt *s = &db->cache[(h + i) & (STMT_CACHE_SIZE - 1)];
		if (!s->stmt) {
			slot = s;
			break;
		}
		if (streq(s->sql, sql)) {
			*ret = s;
			return 0;
		}
	}
	r = sqlite3_prepare_v3(db->conn, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
	if (r != SQLITE_OK)
		return map_rc(r) ?: -EINVAL;
	if (!slot) {
		/* Cache full: evict the slot we hashed to. */
		slot = &db->cache[h];
		sqlite3_finalize(slot->stmt);
	}
	slot->stmt = stmt;
	slot->sql = sqlite3_sql(stmt);
	slot->db = db;
	*ret = slot;
	return 0;
}

void db_stmt_done(struct db_stmt *st)
{
	if (!st)
		return;
	sqlite3_reset(st->stmt);
	sqlite3_clear_bindings(st->stmt);
}

static int param_index(struct db_stmt *st, int n)
{
	char name[16];
	int idx;

	snprintf(name, sizeof(name), "$%d", n);
	idx = sqlite3_bind_parameter_index(st->stmt, name);
	return idx > 0 ? idx : -EINVAL;
}

int db_bind_text(struct db_stmt *st, int n, const char *v)
{
	int idx = param_index(st, n);

	if (idx < 0)
		return idx;
	if (!v)
		return map_rc(sqlite3_bind_null(st->stmt, idx));
	return map_rc(sqlite3_bind_text(st->stmt, idx, v, -1, SQLITE_TRANSIENT));
}

int db_bind_int64(struct db_stmt *st, int n, int64_t v)
{
	int idx = param_index(st, n);

	return idx < 0 ? idx : map_rc(sqlite3_bind_int64(st->stmt, idx, v));
}

int db_bind_null(struct db_stmt *st, int n)
{
	int idx = param_index(st, n);

	return idx < 0 ? idx : map_rc(sqlite3_bind_null(st->stmt, idx));
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

int db_step(struct db_stmt *st)
{
	return map_rc(sqlite3_step(st->stmt));
}

const char *db_col_text(struct db_stmt *st, int col)
{
	return (const char *)sqlite3_column_text(st->stmt, col);
}

int64_t db_col_int64(struct db_stmt *st, int col)
{
	return sqlite3_column_int64(st->stmt, col);
}

bool db_col_is_null(struct db_stmt *st, int col)
{
	return sqlite3_column_type(st->stmt, col) == SQLITE_NULL;
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
	return r < 0 ? r : sqlite3_changes(db->conn);
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
	int r = db_exec(db, "BEGIN IMMEDIATE");

	if (r == 0)
		db->tx_depth++;
	return r;
}

int db_lock(struct db *db, const char *key)
{
	/* BEGIN IMMEDIATE already serialises every writer. */
	return db->tx_depth > 0 && key ? 0 : -EINVAL;
}

int db_commit(struct db *db)
{
	int r = db_exec(db, "COMMIT");

	if (r == 0)
		db->tx_depth--;
	return r;
}

int db_rollback(struct db *db)
{
	int r;

	if (db->tx_depth == 0)
		return 0;
	r = db_exec(db, "ROLLBACK");
	db->tx_depth = 0;
	return r;
}

int db_end(struct db *db, int r)
{
	if (r < 0) {
		db_rollback(db);
		return r;
	}
	return db_commit(db);
}

const char *db_errmsg(struct db *db)
{
	return sqlite3_errmsg(db->conn);
}

int db_integrity_check(struct db *db, char **ret_report)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	const char *t;
	int r;

	r = db_prepare(db, "PRAGMA integrity_check", &st);
	if (r < 0)
		return r;
	r = db_step(st);
	if (r < 0)
		return r;
	t = r == 1 ? db_col_text(st, 0) : NULL;
	if (t && streq(t, "ok"))
		return 0;
	if (ret_report)
		*ret_report = strdup(t ? t : "no result");
	return -EUCLEAN;
}
