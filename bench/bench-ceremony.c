/* bench-ceremony.c - the signing ceremony under load, used by bench/ceremony.
 *
 *   bench-ceremony run  PORT N THREADS CARD TCKN
 *       N complete login ceremonies, THREADS at a time: browser session ->
 *       signing start -> claim -> CAdES signature on the SoftHSM card
 *       (p11 + cades, in this process; SOFTHSM2_CONF must be set) ->
 *       submit, while the browser's GET /api/v1/signing/wait?state=code_used
 *       is parked; its answer must say signed and authenticated.  Prints
 *       ceremonies/s and the wake latency (see below) as key=value lines.
 *
 *   bench-ceremony sign CARD SECONDS
 *       The application's limit: CAdES signatures of a short text per
 *       second on the SoftHSM card, in this process, as run signs them
 *       (one at a time).  Prints signs/s.
 *
 *   bench-ceremony park PORT N PID TCKN [keepalive] [cookies]
 *       Creates N browser sessions each with a login signing session, then
 *       parks N browsers at once on GET /api/v1/signing/wait?state=waiting
 *       (non-blocking sockets, epoll, raw HTTP/1.1 with the cookie and
 *       Chromium's other headers; with cookies, 2 KB of other cookies
 *       too).  Each wait is the first request on its connection, or with
 *       keepalive the second, after a GET /api/v1/session on the same
 *       connection (libmicrohttpd's pool was used and reset once then).  Reads
 *       eonayd's VmRSS (/proc/PID/status) before and while they wait,
 *       wakes every one by claiming its code, and checks that each gets
 *       its answer (state code_used).  Prints key=value lines.
 *
 * Wake latency: the page learns the outcome when its parked GET returns.
 * Both sockets are watched together, so each completion time is exact:
 *   wake_after_submit = GET answered - submit answered (can be < 0: the
 *                       server wakes the page before it answers the app);
 *   submit_to_page    = GET answered - submit request sent (verification
 *                       of the signature included).
 * Loopback only: PORT is on 127.0.0.1.  The HTTP client and the browser's
 * steps are in bench-client.c. */
#include <arpa/inet.h>
#include <errno.h>
#include <jansson.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdarg.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/x509v3.h>

#include "bench/bench-client.h"
#include "common/util.h"
#include "pki/cades.h"
#include "pki/p11.h"
#include "tests/chromium-wait.h"

#define CARD_PIN "123456"

/* ---- the application's side ------------------------------------------ */

static pthread_mutex_t card_lock = PTHREAD_MUTEX_INITIALIZER;
static EVP_PKEY *card_key;
static X509 *card_cert;
static unsigned card_errors;

static void card_open(const char *label)
{
	struct p11_cert_info *certs = NULL;
	struct p11_ctx *p11 = NULL;
	size_t n = 0;
	int r;

	r = p11_open(NULL, &p11);
	if (r < 0)
		die("p11_open: %s (is SOFTHSM2_CONF set?)", strerror(-r));
	r = p11_certs_list(p11, &certs, &n);
	if (r < 0)
		die("p11_certs_list: %s", strerror(-r));
	for (size_t i = 0; i < n && !card_key; i++) {
		if (!streq(certs[i].token_label, label) || X509_check_ca(certs[i].cert) > 0)
			continue;
		r = p11_key_open(p11, label, CARD_PIN, certs[i].cert, &card_key);
		if (r < 0)
			die("p11_key_open %s: %s", label, strerror(-r));
		card_cert = X509_dup(certs[i].cert);
	}
	if (!card_key)
		die("no holder certificate on card %s", label);
	p11_cert_info_free_array(certs, n);
	/* p11 stays open for the life of the process: the key refers to it. */
}

static char *card_sign(const char *text)
{
	unsigned char *der = NULL;
	size_t len = 0;
	char *b64 = NULL;
	int r;

	pthread_mutex_lock(&card_lock);
	r = cades_sign(card_key, card_cert, NULL, text, strlen(text), &der, &len);
	if (r < 0) {	/* counted and tried once more */
		card_errors++;
		r = cades_sign(card_key, card_cert, NULL, text, strlen(text), &der, &len);
	}
	pthread_mutex_unlock(&card_lock);
	if (r < 0)
		die("cades_sign: %s", strerror(-r));
	if (base64_encode(der, len, &b64) < 0)
		die("base64");
	free(der);
	return b64;
}

/* ---- run: ceremonies per second -------------------------------------- */

