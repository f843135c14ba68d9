/* signing.c - signing sessions and verification codes in the store.
 *
 * Used by the browser API (api-signing.c), the application API
 * (api-app.c) and the signature check (sigcheck.c).  Every state change is
 * a single UPDATE guarded by the expected old state, so two racing
 * requests cannot both win. */
#include "server/signing.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <stdio.h>

#include "common/checkdigit.h"
#include "common/json.h"
#include "common/tckn.h"
#include "ca/texts.h"
#include "store/audit.h"

static const char *const purposes[] = {
	[PURPOSE_LOGIN] = "login",
	[PURPOSE_EONAY_GIVE] = "eonay-give",
	[PURPOSE_EONAY_CANCEL] = "eonay-cancel",
};

static const char *const purposes_tr[] = {
	[PURPOSE_LOGIN] = "E-imzalı Giriş",
	[PURPOSE_EONAY_GIVE] = "E-Onay verme",
	[PURPOSE_EONAY_CANCEL] = "E-Onay iptali",
};

static const char *const states[] = {
	[SS_WAITING] = "waiting",   [SS_CODE_USED] = "code_used", [SS_SIGNED] = "signed",
	[SS_REJECTED] = "rejected", [SS_EXPIRED] = "expired",	  [SS_REPLACED] = "replaced",
};

static const struct signing_error errors[] = {
	{ "internal", 500, "Beklenmeyen bir hata oluştu. Lütfen daha sonra tekrar deneyiniz." },
	{ "code_typo", 400, "Doğrulama kodu hatalı yazılmış. Lütfen tarayıcınızdaki kodu kontrol ederek tekrar giriniz." },
	{ "code_unknown", 404, "Bu doğrulama kodu bulunamadı. Lütfen tarayıcınızdaki kodu kontrol ediniz." },
	{ "code_expired", 410, "Doğrulama kodunun süresi dolmuş. Tarayıcınızda \"Tekrar Kod Al\" ile yeni bir kod alınız." },
	{ "code_replaced", 410, "Bu doğrulama kodu yenilenmiş. Lütfen tarayıcınızda görünen yeni kodu kullanınız." },
	{ "code_used", 409, "Bu doğrulama kodu daha önce kullanılmış. Tarayıcınızdan yeni bir kod alınız." },
	{ "rate_limited", 429, "Çok fazla deneme yapıldı. Lütfen bir süre bekleyip tekrar deneyiniz." },
	{ "token_invalid", 403, "İmzalama oturumu bulunamadı. Lütfen doğrulama kodunu yeniden giriniz." },
	{ "session_closed", 409, "Bu imzalama oturumu artık açık değil. Tarayıcınızdan yeni bir kod alınız." },
	{ "session_expired", 410, "İmzalama süresi doldu. Tarayıcınızda \"Tekrar Kod Al\" ile yeni bir kod alınız." },
	{ "signature_count", 400, "Gönderilen imza sayısı imzalanacak metin sayısıyla aynı değil." },
	{ "signature_malformed", 400, "Gönderilen imza okunamadı." },
	{ "signature_invalid", 422, "İmza doğrulanamadı." },
	{ "signing_time_skew", 422, "İmza zamanı bu işlemin zamanıyla uyuşmuyor. Bilgisayarınızın saatini kontrol ediniz." },
	{ "content_mismatch", 422, "İmzalanan metin bu işlem için verilen metinle aynı değil." },
	{ "signer_mismatch", 403, "İmzalayan sertifika bu işlemi başlatan kişiye ait değil." },
	{ "cert_on_hold", 403, "Sertifikanız askıda. Kullanıma açmak için Şifreli Giriş ile giriş yapıp \"Askıdan İndirme\" işlemini yapınız." },
	{ "cert_revoked", 403, "Sertifikanız iptal edilmiş. Bu sertifika ile imza atılamaz." },
	{ "cert_unknown", 403, "Bu sertifika merkezimizce verilmemiş veya tanınmıyor." },
	{ "signature_replayed", 409, "Bu imza daha önce kullanılmış. Her işlem için yeniden imzalayınız." },
	{ "eonay_already_active", 409, "E-Onay'ınız zaten etkin." },
	{ "eonay_not_active", 409, "Etkin bir E-Onay'ınız bulunmuyor." },
};

const char *signing_purpose_str(enum signing_purpose p)
{
	return (unsigned)p < _PURPOSE_MAX ? purposes[p] : "?";
}

const char *signing_purpose_tr(enum signing_purpose p)
{
	return (unsigned)p < _PURPOSE_MAX ? purposes_tr[p] : "?";
}

