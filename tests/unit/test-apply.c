/* test-apply.c - the portal's pure parts and its captcha: the form's
 * field table (each rule, the il/ilçe lists, what the page is given),
 * the summary the applicant signs, the captcha image and its single-use
 * check on the store (test answer included), the PDF's first bytes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "domain-fixture.h"
#include "common/json.h"
#include "domain/appdoc.h"
#include "domain/appform.h"
#include "domain/captcha.h"

static const struct appform_fixed FX = {
	.tckn = "10000000214", .given_name = "MEHMET", .surname = "KAYA",
	.birth_place = "ANKARA", .birth_date = "17.05.1980",
	.institution_name = "T.C. Millî Eğitim Bakanlığı",
};

static json_t *valid_form(void)
{
	return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s,"
			 "s:s,s:s}",
			 "reason", "renewal", "reader", "none", "validity", "2", "word",
			 "uzun bir söz 1", "word2", "uzun bir söz 1", "sicil", " 4242 ", "unit",
			 "Bilgi İşlem", "title", "Öğretmen", "address", "Atatürk Bulvarı No: 98",
			 "il", "ANKARA", "ilce", "ÇANKAYA", "postal_code", "06648", "email",
			 "Mehmet@Example.ORG", "work_phone", "+90 (312) 413-10-00", "work_ext", "",
			 "mobile", "0532 123 45 67", "operator", "vodafone", "home_phone", "",
			 "info_channel", "sms");
}

static json_t *errors_of(json_t *in)
{
	json_t *clean = NULL, *errors = NULL;

	assert_int_equal(appform_validate(in, &FX, &clean, &errors), 0);
	json_decref(clean);
	return errors;
}

static void test_valid_and_normalised(void **state)
{
	_cleanup_json_ json_t *in = valid_form(), *clean = NULL, *errors = NULL;

	/* A fixed field typed by the browser is ignored: the registry's stays. */
	json_object_set_new(in, "given_name", json_string("AHMET"));
	assert_int_equal(appform_validate(in, &FX, &clean, &errors), 0);
	assert_int_equal(json_object_size(errors), 0);
	assert_string_equal(json_string_value(json_object_get(clean, "given_name")), "MEHMET");
	assert_string_equal(json_string_value(json_object_get(clean, "mobile")), "5321234567");
	assert_string_equal(json_string_value(json_object_get(clean, "work_phone")), "3124131000");
	assert_string_equal(json_string_value(json_object_get(clean, "email")), "Mehmet@example.org");
	assert_string_equal(json_string_value(json_object_get(clean, "sicil")), "4242");
	assert_string_equal(json_string_value(json_object_get(clean, "word")), "uzun bir söz 1");
	assert_null(json_object_get(clean, "word2"));	/* the word is kept once */
	assert_null(json_object_get(clean, "work_ext"));
	assert_string_equal(appform_value_label("reason", "lost"), "Kayıp Çalıntı");
	assert_string_equal(appform_label("postal_code"), "Posta Kodu");
}

