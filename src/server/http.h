/* http.h - the HTTP layer over libmicrohttpd.
 *
 * One struct http_request per request, kept as MHD's connection context.
 * Handlers (see routes.c) run only once their route's requirements hold
 * (guard.c): the request is not cross-site, the method is the route's, the
 * browser session is live (req->ws), logged in, the CSRF token matches, the
 * body is the route's JSON (req->json) and the rate limit allows it.  They
 * answer with one of the http_reply_* functions and return 0, or return
 * -errno and the layer answers the mapped JSON error (-ENOENT 404, -EINVAL
 * 400, -EACCES 403, -EBUSY 409, -EPERM 401, -E2BIG 413, -ENOMEM/-EIO and
 * others 500). */
#pragma once
#include <jansson.h>
#include <microhttpd.h>

#include "server/ratelimit.h"
#include "server/server.h"
#include "domain/websession.h"

#define HTTP_MAX_PARAMS 4

struct http_request {
	struct server *srv;
	struct MHD_Connection *conn;
	const char *method;
	const char *path;		/* decoded by MHD, without the query */
	char rid[17];			/* request id, also in X-Request-Id */
	char client_addr[64];		/* the client, behind trusted proxies */
	char peer_addr[64];		/* the connection's peer */
	uint64_t start_us;

	char *body;
	size_t body_len, body_cap;
	bool body_too_large;
	bool nul_in_uri;		/* the raw URI had %00 */
	bool uri_malformed;		/* ... a space or control byte (httpstrict.h) */
	const char *raw_uri;		/* where it was in MHD's buffer, and its */
	size_t raw_uri_len;		/* length then (http_strict_head()) */
	bool parked;			/* suspended on a long-poll (waiters.c) */
	unsigned parks;			/* how often it was parked */
	bool resumed;			/* the handler runs again after a park */
	unsigned nth;			/* 1: the first request on its connection */
	bool close;			/* answer with Connection: close */

	/* Filled by the layer before the handler runs (see struct route). */
	struct websession ws;		/* with ROUTE_SESSION */
	json_t *json;			/* with a body list: the parsed body */
	size_t n_params;		/* path parameters ({name}) */
	struct {
		const char *name;	/* points into the route's path */
		size_t name_len;
		char *value;
	} params[HTTP_MAX_PARAMS];

	const struct route *route;	/* the matched route, or NULL */
	unsigned status;		/* of the answer, for the access log */
	bool replied;
	char *cookies[4];		/* Set-Cookie lines to add */
	size_t n_cookies;
	char allow[48];			/* Allow header of a 405, or "" */
	unsigned retry_after;		/* Retry-After of a 429 (seconds), or 0 */
};

typedef int (*http_handler_fn)(struct http_request *req);

enum route_flags {
	ROUTE_SESSION = 1 << 0,	/* a live browser session, into req->ws (401 no_session) */
	ROUTE_LOGIN = 1 << 1,	/* ... of a logged-in holder (401); implies ROUTE_SESSION */
	ROUTE_CSRF = 1 << 2,	/* X-CSRF-Token must match (403 csrf); implies ROUTE_SESSION */
	ROUTE_RAW_BODY = 1 << 3,	/* the handler reads req->body itself */
	ROUTE_LOG_SAMPLED = 1 << 4,	/* access lines of 200 answers: 1 in log.ocsp_sample */
};

/* Which rate limit a route counts against (guard.c). */
enum route_limit {
	LIMIT_NONE,
	LIMIT_SESSION,		/* per address */
	LIMIT_SIGNING,		/* per address and per holder */
	LIMIT_CLAIM,		/* per address */
	LIMIT_APPLY,		/* per address: application portal entries */
};

/* One entry of the route table.  path is matched segment by segment:
 * "{name}" matches one non-empty segment, "{name*}" (last only) the rest of
 * the path, '/' included; both are read with http_param().  A GET route also
 * answers HEAD; a known path asked with another method is answered 405 with
 * an Allow header.  body lists the JSON members the body may have (NULL-
 * terminated; an empty body is an empty object) and the body must then be
 * application/json; without a list (and without ROUTE_RAW_BODY) a body is
 * refused. */
struct route {
	const char *method;
	const char *path;
	http_handler_fn handler;
	unsigned flags;
	const char *const *body;
	enum route_limit limit;
};

/* The route table (routes.c). */
extern const struct route routes[];
extern const size_t routes_count;

/* Finds the route for method and path in table (router.c).  Returns it and
 * fills req's path parameters (values malloc'ed, freed with the request);
 * NULL when none matches, then *ret_allow lists the methods the path has
 * ("" when the path is unknown): "GET, HEAD, POST". */
