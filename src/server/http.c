/* http.c - libmicrohttpd glue: request lifecycle, body limits, dispatch,
 * JSON errors, security headers, access log.
 *
 * MHD runs its own threads (internal polling, epoll, a pool of
 * cfg->threads) with suspend/resume allowed for long-polls.  For each
 * request: the first call allocates the context and refuses an announced
 * oversized body at once; upload calls collect the body up to max_body;
 * the final call finds the route and runs the handler.  The completion
 * callback writes the access-log line and frees the context. */
#include "server/http.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>

#include "common/json.h"
#include "common/log.h"
#include "server/guard.h"
#include "server/acceptor.h"
#include "server/httpstrict.h"
#include "server/metrics.h"

#define CSP "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; " \
	    "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; "  \
	    "frame-ancestors 'none'"

/* What every answer carries, a page or not. */
void http_add_fixed_headers(const struct server *srv, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
	if (srv->https)
		MHD_add_response_header(resp, "Strict-Transport-Security",
					"max-age=31536000; includeSubDomains");
}

/* Those and the request's own. */
static void add_base_headers(struct http_request *req, struct MHD_Response *resp)
{
	http_add_fixed_headers(req->srv, resp);
	if (req->close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	MHD_add_response_header(resp, "X-Request-Id", req->rid);
	if (req->allow[0])
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, req->allow);
	if (req->retry_after) {
		char s[16];

		snprintf(s, sizeof(s), "%u", req->retry_after);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_RETRY_AFTER, s);
	}
	for (size_t i = 0; i < req->n_cookies; i++)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_SET_COOKIE, req->cookies[i]);
}

/* Pages, JSON and errors: also the headers that govern how a browser
 * treats a document. */
static void add_common_headers(struct http_request *req, struct MHD_Response *resp)
{
	MHD_add_response_header(resp, "Content-Security-Policy", CSP);
	MHD_add_response_header(resp, "Referrer-Policy", "no-referrer");
	MHD_add_response_header(resp, "X-Frame-Options", "DENY");
	MHD_add_response_header(resp, "Cross-Origin-Opener-Policy", "same-origin");
	MHD_add_response_header(resp, "Cross-Origin-Resource-Policy", "same-origin");
	MHD_add_response_header(resp, "Permissions-Policy",
				"camera=(), microphone=(), geolocation=(), payment=()");
	add_base_headers(req, resp);
}

static int queue(struct http_request *req, unsigned status, struct MHD_Response *resp)
{
	enum MHD_Result ok = MHD_queue_response(req->conn, status, resp);

	MHD_destroy_response(resp);
	if (ok != MHD_YES)
		return -EIO;
	req->status = status;
	req->replied = true;
	return 0;
}

int http_queue(struct http_request *req, unsigned status, struct MHD_Response *resp)
{
	if (!resp)
		return -ENOMEM;
	add_common_headers(req, resp);
	return queue(req, status, resp);
}

int http_queue_data(struct http_request *req, unsigned status, struct MHD_Response *resp)
{
	if (!resp)
		return -ENOMEM;
	add_base_headers(req, resp);
	return queue(req, status, resp);
}

bool http_shareable(const struct http_request *req)
{
	return !req->close && !req->allow[0] && !req->retry_after && req->n_cookies == 0;
}

int http_queue_shared(struct http_request *req, unsigned status, struct MHD_Response *resp)
{
	if (MHD_queue_response(req->conn, status, resp) != MHD_YES)
		return -EIO;
	req->status = status;
	req->replied = true;
	return 0;
}

int http_reply_json(struct http_request *req, unsigned status, json_t *body)
{
	struct MHD_Response *resp;
	char *s;

	s = json_to_string(body);
	json_decref(body);
	if (!s)
		return -ENOMEM;
	resp = MHD_create_response_from_buffer(strlen(s), s, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(s);
		return -ENOMEM;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"application/json; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return http_queue(req, status, resp);
}

int http_reply_redirect(struct http_request *req, const char *location)
{
	struct MHD_Response *resp;

	resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return -ENOMEM;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_LOCATION, location);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return http_queue(req, 303, resp);
}

