/* test-ocsp-der.c - the OCSP fast path (pki/ocsp-der.c) against the
 * OpenSSL path (pki_ocsp_respond_openssl): for every status, nonce or
 * none, SHA-1 or SHA-256 CertID, both answers decoded by OpenSSL must be
 * the same DER once producedAt and the signature are blanked; every fast
 * answer verifies (OCSP_basic_verify, the nonce, `openssl ocsp`); every
 * unusual request is left to the OpenSSL path; one-byte changes to a
 * request never make the two paths disagree; answers made by several
 * threads at once (the kept signing contexts) all verify, and name the
 * digest they were signed with; and the CPU time of both. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "pki-ca-fixture.h"
#include "pki/ca-private.h"
#include "pki/crl.h"
#include "pki/ocsp-der.h"
#include "pki/ocsp.h"

static struct pki_fixture *fx, *other;
static X509 *good, *revoked, *held, *unsp, *unknown, *removed, *foreign;

struct row {
	X509 *cert;
	struct pki_ocsp_status st;
};
static struct row rows[8];
static size_t n_rows;
static int lookups, lookup_fail;

static int lookup(void *userdata, const char *issuer_hex, const char *serial_hex,
		  struct pki_ocsp_status *ret)
{
	char want[PKI_SERIAL_HEX_MAX];

	lookups++;
	if (lookup_fail)
		return lookup_fail;
	for (size_t i = 0; i < n_rows; i++) {
		assert_int_equal(pki_cert_serial_hex(rows[i].cert, want), 0);
		if (streq(want, serial_hex)) {
			*ret = rows[i].st;
			return 0;
		}
	}
	*ret = (struct pki_ocsp_status){ .status = PKI_OCSP_UNKNOWN };
	return 0;
}

/* A request for cert (of fx's issuing CA unless issuer), DER. */
static unsigned char *request(X509 *cert, X509 *issuer, const EVP_MD *md, bool nonce, size_t *ret_n)
{
	_cleanup_(OCSP_REQUEST_freep) OCSP_REQUEST *req = OCSP_REQUEST_new();
	OCSP_CERTID *id = OCSP_cert_to_id(md, cert, issuer ? issuer : pki_ca_issuing_cert(fx->ca));
	unsigned char *der = NULL;
	int n;

	assert_non_null(req);
	assert_non_null(id);
	assert_non_null(OCSP_request_add0_id(req, id));
	if (nonce)
		assert_int_equal(OCSP_request_add1_nonce(req, NULL, -1), 1);
	n = i2d_OCSP_REQUEST(req, &der);
	assert_true(n > 0);
	*ret_n = (size_t)n;
	return der;
}

static OCSP_BASICRESP *basic_of(const unsigned char *der, size_t n)
{
	_cleanup_(OCSP_RESPONSE_freep) OCSP_RESPONSE *resp = NULL;
	const unsigned char *p = der;

	resp = d2i_OCSP_RESPONSE(NULL, &p, (long)n);
	assert_non_null(resp);
	assert_ptr_equal(p, der + n);
	assert_int_equal(OCSP_response_status(resp), OCSP_RESPONSE_STATUS_SUCCESSFUL);
	return OCSP_response_get1_basic(resp);
}

/* The BasicOCSPResponse's DER with producedAt and the signature blanked,
 * once both it and its OCSPResponse wrapper are checked to be what
 * OpenSSL writes again from what it read. */
