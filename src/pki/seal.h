/* seal.h - sealing small secrets (card SO PINs) under the master key.
 *
 * AES-256-GCM with a random 96-bit nonce; the associated data binds a
 * sealed value to what it belongs to (e.g. the card serial), so a sealed
 * PIN copied to another card's row does not open.  Text form:
 *   "v1:" base64(nonce || ciphertext || tag) */
#pragma once
#include <stddef.h>

#define SEAL_KEY_SIZE 32

/* Seals plaintext (a NUL-terminated secret) into a malloc'ed string. */
int seal_text(const unsigned char key[SEAL_KEY_SIZE], const char *aad,
	      const char *plaintext, char **ret);

/* Opens a sealed string; the result is malloc'ed, free it with
 * secret_free().  -EBADMSG when it was altered, sealed under another key
 * or for other associated data; -EINVAL when not in the v1 form. */
int seal_open(const unsigned char key[SEAL_KEY_SIZE], const char *aad,
	      const char *sealed, char **ret);
