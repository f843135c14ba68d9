/* test-pinreset.c - "a mistake must not burn the code" and PIN
 * Oluşturma / Kilit Çözme end to end: a real eonayd on the demo world,
 * the real eimza on SoftHSM.
 *
 *   - a wrong PIN, then the right PIN, with the same code: logged in; a
 *     "no" at the confirmation, then yes: logged in; the page (wait) sees
 *     pin_wrong / declined meanwhile; a card-less try claims nothing
 *   - eimza pin: PIN rules refused before the code is claimed; a reset
 *     interrupted after the claim, after the SO PIN was received, after
 *     the user PIN was set and after the SO PIN was changed, each followed
 *     by a successful reset with a new code, and the new PIN logs in
 *   - the SO PIN steps over HTTP: the card of another holder, a second
 *     release, a second claim after the release; no SO PIN in the log */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/util.h"
#include "harness.h"

#define AHMET "10000000146"

static struct srv S;
static const char *data, *conf;
static char pin_now[16] = "123456";	/* AHMET's PIN as the tests change it */

static int group_setup(void **state)
{
	unsetenv("SOFTHSM2_CONF");
	unsetenv("EIMZA_TEST_STOP");
	data = tmpdir_new();
	conf = demo_world(data);
	if (!conf)
		return -1;
	/* many claims and starts from one address: the limits are tested in
	 * test-attacks */
	return srv_start(&S, data, (const char *const[]){ "--set", "codes.claims_per_client=1000",
		"--set", "codes.starts_per_client=1000", "--set", "codes.starts_per_holder=1000",
		NULL });
}

static int group_teardown(void **state)
{
	srv_stop(&S, false);
	tmpdir_remove(data);
	return 0;
}

static void start(struct browser *b, const char *body, char id[64], char code[64])
{
	struct resp r;

	assert_int_equal(browser_call(b, "POST", "/api/v1/signing", body, &r), 0);
	if (r.status != 201)
		fail_msg("start: %ld %s", r.status, r.body);
	json_field(r.body, "id", id, 64);
	json_field(r.body, "code", code, 64);
	resp_done(&r);
}

