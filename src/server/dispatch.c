/* dispatch.c - delivers the outbox (see dispatch.h).
 *
 * Each round claims up to 50 due messages with a 5-minute lease, delivers
 * each and marks it sent, or failed with back-off (notify_failed).  A
 * channel goes where it is configured: e-mail by SMTP (notify.smtp_url),
 * SMS by an HTTP gateway (notify.sms_url: POST {"to","text"} as JSON, any
 * 2xx is delivered), and otherwise to the spool directory
 * (notify.spool_dir, default DATA/spool), one file per message named by
 * its id, so that a message delivered again after a crash between the
 * write and the mark is the same file, not a second one.  A crash leaves
 * the claim to run out; nothing is lost.  The URLs may carry credentials:
 * they are never logged. */
#include "server/dispatch.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <time.h>

#include "common/log.h"
#include "domain/applications.h"
#include "domain/notify.h"
#include <jansson.h>

#define DISPATCH_BATCH 50
#define DISPATCH_LEASE 300
#define DISPATCH_TIMEOUT 30L

struct upload {
	const char *data;
	size_t len, off;
};

static size_t upload_read(char *buf, size_t size, size_t n, void *userdata)
{
	struct upload *u = userdata;
	size_t k = MIN(size * n, u->len - u->off);

	memcpy(buf, u->data + u->off, k);
	u->off += k;
	return k;
}

static size_t discard(char *buf, size_t size, size_t n, void *userdata)
{
	return size * n;
}

/* Recipients and senders go into protocol lines: nothing that could end one. */
static bool address_ok(const char *s)
{
	return s && *s && !strpbrk(s, "\r\n<>\"\\ ") && strlen(s) < 255;
}

/* "=?UTF-8?B?...?=" (RFC 2047) for a header that may hold Turkish letters. */
static char *header_utf8(const char *s)
{
	_cleanup_free_ char *b = NULL;

	if (base64_encode(s, strlen(s), &b) < 0)
		return NULL;
	return strdup_printf("=?UTF-8?B?%s?=", b);
}

/* The text with every line ending as CRLF. */
static char *crlf(const char *s)
{
	size_t n = 0;
	char *out, *p;

	for (const char *q = s; *q; q++)
		n += *q == '\n' ? 2 : 1;
	out = malloc(n + 1);
	if (!out)
		return NULL;
	p = out;
	for (const char *q = s; *q; q++) {
		if (*q == '\n' && (q == s || q[-1] != '\r'))
			*p++ = '\r';
		*p++ = *q;
	}
	*p = '\0';
	return out;
}

static int curl_result(CURL *c, CURLcode rc, bool http, char **ret_err)
{
	long status = 0;

	if (rc != CURLE_OK) {
		*ret_err = strdup(curl_easy_strerror(rc));
		return -EIO;
	}
	if (http) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
		if (status < 200 || status > 299) {
			*ret_err = strdup_printf("gateway answered HTTP %ld", status);
			return -EIO;
		}
	}
	return 0;
}