static unsigned char *blanked(const unsigned char *der, size_t n, int *ret_n)
{
	_cleanup_(OCSP_RESPONSE_freep) OCSP_RESPONSE *resp = NULL;
	_cleanup_(OCSP_BASICRESP_freep) OCSP_BASICRESP *bs = basic_of(der, n);
	_cleanup_openssl_free_ unsigned char *again = NULL, *inner = NULL;
	const unsigned char *p = der;
	ASN1_BIT_STRING *sig;
	ASN1_GENERALIZEDTIME *at;
	unsigned char *out = NULL;
	int an, in;

	assert_non_null(bs);
	resp = d2i_OCSP_RESPONSE(NULL, &p, (long)n);
	an = i2d_OCSP_RESPONSE(resp, &again);
	assert_int_equal(an, (int)n);
	assert_memory_equal(again, der, n);
	in = i2d_OCSP_BASICRESP(bs, &inner);	/* the last element, nested */
	assert_true(in > 0 && (size_t)in < n);
	assert_memory_equal(inner, der + n - (size_t)in, (size_t)in);
	sig = (ASN1_BIT_STRING *)OCSP_resp_get0_signature(bs);
	at = (ASN1_GENERALIZEDTIME *)OCSP_resp_get0_produced_at(bs);
	assert_int_equal(ASN1_BIT_STRING_set(sig, (unsigned char *)"sig", 3), 1);
	assert_int_equal(ASN1_GENERALIZEDTIME_set_string(at, "20000101000000Z"), 1);
	*ret_n = i2d_OCSP_BASICRESP(bs, &out);
	assert_true(*ret_n > 0);
	return out;
}

/* Everything but producedAt and the signature the same, including the
 * OCSPResponse wrapper around the BasicOCSPResponse. */
static void assert_same(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	_cleanup_openssl_free_ unsigned char *x = NULL, *y = NULL;
	int xn = 0, yn = 0;

	x = blanked(a, an, &xn);
	y = blanked(b, bn, &yn);
	assert_int_equal(xn, yn);
	assert_memory_equal(x, y, (size_t)xn);
}

/* Answers req both ways; the fast path must answer.  Returns the fast
 * answer. */
static unsigned char *both(const unsigned char *req, size_t n, size_t *ret_n)
{
	unsigned char *fast = NULL;
	_cleanup_free_ unsigned char *slow = NULL;
	struct pki_ocsp_info fi, si;
	size_t fn = 0, sn = 0;

	assert_int_equal(pki_ocsp_fast_respond(fx->ca, req, n, lookup, NULL, now_sec(), &fast, &fn, &fi), 0);
	assert_int_equal(pki_ocsp_respond_openssl(fx->ca, req, n, lookup, NULL, now_sec(), &slow, &sn, &si), 0);
	assert_same(fast, fn, slow, sn);
	assert_int_equal(fi.successful, si.successful);
	assert_int_equal(fi.nonce, si.nonce);
	assert_int_equal(fi.singles, si.singles);
	assert_int_equal(fi.looked_up, si.looked_up);
	assert_string_equal(fi.issuer, si.issuer);
	assert_string_equal(fi.serial, si.serial);
	assert_int_equal(fi.status.status, si.status.status);
	*ret_n = fn;
	return fast;
}

static void test_same_as_openssl(void **state)
{
	X509 *certs[] = { good, revoked, held, unsp, unknown };
	const EVP_MD *mds[] = { EVP_sha1(), EVP_sha256() };

	for (size_t c = 0; c < ELEMENTSOF(certs); c++)
		for (size_t m = 0; m < ELEMENTSOF(mds); m++)
			for (int nonce = 0; nonce < 2; nonce++) {
				_cleanup_free_ unsigned char *req = NULL, *ans = NULL;
				_cleanup_(OCSP_BASICRESP_freep) OCSP_BASICRESP *bs = NULL;
				_cleanup_(OCSP_REQUEST_freep) OCSP_REQUEST *q = NULL;
				const unsigned char *p;
				size_t n = 0, an = 0;
				int calls = lookups;

				req = request(certs[c], NULL, mds[m], nonce, &n);
				ans = both(req, n, &an);
				assert_int_equal(lookups, calls + 2);	/* once per path */
				/* it verifies, and echoes the nonce */
				bs = basic_of(ans, an);
				assert_int_equal(OCSP_basic_verify(bs, pki_ca_chain(fx->ca),
								   pki_ca_trust_store(fx->ca), 0), 1);
				p = req;
				q = d2i_OCSP_REQUEST(NULL, &p, (long)n);
				assert_non_null(q);
				assert_int_equal(OCSP_check_nonce(q, bs), nonce ? 1 : 2);
			}
}

