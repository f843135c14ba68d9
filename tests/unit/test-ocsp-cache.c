/* test-ocsp-cache.c - pre-signed OCSP answers (pki/ocsp-cache.h): kept
 * for requests without a nonce and served byte for byte, never after the
 * status the look-up gives changed, signed again at half of their
 * validity; nonce requests signed every time; the bound on entries; many
 * threads on one answer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <pthread.h>

#include "pki-ca-fixture.h"
#include "pki/crl.h"
#include "pki/ocsp-cache.h"

static struct pki_fixture *fx;
static X509 *good, *held, *unknown;

/* The store as the responder sees it: status per serial, and calls. */
static struct {
	pthread_mutex_t lock;
	int calls, fail;
	/* A thread that gets in while another signs: run once from inside
	 * the look-up (before it answers) when set. */
	void (*meanwhile)(void);
	char good[PKI_SERIAL_HEX_MAX], held[PKI_SERIAL_HEX_MAX];
	struct pki_ocsp_status good_st, held_st;
} store = { .lock = PTHREAD_MUTEX_INITIALIZER };

static int lookup(void *userdata, const char *issuer_hex, const char *serial_hex,
		  struct pki_ocsp_status *ret)
{
	void (*meanwhile)(void) = store.meanwhile;
	int r = 0;

	(void)userdata;
	(void)issuer_hex;
	if (meanwhile) {
		store.meanwhile = NULL;
		meanwhile();
	}
	pthread_mutex_lock(&store.lock);
	store.calls++;
	if (store.fail)
		r = store.fail;
	else if (streq(serial_hex, store.good))
		*ret = store.good_st;
	else if (streq(serial_hex, store.held))
		*ret = store.held_st;
	else
		*ret = (struct pki_ocsp_status){ .status = PKI_OCSP_UNKNOWN };
	pthread_mutex_unlock(&store.lock);
	return r;
}

static unsigned char *request(const char *cert, bool nonce, size_t *ret_n)
{
	_cleanup_free_ char *out = NULL, *p = fx_path(fx, "req.der");
	char *buf = NULL;

	out = fx_ok(fx, "openssl ocsp -issuer ca/issuing.crt -cert %s -reqout req.der %s", cert,
		    nonce ? "-nonce" : "-no_nonce");
	assert_int_equal(read_file(p, 1 << 16, &buf, ret_n), 0);
	return (unsigned char *)buf;
}

/* The status in answer a, as openssl reads it. */
static int status_of(const struct pki_ocsp_answer *a, X509 *cert, int *ret_reason)
{
	const unsigned char *p = a->der;
	_cleanup_(OCSP_RESPONSE_freep) OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)a->n);
	_cleanup_(OCSP_BASICRESP_freep) OCSP_BASICRESP *bs = resp ? OCSP_response_get1_basic(resp) : NULL;
	_cleanup_(OCSP_CERTID_freep) OCSP_CERTID *id =
		OCSP_cert_to_id(NULL, cert, pki_ca_issuing_cert(fx->ca));
	int status = -1, reason = -1;

	assert_non_null(bs);
	assert_int_equal(OCSP_basic_verify(bs, pki_ca_chain(fx->ca), pki_ca_trust_store(fx->ca), 0), 1);
	assert_int_equal(OCSP_resp_find_status(bs, id, &status, &reason, NULL, NULL, NULL), 1);
	if (ret_reason)
		*ret_reason = reason;
	return status;
}

static struct pki_ocsp_answer *ask(struct pki_ocsp_cache *c, const unsigned char *req, size_t n,
				   int64_t now, enum pki_ocsp_served want)
{
	struct pki_ocsp_answer *a = NULL;
	enum pki_ocsp_served how;

	assert_int_equal(pki_ocsp_cache_respond(c, fx->ca, req, n, lookup, NULL, now, 0, &a, &how), 0);
	assert_non_null(a);
	assert_int_equal(how, want);
	return a;
}

/* ask() with a status epoch. */
static struct pki_ocsp_answer *ask_at(struct pki_ocsp_cache *c, const unsigned char *req,
				      size_t n, int64_t now, uint64_t epoch,
				      enum pki_ocsp_served want)
{
	struct pki_ocsp_answer *a = NULL;
	enum pki_ocsp_served how;