int http_reply_error(struct http_request *req, unsigned status, const char *code,
		     const char *message)
{
	json_t *o;

	o = json_pack("{s:{s:s,s:s}}", "error", "code", code, "message", message);
	if (!o)
		return -ENOMEM;
	if (status >= 500)
		log_warn("%s %s -> %u %s: %s", req->method, req->path, status, code, message);
	return http_reply_json(req, status, o);
}

int http_reply_errno(struct http_request *req, int r, const char *message)
{
	switch (r) {
	case -ENOENT:
		return http_reply_error(req, 404, "not_found", message ?: "Kayıt bulunamadı.");
	case -EINVAL:
		return http_reply_error(req, 400, "bad_request", message ?: "Geçersiz istek.");
	case -EACCES:
		return http_reply_error(req, 403, "forbidden", message ?: "Bu işlem için yetkiniz yok.");
	case -EPERM:
		return http_reply_error(req, 401, "unauthenticated",
					message ?: "Bu işlem için giriş yapmanız gerekiyor.");
	case -EBUSY:
	case -EEXIST:
		return http_reply_error(req, 409, "conflict", message ?: "İşlem şu anda yapılamıyor.");
	case -E2BIG:
		return http_reply_error(req, 413, "body_too_large", message ?: "İstek çok büyük.");
	case -ETOOMANYREFS:
	case -EAGAIN:
		return http_reply_error(req, 429, "rate_limited",
					message ?: "Çok fazla deneme. Lütfen biraz sonra tekrar deneyiniz.");
	default:
		return http_reply_error(req, 500, "internal",
					"Beklenmeyen bir hata oluştu. Lütfen daha sonra tekrar deneyiniz.");
	}
}

/* Answers 304 when the client has this version (If-None-Match). */
static bool reply_not_modified(struct http_request *req, unsigned status, const char *etag,
			       const char *cache_control, int *ret)
{
	const char *inm = http_header(req, MHD_HTTP_HEADER_IF_NONE_MATCH);
	struct MHD_Response *resp;

	if (status != 200 || !inm || !streq(inm, etag))
		return false;
	resp = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
	if (resp) {
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
	}
	*ret = http_queue(req, 304, resp);
	return true;
}

/* Queues resp (NULL: out of memory) with its type, caching and ETag. */
static int reply_content(struct http_request *req, unsigned status, struct MHD_Response *resp,
			 const char *etag, const char *content_type, const char *cache_control)
{
	if (!resp)
		return -ENOMEM;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, cache_control);
	if (status == 200)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_ETAG, etag);
	return http_queue(req, status, resp);
}

int http_reply_file(struct http_request *req, unsigned status, int fd,
		    const char *content_type, const char *cache_control)
{
	struct MHD_Response *resp;
	char etag[64];
	struct stat st;
	int r;

	if (fstat(fd, &st) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	snprintf(etag, sizeof(etag), "\"%llx-%llx\"", (unsigned long long)st.st_size,
		 (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
			 (unsigned long long)st.st_mtim.tv_nsec);
	if (reply_not_modified(req, status, etag, cache_control, &r)) {
		close(fd);
		return r;
	}
	resp = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
	if (!resp)
		close(fd);
	return reply_content(req, status, resp, etag, content_type, cache_control);
}

int http_reply_data(struct http_request *req, unsigned status, char *data, size_t len,
		    const char *content_type, const char *cache_control)
{
	struct MHD_Response *resp;
	char etag[24], hash[65];
	int r;

	r = sha256_hex(data, len, hash);
	if (r < 0) {
		free(data);
		return r;
	}
	snprintf(etag, sizeof(etag), "\"%.16s\"", hash);
	if (reply_not_modified(req, status, etag, cache_control, &r)) {
		free(data);
		return r;
	}
	resp = MHD_create_response_from_buffer(len, data, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(data);
	return reply_content(req, status, resp, etag, content_type, cache_control);
}

const char *http_header(struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name);
}

const char *http_cookie(struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_COOKIE_KIND, name);
}

const char *http_query(struct http_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND, name);
}

