/* signing.c - signing sessions and verification codes in the store.
 *
 * Used by the browser API (api-signing.c), the application API
 * (api-app.c) and the signature decision (signature.c).  Every state change is
 * a single UPDATE guarded by the expected old state, so two racing
 * requests cannot both win. */
#include "domain/signing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>

#include "common/checkdigit.h"
#include "common/json.h"
#include "common/netaddr.h"
#include "common/tckn.h"
#include "domain/pinreset.h"
#include "domain/texts.h"
#include "store/audit.h"

static const char *const states[] = {
	[SS_WAITING] = "waiting",   [SS_CODE_USED] = "code_used", [SS_SIGNED] = "signed",
	[SS_REJECTED] = "rejected", [SS_EXPIRED] = "expired",	  [SS_REPLACED] = "replaced",
};

const char *signing_state_str(enum signing_state s)
{
	return (unsigned)s < _SS_MAX ? states[s] : "?";
}

static int state_parse(const char *s, enum signing_state *ret)
{
	for (int i = 0; i < _SS_MAX; i++)
		if (s && streq(s, states[i])) {
			*ret = (enum signing_state)i;
			return 0;
		}
	return -EINVAL;
}

bool signing_state_final(enum signing_state s)
{
	return s != SS_WAITING && s != SS_CODE_USED;
}

void signing_session_done(struct signing_session *s)
{
	if (!s)
		return;
	json_decref(s->texts);
	memset(s, 0, sizeof(*s));
}

/* HMAC-SHA256(key, s) as hex: how codes and application tokens are kept. */
static int keyed_hash(const unsigned char key[32], const char *s, char ret[65])
{
	unsigned char mac[32];
	int r = hmac_sha256(key, s, mac);

	if (r == 0)
		hex_encode(mac, 32, ret);
	return r;
}

static int code_new(char ret[SIGNING_CODE_DIGITS + 1])
{
	for (int i = 0; i < SIGNING_CODE_DIGITS - 1; i++) {
		uint32_t d;
		int r = random_uniform(10, &d);
		if (r < 0)
			return r;
		ret[i] = (char)('0' + d);
	}
	ret[SIGNING_CODE_DIGITS - 1] = (char)checkdigit_compute(ret, SIGNING_CODE_DIGITS - 1);
	ret[SIGNING_CODE_DIGITS] = '\0';
	return 0;
}

/* The texts of one session: each template followed by the session's own
 * reference, so that a signature made for one session can never be
 * presented for another, even with the same wording. */
static int texts_bind(const json_t *tmpl, const char *id, int64_t created, char **ret)
{
	char ts[21];
	json_t *a, *t;
	size_t i;

	iso8601_utc(created, ts);
	a = json_array();
	if (!a)
		return -ENOMEM;
	json_array_foreach(tmpl, i, t) {
		_cleanup_free_ char *x = strdup_printf("%s\n\nİşlem No: %s\nOluşturma: %s",
						       json_string_value(t), id, ts);
		if (!x || json_array_append_new(a, json_string(x)) < 0) {
			json_decref(a);
			return -ENOMEM;
		}
	}
	*ret = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	return *ret ? 0 : -ENOMEM;
}

