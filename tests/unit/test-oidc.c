/* test-oidc.c - the ID token checks (domain/oidc.c): tokens made with
 * rhonabwy (the attacks by hand: alg none, HS256 keyed with the public
 * key), each refused with its own refusal. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>
#include <rhonabwy.h>
#include <stdio.h>
#include <string.h>

#include "common/util.h"
#include "domain/oidc.h"

#define ISS "https://giris.example.gov.tr/oidc"
#define CLIENT "eonay"
#define NONCE "n-0S6_WzA2Mj"

struct keys {
	jwk_t *priv, *pub;		/* RSA, kid "k1", in the JWKS */
	jwk_t *ec_priv, *ec_pub;	/* EC P-256, kid "e1", in the JWKS */
	jwk_t *other_priv, *other_pub;	/* RSA, kid "k1" too, NOT in the JWKS */
	char *jwks;
};
static struct keys K;

static int setup(void **state)
{
	jwks_t *jwks;

	r_global_init();
	assert_int_equal(r_jwk_init(&K.priv), RHN_OK);
	assert_int_equal(r_jwk_init(&K.pub), RHN_OK);
	assert_int_equal(r_jwk_init(&K.ec_priv), RHN_OK);
	assert_int_equal(r_jwk_init(&K.ec_pub), RHN_OK);
	assert_int_equal(r_jwk_init(&K.other_priv), RHN_OK);
	assert_int_equal(r_jwk_init(&K.other_pub), RHN_OK);
	assert_int_equal(r_jwk_generate_key_pair(K.priv, K.pub, R_KEY_TYPE_RSA, 2048, "k1"), RHN_OK);
	assert_int_equal(r_jwk_generate_key_pair(K.ec_priv, K.ec_pub, R_KEY_TYPE_EC, 256, "e1"),
			 RHN_OK);
	assert_int_equal(r_jwk_generate_key_pair(K.other_priv, K.other_pub, R_KEY_TYPE_RSA, 2048,
						 "k1"), RHN_OK);
	assert_int_equal(r_jwks_init(&jwks), RHN_OK);
	assert_int_equal(r_jwks_append_jwk(jwks, K.pub), RHN_OK);
	assert_int_equal(r_jwks_append_jwk(jwks, K.ec_pub), RHN_OK);
	K.jwks = r_jwks_export_to_json_str(jwks, 0);
	assert_non_null(K.jwks);
	r_jwks_free(jwks);
	return 0;
}

static int teardown(void **state)
{
	r_jwk_free(K.priv);
	r_jwk_free(K.pub);
	r_jwk_free(K.ec_priv);
	r_jwk_free(K.ec_pub);
	r_jwk_free(K.other_priv);
	r_jwk_free(K.other_pub);
	free(K.jwks);
	r_global_close();
	return 0;
}

static json_t *good_claims(void)
{
	int64_t now = now_sec();

	return json_pack("{s:s,s:s,s:s,s:I,s:I,s:s,s:s,s:s}", "iss", ISS, "sub", "u-1", "aud",
			 CLIENT, "exp", (json_int_t)(now + 600), "iat", (json_int_t)now, "nonce",
			 NONCE, "tckn", "10000000146", "azp", CLIENT);
}

static char *sign(json_t *claims, jwa_alg alg, jwk_t *key)
{
	jwt_t *jwt;
	char *tok;

	assert_int_equal(r_jwt_init(&jwt), RHN_OK);
	assert_int_equal(r_jwt_set_full_claims_json_t(jwt, claims), RHN_OK);
	assert_int_equal(r_jwt_set_sign_alg(jwt, alg), RHN_OK);
	tok = r_jwt_serialize_signed(jwt, key, 0);
	assert_non_null(tok);
	r_jwt_free(jwt);
	json_decref(claims);
	return tok;
}

static int check(const char *tok, enum refusal *why, json_t **claims)
{
	struct oidc_expect e = { .issuer = ISS, .client_id = CLIENT, .nonce = NONCE,
				 .now = now_sec(), .skew = 60, .max_age = 600 };
	json_t *c = NULL;
	int r;

	*why = REFUSAL_NONE;
	r = oidc_check_id_token(tok, K.jwks, &e, &c, why);
	if (claims)
		*claims = c;
	else
		json_decref(c);
	return r;
}

static void expect_refusal(char *tok, enum refusal want)
{
	enum refusal why;

	assert_int_equal(check(tok, &why, NULL), -EACCES);
	assert_string_equal(refusal_code(why), refusal_code(want));
	free(tok);
}

static void test_good_rs256_ps256_es256(void **state)
{
	const jwa_alg rsa[] = { R_JWA_ALG_RS256, R_JWA_ALG_PS256, R_JWA_ALG_RS512 };
	enum refusal why;
	json_t *c;
	char *tok;

	for (size_t i = 0; i < ELEMENTSOF(rsa); i++) {
		tok = sign(good_claims(), rsa[i], K.priv);
		assert_int_equal(check(tok, &why, &c), 0);
		assert_string_equal(json_string_value(json_object_get(c, "tckn")), "10000000146");
		json_decref(c);
		free(tok);
	}
	tok = sign(good_claims(), R_JWA_ALG_ES256, K.ec_priv);
	assert_int_equal(check(tok, &why, NULL), 0);
	free(tok);
}

