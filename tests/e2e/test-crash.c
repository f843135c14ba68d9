/* test-crash.c - a kill at any moment loses nothing (issue 14).
 *
 * eonayd runs the demo world (SoftHSM cards) under load: a browser logging
 * AHMET in by e-signature and giving / cancelling his E-Onay (the real
 * eimza binary signing on his card), a browser of AYŞE's suspending and
 * unsuspending her certificate (Şifreli Giriş, then hold / release), and
 * a third starting signing sessions it never finishes.  At a random moment
 * eonayd gets SIGKILL; it is started again and the store is checked:
 *   - integrity: SQLite's PRAGMA integrity_check; on PostgreSQL amcheck's
 *     bt_index_check on every B-tree index of the schema;
 *   - `eonayctl audit verify`;
 *   - no accepted signature without its effect and audit row, no effect
 *     (signed session, E-Onay event, status change) without its signature
 *     or audit row;
 *   - every acknowledged answer still true: each signature eimza was told
 *     was accepted, each E-Onay event, each hold / release answered 200
 *     (the status is the last one answered, or the one asked for when that
 *     request got no answer);
 *   - the CRL the server hands out agrees with the store, and so does its
 *     OCSP answer (also right after each answered hold / release, while
 *     the load runs: the kept answer is replaced at once).
 * Rounds: EONAY_CRASH_ROUNDS (default 20 kills of eonayd, 10 of each eonayctl
 * command; docs/SECURITY.md has 100 of each).
 *
 * Then eonayctl is killed at random moments in `crl publish` and `card
 * issue`: the CRL stays whole, and no card is left half-made with its SO
 * PIN lost (either it is recorded and its kept SO PIN opens the token, or
 * `card pending` names it and `card issue` again finishes it, or no token
 * was made at all). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "softhsm-unfinished.h"

#define AHMET "10000000146"
#define AYSE "10000000078"
#define WORD "elma-armut-42"
#define MAX_ACKS 20000

static const char *data, *conf;
static char eimza[512], ctl[512], target[512], ayse_serial[80];
static struct srv S;
static atomic_bool stop;
static char thread_error[300];	/* what a load thread saw go wrong */
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

/* What the clients were told, across all rounds. */
static struct {
	char signed_ids[MAX_ACKS][33];	/* sessions whose signature was accepted */
	char purpose[MAX_ACKS][16];
	unsigned n_signed;
	unsigned holds, releases;	/* AYŞE's acknowledged acts */
	unsigned ocsp_checked;		/* ... each followed by an OCSP answer */
	char last_status[8];		/* her status as last answered */
	char asked[8];			/* a request without answer: what it asked */
	unsigned kills, ceremonies_in_round;
} acks;

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One query on the store: rows as "a|b" lines in *out; the exit status. */
static int store_sql(char **out, const char *sql)
{
	if (strncmp(target, "postgres", 8) == 0)
		return run_cmd(out, "psql -X -q -At '%s' -c \"%s\"", target, sql);
	return run_cmd(out, "sqlite3 '%s' \"%s\"", target, sql);
}

static long store_count(const char *sql)
{
	char *out;
	long n;

	if (store_sql(&out, sql) != 0)
		fail_msg("query failed: %s: %s", sql, out);
	n = atol(out);
	free(out);
	return n;
}

/* ---- the load ---------------------------------------------------------- */

static int sign_with_card(const char *code)
{
	char *out;
	int rc = run_cmd(&out, "printf '123456\\n' | SOFTHSM2_CONF=%s %s sign --server %s --code '%s'"
			       " --token DEMO-0001 --pin-stdin --yes", conf, eimza, S.url, code);

	free(out);
	return rc;
}

/* Starts a session with body and signs it; 1 when eimza was told the
 * signature was accepted (the id is then recorded), 0 when not, -1 when
 * the server is gone. */
