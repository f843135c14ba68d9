/* db-sqlite.c - the SQLite backend of db.h (see db-backend.h).
 *
 * WAL journal, foreign keys, busy timeout, prepared statements cached per
 * connection by SQL text (a small open-addressing table), "$n" parameters
 * resolved by name so that SQL written for PostgreSQL binds the same way.
 * One process: db_lock is a no-op (BEGIN IMMEDIATE serialises writers) and
 * there is nobody to notify. */
#include "store/db-backend.h"
#include "store/epoch.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <limits.h>
#include <stdio.h>

#define STMT_CACHE_SIZE 128	/* power of two */

struct sq_stmt {
	struct db_stmt base;
	sqlite3_stmt *stmt;
	const char *sql;	/* sqlite3_sql(stmt) */
	bool ordered;		/* parameter k is $k for every k */
};

struct sq_db {
	struct db base;
	sqlite3 *conn;
	struct sq_stmt cache[STMT_CACHE_SIZE];
	int tx_depth;
	struct epoch_file *epoch;	/* NULL for :memory: and file: URIs */
};

static const struct db_ops sqlite_ops;

#define DB(d) ((struct sq_db *)(d))
#define ST(s) ((struct sq_stmt *)(s))

static int map_rc(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
		return 0;
	case SQLITE_ROW:
		return 1;
	case SQLITE_CONSTRAINT:
		/* Unique and primary key: the row exists; the others (CHECK,
		 * NOT NULL, foreign key): the value is not acceptable. */
		return rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY ||
				       rc == SQLITE_CONSTRAINT_ROWID ?
			       -EEXIST : -EINVAL;
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

static void sq_close(struct db *d);
static int sq_exec(struct db *d, const char *sql);

int db_sqlite_open(const char *path, int64_t busy_timeout_ms, struct db **ret)
{
	struct sq_db *db;
	int r;

	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->base.ops = &sqlite_ops;
	/* A new store file is made 0600 whatever the directory's mode and the
	 * umask allow (SQLite would make it 0644); its -wal and -shm files
	 * take the same mode from it.  Only a file that does not exist yet
	 * (O_EXCL): closing a descriptor of a file this process has open
	 * through SQLite would drop all its POSIX locks on it (fcntl locks
	 * are per process), and other connections would then see stale data
	 * or worse. */
	if (strncmp(path, "file:", 5) != 0 && !streq(path, ":memory:")) {
		int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);

		if (fd >= 0)
			close(fd);
		r = epoch_file_open(path, &db->epoch);
		if (r < 0) {
			free(db);
			return r;
		}
	}
	r = sqlite3_open_v2(path, &db->conn,
			    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				    SQLITE_OPEN_NOMUTEX,
			    NULL);
	if (r != SQLITE_OK) {
		r = map_rc(r);
		sq_close(&db->base);
		return r;
	}
	sqlite3_extended_result_codes(db->conn, 1);
	sqlite3_busy_timeout(db->conn, (int)busy_timeout_ms);
	r = sq_exec(&db->base, "PRAGMA journal_mode=WAL;"
				"PRAGMA synchronous=NORMAL;"
				"PRAGMA foreign_keys=ON;"
				"PRAGMA trusted_schema=OFF;");
	if (r < 0) {
		sq_close(&db->base);
		return r;
	}
	*ret = &db->base;
	return 0;
}

static void sq_close(struct db *d)
{
	struct sq_db *db = DB(d);

	for (size_t i = 0; i < STMT_CACHE_SIZE; i++)
		sqlite3_finalize(db->cache[i].stmt);
	sqlite3_close_v2(db->conn);
	epoch_file_close(db->epoch);	/* after the close: a transaction left open is gone */
	free(db);
}

static int sq_exec(struct db *d, const char *sql)
{
	struct sq_db *db = DB(d);

	return map_rc(sqlite3_exec(db->conn, sql, NULL, NULL, NULL));
}

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