	assert_int_equal(pki_ocsp_cache_respond(c, fx->ca, req, n, lookup, NULL, now, epoch, &a,
						&how), 0);
	assert_non_null(a);
	assert_int_equal(how, want);
	return a;
}

/* ask_at(), the answer dropped: only how it was made and the look-ups count. */
static void ask_drop(struct pki_ocsp_cache *c, const unsigned char *req, size_t n, int64_t now,
		     uint64_t epoch, enum pki_ocsp_served want)
{
	pki_ocsp_answer_unref(ask_at(c, req, n, now, epoch, want));
}

static bool same(const struct pki_ocsp_answer *a, const struct pki_ocsp_answer *b)
{
	return a->n == b->n && memcmp(a->der, b->der, a->n) == 0;
}

static void reset_store(void)
{
	store.good_st = (struct pki_ocsp_status){ .status = PKI_OCSP_GOOD };
	store.held_st = (struct pki_ocsp_status){ PKI_OCSP_REVOKED, now_sec() - 60,
						  PKI_REASON_CERTIFICATE_HOLD };
	store.fail = 0;
}

static void test_kept_and_checked(void **state)
{
	_cleanup_(pki_ocsp_cache_freep) struct pki_ocsp_cache *c = NULL;
	_cleanup_free_ unsigned char *req = NULL;
	struct pki_ocsp_answer *a, *b, *d, *e;
	int64_t now = now_sec();
	int calls, reason;
	size_t n = 0;

	reset_store();
	assert_int_equal(pki_ocsp_cache_new(16, &c), 0);
	req = request("good.crt", false, &n);
	a = ask(c, req, n, now, PKI_OCSP_SERVED_SIGNED);
	assert_true(a->cacheable);
	assert_int_equal(a->this_update, now);
	assert_int_equal(a->next_update, now + 3600);
	assert_int_equal(strlen(a->etag), 34);
	assert_int_equal(status_of(a, good, NULL), V_OCSP_CERTSTATUS_GOOD);
	assert_int_equal(pki_ocsp_cache_size(c), 1);

	/* Within its validity: the same bytes, but the store is asked each time. */
	calls = store.calls;
	b = ask(c, req, n, now + 10, PKI_OCSP_SERVED_CACHED);
	assert_true(same(a, b));
	assert_string_equal(a->etag, b->etag);
	assert_int_equal(store.calls, calls + 1);
	pki_ocsp_answer_unref(b);

	/* The status changes (a hold by another node): the very next answer says so. */
	store.good_st = (struct pki_ocsp_status){ PKI_OCSP_REVOKED, now + 20,
						  PKI_REASON_CERTIFICATE_HOLD };
	d = ask(c, req, n, now + 21, PKI_OCSP_SERVED_SIGNED);
	assert_false(same(a, d));
	assert_int_equal(status_of(d, good, &reason), V_OCSP_CERTSTATUS_REVOKED);
	assert_int_equal(reason, OCSP_REVOKED_STATUS_CERTIFICATEHOLD);
	e = ask(c, req, n, now + 22, PKI_OCSP_SERVED_CACHED);
	assert_true(same(d, e));
	pki_ocsp_answer_unref(e);
	/* ... and released: good again, at once. */
	store.good_st = (struct pki_ocsp_status){ .status = PKI_OCSP_GOOD };
	e = ask(c, req, n, now + 23, PKI_OCSP_SERVED_SIGNED);
	assert_int_equal(status_of(e, good, NULL), V_OCSP_CERTSTATUS_GOOD);
	pki_ocsp_answer_unref(e);
	/* The old answer is still whole for whoever holds it. */
	assert_int_equal(status_of(a, good, NULL), V_OCSP_CERTSTATUS_GOOD);
	pki_ocsp_answer_unref(a);
	pki_ocsp_answer_unref(d);
	assert_int_equal(pki_ocsp_cache_size(c), 1);

	/* A failed look-up fails the answer, even with one kept. */
	store.fail = -EIO;
	assert_int_equal(pki_ocsp_cache_respond(c, fx->ca, req, n, lookup, NULL, now + 24, 0, &a,
						&(enum pki_ocsp_served){ 0 }),
			 -EIO);
	store.fail = 0;
}

