/* ocsp-der.c - OCSP answers written by hand in DER (see ocsp-der.h).
 *
 * Why: building an answer with OpenSSL's OCSP objects (OCSP_BASICRESP,
 * d2i/i2d, OCSP_basic_sign) costs more than the ECDSA signature itself.
 * Here a strict DER reader accepts only the one request form browsers and
 * `openssl ocsp` send (anything else: -ENOTSUP, the OpenSSL path answers),
 * and a DER writer of three calls (header, bytes, time) writes the answer:
 *
 *   OCSPResponse { successful, [0] { id-pkix-ocsp-basic, OCTET STRING {
 *     BasicOCSPResponse { ResponseData, signatureAlgorithm*, signature,
 *                         [0] certs* } } } }
 *   ResponseData { responderID*, producedAt, { SingleResponse { certID
 *     (the request's bytes), certStatus, thisUpdate, [0] nextUpdate } },
 *     [1] { { nonce, OCTET STRING (the request's bytes) } } }
 *
 * (* pre-encoded: sliced out of one answer OpenSSL signs at the first answer.)  The
 * echoed CertID is the request's DER; the strict reader guarantees it is
 * what OpenSSL's re-encoding of the parsed CertID would be. */
#include "pki/ocsp-der.h"

#include <assert.h>
#include <pthread.h>
#include <time.h>

#include <openssl/err.h>

#include "common/util.h"
#include "pki/ca-private.h"
#include "pki/crl.h"
#include "pki/key.h"
#include "pki/ossl.h"

#define POOL_MAX 64	/* signing contexts kept: one per HTTP thread (server.threads <= 64) */

struct pki_ocsp_fast {
	char issuer[PKI_KEY_ID_HEX_MAX];	/* what lookup is asked with */
	size_t sig_max;				/* EVP_PKEY_get_size of the OCSP key */
	size_t respid_n, sigalg_n, certs_n;
	unsigned char *respid, *sigalg, *certs;	/* whole TLVs; certs may be none */
	/* An EC key signs the digest (ca->ocsp_md, the one the sliced
	 * signatureAlgorithm names) of the ResponseData with EVP_PKEY_sign on
	 * a context set up once and kept (no copy, dup and free of a
	 * DigestSign context per answer); other keys, or one that failed the
	 * check at set-up, sign through ca->ocsp_sign_tmpl. */
	bool prehash;
	EVP_MD *md;
	pthread_mutex_t pool_lock;
	EVP_PKEY_CTX *pool[POOL_MAX];
	int pool_n;
};

/* --- reading: one TLV at a time, DER only --- */

struct der {
	const unsigned char *p, *end;
};

/* Reads the next element of d: a one-byte tag, a definite minimal length,
 * contents within d.  *ret_tlv (may be NULL) is the whole element. */
static bool der_next(struct der *d, unsigned char *ret_tag, struct der *ret_in, struct der *ret_tlv)
{
	const unsigned char *p = d->p;
	size_t len = 0, left = (size_t)(d->end - p);

	if (left < 2 || (p[0] & 0x1f) == 0x1f)
		return false;
	if (p[1] < 0x80) {
		len = p[1];
		p += 2;
	} else {
		size_t k = p[1] & 0x7f;

		if (k == 0 || k > 3 || left < 2 + k || p[2] == 0)
			return false;	/* indefinite, huge, or not minimal */
		for (size_t i = 0; i < k; i++)
			len = len << 8 | p[2 + i];
		if (len < 0x80)
			return false;
		p += 2 + k;
	}
	if ((size_t)(d->end - p) < len)
		return false;
	*ret_tag = d->p[0];
	if (ret_tlv)
		*ret_tlv = (struct der){ d->p, p + len };
	*ret_in = (struct der){ p, p + len };
	d->p = p + len;
	return true;
}

static bool der_done(const struct der *d)
{
	return d->p == d->end;
}

