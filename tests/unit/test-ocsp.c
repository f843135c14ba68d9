/* test-ocsp.c - the OCSP responder core: requests made by `openssl ocsp`,
 * answered by pki_ocsp_respond(), checked by `openssl ocsp -respin` and by
 * the OCSP API; plus malformed requests and a speed measurement. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>

#include "pki-ca-fixture.h"
#include "pki/crl.h"
#include "pki/ocsp.h"

static struct pki_fixture *fx, *other;
static X509 *good, *revoked, *held, *unknown, *foreign;
static int64_t t_revoked, t_held;

struct lookup_table {
	int calls;
	int fail;		/* return this instead when non-zero */
	struct {
		char serial[PKI_SERIAL_HEX_MAX];
		struct pki_ocsp_status st;
	} e[8];
	size_t n;
};
static struct lookup_table table;

static int lookup(void *userdata, const char *issuer_hex, const char *serial_hex,
		  struct pki_ocsp_status *ret)
{
	struct lookup_table *t = userdata;
	char want[PKI_KEY_ID_HEX_MAX];

	t->calls++;
	if (t->fail)
		return t->fail;
	/* The issuer the request named, as the store keys it. */
	assert_int_equal(pki_cert_key_id_hex(pki_ca_issuing_cert(fx->ca), want), 0);
	assert_string_equal(issuer_hex, want);
	for (size_t i = 0; i < t->n; i++)
		if (streq(t->e[i].serial, serial_hex)) {
			*ret = t->e[i].st;
			return 0;
		}
	*ret = (struct pki_ocsp_status){ .status = PKI_OCSP_UNKNOWN };
	return 0;
}

static void table_add(X509 *x, enum pki_ocsp_cert_status st, int64_t at, int reason)
{
	assert_true(table.n < ELEMENTSOF(table.e));
	assert_int_equal(pki_cert_serial_hex(x, table.e[table.n].serial), 0);
	table.e[table.n].st = (struct pki_ocsp_status){ st, at, reason };
	table.n++;
}

/* Reads a file of the fixture directory. */
static unsigned char *slurp(const char *name, size_t *ret_n)
{
	_cleanup_free_ char *p = fx_path(fx, name);
	char *buf = NULL;

	assert_int_equal(read_file(p, 1 << 20, &buf, ret_n), 0);
	return (unsigned char *)buf;
}

/* Answers the request in req.der into resp.der; returns what
 * pki_ocsp_respond() returned. */
static int answer(int64_t now)
{
	_cleanup_free_ unsigned char *req = NULL, *resp = NULL;
	size_t n = 0, rn = 0;
	int r;

	req = slurp("req.der", &n);
	r = pki_ocsp_respond(fx->ca, req, n, lookup, &table, now, &resp, &rn);
	if (r == 0)
		fx_write(fx, "resp.der", resp, rn);
	return r;
}

static OCSP_RESPONSE *load_resp(void)
{
	_cleanup_free_ unsigned char *der = NULL;
	const unsigned char *p;
	OCSP_RESPONSE *resp;
	size_t n = 0;

	der = slurp("resp.der", &n);
	p = der;
	resp = d2i_OCSP_RESPONSE(NULL, &p, (long)n);
	assert_non_null(resp);
	return resp;
}