static int insert_session(struct db *db, const struct act_ctx *ctx, const struct signed_act *act,
			  const char *tckn, const struct act_input *in, const char *web_hash,
			  const char *client_addr, struct signing_session *ret,
			  char ret_code[SIGNING_CODE_DIGITS + 1], enum refusal *ret_refusal)
{
	int64_t explanation_version = in->bound_version;
	struct signing_session s = { .act = act, .state = SS_WAITING,
				     .explanation_version = explanation_version };

	snprintf(s.subject, sizeof(s.subject), "%s", in->subject ? in->subject : "");
	_cleanup_json_ json_t *tmpl = NULL;
	unsigned char rnd[16];
	char code_hash[65], client_key[80];
	int r;

	r = sign_texts_load(db, act->texts, ctx->cfg->ca_short_name,
			       &s.text_version, &tmpl);
	if (r < 0)
		return r;
	if (act->compose) {
		r = act->compose(db, ctx, tckn, in, tmpl, ret_refusal);
		if (r < 0)
			return r;
	}
	snprintf(s.tckn, sizeof(s.tckn), "%s", tckn);
	snprintf(s.web_hash, sizeof(s.web_hash), "%s", web_hash);
	snprintf(s.client_addr, sizeof(s.client_addr), "%s", client_addr ? client_addr : "");
	netaddr_limit_key(s.client_addr, client_key, sizeof(client_key));
	s.created_at = s.state_at = now_sec();
	s.expires_at = s.created_at + ctx->cfg->code_lifetime;
	/* A collision of code (1 in 10^15 per live code) or id just draws again. */
	for (int attempt = 0; attempt < 5; attempt++) {
		_cleanup_free_ char *texts = NULL;

		r = random_bytes(rnd, sizeof(rnd));
		if (r < 0)
			break;
		hex_encode(rnd, sizeof(rnd), s.id);
		r = texts_bind(tmpl, s.id, s.created_at, &texts);
		if (r < 0)
			break;
		r = code_new(ret_code);
		if (r < 0)
			break;
		r = keyed_hash(ctx->code_key, ret_code, code_hash);
		if (r < 0)
			break;
		r = db_run(db, "INSERT INTO signing_sessions (id, code_hash, purpose, tckn,"
			       " web_session_hash, text_version, texts, client_addr, created_at,"
			       " expires_at, state, state_at, explanation_version, subject, client_key)"
			       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'waiting', $9, $11,"
			       " $12, $13)",
			   "tttttittiiitt", s.id, code_hash, act->name, tckn, web_hash,
			   s.text_version, texts, s.client_addr, s.created_at, s.expires_at,
			   explanation_version, s.subject[0] ? s.subject : NULL, client_key);
		if (r >= 0) {
			s.texts = json_loads(texts, 0, NULL);
			r = s.texts ? 0 : -ENOMEM;
		}
		if (r != -EEXIST)
			break;
	}
	OPENSSL_cleanse(code_hash, sizeof(code_hash));
	if (r < 0) {
		OPENSSL_cleanse(ret_code, SIGNING_CODE_DIGITS + 1);
		signing_session_done(&s);
		return r;
	}
	*ret = s;
	return 0;
}

/* In a transaction: refuses too_many_open when the address (its limit
 * key) or, for an act of a logged-in holder, the holder already has as
 * many open sessions (waiting or claimed, not expired) as allowed. */
static int open_bound(struct db *db, const struct config *cfg, const char *holder,
		      const char *client_addr, enum refusal *ret_refusal)
{
	_cleanup_free_ char *lock_a = NULL, *lock_h = NULL;
	char key[80];
	int64_t n = 0, now = now_sec();
	int r;

	netaddr_limit_key(client_addr ? client_addr : "", key, sizeof(key));
	lock_a = strdup_printf("signing-open:a:%s", key);
	if (!lock_a)
		return -ENOMEM;
	r = db_lock(db, lock_a);
	if (r == 0)
		r = db_query_int64(db, "SELECT COUNT(*) FROM signing_sessions WHERE client_key = $1"
				       " AND expires_at > $2 AND state IN ('waiting', 'code_used')",
				   "ti", &n, key, now);
	if (r < 0)
		return r;
	if (n >= cfg->open_per_client) {
		*ret_refusal = REFUSAL_TOO_MANY_OPEN;
		return -EACCES;
	}
	if (isempty(holder))
		return 0;
	lock_h = strdup_printf("signing-open:h:%s", holder);
	if (!lock_h)
		return -ENOMEM;
	r = db_lock(db, lock_h);
	/* created_at > now - lifetime: what may still be open (the index).
	 * Logins are started for a typed T.C. Kimlik No by anyone: they
	 * count per address only, else anyone could fill a holder's bound. */
	if (r == 0)
		r = db_query_int64(db, "SELECT COUNT(*) FROM signing_sessions WHERE tckn = $1"
				       " AND created_at > $2 AND expires_at > $3"
				       " AND state IN ('waiting', 'code_used') AND purpose <> 'login'",
				   "tii", &n, holder, now - cfg->code_lifetime - 1, now);
	if (r < 0)
		return r;
	if (n >= cfg->open_per_holder) {
		*ret_refusal = REFUSAL_TOO_MANY_OPEN;
		return -EACCES;
	}
	return 0;
}

