/* edevlet-client.h - eonayd's side of the network for E-Devlet ile Giriş:
 * the provider's discovery document, its JWKS and the token endpoint.
 *
 * Every request is libcurl with TLS verified (system CAs); plain http is
 * allowed only to a loopback host (127.0.0.0/8, ::1, localhost), redirects
 * are not followed, answers are capped at 1 MiB and 10 seconds.  Discovery
 * and JWKS are cached in the process (an hour); the JWKS is fetched again
 * when a token names a key it does not have (at most every 10 seconds).
 *
 * Errors: -EHOSTUNREACH the provider could not be reached (connect, DNS,
 * TLS, timeout); -EPROTO it answered something unusable; -EPERM the URL is
 * not allowed (http to a non-loopback host); -ENOMEM. */
#pragma once
#include "common/config.h"

/* Whether url may be fetched: https, or http to a loopback host. */
bool edc_url_allowed(const char *url);

struct edc_endpoints {
	char *authorization, *token, *jwks;
};
void edc_endpoints_done(struct edc_endpoints *e);

/* The provider's endpoints from cfg->edevlet_issuer's discovery document
 * (whose "issuer" must be exactly the setting). */
int edc_discover(const struct config *cfg, struct edc_endpoints *ret);

/* The provider's JWKS (JSON text, malloc'ed); refresh: fetch it again
 * (a kid was unknown), unless it was fetched in the last 10 seconds. */
int edc_jwks(const struct config *cfg, bool refresh, char **ret);

/* Exchanges code at the token endpoint (client_secret_basic, PKCE
 * verifier, redirect_uri).  0 with *ret_id_token; -EACCES when the
 * provider refused the code (400 invalid_grant and the like). */
int edc_exchange(const struct config *cfg, const char *code, const char *verifier,
		 const char *redirect_uri, char **ret_id_token);

/* Forgets the cached discovery and JWKS (tests). */
void edc_reset(void);
