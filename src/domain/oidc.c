/* oidc.c - the checks on an OpenID Connect ID token (see oidc.h).
 *
 * Used by domain/edevlet.c's callers for E-Devlet ile Giriş.  rhonabwy
 * parses the JWS, reads the JWKS and verifies the signature; which
 * algorithm and key are acceptable, and every claim, is decided here,
 * before and after it, so that no header field of the token can choose
 * its own key or switch the signature off. */
#include "domain/oidc.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <pthread.h>
#include <rhonabwy.h>
#include <stdio.h>
#include <string.h>

#include "common/json.h"
#include "common/util.h"

#define TOKEN_MAX 16384

static void jwt_freep(jwt_t **p)
{
	if (*p)
		r_jwt_free(*p);
}
static void jwks_freep(jwks_t **p)
{
	if (*p)
		r_jwks_free(*p);
}
static void jwk_freep(jwk_t **p)
{
	if (*p)
		r_jwk_free(*p);
}
#define _cleanup_jwt_ _cleanup_(jwt_freep)
#define _cleanup_jwks_ _cleanup_(jwks_freep)
#define _cleanup_jwk_ _cleanup_(jwk_freep)

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static void init(void)
{
	r_global_init();
}

/* The key type an accepted algorithm needs; 0 for anything else (none,
 * HMAC, EdDSA, unknown). */
static unsigned alg_key_type(jwa_alg alg)
{
	switch (alg) {
	case R_JWA_ALG_RS256: case R_JWA_ALG_RS384: case R_JWA_ALG_RS512:
	case R_JWA_ALG_PS256: case R_JWA_ALG_PS384: case R_JWA_ALG_PS512:
		return R_KEY_TYPE_RSA;
	case R_JWA_ALG_ES256: case R_JWA_ALG_ES384: case R_JWA_ALG_ES512:
		return R_KEY_TYPE_EC;
	default:
		return 0;
	}
}

static int refuse(enum refusal *ret_refusal, enum refusal r)
{
	*ret_refusal = r;
	return -EACCES;
}

/* The JWKS key for the token: by kid, or without a kid the only key of
 * the right type.  NULL when none (refused _KEY). */
static jwk_t *key_for(jwks_t *jwks, const char *kid, unsigned type)
{
	jwk_t *found = NULL;

	if (kid)
		return r_jwks_get_by_kid(jwks, kid);
	for (size_t i = 0; i < r_jwks_size(jwks); i++) {
		jwk_t *k = r_jwks_get_at(jwks, i);
		unsigned bits = 0;

		if (k && (r_jwk_key_type(k, &bits, R_FLAG_IGNORE_REMOTE) & type)) {
			if (found) {	/* ambiguous: the token must say which */
				r_jwk_free(found);
				r_jwk_free(k);
				return NULL;
			}
			found = k;
		} else if (k) {
			r_jwk_free(k);
		}
	}
	return found;
}

static bool aud_ok(json_t *claims, const char *client_id)
{
	json_t *aud = json_object_get(claims, "aud"), *azp = json_object_get(claims, "azp"), *v;
	bool in = false;
	size_t i;

	if (json_is_string(aud)) {
		in = streq(json_string_value(aud), client_id);
	} else if (json_is_array(aud) && json_array_size(aud) > 0) {
		json_array_foreach(aud, i, v)
			if (json_is_string(v) && streq(json_string_value(v), client_id))
				in = true;
		/* OIDC Core 3.1.3.7: several audiences need azp */
		if (json_array_size(aud) > 1 && !azp)
			return false;
	}
	if (azp && (!json_is_string(azp) || !streq(json_string_value(azp), client_id)))
		return false;
	return in;
}

static int claims_check(json_t *claims, const struct oidc_expect *e, enum refusal *ret_refusal)
{
	json_t *iss = json_object_get(claims, "iss"), *exp = json_object_get(claims, "exp");
	json_t *iat = json_object_get(claims, "iat"), *nbf = json_object_get(claims, "nbf");
	json_t *nonce = json_object_get(claims, "nonce"), *sub = json_object_get(claims, "sub");

	if (!json_is_string(iss) || !json_is_integer(exp) || !json_is_integer(iat) ||
	    !json_is_string(sub) || (nbf && !json_is_integer(nbf)))
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_MALFORMED);
	if (!streq(json_string_value(iss), e->issuer))
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_ISSUER);
	if (!aud_ok(claims, e->client_id))
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_AUDIENCE);
	if (e->now > json_integer_value(exp) + e->skew ||
	    json_integer_value(iat) > e->now + e->skew ||
	    json_integer_value(iat) < e->now - e->max_age - e->skew ||
	    (nbf && json_integer_value(nbf) > e->now + e->skew))
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_EXPIRED);
	if (!json_is_string(nonce) || !e->nonce || !streq_ct(json_string_value(nonce), e->nonce))
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_NONCE);
	return 0;
}

