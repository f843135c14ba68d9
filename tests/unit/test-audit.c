/* test-audit.c - the keyed, anchored audit chain (store/audit.c) on a
 * temporary SQLite store: append and verify, the tampering an attacker with
 * write access to the store but without the master key can do (edit and
 * recompute the chain, delete the newest rows, truncate the tail, insert,
 * renumber, roll back), concurrent appends from two connections, the
 * missing key, the one-time seal of an old chain, and checkpoints. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <stdio.h>

#include "store/audit.h"
#include "store/db.h"
#include "store-target.h"

static char dir[] = "/tmp/eonay-audit-XXXXXX";
static char path[256];
static char target[512];	/* the SQLite file or a PostgreSQL database */
static const unsigned char master[32] = "0123456789abcdef0123456789abcdef";

static int setup(void **state)
{
	struct db *db;

	if (test_store_new(path, NULL, target, sizeof(target)) < 0)
		return -1;
	if (audit_set_key(master) < 0 || db_open(target, 5000, &db) < 0)
		return -1;
	if (db_migrate(db, NULL) < 0 || audit_seal(db, true, NULL, NULL) < 0)
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

static void append_n(struct db *db, int n)
{
	for (int i = 0; i < n; i++) {
		char details[32];
		snprintf(details, sizeof(details), "{\"i\":%d}", i);
		assert_int_equal(audit_append(db, false, "system", "test.event", "s", "ok",
					      i % 3 == 2 ? NULL : details),
				 0);
	}
}

/* What an attacker without the key can do: the unkeyed SHA-256 of a row,
 * as store/audit.c computes it. */
static void attacker_hash(const char *prev, int64_t id, int64_t at, const char *const f[5],
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
	hex_encode(md, 32, ret);
}

/* Recomputes every prev_hash and hash in id order and points the head's
 * hash at the last row, as an attacker would after editing a row; MACs are
 * left as they were (the attacker cannot compute them). */
static void attacker_recompute(struct db *db)
{
	char prev[65] = "0000000000000000000000000000000000000000000000000000000000000000";
	int64_t ids[256], ats[256];
	char *f[256][5];
	size_t n = 0;
	struct db_stmt *st;
	int r;

	assert_int_equal(db_select(db, &st, "SELECT id, at, actor, action, subject, outcome,"
					    " details FROM audit_log ORDER BY id", NULL), 0);
	while ((r = db_step(st)) == 1) {
		assert_true(n < 256);
		ids[n] = db_col_int64(st, 0);
		ats[n] = db_col_int64(st, 1);
		for (int k = 0; k < 5; k++)
			f[n][k] = db_col_text(st, 2 + k) ? strdup(db_col_text(st, 2 + k)) : NULL;
		n++;
	}
	assert_int_equal(r, 0);
	db_stmt_done(st);
	for (size_t i = 0; i < n; i++) {
		char hash[65];
		attacker_hash(prev, ids[i], ats[i], (const char *const *)f[i], hash);
		assert_int_equal(db_run(db, "UPDATE audit_log SET prev_hash = $1, hash = $2"
					    " WHERE id = $3", "tti", prev, hash, ids[i]), 1);
		memcpy(prev, hash, sizeof(prev));
		for (int k = 0; k < 5; k++)
			free(f[i][k]);
	}
	assert_int_equal(db_run(db, "UPDATE audit_head SET last_hash = $1", "t", prev), 1);
}

static int check(struct db *db, const struct audit_checkpoint *cp, struct audit_report *rep)
{
	memset(rep, 0xff, sizeof(*rep));
	return audit_check(db, cp, rep);
}

static void test_append_and_verify(void **state)
{
	struct db *db = *state;
	struct audit_report rep;
	struct audit_checkpoint head;

	/* A new store, sealed: empty and intact. */
	assert_int_equal(check(db, NULL, &rep), 0);
	assert_int_equal(rep.rows, 0);
	assert_int_equal(rep.head_id, 0);
	append_n(db, 7);
	assert_int_equal(audit_append(db, false, "", "x", NULL, "ok", NULL), -EINVAL);
	assert_int_equal(check(db, NULL, &rep), 0);
	assert_int_equal(rep.rows, 7);
	assert_int_equal(rep.head_id, 7);
	assert_int_equal(audit_head_get(db, &head), 0);
	assert_int_equal(head.id, 7);
	assert_int_equal(strlen(head.mac), 64);

	/* Inside the caller's transaction: appended only if it commits. */
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(audit_append(db, true, "operator", "test.tx", NULL, "ok", NULL), 0);
	assert_int_equal(db_rollback(db), 0);
	assert_int_equal(check(db, NULL, &rep), 0);
	assert_int_equal(rep.rows, 7);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(audit_append(db, true, "operator", "test.tx", NULL, "ok", NULL), 0);
	assert_int_equal(db_commit(db), 0);
	assert_int_equal(check(db, NULL, &rep), 0);
	assert_int_equal(rep.rows, 8);

	/* db_lock belongs in a transaction. */
	assert_int_equal(db_lock(db, "audit"), -EINVAL);
	assert_int_equal(db_begin(db), 0);
	assert_int_equal(db_lock(db, "audit"), 0);
	assert_int_equal(db_lock(db, ""), -EINVAL);
	assert_int_equal(db_rollback(db), 0);
}

static void test_edit_and_recompute_detected(void **state)
{
	struct db *db = *state;
	struct audit_report rep;

	append_n(db, 6);
	assert_int_equal(db_run(db, "UPDATE audit_log SET details = '{\"i\":99}' WHERE id = 3",
				NULL), 1);
	/* Without recomputing: the hash shows it. */
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_HASH);
	assert_int_equal(rep.bad_id, 3);
	/* Recomputed: the SHA-256 chain fits again, the MAC does not. */
	attacker_recompute(db);
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_MAC);
	assert_int_equal(rep.bad_id, 3);
	assert_int_equal(rep.rows, 2);
	/* Removing the MACs does not help. */
	assert_int_equal(db_run(db, "UPDATE audit_log SET mac = NULL", NULL), 6);
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_MAC_MISSING);
	assert_int_equal(rep.bad_id, 1);
	/* Nor does it make the chain look like one to seal: its head is
	 * sealed, so sealing does nothing and the break stays. */
	assert_int_equal(audit_seal(db, false, NULL, NULL), 0);
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	/* And the next append refuses to extend a head it did not write. */
	assert_int_equal(db_run(db, "UPDATE audit_head SET mac = 'x'", NULL), 1);
	assert_int_equal(audit_append(db, false, "system", "x", NULL, "ok", NULL), -EUCLEAN);
}

