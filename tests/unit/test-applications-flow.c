/* test-applications-flow.c - the application flows that need more than
 * the table: two operators at once (one wins), the renewal window and its
 * release by the scheduler's clock, Kayıp Çalıntı revoking with
 * keyCompromise (Diğer revoking nothing), notifications on the chosen
 * Bilgi Kanalı, and produce making a real SoftHSM card with its
 * certificate on hold and the güvenlik sözcüğü as the Şifreli Giriş word. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <unistd.h>
#include <time.h>

#include "config-build.h"
#include "domain-fixture.h"
#include "domain/applications.h"
#include "domain/authority.h"
#include "domain/cards.h"
#include "domain/certs.h"
#include "domain/institutions.h"
#include "domain/password.h"
#include "domain/registry.h"

#define MEHMET "10000000214"
#define AHMET "10000000146"
#define ISS "aa01"
#define DAY 86400

static int setup(void **state)
{
	struct registry_person p = { .tckn = MEHMET, .ad = "MEHMET", .soyad = "KAYA",
				     .dogum_yeri = "ANKARA", .dogum_tarihi = "17.05.1980",
				     .alive = true };
	struct registry_person q = { .tckn = AHMET, .ad = "AHMET", .soyad = "YILMAZ",
				     .dogum_yeri = "İSTANBUL", .dogum_tarihi = "12.03.1975",
				     .alive = true };
	struct dfx *f;

	dfx_setup(state);
	f = *state;
	assert_int_equal(registry_put(f->db, &p), 0);
	assert_int_equal(registry_put(f->db, &q), 0);
	assert_int_equal(institution_set(f->db, "meb", "T.C. Millî Eğitim Bakanlığı", NULL), 0);
	assert_int_equal(holder_put(f->db, AHMET, "AHMET", "YILMAZ", "ahmet@example.org",
				    "5320000146"), 0);
	return 0;
}

static void add_cert(struct dfx *f, const char *serial, enum cert_status st, int64_t not_after)
{
	static unsigned char der[] = { 0x30, 0x00 };
	struct cert_record c = {
		.subject_cn = "X", .der = der, .der_len = sizeof(der), .not_before = 1,
		.not_after = not_after, .issued_at = 3, .status = st,
		.reason = st == CERT_HOLD ? CERT_REASON_HOLD : 0,
	};
	snprintf(c.issuer, sizeof(c.issuer), ISS);
	snprintf(c.tckn, sizeof(c.tckn), AHMET);
	snprintf(c.serial, sizeof(c.serial), "%s", serial);
	snprintf(c.sha256, sizeof(c.sha256), "sha-%s", serial);
	assert_int_equal(cert_add(f->db, &c), 0);
}

/* An application of tckn of kind k brought to received, on the portal's
 * path (create, SMS verified, signed with E-Onay). */
static void received(struct dfx *f, const char *tckn, enum application_kind k, char id[33])
{
	struct application_new in = {
		.tckn = tckn, .institution = "meb", .kind = k, .form_json = "{}",
		.security_word = "gizli-sozcuk-7", .email = "basvuru@example.org",
		.mobile = "5321234567", .info_channel = "both",
	};
	struct application_step signed_ = { .method = APP_METHOD_EONAY, .evidence = "eonay" };
	enum refusal why;

	assert_int_equal(application_create(f->db, &in, id, &why), 0);
	assert_int_equal(application_fire(f->db, id, APP_EV_SMS_VERIFIED, APP_BY_PORTAL, NULL, NULL,
					  &why), 0);
	assert_int_equal(application_fire(f->db, id, APP_EV_SIGNED, APP_BY_PORTAL, &signed_, NULL,
					  &why), 0);
}

struct racer {
	const char *target, *id;
	pthread_barrier_t *go;
	int r;
	enum refusal why;
};

static void *race(void *arg)
{
	struct racer *x = arg;
	struct application_step step = { .operator = "racer" };
	struct db *db = NULL;

	assert_int_equal(db_open(x->target, 10000, &db), 0);
	pthread_barrier_wait(x->go);
	x->r = application_fire(db, x->id, APP_EV_APPROVE, APP_BY_OPERATOR, &step, NULL, &x->why);
	db_close(db);
	return NULL;
}