/* Reads an element with this tag. */
static bool der_want(struct der *d, unsigned char tag, struct der *ret_in, struct der *ret_tlv)
{
	unsigned char t;

	return der_next(d, &t, ret_in, ret_tlv) && t == tag;
}

static bool der_eq(const struct der *d, const void *bytes, size_t n)
{
	return (size_t)(d->end - d->p) == n && memcmp(d->p, bytes, n) == 0;
}

#define DER_SEQ 0x30
#define DER_OCTETS 0x04

static const unsigned char oid_sha1[] = { 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a };
static const unsigned char oid_sha256[] = { 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03,
					    0x04, 0x02, 0x01 };
static const unsigned char oid_nonce[] = { 0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07,
					   0x30, 0x01, 0x02 };
static const unsigned char oid_basic[] = { 0x06, 0x09, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07,
					   0x30, 0x01, 0x01 };
static const unsigned char der_null[] = { 0x05, 0x00 };

/* What the fast path needs of a request. */
struct request {
	struct der certid;	/* the whole CertID */
	struct der alg, name_hash, key_hash, serial;	/* contents */
	struct der nonce;	/* the nonce extension's extnValue contents; p NULL: none */
};

/* OCSPRequest { TBSRequest { requestList { Request { CertID } },
 * [2] { { nonce, OCTET STRING } }? } }: nothing more, nothing else. */
static bool parse_request(const unsigned char *der, size_t n, struct request *q)
{
	struct der all = { der, der + n }, ocsp, tbs, list, one, single, cid, alg, oid, null, exts,
		   seq, ext, id;
	unsigned char tag;

	*q = (struct request){ 0 };
	if (!der_want(&all, DER_SEQ, &ocsp, NULL) || !der_done(&all) ||
	    !der_want(&ocsp, DER_SEQ, &tbs, NULL) || !der_done(&ocsp))
		return false;	/* optionalSignature */
	if (!der_want(&tbs, DER_SEQ, &list, NULL))
		return false;	/* version or requestorName */
	if (!der_want(&list, DER_SEQ, &one, NULL) || !der_done(&list) ||
	    !der_want(&one, DER_SEQ, &single, &q->certid) || !der_done(&one))
		return false;	/* several requests, singleRequestExtensions */
	cid = single;
	if (!der_want(&cid, DER_SEQ, &alg, NULL) || !der_want(&alg, 0x06, &oid, &q->alg) ||
	    !der_want(&cid, DER_OCTETS, &q->name_hash, NULL) ||
	    !der_want(&cid, DER_OCTETS, &q->key_hash, NULL) ||
	    !der_want(&cid, 0x02, &q->serial, NULL) || !der_done(&cid))
		return false;
	/* parameters: absent or NULL, re-encoded by OpenSSL as they came */
	if (!der_done(&alg) && (!der_next(&alg, &tag, &null, &id) || !der_eq(&id, der_null, 2) ||
				!der_done(&alg)))
		return false;
	if (der_done(&tbs))
		return true;
	if (!der_want(&tbs, 0xa2, &exts, NULL) || !der_done(&tbs) ||
	    !der_want(&exts, DER_SEQ, &seq, NULL) || !der_done(&exts) ||
	    !der_want(&seq, DER_SEQ, &ext, NULL) || !der_done(&seq))
		return false;	/* another or a second extension */
	if (!der_want(&ext, 0x06, &oid, &id) || !der_eq(&id, oid_nonce, sizeof(oid_nonce)) ||
	    !der_want(&ext, DER_OCTETS, &q->nonce, NULL) || !der_done(&ext))
		return false;	/* not the nonce, or marked critical */
	/* RFC 8954 as ocsp.c's nonce_ok(): 1 to 32 octets in an OCTET STRING */
	return q->nonce.end - q->nonce.p >= 1 && q->nonce.end - q->nonce.p <= 32 + 2;
}

/* The serial as pki_serial_to_hex() writes it; false for a negative,
 * padded or too long one. */