/* The status epoch: a kept answer's status is not read again while the
 * epoch and the second stay the same; a new epoch, a new second or no
 * epoch (0) read it, and a change then shows at once. */
static void test_epoch(void **state)
{
	_cleanup_(pki_ocsp_cache_freep) struct pki_ocsp_cache *c = NULL;
	_cleanup_free_ unsigned char *req = NULL;
	struct pki_ocsp_answer *a, *b;
	int64_t now = now_sec();
	int calls;
	size_t n = 0;

	reset_store();
	assert_int_equal(pki_ocsp_cache_new(16, &c), 0);
	req = request("good.crt", false, &n);
	calls = store.calls;
	a = ask_at(c, req, n, now, 7, PKI_OCSP_SERVED_SIGNED);
	assert_int_equal(store.calls, calls + 1);
	for (int i = 0; i < 5; i++) {
		b = ask_at(c, req, n, now, 7, PKI_OCSP_SERVED_CACHED);
		assert_true(same(a, b));
		pki_ocsp_answer_unref(b);
	}
	assert_int_equal(store.calls, calls + 1);	/* signed once, read once */

	/* No epoch: read every time. */
	ask_drop(c, req, n, now, 0, PKI_OCSP_SERVED_CACHED);
	ask_drop(c, req, n, now, 0, PKI_OCSP_SERVED_CACHED);
	assert_int_equal(store.calls, calls + 3);

	/* The next second reads again (once), then trusts it. */
	ask_drop(c, req, n, now + 1, 7, PKI_OCSP_SERVED_CACHED);
	ask_drop(c, req, n, now + 1, 7, PKI_OCSP_SERVED_CACHED);
	assert_int_equal(store.calls, calls + 4);

	/* A status change moves the epoch: the next answer reads and says it. */
	store.good_st = (struct pki_ocsp_status){ PKI_OCSP_REVOKED, now, PKI_REASON_CERTIFICATE_HOLD };
	b = ask_at(c, req, n, now + 1, 8, PKI_OCSP_SERVED_SIGNED);
	assert_int_equal(status_of(b, good, NULL), V_OCSP_CERTSTATUS_REVOKED);
	assert_int_equal(store.calls, calls + 5);	/* the check; the signing reads the memo */
	pki_ocsp_answer_unref(b);
	b = ask_at(c, req, n, now + 1, 8, PKI_OCSP_SERVED_CACHED);
	assert_int_equal(status_of(b, good, NULL), V_OCSP_CERTSTATUS_REVOKED);
	assert_int_equal(store.calls, calls + 5);
	pki_ocsp_answer_unref(b);

	/* A change the epoch missed (the store edited by hand) shows the next second. */
	store.good_st = (struct pki_ocsp_status){ .status = PKI_OCSP_GOOD };
	b = ask_at(c, req, n, now + 1, 8, PKI_OCSP_SERVED_CACHED);
	assert_int_equal(status_of(b, good, NULL), V_OCSP_CERTSTATUS_REVOKED);
	pki_ocsp_answer_unref(b);
	b = ask_at(c, req, n, now + 2, 8, PKI_OCSP_SERVED_SIGNED);
	assert_int_equal(status_of(b, good, NULL), V_OCSP_CERTSTATUS_GOOD);
	pki_ocsp_answer_unref(b);
	pki_ocsp_answer_unref(a);

	/* Answers with a nonce are signed each time, but read the status once
	 * per epoch and second. */
	free(req);
	req = request("good.crt", true, &n);
	calls = store.calls;
	for (int i = 0; i < 3; i++) {
		b = ask_at(c, req, n, now + 3, 9, PKI_OCSP_SERVED_PER_REQUEST);
		assert_int_equal(status_of(b, good, NULL), V_OCSP_CERTSTATUS_GOOD);
		pki_ocsp_answer_unref(b);
	}
	assert_int_equal(store.calls, calls + 1);
	ask_drop(c, req, n, now + 3, 0, PKI_OCSP_SERVED_PER_REQUEST);
	ask_drop(c, req, n, now + 3, 10, PKI_OCSP_SERVED_PER_REQUEST);
	assert_int_equal(store.calls, calls + 3);
	(void)state;
}

