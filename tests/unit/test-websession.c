/* test-websession.c - browser sessions (domain/websession.c): create,
 * find, idle and absolute timeouts, CSRF tokens, logout, and the login
 * that a signature acceptance applies and the browser's wait hands out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <string.h>

#include "domain-fixture.h"
#include "domain/websession.h"

#define TCKN "10000000146"
#define SIGNING_ID "0123456789abcdef0123456789abcdef"

static void test_create_find(void **state)
{
	struct dfx *f = *state;
	_cleanup_free_ char *id = NULL;
	struct websession s;
	char hash[65];

	assert_int_equal(websession_create(f->db, "192.0.2.1", &id), 0);
	assert_true(strlen(id) >= 43);
	assert_int_equal(websession_find(f->db, &f->cfg, id, &s), 0);
	assert_string_equal(s.tckn, "");
	assert_int_equal(s.authenticated_at, 0);
	/* Only the SHA-256 of the cookie is stored. */
	assert_int_equal(websession_hash(id, hash), 0);
	assert_string_equal(s.id_hash, hash);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM web_sessions WHERE id_hash = $1", id), 0);
	assert_int_equal(websession_find(f->db, &f->cfg, "unknown", &s), -ENOENT);
	assert_int_equal(websession_find(f->db, &f->cfg, NULL, &s), -ENOENT);
	assert_int_equal(websession_find(f->db, &f->cfg, "", &s), -ENOENT);
}

