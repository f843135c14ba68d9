/* seal.c - AES-256-GCM sealing of small secrets (see seal.h).
 *
 * Used by the back office to keep each card's Security Officer PIN in the
 * store, and by PIN unblocking to get it back for one operation. */
#include "pki/seal.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "common/util.h"

#define NONCE 12
#define TAG 16

int seal_text(const unsigned char key[SEAL_KEY_SIZE], const char *aad,
	      const char *plaintext, char **ret)
{
	_cleanup_free_ unsigned char *buf = NULL;
	size_t n = strlen(plaintext);
	EVP_CIPHER_CTX *ctx;
	int len = 0, ok, r;

	if (n > 4096)
		return -E2BIG;
	buf = malloc(NONCE + n + TAG);
	if (!buf)
		return -ENOMEM;
	r = random_bytes(buf, NONCE);
	if (r < 0)
		return r;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -ENOMEM;
	ok = EVP_EncryptInit_ex2(ctx, EVP_aes_256_gcm(), key, buf, NULL) &&
	     EVP_EncryptUpdate(ctx, NULL, &len, (const unsigned char *)(aad ? aad : ""),
			       (int)strlen(aad ? aad : "")) &&
	     EVP_EncryptUpdate(ctx, buf + NONCE, &len, (const unsigned char *)plaintext, (int)n) &&
	     EVP_EncryptFinal_ex(ctx, buf + NONCE + len, &len) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, TAG, buf + NONCE + n);
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		return -EIO;
	{
		_cleanup_free_ char *b64 = NULL;
		r = base64_encode(buf, NONCE + n + TAG, &b64);
		if (r < 0)
			return r;
		*ret = strdup_printf("v1:%s", b64);
	}
	return *ret ? 0 : -ENOMEM;
}

int seal_open(const unsigned char key[SEAL_KEY_SIZE], const char *aad,
	      const char *sealed, char **ret)
{
	_cleanup_free_ unsigned char *raw = NULL;
	EVP_CIPHER_CTX *ctx;
	size_t n = 0, ptlen;
	char *pt;
	int len = 0, ok, r;

	if (!sealed || strncmp(sealed, "v1:", 3) != 0)
		return -EINVAL;
	r = base64_decode(sealed + 3, strlen(sealed + 3), &raw, &n);
	if (r < 0)
		return -EINVAL;
	if (n < NONCE + TAG)
		return -EINVAL;
	ptlen = n - NONCE - TAG;
	pt = malloc(ptlen + 1);
	if (!pt)
		return -ENOMEM;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx) {
		free(pt);
		return -ENOMEM;
	}
	ok = EVP_DecryptInit_ex2(ctx, EVP_aes_256_gcm(), key, raw, NULL) &&
	     EVP_DecryptUpdate(ctx, NULL, &len, (const unsigned char *)(aad ? aad : ""),
			       (int)strlen(aad ? aad : "")) &&
	     EVP_DecryptUpdate(ctx, (unsigned char *)pt, &len, raw + NONCE, (int)ptlen) &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, TAG, raw + NONCE + ptlen) &&
	     EVP_DecryptFinal_ex(ctx, (unsigned char *)pt + len, &len);
	EVP_CIPHER_CTX_free(ctx);
	if (!ok) {
		OPENSSL_cleanse(pt, ptlen + 1);
		free(pt);
		return -EBADMSG;
	}
	pt[ptlen] = '\0';
	*ret = pt;
	return 0;
}
