/* migrate.c - applies the embedded schema migrations.
 *
 * schema_migrations records every applied version.  Each migration runs in
 * its own transaction together with its record, so a crash leaves the
 * schema at a whole version.  A database newer than the binary is refused
 * rather than used with a schema the code does not understand. */
#include "store/db.h"
#include "store/migrations.h"

#include <stdio.h>

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

int db_migrate(struct db *db, int *ret_applied)
{
	int64_t current;
	char ts[21];
	int r, applied = 0;

	r = db_exec(db, "CREATE TABLE IF NOT EXISTS schema_migrations ("
			" version BIGINT PRIMARY KEY,"
			" name TEXT NOT NULL,"
			" applied_at TEXT NOT NULL)");
	if (r < 0)
		return r;
	r = db_schema_version(db, &current);
	if (r < 0)
		return r;
	if (current > db_schema_version_known())
		return -EPROTO;
	for (size_t i = 0; i < migrations_count; i++) {
		const struct migration *m = &migrations[i];

		if (m->version <= current)
			continue;
		r = db_begin(db);
		if (r < 0)
			return r;
		/* Re-check under the write lock: another process may have won. */
		r = db_schema_version(db, &current);
		if (r < 0 || m->version <= current) {
			db_rollback(db);
			if (r < 0)
				return r;
			continue;
		}
		r = db_exec(db, m->sql);
		if (r == 0) {
			iso8601_utc(now_sec(), ts);
			r = db_run(db, "INSERT INTO schema_migrations (version, name, applied_at)"
				       " VALUES ($1, $2, $3)",
				   "itt", (int64_t)m->version, m->name, ts);
		}
		r = db_end(db, r);
		if (r < 0)
			return r;
		applied++;
	}
	if (ret_applied)
		*ret_applied = applied;
	return 0;
}
