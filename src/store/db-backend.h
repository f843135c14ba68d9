/* db-backend.h - what a store backend provides to the dispatch in db.c.
 *
 * Internal to src/store.  A backend's connection and statement structs
 * start with struct db / struct db_stmt, whose ops pointer db.c follows;
 * everything db.h offers on top of these primitives (db_run, db_bindv,
 * db_query_*, db_end) is written once, in db.c. */
#pragma once
#include "store/db.h"

struct db_ops {
	const char *name;
	void (*close)(struct db *db);
	int (*exec)(struct db *db, const char *sql);
	int (*prepare)(struct db *db, const char *sql, struct db_stmt **ret);
	void (*stmt_done)(struct db_stmt *st);
	int (*bind_text)(struct db_stmt *st, int n, const char *v);
	int (*bind_int64)(struct db_stmt *st, int n, int64_t v);
	int (*bind_null)(struct db_stmt *st, int n);
	int (*bind_blob)(struct db_stmt *st, int n, const void *p, size_t len);
	int (*step)(struct db_stmt *st);
	const char *(*col_text)(struct db_stmt *st, int col);
	int64_t (*col_int64)(struct db_stmt *st, int col);
	bool (*col_is_null)(struct db_stmt *st, int col);
	const void *(*col_blob)(struct db_stmt *st, int col, size_t *ret_len);
	/* Rows changed by st, once stepped to its end. */
	int (*changes)(struct db_stmt *st);
	int (*begin)(struct db *db);
	int (*begin_read)(struct db *db);
	int (*commit)(struct db *db);
	int (*rollback)(struct db *db);
	const char *(*errmsg)(struct db *db);
	int (*integrity_check)(struct db *db, char **ret_report);
	int (*lock)(struct db *db, const char *key);
	int (*sequence_next)(struct db *db, const char *name, int64_t *ret);
	int (*notify)(struct db *db, const char *channel, const char *payload);
	int (*listen)(struct db *db, const char *channel);
	int (*wait_notify)(struct db *db, int timeout_ms, db_notify_cb cb, void *userdata);
	int (*epoch_mark)(struct db *db);
	int (*epoch)(struct db *db, uint64_t *ret);
};

struct db {
	const struct db_ops *ops;
};

struct db_stmt {
	struct db *db;
};

int db_sqlite_open(const char *path, int64_t busy_timeout_ms, struct db **ret);
int db_pg_open(const char *url, int64_t busy_timeout_ms, struct db **ret);
uint64_t db_pg_epoch_local(void);
