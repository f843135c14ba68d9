/* metrics.c - this node's counters and GET /metrics (see metrics.h).
 *
 * Counters are plain arrays of atomics indexed by route, status or kind,
 * bumped with relaxed ordering: nothing orders against them, a scrape
 * only needs each figure to be whole.  The exposition is built into a
 * memory stream per scrape; the store is asked only for the CRL figures
 * (one row per scrape). */
#include "server/metrics.h"

#include <stdatomic.h>
#include <stdio.h>

#include "common/log.h"
#include "domain/publish.h"
#include "server/acceptor.h"
#include "server/handlers.h"
#include "server/ratelimit.h"
#include "server/waiters.h"

#define MAX_ROUTES 128

typedef atomic_uint_fast64_t counter;

static counter by_route[MAX_ROUTES + 1];	/* the last: no route (static files) */
static counter by_status[600];
static counter ocsp_by_how[_PKI_OCSP_SERVED_MAX], ocsp_errors;
static counter log_sampled_out;
static counter ceremonies[_METRIC_CEREMONY_MAX];

static void bump(counter *c)
{
	atomic_fetch_add_explicit(c, 1, memory_order_relaxed);
}

static uint64_t get(counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

void metrics_request(const struct route *rt, unsigned status)
{
	size_t i = MAX_ROUTES;

	if (rt && rt >= routes && rt < routes + routes_count && (size_t)(rt - routes) < MAX_ROUTES)
		i = (size_t)(rt - routes);
	bump(&by_route[i]);
	if (status < ELEMENTSOF(by_status))
		bump(&by_status[status]);
}

void metrics_ocsp(enum pki_ocsp_served how)
{
	if ((unsigned)how < _PKI_OCSP_SERVED_MAX)
		bump(&ocsp_by_how[how]);
}

void metrics_ocsp_error(void)
{
	bump(&ocsp_errors);
}

void metrics_log_sampled_out(void)
{
	bump(&log_sampled_out);
}

void metrics_ceremony(enum metric_ceremony outcome)
{
	if ((unsigned)outcome < _METRIC_CEREMONY_MAX)
		bump(&ceremonies[outcome]);
}

static void head(FILE *f, const char *name, const char *type, const char *help)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* A label value: backslash, double quote and newline escaped. */
static void label(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '\n') {
			fputs("\\n", f);
			continue;
		}
		fputc(*s, f);
	}
}

static int crl_figures(struct server *srv, FILE *f)
{
	char issuer[CERT_ISSUER_MAX];
	int64_t number = 0, this_update = 0, next_update = 0, now = now_sec();
	struct db *db;
	int r;

	if (!srv->ca)
		return 0;
	r = crl_issuer_of(srv->ca, issuer);
	if (r == 0)
		r = server_db(srv, &db);
	if (r == 0)
		r = crl_times(db, issuer, &number, &this_update, &next_update);
	if (r == -ENOENT)
		return 0;	/* none published yet: no figures */
	if (r < 0)
		return r;
	head(f, "eonay_crl_number", "gauge", "CRL number of the issuing CA's current CRL.");
	fprintf(f, "eonay_crl_number{issuer=\"%s\"} %lld\n", issuer, (long long)number);
	head(f, "eonay_crl_age_seconds", "gauge", "Seconds since the current CRL's thisUpdate.");
	fprintf(f, "eonay_crl_age_seconds{issuer=\"%s\"} %lld\n", issuer,
		(long long)(now - this_update));
	head(f, "eonay_crl_next_update_seconds", "gauge",
	     "Seconds until the current CRL's nextUpdate (negative: overdue).");
	fprintf(f, "eonay_crl_next_update_seconds{issuer=\"%s\"} %lld\n", issuer,
		(long long)(next_update - now));
	return 0;
}

/* The root's CRL (ARL), signed offline: when it runs out, every
 * whole-path check of a holder certificate fails. */
static void arl_metrics(struct server *srv, FILE *f)
{
	int64_t number = 0, next_update = 0;

	if (arl_figures(srv, &number, &next_update) < 0)
		return;
	head(f, "eonay_arl_number", "gauge", "CRL number of the root's CRL (ARL) served.");
	fprintf(f, "eonay_arl_number %lld\n", (long long)number);
	head(f, "eonay_arl_next_update_seconds", "gauge",
	     "Seconds until the root's CRL's nextUpdate (negative: run out; eonayctl pki arl).");
	fprintf(f, "eonay_arl_next_update_seconds %lld\n", (long long)(next_update - now_sec()));
}