static int ceremony(struct browser *b, const char *body, const char *purpose, char id[64])
{
	char code[64];
	struct resp r;
	int rc;

	if (browser_call(b, "POST", "/api/v1/signing", body, &r) < 0 || r.status != 201) {
		rc = r.status == 0 ? -1 : 0;
		resp_done(&r);
		return rc;
	}
	json_field(r.body, "id", id, 64);
	json_field(r.body, "code", code, sizeof(code));
	resp_done(&r);
	if (sign_with_card(code) != 0)
		return 0;
	pthread_mutex_lock(&mu);
	if (acks.n_signed < MAX_ACKS) {
		snprintf(acks.signed_ids[acks.n_signed], 33, "%s", id);
		snprintf(acks.purpose[acks.n_signed], 16, "%s", purpose);
		acks.n_signed++;
	}
	acks.ceremonies_in_round++;
	pthread_mutex_unlock(&mu);
	return 1;
}

/* AHMET: an e-signature login, then E-Onay give or cancel, again and again. */
static void *ceremony_load(void *p)
{
	(void)p;
	while (!stop) {
		struct browser b;
		struct resp r;
		char id[64], path[128];
		bool active;

		if (browser_open(&b, &S) < 0)
			break;
		if (ceremony(&b, "{\"purpose\":\"login\",\"tckn\":\"" AHMET "\"}", "login", id) !=
		    1 || stop)
			continue;
		/* the wait hands the new session's cookie to the browser */
		snprintf(path, sizeof(path), "/api/v1/signing/wait?id=%s", id);
		if (browser_call(&b, "GET", path, NULL, &r) < 0) {
			resp_done(&r);
			continue;
		}
		resp_done(&r);
		for (int i = 0; i < 3 && !stop; i++) {
			if (browser_refresh(&b) < 0 ||
			    browser_call(&b, "GET", "/api/v1/eonay", NULL, &r) < 0 || r.status != 200) {
				resp_done(&r);
				break;
			}
			active = strstr(r.body, "\"active\":true") != NULL;
			resp_done(&r);
			if (active)
				ceremony(&b, "{\"purpose\":\"eonay-cancel\"}", "eonay-cancel", id);
			else
				ceremony(&b, "{\"purpose\":\"eonay-give\",\"accepted\":true,"
					     "\"explanation_version\":1}", "eonay-give", id);
		}
	}
	return NULL;
}

/* AYŞE's certificate as eonayd's OCSP responder says it, asked twice
 * without a nonce (the second answer is the kept one): "hold" or "active"
 * in *ret; -1 when no verified answer came (eonayd killed meanwhile). */
static int ocsp_status(char ret[8])
{
	char *out = NULL;
	int r = -1;

	for (int i = 0; i < 2; i++) {
		free(out);
		out = NULL;
		if (run_cmd(&out, "cd %s/pki && openssl ocsp -issuer issuing.crt -serial 0x%s -url"
				  " %s/ocsp -CAfile chain.pem -no_nonce 2>&1", data, ayse_serial,
			    S.url) != 0 || !strstr(out, "Response verify OK")) {
			free(out);
			return -1;
		}
	}
	if (strstr(out, ": revoked") && strstr(out, "certificateHold")) {
		snprintf(ret, 8, "hold");
		r = 0;
	} else if (strstr(out, ": good")) {
		snprintf(ret, 8, "active");
		r = 0;
	}
	free(out);
	return r;
}

/* AYŞE: Şifreli Giriş, then hold / release of her certificate in turn;
 * after each answered act, OCSP must say it at once (its kept answer
 * replaced: the status epoch). */
