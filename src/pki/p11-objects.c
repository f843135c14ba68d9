/* p11-objects.c - objects on a token through the PKCS#11 C API: key
 * pairs generated on the token (RSA or EC; libp11 0.4.12 cannot make EC
 * keys), certificates stored beside them, and every certificate on every
 * token listed (what eimza shows the holder to choose from).
 *
 * Key pairs and certificates pair by CKA_ID; the private half is never
 * extractable and may only sign. */
#include "pki/p11-private.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>
#include <openssl/objects.h>
#include <openssl/param_build.h>

#include "pki/ossl.h"

static bool id_valid(const unsigned char *id, size_t id_len)
{
	return id && id_len > 0 && id_len <= P11_ID_MAX;
}

static int key_spec_parse(const char *spec, CK_MECHANISM_TYPE *ret_mech, CK_ULONG *ret_bits,
			  int *ret_nid)
{
	static const struct {
		const char *spec;
		CK_MECHANISM_TYPE mech;
		CK_ULONG bits;
		int nid;
	} table[] = {
		{ "rsa:2048", CKM_RSA_PKCS_KEY_PAIR_GEN, 2048, NID_undef },
		{ "rsa:3072", CKM_RSA_PKCS_KEY_PAIR_GEN, 3072, NID_undef },
		{ "rsa:4096", CKM_RSA_PKCS_KEY_PAIR_GEN, 4096, NID_undef },
		{ "ec:P-256", CKM_EC_KEY_PAIR_GEN, 0, NID_X9_62_prime256v1 },
		{ "ec:P-384", CKM_EC_KEY_PAIR_GEN, 0, NID_secp384r1 },
	};

	for (size_t i = 0; spec && i < ELEMENTSOF(table); i++)
		if (streq(spec, table[i].spec)) {
			*ret_mech = table[i].mech;
			*ret_bits = table[i].bits;
			*ret_nid = table[i].nid;
			return 0;
		}
	return -EINVAL;
}

static int pubkey_from_rsa(const unsigned char *n, size_t n_len, const unsigned char *e,
			   size_t e_len, EVP_PKEY **ret)
{
	_cleanup_(BN_freep) BIGNUM *bn = BN_bin2bn(n, (int)n_len, NULL);
	_cleanup_(BN_freep) BIGNUM *be = BN_bin2bn(e, (int)e_len, NULL);
	_cleanup_(OSSL_PARAM_BLD_freep) OSSL_PARAM_BLD *bld = OSSL_PARAM_BLD_new();
	_cleanup_(OSSL_PARAM_freep) OSSL_PARAM *params = NULL;
	_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *pctx = NULL;
	EVP_PKEY *pk = NULL;

	if (!bn || !be || !bld)
		return -ENOMEM;
	if (!OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_N, bn) ||
	    !OSSL_PARAM_BLD_push_BN(bld, OSSL_PKEY_PARAM_RSA_E, be))
		return -ENOMEM;
	params = OSSL_PARAM_BLD_to_param(bld);
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "RSA", NULL);
	if (!params || !pctx)
		return -ENOMEM;
	if (EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		ERR_clear_error();
		return -EIO;
	}
	*ret = pk;
	return 0;
}

static int pubkey_from_ec(int nid, const unsigned char *point, size_t point_len, EVP_PKEY **ret)
{
	_cleanup_(ASN1_OCTET_STRING_freep) ASN1_OCTET_STRING *os = NULL;
	_cleanup_(EVP_PKEY_CTX_freep) EVP_PKEY_CTX *pctx = NULL;
	const unsigned char *p = point;
	OSSL_PARAM params[3];
	EVP_PKEY *pk = NULL;

	/* CKA_EC_POINT is a DER OCTET STRING; some modules give it bare. */
	os = d2i_ASN1_OCTET_STRING(NULL, &p, (long)point_len);
	if (os && p == point + point_len) {
		point = ASN1_STRING_get0_data(os);
		point_len = (size_t)ASN1_STRING_length(os);
	}
	ERR_clear_error();
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_PKEY_PARAM_GROUP_NAME,
						     (char *)OBJ_nid2sn(nid), 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_PKEY_PARAM_PUB_KEY, (void *)point,
						      point_len);
	params[2] = OSSL_PARAM_construct_end();
	pctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
	if (!pctx)
		return -ENOMEM;
	if (EVP_PKEY_fromdata_init(pctx) <= 0 ||
	    EVP_PKEY_fromdata(pctx, &pk, EVP_PKEY_PUBLIC_KEY, params) <= 0) {
		ERR_clear_error();
		return -EIO;
	}
	*ret = pk;
	return 0;
}