/* Each rule, and its message next to its field only. */
static void test_rules(void **state)
{
	static const struct {
		const char *name, *value;
	} bad[] = {
		{ "reason", "yeni" }, { "reader", "" }, { "validity", "4" }, { "word", "kısa" },
		{ "word2", "uzun bir söz 2" }, { "sicil", "" }, { "unit", "x" }, { "title", "" },
		{ "address", "kısa" }, { "il", "ANKARAA" }, { "ilce", "KONAK" },
		{ "postal_code", "0664" }, { "postal_code", "35000" }, { "postal_code", "06x48" },
		{ "email", "a@b" }, { "email", "a@@b.com" }, { "email", "ab.com" },
		{ "work_phone", "312" }, { "work_phone", "0312 abc" }, { "work_ext", "1234567" },
		{ "mobile", "3124131000" }, { "mobile", "532123456" }, { "operator", "avea" },
		{ "home_phone", "12" }, { "info_channel", "fax" }, { "unit", "a\001b" },
		/* C1 CSI (a terminal's escape), a right-to-left override, a
		 * line separator, a lone CR, a sixth line */
		{ "unit", "Bilgi \xc2\x9b" "31m İşlem" }, { "title", "Öğretmen \xe2\x80\xae" "cba" },
		{ "unit", "Bilgi\xe2\x80\xa8İşlem" }, { "address", "Atatürk Bulvarı\rNo 98" },
		{ "address", "Atatürk\nBulvarı\nNo\n98\nÇankaya\nANKARA" },
	};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_json_ json_t *in = valid_form(), *errors = NULL;

		json_object_set_new(in, bad[i].name, json_string(bad[i].value));
		errors = errors_of(in);
		/* (a changed word no longer equals its repetition, an unknown il has
		 * no such ilçe: two errors) */
		if (json_object_size(errors) != (streq(bad[i].name, "word") || streq(bad[i].name, "il") ? 2u : 1u) ||
		    !json_object_get(errors, bad[i].name))
			fail_msg("%s=%s: %s", bad[i].name, bad[i].value, json_dumps(errors, 0));
	}
	/* An address of 5 lines, CR LF as a browser sends it: kept with LF. */
	{
		_cleanup_json_ json_t *in = valid_form(), *clean = NULL, *errors = NULL;

		json_object_set_new(in, "address", json_string("Atatürk Bulvarı\r\nNo 98\r\nBakanlıklar"
							       "\r\nÇankaya\r\nANKARA"));
		assert_int_equal(appform_validate(in, &FX, &clean, &errors), 0);
		assert_int_equal(json_object_size(errors), 0);
		assert_string_equal(json_string_value(json_object_get(clean, "address")),
				    "Atatürk Bulvarı\nNo 98\nBakanlıklar\nÇankaya\nANKARA");
	}
	/* A member that is not a string is an error of that field. */
	{
		_cleanup_json_ json_t *in = valid_form(), *errors = NULL;

		json_object_set_new(in, "postal_code", json_integer(6648));
		errors = errors_of(in);
		assert_non_null(json_object_get(errors, "postal_code"));
	}
	/* The ilçe must be one of its il's: MERKEZ is an ilçe of DÜZCE, not of
	 * metropolitan KOCAELİ; "19 MAYIS" keeps its digits. */
	{
		static const struct {
			const char *il, *ilce, *postal_code;
			bool ok;
		} cases[] = {
			{ "DÜZCE", "MERKEZ", "81000", true },
			{ "KOCAELİ", "İZMİT", "41000", true },
			{ "KOCAELİ", "MERKEZ", "41000", false },
			{ "SAMSUN", "19 MAYIS", "55000", true },
			{ "HAKKARİ", "DERECİK", "30000", true },
			{ "İSTANBUL", "EYÜP", "34000", false },
			{ "ANKARA", "KONAK", "06000", false },
		};

		for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
			_cleanup_json_ json_t *in = valid_form(), *errors = NULL;

			json_object_set_new(in, "il", json_string(cases[i].il));
			json_object_set_new(in, "ilce", json_string(cases[i].ilce));
			json_object_set_new(in, "postal_code", json_string(cases[i].postal_code));
			errors = errors_of(in);
			if (cases[i].ok) {
				assert_int_equal(json_object_size(errors), 0);
			} else {
				assert_int_equal(json_object_size(errors), 1);
				assert_non_null(json_object_get(errors, "ilce"));
			}
		}
	}
}

/* All 973 ilçe of the 81 il, none twice in an il; the 30 metropolitan il
 * have no MERKEZ, each of the other 51 has one. */
static void test_places(void **state)
{
	static const char *const metropolitan[] = {
		"ADANA", "ANKARA", "ANTALYA", "AYDIN", "BALIKESİR", "BURSA", "DENİZLİ",
		"DİYARBAKIR", "ERZURUM", "ESKİŞEHİR", "GAZİANTEP", "HATAY", "İSTANBUL", "İZMİR",
		"KAHRAMANMARAŞ", "KAYSERİ", "KOCAELİ", "KONYA", "MALATYA", "MANİSA", "MARDİN",
		"MERSİN", "MUĞLA", "ORDU", "SAKARYA", "SAMSUN", "ŞANLIURFA", "TEKİRDAĞ", "TRABZON",
		"VAN",
	};
	size_t total = 0, with_merkez = 0;

	(void)state;
	for (size_t i = 0; i < appform_iller_count; i++) {
		const struct appform_il *il = &appform_iller[i];
		bool merkez = false, metro = false;

		assert_non_null(il->ilce);
		assert_non_null(il->ilce[0]);
		for (size_t k = 0; il->ilce[k]; k++, total++) {
			merkez |= streq(il->ilce[k], "MERKEZ");
			for (size_t m = 0; m < k; m++)
				assert_string_not_equal(il->ilce[m], il->ilce[k]);
		}
		for (size_t m = 0; m < ELEMENTSOF(metropolitan); m++)
			metro |= streq(metropolitan[m], il->name);
		assert_true(metro != merkez);
		with_merkez += merkez;
	}
	assert_int_equal(total, 973);
	assert_int_equal(with_merkez, 51);
	for (size_t m = 0; m < ELEMENTSOF(metropolitan); m++)
		assert_non_null(appform_il_find(metropolitan[m]));
}

