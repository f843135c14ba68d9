/* config.c - settings table, INI/environment/command-line loading.
 *
 * The table below is the single description of every setting: its
 * section and key, type, bounds, default and whether it is secret.
 * Loading from each source goes through config_set_one(), so the same
 * validation applies whatever the source; print walks the same table. */
#include "common/config.h"

#include <ctype.h>
#include <ini.h>
#include <stddef.h>
#include <stdio.h>

#include "common/log.h"
#include "common/netaddr.h"
#include "config-build.h"

extern char **environ;

enum setting_type { SET_STR, SET_INT, SET_LEVEL, SET_URL, SET_CIDRS, SET_PGURL };

struct setting {
	const char *section, *key;
	enum setting_type type;
	size_t offset;
	const char *def;	/* default, NULL = derived or unset */
	int64_t min, max;	/* SET_INT bounds */
	bool secret;
	const char *help;
};

#define S(sec, k, t, field, d, lo, hi, sec_, h)                                \
	{ sec, k, t, offsetof(struct config, field), d, lo, hi, sec_, h }

static const struct setting settings[] = {
	S("server", "listen", SET_STR, listen, "127.0.0.1:8080", 0, 0, false,
	  "address and port to listen on"),
	S("server", "base_url", SET_URL, base_url, NULL, 0, 0, false,
	  "public URL of the service (default http://LISTEN)"),
	S("server", "trusted_proxies", SET_CIDRS, trusted_proxies, NULL, 0, 0, false,
	  "proxies whose X-Forwarded-For/Forwarded are believed: CIDR list (default none)"),
	S("server", "web_root", SET_STR, web_root, EONAY_WEB_ROOT, 0, 0, false,
	  "directory of the static pages"),
	S("server", "threads", SET_INT, threads, "2", 1, 64, false,
	  "HTTP worker threads"),
	S("server", "max_body", SET_INT, max_body, "65536", 1024, 16777216, false,
	  "largest request body accepted, bytes"),
	S("server", "max_connections", SET_INT, max_connections, "16384", 16,
	  1000000, false, "simultaneous connections"),
	S("server", "max_connections_per_client", SET_INT, max_connections_per_client, "64", 0,
	  1000000, false, "simultaneous connections from one address (IPv6: one /64); 0: no cap"),
	S("server", "connection_timeout", SET_INT, connection_timeout, "60", 5,
	  3600, false, "idle connection timeout, seconds"),
	S("server", "connection_memory", SET_INT, connection_memory, "36864", 2048, 1048576,
	  false, "memory per connection for request headers and answer buffering, bytes"),
	S("log", "level", SET_LEVEL, log_level, "info", 0, 0, false,
	  "error, warn, info or debug"),
	S("log", "ocsp_sample", SET_INT, log_ocsp_sample, "100", 0, 1000000, false,
	  "access lines of successful OCSP answers: 1 in N is written (1: all, 0: none); "
	  "/metrics counts them all"),
	S("store", "path", SET_STR, db_path, NULL, 0, 0, false,
	  "SQLite database (default DATA/eonay.db)"),
	S("store", "url", SET_PGURL, store_url, NULL, 0, 0, true,
	  "PostgreSQL server, postgresql://USER:PASSWORD@HOST:PORT/DB (unset: SQLite at store.path)"),
	S("store", "busy_timeout_ms", SET_INT, busy_timeout_ms, "5000", 0,
	  600000, false, "how long a writer waits for a lock"),
	S("portal", "ca_name", SET_STR, ca_name, "Eonay Sertifikasyon Merkezi",
	  0, 0, false, "name of the certification authority"),
	S("portal", "ca_short_name", SET_STR, ca_short_name, "Eonay SM", 0, 0,
	  false, "short name used in the signed texts"),
	S("session", "idle_timeout", SET_INT, session_idle, "900", 60, 86400,
	  false, "browser session idle timeout, seconds"),
	S("session", "absolute_timeout", SET_INT, session_absolute, "28800",
	  300, 604800, false, "browser session absolute lifetime, seconds"),
	S("session", "creates_per_client", SET_INT, sessions_per_client, "60", 1, 1000000,
	  false, "browser sessions created per minute from one address"),
	S("codes", "lifetime", SET_INT, code_lifetime, "300", 5, 3600, false,
	  "verification code lifetime, seconds"),
	S("codes", "claims_per_client", SET_INT, claims_per_client, "10", 1, 100000,
	  false, "code look-ups per minute from one address"),
	S("codes", "starts_per_client", SET_INT, starts_per_client, "20", 1, 1000000, false,
	  "signing sessions started or renewed per minute from one address"),
	S("codes", "starts_per_holder", SET_INT, starts_per_holder, "30", 1, 1000000, false,
	  "signing sessions started or renewed per minute for one holder"),
	S("codes", "open_per_client", SET_INT, open_per_client, "30", 1, 1000000, false,
	  "signing sessions open at once (waiting or claimed) started from one address"),
	S("codes", "open_per_holder", SET_INT, open_per_holder, "10", 1, 1000000, false,
	  "signing sessions open at once started by one logged-in holder"),
	S("codes", "poll_timeout", SET_INT, poll_timeout, "25", 1, 120, false,
	  "how long a browser's long-poll waits for a change, seconds"),
	S("codes", "retention", SET_INT, code_retention, "2592000", 0, 315360000, false,
	  "expired signing sessions without a signature are purged this long after expiry, seconds"),
	S("pki", "dir", SET_STR, pki_dir, NULL, 0, 0, false,
	  "CA certificates and keys (default DATA/pki)"),
	S("pki", "passphrase_file", SET_STR, pki_passphrase_file, NULL, 0, 0, false,
	  "file with the passphrase of the CA keys (default DATA/keys/ca.pass)"),
	S("pki", "passphrase", SET_STR, pki_passphrase, NULL, 0, 0, true,
	  "the passphrase of the CA keys (or the HSM PIN); overrides the file"),
	S("pki", "policy_oid", SET_STR, pki_policy_oid, "2.16.792.1.2.1.1.5.7.1.9", 0, 0,
	  false, "NES certificate policy OID"),
	S("pki", "organization", SET_STR, pki_org, "Eonay Sertifikasyon Merkezi", 0, 0, false,
	  "O= of the CA certificates"),
	S("pki", "root_cn", SET_STR, pki_root_cn, NULL, 0, 0, false,
	  "CN of the root CA certificate (pki init)"),
	S("pki", "issuing_cn", SET_STR, pki_issuing_cn, NULL, 0, 0, false,
	  "CN of the issuing CA for qualified certificates (pki init)"),
	S("pki", "ocsp_cn", SET_STR, pki_ocsp_cn, NULL, 0, 0, false,
	  "CN of the delegated OCSP responder certificate (pki init)"),
	S("pki", "root_key", SET_STR, pki_root_key, "ec:P-384", 0, 0, false,
	  "root key: rsa:3072, rsa:4096 or ec:P-384"),
	S("pki", "issuing_key", SET_STR, pki_issuing_key, "ec:P-384", 0, 0, false,
	  "issuing CA key: rsa:3072, rsa:4096 or ec:P-384"),
	S("pki", "ocsp_key", SET_STR, pki_ocsp_key, "ec:P-256", 0, 0, false,
	  "OCSP responder key: rsa:2048, rsa:3072, ec:P-256 or ec:P-384"),
	S("pki", "issuing_key_ref", SET_STR, pki_issuing_key_ref, NULL, 0, 0, false,
	  "pkcs11: URI of the issuing CA key in an HSM (default: encrypted PEM file)"),
	S("pki", "ocsp_key_ref", SET_STR, pki_ocsp_key_ref, NULL, 0, 0, false,
	  "pkcs11: URI of the OCSP responder key in an HSM (default: encrypted PEM file)"),
	S("pki", "root_days", SET_INT, pki_root_days, "7305", 365, 18263, false,
	  "validity of the root certificate, days"),
	S("pki", "issuing_days", SET_INT, pki_issuing_days, "3652", 365, 10958, false,
	  "validity of the issuing CA certificate, days"),
	S("pki", "ocsp_days", SET_INT, pki_ocsp_days, "365", 7, 1826, false,
	  "validity of the OCSP responder certificate, days"),
	S("pki", "holder_max_days", SET_INT, pki_holder_max_days, "1096", 1, 1826, false,
	  "longest validity of a holder certificate (Sertifika Süresi), days"),
	S("pki", "crl_validity", SET_INT, crl_validity, "86400", 600, 2592000, false,
	  "seconds from a CRL's thisUpdate to its nextUpdate"),
	S("pki", "crl_min_interval", SET_INT, crl_min_interval, "5", 0, 3600, false,
	  "after a status change the CRL is rebuilt at once, but not sooner than this many "
	  "seconds after the previous one (changes meanwhile are coalesced)"),
	S("pki", "ocsp_validity", SET_INT, ocsp_validity, "3600", 60, 604800, false,
	  "seconds from an OCSP answer's thisUpdate to its nextUpdate"),
	S("pki", "ocsp_cache", SET_INT, ocsp_cache, "65536", 0, 16777216, false,
	  "pre-signed OCSP answers kept in memory (about 1.5 KB each; 0: sign every answer)"),
	S("downloads", "dir", SET_STR, downloads_dir, NULL, 0, 0, false,
	  "directory of the e-İmza application's packages (*.deb) the e-İmza page offers "
	  "(default none)"),
	S("password", "max_failures", SET_INT, pw_max_failures, "5", 1, 1000, false,
	  "failed Şifreli Giriş attempts before a lockout, per holder and per address"),
	S("password", "lockout_base", SET_INT, pw_lockout_base, "60", 1, 86400, false,
	  "first lockout, seconds (doubles with each further failure)"),
	S("password", "lockout_max", SET_INT, pw_lockout_max, "86400", 1, 2592000, false,
	  "longest lockout, seconds"),
	S("notify", "spool_dir", SET_STR, notify_spool_dir, NULL, 0, 0, false,
	  "directory notifications are delivered to, one file each (default DATA/spool)"),
	S("notify", "interval", SET_INT, notify_interval, "5", 1, 3600, false,
	  "seconds between two rounds of the notification dispatcher"),
	S("notify", "smtp_url", SET_STR, notify_smtp_url, NULL, 0, 0, true,
	  "e-mail notifications by SMTP: smtp://[user:pass@]host[:port] or smtps://... (default: spool)"),
	S("notify", "mail_from", SET_STR, notify_mail_from, "bildirim@localhost", 0, 0, false,
	  "sender address of e-mail notifications"),
	S("notify", "sms_url", SET_STR, notify_sms_url, NULL, 0, 0, true,
	  "SMS notifications by an HTTP gateway: POST {\"to\",\"text\"} as JSON (default: spool)"),
	S("portal", "support_phone", SET_STR, support_phone, "444 0 000", 0, 0, false,
	  "the call centre's number (İletişim page)"),
	S("portal", "support_email", SET_STR, support_email, "destek@example.org", 0, 0, false,
	  "the support e-mail address (İletişim page)"),
	S("apply", "captcha_test_answer", SET_STR, apply_captcha_test_answer, NULL, 0, 0, true,
	  "FOR AUTOMATED TESTS ONLY: an answer also accepted for every captcha of the "
	  "application portal (eonayd refuses to start with it when server.base_url is https)"),
	S("apply", "entries_per_client", SET_INT, apply_entries_per_client, "10", 1, 1000000, false,
	  "application portal entry attempts (captcha + identity, parola, recovery) per client "
	  "address and minute"),
	S("security", "master_key_file", SET_STR, master_key_file, NULL, 0, 0,
	  false, "file holding the AES-256 master key (default DATA/keys/master.key)"),
	S("security", "master_key", SET_STR, master_key, NULL, 0, 0, true,
	  "the AES-256 master key itself, 64 hex digits (overrides the file)"),
	S("edevlet", "issuer", SET_URL, edevlet_issuer, NULL, 0, 0, false,
	  "OpenID Connect issuer of E-Devlet ile Giriş (https; http only on loopback); unset: off"),
	S("edevlet", "client_id", SET_STR, edevlet_client_id, NULL, 0, 0, false,
	  "our client_id at the provider"),
	S("edevlet", "client_secret", SET_STR, edevlet_client_secret, NULL, 0, 0, true,
	  "our client secret at the provider (client_secret_basic)"),
	S("edevlet", "tckn_claim", SET_STR, edevlet_tckn_claim, "tckn", 0, 0, false,
	  "the ID token claim that carries the T.C. Kimlik No"),
	S("edevlet", "scope", SET_STR, edevlet_scope, "openid", 0, 0, false,
	  "scopes asked for (must include openid)"),
	S("applications", "clock_offset", SET_INT, app_clock_offset, "0", -315360000, 315360000,
	  false, "seconds added to the clock of the application scheduler (renewal windows); "
	  "for tests that move time"),
};

