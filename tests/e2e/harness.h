/* harness.h - end-to-end test helpers: real eonayd processes on free ports,
 * HTTP requests through libcurl, temporary data directories. */
#pragma once
#include <stdbool.h>
#include <stddef.h>
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

/* Path of a built binary ("eonayd", "eimza", "eonayctl"). */
const char *bin_path(const char *name);

/* Makes a fresh temporary directory; the path is static storage. */
const char *tmpdir_new(void);
void tmpdir_remove(const char *dir);

/* Starts eonayd on a free port with the given data directory and extra
 * arguments (NULL-terminated), waits until /healthz answers.
 * Returns 0, or -1 when it did not come up (its log is kept). */
int srv_start(struct srv *s, const char *data, const char *const *extra);
/* SIGTERM (or SIGKILL when kill9) and wait. Returns the exit status. */
int srv_stop(struct srv *s, bool kill9);

/* One request.  body may be NULL; headers is a NULL-terminated list of
 * "Name: value" lines; cookie_jar a file path or NULL. */
int http_do(const char *method, const char *url, const char *body, size_t len,
	    const char *const *headers, const char *cookie_jar, struct resp *ret);
void resp_done(struct resp *r);
/* Case-insensitive header lookup in r->headers; malloc'ed value or NULL. */
char *resp_header(const struct resp *r, const char *name);

/* Runs a command line through the shell, capturing stdout+stderr into
 * *ret_out (malloc'ed); returns the exit status. */
int run_cmd(char **ret_out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
