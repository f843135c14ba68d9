/* test-apply-attacks.c - the application portal under attack (the
 * breakapp review of issue 16): what an attacker who knows a person's
 * registry data (T.C. Kimlik No, name, birth place and date: data that
 * leaks) could do, and the findings fixed, each tested here on a real
 * eonayd on the demo world:
 *  - E-Onaylı Başvuru with the attacker's own cep number: the SMS code
 *    proved only the attacker's phone, and the application went to
 *    `received` signed by the victim's E-Onay (then a card, and the
 *    attacker's güvenlik sözcüğü as the victim's Şifreli Giriş word).
 *    Now E-Onaylı needs the number on record (eonay_mobile);
 *  - E-Onay cancelled between the SMS check and the choice: refused;
 *  - SMS Onay Kodu without end: each entry with the parola made a new
 *    draft with new codes (3 codes x 3 tries each time);
 *  - the parola entry answered in ~1 ms for a person without an open
 *    application and ~200 ms (scrypt) for one with: it told who applied;
 *  - the Sertifika Süresi of the form was ignored by produce;
 *  - `eonayctl application show` did not show the form decided on;
 *  - an application started with the victim's registry data and the
 *    attacker's number locked the victim out (her entry refused
 *    application_open, Parolamı Bilmiyorum's SMS to the attacker's
 *    number) for 30 days, and (session 6's answer, replacing an unsigned
 *    one) his entering again cancelled hers.  Now claims coexist and the
 *    first signed wins (applications.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "apply-util.h"
#include "harness.h"

#define AHMET_FIELDS MEHMET_FIELDS(AHMET, "AHMET", "YILMAZ", "İSTANBUL", "12.03.1975")
#define MEHMET_REG MEHMET_FIELDS(MEHMET, "MEHMET", "KAYA", "ANKARA", "17.05.1980")
#define ATTACKER_MOBILE "5559998877"
#define FATMA "30000000182"	/* imported by this test: no application before the last test */
#define FATMA_REG MEHMET_FIELDS(FATMA, "FATMA", "ÖZ", "BURSA", "09.09.1999")

static int group_setup(void **state)
{
	static const char *const extra[] = { "--set", "notify.interval=1", "--set",
					     "apply.captcha_test_answer=" TEST_ANSWER, "--set",
					     "apply.entries_per_client=1000", "--set",
					     "session.creates_per_client=1000", NULL };

	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	conf = demo_world(data);
	if (!conf)
		return -1;
	if (registry_add(FATMA ",Fatma,Öz,Bursa,09.09.1999") != 0)
		return -1;
	return srv_start(&S, data, extra);
}

static int group_teardown(void **state)
{
	srv_stop(&S, false);
	tmpdir_remove(data);
	return 0;
}

/* AHMET (card DEMO-0001) logs in with his card and signs purpose
 * (eonay-give / eonay-cancel). */
static void ahmet_signs(const char *purpose)
{
	char id[64], code[64], st[32], body[160];
	struct browser h;
	struct resp r;
	char *out;

	assert_int_equal(browser_open(&h, &S), 0);
	snprintf(body, sizeof(body), "{\"purpose\":\"login\",\"tckn\":\"%s\"}", AHMET);
	assert_int_equal(post(&h, "/api/v1/signing", body, &r), 201);
	json_field(r.body, "id", id, 64);
	json_field(r.body, "code", code, 64);
	resp_done(&r);
	assert_int_equal(eimza_sign(code, "DEMO-0001", &out), 0);
	free(out);
	wait_final(&h, id, st, NULL);
	assert_string_equal(st, "signed");
	assert_int_equal(browser_refresh(&h), 0);
	snprintf(body, sizeof(body), "{\"purpose\":\"%s\",\"accepted\":true,"
		 "\"explanation_version\":1}", purpose);
	assert_int_equal(post(&h, "/api/v1/signing", body, &r), 201);
	json_field(r.body, "id", id, 64);
	json_field(r.body, "code", code, 64);
	resp_done(&r);
	assert_int_equal(eimza_sign(code, "DEMO-0001", &out), 0);
	free(out);
	wait_final(&h, id, st, NULL);
	assert_string_equal(st, "signed");
}

/* Someone who knows AHMET's registry data applies in his name with his
 * own cep number; AHMET has an E-Onay. */
