/* ca-arl.c - the root's CRL (an ARL, authority revocation list): the
 * revocation status of the issuing CA, which a relying party checking the
 * whole path needs (RFC 5280 6.3: every certificate of the path but the
 * trust anchor).  DIR/root.crl, DER, signed with the root key.
 * pki_ca_init() signs the first one (number 1, no entry) and points the
 * issuing CA's cRLDistributionPoints at BASE/crl/root.crl; pki_arl_sign()
 * renews it, or revokes the issuing CA in it, with the root key, which is
 * otherwise kept offline.  A handful of entries signed once a year: made
 * with OpenSSL's X509_CRL API, not the hand-written DER of crl-der.c. */
#include <errno.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "pki/ca-private.h"
#include "pki/key.h"
#include "pki/ossl.h"

#define DAY 86400
#define ARL_MAX (1024 * 1024)	/* a few entries; anything bigger is not ours */

static int arl_parse(const unsigned char *der, size_t n, X509 *root, X509_CRL **ret)
{
	_cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
	const unsigned char *p = der;
	EVP_PKEY *pub = X509_get0_pubkey(root);

	crl = d2i_X509_CRL(NULL, &p, (long)n);
	if (!crl || p != der + n || !pub || X509_CRL_verify(crl, pub) != 1 ||
	    X509_NAME_cmp(X509_CRL_get_issuer(crl), X509_get_subject_name(root)) != 0) {
		ERR_clear_error();
		return -EBADMSG;
	}
	*ret = TAKE_PTR(crl);
	return 0;
}

static int arl_number(X509_CRL *crl, int64_t *ret)
{
	ASN1_INTEGER *num = X509_CRL_get_ext_d2i(crl, NID_crl_number, NULL, NULL);
	int64_t v = 0;
	int r;

	r = num && ASN1_INTEGER_get_int64(&v, num) == 1 && v > 0 && v < INT64_MAX ? 0 : -EBADMSG;
	ASN1_INTEGER_free(num);
	if (r == 0)
		*ret = v;
	return r;
}

/* Reads DIR/root.crl, checks it is root's and has a CRL number: the
 * parsed CRL, its bytes (ret_buf may be NULL) and number. */
static int arl_read(const char *dir, X509 *root, X509_CRL **ret_crl, char **ret_buf,
		    size_t *ret_n, int64_t *ret_number)
{
	_cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
	_cleanup_free_ char *path = NULL, *buf = NULL;
	size_t n = 0;
	int r;

	path = strdup_printf("%s/" PKI_ARL_FILE, dir);
	if (!path)
		return -ENOMEM;
	r = read_file(path, ARL_MAX, &buf, &n);
	if (r < 0)
		return r;
	r = arl_parse((const unsigned char *)buf, n, root, &crl);
	if (r == 0)
		r = arl_number(crl, ret_number);
	if (r < 0)
		return r;
	if (ret_buf) {
		*ret_buf = TAKE_PTR(buf);
		*ret_n = n;
	}
	*ret_crl = TAKE_PTR(crl);
	return 0;
}

int pki_arl_load(const char *dir, X509 *root, unsigned char **ret, size_t *ret_n,
		 int64_t *ret_next_update, int64_t *ret_number)
{
	_cleanup_(X509_CRL_freep) X509_CRL *crl = NULL;
	_cleanup_free_ char *buf = NULL;
	int64_t number = 0;
	size_t n = 0;
	int r;

	if (!dir || !root || !ret || !ret_n)
		return -EINVAL;
	r = arl_read(dir, root, &crl, &buf, &n, &number);
	if (r < 0)
		return r;
	if (ret_number)
		*ret_number = number;
	if (ret_next_update) {
		const ASN1_TIME *next = X509_CRL_get0_nextUpdate(crl);

		if (!next || pki_asn1_time_to_unix(next, ret_next_update) < 0)
			return -EBADMSG;
	}
	*ret_n = n;
	*ret = (unsigned char *)TAKE_PTR(buf);
	return 0;
}