/* `openssl ocsp` reads and verifies a fast answer, nonce and status. */
static void test_openssl_cli(void **state)
{
	_cleanup_free_ char *out = NULL;
	_cleanup_free_ unsigned char *req = NULL, *ans = NULL;
	_cleanup_free_ char *path = fx_path(fx, "req.der");
	size_t n = 0, an = 0;

	out = fx_ok(fx, "openssl ocsp -issuer ca/issuing.crt -cert held.crt -reqout req.der -nonce");
	assert_int_equal(read_file(path, 1 << 16, (char **)&req, &n), 0);
	assert_int_equal(pki_ocsp_fast_respond(fx->ca, req, n, lookup, NULL, now_sec(), &ans, &an, NULL), 0);
	fx_write(fx, "resp.der", ans, an);
	free(out);
	/* the signature and the nonce against the request as sent */
	out = fx_ok(fx, "openssl ocsp -reqin req.der -respin resp.der -CAfile ca/root.crt "
		    "-verify_other ca/issuing.crt 2>&1");
	assert_contains(out, "Response verify OK");
	assert_not_contains(out, "Nonce Verify error");
	assert_not_contains(out, "WARNING: no nonce");
	free(out);
	/* the status (openssl's own request for -cert, hence -no_nonce) */
	out = fx_ok(fx, "openssl ocsp -respin resp.der -CAfile chain.pem -issuer ca/issuing.crt "
		    "-cert held.crt -no_nonce -resp_text 2>&1");
	assert_contains(out, "Response verify OK");
	assert_contains(out, "held.crt: revoked");
	assert_contains(out, "Reason: certificateHold");
	assert_contains(out, "OCSP Nonce:");
}

/* Requests the fast path leaves to OpenSSL's. */
static void test_fallbacks(void **state)
{
	_cleanup_free_ unsigned char *req = NULL;
	unsigned char *ans = NULL;
	size_t n = 0, an = 0;
	static const char *const cli[] = {
		/* two certificates */
		"openssl ocsp -issuer ca/issuing.crt -cert good.crt -cert held.crt -reqout fb.der",
		/* another CA's */
		"openssl ocsp -issuer other.crt -cert foreign.crt -reqout fb.der",
		/* signed, with a requestor name */
		"openssl ocsp -issuer ca/issuing.crt -cert good.crt -signer signer.crt "
		"-signkey signer.key -reqout fb.der",
	};
	_cleanup_free_ char *path = fx_path(fx, "fb.der");

	for (size_t i = 0; i < ELEMENTSOF(cli); i++) {
		free(fx_ok(fx, "%s", cli[i]));
		free(req);
		req = NULL;
		assert_int_equal(read_file(path, 1 << 16, (char **)&req, &n), 0);
		assert_int_equal(pki_ocsp_fast_respond(fx->ca, req, n, lookup, NULL, now_sec(), &ans, &an, NULL),
				 -ENOTSUP);
		assert_null(ans);
		/* and pki_ocsp_respond() still answers */
		assert_int_equal(pki_ocsp_respond(fx->ca, req, n, lookup, NULL, now_sec(), &ans, &an), 0);
		free(ans);
		ans = NULL;
	}

	/* another extension besides the nonce; a critical nonce */
	for (int k = 0; k < 2; k++) {
		_cleanup_(OCSP_REQUEST_freep) OCSP_REQUEST *q = OCSP_REQUEST_new();
		_cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *v = ASN1_OCTET_STRING_new();
		unsigned char *der = NULL;
		X509_EXTENSION *e;
		int dn;

		assert_non_null(OCSP_request_add0_id(q, OCSP_cert_to_id(NULL, good, pki_ca_issuing_cert(fx->ca))));
		assert_int_equal(ASN1_OCTET_STRING_set(v, (unsigned char *)"\x04\x02xy", 4), 1);
		if (k == 0)
			assert_int_equal(OCSP_request_add1_nonce(q, NULL, -1), 1);
		e = X509_EXTENSION_create_by_NID(NULL, k == 0 ? NID_id_pkix_OCSP_CrlID : NID_id_pkix_OCSP_Nonce,
						 k == 1, v);
		assert_non_null(e);
		assert_int_equal(OCSP_REQUEST_add_ext(q, e, -1), 1);
		X509_EXTENSION_free(e);
		dn = i2d_OCSP_REQUEST(q, &der);
		assert_true(dn > 0);
		assert_int_equal(pki_ocsp_fast_respond(fx->ca, der, (size_t)dn, lookup, NULL, now_sec(), &ans, &an, NULL),
				 -ENOTSUP);
		OPENSSL_free(der);
	}

	/* a reason OCSP cannot carry: the OpenSSL path refuses it too */
	free(req);
	req = request(removed, NULL, NULL, true, &n);
	assert_int_equal(pki_ocsp_fast_respond(fx->ca, req, n, lookup, NULL, now_sec(), &ans, &an, NULL), -ENOTSUP);
	assert_int_equal(pki_ocsp_respond(fx->ca, req, n, lookup, NULL, now_sec(), &ans, &an), -EINVAL);

	/* a failed look-up fails the answer */
	free(req);
	req = request(good, NULL, NULL, true, &n);
	lookup_fail = -EIO;
	assert_int_equal(pki_ocsp_fast_respond(fx->ca, req, n, lookup, NULL, now_sec(), &ans, &an, NULL), -EIO);
	lookup_fail = 0;

	/* empty, truncated, trailing bytes */
	assert_int_equal(pki_ocsp_fast_respond(fx->ca, req, 0, lookup, NULL, now_sec(), &ans, &an, NULL), -ENOTSUP);
	assert_int_equal(pki_ocsp_fast_respond(fx->ca, req, n - 1, lookup, NULL, now_sec(), &ans, &an, NULL), -ENOTSUP);
	{
		_cleanup_free_ unsigned char *longer = malloc(n + 1);

		memcpy(longer, req, n);
		longer[n] = 0;
		assert_int_equal(pki_ocsp_fast_respond(fx->ca, longer, n + 1, lookup, NULL, now_sec(), &ans, &an, NULL),
				 -ENOTSUP);
	}
}

