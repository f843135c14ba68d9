/* edevlet.c - E-Devlet ile Giriş in the store (see edevlet.h).
 *
 * Called by server/api-edevlet.c.  Only hashes of the state and of the
 * binding cookie are stored; the holder's session is written with
 * login_method 'e-devlet' in the transaction that audits the login. */
#include "domain/edevlet.h"

#include <openssl/crypto.h>
#include <stdio.h>

#include "common/tckn.h"
#include "domain/websession.h"
#include "store/audit.h"

void edevlet_begin_done(struct edevlet_begin *b)
{
	secret_free(b->state);
	secret_free(b->binding);
	free(b->nonce);
	secret_free(b->verifier);
	*b = (struct edevlet_begin){ 0 };
}

int edevlet_derive(const unsigned char key[32], const char *what, const char *state,
		   char **ret)
{
	_cleanup_free_ char *msg = strdup_printf("edevlet-%s\n%s", what, state);
	unsigned char mac[32];
	int r;

	if (!msg)
		return -ENOMEM;
	r = hmac_sha256(key, msg, mac);
	if (r == 0)
		r = base64url_encode(mac, sizeof(mac), ret);
	OPENSSL_cleanse(mac, sizeof(mac));
	return r;
}

int edevlet_begin(struct db *db, const unsigned char key[32], const char *web_hash,
		  const char *client_addr, struct edevlet_begin *ret)
{
	struct edevlet_begin b = { 0 };
	char state_hash[65], binding_hash[65];
	int64_t now = now_sec();
	int r;

	r = token_new(32, &b.state);
	if (r >= 0)
		r = token_new(32, &b.binding);
	if (r >= 0)
		r = edevlet_derive(key, "nonce", b.state, &b.nonce);
	if (r >= 0)
		r = edevlet_derive(key, "pkce", b.state, &b.verifier);
	if (r >= 0)
		r = sha256_hex(b.state, strlen(b.state), state_hash);
	if (r >= 0)
		r = sha256_hex(b.binding, strlen(b.binding), binding_hash);
	if (r >= 0)
		r = db_run(db, "INSERT INTO edevlet_states (state_hash, binding_hash, web_hash,"
			       " created_at, expires_at, client_addr) VALUES ($1, $2, $3, $4, $5, $6)",
			   "tttiit", state_hash, binding_hash, web_hash, now,
			   now + EDEVLET_STATE_LIFETIME, client_addr);
	if (r < 0) {
		edevlet_begin_done(&b);
		return r;
	}
	*ret = b;
	return 0;
}

static int refuse(enum refusal *ret_refusal, enum refusal why)
{
	*ret_refusal = why;
	return -EACCES;
}

static int consume_tx(struct db *db, const char *state_hash, const char *binding,
		      const char *code_hash, struct edevlet_pending *ret,
		      enum refusal *ret_refusal)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char binding_hash[65];
	int64_t n, now = now_sec();
	bool used, expired, bound;
	int r;

	if (code_hash) {
		r = db_query_int64(db, "SELECT COUNT(*) FROM edevlet_states WHERE code_hash = $1",
				   "t", &n, code_hash);
		if (r < 0)
			return r;
		if (n > 0)
			return refuse(ret_refusal, REFUSAL_EDEVLET_CODE_REUSED);
	}
	r = db_query_one(db, &st, "SELECT binding_hash, web_hash, expires_at, used_at FROM"
			 " edevlet_states WHERE state_hash = $1", "t", state_hash);
	if (r == -ENOENT)
		return refuse(ret_refusal, REFUSAL_EDEVLET_STATE_INVALID);
	if (r < 0)
		return r;
	r = sha256_hex(binding ? binding : "", binding ? strlen(binding) : 0, binding_hash);
	if (r < 0)
		return r;
	bound = !isempty(binding) && streq_ct(db_col_text(st, 0), binding_hash);
	snprintf(ret->web_hash, sizeof(ret->web_hash), "%s", db_col_text(st, 1));
	expired = now > db_col_int64(st, 2);
	used = !db_col_is_null(st, 3);
	db_stmt_done(TAKE_PTR(st));
	/* Someone else's state: refused without spending it. */
	if (!bound)
		return refuse(ret_refusal, REFUSAL_EDEVLET_STATE_INVALID);
	if (used)
		return refuse(ret_refusal, REFUSAL_EDEVLET_STATE_USED);
	r = db_run(db, "UPDATE edevlet_states SET used_at = $1, code_hash = $2 WHERE"
		       " state_hash = $3 AND used_at IS NULL", "itt", now, code_hash, state_hash);
	if (r == -EEXIST)	/* the same code raced in with another state */
		return refuse(ret_refusal, REFUSAL_EDEVLET_CODE_REUSED);
	if (r < 0)
		return r;
	if (r == 0)
		return refuse(ret_refusal, REFUSAL_EDEVLET_STATE_USED);
	if (expired)	/* spent now, and refused */
		return refuse(ret_refusal, REFUSAL_EDEVLET_STATE_EXPIRED);
	return 0;
}