int signing_start(struct db *db, const struct act_ctx *ctx, const struct signed_act *act,
		  const char *holder, const char *tckn, struct act_input *in,
		  const char *web_hash, const char *client_addr, struct signing_session *ret,
		  char ret_code[SIGNING_CODE_DIGITS + 1], enum refusal *ret_refusal)
{
	struct act_input none = { 0 };
	bool made = false;
	int r;

	if (!act || isempty(web_hash))
		return -EINVAL;
	if (!in)
		in = &none;
	in->bound_version = 0;
	if (act->needs_holder) {
		if (isempty(holder)) {
			*ret_refusal = REFUSAL_NOT_LOGGED_IN;
			return -EACCES;
		}
		tckn = holder;
	}
	if (!tckn || !tckn_valid(tckn)) {
		*ret_refusal = REFUSAL_BAD_TCKN;
		return -EACCES;
	}
	if (act->precondition) {
		r = act->precondition(db, ctx, tckn, in, ret_refusal);
		if (r < 0)
			return r;
	}
	/* The bound and the insert in one transaction, under the address's
	 * (then the holder's) lock: two starts cannot both take the last place. */
	r = db_begin(db);
	if (r < 0)
		return r;
	r = open_bound(db, ctx->cfg, act->needs_holder ? tckn : NULL, client_addr, ret_refusal);
	if (r == 0) {
		r = insert_session(db, ctx, act, tckn, in, web_hash, client_addr, ret, ret_code,
				   ret_refusal);
		made = r == 0;
	}
	r = db_end(db, r);
	if (r < 0 && made) {	/* the commit failed */
		OPENSSL_cleanse(ret_code, SIGNING_CODE_DIGITS + 1);
		signing_session_done(ret);
	}
	return r;
}

#define SESSION_COLUMNS "id, purpose, tckn, web_session_hash, text_version, texts, client_addr," \
			" created_at, expires_at, state, state_at, result_code, signer_serial," \
			" replaced_by, explanation_version, app_event, app_addr, claims, subject"

static int session_from_row(struct db_stmt *st, struct signing_session *s)
{
	const char *t;

	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", db_col_text(st, 0));
	s->act = act_find(db_col_text(st, 1));
	if (!s->act || state_parse(db_col_text(st, 9), &s->state) < 0)
		return -EUCLEAN;
	snprintf(s->tckn, sizeof(s->tckn), "%s", db_col_text(st, 2));
	snprintf(s->web_hash, sizeof(s->web_hash), "%s", db_col_text(st, 3));
	s->text_version = db_col_int64(st, 4);
	s->texts = json_loads(db_col_text(st, 5), 0, NULL);
	if (!json_is_array(s->texts)) {
		signing_session_done(s);
		return -EUCLEAN;
	}
	t = db_col_text(st, 6);
	snprintf(s->client_addr, sizeof(s->client_addr), "%s", t ? t : "");
	s->created_at = db_col_int64(st, 7);
	s->expires_at = db_col_int64(st, 8);
	s->state_at = db_col_int64(st, 10);
	t = db_col_text(st, 11);
	s->result = refusal_parse(t);
	t = db_col_text(st, 12);
	snprintf(s->signer_serial, sizeof(s->signer_serial), "%s", t ? t : "");
	t = db_col_text(st, 13);
	snprintf(s->replaced_by, sizeof(s->replaced_by), "%s", t ? t : "");
	s->explanation_version = db_col_is_null(st, 14) ? 0 : db_col_int64(st, 14);
	t = db_col_text(st, 15);
	snprintf(s->app_event, sizeof(s->app_event), "%s", t ? t : "");
	t = db_col_text(st, 16);
	snprintf(s->app_addr, sizeof(s->app_addr), "%s", t ? t : "");
	s->claims = db_col_int64(st, 17);
	t = db_col_text(st, 18);
	snprintf(s->subject, sizeof(s->subject), "%s", t ? t : "");
	return 0;
}

/* Expires a live session whose time is up (guarded by its state). */
static int expire_if_due(struct db *db, struct signing_session *s)
{
	int64_t now = now_sec();
	int r;

	if (signing_state_final(s->state) || now < s->expires_at)
		return 0;
	r = db_run(db, "UPDATE signing_sessions SET state = 'expired', state_at = $1"
		       " WHERE id = $2 AND state IN ('waiting', 'code_used')", "it", now, s->id);
	if (r < 0)
		return r;
	s->state = SS_EXPIRED;
	s->state_at = now;
	return 0;
}

/* Loads the session where column = arg; one whose time is up is marked
 * expired on the way (a write). */
static int session_query(struct db *db, const char *where, const char *arg,
			 struct signing_session *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	_cleanup_free_ char *sql = strdup_printf("SELECT " SESSION_COLUMNS
						 " FROM signing_sessions WHERE %s = $1", where);
	int r;

	if (!sql)
		return -ENOMEM;
	r = db_query_one(db, &st, sql, "t", arg);
	if (r < 0)
		return r;
	r = session_from_row(st, ret);
	if (r < 0)
		return r;
	db_stmt_done(TAKE_PTR(st));
	r = expire_if_due(db, ret);
	if (r < 0)
		signing_session_done(ret);
	return r;
}

