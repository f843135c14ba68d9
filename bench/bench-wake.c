/* bench-wake.c - how fast a waiting page learns of a claim made on another
 * node, used by bench/store.
 *
 *   bench-wake PORT_A PORT_B N TCKN
 *       2 N rounds, alternating: a browser session and a login signing
 *       session are started on node A (127.0.0.1:PORT_A), the page's
 *       GET /api/v1/signing/wait?state=waiting is sent to A and the program
 *       waits until A's /healthz counts it parked; then the application
 *       claims the code through node B (cross) or through A itself (same,
 *       the baseline).  The claim's socket and the page's are watched
 *       together, so each completion time is exact.  The page's answer must
 *       be 200 with state code_used.  With PORT_A = PORT_B only the same-node
 *       rounds run (N of them).
 *
 * Printed as key=value lines, for each kind (cross, same), in ms:
 *   wake_KIND_ms       page answered - claim sent (what a user waits for
 *                      after the card signed; the claim's own work included);
 *   after_claim_KIND_ms  page answered - claim answered (the wake alone;
 *                      below 0 when the page hears first);
 *   claim_KIND_ms      the claim's own answer time.
 * Loopback only. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench/bench-client.h"
#include "common/util.h"

/* How many waits the node on port has parked now (its /healthz). */
static long parked_on(struct hconn *h)
{
	struct hresp r;
	json_t *o;
	long n;

	hconn_request(h, "GET", "/healthz", NULL, NULL, &r);
	o = json_body(&r, "GET /healthz", 200);
	n = (long)json_integer_value(json_object_get(json_object_get(o, "waiting"), "parked"));
	json_decref(o);
	return n;
}

struct series {
	double *wake, *after, *claim;
	size_t n;
};

static void round_once(struct hconn *web, struct hconn *health, struct hconn *app,
		       struct series *s)
{
	struct hconn wait = { .fd = -1, .port = web->port };
	struct hresp cr, wr;
	struct browser b;
	char req[4096], body[96];
	uint64_t t0, t_claim = 0, t_page = 0;
	json_t *o;
	int n, i;

	if (parked_on(health) != 0)
		die("a wait from an earlier round is still parked");
	browser_start(web, &b);
	wait.fd = tcp_connect_port(web->port, false);
	n = wait_request(&b, "waiting", req, sizeof(req));
	write_all(wait.fd, req, (size_t)n);
	for (i = 0; i < 3000 && parked_on(health) != 1; i++)
		usleep(1000);
	if (i == 3000)
		die("the page's wait was not parked within 3 s");

	if (app->fd < 0)
		app->fd = tcp_connect_port(app->port, false);
	app->len = 0;
	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", b.code);
	n = snprintf(req, sizeof(req),
		     "POST /api/v1/app/claim HTTP/1.1\r\nHost: 127.0.0.1\r\n"
		     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n%s",
		     strlen(body), body);
	t0 = now_us();
	write_all(app->fd, req, (size_t)n);
	while (!t_claim || !t_page) {
		struct pollfd p[2] = { { .fd = app->fd, .events = POLLIN },
				       { .fd = wait.fd, .events = POLLIN } };
		if (poll(p, 2, 30000) <= 0)
			die("no answer within 30 s (claim %s, wait %s)", t_claim ? "in" : "missing",
			    t_page ? "in" : "missing");
		if (!t_claim && p[0].revents) {
			size_t sz = hconn_read(app, &cr);
			if (sz == (size_t)-1)
				die("claim: connection closed");
			if (sz)
				t_claim = now_us();
		}
		if (!t_page && p[1].revents) {
			size_t sz = hconn_read(&wait, &wr);
			if (sz == (size_t)-1)
				die("wait: connection closed without an answer");
			if (sz)
				t_page = now_us();
		}
	}
	o = json_body(&cr, "POST /api/v1/app/claim", 200);
	json_decref(o);
	o = json_body(&wr, "GET /api/v1/signing/wait", 200);
	if (!streq(json_string_value(json_object_get(o, "state")) ?: "", "code_used"))
		die("the page was told %s, not code_used", wr.body);
	json_decref(o);
	hconn_close(&wait);
	s->wake[s->n] = ((double)t_page - (double)t0) / 1000.0;
	s->after[s->n] = ((double)t_page - (double)t_claim) / 1000.0;
	s->claim[s->n] = ((double)t_claim - (double)t0) / 1000.0;
	s->n++;
}

static void print_series(const char *what, const char *kind, double *v, size_t n)
{
	size_t over10 = 0, over100 = 0;

	qsort(v, n, sizeof(double), cmp_double);
	for (size_t i = 0; i < n; i++) {
		over10 += v[i] > 10.0;
		over100 += v[i] > 100.0;
	}
	printf("%s_%s_ms n=%zu p50=%.3f p90=%.3f p99=%.3f max=%.3f over10=%zu over100=%zu top=", what,
	       kind, n, pct(v, n, 0.5), pct(v, n, 0.9), pct(v, n, 0.99), v[n - 1], over10, over100);
	for (size_t i = n > 5 ? n - 5 : 0; i < n; i++)
		printf("%.1f%s", v[i], i + 1 < n ? "," : "\n");
}

static void series_alloc(struct series *s, unsigned n)
{
	s->wake = calloc(n, sizeof(double));
	s->after = calloc(n, sizeof(double));
	s->claim = calloc(n, sizeof(double));
	if (!s->wake || !s->after || !s->claim)
		die("out of memory");
}

int main(int argc, char **argv)
{
	struct series cross = { 0 }, same = { 0 };
	struct hconn web, health, app_a, app_b;
	int port_a, port_b;
	unsigned n;
	uint64_t t0;

	if (argc != 5) {
		fprintf(stderr, "usage: bench-wake PORT_A PORT_B N TCKN\n");
		return 2;
	}
	port_a = atoi(argv[1]);
	port_b = atoi(argv[2]);
	n = (unsigned)strtoul(argv[3], NULL, 10);
	tckn = argv[4];
	if (n == 0 || port_a <= 0 || port_b <= 0)
		die("bad arguments");
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)port_a);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setvbuf(stdout, NULL, _IOLBF, 0);
	web = (struct hconn){ .fd = -1, .port = port_a };
	health = (struct hconn){ .fd = -1, .port = port_a };
	app_a = (struct hconn){ .fd = -1, .port = port_a };
	app_b = (struct hconn){ .fd = -1, .port = port_b };
	series_alloc(&cross, n);
	series_alloc(&same, n);

	t0 = now_us();
	for (unsigned i = 0; i < n; i++) {
		round_once(&web, &health, &app_a, &same);
		if (port_b != port_a)
			round_once(&web, &health, &app_b, &cross);
	}
	printf("rounds=%zu secs=%.2f\n", same.n + cross.n, (double)(now_us() - t0) / 1e6);
	print_series("wake", "same", same.wake, same.n);
	print_series("after_claim", "same", same.after, same.n);
	print_series("claim", "same", same.claim, same.n);
	if (cross.n) {
		print_series("wake", "cross", cross.wake, cross.n);
		print_series("after_claim", "cross", cross.after, cross.n);
		print_series("claim", "cross", cross.claim, cross.n);
	}
	hconn_close(&web);
	hconn_close(&health);
	hconn_close(&app_a);
	hconn_close(&app_b);
	return 0;
}