int http_socket(struct http_request *req)
{
	const union MHD_ConnectionInfo *ci;

	ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	return ci ? ci->connect_fd : -1;
}

/* "application/json", optionally with "; charset=utf-8" (JSON is UTF-8). */
static bool media_type_is_json(const char *ct)
{
	const char *p;

	if (!ct || strncasecmp(ct, "application/json", 16) != 0)
		return false;
	p = ct + 16;
	p += strspn(p, " \t");
	if (!*p)
		return true;
	if (*p != ';')
		return false;
	p++;
	p += strspn(p, " \t");
	if (strncasecmp(p, "charset=", 8) != 0)
		return false;
	p += 8;
	if (strncasecmp(p, "utf-8", 5) == 0)
		p += 5;
	else if (strncasecmp(p, "\"utf-8\"", 7) == 0)
		p += 7;
	else
		return false;
	p += strspn(p, " \t");
	return *p == '\0';
}

bool http_may_park(struct http_request *req)
{
	if (req->nth == 1)
		return true;
	req->close = true;
	return false;
}

int http_body_json(struct http_request *req, const char *const *allowed, json_t **ret)
{
	_cleanup_free_ char *err = NULL;
	const char *bad = NULL;
	const char *ct;
	int r;

	if (req->body_len == 0) {
		*ret = json_object();
		return *ret ? 0 : -ENOMEM;
	}
	ct = http_header(req, MHD_HTTP_HEADER_CONTENT_TYPE);
	if (!media_type_is_json(ct)) {
		http_reply_error(req, 415, "unsupported_media_type",
				 "İstek gövdesi application/json olmalıdır.");
		return -EINVAL;
	}
	r = json_parse_object(req->body, req->body_len, ret, &err);
	if (r < 0) {
		log_info("refused body: %s", err ? err : "malformed JSON");
		http_reply_error(req, 400, "malformed_json",
				 "İstek gövdesi geçerli bir JSON nesnesi değil.");
		return -EINVAL;
	}
	if (json_check_keys(*ret, allowed, &bad) < 0) {
		log_info("refused body: unknown member \"%.32s\"", bad);
		json_decref(*ret);
		*ret = NULL;
		http_reply_error(req, 400, "unknown_field", "İstekte tanınmayan bir alan var.");
		return -EINVAL;
	}
	return 0;
}

int http_set_cookie(struct http_request *req, const char *name, const char *value,
		    int64_t max_age)
{
	return http_set_cookie_attr(req, name, value, max_age, "/", "Strict");
}

int http_set_cookie_attr(struct http_request *req, const char *name, const char *value,
			 int64_t max_age, const char *path, const char *same_site)
{
	char *line;

	if (req->n_cookies >= ELEMENTSOF(req->cookies))
		return -E2BIG;
	line = strdup_printf("%s=%s; Path=%s; HttpOnly; SameSite=%s%s; Max-Age=%lld",
			     name, value, path, same_site, req->srv->https ? "; Secure" : "",
			     (long long)max_age);
	if (!line)
		return -ENOMEM;
	req->cookies[req->n_cookies++] = line;
	return 0;
}

static void request_free(struct http_request *req)
{
	if (!req)
		return;
	if (req->body) {
		/* Bodies may carry PINs or codes: wipe before freeing. */
		OPENSSL_cleanse(req->body, req->body_cap);
		free(req->body);
	}
	for (size_t i = 0; i < req->n_cookies; i++)
		secret_free(req->cookies[i]);
	json_decref(req->json);
	route_params_free(req);
	free(req);
}