/* The page's view: the wait answered at once (no state given). */
static void page(struct browser *b, const char *id, char st[32], char ev[32])
{
	char path[160];
	struct resp r;

	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s", id);
	assert_int_equal(browser_call(b, "GET", path, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	json_field(r.body, "state", st, 32);
	json_field(r.body, "app_event", ev, 32);
	resp_done(&r);
}

static int sign(const char *code, const char *pin, const char *extra, char **out)
{
	return run_cmd(out, "printf '%s\\n' | SOFTHSM2_CONF=%s %s sign --server %s --code %s %s",
		       pin, conf, bin_path("eimza"), S.url, code, extra);
}

static int pin_cmd(const char *code, const char *new_pin, const char *stop, const char *extra,
		   char **out)
{
	return run_cmd(out, "printf '%s\\n' | %s%s SOFTHSM2_CONF=%s %s pin --server %s --code %s"
			    " --new-pin-stdin %s", new_pin, stop ? "EIMZA_TEST_STOP=" : "",
		       stop ? stop : "", conf, bin_path("eimza"), S.url, code, extra);
}

static void login(struct browser *b)
{
	char id[64], code[64], st[32], ev[32];
	char *out;

	assert_int_equal(browser_open(b, &S), 0);
	start(b, "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", id, code);
	if (sign(code, pin_now, "--pin-stdin --yes", &out) != 0)
		fail_msg("login with %s: %s", pin_now, out);
	free(out);
	page(b, id, st, ev);
	assert_string_equal(st, "signed");
	assert_int_equal(browser_refresh(b), 0);
}

static void test_wrong_pin_then_right(void **state)
{
	char id[64], code[64], st[32], ev[32];
	struct browser b;
	char *out;

	assert_int_equal(browser_open(&b, &S), 0);
	start(&b, "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", id, code);
	/* no card: refused before the code is claimed */
	assert_int_equal(run_cmd(&out, "mkdir -p %s/empty && printf 'directories.tokendir = %s/empty\\n'"
				       " > %s/empty.conf", data, data, data), 0);
	free(out);
	assert_int_equal(run_cmd(&out, "printf '123456\\n' | SOFTHSM2_CONF=%s/empty.conf %s sign"
				       " --server %s --code %s --pin-stdin --yes", data,
				 bin_path("eimza"), S.url, code), 6);
	assert_non_null(strstr(out, "Kartınızı takınız."));
	free(out);
	page(&b, id, st, ev);
	assert_string_equal(st, "waiting");
	/* a wrong PIN: the page is told, the code stays */
	assert_int_equal(sign(code, "999999", "--pin-stdin --yes", &out), 5);
	assert_non_null(strstr(out, "PIN hatalı"));
	assert_non_null(strstr(out, "aynı kodu tekrar girebilirsiniz"));
	free(out);
	page(&b, id, st, ev);
	assert_string_equal(st, "code_used");
	assert_string_equal(ev, "pin_wrong");
	/* the right PIN with the same code: logged in */
	assert_int_equal(sign(code, pin_now, "--pin-stdin --yes", &out), 0);
	assert_non_null(strstr(out, "İşleminiz Başarılıdır."));
	free(out);
	page(&b, id, st, ev);
	assert_string_equal(st, "signed");
	/* and now the code is spent */
	assert_int_equal(sign(code, pin_now, "--pin-stdin --yes", &out), 3);
	assert_non_null(strstr(out, "daha önce kullanılmış"));
	free(out);
}

static void test_declined_then_accepted(void **state)
{
	char id[64], code[64], st[32], ev[32];
	struct browser b;
	char *out;

	assert_int_equal(browser_open(&b, &S), 0);
	start(&b, "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", id, code);
	/* "h" at the confirmation (the answer comes from stdin without a tty) */
	assert_int_equal(sign(code, "h", "", &out), 8);
	assert_non_null(strstr(out, "İşlem iptal edildi."));
	free(out);
	page(&b, id, st, ev);
	assert_string_equal(st, "code_used");
	assert_string_equal(ev, "declined");
	assert_int_equal(sign(code, pin_now, "--pin-stdin --yes", &out), 0);
	free(out);
	page(&b, id, st, ev);
	assert_string_equal(st, "signed");
	assert_int_equal(browser_refresh(&b), 0);
}

/* One pin-reset from the İşlemler page of a logged-in browser. */
static void reset_ok(struct browser *b, const char *new_pin)
{
	char id[64], code[64], st[32], ev[32];
	char *out;

	start(b, "{\"purpose\":\"pin-reset\"}", id, code);
	if (pin_cmd(code, new_pin, NULL, "--yes", &out) != 0)
		fail_msg("eimza pin: %s", out);
	assert_non_null(strstr(out, "PIN işleminiz tamamlanmıştır."));
	free(out);
	page(b, id, st, ev);
	assert_string_equal(st, "signed");
	snprintf(pin_now, sizeof(pin_now), "%s", new_pin);
}

static void test_pin_reset_interrupted(void **state)
{
	static const char *const stops[] = { "release", "user-pin", "so-pin" };
	static const char *const pins[] = { "271828", "314159", "161803", "141421" };
	char id[64], code[64], st[32], ev[32];
	struct browser b, check;
	char *out;

	login(&b);
	/* the PIN's rules: refused before the code is claimed */
	start(&b, "{\"purpose\":\"pin-reset\"}", id, code);
	assert_int_equal(pin_cmd(code, "123456", NULL, "--yes", &out), 5);
	assert_non_null(strstr(out, "ardışık"));
	free(out);
	assert_int_equal(pin_cmd(code, "777777", NULL, "--yes", &out), 5);
	assert_non_null(strstr(out, "aynı rakamın"));
	free(out);
	assert_int_equal(pin_cmd(code, "12a456", NULL, "--yes", &out), 5);
	free(out);
	assert_int_equal(pin_cmd(code, "35791", NULL, "--yes", &out), 5);
	assert_non_null(strstr(out, "6 ile 8 hane"));
	free(out);
	page(&b, id, st, ev);
	assert_string_equal(st, "waiting");
	/* a login code is not for eimza pin, nor a pin-reset code for sign */
	assert_int_equal(sign(code, pin_now, "--pin-stdin --yes", &out), 3);
	assert_non_null(strstr(out, "eimza pin"));
	free(out);
	/* interrupted after the claim ("no" at the confirmation): the same
	 * code goes on */
	assert_int_equal(pin_cmd(code, pins[0], NULL, "", &out), 8);
	free(out);
	page(&b, id, st, ev);
	assert_string_equal(ev, "declined");
	assert_int_equal(pin_cmd(code, pins[0], NULL, "--yes", &out), 0);
	free(out);
	snprintf(pin_now, sizeof(pin_now), "%s", pins[0]);
	login(&check);

	/* interrupted at each step, then a new code succeeds */
	for (size_t i = 0; i < 3; i++) {
		start(&b, "{\"purpose\":\"pin-reset\"}", id, code);
		assert_int_equal(pin_cmd(code, "246813", stops[i], "--yes", &out), 1);
		assert_non_null(strstr(out, "test için durduruldu"));
		free(out);
		/* the code is spent once the SO PIN was given */
		assert_int_equal(pin_cmd(code, "246813", NULL, "--yes", &out), 3);
		free(out);
		reset_ok(&b, pins[i + 1]);
		login(&check);	/* the new PIN works */
	}
}

/* The SO PIN steps over HTTP, as an application would make them. */
static void test_so_pin_steps(void **state)
{
	char id[64], code[64], token[128], so[64], body[256], *out, *log;
	struct browser b;
	struct resp r;
	const char *ct[] = { "Content-Type: application/json", NULL };
	char url[160];
	size_t len;

	login(&b);
	start(&b, "{\"purpose\":\"pin-reset\"}", id, code);
	snprintf(url, sizeof(url), "%s/api/v1/app/claim", S.url);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	assert_int_equal(http_do("POST", url, body, strlen(body), ct, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	json_field(r.body, "token", token, sizeof(token));
	assert_non_null(strstr(r.body, "\"purpose\":\"pin-reset\""));
	resp_done(&r);
	snprintf(url, sizeof(url), "%s/api/v1/app/pin", S.url);
	/* out of order, another holder's card, an unknown card */
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"step\":\"so_changing\"}", token);
	assert_int_equal(http_do("POST", url, body, strlen(body), ct, NULL, &r), 0);
	assert_int_equal(r.status, 409);
	assert_non_null(strstr(r.body, "pin_reset_state"));
	resp_done(&r);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"step\":\"release\",\"card\":\"DEMO-0002\"}",
		 token);
	assert_int_equal(http_do("POST", url, body, strlen(body), ct, NULL, &r), 0);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "card_mismatch"));
	resp_done(&r);
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"step\":\"release\",\"card\":\"NOPE\"}", token);
	assert_int_equal(http_do("POST", url, body, strlen(body), ct, NULL, &r), 0);
	assert_int_equal(r.status, 403);
	resp_done(&r);
	/* the card's SO PIN, once */
	snprintf(body, sizeof(body), "{\"token\":\"%s\",\"step\":\"release\",\"card\":\"DEMO-0001\"}",
		 token);
	assert_int_equal(http_do("POST", url, body, strlen(body), ct, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(json_field(r.body, "pin", so, sizeof(so)));
	assert_int_equal(strlen(so), 16);
	assert_non_null(strstr(r.body, "\"id\":\"current\""));
	resp_done(&r);
	assert_int_equal(http_do("POST", url, body, strlen(body), ct, NULL, &r), 0);
	assert_int_equal(r.status, 409);
	assert_non_null(strstr(r.body, "pin_reset_used"));
	resp_done(&r);
	/* the code cannot be claimed again now */
	snprintf(url, sizeof(url), "%s/api/v1/app/claim", S.url);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	assert_int_equal(http_do("POST", url, body, strlen(body), ct, NULL, &r), 0);
	assert_int_equal(r.status, 409);
	resp_done(&r);
	/* the SO PIN is nowhere in the server's log or audit log */
	assert_int_equal(read_file(S.log, 16 << 20, &log, &len), 0);
	assert_null(strstr(log, so));
	free(log);
	assert_int_equal(run_cmd(&out, "%s --data %s audit list", bin_path("eonayctl"), data), 0);
	assert_null(strstr(out, so));
	assert_non_null(strstr(out, "pin.release"));
	free(out);
	/* the card still opens with the PIN the tests gave it last (nothing
	 * was changed on it): a new reset works */
	reset_ok(&b, "592653");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_pin_then_right),
		cmocka_unit_test(test_declined_then_accepted),
		cmocka_unit_test(test_pin_reset_interrupted),
		cmocka_unit_test(test_so_pin_steps),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
