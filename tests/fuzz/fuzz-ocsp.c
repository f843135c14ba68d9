/* fuzz-ocsp.c - OCSP requests (pki/ocsp.c), the DER body of POST /ocsp,
 * answered by the fixed CA of tests/fuzz/data; the look-up answers good,
 * revoked or unknown from the serial.  Every answer must parse back as an
 * OCSP response.  The same request then goes through the pre-signed cache
 * (pki/ocsp-cache.h, what eonayd serves) twice: a kept answer must come
 * back byte for byte the second time, without a signature.  Where the
 * hand-written DER path (pki/ocsp-der.h) answers, the OpenSSL path
 * answers the same request too, and both must be the same DER once
 * producedAt and the signature are blanked. */
#include <stdio.h>

#include <openssl/ocsp.h>

#include "pki/ocsp.h"
#include "pki/ocsp-cache.h"
#include "pki/ocsp-der.h"

#include "fuzz-pki.h"

static struct pki_ca *ca;
static struct pki_ocsp_cache *cache;

static int lookup(void *userdata, const char *issuer_hex, const char *serial_hex,
		  struct pki_ocsp_status *ret)
{
	size_t n = strlen(serial_hex);

	memset(ret, 0, sizeof(*ret));
	ret->status = n % 3 == 0 ? V_OCSP_CERTSTATUS_GOOD
		    : n % 3 == 1 ? V_OCSP_CERTSTATUS_REVOKED : V_OCSP_CERTSTATUS_UNKNOWN;
	if (ret->status == V_OCSP_CERTSTATUS_REVOKED) {
		ret->revoked_at = FUZZ_NOW - 3600;
		ret->reason = n % 2 ? 1 : 6;	/* keyCompromise, certificateHold */
	}
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	ca = fuzz_ca_load();
	if (pki_ocsp_cache_new(64, &cache) < 0)
		abort();
	return 0;
}

/* The BasicOCSPResponse of a successful answer, re-encoded with
 * producedAt and the signature blanked; the answer must be what OpenSSL
 * writes again from what it read, and its signature must verify (the
 * signer chain is not checked: the fixed CA may expire).  NULL: not so. */
static unsigned char *blanked(const unsigned char *der, size_t n, int *ret_n)
{
	const unsigned char *p = der;
	OCSP_RESPONSE *resp = d2i_OCSP_RESPONSE(NULL, &p, (long)n);
	OCSP_BASICRESP *bs = NULL;
	unsigned char *again = NULL, *out = NULL;
	int an;

	if (!resp || p != der + n || OCSP_response_status(resp) != OCSP_RESPONSE_STATUS_SUCCESSFUL)
		goto done;
	an = i2d_OCSP_RESPONSE(resp, &again);
	bs = OCSP_response_get1_basic(resp);
	if (an != (int)n || memcmp(again, der, n) != 0 || !bs ||
	    OCSP_basic_verify(bs, NULL, NULL, OCSP_NOVERIFY) != 1 ||
	    ASN1_BIT_STRING_set((ASN1_BIT_STRING *)OCSP_resp_get0_signature(bs),
				(unsigned char *)"sig", 3) != 1 ||
	    ASN1_GENERALIZEDTIME_set_string((ASN1_GENERALIZEDTIME *)OCSP_resp_get0_produced_at(bs),
					    "20000101000000Z") != 1)
		goto done;
	*ret_n = i2d_OCSP_BASICRESP(bs, &out);
done:
	OPENSSL_free(again);
	OCSP_BASICRESP_free(bs);
	OCSP_RESPONSE_free(resp);
	return out;
}

/* The fast path, where it answers, against the OpenSSL path. */
static void compare_paths(const unsigned char *der, size_t n)
{
	unsigned char *fast = NULL, *slow = NULL, *x = NULL, *y = NULL;
	size_t fn = 0, sn = 0;
	int xn = 0, yn = 0;
	int r = pki_ocsp_fast_respond(ca, der, n, lookup, NULL, FUZZ_NOW, &fast, &fn, NULL);

	if (r == -ENOTSUP)
		return;
	if (r < 0 || pki_ocsp_respond_openssl(ca, der, n, lookup, NULL, FUZZ_NOW, &slow, &sn, NULL) < 0)
		abort();
	x = blanked(fast, fn, &xn);
	y = blanked(slow, sn, &yn);
	if (!x || !y || xn != yn || memcmp(x, y, (size_t)xn) != 0) {
		fprintf(stderr, "fast and OpenSSL OCSP answers differ\n");
		abort();
	}
	OPENSSL_free(x);
	OPENSSL_free(y);
	free(fast);
	free(slow);
}

/* Shared with fuzz-ocsp-get.c. */
static void answer(const unsigned char *der, size_t n)
{
	unsigned char *out = NULL;
	const unsigned char *p;
	size_t len = 0;
	OCSP_RESPONSE *resp;

	int r = pki_ocsp_respond(ca, der, n, lookup, NULL, FUZZ_NOW, &out, &len);

	if (r < 0) {
		/* the look-up never fails here: every input gets an answer */
		fprintf(stderr, "pki_ocsp_respond: %s\n", strerror(-r));
		abort();
	}
	p = out;
	resp = d2i_OCSP_RESPONSE(NULL, &p, (long)len);
	if (!resp || p != out + len)
		abort();
	OCSP_RESPONSE_free(resp);
	free(out);
	compare_paths(der, n);

	{
		struct pki_ocsp_answer *a = NULL, *b = NULL;
		enum pki_ocsp_served how1, how2;

		/* A full cache may evict the answer it just kept (any entry
		 * goes): start again well before, so the check below holds. */
		if (pki_ocsp_cache_size(cache) >= 60) {
			pki_ocsp_cache_free(cache);
			if (pki_ocsp_cache_new(64, &cache) < 0)
				abort();
		}
		if (pki_ocsp_cache_respond(cache, ca, der, n, lookup, NULL, FUZZ_NOW, 0, &a, &how1) < 0 ||
		    pki_ocsp_cache_respond(cache, ca, der, n, lookup, NULL, FUZZ_NOW, 0, &b, &how2) < 0)
			abort();
		p = a->der;
		resp = d2i_OCSP_RESPONSE(NULL, &p, (long)a->n);
		if (!resp || p != a->der + a->n)
			abort();
		OCSP_RESPONSE_free(resp);
		if (how1 == PKI_OCSP_SERVED_SIGNED &&
		    (how2 != PKI_OCSP_SERVED_CACHED || a->n != b->n || memcmp(a->der, b->der, a->n) != 0))
			abort();
		if (how1 == PKI_OCSP_SERVED_SIGNED && (a->info.nonce || a->info.singles != 1))
			abort();
		pki_ocsp_answer_unref(a);
		pki_ocsp_answer_unref(b);
	}
}

#ifndef FUZZ_OCSP_GET
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	answer(data, size);
	return 0;
}
#endif
