/* audit.c - append-only audit log: hash-chained, keyed and anchored.
 *
 * hash = SHA-256(prev_hash, id, at, actor, action, subject, outcome,
 * details), each field length-prefixed so that no two rows can hash alike
 * by moving bytes between fields.  The first row's prev_hash is 64 zeros.
 *
 * The chain alone only shows that rows fit together: anyone who can write
 * the store can edit a row and recompute every later hash.  So each row
 * also carries mac = HMAC-SHA256(K, "eonay-audit-row", id, hash) under an
 * audit key K derived from the master key, which is not in the store; and
 * the chain's end is anchored in audit_head (one row: last id, last hash,
 * HMAC(K, "eonay-audit-head", id, hash)), moved in the same transaction as
 * every append under db_lock(db, "audit").  The next id is the head's + 1.
 * The head's MAC is what an operator keeps outside the store as a
 * checkpoint (eonayctl audit head; eonayd logs it once a minute). */
#include "store/audit.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdio.h>

static const char zero_hash[] = "0000000000000000000000000000000000000000000000000000000000000000";

static unsigned char audit_key[32];
static bool audit_key_set;

int audit_set_key(const unsigned char master_key[32])
{
	static const char info[] = "eonay audit v1";
	unsigned int len = 0;

	if (!HMAC(EVP_sha256(), master_key, 32, (const unsigned char *)info, strlen(info),
		  audit_key, &len) ||
	    len != sizeof(audit_key)) {
		audit_clear_key();
		return -EIO;
	}
	audit_key_set = true;
	return 0;
}

void audit_clear_key(void)
{
	OPENSSL_cleanse(audit_key, sizeof(audit_key));
	audit_key_set = false;
}

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

enum mac_kind { MAC_ROW, MAC_HEAD };

/* HMAC(K, tag \n id \n hash) in hex.  hash is 64 hex digits, so the
 * message cannot be read two ways. */
static int chain_mac(enum mac_kind kind, int64_t id, const char *hash, char ret[65])
{
	unsigned char md[32];
	unsigned int len = 0;
	char msg[128];
	int n;

	if (!audit_key_set)
		return -ENOKEY;
	n = snprintf(msg, sizeof(msg), "%s\n%lld\n%s",
		     kind == MAC_ROW ? "eonay-audit-row" : "eonay-audit-head", (long long)id, hash);
	if (n < 0 || (size_t)n >= sizeof(msg))
		return -EINVAL;
	if (!HMAC(EVP_sha256(), audit_key, sizeof(audit_key), (const unsigned char *)msg,
		  (size_t)n, md, &len) ||
	    len != sizeof(md))
		return -EIO;
	hex_encode(md, sizeof(md), ret);
	return 0;
}

/* True when stored is the MAC of (kind, id, hash); constant time. */
static int mac_ok(enum mac_kind kind, int64_t id, const char *hash, const char *stored,
		  bool *ret_ok)
{
	char want[65];
	int r;

	r = chain_mac(kind, id, hash, want);
	if (r < 0)
		return r;
	*ret_ok = stored && strlen(stored) == 64 && memeq_ct(stored, want, 64);
	return 0;
}

/* Reads the head and checks its MAC: a head this key wrote, or -EUCLEAN.
 * Not even an empty chain's head without MAC passes: that is what deleting
 * every row and resetting the head looks like.  A new store's head is
 * sealed at the first start (audit_seal with upgrade). */
static int head_read(struct db *db, int64_t *ret_id, char ret_hash[65], char ret_mac[65])
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	const char *hash, *mac;
	bool ok = false;
	int r;

	r = db_query_one(db, &st, "SELECT last_id, last_hash, mac FROM audit_head WHERE id = 1",
			 NULL);
	if (r == -ENOENT)
		return -EUCLEAN;
	if (r < 0)
		return r;
	*ret_id = db_col_int64(st, 0);
	hash = db_col_text(st, 1);
	mac = db_col_text(st, 2);
	if (*ret_id < 0 || !hash || strlen(hash) != 64)
		return -EUCLEAN;
	r = mac_ok(MAC_HEAD, *ret_id, hash, mac, &ok);
	if (r < 0)
		return r;
	if (!ok)
		return -EUCLEAN;
	memcpy(ret_hash, hash, 65);
	if (ret_mac)
		memcpy(ret_mac, mac, 65);
	return 0;
}

