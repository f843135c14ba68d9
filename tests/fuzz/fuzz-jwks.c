/* fuzz-jwks.c - the provider's JWKS document of E-Devlet ile Giriş, as
 * domain/oidc.c reads it (fuzz-oidc.c fuzzes the ID token against a fixed
 * JWKS; this one the other way round).  A fixed EC key (test material
 * only, below) signs one valid ID token at start; each input is the JWKS
 * text it is checked against.  Promises: a refusal says which; an
 * accepted token comes with its claims, and only when the JWKS holds the
 * signing key's public half (a key whose "x" decodes to its x: the
 * unused low bits of the last base64url digit may differ and whitespace
 * is skipped, a lenient decoding that still names the same key). */
#include <rhonabwy.h>

#include "domain/oidc.h"

#include "fuzz.h"

#define ISS "https://giris.example.gov.tr/oidc"
#define NOW ((int64_t)1893456000)
#define EC_X "ccroHZUpbfhPnvPs15bIGIKvwZb1WmCFOeQn5C959n8"
#define EC_Y "Z9qYlPH0jas-x-v4ZFLcmiYU3BH1dB0TI8qMFnhb4Sw"
#define EC_D "WsbICvmJ2ADnegzBQSHcX9vVC8HX7lnOlP1H4TG_PWk"

static char *token;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	jwk_t *priv;
	jwt_t *jwt;

	(void)argc, (void)argv;
	r_global_init();
	if (r_jwk_init(&priv) || r_jwt_init(&jwt) ||
	    r_jwk_import_from_json_str(priv, "{\"kty\":\"EC\",\"crv\":\"P-256\",\"kid\":\"e1\","
					     "\"x\":\"" EC_X "\",\"y\":\"" EC_Y "\",\"d\":\"" EC_D "\"}") ||
	    r_jwt_set_full_claims_json_str(jwt, "{\"iss\":\"" ISS "\",\"aud\":\"eonay\","
						"\"sub\":\"s1\",\"nonce\":\"n-0S6_WzA2Mj\","
						"\"iat\":1893456000,\"exp\":1893456600,"
						"\"tckn\":\"10000000146\"}") ||
	    r_jwt_set_sign_alg(jwt, R_JWA_ALG_ES256) ||
	    r_jwt_set_header_str_value(jwt, "kid", "e1"))
		abort();
	token = r_jwt_serialize_signed(jwt, priv, 0);
	if (!token)
		abort();
	r_jwt_free(jwt);
	r_jwk_free(priv);
	return 0;
}

/* Whether s (base64url, any padding bits, optional '=', whitespace
 * anywhere: the decoder skips it) is x's 32 bytes. */
static bool is_our_x(const char *text)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	unsigned char got[33], want[33];
	char s[64];
	size_t n = 0;

	for (const char *p = text; *p && *p != '='; p++) {
		if (strchr(" \t\r\n", *p))
			continue;
		if (n == sizeof(s) - 1)
			return false;
		s[n++] = *p;
	}
	s[n] = '\0';

	if (n != 43)
		return false;
	for (int k = 0; k < 2; k++) {
		const char *in = k ? EC_X : s;
		unsigned char *out = k ? want : got;
		unsigned acc = 0, bits = 0;
		size_t o = 0;

		for (size_t i = 0; i < 43; i++) {
			const char *c = strchr(b64, in[i]);

			if (!c || !in[i])
				return false;
			acc = (acc << 6) | (unsigned)(c - b64);
			bits += 6;
			if (bits >= 8) {
				bits -= 8;
				out[o++] = (unsigned char)(acc >> bits);
				acc &= (1u << bits) - 1;
			}
		}
	}
	return memcmp(got, want, 32) == 0;
}

/* Whether the JWKS text holds a key whose "x" is the signing key's. */
static bool holds_our_key(const char *text)
{
	json_t *doc = json_loads(text, JSON_DECODE_ANY, NULL), *keys, *k;
	bool found = false;
	size_t i;

	keys = json_object_get(doc, "keys");
	json_array_foreach(keys, i, k) {
		const char *x = json_string_value(json_object_get(k, "x"));

		if (x && is_our_x(x))
			found = true;
	}
	json_decref(doc);
	return found;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	_cleanup_free_ char *jwks = fuzz_str(data, size);
	struct oidc_expect e = { .issuer = ISS, .client_id = "eonay", .nonce = "n-0S6_WzA2Mj",
				 .now = NOW, .skew = 60, .max_age = 600 };
	enum refusal why = REFUSAL_NONE;
	json_t *claims = NULL;
	int r;

	r = oidc_check_id_token(token, jwks, &e, &claims, &why);
	if (r == 0) {
		if (!claims || !holds_our_key(jwks))
			abort();
		json_decref(claims);
	} else if (r == -EACCES && why == REFUSAL_NONE) {
		abort();	/* a refusal always says which */
	}
	return 0;
}
