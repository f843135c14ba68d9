/* guard.c - a route's requirements, checked by the layer before its handler
 * (see guard.h): cross-site requests, the browser session and its CSRF
 * token, the body, the rate limits shared by the nodes (ratelimit.c). */
#include "server/guard.h"

#include <stdio.h>
#include <strings.h>

#include "common/log.h"
#include "common/netaddr.h"

/* "scheme://host[:port]" of a URL or an Origin, lower-cased, without a
 * path and without the scheme's default port. */
static void origin_of(const char *url, char *ret, size_t n)
{
	const char *auth = strstr(url, "://");
	size_t scheme_len, len;
	bool https;

	ret[0] = '\0';
	if (!auth)
		return;
	scheme_len = (size_t)(auth - url);
	auth += 3;
	len = strcspn(auth, "/?#");
	https = scheme_len == 5 && strncasecmp(url, "https", 5) == 0;
	if (https && len > 4 && strncmp(auth + len - 4, ":443", 4) == 0)
		len -= 4;
	else if (!https && len > 3 && strncmp(auth + len - 3, ":80", 3) == 0)
		len -= 3;
	snprintf(ret, n, "%.*s://%.*s", (int)scheme_len, url, (int)len, auth);
	for (char *p = ret; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
}

static bool same_origin(struct http_request *req, const char *origin)
{
	char own[256], theirs[256], url[300];
	const char *host;

	origin_of(origin, theirs, sizeof(theirs));
	if (!theirs[0])
		return false;	/* "null" and other opaque origins */
	if (!req->srv->cfg->base_url_derived) {
		origin_of(req->srv->cfg->base_url, own, sizeof(own));
		return streq(own, theirs);
	}
	/* No base URL: the host the browser asked for, whatever the scheme. */
	host = http_header(req, MHD_HTTP_HEADER_HOST);
	if (!host)
		return false;
	snprintf(url, sizeof(url), "%.*s://%s", (int)(strstr(theirs, "://") - theirs), theirs,
		 host);
	origin_of(url, own, sizeof(own));
	return streq(own, theirs);
}

int guard_cross_site(struct http_request *req)
{
	const char *m = req->method, *sfs, *origin;

	if (streq(m, "GET") || streq(m, "HEAD") || streq(m, "OPTIONS"))
		return 0;
	sfs = http_header(req, "Sec-Fetch-Site");
	origin = http_header(req, "Origin");
	if ((sfs && (strcasecmp(sfs, "cross-site") == 0 || strcasecmp(sfs, "same-site") == 0)) ||
	    (origin && !same_origin(req, origin))) {
		log_info("refused cross-site %s %s (Origin %.80s, Sec-Fetch-Site %.20s)", m,
			 req->path, origin ? origin : "-", sfs ? sfs : "-");
		http_reply_error(req, 403, "cross_site",
				 "Bu istek başka bir siteden geldiği için reddedildi.");
		return -EPERM;
	}
	return 0;
}

int guard_session(struct http_request *req, unsigned flags)
{
	const char *id = http_cookie(req, WEBSESSION_COOKIE);
	struct db *db;
	int r;

	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	r = websession_find(db, req->srv->cfg, id, &req->ws);
	if (r == -ENOENT) {
		http_reply_error(req, 401, "no_session", "Oturumunuz bulunamadı veya süresi doldu.");
		return -EPERM;
	}
	if (r < 0)
		return r;
	if ((flags & ROUTE_LOGIN) && !req->ws.tckn[0]) {
		http_reply_errno(req, -EPERM, NULL);
		return -EPERM;
	}
	if ((flags & ROUTE_CSRF) &&
	    !websession_csrf_ok(req->srv->session_key, id, http_header(req, WEBSESSION_CSRF_HEADER))) {
		http_reply_error(req, 403, "csrf",
				 "Güvenlik doğrulaması başarısız. Sayfayı yenileyip tekrar deneyiniz.");
		return -EPERM;
	}
	return 0;
}

int guard_body(struct http_request *req, const struct route *rt)
{
	if (rt->body) {
		json_decref(req->json);	/* a resumed request parses again */
		req->json = NULL;
		return http_body_json(req, rt->body, &req->json);
	}
	if (req->body_len > 0 && !(rt->flags & ROUTE_RAW_BODY)) {
		http_reply_error(req, 400, "body_not_allowed", "Bu istek gövde almaz.");
		return -EPERM;
	}
	return 0;
}

static int take(struct http_request *req, struct db *db, enum ratelimit_kind k,
		const char *whom, int64_t limit, bool *ret_allowed)
{
	int r = ratelimit_take(db, k, whom, limit, ret_allowed);

	if (r < 0)
		log_error("rate limit %s: %s (%s)", ratelimit_kind_str(k), strerror(-r),
			  db_errmsg(db));
	else if (!*ret_allowed)
		log_debug("rate limit %s reached for %s", ratelimit_kind_str(k), whom);
	return r;
}

/* The holder whose budget a signing session spends: the logged-in holder
 * (E-Onay and the other acts), who alone can spend it.  A login being
 * started names a T.C. Kimlik No, which is no secret: counting those
 * under the holder would let anyone with a few addresses keep that holder
 * from logging in (docs/SECURITY.md), so they count per address only. */
static const char *signing_holder(struct http_request *req)
{
	return req->ws.tckn[0] ? req->ws.tckn : NULL;
}

int guard_limit(struct http_request *req, enum route_limit limit)
{
	static const enum ratelimit_kind kinds[] = {
		[LIMIT_SESSION] = RATELIMIT_SESSION,
		[LIMIT_SIGNING] = RATELIMIT_SIGNING,
		[LIMIT_CLAIM] = RATELIMIT_CLAIM,
		[LIMIT_APPLY] = RATELIMIT_APPLY,
	};
	const struct config *cfg = req->srv->cfg;
	char whom[96], key[80];
	const char *holder;
	bool allowed = true;
	struct db *db;
	int64_t max;
	int r;

	if (limit == LIMIT_NONE || req->resumed)
		return 0;
	max = limit == LIMIT_SESSION ? cfg->sessions_per_client
	    : limit == LIMIT_SIGNING ? cfg->starts_per_client
	    : limit == LIMIT_APPLY   ? cfg->apply_entries_per_client
				     : cfg->claims_per_client;
	r = server_db(req->srv, &db);
	if (r < 0)
		return r;
	netaddr_limit_key(req->client_addr, key, sizeof(key));
	snprintf(whom, sizeof(whom), "a:%s", key);
	r = take(req, db, kinds[limit], whom, max, &allowed);
	if (r >= 0 && allowed && limit == LIMIT_SIGNING && (holder = signing_holder(req))) {
		snprintf(whom, sizeof(whom), "h:%s", holder);
		r = take(req, db, kinds[limit], whom, cfg->starts_per_holder, &allowed);
	}
	if (r < 0)
		return r;
	if (!allowed) {
		/* Until the window ends (ratelimit.h). */
		req->retry_after = (unsigned)(RATELIMIT_WINDOW - now_sec() % RATELIMIT_WINDOW);
		http_reply_error(req, 429, "rate_limited",
				 "Çok fazla deneme yapıldı. Lütfen bir süre bekleyip tekrar deneyiniz.");
		return -EPERM;
	}
	return 0;
}
