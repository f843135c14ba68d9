/* acceptor.c - the listening socket and the connection accounting (see
 * acceptor.h).
 *
 * One thread, one epoll set: the listening socket and an eventfd for stop.
 * The books, under one mutex shared with libmicrohttpd's threads (which
 * report closed connections):
 *   - conns[fd]: every connection handed over and not yet reported closed,
 *     indexed by descriptor.  A descriptor number is only reused after
 *     libmicrohttpd closed it, and it reports the close before it closes,
 *     so the entry is never ambiguous.  An entry still in use when accept
 *     returns its number again was closed by libmicrohttpd without a
 *     report (it can only happen when it runs out of memory): it is
 *     forgotten then;
 *   - a client per address (IPv4, or the /64 of an IPv6 address) with its
 *     connections oldest first, in a keyed hash table;
 *   - by_count[n]: the clients with n connections, so that the client
 *     with the most is found at once when one must be shed.
 * A shed connection is shut down (both ways) and stays counted as
 * outstanding, but no longer as its client's, until libmicrohttpd reports
 * it closed: what is outstanding never passes budget + shed room, and
 * libmicrohttpd's own limit is far above that. */
#include "server/acceptor.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include "common/log.h"

#define TAG_LISTEN 1
#define TAG_STOP 2
#define ACCEPT_PAUSE_US 100000		/* after EMFILE and the like */
#define FD_RESERVE 256			/* descriptors kept for the store, logs, HSM ... */

union sockaddr_any {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_storage ss;
};

struct conn;

struct client {
	struct client *hnext;		/* hash chain */
	struct client *cprev, *cnext;	/* in by_count[n] */
	struct conn *oldest, *newest;	/* its connections, in accept order */
	unsigned n;
	unsigned char key[16];
};

struct conn {
	struct conn *prev, *next;	/* in its client's list */
	struct client *client;		/* NULL once shed */
	bool used;
	unsigned requests;		/* only the connection's own thread, once handed over */
};

static struct server *srv;
static int listen_fd = -1, epoll_fd = -1, stop_fd = -1;
static pthread_t thread;
static bool started, thread_running;
static uint64_t paused_until;		/* acceptor thread only */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct conn *conns;		/* [fd_max]; untouched pages cost nothing */
static int fd_max;
static struct client **buckets;
static size_t n_buckets;		/* a power of two */
static uint64_t hash_seed;
static struct client **by_count;	/* [max_per + 1] */
static unsigned max_per;		/* the most one client can have */
static unsigned max_n;			/* no client has more than this */
static unsigned budget, cap, hard_cap;
static unsigned live, outstanding;	/* live: not shed */
static struct acceptor_stats stats;

static size_t bucket_of(const unsigned char key[16])
{
	uint64_t a, b, h;

	memcpy(&a, key, 8);
	memcpy(&b, key + 8, 8);
	h = (a ^ hash_seed) * 0x9e3779b97f4a7c15ull;
	h ^= h >> 29;
	h = (h ^ b) * 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return (size_t)h & (n_buckets - 1);
}

/* The accounting key of a peer: its IPv4 address (mapped), or the /64 of
 * its IPv6 address. */
