/* fuzz-p11-uri.c - "pkcs11:" URIs (pki/p11-uri.c, RFC 7512), as key
 * references in the configuration and on the command line. */
#include "pki/p11-uri.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = fuzz_str(data, size);
	struct p11_uri u;

	if (p11_uri_parse(s, &u) == 0) {
		if (!u.token || strlen(u.token) > 32)
			abort();	/* the parser promises a token of at most 32 bytes */
		p11_uri_done(&u);
	}
	return 0;
}
