/* test-tamper.c - the audit log against someone who can write the store's
 * file but does not have the master key, through the real programs: events
 * written by eonayd starts, then the SQLite file edited directly (an event
 * rewritten with the SHA-256 chain recomputed, the newest event deleted,
 * the whole store rolled back to a backup) and `eonayctl audit verify` must
 * exit non-zero naming the event and why.  Also the upgrade of a store
 * written before the audit key existed: sealed once, on first open. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "store/db.h"

static const char zero[] = "0000000000000000000000000000000000000000000000000000000000000000";

/* The unkeyed SHA-256 of an event, as store/audit.c computes it: what an
 * attacker can recompute. */
static void event_hash(const char *prev, int64_t id, int64_t at, const char *const f[5],
		       char ret[65])
{
	const char *fields[6] = { prev, f[0], f[1], f[2], f[3], f[4] };
	unsigned char md[32];
	unsigned int len;
	char nums[64], l[24];
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();

	assert_non_null(ctx);
	assert_true(EVP_DigestInit_ex(ctx, EVP_sha256(), NULL));
	snprintf(nums, sizeof(nums), "%lld:%lld", (long long)id, (long long)at);
	assert_true(EVP_DigestUpdate(ctx, nums, strlen(nums) + 1));
	for (int i = 0; i < 6; i++) {
		snprintf(l, sizeof(l), "%lld:", fields[i] ? (long long)strlen(fields[i]) : -1LL);
		assert_true(EVP_DigestUpdate(ctx, l, strlen(l)));
		if (fields[i])
			assert_true(EVP_DigestUpdate(ctx, fields[i], strlen(fields[i])));
	}
	assert_true(EVP_DigestFinal_ex(ctx, md, &len));
	EVP_MD_CTX_free(ctx);
	for (int i = 0; i < 32; i++)
		snprintf(ret + 2 * i, 3, "%02x", md[i]);
}

/* The store of data directory data, as db_open() takes it: its SQLite
 * file, or its database on the PostgreSQL pass. */
static const char *store_of(const char *data)
{
	return store_target(data);
}

static struct db *open_store(const char *data)
{
	struct db *db;

	assert_int_equal(db_open(store_of(data), 5000, &db), 0);
	return db;
}

/* Rewrites every prev_hash and hash in id order (and the head's hash), as
 * an attacker does after editing an event; the MACs cannot be redone. */
static void recompute_chain(struct db *db, bool with_head)
{
	char prev[65];
	struct db_stmt *st;
	int64_t n = 0;

	memcpy(prev, zero, sizeof(prev));
	assert_int_equal(db_query_int64(db, "SELECT MAX(id) FROM audit_log", NULL, &n), 0);
	for (int64_t id = 1; id <= n; id++) {
		const char *f[5];
		char hash[65];

		assert_int_equal(db_query_one(db, &st, "SELECT at, actor, action, subject, outcome,"
						       " details FROM audit_log WHERE id = $1",
					      "i", id), 0);
		for (int k = 0; k < 5; k++)
			f[k] = db_col_text(st, 1 + k);
		event_hash(prev, id, db_col_int64(st, 0), f, hash);
		db_stmt_done(st);
		assert_int_equal(db_run(db, "UPDATE audit_log SET prev_hash = $1, hash = $2"
					    " WHERE id = $3", "tti", prev, hash, id), 1);
		memcpy(prev, hash, sizeof(prev));
	}
	if (with_head)
		assert_int_equal(db_run(db, "UPDATE audit_head SET last_hash = $1", "t", prev), 1);
}

static void start_stop(const char *data)
{
	struct srv s;

	assert_int_equal(srv_start(&s, data, NULL), 0);
	assert_int_equal(srv_stop(&s, false), 0);
}

static int verify(const char *data, const char *extra, char **out)
{
	return run_cmd(out, "%s --data %s audit verify %s", bin_path("eonayctl"), data,
		       extra ? extra : "");
}

