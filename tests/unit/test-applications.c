/* test-applications.c - the population registry (import, Turkish-case
 * match), institutions and staff lists, application_create (double
 * submission, hashes, access parola) and the transition table: every
 * allowed move, every move the table does not have, every actor the table
 * does not name.  The flows that need certificates or two connections are
 * in test-applications-flow.c. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "domain-fixture.h"
#include "domain/applications.h"
#include "domain/institutions.h"
#include "domain/password.h"
#include "domain/registry.h"

#define MEHMET "10000000214"
#define AYSE "10000000078"
#define OTHER "10000000382"
#define DEAD "10000000450"

static FILE *text(const char *s)
{
	FILE *f = fmemopen((void *)s, strlen(s), "r");

	assert_non_null(f);
	return f;
}

static void load(struct dfx *f)
{
	/* BOM, columns in another order, a quoted field, CR LF, an empty line */
	static const char csv[] =
		"\xef\xbb\xbf" "soyad,ad,tckn,dogum_tarihi,dogum_yeri,alive\r\n"
		"KAYA,MEHMET," MEHMET ",17.05.1980,ANKARA,1\r\n"
		"\"DEMİR\",AYŞE," AYSE ",28.11.1986, İZMİR ,\r\n"
		"\r\n"
		"IŞIK,\"IRMAK \"\"SU\"\"\"," OTHER ",01.01.1990,ISPARTA,evet\n"
		"ÖLÜ,KİŞİ," DEAD ",02.02.1950,SİNOP,0\n";
	size_t n = 0;
	char *errors = NULL;
	FILE *in = text(csv);

	assert_int_equal(registry_import(f->db, in, &n, &errors), 0);
	fclose(in);
	assert_null(errors);
	assert_int_equal(n, 4);
}

static void test_registry_import(void **state)
{
	struct dfx *f = *state;
	struct registry_person p;
	char *errors = NULL;
	int64_t count = 0;
	size_t n = 9;
	FILE *in;

	load(f);
	assert_int_equal(registry_get(f->db, AYSE, &p), 0);
	assert_string_equal(p.soyad, "DEMİR");
	assert_string_equal(p.dogum_yeri, "İZMİR");	/* trimmed */
	assert_string_equal(p.dogum_tarihi, "1986-11-28");
	assert_true(p.alive);
	registry_person_done(&p);
	assert_int_equal(registry_get(f->db, OTHER, &p), 0);
	assert_string_equal(p.ad, "IRMAK \"SU\"");
	registry_person_done(&p);
	assert_int_equal(registry_get(f->db, DEAD, &p), 0);
	assert_false(p.alive);
	registry_person_done(&p);

	/* again, changed: an upsert, not a second row */
	in = text("tckn,ad,soyad,dogum_yeri,dogum_tarihi\n" MEHMET ",MEHMET,KAYA,ANKARA,17.05.1980\n"
		  AYSE ",AYŞE,DEMİR-YILMAZ,İZMİR,28.11.1986\n");
	assert_int_equal(registry_import(f->db, in, &n, NULL), 0);
	fclose(in);
	assert_int_equal(n, 2);
	assert_int_equal(registry_count(f->db, &count), 0);
	assert_int_equal(count, 4);
	assert_int_equal(registry_get(f->db, AYSE, &p), 0);
	assert_string_equal(p.soyad, "DEMİR-YILMAZ");
	registry_person_done(&p);

	/* bad lines: every one reported with its number, nothing imported */
	in = text("tckn,ad,soyad,dogum_yeri,dogum_tarihi\n"
		  "10000000528,YENİ,KİŞİ,RİZE,01.01.2000\n"
		  "10000000529,BOZUK,NUMARA,RİZE,01.01.2000\n"
		  "10000000696,YENİ,KİŞİ,RİZE,31.02.2000\n"
		  "10000000764,EKSİK,ALAN\n"
		  "10000000832,,BOŞ,RİZE,01.01.2000\n");
	assert_int_equal(registry_import(f->db, in, &n, &errors), -EINVAL);
	fclose(in);
	assert_non_null(errors);
	assert_null(strstr(errors, "line 2:"));
	assert_non_null(strstr(errors, "line 3:"));
	assert_non_null(strstr(errors, "line 4:"));
	assert_non_null(strstr(errors, "line 5:"));
	free(errors);
	errors = NULL;
	assert_int_equal(registry_get(f->db, "10000000528", &p), -ENOENT);	/* line 2 neither */
	assert_int_equal(registry_count(f->db, &count), 0);
	assert_int_equal(count, 4);

	/* a header without a required column */
	in = text("tckn,ad,soyad,dogum_tarihi\n" MEHMET ",MEHMET,KAYA,17.05.1980\n");
	assert_int_equal(registry_import(f->db, in, &n, &errors), -EINVAL);
	fclose(in);
	assert_non_null(strstr(errors, "line 1: the header has no column 'dogum_yeri'"));
	free(errors);
}

