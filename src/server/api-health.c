/* api-health.c - liveness and public service information.
 *
 * /healthz answers 200 only when the store answers and its schema is the
 * one this binary knows: load balancers take a node out otherwise.  It
 * also says how many long-polls wait on this node (parked in
 * libmicrohttpd), how its connections stand (acceptor.h) and how many
 * requests it refused for rate limits only, per kind: load figures,
 * nothing about anyone.
 *
 * The store is asked at most once a second (STORE_CHECK_US): a load
 * balancer's probes, or a flood of /healthz, are answered with the last
 * check's result, without a store round trip each (on PostgreSQL one more
 * process to wake per probe) and without loading the store. */
#include "config-build.h"
#include "server/acceptor.h"
#include "server/handlers.h"
#include "server/waiters.h"

#include <pthread.h>

#define STORE_CHECK_US 1000000

static pthread_mutex_t check_lock = PTHREAD_MUTEX_INITIALIZER;
static uint64_t checked_at;		/* when the last check ended; 0: never */
static int check_r;
static int64_t check_version;

/* The store answers (0 or -errno) with its schema version, as found by a
 * check at most STORE_CHECK_US old.  Each worker thread whose view is
 * older checks again, on its own store connection. */
static int store_check(struct server *srv, int64_t *ret_version)
{
	struct db *db;
	int64_t version = 0;
	int r;

	pthread_mutex_lock(&check_lock);
	if (checked_at && now_usec_mono() - checked_at < STORE_CHECK_US) {
		r = check_r;
		*ret_version = check_version;
		pthread_mutex_unlock(&check_lock);
		return r;
	}
	pthread_mutex_unlock(&check_lock);
	r = server_db(srv, &db);
	if (r >= 0)
		r = db_schema_version(db, &version);
	pthread_mutex_lock(&check_lock);
	check_r = r;
	check_version = version;
	checked_at = now_usec_mono();
	pthread_mutex_unlock(&check_lock);
	*ret_version = version;
	return r;
}

int handle_healthz(struct http_request *req)
{
	uint64_t rl[_RATELIMIT_MAX];
	struct waiters_stats ws;
	struct connbook_stats as;
	int64_t version;
	int r;

	r = store_check(req->srv, &version);
	if (r < 0 || version != db_schema_version_known())
		return http_reply_error(req, 503, "store_unavailable",
					"Veri deposuna şu anda erişilemiyor.");
	waiters_stats(&ws);
	ratelimit_refusals(rl);
	acceptor_stats(&as);
	return http_reply_json(req, 200,
			       json_pack("{s:s,s:I,s:s,s:{s:I},s:{s:I,s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I}}",
					 "status", "ok", "schema", (json_int_t)version,
					 "version", EONAY_VERSION,
					 "waiting", "parked", (json_int_t)ws.parked,
					 "connections", "open", (json_int_t)as.open,
					 "budget", (json_int_t)as.budget,
					 "accepted", (json_int_t)as.accepted,
					 "refused_per_client", (json_int_t)as.refused_per_client,
					 "refused_full", (json_int_t)as.refused_full,
					 "shed", (json_int_t)as.shed,
					 "rate_limited", "session", (json_int_t)rl[RATELIMIT_SESSION],
					 "signing", (json_int_t)rl[RATELIMIT_SIGNING],
					 "claim", (json_int_t)rl[RATELIMIT_CLAIM]));
}

int handle_info(struct http_request *req)
{
	const struct config *c = req->srv->cfg;

	return http_reply_json(req, 200,
			       json_pack("{s:s,s:s,s:s,s:s,s:I,s:s}", "ca_name", c->ca_name,
					 "ca_short_name", c->ca_short_name,
					 "support_phone", c->support_phone,
					 "support_email", c->support_email,
					 "code_lifetime", (json_int_t)c->code_lifetime,
					 "version", EONAY_VERSION));
}
