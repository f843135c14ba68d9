/* test-ocsp.c - pre-signed OCSP (RFC 5019) as relying parties see it, on
 * two eonayd nodes sharing one store (SQLite file or PostgreSQL database):
 * two answers without a nonce are the same bytes with the RFC 5019 caching
 * headers (GET and POST alike, 304 for a matching If-None-Match); a nonce
 * is echoed and its answer signed each time; after `eonayctl cert hold`
 * the very next answer of each node says certificateHold, and after the
 * release good, with both nodes' answers kept from before; /metrics is
 * the Prometheus text format and counts kept and signed answers; OCSP
 * access lines are sampled (log.ocsp_sample). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/ocsp.h>

#include "common/util.h"
#include "harness.h"

static struct srv A, B;
static const char *data;
static char ahmet[80];

static int group_setup(void **state)
{
	static const char *const quiet[] = { "--set", "log.ocsp_sample=0", NULL };
	char *out;

	unsetenv("SOFTHSM2_CONF");
	data = tmpdir_new();
	if (!demo_world(data))
		return -1;
	if (run_cmd(&out, "%s --data %s cert list 10000000146", bin_path("eonayctl"), data) != 0 ||
	    sscanf(out, "%63s", ahmet) != 1)
		return -1;
	free(out);
	/* Two nodes on one store (the data directory names it). */
	if (srv_start(&A, data, NULL) < 0 || srv_start(&B, data, quiet) < 0)
		return -1;
	return 0;
}

static int group_teardown(void **state)
{
	srv_stop(&A, false);
	srv_stop(&B, false);
	tmpdir_remove(data);
	return 0;
}

/* A DER request for serial made by `openssl ocsp`. */
static unsigned char *make_request(const char *serial, bool nonce, size_t *ret_n)
{
	_cleanup_free_ char *path = strdup_printf("%s/req-%s.der", data, nonce ? "n" : "0");
	char *out, *buf = NULL;

	assert_int_equal(run_cmd(&out, "cd %s/pki && openssl ocsp -issuer issuing.crt -serial 0x%s"
				       " %s -reqout %s", data, serial, nonce ? "-nonce" : "-no_nonce",
				 path), 0);
	free(out);
	assert_int_equal(read_file(path, 1 << 16, &buf, ret_n), 0);
	return (unsigned char *)buf;
}

/* GET /ocsp/BASE64 (RFC 5019 section 5: URL-encoded base64). */
static void get(const struct srv *s, const unsigned char *der, size_t n, const char *inm,
		struct resp *ret)
{
	unsigned char b64[1024];
	char url[4096], hdr[128];
	const char *headers[] = { inm ? hdr : NULL, NULL };
	size_t k;
	int len;

	assert_true(n < 700);
	len = EVP_EncodeBlock(b64, der, (int)n);
	k = (size_t)snprintf(url, sizeof(url), "%s/ocsp/", s->url);
	for (int i = 0; i < len; i++)
		k += (size_t)snprintf(url + k, sizeof(url) - k,
				      b64[i] == '/' ? "%%2F" : b64[i] == '+' ? "%%2B" : b64[i] == '=' ? "%%3D" : "%c",
				      b64[i]);
	if (inm)
		snprintf(hdr, sizeof(hdr), "If-None-Match: %s", inm);
	assert_int_equal(http_do("GET", url, NULL, 0, headers, NULL, ret), 0);
}

static void post(const struct srv *s, const unsigned char *der, size_t n, struct resp *ret)
{
	static const char *const headers[] = { "Content-Type: application/ocsp-request", NULL };
	char url[128];

	snprintf(url, sizeof(url), "%s/ocsp", s->url);
	assert_int_equal(http_do("POST", url, (const char *)der, n, headers, NULL, ret), 0);
}

/* The one status in an answer (V_OCSP_CERTSTATUS_*), its reason, and
 * whether it echoes req's nonce (1), has none (2) or another (0 / -1). */
static int status_of(const struct resp *r, int *ret_reason, const unsigned char *req,
		     size_t req_n, int *ret_nonce)
{
	const unsigned char *p = (const unsigned char *)r->body;
	OCSP_RESPONSE *resp;
	OCSP_BASICRESP *bs;
	OCSP_REQUEST *rq;
	int status, reason = -1;

	assert_int_equal(r->status, 200);
	resp = d2i_OCSP_RESPONSE(NULL, &p, (long)r->len);
	assert_non_null(resp);
	assert_int_equal(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_SUCCESSFUL);
	bs = OCSP_response_get1_basic(resp);
	assert_non_null(bs);
	assert_int_equal(OCSP_resp_count(bs), 1);
	status = OCSP_single_get0_status(OCSP_resp_get0(bs, 0), &reason, NULL, NULL, NULL);
	if (ret_nonce) {
		p = req;
		rq = d2i_OCSP_REQUEST(NULL, &p, (long)req_n);
		assert_non_null(rq);
		*ret_nonce = OCSP_check_nonce(rq, bs);
		OCSP_REQUEST_free(rq);
	}
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	if (ret_reason)
		*ret_reason = reason;
	return status;
}

