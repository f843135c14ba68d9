/* db-pg.c - the PostgreSQL backend of db.h (see db-backend.h), on libpq.
 *
 * Statements are prepared once per connection (PQprepare, generated names
 * "e1", "e2", ...) and cached by SQL text like the SQLite backend's.  The
 * server-side prepare waits for the first execution: the server infers the
 * parameters' types from the SQL, and where it cannot ("$2 IS NULL", "$3"
 * both a column value and in "CASE ... ELSE $3 END") the prepare is tried
 * again with the types they were bound with (bigint for db_bind_int64,
 * text for text; then NULLs as text too), inside a savepoint when in a
 * transaction so that the failed try does not abort it.  Values travel as
 * text and results come back as text: the server converts them to and from
 * the column types, so "$n" SQL written for both backends binds the same
 * way.  Binary values (db_bind_blob) are the exception going in: they are
 * sent in the binary format (bytea, no escaping); a bytea result column
 * comes back as text (hex) and db_col_blob decodes it (PQunescapeBytea),
 * kept until the next row.  SQLSTATEs map to the same -errno values as
 * SQLite's result codes.
 * A lost connection is -EIO for the statement that saw it; the next
 * db_prepare / db_begin / db_exec outside a transaction reconnects (the
 * statement cache starts again).  The server's own services (integrity
 * check, advisory locks, sequences, LISTEN/NOTIFY, the status epoch) are in
 * db-pg-server.c; what both files share is db-pg-private.h. */
#include "store/db-pg-private.h"

#include <limits.h>
#include <stdio.h>

static const struct db_ops pg_ops;

void pg_set_err(struct pg_db *db, const char *msg)
{
	size_t n;

	snprintf(db->err, sizeof(db->err), "%s", msg ? msg : "unknown error");
	n = strlen(db->err);
	while (n > 0 && (db->err[n - 1] == '\n' || db->err[n - 1] == ' '))
		db->err[--n] = '\0';
}

/* 0 for a successful result; the -errno of its SQLSTATE otherwise. */
static int map_result(struct pg_db *db, PGresult *res)
{
	const char *state;

	switch (PQresultStatus(res)) {
	case PGRES_COMMAND_OK:
	case PGRES_TUPLES_OK:
	case PGRES_EMPTY_QUERY:
		return 0;
	default:
		break;
	}
	pg_set_err(db, res ? PQresultErrorMessage(res) : PQerrorMessage(db->conn));
	if (!res)
		return PQstatus(db->conn) == CONNECTION_BAD ? -EIO : -ENOMEM;
	if (PQstatus(db->conn) == CONNECTION_BAD)
		return -EIO;
	state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	if (!state)
		return -EIO;
	if (streq(state, "23505"))			/* unique_violation */
		return -EEXIST;
	if (strncmp(state, "23", 2) == 0)		/* check, not null, foreign key */
		return -EINVAL;
	if (strncmp(state, "22", 2) == 0)		/* data exception: bad value */
		return -EINVAL;
	if (streq(state, "40001") || streq(state, "40P01") ||	/* serialization, deadlock */
	    streq(state, "55P03") || streq(state, "57014"))	/* lock timeout, cancelled */
		return -EBUSY;
	if (streq(state, "42501"))			/* insufficient_privilege */
		return -EACCES;
	if (streq(state, "53100") || streq(state, "53200"))	/* disk full, out of memory */
		return -ENOMEM;
	return -EIO;
}

/* Runs sql (no parameters) and maps the result. */
int pg_run_simple(struct pg_db *db, const char *sql, PGresult **ret)
{
	PGresult *res = PQexec(db->conn, sql);
	int r = map_result(db, res);

	if (ret && r == 0)
		*ret = res;
	else
		PQclear(res);
	return r;
}

static void quiet_notices(void *arg, const char *message)
{
	/* Notices ("relation exists, skipping") are not errors; library code
	 * never prints. */
}

static int session_setup(struct pg_db *db)
{
	char sql[256];

	snprintf(sql, sizeof(sql),
		 "SET lock_timeout = %lld; SET client_min_messages = warning;"
		 " SET TIME ZONE 'UTC'",
		 (long long)MAX(db->lock_timeout_ms, 1));
	return pg_run_simple(db, sql, NULL);
}