static void test_concurrent(void **state)
{
	struct dfx *f = *state;
	pthread_barrier_t go;
	struct racer x[2];
	pthread_t th[2];
	char id[33];

	for (int round = 0; round < 5; round++) {
		received(f, MEHMET, (enum application_kind)(round % 2 ? APP_KIND_OTHER : APP_KIND_NEW),
			 id);
		pthread_barrier_init(&go, NULL, 2);
		for (int i = 0; i < 2; i++) {
			x[i] = (struct racer){ .target = f->target, .id = id, .go = &go };
			assert_int_equal(pthread_create(&th[i], NULL, race, &x[i]), 0);
		}
		for (int i = 0; i < 2; i++)
			pthread_join(th[i], NULL);
		pthread_barrier_destroy(&go);
		/* one wins, the other is told the state moved */
		assert_int_equal((x[0].r == 0) + (x[1].r == 0), 1);
		assert_int_equal(x[0].r == 0 ? x[1].r : x[0].r, -EACCES);
		assert_int_equal(x[0].r == 0 ? x[1].why : x[0].why, REFUSAL_APPLICATION_STATE);
		assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM application_history WHERE"
					 " application_id = $1 AND event = 'approve'", id), 1);
		/* close it so the next round may open one of the same kind */
		assert_int_equal(application_fire(f->db, id, APP_EV_REJECT, APP_BY_OPERATOR,
						  &(struct application_step){ .reason = "test" }, NULL,
						  &x[0].why), 0);
	}
}

static void test_renewal_window(void **state)
{
	struct dfx *f = *state;
	struct application_outcome out = { 0 };
	struct application_step step = { .operator = "op" };
	struct application a;
	enum refusal why;
	int64_t now = now_sec(), end = now + 90 * DAY, opens = 0;
	size_t n = 9;
	char id[33], id2[33];

	add_cert(f, "01", CERT_ACTIVE, end);
	add_cert(f, "02", CERT_REVOKED, end + 300 * DAY);	/* revoked: does not count */
	assert_int_equal(application_window_opens(f->db, AHMET, &opens), 0);
	assert_true(opens >= end - 62 * DAY && opens <= end - 59 * DAY);
	assert_int_equal(application_window_opens(f->db, MEHMET, &opens), -ENOENT);
	assert_int_equal(application_window_opens(f->db, AHMET, &opens), 0);

	/* 3 months before the end: approve waits for the window */
	received(f, AHMET, APP_KIND_RENEWAL, id);
	step.now = now;
	assert_int_equal(application_fire(f->db, id, APP_EV_APPROVE, APP_BY_OPERATOR, &step, &out,
					  &why), 0);
	assert_int_equal(out.to, APP_WAITING_WINDOW);
	assert_int_equal(out.release_at, opens);
	assert_int_equal(application_get(f->db, id, &a), 0);
	assert_int_equal(a.state, APP_WAITING_WINDOW);
	assert_int_equal(a.release_at, opens);
	application_done(&a);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM application_history WHERE"
				 " application_id = $1 AND event = 'defer'", id), 1);
	/* the applicant is told when */
	assert_true(dfx_int(f, "SELECT COUNT(*) FROM outbox WHERE body LIKE $1",
			    "%işleme alınacaktır%") == 2);
	/* an operator cannot release it; the scheduler does, once the window opened */
	assert_int_equal(application_fire(f->db, id, APP_EV_RELEASE, APP_BY_OPERATOR, &step, NULL,
					  &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLICATION_ACTOR);
	assert_int_equal(application_release_due(f->db, now, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(application_release_due(f->db, opens - 1, &n), 0);
	assert_int_equal(n, 0);
	/* the scheduler's clock moves by configuration, not by sleeping */
	f->cfg.app_clock_offset = opens - now_sec() + 10;
	assert_true(application_now(&f->cfg) >= opens);
	assert_int_equal(application_release_due(f->db, application_now(&f->cfg), &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(application_get(f->db, id, &a), 0);
	assert_int_equal(a.state, APP_APPROVED);
	application_done(&a);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM application_history WHERE"
				 " application_id = $1 AND event = 'release' AND operator = 'scheduler'",
				 id), 1);
	assert_int_equal(application_release_due(f->db, application_now(&f->cfg), &n), 0);
	assert_int_equal(n, 0);

	/* inside the window already: approve approves */
	assert_int_equal(application_fire(f->db, id, APP_EV_REJECT, APP_BY_OPERATOR,
					  &(struct application_step){ .reason = "x" }, NULL, &why), 0);
	received(f, AHMET, APP_KIND_RENEWAL, id2);
	step.now = opens + 1;
	assert_int_equal(application_fire(f->db, id2, APP_EV_APPROVE, APP_BY_OPERATOR, &step, &out,
					  &why), 0);
	assert_int_equal(out.to, APP_APPROVED);
}

static void test_lost_and_other(void **state)
{
	struct dfx *f = *state;
	struct application_outcome out = { 0 };
	enum cert_status st;
	enum refusal why;
	int reason = -1;
	char id[33];

	add_cert(f, "0a", CERT_ACTIVE, now_sec() + 100 * DAY);
	add_cert(f, "0b", CERT_HOLD, now_sec() + 200 * DAY);
	add_cert(f, "0c", CERT_ACTIVE, now_sec() - DAY);	/* expired: left alone */

	/* Diğer: an additional card, nothing revoked */
	received(f, AHMET, APP_KIND_OTHER, id);
	assert_int_equal(application_fire(f->db, id, APP_EV_APPROVE, APP_BY_OPERATOR, NULL, &out,
					  &why), 0);
	assert_int_equal(out.revoked, 0);
	assert_int_equal(cert_status_get(f->db, ISS, "0a", &st, NULL, NULL), 0);
	assert_int_equal(st, CERT_ACTIVE);

	/* Kayıp Çalıntı: the current ones revoked, keyCompromise, on approve */
	received(f, AHMET, APP_KIND_LOST, id);
	assert_int_equal(cert_status_get(f->db, ISS, "0a", &st, NULL, NULL), 0);
	assert_int_equal(st, CERT_ACTIVE);	/* not before */
	assert_int_equal(application_fire(f->db, id, APP_EV_APPROVE, APP_BY_OPERATOR,
					  &(struct application_step){ .operator = "ali" }, &out, &why),
			 0);
	assert_int_equal(out.to, APP_APPROVED);
	assert_int_equal(out.revoked, 2);
	assert_int_equal(cert_status_get(f->db, ISS, "0a", &st, &reason, NULL), 0);
	assert_int_equal(st, CERT_REVOKED);
	assert_int_equal(reason, 1);
	assert_int_equal(cert_status_get(f->db, ISS, "0b", &st, &reason, NULL), 0);
	assert_int_equal(st, CERT_REVOKED);
	assert_int_equal(reason, 1);
	assert_int_equal(cert_status_get(f->db, ISS, "0c", &st, NULL, NULL), 0);
	assert_int_equal(st, CERT_ACTIVE);
	/* by the certificate's own path: history and audit name the operator */
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM cert_status_history WHERE"
				 " event = 'revoke' AND actor = $1", "operator:ali"), 2);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM audit_log WHERE action = $1",
				 "cert.revoke"), 2);
}