static int get_by_id(struct db *db, const char *id, const char *web_hash,
		     struct signing_session *ret)
{
	int r;

	if (isempty(id) || strlen(id) != 32)
		return -ENOENT;
	r = session_query(db, "id", id, ret);
	if (r == 0 && web_hash && !streq(ret->web_hash, web_hash)) {
		signing_session_done(ret);
		return -ENOENT;	/* another browser's session: not ours to see */
	}
	return r;
}

int signing_get(struct db *db, const char *id, struct signing_session *ret)
{
	return get_by_id(db, id, NULL, ret);
}

int signing_get_own(struct db *db, const char *id, const char *web_hash,
		    struct signing_session *ret, enum refusal *ret_refusal)
{
	int r = get_by_id(db, id, web_hash, ret);

	if (r == -ENOENT) {
		*ret_refusal = REFUSAL_NOT_FOUND;
		return -EACCES;
	}
	return r;
}

unsigned signing_wait_ms(const struct config *cfg, const struct signing_session *s,
			 const char *seen, const char *seen_event)
{
	int64_t left;

	if (!seen || !streq(seen, signing_state_str(s->state)) || signing_state_final(s->state))
		return 0;
	if (!streq(seen_event ? seen_event : "", s->app_event))
		return 0;	/* the application reported something new */
	left = s->expires_at - now_sec();
	if (left <= 0)
		return 0;	/* its time is up: expired is the answer */
	left++;
	return (unsigned)MIN(cfg->poll_timeout, MAX(left, 1)) * 1000u;
}

int signing_renew(struct db *db, const struct act_ctx *ctx, const char *id,
		  const char *web_hash, const char *client_addr, struct signing_session *ret,
		  char ret_code[SIGNING_CODE_DIGITS + 1], enum refusal *ret_refusal)
{
	struct signing_session old = { 0 }, s = { 0 };
	struct act_input in = { 0 };
	int r;

	r = db_begin(db);
	if (r < 0)
		return r;
	r = signing_get_own(db, id, web_hash, &old, ret_refusal);
	if (r == 0 && signing_state_final(old.state) && old.state != SS_EXPIRED) {
		*ret_refusal = REFUSAL_SESSION_CLOSED;
		r = -EACCES;
	}
	if (r == 0 && old.act->precondition)
		r = old.act->precondition(db, ctx, old.tckn, NULL, ret_refusal);
	if (r == 0) {
		/* The same act about the same subject, its texts made again. */
		in.bound_version = old.explanation_version;
		in.subject = old.subject[0] ? old.subject : NULL;
		/* Renewing an expired session opens one more. */
		if (old.state == SS_EXPIRED)
			r = open_bound(db, ctx->cfg, old.act->needs_holder ? old.tckn : NULL,
				       client_addr, ret_refusal);
		if (r == 0)
			r = insert_session(db, ctx, old.act, old.tckn, &in, web_hash, client_addr, &s,
					   ret_code, ret_refusal);
	}
	if (r == 0) {
		r = db_run(db, "UPDATE signing_sessions SET state = 'replaced', state_at = $1,"
			       " replaced_by = $2 WHERE id = $3 AND state IN ('waiting', 'code_used',"
			       " 'expired')", "itt", now_sec(), s.id, old.id);
		if (r == 0) {	/* lost a race with the application */
			*ret_refusal = REFUSAL_SESSION_CLOSED;
			r = -EACCES;
		}
	}
	signing_session_done(&old);
	r = db_end(db, r);
	if (r < 0) {
		signing_session_done(&s);
		OPENSSL_cleanse(ret_code, SIGNING_CODE_DIGITS + 1);
		return r;
	}
	*ret = s;
	return 0;
}

/* The audit event of a claim, in the caller's transaction (evidence:
 * its failure fails the claim). */
static int claim_audit(struct db *db, const char *app_addr, const char *subject,
		       enum refusal refusal, int64_t claims)
{
	_cleanup_free_ char *actor = strdup_printf("client:%s", app_addr ? app_addr : "");
	_cleanup_free_ char *details = refusal ? strdup_printf("{\"error\":\"%s\"}",
							       refusal_code(refusal))
				     : claims > 1 ? strdup_printf("{\"claim\":%lld}", (long long)claims)
						  : NULL;

