/* test-pki.c - revocation as relying parties see it over HTTP: the stock
 * `openssl ocsp` client against eonayd's responder (POST and GET), the CRL
 * from its distribution point read by `openssl crl`, and both following
 * eonayctl hold / release / revoke at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config-build.h"
#include "harness.h"

static struct srv S;
static const char *data;
static char ahmet[80], ayse[80];

static void serial_of(const char *tckn, char *ret, size_t n)
{
	char *out;

	assert_int_equal(run_cmd(&out, "%s --data %s cert list %s", bin_path("eonayctl"), data, tckn), 0);
	assert_int_equal(sscanf(out, "%63s", ret), 1);
	(void)n;
	free(out);
}

static int group_setup(void **state)
{
	char *out;

	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	if (!demo_world(data))
		return -1;
	serial_of("10000000146", ahmet, sizeof(ahmet));
	serial_of("10000000078", ayse, sizeof(ayse));
	if (run_cmd(&out, "cd %s/pki && cat root.crt issuing.crt > chain.pem && cp root.crl"
			  " ../root-1.crl", data) != 0)	/* ARL number 1, kept for test_arl_served_newest_good */
		return -1;
	free(out);
	return srv_start(&S, data, (const char *const[]){ "--set", "pki.crl_min_interval=1", NULL });
}

static int group_teardown(void **state)
{
	srv_stop(&S, false);
	tmpdir_remove(data);
	return 0;
}

/* openssl ocsp -url against the server; returns its output. */
static char *ocsp(const char *serial)
{
	char *out;

	assert_int_equal(run_cmd(&out, "cd %s/pki && openssl ocsp -issuer issuing.crt -serial 0x%s"
				       " -url %s/ocsp -CAfile chain.pem", data, serial, S.url), 0);
	assert_non_null(strstr(out, "Response verify OK"));
	return out;
}

/* eonayctl cert VERB SERIAL [REASON] */
static void cert(const char *verb, const char *serial, const char *reason)
{
	char *out;

	assert_int_equal(run_cmd(&out, "%s --data %s cert %s %s %s", bin_path("eonayctl"), data, verb,
				 serial, reason ? reason : ""), 0);
	free(out);
}

static void test_ocsp_matches_the_store(void **state)
{
	char *out;

	out = ocsp(ahmet);
	assert_non_null(strstr(out, ": good"));
	free(out);
	out = ocsp(ayse);	/* the new card, still on hold */
	assert_non_null(strstr(out, ": revoked"));
	assert_non_null(strstr(out, "certificateHold"));
	free(out);
	out = ocsp("0123456789abcdef");
	assert_non_null(strstr(out, ": unknown"));
	free(out);
}

static void test_changes_show_at_once(void **state)
{
	char *out;

	cert("hold", ahmet, NULL);
	out = ocsp(ahmet);
	assert_non_null(strstr(out, "certificateHold"));
	free(out);
	cert("release", ahmet, NULL);
	out = ocsp(ahmet);
	assert_non_null(strstr(out, ": good"));
	free(out);
	cert("revoke", ayse, "superseded");
	out = ocsp(ayse);
	assert_non_null(strstr(out, "superseded"));
	free(out);
	/* revocation is final */
	char args[200];
	snprintf(args, sizeof(args), "%s --data %s cert release %s", bin_path("eonayctl"), data, ayse);
	assert_int_equal(run_cmd(&out, "%s", args), 1);
	assert_non_null(strstr(out, "not allowed"));
	free(out);

	/* Every change is in the certificate's history, in order. */
	assert_int_equal(run_cmd(&out, "%s --data %s cert history %s", bin_path("eonayctl"), data,
				 ahmet), 0);
	{
		char *i = strstr(out, " issued "), *h = i ? strstr(i, " hold ") : NULL,
		     *r = h ? strstr(h, " release ") : NULL;
		if (!i || !h || !r || !strstr(h, "operator reason=certificateHold"))
			fail_msg("cert history: %s", out);
	}
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s cert history %s", bin_path("eonayctl"), data,
				 ayse), 0);
	assert_non_null(strstr(out, " revoke   revoked operator reason=superseded"));
	free(out);

	/* The CRL from the distribution point says the same once eonayd has
	 * rebuilt it, seconds later (a status change only marks it). */
	for (int i = 0;; i++) {
		assert_int_equal(run_cmd(&out, "curl -sf -o %s/crl.der %s/crl/issuing.crl && cd %s/pki"
					       " && openssl crl -inform DER -in ../crl.der -CAfile"
					       " chain.pem -noout -text", data, S.url, data), 0);
		if (strstr(out, "Superseded") || i == 100)
			break;
		free(out);
		usleep(200 * 1000);
	}
	assert_non_null(strstr(out, "verify OK"));
	assert_non_null(strstr(out, "Superseded"));
	assert_null(strstr(out, "Certificate Hold"));	/* Ahmet was released */
	free(out);
}

