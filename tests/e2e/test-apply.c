/* test-apply.c - the application portal's API end to end (issue 16, web
 * side): a real eonayd on the demo world (meb, MEHMET KAYA) with the
 * captcha test answer set.  Negative: a wrong and a reused captcha,
 * another browser's captcha, a registry mismatch on each field (one and
 * the same answer), a wrong sicil no, the entry limit, invalid postal
 * code / phones / e-mail / words, E-Onaylı chosen without an E-Onay, SMS
 * code brute force (3 tries), resend too soon, a signature by another
 * person, double submission of the form (one application only), eonayd
 * refusing the test answer with an https base URL.  Positive: Islak
 * İmzalı (the PDF read back with pdftotext), "Parolamı Bilmiyorum", the
 * Başvuru Formu Erişim Parolası, Elektronik İmzalı with the real eimza,
 * E-Onaylı after an E-Onay given with eimza. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "common/util.h"
#include "apply-util.h"
#include "harness.h"
#include "pki/cades.h"
#include "pki/ossl.h"
#include "pki/p11.h"

#define ZEYNEP "20000000114"	/* imported by this test */
#define IDENTITY_MSG "Girdiğiniz kimlik bilgileri doğrulanamadı."

static int group_setup(void **state)
{
	static const char *const extra[] = { "--set", "notify.interval=1", "--set",
					     "apply.captcha_test_answer=" TEST_ANSWER, "--set",
					     "apply.entries_per_client=1000", NULL };

	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	conf = demo_world(data);
	if (!conf)
		return -1;
	if (registry_add(ZEYNEP ",Zeynep,Çelik,İzmir,01.02.1990") != 0)
		return -1;
	return srv_start(&S, data, extra);
}

static int group_teardown(void **state)
{
	srv_stop(&S, false);
	tmpdir_remove(data);
	return 0;
}

