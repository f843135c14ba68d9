/* crl-der.c - a CRL written straight into DER, entry by entry (crl.h).
 *
 * At a national CA's scale (a million entries) the cost of a CRL is in
 * making one X509_REVOKED per entry, sorting a STACK of them and encoding
 * them again (what X509_CRL_sign and `openssl ca -gencrl` do).  Here each
 * entry is encoded by hand (serial, revocationDate, reasonCode, hold
 * instruction) into one growing buffer as the store hands the rows out in
 * serial order; the fixed parts (version, algorithm, issuer, times, CRL
 * number, authority key identifier) are encoded once, and the signature
 * is EVP_DigestSign over the TBS bytes so built.  The buffer keeps room
 * in front for the headers, whose lengths are known only at the end, so
 * the finished CRL is one allocation, about the size of the CRL. */
#include "pki/crl.h"

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/x509v3.h>

#include "common/util.h"
#include "pki/ca-private.h"
#include "pki/key.h"
#include "pki/ossl.h"

/* Room in front of the entries: the headers of the CertificateList, of the
 * TBSCertList and of revokedCertificates (5 bytes each at most) and the
 * TBS fields before the entries. */
struct pki_crl_builder {
	EVP_PKEY *key;
	const EVP_MD *md;
	unsigned char *buf;	/* [head room][entries...] */
	size_t room, len, cap;	/* entries are buf[room .. len) */
	unsigned char *prefix;	/* version .. nextUpdate, DER */
	size_t prefix_n;
	unsigned char *exts;	/* [0] crlExtensions, DER */
	size_t exts_n;
	unsigned char *alg;	/* signature AlgorithmIdentifier, DER */
	size_t alg_n;
	unsigned char last[21];	/* the previous entry's serial (magnitude) */
	size_t last_n;
	size_t count;
	bool unsorted;
};

static size_t hdr_size(size_t len)
{
	return len < 0x80 ? 2 : len < 0x100 ? 3 : len < 0x10000 ? 4 : len < 0x1000000 ? 5 : 6;
}

/* Tag and length at p; returns the bytes written (hdr_size(len)). */
static size_t hdr_put(unsigned char *p, unsigned char tag, size_t len)
{
	size_t k = hdr_size(len), i;

	p[0] = tag;
	if (k == 2) {
		p[1] = (unsigned char)len;
		return 2;
	}
	p[1] = (unsigned char)(0x80 | (k - 2));
	for (i = 0; i < k - 2; i++)
		p[k - 1 - i] = (unsigned char)(len >> (8 * i));
	return k;
}

/* The civil date of a day count since 1970-01-01 (Howard Hinnant's
 * days_from_civil inverse): no gmtime_r, no time zone, for a million
 * entries. */
static void civil(int64_t days, int *ret_y, int *ret_m, int *ret_d)
{
	int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097;
	int64_t doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100), mp = (5 * doy + 2) / 153;

	*ret_d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*ret_m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*ret_y = (int)(yoe + era * 400 + (*ret_m <= 2));
}

static unsigned char *two_digits(unsigned char *p, int v)
{
	p[0] = (unsigned char)('0' + v / 10 % 10);
	p[1] = (unsigned char)('0' + v % 10);
	return p + 2;
}

/* UTCTime before 2050, GeneralizedTime from then on (RFC 5280 5.1.2.4).
 * t > 0 (checked by the callers). */
static size_t time_put(unsigned char *p, int64_t t)
{
	int64_t days = t / 86400, secs = t % 86400;
	unsigned char *q = p + 2;
	int y, m, d;

	civil(days, &y, &m, &d);
	p[0] = y < 2050 ? V_ASN1_UTCTIME : V_ASN1_GENERALIZEDTIME;
	if (y >= 2050)
		q = two_digits(q, y / 100);
	q = two_digits(q, y % 100);
	q = two_digits(q, m);
	q = two_digits(q, d);
	q = two_digits(q, (int)(secs / 3600));
	q = two_digits(q, (int)(secs / 60 % 60));
	q = two_digits(q, (int)(secs % 60));
	*q++ = 'Z';
	p[1] = (unsigned char)(q - p - 2);
	return (size_t)(q - p);
}

static int nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The serial's magnitude without leading zero bytes (at most 20 bytes;
 * zero is one 0 byte).  -EINVAL for anything else. */