static void test_recomputed_chain_detected(void **state)
{
	const char *d = tmpdir_new(), *d2 = tmpdir_new();
	char *out;
	struct db *db;
	struct srv s;

	for (int i = 0; i < 3; i++) {
		start_stop(d);
		start_stop(d2);
	}
	assert_int_equal(verify(d, NULL, &out), 0);
	assert_non_null(strstr(out, "audit log intact: 3 events"));
	free(out);

	/* Rewrite event 2 and recompute the whole SHA-256 chain and the head's
	 * hash: every link fits, only the key could tell. */
	db = open_store(d);
	assert_int_equal(db_run(db, "UPDATE audit_log SET subject = '10.6.6.6:80' WHERE id = 2",
				NULL), 1);
	recompute_chain(db, true);
	db_close(db);
	assert_int_equal(verify(d, NULL, &out), 3);
	assert_non_null(strstr(out, "BROKEN at event 2"));
	assert_non_null(strstr(out, "MAC is wrong"));
	free(out);
	/* eonayd does not build on a head it did not write. */
	assert_int_equal(srv_start(&s, d, NULL), -1);
	assert_int_equal(run_cmd(&out, "cat %s", s.log), 0);
	assert_non_null(strstr(out, "cannot write the audit log"));
	free(out);

	/* The same with the MACs removed as well. */
	db = open_store(d2);
	assert_int_equal(db_run(db, "UPDATE audit_log SET subject = 'x' WHERE id = 1", NULL), 1);
	assert_int_equal(db_run(db, "UPDATE audit_log SET mac = NULL", NULL), 3);
	recompute_chain(db, true);
	db_close(db);
	assert_int_equal(verify(d2, NULL, &out), 3);
	assert_non_null(strstr(out, "BROKEN at event 1"));
	assert_non_null(strstr(out, "no MAC"));
	free(out);
	/* And the head's MAC too, so that the store looks older than the key:
	 * it was keyed when opened, so it is not sealed again (that would
	 * bless the rewrite), neither by eonayctl nor by eonayd. */
	db = open_store(d2);
	assert_int_equal(db_run(db, "UPDATE audit_head SET mac = NULL", NULL), 1);
	db_close(db);
	assert_int_equal(verify(d2, NULL, &out), 3);
	assert_non_null(strstr(out, "MACs were stripped"));
	assert_non_null(strstr(out, "BROKEN at event 1"));
	assert_null(strstr(out, "sealed 3 events"));
	free(out);
	assert_int_equal(srv_start(&s, d2, NULL), -1);
	assert_int_equal(run_cmd(&out, "cat %s", s.log), 0);
	assert_non_null(strstr(out, "MACs were stripped"));
	free(out);
	tmpdir_remove(d);
	tmpdir_remove(d2);
}

static void test_truncation_and_rollback_detected(void **state)
{
	const char *d = tmpdir_new();
	char *out, checkpoint[120], *hash2, *mac2;
	struct db_stmt *st;
	struct db *db;

	start_stop(d);
	start_stop(d);
	/* The audit part of a backup taken now: the head at event 2. */
	db = open_store(d);
	assert_int_equal(db_query_one(db, &st, "SELECT last_hash, mac FROM audit_head", NULL), 0);
	hash2 = strdup(db_col_text(st, 0));
	mac2 = strdup(db_col_text(st, 1));
	db_stmt_done(st);
	db_close(db);
	start_stop(d);
	start_stop(d);

	/* The head as a checkpoint an operator keeps elsewhere... */
	assert_int_equal(run_cmd(&out, "%s --data %s audit head", bin_path("eonayctl"), d), 0);
	assert_non_null(strstr(out, "audit head id=4 mac="));
	assert_non_null(strstr(out, "checkpoint: 4:"));
	assert_int_equal(sscanf(strstr(out, "checkpoint: ") + 12, "%119s", checkpoint), 1);
	free(out);
	/* ...and the one eonayd logs. */
	assert_int_equal(run_cmd(&out, "grep -c 'audit head id=4 mac=%s' %s/eonayd.log",
				 strchr(checkpoint, ':') + 1, d), 0);
	free(out);
	assert_int_equal(verify(d, "--checkpoint", &out), 2);
	free(out);
	assert_int_equal(verify(d, "--checkpoint 4:123", &out), 2);
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s audit verify --checkpoint %s", bin_path("eonayctl"),
				 d, checkpoint), 0);
	assert_non_null(strstr(out, "checkpoint 4 matches"));
	free(out);

	/* The newest event deleted. */
	db = open_store(d);
	assert_int_equal(db_run(db, "DELETE FROM audit_log WHERE id = 4", NULL), 1);
	db_close(db);
	assert_int_equal(verify(d, NULL, &out), 3);
	assert_non_null(strstr(out, "BROKEN at event 4"));
	assert_non_null(strstr(out, "tail truncated"));
	free(out);
	/* ...and the head moved back to the new last event. */
	db = open_store(d);
	assert_int_equal(db_run(db, "UPDATE audit_head SET last_id = 3,"
				    " last_hash = (SELECT hash FROM audit_log WHERE id = 3)", NULL), 1);
	db_close(db);
	assert_int_equal(verify(d, NULL, &out), 3);
	assert_non_null(strstr(out, "head's MAC is missing or wrong"));
	free(out);

	/* The store restored from the backup at event 2 (log and head as they
	 * were): a valid, older chain; only the checkpoint shows it. */
	db = open_store(d);
	assert_int_equal(db_run(db, "DELETE FROM audit_log WHERE id > 2", NULL), 1);
	assert_int_equal(db_run(db, "UPDATE audit_head SET last_id = 2, last_hash = $1, mac = $2",
				"tt", hash2, mac2), 1);
	db_close(db);
	free(hash2);
	free(mac2);
	assert_int_equal(verify(d, NULL, &out), 0);
	assert_non_null(strstr(out, "intact: 2 events"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s audit verify --checkpoint %s",
				 bin_path("eonayctl"), d, checkpoint), 3);
	assert_non_null(strstr(out, "checkpoint 4"));
	assert_non_null(strstr(out, "rolled back"));
	free(out);
	tmpdir_remove(d);
}