/* base64url of a string, no padding. */
static char *b64u(const char *s)
{
	char *out = NULL;

	assert_int_equal(base64url_encode(s, strlen(s), &out), 0);
	return out;
}

static void test_alg_none(void **state)
{
	_cleanup_free_ char *h = b64u("{\"alg\":\"none\",\"kid\":\"k1\"}");
	json_t *claims = good_claims();
	char *payload_json = json_dumps(claims, JSON_COMPACT);
	_cleanup_free_ char *p = b64u(payload_json);

	free(payload_json);
	json_decref(claims);
	expect_refusal(strdup_printf("%s.%s.", h, p), REFUSAL_EDEVLET_TOKEN_ALG);
	/* a signature part does not help */
	expect_refusal(strdup_printf("%s.%s.AAAA", h, p), REFUSAL_EDEVLET_TOKEN_ALG);
}

static void test_hs256_with_public_key(void **state)
{
	unsigned char pem[4096];
	size_t len = sizeof(pem);
	jwk_t *sym;
	char *tok;

	/* The classic confusion: the RSA public key (as the JWKS shows it)
	 * used as an HMAC secret. */
	assert_int_equal(r_jwk_export_to_pem_der(K.pub, R_FORMAT_PEM, pem, &len, 0), RHN_OK);
	assert_int_equal(r_jwk_init(&sym), RHN_OK);
	assert_int_equal(r_jwk_import_from_symmetric_key(sym, pem, len), RHN_OK);
	assert_int_equal(r_jwk_set_property_str(sym, "kid", "k1"), RHN_OK);
	tok = sign(good_claims(), R_JWA_ALG_HS256, sym);
	r_jwk_free(sym);
	expect_refusal(tok, REFUSAL_EDEVLET_TOKEN_ALG);
}

static void test_key_not_in_jwks(void **state)
{
	/* same kid, other key: the signature does not verify */
	expect_refusal(sign(good_claims(), R_JWA_ALG_RS256, K.other_priv),
		       REFUSAL_EDEVLET_TOKEN_SIGNATURE);
	/* a kid the JWKS does not have */
	assert_int_equal(r_jwk_set_property_str(K.other_priv, "kid", "k9"), RHN_OK);
	expect_refusal(sign(good_claims(), R_JWA_ALG_RS256, K.other_priv), REFUSAL_EDEVLET_TOKEN_KEY);
	assert_int_equal(r_jwk_set_property_str(K.other_priv, "kid", "k1"), RHN_OK);
	/* an RSA algorithm with the EC key's kid */
	assert_int_equal(r_jwk_set_property_str(K.priv, "kid", "e1"), RHN_OK);
	expect_refusal(sign(good_claims(), R_JWA_ALG_RS256, K.priv), REFUSAL_EDEVLET_TOKEN_ALG);
	assert_int_equal(r_jwk_set_property_str(K.priv, "kid", "k1"), RHN_OK);
}

/* A JWKS whose numbers are not strict base64url is refused before
 * rhonabwy reads it (its lenient decoding freed a wrong pointer on an EC
 * "x" with spaces and "=": tests/fuzz/fuzz-jwks.c). */
static void test_jwks_not_strict(void **state)
{
	static const char *const spoil[] = { " ", "=", "\n", "+", "/" };
	struct oidc_expect e = { .issuer = ISS, .client_id = CLIENT, .nonce = NONCE,
				 .now = now_sec(), .skew = 60, .max_age = 600 };

	for (size_t i = 0; i < ELEMENTSOF(spoil); i++) {
		json_t *doc = json_loads(K.jwks, 0, NULL), *k, *c = NULL;
		char *tok = sign(good_claims(), R_JWA_ALG_RS256, K.priv), *text, *n;
		enum refusal why = REFUSAL_NONE;
		size_t j;

		assert_non_null(doc);
		json_array_foreach(json_object_get(doc, "keys"), j, k) {
			const char *v = json_string_value(json_object_get(k, "n"));

			if (!v)
				continue;
			n = strdup_printf("%.10s%s%s", v, spoil[i], v + 10);
			json_object_set_new(k, "n", json_string(n));
			free(n);
		}
		text = json_dumps(doc, 0);
		assert_int_equal(oidc_check_id_token(tok, text, &e, &c, &why), -EACCES);
		assert_string_equal(refusal_code(why), refusal_code(REFUSAL_EDEVLET_TOKEN_KEY));
		assert_null(c);
		free(text), free(tok);
		json_decref(doc);
	}
	{
		char *tok = sign(good_claims(), R_JWA_ALG_RS256, K.priv);
		enum refusal why;

		assert_int_equal(check(tok, &why, NULL), 0);
		free(tok);
	}
}

