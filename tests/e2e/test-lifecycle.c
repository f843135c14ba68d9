/* test-lifecycle.c - the holder's own acts end to end, on SoftHSM: the
 * on-hold demo holder opens her new certificate with Şifreli Giriş and
 * Askıdan İndirme, then logs in by e-signature; suspend ends the portal
 * sessions opened with the certificate and refuses e-signature logins
 * until unsuspended; revocation is final.  After each step `openssl ocsp`
 * and the CRL from its distribution point say the same.  Negative: the
 * lockout and its timing, no enumeration, another holder's certificate,
 * a revoked one; notifications land in the spool.  Last, on a demo world
 * of its own, the whole way of a new card in one flow: on hold, Şifreli
 * Giriş, Askıdan İndirme, a new PIN with `eimza pin`, an e-signature login
 * with it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define AHMET "10000000146"
#define AYSE "10000000078"
#define WORD "elma-armut-42"

static struct srv S;
static const char *data, *conf;
static char ahmet[80], ayse[80];

static void serial_of(const char *tckn, char *ret)
{
	char *out;

	assert_int_equal(run_cmd(&out, "%s --data %s cert list %s", bin_path("eonayctl"), data, tckn), 0);
	assert_int_equal(sscanf(out, "%63s", ret), 1);
	free(out);
}

static int group_setup(void **state)
{
	static const char *const extra[] = { "--set", "notify.interval=1", "--set",
					     "password.lockout_base=2", "--set",
					     "pki.crl_min_interval=1", NULL };
	char *out;

	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	conf = demo_world(data);
	if (!conf)
		return -1;
	serial_of(AHMET, ahmet);
	serial_of(AYSE, ayse);
	if (run_cmd(&out, "cd %s/pki && cat root.crt issuing.crt > chain.pem", data) != 0)
		return -1;
	free(out);
	return srv_start(&S, data, extra);
}

static int group_teardown(void **state)
{
	http_set_source(NULL);
	srv_stop(&S, false);
	tmpdir_remove(data);
	return 0;
}

/* One query on the test's store (its SQLite file, or its database on the
 * PostgreSQL pass): the rows as "a|b|c" lines in *out; the exit status. */
static int store_sql(char **out, const char *sql)
{
	const char *t = store_target(data);

	if (strncmp(t, "postgres", 8) == 0)
		return run_cmd(out, "psql -X -q -At '%s' -c \"%s\"", t, sql);
	return run_cmd(out, "sqlite3 '%s' \"%s\"", t, sql);
}

/* Şifreli Giriş in browser b; returns the status (body in *ret if given). */
static long pw_login(struct browser *b, const char *tckn, const char *word, struct resp *ret)
{
	char body[200];
	struct resp r;
	long st;

	snprintf(body, sizeof(body), "{\"tckn\":\"%s\",\"word\":\"%s\"}", tckn, word);
	assert_int_equal(browser_call(b, "POST", "/api/v1/login/password", body, &r), 0);
	st = r.status;
	if (st == 200)
		assert_int_equal(browser_refresh(b), 0);
	if (ret)
		*ret = r;
	else
		resp_done(&r);
	return st;
}

static void logged_in_by_password(struct browser *b, const char *tckn)
{
	struct resp r;

	assert_int_equal(browser_open(b, &S), 0);
	assert_int_equal(pw_login(b, tckn, WORD, NULL), 200);
	assert_int_equal(browser_call(b, "GET", "/api/v1/session", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"authenticated\":true"));
	assert_non_null(strstr(r.body, "\"login_method\":\"şifre\""));
	resp_done(&r);
}

/* POST /api/v1/certificates/SERIAL/VERB; returns the status. */
static long act(struct browser *b, const char *serial, const char *verb, const char *body,
		char *code, size_t n)
{
	char path[200];
	struct resp r;
	long st;

	snprintf(path, sizeof(path), "/api/v1/certificates/%s/%s", serial, verb);
	assert_int_equal(browser_call(b, "POST", path, body ? body : "{}", &r), 0);
	st = r.status;
	if (code)
		json_field(r.body, "code", code, n);
	resp_done(&r);
	return st;
}

