/* api-pki.c - what relying parties fetch: OCSP, the CRL, CA certificates.
 *
 *   POST /ocsp            application/ocsp-request body (RFC 6960 A.1)
 *   GET  /ocsp/BASE64     the request in the URL (RFC 6960 A.1)
 *   GET  /crl/issuing.crl application/pkix-crl, from memory (ETag, 304)
 *   GET  /crl/root.crl    the root's CRL (ARL), pki.dir/root.crl as signed
 *                         offline (pki/ca.h), read again when it changes
 *   GET  /ca/issuing.crt, /ca/root.crt   application/pkix-cert (DER)
 *
 * OCSP: an answer to a request without a nonce is signed once and served
 * from memory (pki/ocsp-cache.h: the status is still read from the store
 * on every request, so a hold shows at once on every node) with the RFC
 * 5019 caching headers; a request with a nonce is signed each time.  CRLs
 * are published by src/domain/publish.c (rebuilt by server/crlpub.c) and
 * kept here in memory by CRL number. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>

#include "domain/publish.h"
#include "common/log.h"
#include "pki/key.h"
#include "pki/ocsp.h"
#include "pki/ocsp-cache.h"
#include "server/wake.h"
#include "server/metrics.h"
#include "server/handlers.h"

static int reply_der(struct http_request *req, unsigned status, const char *type,
		     const char *cache, unsigned char *der, size_t n)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(n, der, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(der);
		return -ENOMEM;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	return http_queue_data(req, status, resp);
}

/* An HTTP date (RFC 9110 IMF-fixdate), whatever the locale; plain
 * arithmetic (days to civil date), no gmtime_r and its time zone lock on
 * the OCSP path. */
static void http_date(int64_t t, char ret[32])
{
	static const char days[7][4] = { "Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed" };
	static const char months[12][4] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	int64_t z = (t >= 0 ? t : t - 86399) / 86400, secs = t - z * 86400;
	int64_t wd = ((z % 7) + 7) % 7, era, doe, yoe, y, doy, mp, d, m;

	/* H. Hinnant's civil_from_days */
	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(ret, 32, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[wd], (int)d, months[m - 1],
		 (int)y, (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* RFC 5019 section 6: the caching headers of an answer without a nonce,
 * from its own times (max-age never beyond its nextUpdate). */
static void ocsp_cache_headers(struct MHD_Response *resp, const struct pki_ocsp_answer *a,
			       int64_t now)
{
	char v[96];

	snprintf(v, sizeof(v), "max-age=%lld, public, no-transform, must-revalidate",
		 (long long)MAX(a->next_update - now, 0));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, v);
	http_date(a->next_update, v);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_EXPIRES, v);
	http_date(a->this_update, v);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LAST_MODIFIED, v);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, a->etag);
}

static void answer_free(void *cls)
{
	pki_ocsp_answer_unref(cls);
}

/* The HTTP response prepared for a kept answer, for one second (its
 * Cache-Control max-age counts down by the second): built once, with its
 * own copy of the bytes, and queued for every request of that second.
 * Building a response (create, fourteen headers, destroy) per request was
 * a tenth of an answer's CPU time. */
struct prepared {
	int64_t sec;
	struct MHD_Response *resp;
};

static void prepared_free(void *p)
{
	struct prepared *pr = p;

	if (pr && pr->resp)
		MHD_destroy_response(pr->resp);
	free(pr);
}

static struct MHD_Response *prepared_build(struct http_request *req,
					   const struct pki_ocsp_answer *a, int64_t now)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(a->n, (void *)a->der, MHD_RESPMEM_MUST_COPY);
	if (!resp)
		return NULL;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/ocsp-response");
	ocsp_cache_headers(resp, a, now);
	http_add_fixed_headers(req->srv, resp);
	return resp;
}

/* Queues a's prepared response for req (a: a reference, kept). */
static int ocsp_send_prepared(struct http_request *req, struct pki_ocsp_answer *a, int64_t now)
{
	struct prepared *pr;
	int r = -ENOMEM;

	pthread_mutex_lock(&a->ext_lock);
	pr = a->ext;
	if (!pr) {
		pr = calloc(1, sizeof(*pr));
		if (!pr)
			goto out;
		a->ext = pr;
		a->ext_free = prepared_free;
	}
	if (!pr->resp || pr->sec != now) {
		struct MHD_Response *resp = prepared_build(req, a, now);

		if (!resp)
			goto out;
		if (pr->resp)	/* requests still sending it hold their own reference */
			MHD_destroy_response(pr->resp);
		pr->resp = resp;
		pr->sec = now;
	}
	r = http_queue_shared(req, 200, pr->resp);
out:
	pthread_mutex_unlock(&a->ext_lock);
	return r;
}

