/* domain-fixture.h - a scratch store for the domain unit tests.
 *
 * Include after <cmocka.h>; link tests/store-target.c.  Each test gets a
 * fresh store (SQLite in a temporary directory, or a new database on the
 * PostgreSQL server of EONAY_TEST_STORE_URL) with every migration applied, the default settings,
 * random keys and the act context the domain functions take.  Time is
 * moved by editing the stored times (the code reads the clock). */
#pragma once

#include <stdio.h>
#include <stdlib.h>

#include "common/config.h"
#include "common/util.h"
#include "domain/acts.h"
#include "store/audit.h"
#include "store/db.h"
#include "store-target.h"

struct dfx {
	char dir[64];
	char target[512];
	struct db *db;
	struct config cfg;
	unsigned char code_key[32], session_key[32];
	struct act_ctx ctx;
};

static inline int dfx_setup(void **state)
{
	struct dfx *f = calloc(1, sizeof(*f));
	char path[128];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/eonay-domain-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(config_init(&f->cfg, f->dir), 0);
	snprintf(path, sizeof(path), "%s/t.db", f->dir);
	assert_int_equal(test_store_new(path, NULL, f->target, sizeof(f->target)), 0);
	assert_int_equal(db_open(f->target, 5000, &f->db), 0);
	assert_int_equal(db_migrate(f->db, NULL), 0);
	assert_int_equal(random_bytes(f->code_key, 32), 0);
	assert_int_equal(random_bytes(f->session_key, 32), 0);
	/* Decisions are audited: the chain needs its key (any, for a test). */
	assert_int_equal(audit_set_key(f->code_key), 0);
	/* A new store: its first start seals the audit head (as eonayd does). */
	assert_int_equal(audit_seal(f->db, true, NULL, NULL), 0);
	f->ctx = (struct act_ctx){ .cfg = &f->cfg, .code_key = f->code_key,
				   .session_key = f->session_key };
	*state = f;
	return 0;
}

static inline int dfx_teardown(void **state)
{
	struct dfx *f = *state;
	char cmd[128];

	db_close(f->db);
	test_store_drop(f->target);
	config_done(&f->cfg);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	(void)!system(cmd);
	free(f);
	return 0;
}

/* One integer from the store: sql with one text parameter $1 (arg). */
static inline int64_t dfx_int(struct dfx *f, const char *sql, const char *arg)
{
	int64_t v = -1;

	assert_int_equal(db_query_int64(f->db, sql, "t", &v, arg), 0);
	return v;
}

/* Runs sql with one text parameter, asserting it changed a row. */
static inline void dfx_run(struct dfx *f, const char *sql, const char *arg)
{
	assert_true(db_run(f->db, sql, "t", arg) > 0);
}
