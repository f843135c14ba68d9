/* db.h - the narrow interface every part of eonay uses to reach the store.
 *
 * SQL is written once for both backends: PostgreSQL-style "$1" placeholders,
 * BIGINT unix times, TEXT for strings, binary data (DER, CMS) as BLOB on
 * SQLite and bytea on PostgreSQL (db_bind_blob / db_col_blob), no
 * autoincrement (ids are chosen by the code).  Two backends behind one
 * dispatch (db.c): SQLite (db-sqlite.c), the embedded default, and
 * PostgreSQL through libpq (db-pg.c), chosen by the target given to
 * db_open().
 *
 * A struct db is one connection and is used by one thread at a time; the
 * server keeps one per worker thread.  Statements are prepared once per
 * connection and cached by their SQL text.
 *
 * What differs between the backends, and what code must do about it:
 *   - db_begin on SQLite takes the one write lock (BEGIN IMMEDIATE): writers
 *     are serialised.  On PostgreSQL it is a READ COMMITTED transaction and
 *     writers on other rows run at the same time: code that reads and then
 *     writes on the strength of what it read (MAX+1, a precondition) takes
 *     db_lock(key) first or uses a conditional UPDATE ... WHERE state = ...
 *   - on PostgreSQL any failed statement inside a transaction aborts the
 *     whole transaction: after an error, roll back (db_end does) - do not
 *     carry on with other statements in it.
 *   - statement errors map the same on both: see db_step. */
#pragma once
#include "common/util.h"

struct db;
struct db_stmt;

/* Opens a connection to the store named by target:
 *   - "postgresql://..." or "postgres://..." (a libpq URL): PostgreSQL;
 *     busy_timeout_ms becomes lock_timeout;
 *   - anything else is the path of a SQLite database, created if needed:
 *     WAL journal, foreign keys on, synchronous=NORMAL in WAL, busy timeout
 *     in milliseconds.
 * -ENOENT / -EACCES / -EIO when it cannot be opened or reached. */
int db_open(const char *target, int64_t busy_timeout_ms, struct db **ret);
void db_close(struct db *db);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct db *, db_close)

/* True when target names a PostgreSQL server (see db_open). */
bool db_target_is_pg(const char *target);
/* "sqlite" or "postgresql". */
const char *db_backend_name(struct db *db);

/* Runs one or more statements without parameters: for DDL in migrations. */
int db_exec(struct db *db, const char *sql);

/* Returns the cached prepared statement for sql, reset and unbound.  Give it
 * back with db_stmt_done() (or _cleanup_stmt_). */
int db_prepare(struct db *db, const char *sql, struct db_stmt **ret);
void db_stmt_done(struct db_stmt *st);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct db_stmt *, db_stmt_done)
#define _cleanup_stmt_ _cleanup_(db_stmt_donep)

/* Binds parameter $n (1-based).  A NULL text binds SQL NULL. */
int db_bind_text(struct db_stmt *st, int n, const char *v);
int db_bind_int64(struct db_stmt *st, int n, int64_t v);
int db_bind_null(struct db_stmt *st, int n);
/* Binds len bytes at p as binary data (BLOB / bytea; NUL bytes and length
 * 0 are fine: p may then be NULL, and an empty value, not NULL, is bound).
 * PostgreSQL: sent in the binary parameter format. */
int db_bind_blob(struct db_stmt *st, int n, const void *p, size_t len);

/* Binds from a type string: 't' const char * (NULL binds NULL), 'i' int64_t,
 * 'n' NULL (no argument).  Parameter k of types is $k. */
int db_bindv(struct db_stmt *st, const char *types, ...);

/* Steps: 1 when a row is ready, 0 when done.  Errors, the same on both
 * backends: -EEXIST on a unique or primary key violation, -EINVAL on a
 * CHECK, NOT NULL or foreign key violation (and a value of the wrong type),
 * -EBUSY when locked past the busy timeout (PostgreSQL: also a
 * serialization failure or deadlock: the transaction may be retried),
 * -EIO otherwise (PostgreSQL: also a lost connection; the next
 * db_prepare / db_begin / db_exec reconnects). */
int db_step(struct db_stmt *st);

/* Column accessors for the current row (0-based).  Text is valid until the
 * next step or done; NULL for SQL NULL (and 0 from db_col_int64; a
 * PostgreSQL boolean reads as 1 or 0). */
const char *db_col_text(struct db_stmt *st, int col);
int64_t db_col_int64(struct db_stmt *st, int col);
bool db_col_is_null(struct db_stmt *st, int col);
/* A binary column (BLOB / bytea): its bytes and *ret_len, valid until the
 * next step or done; NULL (and *ret_len 0) for SQL NULL.  An empty value
 * is a non-NULL pointer with *ret_len 0.  PostgreSQL: results travel as
 * text, a bytea column is decoded from its hex form. */
const void *db_col_blob(struct db_stmt *st, int col, size_t *ret_len);

/* One-shot statement without result rows: prepare, bind (as db_bindv), step
 * to the end.  Returns the number of changed rows, or -errno. */
int db_run(struct db *db, const char *sql, const char *types, ...);

/* Prepares and binds (as db_bindv) a statement to step through with
 * db_step; give it back with db_stmt_done / _cleanup_stmt_. */
int db_select(struct db *db, struct db_stmt **ret, const char *sql, const char *types, ...);

