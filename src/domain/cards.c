/* cards.c - card production (see cards.h).
 *
 * Order matters, so that a kill at any moment loses nothing:
 *   1. the intent (card_intents: label, holder, the SO PIN sealed) is
 *      committed BEFORE the token is touched;
 *   2. the token (SO PIN, user PIN), the on-card key, the certificate;
 *   3. one transaction records card, certificate and audit event and
 *      deletes the intent.
 * Killed before 3, the intent stays: the token may exist and its SO PIN is
 * the sealed one, so `card issue` with the same label and holder wipes it
 * with that SO PIN (p11_token_reinit) and produces the card again; a
 * certificate signed before the kill was only on that token (never
 * recorded, never handed out) and is wiped with it.  A card is never
 * half-recorded in the store, and no token is left whose SO PIN nobody
 * knows. */
#include "domain/cards.h"

#include <dirent.h>
#include <openssl/crypto.h>
#include <stdio.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "domain/publish.h"
#include "domain/softhsm.h"
#include "pki/key.h"
#include "pki/ossl.h"
#include "pki/p11.h"
#include "pki/profile.h"
#include "pki/seal.h"
#include "store/audit.h"
#include "domain/certs.h"

int master_key_load(const struct config *cfg, unsigned char ret[32])
{
	if (cfg->master_key)
		return hex_decode(cfg->master_key, ret, 32);
	return key_file_load(cfg->master_key_file, ret, 32, true);
}

int softhsm_env(const struct config *cfg, const char **ret_path)
{
	_cleanup_free_ char *conf = NULL, *tokens = NULL, *text = NULL;
	struct stat st;
	int r;

	if (getenv("SOFTHSM2_CONF")) {
		*ret_path = getenv("SOFTHSM2_CONF");
		return 0;
	}
	conf = strdup_printf("%s/softhsm2.conf", cfg->data_dir);
	tokens = strdup_printf("%s/softhsm/tokens", cfg->data_dir);
	if (!conf || !tokens)
		return -ENOMEM;
	r = mkdir_p(tokens, 0700);
	if (r < 0)
		return r;
	if (stat(conf, &st) < 0) {
		text = strdup_printf("# SoftHSM stands in for the smart cards of this data directory.\n"
				     "directories.tokendir = %s\n"
				     "objectstore.backend = file\n"
				     "log.level = ERROR\n"
				     "slots.removable = false\n",
				     tokens);
		if (!text)
			return -ENOMEM;
		r = write_file_atomic(conf, text, strlen(text), 0600);
		if (r < 0)
			return r;
	}
	if (setenv("SOFTHSM2_CONF", conf, 1) < 0)
		return -errno;
	*ret_path = getenv("SOFTHSM2_CONF");
	return 0;
}

static int random_digits(char *buf, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint32_t d;
		int r = random_uniform(10, &d);
		if (r < 0)
			return r;
		buf[i] = (char)('0' + d);
	}
	buf[n] = '\0';
	return 0;
}

static int record(struct db *db, struct pki_ca *ca, const struct card_request *req,
		  const char *label, const char *sealed, X509 *cert, const char *cn,
		  struct card_result *ret)
{
	_cleanup_free_ unsigned char *der = NULL;
	_cleanup_free_ char *details = NULL;
	struct cert_record c = { .status = CERT_HOLD, .reason = CERT_REASON_HOLD };
	size_t n = 0;
	int r;

