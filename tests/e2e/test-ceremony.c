/* test-ceremony.c - the signing ceremony end to end: a real eonayd, the
 * demo world on SoftHSM made by the real eonayctl, a browser emulated over
 * HTTP, and the real eimza binary typing the code and signing on the card. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/checkdigit.h"
#include "harness.h"

#define AHMET "10000000146"
#define AYSE "10000000078"

static struct srv S;
static const char *data, *conf;

static int group_setup(void **state)
{
	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	conf = demo_world(data);
	if (!conf)
		return -1;
	return srv_start(&S, data, NULL);
}

static int group_teardown(void **state)
{
	srv_stop(&S, false);
	tmpdir_remove(data);
	return 0;
}

/* Runs eimza sign with the demo PIN; returns its exit code, output in *out. */
static int eimza_sign(const char *code, const char *token, const char *save, char **out)
{
	return run_cmd(out, "printf '123456\\n' | SOFTHSM2_CONF=%s %s sign --server %s --code '%s'"
			    " --pin-stdin --yes%s%s%s%s",
		       conf, bin_path("eimza"), S.url, code, token ? " --token " : "",
		       token ? token : "", save ? " --save " : "", save ? save : "");
}

/* Starts a signing session; fills id and code. */
static void start(struct browser *b, const char *body, char id[64], char code[64])
{
	struct resp r;

	assert_int_equal(browser_call(b, "POST", "/api/v1/signing", body, &r), 0);
	if (r.status != 201)
		fail_msg("start: %ld %s", r.status, r.body);
	json_field(r.body, "id", id, 64);
	json_field(r.body, "code", code, 64);
	assert_int_equal(strlen(code), 16);
	resp_done(&r);
}

static void wait_state(struct browser *b, const char *id, const char *seen, struct resp *r)
{
	char path[256];

	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s%s%s", id, seen ? "&state=" : "",
		 seen ? seen : "");
	assert_int_equal(browser_call(b, "GET", path, NULL, r), 0);
	assert_int_equal(r->status, 200);
}

struct poller {
	struct browser *b;
	const char *id;
	struct resp r;
};

static void *poll_thread(void *p)
{
	struct poller *pl = p;
	char path[256];

	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s&state=waiting", pl->id);
	browser_call(pl->b, "GET", path, NULL, &pl->r);
	return NULL;
}

static void login(struct browser *b, const char *tckn)
{
	char id[64], code[64], body[128], st[32];
	struct resp r;
	char *out;

	snprintf(body, sizeof(body), "{\"purpose\":\"login\",\"tckn\":\"%s\"}", tckn);
	start(b, body, id, code);
	assert_int_equal(eimza_sign(code, NULL, NULL, &out), 0);
	free(out);
	wait_state(b, id, "code_used", &r);
	assert_string_equal(json_field(r.body, "state", st, sizeof(st)), "signed");
	resp_done(&r);
	assert_int_equal(browser_refresh(b), 0);
}

