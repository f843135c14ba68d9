/* fuzz-ocsp.c - OCSP requests (pki/ocsp.c), the DER body of POST /ocsp,
 * answered by the fixed CA of tests/fuzz/data; the look-up answers good,
 * revoked or unknown from the serial.  Every answer must parse back as an
 * OCSP response. */
#include <stdio.h>

#include <openssl/ocsp.h>

#include "pki/ocsp.h"

#include "fuzz-pki.h"

static struct pki_ca *ca;

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
}

#ifndef FUZZ_OCSP_GET
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	answer(data, size);
	return 0;
}
#endif