/* Every one-byte change of a request: the fast path either leaves it to
 * OpenSSL or answers as OpenSSL does. */
static void test_mutations(void **state)
{
	_cleanup_free_ unsigned char *req = NULL;
	size_t n = 0;
	static const unsigned char deltas[] = { 0x01, 0x80, 0xff };
	int answered = 0, left = 0;

	req = request(revoked, NULL, NULL, true, &n);
	for (size_t i = 0; i < n; i++)
		for (size_t d = 0; d < ELEMENTSOF(deltas); d++) {
			_cleanup_free_ unsigned char *m = malloc(n), *fast = NULL, *slow = NULL;
			size_t fn = 0, sn = 0;
			int r;

			memcpy(m, req, n);
			m[i] ^= deltas[d];
			r = pki_ocsp_fast_respond(fx->ca, m, n, lookup, NULL, now_sec(), &fast, &fn, NULL);
			if (r == -ENOTSUP) {
				left++;
				continue;
			}
			assert_int_equal(r, 0);
			answered++;
			assert_int_equal(pki_ocsp_respond_openssl(fx->ca, m, n, lookup, NULL, now_sec(), &slow, &sn, NULL), 0);
			assert_same(fast, fn, slow, sn);
		}
	/* the serial and the nonce bytes can change and still be answered */
	assert_true(answered > 0);
	assert_true(left > 0);
}

static double cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time per answer with a nonce, both paths (printed, and the fast one
 * must not be slower). */
static void test_speed(void **state)
{
	_cleanup_free_ unsigned char *req = NULL;
	size_t n = 0;
	int rounds = 2000;
	double t[2];

	req = request(good, NULL, NULL, true, &n);
	for (int way = 0; way < 2; way++) {
		double t0 = cpu_now();

		for (int i = 0; i < rounds; i++) {
			unsigned char *ans = NULL;
			size_t an = 0;

			if (way == 0)
				assert_int_equal(pki_ocsp_fast_respond(fx->ca, req, n, lookup, NULL, now_sec(),
								       &ans, &an, NULL), 0);
			else
				assert_int_equal(pki_ocsp_respond_openssl(fx->ca, req, n, lookup, NULL,
									  now_sec(), &ans, &an, NULL), 0);
			free(ans);
		}
		t[way] = (cpu_now() - t0) / rounds * 1e6;
	}
	print_message("OCSP with a nonce, CPU per answer: fast %.1f us, OpenSSL path %.1f us\n",
		      t[0], t[1]);
	assert_true(t[0] < t[1]);
}