static void test_refresh_at_half(void **state)
{
	_cleanup_(pki_ocsp_cache_freep) struct pki_ocsp_cache *c = NULL;
	_cleanup_free_ unsigned char *req = NULL;
	struct pki_ocsp_answer *a, *b, *d;
	int64_t now = now_sec();
	size_t n = 0;

	reset_store();
	assert_int_equal(pki_ocsp_cache_new(16, &c), 0);
	req = request("held.crt", false, &n);
	a = ask(c, req, n, now, PKI_OCSP_SERVED_SIGNED);
	b = ask(c, req, n, now + 1799, PKI_OCSP_SERVED_CACHED);
	assert_true(same(a, b));
	pki_ocsp_answer_unref(b);
	/* half of 3600 s gone: signed again, and then kept */
	b = ask(c, req, n, now + 1800, PKI_OCSP_SERVED_SIGNED);
	assert_int_equal(b->this_update, now + 1800);
	assert_false(same(a, b));
	d = ask(c, req, n, now + 1801, PKI_OCSP_SERVED_CACHED);
	assert_true(same(b, d));
	pki_ocsp_answer_unref(d);
	/* long after its nextUpdate: never served, signed again */
	d = ask(c, req, n, now + 1800 + 4000, PKI_OCSP_SERVED_SIGNED);
	assert_int_equal(d->this_update, now + 5800);
	pki_ocsp_answer_unref(a);
	pki_ocsp_answer_unref(b);
	pki_ocsp_answer_unref(d);
}

static void test_nonce_unknown_malformed(void **state)
{
	_cleanup_(pki_ocsp_cache_freep) struct pki_ocsp_cache *c = NULL;
	_cleanup_free_ unsigned char *r1 = NULL, *r2 = NULL, *r3 = NULL;
	struct pki_ocsp_answer *a, *b;
	size_t n1 = 0, n2 = 0, n3 = 0;
	int64_t now = now_sec();

	reset_store();
	assert_int_equal(pki_ocsp_cache_new(16, &c), 0);
	r1 = request("good.crt", true, &n1);
	a = ask(c, r1, n1, now, PKI_OCSP_SERVED_PER_REQUEST);
	b = ask(c, r1, n1, now, PKI_OCSP_SERVED_PER_REQUEST);
	assert_false(a->cacheable);
	assert_int_equal(a->info.nonce, true);
	assert_false(same(a, b));	/* ECDSA: each signature differs */
	assert_int_equal(pki_ocsp_cache_size(c), 0);
	pki_ocsp_answer_unref(a);
	pki_ocsp_answer_unref(b);

	r2 = request("unknown.crt", false, &n2);
	a = ask(c, r2, n2, now, PKI_OCSP_SERVED_PER_REQUEST);
	assert_int_equal(status_of(a, unknown, NULL), V_OCSP_CERTSTATUS_UNKNOWN);
	assert_true(a->cacheable);	/* HTTP caches may keep it; we do not */
	assert_int_equal(pki_ocsp_cache_size(c), 0);
	pki_ocsp_answer_unref(a);

	r3 = malloc(3);
	memcpy(r3, "\x30\x01\x00", 3);
	n3 = 3;
	a = ask(c, r3, n3, now, PKI_OCSP_SERVED_MALFORMED);
	assert_false(a->cacheable);
	pki_ocsp_answer_unref(a);

	/* Off (0 entries): signed every time, still right. */
	{
		_cleanup_(pki_ocsp_cache_freep) struct pki_ocsp_cache *off = NULL;
		_cleanup_free_ unsigned char *r4 = NULL;
		size_t n4 = 0;

		assert_int_equal(pki_ocsp_cache_new(0, &off), 0);
		r4 = request("good.crt", false, &n4);
		a = ask(off, r4, n4, now, PKI_OCSP_SERVED_PER_REQUEST);
		assert_int_equal(status_of(a, good, NULL), V_OCSP_CERTSTATUS_GOOD);
		pki_ocsp_answer_unref(a);
		assert_int_equal(pki_ocsp_cache_size(off), 0);
	}
}

