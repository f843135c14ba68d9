/* reqhead.h - recognizes, in the first bytes of a connection, the one
 * request the acceptor may hold in the kernel: a plain long-poll
 * "GET /api/v1/signing/wait?id=..&state=.. HTTP/1.1" (or HTTP/1.0, as
 * nginx sends to its upstream) (see acceptor.h).
 *
 * Deliberately strict: anything unusual (another path or method or
 * version, percent-escapes, other query members, a body, Expect, Upgrade, a missing
 * or repeated Host or session cookie, control characters, obs-fold) is
 * "not ours" and the connection goes to libmicrohttpd, which answers it
 * like any request.  The parser only decides; it never answers. */
#pragma once
#include <stddef.h>

#define REQHEAD_MAX 8192	/* longer heads are not held */

struct wait_head {
	char id[40];		/* the signing session id (query "id") */
	char state[16];		/* the state the page last saw (query "state") */
	char sid[64];		/* the value of the session cookie (a secret) */
};

/* Parses buf[0..n) for the cookie named cookie_name.  Returns 0 and fills
 * *ret when buf starts with a complete head of such a request, -EAGAIN
 * when the head is not complete yet, -EINVAL when it is anything else. */
int reqhead_parse_wait(const char *buf, size_t n, const char *cookie_name,
		       struct wait_head *ret);