int edevlet_consume(struct db *db, const char *state, const char *binding, const char *code,
		    struct edevlet_pending *ret, enum refusal *ret_refusal)
{
	char state_hash[65], code_hash[65];
	enum refusal why = REFUSAL_NONE;
	int r;

	if (isempty(state) || strlen(state) > 128)
		return refuse(ret_refusal, REFUSAL_EDEVLET_STATE_INVALID);
	r = sha256_hex(state, strlen(state), state_hash);
	if (r < 0)
		return r;
	if (code) {
		if (isempty(code) || strlen(code) > 1024)
			return refuse(ret_refusal, REFUSAL_EDEVLET_CODE_REJECTED);
		r = sha256_hex(code, strlen(code), code_hash);
		if (r < 0)
			return r;
	}
	r = db_begin(db);
	if (r < 0)
		return r;
	r = consume_tx(db, state_hash, binding, code ? code_hash : NULL, ret, &why);
	/* An expired state is spent even though it is refused. */
	r = db_end(db, r == -EACCES && why == REFUSAL_EDEVLET_STATE_EXPIRED ? 0 : r);
	if (r < 0 && r != -EACCES)
		return r;
	if (why != REFUSAL_NONE)
		return refuse(ret_refusal, why);
	return r;
}

int edevlet_refused(struct db *db, const char *tckn, const char *client_addr, enum refusal why)
{
	_cleanup_free_ char *actor = NULL, *details = NULL;

	actor = !isempty(tckn) ? strdup_printf("holder:%s", tckn)
			       : strdup_printf("client:%s", client_addr ? client_addr : "-");
	details = strdup_printf("{\"method\":\"e-devlet\",\"reason\":\"%s\"}", refusal_code(why));
	if (!actor || !details)
		return -ENOMEM;
	return audit_append(db, false, actor, "session.login", NULL, "refused", details);
}

static int login_tx(struct db *db, const struct edevlet_pending *p, const char *tckn,
		    const char *client_addr, const char *id, enum refusal *ret_refusal)
{
	_cleanup_free_ char *actor = strdup_printf("holder:%s", tckn);
	int64_t n;
	int r;

	if (!actor)
		return -ENOMEM;
	r = db_query_int64(db, "SELECT COUNT(*) FROM holders WHERE tckn = $1", "t", &n, tckn);
	if (r < 0)
		return r;
	if (n == 0)
		return refuse(ret_refusal, REFUSAL_EDEVLET_UNKNOWN_PERSON);
	r = websession_insert(db, id, tckn, client_addr, "e-devlet", NULL);
	if (r < 0)
		return r;
	/* No fixation: the anonymous session that started the login ends. */
	r = db_run(db, "DELETE FROM web_sessions WHERE id_hash = $1", "t", p->web_hash);
	if (r < 0)
		return r;
	return audit_append(db, true, actor, "session.login", NULL, "ok",
			    "{\"method\":\"e-devlet\"}");
}

int edevlet_login(struct db *db, const struct edevlet_pending *p, const char *tckn,
		  const char *client_addr, char **ret_id, enum refusal *ret_refusal)
{
	_cleanup_secret_ char *id = NULL;
	enum refusal why = REFUSAL_NONE;
	int r;

	if (isempty(tckn) || tckn_check(tckn) != TCKN_OK) {
		r = edevlet_refused(db, NULL, client_addr, REFUSAL_EDEVLET_UNKNOWN_PERSON);
		return r < 0 ? r : refuse(ret_refusal, REFUSAL_EDEVLET_UNKNOWN_PERSON);
	}
	r = token_new(32, &id);
	if (r < 0)
		return r;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = login_tx(db, p, tckn, client_addr, id, &why);
	r = db_end(db, r);
	if (r == -EACCES) {
		r = edevlet_refused(db, tckn, client_addr, why);
		return r < 0 ? r : refuse(ret_refusal, why);
	}
	if (r < 0)
		return r;
	*ret_id = TAKE_PTR(id);
	return 0;
}

int edevlet_purge(struct db *db, int64_t *ret_n)
{
	int r = db_run(db, "DELETE FROM edevlet_states WHERE expires_at < $1", "i",
		       now_sec() - EDEVLET_STATE_LIFETIME);

	if (r < 0)
		return r;
	if (ret_n)
		*ret_n = r;
	return 0;
}