static char **str_field(struct config *c, const struct setting *s)
{
	return (char **)((char *)c + s->offset);
}

static int64_t *int_field(struct config *c, const struct setting *s)
{
	return (int64_t *)((char *)c + s->offset);
}

static const struct setting *setting_find(const char *section, const char *key)
{
	for (size_t i = 0; i < ELEMENTSOF(settings); i++)
		if (streq(settings[i].section, section) && streq(settings[i].key, key))
			return &settings[i];
	return NULL;
}

static int set_one(struct config *c, const struct setting *s, const char *value,
		   char **ret_reason)
{
	enum log_level lvl;
	int64_t v;
	char *dup;
	int r;

	switch (s->type) {
	case SET_INT:
		r = parse_int64(value, s->min, s->max, &v);
		if (r < 0) {
			*ret_reason = strdup_printf("%s.%s must be a whole number from %lld to %lld, got '%s'",
						    s->section, s->key, (long long)s->min,
						    (long long)s->max, value);
			return -EINVAL;
		}
		*int_field(c, s) = v;
		return 0;
	case SET_LEVEL:
		if (log_level_parse(value, &lvl) < 0) {
			*ret_reason = strdup_printf("%s.%s must be error, warn, info or debug, got '%s'",
						    s->section, s->key, value);
			return -EINVAL;
		}
		break;
	case SET_URL:
		if (strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) {
			*ret_reason = strdup_printf("%s.%s must start with http:// or https://, got '%s'",
						    s->section, s->key, value);
			return -EINVAL;
		}
		break;
	case SET_CIDRS: {
		struct cidr_list l;
		char *why = NULL;

		r = cidr_list_parse(value, &l, &why);
		if (r < 0) {
			*ret_reason = strdup_printf("%s.%s: %s", s->section, s->key,
						    why ? why : strerror(-r));
			free(why);
			return -EINVAL;
		}
		cidr_list_done(&l);
		break;
	}
	case SET_PGURL:
		if (strncmp(value, "postgresql://", 13) != 0 && strncmp(value, "postgres://", 11) != 0) {
			*ret_reason = strdup_printf("%s.%s must start with postgresql:// or postgres://",
						    s->section, s->key);
			return -EINVAL;
		}
		break;
	case SET_STR:
		if (!*value) {
			*ret_reason = strdup_printf("%s.%s must not be empty", s->section, s->key);
			return -EINVAL;
		}
		break;
	}
	dup = strdup(value);
	if (!dup)
		return -ENOMEM;
	if (s->secret)
		secret_free(*str_field(c, s));
	else
		free(*str_field(c, s));
	*str_field(c, s) = dup;
	return 0;
}

