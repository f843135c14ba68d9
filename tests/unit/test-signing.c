/* test-signing.c - the signing ceremony's sessions, codes, claim and wait
 * state (domain/signing.c) on a scratch SQLite store. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "common/checkdigit.h"
#include "domain-fixture.h"
#include "common/json.h"
#include "domain/signing.h"
#include "domain/texts.h"

#define TCKN "10000000146"
#define WEB "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define OTHER_WEB "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"

static void start_login(struct dfx *f, struct signing_session *s, char code[17])
{
	enum refusal why = REFUSAL_NONE;

	assert_int_equal(signing_start(f->db, &f->ctx, act_find("login"), NULL, TCKN, NULL, WEB,
				       "192.0.2.1", s, code, &why), 0);
	assert_int_equal(why, REFUSAL_NONE);
}

static void test_create(void **state)
{
	struct dfx *f = *state;
	struct signing_session s, g;
	char code[17];

	start_login(f, &s, code);
	assert_int_equal(strlen(code), SIGNING_CODE_DIGITS);
	assert_true(checkdigit_valid(code, SIGNING_CODE_DIGITS));
	assert_int_equal(strlen(s.id), 32);
	assert_string_equal(s.act->name, "login");
	assert_int_equal(s.state, SS_WAITING);
	assert_int_equal(s.expires_at - s.created_at, f->cfg.code_lifetime);
	/* Each text ends with the session's own reference. */
	assert_int_equal(json_array_size(s.texts), 1);
	assert_non_null(strstr(json_string_value(json_array_get(s.texts, 0)), s.id));
	/* Only the HMAC of the code is stored. */
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM signing_sessions WHERE code_hash = $1",
				 code), 0);
	assert_int_equal(signing_get(f->db, s.id, &g), 0);
	assert_string_equal(g.tckn, TCKN);
	assert_string_equal(g.client_addr, "192.0.2.1");
	assert_true(json_equal(g.texts, s.texts));
	signing_session_done(&g);
	signing_session_done(&s);
}

