/* test-edevlet.c - E-Devlet ile Giriş in the store (domain/edevlet.c):
 * states bound to the browser and single use, codes never twice, the
 * login with its session (login_method e-devlet) and audit events. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "domain-fixture.h"
#include "domain/certs.h"
#include "domain/edevlet.h"
#include "domain/websession.h"

#define AHMET "10000000146"

static int64_t count(struct dfx *f, const char *sql)
{
	int64_t n = -1;

	assert_int_equal(db_query_int64(f->db, sql, "", &n), 0);
	return n;
}

/* An anonymous browser session and a login started from it. */
static void start(struct dfx *f, char **ret_sid, char web_hash[65], struct edevlet_begin *b)
{
	assert_int_equal(websession_create(f->db, "127.0.0.1", ret_sid), 0);
	assert_int_equal(websession_hash(*ret_sid, web_hash), 0);
	assert_int_equal(edevlet_begin(f->db, f->session_key, web_hash, "127.0.0.1", b), 0);
}

static void test_login(void **state)
{
	struct dfx *f = *state;
	_cleanup_secret_ char *sid = NULL, *id = NULL;
	_cleanup_free_ char *n2 = NULL, *v2 = NULL;
	struct edevlet_begin b = { 0 };
	struct edevlet_pending p;
	enum refusal why = REFUSAL_NONE;
	struct websession s;
	char web_hash[65];

	assert_int_equal(holder_put(f->db, AHMET, "AHMET", "YILMAZ", NULL, NULL), 0);
	start(f, &sid, web_hash, &b);
	/* nonce and verifier follow from the state and the key alone */
	assert_int_equal(edevlet_derive(f->session_key, "nonce", b.state, &n2), 0);
	assert_int_equal(edevlet_derive(f->session_key, "pkce", b.state, &v2), 0);
	assert_string_equal(n2, b.nonce);
	assert_string_equal(v2, b.verifier);
	assert_string_not_equal(b.nonce, b.verifier);
	/* nothing secret in the store */
	assert_int_equal(count(f, "SELECT COUNT(*) FROM edevlet_states WHERE state_hash = binding_hash"), 0);

	assert_int_equal(edevlet_consume(f->db, b.state, b.binding, "code-1", &p, &why), 0);
	assert_string_equal(p.web_hash, web_hash);
	assert_int_equal(edevlet_login(f->db, &p, AHMET, "127.0.0.1", &id, &why), 0);
	assert_int_equal(websession_find(f->db, &f->cfg, id, &s), 0);
	assert_string_equal(s.tckn, AHMET);
	assert_string_equal(s.login_method, "e-devlet");
	/* the anonymous session that started it is gone (no fixation) */
	assert_int_equal(websession_find(f->db, &f->cfg, sid, &s), -ENOENT);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE action = 'session.login'"
				  " AND outcome = 'ok' AND actor = 'holder:10000000146'"
				  " AND details LIKE '%e-devlet%'"), 1);

	/* the same answer again: refused, code first */
	assert_int_equal(edevlet_consume(f->db, b.state, b.binding, "code-1", &p, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EDEVLET_CODE_REUSED);
	/* the state again with another code */
	assert_int_equal(edevlet_consume(f->db, b.state, b.binding, "code-2", &p, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EDEVLET_STATE_USED);
	edevlet_begin_done(&b);
}

static void test_state_binding(void **state)
{
	struct dfx *f = *state;
	_cleanup_secret_ char *sid = NULL;
	struct edevlet_begin b = { 0 };
	struct edevlet_pending p;
	enum refusal why = REFUSAL_NONE;
	char web_hash[65];

	start(f, &sid, web_hash, &b);
	/* another browser (no or another binding cookie): refused, not spent */
	assert_int_equal(edevlet_consume(f->db, b.state, NULL, "c", &p, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EDEVLET_STATE_INVALID);
	assert_int_equal(edevlet_consume(f->db, b.state, "someone-elses", "c", &p, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EDEVLET_STATE_INVALID);
	/* an unknown state */
	assert_int_equal(edevlet_consume(f->db, "no-such-state", b.binding, "c", &p, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EDEVLET_STATE_INVALID);
	assert_int_equal(edevlet_consume(f->db, NULL, b.binding, "c", &p, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EDEVLET_STATE_INVALID);
	/* the right browser still can */
	assert_int_equal(edevlet_consume(f->db, b.state, b.binding, "c", &p, &why), 0);
	edevlet_begin_done(&b);
}

static void test_code_reused_with_new_state(void **state)
{
	struct dfx *f = *state;
	_cleanup_secret_ char *sid = NULL, *sid2 = NULL;
	struct edevlet_begin b = { 0 }, b2 = { 0 };
	struct edevlet_pending p;
	enum refusal why = REFUSAL_NONE;
	char web_hash[65], web_hash2[65];

	start(f, &sid, web_hash, &b);
	start(f, &sid2, web_hash2, &b2);
	assert_int_equal(edevlet_consume(f->db, b.state, b.binding, "the-code", &p, &why), 0);
	assert_int_equal(edevlet_consume(f->db, b2.state, b2.binding, "the-code", &p, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EDEVLET_CODE_REUSED);
	edevlet_begin_done(&b);
	edevlet_begin_done(&b2);
}

static void test_expired_and_cancel(void **state)
{
	struct dfx *f = *state;
	_cleanup_secret_ char *sid = NULL;
	struct edevlet_begin b = { 0 }, b2 = { 0 };
	struct edevlet_pending p;
	enum refusal why = REFUSAL_NONE;
	char web_hash[65];

	start(f, &sid, web_hash, &b);
	assert_int_equal(db_run(f->db, "UPDATE edevlet_states SET expires_at = expires_at - 3600",
				""), 1);
	assert_int_equal(edevlet_consume(f->db, b.state, b.binding, "c", &p, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EDEVLET_STATE_EXPIRED);
	/* spent even so */
	assert_int_equal(edevlet_consume(f->db, b.state, b.binding, "c2", &p, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EDEVLET_STATE_USED);

	/* the provider's error (cancel): no code, the state is spent */
	assert_int_equal(edevlet_begin(f->db, f->session_key, web_hash, "127.0.0.1", &b2), 0);
	assert_int_equal(edevlet_consume(f->db, b2.state, b2.binding, NULL, &p, &why), 0);
	assert_int_equal(edevlet_consume(f->db, b2.state, b2.binding, "c3", &p, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EDEVLET_STATE_USED);
	assert_int_equal(edevlet_refused(f->db, NULL, "127.0.0.1", REFUSAL_EDEVLET_CANCELLED), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE outcome = 'refused' AND"
				  " details LIKE '%edevlet_cancelled%'"), 1);
	/* purge keeps nothing old */
	assert_int_equal(db_run(f->db, "UPDATE edevlet_states SET expires_at = 0", ""), 2);
	assert_int_equal(edevlet_purge(f->db, NULL), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM edevlet_states"), 0);
	edevlet_begin_done(&b);
	edevlet_begin_done(&b2);
}

static void test_unknown_person(void **state)
{
	struct dfx *f = *state;
	_cleanup_secret_ char *sid = NULL, *id = NULL;
	struct edevlet_begin b = { 0 };
	struct edevlet_pending p;
	enum refusal why = REFUSAL_NONE;
	struct websession s;
	char web_hash[65];

	start(f, &sid, web_hash, &b);
	assert_int_equal(edevlet_consume(f->db, b.state, b.binding, "c", &p, &why), 0);
	assert_int_equal(edevlet_login(f->db, &p, "10000000078", "127.0.0.1", &id, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EDEVLET_UNKNOWN_PERSON);
	assert_null(id);
	/* not a T.C. Kimlik No at all: the same neutral refusal */
	assert_int_equal(edevlet_login(f->db, &p, "12345678901", "127.0.0.1", &id, &why), -EACCES);
	assert_int_equal(why, REFUSAL_EDEVLET_UNKNOWN_PERSON);
	/* the browser's session is untouched, still anonymous */
	assert_int_equal(websession_find(f->db, &f->cfg, sid, &s), 0);
	assert_string_equal(s.tckn, "");
	assert_int_equal(count(f, "SELECT COUNT(*) FROM web_sessions WHERE tckn IS NOT NULL"), 0);
	assert_int_equal(count(f, "SELECT COUNT(*) FROM audit_log WHERE outcome = 'refused' AND"
				  " details LIKE '%edevlet_unknown_person%'"), 2);
	edevlet_begin_done(&b);
}

static void test_login_method_check(void **state)
{
	struct dfx *f = *state;

	/* the store refuses a login method outside the list */
	assert_int_equal(db_run(f->db, "INSERT INTO web_sessions (id_hash, created_at, last_seen,"
				       " login_method) VALUES ('x', 1, 1, 'telepati')", ""), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_login, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_state_binding, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_code_reused_with_new_state, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_expired_and_cancel, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_unknown_person, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_login_method_check, dfx_setup, dfx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
