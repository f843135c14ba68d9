/* ca.c - creating and opening the CA (root, issuing CA, OCSP responder).
 *
 * pki_ca_init() is the one-time ceremony that makes the keys and the three
 * CA certificates; pki_ca_load() opens them for the server and the CLIs
 * and precomputes what the hot paths need (OCSP CertID hashes, digests,
 * URLs, the trust store).  The certificate-building helpers at the top are
 * shared with profile-issue.c through ca-private.h. */
#include "pki/ca.h"

#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "common/util.h"
#include "pki/ca-private.h"
#include "pki/key.h"
#include "pki/ocsp-der.h"
#include "pki/ossl.h"

#define DAY 86400

void pki_ca_config_init_defaults(struct pki_ca_config *cfg)
{
	*cfg = (struct pki_ca_config){
		.root_cn = "eonay Demo Root CA",
		.organization = "eonay Demo",
		.country = "TR",
		.issuing_cn = "eonay Demo NES Issuing CA",
		.ocsp_cn = "eonay Demo OCSP Responder",
		.root_key_spec = "ec:P-384",
		.issuing_key_spec = "ec:P-384",
		.ocsp_key_spec = "ec:P-256",
		.root_days = 20 * 365 + 5,
		.issuing_days = 10 * 365 + 2,
		.ocsp_days = 365,
		.holder_max_days = 3 * 365 + 1,
		.policy_oid = "2.16.792.1.2.1.1.5.7.1.9",
		.base_url = "http://127.0.0.1:8080",
		.ocsp_validity_secs = 3600,
	};
}

/* Shared certificate-building helpers (ca-private.h). */

int pki_name_add(X509_NAME *name, int nid, int type, const char *value)
{
	if (!value)
		return -EINVAL;
	/* An explicit type (not MBSTRING_*) is stored as is: the encoding
	 * does not depend on the process-wide string mask. */
	if (!X509_NAME_add_entry_by_NID(name, nid, type, (const unsigned char *)value,
					(int)strlen(value), -1, 0))
		return -EIO;
	return 0;
}

int pki_cert_add_conf_ext(X509 *cert, X509 *issuer, int nid, const char *value)
{
	_cleanup_(X509_EXTENSION_freep) X509_EXTENSION *ext = NULL;
	X509V3_CTX ctx;

	X509V3_set_ctx(&ctx, issuer, cert, NULL, NULL, 0);
	ext = X509V3_EXT_nconf_nid(NULL, &ctx, nid, value);
	if (!ext)
		return -EIO;
	if (!X509_add_ext(cert, ext, -1))
		return -ENOMEM;
	return 0;
}

int pki_cert_add_policy(X509 *cert, const ASN1_OBJECT *policy, const char *cps_url)
{
	_cleanup_(CERTIFICATEPOLICIES_freep) CERTIFICATEPOLICIES *pols = NULL;
	POLICYINFO *pi;

	pols = CERTIFICATEPOLICIES_new();
	pi = POLICYINFO_new();
	if (!pols || !pi) {
		POLICYINFO_free(pi);
		return -ENOMEM;
	}
	if (!sk_POLICYINFO_push(pols, pi)) {
		POLICYINFO_free(pi);
		return -ENOMEM;
	}
	ASN1_OBJECT_free(pi->policyid);
	pi->policyid = OBJ_dup(policy);
	if (!pi->policyid)
		return -ENOMEM;
	if (cps_url) {
		POLICYQUALINFO *q = POLICYQUALINFO_new();

		if (!q)
			return -ENOMEM;
		pi->qualifiers = sk_POLICYQUALINFO_new_null();
		if (!pi->qualifiers || !sk_POLICYQUALINFO_push(pi->qualifiers, q)) {
			POLICYQUALINFO_free(q);
			return -ENOMEM;
		}
		ASN1_OBJECT_free(q->pqualid);
		q->pqualid = OBJ_nid2obj(NID_id_qt_cps);
		q->d.cpsuri = ASN1_IA5STRING_new();
		if (!q->d.cpsuri ||
		    !ASN1_STRING_set(q->d.cpsuri, cps_url, (int)strlen(cps_url)))
			return -ENOMEM;
	}
	if (X509_add1_ext_i2d(cert, NID_certificate_policies, pols, 0, X509V3_ADD_APPEND) != 1)
		return -EIO;
	return 0;
}