static void test_start_refusals(void **state)
{
	struct dfx *f = *state;
	struct signing_session s;
	struct act_input in = { .accepted = true, .explanation_version = 1 };
	enum refusal why = REFUSAL_NONE;
	char code[17];

	assert_int_equal(signing_start(f->db, &f->ctx, act_find("login"), NULL, "12345678901",
				       NULL, WEB, NULL, &s, code, &why), -EACCES);
	assert_int_equal(why, REFUSAL_BAD_TCKN);
	/* E-Onay needs a logged-in holder; the typed number does not count. */
	assert_int_equal(signing_start(f->db, &f->ctx, act_find("eonay-give"), NULL, TCKN, &in,
				       WEB, NULL, &s, code, &why), -EACCES);
	assert_int_equal(why, REFUSAL_NOT_LOGGED_IN);
	/* Not ticked, or another explanation version than the current one. */
	in.accepted = false;
	assert_int_equal(signing_start(f->db, &f->ctx, act_find("eonay-give"), TCKN, NULL, &in,
				       WEB, NULL, &s, code, &why), -EACCES);
	assert_int_equal(why, REFUSAL_NOT_ACCEPTED);
	in = (struct act_input){ .accepted = true, .explanation_version = 99 };
	assert_int_equal(signing_start(f->db, &f->ctx, act_find("eonay-give"), TCKN, NULL, &in,
				       WEB, NULL, &s, code, &why), -EACCES);
	assert_int_equal(why, REFUSAL_NOT_ACCEPTED);
	assert_int_equal(signing_start(f->db, &f->ctx, act_find("eonay-cancel"), TCKN, NULL, NULL,
				       WEB, NULL, &s, code, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EONAY_NOT_ACTIVE);
	/* Accepted: the explanation version is stored with the session. */
	in = (struct act_input){ .accepted = true, .explanation_version = 1 };
	why = REFUSAL_NONE;
	assert_int_equal(signing_start(f->db, &f->ctx, act_find("eonay-give"), TCKN, NULL, &in,
				       WEB, NULL, &s, code, &why), 0);
	assert_int_equal(in.bound_version, 1);
	assert_int_equal(dfx_int(f, "SELECT explanation_version FROM signing_sessions WHERE id = $1",
				 s.id), 1);
	signing_session_done(&s);
}

static void claim_refused(struct dfx *f, const char *code, enum refusal want)
{
	struct signing_session s;
	char *token = NULL;
	enum refusal why = REFUSAL_NONE;

	assert_int_equal(signing_claim(f->db, &f->ctx, code, "198.51.100.7", &s, &token, &why),
			 -EACCES);
	assert_int_equal(why, want);
	assert_null(token);
}

static void test_claim(void **state)
{
	struct dfx *f = *state;
	struct signing_session s, c, t;
	enum refusal why = REFUSAL_NONE;
	char code[17], spaced[32], wrong[17];
	char *token = NULL;
	int64_t audits;

	start_login(f, &s, code);
	/* A typo (the check digit catches one wrong digit) and an unknown code. */
	memcpy(wrong, code, sizeof(wrong));
	wrong[3] = wrong[3] == '9' ? '0' : (char)(wrong[3] + 1);
	claim_refused(f, wrong, REFUSAL_CODE_TYPO);
	claim_refused(f, "12", REFUSAL_CODE_TYPO);
	memcpy(wrong, code, sizeof(wrong));
	wrong[0] = wrong[0] == '9' ? '0' : (char)(wrong[0] + 1);
	wrong[SIGNING_CODE_DIGITS - 1] = (char)checkdigit_compute(wrong, SIGNING_CODE_DIGITS - 1);
	claim_refused(f, wrong, REFUSAL_CODE_UNKNOWN);
	/* Typed with spaces, as displayed: accepted, once. */
	snprintf(spaced, sizeof(spaced), "%.4s %.4s %.4s %.4s", code, code + 4, code + 8,
		 code + 12);
	assert_int_equal(signing_claim(f->db, &f->ctx, spaced, "198.51.100.9", &c, &token, &why),
			 0);
	assert_string_equal(c.id, s.id);
	assert_int_equal(c.state, SS_CODE_USED);
	assert_non_null(token);
	/* Claimed: from another address, the code is used. */
	claim_refused(f, code, REFUSAL_CODE_USED);
	/* The token finds the session; another does not. */
	assert_int_equal(signing_find_by_token(f->db, f->code_key, token, &t), 0);
	assert_string_equal(t.id, s.id);
	signing_session_done(&t);
	assert_int_equal(signing_find_by_token(f->db, f->code_key, "nope", &t), -ENOENT);
	assert_int_equal(signing_find_by_token(f->db, f->code_key, "", &t), -ENOENT);
	/* Every claim is in the audit log, refusals included. */
	audits = dfx_int(f, "SELECT COUNT(*) FROM audit_log WHERE action = $1", "signing.claim");
	assert_int_equal(audits, 5);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'signing.claim'"
				    " AND outcome = 'refused' AND actor = $1", "client:198.51.100.7"), 4);
	free(token);
	signing_session_done(&c);
	signing_session_done(&s);
}

/* A claim not followed by an accepted signature may be repeated from the
 * same address (a wrong PIN, a "no", a crash must not burn the code): the
 * new token replaces the old.  Not from elsewhere, not more than
 * SIGNING_MAX_CLAIMS times, not once the session is final. */
