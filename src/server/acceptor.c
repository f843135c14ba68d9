/* acceptor.c - the listening socket and the connection accounting (see
 * acceptor.h).
 *
 * One thread, one epoll set: the listening socket, an eventfd for stop,
 * and every connection handed over, for its client hanging up (below).
 * The books (connbook.h) are under one mutex shared with libmicrohttpd's
 * threads, which report closed connections.  A shed connection is shut
 * down both ways: libmicrohttpd sees the end of its stream (a long-poll
 * parked in it: waiters.c sees it) and closes it; it counts until then.
 *
 * Hang-ups: libmicrohttpd 0.9.75 watches its sockets edge-triggered and
 * takes a short read for "nothing more to read".  When a client's last
 * bytes and its FIN come in together (half a head and gone, or a request
 * and shutdown(SHUT_WR)), it reads the bytes and never reads again, so
 * the connection sits in CLOSE-WAIT, counting, until connection_timeout.
 * So the acceptor watches each connection for EPOLLRDHUP (the FIN; data
 * does not wake it), and once nothing is left unread (MSG_PEEK) shuts
 * down its reading side: a no-op after the FIN, but it wakes
 * libmicrohttpd's epoll, whose next read finds the end.  While bytes are
 * still unread, libmicrohttpd has yet to read them and may make the same
 * mistake then: the check is repeated, 10 ms later, then backing off.
 * Likewise while a request on it is in progress (its answer must go out
 * first: libmicrohttpd takes an end it reads for an abort).
 * The check runs under the books' lock, and libmicrohttpd reports a close
 * under it before closing, so the descriptor is the connection's; the
 * tag of the booking (connbook_tag) in the event tells a stale event
 * from one about a new connection on the same number. */
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
#include "common/netaddr.h"
#include "server/connbook.h"

#define TAG_LISTEN 1
#define TAG_STOP 2
#define ACCEPT_PAUSE_US 100000		/* after EMFILE and the like */
#define FD_RESERVE 256			/* descriptors kept for the store, logs, HSM ... */
#define HUP_FIRST_MS 10			/* bytes unread after a hang-up: look again then */
#define HUP_MAX_MS 1000			/* backing off up to this */

union sockaddr_any {
	struct sockaddr sa;
	struct sockaddr_in in;
	struct sockaddr_in6 in6;
	struct sockaddr_storage ss;
};

static struct server *srv;
static int listen_fd = -1, epoll_fd = -1, stop_fd = -1;
static pthread_t thread;
static bool started, thread_running;
static uint64_t paused_until;		/* acceptor thread only */

/* Hung-up connections with bytes still unread (acceptor thread only). */
struct hup {
	int fd;
	uint32_t tag;
	unsigned delay_ms;
	uint64_t due;
};
static struct hup *hups;
static size_t n_hups, cap_hups;
static uint64_t hups_due;		/* the earliest due; 0: none */

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct connbook *book;

unsigned acceptor_count_request(int fd)
{
	/* Booked before the hand-over; libmicrohttpd's locks order that
	 * before its thread gets the connection. */
	return book ? connbook_count_request(book, fd) : 0;
}

void acceptor_request_done(int fd)
{
	if (!book)
		return;
	pthread_mutex_lock(&lock);
	connbook_request_done(book, fd);
	pthread_mutex_unlock(&lock);
}

void acceptor_on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
			    enum MHD_ConnectionNotificationCode code)
{
	const union MHD_ConnectionInfo *ci;

	if (code != MHD_CONNECTION_NOTIFY_CLOSED)
		return;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	if (!ci)
		return;
	pthread_mutex_lock(&lock);
	connbook_closed(book, ci->connect_fd);
	pthread_mutex_unlock(&lock);
}

int acceptor_init(struct server *server)
{
	const struct config *cfg = server->cfg;
	unsigned budget, want;
	uint64_t seed;
	struct rlimit rl;
	int fd_max, r;

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
	want = budget = (unsigned)cfg->max_connections;
	/* What can be open (connbook_max_open) and the reserve must fit. */
	while (budget > 16 && (int64_t)budget + budget / 16 + 64 + FD_RESERVE > fd_max)
		budget = (unsigned)MAX(16, (int64_t)(fd_max - 64 - FD_RESERVE) * 16 / 17);
	if (budget < want)
		log_warn("server.max_connections %u lowered to %u: the open files limit is %d",
			 want, budget, fd_max);
	r = random_bytes(&seed, sizeof(seed));
	if (r < 0)
		return r;
	return connbook_new(budget, (unsigned)cfg->max_connections_per_client, fd_max, seed, &book);
}

unsigned acceptor_mhd_limit(void)
{
	/* libmicrohttpd splits its limit evenly over its worker threads and
	 * gives each new connection to the first with room: any one of them
	 * may get everything that is open. */
	return (unsigned)srv->cfg->threads * (connbook_max_open(book) + 64);
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

/* True when sa is in server.trusted_proxies: a proxy carries many clients
 * on its connections, so the per-client cap does not apply to it (the
 * rate limits count the clients behind it, http.c). */
static bool trusted_proxy(const struct sockaddr *sa)
{
	char text[NETADDR_STRLEN];
	struct netaddr na;

	if (srv->trusted_proxies.n == 0)
		return false;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, text, sizeof(text));
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, text,
			  sizeof(text));
	else
		return false;
	return netaddr_parse(text, strlen(text), &na) == 0 &&
	       cidr_list_contains(&srv->trusted_proxies, &na);
}