/* Frees the bytea values db_col_blob decoded for the current row. */
static void decoded_clear(struct pg_stmt *st)
{
	for (int i = 0; i < st->ndecoded; i++)
		if (st->decoded[i])
			PQfreemem(st->decoded[i]);
	free(st->decoded);
	free(st->decoded_len);
	st->decoded = NULL;
	st->decoded_len = NULL;
	st->ndecoded = 0;
}

static void stmt_clear(struct pg_stmt *st)
{
	decoded_clear(st);
	PQclear(st->res);
	st->res = NULL;
	st->executed = false;
	st->row = st->nrows = st->changes = 0;
	for (int i = 0; i < st->nparams; i++) {
		free(st->params[i]);
		st->params[i] = NULL;
		st->lengths[i] = st->formats[i] = 0;
	}
}

/* Forgets every cached statement (closing or reconnecting: the server has
 * forgotten them with the connection). */
static void cache_drop(struct pg_db *db)
{
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
		struct pg_stmt *st = &db->cache[i];
		if (!st->sql)
			continue;
		stmt_clear(st);
		free(st->sql);
		st->sql = NULL;
		st->prepared = false;
	}
}

/* Reconnects a lost connection, unless a transaction was open on it: that
 * one stays failed until the caller rolls it back. */
int pg_ensure_conn(struct pg_db *db)
{
	if (PQstatus(db->conn) == CONNECTION_OK)
		return 0;
	if (db->tx_depth > 0) {
		pg_set_err(db, "connection lost inside a transaction");
		return -EIO;
	}
	cache_drop(db);
	PQreset(db->conn);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		pg_set_err(db, PQerrorMessage(db->conn));
		return -EIO;
	}
	return session_setup(db);
}

static void pg_close(struct db *d)
{
	struct pg_db *db = DB(d);

	cache_drop(db);
	PQfinish(db->conn);
	free(db);
}

/* libpq gives no SQLSTATE for a refused connection: its (English) message
 * says why, so that the caller's strerror() tells the operator. */
static int connect_errno(const char *msg)
{
	if (!msg)
		return -EIO;
	if (strstr(msg, "does not exist"))
		return -ENOENT;
	if (strstr(msg, "authentication failed") || strstr(msg, "no pg_hba.conf entry") ||
	    strstr(msg, "permission denied"))
		return -EACCES;
	if (strstr(msg, "Connection refused"))
		return -ECONNREFUSED;
	if (strstr(msg, "could not translate host name"))
		return -EHOSTUNREACH;
	return -EIO;
}

int db_pg_open(const char *url, int64_t busy_timeout_ms, struct db **ret)
{
	static const char *const keys[] = { "dbname", "fallback_application_name", NULL };
	const char *values[] = { url, "eonay", NULL };
	struct pg_db *db;
	int r;

	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	db->base.ops = &pg_ops;
	db->lock_timeout_ms = busy_timeout_ms;
	db->conn = PQconnectdbParams(keys, values, 1);
	if (!db->conn) {
		free(db);
		return -ENOMEM;
	}
	PQsetNoticeProcessor(db->conn, quiet_notices, NULL);
	if (PQstatus(db->conn) != CONNECTION_OK) {
		r = connect_errno(PQerrorMessage(db->conn));
		pg_close(&db->base);
		return r;
	}
	r = session_setup(db);
	if (r < 0) {
		pg_close(&db->base);
		return r;
	}
	*ret = &db->base;
	return 0;
}

static int pg_exec(struct db *d, const char *sql)
{
	struct pg_db *db = DB(d);
	int r = pg_ensure_conn(db);

	return r < 0 ? r : pg_run_simple(db, sql, NULL);
}

static size_t hash_str(const char *s)
{
	size_t h = 1469598103934665603ull;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ull;
	return h;
}

/* The highest $n in sql outside quotes and comments. */
static int count_params(const char *sql)
{
	int max = 0;

	for (const char *p = sql; *p; p++) {
		if (*p == '\'' || *p == '"') {
			char q = *p;
			for (p++; *p && *p != q; p++)
				;
			if (!*p)
				break;
		} else if (p[0] == '-' && p[1] == '-') {
			while (*p && *p != '\n')
				p++;
			if (!*p)
				break;
		} else if (*p == '$' && p[1] >= '0' && p[1] <= '9') {
			int n = (int)strtol(p + 1, NULL, 10);
			max = MAX(max, n);
		}
	}
	return max;
}

