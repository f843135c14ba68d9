/* http.h - the HTTP layer over libmicrohttpd.
 *
 * One struct http_request per request, kept as MHD's connection context.
 * Handlers (see routes.c) get the request with its body already read and
 * size-checked; they answer with one of the http_reply_* functions and
 * return 0, or return -errno and the layer answers the mapped JSON error
 * (-ENOENT 404, -EINVAL 400, -EACCES 403, -EBUSY 409, -EPERM 401,
 * -E2BIG 413, -ENOMEM/-EIO and others 500). */
#pragma once
#include <jansson.h>
#include <microhttpd.h>

#include "server/server.h"

struct http_request {
	struct server *srv;
	struct MHD_Connection *conn;
	const char *method;
	const char *path;		/* decoded by MHD, without the query */
	char rid[17];			/* request id, also in X-Request-Id */
	char client_addr[64];
	uint64_t start_us;

	char *body;
	size_t body_len, body_cap;
	bool body_too_large;
	bool nul_in_uri;		/* the raw URI had %00 */
	bool parked;			/* suspended on a long-poll (waiters.c) */
	unsigned parks;			/* how often it was parked */
	bool resumed;			/* the handler runs again after a park */
	unsigned nth;			/* 1: the first request on its connection */
	bool close;			/* answer with Connection: close */

	unsigned status;		/* of the answer, for the access log */
	bool replied;
	char *cookies[4];		/* Set-Cookie lines to add */
	size_t n_cookies;
};

typedef int (*http_handler_fn)(struct http_request *req);

struct route {
	const char *method;
	const char *path;
	http_handler_fn handler;
};

/* The route table (routes.c). */
extern const struct route routes[];
extern const size_t routes_count;

/* Starts the daemon with its own threads; it gets its connections from
 * acceptor.c. */
int http_start(struct server *srv);
void http_stop(struct server *srv);

/* Replies.  The body is taken over (decref'd) by http_reply_json. */
int http_reply_json(struct http_request *req, unsigned status, json_t *body);
int http_reply_error(struct http_request *req, unsigned status, const char *code,
		     const char *message);
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
 * NULL-terminated list allowed; an empty body gives an empty object.
 * On error replies itself (400 malformed_json / unknown_field, 415) and
 * returns -EINVAL. */
int http_body_json(struct http_request *req, const char *const *allowed, json_t **ret);

/* Queues a Set-Cookie line for the answer. */
int http_set_cookie(struct http_request *req, const char *name, const char *value,
		    int64_t max_age);

/* Static files under cfg->web_root (static.c). */
int static_serve(struct http_request *req);