static bool serial_hex(const struct der *s, char ret[PKI_SERIAL_HEX_MAX])
{
	const unsigned char *p = s->p;
	size_t n = (size_t)(s->end - s->p);

	if (n == 0 || (p[0] & 0x80) || (n > 1 && p[0] == 0 && !(p[1] & 0x80)))
		return false;
	if (p[0] == 0) {
		p++;
		n--;
	}
	if (n > 20)
		return false;
	if (n == 0)
		strcpy(ret, "00");
	else
		hex_encode(p, n, ret);
	return true;
}

static bool certid_is_ours(const struct pki_ca *ca, const struct request *q)
{
	if (der_eq(&q->alg, oid_sha1, sizeof(oid_sha1)))
		return der_eq(&q->name_hash, ca->name_sha1, sizeof(ca->name_sha1)) &&
		       der_eq(&q->key_hash, ca->key_sha1, sizeof(ca->key_sha1));
	if (der_eq(&q->alg, oid_sha256, sizeof(oid_sha256)))
		return der_eq(&q->name_hash, ca->name_sha256, sizeof(ca->name_sha256)) &&
		       der_eq(&q->key_hash, ca->key_sha256, sizeof(ca->key_sha256));
	return false;
}

/* --- writing: the caller sizes the buffer with tlv_n() --- */

static size_t hdr_n(size_t len)
{
	return len < 0x80 ? 2 : len < 0x100 ? 3 : len < 0x10000 ? 4 : 5;
}

static size_t tlv_n(size_t len)
{
	return hdr_n(len) + len;
}

static unsigned char *put_hdr(unsigned char *p, unsigned char tag, size_t len)
{
	size_t k = hdr_n(len) - 2;

	*p++ = tag;
	if (k == 0) {
		*p++ = (unsigned char)len;
		return p;
	}
	*p++ = (unsigned char)(0x80 | k);
	for (size_t i = k; i-- > 0;)
		*p++ = (unsigned char)(len >> (8 * i));
	return p;
}

static unsigned char *put(unsigned char *p, const void *bytes, size_t n)
{
	memcpy(p, bytes, n);
	return p + n;
}

#define GENTIME_N 17	/* 18 0f YYYYMMDDHHMMSSZ */

/* GeneralizedTime, as OpenSSL writes thisUpdate, nextUpdate, producedAt
 * and revocationTime; false outside years 0 to 9999. */
static bool put_time(unsigned char *p, int64_t t)
{
	struct tm tm;
	time_t tt = (time_t)t;
	int v[6], i;
	unsigned char *d = p + 2;

	if ((int64_t)tt != t || !gmtime_r(&tt, &tm) || tm.tm_year < -1900 || tm.tm_year > 9999 - 1900)
		return false;
	v[0] = tm.tm_year + 1900;	/* digits by hand: snprintf was 2 % of a nonce answer */
	v[1] = tm.tm_mon + 1;
	v[2] = tm.tm_mday;
	v[3] = tm.tm_hour;
	v[4] = tm.tm_min;
	v[5] = tm.tm_sec;
	*d++ = (unsigned char)('0' + v[0] / 1000);
	*d++ = (unsigned char)('0' + v[0] / 100 % 10);
	for (i = 0; i < 6; i++) {
		*d++ = (unsigned char)('0' + v[i] / 10 % 10);
		*d++ = (unsigned char)('0' + v[i] % 10);
	}
	*d = 'Z';
	p[0] = 0x18;
	p[1] = 15;
	return true;
}

/* CertStatus: good [0] NULL, revoked [1] { time, [0] reason? }, unknown
 * [2] NULL (as OCSP_basic_add1_status writes them).  Returns its length,
 * 0 when the OpenSSL path must answer (an odd reason or time). */
