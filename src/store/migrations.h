/* migrations.h - the schema migrations embedded from sql/ at build time. */
#pragma once
#include <stddef.h>

struct migration {
	int version;
	const char *name;
	const char *sql_sqlite;	/* sql/NNN_name.sql or sql/NNN_name.sqlite.sql */
	const char *sql_pg;	/* sql/NNN_name.pg.sql; NULL: sql_sqlite serves both */
};

/* Sorted by version; versions are 1, 2, 3, ... without gaps. */
extern const struct migration migrations[];
extern const size_t migrations_count;
