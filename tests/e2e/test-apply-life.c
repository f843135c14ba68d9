/* test-apply-life.c - the full life of an application, end to end on the
 * demo world (issue 16), with each signing method.  The applicant enters
 * at /basvuru/meb, confirms the form with the SMS Onay Kodu from the spool
 * and signs: Elektronik İmzalı (AHMET YILMAZ, an additional card, Diğer:
 * the form and the Sertifika Sahibi Taahhütnamesi signed with his card
 * through the real eimza), Islak İmzalı (MEHMET KAYA, no certificate yet:
 * the PDF read back with pdftotext, the paper marked received) or
 * E-Onaylı (AHMET after an E-Onay given with eimza; Kayıp Çalıntı: his
 * current certificates revoked at the approval).  Then each time: the
 * operator approves, produces (a new SoftHSM card in the demo's token
 * store, certificate on hold), ships and delivers with eonayctl; the new
 * card cannot sign while on hold; the applicant logs in with the güvenlik
 * sözcüğü chosen on the form (Şifreli Giriş), sees the application
 * delivered, opens the certificate (Askıdan İndirme), gives the card a PIN
 * with `eimza pin` and logs in by e-signature with the new card. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define AHMET "10000000146"
#define MOBILE "5320000146"
#define WORD "yeni-kart-sozu-7"
#define NEW_PIN "482915"

static struct srv S;
static const char *data, *conf;

static int group_setup(void **state)
{
	/* every client is 127.0.0.1: the per-address limits are tested elsewhere */
	static const char *const extra[] = { "--set", "notify.interval=1", "--set",
					     "apply.captcha_test_answer=TEST42",
					     "--set", "codes.claims_per_client=1000",
					     "--set", "codes.starts_per_client=1000",
					     "--set", "codes.starts_per_holder=1000",
					     "--set", "session.creates_per_client=1000", NULL };

	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	conf = demo_world(data);
	if (!conf)
		return -1;
	return srv_start(&S, data, extra);
}

static int group_teardown(void **state)
{
	srv_stop(&S, false);
	tmpdir_remove(data);
	return 0;
}

static long call(struct browser *b, const char *method, const char *path, const char *json,
		 struct resp *ret)
{
	struct resp r;
	long st;

	assert_int_equal(browser_call(b, method, path, json, &r), 0);
	st = r.status;
	if (ret)
		*ret = r;
	else
		resp_done(&r);
	return st;
}

/* An SMS Onay Kodu spooled to mobile not seen before (waits for the
 * dispatcher). */
static void sms_code(const char *mobile, char ret[7])
{
	static char seen[32][7];
	static size_t n_seen;
	char to[40];

	snprintf(to, sizeof(to), "\nTo: %s\n", mobile);
	for (int i = 0; i < 200; i++) {
		char dir[300];
		struct dirent *e;
		DIR *d;

		snprintf(dir, sizeof(dir), "%s/spool", data);
		d = opendir(dir);
		while (d && (e = readdir(d))) {
			char path[600], buf[4096] = "";
			const char *c;
			FILE *f;

			snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
			f = strstr(e->d_name, ".msg") ? fopen(path, "r") : NULL;
			if (!f)
				continue;
			buf[fread(buf, 1, sizeof(buf) - 1, f)] = '\0';
			fclose(f);
			if (strstr(buf, to) && (c = strstr(buf, "Onay Kodunuz: "))) {
				bool old = false;

				snprintf(ret, 7, "%.6s", c + strlen("Onay Kodunuz: "));
				for (size_t k = 0; k < n_seen; k++)
					old = old || strcmp(seen[k], ret) == 0;
				if (old || n_seen == 32)
					continue;
				strcpy(seen[n_seen++], ret);
				closedir(d);
				return;
			}
		}
		if (d)
			closedir(d);
		usleep(100 * 1000);
	}
	fail_msg("no SMS code to %s", mobile);
}

static int eimza(char **out, const char *cmd, const char *code, const char *token, const char *pin)
{
	return run_cmd(out, "printf '%s\\n' | SOFTHSM2_CONF=%s %s %s --server %s --code '%s'"
			    " --token %s %s --yes", pin, conf, bin_path("eimza"), cmd, S.url, code,
		       token, strcmp(cmd, "pin") == 0 ? "--new-pin-stdin" : "--pin-stdin");
}