int config_init(struct config *c, const char *data_dir)
{
	char *reason = NULL;

	memset(c, 0, sizeof(*c));
	c->data_dir = strdup(data_dir ? data_dir : "./eonay-data");
	if (!c->data_dir)
		return -ENOMEM;
	for (size_t i = 0; i < ELEMENTSOF(settings); i++) {
		if (!settings[i].def)
			continue;
		if (set_one(c, &settings[i], settings[i].def, &reason) < 0) {
			free(reason);
			return -EINVAL;	/* a bad built-in default is a bug */
		}
	}
	return 0;
}

void config_done(struct config *c)
{
	for (size_t i = 0; i < ELEMENTSOF(settings); i++)
		if (settings[i].type != SET_INT) {
			if (settings[i].secret)
				secret_free(*str_field(c, &settings[i]));
			else
				free(*str_field(c, &settings[i]));
			*str_field(c, &settings[i]) = NULL;
		}
	free(c->data_dir);
	free(c->config_file);
	c->data_dir = c->config_file = NULL;
}

int config_set(struct config *c, const char *name, const char *value, char **ret_err)
{
	_cleanup_free_ char *section = NULL;
	const struct setting *s;
	const char *dot;

	dot = strchr(name, '.');
	if (!dot) {
		*ret_err = strdup_printf("'%s' is not of the form section.key", name);
		return -EINVAL;
	}
	section = strndup(name, (size_t)(dot - name));
	if (!section)
		return -ENOMEM;
	s = setting_find(section, dot + 1);
	if (!s) {
		*ret_err = strdup_printf("unknown setting '%s'", name);
		return -EINVAL;
	}
	return set_one(c, s, value, ret_err);
}