static void test_notify(void **state)
{
	struct dfx *f = *state;
	enum refusal why;
	char id[33];

	received(f, MEHMET, APP_KIND_NEW, id);
	/* draft -> sms_verified is silent; received is told on both channels */
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM outbox WHERE tckn = $1", MEHMET), 2);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM outbox WHERE recipient = $1",
				 "basvuru@example.org"), 1);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM outbox WHERE recipient = $1", "5321234567"),
			 1);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM outbox WHERE body LIKE $1",
				 "%Başvurunuz alındı%"), 2);
	/* an operator's text with an escape sequence never reaches the
	 * applicant's message (nor a terminal) */
	assert_int_equal(application_fire(f->db, id, APP_EV_REJECT, APP_BY_OPERATOR,
					  &(struct application_step){ .reason = "imza\x1b[2J eksik" },
					  NULL, &why), -EINVAL);
	assert_int_equal(application_fire(f->db, id, APP_EV_REJECT, APP_BY_OPERATOR,
					  &(struct application_step){ .reason = "imza eksik" }, NULL,
					  &why), 0);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM outbox WHERE body LIKE $1",
				 "%Red nedeni: imza eksik%"), 2);
}

/* Unfinished applications left for 30 days are cancelled by the scheduler. */
static void test_expire_unfinished(void **state)
{
	struct dfx *f = *state;
	struct application_new in = {
		.tckn = MEHMET, .institution = "meb", .kind = APP_KIND_NEW, .form_json = "{}",
		.security_word = "gizli-sozcuk-7", .email = "m@example.org", .info_channel = "email",
	};
	struct application a;
	enum refusal why;
	size_t n = 9;
	char old[33], fresh[33], done[33];

	assert_int_equal(application_create(f->db, &in, old, &why), 0);
	in.kind = APP_KIND_OTHER;
	assert_int_equal(application_create(f->db, &in, fresh, &why), 0);
	received(f, AHMET, APP_KIND_NEW, done);
	/* Islak İmzalı chosen and the paper never came */
	{
		char paper[33];

		in.tckn = AHMET;
		in.kind = APP_KIND_LOST;
		assert_int_equal(application_create(f->db, &in, paper, &why), 0);
		assert_int_equal(application_fire(f->db, paper, APP_EV_SMS_VERIFIED, APP_BY_PORTAL,
						  NULL, NULL, &why), 0);
		assert_int_equal(application_fire(f->db, paper, APP_EV_PAPER_CHOSEN, APP_BY_PORTAL,
						  NULL, NULL, &why), 0);
		dfx_run(f, "UPDATE applications SET updated_at = updated_at - 31 * 86400"
			   " WHERE id = $1", paper);
		assert_int_equal(application_expire_unfinished(f->db, now_sec(), &n), 0);
		assert_int_equal(n, 1);
		assert_int_equal(application_get(f->db, paper, &a), 0);
		assert_int_equal(a.state, APP_CANCELLED);
		application_done(&a);
		in.tckn = MEHMET;
		in.kind = APP_KIND_OTHER;
	}
	dfx_run(f, "UPDATE applications SET updated_at = updated_at - 31 * 86400 WHERE id = $1", old);
	dfx_run(f, "UPDATE applications SET updated_at = updated_at - 31 * 86400 WHERE id = $1", done);
	assert_int_equal(application_expire_unfinished(f->db, now_sec(), &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(application_get(f->db, old, &a), 0);
	assert_int_equal(a.state, APP_CANCELLED);
	application_done(&a);
	assert_int_equal(application_get(f->db, fresh, &a), 0);
	assert_int_equal(a.state, APP_DRAFT);
	application_done(&a);
	assert_int_equal(application_get(f->db, done, &a), 0);
	assert_int_equal(a.state, APP_RECEIVED);	/* signed: not "unfinished" */
	application_done(&a);
	/* and the person may apply again */
	in.kind = APP_KIND_NEW;
	assert_int_equal(application_create(f->db, &in, old, &why), 0);
}

/* Fired inside another act's transaction: one commit or one rollback for
 * both. */
static void test_in_tx(void **state)
{
	struct dfx *f = *state;
	struct application_new in = {
		.tckn = MEHMET, .institution = "meb", .kind = APP_KIND_NEW, .form_json = "{}",
		.security_word = "gizli-sozcuk-7", .email = "m@example.org", .info_channel = "email",
	};
	struct application_step esign = { .method = APP_METHOD_ESIGN, .evidence = "sig-1" };
	struct application a;
	enum refusal why = REFUSAL_NONE;
	char id[33];

	assert_int_equal(application_create(f->db, &in, id, &why), 0);
	assert_int_equal(application_fire(f->db, id, APP_EV_SMS_VERIFIED, APP_BY_PORTAL, NULL, NULL,
					  &why), 0);
	/* rolled back with the caller's work */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(application_fire_in_tx(f->db, id, APP_EV_SIGNED, APP_BY_PORTAL, &esign, NULL,
						&why), 0);
	assert_int_equal(db_rollback(f->db), 0);
	assert_int_equal(application_get(f->db, id, &a), 0);
	assert_int_equal(a.state, APP_SMS_VERIFIED);
	application_done(&a);
	/* a refusal inside: -EACCES, the caller decides */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(application_fire_in_tx(f->db, id, APP_EV_DELIVER, APP_BY_OPERATOR, NULL, NULL,
						&why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLICATION_STATE);
	assert_int_equal(db_rollback(f->db), 0);
	/* committed with it */
	assert_int_equal(db_begin(f->db), 0);
	assert_int_equal(application_fire_in_tx(f->db, id, APP_EV_SIGNED, APP_BY_PORTAL, &esign, NULL,
						&why), 0);
	assert_int_equal(db_commit(f->db), 0);
	assert_int_equal(application_get(f->db, id, &a), 0);
	assert_int_equal(a.state, APP_RECEIVED);
	assert_int_equal(a.method, APP_METHOD_ESIGN);
	application_done(&a);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM application_history WHERE"
				 " application_id = $1 AND reason = 'sig-1'", id), 1);
}

static void test_produce(void **state)
{
	struct dfx *f = *state;
	struct pki_ca *ca = NULL;
	struct card_result card;
	struct application a;
	struct cert_record c;
	enum refusal why = REFUSAL_NONE;
	_cleanup_free_ char *detail = NULL;
	char *err = NULL;
	bool exists = false;
	char id[33];

	assert_int_equal(config_finish(&f->cfg, &err), 0);
	unsetenv("SOFTHSM2_CONF");	/* DATA/softhsm2.conf of this test's directory */
	assert_int_equal(authority_init(&f->cfg), 0);
	assert_int_equal(authority_open(&f->cfg, &ca), 0);

	received(f, MEHMET, APP_KIND_NEW, id);
	/* not approved yet: refused, no card made */
	assert_int_equal(application_produce(f->db, ca, &f->cfg, EONAY_SOFTHSM_MODULE, id, NULL,
					     &card, &detail, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLICATION_STATE);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM cards WHERE tckn = $1", MEHMET), 0);
	assert_int_equal(application_fire(f->db, id, APP_EV_APPROVE, APP_BY_OPERATOR, NULL, NULL,
					  &why), 0);
	assert_int_equal(application_produce(f->db, ca, &f->cfg, EONAY_SOFTHSM_MODULE, id,
					     &(struct application_step){ .operator = "uretim" }, &card,
					     &detail, &why), 0);
	assert_int_equal(application_get(f->db, id, &a), 0);
	assert_int_equal(a.state, APP_PRODUCED);
	assert_string_equal(a.card_serial, card.label);
	assert_int_equal(strncmp(a.card_serial, "EONAY-", 6), 0);
	assert_int_equal(card_exists(f->db, a.card_serial, &exists), 0);
	assert_true(exists);
	assert_int_equal(strlen(card.user_pin), 6);
	/* the certificate: on hold, the registry's name, on this card */
	assert_int_equal(cert_get(f->db, a.cert_issuer, a.cert_serial, &c), 0);
	assert_int_equal(c.status, CERT_HOLD);
	assert_string_equal(c.tckn, MEHMET);
	assert_string_equal(c.card_serial, a.card_serial);
	assert_non_null(strstr(c.subject_cn, "MEHMET KAYA"));
	cert_record_done(&c);
	/* the SO PIN kept sealed only */
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM cards WHERE tckn = $1 AND"
				 " so_pin_sealed IS NOT NULL", MEHMET), 1);
	/* the güvenlik sözcüğü of the form is now his Şifreli Giriş word */
	{
		_cleanup_stmt_ struct db_stmt *st = NULL;

		assert_int_equal(db_query_one(f->db, &st, "SELECT word_hash FROM holder_secrets WHERE"
					      " tckn = $1", "t", MEHMET), 0);
		assert_true(password_verify("gizli-sozcuk-7", db_col_text(st, 0)));
	}
	application_done(&a);
	/* twice: refused, still one card */
	assert_int_equal(application_produce(f->db, ca, &f->cfg, EONAY_SOFTHSM_MODULE, id, NULL,
					     &card, &detail, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLICATION_STATE);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM cards WHERE tckn = $1", MEHMET), 1);
	/* and on to the applicant */
	assert_int_equal(application_fire(f->db, id, APP_EV_SHIP, APP_BY_OPERATOR,
					  &(struct application_step){ .courier = "PTT",
								      .tracking = "KP1" },
					  NULL, &why), 0);
	assert_int_equal(application_fire(f->db, id, APP_EV_DELIVER, APP_BY_OPERATOR, NULL, NULL,
					  &why), 0);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM application_history WHERE"
				 " application_id = $1", id), 7);

	/* Yenileme inside its window: the new certificate starts when the
	 * current one ends */
	{
		int64_t end = now_sec() + 30 * DAY;

		add_cert(f, "77", CERT_ACTIVE, end);
		received(f, AHMET, APP_KIND_RENEWAL, id);
		assert_int_equal(application_fire(f->db, id, APP_EV_APPROVE, APP_BY_OPERATOR, NULL,
						  NULL, &why), 0);
		assert_int_equal(application_produce(f->db, ca, &f->cfg, EONAY_SOFTHSM_MODULE, id,
						     NULL, &card, &detail, &why), 0);
		assert_int_equal(application_get(f->db, id, &a), 0);
		assert_int_equal(cert_get(f->db, a.cert_issuer, a.cert_serial, &c), 0);
		assert_int_equal(c.not_before, end);
		assert_int_equal(c.not_after, end + 730 * DAY);
		assert_int_equal(c.status, CERT_HOLD);
		cert_record_done(&c);
		application_done(&a);
	}
	pki_ca_free(ca);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_concurrent, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_renewal_window, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_lost_and_other, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_notify, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_in_tx, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_expire_unfinished, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_produce, setup, dfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