	r = pki_cert_to_der(cert, &der, &n);
	if (r == 0)
		r = pki_cert_key_id_hex(pki_ca_issuing_cert(ca), c.issuer);
	if (r == 0)
		r = pki_cert_serial_hex(cert, c.serial);
	if (r == 0)
		r = pki_cert_sha256_hex(cert, c.sha256);
	if (r == 0)
		r = pki_asn1_time_to_unix(X509_get0_notBefore(cert), &c.not_before);
	if (r == 0)
		r = pki_asn1_time_to_unix(X509_get0_notAfter(cert), &c.not_after);
	if (r < 0)
		return r;
	snprintf(c.tckn, sizeof(c.tckn), "%s", req->tckn);
	snprintf(c.card_serial, sizeof(c.card_serial), "%s", label);
	c.subject_cn = (char *)cn;
	c.der = der;
	c.der_len = n;
	c.issued_at = c.revoked_at = now_sec();
	details = strdup_printf("{\"card\":\"%s\",\"certificate\":\"%s\",\"issuer\":\"%s\"}",
				label, c.serial, c.issuer);
	if (!details)
		return -ENOMEM;

	r = db_begin(db);
	if (r < 0)
		return r;
	r = card_add(db, label, req->tckn, sealed, "produced");
	if (r == 0)
		r = cert_add(db, &c);
	if (r == 0) {
		r = db_run(db, "DELETE FROM card_intents WHERE serial = $1", "t", label);
		r = r == 1 ? 0 : r < 0 ? r : -ESTALE;	/* someone else finished it */
	}
	if (r == 0)
		r = audit_append(db, true, "operator", "card.issue", req->tckn, "ok", details);
	r = db_end(db, r);
	if (r < 0)
		return r;
	snprintf(ret->cert_serial, sizeof(ret->cert_serial), "%s", c.serial);
	snprintf(ret->cert_issuer, sizeof(ret->cert_issuer), "%s", c.issuer);
	snprintf(ret->status, sizeof(ret->status), "hold");
	return 0;
}

/* The intent for label: a new one (SO PIN drawn, sealed and committed
 * before any token is touched), or the one a stopped production left
 * (*ret_resume; its holder must be req's).  so_pin gets the SO PIN. */
static int intent_take(struct db *db, const unsigned char master[32], const char *label,
		       const char *tckn, char so_pin[17], char **ret_sealed, bool *ret_resume,
		       enum refusal *ret_refusal)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	_cleanup_secret_ char *pin = NULL;
	int r;

	r = db_query_one(db, &st, "SELECT tckn, so_pin_sealed FROM card_intents WHERE serial = $1",
			 "t", label);
	if (r == 0) {
		if (!streq(db_col_text(st, 0), tckn)) {
			*ret_refusal = REFUSAL_CARD_EXISTS;
			return -EACCES;
		}
		*ret_sealed = strdup(db_col_text(st, 1));
		if (!*ret_sealed)
			return -ENOMEM;
		r = seal_open(master, label, *ret_sealed, &pin);
		if (r < 0)
			return r;
		if (strlen(pin) != 16)
			return -EUCLEAN;
		memcpy(so_pin, pin, 17);
		*ret_resume = true;
		return 0;
	}
	if (r != -ENOENT)
		return r;
	db_stmt_done(TAKE_PTR(st));
	r = random_digits(so_pin, 16);
	if (r < 0)
		return r;
	r = seal_text(master, label, so_pin, ret_sealed);
	if (r < 0)
		return r;
	r = db_run(db, "INSERT INTO card_intents (serial, tckn, so_pin_sealed, created_at)"
		       " VALUES ($1, $2, $3, $4)", "ttti", label, tckn, *ret_sealed, now_sec());
	if (r == -EEXIST) {	/* another production of this label began meanwhile */
		*ret_refusal = REFUSAL_CARD_EXISTS;
		return -EACCES;
	}
	*ret_resume = false;
	return r < 0 ? r : 0;
}

static bool is_softhsm(const char *module)
{
	return module && strstr(module, "softhsm");
}

/* A production killed inside SoftHSM's C_InitToken leaves a token with its
 * label but without the SO PIN (SoftHSM writes token.object in place):
 * nobody can open it and it holds nothing.  Only SoftHSM's, only such a
 * token (its user PIN never set), and only under a production's intent:
 * its directory (named by a UUID ending in the token's serial) goes.
 * Then the caller opens the module again and makes the token afresh.
 * -ENOTRECOVERABLE for any other module. */