static void test_statuses_openssl(void **state)
{
	_cleanup_free_ char *out = NULL;
	int calls;

	/* One request per certificate, with a nonce, checked by openssl
	 * (signature, signer chain, nonce, status). */
	static const struct {
		const char *file, *expect, *reason;
	} cases[] = {
		{ "good.crt", "good.crt: good", NULL },
		{ "revoked.crt", "revoked.crt: revoked", "Reason: keyCompromise" },
		{ "held.crt", "held.crt: revoked", "Reason: certificateHold" },
		{ "unknown.crt", "unknown.crt: unknown", NULL },
	};
	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		free(out);
		out = fx_ok(fx, "openssl ocsp -issuer ca/issuing.crt -cert %s -reqout req.der -nonce",
			    cases[i].file);
		calls = table.calls;
		assert_int_equal(answer(now_sec()), 0);
		assert_int_equal(table.calls, calls + 1);
		free(out);
		/* the nonce, against the request as sent */
		out = fx_ok(fx, "openssl ocsp -reqin req.der -respin resp.der -CAfile chain.pem");
		assert_contains(out, "Response verify OK");
		assert_not_contains(out, "Nonce Verify error");
		assert_not_contains(out, "WARNING: no nonce");
		free(out);
		/* the status (openssl makes its own request for -cert, hence
		 * -no_nonce: the nonce was checked above) */
		out = fx_ok(fx, "openssl ocsp -respin resp.der -issuer ca/issuing.crt "
			    "-CAfile chain.pem -cert %s -no_nonce -resp_text", cases[i].file);
		assert_contains(out, "Response verify OK");
		assert_contains(out, cases[i].expect);
		assert_contains(out, "OCSP Response Status: successful (0x0)");
		assert_contains(out, "Response Type: Basic OCSP Response");
		assert_contains(out, "Responder Id: ");
		assert_not_contains(out, "Responder Id: C =");	/* by key, not by name */
		assert_contains(out, "OCSP Nonce:");
		assert_contains(out, "Signature Algorithm: ecdsa-with-SHA256");
		assert_contains(out, "Subject: C=TR, O=eonay Demo, CN=eonay Demo OCSP Responder");
		if (cases[i].reason)
			assert_contains(out, cases[i].reason);
		else
			assert_not_contains(out, "Reason:");
	}

	/* Revocation time as stored. */
	free(out);
	out = fx_ok(fx, "openssl ocsp -issuer ca/issuing.crt -cert revoked.crt -reqout req.der -no_nonce");
	assert_int_equal(answer(now_sec()), 0);
	{
		_cleanup_(OCSP_RESPONSE_freep) OCSP_RESPONSE *resp = load_resp();
		_cleanup_(OCSP_BASICRESP_freep) OCSP_BASICRESP *bs = OCSP_response_get1_basic(resp);
		_cleanup_(OCSP_CERTID_freep) OCSP_CERTID *id =
			OCSP_cert_to_id(NULL, revoked, pki_ca_issuing_cert(fx->ca));
		ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
		int status = -1, reason = -1;
		int64_t t = 0;

		assert_non_null(bs);
		assert_int_equal(OCSP_resp_find_status(bs, id, &status, &reason, &rev, &thisupd, &nextupd), 1);
		assert_int_equal(status, V_OCSP_CERTSTATUS_REVOKED);
		assert_int_equal(reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
		assert_int_equal(pki_asn1_time_to_unix(rev, &t), 0);
		assert_int_equal(t, t_revoked);
		/* no nonce asked, none sent */
		assert_int_equal(OCSP_BASICRESP_get_ext_by_NID(bs, NID_id_pkix_OCSP_Nonce, -1), -1);
	}
}

static void test_fields(void **state)
{
	_cleanup_free_ char *out = NULL;
	_cleanup_(OCSP_RESPONSE_freep) OCSP_RESPONSE *resp = NULL;
	_cleanup_(OCSP_BASICRESP_freep) OCSP_BASICRESP *bs = NULL;
	_cleanup_(OCSP_CERTID_freep) OCSP_CERTID *id = NULL;
	_cleanup_free_ unsigned char *reqder = NULL;
	_cleanup_(OCSP_REQUEST_freep) OCSP_REQUEST *req = NULL;
	const ASN1_OCTET_STRING *keyid = NULL;
	const X509_NAME *name = NULL;
	ASN1_GENERALIZEDTIME *rev = NULL, *thisupd = NULL, *nextupd = NULL;
	int status = -1, reason = -1;
	int64_t now = now_sec() - 1000, t = 0;
	const unsigned char *p;
	size_t n = 0;

	out = fx_ok(fx, "openssl ocsp -issuer ca/issuing.crt -cert good.crt -reqout req.der -nonce");
	assert_int_equal(answer(now), 0);
	resp = load_resp();
	assert_int_equal(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_SUCCESSFUL);
	bs = OCSP_response_get1_basic(resp);
	assert_non_null(bs);

	/* thisUpdate = now, nextUpdate = now + 1 h */
	id = OCSP_cert_to_id(NULL, good, pki_ca_issuing_cert(fx->ca));
	assert_int_equal(OCSP_resp_find_status(bs, id, &status, &reason, &rev, &thisupd, &nextupd), 1);
	assert_int_equal(status, V_OCSP_CERTSTATUS_GOOD);
	assert_int_equal(ASN1_STRING_type(thisupd), V_ASN1_GENERALIZEDTIME);
	assert_int_equal(pki_asn1_time_to_unix(thisupd, &t), 0);
	assert_int_equal(t, now);
	assert_int_equal(pki_asn1_time_to_unix(nextupd, &t), 0);
	assert_int_equal(t, now + 3600);

	/* responder id by key; the signer certificate included and it
	 * signed; the nonce is the request's */
	assert_int_equal(OCSP_resp_get0_id(bs, &keyid, &name), 1);
	assert_non_null(keyid);
	assert_null(name);
	assert_int_equal(sk_X509_num(OCSP_resp_get0_certs(bs)), 1);
	assert_int_equal(X509_cmp(sk_X509_value(OCSP_resp_get0_certs(bs), 0), pki_ca_ocsp_cert(fx->ca)), 0);
	assert_int_equal(OBJ_obj2nid(OCSP_resp_get0_tbs_sigalg(bs)->algorithm), NID_ecdsa_with_SHA256);
	reqder = slurp("req.der", &n);
	p = reqder;
	req = d2i_OCSP_REQUEST(NULL, &p, (long)n);
	assert_non_null(req);
	assert_int_equal(OCSP_check_nonce(req, bs), 1);
	/* full verification with the OpenSSL API and our trust store */
	assert_int_equal(OCSP_basic_verify(bs, pki_ca_chain(fx->ca), pki_ca_trust_store(fx->ca), 0), 1);
}

