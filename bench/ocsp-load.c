/* ocsp-load.c - a small closed-loop HTTP load generator for OCSP
 * responders, used by bench/ocsp.
 *
 *   ocsp-load HOST PORT PATH REQ.der CONNS MAX_REQUESTS MAX_SECONDS [get]
 *
 * CONNS connections each send the same OCSP request (POST PATH with
 * application/ocsp-request, or with "get" GET PATH/BASE64) one after the
 * other over HTTP/1.1 keep-alive; a connection the server closes after an
 * answer (e.g. `openssl ocsp` without keep-alive) is opened again and the
 * connect time counts in that request's latency.  Stops after
 * MAX_REQUESTS answers or MAX_SECONDS, whichever comes first.
 *
 * An answer counts as good when it is HTTP 200 and its body is an
 * OCSPResponse whose responseStatus is successful (0).  Prints one line:
 *   ok=N errors=N secs=S rps=R p50_ms=A p99_ms=B max_ms=C connections=N
 * One thread, epoll, loopback only (HOST must be a numeric IPv4 address).
 * On a kept-alive connection the next request is written as soon as the
 * answer is read, without waiting for epoll to say it is writable (two
 * epoll_ctl calls a request less: the generator shares the cores with the
 * responder it measures). */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

struct conn {
	int fd;
	bool connecting;
	size_t wpos;
	char *rbuf;
	size_t rlen, rcap;
	uint64_t t0;		/* start of the current request (µs) */
};

static struct sockaddr_in addr;
static char *request;		/* the full HTTP request */
static size_t request_len;
static uint32_t *lat;		/* latencies, µs */
static unsigned long n_ok, n_err, n_sent, n_conns, max_req;
static uint64_t deadline;
static int ep;

static uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static bool may_send(void)
{
	return n_sent < max_req && now_us() < deadline;
}

static void conn_open(struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };
	int one = 1;

	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		die("socket");
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) < 0 && errno != EINPROGRESS)
		die("connect");
	c->connecting = true;
	c->wpos = 0;
	c->rlen = 0;
	n_conns++;
	if (epoll_ctl(ep, EPOLL_CTL_ADD, c->fd, &ev) < 0)
		die("epoll_ctl");
}

static void conn_close(struct conn *c)
{
	if (c->fd >= 0) {
		epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
	}
	c->fd = -1;
}

/* Writes what is left of the request; true when all of it is out (or
 * the write failed: the read then sees the connection's end). */
static bool send_rest(struct conn *c)
{
	while (c->wpos < request_len) {
		ssize_t w = write(c->fd, request + c->wpos, request_len - c->wpos);

		if (w < 0 && errno == EAGAIN)
			return false;
		if (w <= 0)
			return true;
		c->wpos += (size_t)w;
	}
	return true;
}