int metrics_render(struct server *srv, char **ret, size_t *ret_len)
{
	static const char *const how[_PKI_OCSP_SERVED_MAX] = {
		[PKI_OCSP_SERVED_CACHED] = "cached",
		[PKI_OCSP_SERVED_SIGNED] = "signed",
		[PKI_OCSP_SERVED_PER_REQUEST] = "per_request",
		[PKI_OCSP_SERVED_MALFORMED] = "malformed",
	};
	static const char *const outcome[_METRIC_CEREMONY_MAX] = {
		[METRIC_CEREMONY_ACCEPTED] = "accepted",
		[METRIC_CEREMONY_REFUSED] = "refused",
		[METRIC_CEREMONY_FAILED] = "failed",
	};
	struct waiters_stats ws;
	struct connbook_stats cs;
	uint64_t rl[_RATELIMIT_MAX];
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	int r;

	f = open_memstream(&buf, &len);
	if (!f)
		return -ENOMEM;

	head(f, "eonay_http_requests_total", "counter", "Requests answered, by route.");
	for (size_t i = 0; i < routes_count && i < MAX_ROUTES; i++) {
		fprintf(f, "eonay_http_requests_total{method=\"%s\",route=\"", routes[i].method);
		label(f, routes[i].path);
		fprintf(f, "\"} %llu\n", (unsigned long long)get(&by_route[i]));
	}
	fprintf(f, "eonay_http_requests_total{method=\"\",route=\"(other)\"} %llu\n",
		(unsigned long long)get(&by_route[MAX_ROUTES]));

	head(f, "eonay_http_responses_total", "counter", "Answers sent, by HTTP status.");
	for (unsigned s = 100; s < ELEMENTSOF(by_status); s++)
		if (get(&by_status[s]))
			fprintf(f, "eonay_http_responses_total{status=\"%u\"} %llu\n", s,
				(unsigned long long)get(&by_status[s]));

	head(f, "eonay_ocsp_answers_total", "counter",
	     "OCSP answers: cached (kept, not signed), signed (no nonce, signed and kept), "
	     "per_request (nonce or unknown: signed for that request), malformed, error.");
	for (unsigned i = 0; i < _PKI_OCSP_SERVED_MAX; i++)
		fprintf(f, "eonay_ocsp_answers_total{how=\"%s\"} %llu\n", how[i],
			(unsigned long long)get(&ocsp_by_how[i]));
	fprintf(f, "eonay_ocsp_answers_total{how=\"error\"} %llu\n",
		(unsigned long long)get(&ocsp_errors));
	head(f, "eonay_ocsp_kept_answers", "gauge", "Pre-signed OCSP answers kept in memory.");
	fprintf(f, "eonay_ocsp_kept_answers %zu\n", pki_ocsp_cache_size(srv->ocsp_cache));

	head(f, "eonay_access_log_sampled_out_total", "counter",
	     "OCSP access-log lines not written (log.ocsp_sample).");
	fprintf(f, "eonay_access_log_sampled_out_total %llu\n",
		(unsigned long long)get(&log_sampled_out));

	head(f, "eonay_ceremonies_total", "counter", "Submitted signing ceremonies, by outcome.");
	for (unsigned i = 0; i < _METRIC_CEREMONY_MAX; i++)
		fprintf(f, "eonay_ceremonies_total{outcome=\"%s\"} %llu\n", outcome[i],
			(unsigned long long)get(&ceremonies[i]));

	waiters_stats(&ws);
	head(f, "eonay_waits", "gauge", "Browser long-polls parked on this node now.");
	fprintf(f, "eonay_waits %u\n", ws.parked);
	acceptor_stats(&cs);
	head(f, "eonay_connections", "gauge", "Connections open on this node now.");
	fprintf(f, "eonay_connections %llu\n", (unsigned long long)cs.open);
	ratelimit_refusals(rl);
	head(f, "eonay_rate_limited_total", "counter", "Requests refused for a rate limit, by kind.");
	fprintf(f, "eonay_rate_limited_total{kind=\"session\"} %llu\n",
		(unsigned long long)rl[RATELIMIT_SESSION]);
	fprintf(f, "eonay_rate_limited_total{kind=\"signing\"} %llu\n",
		(unsigned long long)rl[RATELIMIT_SIGNING]);
	fprintf(f, "eonay_rate_limited_total{kind=\"claim\"} %llu\n",
		(unsigned long long)rl[RATELIMIT_CLAIM]);

	/* Without the store the other figures still count: the CRL's are left
	 * out and eonay_store_readable says so. */
	arl_metrics(srv, f);
	r = crl_figures(srv, f);
	if (r < 0)
		log_warn("/metrics: cannot read the CRL figures: %s", strerror(-r));
	head(f, "eonay_store_readable", "gauge", "1 when this scrape could read the store.");
	fprintf(f, "eonay_store_readable %d\n", r < 0 ? 0 : 1);
	if (fclose(f) != 0) {
		free(buf);
		return -ENOMEM;
	}
	*ret = buf;
	*ret_len = len;
	return 0;
}

int handle_metrics(struct http_request *req)
{
	struct MHD_Response *resp;
	size_t len = 0;
	char *text = NULL;
	int r;

	r = metrics_render(req->srv, &text, &len);
	if (r < 0)
		return r;
	resp = MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
	if (!resp) {
		free(text);
		return -ENOMEM;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				"text/plain; version=0.0.4; charset=utf-8");
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
	return http_queue(req, 200, resp);
}
