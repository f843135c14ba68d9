/* ocsp-cache.c - pre-signed OCSP answers kept in memory (see ocsp-cache.h).
 *
 * A hash table keyed by the request's DER (seeded FNV-1a), chained, with
 * its buckets guarded by a small array of mutexes; an entry holds a
 * reference to its current answer.  A lock is held only to find an entry
 * and take a reference, or to put a new answer in: signing, the status
 * look-up and sending happen outside.  Answers are reference-counted and
 * never change once made, so a thread serving one is never disturbed by
 * another replacing it.
 *
 * Why the status is read on every request instead of invalidating on a
 * notification: a notification can be lost (a node's listening connection
 * down, SQLite has none between processes), and the read is one primary
 * key look-up, far cheaper than the signature it saves.  Answers are not
 * written to the store: a restarted node signs each certificate's answer
 * again on its first request, one signature per certificate asked for. */
#include "pki/ocsp-cache.h"

#include <openssl/sha.h>

#include "pki/key.h"

#define N_LOCKS 64

struct entry {
	struct entry *next;
	uint64_t hash;
	struct pki_ocsp_answer *ans;	/* a reference */
	size_t key_n;
	unsigned char key[];
};

/* A status read from the store, kept for the rest of its second while the
 * status epoch it was read under holds (see pki_ocsp_cache_respond): what
 * answers with a nonce (signed every time) and newly signed answers read
 * instead of the store.  Direct-mapped by issuer and serial; a slot is
 * guarded by the lock of the bucket of the same number. */
struct memo_slot {
	uint64_t epoch;			/* 0: empty */
	int64_t sec;
	char issuer[PKI_KEY_ID_HEX_MAX];
	char serial[PKI_SERIAL_HEX_MAX];
	struct pki_ocsp_status st;
};

#define MEMO_SLOTS_MAX 65536

struct pki_ocsp_cache {
	size_t max, mask;		/* buckets: mask + 1, a power of two */
	struct memo_slot *memo;
	size_t memo_mask;
	atomic_size_t count;
	atomic_size_t cursor;		/* where eviction looks next */
	uint64_t seed;
	pthread_mutex_t locks[N_LOCKS];
	struct entry **buckets;
};

void pki_ocsp_answer_unref(struct pki_ocsp_answer *a)
{
	if (a && atomic_fetch_sub(&a->refs, 1) == 1) {
		if (a->ext_free)
			a->ext_free(a->ext);
		pthread_mutex_destroy(&a->ext_lock);
		free(a);
	}
}

static struct pki_ocsp_answer *answer_ref(struct pki_ocsp_answer *a)
{
	atomic_fetch_add(&a->refs, 1);
	return a;
}

int pki_ocsp_cache_new(size_t max_entries, struct pki_ocsp_cache **ret)
{
	struct pki_ocsp_cache *c;
	size_t nb = 16;
	int r;

	if (!ret)
		return -EINVAL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	while (nb < max_entries && nb < ((size_t)1 << 24))
		nb <<= 1;
	c->max = max_entries;
	c->mask = nb - 1;
	c->buckets = calloc(nb, sizeof(*c->buckets));
	c->memo_mask = MIN(nb, (size_t)MEMO_SLOTS_MAX) - 1;
	c->memo = calloc(c->memo_mask + 1, sizeof(*c->memo));
	r = random_bytes(&c->seed, sizeof(c->seed));
	if (!c->buckets || !c->memo || r < 0) {
		free(c->memo);
		free(c->buckets);
		free(c);
		return r < 0 ? r : -ENOMEM;
	}
	for (size_t i = 0; i < N_LOCKS; i++)
		pthread_mutex_init(&c->locks[i], NULL);
	*ret = c;
	return 0;
}

