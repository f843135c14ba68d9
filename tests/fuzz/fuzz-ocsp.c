/* fuzz-ocsp.c - OCSP requests (pki/ocsp.c), the DER body of POST /ocsp,
 * answered by the fixed CA of tests/fuzz/data; the look-up answers good,
 * revoked or unknown from the serial.  Every answer must parse back as an
 * OCSP response.  The same request then goes through the pre-signed cache
 * (pki/ocsp-cache.h, what eonayd serves) twice: a kept answer must come
 * back byte for byte the second time, without a signature. */
#include <stdio.h>

#include <openssl/ocsp.h>

#include "pki/ocsp.h"
#include "pki/ocsp-cache.h"

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

	{
		struct pki_ocsp_answer *a = NULL, *b = NULL;
		enum pki_ocsp_served how1, how2;

		if (pki_ocsp_cache_respond(cache, ca, der, n, lookup, NULL, FUZZ_NOW, &a, &how1) < 0 ||
		    pki_ocsp_cache_respond(cache, ca, der, n, lookup, NULL, FUZZ_NOW, &b, &how2) < 0)
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
