/* harness.h - end-to-end test helpers: real eonayd processes on free ports,
 * HTTP requests through libcurl, temporary data directories. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/types.h>

struct srv {
	pid_t pid;
	int port;
	char data[256];
	char url[64];
	char log[300];
};

struct resp {
	long status;
	char *body;
	size_t len;
	char *headers;	/* raw header block */
};

/* A TCP port on 127.0.0.1 that is free right now. */
int free_port(void);

/* Path of a built binary ("eonayd", "eimza", "eonayctl"). */
const char *bin_path(const char *name);

/* Makes a fresh temporary directory; the path is static storage.  When the
 * tests run on PostgreSQL (EONAY_TEST_STORE_URL), it also gets a fresh
 * database of its own, named in DATA/eonay.conf (store.url), so that every
 * eonayd and eonayctl started on it uses that database; tmpdir_remove drops
 * it. */
const char *tmpdir_new(void);
void tmpdir_remove(const char *dir);
/* What db_open() takes to reach the store of data directory data:
 * DATA/eonay.db, or the URL of its PostgreSQL database. */
const char *store_target(const char *data);

/* Starts eonayd on a free port with the given data directory and extra
 * arguments (NULL-terminated), waits until /healthz answers.
 * Returns 0, or -1 when it did not come up (its log is kept). */
int srv_start(struct srv *s, const char *data, const char *const *extra);
/* Starts nginx (Debian's nginx-light) on a free port in front of the
 * eonayd nodes on the upstream ports (round robin), configured as
 * docs/CONFIGURATION.md says, X-Forwarded-For included; configuration, logs
 * and temporary files go to dir (which must exist).  Waits until it answers
 * /healthz; stop it with srv_stop().  Returns 0 or -1. */
int nginx_start(struct srv *s, const char *dir, const int *upstreams, size_t n);
/* SIGTERM (or SIGKILL when kill9) and wait. Returns the exit status. */
int srv_stop(struct srv *s, bool kill9);

/* One request.  body may be NULL; headers is a NULL-terminated list of
 * "Name: value" lines; cookie_jar a file path or NULL. */
int http_do(const char *method, const char *url, const char *body, size_t len,
	    const char *const *headers, const char *cookie_jar, struct resp *ret);
void resp_done(struct resp *r);
/* The local address the following requests come from (bound with
 * CURLOPT_INTERFACE): "127.0.0.2" acts as a second client; NULL the
 * default. */
void http_set_source(const char *addr);
/* Case-insensitive header lookup in r->headers; malloc'ed value or NULL. */
char *resp_header(const struct resp *r, const char *name);

/* Runs a command line through the shell, capturing stdout+stderr into
 * *ret_out (malloc'ed); returns the exit status. */
int run_cmd(char **ret_out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A browser as the pages use the API: its session cookie and CSRF token.
 * browser_open() creates the session (POST /api/v1/session). */
struct browser {
	const struct srv *srv;
	char cookie[128];	/* "eonay_sid=..." */
	char csrf[64];
};
int browser_open(struct browser *b, const struct srv *s);
/* A call with the cookie and the CSRF header; a Set-Cookie in the answer
 * replaces the cookie (login rotates it). */
int browser_call(struct browser *b, const char *method, const char *path, const char *json,
		 struct resp *ret);
/* Refreshes the CSRF token from GET /api/v1/session (after a login). */
int browser_refresh(struct browser *b);

/* Pulls "key":"value" (string) or "key":number out of a JSON text into buf. */
const char *json_field(const char *json, const char *key, char *buf, size_t n);

/* Makes a demo world in data (eonayctl demo) and returns the SOFTHSM2_CONF. */
const char *demo_world(const char *data);

static inline int streq_any(const char *s, const char *a, const char *b)
{
	return strcmp(s, a) == 0 || strcmp(s, b) == 0;
}
