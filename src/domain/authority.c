/* authority.c - opening and creating the CA from the settings.
 *
 * The CA keys are encrypted PEM files in pki.dir under a passphrase that
 * lives in DATA/keys/ca.pass (0600) or comes from the settings/environment
 * (EONAY_PKI_PASSPHRASE), or are PKCS#11 keys (pkcs11: URIs). */
#include "domain/authority.h"

#include <jansson.h>
#include <openssl/crypto.h>
#include <stdio.h>

#include "pki/crl.h"
#include "store/audit.h"

void authority_config(const struct config *cfg, struct pki_ca_config *ret)
{
	pki_ca_config_init_defaults(ret);
	ret->organization = cfg->pki_org;
	ret->policy_oid = cfg->pki_policy_oid;
	ret->base_url = cfg->base_url;
	ret->ocsp_validity_secs = (int)cfg->ocsp_validity;
	if (cfg->pki_root_cn)
		ret->root_cn = cfg->pki_root_cn;
	if (cfg->pki_issuing_cn)
		ret->issuing_cn = cfg->pki_issuing_cn;
	if (cfg->pki_ocsp_cn)
		ret->ocsp_cn = cfg->pki_ocsp_cn;
	ret->root_key_spec = cfg->pki_root_key;
	ret->issuing_key_spec = cfg->pki_issuing_key;
	ret->ocsp_key_spec = cfg->pki_ocsp_key;
	ret->issuing_key_ref = cfg->pki_issuing_key_ref;
	ret->ocsp_key_ref = cfg->pki_ocsp_key_ref;
	ret->root_days = (int)cfg->pki_root_days;
	ret->issuing_days = (int)cfg->pki_issuing_days;
	ret->ocsp_days = (int)cfg->pki_ocsp_days;
	ret->holder_max_days = (int)cfg->pki_holder_max_days;
}

int authority_passphrase(const struct config *cfg, bool create, char **ret)
{
	_cleanup_free_ char *buf = NULL;
	char *p;
	size_t n = 0;
	int r;

	if (cfg->pki_passphrase) {
		p = strdup(cfg->pki_passphrase);
		if (!p)
			return -ENOMEM;
		*ret = p;
		return 0;
	}
	r = read_file(cfg->pki_passphrase_file, 4096, &buf, &n);
	if (r == -ENOENT && create) {
		_cleanup_secret_ char *tok = NULL;

		r = mkdir_parents(cfg->pki_passphrase_file, 0700);
		if (r < 0)
			return r;
		r = token_new(32, &tok);
		if (r < 0)
			return r;
		r = write_file_atomic(cfg->pki_passphrase_file, tok, strlen(tok), 0600);
		if (r < 0)
			return r;
		*ret = TAKE_PTR(tok);
		return 0;
	}
	if (r < 0)
		return r;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r'))
		buf[--n] = '\0';
	if (n == 0) {
		OPENSSL_cleanse(buf, n);
		return -EINVAL;
	}
	*ret = TAKE_PTR(buf);
	return 0;
}

int authority_init(const struct config *cfg)
{
	_cleanup_secret_ char *pass = NULL;
	struct pki_ca_config pc;
	int r;

	authority_config(cfg, &pc);
	r = authority_passphrase(cfg, true, &pass);
	if (r < 0)
		return r;
	return pki_ca_init(&pc, cfg->pki_dir, pass);
}

int authority_open(const struct config *cfg, struct pki_ca **ret)
{
	_cleanup_secret_ char *pass = NULL;
	struct pki_ca_config pc;
	int r;

	authority_config(cfg, &pc);
	r = authority_passphrase(cfg, false, &pass);
	if (r < 0)
		return r;
	return pki_ca_load_config(&pc, cfg->pki_dir, pass, ret);
}

/* The number of the newest ARL the audit log records (0: none). */
static int arl_audited(struct db *db, int64_t *ret)
{
	_cleanup_stmt_ struct db_stmt *st = NULL;
	json_t *j, *n;
	int r;

	*ret = 0;
	r = db_query_one(db, &st, "SELECT details FROM audit_log WHERE action IN ('pki.arl',"
				  " 'pki.arl_revoke_issuing') AND outcome = 'ok' ORDER BY id DESC"
				  " LIMIT 1", "");
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	j = json_loads(db_col_text(st, 0) ? db_col_text(st, 0) : "", 0, NULL);
	n = json_object_get(j, "number");
	if (json_is_integer(n) && json_integer_value(n) > 0)
		*ret = json_integer_value(n);
	json_decref(j);
	return *ret > 0 ? 0 : -EBADMSG;
}

int authority_arl_sign(const struct config *cfg, struct db *db, int days, bool revoke_issuing,
		       int reason, int64_t *ret_number, int64_t *ret_next_update)
{
	_cleanup_secret_ char *pass = NULL;
	struct pki_ca_config pc;
	int64_t known = 0, adopted = 0, number = 0, next = 0;
	char details[160];
	int r;

	r = db_query_int64(db, "SELECT COUNT(*) FROM audit_log WHERE action = 'ca.import'", "",
			   &adopted);
	if (r < 0)
		return r;
	if (adopted > 0)
		return -EOPNOTSUPP;
	r = arl_audited(db, &known);
	if (r < 0)
		return r;
	authority_config(cfg, &pc);
	r = authority_passphrase(cfg, false, &pass);
	if (r < 0)
		return r;
	r = pki_arl_sign(&pc, cfg->pki_dir, pass, days, revoke_issuing, reason, known, &number,
			 &next);
	if (r == -ESTALE)
		*ret_number = known;
	if (r < 0)
		return r;
	*ret_number = number;
	*ret_next_update = next;
	if (revoke_issuing)
		snprintf(details, sizeof(details),
			 "{\"number\":%lld,\"next_update\":%lld,\"revoked_issuing\":\"%s\"}",
			 (long long)number, (long long)next,
			 pki_reason_to_string(reason) ? pki_reason_to_string(reason) : "unspecified");
	else
		snprintf(details, sizeof(details), "{\"number\":%lld,\"next_update\":%lld}",
			 (long long)number, (long long)next);
	return audit_append(db, false, "operator",
			    revoke_issuing ? "pki.arl_revoke_issuing" : "pki.arl", cfg->pki_dir,
			    "ok", details);
}
