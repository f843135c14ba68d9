/* fuzz-httphead.c - the strict reading of request heads
 * (server/httpstrict.c) on libmicrohttpd itself: the input is what a
 * client sends on a new connection (one end of a socketpair handed to an
 * in-process daemon run by hand with MHD_run()); the access handler calls
 * http_strict_head() on the first request, as eonayd's does, and answers.
 * httpstrict.c reads libmicrohttpd's parse buffer, so this is where a
 * wrong assumption about its layout would show (ASan, or a wrong answer).
 * The promise, checked against the raw bytes: a head accepted has CRLF
 * line ends only, no line starting with a space or tab, no NUL, no bare
 * CR, at most one Content-Length value and not with Transfer-Encoding;
 * the request line is method SP target SP version.  Two forms leave the
 * same bytes in libmicrohttpd's buffer as a strict head and are not
 * judged here (docs/SECURITY.md): heads with a NUL byte (a NUL can stand
 * in for a CR), and a line ":" with one bare LF next to it, which
 * libmicrohttpd takes for the empty line. */
#include <poll.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>
#include <strings.h>

#include "server/httpstrict.h"

#include "fuzz.h"

static struct MHD_Daemon *daemon_;
static int calls, verdict;	/* first request only */
static const char *raw_uri;	/* as eonayd's on_uri() keeps it */
static size_t raw_uri_len;
static bool raw_uri_ok;

static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls, (void)conn;
	raw_uri = uri;
	raw_uri_len = uri ? strlen(uri) : 0;
	raw_uri_ok = http_strict_uri(uri);	/* now: it is decoded in place later */
	return NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
				  const char *method, const char *version,
				  const char *upload_data, size_t *upload_data_size, void **con_cls)
{
	struct MHD_Response *resp;
	const char *why = NULL;
	enum MHD_Result ok;
	int r;

	(void)cls, (void)url, (void)upload_data;
	if (*con_cls) {
		*upload_data_size = 0;
		return MHD_YES;
	}
	*con_cls = &calls;
	r = raw_uri_ok ? http_strict_head(conn, method, raw_uri, raw_uri_len, version,
							&why)
				      : (why = "target", -EPROTO);
	if (r < 0 && r != -EPROTO)
		abort();	/* only a refusal, never a failure, here */
	if ((r < 0) != (why != NULL))
		abort();	/* a refusal says why, an acceptance nothing */
	if (calls++ == 0)
		verdict = r;
	resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	if (!resp)
		abort();
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	ok = MHD_queue_response(conn, r == 0 ? 200 : 400, resp);
	MHD_destroy_response(resp);
	return ok;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	daemon_ = MHD_start_daemon(MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL, on_request, NULL,
				   MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)36864,
				   MHD_OPTION_CONNECTION_TIMEOUT, 1u,
				   MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL, MHD_OPTION_END);
	return daemon_ ? 0 : -1;
}

/* The head as libmicrohttpd takes it, without the line that ends it:
 * after the lines it skips before the request line (empty, or starting
 * with a NUL: it tests the first byte), up to the first line that is
 * empty, starts with a NUL, or (after a header) starts with ':' (it puts
 * a NUL for the colon, then tests the first byte).  NULL when the input
 * has no such end.  *ret_colon: the end was a ':' line. */
static const char *head_of(const char *s, size_t n, size_t *ret_len, bool *ret_colon)
{
	size_t i = 0, lines = 0;

	for (;;) {
		const char *nl = i < n ? memchr(s + i, '\n', n - i) : NULL;

		if (!nl)
			return NULL;
		if (s[i] != '\n' && s[i] != '\0' && !(s[i] == '\r' && s[i + 1] == '\n'))
			break;
		i = (size_t)(nl - s) + 1;
	}
	for (size_t k = i; k < n; k++) {
		const char *nl = memchr(s + k, '\n', n - k);
		char c;

		if (!nl)
			return NULL;
		k = (size_t)(nl - s);	/* the line end */
		lines++;
		if (k + 1 >= n)
			return NULL;
		c = s[k + 1];
		if (c == '\n' || c == '\0' || (c == '\r' && k + 2 < n && s[k + 2] == '\n') ||
		    (c == ':' && lines >= 2)) {
			if (!memchr(s + k + 1, '\n', n - k - 1))
				return NULL;	/* the end line is not whole */
			*ret_len = k + 1 - i;
			*ret_colon = c == ':';
			return s + i;
		}
	}
	return NULL;
}

static void check_accepted(const char *in, size_t n)
{
	size_t len = 0, cl = 0, te = 0, sp = 0;
	bool colon = false;
	const char *h = head_of(in, n, &len, &colon), *cl_value = NULL;

	if (!h)
		abort();	/* accepted without a whole head */
	/* A NUL byte in the head can stand in for a CR: "\0\n" and "\r\n",
	 * "\0\r\n\n" and "\r\n\r\n" leave the same bytes in libmicrohttpd's
	 * buffer (docs/SECURITY.md).  Such heads are not judged here. */
	if (memchr(in, '\0', (size_t)(h - in) + len + 4 < n ? (size_t)(h - in) + len + 4 : n))
		return;
	for (size_t i = 0; i < len && h[i] != '\r' && h[i] != '\n' && h[i] != '\0'; i++)
		sp += h[i] == ' ';
	if (sp != 2)
		abort();	/* method SP target SP version */
	for (size_t i = 0; i < len; i++) {
		/* The other blind spot (docs/SECURITY.md): a NUL right before a
		 * bare LF leaves the bytes a CRLF leaves. */
		if (h[i] == '\0' && (i + 1 >= len || h[i + 1] != '\n'))
			abort();
		if (h[i] == '\n' && (i == 0 || (h[i - 1] != '\r' && h[i - 1] != '\0')) &&
		    !(colon && i == len - 1))
			abort();	/* bare LF (but "\n:\r\n" looks like "\r\n\r\n") */
		if (h[i] == '\r' && (i + 1 >= len || h[i + 1] != '\n'))
			abort();	/* bare CR */
		if (i > 0 && h[i - 1] == '\n' && (h[i] == ' ' || h[i] == '\t'))
			abort();	/* obs-fold */
		if (i == 0 || h[i - 1] == '\n') {
			if (len - i >= 15 && strncasecmp(h + i, "Content-Length:", 15) == 0) {
				const char *v = h + i + 15;

				while (*v == ' ' || *v == '\t')
					v++;
				if (cl++ && strncmp(v, cl_value, strcspn(cl_value, "\r")) != 0)
					abort();	/* two different lengths */
				cl_value = v;
			}
			if (len - i >= 18 && strncasecmp(h + i, "Transfer-Encoding:", 18) == 0)
				te++;
		}
	}
	if (cl && te)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sockaddr_in peer = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001) };
	char buf[4096];
	int sv[2];

	if (size > 65536)
		return 0;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	if (size && write(sv[0], data, size) != (ssize_t)size)
		abort();
	calls = 0;
	verdict = 1;
	if (MHD_add_connection(daemon_, sv[1], (struct sockaddr *)&peer, sizeof(peer)) != MHD_YES)
		abort();
	for (int i = 0; i < 8; i++)
		MHD_run(daemon_);
	while (recv(sv[0], buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	close(sv[0]);		/* the client goes: the daemon closes its end */
	for (int i = 0; i < 4; i++)
		MHD_run(daemon_);
	if (verdict == 0)
		check_accepted((const char *)data, size);
	return 0;
}