/* openssl ocsp for serial: its one-line status ("good", "revoked", ...). */
static void ocsp_says(const char *serial, const char *want, const char *reason)
{
	char *out;

	assert_int_equal(run_cmd(&out, "cd %s/pki && openssl ocsp -issuer issuing.crt -serial 0x%s"
				       " -url %s/ocsp -CAfile chain.pem", data, serial, S.url), 0);
	assert_non_null(strstr(out, "Response verify OK"));
	if (!strstr(out, want) || (reason && !strstr(out, reason)))
		fail_msg("OCSP for %s: want %s %s, got:\n%s", serial, want, reason ? reason : "", out);
	free(out);
}

/* The CRL from the distribution point, as `openssl crl -text` prints it. */
static char *crl_text(void)
{
	char *out;

	assert_int_equal(run_cmd(&out, "curl -sf -o %s/crl.der %s/crl/issuing.crl && cd %s/pki &&"
				       " openssl crl -inform DER -in ../crl.der -CAfile chain.pem -noout"
				       " -text", data, S.url, data), 0);
	assert_non_null(strstr(out, "verify OK"));
	return out;
}

/* Whether the CRL lists serial (openssl prints it in upper case). */
static bool crl_lists(const char *text, const char *serial)
{
	char up[80];
	size_t i;

	for (i = 0; serial[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)(serial[i] >= 'a' && serial[i] <= 'f' ? serial[i] - 32 : serial[i]);
	up[i] = 0;
	return strstr(text, up) != NULL;
}

/* The CRL once it lists serial (listed) or no longer does: a change is
 * in the CRL after eonayd's next rebuild, seconds later (publish.h). */
static char *crl_until(const char *serial, bool listed)
{
	for (int i = 0; i < 100; i++) {
		char *out = crl_text();

		if (crl_lists(out, serial) == listed)
			return out;
		free(out);
		usleep(200 * 1000);
	}
	fail_msg("the CRL did not %s %s within 20 s", listed ? "list" : "drop", serial);
	return NULL;
}

/* An e-signature login of AYŞE with her card DEMO-0002 and pin: the
 * eimza exit code; b logged in on success. */
static int esign_login_pin(struct browser *b, const char *pin, char **out)
{
	char id[64], code[64], path[200];
	struct resp r;
	int rc;

	assert_int_equal(browser_open(b, &S), 0);
	assert_int_equal(browser_call(b, "POST", "/api/v1/signing",
				      "{\"purpose\":\"login\",\"tckn\":\"" AYSE "\"}", &r), 0);
	assert_int_equal(r.status, 201);
	json_field(r.body, "id", id, sizeof(id));
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);
	rc = run_cmd(out, "printf '%s\\n' | SOFTHSM2_CONF=%s %s sign --server %s --code '%s'"
			  " --token DEMO-0002 --pin-stdin --yes", pin, conf, bin_path("eimza"), S.url,
		     code);
	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s", id);
	assert_int_equal(browser_call(b, "GET", path, NULL, &r), 0);
	resp_done(&r);
	if (rc == 0)
		assert_int_equal(browser_refresh(b), 0);
	return rc;
}

/* ... with the PIN the demo gives the card. */
static int esign_login(struct browser *b, char **out)
{
	return esign_login_pin(b, "123456", out);
}

static long session_status(struct browser *b)
{
	struct resp r;
	long st;

	assert_int_equal(browser_call(b, "GET", "/api/v1/session", NULL, &r), 0);
	st = strstr(r.body ? r.body : "", "\"authenticated\":true") ? r.status : 401;
	resp_done(&r);
	return st;
}

/* The spool holds a message to to containing text (the dispatcher runs
 * every second). */
static void spooled(const char *to, const char *text)
{
	for (int tries = 0; tries < 50; tries++) {
		char *out;
		int rc = run_cmd(&out, "grep -l -F 'To: %s' %s/spool/*.msg 2>/dev/null | xargs -r"
				       " grep -l -F '%s'", to, data, text);

		free(out);
		if (rc == 0)
			return;
		usleep(100000);
	}
	fail_msg("no notification to %s with '%s' in %s/spool", to, text, data);
}

