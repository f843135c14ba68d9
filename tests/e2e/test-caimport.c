/* test-caimport.c - eonayctl ca import: a CA made by the `openssl ca`
 * command line itself (openssl-ca.sh: valid, revoked with keyCompromise,
 * held, revoked without reason, expired) is adopted on a fresh data
 * directory; its CRL as eonayctl crl publish makes it lists what
 * `openssl ca -gencrl` lists, and eonayd's OCSP answers what index.txt
 * says.  Also: a second run changes nothing, another CA is refused, a
 * malformed line stores nothing, 100 000 generated records in time. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

static const char *ca;		/* the openssl ca directory */
static char cadir[256];

static char *ctl(int want, const char *data, const char *args)
{
	char *out;
	int rc = run_cmd(&out, "%s --data %s %s", bin_path("eonayctl"), data, args);

	if (rc != want)
		print_error("eonayctl %s: exit %d, wanted %d:\n%s\n", args, rc, want, out);
	assert_int_equal(rc, want);
	return out;
}

static char *import_args(const char *index, bool certs)
{
	static char buf[2048];

	snprintf(buf, sizeof(buf), "ca import --cert %s/ca.pem --key %s/ca.key --index %s%s%s",
		 cadir, cadir, index, certs ? " --certs " : "", certs ? cadir : "");
	if (certs)
		strcat(buf, "/newcerts");
	return buf;
}

static int group_setup(void **state)
{
	char *out;

	unsetenv("SOFTHSM2_CONF");
	ca = tmpdir_new();
	snprintf(cadir, sizeof(cadir), "%s", ca);
	if (run_cmd(&out, "%s/tests/e2e/openssl-ca.sh %s", getenv("EONAY_SRCDIR"), cadir) != 0) {
		print_error("openssl-ca.sh: %s\n", out);
		return -1;
	}
	free(out);
	return 0;
}

static int group_teardown(void **state)
{
	tmpdir_remove(cadir);
	return 0;
}

/* The revoked entries of a CRL as `openssl crl -text` shows them: serial,
 * date, reason (the hold instruction is left out: eonay writes reject). */
static char *crl_entries(const char *file, const char *form)
{
	char *out;

	assert_int_equal(run_cmd(&out, "openssl crl -inform %s -in %s -noout -text -CAfile %s/ca.pem"
				       " | sed -n '/^Revoked/,/Signature Algorithm/p'"
				       " | grep -v 'Hold Instruction' | grep -v 'Signature Algorithm'",
				 form, file, cadir), 0);
	return out;
}

static void ocsp_is(const struct srv *s, const char *serial, const char *want)
{
	char *out;

	assert_int_equal(run_cmd(&out, "openssl ocsp -issuer %s/ca.pem -serial 0x%s -url %s/ocsp"
				       " -CAfile %s/ca.pem", cadir, serial, s->url, cadir), 0);
	if (!strstr(out, "Response verify OK") || !strstr(out, want))
		print_error("OCSP for %s, wanted '%s':\n%s\n", serial, want, out);
	assert_non_null(strstr(out, "Response verify OK"));
	assert_non_null(strstr(out, want));
	free(out);
}

/* The status, reason and revocation time lines of an answer about serial:
 * from eonayd (url) or from `openssl ocsp -index` on the openssl ca
 * directory itself (url NULL; answered offline, request file in, response
 * file out). */
static char *ocsp_lines(const char *url, const char *serial)
{
	char *out;

	if (url)
		assert_int_equal(run_cmd(&out, "openssl ocsp -issuer %s/ca.pem -serial 0x%s -url %s/ocsp"
					       " -CAfile %s/ca.pem 2>&1 | grep -E '0x|Reason|Revocation Time'",
					 cadir, serial, url, cadir), 0);
	else
		assert_int_equal(run_cmd(&out, "cd %s && openssl ocsp -issuer ca.pem -serial 0x%s -no_nonce"
					       " -reqout req.der >/dev/null && openssl ocsp -index index.txt"
					       " -CA ca.pem -rsigner ca.pem -rkey ca.key -reqin req.der"
					       " -respout resp.der -nrequest 1 >/dev/null 2>&1 && openssl ocsp"
					       " -respin resp.der -issuer ca.pem -serial 0x%s -CAfile ca.pem 2>&1"
					       " | grep -E '0x|Reason|Revocation Time'", cadir, serial, serial), 0);
	return out;
}