static int sq_prepare(struct db *d, const char *sql, struct db_stmt **ret)
{
	struct sq_db *db = DB(d);
	size_t h = hash_str(sql) & (STMT_CACHE_SIZE - 1);
	struct sq_stmt *slot = NULL;
	sqlite3_stmt *stmt;
	int r;

	for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
		struct sq_stmt *s = &db->cache[(h + i) & (STMT_CACHE_SIZE - 1)];
		if (!s->stmt) {
			slot = s;
			break;
		}
		if (streq(s->sql, sql)) {
			*ret = &s->base;
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
	/* SQLite numbers parameters in order of first appearance: when $k is
	 * parameter k throughout, binding needs no name look-up (linear in the
	 * parameters, which a multi-row INSERT has thousands of). */
	slot->ordered = true;
	for (int k = 1; k <= sqlite3_bind_parameter_count(stmt) && slot->ordered; k++) {
		const char *nm = sqlite3_bind_parameter_name(stmt, k);
		char name[16];

		snprintf(name, sizeof(name), "$%d", k);
		slot->ordered = nm && streq(nm, name);
	}
	slot->base.db = d;
	*ret = &slot->base;
	return 0;
}

static void sq_stmt_done(struct db_stmt *s)
{
	struct sq_stmt *st = ST(s);

	sqlite3_reset(st->stmt);
	sqlite3_clear_bindings(st->stmt);
}

static int param_index(struct sq_stmt *st, int n)
{
	char name[16];
	int idx;

	if (st->ordered)
		return n > 0 && n <= sqlite3_bind_parameter_count(st->stmt) ? n : -EINVAL;
	snprintf(name, sizeof(name), "$%d", n);
	idx = sqlite3_bind_parameter_index(st->stmt, name);
	return idx > 0 ? idx : -EINVAL;
}

static int sq_bind_text(struct db_stmt *s, int n, const char *v)
{
	struct sq_stmt *st = ST(s);
	int idx = param_index(st, n);

	if (idx < 0)
		return idx;
	if (!v)
		return map_rc(sqlite3_bind_null(st->stmt, idx));
	return map_rc(sqlite3_bind_text(st->stmt, idx, v, -1, SQLITE_TRANSIENT));
}

static int sq_bind_int64(struct db_stmt *s, int n, int64_t v)
{
	struct sq_stmt *st = ST(s);
	int idx = param_index(st, n);

	return idx < 0 ? idx : map_rc(sqlite3_bind_int64(st->stmt, idx, v));
}

static int sq_bind_null(struct db_stmt *s, int n)
{
	struct sq_stmt *st = ST(s);
	int idx = param_index(st, n);

	return idx < 0 ? idx : map_rc(sqlite3_bind_null(st->stmt, idx));
}

static int sq_bind_blob(struct db_stmt *s, int n, const void *p, size_t len)
{
	struct sq_stmt *st = ST(s);
	int idx = param_index(st, n);

	if (idx < 0)
		return idx;
	if (len > INT_MAX)
		return -E2BIG;
	/* A NULL pointer would bind SQL NULL: an empty value needs one. */
	return map_rc(sqlite3_bind_blob(st->stmt, idx, p ? p : "", (int)len, SQLITE_TRANSIENT));
}

static int sq_step(struct db_stmt *s)
{
	return map_rc(sqlite3_step(ST(s)->stmt));
}

static const char *sq_col_text(struct db_stmt *s, int col)
{
	return (const char *)sqlite3_column_text(ST(s)->stmt, col);
}

static int64_t sq_col_int64(struct db_stmt *s, int col)
{
	return sqlite3_column_int64(ST(s)->stmt, col);
}

static bool sq_col_is_null(struct db_stmt *s, int col)
{
	return sqlite3_column_type(ST(s)->stmt, col) == SQLITE_NULL;
}

static const void *sq_col_blob(struct db_stmt *s, int col, size_t *ret_len)
{
	sqlite3_stmt *stmt = ST(s)->stmt;
	const void *p;

	if (sqlite3_column_type(stmt, col) == SQLITE_NULL)
		return NULL;
	p = sqlite3_column_blob(stmt, col);
	*ret_len = (size_t)sqlite3_column_bytes(stmt, col);
	/* sqlite3_column_blob gives NULL for an empty value. */
	return p ? p : "";
}

static int sq_changes(struct db_stmt *s)
{
	return sqlite3_changes(DB(s->db)->conn);
}

static int sq_begin(struct db *d)
{
	struct sq_db *db = DB(d);
	int r = sq_exec(d, "BEGIN IMMEDIATE");

	if (r == 0)
		db->tx_depth++;
	return r;
}

static int sq_begin_read(struct db *d)
{
	struct sq_db *db = DB(d);
	int r = sq_exec(d, "BEGIN DEFERRED");

	if (r == 0)
		db->tx_depth++;
	return r;
}

static int sq_commit(struct db *d)
{
	struct sq_db *db = DB(d);
	int r = sq_exec(d, "COMMIT");

	if (r == 0 && --db->tx_depth == 0)
		epoch_file_end(db->epoch);
	return r;
}

static int sq_rollback(struct db *d)
{
	struct sq_db *db = DB(d);
	int r;

	if (db->tx_depth == 0)
		return 0;
	r = sq_exec(d, "ROLLBACK");
	db->tx_depth = 0;
	epoch_file_end(db->epoch);
	return r;
}

static int sq_epoch_mark(struct db *d)
{
	struct sq_db *db = DB(d);

	int r = epoch_file_begin(db->epoch);

	/* Outside a transaction the change is committed already: a bump. */
	if (r == 0 && db->tx_depth == 0)
		epoch_file_end(db->epoch);
	return r;
}

static int sq_epoch(struct db *d, uint64_t *ret)
{
	*ret = epoch_file_read(DB(d)->epoch);
	return 0;
}

static const char *sq_errmsg(struct db *d)
{
	return sqlite3_errmsg(DB(d)->conn);
}

static int sq_integrity_check(struct db *db, char **ret_report)
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

static int sq_lock(struct db *d, const char *key)
{
	/* BEGIN IMMEDIATE holds the only write lock already. */
	return DB(d)->tx_depth > 0 ? 0 : -EINVAL;
}

static int sq_sequence_next(struct db *d, const char *name, int64_t *ret)
{
	return db_query_int64(d, "UPDATE sequences SET value = value + 1 WHERE name = $1"
			      " RETURNING value", "t", ret, name);
}

static int sq_notify(struct db *db, const char *channel, const char *payload)
{
	return 0;	/* one process: the in-process wake is enough */
}

static int sq_listen(struct db *db, const char *channel)
{
	return -EOPNOTSUPP;
}

static int sq_wait_notify(struct db *db, int timeout_ms, db_notify_cb cb, void *userdata)
{
	return -EOPNOTSUPP;
}

static const struct db_ops sqlite_ops = {
	.name = "sqlite",
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.stmt_done = sq_stmt_done,
	.bind_text = sq_bind_text,
	.bind_int64 = sq_bind_int64,
	.bind_null = sq_bind_null,
	.bind_blob = sq_bind_blob,
	.step = sq_step,
	.col_text = sq_col_text,
	.col_int64 = sq_col_int64,
	.col_is_null = sq_col_is_null,
	.col_blob = sq_col_blob,
	.changes = sq_changes,
	.begin = sq_begin,
	.begin_read = sq_begin_read,
	.commit = sq_commit,
	.rollback = sq_rollback,
	.errmsg = sq_errmsg,
	.integrity_check = sq_integrity_check,
	.lock = sq_lock,
	.sequence_next = sq_sequence_next,
	.notify = sq_notify,
	.listen = sq_listen,
	.wait_notify = sq_wait_notify,
	.epoch_mark = sq_epoch_mark,
	.epoch = sq_epoch,
};
