/* test-lifecycle.c - the holder's own acts in the domain: Şifreli Giriş
 * (password.c), the holder's certificate acts (certs.c cert_holder_act),
 * the outbox (notify.c), contact details (contact.c), applications. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <sys/stat.h>
#include <time.h>

#include "domain-fixture.h"
#include "domain/applications.h"
#include "domain/certs.h"
#include "domain/contact.h"
#include "domain/notify.h"
#include "domain/password.h"
#include "domain/websession.h"

#define AHMET "10000000146"
#define AYSE "10000000078"
#define WORD "elma-armut-42"

static int setup(void **state)
{
	struct dfx *f;

	dfx_setup(state);
	f = *state;
	assert_int_equal(holder_put(f->db, AHMET, "AHMET", "YILMAZ", "ahmet@example.org",
				    "5320000146"), 0);
	assert_int_equal(holder_put(f->db, AYSE, "AYŞE", "DEMİR", NULL, "5320000078"), 0);
	f->cfg.pw_lockout_base = 60;
	return 0;
}

#define ISS "aa01"	/* the issuing CA's key identifier */
#define ISS2 "bb02"	/* a second issuing CA (rollover) */

static void add_cert_of(struct dfx *f, const char *issuer, const char *tckn, const char *serial,
			enum cert_status st, int64_t not_after)
{
	static unsigned char der[] = { 0x30, 0x00 };
	struct cert_record c = {
		.subject_cn = "X", .der = der, .der_len = sizeof(der), .not_before = 1,
		.not_after = not_after, .issued_at = 3, .status = st,
		.reason = st == CERT_HOLD ? CERT_REASON_HOLD : 0,
	};
	snprintf(c.issuer, sizeof(c.issuer), "%s", issuer);
	snprintf(c.tckn, sizeof(c.tckn), "%s", tckn);
	snprintf(c.serial, sizeof(c.serial), "%s", serial);
	snprintf(c.sha256, sizeof(c.sha256), "sha-%s-%s", issuer, serial);
	assert_int_equal(cert_add(f->db, &c), 0);
}

static void add_cert(struct dfx *f, const char *tckn, const char *serial, enum cert_status st,
		     int64_t not_after)
{
	add_cert_of(f, ISS, tckn, serial, st, not_after);
}

/* A fresh anonymous browser session; its hash into hash. */
static void anon(struct dfx *f, char hash[65])
{
	_cleanup_secret_ char *id = NULL;

	assert_int_equal(websession_create(f->db, "192.0.2.1", &id), 0);
	assert_int_equal(websession_hash(id, hash), 0);
}

static int try_login(struct dfx *f, const char *tckn, const char *word, const char *addr,
		     enum refusal *why, int64_t *retry)
{
	_cleanup_secret_ char *id = NULL;
	char hash[65];
	int r;

	anon(f, hash);
	*why = REFUSAL_NONE;
	r = password_login(f->db, &f->cfg, tckn, word, addr, hash, &id, why, retry);
	if (r == 0) {
		struct websession s;

		assert_non_null(id);
		assert_int_equal(websession_find(f->db, &f->cfg, id, &s), 0);
		assert_string_equal(s.tckn, tckn);
		assert_string_equal(s.login_method, "şifre");
		/* the anonymous session ended (no fixation) */
		assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM web_sessions WHERE id_hash = $1",
					 hash), 0);
	}
	return r;
}

static void test_hash(void **state)
{
	_cleanup_free_ char *h = NULL, *h2 = NULL;

	(void)state;
	assert_int_equal(password_hash(WORD, &h), 0);
	assert_int_equal(password_hash(WORD, &h2), 0);
	assert_non_null(strstr(h, "scrypt$15$8$1$"));
	assert_null(strstr(h, WORD));
	assert_string_not_equal(h, h2);	/* salted */
	assert_true(password_verify(WORD, h));
	assert_false(password_verify("elma-armut-43", h));
	assert_false(password_verify(WORD, "scrypt$15$8$1$zz$zz"));
	assert_false(password_verify(WORD, "plain"));
}

