/* routes.c - the route table of eonayd, and nothing else.
 *
 * Exact paths only.  A GET that matches no route is served from web/ by
 * static.c; an unknown /api/ path is a JSON 404.  The API is described in
 * docs/API.md. */
#include "server/handlers.h"

const struct route routes[] = {
	{ "GET", "/healthz", handle_healthz },
	{ "GET", "/api/v1/info", handle_info },
	{ "GET", "/api/v1/session", handle_session_get },
	{ "POST", "/api/v1/session", handle_session_create },
	{ "DELETE", "/api/v1/session", handle_session_delete },
};

const size_t routes_count = ELEMENTSOF(routes);