static void *lifecycle_load(void *p)
{
	struct browser b;
	bool in = false;

	(void)p;
	while (!stop) {
		char path[200], body[200], want[8];
		struct resp r;

		if (!in) {
			if (browser_open(&b, &S) < 0)
				break;
			snprintf(body, sizeof(body), "{\"tckn\":\"%s\",\"word\":\"%s\"}", AYSE, WORD);
			if (browser_call(&b, "POST", "/api/v1/login/password", body, &r) < 0 ||
			    r.status != 200) {
				resp_done(&r);
				usleep(50000);
				continue;
			}
			resp_done(&r);
			if (browser_refresh(&b) < 0)
				continue;
			in = true;
		}
		pthread_mutex_lock(&mu);
		snprintf(want, sizeof(want), "%s", strcmp(acks.last_status, "hold") == 0 ? "active" : "hold");
		snprintf(acks.asked, sizeof(acks.asked), "%s", want);
		pthread_mutex_unlock(&mu);
		snprintf(path, sizeof(path), "/api/v1/certificates/%s/%s", ayse_serial,
			 strcmp(want, "hold") == 0 ? "hold" : "release");
		if (browser_call(&b, "POST", path, "{}", &r) < 0 || r.status == 0) {
			resp_done(&r);
			break;	/* no answer: the ask stays open */
		}
		pthread_mutex_lock(&mu);
		if (r.status == 200) {
			snprintf(acks.last_status, sizeof(acks.last_status), "%s", want);
			if (strcmp(want, "hold") == 0)
				acks.holds++;
			else
				acks.releases++;
		}
		acks.asked[0] = '\0';
		pthread_mutex_unlock(&mu);
		if (r.status == 200) {
			char said[8];

			if (ocsp_status(said) == 0 && strcmp(said, want) != 0 && !thread_error[0])
				snprintf(thread_error, sizeof(thread_error),
					 "OCSP said %s right after the %s was answered", said, want);
			acks.ocsp_checked++;
		}
		if (r.status == 401)
			in = false;
		else if (r.status != 200 && !thread_error[0])
			snprintf(thread_error, sizeof(thread_error), "hold/release answered %ld: %.200s",
				 r.status, r.body);
		resp_done(&r);
		usleep(20000);
	}
	return NULL;
}

/* Someone starting sessions and never finishing them (writes, purges). */
static void *noise_load(void *p)
{
	(void)p;
	while (!stop) {
		struct browser b;
		struct resp r;

		if (browser_open(&b, &S) < 0)
			break;
		for (int i = 0; i < 5 && !stop; i++) {
			if (browser_call(&b, "POST", "/api/v1/signing",
					 "{\"purpose\":\"login\",\"tckn\":\"" AYSE "\"}", &r) < 0) {
				resp_done(&r);
				break;
			}
			resp_done(&r);
		}
		usleep(30000);
	}
	return NULL;
}

/* ---- the checks -------------------------------------------------------- */

static void check_integrity(void)
{
	char *out;

	if (strncmp(target, "postgres", 8) == 0) {
		assert_int_equal(store_sql(&out, "CREATE EXTENSION IF NOT EXISTS amcheck"), 0);
		free(out);
		/* every B-tree index of the schema, checked; a fault raises */
		if (store_sql(&out, "SELECT COUNT(bt_index_check(c.oid)) FROM pg_index i"
				    " JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON"
				    " a.oid = c.relam WHERE a.amname = 'btree' AND"
				    " c.relnamespace = 'public'::regnamespace") != 0 || atol(out) < 10)
			fail_msg("amcheck: %s", out);
		free(out);
		return;
	}
	assert_int_equal(store_sql(&out, "PRAGMA integrity_check"), 0);
	if (strcmp(out, "ok\n") != 0)
		fail_msg("integrity_check: %s", out);
	free(out);
}

static void check_audit(void)
{
	char *out;

	if (run_cmd(&out, "%s --data %s audit verify", ctl, data) != 0)
		fail_msg("audit verify: %s", out);
	free(out);
}

