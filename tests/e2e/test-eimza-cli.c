/* test-eimza-cli.c - the eimza commands over libeimza-core: the server
 * and modules from the configuration file (EIMZA_CONFIG), Turkish for
 * people and machine codes only with --json, certs without a card. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/checkdigit.h"
#include "harness.h"

#define AHMET "10000000146"

static struct srv S;
static const char *data, *conf;
static char eimza_conf[512];

static int group_setup(void **state)
{
	FILE *f;

	unsetenv("SOFTHSM2_CONF");
	unsetenv("EIMZA_CONFIG");
	data = tmpdir_new();
	conf = demo_world(data);
	if (!conf || srv_start(&S, data, NULL) < 0)
		return -1;
	snprintf(eimza_conf, sizeof(eimza_conf), "%s/eimza.conf", data);
	f = fopen(eimza_conf, "w");
	if (!f)
		return -1;
	fprintf(f, "[server]\nurl = %s\n[card]\nmodule = /usr/lib/softhsm/libsofthsm2.so\n", S.url);
	fclose(f);
	return 0;
}

static int group_teardown(void **state)
{
	srv_stop(&S, false);
	tmpdir_remove(data);
	return 0;
}

static void start(char code[64])
{
	struct browser b;
	struct resp r;

	assert_int_equal(browser_open(&b, &S), 0);
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing",
				      "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", &r), 0);
	assert_int_equal(r.status, 201);
	json_field(r.body, "code", code, 64);
	resp_done(&r);
}

/* No --server: the configuration's; --json adds one JSON line. */
static void test_sign_from_config_json(void **state)
{
	char code[64], *out;

	start(code);
	assert_int_equal(run_cmd(&out, "printf '123456\\n' | EIMZA_CONFIG=%s SOFTHSM2_CONF=%s %s sign"
				       " --code '%.4s %.4s-%s' --pin-stdin --yes --json 2>/dev/null",
				 eimza_conf, conf, bin_path("eimza"), code, code + 4, code + 8), 0);
	assert_non_null(strstr(out, "İşleminiz Başarılıdır."));
	assert_non_null(strstr(out, "{\"ok\":true,\"message\":\"İşleminiz Başarılıdır."));
	free(out);
}

/* A signature the server accepted, saved (--save) and checked offline
 * against the CA's root: TOTAL-PASSED in the report of eimza verify,
 * --json and --xml (the ETSI report, well-formed); without the root the
 * chain is INDETERMINATE/NO_CERTIFICATE_CHAIN_FOUND. */