static int append_locked(struct db *db, const char *actor, const char *action,
			 const char *subject, const char *outcome, const char *details)
{
	char prev[65], hash[65], mac[65], head_mac[65];
	int64_t last_id, id, at = now_sec();
	int r;

	if (!audit_key_set)
		return -ENOKEY;
	r = db_lock(db, "audit");
	if (r < 0)
		return r;
	r = head_read(db, &last_id, prev, NULL);
	if (r < 0)
		return r;

	id = last_id + 1;
	r = row_hash(prev, id, at, actor, action, subject, outcome, details, hash);
	if (r >= 0)
		r = chain_mac(MAC_ROW, id, hash, mac);
	if (r >= 0)
		r = chain_mac(MAC_HEAD, id, hash, head_mac);
	if (r < 0)
		return r;
	r = db_run(db, "INSERT INTO audit_log (id, at, actor, action, subject, outcome,"
		       " details, prev_hash, hash, mac)"
		       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
		   "iitttttttt", id, at, actor, action, subject, outcome, details, prev, hash, mac);
	if (r < 0)
		return r;
	r = db_run(db, "UPDATE audit_head SET last_id = $1, last_hash = $2, mac = $3"
		       " WHERE id = 1 AND last_id = $4",
		   "itti", id, hash, head_mac, last_id);
	if (r < 0)
		return r;
	return r == 1 ? 0 : -EIO;
}

int audit_append(struct db *db, bool in_tx, const char *actor, const char *action,
		 const char *subject, const char *outcome, const char *details)
{
	int r;

	if (isempty(actor) || isempty(action) || isempty(outcome))
		return -EINVAL;
	if (!audit_key_set)
		return -ENOKEY;
	if (in_tx)
		return append_locked(db, actor, action, subject, outcome, details);
	r = db_begin(db);
	if (r < 0)
		return r;
	return db_end(db, append_locked(db, actor, action, subject, outcome, details));
}

const char *audit_fault_str(enum audit_fault f)
{
	static const char *const s[] = {
		[AUDIT_INTACT] = "intact",
		[AUDIT_ID_GAP] = "this event is missing: the ids are not consecutive "
				 "(an event was deleted or an id was changed)",
		[AUDIT_LINK] = "it does not link to the event before it "
			       "(an event was removed, inserted or altered)",
		[AUDIT_HASH] = "its content does not match its hash (the event was altered)",
		[AUDIT_MAC_MISSING] = "it carries no MAC (its MAC was removed, or the chain "
				      "was never sealed with the audit key)",
		[AUDIT_MAC] = "its MAC is wrong (the event was rewritten and the chain "
			      "recomputed without the key, or the master key is not the one "
			      "that wrote it)",
		[AUDIT_HEAD_MISSING] = "the head record (audit_head) is missing",
		[AUDIT_HEAD_MAC] = "the head's MAC is missing or wrong (the head was "
				   "rewritten without the key, or the master key differs)",
		[AUDIT_BEYOND_HEAD] = "it lies after the head's last event "
				      "(it was added without the key)",
		[AUDIT_TAIL_MISSING] = "this and the later events up to the head are missing "
				       "(the newest events were deleted: tail truncated)",
		[AUDIT_HEAD_HASH] = "the head's hash is not this event's hash "
				    "(the newest event was replaced)",
		[AUDIT_CHECKPOINT_MISSING] = "the chain ends before this checkpoint (the store "
					     "was rolled back to an older state, or the "
					     "checkpoint belongs to another store)",
		[AUDIT_CHECKPOINT_MAC] = "this event does not match the checkpoint (the chain "
					 "was rewritten up to it, or the checkpoint belongs "
					 "to another store)",
		[AUDIT_RESEAL] = "it carries no MAC although the chain was already sealed, or "
				 "the store was already keyed (MACs were stripped)",
	};

	return (unsigned)f < ELEMENTSOF(s) && s[f] ? s[f] : "unknown fault";
}

