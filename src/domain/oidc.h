/* oidc.h - the checks on an OpenID Connect ID token (E-Devlet ile Giriş).
 *
 * No network and no store: the caller (server/edevlet-client.c) brings the
 * token from the token endpoint and the provider's JWKS, domain/edevlet.c
 * the expected values.  The JOSE work is rhonabwy's; the rules are here. */
#pragma once
#include <jansson.h>
#include <stdint.h>

#include "domain/refusal.h"

struct oidc_expect {
	const char *issuer;	/* exactly the "iss" the token must carry */
	const char *client_id;	/* in "aud"; "azp" when present (required with several audiences) */
	const char *nonce;	/* the "nonce" sent with the authorization request */
	int64_t now;		/* unix seconds */
	int64_t skew;		/* clock skew allowed on exp, iat, nbf (seconds) */
	int64_t max_age;	/* an "iat" older than now - max_age is refused */
};

/* Checks an ID token (compact JWS) against jwks (the provider's JWKS as
 * JSON text) and e.  Accepted signatures: RS256/384/512, PS256/384/512
 * with an RSA public key, ES256/384/512 with an EC public key of the JWKS,
 * chosen by "kid" (or the only key of that type when the token has none).
 * Never "none", never an HMAC, never a key from the token's own header
 * (jwk, jku, x5u, x5c).  Then iss, aud/azp, exp, iat, nbf, nonce, sub.
 * 0 and *ret_claims (the payload; json_decref) when all holds; -EACCES
 * with *ret_refusal REFUSAL_EDEVLET_TOKEN_* otherwise:
 *   _MALFORMED not a signed JWT, or a claim missing or of the wrong type;
 *   _ALG       alg outside the list, or not the key's;
 *   _KEY       kid not in jwks (the caller may fetch the JWKS again once);
 *   _SIGNATURE the signature does not verify;
 *   _ISSUER, _AUDIENCE, _EXPIRED (exp, iat, nbf), _NONCE.
 * -ENOMEM and other errors are failures of the machine. */
int oidc_check_id_token(const char *token, const char *jwks, const struct oidc_expect *e,
			json_t **ret_claims, enum refusal *ret_refusal);

/* The PKCE S256 challenge of verifier: base64url(SHA-256(verifier)),
 * 43 characters. */
int oidc_pkce_s256(const char *verifier, char ret[44]);