static void test_login_by_e_signature(void **state)
{
	char id[64], code[64], st[32], auth[16], save[300];
	struct poller pl;
	pthread_t t;
	struct browser b;
	struct resp r;
	char *out, *old_cookie;

	assert_int_equal(browser_open(&b, &S), 0);
	old_cookie = strdup(b.cookie);
	start(&b, "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", id, code);

	/* The page is waiting on the long-poll while the holder signs. */
	pl = (struct poller){ .b = &b, .id = id };
	pthread_create(&t, NULL, poll_thread, &pl);
	snprintf(save, sizeof(save), "%s/login.p7s", data);
	assert_int_equal(eimza_sign(code, NULL, save, &out), 0);
	assert_non_null(strstr(out, "İşleminiz Başarılıdır."));
	assert_non_null(strstr(out, "Giriş işleminiz tamamlanmıştır."));
	assert_non_null(strstr(out, "Kullanıcı servislerine elektronik imzalı olarak girme işlemi onaylıyorum."));
	assert_non_null(strstr(out, "İmzalanacak Metin 1"));
	assert_non_null(strstr(out, "127.0.0.1"));	/* where the session was started */
	free(out);
	pthread_join(t, NULL);
	assert_int_equal(pl.r.status, 200);
	json_field(pl.r.body, "state", st, sizeof(st));
	assert_true(streq_any(st, "code_used", "signed"));
	if (strcmp(st, "signed") == 0) {
		/* eimza was quicker than the page (a slow or loaded machine):
		 * this wait already logged the browser in with a new cookie. */
		assert_string_equal(json_field(pl.r.body, "authenticated", auth, sizeof(auth)),
				    "true");
		resp_done(&pl.r);
	} else {
		resp_done(&pl.r);

		/* The login was applied when the signature was accepted: an
		 * answer lost on the way (its new cookie never stored) loses
		 * nothing, the next wait gives the same cookie again. */
		struct browser lost = b;
		wait_state(&lost, id, "code_used", &r);
		assert_string_equal(json_field(r.body, "authenticated", auth, sizeof(auth)),
				    "true");
		resp_done(&r);
		assert_string_not_equal(lost.cookie, old_cookie);
		assert_string_equal(b.cookie, old_cookie);

		/* The next wait says signed and logs the browser in with a new cookie. */
		wait_state(&b, id, "code_used", &r);
		assert_string_equal(json_field(r.body, "state", st, sizeof(st)), "signed");
		assert_string_equal(json_field(r.body, "authenticated", auth, sizeof(auth)), "true");
		resp_done(&r);
		assert_string_equal(b.cookie, lost.cookie);
	}
	assert_string_not_equal(b.cookie, old_cookie);
	assert_int_equal(browser_refresh(&b), 0);
	assert_int_equal(browser_call(&b, "GET", "/api/v1/session", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"authenticated\":true"));
	assert_non_null(strstr(r.body, "\"tckn\":\"" AHMET "\""));
	resp_done(&r);

	/* The old cookie is worthless now. */
	struct browser old = b;
	snprintf(old.cookie, sizeof(old.cookie), "%s", old_cookie);
	assert_int_equal(browser_call(&old, "GET", "/api/v1/session", NULL, &r), 0);
	assert_int_equal(r.status, 401);
	resp_done(&r);
	free(old_cookie);

	/* The saved signed content verifies offline against the root. */
	assert_int_equal(run_cmd(&out, "%s verify --ca %s/pki/root.crt %s", bin_path("eimza"), data,
				 save), 0);
	assert_non_null(strstr(out, "TOTAL-PASSED"));
	free(out);
}

