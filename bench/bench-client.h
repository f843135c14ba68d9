/* bench-client.h - a minimal HTTP/1.1 client for the benchmarks, and the
 * steps of a browser (session, signing start, its long-poll) and of the
 * application (claim).  Shared by bench-ceremony.c and bench-wake.c.
 * Everything talks to 127.0.0.1; any unexpected answer ends the program
 * with a message (die). */
#pragma once

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* 127.0.0.1 and the default port (set by main). */
extern struct sockaddr_in addr;
/* The holder whose login ceremonies are started (set by main). */
extern const char *tckn;
/* The browsers' waits carry 2 KB of other cookies. */
extern bool cookies_2k;

struct hconn {
	int fd;			/* -1: not connected (connects on the next request) */
	char *buf;
	size_t len, cap;
	int port;		/* 0: addr's port */
};

struct hresp {
	int status;
	char *headers;		/* points into the connection's buffer */
	char *body;		/* NUL-terminated */
	size_t body_len;
};

struct browser {
	char cookie[160];	/* "eonay_sid=..." */
	char csrf[96];
	char id[80];		/* signing session */
	char code[32];
};

/* Microseconds on the monotonic clock. */
uint64_t now_us(void);
void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...);

/* A TCP connection to 127.0.0.1:port (0: addr's port), TCP_NODELAY;
 * non-blocking ones may still be connecting. */
int tcp_connect_port(int port, bool nonblock);
int tcp_connect(bool nonblock);
void write_all(int fd, const char *s, size_t n);
/* Reads once into c; returns the answer's size when complete, 0 when more
 * is needed, (size_t)-1 on EOF or error. */
size_t hconn_read(struct hconn *c, struct hresp *r);
/* One request on a keep-alive connection (reopened when the server closed
 * it).  The answer stays valid until the next request on c. */
void hconn_request(struct hconn *c, const char *method, const char *path,
		   const char *extra_headers, const char *body, struct hresp *r);
void hconn_close(struct hconn *c);
/* The answer's JSON body; dies unless the status is want. */
json_t *json_body(const struct hresp *r, const char *what, int want);
const char *jstr(json_t *o, const char *key);

/* A new browser session and a login signing session for tckn, on c. */
void browser_start(struct hconn *c, struct browser *b);
/* The page's GET /api/v1/signing/wait?id=...&state=state with Chromium's
 * headers (and 2 KB of other cookies with cookies_2k) into buf. */
int wait_request(const struct browser *b, const char *state, char *buf, size_t n);
/* The application claims b's code on app: the submit token, and with
 * ret_text the text to sign (malloc'ed). */
void claim(struct hconn *app, const struct browser *b, char *token, size_t tn,
	   char **ret_text);

int cmp_double(const void *a, const void *b);
/* The p-quantile of the sorted v[0..n). */
double pct(double *v, size_t n, double p);