static int client_key(const struct sockaddr *sa, unsigned char key[16])
{
	static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

	memset(key, 0, 16);
	if (sa->sa_family == AF_INET) {
		memcpy(key, mapped, 12);
		memcpy(key + 12, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return 0;
	}
	if (sa->sa_family == AF_INET6) {
		const unsigned char *a = ((const struct sockaddr_in6 *)sa)->sin6_addr.s6_addr;

		memcpy(key, a, memcmp(a, mapped, 12) == 0 ? 16 : 8);
		return 0;
	}
	return -EAFNOSUPPORT;
}

/* by_count bookkeeping: moves c from list c->n to list n. */
static void set_count(struct client *c, unsigned n)
{
	if (c->n) {
		if (c->cprev)
			c->cprev->cnext = c->cnext;
		else
			by_count[c->n] = c->cnext;
		if (c->cnext)
			c->cnext->cprev = c->cprev;
	}
	c->cprev = c->cnext = NULL;
	c->n = n;
	if (n) {
		c->cnext = by_count[n];
		if (c->cnext)
			c->cnext->cprev = c;
		by_count[n] = c;
		max_n = MAX(max_n, n);
	}
	while (max_n && !by_count[max_n])
		max_n--;
}

static struct client *client_get(const unsigned char key[16])
{
	size_t b = bucket_of(key);
	struct client *c;

	for (c = buckets[b]; c; c = c->hnext)
		if (memcmp(c->key, key, 16) == 0)
			return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	memcpy(c->key, key, 16);
	c->hnext = buckets[b];
	buckets[b] = c;
	return c;
}

static void client_put(struct client *c)
{
	struct client **pp;

	if (c->n)
		return;
	for (pp = &buckets[bucket_of(c->key)]; *pp; pp = &(*pp)->hnext)
		if (*pp == c) {
			*pp = c->hnext;
			break;
		}
	free(c);
}

/* Takes e out of its client's list (not out of what is outstanding). */
static void conn_unlink(struct conn *e)
{
	struct client *c = e->client;

	if (!c)
		return;
	if (e->prev)
		e->prev->next = e->next;
	else
		c->oldest = e->next;
	if (e->next)
		e->next->prev = e->prev;
	else
		c->newest = e->prev;
	e->prev = e->next = NULL;
	e->client = NULL;
	live--;
	set_count(c, c->n - 1);
	client_put(c);
}

static void conn_forget(int fd)
{
	struct conn *e = &conns[fd];

	if (!e->used)
		return;
	conn_unlink(e);
	e->used = false;
	outstanding--;
}

static void conn_add(struct client *c, int fd)
{
	struct conn *e = &conns[fd];

	e->used = true;
	e->requests = 0;
	e->client = c;
	e->next = NULL;
	e->prev = c->newest;
	if (c->newest)
		c->newest->next = e;
	else
		c->oldest = e;
	c->newest = e;
	live++;
	outstanding++;
	set_count(c, c->n + 1);
	stats.accepted++;
}

/* The budget is spent: sheds the oldest connection of the client with the
 * most, if that one has more than c would have after taking its place. */
static bool shed_for(const struct client *c)
{
	struct client *fat = by_count[max_n];
	struct conn *victim;

	if (!fat || max_n <= c->n + 1 || outstanding >= hard_cap)
		return false;
	victim = fat->oldest;
	conn_unlink(victim);
	/* libmicrohttpd sees the end of the stream (a long-poll parked in it:
	 * waiters.c sees it) and closes the connection; it counts until then. */
	shutdown((int)(victim - conns), SHUT_RDWR);
	stats.shed++;
	return true;
}

unsigned acceptor_count_request(int fd)
{
	/* Set to 0 before the hand-over; libmicrohttpd's locks order that
	 * before its thread gets the connection. */
	return fd >= 0 && fd < fd_max ? ++conns[fd].requests : 0;
}

void acceptor_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			    enum MHD_ConnectionNotificationCode code)
{
	const union MHD_ConnectionInfo *ci;

	if (code != MHD_CONNECTION_NOTIFY_CLOSED)
		return;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci || ci->connect_fd < 0 || ci->connect_fd >= fd_max)
		return;
	pthread_mutex_lock(&lock);
	conn_forget(ci->connect_fd);
	pthread_mutex_unlock(&lock);
}

int acceptor_init(struct server *server)
{
	const struct config *cfg = server->cfg;
	struct rlimit rl;
	unsigned want;
	size_t nb;

	srv = server;
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return -errno;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) < 0)
			log_warn("cannot raise the open files limit: %s", strerror(errno));
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	fd_max = (int)MIN(rl.rlim_cur, (rlim_t)(1 << 24));
	want = (unsigned)cfg->max_connections;
	budget = want;
	/* budget + shed room + the reserve must fit in the limit. */
	while (budget > 16 && (int64_t)budget + budget / 16 + 64 + FD_RESERVE > fd_max)
		budget = (unsigned)MAX(16, (int64_t)(fd_max - 64 - FD_RESERVE) * 16 / 17);
	if (budget < want)
		log_warn("server.max_connections %u lowered to %u: the open files limit is %d",
			 want, budget, fd_max);
	hard_cap = budget + budget / 16 + 64;
	cap = (unsigned)cfg->max_connections_per_client;
	max_per = cap ? MIN(cap, hard_cap) : hard_cap;
	for (nb = 1024; nb < budget; nb *= 2)
		;
	n_buckets = nb;
	conns = calloc((size_t)fd_max, sizeof(*conns));
	buckets = calloc(n_buckets, sizeof(*buckets));
	by_count = calloc((size_t)max_per + 1, sizeof(*by_count));
	if (!conns || !buckets || !by_count)
		return -ENOMEM;
	stats.budget = budget;
	return random_bytes(&hash_seed, sizeof(hash_seed));
}

unsigned acceptor_mhd_limit(void)
{
	/* libmicrohttpd splits its limit evenly over its worker threads and
	 * gives each new connection to the first with room: any one of them
	 * may get everything outstanding. */
	return (unsigned)srv->cfg->threads * (hard_cap + 64);
}

static int listen_socket(const char *listen_addr, int *ret_fd)
{
	_cleanup_free_ char *host = NULL;
	union sockaddr_any a = { 0 };
	socklen_t len;
	uint16_t port;
	int fd, one = 1, r;

	r = config_parse_listen(listen_addr, &host, &port);
	if (r < 0)
		return r;
	if (inet_pton(AF_INET, host, &a.in.sin_addr) == 1 || streq(host, "localhost")) {
		if (streq(host, "localhost"))
			a.in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		a.in.sin_family = AF_INET;
		a.in.sin_port = htons(port);
		len = sizeof(a.in);
	} else if (inet_pton(AF_INET6, host, &a.in6.sin6_addr) == 1) {
		a.in6.sin6_family = AF_INET6;
		a.in6.sin6_port = htons(port);
		len = sizeof(a.in6);
	} else
		return -EINVAL;

	fd = socket(a.sa.sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	/* As MHD_OPTION_LISTENING_ADDRESS_REUSE did: a restart may overlap. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one)) < 0 ||
	    (a.sa.sa_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    bind(fd, &a.sa, len) < 0 || listen(fd, SOMAXCONN) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	*ret_fd = fd;
	return 0;
}

/* Stops (pause) or resumes watching the listening socket; -errno when it
 * cannot be watched again (then the pause goes on and is retried). */
static int accept_pause(bool pause)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_LISTEN };

	if (!pause && epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listen_fd, &ev) == 0) {
		paused_until = 0;
		return 0;
	}
	if (pause && !paused_until)
		epoll_ctl(epoll_fd, EPOLL_CTL_DEL, listen_fd, NULL);
	paused_until = now_usec_mono() + ACCEPT_PAUSE_US;
	return pause ? 0 : -errno;
}

