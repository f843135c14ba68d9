/* key.c - key generation, encrypted key files, certificate encodings.
 *
 * The lowest layer of the pki library: ca.c keeps its keys and
 * certificates through these functions, profile-*.c, crl.c and ocsp.c use the
 * serial helpers so that every serial that leaves the library has the same
 * text form.  Keys on tokens are opened through p11_uri_load_key(). */
#include "pki/key.h"

#include <stdio.h>
#include <strings.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/pkcs12.h>
#include <openssl/x509.h>

#include "common/util.h"
#include "pki/ossl.h"
#include "pki/p11.h"

#define KEY_FILE_MAX (1024 * 1024)
#define CERT_FILE_MAX (1024 * 1024)

int pki_key_generate(const char *spec, EVP_PKEY **ret)
{
	EVP_PKEY *key = NULL;

	if (!spec || !ret)
		return -EINVAL;
	if (streq(spec, "rsa:2048") || streq(spec, "rsa:3072") || streq(spec, "rsa:4096")) {
		size_t bits = (size_t)strtoul(spec + 4, NULL, 10);
		key = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", bits);
	} else if (streq(spec, "ec:P-256") || streq(spec, "ec:P-384")) {
		key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", spec + 3);
	} else
		return -EINVAL;
	if (!key)
		return -EIO;
	*ret = key;
	return 0;
}

int pki_key_save(EVP_PKEY *key, const char *path, const char *passphrase)
{
	_cleanup_(BIO_free_allp) BIO *bio = NULL;
	BUF_MEM *mem = NULL;
	size_t plen;
	int r;

	if (!key || !path || isempty(passphrase))
		return -EINVAL;
	plen = strlen(passphrase);
	if (plen > 1024)
		return -EINVAL;
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		return -ENOMEM;
	if (PEM_write_bio_PKCS8PrivateKey(bio, key, EVP_aes_256_cbc(), passphrase,
					  (int)plen, NULL, NULL) != 1)
		return -EIO;
	BIO_get_mem_ptr(bio, &mem);
	if (!mem)
		return -EIO;
	r = write_file_atomic(path, mem->data, mem->length, 0600);
	OPENSSL_cleanse(mem->data, mem->length);
	return r;
}

/* Decodes one PEM private key block.  Only PKCS#8, encrypted or not. */
static int key_parse_pem(const char *buf, size_t n, const char *passphrase, EVP_PKEY **ret)
{
	_cleanup_(BIO_free_allp) BIO *bio = NULL;
	_cleanup_openssl_free_ char *name = NULL, *header = NULL;
	unsigned char *data = NULL;
	const unsigned char *p;
	PKCS8_PRIV_KEY_INFO *p8 = NULL;
	EVP_PKEY *key = NULL;
	long len = 0;
	int r = 0;

	bio = BIO_new_mem_buf(buf, (int)n);
	if (!bio)
		return -ENOMEM;
	if (PEM_read_bio(bio, &name, &header, &data, &len) != 1 || len <= 0) {
		OPENSSL_free(data);
		return -EBADMSG;
	}
	p = data;
	if (streq(name, PEM_STRING_PKCS8)) {
		X509_SIG *sig;

		if (!passphrase) {
			r = -EACCES;
			goto out;
		}
		sig = d2i_X509_SIG(NULL, &p, len);
		if (!sig || p != data + len) {
			X509_SIG_free(sig);
			r = -EBADMSG;
			goto out;
		}
		p8 = PKCS8_decrypt_ex(sig, passphrase, (int)strlen(passphrase), NULL, NULL);
		X509_SIG_free(sig);
		if (!p8) {
			r = -EACCES;
			goto out;
		}
	} else if (streq(name, PEM_STRING_PKCS8INF)) {
		/* A plain key where a passphrase was expected: someone swapped
		 * the file, refuse rather than silently accept it. */
		if (passphrase) {
			r = -EACCES;
			goto out;
		}
		p8 = d2i_PKCS8_PRIV_KEY_INFO(NULL, &p, len);
		if (!p8 || p != data + len) {
			r = -EBADMSG;
			goto out;
		}
	} else {
		r = -EBADMSG;
		goto out;
	}
	key = EVP_PKCS82PKEY_ex(p8, NULL, NULL);
	if (!key) {
		r = -EBADMSG;
		goto out;
	}
	/* PKCS#8 encryption does not authenticate: make sure what came out
	 * is a whole, consistent key pair. */
	{
		_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_from_pkey(NULL, key, NULL);

		if (!ctx || EVP_PKEY_pairwise_check(ctx) != 1) {
			EVP_PKEY_free(key);
			r = -EBADMSG;
			goto out;
		}
	}
	*ret = key;
out:
	if (r < 0)
		ERR_clear_error();
	PKCS8_PRIV_KEY_INFO_free(p8);
	OPENSSL_clear_free(data, (size_t)len);
	return r;
}