static void test_bound(void **state)
{
	_cleanup_(pki_ocsp_cache_freep) struct pki_ocsp_cache *c = NULL;
	_cleanup_free_ unsigned char *r1 = NULL, *r2 = NULL, *r3 = NULL;
	size_t n1 = 0, n2 = 0, n3 = 0;
	int64_t now = now_sec();

	reset_store();
	assert_int_equal(pki_ocsp_cache_new(1, &c), 0);
	r1 = request("good.crt", false, &n1);
	r2 = request("held.crt", false, &n2);
	/* the same certificate with a SHA-256 CertID: another request form */
	{
		_cleanup_free_ char *out = NULL, *p = fx_path(fx, "req.der");
		char *buf = NULL;

		out = fx_ok(fx, "openssl ocsp -sha256 -issuer ca/issuing.crt -cert good.crt"
			    " -reqout req.der -no_nonce");
		assert_int_equal(read_file(p, 1 << 16, &buf, &n3), 0);
		r3 = (unsigned char *)buf;
	}
	pki_ocsp_answer_unref(ask(c, r1, n1, now, PKI_OCSP_SERVED_SIGNED));
	pki_ocsp_answer_unref(ask(c, r2, n2, now, PKI_OCSP_SERVED_SIGNED));
	assert_int_equal(pki_ocsp_cache_size(c), 1);
	pki_ocsp_answer_unref(ask(c, r3, n3, now, PKI_OCSP_SERVED_SIGNED));
	assert_int_equal(pki_ocsp_cache_size(c), 1);
}

static struct pki_ocsp_cache *race_cache;
static unsigned char *race_req;
static size_t race_n;
static struct pki_ocsp_answer *race_answer;

/* Another node revokes the certificate and a request on this node sees
 * it, while the first request is signing with the hold it read. */
static int64_t race_now;	/* the test's clock: a second ticking between
				 * the two signatures must not decide which is newer */
static void revoke_meanwhile(void)
{
	struct pki_ocsp_status hold = store.good_st;

	store.good_st = (struct pki_ocsp_status){ PKI_OCSP_REVOKED, race_now,
						  PKI_REASON_KEY_COMPROMISE };
	race_answer = ask(race_cache, race_req, race_n, race_now, PKI_OCSP_SERVED_SIGNED);
	store.good_st = hold;	/* ... and the hold is what the first one reads */
}

/* Two requests sign at once after changes: whichever puts its answer in
 * last, the next request serves only an answer with the status the store
 * has then. */
