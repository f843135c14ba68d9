/* test-signature.c - the signature decision (domain/signature.c) with real
 * CAdES signatures (pki-fixture.c): accepted, replayed, content and signer
 * mismatch, revoked and held certificates, closed and expired sessions,
 * two E-Onay gives in flight, and a failed evidence write failing the act. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include <openssl/x509.h>

#include "common/json.h"
#include "domain-fixture.h"
#include "domain/certs.h"
#include "domain/signature.h"
#include "domain/cards.h"
#include "domain/pinreset.h"
#include "pki/seal.h"
#include "domain/signing.h"
#include "domain/websession.h"
#include "pki-fixture.h"
#include "pki/cades.h"
#include "pki/key.h"

#define OTHER_TCKN "10000000214"

static struct fx_ca root, issuing;
static X509_STORE *anchors;
static STACK_OF(X509) *chain;

struct holder_key {
	X509 *cert;
	EVP_PKEY *key;
	char serial[PKI_SERIAL_HEX_MAX];
	char issuer[PKI_KEY_ID_HEX_MAX];
};

struct world {
	struct dfx *f;
	struct signature_trust trust;
	struct holder_key ahmet, other;
	char *cookie;		/* the browser's anonymous session */
	char web_hash[65];
};

/* A holder certificate as the CA issues it, recorded active in the store. */
static void holder_key_new(struct dfx *f, const char *tckn, struct holder_key *ret)
{
	struct fx_holder_opts o = { .tckn = tckn, .policy_oid = f->cfg.pki_policy_oid };
	struct cert_record c = { 0 };
	_cleanup_free_ unsigned char *der = NULL;
	unsigned char *p;
	int n;

	assert_int_equal(fx_holder_new(&issuing, &o, &ret->cert, &ret->key), 0);
	assert_int_equal(pki_cert_serial_hex(ret->cert, ret->serial), 0);
	n = i2d_X509(ret->cert, NULL);
	assert_true(n > 0);
	der = malloc((size_t)n);
	assert_non_null(der);
	p = der;
	assert_int_equal(i2d_X509(ret->cert, &p), n);
	assert_int_equal(pki_cert_issuer_key_id_hex(ret->cert, ret->issuer), 0);
	snprintf(c.issuer, sizeof(c.issuer), "%s", ret->issuer);
	snprintf(c.serial, sizeof(c.serial), "%s", ret->serial);
	snprintf(c.tckn, sizeof(c.tckn), "%s", tckn);
	assert_int_equal(sha256_hex(der, (size_t)n, c.sha256), 0);
	c.subject_cn = (char *)"AYŞE YILMAZ";
	c.der = der;
	c.der_len = (size_t)n;
	c.not_before = now_sec() - 3600;
	c.not_after = now_sec() + 86400;
	c.issued_at = now_sec();
	c.status = CERT_ACTIVE;
	assert_int_equal(holder_put(f->db, tckn, "AYŞE", "YILMAZ", NULL, NULL), 0);
	assert_int_equal(cert_add(f->db, &c), 0);
}

static int setup(void **state)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	dfx_setup((void **)&w->f);
	w->trust = (struct signature_trust){ anchors, chain };
	holder_key_new(w->f, FX_TCKN, &w->ahmet);
	holder_key_new(w->f, OTHER_TCKN, &w->other);
	assert_int_equal(websession_create(w->f->db, "192.0.2.1", &w->cookie), 0);
	assert_int_equal(websession_hash(w->cookie, w->web_hash), 0);
	*state = w;
	return 0;
}

static int teardown(void **state)
{
	struct world *w = *state;

	X509_free(w->ahmet.cert);
	EVP_PKEY_free(w->ahmet.key);
	X509_free(w->other.cert);
	EVP_PKEY_free(w->other.key);
	free(w->cookie);
	dfx_teardown((void **)&w->f);
	free(w);
	return 0;
}

static int group_setup(void **state)
{
	assert_int_equal(fx_ca_new("Test Kök", NULL, "ec:P-256", 0, 0, &root), 0);
	assert_int_equal(fx_ca_new("Test Issuing", &root, "ec:P-256", 0, 0, &issuing), 0);
	anchors = X509_STORE_new();
	assert_non_null(anchors);
	assert_int_equal(X509_STORE_add_cert(anchors, root.cert), 1);
	chain = sk_X509_new_null();
	assert_non_null(chain);
	assert_int_equal(sk_X509_push(chain, issuing.cert), 1);
	return 0;
}