static void test_reclaim(void **state)
{
	struct dfx *f = *state;
	struct signing_session s, c, t;
	enum refusal why = REFUSAL_NONE;
	char code[17], *tok1 = NULL, *tok2 = NULL;

	start_login(f, &s, code);
	assert_int_equal(signing_claim(f->db, &f->ctx, code, "198.51.100.9", &c, &tok1, &why), 0);
	assert_int_equal(c.claims, 1);
	signing_session_done(&c);
	assert_int_equal(signing_app_event(f->db, &f->ctx, tok1, "pin_wrong", "198.51.100.9", NULL,
					   &why), 0);
	assert_int_equal(signing_get(f->db, s.id, &t), 0);
	assert_string_equal(t.app_event, "pin_wrong");
	assert_int_equal(signing_wait_ms(&f->cfg, &t, "code_used", NULL), 0);	/* news */
	assert_int_equal(signing_wait_ms(&f->cfg, &t, "code_used", "pin_wrong"), 25000);
	signing_session_done(&t);
	/* the same address again: a new token; the old one stops working */
	assert_int_equal(signing_claim(f->db, &f->ctx, code, "198.51.100.9", &c, &tok2, &why), 0);
	assert_int_equal(c.claims, 2);
	assert_string_equal(c.app_event, "");
	signing_session_done(&c);
	assert_string_not_equal(tok1, tok2);
	assert_int_equal(signing_find_by_token(f->db, f->code_key, tok1, &t), -ENOENT);
	assert_int_equal(signing_find_by_token(f->db, f->code_key, tok2, &t), 0);
	signing_session_done(&t);
	assert_int_equal(signing_app_event(f->db, &f->ctx, tok1, "declined", "198.51.100.9", NULL,
					   &why), -EACCES);
	assert_int_equal(why, REFUSAL_TOKEN_INVALID);
	assert_int_equal(signing_app_event(f->db, &f->ctx, tok2, "bogus", "198.51.100.9", NULL,
					   &why), -EINVAL);
	free(tok1);
	free(tok2);
	/* up to SIGNING_MAX_CLAIMS in all */
	for (int i = 2; i < SIGNING_MAX_CLAIMS; i++) {
		assert_int_equal(signing_claim(f->db, &f->ctx, code, "198.51.100.9", &c, &tok1, &why),
				 0);
		signing_session_done(&c);
		free(tok1);
	}
	assert_int_equal(signing_claim(f->db, &f->ctx, code, "198.51.100.9", &c, &tok1, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_CODE_USED);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'signing.claim'"
				    " AND outcome = 'ok' AND subject = $1", s.id), SIGNING_MAX_CLAIMS);
	signing_session_done(&s);

	/* a final session (rejected) cannot be claimed again */
	start_login(f, &s, code);
	assert_int_equal(signing_claim(f->db, &f->ctx, code, "198.51.100.9", &c, &tok1, &why), 0);
	signing_session_done(&c);
	free(tok1);
	assert_int_equal(signing_finish(f->db, s.id, SS_REJECTED, REFUSAL_CERT_ON_HOLD, NULL), 0);
	assert_int_equal(signing_claim(f->db, &f->ctx, code, "198.51.100.9", &c, &tok1, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_CODE_USED);
	signing_session_done(&s);
}

static void test_expiry(void **state)
{
	struct dfx *f = *state;
	struct signing_session s, g;
	char code[17];

	start_login(f, &s, code);
	dfx_run(f, "UPDATE signing_sessions SET expires_at = expires_at - 10000 WHERE id = $1", s.id);
	/* A page that last saw it waiting is answered at once: time is up. */
	s.expires_at -= 10000;
	assert_int_equal(signing_wait_ms(&f->cfg, &s, "waiting", NULL), 0);
	/* Loaded: expired on the way, and the code says so. */
	assert_int_equal(signing_get(f->db, s.id, &g), 0);
	assert_int_equal(g.state, SS_EXPIRED);
	signing_session_done(&g);
	claim_refused(f, code, REFUSAL_CODE_EXPIRED);
	signing_session_done(&s);
}

static void test_own(void **state)
{
	struct dfx *f = *state;
	struct signing_session s, g;
	enum refusal why = REFUSAL_NONE;
	char code[17];

	start_login(f, &s, code);
	assert_int_equal(signing_get_own(f->db, s.id, WEB, &g, &why), 0);
	signing_session_done(&g);
	assert_int_equal(signing_get_own(f->db, s.id, OTHER_WEB, &g, &why), -EACCES);
	assert_int_equal(why, REFUSAL_NOT_FOUND);
	assert_int_equal(signing_get_own(f->db, "short", WEB, &g, &why), -EACCES);
	signing_session_done(&s);
}

