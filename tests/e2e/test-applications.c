/* test-applications.c - the back office of issue 16 with real eonayctl
 * processes on a demo data directory: registry import (a bad line:
 * nothing imported), institutions and staff lists, `application list
 * --json` with its filters, approve (and a refused second approve:
 * exit 4, the state named), reject without a reason, produce (a SoftHSM
 * card in the demo's token store, certificate on hold), ship, deliver,
 * the history with the operator; Kayıp Çalıntı revoking the holder's
 * certificate; a renewal waiting for its window, released by eonayd's
 * periodic loop once applications.clock_offset moves its clock. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define MEHMET "10000000214"
#define AHMET "10000000146"

static const char *data;

static char *ctl(int want, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static char *ctl(int want, const char *fmt, ...)
{
	char args[1024], *out;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	rc = run_cmd(&out, "%s --data %s %s", bin_path("eonayctl"), data, args);
	if (rc != want)
		print_error("eonayctl %s: exit %d, wanted %d:\n%s\n", args, rc, want, out);
	assert_int_equal(rc, want);
	return out;
}

static json_t *ctl_json(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static json_t *ctl_json(const char *fmt, ...)
{
	char args[1024], *out;
	json_error_t e;
	va_list ap;
	json_t *j;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	out = ctl(0, "%s", args);
	j = json_loads(out, 0, &e);
	if (!j)
		print_error("not JSON (%s): %s\n", e.text, out);
	assert_non_null(j);
	free(out);
	return j;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int group_setup(void **state)
{
	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	return demo_world(data) ? 0 : -1;
}

static int group_teardown(void **state)
{
	tmpdir_remove(data);
	return 0;
}

static void test_registry_institutions(void **state)
{
	char path[300], *out;
	json_t *j;
	bool meb = false, tsk = false;

	/* the demo's registry: MEHMET KAYA of meb */
	out = ctl(0, "registry show %s", MEHMET);
	assert_non_null(strstr(out, "\"dogum_tarihi\": \"1980-05-17\""));
	assert_non_null(strstr(out, "ANKARA"));
	free(out);

	snprintf(path, sizeof(path), "%s/kisiler.csv", data);
	write_file(path, "tckn,ad,soyad,dogum_yeri,dogum_tarihi\n"
			 "10000000382,Irmak,Işık,Isparta,01.01.1990\n"
			 "10000000450,ZEYNEP,ÇELİK,BURSA,31.04.1990\n");
	out = ctl(2, "registry import %s", path);
	assert_non_null(strstr(out, "line 3: dogum_tarihi '31.04.1990' is not a date"));
	assert_non_null(strstr(out, "nothing imported"));
	free(out);
	out = ctl(3, "registry show 10000000382");	/* line 2 was not kept either */
	free(out);
	write_file(path, "tckn,ad,soyad,dogum_yeri,dogum_tarihi,alive\n"
			 "10000000382,Irmak,Işık,Isparta,01.01.1990,1\n");
	out = ctl(0, "registry import %s", path);
	assert_non_null(strstr(out, "1 person(s) imported"));
	free(out);

	out = ctl(0, "institution add --code tsk --name 'Türk Silahlı Kuvvetleri' --address Ankara");
	free(out);
	out = ctl(2, "institution add --code 'T S K' --name x");
	free(out);
	j = ctl_json("institution list --json");
	for (size_t i = 0; i < json_array_size(j); i++) {
		const char *code = json_string_value(json_object_get(json_array_get(j, i), "code"));

		meb |= strcmp(code, "meb") == 0;
		tsk |= strcmp(code, "tsk") == 0;
	}
	json_decref(j);
	assert_true(meb && tsk);
	snprintf(path, sizeof(path), "%s/personel.csv", data);
	write_file(path, "tckn,sicil,birim,unvan\n10000000382,77,Karargâh,Uzman\n");
	out = ctl(0, "institution staff-import tsk %s", path);
	assert_non_null(strstr(out, "1 staff record(s) imported into tsk"));
	free(out);
	out = ctl(3, "institution staff-import yok %s", path);
	free(out);
}