static int pg_prepare(struct db *d, const char *sql, struct db_stmt **ret)
{
	struct pg_db *db = DB(d);
	size_t h = hash_str(sql) & (STMT_CACHE_SIZE - 1);
	struct pg_stmt *slot = NULL;
	char name[16];
	int r, n;

	r = pg_ensure_conn(db);
	if (r < 0)
		return r;
	for (size_t i = 0; i < STMT_CACHE_SIZE; i++) {
		struct pg_stmt *s = &db->cache[(h + i) & (STMT_CACHE_SIZE - 1)];
		if (!s->sql) {
			slot = s;
			break;
		}
		if (streq(s->sql, sql)) {
			*ret = &s->base;
			return 0;
		}
	}
	n = count_params(sql);
	if (n > MAX_PARAMS) {
		pg_set_err(db, "too many parameters");
		return -EINVAL;
	}
	snprintf(name, sizeof(name), "e%u", ++db->next_name);
	if (!slot) {
		/* Cache full: evict the slot we hashed to. */
		char dealloc[32];

		slot = &db->cache[h];
		snprintf(dealloc, sizeof(dealloc), "DEALLOCATE %s", slot->name);
		stmt_clear(slot);
		free(slot->sql);
		slot->sql = NULL;
		if (slot->prepared)
			(void)pg_run_simple(db, dealloc, NULL);
	}
	slot->sql = strdup(sql);
	if (!slot->sql)
		return -ENOMEM;
	memcpy(slot->name, name, sizeof(name));
	slot->nparams = n;
	slot->prepared = false;
	memset(slot->types, 0, sizeof(slot->types));
	slot->base.db = d;
	stmt_clear(slot);
	*ret = &slot->base;
	return 0;
}

static void pg_stmt_done(struct db_stmt *s)
{
	stmt_clear(ST(s));
}

static int bind_str(struct pg_stmt *st, int n, char *v, bool owned_null_ok)
{
	if (n < 1 || n > st->nparams || !st->sql) {
		free(v);
		return -EINVAL;
	}
	if (!v && !owned_null_ok)
		return -ENOMEM;
	free(st->params[n - 1]);
	st->params[n - 1] = v;
	st->lengths[n - 1] = st->formats[n - 1] = 0;
	if (st->executed) {
		decoded_clear(st);
		PQclear(st->res);
		st->res = NULL;
		st->executed = false;
	}
	return 0;
}

static int pg_bind_text(struct db_stmt *s, int n, const char *v)
{
	struct pg_stmt *st = ST(s);
	int r;

	if (!v)
		r = bind_str(st, n, NULL, true);
	else
		r = bind_str(st, n, strdup(v), false);
	if (r == 0)
		st->types[n - 1] = v ? 25 : 0;	/* TEXTOID, or left to infer */
	return r;
}

static int pg_bind_int64(struct db_stmt *s, int n, int64_t v)
{
	struct pg_stmt *st = ST(s);
	int r = bind_str(st, n, strdup_printf("%lld", (long long)v), false);

	if (r == 0)
		st->types[n - 1] = 20;	/* INT8OID */
	return r;
}

static int pg_bind_null(struct db_stmt *s, int n)
{
	struct pg_stmt *st = ST(s);
	int r = bind_str(st, n, NULL, true);

	if (r == 0)
		st->types[n - 1] = 0;
	return r;
}

static int pg_bind_blob(struct db_stmt *s, int n, const void *p, size_t len)
{
	struct pg_stmt *st = ST(s);
	char *copy;
	int r;

	if (len > INT_MAX)
		return -E2BIG;
	copy = malloc(MAX(len, 1));	/* never NULL: NULL would be SQL NULL */
	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, p, len);
	r = bind_str(st, n, copy, false);
	if (r == 0) {
		st->types[n - 1] = 17;	/* BYTEAOID */
		st->lengths[n - 1] = (int)len;
		st->formats[n - 1] = 1;
	}
	return r;
}