int pki_key_load(const char *ref, const char *passphrase, EVP_PKEY **ret)
{
	char *buf = NULL;
	size_t n = 0;
	int r;

	if (isempty(ref) || !ret)
		return -EINVAL;
	if (strncasecmp(ref, "pkcs11:", 7) == 0) {
		return p11_uri_load_key(ref, passphrase, ret);
	}
	r = read_file(ref, KEY_FILE_MAX, &buf, &n);
	if (r < 0)
		return r == -EFBIG ? -EBADMSG : r;
	r = key_parse_pem(buf, n, passphrase, ret);
	OPENSSL_cleanse(buf, n);
	free(buf);
	return r;
}

const EVP_MD *pki_key_digest(EVP_PKEY *key)
{
	if (!key)
		return NULL;
	switch (EVP_PKEY_get_base_id(key)) {
	case EVP_PKEY_EC:
		return EVP_PKEY_get_bits(key) >= 384 ? EVP_sha384() : EVP_sha256();
	case EVP_PKEY_RSA:
		return EVP_sha256();
	default:
		return NULL;
	}
}

int pki_cert_parse(const void *buf, size_t n, X509 **ret)
{
	const unsigned char *p = buf;
	X509 *x;

	if (!buf || !ret || n == 0 || n > INT32_MAX)
		return -EINVAL;
	if (n >= 10 && memcmp(buf, "-----BEGIN", 10) == 0) {
		_cleanup_(BIO_free_allp) BIO *bio = BIO_new_mem_buf(buf, (int)n);
		if (!bio)
			return -ENOMEM;
		x = PEM_read_bio_X509(bio, NULL, NULL, NULL);
	} else {
		x = d2i_X509(NULL, &p, (long)n);
		if (x && p != (const unsigned char *)buf + n) {
			X509_free(x);
			x = NULL;
		}
	}
	if (!x) {
		ERR_clear_error();
		return -EBADMSG;
	}
	*ret = x;
	return 0;
}

int pki_cert_load(const char *path, X509 **ret)
{
	_cleanup_free_ char *buf = NULL;
	size_t n = 0;
	int r;

	if (!path || !ret)
		return -EINVAL;
	r = read_file(path, CERT_FILE_MAX, &buf, &n);
	if (r < 0)
		return r == -EFBIG ? -EBADMSG : r;
	if (n == 0)
		return -EBADMSG;
	return pki_cert_parse(buf, n, ret);
}

int pki_bio_to_string(BIO *bio, char **ret)
{
	BUF_MEM *mem = NULL;
	char *s;

	BIO_get_mem_ptr(bio, &mem);
	if (!mem)
		return -EIO;
	s = malloc(mem->length + 1);
	if (!s)
		return -ENOMEM;
	memcpy(s, mem->data, mem->length);
	s[mem->length] = '\0';
	*ret = s;
	return 0;
}

int pki_cert_to_pem(X509 *cert, char **ret)
{
	_cleanup_(BIO_free_allp) BIO *bio = NULL;

	if (!cert || !ret)
		return -EINVAL;
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		return -ENOMEM;
	if (PEM_write_bio_X509(bio, cert) != 1)
		return -EIO;
	return pki_bio_to_string(bio, ret);
}

int pki_cert_save(X509 *cert, const char *path)
{
	_cleanup_free_ char *pem = NULL;
	int r;

	if (!cert || !path)
		return -EINVAL;
	r = pki_cert_to_pem(cert, &pem);
	if (r < 0)
		return r;
	return write_file_atomic(path, pem, strlen(pem), 0600);
}

int pki_der_encode(i2d_of_void *i2d, const void *obj, unsigned char **ret, size_t *ret_n)
{
	unsigned char *buf, *p;
	int len;

	if (!obj || !ret || !ret_n)
		return -EINVAL;
	len = i2d(obj, NULL);
	if (len <= 0)
		return -EIO;
	buf = malloc((size_t)len);
	if (!buf)
		return -ENOMEM;
	p = buf;
	if (i2d(obj, &p) != len) {
		free(buf);
		return -EIO;
	}
	*ret = buf;
	*ret_n = (size_t)len;
	return 0;
}

int pki_cert_to_der(X509 *cert, unsigned char **ret, size_t *ret_n)
{
	return pki_der_encode(CHECKED_I2D_OF(X509, i2d_X509), cert, ret, ret_n);
}

