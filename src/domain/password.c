/* password.c - Şifreli Giriş (see password.h): the güvenlik sözcüğü as an
 * scrypt hash, lockout counters, the login.
 *
 * An attempt is counted before the word is checked (so that parallel
 * attempts cannot outrun the lockout) and the count is taken back when
 * the word was right.  The hash runs outside any transaction: it takes
 * tens of milliseconds and must not hold the store's write lock. */
#include "domain/password.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>

#include "common/netaddr.h"
#include "domain/websession.h"
#include "store/audit.h"

/* scrypt N = 2^15, r = 8, p = 1: 32 MiB and some 50 ms per check. */
#define PW_LOGN 15
#define PW_R 8
#define PW_P 1
#define PW_SALT 16
#define PW_LEN 32
#define PW_MAXMEM (64u * 1024 * 1024)

/* Checked when the holder is unknown or has no word. */
static const char dummy_hash[] = PASSWORD_DUMMY_HASH;

static int derive(const char *word, const unsigned char *salt, size_t salt_n, unsigned logn,
		  unsigned r, unsigned p, unsigned char out[PW_LEN])
{
	if (logn < 10 || logn > 20 || r < 1 || r > 32 || p < 1 || p > 4)
		return -EINVAL;
	if (EVP_PBE_scrypt(word, strlen(word), salt, salt_n, (uint64_t)1 << logn, r, p,
			   PW_MAXMEM, out, PW_LEN) != 1)
		return -EIO;
	return 0;
}

int password_hash(const char *word, char **ret)
{
	unsigned char salt[PW_SALT], out[PW_LEN];
	char salt_hex[2 * PW_SALT + 1], out_hex[2 * PW_LEN + 1];
	int r;

	r = random_bytes(salt, sizeof(salt));
	if (r < 0)
		return r;
	r = derive(word, salt, sizeof(salt), PW_LOGN, PW_R, PW_P, out);
	if (r < 0)
		return r;
	hex_encode(salt, sizeof(salt), salt_hex);
	hex_encode(out, sizeof(out), out_hex);
	OPENSSL_cleanse(out, sizeof(out));
	*ret = strdup_printf("scrypt$%d$%d$%d$%s$%s", PW_LOGN, PW_R, PW_P, salt_hex, out_hex);
	OPENSSL_cleanse(out_hex, sizeof(out_hex));
	return *ret ? 0 : -ENOMEM;
}

static int unhex(const char *s, size_t n, unsigned char *out)
{
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -EINVAL;
		out[i] = (unsigned char)v;
	}
	return 0;
}

bool password_verify(const char *word, const char *stored)
{
	char salt_hex[2 * PW_SALT + 1], want_hex[2 * PW_LEN + 1];
	unsigned char salt[PW_SALT], want[PW_LEN], got[PW_LEN];
	unsigned logn, r, p;
	bool ok;

	if (!word || !stored ||
	    sscanf(stored, "scrypt$%u$%u$%u$%32[0-9a-f]$%64[0-9a-f]", &logn, &r, &p, salt_hex,
		   want_hex) != 5 ||
	    strlen(salt_hex) != 2 * PW_SALT || strlen(want_hex) != 2 * PW_LEN ||
	    unhex(salt_hex, PW_SALT, salt) < 0 || unhex(want_hex, PW_LEN, want) < 0 ||
	    derive(word, salt, PW_SALT, logn, r, p, got) < 0)
		return false;
	ok = CRYPTO_memcmp(got, want, PW_LEN) == 0;
	OPENSSL_cleanse(got, sizeof(got));
	OPENSSL_cleanse(want, sizeof(want));
	return ok;
}

int password_set(struct db *db, const char *tckn, const char *word, const char *actor,
		 enum refusal *ret_refusal)
{
	_cleanup_secret_ char *h = NULL;
	int64_t n;
	int r;

