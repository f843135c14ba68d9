/* migrate.c - applies the embedded schema migrations.
 *
 * schema_migrations records every applied version.  Each migration runs in
 * its own transaction together with its record, under db_lock so that two
 * nodes starting at once on one PostgreSQL apply it once (on SQLite BEGIN
 * IMMEDIATE already does that); a crash leaves the schema at a whole
 * version.  A database newer than the binary is refused rather than used
 * with a schema the code does not understand.  The SQL of a migration is
 * the backend's own variant when it has one (sql/NNN_name.pg.sql); a
 * migration may have a data step in C (migrate-data.c), run in the same
 * transaction after its SQL. */
#include "store/db.h"
#include "store/migrate-data.h"
#include "store/migrations.h"

#include <stdio.h>

#define MIGRATE_LOCK "eonay.migrate"

int db_schema_version_known(void)
{
	return migrations_count ? migrations[migrations_count - 1].version : 0;
}

int db_schema_version(struct db *db, int64_t *ret)
{
	int r;

	r = db_query_int64(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
			   NULL, ret);
	if (r == -EIO) {
		/* No table yet: a brand-new database. */
		*ret = 0;
		return 0;
	}
	return r;
}

static const char *migration_sql(struct db *db, const struct migration *m)
{
	if (streq(db_backend_name(db), "postgresql") && m->sql_pg)
		return m->sql_pg;
	return m->sql_sqlite;
}

/* Inside a transaction: takes the migration lock and makes sure the table
 * that records versions exists, then reads the version. */
static int lock_and_read(struct db *db, int64_t *ret_current)
{
	int r;

	r = db_lock(db, MIGRATE_LOCK);
	if (r < 0)
		return r;
	r = db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			" version BIGINT PRIMARY KEY,"
			" name TEXT NOT NULL,"
			" applied_at TEXT NOT NULL)");	/* BIGINT from 009 on */
	if (r < 0)
		return r;
	r = db_query_int64(db, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations",
			   NULL, ret_current);
	if (r < 0)
		return r;
	return *ret_current > db_schema_version_known() ? -EPROTO : 0;
}

int db_migrate(struct db *db, int *ret_applied)
{
	return db_migrate_to(db, db_schema_version_known(), ret_applied);
}

int db_migrate_to(struct db *db, int max, int *ret_applied)
{
	int64_t current;
	int r, applied = 0;

	/* Without a lock first: nothing to do is the common case. */
	r = db_schema_version(db, &current);
	if (r < 0)
		return r;
	if (current > db_schema_version_known())
		return -EPROTO;
	for (size_t i = 0; i < migrations_count; i++) {
		const struct migration *m = &migrations[i];

		if (m->version <= current)
			continue;
		if (m->version > max)
			break;
		r = db_begin(db);
		if (r < 0)
			return r;
		/* Read under the lock: another process may have applied it. */
		r = lock_and_read(db, &current);
		if (r < 0 || m->version <= current) {
			db_rollback(db);
			if (r < 0)
				return r;
			continue;
		}
		r = db_exec(db, migration_sql(db, m));
		if (r == 0)
			r = migrate_data_after(db, m->version);
		/* applied_at: ISO 8601 text until 009 makes it unix seconds
		 * (two statements: PostgreSQL fixes a parameter's type when it
		 * prepares one). */
		if (r == 0 && m->version < 9) {
			char ts[21];

			iso8601_utc(now_sec(), ts);
			r = db_run(db, "INSERT INTO schema_migrations (version, name, applied_at)"
				       " VALUES ($1, $2, $3)", "itt", (int64_t)m->version, m->name, ts);
		} else if (r == 0)
			r = db_run(db, "INSERT INTO schema_migrations (version, name, applied_at)"
				       " VALUES ($1, $2, $3) -- unix seconds",
				   "iti", (int64_t)m->version, m->name, now_sec());
		r = db_end(db, r);
		if (r < 0)
			return r;
		applied++;
	}
	if (ret_applied)
		*ret_applied = applied;
	return 0;
}