struct ini_state {
	struct config *c;
	char *err;
	int err_line;
	int line;
};

static int on_ini_line(void *user, const char *section, const char *key, const char *value)
{
	struct ini_state *st = user;
	const struct setting *s;
	char *reason = NULL;

	if (st->err)
		return 0;
	s = setting_find(section, key);
	if (!s) {
		st->err = strdup_printf("unknown setting '%s' in section [%s]", key, section);
		return 0;
	}
	if (set_one(st->c, s, value, &reason) < 0) {
		st->err = reason;
		return 0;
	}
	return 1;
}

int config_load_file(struct config *c, const char *path, char **ret_err)
{
	struct ini_state st = { .c = c };
	FILE *f;
	int line;

	f = fopen(path, "re");
	if (!f)
		return -errno;
	line = ini_parse_file(f, on_ini_line, &st);
	fclose(f);
	if (line != 0) {
		*ret_err = strdup_printf("%s:%d: %s", path, line,
					 st.err ? st.err : "syntax error");
		free(st.err);
		return -EINVAL;
	}
	free(c->config_file);
	c->config_file = strdup(path);
	return c->config_file ? 0 : -ENOMEM;
}

int config_load_env(struct config *c, char **ret_err)
{
	for (size_t i = 0; i < ELEMENTSOF(settings); i++) {
		char name[96], *reason = NULL;
		const char *v;
		size_t k = 0;

		k = (size_t)snprintf(name, sizeof(name), "EONAY_%s_%s",
				     settings[i].section, settings[i].key);
		for (size_t j = 0; j < k; j++)
			name[j] = (char)toupper((unsigned char)name[j]);
		v = getenv(name);
		if (!v)
			continue;
		if (set_one(c, &settings[i], v, &reason) < 0) {
			*ret_err = strdup_printf("environment %s: %s", name, reason);
			free(reason);
			return -EINVAL;
		}
	}
	return 0;
}