static void test_newest_row_deleted_detected(void **state)
{
	struct db *db = *state;
	struct audit_report rep;

	append_n(db, 5);
	assert_int_equal(db_run(db, "DELETE FROM audit_log WHERE id = 5", NULL), 1);
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_TAIL_MISSING);
	assert_int_equal(rep.bad_id, 5);
	assert_int_equal(rep.head_id, 5);
	/* The next id comes from the head, not MAX(id) + 1. */
	assert_int_equal(audit_append(db, false, "system", "after", NULL, "ok", NULL), 0);
	int64_t id = 0;
	assert_int_equal(db_query_int64(db, "SELECT id FROM audit_log WHERE action = 'after'",
					NULL, &id), 0);
	assert_int_equal(id, 6);
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_ID_GAP);
	assert_int_equal(rep.bad_id, 5);
}

static void test_tail_truncated_detected(void **state)
{
	struct db *db = *state;
	struct audit_report rep;
	_cleanup_free_ char *mac = NULL;
	int64_t head = 0;

	append_n(db, 6);
	assert_int_equal(db_run(db, "DELETE FROM audit_log WHERE id >= 4", NULL), 3);
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_TAIL_MISSING);
	assert_int_equal(rep.bad_id, 4);
	/* Moving the head back to the new last row needs the key. */
	assert_int_equal(db_run(db, "UPDATE audit_head SET last_id = 3,"
				    " last_hash = (SELECT hash FROM audit_log WHERE id = 3)", NULL), 1);
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_HEAD_MAC);
	/* Reusing row 3's own MAC as the head's does not either (other tag). */
	assert_int_equal(db_run(db, "UPDATE audit_head SET mac ="
				    " (SELECT mac FROM audit_log WHERE id = 3)", NULL), 1);
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_HEAD_MAC);
	/* Without a MAC it is not an old chain to seal either. */
	assert_int_equal(db_run(db, "UPDATE audit_head SET mac = NULL", NULL), 1);
	assert_int_equal(audit_seal(db, true, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_HEAD_MAC);
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM audit_head WHERE mac IS NULL",
					NULL, &head), 0);
	assert_int_equal(head, 1);
	/* Deleting the head itself. */
	assert_int_equal(db_run(db, "DELETE FROM audit_head", NULL), 1);
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_HEAD_MISSING);
	assert_int_equal(audit_append(db, false, "system", "x", NULL, "ok", NULL), -EUCLEAN);
}

