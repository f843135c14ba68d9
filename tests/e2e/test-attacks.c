/* test-attacks.c - the attack suite of the signing ceremony.  Each case is
 * refused with its own error code, and no login, consent or certificate
 * change results from it.  Signatures of arbitrary texts are made here
 * with the real cards (SoftHSM, PKCS#11) and the PKI library, as an
 * attacker with a card and a modified application could. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/checkdigit.h"
#include "common/util.h"
#include "harness.h"
#include "pki/ca.h"
#include "pki/cades.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "pki/p11.h"
#include "pki/profile.h"

#define AHMET "10000000146"
#define AYSE "10000000078"
#define MEHMET "10000000214"	/* a third holder, active card DEMO-0003 */
#define FATMA "10000000382"	/* a fourth holder, card DEMO-0004, revoked */
#define LOGIN_TEXT "Kullanıcı servislerine elektronik imzalı olarak girme işlemi onaylıyorum."

static struct srv S;
static const char *data, *conf;

static int ctl(const char *args)
{
	char *out;
	int st = run_cmd(&out, "SOFTHSM2_CONF=%s %s --data %s %s", conf, bin_path("eonayctl"), data, args);

	if (st != 0)
		fprintf(stderr, "eonayctl %s: %s\n", args, out);
	free(out);
	return st;
}

static int group_setup(void **state)
{
	char serial[80], *out;

	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	conf = demo_world(data);
	if (!conf)
		return -1;
	setenv("SOFTHSM2_CONF", conf, 1);
	if (ctl("holder add " MEHMET " MEHMET KAYA") || ctl("holder add " FATMA " FATMA ŞAHİN") ||
	    ctl("card issue --tckn " MEHMET " --label DEMO-0003 --pin 123456 --active") ||
	    ctl("card issue --tckn " FATMA " --label DEMO-0004 --pin 123456 --active"))
		return -1;
	/* Revoke Fatma's certificate. */
	if (run_cmd(&out, "%s --data %s cert list " FATMA, bin_path("eonayctl"), data) != 0)
		return -1;
	sscanf(out, "%79s", serial);
	free(out);
	char args[200];
	snprintf(args, sizeof(args), "cert revoke %s keyCompromise", serial);
	if (ctl(args))
		return -1;
	return srv_start(&S, data, (const char *const[]){ "--set", "codes.claims_per_client=1000",
				"--set", "codes.starts_per_client=1000", "--set", "codes.starts_per_holder=1000",
				"--set", "session.creates_per_client=1000", NULL });
}

static int group_teardown(void **state)
{
	srv_stop(&S, false);
	tmpdir_remove(data);
	return 0;
}

/* A CAdES signature of text with the key on the card labelled label. */
static char *card_sign(const char *label, const char *text)
{
	struct p11_cert_info *certs = NULL;
	struct p11_ctx *p11 = NULL;
	EVP_PKEY *key = NULL;
	unsigned char *der = NULL;
	char *b64 = NULL;
	size_t n = 0, len = 0;

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
	return b64;
}

/* A signature by a certificate for AHMET from a CA nobody trusts. */
static char *foreign_sign(const char *text)
{
	struct pki_ca_config cfg;
	struct pki_ca *ca = NULL;
	EVP_PKEY *key = NULL;
	X509 *cert = NULL;
	unsigned char *der = NULL;
	char dir[300], *b64 = NULL;
	size_t len = 0;

	snprintf(dir, sizeof(dir), "%s/rogue-ca", data);
	pki_ca_config_init_defaults(&cfg);
	cfg.root_cn = "Rogue Root";
	assert_int_equal(pki_ca_init(&cfg, dir, "rogue-pass"), 0);
	assert_int_equal(pki_ca_load(dir, "rogue-pass", &ca), 0);
	assert_int_equal(pki_key_generate("ec:P-256", &key), 0);
	struct pki_holder_req req = { .tckn = AHMET, .given_name = "AHMET", .surname = "YILMAZ",
				      .not_before = now_sec() - 60, .not_after = now_sec() + 86400 };
	assert_int_equal(pki_cert_issue_holder(ca, key, &req, &cert, NULL), 0);
	assert_int_equal(cades_sign(key, cert, NULL, text, strlen(text), &der, &len), 0);
	assert_int_equal(base64_encode(der, len, &b64), 0);
	free(der);
	X509_free(cert);
	EVP_PKEY_free(key);
	pki_ca_free(ca);
	return b64;
}