static int setup(void **state)
{
	int64_t now = now_sec();

	other = fx_new_ca(NULL);
	fx = fx_new_ca(NULL);
	good = fx_issue(fx, "10000000146", "Can", "İyi", NULL);
	revoked = fx_issue(fx, "10000000146", "Ali", "İptal", NULL);
	held = fx_issue(fx, "10000000078", "Ayşe", "Askıda", NULL);
	unsp = fx_issue(fx, "10000000078", "Ece", "Nedensiz", NULL);
	unknown = fx_issue(fx, "10000000146", "Veli", "Bilinmez", NULL);
	removed = fx_issue(fx, "10000000146", "Can", "Kaldırılmış", NULL);
	foreign = fx_issue(other, "10000000146", "Başka", "Yer", NULL);
	fx_write_cert(fx, "good.crt", good);
	fx_write_cert(fx, "held.crt", held);
	fx_write_cert(fx, "foreign.crt", foreign);
	fx_write_cert(fx, "other.crt", pki_ca_issuing_cert(other->ca));
	rows[n_rows++] = (struct row){ good, { PKI_OCSP_GOOD, 0, 0 } };
	rows[n_rows++] = (struct row){ revoked, { PKI_OCSP_REVOKED, now - 7200, PKI_REASON_KEY_COMPROMISE } };
	rows[n_rows++] = (struct row){ held, { PKI_OCSP_REVOKED, now - 60, PKI_REASON_CERTIFICATE_HOLD } };
	rows[n_rows++] = (struct row){ unsp, { PKI_OCSP_REVOKED, now - 1, PKI_REASON_UNSPECIFIED } };
	rows[n_rows++] = (struct row){ removed, { PKI_OCSP_REVOKED, now - 1, PKI_REASON_REMOVE_FROM_CRL } };
	rows[n_rows++] = (struct row){ foreign, { PKI_OCSP_GOOD, 0, 0 } };
	/* a key for the signed request (any key will do) */
	free(fx_ok(fx, "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 "
		       "-nodes -keyout signer.key -out signer.crt -subj /CN=signer -days 1 2>&1"));
	return 0;
}

static int teardown(void **state)
{
	X509 *all[] = { good, revoked, held, unsp, unknown, removed, foreign };

	for (size_t i = 0; i < ELEMENTSOF(all); i++)
		X509_free(all[i]);
	fx_free(fx);
	fx_free(other);
	return 0;
}

/* Threads answering at once share the kept signing contexts: every
 * answer verifies and echoes its own nonce. */
struct worker {
	unsigned char *req;
	size_t n;
	atomic_int *bad;
};

static int lookup_good(void *userdata, const char *issuer_hex, const char *serial_hex,
		       struct pki_ocsp_status *ret)
{
	*ret = (struct pki_ocsp_status){ .status = PKI_OCSP_GOOD };
	return 0;
}

static void *answer_many(void *arg)
{
	struct worker *w = arg;
	_cleanup_(OCSP_REQUEST_freep) OCSP_REQUEST *q = NULL;
	const unsigned char *p = w->req;

	q = d2i_OCSP_REQUEST(NULL, &p, (long)w->n);
	for (int i = 0; i < 150; i++) {
		_cleanup_(OCSP_RESPONSE_freep) OCSP_RESPONSE *resp = NULL;
		_cleanup_(OCSP_BASICRESP_freep) OCSP_BASICRESP *bs = NULL;
		unsigned char *ans = NULL;
		size_t an = 0;

		if (!q || pki_ocsp_fast_respond(fx->ca, w->req, w->n, lookup_good, NULL, now_sec(),
						&ans, &an, NULL) < 0) {
			atomic_fetch_add(w->bad, 1);
			continue;
		}
		p = ans;
		resp = d2i_OCSP_RESPONSE(NULL, &p, (long)an);
		bs = resp ? OCSP_response_get1_basic(resp) : NULL;
		if (!bs || OCSP_basic_verify(bs, pki_ca_chain(fx->ca), pki_ca_trust_store(fx->ca), 0) != 1 ||
		    OCSP_check_nonce(q, bs) != 1)
			atomic_fetch_add(w->bad, 1);
		free(ans);
	}
	return NULL;
}