static bool same_body(const struct resp *a, const struct resp *b)
{
	return a->len == b->len && memcmp(a->body, b->body, a->len) == 0;
}

static void check_rfc5019_headers(const struct resp *r)
{
	_cleanup_free_ char *cc = resp_header(r, "Cache-Control"), *exp = resp_header(r, "Expires"),
			    *lm = resp_header(r, "Last-Modified"), *etag = resp_header(r, "ETag");
	long max_age = -1;

	assert_non_null(cc);
	assert_int_equal(sscanf(cc, "max-age=%ld", &max_age), 1);
	/* at most the answer's remaining validity (pki.ocsp_validity: 3600) */
	assert_in_range(max_age, 1, 3600);
	assert_non_null(strstr(cc, ", public, no-transform, must-revalidate"));
	assert_non_null(exp);
	assert_non_null(strstr(exp, " GMT"));
	assert_non_null(lm);
	assert_non_null(strstr(lm, " GMT"));
	assert_non_null(etag);
	assert_int_equal(etag[0], '"');
}

static void test_no_nonce_same_bytes(void **state)
{
	_cleanup_free_ unsigned char *req = NULL;
	_cleanup_free_ char *etag = NULL, *cc = NULL;
	struct resp r1, r2, r3, r4;
	size_t n = 0;

	req = make_request(ahmet, false, &n);
	get(&A, req, n, NULL, &r1);
	get(&A, req, n, NULL, &r2);
	assert_int_equal(status_of(&r1, NULL, NULL, 0, NULL), V_OCSP_CERTSTATUS_GOOD);
	assert_true(same_body(&r1, &r2));
	check_rfc5019_headers(&r1);
	check_rfc5019_headers(&r2);
	/* POST of the same request: the same answer. */
	post(&A, req, n, &r3);
	assert_true(same_body(&r1, &r3));
	check_rfc5019_headers(&r3);
	/* A cache revalidating with the ETag gets 304. */
	etag = resp_header(&r1, "ETag");
	get(&A, req, n, etag, &r4);
	assert_int_equal(r4.status, 304);
	assert_int_equal(r4.len, 0);
	resp_done(&r4);
	get(&A, req, n, "\"other\"", &r4);
	assert_int_equal(r4.status, 200);
	assert_true(same_body(&r1, &r4));
	resp_done(&r1);
	resp_done(&r2);
	resp_done(&r3);
	resp_done(&r4);
}

static void test_nonce_echoed(void **state)
{
	_cleanup_free_ unsigned char *req = NULL;
	_cleanup_free_ char *cc = NULL;
	struct resp r1, r2;
	int nonce = -1;
	size_t n = 0;

	req = make_request(ahmet, true, &n);
	post(&A, req, n, &r1);
	post(&A, req, n, &r2);
	assert_int_equal(status_of(&r1, NULL, req, n, &nonce), V_OCSP_CERTSTATUS_GOOD);
	assert_int_equal(nonce, 1);
	assert_int_equal(status_of(&r2, NULL, req, n, &nonce), V_OCSP_CERTSTATUS_GOOD);
	assert_int_equal(nonce, 1);
	assert_false(same_body(&r1, &r2));	/* signed for each request */
	cc = resp_header(&r1, "Cache-Control");
	assert_non_null(cc);
	assert_string_equal(cc, "no-store");
	resp_done(&r1);
	resp_done(&r2);
}

/* eonayctl cert VERB ahmet */
static void cert(const char *verb)
{
	char *out;

	assert_int_equal(run_cmd(&out, "%s --data %s cert %s %s", bin_path("eonayctl"), data, verb,
				 ahmet), 0);
	free(out);
}

/* The status node s answers now for ahmet, without a nonce. */
static int status_on(const struct srv *s, bool by_get, int *ret_reason)
{
	_cleanup_free_ unsigned char *req = NULL;
	struct resp r;
	size_t n = 0;
	int st;

	req = make_request(ahmet, false, &n);
	if (by_get)
		get(s, req, n, NULL, &r);
	else
		post(s, req, n, &r);
	st = status_of(&r, ret_reason, NULL, 0, NULL);
	resp_done(&r);
	return st;
}