static void wait_signed(struct browser *b, const char *id)
{
	char path[200], st[32];
	struct resp r;

	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s&state=code_used", id);
	assert_int_equal(call(b, "GET", path, NULL, &r), 200);
	json_field(r.body, "state", st, sizeof(st));
	resp_done(&r);
	assert_string_equal(st, "signed");
}

static void ctl(const char *fmt, const char *id, const char *extra)
{
	char *out;

	if (run_cmd(&out, "%s --data %s application %s %s %s --operator test-operator",
		    bin_path("eonayctl"), data, fmt, id, extra ? extra : "") != 0)
		fail_msg("eonayctl application %s: %s", fmt, out);
	free(out);
}

struct who {
	const char *tckn, *ad, *soyad, *yer, *tarih, *mobile, *word;
};

static const struct who ahmet = { AHMET, "Ahmet", "Yılmaz", "istanbul", "12.03.1975", MOBILE, WORD };
static const struct who mehmet = { "10000000214", "MEHMET", "KAYA", "ANKARA", "17.05.1980",
				   "5321234567", "mehmet-sozu-42" };

/* The portal up to the signing method: entry, Form Onayla, SMS code. */
static void portal(struct browser *b, const struct who *w, const char *reason, char app[64])
{
	char id[64], sms[7], body[512], form[1400];
	struct resp r;

	assert_int_equal(browser_open(b, &S), 0);
	assert_int_equal(call(b, "POST", "/api/v1/basvuru/captcha", "{}", &r), 201);
	json_field(r.body, "id", id, sizeof(id));
	resp_done(&r);
	snprintf(body, sizeof(body), "{\"kurum\":\"meb\",\"captcha_id\":\"%s\",\"captcha\":\"TEST42\","
		 "\"tckn\":\"%s\",\"ad\":\"%s\",\"soyad\":\"%s\",\"dogum_yeri\":\"%s\","
		 "\"dogum_tarihi\":\"%s\"}", id, w->tckn, w->ad, w->soyad, w->yer, w->tarih);
	assert_int_equal(call(b, "POST", "/api/v1/basvuru/giris", body, NULL), 201);
	snprintf(form, sizeof(form),
		 "{\"form\":{\"reason\":\"%s\",\"reader\":\"none\",\"validity\":\"3\","
		 "\"word\":\"%s\",\"word2\":\"%s\",\"sicil\":\"7777\","
		 "\"unit\":\"Strateji Geliştirme\",\"title\":\"Uzman\","
		 "\"address\":\"Atatürk Bulvarı No: 98, Bakanlıklar\",\"il\":\"ANKARA\","
		 "\"ilce\":\"ÇANKAYA\",\"postal_code\":\"06648\",\"email\":"
		 "\"basvuran@example.org\",\"work_phone\":\"3124131000\",\"work_ext\":\"\","
		 "\"mobile\":\"%s\",\"operator\":\"turktelekom\",\"home_phone\":\"\","
		 "\"info_channel\":\"both\"}}", reason, w->word, w->word, w->mobile);
	assert_int_equal(call(b, "POST", "/api/v1/basvuru/form", form, &r), 201);
	assert_non_null(json_field(strstr(r.body, "\"application\""), "id", app, 64));
	resp_done(&r);
	assert_int_equal(call(b, "POST", "/api/v1/basvuru/sms", "{}", NULL), 200);
	sms_code(w->mobile, sms);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", sms);
	assert_int_equal(call(b, "POST", "/api/v1/basvuru/sms/dogrula", body, NULL), 200);
}

/* From received to a card in use: the operator approves, produces,
 * ships, delivers; the new card cannot sign while on hold; Şifreli Giriş
 * with the form's word; the application delivered; Askıdan İndirme; eimza
 * pin; e-signature login with the new card.  label: the new card. */