	if (!actor || ((refusal || claims > 1) && !details))
		return -ENOMEM;
	return audit_append(db, true, actor, "signing.claim", subject, refusal ? "refused" : "ok",
			    details);
}

/* May a claimed session be claimed again from app_addr?  1 yes, 0 no. */
static int reclaim_ok(struct db *db, const struct signing_session *s, const char *app_addr)
{
	char a[80], b[80];
	bool released;
	int r;

	if (s->claims >= SIGNING_MAX_CLAIMS)
		return 0;
	netaddr_limit_key(s->app_addr, a, sizeof(a));
	netaddr_limit_key(app_addr ? app_addr : "", b, sizeof(b));
	if (!streq(a, b))
		return 0;
	r = pinreset_released(db, s->id, &released);
	if (r < 0)
		return r;
	return released ? 0 : 1;
}

/* Looks the code up and takes the session: 0 with the token, or -EACCES
 * with the refusal (*ret filled, for the audit event, when a session was
 * found; the caller frees it either way). */
static int claim_take(struct db *db, const struct act_ctx *ctx, const char *code,
		      const char *app_addr, struct signing_session *ret, char **ret_token,
		      enum refusal *ret_refusal)
{
	_cleanup_secret_ char *token = NULL;
	char digits[SIGNING_CODE_DIGITS + 8], hash[65], token_hash[65];
	struct signing_session s;
	int r;

	if (code_normalize(code ? code : "", digits, sizeof(digits)) < 0 ||
	    strlen(digits) != SIGNING_CODE_DIGITS ||
	    !checkdigit_valid(digits, SIGNING_CODE_DIGITS)) {
		OPENSSL_cleanse(digits, sizeof(digits));
		*ret_refusal = REFUSAL_CODE_TYPO;
		return -EACCES;
	}
	r = keyed_hash(ctx->code_key, digits, hash);
	OPENSSL_cleanse(digits, sizeof(digits));
	if (r < 0)
		return r;
	r = session_query(db, "code_hash", hash, &s);
	if (r == -ENOENT) {
		*ret_refusal = REFUSAL_CODE_UNKNOWN;
		return -EACCES;
	}
	if (r < 0)
		return r;
	*ret = s;	/* the subject of the audit event, even when refused */
	switch (s.state) {
	case SS_WAITING:
		break;
	case SS_CODE_USED:
		r = reclaim_ok(db, &s, app_addr);
		if (r < 0)
			return r;
		if (r == 0) {
			*ret_refusal = REFUSAL_CODE_USED;
			return -EACCES;
		}
		break;
	case SS_EXPIRED:
		*ret_refusal = REFUSAL_CODE_EXPIRED;
		return -EACCES;
	case SS_REPLACED:
		*ret_refusal = REFUSAL_CODE_REPLACED;
		return -EACCES;
	default:
		*ret_refusal = REFUSAL_CODE_USED;
		return -EACCES;
	}
	r = token_new(32, &token);
	if (r == 0)
		r = keyed_hash(ctx->code_key, token, token_hash);
	if (r == 0)
		r = db_run(db, "UPDATE signing_sessions SET state = 'code_used', state_at = $1,"
			       " app_token_hash = $2, app_addr = $3, claims = claims + 1,"
			       " app_event = NULL WHERE id = $4 AND state = $5 AND claims = $6",
			   "itttti", now_sec(), token_hash, app_addr, s.id,
			   signing_state_str(s.state), s.claims);
	if (r == 0) {
		/* Someone else claimed it between our read and write. */
		*ret_refusal = REFUSAL_CODE_USED;
		r = -EACCES;
	}
	if (r < 0)
		return r;
	ret->state = SS_CODE_USED;
	ret->claims = s.claims + 1;
	ret->app_event[0] = '\0';
	*ret_token = TAKE_PTR(token);
	return 0;
}

int signing_claim(struct db *db, const struct act_ctx *ctx, const char *code,
		  const char *app_addr, struct signing_session *ret, char **ret_token,
		  enum refusal *ret_refusal)
{
	_cleanup_secret_ char *token = NULL;
	struct signing_session s = { 0 };
	enum refusal refusal = REFUSAL_NONE;
	int r, q;