static void test_adopt_openssl_ca(void **state)
{
	const char *data = tmpdir_new();
	char idx[300], crl[600], *out, *a, *b;
	struct srv s;

	snprintf(idx, sizeof(idx), "%s/index.txt", cadir);
	out = ctl(0, data, import_args(idx, true));
	assert_non_null(strstr(out, "5 records (1 valid, 2 revoked, 1 held, 1 expired), 5 new,"
				    " 5 stored whole"));
	free(out);

	/* Again: nothing changes (not even the audit log), and it says so. */
	a = ctl(0, data, "audit head");
	out = ctl(0, data, import_args(idx, true));
	assert_non_null(strstr(out, "nothing changed"));
	free(out);
	b = ctl(0, data, "audit head");
	assert_string_equal(a, b);
	free(a);
	free(b);
	out = ctl(0, data, "audit list");
	assert_non_null(strstr(out, "ca.import"));
	free(out);

	/* The CRL lists what openssl ca -gencrl lists. */
	free(ctl(0, data, "crl publish"));
	snprintf(crl, sizeof(crl), "%s/eonay.crl", data);
	{
		char args[800];

		snprintf(args, sizeof(args), "crl show --der %s", crl);
		free(ctl(0, data, args));
	}
	snprintf(idx, sizeof(idx), "%s/openssl.crl", cadir);
	a = crl_entries(crl, "DER");
	b = crl_entries(idx, "PEM");
	assert_non_null(strstr(a, "Serial Number: 1000"));
	assert_non_null(strstr(a, "Key Compromise"));
	assert_non_null(strstr(a, "Certificate Hold"));
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_int_equal(run_cmd(&out, "openssl crl -inform DER -in %s -noout -CAfile %s/ca.pem 2>&1",
				 crl, cadir), 0);
	assert_non_null(strstr(out, "verify OK"));
	free(out);

	/* OCSP from eonayd on that data directory, as index.txt says. */
	assert_int_equal(srv_start(&s, data, NULL), 0);
	ocsp_is(&s, "1000", "Reason: keyCompromise");
	ocsp_is(&s, "1001", "Reason: certificateHold");
	ocsp_is(&s, "1002", ": revoked");
	ocsp_is(&s, "1003", ": good");
	ocsp_is(&s, "1004", ": good");	/* expired: the status it had */
	ocsp_is(&s, "1099", ": unknown");
	/* The same answers as openssl ocsp -index on that directory (for E it
	 * finds no status at all: eonay answers what the certificate had). */
	for (int i = 0; i < 4; i++) {
		char serial[8];

		snprintf(serial, sizeof(serial), "%d", 1000 + i);
		a = ocsp_lines(s.url, serial);
		b = ocsp_lines(NULL, serial);
		assert_string_equal(a, b);
		free(a);
		free(b);
	}
	srv_stop(&s, false);

	/* The name as openssl wrote it (\\xC5\\x9F escaped) reads as UTF-8. */
	out = ctl(0, data, "cert show 1003");
	assert_non_null(strstr(out, "Ki\xc5\x9fi 4"));
	free(out);

	/* eonay runs the adopted CA: the OCSP responder it made is under it. */
	out = ctl(0, data, "pki show");
	assert_non_null(strstr(out, "Eski Kurum CA"));
	free(out);
	/* Its root's CRL is signed where that root is kept, not here. */
	out = ctl(1, data, "pki arl");
	assert_non_null(strstr(out, "adopted with ca import"));
	free(out);
	tmpdir_remove(data);
}

static void test_refuse_another_ca(void **state)
{
	const char *data = tmpdir_new();
	char idx[300], *out;

	free(ctl(0, data, "pki init"));
	snprintf(idx, sizeof(idx), "%s/index.txt", cadir);
	out = ctl(1, data, import_args(idx, false));
	assert_non_null(strstr(out, "already has another CA"));
	free(out);
	tmpdir_remove(data);
}

static void test_keys(void **state)
{
	const char *data = tmpdir_new();
	char args[2048], *out;

	/* Not the CA's key: refused, nothing written. */
	snprintf(args, sizeof(args), "ca import --cert %s/ca.pem --key %s/req/leaf.key --index"
		 " %s/index.txt", cadir, cadir, cadir);
	out = ctl(1, data, args);
	assert_non_null(strstr(out, "the key is not the CA certificate's key"));
	free(out);
	free(ctl(1, data, "pki show"));

	/* An encrypted key opens with EONAY_CA_IMPORT_KEY_PASSPHRASE only. */
	assert_int_equal(run_cmd(&out, "openssl ec -in %s/ca.key -aes256 -passout pass:eski-parola"
				       " -out %s/ca-enc.key", cadir, data), 0);
	free(out);
	snprintf(args, sizeof(args), "ca import --cert %s/ca.pem --key %s/ca-enc.key --index"
		 " %s/index.txt", cadir, data, cadir);
	out = ctl(1, data, args);
	assert_non_null(strstr(out, "the key does not open"));
	free(out);
	setenv("EONAY_CA_IMPORT_KEY_PASSPHRASE", "eski-parola", 1);
	out = ctl(0, data, args);
	unsetenv("EONAY_CA_IMPORT_KEY_PASSPHRASE");
	assert_non_null(strstr(out, "CA adopted"));
	free(out);
	/* Kept encrypted under the CA passphrase, not as it came. */
	assert_int_equal(run_cmd(&out, "grep -c 'BEGIN ENCRYPTED PRIVATE KEY' %s/pki/issuing.key",
				 data), 0);
	free(out);
	free(ctl(0, data, "crl publish"));
	tmpdir_remove(data);
}

