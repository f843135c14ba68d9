/* test-crl-serve.c - the incremental CRL with real processes: an adopted
 * `openssl ca` (openssl-ca.sh plus generated valid records), two eonayd
 * nodes on one store, statuses changed by two eonayctl processes at the
 * same time.  The CRL is served as the stored bytes with an ETag (304 on
 * If-None-Match); every change reaches the CRL both nodes serve; CRL
 * numbers only grow; OCSP has a hold at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

#define EXTRA 40	/* generated valid records, serials 2000.. */

static char cadir[256], data[256];
static struct srv A, B;

static char *ctl(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static char *ctl(const char *fmt, ...)
{
	char args[512], *out;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	rc = run_cmd(&out, "%s --data %s %s", bin_path("eonayctl"), data, args);
	if (rc != 0)
		print_error("eonayctl %s: exit %d:\n%s\n", args, rc, out);
	assert_int_equal(rc, 0);
	return out;
}

static int group_setup(void **state)
{
	static const char *const extra[] = { "--set", "pki.crl_min_interval=1", NULL };
	char *out;

	unsetenv("SOFTHSM2_CONF");
	snprintf(cadir, sizeof(cadir), "%s", tmpdir_new());
	if (run_cmd(&out, "%s/tests/e2e/openssl-ca.sh %s 3 && awk 'BEGIN { for (i = 0; i < %d;"
			  " i++) printf \"V\\t301231235959Z\\t\\t%%X\\tunknown\\t/CN=Kisi %%d\\n\","
			  " 8192 + i, i }' >> %s/index.txt", getenv("EONAY_SRCDIR"), cadir, EXTRA,
		    cadir) != 0) {
		print_error("openssl-ca.sh: %s\n", out);
		return -1;
	}
	free(out);
	snprintf(data, sizeof(data), "%s", tmpdir_new());
	free(ctl("ca import --cert %1$s/ca.pem --key %1$s/ca.key --index %1$s/index.txt", cadir));
	free(ctl("crl publish"));
	if (srv_start(&A, data, extra) < 0 || srv_start(&B, data, extra) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	srv_stop(&A, false);
	srv_stop(&B, false);
	tmpdir_remove(data);
	tmpdir_remove(cadir);
	return 0;
}

/* GET /crl/issuing.crl from s; the ETag in etag (may be NULL). */
static void get_crl(const struct srv *s, const char *inm, struct resp *r, char *etag, size_t n)
{
	char url[128], h[200];
	const char *headers[] = { h, NULL };
	char *e;

	snprintf(url, sizeof(url), "%s/crl/issuing.crl", s->url);
	snprintf(h, sizeof(h), "If-None-Match: %s", inm ? inm : "\"none\"");
	assert_int_equal(http_do("GET", url, NULL, 0, headers, NULL, r), 0);
	e = resp_header(r, "ETag");
	if (etag) {
		assert_non_null(e);
		snprintf(etag, n, "%s", e);
	}
	free(e);
}

/* The CRL number in an ETag "ISSUER-NUMBER". */
static long long etag_number(const char *etag)
{
	const char *d = strrchr(etag, '-');

	assert_non_null(d);
	return atoll(d + 1);
}

/* Whether the CRL in r lists every serial 2000..2000+k-1 (hex 2000 is
 * 8192), verified against the CA. */
static bool lists_all(const struct resp *r, int k)
{
	char path[300], *out;
	bool all = true;
	FILE *f;

	snprintf(path, sizeof(path), "%s/served.crl", data);
	f = fopen(path, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(r->body, 1, r->len, f), r->len);
	fclose(f);
	assert_int_equal(run_cmd(&out, "openssl crl -inform DER -in %s -CAfile %s/ca.pem -noout"
				       " -text", path, cadir), 0);
	assert_non_null(strstr(out, "verify OK"));
	for (int i = 0; i < k && all; i++) {
		char want[64];

		snprintf(want, sizeof(want), "Serial Number: %X\n", 8192 + i);
		all = strstr(out, want) != NULL;
	}
	free(out);
	return all;
}

/* The bytes served are the stored CRL's; its ETag answers 304 without a
 * body, another ETag gets the CRL again. */
static void test_bytes_etag_304(void **state)
{
	char etag[128], path[300];
	struct resp r, r2;
	FILE *f;
	char *stored;
	long n;

	get_crl(&A, NULL, &r, etag, sizeof(etag));
	assert_int_equal(r.status, 200);
	snprintf(path, sizeof(path), "%s/stored.crl", data);
	free(ctl("crl show --der %s", path));
	f = fopen(path, "rb");
	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	stored = malloc((size_t)n);
	assert_int_equal(fread(stored, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	assert_int_equal(r.len, (size_t)n);
	assert_memory_equal(r.body, stored, (size_t)n);
	free(stored);

	get_crl(&A, etag, &r2, NULL, 0);
	assert_int_equal(r2.status, 304);
	assert_int_equal(r2.len, 0);
	resp_done(&r2);
	/* The other node serves the same CRL under the same ETag. */
	get_crl(&B, etag, &r2, NULL, 0);
	assert_int_equal(r2.status, 304);
	resp_done(&r2);
	get_crl(&A, "\"something-else\"", &r2, NULL, 0);
	assert_int_equal(r2.status, 200);
	assert_int_equal(r2.len, r.len);
	resp_done(&r2);
	resp_done(&r);
}

/* Two eonayctl holding 20 certificates each at the same time, two eonayd
 * rebuilding: OCSP has a hold at once; both nodes end up serving a CRL
 * that lists all 40, and the numbers they served never went down. */
static void test_two_writers_two_nodes(void **state)
{
	char etag[128], *out;
	long long last_a = 0, last_b = 0;
	bool done = false;
	struct resp r;

	get_crl(&A, NULL, &r, etag, sizeof(etag));
	last_a = etag_number(etag);
	resp_done(&r);
	assert_int_equal(run_cmd(&out, "ctl=%s; d=%s; (for i in $(seq 0 2 %d); do $ctl --data $d"
				       " cert hold $(printf %%X $((8192 + i))) || exit 1; done) &"
				       " a=$!; (for i in $(seq 1 2 %d); do $ctl --data $d cert hold"
				       " $(printf %%X $((8192 + i))) || exit 1; done) & b=$!;"
				       " wait $a && wait $b", bin_path("eonayctl"), data, EXTRA - 1,
				 EXTRA - 1), 0);
	free(out);
	/* OCSP reads the status: held now, whatever the CRL says yet. */
	assert_int_equal(run_cmd(&out, "openssl ocsp -issuer %s/ca.pem -serial 0x2001 -url %s/ocsp"
				       " -CAfile %s/ca.pem 2>&1", cadir, B.url, cadir), 0);
	assert_non_null(strstr(out, "0x2001: revoked"));
	assert_non_null(strstr(out, "certificateHold"));
	free(out);

	for (int i = 0; i < 150 && !done; i++) {
		bool a_ok, b_ok;
		long long na, nb;

		get_crl(&A, NULL, &r, etag, sizeof(etag));
		na = etag_number(etag);
		assert_true(na >= last_a);
		last_a = na;
		a_ok = lists_all(&r, EXTRA);
		resp_done(&r);
		get_crl(&B, NULL, &r, etag, sizeof(etag));
		nb = etag_number(etag);
		assert_true(nb >= last_b);
		last_b = nb;
		b_ok = lists_all(&r, EXTRA);
		resp_done(&r);
		done = a_ok && b_ok && na == nb;
		if (!done)
			usleep(200 * 1000);
	}
	assert_true(done);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bytes_etag_304),
		cmocka_unit_test(test_two_writers_two_nodes),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