struct sess {
	char id[64], code[64], token[128], text[1024];
};

static void start(struct browser *b, const char *body, struct sess *s)
{
	struct resp r;

	assert_int_equal(browser_call(b, "POST", "/api/v1/signing", body, &r), 0);
	if (r.status != 201)
		fail_msg("start: %ld %s", r.status, r.body);
	json_field(r.body, "id", s->id, sizeof(s->id));
	json_field(r.body, "code", s->code, sizeof(s->code));
	resp_done(&r);
}

static long app_post(const char *path, const char *body, struct resp *r)
{
	static const char *const h[] = { "Content-Type: application/json", NULL };
	char url[256];

	snprintf(url, sizeof(url), "%s%s", S.url, path);
	assert_int_equal(http_do("POST", url, body, strlen(body), h, NULL, r), 0);
	return r->status;
}

/* Claims a session; fills token and the first text (JSON-unescaped). */
static void claim(struct sess *s)
{
	char body[128];
	struct resp r;
	json_error_t e;
	json_t *o;

	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", s->code);
	assert_int_equal(app_post("/api/v1/app/claim", body, &r), 200);
	o = json_loads(r.body, 0, &e);
	assert_non_null(o);
	snprintf(s->token, sizeof(s->token), "%s", json_string_value(json_object_get(o, "token")));
	snprintf(s->text, sizeof(s->text), "%s",
		 json_string_value(json_array_get(json_object_get(o, "texts"), 0)));
	json_decref(o);
	resp_done(&r);
}

static void expect_claim_error(const char *code, long status, const char *error)
{
	char body[128], want[96];
	struct resp r;

	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
	assert_int_equal(app_post("/api/v1/app/claim", body, &r), status);
	snprintf(want, sizeof(want), "\"code\":\"%s\"", error);
	if (!strstr(r.body, want))
		fail_msg("expected %s, got %s", error, r.body);
	resp_done(&r);
}

/* Submits one signature; checks the refusal code (NULL: accepted). */
static void submit(const struct sess *s, const char *sig_b64, long status, const char *error)
{
	char *body = strdup_printf("{\"token\":\"%s\",\"signatures\":[\"%s\"]}", s->token, sig_b64);
	char want[96];
	struct resp r;

	assert_int_equal(app_post("/api/v1/app/submit", body, &r), status);
	if (error) {
		snprintf(want, sizeof(want), "\"code\":\"%s\"", error);
		if (!strstr(r.body, want))
			fail_msg("expected %s, got %s", error, r.body);
	}
	resp_done(&r);
	free(body);
}

static void assert_not_logged_in(struct browser *b)
{
	struct resp r;

	assert_int_equal(browser_call(b, "GET", "/api/v1/session", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"authenticated\":false"));
	resp_done(&r);
}

static void login_session(struct browser *b, struct sess *s, const char *tckn)
{
	char body[96];

	assert_int_equal(browser_open(b, &S), 0);
	snprintf(body, sizeof(body), "{\"purpose\":\"login\",\"tckn\":\"%s\"}", tckn);
	start(b, body, s);
}

/* A login for tckn answered with a signature of the session's text by the
 * card (NULL: by a certificate of a rogue CA): refused with error. */
static void refused_login(const char *tckn, const char *card, long status, const char *error)
{
	struct browser b;
	struct sess s;
	char *sig;

	login_session(&b, &s, tckn);
	claim(&s);
	sig = card ? card_sign(card, s.text) : foreign_sign(s.text);
	submit(&s, sig, status, error);
	free(sig);
	assert_not_logged_in(&b);
}

/* A proper login with Ahmet's card; returns the accepted signature. */
static char *card_login(struct browser *b, struct sess *s)
{
	struct resp r;
	char *sig, path[128];

	login_session(b, s, AHMET);
	claim(s);
	sig = card_sign("DEMO-0001", s->text);
	submit(s, sig, 200, NULL);
	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s", s->id);
	assert_int_equal(browser_call(b, "GET", path, NULL, &r), 0);
	resp_done(&r);
	assert_int_equal(browser_refresh(b), 0);
	return sig;
}