static void test_ocsp_get_and_malformed(void **state)
{
	char *out;

	/* GET /ocsp/BASE64 (RFC 6960 A.1) */
	assert_int_equal(run_cmd(&out, "cd %s/pki && openssl ocsp -issuer issuing.crt -serial 0x%s -reqout"
				       " ../req.der -no_nonce >/dev/null && b=$(base64 -w0 ../req.der | sed"
				       " 's|/|%%2F|g; s|+|%%2B|g; s|=|%%3D|g') && curl -sf -o ../resp.der"
				       " %s/ocsp/$b && openssl ocsp -respin ../resp.der -issuer issuing.crt"
				       " -CAfile chain.pem -serial 0x%s", data, ahmet, S.url, ahmet), 0);
	assert_non_null(strstr(out, ": good"));
	free(out);
	/* garbage gets malformedRequest, not an HTTP error */
	assert_int_equal(run_cmd(&out, "cd %s && printf 'garbage' | curl -sf -o bad.der -H"
				       " 'Content-Type: application/ocsp-request' --data-binary @- %s/ocsp &&"
				       " openssl ocsp -respin bad.der -resp_text -noverify", data, S.url), 1);
	assert_non_null(strstr(out, "malformedrequest"));
	free(out);
}

static void test_ca_certificates_served(void **state)
{
	char *out;

	assert_int_equal(run_cmd(&out, "curl -sf %s/ca/issuing.crt | openssl x509 -inform DER -noout"
				       " -subject", S.url), 0);
	assert_non_null(strstr(out, "Issuing CA"));
	free(out);
}

/* openssl verify -crl_check_all on Ahmet's certificate (holder.pem) with
 * both CRLs fetched from eonayd: the issuing CA's and the root's. */
static int chain_check(char **out)
{
	return run_cmd(out, "cd %s && curl -sf -o iss.crl %s/crl/issuing.crl && curl -sf -o root.crl"
			    " %s/crl/root.crl && openssl crl -inform DER -in iss.crl > crls.pem &&"
			    " openssl crl -inform DER -in root.crl >> crls.pem && openssl verify"
			    " -crl_check_all -CAfile pki/root.crt -untrusted pki/issuing.crt -CRLfile"
			    " crls.pem holder.pem", data, S.url, S.url);
}

/* The whole path's status (RFC 5280 6.3 checks every certificate but the
 * trust anchor): the issuing CA's CRL distribution point is the root's CRL
 * (an ARL, pki/ca.h), served by eonayd.  With both CRLs a verifier that
 * checks the whole chain accepts Ahmet's certificate; once `eonayctl pki
 * arl --revoke-issuing` has listed the issuing CA, it refuses it at depth
 * 1, and eonayd serves the new ARL without a restart (and keeps serving
 * it while the file is cut short).  Last: it revokes the issuing CA. */