/* accept(2)'s errors that are the one pending connection's, not ours. */
static bool accept_error_transient(int e)
{
	return e == EINTR || e == ECONNABORTED || e == EPROTO || e == ENETDOWN ||
	       e == ENOPROTOOPT || e == EHOSTDOWN || e == ENONET || e == EHOSTUNREACH ||
	       e == EOPNOTSUPP || e == ENETUNREACH || e == EPERM;
}

/* Books fd in (true) or refuses it (false: the caller closes it). */
static bool admit(int fd, const struct sockaddr *sa)
{
	unsigned char key[16];
	struct client *c;
	bool ok = false;

	if (fd >= fd_max || client_key(sa, key) < 0)
		return false;
	pthread_mutex_lock(&lock);
	conn_forget(fd);	/* closed by libmicrohttpd without a report */
	c = client_get(key);
	if (!c)
		stats.refused_full++;
	else if (cap && c->n >= cap)
		stats.refused_per_client++;
	else if (live >= budget && !shed_for(c))
		stats.refused_full++;
	else {
		conn_add(c, fd);
		ok = true;
	}
	if (c && !ok)
		client_put(c);
	pthread_mutex_unlock(&lock);
	return ok;
}

static void accept_some(void)
{
	for (unsigned i = 0; i < 64; i++) {
		union sockaddr_any a;
		socklen_t len = sizeof(a);
		int fd;

		fd = accept4(listen_fd, &a.sa, &len, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (accept_error_transient(errno))
				continue;
			if (errno == EAGAIN)
				return;
			log_warn("accept: %s; pausing for %d ms", strerror(errno),
				 ACCEPT_PAUSE_US / 1000);
			accept_pause(true);
			return;
		}
		if (!admit(fd, &a.sa)) {
			close(fd);
			continue;
		}
		if (MHD_add_connection(srv->daemon, fd, &a.sa, len) != MHD_YES) {
			/* libmicrohttpd closed it (out of memory): no report follows. */
			log_warn("connection refused by libmicrohttpd: %s", strerror(errno));
			pthread_mutex_lock(&lock);
			conn_forget(fd);
			pthread_mutex_unlock(&lock);
		}
	}
}

static void *acceptor_main(void *arg)
{
	struct epoll_event ev[8];

	for (;;) {
		int timeout = -1, n;

		if (paused_until) {
			uint64_t now = now_usec_mono();
			if (now >= paused_until)
				accept_pause(false);
			else
				timeout = (int)((paused_until - now) / 1000) + 1;
		}
		n = epoll_wait(epoll_fd, ev, (int)ELEMENTSOF(ev), timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("acceptor: epoll_wait: %s", strerror(errno));
			return NULL;
		}
		for (int i = 0; i < n; i++) {
			if (ev[i].data.u64 == TAG_STOP)
				return NULL;
			accept_some();
		}
	}
}

int acceptor_start(struct server *server)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = TAG_STOP };
	int r;

	srv = server;
	r = listen_socket(srv->cfg->listen, &listen_fd);
	if (r < 0)
		return r;
	epoll_fd = epoll_create1(EPOLL_CLOEXEC);
	stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (epoll_fd < 0 || stop_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, stop_fd, &ev) < 0) {
		r = -errno;
		goto fail;
	}
	r = accept_pause(false);
	if (r < 0)
		goto fail;
	r = -pthread_create(&thread, NULL, acceptor_main, NULL);
	if (r < 0)
		goto fail;
	started = thread_running = true;
	return 0;
fail:
	started = true;
	acceptor_stop();
	return r;
}

void acceptor_stop(void)
{
	if (!started)
		return;
	if (thread_running) {
		uint64_t one = 1;
		if (write(stop_fd, &one, sizeof(one)) != sizeof(one))
			log_warn("acceptor: cannot signal stop: %s", strerror(errno));
		pthread_join(thread, NULL);
		thread_running = false;
	}
	if (listen_fd >= 0)
		close(listen_fd);
	if (stop_fd >= 0)
		close(stop_fd);
	if (epoll_fd >= 0)
		close(epoll_fd);
	listen_fd = stop_fd = epoll_fd = -1;
	started = false;
}

void acceptor_stats(struct acceptor_stats *ret)
{
	pthread_mutex_lock(&lock);
	*ret = stats;
	ret->open = outstanding;
	pthread_mutex_unlock(&lock);
}