int pki_cert_set_validity(X509 *cert, int64_t not_before, int64_t not_after)
{
	if (!ASN1_TIME_set(X509_getm_notBefore(cert), (time_t)not_before) ||
	    !ASN1_TIME_set(X509_getm_notAfter(cert), (time_t)not_after))
		return -EIO;
	return 0;
}

/* A new v3 certificate with a random serial, subject, validity and key;
 * issuer name taken from issuer (NULL: self-issued). */
static int cert_new(X509_NAME *subject, X509 *issuer, EVP_PKEY *pubkey,
		    int64_t not_before, int64_t not_after, X509 **ret)
{
	_cleanup_(X509_freep) X509 *x = NULL;
	_cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *serial = NULL;
	int r;

	x = X509_new();
	if (!x)
		return -ENOMEM;
	r = pki_serial_random(&serial);
	if (r < 0)
		return r;
	if (!X509_set_version(x, X509_VERSION_3) ||
	    !X509_set_serialNumber(x, serial) ||
	    !X509_set_subject_name(x, subject) ||
	    !X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer) : subject) ||
	    !X509_set_pubkey(x, pubkey))
		return -EIO;
	r = pki_cert_set_validity(x, not_before, not_after);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(x);
	return 0;
}

static int ca_name(const struct pki_ca_config *cfg, const char *cn, X509_NAME **ret)
{
	_cleanup_(X509_NAME_freep) X509_NAME *n = X509_NAME_new();
	int r;

	if (!n)
		return -ENOMEM;
	r = pki_name_add(n, NID_countryName, V_ASN1_PRINTABLESTRING, cfg->country);
	if (r < 0)
		return r;
	r = pki_name_add(n, NID_organizationName, V_ASN1_UTF8STRING, cfg->organization);
	if (r < 0)
		return r;
	r = pki_name_add(n, NID_commonName, V_ASN1_UTF8STRING, cn);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(n);
	return 0;
}

static bool url_ok(const char *s)
{
	if (isempty(s) || strlen(s) > 1000)
		return false;
	if (strncmp(s, "http://", 7) != 0 && strncmp(s, "https://", 8) != 0)
		return false;
	for (const char *p = s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == ',' || *p == '"')
			return false;	/* also keeps the nconf value strings simple */
	return true;
}

static bool name_ok(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	if (n == 0 || n > 64 * 4)
		return false;
	for (const char *p = s; *p; p++)
		if ((unsigned char)*p < ' ' || *p == 0x7f)
			return false;
	return true;
}

static int config_check(const struct pki_ca_config *cfg)
{
	_cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *o = NULL;
	const char *c;

	if (!cfg)
		return -EINVAL;
	c = cfg->country;
	if (!c || strlen(c) != 2 || c[0] < 'A' || c[0] > 'Z' || c[1] < 'A' || c[1] > 'Z')
		return -EINVAL;
	if (!name_ok(cfg->root_cn) || !name_ok(cfg->organization) ||
	    !name_ok(cfg->issuing_cn) || !name_ok(cfg->ocsp_cn))
		return -EINVAL;
	if (cfg->root_days <= 0 || cfg->issuing_days <= 0 || cfg->ocsp_days <= 0 ||
	    cfg->holder_max_days <= 0 || cfg->root_days > 100 * 366 ||
	    cfg->issuing_days > cfg->root_days || cfg->ocsp_days > cfg->issuing_days)
		return -EINVAL;
	if (cfg->ocsp_validity_secs <= 0 || cfg->ocsp_validity_secs > 7 * DAY)
		return -EINVAL;
	if (!url_ok(cfg->base_url) || cfg->base_url[strlen(cfg->base_url) - 1] == '/')
		return -EINVAL;
	if (cfg->cps_url && !url_ok(cfg->cps_url))
		return -EINVAL;
	if (isempty(cfg->policy_oid))
		return -EINVAL;
	o = OBJ_txt2obj(cfg->policy_oid, 1);
	if (!o)
		return -EINVAL;
	return 0;
}