/* Sends answer a (a reference, taken over) from memory. */
static int ocsp_send(struct http_request *req, struct pki_ocsp_answer *a)
{
	const char *inm = http_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
	struct MHD_Response *resp;
	int64_t now = now_sec();
	unsigned status = 200;

	if (a->cacheable && inm && streq(inm, a->etag) && streq(req->method, "GET")) {
		status = 304;
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (resp)
			ocsp_cache_headers(resp, a, now);
		pki_ocsp_answer_unref(a);
		return http_queue_data(req, status, resp);
	}
	if (a->cacheable && http_shareable(req)) {
		int r = ocsp_send_prepared(req, a, now);

		pki_ocsp_answer_unref(a);
		return r;
	}
	resp = MHD_create_response_from_buffer_with_free_callback_cls(a->n, a->der, answer_free, a);
	if (!resp) {
		pki_ocsp_answer_unref(a);
		return -ENOMEM;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/ocsp-response");
	if (a->cacheable)
		ocsp_cache_headers(resp, a, now);
	else	/* a nonce: this answer is for this request only */
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return http_queue_data(req, status, resp);
}

/* The status epoch to note before an answer (pki_ocsp_cache_respond):
 * the store's own on SQLite; on PostgreSQL the count of status changes
 * this node has heard of (wake.h; 0 while it is not listening) plus those
 * it committed itself (both only grow, so their sum moves with either). */
static uint64_t status_epoch(struct db *db)
{
	uint64_t e, heard;

	if (db_epoch(db, &e) == 0)
		return e;
	heard = wake_status_epoch();
	return heard ? heard + db_epoch_local() : 0;
}

static int ocsp_answer(struct http_request *req, const unsigned char *der, size_t n)
{
	struct pki_ocsp_answer *a = NULL;
	enum pki_ocsp_served how;
	unsigned char *out = NULL;
	size_t len = 0;
	struct db *db;
	int r;

	if (!req->srv->ca) {
		r = pki_ocsp_error_response(OCSP_RESPONSE_STATUS_UNAUTHORIZED, &out, &len);
		metrics_ocsp_error();
		return r < 0 ? r : reply_der(req, 200, "application/ocsp-response", "no-store", out, len);
	}
	r = server_db(req->srv, &db);
	if (r >= 0)
		r = pki_ocsp_cache_respond(req->srv->ocsp_cache, req->srv->ca, der, n,
					   ocsp_lookup_store, db, now_sec(), status_epoch(db), &a,
					   &how);
	if (r < 0) {
		log_warn("OCSP answer failed: %s", strerror(-r));
		metrics_ocsp_error();
		r = pki_ocsp_error_response(OCSP_RESPONSE_STATUS_INTERNALERROR, &out, &len);
		if (r < 0)
			return r;
		return reply_der(req, 200, "application/ocsp-response", "no-store", out, len);
	}
	metrics_ocsp(how);
	return ocsp_send(req, a);
}

int handle_ocsp_post(struct http_request *req)
{
	const char *ct = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);

	if (!ct || strcasecmp(ct, "application/ocsp-request") != 0)
		return http_reply_error(req, 415, "unsupported_media_type",
					"OCSP istekleri application/ocsp-request olmalıdır.");
	return ocsp_answer(req, (const unsigned char *)req->body, req->body_len);
}

int handle_ocsp_get(struct http_request *req)
{
	_cleanup_free_ unsigned char *der = NULL;
	const char *b64 = http_param(req, "request");
	size_t n = 0;

	/* Undecodable GET requests get malformedRequest, like bad POSTs. */
	if (base64_decode(b64, strlen(b64), &der, &n) < 0)
		return ocsp_answer(req, (const unsigned char *)"", 0);
	return ocsp_answer(req, der, n);
}

/* The CRL in memory, by issuer and CRL number: every request asks the
 * store only for the current number (no DER), and answers from the one
 * copy shared by all requests (counted references; the response gives its
 * reference back when libmicrohttpd frees it), so the memory a request
 * costs does not grow with the CRL.  A new number loads the DER once. */
struct crl_copy {
	atomic_int refs;
	int64_t number, next_update;
	char issuer[CERT_ISSUER_MAX];
	char etag[CERT_ISSUER_MAX + 32];
	unsigned char *der;
	size_t n;
};

static pthread_mutex_t crl_mu = PTHREAD_MUTEX_INITIALIZER;
static struct crl_copy *crl_now;