static int send_smtp(const struct config *cfg, const struct notify_msg *m, char **ret_err)
{
	_cleanup_free_ char *subject = NULL, *body = NULL, *text = NULL, *from = NULL, *to = NULL;
	struct curl_slist *rcpt = NULL;
	struct upload up;
	char date[64];
	struct tm tm;
	time_t t = time(NULL);
	CURLcode rc;
	CURL *c;
	int r;

	if (!address_ok(m->recipient) || !address_ok(cfg->notify_mail_from)) {
		*ret_err = strdup("bad e-mail address");
		return -EINVAL;
	}
	gmtime_r(&t, &tm);
	/* RFC 5322 names, not the locale's. */
	static const char *const wd[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char *const mo[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
					  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	snprintf(date, sizeof(date), "%s, %02d %s %04d %02d:%02d:%02d +0000", wd[tm.tm_wday],
		 tm.tm_mday, mo[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
	subject = header_utf8(m->subject);
	body = crlf(m->body);
	from = strdup_printf("<%s>", cfg->notify_mail_from);
	to = strdup_printf("<%s>", m->recipient);
	if (!subject || !body || !from || !to)
		return -ENOMEM;
	text = strdup_printf("Date: %s\r\nFrom: %s\r\nTo: %s\r\nMessage-ID: <%s@eonay>\r\n"
			     "Subject: %s\r\nMIME-Version: 1.0\r\n"
			     "Content-Type: text/plain; charset=UTF-8\r\n"
			     "Content-Transfer-Encoding: 8bit\r\n\r\n%s\r\n",
			     date, from, to, m->id, subject, body);
	if (!text)
		return -ENOMEM;
	c = curl_easy_init();
	rcpt = curl_slist_append(NULL, to);
	if (!c || !rcpt) {
		curl_easy_cleanup(c);
		curl_slist_free_all(rcpt);
		return -ENOMEM;
	}
	up = (struct upload){ text, strlen(text), 0 };
	curl_easy_setopt(c, CURLOPT_URL, cfg->notify_smtp_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
	curl_easy_setopt(c, CURLOPT_MAIL_FROM, from);
	curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
	curl_easy_setopt(c, CURLOPT_READFUNCTION, upload_read);
	curl_easy_setopt(c, CURLOPT_READDATA, &up);
	curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)up.len);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, DISPATCH_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	r = curl_result(c, rc, false, ret_err);
	curl_slist_free_all(rcpt);
	curl_easy_cleanup(c);
	return r;
}

static int send_sms(const struct config *cfg, const struct notify_msg *m, char **ret_err)
{
	_cleanup_free_ char *json = NULL;
	struct curl_slist *h = NULL;
	json_t *o;
	CURLcode rc;
	CURL *c;
	int r;

	o = json_pack("{s:s,s:s}", "to", m->recipient, "text", m->body);
	json = o ? json_dumps(o, JSON_COMPACT) : NULL;
	json_decref(o);
	if (!json)
		return -ENOMEM;
	c = curl_easy_init();
	h = curl_slist_append(NULL, "Content-Type: application/json");
	if (!c || !h) {
		curl_easy_cleanup(c);
		curl_slist_free_all(h);
		return -ENOMEM;
	}
	curl_easy_setopt(c, CURLOPT_URL, cfg->notify_sms_url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, json);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, DISPATCH_TIMEOUT);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	rc = curl_easy_perform(c);
	r = curl_result(c, rc, true, ret_err);
	curl_slist_free_all(h);
	curl_easy_cleanup(c);
	return r;
}

/* Delivers one message by its channel's configured way. */
static int deliver(const struct config *cfg, const struct notify_msg *m, const char **ret_how,
		   char **ret_err)
{
	int r;

	if (streq(m->channel, "email") && cfg->notify_smtp_url) {
		*ret_how = "SMTP";
		return send_smtp(cfg, m, ret_err);
	}
	if (streq(m->channel, "sms") && cfg->notify_sms_url) {
		*ret_how = "the SMS gateway";
		return send_sms(cfg, m, ret_err);
	}
	*ret_how = "the spool";
	r = notify_spool_write(cfg->notify_spool_dir, m);
	if (r < 0)
		*ret_err = strdup(strerror(-r));
	return r;
}

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
		_cleanup_free_ char *err = NULL;
		const char *how = "?";

		r = deliver(cfg, &m[i], &how, &err);
		if (r == 0) {
			r = notify_done(db, m[i].id, token);
			sent++;
		} else if (r == -ENOMEM) {
			break;
		} else {
			log_warn("notification %s (%s) by %s: %s; tried again later", m[i].id,
				 m[i].channel, how, err ? err : strerror(-r));
			r = notify_failed(db, m[i].id, token, err ? err : strerror(-r));
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

	r = db_open(config_store_target(srv->cfg), srv->cfg->busy_timeout_ms, &db);
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
			log_info("delivered %lld notification(s)", (long long)sent);
		/* The application scheduler rides on the same loop: renewals whose
		 * window opened are released (their notices go out next round). */
		{
			size_t released = 0;

			r = application_release_due(db, application_now(srv->cfg), &released);
			if (r < 0)
				log_warn("application scheduler: %s (%s)", strerror(-r), db_errmsg(db));
			else if (released)
				log_info("released %zu renewal application(s) whose window opened",
					 released);
			r = application_expire_unfinished(db, application_now(srv->cfg), &released);
			if (r < 0)
				log_warn("application scheduler: %s (%s)", strerror(-r), db_errmsg(db));
			else if (released)
				log_info("cancelled %zu unfinished application(s) left too long",
					 released);
		}
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
	const struct config *cfg = srv->cfg;
	int r;

	if (cfg->notify_smtp_url && strncmp(cfg->notify_smtp_url, "smtp://", 7) != 0 &&
	    strncmp(cfg->notify_smtp_url, "smtps://", 8) != 0) {
		log_error("notify.smtp_url must start with smtp:// or smtps://");
		return -EINVAL;
	}
	if (cfg->notify_sms_url && strncmp(cfg->notify_sms_url, "http://", 7) != 0 &&
	    strncmp(cfg->notify_sms_url, "https://", 8) != 0) {
		log_error("notify.sms_url must start with http:// or https://");
		return -EINVAL;
	}
	if (cfg->notify_smtp_url && !address_ok(cfg->notify_mail_from)) {
		log_error("notify.mail_from is not a plain e-mail address");
		return -EINVAL;
	}
	if ((cfg->notify_smtp_url || cfg->notify_sms_url) &&
	    curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
		return -EIO;
	log_info("notifications: e-mail by %s, SMS by %s", cfg->notify_smtp_url ? "SMTP" : "the spool",
		 cfg->notify_sms_url ? "the HTTP gateway" : "the spool");
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
