/* main.c - eonayd: command line, start-up checks, signal loop.
 *
 * Start-up order: settings (refused with file:line:reason when invalid),
 * data directory, store (migrations applied; a newer schema is refused),
 * server keys, HTTP.  Then the main thread only waits for SIGINT/SIGTERM
 * and does housekeeping once a minute. */
#include <curl/curl.h>
#include <getopt.h>
#include <openssl/crypto.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <sys/stat.h>

#include "common/log.h"
#include "config-build.h"
#include "domain/authority.h"
#include "domain/cards.h"
#include "domain/edevlet.h"
#include "domain/appdoc.h"
#include "domain/apply.h"
#include "domain/captcha.h"
#include "domain/notify.h"
#include "domain/publish.h"
#include "domain/password.h"
#include "domain/signing.h"
#include "server/acceptor.h"
#include "server/crlpub.h"
#include "server/dispatch.h"
#include "server/http.h"
#include "pki/ocsp-cache.h"
#include "server/ratelimit.h"
#include "server/waiters.h"
#include "domain/websession.h"
#include "server/wake.h"
#include "store/audit.h"

static void help(void)
{
	printf("Usage: eonayd [OPTIONS]\n"
	       "\n"
	       "The eonay server: web portal, JSON API, signing API, OCSP and CRL.\n"
	       "\n"
	       "Options:\n"
	       "  --data DIR             data directory (default $EONAY_DATA or ./eonay-data)\n"
	       "  --config FILE          settings file (default DATA/eonay.conf when present)\n"
	       "  --listen HOST:PORT     address to listen on (default 127.0.0.1:8080)\n"
	       "  --set SECTION.KEY=VAL  override one setting (repeatable)\n"
	       "  --log-level LEVEL      error, warn, info or debug\n"
	       "  --print-config         print the effective settings (secrets masked) and exit\n"
	       "  -h, --help             show this help\n"
	       "  --version              show the version\n"
	       "\n"
	       "Settings are read from defaults, then the file, then EONAY_SECTION_KEY\n"
	       "environment variables, then the command line.  See docs/CONFIGURATION.md.\n");
}

/* Logs the audit chain's head: checkpoints an operator can keep outside the
 * store ('eonayctl audit verify --checkpoint ID:MAC'). */
static void log_audit_head(struct db *db)
{
	struct audit_checkpoint head;
	int r = audit_head_get(db, &head);

	if (r < 0)
		log_error("audit head does not verify: %s; run 'eonayctl audit verify'",
			  r == -EUCLEAN ? audit_fault_str(AUDIT_HEAD_MAC) : strerror(-r));
	else
		log_info("audit head id=%lld mac=%s", (long long)head.id, head.mac);
}

/* Refusals that are only rate limiting: one line a minute, not one each. */
static void log_rate_limited(void)
{
	static uint64_t last[_RATELIMIT_MAX];
	uint64_t now[_RATELIMIT_MAX];

	ratelimit_refusals(now);
	for (size_t k = 0; k < _RATELIMIT_MAX; k++) {
		if (now[k] != last[k])
			log_info("rate limit: refused %llu %s request(s) since the last report",
				 (unsigned long long)(now[k] - last[k]),
				 ratelimit_kind_str((enum ratelimit_kind)k));
		last[k] = now[k];
	}
}