/* 1 */
static void test_wrong_check_digit(void **state)
{
	struct browser b;
	struct sess s;
	char *out;

	login_session(&b, &s, AHMET);
	s.code[15] = s.code[15] == '0' ? '1' : '0';
	expect_claim_error(s.code, 400, "code_typo");
	/* eimza tells it before asking the server */
	assert_int_equal(run_cmd(&out, "%s sign --server %s --code %s --yes --pin-stdin </dev/null",
				 bin_path("eimza"), S.url, s.code), 3);
	assert_non_null(strstr(out, "hatalı"));
	free(out);
	assert_not_logged_in(&b);
}

/* 2 */
static void test_unknown_code(void **state)
{
	char code[17] = "123456789012345";

	code[15] = (char)checkdigit_compute(code, 15);
	expect_claim_error(code, 404, "code_unknown");
}

/* 3 */
static void test_reused_code(void **state)
{
	struct browser b;
	struct sess s;

	struct resp r;
	char old[sizeof(s.token)], *body;

	login_session(&b, &s, AHMET);
	claim(&s);
	/* from another address the claimed code is used */
	http_set_source("127.0.0.2");
	expect_claim_error(s.code, 409, "code_used");
	http_set_source(NULL);
	/* from the same address it may be claimed again (a wrong PIN, a "no"
	 * must not burn it): a new token, and the old one is dead */
	snprintf(old, sizeof(old), "%s", s.token);
	claim(&s);
	assert_string_not_equal(old, s.token);
	body = strdup_printf("{\"token\":\"%s\",\"signatures\":[\"AA==\"]}", old);
	assert_int_equal(app_post("/api/v1/app/submit", body, &r), 403);
	assert_non_null(strstr(r.body, "token_invalid"));
	resp_done(&r);
	free(body);
	/* a refused signature closes the session: then the code is used */
	submit(&s, "!!!not base64!!!", 400, "signature_malformed");
	expect_claim_error(s.code, 409, "code_used");
}

/* 4 */
static void test_replaced_code(void **state)
{
	struct browser b;
	struct sess s;
	struct resp r;
	char body[96];

	login_session(&b, &s, AHMET);
	snprintf(body, sizeof(body), "{\"id\":\"%s\"}", s.id);
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing/renew", body, &r), 0);
	assert_int_equal(r.status, 201);
	resp_done(&r);
	expect_claim_error(s.code, 410, "code_replaced");
}

/* 5 */
static void test_expired_code(void **state)
{
	struct srv s2;
	struct browser b;
	struct sess s;
	struct resp r;
	char body[96], url[128];
	static const char *const h[] = { "Content-Type: application/json", NULL };

	/* A second server on the same data with 5-second codes. */
	assert_int_equal(srv_start(&s2, data, (const char *const[]){ "--set", "codes.lifetime=5", NULL }), 0);
	assert_int_equal(browser_open(&b, &s2), 0);
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing",
				      "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", &r), 0);
	json_field(r.body, "code", s.code, sizeof(s.code));
	resp_done(&r);
	sleep(6);
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", s.code);
	snprintf(url, sizeof(url), "%s/api/v1/app/claim", s2.url);
	assert_int_equal(http_do("POST", url, body, strlen(body), h, NULL, &r), 0);
	assert_int_equal(r.status, 410);
	assert_non_null(strstr(r.body, "code_expired"));
	resp_done(&r);
	srv_stop(&s2, false);
}

/* 6 */
static void test_other_holders_certificate(void **state)
{
	refused_login(AHMET, "DEMO-0003", 403, "signer_mismatch");	/* Mehmet signs */
}

/* 7 */
static void test_certificate_on_hold(void **state)
{
	refused_login(AYSE, "DEMO-0002", 403, "cert_on_hold");
}

/* 8 */
static void test_revoked_certificate(void **state)
{
	refused_login(FATMA, "DEMO-0004", 403, "cert_revoked");
}

/* 9 */
static void test_unknown_ca(void **state)
{
	refused_login(AHMET, NULL, 403, "cert_unknown");
}

/* 10 */
static void test_content_altered_by_one_byte(void **state)
{
	struct browser b;
	struct sess s;
	char *sig;

	login_session(&b, &s, AHMET);
	claim(&s);
	s.text[3] ^= 1;
	sig = card_sign("DEMO-0001", s.text);
	submit(&s, sig, 422, "content_mismatch");
	free(sig);
	assert_not_logged_in(&b);
}