static void test_inserted_and_renumbered_detected(void **state)
{
	struct db *db = *state;
	struct audit_report rep;
	char hash[65];
	const char *f[5] = { "system", "forged", NULL, "ok", NULL };
	_cleanup_stmt_ struct db_stmt *st = NULL;

	append_n(db, 4);
	/* A row after the head, linked correctly, with a made-up MAC. */
	assert_int_equal(db_query_one(db, &st, "SELECT hash FROM audit_log WHERE id = 4", NULL), 0);
	attacker_hash(db_col_text(st, 0), 5, 1, f, hash);
	assert_int_equal(db_run(db, "INSERT INTO audit_log (id, at, actor, action, outcome,"
				    " prev_hash, hash, mac) VALUES (5, 1, 'system', 'forged',"
				    " 'ok', $1, $2, $2)", "tt", db_col_text(st, 0), hash), 1);
	db_stmt_done(TAKE_PTR(st));
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_BEYOND_HEAD);
	assert_int_equal(rep.bad_id, 5);
	/* The server does not build on it: the id it takes is already used. */
	assert_int_equal(audit_append(db, false, "system", "x", NULL, "ok", NULL), -EEXIST);
	assert_int_equal(db_run(db, "DELETE FROM audit_log WHERE id = 5", NULL), 1);
	assert_int_equal(check(db, NULL, &rep), 0);

	/* Ids not consecutive. */
	assert_int_equal(db_run(db, "UPDATE audit_log SET id = 9 WHERE id = 3", NULL), 1);
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_ID_GAP);
	assert_int_equal(rep.bad_id, 3);
	assert_int_equal(db_run(db, "UPDATE audit_log SET id = 3 WHERE id = 9", NULL), 1);

	/* A row slipped in between (ids shifted, chain recomputed). */
	assert_int_equal(db_run(db, "UPDATE audit_log SET id = id + 10 WHERE id >= 3", NULL), 2);
	assert_int_equal(db_run(db, "UPDATE audit_log SET id = id - 9 WHERE id >= 13", NULL), 2);
	assert_int_equal(db_run(db, "INSERT INTO audit_log (id, at, actor, action, outcome,"
				    " prev_hash, hash, mac) VALUES (3, 1, 'system', 'forged',"
				    " 'ok', 'x', 'x', 'x')", NULL), 1);
	assert_int_equal(db_run(db, "UPDATE audit_head SET last_id = 5", NULL), 1);
	attacker_recompute(db);
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	/* the head (its id and hash moved) or row 3 (its MAC): whichever comes
	 * first, it is caught, and no row before 3 is blamed. */
	assert_true(rep.fault == AUDIT_HEAD_MAC || (rep.fault == AUDIT_MAC && rep.bad_id == 3));
}

struct appender {
	int n;
	int failed;
};

static void *append_thread(void *p)
{
	struct appender *a = p;
	struct db *db;

	if (db_open(target, 30000, &db) < 0) {
		a->failed = a->n;
		return NULL;
	}
	for (int i = 0; i < a->n; i++)
		if (audit_append(db, false, "system", "test.concurrent", NULL, "ok", NULL) < 0)
			a->failed++;
	db_close(db);
	return NULL;
}

static void test_concurrent_appends(void **state)
{
	struct db *db = *state;
	struct appender a = { .n = 200 }, b = { .n = 200 };
	struct audit_report rep;
	pthread_t ta, tb;
	int64_t n = 0, max = 0;

	append_n(db, 1);
	assert_int_equal(pthread_create(&ta, NULL, append_thread, &a), 0);
	assert_int_equal(pthread_create(&tb, NULL, append_thread, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	assert_int_equal(a.failed, 0);
	assert_int_equal(b.failed, 0);
	assert_int_equal(check(db, NULL, &rep), 0);
	assert_int_equal(rep.rows, 401);
	assert_int_equal(rep.head_id, 401);
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM audit_log"
					    " WHERE action = 'test.concurrent'", NULL, &n), 0);
	assert_int_equal(n, 400);
	assert_int_equal(db_query_int64(db, "SELECT MAX(id) FROM audit_log", NULL, &max), 0);
	assert_int_equal(max, 401);
}