static void peer_addr(struct MHD_Connection *conn, char *buf, size_t n)
{
	const union MHD_ConnectionInfo *ci;
	const struct sockaddr *sa;

	snprintf(buf, n, "?");
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (!ci || !ci->client_addr)
		return;
	sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, (socklen_t)n);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, (socklen_t)n);
}

struct header_join {
	const char *name;
	char *joined;
	bool failed;
};

static enum MHD_Result join_header(void *cls, enum MHD_ValueKind kind, const char *key,
				   const char *value)
{
	struct header_join *j = cls;
	char *n;

	if (!key || strcasecmp(key, j->name) != 0)
		return MHD_YES;
	n = j->joined ? strdup_printf("%s,%s", j->joined, value ? value : "")
		      : strdup(value ? value : "");
	free(j->joined);
	j->joined = n;
	if (!n)
		j->failed = true;
	return n ? MHD_YES : MHD_NO;
}

/* The client behind trusted proxies (netaddr_client()); the peer when
 * server.trusted_proxies is empty. */
static int client_addr(struct http_request *req)
{
	struct header_join xff = { "X-Forwarded-For" }, fwd = { "Forwarded" };
	int r;

	peer_addr(req->conn, req->peer_addr, sizeof(req->peer_addr));
	if (req->srv->trusted_proxies.n == 0) {
		snprintf(req->client_addr, sizeof(req->client_addr), "%s", req->peer_addr);
		return 0;
	}
	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, join_header, &xff);
	MHD_get_connection_values(req->conn, MHD_HEADER_KIND, join_header, &fwd);
	r = xff.failed || fwd.failed ? -ENOMEM
				     : netaddr_client(&req->srv->trusted_proxies, req->peer_addr,
						      xff.joined, fwd.joined, req->client_addr,
						      sizeof(req->client_addr));
	free(xff.joined);
	free(fwd.joined);
	return r;
}

static int dispatch(struct http_request *req)
{
	const struct route *rt;
	char allow[sizeof(req->allow)];
	unsigned flags;
	int r;

	if (req->body_too_large)
		return http_reply_errno(req, -E2BIG, NULL);
	r = guard_cross_site(req);
	if (r < 0)
		return r;
	rt = route_find(routes, routes_count, req->method, req->path, req, allow, sizeof(allow));
	if (!rt) {
		if (!allow[0] && strncmp(req->path, "/api/", 5) == 0)
			return http_reply_errno(req, -ENOENT, "Böyle bir işlem yok.");
		if (!allow[0] && (streq(req->method, "GET") || streq(req->method, "HEAD")))
			return static_serve(req);
		snprintf(req->allow, sizeof(req->allow), "%s", allow[0] ? allow : "GET, HEAD");
		return http_reply_error(req, 405, "method_not_allowed",
					"Bu adres için bu yöntem kullanılamaz.");
	}
	req->route = rt;
	flags = rt->flags;
	if (flags & (ROUTE_LOGIN | ROUTE_CSRF))
		flags |= ROUTE_SESSION;
	r = 0;
	if (flags & ROUTE_SESSION)
		r = guard_session(req, flags);
	if (r >= 0)
		r = guard_body(req, rt);
	if (r >= 0)
		r = guard_limit(req, rt->limit);
	if (r >= 0)
		r = rt->handler(req);
	if (r < 0 && !req->replied)
		return http_reply_errno(req, r, NULL);
	return 0;
}

/* A head libmicrohttpd reads leniently (httpstrict.h) is answered 400 and
 * the connection closed: what follows it on the connection is not
 * framed reliably. */
