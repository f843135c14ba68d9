/* ossl.h - _cleanup_ helpers for the OpenSSL types the pki library uses.
 *
 *   _cleanup_(X509_freep) X509 *x = NULL;
 *
 * Each helper is named after the OpenSSL free function plus "p" and does
 * nothing for NULL.  Stacks that own their elements get a small wrapper
 * (sk_X509_pop_free_all and friends) so they fit the same pattern.  Add
 * more types here as they are needed, keeping the list sorted by header. */
#pragma once

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/cms.h>
#include <openssl/evp.h>
#include <openssl/ocsp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/util.h"

/* asn1.h */
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_INTEGER *, ASN1_INTEGER_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_ENUMERATED *, ASN1_ENUMERATED_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_OBJECT *, ASN1_OBJECT_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_OCTET_STRING *, ASN1_OCTET_STRING_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_STRING *, ASN1_STRING_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_TIME *, ASN1_TIME_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_TYPE *, ASN1_TYPE_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(ASN1_NULL *, ASN1_NULL_free)

/* bio.h, bn.h */
DEFINE_TRIVIAL_CLEANUP_FUNC(BIO *, BIO_free_all)
DEFINE_TRIVIAL_CLEANUP_FUNC(BIGNUM *, BN_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(BN_CTX *, BN_CTX_free)

/* cms.h */
DEFINE_TRIVIAL_CLEANUP_FUNC(CMS_ContentInfo *, CMS_ContentInfo_free)

/* evp.h */
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_PKEY *, EVP_PKEY_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_PKEY_CTX *, EVP_PKEY_CTX_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(EVP_MD_CTX *, EVP_MD_CTX_free)

/* ocsp.h */
DEFINE_TRIVIAL_CLEANUP_FUNC(OCSP_REQUEST *, OCSP_REQUEST_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(OCSP_RESPONSE *, OCSP_RESPONSE_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(OCSP_BASICRESP *, OCSP_BASICRESP_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(OCSP_CERTID *, OCSP_CERTID_free)

/* x509.h */
DEFINE_TRIVIAL_CLEANUP_FUNC(X509 *, X509_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_CRL *, X509_CRL_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_REVOKED *, X509_REVOKED_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_NAME *, X509_NAME_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_NAME_ENTRY *, X509_NAME_ENTRY_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_EXTENSION *, X509_EXTENSION_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_STORE *, X509_STORE_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_STORE_CTX *, X509_STORE_CTX_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(X509_PUBKEY *, X509_PUBKEY_free)

/* x509v3.h */
DEFINE_TRIVIAL_CLEANUP_FUNC(AUTHORITY_KEYID *, AUTHORITY_KEYID_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(AUTHORITY_INFO_ACCESS *, AUTHORITY_INFO_ACCESS_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(BASIC_CONSTRAINTS *, BASIC_CONSTRAINTS_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(CERTIFICATEPOLICIES *, CERTIFICATEPOLICIES_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(CRL_DIST_POINTS *, CRL_DIST_POINTS_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(EXTENDED_KEY_USAGE *, EXTENDED_KEY_USAGE_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(GENERAL_NAMES *, GENERAL_NAMES_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(POLICYINFO *, POLICYINFO_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(POLICYQUALINFO *, POLICYQUALINFO_free)

/* Stacks that own their elements. */
static inline void sk_X509_pop_free_all(STACK_OF(X509) *s)
{
	sk_X509_pop_free(s, X509_free);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(STACK_OF(X509) *, sk_X509_pop_free_all)

static inline void sk_X509_CRL_pop_free_all(STACK_OF(X509_CRL) *s)
{
	sk_X509_CRL_pop_free(s, X509_CRL_free);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(STACK_OF(X509_CRL) *, sk_X509_CRL_pop_free_all)

static inline void sk_ASN1_OBJECT_pop_free_all(STACK_OF(ASN1_OBJECT) *s)
{
	sk_ASN1_OBJECT_pop_free(s, ASN1_OBJECT_free);
}
DEFINE_TRIVIAL_CLEANUP_FUNC(STACK_OF(ASN1_OBJECT) *, sk_ASN1_OBJECT_pop_free_all)

/* Memory OpenSSL allocated (i2d with a NULL buffer, BN_bn2hex, ...). */
static inline void openssl_freep(void *p)
{
	OPENSSL_free(*(void **)p);
}
#define _cleanup_openssl_free_ _cleanup_(openssl_freep)

/* param_build.h, params.h (p11-objects.c) */
#include <openssl/param_build.h>
#include <openssl/params.h>
DEFINE_TRIVIAL_CLEANUP_FUNC(OSSL_PARAM_BLD *, OSSL_PARAM_BLD_free)
DEFINE_TRIVIAL_CLEANUP_FUNC(OSSL_PARAM *, OSSL_PARAM_free)

/* A stack that does not own its elements (cades.c). */
DEFINE_TRIVIAL_CLEANUP_FUNC(STACK_OF(X509) *, sk_X509_free)