/* Whether every key of the JWKS text writes its numbers ("n", "e", "x",
 * "y", "d", "k", ...) as strict base64url: the alphabet only, no
 * padding, no whitespace.  rhonabwy 1.1 decodes them leniently and frees
 * a wrong pointer on some ("x" with spaces and "=": found by
 * tests/fuzz/fuzz-jwks.c), so no such key reaches it.  Other members
 * (names, "x5c", extensions) are left to rhonabwy. */
static bool jwks_strict(const char *text)
{
	static const char *const numbers[] = { "n", "e", "x", "y", "d", "p", "q", "dp", "dq", "qi",
					       "k" };
	_cleanup_json_ json_t *doc = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
	json_t *keys = json_object_get(doc, "keys"), *k;
	size_t i;

	if (!json_is_array(keys))
		return false;
	json_array_foreach(keys, i, k) {
		for (size_t j = 0; j < ELEMENTSOF(numbers); j++) {
			json_t *v = json_object_get(k, numbers[j]);
			const char *t = json_string_value(v);

			if (!v)
				continue;
			if (!t || !*t ||
			    strspn(t, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") !=
				    strlen(t))
				return false;
		}
	}
	return true;
}

int oidc_check_id_token(const char *token, const char *jwks_json, const struct oidc_expect *e,
			json_t **ret_claims, enum refusal *ret_refusal)
{
	_cleanup_jwt_ jwt_t *jwt = NULL;
	_cleanup_jwks_ jwks_t *jwks = NULL;
	_cleanup_jwk_ jwk_t *key = NULL;
	_cleanup_json_ json_t *claims = NULL;
	const char *kid, *key_alg, *use;
	unsigned type, bits = 0, ktype;
	jwa_alg alg;
	int r;

	pthread_once(&init_once, init);
	if (!token || strnlen(token, TOKEN_MAX + 1) > TOKEN_MAX ||
	    r_jwt_token_type(token) != R_JWT_TYPE_SIGN)
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_MALFORMED);
	if (r_jwt_init(&jwt) != RHN_OK)
		return -ENOMEM;
	/* R_PARSE_UNSIGNED only so that "none" is parsed and refused by name
	 * below; no key is ever taken from the header. */
	r = r_jwt_advanced_parse(jwt, token, R_PARSE_UNSIGNED, R_FLAG_IGNORE_REMOTE);
	if (r == RHN_ERROR_MEMORY)
		return -ENOMEM;
	if (r != RHN_OK || r_jwt_get_type(jwt) != R_JWT_TYPE_SIGN)
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_MALFORMED);
	alg = r_jwt_get_sign_alg(jwt);
	type = alg_key_type(alg);
	if (!type)
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_ALG);

	if (r_jwks_init(&jwks) != RHN_OK)
		return -ENOMEM;
	if (!jwks_json || !jwks_strict(jwks_json) ||
	    r_jwks_import_from_json_str(jwks, jwks_json) != RHN_OK)
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_KEY);
	kid = r_jwt_get_header_str_value(jwt, "kid");
	key = key_for(jwks, kid, type);
	if (!key)
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_KEY);
	ktype = (unsigned)r_jwk_key_type(key, &bits, R_FLAG_IGNORE_REMOTE);
	if (!(ktype & R_KEY_TYPE_PUBLIC) || (ktype & (R_KEY_TYPE_PRIVATE | R_KEY_TYPE_SYMMETRIC)) ||
	    !(ktype & type))
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_ALG);
	key_alg = r_jwk_get_property_str(key, "alg");
	if (key_alg && r_str_to_jwa_alg(key_alg) != alg)
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_ALG);
	use = r_jwk_get_property_str(key, "use");
	if (use && !streq(use, "sig"))
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_KEY);
	if (r_jwt_verify_signature(jwt, key, R_FLAG_IGNORE_REMOTE) != RHN_OK)
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_SIGNATURE);

	claims = r_jwt_get_full_claims_json_t(jwt);
	if (!json_is_object(claims))
		return refuse(ret_refusal, REFUSAL_EDEVLET_TOKEN_MALFORMED);
	r = claims_check(claims, e, ret_refusal);
	if (r < 0)
		return r;
	*ret_claims = TAKE_PTR(claims);
	return 0;
}

int oidc_pkce_s256(const char *verifier, char ret[44])
{
	unsigned char md[32];
	_cleanup_free_ char *b = NULL;
	int r;

	if (!EVP_Digest(verifier, strlen(verifier), md, NULL, EVP_sha256(), NULL))
		return -EIO;
	r = base64url_encode(md, sizeof(md), &b);
	if (r < 0)
		return r;
	snprintf(ret, 44, "%s", b);
	return 0;
}