static int broken_token_remove(struct p11_ctx *p11, const char *module, const char *label)
{
	_cleanup_free_ char *dir = NULL;
	char serial[17], name[256];
	unsigned flags = 0;
	DIR *d;
	struct dirent *e;
	int r;

	if (!is_softhsm(module))
		return -ENOTRECOVERABLE;
	r = p11_pin_status(p11, label, &flags);
	if (r == 0 && !(flags & P11_USER_PIN_NOT_SET))
		return -ENOTRECOVERABLE;	/* a token in use: not ours to remove */
	if (r == 0)
		r = p11_token_serial(p11, label, serial);
	if (r == 0)
		r = softhsm_tokendir(&dir);
	if (r < 0)
		return r;
	if (strlen(serial) != 16)
		return -ENOTRECOVERABLE;
	d = opendir(dir);
	if (!d)
		return -errno;
	r = -ENOENT;
	while ((e = readdir(d))) {
		char flat[64];
		size_t k = 0;

		for (const char *c = e->d_name; *c && k < sizeof(flat) - 1; c++)
			if (*c != '-')
				flat[k++] = *c;
		flat[k] = '\0';
		if (k == 32 && strcasecmp(flat + 16, serial) == 0) {
			snprintf(name, sizeof(name), "%s", e->d_name);
			r = 0;
			break;
		}
	}
	closedir(d);
	if (r == 0)
		r = softhsm_token_remove(dir, name);
	return r;
}

/* On a failure of the token's module, *ret_detail names the PKCS#11 call
 * it refused (p11_last_error()).  Called right after the token steps, so
 * that a refusal recovered from earlier never explains a later failure. */
static void p11_detail(struct p11_ctx *p11, int r, char **ret_detail)
{
	if (r < 0 && r != -EACCES && ret_detail && !*ret_detail && p11_last_error(p11))
		*ret_detail = strdup(p11_last_error(p11));
}

/* Under the production lock: the tokens a killed production left
 * unfinished (softhsm.h) go, named in the audit log first. */
static int unfinished_remove(struct db *db, const char *label)
{
	_cleanup_(p11_strv_freep) char **names = NULL;
	_cleanup_free_ char *dir = NULL;
	char details[400];	/* 8 names of 36 characters, quoted, and the rest */
	size_t n = 0, k, len;
	int r;

	r = softhsm_unfinished(&names, &n);
	if (r < 0 || n == 0)
		return r;
	r = softhsm_tokendir(&dir);
	if (r < 0)
		return r;
	/* names are UUIDs (hex digits and hyphens): no JSON escaping needed */
	len = (size_t)snprintf(details, sizeof(details), "{\"removed\":%zu,\"tokens\":[", n);
	for (k = 0; k < n && k < 8; k++)
		len += (size_t)snprintf(details + len, sizeof(details) - len, "%s\"%s\"",
					k ? "," : "", names[k]);
	snprintf(details + len, sizeof(details) - len, "]}");
	r = audit_append(db, false, "operator", "card.unfinished_removed", label, "ok", details);
	for (k = 0; r == 0 && k < n; k++)
		r = softhsm_token_remove(dir, names[k]);
	return r;
}

static const unsigned char ca_cert_id[] = { 0xca, 0x01 };

int card_issue(struct db *db, struct pki_ca *ca, const struct config *cfg, const char *module,
	       const struct card_request *req, struct card_result *ret, char **ret_detail,
	       enum refusal *ret_refusal)
{
	_cleanup_close_ int lock = -1;
	bool exists = false, resume = false;
	_cleanup_(p11_closep) struct p11_ctx *p11 = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *pub = NULL;
	_cleanup_(X509_freep) X509 *cert = NULL;
	_cleanup_free_ char *sealed = NULL;
	struct card_result res = { 0 };
	unsigned char master[32], id[8];
	char so_pin[17], label[33];
	struct holder h = { 0 };
	struct pki_holder_req hr;
	const char *conf;
	int64_t now = now_sec();
	int r;