static int ca_path(const char *dir, const char *ref, const char *file, char **ret)
{
	*ret = ref ? strdup(ref) : strdup_printf("%s/%s", dir, file);
	return *ret ? 0 : -ENOMEM;
}

/* Makes (or, with a key reference, opens) a key, and saves a new one. */
static int init_key(const char *spec, const char *ref, const char *path,
		    const char *passphrase, bool *created, EVP_PKEY **ret)
{
	int r;

	if (ref)
		return pki_key_load(ref, passphrase, ret);
	r = pki_key_generate(spec, ret);
	if (r < 0)
		return r;
	r = pki_key_save(*ret, path, passphrase);
	if (r < 0) {
		EVP_PKEY_free(*ret);
		*ret = NULL;
		return r;
	}
	*created = true;
	return 0;
}

static int sign_cert(X509 *x, EVP_PKEY *key)
{
	const EVP_MD *md = pki_key_digest(key);

	if (!md)
		return -EINVAL;
	return X509_sign(x, key, md) > 0 ? 0 : -EIO;
}

enum { ROOT, ISSUING, OCSP, LEVELS };
static const char *const level_file[LEVELS][2] = {
	[ROOT] = { "root.crt", "root.key" },
	[ISSUING] = { "issuing.crt", "issuing.key" },
	[OCSP] = { "ocsp.crt", "ocsp.key" },
};

