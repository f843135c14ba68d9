/* test-claims.c - claims (applications nobody has signed yet): someone who
 * knows a person's registry data starts applications in her name with his
 * own phone, and cannot keep her from hers.  Claims coexist; the first one
 * signed (E-Onay, e-imza, the paper received) cancels the others of its
 * kind and tells their proven numbers; a claim that proves a number again
 * replaces the same number's earlier ones; APPLICATION_CLAIMS_MAX bounds
 * the proven ones (one a number), drafts live a day and nobody's entry
 * cancels them; the portal finds a claim by its parola
 * or by the number its SMS code proved; two claims signed at once: one
 * wins, a claim beside a signed one is refused a signature, and every move
 * of a claim holds the person's lock; migration 018 on a store with
 * applications.  On SQLite and PostgreSQL. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "domain-fixture.h"
#include "claims-fixture.h"

static int64_t told(struct dfx *f, const char *mobile, const char *like)
{
	return COUNT("SELECT COUNT(*) FROM outbox WHERE recipient = $1 AND channel = 'sms'"
		     " AND body LIKE $2", "tt", mobile, like);
}

static int64_t superseded(struct dfx *f, const char *id, const char *by, const char *why)
{
	char reason[80], details[80];

	snprintf(reason, sizeof(reason), "superseded by %s (%s)", by, why);
	snprintf(details, sizeof(details), "%%\"superseded_by\":\"%s\",\"why\":\"%s\"%%", by, why);
	return COUNT("SELECT COUNT(*) FROM application_history WHERE application_id = $1"
		     " AND reason = $2", "tt", id, reason) +
	       COUNT("SELECT COUNT(*) FROM audit_log WHERE subject = $1"
		     " AND action = 'application.superseded' AND details LIKE $2", "tt", id, details);
}

/* His claims in every unsigned state do not touch hers; hers signed
 * cancels his of the same kind (a proven number told), not another kind's;
 * after that a claim of that kind is refused, another kind's is not. */