/* 11 */
static void test_login_text_signed_for_consent(void **state)
{
	struct browser b;
	struct sess login, consent;
	struct resp r;
	char *sig;

	/* Log in properly first, then ask for an E-Onay code ... */
	free(card_login(&b, &login));
	start(&b, "{\"purpose\":\"eonay-give\",\"accepted\":true,\"explanation_version\":1}", &consent);
	claim(&consent);
	/* ... and sign the login text (a fresh signature: another second) instead. */
	sleep(1);
	sig = card_sign("DEMO-0001", login.text);
	submit(&consent, sig, 422, "content_mismatch");
	free(sig);
	assert_int_equal(browser_call(&b, "GET", "/api/v1/eonay", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"active\":false"));
	resp_done(&r);
}

/* 12 */
static void test_login_signature_replayed_as_consent(void **state)
{
	struct browser b;
	struct sess login, consent;
	char *sig;

	sig = card_login(&b, &login);
	start(&b, "{\"purpose\":\"eonay-give\",\"accepted\":true,\"explanation_version\":1}", &consent);
	claim(&consent);
	submit(&consent, sig, 409, "signature_replayed");
	free(sig);
}

/* 13 */
static void test_same_signature_twice(void **state)
{
	struct browser b1, b2;
	struct sess a, c;
	char *sig;

	sig = card_login(&b1, &a);
	login_session(&b2, &c, AHMET);
	claim(&c);
	submit(&c, sig, 409, "signature_replayed");
	free(sig);
	assert_not_logged_in(&b2);
}

/* 14 */
static void test_signature_for_session_a_sent_to_b(void **state)
{
	struct browser b1, b2;
	struct sess a, c;
	char *sig;

	login_session(&b1, &a, AHMET);
	login_session(&b2, &c, AHMET);
	claim(&a);
	claim(&c);
	sig = card_sign("DEMO-0001", a.text);	/* made for A, never sent to A */
	submit(&c, sig, 422, "content_mismatch");
	free(sig);
	assert_not_logged_in(&b2);
}

/* 15 */
static void test_submit_after_session_closed(void **state)
{
	struct browser b;
	struct sess s;
	char *sig, *sig2;

	login_session(&b, &s, AHMET);
	claim(&s);
	sig = card_sign("DEMO-0001", s.text);
	sig2 = card_sign("DEMO-0001", s.text);
	submit(&s, sig, 200, NULL);
	submit(&s, sig2, 409, "session_closed");
	free(sig);
	free(sig2);
}

/* 16 */
static void test_bad_token(void **state)
{
	struct sess s = { .token = "not-a-token" };

	submit(&s, "MAA=", 403, "token_invalid");
}

/* 17 */
static void test_garbage_and_count(void **state)
{
	struct browser b;
	struct sess s;
	struct resp r;
	char *body;

	login_session(&b, &s, AHMET);
	claim(&s);
	body = strdup_printf("{\"token\":\"%s\",\"signatures\":[]}", s.token);
	assert_int_equal(app_post("/api/v1/app/submit", body, &r), 400);
	assert_non_null(strstr(r.body, "signature_count"));
	resp_done(&r);
	free(body);
	/* the count refusal closed the session; a new one for garbage */
	login_session(&b, &s, AHMET);
	claim(&s);
	submit(&s, "!!!not base64!!!", 400, "signature_malformed");
	login_session(&b, &s, AHMET);
	claim(&s);
	submit(&s, "MIIBAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", 422, "signature_invalid");
	assert_not_logged_in(&b);
}

/* 18 */
static void test_cookie_after_logout(void **state)
{
	struct browser b, stolen;
	struct sess s;
	struct resp r;

	free(card_login(&b, &s));
	stolen = b;
	assert_int_equal(browser_call(&b, "DELETE", "/api/v1/session", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	resp_done(&r);
	assert_int_equal(browser_call(&stolen, "GET", "/api/v1/eonay", NULL, &r), 0);
	assert_int_equal(r.status, 401);
	resp_done(&r);
}

/* 19 */
static void test_csrf_required(void **state)
{
	struct browser b;
	struct resp r;

	assert_int_equal(browser_open(&b, &S), 0);
	snprintf(b.csrf, sizeof(b.csrf), "forged");
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing",
				      "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", &r), 0);
	assert_int_equal(r.status, 403);
	assert_non_null(strstr(r.body, "\"code\":\"csrf\""));
	resp_done(&r);
}