	r = holder_get(db, req->tckn, &h);
	if (r == -ENOENT) {
		*ret_refusal = REFUSAL_HOLDER_UNKNOWN;
		return -EACCES;
	}
	if (r < 0)
		return r;
	r = softhsm_env(cfg, &conf);
	if (r < 0)
		goto out;
	r = master_key_load(cfg, master);
	if (r < 0)
		goto out;
	if (req->label)
		snprintf(label, sizeof(label), "%s", req->label);
	else {
		char digits[9];
		r = random_digits(digits, 8);
		if (r < 0)
			goto out;
		snprintf(label, sizeof(label), "EONAY-%s", digits);
	}
	r = card_exists(db, label, &exists);
	if (r < 0)
		goto out;
	if (exists) {
		*ret_refusal = REFUSAL_CARD_EXISTS;
		r = -EACCES;
		goto out;
	}
	if (req->user_pin)
		snprintf(res.user_pin, sizeof(res.user_pin), "%s", req->user_pin);
	else if ((r = random_digits(res.user_pin, 6)) < 0)
		goto out;
	r = intent_take(db, master, label, req->tckn, so_pin, &sealed, &resume, ret_refusal);
	if (r == 0)
		r = random_bytes(id, sizeof(id));
	/* Tokens are made one production at a time, after the sweep of any a
	 * killed production left unfinished (softhsm.h). */
	if (r == 0 && is_softhsm(module)) {
		r = softhsm_lock(&lock);
		if (r == 0)
			r = unfinished_remove(db, label);
	}
	if (r == 0)
		r = p11_open(module, &p11);
	if (r == 0 && resume) {
		r = p11_token_reinit(p11, label, so_pin, res.user_pin);
		if (r == -EACCES) {	/* killed inside C_InitToken: see above */
			r = broken_token_remove(p11, module, label);
			p11_close(TAKE_PTR(p11));
			if (r == 0)
				r = p11_open(module, &p11);
			if (r == 0)
				r = p11_token_init(p11, label, so_pin, res.user_pin);
		}
	} else if (r == 0) {
		r = p11_token_init(p11, label, so_pin, res.user_pin);
		if (r == -EEXIST) {	/* not ours: the intent goes, the label is taken */
			int k = db_run(db, "DELETE FROM card_intents WHERE serial = $1", "t", label);

			*ret_refusal = REFUSAL_CARD_EXISTS;
			r = k < 0 ? k : -EACCES;
		}
	}
	if (lock >= 0) {
		close(lock);
		lock = -1;
	}
	if (r == 0)
		r = p11_keygen(p11, label, res.user_pin, req->key_spec ? req->key_spec : "rsa:2048",
			       id, sizeof(id), &pub);
	if (r < 0) {
		p11_detail(p11, r, ret_detail);
		goto out;
	}
	hr = (struct pki_holder_req){ .tckn = req->tckn, .given_name = h.given_name,
				      .surname = h.surname,
				      .not_before = req->not_before > now ? req->not_before : now - 60,
				      .not_after = (req->not_before > now ? req->not_before : now) +
						   86400 * (req->days ? req->days : 730) };
	r = pki_cert_issue_holder(ca, pub, &hr, &cert, ret_detail);
	if (r == -EACCES)
		*ret_refusal = REFUSAL_CERT_PROFILE;
	if (r == 0) {
		r = p11_cert_store(p11, label, res.user_pin, cert, id, sizeof(id));
		/* Like a real card, it carries the issuing CA certificate too, so
		 * that the application can put the whole chain into each
		 * signature. */
		if (r == 0)
			r = p11_cert_store(p11, label, res.user_pin, pki_ca_issuing_cert(ca),
					   ca_cert_id, sizeof(ca_cert_id));
		p11_detail(p11, r, ret_detail);
	}
	if (r == 0) {
		struct pki_holder_info hi;
		r = pki_cert_holder_info(cert, &hi);
		if (r == 0)
			r = record(db, ca, req, label, sealed, cert, hi.common_name, &res);
	}
	if (r == 0 && req->active) {
		enum refusal why;

		/* Just recorded on hold: a refusal here is a broken store. */
		r = cert_release(db, res.cert_issuer, res.cert_serial, "operator", &why);
		if (r == -EACCES)
			r = -EUCLEAN;
		if (r == 0)
			snprintf(res.status, sizeof(res.status), "active");
	}
	/* The hold and the release marked the CRL out of date (publish.h):
	 * rebuilt by eonayd or 'eonayctl crl publish', not here. */
	if (r == 0) {
		snprintf(res.label, sizeof(res.label), "%s", label);
		*ret = res;
	}
out:
	OPENSSL_cleanse(master, sizeof(master));
	OPENSSL_cleanse(so_pin, sizeof(so_pin));
	OPENSSL_cleanse(&res, sizeof(res));
	holder_done(&h);
	return r;
}