static int ca_init(const struct pki_ca_config *cfg, const char *dir, const char *passphrase)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *k_root = NULL, *k_iss = NULL, *k_ocsp = NULL;
	_cleanup_(X509_freep) X509 *root = NULL, *iss = NULL, *ocsp = NULL;
	_cleanup_(X509_NAME_freep) X509_NAME *n_root = NULL, *n_iss = NULL, *n_ocsp = NULL;
	_cleanup_(ASN1_OBJECT_freep) ASN1_OBJECT *policy = NULL;
	_cleanup_free_ char *cps = NULL, *arl_dp = NULL, *root_aia = NULL;
	const char *refs[LEVELS];
	char *crt[LEVELS] = {}, *key[LEVELS] = {};
	bool made_key[LEVELS] = {}, made_crt[LEVELS] = {};
	/* Valid from an hour ago: relying parties with a slow clock, and
	 * holder certificates back-dated a little for the same reason. */
	int64_t now = now_sec() - 3600;
	int r;

	r = config_check(cfg);
	if (r < 0)
		return r;
	if (isempty(dir) || isempty(passphrase))
		return -EINVAL;
	refs[ROOT] = cfg->root_key_ref;
	refs[ISSUING] = cfg->issuing_key_ref;
	refs[OCSP] = cfg->ocsp_key_ref;
	r = mkdir_p(dir, 0700);
	if (r < 0)
		return r;
	for (int i = 0; i < LEVELS; i++) {
		r = ca_path(dir, NULL, level_file[i][0], &crt[i]);
		if (r < 0)
			goto out;
		r = ca_path(dir, refs[i], level_file[i][1], &key[i]);
		if (r < 0)
			goto out;
		if (access(crt[i], F_OK) == 0 || (!refs[i] && access(key[i], F_OK) == 0)) {
			r = -EEXIST;
			goto out;
		}
	}
	policy = OBJ_txt2obj(cfg->policy_oid, 1);
	cps = cfg->cps_url ? strdup(cfg->cps_url) : strdup_printf("%s/cps", cfg->base_url);
	/* The issuing CA's own status: the root's CRL (ca-arl.c). */
	arl_dp = strdup_printf("URI:%s/crl/" PKI_ARL_FILE, cfg->base_url);
	root_aia = strdup_printf("caIssuers;URI:%s/ca/root.crt", cfg->base_url);
	if (!policy || !cps || !arl_dp || !root_aia) {
		r = -ENOMEM;
		goto out;
	}

	/* Keys. */
	r = init_key(cfg->root_key_spec, refs[ROOT], key[ROOT], passphrase, &made_key[ROOT], &k_root);
	if (r < 0)
		goto out;
	r = init_key(cfg->issuing_key_spec, refs[ISSUING], key[ISSUING], passphrase,
		     &made_key[ISSUING], &k_iss);
	if (r < 0)
		goto out;
	r = init_key(cfg->ocsp_key_spec, refs[OCSP], key[OCSP], passphrase, &made_key[OCSP], &k_ocsp);
	if (r < 0)
		goto out;

	/* Root: self-signed, CA:TRUE pathlen:1 (one CA below it). */
	if ((r = ca_name(cfg, cfg->root_cn, &n_root)) < 0 ||
	    (r = cert_new(n_root, NULL, k_root, now, now + (int64_t)cfg->root_days * DAY, &root)) < 0 ||
	    (r = pki_cert_add_conf_ext(root, root, NID_basic_constraints, "critical,CA:TRUE,pathlen:1")) < 0 ||
	    (r = pki_cert_add_conf_ext(root, root, NID_key_usage, "critical,keyCertSign,cRLSign")) < 0 ||
	    (r = pki_cert_add_conf_ext(root, root, NID_subject_key_identifier, "hash")) < 0 ||
	    (r = sign_cert(root, k_root)) < 0)
		goto out;

	/* Issuing CA: signs holder certificates and CRLs; asserts the NES
	 * policy so that policy-checking verifiers accept the path. */
	if ((r = ca_name(cfg, cfg->issuing_cn, &n_iss)) < 0 ||
	    (r = cert_new(n_iss, root, k_iss, now, now + (int64_t)cfg->issuing_days * DAY, &iss)) < 0 ||
	    (r = pki_cert_add_conf_ext(iss, root, NID_basic_constraints, "critical,CA:TRUE,pathlen:0")) < 0 ||
	    (r = pki_cert_add_conf_ext(iss, root, NID_key_usage, "critical,keyCertSign,cRLSign")) < 0 ||
	    (r = pki_cert_add_conf_ext(iss, root, NID_subject_key_identifier, "hash")) < 0 ||
	    (r = pki_cert_add_conf_ext(iss, root, NID_authority_key_identifier, "keyid:always")) < 0 ||
	    (r = pki_cert_add_conf_ext(iss, root, NID_crl_distribution_points, arl_dp)) < 0 ||
	    (r = pki_cert_add_conf_ext(iss, root, NID_info_access, root_aia)) < 0 ||
	    (r = pki_cert_add_policy(iss, policy, cps)) < 0 ||
	    (r = sign_cert(iss, k_root)) < 0)
		goto out;

	/* Delegated OCSP responder (RFC 6960 4.2.2.2), no revocation check
	 * of its own (id-pkix-ocsp-nocheck, 4.2.2.2.1). */
	if ((r = ca_name(cfg, cfg->ocsp_cn, &n_ocsp)) < 0 ||
	    (r = cert_new(n_ocsp, iss, k_ocsp, now, now + (int64_t)cfg->ocsp_days * DAY, &ocsp)) < 0 ||
	    (r = pki_cert_add_conf_ext(ocsp, iss, NID_basic_constraints, "critical,CA:FALSE")) < 0 ||
	    (r = pki_cert_add_conf_ext(ocsp, iss, NID_key_usage, "critical,digitalSignature")) < 0 ||
	    (r = pki_cert_add_conf_ext(ocsp, iss, NID_ext_key_usage, "OCSPSigning")) < 0 ||
	    (r = pki_cert_add_conf_ext(ocsp, iss, NID_subject_key_identifier, "hash")) < 0 ||
	    (r = pki_cert_add_conf_ext(ocsp, iss, NID_authority_key_identifier, "keyid:always")) < 0)
		goto out;
	{
		_cleanup_(ASN1_NULL_freep) ASN1_NULL *null = ASN1_NULL_new();

		if (!null) {
			r = -ENOMEM;
			goto out;
		}
		if (X509_add1_ext_i2d(ocsp, NID_id_pkix_OCSP_noCheck, null, 0, X509V3_ADD_APPEND) != 1) {
			r = -EIO;
			goto out;
		}
	}
	r = sign_cert(ocsp, k_iss);
	if (r < 0)
		goto out;

	{
		X509 *certs[LEVELS] = { root, iss, ocsp };

		for (int i = 0; i < LEVELS; i++) {
			r = pki_cert_save(certs[i], crt[i]);
			if (r < 0)
				goto out;
			made_crt[i] = true;
		}
	}
	r = pki_arl_write(dir, root, k_root, NULL, NULL, 0, now + 3600, PKI_ARL_DAYS, NULL);
