/* db.h - the narrow interface every part of eonay uses to reach the store.
 *
 * SQL is written once for both backends: PostgreSQL-style "$1" placeholders,
 * BIGINT unix times, TEXT for strings and base64 for binary data, no
 * autoincrement (ids are chosen by the code).  The SQLite backend
 * (db-sqlite.c) is the embedded default; a libpq backend will implement the
 * same functions.
 *
 * A struct db is one connection and is used by one thread at a time; the
 * server keeps one per worker thread.  Statements are prepared once per
 * connection and cached by their SQL text. */
#pragma once
#include "common/util.h"

struct db;
struct db_stmt;

/* Opens (creating if needed) the database at path: WAL journal, foreign
 * keys on, synchronous=NORMAL in WAL (durable on commit across crashes of
 * the process; FULL when full_sync), busy timeout in milliseconds. */
int db_open(const char *path, int64_t busy_timeout_ms, struct db **ret);
void db_close(struct db *db);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct db *, db_close)

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

/* Binds from a type string: 't' const char * (NULL binds NULL), 'i' int64_t,
 * 'n' NULL (no argument).  Parameter k of types is $k. */
int db_bindv(struct db_stmt *st, const char *types, ...);

/* Steps: 1 when a row is ready, 0 when done, -EEXIST on a constraint
 * violation, -EBUSY when locked past the busy timeout, -EIO otherwise. */
int db_step(struct db_stmt *st);

/* Column accessors for the current row (0-based).  Text is valid until the
 * next step or done; NULL for SQL NULL. */
const char *db_col_text(struct db_stmt *st, int col);
int64_t db_col_int64(struct db_stmt *st, int col);
bool db_col_is_null(struct db_stmt *st, int col);

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

/* Transactions.  db_begin takes the write lock at once (BEGIN IMMEDIATE) so
 * that a transaction never fails half-way on a lock upgrade. */
int db_begin(struct db *db);
/* Takes an exclusive lock named key until the end of the current
 * transaction, across every process on the same database ("holder:TCKN").
 * A no-op on SQLite, where BEGIN IMMEDIATE serialises writers.  -EINVAL
 * outside a transaction. */
int db_lock(struct db *db, const char *key);
int db_commit(struct db *db);
int db_rollback(struct db *db);
/* Ends the transaction db_begin() opened: commits when r >= 0 and returns
 * the commit's result, rolls back and returns r otherwise. */
int db_end(struct db *db, int r);

/* The English text of the last error on this connection (for logs). */
const char *db_errmsg(struct db *db);

/* PRAGMA integrity_check: 0 when "ok", -EUCLEAN with the report otherwise. */
int db_integrity_check(struct db *db, char **ret_report);

/* Schema migrations (sql/NNN_name.sql, embedded at build time).
 * Applies the missing ones in order, each in its own transaction.
 * -EPROTO when the database has a newer schema than this binary knows. */
int db_migrate(struct db *db, int *ret_applied);
/* The schema version of the database, and the newest this binary knows. */
int db_schema_version(struct db *db, int64_t *ret);
int db_schema_version_known(void);