static int add_ext_i2d(X509_CRL *crl, X509_REVOKED *rv, int nid, void *value)
{
	int ok = crl ? X509_CRL_add1_ext_i2d(crl, nid, value, 0, X509V3_ADD_APPEND)
		     : X509_REVOKED_add1_ext_i2d(rv, nid, value, 0, X509V3_ADD_APPEND);

	return ok == 1 ? 0 : -EIO;
}

static int revoked_new(const ASN1_INTEGER *serial, const ASN1_TIME *at, int reason,
		       X509_REVOKED **ret)
{
	_cleanup_(X509_REVOKED_freep) X509_REVOKED *rv = X509_REVOKED_new();
	_cleanup_(ASN1_ENUMERATED_freep) ASN1_ENUMERATED *e = NULL;
	int r;

	if (!rv || X509_REVOKED_set_serialNumber(rv, (ASN1_INTEGER *)serial) != 1 ||
	    X509_REVOKED_set_revocationDate(rv, (ASN1_TIME *)at) != 1)
		return -ENOMEM;
	if (reason != 0) {	/* unspecified: no reasonCode (RFC 5280 5.3.1) */
		e = ASN1_ENUMERATED_new();
		if (!e || ASN1_ENUMERATED_set(e, reason) != 1)
			return -ENOMEM;
		r = add_ext_i2d(NULL, rv, NID_crl_reason, e);
		if (r < 0)
			return r;
	}
	*ret = TAKE_PTR(rv);
	return 0;
}

int pki_arl_write(const char *dir, X509 *root, EVP_PKEY *key, X509_CRL *prev, X509 *revoke,
		  int reason, int64_t now, int days, int64_t *ret_number)
{
	_cleanup_(X509_CRL_freep) X509_CRL *crl = X509_CRL_new();
	_cleanup_(ASN1_TIME_freep) ASN1_TIME *this_update = ASN1_TIME_set(NULL, (time_t)now),
		*next_update = ASN1_TIME_set(NULL, (time_t)(now + (int64_t)days * DAY));
	_cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *num = ASN1_INTEGER_new();
	_cleanup_(X509_EXTENSION_freep) X509_EXTENSION *aki = NULL;
	_cleanup_free_ unsigned char *der = NULL;
	_cleanup_free_ char *path = NULL;
	const EVP_MD *md = pki_key_digest(key);
	X509V3_CTX ctx;
	int64_t number = 1;
	size_t n = 0;
	bool listed = false;
	int r;

	if (days <= 0 || !md)
		return -EINVAL;
	if (!crl || !this_update || !next_update || !num)
		return -ENOMEM;
	if (prev) {
		r = arl_number(prev, &number);
		if (r < 0)
			return r;
		number++;
	}
	if (X509_CRL_set_version(crl, X509_CRL_VERSION_2) != 1 ||
	    X509_CRL_set_issuer_name(crl, X509_get_subject_name(root)) != 1 ||
	    X509_CRL_set1_lastUpdate(crl, this_update) != 1 ||
	    X509_CRL_set1_nextUpdate(crl, next_update) != 1 ||
	    ASN1_INTEGER_set_int64(num, number) != 1)
		return -ENOMEM;
	/* The entries of the current ARL stay: a revoked CA is never taken
	 * off (no hold for CAs). */
	for (int i = 0; prev && i < sk_X509_REVOKED_num(X509_CRL_get_REVOKED(prev)); i++) {
		X509_REVOKED *e = sk_X509_REVOKED_value(X509_CRL_get_REVOKED(prev), i);
		X509_REVOKED *d = X509_REVOKED_dup(e);

		if (!d || X509_CRL_add0_revoked(crl, d) != 1) {
			X509_REVOKED_free(d);
			return -ENOMEM;
		}
		listed |= revoke && ASN1_INTEGER_cmp(X509_REVOKED_get0_serialNumber(e),
						     X509_get0_serialNumber(revoke)) == 0;
	}
	/* Listed already: its date and reason stand (a CA's revocation is
	 * final); say so rather than sign an ARL the caller would describe
	 * as a new revocation. */
	if (revoke && listed)
		return -EALREADY;
	if (revoke) {
		X509_REVOKED *rv = NULL;

		r = revoked_new(X509_get0_serialNumber(revoke), this_update, reason, &rv);
		if (r < 0)
			return r;
		if (X509_CRL_add0_revoked(crl, rv) != 1) {
			X509_REVOKED_free(rv);
			return -ENOMEM;
		}
	}
	X509V3_set_ctx(&ctx, root, NULL, NULL, crl, 0);
	aki = X509V3_EXT_conf_nid(NULL, &ctx, NID_authority_key_identifier, "keyid:always");
	if (!aki || X509_CRL_add_ext(crl, aki, -1) != 1)
		return -EIO;
	r = add_ext_i2d(crl, NULL, NID_crl_number, num);
	if (r < 0)
		return r;
	if (X509_CRL_sort(crl) != 1 || X509_CRL_sign(crl, key, md) <= 0)
		return -EIO;
	r = pki_der_encode((i2d_of_void *)i2d_X509_CRL, crl, &der, &n);
	if (r < 0)
		return r;
	path = strdup_printf("%s/" PKI_ARL_FILE, dir);
	if (!path)
		return -ENOMEM;
	r = write_file_atomic(path, der, n, 0600);
	if (r < 0)
		return r;
	if (ret_number)
		*ret_number = number;
	return 0;
}

