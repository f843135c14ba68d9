/* netaddr.h - IP addresses, CIDR lists and the real client behind proxies.
 *
 * server.trusted_proxies is a CIDR list; X-Forwarded-For and Forwarded
 * (RFC 7239) are believed only when the connection's peer is in it, and
 * the client is the right-most hop that is not a trusted proxy
 * (docs/SECURITY.md).  Pure functions: no I/O, no HTTP library. */
#pragma once
#include "common/util.h"

/* An IPv4 (family 4, first 4 bytes) or IPv6 (family 6) address.  An
 * IPv4-mapped IPv6 address (::ffff:a.b.c.d) is held as IPv4. */
struct netaddr {
	int family;
	unsigned char a[16];
};

struct cidr {
	struct netaddr addr;
	unsigned bits;
};

struct cidr_list {
	struct cidr *v;
	size_t n;
};

/* Longest text form of an address, with the NUL. */
#define NETADDR_STRLEN 46

/* Parses an address as found in headers: "1.2.3.4", "2001:db8::1",
 * "[2001:db8::1]", with an optional port ("1.2.3.4:80", "[::1]:80").
 * -EINVAL for anything else (including "unknown" and "_hidden"). */
int netaddr_parse(const char *s, size_t len, struct netaddr *ret);
/* The canonical text form (inet_ntop). */
void netaddr_format(const struct netaddr *a, char ret[NETADDR_STRLEN]);

/* Parses "10.0.0.0/8, 192.168.1.7 ::1 fd00::/8" (commas and/or spaces; a
 * bare address is a host).  Empty or NULL gives an empty list.  -EINVAL
 * with *ret_err (malloc'ed) naming the bad entry. */
int cidr_list_parse(const char *s, struct cidr_list *ret, char **ret_err);
void cidr_list_done(struct cidr_list *l);
bool cidr_list_contains(const struct cidr_list *l, const struct netaddr *a);

/* The client's address for a request.  peer is the connection's peer (text
 * form); xff the X-Forwarded-For values and fwd the Forwarded values, each
 * the request's headers of that name joined with ',' in order, or NULL.
 * When peer is not in trusted the headers are ignored and the client is
 * peer.  Otherwise each header's hops are walked from the right: the first
 * that is not trusted is the client; when every hop is trusted, the
 * left-most; a malformed hop stops the walk at the hop to its right.  When
 * both headers are present and name different clients, neither is believed
 * and the client is peer.  The result is written in canonical form. */
int netaddr_client(const struct cidr_list *trusted, const char *peer, const char *xff,
		   const char *fwd, char *ret, size_t n);

/* The key rate limits count an address under: an IPv4 address as itself,
 * an IPv6 address by its /64 (one customer's network), e.g.
 * "2001:db8:1:2::/64".  Unparsable text is returned as is. */
void netaddr_limit_key(const char *addr, char *ret, size_t n);