static int group_teardown(void **state)
{
	X509_STORE_free(anchors);
	sk_X509_free(chain);
	fx_ca_done(&root);
	fx_ca_done(&issuing);
	cades_cache_flush();
	return 0;
}

/* Starts a session for act and claims it: *ret_token for the submission. */
static void started(struct world *w, const char *act, struct signing_session *ret,
		    char **ret_token)
{
	struct act_input in = { .accepted = true, .explanation_version = 1 };
	enum refusal why = REFUSAL_NONE;
	struct signing_session c;
	char code[17];

	assert_int_equal(signing_start(w->f->db, &w->f->ctx, act_find(act), FX_TCKN, FX_TCKN, &in,
				       w->web_hash, "192.0.2.1", ret, code, &why), 0);
	assert_int_equal(signing_claim(w->f->db, &w->f->ctx, code, "198.51.100.7", &c, ret_token,
				       &why), 0);
	signing_session_done(&c);
}

/* The CAdES signature of text by h, base64. */
static char *signed_b64(const struct holder_key *h, const char *text)
{
	_cleanup_free_ unsigned char *der = NULL;
	char *b64 = NULL;
	size_t n;

	assert_int_equal(cades_sign(h->key, h->cert, chain, text, strlen(text), &der, &n), 0);
	assert_int_equal(base64_encode(der, n, &b64), 0);
	return b64;
}

/* Every text of s signed by h. */
static json_t *signatures_of(const struct holder_key *h, const struct signing_session *s)
{
	json_t *a = json_array(), *t;
	size_t i;

	json_array_foreach(s->texts, i, t) {
		_cleanup_free_ char *b = signed_b64(h, json_string_value(t));
		json_array_append_new(a, json_string(b));
	}
	return a;
}

static int submit(struct world *w, const char *token, json_t *sigs, enum refusal *why)
{
	struct signature_result res;
	int r;

	*why = REFUSAL_NONE;
	r = signature_submit(w->f->db, &w->f->ctx, &w->trust, token, sigs, "198.51.100.7", &res,
			     why);
	signature_result_done(&res);
	return r;
}

static enum signing_state state_of(struct world *w, const char *id, enum refusal *ret_result)
{
	struct signing_session s;
	enum signing_state st;

	assert_int_equal(signing_get(w->f->db, id, &s), 0);
	st = s.state;
	if (ret_result)
		*ret_result = s.result;
	signing_session_done(&s);
	return st;
}

/* A refused submission: the refusal, the session rejected with it. */
static void assert_refused(struct world *w, const struct signing_session *s, const char *token,
			   json_t *sigs, enum refusal want)
{
	enum refusal why, result;

	assert_int_equal(submit(w, token, sigs, &why), -EACCES);
	assert_int_equal(why, want);
	assert_int_equal(state_of(w, s->id, &result), SS_REJECTED);
	assert_int_equal(result, want);
	assert_int_equal(dfx_int(w->f, "SELECT COUNT(*) FROM audit_log WHERE action ="
				       " 'signing.submit' AND outcome = 'refused' AND subject = $1",
				 s->id), 1);
	assert_int_equal(dfx_int(w->f, "SELECT COUNT(*) FROM signatures WHERE session_id = $1",
				 s->id), 0);
}

static void test_login_accepted(void **state)
{
	struct world *w = *state;
	_cleanup_json_ json_t *sigs = NULL;
	struct signature_result res;
	enum refusal why = REFUSAL_NONE;
	struct signing_session s;
	struct websession ws;
	char *token, *cookie = NULL;

	started(w, "login", &s, &token);
	sigs = signatures_of(&w->ahmet, &s);
	assert_int_equal(signature_submit(w->f->db, &w->f->ctx, &w->trust, token, sigs,
					  "198.51.100.7", &res, &why), 0);
	assert_string_equal(res.session.id, s.id);
	assert_string_equal(res.session.act->name, "login");
	assert_string_equal(res.signer_serial, w->ahmet.serial);
	signature_result_done(&res);
	assert_int_equal(state_of(w, s.id, NULL), SS_SIGNED);
	assert_int_equal(dfx_int(w->f, "SELECT COUNT(*) FROM signatures WHERE session_id = $1",
				 s.id), 1);
	/* The login was applied in the accepting transaction, with its audit. */
	assert_int_equal(dfx_int(w->f, "SELECT COUNT(*) FROM audit_log WHERE action ="
				       " 'session.login' AND subject = $1", s.id), 1);
	assert_int_equal(dfx_int(w->f, "SELECT COUNT(*) FROM audit_log WHERE action ="
				       " 'signing.accept' AND subject = $1", s.id), 1);
	assert_int_equal(websession_login_take(w->f->db, &w->f->cfg, w->f->session_key, w->web_hash,
					       s.id, FX_TCKN, &cookie), 0);
	assert_int_equal(websession_find(w->f->db, &w->f->cfg, cookie, &ws), 0);
	assert_string_equal(ws.tckn, FX_TCKN);
	free(cookie);
	/* The same token again: the session is closed. */
	assert_int_equal(submit(w, token, sigs, &why), -EACCES);
	assert_int_equal(why, REFUSAL_SESSION_CLOSED);
	free(token);
	signing_session_done(&s);
}