static void test_missing_or_wrong_key(void **state)
{
	struct db *db = *state;
	struct audit_report rep;
	struct audit_checkpoint head;
	unsigned char other[32];

	append_n(db, 3);
	audit_clear_key();
	assert_int_equal(audit_append(db, false, "system", "x", NULL, "ok", NULL), -ENOKEY);
	assert_int_equal(audit_check(db, NULL, &rep), -ENOKEY);
	assert_int_equal(audit_head_get(db, &head), -ENOKEY);
	assert_int_equal(audit_seal(db, true, NULL, NULL), -ENOKEY);
	/* Another master key: nothing it wrote verifies, and it does not
	 * extend the chain. */
	memset(other, 7, sizeof(other));
	assert_int_equal(audit_set_key(other), 0);
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_MAC);
	assert_int_equal(rep.bad_id, 1);
	assert_int_equal(audit_append(db, false, "system", "x", NULL, "ok", NULL), -EUCLEAN);
	assert_int_equal(audit_set_key(master), 0);
	assert_int_equal(check(db, NULL, &rep), 0);
	assert_int_equal(rep.rows, 3);
}

/* The state migration 004 leaves an old store in: rows and head without MAC. */
static void make_old_chain(struct db *db, int n)
{
	append_n(db, n);
	assert_int_equal(db_run(db, "UPDATE audit_log SET mac = NULL", NULL), n);
	assert_int_equal(db_run(db, "UPDATE audit_head SET mac = NULL", NULL), 1);
}

