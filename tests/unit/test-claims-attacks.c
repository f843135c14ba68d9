/* test-claims-attacks.c - the second review of claims (session 7): the
 * attacks it found, each asserting the secure behaviour, all failing on
 * the code it reviewed and passing since: a recovering browser sees no
 * form before its code; codes (and so guesses) to one number are bounded
 * whatever the number of drafts typed with it; a flood of drafts keeps
 * no transaction long (drafts are left to their day, not cancelled) and
 * spends nobody's code; the recovery's new parola and a signing do not
 * deadlock.  On SQLite and PostgreSQL (some only on PostgreSQL). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "domain-fixture.h"
#include "claims-fixture.h"


static int64_t ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Her claim, through the portal: entry, Form Onayla, code, Islak İmzalı. */
static void her_paper_claim(struct dfx *f, char hers[33])
{
	_cleanup_json_ json_t *fm = form(HERS, "Atatürk Bulvarı No 98 (her home)", "uzun bir söz 1");
	_cleanup_free_ char *parola = NULL, *parola2 = NULL;
	json_t *errors = NULL;
	enum refusal why = REFUSAL_NONE;
	struct apply_draft d;
	char code[7], m[11];
	int64_t left;

	assert_int_equal(apply_enter(f->db, "web-her", &ENTRY, &d, &why), 0);
	assert_int_equal(apply_confirm(f->db, "web-her", fm, &d, &parola, &errors, &why), 0);
	snprintf(hers, 33, "%s", d.application_id);
	assert_int_equal(apply_sms_send(f->db, f->code_key, "web-her", m, &why), 0);
	last_code(f, HERS, code);
	assert_int_equal(apply_sms_verify(f->db, f->code_key, "web-her", code, &d, &parola2, &left,
					  &why), 0);
	assert_int_equal(apply_choose(f->db, "web-her", "paper", &d, &why), 0);
	assert_int_equal(state_of(f, hers), APP_AWAITING_PAPER);
}

/* FINDING 1.  Parolamı Bilmiyorum with her registry data and her phone
 * number (both no secret) attaches the caller's browser to her claim
 * BEFORE any SMS code is verified (apply_draft_new with application_id,
 * step recovering).  GET /api/v1/basvuru/form then answers her confirmed
 * form (handle_apply_form_get calls apply_form with no step check) and
 * GET /api/v1/basvuru/pdf her printed form (apply_pdf checks no step):
 * her address, e-mail, phones, sicil, unit, title, the application
 * number.  Secure: a recovering browser gets neither until its code. */
static void test_recovering_browser_gets_no_form(void **state)
{
	struct dfx *f = *state;
	struct apply_entry lost = ENTRY;
	enum refusal why = REFUSAL_NONE;
	struct apply_draft d;
	json_t *fm = NULL;
	unsigned char *pdf = NULL;
	size_t len = 0;
	char hers[33], m[11];
	int r;

	her_paper_claim(f, hers);
	/* he: her data and her number; the code goes to her phone */
	lost.cep = HERS;
	lost.client_addr = "198.51.100.7";
	assert_int_equal(apply_recover(f->db, f->code_key, "web-his", &lost, m, &why), 0);
	assert_int_equal(apply_current(f->db, "web-his", &d, &why), 0);
	assert_int_equal(d.step, APPLY_RECOVERING);
	/* what handle_apply_form_get does ("confirmed") */
	r = apply_form(f->db, &d, &fm);
	if (r == 0) {
		const char *addr = json_string_value(json_object_get(fm, "address"));

		print_message("recovering browser got her form: address=\"%s\" email=\"%s\"\n",
			      addr ? addr : "", json_string_value(json_object_get(fm, "email")));
		json_decref(fm);
	}
	/* what handle_apply_pdf does */
	why = REFUSAL_NONE;
	{
		int p = apply_pdf(f->db, &f->cfg, &d, &pdf, &len, &why);

		if (p == 0)
			print_message("recovering browser got her PDF: %zu bytes\n", len);
		free(pdf);
		assert_int_not_equal(p, 0);
	}
	assert_int_not_equal(r, 0);
}

/* FINDING 2.  SMS code guesses against one person and number are not
 * bounded: codes are limited per draft and per application, but anyone
 * with her registry data makes as many applications (drafts) as he likes
 * (drafts are not counted, captcha + 10 entries/min per address only),
 * each typed with HER number, each with 3 codes x 3 tries.  One right
 * guess (1e-6 a try) gives him a claim proven with her number: her claims
 * with that number are cancelled (retried) and, her number being the one
 * on record, E-Onaylı signs HIS form (his address, his güvenlik sözcüğü)
 * in her name.  Here: 10 drafts, 10 codes to her phone within seconds
 * (30 guesses), never refused.  Secure: codes to one number for one person
 * bounded per hour (here: no more than APPLY_SMS_MAX_SENDS). */