out:
	for (int i = 0; i < LEVELS; i++) {
		if (r < 0 && made_crt[i])
			unlink(crt[i]);
		if (r < 0 && made_key[i])
			unlink(key[i]);
		free(crt[i]);
		free(key[i]);
	}
	return r;
}

int pki_ca_init(const struct pki_ca_config *cfg, const char *dir, const char *passphrase)
{
	int r = ca_init(cfg, dir, passphrase);

	if (r < 0)
		ERR_clear_error();
	return r;
}

/* Loading. */

static int copy_config(struct pki_ca *ca, const struct pki_ca_config *cfg)
{
	const char **fields[] = {
		&ca->cfg.root_cn, &ca->cfg.organization, &ca->cfg.country,
		&ca->cfg.issuing_cn, &ca->cfg.ocsp_cn, &ca->cfg.root_key_spec,
		&ca->cfg.issuing_key_spec, &ca->cfg.ocsp_key_spec,
		&ca->cfg.root_key_ref, &ca->cfg.issuing_key_ref,
		&ca->cfg.ocsp_key_ref, &ca->cfg.policy_oid, &ca->cfg.base_url,
		&ca->cfg.cps_url,
	};
	_Static_assert(ELEMENTSOF(fields) <= ELEMENTSOF(ca->strings), "strings[] too small");

	ca->cfg = *cfg;
	for (size_t i = 0; i < ELEMENTSOF(fields); i++) {
		if (!*fields[i])
			continue;
		ca->strings[i] = strdup(*fields[i]);
		if (!ca->strings[i])
			return -ENOMEM;
		*fields[i] = ca->strings[i];
	}
	return 0;
}

static int ca_derive(struct pki_ca *ca)
{
	const char *b = ca->cfg.base_url;

	ca->crl_url = strdup_printf("%s/crl/issuing.crl", b);
	ca->ocsp_url = strdup_printf("%s/ocsp", b);
	ca->issuers_url = strdup_printf("%s/ca/issuing.crt", b);
	ca->pds_url = strdup_printf("%s/pds/en", b);
	ca->cps_url = ca->cfg.cps_url ? strdup(ca->cfg.cps_url) : strdup_printf("%s/cps", b);
	ca->policy = OBJ_txt2obj(ca->cfg.policy_oid, 1);
	if (!ca->crl_url || !ca->ocsp_url || !ca->issuers_url || !ca->pds_url ||
	    !ca->cps_url || !ca->policy)
		return -ENOMEM;
	return 0;
}

static int ca_hashes(struct pki_ca *ca)
{
	X509_NAME *name = X509_get_subject_name(ca->issuing);
	unsigned int n1 = 0, n2 = 0, n3 = 0, n4 = 0;

	if (!X509_NAME_digest(name, EVP_sha1(), ca->name_sha1, &n1) ||
	    !X509_NAME_digest(name, EVP_sha256(), ca->name_sha256, &n2) ||
	    !X509_pubkey_digest(ca->issuing, EVP_sha1(), ca->key_sha1, &n3) ||
	    !X509_pubkey_digest(ca->issuing, EVP_sha256(), ca->key_sha256, &n4))
		return -EIO;
	if (n1 != 20 || n3 != 20 || n2 != 32 || n4 != 32)
		return -EIO;
	return 0;
}

static char *verify_reason(X509_STORE_CTX *ctx)
{
	int err = X509_STORE_CTX_get_error(ctx);

	return strdup_printf("certificate verification failed at depth %d: %s",
			     X509_STORE_CTX_get_error_depth(ctx),
			     X509_verify_cert_error_string(err));
}