/* A store as versions before migration 004 left it: schema 1..3, events
 * chained by SHA-256 only. */
static void make_old_store(const char *data, bool broken)
{
	static const char *const files[] = { "001_init", "002_pki", "003_signing" };
	const char *src = getenv("EONAY_SRCDIR");
	char prev[65], hash[65], *sql;
	struct db *db;

	assert_non_null(src);
	db = open_store(data);
	assert_int_equal(db_exec(db, "CREATE TABLE schema_migrations (version BIGINT PRIMARY KEY,"
				     " name TEXT NOT NULL, applied_at TEXT NOT NULL)"), 0);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(run_cmd(&sql, "cat %s/sql/%s.sql", src, files[i]), 0);
		assert_int_equal(db_exec(db, sql), 0);
		free(sql);
		assert_int_equal(db_run(db, "INSERT INTO schema_migrations VALUES ($1, $2, '2026-01-01T00:00:00Z')", "it",
					(int64_t)i + 1, files[i] + 4), 1);
	}
	memcpy(prev, zero, sizeof(prev));
	for (int64_t id = 1; id <= 3; id++) {
		const char *f[5] = { "system", "server.start", "127.0.0.1:8080", "ok", NULL };
		event_hash(prev, id, 1700000000 + id, f, hash);
		assert_int_equal(db_run(db, "INSERT INTO audit_log VALUES ($1, $2, $3, $4, $5, $6,"
					    " $7, $8, $9)", "iittttttt", id, 1700000000 + id, f[0],
					broken && id == 2 ? "mallory" : f[1], f[2], f[3], f[4], prev,
					hash), 1);
		memcpy(prev, hash, sizeof(prev));
	}
	db_close(db);
}

static void test_old_store_sealed_once(void **state)
{
	const char *d = tmpdir_new(), *bad = tmpdir_new();
	char *out;
	struct srv s;

	make_old_store(d, false);
	assert_int_equal(verify(d, NULL, &out), 0);
	assert_non_null(strstr(out, "sealed 3 events"));
	/* the three old events and the seal */
	assert_non_null(strstr(out, "audit log intact: 4 events"));
	free(out);
	assert_int_equal(verify(d, NULL, &out), 0);
	assert_null(strstr(out, "sealed"));
	free(out);
	start_stop(d);
	assert_int_equal(verify(d, NULL, &out), 0);
	assert_non_null(strstr(out, "audit log intact: 5 events"));
	free(out);

	/* An old chain that does not verify is not sealed: eonayd refuses to
	 * run on it and eonayctl says where it breaks. */
	make_old_store(bad, true);
	assert_int_equal(srv_start(&s, bad, NULL), -1);
	assert_int_equal(run_cmd(&out, "cat %s", s.log), 0);
	assert_non_null(strstr(out, "does not verify (event 2"));
	free(out);
	assert_int_equal(verify(bad, NULL, &out), 3);
	assert_non_null(strstr(out, "BROKEN at event 2"));
	assert_non_null(strstr(out, "does not match its hash"));
	free(out);
	tmpdir_remove(d);
	tmpdir_remove(bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_recomputed_chain_detected),
		cmocka_unit_test(test_truncation_and_rollback_detected),
		cmocka_unit_test(test_old_store_sealed_once),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