static void test_replay_and_mismatch(void **state)
{
	struct world *w = *state;
	_cleanup_json_ json_t *first = NULL, *wrong = NULL, *other = NULL;
	_cleanup_free_ char *wrong_b64 = NULL;
	struct signing_session a, b, c, d;
	enum refusal why;
	char *ta, *tb, *tc, *td;

	started(w, "login", &a, &ta);
	first = signatures_of(&w->ahmet, &a);
	assert_int_equal(submit(w, ta, first, &why), 0);
	/* The accepted signature presented again for another session. */
	started(w, "login", &b, &tb);
	assert_refused(w, &b, tb, first, REFUSAL_SIGNATURE_REPLAYED);
	/* Another text than the one issued. */
	started(w, "login", &c, &tc);
	wrong_b64 = signed_b64(&w->ahmet, "Başka bir metin");
	wrong = json_pack("[s]", wrong_b64);
	assert_refused(w, &c, tc, wrong, REFUSAL_CONTENT_MISMATCH);
	/* Signed by somebody else than the holder who started it. */
	started(w, "login", &d, &td);
	other = signatures_of(&w->other, &d);
	assert_refused(w, &d, td, other, REFUSAL_SIGNER_MISMATCH);
	/* Its audit row names the signer the certificate names (and the
	 * session's holder as the actor). */
	{
		_cleanup_free_ char *actor = strdup_printf("holder:%s", FX_TCKN);
		_cleanup_free_ char *like = strdup_printf(
			"%%\"signer\":{\"tckn\":\"%s\",\"cn\":\"%%\",\"serial\":\"%s\"}%%",
			OTHER_TCKN, w->other.serial);
		int64_t n = -1;

		assert_int_equal(db_query_int64(w->f->db, "SELECT COUNT(*) FROM audit_log WHERE"
						" action = 'signing.submit' AND subject = $1 AND actor = $2"
						" AND details LIKE $3", "ttt", &n, d.id, actor, like), 0);
		assert_int_equal(n, 1);
	}
	free(ta), free(tb), free(tc), free(td);
	signing_session_done(&a), signing_session_done(&b);
	signing_session_done(&c), signing_session_done(&d);
}

static void test_form(void **state)
{
	struct world *w = *state;
	_cleanup_json_ json_t *none = json_array(), *bad = json_pack("[s]", "!!!");
	struct signing_session a, b;
	enum refusal why;
	char *ta, *tb;

	started(w, "login", &a, &ta);
	assert_refused(w, &a, ta, none, REFUSAL_SIGNATURE_COUNT);
	started(w, "login", &b, &tb);
	assert_refused(w, &b, tb, bad, REFUSAL_SIGNATURE_MALFORMED);
	/* An unknown token is the application's refusal, audited too. */
	assert_int_equal(submit(w, "no-such-token", none, &why), -EACCES);
	assert_int_equal(why, REFUSAL_TOKEN_INVALID);
	assert_int_equal(dfx_int(w->f, "SELECT COUNT(*) FROM audit_log WHERE action ="
				       " 'signing.submit' AND actor = $1", "client:198.51.100.7"), 1);
	free(ta), free(tb);
	signing_session_done(&a), signing_session_done(&b);
}

static void test_revoked_and_hold(void **state)
{
	struct world *w = *state;
	_cleanup_json_ json_t *sa = NULL, *sb = NULL;
	struct signing_session a, b;
	enum refusal why;
	char *ta, *tb;

	started(w, "login", &a, &ta);
	sa = signatures_of(&w->ahmet, &a);
	assert_int_equal(cert_hold(w->f->db, w->ahmet.issuer, w->ahmet.serial, "operator", &why), 0);
	assert_refused(w, &a, ta, sa, REFUSAL_CERT_ON_HOLD);
	started(w, "login", &b, &tb);
	sb = signatures_of(&w->ahmet, &b);
	assert_int_equal(cert_revoke(w->f->db, w->ahmet.issuer, w->ahmet.serial, 1, "operator", &why), 0);
	assert_refused(w, &b, tb, sb, REFUSAL_CERT_REVOKED);
	free(ta), free(tb);
	signing_session_done(&a), signing_session_done(&b);
}