/* The public half of a key pair as an OpenSSL key. */
static int pubkey_read(struct p11_ctx *ctx, CK_SESSION_HANDLE s, CK_OBJECT_HANDLE o, int nid,
		       EVP_PKEY **ret)
{
	_cleanup_free_ unsigned char *a = NULL, *b = NULL;
	size_t na = 0, nb = 0;
	int r;

	if (nid == NID_undef) {
		r = p11_attr_get(ctx, s, o, CKA_MODULUS, &a, &na);
		if (r >= 0)
			r = p11_attr_get(ctx, s, o, CKA_PUBLIC_EXPONENT, &b, &nb);
		if (r < 0)
			return r;
		return pubkey_from_rsa(a, na, b, nb, ret);
	}
	r = p11_attr_get(ctx, s, o, CKA_EC_POINT, &a, &na);
	if (r < 0)
		return r;
	return pubkey_from_ec(nid, a, na, ret);
}

int p11_keygen(struct p11_ctx *ctx, const char *label, const char *user_pin,
	       const char *key_spec, const unsigned char *id, size_t id_len,
	       EVP_PKEY **ret_pubkey)
{
	static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	static const CK_BYTE exponent[] = { 0x01, 0x00, 0x01 };
	CK_OBJECT_CLASS pub_class = CKO_PUBLIC_KEY, priv_class = CKO_PRIVATE_KEY, cls = CKO_PRIVATE_KEY;
	CK_KEY_TYPE type;
	CK_MECHANISM mech = {};
	CK_ULONG bits = 0, n_found = 0;
	CK_OBJECT_HANDLE pub, priv, found[1];
	CK_SESSION_HANDLE s;
	_cleanup_openssl_free_ unsigned char *params = NULL;
	char hexid[2 * P11_ID_MAX + 1];
	EVP_PKEY *pk = NULL;
	int nid, plen = 0, r;
	CK_RV rv;

	if (!ctx || isempty(user_pin) || !id_valid(id, id_len) || !ret_pubkey)
		return -EINVAL;
	r = key_spec_parse(key_spec, &mech.mechanism, &bits, &nid);
	if (r < 0)
		return r;
	type = nid == NID_undef ? CKK_RSA : CKK_EC;
	if (nid != NID_undef) {
		plen = i2d_ASN1_OBJECT(OBJ_nid2obj(nid), &params);
		if (plen <= 0)
			return -ENOMEM;
	}
	hex_encode(id, id_len, hexid);

	CK_ATTRIBUTE pub_tmpl[] = {
		{ CKA_CLASS, &pub_class, sizeof(pub_class) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_TOKEN, (void *)&yes, sizeof(yes) },
		{ CKA_PRIVATE, (void *)&no, sizeof(no) },
		{ CKA_VERIFY, (void *)&yes, sizeof(yes) },
		{ CKA_ENCRYPT, (void *)&no, sizeof(no) },
		{ CKA_WRAP, (void *)&no, sizeof(no) },
		{ CKA_ID, (void *)id, id_len },
		{ CKA_LABEL, hexid, strlen(hexid) },
		/* type specific, last */
		{ CKA_MODULUS_BITS, &bits, sizeof(bits) },
		{ CKA_PUBLIC_EXPONENT, (void *)exponent, sizeof(exponent) },
	};
	CK_ATTRIBUTE priv_tmpl[] = {
		{ CKA_CLASS, &priv_class, sizeof(priv_class) },
		{ CKA_KEY_TYPE, &type, sizeof(type) },
		{ CKA_TOKEN, (void *)&yes, sizeof(yes) },
		{ CKA_PRIVATE, (void *)&yes, sizeof(yes) },
		{ CKA_SENSITIVE, (void *)&yes, sizeof(yes) },
		{ CKA_EXTRACTABLE, (void *)&no, sizeof(no) },
		{ CKA_SIGN, (void *)&yes, sizeof(yes) },
		{ CKA_DECRYPT, (void *)&no, sizeof(no) },
		{ CKA_UNWRAP, (void *)&no, sizeof(no) },
		{ CKA_DERIVE, (void *)&no, sizeof(no) },
		{ CKA_ID, (void *)id, id_len },
		{ CKA_LABEL, hexid, strlen(hexid) },
	};
	CK_ATTRIBUTE find_tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_ID, (void *)id, id_len },
	};
	CK_ULONG n_pub = ELEMENTSOF(pub_tmpl);

	if (nid != NID_undef) {
		pub_tmpl[n_pub - 2] = (CK_ATTRIBUTE){ CKA_EC_PARAMS, params, (CK_ULONG)plen };
		n_pub--;
	}

	r = p11_session_open(ctx, label, true, CKU_USER, user_pin, &s);
	if (r < 0)
		return r;
	r = p11_objects_find(ctx, s, find_tmpl, ELEMENTSOF(find_tmpl), found, 1, &n_found);
	if (r >= 0 && n_found > 0)
		r = -EEXIST;
	if (r < 0)
		goto out;
	rv = ctx->f->C_GenerateKeyPair(s, &mech, pub_tmpl, n_pub, priv_tmpl,
				       ELEMENTSOF(priv_tmpl), &pub, &priv);
	if (rv != CKR_OK) {
		r = p11_fail(ctx, "C_GenerateKeyPair", rv);
		goto out;
	}
	r = pubkey_read(ctx, s, pub, nid, &pk);
	if (r < 0) {
		ctx->f->C_DestroyObject(s, priv);
		ctx->f->C_DestroyObject(s, pub);
		goto out;
	}
	*ret_pubkey = pk;
