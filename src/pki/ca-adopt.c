/* ca-adopt.c - taking over an existing CA (eonayctl ca import).
 *
 * Writes the CA directory pki_ca_load() opens from a CA made elsewhere
 * (`openssl ca`): its certificate as the issuing CA, the top of its chain
 * as the root, its key re-encrypted under our passphrase (or left on its
 * token, a pkcs11: URI), and a new delegated OCSP responder certified by
 * that key.  The records of its index.txt are the domain's business
 * (domain/caimport.c). */
#include "pki/ca.h"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>
#include <unistd.h>

#include "common/util.h"
#include "pki/ca-private.h"
#include "pki/key.h"
#include "pki/ossl.h"

static int read_chain(const char *path, STACK_OF(X509) **ret)
{
	_cleanup_(BIO_free_allp) BIO *b = BIO_new_file(path, "r");
	STACK_OF(X509) *sk;
	X509 *x;

	if (!b)
		return access(path, F_OK) < 0 ? -ENOENT : -EIO;
	sk = sk_X509_new_null();
	if (!sk)
		return -ENOMEM;
	while ((x = PEM_read_bio_X509(b, NULL, NULL, NULL)))
		if (!sk_X509_push(sk, x)) {
			X509_free(x);
			sk_X509_pop_free(sk, X509_free);
			return -ENOMEM;
		}
	ERR_clear_error();
	if (sk_X509_num(sk) == 0) {
		sk_X509_free(sk);
		return -EBADMSG;
	}
	*ret = sk;
	return 0;
}

static int pass_cb(char *buf, int size, int rwflag, void *u)
{
	const char *p = u;
	int n;

	(void)rwflag;
	if (!p)
		return -1;
	n = (int)strlen(p);
	if (n > size)
		return -1;
	memcpy(buf, p, (size_t)n);
	return n;
}

static int read_key(const char *path, const char *pass, EVP_PKEY **ret)
{
	_cleanup_(BIO_free_allp) BIO *b = BIO_new_file(path, "r");

	if (!b)
		return access(path, F_OK) < 0 ? -ENOENT : -EIO;
	*ret = PEM_read_bio_PrivateKey(b, NULL, pass_cb, (void *)pass);
	if (!*ret) {
		unsigned long e = ERR_peek_last_error();

		ERR_clear_error();
		return ERR_GET_REASON(e) == PEM_R_BAD_PASSWORD_READ ||
		       ERR_GET_REASON(e) == PEM_R_BAD_DECRYPT || ERR_GET_LIB(e) == ERR_LIB_EVP ?
			-EACCES : -EBADMSG;
	}
	return 0;
}

static int ocsp_cert(const struct pki_ca_config *cfg, X509 *iss, EVP_PKEY *k_iss,
		     EVP_PKEY *k_ocsp, X509 **ret)
{
	_cleanup_(X509_freep) X509 *x = X509_new();
	_cleanup_(X509_NAME_freep) X509_NAME *n = X509_NAME_new();
	_cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *serial = NULL;
	_cleanup_(ASN1_NULL_freep) ASN1_NULL *null = ASN1_NULL_new();
	int64_t now = now_sec() - 3600, end = now + (int64_t)cfg->ocsp_days * 86400, ca_end = 0;
	const EVP_MD *md = pki_key_digest(k_iss);
	int r;

	if (!x || !n || !null)
		return -ENOMEM;
	if (!md)
		return -EINVAL;
	r = pki_serial_random(&serial);
	if (r < 0)
		return r;
	if (pki_asn1_time_to_unix(X509_get0_notAfter(iss), &ca_end) == 0 && ca_end < end)
		end = ca_end;
	if ((r = pki_name_add(n, NID_countryName, V_ASN1_PRINTABLESTRING, cfg->country)) < 0 ||
	    (r = pki_name_add(n, NID_organizationName, V_ASN1_UTF8STRING, cfg->organization)) < 0 ||
	    (r = pki_name_add(n, NID_commonName, V_ASN1_UTF8STRING, cfg->ocsp_cn)) < 0)
		return r;
	if (!X509_set_version(x, X509_VERSION_3) || !X509_set_serialNumber(x, serial) ||
	    !X509_set_subject_name(x, n) || !X509_set_issuer_name(x, X509_get_subject_name(iss)) ||
	    !X509_set_pubkey(x, k_ocsp))
		return -EIO;
	if ((r = pki_cert_set_validity(x, now, end)) < 0 ||
	    (r = pki_cert_add_conf_ext(x, iss, NID_basic_constraints, "critical,CA:FALSE")) < 0 ||
	    (r = pki_cert_add_conf_ext(x, iss, NID_key_usage, "critical,digitalSignature")) < 0 ||
	    (r = pki_cert_add_conf_ext(x, iss, NID_ext_key_usage, "OCSPSigning")) < 0 ||
	    (r = pki_cert_add_conf_ext(x, iss, NID_subject_key_identifier, "hash")) < 0 ||
	    (r = pki_cert_add_conf_ext(x, iss, NID_authority_key_identifier, "keyid:always")) < 0)
		return r;
	if (X509_add1_ext_i2d(x, NID_id_pkix_OCSP_noCheck, null, 0, X509V3_ADD_APPEND) != 1)
		return -EIO;
	if (X509_sign(x, k_iss, md) <= 0)
		return -EIO;
	*ret = TAKE_PTR(x);
	return 0;
}

