/* fuzz-oidc.c - the ID token checks of E-Devlet ile Giriş
 * (domain/oidc.c) against a fixed JWKS (an RSA and an EC key made at
 * start).  First byte even: the rest is the token as the provider's token
 * endpoint sends it; odd: the rest is a claims set, signed ES256 with the
 * JWKS's EC key here, so that the claim checks after the signature run
 * on fuzzed claims too. */
#include <rhonabwy.h>

#include "domain/oidc.h"

#include "fuzz.h"

#define ISS "https://giris.example.gov.tr/oidc"
#define NOW ((int64_t)1893456000)

static jwk_t *ec_priv;
static char *jwks_str;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	jwk_t *rsa_priv, *rsa_pub, *ec_pub;
	jwks_t *jwks;

	r_global_init();
	if (r_jwk_init(&rsa_priv) || r_jwk_init(&rsa_pub) || r_jwk_init(&ec_priv) ||
	    r_jwk_init(&ec_pub) || r_jwks_init(&jwks) ||
	    r_jwk_generate_key_pair(rsa_priv, rsa_pub, R_KEY_TYPE_RSA, 2048, "k1") ||
	    r_jwk_generate_key_pair(ec_priv, ec_pub, R_KEY_TYPE_EC, 256, "e1") ||
	    r_jwks_append_jwk(jwks, rsa_pub) || r_jwks_append_jwk(jwks, ec_pub))
		abort();
	jwks_str = r_jwks_export_to_json_str(jwks, 0);
	if (!jwks_str)
		abort();
	r_jwks_free(jwks);
	r_jwk_free(rsa_priv);
	r_jwk_free(rsa_pub);
	r_jwk_free(ec_pub);
	return 0;
}

static void check(const char *token)
{
	struct oidc_expect e = { .issuer = ISS, .client_id = "eonay", .nonce = "n-0S6_WzA2Mj",
				 .now = NOW, .skew = 60, .max_age = 600 };
	enum refusal why = REFUSAL_NONE;
	json_t *claims = NULL;
	int r;

	r = oidc_check_id_token(token, jwks_str, &e, &claims, &why);
	if (r == 0) {
		if (!claims)
			abort();
		json_decref(claims);
	} else if (r == -EACCES && why == REFUSAL_NONE)
		abort();	/* a refusal always says which */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *s = NULL;
	jwt_t *jwt = NULL;
	json_t *claims;
	char *tok;

	if (size == 0)
		return 0;
	s = fuzz_str(data + 1, size - 1);
	if (data[0] % 2 == 0) {
		check(s);
		return 0;
	}
	claims = json_loads(s, 0, NULL);
	if (!json_is_object(claims)) {
		json_decref(claims);
		return 0;
	}
	if (r_jwt_init(&jwt) == RHN_OK && r_jwt_set_full_claims_json_t(jwt, claims) == RHN_OK &&
	    r_jwt_set_sign_alg(jwt, R_JWA_ALG_ES256) == RHN_OK &&
	    (tok = r_jwt_serialize_signed(jwt, ec_priv, 0))) {
		check(tok);
		r_free(tok);
	}
	r_jwt_free(jwt);
	json_decref(claims);
	return 0;
}