static void test_login(void **state)
{
	struct dfx *f = *state;
	enum refusal why;
	int64_t retry = 0;
	bool set;

	assert_int_equal(password_is_set(f->db, AYSE, &set), 0);
	assert_false(set);
	/* no word yet: the same refusal as a wrong word */
	assert_int_equal(try_login(f, AYSE, WORD, "192.0.2.1", &why, &retry), -EACCES);
	assert_int_equal(why, REFUSAL_LOGIN_FAILED);
	assert_int_equal(password_set(f->db, AYSE, "short", "operator", &why), -EINVAL);
	assert_int_equal(password_set(f->db, "10000000214", WORD, "operator", &why), -EACCES);
	assert_int_equal(why, REFUSAL_HOLDER_UNKNOWN);
	assert_int_equal(password_set(f->db, AYSE, WORD, "operator", &why), 0);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM holder_secrets WHERE word_hash LIKE"
				    " '%' || $1 || '%'", WORD), 0);
	assert_int_equal(try_login(f, AYSE, "wrong-word", "192.0.2.1", &why, &retry), -EACCES);
	assert_int_equal(why, REFUSAL_LOGIN_FAILED);
	assert_int_equal(try_login(f, AYSE, WORD, "192.0.2.1", &why, &retry), 0);
	/* success resets the holder's counter */
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM login_failures WHERE name = 'h:' || $1",
				 AYSE), 0);
	/* every attempt audited */
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM audit_log WHERE subject = $1 AND action IN"
				    " ('session.password', 'session.login')", AYSE), 3);
}

static void test_lockout(void **state)
{
	struct dfx *f = *state;
	enum refusal why;
	int64_t retry = 0, until1;

	assert_int_equal(password_set(f->db, AYSE, WORD, "operator", &why), 0);
	for (int i = 0; i < 5; i++) {
		char addr[32];

		/* from five addresses: the holder's own counter locks */
		snprintf(addr, sizeof(addr), "198.51.100.%d", i + 1);
		assert_int_equal(try_login(f, AYSE, "wrong-word", addr, &why, &retry), -EACCES);
		assert_int_equal(why, REFUSAL_LOGIN_FAILED);
	}
	/* locked: even the right word is refused, without being checked */
	assert_int_equal(try_login(f, AYSE, WORD, "198.51.100.9", &why, &retry), -EACCES);
	assert_int_equal(why, REFUSAL_LOGIN_LOCKED);
	assert_true(retry > 0 && retry <= 60);
	until1 = dfx_int(f, "SELECT locked_until FROM login_failures WHERE name = 'h:' || $1", AYSE);
	/* the lock ends; one more failure locks for twice as long */
	dfx_run(f, "UPDATE login_failures SET locked_until = 1 WHERE name = 'h:' || $1", AYSE);
	assert_int_equal(try_login(f, AYSE, "wrong-word", "198.51.100.9", &why, &retry), -EACCES);
	assert_int_equal(why, REFUSAL_LOGIN_FAILED);
	assert_true(dfx_int(f, "SELECT locked_until FROM login_failures WHERE name = 'h:' || $1",
			    AYSE) - now_sec() > 100);
	(void)until1;
	dfx_run(f, "UPDATE login_failures SET locked_until = 1 WHERE name = 'h:' || $1", AYSE);
	assert_int_equal(try_login(f, AYSE, WORD, "198.51.100.9", &why, &retry), 0);

	/* an unknown T.C. Kimlik No locks the same way (no enumeration) */
	for (int i = 0; i < 5; i++)
		assert_int_equal(try_login(f, "10000000214", WORD, "203.0.113.7", &why, &retry),
				 -EACCES);
	/* ... and so does the address, for every holder */
	assert_int_equal(try_login(f, AHMET, WORD, "203.0.113.7", &why, &retry), -EACCES);
	assert_int_equal(why, REFUSAL_LOGIN_LOCKED);
}

/* Housekeeping forgets failure counters that attempt counting forgets
 * anyway (quiet for lockout_max, not locked); the others stay. */
static void test_failures_purge(void **state)
{
	struct dfx *f = *state;
	enum refusal why;
	int64_t retry = 0, n = -1, now = now_sec();

	for (int i = 0; i < 3; i++) {
		char addr[32];

		snprintf(addr, sizeof(addr), "198.51.100.%d", i + 1);
		assert_int_equal(try_login(f, "10000000214", "wrong-word", addr, &why, &retry),
				 -EACCES);
	}
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM login_failures WHERE name <> $1", "-"), 4);
	assert_int_equal(password_purge(f->db, &f->cfg, &n), 0);
	assert_int_equal(n, 0);	/* all recent */
	/* one address quiet for long; another as old but still locked */
	assert_int_equal(db_run(f->db, "UPDATE login_failures SET last_at = $1 WHERE name ="
				       " 'a:198.51.100.1'", "i", now - f->cfg.pw_lockout_max - 10), 1);
	assert_int_equal(db_run(f->db, "UPDATE login_failures SET last_at = $1, locked_until = $2"
				       " WHERE name = 'a:198.51.100.2'", "ii",
				now - f->cfg.pw_lockout_max - 10, now + 100), 1);
	assert_int_equal(password_purge(f->db, &f->cfg, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM login_failures WHERE name = $1",
				 "a:198.51.100.1"), 0);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM login_failures WHERE name = $1",
				 "a:198.51.100.2"), 1);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM login_failures WHERE name = $1",
				 "h:10000000214"), 1);
}

