/* httpstrict.c - the strict reading of request heads (see httpstrict.h).
 *
 * Two kinds of checks.  On the parsed headers: at most one Content-Length
 * value (repeats must be equal), no Content-Length with
 * Transfer-Encoding, Transfer-Encoding only "chunked" and only once,
 * exactly one Host with HTTP/1.1 (at most one otherwise), the method a
 * token (RFC 9110), no whitespace or control byte in a name, no control
 * byte but HTAB in a value.  (libmicrohttpd's own
 * MHD_OPTION_STRICT_FOR_CLIENT 1 checks only Host and spaces in the URI,
 * and its answer to a missing Host repeats the status line and headers:
 * so eonayd does these two itself.)
 *
 * On the bytes: libmicrohttpd 0.9.75 parses the head in place in its
 * read buffer and replaces each line end with NULs, two for CRLF and one
 * for a bare LF; the head runs from the method to the end of the empty
 * line (MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE).  So a strictly formed
 * head has, after the request line's version and after each header's
 * value, exactly two NULs and then the next header's name (four NULs and
 * the end after the last one).  A bare LF leaves one NUL; an obs-fold
 * line makes libmicrohttpd move the header's name out of the buffer (it
 * appends the folded text to it); a NUL byte inside a line cuts the value
 * short: each shows as a header out of its place.  The request line is
 * the method, one space, the target as MHD_OPTION_URI_LOG_CALLBACK saw it
 * (before libmicrohttpd decoded it in place), one space, the version.
 * What this cannot see (a NUL standing in for a CR, a line ":" taken for
 * the empty line) is in docs/SECURITY.md.  It depends on that layout,
 * hence the version check below; tests/e2e/test-strict.c shows it on the
 * library in use, tests/fuzz/fuzz-httphead.c against raw bytes. */
#include "server/httpstrict.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct field {
	const char *key, *value;
	size_t key_len, value_len;
};

struct fields {
	struct field *f;
	size_t n, cap;
	bool failed;
};

static enum MHD_Result collect(void *cls, enum MHD_ValueKind kind, const char *key,
			       size_t key_len, const char *value, size_t value_len)
{
	struct fields *fs = cls;

	(void)kind;
	if (fs->n == fs->cap) {
		size_t cap = fs->cap ? fs->cap * 2 : 32;
		struct field *nf = realloc(fs->f, cap * sizeof(*nf));

		if (!nf) {
			fs->failed = true;
			return MHD_NO;
		}
		fs->f = nf;
		fs->cap = cap;
	}
	fs->f[fs->n++] = (struct field){ key, value ? value : "", key_len, value ? value_len : 0 };
	return MHD_YES;
}

static bool is_ctl(unsigned char c)
{
	return c < 0x20 || c == 0x7f;
}

/* RFC 9110 token: the method's characters. */
static bool method_ok(const char *m)
{
	size_t n = m ? strlen(m) : 0;

	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)m[i]) && !strchr("!#$%&'*+-.^_`|~", m[i]))
			return false;
	return n > 0;
}

static const char *check_fields(const struct fields *fs, const char *version)
{
	const char *cl = NULL;
	size_t cl_len = 0;
	unsigned n_te = 0, n_host = 0;

	for (size_t i = 0; i < fs->n; i++) {
		const struct field *f = &fs->f[i];

		if (f->key_len == 0)
			return "empty header name";
		for (size_t k = 0; k < f->key_len; k++)
			if (f->key[k] == ' ' || f->key[k] == '\t' || is_ctl((unsigned char)f->key[k]))
				return "whitespace or control byte in a header name";
		for (size_t k = 0; k < f->value_len; k++)
			if (f->value[k] != '\t' && is_ctl((unsigned char)f->value[k]))
				return "control byte in a header value";
		if (f->key_len == 14 && strncasecmp(f->key, "Content-Length", 14) == 0) {
			if (cl && (cl_len != f->value_len || memcmp(cl, f->value, cl_len) != 0))
				return "conflicting Content-Length headers";
			cl = f->value;
			cl_len = f->value_len;
		} else if (f->key_len == 4 && strncasecmp(f->key, "Host", 4) == 0) {
			if (++n_host > 1)
				return "more than one Host header";
		} else if (f->key_len == 17 && strncasecmp(f->key, "Transfer-Encoding", 17) == 0) {
			if (++n_te > 1)
				return "more than one Transfer-Encoding header";
			if (strcasecmp(f->value, "chunked") != 0)
				return "Transfer-Encoding other than chunked";
		}
	}
	if (cl && n_te)
		return "Content-Length with Transfer-Encoding";
	if (n_host == 0 && version && strcmp(version, "HTTP/1.1") == 0)
		return "HTTP/1.1 without Host";
	return NULL;
}

#if MHD_VERSION == 0x00097500
static bool nuls(const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i] != '\0')
			return false;
	return true;
}

static const char *check_bytes(struct MHD_Connection *conn, const char *method,
			       const char *raw_uri, size_t raw_uri_len, const char *version,
			       const struct fields *fs)
{
	const union MHD_ConnectionInfo *ci;
	const char *end, *e;

	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
	if (!ci || !method || !version)
		return "request head not found";
	end = method + ci->header_size;
	if (version <= method || version >= end)
		return "request line without a version";
	/* method SP target SP version: one space each (now NULs), no NUL
	 * in the method or the target (which would cut them short). */
	if (!raw_uri || raw_uri != method + strlen(method) + 1 ||
	    raw_uri + raw_uri_len + 1 != version)
		return "NUL or extra space in the request line";
	e = version + strlen(version);
	for (size_t i = 0; i < fs->n; i++) {
		const struct field *f = &fs->f[i];

		/* e < end - 2 before the comparison keeps reads in the head. */
		if (e + 2 >= end || f->key != e + 2 || !nuls(e, 2))
			return "bare LF, folded line or NUL in the request head";
		if (f->value < f->key + f->key_len + 1 || f->value + f->value_len + 4 > end)
			return "header value out of its line";
		/* name, the colon (a NUL now), optional whitespace, value */
		if (f->key[f->key_len] != '\0')
			return "header name out of its line";
		for (const char *w = f->key + f->key_len + 1; w < f->value; w++)
			if (*w != ' ' && *w != '\t')
				return "header value out of its line";
		e = f->value + f->value_len;
	}
	if (e + 4 != end || !nuls(e, 4))
		return "bare LF, folded line or NUL in the request head";
	return NULL;
}
#else
#error "httpstrict.c reads libmicrohttpd 0.9.75's parsed head; check the layout of this version"
#endif

bool http_strict_uri(const char *uri)
{
	for (const unsigned char *p = (const unsigned char *)uri; p && *p; p++)
		if (*p == ' ' || is_ctl(*p))
			return false;
	return true;
}

int http_strict_head(struct MHD_Connection *conn, const char *method, const char *raw_uri,
		     size_t raw_uri_len, const char *version, const char **ret_why)
{
	struct fields fs = { 0 };
	const char *why;

	MHD_get_connection_values_n(conn, MHD_HEADER_KIND, collect, &fs);
	if (fs.failed) {
		free(fs.f);
		*ret_why = "out of memory";
		return -ENOMEM;
	}
	why = method_ok(method) ? check_fields(&fs, version) : "the method is not a token";
	if (!why)
		why = check_bytes(conn, method, raw_uri, raw_uri_len, version, &fs);
	free(fs.f);
	*ret_why = why;
	return why ? -EPROTO : 0;
}