int card_add(struct db *db, const char *serial, const char *tckn,
	     const char *so_pin_sealed, const char *state)
{
	int r = db_run(db, "INSERT INTO cards (serial, tckn, so_pin_sealed, state, created_at)"
			   " VALUES ($1, $2, $3, $4, $5)",
		       "tttti", serial, tckn, so_pin_sealed, state, now_sec());
	return r < 0 ? r : 0;
}

int card_exists(struct db *db, const char *serial, bool *ret)
{
	int64_t n;
	int r;

	r = db_query_int64(db, "SELECT COUNT(*) FROM cards WHERE serial = $1", "t", &n, serial);
	if (r < 0)
		return r;
	*ret = n > 0;
	return 0;
}

int card_so_pin_get(struct db *db, const char *serial, char **ret_sealed)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	char *s;
	int r;

	r = db_query_one(db, &st, "SELECT so_pin_sealed FROM cards WHERE serial = $1", "t", serial);
	if (r < 0)
		return r;
	s = db_col_text(st, 0) ? strdup(db_col_text(st, 0)) : NULL;
	if (!s)
		return -ENOMEM;
	*ret_sealed = s;
	return 0;
}

int card_so_pin_set(struct db *db, const char *serial, const char *so_pin_sealed)
{
	int r = db_run(db, "UPDATE cards SET so_pin_sealed = $1 WHERE serial = $2", "tt",
		       so_pin_sealed, serial);

	if (r < 0)
		return r;
	return r == 0 ? -ENOENT : 0;
}

int card_intents_list(struct db *db, int (*cb)(const char *label, const char *tckn,
					      int64_t created_at, void *userdata),
		      void *userdata)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	int r;

	r = db_select(db, &st, "SELECT serial, tckn, created_at FROM card_intents"
			       " ORDER BY created_at, serial", NULL);
	if (r < 0)
		return r;
	while ((r = db_step(st)) == 1) {
		r = cb(db_col_text(st, 0), db_col_text(st, 1), db_col_int64(st, 2), userdata);
		if (r < 0)
			return r;
	}
	return r;
}

int card_check_so_pin(struct db *db, const struct config *cfg, const char *module,
		      const char *label)
{
	_cleanup_(p11_closep) struct p11_ctx *p11 = NULL;
	_cleanup_free_ char *sealed = NULL;
	_cleanup_secret_ char *so_pin = NULL;
	unsigned char master[32];
	const char *conf;
	int r;

	r = card_so_pin_get(db, label, &sealed);
	if (r < 0)
		return r;
	r = softhsm_env(cfg, &conf);
	if (r == 0)
		r = master_key_load(cfg, master);
	if (r == 0)
		r = seal_open(master, label, sealed, &so_pin);
	OPENSSL_cleanse(master, sizeof(master));
	if (r == 0)
		r = p11_open(module, &p11);
	if (r == 0)
		r = p11_so_pin_change(p11, label, so_pin, so_pin);
	return r;
}