static void test_race_on_change(void **state)
{
	_cleanup_(pki_ocsp_cache_freep) struct pki_ocsp_cache *c = NULL;
	_cleanup_free_ unsigned char *req = NULL;
	struct pki_ocsp_answer *a, *b, *d;
	int64_t now = now_sec();
	int reason = -1;
	size_t n = 0;

	reset_store();
	assert_int_equal(pki_ocsp_cache_new(16, &c), 0);
	req = request("good.crt", false, &n);
	pki_ocsp_answer_unref(ask(c, req, n, now, PKI_OCSP_SERVED_SIGNED));
	race_cache = c;
	race_req = req;
	race_n = n;
	race_now = now;
	store.good_st = (struct pki_ocsp_status){ PKI_OCSP_REVOKED, now,
						  PKI_REASON_CERTIFICATE_HOLD };
	/* The first look-up (checking the kept answer) lets the other request in. */
	store.meanwhile = revoke_meanwhile;
	a = ask(c, req, n, now, PKI_OCSP_SERVED_SIGNED);
	assert_non_null(race_answer);
	assert_int_equal(status_of(race_answer, good, &reason), V_OCSP_CERTSTATUS_REVOKED);
	assert_int_equal(reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
	assert_int_equal(status_of(a, good, &reason), V_OCSP_CERTSTATUS_REVOKED);
	assert_int_equal(reason, OCSP_REVOKED_STATUS_CERTIFICATEHOLD);
	/* The store says hold: the next answer says hold, whichever was kept. */
	b = ask(c, req, n, now, PKI_OCSP_SERVED_CACHED);
	assert_true(same(a, b));
	/* The store says keyCompromise: never the kept hold. */
	store.good_st = race_answer->info.status;
	d = ask(c, req, n, now, PKI_OCSP_SERVED_SIGNED);
	assert_int_equal(status_of(d, good, &reason), V_OCSP_CERTSTATUS_REVOKED);
	assert_int_equal(reason, OCSP_REVOKED_STATUS_KEYCOMPROMISE);
	pki_ocsp_answer_unref(race_answer);
	pki_ocsp_answer_unref(a);
	pki_ocsp_answer_unref(b);
	pki_ocsp_answer_unref(d);
	race_answer = NULL;
}

struct worker {
	struct pki_ocsp_cache *c;
	const unsigned char *req;
	size_t n;
	int64_t now;
	unsigned char first[4096];
	size_t first_n;
	int differ, signed_;
};

static void *worker_run(void *arg)
{
	struct worker *w = arg;

	for (int i = 0; i < 200; i++) {
		struct pki_ocsp_answer *a = NULL;
		enum pki_ocsp_served how;

		if (pki_ocsp_cache_respond(w->c, fx->ca, w->req, w->n, lookup, NULL, w->now, 0, &a,
					   &how) < 0)
			return NULL;
		if (how == PKI_OCSP_SERVED_SIGNED)
			w->signed_++;
		if (i == 0 && a->n <= sizeof(w->first)) {
			memcpy(w->first, a->der, a->n);
			w->first_n = a->n;
		} else if (a->n != w->first_n || memcmp(a->der, w->first, a->n) != 0)
			w->differ++;
		pki_ocsp_answer_unref(a);
	}
	return NULL;
}

/* Four threads asking at once from an empty cache: one answer signed and
 * kept, and every thread served the same bytes throughout. */
static void test_threads_same_bytes(void **state)
{
	_cleanup_(pki_ocsp_cache_freep) struct pki_ocsp_cache *c = NULL;
	_cleanup_free_ unsigned char *req = NULL;
	struct worker w[4];
	pthread_t th[4];
	int64_t now = now_sec();
	size_t n = 0;
	int signed_ = 0;

	reset_store();
	assert_int_equal(pki_ocsp_cache_new(16, &c), 0);
	req = request("good.crt", false, &n);
	for (int i = 0; i < 4; i++) {
		w[i] = (struct worker){ .c = c, .req = req, .n = n, .now = now };
		assert_int_equal(pthread_create(&th[i], NULL, worker_run, &w[i]), 0);
	}
	for (int i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(th[i], NULL), 0);
		assert_int_equal(w[i].differ, 0);
		assert_int_equal(w[i].first_n, w[0].first_n);
		assert_memory_equal(w[i].first, w[0].first, w[0].first_n);
		signed_ += w[i].signed_;
	}
	/* Threads that raced on the empty cache each signed, but all served
	 * the one that was kept first. */
	assert_in_range(signed_, 1, 4);
}

static int setup(void **state)
{
	fx = fx_new_ca(NULL);
	good = fx_issue(fx, "10000000146", "Can", "İyi", NULL);
	held = fx_issue(fx, "10000000078", "Ayşe", "Askıda", NULL);
	unknown = fx_issue(fx, "10000000146", "Veli", "Bilinmez", NULL);
	fx_write_cert(fx, "good.crt", good);
	fx_write_cert(fx, "held.crt", held);
	fx_write_cert(fx, "unknown.crt", unknown);
	assert_int_equal(pki_cert_serial_hex(good, store.good), 0);
	assert_int_equal(pki_cert_serial_hex(held, store.held), 0);
	return 0;
}

static int teardown(void **state)
{
	X509_free(good);
	X509_free(held);
	X509_free(unknown);
	fx_free(fx);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kept_and_checked),
		cmocka_unit_test(test_epoch),
		cmocka_unit_test(test_refresh_at_half),
		cmocka_unit_test(test_nonce_unknown_malformed),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_race_on_change),
		cmocka_unit_test(test_threads_same_bytes),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