static void test_describe(void **state)
{
	_cleanup_json_ json_t *d = NULL;
	json_t *f, *places;
	size_t i, n_fixed = 0;
	bool il = false;

	assert_int_equal(appform_describe(&FX, &d), 0);
	json_array_foreach(json_object_get(d, "fields"), i, f) {
		assert_non_null(json_object_get(f, "label"));
		if (json_is_true(json_object_get(f, "readonly")))
			n_fixed++;
		if (streq(json_string_value(json_object_get(f, "name")), "il")) {
			il = true;
			assert_int_equal(json_array_size(json_object_get(f, "options")), 81);
		}
		if (json_is_true(json_object_get(f, "required")) &&
		    !json_is_true(json_object_get(f, "readonly")))
			assert_non_null(json_object_get(f, "message"));
	}
	assert_true(il);
	assert_int_equal(n_fixed, 6);	/* identity (5) and Kurum Adı */
	places = json_object_get(d, "places");
	assert_int_equal(json_object_size(places), 81);
	assert_int_equal(json_array_size(json_object_get(places, "ANKARA")), 25);
	assert_int_equal(json_array_size(json_object_get(places, "SİNOP")), 9);
	assert_string_equal(json_string_value(json_array_get(json_object_get(places, "SAMSUN"), 0)),
			    "19 MAYIS");
}

static void test_summary_and_pdf(void **state)
{
	_cleanup_json_ json_t *in = valid_form(), *clean = NULL, *errors = NULL;
	_cleanup_free_ char *sum = NULL;
	_cleanup_free_ unsigned char *pdf = NULL;
	size_t len = 0;

	assert_int_equal(appform_validate(in, &FX, &clean, &errors), 0);
	json_object_del(clean, "word");
	assert_int_equal(appdoc_summary(clean, "abc123", &sum), 0);
	assert_non_null(strstr(sum, "Başvuru No: abc123"));
	assert_non_null(strstr(sum, "Başvuru Nedeni: Yenileme"));
	assert_non_null(strstr(sum, "Kart Okuyucu Tipi: İstenmedi"));
	assert_non_null(strstr(sum, "Cep Telefonu: 5321234567"));
	assert_non_null(strstr(sum, "Mobil Operatör Tipi: VODAFONE"));
	assert_null(strstr(sum, "uzun bir söz"));	/* never the güvenlik sözcüğü */
	/* an address's lines indented: no line of it passes for a field */
	json_object_set_new(clean, "address", json_string("Atatürk Bulvarı\nSertifika Süresi: 3 Yıl"));
	free(sum);
	assert_int_equal(appdoc_summary(clean, "abc123", &sum), 0);
	assert_non_null(strstr(sum, "Kurum / Birim Adresi: Atatürk Bulvarı\n    Sertifika Süresi: 3 Yıl\n"));
	assert_null(strstr(sum, "\nSertifika Süresi: 3 Yıl"));
	assert_int_equal(appdoc_pdf(clean, "abc123", "Test SM", "TAAHHÜTNAME", &pdf, &len), 0);
	assert_true(len > 1000);
	assert_memory_equal(pdf, "%PDF-", 5);
}

static void test_captcha_image(void **state)
{
	char text[CAPTCHA_LENGTH + 1], other[CAPTCHA_LENGTH + 1];
	_cleanup_free_ unsigned char *png = NULL, *png2 = NULL;
	size_t len = 0, len2 = 0;

	assert_int_equal(captcha_render(text, &png, &len), 0);
	assert_int_equal(strlen(text), CAPTCHA_LENGTH);
	assert_memory_equal(png, "\x89PNG\r\n\x1a\n", 8);
	assert_int_equal(captcha_render(other, &png2, &len2), 0);
	assert_true(strcmp(text, other) != 0 || len != len2 || memcmp(png, png2, len) != 0);
}