int pki_serial_to_hex(const ASN1_INTEGER *serial, char ret[PKI_SERIAL_HEX_MAX])
{
	const unsigned char *d;
	int n;

	if (!serial || ASN1_STRING_type(serial) != V_ASN1_INTEGER)
		return -EINVAL;
	d = ASN1_STRING_get0_data(serial);
	n = ASN1_STRING_length(serial);
	while (n > 0 && *d == 0) {
		d++;
		n--;
	}
	if (n > 20)
		return -EINVAL;
	if (n == 0) {
		strcpy(ret, "00");
		return 0;
	}
	hex_encode(d, (size_t)n, ret);
	return 0;
}

int pki_serial_from_hex(const char *hex, ASN1_INTEGER **ret)
{
	_cleanup_(BN_freep) BIGNUM *bn = NULL;
	unsigned char bytes[20];
	char buf[PKI_SERIAL_HEX_MAX + 1];
	size_t len;
	ASN1_INTEGER *ai;

	if (isempty(hex) || !ret)
		return -EINVAL;
	while (hex[0] == '0' && hex[1])
		hex++;
	len = strlen(hex);
	if (len > 40)
		return -EINVAL;
	/* An odd number of digits gets a leading zero for hex_decode(). */
	buf[0] = '0';
	memcpy(buf + 1, hex, len + 1);
	if (hex_decode(buf + (len % 2 ? 0 : 1), bytes, (len + 1) / 2) < 0)
		return -EINVAL;
	bn = BN_bin2bn(bytes, (int)(len + 1) / 2, NULL);
	if (!bn)
		return -ENOMEM;
	ai = BN_to_ASN1_INTEGER(bn, NULL);
	if (!ai)
		return -ENOMEM;
	*ret = ai;
	return 0;
}

int pki_serial_random(ASN1_INTEGER **ret)
{
	_cleanup_(BN_freep) BIGNUM *bn = NULL;
	unsigned char b[16];
	ASN1_INTEGER *ai;
	int r;

	if (!ret)
		return -EINVAL;
	r = random_bytes(b, sizeof(b));
	if (r < 0)
		return r;
	b[0] = (unsigned char)((b[0] & 0x7f) | 0x40);
	bn = BN_bin2bn(b, sizeof(b), NULL);
	if (!bn)
		return -ENOMEM;
	ai = BN_to_ASN1_INTEGER(bn, NULL);
	if (!ai)
		return -ENOMEM;
	*ret = ai;
	return 0;
}

int pki_cert_serial_hex(X509 *cert, char ret[PKI_SERIAL_HEX_MAX])
{
	if (!cert || !ret)
		return -EINVAL;
	return pki_serial_to_hex(X509_get0_serialNumber(cert), ret);
}

static int key_id_hex(const ASN1_OCTET_STRING *id, char ret[PKI_KEY_ID_HEX_MAX])
{
	int n = ASN1_STRING_length(id);

	if (n <= 0 || n > 32)
		return -EBADMSG;
	hex_encode(ASN1_STRING_get0_data(id), (size_t)n, ret);
	return 0;
}

int pki_cert_key_id_hex(X509 *ca_cert, char ret[PKI_KEY_ID_HEX_MAX])
{
	const ASN1_OCTET_STRING *ski;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!ca_cert || !ret)
		return -EINVAL;
	ski = X509_get0_subject_key_id(ca_cert);
	if (ski)
		return key_id_hex(ski, ret);
	if (X509_pubkey_digest(ca_cert, EVP_sha1(), md, &len) != 1)
		return -EBADMSG;
	hex_encode(md, len, ret);
	return 0;
}

int pki_cert_issuer_key_id_hex(X509 *cert, char ret[PKI_KEY_ID_HEX_MAX])
{
	const ASN1_OCTET_STRING *aki;

	if (!cert || !ret)
		return -EINVAL;
	aki = X509_get0_authority_key_id(cert);
	return aki ? key_id_hex(aki, ret) : -ENOENT;
}

int pki_cert_sha256_hex(X509 *cert, char ret[PKI_SHA256_HEX_MAX])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;

	if (!cert || !ret)
		return -EINVAL;
	if (X509_digest(cert, EVP_sha256(), md, &len) != 1 || len != 32)
		return -EIO;
	hex_encode(md, 32, ret);
	return 0;
}

int pki_asn1_time_to_unix(const ASN1_TIME *t, int64_t *ret)
{
	struct tm tm = {};

	if (!t || !ret)
		return -EINVAL;
	if (ASN1_TIME_to_tm(t, &tm) != 1)
		return -EBADMSG;
	*ret = (int64_t)timegm(&tm);
	return 0;
}