static int arl_sign(const struct pki_ca_config *cfg, const char *dir, const char *passphrase,
		    int days, bool revoke_issuing, int reason, int64_t known, int64_t *ret_number,
		    int64_t *ret_next_update)
{
	_cleanup_(X509_freep) X509 *root = NULL, *iss = NULL;
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	_cleanup_(X509_CRL_freep) X509_CRL *prev = NULL;
	_cleanup_free_ char *root_path = NULL, *iss_path = NULL;
	struct pki_ca_config defaults;
	int64_t now = now_sec(), current = 0;
	int r;

	/* no certificateHold, no removeFromCRL for a CA; 7 is not a reason */
	if (!dir || !passphrase || days <= 0 || reason < 0 || (reason >= 6 && reason <= 8) ||
	    reason > 10)
		return -EINVAL;
	if (!cfg) {
		pki_ca_config_init_defaults(&defaults);
		cfg = &defaults;
	}
	root_path = strdup_printf("%s/root.crt", dir);
	iss_path = strdup_printf("%s/issuing.crt", dir);
	if (!root_path || !iss_path)
		return -ENOMEM;
	r = pki_cert_load(root_path, &root);
	if (r < 0)
		return r;
	if (X509_check_issued(root, root) != X509_V_OK)
		return -EBADMSG;	/* root.crt must be the root */
	if (revoke_issuing) {
		r = pki_cert_load(iss_path, &iss);
		if (r < 0)
			return r;
		if (X509_check_issued(root, iss) != X509_V_OK ||
		    X509_verify(iss, X509_get0_pubkey(root)) != 1)
			return -EBADMSG;
	}
	r = arl_read(dir, root, &prev, NULL, NULL, &current);
	if (r < 0 && r != -ENOENT)
		return r;
	if (current < known)	/* lost, or a stale copy */
		return -ESTALE;
	r = pki_ca_key_open(dir, cfg->root_key_ref, "root.key", passphrase, root, &key);
	if (r < 0)
		return r;
	r = pki_arl_write(dir, root, key, prev, iss, reason, now, days, ret_number);
	if (r == 0 && ret_next_update)
		*ret_next_update = now + (int64_t)days * DAY;
	return r;
}

int pki_arl_sign(const struct pki_ca_config *cfg, const char *dir, const char *passphrase,
		 int days, bool revoke_issuing, int reason, int64_t known, int64_t *ret_number,
		 int64_t *ret_next_update)
{
	int r = arl_sign(cfg, dir, passphrase, days, revoke_issuing, reason, known, ret_number,
			 ret_next_update);

	if (r < 0)
		ERR_clear_error();
	return r;
}