void pki_ocsp_cache_free(struct pki_ocsp_cache *c)
{
	if (!c)
		return;
	for (size_t b = 0; b <= c->mask; b++)
		for (struct entry *e = c->buckets[b], *next; e; e = next) {
			next = e->next;
			pki_ocsp_answer_unref(e->ans);
			free(e);
		}
	for (size_t i = 0; i < N_LOCKS; i++)
		pthread_mutex_destroy(&c->locks[i]);
	free(c->memo);
	free(c->buckets);
	free(c);
}

size_t pki_ocsp_cache_size(struct pki_ocsp_cache *c)
{
	return c ? atomic_load(&c->count) : 0;
}

static uint64_t key_hash(const struct pki_ocsp_cache *c, const unsigned char *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull ^ c->seed;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h ^ (h >> 29);
}

static pthread_mutex_t *lock_of(struct pki_ocsp_cache *c, size_t bucket)
{
	return &c->locks[bucket % N_LOCKS];
}

/* With the bucket's lock held. */
static struct entry **find(struct pki_ocsp_cache *c, uint64_t h, const unsigned char *key,
			   size_t n)
{
	struct entry **pe = &c->buckets[h & c->mask];

	for (; *pe; pe = &(*pe)->next)
		if ((*pe)->hash == h && (*pe)->key_n == n && memcmp((*pe)->key, key, n) == 0)
			return pe;
	return pe;
}

static bool status_eq(const struct pki_ocsp_status *a, const struct pki_ocsp_status *b)
{
	if (a->status != b->status)
		return false;
	return a->status != PKI_OCSP_REVOKED ||
	       (a->revoked_at == b->revoked_at && a->reason == b->reason);
}

/* Signs an answer to req. */
static int answer_sign(struct pki_ca *ca, const unsigned char *req, size_t n,
		       pki_ocsp_lookup_fn lookup, void *userdata, int64_t now,
		       struct pki_ocsp_answer **ret)
{
	_cleanup_free_ unsigned char *der = NULL;
	struct pki_ocsp_answer *a;
	struct pki_ocsp_info info;
	unsigned char md[SHA256_DIGEST_LENGTH];
	size_t len = 0;
	int r;

	r = pki_ocsp_respond_ex(ca, req, n, lookup, userdata, now, &der, &len, &info);
	if (r < 0)
		return r;
	a = malloc(sizeof(*a) + len);
	if (!a)
		return -ENOMEM;
	*a = (struct pki_ocsp_answer){ .info = info, .n = len };
	atomic_init(&a->refs, 1);
	atomic_init(&a->refreshing, false);
	pthread_mutex_init(&a->ext_lock, NULL);
	memcpy(a->der, der, len);
	a->cacheable = info.successful && !info.nonce;
	if (a->cacheable) {
		a->this_update = info.this_update;
		a->next_update = info.next_update;
		a->refresh_at = info.this_update + (info.next_update - info.this_update) / 2;
		SHA256(a->der, len, md);
		a->etag[0] = '"';
		hex_encode(md, 16, a->etag + 1);
		a->etag[33] = '"';
		a->etag[34] = '\0';
	}
	*ret = a;
	return 0;
}

/* May a be kept for its request? */
static bool keepable(const struct pki_ocsp_answer *a)
{
	return a->cacheable && a->info.singles == 1 && a->info.looked_up &&
	       a->info.status.status != PKI_OCSP_UNKNOWN;
}

/* Drops one entry, looking from the eviction cursor on. */
static void evict_one(struct pki_ocsp_cache *c)
{
	size_t start = atomic_fetch_add(&c->cursor, 1);

	for (size_t i = 0; i <= c->mask; i++) {
		size_t b = (start + i * 7919) & c->mask;
		struct entry *e = NULL;

		if (!c->buckets[b])	/* racy peek; checked again under the lock */
			continue;
		pthread_mutex_lock(lock_of(c, b));
		e = c->buckets[b];
		if (e) {
			c->buckets[b] = e->next;
			atomic_fetch_sub(&c->count, 1);
		}
		pthread_mutex_unlock(lock_of(c, b));
		if (e) {
			pki_ocsp_answer_unref(e->ans);
			free(e);
			return;
		}
	}
}

