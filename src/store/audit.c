/* audit.c - append-only, hash-chained audit log in the store.
 *
 * hash = SHA-256(prev_hash, id, at, actor, action, subject, outcome,
 * details), each field length-prefixed so that no two rows can hash alike
 * by moving bytes between fields.  The first row's prev_hash is 64 zeros. */
#include "store/audit.h"

#include <openssl/evp.h>
#include <stdio.h>

static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

static int row_hash(const char *prev, int64_t id, int64_t at, const char *actor,
		    const char *action, const char *subject, const char *outcome,
		    const char *details, char ret[65])
{
	const char *fields[] = { prev, actor, action, subject, outcome, details };
	unsigned char md[32];
	unsigned int mdlen;
	char nums[64];
	EVP_MD_CTX *ctx;
	int ok;

	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ok = EVP_DigestInit_ex(ctx, EVP_sha256(), NULL);
	snprintf(nums, sizeof(nums), "%lld:%lld", (long long)id, (long long)at);
	ok = ok && EVP_DigestUpdate(ctx, nums, strlen(nums) + 1);
	for (size_t i = 0; ok && i < ELEMENTSOF(fields); i++) {
		char len[24];
		/* NULL and "" differ: NULL is written as length -1. */
		snprintf(len, sizeof(len), "%lld:",
			 fields[i] ? (long long)strlen(fields[i]) : -1LL);
		ok = EVP_DigestUpdate(ctx, len, strlen(len));
		if (ok && fields[i])
			ok = EVP_DigestUpdate(ctx, fields[i], strlen(fields[i]));
	}
	ok = ok && EVP_DigestFinal_ex(ctx, md, &mdlen);
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return -EIO;
	hex_encode(md, 32, ret);
	return 0;
}

static int append_locked(struct db *db, const char *actor, const char *action,
			 const char *subject, const char *outcome, const char *details)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char prev[65], hash[65];
	int64_t id = 1, at = now_sec();
	int r;

	r = db_prepare(db, "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1", &st);
	if (r < 0)
		return r;
	r = db_step(st);
	if (r < 0)
		return r;
	if (r == 1) {
		id = db_col_int64(st, 0) + 1;
		snprintf(prev, sizeof(prev), "%s", db_col_text(st, 1));
	} else
		memcpy(prev, zero_hash, sizeof(prev));
	db_stmt_done(TAKE_PTR(st));

	r = row_hash(prev, id, at, actor, action, subject, outcome, details, hash);
	if (r < 0)
		return r;
	r = db_run(db, "INSERT INTO audit_log (id, at, actor, action, subject, outcome,"
		       " details, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
		   "iittttttt", id, at, actor, action, subject, outcome, details, prev, hash);
	return r < 0 ? r : 0;
}

int audit_append(struct db *db, bool in_tx, const char *actor, const char *action,
		 const char *subject, const char *outcome, const char *details)
{
	int r;

	if (isempty(actor) || isempty(action) || isempty(outcome))
		return -EINVAL;
	if (in_tx)
		return append_locked(db, actor, action, subject, outcome, details);
	r = db_begin(db);
	if (r < 0)
		return r;
	return db_end(db, append_locked(db, actor, action, subject, outcome, details));
}

int audit_verify(struct db *db, int64_t *ret_rows, int64_t *ret_bad_id)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char prev[65], hash[65];
	int64_t rows = 0, expect_id = 1;
	int r;

	memcpy(prev, zero_hash, sizeof(prev));
	r = db_prepare(db, "SELECT id, at, actor, action, subject, outcome, details,"
			   " prev_hash, hash FROM audit_log ORDER BY id", &st);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		int64_t id = db_col_int64(st, 0);
		const char *stored_prev = db_col_text(st, 7), *stored = db_col_text(st, 8);

		r = row_hash(prev, id, db_col_int64(st, 1), db_col_text(st, 2),
			     db_col_text(st, 3), db_col_text(st, 4), db_col_text(st, 5),
			     db_col_text(st, 6), hash);
		if (r < 0)
			return r;
		if (id != expect_id || !stored_prev || !streq(stored_prev, prev) ||
		    !stored || !streq(stored, hash)) {
			if (ret_bad_id)
				*ret_bad_id = id != expect_id ? expect_id : id;
			return -EUCLEAN;
		}
		memcpy(prev, hash, sizeof(prev));
		expect_id++;
		rows++;
	}
	if (r < 0)
		return r;
	if (ret_rows)
		*ret_rows = rows;
	return 0;
}