static void test_change_shows_on_every_node(void **state)
{
	int reason = -1;

	/* Both nodes have the good answer kept. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(status_on(&A, true, NULL), V_OCSP_CERTSTATUS_GOOD);
		assert_int_equal(status_on(&B, true, NULL), V_OCSP_CERTSTATUS_GOOD);
		assert_int_equal(status_on(&B, false, NULL), V_OCSP_CERTSTATUS_GOOD);
	}
	cert("hold");
	assert_int_equal(status_on(&B, true, &reason), V_OCSP_CERTSTATUS_REVOKED);
	assert_int_equal(reason, OCSP_REVOKED_STATUS_CERTIFICATEHOLD);
	assert_int_equal(status_on(&A, true, &reason), V_OCSP_CERTSTATUS_REVOKED);
	assert_int_equal(reason, OCSP_REVOKED_STATUS_CERTIFICATEHOLD);
	assert_int_equal(status_on(&A, false, &reason), V_OCSP_CERTSTATUS_REVOKED);
	cert("release");
	assert_int_equal(status_on(&A, true, NULL), V_OCSP_CERTSTATUS_GOOD);
	assert_int_equal(status_on(&B, false, NULL), V_OCSP_CERTSTATUS_GOOD);
	assert_int_equal(status_on(&B, true, NULL), V_OCSP_CERTSTATUS_GOOD);
}

/* The prepared response shared by many requests (api-pki.c), under
 * parallel load on both nodes across second boundaries (each second a new
 * one replaces the last while others still send it) and status changes
 * (a new answer, the old one and its response freed): plain GETs on
 * kept-alive connections, HEAD, Connection: close and If-None-Match
 * mixed.  Every request gets 200 or 304 and both nodes live on; under
 * the address sanitizer (build-asan) a use after free would end a node. */
static void test_shared_response_under_load(void **state)
{
	_cleanup_free_ unsigned char *req = NULL;
	_cleanup_free_ char *cfg = strdup_printf("%s/curl-load.cfg", data);
	unsigned char b64[1024];
	char path[1024], *out = NULL;
	size_t n = 0, k = 0;
	FILE *f;
	int len, bad = 0;

	(void)state;
	req = make_request(ahmet, false, &n);
	len = EVP_EncodeBlock(b64, req, (int)n);
	for (int i = 0; i < len; i++)
		k += (size_t)snprintf(path + k, sizeof(path) - k,
				      b64[i] == '/' ? "%%2F" : b64[i] == '+' ? "%%2B" : b64[i] == '=' ? "%%3D" : "%c",
				      b64[i]);
	f = fopen(cfg, "w");
	assert_non_null(f);
	for (int i = 0; i < 1600; i++) {
		const struct srv *s = i % 2 ? &A : &B;

		fprintf(f, "next\nurl = \"%s/ocsp/%s\"\noutput = \"/dev/null\"\n", s->url, path);
		if (i % 7 == 3)
			fprintf(f, "head\n");
		else if (i % 7 == 5)
			fprintf(f, "header = \"Connection: close\"\n");
		else if (i % 7 == 6)
			fprintf(f, "header = \"If-None-Match: \\\"0\\\"\"\n");
	}
	fclose(f);
	assert_int_equal(run_cmd(&out, "(for v in hold release hold release; do sleep 0.4;"
				       " %s --data %s cert $v %s >/dev/null || exit 1; done) & c=$!;"
				       " for r in 1 2; do curl -s --parallel --parallel-max 24"
				       " -w '%%{http_code}\\n' -K %s; done; wait $c",
				 bin_path("eonayctl"), data, ahmet, cfg), 0);
	for (char *p = out; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		if (strncmp(p, "200", 3) != 0 && strncmp(p, "304", 3) != 0)
			bad++;
	if (bad)
		fail_msg("%d answers neither 200 nor 304:\n%.400s", bad, out);
	free(out);
	assert_int_equal(status_on(&A, true, NULL), V_OCSP_CERTSTATUS_GOOD);
	assert_int_equal(status_on(&B, true, NULL), V_OCSP_CERTSTATUS_GOOD);
	assert_int_equal(kill(A.pid, 0), 0);
	assert_int_equal(kill(B.pid, 0), 0);
}

/* The value of the sample "name{labels}" in text, or -1. */
static double sample(const char *text, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = text; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
		if (strncmp(p, name, n) == 0 && p[n] == ' ')
			return atof(p + n + 1);
	return -1;
}

static void test_metrics(void **state)
{
	static const char *const line_re =
		"^([a-zA-Z_:][a-zA-Z0-9_:]*(\\{[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\""
		"(,[a-zA-Z_][a-zA-Z0-9_]*=\"([^\"\\\\]|\\\\.)*\")*\\})? -?[0-9]+(\\.[0-9]+)?"
		"|# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*"
		"|# TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$";
	_cleanup_free_ char *ct = NULL, *log = NULL;
	char url[128];
	struct resp r;
	regex_t re;
	size_t lines = 0, loglen = 0;

	assert_int_equal(regcomp(&re, line_re, REG_EXTENDED | REG_NOSUB), 0);
	snprintf(url, sizeof(url), "%s/metrics", A.url);
	assert_int_equal(http_do("GET", url, NULL, 0, NULL, NULL, &r), 0);
	assert_int_equal(r.status, 200);
	ct = resp_header(&r, "Content-Type");
	assert_non_null(strstr(ct, "text/plain; version=0.0.4"));
	assert_true(r.len > 0 && r.body[r.len - 1] == '\n');
	for (char *line = r.body, *nl; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		*nl = '\0';
		if (regexec(&re, line, 0, NULL, 0) != 0)
			fail_msg("not a metrics line: '%s'", line);
		*nl = '\n';
		lines++;
	}
	regfree(&re);
	assert_true(lines > 20);
	assert_true(sample(r.body, "eonay_ocsp_answers_total{how=\"cached\"}") >= 3);
	assert_true(sample(r.body, "eonay_ocsp_answers_total{how=\"signed\"}") >= 3);
	assert_true(sample(r.body, "eonay_ocsp_answers_total{how=\"per_request\"}") >= 2);
	assert_true(sample(r.body, "eonay_ocsp_kept_answers") >= 1);
	assert_true(sample(r.body, "eonay_http_requests_total{method=\"GET\",route=\"/ocsp/{request*}\"}") >= 5);
	assert_true(sample(r.body, "eonay_http_responses_total{status=\"304\"}") >= 1);
	assert_true(sample(r.body, "eonay_waits") >= 0);
	assert_non_null(strstr(r.body, "eonay_ceremonies_total{outcome=\"accepted\"} "));
	assert_non_null(strstr(r.body, "eonay_crl_number{issuer=\""));
	assert_non_null(strstr(r.body, "eonay_crl_age_seconds{issuer=\""));
	assert_true(sample(r.body, "eonay_store_readable") == 1);
	/* the root's CRL, signed at pki init for 365 days */
	assert_true(sample(r.body, "eonay_arl_number") == 1);
	assert_true(sample(r.body, "eonay_arl_next_update_seconds") > 364 * 86400);
	resp_done(&r);

	/* Node B writes no OCSP access line (log.ocsp_sample=0) but counts
	 * every one it left out; its other lines are written.  (Both nodes
	 * log into DATA/eonayd.log: B's requests come from 127.0.0.2.) */
	http_set_source("127.0.0.2");
	for (int i = 0; i < 4; i++)
		assert_int_equal(status_on(&B, i % 2, NULL), V_OCSP_CERTSTATUS_GOOD);
	snprintf(url, sizeof(url), "%s/metrics", B.url);
	assert_int_equal(http_do("GET", url, NULL, 0, NULL, NULL, &r), 0);
	http_set_source(NULL);
	assert_true(sample(r.body, "eonay_access_log_sampled_out_total") >= 4);
	resp_done(&r);
	/* The access line is written once the answer is out: the client may
	 * read the answer first (under ASan, often). */
	for (int i = 0; i < 100; i++) {
		free(log);
		log = NULL;
		assert_int_equal(read_file(B.log, 1 << 24, &log, &loglen), 0);
		if (strstr(log, "GET /metrics 200") && strstr(log, "127.0.0.2"))
			break;
		usleep(20000);
	}
	for (const char *p = log; (p = strstr(p, " 127.0.0.2")); p++) {
		const char *bol = p;

		while (bol > log && bol[-1] != '\n')
			bol--;
		if (strstr(bol, "/ocsp") && strstr(bol, "/ocsp") < p)
			fail_msg("an OCSP access line of node B: %.*s", (int)(p - bol + 10), bol);
	}
	assert_non_null(strstr(log, "GET /metrics 200"));
	assert_non_null(strstr(log, "127.0.0.2"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_no_nonce_same_bytes),
		cmocka_unit_test(test_nonce_echoed),
		cmocka_unit_test(test_change_shows_on_every_node),
		cmocka_unit_test(test_shared_response_under_load),
		cmocka_unit_test(test_metrics),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