/* 1: the on-hold holder opens her new certificate. */
static void test_new_certificate_opened_with_password(void **state)
{
	struct browser b, c;
	struct resp r;
	char *out, *crl;

	ocsp_says(ayse, ": revoked", "certificateHold");
	/* e-signature login refused with the on-hold message */
	assert_int_not_equal(esign_login(&c, &out), 0);
	assert_non_null(strstr(out, "askıda"));
	free(out);

	logged_in_by_password(&b, AYSE);
	assert_int_equal(browser_call(&b, "GET", "/api/v1/certificates", NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, ayse));
	assert_non_null(strstr(r.body, "\"status\":\"hold\""));
	assert_non_null(strstr(r.body, "\"card_serial\":\"DEMO-0002\""));
	assert_null(strstr(r.body, ahmet));
	resp_done(&r);

	assert_int_equal(act(&b, ayse, "release", NULL, NULL, 0), 200);
	ocsp_says(ayse, ": good", NULL);
	crl = crl_until(ayse, false);
	free(crl);
	spooled("ayse.demir@example.org", "kullanıma açılmıştır");

	/* now the e-signature login works */
	assert_int_equal(esign_login(&c, &out), 0);
	free(out);
	assert_int_equal(session_status(&c), 200);
	assert_int_equal(session_status(&b), 200);
}

/* 2: suspend -> e-signature sessions end, login refused; unsuspend -> works. */
static void test_suspend_and_unsuspend(void **state)
{
	struct browser b, c, d;
	char *out, *crl;

	logged_in_by_password(&b, AYSE);
	assert_int_equal(esign_login(&c, &out), 0);
	free(out);
	assert_int_equal(session_status(&c), 200);

	assert_int_equal(act(&b, ayse, "hold", NULL, NULL, 0), 200);
	ocsp_says(ayse, ": revoked", "certificateHold");
	crl = crl_until(ayse, true);
	assert_non_null(strstr(crl, "Certificate Hold"));
	free(crl);
	/* the portal session opened with the certificate ended; the password one did not */
	assert_int_equal(session_status(&c), 401);
	assert_int_equal(session_status(&b), 200);
	assert_int_not_equal(esign_login(&d, &out), 0);
	assert_non_null(strstr(out, "askıda"));
	free(out);
	spooled("ayse.demir@example.org", "askıya alınmıştır");

	assert_int_equal(act(&b, ayse, "release", NULL, NULL, 0), 200);
	ocsp_says(ayse, ": good", NULL);
	crl = crl_until(ayse, false);
	free(crl);
	assert_int_equal(esign_login(&d, &out), 0);
	free(out);
}