struct worker {
	pthread_t thread;
	unsigned n;
	double *wake, *to_page;	/* per ceremony, ms */
	unsigned ok, not_parked, wait_errors;
	char last_error[256];
};

static void *ceremony_worker(void *arg)
{
	struct worker *w = arg;
	struct hconn web = { .fd = -1 }, app = { .fd = -1 };

	for (unsigned i = 0; i < w->n; i++) {
		struct browser b;
		struct hconn wait = { .fd = -1 };
		struct hresp sr, wr;
		char token[160], req[1024], *text = NULL, *sig, *body;
		struct pollfd pfd;
		uint64_t t_sent, t_sub = 0, t_page = 0;
		int n;
		json_t *o;

		browser_start(&web, &b);
		claim(&app, &b, token, sizeof(token), &text);

		/* The page waits for the next state after code_used. */
		wait.fd = tcp_connect(false);
		n = wait_request(&b, "code_used", req, sizeof(req));
		write_all(wait.fd, req, (size_t)n);

		sig = card_sign(text);
		body = strdup_printf("{\"token\":\"%s\",\"signatures\":[\"%s\"]}", token, sig);
		free(sig);
		free(text);
		pfd = (struct pollfd){ .fd = wait.fd, .events = POLLIN };
		if (poll(&pfd, 1, 0) != 0)
			w->not_parked++;	/* answered before the submit */

		/* Submit, then watch both sockets until both answers are in. */
		if (app.fd < 0)
			app.fd = tcp_connect(false);
		app.len = 0;
		n = snprintf(req, sizeof(req),
			     "POST /api/v1/app/submit HTTP/1.1\r\nHost: 127.0.0.1\r\n"
			     "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
			     strlen(body));
		t_sent = now_us();
		write_all(app.fd, req, (size_t)n);
		write_all(app.fd, body, strlen(body));
		free(body);
		while (!t_sub || !t_page) {
			struct pollfd p[2] = { { .fd = app.fd, .events = POLLIN },
					       { .fd = wait.fd, .events = POLLIN } };
			if (poll(p, 2, 30000) <= 0)
				die("no answer within 30 s (submit %s, wait %s)", t_sub ? "in" : "missing",
				    t_page ? "in" : "missing");
			if (!t_sub && p[0].revents) {
				size_t sz = hconn_read(&app, &sr);
				if (sz == (size_t)-1)
					die("submit: connection closed");
				if (sz)
					t_sub = now_us();
			}
			if (!t_page && p[1].revents) {
				size_t sz = hconn_read(&wait, &wr);
				if (sz == (size_t)-1)
					die("wait: connection closed without an answer");
				if (sz)
					t_page = now_us();
			}
		}
		o = json_body(&sr, "POST /api/v1/app/submit", 200);
		if (!streq(jstr(o, "result"), "signed"))
			die("submit: %s", sr.body);
		json_decref(o);
		hconn_close(&wait);
		/* The page must be told: signed, and logged in.  A wrong answer
		 * is counted (and the ceremony left out of the latencies). */
		o = wr.status == 200 ? json_loads(wr.body, 0, NULL) : NULL;
		if (!o || !streq(json_string_value(json_object_get(o, "state")) ?: "", "signed") ||
		    !json_is_true(json_object_get(o, "authenticated"))) {
			w->wait_errors++;
			snprintf(w->last_error, sizeof(w->last_error), "HTTP %d %s", wr.status,
				 wr.body);
			json_decref(o);
			continue;
		}
		json_decref(o);
		w->wake[w->ok] = ((double)t_page - (double)t_sub) / 1000.0;
		w->to_page[w->ok] = ((double)t_page - (double)t_sent) / 1000.0;
		w->ok++;
	}
	hconn_close(&web);
	hconn_close(&app);
	return NULL;
}