/* Signatures and their effects come together or not at all. */
static void check_evidence(void)
{
	static const struct {
		const char *what, *sql;
	} none[] = {
		{ "a signature of a session not signed",
		  "SELECT COUNT(*) FROM signatures g JOIN signing_sessions s ON s.id = g.session_id"
		  " WHERE s.state <> 'signed'" },
		{ "a signed session without its signature",
		  "SELECT COUNT(*) FROM signing_sessions s WHERE s.state = 'signed' AND NOT EXISTS"
		  " (SELECT 1 FROM signatures g WHERE g.session_id = s.id)" },
		{ "a signed session without its audit row",
		  "SELECT COUNT(*) FROM signing_sessions s WHERE s.state = 'signed' AND NOT EXISTS"
		  " (SELECT 1 FROM audit_log a WHERE a.action = 'signing.accept' AND"
		  " a.subject = s.id AND a.outcome = 'ok')" },
		{ "an accept audit row without its signed session",
		  "SELECT COUNT(*) FROM audit_log a WHERE a.action = 'signing.accept' AND NOT EXISTS"
		  " (SELECT 1 FROM signing_sessions s WHERE s.id = a.subject AND s.state = 'signed')" },
		{ "a signed login without its login",
		  "SELECT COUNT(*) FROM signing_sessions s WHERE s.state = 'signed' AND"
		  " s.purpose = 'login' AND NOT EXISTS (SELECT 1 FROM audit_log a WHERE"
		  " a.action = 'session.login' AND a.subject = s.id)" },
		{ "a signed E-Onay act without its event",
		  "SELECT COUNT(*) FROM signing_sessions s WHERE s.state = 'signed' AND"
		  " s.purpose IN ('eonay-give', 'eonay-cancel') AND NOT EXISTS (SELECT 1 FROM"
		  " eonay_events e JOIN signatures g ON g.sha256 = e.signature_sha256 WHERE"
		  " g.session_id = s.id)" },
		{ "an E-Onay event without a signed session",
		  "SELECT COUNT(*) FROM eonay_events e JOIN signatures g ON g.sha256 ="
		  " e.signature_sha256 JOIN signing_sessions s ON s.id = g.session_id WHERE"
		  " s.state <> 'signed' OR s.purpose <> 'eonay-' || e.action" },
		{ "a status change without its audit row (or the other way round)",
		  "SELECT COUNT(*) FROM (SELECT serial, event, COUNT(*) AS n FROM cert_status_history"
		  " WHERE event IN ('hold', 'release', 'revoke') GROUP BY serial, event) h WHERE n <>"
		  " (SELECT COUNT(*) FROM audit_log a WHERE a.subject = h.serial AND a.action ="
		  " 'cert.' || h.event AND a.outcome = 'ok')" },
		{ "a certificate whose status is not its last history row's",
		  "SELECT COUNT(*) FROM certificates c WHERE c.status <> (SELECT h.status FROM"
		  " cert_status_history h WHERE h.issuer = c.issuer AND h.serial = c.serial ORDER BY"
		  " h.seq DESC LIMIT 1)" },
	};

	for (size_t i = 0; i < sizeof(none) / sizeof(none[0]); i++) {
		long n = store_count(none[i].sql);

		if (n != 0)
			fail_msg("after kill %u: %ld x %s", acks.kills, n, none[i].what);
	}
}

/* Every answer a client got is still true. */
static void check_acks(void)
{
	char sql[512], *out;
	long n;

	/* the signed sessions with their signatures, one query: each acknowledged
	 * id must be among them (ids are 32 random hex digits) */
	assert_int_equal(store_sql(&out, "SELECT s.id FROM signing_sessions s WHERE s.state ="
					 " 'signed' AND EXISTS (SELECT 1 FROM signatures g WHERE"
					 " g.session_id = s.id)"), 0);
	for (unsigned i = 0; i < acks.n_signed; i++)
		if (!strstr(out, acks.signed_ids[i]))
			fail_msg("after kill %u: the accepted %s %s is lost", acks.kills,
				 acks.purpose[i], acks.signed_ids[i]);
	free(out);
	snprintf(sql, sizeof(sql), "SELECT status FROM certificates WHERE serial = '%s'", ayse_serial);
	assert_int_equal(store_sql(&out, sql), 0);
	out[strcspn(out, "\n")] = '\0';
	if (strcmp(out, acks.last_status) != 0 && strcmp(out, acks.asked) != 0)
		fail_msg("after kill %u: AYŞE's certificate is %s, answered %s (asked %s)", acks.kills,
			 out, acks.last_status, acks.asked[0] ? acks.asked : "nothing");
	/* What it is now is what the clients go on from. */
	snprintf(acks.last_status, sizeof(acks.last_status), "%s", out);
	acks.asked[0] = '\0';
	free(out);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM cert_status_history WHERE serial = '%s' AND"
				   " event = 'hold' AND actor LIKE 'holder:%%'", ayse_serial);
	n = store_count(sql);
	if (n < (long)acks.holds)
		fail_msg("after kill %u: %ld holds in the history, %u answered", acks.kills, n,
			 acks.holds);
	/* each of her acts queued its notification in its own transaction:
	 * as many messages per act (one per channel) for every one */
	{
		long h[2], o[2];
		static const char *const ev[2] = { "hold", "release" };
		static const char *const subj[2] = { "Sertifikanız askıya alındı",
						     "Sertifikanız kullanıma açıldı" };

		for (int i = 0; i < 2; i++) {
			snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM cert_status_history WHERE"
						   " serial = '%s' AND event = '%s' AND actor ="
						   " 'holder:" AYSE "'", ayse_serial, ev[i]);
			h[i] = store_count(sql);
			snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM outbox WHERE tckn = '" AYSE
						   "' AND subject = '%s'", subj[i]);
			o[i] = store_count(sql);
		}
		if ((o[0] != h[0] && o[0] != 2 * h[0]) ||
		    o[0] * h[1] != o[1] * h[0])
			fail_msg("after kill %u: %ld/%ld holds/releases, %ld/%ld notifications queued",
				 acks.kills, h[0], h[1], o[0], o[1]);
	}
}