static void life(const char *app, const struct who *w, char label[64])
{
	char id[64], code[64], serial[80], path[200];
	struct browser h, c;
	struct resp r;
	char *out;

	ctl("approve", app, NULL);
	ctl("produce", app, NULL);
	ctl("ship", app, "--courier 'Yurtiçi Kargo' --tracking 2026120100042");
	ctl("deliver", app, NULL);
	assert_int_equal(run_cmd(&out, "%s --data %s application show %s --json", bin_path("eonayctl"),
				 data, app), 0);
	assert_non_null(strstr(out, "\"delivered\""));
	assert_non_null(json_field(out, "card", label, 64));
	assert_non_null(json_field(out, "certificate", serial, sizeof(serial)));
	free(out);
	assert_int_equal(strncmp(label, "EONAY-", 6), 0);
	/* the applicant was told on his Bilgi Kanalı (the dispatcher runs
	 * every second) */
	for (int i = 0;; i++) {
		int rc = run_cmd(&out, "grep -l 'To: %s' %s/spool/*.msg | xargs -r grep -l"
				       " 'Yurtiçi Kargo'", w->mobile, data);

		free(out);
		if (rc == 0)
			break;
		if (i == 100)
			fail_msg("no shipping notice to %s in the spool", w->mobile);
		usleep(100 * 1000);
	}

	/* the new card is on hold: it cannot sign a login yet */
	assert_int_equal(browser_open(&c, &S), 0);
	snprintf(path, sizeof(path), "{\"purpose\":\"login\",\"tckn\":\"%s\"}", w->tckn);
	assert_int_equal(call(&c, "POST", "/api/v1/signing", path, &r), 201);
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);
	assert_int_not_equal(eimza(&out, "sign", code, label, "123456"), 0);
	free(out);

	/* Şifreli Giriş with the word of the form; the application delivered */
	assert_int_equal(browser_open(&h, &S), 0);
	snprintf(path, sizeof(path), "{\"tckn\":\"%s\",\"word\":\"%s\"}", w->tckn, w->word);
	assert_int_equal(call(&h, "POST", "/api/v1/login/password", path, NULL), 200);
	assert_int_equal(browser_refresh(&h), 0);
	assert_int_equal(call(&h, "GET", "/api/v1/applications", NULL, &r), 200);
	assert_non_null(strstr(r.body, app));
	assert_non_null(strstr(r.body, "\"delivered\""));
	resp_done(&r);
	/* Askıdan İndirme */
	snprintf(path, sizeof(path), "/api/v1/certificates/%s/release", serial);
	if (call(&h, "POST", path, "{}", &r) != 200)
		fail_msg("release %s: %s", serial, r.body);
	resp_done(&r);
	/* PIN Oluşturma with eimza pin on the new card */
	assert_int_equal(call(&h, "POST", "/api/v1/signing", "{\"purpose\":\"pin-reset\"}", &r), 201);
	json_field(r.body, "id", id, sizeof(id));
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);
	if (eimza(&out, "pin", code, label, NEW_PIN) != 0)
		fail_msg("eimza pin: %s", out);
	free(out);
	wait_signed(&h, id);

	/* e-signature login with the new card and its new PIN */
	assert_int_equal(browser_open(&c, &S), 0);
	snprintf(path, sizeof(path), "{\"purpose\":\"login\",\"tckn\":\"%s\"}", w->tckn);
	assert_int_equal(call(&c, "POST", "/api/v1/signing", path, &r), 201);
	json_field(r.body, "id", id, sizeof(id));
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);
	if (eimza(&out, "sign", code, label, NEW_PIN) != 0)
		fail_msg("login with the new card: %s", out);
	free(out);
	wait_signed(&c, id);
	assert_int_equal(browser_refresh(&c), 0);
	assert_int_equal(call(&c, "GET", "/api/v1/session", NULL, &r), 200);
	assert_non_null(strstr(r.body, "\"authenticated\":true"));
	assert_non_null(strstr(r.body, "\"login_method\":\"e-imza\""));
	resp_done(&r);
	/* the history has every step, each with who did it */
	assert_int_equal(run_cmd(&out, "%s --data %s application show %s", bin_path("eonayctl"), data,
				 app), 0);
	assert_non_null(strstr(out, "test-operator"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s audit verify", bin_path("eonayctl"), data), 0);
	free(out);
}

/* Elektronik İmzalı Başvuru: AHMET signs with his card for a second one. */
static void test_esign_life(void **state)
{
	char app[64], id[64], code[64], label[64];
	struct browser b;
	struct resp r;
	char *out;

	portal(&b, &ahmet, "other", app);
	assert_int_equal(call(&b, "POST", "/api/v1/basvuru/yontem", "{\"method\":\"esign\"}", &r), 201);
	json_field(r.body, "id", id, sizeof(id));
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);
	if (eimza(&out, "sign", code, "DEMO-0001", "123456") != 0)
		fail_msg("eimza sign: %s", out);
	assert_non_null(strstr(out, "SERTİFİKA SAHİBİ TAAHHÜTNAMESİ"));
	free(out);
	wait_signed(&b, id);
	assert_int_equal(call(&b, "POST", "/api/v1/basvuru/yontem/tamam", "{}", &r), 200);
	assert_non_null(strstr(r.body, "\"state\":\"received\""));
	resp_done(&r);
	life(app, &ahmet, label);
}