static int cmd_run(unsigned n, unsigned threads, const char *card)
{
	struct worker *w = calloc(threads, sizeof(*w));
	double *wake = calloc(n, sizeof(double)), *to_page = calloc(n, sizeof(double));
	double *wk = calloc(n, sizeof(double)), *tp = calloc(n, sizeof(double));
	unsigned done = 0, not_parked = 0, wait_errors = 0, ok = 0;
	uint64_t t0, t1;

	if (!w || !wake || !to_page)
		die("out of memory");
	card_open(card);
	free(card_sign("warm-up"));
	t0 = now_us();
	for (unsigned i = 0; i < threads; i++) {
		w[i].n = n / threads + (i < n % threads);
		w[i].wake = wake + done;
		w[i].to_page = to_page + done;
		done += w[i].n;
		if (pthread_create(&w[i].thread, NULL, ceremony_worker, &w[i]) != 0)
			die("pthread_create");
	}
	for (unsigned i = 0; i < threads; i++) {
		pthread_join(w[i].thread, NULL);
		not_parked += w[i].not_parked;
		wait_errors += w[i].wait_errors;
		memcpy(wk + ok, w[i].wake, w[i].ok * sizeof(double));
		memcpy(tp + ok, w[i].to_page, w[i].ok * sizeof(double));
		ok += w[i].ok;
		if (w[i].wait_errors)
			fprintf(stderr, "bench-ceremony: wrong wait answer (%u): %s\n",
				w[i].wait_errors, w[i].last_error);
	}
	t1 = now_us();
	if (ok == 0)
		die("no ceremony completed");
	wake = wk;
	to_page = tp;
	n = ok;
	qsort(wake, n, sizeof(double), cmp_double);
	qsort(to_page, n, sizeof(double), cmp_double);
	printf("ceremonies=%u threads=%u secs=%.2f per_sec=%.1f\n", n, threads,
	       (double)(t1 - t0) / 1e6, (double)n * 1e6 / (double)(t1 - t0));
	printf("wake_after_submit_ms p50=%.3f p99=%.3f max=%.3f\n", pct(wake, n, 0.5),
	       pct(wake, n, 0.99), wake[n - 1]);
	printf("submit_to_page_ms p50=%.3f p99=%.3f max=%.3f\n", pct(to_page, n, 0.5),
	       pct(to_page, n, 0.99), to_page[n - 1]);
	printf("not_parked_before_submit=%u wait_errors=%u card_errors=%u\n", not_parked,
	       wait_errors, card_errors);
	return wait_errors ? 3 : 0;
}

/* ---- park: memory of N waiting browsers ------------------------------- */

static struct browser *browsers;
static uint64_t *claimed_at, *answered_at;

struct setup_job {
	pthread_t thread;
	unsigned from, to;
};

static void *setup_worker(void *arg)
{
	struct setup_job *j = arg;
	struct hconn c = { .fd = -1 };

	for (unsigned i = j->from; i < j->to; i++)
		browser_start(&c, &browsers[i]);
	hconn_close(&c);
	return NULL;
}

static void *claim_worker(void *arg)
{
	struct setup_job *j = arg;
	struct hconn c = { .fd = -1 };
	char token[160];

	for (unsigned i = j->from; i < j->to; i++) {
		claim(&c, &browsers[i], token, sizeof(token), NULL);
		claimed_at[i] = now_us();
	}
	hconn_close(&c);
	return NULL;
}

static void run_jobs(unsigned n, unsigned threads, void *(*fn)(void *))
{
	struct setup_job j[16];

	for (unsigned i = 0; i < threads; i++) {
		j[i].from = (unsigned)((uint64_t)n * i / threads);
		j[i].to = (unsigned)((uint64_t)n * (i + 1) / threads);
		if (pthread_create(&j[i].thread, NULL, fn, &j[i]) != 0)
			die("pthread_create");
	}
	for (unsigned i = 0; i < threads; i++)
		pthread_join(j[i].thread, NULL);
}

static void *claim_all(void *arg)
{
	run_jobs(*(unsigned *)arg, 2, claim_worker);
	return NULL;
}

struct proc_mem {
	long rss_kb, hwm_kb, threads, fds;
};

static void proc_mem(long pid, struct proc_mem *m)
{
	char path[64], line[256];
	FILE *f;

	memset(m, 0, sizeof(*m));
	snprintf(path, sizeof(path), "/proc/%ld/status", pid);
	f = fopen(path, "r");
	if (!f)
		die("%s: %m", path);
	while (fgets(line, sizeof(line), f)) {
		sscanf(line, "VmRSS: %ld", &m->rss_kb);
		sscanf(line, "VmHWM: %ld", &m->hwm_kb);
		sscanf(line, "Threads: %ld", &m->threads);
	}
	fclose(f);
	snprintf(path, sizeof(path), "/proc/%ld/fd", pid);
	{
		char cmd[96];
		snprintf(cmd, sizeof(cmd), "ls %s | wc -l", path);
		f = popen(cmd, "r");
		if (f) {
			if (fscanf(f, "%ld", &m->fds) != 1)
				m->fds = -1;
			pclose(f);
		}
	}
}