int signing_purpose_parse(const char *s, enum signing_purpose *ret)
{
	for (int i = 0; i < _PURPOSE_MAX; i++)
		if (s && streq(s, purposes[i])) {
			*ret = (enum signing_purpose)i;
			return 0;
		}
	return -EINVAL;
}

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

const struct signing_error *signing_error(const char *code)
{
	for (size_t i = 0; i < ELEMENTSOF(errors); i++)
		if (code && streq(errors[i].code, code))
			return &errors[i];
	return &errors[0];
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

static int insert_session(struct db *db, const struct config *cfg, const unsigned char key[32],
			  enum signing_purpose purpose, const char *tckn, const char *web_hash,
			  const char *client_addr, struct signing_session *ret,
			  char ret_code[SIGNING_CODE_DIGITS + 1])
{
	struct signing_session s = { .purpose = purpose, .state = SS_WAITING };
	_cleanup_json_ json_t *tmpl = NULL;
	unsigned char rnd[16];
	char code_hash[65];
	int r;

	r = sign_texts_load(db, signing_purpose_str(purpose), cfg->ca_short_name,
			       &s.text_version, &tmpl);
	if (r < 0)
		return r;
	snprintf(s.tckn, sizeof(s.tckn), "%s", tckn);
	snprintf(s.web_hash, sizeof(s.web_hash), "%s", web_hash);
	snprintf(s.client_addr, sizeof(s.client_addr), "%s", client_addr ? client_addr : "");
	s.created_at = s.state_at = now_sec();
	s.expires_at = s.created_at + cfg->code_lifetime;
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
		r = keyed_hash(key, ret_code, code_hash);
		if (r < 0)
			break;
		r = db_run(db, "INSERT INTO signing_sessions (id, code_hash, purpose, tckn,"
			       " web_session_hash, text_version, texts, client_addr, created_at,"
			       " expires_at, state, state_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8,"
			       " $9, $10, 'waiting', $9)",
			   "tttttittii", s.id, code_hash, signing_purpose_str(purpose), tckn, web_hash,
			   s.text_version, texts, s.client_addr, s.created_at, s.expires_at);
		if (r == 0) {
			s.texts = json_loads(texts, 0, NULL);
			if (!s.texts)
				r = -ENOMEM;
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

int signing_create(struct db *db, const struct config *cfg, const unsigned char key[32],
		   enum signing_purpose purpose, const char *tckn, const char *web_hash,
		   const char *client_addr, struct signing_session *ret,
		   char ret_code[SIGNING_CODE_DIGITS + 1])
{
	if (!tckn_valid(tckn) || (unsigned)purpose >= _PURPOSE_MAX || isempty(web_hash))
		return -EINVAL;
	return insert_session(db, cfg, key, purpose, tckn, web_hash, client_addr, ret, ret_code);
}

#define SESSION_COLUMNS "id, purpose, tckn, web_session_hash, text_version, texts, client_addr," \
			" created_at, expires_at, state, state_at, result_code, signer_serial," \
			" replaced_by"

static int session_from_row(struct db_stmt *st, struct signing_session *s)
{
	const char *t;

	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", db_col_text(st, 0));
	if (signing_purpose_parse(db_col_text(st, 1), &s->purpose) < 0 ||
	    state_parse(db_col_text(st, 9), &s->state) < 0)
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
	snprintf(s->result_code, sizeof(s->result_code), "%s", t ? t : "");
	t = db_col_text(st, 12);
	snprintf(s->signer_serial, sizeof(s->signer_serial), "%s", t ? t : "");
	t = db_col_text(st, 13);
	snprintf(s->replaced_by, sizeof(s->replaced_by), "%s", t ? t : "");
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

/* Loads the session where column = arg; with expire, one whose time is up
 * is marked expired on the way (a write). */
static int session_query(struct db *db, const char *where, const char *arg, bool expire,
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
	r = expire ? expire_if_due(db, ret) : 0;
	if (r < 0)
		signing_session_done(ret);
	return r;
}

static int get_by_id(struct db *db, const char *id, const char *web_hash, bool expire,
		     struct signing_session *ret)
{
	int r;

	if (isempty(id) || strlen(id) != 32)
		return -ENOENT;
	r = session_query(db, "id", id, expire, ret);
	if (r == 0 && web_hash && !streq(ret->web_hash, web_hash)) {
		signing_session_done(ret);
		return -ENOENT;	/* another browser's session: not ours to see */
	}
	return r;
}

int signing_get(struct db *db, const char *id, struct signing_session *ret)
{
	return get_by_id(db, id, NULL, true, ret);
}

int signing_get_own(struct db *db, const char *id, const char *web_hash,
		    struct signing_session *ret)
{
	return get_by_id(db, id, web_hash, true, ret);
}

int signing_peek_own(struct db *db, const char *id, const char *web_hash,
		     struct signing_session *ret)
{
	return get_by_id(db, id, web_hash, false, ret);
}

unsigned signing_wait_ms(const struct config *cfg, const struct signing_session *s,
			 const char *seen)
{
	int64_t left;

	if (!seen || !streq(seen, signing_state_str(s->state)) || signing_state_final(s->state))
		return 0;
	left = s->expires_at - now_sec();
	if (left <= 0)
		return 0;	/* its time is up: expired is the answer */
	left++;
	return (unsigned)MIN(cfg->poll_timeout, MAX(left, 1)) * 1000u;
}

int signing_renew(struct db *db, const struct config *cfg, const unsigned char key[32],
		  const char *id, const char *web_hash, const char *client_addr,
		  struct signing_session *ret, char ret_code[SIGNING_CODE_DIGITS + 1])
{
	struct signing_session old = { 0 }, s = { 0 };
	int r;

	r = db_begin(db);
	if (r < 0)
		return r;
	r = signing_get_own(db, id, web_hash, &old);
	if (r == 0 && signing_state_final(old.state) && old.state != SS_EXPIRED)
		r = -EBUSY;
	if (r == 0)
		r = insert_session(db, cfg, key, old.purpose, old.tckn, web_hash, client_addr, &s,
				   ret_code);
	if (r == 0) {
		r = db_run(db, "UPDATE signing_sessions SET state = 'replaced', state_at = $1,"
			       " replaced_by = $2 WHERE id = $3 AND state IN ('waiting', 'code_used',"
			       " 'expired')", "itt", now_sec(), s.id, old.id);
		if (r == 0)
			r = -EBUSY;	/* lost a race with the application */
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

int signing_claim(struct db *db, const unsigned char key[32], const char *code,
		  const char *app_addr, struct signing_session *ret, char **ret_token,
		  const char **ret_error)
{
	_cleanup_secret_ char *token = NULL;
	char digits[SIGNING_CODE_DIGITS + 8], hash[65], token_hash[65];
	struct signing_session s;
	int r;

	*ret_error = "code_typo";
	if (code_normalize(code ? code : "", digits, sizeof(digits)) < 0 ||
	    strlen(digits) != SIGNING_CODE_DIGITS ||
	    !checkdigit_valid(digits, SIGNING_CODE_DIGITS)) {
		OPENSSL_cleanse(digits, sizeof(digits));
		return -EACCES;
	}
	r = keyed_hash(key, digits, hash);
	OPENSSL_cleanse(digits, sizeof(digits));
	if (r < 0)
		return r;
	r = session_query(db, "code_hash", hash, true, &s);
	if (r == -ENOENT) {
		*ret_error = "code_unknown";
		return -EACCES;
	}
	if (r < 0)
		return r;
	switch (s.state) {
	case SS_WAITING:
		break;
	case SS_EXPIRED:
		*ret_error = "code_expired";
		signing_session_done(&s);
		return -EACCES;
	case SS_REPLACED:
		*ret_error = "code_replaced";
		signing_session_done(&s);
		return -EACCES;
	default:
		*ret_error = "code_used";
		signing_session_done(&s);
		return -EACCES;
	}
	r = token_new(32, &token);
	if (r == 0)
		r = keyed_hash(key, token, token_hash);
	if (r == 0)
		r = db_run(db, "UPDATE signing_sessions SET state = 'code_used', state_at = $1,"
			       " app_token_hash = $2, app_addr = $3 WHERE id = $4 AND state = 'waiting'",
			   "ittt", now_sec(), token_hash, app_addr, s.id);
	if (r == 0) {
		/* Someone else claimed it between our read and write. */
		*ret_error = "code_used";
		r = -EACCES;
	}
	if (r < 0) {
		signing_session_done(&s);
		return r;
	}
	s.state = SS_CODE_USED;
	*ret = s;
	*ret_token = TAKE_PTR(token);
	*ret_error = NULL;
	return 0;
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
	return session_query(db, "app_token_hash", hash, true, ret);
}

int signing_finish(struct db *db, const char *id, enum signing_state to,
		   const char *result_code, const char *signer_serial)
{
	int r;

	if (to != SS_SIGNED && to != SS_REJECTED)
		return -EINVAL;
	r = db_run(db, "UPDATE signing_sessions SET state = $1, state_at = $2, result_code = $3,"
		       " signer_serial = $4 WHERE id = $5 AND state = 'code_used'",
		   "tittt", signing_state_str(to), now_sec(), result_code, signer_serial, id);
	if (r < 0)
		return r;
	return r == 0 ? -EBUSY : 0;
}