static void test_first_signed_wins(void **state)
{
	struct dfx *f = *state;
	struct application_step esign = { .method = APP_METHOD_ESIGN, .evidence = "sig-1" };
	struct application_new again = {
		.tckn = MEHMET, .institution = "meb", .kind = APP_KIND_NEW, .form_json = "{}",
		.security_word = "saldirgan-1", .mobile = HIS, .info_channel = "sms", .claim = true,
	};
	enum refusal why = REFUSAL_NONE;
	char d[33], v[33], p[33], other[33], hers[33], id[33];

	claim(f, APP_KIND_NEW, "5550000003", NULL, APP_DRAFT, d);
	claim(f, APP_KIND_NEW, HIS, NULL, APP_AWAITING_PAPER, p);
	claim(f, APP_KIND_NEW, "5550000002", NULL, APP_SMS_VERIFIED, v);
	claim(f, APP_KIND_OTHER, "5550000004", NULL, APP_SMS_VERIFIED, other);
	claim(f, APP_KIND_NEW, HERS, NULL, APP_SMS_VERIFIED, hers);
	/* nothing of his was touched by her entry, nor hers by his */
	assert_int_equal(state_of(f, d), APP_DRAFT);
	assert_int_equal(state_of(f, p), APP_AWAITING_PAPER);
	assert_int_equal(state_of(f, v), APP_SMS_VERIFIED);
	assert_int_equal(state_of(f, other), APP_SMS_VERIFIED);
	assert_int_equal(COUNT("SELECT COUNT(*) FROM applications WHERE state = 'cancelled'", ""), 0);

	assert_int_equal(application_fire(f->db, hers, APP_EV_SIGNED, APP_BY_PORTAL, &esign, NULL,
					  &why), 0);
	assert_int_equal(state_of(f, hers), APP_RECEIVED);
	assert_int_equal(state_of(f, p), APP_CANCELLED);
	assert_int_equal(state_of(f, v), APP_CANCELLED);
	assert_int_equal(state_of(f, other), APP_SMS_VERIFIED);	/* another kind */
	assert_int_equal(state_of(f, d), APP_DRAFT);	/* a draft is left to its day */
	assert_int_equal(superseded(f, p, hers, "signed"), 2);
	assert_int_equal(superseded(f, v, hers, "signed"), 2);
	/* proven numbers are told by SMS (their channel is e-mail) */
	assert_int_equal(told(f, HIS, "%başka bir başvuru imzalandığı için%"), 1);
	assert_int_equal(told(f, "5550000002", "%başka bir başvuru imzalandığı için%"), 1);
	assert_int_equal(told(f, "5550000003", "%başka bir başvuru imzalandığı için%"), 0);

	/* signed: hers.  A new claim of the kind is refused and cancels
	 * nothing; another kind's is a claim as any. */
	assert_int_equal(application_create(f->db, &again, id, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLICATION_OPEN);
	assert_string_equal(id, hers);
	assert_int_equal(state_of(f, other), APP_SMS_VERIFIED);
	again.kind = APP_KIND_OTHER;
	assert_int_equal(application_create(f->db, &again, id, &why), 0);
	assert_int_equal(state_of(f, other), APP_SMS_VERIFIED);
	/* a cancelled claim cannot be signed any more */
	assert_int_equal(application_fire(f->db, v, APP_EV_SIGNED, APP_BY_PORTAL, &esign, NULL,
					  &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLICATION_STATE);
	/* a claim that slipped in beside the signed one (a create racing the
	 * signature's transaction): signing it is a refusal, not the unique
	 * index's error */
	assert_int_equal(db_run(f->db, "UPDATE applications SET state = 'sms_verified'"
				       " WHERE id = $1", "t", v), 1);
	assert_int_equal(application_fire(f->db, v, APP_EV_SIGNED, APP_BY_PORTAL, &esign, NULL,
					  &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLICATION_OPEN);
	assert_int_equal(state_of(f, v), APP_SMS_VERIFIED);
	assert_int_equal(state_of(f, hers), APP_RECEIVED);
}

/* Islak İmzalı: his awaiting_paper cannot push hers out (the lock-out
 * session 6 left open); the first paper the operator receives wins. */
static void test_paper(void **state)
{
	struct dfx *f = *state;
	struct application_step op = { .operator = "ayse" };
	enum refusal why = REFUSAL_NONE;
	char hers[33], his[33], again[33];

	claim(f, APP_KIND_NEW, HERS, NULL, APP_AWAITING_PAPER, hers);
	for (int i = 0; i < 3; i++) {
		claim(f, APP_KIND_NEW, HIS, NULL, APP_AWAITING_PAPER, again);
		assert_int_equal(state_of(f, hers), APP_AWAITING_PAPER);
	}
	/* his tries replaced each other (his one number) */
	assert_int_equal(COUNT("SELECT COUNT(*) FROM applications WHERE mobile = $1"
			       " AND state = 'awaiting_paper'", "t", HIS), 1);
	snprintf(his, sizeof(his), "%s", again);
	assert_int_equal(application_fire(f->db, hers, APP_EV_PAPER_RECEIVED, APP_BY_OPERATOR, &op,
					  NULL, &why), 0);
	assert_int_equal(state_of(f, his), APP_CANCELLED);
	assert_int_equal(superseded(f, his, hers, "signed"), 2);
	/* his paper coming later: refused */
	assert_int_equal(application_fire(f->db, his, APP_EV_PAPER_RECEIVED, APP_BY_OPERATOR, &op,
					  NULL, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLICATION_STATE);
	assert_int_equal(state_of(f, hers), APP_RECEIVED);
}

/* A claim whose SMS code proves a number replaces the same number's
 * earlier proven claims, of any kind (a retry from another browser);
 * others' claims stay, and drafts are left to their day. */
static void test_retried(void **state)
{
	struct dfx *f = *state;
	char old[33], draft[33], his[33], other[33], now[33];

	claim(f, APP_KIND_NEW, HERS, NULL, APP_AWAITING_PAPER, old);
	claim(f, APP_KIND_NEW, HERS, NULL, APP_DRAFT, draft);	/* typed by anyone */
	claim(f, APP_KIND_NEW, HIS, NULL, APP_SMS_VERIFIED, his);
	claim(f, APP_KIND_LOST, HERS, NULL, APP_SMS_VERIFIED, other);	/* replaces old */
	claim(f, APP_KIND_NEW, HERS, NULL, APP_SMS_VERIFIED, now);	/* replaces other */
	assert_int_equal(state_of(f, old), APP_CANCELLED);
	assert_int_equal(state_of(f, other), APP_CANCELLED);	/* another kind too */
	assert_int_equal(state_of(f, draft), APP_DRAFT);
	assert_int_equal(state_of(f, his), APP_SMS_VERIFIED);
	assert_int_equal(state_of(f, now), APP_SMS_VERIFIED);
	assert_int_equal(superseded(f, old, other, "retried"), 2);
	assert_int_equal(superseded(f, other, now, "retried"), 2);
	assert_int_equal(told(f, HERS, "%yerini aldığı için%"), 2);
}

/* One proven claim a number, whatever its kind: filling the cap takes as
 * many numbers as it has places (the review's finding: one number proved
 * a claim of each of the four kinds, and two numbers filled it). */
static void test_one_claim_a_number(void **state)
{
	struct dfx *f = *state;
	char id[33];

	for (int k = 0; k < _APP_KIND_MAX; k++) {
		claim(f, k, HIS, NULL, APP_AWAITING_PAPER, id);
		claim(f, k, "5550000002", NULL, APP_SMS_VERIFIED, id);
	}
	assert_int_equal(COUNT("SELECT COUNT(*) FROM applications WHERE state IN ('draft',"
			       " 'sms_verified', 'awaiting_paper')", ""), 2);
	claim(f, APP_KIND_NEW, HERS, NULL, APP_SMS_VERIFIED, id);
	assert_int_equal(COUNT("SELECT COUNT(*) FROM applications WHERE state IN ('draft',"
			       " 'sms_verified', 'awaiting_paper')", ""), 3);
}

/* What bounds claims: drafts are not counted and nobody's entry cancels
 * hers (his twenty drafts leave it alone; they die after a day); proven
 * claims need a number each, APPLICATION_CLAIMS_MAX of them, checked at
 * Form Onayla and again when an SMS code is verified; a parola still
 * finds a proven claim behind any number of drafts. */
static void test_bounds(void **state)
{
	struct dfx *f = *state;
	struct application_new in = {
		.tckn = MEHMET, .institution = "meb", .kind = APP_KIND_NEW, .form_json = "{}",
		.security_word = "gizli-sozcuk-7", .mobile = HERS, .info_channel = "sms",
		.claim = true,
	};
	enum refusal why = REFUSAL_NONE;
	char hers[33], late[33], paper[33], id[33], mobile[11];
	size_t n = 0;

	claim(f, APP_KIND_NEW, HERS, NULL, APP_DRAFT, hers);
	claim(f, APP_KIND_OTHER, "5550000099", "parola-of-his-paper", APP_AWAITING_PAPER, paper);
	for (int i = 0; i < 20; i++)
		claim(f, i % 2 ? APP_KIND_OTHER : APP_KIND_NEW, HIS, NULL, APP_DRAFT, id);
	assert_int_equal(state_of(f, hers), APP_DRAFT);
	assert_int_equal(COUNT("SELECT COUNT(*) FROM applications WHERE state = 'draft'", ""), 21);
	assert_int_equal(application_find_by_parola(f->db, MEHMET, "meb", "parola-of-his-paper", id),
			 0);
	assert_string_equal(id, paper);

	/* proven claims: one a number, eight at most */
	claim(f, APP_KIND_NEW, "5320000000", NULL, APP_DRAFT, late);	/* made before the eighth */
	for (int i = 1; i < APPLICATION_CLAIMS_MAX; i++) {
		snprintf(mobile, sizeof(mobile), "555000001%d", i);
		claim(f, APP_KIND_NEW, mobile, NULL, APP_SMS_VERIFIED, id);
	}
	assert_int_equal(COUNT("SELECT COUNT(*) FROM applications WHERE state IN ('sms_verified',"
			       " 'awaiting_paper')", ""), APPLICATION_CLAIMS_MAX);
	assert_int_equal(application_create(f->db, &in, id, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLICATION_CLAIMS);
	assert_int_equal(application_fire(f->db, late, APP_EV_SMS_VERIFIED, APP_BY_PORTAL, NULL, NULL,
					  &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLICATION_CLAIMS);
	assert_int_equal(state_of(f, late), APP_DRAFT);
	/* a number that has a proven claim may prove a new one (it replaces it) */
	in.mobile = "5550000013";
	assert_int_equal(application_create(f->db, &in, id, &why), 0);
	assert_int_equal(application_fire(f->db, id, APP_EV_SMS_VERIFIED, APP_BY_PORTAL, NULL, NULL,
					  &why), 0);
	assert_int_equal(COUNT("SELECT COUNT(*) FROM applications WHERE state IN ('sms_verified',"
			       " 'awaiting_paper')", ""), APPLICATION_CLAIMS_MAX);

	/* drafts live a day untouched, proven claims thirty */
	assert_int_equal(db_run(f->db, "UPDATE applications SET updated_at = updated_at - 2 * 86400",
				""), APPLICATION_CLAIMS_MAX + 23);
	assert_int_equal(application_expire_unfinished(f->db, now_sec(), &n), 0);
	assert_int_equal(n, 22);
	assert_int_equal(state_of(f, hers), APP_CANCELLED);
	assert_int_equal(state_of(f, paper), APP_AWAITING_PAPER);
	assert_int_equal(COUNT("SELECT COUNT(*) FROM applications WHERE state = 'draft'", ""), 0);
}

/* The portal finds a claim again: by its own parola among several (a
 * wrong or another person's parola finds none), by the number its SMS
 * code proved (the newest with it; a draft's number proves nothing). */
static void test_find(void **state)
{
	struct dfx *f = *state;
	char a[33], b[33], c[33], d[33], id[33];

	claim(f, APP_KIND_NEW, HIS, "parola-of-his-1", APP_SMS_VERIFIED, a);
	claim(f, APP_KIND_OTHER, "5320000001", "parola-of-hers-1", APP_DRAFT, b);
	claim(f, APP_KIND_LOST, HERS, NULL, APP_AWAITING_PAPER, c);
	claim(f, APP_KIND_NEW, HERS, NULL, APP_DRAFT, d);	/* anyone may type her number */
	assert_int_equal(db_run(f->db, "UPDATE applications SET created_at = created_at + 1"
				       " WHERE id = $1", "t", d), 1);
	assert_int_equal(application_find_by_parola(f->db, MEHMET, "meb", "parola-of-hers-1", id),
			 0);
	assert_string_equal(id, b);
	assert_int_equal(application_find_by_parola(f->db, MEHMET, "meb", "parola-of-his-1", id), 0);
	assert_string_equal(id, a);
	assert_int_equal(application_find_by_parola(f->db, MEHMET, "meb", "parola-of-nobody", id),
			 -ENOENT);
	assert_int_equal(application_find_by_parola(f->db, "10000000146", "meb", "parola-of-his-1",
						    id), -ENOENT);
	assert_int_equal(application_find_claim(f->db, MEHMET, "meb", HERS, id), 0);
	assert_string_equal(id, c);	/* not the newer draft d */
	assert_int_equal(application_find_claim(f->db, MEHMET, "meb", HIS, id), 0);
	assert_string_equal(id, a);
	assert_int_equal(application_find_claim(f->db, MEHMET, "meb", "5320000001", id), -ENOENT);
	assert_int_equal(application_find_claim(f->db, MEHMET, "meb", "5559999999", id), -ENOENT);
	/* a signed application is no claim */
	{
		struct application_step esign = { .method = APP_METHOD_ESIGN, .evidence = "s" };
		enum refusal why;

		assert_int_equal(application_fire(f->db, a, APP_EV_SIGNED, APP_BY_PORTAL, &esign, NULL,
						  &why), 0);
		assert_int_equal(application_find_claim(f->db, MEHMET, "meb", HIS, id), -ENOENT);
		/* its parola still finds it (the status page) */
		assert_int_equal(application_find_by_parola(f->db, MEHMET, "meb", "parola-of-his-1",
							    id), 0);
		assert_string_equal(id, a);
	}
}

/* Two claims of one kind signed at once (the first's transaction still
 * open): one wins, the other is refused (application_open when it waited
 * for the person's lock, application_state when the winner cancelled it
 * first) - never an error, never two signed. */
struct signer {
	const char *target, *id;
	pthread_barrier_t *go;
	int r;
};

static void *sign_slowly(void *arg)
{
	struct signer *x = arg;
	struct application_step st = { .method = APP_METHOD_ESIGN, .evidence = "sig-x" };
	enum refusal why;
	struct db *db = NULL;

	assert_int_equal(db_open(x->target, 10000, &db), 0);
	assert_int_equal(db_begin(db), 0);
	x->r = application_fire_in_tx(db, x->id, APP_EV_SIGNED, APP_BY_PORTAL, &st, NULL, &why);
	pthread_barrier_wait(x->go);
	usleep(800 * 1000);	/* the rest of the acceptance */
	x->r = db_end(db, x->r);
	db_close(db);
	return NULL;
}

static void test_signed_at_once(void **state)
{
	struct dfx *f = *state;
	struct application_step eonay = { .method = APP_METHOD_EONAY, .evidence = "act-y" };
	enum refusal why = REFUSAL_NONE;
	pthread_barrier_t go;
	struct signer s;
	char x[33], y[33];
	pthread_t th;
	int r;

	claim(f, APP_KIND_NEW, HERS, NULL, APP_SMS_VERIFIED, x);
	claim(f, APP_KIND_NEW, HIS, NULL, APP_AWAITING_PAPER, y);
	pthread_barrier_init(&go, NULL, 2);
	s = (struct signer){ .target = f->target, .id = x, .go = &go };
	assert_int_equal(pthread_create(&th, NULL, sign_slowly, &s), 0);
	pthread_barrier_wait(&go);
	r = application_fire(f->db, y, APP_EV_SIGNED, APP_BY_PORTAL, &eonay, NULL, &why);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&go);
	assert_int_equal(s.r, 0);
	assert_int_equal(r, -EACCES);
	assert_true(why == REFUSAL_APPLICATION_OPEN || why == REFUSAL_APPLICATION_STATE);
	assert_int_equal(state_of(f, x), APP_RECEIVED);
	assert_int_equal(state_of(f, y), APP_CANCELLED);
	assert_int_equal(COUNT("SELECT COUNT(*) FROM applications WHERE state = 'received'", ""), 1);
}

/* --- through the portal's domain (apply.h) -------------------------------- */

/* Parolamı Bilmiyorum with her number reaches her claim, not one he made
 * with her number typed on his form (the review's finding: the newest
 * claim carrying the number was his unproven draft; her recovery then
 * verified it, which cancelled hers as a retry, and left her browser at
 * the method step of his form, E-Onaylı passing on her number). */
static void test_recovery_with_her_number(void **state)
{
	struct dfx *f = *state;
	_cleanup_json_ json_t *fm_hers = form(HERS, "Atatürk Bulvarı No 98", "uzun bir söz 1");
	_cleanup_json_ json_t *fm_his = form(HERS, "Saldırgan Sokak No 1", "saldirganin sozu");
	_cleanup_free_ char *parola = NULL, *parola2 = NULL, *parola3 = NULL;
	json_t *errors = NULL;
	enum refusal why = REFUSAL_NONE;
	struct apply_entry lost = ENTRY;
	struct apply_draft d;
	char hers[33], his[33], code[7], m[11];
	int64_t left;

	/* she: entry, Form Onayla, her SMS code, Islak İmzalı */
	assert_int_equal(apply_enter(f->db, "web-her", &ENTRY, &d, &why), 0);
	assert_int_equal(apply_confirm(f->db, "web-her", fm_hers, &d, &parola, &errors, &why), 0);
	snprintf(hers, sizeof(hers), "%s", d.application_id);
	assert_int_equal(apply_sms_send(f->db, f->code_key, "web-her", m, &why), 0);
	last_code(f, HERS, code);
	assert_int_equal(apply_sms_verify(f->db, f->code_key, "web-her", code, &d, &parola2, &left,
					  &why), 0);
	assert_int_equal(apply_choose(f->db, "web-her", "paper", &d, &why), 0);
	/* he: her data and HER number on his form, never verified (newer) */
	assert_int_equal(apply_enter(f->db, "web-his", &ENTRY, &d, &why), 0);
	free(parola);
	parola = NULL;
	assert_int_equal(apply_confirm(f->db, "web-his", fm_his, &d, &parola, &errors, &why), 0);
	snprintf(his, sizeof(his), "%s", d.application_id);
	assert_int_equal(db_run(f->db, "UPDATE applications SET created_at = created_at + 5"
				       " WHERE id = $1", "t", his), 1);
	/* she lost her parola: her number, written her way */
	lost.cep = "0532 123 45 67";
	assert_int_equal(apply_recover(f->db, f->code_key, "web-her-2", &lost, m, &why), 0);
	last_code(f, HERS, code);
	assert_int_equal(apply_sms_verify(f->db, f->code_key, "web-her-2", code, &d, &parola3, &left,
					  &why), 0);
	assert_string_equal(d.application_id, hers);
	assert_int_equal(state_of(f, hers), APP_AWAITING_PAPER);
	assert_int_equal(state_of(f, his), APP_DRAFT);
	/* another number: the one answer */
	lost.cep = "5559999999";
	assert_int_equal(apply_recover(f->db, f->code_key, "web-x", &lost, m, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLY_IDENTITY);
}

/* Every move of a claim (here an SMS code verified) holds the person's
 * lock from before it touches its row to the end of its transaction, as
 * the signing of a claim does: without it, a signing that cancels the
 * other claims (row after audit lock) and a move of one of them (audit
 * lock after row) deadlock on PostgreSQL (the review's finding). */
struct mover {
	const char *target, *id;
	pthread_barrier_t *go;
	int r;
};

static void *move_and_hold(void *arg)
{
	struct mover *x = arg;
	enum refusal why;
	struct db *db = NULL;

	assert_int_equal(db_open(x->target, 10000, &db), 0);
	assert_int_equal(db_begin(db), 0);
	x->r = application_fire_in_tx(db, x->id, APP_EV_SMS_VERIFIED, APP_BY_PORTAL, NULL, NULL,
				      &why);
	pthread_barrier_wait(x->go);	/* moved, transaction open */
	pthread_barrier_wait(x->go);	/* the lock was looked at */
	x->r = db_end(db, x->r);
	db_close(db);
	return NULL;
}

static void test_moves_hold_the_lock(void **state)
{
	struct dfx *f = *state;
	struct application_step esign = { .method = APP_METHOD_ESIGN, .evidence = "sig-1" };
	enum refusal why = REFUSAL_NONE;
	pthread_barrier_t go;
	struct mover x;
	pthread_t th;
	char his[33], hers[33];
	int64_t free_;

	if (!test_store_is_pg())
		skip();	/* SQLite: one writer at a time, no lock to look at */
	claim(f, APP_KIND_NEW, HIS, NULL, APP_DRAFT, his);
	claim(f, APP_KIND_NEW, HERS, NULL, APP_SMS_VERIFIED, hers);
	pthread_barrier_init(&go, NULL, 2);
	x = (struct mover){ .target = f->target, .id = his, .go = &go };
	assert_int_equal(pthread_create(&th, NULL, move_and_hold, &x), 0);
	pthread_barrier_wait(&go);
	assert_int_equal(db_begin(f->db), 0);
	free_ = COUNT("SELECT CASE WHEN pg_try_advisory_xact_lock(hashtextextended($1, 0))"
		      " THEN 1 ELSE 0 END", "t", "applicant:" MEHMET);
	db_rollback(f->db);
	pthread_barrier_wait(&go);
	pthread_join(th, NULL);
	pthread_barrier_destroy(&go);
	assert_int_equal(free_, 0);
	assert_int_equal(x.r, 0);
	/* and then hers signed cancels his, as any claim */
	assert_int_equal(application_fire(f->db, hers, APP_EV_SIGNED, APP_BY_PORTAL, &esign, NULL,
					  &why), 0);
	assert_int_equal(state_of(f, his), APP_CANCELLED);
}

/* Migration 018 on a store that has applications (the review's check):
 * the old one-open index goes, a signed one stays unique. */
static void test_migration_018(void **state)
{
	struct dfx *f = *state;
	struct registry_person p = { .tckn = MEHMET, .ad = "MEHMET", .soyad = "KAYA",
				     .dogum_yeri = "ANKARA", .dogum_tarihi = "17.05.1980",
				     .alive = true };
	struct application_step esign = { .method = APP_METHOD_ESIGN, .evidence = "s" };
	struct application_new in = {
		.tckn = MEHMET, .institution = "meb", .kind = APP_KIND_NEW, .form_json = "{}",
		.security_word = "gizli-sozcuk-7", .mobile = HERS, .info_channel = "sms",
	};
	enum refusal why = REFUSAL_NONE;
	char target[512], path[128], a[33], b[33], c[33];
	struct db *db = NULL;
	int applied = 0;

	snprintf(path, sizeof(path), "%s/old.db", f->dir);
	assert_int_equal(test_store_new(path, "claims_old", target, sizeof(target)), 0);
	assert_int_equal(db_open(target, 5000, &db), 0);
	assert_int_equal(db_migrate_to(db, 17, NULL), 0);
	assert_int_equal(audit_seal(db, true, NULL, NULL), 0);
	assert_int_equal(registry_put(db, &p), 0);
	assert_int_equal(institution_set(db, "meb", "MEB", NULL), 0);
	assert_int_equal(application_create(db, &in, a, &why), 0);
	assert_int_equal(application_fire(db, a, APP_EV_SMS_VERIFIED, APP_BY_PORTAL, NULL, NULL,
					  &why), 0);
	assert_int_equal(application_fire(db, a, APP_EV_SIGNED, APP_BY_PORTAL, &esign, NULL, &why),
			 0);
	in.kind = APP_KIND_OTHER;
	assert_int_equal(application_create(db, &in, b, &why), 0);
	assert_int_equal(db_migrate(db, &applied), 0);
	assert_int_equal(applied, 1);
	in.claim = true;
	assert_int_equal(application_create(db, &in, c, &why), 0);	/* beside the draft */
	in.kind = APP_KIND_NEW;
	assert_int_equal(application_create(db, &in, c, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLICATION_OPEN);
	assert_int_equal(db_run(db, "UPDATE applications SET state = 'received' WHERE id = $1",
				"t", b), 1);
	assert_int_equal(db_run(db, "UPDATE applications SET kind = 'new' WHERE id = $1", "t", b),
			 -EEXIST);
	db_close(db);
	test_store_drop(target);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_first_signed_wins, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_paper, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_retried, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_bounds, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_find, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_signed_at_once, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_one_claim_a_number, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_recovery_with_her_number, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_moves_hold_the_lock, setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_migration_018, setup, dfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