static int housekeeping(struct server *srv)
{
	static bool started;
	_cleanup_(db_closep) struct db *db = NULL;
	struct config *cfg = srv->cfg;
	bool published = false;
	int64_t n = 0;
	int r;

	r = db_open(config_store_target(cfg), cfg->busy_timeout_ms, &db);
	if (r < 0)
		return r;
	log_audit_head(db);
	r = websession_purge(db, cfg, &n);
	if (r == 0 && n > 0)
		log_info("purged %lld expired browser sessions", (long long)n);
	if (r == 0)
		r = signing_purge(db, cfg, &n);
	if (r == 0 && n > 0)
		log_info("purged %lld expired signing sessions without a signature", (long long)n);
	if (r == 0)
		r = ratelimit_purge(db, &n);
	if (r == 0)
		r = edevlet_purge(db, &n);
	/* The application portal: captchas, old drafts, and applications
	 * whose e-signature was accepted but not yet moved on. */
	if (r == 0)
		r = captcha_purge(db, &n);
	if (r == 0)
		r = apply_purge(db, &n);
	if (r == 0) {
		size_t k = 0;

		r = apply_esign_finish(db, NULL, &k);
		if (r == 0 && k > 0)
			log_info("moved on %zu e-signed applications", k);
	}
	if (r == 0)
		r = password_purge(db, cfg, &n);
	/* Notifications are kept 90 days after they were written. */
	if (r == 0)
		r = notify_purge(db, now_sec() - 90 * 86400, &n);
	log_rate_limited();
	/* The CRL is the CRL thread's (crlpub.c), but before it starts: one
	 * when there is none yet or it is due. */
	if (r == 0 && srv->ca && !started) {
		r = crl_refresh_if_due(db, srv->ca, cfg->crl_validity, &published);
		if (r == 0 && published)
			log_info("published a new CRL");
	}
	started = true;
	return r;
}

/* Opens the CA when one was created (OCSP, CRLs need its keys). */
static int open_ca(struct server *srv)
{
	int r = authority_open(srv->cfg, &srv->ca);

	if (r == -ENOENT) {
		log_warn("no CA in %s yet ('eonayctl pki init'): OCSP, CRL and signatures are off",
			 srv->cfg->pki_dir);
		return 0;
	}
	if (r < 0)
		log_error("cannot open the CA in %s: %s", srv->cfg->pki_dir, strerror(-r));
	return r;
}

/* The audit key, derived from the master key (not in the store); then a
 * chain written before the key existed is sealed, once. */
static int prepare_audit(struct config *cfg, struct db *db, bool upgrade)
{
	struct audit_report rep = { 0 };
	unsigned char master[32];
	int64_t n = 0;
	int r;

	r = master_key_load(cfg, master);
	if (r >= 0)
		r = audit_set_key(master);
	OPENSSL_cleanse(master, sizeof(master));
	if (r < 0) {
		log_error("cannot load the master key (%s): %s",
			  cfg->master_key ? "security.master_key" : cfg->master_key_file,
			  strerror(-r));
		return r;
	}
	r = audit_seal(db, upgrade, &n, &rep);
	if (r == -EUCLEAN)
		log_error("the audit log does not verify (event %lld: %s): refusing to seal it "
			  "and to run; see 'eonayctl audit verify'",
			  (long long)rep.bad_id, audit_fault_str(rep.fault));
	else if (r < 0)
		log_error("sealing the audit log failed: %s", strerror(-r));
	else if (n > 0)
		log_warn("audit log: sealed %lld events written before the audit key existed "
			 "(one-time upgrade)", (long long)n);
	return r;
}

static int prepare_store(struct config *cfg)
{
	_cleanup_(db_closep) struct db *db = NULL;
	int64_t before = 0;
	int applied = 0, r;

	r = db_open(config_store_target(cfg), cfg->busy_timeout_ms, &db);
	if (r < 0) {
		log_error("cannot open store %s: %s", config_store_name(cfg), strerror(-r));
		return r;
	}
	/* Whether this start makes the audit chain keyed (audit_seal). */
	r = db_schema_version(db, &before);
	if (r >= 0)
		r = db_migrate(db, &applied);
	if (r == -EPROTO) {
		int64_t v = 0;
		db_schema_version(db, &v);
		log_error("store %s has schema version %lld, newer than this eonayd knows (%d): "
			  "refusing to run; upgrade eonayd",
			  config_store_name(cfg), (long long)v, db_schema_version_known());
		return r;
	}
	if (r < 0) {
		log_error("migrating store %s failed: %s (%s)", config_store_name(cfg), strerror(-r),
			  db_errmsg(db));
		return r;
	}
	if (applied > 0)
		log_info("store %s: applied %d migration(s), schema now %d", config_store_name(cfg),
			 applied, db_schema_version_known());
	r = prepare_audit(cfg, db, before < AUDIT_KEYED_SCHEMA);
	if (r < 0)
		return r;
	r = audit_append(db, false, "system", "server.start", cfg->listen, "ok", NULL);
	if (r < 0)
		log_error("cannot write the audit log: %s", strerror(-r));
	return r;
}