const struct route *route_find(const struct route *table, size_t n, const char *method,
			       const char *path, struct http_request *req, char *ret_allow,
			       size_t allow_len);
/* Frees the path parameters route_find() filled. */
void route_params_free(struct http_request *req);

/* A path parameter of the matched route, NULL if the route has none. */
const char *http_param(struct http_request *req, const char *name);

/* Starts the daemon with its own threads; it gets its connections from
 * acceptor.c. */
int http_start(struct server *srv);
void http_stop(struct server *srv);

/* Replies.  The body is taken over (decref'd) by http_reply_json. */
int http_reply_json(struct http_request *req, unsigned status, json_t *body);
int http_reply_error(struct http_request *req, unsigned status, const char *code,
		     const char *message);
/* 303 See Other to location (a path of ours or the provider's URL). */
int http_reply_redirect(struct http_request *req, const char *location);
/* Maps -errno to a status and a generic code; message may be NULL. */
int http_reply_errno(struct http_request *req, int r, const char *message);
/* Serves a file with its type and caching headers (If-None-Match aware). */
int http_reply_file(struct http_request *req, unsigned status, int fd,
		    const char *content_type, const char *cache_control);
/* The same for len bytes of malloc'ed data, taken over; the ETag is a hash
 * of the data. */
int http_reply_data(struct http_request *req, unsigned status, char *data, size_t len,
		    const char *content_type, const char *cache_control);

/* Adds the common headers to resp and queues it; takes resp over. */
int http_queue(struct http_request *req, unsigned status, struct MHD_Response *resp);

/* The same for bytes no browser renders as a document (OCSP answers,
 * CRLs, certificates: DER for relying-party software): nosniff, HSTS and
 * the request's own headers, without the page headers (CSP, frame,
 * referrer, cross-origin and permissions policies). */
int http_queue_data(struct http_request *req, unsigned status, struct MHD_Response *resp);

/* A response shared by many requests (the OCSP answers kept in memory):
 * http_add_fixed_headers() puts on it the headers every answer of srv
 * carries (nosniff, HSTS), none of one request's; it may be used
 * for req when http_shareable(req) (no Connection: close, cookie, Allow or
 * Retry-After to add; such a response has no X-Request-Id).
 * http_queue_shared() queues it for req and keeps the caller's reference. */
void http_add_fixed_headers(const struct server *srv, struct MHD_Response *resp);
bool http_shareable(const struct http_request *req);
int http_queue_shared(struct http_request *req, unsigned status, struct MHD_Response *resp);

/* Request accessors. */
const char *http_header(struct http_request *req, const char *name);
const char *http_cookie(struct http_request *req, const char *name);
const char *http_query(struct http_request *req, const char *name);
/* The connection's socket (-1 if unknown). */
int http_socket(struct http_request *req);
/* May req be parked (waiters.h)?  Only the first request on its
 * connection: libmicrohttpd zeroes a connection's whole memory pool after
 * each request, so a parked request on a reused connection keeps the whole
 * pool (server.connection_memory) in memory, while on a fresh one only the
 * pages its head touched.  When false, the caller answers at once and the
 * answer closes the connection, so that the client's next request (the
 * page polls again) comes on a fresh one. */
bool http_may_park(struct http_request *req);

/* Parses the body as a JSON object whose members are all in the
 * NULL-terminated list allowed; an empty body gives an empty object.  The
 * media type must be application/json (a charset parameter allowed).
 * On error replies itself (400 malformed_json / unknown_field, 415) and
 * returns -EINVAL.  The layer calls it for routes with a body list. */
int http_body_json(struct http_request *req, const char *const *allowed, json_t **ret);

/* Queues a Set-Cookie line for the answer. */
int http_set_cookie(struct http_request *req, const char *name, const char *value,
		    int64_t max_age);

/* The same with another Path and SameSite (the E-Devlet binding cookie
 * must come back on the provider's top-level redirect: Lax). */
int http_set_cookie_attr(struct http_request *req, const char *name, const char *value,
			 int64_t max_age, const char *path, const char *same_site);

/* Static files under cfg->web_root (static.c). */
int static_serve(struct http_request *req);
/* The page web/rel (composed, 200) for a route of its own, and the 404
 * page. */
int static_serve_page(struct http_request *req, const char *rel);
int static_not_found(struct http_request *req);
/* Its two pure parts (also fuzzed, tests/fuzz/fuzz-static.c): whether a
 * decoded URL path passes the segment checks, and a page (NUL-terminated)
 * with its includes expanded from root's partials/ into *ret (malloc'ed);
 * self is the page's own link for aria-current.  -EIO for a bad include. */
bool static_path_safe(const char *path);
int static_compose(int root, const char *page, const char *self, char **ret, size_t *ret_len);