/* Puts fresh in for the request key, in place of seen (NULL: none was
 * there).  Returns the answer to serve (a reference): fresh, or an answer
 * with the same status another thread put in meanwhile, so that everyone
 * serves the same bytes. */
static struct pki_ocsp_answer *install(struct pki_ocsp_cache *c, uint64_t h,
				       const unsigned char *key, size_t n,
				       struct pki_ocsp_answer *seen,
				       struct pki_ocsp_answer *fresh, int64_t now, bool *ret_adopted)
{
	size_t b = h & c->mask;
	struct pki_ocsp_answer *old = NULL, *serve = fresh;
	struct entry **pe, *e;
	bool added = false;

	*ret_adopted = false;
	e = malloc(sizeof(*e) + n);	/* before the lock; freed if not needed */
	pthread_mutex_lock(lock_of(c, b));
	pe = find(c, h, key, n);
	if (!*pe) {
		if (e) {
			*e = (struct entry){ .hash = h, .ans = answer_ref(fresh), .key_n = n };
			memcpy(e->key, key, n);
			*pe = e;
			e = NULL;
			added = true;
			atomic_fetch_add(&c->count, 1);
		}
	} else if ((*pe)->ans == seen) {
		old = (*pe)->ans;
		(*pe)->ans = answer_ref(fresh);
	} else if (status_eq(&(*pe)->ans->info.status, &fresh->info.status) &&
		   now >= (*pe)->ans->this_update && now < (*pe)->ans->refresh_at) {
		serve = (*pe)->ans;
		*ret_adopted = true;
	} else if ((*pe)->ans->this_update <= fresh->this_update) {
		/* Another thread put in another status (or an old answer)
		 * meanwhile: ours was read now and replaces it.  Should ours be
		 * the older read, the next request finds the status differs and
		 * signs again: never served after a change. */
		old = (*pe)->ans;
		(*pe)->ans = answer_ref(fresh);
	}
	answer_ref(serve);
	pthread_mutex_unlock(lock_of(c, b));
	free(e);
	pki_ocsp_answer_unref(old);
	if (added && atomic_load(&c->count) > c->max)
		evict_one(c);
	return serve;
}

/* The caller's look-up, through the status memo while an epoch is known. */
struct memo_ctx {
	struct pki_ocsp_cache *c;
	pki_ocsp_lookup_fn lookup;
	void *userdata;
	uint64_t epoch;
	int64_t now;
};

static int memo_lookup(void *u, const char *issuer, const char *serial,
		       struct pki_ocsp_status *ret)
{
	struct memo_ctx *m = u;
	struct pki_ocsp_cache *c = m->c;
	struct memo_slot *slot;
	size_t b;
	int r;

	if (m->epoch == 0 || !c || c->max == 0)
		return m->lookup(m->userdata, issuer, serial, ret);
	b = (size_t)(key_hash(c, (const unsigned char *)issuer, strlen(issuer)) ^
		     key_hash(c, (const unsigned char *)serial, strlen(serial))) & c->memo_mask;
	slot = &c->memo[b];
	pthread_mutex_lock(lock_of(c, b));
	if (slot->epoch == m->epoch && slot->sec == m->now && streq(slot->issuer, issuer) &&
	    streq(slot->serial, serial)) {
		*ret = slot->st;
		pthread_mutex_unlock(lock_of(c, b));
		return 0;
	}
	pthread_mutex_unlock(lock_of(c, b));
	r = m->lookup(m->userdata, issuer, serial, ret);
	/* Unknown is not kept: a certificate added meanwhile need not move
	 * the epoch. */
	if (r < 0 || ret->status == PKI_OCSP_UNKNOWN || strlen(issuer) >= sizeof(slot->issuer) ||
	    strlen(serial) >= sizeof(slot->serial))
		return r;
	pthread_mutex_lock(lock_of(c, b));
	slot->epoch = m->epoch;
	slot->sec = m->now;
	strcpy(slot->issuer, issuer);
	strcpy(slot->serial, serial);
	slot->st = *ret;
	pthread_mutex_unlock(lock_of(c, b));
	return r;
}