int pki_ca_verify_cert(const struct pki_ca *ca, X509 *cert, int64_t t, char **ret_reason)
{
	_cleanup_(X509_STORE_CTX_freep) X509_STORE_CTX *ctx = NULL;
	X509_VERIFY_PARAM *param;

	if (!ca || !cert)
		return -EINVAL;
	ctx = X509_STORE_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (!X509_STORE_CTX_init(ctx, ca->store, cert, ca->chain))
		return -ENOMEM;
	param = X509_STORE_CTX_get0_param(ctx);
	if (t < 0)
		X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_NO_CHECK_TIME);
	else if (t > 0)
		X509_VERIFY_PARAM_set_time(param, (time_t)t);
	if (X509_verify_cert(ctx) == 1)
		return 0;
	if (ret_reason)
		*ret_reason = verify_reason(ctx);
	ERR_clear_error();
	return -EACCES;
}

int pki_ca_key_open(const char *dir, const char *ref, const char *file, const char *passphrase,
		    X509 *cert, EVP_PKEY **ret)
{
	_cleanup_free_ char *path = NULL;
	int r;

	r = ca_path(dir, ref, file, &path);
	if (r < 0)
		return r;
	r = pki_key_load(path, passphrase, ret);
	if (r < 0)
		return r;
	if (X509_check_private_key(cert, *ret) != 1) {
		ERR_clear_error();
		EVP_PKEY_free(*ret);
		*ret = NULL;
		return -EBADMSG;
	}
	return 0;
}

int pki_ca_load(const char *dir, const char *passphrase, struct pki_ca **ret)
{
	return pki_ca_load_config(NULL, dir, passphrase, ret);
}

static int ca_load(const struct pki_ca_config *cfg, const char *dir,
		   const char *passphrase, struct pki_ca **ret)
{
	_cleanup_(pki_ca_freep) struct pki_ca *ca = NULL;
	struct pki_ca_config defaults;
	X509 **certs[LEVELS];
	int r;

	if (isempty(dir) || !ret)
		return -EINVAL;
	if (!cfg) {
		pki_ca_config_init_defaults(&defaults);
		cfg = &defaults;
	}
	r = config_check(cfg);
	if (r < 0)
		return r;
	ca = calloc(1, sizeof(*ca));
	if (!ca)
		return -ENOMEM;
	r = copy_config(ca, cfg);
	if (r < 0)
		return r;
	r = ca_derive(ca);
	if (r < 0)
		return r;

	certs[ROOT] = &ca->root;
	certs[ISSUING] = &ca->issuing;
	certs[OCSP] = &ca->ocsp;
	for (int i = 0; i < LEVELS; i++) {
		_cleanup_free_ char *path = strdup_printf("%s/%s", dir, level_file[i][0]);

		if (!path)
			return -ENOMEM;
		r = pki_cert_load(path, certs[i]);
		if (r < 0)
			return r;
	}

	/* The chain must verify (times aside: an expired CA still answers
	 * OCSP for what it issued; issuance checks validity itself). */
	ca->store = X509_STORE_new();
	ca->chain = sk_X509_new_null();
	if (!ca->store || !ca->chain)
		return -ENOMEM;
	if (!X509_STORE_add_cert(ca->store, ca->root) || !sk_X509_push(ca->chain, ca->issuing))
		return -ENOMEM;
	X509_up_ref(ca->issuing);
	if (X509_check_ca(ca->root) == 0 || X509_check_ca(ca->issuing) == 0 ||
	    X509_check_issued(ca->root, ca->root) != X509_V_OK ||
	    X509_check_issued(ca->issuing, ca->ocsp) != X509_V_OK)
		return -EBADMSG;
	if (pki_ca_verify_cert(ca, ca->issuing, -1, NULL) < 0 ||
	    pki_ca_verify_cert(ca, ca->ocsp, -1, NULL) < 0)
		return -EBADMSG;
	if (!(X509_get_extension_flags(ca->ocsp) & EXFLAG_XKUSAGE) ||
	    !(X509_get_extended_key_usage(ca->ocsp) & XKU_OCSP_SIGN))
		return -EBADMSG;

	r = pki_ca_key_open(dir, ca->cfg.issuing_key_ref, "issuing.key", passphrase, ca->issuing,
		     &ca->issuing_key);
	if (r < 0)
		return r;
	r = pki_ca_key_open(dir, ca->cfg.ocsp_key_ref, "ocsp.key", passphrase, ca->ocsp, &ca->ocsp_key);
	if (r < 0)
		return r;
	ca->issuing_md = pki_key_digest(ca->issuing_key);
	/* OCSP answers are always SHA-256 (what every client supports). */
	ca->ocsp_md = EVP_sha256();
	if (!ca->issuing_md)
		return -EBADMSG;
	/* The OCSP signing context, copied for each answer (ocsp.c); keys that
	 * cannot be set up this way (some engines) sign the slow way. */
	ca->ocsp_sign_tmpl = EVP_MD_CTX_new();
	if (!ca->ocsp_sign_tmpl)
		return -ENOMEM;
	if (EVP_DigestSignInit(ca->ocsp_sign_tmpl, NULL, ca->ocsp_md, NULL, ca->ocsp_key) != 1) {
		EVP_MD_CTX_free(ca->ocsp_sign_tmpl);
		ca->ocsp_sign_tmpl = NULL;
		ERR_clear_error();
	}
	if (pki_asn1_time_to_unix(X509_get0_notBefore(ca->issuing), &ca->issuing_not_before) < 0 ||
	    pki_asn1_time_to_unix(X509_get0_notAfter(ca->issuing), &ca->issuing_not_after) < 0)
		return -EBADMSG;
	if (!X509_get0_subject_key_id(ca->issuing))
		return -EBADMSG;
	r = ca_hashes(ca);
	if (r < 0)
		return r;
	*ret = TAKE_PTR(ca);
	return 0;
}