static int try_prepare(struct pg_db *db, struct pg_stmt *st, const Oid *types,
		       bool *ret_types_unclear)
{
	PGresult *res = PQprepare(db->conn, st->name, st->sql, st->nparams, types);
	int r = map_result(db, res);
	const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;

	/* ambiguous_parameter, indeterminate_datatype, datatype_mismatch */
	*ret_types_unclear = r < 0 && state &&
			     (streq(state, "42P08") || streq(state, "42P18") || streq(state, "42804"));
	PQclear(res);
	return r;
}

/* Prepares st on the server: types inferred, or as bound when the server
 * cannot infer them (see the top of this file). */
static int server_prepare(struct pg_db *db, struct pg_stmt *st)
{
	bool in_tx = db->tx_depth > 0, unclear = false;
	int r;

	if (in_tx) {
		r = pg_run_simple(db, "SAVEPOINT eonay_prepare", NULL);
		if (r < 0)
			return r;
	}
	/* Inferred; as bound, NULLs inferred; as bound, NULLs as text. */
	for (int attempt = 0; attempt < 3; attempt++) {
		Oid types[MAX_PARAMS];

		for (int i = 0; i < st->nparams; i++)
			types[i] = st->types[i] ? st->types[i] : attempt == 2 ? 25 : 0;
		if (attempt > 0 && in_tx) {
			r = pg_run_simple(db, "ROLLBACK TO SAVEPOINT eonay_prepare", NULL);
			if (r < 0)
				return r;
		}
		r = try_prepare(db, st, attempt == 0 ? NULL : types, &unclear);
		if (r == 0 || !unclear)
			break;
	}
	if (in_tx && r == 0)
		r = pg_run_simple(db, "RELEASE SAVEPOINT eonay_prepare", NULL);
	if (r == 0)
		st->prepared = true;
	return r;
}

static int pg_step(struct db_stmt *s)
{
	struct pg_stmt *st = ST(s);
	struct pg_db *db = DB(s->db);

	if (!st->sql)
		return -EIO;	/* dropped with a lost connection */
	if (!st->executed) {
		PGresult *res;
		const char *ct;
		int r;

		PQclear(st->res);
		st->res = NULL;
		st->executed = true;
		st->row = -1;
		st->nrows = st->changes = 0;
		if (!st->prepared) {
			r = server_prepare(db, st);
			if (r < 0)
				return r;
		}
		res = PQexecPrepared(db->conn, st->name, st->nparams,
				     (const char *const *)st->params, st->lengths, st->formats, 0);
		r = map_result(db, res);
		if (r < 0) {
			PQclear(res);
			return r;
		}
		st->res = res;
		st->nrows = PQntuples(res);
		ct = PQcmdTuples(res);
		st->changes = ct && *ct ? atoi(ct) : 0;
	}
	decoded_clear(st);
	if (st->row + 1 < st->nrows) {
		st->row++;
		return 1;
	}
	st->row = st->nrows;
	return 0;
}

static const char *pg_col_text(struct db_stmt *s, int col)
{
	struct pg_stmt *st = ST(s);

	if (!st->res || st->row < 0 || st->row >= st->nrows || col < 0 ||
	    col >= PQnfields(st->res) || PQgetisnull(st->res, st->row, col))
		return NULL;
	return PQgetvalue(st->res, st->row, col);
}

static int64_t pg_col_int64(struct db_stmt *s, int col)
{
	const char *t = pg_col_text(s, col);

	if (!t)
		return 0;
	if (streq(t, "t"))	/* boolean, as SQLite's 1 */
		return 1;
	if (streq(t, "f"))
		return 0;
	return strtoll(t, NULL, 10);
}

static bool pg_col_is_null(struct db_stmt *s, int col)
{
	struct pg_stmt *st = ST(s);

	return !st->res || st->row < 0 || st->row >= st->nrows || col < 0 ||
	       col >= PQnfields(st->res) || PQgetisnull(st->res, st->row, col);
}