	if (!word || strlen(word) < 8 || strlen(word) > 128)
		return -EINVAL;
	r = password_hash(word, &h);
	if (r < 0)
		return r;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = db_query_int64(db, "SELECT COUNT(*) FROM holders WHERE tckn = $1", "t", &n, tckn);
	if (r >= 0 && n == 0) {
		db_rollback(db);
		*ret_refusal = REFUSAL_HOLDER_UNKNOWN;
		return -EACCES;
	}
	if (r >= 0)
		r = db_run(db, "INSERT INTO holder_secrets (tckn, word_hash, set_at) VALUES ($1, $2, $3)"
			       " ON CONFLICT (tckn) DO UPDATE SET word_hash = $2, set_at = $3",
			   "tti", tckn, h, now_sec());
	if (r >= 0) {	/* a new word is a fresh start */
		char name[32];

		snprintf(name, sizeof(name), "h:%s", tckn);
		r = db_run(db, "DELETE FROM login_failures WHERE name = $1", "t", name);
	}
	if (r >= 0)
		r = audit_append(db, true, actor, "holder.set_word", tckn, "ok", NULL);
	return db_end(db, r);
}

/* The two counters of an attempt. */
struct counters {
	char name[2][100];
};

static void counters_init(struct counters *c, const char *tckn, const char *client_addr)
{
	char key[80];

	netaddr_limit_key(client_addr ? client_addr : "", key, sizeof(key));
	snprintf(c->name[0], sizeof(c->name[0]), "h:%s", tckn);
	snprintf(c->name[1], sizeof(c->name[1]), "a:%s", key);
}

static int64_t lock_for(const struct config *cfg, int64_t failures)
{
	int64_t t = cfg->pw_lockout_base;

	for (int64_t i = cfg->pw_max_failures; i < failures && t < cfg->pw_lockout_max; i++)
		t *= 2;
	return MIN(t, cfg->pw_lockout_max);
}

/* In a transaction: refuses when either counter is locked (*ret_until:
 * the later end), otherwise counts the attempt as a failure on both. */
static int attempt_take(struct db *db, const struct config *cfg, const struct counters *c,
			int64_t now, int64_t *ret_until)
{
	int64_t failures[2] = { 0, 0 }, until = 0;
	int r;

	for (int i = 0; i < 2; i++) {
		_cleanup_stmt_ struct db_stmt *st = NULL;

		r = db_lock(db, c->name[i]);
		if (r < 0)
			return r;
		r = db_query_one(db, &st, "SELECT failures, locked_until, last_at FROM login_failures"
				   " WHERE name = $1", "t", c->name[i]);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		failures[i] = db_col_int64(st, 0);
		until = MAX(until, db_col_int64(st, 1));
		/* Quiet for the longest lockout: forgotten. */
		if (db_col_int64(st, 1) <= now && db_col_int64(st, 2) < now - cfg->pw_lockout_max)
			failures[i] = 0;
	}
	if (until > now) {
		*ret_until = until;
		return -EACCES;
	}
	for (int i = 0; i < 2; i++) {
		int64_t f = failures[i] + 1;
		int64_t lock = f >= cfg->pw_max_failures ? now + lock_for(cfg, f) : 0;

		r = db_run(db, "INSERT INTO login_failures (name, failures, locked_until, last_at)"
			       " VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO UPDATE SET"
			       " failures = $2, locked_until = $3, last_at = $4",
			   "tiii", c->name[i], f, lock, now);
		if (r < 0)
			return r;
	}
	return 0;
}

/* In a transaction: the word was right.  The holder starts afresh; the
 * address gets its attempt back (but keeps its other failures). */
static int attempt_give_back(struct db *db, const struct config *cfg, const struct counters *c)
{
	int r;

	r = db_run(db, "DELETE FROM login_failures WHERE name = $1", "t", c->name[0]);
	if (r >= 0)
		/* It was not locked when this attempt began (attempt_take). */
		r = db_run(db, "UPDATE login_failures SET failures = failures - 1, locked_until = 0"
			       " WHERE name = $1 AND failures > 0", "t", c->name[1]);
	return r < 0 ? r : 0;
}

