/* test-certs.c - holders, certificates and the revocation state machine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>

#include <openssl/x509.h>

#include "store/audit.h"
#include "domain/certs.h"
#include "domain/cards.h"
#include "domain/publish.h"
#include "pki/crl.h"
#include "pki/key.h"
#include "pki/ocsp.h"
#include "pki/ossl.h"
#include "pki-fixture.h"
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

/* Revoked while on hold: the certificate has not been valid since the
 * hold began, so the revocation date (CRL revocationDate, OCSP
 * revocationTime) stays the hold's; revoked when active, it is now. */
static void test_revoke_from_hold_keeps_date(void **state)
{
	struct db *db = *state;
	enum refusal why = REFUSAL_NONE;
	enum cert_status st;
	int reason = 0;
	int64_t at = 0;

	add_cert(db, "0d0d", CERT_ACTIVE);
	assert_int_equal(cert_hold(db, ISS, "0d0d", "operator", &why), 0);
	/* the hold began a day ago */
	assert_int_equal(db_run(db, "UPDATE certificates SET revoked_at = revoked_at - 86400"
				    " WHERE issuer = $1 AND serial = '0d0d'", "t", ISS), 1);
	assert_int_equal(cert_status_get(db, ISS, "0d0d", &st, &reason, &at), 0);
	{
		int64_t held_at = at;

		assert_int_equal(cert_revoke(db, ISS, "0d0d", 1, "operator", &why), 0);
		assert_int_equal(cert_status_get(db, ISS, "0d0d", &st, &reason, &at), 0);
		assert_int_equal(st, CERT_REVOKED);
		assert_int_equal(reason, 1);
		assert_int_equal(at, held_at);
	}
	/* hold, release, revoke: the date of the revocation */
	add_cert(db, "0d0e", CERT_ACTIVE);
	assert_int_equal(cert_hold(db, ISS, "0d0e", "operator", &why), 0);
	assert_int_equal(db_run(db, "UPDATE certificates SET revoked_at = revoked_at - 86400"
				    " WHERE issuer = $1 AND serial = '0d0e'", "t", ISS), 1);
	assert_int_equal(cert_release(db, ISS, "0d0e", "operator", &why), 0);
	assert_int_equal(cert_revoke(db, ISS, "0d0e", 4, "operator", &why), 0);
	assert_int_equal(cert_status_get(db, ISS, "0d0e", &st, &reason, &at), 0);
	assert_true(at >= now_sec() - 5);
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

/* Every change appends its row, with actor and reason, in order. */
static void test_history(void **state)
{
	struct db *db = *state;
	enum refusal why = REFUSAL_NONE;
	struct cert_event *a = NULL;
	size_t n = 0;

	add_cert(db, "0c", CERT_HOLD);
	assert_int_equal(cert_release(db, ISS, "0C", "operator", &why), 0);
	assert_int_equal(cert_hold(db, NULL, "0c", "holder:10000000146", &why), 0);
	assert_int_equal(cert_release(db, ISS, "0c", "operator", &why), 0);
	assert_int_equal(cert_revoke(db, ISS, "0c", 1, "holder:10000000146", &why), 0);
	/* A refused change leaves no history row. */
	assert_int_equal(cert_hold(db, ISS, "0c", "operator", &why), -EACCES);

	assert_int_equal(cert_history(db, NULL, "0C", &a, &n), 0);
	assert_int_equal(n, 5);
	const char *ev[] = { "issued", "release", "hold", "release", "revoke" };
	const enum cert_status stv[] = { CERT_HOLD, CERT_ACTIVE, CERT_HOLD, CERT_ACTIVE,
					 CERT_REVOKED };
	const int rv[] = { CERT_REASON_HOLD, -1, CERT_REASON_HOLD, -1, 1 };
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(a[i].seq, (int64_t)i + 1);
		assert_string_equal(a[i].event, ev[i]);
		assert_int_equal(a[i].status, stv[i]);
		assert_int_equal(a[i].reason, rv[i]);
		assert_true(a[i].at > 0);
	}
	assert_string_equal(a[0].actor, "operator");
	assert_string_equal(a[2].actor, "holder:10000000146");
	assert_string_equal(a[4].actor, "holder:10000000146");
	cert_event_free_array(a, n);
	assert_int_equal(cert_history(db, ISS, "0d", &a, &n), -ENOENT);
	assert_int_equal(cert_history(db, "bb22", "0c", &a, &n), -ENOENT);

}