static void test_whole_chain_status(void **state)
{
	char *out;

	assert_int_equal(run_cmd(&out, "openssl x509 -in %s/pki/issuing.crt -noout -ext"
				       " crlDistributionPoints,authorityInfoAccess", data), 0);
	assert_non_null(strstr(out, "/crl/root.crl"));
	assert_non_null(strstr(out, "CA Issuers - URI:http://127.0.0.1:8080/ca/root.crt"));
	free(out);
	assert_int_equal(run_cmd(&out, "cd %s && export SOFTHSM2_CONF=%s/softhsm2.conf &&"
				       " m=" EONAY_SOFTHSM_MODULE " && id=$(pkcs11-tool --module $m"
				       " --token-label DEMO-0001 --list-objects --type cert | awk"
				       " '/serialNumber=10000000146/ { f = 1 } f && /ID:/ { print $2; exit }')"
				       " && pkcs11-tool --module $m --token-label DEMO-0001 --read-object"
				       " --type cert --id $id -o holder.der && openssl x509 -inform DER -in"
				       " holder.der -out holder.pem", data, data), 0);
	free(out);
	if (chain_check(&out) != 0 || !strstr(out, "holder.pem: OK"))
		fail_msg("whole chain with both CRLs: %s", out);
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s pki arl --revoke-issuing cACompromise",
				 bin_path("eonayctl"), data), 0);
	assert_non_null(strstr(out, "root CRL 2 signed"));
	free(out);
	assert_int_equal(chain_check(&out), 2);
	assert_non_null(strstr(out, "error 23 at 1 depth lookup: certificate revoked"));
	free(out);
	/* A copy under way (a cut-short file): the last good ARL stays served. */
	assert_int_equal(run_cmd(&out, "cd %s && cp pki/root.crl good.crl && truncate -s 100"
				       " pki/root.crl", data), 0);
	free(out);
	assert_int_equal(chain_check(&out), 2);
	assert_non_null(strstr(out, "error 23 at 1 depth lookup: certificate revoked"));
	free(out);
	assert_int_equal(run_cmd(&out, "cd %s && cp good.crl pki/root.crl", data), 0);
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s audit list", bin_path("eonayctl"), data), 0);
	assert_non_null(strstr(out, "pki.arl_revoke_issuing"));
	assert_non_null(strstr(out, "\"revoked_issuing\":\"cACompromise\""));
	free(out);
}

/* The issuing CA's revocation is final (docs/OPERATIONS.md), whatever
 * happens to the file.  Runs after test_whole_chain_status, which listed
 * it (cACompromise, ARL number 2); the three tests below in this order.
 * A second --revoke-issuing (another reason) signs nothing and audits
 * nothing: the audit says only what was signed. */
static void test_arl_revoked_once(void **state)
{
	char *out;

	assert_int_equal(run_cmd(&out, "%s --data %s pki arl --revoke-issuing keyCompromise",
				 bin_path("eonayctl"), data), 1);
	assert_non_null(strstr(out, "listed in root.crl already"));
	free(out);
	assert_int_equal(run_cmd(&out, "openssl crl -inform DER -in %s/pki/root.crl -noout -text",
				 data), 0);
	assert_non_null(strstr(out, "CA Compromise"));
	assert_non_null(strstr(out, "X509v3 CRL Number: \n                2\n"));
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s audit list 1", bin_path("eonayctl"), data), 0);
	assert_null(strstr(out, "keyCompromise"));
	free(out);
}

/* eonayd keeps serving the newest good ARL: not a half-copied file, not
 * an older one (number 1, without the entry), not a missing one. */
static void test_arl_served_newest_good(void **state)
{
	char *out;

	assert_int_equal(run_cmd(&out, "cd %s && cp pki/root.crl keep.crl && head -c 100 keep.crl >"
				       " pki/root.crl && curl -s -o /dev/null -w '%%{http_code}'"
				       " %s/crl/root.crl", data, S.url), 0);
	if (strcmp(out, "200") != 0)
		fail_msg("a half-copied root.crl: %s instead of the last good ARL", out);
	free(out);
	assert_int_equal(run_cmd(&out, "cd %s && cp root-1.crl pki/root.crl && curl -sf"
				       " %s/crl/root.crl | openssl crl -inform DER -noout -text",
				 data, S.url), 0);
	if (!strstr(out, "CA Compromise"))
		fail_msg("a stale ARL (number 1) served: the issuing CA no longer revoked: %s", out);
	free(out);
	assert_int_equal(run_cmd(&out, "cd %s && rm pki/root.crl && curl -sf %s/crl/root.crl |"
				       " openssl crl -inform DER -noout -text", data, S.url), 0);
	assert_non_null(strstr(out, "CA Compromise"));
	free(out);
	assert_int_equal(run_cmd(&out, "cp %s/keep.crl %s/pki/root.crl", data, data), 0);
	free(out);
}

/* Where root.crl is missing or older (lost, or a node it was never copied
 * to), pki arl does not start again without the entry: the audit log
 * knows number 2 (RFC 5280 5.2.3: CRL numbers increase). */