/* Was seen's status read under this epoch, this second? */
static bool checked(struct pki_ocsp_answer *seen, uint64_t epoch, int64_t now)
{
	return epoch != 0 && atomic_load(&seen->checked_epoch) == epoch &&
	       atomic_load(&seen->checked_at) == now;
}

static void check_done(struct pki_ocsp_answer *a, uint64_t epoch, int64_t now)
{
	if (epoch == 0)
		return;
	atomic_store(&a->checked_epoch, epoch);
	atomic_store(&a->checked_at, now);
}

int pki_ocsp_cache_respond(struct pki_ocsp_cache *c, struct pki_ca *ca,
			   const unsigned char *req_der, size_t n, pki_ocsp_lookup_fn lookup,
			   void *userdata, int64_t now, uint64_t epoch,
			   struct pki_ocsp_answer **ret, enum pki_ocsp_served *ret_how)
{
	struct pki_ocsp_answer *seen = NULL, *fresh = NULL, *serve;
	struct pki_ocsp_status st;
	bool keyed = c && c->max > 0 && req_der && n > 0 && n <= PKI_OCSP_CACHE_MAX_KEY;
	bool refreshing = false, adopted;
	uint64_t h = 0;
	int r;

	struct memo_ctx memo = { c, lookup, userdata, epoch, now };

	if (!ca || !lookup || !ret || !ret_how || (!req_der && n > 0))
		return -EINVAL;
	if (keyed) {
		struct entry **pe;

		h = key_hash(c, req_der, n);
		pthread_mutex_lock(lock_of(c, h & c->mask));
		pe = find(c, h, req_der, n);
		if (*pe)
			seen = answer_ref((*pe)->ans);
		pthread_mutex_unlock(lock_of(c, h & c->mask));
	}
	if (seen) {
		bool same = checked(seen, epoch, now);

		if (!same) {
			r = memo_lookup(&memo, seen->info.issuer, seen->info.serial, &st);
			if (r < 0) {
				pki_ocsp_answer_unref(seen);
				return r;
			}
			same = status_eq(&st, &seen->info.status);
			if (same)
				check_done(seen, epoch, now);
		}
		if (same && now >= seen->this_update && now < seen->next_update) {
			/* Past half of its validity one thread signs the next one;
			 * the others go on serving this one meanwhile. */
			if (now < seen->refresh_at || atomic_exchange(&seen->refreshing, true)) {
				*ret = seen;
				*ret_how = PKI_OCSP_SERVED_CACHED;
				return 0;
			}
			refreshing = true;
		}
	}
	r = answer_sign(ca, req_der, n, memo_lookup, &memo, now, &fresh);
	if (r < 0) {
		if (refreshing)
			atomic_store(&seen->refreshing, false);
		pki_ocsp_answer_unref(seen);
		return r;
	}
	check_done(fresh, epoch, now);	/* its status was read after epoch was noted */
	if (!keyed || !keepable(fresh)) {
		pki_ocsp_answer_unref(seen);
		*ret = fresh;
		*ret_how = fresh->info.successful ? PKI_OCSP_SERVED_PER_REQUEST
						  : PKI_OCSP_SERVED_MALFORMED;
		return 0;
	}
	serve = install(c, h, req_der, n, seen, fresh, now, &adopted);
	pki_ocsp_answer_unref(fresh);
	pki_ocsp_answer_unref(seen);
	*ret = serve;
	*ret_how = adopted ? PKI_OCSP_SERVED_CACHED : PKI_OCSP_SERVED_SIGNED;
	return 0;
}
