/* test-db.c - the store behind db.h, on whichever backend the run uses
 * (SQLite in a temporary file; PostgreSQL when EONAY_TEST_STORE_URL names a
 * server, as scripts/test's second pass does): migrations (also two at
 * once), placeholders, NULLs, transactions, constraint mapping, locks,
 * notifications, reconnecting, newer-schema refusal and the audit chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "store/audit.h"
#include "store/db.h"
#include "store/migrations.h"
#include "store-target.h"

static char dir[] = "/tmp/eonay-db-XXXXXX";
static char path[256];
static char target[512];

static int setup(void **state)
{
	struct db *db;

	if (test_store_new(path, NULL, target, sizeof(target)) < 0)
		return -1;
	if (db_open(target, 1000, &db) < 0)
		return -1;
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	db_close(*state);
	test_store_drop(target);
	return 0;
}

static bool is_pg(struct db *db)
{
	return streq(db_backend_name(db), "postgresql");
}

static void test_migrate_idempotent(void **state)
{
	struct db *db = *state;
	int64_t v;
	int applied = -1;

	assert_int_equal(db_migrate(db, &applied), 0);
	/* Every migration once (the numbers may have gaps while branches
	 * that reserved numbers are merged). */
	assert_int_equal(applied, (int)migrations_count);
	assert_int_equal(db_migrate(db, &applied), 0);
	assert_int_equal(applied, 0);
	assert_int_equal(db_schema_version(db, &v), 0);
	assert_int_equal(v, db_schema_version_known());
	/* Reopen: still the same, nothing applied again. */
	db_close(db);
	assert_int_equal(db_open(target, 1000, &db), 0);
	*state = db;
	assert_int_equal(db_migrate(db, &applied), 0);
	assert_int_equal(applied, 0);
}

static void test_newer_schema_refused(void **state)
{
	struct db *db = *state;

	assert_int_equal(db_migrate(db, NULL), 0);
	assert_int_equal(db_run(db, "INSERT INTO schema_migrations VALUES ($1, 'future', 0)",
				"i", (int64_t)db_schema_version_known() + 1), 1);
	assert_int_equal(db_migrate(db, NULL), -EPROTO);
}

static void test_placeholders_by_number(void **state)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct db *db = *state;
	int64_t v;

	assert_int_equal(db_exec(db, "CREATE TABLE t (a TEXT, b BIGINT)"), 0);
	/* $2 appears before $1: binding is by number, not position. */
	assert_int_equal(db_run(db, "INSERT INTO t (b, a) VALUES ($2, $1)", "ti", "x", (int64_t)7), 1);
	assert_int_equal(db_query_int64(db, "SELECT b FROM t WHERE a = $1", "t", &v, "x"), 0);
	assert_int_equal(v, 7);
	assert_int_equal(db_query_int64(db, "SELECT b FROM t WHERE a = $1", "t", &v, "y"), -ENOENT);
	assert_int_equal(db_prepare(db, "SELECT a, b FROM t WHERE b = $1", &st), 0);
	assert_int_equal(db_bindv(st, "i", (int64_t)7), 0);
	assert_int_equal(db_step(st), 1);
	assert_string_equal(db_col_text(st, 0), "x");
	assert_int_equal(db_step(st), 0);
	/* Unknown parameter number and bad SQL are errors, not crashes. */
	db_stmt_done(st);
	assert_int_equal(db_bindv(st, "ii", (int64_t)1, (int64_t)2), -EINVAL);
	assert_true(db_run(db, "SELEC nonsense", NULL) < 0);
}

static void test_transactions_and_constraints(void **state)
{
	struct db *db = *state;
	int64_t n;

	assert_int_equal(db_exec(db, "CREATE TABLE u (k TEXT PRIMARY KEY)"), 0);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db, "INSERT INTO u VALUES ($1)", "t", "a"), 1);
	assert_int_equal(db_rollback(db), 0);
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM u", NULL, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db, "INSERT INTO u VALUES ($1)", "t", "a"), 1);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(db_run(db, "INSERT INTO u VALUES ($1)", "t", "a"), -EEXIST);
	assert_int_equal(db_integrity_check(db, NULL), 0);
}

