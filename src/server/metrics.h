/* metrics.h - counters of this eonayd node for GET /metrics (Prometheus
 * text format 0.0.4).
 *
 * Counting is lock-free (relaxed atomics) and costs a few nanoseconds, so
 * any path may count.  The figures are this node's own since it started;
 * Prometheus sums the nodes.  Gauges that live elsewhere (parked waits,
 * connections, the CRL in the store, kept OCSP answers) are read when
 * /metrics is asked. */
#pragma once
#include "pki/ocsp-cache.h"
#include "server/http.h"

enum metric_ceremony {
	METRIC_CEREMONY_ACCEPTED,	/* the signatures were accepted */
	METRIC_CEREMONY_REFUSED,	/* refused by the rules (a refusal code) */
	METRIC_CEREMONY_FAILED,		/* a failure of the machine (500) */
	_METRIC_CEREMONY_MAX,
};

/* One answered request: rt is its route (NULL: a static file, or no
 * route), status the HTTP status sent. */
void metrics_request(const struct route *rt, unsigned status);
/* One OCSP answer, by how it was made. */
void metrics_ocsp(enum pki_ocsp_served how);
/* One OCSP answer that failed (internalError, unauthorized). */
void metrics_ocsp_error(void);
/* One access-log line not written (log.ocsp_sample). */
void metrics_log_sampled_out(void);
/* One submitted ceremony's outcome (POST /api/v1/app/submit). */
void metrics_ceremony(enum metric_ceremony outcome);

/* The exposition text (malloc'ed) for srv.  -ENOMEM; a store that cannot
 * be read leaves the CRL figures out (eonay_store_readable 0). */
int metrics_render(struct server *srv, char **ret, size_t *ret_len);
