/* httpstrict.h - refusing request heads that libmicrohttpd reads leniently.
 *
 * libmicrohttpd 0.9.75 takes a bare LF for a line end, joins an obs-fold
 * line (a header line starting with a space or tab) onto the previous
 * header's *name*, uses the first of several Content-Length headers and
 * lets Transfer-Encoding win over Content-Length.  A proxy in front may
 * read the same bytes differently (request smuggling), so eonayd refuses
 * all of these with 400 before anything else looks at the request. */
#pragma once
#include <stdbool.h>
#include <microhttpd.h>

/* Whether a raw request target (as MHD_OPTION_URI_LOG_CALLBACK gets it)
 * has no space, tab or other control byte (libmicrohttpd takes the last
 * space-separated word of the request line for the version). */
bool http_strict_uri(const char *uri);

/* Checks the head of the request on conn; method and version are the
 * pointers libmicrohttpd passed to the access handler (first call),
 * raw_uri the one it passed to MHD_OPTION_URI_LOG_CALLBACK and raw_uri_len
 * its strlen() then (libmicrohttpd decodes it in place afterwards).
 * Returns 0 when the head is strictly formed; -EPROTO when not, with
 * *ret_why an English reason for the log (a static string). */
int http_strict_head(struct MHD_Connection *conn, const char *method, const char *raw_uri,
		     size_t raw_uri_len, const char *version, const char **ret_why);