/* The CRL served lists AYŞE's certificate exactly when it is on hold. */
static void check_crl(void)
{
	char *out, up[80];
	size_t i;
	bool listed;

	for (i = 0; ayse_serial[i] && i < sizeof(up) - 1; i++)
		up[i] = (char)(ayse_serial[i] >= 'a' && ayse_serial[i] <= 'f' ? ayse_serial[i] - 32 :
			       ayse_serial[i]);
	up[i] = '\0';
	assert_int_equal(run_cmd(&out, "curl -sf -o %s/crl.der %s/crl/issuing.crl && cd %s/pki &&"
				       " openssl crl -inform DER -in ../crl.der -CAfile chain.pem -noout"
				       " -text", data, S.url, data), 0);
	assert_non_null(strstr(out, "verify OK"));
	listed = strstr(out, up) != NULL;
	free(out);
	if (listed != (strcmp(acks.last_status, "hold") == 0))
		fail_msg("after kill %u: the CRL %s AYŞE's certificate, which is %s", acks.kills,
			 listed ? "lists" : "does not list", acks.last_status);
}

/* OCSP, after a restart, says what the store and the answers say. */
static void check_ocsp(void)
{
	char said[8];

	if (ocsp_status(said) < 0)
		fail_msg("after kill %u: no verified OCSP answer for AYŞE's certificate", acks.kills);
	if (strcmp(said, acks.last_status) != 0)
		fail_msg("after kill %u: OCSP says AYŞE's certificate is %s, which is %s", acks.kills,
			 said, acks.last_status);
}

/* EONAY_CRASH_ROUNDS, else dflt (CI time). */
static unsigned rounds_or(unsigned dflt)
{
	const char *e = getenv("EONAY_CRASH_ROUNDS");

	return e && atoi(e) > 0 ? (unsigned)atoi(e) : dflt;
}

static unsigned rounds(void)
{
	return rounds_or(10);
}

static const char *const srv_extra[] = {
	"--set", "codes.starts_per_client=100000", "--set", "codes.starts_per_holder=100000",
	"--set", "codes.claims_per_client=100000", "--set", "session.creates_per_client=100000",
	"--set", "codes.open_per_client=100000", "--set", "codes.open_per_holder=100000",
	NULL
};

static void test_kill_eonayd(void **state)
{
	unsigned n = rounds_or(20), total = 0;
	double t0 = now_s();

	(void)state;
	srand((unsigned)time(NULL) ^ (unsigned)getpid());
	snprintf(acks.last_status, sizeof(acks.last_status), "hold");	/* the demo's */
	for (unsigned k = 0; k < n; k++) {
		pthread_t t[3];
		int wait_ms = 300 + rand() % 2200;

		assert_int_equal(srv_start(&S, data, srv_extra), 0);
		stop = false;
		acks.ceremonies_in_round = 0;
		pthread_create(&t[0], NULL, ceremony_load, NULL);
		pthread_create(&t[1], NULL, lifecycle_load, NULL);
		pthread_create(&t[2], NULL, noise_load, NULL);
		usleep((useconds_t)wait_ms * 1000);
		srv_stop(&S, true);	/* SIGKILL, at a random moment */
		acks.kills++;
		stop = true;
		for (int i = 0; i < 3; i++)
			pthread_join(t[i], NULL);
		total += acks.ceremonies_in_round;
		if (thread_error[0])
			fail_msg("round %u: %s", k, thread_error);

		check_integrity();
		check_audit();
		check_evidence();
		check_acks();
		assert_int_equal(srv_start(&S, data, srv_extra), 0);
		check_crl();
		check_ocsp();
		assert_int_equal(srv_stop(&S, false), 0);	/* a clean stop (and, under ASan, no report) */
	}
	print_message("%u kills in %.0f s: %u signatures accepted and still there (%u this run),"
		      " AYŞE's certificate held %u and released %u times as answered (OCSP"
		      " asked after %u); store intact, audit chain verified, evidence complete"
		      " after every kill\n",
		      n, now_s() - t0, acks.n_signed, total, acks.holds, acks.releases,
		      acks.ocsp_checked);
	assert_true(acks.n_signed > 0 && acks.holds > 0 && acks.ocsp_checked > 0);
}