static int serial_bytes(const char *hex, unsigned char ret[21], size_t *ret_n)
{
	size_t n, k = 0;

	if (!hex || !*hex)
		return -EINVAL;
	while (hex[0] == '0' && hex[1])
		hex++;
	n = strlen(hex);
	if (n > 40)
		return -EINVAL;
	size_t i = 0;
	if (n % 2) {
		int lo = nibble(hex[0]);

		if (lo < 0)
			return -EINVAL;
		ret[k++] = (unsigned char)lo;
		i = 1;
	}
	for (; i < n; i += 2) {
		int hi = nibble(hex[i]), lo = nibble(hex[i + 1]);

		if (hi < 0 || lo < 0)
			return -EINVAL;
		ret[k++] = (unsigned char)(hi << 4 | lo);
	}
	*ret_n = k;
	return 0;
}

static int serial_cmp(const unsigned char *a, size_t an, const unsigned char *b, size_t bn)
{
	if (an != bn)
		return an < bn ? -1 : 1;
	return memcmp(a, b, an);
}

static int reserve(struct pki_crl_builder *b, size_t more)
{
	if (b->len + more <= b->cap)
		return 0;
	size_t cap = MAX(b->cap * 2, b->len + more + 4096);
	unsigned char *p = realloc(b->buf, cap);

	if (!p)
		return -ENOMEM;
	b->buf = p;
	b->cap = cap;
	return 0;
}

/* Appends bytes to a small DER buffer (the fixed parts). */
struct small {
	unsigned char b[1024];
	size_t n;
};

/* The entry of a serial already parsed (serial_bytes) into ret. */
static int entry_put(const unsigned char *ser, size_t sn, int64_t revoked_at, int reason,
		     unsigned char ret[PKI_CRL_ENTRY_MAX], size_t *ret_n)
{
	/* reasonCode (2.5.29.21) and holdInstructionCode (2.5.29.23) =
	 * id-holdinstruction-reject (1.2.840.10040.2.3). */
	static const unsigned char reason_ext[] = { 0x30, 0x0a, 0x06, 0x03, 0x55, 0x1d, 0x15,
						    0x04, 0x03, 0x0a, 0x01 };
	static const unsigned char hold_ext[] = { 0x30, 0x10, 0x06, 0x03, 0x55, 0x1d, 0x17, 0x04,
						  0x09, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x38,
						  0x02, 0x03 };
	unsigned char body[PKI_CRL_ENTRY_MAX];
	size_t n = 0, ext = 0;

	if (!pki_reason_to_string(reason) || reason == PKI_REASON_REMOVE_FROM_CRL ||
	    revoked_at <= 0)
		return -EINVAL;
	/* userCertificate: a positive INTEGER (a 0 in front of a high bit). */
	body[n++] = V_ASN1_INTEGER;
	body[n++] = (unsigned char)(sn + (ser[0] & 0x80 ? 1 : 0));
	if (ser[0] & 0x80)
		body[n++] = 0;
	memcpy(body + n, ser, sn);
	n += sn;
	n += time_put(body + n, revoked_at);
	/* RFC 5280 5.3.1: no reason code rather than unspecified. */
	if (reason != PKI_REASON_UNSPECIFIED)
		ext += sizeof(reason_ext) + 1;
	if (reason == PKI_REASON_CERTIFICATE_HOLD)
		ext += sizeof(hold_ext);
	if (ext) {
		n += hdr_put(body + n, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED, ext);
		memcpy(body + n, reason_ext, sizeof(reason_ext));
		n += sizeof(reason_ext);
		body[n++] = (unsigned char)reason;
		if (reason == PKI_REASON_CERTIFICATE_HOLD) {
			memcpy(body + n, hold_ext, sizeof(hold_ext));
			n += sizeof(hold_ext);
		}
	}
	*ret_n = hdr_put(ret, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED, n);
	memcpy(ret + *ret_n, body, n);
	*ret_n += n;
	return 0;
}

int pki_crl_entry_der(const char *serial_hex, int64_t revoked_at, int reason,
		      unsigned char ret[PKI_CRL_ENTRY_MAX], size_t *ret_n)
{
	unsigned char ser[21];
	size_t sn = 0;
	int r = serial_bytes(serial_hex, ser, &sn);

	return r < 0 ? r : entry_put(ser, sn, revoked_at, reason, ret, ret_n);
}

/* The signature AlgorithmIdentifier of key + md: what the provider says
 * (OSSL_SIGNATURE_PARAM_ALGORITHM_ID), else the classic table (RSA with a
 * NULL parameter, ECDSA without), as X509_sign would write it. */
