/* store-target.h - the store a test uses: SQLite in a temporary file, or a
 * fresh database on the PostgreSQL server named by EONAY_TEST_STORE_URL
 * (scripts/pg run ... sets it).  Shared by unit and end-to-end tests. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* True when the tests run on PostgreSQL. */
bool test_store_is_pg(void);

/* Fills buf with the target of a fresh, empty store.  SQLite: sqlite_path,
 * whose file (and -wal, -shm) is removed first.  PostgreSQL: a new
 * database named name (letters, digits, '-', '_'; NULL: a generated one)
 * on the server of EONAY_TEST_STORE_URL, dropped first if it exists.
 * Returns 0, or -1 with the reason on stderr. */
int test_store_new(const char *sqlite_path, const char *name, char *buf, size_t n);

/* The URL database name has on the server of EONAY_TEST_STORE_URL. */
int test_store_new_url(const char *name, char *buf, size_t n);

/* Removes the store test_store_new made: drops the PostgreSQL database
 * (closing whoever is still connected), removes the SQLite files. */
void test_store_drop(const char *target);