static int strict_head(struct http_request *req, const char *version)
{
	const char *why = "space or control byte in the request target";
	int r = -EPROTO;

	if (!req->uri_malformed)
		r = http_strict_head(req->conn, req->method, req->raw_uri, req->raw_uri_len, version,
				     &why);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		log_set_request_id(req->rid);
		log_info("refused request head: %s", why);
		req->close = true;
		http_reply_error(req, 400, "bad_request", "İstek biçimi hatalı.");
		log_set_request_id(NULL);
	}
	return 0;
}

/* A request id: unique, not secret (it is in the answer's X-Request-Id
 * and the log).  A random 64-bit base drawn once per process, plus a
 * counter, through splitmix64's finaliser (a bijection, so two requests of
 * one process never share an id; other nodes have other bases).  Drawing
 * 8 random bytes per request cost 8 % of an OCSP answer's CPU time. */
static atomic_uint_fast64_t rid_next;
static uint64_t rid_base;
static int rid_err;
static pthread_once_t rid_once = PTHREAD_ONCE_INIT;

static void request_id_base(void)
{
	rid_err = random_bytes(&rid_base, sizeof(rid_base));
}

static int request_id(char ret[17])
{
	uint64_t z;

	pthread_once(&rid_once, request_id_base);
	if (rid_err < 0)
		return rid_err;
	z = rid_base +
	    atomic_fetch_add_explicit(&rid_next, 1, memory_order_relaxed) * 0x9e3779b97f4a7c15ull;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	hex_encode((const unsigned char *)&z, sizeof(z), ret);
	return 0;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size,
				  void **con_cls)
{
	struct server *srv = cls;
	struct http_request *req = *con_cls;
	unsigned parks;

	if (!req)
		return MHD_NO;	/* on_uri() allocates it; out of memory */
	if (!req->conn) {
		const char *cl;

		req->srv = srv;
		req->conn = conn;
		req->method = method;
		req->path = url;
		req->start_us = now_usec_mono();
		if (request_id(req->rid) < 0)
			return MHD_NO;
		if (client_addr(req) < 0)
			return MHD_NO;
		req->nth = acceptor_count_request(http_socket(req));
		if (req->nul_in_uri) {
			/* MHD would hand us the path cut at the NUL. */
			log_set_request_id(req->rid);
			http_reply_errno(req, -ENOENT, "Sayfa bulunamadı.");
			log_set_request_id(NULL);
			return MHD_YES;
		}
		if (strict_head(req, version) < 0)
			return MHD_NO;
		if (req->replied)
			return MHD_YES;

		/* A body announced as far too large is refused before it is
		 * read (the connection is then closed).  A moderately oversized
		 * one is read and dropped so that the client surely receives
		 * the 413 instead of a reset connection. */
		cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
						 MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl) {
			int64_t len;
			if (parse_int64(cl, 0, INT64_MAX, &len) < 0 ||
			    len > 16 * srv->cfg->max_body) {
				log_set_request_id(req->rid);
				http_reply_errno(req, -E2BIG, NULL);
				log_set_request_id(NULL);
			}
		}
		return MHD_YES;
	}
	if (req->replied || req->parked) {
		/* Answer already queued (oversized body): drop what comes. */
		*upload_data_size = 0;
		return MHD_YES;
	}
	if (*upload_data_size > 0) {
		size_t n = *upload_data_size;

		*upload_data_size = 0;
		if (req->body_too_large || req->body_len + n > (size_t)srv->cfg->max_body) {
			req->body_too_large = true;
			return MHD_YES;
		}
		if (req->body_len + n + 1 > req->body_cap) {
			size_t cap = MAX(req->body_cap * 2, req->body_len + n + 1);
			char *nb = malloc(cap);
			if (!nb)
				return MHD_NO;
			if (req->body) {
				memcpy(nb, req->body, req->body_len);
				OPENSSL_cleanse(req->body, req->body_cap);
				free(req->body);
			}
			req->body = nb;
			req->body_cap = cap;
		}
		memcpy(req->body + req->body_len, upload_data, n);
		req->body_len += n;
		req->body[req->body_len] = '\0';
		return MHD_YES;
	}
	log_set_request_id(req->rid);
	parks = req->parks;
	dispatch(req);
	/* A handler that parked the request may already have been woken (by
	 * its own re-check or another thread) before returning: then MHD calls
	 * it again, and the answer comes from that call. */
	if (!req->replied && req->parks == parks)
		http_reply_errno(req, -EIO, NULL);
	log_set_request_id(NULL);
	return MHD_YES;
}