static int audit_attempt(struct db *db, bool in_tx, const char *tckn, const char *client_addr,
			 const char *outcome, const char *error)
{
	_cleanup_free_ char *actor = strdup_printf("client:%s", client_addr ? client_addr : "-");
	_cleanup_free_ char *details = NULL;

	if (error)
		details = strdup_printf("{\"method\":\"şifre\",\"error\":\"%s\"}", error);
	else
		details = strdup("{\"method\":\"şifre\"}");
	if (!actor || !details)
		return -ENOMEM;
	return audit_append(db, in_tx, actor, error ? "session.password" : "session.login", tckn,
			    outcome, details);
}

int password_login(struct db *db, const struct config *cfg, const char *tckn, const char *word,
		   const char *client_addr, const char *web_hash, char **ret_id,
		   enum refusal *ret_refusal, int64_t *ret_retry_after)
{
	_cleanup_secret_ char *stored = NULL;
	_cleanup_secret_ char *id = NULL;
	struct counters c;
	int64_t now = now_sec(), until = 0;
	bool ok;
	int r;

	counters_init(&c, tckn, client_addr);
	r = db_begin(db);
	if (r < 0)
		return r;
	r = attempt_take(db, cfg, &c, now, &until);
	if (r == -EACCES) {
		db_rollback(db);
		r = audit_attempt(db, false, tckn, client_addr, "refused", "login_locked");
		if (r < 0)
			return r;
		*ret_retry_after = until - now;
		*ret_refusal = REFUSAL_LOGIN_LOCKED;
		return -EACCES;
	}
	r = db_end(db, r);
	if (r < 0)
		return r;

	{
		_cleanup_stmt_ struct db_stmt *st = NULL;

		r = db_query_one(db, &st, "SELECT s.word_hash FROM holder_secrets s JOIN holders h"
				   " ON h.tckn = s.tckn WHERE s.tckn = $1", "t", tckn);
		if (r == 0) {
			stored = strdup(db_col_text(st, 0));
			if (!stored)
				return -ENOMEM;
		} else if (r != -ENOENT) {
			return r;
		}
	}
	ok = password_verify(word, stored ? stored : dummy_hash) && stored;

	r = db_begin(db);
	if (r < 0)
		return r;
	if (!ok) {
		r = audit_attempt(db, true, tckn, client_addr, "refused", "login_failed");
		r = db_end(db, r);
		if (r < 0)
			return r;
		*ret_refusal = REFUSAL_LOGIN_FAILED;
		return -EACCES;
	}
	r = attempt_give_back(db, cfg, &c);
	if (r >= 0)
		r = websession_login_password(db, web_hash, tckn, client_addr, &id, ret_refusal);
	if (r >= 0)
		r = audit_attempt(db, true, tckn, client_addr, "ok", NULL);
	if (r == -EACCES) {
		db_rollback(db);
		return r;
	}
	r = db_end(db, r);
	if (r < 0)
		return r;
	*ret_id = TAKE_PTR(id);
	return 0;
}

int password_is_set(struct db *db, const char *tckn, bool *ret)
{
	int64_t n;
	int r = db_query_int64(db, "SELECT COUNT(*) FROM holder_secrets WHERE tckn = $1", "t", &n,
			       tckn);

	if (r < 0)
		return r;
	*ret = n > 0;
	return 0;
}

int password_purge(struct db *db, const struct config *cfg, int64_t *ret_n)
{
	int64_t now = now_sec();
	int r;

	r = db_run(db, "DELETE FROM login_failures WHERE locked_until <= $1 AND last_at < $2", "ii",
		   now, now - cfg->pw_lockout_max);
	if (r < 0)
		return r;
	if (ret_n)
		*ret_n = r;
	return 0;
}