/* The CA's key on a token (SoftHSM): it stays there, named by
 * pki.issuing_key_ref, and signs the CRL. */
static void test_hsm_key(void **state)
{
	const char *data = tmpdir_new();
	char conf[600], args[2048], set[4096], uri[600], *out;

	snprintf(conf, sizeof(conf), "%s/softhsm2.conf", data);
	assert_int_equal(run_cmd(&out, "mkdir -p %s/tokens && printf 'directories.tokendir = %s/tokens\n"
				       "objectstore.backend = file\n' > %s && export SOFTHSM2_CONF=%s &&"
				       " softhsm2-util --init-token --free --label eski --pin 123456"
				       " --so-pin 12345678 && openssl pkcs8 -topk8 -nocrypt -in %s/ca.key"
				       " -out %s/ca.p8 && softhsm2-util --import %s/ca.p8 --token eski"
				       " --label ca --id 01 --pin 123456", data, data, conf, conf, cadir,
				 data, data), 0);
	free(out);
	setenv("SOFTHSM2_CONF", conf, 1);
	assert_int_equal(run_cmd(&out, "ls /usr/lib/softhsm/libsofthsm2.so"
				       " /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so 2>/dev/null"
				       " | head -1 | tr -d '\n'"), 0);
	snprintf(uri, sizeof(uri), "pkcs11:token=eski;object=ca;type=private?module-path=%s", out);
	free(out);
	snprintf(args, sizeof(args), "ca import --cert %s/ca.pem --key '%s' --index %s/index.txt",
		 cadir, uri, cadir);
	out = ctl(1, data, args);
	assert_non_null(strstr(out, "pki.issuing_key_ref"));
	free(out);
	snprintf(set, sizeof(set), "--set 'pki.issuing_key_ref=%s' --set pki.passphrase=123456 %s",
		 uri, args);
	out = ctl(0, data, set);
	assert_non_null(strstr(out, "CA adopted"));
	free(out);
	assert_int_equal(run_cmd(&out, "test ! -e %s/pki/issuing.key", data), 0);
	free(out);
	snprintf(set, sizeof(set), "--set 'pki.issuing_key_ref=%s' --set pki.passphrase=123456"
		 " crl publish", uri);
	free(ctl(0, data, set));
	unsetenv("SOFTHSM2_CONF");
	tmpdir_remove(data);
}

static void test_malformed_line_stores_nothing(void **state)
{
	const char *data = tmpdir_new();
	char idx[300], *out;

	snprintf(idx, sizeof(idx), "%s/bad.txt", data);
	assert_int_equal(run_cmd(&out, "cp %s/index.txt %s && printf 'R\\t271201155713Z\\t"
				       "2612011557Z\\tABCD\\tunknown\\t/CN=x\\n' >> %s", cadir, idx,
				 idx), 0);
	free(out);
	out = ctl(1, data, import_args(idx, false));
	assert_non_null(strstr(out, "line 6: the revocation date is not YYMMDDHHMMSSZ"));
	free(out);
	out = ctl(1, data, "pki show");	/* no CA written either */
	free(out);
	out = ctl(0, data, "cert list --json");
	free(out);
	tmpdir_remove(data);
}

static void test_hundred_thousand(void **state)
{
	const char *data = tmpdir_new();
	char idx[300], *out;
	struct timespec t0, t1;
	double secs;

	snprintf(idx, sizeof(idx), "%s/big.txt", data);
	assert_int_equal(run_cmd(&out, "awk 'BEGIN { for (i = 0; i < 100000; i++)"
				       " printf \"%%s\\t301231235959Z\\t%%s\\t%%X\\tunknown\\t/C=TR/CN=Kisi %%d\\n\","
				       " i %% 10 ? \"V\" : \"R\", i %% 10 ? \"\" : \"250101120000Z,superseded\","
				       " 1048576 + i, i }' > %s", idx), 0);
	free(out);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	out = ctl(0, data, import_args(idx, false));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	print_message("100 000 records imported in %.2f s\n", secs);
	assert_non_null(strstr(out, "100000 records (90000 valid, 10000 revoked, 0 held, 0 expired),"
				    " 100000 new"));
	assert_non_null(strstr(out, "100000 / 100000 records"));	/* the progress line */
	free(out);
	assert_true(secs < 30);
	out = ctl(0, data, import_args(idx, false));
	assert_non_null(strstr(out, "nothing changed"));
	free(out);
	free(ctl(0, data, "crl publish"));
	/* Status-only records behave like the others in the back office. */
	out = ctl(0, data, "cert show 100001");
	assert_non_null(strstr(out, "Kisi 1"));
	free(out);
	free(ctl(0, data, "cert hold 100001"));
	out = ctl(0, data, "cert show 100001");
	assert_non_null(strstr(out, "hold"));
	free(out);
	tmpdir_remove(data);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_adopt_openssl_ca),
		cmocka_unit_test(test_refuse_another_ca),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_hsm_key),
		cmocka_unit_test(test_malformed_line_stores_nothing),
		cmocka_unit_test(test_hundred_thousand),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