static void print_mem(const char *what, const struct proc_mem *m)
{
	printf("mem %s rss_kb=%ld hwm_kb=%ld threads=%ld fds=%ld\n", what, m->rss_kb, m->hwm_kb,
	       m->threads, m->fds);
	fflush(stdout);
}

struct pconn {
	int fd;
	unsigned idx;
	size_t wpos, wlen;
	char req[8192];
	struct hconn in;
	bool answered;
	bool first_pending;	/* keepalive: the session answer not read yet */
	bool reopened;		/* keepalive: the wait was sent again on a new connection */
};

static bool keepalive;
static unsigned reopened, lost;

/* keepalive: the wait, second on its connection, was answered at once
 * and the connection closes (eonayd parks a wait only as the first
 * request on its connection); as the page does, send it again on a new
 * connection.  False when c was already reopened (then it is an early
 * answer). */
static bool reopen(int ep, struct pconn *c)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
	size_t n;

	if (!keepalive || c->first_pending || c->reopened)
		return false;
	epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	free(c->in.buf);
	memset(&c->in, 0, sizeof(c->in));
	c->reopened = true;
	reopened++;
	c->fd = tcp_connect(false);
	n = (size_t)wait_request(&browsers[c->idx], "waiting", c->req, sizeof(c->req));
	write_all(c->fd, c->req, n);
	c->in.fd = c->fd;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		die("epoll_ctl: %m");
	return true;
}

/* keepalive: reads the answer to the first request; true when the event
 * was for it (it may come in pieces), false when it is the wait's. */
static bool first_answer(struct pconn *c)
{
	size_t sz;

	if (!c->first_pending)
		return false;
	sz = hconn_read(&c->in, NULL);
	if (sz == 0)
		return true;
	if (sz == (size_t)-1 || sz > c->in.len) {
		/* Closed without an answer: counted, and it never answers. */
		fprintf(stderr, "keepalive: no first answer on connection %u\n", c->idx);
		lost++;
		c->first_pending = false;
		c->answered = true;
		close(c->fd);	/* out of the epoll set too */
		c->fd = c->in.fd = -1;
		return true;
	}
	c->first_pending = false;
	if (sz < c->in.len) {	/* the wait's answer came with it */
		memmove(c->in.buf, c->in.buf + sz, c->in.len - sz);
		c->in.len -= sz;
		return false;
	}
	c->in.len = 0;
	return true;
}

/* How many browsers wait now, from eonayd's /healthz (parked in
 * libmicrohttpd; "held" is 0 since the acceptor only accepts). */
static void waiting_counts(long *ret_held, long *ret_parked)
{
	struct hconn hc = { .fd = -1 };
	struct hresp r;
	json_t *o, *w;

	hconn_request(&hc, "GET", "/healthz", NULL, NULL, &r);
	o = json_body(&r, "GET /healthz", 200);
	w = json_object_get(o, "waiting");
	*ret_held = 0;
	*ret_parked = (long)json_integer_value(json_object_get(w, "parked"));
	json_decref(o);
	hconn_close(&hc);
}

/* eonayd's connection books (/healthz), on a line that starts with
 * label: connections open (handed to libmicrohttpd and not reported
 * closed), accepted, shed at its budget (the oldest of the address with
 * the most: all browsers here come from 127.0.0.1) and refused. */
static void print_books(const char *label)
{
	struct hconn hc = { .fd = -1 };
	struct hresp r;
	json_t *o, *c;

	hconn_request(&hc, "GET", "/healthz", NULL, NULL, &r);
	o = json_body(&r, "GET /healthz", 200);
	c = json_object_get(o, "connections");
	printf("%s budget=%lld open=%lld accepted=%lld shed=%lld refused_full=%lld"
	       " refused_per_client=%lld\n", label,
	       (long long)json_integer_value(json_object_get(c, "budget")),
	       (long long)json_integer_value(json_object_get(c, "open")),
	       (long long)json_integer_value(json_object_get(c, "accepted")),
	       (long long)json_integer_value(json_object_get(c, "shed")),
	       (long long)json_integer_value(json_object_get(c, "refused_full")),
	       (long long)json_integer_value(json_object_get(c, "refused_per_client")));
	json_decref(o);
	hconn_close(&hc);
}