/* Issue 14: the store and its -wal/-shm files are 0600 even under a
 * permissive umask (SQLite alone would make them 0644). */
static void test_sqlite_files_0600(void **state)
{
	char p[300], q[310];
	struct db *db;
	struct stat st;
	mode_t old = umask(0);

	snprintf(p, sizeof(p), "%s/mode.db", dir);
	assert_int_equal(db_open(p, 1000, &db), 0);
	umask(old);
	assert_int_equal(db_migrate(db, NULL), 0);
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(q, sizeof(q), "%s-wal", p);
	assert_int_equal(stat(q, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	snprintf(q, sizeof(q), "%s-shm", p);
	assert_int_equal(stat(q, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	db_close(db);
}

static void test_backend_chosen_by_target(void **state)
{
	struct db *db = *state;

	assert_int_equal(is_pg(db), test_store_is_pg());
	assert_true(db_target_is_pg("postgresql://u@h/d"));
	assert_true(db_target_is_pg("postgres://h/d"));
	assert_false(db_target_is_pg("/var/lib/eonay/eonay.db"));
	assert_false(db_target_is_pg("postgresql.db"));
	assert_false(db_target_is_pg(NULL));
	if (is_pg(db)) {
		/* Why a connection was refused shows in the error. */
		char url[600];
		struct db *x = NULL;

		assert_int_equal(test_store_new_url("eonay_no_such_db", url, sizeof(url)), 0);
		assert_int_equal(db_open(url, 1000, &x), -ENOENT);
		assert_int_equal(db_open("postgresql://postgres@127.0.0.1:1/x", 1000, &x),
				 -ECONNREFUSED);
		assert_null(x);
	}
}

static void test_nulls_and_types(void **state)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	struct db *db = *state;
	int64_t v = -1;

	assert_int_equal(db_exec(db, "CREATE TABLE n (k BIGINT PRIMARY KEY, a TEXT, b BIGINT)"), 0);
	assert_int_equal(db_run(db, "INSERT INTO n VALUES ($1, $2, $3)", "itn", (int64_t)1,
				(const char *)NULL), 1);
	assert_int_equal(db_run(db, "INSERT INTO n VALUES ($1, $2, $3)", "iti", (int64_t)2, "",
				(int64_t)-9000000000LL), 1);
	assert_int_equal(db_select(db, &st, "SELECT a, b, a IS NULL FROM n ORDER BY k", NULL), 0);
	assert_int_equal(db_step(st), 1);
	assert_null(db_col_text(st, 0));
	assert_true(db_col_is_null(st, 0));
	assert_true(db_col_is_null(st, 1));
	assert_int_equal(db_col_int64(st, 1), 0);
	assert_int_equal(db_col_int64(st, 2), 1);	/* a boolean reads as 1 */
	assert_int_equal(db_step(st), 1);
	assert_string_equal(db_col_text(st, 0), "");	/* "" is not NULL */
	assert_false(db_col_is_null(st, 0));
	assert_int_equal(db_col_int64(st, 1), -9000000000LL);
	assert_string_equal(db_col_text(st, 1), "-9000000000");
	assert_int_equal(db_col_int64(st, 2), 0);
	assert_int_equal(db_step(st), 0);
	db_stmt_done(TAKE_PTR(st));
	/* MAX over no rows is NULL, read as 0; changed-row counts. */
	assert_int_equal(db_query_int64(db, "SELECT MAX(b) FROM n WHERE k > $1", "i", &v,
					(int64_t)5), 0);
	assert_int_equal(v, 0);
	assert_int_equal(db_run(db, "UPDATE n SET b = $1 WHERE k >= $2", "ii", (int64_t)3,
				(int64_t)1), 2);
	assert_int_equal(db_run(db, "DELETE FROM n WHERE k = $1", "i", (int64_t)7), 0);
	/* A statement reused with new values. */
	for (int64_t k = 10; k < 13; k++)
		assert_int_equal(db_run(db, "INSERT INTO n (k, a) VALUES ($1, $2)", "it", k, "x"), 1);
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM n WHERE a = $1", "t", &v, "x"), 0);
	assert_int_equal(v, 3);
	/* Parameters whose type only the binding tells (PostgreSQL cannot
	 * infer "$1 IS NULL"), also first prepared inside a transaction. */
	assert_int_equal(db_exec(db, "CREATE TABLE w (a TEXT, b BIGINT, c BIGINT)"), 0);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db, "INSERT INTO w VALUES ($1, $2, CASE WHEN $1 IS NULL THEN NULL"
				    " ELSE $2 END)", "ni", (int64_t)5), 1);
	assert_int_equal(db_run(db, "INSERT INTO w VALUES ($1, $2, CASE WHEN $1 IS NULL THEN NULL"
				    " ELSE $2 END)", "ti", "x", (int64_t)6), 1);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM w WHERE c IS NULL AND b = 5", NULL,
					&v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(db_query_int64(db, "SELECT c FROM w WHERE a = $1", "t", &v, "x"), 0);
	assert_int_equal(v, 6);
}

static void test_constraint_mapping(void **state)
{
	struct db *db = *state;

	assert_int_equal(db_exec(db, "CREATE TABLE p (k TEXT PRIMARY KEY, u TEXT UNIQUE,"
				     " c BIGINT CHECK (c > 0), nn TEXT NOT NULL)"), 0);
	assert_int_equal(db_exec(db, "CREATE TABLE f (k TEXT PRIMARY KEY,"
				     " p TEXT REFERENCES p (k))"), 0);
	assert_int_equal(db_run(db, "INSERT INTO p VALUES ($1, $2, $3, $4)", "ttit", "a", "u1",
				(int64_t)1, "x"), 1);
	/* Primary key and unique: the row exists. */
	assert_int_equal(db_run(db, "INSERT INTO p VALUES ($1, $2, $3, $4)", "ttit", "a", "u2",
				(int64_t)1, "x"), -EEXIST);
	assert_int_equal(db_run(db, "INSERT INTO p VALUES ($1, $2, $3, $4)", "ttit", "b", "u1",
				(int64_t)1, "x"), -EEXIST);
	/* CHECK, NOT NULL, foreign key: the value is not acceptable. */
	assert_int_equal(db_run(db, "INSERT INTO p VALUES ($1, $2, $3, $4)", "ttit", "b", "u2",
				(int64_t)0, "x"), -EINVAL);
	assert_int_equal(db_run(db, "INSERT INTO p VALUES ($1, $2, $3, $4)", "ttin", "b", "u2",
				(int64_t)1), -EINVAL);
	assert_int_equal(db_run(db, "INSERT INTO f VALUES ($1, $2)", "tt", "f1", "nobody"), -EINVAL);
	assert_int_equal(db_run(db, "INSERT INTO f VALUES ($1, $2)", "tt", "f1", "a"), 1);
	/* Still usable after the errors. */
	assert_int_equal(db_run(db, "INSERT INTO p VALUES ($1, $2, $3, $4)", "ttit", "b", "u2",
				(int64_t)2, "y"), 1);
}

static void test_error_inside_transaction(void **state)
{
	struct db *db = *state;
	int64_t n = -1;
	int r;

	assert_int_equal(db_exec(db, "CREATE TABLE u (k TEXT PRIMARY KEY)"), 0);
	/* db_end rolls back on an error: nothing of the transaction stays. */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db, "INSERT INTO u VALUES ($1)", "t", "a"), 1);
	r = db_run(db, "INSERT INTO u VALUES ($1)", "t", "a");
	assert_int_equal(r, -EEXIST);
	assert_int_equal(db_end(db, r), -EEXIST);
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM u", NULL, &n), 0);
	assert_int_equal(n, 0);
	/* A nested begin is an error on both. */
	assert_int_equal(db_begin(db), 0);
	assert_true(db_begin(db) < 0);
	assert_int_equal(db_rollback(db), 0);
	/* Committing after an error: PostgreSQL aborted the transaction and
	 * says so; SQLite undid only the failed statement. */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_run(db, "INSERT INTO u VALUES ($1)", "t", "b"), 1);
	assert_int_equal(db_run(db, "INSERT INTO u VALUES ($1)", "t", "b"), -EEXIST);
	assert_int_equal(db_commit(db), is_pg(db) ? -EIO : 0);
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM u", NULL, &n), 0);
	assert_int_equal(n, is_pg(db) ? 0 : 1);
	assert_non_null(db_errmsg(db));
}