static int alg_der(EVP_PKEY *key, const EVP_MD *md, unsigned char **ret, size_t *ret_n)
{
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	X509_ALGOR *alg = NULL;
	EVP_PKEY_CTX *pctx = NULL;
	unsigned char aid[256];
	OSSL_PARAM params[2];
	int signid = 0, len;

	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestSignInit(ctx, &pctx, md, NULL, key) == 1) {
		params[0] = OSSL_PARAM_construct_octet_string(OSSL_SIGNATURE_PARAM_ALGORITHM_ID,
							      aid, sizeof(aid));
		params[1] = OSSL_PARAM_construct_end();
		if (EVP_PKEY_CTX_get_params(pctx, params) == 1 && params[0].return_size > 0 &&
		    params[0].return_size <= sizeof(aid) && OSSL_PARAM_modified(&params[0])) {
			*ret = malloc(params[0].return_size);
			if (!*ret)
				return -ENOMEM;
			memcpy(*ret, aid, params[0].return_size);
			*ret_n = params[0].return_size;
			return 0;
		}
	}
	ERR_clear_error();
	if (!OBJ_find_sigid_by_algs(&signid, EVP_MD_get_type(md), EVP_PKEY_get_base_id(key)))
		return -EOPNOTSUPP;
	alg = X509_ALGOR_new();
	if (!alg || !X509_ALGOR_set0(alg, OBJ_nid2obj(signid),
				     EVP_PKEY_get_base_id(key) == EVP_PKEY_RSA ? V_ASN1_NULL :
										  V_ASN1_UNDEF,
				     NULL)) {
		X509_ALGOR_free(alg);
		return -ENOMEM;
	}
	*ret = NULL;
	len = i2d_X509_ALGOR(alg, ret);
	X509_ALGOR_free(alg);
	if (len <= 0)
		return -ENOMEM;
	*ret_n = (size_t)len;
	return 0;
}

static void put(struct small *s, const void *p, size_t n)
{
	memcpy(s->b + s->n, p, n);
	s->n += n;
}

/* An Extension { extnID, extnValue OCTET STRING { value } } into s. */
static void ext_put(struct small *s, const unsigned char *oid, size_t oid_n,
		    const unsigned char *value, size_t value_n)
{
	size_t inner = oid_n + hdr_size(value_n) + value_n;

	s->n += hdr_put(s->b + s->n, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED, inner);
	put(s, oid, oid_n);
	s->n += hdr_put(s->b + s->n, V_ASN1_OCTET_STRING, value_n);
	put(s, value, value_n);
}

static int dup_small(const struct small *s, unsigned char **ret, size_t *ret_n)
{
	*ret = malloc(s->n);
	if (!*ret)
		return -ENOMEM;
	memcpy(*ret, s->b, s->n);
	*ret_n = s->n;
	return 0;
}