/* A hostile file: control characters in a name, an escape sequence in a
 * field the error quotes, text after a closing quote, a line of 100 000
 * bytes (read to a bounded buffer, then the next line read as usual). */
static void test_registry_import_hostile(void **state)
{
	struct dfx *f = *state;
	char *errors = NULL, *big;
	int64_t count = -1;
	size_t n = 0;
	FILE *in;

	in = text("tckn,ad,soyad,dogum_yeri,dogum_tarihi\n"
		  "10000000528,YE\x1b[2JNİ,KİŞİ,RİZE,01.01.2000\n"
		  "1000000052\x1b]0;x\x07,A,B,C,01.01.2000\n");
	assert_int_equal(registry_import(f->db, in, &n, &errors), -EINVAL);
	fclose(in);
	assert_non_null(strstr(errors, "line 2: ad, soyad and dogum_yeri must be"));
	assert_non_null(strstr(errors, "line 3: T.C. Kimlik No '1000000052?]0;x?'"));
	for (const char *p = errors; *p; p++)
		assert_true((unsigned char)*p >= 0x20 || *p == '\n');
	free(errors);
	errors = NULL;
	in = text("tckn,ad,soyad,dogum_yeri,dogum_tarihi\n"
		  "10000000696,BİR,KİŞİ,\xc2\x9b" "31mRİZE,01.01.2000\n");
	assert_int_equal(registry_import(f->db, in, &n, &errors), -EINVAL);
	fclose(in);
	assert_non_null(strstr(errors, "line 2: ad, soyad and dogum_yeri must be"));
	free(errors);
	errors = NULL;

	in = text("tckn,ad,soyad,dogum_yeri,dogum_tarihi\n\"10000000528\"x,A,B,C,01.01.2000\n");
	assert_int_equal(registry_import(f->db, in, &n, &errors), -EINVAL);
	fclose(in);
	assert_non_null(strstr(errors, "line 2: text after a closing quote"));
	free(errors);
	errors = NULL;

	big = malloc(100100);
	assert_non_null(big);
	memset(big, 'A', 100099);
	big[100099] = '\0';
	memcpy(big, "tckn,ad,soyad,dogum_yeri,dogum_tarihi\n10000000528,", 50);
	in = text(big);
	assert_int_equal(registry_import(f->db, in, &n, &errors), -EINVAL);
	fclose(in);
	free(big);
	assert_non_null(strstr(errors, "line 2: line longer than 64 KiB"));
	free(errors);
	assert_int_equal(registry_count(f->db, &count), 0);
	assert_int_equal(count, 0);
}

