/* routes.c - the route table of eonayd, and nothing else.
 *
 * Exact paths, except entries ending in '/', which match every path below
 * them.  A GET that matches no route is served from web/ by
 * static.c; an unknown /api/ path is a JSON 404.  The API is described in
 * docs/API.md. */
#include "server/handlers.h"

const struct route routes[] = {
	{ "GET", "/healthz", handle_healthz },
	{ "GET", "/api/v1/info", handle_info },
	{ "GET", "/api/v1/session", handle_session_get },
	{ "POST", "/api/v1/session", handle_session_create },
	{ "DELETE", "/api/v1/session", handle_session_delete },
	{ "POST", "/api/v1/signing", handle_signing_start },
	{ "POST", "/api/v1/signing/renew", handle_signing_renew },
	{ "GET", "/api/v1/signing/wait", handle_signing_wait },
	{ "POST", "/api/v1/app/claim", handle_app_claim },
	{ "POST", "/api/v1/app/submit", handle_app_submit },
	{ "GET", "/api/v1/eonay", handle_eonay_get },
	{ "POST", "/ocsp", handle_ocsp_post },
	{ "GET", "/ocsp/", handle_ocsp_get },
	{ "GET", "/crl/issuing.crl", handle_crl },
	{ "GET", "/ca/issuing.crt", handle_ca_issuing },
	{ "GET", "/ca/root.crt", handle_ca_root },
};

const size_t routes_count = ELEMENTSOF(routes);