int config_parse_listen(const char *s, char **ret_host, uint16_t *ret_port)
{
	const char *colon;
	int64_t port;
	char *host;

	if (s[0] == '[') {
		const char *end = strchr(s, ']');
		if (!end || end[1] != ':')
			return -EINVAL;
		host = strndup(s + 1, (size_t)(end - s - 1));
		colon = end + 1;
	} else {
		colon = strrchr(s, ':');
		if (!colon || colon == s)
			return -EINVAL;
		host = strndup(s, (size_t)(colon - s));
	}
	if (!host)
		return -ENOMEM;
	if (parse_int64(colon + 1, 0, 65535, &port) < 0) {
		free(host);
		return -EINVAL;
	}
	*ret_host = host;
	*ret_port = (uint16_t)port;
	return 0;
}

int config_finish(struct config *c, char **ret_err)
{
	_cleanup_free_ char *host = NULL;
	uint16_t port;

	if (config_parse_listen(c->listen, &host, &port) < 0) {
		*ret_err = strdup_printf("server.listen must be HOST:PORT, got '%s'", c->listen);
		return -EINVAL;
	}
	if (!c->base_url) {
		c->base_url_derived = true;
		c->base_url = strdup_printf("http://%s", c->listen);
		if (!c->base_url)
			return -ENOMEM;
	}
	/* No trailing slash: URLs are built as BASE + "/path". */
	for (size_t n = strlen(c->base_url); n > 8 && c->base_url[n - 1] == '/'; n--)
		c->base_url[n - 1] = '\0';
	if (c->edevlet_issuer && (isempty(c->edevlet_client_id) || isempty(c->edevlet_client_secret))) {
		*ret_err = strdup_printf("edevlet.issuer needs edevlet.client_id and edevlet.client_secret");
		return -EINVAL;
	}
	if (!c->db_path) {
		c->db_path = strdup_printf("%s/eonay.db", c->data_dir);
		if (!c->db_path)
			return -ENOMEM;
	}
	if (!c->pki_dir) {
		c->pki_dir = strdup_printf("%s/pki", c->data_dir);
		if (!c->pki_dir)
			return -ENOMEM;
	}
	if (!c->pki_passphrase_file) {
		c->pki_passphrase_file = strdup_printf("%s/keys/ca.pass", c->data_dir);
		if (!c->pki_passphrase_file)
			return -ENOMEM;
	}
	if (!c->master_key_file) {
		c->master_key_file = strdup_printf("%s/keys/master.key", c->data_dir);
		if (!c->master_key_file)
			return -ENOMEM;
	}
	if (!c->notify_spool_dir) {
		c->notify_spool_dir = strdup_printf("%s/spool", c->data_dir);
		if (!c->notify_spool_dir)
			return -ENOMEM;
	}
	return 0;
}