static void test_renew(void **state)
{
	struct dfx *f = *state;
	struct signing_session s, n, g;
	enum refusal why = REFUSAL_NONE;
	char code[17], code2[17], *token = NULL;

	start_login(f, &s, code);
	/* Another browser cannot renew it. */
	assert_int_equal(signing_renew(f->db, &f->ctx, s.id, OTHER_WEB, NULL, &n, code2, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_NOT_FOUND);
	assert_int_equal(signing_renew(f->db, &f->ctx, s.id, WEB, NULL, &n, code2, &why), 0);
	assert_string_not_equal(n.id, s.id);
	assert_string_not_equal(code2, code);
	assert_ptr_equal(n.act, s.act);
	assert_string_equal(n.tckn, TCKN);
	assert_int_equal(signing_get(f->db, s.id, &g), 0);
	assert_int_equal(g.state, SS_REPLACED);
	assert_string_equal(g.replaced_by, n.id);
	signing_session_done(&g);
	claim_refused(f, code, REFUSAL_CODE_REPLACED);
	/* Renewing the replaced one again is refused: it is closed. */
	assert_int_equal(signing_renew(f->db, &f->ctx, s.id, WEB, NULL, &g, code, &why), -EACCES);
	assert_int_equal(why, REFUSAL_SESSION_CLOSED);
	/* The new code works. */
	assert_int_equal(signing_claim(f->db, &f->ctx, code2, "198.51.100.7", &g, &token, &why), 0);
	free(token);
	signing_session_done(&g);
	signing_session_done(&n);
	signing_session_done(&s);
}

static void test_finish(void **state)
{
	struct dfx *f = *state;
	struct signing_session s, g;
	enum refusal why = REFUSAL_NONE;
	char code[17], *token = NULL;

	start_login(f, &s, code);
	/* Only a claimed session can finish. */
	assert_int_equal(signing_finish(f->db, s.id, SS_SIGNED, REFUSAL_NONE, "01"), -EBUSY);
	assert_int_equal(signing_claim(f->db, &f->ctx, code, "198.51.100.7", &g, &token, &why), 0);
	signing_session_done(&g);
	free(token);
	assert_int_equal(signing_finish(f->db, s.id, SS_WAITING, REFUSAL_NONE, NULL), -EINVAL);
	assert_int_equal(signing_finish(f->db, s.id, SS_REJECTED, REFUSAL_CONTENT_MISMATCH, NULL),
			 0);
	assert_int_equal(signing_finish(f->db, s.id, SS_SIGNED, REFUSAL_NONE, "01"), -EBUSY);
	assert_int_equal(signing_get(f->db, s.id, &g), 0);
	assert_int_equal(g.state, SS_REJECTED);
	assert_int_equal(g.result, REFUSAL_CONTENT_MISMATCH);
	signing_session_done(&g);
	signing_session_done(&s);
}

static void test_wait_ms(void **state)
{
	struct dfx *f = *state;
	struct signing_session s = { .state = SS_WAITING };

	f->cfg.poll_timeout = 25;
	s.expires_at = now_sec() + 300;
	/* The page saw the current state: wait up to the poll timeout. */
	assert_int_equal(signing_wait_ms(&f->cfg, &s, "waiting", NULL), 25000);
	/* A change it has not seen, or no state at all: answer now. */
	assert_int_equal(signing_wait_ms(&f->cfg, &s, "code_used", NULL), 0);
	assert_int_equal(signing_wait_ms(&f->cfg, &s, NULL, NULL), 0);
	/* Never past the session's end (plus one second to see it expire). */
	s.expires_at = now_sec() + 3;
	assert_int_equal(signing_wait_ms(&f->cfg, &s, "waiting", NULL), 4000);
	s.expires_at = now_sec();
	assert_int_equal(signing_wait_ms(&f->cfg, &s, "waiting", NULL), 0);
	/* Final states are answered at once. */
	s.expires_at = now_sec() + 300;
	s.state = SS_SIGNED;
	assert_int_equal(signing_wait_ms(&f->cfg, &s, "signed", NULL), 0);
	s.state = SS_CODE_USED;
	assert_int_equal(signing_wait_ms(&f->cfg, &s, "code_used", NULL), 25000);
}

/* Housekeeping: sessions expired beyond the retention go, unless a
 * signature was accepted for them (evidence: kept with its signature). */
static void test_purge(void **state)
{
	struct dfx *f = *state;
	struct signing_session a, b, c, d;
	char code[17];
	int64_t n = -1;

	start_login(f, &a, code);	/* long expired, never signed: goes */
	start_login(f, &b, code);	/* long expired, signed: stays */
	start_login(f, &c, code);	/* expired within the retention: stays */
	start_login(f, &d, code);	/* live: stays */
	f->cfg.code_retention = 1000;
	dfx_run(f, "UPDATE signing_sessions SET expires_at = expires_at - 5000 WHERE id = $1", a.id);
	dfx_run(f, "UPDATE signing_sessions SET expires_at = expires_at - 5000, state = 'signed'"
		   " WHERE id = $1", b.id);
	dfx_run(f, "UPDATE signing_sessions SET expires_at = expires_at - 900 WHERE id = $1", c.id);
	dfx_run(f, "INSERT INTO signatures (sha256, session_id, idx, tckn, signer_serial, cms,"
		   " signed_at) VALUES ('g', $1, 0, '" TCKN "', '01', 'x', 1)", b.id);

	assert_int_equal(signing_purge(f->db, &f->cfg, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM signing_sessions WHERE id = $1", a.id), 0);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM signing_sessions WHERE id = $1", b.id), 1);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM signatures WHERE session_id = $1", b.id), 1);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM signing_sessions WHERE id = $1", c.id), 1);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM signing_sessions WHERE id = $1", d.id), 1);
	/* Nothing more to do: none. */
	assert_int_equal(signing_purge(f->db, &f->cfg, &n), 0);
	assert_int_equal(n, 0);
	/* Retention 0: purged at expiry. */
	f->cfg.code_retention = 0;
	assert_int_equal(signing_purge(f->db, &f->cfg, &n), 0);
	assert_int_equal(n, 1);	/* c, expired 900 s ago */
	signing_session_done(&a), signing_session_done(&b);
	signing_session_done(&c), signing_session_done(&d);
}