static void test_history_atomic(void **state)
{
	struct db *db = *state;
	enum refusal why = REFUSAL_NONE;
	enum cert_status st;

	add_cert(db, "10", CERT_ACTIVE);
	/* A CHECK on the history's event refuses everything but the list:
	 * make the history refuse "hold" rows, and the hold must not happen. */
	assert_int_equal(db_exec(db, streq(db_backend_name(db), "postgresql") ?
		"ALTER TABLE cert_status_history ADD CONSTRAINT no_hold CHECK (event <> 'hold')" :
		"CREATE TRIGGER no_hold BEFORE INSERT ON cert_status_history WHEN NEW.event = 'hold'"
		" BEGIN SELECT RAISE(ABORT, 'no hold'); END"), 0);
	assert_true(cert_hold(db, ISS, "10", "operator", &why) < 0);
	assert_int_equal(cert_status_get(db, ISS, "10", &st, NULL, NULL), 0);
	assert_int_equal(st, CERT_ACTIVE);
}

/* A CA rollover: two issuing CAs, the same serial from each.  Every
 * look-up by issuer + serial finds its own; by serial alone it is
 * ambiguous and nothing changes. */
static void test_rollover(void **state)
{
	struct db *db = *state;
	enum refusal why = REFUSAL_NONE;
	struct pki_ocsp_status o;
	enum cert_status st;
	struct cert_record c;
	char buf[200] = "";

	add_cert_of(db, "1111", "0abc", CERT_ACTIVE);
	add_cert_of(db, "2222", "0abc", CERT_ACTIVE);
	/* The same serial twice from one issuer is still refused. */
	struct cert_record dup = { .issuer = "2222", .serial = "0ABC", .tckn = "10000000146",
				   .subject_cn = "X", .der = (unsigned char *)"", .sha256 = "d" };
	assert_int_equal(cert_add(db, &dup), -EEXIST);

	assert_int_equal(cert_hold(db, NULL, "0abc", "operator", &why), -ENOTUNIQ);
	assert_int_equal(cert_get(db, NULL, "0abc", &c), -ENOTUNIQ);
	assert_int_equal(cert_revoke(db, "1111", "0abc", 1, "operator", &why), 0);

	assert_int_equal(cert_status_get(db, "1111", "0abc", &st, NULL, NULL), 0);
	assert_int_equal(st, CERT_REVOKED);
	assert_int_equal(cert_status_get(db, "2222", "0abc", &st, NULL, NULL), 0);
	assert_int_equal(st, CERT_ACTIVE);
	assert_int_equal(cert_status_get(db, "3333", "0abc", &st, NULL, NULL), -ENOENT);
	assert_int_equal(cert_get(db, "2222", "0abc", &c), 0);
	assert_string_equal(c.issuer, "2222");
	assert_int_equal(c.status, CERT_ACTIVE);
	assert_int_equal(c.der_len, 4);
	assert_memory_equal(c.der, "\x30\x00\x00\x01", 4);
	cert_record_done(&c);

	/* OCSP: the issuer the request named decides. */
	assert_int_equal(ocsp_lookup_store(db, "1111", "0abc", &o), 0);
	assert_int_equal(o.status, PKI_OCSP_REVOKED);
	assert_int_equal(o.reason, 1);
	assert_int_equal(ocsp_lookup_store(db, "2222", "0abc", &o), 0);
	assert_int_equal(o.status, PKI_OCSP_GOOD);
	assert_int_equal(ocsp_lookup_store(db, "3333", "0abc", &o), 0);
	assert_int_equal(o.status, PKI_OCSP_UNKNOWN);

	/* Each issuer's CRL lists its own. */
	assert_int_equal(cert_foreach_revoked(db, "1111", collect, buf), 0);
	assert_string_equal(buf, "0abc:1 ");
	buf[0] = '\0';
	assert_int_equal(cert_foreach_revoked(db, "2222", collect, buf), 0);
	assert_string_equal(buf, "");
}

/* A new CA with the default configuration in d. */
static void ca_new(const char *d, const char *pass, struct pki_ca **ret)
{
	struct pki_ca_config cfg;

	pki_ca_config_init_defaults(&cfg);
	assert_int_equal(pki_ca_init(&cfg, d, pass), 0);
	assert_int_equal(pki_ca_load(d, pass, ret), 0);
}

static int count_revoked(const unsigned char *der, size_t n)
{
	const unsigned char *p = der;
	X509_CRL *crl = d2i_X509_CRL(NULL, &p, (long)n);
	int k;

	assert_non_null(crl);
	k = sk_X509_REVOKED_num(X509_CRL_get_REVOKED(crl));
	X509_CRL_free(crl);
	return k < 0 ? 0 : k;
}