static void test_page(void **state)
{
	struct resp r;
	char url[200];

	snprintf(url, sizeof(url), "%s/basvuru/meb", S.url);
	assert_int_equal(http_do("GET", url, NULL, 0, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "Nitelikli Elektronik Sertifika Başvurusu"));
	resp_done(&r);
	snprintf(url, sizeof(url), "%s/basvuru/yok", S.url);
	assert_int_equal(http_do("GET", url, NULL, 0, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(r.body, "<html"));
	resp_done(&r);
}

static void test_captcha(void **state)
{
	struct browser b, other;
	char id[64], body[512];
	struct resp r;

	assert_int_equal(browser_open(&b, &S), 0);
	/* wrong */
	assert_int_equal(enter_with(&b, "/api/v1/basvuru/giris",
				    MEHMET_FIELDS(MEHMET, "MEHMET", "KAYA", "ANKARA", "17.05.1980"),
				    "XXXXXX", &r), 400);
	assert_non_null(strstr(r.body, "\"captcha_wrong\""));
	resp_done(&r);
	/* reused: a captcha is used once, even when the first answer was wrong */
	captcha(&b, id);
	snprintf(body, sizeof(body), "{\"kurum\":\"meb\",\"captcha_id\":\"%s\",\"captcha\":\"nope\","
		 MEHMET_FIELDS(MEHMET, "MEHMET", "KAYA", "ANKARA", "17.05.1980") "}", id);
	assert_int_equal(post(&b, "/api/v1/basvuru/giris", body, NULL), 400);
	snprintf(body, sizeof(body), "{\"kurum\":\"meb\",\"captcha_id\":\"%s\",\"captcha\":\"%s\","
		 MEHMET_FIELDS(MEHMET, "MEHMET", "KAYA", "ANKARA", "17.05.1980") "}", id, TEST_ANSWER);
	assert_int_equal(post(&b, "/api/v1/basvuru/giris", body, &r), 400);
	assert_non_null(strstr(r.body, "\"captcha_expired\""));
	resp_done(&r);
	/* another browser's captcha is no captcha */
	assert_int_equal(browser_open(&other, &S), 0);
	captcha(&other, id);
	snprintf(body, sizeof(body), "{\"kurum\":\"meb\",\"captcha_id\":\"%s\",\"captcha\":\"%s\","
		 MEHMET_FIELDS(MEHMET, "MEHMET", "KAYA", "ANKARA", "17.05.1980") "}", id, TEST_ANSWER);
	assert_int_equal(post(&b, "/api/v1/basvuru/giris", body, &r), 400);
	assert_non_null(strstr(r.body, "\"captcha_expired\""));
	resp_done(&r);
	/* unknown institution */
	captcha(&b, id);
	snprintf(body, sizeof(body), "{\"kurum\":\"yok\",\"captcha_id\":\"%s\",\"captcha\":\"%s\","
		 MEHMET_FIELDS(MEHMET, "MEHMET", "KAYA", "ANKARA", "17.05.1980") "}", id, TEST_ANSWER);
	assert_int_equal(post(&b, "/api/v1/basvuru/giris", body, &r), 404);
	assert_non_null(strstr(r.body, "\"institution_unknown\""));
	resp_done(&r);
}

/* A mismatch in any one field: the same answer, word for word. */
static void test_registry_mismatch(void **state)
{
	static const char *const wrong[] = {
		MEHMET_FIELDS("10000000146", "MEHMET", "KAYA", "ANKARA", "17.05.1980"),
		MEHMET_FIELDS(MEHMET, "MEHMED", "KAYA", "ANKARA", "17.05.1980"),
		MEHMET_FIELDS(MEHMET, "MEHMET", "KAYAK", "ANKARA", "17.05.1980"),
		MEHMET_FIELDS(MEHMET, "MEHMET", "KAYA", "İSTANBUL", "17.05.1980"),
		MEHMET_FIELDS(MEHMET, "MEHMET", "KAYA", "ANKARA", "18.05.1980"),
		MEHMET_FIELDS("10000000218", "MEHMET", "KAYA", "ANKARA", "17.05.1980"),
		"\"tckn\":\"" MEHMET "\",\"sicil\":\"4243\"",
	};
	char first[600] = "";
	struct browser b;
	struct resp r;

	assert_int_equal(browser_open(&b, &S), 0);
	for (size_t i = 0; i < sizeof(wrong) / sizeof(wrong[0]); i++) {
		assert_int_equal(enter(&b, wrong[i], &r), 403);
		assert_non_null(strstr(r.body, "\"apply_identity\""));
		assert_non_null(strstr(r.body, IDENTITY_MSG));
		if (!first[0])
			snprintf(first, sizeof(first), "%s", r.body);
		assert_string_equal(r.body, first);
		resp_done(&r);
	}
	/* each refusal is in the audit log, with its reason, not the input */
	{
		char *out;

		assert_int_equal(run_cmd(&out, "%s --data %s audit list 10", bin_path("eonayctl"),
					 data), 0);
		assert_non_null(strstr(out, "apply.enter"));
		assert_non_null(strstr(out, "\"reason\":\"apply_identity\""));
		assert_null(strstr(out, "MEHMED"));
		free(out);
	}
	/* Turkish case and surrounding spaces are no mismatch; the sicil no
	 * is an entry of its own. */
	assert_int_equal(enter(&b, MEHMET_FIELDS(MEHMET, " mehmet", "Kaya ", "ankara", "17.05.1980"),
			       NULL), 201);
	assert_int_equal(enter(&b, "\"tckn\":\"" MEHMET "\",\"sicil\":\"4242\"", &r), 201);
	assert_non_null(strstr(r.body, "\"entry\":\"staff\""));
	resp_done(&r);
}

static void test_entry_limit(void **state)
{
	static const char *const extra[] = { "--set", "apply.captcha_test_answer=" TEST_ANSWER,
					     "--set", "apply.entries_per_client=3", NULL };
	const char *d2 = tmpdir_new();
	struct srv s2;
	struct browser b;
	struct resp r;
	char *out;
	long st = 0;

	assert_int_equal(run_cmd(&out, "%s --data %s institution add --code meb --name 'MEB'",
				 bin_path("eonayctl"), d2), 0);
	free(out);
	assert_int_equal(srv_start(&s2, d2, extra), 0);
	assert_int_equal(browser_open(&b, &s2), 0);
	for (int i = 0; i < 4; i++) {
		char id[64], body[512];

		assert_int_equal(post(&b, "/api/v1/basvuru/captcha", "{}", &r), 201);
		json_field(r.body, "id", id, sizeof(id));
		resp_done(&r);
		snprintf(body, sizeof(body), "{\"kurum\":\"meb\",\"captcha_id\":\"%s\",\"captcha\":\"%s\","
			 MEHMET_FIELDS(MEHMET, "X", "Y", "Z", "01.01.1990") "}", id, TEST_ANSWER);
		st = post(&b, "/api/v1/basvuru/giris", body, NULL);
		if (i < 3)
			assert_int_equal(st, 403);
	}
	assert_int_equal(st, 429);
	srv_stop(&s2, false);
	tmpdir_remove(d2);
}

/* The https refusal: eonayd does not start with the test answer. */
static void test_https_refused(void **state)
{
	const char *d2 = tmpdir_new();
	char *out;
	int rc;

	rc = run_cmd(&out, "timeout 20 %s --data %s --listen 127.0.0.1:%d --set"
			   " server.base_url=https://basvuru.example.org --set"
			   " apply.captcha_test_answer=X", bin_path("eonayd"), d2, free_port());
	assert_int_not_equal(rc, 0);
	assert_int_not_equal(rc, 124);	/* it refused; it did not run until killed */
	assert_non_null(strstr(out, "apply.captcha_test_answer"));
	free(out);
	tmpdir_remove(d2);
}

static void test_form_invalid(void **state)
{
	static const struct {
		const char *name, *value, *field;
	} bad[] = {
		{ "postal_code", "1234", "postal_code" },
		{ "postal_code", "35000", "postal_code" },	/* İZMİR's, not ANKARA's */
		{ "postal_code", "06a48", "postal_code" },
		{ "mobile", "312 413 10 00", "mobile" },
		{ "mobile", "532", "mobile" },
		{ "work_phone", "12345", "work_phone" },
		{ "home_phone", "abc", "home_phone" },
		{ "email", "mehmet@", "email" },
		{ "email", "mehmet.example.org", "email" },
		{ "word2", "baska-soz-999", "word2" },
		{ "word", "kisa", "word" },
		{ "ilce", "KONAK", "ilce" },
		{ "reason", "yeni", "reason" },
		{ "info_channel", "", "info_channel" },
	};
	struct browser b;
	struct resp r;

	assert_int_equal(browser_open(&b, &S), 0);
	assert_int_equal(enter(&b, MEHMET_FIELDS(MEHMET, "MEHMET", "KAYA", "ANKARA", "17.05.1980"),
			       NULL), 201);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *form = form_json("5321234567", "new", bad[i].name, bad[i].value), key[64];

		assert_int_equal(post(&b, "/api/v1/basvuru/form", form, &r), 422);
		assert_non_null(strstr(r.body, "\"form_invalid\""));
		snprintf(key, sizeof(key), "\"%s\":\"", bad[i].field);
		if (!strstr(r.body, key))
			fail_msg("%s=%s: %s", bad[i].name, bad[i].value, r.body);
		resp_done(&r);
		free(form);
	}
	/* Nothing was created by the refused forms. */
	assert_int_equal(apps_of(MEHMET, NULL, 0), 0);
}