static size_t put_status(unsigned char out[32], const struct pki_ocsp_status *st)
{
	switch (st->status) {
	case PKI_OCSP_GOOD:
		out[0] = 0x80;
		out[1] = 0;
		return 2;
	case PKI_OCSP_UNKNOWN:
		out[0] = 0x82;
		out[1] = 0;
		return 2;
	case PKI_OCSP_REVOKED:
		if (!put_time(out + 2, st->revoked_at))
			return 0;
		out[0] = 0xa1;
		out[1] = GENTIME_N;
		if (st->reason == PKI_REASON_UNSPECIFIED)
			return 2 + GENTIME_N;
		if (!pki_reason_to_string(st->reason) || st->reason == PKI_REASON_REMOVE_FROM_CRL ||
		    st->reason < 0 || st->reason > 0x7f)
			return 0;
		out[1] = GENTIME_N + 5;
		memcpy(out + 2 + GENTIME_N, (const unsigned char[]){ 0xa0, 0x03, 0x0a, 0x01 }, 4);
		out[2 + GENTIME_N + 4] = (unsigned char)st->reason;
		return 2 + GENTIME_N + 5;
	default:
		return 0;
	}
}

/* A signing context for the OCSP key: one kept, or a new one. */
static int pool_get(struct pki_ocsp_fast *f, EVP_PKEY *key, EVP_PKEY_CTX **ret)
{
	EVP_PKEY_CTX *pc = NULL;

	pthread_mutex_lock(&f->pool_lock);
	if (f->pool_n > 0)
		pc = f->pool[--f->pool_n];
	pthread_mutex_unlock(&f->pool_lock);
	if (!pc) {
		pc = EVP_PKEY_CTX_new(key, NULL);
		if (!pc)
			return -ENOMEM;
		if (EVP_PKEY_sign_init(pc) != 1 || EVP_PKEY_CTX_set_signature_md(pc, f->md) != 1) {
			EVP_PKEY_CTX_free(pc);
			return -EIO;
		}
	}
	*ret = pc;
	return 0;
}

/* Keeps pc for the next answer (ok: it signed) or frees it. */
static void pool_put(struct pki_ocsp_fast *f, EVP_PKEY_CTX *pc, bool ok)
{
	if (ok) {
		pthread_mutex_lock(&f->pool_lock);
		if (f->pool_n < POOL_MAX) {
			f->pool[f->pool_n++] = pc;
			pc = NULL;
		}
		pthread_mutex_unlock(&f->pool_lock);
	}
	EVP_PKEY_CTX_free(pc);
}