static void test_eonay_needs_the_number_on_record(void **state)
{
	char app[64], st[32];
	struct browser a;
	struct resp r;
	char *out;

	ahmet_signs("eonay-give");
	to_method(&a, AHMET_FIELDS, ATTACKER_MOBILE, "other", app, NULL);
	assert_int_equal(browser_call(&a, "GET", "/api/v1/basvuru", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"eonay_active\":true"));
	assert_non_null(strstr(r.body, "\"eonay_usable\":false"));
	resp_done(&r);
	assert_int_equal(post(&a, "/api/v1/basvuru/yontem", "{\"method\":\"eonay\"}", &r), 409);
	assert_non_null(strstr(r.body, "\"eonay_mobile\""));
	resp_done(&r);
	/* the application did not move; the refusal is audited */
	assert_int_equal(apps_of(AHMET, st, sizeof(st)), 1);
	assert_string_equal(st, "sms_verified");
	assert_int_equal(run_cmd(&out, "%s --data %s audit list 5", bin_path("eonayctl"), data), 0);
	assert_non_null(strstr(out, "apply.eonay"));
	assert_non_null(strstr(out, "eonay_mobile"));
	free(out);
	/* what is left to him needs AHMET's card or his wet signature */
	assert_int_equal(post(&a, "/api/v1/basvuru/yontem", "{\"method\":\"paper\"}", &r), 200);
	assert_non_null(strstr(r.body, "\"state\":\"awaiting_paper\""));
	resp_done(&r);
	assert_int_equal(run_cmd(&out, "%s --data %s application cancel %s", bin_path("eonayctl"),
				 data, app), 0);
	free(out);
}

/* The E-Onay cancelled after the page offered E-Onaylı: checked again
 * when it is chosen. */
static void test_eonay_cancelled_meanwhile(void **state)
{
	char app[64];
	struct browser a;
	struct resp r;

	to_method(&a, AHMET_FIELDS, "5320000146", "other", app, NULL);
	assert_int_equal(browser_call(&a, "GET", "/api/v1/basvuru", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"eonay_usable\":true"));
	resp_done(&r);
	ahmet_signs("eonay-cancel");
	assert_int_equal(post(&a, "/api/v1/basvuru/yontem", "{\"method\":\"eonay\"}", &r), 409);
	assert_non_null(strstr(r.body, "\"eonay_not_active\""));
	resp_done(&r);
	assert_int_equal(browser_call(&a, "GET", "/api/v1/basvuru", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"state\":\"sms_verified\""));
	assert_non_null(strstr(r.body, "\"eonay_active\":false"));
	resp_done(&r);
}

/* Entering again with the parola makes a new draft: not new codes. */
static void test_sms_codes_per_application(void **state)
{
	char parola[64], body[200];
	struct browser b;
	struct resp r;
	int sent = 0;

	assert_int_equal(browser_open(&b, &S), 0);
	assert_int_equal(enter(&b, MEHMET_REG, NULL), 201);
	{
		char *form = form_json("5557776600", "new", NULL, NULL);

		assert_int_equal(post(&b, "/api/v1/basvuru/form", form, &r), 201);
		free(form);
	}
	assert_non_null(json_field(r.body, "parola", parola, sizeof(parola)));
	resp_done(&r);
	snprintf(body, sizeof(body), "\"tckn\":\"%s\",\"parola\":\"%s\"", MEHMET, parola);
	for (int i = 0; i < 5; i++) {
		long st = post(&b, "/api/v1/basvuru/sms", "{}", &r);

		if (st == 200) {
			sent++;
		} else {
			assert_int_equal(st, 429);
			assert_non_null(strstr(r.body, "\"sms_limit\""));
		}
		resp_done(&r);
		/* a new browser, a new draft of the same application */
		assert_int_equal(browser_open(&b, &S), 0);
		assert_int_equal(enter(&b, body, NULL), 201);
	}
	assert_int_equal(sent, 3);
	/* each send and each refusal audited */
	{
		char *out;

		assert_int_equal(run_cmd(&out, "%s --data %s audit list 12", bin_path("eonayctl"),
					 data), 0);
		assert_non_null(strstr(out, "apply.sms_send"));
		assert_non_null(strstr(out, "sms_limit"));
		free(out);
	}
}

/* The Sertifika Süresi chosen on the form is the certificate's: it was
 * ignored (every card got the default 2 years). */
