/* reqhead.c - the strict recognizer of a held long-poll's request head
 * (see reqhead.h).  Works on bytes peeked from the socket: no allocation,
 * nothing outside buf[0..n) is read, and a negative answer only means
 * "let libmicrohttpd have it". */
#include "server/reqhead.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "common/util.h"

#define REQUEST_PREFIX "GET /api/v1/signing/wait?"
/* " HTTP/1.1\r\n", or 1.0: what nginx speaks to its upstream by default. */
#define REQUEST_VERSION " HTTP/1.x\r\n"

static bool is_tchar(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The characters ids, states and session cookies are made of. */
static bool is_token62(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/* Copies [p, e) into ret (size n) when it is 1..n-1 token characters. */
static int copy_token(const char *p, const char *e, char *ret, size_t n)
{
	if (e <= p || (size_t)(e - p) >= n)
		return -EINVAL;
	for (const char *c = p; c < e; c++)
		if (!is_token62((unsigned char)*c))
			return -EINVAL;
	memcpy(ret, p, (size_t)(e - p));
	ret[e - p] = '\0';
	return 0;
}

/* "id=..&state=.." in either order, each exactly once, nothing else. */
static int parse_query(const char *p, const char *e, struct wait_head *ret)
{
	bool have_id = false, have_state = false;

	for (;;) {
		const char *amp = memchr(p, '&', (size_t)(e - p)) ?: e;
		const char *eq = memchr(p, '=', (size_t)(amp - p));
		int r;

		if (!eq)
			return -EINVAL;
		if (eq - p == 2 && memcmp(p, "id", 2) == 0 && !have_id) {
			r = copy_token(eq + 1, amp, ret->id, sizeof(ret->id));
			have_id = true;
		} else if (eq - p == 5 && memcmp(p, "state", 5) == 0 && !have_state) {
			r = copy_token(eq + 1, amp, ret->state, sizeof(ret->state));
			have_state = true;
		} else
			r = -EINVAL;
		if (r < 0)
			return r;
		if (amp == e)
			break;
		p = amp + 1;
	}
	return have_id && have_state ? 0 : -EINVAL;
}

/* "a=b; c=d": finds name once.  Whatever another parser could read
 * differently is refused: a comma or a quote anywhere, a space before '=',
 * a second cookie of the name, or one that differs from it only in case
 * (libmicrohttpd compares names case-insensitively). */
static int parse_cookies(const char *p, const char *e, const char *name, struct wait_head *ret,
			 bool *found)
{
	size_t nlen = strlen(name);

	for (const char *c = p; c < e; c++)
		if (*c == ',' || *c == '"')
			return -EINVAL;
	while (p < e) {
		const char *semi = memchr(p, ';', (size_t)(e - p)) ?: e;
		const char *eq = memchr(p, '=', (size_t)(semi - p));

		while (p < semi && *p == ' ')
			p++;
		if (eq && eq > p && (eq[-1] == ' ' || eq[-1] == '\t'))
			return -EINVAL;
		if (eq && (size_t)(eq - p) == nlen && strncasecmp(p, name, nlen) == 0) {
			if (memcmp(p, name, nlen) != 0)
				return -EINVAL;
			const char *v = eq + 1, *ve = semi;

			while (ve > v && ve[-1] == ' ')
				ve--;
			if (*found || copy_token(v, ve, ret->sid, sizeof(ret->sid)) < 0)
				return -EINVAL;
			*found = true;
		}
		p = semi < e ? semi + 1 : e;
	}
	return 0;
}

int reqhead_parse_wait(const char *buf, size_t n, const char *cookie_name,
		       struct wait_head *ret)
{
	const size_t plen = sizeof(REQUEST_PREFIX) - 1, vlen = sizeof(REQUEST_VERSION) - 1;
	const char *end, *p, *sp;
	unsigned hosts = 0, cookies = 0;
	bool found = false;
	int r;

	memset(ret, 0, sizeof(*ret));
	if (n > REQHEAD_MAX)
		n = REQHEAD_MAX;
	if (memcmp(buf, REQUEST_PREFIX, MIN(n, plen)) != 0)
		return -EINVAL;
	end = memmem(buf, n, "\r\n\r\n", 4);
	if (!end)
		return n >= REQHEAD_MAX ? -EINVAL : -EAGAIN;
	end += 2;	/* the end of the last header line */

	/* The request line. */
	p = buf + plen;
	sp = memchr(p, ' ', (size_t)(end - p));
	if (!sp || (size_t)(end - sp) < vlen || memcmp(sp, REQUEST_VERSION, vlen - 3) != 0 ||
	    (sp[vlen - 3] != '1' && sp[vlen - 3] != '0') || memcmp(sp + vlen - 2, "\r\n", 2) != 0)
		return -EINVAL;
	r = parse_query(p, sp, ret);
	if (r < 0)
		return r;

	/* The header lines, up to the empty one. */
	for (p = sp + vlen; p < end;) {
		const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
		const char *colon, *v;

		colon = memchr(p, ':', (size_t)(eol - p));
		if (!colon || colon == p)
			return -EINVAL;
		for (const char *c = p; c < colon; c++)
			if (!is_tchar((unsigned char)*c))
				return -EINVAL;
		for (v = colon + 1; v < eol; v++) {
			unsigned char c = (unsigned char)*v;
			if ((c < 0x20 && c != '\t') || c >= 0x7f)
				return -EINVAL;
		}
		for (v = colon + 1; v < eol && (*v == ' ' || *v == '\t'); v++)
			;

#define IS(h) ((size_t)(colon - p) == sizeof(h) - 1 && strncasecmp(p, h, sizeof(h) - 1) == 0)
		if (IS("Host"))
			hosts++;
		else if (IS("Cookie")) {
			cookies++;
			r = parse_cookies(v, eol, cookie_name, ret, &found);
			if (r < 0)
				return r;
		} else if (IS("Content-Length") || IS("Transfer-Encoding") || IS("Expect") ||
			   IS("Upgrade"))
			return -EINVAL;
#undef IS
		p = eol + 2;
	}
	return hosts == 1 && cookies == 1 && found ? 0 : -EINVAL;
}
