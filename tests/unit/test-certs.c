/* test-certs.c - holders, certificates and the revocation state machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>

#include "store/audit.h"
#include "domain/certs.h"
#include "domain/cards.h"
#include "store-target.h"

static char dir[] = "/tmp/eonay-certs-XXXXXX";
static char target[512];

static int setup(void **state)
{
	char path[300];
	struct db *db;

	snprintf(path, sizeof(path), "%s/t.db", dir);
	/* A new store: its first start seals the audit head (as eonayd does). */
	if (test_store_new(path, NULL, target, sizeof(target)) < 0)
		return -1;
	if (db_open(target, 1000, &db) < 0 || db_migrate(db, NULL) < 0 ||
	    audit_seal(db, true, NULL, NULL) < 0)
		return -1;
	if (holder_put(db, "10000000146", "AHMET", "YILMAZ", NULL, "5551112233") < 0)
		return -1;
	*state = db;
	return 0;
}

static int teardown(void **state)
{
	db_close(*state);
	test_store_drop(target);
	return 0;
}

/* The issuer (key identifier) of the certificates most tests add. */
#define ISS "aa11"

static void add_cert_of(struct db *db, const char *issuer, const char *serial, enum cert_status st)
{
	static unsigned char der[] = { 0x30, 0x00, 0x00, 0x01 };	/* NUL bytes kept */
	struct cert_record c = {
		.tckn = "10000000146", .subject_cn = "AHMET YILMAZ", .der = der,
		.der_len = sizeof(der), .not_before = 1, .not_after = 2, .issued_at = 3, .status = st,
		.reason = st == CERT_HOLD ? CERT_REASON_HOLD : 0,
	};
	snprintf(c.issuer, sizeof(c.issuer), "%s", issuer);
	snprintf(c.serial, sizeof(c.serial), "%s", serial);
	snprintf(c.sha256, sizeof(c.sha256), "sha-%s-%s", issuer, serial);
	assert_int_equal(cert_add(db, &c), 0);
}

static void add_cert(struct db *db, const char *serial, enum cert_status st)
{
	add_cert_of(db, ISS, serial, st);
}

static void test_holder(void **state)
{
	struct db *db = *state;
	struct holder h;

	assert_int_equal(holder_get(db, "10000000146", &h), 0);
	assert_string_equal(h.given_name, "AHMET");
	assert_string_equal(h.mobile, "5551112233");
	holder_done(&h);
	/* Update keeps the mobile when none is given. */
	assert_int_equal(holder_put(db, "10000000146", "AHMET", "YILMAZ", "a@b.tr", NULL), 0);
	assert_int_equal(holder_get(db, "10000000146", &h), 0);
	assert_string_equal(h.email, "a@b.tr");
	assert_string_equal(h.mobile, "5551112233");
	holder_done(&h);
	assert_int_equal(holder_get(db, "10000000078", &h), -ENOENT);
}

static void test_state_machine(void **state)
{
	struct db *db = *state;
	enum refusal why = REFUSAL_NONE;
	enum cert_status st;
	int reason;
	int64_t at, n;

	add_cert(db, "0AbC", CERT_HOLD);
	/* serials are case-insensitive */
	assert_int_equal(cert_status_get(db, ISS, "0abc", &st, &reason, &at), 0);
	assert_int_equal(st, CERT_HOLD);
	assert_int_equal(reason, CERT_REASON_HOLD);

	assert_int_equal(cert_hold(db, ISS, "0abc", "operator", &why), -EACCES);	/* already on hold */
	assert_int_equal(why, REFUSAL_CERT_STATE);
	assert_int_equal(cert_release(db, ISS, "0ABC", "operator", &why), 0);
	assert_int_equal(cert_status_get(db, ISS, "0abc", &st, &reason, &at), 0);
	assert_int_equal(st, CERT_ACTIVE);
	assert_int_equal(cert_release(db, ISS, "0abc", "operator", &why), -EACCES);
	assert_int_equal(why, REFUSAL_CERT_STATE);
	assert_int_equal(cert_hold(db, ISS, "0abc", "holder:10000000146", &why), 0);
	assert_int_equal(cert_revoke(db, ISS, "0abc", CERT_REASON_HOLD, "operator", &why), -EACCES);
	assert_int_equal(why, REFUSAL_CERT_REASON);
	assert_int_equal(cert_revoke(db, ISS, "0abc", 1, "operator", &why), 0);
	assert_int_equal(cert_status_get(db, ISS, "0abc", &st, &reason, &at), 0);
	assert_int_equal(st, CERT_REVOKED);
	assert_int_equal(reason, 1);
	assert_true(at > 0);
	/* Revocation is final. */
	assert_int_equal(cert_release(db, ISS, "0abc", "operator", &why), -EACCES);
	assert_int_equal(why, REFUSAL_CERT_STATE);
	assert_int_equal(cert_hold(db, ISS, "0abc", "operator", &why), -EACCES);
	assert_int_equal(why, REFUSAL_CERT_STATE);
	assert_int_equal(cert_revoke(db, ISS, "0abc", 4, "operator", &why), -EACCES);
	assert_int_equal(why, REFUSAL_CERT_STATE);
	assert_int_equal(cert_status_get(db, ISS, "0abc", &st, &reason, &at), 0);
	assert_int_equal(reason, 1);
	assert_int_equal(cert_hold(db, ISS, "ffff", "operator", &why), -EACCES);
	assert_int_equal(why, REFUSAL_CERT_UNKNOWN);

	/* Every decision, accepted or refused, is in an intact audit chain. */
	assert_int_equal(audit_verify(db, &n, NULL), 0);
	assert_int_equal(n, 9);
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM audit_log WHERE outcome = 'refused'",
					NULL, &n), 0);
	assert_int_equal(n, 6);
}