static void test_code_guesses_bounded_per_number(void **state)
{
	struct dfx *f = *state;
	enum refusal why = REFUSAL_NONE;
	int sent = 0, refused = 0;

	for (int i = 0; i < 10; i++) {
		_cleanup_json_ json_t *fm = form(HERS, "Saldırgan Sokak No 1", "saldirganin sozu");
		_cleanup_free_ char *parola = NULL;
		json_t *errors = NULL;
		struct apply_draft d;
		char web[32], m[11];
		int r;

		snprintf(web, sizeof(web), "web-his-%d", i);
		assert_int_equal(apply_enter(f->db, web, &ENTRY, &d, &why), 0);
		r = apply_confirm(f->db, web, fm, &d, &parola, &errors, &why);
		if (r < 0) {
			refused++;
			continue;
		}
		r = apply_sms_send(f->db, f->code_key, web, m, &why);
		if (r == 0)
			sent++;
		else
			refused++;
	}
	print_message("codes sent to her number from his drafts: %d (refused %d)\n", sent, refused);
	assert_int_equal(COUNT("SELECT COUNT(*) FROM outbox WHERE recipient = $1"
			       " AND body LIKE '%Kodunuz:%'", "t", HERS), sent);
	assert_true(sent <= APPLY_SMS_PER_NUMBER);
}

/* FINDING 3.  A flood of drafts makes her signing (or her SMS verify, for
 * drafts typed with her number) cancel every one of them in ONE
 * transaction (supersede_others), each with a history row, two audit rows
 * (the global "audit" advisory lock held throughout) - while her holder
 * lock, her person lock and the audit lock are held, every audited write
 * of the whole service waits (lock_timeout = store.busy_timeout_ms,
 * 5 s: then EBUSY).  Drafts cost the attacker a captcha each and live a
 * day: 10 entries/min per address = 14400 a day per address.  Secure:
 * the signing transaction stays short whatever the number of drafts
 * (here: under the 5 s lock timeout for 3000 drafts). */
static void flood(struct dfx *f, int n, const char *mobile)
{
	int64_t now = now_sec();

	assert_int_equal(db_begin(f->db), 0);
	for (int i = 0; i < n; i++) {
		char id[33];

		snprintf(id, sizeof(id), "%032x", i + 1);
		assert_true(db_run(f->db, "INSERT INTO applications (id, tckn, institution, kind, state,"
					  " form, mobile, info_channel, created_at, updated_at)"
					  " VALUES ($1, $2, 'meb', 'new', 'draft', '{}', $3, 'sms', $4, $4)",
				   "ttti", id, MEHMET, mobile, now) == 1);
	}
	assert_int_equal(db_commit(f->db), 0);
}

static void test_flood_signing_is_short(void **state)
{
	struct dfx *f = *state;
	struct application_step esign = { .method = APP_METHOD_ESIGN, .evidence = "sig-1" };
	enum refusal why = REFUSAL_NONE;
	struct timespec t0;
	char hers[33];
	int64_t ms;

	claim(f, APP_KIND_NEW, HERS, NULL, APP_SMS_VERIFIED, hers);
	flood(f, 3000, HIS);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(application_fire(f->db, hers, APP_EV_SIGNED, APP_BY_PORTAL, &esign, NULL,
					  &why), 0);
	ms = ms_since(&t0);
	print_message("her signing cancelled %lld drafts in %lld ms (one transaction)\n",
		      (long long)COUNT("SELECT COUNT(*) FROM applications WHERE state = 'cancelled'",
				       ""), (long long)ms);
	assert_true(ms < f->cfg.busy_timeout_ms);
}

static void test_flood_verify_is_short(void **state)
{
	struct dfx *f = *state;
	enum refusal why = REFUSAL_NONE;
	struct timespec t0;
	char hers[33];
	int64_t ms;

	claim(f, APP_KIND_NEW, HERS, NULL, APP_DRAFT, hers);
	flood(f, 3000, HERS);	/* typed with her number: not told, cancelled as retried */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(application_fire(f->db, hers, APP_EV_SMS_VERIFIED, APP_BY_PORTAL, NULL, NULL,
					  &why), 0);
	ms = ms_since(&t0);
	print_message("her SMS verify cancelled %lld drafts in %lld ms (one transaction)\n",
		      (long long)COUNT("SELECT COUNT(*) FROM applications WHERE state = 'cancelled'",
				       ""), (long long)ms);
	assert_true(ms < f->cfg.busy_timeout_ms);
}