struct racer {
	struct browser *b;
	const char *form;
	long status;
};

static void *race(void *p)
{
	struct racer *x = p;
	struct resp r;

	if (browser_call(x->b, "POST", "/api/v1/basvuru/form", x->form, &r) == 0) {
		x->status = r.status;
		resp_done(&r);
	}
	return NULL;
}

/* Form Onayla twice at once, and again: one application.  Then the SMS
 * code: none sent yet, resend too soon, three wrong tries kill it. */
static void test_double_submit_and_sms(void **state)
{
	char *form = form_json("5321234567", "new", NULL, NULL), code[7];
	struct racer x1, x2;
	pthread_t t1, t2;
	struct browser b;
	struct resp r;

	assert_int_equal(browser_open(&b, &S), 0);
	assert_int_equal(enter(&b, MEHMET_FIELDS(MEHMET, "MEHMET", "KAYA", "ANKARA", "17.05.1980"),
			       NULL), 201);
	x1 = (struct racer){ &b, form, 0 };
	x2 = x1;
	pthread_create(&t1, NULL, race, &x1);
	pthread_create(&t2, NULL, race, &x2);
	pthread_join(t1, NULL);
	pthread_join(t2, NULL);
	assert_true((x1.status == 201) != (x2.status == 201));
	assert_true(x1.status == 200 || x1.status == 409 || x1.status == 201);
	assert_true(x2.status == 200 || x2.status == 409 || x2.status == 201);
	assert_int_equal(post(&b, "/api/v1/basvuru/form", form, &r), 200);
	assert_null(strstr(r.body, "\"parola\""));	/* shown once */
	resp_done(&r);
	assert_int_equal(apps_of(MEHMET, NULL, 0), 1);
	/* a new entry of the same person (another browser) is not refused nor
	 * told of the open application (its Form Onayla would replace it:
	 * test-apply-attacks.c test_no_lockout) */
	{
		struct browser b2;

		assert_int_equal(browser_open(&b2, &S), 0);
		assert_int_equal(enter(&b2, MEHMET_FIELDS(MEHMET, "MEHMET", "KAYA", "ANKARA",
							  "17.05.1980"), &r), 201);
		assert_null(strstr(r.body, "application"));
		resp_done(&r);
	}
	free(form);

	/* no code sent yet */
	assert_int_equal(post(&b, "/api/v1/basvuru/sms/dogrula", "{\"code\":\"123456\"}", &r), 410);
	resp_done(&r);
	assert_int_equal(post(&b, "/api/v1/basvuru/sms", "{}", NULL), 200);
	assert_int_equal(post(&b, "/api/v1/basvuru/sms", "{}", &r), 429);	/* too soon */
	assert_non_null(strstr(r.body, "\"sms_limit\""));
	resp_done(&r);
	new_code("5321234567", known, &n_known, code);
	for (int i = 0; i < 3; i++) {
		char wrong[40];

		snprintf(wrong, sizeof(wrong), "{\"code\":\"%06d\"}", (atoi(code) + 1 + i) % 1000000);
		assert_int_equal(post(&b, "/api/v1/basvuru/sms/dogrula", wrong, &r), i < 2 ? 400 : 410);
		assert_non_null(strstr(r.body, i < 2 ? "\"sms_wrong\"" : "\"sms_expired\""));
		if (i == 0)
			assert_non_null(strstr(r.body, "Kalan deneme hakkınız: 2"));
		resp_done(&r);
	}
	/* the right code no longer helps: it died with the third wrong try */
	{
		char right[40];

		snprintf(right, sizeof(right), "{\"code\":\"%s\"}", code);
		assert_int_equal(post(&b, "/api/v1/basvuru/sms/dogrula", right, &r), 410);
		resp_done(&r);
	}
	assert_int_equal(browser_call(&b, "GET", "/api/v1/basvuru", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"state\":\"draft\""));
	resp_done(&r);
}