static void test_arl_lost_file(void **state)
{
	char *out;

	assert_int_equal(run_cmd(&out, "rm %s/pki/root.crl", data), 0);
	free(out);
	assert_int_equal(run_cmd(&out, "%s --data %s pki arl", bin_path("eonayctl"), data), 1);
	assert_non_null(strstr(out, "root CRL 2 was signed (audit log)"));
	free(out);
	assert_int_equal(run_cmd(&out, "cp %s/root-1.crl %s/pki/root.crl && %s --data %s pki arl",
				 data, data, bin_path("eonayctl"), data), 1);
	assert_non_null(strstr(out, "missing or older"));
	free(out);
	assert_int_equal(run_cmd(&out, "cp %s/keep.crl %s/pki/root.crl && %s --data %s pki arl",
				 data, data, bin_path("eonayctl"), data), 0);
	assert_non_null(strstr(out, "root CRL 3 signed"));
	free(out);
}

/* The back office refuses bad input with a clear message and changes nothing. */
static void test_ctl_bad_input(void **state)
{
	static const struct { const char *args; int status; const char *says; } cases[] = {
		{ "card issue --tckn 10000000147", 2, "check digits" },
		{ "card issue --tckn 10000000146 --pin 12", 2, "--pin" },
		{ "card issue --tckn 10000000146 --days 0", 2, "--days" },
		{ "card issue --tckn 10000000214", 1, "no holder" },
		{ "card issue --tckn 10000000146 --label DEMO-0001", 1, "exists already" },
		{ "holder add 00000000146 X Y", 2, "cannot start with 0" },
		{ "cert revoke 0123", 2, "reason" },
		{ "cert revoke 0123 certificateHold", 2, "reason" },
		{ "cert hold 0123", 1, "no certificate" },
		{ "cert history 0123", 1, "no certificate" },
		{ "cert show --issuer aa 0123", 1, "no certificate" },
		{ "crl frobnicate", 2, "unknown subcommand" },
		{ "nonsense", 2, "unknown command" },
		{ "eonay status 1234", 2, "11 digits" },
		{ "pki arl --days 0", 2, "--days takes 1 to 366" },
		{ "pki arl --days 367", 2, "--days takes 1 to 366" },
		{ "pki arl --revoke-issuing certificateHold", 2, "not a reason for a CA" },
		{ "pki arl --revoke-issuing removeFromCRL", 2, "not a reason for a CA" },
		{ "pki arl --frobnicate 1", 2, "bad argument" },
	};
	char *before, *after, *out;

	assert_int_equal(run_cmd(&before, "%s --data %s audit list 1000 | wc -l; %s --data %s cert list"
					  " 10000000146; sha256sum < %s/pki/root.crl", bin_path("eonayctl"),
				 data, bin_path("eonayctl"), data, data), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int st = run_cmd(&out, "%s --data %s %s", bin_path("eonayctl"), data, cases[i].args);
		if (st != cases[i].status || !strstr(out, cases[i].says))
			fail_msg("eonayctl %s: exit %d, said: %s", cases[i].args, st, out);
		free(out);
	}
	assert_int_equal(run_cmd(&after, "%s --data %s audit list 1000 | wc -l; %s --data %s cert list"
					 " 10000000146; sha256sum < %s/pki/root.crl", bin_path("eonayctl"),
				 data, bin_path("eonayctl"), data, data), 0);
	/* only refusals were audited (the cert hold of an unknown serial) */
	int nb = atoi(before), na = atoi(after);
	assert_true(na - nb <= 1);
	assert_string_equal(strchr(before, '\n'), strchr(after, '\n'));
	free(before);
	free(after);
	assert_int_equal(run_cmd(&out, "%s --data %s audit verify", bin_path("eonayctl"), data), 0);
	free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ocsp_matches_the_store),
		cmocka_unit_test(test_changes_show_at_once),
		cmocka_unit_test(test_ocsp_get_and_malformed),
		cmocka_unit_test(test_ca_certificates_served),
		cmocka_unit_test(test_ctl_bad_input),
		cmocka_unit_test(test_whole_chain_status),
		cmocka_unit_test(test_arl_revoked_once),
		cmocka_unit_test(test_arl_served_newest_good),
		cmocka_unit_test(test_arl_lost_file),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