/* FINDING 4 (PostgreSQL).  application_access_set (the end of a
 * recovery: recovered()) updates a claim's row and then takes the audit
 * lock, without the person's lock; a signing of another claim of that
 * kind (person lock, its own update, the audit lock, then the other
 * claims' rows) deadlocks with it: row-then-audit against
 * audit-then-row.  The order of the queue on the audit lock is forced
 * here with a third transaction holding it for a moment.  Secure: both
 * finish (one after the other). */
struct holder_of_audit {
	const char *target;
	pthread_barrier_t *go;
	int r;
};

static void *hold_audit(void *arg)
{
	struct holder_of_audit *x = arg;
	struct db *db = NULL;

	assert_int_equal(db_open(x->target, 10000, &db), 0);
	assert_int_equal(db_begin(db), 0);
	x->r = db_lock(db, "audit");
	pthread_barrier_wait(x->go);	/* held */
	usleep(1500 * 1000);		/* the signer and then the recovery queue */
	db_rollback(db);
	db_close(db);
	return NULL;
}

struct actor {
	const char *target, *id;
	bool sign;
	int r;
	enum refusal why;
};

static void *act(void *arg)
{
	struct actor *x = arg;
	struct application_step esign = { .method = APP_METHOD_ESIGN, .evidence = "sig-2" };
	struct db *db = NULL;

	assert_int_equal(db_open(x->target, 10000, &db), 0);
	if (x->sign)
		x->r = application_fire(db, x->id, APP_EV_SIGNED, APP_BY_PORTAL, &esign, NULL, &x->why);
	else
		x->r = application_access_set(db, x->id, "yeni-parola-12", &x->why);
	if (x->r < 0)
		print_message("%s: %s\n", x->sign ? "signing" : "access_set", db_errmsg(db));
	db_close(db);
	return NULL;
}

static void test_access_set_vs_signing(void **state)
{
	struct dfx *f = *state;
	struct holder_of_audit h;
	struct actor s, a;
	pthread_barrier_t go;
	pthread_t th, ts, ta;
	char paper[33], signer[33];

	if (!test_store_is_pg())
		skip();
	claim(f, APP_KIND_NEW, HERS, NULL, APP_AWAITING_PAPER, paper);	/* being recovered */
	claim(f, APP_KIND_NEW, "5320000001", NULL, APP_SMS_VERIFIED, signer);
	pthread_barrier_init(&go, NULL, 2);
	h = (struct holder_of_audit){ .target = f->target, .go = &go };
	assert_int_equal(pthread_create(&th, NULL, hold_audit, &h), 0);
	pthread_barrier_wait(&go);
	s = (struct actor){ .target = f->target, .id = signer, .sign = true };
	assert_int_equal(pthread_create(&ts, NULL, act, &s), 0);
	usleep(400 * 1000);	/* the signer waits for the audit lock (its row updated) */
	a = (struct actor){ .target = f->target, .id = paper, .sign = false };
	assert_int_equal(pthread_create(&ta, NULL, act, &a), 0);
	pthread_join(th, NULL);
	pthread_join(ts, NULL);
	pthread_join(ta, NULL);
	pthread_barrier_destroy(&go);
	print_message("signing: %d, access_set: %d (EBUSY = %d: deadlock or lock timeout)\n", s.r,
		      a.r, -EBUSY);
	assert_int_equal(s.r, 0);
	assert_int_equal(a.r, 0);
}

/* FINDING 3, its reach: while her signing cancels the flood, an audited
 * write of anyone else (here: another person's Form Onayla) waits for the
 * audit lock and fails after the lock timeout.  Secure: it succeeds. */
struct flood_signer {
	const char *target, *id;
	int r;
};

static void *sign_flooded(void *arg)
{
	struct flood_signer *x = arg;
	struct application_step esign = { .method = APP_METHOD_ESIGN, .evidence = "sig-3" };
	enum refusal why;
	struct db *db = NULL;

	assert_int_equal(db_open(x->target, 5000, &db), 0);
	x->r = application_fire(db, x->id, APP_EV_SIGNED, APP_BY_PORTAL, &esign, NULL, &why);
	db_close(db);
	return NULL;
}