/* Starts the next request on c (opening it when closed), or parks it. */
static void next_request(struct conn *c, bool closed)
{
	struct epoll_event ev = { .events = EPOLLOUT, .data.ptr = c };

	if (!may_send()) {
		conn_close(c);
		return;
	}
	n_sent++;
	c->t0 = now_us();
	if (closed) {
		conn_close(c);
		conn_open(c);
		return;
	}
	c->wpos = 0;
	c->rlen = 0;
	/* A kept-alive connection is writable: the request goes out at once,
	 * without a round through epoll (it stays registered for input). */
	if (!send_rest(c))
		epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* 1 when rbuf holds a whole answer (*ret_close: the server will close),
 * 0 when more is needed.  Without Content-Length the body runs to EOF. */
static int answer_complete(struct conn *c, bool eof, size_t *ret_body, size_t *ret_blen,
			   bool *ret_close)
{
	char *end, *p;
	long clen = -1;

	if (c->rlen == 0)
		return 0;
	c->rbuf[c->rlen] = '\0';
	end = strstr(c->rbuf, "\r\n\r\n");
	if (!end)
		return 0;
	*ret_close = strncmp(c->rbuf, "HTTP/1.0", 8) == 0;
	for (p = strstr(c->rbuf, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n")) {
		if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
			clen = strtol(p + 17, NULL, 10);
		else if (strncasecmp(p + 2, "Connection:", 11) == 0) {
			const char *v = p + 13;
			while (*v == ' ')
				v++;
			if (strncasecmp(v, "close", 5) == 0)
				*ret_close = true;
			else if (strncasecmp(v, "keep-alive", 10) == 0)
				*ret_close = false;
		}
	}
	*ret_body = (size_t)(end + 4 - c->rbuf);
	if (clen < 0) {
		*ret_close = true;
		*ret_blen = c->rlen - *ret_body;
		return eof;
	}
	*ret_blen = (size_t)clen;
	return c->rlen >= *ret_body + (size_t)clen;
}

/* HTTP 200 and an OCSPResponse with responseStatus successful. */
static bool answer_good(const struct conn *c, size_t body, size_t blen)
{
	const unsigned char *b = (const unsigned char *)c->rbuf + body;
	size_t i = 2;

	if (strncmp(c->rbuf + 8, " 200 ", 5) != 0 || blen < 5 || b[0] != 0x30)
		return false;
	if (b[1] & 0x80)
		i += b[1] & 0x7f;
	return i + 3 <= blen && b[i] == 0x0a && b[i + 1] == 0x01 && b[i + 2] == 0x00;
}

static void on_event(struct conn *c, uint32_t events)
{
	if (c->connecting) {
		int err = 0;
		socklen_t l = sizeof(err);

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &l);
		if (err) {
			n_err++;
			next_request(c, true);
			return;
		}
		c->connecting = false;
	}
	if (c->wpos < request_len) {
		ssize_t w = write(c->fd, request + c->wpos, request_len - c->wpos);
		if (w < 0 && errno == EAGAIN)
			return;
		if (w <= 0) {
			n_err++;
			next_request(c, true);
			return;
		}
		c->wpos += (size_t)w;
		if (c->wpos == request_len) {
			struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.ptr = c };
			epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
		}
		return;
	}
	for (;;) {
		size_t body = 0, blen = 0;
		bool eof = false, close_after = false;
		ssize_t r;
		int done;

		if (c->rcap - c->rlen < 4097) {
			c->rcap = c->rcap * 2 + 8192;
			c->rbuf = realloc(c->rbuf, c->rcap);
			if (!c->rbuf)
				die("realloc");
		}
		r = read(c->fd, c->rbuf + c->rlen, c->rcap - c->rlen - 1);
		if (r < 0 && errno == EAGAIN)
			return;
		if (r > 0)
			c->rlen += (size_t)r;
		else
			eof = true;
		done = answer_complete(c, eof, &body, &blen, &close_after);
		if (done) {
			uint64_t t = now_us();
			if (answer_good(c, body, blen)) {
				lat[n_ok++] = (uint32_t)(t - c->t0);
			} else
				n_err++;
			next_request(c, close_after || eof);
			return;
		}
		if (eof) {
			n_err++;	/* closed mid-answer */
			next_request(c, true);
			return;
		}
	}
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
	unsigned char *der;
	size_t der_len;
	unsigned long nconns;
	struct conn *conns;
	bool get;
	uint64_t start, end;
	double secs;
	FILE *f;

	if (argc < 8) {
		fprintf(stderr, "usage: ocsp-load HOST PORT PATH REQ.der CONNS MAX_REQUESTS "
				"MAX_SECONDS [get]\n");
		return 2;
	}
	get = argc > 8 && strcmp(argv[8], "get") == 0;
	addr.sin_family = AF_INET;
	addr.sin_port = htons((uint16_t)atoi(argv[2]));
	if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1)
		die("inet_pton");
	f = fopen(argv[4], "rb");
	if (!f)
		die(argv[4]);
	der = malloc(65536);
	der_len = fread(der, 1, 65536, f);
	fclose(f);
	nconns = strtoul(argv[5], NULL, 10);
	max_req = strtoul(argv[6], NULL, 10);
	lat = calloc(max_req + 1, sizeof(*lat));
	conns = calloc(nconns, sizeof(*conns));
	request = malloc(der_len * 2 + 1024);
	if (!der || !lat || !conns || !request)
		die("malloc");
	if (get) {
		/* RFC 6960 A.1: base64 of the DER, URL-encoded. */
		char b64[8192], enc[16384], *o = enc;
		int n = EVP_EncodeBlock((unsigned char *)b64, der, (int)der_len);
		for (int i = 0; i < n; i++) {
			if (b64[i] == '+' || b64[i] == '/' || b64[i] == '=')
				o += sprintf(o, "%%%02X", (unsigned char)b64[i]);
			else
				*o++ = b64[i];
		}
		*o = '\0';
		request_len = (size_t)sprintf(request,
			"GET %s/%s HTTP/1.1\r\nHost: %s:%s\r\nConnection: keep-alive\r\n\r\n",
			argv[3], enc, argv[1], argv[2]);
	} else {
		request_len = (size_t)sprintf(request,
			"POST %s HTTP/1.1\r\nHost: %s:%s\r\nContent-Type: application/ocsp-request\r\n"
			"Content-Length: %zu\r\nConnection: keep-alive\r\n\r\n",
			argv[3], argv[1], argv[2], der_len);
		memcpy(request + request_len, der, der_len);
		request_len += der_len;
	}

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0)
		die("epoll_create1");
	start = now_us();
	deadline = start + (uint64_t)(atof(argv[7]) * 1e6);
	for (unsigned long i = 0; i < nconns; i++) {
		conns[i].fd = -1;
		if (may_send()) {
			n_sent++;
			conns[i].t0 = now_us();
			conn_open(&conns[i]);
		}
	}
	/* Runs until every answer is in (or 5 s past the deadline). */
	while (n_ok + n_err < n_sent && now_us() < deadline + 5000000u) {
		struct epoll_event evs[256];
		int n = epoll_wait(ep, evs, 256, 100);

		for (int i = 0; i < n; i++)
			on_event(evs[i].data.ptr, evs[i].events);
	}
	end = now_us();
	n_err += n_sent - n_ok - n_err;	/* unanswered */
	secs = (double)(end - start) / 1e6;
	qsort(lat, n_ok, sizeof(*lat), cmp_u32);
	printf("ok=%lu errors=%lu secs=%.2f rps=%.0f p50_ms=%.3f p99_ms=%.3f max_ms=%.3f "
	       "connections=%lu\n",
	       n_ok, n_err, secs, (double)n_ok / secs,
	       n_ok ? lat[n_ok / 2] / 1000.0 : 0.0,
	       n_ok ? lat[(size_t)((double)n_ok * 0.99)] / 1000.0 : 0.0,
	       n_ok ? lat[n_ok - 1] / 1000.0 : 0.0, n_conns);
	return n_ok > 0 && n_err == 0 ? 0 : 1;
}