static void test_validity_of_the_form(void **state)
{
	char app[64], code[7], line[200], *out, *form = form_json("5320000078", "other", "validity",
								 "1");
	struct browser b;
	struct resp r;
	time_t t = time(NULL);
	struct tm tm;

	assert_int_equal(browser_open(&b, &S), 0);
	assert_int_equal(enter(&b, MEHMET_FIELDS("10000000078", "AYŞE", "DEMİR", "İZMİR",
						 "28.11.1986"), NULL), 201);
	assert_int_equal(post(&b, "/api/v1/basvuru/form", form, &r), 201);
	free(form);
	assert_non_null(json_field(r.body, "id", app, sizeof(app)));
	resp_done(&r);
	assert_int_equal(post(&b, "/api/v1/basvuru/sms", "{}", NULL), 200);
	new_code("5320000078", known, &n_known, code);
	snprintf(line, sizeof(line), "{\"code\":\"%s\"}", code);
	assert_int_equal(post(&b, "/api/v1/basvuru/sms/dogrula", line, NULL), 200);
	assert_int_equal(post(&b, "/api/v1/basvuru/yontem", "{\"method\":\"paper\"}", NULL), 200);
	for (const char *const *m = (const char *const[]){ "paper-received", "approve", "produce",
							    NULL }; *m; m++) {
		assert_int_equal(run_cmd(&out, "SOFTHSM2_CONF=%s %s --data %s application %s %s", conf,
					 bin_path("eonayctl"), data, *m, app), 0);
		free(out);
	}
	/* the operator sees the form he decides on (never the word) */
	assert_int_equal(run_cmd(&out, "%s --data %s application show %s", bin_path("eonayctl"),
				 data, app), 0);
	assert_non_null(strstr(out, "    Sertifika Süresi: 1 Yıl\n"));
	assert_non_null(strstr(out, "    Cep Telefonu: 5320000078\n"));
	assert_null(strstr(out, "gizli-soz"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s application show %s --json",
				 bin_path("eonayctl"), data, app), 0);
	assert_non_null(strstr(out, "\"validity\": \"1\""));
	assert_null(strstr(out, "gizli-soz"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s cert list 10000000078", bin_path("eonayctl"),
				 data), 0);
	/* the new card's certificate ends a year from now */
	t += 365 * 86400;
	gmtime_r(&t, &tm);
	strftime(line, sizeof(line), "..%Y-%m-%d", &tm);
	assert_non_null(strstr(out, line));
	free(out);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* The fastest of 3 parola entries for tckn (all refused). */
static double parola_entry_ms(struct browser *b, const char *tckn)
{
	double best = 1e9;
	char fields[160], id[64], body[400];
	struct resp r;

	snprintf(fields, sizeof(fields), "\"tckn\":\"%s\",\"parola\":\"yanlis-parola\"", tckn);
	for (int i = 0; i < 3; i++) {
		double t0;

		captcha(b, id);
		snprintf(body, sizeof(body), "{\"kurum\":\"meb\",\"captcha_id\":\"%s\","
			 "\"captcha\":\"%s\",%s}", id, TEST_ANSWER, fields);
		t0 = now_ms();
		assert_int_equal(post(b, "/api/v1/basvuru/giris", body, &r), 403);
		if (now_ms() - t0 < best)
			best = now_ms() - t0;
		assert_non_null(strstr(r.body, "\"apply_identity\""));
		resp_done(&r);
	}
	return best;
}

/* MEHMET has an open application (the test before), AYŞE none: the
 * refusals take about the same time (both check a scrypt hash). */
static void test_parola_timing(void **state)
{
	struct browser b;
	double with, without;

	assert_int_equal(browser_open(&b, &S), 0);
	with = parola_entry_ms(&b, MEHMET);
	without = parola_entry_ms(&b, "10000000078");
	print_message("parola entry: %.1f ms with an open application, %.1f ms without\n", with,
		      without);
	assert_true(without > with / 3);
}

/* The SMS spooled to mobile that says text, waited for (the dispatcher
 * runs every second): found or not. */
static bool sms_says(const char *mobile, const char *text)
{
	for (int i = 0; i < 100; i++) {
		char *out = NULL;
		int rc = run_cmd(&out, "grep -l -x 'To: %s' %s/spool/*.msg 2>/dev/null |"
				       " xargs -r grep -l -F '%s'", mobile, data, text);

		free(out);
		if (rc == 0)
			return true;
		usleep(100 * 1000);
	}
	return false;
}

/* FATMA's registry data in the attacker's hands does not lock her out,
 * not even on paper: his claim and hers coexist, Parolamı Bilmiyorum
 * finds hers by her number, and the first one signed (hers: the paper
 * received) cancels his. */
static void test_no_lockout(void **state)
{
	char app[64], parola[64], mine[64], again_app[64], code[7], body[128];
	struct browser attacker, fatma, lost, again;
	struct resp r;
	char *form, *out;

	/* the attacker: her data, his number, his SMS code, Islak İmzalı */
	to_method(&attacker, FATMA_REG, ATTACKER_MOBILE, "new", app, parola);
	assert_int_equal(post(&attacker, "/api/v1/basvuru/yontem", "{\"method\":\"paper\"}", &r), 200);
	resp_done(&r);
	/* her entry is not refused, nor told there is an application; her
	 * Form Onayla and SMS code make a claim beside his */
	assert_int_equal(browser_open(&fatma, &S), 0);
	assert_int_equal(enter(&fatma, FATMA_REG, &r), 201);
	assert_null(strstr(r.body, "application_open"));
	resp_done(&r);
	to_method(&fatma, FATMA_REG, "5321110099", "new", mine, parola);
	assert_string_not_equal(mine, app);
	assert_int_equal(post(&fatma, "/api/v1/basvuru/yontem", "{\"method\":\"paper\"}", &r), 200);
	resp_done(&r);
	/* he enters again: his new claim replaces his own, never hers */
	to_method(&again, FATMA_REG, ATTACKER_MOBILE, "new", again_app, parola);
	assert_int_equal(run_cmd(&out, "%s --data %s application show %s --json", bin_path("eonayctl"),
				 data, app), 0);
	assert_non_null(strstr(out, "\"state\": \"cancelled\""));
	assert_non_null(strstr(out, "(retried)"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s application show %s --json", bin_path("eonayctl"),
				 data, mine), 0);
	assert_non_null(strstr(out, "\"state\": \"awaiting_paper\""));
	free(out);

	/* Parolamı Bilmiyorum asks her number: the code goes to her, for hers */
	assert_int_equal(browser_open(&lost, &S), 0);
	assert_int_equal(enter_with(&lost, "/api/v1/basvuru/parola-unuttum",
				    FATMA_REG ",\"cep\":\"532 111 00 99\"", TEST_ANSWER, &r), 201);
	assert_non_null(strstr(r.body, "\"mobile\":\"532 *** ** 99\""));
	resp_done(&r);
	new_code("5321110099", known, &n_known, code);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	assert_int_equal(post(&lost, "/api/v1/basvuru/sms/dogrula", body, &r), 200);
	assert_non_null(strstr(r.body, mine));
	assert_null(strstr(r.body, again_app));
	resp_done(&r);

	/* hers signed first (the paper received): his is cancelled, his
	 * number told why, his browser gets nothing more */
	assert_int_equal(run_cmd(&out, "%s --data %s application paper-received %s",
				 bin_path("eonayctl"), data, mine), 0);
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s application show %s --json", bin_path("eonayctl"),
				 data, again_app), 0);
	assert_non_null(strstr(out, "\"state\": \"cancelled\""));
	assert_non_null(strstr(out, "superseded by "));
	assert_non_null(strstr(out, mine));
	free(out);
	assert_true(sms_says(ATTACKER_MOBILE, "başka bir başvuru imzalandığı için"));
	assert_int_equal(post(&again, "/api/v1/basvuru/yontem", "{\"method\":\"paper\"}", &r), 409);
	assert_non_null(strstr(r.body, "\"application_state\""));
	resp_done(&r);
	assert_int_equal(browser_call(&again, "GET", "/api/v1/basvuru/pdf", NULL, &r), 0);
	assert_int_equal(r.status, 409);
	resp_done(&r);

	/* signed: hers.  A new Form Onayla of the kind is refused */
	assert_int_equal(browser_open(&again, &S), 0);
	assert_int_equal(enter(&again, FATMA_REG, NULL), 201);
	form = form_json(ATTACKER_MOBILE, "new", NULL, NULL);
	assert_int_equal(post(&again, "/api/v1/basvuru/form", form, &r), 409);
	free(form);
	assert_non_null(strstr(r.body, "\"application_open\""));
	resp_done(&r);
	assert_int_equal(run_cmd(&out, "%s --data %s application show %s --json", bin_path("eonayctl"),
				 data, mine), 0);
	assert_non_null(strstr(out, "\"state\": \"received\""));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eonay_needs_the_number_on_record),
		cmocka_unit_test(test_eonay_cancelled_meanwhile),
		cmocka_unit_test(test_sms_codes_per_application),
		cmocka_unit_test(test_parola_timing),
		cmocka_unit_test(test_validity_of_the_form),
		cmocka_unit_test(test_no_lockout),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