	r = db_begin(db);
	if (r < 0)
		return r;
	r = claim_take(db, ctx, code, app_addr, &s, &token, &refusal);
	if (r == 0 || r == -EACCES) {
		q = claim_audit(db, app_addr, s.id[0] ? s.id : NULL, r == 0 ? REFUSAL_NONE : refusal,
				r == 0 ? s.claims : 0);
		if (q < 0)
			r = q;
	}
	/* A refusal is committed too: its audit event and an expiry on the way. */
	q = db_end(db, r == -EACCES ? 0 : r);
	if (q < 0 || r < 0) {
		signing_session_done(&s);
		if (q < 0)
			return q;
		*ret_refusal = refusal;
		return r;
	}
	*ret = s;
	*ret_token = TAKE_PTR(token);
	return 0;
}

static const char *const app_events[] = { "pin_wrong", "pin_locked", "declined", "no_cert" };

bool signing_app_event_known(const char *event)
{
	for (size_t i = 0; event && i < ELEMENTSOF(app_events); i++)
		if (streq(event, app_events[i]))
			return true;
	return false;
}

int signing_app_event(struct db *db, const struct act_ctx *ctx, const char *token,
		      const char *event, const char *app_addr, char ret_id[33],
		      enum refusal *ret_refusal)
{
	_cleanup_free_ char *actor = NULL, *details = NULL;
	struct signing_session s = { 0 };
	enum refusal why = REFUSAL_NONE;
	int r, q;

	if (!signing_app_event_known(event))
		return -EINVAL;
	r = db_begin(db);
	if (r < 0)
		return r;
	r = signing_find_by_token(db, ctx->code_key, token, &s);
	if (r == -ENOENT) {
		why = REFUSAL_TOKEN_INVALID;
		r = -EACCES;
	} else if (r == 0 && s.state != SS_CODE_USED) {
		why = s.state == SS_EXPIRED ? REFUSAL_SESSION_EXPIRED : REFUSAL_SESSION_CLOSED;
		r = -EACCES;
	}
	if (r == 0) {
		r = db_run(db, "UPDATE signing_sessions SET app_event = $1 WHERE id = $2"
			       " AND state = 'code_used'", "tt", event, s.id);
		if (r > 0)
			r = 0;
	}
	if (r == 0 || r == -EACCES) {
		actor = s.id[0] ? strdup_printf("holder:%s", s.tckn)
				: strdup_printf("client:%s", app_addr ? app_addr : "");
		details = r ? strdup_printf("{\"event\":\"%s\",\"error\":\"%s\"}", event,
					    refusal_code(why))
			    : strdup_printf("{\"event\":\"%s\"}", event);
		q = actor && details ? audit_append(db, true, actor, "signing.app_event",
						    s.id[0] ? s.id : NULL, r ? "refused" : "ok",
						    details)
				     : -ENOMEM;
		if (q < 0)
			r = q;
	}
	q = db_end(db, r == -EACCES ? 0 : r);
	if (q < 0)
		r = q;
	if (r == -EACCES)
		*ret_refusal = why;
	if (ret_id)
		snprintf(ret_id, 33, "%s", s.id);
	signing_session_done(&s);
	return r;
}

int signing_find_by_token(struct db *db, const unsigned char key[32], const char *token,
			  struct signing_session *ret)
{
	char hash[65];
	int r;

	if (isempty(token) || strlen(token) > 64)
		return -ENOENT;
	r = keyed_hash(key, token, hash);
	if (r < 0)
		return r;
	return session_query(db, "app_token_hash", hash, ret);
}

int signing_finish(struct db *db, const char *id, enum signing_state to,
		   enum refusal result, const char *signer_serial)
{
	int r;

	if (to != SS_SIGNED && to != SS_REJECTED)
		return -EINVAL;
	r = db_run(db, "UPDATE signing_sessions SET state = $1, state_at = $2, result_code = $3,"
		       " signer_serial = $4 WHERE id = $5 AND state = 'code_used'",
		   "tittt", signing_state_str(to), now_sec(),
		   result ? refusal_code(result) : NULL, signer_serial, id);
	if (r < 0)
		return r;
	return r == 0 ? -EBUSY : 0;
}

int signing_purge(struct db *db, const struct config *cfg, int64_t *ret_n)
{
	int r;

	/* signing_sessions_expires (migration 005) serves the range. */
	r = db_run(db, "DELETE FROM signing_sessions WHERE expires_at < $1 AND NOT EXISTS"
		       " (SELECT 1 FROM signatures g WHERE g.session_id = signing_sessions.id)",
		   "i", now_sec() - cfg->code_retention);
	if (r < 0)
		return r;
	if (ret_n)
		*ret_n = r;
	return 0;
}