/* Asks ca's OCSP responder (over the store) about serial 0abc of ca's
 * issuing CA, with a CertID hashed with md; returns the status. */
static int ocsp_status_of(struct db *db, struct pki_ca *ca, const EVP_MD *md)
{
	_cleanup_(OCSP_REQUEST_freep) OCSP_REQUEST *req = OCSP_REQUEST_new();
	_cleanup_(OCSP_RESPONSE_freep) OCSP_RESPONSE *resp = NULL;
	_cleanup_(OCSP_BASICRESP_freep) OCSP_BASICRESP *bs = NULL;
	_cleanup_free_ unsigned char *qder = NULL, *rder = NULL;
	ASN1_INTEGER *serial = NULL;
	OCSP_CERTID *id;
	const unsigned char *p;
	int qn, st = -1, reason = 0;
	size_t rn = 0;
	X509 *iss = pki_ca_issuing_cert(ca);

	assert_non_null(req);
	assert_int_equal(pki_serial_from_hex("0abc", &serial), 0);
	id = OCSP_cert_id_new(md, X509_get_subject_name(iss), X509_get0_pubkey_bitstr(iss), serial);
	ASN1_INTEGER_free(serial);
	assert_non_null(id);
	assert_non_null(OCSP_request_add0_id(req, id));
	qn = i2d_OCSP_REQUEST(req, &qder);
	assert_true(qn > 0);
	assert_int_equal(pki_ocsp_respond(ca, qder, (size_t)qn, ocsp_lookup_store, db, now_sec(),
					  &rder, &rn), 0);
	p = rder;
	resp = d2i_OCSP_RESPONSE(NULL, &p, (long)rn);
	assert_non_null(resp);
	bs = OCSP_response_get1_basic(resp);
	assert_non_null(bs);
	st = OCSP_single_get0_status(OCSP_resp_get0(bs, 0), &reason, NULL, NULL, NULL);
	return st;
}

/* CRL state per issuer: two CAs (a rollover), one store. */
static void test_crl_per_issuer(void **state)
{
	struct db *db = *state;
	_cleanup_(pki_ca_freep) struct pki_ca *ca1 = NULL, *ca2 = NULL;
	_cleanup_free_ unsigned char *der = NULL;
	char d1[300], d2[300], i1[CERT_ISSUER_MAX], i2[CERT_ISSUER_MAX];
	enum refusal why = REFUSAL_NONE;
	int64_t num = 0, k = 0;
	bool published = true;
	size_t n = 0;

	snprintf(d1, sizeof(d1), "%s/ca1", dir);
	snprintf(d2, sizeof(d2), "%s/ca2", dir);
	ca_new(d1, "pass-one", &ca1);
	ca_new(d2, "pass-two", &ca2);
	assert_int_equal(crl_issuer_of(ca1, i1), 0);
	assert_int_equal(crl_issuer_of(ca2, i2), 0);
	assert_string_not_equal(i1, i2);

	add_cert_of(db, i1, "0abc", CERT_ACTIVE);
	add_cert_of(db, i2, "0abc", CERT_ACTIVE);
	add_cert_of(db, i2, "0abd", CERT_ACTIVE);
	assert_int_equal(cert_revoke(db, i2, "0abc", 4, "operator", &why), 0);
	assert_int_equal(cert_hold(db, i2, "0abd", "operator", &why), 0);

	/* OCSP through each CA's responder: the request's issuer hashes
	 * (SHA-1 or SHA-256) pick the issuer, the store answers for it. */
	assert_int_equal(ocsp_status_of(db, ca1, EVP_sha1()), V_OCSP_CERTSTATUS_GOOD);
	assert_int_equal(ocsp_status_of(db, ca1, EVP_sha256()), V_OCSP_CERTSTATUS_GOOD);
	assert_int_equal(ocsp_status_of(db, ca2, EVP_sha1()), V_OCSP_CERTSTATUS_REVOKED);
	assert_int_equal(ocsp_status_of(db, ca2, EVP_sha256()), V_OCSP_CERTSTATUS_REVOKED);

	assert_int_equal(crl_current(db, i1, NULL, NULL, NULL, NULL), -ENOENT);
	assert_int_equal(crl_publish(db, ca1, 3600, &num), 0);
	assert_int_equal(num, 1);
	assert_int_equal(crl_publish(db, ca1, 3600, &num), 0);
	assert_int_equal(num, 2);
	assert_int_equal(crl_refresh_if_due(db, ca2, 3600, &published), 0);
	assert_true(published);
	assert_int_equal(crl_refresh_if_due(db, ca2, 3600, &published), 0);
	assert_false(published);	/* not due: ca1's rows do not count for ca2 */
	/* A change after the CRL was built (its rebuild never came: a crash)
	 * marks the issuer's CRL out of date; the CRL thread's rebuild (any
	 * node, after a restart too) makes it, and only for that issuer. */
	assert_int_equal(cert_release(db, i2, "0abd", "operator", &why), 0);
	assert_int_equal(crl_rebuild_if_due(db, ca1, 3600, 0, &num), 0);
	assert_int_equal(num, 0);
	assert_int_equal(crl_rebuild_if_due(db, ca2, 3600, 0, &num), 0);
	assert_true(num > 0);
	assert_int_equal(crl_rebuild_if_due(db, ca2, 3600, 0, &num), 0);
	assert_int_equal(num, 0);
	assert_int_equal(cert_hold(db, i2, "0abd", "operator", &why), 0);

	assert_int_equal(crl_current(db, i1, &der, &n, &num, NULL), 0);
	assert_int_equal(num, 2);
	assert_int_equal(count_revoked(der, n), 0);
	free(TAKE_PTR(der));
	assert_int_equal(crl_current(db, i2, &der, &n, &num, NULL), 0);
	assert_int_equal(num, 2);
	assert_int_equal(count_revoked(der, n), 1);	/* built while 0abd was released */
	free(TAKE_PTR(der));
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM crl_state", NULL, &k), 0);
	assert_int_equal(k, 2);
}

