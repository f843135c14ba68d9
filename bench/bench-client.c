/* bench-client.c - the HTTP/1.1 client and the browser's and the
 * application's steps shared by bench-ceremony.c and bench-wake.c (see
 * bench-client.h).  Blocking or non-blocking sockets to 127.0.0.1 only;
 * any unexpected answer ends the program (die). */
#include "bench/bench-client.h"

#include <errno.h>
#include <netinet/tcp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "common/util.h"
#include "tests/chromium-wait.h"

struct sockaddr_in addr;
const char *tckn;

uint64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "bench-ceremony: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	exit(1);
}

/* ---- a minimal HTTP/1.1 client ---------------------------------------- */

int tcp_connect_port(int port, bool nonblock)
{
	int one = 1, fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0);
	struct sockaddr_in a = addr;

	if (fd < 0)
		die("socket: %m");
	if (port)
		a.sin_port = htons((uint16_t)port);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 && errno != EINPROGRESS)
		die("connect: %m");
	return fd;
}

int tcp_connect(bool nonblock)
{
	return tcp_connect_port(0, nonblock);
}

void write_all(int fd, const char *s, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			die("write: %m");
		s += w;
		n -= (size_t)w;
	}
}

/* Whole answer in buf[0..len)?  Returns its total size, or 0. */
static size_t answer_size(char *buf, size_t len, struct hresp *r)
{
	char *end, *p;
	size_t hdr;
	long clen = 0;

	buf[len] = '\0';
	end = strstr(buf, "\r\n\r\n");
	if (!end)
		return 0;
	hdr = (size_t)(end + 4 - buf);
	for (p = strstr(buf, "\r\n"); p && p < end; p = strstr(p + 2, "\r\n"))
		if (strncasecmp(p + 2, "Content-Length:", 15) == 0)
			clen = strtol(p + 17, NULL, 10);
	if (len < hdr + (size_t)clen)
		return 0;
	if (r) {
		r->status = atoi(buf + 9);
		r->headers = buf;
		r->body = end + 4;
		r->body_len = (size_t)clen;
	}
	return hdr + (size_t)clen;
}

/* Reads once into c; returns the answer's size when complete, 0 when more
 * is needed; dies on EOF before the end. */
size_t hconn_read(struct hconn *c, struct hresp *r)
{
	ssize_t n;
	size_t sz;

	if (c->cap - c->len < 4097) {
		c->cap = c->cap * 2 + 16384;
		c->buf = realloc(c->buf, c->cap);
		if (!c->buf)
			die("out of memory");
	}
	n = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return 0;
	if (n <= 0)
		return (size_t)-1;
	c->len += (size_t)n;
	sz = answer_size(c->buf, c->len, r);
	if (sz && r)
		r->body[r->body_len] = '\0';	/* the next answer's byte; none with Connection: close */
	return sz;
}

/* One request on a keep-alive connection (reopened when the server closed
 * it).  The answer stays valid until the next request on c. */
void hconn_request(struct hconn *c, const char *method, const char *path,
			  const char *extra_headers, const char *body, struct hresp *r)
{
	char head[2048];
	size_t blen = body ? strlen(body) : 0;
	int n, tries = 0;

again:
	if (c->fd < 0)
		c->fd = tcp_connect_port(c->port, false);
	c->len = 0;
	n = snprintf(head, sizeof(head),
		     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%sContent-Length: %zu\r\n\r\n", method,
		     path, extra_headers ? extra_headers : "",
		     body ? "Content-Type: application/json\r\n" : "", blen);
	write_all(c->fd, head, (size_t)n);
	if (blen)
		write_all(c->fd, body, blen);
	for (;;) {
		size_t sz = hconn_read(c, r);
		if (sz == (size_t)-1) {
			close(c->fd);
			c->fd = -1;
			if (c->len == 0 && tries++ < 1)
				goto again;	/* a stale keep-alive connection */
			die("%s %s: connection closed", method, path);
		}
		if (sz)
			return;
	}
}

void hconn_close(struct hconn *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->buf);
	c->fd = -1;
	c->buf = NULL;
}

json_t *json_body(const struct hresp *r, const char *what, int want)
{
	json_t *o;

	if (r->status != want)
		die("%s: HTTP %d %s", what, r->status, r->body);
	o = json_loads(r->body, 0, NULL);
	if (!o)
		die("%s: not JSON: %s", what, r->body);
	return o;
}

const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	if (!s)
		die("no \"%s\" in the answer", key);
	return s;
}

/* ---- the browser's side ---------------------------------------------- */

void browser_start(struct hconn *c, struct browser *b)
{
	char hdr[512], body[96];
	struct hresp r;
	const char *sc;
	json_t *o;
	size_t n;

	hconn_request(c, "POST", "/api/v1/session", NULL, NULL, &r);
	sc = strcasestr(r.headers, "\r\nSet-Cookie: eonay_sid=");
	if (!sc)
		die("no session cookie: %s", r.headers);
	sc += strlen("\r\nSet-Cookie: ");
	n = strcspn(sc, ";\r");
	if (n >= sizeof(b->cookie))
		die("cookie too long");
	memcpy(b->cookie, sc, n);
	b->cookie[n] = '\0';
	o = json_body(&r, "POST /api/v1/session", 201);
	snprintf(b->csrf, sizeof(b->csrf), "%s", jstr(o, "csrf_token"));
	json_decref(o);

	snprintf(hdr, sizeof(hdr), "Cookie: %s\r\nX-CSRF-Token: %s\r\n", b->cookie, b->csrf);
	snprintf(body, sizeof(body), "{\"purpose\":\"login\",\"tckn\":\"%s\"}", tckn);
	hconn_request(c, "POST", "/api/v1/signing", hdr, body, &r);
	o = json_body(&r, "POST /api/v1/signing", 201);
	snprintf(b->id, sizeof(b->id), "%s", jstr(o, "id"));
	snprintf(b->code, sizeof(b->code), "%s", jstr(o, "code"));
	json_decref(o);
}

bool cookies_2k;

int wait_request(const struct browser *b, const char *state, char *buf, size_t n)
{
	/* What Chromium sends (about 750 bytes), with 2 KB of other cookies:
	 * the size matters to libmicrohttpd's per-connection pool. */
	return snprintf(buf, n,
			"GET /api/v1/signing/wait?id=%s&state=%s HTTP/1.1\r\n"
			CHROMIUM_WAIT_HEADERS "Cookie: %s%s\r\n\r\n",
			b->id, state, cookies_2k ? CHROMIUM_OTHER_COOKIES_2K : "", b->cookie);
}

void claim(struct hconn *app, const struct browser *b, char *token, size_t tn,
		  char **ret_text)
{
	char body[96];
	struct hresp r;
	json_t *o;

	snprintf(body, sizeof(body), "{\"code\":\"%s\"}", b->code);
	hconn_request(app, "POST", "/api/v1/app/claim", NULL, body, &r);
	o = json_body(&r, "POST /api/v1/app/claim", 200);
	snprintf(token, tn, "%s", jstr(o, "token"));
	if (ret_text) {
		const char *t = json_string_value(json_array_get(json_object_get(o, "texts"), 0));
		if (!t)
			die("claim: no text");
		*ret_text = strdup(t);
	}
	json_decref(o);
}

int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double pct(double *v, size_t n, double p)
{
	size_t i = (size_t)((double)n * p);

	return v[i < n ? i : n - 1];
}