static void test_claims(void **state)
{
	int64_t now = now_sec();
	json_t *c;

	c = good_claims();
	json_object_set_new(c, "iss", json_string("https://evil.example/oidc"));
	expect_refusal(sign(c, R_JWA_ALG_RS256, K.priv), REFUSAL_EDEVLET_TOKEN_ISSUER);

	c = good_claims();
	json_object_set_new(c, "aud", json_string("someone-else"));
	json_object_del(c, "azp");
	expect_refusal(sign(c, R_JWA_ALG_RS256, K.priv), REFUSAL_EDEVLET_TOKEN_AUDIENCE);

	c = good_claims();	/* several audiences without azp */
	json_object_set_new(c, "aud", json_pack("[s,s]", CLIENT, "other"));
	json_object_del(c, "azp");
	expect_refusal(sign(c, R_JWA_ALG_RS256, K.priv), REFUSAL_EDEVLET_TOKEN_AUDIENCE);

	c = good_claims();	/* azp names another party */
	json_object_set_new(c, "azp", json_string("other"));
	expect_refusal(sign(c, R_JWA_ALG_RS256, K.priv), REFUSAL_EDEVLET_TOKEN_AUDIENCE);

	c = good_claims();	/* several audiences with our azp: fine */
	json_object_set_new(c, "aud", json_pack("[s,s]", "other", CLIENT));
	{
		char *tok = sign(c, R_JWA_ALG_RS256, K.priv);
		enum refusal why;

		assert_int_equal(check(tok, &why, NULL), 0);
		free(tok);
	}

	c = good_claims();	/* expired beyond the skew */
	json_object_set_new(c, "exp", json_integer(now - 61));
	json_object_set_new(c, "iat", json_integer(now - 400));
	expect_refusal(sign(c, R_JWA_ALG_RS256, K.priv), REFUSAL_EDEVLET_TOKEN_EXPIRED);

	c = good_claims();	/* issued in the future */
	json_object_set_new(c, "iat", json_integer(now + 300));
	expect_refusal(sign(c, R_JWA_ALG_RS256, K.priv), REFUSAL_EDEVLET_TOKEN_EXPIRED);

	c = good_claims();	/* issued too long ago */
	json_object_set_new(c, "iat", json_integer(now - 3600));
	expect_refusal(sign(c, R_JWA_ALG_RS256, K.priv), REFUSAL_EDEVLET_TOKEN_EXPIRED);

	c = good_claims();	/* not yet valid */
	json_object_set_new(c, "nbf", json_integer(now + 300));
	expect_refusal(sign(c, R_JWA_ALG_RS256, K.priv), REFUSAL_EDEVLET_TOKEN_EXPIRED);

	c = good_claims();
	json_object_set_new(c, "nonce", json_string("another-request"));
	expect_refusal(sign(c, R_JWA_ALG_RS256, K.priv), REFUSAL_EDEVLET_TOKEN_NONCE);

	c = good_claims();
	json_object_del(c, "nonce");
	expect_refusal(sign(c, R_JWA_ALG_RS256, K.priv), REFUSAL_EDEVLET_TOKEN_NONCE);

	c = good_claims();
	json_object_del(c, "exp");
	expect_refusal(sign(c, R_JWA_ALG_RS256, K.priv), REFUSAL_EDEVLET_TOKEN_MALFORMED);

	c = good_claims();
	json_object_set_new(c, "sub", json_integer(7));
	expect_refusal(sign(c, R_JWA_ALG_RS256, K.priv), REFUSAL_EDEVLET_TOKEN_MALFORMED);
}

static void test_malformed(void **state)
{
	char *tok = sign(good_claims(), R_JWA_ALG_RS256, K.priv);
	char *bad = strdup(tok);
	enum refusal why;

	/* a flipped bit in the payload */
	bad[strchr(bad, '.') - bad + 5] ^= 1;
	assert_int_equal(check(bad, &why, NULL), -EACCES);
	assert_true(why == REFUSAL_EDEVLET_TOKEN_SIGNATURE || why == REFUSAL_EDEVLET_TOKEN_MALFORMED);
	free(bad);
	free(tok);
	expect_refusal(strdup("not-a-jwt"), REFUSAL_EDEVLET_TOKEN_MALFORMED);
	expect_refusal(strdup(""), REFUSAL_EDEVLET_TOKEN_MALFORMED);
	expect_refusal(strdup("a.b.c.d.e"), REFUSAL_EDEVLET_TOKEN_MALFORMED);
}

static void test_pkce(void **state)
{
	char c[44];

	/* RFC 7636 appendix B */
	assert_int_equal(oidc_pkce_s256("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", c), 0);
	assert_string_equal(c, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_rs256_ps256_es256),
		cmocka_unit_test(test_alg_none),
		cmocka_unit_test(test_hs256_with_public_key),
		cmocka_unit_test(test_key_not_in_jwks),
		cmocka_unit_test(test_jwks_not_strict),
		cmocka_unit_test(test_claims),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_pkce),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