/* pin-reset: the card signs with its new PIN, even on hold (a new card
 * is delivered on hold); the signature confirms the new SO PIN, and only
 * once the application is at so_changing on this very card. */
static void test_pin_reset_on_hold(void **state)
{
	struct world *w = *state;
	_cleanup_json_ json_t *sa = NULL, *sb = NULL;
	struct pinreset_release rel = { 0 };
	struct signing_session a, b;
	unsigned char master[32];
	char *ta, *tb, *sealed = NULL, *now = NULL, *next = NULL;
	enum refusal why;

	w->f->cfg.master_key_file = strdup_printf("%s/master.key", w->f->dir);
	assert_int_equal(master_key_load(&w->f->cfg, master), 0);
	assert_int_equal(seal_text(master, "CARD-1", "1111111111111111", &sealed), 0);
	assert_int_equal(card_add(w->f->db, "CARD-1", FX_TCKN, sealed, "produced"), 0);
	free(sealed);
	dfx_run(w->f, "UPDATE certificates SET card_serial = 'CARD-1' WHERE serial = $1",
		w->ahmet.serial);
	assert_int_equal(cert_hold(w->f->db, w->ahmet.issuer, w->ahmet.serial, "operator", &why), 0);

	/* signed before the SO PIN steps: refused by the effect */
	started(w, "pin-reset", &a, &ta);
	sa = signatures_of(&w->ahmet, &a);
	assert_refused(w, &a, ta, sa, REFUSAL_PIN_RESET_STATE);

	started(w, "pin-reset", &b, &tb);
	assert_int_equal(pinreset_release(w->f->db, &w->f->ctx, tb, "CARD-1", "198.51.100.7", &rel,
					  &why), 0);
	next = strdup(rel.new_so_pin);
	assert_int_equal(pinreset_verified(w->f->db, &w->f->ctx, tb, "current", "198.51.100.7", NULL,
					   &why), 0);
	assert_int_equal(pinreset_so_changing(w->f->db, &w->f->ctx, tb, "198.51.100.7", NULL, &why),
			 0);
	pinreset_release_done(&rel);
	sb = signatures_of(&w->ahmet, &b);
	assert_int_equal(submit(w, tb, sb, &why), 0);
	assert_int_equal(state_of(w, b.id, NULL), SS_SIGNED);
	assert_int_equal(card_so_pin_get(w->f->db, "CARD-1", &sealed), 0);
	assert_int_equal(seal_open(master, "CARD-1", sealed, &now), 0);
	assert_string_equal(now, next);
	assert_int_equal(dfx_int(w->f, "SELECT COUNT(*) FROM audit_log WHERE action = 'pin.reset'"
				       " AND subject = $1", b.id), 1);
	free(sealed);
	secret_free(now);
	free(next);
	free(ta), free(tb);
	signing_session_done(&a), signing_session_done(&b);
}

static void test_expired(void **state)
{
	struct world *w = *state;
	_cleanup_json_ json_t *sigs = NULL;
	struct signing_session a;
	enum refusal why;
	char *ta;

	started(w, "login", &a, &ta);
	sigs = signatures_of(&w->ahmet, &a);
	dfx_run(w->f, "UPDATE signing_sessions SET expires_at = expires_at - 10000 WHERE id = $1",
		a.id);
	assert_int_equal(submit(w, ta, sigs, &why), -EACCES);
	assert_int_equal(why, REFUSAL_SESSION_EXPIRED);
	assert_int_equal(state_of(w, a.id, NULL), SS_EXPIRED);
	free(ta);
	signing_session_done(&a);
}

/* Two E-Onay gives in flight: both started while none was active; the
 * first accepted gives, the second is refused and its session rejected. */