static void crl_copy_unref(void *p)
{
	struct crl_copy *c = p;

	if (c && atomic_fetch_sub(&c->refs, 1) == 1) {
		free(c->der);
		free(c);
	}
}

/* A reference to the copy of issuer's CRL number, NULL when not held. */
static struct crl_copy *crl_copy_get(const char *issuer, int64_t number)
{
	struct crl_copy *c = NULL;

	pthread_mutex_lock(&crl_mu);
	if (crl_now && crl_now->number == number && streq(crl_now->issuer, issuer)) {
		c = crl_now;
		atomic_fetch_add(&c->refs, 1);
	}
	pthread_mutex_unlock(&crl_mu);
	return c;
}

/* Loads the current CRL of issuer from the store; keeps it as the copy
 * unless a newer one is kept already.  A reference to it in *ret. */
static int crl_copy_load(struct db *db, const char *issuer, struct crl_copy **ret)
{
	struct crl_copy *c = calloc(1, sizeof(*c));
	int r;

	if (!c)
		return -ENOMEM;
	r = crl_current(db, *issuer ? issuer : NULL, &c->der, &c->n, &c->number, &c->next_update);
	if (r < 0) {
		free(c);
		return r;
	}
	snprintf(c->issuer, sizeof(c->issuer), "%s", issuer);
	/* CRL numbers only grow per issuer: issuer and number name the bytes. */
	snprintf(c->etag, sizeof(c->etag), "\"%.16s-%lld\"", issuer, (long long)c->number);
	atomic_store(&c->refs, 2);	/* the caller's and crl_now's */
	pthread_mutex_lock(&crl_mu);
	if (!crl_now || !streq(crl_now->issuer, issuer) || crl_now->number < c->number) {
		crl_copy_unref(crl_now);
		crl_now = c;
	} else {
		atomic_fetch_sub(&c->refs, 1);	/* not kept: the caller's only */
	}
	pthread_mutex_unlock(&crl_mu);
	*ret = c;
	return 0;
}

/* Whether If-None-Match names etag (or is "*"). */
static bool etag_matches(const char *inm, const char *etag)
{
	return inm && (streq(inm, "*") || strstr(inm, etag));
}

int handle_crl(struct http_request *req)
{
	struct MHD_Response *resp;
	struct crl_copy *c;
	int64_t number = 0, next = 0;
	char cache[64], issuer[CERT_ISSUER_MAX] = "";
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	/* The current issuing CA's CRL (crl_state keeps one per issuer). */
	if (req->srv->ca) {
		r = crl_issuer_of(req->srv->ca, issuer);
		if (r < 0)
			return r;
	}
	r = crl_current(db, *issuer ? issuer : NULL, NULL, NULL, &number, &next);
	if (r == -ENOENT)
		return http_reply_errno(req, -ENOENT, "Henüz yayımlanmış bir SİL yok.");
	if (r < 0)
		return r;
	c = crl_copy_get(issuer, number);
	if (!c) {
		r = crl_copy_load(db, issuer, &c);
		if (r == -ENOENT)
			return http_reply_errno(req, -ENOENT, "Henüz yayımlanmış bir SİL yok.");
		if (r < 0)
			return r;
	}
	snprintf(cache, sizeof(cache), "public, max-age=%lld",
		 (long long)MAX(MIN(c->next_update - now_sec(), 300), 0));
	if (etag_matches(http_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH), c->etag)) {
		resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
		if (resp) {
			MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, c->etag);
			MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
		}
		crl_copy_unref(c);
		return resp ? http_queue_data(req, 304, resp) : -ENOMEM;
	}
	resp = MHD_create_response_from_buffer_with_free_callback_cls(c->n, c->der,
								      crl_copy_unref, c);
	if (!resp) {
		crl_copy_unref(c);
		return -ENOMEM;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "application/pkix-crl");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, c->etag);
	return http_queue_data(req, 200, resp);
}

/* The ARL as last read, and the file it was read from: a renewal (a new
 * file renamed into place) is served from the next request on.  A file
 * that is not a good ARL of the root (half copied, cut short, another
 * CA's), an older one (a lower CRL number: a stale copy would take a
 * revoked issuing CA off the list) or no file at all does not replace the
 * last good one, which stays served; each such file is logged once. */
static struct {
	pthread_mutex_t lock;
	struct stat st, bad_st;
	unsigned char *der;
	size_t n;
	int64_t next_update, number;
	const X509 *root;	/* whose ARL is kept (one per process, but in tests) */
} arl = { .lock = PTHREAD_MUTEX_INITIALIZER };

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_ino == b->st_ino && a->st_dev == b->st_dev && a->st_size == b->st_size &&
	       a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/* Under arl.lock: reads the file again when it changed. */
