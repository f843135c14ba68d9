/* p11-uri.h - RFC 7512 "pkcs11:" URIs as p11_uri_load_key() reads them.
 *
 * For src/pki and its unit tests only.  The parsing is p11-kit's
 * (p11_kit_uri_parse()); this header gives the few attributes eonay uses
 * as plain C values. */
#pragma once

#include <stddef.h>

struct p11_uri {
	char *token;		/* token=, the token label (required, at most 32 bytes) */
	char *object;		/* object=, CKA_LABEL, or NULL */
	unsigned char *id;	/* id=, CKA_ID bytes, or NULL */
	size_t id_len;
	char *module;		/* ?module-path=, or NULL */
	char *pin;		/* ?pin-value=, or NULL; wiped by p11_uri_done() */
};

/* Parses uri into *ret (zeroed first; p11_uri_done() it on success).
 * Percent-encoding is decoded in every value.  Other attributes (type,
 * serial, manufacturer, slot-*, library-*, pin-source, module-name, ...)
 * are accepted and ignored.  -EINVAL when uri is not a pkcs11: URI, is
 * malformed (bad percent-encoding, an attribute without '='), has no
 * token (or one over 32 bytes), a value with a NUL byte (%00) in a text
 * attribute, an empty path attribute (";;") or an attribute given twice
 * (p11-kit would silently stop reading, or keep the last). */
int p11_uri_parse(const char *uri, struct p11_uri *ret);
/* Frees the fields, wiping the PIN.  Leaves *u zeroed. */
void p11_uri_done(struct p11_uri *u);
