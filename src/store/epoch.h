/* epoch.h - the status epoch of a SQLite store: how a process keeping
 * certificate statuses in memory (the OCSP answers) learns, without
 * reading the store, that no status changed since it read one, whichever
 * process changed it.  Internal to src/store (db-sqlite.c); the rest of the
 * program sees it as db_epoch_mark() / db_epoch() (store/db.h). */
#pragma once

#include <stdbool.h>
#include <stdint.h>

struct epoch_file;

/* Opens (creating it, 0600) the epoch file of the store at db_path. */
int epoch_file_open(const char *db_path, struct epoch_file **ret);
/* Ends a write still marked (epoch_file_end) and closes. */
void epoch_file_close(struct epoch_file *e);

/* A write transaction of this handle changes statuses: called before its
 * commit, once (later calls do nothing until epoch_file_end). */
int epoch_file_begin(struct epoch_file *e);
/* Its commit or rollback is done (nothing when epoch_file_begin was not
 * called). */
void epoch_file_end(struct epoch_file *e);

/* The epoch now: 0 while a status change is under way (or a writer died in
 * one, until it is healed), otherwise a number that changes with every
 * status change committed after it was read. */
uint64_t epoch_file_read(struct epoch_file *e);