/* Prepares, binds (as db_bindv) and steps to the first row: 0 with *ret
 * on that row (give it back with db_stmt_done / _cleanup_stmt_), -ENOENT
 * when there is none. */
int db_query_one(struct db *db, struct db_stmt **ret, const char *sql, const char *types, ...);

/* One-shot query of a single integer (first column of the first row).
 * -ENOENT when there is no row. */
int db_query_int64(struct db *db, const char *sql, const char *types,
		   int64_t *ret, ...);

/* Transactions.  On SQLite db_begin takes the write lock at once (BEGIN
 * IMMEDIATE) so that a transaction never fails half-way on a lock upgrade;
 * on PostgreSQL it is a plain READ COMMITTED BEGIN (see the top of this
 * file).  db_commit of a PostgreSQL transaction that an error aborted is
 * -EIO (the server rolled it back). */
int db_begin(struct db *db);
/* A read-only transaction: every statement until db_commit / db_rollback
 * reads one snapshot of the store, and no write lock is taken (SQLite: a
 * deferred BEGIN, whose snapshot is taken by its first read, in WAL
 * writers go on meanwhile; PostgreSQL: REPEATABLE READ READ ONLY).  For
 * long reads outside any write transaction (the CRL). */
int db_begin_read(struct db *db);
int db_commit(struct db *db);
int db_rollback(struct db *db);
/* Ends the transaction db_begin() opened: commits when r >= 0 and returns
 * the commit's result, rolls back and returns r otherwise. */
int db_end(struct db *db, int r);

/* The status epoch: how a process that keeps certificate statuses in
 * memory (the OCSP answers) knows, without reading the store, that none
 * changed since it read them.  db_epoch_mark(), inside a write transaction
 * that changes a status (crl_mark_changed() calls it), marks the change
 * before the commit.  db_epoch() gives a number to note before reading a
 * status: while db_epoch() gives the same number again, what was read
 * still holds; 0 means "read the store" (a change under way).  SQLite: a
 * file beside the store shared by every process using it (store/epoch.h);
 * exact.  PostgreSQL: db_epoch is -EOPNOTSUPP: other processes and nodes
 * learn of a change by the NOTIFY that crl_mark_changed() sends
 * (server/wake.h), and db_epoch_local() counts the marked transactions
 * this process committed (moved right after each commit), so that its
 * own changes show in its own answers without waiting for the
 * notification. */
int db_epoch_mark(struct db *db);
int db_epoch(struct db *db, uint64_t *ret);
uint64_t db_epoch_local(void);

/* Takes an exclusive lock named key until the end of the current
 * transaction, held across every node sharing the store: concurrent
 * transactions taking the same key run one after the other.  Call it inside
 * db_begin()..db_end() (-EINVAL outside).  SQLite: a no-op (BEGIN
 * IMMEDIATE already serialises writers); PostgreSQL: pg_advisory_xact_lock. */
int db_lock(struct db *db, const char *key);

/* The next value of the sequence name (made by a migration: a SEQUENCE on
 * PostgreSQL, a row of the table `sequences` on SQLite, whose writers are
 * serialised).  Values increase and never repeat, across nodes; a
 * rolled-back transaction may leave a gap.  -ENOENT for an unknown name,
 * -EINVAL for a name that is not [a-z0-9_]. */
int db_sequence_next(struct db *db, const char *name, int64_t *ret);

/* Cross-node notifications (PostgreSQL LISTEN/NOTIFY).
 * db_notify sends payload on channel to every connection listening on it,
 * on any node: at commit when called inside a transaction, at once
 * otherwise.  SQLite: a no-op returning 0 (one process: nobody else to
 * tell).  The channel is a plain identifier, the payload under 8000 bytes. */
int db_notify(struct db *db, const char *channel, const char *payload);
/* Makes this connection listen on channel.  SQLite: -EOPNOTSUPP. */
int db_listen(struct db *db, const char *channel);
/* Waits up to timeout_ms for notifications on the channels this connection
 * listens on and calls cb for each one.  Returns how many were delivered
 * (0 on timeout), -EIO when the connection was lost (close it and open a
 * new one, then db_listen again: notifications sent meanwhile are lost),
 * -EOPNOTSUPP on SQLite. */
typedef void (*db_notify_cb)(const char *channel, const char *payload, void *userdata);
int db_wait_notify(struct db *db, int timeout_ms, db_notify_cb cb, void *userdata);

/* The English text of the last error on this connection (for logs). */
const char *db_errmsg(struct db *db);

/* SQLite: PRAGMA integrity_check; PostgreSQL: the server answers and the
 * schema's tables are there.  0 when fine, -EUCLEAN with the report
 * otherwise. */
int db_integrity_check(struct db *db, char **ret_report);

/* Schema migrations (sql/NNN_name.sql for both backends, or the pair
 * sql/NNN_name.sqlite.sql + sql/NNN_name.pg.sql; embedded at build time).
 * Applies the missing ones in order, each in its own transaction under
 * db_lock("eonay.migrate"), so that nodes starting together apply each
 * migration once.
 * -EPROTO when the database has a newer schema than this binary knows. */
int db_migrate(struct db *db, int *ret_applied);
/* Like db_migrate, but stops after version max (for tests of a migration:
 * a store at an older schema). */
int db_migrate_to(struct db *db, int max, int *ret_applied);
/* The schema version of the database, and the newest this binary knows. */
int db_schema_version(struct db *db, int64_t *ret);
int db_schema_version_known(void);