/* 3: someone else's certificate, bad serials. */
static void test_other_holders_certificate(void **state)
{
	struct browser b;
	char code[64];
	struct resp r;
	char path[200];

	logged_in_by_password(&b, AYSE);
	assert_int_equal(act(&b, ahmet, "revoke", "{\"reason\":1,\"confirm\":\"000000\"}", code,
			     sizeof(code)), 403);
	assert_string_equal(code, "cert_not_owner");
	assert_int_equal(act(&b, ahmet, "hold", NULL, code, sizeof(code)), 403);
	snprintf(path, sizeof(path), "/api/v1/certificates/%s/pem", ahmet);
	assert_int_equal(browser_call(&b, "GET", path, NULL, &r), 0);
	assert_int_equal(r.status, 403);
	resp_done(&r);
	ocsp_says(ahmet, ": good", NULL);
	assert_int_equal(act(&b, "zz", "hold", NULL, code, sizeof(code)), 400);
	assert_string_equal(code, "bad_serial");
	/* %2F is decoded by the router: never a serial (no route, or refused) */
	long st = act(&b, "ab%2F..%2Fcd", "hold", NULL, code, sizeof(code));
	assert_true(st == 400 || st == 404);
	assert_int_equal(act(&b, "abcdef0123", "hold", NULL, code, sizeof(code)), 404);
	/* own certificate: PEM and DER */
	snprintf(path, sizeof(path), "/api/v1/certificates/%s/pem", ayse);
	assert_int_equal(browser_call(&b, "GET", path, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "-----BEGIN CERTIFICATE-----"));
	resp_done(&r);
	snprintf(path, sizeof(path), "/api/v1/certificates/%s/der", ayse);
	assert_int_equal(browser_call(&b, "GET", path, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal((unsigned char)r.body[0], 0x30);
	resp_done(&r);
	/* not logged in */
	assert_int_equal(browser_open(&b, &S), 0);
	assert_int_equal(act(&b, ayse, "hold", NULL, NULL, 0), 401);
}

/* 4: revocation: typed confirmation, final, CRL and OCSP. */
static void test_revoke_is_final(void **state)
{
	struct browser b;
	char code[64], body[160];
	char *crl, *out;
	size_t n = strlen(ayse);

	logged_in_by_password(&b, AYSE);
	assert_int_equal(act(&b, ayse, "revoke", "{\"reason\":1,\"confirm\":\"nope\"}", code,
			     sizeof(code)), 400);
	assert_string_equal(code, "confirmation");
	ocsp_says(ayse, ": good", NULL);
	snprintf(body, sizeof(body), "{\"reason\":1,\"confirm\":\"%s\"}", ayse + n - 6);
	assert_int_equal(act(&b, ayse, "revoke", body, NULL, 0), 200);
	ocsp_says(ayse, ": revoked", "keyCompromise");
	crl = crl_until(ayse, true);
	assert_non_null(strstr(crl, "Key Compromise"));
	free(crl);
	/* final: suspend and unsuspend refused 409 */
	assert_int_equal(act(&b, ayse, "hold", NULL, code, sizeof(code)), 409);
	assert_string_equal(code, "cert_state");
	assert_int_equal(act(&b, ayse, "release", NULL, code, sizeof(code)), 409);
	assert_int_equal(act(&b, ayse, "revoke", body, code, sizeof(code)), 409);
	ocsp_says(ayse, ": revoked", "keyCompromise");
	assert_int_not_equal(esign_login(&b, &out), 0);
	assert_non_null(strstr(out, "iptal"));
	free(out);
	spooled("ayse.demir@example.org", "iptal edilmiştir");
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* 5: unknown holder and wrong word: the same answer, similar time. */
static void test_no_enumeration(void **state)
{
	struct browser b;
	struct resp r1, r2;
	double t_known = 0, t_unknown = 0, t0;

	http_set_source("127.0.0.4");
	assert_int_equal(browser_open(&b, &S), 0);
	for (int i = 0; i < 2; i++) {
		t0 = now_ms();
		assert_int_equal(pw_login(&b, AHMET, "elma-armut-41", &r1), 401);
		t_known += now_ms() - t0;
		t0 = now_ms();
		assert_int_equal(pw_login(&b, "10000000214", "elma-armut-41", &r2), 401);
		t_unknown += now_ms() - t0;
		assert_string_equal(r1.body, r2.body);
		resp_done(&r1);
		resp_done(&r2);
	}
	/* the right word resets the holder's counter */
	assert_int_equal(pw_login(&b, AHMET, WORD, NULL), 200);
	http_set_source(NULL);
	print_message("wrong word %.1f ms, unknown holder %.1f ms (2 each)\n", t_known, t_unknown);
	/* the hash ran for the unknown holder too (a dummy one), and took about
	 * as long; wide bounds: the machine is shared */
	assert_true(t_known > 20 && t_unknown > 20);
	assert_true(t_unknown > t_known / 3 && t_unknown < t_known * 3);
}

/* 6: five failures lock for lockout_base (2 s here), then doubling. */
static void test_lockout(void **state)
{
	struct browser b;
	struct resp r;
	char *ra;

	http_set_source("127.0.0.5");
	assert_int_equal(browser_open(&b, &S), 0);
	for (int i = 0; i < 5; i++)
		assert_int_equal(pw_login(&b, AHMET, "wrong-word", NULL), 401);
	assert_int_equal(pw_login(&b, AHMET, WORD, &r), 429);
	assert_non_null(strstr(r.body, "login_locked"));
	ra = resp_header(&r, "Retry-After");
	assert_non_null(ra);
	assert_true(atoi(ra) >= 1 && atoi(ra) <= 2);
	free(ra);
	resp_done(&r);
	/* another address: the holder is locked too */
	http_set_source("127.0.0.6");
	assert_int_equal(browser_open(&b, &S), 0);
	assert_int_equal(pw_login(&b, AHMET, WORD, NULL), 429);
	/* ... and the first address for everyone */
	http_set_source("127.0.0.5");
	assert_int_equal(browser_open(&b, &S), 0);
	assert_int_equal(pw_login(&b, AYSE, WORD, NULL), 429);
	sleep(3);
	/* a sixth failure locks for twice as long */
	assert_int_equal(pw_login(&b, AHMET, "wrong-word", NULL), 401);
	assert_int_equal(pw_login(&b, AHMET, WORD, &r), 429);
	ra = resp_header(&r, "Retry-After");
	assert_true(ra && atoi(ra) >= 2 && atoi(ra) <= 4);	/* 4 s, less what has passed */
	free(ra);
	resp_done(&r);
	sleep(5);
	assert_int_equal(pw_login(&b, AHMET, WORD, NULL), 200);
	http_set_source(NULL);
}

/* 7: a notification queued while no dispatcher round comes is delivered
 * after a restart: nothing is lost. */
static void test_outbox_survives_restart(void **state)
{
	static const char *const slow[] = { "--set", "notify.interval=3600", NULL };
	static const char *const fast[] = { "--set", "notify.interval=1", NULL };
	struct browser b;
	char *out;

	srv_stop(&S, false);
	assert_int_equal(srv_start(&S, data, slow), 0);
	usleep(300000);	/* its first round (at start) is over */
	logged_in_by_password(&b, AHMET);
	assert_int_equal(act(&b, ahmet, "hold", NULL, NULL, 0), 200);
	ocsp_says(ahmet, ": revoked", "certificateHold");
	usleep(1500000);
	assert_int_not_equal(run_cmd(&out, "grep -l -F 'To: ahmet.yilmaz@example.org' %s/spool/*.msg",
				     data), 0);
	free(out);
	assert_int_equal(store_sql(&out, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), 0);
	assert_int_equal(atoi(out), 1);
	free(out);
	srv_stop(&S, false);
	assert_int_equal(srv_start(&S, data, fast), 0);
	spooled("ahmet.yilmaz@example.org", "askıya alınmıştır");
	/* ... and marked sent (just after the file is written) */
	for (int tries = 0, n = -1; n != 0; tries++) {
		assert_true(tries < 100);
		usleep(tries ? 100000 : 0);
		assert_int_equal(store_sql(&out, "SELECT COUNT(*) FROM outbox WHERE state <> 'sent'"), 0);
		n = atoi(out);
		free(out);
	}
}

/* Waits until something listens on 127.0.0.1:port. */
static void wait_port(int port)
{
	char *out;

	assert_int_equal(run_cmd(&out, "bash -c 'for i in $(seq 100); do (exec 3<>/dev/tcp/127.0.0.1/%d)"
				       " 2>/dev/null && exit 0; sleep 0.1; done; exit 1'", port), 0);
	free(out);
}

/* A file in data holds text (the gateways write as they receive). */
static void file_has(const char *name, const char *text)
{
	for (int tries = 0; tries < 50; tries++) {
		char *out;
		int rc = run_cmd(&out, "grep -F -q -- '%s' %s/%s", text, data, name);

		free(out);
		if (rc == 0)
			return;
		usleep(100000);
	}
	fail_msg("%s/%s never got '%s'", data, name, text);
}

static void restart_with(const char *smtp_url, const char *sms_url)
{
	char a[128], b[128];
	const char *const extra[] = { "--set", "notify.interval=1", "--set", a, "--set", b, NULL };

	snprintf(a, sizeof(a), "notify.smtp_url=%s", smtp_url);
	snprintf(b, sizeof(b), "notify.sms_url=%s", sms_url);
	srv_stop(&S, false);
	assert_int_equal(srv_start(&S, data, extra), 0);
}

/* The local SMTP server and SMS gateway of test 8, for test 9. */
static int gateway_port;
static char gateway_smtp[64];

/* 8: e-mail by SMTP and SMS by an HTTP gateway when configured (a local
 * SMTP server and gateway stand in); a gateway that fails: tried again
 * later, nothing lost. */
static void test_smtp_and_sms_gateway(void **state)
{
	char smtp_url[64], sms_url[80], *out;
	int sp = free_port(), hp = free_port();
	struct browser b;
	struct resp r;

	assert_int_equal(run_cmd(&out, "cd %s && (python3 -u -m smtpd -n -c DebuggingServer 127.0.0.1:%d"
				       " > smtp.out 2>/dev/null & echo $! > smtp.pid)", data, sp), 0);
	free(out);
	assert_int_equal(run_cmd(&out, "cd %s && (python3 %s/tests/e2e/sms-gateway.py %d sms.out"
				       " > /dev/null 2>&1 & echo $! > sms.pid)", data,
				 getenv("EONAY_SRCDIR"), hp), 0);
	free(out);
	wait_port(sp);
	wait_port(hp);
	snprintf(smtp_url, sizeof(smtp_url), "smtp://127.0.0.1:%d", sp);
	snprintf(sms_url, sizeof(sms_url), "http://127.0.0.1:%d/sms", hp);
	restart_with(smtp_url, sms_url);

	logged_in_by_password(&b, AHMET);
	assert_int_equal(browser_call(&b, "POST", "/api/v1/contact",
				      "{\"email\":\"ahmet.yilmaz@example.org\",\"mobile\":\"5320000146\","
				      "\"info_channel\":\"both\"}", &r), 0);
	assert_int_equal(r.status, 200);
	resp_done(&r);
	assert_int_equal(act(&b, ahmet, "release", NULL, NULL, 0), 200);
	file_has("smtp.out", "To: <ahmet.yilmaz@example.org>");
	file_has("smtp.out", "Content-Type: text/plain; charset=UTF-8");
	file_has("sms.out", "application/json {\"to\":\"5320000146\",\"text\":\"");
	file_has("sms.out", ahmet);	/* the text names the certificate */

	/* the gateway fails: the SMS waits for its next try, the e-mail goes */
	snprintf(sms_url, sizeof(sms_url), "http://127.0.0.1:%d/fail", hp);
	restart_with(smtp_url, sms_url);
	logged_in_by_password(&b, AHMET);
	assert_int_equal(act(&b, ahmet, "hold", NULL, NULL, 0), 200);
	file_has("smtp.out", "?UTF-8?B?U2VydGlmaWthbsSxeiBhc2vEsXlhIGFsxLFuZMSx?=");	/* askıya alındı */
	for (int tries = 0; tries < 50; tries++) {
		int rc = store_sql(&out, "SELECT attempts, state, last_error FROM outbox WHERE"
					 " channel = 'sms' AND attempts > 0 AND state = 'pending'");

		if (rc == 0 && strstr(out, "gateway answered HTTP 500"))
			break;
		free(out);
		out = NULL;
		usleep(100000);
	}
	assert_non_null(out);
	assert_non_null(strstr(out, "1|pending|gateway answered HTTP 500"));
	free(out);
	gateway_port = hp;
	strcpy(gateway_smtp, smtp_url);
}

/* Lines in DATA/sms.out (the gateway's log). */
static int sms_lines(void)
{
	char *out;
	int n;

	assert_int_equal(run_cmd(&out, "cat %s/sms.out 2>/dev/null | wc -l", data), 0);
	n = atoi(out);
	free(out);
	return n;
}

/* 9: two nodes on one store, both dispatching every second: every message
 * is delivered once (the claim's lease), none twice, none lost. */
static void test_two_nodes_deliver_once(void **state)
{
	char sms_url[80], a[128], b[128], *out;
	const char *const extra[] = { "--set", "notify.interval=1", "--set", a, "--set", b, NULL };
	struct browser br;
	struct srv s2;
	int before, pending = -1;

	snprintf(sms_url, sizeof(sms_url), "http://127.0.0.1:%d/sms", gateway_port);
	restart_with(gateway_smtp, sms_url);
	snprintf(a, sizeof(a), "notify.smtp_url=%s", gateway_smtp);
	snprintf(b, sizeof(b), "notify.sms_url=%s", sms_url);
	assert_int_equal(srv_start(&s2, data, extra), 0);
	/* the SMS the failing gateway refused goes at its next try (moved to now) */
	before = sms_lines();
	assert_int_equal(store_sql(&out, "UPDATE outbox SET next_at = 0 WHERE state = 'pending'"), 0);
	free(out);
	for (int tries = 0; tries < 100 && pending != 0; tries++) {
		usleep(100000);
		assert_int_equal(store_sql(&out, "SELECT COUNT(*) FROM outbox WHERE state = 'pending'"), 0);
		pending = atoi(out);
		free(out);
	}
	if (pending != 0) {
		store_sql(&out, "SELECT id, channel, state, attempts, next_at, lease_until,"
				" last_error FROM outbox WHERE state = 'pending'");
		fail_msg("still pending after 10 s: %s", out);
	}
	usleep(1500000);
	assert_int_equal(sms_lines() - before, 1);
	before = sms_lines();
	logged_in_by_password(&br, AHMET);
	for (int i = 0; i < 10; i++)
		assert_int_equal(act(&br, ahmet, i % 2 ? "hold" : "release", NULL, NULL, 0), 200);
	pending = -1;
	for (int tries = 0; tries < 100 && pending != 0; tries++) {
		usleep(100000);
		assert_int_equal(store_sql(&out, "SELECT COUNT(*) FROM outbox WHERE state <> 'sent'"), 0);
		pending = atoi(out);
		free(out);
	}
	assert_int_equal(pending, 0);
	usleep(1500000);	/* a second delivery would come within a round */
	assert_int_equal(sms_lines() - before, 10);
	srv_stop(&s2, false);
	assert_int_equal(run_cmd(&out, "kill $(cat %s/smtp.pid) $(cat %s/sms.pid)", data, data), 0);
	free(out);
}

/* 10: the audit log has every attempt. */
static void test_audited(void **state)
{
	char *out;

	assert_int_equal(store_sql(&out, "SELECT COUNT(*) FROM audit_log WHERE action IN"
				      " ('session.password','session.login') AND details LIKE '%şifre%'"), 0);
	assert_true(atoi(out) >= 15);
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s audit verify", bin_path("eonayctl"), data), 0);
	free(out);
}

/* The flow runs on a demo world of its own: it changes DEMO-0002's PIN
 * (on this world's SoftHSM tokens only), and the first group revoked the
 * certificate. */
static int flow_setup(void **state)
{
	char *out;

	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	conf = demo_world(data);
	if (!conf)
		return -1;
	serial_of(AHMET, ahmet);
	serial_of(AYSE, ayse);
	if (run_cmd(&out, "cd %s/pki && cat root.crt issuing.crt > chain.pem", data) != 0)
		return -1;
	free(out);
	return srv_start(&S, data, (const char *const[]){ "--set", "notify.interval=1", NULL });
}

#define NEW_PIN "482915"

/* 11: a new card, the whole way in one flow: on hold, the e-signature
 * login refused with the on-hold message -> Şifreli Giriş -> Askıdan
 * İndirme (OCSP good, off the CRL) -> PIN Oluşturma with `eimza pin` ->
 * e-signature login with the new PIN, the old one refused by the card
 * -> the audit chain verifies. */
static void test_on_hold_to_new_pin(void **state)
{
	char id[64], code[64], path[200], st[32];
	struct browser b, c;
	struct resp r;
	char *out, *crl;

	/* the delivered card is on hold: the e-signature login is refused
	 * and points to Şifreli Giriş + Askıdan İndirme */
	ocsp_says(ayse, ": revoked", "certificateHold");
	assert_int_not_equal(esign_login(&c, &out), 0);
	if (!strstr(out, "Sertifikanız askıda.") || !strstr(out, "Şifreli Giriş") ||
	    !strstr(out, "Askıdan İndirme"))
		fail_msg("no on-hold message: %s", out);
	free(out);
	assert_int_equal(session_status(&c), 401);

	/* Şifreli Giriş, then Askıdan İndirme */
	logged_in_by_password(&b, AYSE);
	assert_int_equal(act(&b, ayse, "release", NULL, NULL, 0), 200);
	ocsp_says(ayse, ": good", NULL);
	crl = crl_until(ayse, false);
	free(crl);

	/* PIN Oluşturma: the page starts the ceremony, eimza pin sets the
	 * new PIN (the card chosen by the holder's certificate on it) */
	assert_int_equal(browser_call(&b, "POST", "/api/v1/signing", "{\"purpose\":\"pin-reset\"}",
				      &r), 0);
	if (r.status != 201)
		fail_msg("pin-reset start: %ld %s", r.status, r.body);
	json_field(r.body, "id", id, sizeof(id));
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);
	if (run_cmd(&out, "printf '" NEW_PIN "\\n' | SOFTHSM2_CONF=%s %s pin --server %s --code '%s'"
			  " --new-pin-stdin --yes", conf, bin_path("eimza"), S.url, code) != 0)
		fail_msg("eimza pin: %s", out);
	assert_non_null(strstr(out, "PIN işleminiz tamamlanmıştır."));
	free(out);
	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s", id);
	assert_int_equal(browser_call(&b, "GET", path, NULL, &r), 0);
	json_field(r.body, "state", st, sizeof(st));
	resp_done(&r);
	assert_string_equal(st, "signed");

	/* e-signature login: the old PIN is refused by the card (the code
	 * stays), the new PIN with the same code logs in */
	assert_int_equal(browser_open(&c, &S), 0);
	assert_int_equal(browser_call(&c, "POST", "/api/v1/signing",
				      "{\"purpose\":\"login\",\"tckn\":\"" AYSE "\"}", &r), 0);
	assert_int_equal(r.status, 201);
	json_field(r.body, "id", id, sizeof(id));
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);
	assert_int_equal(run_cmd(&out, "printf '123456\\n' | SOFTHSM2_CONF=%s %s sign --server %s"
				       " --code '%s' --token DEMO-0002 --pin-stdin --yes", conf,
				 bin_path("eimza"), S.url, code), 5);
	assert_non_null(strstr(out, "PIN hatalı"));
	free(out);
	assert_int_equal(session_status(&c), 401);
	if (run_cmd(&out, "printf '" NEW_PIN "\\n' | SOFTHSM2_CONF=%s %s sign --server %s --code '%s'"
			  " --token DEMO-0002 --pin-stdin --yes", conf, bin_path("eimza"), S.url,
		    code) != 0)
		fail_msg("login with the new PIN: %s", out);
	assert_non_null(strstr(out, "İşleminiz Başarılıdır."));
	free(out);
	snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s", id);
	assert_int_equal(browser_call(&c, "GET", path, NULL, &r), 0);
	json_field(r.body, "state", st, sizeof(st));
	resp_done(&r);
	assert_string_equal(st, "signed");
	assert_int_equal(browser_refresh(&c), 0);
	assert_int_equal(browser_call(&c, "GET", "/api/v1/session", NULL, &r), 0);
	assert_non_null(strstr(r.body, "\"authenticated\":true"));
	assert_non_null(strstr(r.body, "\"login_method\":\"e-imza\""));
	assert_non_null(strstr(r.body, AYSE));
	resp_done(&r);
	/* a fresh login with the old PIN: still refused */
	assert_int_not_equal(esign_login_pin(&b, "123456", &out), 0);
	assert_non_null(strstr(out, "PIN hatalı"));
	free(out);

	/* every step is in the audit chain, and the chain verifies */
	assert_int_equal(run_cmd(&out, "%s --data %s audit list", bin_path("eonayctl"), data), 0);
	assert_non_null(strstr(out, "session.login"));
	assert_non_null(strstr(out, "cert.release"));
	assert_non_null(strstr(out, "pin.reset"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s audit verify", bin_path("eonayctl"), data), 0);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_new_certificate_opened_with_password),
		cmocka_unit_test(test_suspend_and_unsuspend),
		cmocka_unit_test(test_other_holders_certificate),
		cmocka_unit_test(test_revoke_is_final),
		cmocka_unit_test(test_no_enumeration),
		cmocka_unit_test(test_lockout),
		cmocka_unit_test(test_outbox_survives_restart),
		cmocka_unit_test(test_smtp_and_sms_gateway),
		cmocka_unit_test(test_two_nodes_deliver_once),
		cmocka_unit_test(test_audited),
	};
	const struct CMUnitTest flow[] = {
		cmocka_unit_test(test_on_hold_to_new_pin),
	};
	int failed = cmocka_run_group_tests(tests, group_setup, group_teardown);

	return failed + cmocka_run_group_tests(flow, flow_setup, group_teardown);
}