static void test_captcha_store(void **state)
{
	struct dfx *f = *state;
	const char *web = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
	_cleanup_free_ unsigned char *png = NULL;
	enum refusal why = REFUSAL_NONE;
	char id[33], id2[33];
	size_t len;

	assert_int_equal(captcha_new(f->db, f->code_key, web, id, &png, &len, &why), 0);
	/* only a hash is stored: 64 hex digits, not the answer */
	assert_int_equal(dfx_int(f, "SELECT LENGTH(answer_hash) FROM captchas WHERE id = $1", id), 64);
	/* wrong, then the test answer on the same captcha: used once */
	assert_int_equal(captcha_check(f->db, f->code_key, web, id, "ZZZZZZ", "TEST42", &why), -EACCES);
	assert_int_equal(why, REFUSAL_CAPTCHA_WRONG);
	assert_int_equal(captcha_check(f->db, f->code_key, web, id, "TEST42", "TEST42", &why), -EACCES);
	assert_int_equal(why, REFUSAL_CAPTCHA_EXPIRED);
	/* the test answer, any case and spaces; not without the setting */
	free(png);
	png = NULL;
	assert_int_equal(captcha_new(f->db, f->code_key, web, id2, &png, &len, &why), 0);
	assert_int_equal(captcha_check(f->db, f->code_key, web, id2, " test42 ", "TEST42", &why), 0);
	free(png);
	png = NULL;
	assert_int_equal(captcha_new(f->db, f->code_key, web, id2, &png, &len, &why), 0);
	assert_int_equal(captcha_check(f->db, f->code_key, web, id2, "TEST42", NULL, &why), -EACCES);
	assert_int_equal(why, REFUSAL_CAPTCHA_WRONG);
	/* another browser's, and an old one */
	free(png);
	png = NULL;
	assert_int_equal(captcha_new(f->db, f->code_key, web, id2, &png, &len, &why), 0);
	assert_int_equal(captcha_check(f->db, f->code_key, "b", id2, "TEST42", "TEST42", &why), -EACCES);
	assert_int_equal(why, REFUSAL_CAPTCHA_EXPIRED);
	free(png);
	png = NULL;
	assert_int_equal(captcha_new(f->db, f->code_key, web, id2, &png, &len, &why), 0);
	assert_int_equal(db_run(f->db, "UPDATE captchas SET expires_at = 1 WHERE id = $1", "t", id2), 1);
	assert_int_equal(captcha_check(f->db, f->code_key, web, id2, "TEST42", "TEST42", &why), -EACCES);
	assert_int_equal(why, REFUSAL_CAPTCHA_EXPIRED);
	/* a browser asking without end: refused before drawing, until one
	 * is used (or expires) */
	assert_true(db_run(f->db, "DELETE FROM captchas WHERE web_hash = $1", "t", web) >= 0);
	for (int i = 0; i < CAPTCHA_PER_SESSION; i++) {
		free(png);
		png = NULL;
		assert_int_equal(captcha_new(f->db, f->code_key, web, id2, &png, &len, &why), 0);
	}
	free(png);
	png = NULL;
	assert_int_equal(captcha_new(f->db, f->code_key, web, id, &png, &len, &why), -EACCES);
	assert_int_equal(why, REFUSAL_RATE_LIMITED);
	assert_null(png);
	assert_int_equal(captcha_check(f->db, f->code_key, web, id2, "TEST42", "TEST42", &why), 0);
	assert_int_equal(captcha_new(f->db, f->code_key, web, id, &png, &len, &why), 0);
	/* another browser is not held back */
	free(png);
	png = NULL;
	assert_int_equal(captcha_new(f->db, f->code_key, "c", id, &png, &len, &why), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_valid_and_normalised),
		cmocka_unit_test(test_rules),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_places),
		cmocka_unit_test(test_summary_and_pdf),
		cmocka_unit_test(test_captcha_image),
		cmocka_unit_test_setup_teardown(test_captcha_store, dfx_setup, dfx_teardown),
	};

	int r = cmocka_run_group_tests(tests, NULL, NULL);

	appdoc_fonts_release();
	return r;
}
