/* netaddr.c - addresses, CIDR lists, the client behind trusted proxies
 * (see netaddr.h).  eonayd's http.c calls netaddr_client() once per
 * request; config.c checks server.trusted_proxies with cidr_list_parse(). */
#include "common/netaddr.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdio.h>
#include <strings.h>

static const unsigned char v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

static void from_v6(const unsigned char a[16], struct netaddr *ret)
{
	memset(ret, 0, sizeof(*ret));
	if (memcmp(a, v4mapped, sizeof(v4mapped)) == 0) {
		ret->family = 4;
		memcpy(ret->a, a + 12, 4);
	} else {
		ret->family = 6;
		memcpy(ret->a, a, 16);
	}
}

/* A plain address, no brackets or port. */
static int parse_plain(const char *s, struct netaddr *ret)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1) {
		memset(ret, 0, sizeof(*ret));
		ret->family = 4;
		memcpy(ret->a, buf, 4);
		return 0;
	}
	if (inet_pton(AF_INET6, s, buf) == 1) {
		from_v6(buf, ret);
		return 0;
	}
	return -EINVAL;
}

static bool is_port(const char *s)
{
	size_t n = strlen(s);

	if (n == 0 || n > 5)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

int netaddr_parse(const char *s, size_t len, struct netaddr *ret)
{
	char buf[64], *p, *end;
	size_t colons = 0;

	while (len > 0 && isspace((unsigned char)*s))
		s++, len--;
	while (len > 0 && isspace((unsigned char)s[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	p = buf;
	if (*p == '[') {
		end = strchr(p, ']');
		if (!end || (end[1] && (end[1] != ':' || !is_port(end + 2))))
			return -EINVAL;
		*end = '\0';
		return strchr(p + 1, ':') ? parse_plain(p + 1, ret) : -EINVAL;
	}
	for (const char *q = p; *q; q++)
		colons += *q == ':';
	if (colons == 1) {	/* IPv4 with a port */
		end = strchr(p, ':');
		if (!is_port(end + 1))
			return -EINVAL;
		*end = '\0';
		return strchr(p, '.') ? parse_plain(p, ret) : -EINVAL;
	}
	return parse_plain(p, ret);
}

void netaddr_format(const struct netaddr *a, char ret[NETADDR_STRLEN])
{
	if (!inet_ntop(a->family == 4 ? AF_INET : AF_INET6, a->a, ret, NETADDR_STRLEN))
		snprintf(ret, NETADDR_STRLEN, "?");
}

void cidr_list_done(struct cidr_list *l)
{
	free(l->v);
	l->v = NULL;
	l->n = 0;
}

static int cidr_parse_one(const char *s, struct cidr *ret)
{
	char buf[64], *slash;
	int64_t bits;
	unsigned max;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (parse_plain(buf, &ret->addr) < 0)
		return -EINVAL;
	max = ret->addr.family == 4 ? 32 : 128;
	if (!slash) {
		ret->bits = max;
		return 0;
	}
	if (parse_int64(slash + 1, 0, 128, &bits) < 0)
		return -EINVAL;
	/* ::ffff:a.b.c.d/N was turned into IPv4: its prefix counts 96 less. */
	if (ret->addr.family == 4 && strchr(buf, ':')) {
		if (bits < 96)
			return -EINVAL;
		bits -= 96;
	}
	if ((unsigned)bits > max)
		return -EINVAL;
	ret->bits = (unsigned)bits;
	/* Keep only the network part. */
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = ret->bits > i * 8 ? MIN(ret->bits - i * 8, 8u) : 0;
		ret->addr.a[i] &= (unsigned char)(0xff00u >> keep);
	}
	return 0;
}

int cidr_list_parse(const char *s, struct cidr_list *ret, char **ret_err)
{
	struct cidr_list l = { 0 };
	const char *p = s ? s : "";

	for (;;) {
		char tok[80];
		size_t n;
		struct cidr *nv;

		while (*p == ',' || isspace((unsigned char)*p))
			p++;
		if (!*p)
			break;
		n = strcspn(p, ", \t\r\n");
		if (n >= sizeof(tok)) {
			*ret_err = strdup_printf("'%.40s...' is not an address or CIDR block", p);
			cidr_list_done(&l);
			return -EINVAL;
		}
		memcpy(tok, p, n);
		tok[n] = '\0';
		p += n;
		nv = realloc(l.v, (l.n + 1) * sizeof(*l.v));
		if (!nv) {
			cidr_list_done(&l);
			return -ENOMEM;
		}
		l.v = nv;
		if (cidr_parse_one(tok, &l.v[l.n]) < 0) {
			*ret_err = strdup_printf("'%s' is not an address or CIDR block", tok);
			cidr_list_done(&l);
			return -EINVAL;
		}
		l.n++;
	}
	*ret = l;
	return 0;
}

static bool cidr_contains(const struct cidr *c, const struct netaddr *a)
{
	unsigned full = c->bits / 8, rest = c->bits % 8;

	if (c->addr.family != a->family)
		return false;
	if (memcmp(c->addr.a, a->a, full) != 0)
		return false;
	if (rest == 0)
		return true;
	return ((c->addr.a[full] ^ a->a[full]) & (0xff00u >> rest) & 0xff) == 0;
}

bool cidr_list_contains(const struct cidr_list *l, const struct netaddr *a)
{
	for (size_t i = 0; l && i < l->n; i++)
		if (cidr_contains(&l->v[i], a))
			return true;
	return false;
}

struct hop {
	struct netaddr a;
	bool ok;
};

struct hops {
	struct hop *v;
	size_t n;
};

static int hops_add(struct hops *h, const char *s, size_t len)
{
	struct hop *nv = realloc(h->v, (h->n + 1) * sizeof(*h->v));

	if (!nv)
		return -ENOMEM;
	h->v = nv;
	h->v[h->n].ok = netaddr_parse(s, len, &h->v[h->n].a) == 0;
	h->n++;
	return 0;
}

/* Length of s up to the first stop character outside double quotes. */
static size_t span_unquoted(const char *s, const char *stops)
{
	bool quoted = false;
	size_t i;

	for (i = 0; s[i]; i++) {
		if (quoted && s[i] == '\\' && s[i + 1])
			i++;
		else if (s[i] == '"')
			quoted = !quoted;
		else if (!quoted && strchr(stops, s[i]))
			break;
	}
	return i;
}

static int hops_xff(const char *v, struct hops *h)
{
	for (;;) {
		size_t n = strcspn(v, ",");
		int r = hops_add(h, v, n);

		if (r < 0 || !v[n])
			return r;
		v += n + 1;
	}
}

/* One Forwarded element ("for=...;proto=...;by=..."): its for= hop. */
static int hop_forwarded(const char *e, size_t len, struct hops *h)
{
	size_t i = 0;

	while (i < len) {
		size_t n = span_unquoted(e + i, ";,");
		const char *pair = e + i;
		size_t pn = MIN(n, len - i);

		while (pn > 0 && isspace((unsigned char)*pair))
			pair++, pn--;
		if (pn > 4 && strncasecmp(pair, "for=", 4) == 0) {
			const char *val = pair + 4;
			size_t vn = pn - 4;

			while (vn > 0 && isspace((unsigned char)val[vn - 1]))
				vn--;
			if (vn >= 2 && val[0] == '"' && val[vn - 1] == '"') {
				val++;
				vn -= 2;
			}
			return hops_add(h, val, vn);
		}
		i += n + 1;
	}
	return hops_add(h, "", 0);	/* no for=: a hop we cannot read */
}

static int hops_forwarded(const char *v, struct hops *h)
{
	for (;;) {
		size_t n = span_unquoted(v, ",");
		int r = hop_forwarded(v, n, h);

		if (r < 0 || !v[n])
			return r;
		v += n + 1;
	}
}

static struct netaddr walk(const struct cidr_list *trusted, const struct netaddr *peer,
			   const struct hops *h)
{
	struct netaddr cur = *peer;

	for (size_t i = h->n; i-- > 0;) {
		if (!h->v[i].ok)
			return cur;
		cur = h->v[i].a;
		if (!cidr_list_contains(trusted, &cur))
			return cur;
	}
	return cur;
}

int netaddr_client(const struct cidr_list *trusted, const char *peer, const char *xff,
		   const char *fwd, char *ret, size_t n)
{
	struct hops hx = { 0 }, hf = { 0 };
	struct netaddr p, cx, cf, c;
	char buf[NETADDR_STRLEN];
	int r = 0;

	if (netaddr_parse(peer, strlen(peer), &p) < 0) {
		snprintf(ret, n, "%s", peer);
		return 0;
	}
	c = p;
	if (cidr_list_contains(trusted, &p) && (xff || fwd)) {
		if (xff)
			r = hops_xff(xff, &hx);
		if (r >= 0 && fwd)
			r = hops_forwarded(fwd, &hf);
		if (r < 0)
			goto out;
		cx = walk(trusted, &p, &hx);
		cf = walk(trusted, &p, &hf);
		if (!xff)
			c = cf;
		else if (!fwd)
			c = cx;
		else if (cx.family == cf.family && memcmp(cx.a, cf.a, 16) == 0)
			c = cx;
	}
	netaddr_format(&c, buf);
	snprintf(ret, n, "%s", buf);
out:
	free(hx.v);
	free(hf.v);
	return r;
}

void netaddr_limit_key(const char *addr, char *ret, size_t n)
{
	char buf[NETADDR_STRLEN];
	struct netaddr a;

	if (netaddr_parse(addr, strlen(addr), &a) < 0) {
		snprintf(ret, n, "%s", addr);
		return;
	}
	if (a.family == 4) {
		netaddr_format(&a, buf);
		snprintf(ret, n, "%s", buf);
		return;
	}
	memset(a.a + 8, 0, 8);
	netaddr_format(&a, buf);
	snprintf(ret, n, "%s/64", buf);
}
