/* test-db.c - the SQLite store: migrations, placeholders, transactions,
 * constraint mapping, newer-schema refusal and the audit chain. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>

#include "store/audit.h"
#include "store/db.h"

static char dir[] = "/tmp/eonay-db-XXXXXX";
static char path[256];

static int setup(void **state)
{
	struct db *db;
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -f %s/t.db*", dir);
	(void)!system(cmd);
	if (db_open(path, 1000, &db) < 0)
		return -1;
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	db_close(*state);
	return 0;
}

static void test_migrate_idempotent(void **state)
{
	struct db *db = *state;
	int64_t v;
	int applied = -1;

	assert_int_equal(db_migrate(db, &applied), 0);
	assert_true(applied > 0);	/* versions may have gaps while branches merge */
	assert_int_equal(db_migrate(db, &applied), 0);
	assert_int_equal(applied, 0);
	assert_int_equal(db_schema_version(db, &v), 0);
	assert_int_equal(v, db_schema_version_known());
	/* Reopen: still the same, nothing applied again. */
	db_close(db);
	assert_int_equal(db_open(path, 1000, &db), 0);
	*state = db;
	assert_int_equal(db_migrate(db, &applied), 0);
	assert_int_equal(applied, 0);
}

static void test_newer_schema_refused(void **state)
{
	struct db *db = *state;

	assert_int_equal(db_migrate(db, NULL), 0);
	assert_int_equal(db_run(db, "INSERT INTO schema_migrations VALUES ($1, 'future', 'x')",
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

static void test_audit_chain(void **state)
{
	struct db *db = *state;
	int64_t rows = 0, bad = 0;

	assert_int_equal(db_migrate(db, NULL), 0);
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_migrate_idempotent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_placeholders_by_number, setup, teardown),
		cmocka_unit_test_setup_teardown(test_transactions_and_constraints, setup, teardown),
		cmocka_unit_test_setup_teardown(test_audit_chain, setup, teardown),
	};
	char cmd[300];
	int r;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return r;
}