int pki_ca_load_config(const struct pki_ca_config *cfg, const char *dir,
		       const char *passphrase, struct pki_ca **ret)
{
	int r = ca_load(cfg, dir, passphrase, ret);

	if (r < 0)
		ERR_clear_error();
	return r;
}

void pki_ca_free(struct pki_ca *ca)
{
	if (!ca)
		return;
	for (size_t i = 0; i < ELEMENTSOF(ca->strings); i++)
		free(ca->strings[i]);
	free(ca->crl_url);
	free(ca->ocsp_url);
	free(ca->issuers_url);
	free(ca->pds_url);
	free(ca->cps_url);
	ASN1_OBJECT_free(ca->policy);
	X509_free(ca->root);
	X509_free(ca->issuing);
	X509_free(ca->ocsp);
	EVP_PKEY_free(ca->issuing_key);
	EVP_MD_CTX_free(ca->ocsp_sign_tmpl);
	pki_ocsp_fast_free(ca->ocsp_fast);
	EVP_PKEY_free(ca->ocsp_key);
	X509_STORE_free(ca->store);
	sk_X509_pop_free(ca->chain, X509_free);
	free(ca);
}

const struct pki_ca_config *pki_ca_get_config(const struct pki_ca *ca)
{
	return ca ? &ca->cfg : NULL;
}

X509 *pki_ca_root_cert(const struct pki_ca *ca)
{
	return ca ? ca->root : NULL;
}

X509 *pki_ca_issuing_cert(const struct pki_ca *ca)
{
	return ca ? ca->issuing : NULL;
}

X509 *pki_ca_ocsp_cert(const struct pki_ca *ca)
{
	return ca ? ca->ocsp : NULL;
}

X509_STORE *pki_ca_trust_store(const struct pki_ca *ca)
{
	return ca ? ca->store : NULL;
}

STACK_OF(X509) *pki_ca_chain(const struct pki_ca *ca)
{
	return ca ? ca->chain : NULL;
}

const char *pki_ca_crl_url(const struct pki_ca *ca)
{
	return ca ? ca->crl_url : NULL;
}

const char *pki_ca_ocsp_url(const struct pki_ca *ca)
{
	return ca ? ca->ocsp_url : NULL;
}

const char *pki_ca_issuers_url(const struct pki_ca *ca)
{
	return ca ? ca->issuers_url : NULL;
}

const char *pki_ca_pds_url(const struct pki_ca *ca)
{
	return ca ? ca->pds_url : NULL;
}

const char *pki_ca_cps_url(const struct pki_ca *ca)
{
	return ca ? ca->cps_url : NULL;
}