static void test_sha256_certid_and_multi(void **state)
{
	_cleanup_free_ char *out = NULL;
	char *a, *b, *c, *d;
	int calls = table.calls;

	/* SHA-256 CertIDs */
	out = fx_ok(fx, "openssl ocsp -sha256 -issuer ca/issuing.crt -cert held.crt -reqout req.der -nonce");
	assert_int_equal(answer(now_sec()), 0);
	free(out);
	out = fx_ok(fx, "openssl ocsp -reqin req.der -respin resp.der -CAfile chain.pem");
	assert_contains(out, "Response verify OK");
	assert_not_contains(out, "Nonce Verify error");
	free(out);
	out = fx_ok(fx, "openssl ocsp -respin resp.der -issuer ca/issuing.crt "
		    "-CAfile chain.pem -sha256 -cert held.crt -no_nonce -resp_text");
	assert_contains(out, "Response verify OK");
	assert_contains(out, "held.crt: revoked");
	assert_contains(out, "Reason: certificateHold");
	assert_contains(out, "Hash Algorithm: sha256");
	assert_int_equal(table.calls, calls + 1);

	/* Four certificates in one request; answers in order.  The foreign
	 * one (another CA's issuer hashes) is unknown without a lookup. */
	free(out);
	out = fx_ok(fx, "cp %s/ca/issuing.crt other-issuing.crt && "
		    "openssl ocsp -issuer ca/issuing.crt -cert good.crt -cert revoked.crt "
		    "-issuer other-issuing.crt -cert foreign.crt -issuer ca/issuing.crt -cert held.crt "
		    "-reqout req.der -nonce", other->dir);
	calls = table.calls;
	assert_int_equal(answer(now_sec()), 0);
	assert_int_equal(table.calls, calls + 3);
	free(out);
	/* (OpenSSL's client accepts a response about several issuers only
	 * from an explicitly trusted responder: -VAfile) */
	out = fx_ok(fx, "openssl ocsp -respin resp.der -issuer ca/issuing.crt -no_nonce "
		    "-VAfile ca/ocsp.crt -CAfile chain.pem -cert good.crt -cert revoked.crt -issuer other-issuing.crt "
		    "-cert foreign.crt -issuer ca/issuing.crt -cert held.crt");
	a = strstr(out, "good.crt: good");
	b = strstr(out, "revoked.crt: revoked");
	c = strstr(out, "foreign.crt: unknown");
	d = strstr(out, "held.crt: revoked");
	if (!a || !b || !c || !d)
		print_error("%s\n", out);
	assert_true(a && b && c && d);
	assert_true(a < b && b < c && c < d);
	assert_contains(out, "Response verify OK");
}