/* Called first for every request with the raw, undecoded URI: the request
 * context starts here so that the raw form can be checked. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	struct http_request *req = calloc(1, sizeof(*req));

	if (req && uri && strcasestr(uri, "%00"))
		req->nul_in_uri = true;
	if (req && !http_strict_uri(uri))
		req->uri_malformed = true;
	if (req && uri) {
		req->raw_uri = uri;
		req->raw_uri_len = strlen(uri);
	}
	return req;
}

/* Whether req gets its access line: always, except the 200 answers of a
 * ROUTE_LOG_SAMPLED route (OCSP), of which 1 in log.ocsp_sample (0: none);
 * /metrics counts them all. */
static bool log_line_wanted(const struct http_request *req, enum MHD_RequestTerminationCode toe)
{
	static atomic_uint_fast64_t seen;
	int64_t every = req->srv->cfg->log_ocsp_sample;

	if (!req->route || !(req->route->flags & ROUTE_LOG_SAMPLED) || req->status != 200 ||
	    toe != MHD_REQUEST_TERMINATED_COMPLETED_OK || every == 1)
		return true;
	if (every > 1 &&
	    atomic_fetch_add_explicit(&seen, 1, memory_order_relaxed) % (uint64_t)every == 0)
		return true;
	metrics_log_sampled_out();
	return false;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_request *req = *con_cls;

	if (!req)
		return;
	if (!req->conn) {	/* never reached the handler */
		request_free(req);
		*con_cls = NULL;
		return;
	}
	metrics_request(req->route, req->status);
	if (log_line_wanted(req, toe)) {
		log_set_request_id(req->rid);
		log_info("%s %s %u %lluus %s%s%s%s", req->method, req->path, req->status,
			 (unsigned long long)(now_usec_mono() - req->start_us), req->client_addr,
			 streq(req->client_addr, req->peer_addr) ? "" : " via ",
			 streq(req->client_addr, req->peer_addr) ? "" : req->peer_addr,
			 toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : " (aborted)");
		log_set_request_id(NULL);
	}
	if (req->nth)	/* counted by the acceptor: no longer in progress */
		acceptor_request_done(http_socket(req));
	request_free(req);
	*con_cls = NULL;
}

static void on_mhd_log(void *cls, const char *fmt, va_list ap)
{
	char buf[512];

	vsnprintf(buf, sizeof(buf), fmt, ap);
	log_warn("microhttpd: %s", buf);
}

int http_start(struct server *srv)
{
	/* No listening socket: acceptor.c accepts and hands connections over
	 * with MHD_add_connection(), counts them until they are reported
	 * closed, and keeps libmicrohttpd far below its own limit, which it
	 * must never reach (acceptor.h). */
	srv->daemon = MHD_start_daemon(
		MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME |
			MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG,
		0, NULL, NULL, on_request, srv,
		MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, srv,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)srv->cfg->threads,
		MHD_OPTION_CONNECTION_LIMIT, acceptor_mhd_limit(),
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)srv->cfg->connection_timeout,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)srv->cfg->connection_memory,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, srv,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, srv,
		MHD_OPTION_NOTIFY_CONNECTION, acceptor_on_connection, srv,
		MHD_OPTION_END);
	return srv->daemon ? 0 : -EIO;
}

void http_stop(struct server *srv)
{
	if (srv->daemon)
		MHD_stop_daemon(srv->daemon);
	srv->daemon = NULL;
}