/* Open sessions are bounded per address (its /64 for IPv6) and, for the
 * acts of a logged-in holder, per holder; expired, final or replaced ones
 * do not count, and a refusal makes nothing. */
static void test_open_bound(void **state)
{
	struct dfx *f = *state;
	struct act_input in = { .accepted = true, .explanation_version = 1 };
	struct signing_session s[4];
	enum refusal why = REFUSAL_NONE;
	char code[17];

	f->cfg.open_per_client = 3;
	f->cfg.open_per_holder = 2;
	for (int i = 0; i < 3; i++)
		assert_int_equal(signing_start(f->db, &f->ctx, act_find("login"), NULL, TCKN, NULL,
					       WEB, "2001:db8:1:2::5", &s[i], code, &why), 0);
	/* another address of the same /64: refused, nothing made */
	assert_int_equal(signing_start(f->db, &f->ctx, act_find("login"), NULL, TCKN, NULL, WEB,
				       "2001:db8:1:2:ffff::9", &s[3], code, &why), -EACCES);
	assert_int_equal(why, REFUSAL_TOO_MANY_OPEN);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM signing_sessions WHERE tckn = $1", TCKN),
			 3);
	/* another /64 is not touched */
	assert_int_equal(signing_start(f->db, &f->ctx, act_find("login"), NULL, TCKN, NULL, WEB,
				       "2001:db8:1:3::5", &s[3], code, &why), 0);
	signing_session_done(&s[3]);
	/* one expires, one ends: two places free again */
	dfx_run(f, "UPDATE signing_sessions SET expires_at = 5 WHERE id = $1", s[0].id);
	dfx_run(f, "UPDATE signing_sessions SET state = 'rejected' WHERE id = $1", s[1].id);
	for (int i = 0; i < 2; i++) {
		signing_session_done(&s[i]);
		assert_int_equal(signing_start(f->db, &f->ctx, act_find("login"), NULL, TCKN, NULL,
					       WEB, "2001:db8:1:2::7", &s[i], code, &why), 0);
	}
	assert_int_equal(signing_start(f->db, &f->ctx, act_find("login"), NULL, TCKN, NULL, WEB,
				       "2001:db8:1:2::7", &s[3], code, &why), -EACCES);
	for (int i = 0; i < 3; i++)
		signing_session_done(&s[i]);

	/* The holder's bound: acts of a logged-in holder, from any address;
	 * the open logins for the same number do not count. */
	for (int i = 0; i < 2; i++)
		assert_int_equal(signing_start(f->db, &f->ctx, act_find("eonay-give"), TCKN, NULL, &in,
					       WEB, i ? "192.0.2.1" : "192.0.2.2", &s[i], code, &why),
				 0);
	assert_int_equal(signing_start(f->db, &f->ctx, act_find("eonay-give"), TCKN, NULL, &in, WEB,
				       "192.0.2.3", &s[2], code, &why), -EACCES);
	assert_int_equal(why, REFUSAL_TOO_MANY_OPEN);
	/* renewing a live one replaces it: allowed at the bound */
	assert_int_equal(signing_renew(f->db, &f->ctx, s[0].id, WEB, "192.0.2.2", &s[2], code, &why),
			 0);
	signing_session_done(&s[2]);
	/* renewing an expired one would open one more: refused */
	dfx_run(f, "UPDATE signing_sessions SET expires_at = 5, state = 'expired' WHERE id = $1",
		s[1].id);
	assert_int_equal(signing_start(f->db, &f->ctx, act_find("eonay-give"), TCKN, NULL, &in, WEB,
				       "192.0.2.3", &s[2], code, &why), 0);
	assert_int_equal(signing_renew(f->db, &f->ctx, s[1].id, WEB, "192.0.2.3", &s[3], code, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_TOO_MANY_OPEN);
	for (int i = 0; i < 3; i++)
		signing_session_done(&s[i]);
}