static void test_queue_to_delivery(void **state)
{
	char id[64], *out;
	json_t *j, *a, *h;
	const char *cert;

	out = ctl(0, "application add %s new received", MEHMET);
	snprintf(id, sizeof(id), "%.32s", out);
	free(out);

	/* the queue, as scripts read it */
	j = ctl_json("application list --json");
	assert_true(json_is_array(j));
	a = NULL;
	for (size_t i = 0; i < json_array_size(j); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(j, i), "id")), id) == 0)
			a = json_array_get(j, i);
	assert_non_null(a);
	assert_string_equal(json_string_value(json_object_get(a, "tckn")), MEHMET);
	assert_string_equal(json_string_value(json_object_get(a, "state")), "received");
	assert_string_equal(json_string_value(json_object_get(a, "kind")), "new");
	assert_true(json_is_integer(json_object_get(a, "created_at")));
	json_decref(j);
	j = ctl_json("application list --json --state approved");
	assert_int_equal(json_array_size(j), 0);
	json_decref(j);
	j = ctl_json("application list --json %s", MEHMET);
	assert_int_equal(json_array_size(j), 1);
	json_decref(j);

	out = ctl(0, "application approve %s --operator 'Ayşe Operatör'", id);
	assert_non_null(strstr(out, "received -> approved"));
	free(out);
	/* a second approve is refused and says why */
	out = ctl(4, "application approve %s", id);
	assert_non_null(strstr(out, "is approved; approve needs received"));
	free(out);
	out = ctl(2, "application reject %s", id);	/* no --reason */
	assert_non_null(strstr(out, "--reason"));
	free(out);
	out = ctl(3, "application deliver 0123456789abcdef");
	free(out);

	/* produce: a card in the demo's token store, its certificate on hold */
	j = ctl_json("application produce %s --json --operator uretim", id);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "produced");
	assert_string_equal(json_string_value(json_object_get(j, "state_label")), "Kartınız üretildi");
	assert_int_equal(strncmp(json_string_value(json_object_get(j, "card")), "EONAY-", 6), 0);
	cert = json_string_value(json_object_get(j, "certificate"));
	assert_non_null(cert);
	out = ctl(0, "cert list %s", MEHMET);
	assert_non_null(strstr(out, cert));
	assert_non_null(strstr(out, "hold"));
	free(out);
	{
		char *p11;
		int rc = run_cmd(&p11, "SOFTHSM2_CONF=%s/softhsm2.conf softhsm2-util --show-slots",
				 data);

		assert_int_equal(rc, 0);
		assert_non_null(strstr(p11, json_string_value(json_object_get(j, "card"))));
		free(p11);
	}
	json_decref(j);

	out = ctl(2, "application ship %s --courier PTT", id);
	free(out);
	out = ctl(0, "application ship %s --courier 'PTT Kargo' --tracking KP0042", id);
	free(out);
	out = ctl(0, "application deliver %.8s", id);	/* the Başvuru No does too */
	assert_non_null(strstr(out, "shipped -> delivered"));
	free(out);

	j = ctl_json("application show %s --json", id);
	assert_string_equal(json_string_value(json_object_get(j, "state")), "delivered");
	assert_string_equal(json_string_value(json_object_get(j, "tracking")), "KP0042");
	h = json_object_get(j, "history");
	assert_int_equal(json_array_size(h), 5);
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 1), "operator")),
			    "Ayşe Operatör");
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 2), "operator")),
			    "uretim");
	assert_string_equal(json_string_value(json_object_get(json_array_get(h, 4), "event")),
			    "deliver");
	json_decref(j);
	out = ctl(0, "audit verify");
	free(out);
}

static void test_renewal_released_by_eonayd(void **state)
{
	char id[64], *out, offset[64];
	const char *extra[] = { "--set", offset, "--set", "notify.interval=1", NULL };
	struct srv s;
	json_t *j;
	int i;

	out = ctl(0, "application add %s renewal received", AHMET);
	snprintf(id, sizeof(id), "%.32s", out);
	free(out);
	/* DEMO-0001 ends in about 730 days: the window opens ~2 months before */
	out = ctl(0, "application approve %s", id);
	assert_non_null(strstr(out, "received -> waiting_window"));
	free(out);
	out = ctl(0, "application release-due");
	assert_non_null(strstr(out, "0 application(s) released"));
	free(out);
	/* eonayd's loop, its clock moved 700 days on by configuration */
	snprintf(offset, sizeof(offset), "applications.clock_offset=%d", 700 * 86400);
	assert_int_equal(srv_start(&s, data, extra), 0);
	for (i = 0; i < 100; i++) {
		j = ctl_json("application show %s --json", id);
		bool done = strcmp(json_string_value(json_object_get(j, "state")), "approved") == 0;

		json_decref(j);
		if (done)
			break;
		usleep(100 * 1000);
	}
	srv_stop(&s, false);
	assert_true(i < 100);
	out = ctl(0, "application show %s", id);
	assert_non_null(strstr(out, "release         by scheduler"));
	free(out);
}

static void test_lost_revokes(void **state)
{
	char id[64], *out;

	out = ctl(0, "application add %s lost received", AHMET);
	snprintf(id, sizeof(id), "%.32s", out);
	free(out);
	out = ctl(0, "cert list %s", AHMET);
	assert_non_null(strstr(out, "active"));
	free(out);
	out = ctl(0, "application approve %s", id);
	assert_non_null(strstr(out, "revoked, keyCompromise"));
	free(out);
	out = ctl(0, "cert list %s", AHMET);
	assert_null(strstr(out, "active"));
	assert_non_null(strstr(out, "revoked"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_registry_institutions),
		cmocka_unit_test(test_queue_to_delivery),
		cmocka_unit_test(test_renewal_released_by_eonayd),
		cmocka_unit_test(test_lost_revokes),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