static void test_malformed(void **state)
{
	_cleanup_free_ unsigned char *req = NULL;
	unsigned char *resp = NULL;
	size_t n = 0, rn = 0;
	int calls = table.calls;
	_cleanup_free_ char *out = NULL;

	struct {
		const void *buf;
		size_t n;
	} bad[] = {
		{ "GET / HTTP/1.1\r\n\r\n", 18 },
		{ "\x30\x00", 2 },
		{ "\x30\x03\x30\x01\x00", 5 },
		{ "", 0 },
		{ "\x30\x82\xff\xff", 4 },
		/* found by tests/fuzz/fuzz-ocsp-get: parsed, but its CertID cannot
		 * be copied (hashAlgorithm parameters a constructed EOC, 20 00);
		 * was an internalError answer and a machine failure logged */
		{ "\x30\x1c\x30\x1a\x30\x18\x30\x16\x30\x14\x30\x09\x06\x05\x2b\x0e\x03\x02"
		  "\x1a\x20\x00\x04\x01\x00\x04\x01\x00\x02\x01\x01", 30 },
	};

	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		_cleanup_(OCSP_RESPONSE_freep) OCSP_RESPONSE *r = NULL;
		const unsigned char *p;

		assert_int_equal(pki_ocsp_respond(fx->ca, bad[i].buf, bad[i].n, lookup, &table,
						  now_sec(), &resp, &rn), 0);
		p = resp;
		r = d2i_OCSP_RESPONSE(NULL, &p, (long)rn);
		assert_non_null(r);
		assert_int_equal(OCSP_response_status(r), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
		assert_null(OCSP_response_get1_basic(r));
		free(resp);
		resp = NULL;
	}
	/* openssl reads it the same way */
	assert_int_equal(pki_ocsp_respond(fx->ca, (const unsigned char *)"garbage", 7, lookup, &table,
					  now_sec(), &resp, &rn), 0);
	fx_write(fx, "resp.der", resp, rn);
	free(resp);
	resp = NULL;
	assert_int_not_equal(fx_run(fx, &out, "openssl ocsp -respin resp.der -resp_text -noverify"), 0);
	assert_contains(out, "malformedrequest (1)");

	/* A real request cut short, or with a byte more. */
	free(out);
	out = fx_ok(fx, "openssl ocsp -issuer ca/issuing.crt -cert good.crt -reqout req.der -nonce");
	req = slurp("req.der", &n);
	for (size_t cut = 1; cut < n; cut += 5) {
		_cleanup_(OCSP_RESPONSE_freep) OCSP_RESPONSE *r = NULL;
		const unsigned char *p;

		assert_int_equal(pki_ocsp_respond(fx->ca, req, n - cut, lookup, &table, now_sec(),
						  &resp, &rn), 0);
		p = resp;
		r = d2i_OCSP_RESPONSE(NULL, &p, (long)rn);
		assert_int_equal(OCSP_response_status(r), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
		free(resp);
		resp = NULL;
	}
	{
		_cleanup_free_ unsigned char *longer = malloc(n + 1);
		_cleanup_(OCSP_RESPONSE_freep) OCSP_RESPONSE *r = NULL;
		const unsigned char *p;

		memcpy(longer, req, n);
		longer[n] = 0;
		assert_int_equal(pki_ocsp_respond(fx->ca, longer, n + 1, lookup, &table, now_sec(),
						  &resp, &rn), 0);
		p = resp;
		r = d2i_OCSP_RESPONSE(NULL, &p, (long)rn);
		assert_int_equal(OCSP_response_status(r), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
		free(resp);
		resp = NULL;
	}
	assert_int_equal(table.calls, calls);	/* never looked anything up */

	assert_int_equal(pki_ocsp_respond(NULL, req, n, lookup, &table, 0, &resp, &rn), -EINVAL);
	assert_int_equal(pki_ocsp_respond(fx->ca, req, n, NULL, &table, 0, &resp, &rn), -EINVAL);
	assert_int_equal(pki_ocsp_respond(fx->ca, NULL, 5, lookup, &table, 0, &resp, &rn), -EINVAL);
}

/* Built with the OCSP API: requests openssl ocsp cannot make. */
static int respond_to(OCSP_REQUEST *req, OCSP_RESPONSE **ret)
{
	_cleanup_openssl_free_ unsigned char *der = NULL;
	_cleanup_free_ unsigned char *resp = NULL;
	const unsigned char *p;
	size_t rn = 0;
	int n = i2d_OCSP_REQUEST(req, &der), r;

	assert_true(n > 0);
	r = pki_ocsp_respond(fx->ca, der, (size_t)n, lookup, &table, now_sec(), &resp, &rn);
	if (r < 0)
		return r;
	p = resp;
	*ret = d2i_OCSP_RESPONSE(NULL, &p, (long)rn);
	assert_non_null(*ret);
	return 0;
}

static void test_request_limits(void **state)
{
	_cleanup_(OCSP_REQUEST_freep) OCSP_REQUEST *empty = OCSP_REQUEST_new();
	_cleanup_(OCSP_REQUEST_freep) OCSP_REQUEST *many = OCSP_REQUEST_new();
	_cleanup_(OCSP_REQUEST_freep) OCSP_REQUEST *bignonce = OCSP_REQUEST_new();
	_cleanup_(OCSP_REQUEST_freep) OCSP_REQUEST *okmax = OCSP_REQUEST_new();
	OCSP_RESPONSE *resp = NULL;
	unsigned char nonce[64];

	/* no single request at all */
	assert_int_equal(respond_to(empty, &resp), 0);
	assert_int_equal(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
	OCSP_RESPONSE_free(resp);

	/* at most PKI_OCSP_MAX_SINGLE */
	for (int i = 0; i < PKI_OCSP_MAX_SINGLE; i++) {
		assert_non_null(OCSP_request_add0_id(okmax, OCSP_cert_to_id(NULL, good, pki_ca_issuing_cert(fx->ca))));
		assert_non_null(OCSP_request_add0_id(many, OCSP_cert_to_id(NULL, good, pki_ca_issuing_cert(fx->ca))));
	}
	assert_non_null(OCSP_request_add0_id(many, OCSP_cert_to_id(NULL, good, pki_ca_issuing_cert(fx->ca))));
	assert_int_equal(respond_to(okmax, &resp), 0);
	assert_int_equal(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_SUCCESSFUL);
	{
		OCSP_BASICRESP *bs = OCSP_response_get1_basic(resp);
		assert_int_equal(OCSP_resp_count(bs), PKI_OCSP_MAX_SINGLE);
		OCSP_BASICRESP_free(bs);
	}
	OCSP_RESPONSE_free(resp);
	assert_int_equal(respond_to(many, &resp), 0);
	assert_int_equal(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
	OCSP_RESPONSE_free(resp);

	/* RFC 8954: nonce longer than 32 bytes */
	assert_non_null(OCSP_request_add0_id(bignonce, OCSP_cert_to_id(NULL, good, pki_ca_issuing_cert(fx->ca))));
	memset(nonce, 7, sizeof(nonce));
	assert_int_equal(OCSP_request_add1_nonce(bignonce, nonce, 33), 1);
	assert_int_equal(respond_to(bignonce, &resp), 0);
	assert_int_equal(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_MALFORMEDREQUEST);
	OCSP_RESPONSE_free(resp);
	{
		_cleanup_(OCSP_REQUEST_freep) OCSP_REQUEST *n32 = OCSP_REQUEST_new();
		_cleanup_(OCSP_BASICRESP_freep) OCSP_BASICRESP *bs = NULL;

		assert_non_null(OCSP_request_add0_id(n32, OCSP_cert_to_id(NULL, good, pki_ca_issuing_cert(fx->ca))));
		assert_int_equal(OCSP_request_add1_nonce(n32, nonce, 32), 1);
		assert_int_equal(respond_to(n32, &resp), 0);
		assert_int_equal(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_SUCCESSFUL);
		bs = OCSP_response_get1_basic(resp);
		assert_int_equal(OCSP_check_nonce(n32, bs), 1);
		OCSP_RESPONSE_free(resp);
	}
}

static void test_lookup_failure(void **state)
{
	_cleanup_free_ char *out = NULL;
	unsigned char *resp = NULL;
	size_t rn = 0;
	const unsigned char *p;
	OCSP_RESPONSE *r;

	out = fx_ok(fx, "openssl ocsp -issuer ca/issuing.crt -cert good.crt -reqout req.der");
	table.fail = -EIO;
	assert_int_equal(answer(now_sec()), -EIO);
	table.fail = 0;

	/* what the server then sends */
	assert_int_equal(pki_ocsp_error_response(OCSP_RESPONSE_STATUS_INTERNALERROR, &resp, &rn), 0);
	p = resp;
	r = d2i_OCSP_RESPONSE(NULL, &p, (long)rn);
	assert_int_equal(OCSP_response_status(r), OCSP_RESPONSE_STATUS_INTERNALERROR);
	OCSP_RESPONSE_free(r);
	free(resp);
	assert_int_equal(pki_ocsp_error_response(OCSP_RESPONSE_STATUS_SUCCESSFUL, &resp, &rn), -EINVAL);
	assert_int_equal(pki_ocsp_error_response(99, &resp, &rn), -EINVAL);
}

/* How many answers a second one thread makes, for the record; the bound
 * asserted is loose on purpose (slow CI machines, sanitizers). */
static void test_speed(void **state)
{
	_cleanup_free_ char *out = NULL;
	_cleanup_free_ unsigned char *req = NULL;
	size_t n = 0;
	uint64_t t0, t1;
	int rounds = 2000;

	out = fx_ok(fx, "openssl ocsp -issuer ca/issuing.crt -cert good.crt -reqout req.der -nonce");
	req = slurp("req.der", &n);
	t0 = now_usec_mono();
	for (int i = 0; i < rounds; i++) {
		unsigned char *resp = NULL;
		size_t rn = 0;

		assert_int_equal(pki_ocsp_respond(fx->ca, req, n, lookup, &table, now_sec(), &resp, &rn), 0);
		free(resp);
	}
	t1 = now_usec_mono();
	print_message("OCSP: %d answers in %.3f s = %.0f/s on one thread\n", rounds,
		      (double)(t1 - t0) / 1e6, rounds / ((double)(t1 - t0) / 1e6));
	assert_true(rounds / ((double)(t1 - t0) / 1e6) > 200);
}

struct worker {
	const unsigned char *req;
	size_t n;
	int ok;
};

static int lookup_const(void *userdata, const char *issuer_hex, const char *serial_hex,
			struct pki_ocsp_status *ret)
{
	*ret = (struct pki_ocsp_status){ .status = PKI_OCSP_GOOD };
	return 0;
}

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 300; i++) {
		_cleanup_(OCSP_RESPONSE_freep) OCSP_RESPONSE *r = NULL;
		_cleanup_(OCSP_BASICRESP_freep) OCSP_BASICRESP *bs = NULL;
		_cleanup_free_ unsigned char *resp = NULL;
		const unsigned char *p;
		size_t rn = 0;

		if (pki_ocsp_respond(fx->ca, w->req, w->n, lookup_const, NULL, now_sec(), &resp, &rn) < 0)
			continue;
		p = resp;
		r = d2i_OCSP_RESPONSE(NULL, &p, (long)rn);
		bs = r ? OCSP_response_get1_basic(r) : NULL;
		if (bs && OCSP_basic_verify(bs, pki_ca_chain(fx->ca), pki_ca_trust_store(fx->ca), 0) == 1)
			w->ok++;
	}
	return NULL;
}

/* One CA, several threads answering at once: every answer verifies. */
static void test_threads(void **state)
{
	_cleanup_free_ char *out = NULL;
	_cleanup_free_ unsigned char *req = NULL;
	struct worker w[4];
	pthread_t th[4];
	size_t n = 0;

	out = fx_ok(fx, "openssl ocsp -issuer ca/issuing.crt -cert good.crt -reqout req.der -nonce");
	req = slurp("req.der", &n);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ req, n, 0 };
		assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].ok, 300);
	}
}