static const void *pg_col_blob(struct db_stmt *s, int col, size_t *ret_len)
{
	struct pg_stmt *st = ST(s);
	const char *t = pg_col_text(s, col);
	int nf;

	if (!t)
		return NULL;
	if (PQftype(st->res, col) != 17) {	/* not bytea: the text's bytes */
		*ret_len = (size_t)PQgetlength(st->res, st->row, col);
		return t;
	}
	nf = PQnfields(st->res);
	if (!st->decoded) {
		st->decoded = calloc((size_t)nf, sizeof(*st->decoded));
		st->decoded_len = calloc((size_t)nf, sizeof(*st->decoded_len));
		if (!st->decoded || !st->decoded_len) {
			decoded_clear(st);
			return NULL;
		}
		st->ndecoded = nf;
	}
	if (!st->decoded[col]) {
		st->decoded[col] = PQunescapeBytea((const unsigned char *)t, &st->decoded_len[col]);
		if (!st->decoded[col])
			return NULL;
	}
	*ret_len = st->decoded_len[col];
	return st->decoded[col];
}

static int pg_changes(struct db_stmt *s)
{
	return ST(s)->changes;
}

static int pg_begin(struct db *d)
{
	struct pg_db *db = DB(d);
	int r;

	if (db->tx_depth > 0) {
		pg_set_err(db, "cannot start a transaction within a transaction");
		return -EIO;
	}
	r = pg_ensure_conn(db);
	if (r < 0)
		return r;
	r = pg_run_simple(db, "BEGIN", NULL);
	if (r == 0)
		db->tx_depth = 1;
	return r;
}

static int pg_begin_read(struct db *d)
{
	struct pg_db *db = DB(d);
	int r;

	if (db->tx_depth > 0) {
		pg_set_err(db, "cannot start a transaction within a transaction");
		return -EIO;
	}
	r = pg_ensure_conn(db);
	if (r < 0)
		return r;
	r = pg_run_simple(db, "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", NULL);
	if (r == 0)
		db->tx_depth = 1;
	return r;
}

static int pg_commit(struct db *d)
{
	struct pg_db *db = DB(d);
	PGresult *res = NULL;
	int r;

	if (db->tx_depth == 0) {
		pg_set_err(db, "cannot commit - no transaction is active");
		return -EIO;
	}
	r = pg_run_simple(db, "COMMIT", &res);
	db->tx_depth = 0;
	if (r == 0) {
		/* A transaction an error aborted "commits" as a rollback. */
		if (!streq(PQcmdStatus(res), "COMMIT")) {
			pg_set_err(db, "transaction was aborted by an earlier error and rolled back");
			r = -EIO;
		}
		PQclear(res);
	}
	/* Committed, or its fate unknown (the connection lost in COMMIT): the
	 * process's own answers look again either way. */
	if (db->epoch_marked)
		pg_epoch_committed();
	db->epoch_marked = false;
	return r;
}

static int pg_rollback(struct db *d)
{
	struct pg_db *db = DB(d);

	if (db->tx_depth == 0)
		return 0;
	db->tx_depth = 0;
	db->epoch_marked = false;
	if (PQstatus(db->conn) != CONNECTION_OK)
		return 0;	/* the server rolled it back when the connection went */
	return pg_run_simple(db, "ROLLBACK", NULL);
}

static const char *pg_errmsg(struct db *d)
{
	struct pg_db *db = DB(d);

	if (!db->err[0])
		pg_set_err(db, PQerrorMessage(db->conn));
	return db->err;
}

static const struct db_ops pg_ops = {
	.name = "postgresql",
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.stmt_done = pg_stmt_done,
	.bind_text = pg_bind_text,
	.bind_int64 = pg_bind_int64,
	.bind_null = pg_bind_null,
	.bind_blob = pg_bind_blob,
	.step = pg_step,
	.col_text = pg_col_text,
	.col_int64 = pg_col_int64,
	.col_is_null = pg_col_is_null,
	.col_blob = pg_col_blob,
	.changes = pg_changes,
	.begin = pg_begin,
	.begin_read = pg_begin_read,
	.commit = pg_commit,
	.rollback = pg_rollback,
	.errmsg = pg_errmsg,
	.integrity_check = pg_integrity_check,
	.lock = pg_lock,
	.sequence_next = pg_sequence_next,
	.notify = pg_notify,
	.listen = pg_listen,
	.wait_notify = pg_wait_notify,
	.epoch_mark = pg_epoch_mark,
	.epoch = pg_epoch,
};