static int arl_refresh(const char *dir, const char *path, X509 *root, const struct stat *st)
{
	unsigned char *der = NULL;
	size_t n = 0;
	int64_t next = 0, number = 0;
	int r;

	if (arl.der && (same_file(st, &arl.st) || same_file(st, &arl.bad_st)))
		return 0;
	r = pki_arl_load(dir, root, &der, &n, &next, &number);
	if (r == 0 && arl.der && number < arl.number)
		r = -ESTALE;
	if (r == 0) {
		free(arl.der);
		arl.der = der;
		arl.n = n;
		arl.next_update = next;
		arl.number = number;
		arl.st = *st;
		return 0;
	}
	free(der);
	if (!arl.der || r == -ENOMEM)
		return r;
	log_error("%s is %s: still serving root CRL %lld", path,
		  r == -ESTALE ? "older than the one served" :
		  r == -EBADMSG ? "not a CRL signed by the root" : strerror(-r),
		  (long long)arl.number);
	arl.bad_st = *st;
	return 0;
}

/* The newest good ARL: a copy of its DER (ret NULL: none), its
 * nextUpdate and number. */
static int arl_copy(const char *dir, X509 *root, unsigned char **ret, size_t *ret_n,
		    int64_t *ret_next, int64_t *ret_number)
{
	_cleanup_free_ char *path = strdup_printf("%s/" PKI_ARL_FILE, dir);
	struct stat st = {};
	int r = 0;

	if (!path)
		return -ENOMEM;
	if (stat(path, &st) < 0)
		r = -errno;
	pthread_mutex_lock(&arl.lock);
	if (arl.root != root) {
		free(arl.der);
		arl.der = NULL;
		arl.root = root;
	}
	if (r == 0)
		r = arl_refresh(dir, path, root, &st);
	if (arl.der && r != -ENOMEM) {	/* the last good one, also when the file went away */
		r = 0;
		*ret_next = arl.next_update;
		*ret_number = arl.number;
		if (ret) {
			*ret = malloc(arl.n);
			if (*ret) {
				memcpy(*ret, arl.der, arl.n);
				*ret_n = arl.n;
			} else {
				r = -ENOMEM;
			}
		}
	}
	pthread_mutex_unlock(&arl.lock);
	return r;
}

int arl_figures(struct server *srv, int64_t *ret_number, int64_t *ret_next_update)
{
	if (!srv->ca)
		return -ENOENT;
	return arl_copy(srv->cfg->pki_dir, pki_ca_root_cert(srv->ca), NULL, NULL, ret_next_update,
			ret_number);
}

int handle_crl_root(struct http_request *req)
{
	unsigned char *der = NULL;
	size_t n = 0;
	int64_t next = 0, number = 0;
	char cache[64];
	int r;

	if (!req->srv->ca)
		return http_reply_errno(req, -ENOENT, "Kök SİL bulunamadı.");
	r = arl_copy(req->srv->cfg->pki_dir, pki_ca_root_cert(req->srv->ca), &der, &n, &next,
		     &number);
	if (r == -ENOENT)
		return http_reply_errno(req, -ENOENT, "Kök SİL bulunamadı.");
	if (r < 0) {
		log_error("cannot serve %s/" PKI_ARL_FILE ": %s", req->srv->cfg->pki_dir,
			  r == -EBADMSG ? "not a CRL signed by the root" : strerror(-r));
		return r;
	}
	snprintf(cache, sizeof(cache), "public, max-age=%lld",
		 (long long)MAX(MIN(next - now_sec(), 3600), 0));
	return reply_der(req, 200, "application/pkix-crl", cache, der, n);
}

static int serve_ca_cert(struct http_request *req, X509 *x)
{
	unsigned char *der = NULL;
	size_t n = 0;
	int r;

	if (!x)
		return http_reply_errno(req, -ENOENT, "Sertifika bulunamadı.");
	r = pki_cert_to_der(x, &der, &n);
	if (r < 0)
		return r;
	return reply_der(req, 200, "application/pkix-cert", "public, max-age=86400", der, n);
}

int handle_ca_issuing(struct http_request *req)
{
	return serve_ca_cert(req, req->srv->ca ? pki_ca_issuing_cert(req->srv->ca) : NULL);
}

int handle_ca_root(struct http_request *req)
{
	return serve_ca_cert(req, req->srv->ca ? pki_ca_root_cert(req->srv->ca) : NULL);
}
