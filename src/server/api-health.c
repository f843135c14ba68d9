/* api-health.c - liveness and public service information.
 *
 * /healthz answers 200 only when the store answers and its schema is the
 * one this binary knows: load balancers take a node out otherwise.  It
 * also says how many long-polls wait on this node (parked in
 * libmicrohttpd), how its connections stand (acceptor.h) and how many
 * requests it refused for rate limits only, per kind: load figures,
 * nothing about anyone. */
#include "config-build.h"
#include "server/acceptor.h"
#include "server/handlers.h"
#include "server/waiters.h"

int handle_healthz(struct http_request *req)
{
	uint64_t rl[_RATELIMIT_MAX];
	struct waiters_stats ws;
	struct connbook_stats as;
	struct db *db;
	int64_t version;
	int r;

	r = server_db(req->srv, &db);
	if (r >= 0)
		r = db_schema_version(db, &version);
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