out:
	p11_session_end(ctx, s, true);
	return r;
}

int p11_cert_store(struct p11_ctx *ctx, const char *label, const char *user_pin,
		   X509 *cert, const unsigned char *id, size_t id_len)
{
	static const CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_CERTIFICATE_TYPE ctype = CKC_X_509;
	_cleanup_openssl_free_ unsigned char *der = NULL, *subj = NULL, *iss = NULL, *ser = NULL;
	int nder, nsubj, niss, nser, r;
	char hexid[2 * P11_ID_MAX + 1];
	CK_SESSION_HANDLE s;
	CK_OBJECT_HANDLE o;
	CK_RV rv;

	if (!ctx || !cert || isempty(user_pin) || !id_valid(id, id_len))
		return -EINVAL;
	nder = i2d_X509(cert, &der);
	nsubj = i2d_X509_NAME(X509_get_subject_name(cert), &subj);
	niss = i2d_X509_NAME(X509_get_issuer_name(cert), &iss);
	nser = i2d_ASN1_INTEGER(X509_get0_serialNumber(cert), &ser);
	if (nder <= 0 || nsubj <= 0 || niss <= 0 || nser <= 0)
		return -ENOMEM;
	hex_encode(id, id_len, hexid);

	CK_ATTRIBUTE tmpl[] = {
		{ CKA_CLASS, &cls, sizeof(cls) },
		{ CKA_CERTIFICATE_TYPE, &ctype, sizeof(ctype) },
		{ CKA_TOKEN, (void *)&yes, sizeof(yes) },
		{ CKA_PRIVATE, (void *)&no, sizeof(no) },
		{ CKA_MODIFIABLE, (void *)&yes, sizeof(yes) },
		{ CKA_ID, (void *)id, id_len },
		{ CKA_LABEL, hexid, strlen(hexid) },
		{ CKA_SUBJECT, subj, (CK_ULONG)nsubj },
		{ CKA_ISSUER, iss, (CK_ULONG)niss },
		{ CKA_SERIAL_NUMBER, ser, (CK_ULONG)nser },
		{ CKA_VALUE, der, (CK_ULONG)nder },
	};

	r = p11_session_open(ctx, label, true, CKU_USER, user_pin, &s);
	if (r < 0)
		return r;
	rv = ctx->f->C_CreateObject(s, tmpl, ELEMENTSOF(tmpl), &o);
	p11_session_end(ctx, s, true);
	return p11_fail(ctx, "C_CreateObject", rv);
}

