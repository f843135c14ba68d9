/* pki-fixture.c - test CAs, holder certificates and SoftHSM set-up.
 *
 * See pki-fixture.h.  Test code: no secrets worth wiping, but still no
 * printing; the callers assert. */
#include "pki-fixture.h"

#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "pki/ossl.h"

void fx_ca_done(struct fx_ca *ca)
{
	if (!ca)
		return;
	X509_free(ca->cert);
	EVP_PKEY_free(ca->key);
	ca->cert = NULL;
	ca->key = NULL;
}

int fx_key_new(const char *spec, EVP_PKEY **ret)
{
	EVP_PKEY *k = NULL;

	if (!spec)
		spec = "ec:P-256";
	if (strncmp(spec, "rsa:", 4) == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "RSA", (size_t)atoi(spec + 4));
	else if (strncmp(spec, "ec:", 3) == 0)
		k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", spec + 3);
	else
		return -EINVAL;
	if (!k) {
		ERR_clear_error();
		return -EIO;
	}
	*ret = k;
	return 0;
}

static int add_ext(X509 *x, X509 *issuer, int nid, const char *value)
{
	_cleanup_(X509_EXTENSION_freep) X509_EXTENSION *ext = NULL;
	X509V3_CTX v3;

	X509V3_set_ctx(&v3, issuer ? issuer : x, x, NULL, NULL, 0);
	ext = X509V3_EXT_conf_nid(NULL, &v3, nid, value);
	if (!ext || !X509_add_ext(x, ext, -1))
		return -EIO;
	return 0;
}

/* QCStatements: QcCompliance, QcSSCD, QcType esign (ETSI EN 319 412-5). */
static int add_qc(X509 *x)
{
	static const unsigned char der[] = {
		0x30, 0x29,
		0x30, 0x08, 0x06, 0x06, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x01,
		0x30, 0x08, 0x06, 0x06, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x04,
		0x30, 0x13, 0x06, 0x06, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x06,
		0x30, 0x09, 0x06, 0x07, 0x04, 0x00, 0x8e, 0x46, 0x01, 0x06, 0x01,
	};
	_cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *os = ASN1_OCTET_STRING_new();
	_cleanup_(X509_EXTENSION_freep) X509_EXTENSION *ext = NULL;

	if (!os || !ASN1_OCTET_STRING_set(os, der, sizeof(der)))
		return -ENOMEM;
	ext = X509_EXTENSION_create_by_NID(NULL, NID_qcStatements, 0, os);
	if (!ext || !X509_add_ext(x, ext, -1))
		return -EIO;
	return 0;
}

static int cert_base(X509 *x, const char *cn, const char *tckn, EVP_PKEY *pub,
		     int64_t not_before, int64_t not_after)
{
	_cleanup_(ASN1_INTEGER_freep) ASN1_INTEGER *serial = ASN1_INTEGER_new();
	_cleanup_(BN_freep) BIGNUM *bn = BN_new();
	X509_NAME *name = X509_get_subject_name(x);

	if (!serial || !bn)
		return -ENOMEM;
	if (!BN_rand(bn, 127, BN_RAND_TOP_ONE, BN_RAND_BOTTOM_ANY) ||
	    !BN_to_ASN1_INTEGER(bn, serial) || !X509_set_serialNumber(x, serial))
		return -EIO;
	if (!X509_set_version(x, X509_VERSION_3) || !X509_set_pubkey(x, pub))
		return -EIO;
	if (!X509_time_adj_ex(X509_getm_notBefore(x), 0, (long)not_before, &(time_t){ 0 }) ||
	    !X509_time_adj_ex(X509_getm_notAfter(x), 0, (long)not_after, &(time_t){ 0 }))
		return -EIO;
	if (!X509_NAME_add_entry_by_txt(name, "C", MBSTRING_ASC, (const unsigned char *)"TR", -1, -1, 0))
		return -EIO;
	if (tckn && !X509_NAME_add_entry_by_NID(name, NID_serialNumber, MBSTRING_ASC,
						(const unsigned char *)tckn, -1, -1, 0))
		return -EIO;
	if (!X509_NAME_add_entry_by_NID(name, NID_commonName, MBSTRING_UTF8,
					(const unsigned char *)cn, -1, -1, 0))
		return -EIO;
	return 0;
}

int fx_ca_new(const char *cn, const struct fx_ca *issuer, const char *key_spec,
	      int64_t not_before, int64_t not_after, struct fx_ca *ret)
{
	_cleanup_(X509_freep) X509 *x = X509_new();
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	int64_t now = now_sec();
	int r;

	if (!x)
		return -ENOMEM;
	r = fx_key_new(key_spec ? key_spec : "ec:P-256", &key);
	if (r < 0)
		return r;
	if (!not_before && !not_after) {
		not_before = now - 86400;
		not_after = now + 10 * 365 * 86400LL;
	}
	r = cert_base(x, cn, NULL, key, not_before, not_after);
	if (r < 0)
		return r;
	if (!X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer->cert)
					    : X509_get_subject_name(x)))
		return -EIO;
	if (add_ext(x, NULL, NID_basic_constraints, "critical,CA:TRUE") < 0 ||
	    add_ext(x, NULL, NID_key_usage, "critical,keyCertSign,cRLSign") < 0 ||
	    add_ext(x, NULL, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, issuer ? issuer->cert : x, NID_authority_key_identifier, "keyid:always") < 0)
		return -EIO;
	if (!X509_sign(x, issuer ? issuer->key : key, EVP_sha256()))
		return -EIO;
	ret->cert = TAKE_PTR(x);
	ret->key = TAKE_PTR(key);
	return 0;
}

