/* dispatch.c - delivers the outbox (see dispatch.h).
 *
 * Each round claims up to 50 due messages with a 5-minute lease, delivers
 * each and marks it sent, or failed with back-off (notify_failed).  The
 * spool directory (notify.spool_dir, default DATA/spool) is the one
 * channel for now: e-mail and SMS both land there, one file per message,
 * named by the message id, so that a message delivered again after a
 * crash between the write and the mark is the same file, not a second
 * one.  A crash leaves the claim to run out; nothing is lost. */
#include "server/dispatch.h"

#include <pthread.h>

#include "common/log.h"
#include "domain/notify.h"

#define DISPATCH_BATCH 50
#define DISPATCH_LEASE 300

static pthread_t thread;
static bool running;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static bool stopping;

int dispatch_round(struct db *db, const struct config *cfg, int64_t *ret_sent)
{
	struct notify_msg *m = NULL;
	char token[33];
	int64_t sent = 0;
	size_t n = 0;
	int r;

	r = notify_claim(db, DISPATCH_BATCH, DISPATCH_LEASE, token, &m, &n);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		r = notify_spool_write(cfg->notify_spool_dir, &m[i]);
		if (r == 0) {
			r = notify_done(db, m[i].id, token);
			sent++;
		} else {
			log_warn("notification %s to the spool %s: %s; tried again later", m[i].id,
				 cfg->notify_spool_dir, strerror(-r));
			r = notify_failed(db, m[i].id, token, strerror(-r));
		}
		if (r < 0)
			break;
	}
	notify_msg_free_array(m, n);
	if (ret_sent)
		*ret_sent = sent;
	return r < 0 ? r : 0;
}

static void *run(void *arg)
{
	struct server *srv = arg;
	_cleanup_(db_closep) struct db *db = NULL;
	int r;

	r = db_open(srv->cfg->db_path, srv->cfg->busy_timeout_ms, &db);
	if (r < 0) {
		log_error("notification dispatcher: cannot open the store: %s", strerror(-r));
		return NULL;
	}
	pthread_mutex_lock(&lock);
	while (!stopping) {
		struct timespec until;
		int64_t sent = 0;

		pthread_mutex_unlock(&lock);
		r = dispatch_round(db, srv->cfg, &sent);
		if (r < 0)
			log_warn("notification dispatcher: %s (%s)", strerror(-r), db_errmsg(db));
		else if (sent)
			log_info("delivered %lld notification(s) to %s", (long long)sent,
				 srv->cfg->notify_spool_dir);
		pthread_mutex_lock(&lock);
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += srv->cfg->notify_interval;
		while (!stopping && pthread_cond_timedwait(&cond, &lock, &until) == 0)
			;
	}
	pthread_mutex_unlock(&lock);
	return NULL;
}

int dispatch_start(struct server *srv)
{
	int r;

	if (srv->cfg->notify_smtp_url || srv->cfg->notify_sms_url) {
		log_error("notify.smtp_url / notify.sms_url: delivery by SMTP or an SMS gateway is "
			  "not supported yet; notifications go to notify.spool_dir");
		return -ENOTSUP;
	}
	r = mkdir_p(srv->cfg->notify_spool_dir, 0700);
	if (r < 0) {
		log_error("cannot create the spool directory %s: %s", srv->cfg->notify_spool_dir,
			  strerror(-r));
		return r;
	}
	stopping = false;
	r = -pthread_create(&thread, NULL, run, srv);
	if (r < 0)
		return r;
	running = true;
	return 0;
}

void dispatch_stop(void)
{
	if (!running)
		return;
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	pthread_join(thread, NULL);
	running = false;
}
