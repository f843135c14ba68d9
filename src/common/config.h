/* config.h - the effective settings of eonayd / eonayctl.
 *
 * One INI file format.  Precedence, lowest first:
 *   built-in defaults -> file (DATA/eonay.conf or --config FILE)
 *   -> environment (EONAY_SECTION_KEY) -> command line (--set section.key=v
 *   and the dedicated options such as --listen).
 * Every setting is described once, in the table in config.c. */
#pragma once
#include <stdio.h>

#include "common/util.h"

struct config {
	char *data_dir;		/* holds eonay.db, keys/, spool/ */
	char *config_file;	/* the file that was read, or NULL */

	/* [server] */
	char *listen;		/* HOST:PORT */
	char *base_url;		/* public URL, for cookies (Secure) and PKI URLs */
	bool base_url_derived;	/* not set: derived from listen */
	char *trusted_proxies;	/* CIDR list whose X-Forwarded-For is believed */
	char *web_root;		/* static pages */
	int64_t threads;	/* HTTP worker threads */
	int64_t max_body;	/* bytes */
	int64_t max_connections;
	int64_t max_connections_per_client;	/* per address (IPv6: per /64); 0: no cap */
	int64_t connection_timeout;	/* seconds */
	int64_t connection_memory;	/* bytes of MHD pool per connection */

	/* [log] */
	char *log_level;
	int64_t log_ocsp_sample;	/* 1 in N OCSP access lines; 0 none */

	/* [store] */
	char *db_path;		/* default DATA/eonay.db */
	char *store_url;	/* postgresql://...: PostgreSQL instead of db_path;
				 * secret (may carry a password) */
	int64_t busy_timeout_ms;

	/* [portal] */
	char *ca_name;		/* shown in the page header and the texts */
	char *ca_short_name;

	/* [session] */
	int64_t session_idle;		/* seconds */
	int64_t session_absolute;	/* seconds */
	int64_t sessions_per_client;	/* sessions created per minute per address */

	/* [codes] */
	int64_t code_lifetime;		/* seconds, 300 in the seeds */
	int64_t claims_per_client;	/* code look-ups per minute per address */
	int64_t starts_per_client;	/* signing sessions started per minute per address */
	int64_t starts_per_holder;	/* signing sessions started per minute per holder */
	int64_t open_per_client;	/* signing sessions open at once per address */
	int64_t open_per_holder;	/* ... per logged-in holder */
	int64_t poll_timeout;		/* long-poll wait, seconds */
	int64_t code_retention;		/* seconds after expiry before purging */

	/* [pki] */
	char *pki_dir;		/* default DATA/pki */
	char *pki_passphrase_file;	/* default DATA/keys/ca.pass */
	char *pki_passphrase;	/* secret; overrides the file */
	char *pki_policy_oid;
	char *pki_org;
	char *pki_root_cn, *pki_issuing_cn, *pki_ocsp_cn;	/* NULL: built-in names */
	char *pki_root_key, *pki_issuing_key, *pki_ocsp_key;	/* key specs */
	char *pki_issuing_key_ref, *pki_ocsp_key_ref;	/* pkcs11: URIs (HSM) */
	int64_t pki_root_days, pki_issuing_days, pki_ocsp_days, pki_holder_max_days;
	int64_t crl_validity;	/* seconds between thisUpdate and nextUpdate */
	int64_t crl_min_interval;	/* seconds between two CRL rebuilds at least */
	int64_t ocsp_validity;	/* seconds */
	int64_t ocsp_cache;	/* pre-signed OCSP answers kept, at most */

	/* [downloads] */
	char *downloads_dir;	/* packages offered on the e-İmza page, or NULL */
	/* [password] Şifreli Giriş (domain/password.c) */
	int64_t pw_max_failures;	/* failures before a lockout, per holder and per address */
	int64_t pw_lockout_base;	/* first lockout, seconds; doubles with each failure */
	int64_t pw_lockout_max;		/* longest lockout, seconds */

	/* [notify] the outbox dispatcher (server/dispatch.c) */
	char *notify_spool_dir;	/* default DATA/spool */
	int64_t notify_interval;	/* seconds between two rounds */
	char *notify_smtp_url;	/* e-mail by SMTP (smtp:// or smtps://); secret; unset: spool */
	char *notify_mail_from;	/* envelope and From: address */
	char *notify_sms_url;	/* SMS by an HTTP gateway (POST JSON); secret; unset: spool */

	/* [portal] İletişim */
	char *support_phone;	/* the call centre */
	char *support_email;

	/* [apply] the application portal (server/api-apply.c) */
	char *apply_captcha_test_answer;	/* tests only; refused with an https base_url */
	int64_t apply_entries_per_client;	/* entry attempts per address and minute */

	/* [security] */
	char *master_key_file;	/* default DATA/keys/master.key */
	char *master_key;	/* hex, secret; overrides the file when set */

	/* [edevlet] E-Devlet ile Giriş (OpenID Connect) */
	char *edevlet_issuer;	/* NULL: off */
	char *edevlet_client_id;
	char *edevlet_client_secret;	/* secret */
	char *edevlet_tckn_claim;
	char *edevlet_scope;

	/* [applications] (domain/applications.c) */
	int64_t app_clock_offset;	/* seconds added to the scheduler's clock (tests) */
};

/* Fills defaults (data_dir may be NULL: then "./eonay-data"). */
int config_init(struct config *c, const char *data_dir);
void config_done(struct config *c);

/* Reads an INI file.  Unknown sections/keys and invalid values are refused:
 * -EINVAL with *ret_err = "FILE:LINE: reason" (malloc'ed).  A missing file
 * is -ENOENT. */
int config_load_file(struct config *c, const char *path, char **ret_err);

/* Applies EONAY_<SECTION>_<KEY> variables from environ. */
int config_load_env(struct config *c, char **ret_err);

/* Sets "section.key" to value as if read from a file. */
int config_set(struct config *c, const char *name, const char *value, char **ret_err);

/* Fills settings derived from data_dir that were not set, and checks the
 * whole (e.g. listen address syntax). */
int config_finish(struct config *c, char **ret_err);

/* What db_open() gets: store.url when set (PostgreSQL), else store.path. */
const char *config_store_target(const struct config *c);
/* The store for messages: the SQLite path, or "PostgreSQL (store.url)" -
 * never the URL, which may carry a password. */
const char *config_store_name(const struct config *c);

/* Prints the effective settings as an INI file, secrets masked. */
void config_print(const struct config *c, FILE *f);

/* Splits "HOST:PORT" ("[::1]:8080" for IPv6). */
int config_parse_listen(const char *s, char **ret_host, uint16_t *ret_port);

/* The whole load for a command: defaults for data_dir (NULL: $EONAY_DATA or
 * ./eonay-data), then file (NULL: DATA/eonay.conf when it exists), then the
 * environment, then each "section.key=value" of sets, then finish. */
int config_load_all(struct config *c, const char *data_dir, const char *file,
		    char *const *sets, size_t n_sets, char **ret_err);