static void test_lock_across_connections(void **state)
{
	struct db *a = *state, *b = NULL;
	int64_t n = 0;

	assert_int_equal(db_exec(a, "CREATE TABLE l (k TEXT PRIMARY KEY)"), 0);
	assert_int_equal(db_open(target, 200, &b), 0);
	assert_int_equal(db_begin(a), 0);
	assert_int_equal(db_lock(a, "audit"), 0);
	assert_int_equal(db_run(a, "INSERT INTO l VALUES ($1)", "t", "a"), 1);
	if (is_pg(a)) {
		/* Another key is free; the same key waits past the timeout. */
		assert_int_equal(db_begin(b), 0);
		assert_int_equal(db_lock(b, "other"), 0);
		assert_int_equal(db_lock(b, "audit"), -EBUSY);
		assert_int_equal(db_rollback(b), 0);
	} else {
		/* One writer at a time: the second cannot even begin. */
		assert_int_equal(db_begin(b), -EBUSY);
	}
	assert_int_equal(db_commit(a), 0);
	assert_int_equal(db_begin(b), 0);
	assert_int_equal(db_lock(b, "audit"), 0);
	assert_int_equal(db_query_int64(b, "SELECT COUNT(*) FROM l", NULL, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(db_commit(b), 0);
	assert_int_equal(db_lock(b, ""), -EINVAL);
	db_close(b);
}

struct got {
	int n;
	char channel[32], payload[64];
};

static void on_notify(const char *channel, const char *payload, void *userdata)
{
	struct got *g = userdata;

	g->n++;
	snprintf(g->channel, sizeof(g->channel), "%s", channel);
	snprintf(g->payload, sizeof(g->payload), "%s", payload);
}

static void test_notify(void **state)
{
	struct db *a = *state, *l = NULL;
	struct got g = { 0 };

	if (!is_pg(a)) {
		assert_int_equal(db_notify(a, "eonay_wake", "x"), 0);
		assert_int_equal(db_listen(a, "eonay_wake"), -EOPNOTSUPP);
		assert_int_equal(db_wait_notify(a, 10, on_notify, &g), -EOPNOTSUPP);
		return;
	}
	assert_int_equal(db_open(target, 1000, &l), 0);
	assert_int_equal(db_listen(l, "eonay_wake"), 0);
	assert_int_equal(db_wait_notify(l, 20, on_notify, &g), 0);
	/* Outside a transaction: at once. */
	assert_int_equal(db_notify(a, "eonay_wake", "s1"), 0);
	assert_int_equal(db_wait_notify(l, 2000, on_notify, &g), 1);
	assert_string_equal(g.channel, "eonay_wake");
	assert_string_equal(g.payload, "s1");
	/* Inside one: at commit, not before; not at all after a rollback. */
	assert_int_equal(db_begin(a), 0);
	assert_int_equal(db_notify(a, "eonay_wake", "s2"), 0);
	assert_int_equal(db_wait_notify(l, 100, on_notify, &g), 0);
	assert_int_equal(db_commit(a), 0);
	assert_int_equal(db_wait_notify(l, 2000, on_notify, &g), 1);
	assert_string_equal(g.payload, "s2");
	assert_int_equal(db_begin(a), 0);
	assert_int_equal(db_notify(a, "eonay_wake", "s3"), 0);
	assert_int_equal(db_rollback(a), 0);
	assert_int_equal(db_wait_notify(l, 100, on_notify, &g), 0);
	/* Other channels are not heard. */
	assert_int_equal(db_notify(a, "other", "s4"), 0);
	assert_int_equal(db_wait_notify(l, 100, on_notify, &g), 0);
	assert_int_equal(g.n, 2);
	db_close(l);
}

static void test_reconnect(void **state)
{
	struct db *a = *state, *b = NULL;
	int64_t pid = 0, v = 0;
	int r = 0;

	if (!is_pg(a))
		skip();
	assert_int_equal(db_open(target, 1000, &b), 0);
	assert_int_equal(db_listen(b, "eonay_wake"), 0);
	assert_int_equal(db_query_int64(b, "SELECT pg_backend_pid()", NULL, &pid), 0);
	assert_int_equal(db_query_int64(a, "SELECT pg_terminate_backend($1)", "i", &v, pid), 0);
	assert_int_equal(v, 1);
	usleep(100 * 1000);
	/* The statement that finds the connection gone fails... */
	for (int i = 0; i < 5 && (r = db_wait_notify(b, 1000, on_notify, NULL)) == 0; i++)
		;	/* the server's goodbye may come before the end of the stream */
	assert_int_equal(r, -EIO);
	/* ...the next one reconnects, with a fresh statement cache. */
	assert_int_equal(db_query_int64(b, "SELECT 1", NULL, &v), 0);
	assert_int_equal(v, 1);
	assert_int_equal(db_query_int64(b, "SELECT pg_backend_pid()", NULL, &v), 0);
	assert_int_not_equal(v, pid);
	/* The same when a query finds it gone. */
	pid = v;
	assert_int_equal(db_query_int64(a, "SELECT pg_terminate_backend($1)", "i", &v, pid), 0);
	usleep(100 * 1000);
	assert_int_equal(db_query_int64(b, "SELECT pg_backend_pid()", NULL, &v), -EIO);
	assert_int_equal(db_query_int64(b, "SELECT pg_backend_pid()", NULL, &v), 0);
	assert_int_not_equal(v, pid);
	/* Lost inside a transaction: it stays failed until rolled back. */
	assert_int_equal(db_begin(b), 0);
	assert_int_equal(db_query_int64(b, "SELECT pg_backend_pid()", NULL, &pid), 0);
	assert_int_equal(db_query_int64(a, "SELECT pg_terminate_backend($1)", "i", &v, pid), 0);
	usleep(100 * 1000);
	assert_int_equal(db_run(b, "SELECT 1", NULL), -EIO);
	assert_int_equal(db_run(b, "SELECT 2", NULL), -EIO);
	assert_int_equal(db_rollback(b), 0);
	assert_int_equal(db_run(b, "SELECT 2", NULL), 1);
	db_close(b);
}

struct mig {
	int applied, r;
};

static void *migrate_thread(void *arg)
{
	struct mig *m = arg;
	struct db *db = NULL;

	m->r = db_open(target, 10000, &db);
	if (m->r == 0)
		m->r = db_migrate(db, &m->applied);
	db_close(db);
	return NULL;
}

static void test_migrate_concurrently(void **state)
{
	struct mig m[2] = { { 0 } };
	pthread_t t[2];
	int64_t v, n;

	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&t[i], NULL, migrate_thread, &m[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(t[i], NULL);
	assert_int_equal(m[0].r, 0);
	assert_int_equal(m[1].r, 0);
	/* Each migration applied once, by one of them. */
	assert_int_equal(m[0].applied + m[1].applied, db_schema_version_known());
	assert_int_equal(db_schema_version(*state, &v), 0);
	assert_int_equal(v, db_schema_version_known());
	assert_int_equal(db_query_int64(*state, "SELECT COUNT(*) FROM schema_migrations", NULL, &n), 0);
	assert_int_equal(n, db_schema_version_known());
}

static void test_audit_chain(void **state)
{
	struct db *db = *state;
	int64_t rows = 0, bad = 0, sealed = -1;

	assert_int_equal(db_migrate(db, NULL), 0);
	/* A new store's head has no MAC until the first start seals it. */
	assert_int_equal(audit_verify(db, &rows, &bad), -EUCLEAN);
	assert_int_equal(audit_seal(db, true, &sealed, NULL), 0);
	assert_int_equal(sealed, 0);
	assert_int_equal(audit_verify(db, &rows, &bad), 0);
	assert_int_equal(rows, 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(audit_append(db, false, "system", "test.event", "s", "ok",
					      i == 2 ? NULL : "{\"i\":1}"), 0);
	assert_int_equal(audit_append(db, false, "", "x", NULL, "ok", NULL), -EINVAL);
	assert_int_equal(audit_verify(db, &rows, &bad), 0);
	assert_int_equal(rows, 5);

	/* Any edit breaks the chain at that row... */
	assert_int_equal(db_run(db, "UPDATE audit_log SET outcome = 'refused' WHERE id = 3", NULL), 1);
	assert_int_equal(audit_verify(db, &rows, &bad), -EUCLEAN);
	assert_int_equal(bad, 3);
	assert_int_equal(db_run(db, "UPDATE audit_log SET outcome = 'ok' WHERE id = 3", NULL), 1);
	assert_int_equal(audit_verify(db, &rows, &bad), 0);
	/* ...NULL and "" are told apart... */
	assert_int_equal(db_run(db, "UPDATE audit_log SET details = '' WHERE id = 3", NULL), 1);
	assert_int_equal(audit_verify(db, &rows, &bad), -EUCLEAN);
	assert_int_equal(db_run(db, "UPDATE audit_log SET details = NULL WHERE id = 3", NULL), 1);
	/* ...and so is a deleted row. */
	assert_int_equal(db_run(db, "DELETE FROM audit_log WHERE id = 2", NULL), 1);
	assert_int_equal(audit_verify(db, &rows, &bad), -EUCLEAN);
	assert_int_equal(bad, 2);
}

/* Migration 005: a state outside its list is refused by the store itself,
 * on insert and on update, and the row stays as it was. */
static void test_state_checks(void **state)
{
	struct db *db = *state;
	_cleanup_stmt_ struct db_stmt *st = NULL;
	const char *ins = "INSERT INTO signing_sessions (id, code_hash, purpose, tckn,"
			  " web_session_hash, text_version, texts, created_at, expires_at,"
			  " state, state_at) VALUES ($1, $2, $3, '10000000146', 'w', 1, '[]',"
			  " 1, 2, $4, 1)";
	int64_t n = 0;

	assert_int_equal(db_migrate(db, NULL), 0);
	assert_int_equal(db_run(db, ins, "tttt", "s1", "c1", "login", "waiting"), 1);
	assert_true(db_run(db, ins, "tttt", "s2", "c2", "login", "bogus") < 0);
	assert_true(db_run(db, ins, "tttt", "s3", "c3", "payment", "waiting") < 0);
	assert_int_equal(db_run(db, "UPDATE signing_sessions SET state = 'signed' WHERE id = 's1'",
				NULL), 1);
	assert_true(db_run(db, "UPDATE signing_sessions SET state = 'done' WHERE id = 's1'",
			   NULL) < 0);
	assert_true(db_run(db, "UPDATE signing_sessions SET purpose = 'x' WHERE id = 's1'",
			   NULL) < 0);
	assert_int_equal(db_query_one(db, &st, "SELECT state, purpose FROM signing_sessions"
					       " WHERE id = 's1'", NULL), 0);
	assert_string_equal(db_col_text(st, 0), "signed");
	assert_string_equal(db_col_text(st, 1), "login");
	db_stmt_done(TAKE_PTR(st));
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM signing_sessions", NULL, &n), 0);
	assert_int_equal(n, 1);

	assert_int_equal(db_run(db, "INSERT INTO holders (tckn, given_name, surname, created_at)"
				    " VALUES ('10000000146', 'A', 'B', 1)", NULL), 1);
	assert_int_equal(db_run(db, "INSERT INTO cards (serial, tckn, so_pin_sealed, state,"
				    " created_at) VALUES ('C1', '10000000146', 'x', 'produced', 1)",
				NULL), 1);
	assert_true(db_run(db, "INSERT INTO cards (serial, tckn, so_pin_sealed, state,"
			       " created_at) VALUES ('C2', '10000000146', 'x', 'lost?', 1)",
			   NULL) < 0);
	assert_true(db_run(db, "UPDATE cards SET state = 'gone' WHERE serial = 'C1'", NULL) < 0);

	/* The audit outcome too: the failed append leaves the chain intact. */
	assert_int_equal(audit_seal(db, true, NULL, NULL), 0);
	assert_int_equal(audit_append(db, false, "system", "t", NULL, "ok", NULL), 0);
	assert_true(audit_append(db, false, "system", "t", NULL, "maybe", NULL) < 0);
	assert_int_equal(audit_verify(db, &n, NULL), 0);
	assert_int_equal(n, 1);
}

/* Sequences: increasing, never repeated, shared by two connections (two
 * nodes), continuing from the events already there; bad names refused. */
static void test_sequences(void **state)
{
	struct db *db = *state, *other;
	int64_t a = 0, b = 0, c = 0;

	assert_int_equal(db_migrate(db, NULL), 0);
	assert_int_equal(db_open(target, 1000, &other), 0);
	assert_int_equal(db_sequence_next(db, "eonay_events_seq", &a), 0);
	assert_int_equal(db_sequence_next(other, "eonay_events_seq", &b), 0);
	assert_int_equal(db_sequence_next(db, "eonay_events_seq", &c), 0);
	assert_true(a >= 1 && b > a && c > b);
	/* Inside a transaction that rolls back: the value is not given again. */
	assert_int_equal(db_begin(other), 0);
	assert_int_equal(db_sequence_next(other, "eonay_events_seq", &b), 0);
	assert_int_equal(db_rollback(other), 0);
	assert_int_equal(db_sequence_next(db, "eonay_events_seq", &a), 0);
	assert_true(a > c);
	assert_int_equal(db_sequence_next(db, "no_such_seq", &a), -ENOENT);
	assert_int_equal(db_sequence_next(db, "x; DROP TABLE sequences", &a), -EINVAL);
	assert_int_equal(db_sequence_next(db, "", &a), -EINVAL);
	db_close(other);
}

/* Binary values: NUL bytes, every byte value, empty, NULL; both ways,
 * and through a parameter compared on the server. */
static void test_blobs(void **state)
{
	struct db *db = *state;
	_cleanup_stmt_ struct db_stmt *st = NULL;
	unsigned char all[256 * 2];
	const unsigned char *p;
	int64_t n = 0;
	size_t len = 99;

	for (size_t i = 0; i < sizeof(all); i++)
		all[i] = (unsigned char)(i % 256);
	all[0] = 0;
	assert_int_equal(db_exec(db, streq(db_backend_name(db), "postgresql") ?
					     "CREATE TABLE b (k BIGINT PRIMARY KEY, v BYTEA)" :
					     "CREATE TABLE b (k BIGINT PRIMARY KEY, v BLOB)"), 0);
	assert_int_equal(db_prepare(db, "INSERT INTO b (k, v) VALUES ($1, $2)", &st), 0);
	assert_int_equal(db_bind_int64(st, 1, 1), 0);
	assert_int_equal(db_bind_blob(st, 2, all, sizeof(all)), 0);
	assert_int_equal(db_step(st), 0);
	db_stmt_done(TAKE_PTR(st));
	assert_int_equal(db_prepare(db, "INSERT INTO b (k, v) VALUES ($1, $2)", &st), 0);
	assert_int_equal(db_bind_int64(st, 1, 2), 0);
	assert_int_equal(db_bind_blob(st, 2, NULL, 0), 0);	/* empty, not NULL */
	assert_int_equal(db_step(st), 0);
	db_stmt_done(TAKE_PTR(st));
	assert_int_equal(db_run(db, "INSERT INTO b (k, v) VALUES (3, NULL)", NULL), 1);
	assert_int_equal(db_prepare(db, "INSERT INTO b (k, v) VALUES ($1, $2)", &st), 0);
	assert_int_equal(db_bind_blob(st, 2, NULL, 1), -EINVAL);
	db_stmt_done(TAKE_PTR(st));

	assert_int_equal(db_select(db, &st, "SELECT k, v FROM b ORDER BY k", NULL), 0);
	assert_int_equal(db_step(st), 1);
	p = db_col_blob(st, 1, &len);
	assert_non_null(p);
	assert_int_equal(len, sizeof(all));
	assert_memory_equal(p, all, sizeof(all));
	/* The same column again: the same bytes. */
	assert_ptr_equal(db_col_blob(st, 1, &len), p);
	assert_int_equal(db_step(st), 1);
	len = 99;
	p = db_col_blob(st, 1, &len);
	assert_non_null(p);
	assert_int_equal(len, 0);
	assert_false(db_col_is_null(st, 1));
	assert_int_equal(db_step(st), 1);
	len = 99;
	assert_null(db_col_blob(st, 1, &len));
	assert_int_equal(len, 0);
	assert_true(db_col_is_null(st, 1));
	assert_int_equal(db_step(st), 0);
	db_stmt_done(TAKE_PTR(st));

	/* A blob parameter compared on the server finds the row. */
	assert_int_equal(db_prepare(db, "SELECT COUNT(*) FROM b WHERE v = $1", &st), 0);
	assert_int_equal(db_bind_blob(st, 1, all, sizeof(all)), 0);
	assert_int_equal(db_step(st), 1);
	n = db_col_int64(st, 0);
	assert_int_equal(n, 1);
	db_stmt_done(TAKE_PTR(st));
	assert_int_equal(db_prepare(db, "SELECT COUNT(*) FROM b WHERE v = $1", &st), 0);
	assert_int_equal(db_bind_blob(st, 1, all, 10), 0);	/* a prefix is another value */
	assert_int_equal(db_step(st), 1);
	assert_int_equal(db_col_int64(st, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_placeholders_by_number, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sequences, setup, teardown),
		cmocka_unit_test_setup_teardown(test_blobs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions_and_constraints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_backend_chosen_by_target, setup, teardown),
		cmocka_unit_test(test_sqlite_files_0600),
		cmocka_unit_test_setup_teardown(test_nulls_and_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_constraint_mapping, setup, teardown),
		cmocka_unit_test_setup_teardown(test_error_inside_transaction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_across_connections, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reconnect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migrate_concurrently, setup, teardown),
	};
	char cmd[300];
	int r;

	assert_non_null(mkdtemp(dir));
	/* The audit key (derived from a master key outside the store). */
	assert_int_equal(audit_set_key((const unsigned char *)"0123456789abcdef0123456789abcdef"), 0);
	snprintf(path, sizeof(path), "%s/t.db", dir);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return r;
}