const char *config_store_target(const struct config *c)
{
	return c->store_url ? c->store_url : c->db_path;
}

const char *config_store_name(const struct config *c)
{
	return c->store_url ? "PostgreSQL (store.url)" : c->db_path;
}

void config_print(const struct config *c, FILE *f)
{
	const char *section = NULL;

	fprintf(f, "# effective settings; data directory: %s\n", c->data_dir);
	fprintf(f, "# file: %s\n", c->config_file ? c->config_file : "(none)");
	for (size_t i = 0; i < ELEMENTSOF(settings); i++) {
		const struct setting *s = &settings[i];

		if (!section || !streq(section, s->section)) {
			section = s->section;
			fprintf(f, "\n[%s]\n", section);
		}
		fprintf(f, "# %s\n", s->help);
		if (s->type == SET_INT)
			fprintf(f, "%s = %lld\n", s->key,
				(long long)*int_field((struct config *)c, s));
		else if (s->secret)
			fprintf(f, "%s = %s\n", s->key,
				*str_field((struct config *)c, s) ? "********" : "");
		else {
			const char *v = *str_field((struct config *)c, s);
			fprintf(f, "%s = %s\n", s->key, v ? v : "");
		}
	}
}

int config_load_all(struct config *c, const char *data_dir, const char *file,
		    char *const *sets, size_t n_sets, char **ret_err)
{
	_cleanup_free_ char *def_file = NULL;
	int r;

	if (!data_dir)
		data_dir = getenv("EONAY_DATA");
	r = config_init(c, data_dir);
	if (r < 0)
		return r;
	if (file) {
		r = config_load_file(c, file, ret_err);
		if (r == -ENOENT || (r < 0 && r != -EINVAL))
			*ret_err = strdup_printf("%s: %s", file, strerror(-r));
		if (r < 0)
			return r;
	} else {
		def_file = strdup_printf("%s/eonay.conf", c->data_dir);
		if (!def_file)
			return -ENOMEM;
		r = config_load_file(c, def_file, ret_err);
		if (r < 0 && r != -ENOENT)
			return r;
	}
	r = config_load_env(c, ret_err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < n_sets; i++) {
		_cleanup_free_ char *name = NULL;
		const char *eq = strchr(sets[i], '=');

		if (!eq) {
			*ret_err = strdup_printf("--set %s: expected SECTION.KEY=VALUE", sets[i]);
			return -EINVAL;
		}
		name = strndup(sets[i], (size_t)(eq - sets[i]));
		if (!name)
			return -ENOMEM;
		r = config_set(c, name, eq + 1, ret_err);
		if (r < 0)
			return r;
	}
	return config_finish(c, ret_err);
}