#define ZEYNEP_FIELDS MEHMET_FIELDS(ZEYNEP, "ZEYNEP", "ÇELİK", "İZMİR", "01.02.1990")
#define ZEYNEP_MOBILE "5339876543"

static void test_paper_recover_parola(void **state)
{
	char app[64], parola[64], parola2[64], code[7], body[256], st[32], pdf[300];
	struct browser b, b2, b3;
	struct resp r;
	char *out;
	FILE *f;

	to_method(&b, ZEYNEP_FIELDS, ZEYNEP_MOBILE, "new", app, parola);
	/* E-Onaylı without an E-Onay */
	assert_int_equal(post(&b, "/api/v1/basvuru/yontem", "{\"method\":\"eonay\"}", &r), 409);
	assert_non_null(strstr(r.body, "\"eonay_not_active\""));
	resp_done(&r);
	assert_int_equal(browser_call(&b, "GET", "/api/v1/basvuru", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"eonay_active\":false"));
	resp_done(&r);
	/* Islak İmzalı: the application waits for the paper; the PDF */
	for (int i = 0; i < 2; i++) {	/* twice: the same answer */
		assert_int_equal(post(&b, "/api/v1/basvuru/yontem", "{\"method\":\"paper\"}", &r), 200);
		assert_non_null(strstr(r.body, "\"state\":\"awaiting_paper\""));
		resp_done(&r);
	}
	assert_int_equal(browser_call(&b, "GET", "/api/v1/basvuru/pdf", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_memory_equal(r.body, "%PDF-", 5);
	snprintf(pdf, sizeof(pdf), "%s/form.pdf", data);
	f = fopen(pdf, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(r.body, 1, r.len, f), r.len);
	fclose(f);
	resp_done(&r);
	assert_int_equal(run_cmd(&out, "pdftotext -layout %s -", pdf), 0);
	assert_non_null(strstr(out, "Nitelikli Elektronik Sertifika Başvuru Formu"));
	assert_non_null(strstr(out, ZEYNEP));
	assert_non_null(strstr(out, "Zeynep"));
	assert_non_null(strstr(out, "5339876543"));
	assert_non_null(strstr(out, "SERTİFİKA SAHİBİ TAAHHÜTNAMESİ"));
	assert_non_null(strstr(out, app));
	assert_null(strstr(out, "gizli-soz-123"));	/* the güvenlik sözcüğü is not in it */
	free(out);
	assert_int_equal(apps_of(ZEYNEP, st, sizeof(st)), 1);
	assert_string_equal(st, "awaiting_paper");

	/* Başvuru Formu Erişim Parolamı Bilmiyorum, from another browser */
	assert_int_equal(browser_open(&b2, &S), 0);
	assert_int_equal(enter_with(&b2, "/api/v1/basvuru/parola-unuttum",
				    MEHMET_FIELDS(ZEYNEP, "ZEYNEP", "ÇELİK", "ANKARA", "01.02.1990")
				    ",\"cep\":\"" ZEYNEP_MOBILE "\"", TEST_ANSWER, &r), 403);
	assert_non_null(strstr(r.body, IDENTITY_MSG));
	resp_done(&r);
	/* the number on the form is asked: another number, the same answer
	 * (whoever entered her data may have claimed with his own); no
	 * number, or one that is none: said so */
	assert_int_equal(enter_with(&b2, "/api/v1/basvuru/parola-unuttum",
				    ZEYNEP_FIELDS ",\"cep\":\"5339876544\"", TEST_ANSWER, &r), 403);
	assert_non_null(strstr(r.body, IDENTITY_MSG));
	resp_done(&r);
	assert_int_equal(enter_with(&b2, "/api/v1/basvuru/parola-unuttum", ZEYNEP_FIELDS,
				    TEST_ANSWER, &r), 400);
	resp_done(&r);
	assert_int_equal(enter_with(&b2, "/api/v1/basvuru/parola-unuttum",
				    ZEYNEP_FIELDS ",\"cep\":\"0312 123 45 67\"", TEST_ANSWER, &r), 400);
	assert_non_null(strstr(r.body, "Cep telefonunu 5 ile başlayan 10 rakam"));
	resp_done(&r);
	/* written the way people write it */
	assert_int_equal(enter_with(&b2, "/api/v1/basvuru/parola-unuttum",
				    ZEYNEP_FIELDS ",\"cep\":\"0 (533) 987 65 43\"", TEST_ANSWER, &r), 201);
	assert_non_null(strstr(r.body, "\"step\":\"recovering\""));
	assert_non_null(strstr(r.body, "\"mobile\":\"533 *** ** 43\""));
	resp_done(&r);
	new_code(ZEYNEP_MOBILE, known, &n_known, code);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	assert_int_equal(post(&b2, "/api/v1/basvuru/sms/dogrula", body, &r), 200);
	assert_non_null(json_field(r.body, "parola", parola2, sizeof(parola2)));
	assert_string_not_equal(parola, parola2);
	assert_non_null(strstr(r.body, "\"step\":\"sms_verified\""));
	resp_done(&r);
	/* the first browser lost it; the old parola is dead, the new one works */
	assert_int_equal(browser_call(&b, "GET", "/api/v1/basvuru", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"step\":null"));
	resp_done(&r);
	assert_int_equal(browser_open(&b3, &S), 0);
	snprintf(body, sizeof(body), "\"tckn\":\"%s\",\"parola\":\"%s\"", ZEYNEP, parola);
	assert_int_equal(enter(&b3, body, &r), 403);
	assert_non_null(strstr(r.body, IDENTITY_MSG));
	resp_done(&r);
	snprintf(body, sizeof(body), "\"tckn\":\"%s\",\"parola\":\"%s\"", ZEYNEP, parola2);
	assert_int_equal(enter(&b3, body, &r), 201);
	assert_non_null(strstr(r.body, "\"step\":\"sms_verified\""));
	assert_non_null(strstr(r.body, "\"state\":\"awaiting_paper\""));
	resp_done(&r);
	/* the operator marks the paper received */
	assert_int_equal(run_cmd(&out, "%s --data %s application paper-received %s",
				 bin_path("eonayctl"), data, app), 0);
	free(out);
	assert_int_equal(apps_of(ZEYNEP, st, sizeof(st)), 1);
	assert_string_equal(st, "received");
}

/* A CAdES signature of text with the key on the card labelled label
 * (as tests/e2e/test-attacks.c makes them): base64, malloc'ed. */
static char *card_sign(const char *label, const char *text)
{
	struct p11_cert_info *certs = NULL;
	struct p11_ctx *p11 = NULL;
	EVP_PKEY *key = NULL;
	unsigned char *der = NULL;
	char *b64 = NULL;
	size_t n = 0, len = 0;

	setenv("SOFTHSM2_CONF", conf, 1);
	assert_int_equal(p11_open(NULL, &p11), 0);
	assert_int_equal(p11_certs_list(p11, &certs, &n), 0);
	for (size_t i = 0; i < n; i++) {
		if (!streq(certs[i].token_label, label) || X509_check_ca(certs[i].cert) > 0)
			continue;
		assert_int_equal(p11_key_open(p11, label, "123456", certs[i].cert, &key), 0);
		assert_int_equal(cades_sign(key, certs[i].cert, NULL, text, strlen(text), &der, &len), 0);
		break;
	}
	assert_non_null(der);
	assert_int_equal(base64_encode(der, len, &b64), 0);
	free(der);
	EVP_PKEY_free(key);
	p11_cert_info_free_array(certs, n);
	p11_close(p11);
	unsetenv("SOFTHSM2_CONF");
	return b64;
}

/* What eimza would do, with another person's card: claim the code, sign
 * every text with the card labelled label, submit.  The answer in *ret. */
static void submit_with_card(const char *code, const char *label, struct resp *ret)
{
	static const char *const hdr[] = { "Content-Type: application/json", NULL };
	json_t *o, *texts, *sigs = json_array(), *sub;
	char url[256], body[128], *js;
	struct resp r;
	size_t i;

	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	snprintf(url, sizeof(url), "%s/api/v1/app/claim", S.url);
	assert_int_equal(http_do("POST", url, body, strlen(body), hdr, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	o = json_loads(r.body, 0, NULL);
	resp_done(&r);
	assert_non_null(o);
	texts = json_object_get(o, "texts");
	assert_int_equal(json_array_size(texts), 2);	/* the form, the undertaking */
	assert_non_null(strstr(json_string_value(json_array_get(texts, 0)), "BAŞVURU FORMU"));
	for (i = 0; i < json_array_size(texts); i++) {
		char *sig = card_sign(label, json_string_value(json_array_get(texts, i)));

		json_array_append_new(sigs, json_string(sig));
		free(sig);
	}
	sub = json_pack("{s:O,s:o}", "token", json_object_get(o, "token"), "signatures", sigs);
	js = json_dumps(sub, 0);
	snprintf(url, sizeof(url), "%s/api/v1/app/submit", S.url);
	assert_int_equal(http_do("POST", url, js, strlen(js), hdr, NULL, ret), 0);
	free(js);
	json_decref(sub);
	json_decref(o);
}

static void test_esign(void **state)
{
	char app[64], id[64], code[64], st[32], rc[64];
	struct browser b, a;
	struct resp r;
	char *out;

	/* AYŞE applies; AHMET's card signs: refused, the application stays */
	to_method(&b, MEHMET_FIELDS("10000000078", "AYŞE", "DEMİR", "İZMİR", "28.11.1986"),
		  "5320000078", "other", app, NULL);
	esign_start(&b, id, code);
	/* eimza itself offers no certificate of another person ... */
	assert_int_not_equal(eimza_sign(code, "DEMO-0001", &out), 0);
	free(out);
	/* ... and the server refuses a signature by one (same code, claimed again) */
	submit_with_card(code, "DEMO-0001", &r);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "\"signer_mismatch\""));
	resp_done(&r);
	wait_final(&b, id, st, rc);
	assert_string_equal(st, "rejected");
	assert_string_equal(rc, "signer_mismatch");
	assert_int_equal(apps_of("10000000078", st, sizeof(st)), 1);
	assert_string_equal(st, "sms_verified");
	/* the generic start cannot make an application-sign session */
	assert_int_equal(post(&b, "/api/v1/signing",
			      "{\"purpose\":\"application-sign\",\"tckn\":\"10000000078\"}", &r), 400);
	resp_done(&r);

	/* AHMET applies and signs with his own card: the form and the
	 * undertaking are what eimza signs */
	to_method(&a, MEHMET_FIELDS(AHMET, "AHMET", "YILMAZ", "İSTANBUL", "12.03.1975"),
		  "5320000146", "other", app, NULL);
	esign_start(&a, id, code);
	assert_int_equal(eimza_sign(code, "DEMO-0001", &out), 0);
	assert_non_null(strstr(out, "NİTELİKLİ ELEKTRONİK SERTİFİKA BAŞVURU FORMU"));
	assert_non_null(strstr(out, "SERTİFİKA SAHİBİ TAAHHÜTNAMESİ"));
	free(out);
	wait_final(&a, id, st, NULL);
	assert_string_equal(st, "signed");
	/* moved on with the signature, in its transaction */
	assert_int_equal(apps_of(AHMET, st, sizeof(st)), 1);
	assert_string_equal(st, "received");
	assert_int_equal(post(&a, "/api/v1/basvuru/yontem/tamam", "{}", &r), 200);
	assert_non_null(strstr(r.body, "\"step\":\"done\""));
	assert_non_null(strstr(r.body, "\"method\":\"esign\""));
	assert_non_null(strstr(r.body, "\"state\":\"received\""));
	resp_done(&r);
	assert_int_equal(apps_of(AHMET, st, sizeof(st)), 1);
	assert_string_equal(st, "received");
}

/* E-Onay given with eimza, then E-Onaylı Başvuru: no signature needed. */
static void test_eonay(void **state)
{
	char id[64], code[64], st[32], app[64], body[128];
	struct browser h, a;
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
	assert_int_equal(post(&h, "/api/v1/signing", "{\"purpose\":\"eonay-give\",\"accepted\":true,"
			      "\"explanation_version\":1}", &r), 201);
	json_field(r.body, "id", id, 64);
	json_field(r.body, "code", code, 64);
	resp_done(&r);
	assert_int_equal(eimza_sign(code, "DEMO-0001", &out), 0);
	free(out);
	wait_final(&h, id, st, NULL);
	assert_string_equal(st, "signed");

	to_method(&a, MEHMET_FIELDS(AHMET, "AHMET", "YILMAZ", "İSTANBUL", "12.03.1975"),
		  "5320000146", "renewal", app, NULL);
	assert_int_equal(browser_call(&a, "GET", "/api/v1/basvuru", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"eonay_active\":true"));
	resp_done(&r);
	assert_int_equal(post(&a, "/api/v1/basvuru/yontem", "{\"method\":\"eonay\"}", &r), 200);
	assert_non_null(strstr(r.body, "\"state\":\"received\""));
	assert_non_null(strstr(r.body, "\"step\":\"done\""));
	resp_done(&r);
	/* done: no second method */
	assert_int_equal(post(&a, "/api/v1/basvuru/yontem", "{\"method\":\"paper\"}", &r), 409);
	resp_done(&r);
	assert_int_equal(apps_of(AHMET, NULL, 0), 2);
	assert_int_equal(run_cmd(&out, "%s --data %s audit verify", bin_path("eonayctl"), data), 0);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_captcha),
		cmocka_unit_test(test_registry_mismatch),
		cmocka_unit_test(test_entry_limit),
		cmocka_unit_test(test_https_refused),
		cmocka_unit_test(test_form_invalid),
		cmocka_unit_test(test_double_submit_and_sms),
		cmocka_unit_test(test_paper_recover_parola),
		cmocka_unit_test(test_esign),
		cmocka_unit_test(test_eonay),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