/* 20 */
static void test_wait_from_another_browser(void **state)
{
	struct browser b, other;
	struct sess s;
	struct resp r;
	char path[128];

	login_session(&b, &s, AHMET);
	assert_int_equal(browser_open(&other, &S), 0);
	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s", s.id);
	assert_int_equal(browser_call(&other, "GET", path, NULL, &r), 0);
	assert_int_equal(r.status, 404);
	resp_done(&r);
}

/* 21 */
static void test_brute_force_hits_rate_limit(void **state)
{
	struct srv s2;
	struct resp r;
	char url[128], code[17] = "000000000000000", body[64];
	static const char *const h[] = { "Content-Type: application/json", NULL };
	int limited = 0;

	assert_int_equal(srv_start(&s2, data, (const char *const[]){ "--set", "codes.claims_per_client=5", NULL }), 0);
	snprintf(url, sizeof(url), "%s/api/v1/app/claim", s2.url);
	for (int i = 0; i < 20; i++) {
		snprintf(code, sizeof(code), "%015d", 424242 + i);
		code[15] = (char)checkdigit_compute(code, 15);
		code[16] = 0;
		snprintf(body, sizeof(body), "{\"code\":\"%s\"}", code);
		assert_int_equal(http_do("POST", url, body, strlen(body), h, NULL, &r), 0);
		if (r.status == 429)
			limited++;
		else
			assert_int_equal(r.status, 404);
		resp_done(&r);
	}
	assert_true(limited >= 14);
	srv_stop(&s2, false);
}

/* 22 */
static void test_oversized_and_garbage_bodies(void **state)
{
	struct resp r;
	char *big = malloc(300000);

	memset(big, 'A', 299999);
	big[299999] = 0;
	assert_int_equal(app_post("/api/v1/app/submit", big, &r), 413);
	resp_done(&r);
	assert_int_equal(app_post("/api/v1/app/claim", "{\"code\":", &r), 400);
	resp_done(&r);
	assert_int_equal(app_post("/api/v1/app/claim", "{\"code\":12}", &r), 400);
	resp_done(&r);
	free(big);
}

/* 23 */
static void test_login_for_bad_tckn(void **state)
{
	struct browser b;
	struct resp r;

	assert_int_equal(browser_open(&b, &S), 0);
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing",
				      "{\"purpose\":\"login\",\"tckn\":\"10000000147\"}", &r), 0);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(r.body, "bad_tckn"));
	resp_done(&r);
	/* E-Onay needs a logged-in holder */
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing", "{\"purpose\":\"eonay-cancel\"}", &r), 0);
	assert_int_equal(r.status, 401);
	resp_done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrong_check_digit),
		cmocka_unit_test(test_unknown_code),
		cmocka_unit_test(test_reused_code),
		cmocka_unit_test(test_replaced_code),
		cmocka_unit_test(test_expired_code),
		cmocka_unit_test(test_other_holders_certificate),
		cmocka_unit_test(test_certificate_on_hold),
		cmocka_unit_test(test_revoked_certificate),
		cmocka_unit_test(test_unknown_ca),
		cmocka_unit_test(test_content_altered_by_one_byte),
		cmocka_unit_test(test_login_text_signed_for_consent),
		cmocka_unit_test(test_login_signature_replayed_as_consent),
		cmocka_unit_test(test_same_signature_twice),
		cmocka_unit_test(test_signature_for_session_a_sent_to_b),
		cmocka_unit_test(test_submit_after_session_closed),
		cmocka_unit_test(test_bad_token),
		cmocka_unit_test(test_garbage_and_count),
		cmocka_unit_test(test_cookie_after_logout),
		cmocka_unit_test(test_csrf_required),
		cmocka_unit_test(test_wait_from_another_browser),
		cmocka_unit_test(test_brute_force_hits_rate_limit),
		cmocka_unit_test(test_oversized_and_garbage_bodies),
		cmocka_unit_test(test_login_for_bad_tckn),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