static int adopt(const struct pki_ca_config *cfg, const char *dir, const char *passphrase,
		 const char *cert_path, const char *key_ref, const char *key_pass, bool *ret_same)
{
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *k_iss = NULL, *k_ocsp = NULL;
	_cleanup_(X509_freep) X509 *ocsp = NULL, *old = NULL;
	_cleanup_free_ char *p_root = NULL, *p_iss = NULL, *p_ocsp = NULL, *k_isspath = NULL,
			    *k_ocsppath = NULL;
	STACK_OF(X509) *chain = NULL;
	bool on_token = strncmp(key_ref, "pkcs11:", 7) == 0;
	bool made[5] = {};
	X509 *iss, *root;
	int r;

	*ret_same = false;
	p_root = strdup_printf("%s/root.crt", dir);
	p_iss = strdup_printf("%s/issuing.crt", dir);
	p_ocsp = strdup_printf("%s/ocsp.crt", dir);
	k_isspath = strdup_printf("%s/issuing.key", dir);
	k_ocsppath = strdup_printf("%s/ocsp.key", dir);
	if (!p_root || !p_iss || !p_ocsp || !k_isspath || !k_ocsppath)
		return -ENOMEM;
	r = read_chain(cert_path, &chain);
	if (r < 0)
		return r;
	iss = sk_X509_value(chain, 0);
	root = sk_X509_value(chain, sk_X509_num(chain) - 1);
	r = -EBADMSG;
	if (X509_check_ca(iss) == 0 || !X509_get0_subject_key_id(iss))
		goto out;
	/* The root, then at most the issuing CA under it: what pki_ca_load() trusts. */
	if (X509_check_issued(root, root) != X509_V_OK || X509_check_issued(root, iss) != X509_V_OK)
		goto out;
	r = -EOPNOTSUPP;
	if (sk_X509_num(chain) > 2)
		goto out;

	if (pki_cert_load(p_iss, &old) == 0) {
		r = X509_cmp(old, iss) == 0 ? 0 : -EEXIST;
		*ret_same = r == 0;
		goto out;
	}
	r = -EEXIST;
	if (access(p_root, F_OK) == 0 || access(p_ocsp, F_OK) == 0 || access(k_isspath, F_OK) == 0)
		goto out;

	if (on_token) {
		r = -EINVAL;
		if (!cfg->issuing_key_ref || strcmp(cfg->issuing_key_ref, key_ref) != 0)
			goto out;	/* pki.issuing_key_ref must name it for pki_ca_load() */
		r = pki_key_load(key_ref, passphrase, &k_iss);
	} else
		r = read_key(key_ref, key_pass, &k_iss);
	if (r < 0)
		goto out;
	r = -EKEYREJECTED;
	if (X509_check_private_key(iss, k_iss) != 1)
		goto out;
	if (cfg->ocsp_key_ref)
		r = pki_key_load(cfg->ocsp_key_ref, passphrase, &k_ocsp);
	else
		r = pki_key_generate(cfg->ocsp_key_spec, &k_ocsp);
	if (r < 0)
		goto out;
	r = ocsp_cert(cfg, iss, k_iss, k_ocsp, &ocsp);
	if (r < 0)
		goto out;

	r = mkdir_p(dir, 0700);
	if (r < 0)
		goto out;
	if (!on_token) {
		r = pki_key_save(k_iss, k_isspath, passphrase);
		if (r < 0)
			goto out;
		made[0] = true;
	}
	if (!cfg->ocsp_key_ref) {
		r = pki_key_save(k_ocsp, k_ocsppath, passphrase);
		if (r < 0)
			goto out;
		made[1] = true;
	}
	if ((r = pki_cert_save(root, p_root)) < 0)
		goto out;
	made[2] = true;
	if ((r = pki_cert_save(ocsp, p_ocsp)) < 0)
		goto out;
	made[3] = true;
	/* issuing.crt last: its presence says the directory holds a CA. */
	if ((r = pki_cert_save(iss, p_iss)) < 0)
		goto out;
	r = 0;
out:
	if (r < 0 && !*ret_same) {
		const char *paths[4] = { k_isspath, k_ocsppath, p_root, p_ocsp };

		for (int i = 0; i < 4; i++)
			if (made[i])
				unlink(paths[i]);
	}
	sk_X509_pop_free(chain, X509_free);
	return r;
}

int pki_ca_adopt(const struct pki_ca_config *cfg, const char *dir, const char *passphrase,
		 const char *cert_path, const char *key_ref, const char *key_pass, bool *ret_same)
{
	struct pki_ca_config defaults;
	int r;

	if (isempty(dir) || isempty(passphrase) || isempty(cert_path) || isempty(key_ref) ||
	    !ret_same)
		return -EINVAL;
	if (!cfg) {
		pki_ca_config_init_defaults(&defaults);
		cfg = &defaults;
	}
	r = adopt(cfg, dir, passphrase, cert_path, key_ref, key_pass, ret_same);
	if (r < 0)
		ERR_clear_error();
	return r;
}

void pki_ca_adopt_undo(const struct pki_ca_config *cfg, const char *dir)
{
	static const char *const files[] = { "issuing.crt", "root.crt", "ocsp.crt" };

	for (size_t i = 0; i < ELEMENTSOF(files); i++) {
		_cleanup_free_ char *p = strdup_printf("%s/%s", dir, files[i]);

		if (p)
			unlink(p);
	}
	for (int i = 0; i < 2; i++) {
		_cleanup_free_ char *p = NULL;

		if (i == 0 && cfg && cfg->issuing_key_ref)
			continue;
		if (i == 1 && cfg && cfg->ocsp_key_ref)
			continue;
		p = strdup_printf("%s/%s", dir, i == 0 ? "issuing.key" : "ocsp.key");
		if (p)
			unlink(p);
	}
}
