/* cms-split.c - a DER CMS SignedData without its certificates, and the
 * certificates' bytes (see cms-split.h).
 *
 * A minimal walker over DER headers (single-byte tags, definite lengths of
 * up to four length bytes); it never interprets contents beyond the few
 * fields it must step over, and refuses whatever it does not expect so
 * that the caller falls back to OpenSSL's own decoding of the input. */
#include "pki/cms-split.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct tlv {
	unsigned char tag;
	const unsigned char *start;	/* the tag byte */
	const unsigned char *val;	/* the contents */
	size_t len;			/* of the contents */
	size_t total;			/* header + contents */
};

/* Reads one TLV at p (before end). */
static int tlv_read(const unsigned char *p, const unsigned char *end, struct tlv *ret)
{
	size_t len = 0, hdr = 2, avail;

	if (end - p < 2)
		return -EINVAL;
	if ((p[0] & 0x1f) == 0x1f)	/* multi-byte tag: not in these structures */
		return -EINVAL;
	if (p[1] < 0x80)
		len = p[1];
	else {
		unsigned k = p[1] & 0x7f;

		if (k == 0 || k > 4 || (size_t)(end - p) < 2 + k)	/* indefinite or huge */
			return -EINVAL;
		for (unsigned i = 0; i < k; i++)
			len = (len << 8) | p[2 + i];
		if (len < 0x80 || (k > 1 && p[2] == 0))	/* not the shortest form: not DER */
			return -EINVAL;
		hdr = 2 + k;
	}
	avail = (size_t)(end - p) - hdr;
	if (len > avail)
		return -EINVAL;
	*ret = (struct tlv){ .tag = p[0], .start = p, .val = p + hdr, .len = len,
			     .total = hdr + len };
	return 0;
}

/* The DER header of a tag and length into out (at most 6 bytes). */
static size_t header_put(unsigned char *out, unsigned char tag, size_t len)
{
	size_t k = 0;

	out[0] = tag;
	if (len < 0x80) {
		out[1] = (unsigned char)len;
		return 2;
	}
	for (size_t l = len; l; l >>= 8)
		k++;
	out[1] = (unsigned char)(0x80 | k);
	for (size_t i = 0; i < k; i++)
		out[2 + i] = (unsigned char)(len >> (8 * (k - 1 - i)));
	return 2 + k;
}

static size_t header_len(size_t len)
{
	unsigned char tmp[8];

	return header_put(tmp, 0, len);
}

int pki_cms_split_certs(const unsigned char *der, size_t n, unsigned char **ret_rest,
			size_t *ret_rest_n, struct pki_der_span certs[PKI_CMS_MAX_CERTS],
			size_t *ret_count)
{
	const unsigned char *end = der + n, *p;
	struct tlv ci, oid, expl, sd, f, set;
	size_t count = 0, sd_len, expl_len, ci_len, k;
	unsigned char *out;

	if (!der || !ret_rest || !ret_rest_n || !certs || !ret_count)
		return -EINVAL;
	if (tlv_read(der, end, &ci) < 0 || ci.tag != 0x30 || ci.total != n)
		return -EINVAL;
	if (tlv_read(ci.val, ci.val + ci.len, &oid) < 0 || oid.tag != 0x06)
		return -EINVAL;
	p = oid.val + oid.len;
	if (tlv_read(p, ci.val + ci.len, &expl) < 0 || expl.tag != 0xa0 ||
	    expl.start + expl.total != ci.val + ci.len)
		return -EINVAL;
	if (tlv_read(expl.val, expl.val + expl.len, &sd) < 0 || sd.tag != 0x30 ||
	    sd.total != expl.len)
		return -EINVAL;
	/* version, digestAlgorithms, encapContentInfo, then maybe [0] certificates */
	p = sd.val;
	for (int i = 0; i < 3; i++) {
		static const unsigned char want[3] = { 0x02, 0x31, 0x30 };

		if (tlv_read(p, sd.val + sd.len, &f) < 0 || f.tag != want[i])
			return -EINVAL;
		p += f.total;
	}
	if (p == sd.val + sd.len || tlv_read(p, sd.val + sd.len, &set) < 0 || set.tag != 0xa0) {
		*ret_count = 0;
		set = (struct tlv){ .start = p, .total = 0 };
	} else {
		for (const unsigned char *q = set.val; q < set.val + set.len; q += f.total) {
			if (tlv_read(q, set.val + set.len, &f) < 0 || f.tag != 0x30)
				return -EINVAL;
			if (count == PKI_CMS_MAX_CERTS)
				return -E2BIG;
			certs[count++] = (struct pki_der_span){ f.start, f.total };
		}
	}

	/* The same ContentInfo without the certificates field. */
	sd_len = sd.len - set.total;
	expl_len = header_len(sd_len) + sd_len;
	ci_len = oid.total + header_len(expl_len) + expl_len;
	out = malloc(header_len(ci_len) + ci_len);
	if (!out)
		return -ENOMEM;
	k = header_put(out, 0x30, ci_len);
	memcpy(out + k, oid.start, oid.total);
	k += oid.total;
	k += header_put(out + k, 0xa0, expl_len);
	k += header_put(out + k, 0x30, sd_len);
	memcpy(out + k, sd.val, (size_t)(set.start - sd.val));
	k += (size_t)(set.start - sd.val);
	memcpy(out + k, set.start + set.total, (size_t)(sd.val + sd.len - (set.start + set.total)));
	k += (size_t)(sd.val + sd.len - (set.start + set.total));
	*ret_rest = out;
	*ret_rest_n = k;
	*ret_count = count;
	return 0;
}