static int sign_prehash(struct pki_ocsp_fast *f, EVP_PKEY *key, const unsigned char *tbs,
			size_t n, unsigned char *sig, size_t *sig_n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned md_n = 0;
	EVP_PKEY_CTX *pc = NULL;
	bool ok;
	int r;

	r = pool_get(f, key, &pc);
	if (r < 0) {
		ERR_clear_error();
		return r;
	}
	ok = EVP_Digest(tbs, n, md, &md_n, f->md, NULL) == 1 &&
	     EVP_PKEY_sign(pc, sig, sig_n, md, md_n) == 1;
	pool_put(f, pc, ok);
	if (!ok) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

static int sign(struct pki_ca *ca, struct pki_ocsp_fast *f, const unsigned char *tbs, size_t n,
		unsigned char *sig, size_t *sig_n)
{
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = NULL;
	int ok;

	if (f->prehash)
		return sign_prehash(f, ca->ocsp_key, tbs, n, sig, sig_n);
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (ca->ocsp_sign_tmpl)
		ok = EVP_MD_CTX_copy_ex(ctx, ca->ocsp_sign_tmpl);
	else
		ok = EVP_DigestSignInit(ctx, NULL, ca->ocsp_md, NULL, ca->ocsp_key);
	ok = ok && EVP_DigestSign(ctx, sig, sig_n, tbs, n) == 1;
	if (!ok) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

static int parts_new(struct pki_ca *ca, struct pki_ocsp_fast **ret);

/* ca's parts, made once: the first answer makes them under a lock (other
 * threads' first answers wait for it: on an HSM, one signature on the
 * token), every later one only loads the pointer.  A failure other than
 * memory leaves the CA on the OpenSSL path for good. */
static struct pki_ocsp_fast *parts_of(struct pki_ca *ca)
{
	static pthread_mutex_t making = PTHREAD_MUTEX_INITIALIZER;
	struct pki_ocsp_fast *f = atomic_load(&ca->ocsp_fast);
	int r;

	if (f || atomic_load(&ca->ocsp_fast_failed))
		return f;
	pthread_mutex_lock(&making);
	f = atomic_load(&ca->ocsp_fast);
	if (!f && !atomic_load(&ca->ocsp_fast_failed)) {
		r = parts_new(ca, &f);
		if (r == 0)
			atomic_store(&ca->ocsp_fast, f);
		else if (r != -ENOMEM)	/* out of memory: try again at the next answer */
			atomic_store(&ca->ocsp_fast_failed, true);
	}
	pthread_mutex_unlock(&making);
	return f;
}

#define RD_MAX 1024	/* ResponseData: the parts are bounded well below */

int pki_ocsp_fast_respond(struct pki_ca *ca, const unsigned char *req_der, size_t n,
			  pki_ocsp_lookup_fn lookup, void *userdata, int64_t now,
			  unsigned char **ret_der, size_t *ret_n, struct pki_ocsp_info *ret_info)
{
	struct pki_ocsp_fast *f;
	struct pki_ocsp_status st = { 0 };
	struct request q;
	char serial[PKI_SERIAL_HEX_MAX];
	unsigned char status[32], rd[RD_MAX], times[3][GENTIME_N], *sig = NULL, *out, *p;
	size_t status_n, certid_n, nonce_n, single_c, exts_n, rd_c, rd_n, sig_n, basic_c, rb_c, total;
	int64_t next = 0;
	int r;

	if (!ca || !lookup || !ret_der || !ret_n)
		return -EINVAL;
	f = parts_of(ca);
	if (!f || !req_der || n == 0 || n > PKI_OCSP_MAX_REQUEST || !parse_request(req_der, n, &q) ||
	    !certid_is_ours(ca, &q) || !serial_hex(&q.serial, serial))
		return -ENOTSUP;
	r = lookup(userdata, f->issuer, serial, &st);
	if (r < 0)
		return r;
	status_n = put_status(status, &st);
	if (status_n == 0 || __builtin_add_overflow(now, ca->cfg.ocsp_validity_secs, &next) ||
	    !put_time(times[0], (int64_t)time(NULL)) || !put_time(times[1], now) ||
	    !put_time(times[2], next))
		return -ENOTSUP;

	/* ResponseData */
	certid_n = (size_t)(q.certid.end - q.certid.p);
	nonce_n = q.nonce.p ? (size_t)(q.nonce.end - q.nonce.p) : 0;
	single_c = certid_n + status_n + GENTIME_N + 2 + GENTIME_N;
	exts_n = q.nonce.p ? tlv_n(tlv_n(tlv_n(sizeof(oid_nonce) + tlv_n(nonce_n)))) : 0;
	rd_c = f->respid_n + GENTIME_N + tlv_n(tlv_n(single_c)) + exts_n;
	rd_n = tlv_n(rd_c);
	if (rd_n > sizeof(rd))
		return -ENOTSUP;
	p = put_hdr(rd, DER_SEQ, rd_c);
	p = put(p, f->respid, f->respid_n);
	p = put(p, times[0], GENTIME_N);
	p = put_hdr(p, DER_SEQ, tlv_n(single_c));
	p = put_hdr(p, DER_SEQ, single_c);
	p = put(p, q.certid.p, certid_n);
	p = put(p, status, status_n);
	p = put(p, times[1], GENTIME_N);
	p = put_hdr(p, 0xa0, GENTIME_N);
	p = put(p, times[2], GENTIME_N);
	if (q.nonce.p) {
		size_t ext_n = sizeof(oid_nonce) + tlv_n(nonce_n);

		p = put_hdr(p, 0xa1, tlv_n(tlv_n(ext_n)));
		p = put_hdr(p, DER_SEQ, tlv_n(ext_n));
		p = put_hdr(p, DER_SEQ, ext_n);
		p = put(p, oid_nonce, sizeof(oid_nonce));
		p = put_hdr(p, DER_OCTETS, nonce_n);
		p = put(p, q.nonce.p, nonce_n);
	}
	assert(p == rd + rd_n);

	sig = malloc(f->sig_max);
	if (!sig)
		return -ENOMEM;
	sig_n = f->sig_max;
	r = sign(ca, f, rd, rd_n, sig, &sig_n);
	if (r < 0) {
		free(sig);
		return r;
	}

	/* BasicOCSPResponse in OCSPResponse */
	basic_c = rd_n + f->sigalg_n + tlv_n(sig_n + 1) + f->certs_n;
	rb_c = sizeof(oid_basic) + tlv_n(tlv_n(basic_c));
	total = tlv_n(3 + tlv_n(tlv_n(rb_c)));
	out = malloc(total);
	if (!out) {
		free(sig);
		return -ENOMEM;
	}
	p = put_hdr(out, DER_SEQ, 3 + tlv_n(tlv_n(rb_c)));
	p = put(p, (const unsigned char[]){ 0x0a, 0x01, 0x00 }, 3);
	p = put_hdr(p, 0xa0, tlv_n(rb_c));
	p = put_hdr(p, DER_SEQ, rb_c);
	p = put(p, oid_basic, sizeof(oid_basic));
	p = put_hdr(p, DER_OCTETS, tlv_n(basic_c));
	p = put_hdr(p, DER_SEQ, basic_c);
	p = put(p, rd, rd_n);
	p = put(p, f->sigalg, f->sigalg_n);
	p = put_hdr(p, 0x03, sig_n + 1);
	*p++ = 0;	/* no unused bits */
	p = put(p, sig, sig_n);
	if (f->certs_n)
		p = put(p, f->certs, f->certs_n);
	assert(p == out + total);
	free(sig);

	if (ret_info) {
		*ret_info = (struct pki_ocsp_info){
			.successful = true, .nonce = q.nonce.p != NULL, .singles = 1,
			.this_update = now, .next_update = next, .looked_up = true, .status = st,
		};
		memcpy(ret_info->issuer, f->issuer, sizeof(f->issuer));
		memcpy(ret_info->serial, serial, sizeof(serial));
	}
	*ret_der = out;
	*ret_n = total;
	return 0;
}

/* --- the parts, from one answer OpenSSL signs --- */

/* The parts of ca's answers that do not depend on the request (ocsp.c's
 * signer, key and digest set up in ca). */

static unsigned char *dup_tlv(const struct der *d, size_t *ret_n)
{
	unsigned char *c;

	*ret_n = (size_t)(d->end - d->p);
	c = malloc(*ret_n);
	return c ? memcpy(c, d->p, *ret_n) : NULL;
}

/* Does the OCSP key sign a digest as DigestSign would?  EC keys only (an
 * ECDSA signature is over the digest by definition), with ca->ocsp_md
 * (the digest the signatureAlgorithm sliced from OpenSSL's answer names),
 * and checked once against the responder certificate's public key with
 * that digest (an engine key that signs otherwise keeps the DigestSign
 * path).  Leaves one context kept. */
static bool prehash_works(struct pki_ocsp_fast *f, struct pki_ca *ca)
{
	static const unsigned char probe[] = "eonay OCSP signing check";
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *v = NULL;
	unsigned char sig[512];
	size_t sig_n = sizeof(sig);
	EVP_PKEY *pub;
	bool ok;

	if (!EVP_PKEY_is_a(ca->ocsp_key, "EC") || f->sig_max > sizeof(sig))
		return false;
	f->md = EVP_MD_fetch(NULL, EVP_MD_get0_name(ca->ocsp_md), NULL);
	pub = X509_get0_pubkey(ca->ocsp);
	v = EVP_MD_CTX_new();
	ok = f->md && pub && v &&
	     sign_prehash(f, ca->ocsp_key, probe, sizeof(probe), sig, &sig_n) == 0 &&
	     EVP_DigestVerifyInit(v, NULL, ca->ocsp_md, NULL, pub) == 1 &&
	     EVP_DigestVerify(v, sig, sig_n, probe, sizeof(probe)) == 1;
	ERR_clear_error();
	return ok;
}

static int parts_new(struct pki_ca *ca, struct pki_ocsp_fast **ret)
{
	_cleanup_(OCSP_BASICRESP_freep) OCSP_BASICRESP *bs = NULL;
	_cleanup_openssl_free_ unsigned char *der = NULL;
	struct pki_ocsp_fast *f;
	struct der all, basic, tbs, respid, x, sigalg, certs = { 0 };
	unsigned char tag;
	int n, size;

	if (!ca || !ret || !ca->ocsp || !ca->ocsp_key || !ca->ocsp_md)
		return -EINVAL;
	bs = OCSP_BASICRESP_new();
	if (!bs || !OCSP_basic_sign(bs, ca->ocsp, ca->ocsp_key, ca->ocsp_md, NULL, OCSP_RESPID_KEY) ||
	    (n = i2d_OCSP_BASICRESP(bs, &der)) <= 0) {
		ERR_clear_error();
		return -EIO;
	}
	/* { { responderID, producedAt, {} }, sigalg, signature, [0] certs? } */
	all = (struct der){ der, der + n };
	if (!der_want(&all, DER_SEQ, &basic, NULL) || !der_done(&all) ||
	    !der_want(&basic, DER_SEQ, &tbs, NULL) || !der_next(&tbs, &tag, &x, &respid) ||
	    (tag != 0xa1 && tag != 0xa2) || !der_want(&tbs, 0x18, &x, NULL) ||
	    !der_want(&tbs, DER_SEQ, &x, NULL) || !der_done(&x) || !der_done(&tbs) ||
	    !der_want(&basic, DER_SEQ, &x, &sigalg) || !der_want(&basic, 0x03, &x, NULL) ||
	    (!der_done(&basic) && (!der_want(&basic, 0xa0, &x, &certs) || !der_done(&basic))))
		return -EBADMSG;
	if ((size_t)(respid.end - respid.p) > 256)
		return -EBADMSG;	/* a byName ID this long: the OpenSSL path */
	size = EVP_PKEY_get_size(ca->ocsp_key);
	if (size <= 0 || size > 16384)
		return -EBADMSG;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	pthread_mutex_init(&f->pool_lock, NULL);
	f->sig_max = (size_t)size;
	f->prehash = prehash_works(f, ca);
	f->respid = dup_tlv(&respid, &f->respid_n);
	f->sigalg = dup_tlv(&sigalg, &f->sigalg_n);
	if (certs.p)
		f->certs = dup_tlv(&certs, &f->certs_n);
	if (!f->respid || !f->sigalg || (certs.p && !f->certs) ||
	    pki_cert_key_id_hex(ca->issuing, f->issuer) < 0) {
		pki_ocsp_fast_free(f);
		return -ENOMEM;
	}
	*ret = f;
	return 0;
}

bool pki_ocsp_fast_signs_digest(struct pki_ca *ca)
{
	struct pki_ocsp_fast *f = ca ? atomic_load(&ca->ocsp_fast) : NULL;

	return f && f->prehash;
}

void pki_ocsp_fast_free(struct pki_ocsp_fast *f)
{
	if (!f)
		return;
	free(f->respid);
	free(f->sigalg);
	free(f->certs);
	for (int i = 0; i < f->pool_n; i++)
		EVP_PKEY_CTX_free(f->pool[i]);
	EVP_MD_free(f->md);
	pthread_mutex_destroy(&f->pool_lock);
	free(f);
}