int pki_crl_builder_new(struct pki_ca *ca, uint64_t number, int64_t this_update,
			int64_t next_update, struct pki_crl_builder **ret)
{
	static const unsigned char oid_akid[] = { 0x06, 0x03, 0x55, 0x1d, 0x23 };
	static const unsigned char oid_number[] = { 0x06, 0x03, 0x55, 0x1d, 0x14 };
	_cleanup_free_ unsigned char *name = NULL;
	struct pki_crl_builder *b;
	const ASN1_OCTET_STRING *skid;
	struct small s = { .n = 0 }, e = { .n = 0 }, v;
	unsigned char num[9];
	size_t k = 0;
	int name_n, r;

	if (!ca || !ret || this_update <= 0 || next_update <= this_update)
		return -EINVAL;
	skid = X509_get0_subject_key_id(ca->issuing);
	if (!skid || ASN1_STRING_length(skid) > 64)
		return -EINVAL;
	name_n = i2d_X509_NAME(X509_get_subject_name(ca->issuing), &name);
	if (name_n <= 0 || name_n > 700)
		return name_n <= 0 ? -ENOMEM : -E2BIG;
	b = calloc(1, sizeof(*b));
	if (!b)
		return -ENOMEM;
	b->key = ca->issuing_key;
	b->md = ca->issuing_md;
	r = alg_der(b->key, b->md, &b->alg, &b->alg_n);
	if (r < 0 || b->alg_n > 200)
		goto fail;

	/* version v2, signature, issuer, thisUpdate, nextUpdate */
	put(&s, (const unsigned char[]){ V_ASN1_INTEGER, 1, 1 }, 3);
	put(&s, b->alg, b->alg_n);
	put(&s, name, (size_t)name_n);
	s.n += time_put(s.b + s.n, this_update);
	s.n += time_put(s.b + s.n, next_update);
	r = dup_small(&s, &b->prefix, &b->prefix_n);
	if (r < 0)
		goto fail;

	/* crlExtensions: authorityKeyIdentifier { [0] keyIdentifier }, cRLNumber */
	v.n = 0;
	v.n += hdr_put(v.b, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED,
		       hdr_size((size_t)ASN1_STRING_length(skid)) + (size_t)ASN1_STRING_length(skid));
	v.n += hdr_put(v.b + v.n, 0x80, (size_t)ASN1_STRING_length(skid));
	put(&v, ASN1_STRING_get0_data(skid), (size_t)ASN1_STRING_length(skid));
	ext_put(&e, oid_akid, sizeof(oid_akid), v.b, v.n);
	for (int i = 7; i >= 0; i--) {
		unsigned char byte = (unsigned char)(number >> (8 * i));
		if (k == 0 && byte == 0 && i > 0)
			continue;
		if (k == 0 && (byte & 0x80))
			num[k++] = 0;
		num[k++] = byte;
	}
	v.n = hdr_put(v.b, V_ASN1_INTEGER, k);
	put(&v, num, k);
	ext_put(&e, oid_number, sizeof(oid_number), v.b, v.n);
	s.n = hdr_put(s.b, 0xa0, hdr_size(e.n) + e.n);
	s.n += hdr_put(s.b + s.n, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED, e.n);
	put(&s, e.b, e.n);
	r = dup_small(&s, &b->exts, &b->exts_n);
	if (r < 0)
		goto fail;

	b->room = 3 * 6 + b->prefix_n;
	r = reserve(b, b->room + 1024 * 1024);
	if (r < 0)
		goto fail;
	b->len = b->room;
	*ret = b;
	return 0;
fail:
	pki_crl_builder_free(b);
	return r < 0 ? r : -EINVAL;
}

int pki_crl_builder_add(struct pki_crl_builder *b, const char *serial_hex, int64_t revoked_at,
			int reason)
{
	unsigned char ser[21];
	size_t sn = 0, n = 0;
	int r;

	if (!b)
		return -EINVAL;
	r = reserve(b, PKI_CRL_ENTRY_MAX);
	if (r < 0)
		return r;
	r = serial_bytes(serial_hex, ser, &sn);
	if (r < 0)
		return r;
	r = entry_put(ser, sn, revoked_at, reason, b->buf + b->len, &n);
	if (r < 0)
		return r;
	if (b->count > 0) {
		int c = serial_cmp(b->last, b->last_n, ser, sn);

		if (c == 0)
			return -EINVAL;	/* the same serial twice */
		if (c > 0)
			b->unsorted = true;
	}
	memcpy(b->last, ser, sn);
	b->last_n = sn;
	b->len += n;
	b->count++;
	return 0;
}

size_t pki_crl_builder_count(const struct pki_crl_builder *b)
{
	return b ? b->count : 0;
}

/* The serial INTEGER of the entry at p: its content bytes (leading 0 kept). */
static void entry_serial(const unsigned char *p, const unsigned char **ret, size_t *ret_n)
{
	size_t k = (p[1] & 0x80) ? 2 + (p[1] & 0x7f) : 2;	/* SEQUENCE header */

	*ret_n = p[k + 1];
	*ret = p + k + 2;
}

static size_t entry_size(const unsigned char *p)
{
	size_t len = 0, k;

	if (!(p[1] & 0x80))
		return 2 + p[1];
	k = p[1] & 0x7f;
	for (size_t i = 0; i < k; i++)
		len = len << 8 | p[2 + i];
	return 2 + k + len;
}

struct span {
	size_t off, n;
	const unsigned char *buf;
};

static int span_cmp(const void *x, const void *y)
{
	const struct span *a = x, *b = y;
	const unsigned char *sa, *sb;
	size_t na, nb;

	entry_serial(a->buf + a->off, &sa, &na);
	entry_serial(b->buf + b->off, &sb, &nb);
	return serial_cmp(sa, na, sb, nb);
}

/* Entries that came out of order (a store whose collation does not sort
 * hex as bytes): sorted here, duplicates refused. */