static void test_double_eonay_give(void **state)
{
	struct world *w = *state;
	_cleanup_json_ json_t *s1 = NULL, *s2 = NULL;
	struct signing_session a, b, c, n;
	enum refusal why, result;
	char *ta, *tb, *tc, code[17];

	started(w, "eonay-give", &a, &ta);
	started(w, "eonay-give", &b, &tb);
	started(w, "eonay-give", &c, &tc);
	s1 = signatures_of(&w->ahmet, &a);
	s2 = signatures_of(&w->ahmet, &b);
	assert_int_equal(submit(w, ta, s1, &why), 0);
	/* Tekrar Kod Al on a third one checks the rule again too. */
	assert_int_equal(signing_renew(w->f->db, &w->f->ctx, c.id, w->web_hash, NULL, &n, code,
				       &why), -EACCES);
	assert_int_equal(why, REFUSAL_EONAY_ALREADY_ACTIVE);
	assert_int_equal(submit(w, tb, s2, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EONAY_ALREADY_ACTIVE);
	assert_int_equal(state_of(w, a.id, NULL), SS_SIGNED);
	assert_int_equal(state_of(w, b.id, &result), SS_REJECTED);
	assert_int_equal(result, REFUSAL_EONAY_ALREADY_ACTIVE);
	assert_int_equal(dfx_int(w->f, "SELECT COUNT(*) FROM eonay_events WHERE tckn = $1",
				 FX_TCKN), 1);
	/* The give carries the explanation version bound at the start. */
	assert_int_equal(dfx_int(w->f, "SELECT explanation_version FROM eonay_events WHERE"
				       " tckn = $1", FX_TCKN), 1);
	/* Nothing of the refused one was kept but the refusal. */
	assert_int_equal(dfx_int(w->f, "SELECT COUNT(*) FROM signatures WHERE session_id = $1",
				 b.id), 0);
	free(ta), free(tb), free(tc);
	signing_session_done(&a), signing_session_done(&b), signing_session_done(&c);
}

static void test_eonay_cancel(void **state)
{
	struct world *w = *state;
	_cleanup_json_ json_t *s1 = NULL, *s2 = NULL;
	struct signing_session a, b;
	enum refusal why;
	char *ta, *tb;

	started(w, "eonay-give", &a, &ta);
	s1 = signatures_of(&w->ahmet, &a);
	assert_int_equal(submit(w, ta, s1, &why), 0);
	started(w, "eonay-cancel", &b, &tb);
	s2 = signatures_of(&w->ahmet, &b);
	assert_int_equal(submit(w, tb, s2, &why), 0);
	assert_int_equal(dfx_int(w->f, "SELECT COUNT(*) FROM eonay_events WHERE tckn = $1 AND"
				       " action = 'cancel'", FX_TCKN), 1);
	free(ta), free(tb);
	signing_session_done(&a), signing_session_done(&b);
}

/* The audit event is evidence: when it cannot be written nothing of the
 * act is (no signature, no E-Onay event, session still claimed). */
static void test_evidence_failure_fails_the_act(void **state)
{
	struct world *w = *state;
	_cleanup_json_ json_t *sigs = NULL;
	struct signing_session a;
	enum refusal why;
	char *ta;
	int r;

	started(w, "eonay-give", &a, &ta);
	sigs = signatures_of(&w->ahmet, &a);
	if (test_store_is_pg())
		assert_int_equal(db_exec(w->f->db,
			"CREATE FUNCTION no_audit() RETURNS trigger LANGUAGE plpgsql AS"
			" $$ BEGIN RAISE EXCEPTION 'audit unavailable'; END $$;"
			"CREATE TRIGGER no_audit BEFORE INSERT ON audit_log"
			" FOR EACH ROW EXECUTE FUNCTION no_audit()"), 0);
	else
		assert_int_equal(db_exec(w->f->db, "CREATE TRIGGER no_audit BEFORE INSERT ON audit_log"
						   " BEGIN SELECT RAISE(ABORT, 'audit unavailable'); END"),
				 0);
	r = submit(w, ta, sigs, &why);
	assert_true(r < 0 && r != -EACCES);
	assert_int_equal(db_exec(w->f->db, test_store_is_pg() ?
					   "DROP TRIGGER no_audit ON audit_log; DROP FUNCTION no_audit()" :
					   "DROP TRIGGER no_audit"), 0);
	assert_int_equal(state_of(w, a.id, NULL), SS_CODE_USED);
	assert_int_equal(dfx_int(w->f, "SELECT COUNT(*) FROM signatures WHERE session_id = $1",
				 a.id), 0);
	assert_int_equal(dfx_int(w->f, "SELECT COUNT(*) FROM eonay_events WHERE tckn = $1",
				 FX_TCKN), 0);
	/* Once the log works again the same signatures are accepted. */
	assert_int_equal(submit(w, ta, sigs, &why), 0);
	free(ta);
	signing_session_done(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_login_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_and_mismatch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_form, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoked_and_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pin_reset_on_hold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired, setup, teardown),
		cmocka_unit_test_setup_teardown(test_double_eonay_give, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eonay_cancel, setup, teardown),
		cmocka_unit_test_setup_teardown(test_evidence_failure_fails_the_act, setup, teardown),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