void p11_cert_info_free_array(struct p11_cert_info *a, size_t n)
{
	for (size_t i = 0; a && i < n; i++) {
		free(a[i].token_label);
		free(a[i].token_serial);
		X509_free(a[i].cert);
	}
	free(a);
}

static int certs_of_slot(struct p11_ctx *ctx, CK_SLOT_ID slot, const CK_TOKEN_INFO *ti,
			 struct p11_cert_info **a, size_t *n)
{
	CK_OBJECT_CLASS cls = CKO_CERTIFICATE;
	CK_ATTRIBUTE tmpl[] = { { CKA_CLASS, &cls, sizeof(cls) } };
	CK_OBJECT_HANDLE objs[P11_MAX_OBJECTS];
	CK_ULONG n_objs = 0;
	CK_SESSION_HANDLE s;
	char label[P11_LABEL_LEN + 1], serial[sizeof(ti->serialNumber) + 1];
	int r;

	p11_label_from_ck(ti->label, label);
	memcpy(serial, ti->serialNumber, sizeof(ti->serialNumber));
	serial[sizeof(ti->serialNumber)] = '\0';
	for (size_t k = strlen(serial); k > 0 && serial[k - 1] == ' '; k--)
		serial[k - 1] = '\0';

	if (ctx->f->C_OpenSession(slot, CKF_SERIAL_SESSION, NULL, NULL, &s) != CKR_OK)
		return 0;	/* a token we cannot read is skipped */
	r = p11_objects_find(ctx, s, tmpl, ELEMENTSOF(tmpl), objs, P11_MAX_OBJECTS, &n_objs);
	for (CK_ULONG i = 0; r >= 0 && i < n_objs; i++) {
		_cleanup_free_ unsigned char *der = NULL, *id = NULL;
		size_t nder = 0, nid = 0;
		const unsigned char *p;
		struct p11_cert_info *na, *ci;
		X509 *x;

		if (p11_attr_get(ctx, s, objs[i], CKA_VALUE, &der, &nder) < 0)
			continue;
		p = der;
		x = d2i_X509(NULL, &p, (long)nder);
		if (!x) {
			ERR_clear_error();
			continue;
		}
		na = realloc(*a, (*n + 1) * sizeof(**a));
		if (!na) {
			X509_free(x);
			r = -ENOMEM;
			break;
		}
		*a = na;
		ci = &na[*n];
		*ci = (struct p11_cert_info){ .cert = x };
		(*n)++;
		ci->token_label = strdup(label);
		ci->token_serial = strdup(serial);
		if (!ci->token_label || !ci->token_serial) {
			r = -ENOMEM;
			break;
		}
		if (p11_attr_get(ctx, s, objs[i], CKA_ID, &id, &nid) == 0 && nid <= P11_ID_MAX) {
			memcpy(ci->id, id, nid);
			ci->id_len = nid;
		}
	}
	ctx->f->C_CloseSession(s);
	return r;
}

int p11_certs_list(struct p11_ctx *ctx, struct p11_cert_info **ret, size_t *ret_n)
{
	_cleanup_free_ CK_SLOT_ID *slots = NULL;
	struct p11_cert_info *a = NULL;
	size_t n = 0;
	CK_ULONG ns;
	int r;

	if (!ctx || !ret || !ret_n)
		return -EINVAL;
	r = p11_slots_get(ctx, &slots, &ns);
	if (r < 0)
		return r;
	for (CK_ULONG i = 0; i < ns; i++) {
		CK_TOKEN_INFO ti;

		if (!p11_slot_token(ctx, slots[i], &ti))
			continue;
		r = certs_of_slot(ctx, slots[i], &ti, &a, &n);
		if (r < 0) {
			p11_cert_info_free_array(a, n);
			return r;
		}
	}
	*ret = a;
	*ret_n = n;
	return 0;
}