int fx_holder_new(const struct fx_ca *issuer, const struct fx_holder_opts *o, X509 **ret_cert,
		  EVP_PKEY **ret_key)
{
	static const struct fx_holder_opts def = {};
	_cleanup_(X509_freep) X509 *x = X509_new();
	_cleanup_(EVP_PKEY_freep) EVP_PKEY *key = NULL;
	int64_t now = now_sec(), nb, na;
	EVP_PKEY *pub;
	int r;

	if (!o)
		o = &def;
	if (!x)
		return -ENOMEM;
	if (o->pubkey)
		pub = o->pubkey;
	else {
		r = fx_key_new(o->key_spec, &key);
		if (r < 0)
			return r;
		pub = key;
	}
	nb = o->not_before ? o->not_before : now - 3600;
	na = o->not_after ? o->not_after : now + 365 * 86400LL;
	r = cert_base(x, o->cn ? o->cn : "AYŞE YILMAZ", o->tckn ? o->tckn : FX_TCKN, pub, nb, na);
	if (r < 0)
		return r;
	if (!X509_set_issuer_name(x, X509_get_subject_name(issuer->cert)))
		return -EIO;
	if (add_ext(x, NULL, NID_key_usage,
		    o->no_nonrepudiation ? "critical,digitalSignature" : "critical,nonRepudiation") < 0 ||
	    add_ext(x, NULL, NID_subject_key_identifier, "hash") < 0 ||
	    add_ext(x, issuer->cert, NID_authority_key_identifier, "keyid:always") < 0)
		return -EIO;
	if (o->policy_oid) {
		_cleanup_(CERTIFICATEPOLICIES_freep) CERTIFICATEPOLICIES *pols = sk_POLICYINFO_new_null();
		POLICYINFO *pi = POLICYINFO_new();

		if (!pols || !pi || !sk_POLICYINFO_push(pols, pi)) {
			POLICYINFO_free(pi);
			return -ENOMEM;
		}
		ASN1_OBJECT_free(pi->policyid);
		pi->policyid = OBJ_txt2obj(o->policy_oid, 1);
		if (!pi->policyid || !X509_add1_ext_i2d(x, NID_certificate_policies, pols, 0, X509V3_ADD_DEFAULT))
			return -EIO;
	}
	if (!o->no_qc && add_qc(x) < 0)
		return -EIO;
	if (!X509_sign(x, issuer->key, o->md ? o->md : EVP_sha256()))
		return -EIO;
	*ret_cert = TAKE_PTR(x);
	if (ret_key)
		*ret_key = TAKE_PTR(key);
	return 0;
}

int fx_dir_new(char *ret)
{
	strcpy(ret, "/tmp/eonay-h2-XXXXXX");
	return mkdtemp(ret) ? 0 : -errno;
}

void fx_dir_remove(const char *dir)
{
	_cleanup_free_ char *cmd = NULL;

	if (isempty(dir) || strncmp(dir, "/tmp/eonay-h2-", 14) != 0 || getenv("EONAY_KEEP_TMP"))
		return;
	cmd = strdup_printf("rm -rf '%s'", dir);
	if (cmd && system(cmd) != 0)
		return;
}

int fx_softhsm_setup(const char *dir)
{
	_cleanup_free_ char *tokens = strdup_printf("%s/tokens", dir);
	_cleanup_free_ char *conf = strdup_printf("%s/softhsm2.conf", dir);
	_cleanup_free_ char *text = NULL;
	int r;

	if (!tokens || !conf)
		return -ENOMEM;
	if (mkdir(tokens, 0700) < 0 && errno != EEXIST)
		return -errno;
	text = strdup_printf("directories.tokendir = %s\nobjectstore.backend = file\n"
			     "log.level = ERROR\nslots.removable = false\n", tokens);
	if (!text)
		return -ENOMEM;
	r = write_file_atomic(conf, text, strlen(text), 0600);
	if (r < 0)
		return r;
	return setenv("SOFTHSM2_CONF", conf, 1) < 0 ? -errno : 0;
}

int fx_write_cert(const char *dir, const char *name, X509 *x)
{
	_cleanup_free_ char *path = strdup_printf("%s/%s", dir, name);
	FILE *f;
	int ok;

	if (!path)
		return -ENOMEM;
	f = fopen(path, "we");
	if (!f)
		return -errno;
	ok = PEM_write_X509(f, x);
	if (fclose(f) != 0 || !ok)
		return -EIO;
	return 0;
}

int fx_write_data(const char *dir, const char *name, const void *buf, size_t n)
{
	_cleanup_free_ char *path = strdup_printf("%s/%s", dir, name);

	if (!path)
		return -ENOMEM;
	return write_file_atomic(path, buf, n, 0644);
}

int fx_run(const char *dir, char **ret_out, const char *fmt, ...)
{
	_cleanup_free_ char *cmd = NULL, *full = NULL;
	char *out = NULL;
	size_t n = 0, cap = 0;
	va_list ap;
	FILE *f;
	int st, r;

	va_start(ap, fmt);
	r = vasprintf(&cmd, fmt, ap);
	va_end(ap);
	if (r < 0)
		return -1;
	full = strdup_printf("cd '%s' && ( %s ) 2>&1", dir, cmd);
	if (!full)
		return -1;
	f = popen(full, "r");
	if (!f)
		return -1;
	for (;;) {
		size_t k;
		if (n + 4097 > cap) {
			char *no;
			cap = cap ? 2 * cap : 8192;
			no = realloc(out, cap);
			if (!no)
				break;
			out = no;
		}
		k = fread(out + n, 1, cap - n - 1, f);
		if (k == 0)
			break;
		n += k;
	}
	if (out)
		out[n] = '\0';
	st = pclose(f);
	if (ret_out)
		*ret_out = out ? out : strdup("");
	else
		free(out);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}
