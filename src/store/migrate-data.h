/* migrate-data.h - data steps of migrations, run by db_migrate() inside a
 * migration's transaction right after its SQL (internal to src/store). */
#pragma once
#include "store/db.h"

/* The C step of migration version, if it has one (0 otherwise). */
int migrate_data_after(struct db *db, int version);