int main(int argc, char **argv)
{
	enum { OPT_DATA = 256, OPT_CONFIG, OPT_LISTEN, OPT_SET, OPT_LOG_LEVEL,
	       OPT_PRINT_CONFIG, OPT_VERSION };
	static const struct option options[] = {
		{ "data", required_argument, NULL, OPT_DATA },
		{ "config", required_argument, NULL, OPT_CONFIG },
		{ "listen", required_argument, NULL, OPT_LISTEN },
		{ "set", required_argument, NULL, OPT_SET },
		{ "log-level", required_argument, NULL, OPT_LOG_LEVEL },
		{ "print-config", no_argument, NULL, OPT_PRINT_CONFIG },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, OPT_VERSION },
		{}
	};
	_cleanup_free_ char *err = NULL, *listen_set = NULL, *level_set = NULL;
	_cleanup_free_ char **sets = NULL;
	const char *data = NULL, *file = NULL;
	bool print_config = false;
	struct server srv = { 0 };
	struct config cfg;
	enum log_level lvl;
	size_t n_sets = 0;
	sigset_t mask;
	int c, r;

	/* Whatever eonayd or a library in it (SQLite, SoftHSM) creates is
	 * its own: files 0600, directories 0700 (docs/SECURITY.md). */
	umask(077);
	sets = calloc((size_t)argc + 2, sizeof(char *));
	if (!sets)
		return 1;
	while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0) {
		switch (c) {
		case OPT_DATA:
			data = optarg;
			break;
		case OPT_CONFIG:
			file = optarg;
			break;
		case OPT_LISTEN:
			free(listen_set);
			listen_set = strdup_printf("server.listen=%s", optarg);
			break;
		case OPT_SET:
			sets[n_sets++] = optarg;
			break;
		case OPT_LOG_LEVEL:
			free(level_set);
			level_set = strdup_printf("log.level=%s", optarg);
			break;
		case OPT_PRINT_CONFIG:
			print_config = true;
			break;
		case 'h':
			help();
			return 0;
		case OPT_VERSION:
			printf("eonayd %s\n", EONAY_VERSION);
			return 0;
		default:
			fprintf(stderr, "eonayd: try 'eonayd --help'\n");
			return 2;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "eonayd: unexpected argument '%s'; try 'eonayd --help'\n",
			argv[optind]);
		return 2;
	}
	/* Dedicated options come last: the command line wins. */
	if (listen_set)
		sets[n_sets++] = listen_set;
	if (level_set)
		sets[n_sets++] = level_set;

	r = config_load_all(&cfg, data, file, sets, n_sets, &err);
	if (r < 0) {
		fprintf(stderr, "eonayd: invalid settings: %s\n", err ? err : strerror(-r));
		config_done(&cfg);
		return 1;
	}
	if (print_config) {
		config_print(&cfg, stdout);
		config_done(&cfg);
		return 0;
	}
	if (log_level_parse(cfg.log_level, &lvl) == 0)
		log_set_level(lvl);
	srv.cfg = &cfg;
	srv.https = strncmp(cfg.base_url, "https://", 8) == 0;
	/* A captcha answer everybody knows is for automated tests only. */
	if (!isempty(cfg.apply_captcha_test_answer)) {
		if (srv.https) {
			log_error("apply.captcha_test_answer is set and server.base_url is https:"
				  " refusing to start (the test answer is for automated tests only)");
			config_done(&cfg);
			return 1;
		}
		log_warn("apply.captcha_test_answer is set: every captcha also accepts the test"
			 " answer (for automated tests only)");
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);	/* the E-Devlet provider (edevlet-client.c) */
	if (cfg.edevlet_issuer)
		log_info("E-Devlet ile Giriş: issuer %s", cfg.edevlet_issuer);

	r = datadir_prepare(cfg.data_dir);
	if (r < 0) {
		log_error("cannot create data directory %s: %s", cfg.data_dir, strerror(-r));
		goto out;
	}
	if (r > 0)
		log_warn("data directory %s was open to group or others; now 0700", cfg.data_dir);
	r = prepare_store(&cfg);
	if (r < 0)
		goto out;
	r = server_key_load(cfg.data_dir, "session.key", srv.session_key, sizeof(srv.session_key));
	if (r >= 0)
		r = server_key_load(cfg.data_dir, "code.key", srv.code_key, sizeof(srv.code_key));
	if (r < 0) {
		log_error("cannot load the keys in %s/keys: %s", cfg.data_dir, strerror(-r));
		goto out;
	}
	r = cidr_list_parse(cfg.trusted_proxies, &srv.trusted_proxies, &err);
	if (r < 0) {
		log_error("server.trusted_proxies: %s", err ? err : strerror(-r));
		goto out;
	}
	r = open_ca(&srv);
	if (r >= 0)
		r = pki_ocsp_cache_new((size_t)cfg.ocsp_cache, &srv.ocsp_cache);
	if (r < 0)
		goto out;
	r = housekeeping(&srv);
	if (r < 0)
		log_warn("housekeeping failed: %s", strerror(-r));
	/* A crash may have come between a status change and its CRL (within
	 * the second housekeeping cannot tell apart): publish once at start. */
	if (srv.ca) {
		_cleanup_(db_closep) struct db *db = NULL;

		r = db_open(config_store_target(&cfg), cfg.busy_timeout_ms, &db);
		if (r == 0)
			r = crl_publish(db, srv.ca, cfg.crl_validity, NULL);
		if (r < 0)
			log_warn("cannot publish the CRL at start: %s", strerror(-r));
	}
	/* Block the signals before any thread starts (the long-poll timer, the
	 * HTTP workers) so that all inherit it and only sigtimedwait() below
	 * takes them; otherwise SIGTERM could kill a thread's default way. */
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &mask, NULL);
	r = acceptor_init(&srv);
	if (r >= 0)
		r = waiters_start();
	if (r >= 0)
		r = dispatch_start(&srv);
	if (r >= 0)
		r = crlpub_start(&srv);
	if (r < 0)
		goto out;
	r = wake_start(&srv);
	if (r < 0) {
		log_error("cannot start the cross-node wake: %s", strerror(-r));
		goto out;
	}

	r = http_start(&srv);
	if (r < 0) {
		log_error("cannot start libmicrohttpd");
		goto out;
	}
	r = acceptor_start(&srv);
	if (r < 0) {
		log_error("cannot listen on %s: %s", cfg.listen, strerror(-r));
		goto out;
	}
	log_info("eonayd %s listening on http://%s/ (data %s, %lld threads)", EONAY_VERSION,
		 cfg.listen, cfg.data_dir, (long long)cfg.threads);

	for (;;) {
		struct timespec tick = { .tv_sec = 60 };
		int sig = sigtimedwait(&mask, NULL, &tick);

		if (sig == SIGINT || sig == SIGTERM) {
			log_info("signal %d: shutting down", sig);
			break;
		}
		if (sig < 0 && errno == EAGAIN) {
			r = housekeeping(&srv);
			if (r < 0)
				log_warn("housekeeping failed: %s", strerror(-r));
		}
	}
	r = 0;
out:
	/* Stop the cross-node listener, wake every parked request (MHD must
	 * not stop with suspended connections), then stop accepting, then stop
	 * MHD, which the acceptor hands connections to. */
	wake_stop();
	waiters_stop();
	dispatch_stop();
	crlpub_stop();
	acceptor_stop();
	http_stop(&srv);
	pki_ocsp_cache_free(srv.ocsp_cache);
	pki_ca_free(srv.ca);
	cidr_list_done(&srv.trusted_proxies);
	server_db_close_all();
	appdoc_fonts_release();	/* the captcha's and the PDF's font caches */
	OPENSSL_cleanse(srv.session_key, sizeof(srv.session_key));
	OPENSSL_cleanse(srv.code_key, sizeof(srv.code_key));
	audit_clear_key();
	config_done(&cfg);
	return r < 0 ? 1 : 0;
}