static void refused(struct dfx *f, const char *tckn, const char *ad, const char *soyad,
		    const char *yer, const char *tarih)
{
	enum refusal why = REFUSAL_NONE;

	assert_int_equal(registry_match(f->db, tckn, ad, soyad, yer, tarih, NULL, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLY_IDENTITY);
}

static void test_registry_match(void **state)
{
	struct dfx *f = *state;
	struct registry_person p;
	enum refusal why = REFUSAL_NONE;

	load(f);
	assert_int_equal(registry_match(f->db, MEHMET, "MEHMET", "KAYA", "ANKARA", "17.05.1980", &p,
					&why), 0);
	assert_string_equal(p.ad, "MEHMET");
	registry_person_done(&p);
	/* Turkish case and surrounding spaces are ignored */
	assert_int_equal(registry_match(f->db, MEHMET, "  mehmet ", "Kaya", "ankara\t",
					" 1980-05-17", NULL, &why), 0);
	assert_int_equal(registry_match(f->db, AYSE, "ayşe", "demir", "izmir", "28.11.1986", NULL,
					&why), 0);	/* i is İ */
	assert_int_equal(registry_match(f->db, OTHER, "ırmak \"su\"", "ışık", "ısparta",
					"01.01.1990", NULL, &why), 0);	/* ı is I */
	/* ... nothing else: dotless I is not İ, s is not ş, inner spaces count */
	refused(f, AYSE, "AYŞE", "DEMIR", "İZMİR", "28.11.1986");
	refused(f, AYSE, "AYSE", "DEMİR", "İZMİR", "28.11.1986");
	refused(f, OTHER, "IRMAK  \"SU\"", "IŞIK", "ISPARTA", "01.01.1990");
	refused(f, OTHER, "İRMAK \"SU\"", "IŞIK", "ISPARTA", "01.01.1990");
	/* each field wrong: the same refusal */
	refused(f, "10000000146", "MEHMET", "KAYA", "ANKARA", "17.05.1980");	/* not in it */
	refused(f, "10000000215", "MEHMET", "KAYA", "ANKARA", "17.05.1980");	/* bad digits */
	refused(f, MEHMET, "AHMET", "KAYA", "ANKARA", "17.05.1980");
	refused(f, MEHMET, "MEHMET", "KAYAR", "ANKARA", "17.05.1980");
	refused(f, MEHMET, "MEHMET", "KAYA", "İSTANBUL", "17.05.1980");
	refused(f, MEHMET, "MEHMET", "KAYA", "ANKARA", "18.05.1980");
	refused(f, MEHMET, "MEHMET", "KAYA", "ANKARA", "17/05/1980");
	refused(f, MEHMET, "", "KAYA", "ANKARA", "17.05.1980");
	refused(f, MEHMET, NULL, NULL, NULL, NULL);
	/* dead: the same */
	refused(f, DEAD, "KİŞİ", "ÖLÜ", "SİNOP", "02.02.1950");
}

static void test_staff(void **state)
{
	struct dfx *f = *state;
	struct registry_person p;
	struct staff_record s;
	struct institution *list = NULL;
	enum refusal why = REFUSAL_NONE;
	char *errors = NULL;
	size_t n = 0;
	FILE *in;

	load(f);
	assert_int_equal(institution_set(f->db, "meb", "T.C. Millî Eğitim Bakanlığı", "Ankara"), 0);
	assert_int_equal(institution_set(f->db, "meb", "T.C. Millî Eğitim Bakanlığı", NULL), 0);
	assert_int_equal(institution_set(f->db, "Bad Code", "x", NULL), -EINVAL);
	assert_int_equal(institution_list(f->db, &list, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(list[0].address, "Ankara");	/* kept */
	institution_free_array(list, n);

	in = text("sicil,tckn,birim,unvan\n4242," MEHMET ",Bilgi İşlem,Öğretmen\nab-7," AYSE ",,\n"
		  "99," DEAD ",,\n");
	assert_int_equal(staff_import(f->db, "meb", in, &n, NULL), 0);
	fclose(in);
	assert_int_equal(n, 3);
	in = text("tckn,sicil\n" MEHMET ",1\n");
	assert_int_equal(staff_import(f->db, "yok", in, &n, NULL), -ENOENT);
	fclose(in);
	in = text("tckn,sicil\n" MEHMET ",\n10000000001,5\n");
	assert_int_equal(staff_import(f->db, "meb", in, &n, &errors), -EINVAL);
	fclose(in);
	assert_non_null(strstr(errors, "line 2: no sicil"));
	assert_non_null(strstr(errors, "line 3: T.C. Kimlik No"));
	free(errors);

	assert_int_equal(staff_match(f->db, "meb", MEHMET, " 4242 ", &p, &s, &why), 0);
	assert_string_equal(p.soyad, "KAYA");
	assert_string_equal(s.birim, "Bilgi İşlem");
	assert_string_equal(s.unvan, "Öğretmen");
	registry_person_done(&p);
	staff_record_done(&s);
	assert_int_equal(staff_match(f->db, "meb", AYSE, "AB-7", NULL, NULL, &why), 0);
	assert_int_equal(staff_match(f->db, "meb", MEHMET, "4243", NULL, NULL, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLY_IDENTITY);
	assert_int_equal(staff_match(f->db, "meb", OTHER, "4242", NULL, NULL, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLY_IDENTITY);
	assert_int_equal(staff_match(f->db, "meb", DEAD, "99", NULL, NULL, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLY_IDENTITY);
	assert_int_equal(staff_match(f->db, "yok", MEHMET, "4242", NULL, NULL, &why), -EACCES);
	assert_int_equal(why, REFUSAL_INSTITUTION_UNKNOWN);
}

static const struct application_new mehmet = {
	.tckn = MEHMET, .institution = "meb", .kind = APP_KIND_NEW,
	.form_json = "{\"nedeni\":\"Yeni\",\"il\":\"ANKARA\"}", .security_word = "gizli-sozcuk-7",
	.access_password = "erisim-parolasi", .email = "mehmet@example.org",
	.mobile = "5321234567", .info_channel = "both",
};

static void test_create(void **state)
{
	struct dfx *f = *state;
	struct application_new in = mehmet;
	struct application a;
	enum refusal why = REFUSAL_NONE;
	_cleanup_free_ char *word = NULL;
	char id[33], id2[33] = "";

	load(f);
	assert_int_equal(institution_set(f->db, "meb", "MEB", NULL), 0);
	assert_int_equal(application_create(f->db, &in, id, &why), 0);
	assert_int_equal(application_get(f->db, id, &a), 0);
	assert_int_equal(a.state, APP_DRAFT);
	assert_int_equal(a.kind, APP_KIND_NEW);
	assert_string_equal(a.institution, "meb");
	assert_string_equal(a.info_channel, "both");
	assert_true(a.has_word && a.has_access);
	assert_string_equal(a.form_json, mehmet.form_json);
	application_done(&a);
	/* the secrets only as hashes */
	{
		_cleanup_stmt_ struct db_stmt *st = NULL;

		assert_int_equal(db_query_one(f->db, &st, "SELECT word_hash, access_hash FROM"
					      " applications WHERE id = $1", "t", id), 0);
		assert_null(strstr(db_col_text(st, 0), "gizli"));
		assert_true(password_verify("gizli-sozcuk-7", db_col_text(st, 0)));
		assert_true(password_verify("erisim-parolasi", db_col_text(st, 1)));
	}
	assert_int_equal(application_access_check(f->db, id, "erisim-parolasi", &why), 0);
	assert_int_equal(application_access_check(f->db, id, "erisim-parolasI", &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLICATION_ACCESS);
	assert_int_equal(application_access_set(f->db, id, "yeni-parola-1", &why), 0);
	assert_int_equal(application_access_check(f->db, id, "yeni-parola-1", &why), 0);

	/* double submission: refused, with the open one's id */
	assert_int_equal(application_create(f->db, &in, id2, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLICATION_OPEN);
	assert_string_equal(id2, id);
	/* found again by its parola (and only by its own) */
	assert_int_equal(application_find_by_parola(f->db, MEHMET, "meb", "yeni-parola-1", id2), 0);
	assert_string_equal(id2, id);
	assert_int_equal(application_find_by_parola(f->db, MEHMET, "meb", "erisim-parolasi", id2),
			 -ENOENT);
	assert_int_equal(application_find_by_parola(f->db, MEHMET, "tse", "yeni-parola-1", id2),
			 -ENOENT);
	/* another kind is another application */
	in.kind = APP_KIND_OTHER;
	assert_int_equal(application_create(f->db, &in, id2, &why), 0);
	assert_string_not_equal(id2, id);
	/* once closed, a new one may come */
	assert_int_equal(application_fire(f->db, id, APP_EV_CANCEL, APP_BY_PORTAL, NULL, NULL, &why),
			 0);
	in.kind = APP_KIND_NEW;
	assert_int_equal(application_create(f->db, &in, id2, &why), 0);
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM applications WHERE tckn = $1", MEHMET), 3);

	/* refusals and bad input */
	in.tckn = DEAD;
	assert_int_equal(application_create(f->db, &in, id2, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLY_IDENTITY);
	in.tckn = "10000000146";	/* valid, not in the registry */
	assert_int_equal(application_create(f->db, &in, id2, &why), -EACCES);
	assert_int_equal(why, REFUSAL_APPLY_IDENTITY);
	in = mehmet;
	in.institution = "yok";
	assert_int_equal(application_create(f->db, &in, id2, &why), -EACCES);
	assert_int_equal(why, REFUSAL_INSTITUTION_UNKNOWN);
	in = mehmet;
	in.security_word = "kisa";
	assert_int_equal(application_create(f->db, &in, id2, &why), -EINVAL);
	in = mehmet;
	in.info_channel = "sms";
	in.mobile = NULL;
	assert_int_equal(application_create(f->db, &in, id2, &why), -EINVAL);
	in = mehmet;
	in.form_json = "[1]";
	assert_int_equal(application_create(f->db, &in, id2, &why), -EINVAL);
	in = mehmet;
	in.mobile = "0532123456";
	assert_int_equal(application_create(f->db, &in, id2, &why), -EINVAL);
}

/* An application put straight into state s (kind k). */
static void put(struct dfx *f, enum application_kind k, enum application_state s, char id[33])
{
	assert_int_equal(application_add(f->db, AYSE, application_kind_str(k),
					 application_state_str(s), id), 0);
}

static const struct application_step full = {
	.reason = "eksik belge", .method = APP_METHOD_ESIGN, .evidence = "act-1",
	.courier = "PTT Kargo", .tracking = "KP123", .operator = "test-op",
};

static void test_table(void **state)
{
	struct dfx *f = *state;
	size_t n, nh;
	const struct application_transition *t = application_transitions(&n);
	struct application_history_row *h = NULL;
	int64_t audits = 0, refusals;

	assert_true(n > 10);
	/* every row of the table, by every actor it names; refused to the others */
	for (size_t i = 0; i < n; i++) {
		static const enum application_actor actors[] = { APP_BY_PORTAL, APP_BY_OPERATOR,
								   APP_BY_SCHEDULER };
		if (t[i].event == APP_EV_PRODUCE || t[i].event == APP_EV_DEFER)
			continue;	/* need a card / a certificate: test-applications-flow */
		for (size_t k = 0; k < ELEMENTSOF(actors); k++) {
			struct application_outcome out = { 0 };
			struct application a;
			enum refusal why = REFUSAL_NONE;
			char id[33];

			put(f, APP_KIND_NEW, t[i].from, id);
			if (t[i].who & actors[k]) {
				assert_int_equal(application_fire(f->db, id, t[i].event, actors[k], &full,
								  &out, &why), 0);
				assert_int_equal(out.from, t[i].from);
				assert_int_equal(out.to, t[i].to);
				assert_int_equal(application_get(f->db, id, &a), 0);
				assert_int_equal(a.state, t[i].to);
				if (t[i].event == APP_EV_SHIP)
					assert_string_equal(a.tracking, "KP123");
				if (t[i].event == APP_EV_REJECT)
					assert_string_equal(a.reject_reason, "eksik belge");
				if (t[i].event == APP_EV_SIGNED)
					assert_int_equal(a.method, APP_METHOD_ESIGN);
				application_done(&a);
				assert_int_equal(application_history(f->db, id, &h, &nh), 0);
				assert_int_equal(nh, 2);
				assert_string_equal(h[1].from, application_state_str(t[i].from));
				assert_string_equal(h[1].to, application_state_str(t[i].to));
				assert_string_equal(h[1].event, application_event_str(t[i].event));
				assert_string_equal(h[1].operator, "test-op");
				application_history_free_array(h, nh);
				audits++;
			} else {
				assert_int_equal(application_fire(f->db, id, t[i].event, actors[k], &full,
								  &out, &why), -EACCES);
				assert_int_equal(why, REFUSAL_APPLICATION_ACTOR);
				assert_int_equal(application_get(f->db, id, &a), 0);
				assert_int_equal(a.state, t[i].from);
				application_done(&a);
			}
		}
	}
	/* every (state, event) the table does not have: refused, nothing moves */
	refusals = -dfx_int(f, "SELECT COUNT(*) FROM audit_log WHERE outcome = $1", "refused");
	for (int s = 0; s < _APP_STATE_MAX; s++)
		for (int e = 0; e < _APP_EV_MAX; e++) {
			struct application_outcome out = { 0 };
			enum refusal why = REFUSAL_NONE;
			unsigned who = 0;
			struct application a;
			char id[33];

			if (application_transition_find(s, e) || e == APP_EV_PRODUCE)
				continue;
			for (size_t i = 0; i < n; i++)
				if (t[i].event == (enum application_event)e)
					who |= t[i].who;
			put(f, APP_KIND_NEW, s, id);
			assert_int_equal(application_fire(f->db, id, e, who & APP_BY_OPERATOR ?
							  APP_BY_OPERATOR : who, &full, &out, &why),
					 -EACCES);
			assert_int_equal(why, REFUSAL_APPLICATION_STATE);
			assert_int_equal(out.from, s);
			assert_int_equal(application_get(f->db, id, &a), 0);
			assert_int_equal(a.state, s);
			application_done(&a);
			refusals--;
		}
	/* ... and each refusal is in the audit log */
	assert_int_equal(dfx_int(f, "SELECT COUNT(*) FROM audit_log WHERE outcome = $1", "refused"),
			 -refusals);
	assert_true(audits > 0);
	assert_true(dfx_int(f, "SELECT COUNT(*) FROM audit_log WHERE action = $1", "application.approve")
		    >= 1);
	/* missing step fields */
	{
		char id[33];
		enum refusal why;

		put(f, APP_KIND_NEW, APP_RECEIVED, id);
		assert_int_equal(application_fire(f->db, id, APP_EV_REJECT, APP_BY_OPERATOR, NULL, NULL,
						  &why), -EINVAL);
		put(f, APP_KIND_NEW, APP_PRODUCED, id);
		assert_int_equal(application_fire(f->db, id, APP_EV_SHIP, APP_BY_OPERATOR, NULL, NULL,
						  &why), -EINVAL);
		assert_int_equal(application_fire(f->db, "nope", APP_EV_SHIP, APP_BY_OPERATOR, &full,
						  NULL, &why), -EACCES);
		assert_int_equal(why, REFUSAL_NOT_FOUND);
	}
}

static void test_names(void **state)
{
	enum application_state s;
	enum application_event e;

	for (int i = 0; i < _APP_STATE_MAX; i++) {
		assert_int_equal(application_state_parse(application_state_str(i), &s), 0);
		assert_int_equal(s, i);
		assert_true(strlen(application_state_label(i)) > 0);
	}
	for (int i = 0; i < _APP_EV_MAX; i++) {
		assert_int_equal(application_event_parse(application_event_str(i), &e), 0);
		assert_int_equal(e, i);
		/* every event is in the table */
		assert_true(application_event_sources(i) != 0);
	}
	assert_string_equal(application_kind_label(APP_KIND_LOST), "Kayıp Çalıntı");
	assert_string_equal(application_state_label(APP_SHIPPED), "Kargoya verildi");
	assert_int_equal(application_state_parse("waiting", &s), -EINVAL);
	assert_false(application_state_open(APP_DELIVERED));
	assert_true(application_state_open(APP_WAITING_WINDOW));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_registry_import, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_registry_import_hostile, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_registry_match, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_staff, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_create, dfx_setup, dfx_teardown),
		cmocka_unit_test_setup_teardown(test_table, dfx_setup, dfx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
