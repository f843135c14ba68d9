/* guard.h - what the HTTP layer checks before a handler runs (http.c's
 * dispatch calls these in this order).  Each returns 0 when the request
 * may go on; otherwise the answer is already queued and a negative value
 * returned (-EPERM for refusals, other -errno for failures, which the
 * layer answers 500 when nothing was queued). */
#pragma once
#include "server/http.h"

/* Refuses (403 cross_site) a state-changing request (any method but GET,
 * HEAD, OPTIONS) that a browser marks as coming from another site:
 * Sec-Fetch-Site cross-site or same-site, or an Origin other than the
 * server's own (server.base_url's origin; when base_url is not set, the
 * request's Host).  Requests without these headers pass. */
int guard_cross_site(struct http_request *req);

/* ROUTE_SESSION, ROUTE_LOGIN, ROUTE_CSRF: fills req->ws. */
int guard_session(struct http_request *req, unsigned flags);

/* The body: parsed into req->json when the route has a body list; refused
 * (400 body_not_allowed) when the route takes none. */
int guard_body(struct http_request *req, const struct route *rt);

/* The route's rate limit (429 rate_limited). */
int guard_limit(struct http_request *req, enum route_limit limit);