int audit_checkpoint_parse(const char *s, struct audit_checkpoint *ret)
{
	_cleanup_free_ char *id = NULL;
	const char *colon = s ? strchr(s, ':') : NULL;
	unsigned char mac[32];

	if (!colon || strlen(colon + 1) != 64 || hex_decode(colon + 1, mac, sizeof(mac)) < 0)
		return -EINVAL;
	id = strndup(s, (size_t)(colon - s));
	if (!id)
		return -ENOMEM;
	if (parse_int64(id, 0, INT64_MAX, &ret->id) < 0)
		return -EINVAL;
	/* Lower case, as printed. */
	hex_encode(mac, sizeof(mac), ret->mac);
	return 0;
}

/* One pass over the head and the chain (see audit_check and audit_seal).
 * Rows without MAC are judged as an old chain's while they are a prefix and
 * the head has none either; any other row without MAC is a fault at once. */
struct walk {
	bool seal;	/* collect the old rows' MACs to write */
	const struct audit_checkpoint *cp;
	struct audit_report rep;
	bool head_found, head_unsealed, head_bad, seen_mac, seen_seal_event;
	int64_t first_unsealed;	/* the first row without MAC (0: none) */
	char head_hash[65];
	/* seal: the MACs to write */
	struct todo {
		int64_t id;
		char mac[65];
	} *todo;
	size_t n_todo, cap_todo;
};

static int walk_fail(struct walk *w, enum audit_fault f, int64_t id)
{
	w->rep.fault = f;
	w->rep.bad_id = id;
	return -EUCLEAN;
}

static int walk_head(struct walk *w, struct db_stmt *st)
{
	const char *hash = db_col_text(st, 9);
	bool ok = false;
	int r;

	w->head_found = true;
	w->rep.head_id = db_col_int64(st, 1);
	if (!hash || strlen(hash) != 64)
		return walk_fail(w, AUDIT_HEAD_HASH, w->rep.head_id);
	memcpy(w->head_hash, hash, sizeof(w->head_hash));
	if (db_col_is_null(st, 10)) {
		/* Never sealed (or stripped): judged after the rows. */
		w->head_unsealed = true;
		return 0;
	}
	r = mac_ok(MAC_HEAD, w->rep.head_id, w->head_hash, db_col_text(st, 10), &ok);
	if (r < 0)
		return r;
	/* Reported after the rows: a bad event names the first bad id. */
	w->head_bad = !ok;
	return 0;
}

/* Remembers the MAC an old row gets when the seal commits. */
static int todo_add(struct walk *w, int64_t id, const char *hash)
{
	if (w->n_todo == w->cap_todo) {
		size_t cap = w->cap_todo ? w->cap_todo * 2 : 64;
		struct todo *t = reallocarray(w->todo, cap, sizeof(*t));

		if (!t)
			return -ENOMEM;
		w->todo = t;
		w->cap_todo = cap;
	}
	w->todo[w->n_todo].id = id;
	return chain_mac(MAC_ROW, id, hash, w->todo[w->n_todo++].mac);
}