/* Books fd in (true, *ret_tag its booking's tag) or refuses it (false:
 * the caller closes it); sheds an older connection when that makes room. */
static bool admit(int fd, const struct sockaddr *sa, uint32_t *ret_tag)
{
	bool capped = !trusted_proxy(sa);
	enum connbook_verdict v;
	int shed;

	pthread_mutex_lock(&lock);
	v = connbook_admit(book, fd, sa, capped, &shed);
	*ret_tag = connbook_tag(book, fd);
	/* Under the lock: the shed descriptor is still open (libmicrohttpd
	 * reports the close, which needs the lock, before it closes). */
	if (shed >= 0)
		shutdown(shed, SHUT_RDWR);
	pthread_mutex_unlock(&lock);
	return v == CONNBOOK_ADMIT;
}

/* Watches fd for its client hanging up; without the watch (no memory
 * for it) a hang-up is still seen, later (connection_timeout). */
static void hup_watch(int fd, uint32_t tag)
{
	struct epoll_event ev = { .events = EPOLLRDHUP | EPOLLET,
				  .data.u64 = (uint64_t)tag << 32 | (uint32_t)fd };

	if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0)
		log_debug("acceptor: cannot watch socket %d: %s", fd, strerror(errno));
}

/* The client of fd (booking tag) hung up: once nothing is left unread,
 * wakes libmicrohttpd (see the top) and stops watching.  False while
 * bytes are unread: look again later. */
static bool hup_check(int fd, uint32_t tag)
{
	bool done = true;
	ssize_t k;
	char c;

	pthread_mutex_lock(&lock);
	if (connbook_tag(book, fd) == tag) {
		k = recv(fd, &c, 1, MSG_PEEK | MSG_DONTWAIT);
		/* A request in progress (a parked long-poll of a client that
		 * half-closed, waiters.c answers it) keeps its reading side:
		 * libmicrohttpd would take the end for an abort and drop the
		 * answer.  Looked at again once it is answered. */
		if (k > 0 || connbook_busy(book, fd))
			done = false;
		else if (k == 0 || (errno != EAGAIN && errno != EINTR)) {
			/* Unwatched first: the shutdown wakes this epoll too. */
			epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, NULL);
			shutdown(fd, SHUT_RD);
		}
	}
	pthread_mutex_unlock(&lock);
	return done;
}

static void hup_later(int fd, uint32_t tag)
{
	uint64_t due = now_usec_mono() + HUP_FIRST_MS * 1000;

	if (n_hups == cap_hups) {
		size_t cap = MAX(cap_hups * 2, (size_t)64);
		struct hup *n = reallocarray(hups, cap, sizeof(*hups));

		if (!n)
			return;	/* then connection_timeout closes it */
		hups = n;
		cap_hups = cap;
	}
	hups[n_hups++] = (struct hup){ fd, tag, HUP_FIRST_MS, due };
	if (!hups_due || due < hups_due)
		hups_due = due;
}

static void hup_event(uint64_t data)
{
	int fd = (int)(uint32_t)data;
	uint32_t tag = (uint32_t)(data >> 32);

	if (!hup_check(fd, tag))
		hup_later(fd, tag);
}

/* Looks again at the hung-up connections that are due. */
static void hups_run(uint64_t now)
{
	uint64_t next = 0;

	if (!hups_due || now < hups_due)
		return;
	for (size_t i = 0; i < n_hups;) {
		struct hup *h = &hups[i];

		if (h->due <= now) {
			if (hup_check(h->fd, h->tag)) {
				*h = hups[--n_hups];
				continue;
			}
			h->delay_ms = MIN(h->delay_ms * 2, HUP_MAX_MS);
			h->due = now + h->delay_ms * 1000ull;
		}
		if (!next || h->due < next)
			next = h->due;
		i++;
	}
	hups_due = next;
}

static void accept_some(void)
{
	for (unsigned i = 0; i < 64; i++) {
		union sockaddr_any a;
		socklen_t len = sizeof(a);
		uint32_t tag;
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
		if (!admit(fd, &a.sa, &tag)) {
			close(fd);
			continue;
		}
		/* Before the hand-over: until then fd is surely this one. */
		hup_watch(fd, tag);
		if (MHD_add_connection(srv->daemon, fd, &a.sa, len) != MHD_YES) {
			/* libmicrohttpd closed it (out of memory): no report follows. */
			log_warn("connection refused by libmicrohttpd: %s", strerror(errno));
			pthread_mutex_lock(&lock);
			connbook_closed(book, fd);
			pthread_mutex_unlock(&lock);
		}
	}
}

static void *acceptor_main(void *arg)
{
	struct epoll_event ev[64];

	for (;;) {
		uint64_t now = now_usec_mono();
		int timeout = -1, n;

		if (paused_until) {
			if (now >= paused_until)
				accept_pause(false);
			else
				timeout = (int)((paused_until - now) / 1000) + 1;
		}
		if (hups_due) {
			int t = hups_due > now ? (int)((hups_due - now) / 1000) + 1 : 0;
			timeout = timeout < 0 ? t : MIN(timeout, t);
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
			if (ev[i].data.u64 == TAG_LISTEN)
				accept_some();
			else if (ev[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR))
				hup_event(ev[i].data.u64);
		}
		hups_run(now_usec_mono());
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
	free(hups);
	hups = NULL;
	n_hups = cap_hups = 0;
	hups_due = 0;
	started = false;
}

void acceptor_stats(struct connbook_stats *ret)
{
	pthread_mutex_lock(&lock);
	connbook_stats(book, ret);
	pthread_mutex_unlock(&lock);
}