/* Migration 009 on a store of schema 8: base64 DER and CMS become binary,
 * each certificate's and the CRL's issuer comes from its own DER, the
 * history begins, old applied_at texts become unix seconds, and the
 * foreign key from eonay_events to signatures still holds. */
static void test_migration_009(void **state)
{
	_cleanup_(pki_ca_freep) struct pki_ca *ca = NULL;
	_cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
	_cleanup_(X509_freep) X509 *cert = NULL;
	_cleanup_free_ unsigned char *cder = NULL, *lder = NULL;
	_cleanup_free_ char *cb64 = NULL, *lb64 = NULL, *sb64 = NULL;
	_cleanup_stmt_ struct db_stmt *st = NULL;
	static const unsigned char cms[] = { 0x30, 0x80, 0x00, 0x00, 0xff, 0x00 };
	char tgt[512], path[300], cad[300], want_c[CERT_ISSUER_MAX], want_l[CERT_ISSUER_MAX];
	struct fx_ca root = { 0 }, iss = { 0 };
	struct cert_event *a = NULL;
	struct db *db;
	const void *p;
	size_t cn = 0, ln = 0, n = 0;
	int64_t k = 0;

	/* A certificate of one CA, a CRL of another (their issuers differ). */
	assert_int_equal(fx_ca_new("Root", NULL, NULL, 0, 0, &root), 0);
	assert_int_equal(fx_ca_new("Issuing", &root, NULL, 0, 0, &iss), 0);
	assert_int_equal(fx_holder_new(&iss, &(struct fx_holder_opts){ 0 }, &cert, NULL), 0);
	assert_int_equal(pki_cert_to_der(cert, &cder, &cn), 0);
	assert_int_equal(pki_cert_key_id_hex(iss.cert, want_c), 0);
	snprintf(cad, sizeof(cad), "%s/ca-m", dir);
	ca_new(cad, "pass", &ca);
	assert_int_equal(pki_crl_build(ca, NULL, 0, 7, now_sec(), now_sec() + 3600, &crl), 0);
	assert_int_equal(pki_crl_to_der(crl, &lder, &ln), 0);
	assert_int_equal(crl_issuer_of(ca, want_l), 0);
	assert_int_equal(base64_encode(cder, cn, &cb64), 0);
	assert_int_equal(base64_encode(lder, ln, &lb64), 0);
	assert_int_equal(base64_encode(cms, sizeof(cms), &sb64), 0);

	snprintf(path, sizeof(path), "%s/m.db", dir);
	assert_int_equal(test_store_new(path, NULL, tgt, sizeof(tgt)), 0);
	assert_int_equal(db_open(tgt, 1000, &db), 0);
	assert_int_equal(db_migrate_to(db, 8, NULL), 0);
	assert_int_equal(db_schema_version(db, &k), 0);
	assert_int_equal(k, 8);
	assert_int_equal(db_run(db, "INSERT INTO holders (tckn, given_name, surname, created_at)"
				    " VALUES ('10000000146', 'AYŞE', 'YILMAZ', 1)", NULL), 1);
	assert_true(db_run(db, "INSERT INTO certificates (serial, tckn, subject_cn, not_before,"
			       " not_after, sha256, der, status, reason, revoked_at, issued_at)"
			       " VALUES ('0abc', '10000000146', 'AYŞE YILMAZ', 1, 2, 'h', $1, 'hold',"
			       " 6, 5, 3)", "t", cb64) == 1);
	assert_true(db_run(db, "INSERT INTO crl_state (id, number, this_update, next_update, der)"
			       " VALUES (1, 7, 10, 20, $1)", "t", lb64) == 1);
	assert_true(db_run(db, "INSERT INTO signing_sessions (id, code_hash, purpose, tckn,"
			       " web_session_hash, text_version, texts, created_at, expires_at, state,"
			       " state_at) VALUES ('s1', 'c1', 'eonay-give', '10000000146', 'w', 1,"
			       " '[]', 1, 2, 'signed', 2)", NULL) == 1);
	assert_true(db_run(db, "INSERT INTO signatures (sha256, session_id, idx, tckn,"
			       " signer_serial, cms, signed_at) VALUES ('g1', 's1', 0, '10000000146',"
			       " '0abc', $1, 2)", "t", sb64) == 1);
	assert_true(db_run(db, "INSERT INTO eonay_events (id, tckn, seq, action, text_version,"
			       " signature_sha256, at) VALUES ('e1', '10000000146', 1, 'give', 1,"
			       " 'g1', 2)", NULL) == 1);

	k = db_migrate(db, NULL);
	if (k != 0)
		fprintf(stderr, "migrate: %s\n", db_errmsg(db));
	assert_int_equal(k, 0);

	assert_int_equal(db_query_one(db, &st, "SELECT issuer, der, status, reason FROM"
					       " certificates WHERE serial = '0abc'", NULL), 0);
	assert_string_equal(db_col_text(st, 0), want_c);
	p = db_col_blob(st, 1, &n);
	assert_int_equal(n, cn);
	assert_memory_equal(p, cder, cn);
	assert_string_equal(db_col_text(st, 2), "hold");
	assert_int_equal(db_col_int64(st, 3), 6);
	db_stmt_done(TAKE_PTR(st));
	assert_int_equal(cert_history(db, want_c, "0abc", &a, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(a[0].event, "migrated");
	assert_int_equal(a[0].status, CERT_HOLD);
	assert_int_equal(a[0].reason, 6);
	cert_event_free_array(a, n);

	assert_int_equal(db_query_one(db, &st, "SELECT issuer, number, der FROM crl_state", NULL), 0);
	assert_string_equal(db_col_text(st, 0), want_l);
	assert_int_equal(db_col_int64(st, 1), 7);
	p = db_col_blob(st, 2, &n);
	assert_int_equal(n, ln);
	assert_memory_equal(p, lder, ln);
	db_stmt_done(TAKE_PTR(st));

	assert_int_equal(db_query_one(db, &st, "SELECT cms FROM signatures WHERE sha256 = 'g1'",
				      NULL), 0);
	p = db_col_blob(st, 0, &n);
	assert_int_equal(n, sizeof(cms));
	assert_memory_equal(p, cms, sizeof(cms));
	db_stmt_done(TAKE_PTR(st));
	/* The E-Onay event still points at its signature, and the key holds. */
	assert_int_equal(db_run(db, "INSERT INTO eonay_events (id, tckn, seq, action, text_version,"
				    " signature_sha256, at) VALUES ('e2', '10000000146', 2, 'cancel', 1,"
				    " 'nope', 3)", NULL), -EINVAL);
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM eonay_events e JOIN signatures g"
					    " ON g.sha256 = e.signature_sha256", NULL, &k), 0);
	assert_int_equal(k, 1);

	/* applied_at is a number now, for the old rows too. */
	assert_int_equal(db_query_int64(db, "SELECT COUNT(*) FROM schema_migrations"
					    " WHERE applied_at > 1700000000", NULL, &k), 0);
	assert_int_equal(k, db_schema_version_known());
	/* The old tables are gone. */
	assert_true(db_run(db, "SELECT 1 FROM certificates_v8", NULL) < 0);
	db_close(db);
	test_store_drop(tgt);
	fx_ca_done(&root);
	fx_ca_done(&iss);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_holder, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoke_from_hold_keeps_date, setup, teardown),
		cmocka_unit_test_setup_teardown(test_state_machine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoked_list_and_listing, setup, teardown),
		cmocka_unit_test(test_revoke_reasons),
		cmocka_unit_test_setup_teardown(test_cards, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_atomic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rollover, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crl_per_issuer, setup, teardown),
		cmocka_unit_test(test_migration_009),
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