static int walk_row(struct walk *w, struct db_stmt *st, int64_t expect, char prev[65])
{
	int64_t id = db_col_int64(st, 1);
	const char *stored_prev = db_col_text(st, 8), *stored = db_col_text(st, 9);
	const char *action = db_col_text(st, 4);
	char hash[65];
	bool ok = false;
	int r;

	if (!w->head_found)
		return walk_fail(w, AUDIT_HEAD_MISSING, 0);
	if (id != expect)
		return walk_fail(w, AUDIT_ID_GAP, expect);
	if (id > w->rep.head_id)
		return walk_fail(w, AUDIT_BEYOND_HEAD, id);
	if (!stored_prev || !streq(stored_prev, prev))
		return walk_fail(w, AUDIT_LINK, id);
	r = row_hash(prev, id, db_col_int64(st, 2), db_col_text(st, 3), action,
		     db_col_text(st, 5), db_col_text(st, 6), db_col_text(st, 7), hash);
	if (r < 0)
		return r;
	if (!stored || !streq(stored, hash))
		return walk_fail(w, AUDIT_HASH, id);
	if (db_col_is_null(st, 10)) {
		/* Old rows form a prefix of a chain whose head was never sealed. */
		if (w->seen_mac || !w->head_unsealed)
			return walk_fail(w, w->seal ? AUDIT_RESEAL : AUDIT_MAC_MISSING, id);
		if (!w->first_unsealed)
			w->first_unsealed = id;
		if (w->seal) {
			r = todo_add(w, id, hash);
			if (r < 0)
				return r;
		}
	} else {
		r = mac_ok(MAC_ROW, id, hash, db_col_text(st, 10), &ok);
		if (r < 0)
			return r;
		if (!ok)
			return walk_fail(w, AUDIT_MAC, id);
		w->seen_mac = true;
	}
	if (w->cp && w->cp->id == id) {
		r = mac_ok(MAC_HEAD, id, hash, w->cp->mac, &ok);
		if (r < 0)
			return r;
		if (!ok)
			return walk_fail(w, AUDIT_CHECKPOINT_MAC, id);
	}
	if (action && streq(action, "audit.seal"))
		w->seen_seal_event = true;
	memcpy(prev, hash, 65);
	return 0;
}

/* Head and rows in one statement: one snapshot, even while others append. */
#define WALK_SQL                                                                        \
	"SELECT 0, last_id, CAST(NULL AS BIGINT), CAST(NULL AS TEXT), CAST(NULL AS TEXT),"  \
	" CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT), CAST(NULL AS TEXT),"  \
	" last_hash, mac FROM audit_head WHERE id = 1"                                      \
	" UNION ALL"                                                                        \
	" SELECT 1, id, at, actor, action, subject, outcome, details, prev_hash, hash, mac" \
	" FROM audit_log ORDER BY 1, 2"

static int walk(struct db *db, struct walk *w)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char prev[65];
	int64_t expect = 1, last;
	bool ok = false;
	int r;

	if (!audit_key_set)
		return -ENOKEY;
	memcpy(prev, zero_hash, sizeof(prev));
	r = db_prepare(db, WALK_SQL, &st);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		r = db_col_int64(st, 0) == 0 ? walk_head(w, st) : walk_row(w, st, expect, prev);
		if (r < 0)
			return r;
		if (db_col_int64(st, 0) == 1) {
			expect++;
			w->rep.rows++;
		}
	}
	if (r < 0)
		return r;
	if (!w->head_found)
		return walk_fail(w, AUDIT_HEAD_MISSING, 0);
	if (w->head_bad)
		return walk_fail(w, AUDIT_HEAD_MAC, w->rep.head_id);
	last = expect - 1;
	if (last < w->rep.head_id)
		return walk_fail(w, AUDIT_TAIL_MISSING, last + 1);
	if (!streq(prev, w->head_hash))
		return walk_fail(w, AUDIT_HEAD_HASH, last);
	/* A head without MAC over sealed rows is a forged head, not an old
	 * chain: sealing it would bless a truncation. */
	if (w->head_unsealed && w->seen_mac)
		return walk_fail(w, AUDIT_HEAD_MAC, w->rep.head_id);
	if (w->cp && w->cp->id > last)
		return walk_fail(w, AUDIT_CHECKPOINT_MISSING, w->cp->id);
	if (w->cp && w->cp->id == 0) {
		r = mac_ok(MAC_HEAD, 0, zero_hash, w->cp->mac, &ok);
		if (r < 0)
			return r;
		if (!ok)
			return walk_fail(w, AUDIT_CHECKPOINT_MAC, 0);
	}
	/* An old chain that fits together is still not verified: it has no
	 * MAC until audit_seal (a break above is the more useful report). */
	if (!w->seal && w->first_unsealed)
		return walk_fail(w, AUDIT_MAC_MISSING, w->first_unsealed);
	if (!w->seal && w->head_unsealed)
		return walk_fail(w, AUDIT_HEAD_MAC, w->rep.head_id);
	return 0;
}