static void test_seal_old_chain(void **state)
{
	struct db *db = *state;
	struct audit_report rep;
	int64_t sealed = -1, n = 0;

	make_old_chain(db, 4);
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_MAC_MISSING);
	assert_int_equal(rep.bad_id, 1);
	/* Appending to it is refused until it is sealed. */
	assert_int_equal(audit_append(db, false, "system", "x", NULL, "ok", NULL), -EUCLEAN);

	/* A broken old chain is not sealed, and left as it was. */
	assert_int_equal(db_run(db, "UPDATE audit_log SET actor = 'mallory' WHERE id = 2", NULL), 1);
	assert_int_equal(audit_seal(db, true, &sealed, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_HASH);
	assert_int_equal(rep.bad_id, 2);
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM audit_log WHERE mac IS NULL",
					NULL, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(db_run(db, "UPDATE audit_log SET actor = 'system' WHERE id = 2", NULL), 1);

	/* Sealed once: every row MAC'd, the seal itself is an event. */
	assert_int_equal(audit_seal(db, true, &sealed, &rep), 0);
	assert_int_equal(sealed, 4);
	assert_int_equal(check(db, NULL, &rep), 0);
	assert_int_equal(rep.rows, 5);
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM audit_log WHERE mac IS NULL",
					NULL, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(db_query_int64(db, "SELECT id FROM audit_log WHERE action = 'audit.seal'",
					NULL, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(audit_seal(db, true, &sealed, &rep), 0);
	assert_int_equal(sealed, 0);
	append_n(db, 1);
	assert_int_equal(check(db, NULL, &rep), 0);

	/* Stripping the MACs again does not get a second seal. */
	assert_int_equal(db_run(db, "UPDATE audit_log SET mac = NULL", NULL), 6);
	assert_int_equal(db_run(db, "UPDATE audit_head SET mac = NULL", NULL), 1);
	assert_int_equal(audit_seal(db, true, &sealed, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_RESEAL);
}

static void test_seal_partly_stripped_refused(void **state)
{
	struct db *db = *state;
	struct audit_report rep;

	append_n(db, 4);
	assert_int_equal(db_run(db, "UPDATE audit_log SET mac = NULL WHERE id >= 3", NULL), 2);
	assert_int_equal(db_run(db, "UPDATE audit_head SET mac = NULL", NULL), 1);
	assert_int_equal(audit_seal(db, true, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_RESEAL);
	assert_int_equal(rep.bad_id, 3);
}

/* A store that was already keyed when opened: stripping every MAC (and
 * the seal event, and recomputing the chain) must not get a rewritten
 * chain sealed as an old one, nor an emptied one sealed as new. */
static void test_stripped_keyed_store_not_resealed(void **state)
{
	struct db *db = *state;
	struct audit_report rep;
	int64_t sealed = -1, rows = 0, bad = 0;

	append_n(db, 4);
	/* Delete event 2, renumber, recompute the unkeyed chain, strip MACs. */
	assert_int_equal(db_run(db, "DELETE FROM audit_log WHERE id = 2", NULL), 1);
	assert_int_equal(db_run(db, "UPDATE audit_log SET id = id - 1 WHERE id > 2", NULL), 2);
	assert_int_equal(db_run(db, "UPDATE audit_log SET mac = NULL", NULL), 3);
	assert_int_equal(db_run(db, "UPDATE audit_head SET last_id = 3, mac = NULL", NULL), 1);
	attacker_recompute(db);
	/* As an old chain it would pass (that is what an upgrade seals)... */
	assert_int_equal(check(db, NULL, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_MAC_MISSING);
	/* ...but this store was keyed already: refused, and left alone. */
	assert_int_equal(audit_seal(db, false, &sealed, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_RESEAL);
	assert_int_equal(rep.bad_id, 1);
	assert_int_equal(audit_verify(db, &rows, &bad), -EUCLEAN);
	assert_int_equal(bad, 1);
	assert_int_equal(audit_append(db, false, "system", "x", NULL, "ok", NULL), -EUCLEAN);

	/* Everything deleted and the head reset to the empty chain's. */
	assert_int_equal(db_run(db, "DELETE FROM audit_log", NULL), 3);
	assert_int_equal(db_run(db, "UPDATE audit_head SET last_id = 0, last_hash = $1, mac = NULL",
				"t", "0000000000000000000000000000000000000000000000000000000000000000"),
			 1);
	assert_int_equal(audit_seal(db, false, &sealed, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_HEAD_MAC);
	/* A running node does not extend it either (that would seal it). */
	assert_int_equal(audit_append(db, false, "system", "x", NULL, "ok", NULL), -EUCLEAN);
	assert_int_equal(audit_verify(db, &rows, &bad), -EUCLEAN);
	/* The upgrade of a new store seals it (the store was at version 0). */
	assert_int_equal(audit_seal(db, true, &sealed, &rep), 0);
	assert_int_equal(sealed, 0);
}

static void test_checkpoint(void **state)
{
	struct db *db = *state;
	struct audit_checkpoint cp3, cp6, bad;
	struct audit_report rep;
	_cleanup_free_ char *hash3 = NULL, *mac3 = NULL;
	char text[100];
	struct db_stmt *st;

	assert_int_equal(audit_checkpoint_parse("3:abc", &bad), -EINVAL);
	assert_int_equal(audit_checkpoint_parse("x:" "0000000000000000000000000000000000000000000000000000000000000000", &bad), -EINVAL);
	assert_int_equal(audit_checkpoint_parse(NULL, &bad), -EINVAL);

	append_n(db, 3);
	assert_int_equal(audit_head_get(db, &cp3), 0);
	snprintf(text, sizeof(text), "%lld:%s", (long long)cp3.id, cp3.mac);
	assert_int_equal(audit_checkpoint_parse(text, &bad), 0);
	assert_int_equal(bad.id, 3);
	assert_string_equal(bad.mac, cp3.mac);
	/* Keep the store's state at 3 to roll back to later. */
	assert_int_equal(db_query_one(db, &st, "SELECT last_hash, mac FROM audit_head", NULL), 0);
	hash3 = strdup(db_col_text(st, 0));
	mac3 = strdup(db_col_text(st, 1));
	db_stmt_done(st);

	append_n(db, 3);
	assert_int_equal(audit_head_get(db, &cp6), 0);
	assert_int_equal(cp6.id, 6);
	assert_int_equal(check(db, &cp3, &rep), 0);
	assert_int_equal(check(db, &cp6, &rep), 0);
	/* A checkpoint that is not this chain's. */
	bad = cp3;
	bad.mac[0] = bad.mac[0] == '0' ? '1' : '0';
	assert_int_equal(check(db, &bad, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_CHECKPOINT_MAC);
	assert_int_equal(rep.bad_id, 3);

	/* Roll the whole store back to how it was at 3: without a checkpoint
	 * it is an intact, older chain; with cp6 the rollback shows. */
	assert_int_equal(db_run(db, "DELETE FROM audit_log WHERE id > 3", NULL), 3);
	assert_int_equal(db_run(db, "UPDATE audit_head SET last_id = 3, last_hash = $1, mac = $2",
				"tt", hash3, mac3), 1);
	assert_int_equal(check(db, NULL, &rep), 0);
	assert_int_equal(check(db, &cp3, &rep), 0);
	assert_int_equal(check(db, &cp6, &rep), -EUCLEAN);
	assert_int_equal(rep.fault, AUDIT_CHECKPOINT_MISSING);
	assert_int_equal(rep.bad_id, 6);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_append_and_verify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_edit_and_recompute_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_newest_row_deleted_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tail_truncated_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_inserted_and_renumbered_detected, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_appends, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_or_wrong_key, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seal_old_chain, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seal_partly_stripped_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stripped_keyed_store_not_resealed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_checkpoint, setup, teardown),
	};
	char cmd[300];
	int r;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.db", dir);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	audit_clear_key();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return r;
}