static void test_retention_default(void **state)
{
	struct dfx *f = *state;

	assert_int_equal(f->cfg.code_retention, 30 * 86400);
}

static void test_registry(void **state)
{
	assert_null(act_find("nope"));
	assert_null(act_find(NULL));
	for (size_t i = 0; i < acts_count; i++) {
		assert_ptr_equal(act_find(acts[i]->name), acts[i]);
		assert_non_null(acts[i]->purpose_tr);
		assert_non_null(acts[i]->done_tr);
		assert_non_null(acts[i]->texts);
	}
	for (int r = 1; r < _REFUSAL_MAX; r++)
		assert_int_equal(refusal_parse(refusal_code((enum refusal)r)), r);
	assert_string_equal(refusal_code(_REFUSAL_MAX), "internal");
}

/* Every act's texts are in the store (a new act without its migration
 * fails here), and %CA% is filled in. */
static void test_act_texts(void **state)
{
	struct dfx *f = *state;

	for (size_t i = 0; i < acts_count; i++) {
		_cleanup_json_ json_t *t = NULL;
		int64_t v = 0;

		assert_int_equal(sign_texts_load(f->db, acts[i]->texts, "Test SM", &v, &t), 0);
		assert_true(v >= 1);
		assert_true(json_array_size(t) >= 1);
		for (size_t k = 0; k < json_array_size(t); k++)
			assert_null(strstr(json_string_value(json_array_get(t, k)), "%CA%"));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_start_refusals, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_claim, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_reclaim, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_expiry, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_own, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_renew, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_finish, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_wait_ms, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_purge, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_open_bound, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_retention_default, dfx_setup, dfx_teardown),
		cmocka_unit_test(test_registry),
		cmocka_unit_test_setup_teardown(test_act_texts, dfx_setup, dfx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