int audit_check(struct db *db, const struct audit_checkpoint *cp, struct audit_report *ret)
{
	struct walk w = { .cp = cp };
	int r;

	r = walk(db, &w);
	free(w.todo);
	if (ret)
		*ret = w.rep;
	return r;
}

int audit_verify(struct db *db, int64_t *ret_rows, int64_t *ret_bad_id)
{
	struct audit_report rep;
	int r;

	r = audit_check(db, NULL, &rep);
	if (r == 0 && ret_rows)
		*ret_rows = rep.rows;
	if (r == -EUCLEAN && ret_bad_id)
		*ret_bad_id = rep.bad_id;
	return r;
}

int audit_head_get(struct db *db, struct audit_checkpoint *ret)
{
	char hash[65];

	if (!audit_key_set)
		return -ENOKEY;
	return head_read(db, &ret->id, hash, ret->mac);
}

static int seal_locked(struct db *db, struct walk *w, bool upgrade, int64_t *ret_sealed)
{
	char head_mac[65], details[64];
	int64_t n = 0;
	int r;

	r = db_lock(db, "audit");
	if (r < 0)
		return r;
	/* A sealed head: nothing to do, and no walk at every start (whether
	 * its rows still verify is audit_check's question). */
	r = db_query_int64(db, "SELECT COUNT(*) FROM audit_head WHERE id = 1 AND mac IS NOT NULL",
			   NULL, &n);
	if (r < 0)
		return r;
	*ret_sealed = 0;
	if (n == 1)
		return 0;
	r = walk(db, w);
	if (r < 0)
		return r;
	/* A store that was already keyed when this process opened it has a
	 * sealed head: an unsealed one now means the MACs were stripped (to
	 * have a rewritten chain, or an emptied one, sealed as "old"). */
	if (!upgrade)
		return w->n_todo > 0 ? walk_fail(w, AUDIT_RESEAL, w->todo[0].id)
				     : walk_fail(w, AUDIT_HEAD_MAC, w->rep.head_id);
	if (w->n_todo > 0 && w->seen_seal_event)
		return walk_fail(w, AUDIT_RESEAL, w->todo[0].id);
	for (size_t i = 0; i < w->n_todo; i++) {
		r = db_run(db, "UPDATE audit_log SET mac = $1 WHERE id = $2 AND mac IS NULL", "ti",
			   w->todo[i].mac, w->todo[i].id);
		if (r < 0)
			return r;
		if (r != 1)
			return -EIO;
	}
	if (w->head_unsealed) {
		r = chain_mac(MAC_HEAD, w->rep.head_id, w->head_hash, head_mac);
		if (r < 0)
			return r;
		r = db_run(db, "UPDATE audit_head SET mac = $1 WHERE id = 1 AND mac IS NULL", "t",
			   head_mac);
		if (r < 0)
			return r;
		if (r != 1)
			return -EIO;
	}
	*ret_sealed = (int64_t)w->n_todo;
	if (w->n_todo == 0)
		return 0;
	snprintf(details, sizeof(details), "{\"events\":%zu}", w->n_todo);
	return append_locked(db, "system", "audit.seal", NULL, "ok", details);
}

int audit_seal(struct db *db, bool upgrade, int64_t *ret_sealed, struct audit_report *ret)
{
	struct walk w = { .seal = true };
	int64_t sealed = 0;
	int r;

	if (!audit_key_set)
		return -ENOKEY;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = db_end(db, seal_locked(db, &w, upgrade, &sealed));
	free(w.todo);
	if (ret)
		*ret = w.rep;
	if (r == 0 && ret_sealed)
		*ret_sealed = sealed;
	return r;
}