static int sort_entries(struct pki_crl_builder *b)
{
	_cleanup_free_ struct span *sp = calloc(b->count, sizeof(*sp));
	_cleanup_free_ unsigned char *copy = NULL;
	size_t off = b->room, out = b->room;

	if (!sp)
		return -ENOMEM;
	copy = malloc(b->len - b->room);
	if (!copy)
		return -ENOMEM;
	memcpy(copy, b->buf + b->room, b->len - b->room);
	for (size_t i = 0; i < b->count; i++) {
		sp[i] = (struct span){ .off = off - b->room, .n = entry_size(b->buf + off),
				       .buf = copy };
		off += sp[i].n;
	}
	qsort(sp, b->count, sizeof(*sp), span_cmp);
	for (size_t i = 0; i < b->count; i++) {
		if (i > 0 && span_cmp(&sp[i - 1], &sp[i]) == 0)
			return -EINVAL;
		memcpy(b->buf + out, copy + sp[i].off, sp[i].n);
		out += sp[i].n;
	}
	b->unsorted = false;
	return 0;
}

int pki_crl_builder_finish(struct pki_crl_builder *b, unsigned char **ret_der, size_t *ret_n)
{
	_cleanup_(EVP_MD_CTX_freep) EVP_MD_CTX *ctx = NULL;
	size_t entries = b ? b->len - b->room : 0, revs_h, tbs_len, tbs_h, sig_n = 0, total, start;
	unsigned char *p;
	int r;

	if (!b || !ret_der || !ret_n)
		return -EINVAL;
	if (b->unsorted) {
		r = sort_entries(b);
		if (r < 0)
			return r;
	}
	/* revokedCertificates is left out when empty (RFC 5280 5.1.2.6). */
	revs_h = entries ? hdr_size(entries) : 0;
	tbs_len = b->prefix_n + revs_h + entries + b->exts_n;
	tbs_h = hdr_size(tbs_len);
	/* Headers written backwards into the room in front of the entries. */
	start = b->room - revs_h - b->prefix_n - tbs_h;
	p = b->buf + start;
	p += hdr_put(p, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED, tbs_len);
	memcpy(p, b->prefix, b->prefix_n);
	p += b->prefix_n;
	if (entries)
		hdr_put(p, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED, entries);
	r = reserve(b, b->exts_n);
	if (r < 0)
		return r;
	memcpy(b->buf + b->len, b->exts, b->exts_n);
	b->len += b->exts_n;

	/* Sign the TBS as it stands in the buffer. */
	ctx = EVP_MD_CTX_new();
	if (!ctx)
		return -ENOMEM;
	if (EVP_DigestSignInit(ctx, NULL, b->md, NULL, b->key) != 1 ||
	    EVP_DigestSignUpdate(ctx, b->buf + start, b->len - start) != 1 ||
	    EVP_DigestSignFinal(ctx, NULL, &sig_n) != 1) {
		ERR_clear_error();
		return -EIO;
	}
	r = reserve(b, b->alg_n + 8 + sig_n);
	if (r < 0)
		return r;
	/* signatureAlgorithm, then signatureValue BIT STRING.  The signature
	 * goes after the most room its header may need, and is moved to
	 * right after the header once its size is known (ECDSA varies). */
	memcpy(b->buf + b->len, b->alg, b->alg_n);
	b->len += b->alg_n;
	{
		size_t room = hdr_size(sig_n + 1) + 1, got = sig_n, h;

		if (EVP_DigestSignFinal(ctx, b->buf + b->len + room, &got) != 1 || got > sig_n) {
			ERR_clear_error();
			return -EIO;
		}
		h = hdr_size(got + 1) + 1;
		if (h != room)
			memmove(b->buf + b->len + h, b->buf + b->len + room, got);
		hdr_put(b->buf + b->len, V_ASN1_BIT_STRING, got + 1);
		b->buf[b->len + h - 1] = 0;	/* no unused bits */
		b->len += h + got;
	}
	/* The outer SEQUENCE header in front of the TBS. */
	total = b->len - start;
	if (hdr_size(total) > start)
		return -EIO;
	start -= hdr_size(total);
	hdr_put(b->buf + start, V_ASN1_SEQUENCE | V_ASN1_CONSTRUCTED, total);
	total += hdr_size(total);
	memmove(b->buf, b->buf + start, total);
	*ret_n = total;
	*ret_der = b->buf;
	p = realloc(b->buf, total);
	if (p)
		*ret_der = p;
	b->buf = NULL;
	b->len = b->cap = 0;
	return 0;
}

void pki_crl_builder_free(struct pki_crl_builder *b)
{
	if (!b)
		return;
	free(b->buf);
	free(b->prefix);
	free(b->exts);
	free(b->alg);
	free(b);
}
