/* fuzz-ocsp-get.c - OCSP requests in the URL (GET /ocsp/BASE64, RFC 6960
 * A.1): the path parameter through base64_decode() as handle_ocsp_get()
 * does, then the same answer as fuzz-ocsp.c (undecodable: an empty
 * request, malformedRequest). */
#define FUZZ_OCSP_GET
#include "fuzz-ocsp.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_str(data, size);
	_cleanup_free_ unsigned char *der = NULL;
	size_t n = 0;

	if (base64_decode(s, strlen(s), &der, &n) < 0)
		answer((const unsigned char *)"", 0);
	else
		answer(der, n);
	return 0;
}