static void test_saved_signature_verifies(void **state)
{
	char code[64], *out;

	start(code);
	assert_int_equal(run_cmd(&out, "printf '123456\\n' | EIMZA_CONFIG=%s SOFTHSM2_CONF=%s %s sign"
				       " --code %s --pin-stdin --yes --save %s/saved.p7s 2>/dev/null",
				 eimza_conf, conf, bin_path("eimza"), code, data), 0);
	free(out);
	assert_int_equal(run_cmd(&out, "%s verify --ca %s/pki/root.crt --json %s/saved.p7s",
				 bin_path("eimza"), data, data), 0);
	assert_non_null(strstr(out, "\"indication\":\"TOTAL-PASSED\""));
	assert_non_null(strstr(out, "\"tckn\":\"" AHMET "\""));
	assert_non_null(strstr(out, "\"chainTrusted\":true"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s verify --ca %s/pki/root.crt --xml %s/saved.p7s > %s/saved.xml"
				       " && xmllint --noout %s/saved.xml && xmllint --xpath"
				       " \"string(//*[local-name()='MainIndication'])\" %s/saved.xml",
				 bin_path("eimza"), data, data, data, data, data), 0);
	assert_non_null(strstr(out, "urn:etsi:019102:mainindication:total-passed"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s verify %s/saved.p7s", bin_path("eimza"), data), 9);
	assert_non_null(strstr(out, "Sonuç (result):   INDETERMINATE / NO_CERTIFICATE_CHAIN_FOUND"));
	free(out);
}

/* A refusal: Turkish only, the machine code only with --json. */
static void test_refusal_codes_only_with_json(void **state)
{
	char code[17] = "123456789012345", *out;

	code[15] = (char)checkdigit_compute(code, 15);
	code[16] = 0;
	assert_int_equal(run_cmd(&out, "EIMZA_CONFIG=%s SOFTHSM2_CONF=%s %s sign --code %s --yes"
				       " --pin-stdin </dev/null", eimza_conf, conf, bin_path("eimza"), code), 3);
	assert_non_null(strstr(out, "Bu doğrulama kodu bulunamadı."));
	assert_null(strstr(out, "code_unknown"));
	assert_null(strstr(out, "HTTP"));
	free(out);
	assert_int_equal(run_cmd(&out, "EIMZA_CONFIG=%s SOFTHSM2_CONF=%s %s sign --code %s --yes"
				       " --pin-stdin --json </dev/null 2>/dev/null", eimza_conf, conf,
				 bin_path("eimza"), code), 3);
	assert_non_null(strstr(out, "\"ok\":false"));
	assert_non_null(strstr(out, "\"code\":\"code_unknown\""));
	assert_non_null(strstr(out, "\"status\":404"));
	free(out);
}

static void test_certs_without_card(void **state)
{
	char *out;

	assert_int_equal(run_cmd(&out, "mkdir -p %s/empty && printf 'directories.tokendir = %s/empty\\n'"
				       " > %s/empty.conf", data, data, data), 0);
	free(out);
	assert_int_equal(run_cmd(&out, "SOFTHSM2_CONF=%s/empty.conf %s certs", data,
				 bin_path("eimza")), 6);
	assert_non_null(strstr(out, "Kartınızı takınız."));
	free(out);
	assert_int_equal(run_cmd(&out, "SOFTHSM2_CONF=%s %s --module /nonexistent.so certs", conf,
				 bin_path("eimza")), 6);
	assert_non_null(strstr(out, "sürücüsü bulunamadı"));
	free(out);
}

static void test_turkish_help_and_bad_config(void **state)
{
	char *out, bad[600];
	FILE *f;

	assert_int_equal(run_cmd(&out, "%s --help", bin_path("eimza")), 0);
	assert_non_null(strstr(out, "Kullanım: eimza"));
	assert_non_null(strstr(out, "Komutlar:"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s sign --help", bin_path("eimza")), 0);
	assert_non_null(strstr(out, "Doğrulama Kodu"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s --version", bin_path("eimza")), 0);
	assert_non_null(strstr(out, "eimza "));
	free(out);
	/* a typo in the file is reported with its line, not ignored */
	snprintf(bad, sizeof(bad), "%s/bad.conf", data);
	f = fopen(bad, "w");
	assert_non_null(f);
	fprintf(f, "[server]\nurl = %s\nmodul = /x.so\n", S.url);
	fclose(f);
	assert_int_equal(run_cmd(&out, "EIMZA_CONFIG=%s %s sign --code 1", bad, bin_path("eimza")), 2);
	assert_non_null(strstr(out, "satır 3"));
	free(out);
	/* no display, no command: the help and exit 2 */
	assert_int_equal(run_cmd(&out, "DISPLAY= WAYLAND_DISPLAY= %s", bin_path("eimza")), 2);
	assert_non_null(strstr(out, "Kullanım"));
	free(out);
}

/* A session started from another network (the browser on 127.0.1.1, the
 * application on 127.0.0.1): eimza says so before signing. */
static void test_relay_warning(void **state)
{
	char *out, csrf[64], code[64];

	assert_int_equal(run_cmd(&out, "curl -s --interface 127.0.1.1 -c %s/jar -X POST -H"
				       " 'Content-Type: application/json' -d '{}' %s/api/v1/session",
				 data, S.url), 0);
	assert_non_null(json_field(out, "csrf_token", csrf, sizeof(csrf)));
	free(out);
	assert_int_equal(run_cmd(&out, "curl -s --interface 127.0.1.1 -b %s/jar -c %s/jar -X POST -H"
				       " 'Content-Type: application/json' -H 'X-CSRF-Token: %s' -d"
				       " '{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}'"
				       " %s/api/v1/signing", data, data, csrf, S.url), 0);
	assert_non_null(json_field(out, "code", code, sizeof(code)));
	free(out);
	assert_int_equal(run_cmd(&out, "printf '123456\n' | EIMZA_CONFIG=%s SOFTHSM2_CONF=%s %s sign"
				       " --code %s --pin-stdin --yes", eimza_conf, conf, bin_path("eimza"),
				 code), 0);
	assert_non_null(strstr(out, "UYARI: Bu işlem başka bir bilgisayardan başlatılmış olabilir"));
	assert_non_null(strstr(out, "127.0.1.1"));
	free(out);
	/* the same machine: no warning */
	start(code);
	assert_int_equal(run_cmd(&out, "printf '123456\n' | EIMZA_CONFIG=%s SOFTHSM2_CONF=%s %s sign"
				       " --code %s --pin-stdin --yes", eimza_conf, conf, bin_path("eimza"),
				 code), 0);
	assert_null(strstr(out, "UYARI"));
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sign_from_config_json),
		cmocka_unit_test(test_saved_signature_verifies),
		cmocka_unit_test(test_refusal_codes_only_with_json),
		cmocka_unit_test(test_certs_without_card),
		cmocka_unit_test(test_turkish_help_and_bad_config),
		cmocka_unit_test(test_relay_warning),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