/* Islak İmzalı: MEHMET, who has no certificate, prints the PDF; the
 * operator marks the paper received. */
static void test_paper_life(void **state)
{
	char app[64], label[64], pdf[300];
	struct browser b;
	struct resp r;
	char *out;
	FILE *f;

	portal(&b, &mehmet, "new", app);
	assert_int_equal(call(&b, "POST", "/api/v1/basvuru/yontem", "{\"method\":\"paper\"}", &r), 200);
	assert_non_null(strstr(r.body, "\"state\":\"awaiting_paper\""));
	resp_done(&r);
	assert_int_equal(call(&b, "GET", "/api/v1/basvuru/pdf", NULL, &r), 200);
	snprintf(pdf, sizeof(pdf), "%s/mehmet.pdf", data);
	f = fopen(pdf, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(r.body, 1, r.len, f), r.len);
	fclose(f);
	resp_done(&r);
	assert_int_equal(run_cmd(&out, "pdftotext %s -", pdf), 0);
	assert_non_null(strstr(out, "MEHMET"));
	assert_non_null(strstr(out, "SERTİFİKA SAHİBİ TAAHHÜTNAMESİ"));
	free(out);
	ctl("paper-received", app, NULL);
	life(app, &mehmet, label);
}

/* E-Onaylı after an E-Onay given with eimza; Kayıp Çalıntı: the approval
 * revokes AHMET's current certificates (keyCompromise), the new card works. */
static void test_eonay_lost_life(void **state)
{
	char app[64], id[64], code[64], label[64];
	struct browser h, b;
	struct resp r;
	char *out;

	assert_int_equal(browser_open(&h, &S), 0);
	assert_int_equal(call(&h, "POST", "/api/v1/signing",
			      "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", &r), 201);
	json_field(r.body, "id", id, sizeof(id));
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);
	assert_int_equal(eimza(&out, "sign", code, "DEMO-0001", "123456"), 0);
	free(out);
	wait_signed(&h, id);
	assert_int_equal(browser_refresh(&h), 0);
	assert_int_equal(call(&h, "POST", "/api/v1/signing", "{\"purpose\":\"eonay-give\","
			      "\"accepted\":true,\"explanation_version\":1}", &r), 201);
	json_field(r.body, "id", id, sizeof(id));
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);
	assert_int_equal(eimza(&out, "sign", code, "DEMO-0001", "123456"), 0);
	free(out);
	wait_signed(&h, id);

	portal(&b, &ahmet, "lost", app);
	assert_int_equal(call(&b, "POST", "/api/v1/basvuru/yontem", "{\"method\":\"eonay\"}", &r), 200);
	assert_non_null(strstr(r.body, "\"state\":\"received\""));
	resp_done(&r);
	life(app, &ahmet, label);
	/* the old card's certificate was revoked at the approval */
	assert_int_equal(run_cmd(&out, "%s --data %s cert list " AHMET, bin_path("eonayctl"), data), 0);
	assert_non_null(strstr(out, "keyCompromise"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_esign_life),
		cmocka_unit_test(test_paper_life),
		cmocka_unit_test(test_eonay_lost_life),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