static void test_eonay_give_and_cancel(void **state)
{
	char id[64], code[64], id2[64], code2[64], st[32], rc[64];
	struct browser b;
	struct resp r;
	char *out;

	assert_int_equal(browser_open(&b, &S), 0);
	login(&b, AHMET);

	assert_int_equal(browser_call(&b, "GET", "/api/v1/eonay", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "\"active\":false"));
	resp_done(&r);

	/* Without accepting the explanation there is no code. */
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing", "{\"purpose\":\"eonay-give\"}", &r), 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "not_accepted"));
	resp_done(&r);

	/* Two gives in flight (say, two tabs): both start while none is active. */
	start(&b, "{\"purpose\":\"eonay-give\",\"accepted\":true,\"explanation_version\":1}", id, code);
	start(&b, "{\"purpose\":\"eonay-give\",\"accepted\":true,\"explanation_version\":1}", id2, code2);
	assert_int_equal(eimza_sign(code, NULL, NULL, &out), 0);
	assert_non_null(strstr(out, "bundan sonra yapacağım NES başvurularımın"));
	free(out);
	wait_state(&b, id, "code_used", &r);
	assert_string_equal(json_field(r.body, "state", st, sizeof(st)), "signed");
	resp_done(&r);
	/* The second is refused when its signature is accepted, and its page says why. */
	assert_int_not_equal(eimza_sign(code2, NULL, NULL, &out), 0);
	assert_non_null(strstr(out, "E-Onay'ınız zaten etkin."));
	free(out);
	wait_state(&b, id2, "code_used", &r);
	assert_string_equal(json_field(r.body, "state", st, sizeof(st)), "rejected");
	assert_string_equal(json_field(r.body, "code", rc, sizeof(rc)), "eonay_already_active");
	resp_done(&r);

	assert_int_equal(browser_call(&b, "GET", "/api/v1/eonay", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"active\":true"));
	assert_non_null(strstr(r.body, "\"action\":\"give\""));
	assert_non_null(strstr(r.body, "\"signed_content\":\"MI"));
	resp_done(&r);

	/* Giving twice is refused; cancelling is a signed act too. */
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing",
				      "{\"purpose\":\"eonay-give\",\"accepted\":true,\"explanation_version\":1}", &r), 0);
	assert_int_equal(r.status, 409);
	resp_done(&r);
	start(&b, "{\"purpose\":\"eonay-cancel\"}", id, code);
	assert_int_equal(eimza_sign(code, NULL, NULL, &out), 0);
	free(out);
	wait_state(&b, id, "code_used", &r);
	assert_string_equal(json_field(r.body, "state", st, sizeof(st)), "signed");
	resp_done(&r);
	assert_int_equal(browser_call(&b, "GET", "/api/v1/eonay", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"active\":false"));
	assert_non_null(strstr(r.body, "\"action\":\"cancel\""));
	assert_non_null(strstr(r.body, "\"action\":\"give\""));
	resp_done(&r);

	/* The store says the same to the back office. */
	assert_int_equal(run_cmd(&out, "%s --data %s eonay status " AHMET, bin_path("eonayctl"), data), 0);
	assert_non_null(strstr(out, "not active"));
	assert_non_null(strstr(out, "cancel"));
	assert_non_null(strstr(out, "give"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s audit verify", bin_path("eonayctl"), data), 0);
	free(out);
}

static void test_on_hold_card_is_refused(void **state)
{
	char id[64], code[64], st[32], rc[64];
	struct browser b;
	struct resp r;
	char *out;

	assert_int_equal(browser_open(&b, &S), 0);
	start(&b, "{\"purpose\":\"login\",\"tckn\":\"" AYSE "\"}", id, code);
	assert_int_equal(eimza_sign(code, NULL, NULL, &out), 4);
	assert_non_null(strstr(out, "Sertifikanız askıda"));
	free(out);
	wait_state(&b, id, "code_used", &r);
	assert_string_equal(json_field(r.body, "state", st, sizeof(st)), "rejected");
	assert_string_equal(json_field(r.body, "code", rc, sizeof(rc)), "cert_on_hold");
	resp_done(&r);
	assert_int_equal(browser_call(&b, "GET", "/api/v1/session", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"authenticated\":false"));
	resp_done(&r);
}

static void test_wrong_pin(void **state)
{
	char id[64], code[64];
	struct browser b;
	char *out;

	assert_int_equal(browser_open(&b, &S), 0);
	start(&b, "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", id, code);
	assert_int_equal(run_cmd(&out, "printf '999999\\n' | SOFTHSM2_CONF=%s %s sign --server %s"
				       " --code %s --pin-stdin --yes", conf, bin_path("eimza"), S.url, code),
			 5);
	assert_non_null(strstr(out, "PIN hatalı"));
	assert_null(strstr(out, "999999"));
	free(out);
}

static void test_certs_and_usage(void **state)
{
	char *out;

	assert_int_equal(run_cmd(&out, "SOFTHSM2_CONF=%s %s certs", conf, bin_path("eimza")), 0);
	assert_non_null(strstr(out, "DEMO-0001"));
	assert_non_null(strstr(out, "AHMET YILMAZ"));
	assert_non_null(strstr(out, "AYŞE DEMİR"));
	free(out);
	/* plain http to another machine is refused before anything is sent */
	assert_int_equal(run_cmd(&out, "%s sign --server http://192.0.2.1 --code 1", bin_path("eimza")), 2);
	assert_non_null(strstr(out, "https"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s sign --code 1", bin_path("eimza")), 2);
	free(out);
}

/* https: the server certificate is verified (an unknown one is refused). */
static void test_https_is_verified(void **state)
{
	char *out, code[17] = "424242424242424";
	int port = free_port();

	code[15] = (char)checkdigit_compute(code, 15);
	code[16] = 0;
	assert_int_equal(run_cmd(&out, "cd %s && openssl req -x509 -newkey ec -pkeyopt"
				       " ec_paramgen_curve:P-256 -nodes -keyout tls.key -out tls.crt -days 1"
				       " -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1", data), 0);
	free(out);
	assert_int_equal(run_cmd(&out, "cd %s && (openssl s_server -quiet -accept 127.0.0.1:%d -cert"
				       " tls.crt -key tls.key -www -naccept 1 </dev/zero >/dev/null 2>&1 & echo $! > s_server.pid)"
				       " && for i in $(seq 100); do grep -q ':%04X 00000000:0000 0A'"
				       " /proc/net/tcp && break; sleep 0.05; done", data, port, port), 0);
	free(out);
	/* an unknown certificate: refused before anything is sent */
	/* (with the card: eimza checks the card before it sends the code) */
	assert_int_equal(run_cmd(&out, "SOFTHSM2_CONF=%s %s sign --server https://127.0.0.1:%d --code %s"
				       " --yes --pin-stdin </dev/null", conf, bin_path("eimza"), port, code), 7);
	if (!strstr(out, "ulaşılamadı") || !strstr(out, "certificate"))
		fail_msg("eimza said: %s", out);
	free(out);
	run_cmd(&out, "kill $(cat %s/s_server.pid)", data);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_login_by_e_signature),
		cmocka_unit_test(test_eonay_give_and_cancel),
		cmocka_unit_test(test_on_hold_card_is_refused),
		cmocka_unit_test(test_wrong_pin),
		cmocka_unit_test(test_certs_and_usage),
		cmocka_unit_test(test_https_is_verified),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
