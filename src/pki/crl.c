/* crl.c - building and signing the issuing CA's CRL (see crl.h).
 *
 * The server regenerates the CRL from the store's revocation table on a
 * timer and serves the DER at BASE/crl/issuing.crl; the back office can
 * build one by hand.  ocsp.c shares the reason names. */
#include "pki/crl.h"

#include <strings.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "common/util.h"
#include "pki/ca-private.h"
#include "pki/key.h"
#include "pki/ossl.h"

static const char *const reason_names[] = {
	[PKI_REASON_UNSPECIFIED] = "unspecified",
	[PKI_REASON_KEY_COMPROMISE] = "keyCompromise",
	[PKI_REASON_CA_COMPROMISE] = "cACompromise",
	[PKI_REASON_AFFILIATION_CHANGED] = "affiliationChanged",
	[PKI_REASON_SUPERSEDED] = "superseded",
	[PKI_REASON_CESSATION_OF_OPERATION] = "cessationOfOperation",
	[PKI_REASON_CERTIFICATE_HOLD] = "certificateHold",
	[PKI_REASON_REMOVE_FROM_CRL] = "removeFromCRL",
	[PKI_REASON_PRIVILEGE_WITHDRAWN] = "privilegeWithdrawn",
	[PKI_REASON_AA_COMPROMISE] = "aACompromise",
};

const char *pki_reason_to_string(int reason)
{
	if (reason < 0 || (size_t)reason >= ELEMENTSOF(reason_names))
		return NULL;
	return reason_names[reason];
}

int pki_reason_from_string(const char *s, int *ret)
{
	if (!s || !ret)
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(reason_names); i++)
		if (reason_names[i] && strcasecmp(s, reason_names[i]) == 0) {
			*ret = (int)i;
			return 0;
		}
	return -EINVAL;
}

static int entry_cmp(const void *x, const void *y)
{
	const struct pki_revoked_entry *a = x, *b = y;
	const char *sa = a->serial_hex, *sb = b->serial_hex;
	size_t na, nb;

	while (sa[0] == '0' && sa[1])
		sa++;
	while (sb[0] == '0' && sb[1])
		sb++;
	na = strlen(sa);
	nb = strlen(sb);
	if (na != nb)
		return na < nb ? -1 : 1;
	return strcasecmp(sa, sb);
}

int pki_crl_build(struct pki_ca *ca, const struct pki_revoked_entry *entries, size_t n,
		  uint64_t crl_number, int64_t this_update, int64_t next_update, X509_CRL **ret)
{
	_cleanup_(pki_crl_builder_freep) struct pki_crl_builder *b = NULL;
	_cleanup_free_ struct pki_revoked_entry *sorted = NULL;
	_cleanup_free_ unsigned char *der = NULL;
	const unsigned char *p;
	size_t len = 0;
	int r;

	if (!ca || (!entries && n > 0) || !ret || this_update <= 0 || next_update <= this_update)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!entries[i].serial_hex || !*entries[i].serial_hex)
			return -EINVAL;
	if (n > 0) {
		sorted = malloc(n * sizeof(*sorted));
		if (!sorted)
			return -ENOMEM;
		memcpy(sorted, entries, n * sizeof(*sorted));
		qsort(sorted, n, sizeof(*sorted), entry_cmp);
	}
	r = pki_crl_builder_new(ca, crl_number, this_update, next_update, &b);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = pki_crl_builder_add(b, sorted[i].serial_hex, sorted[i].revoked_at,
					sorted[i].reason);
	if (r == 0)
		r = pki_crl_builder_finish(b, &der, &len);
	if (r < 0)
		return r;
	p = der;
	*ret = d2i_X509_CRL(NULL, &p, (long)len);
	if (!*ret) {
		ERR_clear_error();
		return -EIO;
	}
	return 0;
}

int pki_crl_to_der(X509_CRL *crl, unsigned char **ret, size_t *ret_n)
{
	return pki_der_encode(CHECKED_I2D_OF(X509_CRL, i2d_X509_CRL), crl, ret, ret_n);
}

int pki_crl_to_pem(X509_CRL *crl, char **ret)
{
	_cleanup_(BIO_free_allp) BIO *bio = NULL;

	if (!crl || !ret)
		return -EINVAL;
	bio = BIO_new(BIO_s_mem());
	if (!bio)
		return -ENOMEM;
	if (PEM_write_bio_X509_CRL(bio, crl) != 1)
		return -EIO;
	return pki_bio_to_string(bio, ret);
}
