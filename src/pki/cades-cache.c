/* cades-cache.c - the chain cache of cades_verify() and the certificates
 * of a signature matched against it by their bytes (see cades-cache.h).
 *
 * A small set-associative LRU table keyed by the signer certificate's
 * SHA-256, mutex-protected.  Each entry keeps the built chain (decoded
 * certificates, up-ref'd to callers) and the SHA-256 of every chain
 * certificate's DER, so that the certificates inside the next signature of
 * the same signer are recognised by their bytes and never decoded again:
 * OpenSSL 3.0 decodes a certificate's public key at once, and that key
 * decoder was the largest single cost of a warm check. */
#include "pki/cades-cache.h"

#include <pthread.h>

#include <openssl/err.h>
#include <openssl/evp.h>

#include "pki/ossl.h"


#define CACHE_SETS 128
#define CACHE_WAYS 8

#define CHAIN_HASHES 8

struct cache_entry {
	unsigned char key[32];
	STACK_OF(X509) *chain;	/* signer first, trust anchor last */
	unsigned char hashes[CHAIN_HASHES][32];	/* SHA-256 of each chain certificate's DER */
	int n_hashes;
	uint64_t used;		/* 0: empty */
};

static struct {
	pthread_mutex_t lock;
	uint64_t clock;
	struct cache_entry e[CACHE_SETS][CACHE_WAYS];
} cache = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void chain_free(STACK_OF(X509) *chain)
{
	sk_X509_pop_free(chain, X509_free);
}

static struct cache_entry *cache_set(const unsigned char key[32])
{
	return cache.e[(key[0] | key[1] << 8) % CACHE_SETS];
}

/* SHA-256, fetched once: an implicit fetch per digest costs more than
 * hashing a certificate. */
static EVP_MD *sha256_md;
static pthread_once_t sha256_once = PTHREAD_ONCE_INIT;

static void sha256_fetch(void)
{
	sha256_md = EVP_MD_fetch(NULL, "SHA256", NULL);
}

int cades_der_sha256(const unsigned char *p, size_t n, unsigned char ret[32])
{
	unsigned int len = 0;

	pthread_once(&sha256_once, sha256_fetch);
	if (!sha256_md || !EVP_Digest(p, n, ret, &len, sha256_md, NULL) || len != 32)
		return -ENOMEM;
	return 0;
}

/* An up-ref'd copy of the cached chain for key, or NULL; with the hashes
 * of its certificates when ret_hashes is given. */
static STACK_OF(X509) *cache_get_ex(const unsigned char key[32],
				    unsigned char ret_hashes[CHAIN_HASHES][32], int *ret_n)
{
	struct cache_entry *set;
	STACK_OF(X509) *chain = NULL;

	pthread_mutex_lock(&cache.lock);
	set = cache_set(key);
	for (int i = 0; i < CACHE_WAYS; i++)
		if (set[i].used && memcmp(set[i].key, key, 32) == 0) {
			set[i].used = ++cache.clock;
			chain = X509_chain_up_ref(set[i].chain);
			if (chain && ret_hashes) {
				memcpy(ret_hashes, set[i].hashes, sizeof(set[i].hashes));
				*ret_n = set[i].n_hashes;
			}
			break;
		}
	pthread_mutex_unlock(&cache.lock);
	return chain;
}

STACK_OF(X509) *cades_cache_get(const unsigned char key[32])
{
	return cache_get_ex(key, NULL, NULL);
}

void cades_cache_put(const unsigned char key[32], STACK_OF(X509) *chain)
{
	STACK_OF(X509) *copy = X509_chain_up_ref(chain), *old = NULL;
	unsigned char hashes[CHAIN_HASHES][32];
	struct cache_entry *set, *victim;
	int n_hashes = 0;

	if (!copy)
		return;
	/* The bytes of each certificate, for cades_verify() to match the
	 * certificates of the next signature against without decoding them. */
	for (int i = 0; i < sk_X509_num(copy) && n_hashes < CHAIN_HASHES; i++) {
		unsigned char *der = NULL;
		int len = i2d_X509(sk_X509_value(copy, i), &der);

		if (len <= 0 || cades_der_sha256(der, (size_t)len, hashes[n_hashes]) < 0) {
			OPENSSL_free(der);
			break;
		}
		OPENSSL_free(der);
		n_hashes++;
	}
	ERR_clear_error();
	pthread_mutex_lock(&cache.lock);
	set = cache_set(key);
	victim = &set[0];
	for (int i = 0; i < CACHE_WAYS; i++) {
		if (set[i].used && memcmp(set[i].key, key, 32) == 0) {
			victim = &set[i];
			break;
		}
		if (set[i].used < victim->used)
			victim = &set[i];
	}
	old = victim->chain;
	memcpy(victim->key, key, 32);
	victim->chain = copy;
	memcpy(victim->hashes, hashes, sizeof(hashes));
	victim->n_hashes = n_hashes;
	victim->used = ++cache.clock;
	pthread_mutex_unlock(&cache.lock);
	chain_free(old);
}

void cades_cache_flush(void)
{
	pthread_mutex_lock(&cache.lock);
	for (int s = 0; s < CACHE_SETS; s++)
		for (int w = 0; w < CACHE_WAYS; w++) {
			chain_free(cache.e[s][w].chain);
			cache.e[s][w] = (struct cache_entry){};
		}
	pthread_mutex_unlock(&cache.lock);
}

int cades_certs_of(const struct pki_der_span *spans, size_t n, STACK_OF(X509) **ret,
		    unsigned char hashes[PKI_CMS_MAX_CERTS][32], bool *ret_bad)
{
	_cleanup_(sk_X509_pop_free_allp) STACK_OF(X509) *certs = sk_X509_new_null();
	_cleanup_(sk_X509_pop_free_allp) STACK_OF(X509) *chain = NULL;
	unsigned char known[CHAIN_HASHES][32];
	int n_known = 0, r;

	*ret_bad = false;
	if (!certs)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		r = cades_der_sha256(spans[i].p, spans[i].n, hashes[i]);
		if (r < 0)
			return r;
	}
	/* Is one of them the signer of a cached chain? */
	for (size_t i = 0; i < n && !chain; i++)
		chain = cache_get_ex(hashes[i], known, &n_known);
	for (size_t i = 0; i < n; i++) {
		X509 *x = NULL;

		for (int j = 0; chain && j < n_known && j < sk_X509_num(chain) && !x; j++)
			if (memcmp(hashes[i], known[j], 32) == 0 && X509_up_ref(sk_X509_value(chain, j)))
				x = sk_X509_value(chain, j);
		if (!x) {
			const unsigned char *q = spans[i].p;

			x = d2i_X509(NULL, &q, (long)spans[i].n);
			if (!x || q != spans[i].p + spans[i].n) {
				X509_free(x);
				*ret_bad = true;
				return 0;
			}
		}
		if (!sk_X509_push(certs, x)) {
			X509_free(x);
			return -ENOMEM;
		}
	}
	*ret = TAKE_PTR(certs);
	return 0;
}