static int collect(void *u, const char *serial, int64_t at, int reason)
{
	char *buf = u;

	snprintf(buf + strlen(buf), 200 - strlen(buf), "%s:%d ", serial, reason);
	return 0;
}

static void test_revoked_list_and_listing(void **state)
{
	struct db *db = *state;
	enum refusal why = REFUSAL_NONE;
	struct cert_record *a;
	char buf[200] = "";
	size_t n;

	add_cert(db, "01", CERT_ACTIVE);
	add_cert(db, "02", CERT_HOLD);
	add_cert(db, "03", CERT_ACTIVE);
	assert_int_equal(cert_revoke(db, ISS, "03", 4, "operator", &why), 0);
	assert_int_equal(cert_foreach_revoked(db, ISS, collect, buf), 0);
	assert_string_equal(buf, "02:6 03:4 ");
	assert_int_equal(cert_list_by_tckn(db, "10000000146", &a, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(a[0].subject_cn, "AHMET YILMAZ");
	cert_record_free_array(a, n);
	/* Duplicate serial refused, nothing changed. */
	struct cert_record c = { .issuer = ISS, .serial = "01", .tckn = "10000000146",
				 .subject_cn = "X", .der = (unsigned char *)"", .sha256 = "other" };
	assert_int_equal(cert_add(db, &c), -EEXIST);
	/* Unknown holder refused by the foreign key. */
	struct cert_record d = { .issuer = ISS, .serial = "09", .tckn = "10000000078",
				 .subject_cn = "X", .der = (unsigned char *)"", .sha256 = "x9" };
	assert_int_equal(cert_add(db, &d), -EINVAL);
	/* No issuer: refused before the store. */
	struct cert_record e = { .serial = "0a", .tckn = "10000000146", .subject_cn = "X",
				 .der = (unsigned char *)"", .sha256 = "x10" };
	assert_int_equal(cert_add(db, &e), -EINVAL);
}

static void test_revoke_reasons(void **state)
{
	assert_true(cert_revoke_reason_ok(0));
	assert_true(cert_revoke_reason_ok(1));
	assert_true(cert_revoke_reason_ok(9));
	assert_false(cert_revoke_reason_ok(CERT_REASON_HOLD));
	assert_false(cert_revoke_reason_ok(2));
	assert_false(cert_revoke_reason_ok(8));
	assert_false(cert_revoke_reason_ok(-1));
	assert_false(cert_revoke_reason_ok(11));
}

static void test_cards(void **state)
{
	struct db *db = *state;
	char *s;

	assert_int_equal(card_add(db, "DEMO-0001", "10000000146", "v1:abc", "produced"), 0);
	assert_int_equal(card_add(db, "DEMO-0001", "10000000146", "v1:abc", "produced"), -EEXIST);
	assert_int_equal(card_so_pin_get(db, "DEMO-0001", &s), 0);
	assert_string_equal(s, "v1:abc");
	free(s);
	assert_int_equal(card_so_pin_set(db, "DEMO-0001", "v1:def"), 0);
	assert_int_equal(card_so_pin_set(db, "NOPE", "v1:def"), -ENOENT);
	assert_int_equal(card_so_pin_get(db, "NOPE", &s), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_machine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoked_list_and_listing, setup, teardown),
		cmocka_unit_test(test_revoke_reasons),
		cmocka_unit_test_setup_teardown(test_cards, setup, teardown),
	};
	char cmd[300];
	int r;

	assert_non_null(mkdtemp(dir));
	/* The audit key (derived from a master key outside the store). */
	assert_int_equal(audit_set_key((const unsigned char *)"0123456789abcdef0123456789abcdef"), 0);
	r = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	(void)!system(cmd);
	return r;
}
