/* acceptor.c - the listening socket and the held long-polls (see
 * acceptor.h).
 *
 * One thread, one epoll set: the listening socket, an eventfd for stop,
 * and every held connection (EPOLLRDHUP only: its unread request must not
 * wake us; a client that goes away must).  The held connection itself is a
 * waiter in waiters.c, which owns its deadline and wakes it; the epoll data
 * carries the descriptor and a tag so that a stale event never touches a
 * later connection that got the same descriptor number. */
#include "server/acceptor.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>

#include "common/log.h"
#include "server/reqhead.h"
#include "domain/signing.h"
#include "server/waiters.h"
#include "domain/websession.h"

#define TAG_LISTEN UINT64_MAX
#define TAG_STOP (UINT64_MAX - 1)
#define ACCEPT_PAUSE_US 100000		/* after EMFILE and the like */

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
static uint32_t last_tag;		/* acceptor thread only */
static uint64_t paused_until;		/* acceptor thread only */
static atomic_uchar released[ACCEPTOR_MAX_FD];	/* untouched pages cost nothing */

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
	/* Accept once the first bytes are there, so that one peek sees the
	 * request head.  A connection that sends nothing stays in the kernel
	 * for this long; then it is accepted and goes to MHD, which times it
	 * out like any idle one. */
	r = (int)MAX(srv->cfg->connection_timeout, 1);
	if (setsockopt(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, &r, sizeof(r)) < 0)
		log_warn("TCP_DEFER_ACCEPT: %s", strerror(errno));
	*ret_fd = fd;
	return 0;
}

static void handover(int fd, const struct sockaddr *sa, socklen_t sa_len)
{
	if (MHD_add_connection(srv->daemon, fd, sa, sa_len) != MHD_YES) {
		/* MHD closed it (at its connection limit, or out of memory). */
		if (fd < ACCEPTOR_MAX_FD)
			atomic_store(&released[fd], 0);
		log_warn("connection refused by libmicrohttpd: %s", strerror(errno));
	}
}

/* Holds fd when its first request is a long-poll that would only wait:
 * 0 when held, < 0 when it is MHD's. */
static int hold(int fd, const struct sockaddr *sa, socklen_t sa_len)
{
	char buf[REQHEAD_MAX];
	struct signing_session s = { 0 };
	struct wait_head h = { 0 };
	struct websession ws = { 0 };
	struct epoll_event ev = { .events = EPOLLRDHUP };
	unsigned ms;
	struct db *db;
	uint32_t tag;
	ssize_t n;
	int r;

	if (fd >= ACCEPTOR_MAX_FD)
		return -EBUSY;
	/* A head MHD's pool could not take is not held only to get a 431. */
	n = recv(fd, buf, MIN(sizeof(buf), (size_t)srv->cfg->connection_memory / 2), MSG_PEEK);
	if (n <= 0)
		return -EAGAIN;
	r = reqhead_parse_wait(buf, (size_t)n, WEBSESSION_COOKIE, &h);
	OPENSSL_cleanse(buf, (size_t)n);	/* the cookie is a secret */
	if (r < 0)
		goto out;
	/* Reads only: this thread never waits for the store's write lock. */
	r = server_db(srv, &db);
	if (r >= 0)
		r = websession_peek(db, srv->cfg, h.sid, &ws);
	if (r >= 0)
		r = signing_peek_own(db, h.id, ws.id_hash, &s);
	if (r < 0)
		goto out;
	ms = signing_wait_ms(srv->cfg, &s, h.state);
	signing_session_done(&s);
	r = -EAGAIN;
	if (ms == 0)
		goto out;	/* answered at once: MHD's */

	tag = ++last_tag ?: ++last_tag;
	ev.data.u64 = (uint64_t)tag << 32 | (uint32_t)fd;
	if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		r = -errno;
		goto out;
	}
	r = waiter_hold(h.id, fd, sa, sa_len, tag, ms);
	if (r < 0) {
		epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, NULL);
		goto out;
	}
	/* From here on fd belongs to waiters.c.  Re-read after holding: a
	 * change in between must not be lost. */
	if (signing_peek_own(db, h.id, ws.id_hash, &s) < 0 ||
	    !streq(h.state, signing_state_str(s.state)))
		waiter_wake_held(fd, tag);
	signing_session_done(&s);
	r = 0;
out:
	OPENSSL_cleanse(&h, sizeof(h));
	OPENSSL_cleanse(&ws, sizeof(ws));
	return r;
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

/* Held connections and MHD's together at server.max_connections? */
static bool budget_spent(void)
{
	const union MHD_DaemonInfo *di;
	struct waiters_stats ws;

	/* Only this thread asks MHD: the call writes a sum into the daemon. */
	di = MHD_get_daemon_info(srv->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
	waiters_stats(&ws);
	return (int64_t)ws.held + (di ? di->num_connections : 0) >= srv->cfg->max_connections;
}

/* accept(2)'s errors that are the one pending connection's, not ours. */
static bool accept_error_transient(int e)
{
	return e == EINTR || e == ECONNABORTED || e == EPROTO || e == ENETDOWN ||
	       e == ENOPROTOOPT || e == EHOSTDOWN || e == ENONET || e == EHOSTUNREACH ||
	       e == EOPNOTSUPP || e == ENETUNREACH || e == EPERM;
}

static void accept_some(void)
{
	for (unsigned i = 0; i < 64; i++) {
		union sockaddr_any a;
		socklen_t len = sizeof(a);
		int fd;

		if (budget_spent()) {
			/* Full: new connections wait in the kernel's backlog. */
			accept_pause(true);
			return;
		}
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
		if (fd < ACCEPTOR_MAX_FD)
			atomic_store(&released[fd], 0);
		if (hold(fd, &a.sa, len) < 0)
			handover(fd, &a.sa, len);
	}
}

static void *acceptor_main(void *arg)
{
	struct epoll_event ev[64];

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
			uint64_t d = ev[i].data.u64;
			int fd = (int)(uint32_t)d;

			if (d == TAG_STOP)
				return NULL;
			if (d == TAG_LISTEN)
				accept_some();
			else if (!(ev[i].events & (EPOLLHUP | EPOLLERR)))
				/* Half-closed: it may still read; answer it now. */
				waiter_wake_held(fd, (uint32_t)(d >> 32));
			else if (waiter_unhold(fd, (uint32_t)(d >> 32)))
				close(fd);	/* the client went away while held */
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

void acceptor_release(int fd, const struct sockaddr *sa, socklen_t sa_len)
{
	epoll_ctl(epoll_fd, EPOLL_CTL_DEL, fd, NULL);
	atomic_store(&released[fd], 1);
	handover(fd, sa, sa_len);
}

void acceptor_drop(int fd)
{
	close(fd);
}

bool acceptor_take_released(int fd)
{
	return fd >= 0 && fd < ACCEPTOR_MAX_FD && atomic_exchange(&released[fd], 0);
}