/* ---- eonayctl killed --------------------------------------------------- */

/* How long the eonayctl command line takes here, in ms (run to the end). */
static int ctl_duration(const char *args)
{
	double t0 = now_s();
	char *out;

	if (run_cmd(&out, "%s --data %s %s", ctl, data, args) != 0)
		fail_msg("eonayctl %s: %s", args, out);
	free(out);
	return (int)((now_s() - t0) * 1000) + 1;
}

/* Runs an eonayctl command line and kills it after up_to_ms at random;
 * returns 1 when it finished by itself (exit 0) before that. */
static int ctl_killed(const char *args, int up_to_ms)
{
	pid_t pid = fork();
	int st, ms = rand() % up_to_ms;

	assert_true(pid >= 0);
	if (pid == 0) {
		char cmd[1024];

		snprintf(cmd, sizeof(cmd), "exec %s --data %s %s >/dev/null 2>&1", ctl, data, args);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	usleep((useconds_t)ms * 1000);
	kill(pid, SIGKILL);
	waitpid(pid, &st, 0);
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void test_kill_crl_publish(void **state)
{
	unsigned finished = 0;
	long last = 0, number;

	int ms;

	(void)state;
	assert_int_equal(srv_start(&S, data, srv_extra), 0);
	/* kill moments spread over the whole run, and a little after */
	ms = ctl_duration("crl publish") * 6 / 5;
	for (unsigned k = 0; k < rounds(); k++) {
		finished += ctl_killed("crl publish", ms);
		check_integrity();
		check_audit();
		/* the CRL is whole, its number never goes back */
		number = store_count("SELECT MAX(number) FROM crl_state");
		assert_true(number >= last);
		last = number;
		check_crl();
	}
	assert_int_equal(srv_stop(&S, false), 0);
	print_message("crl publish (%d ms) killed %u times (%u finished first): CRL whole, numbers"
		      " monotonic\n", ms * 5 / 6, rounds(), finished);
}

static bool token_exists(const char *label)
{
	char *out;
	bool found;

	assert_int_equal(run_cmd(&out, "SOFTHSM2_CONF=%s softhsm2-util --show-slots", conf), 0);
	{
		char want[64];

		snprintf(want, sizeof(want), "Label:            %s\n", label);
		found = strstr(out, want) != NULL;
	}
	free(out);
	return found;
}

static void test_kill_card_issue(void **state)
{
	unsigned recorded = 0, resumed = 0, nothing = 0;
	char *out;
	int ms;

	(void)state;
	ms = ctl_duration("card issue --tckn " AHMET " --label CRASH-TIMED --pin 123456") * 6 / 5;
	for (unsigned k = 0; k < rounds(); k++) {
		char args[256], label[32], sql[256];

		snprintf(label, sizeof(label), "CRASH-%u-%d", k, rand() % 100000);
		snprintf(args, sizeof(args), "card issue --tckn " AHMET " --label %s --pin 123456",
			 label);
		ctl_killed(args, ms);
		snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM cards WHERE serial = '%s'", label);
		if (store_count(sql) == 1) {
			recorded++;
		} else {
			snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM card_intents WHERE serial = '%s'",
				 label);
			if (store_count(sql) == 1) {
				/* stopped half-way: listed, and finished by a second issue */
				assert_int_equal(run_cmd(&out, "%s --data %s card pending", ctl, data), 0);
				assert_non_null(strstr(out, label));
				free(out);
				resumed++;
			} else {
				/* nothing recorded: nothing made */
				if (token_exists(label))
					fail_msg("card issue killed: token %s exists, recorded nowhere"
						 " (its SO PIN is lost)", label);
				nothing++;
			}
			if (run_cmd(&out, "%s --data %s %s", ctl, data, args) != 0)
				fail_msg("card issue again: %s", out);
			free(out);
		}
		/* the kept SO PIN opens the token */
		if (run_cmd(&out, "%s --data %s card check %s", ctl, data, label) != 0)
			fail_msg("card check %s: %s", label, out);
		free(out);
		check_integrity();
		check_audit();
		check_evidence();
	}
	assert_int_equal(run_cmd(&out, "%s --data %s card pending", ctl, data), 0);
	assert_string_equal(out, "");
	free(out);
	print_message("card issue (%d ms) killed %u times: %u recorded before the kill, %u taken up again"
		      " from their intent, %u before anything was made; every card's kept SO PIN"
		      " opens its token\n", ms * 5 / 6, rounds(), recorded, resumed, nothing);
}

/* Two productions killed between SoftHSM's label and serial writes leave
 * two unfinished tokens, and SoftHSM then aborts in every process that
 * loads it (two tokens numbered slot 0).  The next card issue sweeps them
 * (domain/softhsm.h): the new card works, and SoftHSM loads again. */
static void test_unfinished_tokens(void **state)
{
	char tokens[300];
	char *out;

	(void)state;
	snprintf(tokens, sizeof(tokens), "%s/softhsm/tokens", data);
	assert_int_equal(softhsm_unfinished_make(tokens, "0c0ffee0-0000-0000-0000-0000000000c1",
						 "CRASH-U1"), 0);
	assert_int_equal(softhsm_unfinished_make(tokens, "0c0ffee0-0000-0000-0000-0000000000c2",
						 "CRASH-U2"), 0);
	if (run_cmd(&out, "SOFTHSM2_CONF=%s softhsm2-util --show-slots", conf) == 0)
		fail_msg("SoftHSM loaded with two unfinished tokens: %s", out);
	free(out);
	if (run_cmd(&out, "%s --data %s card issue --tckn " AHMET " --label CRASH-U3 --pin 123456",
		    ctl, data) != 0)
		fail_msg("card issue after two unfinished tokens: %s", out);
	free(out);
	if (run_cmd(&out, "SOFTHSM2_CONF=%s softhsm2-util --show-slots", conf) != 0)
		fail_msg("SoftHSM after the sweep: %s", out);
	free(out);
	if (run_cmd(&out, "%s --data %s card check CRASH-U3", ctl, data) != 0)
		fail_msg("card check CRASH-U3: %s", out);
	free(out);
	assert_int_equal(store_count("SELECT COUNT(*) FROM audit_log WHERE action ="
				     " 'card.unfinished_removed' AND subject = 'CRASH-U3' AND details"
				     " LIKE '%removed%:2,%' AND details LIKE '%0000000000c1%' AND details"
				     " LIKE '%0000000000c2%'"), 1);
	check_integrity();
	check_audit();
}

static int group_setup(void **state)
{
	char *out;

	(void)state;
	curl_global_init(CURL_GLOBAL_ALL);
	signal(SIGPIPE, SIG_IGN);
	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	conf = demo_world(data);
	if (!conf)
		return -1;
	snprintf(eimza, sizeof(eimza), "%s", bin_path("eimza"));
	snprintf(ctl, sizeof(ctl), "%s", bin_path("eonayctl"));
	snprintf(target, sizeof(target), "%s", store_target(data));
	if (run_cmd(&out, "%s --data %s cert list " AYSE, ctl, data) != 0 ||
	    sscanf(out, "%63s", ayse_serial) != 1)
		return -1;
	free(out);
	if (run_cmd(&out, "cd %s/pki && cat root.crt issuing.crt > chain.pem", data) != 0)
		return -1;
	free(out);
	return 0;
}

static int group_teardown(void **state)
{
	(void)state;
	if (S.pid > 0)
		srv_stop(&S, true);
	tmpdir_remove(data);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kill_eonayd),
		cmocka_unit_test(test_kill_crl_publish),
		cmocka_unit_test(test_unfinished_tokens),
		cmocka_unit_test(test_kill_card_issue),
	};
	/* EONAY_CRASH_ONLY=test_kill_card_issue (a glob): one of them */
	if (getenv("EONAY_CRASH_ONLY"))
		cmocka_set_test_filter(getenv("EONAY_CRASH_ONLY"));
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