static int cmd_park(unsigned n, long pid)
{
	unsigned bad_shown = 0;
	long held = 0, parked = 0;
	struct pconn *pc = calloc(n, sizeof(*pc));
	struct proc_mem m0, m1, m2, m3;
	unsigned written = 0, answered = 0, good = 0, early = 0, opened = 0, connecting = 0;
	double *lat = calloc(n, sizeof(double));
	uint64_t t0, t_parked, t_claims_start, deadline;
	long last_rss = 0;
	int ep, stable = 0;

	browsers = calloc(n, sizeof(*browsers));
	claimed_at = calloc(n, sizeof(uint64_t));
	answered_at = calloc(n, sizeof(uint64_t));
	if (!pc || !lat || !browsers || !claimed_at || !answered_at)
		die("out of memory");

	proc_mem(pid, &m0);
	print_mem("idle", &m0);
	t0 = now_us();
	run_jobs(n, 4, setup_worker);
	printf("setup sessions=%u secs=%.2f\n", n, (double)(now_us() - t0) / 1e6);
	sleep(1);
	proc_mem(pid, &m1);
	print_mem("sessions_created", &m1);

	/* Park them all: connect (at most 512 handshakes at a time), send the
	 * request, then wait for the answers. */
	ep = epoll_create1(EPOLL_CLOEXEC);
	t0 = now_us();
	while (written < n) {
		struct epoll_event evs[512];
		int k;

		while (opened < n && connecting < 512) {
			struct pconn *c = &pc[opened];
			struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
			c->idx = opened;
			c->in.fd = -1;
			c->fd = tcp_connect(true);
			c->wlen = 0;
			if (keepalive) {
				/* One request first, so that the wait comes second on
				 * the connection (sent at once: pipelined). */
				c->wlen = (size_t)snprintf(c->req, sizeof(c->req),
							   "GET /api/v1/session HTTP/1.1\r\n"
							   CHROMIUM_WAIT_HEADERS "Cookie: %s%s\r\n\r\n",
							   cookies_2k ? CHROMIUM_OTHER_COOKIES_2K : "",
							   browsers[opened].cookie);
				c->first_pending = true;
			}
			c->wlen += (size_t)wait_request(&browsers[opened], "waiting", c->req + c->wlen,
							sizeof(c->req) - c->wlen);
			if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
				die("epoll_ctl: %m");
			opened++;
			connecting++;
		}
		k = epoll_wait(ep, evs, 512, 1000);
		for (int i = 0; i < k; i++) {
			struct pconn *c = evs[i].data.ptr;
			struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
			ssize_t wr;
			int err = 0;
			socklen_t l = sizeof(err);

			if (c->wpos == c->wlen) {	/* an answer already: not parked */
				if (first_answer(c) || reopen(ep, c))
					continue;
				early++;
				ev.events = 0;
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
				continue;
			}
			getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
			if (err)
				die("connect %u: %s", c->idx, strerror(err));
			wr = write(c->fd, c->req + c->wpos, c->wlen - c->wpos);
			if (wr < 0 && errno == EAGAIN)
				continue;
			if (wr <= 0)
				die("write: %m");
			c->wpos += (size_t)wr;
			if (c->wpos == c->wlen) {
				written++;
				connecting--;
				c->in.fd = c->fd;
				epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
			}
		}
	}
	t_parked = now_us();
	printf("park connections=%u secs=%.2f\n", n, (double)(t_parked - t0) / 1e6);
	/* Let eonayd read and park them: wait until it says all of them wait
	 * and its RSS stops moving (at most 20 s). */
	for (int i = 0; i < 80 && stable < 4; i++) {
		struct epoll_event evs[512];
		int k = epoll_wait(ep, evs, 512, 250);
		for (int j = 0; j < k; j++) {	/* answered while it should wait */
			struct pconn *c = evs[j].data.ptr;
			struct epoll_event ev = { .events = 0, .data.ptr = c };
			if (first_answer(c) || reopen(ep, c))
				continue;
			early++;
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		}
		proc_mem(pid, &m2);
		waiting_counts(&held, &parked);
		if (held + parked >= (long)n && labs(m2.rss_kb - last_rss) * 200 < m2.rss_kb)
			stable++;
		else
			stable = 0;
		last_rss = m2.rss_kb;
	}
	proc_mem(pid, &m2);
	print_mem("parked", &m2);
	printf("early_answers=%u reopened=%u lost=%u\n", early, reopened, lost);
	waiting_counts(&held, &parked);
	printf("waiting held=%ld parked=%ld\n", held, parked);
	print_books("books_while_parked");
	if (early) {
		/* Re-arm them for reading so they count below. */
		for (unsigned i = 0; i < n; i++) {
			struct epoll_event ev = { .events = EPOLLIN, .data.ptr = &pc[i] };
			epoll_ctl(ep, EPOLL_CTL_MOD, pc[i].fd, &ev);
		}
	}

	/* Wake them all: claiming a code moves its session to code_used; the
	 * claims run in two threads while this one collects the answers. */
	t_claims_start = now_us();
	{
		static unsigned n_static;
		pthread_t th;

		n_static = n;
		if (pthread_create(&th, NULL, claim_all, &n_static) != 0)
			die("pthread_create");
		deadline = now_us() + 60000000u;
		while (answered < n && now_us() < deadline) {
			struct epoll_event evs[512];
			int k = epoll_wait(ep, evs, 512, 200);
			for (int i = 0; i < k; i++) {
				struct pconn *c = evs[i].data.ptr;
				struct hresp r;
				size_t sz;

				if (c->answered || first_answer(c))
					continue;
				sz = hconn_read(&c->in, &r);
				if (sz == 0)
					continue;
				c->answered = true;
				answered++;
				answered_at[c->idx] = now_us();
				epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
				if (sz != (size_t)-1 && r.status == 200 &&
				    strstr(r.body, "\"state\":\"code_used\""))
					good++;
				else if (bad_shown++ < 3)
					fprintf(stderr, "bad answer on connection %u: %s\n", c->idx,
						sz == (size_t)-1 ? "(closed)" : r.body);
				close(c->fd);
				free(c->in.buf);
			}
		}
		pthread_join(th, NULL);
	}
	{
		uint64_t last = 0;
		size_t m = 0;
		for (unsigned i = 0; i < n; i++) {
			if (!answered_at[i])
				continue;
			if (answered_at[i] > last)
				last = answered_at[i];
			lat[m++] = ((double)answered_at[i] - (double)claimed_at[i]) / 1000.0;
		}
		qsort(lat, m, sizeof(double), cmp_double);
		printf("wake answered=%u good=%u of=%u secs=%.2f\n", answered, good, n,
		       (double)(last - t_claims_start) / 1e6);
		if (m)
			printf("wake_after_claim_ms p50=%.3f p99=%.3f max=%.3f\n", pct(lat, m, 0.5),
			       pct(lat, m, 0.99), lat[m - 1]);
	}
	print_books("connections");
	sleep(1);
	proc_mem(pid, &m3);
	print_mem("after", &m3);
	return good == n && early == 0 ? 0 : 1;
}