static void test_idle_and_absolute(void **state)
{
	struct dfx *f = *state;
	_cleanup_free_ char *a = NULL, *b = NULL;
	struct websession s;
	char ha[65], hb[65];
	int64_t n = -1;

	assert_int_equal(websession_create(f->db, NULL, &a), 0);
	assert_int_equal(websession_create(f->db, NULL, &b), 0);
	websession_hash(a, ha);
	websession_hash(b, hb);
	/* Idle too long: gone (find deletes it). */
	assert_true(db_run(f->db, "UPDATE web_sessions SET last_seen = last_seen - $1 WHERE"
				  " id_hash = $2", "it", f->cfg.session_idle + 1, ha) == 1);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM web_sessions WHERE id_hash = $1", ha), 1);
	assert_int_equal(websession_find(f->db, &f->cfg, a, &s), -ENOENT);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM web_sessions WHERE id_hash = $1", ha), 0);
	/* Active but older than the absolute limit: gone too. */
	assert_true(db_run(f->db, "UPDATE web_sessions SET created_at = created_at - $1 WHERE"
				  " id_hash = $2", "it", f->cfg.session_absolute + 1, hb) == 1);
	assert_int_equal(websession_purge(f->db, &f->cfg, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(websession_find(f->db, &f->cfg, b, &s), -ENOENT);
}

static void test_last_seen_refresh(void **state)
{
	struct dfx *f = *state;
	_cleanup_free_ char *a = NULL;
	struct websession s;
	char ha[65];

	assert_int_equal(websession_create(f->db, NULL, &a), 0);
	websession_hash(a, ha);
	assert_true(db_run(f->db, "UPDATE web_sessions SET last_seen = last_seen - 120 WHERE"
				  " id_hash = $1", "t", ha) == 1);
	assert_int_equal(websession_find(f->db, &f->cfg, a, &s), 0);
	assert_true(s.last_seen >= now_sec() - 1);
}

static void test_csrf(void **state)
{
	struct dfx *f = *state;
	unsigned char other[32] = { 1 };
	char t[44], u[44];

	assert_int_equal(websession_csrf(f->session_key, "id-1", t), 0);
	assert_int_equal(strlen(t), 43);
	assert_int_equal(websession_csrf(f->session_key, "id-1", u), 0);
	assert_string_equal(t, u);	/* no storage: every node computes the same */
	assert_true(websession_csrf_ok(f->session_key, "id-1", t));
	assert_false(websession_csrf_ok(f->session_key, "id-2", t));
	assert_false(websession_csrf_ok(other, "id-1", t));
	assert_false(websession_csrf_ok(f->session_key, "id-1", NULL));
	assert_false(websession_csrf_ok(f->session_key, "id-1", ""));
	t[5] ^= 1;
	assert_false(websession_csrf_ok(f->session_key, "id-1", t));
}

static void test_login_rotation(void **state)
{
	struct dfx *f = *state;
	_cleanup_free_ char *old = NULL;
	char *new_id = NULL, *again = NULL;
	enum refusal why = REFUSAL_NONE;
	struct websession s;
	char old_hash[65];

	assert_int_equal(websession_create(f->db, "192.0.2.1", &old), 0);
	websession_hash(old, old_hash);
	/* Nothing accepted yet: the wait has nothing to hand out. */
	assert_int_equal(websession_login_take(f->db, &f->cfg, f->session_key, old_hash, SIGNING_ID,
					       TCKN, &new_id), -ENOENT);
	/* The acceptance (in its transaction) creates the holder's session. */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(websession_login_accept(f->db, f->session_key, old_hash, SIGNING_ID, TCKN,
						 "192.0.2.1", &why), 0);
	assert_int_equal(db_commit(f->db), 0);
	/* The old cookie is still the anonymous session: a fixated id is
	 * never logged in. */
	assert_int_equal(websession_find(f->db, &f->cfg, old, &s), 0);
	assert_string_equal(s.tckn, "");
	/* The wait hands out the new id; a lost answer is given again. */
	assert_int_equal(websession_login_take(f->db, &f->cfg, f->session_key, old_hash, SIGNING_ID,
					       TCKN, &new_id), 0);
	assert_int_equal(websession_login_take(f->db, &f->cfg, f->session_key, old_hash, SIGNING_ID,
					       TCKN, &again), 0);
	assert_string_equal(new_id, again);
	assert_string_not_equal(new_id, old);
	free(again);
	/* Not for another signing session or another holder. */
	assert_int_equal(websession_login_take(f->db, &f->cfg, f->session_key, old_hash,
					       "ffffffffffffffffffffffffffffffff", TCKN, &again),
			 -ENOENT);
	assert_int_equal(websession_login_take(f->db, &f->cfg, f->session_key, old_hash, SIGNING_ID,
					       "10000000078", &again), -ENOENT);
	/* The new id is logged in; its first use ends the old one. */
	assert_int_equal(websession_find(f->db, &f->cfg, new_id, &s), 0);
	assert_string_equal(s.tckn, TCKN);
	assert_true(s.authenticated_at > 0);
	assert_int_equal(websession_find(f->db, &f->cfg, old, &s), -ENOENT);
	assert_int_equal(websession_find(f->db, &f->cfg, new_id, &s), 0);
	/* After logout the wait hands out nothing any more. */
	assert_int_equal(websession_logout(f->db, new_id, TCKN), 0);
	assert_int_equal(websession_login_take(f->db, &f->cfg, f->session_key, old_hash, SIGNING_ID,
					       TCKN, &again), -ENOENT);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM audit_log WHERE action = $1",
				 "session.logout"), 1);
	free(new_id);
}

static void test_login_browser_gone(void **state)
{
	struct dfx *f = *state;
	_cleanup_free_ char *old = NULL;
	enum refusal why = REFUSAL_NONE;
	char old_hash[65];

	assert_int_equal(websession_create(f->db, NULL, &old), 0);
	websession_hash(old, old_hash);
	assert_int_equal(websession_delete(f->db, old), 0);
	assert_int_equal(websession_delete(f->db, old), -ENOENT);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(websession_login_accept(f->db, f->session_key, old_hash, SIGNING_ID, TCKN,
						 NULL, &why), -EACCES);
	assert_int_equal(why, REFUSAL_SESSION_CLOSED);
	assert_int_equal(db_rollback(f->db), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_create_find, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_idle_and_absolute, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_last_seen_refresh, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_csrf, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_login_rotation, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_login_browser_gone, dfx_setup, dfx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