static void test_holder_acts(void **state)
{
	struct dfx *f = *state;
	enum refusal why = REFUSAL_NONE;
	int64_t far = now_sec() + 86400;
	enum cert_status st;

	add_cert(f, AYSE, "0a1b2c3d4e", CERT_HOLD, far);
	add_cert(f, AHMET, "99aa", CERT_ACTIVE, far);
	add_cert(f, AYSE, "77", CERT_ACTIVE, 10);	/* expired */
	/* a session logged in with AYŞE's certificate ends on hold */
	assert_int_equal(db_run(f->db, "INSERT INTO web_sessions (id_hash, tckn, created_at,"
				       " last_seen, signer_issuer, signer_serial) VALUES ('x', $1, 1, 1, 'aa01',"
				       " '0a1b2c3d4e')",
				"t", AYSE), 1);

	assert_int_equal(cert_holder_act(f->db, AYSE, NULL, "99aa", CERT_ACT_HOLD, 0, NULL, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_CERT_NOT_OWNER);
	assert_int_equal(cert_holder_act(f->db, AYSE, NULL, "ffff", CERT_ACT_HOLD, 0, NULL, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_NOT_FOUND);
	assert_int_equal(cert_holder_act(f->db, AYSE, NULL, "77", CERT_ACT_HOLD, 0, NULL, &why), -EACCES);
	assert_int_equal(why, REFUSAL_CERT_EXPIRED);
	assert_int_equal(cert_holder_act(f->db, AYSE, NULL, "0A1B2C3D4E", CERT_ACT_HOLD, 0, NULL, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_CERT_STATE);	/* already on hold */
	assert_int_equal(cert_holder_act(f->db, AYSE, NULL, "0a1b2c3d4e", CERT_ACT_RELEASE, 0, NULL, &why),
			 0);
	assert_int_equal(cert_status_get(f->db, ISS, "0a1b2c3d4e", &st, NULL, NULL), 0);
	assert_int_equal(st, CERT_ACTIVE);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM web_sessions WHERE id_hash = $1", "x"), 1);
	assert_int_equal(cert_holder_act(f->db, AYSE, NULL, "0a1b2c3d4e", CERT_ACT_HOLD, 0, NULL, &why), 0);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM web_sessions WHERE id_hash = $1", "x"), 0);
	/* revoke: typed confirmation, reason */
	assert_int_equal(cert_holder_act(f->db, AYSE, NULL, "0a1b2c3d4e", CERT_ACT_REVOKE, 1, "c3d4e",
					 &why), -EACCES);
	assert_int_equal(why, REFUSAL_CONFIRMATION);
	assert_int_equal(cert_holder_act(f->db, AYSE, NULL, "0a1b2c3d4e", CERT_ACT_REVOKE, 2, "2C3D4E",
					 &why), -EACCES);
	assert_int_equal(why, REFUSAL_CERT_REASON);	/* CA compromise: not the holder's */
	assert_int_equal(cert_holder_act(f->db, AYSE, NULL, "0a1b2c3d4e", CERT_ACT_REVOKE, 1, "2C3D4E",
					 &why), 0);
	assert_int_equal(cert_status_get(f->db, ISS, "0a1b2c3d4e", &st, NULL, NULL), 0);
	assert_int_equal(st, CERT_REVOKED);
	/* final */
	assert_int_equal(cert_holder_act(f->db, AYSE, NULL, "0a1b2c3d4e", CERT_ACT_HOLD, 0, NULL, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_CERT_STATE);
	assert_int_equal(cert_holder_act(f->db, AYSE, NULL, "0a1b2c3d4e", CERT_ACT_RELEASE, 0, NULL, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_CERT_STATE);
	/* a second issuing CA gave AHMET a certificate with AYŞE's serial:
	 * hers is still found by serial alone (only the holder's own count) */
	add_cert_of(f, ISS2, AHMET, "0a1b2c3d4e", CERT_ACTIVE, far);
	assert_int_equal(cert_holder_act(f->db, AYSE, NULL, "0a1b2c3d4e", CERT_ACT_HOLD, 0, NULL, &why),
			 -EACCES);
	assert_int_equal(why, REFUSAL_CERT_STATE);	/* hers: revoked */
	assert_int_equal(cert_holder_act(f->db, AHMET, NULL, "0a1b2c3d4e", CERT_ACT_HOLD, 0, NULL,
					 &why), 0);
	assert_int_equal(cert_status_get(f->db, ISS2, "0a1b2c3d4e", &st, NULL, NULL), 0);
	assert_int_equal(st, CERT_HOLD);
	/* one notification per accepted act (AYŞE: no e-mail, so SMS), refusals audited */
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM outbox WHERE tckn = $1 AND channel = 'sms'",
				 AYSE), 3);
	assert_true(dfx_int(f, "SELECT COUNT(*) FROM audit_log WHERE actor = 'holder:' || $1 AND"
			       " outcome = 'refused'", AYSE) >= 6);
}

/* The e-signature login records its certificate; suspending it ends the session. */
static void test_signer_on_session(void **state)
{
	struct dfx *f = *state;
	enum refusal why = REFUSAL_NONE;
	char hash[65];
	int64_t n = -1;

	anon(f, hash);
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(websession_login_accept(f->db, f->session_key, hash, "sess-1", AYSE,
						 "192.0.2.1", &why), 0);
	assert_int_equal(websession_bind_signer(f->db, f->session_key, hash, "sess-1", "AA01", "0A1B"),
			 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM web_sessions WHERE signer_serial = $1"
				    " AND signer_issuer = 'aa01' AND login_method = 'e-imza'", "0a1b"), 1);
	assert_int_equal(websession_end_by_signer(f->db, ISS, "ffff", &n), 0);
	assert_int_equal(n, 0);
	/* the same serial from another issuer is another certificate */
	assert_int_equal(websession_end_by_signer(f->db, ISS2, "0a1b", &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(websession_end_by_signer(f->db, ISS, "0a1b", &n), 0);
	assert_int_equal(n, 1);
}

static void test_outbox(void **state)
{
	struct dfx *f = *state;
	struct notify_msg *m = NULL, *m2 = NULL;
	char tok[33], tok2[33], path[200], dir[128];
	size_t n = 0, n2 = 0;
	struct stat stbuf;
	int64_t k = 0;

	/* Bilgi Kanalı both: two messages */
	assert_int_equal(db_run(f->db, "UPDATE holders SET info_channel = 'both' WHERE tckn = $1",
				"t", AHMET), 1);
	assert_int_equal(notify_holder(f->db, AHMET, "Konu", "Metin", &k), 0);
	assert_int_equal(k, 2);
	assert_int_equal(notify_claim(f->db, 10, 300, tok, &m, &n), 0);
	assert_int_equal(n, 2);
	/* claimed: a second node gets nothing until the lease runs out */
	assert_int_equal(notify_claim(f->db, 10, 300, tok2, &m2, &n2), 0);
	assert_int_equal(n2, 0);
	snprintf(dir, sizeof(dir), "%s/spool", f->dir);
	assert_int_equal(notify_spool_write(dir, &m[0]), 0);
	assert_int_equal(notify_spool_write(dir, &m[0]), 0);	/* again: same file */
	snprintf(path, sizeof(path), "%s/%s.msg", dir, m[0].id);
	assert_int_equal(stat(path, &stbuf), 0);
	assert_int_equal(notify_done(f->db, m[0].id, tok), 0);
	/* a failure: back-off, then given up after NOTIFY_MAX_ATTEMPTS */
	assert_int_equal(notify_failed(f->db, m[1].id, tok, "disk full"), 0);
	assert_true(dfx_int(f, "SELECT next_at FROM outbox WHERE id = $1", m[1].id) > now_sec() + 20);
	assert_int_equal(notify_count(f->db, "sent", &k), 0);
	assert_int_equal(k, 1);
	/* a crashed node's lease runs out */
	dfx_run(f, "UPDATE outbox SET next_at = 0, lease_token = 'dead', lease_until = 1"
		   " WHERE id = $1", m[1].id);
	for (int i = 1; i < NOTIFY_MAX_ATTEMPTS; i++) {
		notify_msg_free_array(m2, n2);
		assert_int_equal(notify_claim(f->db, 10, 300, tok2, &m2, &n2), 0);
		assert_int_equal(n2, 1);
		assert_int_equal(notify_failed(f->db, m2[0].id, tok2, "x"), 0);
		dfx_run(f, "UPDATE outbox SET next_at = 0 WHERE id = $1", m[1].id);
	}
	assert_int_equal(notify_count(f->db, "failed", &k), 0);
	assert_int_equal(k, 1);
	/* purged once old: sent and failed, never pending */
	assert_int_equal(notify_queue(f->db, AHMET, "sms", "5320000146", "S", "B"), 0);
	assert_int_equal(notify_purge(f->db, now_sec() - 86400, &k), 0);
	assert_int_equal(k, 0);
	dfx_run(f, "UPDATE outbox SET created_at = 1, next_at = 1 WHERE tckn = $1", AHMET);
	assert_int_equal(notify_purge(f->db, now_sec() - 86400, &k), 0);
	assert_int_equal(k, 2);
	assert_int_equal(notify_count(f->db, "pending", &k), 0);
	assert_int_equal(k, 1);
	notify_msg_free_array(m, n);
	notify_msg_free_array(m2, n2);
}

static void test_contact(void **state)
{
	struct dfx *f = *state;
	enum refusal why = REFUSAL_NONE;
	enum contact_field bad = _CONTACT_MAX;
	struct contact in = { 0 }, out;

	in.v[CONTACT_EMAIL] = "ayse@Example.ORG";
	in.v[CONTACT_MOBILE] = "+90 (532) 123 45 67";
	in.v[CONTACT_INFO_CHANNEL] = "sms";
	in.v[CONTACT_WORK_PHONE] = "0312 000 00 00";
	in.v[CONTACT_WORK_EXT] = "1234";
	assert_int_equal(contact_set(f->db, AYSE, &in, &bad, &why), 0);
	assert_int_equal(contact_get(f->db, AYSE, &out), 0);
	assert_string_equal(out.v[CONTACT_EMAIL], "ayse@example.org");
	assert_string_equal(out.v[CONTACT_MOBILE], "5321234567");
	assert_string_equal(out.v[CONTACT_WORK_PHONE], "3120000000");
	assert_null(out.v[CONTACT_HOME_PHONE]);
	contact_done(&out);

	const struct { enum contact_field f; const char *v; } badv[] = {
		{ CONTACT_EMAIL, "no-at" }, { CONTACT_EMAIL, "a@b" }, { CONTACT_EMAIL, "a@@b.org" },
		{ CONTACT_EMAIL, "" }, { CONTACT_MOBILE, "3121234567" }, { CONTACT_MOBILE, "532" },
		{ CONTACT_MOBILE, "532x1234567" }, { CONTACT_WORK_EXT, "12a" },
		{ CONTACT_INFO_CHANNEL, "fax" }, { CONTACT_INFO_CHANNEL, NULL },
	};
	for (size_t i = 0; i < ELEMENTSOF(badv); i++) {
		struct contact c = in;

		c.v[badv[i].f] = (char *)badv[i].v;
		assert_int_equal(contact_set(f->db, AYSE, &c, &bad, &why), -EACCES);
		assert_int_equal(why, REFUSAL_CONTACT_INVALID);
		assert_int_equal(bad, badv[i].f);
	}
	assert_int_equal(contact_set(f->db, "10000000214", &in, &bad, &why), -EACCES);
	assert_int_equal(why, REFUSAL_HOLDER_UNKNOWN);
}

static void test_applications(void **state)
{
	struct dfx *f = *state;
	struct application_filter ayse = { .tckn = AYSE, .state = -1 };
	struct application *a = NULL;
	size_t n = 9;
	char id[33];

	assert_int_equal(application_list(f->db, &ayse, &a, &n), 0);
	assert_int_equal(n, 0);
	application_free_array(a, n);
	assert_int_equal(application_add(f->db, AYSE, "new", "received", id), 0);
	assert_int_equal(application_add(f->db, AYSE, "bogus", "received", id), -EINVAL);
	assert_int_equal(application_list(f->db, &ayse, &a, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(a[0].kind, APP_KIND_NEW);
	assert_int_equal(a[0].state, APP_RECEIVED);
	assert_string_equal(a[0].tckn, AYSE);
	application_free_array(a, n);
	assert_int_equal(application_add(f->db, AHMET, "renewal", "waiting", id), 0);
	assert_int_equal(application_add(f->db, AHMET, "renewal", "lost-in-space", id), -EINVAL);
	assert_int_equal(application_list(f->db, NULL, &a, &n), 0);	/* everyone's */
	assert_int_equal(n, 2);
	application_free_array(a, n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash),
		cmocka_unit_test_setup_teardown(test_login, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_lockout, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_failures_purge, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_holder_acts, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_signer_on_session, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_outbox, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_contact, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_applications, setup, dfx_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