/* ---- sign: the application's limit ------------------------------------ */

static int cmd_sign(const char *card, double secs)
{
	uint64_t t0, t1;
	unsigned n = 0;

	card_open(card);
	free(card_sign("warm-up"));
	t0 = now_us();
	do {
		free(card_sign("Giriş: 2026-12-01 15:00:00 bench"));
		n++;
		t1 = now_us();
	} while ((double)(t1 - t0) < secs * 1e6);
	printf("signs=%u secs=%.2f per_sec=%.1f card_errors=%u\n", n, (double)(t1 - t0) / 1e6,
	       (double)n * 1e6 / (double)(t1 - t0), card_errors);
	return 0;
}

int main(int argc, char **argv)
{
	unsigned n;

	if (argc == 4 && streq(argv[1], "sign"))
		return cmd_sign(argv[2], atof(argv[3]));
	if (argc < 6 || (!streq(argv[1], "run") && !streq(argv[1], "park"))) {
		fprintf(stderr, "usage: bench-ceremony run PORT N THREADS CARD TCKN\n"
				"       bench-ceremony park PORT N PID TCKN\n"
				"       bench-ceremony sign CARD SECONDS\n");
		return 2;
	}
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(argv[2]));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	n = (unsigned)strtoul(argv[3], NULL, 10);
	if (n == 0)
		die("N must be at least 1");
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (streq(argv[1], "run")) {
		unsigned t = (unsigned)strtoul(argv[4], NULL, 10);
		if (argc < 7)
			die("run needs PORT N THREADS CARD TCKN");
		tckn = argv[6];
		return cmd_run(n, t ? t : 1, argv[5]);
	}
	tckn = argv[5];
	for (int i = 6; i < argc; i++) {
		keepalive |= streq(argv[i], "keepalive");
		cookies_2k |= streq(argv[i], "cookies");
	}
	return cmd_park(n, strtol(argv[4], NULL, 10));
}
