/* ocsp-cache.h - pre-signed OCSP answers (RFC 5019) for requests without
 * a nonce, kept in memory and served without signing.
 *
 * An answer is signed once per request form (the request's DER: for an
 * RFC 5019 client, one per certificate and hash algorithm) and served from
 * memory until half of its validity has passed, then signed again.  It is
 * never served after the certificate's status changed: a request asks the
 * lookup callback (the store: one read by primary key) and serves the kept
 * answer only when the status it says is the one in the answer, otherwise
 * it signs a new one and keeps that; the read is skipped only while the
 * caller's status epoch says no status changed since the last one (and at
 * most for the rest of that second).  Two answers for the same request
 * within the validity of the kept one are the same bytes.
 *
 * Requests with a nonce, with more than one single request, or whose
 * certificate is unknown are signed every time and not kept.  The number
 * of kept answers is bounded (pki_ocsp_cache_new); past it, an old entry
 * goes.  Thread-safe; the signing happens outside any lock. */
#pragma once

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/util.h"
#include "pki/ocsp.h"

/* Largest request kept (an RFC 5019 request is about 80 bytes). */
#define PKI_OCSP_CACHE_MAX_KEY 512

/* One answer: immutable once made, shared by reference. */
struct pki_ocsp_answer {
	atomic_uint refs;
	atomic_bool refreshing;		/* a thread is signing its successor */
	bool cacheable;			/* no nonce, successful: RFC 5019 HTTP headers apply */
	int64_t this_update, next_update;	/* cacheable: the answer's times */
	int64_t refresh_at;		/* kept: signed again from then on */
	char etag[35];			/* cacheable: "\"" 32 hex digits "\"" */
	struct pki_ocsp_info info;	/* what the answer says */
	/* When its status was last read from the store: the caller's status
	 * epoch then (0: none) and the second (see pki_ocsp_cache_respond). */
	_Atomic uint64_t checked_epoch;
	_Atomic int64_t checked_at;
	/* What the server keeps with a cacheable answer (its prepared HTTP
	 * response): read and set under ext_lock; ext_free(ext) runs when
	 * the last reference goes. */
	pthread_mutex_t ext_lock;
	void *ext;
	void (*ext_free)(void *ext);
	size_t n;
	unsigned char der[];
};

/* How an answer was made (for the metrics). */
enum pki_ocsp_served {
	PKI_OCSP_SERVED_CACHED,		/* kept answer, no signature */
	PKI_OCSP_SERVED_SIGNED,		/* no nonce: signed now and kept (first, refresh, change) */
	PKI_OCSP_SERVED_PER_REQUEST,	/* signed for this request only (nonce, several, unknown) */
	PKI_OCSP_SERVED_MALFORMED,	/* malformedRequest */
	_PKI_OCSP_SERVED_MAX,
};

struct pki_ocsp_cache;

/* A cache of at most max_entries answers (0: keeps nothing, every answer
 * is signed). */
int pki_ocsp_cache_new(size_t max_entries, struct pki_ocsp_cache **ret);
void pki_ocsp_cache_free(struct pki_ocsp_cache *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct pki_ocsp_cache *, pki_ocsp_cache_free)

/* Answers req_der as pki_ocsp_respond() would, from c when it can (see
 * above).  *ret is a reference (pki_ocsp_answer_unref).  Returns 0, or
 * -errno as pki_ocsp_respond().
 *
 * epoch: the store's status epoch (db_epoch()), noted before this call;
 * 0 when there is none.  A kept answer whose status was read within the
 * same second (now) under the same non-zero epoch is served without
 * asking lookup: no status changed since.  Likewise a status read for
 * any answer (with a nonce too) is kept for that second and epoch, and
 * not asked again (unknown certificates excepted).  Otherwise lookup is asked as
 * above.  The second bounds how long a status stays unread should a
 * change bypass the epoch (a lost notification, an edit of the store by
 * hand). */
int pki_ocsp_cache_respond(struct pki_ocsp_cache *c, struct pki_ca *ca,
			   const unsigned char *req_der, size_t n, pki_ocsp_lookup_fn lookup,
			   void *userdata, int64_t now, uint64_t epoch,
			   struct pki_ocsp_answer **ret, enum pki_ocsp_served *ret_how);

/* Answers kept now. */
size_t pki_ocsp_cache_size(struct pki_ocsp_cache *c);

void pki_ocsp_answer_unref(struct pki_ocsp_answer *a);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct pki_ocsp_answer *, pki_ocsp_answer_unref)