static int setup(void **state)
{
	other = fx_new_ca(NULL);
	fx = fx_new_ca(NULL);
	good = fx_issue(fx, "10000000146", "Can", "İyi", NULL);
	revoked = fx_issue(fx, "10000000146", "Ali", "İptal", NULL);
	held = fx_issue(fx, "10000000078", "Ayşe", "Askıda", NULL);
	unknown = fx_issue(fx, "10000000146", "Veli", "Bilinmez", NULL);
	foreign = fx_issue(other, "10000000146", "Başka", "Yer", NULL);
	fx_write_cert(fx, "good.crt", good);
	fx_write_cert(fx, "revoked.crt", revoked);
	fx_write_cert(fx, "held.crt", held);
	fx_write_cert(fx, "unknown.crt", unknown);
	fx_write_cert(fx, "foreign.crt", foreign);
	t_revoked = now_sec() - 7200;
	t_held = now_sec() - 60;
	table_add(good, PKI_OCSP_GOOD, 0, 0);
	table_add(revoked, PKI_OCSP_REVOKED, t_revoked, PKI_REASON_KEY_COMPROMISE);
	table_add(held, PKI_OCSP_REVOKED, t_held, PKI_REASON_CERTIFICATE_HOLD);
	/* the foreign certificate's serial as if it were ours: must never be
	 * asked for, the issuer does not match */
	table_add(foreign, PKI_OCSP_GOOD, 0, 0);
	return 0;
}

static int teardown(void **state)
{
	X509_free(good);
	X509_free(revoked);
	X509_free(held);
	X509_free(unknown);
	X509_free(foreign);
	fx_free(fx);
	fx_free(other);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_statuses_openssl),
		cmocka_unit_test(test_fields),
		cmocka_unit_test(test_sha256_certid_and_multi),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_request_limits),
		cmocka_unit_test(test_lookup_failure),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