static void answer_at_once(void)
{
	struct worker w[4];
	pthread_t t[4];
	atomic_int bad = 0;

	for (size_t i = 0; i < ELEMENTSOF(w); i++) {
		w[i] = (struct worker){ .bad = &bad };
		w[i].req = request(good, NULL, EVP_sha1(), true, &w[i].n);	/* a nonce each */
	}
	for (size_t i = 0; i < ELEMENTSOF(t); i++)
		assert_int_equal(pthread_create(&t[i], NULL, answer_many, &w[i]), 0);
	for (size_t i = 0; i < ELEMENTSOF(t); i++)
		pthread_join(t[i], NULL);
	for (size_t i = 0; i < ELEMENTSOF(w); i++)
		free(w[i].req);
	assert_int_equal(atomic_load(&bad), 0);
	/* the fixture's responder key is P-256: the kept-context path */
	assert_true(pki_ocsp_fast_signs_digest(fx->ca));
}

static void test_threads(void **state)
{
	struct pki_fixture *cold, *saved = fx;

	answer_at_once();	/* the parts made already */
	/* a CA's first answers, all at once: the parts are made once, under
	 * the lock, while the other threads wait */
	cold = fx_new_ca(NULL);
	fx = cold;
	answer_at_once();
	fx = saved;
	fx_free(cold);
}

/* The kept-context path signs with the digest the signatureAlgorithm
 * names (ca->ocsp_md): a P-384 responder set to SHA-384 says and signs
 * ecdsa-with-SHA384, the default P-256 one ecdsa-with-SHA256. */
static int sigalg_nid(const unsigned char *ans, size_t an)
{
	_cleanup_(OCSP_BASICRESP_freep) OCSP_BASICRESP *bs = basic_of(ans, an);
	const X509_ALGOR *alg = OCSP_resp_get0_tbs_sigalg(bs);
	const ASN1_OBJECT *oid = NULL;

	assert_non_null(alg);
	X509_ALGOR_get0(&oid, NULL, NULL, alg);
	assert_int_equal(OCSP_basic_verify(bs, pki_ca_chain(fx->ca), pki_ca_trust_store(fx->ca), 0), 1);
	return OBJ_obj2nid(oid);
}

/* Three answers to req by fx's fast path: each verifies and names nid. */
static void answers_say(const unsigned char *req, size_t n, int nid)
{
	for (int i = 0; i < 3; i++) {
		_cleanup_free_ unsigned char *ans = NULL;
		size_t an = 0;

		assert_int_equal(pki_ocsp_fast_respond(fx->ca, req, n, lookup_good, NULL, now_sec(), &ans, &an,
						       NULL), 0);
		assert_int_equal(sigalg_nid(ans, an), nid);
	}
}

static void test_digest_named(void **state)
{
	struct pki_fixture *p384, *saved = fx;
	struct pki_ca_config cfg;
	_cleanup_(X509_freep) X509 *cert = NULL;
	_cleanup_free_ unsigned char *req = NULL;
	char tckn[12];
	size_t n = 0;

	req = request(good, NULL, EVP_sha1(), true, &n);
	answers_say(req, n, NID_ecdsa_with_SHA256);
	free(TAKE_PTR(req));

	pki_ca_config_init_defaults(&cfg);
	cfg.ocsp_key_spec = "ec:P-384";
	p384 = fx_new_ca(&cfg);
	p384->ca->ocsp_md = EVP_sha384();	/* before its first answer */
	EVP_MD_CTX_free(p384->ca->ocsp_sign_tmpl);
	p384->ca->ocsp_sign_tmpl = NULL;
	fx_tckn(123456789, tckn);
	cert = fx_issue(p384, tckn, "Ali", "Veli", NULL);
	fx = p384;	/* request() and sigalg_nid() use fx */
	req = request(cert, NULL, EVP_sha256(), true, &n);
	answers_say(req, n, NID_ecdsa_with_SHA384);
	assert_true(pki_ocsp_fast_signs_digest(fx->ca));
	fx = saved;
	fx_free(p384);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_as_openssl),
		cmocka_unit_test(test_openssl_cli),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_threads),
		cmocka_unit_test(test_digest_named),
		cmocka_unit_test(test_speed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