static void test_flood_stalls_others(void **state)
{
	struct dfx *f = *state;
	struct registry_person p = { .tckn = "10000000146", .ad = "AYSE", .soyad = "DEMIR",
				     .dogum_yeri = "IZMIR", .dogum_tarihi = "01.01.1990",
				     .alive = true };
	struct application_new other = {
		.tckn = "10000000146", .institution = "meb", .kind = APP_KIND_NEW, .form_json = "{}",
		.security_word = "gizli-sozcuk-8", .mobile = "5329999999", .info_channel = "sms",
		.claim = true,
	};
	enum refusal why = REFUSAL_NONE;
	struct flood_signer s;
	pthread_t th;
	char hers[33], id[33];
	int r;

	if (!test_store_is_pg())
		skip();	/* SQLite: one writer at a time anyway */
	assert_int_equal(registry_put(f->db, &p), 0);
	claim(f, APP_KIND_NEW, HERS, NULL, APP_SMS_VERIFIED, hers);
	flood(f, 6000, HIS);
	s = (struct flood_signer){ .target = f->target, .id = hers };
	assert_int_equal(pthread_create(&th, NULL, sign_flooded, &s), 0);
	usleep(500 * 1000);
	r = application_create(f->db, &other, id, &why);
	if (r < 0)
		print_message("another person's Form Onayla during her signing: %d (%s)\n", r,
			      db_errmsg(f->db));
	pthread_join(th, NULL);
	assert_int_equal(s.r, 0);
	assert_int_equal(r, 0);
}

/* FINDING 3, on her SMS code: he floods drafts with HIS number (for her
 * data) and verifies one of his: his transaction cancels them all under
 * her person lock.  Her SMS verify meanwhile waits for that lock, fails
 * on the lock timeout - and her code was already consumed (verify_decide
 * clears sms_hash before the transition), so trying the same code again
 * is refused sms_expired.  Secure: her right code is not lost to a
 * failure that is not hers (here: the second try succeeds). */
struct his_verify {
	const char *target, *id;
	int r;
};

static void *verify_his(void *arg)
{
	struct his_verify *x = arg;
	enum refusal why;
	struct db *db = NULL;

	assert_int_equal(db_open(x->target, 5000, &db), 0);
	x->r = application_fire(db, x->id, APP_EV_SMS_VERIFIED, APP_BY_PORTAL, NULL, NULL, &why);
	db_close(db);
	return NULL;
}

static void test_her_code_survives_his_flood(void **state)
{
	struct dfx *f = *state;
	_cleanup_json_ json_t *fm = NULL;	/* made after skip(): it longjmps */
	_cleanup_free_ char *parola = NULL, *p2 = NULL, *p3 = NULL;
	json_t *errors = NULL;
	enum refusal why = REFUSAL_NONE;
	struct apply_draft d;
	struct his_verify h;
	pthread_t th;
	char his[33], code[7], m[11];
	int64_t left;
	int r1, r2;

	if (!test_store_is_pg())
		skip();
	fm = form(HERS, "Atatürk Bulvarı No 98", "uzun bir söz 1");
	assert_int_equal(apply_enter(f->db, "web-her", &ENTRY, &d, &why), 0);
	assert_int_equal(apply_confirm(f->db, "web-her", fm, &d, &parola, &errors, &why), 0);
	assert_int_equal(apply_sms_send(f->db, f->code_key, "web-her", m, &why), 0);
	last_code(f, HERS, code);
	claim(f, APP_KIND_NEW, HIS, NULL, APP_DRAFT, his);
	flood(f, 3000, HIS);
	h = (struct his_verify){ .target = f->target, .id = his };
	assert_int_equal(pthread_create(&th, NULL, verify_his, &h), 0);
	usleep(500 * 1000);
	r1 = apply_sms_verify(f->db, f->code_key, "web-her", code, &d, &p2, &left, &why);
	pthread_join(th, NULL);
	print_message("her verify during his: %d; ", r1);
	r2 = r1 == 0 ? 0 : apply_sms_verify(f->db, f->code_key, "web-her", code, &d, &p3, &left,
					     &why);
	print_message("again with the same code: %d (%s)\n", r2, r2 == -EACCES ?
		      refusal_code(why) : "");
	assert_int_equal(h.r, 0);
	assert_int_equal(r2, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_recovering_browser_gets_no_form, setup,
						dfx_teardown),
		cmocka_unit_test_setup_teardown(test_code_guesses_bounded_per_number, setup,
						dfx_teardown),
		cmocka_unit_test_setup_teardown(test_flood_signing_is_short, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_flood_verify_is_short, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_access_set_vs_signing, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_flood_stalls_others, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_her_code_survives_his_flood, setup,
						dfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
