/* crlpub.c - the CRL thread of eonayd (see crlpub.h).
 *
 * One thread per node with its own store connection.  Once a second, at
 * once when kicked (a status change on this node) and, on PostgreSQL,
 * when CRL_CHANNEL says another node or eonayctl changed a status, it asks
 * crl_job_start(): a cheap look at crl_state and crl_work, and a rebuild
 * only when a change waits (no sooner than pki.crl_min_interval after the
 * previous CRL) or half of the CRL's validity is gone; the build step runs
 * on a helper thread of lower priority (see rebuild()).  The
 * issuer's lease in the store lets one node build at a time; the others
 * find it taken and look again later. */
#include "server/crlpub.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"
#include "domain/publish.h"

#define TICK_MS 1000
#define BACKOFF_MAX_S 30

static pthread_t thread;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool kicked, running;
static atomic_bool stopping;

void crlpub_kick(void)
{
	pthread_mutex_lock(&mu);
	kicked = true;
	pthread_cond_signal(&cond);
	pthread_mutex_unlock(&mu);
}

static void on_notify(const char *channel, const char *payload, void *userdata)
{
	/* Any word on the channel is a reason to look; what to do is decided
	 * by the store's rows, not by the payload. */
}

/* Waits up to ms for a kick (SQLite) or a notification (PostgreSQL). */
static void wait_tick(struct db *db, bool listening, unsigned ms)
{
	struct timespec until;

	if (listening) {
		/* Kicks from this node are notifications too (db_notify at commit). */
		if (db_wait_notify(db, (int)ms, on_notify, NULL) >= 0)
			return;
	}
	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += ms / 1000;
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&mu);
	while (!kicked && !atomic_load(&stopping))
		if (pthread_cond_timedwait(&cond, &mu, &until) != 0)
			break;
	kicked = false;
	pthread_mutex_unlock(&mu);
}

/* The build step of a CRL job, on a thread of its own at nice
 * BUILD_NICE: the seconds of reading and signing a big CRL yield to the
 * requests.  The short transactions before and after (lease, store) run on
 * the CRL thread at normal priority: it holds the store's write lock then,
 * which must not wait for a CPU. */
#define BUILD_NICE 10

static void *build_thread(void *arg)
{
	struct crl_job *j = arg;

	(void)setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), BUILD_NICE);
	return (void *)(intptr_t)crl_job_build(j);
}

static int rebuild(struct db *db, struct server *srv, int64_t *ret_number)
{
	struct crl_job *j = NULL;
	pthread_t t;
	void *res = NULL;
	int r;

	*ret_number = 0;
	r = crl_job_start(db, srv->ca, srv->cfg->crl_validity, srv->cfg->crl_min_interval, &j);
	if (r < 0 || !j)
		return r;
	r = -pthread_create(&t, NULL, build_thread, j);
	if (r == 0) {
		pthread_join(t, &res);
		r = (int)(intptr_t)res;
	}
	r = crl_job_finish(j, r, ret_number);
	if (r == -ESTALE) {
		*ret_number = 0;
		return 0;	/* another node published meanwhile */
	}
	return r;
}

static void *run(void *arg)
{
	struct server *srv = arg;
	const char *target = config_store_target(srv->cfg);
	struct db *db = NULL;
	bool listening = false;
	unsigned failures = 0;

	while (!atomic_load(&stopping)) {
		int64_t number = 0;
		int r = 0;

		if (!db) {
			r = db_open(target, srv->cfg->busy_timeout_ms, &db);
			listening = r == 0 && db_target_is_pg(target) &&
				    db_listen(db, CRL_CHANNEL) == 0;
		}
		if (r == 0)
			r = rebuild(db, srv, &number);
		if (r == 0 && number > 0)
			log_info("published CRL #%lld", (long long)number);
		if (r < 0) {
			/* Logged once per run of failures; the next try comes later. */
			if (failures++ == 0)
				log_error("CRL rebuild failed: %s (%s)", strerror(-r),
					  db ? db_errmsg(db) : "no store connection");
			if (r == -EIO) {
				db_close(db);
				db = NULL;
				listening = false;
			}
			wait_tick(NULL, false, 1000u * MIN(failures, BACKOFF_MAX_S));
			continue;
		}
		if (failures > 0)
			log_info("CRL rebuild works again");
		failures = 0;
		wait_tick(db, listening, TICK_MS);
	}
	db_close(db);
	return NULL;
}

int crlpub_start(struct server *srv)
{
	int r;

	if (!srv->ca)
		return 0;
	atomic_store(&stopping, false);
	r = -pthread_create(&thread, NULL, run, srv);
	if (r < 0)
		return r;
	running = true;
	return 0;
}

void crlpub_stop(void)
{
	if (!running)
		return;
	atomic_store(&stopping, true);
	crlpub_kick();
	pthread_join(thread, NULL);
	running = false;
}
