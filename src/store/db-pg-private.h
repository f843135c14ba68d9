/* db-pg-private.h - what the two files of the PostgreSQL backend share:
 * db-pg.c (connection, statements, transactions) and db-pg-server.c (the
 * server's own services: integrity check, advisory locks, sequences,
 * LISTEN/NOTIFY, the status epoch).  Not for use outside src/store. */
#pragma once

#include "store/db-backend.h"

#include <libpq-fe.h>

#define STMT_CACHE_SIZE 128	/* power of two */
#define MAX_PARAMS 64

struct pg_stmt {
	struct db_stmt base;
	char *sql;		/* NULL: free slot */
	char name[16];
	int nparams;
	char *params[MAX_PARAMS];	/* NULL: SQL NULL */
	Oid types[MAX_PARAMS];		/* as bound: INT8OID, TEXTOID, BYTEAOID, 0 for NULL */
	int lengths[MAX_PARAMS];	/* binary parameters: their length */
	int formats[MAX_PARAMS];	/* 1: binary (db_bind_blob), 0: text */
	unsigned char **decoded;	/* per column: db_col_blob's bytes of this row */
	size_t *decoded_len;
	int ndecoded;
	bool prepared;			/* on the server */
	PGresult *res;
	int row, nrows, changes;
	bool executed;
};

struct pg_db {
	struct db base;
	PGconn *conn;
	struct pg_stmt cache[STMT_CACHE_SIZE];
	unsigned next_name;
	int64_t lock_timeout_ms;
	int tx_depth;
	bool epoch_marked;	/* this transaction changes statuses */
	char err[512];
};

#define DB(d) ((struct pg_db *)(d))
#define ST(s) ((struct pg_stmt *)(s))

/* db-pg.c */
void pg_set_err(struct pg_db *db, const char *msg);		/* keeps msg for db_errmsg */
int pg_run_simple(struct pg_db *db, const char *sql, PGresult **ret);	/* no parameters */
int pg_ensure_conn(struct pg_db *db);	/* reconnects a lost connection outside a transaction */

/* db-pg-server.c */
int pg_integrity_check(struct db *db, char **ret_report);
int pg_lock(struct db *db, const char *key);
int pg_sequence_next(struct db *db, const char *name, int64_t *ret);
int pg_notify(struct db *db, const char *channel, const char *payload);
int pg_listen(struct db *d, const char *channel);
int pg_wait_notify(struct db *d, int timeout_ms, db_notify_cb cb, void *userdata);
int pg_epoch_mark(struct db *d);
int pg_epoch(struct db *db, uint64_t *ret);
void pg_epoch_committed(void);	/* a status-changing transaction committed */
